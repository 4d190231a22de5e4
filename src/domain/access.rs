//! Who may do what in a programme. One table, so every route asks the same question.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Manager,
    MeOfficer,
    Evaluator,
    Donor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Manager, Role::MeOfficer, Role::Evaluator, Role::Donor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::MeOfficer => "me_officer",
            Role::Evaluator => "evaluator",
            Role::Donor => "donor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Manager => "Programme manager",
            Role::MeOfficer => "Ministry M&E officer",
            Role::Evaluator => "Evaluator",
            Role::Donor => "Donor",
        }
    }
}

/// Things a user can do within one programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// The programme's dashboard and its issued reports.
    ViewDashboard,
    /// Everything recorded: indicator histories, values with who entered them, audit.
    ViewDetail,
    /// Enter and edit values, milestones and activities; submit for approval.
    Edit,
    /// Approve or return submissions; lock and unlock periods.
    Approve,
    /// Comparisons and CSV exports.
    Export,
    /// Preview and issue reports.
    IssueReports,
    /// Download issued reports.
    DownloadReports,
    /// Build and maintain the programme's phases, partners, results framework,
    /// indicators, targets and budget.
    Setup,
}

impl Permission {
    /// Whether using it changes the programme's figures or framework: refused once the
    /// programme is closed or archived.
    pub fn changes_figures(self) -> bool {
        matches!(
            self,
            Permission::Edit | Permission::Approve | Permission::Setup
        )
    }
}

/// The role table of the product: see the README's "Roles" section.
pub fn allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Manager => matches!(
            p,
            ViewDashboard | ViewDetail | Edit | Export | IssueReports | DownloadReports | Setup
        ),
        Role::MeOfficer => matches!(
            p,
            ViewDashboard | ViewDetail | Approve | Export | DownloadReports | Setup
        ),
        Role::Evaluator => matches!(p, ViewDashboard | ViewDetail | Export | DownloadReports),
        Role::Donor => matches!(p, ViewDashboard | DownloadReports),
    }
}

/// Whether any of `roles` allows `p`.
pub fn any_allows(roles: &[Role], p: Permission) -> bool {
    roles.iter().any(|r| allows(*r, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn the_role_table() {
        // (permission, manager, officer, evaluator, donor)
        let table = [
            (ViewDashboard, true, true, true, true),
            (ViewDetail, true, true, true, false),
            (Edit, true, false, false, false),
            (Approve, false, true, false, false),
            (Export, true, true, true, false),
            (IssueReports, true, false, false, false),
            (DownloadReports, true, true, true, true),
            (Setup, true, true, false, false),
        ];
        for (p, m, o, e, d) in table {
            assert_eq!(allows(Role::Manager, p), m, "manager {p:?}");
            assert_eq!(allows(Role::MeOfficer, p), o, "officer {p:?}");
            assert_eq!(allows(Role::Evaluator, p), e, "evaluator {p:?}");
            assert_eq!(allows(Role::Donor, p), d, "donor {p:?}");
        }
    }

    #[test]
    fn no_roles_allow_nothing_and_roles_combine() {
        assert!(!any_allows(&[], ViewDashboard));
        assert!(any_allows(&[Role::Donor, Role::MeOfficer], Approve));
    }

    #[test]
    fn words_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
