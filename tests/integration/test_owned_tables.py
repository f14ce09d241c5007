"""A processed table owns its side tables (offsets, rollups, people, dead letters, stats): two
tables in one SQLite file, fed from one embedded log, each get every event; a store made before
(side tables under the plain names, one processed table) is adopted in place, also after an
interrupted adoption; plain side tables shared by several tables are refused."""
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import query, run
from dashboard_support import Server

EVENTS = 10034
REVENUE = 41989.74
SIDE_TABLES = ["stream_offsets", "rollup_minute", "rollup_hour_brand", "rollup_hour_product",
               "rollup_hour", "rollup_day", "rollup_brand", "rollup_product",
               "rollup_hour_brand_product", "rollup_hour_department_brand", "rollup_brand_product",
               "rollup_10s", "rollup_block_brand_wide", "rollup_days_brand_wide", "people_minute", "people_hour", "people_day", "people_all", "people_offsets",
               "dead_letters",
               "processor_stats", "alerts", "stream_ids", "funnel_hour", "funnel_delay_hour",
               "funnel_sessions", "funnel_states", "funnel_clock"]


def side(table, base):
    return base if table == "operations" else f"{table}__{base}"


def tables_of(store):
    return {name for (name,) in query(store, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def process(shopstream_bin, log, store, table, **kwargs):
    return run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw",
                f"sqlite://{store.parent / 'raw.db'}", "--processed",
                f"sqlite://{store}?table={table}", "--idle-exit", "1"], **kwargs)


def assert_has_everything(store, table):
    rows, revenue = query(store, f"SELECT count(*), sum(revenue) FROM {table}")[0]
    assert rows == EVENTS and revenue == pytest.approx(REVENUE, abs=0.01), table
    for base in ("rollup_minute", "rollup_day", "rollup_brand", "rollup_hour_brand_product"):
        events, rolled = query(store, f"SELECT sum(events), sum(revenue) FROM {side(table, base)}")[0]
        assert events == EVENTS and rolled == pytest.approx(REVENUE, abs=0.01), (table, base)
    assert [n for (n,) in query(store, f"SELECT next_offset FROM {side(table, 'stream_offsets')}")] \
        == [EVENTS]
    assert query(store, f"SELECT sum(events) FROM {side(table, 'processor_stats')}")[0][0] == EVENTS


@pytest.fixture()
def log(shopstream_bin, sample_zip, tmp_path):
    path = tmp_path / "log.db"
    produced = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{path}",
                    "--rate", "max"])
    assert produced.returncode == 0, produced.stderr
    return path


def test_two_tables_in_one_file_each_get_everything_and_a_third_too(shopstream_bin, log, tmp_path):
    store = tmp_path / "store.db"
    for table in ("a_T", "b_T"):
        done = process(shopstream_bin, log, store, table)
        assert done.returncode == 0, done.stderr
    for table in ("a_T", "b_T"):
        assert_has_everything(store, table)
    assert not tables_of(store) & set(SIDE_TABLES), "no plain side tables without operations"

    done = process(shopstream_bin, log, store, "operations")
    assert done.returncode == 0, done.stderr
    for table in ("a_T", "b_T", "operations"):
        assert_has_everything(store, table)

    # The dashboard over one table shows that table's figures only.
    # a_T's figures are made to differ from the others' (doubled), so each must be its own.
    with sqlite3.connect(store) as con:
        for base in ("rollup_minute", "rollup_hour", "rollup_day"):
            con.execute(f"UPDATE a_T__{base} SET events = 2 * events")
    for table, events in (("a_T", 2 * EVENTS), ("b_T", EVENTS), ("operations", EVENTS)):
        server = Server(shopstream_bin, f"sqlite://{store}?table={table}")
        try:
            assert server.json("/api/kpis")["events"] == events, table
        finally:
            server.stop()


def make_old_layout(shopstream_bin, log, store, owner):
    """A store as an older shopstream left it: plain side tables serving one rows table."""
    done = process(shopstream_bin, log, store, "operations")
    assert done.returncode == 0, done.stderr
    if owner != "operations":
        with sqlite3.connect(store) as con:
            con.execute(f"ALTER TABLE operations RENAME TO {owner}")


