#!/usr/bin/env bash
# Runs the whole test suite: unit tests, golden fixtures, corpus sweeps and
# CLI tests against real servers, then the suites that touch dates again
# under a system clock moved 400 days ahead (libfaketime), which proves no
# test depends on today's date. Installs what the tests need on a fresh
# Debian machine first; a server that is still missing then fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
prog="scripts/test.sh"
die() { echo "$prog: $*" >&2; exit 1; }
# shellcheck source=scripts/server-lib.sh
. scripts/server-lib.sh
if ! command -v cargo >/dev/null 2>&1; then
  die "cargo is not installed (install Rust stable first)"
fi
# The integration tests run against a real Dovecot and SMTP receiver on loopback.
bash scripts/dovecot.sh install
bash scripts/smtp.sh install
# PostgreSQL (Debian's postgresql): the schema's test, and the second pass
# of the store, CLI, daemon and digest suites on the PostgreSQL backend.
bash scripts/postgres.sh install
# Python's icalendar parses the web app's calendar feed in the tests.
bash scripts/icalendar.sh install
# Headless Chromium and its WebDriver for the web app's browser tests.
bash scripts/chromedriver.sh install
# faketime for the moved-clock pass; dnsmasq (Debian's dnsmasq-base: the
# binary only, no service) as the DNS server of the sender-verification tests.
missing=()
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
[ -x /usr/sbin/dnsmasq ] || command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
if [ ${#missing[@]} -gt 0 ]; then
  echo "$prog: installing ${missing[*]}" >&2
  log="$(mktemp -t test-install.XXXXXX)"
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
           --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}"; } >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; rm -f "$log"; die "apt-get install ${missing[*]} failed (output above)"; }
  rm -f "$log"
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Installed above, so a missing server is a failure, not a skip. The tests
# that need a server are #[ignore]d for a bare `cargo test` (its summary
# counts them as ignored); here they run.
export LEADMAIL_REQUIRE_SERVERS=1
cargo test --all-targets --all-features --locked -- --include-ignored
# The same store, CLI, daemon and digest suites (and the cluster,
# several-daemons and replies-across-daemons tests, the webhooks, import,
# export, trust, attachments, web and golden suites) on the PostgreSQL
# backend: the store tests on a throwaway cluster started here (a new
# database per test), the integration suites each leadmail on a new
# database of the cluster the test binary starts.
echo "== the store, CLI, daemon, digest and other suites on PostgreSQL"
pg_dir="$(mktemp -d -t leadmail-pg-tests.XXXXXX)"
trap 'bash scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true; rm -rf "$pg_dir"' EXIT
pg_url="$(bash scripts/postgres.sh start "$pg_dir" | sed -n 's/^PG_URL=//p')"
[ -n "$pg_url" ] || die "scripts/postgres.sh start printed no PG_URL"
LEADMAIL_TEST_POSTGRES="$pg_url" cargo test --locked --all-features --lib -- store::
LEADMAIL_TEST_BACKEND=postgres cargo test --locked --all-features --test it -- \
  --include-ignored cli:: daemon:: digest:: cluster:: several_daemons:: replies_across_daemons:: \
  webhooks:: import:: export:: trust:: attachments:: web:: golden::
# The suites that file mail or build digests, again with the wall clock
# 400 days ahead (the monotonic clock left alone, as tokio's timers need).
# They are built first with the real clock: nothing compiles under
# libfaketime (rustc was seen to hang there), only the tests run.
# The library's tests, then the integration suites (modules of the one
# test binary tests/it) that touch dates, chosen by module path. The web
# suite's servers (chromedriver and its Chromium, the SMTP sink) and
# Python's icalendar run on the real clock like every test server; only
# leadmail runs 400 days ahead (with chromedriver and Chromium under
# libfaketime the suite took 219-294 s under faketime; now 14 s, as without).
dated_suites=(cli:: digest:: golden:: export:: import:: daemon:: attachments:: trust:: webhooks:: web::)
cargo test --locked --no-run --all-features --lib --test it
echo "== the date-touching suites under faketime +400d"
FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "+400d" \
  cargo test --locked --offline --all-features --lib -- --include-ignored
FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "+400d" \
  cargo test --locked --offline --all-features --test it -- --include-ignored "${dated_suites[@]}"
