#!/usr/bin/env bash
# Stop the Kafka broker and the PostgreSQL cluster that start.sh started. Data and logs
# stay in the state directory. Exits 0 when nothing runs. Settings: see lib.sh.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_kafka() {
  local pid
  if ! pid="$(kafka_running_pid)"; then
    if [ -f "$KAFKA_PID_FILE" ]; then
      rm -f "$KAFKA_PID_FILE"
      say "Kafka: not running (removed the stale pid file $KAFKA_PID_FILE)"
    else
      say "Kafka: not running"
    fi
    return 0
  fi
  say "Kafka: stopping the broker (pid $pid)"
  terminate_kafka "$pid"
  say "Kafka: stopped (log: $KAFKA_LOG_DIR/server.log)"
}

stop_postgres() {
  if ! pg_initialized; then
    say "PostgreSQL: not running (no cluster in $PG_DATA)"
    return 0
  fi
  if ! pg_running; then
    say "PostgreSQL: not running"
    return 0
  fi
  say "PostgreSQL: stopping (pid $(pg_running_pid))"
  if ! as_cluster_owner "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$SERVICE_TIMEOUT" >/dev/null; then
    say "PostgreSQL: fast shutdown did not finish within $SERVICE_TIMEOUT s; trying immediate shutdown"
    if ! as_cluster_owner "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t "$SERVICE_TIMEOUT" >/dev/null; then
      show_log_tail "$PG_LOG"
      die "PostgreSQL from $PG_DATA did not stop; see $PG_LOG"
    fi
  fi
  say "PostgreSQL: stopped (log: $PG_LOG)"
}

main() {
  validate_settings
  if [ ! -d "$STATE_DIR" ]; then
    say "Nothing to stop: the state directory $STATE_DIR does not exist"
    return 0
  fi
  acquire_lock
  stop_kafka
  stop_postgres
  say "Data and logs remain in $STATE_DIR"
}

main "$@"
