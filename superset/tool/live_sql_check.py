"""Checks the Live tab's SQL (chart_specs.py: LIVE_PEOPLE_SQL, USERS_PER_MINUTE_SQL) on made-up
people sketches against a Python port of the board's HyperLogLog (src/sketch/hyperloglog.cc:
entries, sparse and dense forms, merge, Estimate), and times it: the figures of
docs/superset.md, "Live users in SQL". tests/integration/test_superset.py checks the same SQL in
Superset against the board itself (/api/live); this is for shapes that test does not make.

For each scenario, 30 minutes of made-up users and sessions (random 64-bit hashes) are written
as people_minute rows into a scratch database; each query runs RUNS times; the script prints
whether every figure equals the port's, the times and the load average, and drops the database.

  SHOPSTREAM_MYSQL_OPTION_FILE=.cache/run/mysql.cnf python3 superset/tool/live_sql_check.py [RUNS]
"""
import math
import os
import random
import subprocess
import sys
import time

from chart_specs import LIVE_PEOPLE_SQL, USERS_PER_MINUTE_SQL

PRECISION, REGISTERS, MAX_RANK, SPARSE_PRECISION, MAX_SPARSE = 14, 1 << 14, 51, 25, 3072
DATABASE = "ecommerce_test_live_sql"  # the stack's user may create ecommerce_test_* only
# People per minute in each scenario (sessions are 10 % more): all sparse and small; all sparse
# but the windows' unions dense (past 3,072 prefixes); the heaviest sparse; all dense (the
# demo's 4,000 to 5,000); and a mix of every size.
SCENARIOS = {
    "sparse, 50 a minute": [50] * 30,
    "sparse, 1,000 a minute": [1000] * 30,
    "sparse, 2,500 a minute": [2500] * 30,
    "dense, 4,500 a minute": [4500] * 30,
    "mixed, 0 to 4,500 a minute": [0, 5, 50, 400, 2000, 3000, 3500, 4500] * 3 + [4500, 5, 3000, 0, 50, 2000],
}


def entry(h):
    rest = (h << SPARSE_PRECISION) & ((1 << 64) - 1)
    rank = 64 - SPARSE_PRECISION + 1 if rest == 0 else 64 - rest.bit_length() + 1
    return ((h >> (64 - SPARSE_PRECISION)) << 6) | rank


def register(e):
    """SetRegister: the register and rank a sparse entry raises."""
    index25 = e >> 6
    between = index25 & ((1 << (SPARSE_PRECISION - PRECISION)) - 1)
    rank = 11 - between.bit_length() + 1 if between else 11 + (e & 63)
    return index25 >> (SPARSE_PRECISION - PRECISION), rank


