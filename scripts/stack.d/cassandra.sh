# shellcheck shell=bash
# Sourced by scripts/stack: `up|down cassandra`.
# Cassandra: one node from cassandra-all's jars, started the way bin/cassandra would.

CASSANDRA_VERSION="${STACK_CASSANDRA_VERSION:-5.0.9}"
CASSANDRA_PORT="${STACK_CASSANDRA_PORT:-9042}"
CASSANDRA_STORAGE_PORT="${STACK_CASSANDRA_STORAGE_PORT:-7000}"
CASSANDRA_TIMEOUT="${STACK_CASSANDRA_TIMEOUT:-240}"

CASSANDRA_DIR="$RUN/cassandra"
CASSANDRA_MARKER="org.apache.cassandra.service.CassandraDaemon"

cassandra_answers() {
  python3 "$ROOT/scripts/cql_ping.py" --host 127.0.0.1 --port "$CASSANDRA_PORT" \
    ${STACK_CASSANDRA_AUTH:+--login}
}

# Writes DIR/conf/cassandra.yaml and logback.xml. Arguments: dir, a header line, cluster name,
# address, seed address, storage port, CQL port, replication factor the tokens are allocated
# for, authenticator, memtable MiB, extra YAML lines (may be empty).
cassandra_write_config() {
  local d="$1" header="$2" cluster="$3" addr="$4" seed="$5" storage="$6" cql="$7" rf="$8"
  local authenticator="$9" memtable="${10}" extra="${11}"
  mkdir -p "$d"/{conf,data,commitlog,hints,saved_caches,cdc_raw,triggers,logs}
  cat >"$d/conf/cassandra.yaml" <<EOF
# Written by scripts/stack on each start: $header
cluster_name: $cluster
num_tokens: 16
allocate_tokens_for_local_replication_factor: $rf
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$seed:$storage"
listen_address: $addr
rpc_address: $addr
storage_port: $storage
native_transport_port: $cql
start_native_transport: true
endpoint_snitch: SimpleSnitch
data_file_directories:
  - $d/data
commitlog_directory: $d/commitlog
hints_directory: $d/hints
saved_caches_directory: $d/saved_caches
cdc_raw_directory: $d/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 8MiB
authenticator: $authenticator
authorizer: AllowAllAuthorizer
role_manager: CassandraRoleManager
network_authorizer: AllowAllNetworkAuthorizer
${extra}memtable_heap_space: ${memtable}MiB
memtable_offheap_space: ${memtable}MiB
file_cache_size: 32MiB
key_cache_size: 8MiB
counter_cache_size: 0MiB
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 4
concurrent_materialized_view_writes: 4
concurrent_compactors: 1
storage_compatibility_mode: NONE
EOF
  cat >"$d/conf/logback.xml" <<EOF
<!-- Written by scripts/stack on each start. -->
<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$d/logs/system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
EOF
}

cassandra_config() {
  local authenticator=AllowAllAuthenticator
  [[ "${STACK_CASSANDRA_AUTH:-0}" == 1 ]] && authenticator=PasswordAuthenticator
  cassandra_write_config "$CASSANDRA_DIR" "a lean single node for development and tests." \
    shopstream-local 127.0.0.1 127.0.0.1 "$CASSANDRA_STORAGE_PORT" "$CASSANDRA_PORT" 1 \
    "$authenticator" 64 ""
}

# The module flags of Cassandra's conf/jvm17-server.options, which Java 17 needs.
CASSANDRA_JPMS=(
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED
  --add-exports java.base/java.lang.ref=ALL-UNNAMED
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/java.util=ALL-UNNAMED
)

# Starts a Cassandra JVM the way bin/cassandra would, from the resolved jars, on the config in
# DIR. Arguments: the name for `launch`, dir, max heap, then extra JVM flags.
cassandra_launch() {
  local name="$1" d="$2" heap="$3"
  shift 3
  resolve_jars "cassandra-$CASSANDRA_VERSION" "org.apache.cassandra:cassandra-all:$CASSANDRA_VERSION"
  local java lib jamm
  java="$(find_java)"
  lib="$CACHE/stack/cassandra-$CASSANDRA_VERSION/lib"
  jamm="$(find "$lib" -name 'jamm-*.jar' | head -n 1)"
  [[ -n "$jamm" ]] || die "$name: no jamm jar among the resolved jars in $lib"
  local jvm=(
    -ea -da:net.openhft... -Xss256k -XX:+UseThreadPriorities -XX:+HeapDumpOnOutOfMemoryError
    -XX:HeapDumpPath="$d/logs" -XX:+ExitOnOutOfMemoryError
    -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:MaxGCPauseMillis=300
    -Xms256m -Xmx"$heap" -XX:MaxDirectMemorySize=256m
    -Djava.net.preferIPv4Stack=true -Djdk.attach.allowAttachSelf=true
    "${CASSANDRA_JPMS[@]}"
    -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true
    -Dio.netty.allocator.maxOrder=11
    -javaagent:"$jamm"
    -Dcassandra.config="file://$d/conf/cassandra.yaml"
    -Dcassandra.storagedir="$d"
    -Dcassandra.logdir="$d/logs"
    -Dcassandra.triggers_dir="$d/triggers"
    -Dlogback.configurationFile="$d/conf/logback.xml"
    -Dcassandra-foreground=yes
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    # Create the default superuser at once so that auth tests need not wait.
    -Dcassandra.superuser_setup_delay_ms=0
    "$@"
  )
  rotate_log "$d/logs/system.log"
  launch "$name" "$d/logs/stdout.log" "$java" "${jvm[@]}" -cp "$lib/*" "$CASSANDRA_MARKER"
}

cassandra_up() {
  local pid
  if pid="$(live_pid cassandra "$CASSANDRA_MARKER")"; then
    say "cassandra: already running (pid $pid)"
    return 0
  fi
  need_commands python3:python3
  external_server cassandra "$CASSANDRA_PORT" cassandra_answers && return 0
  port_open "$CASSANDRA_STORAGE_PORT" &&
    die "cassandra: storage port $CASSANDRA_STORAGE_PORT is taken"
  cassandra_config
  say "cassandra: starting $CASSANDRA_VERSION on 127.0.0.1:$CASSANDRA_PORT" \
    "(auth: $([[ "${STACK_CASSANDRA_AUTH:-0}" == 1 ]] && echo password || echo none))"
  # A lone seed has no ring to wait for: a ring delay of 1 s instead of 30.
  cassandra_launch cassandra "$CASSANDRA_DIR" 1g -Dcassandra.ring_delay_ms=1000
  local d="$CASSANDRA_DIR"
  wait_until cassandra "$(cat "$RUN/cassandra.pid")" "$CASSANDRA_TIMEOUT" "$d/logs/system.log" \
    cassandra_answers
}
