"""`shopstream verify` on the embedded stores: a clean run holds; rows removed behind the
pipeline's back are missing; a rollup counted twice is duplicated; malformed messages are
dead letters counted by reason; --partition/--since narrow the messages; a store without
shopstream's tables is bad input (exit 2). The stores are edited with Python's sqlite3."""
import json
import shutil
import sqlite3

import pytest

from conftest import run
from test_dead_letters import malformed, seed_message


def sql(path, *statements):
    con = sqlite3.connect(path)
    for s in statements:
        con.execute(s)
    con.commit()
    con.close()


def verify(shopstream_bin, db, *extra, raw=None, processed=None):
    r = run([shopstream_bin, "verify", "--from", f"sqlite://{db}", "--raw", f"sqlite://{raw or db}",
             "--processed", f"sqlite://{processed or db}", "--json", *extra])
    report = json.loads(r.stdout) if r.stdout.strip() else None
    return r, report


@pytest.fixture(scope="module")
def processed_db(shopstream_bin, sample_rows, tmp_path_factory):
    """2,000 good messages and 40 malformed ones, processed into one embedded file."""
    db = tmp_path_factory.mktemp("verify") / "all.db"
    good = [seed_message(r) for r in sample_rows[:2000]]
    messages = []
    for i, payload in enumerate(good):
        messages.append(payload)
        if i % 50 == 0:
            messages.append(malformed(i // 50, payload))
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL,"
                " appended_us INTEGER NOT NULL)")
    con.executemany("INSERT INTO log VALUES(?, ?, 0)", list(enumerate(messages)))
    con.commit()
    con.close()
    r = run([shopstream_bin, "process", "--from", f"sqlite://{db}", "--raw", f"sqlite://{db}",
             "--processed", f"sqlite://{db}", "--idle-exit", "1", "--max-batch", "300"])
    assert r.returncode == 0, r.stderr
    return db


def copy_of(db, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(db, path)
    return path


def test_clean_run_holds(shopstream_bin, processed_db):
    r, report = verify(shopstream_bin, processed_db)
    assert r.returncode == 0, r.stderr
    assert report["ok"] is True
    assert report["messages"] == 2040
    assert report["stored_once"] == 2000
    assert report["dead_letters"] == 40
    assert sum(report["dead_letter_reasons"].values()) == 40
    assert len(report["dead_letter_reasons"]) > 1
    assert report["missing"] == 0 and report["duplicated"] == 0
    assert report["rollups"] == {**report["rollups"], "ok": True, "rows": 2000, "tables_off": 0,
                                 "groups_off": 0}
    # The one-line form says the same.
    r = run([shopstream_bin, "verify", "--from", f"sqlite://{processed_db}",
             "--raw", f"sqlite://{processed_db}", "--processed", f"sqlite://{processed_db}"])
    assert r.returncode == 0 and r.stdout.startswith("verify: OK: 2040 messages"), r.stdout


def test_rows_missing_from_either_store_fail(shopstream_bin, processed_db, tmp_path):
    db = copy_of(processed_db, tmp_path)
    sql(db, "DELETE FROM raw_operations WHERE id IN (SELECT id FROM raw_operations ORDER BY id LIMIT 3)",
        "DELETE FROM operations WHERE id IN (SELECT id FROM operations ORDER BY id DESC LIMIT 5)")
    r, report = verify(shopstream_bin, db)
    assert r.returncode == 1, r.stderr
    assert report["ok"] is False
    assert (report["raw_missing"], report["processed_missing"], report["missing"]) == (3, 5, 8)
    # The deleted rows are still in the rollups: counted beyond the rows.
    assert report["rollups"]["ok"] is False and report["duplicated"] == 5


def test_rollup_counted_twice_is_duplicated(shopstream_bin, processed_db, tmp_path):
    db = copy_of(processed_db, tmp_path)
    bucket, event_type, department, events = sqlite3.connect(db).execute(
        "SELECT bucket, event_type, department, events FROM rollup_hour LIMIT 1").fetchone()
    con = sqlite3.connect(db)
    con.execute("UPDATE rollup_hour SET events = events * 2 WHERE bucket = ? AND event_type = ?"
                " AND department = ?", (bucket, event_type, department))
    con.commit()
    con.close()
    r, report = verify(shopstream_bin, db)
    assert r.returncode == 1
    assert report["missing"] == 0
    assert report["duplicated"] == events
    assert report["rollups"]["groups_off"] == 1 and report["rollups"]["tables_off"] == 1


@pytest.mark.parametrize("table, hours", [("rollup_block_brand_wide", "12"), ("rollup_days_brand_wide", "96")])
def test_a_block_length_missing_is_a_table_off(shopstream_bin, processed_db, tmp_path, table, hours):
    """The tables of blocks count every row once per block length: one length gone is caught,
    though the other lengths still add up."""
    db = copy_of(processed_db, tmp_path)
    sql(db, f"DELETE FROM {table} WHERE hours = '{hours}'")
    r, report = verify(shopstream_bin, db)
    assert r.returncode == 1
    assert report["rollups"]["ok"] is False and report["rollups"]["tables_off"] == 1


def test_a_wide_count_off_is_a_table_off(shopstream_bin, processed_db, tmp_path):
    """A wide block table keeps each event type's count beside the events: a view counted as a
    cart there is caught, though its events still add up."""
    db = copy_of(processed_db, tmp_path)
    sql(db, "UPDATE rollup_days_brand_wide SET views = views - 1, carts = carts + 1"
            " WHERE (hours, bucket, brand) = (SELECT hours, bucket, brand FROM rollup_days_brand_wide"
            " WHERE views > 0 ORDER BY 1, 2, 3 LIMIT 1)")
    r, report = verify(shopstream_bin, db)
    assert r.returncode == 1
    assert report["rollups"]["tables_off"] == 1


def test_partition_and_since_narrow_the_messages(shopstream_bin, processed_db):
    r, report = verify(shopstream_bin, processed_db, "--partition", "0", "--since", "2000")
    assert r.returncode == 0, r.stderr
    assert report["messages"] == 40
    r, report = verify(shopstream_bin, processed_db, "--partition", "1")
    assert r.returncode == 0 and report["messages"] == 0


def test_store_without_shopstream_tables_is_bad_input(shopstream_bin, processed_db, tmp_path):
    other = tmp_path / "other.db"
    sql(other, "CREATE TABLE operations(id TEXT)")
    r, _ = verify(shopstream_bin, processed_db, processed=other)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "not a shopstream processed store" in r.stderr
    r, _ = verify(shopstream_bin, processed_db, raw=other)
    assert r.returncode == 2 and "not a shopstream raw store" in r.stderr
    r, _ = verify(shopstream_bin, processed_db, raw=tmp_path / "absent.db")
    assert r.returncode == 2 and "no such file" in r.stderr
