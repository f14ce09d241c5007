"""Two faults on the replicated cluster (`scripts/stack up cluster`) that used to stop the
pipeline, each checked by `shopstream verify`:
- kill -9 of partition leaders while `produce` runs: librdkafka 2.0.2 may fail the idempotent
  producer for good ("rewound sequence number"); `produce` makes a new producer, sends again
  what was not confirmed, and exits 0;
- SIGSTOP of the Galera node the processed store writes to: the store gives up on it after its
  short I/O timeout and goes on on another node while the node is still paused.
Opt-in like test_replicated.py: label `replicated` (SHOPSTREAM_REPLICATED=on scripts/run-tests).
The raw store is embedded (SQLite) here: these tests are about the bus and Galera."""
import json
import os
import sqlite3
import signal
import subprocess
import time

from conftest import query, run
from test_replicated import KAFKA, galera, galera_run, require_cluster, stack, wait_for_rows


def wait_for_topic(tag, producer):
    """Bounded poll until the producer has made its 6-partition topic."""
    deadline = time.monotonic() + 120
    while f'topic "{tag}" with 6 partitions' not in subprocess.run(
            ["kcat", "-L", "-b", KAFKA], capture_output=True, text=True, timeout=60).stdout:
        assert time.monotonic() < deadline and producer.poll() is None, "the producer made no topic"
        time.sleep(0.5)


def produce(shopstream_bin, sample_zip, bus, log, env, *extra):
    return subprocess.Popen([shopstream_bin, "produce", "-i", sample_zip, "--to", bus, "--loop",
                             "--partitions", "6", *(extra or ("--rate", "200"))], stdout=log,
                            stderr=subprocess.STDOUT, env=env)


def stop_producer(producer):
    """SIGTERM ends a --loop run; 143 (128 + SIGTERM) says it stopped on the signal, not a failure."""
    producer.send_signal(signal.SIGTERM)
    assert producer.wait(timeout=120) == 128 + signal.SIGTERM


