#!/usr/bin/env bash
# Report whether the PostgreSQL cluster and the Kafka broker of start.sh run, and where
# their data and logs are. Exits 0 when both run and 3 when at least one does not.
# Settings: see lib.sh.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

report_postgres() {
  local port
  if pg_running; then
    port="$(pg_running_port)"
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; then
      say "PostgreSQL: running (pid $(pg_running_pid), 127.0.0.1:$port, accepting connections)"
    else
      say "PostgreSQL: running (pid $(pg_running_pid), 127.0.0.1:$port) but pg_isready gets no response"
    fi
  else
    say "PostgreSQL: stopped"
  fi
  say "  data $PG_DATA, log $PG_LOG"
  pg_running
}

report_kafka() {
  local pid port controller_port
  if pid="$(kafka_running_pid)"; then
    port="$(kafka_config_port PLAINTEXT)"
    controller_port="$(kafka_config_port CONTROLLER)"
    if port_in_use "$port"; then
      say "Kafka: running (pid $pid, broker 127.0.0.1:$port, controller 127.0.0.1:$controller_port)"
    else
      say "Kafka: running (pid $pid) but nothing accepts connections on 127.0.0.1:$port yet"
    fi
  else
    say "Kafka: stopped"
  fi
  say "  data $KAFKA_DATA, log $KAFKA_LOG_DIR/server.log, pid file $KAFKA_PID_FILE"
  [ -n "${pid:-}" ]
}

main() {
  local status=0
  validate_settings
  say "State directory: $STATE_DIR"
  report_postgres || status=3
  report_kafka || status=3
  if [ -f "$ENV_FILE" ]; then
    say "Connection settings: $ENV_FILE"
  fi
  return "$status"
}

main "$@"
