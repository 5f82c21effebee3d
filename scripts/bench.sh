#!/usr/bin/env bash
# leadmail's benchmark (BENCHMARKS.md): a private Dovecot on loopback, a
# generated mailbox of N messages, and side by side in one run:
#
#   scripts/bench.sh [--n N] [--runs R] [--latency-n L] [--seed S] [--keep]
#                    [--digest-users U] [--digest-leads D] [--web-requests W]
#   scripts/bench.sh --smoke     N=200, one run each, 20 latency messages,
#                                digests of 20 users over 500 leads, the
#                                web pages 5 times each;
#                                fails when a step fails (never on timings)
#   scripts/bench.sh --memory [--big "30 300"] [--large-size BYTES]
#                                only step 7 (memory, issue 13), N=1,000
#   --no-postgres                SQLite only (no PostgreSQL column)
#   --bin-dir DIR                use DIR/leadmail and DIR/bench instead of
#                                building (the smoke test passes its own)
#
#   1. mbsync (isync) downloading the mailbox into a Maildir (FSync yes)
#   2. the bare fetch client (`bench fetch`: one UID FETCH 1:* BODY.PEEK[])
#   3. `leadmail run --once` from an empty database to an empty INBOX
#      (wall time and peak RSS, GNU time), checked with `status --json`
#   4. latency: APPEND → commit under IDLE (`bench latency`, L messages)
#   5. the pure pipeline and the store alone (`bench pipeline` / `bench store`)
#   6. the morning digests (`bench digest`): U users over D seeded leads,
#      built R times, then sent R times to an SMTP sink (scripts/smtp.sh)
#   8. the web app (`bench web`): My day, the Leads page (filters, search,
#      sorts, a far page) and a lead's page over D seeded leads for a rep, a
#      team lead and an admin, W requests each (round trip on loopback, the
#      app in process), then `leadmail serve`'s RSS after the same pages,
#      then `leadmail run`'s (the daemon with the web app on) while it
#      files a mailbox of the N standard messages during the same pages
#   7. memory (only with --memory): the hostile set (`bench hostile`), each
#      file planned by `leadmail explain` (wall time, peak RSS); then for
#      each B of --big, B messages of --large-size bytes (`bench large`)
#      among N ordinary ones through Dovecot, `leadmail run --once` (wall
#      time, peak RSS), checked with `status --json`
#
# PostgreSQL column (unless --no-postgres): step 3 on the standard corpus,
# step 5's store and steps 6 and 8 run again on a throwaway PostgreSQL cluster on
# loopback (scripts/postgres.sh; a new database for each), printed side by
# side with SQLite (issue 17's targets: the backlog within 1.5x of SQLite's,
# no more statements per message).
# Steps 1–3 run on two corpora of N messages each, reported in their own
# tables: the standard one (4–40 KB, HTML, some MB attachments) and the
# small one (`bench write --small`: 1–2 KB of plain text, the same mix, what
# most of a CRM inbox is); step 5's pipeline too.
# Each of 1–3 runs R times (default 3) on a fresh copy: fresh Maildir for
# mbsync, a fresh Dovecot user and database for leadmail; medians printed.
# Defaults: N=10000, R=3, L=1000, S=1, U=1000, D=100000, W=100. Needs root
# (Dovecot), python3; installs dovecot, isync and time with apt-get where
# missing, and the SMTP sink's venv (scripts/smtp.sh install). Builds with
# cargo in release mode into $CARGO_TARGET_DIR (default: target).
set -euo pipefail

