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
pub mod people_import;
pub mod player;
pub mod reports;
pub mod review;
pub mod sessions;

use axum::response::{IntoResponse, Redirect, Response};

/// A 303 redirect (after a form post, the browser follows with a GET).
pub fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// Keeps a `next` target only when it is a path on this site, as a browser would resolve it:
/// the target is parsed as a URL relative to this site (the WHATWG rules, which drop tabs and
/// newlines and read a backslash as a slash), must stay on the same origin, and is returned re-serialized
/// from the parsed URL, so what the browser follows is exactly what was checked.
pub fn safe_next(next: &str) -> Option<String> {
    // Any origin stands for "this site": only whether the target leaves it matters.
    let base = url::Url::parse("http://this-site.invalid/").ok()?;
    if !next.starts_with('/') {
        return None;
    }
    let resolved = base.join(next).ok()?;
    if resolved.origin() != base.origin() {
        return None;
    }
    let mut path = resolved.path().to_owned();
    if let Some(query) = resolved.query() {
        path.push('?');
        path.push_str(query);
    }
    if let Some(fragment) = resolved.fragment() {
        path.push('#');
        path.push_str(fragment);
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next("/admin/orgs/3").as_deref(), Some("/admin/orgs/3"));
        assert_eq!(safe_next("/learn?q=ai#top").as_deref(), Some("/learn?q=ai#top"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next(""), None);
        // A tab or newline is dropped by browsers, turning `/\t/evil` into `//evil`.
        assert_eq!(safe_next("/\t/evil.example/"), None);
        assert_eq!(safe_next("/\n/evil.example/"), None);
        assert_eq!(safe_next("/\r\n/evil.example/"), None);
        assert_eq!(safe_next("/../../etc").as_deref(), Some("/etc"), "dot segments are resolved on the site");
        assert_eq!(safe_next("/a b").as_deref(), Some("/a%20b"), "what is returned is what was checked");
    }
}
