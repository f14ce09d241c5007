"""The local stack (scripts/stack up) answers as real Kafka, Cassandra, MariaDB and HDFS servers.

Run after `scripts/stack up`. A service that is not up is skipped with a loud reason on a
developer's machine, and fails under CI (CI=true), where .ci/run must have started it.
"""

import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

from conftest import require_listening

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / ".cache" / "run"
KAFKA_PORT = int(os.environ.get("STACK_KAFKA_PORT", "9092"))
CASSANDRA_PORT = int(os.environ.get("STACK_CASSANDRA_PORT", "9042"))
MYSQL_PORT = int(os.environ.get("STACK_MYSQL_PORT", "3306"))
HDFS_HTTP_PORT = int(os.environ.get("STACK_HDFS_HTTP_PORT", "9870"))
CASSANDRA_AUTH = os.environ.get("STACK_CASSANDRA_AUTH") == "1"


def test_kafka_lists_the_broker():
    require_listening("kafka", KAFKA_PORT)
    out = subprocess.run(
        ["kcat", "-L", "-b", f"127.0.0.1:{KAFKA_PORT}", "-m", "10"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout
    assert "1 brokers:" in out
    assert f"127.0.0.1:{KAFKA_PORT}" in out


def test_kafka_creates_topics_on_first_use():
    require_listening("kafka", KAFKA_PORT)
    topic = f"stack-test-{os.getpid()}"
    subprocess.run(
        ["kcat", "-P", "-b", f"127.0.0.1:{KAFKA_PORT}", "-t", topic],
        input="hello stack\n", text=True, timeout=60, check=True,
    )
    out = subprocess.run(
        ["kcat", "-C", "-b", f"127.0.0.1:{KAFKA_PORT}", "-t", topic, "-o", "beginning", "-e",
         "-q"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    assert out.strip() == "hello stack"


def cassandra_release_version():
    try:
        from cassandra.auth import PlainTextAuthProvider
        from cassandra.cluster import Cluster
    except ImportError:
        # No driver installed: the project's own minimal protocol client runs the query.
        args = [sys.executable, str(ROOT / "scripts" / "cql_ping.py"), "--port",
                str(CASSANDRA_PORT), "--query", "SELECT release_version FROM system.local"]
        if CASSANDRA_AUTH:
            args.append("--login")
        return subprocess.run(args, capture_output=True, text=True, timeout=30,
                              check=True).stdout.strip()
    auth = PlainTextAuthProvider("cassandra", "cassandra") if CASSANDRA_AUTH else None
    cluster = Cluster(["127.0.0.1"], port=CASSANDRA_PORT, auth_provider=auth,
                      protocol_version=5)
    try:
        row = cluster.connect().execute("SELECT release_version FROM system.local").one()
        return row.release_version
    finally:
        cluster.shutdown()


def test_cassandra_answers_cql():
    require_listening("cassandra", CASSANDRA_PORT)
    assert cassandra_release_version().startswith("5.0.")


def test_mariadb_answers_with_the_option_file():
    require_listening("mariadb", MYSQL_PORT)
    option_file = RUN / "mysql.cnf"
    assert option_file.is_file(), f"{option_file} is written by scripts/stack up"
    assert stat.S_IMODE(option_file.stat().st_mode) == 0o600
    out = subprocess.run(
        ["mariadb", f"--defaults-extra-file={option_file}", "--batch", "--skip-column-names",
         "-e", "SELECT 1, DATABASE(), CURRENT_USER()", "ecommerce"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout
    one, database, user = out.strip().split("\t")
    assert (one, database) == ("1", "ecommerce")
    assert user.startswith("admin@")


def option_file_password(path):
    for line in path.read_text().splitlines():
        if line.startswith('password="') and line.endswith('"'):
            return line[len('password="'):-1].replace('\\"', '"').replace("\\\\", "\\")
    return None


def mariadb_login(option_file, expect_ok=True):
    run = subprocess.run(
        ["mariadb", f"--defaults-extra-file={option_file}", "--batch", "--skip-column-names",
         "-e", "SELECT CURRENT_USER()", "ecommerce"],
        capture_output=True, text=True, timeout=30)
    assert (run.returncode == 0) == expect_ok, run.stderr
    return run


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mariadb_password_is_generated_kept_and_the_old_fixed_one_replaced(tmp_path):
    """A throwaway MariaDB of the stack's own (a copy of the scripts on a free port, so that the
    running stack is left alone): the first `up` generates admin's password into a mode-600
    option file; the next `up` of a running server, and a restart, keep it; a stack still on the
    once fixed password (Admin123.,) gets a generated one at its next `up`."""
    if shutil.which("mariadbd") is None:
        pytest.skip("!!! no mariadbd (scripts/install-deps installs it)")
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    (checkout / "superset").mkdir()
    (checkout / "scripts" / "stack.d").mkdir()
    names = ["scripts/stack", "superset/requirements.txt"]
    names += [str(p.relative_to(ROOT)) for p in (ROOT / "scripts" / "stack.d").glob("*.sh")]
    for name in names:
        (checkout / name).write_bytes((ROOT / name).read_bytes())
    (checkout / "scripts" / "stack").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "SHOPSTREAM_MYSQL_PASSWORD"}
    env["STACK_MYSQL_PORT"] = str(free_port())
    option_file = checkout / ".cache" / "run" / "mysql.cnf"

    def stack(*args, **extra):
        subprocess.run([str(checkout / "scripts" / "stack"), *args, "mariadb"], env={**env, **extra},
                       check=True, capture_output=True, text=True, timeout=180)

    try:
        # As an older stack left it: the fixed password, in the server and in the file.
        stack("up", SHOPSTREAM_MYSQL_PASSWORD="Admin123.,")
        assert option_file_password(option_file) == "Admin123.,"
        stack("up")  # the server runs: root sets the new password over the socket
        generated = option_file_password(option_file)
        assert generated != "Admin123.," and len(generated) >= 20
        assert stat.S_IMODE(option_file.stat().st_mode) == 0o600
        assert mariadb_login(option_file).stdout.startswith("admin@")
        old = tmp_path / "old.cnf"
        old.write_text(option_file.read_text().replace(generated, "Admin123.,"))
        mariadb_login(old, expect_ok=False)
        stack("down")
        stack("up")  # a restart on the same datadir keeps it
        assert option_file_password(option_file) == generated
        mariadb_login(option_file)
    finally:
        subprocess.run([str(checkout / "scripts" / "stack"), "down", "mariadb"], env=env,
                       capture_output=True, timeout=120)


def test_status_reports_each_service():
    out = subprocess.run([str(ROOT / "scripts" / "stack"), "status"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    for name in ("kafka", "cassandra", "mariadb", "hdfs"):
        assert any(line.startswith(name) for line in out.splitlines()), out


def test_hdfs_stores_a_file_through_webhdfs():
    """A file created through the NameNode's redirect to the DataNode, read back and deleted,
    with Python's urllib (an independent WebHDFS client)."""
    import json
    import urllib.request
    require_listening("hdfs", HDFS_HTTP_PORT)
    base = f"http://127.0.0.1:{HDFS_HTTP_PORT}/webhdfs/v1/tests/stack-{os.getpid()}.txt"
    user = "user.name=tests"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(f"{base}?op=CREATE&overwrite=true&{user}", method="PUT"), timeout=30)
        raise AssertionError("the NameNode should redirect CREATE to a DataNode")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 307
        datanode = redirect.headers["Location"]
    assert datanode.startswith("http://127.0.0.1:"), datanode
    urllib.request.urlopen(urllib.request.Request(datanode, data=b"hello hdfs", method="PUT"), timeout=30)
    assert urllib.request.urlopen(f"{base}?op=OPEN&{user}", timeout=30).read() == b"hello hdfs"
    deleted = urllib.request.urlopen(urllib.request.Request(f"{base}?op=DELETE&{user}", method="DELETE"), timeout=30)
    assert json.load(deleted) == {"boolean": True}
