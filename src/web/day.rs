//! My day's digest, built live for one user: the sections from their own
//! open leads (as the morning mail's), and a team lead's or admin's team
//! table counted in SQL ([`Store::team_counts`]) instead of from every
//! rep's leads read into memory, which for an admin is every open lead.
//! The counts are those of the mail's team table (the same rules, a store
//! test checks them against [`crate::digest::content::Rules::tally`]);
//! the mail itself is still built by [`crate::sending::DigestRows`].

use crate::config::{Role, Settings, User};
use crate::digest::content::{build, Digest, Rules};
use crate::digest::model::{DigestInput, RepCounts};
use crate::sending::{reps, since_previous};
use crate::store::Store;
use chrono::{DateTime, Utc};

/// `user`'s digest at `now`, as their morning mail would have it.
pub async fn live_digest(
    settings: &Settings,
    store: &Store,
    user: &User,
    now: DateTime<Utc>,
) -> anyhow::Result<Digest> {
    let email = user.email.to_string();
    let last = store.last_digest(&email).await?;
    let since = since_previous(last.map(|(_, at)| at), now);
    let rules = Rules::new(
        user.calendar.time_zone,
        now,
        since,
        settings.crm.stale_after_days,
    );
    let input = DigestInput {
        user: user.clone(),
        now,
        since,
        leads: store.digest_leads(&email).await?,
        quarantined: store.digest_quarantine(&email).await?,
        team_counts: team_counts(settings, store, user, &rules).await?,
    };
    let mut digest = build(&input, settings.crm.stale_after_days);
    digest.lead_links = settings.web.as_ref().map(|web| web.base_url.clone());
    Ok(digest)
}

/// The team table of `user`'s digest: a row per rep in their counts, in
/// the config's order, zero for a rep without open leads.
async fn team_counts(
    settings: &Settings,
    store: &Store,
    user: &User,
    rules: &Rules,
) -> anyhow::Result<Vec<RepCounts>> {
    let team: Vec<&User> = reps(settings, user).collect();
    let counted = match user.role {
        Role::User => return Ok(Vec::new()),
        Role::Admin => store.team_counts(&rules.bounds(), None).await?,
        Role::TeamLead => {
            let owners: Vec<String> = team.iter().map(|rep| rep.email.to_string()).collect();
            store.team_counts(&rules.bounds(), Some(&owners)).await?
        }
    };
    Ok(team
        .into_iter()
        .map(|rep| {
            let email = rep.email.to_string();
            let counts = counted.get(&email).cloned().unwrap_or_default();
            RepCounts {
                name: rep.name.clone(),
                email,
                ..counts
            }
        })
        .collect())
}
