#!/usr/bin/env python3
"""Benchmark: rows/s and CPU seconds of CassandraRawStore writing N events (default 100,000),
side by side with the Python cassandra-driver writing the same number of rows through one
prepared INSERT with execute_concurrent (the reference client), into fresh tables of the same
schema on the same server. Run after `scripts/stack up cassandra`; prints a Markdown table.

  python3 tests/integration/cassandra_write_bench.py [--count N] [--in-flight K]
"""

import argparse
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cassandra_helpers import CASSANDRA, KEYSPACE, driver_session, run_writer  # noqa: E402

SCHEMA = ("(id UUID PRIMARY KEY, event_time text, event_type text, product_id text, category_id text, "
          "category_code text, brand text, price float, user_id text, user_session text)")


def reference(session, table, count, concurrency):
    from cassandra.concurrent import execute_concurrent_with_args

    session.execute(f"CREATE TABLE {table} {SCHEMA}")
    insert = session.prepare(f"INSERT INTO {table} (id, event_time, event_type, product_id, category_id, "
                             "category_code, brand, price, user_id, user_session) VALUES (?,?,?,?,?,?,?,?,?,?)")
    rows = [(uuid.uuid4(), "2019-11-08 08:14:53 UTC", "view", str(1000000 + i), "2053013555631882655",
             "electronics.smartphone", "samsung", 165.51, str(512000000 + i), str(uuid.uuid4()))
            for i in range(count)]
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    for ok, result in execute_concurrent_with_args(session, insert, rows, concurrency=concurrency,
                                                   raise_on_first_error=True):
        pass
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"rows": count, "seconds": seconds, "rows_per_s": count / seconds, "cpu_seconds": cpu}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100000)
    parser.add_argument("--in-flight", type=int, default=256)
    parser.add_argument("--reference-concurrency", type=int, default=100)
    args = parser.parse_args()

    cluster, session = driver_session()
    session.execute(f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} WITH replication = "
                    "{'class':'SimpleStrategy', 'replication_factor':1}")
    suffix = f"{os.getpid()}"
    ours_table = f"{KEYSPACE}.bench_store_{suffix}"
    ref_table = f"{KEYSPACE}.bench_driver_{suffix}"

    r = run_writer(f"{CASSANDRA}/{ours_table}?in_flight={args.in_flight}", args.count, "--seed", "3")
    if r.returncode != 0:
        sys.exit(f"store writer failed: {r.stderr}")
    ours = json.loads(r.stdout)
    print(f"store: {ours}", file=sys.stderr, flush=True)
    # A loaded 2-core machine can keep single writes waiting longer than the 10 s default.
    session.default_timeout = 60
    ref = reference(session, ref_table, args.count, args.reference_concurrency)
    print(f"driver: {ref}", file=sys.stderr, flush=True)
    # Counted by paging through the ids: count(*) over 100,000 rows can pass the server's
    # read timeout on a busy machine.
    count_ours = sum(1 for _ in session.execute(f"SELECT id FROM {ours_table}"))
    count_ref = sum(1 for _ in session.execute(f"SELECT id FROM {ref_table}"))
    for table in (ours_table, ref_table):
        session.execute(f"DROP TABLE {table}")
    cluster.shutdown()

    print(f"| writer | rows | seconds | rows/s | client CPU s | CPU µs/row |")
    print(f"| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, f, n in ((f"CassandraRawStore (in_flight={args.in_flight})", ours, count_ours),
                       (f"cassandra-driver {__import__('cassandra').__version__} execute_concurrent "
                        f"({args.reference_concurrency})", ref, count_ref)):
        print(f"| {name} | {n:,} | {f['seconds']:.1f} | {f['rows_per_s']:,.0f} | {f['cpu_seconds']:.2f} | "
              f"{f['cpu_seconds'] / f['rows'] * 1e6:.0f} |")
    print(f"\nratio rows/s store/driver: {ours['rows_per_s'] / ref['rows_per_s']:.2f}; "
          f"CPU per row store/driver: {(ours['cpu_seconds'] / ours['rows']) / (ref['cpu_seconds'] / ref['rows']):.2f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
