"""`shopstream deadletters` end to end on SQLite, MariaDB and PostgreSQL (SHOPSTREAM_DEADLETTER_STORES
picks them; CMake runs SQLite as embedded, the servers as cluster): codes by the contract, old rows
given codes in place, the three scenarios of "after a fix" (a message edited by hand, a store refusal
its operator lifted, a policy turned on), bad input to the tool, hostile content, and kill -9 during a
replay. Every check reads the store with the database's own client and recounts rows and rollups."""
import json
import os
import signal
import sqlite3
import subprocess
import time
import uuid

import pytest

from conftest import run

STORES = os.environ.get("SHOPSTREAM_DEADLETTER_STORES", "sqlite").split(",")
HOSTILE = "\x1b[2J\x1b]0;owned\x07<script>alert(1)</script>\u202e"


def message(n, **fields):
    event = {"event_time": "2019-11-08 08:14:53 UTC", "event_type": "purchase",
             "product_id": 1, "category_id": 2, "category_code": "electronics.smartphone",
             "brand": "apple", "price": 10.0, "user_id": n, "user_session": f"s{n}",
             "id": str(uuid.UUID(int=n))}
    event.update(fields)
    return json.dumps(event).encode()


class Log:
    """The embedded bus (a SQLite log), written by Python's own sqlite3."""

    def __init__(self, path):
        self.path = path
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL,"
                    " appended_us INTEGER NOT NULL)")
        con.commit()
        con.close()
        self.next = 0

    def append(self, payloads):
        con = sqlite3.connect(self.path)
        con.executemany("INSERT INTO log VALUES(?, ?, 0)",
                        [(self.next + i, p) for i, p in enumerate(payloads)])
        con.commit()
        con.close()
        self.next += len(payloads)


class SqliteStore:
    name = "sqlite"

    def __init__(self, tmp_path):
        self.path = tmp_path / "store.db"
        self.uri = f"sqlite://{self.path}"
        self.env = dict(os.environ)

    def rows(self, sql):
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            return [[None if v is None else str(v) for v in r] for r in con.execute(sql).fetchall()]
        finally:
            con.close()

    def execute(self, sql):
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.executescript(sql)
        finally:
            con.close()

    def refuse_brand(self, brand):
        self.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON operations WHEN NEW.brand = '{brand}'"
                     " BEGIN SELECT RAISE(ABORT, 'brand refused by the operator'); END;")

    def lift_refusal(self):
        self.execute("DROP TRIGGER refuse")

    def drop(self):
        pass


class MysqlStore:
    name = "mysql"

    def __init__(self, tmp_path):
        from dashboard_support import MysqlDatabase
        self.db = MysqlDatabase("deadletters")
        self.uri, self.env = self.db.uri, self.db.env

    def rows(self, sql):
        from dashboard_support import mariadb
        return [[None if v == "NULL" else v for v in r] for r in mariadb(sql, self.db.name)]

    def execute(self, sql):
        self.rows(sql)

    def refuse_brand(self, brand):
        self.execute(f"ALTER TABLE operations ADD CONSTRAINT refuse CHECK (brand <> '{brand}')")

    def lift_refusal(self):
        self.execute("ALTER TABLE operations DROP CONSTRAINT refuse")

    def drop(self):
        self.db.drop()


class PostgresStore:
    name = "postgres"

    def __init__(self, tmp_path):
        from pg_support import PostgresDatabase
        self.db = PostgresDatabase("deadletters")
        self.uri, self.env = self.db.uri, self.db.env

    def rows(self, sql):
        return [[None if v == "" else v for v in r] for r in self.db.query(sql)]

    def execute(self, sql):
        self.db.query(sql)

    def refuse_brand(self, brand):
        self.execute(f"ALTER TABLE operations ADD CONSTRAINT refuse CHECK (brand <> '{brand}')")

    def lift_refusal(self):
        self.execute("ALTER TABLE operations DROP CONSTRAINT refuse")

    def drop(self):
        self.db.drop()


@pytest.fixture(params=STORES)
def store(request, tmp_path):
    s = {"sqlite": SqliteStore, "mysql": MysqlStore, "postgres": PostgresStore}[request.param](tmp_path)
    yield s
    s.drop()


