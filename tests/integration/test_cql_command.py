"""`shopstream cql` against a real Cassandra: aligned tables, TSV, schema changes, and server
errors surfaced as one clear line with exit code 1 (2 for usage errors)."""

import os

import pytest

from cassandra_helpers import AUTH, CASSANDRA, KEYSPACE, SHOPSTREAM, require_cassandra, run_cql

import subprocess


@pytest.fixture(scope="module", autouse=True)
def cassandra():
    require_cassandra()


def test_prints_an_aligned_table():
    r = run_cql("SELECT cluster_name, release_version FROM system.local")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split(" | ")[0].strip() == "cluster_name"
    assert set(lines[1]) <= {"-", "+"}
    assert lines[0].index("|") == lines[1].index("+") == lines[2].index("|")
    assert lines[2].split(" | ")[1].startswith("5.0")
    assert lines[-1] == "(1 row)"


def test_schema_change_insert_and_select_with_a_current_keyspace():
    table = f"cli_{os.getpid()}"
    r = run_cql(f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} WITH replication = "
                "{'class':'SimpleStrategy', 'replication_factor':1}")
    assert r.returncode == 0, r.stderr
    r = run_cql(f"CREATE TABLE {table} (k int PRIMARY KEY, b boolean, d double, n bigint, t timestamp, u uuid, "
                "s set<int>)", uri=f"{CASSANDRA}/{KEYSPACE}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"CREATED TABLE {KEYSPACE}.{table}"
    r = run_cql(f"INSERT INTO {table} (k, b, d, n, t, u, s) VALUES (1, true, 2.5, -9000000000, "
                "'2019-11-08 08:14:53.123+0000', 550e8400-e29b-41d4-a716-446655440000, {7})",
                uri=f"{CASSANDRA}/{KEYSPACE}")
    assert r.returncode == 0, r.stderr
    r = run_cql(f"SELECT k, b, d, n, t, u, s FROM {table}", "--format", "tsv", uri=f"{CASSANDRA}/{KEYSPACE}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "k\tb\td\tn\tt\tu\ts",
        "1\ttrue\t2.5\t-9000000000\t2019-11-08 08:14:53.123Z\t550e8400-e29b-41d4-a716-446655440000\t"
        "0x000000010000000400000007",
    ]


def test_a_server_error_is_one_clear_line_and_exit_1():
    r = run_cql(f"SELECT * FROM {KEYSPACE}.no_such_table_here")
    assert r.returncode == 1
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "invalid query" in lines[0] and "no_such_table_here" in lines[0]

    r = run_cql("SELEKT 1")
    assert r.returncode == 1
    assert "syntax error" in r.stderr and "SELEKT" in r.stderr


def test_an_unreachable_server_is_exit_1():
    r = run_cql("SELECT * FROM system.local", uri="cassandra://127.0.0.1:1")
    assert r.returncode == 1
    assert "cannot connect to Cassandra at 127.0.0.1:1" in r.stderr


@pytest.mark.parametrize("args", [
    ["cql", "--to", "not a uri", "SELECT 1"],
    ["cql", "--to", "cassandra://127.0.0.1:9042/bad-name", "SELECT 1"],
    ["cql", "--to", "cassandra://127.0.0.1:9042", "--format", "xml", "SELECT 1"],
    ["cql", "--to", "cassandra://127.0.0.1:9042", "--consistency", "MOST", "SELECT 1"],
    ["cql", "SELECT 1"],
])
def test_usage_errors_are_exit_2(args):
    r = subprocess.run([str(SHOPSTREAM), *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr


@pytest.mark.skipif(not AUTH, reason="needs STACK_CASSANDRA_AUTH=1 scripts/stack up cassandra")
def test_password_authenticator_takes_credentials_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSTREAM_CASSANDRA_")}
    r = run_cql("SELECT release_version FROM system.local", env=env)
    assert r.returncode == 1
    assert "requires authentication" in r.stderr and "SHOPSTREAM_CASSANDRA_USER" in r.stderr
    bad = dict(env, SHOPSTREAM_CASSANDRA_USER="cassandra", SHOPSTREAM_CASSANDRA_PASSWORD="wrong-password")
    r = run_cql("SELECT release_version FROM system.local", env=bad)
    assert r.returncode == 1
    assert "authentication" in r.stderr.lower()
    assert "wrong-password" not in r.stderr
    good = dict(env, SHOPSTREAM_CASSANDRA_USER="cassandra", SHOPSTREAM_CASSANDRA_PASSWORD="cassandra")
    r = run_cql("SELECT release_version FROM system.local", env=good)
    assert r.returncode == 0, r.stderr
