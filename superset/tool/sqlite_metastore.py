"""Lets a Superset whose metadata database is SQLite hold datasets of one table name in several
connections (the rows and rollup tables of several shopstream stores).

Superset's first migration (2015) made `tables.table_name` unique; a 2016 migration replaced
that with a key on database, schema and table name, and a 2020 one dropped what was left on
MySQL, but on SQLite the unnamed UNIQUE(table_name) could not be dropped and stays. This
rebuilds the `tables` table without it, by SQLite's documented procedure (new table, copy, drop,
rename, in one transaction, foreign key checks off meanwhile). Idempotent. Run by scripts/stack
after `superset db upgrade`, with the server stopped. Usage: python3 sqlite_metastore.py PATH"""
import re
import sqlite3
import sys

_UNIQUE_NAME = re.compile(r",?\s*UNIQUE \(table_name\)\s*(?=,|\))")


def relax(path):
    con = sqlite3.connect(path, isolation_level=None)
    try:
        row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tables'").fetchone()
        if row is None:
            raise SystemExit(f"{path}: no table `tables` (run `superset db upgrade` first)")
        create = row[0]
        if not _UNIQUE_NAME.search(create):
            return False
        new_create = _UNIQUE_NAME.sub("", create, count=1)
        new_create = re.sub(r'^CREATE TABLE (IF NOT EXISTS )?"?tables"?', "CREATE TABLE tables_relaxed", new_create)
        indexes = [sql for (sql,) in con.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tables' AND sql IS NOT NULL")]
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("BEGIN IMMEDIATE")
        con.execute(new_create)
        con.execute("INSERT INTO tables_relaxed SELECT * FROM tables")
        con.execute("DROP TABLE tables")
        con.execute("ALTER TABLE tables_relaxed RENAME TO tables")
        for sql in indexes:
            con.execute(sql)
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            con.execute("ROLLBACK")
            raise SystemExit(f"{path}: foreign key problems after the rebuild, nothing changed: {problems[:5]}")
        con.execute("COMMIT")
        return True
    finally:
        con.close()


if __name__ == "__main__":
    changed = relax(sys.argv[1])
    print("dropped UNIQUE(table_name) from tables" if changed else "tables has no UNIQUE(table_name)")
