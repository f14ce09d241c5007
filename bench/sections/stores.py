"""bench/run stores: each store on the real servers beside the server's own bulk path or a
reference client (MariaDB LOAD DATA, psql \\copy, cassandra-driver), and the whole flow Kafka ->
Cassandra + MariaDB."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import time

import seed_tools as st
from common import (BIN, BUILD, KAFKA, OUT, REPO, RESULTS, STORES_CASSANDRA, STORES_MYSQL, create_tables,
                    delete_topic, fmt, generate_at_real_rate, goal, row, stack_up, stores_env, timed)

CLEANED_COLUMNS = "id, event_time, event_type, department, product, brand, price, revenue"


def _figures(out):
    """rows=1 seconds=2.5 ... -> {'rows': 1.0, 'seconds': 2.5, ...}"""
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", out)}


def _stores_repeats():
    """Each side of a comparison runs this often, alternating, and keeps its best time: on a
    shared machine the best of a few is the least disturbed."""
    return max(1, int(os.environ.get("SHOPSTREAM_BENCH_STORES_REPEAT", "3")))


def _stores_mysql(n, csv, db, mysql):
    """Our MySQL store committing micro-batches, then LOAD DATA LOCAL INFILE of the same rows
    into an identical empty table, alternately and from empty tables each time; both tables are
    compared by CHECKSUM TABLE at the end."""
    tsv = OUT / "stores-cleaned.tsv"
    ours_runs, ref_runs = [], []
    # The reference's table lives in a database of its own: beside the store's tables, a second
    # table of the rows' layout reads as an older store's (one side table for several).
    ref = f"{db}_ref.operations_ref"
    mysql.execute(f"CREATE DATABASE IF NOT EXISTS {db}_ref")
    mysql.execute(f"USE {db}")
    for k in range(_stores_repeats()):
        if k > 0:
            # Every table the store made (rows, rollups, people, offsets, stats) and the reference's.
            tables = mysql.query_one("SELECT GROUP_CONCAT(TABLE_NAME) FROM information_schema.TABLES"
                                     " WHERE TABLE_SCHEMA = DATABASE()")
            for table in tables.split(","):
                mysql.execute(f"TRUNCATE TABLE {table}")
            mysql.execute(f"TRUNCATE TABLE {ref}")
        st.say(f"[{k + 1}] bench/mysql_store_bench: {n:,} cleaned rows, micro-batches of 20,000 -> {db}.operations")
        _, _, _, out = timed([str(BUILD / "bench" / "mysql_store_bench"), "--csv", str(csv), "--count", str(n),
                              "--to", f"{STORES_MYSQL}/{db}.operations", "--tsv", str(tsv)], env=stores_env())
        ours_runs.append(_figures(out))
        if k == 0:
            mysql.execute(f"CREATE TABLE {ref} LIKE operations")
        st.say(f"[{k + 1}] LOAD DATA LOCAL INFILE of the same rows -> {ref}")
        start = time.perf_counter()
        mysql.execute(f"LOAD DATA LOCAL INFILE '{tsv}' INTO TABLE {ref} CHARACTER SET utf8mb4 "
                      f"FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' ({CLEANED_COLUMNS})")
        ref_runs.append(time.perf_counter() - start)
    ours = min(ours_runs, key=lambda f: f["seconds"])
    counts = [int(mysql.query_one(f"SELECT COUNT(*) FROM {t}")) for t in ("operations", ref)]
    sums = [mysql.query_one(f"CHECKSUM TABLE {t}").split("\t")[-1] for t in ("operations", ref)]
    if counts != [ours["rows"]] * 2 or sums[0] != sums[1]:
        raise RuntimeError(f"MySQL: rows {counts} of {ours['rows']:,.0f}, checksums {sums}: the tables differ")
    ours_rate, ref_rate, runs, ref_all = _bulk_rates(ours, ours_runs, ref_runs)
    return row("MySQL processed store, rows/s", f"{fmt(ours_rate, ' rows/s')} ({ours['cpu_seconds']:.1f} CPU s)",
               f"MariaDB LOAD DATA LOCAL INFILE: {fmt(ref_rate, ' rows/s')}",
               f"{ours_rate / ref_rate:.0%} of LOAD DATA; goal ≥ 80 %: {goal(ours_rate >= 0.8 * ref_rate)}",
               f"{counts[0]:,} cleaned rows, committed by bench/mysql_store_bench through MysqlProcessedStore "
               f"in micro-batches of 20,000 (the processor's --max-batch), each one transaction with its rollups, "
               f"offsets and stats, timed from the first Commit to the last; reference: the same rows as a TSV "
               f"written before timing, one LOAD DATA statement into an empty table of the same definition, "
               f"timed by wall clock; best of {len(ref_runs)} alternating runs each from empty tables "
               f"(ours: {runs}; LOAD DATA: {ref_all} rows/s); both tables equal by CHECKSUM TABLE")


def _bulk_rates(ours, ours_runs, ref_runs):
    """Rows/s of our best run and of the reference's, and every run of each as text."""
    rows = ours["rows"]
    return (rows / ours["seconds"], rows / min(ref_runs), ", ".join(f"{rows / f['seconds']:,.0f}" for f in ours_runs),
            ", ".join(f"{rows / t:,.0f}" for t in ref_runs))


