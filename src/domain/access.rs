//! Who may change a lead: the one rule that mail commands (note lines,
//! plus tags, `crm+lead-N@`), digest replies and the CLI's `--as` obey.

use serde::Deserialize;

/// A rep's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and changes everything.
    Admin,
    /// Sees and changes their team's leads.
    TeamLead,
    /// Sees and changes their own leads.
    User,
}

impl Role {
    /// The stable text name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::TeamLead => "team_lead",
            Role::User => "user",
        }
    }

    /// The role with this text name.
    pub fn parse(text: &str) -> Option<Role> {
        [Role::Admin, Role::TeamLead, Role::User]
            .into_iter()
            .find(|role| role.as_str() == text)
    }
}

/// The user who wants to change a lead.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// Their main address.
    pub email: &'a str,
    /// Their role.
    pub role: Role,
    /// Their team, if any.
    pub team: Option<&'a str>,
}

/// Whose a lead is.
#[derive(Debug, Clone, Copy)]
pub struct Ownership<'a> {
    /// The owner's address; none for an unassigned lead.
    pub owner: Option<&'a str>,
    /// The owner's team, if any.
    pub team: Option<&'a str>,
}

/// Whether `actor` may change a lead with this ownership: a user acts on
/// their own leads and unassigned ones, a team lead also on their team's,
/// an admin on any. The error says why not, for the rep to read.
pub fn may_change(actor: &Actor<'_>, lead: &Ownership<'_>) -> Result<(), String> {
    let Some(owner) = lead.owner else {
        return Ok(());
    };
    let own = owner.eq_ignore_ascii_case(actor.email);
    let same_team = actor.team.is_some() && actor.team == lead.team;
    match actor.role {
        Role::Admin => Ok(()),
        _ if own => Ok(()),
        Role::TeamLead if same_team => Ok(()),
        Role::TeamLead => Err(format!("it is {owner}'s, who is not in your team")),
        Role::User => Err(format!("it is {owner}'s, not yours")),
    }
}

/// The answer to "may this user act on this lead?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// They may.
    Allowed,
    /// No lead has the id asked for.
    NoSuchLead,
    /// They may not; why, for the rep to read.
    Refused(String),
}

/// Whether `user` may act on a lead, from what the store read: `lead` is
/// the lead's ownership (`None` when no lead has the id); `role` and `team`
/// are the user's when they are an active configured user (`role` is `None`
/// otherwise). A mail command, a digest reply's command and the CLI's
/// `--as` all obey this one rule ([`may_change`] once both are known).
pub fn may_act(
    user: &str,
    lead: Option<Ownership<'_>>,
    role: Option<Role>,
    team: Option<&str>,
) -> Decision {
    let Some(lead) = lead else {
        return Decision::NoSuchLead;
    };
    let Some(role) = role else {
        return Decision::Refused(format!("{user} is not an active configured user"));
    };
    let actor = Actor {
        email: user,
        role,
        team,
    };
    match may_change(&actor, &lead) {
        Ok(()) => Decision::Allowed,
        Err(why) => Decision::Refused(why),
    }
}

