"""Secrets never reach a log line or an error: Kafka's SASL password from the stack's option
file (the broker's SASL/PLAIN listener checks it for real), a wrong password from the
environment, a password refused in a URI, and a wrong MySQL password."""
import os
import re
import subprocess

import pytest

from conftest import query
from kafka_support import ROOT, SAMPLE, binary, unique_topic

SASL_PORT = int(os.environ.get("STACK_KAFKA_SASL_PORT", "9094"))
CLIENT_FILE = ROOT / ".cache" / "run" / "kafka-client.properties"


def stack_password():
    if not CLIENT_FILE.exists():
        pytest.fail(f"{CLIENT_FILE} is missing: run `scripts/stack up kafka`")
    return re.search(r"^sasl\.password=(.*)$", CLIENT_FILE.read_text(), re.M).group(1)


def run(args, env=None, timeout=300):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def output_of(done):
    return done.stdout + done.stderr


def test_sasl_password_from_the_option_file_works_and_is_never_printed(tmp_path):
    password = stack_password()
    topic = unique_topic("sasl")
    uri = f"kafka://127.0.0.1:{SASL_PORT}/{topic}"
    env = {"SHOPSTREAM_KAFKA_OPTION_FILE": str(CLIENT_FILE)}
    produced = run([binary(), "produce", "-i", str(SAMPLE), "--to", uri, "--rate", "max",
                    "--count", "500"], env)
    assert produced.returncode == 0, produced.stderr[-2000:]
    store = tmp_path / "store.db"
    processed = run([binary(), "process", "--from", uri, "--group", topic,
                     "--raw", f"sqlite://{store}", "--processed", f"sqlite://{store}",
                     "--idle-exit", "3"], env)
    assert processed.returncode == 0, processed.stderr[-2000:]
    assert query(store, "SELECT count(*) FROM operations")[0][0] == 500
    for done in (produced, processed):
        assert password not in output_of(done)
        assert "sasl.password" not in output_of(done) or "***" in output_of(done)


def test_a_wrong_password_fails_without_being_printed(tmp_path):
    wrong = "not-the-password-7f3a9c"
    topic = unique_topic("sasl-wrong")
    env = {"SHOPSTREAM_KAFKA_OPTION_FILE": str(CLIENT_FILE), "SHOPSTREAM_KAFKA_PASSWORD": wrong}
    store = tmp_path / "store.db"
    # The consumer keeps waiting for a broker that refuses it; --idle-exit ends it.
    done = run([binary(), "process", "--from", f"kafka://127.0.0.1:{SASL_PORT}/{topic}",
                "--raw", f"sqlite://{store}", "--processed", f"sqlite://{store}",
                "--idle-exit", "3", "--status-every", "1s"], env)
    text = output_of(done)
    assert "Authentication failed" in text or "SASL" in text, text[-2000:]
    assert wrong not in text
    assert stack_password() not in text


def test_a_password_in_a_uri_is_refused_and_masked(tmp_path):
    secret = "in-the-uri-5e1d"
    done = run([binary(), "produce", "-i", str(SAMPLE), "--rate", "max", "--count", "1", "--to",
                f"kafka://127.0.0.1:{SASL_PORT}/t?rdkafka.sasl.password={secret}"])
    assert done.returncode == 2
    assert "cannot be given in a URI" in done.stderr
    assert secret not in output_of(done)


def test_a_wrong_mysql_password_is_not_printed(tmp_path):
    wrong = "wrong-mysql-password-91b2"
    store = tmp_path / "store.db"
    log = tmp_path / "log.db"
    assert run([binary(), "produce", "-i", str(SAMPLE), "--to", f"sqlite://{log}", "--rate", "max",
                "--count", "5"]).returncode == 0
    env = {"SHOPSTREAM_MYSQL_PASSWORD": wrong, "SHOPSTREAM_MYSQL_OPTION_FILE": ""}
    done = run([binary(), "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
                "--processed", "mysql://admin@127.0.0.1:3306/ecommerce.operations",
                "--idle-exit", "1"], env)
    assert done.returncode != 0
    assert "Access denied" in done.stderr, done.stderr[-2000:]
    assert wrong not in output_of(done)
