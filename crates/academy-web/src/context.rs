//! Who is asking: the session cookie, the CSRF token, the client address, and the guard that
//! applies each route's access rule and CSRF check before its handler runs.

use crate::error::WebError;
use crate::route_spec::{RouteSpec, Surface, Target};
use crate::state::AppState;
use academy_app::Actor;
use academy_app::accounts::Client;
use academy_core::access::{Access, Decision, Principal};
use academy_core::token::{SecretToken, TokenHash, constant_time_eq};
use academy_core::{OrgPath, time};
use academy_store::users::GrantRow;
use academy_store::{orgs, sessions, users};
use axum::RequestExt;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// A signed-in person, as loaded for this request.
#[derive(Debug, Clone)]
pub struct Session {
    /// Their id.
    pub user_id: i64,
    /// Their email.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// Digest of their session token (to end the session).
    pub token_hash: TokenHash,
    /// The CSRF token their forms carry.
    pub csrf_token: String,
    /// Their roles, as access rules see them.
    pub principal: Principal,
    /// Their roles with node names, for pages.
    pub grants: Vec<GrantRow>,
}

/// What every handler may want to know about the request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The signed-in person, if any.
    pub session: Option<Arc<Session>>,
    /// The CSRF token forms on this page must carry.
    pub csrf_token: String,
    /// The request path, for navigation and `next` links.
    pub path: String,
    /// The client's address.
    pub client_ip: Option<IpAddr>,
    /// The client's software, as it says.
    pub user_agent: Option<String>,
    /// The device cookie it sent (checked by the sign-in use case).
    pub device: Option<String>,
}

impl Session {
    /// The person as the application layer's use cases see them.
    pub fn actor(&self) -> Actor<'_> {
        Actor { user_id: self.user_id, display_name: &self.display_name, principal: &self.principal }
    }
}

impl RequestContext {
    /// The signed-in person, or [`WebError::SignInRequired`].
    pub fn session(&self) -> Result<&Arc<Session>, WebError> {
        self.session.as_ref().ok_or(WebError::SignInRequired)
    }

    /// Where the request came from, for a new session's record and sign-in limits.
    pub fn client(&self) -> Client {
        Client { ip: self.client_ip, user_agent: self.user_agent.clone(), device: self.device.clone() }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| WebError::Internal(anyhow::anyhow!("request context middleware is not installed")))
    }
}

/// Cookie names; `__Host-` prefixed over TLS so that no subdomain can set them.
pub struct CookieNames {
    /// The session cookie.
    pub session: &'static str,
    /// The signed-out visitor's CSRF cookie.
    pub csrf: &'static str,
    /// The device cookie: this browser has signed in to an account before.
    pub device: &'static str,
}

impl CookieNames {
    /// The names for this deployment.
    pub fn for_https(https: bool) -> Self {
        if https {
            Self { session: "__Host-academy_session", csrf: "__Host-academy_csrf", device: "__Host-academy_device" }
        } else {
            Self { session: "academy_session", csrf: "academy_csrf", device: "academy_device" }
        }
    }
}

/// How often a live session's expiry is pushed forward (writes are kept off most requests).
const TOUCH_EVERY_MINUTES: i64 = 10;

/// Loads the session and CSRF token for every request, and clears a dead session cookie.
pub async fn load_context(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let names = CookieNames::for_https(state.app.config.is_https());
    let jar = CookieJar::from_headers(request.headers());
    let now = time::now();
    let mut clear_session_cookie = false;
    let mut session = None;
    if let Some(cookie) = jar.get(names.session) {
        match SecretToken::parse(cookie.value()) {
            Some(token) => match load_session(&state, &token.hash(), now).await {
                Ok(Some(found)) => session = Some(Arc::new(found)),
                Ok(None) => clear_session_cookie = true,
                Err(error) => return error.into_response(),
            },
            None => clear_session_cookie = true,
        }
    }
    let anon_csrf = jar.get(names.csrf).map(|c| c.value().to_owned()).filter(|v| SecretToken::parse(v).is_some());
    let mut new_anon_csrf = None;
    let csrf_token = match (&session, anon_csrf) {
        (Some(s), _) => s.csrf_token.clone(),
        (None, Some(existing)) => existing,
        (None, None) => {
            let fresh = SecretToken::generate().expose().to_owned();
            new_anon_csrf = Some(fresh.clone());
            fresh
        }
    };
    let client_ip = client_ip(&request, state.app.config.trust_proxy_headers);
    let user_agent =
        request.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    let device = jar.get(names.device).map(|c| c.value().chars().take(200).collect());
    let context =
        RequestContext { session, csrf_token, path: request.uri().path().to_owned(), client_ip, user_agent, device };
    request.extensions_mut().insert(context);
    let mut response = next.run(request).await;
    let https = state.app.config.is_https();
    if let Some(value) = new_anon_csrf {
        let cookie = base_cookie(names.csrf, value, https);
        append_cookie(response.headers_mut(), &cookie);
    }
    if clear_session_cookie
        && !response.headers().get_all(header::SET_COOKIE).iter().any(|v| is_cookie(v, names.session))
    {
        append_cookie(response.headers_mut(), &removal_cookie(names.session, https));
    }
    response
}

