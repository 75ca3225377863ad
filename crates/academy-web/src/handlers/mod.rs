//! Handlers, grouped by area and named verb_noun. Each returns a page, a redirect or an
//! [`WebError`](crate::error::WebError); access was already checked by the route guard.

pub mod account;
pub mod api;
pub mod assets;
pub mod auth;
pub mod author;
pub mod catalog;
pub mod credentials;
pub mod health;
pub mod home;
pub mod my_learning;
pub mod offers;
pub mod orgs;
pub mod outbox;
pub mod pathways;
pub mod people;
pub mod player;
pub mod sessions;

use axum::response::{IntoResponse, Redirect, Response};

/// A 303 redirect (after a form post, the browser follows with a GET).
pub fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// Keeps a `next` target only when it is a path on this site, so a link cannot send a person
/// elsewhere after signing in.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok =
        next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains(['\r', '\n']);
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next("/admin/orgs/3"), Some("/admin/orgs/3"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next(""), None);
    }
}
