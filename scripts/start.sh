#!/usr/bin/env bash
# Starts the whole system on this machine: installs what is missing, starts Kafka (unless KAFKA_BROKERS is
# set) and PostgreSQL, applies migrations, creates topics, builds and starts the four services, and the local
# Twilio simulator when no Twilio credentials are configured. `npm stop` stops it all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
RUN="$ROOT/.local/run"
mkdir -p "$RUN"

if [ -f "$RUN/pids" ]; then bash "$ROOT/scripts/stop.sh" --keep-kafka >/dev/null 2>&1 || true; fi

ensure_node_modules
ensure_postgres
ensure_kafka
migrate "$DATABASE_URL"
provision_topics

step "building the services"
nx run-many -t build --outputStyle=static >/dev/null

: > "$RUN/pids"
start_process() { # name, command...
  local name="$1"; shift
  nohup "$@" >"$RUN/$name.log" 2>&1 &
  echo "$! $name" >> "$RUN/pids"
}

step "starting the services"
# The example surveys are loaded at start (a team would point this at its own folder of survey files).
export SURVEYS_DIR="${SURVEYS_DIR:-$ROOT/examples/surveys}"
if [ -z "${TWILIO_ACCOUNT_SID:-}" ] && [ -z "${TWILIO_AUTH_TOKEN:-}" ]; then
  SIMULATED=1
  start_process twilio-simulator node apps/twilio-simulator/dist/main.js
else
  SIMULATED=0
fi
start_process ingest-gateway node apps/ingest-gateway/dist/main.js
start_process survey-orchestrator node apps/survey-orchestrator/dist/main.js
# Its package.json start script caps its heap (see docs/benchmarks.md); the same flags here.
start_process sms-dispatcher node --max-semi-space-size=4 --max-old-space-size=256 apps/sms-dispatcher/dist/main.js
start_process insights-sync node apps/insights-sync/dist/main.js

wait_ready() { # name url
  for _ in $(seq 1 60); do
    if node -e "fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$2"; then
      printf '  %-20s ready   %s\n' "$1" "$2"; return 0
    fi
    sleep 0.5
  done
  printf '  %-20s NOT READY (see %s)\n' "$1" "$RUN/$1.log"; return 1
}
ok=0
[ "$SIMULATED" = 1 ] && { wait_ready twilio-simulator "http://127.0.0.1:${SIMULATOR_PORT:-4010}/__sim/health" || ok=1; }
wait_ready ingest-gateway "http://127.0.0.1:${GATEWAY_PORT:-3000}/readyz" || ok=1
wait_ready survey-orchestrator "http://127.0.0.1:3001/readyz" || ok=1
wait_ready sms-dispatcher "http://127.0.0.1:3002/readyz" || ok=1
wait_ready insights-sync "http://127.0.0.1:3003/readyz" || ok=1

cat <<INFO

The system is running$([ "$SIMULATED" = 1 ] && echo " against the local Twilio simulator (no Twilio credentials set)").
  Gateway (Twilio webhooks, public API)  http://127.0.0.1:3000   (/healthz /readyz /metrics)
  Survey console                         http://127.0.0.1:3000/console/   (sign in with an API key: \$API_KEYS, default dev-api-key)
  Orchestrator / dispatcher / insights   http://127.0.0.1:3001 /3002 /3003   (ops endpoints)
  Twilio simulator                       http://127.0.0.1:4010/__sim/messages   (what was "sent")
  Kafka                                  ${KAFKA_BROKERS}
  PostgreSQL                             ${DATABASE_URL//\/\/*@/\/\/***@}
  Logs                                   $RUN/<service>.log

Send the example CSAT survey (API key: \$API_KEYS, default dev-api-key):
  curl -s -X POST http://127.0.0.1:3000/v1/surveys/csat-en-no/send -H 'authorization: Bearer dev-api-key' \\
       -H 'content-type: application/json' \\
       -d '{"identifier":"+4791234567","identifierType":"Phone","channel":"SMS","language":"no"}'
See what was texted:  curl -s 'http://127.0.0.1:4010/__sim/messages?to=%2B4791234567'
Answer as the customer would (the simulator signs the webhook):
  curl -s -X POST http://127.0.0.1:4010/__sim/inbound -H 'content-type: application/json' \\
       -d '{"from":"+4791234567","to":"+4759440000","body":"4"}'
Stop everything with: npm stop
INFO
exit "$ok"
