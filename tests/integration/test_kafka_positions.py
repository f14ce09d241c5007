"""Where a processor resumes on Kafka (the stack's broker): `--start latest` is stored by the
first commit, even of an empty batch; a saved offset that retention passed goes on at the
earliest offset held and the gap is a dead letter; a saved offset beyond a partition's end (the
topic deleted and recreated) is refused, naming it, and so is a recreated topic that grew past
the saved offset, told by its id, at start and while running, for process and archive; two sinks
with the default group each get every event."""
import signal
import subprocess
import time

import pytest
from kafka import TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from kafka_support import (BOOTSTRAP, binary, count_rows, produce, query, require_kafka,
                           start_process, tail, topic_uri, unique_topic, wait_for_rows)


@pytest.fixture()
def admin():
    require_kafka()
    client = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    yield client
    client.close()


def process(topic, db, *extra, check=True):
    done = subprocess.run([binary(), "process", "--from", topic_uri(topic), "--raw",
                           f"sqlite://{db}", "--processed", f"sqlite://{db}", "--idle-exit", "4",
                           *extra], capture_output=True, text=True, timeout=600)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def offsets(db):
    return dict(query(db, "SELECT partition, next_offset FROM stream_offsets"))


def stored_id(db):
    return query(db, "SELECT id FROM stream_ids")[0][0]


def recreate(admin, topic, partitions=1):
    admin.delete_topics([topic])
    deadline = time.monotonic() + 60
    while topic in admin.list_topics() and time.monotonic() < deadline:
        time.sleep(0.2)
    admin.create_topics([NewTopic(topic, partitions, 1)])


def test_start_latest_is_saved_by_an_empty_first_run(admin, tmp_path):
    topic, db = unique_topic("latest"), tmp_path / "store.db"
    produce(topic, 1000, partitions=2)
    process(topic, db, "--start", "latest")
    assert count_rows(db) == 0
    assert sum(offsets(db).values()) == 1000
    produce(topic, 2000, partitions=2)
    process(topic, db, "--start", "latest")
    assert count_rows(db) == 2000


def test_retention_past_a_saved_offset_is_a_recorded_gap(admin, tmp_path):
    topic, db = unique_topic("retention"), tmp_path / "store.db"
    produce(topic, 1000, partitions=1)
    process(topic, db)
    produce(topic, 4000, partitions=1)
    admin.delete_records({TopicPartition(topic, 0): 3000})
    done = process(topic, db, "--start", "latest")
    assert "deleted by the topic's retention" in done.stderr
    assert count_rows(db) == 1000 + 2000
    assert query(db, "SELECT partition, offset, reason FROM dead_letters") == [
        (0, 1000, "offsets 1000 to 2999 were deleted by the bus's retention before they were read")]
    assert offsets(db) == {0: 5000}


def test_a_recreated_topic_below_the_saved_offset_is_refused_or_read_again(admin, tmp_path):
    topic, db = unique_topic("recreated"), tmp_path / "store.db"
    produce(topic, 3000, partitions=1)
    process(topic, db)
    recreate(admin, topic)
    produce(topic, 1000, partitions=1)
    done = process(topic, db, check=False)
    assert done.returncode == 1, done.stderr[-3000:]
    # Told by the topic's id, or by the saved offset beyond the end where the id is not known.
    assert f"{topic}" in done.stderr and ("saved offsets (0@3000)" in done.stderr or
                                          "saved offset 3000 is beyond the partition's end"
                                          in done.stderr), done.stderr[-3000:]
    assert count_rows(db) == 3000, "nothing of the new topic was read"
    assert offsets(db) == {0: 3000}
    # The user's choice: read the recreated topic from its start; the offset goes back.
    done = process(topic, db, "--on-reset", "earliest")
    assert "reading it again from 0" in done.stderr
    assert count_rows(db) == 4000
    assert offsets(db) == {0: 1000}
    process(topic, db)
    assert count_rows(db) == 4000


