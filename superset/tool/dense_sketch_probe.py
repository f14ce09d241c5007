"""Whether a DENSE people sketch (src/sketch/hyperloglog.h: tag byte 2, then 16,384 6-bit
registers, little-endian) can be decoded and estimated in MariaDB SQL, and at what cost: the
question docs/superset.md's "Live users in SQL" answers. Not used by the bundle.

Writes 30 dense sketches of USERS random users each (made here from random 64-bit hashes with
the sketch's own rules) into a scratch database, then estimates in SQL each one (users per
minute) and their union (users in the last 30 minutes) by Ertl's improved estimator, as
HyperLogLog::Estimate does, and compares with a port of that function. Prints the largest
difference and each query's time (3 runs) with the load average; drops the database.

  SHOPSTREAM_MYSQL_OPTION_FILE=.cache/run/mysql.cnf python3 superset/tool/dense_sketch_probe.py [USERS]
"""
import math
import os
import random
import subprocess
import sys
import time

PRECISION, REGISTERS, MAX_RANK = 14, 1 << 14, 51
DATABASE = "ecommerce_test_dense_probe"  # the stack's user may create ecommerce_test_* only


def registers(hashes):
    regs = [0] * REGISTERS
    for h in hashes:
        rest = (h << PRECISION) & ((1 << 64) - 1)
        rank = MAX_RANK if rest == 0 else 64 - rest.bit_length() + 1
        regs[h >> (64 - PRECISION)] = max(regs[h >> (64 - PRECISION)], rank)
    return regs


def serialized(regs):
    bits = sum(r << (6 * i) for i, r in enumerate(regs))
    return b"\x02" + bits.to_bytes(REGISTERS * 6 // 8, "little")


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


def estimate(regs):
    counts = [0] * (MAX_RANK + 1)
    for r in regs:
        counts[r] += 1
    z = REGISTERS * tau(1.0 - counts[MAX_RANK] / REGISTERS)
    for k in range(MAX_RANK - 1, 0, -1):
        z = 0.5 * (z + counts[k])
    z += REGISTERS * sigma(counts[0] / REGISTERS)
    return 0.721347520444481703680 * REGISTERS * REGISTERS / z


def mysql(sql, database=DATABASE):
    option_file = os.environ.get("SHOPSTREAM_MYSQL_OPTION_FILE", ".cache/run/mysql.cnf")
    command = ["mysql", f"--defaults-extra-file={option_file}", "-N", "-B"] + ([database] if database else [])
    return subprocess.run(command, input=sql, capture_output=True, text=True, check=True).stdout


HEX = " UNION ALL ".join(f"SELECT {d}{' AS d' if d == 0 else ''}" for d in range(16))
# Register i is bits [6i, 6i + 6): two bytes from byte 6i DIV 8 (after the tag), shifted.
REGISTERS_CTE = f"""WITH hex AS ({HEX}),
positions AS (SELECT a.d + 16 * b.d + 256 * c.d + 4096 * e.d AS i
              FROM hex a CROSS JOIN hex b CROSS JOIN hex c CROSS JOIN hex e WHERE e.d < 4),
regs AS (SELECT s.bucket, p.i, ((ORD(SUBSTR(s.users, 2 + (6 * p.i DIV 8), 1))
                                 | (ORD(SUBSTR(s.users, 3 + (6 * p.i DIV 8), 1)) << 8)) >> (6 * p.i MOD 8)) & 63 AS r
         FROM sketches s CROSS JOIN positions p WHERE ORD(s.users) = 2)"""
TERMS = "SELECT a.d + 16 * b.d AS j FROM hex a CROSS JOIN hex b WHERE a.d + 16 * b.d BETWEEN 1 AND 63"


def estimate_sql(registers_sql):
    """Ertl's estimate of each group g of `registers_sql`'s (g, r) rows, one per register: the
    histogram of ranks, then sigma and tau as sums of their series' first 63 terms. Divisions by
    a DOUBLE (16384E0): MariaDB divides integers into a DECIMAL of 4 decimals, which is off."""
    return f"""SELECT g, 0.721347520444481703680 * 16384 * 16384 / (
  16384 * CASE WHEN x51 IN (0, 1) THEN 0 ELSE (x51 - (SELECT SUM(POW(1 - POW(1 - x51, POW(2, -j)), 2) * POW(2, -j))
                                                        FROM ({TERMS}) t)) / 3 END * POW(2, -50)
  + middle + 16384 * (x0 + (SELECT SUM(POW(x0, POW(2, j)) * POW(2, j - 1)) FROM ({TERMS}) t))) AS estimate
FROM (SELECT g, SUM(CASE WHEN r BETWEEN 1 AND 50 THEN n * POW(2, -r) ELSE 0 END) AS middle,
             SUM(CASE WHEN r = 0 THEN n ELSE 0 END) / 16384E0 AS x0,
             SUM(CASE WHEN r = 51 THEN n ELSE 0 END) / 16384E0 AS x51
      FROM (SELECT g, r, COUNT(*) AS n FROM ({registers_sql}) rg GROUP BY g, r) histogram GROUP BY g) h"""


def main():
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 4500
    rnd = random.Random(23)
    population = [rnd.getrandbits(64) for _ in range(60_000)]
    minutes = [(f"2019-11-08 10:{m:02d}", rnd.sample(population, users)) for m in range(30)]
    mysql(f"DROP DATABASE IF EXISTS {DATABASE}; CREATE DATABASE {DATABASE};", database=None)
    try:
        rows = ",".join(f"('{b}', X'{serialized(registers(hs)).hex()}')" for b, hs in minutes)
        mysql(f"CREATE TABLE sketches(bucket VARCHAR(16) PRIMARY KEY, users LONGBLOB); INSERT INTO sketches VALUES {rows};")
        checks = [
            ("users per minute", estimate_sql("SELECT bucket AS g, r FROM regs") + " ORDER BY g",
             [estimate(registers(hs)) for _, hs in minutes]),
            ("users in 30 minutes (the union)", estimate_sql("SELECT 'all' AS g, MAX(r) AS r FROM regs GROUP BY i"),
             [estimate(registers([h for _, hs in minutes for h in hs]))]),
        ]
        for name, sql, want in checks:
            seconds = []
            for _ in range(3):
                start = time.monotonic()
                out = mysql(REGISTERS_CTE + "\n" + sql + ";")
                seconds.append(time.monotonic() - start)
            got = [float(line.split("\t")[1]) for line in out.strip().splitlines()]
            worst = max(abs(a - b) for a, b in zip(got, want))
            same = len(got) == len(want) and all(round(a) == round(b) for a, b in zip(got, want))
            print(f"{name}: {len(got)} estimate(s) of 30 dense sketches of {users:,} users, largest difference "
                  f"{worst:.2g}, equal when rounded: {same}; {', '.join(f'{s:.2f}' for s in seconds)} s "
                  f"(load average {os.getloadavg()[0]:.1f})")
    finally:
        mysql(f"DROP DATABASE {DATABASE};", database=None)


if __name__ == "__main__":
    main()