def verify(shopstream_bin, bus, raw, processed, env):
    r = run([shopstream_bin, "verify", "--from", bus, "--raw", raw, "--processed", processed,
             "--json"], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["missing"] == 0 and report["duplicated"] == 0, r.stdout
    assert report["stored_once"] == report["messages"], r.stdout
    return report


def stop_all(processes):
    for p in processes:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_produce_survives_the_kill_of_partition_leaders(shopstream_bin, sample_zip, tmp_path):
    require_cluster()
    tag = f"lead_{os.getpid()}_{int(time.time())}"
    bus = f"kafka://{KAFKA}/{tag}"
    raw, processed = f"sqlite:///{tmp_path}/raw.db", f"sqlite:///{tmp_path}/processed.db"
    started = time.monotonic()
    log = open(tmp_path / "produce.log", "w")
    # A bounded run (about 200 s at this rate), so that its exit status is produce's own.
    producer = produce(shopstream_bin, sample_zip, bus, log, os.environ, "--rate", "400",
                       "--count", "80000")
    killed = []
    try:
        wait_for_topic(tag, producer)
        # Every broker leads two of the six partitions: each kill moves leaders under the
        # producer. Restarted on its own data before the next one (min.insync.replicas=2).
        for node in ("kafka-2", "kafka-3", "kafka-1"):
            stack("fault", "kill", node)
            killed.append(node)
            stack("fault", "restart", node)
            killed.remove(node)
            assert producer.poll() is None, f"produce exited with {producer.returncode}"
        assert producer.wait(timeout=600) == 0, (tmp_path / "produce.log").read_text()[-3000:]
    finally:
        stop_all([producer])
        log.close()
        for node in killed:
            stack("fault", "restart", node)
    text = (tmp_path / "produce.log").read_text()
    recoveries = text.count("making a new producer")

    r = run([shopstream_bin, "process", "--from", bus, "--group", tag, "--raw", raw,
             "--processed", processed, "--idle-exit", "10"], timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    report = verify(shopstream_bin, bus, raw, processed, os.environ)
    print(f"whole test {time.monotonic() - started:.0f} s; new producers: {recoveries}; "
          f"verify: {json.dumps(report)}")


def run_across_a_pause(shopstream_bin, sample_zip, tmp_path, tag, endpoints, env, node, flowing,
                       flowing_on):
    """`produce` and `process` (endpoints: bus, raw, processed); once `flowing(processes)` says
    the stream flows, `node` is paused (SIGSTOP) and `flowing_on(what flowing returned,
    processes)` must see it flow on within its own bound. Returns how long that took; the node is
    resumed whatever happens."""
    bus, raw, processed = endpoints
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("produce", "process")}
    producer = produce(shopstream_bin, sample_zip, bus, logs["produce"], env)
    processor = None
    paused = False
    try:
        wait_for_topic(tag, producer)
        processor = subprocess.Popen([shopstream_bin, "process", "--from", bus, "--group", tag,
                                      "--raw", raw, "--processed", processed, "--idle-exit", "20"],
                                     stdout=logs["process"], stderr=subprocess.STDOUT, env=env)
        state = flowing([producer, processor])
        stack("fault", "pause", node)
        paused = True
        paused_at = time.monotonic()
        flowing_on(state, [producer, processor])
        resumed = time.monotonic() - paused_at
        stack("fault", "resume", node)
        paused = False
        stop_producer(producer)
        assert processor.wait(timeout=600) == 0
    finally:
        stop_all([p for p in (producer, processor) if p])
        for f in logs.values():
            f.close()
        if paused:
            stack("fault", "resume", node)
    return resumed


def test_a_paused_galera_node_stalls_the_store_for_seconds_only(shopstream_bin, sample_zip, tmp_path):
    require_cluster()
    tag, database, env, bus, processed = galera_run("gpause")
    raw = f"sqlite:///{tmp_path}/raw.db"
    # galera-1 is the node the store's first connection uses. The client's old 60 s I/O
    # timeout, plus the group's eviction of the node, would not fit in the 45 s bound; the
    # store must go on while the node is still paused.
    resumed = run_across_a_pause(
        shopstream_bin, sample_zip, tmp_path, tag, (bus, raw, processed), env, "galera-1",
        flowing=lambda procs: wait_for_rows(database, 500, 180, procs),
        flowing_on=lambda n, procs: wait_for_rows(database, n + 300, 45, procs))
    report = verify(shopstream_bin, bus, raw, processed, env)
    print(f"300 more rows {resumed:.1f} s after galera-1's pause; verify: {json.dumps(report)}")
    galera(f"DROP DATABASE IF EXISTS {database}")


def offsets(path):
    """The embedded processed store's next offset of each partition ({} before it has any)."""
    try:
        return dict(query(path, "SELECT partition, next_offset FROM stream_offsets"))
    except sqlite3.OperationalError:
        return {}  # not created yet, or busy


def wait_for_every_partition(path, beyond, timeout, processes):
    """Bounded poll: until each of the 6 partitions is stored beyond `beyond`'s offset by 50."""
    deadline = time.monotonic() + timeout
    now = {}
    while time.monotonic() < deadline:
        for p in processes:
            assert p.poll() is None, f"{p.args[1]} exited with {p.returncode}"
        now = offsets(path)
        if len(now) == 6 and all(now[p] >= beyond.get(p, 0) + 50 for p in now):
            return now
        time.sleep(0.5)
    raise AssertionError(f"not every partition moved on within {timeout} s: {beyond} -> {now}")


def test_a_paused_broker_stalls_the_stream_for_seconds_only(shopstream_bin, sample_zip, tmp_path):
    require_cluster()
    tag = f"kpause_{os.getpid()}_{int(time.time())}"
    bus = f"kafka://{KAFKA}/{tag}"
    raw, processed = f"sqlite:///{tmp_path}/raw.db", f"sqlite:///{tmp_path}/processed.db"
    store = tmp_path / "processed.db"
    # kafka-2 leads two of the six partitions (and maybe the group's coordinator); the others
    # flow on regardless, hence a bound on every partition. The cluster fences the paused
    # broker after 9 s; librdkafka's default 60 s socket timeout kept the producer's and
    # consumer's requests waiting on it beyond this bound.
    resumed = run_across_a_pause(
        shopstream_bin, sample_zip, tmp_path, tag, (bus, raw, processed), os.environ, "kafka-2",
        flowing=lambda procs: wait_for_every_partition(store, {}, 180, procs),
        flowing_on=lambda before, procs: wait_for_every_partition(store, before, 45, procs))
    report = verify(shopstream_bin, bus, raw, processed, os.environ)
    print(f"every partition 50 further {resumed:.1f} s after kafka-2's pause; verify: {json.dumps(report)}")
