"""kill -9 of the processor at three moments of a 200,000-event run from Kafka into Cassandra and
a SQL store (MariaDB, then PostgreSQL), then a restart: each store holds every event exactly
once, and the rollups equal sums over the rows."""
import signal
import subprocess
import time

import pytest

from cassandra_helpers import driver_rows
from conftest import run
from pg_support import PostgresDatabase
from test_cluster_flow import cluster_run, drop_keyspace, mariadb

EVENTS = 200_000


class MariaDbStore:
    def __init__(self, option_file, database):
        self.option_file, self.database = option_file, database
        self.uri = f"mysql://admin@127.0.0.1:3306/{database}.operations"
        self.env = {}
        self.double = "DOUBLE"

    def query(self, sql):
        return mariadb(self.option_file, self.database, sql)

    def drop(self):
        pass  # cluster_run's database, dropped below


class PostgresStore(PostgresDatabase):
    double = "float8"

    def __init__(self):
        super().__init__("kill")


@pytest.mark.parametrize("store_kind", ["mysql", "postgres"])
def test_kill_minus_9_three_times_with_both_stores(shopstream_bin, sample_zip, store_kind):
    option_file, topic, keyspace, database, env = cluster_run("kill")
    store = MariaDbStore(option_file, database) if store_kind == "mysql" else PostgresStore()
    env.update(store.env)
    try:
        r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"kafka://127.0.0.1:9092/{topic}",
                 "--rate", "max", "--loop", "--count", str(EVENTS), "--partitions", "2"], env=env)
        assert r.returncode == 0, r.stderr
        # A killed member holds its partitions until its session times out: keep that short.
        source = f"kafka://127.0.0.1:9092/{topic}?rdkafka.session.timeout.ms=6000"
        cmd = [shopstream_bin, "process", "--from", source, "--group", topic,
               "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
               "--processed", store.uri, "--max-batch", "2000", "--idle-exit", "20"]

        def stored():
            try:
                return int(store.query("SELECT count(*) FROM operations")[0][0])
            except AssertionError:  # the table may not exist yet
                return 0

        for stop_at in (20_000, 80_000, 140_000):
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 600
            while stored() < stop_at and proc.poll() is None and time.time() < deadline:
                time.sleep(0.05)
            assert proc.poll() is None, "the processor ended before it could be killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert stored() < EVENTS
        r = run(cmd, env=env, timeout=1800)
        assert r.returncode == 0, r.stderr

        rows = store.query("SELECT count(*), count(DISTINCT id) FROM operations")[0]
        assert rows == [str(EVENTS), str(EVENTS)]
        events, revenue = store.query("SELECT sum(events), sum(revenue) FROM rollup_minute")[0]
        assert int(events) == EVENTS
        # Rows keep 32-bit float prices, rollups double sums: about 3,000 purchases, ~1e-4 apart.
        row_revenue = float(store.query(f"SELECT sum(CAST(revenue AS {store.double})) FROM operations")[0][0])
        assert abs(float(revenue) - row_revenue) < 1.0
        for table in ("rollup_hour_brand", "rollup_hour_product", "rollup_hour", "rollup_day",
                      "rollup_brand", "rollup_product"):
            assert int(store.query(f"SELECT sum(events) FROM {table}")[0][0]) == EVENTS, table

        sql_ids = {row[0] for row in store.query("SELECT id FROM operations")}
        raw_ids = [str(r.id) for r in driver_rows(f"SELECT id FROM {keyspace}.operations")]
        assert len(raw_ids) == EVENTS
        assert set(raw_ids) == sql_ids
    finally:
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
        store.drop()
