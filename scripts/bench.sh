#!/usr/bin/env bash
# `npm run bench`: the benchmark of the hot paths on this machine (docs/benchmarks.md). Starts what it needs
# (npm packages, PostgreSQL, Kafka unless KAFKA_BROKERS is set), migrates its own database sms_survey_bench,
# creates its own topics under bench.<random>., builds the services, then tools/bench/run.ts starts them as
# separate processes with the Twilio simulator, runs bounded load, prints the table and writes
# .local/bench/results.json. Stops everything it started (the broker too, if it started it). Once the
# benchmark ran it exits 0, targets met or not: a benchmark reports, it never fails a build (non-zero only
# when it could not run at all: no PostgreSQL, no Kafka, a failed build).
#   BENCH_QUICK=1 npm run bench        a smoke run of a few seconds per scenario
#   BENCH_ONLY=gateway,replies         some scenarios only (gateway, replies, dispatcher, hot-sender, replicas)
#   BENCH_DURATION=10 BENCH_ROUNDS=2 BENCH_CONNECTIONS=50 BENCH_GATEWAY_RATE=1000 BENCH_REPLY_RATE=300 BENCH_CUSTOMERS=2000
#   BENCH_REPLY_BURST=4000 BENCH_SENDERS=1000 BENCH_PER_SENDER=10   sizes (defaults shown)
#   BENCH_ENV_<SERVICE>="NAME=value …"  extra settings for one service, e.g. BENCH_ENV_SMS_DISPATCHER
#   BENCH_NODE_ARGS_<SERVICE>="--cpu-prof --cpu-prof-dir=.local/bench/prof"   node flags for one service
#   BENCH_NO_BUILD=1                   use the services' dist/main.js as they are
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
OUT="${BENCH_OUT_DIR:-$ROOT/.local/bench}"
mkdir -p "$OUT/logs"
rm -f "$OUT"/logs/*.log

STARTED_KAFKA=0
cleanup() {
  # Processes tools/bench/run.ts started and could not stop (it was killed): only those, by pid.
  if [ -f "$OUT/pids" ]; then
    while read -r pid name; do
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "stopping $name ($pid)"; kill -TERM "$pid" 2>/dev/null || true; fi
    done < "$OUT/pids"
    rm -f "$OUT/pids"
  fi
  if [ "$STARTED_KAFKA" = 1 ]; then bash "$ROOT/scripts/kafka.sh" stop; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "bench: $*" >&2; exit 1; }

ensure_node_modules || fail "npm packages could not be installed"
ensure_postgres || fail "PostgreSQL is not available"
ensure_kafka || fail "Kafka is not available"

# pgbench, the baseline of scenario 2: Debian ships it with the PostgreSQL server package (postgresql-15 here;
# postgresql-contrib pulls that in).
PGBENCH="${PGBENCH:-$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)}"
if [ -z "$PGBENCH" ] || [ ! -x "$PGBENCH" ]; then
  step "installing pgbench (postgresql-contrib)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib) >/dev/null 2>&1 || true
  fi
  PGBENCH="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$PGBENCH" ] || fail "pgbench not found: install it (sudo apt-get install postgresql-contrib) or set PGBENCH=/path/to/pgbench"
fi
export PGBENCH

# Our own database, fresh each run, and our own topics.
base="${DATABASE_URL%/*}"
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-$base/sms_survey_bench}"
step "recreating the bench database ${BENCH_DATABASE_URL//\/\/*@/\/\/***@}"
node -e "
  const u = new URL(process.argv[1]); const name = u.pathname.slice(1); u.pathname = '/postgres';
  const c = new (require('pg').Client)({ connectionString: u.toString() });
  c.connect().then(() => c.query('DROP DATABASE IF EXISTS \"' + name + '\" WITH (FORCE)')).then(() => c.end()).then(
    () => process.exit(0), (e) => { console.error(e.message); process.exit(1); });
" "$BENCH_DATABASE_URL" || fail "could not drop the old bench database"
migrate "$BENCH_DATABASE_URL" || fail "migrations failed"

export BENCH_TOPIC_PREFIX="${BENCH_TOPIC_PREFIX:-bench.$(node -p "require('crypto').randomBytes(4).toString('hex')").}"
step "creating Kafka topics under $BENCH_TOPIC_PREFIX"
KAFKA_TOPIC_PREFIX="$BENCH_TOPIC_PREFIX" provision_topics || fail "topics could not be created"

if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
  step "building the services"
  nx run-many -t build --outputStyle=static >"$OUT/logs/build.log" 2>&1 || fail "build failed (see $OUT/logs/build.log)"
fi

export KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/tools/kafka/pom.xml")}"
step "running the benchmark"
BENCH_ROOT="$ROOT" tsx tools/bench/run.ts
exit 0
