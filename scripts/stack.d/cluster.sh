# shellcheck shell=bash
# Sourced by scripts/stack: the replicated cluster that runs beside the single-node stack.
#   scripts/stack up|down|status cluster
#   scripts/stack fault kill|pause|resume|restart NODE
# Three nodes per tier, each on its own loopback address 127.0.0.1, .2 and .3:
#   kafka-1..3      KRaft broker + controller, 127.0.0.N:19092 (controller :19093)
#   cassandra-1..3  CQL 127.0.0.N:19042, storage :17000
#   galera-1..3     MariaDB Galera 127.0.0.N:13306 (group :4567, IST :4568, SST :4444)
# State lives under .cache/run/cluster/NODE; see docs/cluster.md.

CLUSTER_DIR="$RUN/cluster"
CLUSTER_KAFKA_PORT="${STACK_CLUSTER_KAFKA_PORT:-19092}"
CLUSTER_KAFKA_CONTROLLER_PORT="${STACK_CLUSTER_KAFKA_CONTROLLER_PORT:-19093}"
CLUSTER_CQL_PORT="${STACK_CLUSTER_CQL_PORT:-19042}"
CLUSTER_STORAGE_PORT="${STACK_CLUSTER_STORAGE_PORT:-17000}"
CLUSTER_MYSQL_PORT="${STACK_CLUSTER_MYSQL_PORT:-13306}"
CLUSTER_OPTION_FILE="$CLUSTER_DIR/galera.cnf"
CLUSTER_NODES=(kafka-1 kafka-2 kafka-3 cassandra-1 cassandra-2 cassandra-3 galera-1 galera-2 galera-3)

node_tier() { echo "${1%-*}"; }
node_index() { echo "${1##*-}"; }
node_addr() { echo "127.0.0.$(node_index "$1")"; }
node_dir() { echo "$CLUSTER_DIR/$1"; }

# What identifies a node's process in /proc/PID/cmdline: its own folder.
node_marker() { node_dir "$1"; }

node_pid() { live_pid "cluster/$1" "$(node_marker "$1")"; }

addr_port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

node_log() {
  case "$(node_tier "$1")" in
    kafka) echo "$(node_dir "$1")/logs/server.log" ;;
    cassandra) echo "$(node_dir "$1")/logs/system.log" ;;
    galera) echo "$(node_dir "$1")/error.log" ;;
  esac
}

# Does the node answer its clients?
node_answers() {
  local addr
  addr="$(node_addr "$1")"
  case "$(node_tier "$1")" in
    kafka) kcat -L -b "$addr:$CLUSTER_KAFKA_PORT" -m 3 >/dev/null 2>&1 ;;
    cassandra) python3 "$ROOT/scripts/cql_ping.py" --host "$addr" --port "$CLUSTER_CQL_PORT" ;;
    galera) galera_root "$1" -N -e "SHOW STATUS LIKE 'wsrep_ready'" 2>/dev/null | grep -q ON ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Kafka

cluster_kafka_config() {
  local node="$1" d i addr
  d="$(node_dir "$node")"
  i="$(node_index "$node")"
  addr="$(node_addr "$node")"
  mkdir -p "$d/data" "$d/logs"
  cat >"$d/server.properties" <<EOF
# Written by scripts/stack on each start of $node.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=1@127.0.0.1:$CLUSTER_KAFKA_CONTROLLER_PORT,2@127.0.0.2:$CLUSTER_KAFKA_CONTROLLER_PORT,3@127.0.0.3:$CLUSTER_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$addr:$CLUSTER_KAFKA_PORT,CONTROLLER://$addr:$CLUSTER_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$addr:$CLUSTER_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/data
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
offsets.topic.replication.factor=3
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
# A killed broker is fenced, and its partitions get new leaders, after 6 s without a
# heartbeat (Kafka's default is 9 s); heartbeats every 1.5 s leave room for a busy machine.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1500
log.retention.hours=168
EOF
  kafka_write_log4j "$d"
}

