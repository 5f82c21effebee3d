#!/usr/bin/env bash
# A throwaway Dovecot 2.3 IMAP server on loopback, for tests and the demo.
#
#   scripts/dovecot.sh install              install Dovecot + openssl if `dovecot` is missing
#   scripts/dovecot.sh start DIR            config, certificates, start; prints DIR/env
#   scripts/dovecot.sh deliver DIR USER FILE...
#                                           save each FILE into USER's INBOX
#   scripts/dovecot.sh import DIR USER FILE...
#                                           the same in bulk (thousands per second):
#                                           one `doveadm import` of a staged Maildir
#   scripts/dovecot.sh stop DIR             SIGTERM the master (SIGKILL after 10 s)
#                                           and the client processes it leaves
#
# What `start DIR` sets up (everything lives in DIR, nothing else is touched):
#   - DIR/dovecot.conf: listen on 127.0.0.1 only, an IMAP port (plaintext, and
#     STARTTLS since `ssl = yes`) and an IMAPS port (implicit TLS), both free
#     ports picked at start; base_dir (DIR/run), state_dir (DIR/state) and
#     log_path (DIR/dovecot.log) inside DIR. base_dir must not be DIR itself:
#     the master puts a symlink named dovecot.conf into base_dir, which would
#     replace DIR/dovecot.conf with a symlink to itself.
#   - passdb static `password=testpass` accepts ANY user name, so each test can
#     use its own user, and so its own mailbox, on one shared server.
#   - userdb static home=DIR/mail/%n, Maildir in ~/Maildir, all mail owned by
#     nobody:nogroup.
#   - DIR/ca.pem: a freshly generated CA, the trust root for clients (rustls,
#     openssl s_client -CAfile, Python ssl). DIR/server.pem + DIR/server.key:
#     the server certificate it signed, for localhost and 127.0.0.1.
#   - DIR/dovecot.log: Dovecot's log (look here when a test fails).
#   - DIR/env: shell-sourceable KEY=VALUE lines, also printed on stdout:
#       IMAP_HOST IMAP_PORT IMAPS_PORT IMAP_PASSWORD IMAP_CA DOVECOT_CONF DOVECOT_PID
#
# OAuth2: with DOVECOT_OAUTH2_URL=http://127.0.0.1:PORT (a token endpoint
# such as tests/it/support/token-server.py), XOAUTH2 and OAUTHBEARER are
# offered too and checked by Dovecot's oauth2 passdb, written to
# DIR/dovecot-oauth2.conf.ext: it POSTs token=... to $DOVECOT_OAUTH2_URL/introspect
# and wants {"active": true, "username": USER} back. PLAIN and LOGIN keep
# the static password passdb.
#
# Ports: set DOVECOT_IMAP_PORT / DOVECOT_IMAPS_PORT to reuse fixed ports (for
# example to restart a server on the ports a client is reconnecting to);
# otherwise two free ports are picked. Picking is bind-port-0-then-close, so
# another process could in theory grab the port in between; start then fails
# with Dovecot's "Address already in use" in the log tail.
#
# Needs root (Dovecot's master must be root to switch to nobody for mail).
# Start once per test binary, not per test: Dovecot is up ~0.1 s after
# launch (~0.5 s for the whole `start`, certificates included), but a
# graceful stop takes 1-3 s.
set -euo pipefail

prog="scripts/dovecot.sh"
die() { echo "$prog: $*" >&2; exit 1; }
# shellcheck source=scripts/server-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (Dovecot's master must run as root); run it with sudo"
}

# abs_dir DIR: DIR as an absolute, symlink-free path. Rejects whitespace and
# characters that would need quoting in dovecot.conf or the env file, and
# paths so long that Dovecot's unix sockets in base_dir (e.g.
# DIR/run/token-login/tokenlogin) would pass the 108-byte sun_path limit.
abs_dir() {
  local d
  d="$(cd "$1" && pwd -P)" || die "cannot enter $1"
  case "$d" in
    *[!A-Za-z0-9_./+@:=-]*) die "directory path '$d' has characters this script does not quote; use a plain path such as /tmp/dovecot-XXXX" ;;
  esac
  [ "${#d}" -le 70 ] || die "directory path '$d' is longer than 70 characters; Dovecot's unix sockets inside it would be too long"
  printf '%s\n' "$d"
}

# pid_is_our_dovecot PID CONF: true if PID is alive and is a dovecot master
# started with -c CONF (guards against signalling a reused pid).
pid_is_our_dovecot() {
  local pid="$1" conf="$2" cmdline
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  case "$cmdline" in
    *dovecot*" -c $conf"*) return 0 ;;
    *) return 1 ;;
  esac
}

