"""shopstream on the replicated cluster (`scripts/stack up cluster`): a steady stream through
3 Kafka brokers into 3 Cassandra nodes (raw, replication factor 3) and a 3-node Galera cluster
(processed, through a multi-host mysql:// URI), while one node of each tier is killed with
SIGKILL and started again. After each kill the pipeline must store 500 more rows before the node is started again; in the end
`shopstream verify` must find every message stored once (or dead-lettered), and the rollups
equal to a recount. Opt-in: label `replicated` (scripts/run-tests runs it when
SHOPSTREAM_REPLICATED=on)."""
import json
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import REPO, run

NODES = [f"127.0.0.{i}" for i in (1, 2, 3)]
KAFKA = ",".join(f"{h}:19092" for h in NODES)
CASSANDRA = ",".join(f"{h}:19042" for h in NODES)
GALERA = ",".join(f"{h}:13306" for h in NODES)
OPTION_FILE = REPO / ".cache" / "run" / "cluster" / "galera.cnf"
STACK = REPO / "scripts" / "stack"


def require_cluster():
    for host in NODES:
        for port in (19092, 19042, 13306):
            try:
                socket.create_connection((host, port), timeout=2).close()
            except OSError:
                message = f"!!! nothing listens on {host}:{port}: run `scripts/stack up cluster`"
                if os.environ.get("CI") == "true":
                    pytest.fail(message)
                pytest.skip(message)


def galera(sql, database="ecommerce"):
    """Runs `sql` on the first Galera node that answers (the mariadb client, independent)."""
    last = None
    for host in NODES:
        r = subprocess.run(["mariadb", f"--defaults-extra-file={OPTION_FILE}", f"--host={host}",
                            "--connect-timeout=3", "--batch", "--skip-column-names", database,
                            "-e", sql], capture_output=True, text=True, timeout=60)
        if r.returncode == 0:
            return [line.split("\t") for line in r.stdout.splitlines()]
        last = r.stderr
    raise AssertionError(f"no Galera node answered: {last}")


def rows(database):
    try:
        return int(galera("SELECT COUNT(*) FROM operations", database)[0][0])
    except (AssertionError, IndexError):
        return -1  # the table may not exist yet


def wait_for_rows(database, at_least, timeout, processes):
    """Bounded poll: until the store holds `at_least` rows; fails if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in processes:
            assert p.poll() is None, f"{p.args[1]} exited with {p.returncode}"
        n = rows(database)
        if n >= at_least:
            return n
        time.sleep(0.5)
    raise AssertionError(f"fewer than {at_least} rows after {timeout} s (have {rows(database)})")


def stack(*args):
    r = subprocess.run([str(STACK), *args], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def galera_run(prefix):
    """A run's names: a tag, a fresh Galera database of that tag, the environment that reaches
    it, the cluster's topic of that tag and the processed store's URI."""
    tag = f"{prefix}_{os.getpid()}_{int(time.time())}"
    database = f"ecommerce_test_{tag}"
    galera(f"CREATE DATABASE {database}")
    env = dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=str(OPTION_FILE))
    return tag, database, env, f"kafka://{KAFKA}/{tag}", f"mysql://admin@{GALERA}/{database}.operations"


def test_one_kill_per_tier_loses_and_doubles_nothing(shopstream_bin, sample_zip, tmp_path):
    require_cluster()
    tag, database, env, bus, processed = galera_run("repl")
    raw = f"cassandra://{CASSANDRA}/{tag}.operations"
    started = time.monotonic()
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("produce", "process")}
    producer = subprocess.Popen([shopstream_bin, "produce", "-i", sample_zip, "--to", bus, "--rate", "200",
                                 "--loop", "--partitions", "6"], stdout=logs["produce"],
                                stderr=subprocess.STDOUT, env=env)
    # The producer creates the topic with 6 partitions; the consumer first would have the brokers
    # create it with their default of 3. (kcat -L -t TOPIC would create it too: list them all.)
    deadline = time.monotonic() + 120
    while f'topic "{tag}" with 6 partitions' not in subprocess.run(
            ["kcat", "-L", "-b", KAFKA], capture_output=True, text=True, timeout=60).stdout:
        assert time.monotonic() < deadline and producer.poll() is None, "the producer made no topic"
        time.sleep(0.5)
    processor = subprocess.Popen([shopstream_bin, "process", "--from", bus, "--group", tag, "--raw", raw,
                                  "--processed", processed, "--idle-exit", "20"], stdout=logs["process"],
                                 stderr=subprocess.STDOUT, env=env)
    faults = []
    try:
        n = wait_for_rows(database, 500, 180, [producer, processor])
        # galera-1 is the node the store's first connection uses: its death moves the store.
        for node in ("kafka-2", "cassandra-2", "galera-1"):
            stack("fault", "kill", node)
            killed_at = time.monotonic()
            after = wait_for_rows(database, n + 500, 180, [producer, processor])
            resumed = time.monotonic() - killed_at
            stack("fault", "restart", node)
            faults.append((node, round(resumed, 1)))
            n = wait_for_rows(database, after + 300, 180, [producer, processor])
        producer.send_signal(signal.SIGTERM)
        assert producer.wait(timeout=120) == 128 + signal.SIGTERM  # stopped on the signal
        assert processor.wait(timeout=600) == 0
    finally:
        for p in (producer, processor):
            if p.poll() is None:
                p.kill()
                p.wait()
        for f in logs.values():
            f.close()
        status = stack("status", "cluster").splitlines()
        for node in ("kafka-2", "cassandra-2", "galera-1"):
            if f"{node:<12} stopped" in status:
                stack("fault", "restart", node)

    r = run([shopstream_bin, "verify", "--from", bus, "--raw", raw, "--processed", processed, "--json"],
            env=env)
    report = json.loads(r.stdout)
    print(f"faults (node, seconds to 500 more rows): {faults}; whole test "
          f"{time.monotonic() - started:.0f} s; verify: {r.stdout.strip()}")
    assert r.returncode == 0, r.stdout + r.stderr + (tmp_path / "process.log").read_text()[-3000:]
    assert report["missing"] == 0 and report["duplicated"] == 0
    assert report["messages"] >= n and report["stored_once"] == report["messages"]
    galera(f"DROP DATABASE IF EXISTS {database}")
    run([shopstream_bin, "cql", "--to", f"cassandra://{CASSANDRA}", f"DROP KEYSPACE IF EXISTS {tag}"])
