# shellcheck shell=bash
# Settings and helpers shared by start.sh, stop.sh and status.sh. Source it, do not run it.
#
# Environment variables, with their defaults:
#   CLOUDBURST_SERVICES_DIR      state directory with data, logs, pid files and the env file
#                                (default: .services/ in the repository)
#   PGPORT_CLOUDBURST            PostgreSQL TCP port on 127.0.0.1 (default: 55432)
#   KAFKA_PORT                   Kafka client listener (PLAINTEXT) on 127.0.0.1 (default: 59092)
#   KAFKA_CONTROLLER_PORT        Kafka KRaft controller listener on 127.0.0.1 (default: 59093)
#   KAFKA_HEAP_OPTS              JVM heap options of the broker (default: -Xms256m -Xmx512m)
#   CLOUDBURST_MAVEN_REPO        Maven local repository that caches the Kafka jars
#                                (default: Maven's own, ~/.m2/repository unless settings.xml
#                                sets another)
#   CLOUDBURST_PG_BIN            PostgreSQL 15 server binaries (default: /usr/lib/postgresql/15/bin)
#   CLOUDBURST_SERVICES_TIMEOUT  seconds to wait for one service to start or stop (default: 90)
#   JAVA_HOME                    JDK that runs Kafka (default: `java` on PATH; tested with OpenJDK 17)

# The scripts that source this file read the variables below.
# shellcheck disable=SC2034

SERVICES_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SERVICES_SCRIPT_DIR/../.." && pwd)"

STATE_DIR="${CLOUDBURST_SERVICES_DIR:-$REPO_ROOT/.services}"
PG_PORT="${PGPORT_CLOUDBURST:-55432}"
KAFKA_PORT="${KAFKA_PORT:-59092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-59093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
MAVEN_REPO="${CLOUDBURST_MAVEN_REPO:-}"
PG_MAJOR=15
PG_BIN="${CLOUDBURST_PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}"
SERVICE_TIMEOUT="${CLOUDBURST_SERVICES_TIMEOUT:-90}"
if [ -n "${JAVA_HOME:-}" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA=java
fi

# The application connects as this role. The password is a fixed local-development value.
APP_ROLE=cloudburst
APP_PASSWORD=cloudburst
APP_DATABASES=(cloudburst cloudburst_test)
# initdb names the bootstrap superuser explicitly, so it is the same when run as root or not.
PG_SUPERUSER=postgres

PG_DIR="$STATE_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCKET_DIR="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"

KAFKA_DIR="$STATE_DIR/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_LOG_DIR="$KAFKA_DIR/logs"
KAFKA_CONFIG="$KAFKA_DIR/config/server.properties"
KAFKA_PID_FILE="$KAFKA_DIR/kafka.pid"
KAFKA_CLUSTER_ID_FILE="$KAFKA_DIR/cluster-id"
KAFKA_MAVEN_LOG="$KAFKA_DIR/maven.log"
KAFKA_POM="$SERVICES_SCRIPT_DIR/kafka/pom.xml"

ENV_FILE="$STATE_DIR/env"
LOCK_FILE="$STATE_DIR/services.lock"

DATABASE_URL_VALUE="postgres://$APP_ROLE:$APP_PASSWORD@127.0.0.1:$PG_PORT/cloudburst"
TEST_DATABASE_URL_VALUE="postgres://$APP_ROLE:$APP_PASSWORD@127.0.0.1:$PG_PORT/cloudburst_test"
KAFKA_BROKERS_VALUE="127.0.0.1:$KAFKA_PORT"

say() {
  printf '[services] %s\n' "$*"
}

die() {
  printf '[services] error: %s\n' "$*" >&2
  exit 1
}

# Print the last lines of a log file to stderr, so a failure shows its cause in CI output.
show_log_tail() {
  local file="$1"
  if [ -f "$file" ]; then
    printf '[services] last lines of %s:\n' "$file" >&2
    tail -n 30 "$file" | sed 's/^/    /' >&2
  fi
}

is_root() {
  [ "$(id -u)" -eq 0 ]
}

# Run a PostgreSQL server command (initdb, pg_ctl) as the owner of the cluster.
# initdb and pg_ctl cannot run as root, so root runs them as the postgres OS user.
# The command starts in / because the postgres user may not be allowed to read the caller's
# working directory.
as_cluster_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Succeed when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

require_port_number() {
  local name="$1" value="$2"
  if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt 1 ] || [ "$value" -gt 65535 ]; then
    die "$name=$value is not a TCP port number (1-65535)"
  fi
}

