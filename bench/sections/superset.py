"""bench/run superset: the time Apache Superset (the stack's) takes to draw shopstream's dashboard
in headless Chromium, the same 10 figures over the raw `operations` table (the original board)
and over the rollup datasets, side by side in one run, at 1M and 10M events on MariaDB; and
shopstream's own board (`shopstream serve`) on the same store for reference."""
import json
import os
import statistics
import subprocess
import sys

import seed_tools as st
from api_load import serve
from common import BIN, OUT, REPO, generated_log, row, stack_up, timed

sys.path.insert(0, str(REPO / "superset" / "tool"))
import bundle  # noqa: E402
from client import Client  # noqa: E402
from store import parse_store  # noqa: E402

OPTION_FILE = REPO / ".cache" / "run" / "mysql.cnf"
SUPERSET_URL = f"http://127.0.0.1:{os.environ.get('STACK_SUPERSET_PORT', '8089')}"
PASSWORD_FILE = REPO / ".cache" / "run" / "superset" / "admin-password"
ROLLUPS = ("rollup_minute", "rollup_hour_brand", "rollup_hour_product", "rollup_hour", "rollup_day",
           "rollup_brand", "rollup_product")


def _env():
    return dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=str(OPTION_FILE))


def _build_store(n, database):
    """A MariaDB store of n generated events at their original (month-long) times; kept when it
    already holds them (SHOPSTREAM_BENCH_KEEP=1 keeps it after the run). Returns build notes."""
    admin = st.MariaDB()
    admin.execute(f"CREATE DATABASE IF NOT EXISTS {database}")
    admin.close()
    mysql = st.MariaDB(database=database)
    try:
        ready = (mysql.query_one("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                                 " AND table_name = 'processor_stats'") == "1"
                 and int(mysql.query_one("SELECT COALESCE(SUM(events), 0) FROM processor_stats")) == n)
        if ready:
            return []
        for table in ("operations", *ROLLUPS, "stream_offsets", "dead_letters", "processor_stats"):
            mysql.execute(f"DROP TABLE IF EXISTS {table}")
        OUT.mkdir(parents=True, exist_ok=True)
        data, log, raw = (OUT / f"superset-{n}.csv", OUT / f"superset-{n}-log.db", OUT / f"superset-{n}-raw.db")
        notes = []
        if not log.exists():
            notes.append(f"produce {generated_log(data, log, n):,.0f} s")
        for f in OUT.glob(f"superset-{n}-raw.db*"):
            f.unlink()
        st.say(f"shopstream process: {n:,} events into MariaDB {database}")
        wall, _, _, _ = timed([str(BIN), "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{raw}",
                               "--processed", f"mysql://admin@127.0.0.1:3306/{database}.operations",
                               "--idle-exit", "2"], env=_env())
        notes.append(f"process into MariaDB {wall:,.0f} s")
        stored = int(mysql.query_one("SELECT COUNT(*) FROM operations"))
        if stored != n:
            raise RuntimeError(f"superset bench: {stored:,} rows in {database}.operations of {n:,}")
        for f in OUT.glob(f"superset-{n}-raw.db*"):
            f.unlink()
        return notes
    finally:
        mysql.close()


def _import(uri):
    # Auto-refresh off while measuring: a load slower than the 10-s interval would otherwise be
    # overlapped by the next round of queries (docs/superset.md).
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "superset"), "import", "--store", uri,
                        "--refresh", "0"],
                       env=_env(), capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"scripts/superset import failed: {r.stderr[-2000:]}")


def _remove_import(uri):
    client = Client(SUPERSET_URL)
    client.login("admin", PASSWORD_FILE.read_text().strip())
    store = parse_store(uri, environ=_env())
    files, key = bundle.load(), store.key()

    def ids(kind, prefix):
        uuids = [bundle.derived_uuid(line[6:].strip(), key) for path, text in files.items()
                 if path.startswith(prefix) for line in text.splitlines() if line.startswith("uuid: ")]
        return [hit["id"] for u in uuids for hit in client.find(kind, "uuid", u)]

    for dashboard in ids("dashboard", "dashboards/"):
        client.json("DELETE", f"/api/v1/dashboard/{dashboard}")
    for kind, prefix in (("chart", "charts/"), ("dataset", "datasets/")):
        found = ids(kind, prefix)
        if found:
            client.json("DELETE", f"/api/v1/{kind}/?q=!({','.join(map(str, found))})")
    for database in ids("database", "databases/"):
        client.json("DELETE", f"/api/v1/database/{database}")


