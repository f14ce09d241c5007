"""bench/run chaos: a seeded schedule of faults over every tier of the replicated cluster
(`scripts/stack up cluster`) under a steady stream, two `process` instances in one group, then
`shopstream verify`. One fault at a time, so at most one node per tier is down; one scenario
takes two Cassandra nodes down at once (the processors must wait, not lose).

Settings (environment): SHOPSTREAM_CHAOS_SEED (random when unset; printed), _FAULTS (30),
_RATE (2000 ev/s), _PAUSE (20 s), _GAP (15 s between faults). Resume time: from the fault to
the first batch committed after it: the sum of the stored offsets (Galera's stream_offsets, a
few rows, polled every 0.25 s). Counting the rows table instead scanned a million rows per poll
and, at a load of 25, took up to 30 s itself."""
import json
import os
import pathlib
import random
import signal
import subprocess
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
STACK = REPO / "scripts" / "stack"
OPTION_FILE = REPO / ".cache" / "run" / "cluster" / "galera.cnf"
NODES = [f"127.0.0.{i}" for i in (1, 2, 3)]
BUS_HOSTS = ",".join(f"{h}:19092" for h in NODES)
CQL_HOSTS = ",".join(f"{h}:19042" for h in NODES)
SQL_HOSTS = ",".join(f"{h}:13306" for h in NODES)


def stack(*args):
    r = subprocess.run([str(STACK), *args], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"scripts/stack {' '.join(args)}: {r.stdout}{r.stderr}")


def galera(sql, database="ecommerce"):
    for host in NODES:
        r = subprocess.run(["mariadb", f"--defaults-extra-file={OPTION_FILE}", f"--host={host}",
                            "--connect-timeout=2", "--batch", "--skip-column-names", database, "-e", sql],
                           capture_output=True, text=True, timeout=30)
        if r.returncode == 0:
            return r.stdout.split()
    return None


class Run:
    def __init__(self, binary, sample_zip, seed, rate, log_dir):
        self.bin, self.tag = str(binary), f"chaos_{seed}_{int(time.time())}"
        self.database = f"ecommerce_test_{self.tag}"
        self.bus = f"kafka://{BUS_HOSTS}/{self.tag}"
        self.raw = f"cassandra://{CQL_HOSTS}/{self.tag}.operations"
        self.processed = f"mysql://admin@{SQL_HOSTS}/{self.database}.operations"
        self.env = dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=str(OPTION_FILE))
        self.log_dir, self.sample_zip, self.rate = log_dir, sample_zip, rate
        self.processors = [None, None]
        galera(f"CREATE DATABASE {self.database}")

    def start_producer(self):
        self.producer = self._spawn("produce", ["produce", "-i", self.sample_zip, "--to", self.bus, "--rate",
                                                str(self.rate), "--loop", "--partitions", "6"])

    def start_processor(self, i):
        # A killed member's partitions wait for its session to time out (45 s by default).
        # Cooperative rebalancing moves only the partitions that change owner, so the
        # survivor keeps consuming while a dead member's or broker's share moves.
        source = (self.bus + "?rdkafka.session.timeout.ms=10000&rdkafka.heartbeat.interval.ms=1000"
                  "&rdkafka.partition.assignment.strategy=cooperative-sticky")
        self.processors[i] = self._spawn(f"process-{i}", ["process", "--from", source, "--group", self.tag,
                                                          "--raw", self.raw, "--processed", self.processed])

    def _spawn(self, name, args):
        log = open(self.log_dir / f"{name}.log", "a")
        return subprocess.Popen([self.bin, *args], stdout=log, stderr=subprocess.STDOUT, env=self.env)

    def rows(self):
        """Messages committed so far (stored or dead-lettered): the offsets the store holds."""
        out = galera(f"SELECT COALESCE(SUM(next_offset), 0) FROM stream_offsets WHERE stream = '{self.tag}'",
                     self.database)
        return int(out[0]) if out else None


def measure_resume(run, since, limit):
    """Seconds from `since` until the rows grow past their count now; None if they do not
    within `limit` seconds from now (a node's own restart is not counted against the limit)."""
    base = run.rows() or 0
    return resume_after(run, since, limit, base)


def resume_after(run, since, limit, base):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        n = run.rows()
        if n is not None and n > base:
            return time.monotonic() - since
        time.sleep(0.25)
    return None


def heal():
    """After a `scripts/stack` call failed mid-fault: resume and start whatever node is down, so
    that the schedule goes on with a whole cluster (and the run is drained and verified)."""
    for node in [f"{tier}-{i}" for tier in ("kafka", "cassandra", "galera") for i in (1, 2, 3)]:
        subprocess.run([str(STACK), "fault", "resume", node], capture_output=True, timeout=120)
    stack("up", "cluster")