prog="scripts/bench.sh"
die() { echo "$prog: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd -P)"

n=10000 runs=3 latency_n=1000 seed=1 keep="" smoke="" bin=""
memory="" bigs="30 300" large_size=20000000 hostile_size=24000000 postgres=1
digest_users=1000 digest_leads=100000 web_requests=100
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --latency-n) latency_n="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --bin-dir) bin="$2"; shift 2 ;;
    --no-postgres) postgres=""; shift ;;
    --digest-users) digest_users="$2"; shift 2 ;;
    --digest-leads) digest_leads="$2"; shift 2 ;;
    --web-requests) web_requests="$2"; shift 2 ;;
    --smoke) smoke=1; n=200; runs=1; latency_n=20; digest_users=20; digest_leads=500; web_requests=5; shift ;;
    --memory) memory=1; n=1000; shift ;;
    --big) bigs="$2"; shift 2 ;;
    --large-size) large_size="$2"; shift 2 ;;
    --hostile-size) hostile_size="$2"; shift 2 ;;
    -h|--help) sed -n '2,46p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
micro_n=$(( n < 10000 ? n : 10000 ))   # the microbenchmarks hold their corpus in memory
single_n=$(( n < 1000 ? n : 1000 ))    # one transaction per message: slow, fewer
pipeline_runs=5 store_runs=3
[ -n "$smoke" ] && pipeline_runs=1 store_runs=1

[ "$(id -u)" -eq 0 ] || die "needs root (Dovecot's master must be root)"
command -v python3 >/dev/null || die "python3 is needed (free ports, JSON)"

# ---- install what is missing
bash scripts/dovecot.sh install
bash scripts/smtp.sh install
if [ -n "$memory" ]; then postgres=""; fi
if [ -n "$postgres" ]; then bash scripts/postgres.sh install; fi
missing=()
command -v mbsync >/dev/null || missing+=(isync)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 || die "apt-get install ${missing[*]} failed"
fi

# ---- build
if [ -z "$bin" ]; then
  target="${CARGO_TARGET_DIR:-$repo/target}"
  say "cargo build --release (target dir $target)"
  CARGO_TARGET_DIR="$target" cargo build --release --quiet --features bench --bin leadmail --bin bench
  bin="$target/release"
fi
if [ ! -x "$bin/leadmail" ] || [ ! -x "$bin/bench" ]; then die "no leadmail and bench binaries in $bin"; fi

