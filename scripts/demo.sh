#!/usr/bin/env bash
# Runs leadmail end to end on a local demo setup: installs Dovecot if missing,
# starts it on loopback with a generated certificate and config in a temp dir,
# delivers a morning of mail at "Acme" into the CRM mailbox (forwards in four
# languages, a BCC'd cold mail, a partner introduction, a web form, a
# prospect's reply, a bounce, an out-of-office, a spoofed rep, an unknown
# sender, a newsletter), runs `leadmail run --once` over IMAP until it is
# caught up, and prints what it filed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "demo.sh: cargo is not installed (install Rust stable first)" >&2; exit 1; }
bash scripts/dovecot.sh install
bash scripts/smtp.sh install
echo "== building leadmail (the first build takes a few minutes)"
cargo build --locked
bin="$PWD/target/debug/leadmail"
work="$(mktemp -d -t leadmail-demo.XXXXXX)"
chmod 755 "$work"
# KEEP_DEMO=1 keeps the temp folder (config, database, mail) for a look.
trap 'bash scripts/dovecot.sh stop "$work/dovecot" >/dev/null 2>&1 || true; bash scripts/smtp.sh stop "$work/smtp" >/dev/null 2>&1 || true; [ -n "${KEEP_DEMO:-}" ] || rm -rf "$work"' EXIT
bash scripts/dovecot.sh start "$work/dovecot" >/dev/null
# shellcheck disable=SC1091
. "$work/dovecot/env"
bash scripts/smtp.sh start "$work/smtp" >/dev/null
. "$work/smtp/env"
bash scripts/dovecot.sh deliver "$work/dovecot" crm tests/fixtures/demo/cur/*.eml
printf '%s' "$IMAP_PASSWORD" > "$work/imap-password"
sed "s|sqlite://unused.db|sqlite://$work/leadmail.db|" tests/fixtures/leadmail.toml > "$work/leadmail.toml"
cat >> "$work/leadmail.toml" <<TOML

[[mailboxes]]
name = "crm"
host = "127.0.0.1"
port = $IMAPS_PORT
tls = "implicit"
ca_file = "$IMAP_CA"
username = "crm"
password_file = "imap-password"
folder = "INBOX"
processed_folder = "Processed"
quarantine_folder = "Quarantine"

[smtp]
host = "127.0.0.1"
port = $SMTP_PORT
tls = "starttls"
ca_file = "$SMTP_CA"
from = "leadmail <crm@acme.test>"
TOML
chmod 600 "$work/leadmail.toml" "$work/imap-password"
export LEADMAIL_CONFIG="$work/leadmail.toml"
# The demo mail is dated the morning of Monday 23 November 2026: run the
# demo's clock from then (leadmail's hidden clock override) so its digest
# shows that morning whatever today is.
export LEADMAIL_NOW="2026-11-23T10:30:00Z"
echo "== Dovecot on 127.0.0.1:$IMAPS_PORT, SMTP receiver on 127.0.0.1:$SMTP_PORT, config and database in $work"
echo "== leadmail doctor"
"$bin" doctor
echo "== leadmail run --once"
"$bin" run --once
echo; echo "== leads"; "$bin" leads list
echo; echo "== prospects"; "$bin" prospects list
echo; echo "== contacts"; "$bin" contacts list
echo; echo "== quarantine"; "$bin" quarantine list
echo; echo "== timeline of lead 2"; "$bin" timeline 2
echo; echo "== lead 1 as JSON"; "$bin" leads show 1 --json
echo; echo "== status"; "$bin" status
echo; echo "== Alice's morning digest (digest preview; add --html for the HTML part)"
"$bin" digest preview --user alice@acme.test
echo "== digest send: through the outbox to the SMTP receiver"
"$bin" digest send --user alice@acme.test
received="$(ls "$SMTP_OUT"/*.eml | head -n 1)"
echo "-- received as $received:"
grep -E '^(Subject|Message-ID|Auto-Submitted|X-Leadmail|Content-Type): ' "$received" | head -n 6
echo; echo "== Dovecot folders after the run"
for folder in INBOX Processed Quarantine; do
  doveadm -c "$DOVECOT_CONF" mailbox status -u crm messages "$folder"
done
