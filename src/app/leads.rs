//! `leads …` and `prospects …`: listings and a rep's actions on what was ingested.

use super::listing::{print_leads, show};
use super::UsageError;
use crate::cli::{LeadsCommand, ProspectsCommand};
use crate::commands::note::CommandContext;
use crate::config::Settings;
use crate::domain::schedule::WorkCalendar;
use crate::domain::{EmailAddress, LeadKind, LeadStatus};
use crate::store::{LeadFilter, LeadView, Store};
use chrono::Utc;

/// Runs a `leads` subcommand.
pub(super) async fn leads(
    cmd: LeadsCommand,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    match cmd {
        LeadsCommand::List {
            all,
            kind,
            status,
            owner,
            json,
        } => {
            let status = status.as_deref().map(parse_status).transpose()?;
            let kind = match kind.as_str() {
                "all" => None,
                other => Some(LeadKind::parse(other).ok_or_else(|| {
                    UsageError(format!("no kind {other:?} (lead, prospect or all)"))
                })?),
            };
            let filter = LeadFilter {
                kind,
                status,
                owner,
                open_only: !all && status.is_none(),
            };
            print_leads(settings, &store.list_leads(&filter).await?, json)
        }
        LeadsCommand::Show { id, json } => {
            expect_kind(store, id, LeadKind::Lead).await?;
            show(settings, store, id, json).await
        }
        LeadsCommand::Convert { id, actor } => {
            expect_kind(store, id, LeadKind::Prospect).await?;
            done(
                store.convert(id, &actor.actor).await,
                id,
                "converted to a lead",
            )
        }
        LeadsCommand::Cancel { id, reason, actor } => {
            expect_kind(store, id, LeadKind::Lead).await?;
            done(
                store.cancel(id, &actor.actor, reason.as_deref()).await,
                id,
                "cancelled",
            )
        }
        LeadsCommand::Status {
            id,
            status,
            until,
            reason,
            actor,
        } => {
            let lead = expect_kind(store, id, LeadKind::Lead).await?;
            let status = parse_status(&status)?;
            let calendar = calendar_for(settings, &lead, &actor.actor);
            let until = until.map(|w| parse_when(calendar, &w)).transpose()?;
            if status == LeadStatus::Standby && until.is_none() {
                return Err(UsageError("standby needs --until WHEN".into()).into());
            }
            let result = store
                .set_status(id, status, until, reason.as_deref(), &actor.actor)
                .await;
            let what = match until {
                Some(until) => format!("status {status} until {}", local_time(calendar, until)),
                None => format!("status {status}"),
            };
            done(result, id, &what)
        }
        LeadsCommand::Step { id, step, actor } => {
            expect_kind(store, id, LeadKind::Lead).await?;
            let step = settings.step_named(&step).ok_or_else(|| {
                UsageError(format!(
                    "no step {step:?} (steps: {})",
                    settings.crm.steps.join(", ")
                ))
            })?;
            done(
                store.set_step(id, step, &actor.actor).await,
                id,
                &format!("step {step}"),
            )
        }
        LeadsCommand::Next { id, what, actor } => {
            next(settings, store, id, &what.join(" "), &actor.actor).await
        }
        LeadsCommand::Done { id, actor } => done(
            store.complete_next_action(id, &actor.actor).await,
            id,
            "next action done",
        ),
    }
}

/// Runs a `prospects` subcommand.
pub(super) async fn prospects(
    cmd: ProspectsCommand,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    match cmd {
        ProspectsCommand::List { all, json } => {
            let filter = LeadFilter {
                kind: Some(LeadKind::Prospect),
                status: None,
                owner: None,
                open_only: !all,
            };
            print_leads(settings, &store.list_leads(&filter).await?, json)
        }
        ProspectsCommand::Convert { id, actor } => {
            expect_kind(store, id, LeadKind::Prospect).await?;
            done(
                store.convert(id, &actor.actor).await,
                id,
                "converted to a lead",
            )
        }
        ProspectsCommand::Cancel { id, reason, actor } => {
            expect_kind(store, id, LeadKind::Prospect).await?;
            done(
                store.cancel(id, &actor.actor, reason.as_deref()).await,
                id,
                "cancelled",
            )
        }
    }
}

fn done<E: std::error::Error + Send + Sync + 'static>(
    result: Result<(), E>,
    id: i64,
    what: &str,
) -> anyhow::Result<()> {
    result?;
    outln!("lead {id}: {what}");
    Ok(())
}

fn parse_status(text: &str) -> anyhow::Result<LeadStatus> {
    LeadStatus::parse(text).ok_or_else(|| {
        UsageError(format!(
            "no status {text:?} (todo, standby, won, lost, cancelled)"
        ))
        .into()
    })
}

/// The record `id`, which must be of `kind`: `prospects cancel 2` on a
/// lead (or `leads cancel 2` on a prospect) is refused, naming the command
/// that fits.
async fn expect_kind(store: &Store, id: i64, kind: LeadKind) -> anyhow::Result<LeadView> {
    let Some(lead) = store.lead(id).await? else {
        return Err(UsageError(format!("there is no {kind} {id}")).into());
    };
    if lead.kind != kind {
        let group = match lead.kind {
            LeadKind::Lead => "leads",
            LeadKind::Prospect => "prospects",
        };
        return Err(UsageError(format!(
            "#{id} is a {}, not a {kind}: use `leadmail {group} …`",
            lead.kind
        ))
        .into());
    }
    Ok(lead)
}

/// The calendar a time typed for this lead means: the acting user's when
/// `--as` names a configured user, else the lead owner's, else the CRM's
/// default zone.
fn calendar_for(settings: &Settings, lead: &LeadView, actor: &str) -> WorkCalendar {
    let user_named = |text: &str| {
        EmailAddress::parse(text)
            .ok()
            .filter(|address| settings.user(address).is_some())
    };
    let who = user_named(actor).or_else(|| lead.owner.as_deref().and_then(user_named));
    settings.calendar_of(who.as_ref())
}

/// A due date typed on the command line, read in `calendar`.
fn parse_when(calendar: WorkCalendar, text: &str) -> anyhow::Result<chrono::DateTime<Utc>> {
    calendar
        .parse_due(text, crate::clock::now())
        .ok_or_else(|| {
            UsageError(format!(
                "cannot read {text:?} as a date (tomorrow, 3d, monday, 2026-12-01 14:00)"
            ))
            .into()
        })
}

/// "2026-11-27 14:00 Europe/Amsterdam (13:00 UTC)": a time as the
/// calendar's owner reads it, with the zone named.
fn local_time(calendar: WorkCalendar, at: chrono::DateTime<Utc>) -> String {
    format!(
        "{} ({} UTC)",
        super::listing::in_zone(calendar.time_zone, at),
        at.format("%Y-%m-%d %H:%M")
    )
}

async fn next(
    settings: &Settings,
    store: &Store,
    id: i64,
    what: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let Some(lead) = store.lead(id).await? else {
        return Err(UsageError(format!("there is no lead {id}")).into());
    };
    let calendar = calendar_for(settings, &lead, actor);
    let ctx = CommandContext {
        settings,
        calendar,
        reference: crate::clock::now(),
    };
    let draft = crate::commands::note::next_action(what, &ctx)
        .map_err(|why| UsageError(format!("cannot read the next action: {why}")))?;
    let due = draft.due_at;
    store.set_next_action(id, &draft, actor).await?;
    outln!("lead {id}: next action due {}", local_time(calendar, due));
    Ok(())
}