cmd_install() {
  if command -v dovecot >/dev/null 2>&1 && command -v doveadm >/dev/null 2>&1 \
     && command -v openssl >/dev/null 2>&1 && [ -e /usr/lib/dovecot/imap ]; then
    return 0
  fi
  echo "$prog: installing dovecot-imapd dovecot-lmtpd openssl" >&2
  # The package's postinst would start a system-wide Dovecot on *:143/*:993
  # through invoke-rc.d. Where there is no policy-rc.d (containers usually
  # have one that returns 101), add a temporary one that forbids starting
  # services, and remove it afterwards.
  local policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    policy_added=1
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # apt and the maintainer scripts are chatty (on stdout and stderr): keep
  # their output in a temp file and show its tail only if something fails.
  local log; log="$(mktemp -t dovecot-install.XXXXXX)"
  if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
         && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
              --no-install-recommends -o Dpkg::Use-Pty=0 dovecot-imapd dovecot-lmtpd openssl
       } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    die "apt-get failed (output above)"
  fi
  rm -f "$log"
  if [ -n "$policy_added" ]; then
    as_root rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
  command -v dovecot >/dev/null 2>&1 || die "apt-get finished but 'dovecot' is still not on PATH"
  echo "$prog: installed $(dovecot --version 2>/dev/null || echo dovecot)" >&2
}

# make_certs DIR: a test CA and a loopback server certificate (scripts/test-certs.sh).
make_certs() {
  bash "$(dirname "${BASH_SOURCE[0]}")/test-certs.sh" "$1" || die "openssl failed to generate the test certificates in $1"
}

# free_ports N: N distinct free TCP ports on 127.0.0.1, one per line. All
# sockets are held open together so the ports are distinct.
free_ports() {
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to pick free ports (or set DOVECOT_IMAP_PORT and DOVECOT_IMAPS_PORT)"
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
for s in socks:
    s.close()
EOF
}

# port_open PORT: true if something accepts a TCP connection on 127.0.0.1:PORT.
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# imap_greets PORT: true if the plaintext listener on PORT sends an IMAP
# "* OK" greeting (so imap-login and its config really work, not just the
# master's listening socket).
imap_greets() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && IFS= read -r line <&3 && [[ \$line == '* OK'* ]]" 2>/dev/null
}

# oauth2_mechanisms: the SASL mechanisms DOVECOT_OAUTH2_URL adds.
oauth2_mechanisms() {
  [ -n "${DOVECOT_OAUTH2_URL:-}" ] && printf ' xoauth2 oauthbearer'
  return 0
}

# oauth2_static_mechanisms: with OAuth2, the password passdb serves PLAIN and
# LOGIN only (a bearer token is never taken for the password).
oauth2_static_mechanisms() {
  [ -n "${DOVECOT_OAUTH2_URL:-}" ] && printf '\n  mechanisms = plain login'
  return 0
}

# oauth2_userdb_args: the oauth2 passdb cannot look users up, so with it the
# static userdb takes every user name without asking the passdbs (else
# doveadm's user lookups fail).
oauth2_userdb_args() {
  [ -n "${DOVECOT_OAUTH2_URL:-}" ] && printf ' allow_all_users=yes'
  return 0
}

# oauth2_passdb DIR: with DOVECOT_OAUTH2_URL, writes DIR/dovecot-oauth2.conf.ext
# and prints the passdb block that uses it.
oauth2_passdb() {
  local url="${DOVECOT_OAUTH2_URL:-}"
  [ -n "$url" ] || return 0
  cat >"$1/dovecot-oauth2.conf.ext" <<EOF
# Generated by scripts/dovecot.sh: bearer tokens checked by the test endpoint.
introspection_mode = post
introspection_url = $url/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
EOF
  chmod 644 "$1/dovecot-oauth2.conf.ext"
  cat <<EOF
# XOAUTH2 / OAUTHBEARER: the token is checked at $url/introspect.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $1/dovecot-oauth2.conf.ext
}
EOF
}

