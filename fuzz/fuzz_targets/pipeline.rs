//! Fuzz target: any bytes through the pure pipeline (parse → classify →
//! plan) with the fixture configuration must give a plan, never a panic.
#![no_main]

use leadmail::config::Settings;
use leadmail::ingest::plan_message;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/leadmail.toml");
        Settings::load(std::path::Path::new(path)).expect("the fixture config loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let arrived = chrono::DateTime::from_timestamp(1_795_430_000, 0).expect("a fixed time");
    let plan = plan_message(data, settings(), arrived);
    assert!(!plan.rule.is_empty(), "every message gets a rule");
});
