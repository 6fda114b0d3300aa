#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) for development and tests, without Docker.
#   scripts/kafka.sh fetch   resolve Kafka's jars from Maven Central (cached in $SMS_SURVEY_CACHE)
#   scripts/kafka.sh start   fetch, format storage on first use, start on 127.0.0.1:$KAFKA_PORT, wait until ready
#   scripts/kafka.sh stop    stop the broker this script started
#   scripts/kafka.sh status  exit 0 when a broker answers on the port
# When Java and Maven are missing but a Docker engine runs, `start` uses docker-compose.yml's kafka service.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/tools/kafka/pom.xml")"
CACHE="${SMS_SURVEY_CACHE:-$HOME/.cache/sms-survey}"
LIB="$CACHE/kafka-$KAFKA_VERSION/lib"
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
STATE="$ROOT/.local/kafka-$KAFKA_PORT"
PIDFILE="$STATE/kafka.pid"

log() { printf '[kafka] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; }

have_java() { command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; }
have_docker() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

fetch() {
  if [ -f "$LIB/.complete" ]; then return 0; fi
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $LIB"
  mkdir -p "$LIB"
  mvn -q -B -f "$ROOT/tools/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIB" -DincludeScope=runtime
  touch "$LIB/.complete"
}

wait_ready() {
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until node "$ROOT/scripts/kafka-ready.mjs" "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1; do
    if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      log "broker exited during start; last lines of $STATE/kafka.log:"; tail -n 30 "$STATE/kafka.log" >&2; exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then log "broker not ready after ${KAFKA_START_TIMEOUT:-90}s"; tail -n 30 "$STATE/kafka.log" >&2 || true; exit 1; fi
    sleep 0.5
  done
  log "ready on 127.0.0.1:$KAFKA_PORT"
}

start() {
  if port_open; then log "a broker already answers on 127.0.0.1:$KAFKA_PORT; using it"; wait_ready; return 0; fi
  if ! have_java; then
    if have_docker; then
      log "Java/Maven not found; starting Kafka from docker-compose.yml"
      # Its listener for host clients, published and advertised on 127.0.0.1:$KAFKA_PORT; Compose v2 or v1.
      if docker compose version >/dev/null 2>&1; then local compose=(docker compose); else local compose=(docker-compose); fi
      KAFKA_HOST_PORT="$KAFKA_PORT" "${compose[@]}" -f "$ROOT/docker-compose.yml" up -d kafka
      wait_ready; return 0
    fi
    log "Kafka needs either Java 17+ with Maven (apt-get install openjdk-17-jdk-headless maven) or a running Docker engine."
    exit 1
  fi
  fetch
  mkdir -p "$STATE/data"
  sed -e "s#@DATA_DIR@#$STATE/data#" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" \
    "$ROOT/tools/kafka/server.properties.template" > "$STATE/server.properties"
  local java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$ROOT/tools/kafka/log4j.properties")
  if [ ! -f "$STATE/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java "${java_opts[@]}" -cp "$LIB/*" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$STATE/server.properties" --ignore-formatted >"$STATE/format.log" 2>&1 \
      || { cat "$STATE/format.log" >&2; exit 1; }
  fi
  log "starting Apache Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT, data in $STATE/data"
  nohup java "${java_opts[@]}" -cp "$LIB/*" kafka.Kafka "$STATE/server.properties" >"$STATE/kafka.log" 2>&1 &
  echo $! > "$PIDFILE"
  wait_ready
}

stop() {
  if [ -f "$PIDFILE" ]; then
    local pid; pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping broker (pid $pid)"
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
  fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) port_open ;;
  reset) stop; rm -rf "$STATE" ;;
  *) echo "usage: $0 fetch|start|stop|status|reset" >&2; exit 2 ;;
esac
