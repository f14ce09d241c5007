"""Shared fixtures: the binary under test, the 10K sample read in place, and an independent
reading of the sample with Python's own csv and zipfile modules; this checkout's scripts/stack,
and the one rule for a server a test needs but does not find."""
import csv
import io
import os
import pathlib
import socket
import sqlite3
import subprocess
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_ZIP = pathlib.Path(os.environ.get("SHOPSTREAM_SAMPLE_ZIP",
                                         REPO.parent / "shared" / "data" / "2019-Nov_10KSample.zip"))


@pytest.fixture(scope="session")
def shopstream_bin():
    path = os.environ.get("SHOPSTREAM_BIN", str(REPO / "build" / "src" / "cli" / "shopstream"))
    assert os.access(path, os.X_OK), f"shopstream binary not found at {path} (set SHOPSTREAM_BIN)"
    return path


@pytest.fixture(scope="session")
def sample_zip():
    assert SAMPLE_ZIP.exists(), f"the 10K sample is expected at {SAMPLE_ZIP}"
    return str(SAMPLE_ZIP)


@pytest.fixture(scope="session")
def sample_rows(sample_zip):
    """The sample's rows as dicts, read without any shopstream code."""
    with zipfile.ZipFile(sample_zip) as z:
        text = z.read(z.namelist()[0]).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def skip_or_fail(reason):
    """What a test needs is not there (a server of scripts/stack, most often): a loud skip on a
    developer's machine, a failure under CI (CI=true), where .ci/run must have provided it."""
    message = f"!!! {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_listening(name, port, service=""):
    """Skips or fails (skip_or_fail) unless something accepts connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return
    except OSError:
        up = f"scripts/stack up {service}".rstrip()
        skip_or_fail(f"{name} is not listening on 127.0.0.1:{port}: run `{up}` first")


def require_started_here(service):
    """A test that stops and starts a server needs it started from this checkout's scripts/stack
    (its pid file in .cache/run); else it could stop it but not start it again."""
    if not (REPO / ".cache" / "run" / f"{service}.pid").is_file():
        skip_or_fail(f"{service} was not started from this checkout; cannot stop and start it")


@pytest.fixture(scope="session")
def stack():
    """This checkout's scripts/stack: stack("up", "hdfs") runs it, asserts it succeeded and
    returns its output."""
    def run_stack(*args, timeout=600):
        done = subprocess.run([str(REPO / "scripts" / "stack"), *args], capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout
    return run_stack


def run(args, **kwargs):
    """Runs a command and returns the CompletedProcess; output is captured as text."""
    kwargs.setdefault("timeout", 600)
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def query(db_path, sql, params=()):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()