cluster_kafka_start() {
  local node="$1" d java cp
  d="$(node_dir "$node")"
  resolve_jars "kafka-$KAFKA_VERSION" "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" \
    "org.apache.logging.log4j:log4j-core:$LOG4J_VERSION" \
    "org.apache.logging.log4j:log4j-slf4j-impl:$LOG4J_VERSION"
  java="$(find_java)"
  cp="$CACHE/stack/kafka-$KAFKA_VERSION/lib/*"
  cluster_kafka_config "$node"
  local jvm=(-Dlog4j2.configurationFile="$d/log4j2.properties" -Djava.awt.headless=true)
  if [[ ! -f "$d/data/meta.properties" ]]; then
    # Every node is formatted with the one cluster id, generated once.
    if [[ ! -f "$CLUSTER_DIR/kafka-cluster-id" ]]; then
      "$java" "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 \
        >"$CLUSTER_DIR/kafka-cluster-id"
    fi
    "$java" "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format \
      -t "$(cat "$CLUSTER_DIR/kafka-cluster-id")" -c "$d/server.properties" \
      >"$d/logs/format.log" 2>&1 || fail_with_log "$node: formatting the storage failed" "$d/logs/format.log"
  fi
  rotate_log "$d/logs/server.log"
  launch "cluster/$node" "$d/logs/stdout.log" "$java" -Xms256m -Xmx384m -XX:+UseG1GC \
    -XX:MaxGCPauseMillis=20 "${jvm[@]}" -cp "$cp" kafka.Kafka "$d/server.properties"
}

# ---------------------------------------------------------------------------------------------
# Cassandra

cluster_cassandra_config() {
  local node="$1"
  cassandra_write_config "$(node_dir "$node")" "$node." shopstream-cluster "$(node_addr "$node")" \
    127.0.0.1 "$CLUSTER_STORAGE_PORT" "$CLUSTER_CQL_PORT" 3 AllowAllAuthenticator 48 \
    $'hinted_handoff_enabled: true\nmax_hint_window: 3h\n'
}

cluster_cassandra_start() {
  local node="$1"
  cluster_cassandra_config "$node"
  # Three JVMs share 2 cores: 512 MB heaps, one compactor, a ring delay of 5 s (FACTS.md).
  cassandra_launch "cluster/$node" "$(node_dir "$node")" 512m -Dcassandra.ring_delay_ms=5000 \
    -Dcassandra.consistent.rangemovement=false
}

# ---------------------------------------------------------------------------------------------
# MariaDB Galera: the servers run as user mysql (rsync's state transfer fails as root).

galera_socket() { echo "$(node_dir "$1")/mysqld.sock"; }

galera_root() {
  local node="$1"
  shift
  mariadb --no-defaults --protocol=socket --socket="$(galera_socket "$node")" --user=root "$@"
}

galera_as_mysql() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=mysql --regid=mysql --init-groups -- "$@"
  else
    "$@"
  fi
}

# The admin password, generated once into the client option file (mode 600).
cluster_option_file() {
  [[ -f "$CLUSTER_OPTION_FILE" ]] && return 0
  local password
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  (
    umask 077
    cat >"$CLUSTER_OPTION_FILE.tmp" <<EOF
# Written by scripts/stack: how tools and tests reach the Galera cluster (any of its nodes).
[client]
host=127.0.0.1
port=$CLUSTER_MYSQL_PORT
user=admin
password="$password"
EOF
  )
  mv "$CLUSTER_OPTION_FILE.tmp" "$CLUSTER_OPTION_FILE"
}

