"""The event contract decides, not the store: the hostile corpus (hostile_corpus.py, 500+ events
at every edge of every field) replayed with original times through the embedded pipeline (log,
SQLite raw and processed stores), through Kafka into Cassandra + MariaDB, and from the same topic
into PostgreSQL. Every flow must store exactly the same rows, the same dead letters with the same
reasons and the same rollups, and none may stop. Each store is read by an independent client (Python's sqlite3,
cassandra-driver, the mariadb command-line client)."""
import json
from collections import Counter
import sqlite3
import struct

import pytest

import hostile_corpus as corpus
from cassandra_helpers import driver_rows
from conftest import run
from pg_support import PostgresDatabase
from test_cluster_flow import cluster_run, drop_keyspace, mariadb

RAW_COLUMNS = ["id", "event_time", "event_type", "product_id", "category_id", "category_code",
               "brand", "price", "user_id", "user_session"]
ROLLUPS = {  # table: its key columns
    "rollup_minute": ["bucket", "event_type", "department"],
    "rollup_hour_brand": ["bucket", "brand", "event_type"],
    "rollup_hour_product": ["bucket", "department", "product", "event_type"],
    "rollup_hour": ["bucket", "event_type", "department"],
    "rollup_day": ["bucket", "event_type", "department"],
    "rollup_brand": ["brand", "event_type"],
    "rollup_product": ["department", "product", "event_type"],
}
SPEEDUP = "1000000000"  # original times, paced a billion times faster


def f32(x):
    return None if x is None else struct.unpack("<f", struct.pack("<f", float(x)))[0]


def from_csv(product):
    return int(product) < corpus.FIRST_PRODUCT + 100_000


def raw_key(row):
    """A raw row without the id `produce` made up for a CSV row (it differs between runs)."""
    row = dict(row, price=f32(row["price"]))
    if from_csv(row["product_id"]):
        row.pop("id")
    return tuple(sorted(row.items()))


def dead_key(reason, payload):
    try:
        message = json.loads(payload)
    except ValueError:
        message = None
    if isinstance(message, dict) and isinstance(message.get("product_id"), int) and \
            from_csv(message["product_id"]):
        message.pop("id", None)  # made up by `produce`
        return reason, json.dumps(message, sort_keys=True)
    return reason, payload