def _superset_tabs(uri, rounds, timeout):
    """Loads of the Overview (rollups) and Original board (operations) tabs, alternating."""
    store = parse_store(uri, environ=_env())
    env = dict(os.environ, SUPERSET_PASSWORD=PASSWORD_FILE.read_text().strip())
    r = subprocess.run(["node", str(REPO / "tests" / "browser" / "superset_dashboard.mjs"), SUPERSET_URL,
                        f"/superset/dashboard/{bundle.slug(store)}/", "--tabs", "overview,original",
                        "--repeat", str(rounds), "--timeout", str(timeout)],
                       env=env, capture_output=True, text=True, timeout=timeout * (2 * rounds + 2) + 120)
    if r.returncode != 0:
        raise RuntimeError(f"superset_dashboard.mjs failed: {r.stderr[-2000:]}")
    loads = {"overview": [], "original": []}
    for t in json.loads(r.stdout)["tabs"]:
        failed = [(c["name"], c["state"], c["message"]) for c in t["charts"] if c["state"] != "drawn"]
        if not t["settled"] or failed or len(t["charts"]) != 10:
            raise RuntimeError(f"superset bench: tab {t['tab']} did not draw: {failed or t['charts']}")
        revenue = next(c["number"] for c in t["charts"] if c["name"].startswith("Revenue") and c["number"])
        loads[t["tab"]].append({"ms": t["ms"], "slowest": max(q["ms"] for q in t["requests"]),
                                "requests": len(t["requests"]), "revenue": revenue})
    return loads


def _own_board(uri, rounds, timeout):
    proc, url = serve(uri, _env(), "--no-cache")
    try:
        r = subprocess.run(["node", str(REPO / "bench" / "dashboard_render.mjs"), url + "/", "--repeat",
                            str(rounds), "--timeout", str(timeout)], capture_output=True, text=True,
                           timeout=timeout * rounds + 120)
        if r.returncode != 0:
            raise RuntimeError(f"dashboard_render.mjs failed: {r.stderr[-2000:]}")
        loads = json.loads(r.stdout)["loads"]
        if any(load["notice"] for load in loads):
            raise RuntimeError(f"shopstream's board showed a notice: {loads}")
        return loads
    finally:
        proc.terminate()
        proc.wait()


def _median(loads, key="ms"):
    return statistics.median(load[key] for load in loads)


def run():
    sizes = [int(s) for s in os.environ.get("SHOPSTREAM_BENCH_SUPERSET_EVENTS", "1000000,10000000").split(",")]
    rounds = int(os.environ.get("SHOPSTREAM_BENCH_SUPERSET_ROUNDS", "3"))
    timeout = int(os.environ.get("SHOPSTREAM_BENCH_SUPERSET_TIMEOUT", "900"))
    stack_up("mariadb", "superset")
    rows = []
    for n in sizes:
        database = f"ecommerce_test_bench_superset_{n}"
        uri = f"mysql://admin@127.0.0.1:3306/{database}.operations"
        notes = _build_store(n, database)
        _import(uri)
        try:
            load_before = st.load_average()
            st.say(f"Superset: Overview (rollups) and Original board (operations) tabs, {rounds} loads each, {n:,} events")
            tabs = _superset_tabs(uri, rounds, timeout)
            st.say("shopstream serve --no-cache: its page, same store")
            own = _own_board(uri, rounds, timeout)
        finally:
            _remove_import(uri)
        shown = {load["revenue"] for loads in tabs.values() for load in loads}
        if len(shown) != 1:
            raise RuntimeError(f"superset bench: the tabs show different revenues: {shown}")
        rollups, raw = _median(tabs["overview"]), _median(tabs["original"])
        how = (f"MariaDB store of {n:,} generated events (a month of 2019-Nov-shaped data), the stack's Superset 6.0.0 "
               f"(gunicorn, 2 workers x 4 threads, no result cache, the dashboard's auto-refresh off); each tab opened as its own page load in "
               f"headless Chromium, timed until its last chart drew; median of {rounds} loads per tab, the two tabs "
               f"alternating; the slowest chart's /api/v1/chart/data request in brackets; {load_before} before, "
               f"{st.load_average()} after" + (f"; building the store: {', '.join(notes)}" if notes else ""))
        rows.append(row(
            f"Superset, {n:,} events: the board's 10 charts (KPIs, revenue and events per hour, departments, "
            "event mix, latest minutes) drawn, wall time",
            f"over the rollup datasets: {rollups / 1e3:,.1f} s (slowest chart {_median(tabs['overview'], 'slowest') / 1e3:,.1f} s)",
            f"over `operations`, the original board: {raw / 1e3:,.1f} s "
            f"(slowest chart {_median(tabs['original'], 'slowest') / 1e3:,.1f} s)",
            f"{raw / rollups:,.1f}x faster over the rollups; both show revenue {shown.pop()}",
            how))
        own_ms = _median(own)
        rows.append(row(
            f"shopstream's own board on the same store, {n:,} events: page load until every chart drew",
            f"{own_ms / 1e3:,.2f} s (`shopstream serve --no-cache`: 9 API requests, all 3 tabs drawn)",
            f"Superset over the rollups: {rollups / 1e3:,.1f} s; over `operations`: {raw / 1e3:,.1f} s",
            f"{rollups / own_ms:,.1f}x / {raw / own_ms:,.0f}x faster",
            f"median of {rounds} page loads in the same headless Chromium, every answer computed from the rollups"))
        if os.environ.get("SHOPSTREAM_BENCH_KEEP") != "1":
            admin = st.MariaDB()
            admin.execute(f"DROP DATABASE IF EXISTS {database}")
            admin.close()
    return rows
