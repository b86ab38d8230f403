#!/usr/bin/env bash
# Start a private PostgreSQL 15 cluster with PostGIS and a single-node Kafka 3.9 broker
# (KRaft mode) on 127.0.0.1, and write their connection settings to <state dir>/env.
#
# Running it again while both services run starts nothing new. Missing Debian packages
# are installed with apt-get when run as root. The settings and their defaults are
# listed at the top of lib.sh.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_postgres_packages() {
  local sharedir="/usr/share/postgresql/$PG_MAJOR"
  local packages=()
  if [ ! -x "$PG_BIN/postgres" ]; then
    packages+=("postgresql-$PG_MAJOR")
  fi
  if [ -x "$PG_BIN/pg_config" ]; then
    sharedir="$("$PG_BIN/pg_config" --sharedir)"
  fi
  if [ ! -f "$sharedir/extension/postgis.control" ]; then
    packages+=("postgresql-$PG_MAJOR-postgis-3")
  fi
  if [ "${#packages[@]}" -eq 0 ]; then
    return 0
  fi

  if ! is_root || ! command -v apt-get >/dev/null; then
    die "missing Debian packages ${packages[*]}; install them as root with: apt-get update && apt-get install -y ${packages[*]}"
  fi
  local log="$STATE_DIR/install.log"
  local started=$SECONDS
  say "Installing ${packages[*]} with apt-get (output in $log)"
  # NOTE: installing postgresql-15 also makes Debian create its default cluster
  # (/var/lib/postgresql/15/main, port 5432), which its package scripts may start. That
  # path is untested. These scripts neither use nor stop that cluster.
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"; } \
    >>"$log" 2>&1; then
    show_log_tail "$log"
    die "apt-get failed to install ${packages[*]}; see $log"
  fi
  if [ ! -x "$PG_BIN/postgres" ]; then
    die "PostgreSQL server binaries are still missing from $PG_BIN after the install; check CLOUDBURST_PG_BIN"
  fi
  say "Installed ${packages[*]} in $((SECONDS - started)) s"
}

# Write a file inside the cluster directory and give it to the cluster owner.
write_cluster_file() {
  local path="$1"
  cat >"$path"
  if is_root; then
    chown postgres:postgres "$path"
  fi
}

prepare_postgres_directory() {
  if is_root && ! id postgres >/dev/null 2>&1; then
    die "the postgres OS user is missing. Run as root, start.sh needs it because initdb cannot run as root: install postgresql-$PG_MAJOR, which creates it, or run start.sh as another user"
  fi
  mkdir -p "$PG_DIR"
  if is_root; then
    chown postgres:postgres "$PG_DIR"
    if ! runuser -u postgres -- test -w "$PG_DIR"; then
      die "the postgres OS user cannot write to $PG_DIR because a parent directory is closed to it; set CLOUDBURST_SERVICES_DIR to a directory that every user can enter"
    fi
  fi
  chmod 700 "$PG_DIR"
  as_cluster_owner mkdir -p "$PG_SOCKET_DIR"
}

init_postgres_cluster() {
  local initdb_log="$PG_DIR/initdb.log"
  say "PostgreSQL: creating a cluster in $PG_DATA"
  if ! as_cluster_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
    >"$initdb_log" 2>&1; then
    show_log_tail "$initdb_log"
    die "initdb failed for $PG_DATA; see $initdb_log"
  fi
  # Port, listen address and socket directory live in cloudburst.conf, which start.sh
  # rewrites before each start, so a changed PGPORT_CLOUDBURST takes effect.
  printf "\ninclude_if_exists = 'cloudburst.conf'\n" >>"$PG_DATA/postgresql.conf"
}

