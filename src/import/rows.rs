//! One CSV row → a contact (and a lead), or the reason it is refused.

use super::fields::Field;
use super::mapping::Mapping;
use super::values;
use super::ImportKind;
use crate::config::Settings;
use crate::domain::{EmailAddress, LeadKind, LeadStatus};
use crate::ingest::plan::{CompanyDraft, ContactDraft, NextActionDraft};
use chrono::{DateTime, Utc};

/// A row refused, with its line in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The line the row starts on.
    pub line: u64,
    /// Why it was refused.
    pub reason: String,
}

/// A row that can be written.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The person, with their company.
    pub contact: ContactDraft,
    /// The lead or prospect, unless only contacts are imported.
    pub lead: Option<LeadDraft>,
}

/// A lead or prospect as the row gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadDraft {
    /// Lead or prospect.
    pub kind: LeadKind,
    /// Title (else the company, the contact's name or address).
    pub title: String,
    /// Status (default todo).
    pub status: LeadStatus,
    /// A standby lead's date.
    pub standby_until: Option<DateTime<Utc>>,
    /// A configured step, spelled as configured.
    pub step: Option<String>,
    /// Source (default `manual`).
    pub source: String,
    /// The owning user's main address.
    pub owner: Option<EmailAddress>,
    /// The open next action (open leads only).
    pub next_action: Option<NextActionDraft>,
    /// Amount and currency.
    pub amount: Option<(f64, String)>,
    /// Tags.
    pub tags: Vec<String>,
    /// When it was created (default: now).
    pub created_at: DateTime<Utc>,
    /// Its latest activity (default: created_at).
    pub last_activity_at: DateTime<Utc>,
}

/// What a row is checked against.
pub(super) struct Rules<'a> {
    pub settings: &'a Settings,
    pub kind: ImportKind,
    pub now: DateTime<Utc>,
}

/// The cells of one row, read through the mapping.
struct Cells<'a> {
    mapping: &'a Mapping,
    cells: &'a [&'a str],
}

impl Cells<'_> {
    /// The first non-empty cell of a column mapped to `field`, trimmed,
    /// without the exporter's formula guard.
    fn get(&self, field: Field) -> Option<String> {
        self.mapping
            .columns
            .iter()
            .zip(self.cells)
            .filter(|(mapped, _)| **mapped == Some(field))
            .map(|(_, cell)| values::unguard(cell.trim()).trim())
            .find(|cell| !cell.is_empty())
            .map(str::to_string)
    }
}

