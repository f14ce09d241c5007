# shellcheck shell=bash
# Sourced by scripts/stack: `up|down kafka`.
# Kafka: one KRaft node that is both broker and controller.

KAFKA_VERSION="${STACK_KAFKA_VERSION:-4.4.0}"
LOG4J_VERSION="2.24.3"
KAFKA_PORT="${STACK_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SASL_PORT="${STACK_KAFKA_SASL_PORT:-9094}"
KAFKA_TIMEOUT="${STACK_KAFKA_TIMEOUT:-120}"

KAFKA_DIR="$RUN/kafka"
KAFKA_MARKER="kafka.Kafka"

kafka_answers() { kcat -L -b "127.0.0.1:$KAFKA_PORT" -m 3 >/dev/null 2>&1; }

KAFKA_CLIENT_FILE="$RUN/kafka-client.properties"

# The SASL/PLAIN listener's one user, with a password generated once into the client option
# file (mode 600) that shopstream reads through SHOPSTREAM_KAFKA_OPTION_FILE.
kafka_client_file() {
  [[ -f "$KAFKA_CLIENT_FILE" ]] && return 0
  local password
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  (
    umask 077
    cat >"$KAFKA_CLIENT_FILE.tmp" <<EOF
# Written by scripts/stack: librdkafka settings for the SASL listener on 127.0.0.1:$KAFKA_SASL_PORT.
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.username=shopstream
sasl.password=$password
EOF
  )
  mv "$KAFKA_CLIENT_FILE.tmp" "$KAFKA_CLIENT_FILE"
}

kafka_config() {
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  kafka_client_file
  local sasl_password
  sasl_password="$(sed -n 's/^sasl.password=//p' "$KAFKA_CLIENT_FILE")"
  (
    umask 077
    cat >"$KAFKA_DIR/server.properties" <<EOF
# Written by scripts/stack on each start (mode 600: it holds the SASL user's password).
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_shopstream="$sasl_password";
log.dirs=$KAFKA_DIR/data
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
EOF
  )
  chmod 600 "$KAFKA_DIR/server.properties"
  kafka_write_log4j "$KAFKA_DIR"
}

# Writes DIR/log4j2.properties: the broker's log in DIR/logs/server.log.
kafka_write_log4j() {
  local d="$1"
  cat >"$d/log4j2.properties" <<EOF
# Written by scripts/stack on each start.
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $d/logs/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = info
logger.state.name = state.change.logger
logger.state.level = warn
EOF
}

kafka_up() {
  local pid
  if pid="$(live_pid kafka "$KAFKA_MARKER")"; then
    say "kafka: already running (pid $pid)"
    return 0
  fi
  need_commands kcat:kcat
  external_server kafka "$KAFKA_PORT" kafka_answers && return 0
  port_open "$KAFKA_CONTROLLER_PORT" && die "kafka: controller port $KAFKA_CONTROLLER_PORT is taken"
  port_open "$KAFKA_SASL_PORT" && die "kafka: SASL port $KAFKA_SASL_PORT is taken"
  resolve_jars "kafka-$KAFKA_VERSION" "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" \
    "org.apache.logging.log4j:log4j-core:$LOG4J_VERSION" \
    "org.apache.logging.log4j:log4j-slf4j-impl:$LOG4J_VERSION"
  local java cp
  java="$(find_java)"
  cp="$CACHE/stack/kafka-$KAFKA_VERSION/lib/*"
  kafka_config
  local jvm=(-Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Djava.awt.headless=true)
  if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
    say "kafka: formatting storage in .cache/run/kafka/data"
    local cluster_id
    cluster_id="$("$java" "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    "$java" "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 ||
      fail_with_log "kafka: formatting the storage failed" "$KAFKA_DIR/logs/format.log"
  fi
  rotate_log "$KAFKA_DIR/logs/server.log"
  say "kafka: starting $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (SASL/PLAIN $KAFKA_SASL_PORT, controller $KAFKA_CONTROLLER_PORT)"
  launch kafka "$KAFKA_DIR/logs/stdout.log" "$java" -Xms512m -Xmx512m -XX:+UseG1GC \
    -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent "${jvm[@]}" \
    -cp "$cp" kafka.Kafka "$KAFKA_DIR/server.properties"
  wait_until kafka "$(cat "$RUN/kafka.pid")" "$KAFKA_TIMEOUT" "$KAFKA_DIR/logs/server.log" kafka_answers
}
