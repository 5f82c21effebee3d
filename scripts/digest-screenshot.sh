#!/usr/bin/env bash
# Renders the HTML part of Alice's digest on the demo morning with headless
# Chromium into docs/digest.png (installs Debian's chromium if missing).
#
#   scripts/digest-screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/digest.png}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
if ! command -v chromium >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
cargo build --quiet --locked --bin leadmail
work="$(mktemp -d -t leadmail-shot.XXXXXX)"
trap 'rm -rf "$work"' EXIT
sed "s|sqlite://unused.db|sqlite://$work/leadmail.db|" tests/fixtures/leadmail.toml >"$work/leadmail.toml"
chmod 600 "$work/leadmail.toml"
bin="$PWD/target/debug/leadmail"
"$bin" --config "$work/leadmail.toml" ingest --maildir tests/fixtures/demo >/dev/null
# preview prints "Subject: …" and a blank line before the HTML.
"$bin" --config "$work/leadmail.toml" digest preview --user alice@acme.test --html | tail -n +3 >"$work/digest.html"
# The flags keep Chromium off the network (this machine has none) and quiet.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size=720,1500 \
  --screenshot="$out" "file://$work/digest.html" 2>/dev/null
echo "wrote $out"
