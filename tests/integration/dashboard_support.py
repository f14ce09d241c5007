"""Helpers for the dashboard tests: build a store with the real `shopstream produce` and
`shopstream process` (embedded SQLite, or MariaDB from scripts/stack), start `shopstream serve`
on a free port, and compute what the dashboard should show straight from the CSV, with no
shopstream code (the seed's cleaning rules)."""
import collections
import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from conftest import REPO, run

MYSQL_OPTION_FILE = REPO / ".cache" / "run" / "mysql.cnf"


def build_store(shopstream_bin, csv_path, store, log, original_times=True, processed=None, env=None):
    """Replays `csv_path` into the embedded log and processes it into `store` (raw rows) and
    `processed` (a store URI; default: the same SQLite file)."""
    pacing = ["--speedup", "100000000"] if original_times else ["--rate", "max"]
    produced = run([shopstream_bin, "produce", "-i", str(csv_path), "--to", f"sqlite://{log}", *pacing])
    assert produced.returncode == 0, produced.stderr
    processed = processed or f"sqlite://{store}"
    result = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
                  "--processed", processed, "--idle-exit", "1"], env=env)
    assert result.returncode == 0, result.stderr


def mariadb(sql, database="ecommerce"):
    """Runs SQL with the mariadb client and the stack's option file; rows as lists of text."""
    r = subprocess.run(["mariadb", f"--defaults-extra-file={MYSQL_OPTION_FILE}", "--batch",
                        "--skip-column-names", database, "-e", sql],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines()]


class MysqlDatabase:
    """A fresh `ecommerce_test_...` database on the stack's MariaDB, dropped by drop()."""

    def __init__(self, prefix):
        assert MYSQL_OPTION_FILE.exists(), "run `scripts/stack up mariadb` first"
        self.name = f"ecommerce_test_{prefix}_{os.getpid()}_{int(time.time())}"
        mariadb(f"CREATE DATABASE {self.name}")
        self.uri = f"mysql://admin@127.0.0.1:3306/{self.name}.operations"
        self.env = dict(os.environ, SHOPSTREAM_MYSQL_OPTION_FILE=str(MYSQL_OPTION_FILE))

    def drop(self):
        mariadb(f"DROP DATABASE IF EXISTS {self.name}")


class Server:
    """`shopstream serve` on 127.0.0.1 with a port of the kernel's choosing; `store` is a path
    (SQLite) or a store URI."""

    def __init__(self, shopstream_bin, store, env=None, extra_args=()):
        self.store_uri = store if "://" in str(store) else f"sqlite://{store}"
        self.env = env
        self.proc = subprocess.Popen([shopstream_bin, "serve", "--store", self.store_uri,
                                      "--listen", "127.0.0.1:0", *extra_args], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + self.proc.stderr.read()
        self.url = line.split("on ")[1].split(" ")[0].rstrip("/")

    def get(self, path, **params):
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        try:
            with urllib.request.urlopen(self.url + path + query, timeout=30) as res:
                return res.status, res.read().decode("utf-8"), res.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8"), e.headers

    def json(self, path, **params):
        status, body, _ = self.get(path, **params)
        assert status == 200, (path, status, body)
        return json.loads(body)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        finally:
            self.proc.stdout.close()
            self.proc.stderr.close()


def clean(row):
    """The seed's cleaning of one CSV row, written independently of shopstream's code."""
    code = row["category_code"]
    parts = code.split(".") if code else []
    department = parts[0] if parts else "other"
    product = parts[-1] if parts else "other"
    brand = row["brand"] or "other"
    department, product, brand = (v.replace("NaN", "other") for v in (department, product, brand))
    minute = row["event_time"][:16]
    revenue = float(row["price"]) if row["event_type"] == "purchase" else 0.0
    # The ten seconds as a series names them: "YYYY-MM-DD HH:MM:S0".
    ten_seconds = row["event_time"][:18] + "0"
    return {"minute": minute, "ten_seconds": ten_seconds, "type": row["event_type"], "department": department, "product": product,
            "brand": brand, "revenue": revenue, "user": row["user_id"], "session": row["user_session"]}


class Expected:
    """Aggregates over cleaned rows whose minute bucket lies in [lo, hi), of one department and
    one brand when given."""

    def __init__(self, rows, lo="", hi="~", department=None, brand=None):
        self.rows = [r for r in map(clean, rows) if lo <= r["minute"] < hi
                     and department in (None, r["department"]) and brand in (None, r["brand"])]

    def people(self):
        """Exact distinct users and sessions, and sessions with a view, a cart, a purchase."""
        def sessions(kind=None):
            return len({r["session"] for r in self.rows if r["session"] and kind in (None, r["type"])})
        return {"users": len({r["user"] for r in self.rows}), "sessions": sessions(),
                "sessions_viewing": sessions("view"), "sessions_carting": sessions("cart"),
                "sessions_buying": sessions("purchase")}

    @staticmethod
    def breakdown(rows):
        c = collections.Counter(r["type"] for r in rows)
        return {"events": len(rows), "views": c["view"], "carts": c["cart"], "purchases": c["purchase"],
                "revenue": sum(r["revenue"] for r in rows)}

    def totals(self):
        return self.breakdown(self.rows)

    def grouped(self, key):
        groups = collections.defaultdict(list)
        for r in self.rows:
            groups[key(r)].append(r)
        return {k: self.breakdown(v) for k, v in groups.items()}