def _stores_postgres(n, csv, db):
    """Our PostgreSQL store committing micro-batches, then psql's \\copy of the same rows into
    an identical empty table, alternately and from empty tables each time; both tables compared
    by a digest of their rows at the end."""
    env = dict(os.environ, PGPASSFILE=str(REPO / ".cache" / "run" / "pgpass"))
    _psql = st.psql
    tsv = OUT / "stores-cleaned-pg.tsv"
    _psql("postgres", f"CREATE DATABASE {db}", env)
    try:
        ours_runs, ref_runs = [], []
        for k in range(_stores_repeats()):
            if k > 0:
                # Every table the store made (rows, rollups, people, offsets, stats) and the reference's.
                tables = _psql(db, "SELECT string_agg(schemaname || '.' || tablename, ', ') FROM pg_tables "
                               "WHERE schemaname IN ('public', 'ref')", env)
                _psql(db, f"TRUNCATE {tables}", env)
            st.say(f"[{k + 1}] bench/mysql_store_bench: {n:,} cleaned rows, micro-batches of 20,000 -> PostgreSQL {db}")
            _, _, _, out = timed([str(BUILD / "bench" / "mysql_store_bench"), "--csv", str(csv), "--count", str(n),
                                  "--to", f"postgres://shopstream@127.0.0.1:5432/{db}.public.operations",
                                  "--tsv", str(tsv)], env=env)
            ours_runs.append(_figures(out))
            if k == 0:
                # In a schema of its own, as MySQL's in a database of its own.
                _psql(db, "CREATE SCHEMA ref; CREATE TABLE ref.operations_ref (LIKE operations INCLUDING ALL)", env)
            st.say(f"[{k + 1}] psql \\copy of the same rows -> {db}.ref.operations_ref")
            start = time.perf_counter()
            _psql(db, f"\\copy ref.operations_ref({CLEANED_COLUMNS}) FROM '{tsv}'", env)
            ref_runs.append(time.perf_counter() - start)
        ours = min(ours_runs, key=lambda f: f["seconds"])
        digest = ("SELECT COUNT(*) || ' ' || md5(string_agg(id || event_time::text || event_type || department || "
                  "product || brand || price::text || revenue::text, ',' ORDER BY id)) FROM {}")
        sums = [_psql(db, digest.format(t), env) for t in ("operations", "ref.operations_ref")]
        if sums[0] != sums[1] or not sums[0].startswith(f"{ours['rows']:.0f} "):
            raise RuntimeError(f"PostgreSQL: {sums} for {ours['rows']:,.0f} rows: the tables differ")
    finally:
        _psql("postgres", f"DROP DATABASE IF EXISTS {db}", env)
    ours_rate, ref_rate, runs, ref_all = _bulk_rates(ours, ours_runs, ref_runs)
    return row("PostgreSQL processed store, rows/s", f"{fmt(ours_rate, ' rows/s')} ({ours['cpu_seconds']:.1f} CPU s)",
               f"psql \\copy: {fmt(ref_rate, ' rows/s')}",
               f"{ours_rate / ref_rate:.0%} of \\copy; goal ≥ 75 %: {goal(ours_rate >= 0.75 * ref_rate)}",
               f"{int(ours['rows']):,} cleaned rows committed through the PostgreSQL store (COPY FROM STDIN under each "
               f"batch's transaction, with its rollups, offsets and stats) in micro-batches of 20,000, timed from the "
               f"first Commit to the last; reference: the same rows as a TSV written before timing, one psql \\copy "
               f"into an empty table of the same definition, timed by wall clock (psql's start included); best of "
               f"{len(ref_runs)} alternating runs each from empty tables (ours: {runs}; \\copy: {ref_all} rows/s); "
               f"both tables equal by an md5 of their rows")


