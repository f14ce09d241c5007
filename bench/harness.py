"""Benchmark harness: each section measures shopstream beside a reference in the same run,
stores its figures in docs/bench/SECTION.json, and docs/BENCHMARKS.md is rendered from all
stored sections (so a section re-run on its own keeps the others). What a table cannot say
(how a figure was taken by hand, why a goal is not met) goes in docs/bench/notes/SECTION.md,
which is printed under that section's table and survives every re-run. The sections are the
modules of bench/sections/, each with a run() that returns its rows; this runner imports only
the ones asked for."""
import datetime
import importlib
import json
import sys

from common import BIN, REPO, RESULTS, machine

SECTIONS = {"embedded": "Embedded mode (no servers)",
            "kafka": "Kafka (the stack's single broker)",
            "sampling": "Original system: sampling the month (PySpark sampleBy)",
            "producer": "Original system: the Kafka producer",
            "stream": "Original system: the streaming job (Spark, Cassandra, MySQL)",
            "stores": "The stores on the real servers (Cassandra, MariaDB)",
            "dashboard": "Dashboard API latency (wrk) beside Superset-style GROUP BY",
            "superset": "Apache Superset over MariaDB: the raw rows beside the rollups, and shopstream's board",
            "archive": "The archive: Parquet by day (local disk, HDFS) beside process and MySQL",
            "storecore": "The SQL store core beside the stores it replaced",
            "month": "The whole month (67.5M events) through the embedded pipeline",
            "cluster": "Kafka into Cassandra + MariaDB: the month's first events, a steady 5,000 ev/s",
            "chaos": "Faults over the replicated cluster (scripts/stack up cluster), checked by verify",
            "deadletters": "Dead letters: replay beside process of the same messages"}


def rendered():
    """docs/BENCHMARKS.md as the figures and notes make it."""
    parts = ["# Benchmarks", "",
             "Written by `bench/run` from the figures it measured (docs/bench/*.json); do not edit by hand.",
             "Each row puts shopstream beside a reference measured in the same run;",
             "the paragraphs under a table come from docs/bench/notes/.", ""]
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        parts += [f"## {data['title']}", "", f"Measured {data['date']} on {data['machine']}.", "",
                  "| what | shopstream | reference | ratio | how |", "|---|---|---|---|---|"]
        parts += [f"| {r['what']} | {r['ours']} | {r['reference']} | {r['ratio']} | {r['how']} |" for r in data["rows"]]
        parts.append("")
        notes = RESULTS / "notes" / f"{path.stem}.md"
        if notes.exists():
            parts += [notes.read_text().rstrip("\n"), ""]
    return "\n".join(parts)


def render():
    (REPO / "docs" / "BENCHMARKS.md").write_text(rendered())


def check():
    """Exit 1 when docs/BENCHMARKS.md was edited by hand: figures belong in docs/bench/*.json and
    prose in docs/bench/notes/, or the next `bench/run` drops them."""
    if (REPO / "docs" / "BENCHMARKS.md").read_text() == rendered():
        return
    sys.exit("docs/BENCHMARKS.md differs from its render: put figures into docs/bench/SECTION.json and prose "
             "into docs/bench/notes/SECTION.md, then `bench/run --render`")


def usage(stream=sys.stderr):
    print("usage: bench/run [SECTION...]   (default: embedded)\n"
          "       bench/run --render   rewrite docs/BENCHMARKS.md from docs/bench/ without measuring\n"
          "       bench/run --check    exit 1 if docs/BENCHMARKS.md is not its render (make test)\n"
          "sections:", file=stream)
    for name, title in SECTIONS.items():
        print(f"  {name:<10} {title}", file=stream)


def main(names):
    if any(n in ("-h", "--help", "help") for n in names):
        usage(sys.stdout)
        return
    if names == ["--check"]:
        return check()
    if names == ["--render"]:
        return render()
    # Checked before anything runs, so that a typo in the third name does not cost two sections.
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        print(f"bench/run: unknown section {', '.join(repr(n) for n in unknown)}", file=sys.stderr)
        usage()
        sys.exit(2)
    if not BIN.exists():
        sys.exit(f"build first: {BIN} is missing (make build)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in names or ["embedded"]:
        title = SECTIONS[name]
        print(f"bench: {name} ...", flush=True)
        rows = importlib.import_module(f"sections.{name}").run()
        (RESULTS / f"{name}.json").write_text(json.dumps({
            "title": title, "date": datetime.date.today().isoformat(), "machine": machine(), "rows": rows}, indent=1))
        for r in rows:
            print(f"  {r['what']}: {r['ours']}  [{r['reference']}] {r['ratio']}")
    render()


if __name__ == "__main__":
    main(sys.argv[1:])
