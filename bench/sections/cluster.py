"""bench/run cluster: Kafka into Cassandra + MariaDB, the month's first events at their real
density with every server's CPU, then a steady 5,000 ev/s with its latency, and the processor's
peak memory."""
import os
import pathlib
import subprocess
import time

import seed_tools as st
from common import (BIN, KAFKA, NOV_2019_EVENTS, OUT, REPO, STORES_CASSANDRA, STORES_MYSQL, create_tables,
                    delete_topic, fmt, generate_at_real_rate, goal, produce_latencies, row, stack_up, stop_process,
                    stores_env, timed)


def _cpu_seconds(pid):
    """utime + stime of one process (all its threads), from /proc."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / st.CLK_TCK


def _stack_pids():
    pids = {}
    for name in ("kafka", "cassandra", "mariadb"):
        f = REPO / ".cache" / "run" / f"{name}.pid"
        if f.exists():
            pids[name] = int(f.read_text().split()[0])
    return pids


def run():
    """The month's first N events (real density: a day's worth per 2.2M) through Kafka into
    Cassandra + MariaDB with the CPU of every server over the run, then a steady 5,000 ev/s
    with its latency produce -> committed row, and the processor's peak memory."""
    stack_up("kafka", "cassandra", "mariadb")
    n = int(os.environ.get("SHOPSTREAM_BENCH_CLUSTER_EVENTS", "1000000"))
    rate = int(os.environ.get("SHOPSTREAM_BENCH_CLUSTER_RATE", "5000"))
    steady_seconds = int(os.environ.get("SHOPSTREAM_BENCH_CLUSTER_STEADY_SECONDS", "30"))
    month = OUT / f"month-{NOV_2019_EVENTS}.csv"
    data = OUT / f"cluster-{n}.csv"
    if not data.exists():
        if month.exists():  # the month's first n rows: the real month's density of events
            with open(month) as inp, open(str(data) + ".part", "w") as out:
                for i, line in enumerate(inp):
                    if i > n:
                        break
                    out.write(line)
            os.rename(str(data) + ".part", data)
        else:
            generate_at_real_rate(data, n, 5)
    run = f"{int(time.time())}_{os.getpid()}"
    db, keyspace, topic = f"ecommerce_test_cluster_{run}", f"bench_cluster_{run}", f"bench-cluster-{run}"
    raw, processed = f"{STORES_CASSANDRA}/{keyspace}.operations", f"{STORES_MYSQL}/{db}.operations"
    env = stores_env()
    mysql = st.MariaDB("information_schema")
    cassandra = st.Cassandra()
    load_before = st.load_average()
    rows = []
    try:
        mysql.execute(f"CREATE DATABASE {db}")
        st.say(f"shopstream produce --rate max --count {n:,} -> {topic} (4 partitions)")
        timed([str(BIN), "produce", "-i", str(data), "--to", f"kafka://{KAFKA}/{topic}", "--rate", "max",
               "--count", str(n), "--partitions", "4"])
        create_tables(raw, processed, env, "cluster")
        mysql.execute(f"USE {db}")
        servers = _stack_pids()
        cpu0 = {name: _cpu_seconds(pid) for name, pid in servers.items()}
        st.say(f"shopstream process --from kafka://{KAFKA}/{topic} --raw {raw} --processed {processed}")
        log = open(OUT / "cluster-process.log", "w")
        start = time.perf_counter()
        proc = subprocess.Popen([str(BIN), "process", "--from", f"kafka://{KAFKA}/{topic}", "--group", topic,
                                 "--raw", raw, "--processed", processed], stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            committed = lambda: int(mysql.query_one("SELECT COALESCE(SUM(events), 0) FROM processor_stats") or 0)
            done = None
            while done is None:
                if committed() >= n:
                    done = time.perf_counter() - start
                elif proc.poll() is not None:
                    raise RuntimeError(f"cluster: process exited ({proc.returncode}), bench/out/cluster-process.log")
                else:
                    time.sleep(0.05)
            ours_cpu = _cpu_seconds(proc.pid)
            cores = {name: (_cpu_seconds(pid) - cpu0[name]) / done for name, pid in servers.items()}
            cores["shopstream process"] = ours_cpu / done
            # Steady: `rate` events per second for `steady_seconds`, the processor already running.
            m = rate * steady_seconds

            def steady(already):
                # Committed events from processor_stats (one row, written in each batch's transaction
                # with its rows): a COUNT(*) over a million rows would take longer than the latency.
                watcher = st.CountWatcher(committed, already + m, 0.02)
                watcher.start()
                st.say(f"shopstream produce --rate {rate} --count {m:,} -> {topic}, the processor running")
                p0 = time.monotonic()
                subprocess.run([str(BIN), "produce", "-i", str(data), "--to", f"kafka://{KAFKA}/{topic}", "--rate",
                                str(rate), "--count", str(m), "--loop"], check=True, capture_output=True)
                p1 = time.monotonic()
                watcher.join(timeout=120)
                watcher.stop()
                if watcher.error or watcher.done_at() is None:
                    raise RuntimeError(f"cluster steady: {watcher.history[-1][1] - already:,} of {m:,} rows "
                                       f"({watcher.error})")
                return produce_latencies(watcher, already, m, p0, p1)

            latencies = steady(n)
            rss = st.tree_peak_rss_mib(proc.pid)
        finally:
            stop_process(proc)
            log.close()
        # The same steady phase with a shorter trigger, from a fresh processor that resumes where the
        # first stopped: only the steady state is in its peak memory.
        st.say("the same with --trigger 250ms")
        log = open(OUT / "cluster-process-250ms.log", "w")
        proc = subprocess.Popen([str(BIN), "process", "--from", f"kafka://{KAFKA}/{topic}", "--group", topic,
                                 "--raw", raw, "--processed", processed, "--trigger", "250ms"],
                                stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            time.sleep(5)  # the group joined and the partitions assigned
            latencies_short = steady(n + m)
            rss_steady = st.tree_peak_rss_mib(proc.pid)
        finally:
            stop_process(proc)
            log.close()
        m_total = 2 * m
        stored = [int(mysql.query_one("SELECT COUNT(*) FROM operations")), cassandra.count(f"{keyspace}.operations")]
        if stored != [n + m_total, n + m_total]:
            raise RuntimeError(f"cluster: {stored[0]:,} rows in MariaDB, {stored[1]:,} in Cassandra, of "
                               f"{n + m_total:,}")
        busiest = max((c, name) for name, c in cores.items() if name != "shopstream process")
        share = ", ".join(f"{name} {c:.2f}" for name, c in sorted(cores.items(), key=lambda kv: -kv[1]))
        how = (f"{n:,} events of the generated month's first hours (its real density) already in a new 4-partition "
               f"topic; `shopstream process` from start (group join included) until processor_stats counted all "
               f"{n:,} (raw rows are written before each commit); both stores counted back ({stored[0]:,} rows "
               f"each, the steady phase's included); cores = CPU seconds of each server's process over the run / "
               f"wall; {load_before} before, {st.load_average()} after")
        rows.append(row("Kafka → Cassandra + MariaDB, the month's first events, events/s",
                        f"{fmt(n / done, ' ev/s')} ({done:.1f} s)",
                        f"cores busy: {share}",
                        f"bottleneck: {busiest[1]} at {busiest[0]:.2f} cores of 2",
                        how))
        rows.append(row(f"Kafka → Cassandra + MariaDB at a steady {rate:,} ev/s: latency produce → committed "
                        "row, p50 / p99",
                        f"{st.percentile(latencies, 50):.2f} s / {st.percentile(latencies, 99):.2f} s",
                        "goal p99 < 1 s", f"goal: {goal(st.percentile(latencies, 99) < 1)}",
                        f"{m:,} events by `produce --rate {rate}` ({steady_seconds} s) after the backlog above, to the "
                        "same running processor (default trigger 1 s, linger 50 ms); event k's produce time "
                        "interpolated over the producer's run, committed time from processor_stats' count of "
                        "committed events (the same transaction as the rows) polled every 20 ms"))
        rows.append(row(f"the same at {rate:,} ev/s with `--trigger 250ms`: latency produce → committed row, "
                        "p50 / p99",
                        f"{st.percentile(latencies_short, 50):.2f} s / {st.percentile(latencies_short, 99):.2f} s",
                        "goal p99 < 1 s", f"goal: {goal(st.percentile(latencies_short, 99) < 1)}",
                        f"{m:,} more events the same way, to a new processor with a 250 ms trigger (a batch of a "
                        "stream that is never quiet for the 50 ms linger closes after the trigger)"))
        rows.append(row("Kafka → Cassandra + MariaDB: peak resident memory of the processor",
                        f"{fmt(rss_steady, ' MiB')} in the steady state; {fmt(rss, ' MiB')} through a backlog of "
                        f"{n:,} (4 partitions, full batches)",
                        "the original Spark job (JVM + Python driver): 775 MiB, measured 2026-11-28 (bench/run stream)",
                        f"{775 / rss_steady:.1f}x / {775 / rss:.1f}x less; goal ≥ 10x: {goal(775 / rss_steady >= 10)} "
                        f"in the steady state, {goal(775 / rss >= 10)} through the backlog",
                        "VmHWM of each processor: the first after the backlog and a steady phase, the second (250 ms "
                        "trigger) after a steady phase only; the Spark job was not run again here (its comparison, "
                        "bench/run stream, takes the machine for ten minutes)"))
    finally:
        for what, drop in ((db, lambda: mysql.execute(f"DROP DATABASE IF EXISTS {db}")),
                           (keyspace, lambda: cassandra.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")),
                           (topic, lambda: delete_topic(topic)), ("mariadb client", mysql.close),
                           ("cassandra session", cassandra.close)):
            try:
                drop()
            except Exception as e:  # noqa: BLE001
                st.say(f"cleaning up {what} failed: {e}")
    return rows
