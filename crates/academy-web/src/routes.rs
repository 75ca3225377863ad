//! Every route, in one place, with what it requires of the caller.
//!
//! The router is built from [`routes`], and the access guard looks each request's route up in
//! the same list, so a route cannot exist without an access rule. To add a page: write the
//! handler under `handlers/`, then add one line here.

use crate::handlers::{
    account, api, assets, auth, author, catalog, credentials, health, home, my_learning, offers, orgs, outbox,
    pathways, people, people_import, player, reports, review, sessions,
};
use crate::route_spec::{Auths, Mount, RouteSpec, Target};
use crate::state::AppState;
use academy_core::access::{Access, Permission};
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

const PUBLIC: Access = Access::Public;
const SIGNED_IN: Access = Access::SignedIn;
const fn may(permission: Permission) -> Access {
    Access::Permission(permission)
}

/// The JSON API, signed in by cookie (with the CSRF header on unsafe methods).
const API: Mount = Mount::json("/api/v1", Auths::SESSION);

fn spec(method: Method, path: &'static str, access: Access, target: Target) -> RouteSpec {
    Mount::PAGES.route(method, path, access, target)
}

/// Every route of the application with its handler.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Method as M;
    use Permission::*;
    use Target::None as Anywhere;
    let org = Target::Org("id");
    let session = Target::Session("id");
    // Content is changed by authors at its owning organization.
    let item = Target::Item("slug");
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
        // Offers of a role or a cohort place, answered by the person offered (anyone else: 404)
        (spec(M::GET, "/offers/{id}", SIGNED_IN, Anywhere), get(offers::show_offer)),
        (spec(M::POST, "/offers/{id}/accept", SIGNED_IN, Anywhere), post(offers::accept_offer)),
        (spec(M::POST, "/offers/{id}/decline", SIGNED_IN, Anywhere), post(offers::decline_offer)),
        // Learning: the catalog, taking courses and labs, workshops, pathways
        (spec(M::GET, "/learn", SIGNED_IN, Anywhere), get(my_learning::show_my_learning)),
        (spec(M::GET, "/learn/catalog", SIGNED_IN, Anywhere), get(catalog::list_catalog)),
        (spec(M::GET, "/learn/items/{slug}", SIGNED_IN, Anywhere), get(catalog::show_item)),
        (spec(M::POST, "/learn/items/{slug}/enroll", SIGNED_IN, Anywhere), post(catalog::enroll_in_item)),
        (spec(M::POST, "/learn/items/{slug}/withdraw", SIGNED_IN, Anywhere), post(player::withdraw)),
        (spec(M::GET, "/learn/items/{slug}/continue", SIGNED_IN, Anywhere), get(player::continue_item)),
        (spec(M::GET, "/learn/items/{slug}/steps/{position}", SIGNED_IN, Anywhere), get(player::show_step)),
        (
            spec(M::POST, "/learn/items/{slug}/steps/{position}/complete", SIGNED_IN, Anywhere),
            post(player::complete_lesson),
        ),
        (
            spec(M::POST, "/learn/items/{slug}/steps/{position}/reflection", SIGNED_IN, Anywhere),
            post(player::submit_reflection),
        ),
        (spec(M::POST, "/learn/items/{slug}/steps/{position}/task", SIGNED_IN, Anywhere), post(player::submit_task)),
        (
            spec(M::POST, "/learn/items/{slug}/steps/{position}/attempts", SIGNED_IN, Anywhere),
            post(player::start_attempt),
        ),
        (
            spec(M::POST, "/learn/items/{slug}/steps/{position}/attempts/{attempt}", SIGNED_IN, Anywhere),
            post(player::submit_attempt),
        ),
        (spec(M::GET, "/learn/transcript", SIGNED_IN, Anywhere), get(my_learning::show_transcript)),
        (spec(M::GET, "/learn/transcript.csv", SIGNED_IN, Anywhere), get(my_learning::transcript_csv)),
        (spec(M::GET, "/learn/transcript.pdf", SIGNED_IN, Anywhere), get(my_learning::transcript_pdf)),
        (spec(M::GET, "/learn/calendar", SIGNED_IN, Anywhere), get(sessions::show_calendar)),
        (spec(M::POST, "/learn/calendar/reset", SIGNED_IN, Anywhere), post(sessions::reset_calendar)),
        (spec(M::GET, "/calendar/{file}", PUBLIC, Anywhere), get(sessions::calendar_feed)),
        (spec(M::GET, "/learn/pathways", SIGNED_IN, Anywhere), get(pathways::list_pathways)),
        (spec(M::GET, "/learn/pathways/{slug}", SIGNED_IN, Anywhere), get(pathways::show_pathway)),
        (spec(M::POST, "/learn/pathways/{slug}/join", SIGNED_IN, Anywhere), post(pathways::join_pathway)),
        (spec(M::GET, "/workshops/sessions/{id}", SIGNED_IN, Anywhere), get(sessions::show_session)),
        (spec(M::POST, "/workshops/sessions/{id}/register", SIGNED_IN, Anywhere), post(sessions::register_for_session)),
        (spec(M::POST, "/workshops/sessions/{id}/cancel", SIGNED_IN, Anywhere), post(sessions::cancel_registration)),
        (spec(M::POST, "/workshops/sessions/{id}/check-in", SIGNED_IN, Anywhere), post(sessions::check_in)),
        (spec(M::GET, "/workshops/sessions/{id}/calendar.ics", SIGNED_IN, Anywhere), get(sessions::session_calendar)),
        (spec(M::GET, "/workshops/sessions/{id}/roster", may(RunSessions), session), get(sessions::show_roster)),
        (
            spec(M::POST, "/workshops/sessions/{id}/attendance", may(RunSessions), session),
            post(sessions::take_attendance),
        ),
        (
            spec(M::POST, "/workshops/sessions/{id}/check-in-code", may(RunSessions), session),
            post(sessions::open_check_in),
        ),
        (spec(M::GET, "/cohorts/{id}", may(ViewMembers), Target::Cohort("id")), get(pathways::show_cohort)),
        (spec(M::GET, "/cohorts/{id}/review", may(ViewMembers), Target::Cohort("id")), get(review::show_cohort_review)),
        (
            spec(M::POST, "/cohorts/{id}/feedback", may(ViewMembers), Target::Cohort("id")),
            post(review::give_cohort_feedback),
        ),
        (spec(M::GET, "/workshops/sessions/{id}/review", may(RunSessions), session), get(review::show_session_review)),
        (
            spec(M::POST, "/workshops/sessions/{id}/feedback", may(RunSessions), session),
            post(review::give_session_feedback),
        ),
        (
            spec(M::POST, "/cohorts/{id}/members", may(ManageCohorts), Target::Cohort("id")),
            post(pathways::add_cohort_member),
        ),
        (spec(M::GET, "/admin/orgs/{id}/cohorts/new", may(ManageCohorts), org), get(pathways::new_cohort)),
        (spec(M::POST, "/admin/orgs/{id}/cohorts/new", may(ManageCohorts), org), post(pathways::create_cohort)),
        // Authoring
        (spec(M::GET, "/author", may(AuthorContent), Anywhere), get(author::show_author_home)),
        (spec(M::GET, "/author/items/new", may(AuthorContent), Anywhere), get(author::items::new_item)),
        (spec(M::POST, "/author/items/new", may(AuthorContent), Anywhere), post(author::items::create_item)),
        (spec(M::GET, "/author/items/{slug}", may(AuthorContent), item), get(author::items::show_author_item)),
        (spec(M::GET, "/author/items/{slug}/edit", may(AuthorContent), item), get(author::items::edit_item)),
        (spec(M::POST, "/author/items/{slug}/edit", may(AuthorContent), item), post(author::items::update_item)),
        (spec(M::POST, "/author/items/{slug}/status", may(AuthorContent), item), post(author::items::set_item_status)),
        (spec(M::GET, "/author/import", may(AuthorContent), Anywhere), get(author::content::show_import)),
        (
            spec(M::POST, "/author/import", may(AuthorContent), Anywhere),
            post(author::content::import_package).layer(DefaultBodyLimit::max(author::content::UPLOAD_LIMIT)),
        ),
        (
            spec(M::GET, "/author/items/{slug}/export.zip", may(AuthorContent), item),
            get(author::content::export_package),
        ),
        (spec(M::GET, "/author/items/{slug}/steps/new", may(AuthorContent), item), get(author::content::new_step)),
        (spec(M::POST, "/author/items/{slug}/steps/new", may(AuthorContent), item), post(author::content::create_step)),
        (
            spec(M::GET, "/author/items/{slug}/steps/{position}/edit", may(AuthorContent), item),
            get(author::content::edit_step),
        ),
        (
            spec(M::POST, "/author/items/{slug}/steps/{position}/edit", may(AuthorContent), item),
            post(author::content::update_step),
        ),
        (
            spec(M::POST, "/author/items/{slug}/steps/{position}/delete", may(AuthorContent), item),
            post(author::content::delete_step),
        ),
        (
            spec(M::GET, "/author/items/{slug}/sessions/new", may(RunSessions), Anywhere),
            get(author::sessions::new_session),
        ),
        (
            spec(M::POST, "/author/items/{slug}/sessions/new", may(RunSessions), Anywhere),
            post(author::sessions::create_session),
        ),
        (
            spec(M::POST, "/author/sessions/{id}/cancel", may(RunSessions), session),
            post(author::sessions::cancel_session),
        ),
        (spec(M::GET, "/author/sessions/{id}/edit", may(RunSessions), session), get(author::sessions::edit_session)),
        (
            spec(M::POST, "/author/sessions/{id}/edit", may(RunSessions), session),
            post(author::sessions::update_session),
        ),
        (spec(M::GET, "/author/pathways/new", may(AuthorContent), Anywhere), get(author::pathways::new_pathway)),
        (spec(M::POST, "/author/pathways/new", may(AuthorContent), Anywhere), post(author::pathways::create_pathway)),
        (
            spec(M::GET, "/author/pathways/{slug}/edit", may(AuthorContent), Target::Pathway("slug")),
            get(author::pathways::edit_pathway),
        ),
        (
            spec(M::POST, "/author/pathways/{slug}/edit", may(AuthorContent), Target::Pathway("slug")),
            post(author::pathways::update_pathway),
        ),
        // Credentials
        (spec(M::GET, "/credentials/{id}", PUBLIC, Anywhere), get(credentials::show_credential)),
        (spec(M::GET, "/credentials/{id}/credential.json", PUBLIC, Anywhere), get(credentials::credential_json)),
        (spec(M::GET, "/credentials/{id}/certificate.pdf", PUBLIC, Anywhere), get(credentials::certificate_pdf)),
        (spec(M::GET, "/status-lists/{id}", PUBLIC, Anywhere), get(credentials::status_list)),
        (spec(M::GET, "/.well-known/did.json", PUBLIC, Anywhere), get(credentials::did_document)),
        (spec(M::GET, "/admin/credentials", may(ManageCredentials), Anywhere), get(credentials::list_credentials)),
        (
            spec(M::POST, "/admin/credentials/{id}/revoke", may(ManageCredentials), Anywhere),
            post(credentials::revoke_credential),
        ),
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
        (spec(M::GET, "/admin/orgs/{id}/people/import", may(InviteUsers), org), get(people_import::show_people_import)),
        (spec(M::POST, "/admin/orgs/{id}/people/import", may(InviteUsers), org), post(people_import::import_people)),
        (
            spec(M::POST, "/admin/people/{id}/invitation", may(InviteUsers), Target::Person("id")),
            post(people_import::resend_invitation),
        ),
        (spec(M::GET, "/admin/people/{id}", may(ViewMembers), Target::Person("id")), get(people::show_person)),
        (spec(M::POST, "/admin/grants/{id}/revoke", may(GrantRoles), Target::Grant("id")), post(people::revoke_grant)),
        (spec(M::GET, "/admin/outbox", may(ReadOutbox), Anywhere), get(outbox::list_outbox)),
        // Program reports, scoped by the use case to where the viewer may see aggregates
        (spec(M::GET, "/admin/reports", may(ViewAggregates), Anywhere), get(reports::show_report)),
        (spec(M::GET, "/admin/reports.csv", may(ViewAggregates), Anywhere), get(reports::report_csv)),
        (spec(M::GET, "/admin/outbox/{id}", may(ReadOutbox), Anywhere), get(outbox::show_outbox_message)),
        // JSON API
        (API.route(M::GET, "/api/v1/openapi.json", PUBLIC, Anywhere), get(api::openapi_json)),
        (API.route(M::GET, "/api/v1/me", SIGNED_IN, Anywhere), get(api::get_me)),
        (API.route(M::GET, "/api/v1/orgs/{id}", may(ViewOrgTree), org), get(api::get_org)),
        (API.route(M::GET, "/api/v1/orgs/{id}/children", may(ViewOrgTree), org), get(api::list_org_children)),
        (API.route(M::POST, "/api/v1/orgs/{id}/children", may(ManageOrgs), org), post(api::create_org_child)),
        (API.route(M::GET, "/api/v1/orgs/{id}/members", may(ViewMembers), org), get(api::list_org_members)),
        (API.route(M::POST, "/api/v1/orgs/{id}/invitations", may(InviteUsers), org), post(api::create_invitation)),
        (API.route(M::GET, "/api/v1/orgs", may(ViewOrgTree), Anywhere), get(api::people::search_orgs)),
        (
            API.route(M::GET, "/api/v1/people/{id}", may(ViewMembers), Target::Person("id")),
            get(api::people::get_person),
        ),
        (API.route(M::GET, "/api/v1/catalog", SIGNED_IN, Anywhere), get(api::catalog::list_catalog_items)),
        (API.route(M::GET, "/api/v1/catalog/{slug}", SIGNED_IN, Anywhere), get(api::catalog::get_catalog_item)),
        (API.route(M::GET, "/api/v1/me/learning", SIGNED_IN, Anywhere), get(api::learning::get_my_learning)),
        (API.route(M::GET, "/api/v1/me/transcript", SIGNED_IN, Anywhere), get(api::learning::get_my_transcript)),
        (API.route(M::GET, "/api/v1/me/credentials", SIGNED_IN, Anywhere), get(api::learning::list_my_credentials)),
        (
            API.route(M::GET, "/api/v1/credentials", may(ManageCredentials), Anywhere),
            get(api::credentials::list_credentials),
        ),
        (API.route(M::GET, "/api/v1/credentials/{id}", PUBLIC, Anywhere), get(api::credentials::get_credential)),
        (
            API.route(M::GET, "/api/v1/reports/program", may(ViewAggregates), Anywhere),
            get(api::reports::get_program_report),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route_spec::{RouteTable, Surface};
    use academy_core::OrgPath;
    use academy_core::access::{Decision, Grant, Principal, Role};
    use std::collections::BTreeMap;

    /// The people the table is written for, each with one role at one node:
    /// national `/1/`, Texas `/1/2/`, a Texas district `/1/2/3/`, a school there `/1/2/3/4/`.
    fn personas() -> Vec<(&'static str, Option<Principal>)> {
        let at = |role: Role, path: &str| {
            let org_path = OrgPath::try_from(path.to_owned()).expect("path");
            Some(Principal { user_id: 1, grants: vec![Grant { role, org_id: org_path.id().unwrap_or(0), org_path }] })
        };
        vec![
            ("anonymous", None),
            ("teacher", at(Role::Teacher, "/1/2/3/4/")),
            ("facilitator", at(Role::Facilitator, "/1/2/3/")),
            ("org-admin", at(Role::OrgAdmin, "/1/2/")),
            ("program-admin", at(Role::ProgramAdmin, "/1/")),
            ("researcher", at(Role::Researcher, "/1/")),
        ]
    }

    fn letter(decision: Decision) -> char {
        match decision {
            Decision::Allow => 'A',
            Decision::Forbidden => 'F',
            Decision::SignInRequired => 'S',
        }
    }

    /// Every route, every role: the decision for a target inside every persona's reach (the
    /// school) and for one outside all but the national roles (Ohio, `/1/9/`), written
    /// `inside/outside` per persona in the order anonymous, teacher, facilitator, org admin,
    /// program admin, researcher. A route without a target has one letter per persona.
    /// A route added without a line here fails the test.
    #[test]
    fn every_route_for_every_role() {
        let expected: BTreeMap<&str, &str> = [
            ("GET /healthz", "A A A A A A"),
            ("GET /readyz", "A A A A A A"),
            ("GET /metrics", "A A A A A A"),
            ("GET /static/academy.css", "A A A A A A"),
            ("GET /sign-in", "A A A A A A"),
            ("POST /sign-in", "A A A A A A"),
            ("POST /sign-out", "A A A A A A"),
            ("GET /password/forgot", "A A A A A A"),
            ("POST /password/forgot", "A A A A A A"),
            ("GET /password/reset/{token}", "A A A A A A"),
            ("POST /password/reset/{token}", "A A A A A A"),
            ("GET /invitations/{token}", "A A A A A A"),
            ("POST /invitations/{token}", "A A A A A A"),
            ("GET /", "S A A A A A"),
            ("GET /account", "S A A A A A"),
            ("POST /account/password", "S A A A A A"),
            ("GET /offers/{id}", "S A A A A A"),
            ("POST /offers/{id}/accept", "S A A A A A"),
            ("POST /offers/{id}/decline", "S A A A A A"),
            ("GET /admin/orgs", "S F F A A F"),
            ("GET /admin/orgs/{id}", "S/S F/F F/F A/F A/A F/F"),
            ("GET /admin/orgs/{id}/edit", "S/S F/F F/F A/F A/A F/F"),
            ("POST /admin/orgs/{id}/edit", "S/S F/F F/F A/F A/A F/F"),
            ("GET /admin/orgs/{id}/children/new", "S/S F/F F/F A/F A/A F/F"),
            ("POST /admin/orgs/{id}/children/new", "S/S F/F F/F A/F A/A F/F"),
            ("GET /admin/orgs/{id}/members", "S/S F/F A/F A/F A/A F/F"),
            ("GET /admin/orgs/{id}/invite", "S/S F/F F/F A/F A/A F/F"),
            ("POST /admin/orgs/{id}/invite", "S/S F/F F/F A/F A/A F/F"),
            ("POST /admin/orgs/{id}/grants", "S/S F/F F/F A/F A/A F/F"),
            ("GET /admin/orgs/{id}/people/import", "S/S F/F F/F A/F A/A F/F"),
            ("POST /admin/orgs/{id}/people/import", "S/S F/F F/F A/F A/A F/F"),
            ("POST /admin/people/{id}/invitation", "S/S F/F F/F A/F A/A F/F"),
            ("GET /admin/people/{id}", "S/S F/F A/F A/F A/A F/F"),
            ("POST /admin/grants/{id}/revoke", "S/S F/F F/F A/F A/A F/F"),
            ("GET /admin/outbox", "S F F F A F"),
            ("GET /admin/outbox/{id}", "S F F F A F"),
            ("GET /admin/reports", "S F F A A A"),
            ("GET /admin/reports.csv", "S F F A A A"),
            ("GET /api/v1/openapi.json", "A A A A A A"),
            ("GET /api/v1/me", "S A A A A A"),
            ("GET /api/v1/orgs/{id}", "S/S F/F F/F A/F A/A F/F"),
            ("GET /api/v1/orgs/{id}/children", "S/S F/F F/F A/F A/A F/F"),
            ("POST /api/v1/orgs/{id}/children", "S/S F/F F/F A/F A/A F/F"),
            ("GET /api/v1/orgs/{id}/members", "S/S F/F A/F A/F A/A F/F"),
            ("POST /api/v1/orgs/{id}/invitations", "S/S F/F F/F A/F A/A F/F"),
            ("GET /api/v1/orgs", "S F F A A F"),
            ("GET /api/v1/people/{id}", "S/S F/F A/F A/F A/A F/F"),
            ("GET /api/v1/catalog", "S A A A A A"),
            ("GET /api/v1/catalog/{slug}", "S A A A A A"),
            ("GET /api/v1/me/learning", "S A A A A A"),
            ("GET /api/v1/me/transcript", "S A A A A A"),
            ("GET /api/v1/me/credentials", "S A A A A A"),
            ("GET /api/v1/credentials", "S F F F A F"),
            ("GET /api/v1/credentials/{id}", "A A A A A A"),
            ("GET /api/v1/reports/program", "S F F A A A"),
            ("GET /learn", "S A A A A A"),
            ("GET /credentials/{id}", "A A A A A A"),
            ("GET /credentials/{id}/credential.json", "A A A A A A"),
            ("GET /credentials/{id}/certificate.pdf", "A A A A A A"),
            ("GET /status-lists/{id}", "A A A A A A"),
            ("GET /.well-known/did.json", "A A A A A A"),
            ("GET /admin/credentials", "S F F F A F"),
            ("POST /admin/credentials/{id}/revoke", "S F F F A F"),
            ("GET /author", "S F A A A F"),
            ("GET /author/items/new", "S F A A A F"),
            ("POST /author/items/new", "S F A A A F"),
            ("GET /author/items/{slug}", "S/S F/F A/F A/F A/A F/F"),
            ("GET /author/items/{slug}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("POST /author/items/{slug}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("POST /author/items/{slug}/status", "S/S F/F A/F A/F A/A F/F"),
            ("GET /author/import", "S F A A A F"),
            ("POST /author/import", "S F A A A F"),
            ("GET /author/items/{slug}/export.zip", "S/S F/F A/F A/F A/A F/F"),
            ("GET /author/items/{slug}/steps/new", "S/S F/F A/F A/F A/A F/F"),
            ("POST /author/items/{slug}/steps/new", "S/S F/F A/F A/F A/A F/F"),
            ("GET /author/items/{slug}/steps/{position}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("POST /author/items/{slug}/steps/{position}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("POST /author/items/{slug}/steps/{position}/delete", "S/S F/F A/F A/F A/A F/F"),
            ("GET /author/items/{slug}/sessions/new", "S F A A A F"),
            ("POST /author/items/{slug}/sessions/new", "S F A A A F"),
            ("POST /author/sessions/{id}/cancel", "S/S F/F A/F A/F A/A F/F"),
            ("GET /author/sessions/{id}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("POST /author/sessions/{id}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("GET /author/pathways/new", "S F A A A F"),
            ("POST /author/pathways/new", "S F A A A F"),
            ("GET /author/pathways/{slug}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("POST /author/pathways/{slug}/edit", "S/S F/F A/F A/F A/A F/F"),
            ("GET /learn/catalog", "S A A A A A"),
            ("GET /learn/items/{slug}", "S A A A A A"),
            ("POST /learn/items/{slug}/enroll", "S A A A A A"),
            ("POST /learn/items/{slug}/withdraw", "S A A A A A"),
            ("GET /learn/items/{slug}/continue", "S A A A A A"),
            ("GET /learn/items/{slug}/steps/{position}", "S A A A A A"),
            ("POST /learn/items/{slug}/steps/{position}/complete", "S A A A A A"),
            ("POST /learn/items/{slug}/steps/{position}/reflection", "S A A A A A"),
            ("POST /learn/items/{slug}/steps/{position}/task", "S A A A A A"),
            ("POST /learn/items/{slug}/steps/{position}/attempts", "S A A A A A"),
            ("POST /learn/items/{slug}/steps/{position}/attempts/{attempt}", "S A A A A A"),
            ("GET /learn/transcript", "S A A A A A"),
            ("GET /learn/transcript.csv", "S A A A A A"),
            ("GET /learn/transcript.pdf", "S A A A A A"),
            ("GET /learn/calendar", "S A A A A A"),
            ("POST /learn/calendar/reset", "S A A A A A"),
            ("GET /calendar/{file}", "A A A A A A"),
            ("GET /learn/pathways", "S A A A A A"),
            ("GET /learn/pathways/{slug}", "S A A A A A"),
            ("POST /learn/pathways/{slug}/join", "S A A A A A"),
            ("GET /workshops/sessions/{id}", "S A A A A A"),
            ("POST /workshops/sessions/{id}/register", "S A A A A A"),
            ("POST /workshops/sessions/{id}/cancel", "S A A A A A"),
            ("POST /workshops/sessions/{id}/check-in", "S A A A A A"),
            ("GET /workshops/sessions/{id}/calendar.ics", "S A A A A A"),
            ("GET /workshops/sessions/{id}/roster", "S/S F/F A/F A/F A/A F/F"),
            ("POST /workshops/sessions/{id}/attendance", "S/S F/F A/F A/F A/A F/F"),
            ("POST /workshops/sessions/{id}/check-in-code", "S/S F/F A/F A/F A/A F/F"),
            ("GET /cohorts/{id}", "S/S F/F A/F A/F A/A F/F"),
            ("GET /cohorts/{id}/review", "S/S F/F A/F A/F A/A F/F"),
            ("POST /cohorts/{id}/feedback", "S/S F/F A/F A/F A/A F/F"),
            ("GET /workshops/sessions/{id}/review", "S/S F/F A/F A/F A/A F/F"),
            ("POST /workshops/sessions/{id}/feedback", "S/S F/F A/F A/F A/A F/F"),
            ("POST /cohorts/{id}/members", "S/S F/F F/F A/F A/A F/F"),
            ("GET /admin/orgs/{id}/cohorts/new", "S/S F/F F/F A/F A/A F/F"),
            ("POST /admin/orgs/{id}/cohorts/new", "S/S F/F F/F A/F A/A F/F"),
        ]
        .into_iter()
        .collect();
        let inside = [OrgPath::try_from("/1/2/3/4/".to_owned()).expect("path")];
        let outside = [OrgPath::try_from("/1/9/".to_owned()).expect("path")];
        let mut actual = BTreeMap::new();
        for (spec, _) in routes() {
            let cells: Vec<String> = personas()
                .iter()
                .map(|(_, principal)| {
                    let p = principal.as_ref();
                    match spec.target {
                        Target::None => letter(spec.decide(p, None)).to_string(),
                        _ => format!(
                            "{}/{}",
                            letter(spec.decide(p, Some(&inside))),
                            letter(spec.decide(p, Some(&outside)))
                        ),
                    }
                })
                .collect();
            let key = format!("{} {}", spec.method, spec.path);
            assert!(actual.insert(key.clone(), cells.join(" ")).is_none(), "{key} is routed twice");
        }
        let mut problems = Vec::new();
        for (route, got) in &actual {
            match expected.get(route.as_str()) {
                None => problems.push(format!("{route}: not in the expected table (got {got})")),
                Some(want) if want != got => problems.push(format!("{route}: expected {want}, got {got}")),
                Some(_) => {}
            }
        }
        for route in expected.keys() {
            if !actual.contains_key(*route) {
                problems.push(format!("{route}: in the table but not routed"));
            }
        }
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }

    /// The cross-scope writes the issue found, as decisions: content owned by the national root
    /// is changed by no one below it (a district facilitator archived a national course), and
    /// a session hosted in Ohio, or a role or cohort place there, is not Texas's to touch.
    #[test]
    fn cross_scope_writes_are_refused() {
        let national = [OrgPath::try_from("/1/".to_owned()).expect("path")];
        let ohio = [OrgPath::try_from("/1/9/".to_owned()).expect("path")];
        let people: BTreeMap<&str, Option<Principal>> = personas().into_iter().collect();
        let decide = |route: &str, who: &str, at: &[OrgPath]| {
            let (method, path) = route.split_once(' ').expect("route");
            let spec = routes()
                .into_iter()
                .map(|(s, _)| s)
                .find(|s| s.method.as_str() == method && s.path == path)
                .unwrap_or_else(|| panic!("{route} is routed"));
            letter(spec.decide(people[who].as_ref(), Some(at)))
        };
        let content_writes = [
            "POST /author/items/{slug}/status",
            "POST /author/items/{slug}/edit",
            "POST /author/items/{slug}/steps/new",
            "POST /author/items/{slug}/steps/{position}/edit",
            "POST /author/items/{slug}/steps/{position}/delete",
            "POST /author/pathways/{slug}/edit",
        ];
        for route in content_writes {
            assert_eq!(
                decide(route, "facilitator", &national),
                'F',
                "{route}: a district facilitator, national content"
            );
            assert_eq!(decide(route, "org-admin", &national), 'F', "{route}: a state admin, national content");
            assert_eq!(decide(route, "program-admin", &national), 'A', "{route}: the program admin");
        }
        for route in [
            "POST /author/sessions/{id}/edit",
            "POST /author/sessions/{id}/cancel",
            "POST /admin/orgs/{id}/grants",
            "POST /cohorts/{id}/members",
        ] {
            assert_eq!(decide(route, "org-admin", &ohio), 'F', "{route}: Texas's admin in Ohio");
        }
    }

    #[test]
    fn metadata_not_the_path_decides_the_surface() {
        let table = RouteTable::new(routes().into_iter().map(|(s, _)| s));
        for spec in table.all() {
            assert!(spec.path.starts_with(spec.mount.prefix), "{} lies outside its mount", spec.path);
        }
        assert_eq!(table.find(&Method::GET, "/api/v1/me").map(|s| s.surface()), Some(Surface::Json));
        assert_eq!(table.find(&Method::GET, "/learn").map(|s| s.surface()), Some(Surface::Page));
        assert_eq!(table.surface_for_path("/api/v1/nothing-here"), Surface::Json);
        assert_eq!(table.surface_for_path("/api/v1"), Surface::Json);
        assert_eq!(table.surface_for_path("/api/v10"), Surface::Page, "a prefix, not a string start");
        assert_eq!(table.surface_for_path("/nothing-here"), Surface::Page);
    }

    #[test]
    fn the_table_finds_each_route_and_head_follows_get() {
        let table = RouteTable::new(routes().into_iter().map(|(s, _)| s));
        assert_eq!(table.all().count(), routes().len());
        assert!(table.find(&Method::GET, "/admin/orgs/{id}").is_some());
        assert!(table.find(&Method::HEAD, "/admin/orgs/{id}").is_some());
        assert!(table.find(&Method::DELETE, "/admin/orgs/{id}").is_none());
        assert!(table.find(&Method::GET, "/admin/orgs/7").is_none(), "patterns, not paths");
    }
}