start_postgres_server() {
  # The kernel limits a Unix socket path to 107 bytes.
  local socket_path="$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
  if [ "${#socket_path}" -gt 107 ]; then
    die "the PostgreSQL socket path $socket_path is longer than 107 bytes; set CLOUDBURST_SERVICES_DIR to a shorter path"
  fi
  if port_in_use "$PG_PORT"; then
    die "port 127.0.0.1:$PG_PORT is already in use by another process; set PGPORT_CLOUDBURST to a free port"
  fi

  write_cluster_file "$PG_DATA/cloudburst.conf" <<EOF
# Written by scripts/services/start.sh before each start; edits here are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0700
EOF

  say "PostgreSQL: starting on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
  # 9>&- keeps the lock of acquire_lock out of the server, which outlives this script.
  if ! as_cluster_owner "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$SERVICE_TIMEOUT" \
    >/dev/null 9>&-; then
    show_log_tail "$PG_LOG"
    die "PostgreSQL did not start within $SERVICE_TIMEOUT s; see $PG_LOG"
  fi
}

wait_for_pg_isready() {
  local deadline=$((SECONDS + SERVICE_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_log_tail "$PG_LOG"
      die "timed out after $SERVICE_TIMEOUT s: PostgreSQL on 127.0.0.1:$PG_PORT sent no response to pg_isready; see $PG_LOG"
    fi
    sleep 0.5
  done
}

superuser_psql() {
  PGOPTIONS='-c client_min_messages=warning' \
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_SUPERUSER" "$@"
}

# Create the application role and databases when missing, and PostGIS in each database.
# PostGIS is not a trusted extension, so only a superuser can create it. With it in
# place, the migrations' CREATE EXTENSION IF NOT EXISTS postgis does nothing.
create_databases() {
  local database
  superuser_psql -d postgres <<EOF || die "creating the role $APP_ROLE or its databases failed; see $PG_LOG"
SELECT format('CREATE ROLE %I LOGIN', '$APP_ROLE')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_ROLE')
\\gexec
ALTER ROLE $APP_ROLE WITH LOGIN PASSWORD '$APP_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', name, '$APP_ROLE')
FROM unnest(ARRAY['${APP_DATABASES[0]}', '${APP_DATABASES[1]}']) AS name
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name)
\\gexec
EOF
  for database in "${APP_DATABASES[@]}"; do
    superuser_psql -d "$database" -c 'CREATE EXTENSION IF NOT EXISTS postgis' \
      || die "CREATE EXTENSION postgis failed in database $database; see $PG_LOG"
  done
}

start_postgres() {
  local started=$SECONDS
  local running_port
  install_postgres_packages
  prepare_postgres_directory
  if ! pg_initialized; then
    init_postgres_cluster
  fi

  if pg_running; then
    running_port="$(pg_running_port)"
    if [ "$running_port" != "$PG_PORT" ]; then
      die "PostgreSQL from $PG_DATA already runs on port $running_port, not on PGPORT_CLOUDBURST=$PG_PORT; run scripts/services/stop.sh first"
    fi
    say "PostgreSQL: already running (pid $(pg_running_pid), 127.0.0.1:$PG_PORT)"
  else
    start_postgres_server
  fi

  wait_for_pg_isready
  create_databases
  say "PostgreSQL: ready on 127.0.0.1:$PG_PORT with databases ${APP_DATABASES[*]} ($((SECONDS - started)) s)"
}

