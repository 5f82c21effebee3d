# shellcheck shell=bash disable=SC2154
# Shared by scripts/dovecot.sh and scripts/smtp.sh (sourced, not run): the
# helpers both throwaway test servers need. The sourcing script defines
# `prog` and `die`.

# as_root CMD…: runs CMD as root (directly, or through sudo).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' (not root and no sudo)"
  fi
}

# alive PID: true while PID runs (a zombie counts as stopped: PID 1 here
# does not reap orphans).
alive() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# env_value DIR KEY: KEY's value in DIR/env (empty when missing).
env_value() {
  [ -f "$1/env" ] || return 0
  sed -n "s/^$2=//p" "$1/env" | tail -n 1
}

# stop_pid PID LABEL: SIGTERM, wait up to 10 s, then SIGKILL; reports the time.
stop_pid() {
  local pid="$1" label="$2"
  local t0; t0="$(date +%s%N)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + 10 ))
  while alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 0.02
  done
  if alive "$pid"; then
    echo "$prog: $label (pid $pid) still running after 10 s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  local t1; t1="$(date +%s%N)"
  echo "$prog: $label stopped in $(( (t1 - t0) / 1000000 )) ms" >&2
}
