"""Shared helpers for the Cassandra integration tests: where the binaries are, a check that
Cassandra is up (conftest.skip_or_fail: skip loudly on a developer's machine, fail under CI), and TSV decoding of
`shopstream cql --format tsv`."""

import os
import struct
import subprocess
from pathlib import Path

import pytest

from conftest import require_listening

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SHOPSTREAM_BUILD_DIR", ROOT / "build"))
SHOPSTREAM = Path(os.environ.get("SHOPSTREAM_BIN", BUILD / "src" / "cli" / "shopstream"))
WRITER = Path(os.environ.get("SHOPSTREAM_CASSANDRA_WRITER", BUILD / "tests" / "cassandra_events_writer"))
CASSANDRA_PORT = int(os.environ.get("STACK_CASSANDRA_PORT", "9042"))
CASSANDRA = f"cassandra://127.0.0.1:{CASSANDRA_PORT}"
AUTH = os.environ.get("STACK_CASSANDRA_AUTH") == "1"
KEYSPACE = "shopstream_it"


def require_cassandra():
    for binary in (SHOPSTREAM, WRITER):
        if not binary.exists():
            pytest.fail(f"{binary} is missing: build with `ninja -C build shopstream cassandra_events_writer`")
    require_listening("Cassandra", CASSANDRA_PORT, "cassandra")


def client_env():
    """The environment for our binaries: credentials only when the stack runs with auth."""
    env = dict(os.environ)
    if AUTH:
        env.setdefault("SHOPSTREAM_CASSANDRA_USER", os.environ.get("STACK_CASSANDRA_USER", "cassandra"))
        env.setdefault("SHOPSTREAM_CASSANDRA_PASSWORD", os.environ.get("STACK_CASSANDRA_PASSWORD", "cassandra"))
    return env


def run_cql(statement, *args, uri=CASSANDRA, env=None):
    return subprocess.run([str(SHOPSTREAM), "cql", "--to", uri, *args, statement],
                          capture_output=True, text=True, timeout=300, env=env or client_env())


def run_writer(uri, count, *args):
    return subprocess.run([str(WRITER), "--to", uri, "--count", str(count), *args],
                          capture_output=True, text=True, timeout=1800, env=client_env())


def driver_session():
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import Cluster

    auth = None
    if AUTH:
        env = client_env()
        auth = PlainTextAuthProvider(env["SHOPSTREAM_CASSANDRA_USER"], env["SHOPSTREAM_CASSANDRA_PASSWORD"])
    cluster = Cluster(["127.0.0.1"], port=CASSANDRA_PORT, auth_provider=auth, protocol_version=4)
    return cluster, cluster.connect()


def driver_rows(statement):
    """Runs one statement with cassandra-driver on a short-lived session; returns its rows."""
    cluster, session = driver_session()
    try:
        return list(session.execute(statement))
    finally:
        cluster.shutdown()


def unescape_tsv_cell(cell):
    if cell == "\\N":
        return None
    out, i = [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[cell[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_tsv(text):
    lines = text.split("\n")
    assert lines[-1] == ""
    rows = [[unescape_tsv_cell(c) for c in line.split("\t")] for line in lines[:-1]]
    return rows[0], rows[1:]


def f32(x):
    """The value a CQL float column keeps of a double."""
    return struct.unpack(">f", struct.pack(">f", x))[0]