# Run a Kafka class or a single-file Java program with the broker's jars on the class path.
kafka_tool() {
  "$JAVA" -Xmx256m -Dlog4j.configuration="file:$SERVICES_SCRIPT_DIR/kafka/tools-log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

require_java() {
  if ! command -v "$JAVA" >/dev/null; then
    die "java not found (looked for '$JAVA'); Kafka needs a JDK, tested with OpenJDK 17: set JAVA_HOME or put java on PATH"
  fi
}

# Copy the broker's runtime jars from Maven into KAFKA_LIBS, unless they were copied
# from the same pom.xml before.
resolve_kafka_libs() {
  local pom_checksum
  pom_checksum="$(sha256sum "$KAFKA_POM" | cut -d ' ' -f 1)"
  if [ "$(cat "$KAFKA_LIBS/.pom.sha256" 2>/dev/null)" = "$pom_checksum" ]; then
    return 0
  fi
  if ! command -v mvn >/dev/null; then
    die "mvn not found; Maven resolves the Kafka jars (Debian package: maven)"
  fi

  local repo_args=()
  local started=$SECONDS
  if [ -n "$MAVEN_REPO" ]; then
    repo_args=("-Dmaven.repo.local=$MAVEN_REPO")
  fi
  say "Kafka: copying the broker's jars from Maven into $KAFKA_LIBS (log: $KAFKA_MAVEN_LOG)"
  rm -rf "$KAFKA_LIBS.partial"
  if ! mvn -B -ntp -f "$KAFKA_POM" "${repo_args[@]}" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.partial" >"$KAFKA_MAVEN_LOG" 2>&1; then
    show_log_tail "$KAFKA_MAVEN_LOG"
    die "Maven could not resolve the jars listed in $KAFKA_POM; see $KAFKA_MAVEN_LOG"
  fi
  printf '%s\n' "$pom_checksum" >"$KAFKA_LIBS.partial/.pom.sha256"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.partial" "$KAFKA_LIBS"
  say "Kafka: jars ready in $((SECONDS - started)) s"
}

write_kafka_config() {
  mkdir -p "$(dirname "$KAFKA_CONFIG")"
  cat >"$KAFKA_CONFIG" <<EOF
# Written by scripts/services/start.sh before each broker start; edits here are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
auto.create.topics.enable=false
# One broker has no other group members to wait for before the first rebalance.
group.initial.rebalance.delay.ms=0
EOF
}

# Format the KRaft storage on the first start. Later starts reuse it, and so keep topics.
format_kafka_storage() {
  local cluster_id
  local format_log="$KAFKA_LOG_DIR/storage-format.log"
  if [ -f "$KAFKA_DATA/meta.properties" ]; then
    return 0
  fi

  if [ ! -s "$KAFKA_CLUSTER_ID_FILE" ]; then
    kafka_tool kafka.tools.StorageTool random-uuid >"$KAFKA_CLUSTER_ID_FILE.partial" \
      || die "kafka.tools.StorageTool random-uuid failed"
    mv "$KAFKA_CLUSTER_ID_FILE.partial" "$KAFKA_CLUSTER_ID_FILE"
  fi
  cluster_id="$(cat "$KAFKA_CLUSTER_ID_FILE")"
  if ! [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]]; then
    die "$KAFKA_CLUSTER_ID_FILE does not contain a Kafka cluster id (22 base64url characters): '$cluster_id'"
  fi

  say "Kafka: formatting $KAFKA_DATA with cluster id $cluster_id"
  mkdir -p "$KAFKA_DATA"
  if ! kafka_tool kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$KAFKA_CONFIG" \
    --ignore-formatted >"$format_log" 2>&1; then
    show_log_tail "$format_log"
    die "formatting the Kafka storage in $KAFKA_DATA failed; see $format_log"
  fi
}

require_free_kafka_ports() {
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_in_use "$port"; then
      die "port 127.0.0.1:$port is already in use by another process; set KAFKA_PORT and KAFKA_CONTROLLER_PORT to free ports"
    fi
  done
}

launch_kafka() {
  say "Kafka: starting the broker on 127.0.0.1:$KAFKA_PORT, controller on 127.0.0.1:$KAFKA_CONTROLLER_PORT (log: $KAFKA_LOG_DIR/server.log)"
  # setsid puts the broker in its own session, so it keeps running after this script
  # and npm exit. kafka.out receives what the JVM prints outside log4j, such as crashes.
  # 9>&- keeps the lock of acquire_lock out of the broker. KAFKA_HEAP_OPTS is split into
  # words on purpose.
  # shellcheck disable=SC2086
  setsid "$JAVA" $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$SERVICES_SCRIPT_DIR/kafka/log4j.properties" \
    -Dkafka.logs.dir="$KAFKA_LOG_DIR" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONFIG" \
    </dev/null >>"$KAFKA_LOG_DIR/kafka.out" 2>&1 9>&- &
  printf '%s\n' "$!" >"$KAFKA_PID_FILE"
}

