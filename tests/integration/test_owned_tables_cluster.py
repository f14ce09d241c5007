"""Two processed tables in one database, fed from one Kafka topic by two consumer groups at the
same time, each get all 10,034 events and 41,989.74 of revenue, on SQLite, MariaDB and
PostgreSQL; a third, fresh table gets everything again; the dashboard over each table shows that
table's figures. Before processed tables owned their side tables, the second table stored
nothing (the shared offsets said it was done) or the dashboard added both together."""
import os
import subprocess

import pytest

from conftest import run
from dashboard_support import MYSQL_OPTION_FILE, MysqlDatabase, Server, mariadb
from kafka_support import require_kafka, topic_uri, unique_topic
from pg_support import PostgresDatabase

EVENTS = 10034
REVENUE = 41989.74


class SqliteStore:
    def __init__(self, tmp_path):
        self.path = tmp_path / "store.db"
        self.env = dict(os.environ)

    def uri(self, table):
        return f"sqlite://{self.path}?table={table}"

    def one(self, sql):
        import sqlite3
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as con:
            return [str(v) for v in con.execute(sql).fetchone()]

    def drop(self):
        pass


class MysqlStore:
    def __init__(self, tmp_path):
        self.db = MysqlDatabase("owned")
        self.env = self.db.env

    def uri(self, table):
        return f"mysql://admin@127.0.0.1:3306/{self.db.name}.{table}"

    def one(self, sql):
        return mariadb(sql, self.db.name)[0]

    def drop(self):
        self.db.drop()


class PostgresStore:
    def __init__(self, tmp_path):
        self.db = PostgresDatabase("owned")
        self.env = self.db.env

    def uri(self, table):
        return self.db.uri.rsplit(".", 1)[0] + "." + table

    def one(self, sql):
        return self.db.query(sql)[0]

    def drop(self):
        self.db.drop()


def quoted(kind, name):
    return f"`{name}`" if kind == "mysql" else f'"{name}"'


