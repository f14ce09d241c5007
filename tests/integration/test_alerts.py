"""Alerts in a replay (docs/alerts.md): `shopstream generate`'s events, re-timed into a dense
stream (views thinned to a tenth, so that purchases are ~150 a minute), with half the purchases
dropped from a known stream time on. `process --alerts` fires purchases_drop within 60 s of
stream time after the drop, and not at all on the same replay without it; a processor restarted
while it fires resolves it once. A bad rules file is refused with its file and line (exit 2)."""
import csv
import datetime
import http.server
import json
import os
import random
import sqlite3
import threading
import uuid

import pytest

from conftest import query, run
from dashboard_support import Server

START = datetime.datetime(2019, 11, 20, 12, 0, 0)
PER_MINUTE = 1650             # events a minute after thinning: ~150 purchases
DROP_AT = START + datetime.timedelta(minutes=12)
MINUTES = 16
RULES = "purchases_drop: purchases drop 40% window=60s baseline=10m min=30\n"


@pytest.fixture(scope="module")
def generated(shopstream_bin, tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "events.csv"
    r = run([shopstream_bin, "generate", "--rows", "180000", "--seed", "3", "-o", str(path)])
    assert r.returncode == 0, r.stderr
    rng = random.Random(5)
    with open(path, newline="") as f:
        rows = [row for row in csv.DictReader(f)
                if row["event_type"] != "view" or rng.random() < 0.1]
    return rows[: PER_MINUTE * MINUTES]


def message(row, when):
    def text(v):
        return v if v else float("nan")
    return json.dumps({
        "event_time": when.strftime("%Y-%m-%d %H:%M:%S"), "event_type": row["event_type"],
        "product_id": int(row["product_id"]), "category_id": int(row["category_id"]),
        "category_code": text(row["category_code"]), "brand": text(row["brand"]),
        "price": float(row["price"]), "user_id": int(row["user_id"]),
        "user_session": text(row["user_session"]), "id": str(uuid.uuid4()),
    }).encode()


class Hook(http.server.BaseHTTPRequestHandler):
    """A loopback webhook: the first POST gets a 503 (the processor retries), the rest 204."""
    received = []
    refused = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Hook.refused == 0:
            Hook.refused += 1
            self.send_response(503)
        else:
            Hook.received.append((self.headers.get("Authorization"), json.loads(body)))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def replay(shopstream_bin, tmp_path, rows, drop, env=None):
    """Writes the re-timed rows into an embedded log (every other purchase from DROP_AT on left
    out when `drop`), processes it with the rules, and returns the alerts table."""
    messages, purchases_after = [], 0
    for i, row in enumerate(rows):
        when = START + datetime.timedelta(seconds=i * 60 / PER_MINUTE)
        if drop and when >= DROP_AT and row["event_type"] == "purchase":
            purchases_after += 1
            if purchases_after % 2 == 0:
                continue
        messages.append(message(row, when))
    log, store, rules = tmp_path / "log.db", tmp_path / "store.db", tmp_path / "alerts.conf"
    rules.write_text(RULES)
    con = sqlite3.connect(log)
    con.execute("CREATE TABLE log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL,"
                " appended_us INTEGER NOT NULL)")
    con.executemany("INSERT INTO log VALUES(?, ?, 0)", list(enumerate(messages)))
    con.commit()
    con.close()
    r = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
             "--processed", f"sqlite://{store}", "--idle-exit", "1", "--max-batch", "5000",
             "--alerts", str(rules)], env=env)
    assert r.returncode == 0, r.stderr
    return query(store, "SELECT rule, state, stream_time, metric, value, threshold FROM alerts"
                        " ORDER BY stream_time, state")


