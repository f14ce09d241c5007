"""bench/run kafka: the processor reading the stack's Kafka with writing switched off beside kcat
reading the same topic, at 1 and 4 partitions; the same into the embedded stores; the latency of a
quiet stream."""
import datetime
import os
import sqlite3
import subprocess
import time

import seed_tools as st
from common import BIN, KAFKA, OUT, REPO, delete_topic, fmt, goal, row, stop_process, timed


def _kafka_discard_run(uri, group, idle):
    """`process --discard` over a topic: (wall less the idle exit, CPU seconds, peak MiB)."""
    wall, cpu, rss, _ = timed([str(BIN), "process", "--from", uri, "--group", group, "--raw",
                               f"sqlite://{OUT / 'kafka-unused.db'}", "--processed", f"sqlite://{OUT / 'kafka-unused.db'}",
                               "--idle-exit", str(idle), "--discard"])
    return wall - idle, cpu, rss


def _kafka_low_rate_latency(topic, rate, count):
    """Produce -> committed row at a rate far below the processor's, into the embedded store:
    event k's produce time interpolated over the producer's run, its commit time from the row
    count polled every 5 ms."""
    store = OUT / "kafka-latency.db"
    for f in OUT.glob(store.name + "*"):
        f.unlink()
    uri = f"kafka://{KAFKA}/{topic}"
    proc = subprocess.Popen([str(BIN), "process", "--from", uri, "--group", topic, "--wait-for-topic",
                             "--start", "latest", "--raw",
                             f"sqlite://{store}", "--processed", f"sqlite://{store}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not store.exists() or _sqlite_count(store, "processor_stats") is None:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("kafka latency: the processor did not start")
            time.sleep(0.05)
        time.sleep(2)  # the group joined, the partition assigned at its end
        watcher = st.CountWatcher(lambda: _sqlite_count(store, "operations") or 0, count, 0.005)
        wall_minus_monotonic = time.time() - time.monotonic()
        watcher.start()
        subprocess.run([str(BIN), "produce", "-i", str(OUT / "generated.csv"), "--to", uri, "--rate", str(rate),
                        "--count", str(count)], check=True, capture_output=True)
        watcher.join(timeout=60)
        watcher.stop()
        if watcher.error or watcher.done_at() is None:
            raise RuntimeError(f"kafka latency: {watcher.history[-1][1]:,} of {count:,} rows ({watcher.error})")
        # With --rate, produce stamps each event's event_time (UTC, microseconds) as it sends it, and
        # the raw store keeps it verbatim: the k-th event produced is the k-th committed (one
        # partition, in order).
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        stamps = sorted(datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S.%f").replace(
            tzinfo=datetime.timezone.utc).timestamp() for (t,) in con.execute("SELECT event_time FROM raw_operations"))
        con.close()
        latencies = [watcher.visible_at(k + 1) + wall_minus_monotonic - produced for k, produced in enumerate(stamps)]
    finally:
        stop_process(proc)
    return st.percentile(latencies, 50), st.percentile(latencies, 99)


def _sqlite_count(path, table):
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def run():
    """The processor's consume + decode + clean rate from the stack's Kafka with writing switched
    off, beside kcat reading the same topic to /dev/null (alternating, best of each), at 1 and 4
    partitions; the same into the embedded stores; the latency of a quiet stream."""
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(REPO / "scripts" / "stack"), "up", "kafka"], check=True, capture_output=True)
    events = int(os.environ.get("SHOPSTREAM_BENCH_KAFKA_EVENTS", "1000000"))
    repeats = max(1, int(os.environ.get("SHOPSTREAM_BENCH_KAFKA_REPEAT", "3")))
    data = OUT / "generated.csv"
    if not data.exists():
        timed([str(BIN), "generate", "--rows", "2000000", "--seed", "1", "-o", str(data)])
    load_before = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    run = f"{int(time.time())}-{os.getpid()}"
    rows, topics = [], []
    idle = 1
    try:
        for partitions in (1, 4):
            topic = f"bench-kafka-{run}-p{partitions}"
            topics.append(topic)
            uri = f"kafka://{KAFKA}/{topic}"
            p_wall, p_cpu, _, _ = timed([str(BIN), "produce", "-i", str(data), "--to", uri, "--rate", "max",
                                         "--count", str(events), "--partitions", str(partitions)])
            if partitions == 1:
                rows.append(row("Kafka produce --rate max, events/s", fmt(events / p_wall, " ev/s"), "", "",
                                f"{events:,} events into a new 1-partition topic of the stack's broker; "
                                f"{p_cpu:.1f} CPU s"))
            ours, kcat = [], []
            for k in range(repeats):
                counted = OUT / "kafka-kcat.out"
                with open(counted, "w") as sink:
                    start = time.perf_counter()
                    proc = subprocess.Popen(["kcat", "-C", "-b", KAFKA, "-t", topic, "-e", "-q", "-o", "beginning",
                                             "-f", "x"], stdout=sink, stderr=subprocess.DEVNULL)
                    _, status, usage = os.wait4(proc.pid, 0)
                    kcat_wall = time.perf_counter() - start
                kcat_cpu = usage.ru_utime + usage.ru_stime
                if os.waitstatus_to_exitcode(status) != 0 or counted.stat().st_size != events:
                    raise RuntimeError(f"kcat read {counted.stat().st_size:,} of {events:,} messages")
                kcat.append((kcat_wall, kcat_cpu))
                ours.append(_kafka_discard_run(uri, f"{topic}-discard-{k}", idle))
            o_wall, o_cpu, o_rss = min(ours)
            k_wall, k_cpu = min(kcat)
            ratio = o_wall / k_wall
            rate = events / o_wall
            cores = o_cpu / o_wall
            rows.append(row(
                f"Kafka process --discard, {partitions} partition{'s' if partitions > 1 else ''}: wall time, events/s",
                f"{o_wall:.2f} s, {fmt(rate, ' ev/s')} ({o_cpu:.1f} CPU s: {cores:.2f} cores busy; {o_rss:.0f} MiB)",
                f"kcat -C -e of the same topic to a pipe: {k_wall:.2f} s ({k_cpu:.1f} CPU s)",
                f"{ratio:.2f}x kcat's time; goals ≤ 1.5x: {goal(ratio <= 1.5)}, ≥ 500,000 ev/s: {goal(rate >= 5e5)}, "
                f"≥ 0.9 cores busy: {goal(cores >= 0.9)}",
                f"{events:,} events already in the topic; best of {repeats} alternating runs each (ours: "
                + ", ".join(f"{w:.2f}" for w, _, _ in ours) + " s; kcat: " + ", ".join(f"{w:.2f}" for w, _ in kcat)
                + f" s); ours from process start (group join included, kcat joins none) to exit less the {idle} s "
                "idle exit; kcat printing one byte per message, counted"))
        # Into the embedded stores, 1 partition.
        store = OUT / "kafka-store.db"
        for f in OUT.glob(store.name + "*"):
            f.unlink()
        uri = f"kafka://{KAFKA}/{topics[0]}"
        wall, cpu, rss, _ = timed([str(BIN), "process", "--from", uri, "--group", f"{topics[0]}-store",
                                   "--raw", f"sqlite://{store}", "--processed", f"sqlite://{store}",
                                   "--idle-exit", str(idle)])
        stored = _sqlite_count(store, "operations")
        if stored != events:
            raise RuntimeError(f"kafka into the embedded stores: {stored} rows of {events:,}")
        rows.append(row("Kafka process into the embedded stores, events/s", fmt(events / (wall - idle), " ev/s"),
                        "", "", f"{events:,} events of the 1-partition topic, all {stored:,} rows counted back; "
                        f"wall less the {idle} s idle exit; {cpu:.1f} CPU s, {rss:.0f} MiB peak"))
        # A quiet stream: latency produce -> committed row.
        # Quiet: the events 100 ms apart, more than the 50 ms linger, so each closes its batch.
        rate, count = 10, 200
        topic = f"bench-kafka-{run}-latency"
        topics.append(topic)
        subprocess.run([str(BIN), "produce", "-i", str(data), "--to", f"kafka://{KAFKA}/{topic}", "--count", "1",
                        "--rate", "max"], check=True, capture_output=True)  # the topic exists before the group joins
        p50, p99 = _kafka_low_rate_latency(topic, rate, count)
        rows.append(row(f"Kafka → embedded stores at a quiet {rate} ev/s: latency produce → committed row, p50 / p99",
                        f"{p50 * 1e3:,.0f} ms / {p99 * 1e3:,.0f} ms", "goal: tens of milliseconds (--linger 50ms)",
                        f"goal p99 < 100 ms: {goal(p99 < 0.1)}",
                        f"{count:,} events by `produce --rate {rate}` to a running `process` (default trigger 1 s, "
                        "linger 50 ms: a batch closes once the bus has been quiet for 50 ms, so a stream with events "
                        "closer than that waits for the trigger instead); event k's produce time is the event_time "
                        "produce stamped on it (kept verbatim by the raw store; librdkafka then lingers up to 5 ms), "
                        "its commit time from the row count polled every 5 ms"))
    finally:
        for topic in topics:
            try:
                delete_topic(topic)
            except Exception as e:  # noqa: BLE001
                print(f"  deleting topic {topic} failed: {e}")
    note = f"; {load_before} before, " + "load average {:.1f} {:.1f} {:.1f} after".format(*os.getloadavg())
    for r in rows:
        r["how"] += note
    return rows
