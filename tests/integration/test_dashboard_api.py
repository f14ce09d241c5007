"""The dashboard's JSON API and /metrics over a store that the real `shopstream process` wrote
from the 10K sample (original timestamps), checked against sums computed here from the CSV, and
its counts of unique users and sessions against exact counts read from the raw store.
Runs over the embedded SQLite store, over MariaDB and over PostgreSQL (the stack's servers, a
fresh database each); $SHOPSTREAM_DASHBOARD_STORES picks them (CTest: "sqlite" in one test,
"mysql" and "postgres" in the cluster ones)."""
import datetime
import json
import os
import socket
import sqlite3

import pytest
from conftest import run
from dashboard_support import Expected, MysqlDatabase, Server, build_store, mariadb
from pg_support import PostgresDatabase, psql

REVENUE_TOLERANCE = 0.01  # prices are stored as 32-bit floats, like the seed's MySQL FLOAT
SKETCH_TOLERANCE = 0.02   # the people sketches' promise
STORES = os.environ.get("SHOPSTREAM_DASHBOARD_STORES", "sqlite,mysql,postgres").split(",")


@pytest.fixture(scope="module", params=STORES)
def server(request, shopstream_bin, sample_zip, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dashboard")
    if request.param == "sqlite":
        build_store(shopstream_bin, sample_zip, tmp / "store.db", tmp / "log.db")
        s = Server(shopstream_bin, tmp / "store.db")
        s.raw = tmp / "store.db"
        yield s
        s.stop()
        return
    db = MysqlDatabase("dashboard") if request.param == "mysql" else PostgresDatabase("dashboard")
    try:
        build_store(shopstream_bin, sample_zip, tmp / "raw.db", tmp / "log.db", processed=db.uri, env=db.env)
        s = Server(shopstream_bin, db.uri, env=db.env)
        s.database = db.name
        s.raw = tmp / "raw.db"
        try:
            yield s
        finally:
            s.stop()
    finally:
        db.drop()


def assert_breakdown(got, want):
    for key in ("events", "views", "carts", "purchases"):
        assert got[key] == want[key], (key, got, want)
    assert abs(got["revenue"] - want["revenue"]) < REVENUE_TOLERANCE, (got, want)


def test_kpis_over_all_time_equal_the_csv(server, sample_rows):
    want = Expected(sample_rows).totals()
    got = server.json("/api/kpis")
    assert_breakdown(got, want)
    assert want["events"] == 10034 and abs(want["revenue"] - 41989.74) < 0.01
    assert got["view_to_cart"] == pytest.approx(want["carts"] / want["views"])
    assert got["cart_to_purchase"] == pytest.approx(want["purchases"] / want["carts"])


def test_kpis_over_a_range_count_minutes_in_from_to(server, sample_rows):
    got = server.json("/api/kpis", **{"from": "2019-11-10 06:30", "to": "2019-11-17 12:00"})
    assert_breakdown(got, Expected(sample_rows, "2019-11-10 06:30", "2019-11-17 12:00").totals())


def test_timeseries_of_all_time_is_hourly_and_complete(server, sample_rows):
    got = server.json("/api/timeseries")
    assert got["granularity"] == "hour"
    want = Expected(sample_rows).grouped(lambda r: r["minute"][:13])
    points = got["points"]
    assert points[0]["bucket"] == min(want) and points[-1]["bucket"] == max(want)
    buckets = [p["bucket"] for p in points]
    assert buckets == sorted(set(buckets))
    for p in points:
        assert_breakdown(p, want.get(p["bucket"], Expected.breakdown([])))
    assert sum(p["events"] for p in points) == 10034


def test_timeseries_of_a_short_range_is_per_minute(server, sample_rows):
    rows = Expected(sample_rows).rows
    busiest_hour = max({r["minute"][:13] for r in rows}, key=lambda h: sum(r["minute"].startswith(h) for r in rows))
    lo = busiest_hour + ":00"
    hi = (datetime.datetime.fromisoformat(lo) + datetime.timedelta(minutes=90)).strftime("%Y-%m-%d %H:%M")
    got = server.json("/api/timeseries", **{"from": lo, "to": hi})
    assert got["granularity"] == "minute"
    assert len(got["points"]) == 90
    want = Expected(sample_rows, lo, hi).grouped(lambda r: r["minute"])
    for p in got["points"]:
        assert_breakdown(p, want.get(p["bucket"], Expected.breakdown([])))


def test_timeseries_of_an_hour_or_less_is_per_ten_seconds(server, sample_rows):
    rows = Expected(sample_rows).rows
    busiest_hour = max({r["minute"][:13] for r in rows}, key=lambda h: sum(r["minute"].startswith(h) for r in rows))
    lo, hi = busiest_hour + ":00", busiest_hour + ":59"
    got = server.json("/api/timeseries", **{"from": lo, "to": hi})
    assert got["granularity"] == "second" and got["step"] == 10
    assert len(got["points"]) == 59 * 6
    want = Expected(sample_rows, lo, hi).grouped(lambda r: r["ten_seconds"])
    for p in got["points"]:
        assert_breakdown(p, want.get(p["bucket"], Expected.breakdown([])))
    assert sum(p["events"] for p in got["points"]) == server.json("/api/kpis", **{"from": lo, "to": hi})["events"] > 0


def test_live_view_counts_the_last_minutes_of_stream_time(server, sample_rows):
    live = server.json("/api/live")
    rows = Expected(sample_rows).rows
    newest = max(r["ten_seconds"] for r in rows)
    assert live["pulse"]["as_of"] == newest
    points = live["pulse"]["points"]
    assert len(points) == 60 and points[-1]["bucket"] == newest
    end = datetime.datetime.fromisoformat(newest) + datetime.timedelta(seconds=10)
    start = end - datetime.timedelta(minutes=10)
    in_window = [r for r in rows if start <= datetime.datetime.fromisoformat(r["ten_seconds"]) < end]
    assert sum(p["events"] for p in points) == len(in_window)
    people = live["people"]
    last = datetime.datetime.fromisoformat(max(r["minute"] for r in rows))
    for minutes, key in ((5, "users_5m"), (30, "users_30m")):
        first = (last - datetime.timedelta(minutes=minutes - 1)).strftime("%Y-%m-%d %H:%M")
        users = {r["user"] for r in rows if r["minute"] >= first}
        assert abs(people[key] - len(users)) <= max(1, 0.02 * len(users)), (key, people[key], len(users))
    assert len(people["users_per_minute"]) == 30 and people["users_per_minute"][-1]["bucket"] == people["as_of"]


def test_a_long_range_is_daily(server, sample_rows):
    got = server.json("/api/timeseries", **{"from": "2019-10-01", "to": "2019-12-15"})
    assert got["granularity"] == "day"
    want = Expected(sample_rows).grouped(lambda r: r["minute"][:10])
    assert len(got["points"]) == 75
    for p in got["points"]:
        assert_breakdown(p, want.get(p["bucket"], Expected.breakdown([])))


def test_departments_equal_the_csv(server, sample_rows):
    got = server.json("/api/departments")["departments"]
    want = Expected(sample_rows).grouped(lambda r: r["department"])
    assert {d["name"] for d in got} == set(want)
    for d in got:
        assert_breakdown(d, want[d["name"]])
    revenues = [d["revenue"] for d in got]
    assert revenues == sorted(revenues, reverse=True)


@pytest.mark.parametrize("endpoint,key", [
    ("/api/brands", lambda r: r["brand"]),
    ("/api/products", lambda r: (r["department"], r["product"])),
])
def test_rankings_equal_the_csv(server, sample_rows, endpoint, key):
    want = Expected(sample_rows).grouped(key)
    for limit in (10, 100):
        got = server.json(endpoint, limit=limit)
        for ranking, field in (("by_revenue", "revenue"), ("by_views", "views")):
            items = got[ranking]
            assert len(items) == limit
            for item in items:
                name = item["name"] if endpoint == "/api/brands" else (item["department"], item["name"])
                assert_breakdown(item, want[name])
            # The ranked values are the CSV's top values (names may tie).
            top = sorted((v[field] for v in want.values()), reverse=True)[:limit]
            assert [i[field] for i in items] == pytest.approx(top, abs=REVENUE_TOLERANCE)


def test_mix_and_funnel_equal_the_csv(server, sample_rows):
    want = Expected(sample_rows).totals()
    mix = {m["event_type"]: m["events"] for m in server.json("/api/mix")["mix"]}
    assert mix == {"view": want["views"], "cart": want["carts"], "purchase": want["purchases"]}
    funnel = server.json("/api/funnel")
    assert [(s["stage"], s["events"]) for s in funnel["steps"]] == [
        ("view", want["views"]), ("cart", want["carts"]), ("purchase", want["purchases"])]
    assert funnel["view_to_purchase"] == pytest.approx(want["purchases"] / want["views"])


def assert_people(got, want):
    for key, exact in want.items():
        assert abs(got[key] - exact) <= SKETCH_TOLERANCE * exact, (key, got[key], exact)


def test_people_over_all_time_are_within_two_percent_of_the_raw_store(server):
    with sqlite3.connect(f"file:{server.raw}?mode=ro", uri=True) as raw:
        users, sessions = raw.execute(
            "SELECT COUNT(DISTINCT user_id), COUNT(DISTINCT user_session) FROM raw_operations").fetchone()
    assert (users, sessions) == (9941, 10022)
    got = server.json("/api/people")
    assert_people(got, {"users": users, "sessions": sessions})
    assert got["events"] == 10034
    assert got["events_per_session"] == pytest.approx(10034 / got["sessions"])
    assert got["session_conversion"] == pytest.approx(got["sessions_buying"] / got["sessions"])
    # Counted from the first minute: this store never had an older processor.
    assert got["counted_since"] == server.json("/api/extent")["first_minute"]


@pytest.mark.parametrize("params,lo,hi,department,brand", [
    ({}, "", "~", None, None),
    ({"from": "2019-11-10 06:30", "to": "2019-11-17 12:00"}, "2019-11-10 06:30", "2019-11-17 12:00", None, None),
    ({"department": "electronics"}, "", "~", "electronics", None),
    ({"department": "apparel", "from": "2019-11-03", "to": "2019-11-20 08:15"}, "2019-11-03", "2019-11-20 08:15",
     "apparel", None),
    ({"brand": "samsung"}, "", "~", None, "samsung"),
    # A brand's figures count whole hours, its people whole days: a range of whole days is exact.
    ({"brand": "apple", "department": "electronics", "from": "2019-11-05", "to": "2019-11-25"},
     "2019-11-05", "2019-11-25", "electronics", "apple"),
])
def test_people_per_range_and_filter_are_within_two_percent(server, sample_rows, params, lo, hi, department,
                                                            brand):
    want = Expected(sample_rows, lo, hi, department, brand)
    got = server.json("/api/people", **params)
    assert_people(got, want.people())
    assert got["events"] == len(want.rows)


@pytest.mark.parametrize("department,brand", [("electronics", None), (None, "samsung"), ("apparel", None),
                                              ("electronics", "apple"), ("<nope>", None)])
def test_every_endpoint_follows_the_filter(server, sample_rows, department, brand):
    params = {k: v for k, v in (("department", department), ("brand", brand)) if v}
    want = Expected(sample_rows, department=department, brand=brand)
    assert_breakdown(server.json("/api/kpis", **params), want.totals())
    funnel = server.json("/api/funnel", **params)
    assert [s["events"] for s in funnel["steps"]] == [want.totals()[k] for k in ("views", "carts", "purchases")]
    mix = {m["event_type"]: m["events"] for m in server.json("/api/mix", **params)["mix"]}
    assert mix == {k: v for k, v in (("view", want.totals()["views"]), ("cart", want.totals()["carts"]),
                                     ("purchase", want.totals()["purchases"])) if v}
    departments = want.grouped(lambda r: r["department"])
    got = server.json("/api/departments", **params)["departments"]
    assert {d["name"] for d in got} == set(departments)
    for d in got:
        assert_breakdown(d, departments[d["name"]])
    for endpoint, key in (("/api/brands", lambda r: r["brand"]),
                          ("/api/products", lambda r: (r["department"], r["product"]))):
        groups = want.grouped(key)
        items = server.json(endpoint, limit=100, **params)["by_revenue"]
        assert len(items) == min(100, len(groups))
        for item in items:
            assert_breakdown(item, groups[item["name"] if endpoint == "/api/brands" else (item["department"],
                                                                                          item["name"])])
    series = server.json("/api/timeseries", **params)
    assert sum(p["events"] for p in series["points"]) == want.totals()["events"]


def test_a_brand_counts_whole_hours(server, sample_rows):
    """A 20-minute range with a brand counts the brand's whole hours around it."""
    rows = Expected(sample_rows, brand="samsung").rows
    hour = max({r["minute"][:13] for r in rows}, key=lambda h: sum(r["minute"].startswith(h) for r in rows))
    got = server.json("/api/kpis", brand="samsung", **{"from": hour + ":20", "to": hour + ":40"})
    assert_breakdown(got, Expected(sample_rows, hour + ":00", hour + ":60", brand="samsung").totals())
    series = server.json("/api/timeseries", brand="samsung", **{"from": hour + ":20", "to": hour + ":40"})
    assert series["granularity"] == "hour" and [p["bucket"] for p in series["points"]] == [hour]


def test_bad_filters_are_400(server):
    for params in ({"department": "x" * 51}, {"brand": "b" * 60}):
        status, body, _ = server.get("/api/kpis", **params)
        assert status == 400 and json.loads(body)["error"], (params, body)


def test_metrics_and_health(server):
    status, body, headers = server.get("/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = dict(line.rsplit(" ", 1) for line in body.splitlines() if line and not line.startswith("#"))
    assert lines["shopstream_store_up"] == "1"
    assert sum(int(v) for k, v in lines.items() if k.startswith("shopstream_processor_events_total{")) == 10034
    assert sum(int(v) for k, v in lines.items() if k.startswith("shopstream_processor_batches_total{")) >= 1
    assert any(k.startswith("shopstream_processor_last_batch_seconds{") for k in lines)
    assert any(k.startswith("shopstream_processor_lag_messages{") for k in lines)
    assert lines["shopstream_dead_letters_stored"] == "0"
    assert lines['shopstream_rollup_events_total{event_type="purchase"}'] == "151"
    assert abs(float(lines["shopstream_rollup_revenue_total"]) - 41989.74) < REVENUE_TOLERANCE
    assert server.get("/healthz")[0] == 200


def test_bad_parameters_are_400_with_a_message(server):
    for params in ({"from": "yesterday"}, {"from": "2019-11-02", "to": "2019-11-01"},
                   {"to": "2019-11-01' OR 1=1 --"}):
        status, body, _ = server.get("/api/kpis", **params)
        assert status == 400 and json.loads(body)["error"], (params, body)
    status, body, _ = server.get("/api/brands", limit="0")
    assert status == 400 and "limit" in json.loads(body)["error"]


def test_page_and_scripts_are_served_by_the_binary(server):
    status, body, headers = server.get("/")
    assert status == 200 and "echarts.min.js" in body and "/util.js" in body
    assert server.get("/favicon.ico")[0] == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    status, body, _ = server.get("/echarts.min.js")
    assert status == 200 and len(body) > 500_000


def test_a_taken_port_exits_2_with_a_clear_message(shopstream_bin, server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run([shopstream_bin, "serve", "--store", server.store_uri,
                      "--listen", f"127.0.0.1:{port}"], env=server.env, timeout=60)
    assert result.returncode == 2, result
    assert "port is taken" in result.stderr


def test_a_missing_store_exits_2(shopstream_bin, tmp_path):
    result = run([shopstream_bin, "serve", "--store", f"sqlite://{tmp_path}/nope.db"], timeout=60)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_mysql_connections_killed_by_the_server_are_replaced(server, sample_rows):
    if not server.store_uri.startswith("mysql://"):
        pytest.skip("MySQL only")
    want = Expected(sample_rows).totals()
    assert_breakdown(server.json("/api/kpis"), want)
    ids = mariadb("SELECT id FROM information_schema.processlist WHERE db = '%s' AND id <> CONNECTION_ID()"
                  % server.database)
    assert ids, "the dashboard holds pooled connections to its database"
    for (conn_id,) in ids:
        mariadb(f"KILL CONNECTION {int(conn_id)}")
    for _ in range(3):  # every pooled connection is found dead and replaced
        assert_breakdown(server.json("/api/kpis"), want)
        assert server.json("/api/brands", limit=10)["by_revenue"]


def test_mysql_wrong_database_exits_2(shopstream_bin, tmp_path):
    if "mysql" not in STORES:
        pytest.skip("MySQL not selected")
    db = MysqlDatabase("dashboard_missing")
    db.drop()  # a name that surely does not exist
    result = run([shopstream_bin, "serve", "--store", db.uri, "--listen", "127.0.0.1:0"], env=db.env, timeout=60)
    assert result.returncode == 2, result
    assert db.name in result.stderr


def test_rows_an_older_processor_kept_give_a_bounded_series(shopstream_bin, server):
    """Rows for 2019-02-30 and for years 0000 and 9999, as an older processor could store them,
    on either database: the series stays within 1,000 points and adds up to the totals."""
    rows = [("2019-02-30 10:00", 4), ("0000-01-01 00:00", 1), ("9999-12-31 23:59", 2)]
    statements = [f"INSERT INTO {table}(bucket, event_type, department, events, revenue)"
                  f" VALUES ('{bucket}', 'view', 'old', {events}, 0)"
                  for minute, events in rows
                  for table, bucket in (("rollup_minute", minute), ("rollup_hour", minute[:13]),
                                        ("rollup_day", minute[:10]))]
    cleanup = ["DELETE FROM rollup_minute WHERE department = 'old'",
               "DELETE FROM rollup_hour WHERE department = 'old'",
               "DELETE FROM rollup_day WHERE department = 'old'"]

    def execute(sql):
        if server.store_uri.startswith("mysql://"):
            mariadb(";".join(sql), database=server.database)
        elif server.store_uri.startswith("postgres://"):
            psql(server.database, ";".join(sql))
        else:
            with sqlite3.connect(server.store_uri[len("sqlite://"):], timeout=30) as con:
                for statement in sql:
                    con.execute(statement)

    execute(statements)
    fresh = Server(shopstream_bin, server.store_uri, env=server.env, extra_args=["--no-cache"])
    try:
        series = fresh.json("/api/timeseries")
        assert series["granularity"] == "year" and 1 <= len(series["points"]) <= 1000
        total = fresh.json("/api/kpis")["events"]
        assert total == 10034 + 7
        assert sum(p["events"] for p in series["points"]) == total
        widest = fresh.json("/api/timeseries", **{"from": "0000-01-01", "to": "9999-12-31 23:59:59"})
        assert len(widest["points"]) <= 1000 and sum(p["events"] for p in widest["points"]) == total
        feb = fresh.json("/api/timeseries", **{"from": "2019-02-28", "to": "2019-03-01"})
        assert feb["granularity"] == "hour" and feb["points"][-1]["bucket"] == "2019-02-28 23"
        assert feb["points"][-1]["events"] == 4
    finally:
        fresh.stop()
        execute(cleanup)
