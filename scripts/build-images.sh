#!/usr/bin/env bash
# Builds the six images, one after another, from one snapshot of the working tree (so that all six share the
# build stages, which the first build does, even while files are being edited):
#   sms-survey/{migrate,ingest-gateway,survey-orchestrator,sms-dispatcher,insights-sync,twilio-simulator}
# Usage: scripts/build-images.sh [app…]   IMAGE_PREFIX (default sms-survey/), IMAGE_TAG (default latest)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPS=("$@")
[ ${#APPS[@]} -gt 0 ] || APPS=(migrate ingest-gateway survey-orchestrator sms-dispatcher insights-sync twilio-simulator)
prefix="${IMAGE_PREFIX:-sms-survey/}" tag="${IMAGE_TAG:-latest}"

context="$(mktemp -d "${TMPDIR:-/tmp}/sms-survey-context.XXXXXX")"
trap 'rm -rf "$context"' EXIT
# What the build never reads (the Dockerfile's .dockerignore then applies as usual).
tar -C "$ROOT" --exclude=node_modules --exclude=.git --exclude=.nx --exclude=.local --exclude=dist -cf - . | tar -C "$context" -xf -

for app in "${APPS[@]}"; do
  start=$(date +%s)
  if ! out=$(docker build --build-arg APP="$app" -t "$prefix$app:$tag" "$context" 2>&1); then
    printf '%s\n' "$out" | grep -v -e 'legacy builder is deprecated' -e 'Install the buildx' -e 'docs.docker.com/go/buildx' >&2
    echo "building $prefix$app:$tag failed" >&2; exit 1
  fi
  printf '%-38s %4s s  %s\n' "$prefix$app:$tag" "$(( $(date +%s) - start ))" \
    "$(docker image inspect -f '{{.Size}}' "$prefix$app:$tag" | awk '{printf "%.0f MB", $1/1e6}')"
done
