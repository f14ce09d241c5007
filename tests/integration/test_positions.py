"""Where a processor resumes, on the embedded log: `--start latest` stores the position it
started from in its first commit, even of an empty batch, so that a restart resumes there; a
saved position that the log's retention has passed goes on at the earliest message held, and
the gap is recorded as a dead letter (where `verify` and the dead-letter tools look)."""
import pathlib
import subprocess
import time

from conftest import query, run

BATCH = 1000


def produce(shopstream_bin, sample_zip, log, count, retain=0):
    uri = f"sqlite://{log}" + (f"?retain={retain}" if retain else "")
    done = run([shopstream_bin, "produce", "-i", sample_zip, "--to", uri, "--rate", "max",
                "--loop", "--count", str(count)])
    assert done.returncode == 0, done.stderr


def process(shopstream_bin, log, store, *extra):
    done = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw",
                f"sqlite://{store}", "--processed", f"sqlite://{store}", "--idle-exit", "1",
                *extra])
    assert done.returncode == 0, done.stderr
    return done


def rows(store):
    return query(store, "SELECT count(*) FROM operations")[0][0]


def test_start_latest_is_saved_by_an_empty_first_run(shopstream_bin, sample_zip, tmp_path):
    log, store = tmp_path / "log.db", tmp_path / "store.db"
    produce(shopstream_bin, sample_zip, log, BATCH)
    process(shopstream_bin, log, store, "--start", "latest")
    assert rows(store) == 0
    assert query(store, "SELECT next_offset FROM stream_offsets") == [(BATCH,)]
    # What arrives while it is stopped is read by the restart, which --start no longer moves.
    produce(shopstream_bin, sample_zip, log, 2 * BATCH)
    process(shopstream_bin, log, store, "--start", "latest")
    assert rows(store) == 2 * BATCH
    assert query(store, "SELECT next_offset FROM stream_offsets") == [(3 * BATCH,)]


def test_retention_past_a_saved_offset_is_a_recorded_gap(shopstream_bin, sample_zip, tmp_path):
    log, store = tmp_path / "log.db", tmp_path / "store.db"
    produce(shopstream_bin, sample_zip, log, BATCH)
    process(shopstream_bin, log, store)
    assert rows(store) == BATCH
    # 5,000 more while the processor is stopped; the log keeps about the last 2,000.
    produce(shopstream_bin, sample_zip, log, 5 * BATCH, retain=2 * BATCH)
    (held_from, held_to), = query(log, "SELECT min(offset), max(offset) FROM log")
    assert held_from > BATCH, "retention did not pass the saved offset"
    done = process(shopstream_bin, log, store, "--start", "latest")
    assert "deleted by the log's retention" in done.stderr
    # Everything still held is read; --start latest did not jump to the end.
    assert rows(store) == BATCH + (held_to - held_from + 1)
    letters = query(store, "SELECT partition, offset, reason, payload FROM dead_letters")
    assert letters == [(0, BATCH, f"offsets {BATCH} to {held_from - 1} were deleted by the bus's "
                        "retention before they were read", b"")]
    assert query(store, "SELECT next_offset FROM stream_offsets") == [(held_to + 1,)]


def test_a_log_made_again_while_read_is_noticed(shopstream_bin, sample_zip, tmp_path):
    """A log deleted and made again under a running processor stopped it reading for ever
    ("lag 0"): now it stops with exit 1 naming the log, and a restart reads the new log, which
    has an id (a stream) of its own, from its start."""
    log, store = tmp_path / "log.db", tmp_path / "store.db"
    produce(shopstream_bin, sample_zip, log, BATCH)
    proc = subprocess.Popen([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw",
                             f"sqlite://{store}", "--processed", f"sqlite://{store}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not store.exists() or _rows(store) < BATCH):
        assert proc.poll() is None
        time.sleep(0.1)
    assert _rows(store) == BATCH
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(f"{log}{suffix}").unlink(missing_ok=True)
    produce(shopstream_bin, sample_zip, log, BATCH // 2)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "was deleted or replaced" in err
    process(shopstream_bin, log, store)
    assert rows(store) == BATCH + BATCH // 2
    assert len(query(store, "SELECT DISTINCT stream FROM stream_offsets")) == 2


def _rows(store):
    try:
        return rows(store)
    except Exception:  # not created yet
        return 0
