#!/usr/bin/env bash
# npm run test:containers — the container smoke test (docs/containers.md). Not part of `npm test`: it needs a
# Docker engine. Builds the six images (scripts/build-images.sh), brings docker-compose.yml up under a project
# of its own with free host ports (testcontainers' DockerComposeEnvironment, Compose v2 or v1), sends one
# survey through the gateway, answers it through the Twilio simulator, checks survey.answers.v1 and
# survey.sessions.v1 from the host, and takes the project down again, also when something fails.
#   SMOKE_SKIP_BUILD=1       use the images as they are
#   SMOKE_BUILD_TIMEOUT_SECONDS, SMOKE_TIMEOUT_SECONDS   bounds on the build (3600) and on the test run (1200)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
step() { printf '\n==> %s\n' "$*"; }

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "test:containers needs a running Docker engine (docker info fails)." >&2; exit 1
fi
if docker compose version >/dev/null 2>&1; then
  export SMOKE_COMPOSE=v2; compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  export SMOKE_COMPOSE=v1; compose=(docker-compose)
else
  echo "test:containers needs Docker Compose (the docker compose plugin, or docker-compose)." >&2; exit 1
fi
if [ ! -x node_modules/.bin/vitest ]; then echo "Install the packages first (npm install)." >&2; exit 1; fi

export SMOKE_PROJECT="sms-survey-smoke-$$"
# No registry may be reachable for testcontainers' Ryuk; this script cleans up itself.
export TESTCONTAINERS_RYUK_DISABLED=true
cleanup() {
  "${compose[@]}" -p "$SMOKE_PROJECT" -f docker-compose.yml down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
if [ "${SMOKE_SKIP_BUILD:-0}" != 1 ]; then
  step "building the images (one after another; the first build does the shared work)"
  timeout --kill-after=30 "${SMOKE_BUILD_TIMEOUT_SECONDS:-3600}" bash scripts/build-images.sh
fi
step "the compose stack ($SMOKE_COMPOSE, project $SMOKE_PROJECT): one survey sent, answered, published"
timeout --kill-after=30 "${SMOKE_TIMEOUT_SECONDS:-1200}" node_modules/.bin/vitest run --config apps/system-tests/containers/vitest.config.ts
step "passed in $(( $(date +%s) - started )) s"
