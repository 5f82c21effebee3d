//! `leads …` and `prospects …`: listings and a rep's actions on what was ingested.

use super::listing::{print_leads, show};
use super::UsageError;
use crate::cli::{LeadsCommand, ProspectsCommand};
use crate::config::Settings;
use crate::domain::{LeadKind, LeadStatus};
use crate::ingest::commands::CommandContext;
use crate::store::{LeadFilter, Store};
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
            status,
            owner,
            json,
        } => {
            let status = status.as_deref().map(parse_status).transpose()?;
            let filter = LeadFilter {
                kind: Some(LeadKind::Lead),
                status,
                owner,
                open_only: !all && status.is_none(),
            };
            print_leads(&store.list_leads(&filter).await?, json)
        }
        LeadsCommand::Show { id, json } => show(store, id, json).await,
        LeadsCommand::Convert { id, actor } => done(
            store.convert(id, &actor.actor).await,
            id,
            "converted to a lead",
        ),
        LeadsCommand::Cancel { id, reason, actor } => done(
            store.cancel(id, &actor.actor, reason.as_deref()).await,
            id,
            "cancelled",
        ),
        LeadsCommand::Status {
            id,
            status,
            until,
            reason,
            actor,
        } => {
            let status = parse_status(&status)?;
            let until = until
                .map(|w| parse_when(settings, &actor.actor, &w))
                .transpose()?;
            if status == LeadStatus::Standby && until.is_none() {
                return Err(UsageError("standby needs --until WHEN".into()).into());
            }
            let result = store
                .set_status(id, status, until, reason.as_deref(), &actor.actor)
                .await;
            done(result, id, &format!("status {status}"))
        }
        LeadsCommand::Step { id, step, actor } => {
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
    _settings: &Settings,
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
            print_leads(&store.list_leads(&filter).await?, json)
        }
        ProspectsCommand::Convert { id, actor } => done(
            store.convert(id, &actor.actor).await,
            id,
            "converted to a lead",
        ),
        ProspectsCommand::Cancel { id, reason, actor } => done(
            store.cancel(id, &actor.actor, reason.as_deref()).await,
            id,
            "cancelled",
        ),
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

/// A due date in the acting rep's calendar (the CRM default for others).
fn parse_when(
    settings: &Settings,
    actor: &str,
    text: &str,
) -> anyhow::Result<chrono::DateTime<Utc>> {
    let rep = crate::domain::EmailAddress::parse(actor).ok();
    let calendar = settings.calendar_of(rep.as_ref());
    calendar
        .parse_due(text, crate::clock::now())
        .ok_or_else(|| {
            UsageError(format!(
                "cannot read {text:?} as a date (tomorrow, 3d, monday, 2026-12-01 14:00)"
            ))
            .into()
        })
}

async fn next(
    settings: &Settings,
    store: &Store,
    id: i64,
    what: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let rep = crate::domain::EmailAddress::parse(actor).ok();
    let ctx = CommandContext {
        settings,
        calendar: settings.calendar_of(rep.as_ref()),
        reference: crate::clock::now(),
    };
    let parsed = crate::ingest::commands::commands_from_note(&format!("next: {what}"), &ctx);
    let Some(crate::ingest::plan::Command::Next(draft)) = parsed.accepted.into_iter().next() else {
        let why = parsed.rejected.join("; ");
        return Err(UsageError(format!("cannot read the next action: {why}")).into());
    };
    let due = draft.due_at;
    store.set_next_action(id, &draft, actor).await?;
    outln!("lead {id}: next action due {due}");
    Ok(())
}
