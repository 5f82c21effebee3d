#!/usr/bin/env bash
# Debian's headless Chromium driven over WebDriver, for the web app's
# browser tests (tests/it/web_browser.rs).
#
#   scripts/chromedriver.sh install        apt-get install chromium chromium-driver if missing
#   scripts/chromedriver.sh start DIR      chromedriver on a free loopback port; prints DIR/env
#   scripts/chromedriver.sh stop DIR       SIGTERM it, SIGKILL after 10 s
#
# DIR/env holds CHROMEDRIVER_PORT, CHROMEDRIVER_PID and CHROMIUM (the
# browser binary for the session's capabilities); DIR/chromedriver.log its
# output. It accepts connections from 127.0.0.1 only.
set -euo pipefail

prog="scripts/chromedriver.sh"
die() { echo "$prog: $*" >&2; exit 1; }
# shellcheck source=scripts/server-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"

usage() {
  sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd_install() {
  command -v chromedriver >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 && return 0
  local log; log="$(mktemp -t chromedriver-install.XXXXXX)"
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
           --no-install-recommends -o Dpkg::Use-Pty=0 chromium chromium-driver; } >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; rm -f "$log"; die "apt-get install chromium chromium-driver failed (output above)"; }
  rm -f "$log"
  echo "$prog: installed chromium and chromium-driver" >&2
}

# free_port: a port the kernel picks for 127.0.0.1 (closed again at once).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

cmd_start() {
  [ $# -eq 1 ] || usage
  command -v chromedriver >/dev/null 2>&1 || die "chromedriver is not installed (run: $prog install)"
  mkdir -p "$1"
  local dir; dir="$(cd "$1" && pwd -P)"
  local port; port="$(free_port)"
  chromedriver --port="$port" --allowed-ips=127.0.0.1 >"$dir/chromedriver.log" 2>&1 &
  local pid=$!
  local deadline=$(( $(date +%s) + 20 ))
  until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; do
    alive "$pid" || { tail -n 20 "$dir/chromedriver.log" >&2; die "chromedriver exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "chromedriver did not listen on $port within 20 s"
    sleep 0.05
  done
  printf 'CHROMEDRIVER_PORT=%s\nCHROMEDRIVER_PID=%s\nCHROMIUM=%s\n' \
    "$port" "$pid" "$(command -v chromium)" >"$dir/env"
  cat "$dir/env"
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  local pid; pid="$(env_value "$1" CHROMEDRIVER_PID)"
  if [ -n "$pid" ] && alive "$pid"; then
    stop_pid "$pid" chromedriver
  fi
}

sub="${1:-}"
[ $# -gt 0 ] && shift
case "$sub" in
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  *) usage ;;
esac
