"""1,000 malformed messages mixed into the embedded log by an independent writer: all end in
dead_letters with a reason, every good event is stored, and `process` never stops."""
import json
import random
import sqlite3
import uuid

from conftest import query, run

BAD = 1000


def seed_message(row):
    """A message as the seed's Python producer writes it: NaN for empty fields."""
    def text(v):
        return v if v else float("nan")
    return json.dumps({
        "event_time": "2022-05-01 18:59:00.123456", "event_type": row["event_type"],
        "product_id": int(row["product_id"]), "category_id": int(row["category_id"]),
        "category_code": text(row["category_code"]), "brand": text(row["brand"]),
        "price": float(row["price"]), "user_id": int(row["user_id"]),
        "user_session": text(row["user_session"]), "id": str(uuid.uuid1()),
    }).encode()


def malformed(i, good):
    kinds = [
        lambda: good[: len(good) // 2],                                   # truncated JSON
        lambda: good.replace(b'"price": ', b'"price": "cheap", "x": '),  # wrong type
        lambda: b"",                                                      # empty
        lambda: b"\x00junk" * (1_000_000 // 5) if i % 100 == 3 else b"junk",  # 1 MB of junk
        lambda: good.replace(b'"event_type": "', b'"event_type": "\xc3\x28'),  # bad UTF-8
        lambda: b"[1, 2, 3]",
        lambda: good.replace(b'"id": ', b'"idx": '),                      # required field missing
        lambda: good.replace(b'"event_time": "2022', b'"event_time": "yesterday 2022'),
    ]
    return kinds[i % len(kinds)]()


def test_malformed_messages_go_to_dead_letters(shopstream_bin, sample_rows, tmp_path):
    log = tmp_path / "log.db"
    store = tmp_path / "store.db"
    rng = random.Random(7)
    good_rows = sample_rows[:5000]
    payloads = [seed_message(r) for r in good_rows]
    bad_positions = set(rng.sample(range(len(payloads) + BAD), BAD))
    messages, good_iter, bad_index = [], iter(payloads), 0
    for position in range(len(payloads) + BAD):
        if position in bad_positions:
            messages.append(malformed(bad_index, payloads[bad_index % len(payloads)]))
            bad_index += 1
        else:
            messages.append(next(good_iter))

    # The embedded log's documented schema, written by Python's own sqlite3.
    con = sqlite3.connect(log)
    con.execute("CREATE TABLE log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL, appended_us INTEGER NOT NULL)")
    con.executemany("INSERT INTO log VALUES(?, ?, 0)", list(enumerate(messages)))
    con.commit()
    con.close()

    r = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
             "--processed", f"sqlite://{store}", "--idle-exit", "1", "--max-batch", "700"])
    assert r.returncode == 0, r.stderr

    assert query(store, "SELECT count(*) FROM operations")[0][0] == len(good_rows)
    assert query(store, "SELECT count(*) FROM raw_operations")[0][0] == len(good_rows)
    dead = query(store, "SELECT offset, reason FROM dead_letters ORDER BY offset")
    assert [o for o, _ in dead] == sorted(bad_positions)
    assert all(reason for _, reason in dead)
    assert query(store, "SELECT next_offset FROM stream_offsets")[0][0] == len(messages)
    # NaN tokens of the seed format are not errors: empty brands became 'other'.
    expected_other = sum(1 for row in good_rows if not row["brand"])
    assert query(store, "SELECT count(*) FROM operations WHERE brand = 'other'")[0][0] == expected_other
