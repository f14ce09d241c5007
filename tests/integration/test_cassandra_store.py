"""The Cassandra raw store against a real Cassandra 5.0 (scripts/stack up cassandra): the
seed's schema, 10,000 events written through CassandraRawStore and read back field by field
with `shopstream cql` and, independently, with the Python cassandra-driver; hostile strings
stored verbatim; rewrites are idempotent."""

import json
import os

import pytest

from cassandra_helpers import (CASSANDRA, KEYSPACE, driver_session, f32, parse_tsv, require_cassandra,
                               run_cql, run_writer)

COLUMNS = ["id", "event_time", "event_type", "product_id", "category_id", "category_code", "brand",
           "price", "user_id", "user_session"]


@pytest.fixture(scope="module")
def session():
    require_cassandra()
    cluster, s = driver_session()
    yield s
    cluster.shutdown()


def fresh_table(session, name):
    table = f"{name}_{os.getpid()}"
    session.execute(f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} WITH replication = "
                    "{'class':'SimpleStrategy', 'replication_factor':1}")
    session.execute(f"DROP TABLE IF EXISTS {KEYSPACE}.{table}")
    return f"{KEYSPACE}.{table}"


def expected_events(dump):
    events = {}
    with open(dump, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            events[e["id"]] = e
    return events


def check_row(expected, got):
    """`got` maps column -> text value (or None); price as a float."""
    assert got["event_time"] == expected["event_time"]
    assert got["event_type"] == expected["event_type"]
    assert got["product_id"] == str(expected["product_id"])
    assert got["category_id"] == str(expected["category_id"])
    assert got["category_code"] == expected["category_code"]
    assert got["brand"] == expected["brand"]
    assert f32(got["price"]) == f32(expected["price"])
    assert got["user_id"] == str(expected["user_id"])
    assert got["user_session"] == expected["user_session"]


@pytest.fixture(scope="module")
def written(session, tmp_path_factory):
    """10,000 events, the first ones hostile, written through the store into a fresh table."""
    table = fresh_table(session, "written")
    dump = tmp_path_factory.mktemp("cassandra") / "events.jsonl"
    r = run_writer(f"{CASSANDRA}/{table}", 10000, "--hostile", "--seed", "7", "--dump", str(dump))
    assert r.returncode == 0, r.stderr
    figures = json.loads(r.stdout)
    assert figures["rows"] == 10000
    return table, expected_events(dump)


def test_init_creates_the_seeds_schema(session):
    # The default URI names the seed's keyspace and table; Init is IF NOT EXISTS.
    r = run_writer(CASSANDRA, 0)
    assert r.returncode == 0, r.stderr
    ks = session.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'ecommerce_ks'").one()
    assert ks.replication["class"].endswith("SimpleStrategy")
    assert ks.replication["replication_factor"] == "1"
    columns = {row.column_name: (row.type, row.kind) for row in session.execute(
        "SELECT column_name, type, kind FROM system_schema.columns "
        "WHERE keyspace_name = 'ecommerce_ks' AND table_name = 'operations'")}
    assert columns == {
        "id": ("uuid", "partition_key"), "event_time": ("text", "regular"),
        "event_type": ("text", "regular"), "product_id": ("text", "regular"),
        "category_id": ("text", "regular"), "category_code": ("text", "regular"),
        "brand": ("text", "regular"), "price": ("float", "regular"), "user_id": ("text", "regular"),
        "user_session": ("text", "regular"),
    }


def test_python_driver_reads_back_every_field(session, written):
    table, expected = written
    rows = list(session.execute(f"SELECT * FROM {table}"))
    assert len(rows) == len(expected) == 10000
    for row in rows:
        got = {c: getattr(row, c) for c in COLUMNS}
        check_row(expected[str(got["id"])], got)


def test_shopstream_cql_reads_back_every_field(written):
    table, expected = written
    r = run_cql(f"SELECT {', '.join(COLUMNS)} FROM {table}", "--format", "tsv")
    assert r.returncode == 0, r.stderr
    header, rows = parse_tsv(r.stdout)
    assert header == COLUMNS
    assert len(rows) == 10000
    for cells in rows:
        got = dict(zip(COLUMNS, cells))
        got["price"] = float(got["price"])
        check_row(expected[got["id"]], got)


def test_hostile_strings_are_stored_verbatim(session, written):
    table, expected = written
    hostile = [e for e in expected.values() if e["brand"] is not None and not e["brand"].isalnum()
               and e["brand"] not in ("a-case",)]
    brands = {e["brand"] for e in hostile}
    assert "'); DROP TABLE operations; --" in brands
    assert any("\U0001F600" in b for b in brands)  # a 4-byte UTF-8 character
    assert any(len(b.encode()) > 10 * 1024 for b in brands)
    assert "" in brands  # empty, not null
    for e in hostile:
        row = session.execute(f"SELECT brand, category_code, user_session, event_time FROM {table} WHERE id = %s",
                              [__import__("uuid").UUID(e["id"])]).one()
        assert (row.brand, row.category_code, row.user_session, row.event_time) == \
            (e["brand"], e["category_code"], e["user_session"], e["event_time"])
    # The table that the injection names is still there.
    assert session.execute(f"SELECT count(*) FROM {table}").one()[0] == 10000


def test_missing_values_are_null(session, written):
    table, expected = written
    missing = [e for e in expected.values() if e["category_code"] is None]
    assert missing
    import uuid
    row = session.execute(f"SELECT category_code FROM {table} WHERE id = %s", [uuid.UUID(missing[0]["id"])]).one()
    assert row.category_code is None


def test_writing_the_same_events_again_keeps_one_row_each(session):
    table = fresh_table(session, "rewrite")
    for _ in range(2):
        r = run_writer(f"{CASSANDRA}/{table}?consistency=ONE", 500, "--seed", "11")
        assert r.returncode == 0, r.stderr
    assert session.execute(f"SELECT count(*) FROM {table}").one()[0] == 500
