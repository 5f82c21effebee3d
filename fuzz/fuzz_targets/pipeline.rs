//! Fuzz target: any bytes through the pure pipeline (parse → classify →
//! plan) with the fixture configuration must give a plan. The pipeline
//! catches panics (a known one lives in mail-parser 0.11.9) and quarantines
//! the message; a panic anywhere else — leadmail's own code — still fails
//! the run here, as does a stack overflow, a hang or runaway memory.
#![no_main]

use leadmail::config::Settings;
use leadmail::ingest::plan_message;
use libfuzzer_sys::fuzz_target;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

/// Set by the panic hook when a panic starts outside mail-parser.
static OWN_PANIC: AtomicBool = AtomicBool::new(false);

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/leadmail.toml");
        Settings::load(std::path::Path::new(path)).expect("the fixture config loads")
    })
}

fn watch_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parser = info
                .location()
                .is_some_and(|at| at.file().contains("mail-parser"));
            if !in_parser {
                OWN_PANIC.store(true, Ordering::SeqCst);
                default(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    watch_panics();
    let arrived = chrono::DateTime::from_timestamp(1_795_430_000, 0).expect("a fixed time");
    let plan = plan_message(data, settings(), arrived);
    assert!(!plan.rule.is_empty(), "every message gets a rule");
    assert!(
        !OWN_PANIC.swap(false, Ordering::SeqCst),
        "a panic in leadmail's own code (caught by the pipeline's guard)"
    );
});
