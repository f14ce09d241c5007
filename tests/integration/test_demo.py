"""`shopstream demo` on generated data: it generates, produces and processes in one process,
stops cleanly after --duration, and what it left behind is consistent and resumable."""
import json

from conftest import query, run


def test_demo_generates_streams_and_stops_cleanly(shopstream_bin, tmp_path):
    data = tmp_path / "demo"
    r = run([shopstream_bin, "demo", "--rows", "20000", "--rate", "4000", "--duration", "6",
             "--data-dir", str(data), "--listen", "127.0.0.1:0"], timeout=300)
    assert r.returncode == 0, r.stderr
    assert "produced" in r.stderr and "processed" in r.stderr
    assert (data / "generated-20000-42.csv").exists()
    assert "shopstream dashboard: http://127.0.0.1:" in r.stdout

    log, store = data / "log.db", data / "store.db"
    produced = query(log, "SELECT count(*) FROM log")[0][0]
    stored = query(store, "SELECT count(*) FROM operations")[0][0]
    assert produced > 1000
    assert 0 < stored <= produced
    # Whatever the demo had not processed yet is picked up by a later run, exactly once.
    r = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
             "--processed", f"sqlite://{store}", "--idle-exit", "1"])
    assert r.returncode == 0, r.stderr
    log_ids = {json.loads(p)["id"] for (p,) in query(log, "SELECT payload FROM log")}
    assert {i for (i,) in query(store, "SELECT id FROM operations")} == log_ids
    assert query(store, "SELECT sum(events) FROM rollup_minute")[0][0] == produced