@pytest.mark.parametrize("kind", ["sqlite", "mysql", "postgres"])
def test_two_tables_from_one_topic_each_get_everything(shopstream_bin, sample_zip, tmp_path, kind):
    require_kafka()
    store = {"sqlite": SqliteStore, "mysql": MysqlStore, "postgres": PostgresStore}[kind](tmp_path)
    topic = unique_topic(f"owned-{kind}")
    try:
        produced = run([shopstream_bin, "produce", "-i", sample_zip, "--to", topic_uri(topic),
                        "--rate", "max", "--partitions", "4"])
        assert produced.returncode == 0, produced.stderr

        def start(table):
            return subprocess.Popen(
                [shopstream_bin, "process", "--from", topic_uri(topic), "--group", f"{topic}-{table}",
                 "--raw", f"sqlite://{tmp_path / ('raw-' + table + '.db')}",
                 "--processed", store.uri(table), "--idle-exit", "5"],
                env=store.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        # Two at once: they create their tables side by side in one database.
        pair = [start("a_T"), start("b_T")]
        for proc in pair:
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err[-3000:]
        third = start("c_T")
        _, err = third.communicate(timeout=600)
        assert third.returncode == 0, err[-3000:]

        for table in ("a_T", "b_T", "c_T"):
            rows, revenue = store.one(f"SELECT count(*), sum(revenue) FROM {quoted(kind, table)}")
            assert int(rows) == EVENTS, table
            # The rows table keeps the seed's FLOAT: PostgreSQL sums real values in single
            # precision (41,989.75); the rollups keep doubles.
            assert float(revenue) == pytest.approx(REVENUE, abs=0.02), table
            events, rolled = store.one("SELECT sum(events), sum(revenue) FROM " +
                                       quoted(kind, f"{table}__rollup_minute"))
            assert int(events) == EVENTS and float(rolled) == pytest.approx(REVENUE, abs=0.01)
            (next_offsets,) = store.one("SELECT sum(next_offset) FROM " +
                                        quoted(kind, f"{table}__stream_offsets"))
            assert int(next_offsets) == EVENTS, table
            server = Server(shopstream_bin, store.uri(table), env=store.env)
            try:
                kpis = server.json("/api/kpis")
            finally:
                server.stop()
            assert kpis["events"] == EVENTS, table
            assert kpis["revenue"] == pytest.approx(REVENUE, abs=0.01), table
    finally:
        store.drop()


@pytest.mark.parametrize("kind", ["mysql", "postgres"])
def test_an_old_layout_is_adopted_in_place(shopstream_bin, sample_zip, tmp_path, kind):
    """A store an older shopstream left (plain side tables serving one table, here a_T) is
    adopted on the first start: its tables renamed, nothing counted twice, nothing lost."""
    store = {"mysql": MysqlStore, "postgres": PostgresStore}[kind](tmp_path)
    log = tmp_path / "log.db"
    try:
        produced = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{log}",
                        "--rate", "max"])
        assert produced.returncode == 0, produced.stderr

        def process(table):
            return run([shopstream_bin, "process", "--from", f"sqlite://{log}",
                        "--raw", f"sqlite://{tmp_path / 'raw.db'}", "--processed",
                        store.uri(table), "--idle-exit", "1"], env=store.env)

        done = process("operations")
        assert done.returncode == 0, done.stderr
        rename = ("RENAME TABLE operations TO a_T" if kind == "mysql"
                  else 'ALTER TABLE operations RENAME TO "a_T"')
        store.one(rename + "; SELECT 1")
        done = process("a_T")
        assert done.returncode == 0, done.stderr
        assert "renamed to a_T__*" in done.stderr
        rows, revenue = store.one(f"SELECT count(*), sum(revenue) FROM {quoted(kind, 'a_T')}")
        assert int(rows) == EVENTS
        for base in ("rollup_minute", "rollup_brand_product", "processor_stats"):
            column = "events"
            (events,) = store.one(f"SELECT sum({column}) FROM {quoted(kind, 'a_T__' + base)}")
            assert int(events) == EVENTS, base
        (offset,) = store.one(f"SELECT next_offset FROM {quoted(kind, 'a_T__stream_offsets')}")
        assert int(offset) == EVENTS
        (plain,) = store.one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'stream_offsets'"
            + (" AND table_schema = DATABASE()" if kind == "mysql"
               else " AND table_catalog = current_database()"))
        assert int(plain) == 0
    finally:
        store.drop()


@pytest.mark.parametrize("kind", ["mysql", "postgres"])
def test_ten_processors_starting_at_once_on_a_fresh_database(shopstream_bin, sample_zip, tmp_path,
                                                             kind):
    """CREATE TABLE IF NOT EXISTS is not safe against itself on PostgreSQL (a duplicate key in
    pg_type): tables are created under a lock (an advisory lock; MariaDB's GET_LOCK, where DDL
    commits on its own), so none of ten fails or crashes."""
    store = {"mysql": MysqlStore, "postgres": PostgresStore}[kind](tmp_path)
    log = tmp_path / "log.db"
    try:
        produced = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{log}",
                        "--rate", "max", "--loop", "--count", "500"])
        assert produced.returncode == 0, produced.stderr
        procs = [subprocess.Popen(
            [shopstream_bin, "process", "--from", f"sqlite://{log}",
             "--raw", f"sqlite://{tmp_path / f'raw-{i}.db'}", "--processed", store.uri("t_ten"),
             "--idle-exit", "2"],
            env=store.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for i in range(10)]
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err[-3000:]
        (rows,) = store.one(f"SELECT count(*) FROM {quoted(kind, 't_ten')}")
        (events,) = store.one(f"SELECT sum(events) FROM {quoted(kind, 't_ten__rollup_minute')}")
        assert int(rows) == 500 and int(events) == 500
    finally:
        store.drop()
