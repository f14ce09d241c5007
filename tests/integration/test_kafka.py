"""shopstream against a real Kafka broker (scripts/stack up kafka): produce, process, a group
of two with one member killed, kcat and kafka-python as independent clients. The broker
outage is in test_kafka_outage.py, which CTest runs alone.

Run: scripts/stack up kafka && python3 -m pytest -v tests/integration/test_kafka.py
(STACK_KAFKA_PORT selects another broker port; SHOPSTREAM_BIN another binary.)
"""

import csv
import io
import json
import re
import signal
import subprocess
import time
import uuid
import zipfile
from datetime import datetime

import pytest

from kafka_support import (BOOTSTRAP, SAMPLE, assert_exactly_once, count_rows, produce, query,
                           read_topic, require_kafka, start_process, stop, tail, unique_topic,
                           wait_for_rows)

SEED_FIELDS = ["event_time", "event_type", "product_id", "category_id", "category_code", "brand",
               "price", "user_id", "user_session", "id"]


@pytest.fixture(autouse=True)
def kafka_up():
    require_kafka()


def test_100k_events_are_produced_and_processed_exactly_once(tmp_path):
    topic = unique_topic("100k")
    stderr = produce(topic, 100_000)
    assert "produced 100,000 events" in stderr
    assert "0 delivery errors" in stderr

    messages = read_topic(topic)
    payloads = [m[2] for m in messages]
    assert len(payloads) == 100_000
    assert {m[0] for m in messages} == {0, 1, 2, 3}, "keyless messages reach every partition"

    db, log = tmp_path / "store.db", tmp_path / "process.log"
    proc = start_process(topic, db, log)
    wait_for_rows(db, 100_000, timeout=300, proc=proc)
    stop(proc, log)
    assert_exactly_once(db, topic, payloads, messages)


def test_kcat_reads_what_produce_writes(tmp_path):
    topic = unique_topic("kcat")
    produce(topic, 10_034, partitions=2)  # the whole sample once
    messages = read_topic(topic)
    assert len(messages) == 10_034
    events = [json.loads(m[2]) for m in messages]
    for event in events:
        assert list(event) == SEED_FIELDS
        uuid.UUID(event["id"])
        datetime.strptime(event["event_time"], "%Y-%m-%d %H:%M:%S.%f")
    # The seed's format: missing values are bare NaN tokens, as pandas + json.dumps wrote them.
    assert any(re.search(r'"category_code": NaN', m[2]) for m in messages)
    counts = {t: sum(1 for e in events if e["event_type"] == t) for t in ("view", "cart", "purchase")}
    assert counts == {"view": 9397, "cart": 486, "purchase": 151}
    # kcat's metadata agrees on the partition count that produce created.
    meta = subprocess.run(["kcat", "-L", "-b", BOOTSTRAP, "-t", topic], capture_output=True,
                          text=True, timeout=60, check=True).stdout
    assert "with 2 partitions" in meta


def test_two_processes_in_one_group_survive_kill_9_of_one(tmp_path):
    topic = unique_topic("group")
    produce(topic, 100_000)
    messages = read_topic(topic)
    payloads = [m[2] for m in messages]

    db = tmp_path / "store.db"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    # Small batches, so that the run lasts long enough to kill a member mid-way.
    slow = ["--max-batch", "300", "--trigger", "100ms"]
    first = start_process(topic, db, logs[0], *slow, group="pair")
    second = start_process(topic, db, logs[1], *slow, group="pair")
    try:
        # Both members own partitions before one of them dies.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(
                "assigned partitions" in tail(log, 10**7) for log in logs):
            time.sleep(0.2)
        assert all("assigned partitions" in tail(log, 10**7) for log in logs), \
            tail(logs[0]) + tail(logs[1])
        wait_for_rows(db, 10_000, timeout=300, proc=first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = count_rows(db)
        assert at_kill < 100_000, "the run ended before the kill; nothing was tested"

        wait_for_rows(db, 100_000, timeout=300, proc=second)
        stop(second, logs[1])
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    # The survivor took over all four partitions.
    assignments = re.findall(r"assigned partitions((?: \d+@\S+)+)", tail(logs[1], 10**7))
    assert len(assignments[-1].split()) == 4, assignments
    assert_exactly_once(db, topic, payloads, messages)


def seed_rows():
    """The sample as pandas would read it: empty fields become float NaN."""
    with zipfile.ZipFile(SAMPLE) as archive:
        name = archive.namelist()[0]
        text = io.TextIOWrapper(archive.open(name), encoding="utf-8")
        for row in csv.DictReader(text):
            yield {
                "event_time": row["event_time"],
                "event_type": row["event_type"],
                "product_id": int(row["product_id"]),
                "category_id": int(row["category_id"]),
                "category_code": row["category_code"] or float("nan"),
                "brand": row["brand"] or float("nan"),
                "price": float(row["price"]),
                "user_id": int(row["user_id"]),
                "user_session": row["user_session"] or float("nan"),
            }


def test_events_sent_by_kafka_python_in_the_seed_format_are_processed(tmp_path):
    kafka = pytest.importorskip("kafka", reason="pip install kafka-python")
    topic = unique_topic("seedfmt")
    subprocess.run(["kcat", "-L", "-b", BOOTSTRAP], capture_output=True, timeout=60, check=True)
    # The seed's producer: json.dumps with default settings, so NaN stays a bare token.
    producer = kafka.KafkaProducer(bootstrap_servers=BOOTSTRAP,
                                   value_serializer=lambda d: json.dumps(d).encode("utf-8"))
    sent = []
    for row in seed_rows():
        row["event_time"] = str(datetime.now())  # pandas' str(Timestamp.now())
        row["id"] = str(uuid.uuid1())
        producer.send(topic, row)
        sent.append(row)
    producer.flush()
    producer.close()
    assert len(sent) == 10_034

    messages = read_topic(topic)
    payloads = [m[2] for m in messages]
    assert len(payloads) == len(sent)
    assert sum(1 for p in payloads if "NaN" in p) > 0

    db, log = tmp_path / "store.db", tmp_path / "process.log"
    proc = start_process(topic, db, log)
    wait_for_rows(db, len(sent), timeout=300, proc=proc)
    stop(proc, log)
    assert_exactly_once(db, topic, payloads, messages)
    # Missing values follow the seed's cleaning: 'other', and no NaN text anywhere.
    by_id = {r[0]: r[1:] for r in query(db, "SELECT id, department, product, brand FROM operations")}
    for row in sent:
        department, product, brand = by_id[row["id"]]
        if isinstance(row["category_code"], float):
            assert (department, product) == ("other", "other")
        if isinstance(row["brand"], float):
            assert brand == "other"
    assert query(db, "SELECT count(*) FROM operations WHERE brand = 'NaN' OR department = 'NaN'"
                 " OR product = 'NaN'")[0][0] == 0


def test_process_started_before_the_topic_exists_waits_for_it_when_told(tmp_path):
    topic = unique_topic("late")
    db, log = tmp_path / "store.db", tmp_path / "process.log"
    proc = start_process(topic, db, log, "--wait-for-topic")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "does not exist; waiting for it" not in tail(log):
            time.sleep(0.2)
        assert "does not exist; waiting for it" in tail(log)
        produce(topic, 500)
        messages = read_topic(topic)
        wait_for_rows(db, 500, timeout=120, proc=proc)
        stop(proc, log)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert_exactly_once(db, topic, [m[2] for m in messages], messages)