def test_a_recreated_topic_grown_past_the_saved_offset_is_refused_or_read_again(admin, tmp_path):
    topic, db = unique_topic("regrown"), tmp_path / "store.db"
    produce(topic, 1000, partitions=1)
    process(topic, db)
    old_id = stored_id(db)
    recreate(admin, topic)
    produce(topic, 3000, partitions=1)  # past the saved offset: no offset is out of range
    done = process(topic, db, check=False)
    assert done.returncode == 1, done.stderr[-3000:]
    assert f"with id {old_id}, deleted and created again" in done.stderr, done.stderr[-3000:]
    assert "saved offsets (0@1000)" in done.stderr, done.stderr[-3000:]
    assert count_rows(db) == 1000, "nothing of the new topic was read"
    done = process(topic, db, "--on-reset", "earliest")
    assert "reading it again from 0@0" in done.stderr, done.stderr[-3000:]
    assert count_rows(db) == 4000, "every event of the new topic stored once"
    assert stored_id(db) != old_id
    assert offsets(db) == {0: 3000}
    process(topic, db)
    assert count_rows(db) == 4000


def test_a_topic_recreated_while_it_is_read_is_noticed(admin, tmp_path):
    topic, db, log = unique_topic("underfoot"), tmp_path / "store.db", tmp_path / "process.log"
    produce(topic, 1000, partitions=1)
    proc = start_process(topic, db, log, "--idle-exit", "120", group=f"{topic}-g")
    wait_for_rows(db, 1000, 120, proc)
    recreate(admin, topic)
    produce(topic, 3000, partitions=1)
    assert proc.wait(timeout=120) == 1, tail(log)
    # By the id, or by the saved offset beyond the end when the new topic is still shorter.
    text = tail(log, 100000)
    assert "deleted and created again" in text or "deleted and recreated" in text, tail(log)
    done = process(topic, db, "--on-reset", "earliest", "--group", f"{topic}-g")
    assert count_rows(db) == 4000, done.stderr[-3000:]
    process(topic, db, "--group", f"{topic}-g")
    assert count_rows(db) == 4000


def test_an_archive_of_a_recreated_topic_is_refused(admin, tmp_path):
    topic, tree = unique_topic("archived"), tmp_path / "archive"
    produce(topic, 1000, partitions=1)
    args = [binary(), "archive", "--from", topic_uri(topic), "--to", f"file://{tree}", "--idle-exit",
            "4"]
    first = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    recreate(admin, topic)
    produce(topic, 3000, partitions=1)
    again = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert again.returncode == 1, again.stderr[-3000:]
    assert "was deleted and created again" in again.stderr, again.stderr[-3000:]
    assert len([p for p in tree.iterdir() if p.name.startswith("_stream_id.")]) == 1


def test_two_sinks_with_the_default_group_each_get_everything(admin, tmp_path):
    topic = unique_topic("groups")
    produce(topic, 4000, partitions=4)
    procs, logs = [], []
    for name in ("a", "b"):
        logs.append(tmp_path / f"{name}.log")
        procs.append(subprocess.Popen(
            [binary(), "process", "--from", topic_uri(topic), "--raw",
             f"sqlite://{tmp_path / (name + '.db')}", "--processed",
             f"sqlite://{tmp_path / (name + '.db')}", "--idle-exit", "6"],
            stdout=open(logs[-1], "w"), stderr=subprocess.STDOUT))
    for proc, log in zip(procs, logs):
        assert proc.wait(timeout=600) == 0, tail(log)
        assert "consumer group shopstream:sqlite://" in tail(log, 100000)
    for name in ("a", "b"):
        assert count_rows(tmp_path / f"{name}.db") == 4000, name


def test_idle_exit_counts_from_the_first_assignment(admin, tmp_path):
    """A member restarted right after a kill -9 holds no partition until the killed member's
    session expires (6 s here): --idle-exit 2 must not end it before it has read anything."""
    topic, db = unique_topic("idle"), tmp_path / "store.db"
    produce(topic, 20000, partitions=4)
    log = tmp_path / "first.log"
    first = start_process(topic, db, log, "--max-batch", "500", group=f"{topic}-g")
    wait_for_rows(db, 1000, 120, first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert count_rows(db) < 20000, "the first member finished before the kill"
    log = tmp_path / "second.log"
    second = start_process(topic, db, log, "--idle-exit", "2", group=f"{topic}-g")
    assert second.wait(timeout=300) == 0, tail(log)
    assert count_rows(db) == 20000, tail(log)
