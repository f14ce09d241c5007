"""The original's last step for real: Apache Superset (the stack's, scripts/stack up superset)
over a MariaDB store that the real `shopstream process` filled from Kafka with the 10K sample.
The bundle is imported with scripts/superset (first through Superset's own `superset
import-dashboards`, then again through its REST API and the command once more), the dashboard is
opened tab by tab in headless Chromium (tests/browser/superset_dashboard.mjs), every chart must
draw, the revenue it shows must equal the sample's revenue computed here from the CSV, and the
re-imports must update in place and duplicate nothing.
Skipped with SHOPSTREAM_SUPERSET=off (scripts/run-tests then leaves Superset alone).
The charts made with superset/tool/add_charts.py (session funnel, trending, dead letters) are
checked against the bad messages produced after the sample and recounts of its CSV.
SHOPSTREAM_UPDATE_SCREENSHOT=1 rewrites docs/superset.png and docs/superset-{funnel,trending,deadletters}.png."""
import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import pytest
from kafka import KafkaProducer

from conftest import REPO, run
from dashboard_support import MysqlDatabase, Server, mariadb
from kafka_support import BOOTSTRAP
from test_deadletters import message

sys.path.insert(0, str(REPO / "superset" / "tool"))
import bundle  # noqa: E402
from client import Client, SupersetError  # noqa: E402
from store import parse_store  # noqa: E402

pytestmark = pytest.mark.skipif(os.environ.get("SHOPSTREAM_SUPERSET", "on") == "off",
                                reason="SHOPSTREAM_SUPERSET=off")

SUPERSET_URL = f"http://127.0.0.1:{os.environ.get('STACK_SUPERSET_PORT', '8089')}"
SUPERSET_HOME = REPO / ".cache" / "run" / "superset"
SCRIPT = REPO / "scripts" / "superset"
BROWSER = REPO / "tests" / "browser" / "superset_dashboard.mjs"
TABS = {"overview": 10, "products": 7, "live": 5, "funnel": 5, "trending": 3, "alerts": 3, "deadletters": 2,
        "original": 10}
# Messages produced after the sample, each a dead letter with this code.
BAD = [(b"{not json", "json.syntax")] * 3 + [(message(n, price=-n), "price.range") for n in (1, 2)]
# Events produced after the sample, in its CSV format, in its newest hour (2019-11-30 23:36:37 is
# its newest event, so none of these is late): three sessions that view, cart and buy one product
# 45 s, 3.5 min and 12 min after the view (the time to purchase; the third carts 8 minutes after
# its view, beyond the 5-minute window), two users who only view, and DENSE (below) at 23:45. The
# last event, at 23:54:00, follows 4 minutes without any: the default rule events_stopped fires
# there and is still firing at the end.
# The time to purchase chart's bars, by their lower bound in seconds (the board's buckets).
DELAY_LABELS = {0: "00-01 min", 60: "01-02 min", 120: "02-05 min", 300: "05-10 min", 600: "10-20 min",
                1200: "20-30 min", 1800: "30-45 min", 2700: "45-60 min", 3600: "60+ min"}
EXTRA_DELAYS = {5: {0: 1, 120: 1}, 30: {0: 1, 120: 1, 600: 1}, 60: {0: 1, 120: 1, 600: 1}}
# A minute busier than a sparse sketch holds (3,072): as many users and sessions, each viewing
# once at 23:45, so that people_minute stores that minute's sketches dense and the last 30
# minutes mix sparse and dense minutes (docs/superset.md, "Live users in SQL").
DENSE_MINUTE, DENSE_PEOPLE = "2019-11-30 23:45", 3300
DENSE = [(f"45:{n * 60 // DENSE_PEOPLE:02d}", "view", 990006, "10.00", 700000 + n, f"superset-d{n}")
         for n in range(DENSE_PEOPLE)]
