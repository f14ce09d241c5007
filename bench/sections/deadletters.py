"""bench/run deadletters: `shopstream deadletters replay` of 100,000 dead letters (a brand over
the 50-character column, text.too_long, let through by --long-text truncate) beside `process
--long-text truncate` of the same 100,000 messages into a fresh store: both end with the same rows,
rollups and people, so the difference is what a replay costs over the stream's own path."""
import json
import os
import sqlite3
import uuid

import seed_tools as st
from common import BIN, OUT, fmt, goal, row, timed


def write_log(path, n):
    """An embedded log of `n` seed-shaped messages, each with a 51-character brand."""
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL,"
                " appended_us INTEGER NOT NULL)")
    types = ["view", "view", "view", "cart", "purchase"]
    con.executemany("INSERT INTO log VALUES(?, ?, 0)", (
        (i, json.dumps({"event_time": f"2019-11-{1 + i % 30:02d} {i % 24:02d}:{i % 60:02d}:00 UTC",
                        "event_type": types[i % 5], "product_id": 1000 + i % 500,
                        "category_id": 2053013555631882655,
                        "category_code": f"dept{i % 7}.product{i % 50}",
                        "brand": f"brand{i % 40:02d}" + "x" * 44, "price": 10.0 + i % 100,
                        "user_id": 500000000 + i % 20000, "user_session": f"s{i % 30000}",
                        "id": str(uuid.UUID(int=i + 1))}).encode(), ) for i in range(n)))
    con.commit()
    con.close()


def rows_of(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM operations").fetchone()[0]
    finally:
        con.close()


def run():
    OUT.mkdir(parents=True, exist_ok=True)
    n = int(os.environ.get("SHOPSTREAM_BENCH_DEADLETTERS", "100000"))
    log = OUT / "deadletters-log.db"
    dead, fresh = OUT / "deadletters-store.db", OUT / "deadletters-fresh.db"
    for db in (dead, fresh):
        if db.exists():
            db.unlink()
    st.say(f"{n:,} messages with a 51-character brand -> {log.name}")
    write_log(log, n)
    process = [str(BIN), "process", "--from", f"sqlite://{log}", "--idle-exit", "1", "-q"]
    st.say("process: every message a dead letter (text.too_long)")
    timed(process + ["--raw", f"sqlite://{dead}", "--processed", f"sqlite://{dead}"])
    st.say("deadletters replay --long-text truncate")
    replay_wall, replay_cpu, replay_rss, out = timed(
        [str(BIN), "deadletters", "--store", f"sqlite://{dead}", "replay", "--long-text", "truncate"])
    assert f"stored {n:,} of {n:,}" in out, out
    st.say("reference: process --long-text truncate of the same messages into a fresh store")
    ref_wall, ref_cpu, _, _ = timed(process + ["--long-text", "truncate", "--raw", f"sqlite://{fresh}",
                                               "--processed", f"sqlite://{fresh}"])
    assert rows_of(dead) == rows_of(fresh) == n
    how = (f"{n:,} dead letters in one SQLite store, replayed in chunks of 10,000 (one transaction "
           f"each); the reference writes raw and processed and waits its 1 s --idle-exit; "
           f"binary {BIN.parent.parent.parent.name}")
    return [
        row("replay 100,000 dead letters (--long-text truncate), wall seconds",
            f"{replay_wall:,.1f} s ({fmt(n / replay_wall, ' letters/s')}, {replay_cpu:,.1f} CPU s, "
            f"{replay_rss:,.0f} MiB)",
            f"process of the same messages: {ref_wall:,.1f} s ({ref_cpu:,.1f} CPU s)",
            f"{replay_wall / ref_wall:,.2f}x of process; goal < 60 s: {goal(replay_wall < 60)}", how),
    ]
