//! Rebuilds the crate when a migration is added, changed or removed: the
//! store embeds `migrations/` and `migrations/postgres/` with
//! `sqlx::migrate!`, which cargo does not otherwise watch for new files.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
