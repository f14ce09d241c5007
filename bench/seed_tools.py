"""Helpers for the benchmark sections that run the original system (the seed's scripts under
PySpark and kafka-python) beside shopstream: the reference virtualenv, process-tree CPU and
memory from /proc, and row counters that poll MySQL, Cassandra or SQLite while a run goes on."""
import os
import pathlib
import sqlite3
import subprocess
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]

def _shared():
    """../shared beside the repository; a git worktree one level deeper looks one level up."""
    for folder in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if folder.is_dir():
            return folder
    return REPO.parent / "shared"


SHARED = _shared()
SEED = SHARED / "seed"
SAMPLE_ZIP = SHARED / "data" / "2019-Nov_10KSample.zip"
REFERENCE = REPO / "bench" / "reference"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Probe messages carry ids in this UUID range, so counts can leave them out.
PROBE_PREFIX = "00000000-0000-4000-8000-"


def say(text):
    print(f"  {text}", flush=True)


def load_average():
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def reference_python():
    """Installs (idempotently) and returns the virtualenv's python for PySpark and kafka-python."""
    say("bench/setup-reference (PySpark, kafka-python, pandas in .cache/reference-venv)")
    out = subprocess.run([str(REPO / "bench" / "setup-reference")], check=True, capture_output=True, text=True)
    return pathlib.Path(out.stdout.strip().splitlines()[-1])


def reference_env(python):
    env = dict(os.environ)
    env["PYSPARK_PYTHON"] = str(python)
    env["PYSPARK_DRIVER_PYTHON"] = str(python)
    env["PATH"] = f"{python.parent}:{env['PATH']}"
    env["SPARK_LOCAL_IP"] = "127.0.0.1"  # Spark's driver and block manager stay on loopback
    return env


def _children():
    parent_of = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = pathlib.Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent_of[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parent_of


def process_tree(root):
    parent_of = _children()
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parent_of.items() if parent in frontier]
        tree += frontier
    return tree


def tree_cpu_seconds(root):
    total = 0.0
    for pid in process_tree(root):
        try:
            fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    return total


def tree_peak_rss_mib(root):
    """Sum of the peak resident sizes (VmHWM) of the live processes under root."""
    total = 0
    for pid in process_tree(root):
        try:
            for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def tree_names(root):
    names = []
    for pid in process_tree(root):
        try:
            names.append(pathlib.Path(f"/proc/{pid}/comm").read_text().strip())
        except OSError:
            pass
    return names


class PipedClient:
    """A database's command-line client kept running, reading statements from a pipe: a marker
    row after each statement tells where its output ends. Subclasses start `self.proc`."""
    name = "client"

    def query_one(self, sql):
        self.proc.stdin.write(sql.rstrip(";") + ";\nSELECT '--end--';\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{self.name} exited: " + self.proc.stderr.read()[-500:])
            if line.strip() == "--end--":
                return lines[0].strip() if lines else ""
            lines.append(line)

    def execute(self, sql):
        self.query_one(sql)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


class MariaDB(PipedClient):
    """One long-lived `mariadb` client in batch mode, reading statements from a pipe, so that
    polling a count every 100 ms costs one query, not one process start."""
    name = "mariadb client"

    def __init__(self, database="ecommerce", local_infile=False):
        option_file = REPO / ".cache" / "run" / "mysql.cnf"
        # local_infile: LOAD DATA LOCAL INFILE may read files on this side (benchmark references).
        self.proc = subprocess.Popen(
            ["mariadb", f"--defaults-extra-file={option_file}", "-B", "-N", "-n",
             f"--local-infile={int(local_infile)}", database],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)



def psql(database, sql, env):
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-U", "shopstream", "-d", database, "-At",
                        "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, env=env, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {r.stderr[-500:]}")
    return r.stdout.strip()


class Postgres(PipedClient):
    """One long-lived `psql` reading statements from a pipe, as MariaDB above, on a database of the
    stack's PostgreSQL (made when missing); `env` holds the stack's PGPASSFILE."""
    name = "psql"

    def __init__(self, database, env):
        if psql("ecommerce", f"SELECT COUNT(*) FROM pg_database WHERE datname = '{database}'", env) == "0":
            psql("ecommerce", f"CREATE DATABASE {database}", env)
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-h", "127.0.0.1", "-U", "shopstream", "-d", database, "-At"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, env=env)


    @staticmethod
    def drop(database, env):
        psql("ecommerce", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", env)


def cassandra_login():
    """scripts/stack's login for a Cassandra started with STACK_CASSANDRA_AUTH=1."""
    return os.environ.get("STACK_CASSANDRA_USER", "cassandra"), os.environ.get("STACK_CASSANDRA_PASSWORD", "cassandra")


def spark_conf_dir():
    """A SPARK_CONF_DIR whose spark-defaults.conf gives the Cassandra connector the same login,
    so that the seed's script runs unchanged against a node with authentication on (a file,
    mode 600, keeps the password off the command line)."""
    folder = REPO / ".cache" / "spark-conf"
    folder.mkdir(parents=True, exist_ok=True)
    user, password = cassandra_login()
    conf = folder / "spark-defaults.conf"
    conf.touch(mode=0o600)
    conf.chmod(0o600)
    conf.write_text("spark.ui.enabled false\n"  # no web UI listening during a benchmark
                    f"spark.cassandra.auth.username {user}\nspark.cassandra.auth.password {password}\n")
    return folder


class Cassandra:
    def __init__(self):
        from cassandra.cluster import Cluster  # cassandra-driver, from tests/integration/requirements.txt

        from cassandra.auth import PlainTextAuthProvider

        # Only used when the node asks (scripts/stack with STACK_CASSANDRA_AUTH=1).
        auth = PlainTextAuthProvider(*cassandra_login())
        self.cluster = Cluster(["127.0.0.1"], port=9042, connect_timeout=30, auth_provider=auth)
        self.session = self.cluster.connect()
        self.session.default_timeout = 60

    def execute(self, cql):
        return self.session.execute(cql)

    def count(self, table):
        rows = self.session.execute(f"SELECT id FROM {table}")
        return sum(1 for r in rows if not str(r.id).startswith(PROBE_PREFIX))

    def close(self):
        self.cluster.shutdown()


def sqlite_count(path, table="raw_operations"):
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table} WHERE id NOT LIKE '{PROBE_PREFIX}%'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


class CountWatcher(threading.Thread):
    """Polls a row count and keeps (time, count) whenever it grows, until `target` is reached
    or stop() is called."""

    def __init__(self, count, target, every):
        super().__init__(daemon=True)
        self.count, self.target, self.every = count, target, every
        self.history = [(time.monotonic(), 0)]
        self.error = None
        self._halt = threading.Event()

    def run(self):
        try:
            while not self._halt.is_set():
                n = self.count()
                if n > self.history[-1][1]:
                    self.history.append((time.monotonic(), n))
                if n >= self.target:
                    return
                self._halt.wait(self.every)
        except Exception as e:  # the section reports it rather than hanging
            self.error = e

    def stop(self):
        self._halt.set()

    def done_at(self):
        last_t, last_n = self.history[-1]
        return last_t if last_n >= self.target else None

    def visible_at(self, k):
        """First time at which at least k rows were visible."""
        for t, n in self.history:
            if n >= k:
                return t
        return None


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
