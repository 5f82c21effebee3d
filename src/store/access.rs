//! The access rule of `domain::access`, read against the database: the
//! one check that mail commands, digest replies and the CLI's actions call
//! before they change a lead.

use super::{Conn, StoreError};
use crate::domain::access::{may_act, Decision, Ownership, Role};
use crate::store::db;

/// The CLI's default `--as`: the operator at the console, who may change
/// any lead (they hold the database anyway).
pub const OPERATOR: &str = "cli";

type Row = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Ok when `user` (a configured, active user's main address) may change
/// the lead ([`may_act`] decides); a refusal is `StoreError::Invalid`
/// naming the lead and why.
pub(super) async fn check(conn: &mut Conn, lead_id: i64, user: &str) -> Result<(), StoreError> {
    let row: Option<Row> = db::query_as(
        "SELECT l.owner, o.team, a.role, a.team FROM leads l \
           LEFT JOIN users o ON o.email = l.owner \
           LEFT JOIN users a ON a.email = $2 AND a.active \
         WHERE l.id = $1",
    )
    .bind(lead_id)
    .bind(user.trim().to_lowercase())
    .fetch_optional(&mut *conn)
    .await?;
    let found = row.is_some();
    let (owner, owner_team, role, team) = row.unwrap_or_default();
    let lead = found.then_some(Ownership {
        owner: owner.as_deref(),
        team: owner_team.as_deref(),
    });
    let role = role.as_deref().and_then(Role::parse);
    match may_act(user, lead, role, team.as_deref()) {
        Decision::Allowed => Ok(()),
        Decision::NoSuchLead => Err(StoreError::LeadNotFound { lead_id }),
        Decision::Refused(why) => Err(StoreError::Invalid {
            lead_id,
            action: "act on",
            why,
        }),
    }
}

/// [`check`] for a CLI actor: the operator may change any lead.
pub(super) async fn check_cli(
    conn: &mut Conn,
    lead_id: i64,
    actor: &str,
) -> Result<(), StoreError> {
    if actor == OPERATOR {
        return Ok(());
    }
    check(conn, lead_id, actor).await
}

/// Ok when the commands' giver may change the lead; commands given by
/// no authenticated user are refused.
pub(super) async fn check_by(
    conn: &mut Conn,
    lead_id: i64,
    by: Option<&str>,
) -> Result<(), StoreError> {
    match by {
        Some(user) => check(conn, lead_id, user).await,
        None => Err(StoreError::Invalid {
            lead_id,
            action: "act on",
            why: "no authenticated user gave these commands".into(),
        }),
    }
}
