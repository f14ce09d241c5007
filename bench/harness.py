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


def section_embedded():
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
                                "--benchmark_min_time=1"])
    results = {b["name"]: b for b in json.loads(bench_out)["benchmarks"]}
    for name, label in (("BM_Decode", "JSON decode"), ("BM_DecodeAndClean", "JSON decode + cleaning")):
        rate = results[name]["items_per_second"]
        rows.append(row(f"{label}, events/s per core", fmt(rate, " ev/s"), "goal 1M ev/s",
                        f"{rate / 1e6:.2f}x of goal", "Google Benchmark (bench/codec_bench) on the 10K sample's rows as seed-format messages"))

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
    rows.append(row("embedded produce --rate max, events/s", fmt(events / p_wall, " ev/s"), "", "",
                    f"{events:,} events from the generated file into the SQLite log"))
    rows.append(row("embedded process, events/s (raw + cleaned + rollups + offsets)",
                    fmt(c_rate, " ev/s"), f"SQLite alone inserting the raw rows: {fmt(ref_rate, ' rows/s')}",
                    f"{c_rate / ref_rate:.2f}x of SQLite's raw insert rate; goal ≥ 100,000 ev/s: " + ("met" if c_rate >= 1e5 else "NOT met"),
                    f"{events:,} events already in the log; wall time less the 0.5 s idle exit; {c_cpu:.1f} CPU s"))
    rows.append(row("embedded process, peak resident memory", fmt(c_rss, " MiB"), "goal < 100 MiB",
                    "met" if c_rss < 100 else "NOT met", "ru_maxrss of the process"))

    for p in OUT.glob("e2e-*"):
        p.unlink()
    start = time.perf_counter()
    consumer = subprocess.Popen([str(BIN), "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
                                 "--processed", f"sqlite://{store}", "--idle-exit", "0.5"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([str(BIN), "produce", "-i", str(data), "--to", f"sqlite://{log}", "--rate", "max",
                    "--count", str(events)], check=True, capture_output=True)
    consumer.wait()
    both = time.perf_counter() - start - 0.5
    rows.append(row("embedded end to end, produce and process at once, events/s", fmt(events / both, " ev/s"),
                    "", "goal ≥ 100,000 ev/s: " + ("met" if events / both >= 1e5 else "NOT met"),
                    f"{events:,} events, both processes started together on 2 cores; until the last row is committed"))
    return rows


SECTIONS = {"embedded": ("Embedded mode (no servers)", section_embedded)}


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
