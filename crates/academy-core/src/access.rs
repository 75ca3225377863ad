//! Identity and access: roles granted on a node of the organization tree, the permissions each
//! role carries, and [`decide`], the single rule every route goes through.
//!
//! A role applies to the node it was granted on and everything below it, and nowhere else.

use crate::org::OrgPath;
use strum::{EnumIter, EnumString, IntoStaticStr};

/// A role a person holds on a node.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, EnumString, IntoStaticStr, serde::Serialize,
)]
#[strum(serialize_all = "kebab-case")]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Takes PD and uses the classroom tools.
    Teacher,
    /// Runs workshops and follows cohorts.
    Facilitator,
    /// Administers a state federation, local or district: members, offerings, reports.
    OrgAdmin,
    /// Runs the national program: catalog, credentials, everything below its node.
    ProgramAdmin,
    /// Reads de-identified aggregates for independent evaluation.
    Researcher,
}

impl Role {
    /// The stored and CLI form (`program-admin`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// How the role reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Teacher => "Teacher",
            Self::Facilitator => "Facilitator",
            Self::OrgAdmin => "Organization admin",
            Self::ProgramAdmin => "Program admin",
            Self::Researcher => "Researcher",
        }
    }

    /// Whether this role carries `permission`.
    pub fn permits(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Self::Teacher => false,
            Self::Facilitator => matches!(permission, ViewMembers | AuthorContent | RunSessions),
            Self::OrgAdmin => matches!(
                permission,
                ViewOrgTree
                    | ManageOrgs
                    | ViewMembers
                    | InviteUsers
                    | GrantRoles
                    | ViewAggregates
                    | AuthorContent
                    | RunSessions
                    | ManageCohorts
            ),
            Self::ProgramAdmin => true,
            Self::Researcher => matches!(permission, ViewAggregates),
        }
    }

    /// The roles a holder of this role may grant to others, within its scope. Nobody can hand
    /// out more than they hold: an org admin cannot make a program admin or a researcher.
    pub fn may_grant(self, role: Role) -> bool {
        match self {
            Self::ProgramAdmin => true,
            Self::OrgAdmin => matches!(role, Role::Teacher | Role::Facilitator | Role::OrgAdmin),
            Self::Teacher | Self::Facilitator | Self::Researcher => false,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse().map_err(|_| {
            format!("'{value}' is not a role; use teacher, facilitator, org-admin, program-admin or researcher.")
        })
    }
}

/// Something a person may be allowed to do at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, IntoStaticStr, serde::Serialize)]
#[strum(serialize_all = "snake_case")]
pub enum Permission {
    /// Browse the organization tree.
    ViewOrgTree,
    /// Create and edit organizations.
    ManageOrgs,
    /// See the people at a node.
    ViewMembers,
    /// Invite people to the program.
    InviteUsers,
    /// Grant and revoke roles (within [`Role::may_grant`]).
    GrantRoles,
    /// Read the mail outbox (it holds password-reset links).
    ReadOutbox,
    /// See aggregate, small-cell-suppressed counts.
    ViewAggregates,
    /// Create and edit courses, labs, workshops and pathways.
    AuthorContent,
    /// Run workshop sessions hosted at a node: rosters, attendance, check-in codes.
    RunSessions,
    /// Create cohorts at a node and manage their members.
    ManageCohorts,
    /// Revoke credentials and list every credential issued.
    ManageCredentials,
}

/// One role on one node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The node it was granted on.
    pub org_id: i64,
    /// Where that node sits.
    pub org_path: OrgPath,
}

/// A signed-in person as access rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's id.
    pub user_id: i64,
    /// Every role they hold.
    pub grants: Vec<Grant>,
}

impl Principal {
    /// Whether some role of theirs carries `permission` at `target`.
    pub fn can(&self, permission: Permission, target: &OrgPath) -> bool {
        self.grants.iter().any(|g| g.role.permits(permission) && g.org_path.contains(target))
    }

    /// Whether some role of theirs carries `permission` anywhere.
    pub fn can_somewhere(&self, permission: Permission) -> bool {
        self.grants.iter().any(|g| g.role.permits(permission))
    }

