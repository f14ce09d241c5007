"""A real Kafka broker stopped for 20 s in the middle of producing and processing, then
started again: nothing lost, nothing duplicated. Stops and starts the broker of this checkout
with scripts/stack, so CTest runs it alone (RUN_SERIAL).
"""

import subprocess
import time

import pytest

from conftest import require_started_here
from kafka_support import (SAMPLE, assert_exactly_once, binary, count_rows, read_topic, require_kafka,
                           start_process, stop, tail, topic_uri, unique_topic, wait_for_rows)


@pytest.fixture(autouse=True)
def kafka_up():
    require_kafka()


def test_broker_stopped_for_20_s_mid_run_loses_and_duplicates_nothing(tmp_path, stack):
    require_started_here("kafka")
    topic = unique_topic("outage")
    total = 60_000
    db, log = tmp_path / "store.db", tmp_path / "process.log"
    produce_log = open(tmp_path / "produce.log", "w")
    # Paced, so that the outage falls in the middle of both producing and processing.
    producer = subprocess.Popen(
        [binary(), "produce", "-i", str(SAMPLE), "--to", topic_uri(topic), "--partitions", "4",
         "--count", str(total), "--loop", "--rate", "2000"],
        stdout=produce_log, stderr=subprocess.STDOUT)
    consumer, broker_down = None, False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "created Kafka topic" not in tail(
                tmp_path / "produce.log", 10**6):
            time.sleep(0.2)
        consumer = start_process(topic, db, log)
        wait_for_rows(db, 5_000, timeout=120, proc=consumer)

        stack("down", "kafka")
        broker_down = True
        rows_at_stop = count_rows(db)
        time.sleep(20)  # the outage itself
        assert producer.poll() is None, "produce gave up during the outage"
        assert consumer.poll() is None, "process gave up during the outage"
        stack("up", "kafka")
        broker_down = False

        assert producer.wait(timeout=600) == 0, tail(tmp_path / "produce.log")
        produced = tail(tmp_path / "produce.log", 10**6)
        assert f"produced {total:,} events" in produced
        assert "0 delivery errors" in produced
        wait_for_rows(db, total, timeout=300, proc=consumer)
        stop(consumer, log)
    finally:
        for proc in (producer, consumer):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        if broker_down:  # a failure mid-outage must not leave the broker down for later tests
            stack("up", "kafka")
    assert rows_at_stop < total
    messages = read_topic(topic)
    payloads = [m[2] for m in messages]
    assert len(payloads) == total, "the idempotent producer wrote each event once"
    assert_exactly_once(db, topic, payloads, messages)