class Pipeline:
    def __init__(self, bin, store, tmp_path):
        self.bin, self.store, self.tmp = bin, store, tmp_path
        self.log = Log(tmp_path / "log.db")

    def process(self, *extra):
        r = run([self.bin, "process", "--from", f"sqlite://{self.log.path}",
                 "--raw", f"sqlite://{self.tmp}/raw.db", "--processed", self.store.uri,
                 "--idle-exit", "1", "-q", *extra], env=self.store.env)
        assert r.returncode == 0, r.stderr

    def tool(self, *args, check=True, **kwargs):
        r = run([self.bin, "deadletters", "--store", self.store.uri, *args], env=self.store.env,
                **kwargs)
        if check:
            assert r.returncode == 0, r.stderr
        return r

    def letters(self):
        """(offset, code, field, state, replays, policy) of every dead letter, by offset."""
        return [tuple(r[:4]) + (int(r[4]), r[5]) for r in self.store.rows(
            'SELECT "offset", code, field, state, replays, policy FROM dead_letters ORDER BY 1'
            if self.store.name != "mysql" else
            "SELECT `offset`, code, field, state, replays, policy FROM dead_letters ORDER BY 1")]

    def verify(self):
        """`shopstream verify --json` of the log against both stores."""
        r = run([self.bin, "verify", "--from", f"sqlite://{self.log.path}",
                 "--raw", f"sqlite://{self.tmp}/raw.db", "--processed", self.store.uri, "--json"],
                env=self.store.env)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def assert_recount(self, expected_rows):
        """Rows as expected, every rollup equal to a recount of the rows, and processor_stats'
        events (what the board and /metrics show) counting each row once, replayed ones too."""
        s = self.store
        assert int(s.rows("SELECT COUNT(*) FROM operations")[0][0]) == expected_rows
        assert int(s.rows("SELECT COALESCE(SUM(events), 0) FROM processor_stats")[0][0]) == \
            expected_rows
        by_brand = sorted((b, t, int(n)) for b, t, n in s.rows(
            "SELECT brand, event_type, COUNT(*) FROM operations GROUP BY brand, event_type"))
        rollup = sorted((b, t, int(n)) for b, t, n in s.rows(
            "SELECT brand, event_type, events FROM rollup_brand WHERE events > 0"))
        assert rollup == by_brand
        minute = int(s.rows("SELECT COALESCE(SUM(events), 0) FROM rollup_minute")[0][0])
        assert minute == expected_rows


@pytest.fixture
def pipeline(shopstream_bin, store, tmp_path):
    return Pipeline(shopstream_bin, store, tmp_path)


def offsets(letters):
    return [int(l[0]) for l in letters]