    /// The top-most nodes at which `permission` holds (a node below another is left out).
    pub fn scopes(&self, permission: Permission) -> Vec<&Grant> {
        let holding: Vec<&Grant> = self.grants.iter().filter(|g| g.role.permits(permission)).collect();
        let mut tops: Vec<&Grant> = holding
            .iter()
            .copied()
            .filter(|g| !holding.iter().any(|o| o.org_path != g.org_path && o.org_path.contains(&g.org_path)))
            .collect();
        tops.sort_by(|a, b| a.org_path.as_str().cmp(b.org_path.as_str()));
        tops.dedup_by(|a, b| a.org_path == b.org_path);
        tops
    }

    /// Whether they may grant `role` on the node at `target`.
    pub fn can_grant(&self, role: Role, target: &OrgPath) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.permits(Permission::GrantRoles) && g.role.may_grant(role) && g.org_path.contains(target))
    }

    /// Whether a person whose places in the tree (school, local, the nodes of their roles) are
    /// `places` lies inside the part of the tree where this principal holds `permission`. A
    /// person with no place at all counts as being at the national root, where only national
    /// roles reach. Someone outside is not the principal's to change directly: a role or a
    /// cohort place for them is an offer they accept.
    pub fn reaches(&self, permission: Permission, places: &[OrgPath], root: &OrgPath) -> bool {
        if places.is_empty() {
            return self.can(permission, root);
        }
        places.iter().any(|place| self.can(permission, place))
    }

    /// Whether they hold `role` anywhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

/// What a route requires of whoever calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// A role carrying this permission: at the route's target node when it has one, otherwise
    /// somewhere (the handler then narrows what it shows to [`Principal::scopes`]).
    Permission(Permission),
}

/// The outcome of an access check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Nobody is signed in; ask them to.
    SignInRequired,
    /// Signed in, but not allowed.
    Forbidden,
}

