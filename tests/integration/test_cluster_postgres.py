"""PostgreSQL as the processed store, on the real servers: the 10K sample through Kafka into
Cassandra + PostgreSQL, read back with psql and cassandra-driver; the dashboard over it; and
kill -9 of the processor three times in a 200,000-event run, then nothing lost or counted twice."""
import signal
import subprocess
import time

from cassandra_helpers import driver_rows
from conftest import run
from dashboard_support import Server
from pg_support import PostgresDatabase
from test_cluster_flow import cluster_run, drop_keyspace, mariadb

EVENTS = 200_000


def test_sample_through_kafka_into_cassandra_and_postgres(shopstream_bin, sample_zip, sample_rows):
    option_file, topic, keyspace, database, env = cluster_run("pgflow")
    pg = PostgresDatabase("pgflow")
    env.update(pg.env)
    try:
        r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"kafka://127.0.0.1:9092/{topic}",
                 "--rate", "max", "--partitions", "2"], env=env)
        assert r.returncode == 0, r.stderr
        r = run([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}", "--group", topic,
                 "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
                 "--processed", pg.uri, "--idle-exit", "5"], env=env)
        assert r.returncode == 0, r.stderr

        expected = {"view": 0, "cart": 0, "purchase": 0}
        revenue = 0.0
        for row in sample_rows:
            expected[row["event_type"]] += 1
            if row["event_type"] == "purchase":
                revenue += float(row["price"])
        counts = dict((t, int(n)) for t, n in pg.query(
            "SELECT event_type, count(*) FROM operations GROUP BY event_type"))
        assert counts == expected
        assert abs(float(pg.query("SELECT sum(revenue) FROM rollup_minute")[0][0]) - revenue) < 0.01
        assert int(pg.query("SELECT sum(events) FROM rollup_day")[0][0]) == len(sample_rows)
        pg_ids = {row[0] for row in pg.query("SELECT id FROM operations")}
        raw_ids = {str(r.id) for r in driver_rows(f"SELECT id FROM {keyspace}.operations")}
        assert pg_ids == raw_ids and len(pg_ids) == len(sample_rows)

        # The dashboard reads the same store.
        server = Server(shopstream_bin, pg.uri, env=env)
        try:
            kpis = server.json("/api/kpis")
        finally:
            server.stop()
        assert kpis["events"] == len(sample_rows)
        assert abs(kpis["revenue"] - revenue) < 0.01
    finally:
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
        pg.drop()


def test_kill_minus_9_three_times_into_postgres(shopstream_bin, sample_zip):
    option_file, topic, keyspace, database, env = cluster_run("pgkill")
    pg = PostgresDatabase("pgkill")
    env.update(pg.env)
    try:
        r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"kafka://127.0.0.1:9092/{topic}",
                 "--rate", "max", "--loop", "--count", str(EVENTS), "--partitions", "2"], env=env)
        assert r.returncode == 0, r.stderr
        source = f"kafka://127.0.0.1:9092/{topic}?rdkafka.session.timeout.ms=6000"
        cmd = [shopstream_bin, "process", "--from", source, "--group", topic,
               "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
               "--processed", pg.uri, "--max-batch", "2000", "--idle-exit", "20"]

        def stored():
            try:
                return int(pg.query("SELECT count(*) FROM operations")[0][0])
            except AssertionError:  # the table may not exist yet
                return 0

        for stop_at in (20_000, 80_000, 140_000):
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 600
            while stored() < stop_at and proc.poll() is None and time.time() < deadline:
                time.sleep(0.1)
            assert proc.poll() is None, "the processor ended before it could be killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert stored() < EVENTS
        r = run(cmd, env=env, timeout=1800)
        assert r.returncode == 0, r.stderr

        assert pg.query("SELECT count(*), count(DISTINCT id) FROM operations")[0] == [str(EVENTS), str(EVENTS)]
        for table in ("rollup_minute", "rollup_hour_brand", "rollup_hour_product", "rollup_hour",
                      "rollup_day", "rollup_brand", "rollup_product"):
            assert int(pg.query(f"SELECT sum(events) FROM {table}")[0][0]) == EVENTS, table
        events_revenue = float(pg.query("SELECT sum(revenue) FROM rollup_minute")[0][0])
        rows_revenue = float(pg.query("SELECT sum(revenue::float8) FROM operations")[0][0])
        assert abs(events_revenue - rows_revenue) < 1.0  # REAL rows, DOUBLE sums
        raw_ids = [str(r.id) for r in driver_rows(f"SELECT id FROM {keyspace}.operations")]
        assert len(raw_ids) == EVENTS
        assert set(raw_ids) == {row[0] for row in pg.query("SELECT id FROM operations")}
    finally:
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
        pg.drop()
