# shellcheck shell=bash
# Sourced by scripts/stack: `up|down mariadb` (alias mysql).
# MariaDB: Debian's server with a datadir of its own, database ecommerce, user admin.

MYSQL_PORT="${STACK_MYSQL_PORT:-3306}"
MYSQL_TIMEOUT="${STACK_MYSQL_TIMEOUT:-60}"

MYSQL_DIR="$RUN/mariadb"
MYSQL_SOCKET="$RUN/mariadb.sock"
MYSQL_MARKER="mariadbd"
MYSQL_OPTION_FILE="$RUN/mysql.cnf"

# Local root access over the socket (unix_socket auth as the OS user who initialised it).
mysql_root() { mariadb --no-defaults --protocol=socket --socket="$MYSQL_SOCKET" --user="$(id -un)" "$@"; }

mysql_answers() { mysql_root -e 'SELECT 1'; }

sql_quote() {
  local s="${1//\\/\\\\}"
  printf "'%s'" "${s//\'/\'\'}"
}

# admin's password: $SHOPSTREAM_MYSQL_PASSWORD when set; else the one generated before, kept in
# the option file; else a new one. The well-known one that older stacks set is never kept: the
# next `up` replaces it (the datadir is kept; root changes the password over the socket).
MYSQL_RETIRED_PASSWORD='Admin123.,'
mysql_password() {
  if [[ -n "${SHOPSTREAM_MYSQL_PASSWORD:-}" ]]; then
    printf '%s' "$SHOPSTREAM_MYSQL_PASSWORD"
    return 0
  fi
  local kept=""
  if [[ -f "$MYSQL_OPTION_FILE" ]]; then
    # As mysql_write_option_file escapes it: password="...", with \\ and \" inside.
    kept="$(sed -n 's/^password="\(.*\)"$/\1/p' "$MYSQL_OPTION_FILE" | head -n 1 |
      sed -e 's/\\"/"/g' -e 's/\\\\/\\/g')"
  fi
  if [[ -n "$kept" && "$kept" != "$MYSQL_RETIRED_PASSWORD" ]]; then
    printf '%s' "$kept"
  else
    head -c 18 /dev/urandom | base64 | tr -d '/+='
  fi
}

mysql_provision() {
  local password pw host
  password="$(mysql_password)"
  pw="$(sql_quote "$password")"
  {
    echo "CREATE DATABASE IF NOT EXISTS ecommerce CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    for host in localhost 127.0.0.1; do
      echo "CREATE USER IF NOT EXISTS 'admin'@'$host' IDENTIFIED BY $pw;"
      echo "ALTER USER 'admin'@'$host' IDENTIFIED BY $pw;"
      echo "GRANT ALL PRIVILEGES ON ecommerce.* TO 'admin'@'$host';"
      # Throwaway databases for integration tests, so that tests never touch ecommerce.
      echo "GRANT ALL PRIVILEGES ON \`ecommerce\\_test\\_%\`.* TO 'admin'@'$host';"
    done
  } | mysql_root ||
    fail_with_log "mariadb: creating database ecommerce and user admin failed" "$MYSQL_DIR/error.log"
  mysql_write_option_file "$password"
}

# The client option file (mode 600) with password $1: it stays off every command line.
mysql_write_option_file() {
  local password="$1"
  local escaped="${password//\\/\\\\}"
  escaped="${escaped//\"/\\\"}"
  (
    umask 077
    cat >"$MYSQL_OPTION_FILE.tmp" <<EOF
# Written by scripts/stack: how tools and tests reach the local MariaDB.
[client]
host=127.0.0.1
port=$MYSQL_PORT
user=admin
password="$escaped"
EOF
  )
  chmod 600 "$MYSQL_OPTION_FILE.tmp"
  mv "$MYSQL_OPTION_FILE.tmp" "$MYSQL_OPTION_FILE"
}

mysql_up() {
  local pid
  need_commands mariadb-server:mariadbd mariadb-server:mariadb-install-db mariadb-client:mariadb
  if pid="$(live_pid mariadb "$MYSQL_MARKER")"; then
    say "mariadb: already running (pid $pid)"
    mysql_provision
    return 0
  fi
  external_server mariadb "$MYSQL_PORT" mysql_tcp_answers && return 0
  local user
  user="$(id -un)"
  mkdir -p "$MYSQL_DIR"
  if [[ ! -d "$MYSQL_DIR/data/mysql" ]]; then
    say "mariadb: initialising a datadir in .cache/run/mariadb/data"
    rm -rf "$MYSQL_DIR/data"
    mariadb-install-db --no-defaults --user="$user" --datadir="$MYSQL_DIR/data" \
      --skip-test-db >"$MYSQL_DIR/install.log" 2>&1 ||
      fail_with_log "mariadb: mariadb-install-db failed" "$MYSQL_DIR/install.log"
  fi
  rotate_log "$MYSQL_DIR/error.log"
  say "mariadb: starting $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$MYSQL_PORT"
  launch mariadb "$MYSQL_DIR/stdout.log" "$(command -v mariadbd)" --no-defaults --user="$user" \
    --datadir="$MYSQL_DIR/data" --socket="$MYSQL_SOCKET" --port="$MYSQL_PORT" \
    --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$MYSQL_DIR/mariadbd.pid" \
    --log-error="$MYSQL_DIR/error.log" --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci --performance-schema=OFF \
    --innodb-buffer-pool-size=128M --max-connections=200
  wait_until mariadb "$(cat "$RUN/mariadb.pid")" "$MYSQL_TIMEOUT" "$MYSQL_DIR/error.log" mysql_answers
  mysql_provision
  say "mariadb: database ecommerce, user admin; client options in .cache/run/mysql.cnf"
}

# A server we did not start (another checkout's stack, say) is usable when user admin gets in
# with the configured password (set SHOPSTREAM_MYSQL_PASSWORD for it, or keep its option file);
# the option file for it is written first.
mysql_tcp_answers() {
  mysql_write_option_file "$(mysql_password)"
  mariadb --defaults-extra-file="$MYSQL_OPTION_FILE" -e 'SELECT 1' ecommerce
}
