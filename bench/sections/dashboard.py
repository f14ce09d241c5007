"""bench/run dashboard: the dashboard's API under wrk on SQLite, MariaDB and PostgreSQL beside the
same figures computed the way Superset does (GROUP BY over the cleaned rows); the people sketches
beside exact counts over the raw rows."""
import datetime
import json
import os
import sqlite3
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import seed_tools as st
from api_load import page_paths, serve, wrk_latency
from common import BIN, OUT, REPO, generated_log, goal, row, stack_up, timed
from seed_tools import Postgres


DASHBOARD_DB = "ecommerce_test_bench_dashboard"
# Every table a processed store holds, for starting a server database over.
DASHBOARD_TABLES = ("operations", "rollup_minute", "rollup_hour_brand", "rollup_hour_product", "rollup_hour",
                    "rollup_day", "rollup_brand", "rollup_product", "rollup_hour_brand_product",
                    "rollup_hour_department_brand", "rollup_brand_product", "rollup_10s", "rollup_block_brand_wide",
                    "rollup_days_brand_wide", "people_minute", "people_hour",
                    "people_day", "people_all", "stream_offsets", "dead_letters", "processor_stats", "alerts")
# The Live, Trending and alert views (issue 23): every dimension and window of /api/trending.
LIVE_PATHS = ["/api/live", "/api/alerts"] + [
    f"/api/trending?dimension={d}&window={w}&by=revenue"
    for d in ("product", "brand", "department") for w in (15, 60, 1440)] + [
    # Views are most of the rows: the heaviest ranking of a window.
    f"/api/trending?dimension={d}&window=1440&by=views" for d in ("product", "brand")]


def _dashboard_views(extent, department, brand):
    """The requests of one refresh of the page (web/app.js refresh()) in four views: all time; a
    department picked; a brand picked; the last 24 hours with a department picked (the page then
    asks for the previous 24 hours too, for the KPIs' change). A chart does not filter itself: the
    departments follow the brand only, the brands the department only."""
    end = datetime.datetime.strptime(extent["last_minute"], "%Y-%m-%d %H:%M") + datetime.timedelta(minutes=1)
    fmt = lambda t: t.strftime("%Y-%m-%d %H:%M")
    day = {"from": fmt(end - datetime.timedelta(days=1)), "to": fmt(end)}
    before = {"from": fmt(end - datetime.timedelta(days=2)), "to": day["from"]}
    views = {"all time": page_paths(),
             f"all time, department {department}": page_paths(department=department),
             f"all time, brand {brand}": page_paths(brand=brand),
             f"last 24 hours, department {department}": page_paths(department=department, range_=day, previous=before)}
    week = {"from": fmt(end - datetime.timedelta(days=7)), "to": fmt(end)}
    return views, day, week


def _cpu_seconds(pid):
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _per_path_rows(proc, url, paths, seconds, label, n):
    """Each request on its own under wrk (1 connection, `seconds` each): the p50 and p99 of every
    endpoint of a view, so that the slowest one is named rather than averaged in a page; and the
    server's CPU time per request, which the machine's load does not stretch."""
    rows = []
    for path in paths:
        cpu = _cpu_seconds(proc.pid)
        p50, p99, rate, done = wrk_latency(url, [path], seconds, 1)
        cpu_ms = (_cpu_seconds(proc.pid) - cpu) * 1e3 / done
        rows.append(row(f"dashboard endpoint on {label}, {n:,} events, computed: `{path}` latency p50 / p99",
                        f"{p50:,.2f} ms / {p99:,.2f} ms ({rate:,.0f} req/s, {done:,} requests); "
                        f"server CPU {cpu_ms:,.2f} ms per request", "-",
                        f"goal p99 ≤ 50 ms: {goal(p99 <= 50)}",
                        f"`serve --no-cache` under wrk (1 connection, {seconds} s) repeating this one request"))
    return rows