def _cassandra_pid():
    """The Cassandra JVM's pid, from the stack's pid file or else the one CassandraDaemon."""
    pid_file = REPO / ".cache" / "run" / "cassandra.pid"
    if pid_file.exists() and pathlib.Path(f"/proc/{pid_file.read_text().strip()}").exists():
        return pid_file.read_text().strip()
    pids = subprocess.run(["pgrep", "-f", "CassandraDaemon"], capture_output=True, text=True).stdout.split()
    if len(pids) != 1:
        raise RuntimeError(f"Cassandra: {len(pids)} CassandraDaemon processes, cannot tell whose CPU to count")
    return pids[0]


def _cpu_seconds_of(pid):
    """utime + stime of a process (all its threads), from /proc/PID/stat."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cassandra_quiet(pid, limit=90):
    """Waits (up to `limit` seconds) until the server spends under 0.1 cores over a second: the
    previous run's flushes and compactions must not count in the next run's CPU. Returns the
    cores of the last second."""
    for _ in range(limit):
        before = _cpu_seconds_of(pid)
        time.sleep(1)
        cores = _cpu_seconds_of(pid) - before
        if cores < 0.1:
            break
    return cores


def _cassandra_python():
    """A python with the pinned cassandra-driver: the system's when it has that version (the
    stack's tests install it), else bench/setup-reference's venv (which also brings PySpark)."""
    want = "3.30.1"  # as bench/setup-reference pins it
    probe = subprocess.run(["python3", "-c", "import cassandra; print(cassandra.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode == 0 and probe.stdout.strip() == want:
        return pathlib.Path(shutil.which("python3"))
    return st.reference_python()


def _stores_cassandra(n, csv, keyspace, cassandra, python):
    """Our Cassandra raw store against cassandra-driver's execute_concurrent, same rows, both
    into new tables of the seed's layout, alternately; rows counted back in both. Besides rows/s,
    the Cassandra JVM's CPU over each run's writes (SHOPSTREAM_BENCH_SERVER_PID): rows per
    Cassandra CPU-second, the figure a server-bound cluster scales by."""
    dump = OUT / "stores-raw.tsv"
    pid = _cassandra_pid()
    env = dict(stores_env(), SHOPSTREAM_BENCH_SERVER_PID=pid)
    ref_env = dict(st.reference_env(python), SHOPSTREAM_BENCH_SERVER_PID=pid)
    ours_runs, ref_runs, idle = [], [], []
    for k in range(_stores_repeats()):
        table, ref_table = f"operations_{k}", f"operations_ref_{k}"
        idle.append(_cassandra_quiet(pid))
        st.say(f"[{k + 1}] bench/cassandra_store_bench: {n:,} events, batches of 20,000 -> {keyspace}.{table}")
        _, _, _, out = timed([str(BUILD / "bench" / "cassandra_store_bench"), "--csv", str(csv), "--count", str(n),
                              "--to", f"{STORES_CASSANDRA}/{keyspace}.{table}", "--dump", str(dump)], env=env)
        ours_runs.append(_figures(out))
        idle.append(_cassandra_quiet(pid))
        st.say(f"[{k + 1}] cassandra-driver execute_concurrent (concurrency 100), same rows -> {keyspace}.{ref_table}")
        _, _, _, out = timed([str(python), str(st.REFERENCE / "cassandra_driver_insert.py"), "127.0.0.1", "9042",
                              f"{keyspace}.{ref_table}", str(dump), "100"], env=ref_env)
        ref_runs.append(_figures(out))
        st.say(f"[{k + 1}] ours {_cassandra_run_text(ours_runs[-1])}; driver {_cassandra_run_text(ref_runs[-1])}")
        counts = [cassandra.count(f"{keyspace}.{t}") for t in (table, ref_table)]
        if counts != [ours_runs[-1]["rows"]] * 2:
            raise RuntimeError(f"Cassandra: rows {counts} of {ours_runs[-1]['rows']:,.0f}")
    driver = subprocess.run([str(python), "-c", "import cassandra; print(cassandra.__version__)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    ours, ref = (min(runs, key=lambda f: f["seconds"]) for runs in (ours_runs, ref_runs))
    ours_rate, ref_rate = ours["rows"] / ours["seconds"], ref["rows"] / ref["seconds"]
    cores, ref_cores = ours["cpu_seconds"] / ours["seconds"], ref["cpu_seconds"] / ref["seconds"]
    # Rows per Cassandra CPU-second: best of the runs on each side (the least disturbed).
    ours_eff, ref_eff = (max(f["rows"] / f["server_cpu_seconds"] for f in runs) for runs in (ours_runs, ref_runs))
    how = (f"{n:,} events (generated, ids as produce gives them), into new tables of the seed's layout "
           f"at LOCAL_QUORUM, counted back; ours: bench/cassandra_store_bench writing batches of 20,000 through "
           f"CassandraRawStore (one prepared INSERT, default 256 in flight over 2 connections), timed from the "
           f"first Write to the last; reference: the same rows read from a TSV before timing, one prepared "
           f"INSERT, execute_concurrent_with_args (protocol v{ref.get('protocol', 0):.0f}, the newest the server "
           f"speaks; ours speaks v4); CPU by getrusage over the same span in each process, the "
           f"Cassandra JVM's (single node, pid {pid}) from /proc/PID/stat over the same span; "
           f"{len(ours_runs)} alternating runs each, best kept (ours: "
           f"{'; '.join(_cassandra_run_text(f) for f in ours_runs)}; driver: "
           f"{'; '.join(_cassandra_run_text(f) for f in ref_runs)}); before each run the harness waited for the "
           f"server to idle (below 0.1 cores over a second; the last second before each run: "
           f"{', '.join(f'{c:.2f}' for c in idle)} cores), so that the previous run's flushes and compactions "
           f"are not counted; what the rows cost it later (flush, compaction) is not counted either")
    return [
        row("Cassandra raw store, rows/s", fmt(ours_rate, " rows/s"),
            f"cassandra-driver {driver} execute_concurrent (concurrency 100): {fmt(ref_rate, ' rows/s')}",
            f"{ours_rate / ref_rate:.1f}x; goal ≥ 3x: {goal(ours_rate >= 3 * ref_rate)}", how),
        row("Cassandra raw store, rows per Cassandra CPU-second",
            f"{fmt(ours_eff, ' rows')} ({1e6 / ours_eff:.0f} µs of server CPU per row)",
            f"{fmt(ref_eff, ' rows')} ({1e6 / ref_eff:.0f} µs per row)",
            f"{ours_eff / ref_eff:.2f}x the driver's", how),
        row("Cassandra raw store, CPU of the writing process at that rate",
            f"{cores:.2f} cores ({ours['cpu_seconds']:.1f} CPU s)",
            f"{ref_cores:.2f} cores ({ref['cpu_seconds']:.1f} CPU s)",
            f"goal < 0.5 cores: {goal(cores < 0.5)}", how),
    ]


def _cassandra_run_text(f):
    """One run as text: rows/s, and the server's CPU per row."""
    return (f"{f['rows'] / f['seconds']:,.0f} rows/s, {f['server_cpu_seconds']:.1f} server CPU s = "
            f"{f['rows'] / f['server_cpu_seconds']:,.0f} rows per server CPU-second")


