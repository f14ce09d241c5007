"""bench/run month: the whole month (67.5M events) through the embedded pipeline, produce and
process at once, rows counted back; then the dashboard's API on the resulting store under wrk."""
import os
import shutil
import sqlite3
import subprocess
import threading
import time
import urllib.request

from api_load import page_paths, serve, wrk_latency
from common import BIN, NOV_2019_EVENTS, OUT, fmt, goal, row, timed


def _file_bytes(path):
    """A SQLite file with its write-ahead log and shared memory."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.exists())


def run():
    """`produce --rate max` into the embedded log (retention on) and `process` into the embedded
    stores at once, for the whole month; rows counted back; then the dashboard's API on the
    resulting store under wrk."""
    n = int(os.environ.get("SHOPSTREAM_BENCH_MONTH_ROWS", str(NOV_2019_EVENTS)))
    # The log keeps this many messages: more than the producer gets ahead of the processor, which
    # on 2 shared cores is about 40M at the month's end (--rate max: produce is the faster).
    retain = int(os.environ.get("SHOPSTREAM_BENCH_MONTH_RETAIN", "45000000"))
    idle = 5.0
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"month-{n}.csv"
    if not data.exists():
        print(f"  shopstream generate --rows {n:,} -> {data.name}", flush=True)
        timed([str(BIN), "generate", "--rows", str(n), "--seed", "1", "-o", str(data) + ".csv"])
        os.rename(str(data) + ".csv", data)
    log, store = OUT / "month-log.db", OUT / "month-store.db"
    for f in list(OUT.glob("month-log.db*")) + list(OUT.glob("month-store.db*")):
        f.unlink()
    load_before = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    peak = {"log": 0, "store": 0}
    done = threading.Event()
    procs, short_of_disk = [], []
    min_free = int(os.environ.get("SHOPSTREAM_BENCH_MIN_FREE_GB", "8")) * 10**9

    def watch_disk():
        while not done.wait(2.0):
            peak["log"] = max(peak["log"], _file_bytes(log))
            peak["store"] = max(peak["store"], _file_bytes(store))
            # The disk is shared: stop before it fills, rather than fill it for everyone.
            if shutil.disk_usage(OUT).free < min_free and not short_of_disk:
                short_of_disk.append(shutil.disk_usage(OUT).free)
                for p in procs:
                    p.kill()

    watcher = threading.Thread(target=watch_disk, daemon=True)
    watcher.start()
    consumer_err = open(OUT / "month-process.log", "w")
    print(f"  process + produce --rate max, {n:,} events, log retention {retain:,}", flush=True)
    start = time.perf_counter()
    consumer = subprocess.Popen([str(BIN), "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
                                 "--processed", f"sqlite://{store}", "--idle-exit", str(idle)],
                                stdout=subprocess.DEVNULL, stderr=consumer_err)
    producer = subprocess.Popen([str(BIN), "produce", "-i", str(data), "--to", f"sqlite://{log}?retain={retain}",
                                 "--rate", "max"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    procs.extend([consumer, producer])
    _, p_status, p_usage = os.wait4(producer.pid, 0)
    p_wall = time.perf_counter() - start
    p_err = producer.stderr.read()
    _, c_status, c_usage = os.wait4(consumer.pid, 0)
    wall = time.perf_counter() - start - idle
    done.set()
    watcher.join()
    consumer_err.close()
    if short_of_disk:
        raise RuntimeError(f"month: stopped with {short_of_disk[0] / 1e9:.1f} GB left on the disk")
    if os.waitstatus_to_exitcode(p_status) != 0 or os.waitstatus_to_exitcode(c_status) != 0:
        raise RuntimeError(f"month: produce exited {os.waitstatus_to_exitcode(p_status)} ({p_err[-500:]}), "
                           f"process {os.waitstatus_to_exitcode(c_status)} (bench/out/month-process.log)")
    peak["log"] = max(peak["log"], _file_bytes(log))
    peak["store"] = max(peak["store"], _file_bytes(store))
    con = sqlite3.connect(store)
    rows = con.execute("SELECT COUNT(*) FROM operations").fetchone()[0]
    raw = con.execute("SELECT COUNT(*) FROM raw_operations").fetchone()[0]
    dead = con.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0]
    counted = con.execute("SELECT SUM(events) FROM rollup_day").fetchone()[0]
    con.close()
    if rows != n or raw != n or counted != n:
        raise RuntimeError(f"month: {rows:,} rows, {raw:,} raw rows, {counted:,} events in the rollups "
                           f"of {n:,} ({dead:,} dead letters; a log trimmed before it was read?)")
    log_bytes, store_bytes = _file_bytes(log), _file_bytes(store)
    load_after = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())

    paths = page_paths()
    api = {}
    for mode, extra, clients in (("computed", ["--no-cache"], 1), ("cached", [], 8)):
        proc, url = serve(f"sqlite://{store}", dict(os.environ), *extra)
        try:
            for path in paths:
                urllib.request.urlopen(url + path, timeout=600).read()
            api[mode] = wrk_latency(url, paths, 10, clients)
        finally:
            proc.terminate()
            proc.wait()
    how = (f"{n:,} generated events (2019-Nov shape, {data.stat().st_size / 1e9:.1f} GB of CSV, page cache "
           f"cold or warm as the machine had it); `produce --rate max` into `sqlite://...?retain={retain}` and "
           f"`process` into one SQLite store file started together on 2 cores; wall until the last row was "
           f"committed (the {idle:.0f} s idle exit taken off); every row counted back ({rows:,} rows, {raw:,} "
           f"raw rows, {counted:,} events in the rollups); {load_before} before, {load_after} after")
    minutes = wall / 60
    return [
        row("the whole month through the embedded pipeline, wall time", f"{minutes:,.1f} min ({fmt(n / wall, ' ev/s')})",
            "goal < 10 min (issue 21)", f"goal: {goal(minutes < 10)}",
            how + f"; produce alone took {p_wall / 60:,.1f} min ({p_usage.ru_utime + p_usage.ru_stime:,.0f} CPU s), "
            f"process {c_usage.ru_utime + c_usage.ru_stime:,.0f} CPU s"),
        row("the whole month: peak resident memory of each process",
            f"process {c_usage.ru_maxrss / 1024:,.0f} MiB, produce {p_usage.ru_maxrss / 1024:,.0f} MiB",
            "goal < 100 MiB each", f"goal: {goal(max(c_usage.ru_maxrss, p_usage.ru_maxrss) / 1024 < 100)}",
            "ru_maxrss of each process over the whole run"),
        row("the whole month: bytes on disk per event",
            f"store {store_bytes / n:,.0f} B/event ({store_bytes / 1e9:,.1f} GB: raw rows, cleaned rows, rollups); "
            f"log {peak['log'] / min(n, retain):,.0f} B per retained message at its peak ({peak['log'] / 1e9:,.1f} GB, "
            f"{log_bytes / 1e9:,.1f} GB at the end)", f"the CSV: {data.stat().st_size / n:,.0f} B/event", "",
            f"file sizes with their -wal and -shm, sampled every 2 s; the log keeps the newest {retain:,} messages"),
    ] + [
        row(f"dashboard API on the month's store, {mode}: latency p50 / p99",
            f"{p50:,.2f} ms / {p99:,.2f} ms ({rate:,.0f} req/s, {count:,} requests)", "goal p99 ≤ 50 ms",
            f"goal: {goal(p99 <= 50)}",
            f"`shopstream serve{' --no-cache' if mode == 'computed' else ''}` on the store above under wrk "
            f"({8 if mode == 'cached' else 1} connection(s), 10 s) cycling over the {len(paths)} requests of one "
            "page refresh (All time)")
        for mode, (p50, p99, rate, count) in api.items()
    ]
