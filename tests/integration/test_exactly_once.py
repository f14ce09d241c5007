"""kill -9 of `process` in the middle of a 200,000-event run, then a restart: every event is
stored exactly once in both tables, and the rollups count each once."""
import json
import signal
import subprocess
import time

from conftest import query, run

EVENTS = 200_000


def count_rows(store):
    try:
        return query(store, "SELECT count(*) FROM operations")[0][0]
    except Exception:  # the table may not exist yet
        return 0


def test_kill_minus_9_mid_run_then_restart(shopstream_bin, sample_zip, tmp_path):
    log = tmp_path / "log.db"
    store = tmp_path / "store.db"
    produced = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{log}",
                    "--rate", "max", "--loop", "--count", str(EVENTS)])
    assert produced.returncode == 0, produced.stderr
    # Python's json reads the seed format's NaN tokens; SQLite's json functions would not.
    log_ids = {json.loads(p)["id"] for (p,) in query(log, "SELECT payload FROM log")}
    assert len(log_ids) == EVENTS

    cmd = [shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
           "--processed", f"sqlite://{store}", "--max-batch", "1000", "--idle-exit", "2"]
    kills = 0
    for stop_at in (30_000, 90_000, 150_000):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while count_rows(store) < stop_at and proc.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        assert count_rows(store) < EVENTS, "the run ended before it could be killed mid-way"
    assert kills == 3

    final = run(cmd)
    assert final.returncode == 0, final.stderr

    stored_ids = {i for (i,) in query(store, "SELECT id FROM operations")}
    raw_ids = {i for (i,) in query(store, "SELECT id FROM raw_operations")}
    assert stored_ids == log_ids
    assert raw_ids == log_ids
    assert query(store, "SELECT count(*) FROM operations")[0][0] == EVENTS
    assert query(store, "SELECT count(*) FROM raw_operations")[0][0] == EVENTS
    # Rollups are written in the same transaction as the rows: no event counted twice.
    assert query(store, "SELECT sum(events) FROM rollup_minute")[0][0] == EVENTS
    for table in ("rollup_hour_brand", "rollup_hour_product", "rollup_hour", "rollup_day",
                  "rollup_brand", "rollup_product"):
        assert query(store, f"SELECT sum(events) FROM {table}")[0][0] == EVENTS, table
    revenue_rows = query(store, "SELECT sum(revenue) FROM operations")[0][0]
    revenue_rollup = query(store, "SELECT sum(revenue) FROM rollup_minute")[0][0]
    assert abs(revenue_rows - revenue_rollup) < 0.01
    offsets = query(store, "SELECT next_offset FROM stream_offsets")
    assert offsets == [(EVENTS,)]