def _stores_end_to_end(n, csv, topic, keyspace, db, mysql, cassandra):
    """N events already in a new topic; `shopstream process` into Cassandra and MariaDB, timed
    from its start until processor_stats counts all N committed (the raw rows of a batch are
    written before its commit, so then both stores hold every event)."""
    raw, processed = f"{STORES_CASSANDRA}/{keyspace}.operations_e2e", f"{STORES_MYSQL}/{db}.operations"
    env = stores_env()
    st.say(f"shopstream produce --rate max --count {n:,} -> kafka://{KAFKA}/{topic}")
    timed([str(BIN), "produce", "-i", str(csv), "--to", f"kafka://{KAFKA}/{topic}", "--rate", "max",
           "--count", str(n)])
    create_tables(raw, processed, env, "stores")
    mysql.execute(f"USE {db}")
    st.say(f"shopstream process --from kafka://{KAFKA}/{topic} --raw {raw} --processed {processed}")
    idle = 2
    start = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "process", "--from", f"kafka://{KAFKA}/{topic}", "--group", topic,
                             "--raw", raw, "--processed", processed, "--idle-exit", str(idle)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    done = None
    while done is None:
        committed = int(mysql.query_one("SELECT COALESCE(SUM(events), 0) FROM processor_stats") or 0)
        if committed >= n:
            done = time.perf_counter() - start
        elif proc.poll() is not None:
            break
        else:
            time.sleep(0.05)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read()
    if done is None or os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"process exited ({os.waitstatus_to_exitcode(status)}) before committing {n:,}: "
                           f"{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    counts = [int(mysql.query_one("SELECT COUNT(*) FROM operations")),
              cassandra.count(f"{keyspace}.operations_e2e")]
    if counts != [n, n]:
        raise RuntimeError(f"end to end: {counts[0]:,} rows in MariaDB, {counts[1]:,} in Cassandra, of {n:,}")
    return row("Kafka → Cassandra + MariaDB end to end, events/s", fmt(n / done, " ev/s"), "", "",
               f"{n:,} events already in a new 1-partition topic; `shopstream process --from kafka://... --raw "
               f"cassandra://... --processed mysql://...` timed from its start (group join included) until "
               f"processor_stats counted all {n:,} committed (each batch's raw rows are written before its "
               f"commit), polled every 50 ms; both stores counted back ({n:,} each); tables created before "
               f"timing; {cpu:.1f} CPU s over the run and its {idle} s idle exit, {usage.ru_maxrss / 1024:.0f} MiB peak")


