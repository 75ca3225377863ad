//! Every route, in one place, with what it requires of the caller.
//!
//! The router is built from [`routes`], and the access guard looks each request's route up in
//! the same list, so a route cannot exist without an access rule. To add a page: write the
//! handler under `handlers/`, then add one line here.

use crate::handlers::{account, api, assets, auth, health, home, orgs, outbox, people};
use crate::state::AppState;
use academy_core::OrgPath;
use academy_core::access::{Access, Decision, Permission, Principal, decide};
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
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
}

/// One route: method, path pattern and access rule.
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
}

const PUBLIC: Access = Access::Public;
const SIGNED_IN: Access = Access::SignedIn;
const fn may(permission: Permission) -> Access {
    Access::Permission(permission)
}

fn spec(method: Method, path: &'static str, access: Access, target: Target) -> RouteSpec {
    RouteSpec { method, path, access, target }
}

/// Every route of the application with its handler.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Method as M;
    use Permission::*;
    use Target::None as Anywhere;
    let org = Target::Org("id");
    vec![
        // Operations
        (spec(M::GET, "/healthz", PUBLIC, Anywhere), get(health::healthz)),
        (spec(M::GET, "/readyz", PUBLIC, Anywhere), get(health::readyz)),
        (spec(M::GET, "/metrics", PUBLIC, Anywhere), get(health::metrics)),
        (spec(M::GET, "/static/academy.css", PUBLIC, Anywhere), get(assets::stylesheet)),
        // Signing in and out
        (spec(M::GET, "/sign-in", PUBLIC, Anywhere), get(auth::show_sign_in)),
        (spec(M::POST, "/sign-in", PUBLIC, Anywhere), post(auth::sign_in)),
        (spec(M::POST, "/sign-out", PUBLIC, Anywhere), post(auth::sign_out)),
        (spec(M::GET, "/password/forgot", PUBLIC, Anywhere), get(auth::show_forgot_password)),
        (spec(M::POST, "/password/forgot", PUBLIC, Anywhere), post(auth::request_password_reset)),
        (spec(M::GET, "/password/reset/{token}", PUBLIC, Anywhere), get(auth::show_reset_password)),
        (spec(M::POST, "/password/reset/{token}", PUBLIC, Anywhere), post(auth::reset_password)),
        (spec(M::GET, "/invitations/{token}", PUBLIC, Anywhere), get(auth::show_invitation)),
        (spec(M::POST, "/invitations/{token}", PUBLIC, Anywhere), post(auth::accept_invitation)),
        // Everyone signed in
        (spec(M::GET, "/", SIGNED_IN, Anywhere), get(home::show_home)),
        (spec(M::GET, "/account", SIGNED_IN, Anywhere), get(account::show_account)),
        (spec(M::POST, "/account/password", SIGNED_IN, Anywhere), post(account::change_password)),
        // Administration of the organization tree and its people
        (spec(M::GET, "/admin/orgs", may(ViewOrgTree), Anywhere), get(orgs::list_orgs)),
        (spec(M::GET, "/admin/orgs/{id}", may(ViewOrgTree), org), get(orgs::show_org)),
        (spec(M::GET, "/admin/orgs/{id}/edit", may(ManageOrgs), org), get(orgs::edit_org)),
        (spec(M::POST, "/admin/orgs/{id}/edit", may(ManageOrgs), org), post(orgs::update_org)),
        (spec(M::GET, "/admin/orgs/{id}/children/new", may(ManageOrgs), org), get(orgs::new_child_org)),
        (spec(M::POST, "/admin/orgs/{id}/children/new", may(ManageOrgs), org), post(orgs::create_child_org)),
        (spec(M::GET, "/admin/orgs/{id}/members", may(ViewMembers), org), get(orgs::list_members)),
        (spec(M::GET, "/admin/orgs/{id}/invite", may(InviteUsers), org), get(orgs::show_invite)),
        (spec(M::POST, "/admin/orgs/{id}/invite", may(InviteUsers), org), post(orgs::invite_member)),
        (spec(M::POST, "/admin/orgs/{id}/grants", may(GrantRoles), org), post(orgs::grant_role)),
        (spec(M::GET, "/admin/people/{id}", may(ViewMembers), Target::Person("id")), get(people::show_person)),
        (spec(M::POST, "/admin/grants/{id}/revoke", may(GrantRoles), Target::Grant("id")), post(people::revoke_grant)),
        (spec(M::GET, "/admin/outbox", may(ReadOutbox), Anywhere), get(outbox::list_outbox)),
        (spec(M::GET, "/admin/outbox/{id}", may(ReadOutbox), Anywhere), get(outbox::show_outbox_message)),
        // JSON API
        (spec(M::GET, "/api/v1/openapi.json", PUBLIC, Anywhere), get(api::openapi_json)),
        (spec(M::GET, "/api/v1/me", SIGNED_IN, Anywhere), get(api::get_me)),
        (spec(M::GET, "/api/v1/orgs/{id}", may(ViewOrgTree), org), get(api::get_org)),
        (spec(M::GET, "/api/v1/orgs/{id}/children", may(ViewOrgTree), org), get(api::list_org_children)),
        (spec(M::POST, "/api/v1/orgs/{id}/children", may(ManageOrgs), org), post(api::create_org_child)),
        (spec(M::GET, "/api/v1/orgs/{id}/members", may(ViewMembers), org), get(api::list_org_members)),
        (spec(M::POST, "/api/v1/orgs/{id}/invitations", may(InviteUsers), org), post(api::create_invitation)),
    ]
}

/// Route specs by path pattern and method, for the guard.
#[derive(Debug, Default)]
pub struct RouteTable {
    by_path: HashMap<&'static str, Vec<RouteSpec>>,
}

impl RouteTable {
    /// Indexes the specs.
    pub fn new(specs: impl IntoIterator<Item = RouteSpec>) -> Self {
        let mut by_path: HashMap<&'static str, Vec<RouteSpec>> = HashMap::new();
        for spec in specs {
            by_path.entry(spec.path).or_default().push(spec);
        }
        Self { by_path }
    }

    /// The spec for a matched route. `HEAD` is answered by the `GET` route.
    pub fn find(&self, method: &Method, path: &str) -> Option<&RouteSpec> {
        let method = if method == Method::HEAD { &Method::GET } else { method };
        self.by_path.get(path)?.iter().find(|s| s.method == *method)
    }

    /// Every spec.
    pub fn all(&self) -> impl Iterator<Item = &RouteSpec> {
        self.by_path.values().flatten()
    }
}
