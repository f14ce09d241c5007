"""What every benchmark section uses: where the build and the results are, the machine, timing a
command, a result row and its numbers, the stack's servers, and the helpers that more than one
section shares. A section imports this module (and seed_tools), never the runner."""
import datetime
import os
import pathlib
import platform
import re
import subprocess
import time

import seed_tools as st

REPO = pathlib.Path(__file__).resolve().parents[1]
BUILD = pathlib.Path(os.environ.get("SHOPSTREAM_BENCH_BUILD", REPO / "build"))
BIN = BUILD / "src" / "cli" / "shopstream"
OUT = REPO / "bench" / "out"
RESULTS = REPO / "docs" / "bench"
KAFKA = "127.0.0.1:9092"
STORES_MYSQL = "mysql://admin@127.0.0.1:3306"
STORES_CASSANDRA = "cassandra://127.0.0.1:9042"

# Events in the real 2019-Nov.csv: the rate at which the product meets them.
NOV_2019_EVENTS = 67_501_979


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


def goal(ok):
    return "met" if ok else "NOT met"


def stack_up(*services):
    st.say(f"scripts/stack up {' '.join(services)} (reuses servers that are already running)")
    for service in services:
        subprocess.run([str(REPO / "scripts" / "stack"), "up", service], check=True, capture_output=True)


def stores_env():
    """Our binaries' environment: MariaDB's option file, and a Cassandra login when the stack
    asks for one."""
    env = dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=str(REPO / ".cache" / "run" / "mysql.cnf"))
    if os.environ.get("STACK_CASSANDRA_AUTH") == "1":
        user, password = st.cassandra_login()
        env.setdefault("SHOPSTREAM_CASSANDRA_USER", user)
        env.setdefault("SHOPSTREAM_CASSANDRA_PASSWORD", password)
    return env


def at_real_rate(src, dst, n):
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


def generate_at_real_rate(dst, n, seed):
    """`shopstream generate` of n rows squeezed to the real month's rate (at_real_rate) into dst,
    which appears whole or not at all."""
    spread = dst.with_name(dst.name + ".spread")
    timed([str(BIN), "generate", "--rows", str(n), "--seed", str(seed), "-o", str(spread)])
    at_real_rate(spread, str(dst) + ".part", n)
    os.rename(str(dst) + ".part", dst)
    spread.unlink()


def generated_log(data, log, n):
    """An embedded log (sqlite://log) of n generated events (seed 1, the CSV kept in data) with
    their original timestamps, a month, so that the rollups hold a month of buckets. Returns the
    produce's wall seconds."""
    if not data.exists():
        timed([str(BIN), "generate", "--rows", str(n), "--seed", "1", "-o", str(data)])
    wall, _, _, _ = timed([str(BIN), "produce", "-i", str(data), "--to", f"sqlite://{log}",
                           "--speedup", "1000000000000"])
    return wall


def create_tables(raw, processed, env, prefix):
    """`process` over an empty embedded log (OUT/PREFIX-empty-log.db) into the stores, so that
    their tables exist before a timed run (process creates them on start; Cassandra's DDL takes
    seconds)."""
    empty_log = OUT / f"{prefix}-empty-log.db"
    for p in OUT.glob(empty_log.name + "*"):
        p.unlink()
    timed([str(BIN), "process", "--from", f"sqlite://{empty_log}", "--raw", raw, "--processed", processed,
           "--idle-exit", "0.1"], env=env)


def produce_latencies(watcher, already, n, p0, p1):
    """Produce-to-visible seconds of 1,000 events spread over the run; event k's produce time
    interpolated over the producer's run."""
    out = []
    for i in range(1, 1001):
        k = max(1, n * i // 1000)
        out.append(watcher.visible_at(already + k) - (p0 + (p1 - p0) * k / n))
    return out


def stop_process(proc):
    """SIGTERM, then SIGKILL after 30 s; the process only (see stream's _stop_tree for a group)."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def delete_topic(topic):
    """Through kafka-python's admin client (tests/integration/requirements.txt)."""
    from kafka.admin import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=KAFKA, request_timeout_ms=30000)
    try:
        admin.delete_topics([topic])
    finally:
        admin.close()