def caught_up(run):
    """True once `shopstream status` finds every partition's stored offset at the bus's end."""
    r = subprocess.run([run.bin, "status", "--processed", run.processed, "--from", run.bus, "--json"],
                       capture_output=True, text=True, env=run.env, timeout=120)
    if r.returncode != 0:
        return False
    streams = [s for s in json.loads(r.stdout)["streams"] if s["stream"] == run.tag]
    parts = streams[0]["partitions"] if streams else []
    return len(parts) == 6 and all(p["lag"] == 0 for p in parts)


def one_fault(run, rng, kind, pause):
    """Injects one fault; returns (what, resume seconds or None, rows during, seconds during)."""
    tier = rng.choice(["kafka", "cassandra", "galera", "processor"])
    start_rows, start = run.rows() or 0, time.monotonic()
    if tier == "processor":
        i = rng.randrange(2)
        run.processors[i].send_signal(signal.SIGKILL)
        run.processors[i].wait()
        what = f"kill -9 processor {i + 1}, started again at once"
        run.start_processor(i)
        resumed = measure_resume(run, start, 120)
    else:
        node = f"{tier}-{rng.randint(1, 3)}"
        if kind == "pause":
            stack("fault", "pause", node)
            resumed = measure_resume(run, start, pause)
            time.sleep(max(0.0, pause - (time.monotonic() - start)))
            stack("fault", "resume", node)
            what = f"pause {node} for {pause} s"
        elif kind == "kill":
            stack("fault", "kill", node)
            resumed = measure_resume(run, start, 120)
            stack("fault", "restart", node)
            what = f"kill -9 {node}, restarted once rows flowed again"
        else:
            # The node starts again while the rows are polled: the other two carry the stream
            # meanwhile, and the node's own start (12 to 40 s here) is not the time to resume.
            stack("fault", "kill", node)
            base = run.rows() or 0
            restarting = subprocess.Popen([str(STACK), "fault", "restart", node], stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True)
            resumed = resume_after(run, start, 120, base)
            out, _ = restarting.communicate(timeout=900)
            if restarting.returncode != 0:
                raise RuntimeError(f"scripts/stack fault restart {node}: {out}")
            what = f"kill -9 {node} and restart at once"
    during = time.monotonic() - start
    return what, resumed, (run.rows() or start_rows) - start_rows, during


def revive_exited(run):
    """A processor that exited by itself (not killed by the schedule) is a finding: named in the
    table's note, and started again so that the schedule goes on with two."""
    found = []
    for i, p in enumerate(run.processors):
        if p.poll() is not None:
            found.append(f"processor {i + 1} had exited ({p.returncode}), see process-{i}.log")
            run.start_processor(i)
    return "; ".join(found)


def two_cassandra_down(run):
    """cassandra-2 and -3 down: QUORUM cannot be met, the processors wait (backoff); both must
    still run and nothing be dead-lettered; after the restarts they resume by themselves."""
    start = time.monotonic()
    stack("fault", "kill", "cassandra-2")
    stack("fault", "kill", "cassandra-3")
    time.sleep(20)  # the outage itself: its length is the scenario, not a wait for a condition
    alive = all(p.poll() is None for p in run.processors)
    stack("fault", "restart", "cassandra-2")
    resumed = measure_resume(run, time.monotonic(), 180)
    stack("fault", "restart", "cassandra-3")
    dead = galera("SELECT COUNT(*) FROM dead_letters", run.database)
    what = "kill -9 cassandra-2 and cassandra-3 for 20 s (two of three down)"
    note = f"processors {'alive' if alive else 'EXITED'}, {dead[0] if dead else '?'} dead letters"
    return what, resumed, note, time.monotonic() - start