def _dashboard_superset_sql(text_hour, where="", limit=10):
    """Superset's way: each chart a GROUP BY over the cleaned rows (table operations), one per
    endpoint of the page, over the rows `where` keeps. `text_hour` turns event_time into
    'YYYY-MM-DD HH' text. The rows hold no users or sessions (the seed's table drops them), so
    the people have no equivalent here."""
    breakdown = "COUNT(*), " + ", ".join(f"SUM(CASE WHEN event_type = '{t}' THEN 1 ELSE 0 END)"
                                         for t in ("view", "cart", "purchase")) + ", SUM(revenue)"
    hour = text_hour("event_time")
    w = f" WHERE {where}" if where else ""
    return {
        "/api/extent": "SELECT MIN(event_time), MAX(event_time) FROM operations",
        "/api/kpis": f"SELECT {breakdown} FROM operations{w}",
        "/api/timeseries": f"SELECT {hour} AS h, {breakdown} FROM operations{w} GROUP BY h ORDER BY h",
        "/api/departments": f"SELECT department, {breakdown} FROM operations{w} GROUP BY department ORDER BY 6 DESC",
        "/api/brands": [f"SELECT brand, {breakdown} FROM operations{w} GROUP BY brand ORDER BY 6 DESC LIMIT {limit}",
                        f"SELECT brand, {breakdown} FROM operations{w} GROUP BY brand ORDER BY 3 DESC LIMIT {limit}"],
        "/api/products": [f"SELECT department, product, {breakdown} FROM operations{w} GROUP BY department, product "
                          f"ORDER BY 7 DESC LIMIT {limit}",
                          f"SELECT department, product, {breakdown} FROM operations{w} GROUP BY department, product "
                          f"ORDER BY 4 DESC LIMIT {limit}"],
        "/api/mix": f"SELECT event_type, COUNT(*) FROM operations{w} GROUP BY event_type",
        "/api/status": "SELECT stream, batches, events FROM processor_stats",
    }


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _time_queries(run_sql, queries, rounds):
    """Runs each endpoint's SQL `rounds` times; returns per-query latencies (ms) and per-page ones."""
    per_query, per_page = [], []
    for _ in range(rounds):
        page = 0.0
        for sql in queries.values():
            for one in (sql if isinstance(sql, list) else [sql]):
                start = time.perf_counter()
                run_sql(one)
                ms = (time.perf_counter() - start) * 1e3
                per_query.append(ms)
                page += ms
        per_page.append(page)
    return per_query, per_page


def _dashboard_store_ready(count_sql, n):
    try:
        return int(count_sql()) == n
    except Exception:  # missing store or table: build it
        return False


def _get_json(url):
    with urllib.request.urlopen(url, timeout=600) as res:
        return json.loads(res.read())


