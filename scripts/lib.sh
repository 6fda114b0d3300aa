# Shared steps of scripts/start.sh and scripts/test.sh. Each step installs or starts what is missing and
# leaves alone what is already there.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-}" CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/sms_survey}"
PATH="$ROOT/node_modules/.bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

ensure_node() {
  if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "Node.js 20 or newer is needed (https://nodejs.org or: apt-get install nodejs npm)." >&2; exit 1
  fi
}

ensure_node_modules() {
  ensure_node
  # Install when node_modules is missing or older than the lock file.
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    step "installing npm packages"
    # Not `npm ci`: the registry this project builds from serves no manifests for rollup's other-platform
    # packages, so the lock file cannot list them and npm ci refuses it. npm install follows the lock otherwise.
    (cd "$ROOT" && npm install --no-audit --no-fund)
  fi
  step "generating the Prisma client"
  (cd "$ROOT/libs/db" && prisma generate --config prisma.config.ts >/dev/null)
}

postgres_answers() {
  node -e "
    const u = new URL(process.argv[1]); u.pathname = '/postgres';
    const c = new (require('pg').Client)({ connectionString: u.toString(), connectionTimeoutMillis: 2000 });
    c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
  " "$1" 2>/dev/null
}

ensure_postgres() {
  step "checking PostgreSQL at ${DATABASE_URL//\/\/*@/\/\/***@}"
  if postgres_answers "$DATABASE_URL"; then return 0; fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    # docker-compose.yml's postgres, published on DATABASE_URL's port and, as that URL has no password, trusting
    # connections (to 127.0.0.1 only); Compose v2 or v1.
    echo "starting PostgreSQL from docker-compose.yml"
    local port; port="$(node -p 'new URL(process.argv[1]).port || 5432' "$DATABASE_URL")"
    if docker compose version >/dev/null 2>&1; then local compose=(docker compose); else local compose=(docker-compose); fi
    POSTGRES_HOST_PORT="$port" POSTGRES_HOST_AUTH_METHOD=trust "${compose[@]}" -f "$ROOT/docker-compose.yml" up -d postgres
  fi
  for _ in $(seq 1 30); do postgres_answers "$DATABASE_URL" && return 0; sleep 1; done
  echo "PostgreSQL does not answer at DATABASE_URL. Install it (apt-get install postgresql) or set DATABASE_URL." >&2
  exit 1
}

# Starts the local broker unless KAFKA_BROKERS names a cluster to use. Sets STARTED_KAFKA=1 when it did.
ensure_kafka() {
  STARTED_KAFKA=0
  if [ -n "${KAFKA_BROKERS:-}" ]; then step "using the Kafka cluster at $KAFKA_BROKERS"; return 0; fi
  step "starting the local Kafka broker"
  if ! bash "$ROOT/scripts/kafka.sh" status; then STARTED_KAFKA=1; fi
  bash "$ROOT/scripts/kafka.sh" start
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
}

migrate() {
  step "applying database migrations to ${1//\/\/*@/\/\/***@}"
  (cd "$ROOT" && DATABASE_URL="$1" tsx libs/db/src/cli/migrate.ts | tail -n 1)
}

provision_topics() {
  step "creating Kafka topics"
  (cd "$ROOT" && tsx libs/kafka/src/cli/provision-topics.ts | sed -n 1p)
}

# The console's browser test (apps/console/test/console.browser.e2e.spec.ts) drives Debian's Chromium through
# playwright-core, which cannot download browsers here: installs the chromium package when /usr/bin/chromium is
# missing and apt-get can (as root, or with sudo without a password); otherwise that test skips, saying why.
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="none"; fi
  fi
  if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
    step "installing Chromium (Debian's chromium package) for the console's browser test"
    if $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; then return 0; fi
  fi
  echo "Chromium is not at /usr/bin/chromium and could not be installed with apt-get: the console's browser test will be skipped." >&2
}