/// Whether `actor` may release or dismiss a quarantine entry held for
/// `reason` that names `entry_user` (the rep whose mail it is): an admin
/// vouches for any; a rep may resolve their own mail that only had a
/// command leadmail could not read (`bad_command`), after fixing it.
/// Everything else (a possible spoof, an unknown sender) needs an admin.
pub fn may_resolve_quarantine(
    actor: &Actor<'_>,
    entry_user: Option<&str>,
    reason: crate::domain::QuarantineReason,
) -> Result<(), String> {
    let own = entry_user.is_some_and(|user| user.eq_ignore_ascii_case(actor.email));
    match actor.role {
        Role::Admin => Ok(()),
        _ if own && reason == crate::domain::QuarantineReason::BadCommand => Ok(()),
        _ if own => Err(format!(
            "a {} entry needs an admin to vouch for it",
            reason.as_str()
        )),
        _ => Err("it is not your mail; an admin can resolve it".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor<'static> {
        Actor {
            email: "bruno@acme.test",
            role,
            team: Some("benelux"),
        }
    }

    fn owned(owner: Option<&'static str>, team: Option<&'static str>) -> Ownership<'static> {
        Ownership { owner, team }
    }

    #[test]
    fn each_role_changes_exactly_the_leads_it_should() {
        let mine = owned(Some("Bruno@acme.test"), Some("benelux"));
        let unassigned = owned(None, None);
        let teammates = owned(Some("carla@acme.test"), Some("benelux"));
        let others = owned(Some("alice@acme.test"), Some("iberia"));
        let teamless = owned(Some("dora@acme.test"), None);
        let cases = [
            (Role::User, [true, true, false, false, false]),
            (Role::TeamLead, [true, true, true, false, false]),
            (Role::Admin, [true, true, true, true, true]),
        ];
        for (role, expected) in cases {
            let leads = [mine, unassigned, teammates, others, teamless];
            let got: Vec<bool> = leads
                .iter()
                .map(|lead| may_change(&actor(role), lead).is_ok())
                .collect();
            assert_eq!(got, expected, "{role:?}");
        }
    }

    #[test]
    fn a_team_lead_without_a_team_has_no_team_to_act_on() {
        let lead = Actor {
            team: None,
            ..actor(Role::TeamLead)
        };
        assert!(may_change(&lead, &owned(Some("dora@acme.test"), None)).is_err());
    }

    #[test]
    fn a_refusal_names_the_owner() {
        let why = may_change(&actor(Role::User), &owned(Some("alice@acme.test"), None));
        assert_eq!(why, Err("it is alice@acme.test's, not yours".to_string()));
    }

    #[test]
    fn may_act_allows_a_user_on_their_own_lead() {
        let mine = owned(Some("bruno@acme.test"), Some("benelux"));
        let decision = may_act(
            "bruno@acme.test",
            Some(mine),
            Some(Role::User),
            Some("benelux"),
        );
        assert_eq!(decision, Decision::Allowed);
    }

    #[test]
    fn may_act_refuses_someone_else_s_lead_naming_its_owner() {
        let others = owned(Some("alice@acme.test"), Some("iberia"));
        let decision = may_act("bruno@acme.test", Some(others), Some(Role::User), None);
        assert_eq!(
            decision,
            Decision::Refused("it is alice@acme.test's, not yours".into())
        );
    }

    #[test]
    fn may_act_refuses_a_user_who_is_not_active_and_reports_a_missing_lead() {
        let unassigned = owned(None, None);
        assert_eq!(
            may_act("eve@bad.test", Some(unassigned), None, None),
            Decision::Refused("eve@bad.test is not an active configured user".into())
        );
        assert_eq!(
            may_act("bruno@acme.test", None, Some(Role::Admin), None),
            Decision::NoSuchLead
        );
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in [Role::Admin, Role::TeamLead, Role::User] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("boss"), None);
    }

    #[test]
    fn an_admin_resolves_any_entry_and_a_rep_only_their_own_bad_command() {
        use crate::domain::QuarantineReason::{BadCommand, SpoofedSender};
        let admin = Actor {
            role: Role::Admin,
            ..actor(Role::Admin)
        };
        assert!(may_resolve_quarantine(&admin, Some("alice@acme.test"), SpoofedSender).is_ok());
        let rep = actor(Role::User);
        assert!(may_resolve_quarantine(&rep, Some("BRUNO@acme.test"), BadCommand).is_ok());
        assert!(may_resolve_quarantine(&rep, Some("bruno@acme.test"), SpoofedSender).is_err());
        assert!(may_resolve_quarantine(&rep, Some("alice@acme.test"), BadCommand).is_err());
        assert!(may_resolve_quarantine(&actor(Role::TeamLead), None, BadCommand).is_err());
    }
}
