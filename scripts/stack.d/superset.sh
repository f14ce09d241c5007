# shellcheck shell=bash
# Apache Superset for scripts/stack (sourced by it; not run on its own): `scripts/stack up
# superset` installs the release pinned in superset/requirements.txt into a venv under
# .cache/stack, keeps its state (SQLite metadata database, secret key, admin password, logs)
# under .cache/run/superset, and serves it with gunicorn on 127.0.0.1. Not part of a plain `up`.
# Uses the helpers of scripts/stack (say, die, live_pid, launch, wait_until, ...).

SUPERSET_PORT="${STACK_SUPERSET_PORT:-8089}"
SUPERSET_TIMEOUT="${STACK_SUPERSET_TIMEOUT:-180}"
SUPERSET_INSTALL_TIMEOUT="${STACK_SUPERSET_INSTALL_TIMEOUT:-900}"
SUPERSET_WORKERS="${STACK_SUPERSET_WORKERS:-2}"
SUPERSET_THREADS="${STACK_SUPERSET_THREADS:-4}"
SUPERSET_USER="admin"
SUPERSET_DIR="$RUN/superset"
SUPERSET_MARKER="superset.app:create_app"
SUPERSET_VERSION="$(sed -n 's/^apache-superset==//p' "$ROOT/superset/requirements.txt")"
# Set by superset_up to the physical path: a venv's scripts name their python by absolute path,
# so the venv is not relocatable (.complete records where it was made; elsewhere, it is remade).
SUPERSET_VENV=""
SUPERSET_PASSWORD_FILE="$SUPERSET_DIR/admin-password"