def test_a_purchase_drop_fires_within_a_minute_of_stream_time(shopstream_bin, generated, tmp_path):
    hook = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    env = dict(os.environ, SHOPSTREAM_ALERT_WEBHOOK_URL=f"http://127.0.0.1:{hook.server_port}/hook",
               SHOPSTREAM_ALERT_WEBHOOK_SECRET="s3cret")
    try:
        alerts = replay(shopstream_bin, tmp_path, generated, drop=True, env=env)
    finally:
        hook.shutdown()
    fired = [a for a in alerts if a[1] == "fired"]
    assert fired, alerts
    rule, _, at, metric, value, threshold = fired[0]
    assert (rule, metric) == ("purchases_drop", "purchases")
    at = datetime.datetime.strptime(at, "%Y-%m-%d %H:%M:%S")
    assert DROP_AT <= at <= DROP_AT + datetime.timedelta(seconds=60), alerts
    assert value < threshold
    # The webhook got the change after a refusal; the board shows it firing.
    assert Hook.refused == 1
    assert [(auth, body["rule"], body["state"]) for auth, body in Hook.received][:1] == \
        [("Bearer s3cret", "purchases_drop", "fired")]
    server = Server(shopstream_bin, tmp_path / "store.db")
    try:
        answer = server.json("/api/alerts", limit=100)
        assert [(h["stream_time"], h["state"]) for h in answer["history"]] == \
            [(a[2], a[1]) for a in sorted(alerts, key=lambda a: (a[2], a[1]), reverse=True)]
        assert answer["fired_total"] == {"purchases_drop": len(fired)}
        _, metrics, _ = server.get("/metrics")
        assert f'shopstream_alerts_fired_total{{rule="purchases_drop"}} {len(fired)}' in metrics
        firing = alerts[-1][1] == "fired"
        assert [a["rule"] for a in answer["firing"]] == (["purchases_drop"] if firing else [])
        assert f'shopstream_alerts_firing{{rule="purchases_drop"}} {int(firing)}' in metrics
    finally:
        server.stop()


def test_a_firing_alert_survives_a_restart(shopstream_bin, generated, tmp_path):
    """The drop's replay, then the processor restarted on a log that goes on at the full rate:
    the alert firing at the restart is resolved once, and no second "fired" row appears."""
    first = replay(shopstream_bin, tmp_path, generated, drop=True)
    assert first[-1][1] == "fired", first  # the replay ends while the drop lasts
    # Four more minutes at the full rate, appended after the restart's last offset.
    con = sqlite3.connect(tmp_path / "log.db")
    (offset,) = con.execute("SELECT MAX(offset) FROM log").fetchone()
    end = START + datetime.timedelta(minutes=MINUTES)
    more = [message(row, end + datetime.timedelta(seconds=i * 60 / PER_MINUTE))
            for i, row in enumerate(generated[: PER_MINUTE * 4])]
    con.executemany("INSERT INTO log VALUES(?, ?, 0)",
                    [(offset + 1 + i, m) for i, m in enumerate(more)])
    con.commit()
    con.close()
    store = tmp_path / "store.db"
    r = run([shopstream_bin, "process", "--from", f"sqlite://{tmp_path / 'log.db'}",
             "--raw", f"sqlite://{store}", "--processed", f"sqlite://{store}",
             "--idle-exit", "1", "--max-batch", "5000", "--alerts", str(tmp_path / "alerts.conf")])
    assert r.returncode == 0, r.stderr
    alerts = query(store, "SELECT rule, state, stream_time, metric, value, threshold FROM alerts"
                          " ORDER BY stream_time, state")
    assert alerts[: len(first)] == first
    assert [a[1] for a in alerts[len(first):]] == ["resolved"], alerts
    assert alerts[-1][2] > end.strftime("%Y-%m-%d %H:%M:%S")


def test_the_same_replay_without_the_drop_fires_nothing(shopstream_bin, generated, tmp_path):
    assert replay(shopstream_bin, tmp_path, generated, drop=False) == []


@pytest.mark.parametrize("text,expected", [
    ("ok: events zero\nbad: purchases drop 140%\n", ":2: 'drop' takes a percentage"),
    ("x: sales zero\n", ":1: unknown metric 'sales'"),
])
def test_a_bad_rules_file_names_its_line(shopstream_bin, tmp_path, text, expected):
    rules = tmp_path / "alerts.conf"
    rules.write_text(text)
    r = run([shopstream_bin, "process", "--from", f"sqlite://{tmp_path}/log.db",
             "--raw", f"sqlite://{tmp_path}/s.db", "--processed", f"sqlite://{tmp_path}/s.db",
             "--alerts", str(rules)])
    assert r.returncode == 2
    assert f"{rules}{expected}" in r.stderr
    assert not (tmp_path / "s.db").exists()  # refused before anything was opened


def test_a_missing_rules_file_is_bad_input(shopstream_bin, tmp_path):
    r = run([shopstream_bin, "process", "--from", f"sqlite://{tmp_path}/log.db",
             "--raw", f"sqlite://{tmp_path}/s.db", "--processed", f"sqlite://{tmp_path}/s.db",
             "--alerts", str(tmp_path / "nope.conf")])
    assert r.returncode == 2
    assert "cannot read the rules file" in r.stderr
