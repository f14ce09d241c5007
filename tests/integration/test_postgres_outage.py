"""PostgreSQL restarted in the middle of a run from Kafka into Cassandra + PostgreSQL: the
processor waits, says in its log which store it waits for, resumes when the server is back, and
in the end the store holds every event exactly once. The server is stopped and started with this
checkout's scripts/stack, so CTest runs the test alone (RUN_SERIAL), and PostgreSQL is always
started again, whatever happens."""
import subprocess
import time

import pytest

from cassandra_helpers import driver_rows
from conftest import require_started_here
from kafka_support import tail
from pg_support import PostgresDatabase
from test_cluster_flow import cluster_run, drop_keyspace, mariadb

EVENTS = 60_000
RATE = 2_000  # paced, so that the restart falls in the middle of the run


def diagnosis(pg, keyspace, process_log):
    """What a short count needs to be understood: which ids the raw store holds and the
    processed one does not, the dead letters, the offsets of record and the log's warnings."""
    raw = {row[0] for row in driver_rows(f"SELECT id FROM {keyspace}.operations")}
    processed = {row[0] for row in pg.query("SELECT id FROM operations")}
    warnings = [line for line in tail(process_log, 10**7).splitlines()
                if " warn " in line or " error " in line]
    return "\n".join([
        f"raw store: {len(raw)} ids; processed: {len(processed)}",
        f"only raw: {sorted(raw - processed)[:5]}; only processed: {sorted(processed - raw)[:5]}",
        f"dead letters: {pg.query('SELECT * FROM dead_letters')[:5]}",
        f"offsets: {pg.query('SELECT * FROM stream_offsets')}",
        "warnings:", *warnings[:40]])


@pytest.fixture
def postgres_comes_back(stack):
    require_started_here("postgres")
    try:
        yield
    finally:
        stack("up", "postgres")


def test_a_postgres_restart_is_waited_out(postgres_comes_back, stack, shopstream_bin, sample_zip, tmp_path):
    option_file, topic, keyspace, database, env = cluster_run("pgoutage")
    pg = PostgresDatabase("pgoutage")
    env.update(pg.env)
    process_log = tmp_path / "process.log"
    producer = processor = None

    def stored():
        try:
            return int(pg.query("SELECT count(*) FROM operations")[0][0])
        except AssertionError:
            return 0

    try:
        producer = subprocess.Popen(
            [shopstream_bin, "produce", "-i", sample_zip, "--to", f"kafka://127.0.0.1:9092/{topic}",
             "--partitions", "2", "--count", str(EVENTS), "--loop", "--rate", str(RATE)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        with open(process_log, "w") as out:
            processor = subprocess.Popen(
                [shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}", "--group", topic,
                 "--wait-for-topic",  # the producer, started just before, creates the topic
                 "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
                 "--processed", pg.uri, "--idle-exit", "15"],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 300
        while stored() < 5_000:
            assert processor.poll() is None, tail(process_log)
            assert time.monotonic() < deadline, tail(process_log)
            time.sleep(0.2)

        stack("down", "postgres")
        deadline = time.monotonic() + 120
        while "retrying" not in tail(process_log, 10**6):
            assert processor.poll() is None, tail(process_log)
            assert time.monotonic() < deadline, tail(process_log)
            time.sleep(0.2)
        log = tail(process_log, 10**6)
        assert "postgres://" in log[log.index("retrying") - 400:], log[-2000:]
        stack("up", "postgres")

        assert producer.wait(timeout=600) == 0
        assert processor.wait(timeout=900) == 0, tail(process_log)
        assert "recovered after" in tail(process_log, 10**6)
        counts = pg.query("SELECT count(*), count(DISTINCT id) FROM operations")[0]
        assert counts == [str(EVENTS), str(EVENTS)], diagnosis(pg, keyspace, process_log)
        assert int(pg.query("SELECT sum(events) FROM rollup_minute")[0][0]) == EVENTS
        assert len(driver_rows(f"SELECT id FROM {keyspace}.operations")) == EVENTS
    finally:
        for proc in (producer, processor):
            if proc and proc.poll() is None:
                proc.kill()
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
        stack("up", "postgres")
        pg.drop()