async fn load_session(
    state: &AppState,
    hash: &TokenHash,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Session>, WebError> {
    let Some(record) = sessions::find(&state.app.store, hash, now).await? else {
        return Ok(None);
    };
    if now - record.last_seen_at > Duration::minutes(TOUCH_EVERY_MINUTES) {
        sessions::touch(&state.app.store, hash, now, now + Duration::days(state.app.config.session_days)).await?;
    }
    let grants = users::grants(&state.app.store, record.user_id).await?;
    let principal = Principal { user_id: record.user_id, grants: grants.iter().map(GrantRow::grant).collect() };
    Ok(Some(Session {
        user_id: record.user_id,
        email: record.email,
        display_name: record.display_name,
        token_hash: hash.clone(),
        csrf_token: record.csrf_token,
        principal,
        grants,
    }))
}

fn client_ip(request: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn base_cookie(name: &'static str, value: String, https: bool) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(true).same_site(SameSite::Lax).secure(https).build()
}

/// Sets the cookie of a new session on `response`.
pub fn set_session_cookie(state: &AppState, token: &SecretToken, response: &mut Response) {
    append_cookie(response.headers_mut(), &session_cookie(state, token));
}

/// Sets the device cookie that keeps this browser known to the account it signed in to.
pub fn set_device_cookie(state: &AppState, value: &str, response: &mut Response) {
    let https = state.app.config.is_https();
    let mut cookie = base_cookie(CookieNames::for_https(https).device, value.to_owned(), https);
    cookie.set_max_age(cookie::time::Duration::days(academy_app::accounts::DEVICE_DAYS));
    append_cookie(response.headers_mut(), &cookie);
}

/// Clears the session cookie on `response`.
pub fn clear_session_cookie(state: &AppState, response: &mut Response) {
    let https = state.app.config.is_https();
    append_cookie(response.headers_mut(), &removal_cookie(CookieNames::for_https(https).session, https));
}

/// The session cookie for a new session.
pub fn session_cookie(state: &AppState, token: &SecretToken) -> Cookie<'static> {
    let names = CookieNames::for_https(state.app.config.is_https());
    let mut cookie = base_cookie(names.session, token.expose().to_owned(), state.app.config.is_https());
    cookie.set_max_age(cookie::time::Duration::days(state.app.config.session_days));
    cookie
}

/// A cookie that removes `name`.
pub fn removal_cookie(name: &'static str, https: bool) -> Cookie<'static> {
    let mut cookie = base_cookie(name, String::new(), https);
    cookie.make_removal();
    cookie
}

/// Adds a `Set-Cookie` header.
pub fn append_cookie(headers: &mut HeaderMap, cookie: &Cookie<'_>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        headers.append(header::SET_COOKIE, value);
    }
}

fn is_cookie(value: &HeaderValue, name: &str) -> bool {
    value.to_str().is_ok_and(|v| v.starts_with(&format!("{name}=")))
}

/// Largest form body the CSRF check will read.
const FORM_LIMIT: usize = crate::BODY_LIMIT;

/// Applies the matched route's access rule (at its target node when it has one) and, for
/// every unsafe method of a cookie-authenticated request, the CSRF check. Runs after routing,
/// so it knows the route; it marks the response with the route's [`Surface`] so that errors
/// render as the route's metadata says.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(matched) = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()) else {
        return WebError::Internal(anyhow::anyhow!("the guard ran outside a matched route")).into_response();
    };
    let Some(spec) = state.routes.find(request.method(), &matched).cloned() else {
        // The path exists but not for this method: no handler will run, and the router
        // answers 405 with the methods it does accept.
        return next.run(request).await;
    };
    let mut response = match check(&state, &spec, request).await {
        Ok(request) => next.run(request).await,
        Err(rejection) => rejection,
    };
    response.extensions_mut().insert(spec.surface());
    response
}

