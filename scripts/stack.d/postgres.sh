# shellcheck shell=bash
# Sourced by scripts/stack: `up|down postgres`.
# PostgreSQL: Debian's server with a cluster of its own (initdb into .cache/run/postgres),
# database ecommerce, role shopstream whose password is generated into a libpq password file.

PG_PORT="${STACK_PG_PORT:-5432}"
PG_TIMEOUT="${STACK_PG_TIMEOUT:-60}"
PG_DIR="$RUN/postgres"
PG_MARKER="postgres -D"
PG_PASSFILE="$RUN/pgpass"

# Debian installs the server's programs under /usr/lib/postgresql/VERSION/bin.
pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/postgres" ]] || return 1
  echo "$dir"
}

# The server refuses to run as root: as root it runs as Debian's `postgres` user.
pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# The superuser over the cluster's own socket (trust: the socket is reachable by its owner only).
pg_super() { pg_as_owner "$(pg_bin)/psql" -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

pg_answers() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

pg_passfile() {
  [[ -f "$PG_PASSFILE" ]] && return 0
  local password
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  (
    umask 077
    echo "# Written by scripts/stack: libpq's password file (PGPASSFILE) for role shopstream." >"$PG_PASSFILE.tmp"
    echo "127.0.0.1:$PG_PORT:*:shopstream:$password" >>"$PG_PASSFILE.tmp"
  )
  mv "$PG_PASSFILE.tmp" "$PG_PASSFILE"
}

pg_provision() {
  pg_passfile
  local password
  password="$(grep -v '^#' "$PG_PASSFILE" | head -n 1 | cut -d: -f5-)"
  # The password travels on psql's stdin, never its command line. CREATEDB: the tests make
  # throwaway databases ecommerce_test_*.
  pg_super -d postgres >"$PG_DIR/provision.log" 2>&1 <<EOF ||
SELECT 'CREATE ROLE shopstream LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shopstream')\gexec
ALTER ROLE shopstream WITH LOGIN CREATEDB PASSWORD '${password//\'/\'\'}';
SELECT 'CREATE DATABASE ecommerce OWNER shopstream ENCODING ''UTF8'' TEMPLATE template0' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ecommerce')\gexec
EOF
    fail_with_log "postgres: creating role shopstream and database ecommerce failed" "$PG_DIR/provision.log"
}

pg_up() {
  local pid bin
  if ! bin="$(pg_bin)"; then
    need_commands postgresql:pg_ctlcluster
    bin="$(pg_bin)" || die "postgres: Debian's postgresql is installed but no server was found"
  fi
  if pid="$(live_pid postgres "$PG_MARKER")"; then
    say "postgres: already running (pid $pid)"
    pg_provision
    return 0
  fi
  external_server postgres "$PG_PORT" pg_answers && return 0
  mkdir -p "$PG_DIR"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$PG_DIR"
    pg_as_owner test -w "$PG_DIR" ||
      die "postgres: the server runs as user postgres, which cannot reach $PG_DIR (a folder above it is closed to other users; chmod o+x it or clone elsewhere)"
  fi
  if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    say "postgres: initialising a cluster in .cache/run/postgres/data"
    rm -rf "$PG_DIR/data"
    pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
      fail_with_log "postgres: initdb failed" "$PG_DIR/initdb.log"
  fi
  rotate_log "$PG_DIR/server.log"
  local as_owner=()
  [[ $(id -u) -eq 0 ]] && as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  say "postgres: starting $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
  launch postgres "$PG_DIR/server.log" "${as_owner[@]}" "$bin/postgres" -D "$PG_DIR/data" \
    -c listen_addresses=127.0.0.1 -c port="$PG_PORT" -c unix_socket_directories="$PG_DIR" \
    -c unix_socket_permissions=0700 -c shared_buffers=128MB -c max_connections=200 \
    -c fsync=on -c synchronous_commit=on -c log_min_messages=warning
  wait_until postgres "$(cat "$RUN/postgres.pid")" "$PG_TIMEOUT" "$PG_DIR/server.log" pg_answers
  pg_provision
  say "postgres: database ecommerce, role shopstream; its password in .cache/run/pgpass (PGPASSFILE)"
}
