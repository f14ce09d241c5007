"""The session funnel with a conversion window, computed by `shopstream process` (embedded) in
the batch's transaction, against a recount in Python of generated data: every count per hour and
window, and the histogram, exactly; then the same after kill -9 and a restart mid-run, and what
/api/session_funnel answers."""
import csv
import signal
import subprocess
import time

import pytest

from conftest import query, run
from dashboard_support import Server
from funnel_recount import recount

EVENTS = 30_000


@pytest.fixture(scope="module")
def generated(shopstream_bin, tmp_path_factory):
    d = tmp_path_factory.mktemp("funnel")
    events = d / "events.csv"
    done = run([shopstream_bin, "generate", "--rows", str(EVENTS), "--seed", "11", "-o", str(events)])
    assert done.returncode == 0, done.stderr
    log = d / "log.db"
    # At the original times (a replay): the windows then mean what they say.
    done = run([shopstream_bin, "produce", "-i", str(events), "--to", f"sqlite://{log}",
                "--speedup", "100000000"])
    assert done.returncode == 0, done.stderr
    with open(events, newline="") as f:
        rows = list(csv.DictReader(f))
    return log, recount(rows)


def stored(store):
    counts = {(b, w): [v, c, p] for b, w, v, c, p in query(
        store, "SELECT bucket, window_minutes, viewed, carted, bought FROM funnel_hour")}
    delays = {(b, w, s): n for b, w, s, n in query(
        store, "SELECT bucket, window_minutes, delay_seconds, sessions FROM funnel_delay_hour")}
    return counts, delays


def process_cmd(shopstream_bin, log, store):
    return [shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
            "--processed", f"sqlite://{store}", "--max-batch", "500", "--idle-exit", "1"]


def test_counts_and_histogram_match_a_recount(shopstream_bin, generated, tmp_path):
    log, (counts, delays) = generated
    assert sum(c[2] for (_, w), c in counts.items() if w == 30) > 100, "too few sessions convert"
    store = tmp_path / "store.db"
    done = run(process_cmd(shopstream_bin, log, store))
    assert done.returncode == 0, done.stderr
    assert stored(store) == (counts, delays)
    # The windows differ on this data: the 5-minute funnel buys less than the 30-minute one.
    assert (sum(c[2] for (_, w), c in counts.items() if w == 5)
            < sum(c[2] for (_, w), c in counts.items() if w == 30))
    # Sessions whose product states are all older than twice the largest window behind the
    # clock are dropped.
    (newest,) = query(store, "SELECT newest FROM funnel_clock")[0]
    assert query(store, "SELECT count(*) FROM funnel_states WHERE last_time < ?",
                 (newest - 7200,))[0][0] == 0
    assert query(store, "SELECT count(*) FROM funnel_states")[0][0] > 0

    server = Server(shopstream_bin, store)
    try:
        for window in (5, 30, 60):
            body = server.json("/api/session_funnel", window=window)
            want = [sum(c[i] for (_, w), c in counts.items() if w == window) for i in range(3)]
            assert [s["sessions"] for s in body["steps"]] == want
            assert sum(b["sessions"] for b in body["delays"]) == want[2]
        # A range counts the whole hours that overlap it.
        hour = min(b for b, _ in counts)
        body = server.json("/api/session_funnel", **{"from": hour + ":10", "to": hour + ":20"})
        assert body["window_minutes"] == 30
        assert [s["sessions"] for s in body["steps"]] == counts[(hour, 30)]
        assert server.get("/api/session_funnel", window="7")[0] == 400
    finally:
        server.stop()


def test_exact_after_kill_minus_9(shopstream_bin, generated, tmp_path):
    log, expected = generated
    store = tmp_path / "store.db"
    cmd = process_cmd(shopstream_bin, log, store)

    def rows_stored():
        try:
            return query(store, "SELECT count(*) FROM operations")[0][0]
        except Exception:  # not made yet
            return 0
    for stop_at in (8_000, 19_000):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while rows_stored() < stop_at and proc.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = run(cmd)
    assert done.returncode == 0, done.stderr
    assert stored(store) == expected