async fn check(state: &AppState, spec: &RouteSpec, mut request: Request) -> Result<Request, Response> {
    let context = request.extensions().get::<RequestContext>().cloned();
    // The session cookie is the one credential routes accept today; header credentials
    // (bearer tokens, HTTP basic) are checked here, per the route's `auths`, when a mount
    // accepts them.
    let session = context.as_ref().and_then(|c| c.session.as_ref()).filter(|_| spec.mount.auths.session);
    let principal = session.map(|s| &s.principal);
    if principal.is_none() && spec.access != Access::Public {
        // Ask a visitor to sign in before looking anything up, so that signed-out visitors
        // learn nothing about which ids exist.
        return Err(sign_in_required(spec, &request));
    }
    let targets = match spec.target {
        Target::None => None,
        target => {
            let params = request.extract_parts::<RawPathParams>().await.map_err(IntoResponse::into_response)?;
            Some(resolve_target(state, target, &params).await.map_err(IntoResponse::into_response)?)
        }
    };
    match spec.decide(principal, targets.as_deref()) {
        Decision::Allow => {}
        Decision::SignInRequired => return Err(sign_in_required(spec, &request)),
        Decision::Forbidden => return Err(WebError::Forbidden.into_response()),
    }
    if let Some(query) = request.uri().query() {
        check_utf8(query.as_bytes(), "The address").map_err(IntoResponse::into_response)?;
    }
    if is_unsafe(request.method()) {
        let expected = context.map(|c| c.csrf_token).unwrap_or_default();
        request = verify_csrf(request, &expected).await.map_err(IntoResponse::into_response)?;
    }
    Ok(request)
}

