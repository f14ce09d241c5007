"""bench/run stream: the seed's Spark streaming job (unchanged, spark-submit) beside shopstream
process, on the same Kafka, Cassandra and MariaDB with the same events: rate, CPU, latency, memory."""
import datetime
import json
import os
import signal
import subprocess
import time

import seed_tools as st
from common import BIN, KAFKA, OUT, REPO, fmt, goal, produce_latencies, row, stack_up


def _send_probe(topic, k):
    message = json.dumps({"event_time": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f"),
                          "event_type": "view", "product_id": 1, "category_id": 1, "category_code": "probe.probe",
                          "brand": "probe", "price": 1.0, "user_id": 1, "user_session": "probe",
                          "id": f"{st.PROBE_PREFIX}{k:012d}"})
    subprocess.run(["kcat", "-P", "-b", KAFKA, "-t", topic], input=message + "\n", text=True, check=True,
                   capture_output=True)


def _wait_until_consuming(proc, topic, mysql, timeout):
    """Sends probe messages until one shows up in MySQL: then the query has its offsets and
    everything produced from now on will be processed (the seed starts at 'latest')."""
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
    latencies = produce_latencies(processed, 0, n, p0, p1)
    paced = _measure_paced(label, topic, mysql, n, timeout)
    rss = st.tree_peak_rss_mib(proc.pid)
    return {"rate": n / (max(done_mysql, done_raw) - p0), "cpu": cpu, "rss": rss, "produce_s": p1 - p0,
            "p50": st.percentile(latencies, 50), "p99": st.percentile(latencies, 99), "names": names,
            "paced": paced}


def _stream_pace():
    return (int(os.environ.get("SHOPSTREAM_BENCH_STREAM_PACED_RATE", "500")),
            int(os.environ.get("SHOPSTREAM_BENCH_STREAM_PACED_EVENTS", "10000")))


def _measure_paced(label, topic, mysql, already, timeout):
    """After the burst: events at a steady rate that both systems keep up with, the normal
    case of a store's stream, so that the latency is the system's and not a queue's."""
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
    latencies = produce_latencies(processed, already, m, p0, p1)
    return {"p50": st.percentile(latencies, 50), "p99": st.percentile(latencies, 99)}


def run():
    """The seed's Spark job (data_processing.py, unchanged, spark-submit) against shopstream
    process, on the same Kafka, Cassandra and MariaDB, with the same events."""
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