validate_settings() {
  require_port_number PGPORT_CLOUDBURST "$PG_PORT"
  require_port_number KAFKA_PORT "$KAFKA_PORT"
  require_port_number KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  if [ "$PG_PORT" = "$KAFKA_PORT" ] || [ "$PG_PORT" = "$KAFKA_CONTROLLER_PORT" ] \
    || [ "$KAFKA_PORT" = "$KAFKA_CONTROLLER_PORT" ]; then
    die "PGPORT_CLOUDBURST, KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (got $PG_PORT, $KAFKA_PORT, $KAFKA_CONTROLLER_PORT)"
  fi
  if ! [[ "$SERVICE_TIMEOUT" =~ ^[0-9]+$ ]] || [ "$SERVICE_TIMEOUT" -lt 1 ]; then
    die "CLOUDBURST_SERVICES_TIMEOUT=$SERVICE_TIMEOUT is not a positive number of seconds"
  fi
  case "$STATE_DIR" in
    /*) ;;
    *) die "CLOUDBURST_SERVICES_DIR='$STATE_DIR' is not an absolute path" ;;
  esac
  # Kafka's log.dirs list and the log4j file: URL do not take whitespace reliably.
  if [[ "$STATE_DIR" =~ [[:space:]] ]]; then
    die "CLOUDBURST_SERVICES_DIR='$STATE_DIR' contains whitespace; choose a path without spaces"
  fi
}

# Take the lock shared by start.sh and stop.sh, so that two of them never run at once.
acquire_lock() {
  if [ ! -d "$STATE_DIR" ]; then
    mkdir -p "$STATE_DIR"
    # The postgres OS user must be able to enter the state directory whatever the umask.
    chmod 755 "$STATE_DIR"
  fi
  exec 9>"$LOCK_FILE"
  if ! flock -w "$SERVICE_TIMEOUT" 9; then
    die "timed out after $SERVICE_TIMEOUT s waiting for $LOCK_FILE, which another start.sh or stop.sh has locked"
  fi
}

# PostgreSQL

pg_initialized() {
  [ -f "$PG_DATA/PG_VERSION" ]
}

pg_running() {
  pg_initialized && as_cluster_owner "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

# Print the PID and port of the running postmaster, read from postmaster.pid.
pg_running_pid() {
  sed -n 1p "$PG_DATA/postmaster.pid" 2>/dev/null
}

pg_running_port() {
  sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null
}

# Kafka

# Print the PID of the broker started from this state directory. Fail when none runs.
# The command line is checked too, because a stale pid file may name a reused PID.
kafka_running_pid() {
  local pid
  [ -f "$KAFKA_PID_FILE" ] || return 1
  pid="$(cat "$KAFKA_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  if tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF "$KAFKA_CONFIG" \
    && tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF kafka.Kafka; then
    printf '%s\n' "$pid"
    return 0
  fi
  return 1
}

# Print the port of one listener (PLAINTEXT or CONTROLLER) from the broker's config file.
kafka_config_port() {
  local listener="$1"
  sed -n "s|^listeners=.*$listener://127\.0\.0\.1:\([0-9]*\).*|\1|p" "$KAFKA_CONFIG" 2>/dev/null
}

# Stop the broker whose PID is given: SIGTERM, then SIGKILL once SERVICE_TIMEOUT has passed.
# The loop calls kafka_running_pid instead of `kill -0`, because an exited broker that is
# still a child of this shell stays a zombie, and `kill -0` succeeds on zombies.
terminate_kafka() {
  local pid="$1"
  local deadline=$((SECONDS + SERVICE_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kafka_running_pid >/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "Kafka: broker (pid $pid) did not exit within $SERVICE_TIMEOUT s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while kafka_running_pid >/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
        sleep 0.5
      done
      break
    fi
    sleep 0.5
  done
  if kafka_running_pid >/dev/null; then
    die "Kafka broker (pid $pid) is still running after SIGKILL"
  fi
  rm -f "$KAFKA_PID_FILE"
}
