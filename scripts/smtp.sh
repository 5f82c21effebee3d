#!/usr/bin/env bash
# A throwaway SMTP receiver on loopback (scripts/smtp-sink.py), for tests and
# the demo.
#
#   scripts/smtp.sh install                    venv .venv-test/ with aiosmtpd
#   scripts/smtp.sh start DIR [SINK_OPTIONS]   certificates, start; prints DIR/env
#   scripts/smtp.sh stop DIR                   SIGTERM the sink, SIGKILL after 10 s
#
# What `start DIR` sets up (everything lives in DIR):
#   - DIR/ca.pem: a fresh CA, the trust root for clients; DIR/server.pem and
#     DIR/server.key: the certificate it signed for localhost and 127.0.0.1
#     (end-entity, SAN, serverAuth: accepted by rustls). STARTTLS is offered
#     with it; pass --no-tls to run without TLS at all.
#   - DIR/mail/: one NNNNNN.eml (bytes as received) + NNNNNN.json (envelope)
#     per message; the .json appears last.
#   - DIR/smtp.log: the sink's output (one line per message received).
#   - DIR/env: shell-sourceable KEY=VALUE lines, also printed on stdout:
#       SMTP_HOST SMTP_PORT SMTP_CA SMTP_OUT SMTP_PID
# SINK_OPTIONS go to smtp-sink.py as they are, e.g. --require-starttls,
# --implicit-tls, --auth-user U --auth-password P, --auth-plaintext, --port N
# (see the top of scripts/smtp-sink.py).
#
# Listens on 127.0.0.1 only. Needs no root once installed. The venv lives in
# .venv-test/ at the repository root (git must ignore it).
set -euo pipefail

prog="scripts/smtp.sh"
repo="$(cd "$(dirname "$0")/.." && pwd -P)"
venv="$repo/.venv-test"
sink="$repo/scripts/smtp-sink.py"
# Pinned: the version the sink was written and checked against.
aiosmtpd_req="aiosmtpd==1.4.6"

die() { echo "$prog: $*" >&2; exit 1; }
# shellcheck source=scripts/server-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"

usage() {
  sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# abs_dir DIR: DIR as an absolute path; rejects characters that the env file
# would need quoted.
abs_dir() {
  local d
  d="$(cd "$1" && pwd -P)" || die "cannot enter $1"
  case "$d" in
    *[!A-Za-z0-9_./+@:=-]*) die "directory path '$d' has characters this script does not quote; use a plain path such as /tmp/smtp-XXXX" ;;
  esac
  printf '%s\n' "$d"
}

# pid_is_our_sink PID DIR: PID is alive and is smtp-sink.py writing to DIR/mail
# (guards against signalling a reused pid).
pid_is_our_sink() {
  local pid="$1" dir="$2" cmdline
  [ -n "$pid" ] && alive "$pid" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  case "$cmdline" in
    *smtp-sink.py*" --out $dir/mail "*) return 0 ;;
    *) return 1 ;;
  esac
}

venv_ok() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null
}