def section_chaos(binary, sample_zip, results_dir):
    seed = int(os.environ.get("SHOPSTREAM_CHAOS_SEED") or random.SystemRandom().randrange(1, 10**6))
    faults = int(os.environ.get("SHOPSTREAM_CHAOS_FAULTS", "30"))
    rate = int(os.environ.get("SHOPSTREAM_CHAOS_RATE", "2000"))
    pause = int(os.environ.get("SHOPSTREAM_CHAOS_PAUSE", "20"))
    gap = int(os.environ.get("SHOPSTREAM_CHAOS_GAP", "15"))
    print(f"chaos: seed {seed} (SHOPSTREAM_CHAOS_SEED={seed} replays this schedule), {faults} faults, "
          f"{rate} ev/s", flush=True)
    rng = random.Random(seed)
    log_dir = results_dir / f"chaos-{seed}"
    log_dir.mkdir(parents=True, exist_ok=True)
    stack("up", "cluster")
    run = Run(binary, sample_zip, seed, rate, log_dir)
    run.start_producer()
    # The producer creates the topic with 6 partitions; a consumer (or a metadata request for
    # the topic) first would have the brokers create it with their default of 3.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and f'topic "{run.tag}" with 6 partitions' not in subprocess.run(
            ["kcat", "-L", "-b", BUS_HOSTS], capture_output=True, text=True).stdout:  # (-t would create it)
        time.sleep(0.5)
    run.start_processor(0)
    run.start_processor(1)
    table = []
    began = time.monotonic()
    try:
        if measure_resume(run, time.monotonic(), 300) is None:
            raise RuntimeError("no rows within 300 s of the start")
        two_down_at = rng.randrange(faults)
        for i in range(faults):
            if run.producer.poll() is not None:  # no stream left to measure faults against
                table.append((f"the producer exited ({run.producer.returncode}): schedule stopped",
                              None, None, 0, "see produce.log"))
                break
            before, t0 = run.rows() or 0, time.monotonic()
            time.sleep(gap)  # steady flow between faults: the baseline the faults are compared with
            between = ((run.rows() or before) - before) / (time.monotonic() - t0)
            kind = rng.choice(["kill", "pause", "restart"])
            try:
                if i == two_down_at:
                    what, resumed, note, during = two_cassandra_down(run)
                    table.append((what, resumed, None, between, "; ".join(filter(None, [note, revive_exited(run)]))))
                else:
                    what, resumed, rows, during = one_fault(run, rng, kind, pause)
                    table.append((what, resumed, rows / during if during else 0, between, revive_exited(run)))
            except (RuntimeError, subprocess.TimeoutExpired) as failed:
                # The stack itself failed (a node that would not come back in time): said in the
                # table, healed, and the schedule goes on; the run still ends in verify.
                what, resumed = f"fault {i + 1}: scripts/stack failed", None
                table.append((what, None, None, between, str(failed).splitlines()[0][:200]))
                try:
                    heal()
                except (RuntimeError, subprocess.TimeoutExpired) as unhealed:
                    table.append(("the cluster could not be made whole: schedule stopped", None, None, 0,
                                  str(unhealed).splitlines()[0][:200]))
                    break
            print(f"  {i + 1}: {what}: resumed in {resumed if resumed is None else round(resumed, 1)} s", flush=True)
        if run.producer.poll() is None:
            run.producer.send_signal(signal.SIGTERM)
        run.producer.wait(timeout=120)
        # Caught up: every partition's stored offset at the bus's end (not --idle-exit, which
        # would also stop a restarted processor that is still waiting for partitions), so that
        # verify's "missing" means lost, not late. Bounded by 30 minutes.
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline and not caught_up(run):
            time.sleep(2)
        for p in run.processors:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=120)
    finally:
        for p in [run.producer, *run.processors]:
            if p and p.poll() is None:
                p.kill()
    v = subprocess.run([run.bin, "verify", "--from", run.bus, "--raw", run.raw, "--processed", run.processed,
                        "--json"], capture_output=True, text=True, env=run.env, timeout=3600)
    report = json.loads(v.stdout) if v.stdout.strip() else {"ok": False, "error": v.stderr.strip()}
    (log_dir / "verify.json").write_text(json.dumps(report, indent=1))
    lines = [f"Seed {seed}, {faults} faults, {rate} ev/s offered into 6 partitions, two processors; "
             f"{time.monotonic() - began:.0f} s; verify: exit {v.returncode}, "
             f"{report.get('messages', '?')} messages, {report.get('stored_once', '?')} stored once, "
             f"{report.get('missing', '?')} missing, {report.get('duplicated', '?')} duplicated, "
             f"{report.get('dead_letters', '?')} dead letters.", "",
             "| # | fault | resumed (first commit after it) | messages/s committed during | before it | note |",
             "| --- | --- | --- | --- | --- | --- |"]
    for i, (what, resumed, during, between, note) in enumerate(table, 1):
        lines.append(f"| {i} | {what} | {'not within the limit' if resumed is None else f'{resumed:.1f} s'} | "
                     f"{'-' if during is None else f'{during:,.0f}'} | {between:,.0f} | {note} |")
    (log_dir / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    galera(f"DROP DATABASE IF EXISTS {run.database}")
    return report, lines


def run():
    import seed_tools as st
    from common import BIN, OUT, row
    report, lines = section_chaos(BIN, str(st.SAMPLE_ZIP), OUT)
    return [row("fault run: " + lines[0].split(";")[0], "verify " + ("OK" if report.get("ok") else "FAILED"),
                f"{report.get('missing', '?')} missing, {report.get('duplicated', '?')} duplicated", "",
                lines[0])]