galera_provision() {
  local node="$1" password pw host
  cluster_option_file
  password="$(sed -n 's/^password="\(.*\)"$/\1/p' "$CLUSTER_OPTION_FILE")"
  pw="$(sql_quote "$password")"
  {
    echo "CREATE DATABASE IF NOT EXISTS ecommerce CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    # Clients reach node N at 127.0.0.N; the kernel may pick any loopback source address.
    for host in localhost 127.0.0.1 127.0.0.2 127.0.0.3; do
      echo "CREATE USER IF NOT EXISTS 'admin'@'$host' IDENTIFIED BY $pw;"
      echo "ALTER USER 'admin'@'$host' IDENTIFIED BY $pw;"
      echo "GRANT ALL PRIVILEGES ON ecommerce.* TO 'admin'@'$host';"
      echo "GRANT ALL PRIVILEGES ON \`ecommerce\\_test\\_%\`.* TO 'admin'@'$host';"
    done
  } | galera_root "$node" || fail_with_log "$node: creating database ecommerce and user admin failed" \
    "$(node_log "$node")"
}

# Another Galera node is up, so this one joins instead of forming a new cluster.
galera_other_alive() {
  local n
  for n in galera-1 galera-2 galera-3; do
    [[ "$n" == "$1" ]] && continue
    node_pid "$n" >/dev/null && return 0
  done
  return 1
}

cluster_galera_start() {
  local node="$1" d addr
  d="$(node_dir "$node")"
  addr="$(node_addr "$node")"
  mkdir -p "$d"
  chown mysql:mysql "$d" 2>/dev/null || true
  if [[ ! -d "$d/data/mysql" ]]; then
    rm -rf "$d/data"
    galera_as_mysql mariadb-install-db --no-defaults --user=mysql --datadir="$d/data" \
      --skip-test-db >"$d/install.log" 2>&1 || fail_with_log "$node: mariadb-install-db failed" "$d/install.log"
  fi
  local bootstrap=()
  if ! galera_other_alive "$node"; then
    # No one to join: form the cluster from this node's data (marked safe, as an operator would).
    bootstrap=(--wsrep-new-cluster)
    [[ -f "$d/data/grastate.dat" ]] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$d/data/grastate.dat"
  fi
  rotate_log "$d/error.log"
  launch "cluster/$node" "$d/stdout.log" setpriv --reuid=mysql --regid=mysql --init-groups -- \
    "$(command -v mariadbd)" --no-defaults --datadir="$d/data" --socket="$(galera_socket "$node")" \
    --port="$CLUSTER_MYSQL_PORT" --bind-address="$addr" --skip-name-resolve \
    --pid-file="$d/mariadbd.pid" --log-error="$d/error.log" --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci --performance-schema=OFF \
    --innodb-buffer-pool-size=64M --max-connections=200 \
    --binlog-format=ROW --innodb-autoinc-lock-mode=2 --default-storage-engine=InnoDB \
    --wsrep-on=ON --wsrep-provider=/usr/lib/galera/libgalera_smm.so \
    --wsrep-cluster-name=shopstream-cluster --wsrep-node-name="$node" --wsrep-node-address="$addr" \
    --wsrep-cluster-address="gcomm://127.0.0.1,127.0.0.2,127.0.0.3" \
    --wsrep-provider-options="gmcast.listen_addr=tcp://$addr:4567;ist.recv_addr=$addr:4568;gcache.size=256M;gcache.recover=yes" \
    --wsrep-sst-receive-address="$addr:4444" --wsrep-sst-method=rsync "${bootstrap[@]}"
}

# ---------------------------------------------------------------------------------------------

cluster_timeout() {
  case "$(node_tier "$1")" in
    kafka) echo "$KAFKA_TIMEOUT" ;;
    cassandra) echo "$CASSANDRA_TIMEOUT" ;;
    galera) echo "${STACK_GALERA_TIMEOUT:-180}" ;;
  esac
}

