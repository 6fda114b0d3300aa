#!/usr/bin/env bash
# Stops what scripts/start.sh started (SIGTERM: each service finishes in-flight work), then the local broker.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.local/run"
if [ -f "$RUN/pids" ]; then
  while read -r pid name; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; echo "stopping $name ($pid)"; fi
  done < "$RUN/pids"
  for _ in $(seq 1 24); do
    alive=0
    while read -r pid _; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$RUN/pids"
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  rm -f "$RUN/pids"
fi
[ "${1:-}" = "--keep-kafka" ] || bash "$ROOT/scripts/kafka.sh" stop