impl Rules<'_> {
    /// Validates one row starting on `line`.
    pub(super) fn row(
        &self,
        mapping: &Mapping,
        line: u64,
        cells: &[&str],
    ) -> Result<ImportRow, String> {
        if cells.len() != mapping.columns.len() {
            return Err(format!(
                "has {} cells where the header has {}",
                cells.len(),
                mapping.columns.len()
            ));
        }
        let cells = Cells { mapping, cells };
        let contact = self.contact(&cells)?;
        let lead = match self.kind {
            ImportKind::Contact => None,
            ImportKind::Lead | ImportKind::Prospect => Some(self.lead(&cells, &contact)?),
        };
        Ok(ImportRow {
            line,
            contact,
            lead,
        })
    }

    fn contact(&self, cells: &Cells<'_>) -> Result<ContactDraft, String> {
        let text = cells.get(Field::ContactEmail).ok_or("no contact_email")?;
        let email = EmailAddress::parse(&text).map_err(|e| {
            format!(
                "contact_email {text:?} is not an e-mail address ({})",
                e.why
            )
        })?;
        if self.settings.is_own_address(&email) {
            return Err(format!(
                "contact_email {email} is one of our own addresses (a user, the CRM address or our company domains)"
            ));
        }
        Ok(ContactDraft {
            name: name(cells),
            phone: cells.get(Field::ContactPhone),
            title: cells.get(Field::ContactTitle),
            company: self.company(cells, &email),
            email,
        })
    }

    /// The company: its domain from a column, else the contact's address
    /// (not a free-mail one, not ours).
    fn company(&self, cells: &Cells<'_>, email: &EmailAddress) -> Option<CompanyDraft> {
        let name = cells.get(Field::Company).unwrap_or_default();
        let from_address =
            Some(email.domain().to_string()).filter(|d| !crate::domain::freemail::is_freemail(d));
        let domain = cells
            .get(Field::CompanyDomain)
            .and_then(|d| values::domain(&d))
            .or(from_address)
            .filter(|d| !self.is_own_domain(d));
        (!name.is_empty() || domain.is_some()).then_some(CompanyDraft { name, domain })
    }

    fn is_own_domain(&self, domain: &str) -> bool {
        let own = &self.settings.crm.company_domains;
        own.iter()
            .any(|d| domain == d || domain.ends_with(&format!(".{d}")))
    }

    fn lead(&self, cells: &Cells<'_>, contact: &ContactDraft) -> Result<LeadDraft, String> {
        let (status, step) = self.status_and_step(cells)?;
        let created_at = self.time(cells, Field::CreatedAt)?.unwrap_or(self.now);
        let standby_until = self.time(cells, Field::StandbyUntil)?;
        if status == LeadStatus::Standby && standby_until.is_none() {
            return Err("status standby needs a standby_until date".into());
        }
        Ok(LeadDraft {
            kind: self.lead_kind(cells)?,
            title: cells
                .get(Field::Title)
                .unwrap_or_else(|| fallback_title(contact)),
            status,
            standby_until: standby_until.filter(|_| status == LeadStatus::Standby),
            step,
            source: cells
                .get(Field::Source)
                .map_or(Ok("manual".into()), |s| values::source(&s))?,
            owner: self.owner(cells)?,
            next_action: self.next_action(cells, status)?,
            amount: amount(cells)?,
            tags: cells
                .get(Field::Tags)
                .map(|t| values::tags(&t))
                .unwrap_or_default(),
            created_at,
            last_activity_at: self
                .time(cells, Field::LastActivityAt)?
                .unwrap_or(created_at),
        })
    }

    /// The row's `kind` cell (lead or prospect) wins over `--kind`.
    fn lead_kind(&self, cells: &Cells<'_>) -> Result<LeadKind, String> {
        match cells.get(Field::Kind) {
            Some(text) => LeadKind::parse(&text)
                .ok_or_else(|| format!("kind {text:?} is neither lead nor prospect")),
            None if self.kind == ImportKind::Prospect => Ok(LeadKind::Prospect),
            None => Ok(LeadKind::Lead),
        }
    }

    /// The status (default todo) and the step; a step that is an outcome
    /// (`Closed won`) sets the status instead.
    fn status_and_step(&self, cells: &Cells<'_>) -> Result<(LeadStatus, Option<String>), String> {
        let mut status = match cells.get(Field::Status) {
            Some(text) => values::status(&text).ok_or_else(|| {
                format!("status {text:?} is not one of todo, standby, won, lost, cancelled")
            })?,
            None => LeadStatus::Todo,
        };
        let Some(text) = cells.get(Field::Step) else {
            return Ok((status, None));
        };
        if let Some(outcome) = values::closing_stage(&text) {
            if status.is_open() {
                status = outcome;
            }
            return Ok((status, None));
        }
        let steps = &self.settings.crm.steps;
        let step = steps
            .iter()
            .find(|s| s.eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!(
                    "step {text:?} is not a configured step ({})",
                    steps.join(", ")
                )
            })?;
        Ok((status, Some(step.clone())))
    }

    /// The owner: a configured user's address (or alias), or their name.
    fn owner(&self, cells: &Cells<'_>) -> Result<Option<EmailAddress>, String> {
        let Some(text) = cells.get(Field::Owner) else {
            return Ok(None);
        };
        let users = &self.settings.users;
        let by_address = EmailAddress::parse(&text)
            .ok()
            .and_then(|a| self.settings.user_by_address(&a));
        let user = by_address.or_else(|| {
            users
                .iter()
                .find(|u| u.name.eq_ignore_ascii_case(text.trim()))
        });
        match user {
            Some(user) => Ok(Some(user.email.clone())),
            None => Err(format!("owner {text:?} is not a configured user")),
        }
    }

    /// The open next action of an open lead: a due time, with a kind
    /// (default `follow_up`) and note.
    fn next_action(
        &self,
        cells: &Cells<'_>,
        status: LeadStatus,
    ) -> Result<Option<NextActionDraft>, String> {
        let kind = cells.get(Field::NextActionKind);
        let Some(due_at) = self.time(cells, Field::NextActionDue)? else {
            return match kind {
                Some(kind) => Err(format!("next_action_kind {kind:?} has no next_action_due")),
                None => Ok(None),
            };
        };
        Ok(status.is_open().then(|| NextActionDraft {
            due_at,
            kind: kind.unwrap_or_else(|| "follow_up".into()),
            note: cells.get(Field::NextActionNote).unwrap_or_default(),
        }))
    }

    fn time(&self, cells: &Cells<'_>, field: Field) -> Result<Option<DateTime<Utc>>, String> {
        let zone = self.settings.crm.time_zone;
        cells
            .get(field)
            .map(|text| values::time(&text, zone).map_err(|why| format!("{field}: {why}")))
            .transpose()
    }
}