/// The nodes a route's target lives at; an unknown id is a 404.
async fn resolve_target(state: &AppState, target: Target, params: &RawPathParams) -> Result<Vec<OrgPath>, WebError> {
    let param = |name: &str| -> Result<i64, WebError> {
        params.iter().find(|(k, _)| *k == name).and_then(|(_, v)| v.parse().ok()).ok_or(WebError::NotFound)
    };
    let text_param = |name: &str| -> Result<&str, WebError> {
        params.iter().find(|(k, _)| *k == name).map(|(_, v)| v).ok_or(WebError::NotFound)
    };
    match target {
        Target::None => Ok(Vec::new()),
        Target::Org(name) => {
            let org = orgs::get(&state.app.store, param(name)?).await?.ok_or(WebError::NotFound)?;
            Ok(vec![org.path])
        }
        Target::Person(name) => {
            let id = param(name)?;
            let person = users::get(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
            let mut paths: Vec<OrgPath> =
                users::grants(&state.app.store, id).await?.into_iter().map(|g| g.org_path).collect();
            for org_id in [person.school_id, person.local_id].into_iter().flatten() {
                if let Some(org) = orgs::get(&state.app.store, org_id).await? {
                    paths.push(org.path);
                }
            }
            if paths.is_empty() {
                // Someone with no place in the tree yet is visible to whoever may act at the root.
                if let Some(root) = orgs::root(&state.app.store).await? {
                    paths.push(root.path);
                }
            }
            Ok(paths)
        }
        Target::Grant(name) => {
            let grant = users::grant(&state.app.store, param(name)?).await?.ok_or(WebError::NotFound)?;
            Ok(vec![grant.org_path])
        }
        Target::Session(name) => {
            let session =
                academy_store::workshops::session(&state.app.store, param(name)?).await?.ok_or(WebError::NotFound)?;
            let host = match session.host_org_id {
                Some(id) => orgs::get(&state.app.store, id).await?,
                None => orgs::root(&state.app.store).await?,
            };
            Ok(host.map(|o| o.path).into_iter().collect())
        }
        Target::Cohort(name) => {
            let cohort =
                academy_store::pathways::cohort(&state.app.store, param(name)?).await?.ok_or(WebError::NotFound)?;
            let org = orgs::get(&state.app.store, cohort.org_id).await?.ok_or(WebError::NotFound)?;
            Ok(vec![org.path])
        }
        Target::Item(name) => {
            let item = academy_store::catalog::item_by_slug(&state.app.store, text_param(name)?)
                .await?
                .ok_or(WebError::NotFound)?;
            let owner = orgs::get_or_root(&state.app.store, item.owner_org_id).await?.ok_or(WebError::NotFound)?;
            Ok(vec![owner.path])
        }
        Target::Pathway(name) => {
            let pathway = academy_store::pathways::by_slug(&state.app.store, text_param(name)?)
                .await?
                .ok_or(WebError::NotFound)?;
            let owner = orgs::get_or_root(&state.app.store, pathway.owner_org_id).await?.ok_or(WebError::NotFound)?;
            Ok(vec![owner.path])
        }
    }
}

fn sign_in_required(spec: &RouteSpec, request: &Request) -> Response {
    if spec.surface() == Surface::Json || request.method() != Method::GET {
        return WebError::SignInRequired.into_response();
    }
    let next = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let location =
        format!("/sign-in?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
    Redirect::to(&location).into_response()
}

/// Refuses URL-encoded input (a form body, a query string) whose names or values are not UTF-8
/// once decoded: they would otherwise be read with replacement characters and stored so.
fn check_utf8(encoded: &[u8], what: &str) -> Result<(), WebError> {
    let valid = encoded.split(|b| *b == b'&').flat_map(|pair| pair.splitn(2, |b| *b == b'=')).all(|part| {
        let decoded: Vec<u8> = percent_decode_plus(part);
        std::str::from_utf8(&decoded).is_ok()
    });
    if valid { Ok(()) } else { Err(WebError::BadRequest(format!("{what} holds text that is not valid UTF-8."))) }
}

/// Decodes `application/x-www-form-urlencoded` bytes: `+` is a space, `%XX` a byte.
fn percent_decode_plus(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks the CSRF token of an unsafe request: the `x-csrf-token` header (API clients) or the
/// `csrf_token` field of a URL-encoded form, which is read here and handed on intact.
async fn verify_csrf(request: Request, expected: &str) -> Result<Request, WebError> {
    if let Some(header) = request.headers().get("x-csrf-token") {
        let given = header.to_str().unwrap_or_default();
        return if !expected.is_empty() && constant_time_eq(given, expected) {
            Ok(request)
        } else {
            Err(WebError::CsrfFailed)
        };
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        // A file upload from a plain form cannot set a header, and its body is too large to
        // read twice: the form carries the token in its action's query string instead.
        let given = request.uri().query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "csrf_token").map(|(_, v)| v.into_owned())
        });
        return match given {
            Some(given) if !expected.is_empty() && constant_time_eq(&given, expected) => Ok(request),
            _ => Err(WebError::CsrfFailed),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(WebError::CsrfFailed);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT).await.map_err(|_| WebError::PayloadTooLarge)?;
    check_utf8(&bytes, "The form")?;
    let given = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf_token").map(|(_, v)| v.into_owned());
    match given {
        Some(given) if !expected.is_empty() && constant_time_eq(&given, expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(WebError::CsrfFailed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_text_must_be_utf8() {
        assert!(check_utf8(b"name=Caf%C3%A9+club&csrf_token=x", "form").is_ok());
        assert!(check_utf8(b"q=100%25&x", "form").is_ok(), "a literal percent sign");
        assert!(check_utf8(b"name=%FF%FE", "form").is_err());
        assert!(check_utf8(b"%C3=1", "form").is_err(), "names too");
        assert!(check_utf8(b"name=%E2%82", "form").is_err(), "a cut-off sequence");
        assert!(check_utf8(b"name=%", "form").is_ok(), "a stray percent is kept as text");
        assert_eq!(percent_decode_plus(b"a+b%20c%zz"), b"a b c%zz");
    }
}
