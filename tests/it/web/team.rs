//! A team lead over HTTP: their team's leads and nobody else's, the Team
//! page's counts for their reps (and an admin's for everyone), and handing
//! a lead to a rep of their team (not to someone outside it).

use super::act;
use crate::support::web::{signed_in, WebApp};
use serde_json::Value;

/// Bruno leads the Benelux team, which gets a second rep, Carla; Alice
/// (admin) stays in Iberia.
fn make_bruno_a_team_lead(web: &mut WebApp) {
    web.restart_with(|app| {
        app.set_config("users.1.role", "team_lead");
        let text = std::fs::read_to_string(&app.config).expect("read config");
        let carla = "\n[[users]]\nemail = \"carla@acme.test\"\nname = \"Carla Dias\"\n\
                     role = \"user\"\nteam = \"benelux\"\ntime_zone = \"Europe/Amsterdam\"\n\
                     workday_start = \"09:00\"\n";
        std::fs::write(&app.config, text + carla).expect("write config");
    });
}

/// Every open lead and prospect as `leads list` sees them.
fn open_records(web: &WebApp) -> Vec<Value> {
    let list = web.app.json(&["leads", "list", "--kind", "all", "--json"]);
    list.as_array().expect("a list").clone()
}

fn owned_by<'a>(records: &'a [Value], owner: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["owner"] == owner).collect()
}

/// The Team page's activity row of `email`: its cells' text.
fn activity_row(page: &str, email: &str) -> Vec<String> {
    let at = page
        .rfind(&format!("<td>{email}</td>"))
        .unwrap_or_else(|| panic!("no activity row for {email}:\n{page}"));
    let row = &page[at..page[at..].find("</tr>").map_or(page.len(), |end| at + end)];
    row.split("<td>")
        .skip(1)
        .map(|cell| cell.split("</td>").next().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_team_lead_sees_and_hands_over_their_teams_leads_only() {
    let Some(mut web) = WebApp::start("team") else {
        return;
    };
    make_bruno_a_team_lead(&mut web);
    let records = open_records(&web);
    let alices = owned_by(&records, "alice@acme.test");
    let brunos = owned_by(&records, "bruno@acme.test");
    assert!(
        !alices.is_empty() && !brunos.is_empty(),
        "the demo gives both reps open records: {records:#?}"
    );
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let alice_lead = alices[0]["id"].as_i64().unwrap();
    assert_eq!(
        bruno.get(&format!("/leads/{alice_lead}")).await.status,
        404,
        "Alice is not in Bruno's team"
    );
    let team = bruno.get("/team").await;
    assert_eq!(team.status, 200, "a team lead has a Team page");
    assert!(team.body.contains("carla@acme.test"), "{}", team.body);
    assert!(
        !team.body.contains("<td>alice@acme.test</td>"),
        "only Bruno's team: {}",
        team.body
    );
    let replied = |r: &&&Value| {
        r["kind"] == "prospect"
            && r["flags"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| x == "replied"))
    };
    let row = activity_row(&team.body, "bruno@acme.test");
    assert_eq!(row[1], brunos.len().to_string(), "open: {row:?}");
    assert_eq!(
        row[3],
        brunos.iter().filter(replied).count().to_string(),
        "replied: {row:?}"
    );
    assert_eq!(activity_row(&team.body, "carla@acme.test")[1], "0");
    let mut alice = signed_in(&web, "alice@acme.test").await;
    let everyone = alice.get("/team").await.body;
    let row = activity_row(&everyone, "alice@acme.test");
    let alices_replied = alices.iter().filter(replied).count();
    assert!(
        alices_replied > 0,
        "the demo has a prospect who replied to Alice"
    );
    assert_eq!(row[1], alices.len().to_string(), "open: {row:?}");
    assert_eq!(row[3], alices_replied.to_string(), "replied: {row:?}");

    let lead = brunos[0]["id"].as_i64().unwrap();
    let outside = act(
        &mut bruno,
        lead,
        &[("action", "owner"), ("owner", "alice@acme.test")],
    )
    .await;
    assert_eq!(outside.status, 400, "not to someone outside the team");
    let inside = act(
        &mut bruno,
        lead,
        &[("action", "owner"), ("owner", "carla@acme.test")],
    )
    .await;
    assert_eq!(inside.status, 303, "{}", inside.body);
    let now_carlas = open_records(&web);
    let handed: Vec<i64> = owned_by(&now_carlas, "carla@acme.test")
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .collect();
    assert_eq!(handed, [lead], "the CLI sees the lead as Carla's");
    assert_eq!(
        bruno.get(&format!("/leads/{lead}")).await.status,
        200,
        "still in Bruno's team"
    );
    let team = bruno.get("/team").await.body;
    assert_eq!(activity_row(&team, "carla@acme.test")[1], "1", "{team}");
}
