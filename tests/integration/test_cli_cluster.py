"""Fail fast against the stack's real servers (issue 25): the HDFS RPC port, a missing password
for MariaDB and PostgreSQL, a Kafka topic that does not exist. Exact commands, exit codes and
the line that names the endpoint."""
import json
import os

from conftest import run
from kafka_support import binary, produce, topic_uri, unique_topic


def lines(r):
    return [l for l in r.stderr.splitlines() if l.strip()]


def without(env, *names):
    return {k: v for k, v in env.items() if k not in names}


def test_archive_to_the_hdfs_rpc_port_says_so(tmp_path):
    log = f"sqlite://{tmp_path}/log.db"
    r = run([binary(), "archive", "--from", log, "--to", "hdfs://127.0.0.1:8020/x", "--connect-timeout", "3s"])
    if "built without Apache Arrow" in r.stderr:
        return
    assert r.returncode == 1, r.stderr
    line = lines(r)[0]
    assert line.startswith("shopstream archive: cannot use --to hdfs://127.0.0.1:8020/x: WebHDFS at "
                           "127.0.0.1:8020: this is a Hadoop RPC port"), line
    assert "9870" in line


def test_a_missing_mysql_password_names_where_it_comes_from(tmp_path):
    store = f"sqlite://{tmp_path}/store.db"
    env = without(os.environ, "SHOPSTREAM_MYSQL_PASSWORD", "SHOPSTREAM_MYSQL_OPTION_FILE")
    r = run([binary(), "process", "--from", f"sqlite://{tmp_path}/log.db", "--raw", store,
             "--processed", "mysql://admin@127.0.0.1:3306/ecommerce.operations"], env=env)
    assert r.returncode == 1, r.stderr
    line = lines(r)[0]
    assert line.startswith("shopstream process: cannot use the processed store "
                           "mysql://admin@127.0.0.1:3306/ecommerce.operations"), line
    assert "SHOPSTREAM_MYSQL_PASSWORD" in line and "option-file" in line, line


def test_a_missing_postgres_password_names_where_it_comes_from(tmp_path):
    store = f"sqlite://{tmp_path}/store.db"
    env = dict(without(os.environ, "SHOPSTREAM_PG_PASSWORD"), PGPASSFILE=str(tmp_path / "none"))
    r = run([binary(), "process", "--from", f"sqlite://{tmp_path}/log.db", "--raw", store,
             "--processed", "postgresql://shopstream@127.0.0.1:5432/shopstream"], env=env)
    assert r.returncode == 1, r.stderr
    line = lines(r)[0]
    assert line.startswith("shopstream process: cannot use the processed store "
                           "postgresql://shopstream@127.0.0.1:5432/shopstream"), line
    assert "SHOPSTREAM_PG_PASSWORD" in line and "PGPASSFILE" in line, line
    assert "\\x09" not in line


def test_process_on_a_missing_topic_says_so_and_offers_a_way(tmp_path):
    topic = unique_topic("missing")
    store = f"sqlite://{tmp_path}/store.db"
    r = run([binary(), "process", "--from", topic_uri(topic), "--raw", store, "--processed", store,
             "--idle-exit", "3"])
    assert r.returncode == 1, r.stderr
    line = lines(r)[-1]
    assert line.startswith(f"shopstream process: {topic_uri(topic)}: Kafka topic '{topic}' does not exist"), line
    assert "--wait-for-topic" in line and "shopstream produce" in line, line
    assert "joined consumer group" not in r.stderr


def test_verify_on_a_missing_topic_fails_at_once_with_exit_2(tmp_path):
    """Before, verify waited out its 60 s --idle-timeout on a topic that does not exist."""
    topic = unique_topic("verifymissing")
    assert run([binary(), "demo", "--once", "--no-dashboard", "--rows", "10", "--rate", "max",
                "--data-dir", str(tmp_path)]).returncode == 0  # stores that exist
    store = f"sqlite://{tmp_path}/store.db"
    r = run([binary(), "verify", "--from", topic_uri(topic), "--raw", store, "--processed", store],
            timeout=40)
    assert r.returncode == 2, r.stderr
    assert lines(r) == [f"shopstream verify: --from {topic_uri(topic)}: Kafka topic '{topic}' "
                        "does not exist"], r.stderr


def test_process_on_a_topic_that_exists_runs(tmp_path):
    topic = unique_topic("exists")
    produce(topic, 20, partitions=1)
    store = f"sqlite://{tmp_path}/store.db"
    r = run([binary(), "process", "--from", topic_uri(topic), "--group", topic, "--raw", store,
             "--processed", store, "--idle-exit", "3s"])
    assert r.returncode == 0, r.stderr
    assert "processed 20 events" in r.stderr


def test_status_shows_the_lag_against_kafka(tmp_path):
    topic = unique_topic("status")
    produce(topic, 20, partitions=1)
    store = f"sqlite://{tmp_path}/store.db"
    r = run([binary(), "process", "--from", topic_uri(topic), "--group", topic, "--raw", store,
             "--processed", store, "--idle-exit", "2s"])
    assert r.returncode == 0, r.stderr
    produce(topic, 5, partitions=1)
    r = run([binary(), "status", "--processed", store, "--from", topic_uri(topic), "--json"])
    assert r.returncode == 0, r.stderr
    [stream] = json.loads(r.stdout)["streams"]
    assert stream["stream"] == topic and stream["events"] == 20
    assert stream["partitions"] == [{"partition": 0, "stored_offset": 20, "end_offset": 25, "lag": 5}]
    r = run([binary(), "status", "--processed", store, "--from", topic_uri(topic)])
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == f"store {store}: 20 rows", r.stdout
