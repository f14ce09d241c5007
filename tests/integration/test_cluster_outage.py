"""The stores go away in the middle of a run from Kafka into Cassandra and MariaDB: MariaDB is
restarted, then Cassandra is stopped for 30 s and started again, while the producer keeps
producing and the processor keeps running. The processor must stay up, say in its log that it
waits for the store that is down (naming it), resume when it is back, and in the end each
store holds every event exactly once with rollups that add up to the rows.

The servers are stopped and started with this checkout's scripts/stack, so CTest runs the test
alone (RUN_SERIAL), and the servers are always started again, whatever happens."""
import json
import signal
import subprocess
import time

import pytest

from cassandra_helpers import driver_rows
from conftest import require_started_here
from kafka_support import read_topic, tail
from test_cluster_flow import cluster_run, drop_keyspace, mariadb

EVENTS = 120_000
RATE = 1_000  # paced, so that both outages fall in the middle of producing and processing
CASSANDRA_OUTAGE_S = 30
MARIADB_OUTAGE_S = 5


@pytest.fixture
def servers_come_back(stack):
    """Needs MariaDB and Cassandra started from this checkout (else it cannot stop them), and
    starts both again at the end even when the test failed half-way."""
    for name in ("mariadb", "cassandra"):
        require_started_here(name)
    try:
        yield
    finally:
        stack("up", "mariadb")
        stack("up", "cassandra")


def test_mariadb_restart_and_cassandra_stopped_30_s_lose_nothing(servers_come_back, stack, shopstream_bin,
                                                                 sample_zip, tmp_path):
    option_file, topic, keyspace, database, env = cluster_run("outage")
    produce_log, process_log = tmp_path / "produce.log", tmp_path / "process.log"
    producer = processor = None

    def stored():
        """Rows in MariaDB; 0 before the table exists. Only called while MariaDB is up."""
        try:
            return int(mariadb(option_file, database, "SELECT count(*) FROM operations")[0][0])
        except AssertionError:
            return 0

    def wait_for_rows(at_least, timeout):
        deadline = time.monotonic() + timeout
        while (n := stored()) < at_least:
            assert processor.poll() is None, f"the processor exited:\n{tail(process_log)}"
            assert time.monotonic() < deadline, f"{n} rows after {timeout} s:\n{tail(process_log)}"
            time.sleep(0.5)
        return n

    try:
        with open(produce_log, "w") as out:
            producer = subprocess.Popen(
                [shopstream_bin, "produce", "-i", sample_zip, "--to", f"kafka://127.0.0.1:9092/{topic}",
                 "--partitions", "2", "--count", str(EVENTS), "--loop", "--rate", str(RATE)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while "created Kafka topic" not in tail(produce_log, 10**6) and time.monotonic() < deadline:
            assert producer.poll() is None, tail(produce_log)
            time.sleep(0.2)
        with open(process_log, "w") as out:
            processor = subprocess.Popen(
                [shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}", "--group", topic,
                 "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
                 "--processed", f"mysql://admin@127.0.0.1:3306/{database}.operations",
                 "--max-batch", "2000", "--status-every", "2s"],
                stdout=out, stderr=subprocess.STDOUT, env=env)

        # MariaDB restarted: stop, a few seconds, start.
        wait_for_rows(10_000, timeout=300)
        stack("down", "mariadb")
        time.sleep(MARIADB_OUTAGE_S)
        assert processor.poll() is None, f"the processor gave up while MariaDB was down:\n{tail(process_log)}"
        stack("up", "mariadb")
        after_mariadb = stored()
        assert after_mariadb < EVENTS, "the MariaDB restart did not fall in the middle of the run"
        wait_for_rows(after_mariadb + 5_000, timeout=300)  # it resumed

        # Cassandra stopped for 30 s. Raw events are written before the batch commits, so
        # MariaDB gets nothing new while Cassandra is down: offsets never pass unwritten data.
        stack("down", "cassandra")
        time.sleep(5)  # a batch already past its raw write may still commit
        rows_in_outage = stored()
        time.sleep(CASSANDRA_OUTAGE_S - 5)
        assert processor.poll() is None, f"the processor gave up while Cassandra was down:\n{tail(process_log)}"
        assert stored() == rows_in_outage, "rows were committed while the raw store was down"
        assert rows_in_outage < EVENTS, "the Cassandra outage did not fall in the middle of the run"
        stack("up", "cassandra")

        assert producer.wait(timeout=600) == 0, tail(produce_log)
        assert f"produced {EVENTS:,} events" in tail(produce_log, 10**6)
        wait_for_rows(EVENTS, timeout=900)
        processor.send_signal(signal.SIGINT)
        assert processor.wait(timeout=120) == 130, tail(process_log)

        # The log says what it waited for, naming each store, and that it went on.
        log = process_log.read_text()
        assert "committing the batch to the processed store failed, retrying" in log
        assert f"mysql://admin@127.0.0.1:3306/{database}" in log
        assert "writing raw events to the raw store failed, retrying" in log
        # A retry line names the Cassandra node; its wording depends on how the node went
        # ("connection to Cassandra at ... lost", or the server's own "shutting down").
        assert any("retrying" in line and "127.0.0.1:9042" in line for line in log.splitlines()), tail(process_log)
        assert log.count("recovered after") >= 2
        # Hundreds of requests in flight fail together when a store goes: the log stays short.
        warnings = [line for line in log.splitlines() if " warn " in line]
        assert len(warnings) < 100, "\n".join(warnings[:20])

        produced = [json.loads(payload)["id"] for _, _, payload in read_topic(topic)]
        assert len(produced) == EVENTS and len(set(produced)) == EVENTS

        # MariaDB: every event once, and the rollups count each row once.
        rows = mariadb(option_file, database, "SELECT count(*), count(DISTINCT id) FROM operations")[0]
        assert rows == [str(EVENTS), str(EVENTS)]
        assert {row[0] for row in mariadb(option_file, database, "SELECT id FROM operations")} == set(produced)
        for table in ("rollup_minute", "rollup_hour_brand", "rollup_hour_product"):
            assert int(mariadb(option_file, database, f"SELECT sum(events) FROM {table}")[0][0]) == EVENTS
        rollup_revenue = float(mariadb(option_file, database, "SELECT sum(revenue) FROM rollup_minute")[0][0])
        row_revenue = float(mariadb(option_file, database, "SELECT sum(revenue) FROM operations")[0][0])
        assert abs(rollup_revenue - row_revenue) < 1.0  # FLOAT rows, DOUBLE sums
        assert mariadb(option_file, database, "SELECT count(*) FROM dead_letters")[0][0] == "0"

        # Cassandra: every event once.
        raw_ids = [str(r.id) for r in driver_rows(f"SELECT id FROM {keyspace}.operations")]
        assert len(raw_ids) == EVENTS
        assert set(raw_ids) == set(produced)
    finally:
        for proc in (producer, processor):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        stack("up", "mariadb")  # before dropping what the test made, whatever happened
        stack("up", "cassandra")
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
