"""The stack's PostgreSQL for the integration tests: a fresh `ecommerce_test_*` database per
test, the store URI for it, and psql (Debian's client, an independent reader) for checks. The
password comes from the stack's password file, as libpq reads it (PGPASSFILE)."""
import os
import subprocess
import time
from pathlib import Path

from conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
PG_PORT = int(os.environ.get("STACK_PG_PORT", "5432"))
PASSFILE = Path(os.environ.get("PGPASSFILE", ROOT / ".cache" / "run" / "pgpass"))


def env():
    return dict(os.environ, PGPASSFILE=str(PASSFILE))


def psql(database, sql):
    """Rows of `sql` as lists of text (tab-separated, unaligned)."""
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "shopstream",
                        "-d", database, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, timeout=300, env=env())
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines()]


def require_postgres():
    if not PASSFILE.exists():
        skip_or_fail(f"{PASSFILE} is missing: run `scripts/stack up postgres` first")


class PostgresDatabase:
    """A fresh database on the stack's PostgreSQL, dropped by drop()."""

    def __init__(self, prefix):
        require_postgres()
        self.name = f"ecommerce_test_{prefix}_{os.getpid()}_{int(time.time())}"
        psql("ecommerce", f"CREATE DATABASE {self.name}")
        self.uri = f"postgres://shopstream@127.0.0.1:{PG_PORT}/{self.name}.public.operations"
        self.env = env()

    def query(self, sql):
        return psql(self.name, sql)

    def drop(self):
        # FORCE ends our own sessions, but not an autovacuum worker that a test's writes woke on
        # the database (ours is no member of pg_signal_backend): that refusal is waited out.
        deadline = time.monotonic() + 120
        while True:
            r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "shopstream",
                                "-d", "ecommerce", "-v", "ON_ERROR_STOP=1", "-c",
                                f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"],
                               capture_output=True, text=True, timeout=300, env=env())
            if r.returncode == 0:
                return
            assert "pg_signal_backend" in r.stderr and time.monotonic() < deadline, r.stderr
            time.sleep(0.5)
