"""Shared fixtures: the binary under test, the 10K sample read in place, and an independent
reading of the sample with Python's own csv and zipfile modules."""
import csv
import io
import os
import pathlib
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