EXTRA = [  # time (2019-11-30 23:MM:SS), event type, product, price, user, session
    ("40:00", "view", 990001, "100.00", 901, "superset-s1"), ("40:20", "cart", 990001, "100.00", 901, "superset-s1"),
    ("40:45", "purchase", 990001, "100.00", 901, "superset-s1"),
    ("41:00", "view", 990002, "200.00", 902, "superset-s2"), ("43:00", "cart", 990002, "200.00", 902, "superset-s2"),
    ("44:30", "purchase", 990002, "200.00", 902, "superset-s2"),
    ("42:00", "view", 990003, "300.00", 903, "superset-s3"),
] + DENSE + [
    ("50:00", "cart", 990003, "300.00", 903, "superset-s3"),
    ("50:00", "view", 990004, "40.00", 904, "superset-s4"), ("50:00", "view", 990005, "50.00", 905, "superset-s5"),
    ("54:00", "purchase", 990003, "300.00", 903, "superset-s3"),
]


def superset_password():
    return (SUPERSET_HOME / "admin-password").read_text().strip()


@pytest.fixture(scope="module")
def superset():
    """The stack's Superset, started if needed (scripts/run-tests normally has)."""
    r = run([str(REPO / "scripts" / "stack"), "up", "superset"], timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    client = Client(SUPERSET_URL)
    client.login("admin", superset_password())
    return client


@pytest.fixture(scope="module")
def rows(sample_rows):
    """Every event produced, in order: the sample's, then EXTRA, as CSV rows."""
    extra = [{"event_time": f"2019-11-30 23:{t} UTC", "event_type": kind, "product_id": str(product),
              "category_id": "1", "category_code": "electronics.smartphone", "brand": "supersettest",
              "price": price, "user_id": str(user), "user_session": session}
             for t, kind, product, price, user, session in EXTRA]
    return sample_rows + extra


@pytest.fixture(scope="module")
def store(shopstream_bin, sample_zip, rows, sample_rows, superset, tmp_path_factory):
    """A fresh MariaDB database that `shopstream process --alerts default` filled from a fresh
    Kafka topic with the 10K sample at its original times, then EXTRA and the BAD messages; the
    Superset objects imported for it are deleted after."""
    database = MysqlDatabase("superset")
    topic = f"superset-{os.getpid()}-{int(time.time())}"
    work = tmp_path_factory.mktemp("superset")
    raw = work / "raw.db"
    extra_csv = work / "extra.csv"
    with open(extra_csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[len(sample_rows):])
    try:
        for source in (sample_zip, str(extra_csv)):
            r = run([shopstream_bin, "produce", "-i", source, "--to", f"kafka://127.0.0.1:9092/{topic}",
                     "--speedup", "100000000"], env=database.env)
            assert r.returncode == 0, r.stderr
        producer = KafkaProducer(bootstrap_servers=BOOTSTRAP)
        for value, _ in BAD:
            producer.send(topic, value)
        producer.flush(timeout=60)
        producer.close()
        r = run([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}", "--group", topic,
                 "--raw", f"sqlite://{raw}", "--processed", database.uri, "--alerts", "default", "--idle-exit", "3"],
                env=database.env)
        assert r.returncode == 0, r.stderr
        yield database
    finally:
        try:
            delete_imported(superset, database)
        finally:
            database.drop()


