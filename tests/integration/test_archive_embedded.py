"""`shopstream archive` from the embedded log to local disk, no servers: the 10K sample and
malformed messages mixed in by an independent writer, read back with pyarrow; a second run
reads nothing again."""
import collections
import sqlite3

from archive_support import LocalTree, read_archive
from conftest import run
from test_dead_letters import malformed, seed_message

BAD = 40


def test_embedded_log_to_parquet_with_dead_letters(shopstream_bin, sample_rows, tmp_path):
    log = tmp_path / "log.db"
    payloads = [seed_message(r) for r in sample_rows]
    for i in range(BAD):  # every tenth of the way, a malformed message
        payloads.insert((i + 1) * len(payloads) // (BAD + 1), malformed(i, payloads[i]))
    payloads.append(seed_message(sample_rows[0]).replace(b"2022-05-01", b"2022-02-30"))  # no such day
    con = sqlite3.connect(log)
    con.execute("CREATE TABLE log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL, appended_us INTEGER NOT NULL)")
    con.executemany("INSERT INTO log VALUES(?, ?, 0)", list(enumerate(payloads)))
    con.commit()
    con.close()

    tree = LocalTree(tmp_path / "archive")
    args = [shopstream_bin, "archive", "--from", f"sqlite://{log}", "--to", tree.uri(),
            "--roll-rows", "3000", "--idle-exit", "1", "--status-every", "1s"]
    r = run(args)
    assert r.returncode == 0, r.stderr
    events, letters, leftovers = read_archive(tree)
    assert leftovers == []
    assert len(events) == len(sample_rows)
    assert len({e["id"] for e in events}) == len(sample_rows)
    assert len(letters) == BAD + 1
    assert all(letter["reason"] for letter in letters)
    assert any("2022-02-30" in letter["reason"] for letter in letters)
    # The same codes as the processed store's dead letters (docs/event-contract.md).
    assert any(letter["code"] == "event_time.calendar" and letter["field"] == "event_time"
               for letter in letters)
    assert all(letter["code"] for letter in letters)
    # Every offset of the log exactly once, as an event or a dead letter.
    offsets = sorted([e["bus_offset"] for e in events] + [d["bus_offset"] for d in letters])
    assert offsets == list(range(len(payloads)))
    # Field by field against the CSV, in log order.
    by_offset = sorted(events, key=lambda e: e["bus_offset"])
    for row, event in zip(sample_rows, by_offset):
        assert event["event_type"] == row["event_type"]
        assert event["product_id"] == int(row["product_id"])
        assert event["brand"] == (row["brand"] or None)
        assert event["category_code"] == (row["category_code"] or None)
        assert abs(event["price"] - float(row["price"])) <= abs(float(row["price"])) * 1e-6
    assert collections.Counter(e["event_type"] for e in events) == collections.Counter(
        r["event_type"] for r in sample_rows)

    # A second run finds everything archived and reads nothing again.
    before = tree.listing()
    r = run(args)
    assert r.returncode == 0, r.stderr
    assert tree.listing() == before
    assert "resuming at offset" in r.stderr


def test_a_second_embedded_log_is_refused_by_the_first_ones_folder(shopstream_bin, sample_zip,
                                                                   tmp_path):
    """The folder names the log it archives (its id): another log, even one at the same path
    made again, is refused with exit 2 and nothing is written, as another Kafka topic is."""
    tree = LocalTree(tmp_path / "archive")
    logs = [tmp_path / "first.db", tmp_path / "second.db"]
    for log in logs:
        r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{log}",
                 "--rate", "max", "--loop", "--count", "2000"])
        assert r.returncode == 0, r.stderr
    args = ["archive", "--to", tree.uri(), "--idle-exit", "1"]
    r = run([shopstream_bin, *args, "--from", f"sqlite://{logs[0]}"])
    assert r.returncode == 0, r.stderr
    markers = [p.name for p in (tmp_path / "archive").iterdir() if p.name.startswith("_stream.")]
    assert len(markers) == 1 and markers[0].startswith("_stream.sqlite-log_"), markers
    before = tree.listing()
    r = run([shopstream_bin, *args, "--from", f"sqlite://{logs[1]}"])
    assert r.returncode == 2, r.stderr
    assert "holds the archive of another stream" in r.stderr
    assert tree.listing() == before