def sqlite_rows(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.text_factory = bytes
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def text(v):
    return None if v is None else v.decode("utf-8") if isinstance(v, bytes) else v


def unhex(v):
    return None if v in (None, "NULL") else bytes.fromhex(v).decode("utf-8")


class Flow:
    """What one flow stored, read back independently: raw rows, cleaned rows keyed by the raw
    row's product_id, dead letters, rollups."""

    def __init__(self, raw, cleaned, dead, rollups):
        self.raw, self.cleaned, self.dead, self.rollups = raw, cleaned, dead, rollups


def read_embedded(store):
    raw = [dict(zip(RAW_COLUMNS, map(text, r))) for r in sqlite_rows(
        store, f"SELECT {', '.join(RAW_COLUMNS)} FROM raw_operations")]
    product_of = {r["id"]: r["product_id"] for r in raw}
    cleaned = {}
    for r in sqlite_rows(store, "SELECT id, event_time, event_type, department, product, brand,"
                                " price, revenue FROM operations"):
        row = list(map(text, r))
        cleaned[product_of[row[0]]] = (*row[1:6], f32(row[6]), f32(row[7]))
    dead = sorted(dead_key(text(reason), bytes(payload).decode("utf-8", "surrogateescape"))
                  for reason, payload in sqlite_rows(store, "SELECT reason, payload FROM dead_letters"))
    rollups = {}
    for table, keys in ROLLUPS.items():
        rollups[table] = {tuple(map(text, r[:-2])): (int(r[-2]), float(r[-1])) for r in sqlite_rows(
            store, f"SELECT {', '.join(keys)}, events, revenue FROM {table}")}
    return Flow(raw, cleaned, dead, rollups)


def read_cluster(option_file, keyspace, database):
    raw = []
    for r in driver_rows(f"SELECT {', '.join(RAW_COLUMNS)} FROM {keyspace}.operations"):
        row = dict(zip(RAW_COLUMNS, r))
        row["id"] = str(row["id"])
        raw.append(row)
    product_of = {r["id"]: r["product_id"] for r in raw}
    cleaned = {}
    for r in mariadb(option_file, database,
                     "SELECT id, DATE_FORMAT(event_time, '%Y-%m-%d %H:%i:%s'), HEX(event_type),"
                     " HEX(department), HEX(product), HEX(brand), CAST(price AS DOUBLE),"
                     " CAST(revenue AS DOUBLE) FROM operations"):
        cleaned[product_of[r[0]]] = (r[1], *map(unhex, r[2:6]), f32(r[6]), f32(r[7]))
    dead = sorted(dead_key(unhex(reason), bytes.fromhex(payload).decode("utf-8", "surrogateescape"))
                  for reason, payload in mariadb(option_file, database,
                                                 "SELECT HEX(reason), HEX(payload) FROM dead_letters"))
    rollups = {}
    for table, keys in ROLLUPS.items():
        select = ", ".join(f"HEX({k})" for k in keys)
        rollups[table] = {tuple(map(unhex, r[:-2])): (int(r[-2]), float(r[-1])) for r in mariadb(
            option_file, database, f"SELECT {select}, events, revenue FROM {table}")}
    return Flow(raw, cleaned, dead, rollups)


def hexed(column):
    return f"encode(convert_to({column}, 'UTF8'), 'hex')"


def read_postgres(pg, raw_db):
    """The processed side of a flow into PostgreSQL (its raw rows went to SQLite file `raw_db`)."""
    product_of = {text(i): text(p) for i, p in sqlite_rows(raw_db, "SELECT id, product_id FROM raw_operations")}
    cleaned = {}
    for r in pg.query("SELECT id, to_char(event_time, 'YYYY-MM-DD HH24:MI:SS'), "
                      + ", ".join(hexed(c) for c in ("event_type", "department", "product", "brand"))
                      + ", price::float8, revenue::float8 FROM operations"):
        cleaned[product_of[r[0]]] = (r[1], *map(unhex, r[2:6]), f32(r[6]), f32(r[7]))
    dead = sorted(dead_key(unhex(reason), bytes.fromhex(payload).decode("utf-8", "surrogateescape"))
                  for reason, payload in pg.query(
                      f"SELECT {hexed('reason')}, encode(payload, 'hex') FROM dead_letters"))
    rollups = {}
    for table, keys in ROLLUPS.items():
        select = ", ".join(hexed(k) for k in keys)
        rollups[table] = {tuple(map(unhex, r[:-2])): (int(r[-2]), float(r[-1]))
                          for r in pg.query(f"SELECT {select}, events, revenue FROM {table}")}
    return Flow([], cleaned, dead, rollups)


def append_to_log(log, payloads):
    """Appends messages to the embedded log as another producer would (its documented schema)."""
    con = sqlite3.connect(log)
    try:
        start = con.execute("SELECT coalesce(max(offset) + 1, 0) FROM log").fetchone()[0]
        con.executemany("INSERT INTO log(offset, payload, appended_us) VALUES(?, ?, 0)",
                        [(start + i, p) for i, p in enumerate(payloads)])
        con.commit()
    finally:
        con.close()


def send_to_kafka(topic, payloads):
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers="127.0.0.1:9092", acks="all", linger_ms=5)
    for p in payloads:
        producer.send(topic, value=p, partition=0)
    producer.flush(timeout=120)
    producer.close()


