"""The SQL store core against the stores it replaced (issue 11): the same 500,000 events, already
in an embedded log, processed into SQLite and into MariaDB by the binary built before the core
(SHOPSTREAM_BENCH_BASELINE_BIN, e.g. a release build of commit 3ace929) and by this build,
alternately, several rounds, in one run. Row counts are checked after every run."""
import os
import pathlib
import sqlite3

import seed_tools as st
from common import BIN, OUT, fmt, goal, row, stack_up, stores_env, timed

ROUNDS = int(os.environ.get("SHOPSTREAM_BENCH_STORECORE_ROUNDS", "3"))


def _process(binary, log, store_uri, env=None, idle=0.5):
    wall, cpu, rss, _ = timed([str(binary), "process", "--from", f"sqlite://{log}",
                               "--raw", f"sqlite://{OUT / 'storecore-raw.db'}", "--processed", store_uri,
                               "--idle-exit", str(idle)], env=env)
    return wall - idle, cpu


def run():
    baseline = pathlib.Path(os.environ.get("SHOPSTREAM_BENCH_BASELINE_BIN", ""))
    if not baseline.is_file():
        raise RuntimeError("set SHOPSTREAM_BENCH_BASELINE_BIN to a shopstream built before the store core")
    stack_up("mariadb")
    OUT.mkdir(parents=True, exist_ok=True)
    n = int(os.environ.get("SHOPSTREAM_BENCH_STORECORE_EVENTS", "500000"))
    data, log = OUT / f"storecore-{n}.csv", OUT / "storecore-log.db"
    if not data.exists():
        timed([str(BIN), "generate", "--rows", str(n), "--seed", "11", "-o", str(data)])
    for f in OUT.glob("storecore-log.db*"):
        f.unlink()
    timed([str(BIN), "produce", "-i", str(data), "--to", f"sqlite://{log}", "--rate", "max"])
    env = stores_env()
    load_before = st.load_average()
    times = {("sqlite", "before"): [], ("sqlite", "after"): [], ("mysql", "before"): [], ("mysql", "after"): []}
    admin = st.MariaDB()
    for r in range(ROUNDS):
        for label, binary in (("before", baseline), ("after", BIN)):
            for f in OUT.glob("storecore-*store.db*"):
                f.unlink()
            for f in OUT.glob("storecore-raw.db*"):
                f.unlink()
            store = OUT / "storecore-store.db"
            wall, _ = _process(binary, log, f"sqlite://{store}")
            stored = sqlite3.connect(store).execute("SELECT count(*) FROM operations").fetchone()[0]
            if stored != n:
                raise RuntimeError(f"{label}: {stored:,} rows of {n:,} in SQLite")
            times[("sqlite", label)].append(wall)
            db = f"ecommerce_test_bench_storecore_{label}"
            admin.execute(f"DROP DATABASE IF EXISTS {db}")
            admin.execute(f"CREATE DATABASE {db}")
            for f in OUT.glob("storecore-raw.db*"):
                f.unlink()
            wall, _ = _process(binary, log, f"mysql://admin@127.0.0.1:3306/{db}.operations", env=env)
            mysql = st.MariaDB(database=db)
            stored = int(mysql.query_one("SELECT COUNT(*) FROM operations"))
            mysql.close()
            if stored != n:
                raise RuntimeError(f"{label}: {stored:,} rows of {n:,} in MariaDB")
            admin.execute(f"DROP DATABASE IF EXISTS {db}")
            times[("mysql", label)].append(wall)
            st.say(f"round {r + 1} {label}: sqlite {times[('sqlite', label)][-1]:.2f} s, "
                   f"mysql {times[('mysql', label)][-1]:.2f} s")
    admin.close()
    rows = []
    for store, name in (("sqlite", "embedded SQLite"), ("mysql", "MariaDB")):
        before, after = min(times[(store, "before")]), min(times[(store, "after")])
        rows.append(row(
            f"process into {name} on the store core, events/s (raw SQLite + processed {name})",
            fmt(n / after, " ev/s"), f"the same binary before the core ({baseline.name} of commit "
            f"{os.environ.get('SHOPSTREAM_BENCH_BASELINE_COMMIT', '?')}): {fmt(n / before, ' ev/s')}",
            f"{before / after:.2f}x of before; goal: no slowdown: " + goal(after <= before * 1.05),
            f"{n:,} events already in the embedded log; best of {ROUNDS} rounds each, before and after "
            f"alternating; wall less the 0.5 s idle exit; rows checked; {load_before} before, "
            f"{st.load_average()} after"))
    return rows