# Starts NODE (on its own data) unless it runs, and waits until it answers.
cluster_node_up() {
  local node="$1" pid
  if pid="$(node_pid "$node")"; then
    say "$node: already running (pid $pid)"
    return 0
  fi
  local port
  case "$(node_tier "$node")" in
    kafka) port=$CLUSTER_KAFKA_PORT ;;
    cassandra) port=$CLUSTER_CQL_PORT ;;
    galera) port=$CLUSTER_MYSQL_PORT ;;
  esac
  addr_port_open "$(node_addr "$node")" "$port" &&
    die "$node: $(node_addr "$node"):$port is taken by a process this checkout did not start"
  mkdir -p "$CLUSTER_DIR"
  say "$node: starting on $(node_addr "$node"):$port"
  "cluster_$(node_tier "$node")_start" "$node"
  wait_until "$node" "$(cat "$RUN/cluster/$node.pid")" "$(cluster_timeout "$node")" \
    "$(node_log "$node")" node_answers "$node"
}

cluster_up() {
  need_commands kcat:kcat python3:python3 mariadb-server:mariadbd mariadb-client:mariadb \
    rsync:rsync
  [[ -f /usr/lib/galera/libgalera_smm.so ]] || die "galera: /usr/lib/galera/libgalera_smm.so is missing (apt-get install galera-4)"
  local node
  # The Kafka nodes start together (a KRaft quorum needs two of them to elect a leader).
  for node in kafka-1 kafka-2 kafka-3; do
    node_pid "$node" >/dev/null || { mkdir -p "$CLUSTER_DIR" && say "$node: starting" && cluster_kafka_start "$node"; }
  done
  for node in kafka-1 kafka-2 kafka-3; do
    wait_until "$node" "$(cat "$RUN/cluster/$node.pid")" "$KAFKA_TIMEOUT" "$(node_log "$node")" \
      node_answers "$node"
  done
  # Galera and Cassandra nodes join one at a time: joining together costs more on 2 cores.
  for node in galera-1 galera-2 galera-3; do cluster_node_up "$node"; done
  galera_provision galera-1
  for node in cassandra-1 cassandra-2 cassandra-3; do cluster_node_up "$node"; done
  say "cluster: up; Galera's client options in .cache/run/cluster/galera.cnf"
}

cluster_down() {
  local node pid
  # Galera's last node to stop is marked safe to bootstrap: stop galera-1 last.
  for node in galera-3 galera-2 galera-1 cassandra-3 cassandra-2 cassandra-1 kafka-3 kafka-2 kafka-1; do
    if pid="$(node_pid "$node")"; then kill -CONT "$pid" 2>/dev/null || true; fi
    # The KRaft nodes are told together: the last one alone would wait for a quorum.
    if [[ "$node" == kafka-3 ]]; then
      for n in kafka-1 kafka-2 kafka-3; do
        if pid="$(node_pid "$n")"; then kill -TERM "$pid" 2>/dev/null || true; fi
      done
    fi
    stop_pid "cluster/$node" "$(node_marker "$node")"
  done
}

node_state() {
  local pid state
  pid="$(node_pid "$1")" || {
    echo stopped
    return
  }
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)"
  if [[ "$state" == T ]]; then echo paused; else echo running; fi
}