/// Decides whether `principal` (or an anonymous visitor) may use a route requiring `access`,
/// aimed at the node `target` when the route has one.
pub fn decide(access: Access, principal: Option<&Principal>, target: Option<&OrgPath>) -> Decision {
    match (access, principal) {
        (Access::Public, _) => Decision::Allow,
        (_, None) => Decision::SignInRequired,
        (Access::SignedIn, Some(_)) => Decision::Allow,
        (Access::Permission(permission), Some(p)) => {
            let allowed = match target {
                Some(node) => p.can(permission, node),
                None => p.can_somewhere(permission),
            };
            if allowed { Decision::Allow } else { Decision::Forbidden }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    fn principal(role: Role, path: &OrgPath) -> Principal {
        Principal { user_id: 1, grants: vec![Grant { role, org_id: path.id().unwrap_or(0), org_path: path.clone() }] }
    }

    /// Every role × every permission, written out so that a change to the policy is a change
    /// to this table too.
    #[test]
    fn role_permission_matrix() {
        use Permission::*;
        let expected: &[(Role, &[Permission])] = &[
            (Role::Teacher, &[]),
            (Role::Facilitator, &[ViewMembers, AuthorContent, RunSessions]),
            (
                Role::OrgAdmin,
                &[
                    ViewOrgTree,
                    ManageOrgs,
                    ViewMembers,
                    InviteUsers,
                    GrantRoles,
                    ViewAggregates,
                    AuthorContent,
                    RunSessions,
                    ManageCohorts,
                ],
            ),
            (
                Role::ProgramAdmin,
                &[
                    ViewOrgTree,
                    ManageOrgs,
                    ViewMembers,
                    InviteUsers,
                    GrantRoles,
                    ReadOutbox,
                    ViewAggregates,
                    AuthorContent,
                    RunSessions,
                    ManageCohorts,
                    ManageCredentials,
                ],
            ),
            (Role::Researcher, &[ViewAggregates]),
        ];
        assert_eq!(expected.len(), Role::iter().count());
        for (role, allowed) in expected {
            for permission in Permission::iter() {
                assert_eq!(role.permits(permission), allowed.contains(&permission), "{role:?} / {permission:?}");
            }
        }
    }

    #[test]
    fn roles_apply_at_and_below_their_node_only() {
        let national = OrgPath::root(1);
        let texas = national.child(2);
        let austin_local = texas.child(3);
        let school = austin_local.child(4);
        let ohio = national.child(5);
        let admin = principal(Role::OrgAdmin, &texas);
        assert!(admin.can(Permission::ManageOrgs, &texas));
        assert!(admin.can(Permission::ManageOrgs, &school));
        assert!(!admin.can(Permission::ManageOrgs, &national));
        assert!(!admin.can(Permission::ManageOrgs, &ohio));
        assert!(!admin.can(Permission::ReadOutbox, &texas));
    }

    #[test]
    fn granting_is_capped_by_the_granter_role_and_scope() {
        let national = OrgPath::root(1);
        let texas = national.child(2);
        let ohio = national.child(5);
        let admin = principal(Role::OrgAdmin, &texas);
        assert!(admin.can_grant(Role::Teacher, &texas.child(9)));
        assert!(admin.can_grant(Role::OrgAdmin, &texas));
        assert!(!admin.can_grant(Role::ProgramAdmin, &texas));
        assert!(!admin.can_grant(Role::Researcher, &texas));
        assert!(!admin.can_grant(Role::Teacher, &ohio));
        let program = principal(Role::ProgramAdmin, &national);
        for role in Role::iter() {
            assert!(program.can_grant(role, &ohio));
        }
        let teacher = principal(Role::Teacher, &national);
        assert!(Role::iter().all(|r| !teacher.can_grant(r, &texas)));
    }

    #[test]
    fn a_person_is_inside_when_one_of_their_places_is() {
        let national = OrgPath::root(1);
        let texas = national.child(2);
        let texas_school = texas.child(3).child(4);
        let ohio_school = national.child(5).child(6).child(7);
        let admin = principal(Role::OrgAdmin, &texas);
        assert!(admin.reaches(Permission::GrantRoles, std::slice::from_ref(&texas_school), &national));
        assert!(!admin.reaches(Permission::GrantRoles, std::slice::from_ref(&ohio_school), &national));
        assert!(
            admin.reaches(Permission::GrantRoles, &[ohio_school.clone(), texas_school.clone()], &national),
            "an Ohio teacher who also holds a role in Texas is Texas's too"
        );
        assert!(
            !admin.reaches(Permission::GrantRoles, std::slice::from_ref(&national), &national),
            "a national role is not Texas's"
        );
        assert!(!admin.reaches(Permission::GrantRoles, &[], &national), "nobody's person is at the root");
        let program = principal(Role::ProgramAdmin, &national);
        assert!(program.reaches(Permission::GrantRoles, &[], &national));
        assert!(program.reaches(Permission::GrantRoles, &[ohio_school], &national));
        let facilitator = principal(Role::Facilitator, &texas);
        assert!(!facilitator.reaches(Permission::GrantRoles, &[texas_school], &national), "the permission counts");
    }

    #[test]
    fn decide_covers_anonymous_signed_in_and_scoped() {
        let national = OrgPath::root(1);
        let texas = national.child(2);
        let ohio = national.child(5);
        let admin = principal(Role::OrgAdmin, &texas);
        let manage = Access::Permission(Permission::ManageOrgs);
        assert_eq!(decide(Access::Public, None, None), Decision::Allow);
        assert_eq!(decide(Access::SignedIn, None, None), Decision::SignInRequired);
        assert_eq!(decide(manage, None, Some(&texas)), Decision::SignInRequired);
        assert_eq!(decide(Access::SignedIn, Some(&admin), None), Decision::Allow);
        assert_eq!(decide(manage, Some(&admin), None), Decision::Allow);
        assert_eq!(decide(manage, Some(&admin), Some(&texas)), Decision::Allow);
        assert_eq!(decide(manage, Some(&admin), Some(&ohio)), Decision::Forbidden);
        let teacher = principal(Role::Teacher, &texas);
        assert_eq!(decide(manage, Some(&teacher), None), Decision::Forbidden);
    }

    #[test]
    fn scopes_keep_only_top_nodes() {
        let national = OrgPath::root(1);
        let texas = national.child(2);
        let local = texas.child(3);
        let ohio = national.child(5);
        let p = Principal {
            user_id: 1,
            grants: vec![
                Grant { role: Role::OrgAdmin, org_id: 3, org_path: local.clone() },
                Grant { role: Role::OrgAdmin, org_id: 2, org_path: texas.clone() },
                Grant { role: Role::Facilitator, org_id: 5, org_path: ohio.clone() },
            ],
        };
        let tops: Vec<&OrgPath> = p.scopes(Permission::ViewMembers).into_iter().map(|g| &g.org_path).collect();
        assert_eq!(tops, vec![&texas, &ohio]);
        assert!(p.scopes(Permission::ReadOutbox).is_empty());
    }
}
