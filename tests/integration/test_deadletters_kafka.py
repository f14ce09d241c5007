"""The dead-letter topic on the stack's Kafka: `process --dead-letters kafka://...` publishes each
committed dead letter (the original message as the value, its provenance, code and reason as
headers); `deadletters replay --from kafka://...` reads them back, keyed by that provenance, and
stores each once however often it runs; a topic that is away never holds the stream up."""
import json
import uuid

from kafka import KafkaConsumer, TopicPartition

from conftest import query, run
from kafka_support import BOOTSTRAP, require_kafka, topic_uri, unique_topic
from test_deadletters import Log, message


def read_topic(topic, expected):
    consumer = KafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False,
                             consumer_timeout_ms=20000)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.seek_to_beginning()
    records = []
    for record in consumer:
        records.append(record)
        if len(records) == expected:
            break
    consumer.close()
    return records


def test_the_dead_letter_topic_and_a_replay_from_it(shopstream_bin, tmp_path):
    require_kafka()
    log = Log(tmp_path / "log.db")
    wide = "w" * 60
    log.append([message(1), b"{not json", message(2, brand=wide), message(3)])
    store = f"sqlite://{tmp_path}/store.db"
    topic = unique_topic("deadletters")
    r = run([shopstream_bin, "process", "--from", f"sqlite://{log.path}", "--raw", store,
             "--processed", store, "--idle-exit", "1", "--dead-letters", topic_uri(topic)])
    assert r.returncode == 0, r.stderr
    records = read_topic(topic, 2)
    stream = query(tmp_path / "store.db", "SELECT stream FROM dead_letters LIMIT 1")[0][0]
    headers = [dict((k, v.decode()) for k, v in rec.headers) for rec in records]
    assert [h["shopstream.errors.offset"] for h in headers] == ["1", "2"]
    assert {h["shopstream.errors.topic"] for h in headers} == {stream}
    assert [h["shopstream.errors.code"] for h in headers] == ["json.syntax", "text.too_long"]
    assert headers[1]["shopstream.errors.field"] == "brand"
    assert "has 60 characters" in headers[1]["shopstream.errors.reason"]
    assert [rec.value for rec in records] == [b"{not json", message(2, brand=wide)]

    for _ in range(2):  # twice: stored once
        r = run([shopstream_bin, "deadletters", "--store", store, "replay", "--from", topic_uri(topic),
                 "--long-text", "truncate"])
        assert r.returncode == 0, r.stderr
    assert query(tmp_path / "store.db", "SELECT COUNT(*) FROM operations")[0][0] == 3
    assert query(tmp_path / "store.db", "SELECT state, replays FROM dead_letters ORDER BY offset") == [
        ("open", 2), ("replayed", 1)]

    r = run([shopstream_bin, "deadletters", "--store", store, "replay", "--from",
             topic_uri(unique_topic("missing"))])
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_topic_that_is_away_never_holds_the_stream_up(shopstream_bin, tmp_path):
    log = Log(tmp_path / "log.db")
    log.append([message(1), b"[1]", message(2)])
    store = f"sqlite://{tmp_path}/store.db"
    r = run([shopstream_bin, "process", "--from", f"sqlite://{log.path}", "--raw", store,
             "--processed", store, "--idle-exit", "1", "--connect-timeout", "1s",
             "--dead-letters", "kafka://127.0.0.1:1/away"], timeout=120)
    assert r.returncode == 0, r.stderr
    assert "1 dead letters were not published" in r.stderr
    assert query(tmp_path / "store.db", "SELECT COUNT(*) FROM operations")[0][0] == 2
    assert query(tmp_path / "store.db", "SELECT code FROM dead_letters") == [("json.shape",)]