cmd_install() {
  [ $# -eq 0 ] || usage
  if venv_ok; then
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 is not installed (apt-get install python3 python3-venv)"
  local log; log="$(mktemp -t smtp-install.XXXXXX)"
  rm -rf "$venv"
  # Debian's system Python needs python3-venv for ensurepip; install it only
  # when the first attempt fails.
  if ! python3 -m venv "$venv" >"$log" 2>&1; then
    rm -rf "$venv"
    echo "$prog: python3 -m venv failed; installing python3-venv" >&2
    { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
        && python3 -m venv "$venv"
    } >>"$log" 2>&1 || { tail -n 30 "$log" >&2; rm -f "$log"; die "could not create $venv"; }
  fi
  if ! "$venv/bin/python" -m pip install -q --disable-pip-version-check "$aiosmtpd_req" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$log"
    die "pip install $aiosmtpd_req failed (output above)"
  fi
  rm -f "$log"
  venv_ok || die "aiosmtpd still not importable from $venv"
  echo "$prog: installed $aiosmtpd_req into $venv" >&2
}

# make_certs DIR: a test CA and a loopback server certificate (scripts/test-certs.sh).
make_certs() {
  bash "$(dirname "${BASH_SOURCE[0]}")/test-certs.sh" "$1" || die "openssl failed to generate the test certificates in $1"
}

cmd_start() {
  [ $# -ge 1 ] || usage
  venv_ok || die "aiosmtpd is not installed (run: $prog install)"
  mkdir -p "$1"
  local dir; dir="$(abs_dir "$1")"; shift

  local old_pid; old_pid="$(env_value "$dir" SMTP_PID)"
  if pid_is_our_sink "$old_pid" "$dir"; then
    die "an SMTP sink from $dir is already running (pid $old_pid); run: $prog stop $dir"
  fi

  # --no-tls is ours: it means "do not hand the sink a certificate".
  local tls=1 a; local -a extra=()
  for a in "$@"; do
    if [ "$a" = --no-tls ]; then tls=""; else extra+=("$a"); fi
  done

  mkdir -p "$dir/mail"
  rm -f "$dir/env" "$dir/smtp.log"
  local -a tls_args=()
  local ca=""
  if [ -n "$tls" ]; then
    make_certs "$dir"
    tls_args=(--tls-cert "$dir/server.pem" --tls-key "$dir/server.key")
    ca="$dir/ca.pem"
  fi

  # In the background with its output in a file, so a caller reading our
  # stdout is not held open by the sink. -u: unbuffered, so the SMTP_PORT
  # line reaches the log at once.
  local t0; t0="$(date +%s%N)"
  "$venv/bin/python" -u "$sink" --out "$dir/mail" ${tls_args[@]+"${tls_args[@]}"} \
    ${extra[@]+"${extra[@]}"} </dev/null >"$dir/smtp.log" 2>&1 &
  local pid=$!

  # Wait (bounded, 10 s) for the sink's "SMTP_PORT=N" line.
  local deadline=$(( $(date +%s) + 10 )) port=""
  while [ "$(date +%s)" -lt "$deadline" ] && alive "$pid"; do
    port="$(sed -n 's/^SMTP_PORT=\([0-9][0-9]*\)$/\1/p' "$dir/smtp.log" | head -n 1)"
    [ -n "$port" ] && break
    sleep 0.02
  done
  if [ -z "$port" ]; then
    if alive "$pid"; then
      echo "$prog: the SMTP sink did not report its port within 10 s" >&2
      kill -TERM "$pid" 2>/dev/null || true
    else
      echo "$prog: the SMTP sink exited while starting" >&2
    fi
    echo "---- tail of $dir/smtp.log" >&2
    tail -n 30 "$dir/smtp.log" >&2 || true
    exit 1
  fi
  local t1; t1="$(date +%s%N)"

  cat >"$dir/env" <<EOF
SMTP_HOST=127.0.0.1
SMTP_PORT=$port
SMTP_CA=$ca
SMTP_OUT=$dir/mail
SMTP_PID=$pid
EOF
  cat "$dir/env"
  echo "$prog: SMTP sink up in $(( (t1 - t0) / 1000000 )) ms (log: $dir/smtp.log)" >&2
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || die "no such directory: $1"
  local dir; dir="$(abs_dir "$1")"
  local pid; pid="$(env_value "$dir" SMTP_PID)"
  if ! pid_is_our_sink "$pid" "$dir"; then
    echo "$prog: no SMTP sink from $dir is running" >&2
    return 0
  fi
  stop_pid "$pid" "SMTP sink"
}

[ $# -ge 1 ] || usage
sub="$1"; shift
case "$sub" in
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  -h|--help|help) usage ;;
  *) echo "$prog: unknown subcommand '$sub'" >&2; usage ;;
esac
