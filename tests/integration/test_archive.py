"""`shopstream archive` from Kafka into Parquet on local disk and on the stack's HDFS, read back
by pyarrow (over WebHDFS with urllib for HDFS): the 10K sample with its counts and revenue
computed from the CSV; kill -9 three times during a 200,000-event run; HDFS stopped for 20 s
in the middle of a run. Needs scripts/stack's Kafka and HDFS."""
import collections
import random
import signal
import subprocess
import time

from archive_support import HdfsTree, LocalTree, archived_messages, read_archive
from kafka_support import SOURCE_TUNING, require_kafka, topic_uri, unique_topic
from conftest import run, skip_or_fail


# Long enough for a new group member to be given its partitions on a busy machine (the time
# before the first assignment counts as idle).
IDLE = "8"


def with_log(log, check, *args):
    """Runs a check; on failure, the archive's log goes with the assertion."""
    try:
        check(*args)
    except AssertionError as e:
        raise AssertionError(f"{e}\n--- the archive's log (end):\n{log[-4000:]}") from e


def archive_args(shopstream_bin, topic, tree, *extra):
    return [shopstream_bin, "archive", "--from", topic_uri(topic, SOURCE_TUNING), "--group", f"{topic}-archive",
            "--to", tree.uri(), "--status-every", "2s", *extra]


# Messages without a key stick to one partition for librdkafka's linger (10 ms): on a busy
# machine the whole sample can land in one. Per message, they spread over every partition.
SPREAD = "rdkafka.sticky.partitioning.linger.ms=0"


def produce_sample(shopstream_bin, sample_zip, topic, partitions=2):
    r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", topic_uri(topic, SPREAD), "--rate", "max",
             "--partitions", str(partitions)])
    assert r.returncode == 0, r.stderr


def check_sample(tree, sample_rows):
    events, letters, leftovers = read_archive(tree)
    assert leftovers == [] and letters == []
    assert len(events) == len(sample_rows) == 10_034
    assert len({e["id"] for e in events}) == len(events)
    # Every message of each partition once: offsets 0..n-1.
    per_partition = collections.defaultdict(list)
    for e in events:
        per_partition[e["bus_partition"]].append(e["bus_offset"])
    assert sorted(per_partition) == [0, 1]
    for offsets in per_partition.values():
        assert sorted(offsets) == list(range(len(offsets)))
    # Counts and revenue, computed independently from the CSV.
    counts = collections.Counter(e["event_type"] for e in events)
    assert counts == collections.Counter(r["event_type"] for r in sample_rows)
    assert counts == {"view": 9_397, "cart": 486, "purchase": 151}
    csv_revenue = sum(float(r["price"]) for r in sample_rows if r["event_type"] == "purchase")
    revenue = sum(e["price"] for e in events if e["event_type"] == "purchase")
    assert round(csv_revenue, 2) == 41_989.74
    assert abs(revenue - csv_revenue) < 0.01  # prices are FLOAT, as in the seed's raw table
    # Every product/price pair of the CSV is there as often as in the CSV.
    assert collections.Counter((e["product_id"], e["user_id"], e["event_type"]) for e in events) == \
        collections.Counter((int(r["product_id"]), int(r["user_id"]), r["event_type"]) for r in sample_rows)


def require_hdfs():
    try:
        HdfsTree("/").listing()
    except OSError:
        skip_or_fail("HDFS (WebHDFS) is not answering on 127.0.0.1: run `scripts/stack up hdfs` first")


def test_sample_through_kafka_to_local_disk(shopstream_bin, sample_zip, sample_rows, tmp_path):
    require_kafka()
    topic = unique_topic("archive-local")
    produce_sample(shopstream_bin, sample_zip, topic)
    tree = LocalTree(tmp_path / "archive")
    r = run(archive_args(shopstream_bin, topic, tree, "--idle-exit", IDLE, "--roll-rows", "2500"))
    assert r.returncode == 0, r.stderr
    with_log(r.stderr, check_sample, tree, sample_rows)
    assert sorted(tree.root_files())[0] == f"_stream.{topic}"
    assert [f for f in tree.root_files() if f.startswith("_stream_id.")], "the topic's id is kept"
    # Another stream into the same folder would mix partitions and offsets: refused.
    other = unique_topic("archive-other")
    produce_sample(shopstream_bin, sample_zip, other)
    r = run(archive_args(shopstream_bin, other, tree, "--idle-exit", IDLE))
    assert r.returncode == 2, r.stderr
    assert "holds the archive of another stream" in r.stderr
    check_sample(tree, sample_rows)


