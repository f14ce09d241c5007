"""bench/run embedded: generate, CSV parsing, the codec, and the embedded pipeline (SQLite log
into SQLite stores), each beside a reference measured in the same run (wc -l, simdjson, SQLite's
own insert rate); no servers."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time

from common import BIN, BUILD, OUT, fmt, goal, row, timed


# Allocator functions as perf names them (glibc's malloc and free and their helpers, SQLite's
# wrappers of them, C++'s operator new and delete).
ALLOCATOR_SYMBOLS = re.compile(r"^(malloc|free|cfree@\S*|_int_malloc|_int_free|_int_realloc|realloc|calloc|"
                               r"malloc_consolidate|unlink_chunk\S*|tcache\S*|sqlite3Malloc\S*|sqlite3_free|"
                               r"sqlite3DbFree\S*|sqlite3_malloc\S*|sqlite3MemMalloc|sqlite3MemFree|operator new\S*|"
                               r"operator delete\S*)$")


def _embedded_profile(log, store, events):
    """perf's view of one more `process` run: the allocator's share of the samples and the top
    symbols, for the notes. None where perf cannot sample."""
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


def run():
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
                    f"{c_rate / ref_rate:.2f}x of SQLite's raw insert rate; goals ≥ 0.4x: {goal(c_rate >= 0.4 * ref_rate)}, "
                    f"≥ 112,000 ev/s (the rate before the board's tables): {goal(c_rate >= 112e3)}",
                    f"{events:,} events already in the log, raw and processed stores in one SQLite file; wall time "
                    f"less the 0.5 s idle exit; best of 3 runs each, alternating (ours: "
                    + ", ".join(fmt(r) for r in c_runs) + "; reference: " + ", ".join(fmt(r) for r in ref_runs)
                    + f"); {c_cpu:.1f} CPU s in the first; all {stored:,} rows counted; "
                    "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())))
    if profile_row:
        rows.append(profile_row)
    rows.append(row("embedded process, peak resident memory", fmt(c_rss, " MiB"), "goal < 64 MiB",
                    "met" if c_rss < 64 else "NOT met", "ru_maxrss of the process"))

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
    stored = sqlite3.connect(store).execute("SELECT count(*) FROM operations").fetchone()[0]
    if stored != events:
        raise RuntimeError(f"end to end: {stored} rows stored of {events} events")
    rows.append(row("embedded end to end, produce and process at once, events/s", fmt(events / both, " ev/s"),
                    "", "goal ≥ 100,000 ev/s: " + ("met" if events / both >= 1e5 else "NOT met"),
                    f"{events:,} events, both processes started together on 2 cores; until the last row is "
                    f"committed (all {stored:,} rows checked), wall less the {idle:.0f} s idle exit"))
    return rows
