//! Who sees what in the web app, pure: the one rule of
//! `domain::access::may_change` (a user their own and unassigned leads, a
//! team lead their team's, an admin all), with the owner's team from the
//! configuration. Anything else is "not found".

use crate::config::{Settings, User};
use crate::domain::access::{may_change, Actor, Ownership, Role};
use crate::domain::EmailAddress;

/// The signed-in user as the access rule sees them.
pub fn actor(user: &User) -> Actor<'_> {
    Actor {
        email: user.email.as_ref(),
        role: user.role,
        team: user.team.as_deref(),
    }
}

/// Whether `user` may see (and act on) a lead owned by `owner`.
pub fn may_see(settings: &Settings, user: &User, owner: Option<&str>) -> bool {
    let team = owner
        .and_then(|o| EmailAddress::parse(o).ok())
        .and_then(|o| settings.user(&o))
        .and_then(|o| o.team.as_deref());
    may_change(&actor(user), &Ownership { owner, team }).is_ok()
}

/// The owners whose leads `user` sees besides unassigned ones, for the
/// store's leads list: `None` for an admin (every lead), else themselves
/// and, for a team lead, the configured users of their team: [`may_see`]
/// as a list (a lead's owner is always a user's address, `leads.owner`
/// references `users`).
pub fn visible_owners(settings: &Settings, user: &User) -> Option<Vec<String>> {
    if user.role == Role::Admin {
        return None;
    }
    let mut owners = vec![user.email.to_string()];
    if user.role == Role::TeamLead && user.team.is_some() {
        let team = settings.users.iter().filter(|u| u.team == user.team);
        owners.extend(team.map(|u| u.email.to_string()));
    }
    owners.dedup();
    Some(owners)
}

/// Whether `user` may give a lead to someone else (team leads and admins).
pub fn may_reassign(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::TeamLead)
}

/// The users `user` may see the counts of on the Team page: a team lead
/// their team, an admin everyone, a user themselves.
pub fn team_of<'a>(settings: &'a Settings, user: &User) -> Vec<&'a User> {
    settings
        .users
        .iter()
        .filter(|other| match user.role {
            Role::Admin => true,
            Role::TeamLead => user.team.is_some() && other.team == user.team,
            Role::User => other.email == user.email,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_sees_their_own_and_unassigned_leads_and_an_admin_all() {
        let settings = crate::config::tests::sample_settings();
        let (alice, bruno) = (&settings.users[0], &settings.users[1]);
        assert!(may_see(&settings, bruno, Some("bruno@acme.test")));
        assert!(may_see(&settings, bruno, None));
        assert!(!may_see(&settings, bruno, Some("alice@acme.test")));
        assert!(may_see(&settings, alice, Some("bruno@acme.test")));
        assert!(may_reassign(alice) && !may_reassign(bruno));
        assert_eq!(team_of(&settings, bruno).len(), 1);
        assert_eq!(team_of(&settings, alice).len(), 2);
    }

    #[test]
    fn the_visible_owners_are_may_see_as_a_list() {
        let mut settings = crate::config::tests::sample_settings();
        settings.users[1].team = Some("iberia".into());
        let people = [
            ("carla", Role::TeamLead, Some("iberia")),
            ("dora", Role::User, Some("nordic")),
            ("erik", Role::TeamLead, None),
        ];
        for (name, role, team) in people {
            let mut other = settings.users[1].clone();
            other.email = EmailAddress::parse(&format!("{name}@acme.test")).unwrap();
            (other.role, other.team) = (role, team.map(str::to_string));
            settings.users.push(other);
        }
        let mut owners: Vec<Option<String>> = settings
            .users
            .iter()
            .map(|u| Some(u.email.to_string()))
            .collect();
        owners.extend([None, Some("stranger@acme.test".into())]);
        for user in &settings.users {
            let listed = visible_owners(&settings, user);
            for owner in &owners {
                let in_list = match (owner, &listed) {
                    (None, _) | (_, None) => true,
                    (Some(owner), Some(list)) => list.contains(owner),
                };
                let seen = may_see(&settings, user, owner.as_deref());
                assert_eq!(in_list, seen, "{} and {owner:?}", user.email);
            }
        }
    }
}
