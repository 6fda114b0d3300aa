#!/usr/bin/env bash
# The whole test suite: unit, integration and end-to-end tests against a real Kafka broker and PostgreSQL,
# plus type checking and lint. Starts what it needs (and stops the broker again if it started it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_node_modules
ensure_chromium
ensure_postgres
ensure_kafka
if [ "$STARTED_KAFKA" = 1 ]; then trap 'bash "$ROOT/scripts/kafka.sh" stop' EXIT; fi

# Integration tests clone this database (CREATE DATABASE ... TEMPLATE), one per test file.
base="${DATABASE_URL%/*}"
export TEST_TEMPLATE_DATABASE_URL="${TEST_TEMPLATE_DATABASE_URL:-$base/sms_survey_test_template}"
migrate "$TEST_TEMPLATE_DATABASE_URL"

step "type checking"
tsc -p tsconfig.json --noEmit

rm -rf "$ROOT/.local/test-results"
step "lint and tests of every project"
status=0
nx run-many -t lint test --parallel=2 --outputStyle=stream --skip-nx-cache "$@" || status=$?
node scripts/test-summary.mjs .local/test-results || status=$((status == 0 ? 1 : status))
exit "$status"