cmd_start() {
  [ $# -eq 1 ] || usage
  require_root start
  command -v dovecot >/dev/null 2>&1 || die "dovecot is not installed (run: $prog install)"
  mkdir -p "$1"
  local dir; dir="$(abs_dir "$1")"
  local conf="$dir/dovecot.conf"
  case "${DOVECOT_OAUTH2_URL:-}" in
    ''|http://127.0.0.1:*|http://localhost:*) ;;
    *) die "DOVECOT_OAUTH2_URL must be http://127.0.0.1:PORT (a loopback test endpoint), not $DOVECOT_OAUTH2_URL" ;;
  esac

  # Refuse to start a second server on the same directory.
  local old_pid; old_pid="$(env_value "$dir" DOVECOT_PID)"
  if pid_is_our_dovecot "$old_pid" "$conf"; then
    die "a Dovecot from $dir is already running (pid $old_pid); run: $prog stop $dir"
  fi

  # Dovecot's mail processes run as nobody and must reach DIR/mail: DIR must
  # be 755 and DIR/mail owned by nobody:nogroup (else INBOX creation fails
  # with [SERVERBUG]).
  chmod 755 "$dir"
  mkdir -p "$dir/mail" "$dir/state" "$dir/run"
  chown nobody:nogroup "$dir/mail"
  chmod 755 "$dir/mail"
  if command -v runuser >/dev/null 2>&1 && ! runuser -u nobody -- test -w "$dir/mail" 2>/dev/null; then
    die "user nobody cannot write $dir/mail: a parent directory of $dir is probably not world-searchable (use a dir like /tmp/dovecot-XXXX with mode 755)"
  fi
  rm -f "$dir/dovecot.log" "$dir/dovecot.out" "$dir/env" "$conf" "$dir/dovecot-oauth2.conf.ext"

  make_certs "$dir"

  local imap_port imaps_port
  if [ -n "${DOVECOT_IMAP_PORT:-}" ] && [ -n "${DOVECOT_IMAPS_PORT:-}" ]; then
    imap_port="$DOVECOT_IMAP_PORT"; imaps_port="$DOVECOT_IMAPS_PORT"
  else
    local ports; ports="$(free_ports 2)"
    imap_port="$(sed -n 1p <<<"$ports")"; imaps_port="$(sed -n 2p <<<"$ports")"
  fi

  # Debian generates DH parameters at install time; only used by DHE ciphers
  # (TLS <= 1.2), but Dovecot 2.3 logs an error if they are needed and unset.
  local ssl_dh_line="# no /usr/share/dovecot/dh.pem: DHE ciphers unavailable"
  [ -r /usr/share/dovecot/dh.pem ] && ssl_dh_line="ssl_dh = </usr/share/dovecot/dh.pem"

  cat >"$conf" <<EOF
# Generated by scripts/dovecot.sh start $dir -- a throwaway test server.
# Self-contained: nothing from /etc/dovecot is included.

# Unique per start, so several servers on one machine do not clash.
instance_name = leadmail-test-$$-$(date +%s%N)
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
auth_verbose = yes

protocols = imap
# Loopback only, IPv4 only: never bind anything else.
listen = 127.0.0.1

# TLS on both listeners: STARTTLS on the plain port, implicit TLS on IMAPS.
ssl = yes
ssl_cert = <$dir/server.pem
ssl_key = <$dir/server.key
$ssl_dh_line

# Tests log in with plaintext passwords, also before STARTTLS, and check
# failed logins: don't make them wait the default 2 s.
disable_plaintext_auth = no
auth_mechanisms = plain login$(oauth2_mechanisms)
auth_failure_delay = 0

# Any user name, password "testpass"; each user gets DIR/mail/USER.
passdb {
  driver = static
  args = password=testpass$(oauth2_static_mechanisms)
}
$(oauth2_passdb "$dir")
userdb {
  driver = static
  args = home=$dir/mail/%n$(oauth2_userdb_args)
}
mail_location = maildir:~/Maildir
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1

# Test data is throwaway: skip fsync for speed.
mail_fsync = never

protocol imap {
  # Default is 10 connections per user and IP; tests may open more.
  mail_max_userip_connections = 1000
}

# No auth penalty: after a failed login, anvil makes the next login from the
# same IP wait 4-15 s (auth_failure_delay = 0 does not cover this; a failed
# login itself still takes up to 0.5 s, Dovecot's failure-flush interval).
# Mode 0 on anvil's penalty socket is Dovecot's way to switch it off.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
EOF
  chmod 644 "$conf"

  # Foreground master (-F) in the background of this script: $! is the
  # master's pid. Its stdio goes to a file so a caller reading our stdout
  # (e.g. a Rust test capturing output) is not held open by Dovecot.
  local t0; t0="$(date +%s%N)"
  dovecot -F -c "$conf" </dev/null >>"$dir/dovecot.out" 2>&1 &
  local pid=$!

  # Wait (bounded, 10 s) until both listeners accept connections.
  local deadline=$(( $(date +%s) + 10 )) ready=""
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! alive "$pid"; then
      break
    fi
    if port_open "$imaps_port" && imap_greets "$imap_port"; then
      ready=1; break
    fi
    sleep 0.02
  done
  # The listening sockets belong to the master, so they can accept even when
  # a child service failed on a bad config: treat any Fatal/Error in the log
  # so far as a failed start too.
  local why="did not come up on 127.0.0.1:$imap_port/$imaps_port within 10 s"
  alive "$pid" || why="exited while starting (ports 127.0.0.1:$imap_port/$imaps_port)"
  if [ -n "$ready" ] && grep -qE ' (Fatal|Error|Panic): ' "$dir/dovecot.log" 2>/dev/null; then
    ready=""; why="logged errors while starting"
  fi
  if [ -z "$ready" ]; then
    echo "$prog: Dovecot $why" >&2
    echo "---- tail of $dir/dovecot.log" >&2
    tail -n 30 "$dir/dovecot.log" >&2 2>/dev/null || true
    echo "---- tail of $dir/dovecot.out" >&2
    tail -n 30 "$dir/dovecot.out" >&2 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    exit 1
  fi
  local t1; t1="$(date +%s%N)"

  cat >"$dir/env" <<EOF
IMAP_HOST=127.0.0.1
IMAP_PORT=$imap_port
IMAPS_PORT=$imaps_port
IMAP_PASSWORD=testpass
IMAP_CA=$dir/ca.pem
DOVECOT_CONF=$conf
DOVECOT_PID=$pid
DOVECOT_OAUTH2_URL=${DOVECOT_OAUTH2_URL:-}
EOF
  cat "$dir/env"
  echo "$prog: Dovecot up in $(( (t1 - t0) / 1000000 )) ms (log: $dir/dovecot.log)" >&2
}