def _exact_people(raw_db, department):
    """Distinct users and sessions over the raw rows, all and of one department (the seed's rule:
    the first part of category_code), kept in OUT so that a rerun reads them once."""
    cache = OUT / (raw_db.name.split("-store.db")[0].split("-raw.db")[0] + ".exact-people.json")
    if cache.exists():
        found = json.loads(cache.read_text())
        if found.get("department") == department:
            return found
    con = sqlite3.connect(f"file:{raw_db}?mode=ro", uri=True)
    start = time.perf_counter()
    users, sessions = con.execute(
        "SELECT COUNT(DISTINCT user_id), COUNT(DISTINCT user_session) FROM raw_operations").fetchone()
    seconds = time.perf_counter() - start
    d_users, d_sessions = con.execute(
        "SELECT COUNT(DISTINCT user_id), COUNT(DISTINCT user_session) FROM raw_operations"
        " WHERE category_code = ? OR category_code LIKE ? ESCAPE '\\'",
        (department, department.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%")).fetchone()
    con.close()
    found = {"department": department, "users": users, "sessions": sessions, "department_users": d_users,
             "department_sessions": d_sessions, "seconds": seconds}
    cache.write_text(json.dumps(found))
    return found


def run():
    n = int(os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_EVENTS", "10000000"))
    stores = os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_STORES", "sqlite,mysql,postgres").split(",")
    seconds = int(os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_SECONDS", "15"))
    # Each endpoint of the last-24-hours views and of the live views on its own (0: not).
    path_seconds = int(os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_PATH_SECONDS", "4"))
    rounds = int(os.environ.get("SHOPSTREAM_BENCH_DASHBOARD_ROUNDS", "2"))
    connections = 8
    OUT.mkdir(parents=True, exist_ok=True)
    data, log = OUT / f"dashboard-{n}.csv", OUT / f"dashboard-{n}-log.db"
    rows, build_notes, people_seen = [], [], {}
    load_before = st.load_average()

    def ensure_log():
        if not log.exists():
            build_notes.append(f"produce {generated_log(data, log, n):,.0f} s")

    for kind in stores:
        env = dict(os.environ)
        if kind == "sqlite":
            store = OUT / f"dashboard-{n}-store.db"
            uri = raw = f"sqlite://{store}"
            raw_db = store
            count = lambda: sqlite3.connect(store).execute("SELECT SUM(events) FROM processor_stats").fetchone()[0]
            label = "embedded SQLite"
        else:
            raw_db = OUT / f"dashboard-{n}-raw.db"
            raw = f"sqlite://{raw_db}"
            if kind == "mysql":
                stack_up("mariadb")
                env["SHOPSTREAM_MYSQL_OPTION_FILE"] = str(REPO / ".cache" / "run" / "mysql.cnf")
                admin = st.MariaDB()
                admin.execute(f"CREATE DATABASE IF NOT EXISTS {DASHBOARD_DB}")
                admin.close()
                db = st.MariaDB(database=DASHBOARD_DB)
                uri = f"mysql://admin@127.0.0.1:3306/{DASHBOARD_DB}.operations"
                label = "MariaDB"
            else:
                stack_up("postgres")
                env["PGPASSFILE"] = str(REPO / ".cache" / "run" / "pgpass")
                db = Postgres(DASHBOARD_DB, env)
                uri = f"postgres://shopstream@127.0.0.1:5432/{DASHBOARD_DB}.public.operations"
                label = "PostgreSQL"
            here = "DATABASE()" if kind == "mysql" else "current_schema()"
            count = lambda: (db.query_one("SELECT COUNT(*) FROM information_schema.tables WHERE table_name"
                                          f" = 'processor_stats' AND table_schema = {here}") == "1"
                             and db.query_one("SELECT COALESCE(SUM(events), 0) FROM processor_stats"))
        if not _dashboard_store_ready(count, n):
            ensure_log()
            # The embedded store holds its raw rows; a server store keeps them beside it in
            # SQLite. Each build starts its own files over, and only those.
            for f in OUT.glob(f"dashboard-{n}-{'store' if kind == 'sqlite' else 'raw'}.db*"):
                f.unlink()
            if kind != "sqlite":
                for table in DASHBOARD_TABLES:
                    db.execute(f"DROP TABLE IF EXISTS {table}")
            wall, _, _, _ = timed([str(BIN), "process", "--from", f"sqlite://{log}", "--raw", raw,
                                   "--processed", uri, "--idle-exit", "2", "--alerts", "default"], env=env)
            build_notes.append(f"process into {label} {wall:,.0f} s ({n / wall:,.0f} ev/s)")
            stored = int(count())
            if stored != n:
                raise RuntimeError(f"dashboard bench: {stored} events in the {label} store of {n}")

        # The views: the busiest department and brand of the data.
        proc, url = serve(uri, env, "--no-cache")
        try:
            extent = _get_json(url + "/api/extent")
            # "other" gathers the events without a category or brand: not one a manager picks.
            department = next(d["name"] for d in _get_json(url + "/api/departments")["departments"]
                              if d["name"] != "other")
            brand = next(b["name"] for b in _get_json(url + "/api/brands?limit=5")["by_views"] if b["name"] != "other")
            people = _get_json(url + "/api/people")
            people_department = _get_json(url + "/api/people?department=" + quote(department))
        finally:
            proc.terminate()
            proc.wait()
        people_seen[label] = (people, people_department, department, raw_db)
        views, day, week = _dashboard_views(extent, department, brand)

        # Every answer computed from the rollups (--no-cache: the first request after each
        # commit), one connection (the cost of an answer, no queueing behind others); then the
        # default server over the unfiltered page, which reuses an answer until the next commit.
        api = {}
        runs = [(f"{view}, computed", paths, ["--no-cache"], 1) for view, paths in views.items()]
        runs.append(("all time, cached", views["all time"], [], connections))
        for what, paths, extra, clients in runs:
            proc, url = serve(uri, env, *extra)
            try:
                for path in paths:  # warm-up: page cache, connection pool, answers
                    _get_json(url + path)
                api[what] = wrk_latency(url, paths, seconds * (2 if clients == 1 else 1), clients) + (clients, paths)
            finally:
                proc.terminate()
                proc.wait()

        proc, url = serve(uri, env, "--no-cache")
        try:
            # A store built by an older processor has no alerts table (/api/alerts is a 404).
            live_paths = []
            for path in LIVE_PATHS:
                try:
                    _get_json(url + path)
                    live_paths.append(path)
                except urllib.error.HTTPError:
                    pass
            p50, p99, rate, done = wrk_latency(url, live_paths, seconds * 2, 1)
            rows.append(row(f"dashboard live, trending and alerts on {label}, {n:,} events, computed: latency p50 / p99",
                            f"{p50:,.2f} ms / {p99:,.2f} ms ({rate:,.0f} req/s, {done:,} requests)", "-",
                            f"goal p99 ≤ 50 ms: {goal(p99 <= 50)}",
                            f"`serve --no-cache` under wrk (1 connection) cycling over {', '.join(live_paths)}"))
            if path_seconds > 0:
                # The last 24 hours, nothing picked (brands over a day: blocks of hours), then
                # with the department picked, then brands over the last 7 days (blocks of days),
                # then each live request.
                day_paths = []
                for path in page_paths(range_=day) + views[f"last 24 hours, department {department}"]:
                    if path not in day_paths and path not in ("/api/extent", "/api/status"):
                        day_paths.append(path)
                day_paths += [p for p in page_paths(range_=week) if p.startswith("/api/brands")]
                rows += _per_path_rows(proc, url, day_paths + live_paths, path_seconds, label, n)
        finally:
            proc.terminate()
            proc.wait()

        if kind == "sqlite":
            con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
            run_sql = lambda sql: con.execute(sql).fetchall()
            hour = lambda c: f"substr({c}, 1, 13)"
            client = "Python sqlite3"
        else:
            def run_sql(sql):
                return db.query_one(sql)
            hour = (lambda c: f"DATE_FORMAT({c}, '%Y-%m-%d %H')") if kind == "mysql" else \
                (lambda c: f"to_char({c}, 'YYYY-MM-DD HH24')")
            client = "the mariadb client, one connection" if kind == "mysql" else "psql, one connection"
        quoted = lambda name: "'" + name.replace("'", "''") + "'"
        wheres = {"all time": "", f"all time, department {department}": f"department = {quoted(department)}",
                  f"all time, brand {brand}": f"brand = {quoted(brand)}",
                  f"last 24 hours, department {department}":
                      f"department = {quoted(department)} AND event_time >= {quoted(day['from'] + ':00')}"}
        reference = {}
        for view, where in wheres.items():
            queries = _dashboard_superset_sql(hour, where)
            run_sql(queries["/api/mix"])  # warm-up: the table in the cache
            reference[view] = _time_queries(run_sql, queries, rounds)
        if kind == "sqlite":
            con.close()
        else:
            db.close()

        for what, (p50, p99, rate, done, clients, paths) in api.items():
            view, mode = what.rsplit(", ", 1)
            per_query, _ = reference[view]
            q50, q99 = _percentile(per_query, 50), _percentile(per_query, 99)
            how = ("every answer computed from the rollups and sketches (`serve --no-cache`; also the first request "
                   "after each commit)" if mode == "computed" else
                   "default server: an answer reused until the next commit (a static store: all hits)")
            rows.append(row(f"dashboard API on {label}, {n:,} events, {view}, {mode}: latency p50 / p99",
                            f"{p50:,.2f} ms / {p99:,.2f} ms ({rate:,.0f} req/s, {done:,} requests)",
                            f"Superset-style GROUP BY over `operations`: {q50:,.0f} ms / {q99:,.0f} ms per query",
                            f"{q50 / p50:,.0f}x / {q99 / p99:,.0f}x faster; goal p99 ≤ 50 ms: {goal(p99 <= 50)}",
                            f"{how}; `shopstream serve --store {uri.replace(str(REPO) + '/', '')}` under wrk "
                            f"({clients} connection{'s' if clients > 1 else ''}) cycling over the {len(paths)} "
                            f"requests of one page refresh ({', '.join(p.split('?')[0][5:] for p in paths)}); "
                            f"reference: the same event figures as GROUP BY queries over the cleaned rows of the "
                            f"same store, same filter ({rounds} rounds, {client}); the rows hold no users or "
                            f"sessions, so people have no row equivalent there"))
        p50 = api["all time, computed"][0]
        _, per_page = reference["all time"]
        paths = views["all time"]
        rows.append(row(f"dashboard page refresh on {label}, all time, computed: its requests one after another, p50",
                        f"{p50 * len(paths):,.1f} ms (request p50 x {len(paths)})",
                        f"{_percentile(per_page, 50) / 1e3:,.2f} s",
                        f"{_percentile(per_page, 50) / (p50 * len(paths)):,.0f}x",
                        "what one refresh of the page costs the store, serially"))

    # The sketches against exact counts over the raw rows (the same events in every store).
    for label, (people, people_department, department, raw_db) in people_seen.items():
        # Every store holds the same events: a server store kept from an earlier run may have
        # lost its raw rows beside it, and then another store's raw rows count.
        candidates = [raw_db] + [other[3] for other in people_seen.values()] + [OUT / f"dashboard-{n}-store.db"]
        raw_db = next((db for db in candidates if db.exists()), raw_db)
        exact = _exact_people(raw_db, department)
        errors = [(people[k] - exact[k]) / exact[k] for k in ("users", "sessions")] + \
                 [(people_department[k] - exact["department_" + k]) / exact["department_" + k]
                  for k in ("users", "sessions")]
        worst = max(abs(e) for e in errors)
        rows.append(row(f"unique users and sessions on {label}, {n:,} events (HyperLogLog sketches): error",
                        f"users {people['users']:,} ({errors[0]:+.2%}), sessions {people['sessions']:,} "
                        f"({errors[1]:+.2%}); department {department}: users {people_department['users']:,} "
                        f"({errors[2]:+.2%}), sessions {people_department['sessions']:,} ({errors[3]:+.2%})",
                        f"exact COUNT(DISTINCT) over the raw rows: users {exact['users']:,}, sessions "
                        f"{exact['sessions']:,}; {department}: {exact['department_users']:,}, "
                        f"{exact['department_sessions']:,} ({exact['seconds']:,.1f} s for the first two)",
                        f"worst error {worst:.2%}; goal ≤ 2 %: {goal(worst <= 0.02)}",
                        "`/api/people` all time and with the department picked, against Python sqlite3's "
                        "COUNT(DISTINCT user_id), COUNT(DISTINCT user_session) over the raw store's rows"))
    if os.environ.get("SHOPSTREAM_BENCH_KEEP") != "1":
        if "mysql" in stores:
            admin = st.MariaDB()
            admin.execute(f"DROP DATABASE IF EXISTS {DASHBOARD_DB}")
            admin.close()
        if "postgres" in stores:
            Postgres.drop(DASHBOARD_DB, dict(os.environ, PGPASSFILE=str(REPO / ".cache" / "run" / "pgpass")))
    note = f"; {load_before} before, {st.load_average()} after"
    if build_notes:
        note += "; building the stores: " + ", ".join(build_notes)
    for r in rows:
        r["how"] += note
    return rows
