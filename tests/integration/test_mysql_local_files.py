"""A MySQL server can ask a client for any local file (LOAD DATA LOCAL). shopstream's connections
must never send one: `process` answers only with the batch it is loading at that moment, and
`serve` does not even offer the capability. Checked against a rogue server asking for a file
whose content the test knows."""
import os
import subprocess
import time

import pytest

from conftest import run
from rogue_mysql import RogueMysqlServer

SECRET_TEXT = b"this-file-must-never-leave-the-machine"


@pytest.fixture
def rogue(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET_TEXT + b"\n")
    server = RogueMysqlServer(str(secret))
    yield server
    server.close()


def env_with_password():
    env = dict(os.environ)
    env["SHOPSTREAM_MYSQL_PASSWORD"] = "irrelevant"
    env.pop("SHOPSTREAM_MYSQL_OPTION_FILE", None)
    return env


def assert_nothing_sent(rogue):
    connections = rogue.snapshot()
    assert connections, "the client never connected"
    assert sum(c.file_requests for c in connections) >= 1, "the rogue server never asked"
    for c in connections:
        assert SECRET_TEXT not in c.file_bytes
        assert c.file_bytes == b"", c.file_bytes[:100]


def test_process_sends_no_local_file(shopstream_bin, rogue, tmp_path):
    log = tmp_path / "log.db"
    csv = tmp_path / "one.csv"
    csv.write_text("event_time,event_type,product_id,category_id,category_code,brand,price,user_id,"
                   "user_session\n2019-11-01 00:00:00 UTC,view,1,2,a.b,x,1.00,3,s\n")
    assert run([shopstream_bin, "produce", "-i", str(csv), "--to", f"sqlite://{log}",
                "--rate", "max"]).returncode == 0
    r = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{tmp_path}/raw.db",
             "--processed", f"mysql://rogue@127.0.0.1:{rogue.port}/ecommerce.operations",
             "--idle-exit", "1"], env=env_with_password(), timeout=120)
    assert r.returncode in (1, 2), r.stderr  # refused by the "server", not crashed
    assert_nothing_sent(rogue)
    assert "asked for the local file" in r.stderr
    assert all(c.offered_local_files for c in rogue.snapshot())  # the bulk path offers it


def test_serve_does_not_offer_local_files(shopstream_bin, rogue):
    proc = subprocess.Popen(
        [shopstream_bin, "serve", "--store", f"mysql://rogue@127.0.0.1:{rogue.port}/ecommerce.operations",
         "--listen", "127.0.0.1:0"], env=env_with_password(), stderr=subprocess.DEVNULL,
        text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(c.file_requests for c in rogue.snapshot()):
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except Exception:
            proc.kill()
    assert_nothing_sent(rogue)
    assert not any(c.offered_local_files for c in rogue.snapshot())