/// The contact's name, or first and last names joined.
fn name(cells: &Cells<'_>) -> Option<String> {
    cells.get(Field::ContactName).or_else(|| {
        let parts: Vec<String> = [Field::FirstName, Field::LastName]
            .into_iter()
            .filter_map(|f| cells.get(f))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// A title for a row without one: the company's name, else the contact's
/// name, else their address.
fn fallback_title(contact: &ContactDraft) -> String {
    contact
        .company
        .as_ref()
        .map(|c| c.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| contact.name_or_email())
}

/// The amount with its currency; an amount needs one.
fn amount(cells: &Cells<'_>) -> Result<Option<(f64, String)>, String> {
    let Some(text) = cells.get(Field::Amount) else {
        return Ok(None);
    };
    let value = values::amount(&text)?;
    let currency = cells
        .get(Field::Currency)
        .ok_or_else(|| format!("amount {text:?} has no currency"))?;
    Ok(Some((value, values::currency(&currency)?)))
}

#[cfg(test)]
mod tests {
    use super::super::{plan, Options, Plan, Preset};
    use super::*;

    fn settings() -> Settings {
        let text = include_str!("../../tests/fixtures/leadmail.toml");
        Settings::from_toml(text, std::path::Path::new(".")).expect("a valid config")
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T11:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn import(kind: ImportKind, csv: &str) -> Plan {
        let options = Options {
            kind,
            preset: Some(Preset::Leadmail),
            map: None,
        };
        plan(csv, options, &settings(), now()).expect("a readable file")
    }

    fn reasons(plan: &Plan) -> Vec<(u64, String)> {
        plan.refused
            .iter()
            .map(|r| (r.line, r.reason.clone()))
            .collect()
    }

    #[test]
    fn a_full_row_becomes_a_contact_with_its_company_and_a_lead() {
        let plan = import(
            ImportKind::Lead,
            "title,company,contact_name,contact_email,owner,status,step,amount,currency,next_action_due,tags\r\n\
             Pricing,Globex,Ada Lovelace,ada@globex.example,Alice Martins,todo,demo,\"5,000\",eur,2026-12-01 09:00,vip; q4\r\n",
        );
        assert_eq!(reasons(&plan), []);
        let row = &plan.rows[0];
        assert_eq!(row.line, 2);
        let company = row.contact.company.as_ref().unwrap();
        assert_eq!(
            (company.name.as_str(), company.domain.as_deref()),
            ("Globex", Some("globex.example"))
        );
        let lead = row.lead.as_ref().unwrap();
        assert_eq!(lead.owner.as_ref().unwrap().as_str(), "alice@acme.test");
        assert_eq!(lead.step.as_deref(), Some("Demo"));
        assert_eq!(lead.amount, Some((5000.0, "EUR".to_string())));
        assert_eq!(lead.tags, ["vip", "q4"]);
        assert_eq!(lead.next_action.as_ref().unwrap().kind, "follow_up");
        assert_eq!(lead.created_at, now());
        assert_eq!(lead.source, "manual");
    }

    #[test]
    fn bad_rows_are_refused_with_their_line_and_reason() {
        let plan = import(
            ImportKind::Lead,
            "kind,contact_email,owner,status\n\
             lead,not-an-address,,\n\
             customer,bo@initech.example,,\n\
             lead,cy@initech.example,zoe@acme.test,\n\
             \"lead\",\"multi\nline@x.example\",,\n\
             lead,bruno@acme.test,,\n\
             lead,di@initech.example,,standby\n\
             lead,ed@initech.example,bruno@acme.test,todo\n",
        );
        let refused = reasons(&plan);
        let lines: Vec<u64> = refused.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 3, 4, 5, 7, 8], "{refused:?}");
        assert!(
            refused[0].1.contains("not an e-mail address"),
            "{refused:?}"
        );
        assert!(refused[1].1.contains("kind \"customer\""), "{refused:?}");
        assert!(refused[2]
            .1
            .contains("owner \"zoe@acme.test\" is not a configured user"));
        assert!(refused[4].1.contains("our own addresses"), "{refused:?}");
        assert!(refused[5].1.contains("standby_until"), "{refused:?}");
        assert_eq!(plan.rows.len(), 1);
        assert_eq!(plan.rows[0].line, 9);
    }

    #[test]
    fn a_closing_stage_sets_the_status_and_an_unknown_step_is_refused() {
        let plan = import(
            ImportKind::Prospect,
            "contact_email,step\nann@globex.example,Closed Won\nbo@globex.example,Qualified\n",
        );
        let lead = plan.rows[0].lead.as_ref().unwrap();
        assert_eq!(
            (lead.kind, lead.status, lead.step.clone()),
            (LeadKind::Prospect, LeadStatus::Won, None)
        );
        assert!(reasons(&plan)[0].1.contains("not a configured step"));
    }

    #[test]
    fn free_mail_and_our_own_domains_make_no_company() {
        let plan = import(
            ImportKind::Contact,
            "contact_email,contact_name\nada@gmail.com,Ada\n",
        );
        assert_eq!(plan.rows[0].contact.company, None);
        assert_eq!(plan.rows[0].lead, None);
    }

    #[test]
    fn an_amount_needs_a_currency_and_a_next_action_kind_needs_a_date() {
        let plan = import(
            ImportKind::Lead,
            "contact_email,amount,next_action_kind\nada@globex.example,100,\nbo@globex.example,,call\n",
        );
        let refused = reasons(&plan);
        assert!(refused[0].1.contains("no currency"), "{refused:?}");
        assert!(refused[1].1.contains("no next_action_due"), "{refused:?}");
    }
}
