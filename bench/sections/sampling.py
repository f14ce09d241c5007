"""bench/run sampling: the seed's first step, PySpark sampleBy over the month's CSV, beside
shopstream sample and `wc -l` reading the same file (../shared/seed, run unchanged)."""
import os
import re

import seed_tools as st
from common import BIN, OUT, fmt, goal, row, timed

SEED_FRACTION = "0.000148"


def run():
    """The seed's first step: PySpark sampleBy over the month's CSV, against shopstream sample
    and against `wc -l` reading the same file."""
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
