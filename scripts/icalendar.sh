#!/usr/bin/env bash
# Python's icalendar in the test venv (.venv-test/, made by scripts/smtp.sh),
# so the tests can parse leadmail's calendar feed with an implementation
# that is not ours.
#
#   scripts/icalendar.sh install     the venv (via scripts/smtp.sh install), then icalendar
set -euo pipefail

prog="scripts/icalendar.sh"
repo="$(cd "$(dirname "$0")/.." && pwd -P)"
venv="$repo/.venv-test"
# Pinned: the version the feed tests were written against.
icalendar_req="icalendar==7.3.2"

die() { echo "$prog: $*" >&2; exit 1; }

installed() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import icalendar' 2>/dev/null
}

case "${1:-}" in
  install)
    bash "$repo/scripts/smtp.sh" install
    installed && exit 0
    log="$(mktemp -t icalendar-install.XXXXXX)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$icalendar_req" >"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; rm -f "$log"; die "pip install $icalendar_req failed (output above)"; }
    rm -f "$log"
    installed || die "icalendar still not importable from $venv"
    echo "$prog: installed $icalendar_req into $venv" >&2
    ;;
  *) sed -n '5,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