def test_an_old_layout_is_adopted_in_place_once(shopstream_bin, log, tmp_path):
    store = tmp_path / "store.db"
    make_old_layout(shopstream_bin, log, store, "a_T")
    # As an adoption interrupted half-way leaves it where each rename commits (MariaDB):
    # the last tables renamed first, stream_offsets last.
    with sqlite3.connect(store) as con:
        for base in reversed(SIDE_TABLES[-5:]):
            con.execute(f"ALTER TABLE {base} RENAME TO a_T__{base}")

    done = process(shopstream_bin, log, store, "a_T")
    assert done.returncode == 0, done.stderr
    assert "renamed to a_T__*" in done.stderr
    assert_has_everything(store, "a_T")
    assert tables_of(store) >= {f"a_T__{b}" for b in SIDE_TABLES}
    assert not tables_of(store) & set(SIDE_TABLES)

    again = process(shopstream_bin, log, store, "a_T")
    assert again.returncode == 0, again.stderr
    assert "renamed" not in again.stderr
    assert_has_everything(store, "a_T")
    fresh = process(shopstream_bin, log, store, "b_T")
    assert fresh.returncode == 0, fresh.stderr
    assert_has_everything(store, "b_T")


def test_an_adoption_killed_at_any_moment_finishes_on_the_next_start(shopstream_bin, log, tmp_path):
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2):
        store = tmp_path / f"store-{delay}.db"
        make_old_layout(shopstream_bin, log, store, "a_T")
        cmd = [shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw",
               f"sqlite://{tmp_path / 'raw.db'}", "--processed", f"sqlite://{store}?table=a_T",
               "--idle-exit", "1"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = process(shopstream_bin, log, store, "a_T")
        assert done.returncode == 0, done.stderr
        assert_has_everything(store, "a_T")
        assert not tables_of(store) & set(SIDE_TABLES), delay


def test_plain_side_tables_shared_by_several_tables_are_refused(shopstream_bin, log, tmp_path):
    store = tmp_path / "store.db"
    make_old_layout(shopstream_bin, log, store, "operations")
    # A second pipeline of an older shopstream in the same file: its rows table beside the first.
    with sqlite3.connect(store) as con:
        con.execute("CREATE TABLE b_T AS SELECT * FROM operations WHERE 0")
    before = tables_of(store)
    for table in ("operations", "b_T"):
        done = process(shopstream_bin, log, store, table)
        assert done.returncode == 1, done.stderr
        assert "several processed tables at once (b_T, operations)" in done.stderr, done.stderr
        assert done.stderr.count("\n") < 10
    assert tables_of(store) == before, "nothing created or renamed"
    # A new table beside them is not theirs to refuse.
    done = process(shopstream_bin, log, store, "c_T")
    assert done.returncode == 0, done.stderr
    assert_has_everything(store, "c_T")


def test_the_superset_bundle_follows_the_table(tmp_path):
    """The dashboard imported for ecommerce.a_T reads a_T's rollups, not operations'; an export
    of it goes back to the committed bundle."""
    import sys
    from conftest import REPO
    sys.path.insert(0, str(REPO / "superset" / "tool"))
    import bundle
    from store import Store
    files = bundle.load()
    for table, prefix in (("a_T", "a_T__"), ("operations", "")):
        store = Store(user="admin", host="127.0.0.1", port=3306, database="ecommerce", table=table,
                      password=None)
        out = bundle.for_store(files, store)
        names = {path.rsplit("/", 1)[1]: bundle._top_level(text, "table_name")
                 for path, text in out.items() if "/datasets/" in path}
        assert names["operations.yaml"] == table
        rollups = {k: v for k, v in names.items() if k.startswith(("rollup_", "funnel_", "dead_letters"))}
        assert rollups and all(v == prefix + k[:-len(".yaml")] for k, v in rollups.items()), rollups
        # The virtual datasets' SQL reads the table's own side tables too.
        trending = next(t for p, t in out.items() if p.endswith("/trending.yaml"))
        assert f" {prefix}rollup_hour_product h" in trending and f" {prefix}rollup_hour r" in trending
        funnel = next(t for p, t in out.items() if p.endswith("/session_funnel.yaml"))
        assert funnel.count(f"FROM {prefix}funnel_hour") == 3
        back = bundle.from_export({p.split("/", 1)[1]: t for p, t in out.items()}, files, store)
        for path, text in back.items():
            if path.startswith("datasets/"):
                assert text == files[path]
