"""Helpers for the Kafka integration tests: the shopstream binary, the broker of
scripts/stack, kcat, and the SQLite stores that `process` writes."""

import json
import math
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import require_listening

ROOT = Path(__file__).resolve().parents[2]
# The 10K sample beside the repository; SHOPSTREAM_SAMPLE_ZIP overrides (worktrees).
SAMPLE = Path(os.environ.get("SHOPSTREAM_SAMPLE_ZIP",
                           ROOT.parent / "shared" / "data" / "2019-Nov_10KSample.zip"))
KAFKA_PORT = int(os.environ.get("STACK_KAFKA_PORT", "9092"))
BOOTSTRAP = f"127.0.0.1:{KAFKA_PORT}"
# A member killed with -9 is noticed after the session time-out: keep it at the broker's
# minimum so that take-over is quick.
SOURCE_TUNING = "rdkafka.session.timeout.ms=6000&rdkafka.heartbeat.interval.ms=1000"


def binary():
    path = Path(os.environ.get("SHOPSTREAM_BIN", ROOT / "build" / "src" / "cli" / "shopstream"))
    if not path.is_file():
        pytest.fail(f"shopstream binary not found at {path}: build it or set SHOPSTREAM_BIN")
    return str(path)


def require_kafka():
    require_listening("Kafka", KAFKA_PORT, "kafka")


def unique_topic(name):
    return f"it-{name}-{os.getpid()}-{time.time_ns() % 10**9}"


def topic_uri(topic, query=""):
    return f"kafka://{BOOTSTRAP}/{topic}" + (f"?{query}" if query else "")


def produce(topic, count, *extra, partitions=4, timeout=600):
    """Runs `shopstream produce` over the 10K sample (looping) and returns its stderr."""
    args = [binary(), "produce", "-i", str(SAMPLE), "--to", topic_uri(topic),
            "--partitions", str(partitions), "--count", str(count), "--loop"]
    args += list(extra) or ["--rate", "max"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def start_process(topic, db, log_path, *extra, group="it", query=SOURCE_TUNING):
    """Starts `shopstream process` from the topic into one SQLite file (raw and processed)."""
    args = [binary(), "process", "--from", topic_uri(topic, query),
            "--raw", f"sqlite://{db}", "--processed", f"sqlite://{db}",
            "--group", group, "--status-every", "2s"]
    args += list(extra)
    log = open(log_path, "w")
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)


def wait_exit(proc, timeout, log_path, expected=0):
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"process did not finish in {timeout} s; log:\n{tail(log_path)}")
    assert code == expected, f"exit {code}; log:\n{tail(log_path)}"


def stop(proc, log_path, timeout=120):
    """Ctrl-C, as a person would: process must finish its batch and exit 130 (docs/cli.md)."""
    proc.send_signal(signal.SIGINT)
    wait_exit(proc, timeout, log_path, expected=130)


def tail(path, chars=4000):
    try:
        return Path(path).read_text()[-chars:]
    except OSError:
        return "(no log)"


def query(db, sql, *params):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def count_rows(db):
    try:
        return query(db, "SELECT count(*) FROM operations")[0][0]
    except sqlite3.Error:
        return 0  # not created yet


def wait_for_rows(db, at_least, timeout, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = count_rows(db)
        if n >= at_least:
            return n
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"process exited with {proc.returncode} before {at_least} rows")
        time.sleep(0.2)
    pytest.fail(f"fewer than {at_least} rows after {timeout} s")


def read_topic(topic, timeout=300):
    """Every message of the topic as read by kcat, an independent client: (partition,
    offset, payload) tuples."""
    done = subprocess.run(
        ["kcat", "-C", "-b", BOOTSTRAP, "-t", topic, "-o", "beginning", "-e", "-q",
         "-f", "%p %o %s\\n"],
        capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    out = []
    for line in done.stdout.splitlines():
        partition, offset, payload = line.split(" ", 2)
        out.append((int(partition), int(offset), payload))
    return out


def high_watermarks(messages):
    marks = {}
    for partition, offset, _ in messages:
        marks[partition] = max(marks.get(partition, 0), offset + 1)
    return marks


def expected_revenue(payloads):
    """The seed's rule, computed here independently: revenue = price for purchases."""
    total = 0.0
    for payload in payloads:
        event = json.loads(payload)  # Python's json accepts the bare NaN tokens
        if event["event_type"] == "purchase":
            total += event["price"]
    return total


def assert_exactly_once(db, topic, payloads, messages):
    """Rows = events, each id once, rollups counted once, offsets of record at the end."""
    ids = [json.loads(p)["id"] for p in payloads]
    assert len(set(ids)) == len(ids), "the producer wrote duplicate ids"
    rows, distinct, revenue = query(
        db, "SELECT count(*), count(DISTINCT id), coalesce(sum(revenue), 0) FROM operations")[0]
    assert rows == len(payloads)
    assert distinct == len(payloads)
    stored_ids = {r[0] for r in query(db, "SELECT id FROM operations")}
    assert stored_ids == set(ids)
    assert math.isclose(revenue, expected_revenue(payloads), rel_tol=1e-9, abs_tol=1e-6)
    # Rollups add each event once: a batch committed twice would count twice here.
    for table in ("rollup_minute", "rollup_hour", "rollup_day", "rollup_product"):
        assert query(db, f"SELECT sum(events) FROM {table}")[0][0] == len(payloads), table
    assert query(db, "SELECT count(*) FROM raw_operations")[0][0] == len(payloads)
    assert query(db, "SELECT count(*) FROM dead_letters")[0][0] == 0
    stored = dict(query(db, "SELECT partition, next_offset FROM stream_offsets WHERE stream = ?",
                        topic))
    assert stored == high_watermarks(messages)