cluster_status() {
  local node pid state
  for node in "${CLUSTER_NODES[@]}"; do
    state="$(node_state "$node")"
    if [[ "$state" == stopped ]]; then
      printf '%-12s stopped\n' "$node"
    else
      pid="$(node_pid "$node")"
      printf '%-12s %-8s pid %-8s %-16s RSS %s\n' "$node" "$state" "$pid" \
        "$(node_addr "$node")" "$(rss_of "$pid")"
    fi
  done
  echo "-- kafka (brokers, and partitions whose ISR is short of their replicas)"
  local brokers=()
  for node in kafka-1 kafka-2 kafka-3; do
    [[ "$(node_state "$node")" == running ]] && brokers+=("$(node_addr "$node"):$CLUSTER_KAFKA_PORT")
  done
  if [[ ${#brokers[@]} -gt 0 ]]; then
    kcat -L -b "$(
      IFS=,
      echo "${brokers[*]}"
    )" -m 5 2>/dev/null | awk '
      / brokers:$/ { print "  " $0 }
      / broker [0-9]+ at / { print "  " $0 }
      /^  topic / { topic = $2; gsub(/"/, "", topic); topics++ }
      / partition [0-9]+, leader / {
        parts++
        r = $0; sub(/.*replicas: /, "", r); sub(/, isrs.*/, "", r)
        i = $0; sub(/.*isrs: /, "", i); sub(/,? *$/, "", i)
        nr = split(r, ra, ","); ni = split(i, ia, ",")
        if (ni < nr) { short++; print "  " topic " " $2 " leader " $4 " replicas " r " isr " i }
      }
      END { printf "  %d topics, %d partitions, %d with a short ISR\n", topics, parts, short }' ||
      echo "  no broker answered"
  else
    echo "  no broker running"
  fi
  echo "-- cassandra (each live node: the peers it knows, and schema versions)"
  for node in cassandra-1 cassandra-2 cassandra-3; do
    [[ "$(node_state "$node")" == running ]] || continue
    local view
    # JSON rows: cql_ping.py prints one text column; the schema version shows agreement.
    view="$(python3 "$ROOT/scripts/cql_ping.py" --host "$(node_addr "$node")" --port "$CLUSTER_CQL_PORT" \
      --query "SELECT JSON peer, schema_version FROM system.peers" 2>/dev/null |
      sed 's/{"peer": "\([^"]*\)", "schema_version": "\(........\)[^"]*"}/\1 (schema \2)/' |
      paste -sd ' ')" || view="(no answer)"
    printf '  %-12s peers: %s\n' "$node" "${view:-none}"
  done
  echo "-- galera (each live node's view)"
  for node in galera-1 galera-2 galera-3; do
    [[ "$(node_state "$node")" == running ]] || continue
    printf '  %-12s %s' "$node" "$(galera_root "$node" -N -e "SHOW STATUS WHERE Variable_name IN
      ('wsrep_cluster_size','wsrep_cluster_status','wsrep_local_state_comment','wsrep_ready')" 2>/dev/null |
      awk '{printf "%s=%s ", $1, $2}' || echo '(no answer)')"
    echo
  done
}

cluster_fault() {
  local verb="${1:-}" node="${2:-}" pid
  [[ " ${CLUSTER_NODES[*]} " == *" $node "* ]] || {
    printf 'stack: unknown node %s (nodes: %s)\n' "${node:-''}" "${CLUSTER_NODES[*]}" >&2
    exit 2
  }
  case "$verb" in
    kill | pause | resume)
      pid="$(node_pid "$node")" || die "$node: not running"
      local sig
      case "$verb" in kill) sig=KILL ;; pause) sig=STOP ;; resume) sig=CONT ;; esac
      kill -"$sig" "$pid"
      if [[ "$verb" == kill ]]; then
        # Bounded: SIGKILL of a running process takes effect at once, unless it is stopped.
        kill -CONT "$pid" 2>/dev/null || true
        local start=$SECONDS
        while kill -0 "$pid" 2>/dev/null && ((SECONDS - start < 10)); do sleep 0.1; done
        rm -f "$RUN/cluster/$node.pid"
      fi
      say "$node: $verb (pid $pid)"
      ;;
    restart)
      if pid="$(node_pid "$node")"; then
        kill -KILL "$pid" 2>/dev/null || true
        kill -CONT "$pid" 2>/dev/null || true
        local start=$SECONDS
        while kill -0 "$pid" 2>/dev/null && ((SECONDS - start < 10)); do sleep 0.1; done
      fi
      cluster_node_up "$node"
      ;;
    *)
      printf 'stack: unknown fault %s (kill, pause, resume, restart)\n' "${verb:-''}" >&2
      exit 2
      ;;
  esac
}

# usage: cluster_main up|down|status cluster | fault VERB NODE
cluster_main() {
  mkdir -p "$RUN/cluster"
  case "$1" in
    up) cluster_up ;;
    down) cluster_down ;;
    status) cluster_status ;;
    fault) cluster_fault "${2:-}" "${3:-}" ;;
  esac
}