# Wait until the broker lists its topics. A broker that does not respond in time is
# stopped, so that the next start begins from a clean state.
wait_for_kafka() {
  local pid="$1"
  local status=0
  kafka_tool "$SERVICES_SCRIPT_DIR/kafka/KafkaReady.java" "$KAFKA_BROKERS_VALUE" "$SERVICE_TIMEOUT" "$pid" \
    || status=$?
  case "$status" in
    0)
      ;;
    2)
      rm -f "$KAFKA_PID_FILE"
      show_log_tail "$KAFKA_LOG_DIR/server.log"
      show_log_tail "$KAFKA_LOG_DIR/kafka.out"
      die "Kafka broker exited during startup; see $KAFKA_LOG_DIR/server.log and $KAFKA_LOG_DIR/kafka.out"
      ;;
    *)
      show_log_tail "$KAFKA_LOG_DIR/server.log"
      say "Kafka: stopping the broker (pid $pid) that did not respond"
      terminate_kafka "$pid"
      die "timed out after $SERVICE_TIMEOUT s: the Kafka broker on $KAFKA_BROKERS_VALUE did not list its topics; see $KAFKA_LOG_DIR/server.log"
      ;;
  esac
}

start_kafka() {
  local started=$SECONDS
  local pid running_port running_controller_port
  require_java
  mkdir -p "$KAFKA_DIR" "$KAFKA_LOG_DIR"

  if pid="$(kafka_running_pid)"; then
    running_port="$(kafka_config_port PLAINTEXT)"
    running_controller_port="$(kafka_config_port CONTROLLER)"
    if [ "$running_port" != "$KAFKA_PORT" ] || [ "$running_controller_port" != "$KAFKA_CONTROLLER_PORT" ]; then
      die "Kafka from $KAFKA_DIR already runs on ports $running_port and $running_controller_port, not on KAFKA_PORT=$KAFKA_PORT and KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT; run scripts/services/stop.sh first"
    fi
    say "Kafka: already running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
  else
    rm -f "$KAFKA_PID_FILE"
    require_free_kafka_ports
    resolve_kafka_libs
    write_kafka_config
    format_kafka_storage
    launch_kafka
    pid="$(cat "$KAFKA_PID_FILE")"
  fi

  wait_for_kafka "$pid"
  say "Kafka: ready on $KAFKA_BROKERS_VALUE ($((SECONDS - started)) s)"
}

write_env_file() {
  cat >"$ENV_FILE.partial" <<EOF
# Written by scripts/services/start.sh: connection settings of the local services.
# Load them into a shell with: . $ENV_FILE
export DATABASE_URL=$DATABASE_URL_VALUE
export TEST_DATABASE_URL=$TEST_DATABASE_URL_VALUE
export KAFKA_BROKERS=$KAFKA_BROKERS_VALUE
EOF
  mv "$ENV_FILE.partial" "$ENV_FILE"
}

print_summary() {
  say "State directory: $STATE_DIR"
  say "PostgreSQL: data $PG_DATA, log $PG_LOG"
  say "Kafka: data $KAFKA_DATA, log $KAFKA_LOG_DIR/server.log, pid file $KAFKA_PID_FILE"
  say "Connection settings written to $ENV_FILE (load with: . $ENV_FILE)"
  printf 'DATABASE_URL=%s\n' "$DATABASE_URL_VALUE"
  printf 'TEST_DATABASE_URL=%s\n' "$TEST_DATABASE_URL_VALUE"
  printf 'KAFKA_BROKERS=%s\n' "$KAFKA_BROKERS_VALUE"
}

main() {
  validate_settings
  acquire_lock
  start_postgres
  start_kafka
  write_env_file
  print_summary
}

main "$@"
