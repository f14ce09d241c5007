"""The full cluster flow of the original: the 10K sample produced to Kafka, processed into
Cassandra (raw) and MariaDB (cleaned), and read back by independent readers: Python's
cassandra-driver and the mariadb command-line client, compared with the CSV field by field."""
import collections
import os
import subprocess
import time

from cassandra_helpers import ROOT, client_env, driver_rows, f32, require_cassandra
from conftest import run


def mariadb(option_file, database, sql):
    r = subprocess.run(["mariadb", f"--defaults-extra-file={option_file}", "--batch", "--skip-column-names",
                        database, "-e", sql], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines()]


def cluster_run(prefix):
    """A fresh topic, keyspace and database for one test, and the environment that carries
    the servers' credentials: returns (option_file, topic, keyspace, database, env)."""
    require_cassandra()
    option_file = ROOT / ".cache" / "run" / "mysql.cnf"
    assert option_file.exists(), "run `scripts/stack up` first"
    tag = f"{os.getpid()}_{int(time.time())}"
    database = f"ecommerce_test_{prefix}_{tag}"
    mariadb(option_file, "ecommerce", f"CREATE DATABASE {database}")
    env = client_env()
    env["SHOPSTREAM_MYSQL_OPTION_FILE"] = str(option_file)
    return option_file, f"{prefix}-{tag}", f"{prefix}_{tag}", database, env


def drop_keyspace(keyspace):
    """Drops what `process` created in Cassandra for one test."""
    driver_rows(f"DROP KEYSPACE IF EXISTS {keyspace}")


def sample_through_kafka(shopstream_bin, sample_zip, topic, keyspace, processed, env):
    """The 10K sample produced to a new 2-partition topic, then processed into Cassandra (raw,
    KEYSPACE.operations) and the processed store URI until idle."""
    r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"kafka://127.0.0.1:9092/{topic}",
             "--rate", "max", "--partitions", "2"], env=env)
    assert r.returncode == 0, r.stderr
    r = run([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}", "--group", topic,
             "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
             "--processed", processed, "--idle-exit", "5"], env=env)
    assert r.returncode == 0, r.stderr


def test_sample_through_kafka_into_cassandra_and_mariadb(shopstream_bin, sample_zip, sample_rows):
    option_file, topic, keyspace, database, env = cluster_run("flow")
    try:
        sample_through_kafka(shopstream_bin, sample_zip, topic, keyspace,
                             f"mysql://admin@127.0.0.1:3306/{database}.operations", env)

        # Raw rows, read by cassandra-driver: the CSV's values, field by field (as multisets:
        # the producer gives every row a fresh id and event_time).
        raw = driver_rows(f"SELECT id, event_type, product_id, category_id, category_code, brand,"
                          f" price, user_id, user_session FROM {keyspace}.operations")
        assert len(raw) == 10034
        got = collections.Counter((r.event_type, r.product_id, r.category_id, r.category_code, r.brand,
                                   r.price, r.user_id, r.user_session) for r in raw)
        expected = collections.Counter((c["event_type"], c["product_id"], c["category_id"],
                                        c["category_code"] or None, c["brand"] or None, f32(float(c["price"])),
                                        c["user_id"], c["user_session"] or None) for c in sample_rows)
        assert got == expected

        # Cleaned rows, read by the mariadb client: each the seed's cleaning of its raw row.
        cleaned = {row[0]: row for row in mariadb(option_file, database,
                   "SELECT id, event_type, department, product, brand, price, revenue FROM operations")}
        assert len(cleaned) == 10034
        for r in raw:
            _, event_type, department, product, brand, price, revenue = cleaned[str(r.id)]
            code = r.category_code or ""
            assert event_type == r.event_type
            assert department == (code.split(".")[0] or "other")
            assert product == (code.split(".")[-1] or "other")
            assert brand == (r.brand or "other")
            assert abs(float(price) - r.price) < 0.01
            assert abs(float(revenue) - (r.price if r.event_type == "purchase" else 0)) < 0.01
        total = float(mariadb(option_file, database, "SELECT sum(revenue) FROM operations")[0][0])
        assert abs(total - 41989.74) < 0.05
        rollup = mariadb(option_file, database, "SELECT sum(events) FROM rollup_minute")[0][0]
        assert int(rollup) == 10034
    finally:
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
