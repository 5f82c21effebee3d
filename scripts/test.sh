#!/usr/bin/env bash
# Runs the whole test suite: unit tests, golden fixtures, corpus sweeps and CLI tests.
# Installs what the tests need on a fresh Debian machine first.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "scripts/test.sh: cargo is not installed (install Rust stable first)" >&2
  exit 1
fi
# The integration tests run against a real Dovecot on loopback.
bash scripts/dovecot.sh install
bash scripts/smtp.sh install
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo test --all-targets --locked
