#!/usr/bin/env bash
# Builds the six images, one after another (they share the build stages; the first build does the work):
#   sms-survey/{ingest-gateway,survey-orchestrator,sms-dispatcher,insights-sync,twilio-simulator,migrate}
# Usage: scripts/build-images.sh [app…]   (IMAGE_PREFIX, default sms-survey/; IMAGE_TAG, default latest)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPS=("$@")
[ ${#APPS[@]} -gt 0 ] || APPS=(migrate ingest-gateway survey-orchestrator sms-dispatcher insights-sync twilio-simulator)
prefix="${IMAGE_PREFIX:-sms-survey/}" tag="${IMAGE_TAG:-latest}"
for app in "${APPS[@]}"; do
  start=$(date +%s)
  docker build --quiet --build-arg APP="$app" -t "$prefix$app:$tag" "$ROOT" >/dev/null
  printf '%-22s %4s s  %s\n' "$app" "$(( $(date +%s) - start ))" "$(docker image inspect -f '{{.Size}}' "$prefix$app:$tag" | awk '{printf "%.0f MB", $1/1e6}')"
done