def import_dashboard(database, *extra):
    r = run([sys.executable, str(SCRIPT), "import", "--store", database.uri, *extra], env=database.env,
            timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def imported(client, database):
    """The Superset objects of the store's dashboard, found by the uuids the bundle gives them,
    and everything else that names the same connection, dashboard slug or charts."""
    files = bundle.load()
    key = parse_store(database.uri, environ=database.env).key()
    uuids = {}
    for path, text in files.items():
        kind = path.split("/")[0]
        for line in text.splitlines():
            if line.startswith("uuid: "):
                uuids.setdefault(kind, []).append(bundle.derived_uuid(line[6:].strip(), key))
    found = {kind: [client.find(kind[:-1], "uuid", u, ("id",)) for u in uuids[kind]]
             for kind in ("dashboards", "charts", "datasets", "databases")}
    for kind, hits in found.items():
        assert all(len(h) == 1 for h in hits), f"{kind}: {[len(h) for h in hits]} objects per uuid"
    ids = {kind: [h[0]["id"] for h in hits] for kind, hits in found.items()}
    database_id = ids["databases"][0]
    ids["datasets_of_connection"] = [d["id"] for d in client.find("dataset", "database", database_id,
                                                                          opr="rel_o_m")]
    ids["charts_of_datasets"] = [c["id"] for d in ids["datasets_of_connection"]
                                 for c in client.find("chart", "datasource_id", d)]
    store = parse_store(database.uri, environ=database.env)
    ids["dashboards_with_slug"] = [d["id"] for d in client.find("dashboard", "slug", bundle.slug(store))]
    dashboard = client.json("GET", f"/api/v1/dashboard/{ids['dashboards'][0]}")["result"]
    ids["charts_on_dashboard"] = [c["id"] for c in
                                  client.json("GET", f"/api/v1/dashboard/{dashboard['id']}/charts")["result"]]
    return ids, dashboard


def delete_imported(client, database):
    try:
        ids, _ = imported(client, database)
    except (AssertionError, KeyError, IndexError, SupersetError):
        return  # nothing (complete) was imported
    rison = lambda values: "!(" + ",".join(str(v) for v in values) + ")"  # noqa: E731
    client.json("DELETE", f"/api/v1/dashboard/{ids['dashboards'][0]}")
    client.json("DELETE", f"/api/v1/chart/?q={rison(ids['charts'])}")
    client.json("DELETE", f"/api/v1/dataset/?q={rison(ids['datasets'])}")
    client.json("DELETE", f"/api/v1/database/{ids['databases'][0]}")


def purchase_cents(rows):
    """The purchase revenue of CSV rows, in cents (no shopstream code)."""
    return sum(round(float(r["price"]) * 100) for r in rows if r["event_type"] == "purchase")


def open_dashboard(dashboard_url, screenshot=None, tabs=None):
    env = dict(os.environ, SUPERSET_PASSWORD=superset_password(), SUPERSET_USER="admin")
    args = ["node", str(BROWSER), SUPERSET_URL, dashboard_url, "--timeout", "180"]
    if tabs:
        args += ["--tabs", tabs]
    if screenshot:
        args += ["--screenshot", str(screenshot)]
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_import_with_supersets_own_command_then_every_chart_draws(superset, store, rows, sample_rows,
                                                                  shopstream_bin):
    out = import_dashboard(store, "--superset-home", str(SUPERSET_HOME))
    assert "imported the dashboard" in out
    ids, dashboard = imported(superset, store)
    assert len(ids["charts"]) == sum(TABS.values())
    assert json.loads(dashboard["json_metadata"])["refresh_frequency"] == 10

    screenshot = REPO / "docs" / "superset.png" if os.environ.get("SHOPSTREAM_UPDATE_SCREENSHOT") == "1" else None
    seen = open_dashboard(dashboard["url"], screenshot)
    page_errors = [e for e in seen["consoleErrors"] if e.startswith("page error")]
    assert not page_errors, page_errors
    tabs = {t["tab"]: t for t in seen["tabs"] if t["round"] == 0}
    assert set(tabs) == set(TABS), list(tabs)
    for tab, expected in TABS.items():
        charts = tabs[tab]["charts"]
        assert tabs[tab]["settled"], f"{tab}: still loading after 180 s: {charts}"
        assert len(charts) == expected, f"{tab}: {len(charts)} charts, expected {expected}"
        failed = [(c["name"], c["state"], c["message"]) for c in charts if c["state"] != "drawn"]
        assert not failed, f"{tab}: {failed}"
        bad = [r for r in tabs[tab]["requests"] if r["status"] != 200]
        assert not bad, f"{tab}: chart data requests failed: {bad}"
        row_counts = {r["chart"]: r["rows"] for r in tabs[tab]["requests"]}
        empty = [c["name"] for c in charts if not row_counts.get(c["id"])]
        assert not empty, f"{tab}: no rows in the answer of {empty}"
    data = {c["name"]: next(r.get("data") for r in tabs[t]["requests"] if r["chart"] == c["id"])
            for t in tabs for c in tabs[t]["charts"]}
    check_new_charts(data, store, rows)
    check_live_and_alerts(data, store, rows, shopstream_bin)
    if screenshot:  # the later tabs, each in a picture of its own (docs/superset.md)
        for tab in ("live", "funnel", "trending", "alerts", "deadletters"):
            open_dashboard(dashboard["url"], REPO / "docs" / f"superset-{tab}.png", tabs=tab)

    assert purchase_cents(sample_rows) == 4198974  # the seed's figure for the sample: 41,989.74
    cents = purchase_cents(rows)
    expected_text = f"{cents // 100:,}.{cents % 100:02d}"
    numbers = {c["name"]: c["number"] for t in tabs.values() for c in t["charts"] if c["number"]}
    assert numbers["Revenue"] == expected_text, numbers
    assert numbers["Revenue (operations)"] == expected_text, numbers
    assert numbers["Events"] == numbers["Events (operations)"] == f"{len(rows):,}", numbers
    purchases = sum(1 for r in rows if r["event_type"] == "purchase")
    assert numbers["Purchases"] == numbers["Purchases (operations)"] == f"{purchases:,}", numbers


def check_new_charts(data, database, rows):
    """The figures of the charts made with add_charts.py, against the messages produced and a
    recount of the events produced from their CSV."""
    codes = {}
    for _, code in BAD:
        codes[code] = codes.get(code, 0) + 1
    assert {r["code"]: r["dead_letters"] for r in data["Dead letters by code"][0]} == codes

    steps = {r["step"]: r["sessions"] for r in data["Session funnel, 30-minute window"][0]}
    windows = {r["window_minutes"]: r for r in data["Sessions by conversion window"][0]}
    assert sorted(windows) == [5, 30, 60]
    # Sessions viewed, recounted by the funnel's order rules (docs/dashboard.md): the sample is
    # produced in the CSV's order, which is not time order, so most of its events arrive more
    # than an hour behind the newest event time seen (late), and an event older than its
    # session's newest step is out of order; neither is a step.
    newest, last_step, viewed = None, {}, set()
    for r in rows:
        t = datetime.datetime.strptime(r["event_time"][:19], "%Y-%m-%d %H:%M:%S")
        late = newest is not None and t < newest - datetime.timedelta(hours=1)
        newest = t if newest is None else max(newest, t)
        if late or t < last_step.get(r["user_session"], t):
            continue
        last_step[r["user_session"]] = t
        if r["event_type"] == "view":
            viewed.add(r["user_session"])
    assert all(w["viewed"] == len(viewed) for w in windows.values()), (len(viewed), windows)
    stored = mariadb("SELECT window_minutes, SUM(viewed), SUM(carted), SUM(bought) FROM funnel_hour "
                     "GROUP BY window_minutes", database.name)
    assert {int(w): [int(n) for n in counts] for w, *counts in stored} == {
        w: [r["viewed"], r["carted"], r["bought"]] for w, r in windows.items()}
    assert windows[30]["viewed"] > 0
    for step in ("viewed", "carted", "bought"):
        assert steps[step] == windows[30][step], (steps, windows[30])

    # Views per product in the newest 24 hours (the newest hour holding data and the 23
    # before) and the 24 before those.
    hours = sorted({r["event_time"][:13] for r in rows})
    newest = datetime.datetime.strptime(hours[-1], "%Y-%m-%d %H")
    start = (newest - datetime.timedelta(hours=23)).strftime("%Y-%m-%d %H")
    before_start = (newest - datetime.timedelta(hours=47)).strftime("%Y-%m-%d %H")
    now, before = {}, {}
    for r in rows:
        if r["event_type"] != "view" or r["event_time"][:13] < before_start:
            continue
        parts = r["category_code"].split(".")
        key = (parts[0] or "other", parts[-1] or "other")  # as the event contract cleans them
        counts = now if r["event_time"][:13] >= start else before
        counts[key] = counts.get(key, 0) + 1
    top = data["Trending products, last 24 hours (views)"][0]
    assert [r["now"] for r in top] == sorted(now.values(), reverse=True)[:len(top)]
    assert all(r["now"] == now[(r["department"], r["name"])] for r in top), top
    assert all(r["before"] == before.get((r["department"], r["name"]), 0) for r in top), top
    rising = data["Rising fastest products, last 24 hours (views)"][0]
    rises = sorted((n - before.get(k, 0) for k, n in now.items() if n > before.get(k, 0)), reverse=True)
    assert [r["rise"] for r in rising] == rises[:len(rising)]
    assert data["Trending brands, last 24 hours (revenue)"][0]


def check_live_and_alerts(data, database, rows, shopstream_bin):
    """The Live and Alerts tabs and the time to purchase: against the board's answers for the same
    store (`shopstream serve`), the store's tables and a recount of the events produced."""
    # Time from first view to purchase: EXTRA's three sessions (the sample has none that bought).
    delays = {r["delay"]: r["sessions"] for r in data["Time from first view to purchase, 30-minute window"][0]}
    assert len(delays) == 9, delays
    stored = mariadb("SELECT window_minutes, delay_seconds, SUM(sessions) FROM funnel_delay_hour "
                     "GROUP BY window_minutes, delay_seconds", database.name)
    by_window = {}
    for w, lower, n in stored:
        by_window.setdefault(int(w), {})[int(lower)] = int(n)
    assert by_window == EXTRA_DELAYS, by_window
    assert delays == {label: EXTRA_DELAYS[30].get(lower, 0) for lower, label in DELAY_LABELS.items()}, delays
    windows = {r["window_minutes"]: r for r in data["Sessions by conversion window"][0]}
    assert {w: r["bought"] for w, r in windows.items()} == {w: sum(d.values()) for w, d in EXTRA_DELAYS.items()}

    # Live: the board's figures (/api/live) and a recount of the produced events' users and
    # sessions in the newest minute holding data and the 4 (29) before it.
    minutes = sorted({r["event_time"][:16] for r in rows})
    newest = datetime.datetime.strptime(minutes[-1], "%Y-%m-%d %H:%M")
    since = {w: (newest - datetime.timedelta(minutes=w - 1)).strftime("%Y-%m-%d %H:%M") for w in (5, 30)}
    recount = {(w, kind): len({r[column] for r in rows if r["event_time"][:16] >= since[w]})
               for w in (5, 30) for kind, column in (("users", "user_id"), ("sessions", "user_session"))}
    shown = {(w, kind): data[f"{kind.capitalize()}, last {w} minutes"][0][0][kind]
             for w in (5, 30) for kind in ("users", "sessions")}
    server = Server(shopstream_bin, database.uri, env=database.env)
    try:
        live = server.json("/api/live")["people"]
    finally:
        server.stop()
    board = {(w, kind): live[f"{kind}_{w}m"] for w in (5, 30) for kind in ("users", "sessions")}
    # DENSE's minute is stored dense: the board estimates a window holding it from 16,384
    # registers (a standard error of 0.81 %), the 5-minute window it is not in exactly.
    stored = mariadb("SELECT ORD(users), ORD(sessions) FROM people_minute WHERE scope = 'all' AND brand = '' "
                     f"AND department = '' AND bucket = '{DENSE_MINUTE}'", database.name)
    assert stored == [["2", "2"]], stored
    assert DENSE_MINUTE < since[5] and DENSE_MINUTE >= since[30]
    assert shown == board, (shown, board, recount)
    assert all(board[(5, kind)] == recount[(5, kind)] for kind in ("users", "sessions")), (board, recount)
    assert all(abs(board[(30, kind)] - recount[(30, kind)]) <= 0.03 * recount[(30, kind)]
               for kind in ("users", "sessions")), (board, recount)
    assert recount[(5, "users")] >= 3 and recount[(30, "users")] > DENSE_PEOPLE
    per_minute = data["Users per minute, last 30 minutes (the newest still filling)"][0]
    assert len(per_minute) == 30, per_minute
    drawn = [(datetime.datetime.fromtimestamp(r["minute"] / 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
              r["users"]) for r in sorted(per_minute, key=lambda r: r["minute"])]
    assert drawn == [(m["bucket"], m["users"]) for m in live["users_per_minute"]], (drawn, live)
    assert drawn[-1] == (minutes[-1], len({r["user_id"] for r in rows if r["event_time"][:16] == minutes[-1]}))
    in_dense_minute = len({r["user_id"] for r in rows if r["event_time"][:16] == DENSE_MINUTE})
    assert abs(dict(drawn)[DENSE_MINUTE] - in_dense_minute) <= 0.03 * in_dense_minute, (drawn, in_dense_minute)

    # Alerts: each rule's latest change and the history are the alerts table's.
    table = [dict(zip(("rule", "stream_time", "state"), r)) for r in
             mariadb("SELECT rule, stream_time, state FROM alerts", database.name)]
    assert any(r["state"] == "fired" for r in table), table
    latest = {}
    for r in sorted(table, key=lambda r: (r["stream_time"], r["state"] == "resolved")):
        latest[r["rule"]] = r["state"]
    firing = sorted(rule for rule, state in latest.items() if state == "fired")
    assert "events_stopped" in firing, latest  # EXTRA ends with 4 minutes without events
    assert data["Alerts firing now"][0][0]["firing"] == len(firing)
    assert {r["rule"]: r["state"] for r in data["Alert rules, latest change"][0]} == latest
    history = data["Alert history, newest first"]
    if history:  # the browser script keeps answers of up to 50 rows
        newest_first = sorted(sorted(sorted(table, key=lambda r: r["rule"]), key=lambda r: r["state"], reverse=True),
                              key=lambda r: r["stream_time"], reverse=True)
        assert [(r["stream_time"], r["rule"], r["state"]) for r in history[0]] == [
            (r["stream_time"], r["rule"], r["state"]) for r in newest_first], history


def test_reimport_updates_in_place_and_duplicates_nothing(superset, store):
    before, _ = imported(superset, store)
    assert len(before["dashboards_with_slug"]) == 1
    assert sorted(before["charts_on_dashboard"]) == sorted(before["charts"])
    assert sorted(before["datasets_of_connection"]) == sorted(before["datasets"])
    assert sorted(before["charts_of_datasets"]) == sorted(before["charts"])

    # A chart changed in Superset is put back by the next import through the API.
    chart_id = before["charts"][0]
    original = superset.json("GET", f"/api/v1/chart/{chart_id}")["result"]["slice_name"]
    superset.json("PUT", f"/api/v1/chart/{chart_id}", {"slice_name": "changed by the test"})
    import_dashboard(store)
    assert superset.json("GET", f"/api/v1/chart/{chart_id}")["result"]["slice_name"] == original
    import_dashboard(store, "--superset-home", str(SUPERSET_HOME))

    after, _ = imported(superset, store)
    assert after == before


def test_export_writes_back_what_was_imported(superset, store, tmp_path):
    """scripts/superset export (how a change made in Superset's UI goes back into the bundle):
    right after an import it must give back the committed files unchanged."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle.BUNDLE, copy)
    r = run([sys.executable, str(SCRIPT), "export", "--store", store.uri, "--bundle", str(copy)], env=store.env)
    assert r.returncode == 0, r.stderr
    diff = subprocess.run(["diff", "-r", str(bundle.BUNDLE), str(copy)], capture_output=True, text=True).stdout
    assert diff == "", diff[:3000]
    assert "0 files" in r.stdout, r.stdout


def test_import_errors_say_what_is_wrong(store, tmp_path):
    def fails(args, env, code, words):
        r = run([sys.executable, str(SCRIPT), *args], env=env, timeout=300)
        assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
        assert words in r.stderr, r.stderr

    env = store.env
    fails(["import", "--store", "kafka://127.0.0.1:9092/t"], env, 2, "mysql:// URI")
    fails(["import", "--store", "mysql://admin:secret@127.0.0.1:3306/e.operations"], env, 2, "password in the")
    fails(["import", "--store", "mysql://admin@127.0.0.1:3306/ecommerce"], env, 2, "names no table")
    no_password = {k: v for k, v in env.items() if k not in ("SHOPSTREAM_MYSQL_OPTION_FILE",
                                                              "SHOPSTREAM_MYSQL_PASSWORD")}
    fails(["import", "--store", store.uri], no_password, 2, "no MySQL password")
    fails(["import", "--store", store.uri, "--superset-url", "http://127.0.0.1:9"], env, 1, "cannot reach Superset")
    wrong = dict(env, SHOPSTREAM_SUPERSET_PASSWORD="not-the-password")
    fails(["import", "--store", store.uri], wrong, 1, "refused the login")
    assert run([sys.executable, str(SCRIPT), "import", "--help"]).returncode == 0
    zipped = tmp_path / "bundle.zip"
    r = run([sys.executable, str(SCRIPT), "zip", "--store", store.uri, "-o", str(zipped), "--refresh", "30"],
            env=env)
    assert r.returncode == 0, r.stderr
    password = parse_store(store.uri, environ=env).password
    with zipfile.ZipFile(zipped) as z:
        names = z.namelist()
        texts = [z.read(name).decode() for name in names]
    assert len(names) == len(bundle.load()) and all(name.startswith(bundle.TOP + "/") for name in names)
    assert not any(password in t for t in texts)
    dashboard = next(t for n, t in zip(names, texts) if n.endswith(bundle.DASHBOARD_FILE))
    assert "\n  refresh_frequency: 30\n" in dashboard