# ---- server and corpus
work="$(mktemp -d /tmp/lmbench-XXXXXX)"; chmod 755 "$work"
cleanup() {
  bash "$repo/scripts/dovecot.sh" stop "$work/dovecot" >/dev/null 2>&1 || true
  if [ -d "$work/smtp" ]; then bash "$repo/scripts/smtp.sh" stop "$work/smtp" >/dev/null 2>&1 || true; fi
  if [ -d "$work/pg" ]; then bash "$repo/scripts/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true; fi
  if [ -n "$keep" ]; then echo "$prog: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
bash scripts/dovecot.sh start "$work/dovecot" >/dev/null
# shellcheck disable=SC1091
. "$work/dovecot/env"
if [ -n "$postgres" ]; then
  mkdir -p "$work/pg"
  PG_URL="$(bash scripts/postgres.sh start "$work/pg" | sed -n 's/^PG_URL=//p')"
  [ -n "$PG_URL" ] || die "scripts/postgres.sh start printed no PG_URL"
  psql_bin="$(ls -d /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)"
fi
# pg_database NAME: a new database NAME on the cluster; prints its URL.
pg_database() {
  "$psql_bin" "$PG_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null \
    || die "cannot create database $1"
  printf '%s\n' "${PG_URL%/*}/$1"
}
printf '%s' "$IMAP_PASSWORD" >"$work/password"
chmod 600 "$work/password"  # leadmail warns about secret files others can read
results="$work/results.jsonl"
: >"$results"
# record STEP RUN JSON: one line of the results file.
record() {
  python3 -c 'import json, sys; print(json.dumps({"step": sys.argv[1], "run": int(sys.argv[2]), "data": json.loads(sys.argv[3])}))' \
    "$1" "$2" "$3" >>"$results"
}

loadavg() { printf '"%s"' "$(cut -d' ' -f1-3 /proc/loadavg)"; }
record load 0 "{\"start\":$(loadavg)}"
say "generating $n messages (seed $seed)"
"$bin/bench" write --n "$n" --seed "$seed" --out "$work/corpus" >"$work/corpus.json"
record corpus 0 "$(cat "$work/corpus.json")"
if [ -z "$memory" ]; then
  say "generating $n small messages (1-2 KB of plain text, the same mix)"
  "$bin/bench" write --small --n "$n" --seed "$seed" --out "$work/small" >"$work/small.json"
  record corpus_small 0 "$(cat "$work/small.json")"
fi

# import USER [DIR]: the corpus (or DIR's) into USER's INBOX, in file-name
# (= generation) order.
import() {
  find "${2:-$work/corpus}" -name '*.eml' | sort | xargs -n 5000 bash scripts/dovecot.sh import "$work/dovecot" "$1"
  local count; count="$(inbox_count "$1")"
  [ "$count" -eq "$n" ] || die "imported $count of $n messages for $1"
}
inbox_count() {
  doveadm -c "$DOVECOT_CONF" mailbox status -u "$1" messages INBOX | sed 's/.*=//'
}

# mailbox_toml USER IDLE: the [[mailboxes]] table watching USER's INBOX
# over plaintext loopback.
mailbox_toml() {
  cat <<EOF

[[mailboxes]]
name = "bench"
host = "127.0.0.1"
port = $IMAP_PORT
tls = "none"
username = "$1"
password_file = "$work/password"
folder = "INBOX"
processed_folder = "Processed"
quarantine_folder = "Quarantine"
idle = $2
poll_interval_secs = 1
EOF
}

# config USER IDLE URL: a leadmail config (the fixture's people, the default
# 25 MB size limit, the database at URL) watching USER's INBOX.
config() {
  local file="$work/$1.toml"
  sed -e "s|sqlite://unused.db|$3|" -e '/^max_message_bytes/d' tests/fixtures/leadmail.toml >"$file"
  mailbox_toml "$1" "$2" >>"$file"
  chmod 600 "$file"
  printf '%s\n' "$file"
}

# timed OUT CMD…: runs CMD under GNU time into OUT.time; prints wall seconds.
timed() {
  local out="$1"; shift
  local t0 t1; t0="$(date +%s%N)"
  /usr/bin/time -v -o "$out.time" "$@" >"$out.out" 2>"$out.err" \
    || { tail -n 20 "$out.err" >&2; die "failed: $*"; }
  t1="$(date +%s%N)"
  python3 -c "print(($t1 - $t0) / 1e9)"
}
peak_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1.time"; }

# ---- 7. memory (--memory only): the hostile set offline, then large backlogs
if [ -n "$memory" ]; then
  say "memory: the hostile set ($hostile_size bytes each), each planned by leadmail explain"
  "$bin/bench" hostile --size "$hostile_size" --out "$work/hostile" >"$work/hostile.json"
  cfg="$(config hostile false "sqlite://$work/hostile.db")"
  for file in "$work"/hostile/*.eml; do
    name="$(basename "$file" .eml)"
    secs="$(timed "$work/hostile-$name" "$bin/leadmail" --config "$cfg" explain "$file")"
    record hostile 0 "{\"name\":\"$name\",\"bytes\":$(stat -c %s "$file"),\"secs\":$secs,\"peak_kb\":$(peak_kb "$work/hostile-$name")}"
  done
  for big in $bigs; do
    say "memory: $big messages of $large_size bytes among $n ordinary ones, leadmail run --once"
    rm -rf "$work/large"
    "$bin/bench" large --n "$big" --size "$large_size" --every $(( n / big > 0 ? n / big : 1 )) \
      --out "$work/large" >"$work/large.json"
    user="mem$big" want=$(( n + big ))
    # Sorted by file name: the large ones among the ordinary ones.
    find "$work/corpus" "$work/large" -name '*.eml' -printf '%f %p\n' | sort | cut -d' ' -f2 \
      | xargs -n 2000 bash scripts/dovecot.sh import "$work/dovecot" "$user"
    count="$(inbox_count "$user")"
    [ "$count" -eq "$want" ] || die "imported $count of $want messages for $user"
    rm -rf "$work/large"
    cfg="$(config "$user" false "sqlite://$work/$user.db")"
    secs="$(timed "$work/leadmail-$user" "$bin/leadmail" --config "$cfg" run --once)"
    "$bin/leadmail" --config "$cfg" status --json >"$work/status-$user.json"
    left="$(inbox_count "$user")"
    python3 - "$work/status-$user.json" "$want" "$left" <<'EOF' || die "leadmail run --once did not process every message"
import json, sys
status, want, left = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
messages = status["totals"]["messages"]
print(f"   status: totals.messages={messages} (want {want}), INBOX left={left}", file=sys.stderr)
sys.exit(0 if messages == want and left == 0 else 1)
EOF
    record memory "$big" "{\"large\":$big,\"ordinary\":$n,\"large_bytes\":$large_size,\"secs\":$secs,\"peak_kb\":$(peak_kb "$work/leadmail-$user")}"
    # The processed copies are not needed any more: free the disk.
    doveadm -c "$DOVECOT_CONF" mailbox delete -u "$user" -s Processed Quarantine >/dev/null 2>&1 || true
  done
  record load 1 "{\"end\":$(loadavg)}"
  python3 - "$results" "$(nproc)" <<'EOF'
import json, sys, datetime, subprocess
rows = [json.loads(l) for l in open(sys.argv[1])]
rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
load = [r["data"] for r in rows if r["step"] == "load"]
print(f"\nleadmail memory benchmark  {datetime.date.today()}  nproc={sys.argv[2]}  git {rev}")
print(f"load average (1/5/15 min) at start {load[0]['start']}, at end {load[1]['end']}")
print(f"{'hostile input (explain)':<28}{'MB':>8}{'s':>8}{'peak RSS MB':>13}{'RSS/size':>10}")
for r in rows:
    if r["step"] == "hostile":
        d = r["data"]
        print(f"{d['name']:<28}{d['bytes']/1e6:>8.1f}{d['secs']:>8.2f}{d['peak_kb']/1024:>13.1f}{d['peak_kb']*1024/d['bytes']:>10.2f}")
print(f"{'backlog (run --once)':<28}{'s':>8}{'peak RSS MB':>13}")
for r in rows:
    if r["step"] == "memory":
        d = r["data"]
        label = f"{d['large']} x {d['large_bytes']/1e6:.0f} MB + {d['ordinary']}"
        print(f"{label:<28}{d['secs']:>8.2f}{d['peak_kb']/1024:>13.1f}")
EOF
  exit 0
fi

say "importing the source mailboxes for mbsync and the fetch client"
import src
import srcsmall "$work/small"

cat >"$work/mbsyncrc" <<EOF
IMAPAccount bench
Host 127.0.0.1
Port $IMAP_PORT
User src
Pass $IMAP_PASSWORD
SSLType None
AuthMechs LOGIN

IMAPStore far
Account bench

MaildirStore near
Path $work/maildir/
Inbox $work/maildir/INBOX

Channel bench
Far :far:
Near :near:
Patterns INBOX
Sync Pull
Create Near
SyncState *
EOF

sed 's/^User src$/User srcsmall/' "$work/mbsyncrc" >"$work/mbsyncrc-small"

# backlog RUN SUFFIX SOURCE CORPUS: one run of steps 1-3 on one corpus
# (SUFFIX "" for the standard one, "_small" for the small one), recorded as
# steps mbsync, fetch and leadmail with SUFFIX; with PostgreSQL, step 3 of
# the standard corpus again on a new database there (leadmail_pg).
backlog() {
  local run="$1" sfx="$2" source="$3" corpus="$4" rc="$work/mbsyncrc${2/_/-}" secs got
  say "run $run/$runs${sfx:+ ($sfx)}: mbsync"
  rm -rf "$work/maildir"; mkdir -p "$work/maildir"
  secs="$(timed "$work/mbsync$sfx-$run" mbsync -c "$rc" bench)"
  got="$(find "$work/maildir/INBOX" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l)"
  [ "$got" -eq "$n" ] || die "mbsync stored $got of $n messages"
  record "mbsync$sfx" "$run" "{\"secs\":$secs,\"peak_kb\":$(peak_kb "$work/mbsync$sfx-$run")}"

  say "run $run/$runs${sfx:+ ($sfx)}: bare fetch"
  secs="$(timed "$work/fetch$sfx-$run" "$bin/bench" fetch --port "$IMAP_PORT" --user "$source" --password-file "$work/password")"
  record "fetch$sfx" "$run" "{\"secs\":$secs,\"peak_kb\":$(peak_kb "$work/fetch$sfx-$run"),\"client\":$(cat "$work/fetch$sfx-$run.out")}"

  leadmail_once "$run" "$sfx" "$corpus" "sqlite://$work/run$run${sfx//_/}.db"
  if [ -n "$postgres" ] && [ -z "$sfx" ]; then
    leadmail_once "$run" _pg "$corpus" "$(pg_database "run${run}pg")"
  fi
}

# leadmail_once RUN SUFFIX CORPUS URL: step 3 on a fresh Dovecot user and
# the database at URL, recorded as leadmail with SUFFIX.
leadmail_once() {
  local run="$1" sfx="$2" corpus="$3" db_url="$4" secs cfg left
  say "run $run/$runs${sfx:+ ($sfx)}: leadmail run --once (importing a fresh copy first, untimed)"
  local user="run$run$sfx"
  user="${user//_/}"
  import "$user" "$corpus"
  cfg="$(config "$user" false "$db_url")"
  secs="$(timed "$work/leadmail$sfx-$run" "$bin/leadmail" --config "$cfg" run --once)"
  "$bin/leadmail" --config "$cfg" status --json >"$work/status$sfx-$run.json"
  left="$(inbox_count "$user")"
  python3 - "$work/status$sfx-$run.json" "$n" "$left" <<'EOF' || die "leadmail run --once did not process every message"
import json, sys
status, n, left = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
messages = status["totals"]["messages"]
ok = messages == n and left == 0
print(f"   status: totals.messages={messages} (want {n}), INBOX left={left}", file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
  record "leadmail$sfx" "$run" "{\"secs\":$secs,\"peak_kb\":$(peak_kb "$work/leadmail$sfx-$run"),\"status\":$(cat "$work/status$sfx-$run.json")}"
}

for run in $(seq 1 "$runs"); do
  backlog "$run" "" src "$work/corpus"
  backlog "$run" _small srcsmall "$work/small"
done

say "latency: $latency_n APPENDs under IDLE"
# The steps above wrote a few hundred MB (Maildirs, mailboxes, databases);
# flush them first, so the daemon's fsyncs do not wait behind that writeback.
sync
cfg="$(config lat true "sqlite://$work/lat.db")"
"$bin/bench" latency --config "$cfg" --user lat --dovecot-dir "$work/dovecot" --n "$latency_n" \
  --seed $((seed + 1)) --leadmail "$bin/leadmail" --log "$work/latency.log" >"$work/latency.out"
record latency 0 "$(cat "$work/latency.out")"

say "pipeline alone ($micro_n messages, $pipeline_runs runs; standard, then small mails)"
"$bin/bench" pipeline --n "$micro_n" --seed "$seed" --runs "$pipeline_runs" --config "$cfg" >"$work/pipeline.out"
record pipeline 0 "$(cat "$work/pipeline.out")"
"$bin/bench" pipeline --small --n "$micro_n" --seed "$seed" --runs "$pipeline_runs" --config "$cfg" >"$work/pipeline-small.out"
record pipeline_small 0 "$(cat "$work/pipeline-small.out")"
say "store alone ($micro_n messages in batches of 200, $store_runs runs; $single_n one per transaction)"
"$bin/bench" store --n "$micro_n" --seed "$seed" --runs "$store_runs" --batch 200 --config "$cfg" >"$work/store.out"
record store_batch 0 "$(cat "$work/store.out")"
"$bin/bench" store --n "$single_n" --seed "$seed" --runs "$store_runs" --batch 1 --config "$cfg" >"$work/store1.out"
record store_single 0 "$(cat "$work/store1.out")"
if [ -n "$postgres" ]; then
  say "store alone on PostgreSQL (the same, a new database each run)"
  "$bin/bench" store --n "$micro_n" --seed "$seed" --runs "$store_runs" --batch 200 --config "$cfg" \
    --postgres "$PG_URL" >"$work/store-pg.out"
  record store_batch_pg 0 "$(cat "$work/store-pg.out")"
  "$bin/bench" store --n "$single_n" --seed "$seed" --runs "$store_runs" --batch 1 --config "$cfg" \
    --postgres "$PG_URL" >"$work/store1-pg.out"
  record store_single_pg 0 "$(cat "$work/store1-pg.out")"
fi

# digests NAME [--postgres URL]: step 6 on a fresh SMTP sink, recorded as NAME.
digests() {
  local name="$1"; shift
  say "digests ($name): $digest_users users over $digest_leads leads, built and sent $runs times (SMTP sink)"
  rm -rf "$work/smtp"
  bash scripts/smtp.sh start "$work/smtp" --no-tls >/dev/null
  smtp_port="$(sed -n 's/^SMTP_PORT=//p' "$work/smtp/env")"
  "$bin/bench" digest --users "$digest_users" --leads "$digest_leads" --runs "$runs" --seed "$seed" \
    --smtp "127.0.0.1:$smtp_port" --dir "$work/$name" "$@" >"$work/$name.out" 2>"$work/$name.err" \
    || { tail -n 20 "$work/$name.err" >&2; die "bench digest failed"; }
  bash scripts/smtp.sh stop "$work/smtp" >/dev/null
  received="$(find "$work/smtp/mail" -name '*.json' | wc -l)"
  python3 - "$work/$name.out" "$received" <<'EOF' || die "the SMTP sink did not receive every digest sent"
import json, sys
d, received = json.load(open(sys.argv[1])), int(sys.argv[2])
sent = sum(r["sent"] for r in d["send"]["runs"])
print(f"   digests: {sent} sent in {len(d['send']['runs'])} run(s), {received} received by the sink", file=sys.stderr)
sys.exit(0 if sent == received and sent > 0 else 1)
EOF
  record "$name" 0 "$(cat "$work/$name.out")"
}
digests digest
if [ -n "$postgres" ]; then digests digest_pg --postgres "$PG_URL"; fi

# web NAME [--postgres URL]: step 8, recorded as NAME. The daemon's part:
# a mailbox holding the standard corpus (the fixture's reps, partner and
# form source added to the seeded users), filed by `leadmail run` with the
# web app on while the pages are requested.
web() {
  local name="$1"; shift
  say "web app ($name): My day, Leads and a lead's page over $digest_leads leads, $web_requests requests each;"
  say "  then leadmail run with the web app on, filing $n messages"
  import "$name"
  local mailbox="$work/$name-mailbox.toml"
  { sed -n '/^\[\[users\]\]/,$p' tests/fixtures/leadmail.toml; mailbox_toml "$name" true; } >"$mailbox"
  "$bin/bench" web --users "$digest_users" --leads "$digest_leads" --requests "$web_requests" --seed "$seed" \
    --leadmail "$bin/leadmail" --dir "$work/$name" --mailbox "$mailbox" --backlog "$n" "$@" \
    >"$work/$name.out" 2>"$work/$name.err" \
    || { tail -n 20 "$work/$name.err" >&2; die "bench web failed"; }
  local left; left="$(inbox_count "$name")"
  [ "$left" -eq 0 ] || die "leadmail run left $left messages in $name's INBOX"
  record "$name" 0 "$(cat "$work/$name.out")"
}
web web
if [ -n "$postgres" ]; then web web_pg --postgres "$PG_URL"; fi

record load 1 "{\"end\":$(loadavg)}"

python3 - "$results" "$n" "$runs" "$(nproc)" "$seed" "$smoke" <<'EOF'
import json, statistics, sys, datetime, subprocess
rows = [json.loads(l) for l in open(sys.argv[1])]
n, runs, nproc, seed, smoke = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
step = lambda name: [r["data"] for r in rows if r["step"] == name]
med = lambda name, key: statistics.median(d[key] for d in step(name))
corpus = step("corpus")[0]
rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
print(f"\nleadmail benchmark  {datetime.date.today()}  nproc={nproc}  N={n}  "
      f"({corpus['bytes']/1e6:.0f} MB, seed {seed})  runs={runs}  git {rev}"
      f"{'  [smoke: timings not meaningful]' if smoke else ''}")
load = step("load")
print(f"load average (1/5/15 min) at start {load[0]['start']}, at end {load[1]['end']}")
small = step("corpus_small")[0]
for sfx, title in (("", f"standard corpus ({corpus['bytes']/1e6:.0f} MB)"),
                   ("_small", f"small text mails, 1-2 KB ({small['bytes']/1e6:.1f} MB)")):
    print(f"{title}")
    print(f"  {'client':<26}{'median s':>10}{'msg/s':>10}{'peak RSS MB':>13}   runs (s)")
    for name, label in (("mbsync", "mbsync (FSync yes)"), ("fetch", "bare fetch (floor)"), ("leadmail", "leadmail run --once")):
        s = med(name + sfx, "secs")
        rss = statistics.median(d["peak_kb"] for d in step(name + sfx)) / 1024
        all_runs = " ".join(f"{d['secs']:.2f}" for d in step(name + sfx))
        print(f"  {label:<26}{s:>10.2f}{n/s:>10.0f}{rss:>13.1f}   {all_runs}")
    lm, mb, fe = med("leadmail" + sfx, "secs"), med("mbsync" + sfx, "secs"), med("fetch" + sfx, "secs")
    print(f"  ratios (wall time): leadmail/mbsync = {lm/mb:.2f} (target <= 0.35)   leadmail/fetch = {lm/fe:.1f} (target <= 4)")
lat = step("latency")[0]
a, w = lat["append_to_commit"], lat["idle_wake_to_commit"]
print(f"latency ({lat['appended']} APPENDs, {lat['missing']} not processed): APPEND->commit p50 {a['p50_ms']:.0f} / p99 {a['p99_ms']:.0f} / max {a['max_ms']:.0f} ms; "
      f"IDLE wake->commit ({w['count']} msgs) p50 {w['p50_ms']:.1f} / p99 {w['p99_ms']:.1f} / max {w['max_ms']:.1f} ms")
p = step("pipeline")[0]
print(f"pipeline alone, 1 thread: {p['messages_per_sec']:.0f} msg/s ({p['messages']} messages, median of {len(p['runs_secs'])}); mail-parser's parse alone {p['parse_only_messages_per_sec']:.0f} msg/s")
ps = step("pipeline_small")[0]
print(f"pipeline alone, small mails: {ps['messages_per_sec']:.0f} msg/s; mail-parser's parse alone {ps['parse_only_messages_per_sec']:.0f} msg/s")
for name, label in (("store_batch", "store alone, 200 per transaction"), ("store_single", "store alone, 1 per transaction")):
    s = step(name)[0]
    print(f"{label}: {s['messages_per_sec']:.0f} msg/s ({s['messages']} messages, median of {len(s['runs_secs'])})")
d = step("digest")[0]
b, snd = d["build"], d["send"]
build_runs = " ".join(f"{x:.2f}" for x in b["runs_secs"])
send_runs = " ".join(f"{r['secs']:.2f}" for r in snd["runs"])
print(f"digests of {d['users']} users over {d['leads']} leads ({d['digest_bytes']/1e6:.1f} MB): "
      f"build median {b['median_secs']:.2f} s (target < 2 s; runs {build_runs}); "
      f"sending {snd['runs'][0]['sent']} to the SMTP sink median {snd['median_secs']:.2f} s (target < 3 s for 1,000; "
      f"queue {snd['median_queue_secs']:.2f} s, deliver {snd['median_deliver_secs']:.2f} s; runs {send_runs})")
if step("leadmail_pg"):
    print("SQLite and PostgreSQL side by side (issue 17: backlog <= 1.5x SQLite's, statements/message no higher)")
    print(f"  {'':<44}{'SQLite':>10}{'PostgreSQL':>12}{'PG/SQLite':>11}")
    sq, pg = med("leadmail", "secs"), med("leadmail_pg", "secs")
    print(f"  {'backlog of %d, run --once (median s)' % n:<44}{sq:>10.2f}{pg:>12.2f}{pg/sq:>11.2f}")
    for name, label in (("store_batch", "store alone, 200/transaction (msg/s)"), ("store_single", "store alone, 1/transaction (msg/s)")):
        x, y = step(name)[0], step(name + "_pg")[0]
        print(f"  {label:<44}{x['messages_per_sec']:>10.0f}{y['messages_per_sec']:>12.0f}{x['messages_per_sec']/y['messages_per_sec']:>11.2f}")
        print(f"  {'  statements per message':<44}{x['statements_per_message']:>10.2f}{y['statements_per_message']:>12.2f}")
    ds, dp = step("digest")[0], step("digest_pg")[0]
    print(f"  {'digests of %d users: build (median s)' % ds['users']:<44}{ds['build']['median_secs']:>10.2f}{dp['build']['median_secs']:>12.2f}{dp['build']['median_secs']/ds['build']['median_secs']:>11.2f}")
    print(f"  {'  sent to the SMTP sink (median s)':<44}{ds['send']['median_secs']:>10.2f}{dp['send']['median_secs']:>12.2f}{dp['send']['median_secs']/ds['send']['median_secs']:>11.2f}")
for name, backend in (("web", "SQLite"), ("web_pg", "PostgreSQL")):
    if not step(name):
        continue
    w = step(name)[0]
    print(f"web pages over {w['leads']} leads ({backend}; round trip on loopback, app in process; target p99 < 50 ms)")
    print(f"  {'reader':<10}{'page':<42}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'found':>8}")
    for t in w["pages"]["in_process"]:
        print(f"  {t['role']:<10}{t['path']:<42}{t['requests']:>5}{t['p50_ms']:>9.2f}{t['p99_ms']:>9.2f}{t['rows']:>8}")
    s = w["pages"]["serve"]
    if s:
        print(f"  leadmail serve after the same pages: RSS {s['rss_kb']/1024:.1f} MB (peak {s['peak_rss_kb']/1024:.1f} MB, {s['start_rss_kb']/1024:.1f} MB at start)")
    r = w["pages"].get("run")
    if r:
        print(f"  leadmail run with the web app on, filing {n} messages during the same pages: RSS {r['rss_kb']/1024:.1f} MB "
              f"after (peak {r['peak_rss_kb']/1024:.1f} MB, {r['start_rss_kb']/1024:.1f} MB at start; backlog in {r['secs']:.1f} s)")
ok = lat["missing"] == 0 and a["count"] > 0
sys.exit(0 if ok else 1)
EOF
