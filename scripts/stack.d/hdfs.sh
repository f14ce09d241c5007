# shellcheck shell=bash
# Sourced by scripts/stack: `up|down hdfs`.
# HDFS: a NameNode and a DataNode in one JVM (Hadoop's MiniDFSCluster from the
# hadoop-client-minicluster jar, started by scripts/hdfs/MiniHdfs.java), data kept across starts.

HADOOP_VERSION="${STACK_HADOOP_VERSION:-3.5.0}"
SLF4J_VERSION="1.7.36"
HDFS_PORT="${STACK_HDFS_PORT:-8020}"            # NameNode RPC (hdfs://127.0.0.1:8020 for Hadoop clients)
HDFS_HTTP_PORT="${STACK_HDFS_HTTP_PORT:-9870}"  # NameNode HTTP: WebHDFS, what shopstream uses
HDFS_TIMEOUT="${STACK_HDFS_TIMEOUT:-180}"

HDFS_DIR="$RUN/hdfs"
HDFS_MARKER="MiniHdfs"

# WebHDFS answers a listing of the root.
hdfs_answers() {
  python3 - "$HDFS_HTTP_PORT" <<'PY'
import json, sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/webhdfs/v1/?op=LISTSTATUS&user.name=stack"
with urllib.request.urlopen(url, timeout=5) as r:
    json.load(r)["FileStatuses"]
PY
}

# Ours is ready once the launcher says the NameNode left safe mode with its DataNode.
hdfs_ready() { grep -q "MiniHdfs ready" "$HDFS_DIR/logs/hdfs.log" && hdfs_answers; }

hdfs_up() {
  local pid
  if pid="$(live_pid hdfs "$HDFS_MARKER")"; then
    say "hdfs: already running (pid $pid)"
    return 0
  fi
  need_commands python3:python3
  external_server hdfs "$HDFS_HTTP_PORT" hdfs_answers && return 0
  port_open "$HDFS_PORT" && die "hdfs: NameNode RPC port $HDFS_PORT is taken"
  resolve_jars "hadoop-$HADOOP_VERSION" "org.apache.hadoop:hadoop-client-minicluster:$HADOOP_VERSION" \
    "org.slf4j:slf4j-simple:$SLF4J_VERSION"
  local java javac lib classes main
  java="$(find_java)"
  lib="$CACHE/stack/hadoop-$HADOOP_VERSION/lib"
  # The launcher is compiled once (and again when it changes); without javac, Java runs the
  # source file directly.
  classes="$CACHE/stack/hadoop-$HADOOP_VERSION/classes"
  main=(MiniHdfs)
  javac="$(dirname "$java")/javac"
  if [[ -x "$javac" ]]; then
    if [[ ! -f "$classes/MiniHdfs.class" || "$ROOT/scripts/hdfs/MiniHdfs.java" -nt "$classes/MiniHdfs.class" ]]; then
      mkdir -p "$classes"
      "$javac" -nowarn -cp "$lib/*" -d "$classes" "$ROOT/scripts/hdfs/MiniHdfs.java" ||
        die "hdfs: compiling scripts/hdfs/MiniHdfs.java failed"
    fi
  else
    classes=""
    main=("$ROOT/scripts/hdfs/MiniHdfs.java")
  fi
  mkdir -p "$HDFS_DIR/data" "$HDFS_DIR/logs"
  rotate_log "$HDFS_DIR/logs/hdfs.log"
  say "hdfs: starting Hadoop $HADOOP_VERSION (NameNode + DataNode) on 127.0.0.1:$HDFS_PORT," \
    "WebHDFS on 127.0.0.1:$HDFS_HTTP_PORT"
  launch hdfs "$HDFS_DIR/logs/hdfs.log" "$java" -Xms128m -Xmx512m -XX:+UseG1GC \
    -Djava.awt.headless=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.showDateTime=true \
    -cp "${classes:+$classes:}$lib/*" "${main[@]}" "$HDFS_DIR/data" "$HDFS_PORT" "$HDFS_HTTP_PORT"
  wait_until hdfs "$(cat "$RUN/hdfs.pid")" "$HDFS_TIMEOUT" "$HDFS_DIR/logs/hdfs.log" hdfs_ready
}