def test_the_same_message_has_the_same_outcome_in_every_store(shopstream_bin, tmp_path):
    source = tmp_path / "hostile.csv"
    events, malformed = corpus.write_csv(source)
    messages = corpus.json_messages()
    assert events + len(messages) >= 500

    # The embedded flow.
    log, store = tmp_path / "log.db", tmp_path / "store.db"
    r = run([shopstream_bin, "produce", "-i", str(source), "--to", f"sqlite://{log}",
             "--speedup", SPEEDUP])
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"produced {events} events; {malformed} malformed lines skipped" in r.stderr, r.stderr[-3000:]
    append_to_log(log, messages)
    r = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
             "--processed", f"sqlite://{store}", "--idle-exit", "2", "--max-batch", "97"])
    assert r.returncode == 0, r.stderr[-3000:]
    embedded = read_embedded(store)

    # The same corpus through Kafka into Cassandra and MariaDB.
    option_file, topic, keyspace, database, env = cluster_run("differential")
    pg = PostgresDatabase("differential")
    try:
        r = run([shopstream_bin, "produce", "-i", str(source), "--to", f"kafka://127.0.0.1:9092/{topic}",
                 "--speedup", SPEEDUP, "--partitions", "1"], env=env)
        assert r.returncode == 0, r.stderr[-3000:]
        send_to_kafka(topic, messages)
        r = run([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}", "--group", topic,
                 "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
                 "--processed", f"mysql://admin@127.0.0.1:3306/{database}.operations",
                 "--idle-exit", "5", "--max-batch", "61"], env=env)
        assert r.returncode == 0, r.stderr[-3000:]
        cluster = read_cluster(option_file, keyspace, database)
        # And once more from the same topic, a group of its own, into PostgreSQL.
        pg_raw = tmp_path / "pg-raw.db"
        r = run([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}",
                 "--group", topic + "-pg", "--raw", f"sqlite://{pg_raw}", "--processed", pg.uri,
                 "--idle-exit", "5", "--max-batch", "43"], env={**env, **pg.env})
        assert r.returncode == 0, r.stderr[-3000:]
        postgres = read_postgres(pg, pg_raw)
    finally:
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
        pg.drop()

    # Neither stopped, and every message is either a row or a dead letter.
    total = events + len(messages)
    for flow in (embedded, cluster):
        assert len(flow.raw) + len(flow.dead) == total - 2  # the twins share one id
        assert len(flow.cleaned) == len(flow.raw)

    # Exactly the same outcome.
    assert Counter(map(raw_key, embedded.raw)) == Counter(map(raw_key, cluster.raw))
    assert embedded.cleaned == cluster.cleaned
    assert embedded.dead == cluster.dead
    assert embedded.cleaned == postgres.cleaned
    assert embedded.dead == postgres.dead
    for other in (cluster, postgres):
        for table in ROLLUPS:
            e, c = embedded.rollups[table], other.rollups[table]
            assert set(e) == set(c), table
            for key in e:
                assert e[key][0] == c[key][0], (table, key)
                assert e[key][1] == pytest.approx(c[key][1], rel=1e-9), (table, key)

    # And the outcome is the contract's (checked on one flow; the other is equal).
    reasons = [reason for reason, _ in embedded.dead]
    def reason_for(product):
        found = [reason for reason, payload in embedded.dead
                 if f'"product_id": {product}' in payload or f'"product_id":{product}' in payload]
        assert len(found) == 1, (product, found)
        return found[0]

    by_product = {r["product_id"]: r for r in embedded.raw}
    rows = corpus.csv_rows()
    def product_where(**match):
        return next(row[2] for row in rows if all(row[corpus.HEADER.index(k)] == v for k, v in match.items()))

    assert product_where(event_time="2020-02-29 10:00:00 UTC") in by_product
    assert "2019-02 has 28 days" in reason_for(product_where(event_time="2019-02-29 10:00:00 UTC"))
    assert "year 999, outside" in reason_for(product_where(event_time="0999-12-31 23:59:59 UTC"))
    assert product_where(event_time="9999-12-31 23:59:59 UTC") in by_product
    assert "not a time of day" in reason_for(product_where(event_time="2019-11-08 23:59:60 UTC"))
    assert by_product[product_where(price="3.4028234663852886e+38")]["price"] == 3.4028234663852886e38
    assert "above FLOAT" in reason_for(product_where(price="1e39"))
    assert "is negative" in reason_for(product_where(price="-5.00"))
    assert product_where(brand=corpus.EMOJI * 50) in by_product
    assert "has 51 characters" in reason_for(product_where(brand=corpus.EMOJI * 51))
    assert "holds a NUL character" in reason_for(product_where(brand="nul\x00in the middle"))
    assert "below FLOAT's smallest value" in reason_for(product_where(price="1e-46"))
    assert by_product[product_where(brand="tab\tand\x1b[31mesc\x7f")]["brand"] == "tab\tand\x1b[31mesc\x7f"
    assert any("is not a UUID" in reason for reason in reasons)
    ids = {r["id"] for r in embedded.raw}
    assert "6b1f7e2c-0000-11ef-8000-0242ac120002" in ids  # given in upper case, kept in lower
    twin = [r for r in embedded.raw if r["id"] == "6b1f7e2c-0000-11ef-8000-00000000beef"]
    assert [r["brand"] for r in twin] == ["third of twins, upper case"]  # raw: the latest
    assert embedded.cleaned[twin[0]["product_id"]][4] == "first of twins"  # processed: the first