def test_codes_list_show_and_a_message_edited_by_hand(pipeline, tmp_path):
    p = pipeline
    p.log.append([message(n) for n in range(1, 11)] + [
        message(100, event_time="2019-02-30 10:00:00"),          # 10: event_time.calendar
        b"{not json " + HOSTILE.encode(),                         # 11: json.syntax
        message(101, id="not-a-uuid"),                            # 12: id.format
        message(102, brand=HOSTILE, price=-1),                    # 13: price.range
    ])
    p.process()
    assert [(int(o), c, f, s) for o, c, f, s, _, _ in p.letters()] == [
        (10, "event_time.calendar", "event_time", "open"), (11, "json.syntax", None, "open"),
        (12, "id.format", "id", "open"), (13, "price.range", "price", "open")]
    listed = p.tool("list").stdout
    for code in ("event_time.calendar", "json.syntax", "id.format", "price.range"):
        assert code in listed
    shown = p.tool("show").stdout
    # Hostile content stays escaped: no escape, bell or bidi control reaches the terminal.
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1B[2J" in shown
    assert p.tool("show", "--code", "json.syntax").stdout.count("json.syntax") == 1

    p.tool("export", "--to", str(tmp_path / "dead.jsonl"))
    lines = [json.loads(l) for l in (tmp_path / "dead.jsonl").read_text().splitlines()]
    assert [l["offset"] for l in lines] == [10, 11, 12, 13]
    assert lines[1]["message"] == "{not json " + HOSTILE  # the message, byte for byte
    fixed = json.loads(lines[0]["message"])
    fixed["event_time"] = "2019-02-28 10:00:00"
    lines[0]["message"] = json.dumps(fixed)
    edited = tmp_path / "edited.jsonl"
    edited.write_text(json.dumps(lines[0]) + "\n")
    out = p.tool("replay", "--from", str(edited)).stdout
    assert "stored 1 of 1" in out, out
    p.assert_recount(11)
    assert p.letters()[0][3:5] == ("replayed", 1)
    # verify counts the replayed letter apart: in the processed store, not the raw one.
    report = p.verify()
    assert (report["ok"], report["messages"], report["stored_once"], report["replayed"],
            report["dead_letters"]) == (True, 14, 10, 1, 3), report
    # The same file again: skipped, stored once.
    out = p.tool("replay", "--from", str(edited)).stdout
    assert "stored 0 of 0" in out and "1 skipped" in out, out
    p.assert_recount(11)
    assert p.letters()[0][3:5] == ("replayed", 1)


def test_bad_input_to_the_tool_changes_nothing(pipeline, tmp_path):
    p = pipeline
    p.log.append([message(1), message(2, event_time="2019-02-30 10:00:00")])
    p.process()
    before = p.letters()
    stream = p.store.rows("SELECT stream FROM dead_letters")[0][0]
    good = json.dumps({"stream": stream, "partition": 0, "offset": 1, "message": message(2).decode()})
    cases = {
        "not json": good + "\nnot json\n",
        "unknown provenance": good + "\n" + json.dumps(
            {"stream": stream, "partition": 0, "offset": 999, "message": "{}"}) + "\n",
    }
    for name, text in cases.items():
        f = tmp_path / "bad.jsonl"
        f.write_text(text)
        r = p.tool("replay", "--from", str(f), check=False)
        assert r.returncode == 2, (name, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "bad.jsonl:2" in r.stderr, r.stderr
    for args in (["replay", "--code", "json.nope"], ["show", "--code", "nope"],
                 ["purge", "--before", "2999-01-01", "--code", "nope", "--yes"],
                 ["purge", "--before", "yesterday", "--yes"]):
        r = p.tool(*args, check=False)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert p.letters() == before
    p.assert_recount(1)
    # Purge asks, and without a terminal or --yes deletes nothing.
    r = p.tool("purge", "--before", "2999-01-01", check=False, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "--yes" in r.stderr
    assert p.letters() == before
    assert "purged 1" in p.tool("purge", "--before", "2999-01-01", "--yes").stdout
    assert p.letters() == []


def test_a_store_refusal_cured_by_its_operator(pipeline):
    p = pipeline
    p.log.append([message(n) for n in range(1, 6)])
    p.process()  # the tables exist: the operator adds a refusal
    p.store.refuse_brand("forbidden")
    p.log.append([message(n, brand="forbidden") for n in range(10, 13)] + [message(20)])
    p.process()
    letters = p.letters()
    assert [(int(o), c, s) for o, c, _, s, _, _ in letters] == [
        (5, "store.refused", "open"), (6, "store.refused", "open"), (7, "store.refused", "open")]
    p.assert_recount(6)
    # Still refused: each try is counted, and the letters stay open.
    out = p.tool("replay").stdout
    assert "stored 0 of 3" in out and "store.refused 3" in out, out
    assert [l[3:5] for l in p.letters()] == [("open", 1)] * 3
    p.store.lift_refusal()
    out = p.tool("replay").stdout
    assert "stored 3 of 3" in out, out
    assert [l[3:5] for l in p.letters()] == [("replayed", 2)] * 3
    p.assert_recount(9)


def test_a_policy_turned_on(pipeline):
    p = pipeline
    wide = "w" * 60
    p.log.append([message(1), message(2, brand=wide), message(3, brand=wide + "x")])
    p.process()
    assert [(c, f) for _, c, f, _, _, _ in p.letters()] == [("text.too_long", "brand")] * 2
    assert "would store 2 of 2" in p.tool("replay", "--dry-run", "--long-text", "truncate").stdout
    assert [l[3:5] for l in p.letters()] == [("open", 0)] * 2  # a dry run writes nothing
    out = p.tool("replay", "--long-text", "truncate").stdout
    assert "stored 2 of 2" in out, out
    assert [l[3:] for l in p.letters()] == [("replayed", 1, "long-text=truncate")] * 2
    assert p.store.rows("SELECT DISTINCT brand FROM operations WHERE brand <> 'apple'") == [["w" * 50]]
    p.assert_recount(3)


def test_quarantine_after_max_tries(pipeline):
    p = pipeline
    p.log.append([message(1), b"not json"])
    p.process()
    for _ in range(2):
        p.tool("replay", "--max-tries", "2")
    assert [l[3:5] for l in p.letters()] == [("quarantined", 2)]
    assert "stored 0 of 0" in p.tool("replay", "--max-tries", "2").stdout


def test_old_dead_letters_get_codes_in_place(pipeline):
    p = pipeline
    p.log.append([message(1), message(2, event_time="2019-02-30 10:00:00"), b"[1]"])
    p.process()
    for column in ("code", "field", "state", "replays", "replayed_at", "policy"):
        p.store.execute(f"ALTER TABLE dead_letters DROP COLUMN {column}")
    from dashboard_support import Server
    server = Server(p.bin, p.store.uri, env=p.store.env)
    try:  # the board, which only reads, says what to do instead of naming an unknown column
        status, text, _ = server.get("/api/deadletters")
        assert status == 503 and "made before dead letter codes" in text, text
    finally:
        server.stop()
    p.tool("list")  # adds the columns, derives the codes
    assert [(c, f, s, n) for _, c, f, s, n, _ in p.letters()] == [
        ("event_time.calendar", "event_time", "open", 0), ("json.shape", None, "open", 0)]
    p.process()  # nothing new, nothing changed
    assert len(p.letters()) == 2


def test_readers_only_read(shopstream_bin, tmp_path):
    """list, show and export take no write lock: they answer while another connection holds
    SQLite's (a processor in the middle of a batch, say); replay, which writes, waits for it."""
    p = Pipeline(shopstream_bin, SqliteStore(tmp_path), tmp_path)
    p.log.append([message(1), b"not json"])
    p.process()
    writer = sqlite3.connect(p.store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert "json.syntax" in p.tool("list", timeout=60).stdout
        assert "not json" in p.tool("show", timeout=60).stdout
        p.tool("export", "--to", str(tmp_path / "out.jsonl"), timeout=60)
        assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 1
        blocked = p.tool("replay", "--connect-timeout", "2s", check=False, timeout=60)
        assert blocked.returncode == 1, blocked.stderr
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert [l[3] for l in p.letters()] == ["open"]


def test_kill9_during_replay_then_rerun_stores_each_once(pipeline):
    p = pipeline
    n = 30000 if p.store.name == "sqlite" else 8000
    wide = "k" * 51
    p.log.append([message(1)] + [message(10 + i, brand=wide, event_type="view")
                                 for i in range(n)])
    p.process("--max-batch", "5000")
    assert len(p.letters()) == n
    proc = subprocess.Popen([p.bin, "deadletters", "--store", p.store.uri, "replay", "--long-text",
                             "truncate", "--chunk", "1000"], env=p.store.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    replayed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        replayed = int(p.store.rows(
            "SELECT COUNT(*) FROM dead_letters WHERE state = 'replayed'")[0][0])
        if replayed > 0:
            break
    assert proc.poll() is None, "the replay ended before it could be killed: use more letters"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    letters = p.letters()
    done = sum(1 for l in letters if l[3] == "replayed")
    assert 0 < done < n
    p.assert_recount(1 + done)  # the rows of each committed chunk, with their rollups
    out = p.tool("replay", "--long-text", "truncate").stdout
    assert f"stored {n - done:,} of {n - done:,}" in out, out
    assert [l[3:5] for l in p.letters()] == [("replayed", 1)] * n
    p.assert_recount(1 + n)


def test_dashboard_api_and_metrics_by_code(pipeline):
    from dashboard_support import Server
    p = pipeline
    p.log.append([message(1), b"{not json " + HOSTILE.encode(), b"[1]", b"[2]"])
    p.process()
    server = Server(p.bin, p.store.uri, env=p.store.env)
    try:
        report = server.json("/api/deadletters", code="json.syntax")
        assert [(c["code"], c["count"]) for c in report["counts"]] == [("json.syntax", 1)]
        assert [h["count"] for h in report["by_hour"]] == [1]
        assert report["newest"][0]["message"] == "{not json " + HOSTILE
        status, text, _ = server.get("/api/deadletters")
        assert status == 200 and "<script>" not in text and "\x1b" not in text
        status, text, _ = server.get("/api/deadletters", code="nope")
        assert status == 400 and "nope" in text
        assert [c["count"] for c in server.json("/api/deadletters")["counts"]] == [2, 1]
        _, metrics, _ = server.get("/metrics")
        assert 'shopstream_dead_letters_total{code="json.shape"} 2' in metrics, metrics
        assert 'shopstream_dead_letters_total{code="json.syntax"} 1' in metrics, metrics
    finally:
        server.stop()
