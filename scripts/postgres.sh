#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the PostgreSQL backend's
# tests and benchmarks (issue 17).
#
#   scripts/postgres.sh install        install Debian's `postgresql` if initdb is missing
#   scripts/postgres.sh start DIR [--tls]
#                                      make a cluster in DIR/data, start it; prints DIR/env
#   scripts/postgres.sh stop DIR       stop it (fast shutdown; SIGKILL after 10 s)
#   scripts/postgres.sh restart DIR    start DIR's stopped cluster again, same port
#
# What `start DIR` sets up (everything lives in DIR):
#   - DIR/data: a cluster made by `initdb --no-sync`, owned by the
#     `postgres` user (a server refuses to run as root), listening on
#     127.0.0.1 only, on a free port, its unix socket in DIR, fsync off
#     (throwaway data: speed over durability).
#   - a database `leadmail` owned by the user `leadmail` (who may create
#     more: the store tests make one database per test) with the password
#     `leadmail`: TCP connections authenticate with SCRAM, as production
#     does; only the superuser's unix socket is trusted (for this script).
#   - with --tls: TLS on (a throwaway CA and a certificate for 127.0.0.1
#     and localhost from scripts/test-certs.sh, in DIR/certs), and TCP
#     connections without TLS refused (pg_hba `hostnossl … reject`);
#     DIR/env then also has PG_CA, the CA's certificate.
#   - DIR/postgres.log: the server's log.
#   - DIR/env: shell-sourceable KEY=VALUE lines, also printed on stdout:
#       PG_HOST PG_PORT PG_URL PG_PID
#     PG_URL is postgres://leadmail:leadmail@127.0.0.1:PORT/leadmail.
#
# Needs root (to run the server as `postgres`). Every parent of DIR must be
# traversable by `postgres`: `start` makes DIR itself 0755.
set -euo pipefail

prog="scripts/postgres.sh"
die() { echo "$prog: $*" >&2; exit 1; }
# shellcheck source=scripts/server-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# bin NAME: the PostgreSQL program NAME (Debian keeps them out of PATH).
bin() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$found" ]; then
    printf '%s\n' "$found"
  elif command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  else
    die "$1 not found: run '$prog install'"
  fi
}

as_postgres() {
  as_root runuser -u postgres -- "$@"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd_install() {
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    return 0
  fi
  echo "$prog: installing postgresql" >&2
  local log; log="$(mktemp -t postgres-install.XXXXXX)"
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
           --no-install-recommends -o Dpkg::Use-Pty=0 postgresql; } >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; rm -f "$log"; die "apt-get install postgresql failed (output above)"; }
  rm -f "$log"
  # Debian starts a cluster of its own as a service; the tests start theirs.
}

# start_server DIR PORT: starts the cluster in DIR/data on PORT.
start_server() {
  local dir="$1" port="$2"
  as_postgres "$(bin pg_ctl)" -D "$dir/data" -w -l "$dir/postgres.log" start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { tail -n 20 "$dir/postgres.log" >&2; die "the server did not start"; }
}

# enable_tls DIR: a certificate for the cluster in DIR/data, TLS on, and
# TCP connections without TLS refused.
enable_tls() {
  local dir="$1"
  as_root mkdir -p "$dir/certs"
  as_root bash "$(dirname "${BASH_SOURCE[0]}")/test-certs.sh" "$dir/certs"
  as_root chown -R postgres "$dir/certs"
  as_root chmod 0644 "$dir/certs/ca.pem"
  printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" \
    "$dir/certs/server.pem" "$dir/certs/server.key" \
    | as_postgres tee -a "$dir/data/postgresql.conf" >/dev/null
  local hba="$dir/data/pg_hba.conf"
  { echo "hostnossl all all 0.0.0.0/0 reject"; echo "hostnossl all all ::/0 reject"; as_root cat "$hba"; } \
    | as_postgres tee "$hba.new" >/dev/null
  as_postgres mv "$hba.new" "$hba"
}

cmd_start() {
  [ $# -ge 1 ] && [ $# -le 2 ] || usage
  local tls=""
  if [ $# -eq 2 ]; then
    [ "$2" = "--tls" ] || usage
    tls=1
  fi
  local dir; dir="$(cd "$1" && pwd -P)" || die "cannot enter $1"
  as_root chmod 0755 "$dir"
  as_root chown postgres "$dir"
  local port; port="${PG_PORT:-$(free_port)}"
  # The superuser gets a random password nobody uses: it connects over the
  # unix socket (trust); TCP connections must give a password (SCRAM).
  head -c 24 /dev/urandom | base64 | as_root tee "$dir/superuser.pw" >/dev/null
  as_root chown postgres "$dir/superuser.pw"
  as_postgres "$(bin initdb)" -D "$dir/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --pwfile="$dir/superuser.pw" --no-sync \
    >"$dir/initdb.log" 2>&1 || { tail -n 20 "$dir/initdb.log" >&2; die "initdb failed"; }
  if [ -n "$tls" ]; then enable_tls "$dir"; fi
  start_server "$dir" "$port"
  as_postgres "$(bin psql)" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE leadmail LOGIN CREATEDB PASSWORD 'leadmail'" \
    -c "CREATE DATABASE leadmail OWNER leadmail" >/dev/null
  local pid; pid="$(head -n 1 "$dir/data/postmaster.pid")"
  {
    echo "PG_HOST=127.0.0.1"
    echo "PG_PORT=$port"
    echo "PG_URL=postgres://leadmail:leadmail@127.0.0.1:$port/leadmail"
    echo "PG_PID=$pid"
    if [ -n "$tls" ]; then echo "PG_CA=$dir/certs/ca.pem"; fi
  } | as_root tee "$dir/env"
}

cmd_restart() {
  [ $# -eq 1 ] || usage
  local dir; dir="$(cd "$1" && pwd -P)" || die "cannot enter $1"
  local port; port="$(env_value "$dir" PG_PORT)"
  [ -n "$port" ] || die "no PG_PORT in $dir/env (run: $prog start $dir)"
  start_server "$dir" "$port"
  local pid; pid="$(head -n 1 "$dir/data/postmaster.pid")"
  as_root sed -i "s/^PG_PID=.*/PG_PID=$pid/" "$dir/env"
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  local dir="$1" pid
  pid="$(env_value "$dir" PG_PID)"
  [ -n "$pid" ] || die "no PG_PID in $dir/env"
  if alive "$pid"; then
    as_postgres "$(bin pg_ctl)" -D "$dir/data" -m fast -t 10 stop >/dev/null 2>&1 \
      || as_root kill -KILL "$pid" 2>/dev/null || true
  fi
}

[ $# -ge 1 ] || usage
sub="$1"; shift
case "$sub" in
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  restart) cmd_restart "$@" ;;
  *) usage ;;
esac
