//! Route metadata: what a route requires of its caller (access rule and target node), how its
//! errors render (an HTML page or a JSON body) and which credentials it accepts. The route
//! list in [`crate::routes`] is written with these types; the guard, the error renderer and
//! the sign-in redirect read them from the [`RouteTable`], never from the path's prefix.

use academy_core::OrgPath;
use academy_core::access::{Access, Decision, Principal, decide};
use axum::http::Method;
use std::collections::HashMap;

/// The node a route acts on, named by one of its path parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// No node: the permission must hold somewhere.
    None,
    /// The organization whose id is this path parameter.
    Org(&'static str),
    /// The person whose id is this path parameter (wherever they have a place in the tree).
    Person(&'static str),
    /// The role grant whose id is this path parameter (at its node).
    Grant(&'static str),
    /// The workshop session whose id is this path parameter (at its host organization, or the
    /// national root when it has none).
    Session(&'static str),
    /// The cohort whose id is this path parameter (at its organization).
    Cohort(&'static str),
    /// The catalog item whose slug is this path parameter (at its owning organization, or the
    /// national root when it has none).
    Item(&'static str),
    /// The pathway whose slug is this path parameter (at its owning organization, or the
    /// national root when it has none).
    Pathway(&'static str),
}

/// Who a route's responses are for, and so how its errors render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// People in a browser: errors are accessible HTML pages, and a signed-out visitor asking
    /// for a page is sent to sign in.
    Page,
    /// Programs: errors are `{"error": {"code", "message", "details"}}` with a stable code, and
    /// a missing sign-in is a 401.
    Json,
}

/// The credentials a route accepts. Requests authenticated by a header (bearer tokens, HTTP
/// basic) carry no ambient credentials, so only cookie sessions need the CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Auths {
    /// The session cookie set at sign-in.
    pub session: bool,
    /// `Authorization: Bearer …` with an API token.
    pub bearer: bool,
    /// `Authorization: Basic …` with a client's key and secret (LRS clients).
    pub basic: bool,
}

impl Auths {
    /// The session cookie only.
    pub const SESSION: Self = Self { session: true, bearer: false, basic: false };
}

/// A group of routes under one path prefix that share a surface and the credentials they
/// accept: `/api/v1`, say. A new interface (`/xapi`, `/v1`) is one more mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mount {
    /// Every path of the group starts with it (`""` for the pages).
    pub prefix: &'static str,
    /// How the group's errors render.
    pub surface: Surface,
    /// The credentials its routes accept.
    pub auths: Auths,
}

impl Mount {
    /// The HTML pages: the whole site outside other mounts, signed in by cookie.
    pub const PAGES: Self = Self { prefix: "", surface: Surface::Page, auths: Auths::SESSION };

    /// A JSON interface under `prefix` accepting `auths`.
    pub const fn json(prefix: &'static str, auths: Auths) -> Self {
        Self { prefix, surface: Surface::Json, auths }
    }

    /// A route of this group (its full path, which must start with the prefix).
    pub fn route(self, method: Method, path: &'static str, access: Access, target: Target) -> RouteSpec {
        RouteSpec { method, path, access, target, mount: self }
    }
}

/// One route: method, path pattern, access rule, and the group it belongs to.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    /// HTTP method.
    pub method: Method,
    /// axum path pattern.
    pub path: &'static str,
    /// What the caller needs.
    pub access: Access,
    /// Where the permission must hold.
    pub target: Target,
    /// Its group: surface and accepted credentials.
    pub mount: Mount,
}

impl RouteSpec {
    /// Decides for a caller, given the nodes the route's target lives at (`None` for routes
    /// without a target). Any one node within the caller's reach suffices.
    pub fn decide(&self, principal: Option<&Principal>, targets: Option<&[OrgPath]>) -> Decision {
        match targets {
            None => decide(self.access, principal, None),
            Some(_) if principal.is_none() => decide(self.access, None, None),
            Some(paths) => {
                if paths.iter().any(|p| decide(self.access, principal, Some(p)) == Decision::Allow) {
                    Decision::Allow
                } else {
                    Decision::Forbidden
                }
            }
        }
    }

    /// How this route's errors render.
    pub fn surface(&self) -> Surface {
        self.mount.surface
    }
}

/// Route specs by path pattern and method, for the guard and the error renderer.
#[derive(Debug, Default)]
pub struct RouteTable {
    by_path: HashMap<&'static str, Vec<RouteSpec>>,
    mounts: Vec<Mount>,
}

impl RouteTable {
    /// Indexes the specs.
    pub fn new(specs: impl IntoIterator<Item = RouteSpec>) -> Self {
        let mut by_path: HashMap<&'static str, Vec<RouteSpec>> = HashMap::new();
        let mut mounts: Vec<Mount> = Vec::new();
        for spec in specs {
            if !mounts.contains(&spec.mount) {
                mounts.push(spec.mount);
            }
            by_path.entry(spec.path).or_default().push(spec);
        }
        // Longest prefix first, so the most specific mount answers for a path.
        mounts.sort_by_key(|m| std::cmp::Reverse(m.prefix.len()));
        Self { by_path, mounts }
    }

    /// The spec for a matched route. `HEAD` is answered by the `GET` route.
    pub fn find(&self, method: &Method, path: &str) -> Option<&RouteSpec> {
        let method = if method == Method::HEAD { &Method::GET } else { method };
        self.by_path.get(path)?.iter().find(|s| s.method == *method)
    }

    /// The surface of whatever answers `path` (a request path, matched or not): the surface
    /// of the mount with the longest prefix it falls under, so that an unknown address under
    /// a JSON interface gets a JSON 404.
    pub fn surface_for_path(&self, path: &str) -> Surface {
        self.mounts
            .iter()
            .find(|m| !m.prefix.is_empty() && (path == m.prefix || path.starts_with(&format!("{}/", m.prefix))))
            .map_or(Surface::Page, |m| m.surface)
    }

    /// Every spec.
    pub fn all(&self) -> impl Iterator<Item = &RouteSpec> {
        self.by_path.values().flatten()
    }
}