class Sketch:
    """The board's sketch: sparse entries (one per 25-bit prefix, the highest rank) until more
    than 3,072, then registers."""

    def __init__(self, hashes=()):
        self.sparse, self.registers = {}, None
        for h in hashes:
            self.add(entry(h))

    def add(self, e):
        if self.registers is None:
            self.sparse[e >> 6] = max(self.sparse.get(e >> 6, 0), e)
            if len(self.sparse) > MAX_SPARSE:
                self.registers = [0] * REGISTERS
                for kept in self.sparse.values():
                    self.add(kept)
                self.sparse = {}
        else:
            i, rank = register(e)
            self.registers[i] = max(self.registers[i], rank)

    def merge(self, other):
        if other.registers is not None:
            if self.registers is None:
                self.registers = [0] * REGISTERS
                for kept in self.sparse.values():
                    self.add(kept)
                self.sparse = {}
            self.registers = [max(a, b) for a, b in zip(self.registers, other.registers)]
        for e in other.sparse.values():
            self.add(e)

    def serialized(self):
        if self.registers is not None:
            bits = sum(r << (6 * i) for i, r in enumerate(self.registers))
            return b"\x02" + bits.to_bytes(REGISTERS * 6 // 8, "little")
        if not self.sparse:
            return b""
        out, previous = bytearray(b"\x01") + varint(len(self.sparse)), 0
        for e in sorted(self.sparse.values()):
            out += varint(e - previous)
            previous = e
        return bytes(out)

    def estimate(self):
        if self.registers is None:
            m = float(1 << SPARSE_PRECISION)
            return round(m * math.log(m / (m - len(self.sparse)))) if self.sparse else 0
        counts = [0] * (MAX_RANK + 1)
        for r in self.registers:
            counts[r] += 1
        z = REGISTERS * tau(1.0 - counts[MAX_RANK] / REGISTERS)
        for k in range(MAX_RANK - 1, 0, -1):
            z = 0.5 * (z + counts[k])
        z += REGISTERS * sigma(counts[0] / REGISTERS)
        return round(0.721347520444481703680 * REGISTERS * REGISTERS / z)


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return out


def sigma(x):
    if x == 1.0:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        previous, z, y = z, z + x * y, y + y
        if previous == z:
            return z


def tau(x):
    if x in (0.0, 1.0):
        return 0.0
    y, z = 1.0, 1.0 - x
    while True:
        x = math.sqrt(x)
        y *= 0.5
        previous, z = z, z - (1.0 - x) ** 2 * y
        if previous == z:
            return z / 3.0


def union(sketches):
    total = Sketch()
    for s in sketches:
        total.merge(s)
    return total.estimate()


def mysql(sql, database=DATABASE):
    option_file = os.environ.get("SHOPSTREAM_MYSQL_OPTION_FILE", ".cache/run/mysql.cnf")
    command = ["mysql", f"--defaults-extra-file={option_file}", "-N", "-B"] + ([database] if database else [])
    return subprocess.run(command, input=sql, capture_output=True, text=True, check=True).stdout


def timed(sql, runs):
    seconds = []
    for _ in range(runs):
        start = time.monotonic()
        out = mysql(sql + ";")
        seconds.append(time.monotonic() - start)
    return [line.split("\t") for line in out.strip().splitlines()], seconds


def check(name, sizes, rnd, runs):
    population = [rnd.getrandbits(64) for _ in range(60_000)]
    minutes = [(f"2019-11-08 10:{m:02d}", Sketch(rnd.sample(population, n)),
                Sketch(rnd.sample(population, n + n // 10))) for m, n in enumerate(sizes)]
    rows = ",".join(f"('{b}', 'all', '', '', X'{u.serialized().hex()}', X'{s.serialized().hex()}')"
                    for b, u, s in minutes if sizes[int(b[-2:])])
    mysql(f"DELETE FROM people_minute; INSERT INTO people_minute VALUES {rows};")
    per_minute, minute_seconds = timed(USERS_PER_MINUTE_SQL, runs)
    windows, window_seconds = timed(LIVE_PEOPLE_SQL, runs)
    same_minutes = {r[1]: int(float(r[4])) for r in per_minute} == {b: u.estimate() for b, u, _ in minutes}
    want = {w: (union(u for _, u, _ in minutes[-w:]), union(s for _, _, s in minutes[-w:])) for w in (5, 30)}
    got = {int(r[0]): (int(float(r[2])), int(float(r[3]))) for r in windows}
    print(f"{name}: users per minute {'equal' if same_minutes else 'DIFFERENT'}, "
          f"{', '.join(f'{s:.2f}' for s in minute_seconds)} s; users and sessions in 5 and 30 minutes "
          f"{'equal' if got == want else f'DIFFERENT {got} != {want}'} ({want[30][0]:,} users in 30), "
          f"{', '.join(f'{s:.2f}' for s in window_seconds)} s (load average {os.getloadavg()[0]:.1f})")
    return same_minutes and got == want


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rnd = random.Random(23)
    mysql(f"DROP DATABASE IF EXISTS {DATABASE}; CREATE DATABASE {DATABASE};", database=None)
    try:
        mysql("CREATE TABLE rollup_minute(bucket VARCHAR(16) PRIMARY KEY);"
              "INSERT INTO rollup_minute VALUES ('2019-11-08 10:29');"
              "CREATE TABLE people_minute(bucket VARCHAR(16), scope VARCHAR(16), brand VARCHAR(64), "
              "department VARCHAR(64), users LONGBLOB, sessions LONGBLOB);")
        ok = all([check(name, sizes, rnd, runs) for name, sizes in SCENARIOS.items()])
    finally:
        mysql(f"DROP DATABASE {DATABASE};", database=None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
