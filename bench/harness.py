"""Benchmark harness: each section measures shopstream beside a reference in the same run,
stores its figures in docs/bench/SECTION.json, and docs/BENCHMARKS.md is rendered from all
stored sections (so a section re-run on its own keeps the others)."""
import datetime
import json
import os
import pathlib
import platform
import re
import resource
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
BUILD = pathlib.Path(os.environ.get("SHOPSTREAM_BENCH_BUILD", REPO / "build"))
BIN = BUILD / "src" / "cli" / "shopstream"
OUT = REPO / "bench" / "out"
RESULTS = REPO / "docs" / "bench"
SAMPLE_ZIP = REPO.parent / "shared" / "data" / "2019-Nov_10KSample.zip"


def machine():
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(re.search(r"MemTotal:\s+(\d+)", pathlib.Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}"


def timed(args, **kwargs):
    """Runs a command; returns (wall seconds, cpu seconds, max RSS MiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({proc.returncode}): {err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def row(what, ours, reference, ratio, how):
    return {"what": what, "ours": ours, "reference": reference, "ratio": ratio, "how": how}


def fmt(n, unit=""):
    return f"{n:,.0f}{unit}" if n >= 100 else f"{n:,.2f}{unit}"


# Allocator functions as perf names them (glibc's malloc and free and their helpers, SQLite's
# wrappers of them, C++'s operator new and delete).
ALLOCATOR_SYMBOLS = re.compile(r"^(malloc|free|cfree@\S*|_int_malloc|_int_free|_int_realloc|realloc|calloc|"
                               r"malloc_consolidate|unlink_chunk\S*|tcache\S*|sqlite3Malloc\S*|sqlite3_free|"
                               r"sqlite3DbFree\S*|sqlite3_malloc\S*|sqlite3MemMalloc|sqlite3MemFree|operator new\S*|"
                               r"operator delete\S*)$")


def _embedded_profile(log, store, events):
    """perf's view of one more `process` run: the allocator's share of the samples and the top
    symbols, for the notes. None where perf cannot sample."""
    import shutil
    if not shutil.which("perf"):
        return None
    for p in OUT.glob("e2e-store*"):
        p.unlink()
    data = OUT / "e2e-perf.data"
    rec = subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", "999", "-o", str(data), "--", str(BIN), "process",
                          "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}", "--processed",
                          f"sqlite://{store}", "--idle-exit", "0.5"], capture_output=True, text=True)
    if rec.returncode != 0:
        return None
    report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort", "symbol", "--stdio",
                             "-g", "none"], capture_output=True, text=True).stdout
    shares = []
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+\[[.k]\]\s+(.+?)\s*$", line)
        if m:
            shares.append((float(m.group(1)), m.group(2).split("  ")[0].strip()))
    allocator = sum(p for p, name in shares if ALLOCATOR_SYMBOLS.match(name) and not name.startswith("sqlite3"))
    wrappers = sum(p for p, name in shares if ALLOCATOR_SYMBOLS.match(name) and name.startswith("sqlite3"))
    top = "; ".join(f"{p:.1f}% {name[:60]}" for p, name in shares[:12])
    return row("embedded process: malloc/free's share of CPU samples (perf)",
               f"{allocator:.1f} % (and {wrappers:.1f} % in SQLite's wrappers of them)",
               "goal < 5 %", f"goal: {goal(allocator < 5)}",
               f"perf record -e cpu-clock -F 999 of one more run over the same {events:,} events, all threads; "
               f"glibc's malloc, free and their helpers (malloc_consolidate, unlink_chunk...) and operator "
               f"new/delete summed, SQLite's sqlite3Malloc/sqlite3_free apart; the top symbols: {top}")


def section_embedded():
    import sqlite3
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    gen_rows = int(os.environ.get("SHOPSTREAM_BENCH_ROWS", "2000000"))
    data = OUT / "generated.csv"

    wall, cpu, _, _ = timed([str(BIN), "generate", "--rows", str(gen_rows), "--seed", "1", "-o", str(data)])
    size_mb = data.stat().st_size / 1e6
    wc_wall, _, _, _ = timed(["wc", "-l", str(data)])
    rows.append(row("generate rows/s (.csv, one core)", fmt(gen_rows / wall, " rows/s"),
                    f"`wc -l` reads the output at {fmt(size_mb / wc_wall, ' MB/s')}",
                    "goal ≥ 1M rows/s: " + ("met" if gen_rows / wall >= 1e6 else "NOT met"),
                    f"`shopstream generate --rows {gen_rows:,}` to a {size_mb:,.0f} MB file"))

    scan_wall, _, _, scan_out = timed([str(BUILD / "bench" / "csv_scan"), str(data)])
    scan_mbs = float(re.search(r"mb_per_s=([\d.]+)", scan_out).group(1))
    wc_wall, _, _, _ = timed(["wc", "-l", str(data)])
    rows.append(row("CSV parsing MB/s per core (to Events)", fmt(scan_mbs, " MB/s"),
                    f"`wc -l`: {fmt(size_mb / wc_wall, ' MB/s')}", f"{scan_mbs / (size_mb / wc_wall):.2f}x of wc -l",
                    "bench/csv_scan over the generated file, page cache warm, same run"))

    _, _, _, bench_out = timed([str(BUILD / "bench" / "codec_bench"), "--benchmark_format=json",
                                "--benchmark_min_time=1", "--benchmark_repetitions=3",
                                "--benchmark_report_aggregates_only=true"])
    results = {b["name"]: b for b in json.loads(bench_out)["benchmarks"]}
    simdjson_rate = results["BM_SimdjsonParse_median"]["items_per_second"]
    for name, label, target in (("BM_Decode", "JSON decode", None),
                                ("BM_DecodeAndClean", "JSON decode + cleaning (the event contract included)", 1.5e6)):
        rate = results[name + "_median"]["items_per_second"]
        rows.append(row(f"{label}, events/s per core", fmt(rate, " ev/s"),
                        f"simdjson's DOM parse of the same messages, nothing read out: {fmt(simdjson_rate, ' ev/s')}",
                        f"{rate / simdjson_rate:.2f}x of simdjson's bare parse"
                        + (f"; goal ≥ 1.5M ev/s: {goal(rate >= target)}" if target else ""),
                        "Google Benchmark (bench/codec_bench), median of 3 repetitions of CPU time, on the 10K "
                        "sample's rows as seed-format messages (a third with bare NaN tokens, which simdjson's "
                        "reference gets as null); decode into a reused Event, clean into a reused row, as the "
                        "processor's batches do"))

    events = int(os.environ.get("SHOPSTREAM_BENCH_EVENTS", "1000000"))
    log, store = OUT / "e2e-log.db", OUT / "e2e-store.db"
    for p in OUT.glob("e2e-*"):
        p.unlink()
    p_wall, _, _, _ = timed([str(BIN), "produce", "-i", str(data), "--to", f"sqlite://{log}",
                             "--rate", "max", "--count", str(events)])
    c_wall, c_cpu, c_rss, _ = timed([str(BIN), "process", "--from", f"sqlite://{log}",
                                     "--raw", f"sqlite://{store}", "--processed", f"sqlite://{store}",
                                     "--idle-exit", "0.5"])
    c_rate = events / max(c_wall - 0.5, 1e-9)
    _, _, _, ref_out = timed([str(BUILD / "bench" / "sqlite_insert_reference"), str(log), str(OUT / "e2e-ref.db")])
    ref_rate = float(re.search(r"rows_per_s=([\d.]+)", ref_out).group(1))
    # The same run again, twice each, alternating, so that a loaded machine disturbs both alike.
    c_runs, ref_runs = [c_rate], [ref_rate]
    for _ in range(2):
        for p in OUT.glob("e2e-store*"):
            p.unlink()
        w, _, _, _ = timed([str(BIN), "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
                            "--processed", f"sqlite://{store}", "--idle-exit", "0.5"])
        c_runs.append(events / max(w - 0.5, 1e-9))
        _, _, _, ref_out = timed([str(BUILD / "bench" / "sqlite_insert_reference"), str(log),
                                  str(OUT / "e2e-ref.db")])
        ref_runs.append(float(re.search(r"rows_per_s=([\d.]+)", ref_out).group(1)))
    stored = sqlite3.connect(store).execute("SELECT COUNT(*) FROM operations").fetchone()[0]
    if stored != events:
        raise RuntimeError(f"embedded process: {stored} rows stored of {events}")
    c_rate, ref_rate = max(c_runs), max(ref_runs)
    profile_row = _embedded_profile(log, store, events)
    rows.append(row("embedded produce --rate max, events/s", fmt(events / p_wall, " ev/s"), "", "",
                    f"{events:,} events from the generated file into the SQLite log"))
    rows.append(row("embedded process, events/s (raw + cleaned + rollups + offsets)",
                    fmt(c_rate, " ev/s"), f"SQLite alone inserting the raw rows: {fmt(ref_rate, ' rows/s')}",
                    f"{c_rate / ref_rate:.2f}x of SQLite's raw insert rate; goals ≥ 0.6x: {goal(c_rate >= 0.6 * ref_rate)}, "
                    f"≥ 100,000 ev/s: {goal(c_rate >= 1e5)}",
                    f"{events:,} events already in the log, raw and processed stores in one SQLite file; wall time "
                    f"less the 0.5 s idle exit; best of 3 runs each, alternating (ours: "
                    + ", ".join(fmt(r) for r in c_runs) + "; reference: " + ", ".join(fmt(r) for r in ref_runs)
                    + f"); {c_cpu:.1f} CPU s in the first; all {stored:,} rows counted; "
                    "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())))
    if profile_row:
        rows.append(profile_row)
    rows.append(row("embedded process, peak resident memory", fmt(c_rss, " MiB"), "goal < 100 MiB",
                    "met" if c_rss < 100 else "NOT met", "ru_maxrss of the process"))

    for p in OUT.glob("e2e-*"):
        p.unlink()
    start = time.perf_counter()
    # A generous idle limit, so that the consumer cannot stop before the producer's first rows.
    idle = 3.0
    consumer = subprocess.Popen([str(BIN), "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
                                 "--processed", f"sqlite://{store}", "--idle-exit", str(idle)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([str(BIN), "produce", "-i", str(data), "--to", f"sqlite://{log}", "--rate", "max",
                    "--count", str(events)], check=True, capture_output=True)
    consumer.wait()
    both = time.perf_counter() - start - idle
    import sqlite3
    stored = sqlite3.connect(store).execute("SELECT count(*) FROM operations").fetchone()[0]
    if stored != events:
        raise RuntimeError(f"end to end: {stored} rows stored of {events} events")
    rows.append(row("embedded end to end, produce and process at once, events/s", fmt(events / both, " ev/s"),
                    "", "goal ≥ 100,000 ev/s: " + ("met" if events / both >= 1e5 else "NOT met"),
                    f"{events:,} events, both processes started together on 2 cores; until the last row is "
                    f"committed (all {stored:,} rows checked), wall less the {idle:.0f} s idle exit"))
    return rows


# --- Comparisons with the original system (../shared/seed): its scripts run unchanged, in place.
SEED_FRACTION = "0.000148"
KAFKA = "127.0.0.1:9092"


def goal(ok):
    return "met" if ok else "NOT met"


def stack_up(*services):
    import seed_tools as st
    st.say(f"scripts/stack up {' '.join(services)} (reuses servers that are already running)")
    for service in services:
        subprocess.run([str(REPO / "scripts" / "stack"), "up", service], check=True, capture_output=True)


def section_sampling():
    """The seed's first step: PySpark sampleBy over the month's CSV, against shopstream sample
    and against `wc -l` reading the same file."""
    import seed_tools as st
    OUT.mkdir(parents=True, exist_ok=True)
    n = int(os.environ.get("SHOPSTREAM_BENCH_SAMPLE_ROWS", "70000000"))
    data = OUT / f"nov-{n}.csv"
    if not data.exists():
        st.say(f"shopstream generate --rows {n:,} (2019-Nov shape) -> {data.name}")
        timed([str(BIN), "generate", "--rows", str(n), "--seed", "1", "-o", str(data) + ".part"])
        os.rename(str(data) + ".part", data)
    size_mb = data.stat().st_size / 1e6
    python = st.reference_python()
    load_before = st.load_average()

    st.say(f"wc -l over {size_mb:,.0f} MB (twice: the first warms the page cache)")
    timed(["wc", "-l", str(data)])
    wc_wall, wc_cpu, _, _ = timed(["wc", "-l", str(data)])

    ours_out = OUT / "sample-ours.csv"
    st.say(f"shopstream sample --by event_type --fraction {SEED_FRACTION} --seed 10")
    ours_wall, ours_cpu, ours_rss, _ = timed([str(BIN), "sample", "-i", str(data), "--by", "event_type",
                                              "--fraction", SEED_FRACTION, "--seed", "10", "-o", str(ours_out)])
    ours_rows = sum(1 for _ in open(ours_out)) - 1

    st.say("PySpark: spark.read.csv(header=True).sampleBy('event_type', 0.000148 each, seed=10), written as CSV")
    spark_wall, _, _, spark_out = timed([str(python), str(st.REFERENCE / "pyspark_sample_by.py"), str(data),
                                         str(OUT / "sample-spark")], env=st.reference_env(python))
    spark_rows = int(re.search(r"rows_out=(\d+)", spark_out).group(1))
    how = (f"{n:,} generated rows, {size_mb:,.0f} MB, page cache warm; {load_before} before, "
           f"{st.load_average()} after")
    wc_rate, ours_rate = size_mb / wc_wall, size_mb / ours_wall
    return [
        row("sample the month like the seed (sampleBy event_type 0.000148, seed 10), wall seconds",
            f"{ours_wall:,.1f} s ({ours_rows:,} rows kept, {ours_cpu:,.1f} CPU s, {ours_rss:,.0f} MiB)",
            f"PySpark 3.5 local[*]: {spark_wall:,.1f} s ({spark_rows:,} rows kept; JVM start included)",
            f"{spark_wall / ours_wall:,.1f}x faster; goal ≥ 20x: {goal(spark_wall / ours_wall >= 20)}", how),
        row("sampling scan rate, MB/s (wall; CPU seconds in brackets)", f"{fmt(ours_rate, ' MB/s')} ({ours_cpu:,.1f} CPU s)",
            f"`wc -l`: {fmt(wc_rate, ' MB/s')} ({wc_cpu:,.1f} CPU s)",
            f"{ours_rate / wc_rate:.2f}x of wc -l; goal ≥ 0.5x: {goal(ours_rate / wc_rate >= 0.5)}", how),
    ]


def section_producer():
    """The seed producer's per-message work without its sleep, against shopstream produce."""
    import seed_tools as st
    stack_up("kafka")
    python = st.reference_python()
    n = int(os.environ.get("SHOPSTREAM_BENCH_PRODUCE_COUNT", "20000"))
    n_faithful = min(n, int(os.environ.get("SHOPSTREAM_BENCH_FAITHFUL_COUNT", "1000")))
    run = f"{int(time.time())}-{os.getpid()}"
    driver = st.REFERENCE / "seed_producer_driver.py"
    load_before = st.load_average()

    st.say(f"shopstream produce --rate max --count {n:,} --loop (10K sample) -> Kafka")
    ours_wall, ours_cpu, ours_rss, _ = timed([str(BIN), "produce", "-i", str(st.SAMPLE_ZIP), "--to",
                                              f"kafka://{KAFKA}/bench-ours-{run}", "--rate", "max",
                                              "--count", str(n), "--loop"])
    st.say(f"seed logic under kafka-python: {n:,} messages (uuid1 per sampled row)")
    _, _, _, out = timed([str(python), str(driver), KAFKA, f"bench-seed-{run}", str(n), str(st.SAMPLE_ZIP)],
                         env=st.reference_env(python))
    seed_s = float(re.search(r"seconds=([\d.]+)", out).group(1))
    st.say(f"seed logic as written (uuid1 over the whole frame each round, print): {n_faithful:,} messages")
    _, _, _, out = timed([str(python), str(driver), KAFKA, f"bench-seed-faithful-{run}", str(n_faithful),
                          str(st.SAMPLE_ZIP), "--faithful"], env=st.reference_env(python))
    faithful_s = float(re.search(r"seconds=([\d.]+)", out).group(1))
    ours_rate, seed_rate, faithful_rate = n / ours_wall, n / seed_s, n_faithful / faithful_s
    how = (f"same broker (scripts/stack Kafka, acks as each client defaults), new 1-partition topics; ours timed "
           f"start to exit (CSV read, topic creation, flush included), theirs from first send to flush; "
           f"{load_before} before, {st.load_average()} after")
    return [
        row("producer, messages/s (seed's per-message work, no sleep)",
            f"{fmt(ours_rate, ' msg/s')} ({n:,} msgs, {ours_cpu:,.1f} CPU s, {ours_rss:,.0f} MiB)",
            f"pandas sample + uuid1 + json.dumps + KafkaProducer.send: {fmt(seed_rate, ' msg/s')} ({n:,} msgs)",
            f"{ours_rate / seed_rate:,.1f}x; goal ≥ 20x: {goal(ours_rate / seed_rate >= 20)}", how),
        row("producer, messages/s against the seed's loop as written",
            fmt(ours_rate, " msg/s"),
            f"with its uuid1 for all 10,034 rows per round and print(): {fmt(faithful_rate, ' msg/s')} "
            f"({n_faithful:,} msgs)",
            f"{ours_rate / faithful_rate:,.0f}x", how),
    ]


def _send_probe(topic, k):
    import seed_tools as st
    message = json.dumps({"event_time": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f"),
                          "event_type": "view", "product_id": 1, "category_id": 1, "category_code": "probe.probe",
                          "brand": "probe", "price": 1.0, "user_id": 1, "user_session": "probe",
                          "id": f"{st.PROBE_PREFIX}{k:012d}"})
    subprocess.run(["kcat", "-P", "-b", KAFKA, "-t", topic], input=message + "\n", text=True, check=True,
                   capture_output=True)


def _wait_until_consuming(proc, topic, mysql, timeout):
    """Sends probe messages until one shows up in MySQL: then the query has its offsets and
    everything produced from now on will be processed (the seed starts at 'latest')."""
    import seed_tools as st
    deadline, k = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the processor exited ({proc.returncode}) before it consumed a probe")
        _send_probe(topic, k)
        k += 1
        for _ in range(10):
            if int(mysql.query_one(f"SELECT COUNT(*) FROM operations WHERE id LIKE '{st.PROBE_PREFIX}%'")) > 0:
                return
            time.sleep(0.3)
    raise RuntimeError(f"no probe reached MySQL within {timeout} s")


def _stop_tree(proc):
    import signal
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def _measure_stream(label, proc, topic, mysql, raw_count, raw_every, n, timeout, ready_timeout):
    """Waits until proc consumes, produces n events at max rate, and follows both stores."""
    import seed_tools as st
    st.say(f"{label}: waiting until it consumes (probe messages, at most {ready_timeout} s)")
    _wait_until_consuming(proc, topic, mysql, ready_timeout)
    time.sleep(1)
    cpu0 = st.tree_cpu_seconds(proc.pid)
    processed = st.CountWatcher(lambda: int(mysql.query_one(
        f"SELECT COUNT(*) FROM operations WHERE id NOT LIKE '{st.PROBE_PREFIX}%'")), n, 0.1)
    raw = st.CountWatcher(raw_count, n, raw_every)
    processed.start()
    raw.start()
    st.say(f"{label}: shopstream produce --rate max --count {n:,} -> {topic}")
    p0 = time.monotonic()
    subprocess.run([str(BIN), "produce", "-i", str(st.SAMPLE_ZIP), "--to", f"kafka://{KAFKA}/{topic}", "--rate", "max",
                    "--count", str(n), "--loop"], check=True, capture_output=True)
    p1 = time.monotonic()
    for watcher in (processed, raw):
        watcher.join(timeout=max(1, timeout - (time.monotonic() - p0)))
        watcher.stop()
    cpu = st.tree_cpu_seconds(proc.pid) - cpu0
    names = sorted(set(st.tree_names(proc.pid)))
    for watcher in (processed, raw):
        if watcher.error:
            raise RuntimeError(f"{label}: counting rows failed: {watcher.error}")
    done_mysql, done_raw = processed.done_at(), raw.done_at()
    if done_mysql is None or done_raw is None:
        raise RuntimeError(f"{label}: within {timeout} s only {processed.history[-1][1]:,} of {n:,} rows reached "
                           f"MySQL and {raw.history[-1][1]:,} the raw store")
    latencies = _latencies(processed, 0, n, p0, p1)
    paced = _measure_paced(label, topic, mysql, n, timeout)
    rss = st.tree_peak_rss_mib(proc.pid)
    return {"rate": n / (max(done_mysql, done_raw) - p0), "cpu": cpu, "rss": rss, "produce_s": p1 - p0,
            "p50": st.percentile(latencies, 50), "p99": st.percentile(latencies, 99), "names": names,
            "paced": paced}


def _latencies(watcher, already, n, p0, p1):
    """Produce-to-visible seconds of 1,000 events spread over the run; event k's produce time
    interpolated over the producer's run."""
    out = []
    for i in range(1, 1001):
        k = max(1, n * i // 1000)
        out.append(watcher.visible_at(already + k) - (p0 + (p1 - p0) * k / n))
    return out


def _stream_pace():
    return (int(os.environ.get("SHOPSTREAM_BENCH_STREAM_PACED_RATE", "500")),
            int(os.environ.get("SHOPSTREAM_BENCH_STREAM_PACED_EVENTS", "10000")))


def _measure_paced(label, topic, mysql, already, timeout):
    """After the burst: events at a steady rate that both systems keep up with, the normal
    case of a store's stream, so that the latency is the system's and not a queue's."""
    import seed_tools as st
    rate, m = _stream_pace()
    processed = st.CountWatcher(lambda: int(mysql.query_one(
        f"SELECT COUNT(*) FROM operations WHERE id NOT LIKE '{st.PROBE_PREFIX}%'")), already + m, 0.05)
    processed.start()
    st.say(f"{label}: shopstream produce --rate {rate} --count {m:,} -> {topic}")
    p0 = time.monotonic()
    subprocess.run([str(BIN), "produce", "-i", str(st.SAMPLE_ZIP), "--to", f"kafka://{KAFKA}/{topic}", "--rate",
                    str(rate), "--count", str(m), "--loop"], check=True, capture_output=True)
    p1 = time.monotonic()
    processed.join(timeout=max(1, timeout - (p1 - p0)))
    processed.stop()
    if processed.error:
        raise RuntimeError(f"{label}: counting rows failed: {processed.error}")
    if processed.done_at() is None:
        raise RuntimeError(f"{label}: {processed.history[-1][1] - already:,} of {m:,} paced events reached MySQL")
    latencies = _latencies(processed, already, m, p0, p1)
    return {"p50": st.percentile(latencies, 50), "p99": st.percentile(latencies, 99)}


def section_stream():
    """The seed's Spark job (data_processing.py, unchanged, spark-submit) against shopstream
    process, on the same Kafka, Cassandra and MariaDB, with the same events."""
    import seed_tools as st
    stack_up("kafka", "cassandra", "mariadb")
    python = st.reference_python()
    n = int(os.environ.get("SHOPSTREAM_BENCH_STREAM_EVENTS", "50000"))
    timeout = int(os.environ.get("SHOPSTREAM_BENCH_STREAM_TIMEOUT", "600"))
    OUT.mkdir(parents=True, exist_ok=True)
    mysql = st.MariaDB()
    mysql.execute("CREATE TABLE IF NOT EXISTS operations(id VARCHAR(100) NOT NULL, event_time DATETIME, "
                  "event_type VARCHAR(20), department VARCHAR(50), product VARCHAR(50), brand VARCHAR(50), "
                  "price FLOAT, revenue FLOAT, PRIMARY KEY(id))")
    cassandra = st.Cassandra()
    cassandra.execute("CREATE KEYSPACE IF NOT EXISTS ecommerce_ks WITH replication = "
                      "{'class':'SimpleStrategy', 'replication_factor':1}")
    cassandra.execute("CREATE TABLE IF NOT EXISTS ecommerce_ks.operations (id UUID PRIMARY KEY, event_time text, "
                      "event_type text, product_id text, category_id text, category_code text, brand text, "
                      "price float, user_id text, user_session text)")
    load_before = st.load_average()

    # Theirs: the seed's script in place, topic ecommercetopic, Spark's own resolver for the packages.
    mysql.execute("TRUNCATE TABLE operations")
    cassandra.execute("TRUNCATE ecommerce_ks.operations")
    packages = ",".join(["org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3",
                         "com.datastax.spark:spark-cassandra-connector_2.12:3.5.1",
                         "com.mysql:mysql-connector-j:8.4.0"])
    _send_probe("ecommercetopic", 10**9)  # the topic exists before Spark subscribes
    st.say("spark-submit --packages (Kafka source, Cassandra connector, MySQL JDBC) ../shared/seed/data_processing.py")
    log = open(OUT / "stream-spark.log", "w")
    spark = subprocess.Popen([str(python.parent / "spark-submit"), "--packages", packages,
                              "--conf", f"spark.jars.ivy={REPO / '.cache' / 'ivy'}", str(st.SEED / "data_processing.py")],
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                             env=dict(st.reference_env(python), SPARK_CONF_DIR=str(st.spark_conf_dir())))
    try:
        theirs = _measure_stream("Spark", spark, "ecommercetopic", mysql,
                                 lambda: cassandra.count("ecommerce_ks.operations"), 2.0, n, timeout, 900)
    finally:
        _stop_tree(spark)
        log.close()

    # Ours: the same two stores and tables, emptied again, its own topic.
    mysql.execute("TRUNCATE TABLE operations")
    cassandra.execute("TRUNCATE ecommerce_ks.operations")
    topic = f"bench-stream-{int(time.time())}-{os.getpid()}"
    env = dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=str(REPO / ".cache" / "run" / "mysql.cnf"))
    raw_uri = "cassandra://127.0.0.1:9042/ecommerce_ks.operations"
    st.say(f"shopstream process --from kafka://{KAFKA}/{topic} --start latest --raw {raw_uri} "
           "--processed mysql://admin@127.0.0.1:3306/ecommerce.operations")
    log = open(OUT / "stream-ours.log", "w")
    ours_proc = subprocess.Popen([str(BIN), "process", "--from", f"kafka://{KAFKA}/{topic}", "--group", topic,
                                  "--wait-for-topic", "--start", "latest", "--raw", raw_uri,
                                  "--processed", "mysql://admin@127.0.0.1:3306/ecommerce.operations"],
                                 stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        ours = _measure_stream("shopstream", ours_proc, topic, mysql,
                               lambda: cassandra.count("ecommerce_ks.operations"), 0.5, n, timeout, 120)
    finally:
        _stop_tree(ours_proc)
        log.close()
    mysql.close()
    cassandra.close()

    how = (f"{n:,} events (10K sample looped) produced by `shopstream produce --rate max` after the consumer "
           f"proved it was reading (probe messages); both into ecommerce_ks.operations (Cassandra) and "
           f"ecommerce.operations (MariaDB), emptied before each; shopstream with its default trigger "
           f"(1 s, closed early after 50 ms without new messages); {load_before} before, "
           f"{st.load_average()} after")
    per_cpu_ours, per_cpu_theirs = n / ours["cpu"], n / theirs["cpu"]
    pace = _stream_pace()
    return [
        row("stream: events/s into both stores (from first produce to last row in both)",
            fmt(ours["rate"], " ev/s"), f"Spark (seed script, 15 s trigger): {fmt(theirs['rate'], ' ev/s')}",
            f"{ours['rate'] / theirs['rate']:,.1f}x; goal ≥ 5x: {goal(ours['rate'] / theirs['rate'] >= 5)}", how),
        row("stream: events per CPU second of the processor",
            fmt(per_cpu_ours, " ev/CPU s") + f" ({ours['cpu']:,.1f} CPU s)",
            fmt(per_cpu_theirs, " ev/CPU s") + f" ({theirs['cpu']:,.1f} CPU s, {'+'.join(theirs['names'])})",
            f"{per_cpu_ours / per_cpu_theirs:,.1f}x; goal ≥ 20x: {goal(per_cpu_ours / per_cpu_theirs >= 20)}",
            "utime+stime of the processor's process tree from /proc, from the first produced event to the last row"),
        row(f"stream: latency produce → row visible in MySQL at a steady {pace[0]:,} ev/s, p50 / p99",
            f"{ours['paced']['p50']:,.2f} s / {ours['paced']['p99']:,.2f} s",
            f"{theirs['paced']['p50']:,.2f} s / {theirs['paced']['p99']:,.2f} s",
            f"p50 goal < 1 s: {goal(ours['paced']['p50'] < 1)}",
            f"{pace[1]:,} events by `shopstream produce --rate {pace[0]}` after the burst, a rate both keep up "
            "with; event k's produce time interpolated over the producer's run, visible time from COUNT(*) "
            "polled every 0.05 s"),
        row("stream: latency produce → row visible in MySQL in the burst, p50 / p99",
            f"{ours['p50']:,.2f} s / {ours['p99']:,.2f} s", f"{theirs['p50']:,.2f} s / {theirs['p99']:,.2f} s",
            "",
            f"the {n:,} events at max rate (ours produced them in {ours['produce_s']:.1f} s, theirs in "
            f"{theirs['produce_s']:.1f} s), so time queued behind the backlog counts; interpolated as above, "
            "COUNT(*) polled every 0.1 s"),
        row("stream: peak resident memory of the processor", fmt(ours["rss"], " MiB"),
            fmt(theirs["rss"], " MiB") + " (JVM + python driver)",
            f"{theirs['rss'] / ours['rss']:,.1f}x less; goal ≤ 1/10: {goal(ours['rss'] * 10 <= theirs['rss'])}",
            "sum of VmHWM over the process tree after the burst and the steady phase"),
    ]


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
    import sqlite3
    import seed_tools as st
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
        import sqlite3
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        stamps = sorted(datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S.%f").replace(
            tzinfo=datetime.timezone.utc).timestamp() for (t,) in con.execute("SELECT event_time FROM raw_operations"))
        con.close()
        latencies = [watcher.visible_at(k + 1) + wall_minus_monotonic - produced for k, produced in enumerate(stamps)]
    finally:
        _stop_tree_plain(proc)
    return st.percentile(latencies, 50), st.percentile(latencies, 99)


def _sqlite_count(path, table):
    import sqlite3
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def _stop_tree_plain(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def section_kafka():
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
                _delete_topic(topic)
            except Exception as e:  # noqa: BLE001
                print(f"  deleting topic {topic} failed: {e}")
    note = f"; {load_before} before, " + "load average {:.1f} {:.1f} {:.1f} after".format(*os.getloadavg())
    for r in rows:
        r["how"] += note
    return rows


# --- The stores on the real servers (issue 4): each beside the server's own bulk path or a
# reference client, and the whole flow Kafka -> Cassandra + MariaDB.
STORES_MYSQL = "mysql://admin@127.0.0.1:3306"
STORES_CASSANDRA = "cassandra://127.0.0.1:9042"
CLEANED_COLUMNS = "id, event_time, event_type, department, product, brand, price, revenue"


# Events in the real 2019-Nov.csv: the rate at which the product meets them.
NOV_2019_EVENTS = 67_501_979


def _at_real_rate(src, dst, n):
    """Copies a generated CSV with its times squeezed towards the start of the month, so that
    its n events arrive at the real data set's rate (about 26 per second) instead of being
    spread over the whole month. The rollups then see as many events per minute and hour as
    they do in production; a month spread over a few hundred thousand events would give nearly
    one rollup row per event."""
    start = datetime.datetime(2019, 11, 1)
    factor = min(1.0, n / NOV_2019_EVENTS)
    with open(src) as inp, open(dst, "w") as out:
        out.write(inp.readline())
        for line in inp:
            when, rest = line.split(",", 1)
            t = datetime.datetime.strptime(when, "%Y-%m-%d %H:%M:%S UTC")
            squeezed = start + (t - start) * factor
            out.write(squeezed.strftime("%Y-%m-%d %H:%M:%S UTC,") + rest)


def _stores_env():
    """Our binaries' environment: MariaDB's option file, and a Cassandra login when the stack
    asks for one."""
    import seed_tools as st
    env = dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=str(REPO / ".cache" / "run" / "mysql.cnf"))
    if os.environ.get("STACK_CASSANDRA_AUTH") == "1":
        user, password = st.cassandra_login()
        env.setdefault("SHOPSTREAM_CASSANDRA_USER", user)
        env.setdefault("SHOPSTREAM_CASSANDRA_PASSWORD", password)
    return env


def _figures(out):
    """rows=1 seconds=2.5 ... -> {'rows': 1.0, 'seconds': 2.5, ...}"""
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", out)}


def _stores_repeats():
    """Each side of a comparison runs this often, alternating, and keeps its best time: on a
    shared machine the best of a few is the least disturbed."""
    return max(1, int(os.environ.get("SHOPSTREAM_BENCH_STORES_REPEAT", "3")))


def _stores_mysql(n, csv, db, mysql):
    """Our MySQL store committing micro-batches, then LOAD DATA LOCAL INFILE of the same rows
    into an identical empty table, alternately and from empty tables each time; both tables are
    compared by CHECKSUM TABLE at the end."""
    import seed_tools as st
    tsv = OUT / "stores-cleaned.tsv"
    ours_runs, ref_runs = [], []
    mysql.execute(f"USE {db}")
    for k in range(_stores_repeats()):
        if k > 0:
            # Every table the store made (rows, rollups, people, offsets, stats) and the reference's.
            tables = mysql.query_one("SELECT GROUP_CONCAT(TABLE_NAME) FROM information_schema.TABLES"
                                     " WHERE TABLE_SCHEMA = DATABASE()")
            for table in tables.split(","):
                mysql.execute(f"TRUNCATE TABLE {table}")
        st.say(f"[{k + 1}] bench/mysql_store_bench: {n:,} cleaned rows, micro-batches of 20,000 -> {db}.operations")
        _, _, _, out = timed([str(BUILD / "bench" / "mysql_store_bench"), "--csv", str(csv), "--count", str(n),
                              "--to", f"{STORES_MYSQL}/{db}.operations", "--tsv", str(tsv)], env=_stores_env())
        ours_runs.append(_figures(out))
        if k == 0:
            mysql.execute("CREATE TABLE operations_ref LIKE operations")
        st.say(f"[{k + 1}] LOAD DATA LOCAL INFILE of the same rows -> {db}.operations_ref")
        start = time.perf_counter()
        mysql.execute(f"LOAD DATA LOCAL INFILE '{tsv}' INTO TABLE operations_ref CHARACTER SET utf8mb4 "
                      f"FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' ({CLEANED_COLUMNS})")
        ref_runs.append(time.perf_counter() - start)
    ours = min(ours_runs, key=lambda f: f["seconds"])
    counts = [int(mysql.query_one(f"SELECT COUNT(*) FROM {t}")) for t in ("operations", "operations_ref")]
    sums = [mysql.query_one(f"CHECKSUM TABLE {t}").split("\t")[-1] for t in ("operations", "operations_ref")]
    if counts != [ours["rows"]] * 2 or sums[0] != sums[1]:
        raise RuntimeError(f"MySQL: rows {counts} of {ours['rows']:,.0f}, checksums {sums}: the tables differ")
    ours_rate, ref_rate, runs, ref_all = _bulk_rates(ours, ours_runs, ref_runs)
    return row("MySQL processed store, rows/s", f"{fmt(ours_rate, ' rows/s')} ({ours['cpu_seconds']:.1f} CPU s)",
               f"MariaDB LOAD DATA LOCAL INFILE: {fmt(ref_rate, ' rows/s')}",
               f"{ours_rate / ref_rate:.0%} of LOAD DATA; goal ≥ 70 %: {goal(ours_rate >= 0.7 * ref_rate)}",
               f"{counts[0]:,} cleaned rows, committed by bench/mysql_store_bench through MysqlProcessedStore "
               f"in micro-batches of 20,000 (the processor's --max-batch), each one transaction with its rollups, "
               f"offsets and stats, timed from the first Commit to the last; reference: the same rows as a TSV "
               f"written before timing, one LOAD DATA statement into an empty table of the same definition, "
               f"timed by wall clock; best of {len(ref_runs)} alternating runs each from empty tables "
               f"(ours: {runs}; LOAD DATA: {ref_all} rows/s); both tables equal by CHECKSUM TABLE")


def _bulk_rates(ours, ours_runs, ref_runs):
    """Rows/s of our best run and of the reference's, and every run of each as text."""
    rows = ours["rows"]
    return (rows / ours["seconds"], rows / min(ref_runs), ", ".join(f"{rows / f['seconds']:,.0f}" for f in ours_runs),
            ", ".join(f"{rows / t:,.0f}" for t in ref_runs))


def _stores_postgres(n, csv, db):
    """Our PostgreSQL store committing micro-batches, then psql's \\copy of the same rows into
    an identical empty table, alternately and from empty tables each time; both tables compared
    by a digest of their rows at the end."""
    import seed_tools as st
    env = dict(os.environ, PGPASSFILE=str(REPO / ".cache" / "run" / "pgpass"))
    _psql = st.psql
    tsv = OUT / "stores-cleaned-pg.tsv"
    _psql("postgres", f"CREATE DATABASE {db}", env)
    try:
        ours_runs, ref_runs = [], []
        for k in range(_stores_repeats()):
            if k > 0:
                # Every table the store made (rows, rollups, people, offsets, stats) and the reference's.
                tables = _psql(db, "SELECT string_agg(tablename, ', ') FROM pg_tables WHERE schemaname = 'public'", env)
                _psql(db, f"TRUNCATE {tables}", env)
            st.say(f"[{k + 1}] bench/mysql_store_bench: {n:,} cleaned rows, micro-batches of 20,000 -> PostgreSQL {db}")
            _, _, _, out = timed([str(BUILD / "bench" / "mysql_store_bench"), "--csv", str(csv), "--count", str(n),
                                  "--to", f"postgres://shopstream@127.0.0.1:5432/{db}.public.operations",
                                  "--tsv", str(tsv)], env=env)
            ours_runs.append(_figures(out))
            if k == 0:
                _psql(db, "CREATE TABLE operations_ref (LIKE operations INCLUDING ALL)", env)
            st.say(f"[{k + 1}] psql \\copy of the same rows -> {db}.operations_ref")
            start = time.perf_counter()
            _psql(db, f"\\copy operations_ref({CLEANED_COLUMNS}) FROM '{tsv}'", env)
            ref_runs.append(time.perf_counter() - start)
        ours = min(ours_runs, key=lambda f: f["seconds"])
        digest = ("SELECT COUNT(*) || ' ' || md5(string_agg(id || event_time::text || event_type || department || "
                  "product || brand || price::text || revenue::text, ',' ORDER BY id)) FROM {}")
        sums = [_psql(db, digest.format(t), env) for t in ("operations", "operations_ref")]
        if sums[0] != sums[1] or not sums[0].startswith(f"{ours['rows']:.0f} "):
            raise RuntimeError(f"PostgreSQL: {sums} for {ours['rows']:,.0f} rows: the tables differ")
    finally:
        _psql("postgres", f"DROP DATABASE IF EXISTS {db}", env)
    ours_rate, ref_rate, runs, ref_all = _bulk_rates(ours, ours_runs, ref_runs)
    return row("PostgreSQL processed store, rows/s", f"{fmt(ours_rate, ' rows/s')} ({ours['cpu_seconds']:.1f} CPU s)",
               f"psql \\copy: {fmt(ref_rate, ' rows/s')}",
               f"{ours_rate / ref_rate:.0%} of \\copy; goal ≥ 70 %: {goal(ours_rate >= 0.7 * ref_rate)}",
               f"{int(ours['rows']):,} cleaned rows committed through the PostgreSQL store (COPY FROM STDIN under each "
               f"batch's transaction, with its rollups, offsets and stats) in micro-batches of 20,000, timed from the "
               f"first Commit to the last; reference: the same rows as a TSV written before timing, one psql \\copy "
               f"into an empty table of the same definition, timed by wall clock (psql's start included); best of "
               f"{len(ref_runs)} alternating runs each from empty tables (ours: {runs}; \\copy: {ref_all} rows/s); "
               f"both tables equal by an md5 of their rows")


def _stores_cassandra(n, csv, keyspace, cassandra, python):
    """Our Cassandra raw store against cassandra-driver's execute_concurrent, same rows, both
    into new tables of the seed's layout; rows counted back in both."""
    import seed_tools as st
    dump = OUT / "stores-raw.tsv"
    st.say(f"bench/cassandra_store_bench: {n:,} events, batches of 20,000 -> {keyspace}.operations")
    _, _, _, out = timed([str(BUILD / "bench" / "cassandra_store_bench"), "--csv", str(csv), "--count", str(n),
                          "--to", f"{STORES_CASSANDRA}/{keyspace}.operations", "--dump", str(dump)],
                         env=_stores_env())
    ours = _figures(out)
    st.say(f"cassandra-driver execute_concurrent (concurrency 100), same rows -> {keyspace}.operations_ref")
    _, _, _, out = timed([str(python), str(st.REFERENCE / "cassandra_driver_insert.py"), "127.0.0.1", "9042",
                          f"{keyspace}.operations_ref", str(dump), "100"], env=st.reference_env(python))
    ref = _figures(out)
    counts = [cassandra.count(f"{keyspace}.{t}") for t in ("operations", "operations_ref")]
    if counts != [ours["rows"]] * 2:
        raise RuntimeError(f"Cassandra: rows {counts} of {ours['rows']:,.0f}")
    driver = subprocess.run([str(python), "-c", "import cassandra; print(cassandra.__version__)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    ours_rate, ref_rate = ours["rows"] / ours["seconds"], ref["rows"] / ref["seconds"]
    cores, ref_cores = ours["cpu_seconds"] / ours["seconds"], ref["cpu_seconds"] / ref["seconds"]
    how = (f"{counts[0]:,} events (generated, ids as produce gives them), into new tables of the seed's layout "
           f"at LOCAL_QUORUM, counted back; ours: bench/cassandra_store_bench writing batches of 20,000 through "
           f"CassandraRawStore (one prepared INSERT, default 256 in flight over 2 connections), timed from the "
           f"first Write to the last; reference: the same rows read from a TSV before timing, one prepared "
           f"INSERT, execute_concurrent_with_args; CPU by getrusage over the same span in each process")
    return [
        row("Cassandra raw store, rows/s", fmt(ours_rate, " rows/s"),
            f"cassandra-driver {driver} execute_concurrent (concurrency 100): {fmt(ref_rate, ' rows/s')}",
            f"{ours_rate / ref_rate:.1f}x; goal ≥ 3x: {goal(ours_rate >= 3 * ref_rate)}", how),
        row("Cassandra raw store, CPU of the writing process at that rate",
            f"{cores:.2f} cores ({ours['cpu_seconds']:.1f} CPU s)",
            f"{ref_cores:.2f} cores ({ref['cpu_seconds']:.1f} CPU s)",
            f"goal < 0.5 cores: {goal(cores < 0.5)}", how),
    ]


def _stores_end_to_end(n, csv, topic, keyspace, db, mysql, cassandra):
    """N events already in a new topic; `shopstream process` into Cassandra and MariaDB, timed
    from its start until processor_stats counts all N committed (the raw rows of a batch are
    written before its commit, so then both stores hold every event)."""
    import seed_tools as st
    raw, processed = f"{STORES_CASSANDRA}/{keyspace}.operations_e2e", f"{STORES_MYSQL}/{db}.operations"
    env = _stores_env()
    st.say(f"shopstream produce --rate max --count {n:,} -> kafka://{KAFKA}/{topic}")
    timed([str(BIN), "produce", "-i", str(csv), "--to", f"kafka://{KAFKA}/{topic}", "--rate", "max",
           "--count", str(n)])
    # The tables exist before timing (process creates them on start, Cassandra's DDL takes seconds).
    empty_log = OUT / "stores-empty-log.db"
    for p in OUT.glob(empty_log.name + "*"):
        p.unlink()
    timed([str(BIN), "process", "--from", f"sqlite://{empty_log}", "--raw", raw, "--processed", processed,
           "--idle-exit", "0.1"], env=env)
    mysql.execute(f"USE {db}")
    st.say(f"shopstream process --from kafka://{KAFKA}/{topic} --raw {raw} --processed {processed}")
    idle = 2
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "process", "--from", f"kafka://{KAFKA}/{topic}", "--group", topic,
                             "--raw", raw, "--processed", processed, "--idle-exit", str(idle)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    done = None
    while done is None:
        committed = int(mysql.query_one("SELECT COALESCE(SUM(events), 0) FROM processor_stats") or 0)
        if committed >= n:
            done = time.perf_counter() - start
        elif proc.poll() is not None:
            break
        else:
            time.sleep(0.05)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read()
    if done is None or os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"process exited ({os.waitstatus_to_exitcode(status)}) before committing {n:,}: "
                           f"{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    counts = [int(mysql.query_one("SELECT COUNT(*) FROM operations")),
              cassandra.count(f"{keyspace}.operations_e2e")]
    if counts != [n, n]:
        raise RuntimeError(f"end to end: {counts[0]:,} rows in MariaDB, {counts[1]:,} in Cassandra, of {n:,}")
    return row("Kafka → Cassandra + MariaDB end to end, events/s", fmt(n / done, " ev/s"), "", "",
               f"{n:,} events already in a new 1-partition topic; `shopstream process --from kafka://... --raw "
               f"cassandra://... --processed mysql://...` timed from its start (group join included) until "
               f"processor_stats counted all {n:,} committed (each batch's raw rows are written before its "
               f"commit), polled every 50 ms; both stores counted back ({n:,} each); tables created before "
               f"timing; {cpu:.1f} CPU s over the run and its {idle} s idle exit, {usage.ru_maxrss / 1024:.0f} MiB peak")


def _delete_topic(topic):
    """Through kafka-python's admin client (tests/integration/requirements.txt)."""
    from kafka.admin import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=KAFKA, request_timeout_ms=30000)
    try:
        admin.delete_topics([topic])
    finally:
        admin.close()


def section_stores():
    """Issue 4's benchmarks, in one run: each store beside the server's bulk load or a reference
    client, then Kafka to both stores. Unique database, keyspace and topic, dropped at the end."""
    import seed_tools as st
    stack_up("kafka", "cassandra", "mariadb")
    OUT.mkdir(parents=True, exist_ok=True)
    n = int(os.environ.get("SHOPSTREAM_BENCH_STORES_EVENTS", "300000"))
    python = st.reference_python()
    csv = OUT / f"stores-{n}-real-rate.csv"
    if not csv.exists():
        st.say(f"shopstream generate --rows {n:,}, times squeezed to the real month's rate -> {csv.name}")
        generated = OUT / f"stores-{n}.csv"
        timed([str(BIN), "generate", "--rows", str(n), "--seed", "4", "-o", str(generated)])
        _at_real_rate(generated, str(csv) + ".part", n)
        os.rename(str(csv) + ".part", csv)
        generated.unlink()
    run = f"{int(time.time())}_{os.getpid()}"
    db, db_e2e, keyspace = f"ecommerce_test_bench_{run}", f"ecommerce_test_bench_{run}_e2e", f"bench_stores_{run}"
    topic = f"bench-stores-{run}"
    load_before = st.load_average()
    mysql = st.MariaDB("information_schema", local_infile=True)
    cassandra = st.Cassandra()
    rows = []
    try:
        for name in (db, db_e2e):
            mysql.execute(f"CREATE DATABASE {name}")
        # Each figure is printed as soon as it is measured, so that a later failure keeps it.
        for measure in (lambda: [_stores_mysql(n, csv, db, mysql)],
                        lambda: [_stores_postgres(n, csv, f"{db}_pg")],
                        lambda: _stores_cassandra(n, csv, keyspace, cassandra, python),
                        lambda: [_stores_end_to_end(n, csv, topic, keyspace, db_e2e, mysql, cassandra)]):
            for r in measure():
                st.say(f"=> {r['what']}: {r['ours']} [{r['reference']}] {r['ratio']}")
                rows.append(r)
    finally:
        # Best effort, each on its own, so that a server that went away shows the first error.
        for what, drop in ((db, lambda: mysql.execute(f"DROP DATABASE IF EXISTS {db}")),
                           (db_e2e, lambda: mysql.execute(f"DROP DATABASE IF EXISTS {db_e2e}")),
                           (keyspace, lambda: cassandra.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")),
                           (topic, lambda: _delete_topic(topic)), ("mariadb client", mysql.close),
                           ("cassandra session", cassandra.close)):
            try:
                drop()
            except Exception as e:  # noqa: BLE001 (reported, the run's own error matters more)
                st.say(f"cleaning up {what} failed: {e}")
    note = f"; {load_before} before, {st.load_average()} after"
    for r in rows:
        r["how"] += note
    return rows


# --- The dashboard's API under load, beside the same figures computed the way Superset does;
# the people sketches beside exact counts over the raw rows.
DASHBOARD_DB = "ecommerce_test_bench_dashboard"
# Every table a processed store holds, for starting a server database over.
DASHBOARD_TABLES = ("operations", "rollup_minute", "rollup_hour_brand", "rollup_hour_product", "rollup_hour",
                    "rollup_day", "rollup_brand", "rollup_product", "rollup_hour_brand_product",
                    "rollup_hour_department_brand", "rollup_brand_product", "people_minute", "people_hour",
                    "people_day", "people_all", "stream_offsets", "dead_letters", "processor_stats")


def _dashboard_views(extent, department, brand):
    """The requests of one refresh of the page (web/app.js refresh()) in four views: all time; a
    department picked; a brand picked; the last 24 hours with a department picked (the page then
    asks for the previous 24 hours too, for the KPIs' change). A chart does not filter itself: the
    departments follow the brand only, the brands the department only."""
    from urllib.parse import urlencode

    def page(department=None, brand=None, range_=None, previous=None):
        both = {k: v for k, v in (("department", department), ("brand", brand)) if v}
        only_brand = {"brand": brand} if brand else {}
        only_department = {"department": department} if department else {}

        def url(path, *parts):
            query = {}
            for part in parts:
                query.update(part)
            return path + ("?" + urlencode(query) if query else "")
        r = range_ or {}
        paths = ["/api/extent", url("/api/kpis", r, both), url("/api/people", r, both)]
        if previous:
            paths += [url("/api/kpis", previous, both), url("/api/people", previous, both)]
        paths += [url("/api/timeseries", r, both), url("/api/departments", r, only_brand),
                  url("/api/brands", r, {"limit": 100}, only_department),
                  url("/api/products", r, {"limit": 10}, both), url("/api/mix", r, both), "/api/status"]
        return paths

    end = datetime.datetime.strptime(extent["last_minute"], "%Y-%m-%d %H:%M") + datetime.timedelta(minutes=1)
    fmt = lambda t: t.strftime("%Y-%m-%d %H:%M")
    day = {"from": fmt(end - datetime.timedelta(days=1)), "to": fmt(end)}
    before = {"from": fmt(end - datetime.timedelta(days=2)), "to": day["from"]}
    views = {"all time": page(),
             f"all time, department {department}": page(department=department),
             f"all time, brand {brand}": page(brand=brand),
             f"last 24 hours, department {department}": page(department=department, range_=day, previous=before)}
    return views, day


def _dashboard_superset_sql(text_hour, where="", limit=10):
    """Superset's way: each chart a GROUP BY over the cleaned rows (table operations), one per
    endpoint of the page, over the rows `where` keeps. `text_hour` turns event_time into
    'YYYY-MM-DD HH' text. The rows hold no users or sessions (the seed's table drops them), so
    the people have no equivalent here."""
    breakdown = "COUNT(*), " + ", ".join(f"SUM(CASE WHEN event_type = '{t}' THEN 1 ELSE 0 END)"
                                         for t in ("view", "cart", "purchase")) + ", SUM(revenue)"
    hour = text_hour("event_time")
    w = f" WHERE {where}" if where else ""
    return {
        "/api/extent": "SELECT MIN(event_time), MAX(event_time) FROM operations",
        "/api/kpis": f"SELECT {breakdown} FROM operations{w}",
        "/api/timeseries": f"SELECT {hour} AS h, {breakdown} FROM operations{w} GROUP BY h ORDER BY h",
        "/api/departments": f"SELECT department, {breakdown} FROM operations{w} GROUP BY department ORDER BY 6 DESC",
        "/api/brands": [f"SELECT brand, {breakdown} FROM operations{w} GROUP BY brand ORDER BY 6 DESC LIMIT {limit}",
                        f"SELECT brand, {breakdown} FROM operations{w} GROUP BY brand ORDER BY 3 DESC LIMIT {limit}"],
        "/api/products": [f"SELECT department, product, {breakdown} FROM operations{w} GROUP BY department, product "
                          f"ORDER BY 7 DESC LIMIT {limit}",
                          f"SELECT department, product, {breakdown} FROM operations{w} GROUP BY department, product "
                          f"ORDER BY 4 DESC LIMIT {limit}"],
        "/api/mix": f"SELECT event_type, COUNT(*) FROM operations{w} GROUP BY event_type",
        "/api/status": "SELECT stream, batches, events FROM processor_stats",
    }


def _ensure_wrk():
    """wrk, Debian's HTTP load tool, installed on first use like scripts/install-deps does."""
    import shutil
    if shutil.which("wrk"):
        return "wrk"
    sudo = [] if os.getuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return "wrk"


def _wrk_latency(url, paths, seconds, connections):
    """p50 and p99 latency in ms and requests/s of wrk cycling over `paths`."""
    script = OUT / "dashboard-page.lua"
    script.write_text("local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
                      "local i = 0\n"
                      "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
    threads = min(2, connections)
    out = subprocess.run([_ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "300s",
                          "--latency", "-s", str(script),
                          url], check=True, capture_output=True, text=True).stdout
    if re.search(r"Non-2xx or 3xx responses", out):
        raise RuntimeError("dashboard bench: the API answered errors under load:\n" + out)
    unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    pct = {m.group(1): float(m.group(2)) * unit[m.group(3)]
           for m in re.finditer(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    if count < len(paths) or "50" not in pct:
        raise RuntimeError(f"dashboard bench: wrk completed only {count} requests in {seconds} s:\n{out}")
    return pct["50"], pct["99"], rate, count


def _serve(store_uri, env, *extra):
    proc = subprocess.Popen([str(BIN), "serve", "--store", store_uri, "--listen", "127.0.0.1:0", *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.kill()
        raise RuntimeError(f"shopstream serve --store {store_uri} did not start")
    return proc, line.split("on ")[1].split(" ")[0].rstrip("/")


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _time_queries(run_sql, queries, rounds):
    """Runs each endpoint's SQL `rounds` times; returns per-query latencies (ms) and per-page ones."""
    per_query, per_page = [], []
    for _ in range(rounds):
        page = 0.0
        for sql in queries.values():
            for one in (sql if isinstance(sql, list) else [sql]):
                start = time.perf_counter()
                run_sql(one)
                ms = (time.perf_counter() - start) * 1e3
                per_query.append(ms)
                page += ms
        per_page.append(page)
    return per_query, per_page


def _dashboard_store_ready(count_sql, n):
    try:
        return int(count_sql()) == n
    except Exception:  # missing store or table: build it
        return False


def _get_json(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=600) as res:
        return json.loads(res.read())


def _exact_people(raw_db, department):
    """Distinct users and sessions over the raw rows, all and of one department (the seed's rule:
    the first part of category_code), kept in OUT so that a rerun reads them once."""
    import sqlite3
    cache = OUT / (raw_db.name + ".exact-people.json")
    if cache.exists():
        found = json.loads(cache.read_text())
        if found.get("department") == department:
            return found
    con = sqlite3.connect(f"file:{raw_db}?mode=ro", uri=True)
    start = time.perf_counter()
    users, sessions = con.execute(
        "SELECT COUNT(DISTINCT user_id), COUNT(DISTINCT user_session) FROM raw_operations").fetchone()
    seconds = time.perf_counter() - start
    d_users, d_sessions = con.execute(
        "SELECT COUNT(DISTINCT user_id), COUNT(DISTINCT user_session) FROM raw_operations"
        " WHERE category_code = ? OR category_code LIKE ? ESCAPE '\\'",
        (department, department.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%")).fetchone()
    con.close()
    found = {"department": department, "users": users, "sessions": sessions, "department_users": d_users,
             "department_sessions": d_sessions, "seconds": seconds}
    cache.write_text(json.dumps(found))
    return found


def section_dashboard():
    import sqlite3
    import seed_tools as st
    from seed_tools import Postgres
    n = int(os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_EVENTS", "10000000"))
    stores = os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_STORES", "sqlite,mysql,postgres").split(",")
    seconds = int(os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_SECONDS", "15"))
    rounds = int(os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_ROUNDS", "2"))
    connections = 8
    OUT.mkdir(parents=True, exist_ok=True)
    data, log = OUT / f"dashboard-{n}.csv", OUT / f"dashboard-{n}-log.db"
    rows, build_notes, people_seen = [], [], {}
    load_before = st.load_average()

    def ensure_log():
        if not log.exists():
            if not data.exists():
                timed([str(BIN), "generate", "--rows", str(n), "--seed", "1", "-o", str(data)])
            # Original timestamps (a month), so the rollups hold a month of buckets.
            wall, _, _, _ = timed([str(BIN), "produce", "-i", str(data), "--to", f"sqlite://{log}",
                                   "--speedup", "1000000000000"])
            build_notes.append(f"produce {wall:,.0f} s")

    for kind in stores:
        env = dict(os.environ)
        if kind == "sqlite":
            store = OUT / f"dashboard-{n}-store.db"
            uri = raw = f"sqlite://{store}"
            raw_db = store
            count = lambda: sqlite3.connect(store).execute("SELECT SUM(events) FROM processor_stats").fetchone()[0]
            label = "embedded SQLite"
        else:
            raw_db = OUT / f"dashboard-{n}-raw.db"
            raw = f"sqlite://{raw_db}"
            if kind == "mysql":
                stack_up("mariadb")
                env["SHOPSTREAM_MYSQL_OPTION_FILE"] = str(REPO / ".cache" / "run" / "mysql.cnf")
                admin = st.MariaDB()
                admin.execute(f"CREATE DATABASE IF NOT EXISTS {DASHBOARD_DB}")
                admin.close()
                db = st.MariaDB(database=DASHBOARD_DB)
                uri = f"mysql://admin@127.0.0.1:3306/{DASHBOARD_DB}.operations"
                label = "MariaDB"
            else:
                stack_up("postgres")
                env["PGPASSFILE"] = str(REPO / ".cache" / "run" / "pgpass")
                db = Postgres(DASHBOARD_DB, env)
                uri = f"postgres://shopstream@127.0.0.1:5432/{DASHBOARD_DB}.public.operations"
                label = "PostgreSQL"
            here = "DATABASE()" if kind == "mysql" else "current_schema()"
            count = lambda: (db.query_one("SELECT COUNT(*) FROM information_schema.tables WHERE table_name"
                                          f" = 'processor_stats' AND table_schema = {here}") == "1"
                             and db.query_one("SELECT COALESCE(SUM(events), 0) FROM processor_stats"))
        if not _dashboard_store_ready(count, n):
            ensure_log()
            for f in list(OUT.glob(f"dashboard-{n}-store.db*")) + list(OUT.glob(f"dashboard-{n}-raw.db*")):
                if kind == "sqlite" or "raw" in f.name:
                    f.unlink()
            if kind != "sqlite":
                for table in DASHBOARD_TABLES:
                    db.execute(f"DROP TABLE IF EXISTS {table}")
            wall, _, _, _ = timed([str(BIN), "process", "--from", f"sqlite://{log}", "--raw", raw,
                                   "--processed", uri, "--idle-exit", "2"], env=env)
            build_notes.append(f"process into {label} {wall:,.0f} s ({n / wall:,.0f} ev/s)")
            stored = int(count())
            if stored != n:
                raise RuntimeError(f"dashboard bench: {stored} events in the {label} store of {n}")

        # The views: the busiest department and brand of the data.
        proc, url = _serve(uri, env, "--no-cache")
        try:
            extent = _get_json(url + "/api/extent")
            # "other" gathers the events without a category or brand: not one a manager picks.
            department = next(d["name"] for d in _get_json(url + "/api/departments")["departments"]
                              if d["name"] != "other")
            brand = next(b["name"] for b in _get_json(url + "/api/brands?limit=5")["by_views"] if b["name"] != "other")
            people = _get_json(url + "/api/people")
            from urllib.parse import quote
            people_department = _get_json(url + "/api/people?department=" + quote(department))
        finally:
            proc.terminate()
            proc.wait()
        people_seen[label] = (people, people_department, department, raw_db)
        views, day = _dashboard_views(extent, department, brand)

        # Every answer computed from the rollups (--no-cache: the first request after each
        # commit), one connection (the cost of an answer, no queueing behind others); then the
        # default server over the unfiltered page, which reuses an answer until the next commit.
        api = {}
        runs = [(f"{view}, computed", paths, ["--no-cache"], 1) for view, paths in views.items()]
        runs.append(("all time, cached", views["all time"], [], connections))
        for what, paths, extra, clients in runs:
            proc, url = _serve(uri, env, *extra)
            try:
                for path in paths:  # warm-up: page cache, connection pool, answers
                    _get_json(url + path)
                api[what] = _wrk_latency(url, paths, seconds * (2 if clients == 1 else 1), clients) + (clients, paths)
            finally:
                proc.terminate()
                proc.wait()

        if kind == "sqlite":
            con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
            run_sql = lambda sql: con.execute(sql).fetchall()
            hour = lambda c: f"substr({c}, 1, 13)"
            client = "Python sqlite3"
        else:
            def run_sql(sql):
                return db.query_one(sql)
            hour = (lambda c: f"DATE_FORMAT({c}, '%Y-%m-%d %H')") if kind == "mysql" else \
                (lambda c: f"to_char({c}, 'YYYY-MM-DD HH24')")
            client = "the mariadb client, one connection" if kind == "mysql" else "psql, one connection"
        quoted = lambda name: "'" + name.replace("'", "''") + "'"
        wheres = {"all time": "", f"all time, department {department}": f"department = {quoted(department)}",
                  f"all time, brand {brand}": f"brand = {quoted(brand)}",
                  f"last 24 hours, department {department}":
                      f"department = {quoted(department)} AND event_time >= {quoted(day['from'] + ':00')}"}
        reference = {}
        for view, where in wheres.items():
            queries = _dashboard_superset_sql(hour, where)
            run_sql(queries["/api/mix"])  # warm-up: the table in the cache
            reference[view] = _time_queries(run_sql, queries, rounds)
        if kind == "sqlite":
            con.close()
        else:
            db.close()

        for what, (p50, p99, rate, done, clients, paths) in api.items():
            view, mode = what.rsplit(", ", 1)
            per_query, _ = reference[view]
            q50, q99 = _percentile(per_query, 50), _percentile(per_query, 99)
            how = ("every answer computed from the rollups and sketches (`serve --no-cache`; also the first request "
                   "after each commit)" if mode == "computed" else
                   "default server: an answer reused until the next commit (a static store: all hits)")
            rows.append(row(f"dashboard API on {label}, {n:,} events, {view}, {mode}: latency p50 / p99",
                            f"{p50:,.2f} ms / {p99:,.2f} ms ({rate:,.0f} req/s, {done:,} requests)",
                            f"Superset-style GROUP BY over `operations`: {q50:,.0f} ms / {q99:,.0f} ms per query",
                            f"{q50 / p50:,.0f}x / {q99 / p99:,.0f}x faster; goal p99 ≤ 50 ms: {goal(p99 <= 50)}",
                            f"{how}; `shopstream serve --store {uri.replace(str(REPO) + '/', '')}` under wrk "
                            f"({clients} connection{'s' if clients > 1 else ''}) cycling over the {len(paths)} "
                            f"requests of one page refresh ({', '.join(p.split('?')[0][5:] for p in paths)}); "
                            f"reference: the same event figures as GROUP BY queries over the cleaned rows of the "
                            f"same store, same filter ({rounds} rounds, {client}); the rows hold no users or "
                            f"sessions, so people have no row equivalent there"))
        p50 = api["all time, computed"][0]
        _, per_page = reference["all time"]
        paths = views["all time"]
        rows.append(row(f"dashboard page refresh on {label}, all time, computed: its requests one after another, p50",
                        f"{p50 * len(paths):,.1f} ms (request p50 x {len(paths)})",
                        f"{_percentile(per_page, 50) / 1e3:,.2f} s",
                        f"{_percentile(per_page, 50) / (p50 * len(paths)):,.0f}x",
                        "what one refresh of the page costs the store, serially"))

    # The sketches against exact counts over the raw rows (the same events in every store).
    for label, (people, people_department, department, raw_db) in people_seen.items():
        exact = _exact_people(raw_db, department)
        errors = [(people[k] - exact[k]) / exact[k] for k in ("users", "sessions")] + \
                 [(people_department[k] - exact["department_" + k]) / exact["department_" + k]
                  for k in ("users", "sessions")]
        worst = max(abs(e) for e in errors)
        rows.append(row(f"unique users and sessions on {label}, {n:,} events (HyperLogLog sketches): error",
                        f"users {people['users']:,} ({errors[0]:+.2%}), sessions {people['sessions']:,} "
                        f"({errors[1]:+.2%}); department {department}: users {people_department['users']:,} "
                        f"({errors[2]:+.2%}), sessions {people_department['sessions']:,} ({errors[3]:+.2%})",
                        f"exact COUNT(DISTINCT) over the raw rows: users {exact['users']:,}, sessions "
                        f"{exact['sessions']:,}; {department}: {exact['department_users']:,}, "
                        f"{exact['department_sessions']:,} ({exact['seconds']:,.1f} s for the first two)",
                        f"worst error {worst:.2%}; goal ≤ 2 %: {goal(worst <= 0.02)}",
                        "`/api/people` all time and with the department picked, against Python sqlite3's "
                        "COUNT(DISTINCT user_id), COUNT(DISTINCT user_session) over the raw store's rows"))
    if os.environ.get("SHOPSTREAM_BENCH_KEEP") != "1":
        if "mysql" in stores:
            admin = st.MariaDB()
            admin.execute(f"DROP DATABASE IF EXISTS {DASHBOARD_DB}")
            admin.close()
        if "postgres" in stores:
            Postgres.drop(DASHBOARD_DB, dict(os.environ, PGPASSFILE=str(REPO / ".cache" / "run" / "pgpass")))
    note = f"; {load_before} before, {st.load_average()} after"
    if build_notes:
        note += "; building the stores: " + ", ".join(build_notes)
    for r in rows:
        r["how"] += note
    return rows


def section_storecore():
    """The SQL store core beside the stores it replaced (bench/storecore_bench.py)."""
    import storecore_bench
    return storecore_bench.section_storecore()


# --- The whole month (issue 12): 67,501,979 generated events through the embedded pipeline.
NOV_2019_EVENTS_TOTAL = 67_501_979


def _file_bytes(path):
    """A SQLite file with its write-ahead log and shared memory."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.exists())


def section_month():
    """`produce --rate max` into the embedded log (retention on) and `process` into the embedded
    stores at once, for the whole month; rows counted back; then the dashboard's API on the
    resulting store under wrk."""
    import sqlite3
    import threading
    n = int(os.environ.get("SHOPSTREAM_BENCH_MONTH_ROWS", str(NOV_2019_EVENTS_TOTAL)))
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
        import shutil
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

    paths = _dashboard_page()
    api = {}
    for mode, extra, clients in (("computed", ["--no-cache"], 1), ("cached", [], 8)):
        proc, url = _serve(f"sqlite://{store}", dict(os.environ), *extra)
        try:
            import urllib.request
            for path in paths:
                urllib.request.urlopen(url + path, timeout=600).read()
            api[mode] = _wrk_latency(url, paths, 10, clients)
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
            "goal < 15 min", f"goal: {goal(minutes < 15)}",
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


def _cpu_seconds(pid):
    """utime + stime of one process (all its threads), from /proc."""
    import seed_tools as st
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


def section_cluster():
    """The month's first N events (real density: a day's worth per 2.2M) through Kafka into
    Cassandra + MariaDB with the CPU of every server over the run, then a steady 5,000 ev/s
    with its latency produce -> committed row, and the processor's peak memory."""
    import seed_tools as st
    stack_up("kafka", "cassandra", "mariadb")
    n = int(os.environ.get("SHOPSTREAM_BENCH_CLUSTER_EVENTS", "1000000"))
    rate = int(os.environ.get("SHOPSTREAM_BENCH_CLUSTER_RATE", "5000"))
    steady_seconds = int(os.environ.get("SHOPSTREAM_BENCH_CLUSTER_STEADY_SECONDS", "30"))
    month = OUT / f"month-{NOV_2019_EVENTS_TOTAL}.csv"
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
            generated = OUT / f"cluster-{n}-spread.csv"
            timed([str(BIN), "generate", "--rows", str(n), "--seed", "5", "-o", str(generated)])
            _at_real_rate(generated, str(data) + ".part", n)
            os.rename(str(data) + ".part", data)
            generated.unlink()
    run = f"{int(time.time())}_{os.getpid()}"
    db, keyspace, topic = f"ecommerce_test_cluster_{run}", f"bench_cluster_{run}", f"bench-cluster-{run}"
    raw, processed = f"{STORES_CASSANDRA}/{keyspace}.operations", f"{STORES_MYSQL}/{db}.operations"
    env = _stores_env()
    mysql = st.MariaDB("information_schema")
    cassandra = st.Cassandra()
    load_before = st.load_average()
    rows = []
    try:
        mysql.execute(f"CREATE DATABASE {db}")
        st.say(f"shopstream produce --rate max --count {n:,} -> {topic} (4 partitions)")
        timed([str(BIN), "produce", "-i", str(data), "--to", f"kafka://{KAFKA}/{topic}", "--rate", "max",
               "--count", str(n), "--partitions", "4"])
        # The tables exist before timing (Cassandra's DDL takes seconds).
        empty_log = OUT / "cluster-empty-log.db"
        for p in OUT.glob(empty_log.name + "*"):
            p.unlink()
        timed([str(BIN), "process", "--from", f"sqlite://{empty_log}", "--raw", raw, "--processed", processed,
               "--idle-exit", "0.1"], env=env)
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
                return _latencies(watcher, already, m, p0, p1)

            latencies = steady(n)
            rss = st.tree_peak_rss_mib(proc.pid)
        finally:
            _stop_tree_plain(proc)
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
            _stop_tree_plain(proc)
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
                           (topic, lambda: _delete_topic(topic)), ("mariadb client", mysql.close),
                           ("cassandra session", cassandra.close)):
            try:
                drop()
            except Exception as e:  # noqa: BLE001
                st.say(f"cleaning up {what} failed: {e}")
    return rows


def section_superset():
    """Apache Superset's board over `operations` and over the rollups (bench/superset_bench.py)."""
    import superset_bench
    return superset_bench.section_superset()


# --- The archive (issue 14): Parquet files by day beside `process` on the same topic, and a
# query over a day of archive beside the same query over the MySQL store.
ARCHIVE_MYSQL_DB = "ecommerce_test_bench_archive"


def _tree_bytes(root, suffix=".parquet"):
    return sum(f.stat().st_size for f in pathlib.Path(root).rglob("*") if f.name.endswith(suffix))


def _best_of(fn, rounds=5):
    """Runs fn() once to warm up, then `rounds` times; returns (best seconds, its result)."""
    result = fn()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def section_archive():
    import shutil
    import duckdb
    import seed_tools as st
    stack_up("kafka", "mariadb", "hdfs")
    OUT.mkdir(parents=True, exist_ok=True)
    n = int(os.environ.get("SHOPSTREAM_BENCH_ARCHIVE_EVENTS", "3000000"))
    day = "2019-11-01"
    generated, data = OUT / f"archive-gen-{n}.csv", OUT / f"archive-{n}.csv"
    if not data.exists():
        timed([str(BIN), "generate", "--rows", str(n), "--seed", "1", "-o", str(generated)])
        _at_real_rate(generated, data, n)  # the real data set's events per day
        generated.unlink()
    csv_bytes = data.stat().st_size
    topic = f"bench-archive-{int(time.time())}"
    uri = f"kafka://127.0.0.1:9092/{topic}"
    st.say(f"produce {n:,} events (original timestamps) into {topic}")
    p_wall, _, _, _ = timed([str(BIN), "produce", "-i", str(data), "--to", uri, "--speedup", "1000000000000"])
    load_before = st.load_average()
    idle = 2

    # Ours: the archive on local disk, then on the stack's HDFS (each its own group).
    local = OUT / "archive-local"
    shutil.rmtree(local, ignore_errors=True)
    st.say("shopstream archive -> file://" + str(local))
    a_wall, a_cpu, a_rss, _ = timed([str(BIN), "archive", "--from", uri, "--group", f"{topic}-archive",
                                     "--to", f"file://{local}", "--idle-exit", str(idle)])
    a_rate = n / max(a_wall - idle, 1e-9)
    parquet_bytes = _tree_bytes(local)
    hdfs_path = f"/bench/{topic}"
    st.say(f"shopstream archive -> hdfs://127.0.0.1:9870{hdfs_path}")
    h_wall, h_cpu, h_rss, _ = timed([str(BIN), "archive", "--from", uri, "--group", f"{topic}-hdfs",
                                     "--to", f"hdfs://127.0.0.1:9870{hdfs_path}", "--idle-exit", str(idle)])
    h_rate = n / max(h_wall - idle, 1e-9)

    # Beside it: process on the same topic, raw rows into SQLite, cleaned rows into MariaDB.
    admin = st.MariaDB()
    admin.execute(f"DROP DATABASE IF EXISTS {ARCHIVE_MYSQL_DB}")
    admin.execute(f"CREATE DATABASE {ARCHIVE_MYSQL_DB}")
    admin.close()
    raw = OUT / "archive-process-raw.db"
    for f in OUT.glob(raw.name + "*"):
        f.unlink()
    st.say("shopstream process -> raw sqlite, processed MariaDB")
    m_uri = f"mysql://admin@127.0.0.1:3306/{ARCHIVE_MYSQL_DB}.operations"
    c_wall, c_cpu, c_rss, _ = timed([str(BIN), "process", "--from", uri, "--group", f"{topic}-process",
                                     "--raw", f"sqlite://{raw}", "--processed", m_uri,
                                     "--idle-exit", str(idle)], env=_stores_env())
    c_rate = n / max(c_wall - idle, 1e-9)
    # The bus's own ceiling here: the same topic read and decoded, nothing written.
    st.say("shopstream process --discard (read + decode only)")
    x_wall, x_cpu, _, _ = timed([str(BIN), "process", "--from", uri, "--group", f"{topic}-discard",
                                 "--raw", f"sqlite://{OUT / 'archive-discard.db'}",
                                 "--processed", f"sqlite://{OUT / 'archive-discard.db'}", "--discard",
                                 "--idle-exit", str(idle)])
    x_rate = n / max(x_wall - idle, 1e-9)
    mysql = st.MariaDB(database=ARCHIVE_MYSQL_DB)
    mysql.execute("ANALYZE TABLE operations")
    mysql_bytes = int(mysql.query_one(
        "SELECT data_length + index_length FROM information_schema.tables "
        f"WHERE table_schema = '{ARCHIVE_MYSQL_DB}' AND table_name = 'operations'"))
    raw_bytes = sum(f.stat().st_size for f in OUT.glob(raw.name + "*"))

    # A day: events, purchases and revenue, from the archive (DuckDB) and from MySQL.
    con = duckdb.connect()
    files = f"{local}/event_date=*/*.parquet"
    duck_sql = (f"SELECT count(*), count(*) FILTER (event_type = 'purchase'), "
                f"round(sum(price) FILTER (event_type = 'purchase'), 2) "
                f"FROM read_parquet('{files}', hive_partitioning = true) WHERE event_date = '{day}'")
    d_s, d_res = _best_of(lambda: con.execute(duck_sql).fetchone())
    mysql_sql = (f"SELECT CONCAT_WS(' ', COUNT(*), SUM(event_type = 'purchase'), ROUND(SUM(revenue), 2)) "
                 f"FROM operations WHERE event_time >= '{day} 00:00:00' AND event_time < "
                 f"'{day} 00:00:00' + INTERVAL 1 DAY")
    m_s, m_res = _best_of(lambda: mysql.query_one(mysql_sql))
    mysql.close()
    m_events, m_purchases, m_revenue = m_res.split()
    if (int(m_events), int(m_purchases)) != (d_res[0], d_res[1]) or abs(float(m_revenue) - d_res[2]) > 1:
        raise RuntimeError(f"archive and MySQL disagree about {day}: {d_res} vs {m_res}")
    duck_rows = con.execute(f"SELECT count(*) FROM read_parquet('{files}')").fetchone()[0]
    if duck_rows != n:
        raise RuntimeError(f"the archive holds {duck_rows:,} events of {n:,}")
    if os.environ.get("SHOPSTREAM_BENCH_KEEP") != "1":
        admin = st.MariaDB()
        admin.execute(f"DROP DATABASE IF EXISTS {ARCHIVE_MYSQL_DB}")
        admin.close()
        subprocess.run(["python3", "-c", "import urllib.request as u; u.urlopen(u.Request("
                        f"'http://127.0.0.1:9870/webhdfs/v1{hdfs_path}?op=DELETE&recursive=true&user.name=bench',"
                        " method='DELETE')).read()"], check=False)

    how = (f"{n:,} generated events at the real data set's daily volume (original timestamps), already in a new "
           f"1-partition topic; wall time less the {idle} s idle exit (group join included); "
           f"{load_before} before, {st.load_average()} after")
    return [
        row("archive to local disk (Parquet, zstd), events/s", fmt(a_rate, " ev/s") + f" ({a_cpu:.1f} CPU s, {a_rss:.0f} MiB peak)",
            f"`process` on the same topic (raw SQLite + MariaDB): {fmt(c_rate, ' ev/s')} ({c_cpu:.1f} CPU s, {c_rss:.0f} MiB)",
            f"{a_rate / c_rate:.1f}x", how + "; default rolls (500,000 messages or 5 min)"),
        row("archive to local disk, events per CPU second", fmt(n / a_cpu, " ev/CPU s"),
            f"`process --discard` (read and decode only, nothing written): {fmt(x_rate, ' ev/s')}, "
            f"{fmt(n / x_cpu, ' ev/CPU s')}",
            f"{a_rate / x_rate:.2f}x of the bus's read rate",
            "when the archive's rate is near `process --discard`'s, the bus (one partition, one broker on this "
            "machine) is what limits it, not the archive"),
        row("archive to HDFS (WebHDFS, the stack's single node), events/s", fmt(h_rate, " ev/s") + f" ({h_cpu:.1f} CPU s, {h_rss:.0f} MiB peak)",
            f"archive to local disk: {fmt(a_rate, ' ev/s')}", f"{h_rate / a_rate:.2f}x", how),
        row("bytes per event on disk", f"Parquet archive: {parquet_bytes / n:.1f} B ({parquet_bytes / 1e6:,.0f} MB)",
            f"the CSV: {csv_bytes / n:.1f} B; MariaDB `operations` (cleaned rows, InnoDB data + index): "
            f"{mysql_bytes / n:.1f} B; SQLite raw store: {raw_bytes / n:.1f} B",
            f"{csv_bytes / parquet_bytes:.1f}x smaller than the CSV, {mysql_bytes / parquet_bytes:.1f}x than MariaDB",
            "archive: every column of the raw event plus its bus position; the CSV has no id; MariaDB's rows are "
            "the cleaned ones (8 columns)"),
        row(f"a day's events, purchases and revenue ({day}: {d_res[0]:,} events)",
            f"DuckDB over the day's Parquet folder: {d_s * 1e3:,.1f} ms",
            f"the same query on MariaDB `operations` (WHERE event_time in the day): {m_s * 1e3:,.1f} ms",
            f"{m_s / d_s:,.1f}x faster",
            f"best of 5 after a warm-up; DuckDB {duckdb.__version__} in-process, 2 threads, hive partition pruning; "
            "MariaDB through one client connection, `operations` as `process` creates it (no index on event_time); "
            "both answers checked equal"),
    ]


SECTIONS = {"embedded": ("Embedded mode (no servers)", section_embedded),
            "kafka": ("Kafka (the stack's single broker)", section_kafka),
            "sampling": ("Original system: sampling the month (PySpark sampleBy)", section_sampling),
            "producer": ("Original system: the Kafka producer", section_producer),
            "stream": ("Original system: the streaming job (Spark, Cassandra, MySQL)", section_stream),
            "stores": ("The stores on the real servers (Cassandra, MariaDB)", section_stores),
            "dashboard": ("Dashboard API latency (wrk) beside Superset-style GROUP BY", section_dashboard),
            "superset": ("Apache Superset over MariaDB: the raw rows beside the rollups, and shopstream's board",
                         section_superset),
            "archive": ("The archive: Parquet by day (local disk, HDFS) beside process and MySQL", section_archive),
            "storecore": ("The SQL store core beside the stores it replaced", section_storecore),
            "month": ("The whole month (67.5M events) through the embedded pipeline", section_month),
            "cluster": ("Kafka into Cassandra + MariaDB: the month's first events, a steady 5,000 ev/s",
                        section_cluster)}


def render():
    parts = ["# Benchmarks", "",
             "Written by `bench/run` from the figures it measured (docs/bench/*.json); do not edit by hand.",
             "Each row puts shopstream beside a reference measured in the same run.", ""]
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        parts += [f"## {data['title']}", "", f"Measured {data['date']} on {data['machine']}.", "",
                  "| what | shopstream | reference | ratio | how |", "|---|---|---|---|---|"]
        parts += [f"| {r['what']} | {r['ours']} | {r['reference']} | {r['ratio']} | {r['how']} |" for r in data["rows"]]
        parts.append("")
    (REPO / "docs" / "BENCHMARKS.md").write_text("\n".join(parts))


def main(names):
    if not BIN.exists():
        sys.exit(f"build first: {BIN} is missing (make build)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in names or ["embedded"]:
        title, fn = SECTIONS[name]
        print(f"bench: {name} ...", flush=True)
        rows = fn()
        (RESULTS / f"{name}.json").write_text(json.dumps({
            "title": title, "date": datetime.date.today().isoformat(), "machine": machine(), "rows": rows}, indent=1))
        for r in rows:
            print(f"  {r['what']}: {r['ours']}  [{r['reference']}] {r['ratio']}")
    render()


if __name__ == "__main__":
    main(sys.argv[1:])
