# shellcheck shell=bash
# Sourced by scripts/stack: the settings and helpers every service file uses (say, die,
# need_commands, find_java, resolve_jars, live_pid, wait_until, launch, stop_pid, ...).

# Bounded waits, in seconds (each service sets its own start timeout).
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-60}"

say() { printf 'stack: %s\n' "$*"; }
die() {
  printf 'stack: error: %s\n' "$*" >&2
  exit 1
}

# Installs Debian packages that provide the given commands, when a command is missing.
# usage: need_commands package:command...
need_commands() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]} (install them with apt-get as root)"
  fi
  say "installing Debian packages: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$RUN/apt.log" 2>&1; then
    apt-get update -qq >>"$RUN/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$RUN/apt.log" 2>&1 ||
      { tail -n 20 "$RUN/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
}

# A Java 17+ runtime: $STACK_JAVA, else Debian's JDK 17, else java on PATH.
find_java() {
  local candidates=("${STACK_JAVA:-}" /usr/lib/jvm/java-17-openjdk-amd64/bin/java
    "$(command -v java 2>/dev/null || true)")
  local j major
  for j in "${candidates[@]}"; do
    [[ -n "$j" && -x "$j" ]] || continue
    major="$("$j" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
    if [[ -n "$major" && "$major" -ge 17 ]]; then
      echo "$j"
      return 0
    fi
  done
  die "no Java 17 or newer found (set STACK_JAVA to a java binary)"
}

# Resolves a Maven artifact and its runtime dependencies into .cache/stack/NAME/lib once.
# usage: resolve_jars NAME groupId:artifactId:version...
resolve_jars() {
  local name="$1"
  shift
  local dir="$CACHE/stack/$name"
  [[ -f "$dir/lib/.complete" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) is needed to resolve $name"
  mkdir -p "$dir"
  local deps="" coord g a v
  for coord in "$@"; do
    IFS=: read -r g a v <<<"$coord"
    deps+="    <dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"$'\n'
  done
  cat >"$dir/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/stack: the runtime class path of $name. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>shopstream.stack</groupId>
  <artifactId>$name</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
$deps  </dependencies>
</project>
EOF
  say "$name: resolving jars with Maven into .cache/stack/$name (first run only, may take a minute)"
  rm -rf "$dir/lib.partial"
  if ! (cd "$dir" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=lib.partial >"$dir/mvn.log" 2>&1); then
    tail -n 30 "$dir/mvn.log" >&2
    die "$name: Maven could not resolve $* (log: $dir/mvn.log)"
  fi
  rm -rf "${dir:?}/lib"
  mv "$dir/lib.partial" "$dir/lib"
  touch "$dir/lib/.complete"
  say "$name: $(find "$dir/lib" -name '*.jar' | wc -l) jars resolved"
}

# The pid in .cache/run/NAME.pid when that process is alive and is the expected program.
# usage: live_pid NAME MARKER
live_pid() {
  local pidfile="$RUN/$1.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

rss_of() { ps -o rss= -p "$1" 2>/dev/null | awk '{printf "%d MB", $1/1024}'; }

# Waits until CHECK succeeds, the process dies, or TIMEOUT seconds pass.
# usage: wait_until NAME PID TIMEOUT LOG CHECK...
wait_until() {
  local name="$1" pid="$2" timeout="$3" log="$4"
  shift 4
  local start=$SECONDS
  while ! "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail_with_log "$name exited during startup" "$log"
    fi
    if ((SECONDS - start >= timeout)); then
      fail_with_log "$name did not answer within ${timeout}s (process $pid left running)" "$log"
    fi
    sleep 1
  done
  say "$name: up after $((SECONDS - start))s (pid $pid, RSS $(rss_of "$pid"))"
}

fail_with_log() {
  local log="$2"
  printf 'stack: error: %s\n' "$1" >&2
  if [[ -s "$log" ]]; then
    if grep -qE 'ERROR|FATAL|Exception|\[ERROR\]' "$log"; then
      printf 'stack: errors in %s:\n' "$log" >&2
      grep -E 'ERROR|FATAL|Exception|\[ERROR\]' "$log" | tail -n 10 | cut -c1-300 | sed 's/^/    /' >&2
    fi
    printf 'stack: last lines of %s:\n' "$log" >&2
    tail -n 12 "$log" | cut -c1-300 | sed 's/^/    /' >&2
  fi
  exit 1
}

# Keeps one previous log, so that the current one tells only of this start.
rotate_log() { if [[ -f "$1" ]]; then mv -f "$1" "$1.1"; fi; }

# Starts a program detached from this shell, its output to LOG, and records its pid.
# usage: launch NAME LOG program args...
launch() {
  local name="$1" log="$2"
  shift 2
  # setsid: a Ctrl-C in the terminal that ran `up` must not stop the server.
  nohup setsid "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# Stops the process recorded in NAME.pid: TERM, a bounded wait, then KILL.
# usage: stop_pid NAME MARKER [SIGNAL]   (SIGTERM unless told; PostgreSQL stops fast on SIGINT)
stop_pid() {
  local name="$1" marker="$2" signal="${3:-TERM}" pid
  if ! pid="$(live_pid "$name" "$marker")"; then
    rm -f "$RUN/$name.pid"
    say "$name: not running (from this checkout)"
    return 0
  fi
  say "$name: stopping pid $pid"
  kill -"$signal" "$pid" 2>/dev/null || true
  local start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - start >= STOP_TIMEOUT)); then
      say "$name: still running after ${STOP_TIMEOUT}s, killing"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$RUN/$name.pid"
  say "$name: stopped"
}

# When PORT is taken by a process not started from this checkout: reuse it if it answers
# CHECK, refuse otherwise. Returns 0 when the caller should not start its own server.
external_server() {
  local name="$1" port="$2"
  shift 2
  port_open "$port" || return 1
  if "$@" >/dev/null 2>&1; then
    say "$name: 127.0.0.1:$port already answers (not started from this checkout); using it"
    return 0
  fi
  die "$name: port $port is taken by a process this checkout did not start, and it does not" \
    "answer as $name with this checkout's settings (stop it or set STACK_*_PORT)"
}
