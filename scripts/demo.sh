#!/usr/bin/env bash
# Runs leadmail end to end on a local demo setup: a throwaway config and
# database in a temp dir, a Maildir holding a morning of mail at "Acme"
# (forwards in four languages, a BCC'd cold mail, a partner introduction, a
# web form, a prospect's reply, a bounce, an out-of-office, a spoofed rep, an
# unknown sender, a newsletter), then prints what leadmail filed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "demo.sh: cargo is not installed (install Rust stable first)" >&2; exit 1; }
cargo build --quiet --locked
bin="$PWD/target/debug/leadmail"
work="$(mktemp -d -t leadmail-demo.XXXXXX)"
sed "s|sqlite://unused.db|sqlite://$work/leadmail.db|" tests/fixtures/leadmail.toml > "$work/leadmail.toml"
export LEADMAIL_CONFIG="$work/leadmail.toml"
echo "== demo config and database in $work"
echo "== ingesting tests/fixtures/demo (a Maildir)"
"$bin" ingest --maildir tests/fixtures/demo
echo; echo "== leads"; "$bin" leads list
echo; echo "== prospects"; "$bin" prospects list
echo; echo "== contacts"; "$bin" contacts list
echo; echo "== quarantine"; "$bin" quarantine list
echo; echo "== timeline of lead 2"; "$bin" timeline 2
echo; echo "== lead 1 as JSON"; "$bin" leads show 1 --json
echo; echo "== ingesting again: every message is a duplicate"
"$bin" ingest --maildir tests/fixtures/demo --json | grep -c '"duplicate"' | sed 's/$/ duplicates/'