def test_sample_through_kafka_to_hdfs(shopstream_bin, sample_zip, sample_rows):
    require_kafka()
    require_hdfs()
    topic = unique_topic("archive-hdfs")
    tree = HdfsTree(f"/tests/{topic}")
    try:
        produce_sample(shopstream_bin, sample_zip, topic)
        r = run(archive_args(shopstream_bin, topic, tree, "--idle-exit", IDLE))
        assert r.returncode == 0, r.stderr
        with_log(r.stderr, check_sample, tree, sample_rows)
        assert sorted(tree.root_files())[0] == f"_stream.{topic}"
        assert [f for f in tree.root_files() if f.startswith("_stream_id.")], "the id is kept"
    finally:
        tree.delete()


def generated_topic(shopstream_bin, tmp_path, events, *produce_args, background=False):
    """`shopstream generate` rows (a month of November 2019, in time order) produced into a new
    2-partition topic."""
    data = tmp_path / "generated.csv"
    r = run([shopstream_bin, "generate", "--rows", str(events), "--seed", "14", "-o", str(data)])
    assert r.returncode == 0, r.stderr
    topic = unique_topic("archive-gen")
    args = [shopstream_bin, "produce", "-i", str(data), "--to", topic_uri(topic), "--partitions", "2",
            *produce_args]
    if background:
        return topic, subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    r = run(args)
    assert r.returncode == 0, r.stderr
    return topic, None


def check_every_event_once(tree, events):
    rows, letters, leftovers = read_archive(tree)
    assert leftovers == [] and letters == []
    assert len(rows) == events
    assert len({e["id"] for e in rows}) == events
    positions = {(e["bus_partition"], e["bus_offset"]) for e in rows}
    assert len(positions) == events


def test_kill_minus_9_three_times(shopstream_bin, tmp_path):
    require_kafka()
    events = 200_000
    # Original timestamps (a month, in order): each file set spans several dates at once.
    topic, _ = generated_topic(shopstream_bin, tmp_path, events, "--speedup", "1000000000000")
    tree = LocalTree(tmp_path / "archive")
    # A restarted member waits for the killed one's session to time out before it is given the
    # partitions: the idle limit must outlast that wait on a loaded machine.
    args = archive_args(shopstream_bin, topic, tree, "--roll-rows", "15000", "--idle-exit", "20")
    rng = random.Random(9)
    log = open(tmp_path / "archive.log", "w")
    for stop_at in (20_000, 80_000, 140_000):
        proc = subprocess.Popen(args, stdout=log, stderr=log)
        deadline = time.time() + 600
        while sum(archived_messages(tree).values()) < stop_at and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the archive ended before it could be killed: " + \
            (tmp_path / "archive.log").read_text()[-3000:]
        # Not just after a commit: somewhere in the next fraction of a second.
        time.sleep(rng.uniform(0, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert sum(archived_messages(tree).values()) < events
    log.close()
    r = run(args, timeout=1200)
    assert r.returncode == 0, r.stderr
    with_log(r.stderr, check_every_event_once, tree, events)
    assert len([d for d in tree.listing() if d.startswith("event_date=2019-11-")]) == 30
    log_text = (tmp_path / "archive.log").read_text() + r.stderr
    assert log_text.count("resuming at offset") >= 3  # after each kill


def test_hdfs_stopped_for_20_s_is_waited_out(shopstream_bin, tmp_path, stack):
    require_kafka()
    require_hdfs()
    events = 120_000
    # Produced while the archive runs: the month's original timestamps, a day per second (30 s).
    topic, producer = generated_topic(shopstream_bin, tmp_path, events, "--speedup", "86400", background=True)
    tree = HdfsTree(f"/tests/{topic}")
    # The producer may not have created the topic yet.
    args = archive_args(shopstream_bin, topic, tree, "--roll-rows", "10000", "--roll-after", "1s",
                        "--idle-exit", "15", "--wait-for-topic")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while sum(archived_messages(tree).values()) < 10_000 and time.time() < deadline:
            assert proc.poll() is None, proc.stderr.read()[-3000:]
            time.sleep(0.2)
        assert sum(archived_messages(tree).values()) >= 10_000, "nothing reached HDFS"
        stack("down", "hdfs")
        try:
            time.sleep(20)  # the outage itself, not a wait for something
            assert proc.poll() is None, "the archive gave up during the outage: " + proc.stderr.read()[-3000:]
        finally:
            stack("up", "hdfs")
        assert producer.wait(timeout=600) == 0, producer.stderr.read()[-3000:]
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-3000:]
        assert "retrying" in err and "recovered after" in err, err[-3000:]
        with_log(err, check_every_event_once, tree, events)
    finally:
        if proc.poll() is None:
            proc.kill()
        if producer.poll() is None:
            producer.kill()
        try:
            tree.delete()
        except OSError:
            pass