superset_answers() {
  [[ "$(curl -s -m 5 "http://127.0.0.1:$SUPERSET_PORT/health" 2>/dev/null)" == OK ]]
}

# A Python that Superset 6 supports (3.10 to 3.12): $STACK_SUPERSET_PYTHON, python3.11, python3.
superset_python() {
  local p
  for p in "${STACK_SUPERSET_PYTHON:-}" python3.11 python3.12 python3.10 python3; do
    [[ -n "$p" ]] && command -v "$p" >/dev/null 2>&1 || continue
    if "$p" -c 'import sys, venv; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then
      command -v "$p"
      return 0
    fi
  done
  die "superset: needs Python 3.10 to 3.12 with the venv module (set STACK_SUPERSET_PYTHON)"
}

# The venv, once: pip from PyPI, every version pinned by superset/constraints.txt.
superset_install() {
  [[ "$(cat "$SUPERSET_VENV/.complete" 2>/dev/null)" == "$SUPERSET_VENV" ]] && return 0
  need_commands pkg-config:pkg-config gcc:gcc
  [[ -f /usr/include/mariadb/mysql.h || -f /usr/include/mysql/mysql.h ]] ||
    need_commands libmariadb-dev:mariadb_config
  local python log="$CACHE/stack/superset-$SUPERSET_VERSION/pip.log"
  python="$(superset_python)"
  mkdir -p "$(dirname "$SUPERSET_VENV")"
  say "superset: installing apache-superset $SUPERSET_VERSION, mysqlclient and rich into" \
    ".cache/stack/superset-$SUPERSET_VERSION/venv with $("$python" --version) (first run only, 1 to 3 min)"
  rm -rf "$SUPERSET_VENV"
  "$python" -m venv "$SUPERSET_VENV" >"$log" 2>&1 || fail_with_log "superset: python -m venv failed" "$log"
  if ! timeout "$SUPERSET_INSTALL_TIMEOUT" "$SUPERSET_VENV/bin/python" -m pip install -q \
    --disable-pip-version-check -r "$ROOT/superset/requirements.txt" \
    -c "$ROOT/superset/constraints.txt" >>"$log" 2>&1; then
    fail_with_log "superset: pip install failed or took over ${SUPERSET_INSTALL_TIMEOUT}s" "$log"
  fi
  echo "$SUPERSET_VENV" >"$SUPERSET_VENV/.complete"
}

# Written on each start. The secret key is generated once into a mode-600 file beside it.
superset_config() {
  mkdir -p "$SUPERSET_DIR/logs"
  if [[ ! -s "$SUPERSET_DIR/secret_key" ]]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(48))' >"$SUPERSET_DIR/secret_key")
  fi
  chmod 600 "$SUPERSET_DIR/secret_key"
  cat >"$SUPERSET_DIR/superset_config.py" <<EOF
# Written by scripts/stack on each start.
import pathlib

_HERE = pathlib.Path(__file__).resolve().parent
SECRET_KEY = (_HERE / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HERE / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(_HERE)
# Charts over millions of raw rows take long (docs/BENCHMARKS.md): let them finish.
SUPERSET_WEBSERVER_TIMEOUT = 300
SQLLAB_TIMEOUT = 300
# Pages load nothing from other hosts: no usage pixel, no map tiles (Superset's default policy
# allows both).
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
EOF
}

superset_env() {
  env SUPERSET_CONFIG_PATH="$SUPERSET_DIR/superset_config.py" SUPERSET_HOME="$SUPERSET_DIR" \
    FLASK_APP=superset PYTHONDONTWRITEBYTECODE=1 "$@"
}

# The metadata database: migrated and given its roles once per Superset version.
superset_initialise() {
  local stamp="$SUPERSET_DIR/.initialised-$SUPERSET_VERSION" log="$SUPERSET_DIR/logs/init.log"
  [[ -f "$stamp" ]] && return 0
  say "superset: creating the metadata database (.cache/run/superset/superset.db) and its roles"
  superset_env "$SUPERSET_VENV/bin/superset" db upgrade >"$log" 2>&1 ||
    fail_with_log "superset: superset db upgrade failed" "$log"
  superset_env "$SUPERSET_VENV/bin/superset" init >>"$log" 2>&1 ||
    fail_with_log "superset: superset init failed" "$log"
  touch "$stamp"
}

# Datasets of one table name in several connections (several stores): SQLite metadata keeps a
# UNIQUE(table_name) that Superset's migrations drop elsewhere (superset/tool/sqlite_metastore.py).
# Idempotent and quick; run while the server is stopped.
superset_relax_metastore() {
  local log="$SUPERSET_DIR/logs/init.log"
  python3 "$ROOT/superset/tool/sqlite_metastore.py" "$SUPERSET_DIR/superset.db" >>"$log" 2>&1 ||
    fail_with_log "superset: relaxing the metadata database failed" "$log"
}

# The admin's password: $SHOPSTREAM_SUPERSET_PASSWORD when set, else the one generated once
# into .cache/run/superset/admin-password (mode 600), which always holds the current one.
superset_admin() {
  local wanted="${SHOPSTREAM_SUPERSET_PASSWORD:-}" current="" log="$SUPERSET_DIR/logs/admin.log"
  [[ -s "$SUPERSET_PASSWORD_FILE" ]] && current="$(cat "$SUPERSET_PASSWORD_FILE")"
  if [[ -z "$wanted" ]]; then
    wanted="$current"
    [[ -n "$wanted" ]] || wanted="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
  fi
  [[ "$wanted" == "$current" && -f "$SUPERSET_DIR/.admin-set" ]] && return 0
  say "superset: setting the password of user $SUPERSET_USER"
  STACK_SUPERSET_ADMIN_PASSWORD="$wanted" superset_env "$SUPERSET_VENV/bin/python" \
    "$ROOT/superset/tool/admin_user.py" "$SUPERSET_USER" >"$log" 2>&1 ||
    fail_with_log "superset: creating user $SUPERSET_USER failed" "$log"
  (umask 077 && printf '%s\n' "$wanted" >"$SUPERSET_PASSWORD_FILE.tmp")
  mv "$SUPERSET_PASSWORD_FILE.tmp" "$SUPERSET_PASSWORD_FILE"
  touch "$SUPERSET_DIR/.admin-set"
}

superset_up() {
  local pid
  need_commands curl:curl
  mkdir -p "$SUPERSET_DIR"
  # One `up superset` at a time: a second waits here, then finds the server running.
  exec 8>"$RUN/superset.lock"
  flock -w "$SUPERSET_INSTALL_TIMEOUT" 8 || die "superset: another \`up superset\` holds $RUN/superset.lock"
  mkdir -p "$CACHE/stack"
  SUPERSET_VENV="$(cd "$CACHE/stack" && pwd -P)/superset-$SUPERSET_VERSION/venv"
  if pid="$(live_pid superset "$SUPERSET_MARKER")"; then
    say "superset: already running (pid $pid) on http://127.0.0.1:$SUPERSET_PORT/"
    superset_admin # a new $SHOPSTREAM_SUPERSET_PASSWORD applies at once
    return 0
  fi
  external_server superset "$SUPERSET_PORT" superset_answers && return 0
  superset_install
  superset_config
  superset_initialise
  superset_relax_metastore
  superset_admin
  rotate_log "$SUPERSET_DIR/logs/server.log"
  say "superset: starting $SUPERSET_VERSION on 127.0.0.1:$SUPERSET_PORT" \
    "(gunicorn, $SUPERSET_WORKERS workers x $SUPERSET_THREADS threads)"
  launch superset "$SUPERSET_DIR/logs/server.log" env SUPERSET_CONFIG_PATH="$SUPERSET_DIR/superset_config.py" \
    SUPERSET_HOME="$SUPERSET_DIR" PYTHONDONTWRITEBYTECODE=1 \
    "$SUPERSET_VENV/bin/gunicorn" --bind "127.0.0.1:$SUPERSET_PORT" --workers "$SUPERSET_WORKERS" \
    --worker-class gthread --threads "$SUPERSET_THREADS" --timeout 300 --graceful-timeout 30 \
    --limit-request-line 0 --limit-request-field_size 0 "$SUPERSET_MARKER()" 8>&-
  wait_until superset "$(cat "$RUN/superset.pid")" "$SUPERSET_TIMEOUT" "$SUPERSET_DIR/logs/server.log" \
    superset_answers
  say "superset: http://127.0.0.1:$SUPERSET_PORT/ user $SUPERSET_USER, password in" \
    ".cache/run/superset/admin-password"
}
