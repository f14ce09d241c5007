"""bench/run producer: the seed's Kafka producer (its per-message work without its sleep, and as
written) beside shopstream produce, on the stack's broker."""
import os
import re
import time

import seed_tools as st
from common import BIN, KAFKA, fmt, goal, row, stack_up, timed


def run():
    """The seed producer's per-message work without its sleep, against shopstream produce."""
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
