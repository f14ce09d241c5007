"""`shopstream verify` on the single-node servers: 2,000 events through Kafka (3 partitions)
into Cassandra and MariaDB, and into PostgreSQL from the same topic; verify holds on both.
Rows deleted behind the pipeline's back, with the servers' own clients, are missing; a
database without shopstream's tables is bad input (exit 2)."""
import json
import os
import socket
import subprocess
import time

import pytest

from conftest import run
from pg_support import PostgresDatabase
from test_cluster_flow import mariadb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPTION_FILE = os.path.join(ROOT, ".cache", "run", "mysql.cnf")


def require_servers():
    for port in (9092, 9042, 3306, 5432):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            message = f"!!! nothing listens on 127.0.0.1:{port}: run `scripts/stack up`"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)


def verify(shopstream_bin, env, topic, raw, processed):
    r = run([shopstream_bin, "verify", "--from", f"kafka://127.0.0.1:9092/{topic}", "--raw", raw,
             "--processed", processed, "--json"], env=env)
    return r, (json.loads(r.stdout) if r.stdout.strip() else None)


def test_verify_on_kafka_cassandra_mariadb_and_postgres(shopstream_bin, sample_zip):
    require_servers()
    tag = f"verify_{os.getpid()}_{int(time.time())}"
    database = f"ecommerce_test_{tag}"
    env = dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=OPTION_FILE)
    raw = f"cassandra://127.0.0.1:9042/{tag}.operations"
    processed = f"mysql://admin@127.0.0.1:3306/{database}.operations"
    mariadb(OPTION_FILE, "ecommerce", f"CREATE DATABASE {database}")
    pg = PostgresDatabase("verify")
    env["PGPASSFILE"] = pg.env["PGPASSFILE"]
    try:
        r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"kafka://127.0.0.1:9092/{tag}",
                 "--rate", "max", "--count", "2000", "--partitions", "3"], env=env)
        assert r.returncode == 0, r.stderr
        for group, store in ((tag, processed), (tag + "_pg", pg.uri)):
            r = run([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{tag}",
                     "--group", group, "--raw", raw, "--processed", store, "--idle-exit", "3"], env=env)
            assert r.returncode == 0, r.stderr

        for store in (processed, pg.uri):
            r, report = verify(shopstream_bin, env, tag, raw, store)
            assert r.returncode == 0, r.stderr
            assert (report["messages"], report["stored_once"], report["missing"]) == (2000, 2000, 0)
            assert report["rollups"]["ok"] and report["rollups"]["rows"] == 2000

        mariadb(OPTION_FILE, database, "DELETE FROM operations ORDER BY id LIMIT 2")
        ids = [row[0] for row in pg.query("SELECT id FROM operations ORDER BY id LIMIT 1")]
        r = run([shopstream_bin, "cql", "--to", f"cassandra://127.0.0.1:9042/{tag}",
                 f"DELETE FROM operations WHERE id = {ids[0]}"], env=env)
        assert r.returncode == 0, r.stderr
        r, report = verify(shopstream_bin, env, tag, raw, processed)
        assert r.returncode == 1
        assert (report["raw_missing"], report["processed_missing"]) == (1, 2)
        assert report["rollups"]["ok"] is False and report["duplicated"] == 2

        empty = f"ecommerce_test_{tag}_empty"
        mariadb(OPTION_FILE, "ecommerce", f"CREATE DATABASE {empty}")
        try:
            r, _ = verify(shopstream_bin, env, tag, raw, f"mysql://admin@127.0.0.1:3306/{empty}.operations")
            assert r.returncode == 2
            assert "not a shopstream processed store" in r.stderr and r.stderr.count("\n") == 1
        finally:
            mariadb(OPTION_FILE, "ecommerce", f"DROP DATABASE IF EXISTS {empty}")
    finally:
        mariadb(OPTION_FILE, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
        pg.drop()
        subprocess.run([shopstream_bin, "cql", "--to", "cassandra://127.0.0.1:9042",
                        f"DROP KEYSPACE IF EXISTS {tag}"], capture_output=True, env=env, timeout=120)
