//! `users list|activate|deactivate` and `partners list`: the people of the
//! config file with what the records say about them. The config stays the
//! source of who exists; these commands show and manage their state.

use super::print_json;
use crate::cli::{PartnersCommand, UsersCommand};
use crate::config::Settings;
use crate::store::{PartnerActivity, Store, UserActivity};
use serde::Serialize;

/// One user in `users list --json`.
#[derive(Debug, Serialize)]
struct UserLine {
    email: String,
    name: String,
    role: &'static str,
    team: Option<String>,
    time_zone: String,
    /// False when the config says so or `users deactivate` was run.
    active: bool,
    #[serde(flatten)]
    activity: UserActivity,
}

/// Runs a `users` subcommand.
pub(super) async fn users(
    command: UsersCommand,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    match command {
        UsersCommand::List { json } => list_users(settings, store, json).await,
        UsersCommand::Deactivate { email, actor } => {
            let changed = store.set_user_active(&email, false, &actor.actor).await?;
            outln!(
                "{email}: {}",
                if changed {
                    "deactivated (no digest; leads keep their owner)"
                } else {
                    "already deactivated"
                }
            );
            Ok(())
        }
        UsersCommand::Activate { email, actor } => {
            let changed = store.set_user_active(&email, true, &actor.actor).await?;
            outln!(
                "{email}: {}",
                if changed {
                    "active again"
                } else {
                    "already active"
                }
            );
            Ok(())
        }
    }
}

async fn list_users(settings: &Settings, store: &Store, json: bool) -> anyhow::Result<()> {
    let activity = store.user_activity(crate::clock::now()).await?;
    let deactivated = store.deactivated_users().await?;
    let lines: Vec<UserLine> = settings
        .users
        .iter()
        .map(|u| {
            let email = u.email.to_string();
            UserLine {
                active: u.active && !deactivated.contains(&email),
                activity: activity
                    .iter()
                    .find(|a| a.email == email)
                    .cloned()
                    .unwrap_or_else(|| UserActivity {
                        email: email.clone(),
                        ..UserActivity::default()
                    }),
                email,
                name: u.name.clone(),
                role: u.role.as_str(),
                team: u.team.clone(),
                time_zone: u.calendar.time_zone.name().to_string(),
            }
        })
        .collect();
    if json {
        return print_json(&lines);
    }
    for u in &lines {
        let a = &u.activity;
        outln!(
            "{:<30} {:<9} {:<10} {:<8} {} open, {} overdue, {} replied, last mail {}, last digest {}",
            u.email,
            u.role,
            u.team.as_deref().unwrap_or("-"),
            if u.active { "active" } else { "INACTIVE" },
            a.open_leads,
            a.overdue,
            a.replied,
            a.last_mail_at.as_deref().unwrap_or("never"),
            a.last_digest_at.as_deref().unwrap_or("never"),
        );
    }
    Ok(())
}

/// Runs a `partners` subcommand.
pub(super) async fn partners(
    command: PartnersCommand,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    let PartnersCommand::List { json } = command;
    let names: Vec<String> = settings.partners.iter().map(|p| p.name.clone()).collect();
    let activity: Vec<PartnerActivity> = store.partner_activity(&names).await?;
    if json {
        return print_json(&activity);
    }
    for p in &activity {
        outln!(
            "{:<30} {} referred, {} open, {} won",
            p.name,
            p.referrals,
            p.open,
            p.won
        );
    }
    Ok(())
}