def run():
    """Issue 4's benchmarks, in one run: each store beside the server's bulk load or a reference
    client, then Kafka to both stores. Unique database, keyspace and topic, dropped at the end."""
    # SHOPSTREAM_BENCH_STORES_ONLY=mysql,postgres measures those alone (comma-separated, of
    # mysql, postgres, cassandra, e2e), and needs only their servers.
    only = [w for w in os.environ.get("SHOPSTREAM_BENCH_STORES_ONLY", "").split(",") if w]
    cassandra_wanted = not only or bool({"cassandra", "e2e"} & set(only))
    stack_up(*(["kafka", "cassandra", "mariadb"] if cassandra_wanted else ["mariadb"]))
    OUT.mkdir(parents=True, exist_ok=True)
    n = int(os.environ.get("SHOPSTREAM_BENCH_STORES_EVENTS", "300000"))
    python = _cassandra_python() if cassandra_wanted else None
    csv = OUT / f"stores-{n}-real-rate.csv"
    if not csv.exists():
        st.say(f"shopstream generate --rows {n:,}, times squeezed to the real month's rate -> {csv.name}")
        generate_at_real_rate(csv, n, 4)
    run = f"{int(time.time())}_{os.getpid()}"
    db, db_e2e, keyspace = f"ecommerce_test_bench_{run}", f"ecommerce_test_bench_{run}_e2e", f"bench_stores_{run}"
    topic = f"bench-stores-{run}"
    load_before = st.load_average()
    mysql = st.MariaDB("information_schema", local_infile=True)
    cassandra = st.Cassandra() if cassandra_wanted else None
    rows = []
    try:
        for name in (db, db_e2e):
            mysql.execute(f"CREATE DATABASE {name}")
        # Each figure is printed as soon as it is measured, so that a later failure keeps it.
        for name, measure in (
                ("mysql", lambda: [_stores_mysql(n, csv, db, mysql)]),
                ("postgres", lambda: [_stores_postgres(n, csv, f"{db}_pg")]),
                ("cassandra", lambda: _stores_cassandra(n, csv, keyspace, cassandra, python)),
                ("e2e", lambda: [_stores_end_to_end(n, csv, topic, keyspace, db_e2e, mysql, cassandra)])):
            if only and name not in only:
                continue
            for r in measure():
                st.say(f"=> {r['what']}: {r['ours']} [{r['reference']}] {r['ratio']}")
                rows.append(r)
    finally:
        # Best effort, each on its own, so that a server that went away shows the first error.
        for what, drop in ((db, lambda: mysql.execute(f"DROP DATABASE IF EXISTS {db}")),
                           (db, lambda: mysql.execute(f"DROP DATABASE IF EXISTS {db}_ref")),
                           (db_e2e, lambda: mysql.execute(f"DROP DATABASE IF EXISTS {db_e2e}")),
                           *(((keyspace, lambda: cassandra.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")),
                               (topic, lambda: delete_topic(topic)), ("cassandra session", cassandra.close))
                             if cassandra else ()),
                           ("mariadb client", mysql.close)):
            try:
                drop()
            except Exception as e:  # noqa: BLE001 (reported, the run's own error matters more)
                st.say(f"cleaning up {what} failed: {e}")
    note = f"; {load_before} before, {st.load_average()} after"
    for r in rows:
        r["how"] += note
    return _with_rows_not_run(rows, only)


# What each part's rows are called, for a run of some parts only.
_PARTS = {"mysql": "MySQL processed store", "postgres": "PostgreSQL processed store",
          "cassandra": "Cassandra raw store", "e2e": "Kafka → Cassandra"}


def _with_rows_not_run(rows, only):
    """The section's stored rows of the parts not run this time (marked with their date), with
    this run's in their place, so that measuring some parts keeps the others' figures."""
    stored = RESULTS / "stores.json"
    if not only or not stored.exists():
        return rows
    data = json.loads(stored.read_text())

    def part_of(r):
        return next((p for p, what in _PARTS.items() if r["what"].startswith(what)), None)

    # A part's fresh rows all take the place of its first stored row (a part may now have more).
    fresh = {}
    for r in rows:
        fresh.setdefault(part_of(r), []).append(r)
    out = []
    for r in data["rows"]:
        part = part_of(r)
        if part in only:
            out.extend(fresh.pop(part, []))
            continue
        if "not re-run" not in r["how"]:
            r["how"] += f" (measured {data['date']}, not re-run since)"
        out.append(r)
    return out + [r for left in fresh.values() for r in left]