cmd_deliver() {
  [ $# -ge 3 ] || usage
  require_root deliver
  local dir; dir="$(abs_dir "$1")"; local user="$2"; shift 2
  local conf="$dir/dovecot.conf"
  [ -f "$conf" ] || die "no $conf (run: $prog start $dir)"
  local f
  for f in "$@"; do
    [ -f "$f" ] || die "no such message file: $f"
    doveadm -c "$conf" save -u "$user" -m INBOX <"$f" \
      || die "doveadm save of $f for $user failed (see $dir/dovecot.log)"
  done
}

cmd_import() {
  [ $# -ge 3 ] || usage
  require_root import
  local dir; dir="$(abs_dir "$1")"; local user="$2"; shift 2
  local conf="$dir/dovecot.conf"
  [ -f "$conf" ] || die "no $conf (run: $prog start $dir)"
  # doveadm runs as nobody and writes index files into the source Maildir,
  # so stage the files in a Maildir of our own inside DIR, owned by nobody.
  local stage; stage="$(mktemp -d "$dir/import.XXXXXX")"
  mkdir -p "$stage/cur" "$stage/new" "$stage/tmp"
  local f n=0
  if [ -z "$(printf '%s\n' "$@" | sed 's|.*/||' | sort | uniq -d)" ]; then
    cp -t "$stage/cur" -- "$@" || die "cannot stage the message files"
  else
    for f in "$@"; do  # same file names from different folders: number them
      n=$((n + 1))
      cp -- "$f" "$stage/cur/$(printf '%09d' "$n").eml" || die "no such message file: $f"
    done
  fi
  chown -R nobody:nogroup "$stage"
  chmod 755 "$stage"
  doveadm -c "$conf" import -u "$user" -s "maildir:$stage" "" all \
    || { rm -rf "$stage"; die "doveadm import for $user failed (see $dir/dovecot.log)"; }
  rm -rf "$stage"
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || die "no such directory: $1"
  local dir; dir="$(abs_dir "$1")"
  local conf="$dir/dovecot.conf"
  local pid; pid="$(env_value "$dir" DOVECOT_PID)"
  if ! pid_is_our_dovecot "$pid" "$conf"; then
    echo "$prog: no Dovecot from $dir is running" >&2
    return 0
  fi
  stop_pid "$pid" "Dovecot"
  # Logged-in imap processes outlive their master (they are re-parented
  # to init and keep serving their connection); a stopped server must drop
  # its clients, so end them too. Their titles start with the instance name.
  local instance; instance="$(sed -n 's/^instance_name = //p' "$conf")"
  if [ -n "$instance" ]; then
    pkill -TERM -f "^dovecot-$instance/" 2>/dev/null || true
  fi
}

[ $# -ge 1 ] || usage
sub="$1"; shift
case "$sub" in
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  deliver) cmd_deliver "$@" ;;
  import) cmd_import "$@" ;;
  stop) cmd_stop "$@" ;;
  -h|--help|help) usage ;;
  *) echo "$prog: unknown subcommand '$sub'" >&2; usage ;;
esac
