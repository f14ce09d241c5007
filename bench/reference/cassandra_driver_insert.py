"""The reference client for the Cassandra raw store: the Python cassandra-driver writing the
same rows (a TSV from bench/cassandra_store_bench, \\N for null) through one prepared INSERT
with execute_concurrent_with_args, into a new table of the seed's layout. Prints
rows=... seconds=... rows_per_s=... cpu_seconds=... (this process, over the inserts only), and
server_cpu_seconds=... (the Cassandra JVM's, over the same span) when
SHOPSTREAM_BENCH_SERVER_PID names its pid.

  python cassandra_driver_insert.py HOST PORT KEYSPACE.TABLE ROWS.tsv [CONCURRENCY [PROTOCOL]]

PROTOCOL pins the native protocol version (4 or 5); by default the driver negotiates the
newest the server speaks (v5 with Cassandra 5). The line printed says which was used.
"""
import os
import resource
import sys
import time
import uuid

from cassandra import ConsistencyLevel
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster
from cassandra.concurrent import execute_concurrent_with_args

ESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def unescape(field):
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        pair = field[i:i + 2]
        if pair in ESCAPES:
            out.append(ESCAPES[pair])
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            v = [unescape(x) for x in line.rstrip("\n").split("\t")]
            rows.append((uuid.UUID(v[0]), v[1], v[2], v[3], v[4], v[5], v[6], float(v[7]), v[8], v[9]))
    return rows


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def server_cpu_seconds(pid):
    """utime + stime of the server process (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # the name may hold spaces: after the last ')'
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14 and 15


def main():
    host, port, table, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    concurrency = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    pinned = {"protocol_version": int(sys.argv[6])} if len(sys.argv) > 6 else {}
    rows = read_rows(path)
    # Only used when the node asks for a login (scripts/stack with STACK_CASSANDRA_AUTH=1).
    auth = PlainTextAuthProvider(os.environ.get("STACK_CASSANDRA_USER", "cassandra"),
                                 os.environ.get("STACK_CASSANDRA_PASSWORD", "cassandra"))
    cluster = Cluster([host], port=port, connect_timeout=30, auth_provider=auth, **pinned)
    session = cluster.connect()
    session.default_timeout = 60
    session.execute(f"CREATE TABLE IF NOT EXISTS {table} (id UUID PRIMARY KEY, event_time text, "
                    "event_type text, product_id text, category_id text, category_code text, brand text, "
                    "price float, user_id text, user_session text)")
    insert = session.prepare(f"INSERT INTO {table} (id, event_time, event_type, product_id, category_id, "
                             "category_code, brand, price, user_id, user_session) VALUES (?,?,?,?,?,?,?,?,?,?)")
    insert.consistency_level = ConsistencyLevel.LOCAL_QUORUM  # as the store writes
    server_pid = os.environ.get("SHOPSTREAM_BENCH_SERVER_PID")
    server0 = server_cpu_seconds(server_pid) if server_pid else None
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    # Returns once every insert has an answer; the first error raises.
    execute_concurrent_with_args(session, insert, rows, concurrency=concurrency, raise_on_first_error=True)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    server = f" server_cpu_seconds={server_cpu_seconds(server_pid) - server0:.3f}" if server_pid else ""
    protocol = cluster.protocol_version
    cluster.shutdown()
    print(f"rows={len(rows)} seconds={seconds:.3f} rows_per_s={len(rows) / seconds:.0f} cpu_seconds={cpu:.3f}{server} protocol={protocol}")


if __name__ == "__main__":
    main()
