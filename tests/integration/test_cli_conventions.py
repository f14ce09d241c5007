"""The command line's conventions (docs/cli.md), case by case from issue 25: each exact command
with its exit code and the first line it prints. Needs no servers: the unreachable endpoints
are ports where nothing listens, or a local socket that speaks no known protocol."""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import run


def first_line(r):
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert lines, (r.returncode, r.stdout)
    return lines[0]


def last_line(r):
    return [l for l in r.stderr.splitlines() if l.strip()][-1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stores(tmp_path):
    log, store = f"sqlite://{tmp_path}/log.db", f"sqlite://{tmp_path}/store.db"
    return log, store


@pytest.fixture
def silent_port():
    """A port that accepts connections and never says a word (the wrong protocol there)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, done = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not done.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    done.set()
    thread.join()
    for c in held:
        c.close()
    server.close()


def produce_and_process(shopstream_bin, sample_zip, log, store, count):
    """`count` events of the sample into the embedded log, then all of them processed."""
    assert run([shopstream_bin, "produce", "-i", sample_zip, "--to", log, "--rate", "max",
                "--count", str(count)]).returncode == 0
    r = run([shopstream_bin, "process", "--from", log, "--raw", store, "--processed", store,
             "--idle-exit", "1s"])
    assert r.returncode == 0, r.stderr


# 1. Fail fast: an endpoint that cannot be reached at start is exit 1 within the timeout.

def timed(args):
    started = time.monotonic()
    r = run(args, timeout=120)
    return r, time.monotonic() - started


def test_kafka_with_nothing_listening_fails_fast(shopstream_bin, stores):
    log, store = stores
    port = free_port()
    r, took = timed([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:{port}/t",
                     "--raw", store, "--processed", store, "--idle-exit", "3",
                     "--connect-timeout", "2s"])
    assert r.returncode == 1, r.stderr
    line = last_line(r)
    assert line.startswith(f"shopstream process: kafka://127.0.0.1:{port}/t: no Kafka broker answered"), line
    assert "joined consumer group" not in r.stderr
    assert took < 30, took


@pytest.mark.parametrize("scheme,role", [("mysql", "--processed"), ("postgres", "--processed"),
                                         ("postgresql", "--processed"), ("cassandra", "--raw")])
def test_a_store_with_nothing_listening_fails_fast(shopstream_bin, stores, scheme, role):
    log, store = stores
    port = free_port()
    path = {"cassandra": "ks.t", "mysql": "db.t"}.get(scheme, "db.public.t")
    uri = f"{scheme}://admin@127.0.0.1:{port}/{path}" if scheme != "cassandra" else \
        f"cassandra://127.0.0.1:{port}/{path}"
    args = [shopstream_bin, "process", "--from", log, "--raw", store, "--processed", store,
            "--idle-exit", "3", "--connect-timeout", "2s"]
    args[args.index(role) + 1] = uri
    r, took = timed(args)
    assert r.returncode == 1, r.stderr
    line = first_line(r)
    assert line.startswith(f"shopstream process: cannot use the {'raw' if role == '--raw' else 'processed'} store {uri}"), line
    assert f"127.0.0.1:{port}" in line
    assert "check the host and port" in line, line
    assert "\\x09" not in line
    assert took < 30, took


def test_an_unknown_host_fails_fast(shopstream_bin, stores):
    log, store = stores
    r, took = timed([shopstream_bin, "process", "--from", log, "--raw", store,
                     "--processed", "mysql://admin@no-such-host.invalid:3306/db.t", "--connect-timeout", "2s"])
    assert r.returncode == 1, r.stderr
    assert first_line(r).startswith(
        "shopstream process: cannot use the processed store mysql://admin@no-such-host.invalid:3306/db.t"), r.stderr
    assert took < 30, took


def test_the_wrong_protocol_on_a_port_fails_fast(shopstream_bin, stores, silent_port):
    log, store = stores
    for uri in (f"mysql://admin@127.0.0.1:{silent_port}/db.t",
                f"postgres://admin@127.0.0.1:{silent_port}/db"):
        r, took = timed([shopstream_bin, "process", "--from", log, "--raw", store, "--processed", uri,
                         "--connect-timeout", "2s"])
        assert r.returncode == 1, r.stderr
        assert first_line(r).startswith(f"shopstream process: cannot use the processed store {uri}"), r.stderr
        assert took < 30, (uri, took)
    r, took = timed([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:{silent_port}/t",
                     "--raw", store, "--processed", store, "--connect-timeout", "2s"])
    assert r.returncode == 1, r.stderr
    assert last_line(r).startswith(f"shopstream process: kafka://127.0.0.1:{silent_port}/t: no Kafka broker"), r.stderr
    assert took < 30, took


def test_archive_to_a_port_where_nothing_listens_fails_fast(shopstream_bin, stores):
    log, _ = stores
    port = free_port()
    r, took = timed([shopstream_bin, "archive", "--from", log, "--to", f"hdfs://127.0.0.1:{port}/x",
                     "--connect-timeout", "2s"])
    if "built without Apache Arrow" in r.stderr:
        pytest.skip("no Parquet in this build")
    assert r.returncode == 1, r.stderr
    line = first_line(r)
    assert line.startswith(f"shopstream archive: cannot use --to hdfs://127.0.0.1:{port}/x"), line
    assert "cannot connect" in line and ": Connection" not in line, line
    assert took < 30, took



def test_verify_on_a_log_that_does_not_exist_fails_at_once_with_exit_2(shopstream_bin, stores, tmp_path):
    """Before, verify waited out its 60 s --idle-timeout for the log to appear."""
    log, store = stores
    assert run([shopstream_bin, "demo", "--once", "--no-dashboard", "--rows", "10", "--rate", "max",
                "--data-dir", str(tmp_path)]).returncode == 0  # stores that exist
    store = f"sqlite://{tmp_path}/store.db"
    missing = f"sqlite://{tmp_path}/missing.db"
    r = run([shopstream_bin, "verify", "--from", missing, "--raw", store, "--processed", store],
            timeout=40)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [
        f"shopstream verify: --from {missing}: the log {tmp_path}/missing.db does not exist"], r.stderr

# 2. One error style: one line "shopstream CMD: ..." naming the input; exit 2 for usage.

def one_line_exit_2(r, start, *needles):
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(start), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_option_parser_errors_are_one_line(shopstream_bin, tmp_path):
    one_line_exit_2(run([shopstream_bin, "process"]), "shopstream process: ", "--from is required")
    one_line_exit_2(run([shopstream_bin, "generate", "--rows", "1x", "-o", str(tmp_path / "x.csv")]),
                    "shopstream generate: ", "'1x' is not a whole number")
    one_line_exit_2(run([shopstream_bin, "process", "--form", "sqlite:///tmp/x.db"]),
                    "shopstream process: unknown option '--form' (did you mean --from?)")
    one_line_exit_2(run([shopstream_bin, "generate", "--rows", "5", "-o=-"], cwd=tmp_path),
                    "shopstream generate: '-o=-': a short option takes its value after a space (-o -)")
    assert not (tmp_path / "=-").exists()
    one_line_exit_2(run([shopstream_bin, "demo", "--rate", "fast"]), "shopstream demo: ", "--rate 'fast'")


def test_scheme_typos_are_named_with_the_known_schemes(shopstream_bin, stores, sample_zip):
    log, store = stores
    one_line_exit_2(run([shopstream_bin, "produce", "-i", sample_zip, "--to", "sqlit:///x.db"]),
                    "shopstream produce: 'sqlit:///x.db': unknown scheme 'sqlit'; known: sqlite, kafka")
    one_line_exit_2(run([shopstream_bin, "process", "--from", "kafak://h:1/t", "--raw", store, "--processed", store]),
                    "shopstream process: 'kafak://h:1/t': unknown scheme 'kafak'; known: sqlite, kafka")
    one_line_exit_2(run([shopstream_bin, "process", "--from", log, "--raw", store, "--processed", "mysq://a@h/d"]),
                    "shopstream process: 'mysq://a@h/d': unknown scheme 'mysq'; known: sqlite, mysql, postgres")


# 3. One duration syntax.

def test_durations_take_units_and_bare_seconds(shopstream_bin, stores):
    log, store = stores
    base = [shopstream_bin, "process", "--from", log, "--raw", store, "--processed", store]
    r = run(base + ["--idle-exit", "1s", "--trigger", "1m30s", "--linger", "500ms"])
    assert r.returncode == 0, r.stderr
    r = run(base + ["--idle-exit", "1"])  # bare seconds, as before
    assert r.returncode == 0, r.stderr
    one_line_exit_2(run(base + ["--trigger", "1m30"]), "shopstream process: ", "'1m30' is not a duration")
    one_line_exit_2(run(base + ["--trigger", "0"]), "shopstream process: ", "'0' is not a positive duration")
    one_line_exit_2(run(base + ["--idle-exit", "-1"]), "shopstream process: ", "'-1'")
    one_line_exit_2(run([shopstream_bin, "archive", "--from", log, "--to", "file:///tmp/x",
                         "--idle-exit", "-1"]), "shopstream archive: ", "'-1'")


def test_status_every_0_means_no_status_line(shopstream_bin, stores, sample_zip):
    log, store = stores
    r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", log, "--rate", "max", "--count", "50"])
    assert r.returncode == 0, r.stderr
    r = run([shopstream_bin, "process", "--from", log, "--raw", store, "--processed", store,
             "--idle-exit", "2s", "--status-every", "0"])
    assert r.returncode == 0, r.stderr
    assert " | lag " not in r.stderr
    assert len(r.stderr.splitlines()) < 20, r.stderr


def test_produce_takes_rate_seed_and_generate_refuses_parquet(shopstream_bin, tmp_path, sample_zip):
    r = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{tmp_path}/log.db",
             "--rate", "seed", "--count", "3", "--seed", "1"])
    assert r.returncode == 0, r.stderr
    assert "produced 3 events" in r.stderr
    one_line_exit_2(run([shopstream_bin, "generate", "--rows", "5", "-o", str(tmp_path / "x.parquet")]),
                    "shopstream generate: -o '", "x.parquet': generate writes CSV only")
    assert not (tmp_path / "x.parquet").exists()


# 4. Signals: 130 for Ctrl-C, 143 for SIGTERM, and what was done.

def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_process_stops_on_a_signal_with_its_code(shopstream_bin, stores, sample_zip, tmp_path, sig, code):
    log, store = stores
    assert run([shopstream_bin, "produce", "-i", sample_zip, "--to", log, "--rate", "max",
                "--count", "100"]).returncode == 0
    err = tmp_path / "err.txt"
    with open(err, "w") as out:
        proc = subprocess.Popen([shopstream_bin, "process", "--from", log, "--raw", store,
                                 "--processed", store], stderr=out)
    try:
        assert wait_for(lambda: "processing " in err.read_text())
        proc.send_signal(sig)
        assert proc.wait(timeout=60) == code
    finally:
        if proc.poll() is None:
            proc.kill()
    text = err.read_text()
    assert "processed " in text and " events in " in text, text
    if sig == signal.SIGTERM:
        assert "stopping on SIGTERM" in text and "Ctrl-C again" not in text, text


def test_produce_interrupted_exits_130(shopstream_bin, tmp_path, sample_zip):
    err = tmp_path / "err.txt"
    with open(err, "w") as out:
        proc = subprocess.Popen([shopstream_bin, "produce", "-i", sample_zip, "--to",
                                 f"sqlite://{tmp_path}/log.db", "--rate", "100", "--loop"], stderr=out)
    try:
        assert wait_for(lambda: "producing from" in err.read_text())
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "produced " in err.read_text()


def test_serve_and_demo_stop_with_the_signals_codes(shopstream_bin, tmp_path, stores, sample_zip):
    log, store = stores
    produce_and_process(shopstream_bin, sample_zip, log, store, 10)
    for args, sig, code, ready in (
            (["serve", "--store", store, "--listen", "127.0.0.1:0"], signal.SIGTERM, 143, "dashboard on"),
            (["demo", "--no-dashboard", "--rows", "100", "--data-dir", str(tmp_path / "demo")],
             signal.SIGINT, 130, "demo: ")):
        err = tmp_path / "err.txt"
        with open(err, "w") as out:
            proc = subprocess.Popen([shopstream_bin] + args, stdout=out, stderr=subprocess.STDOUT)
        try:
            assert wait_for(lambda: ready in err.read_text()), err.read_text()
            proc.send_signal(sig)
            assert proc.wait(timeout=60) == code, err.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()



def test_generate_stops_on_a_signal_with_whole_rows_and_says_how_many(shopstream_bin):
    # To standard output, so that a generate that ignored the signal fills no disk.
    proc = subprocess.Popen([shopstream_bin, "generate", "--rows", "1000000000", "-o", "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    counted = {"bytes": 0, "lines": 0, "last": b""}

    def drain():
        for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):
            counted["bytes"] += len(chunk)
            counted["lines"] += chunk.count(b"\n")
            counted["last"] = chunk
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: counted["bytes"] > 0)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=60)
    err = proc.stderr.read().decode()
    m = re.search(r"generate: stopped after ([\d,]+) of 1,000,000,000 rows; standard output holds them", err)
    assert m, err
    assert counted["lines"] == int(m.group(1).replace(",", "")) + 1  # and the header
    assert counted["last"].endswith(b"\n")  # whole rows only


def test_sample_stops_on_a_signal_and_writes_what_it_kept(shopstream_bin, tmp_path):
    # A FIFO as the input: the test decides how much there is, and it is never all read.
    rows = tmp_path / "rows.csv"
    assert run([shopstream_bin, "generate", "--rows", "20000", "-o", str(rows)]).returncode == 0
    header, body = rows.read_bytes().split(b"\n", 1)
    fifo = tmp_path / "input.csv"
    os.mkfifo(fifo)
    out = tmp_path / "kept.csv"
    proc = subprocess.Popen([shopstream_bin, "sample", "-i", str(fifo), "--by", "event_type",
                             "--fraction", "0.5", "-o", str(out)], stderr=subprocess.PIPE, text=True)
    written, signalled = 0, False
    try:
        with open(fifo, "wb") as feed:
            feed.write(header + b"\n")
            while written < 500_000_000:  # bounded, in case the stop is not honoured
                feed.write(body)
                written += len(body)
                if written >= 4_000_000 and not signalled:  # it has been reading for 4 MB
                    proc.send_signal(signal.SIGTERM)
                    signalled = True
    except BrokenPipeError:
        pass
    try:
        assert proc.wait(timeout=60) == 143
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read()
    assert written < 500_000_000, err
    m = re.search(r"sample: kept (\d+) of (\d+) rows .*; stopped by a signal before the end of the input", err)
    assert m, err
    kept = out.read_bytes().splitlines()
    assert kept[0] == header and len(kept) == int(m.group(1)) + 1, err
    # The write that met the closed pipe may have delivered part of one more body.
    rows_fed = (written // len(body) + 1) * 20000
    assert 0 < int(m.group(2)) < rows_fed, (m.group(2), rows_fed)


def test_cql_stops_on_a_signal_before_the_answer(shopstream_bin):
    # A server that accepts and never answers: cql waits for it up to --connect-timeout.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(30)
    try:
        for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            proc = subprocess.Popen([shopstream_bin, "cql", "--to",
                                     f"cassandra://127.0.0.1:{server.getsockname()[1]}",
                                     "--connect-timeout", "1m", "SELECT now() FROM system.local"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                held = server.accept()[0]  # it is connecting: its stop handler is in place
                proc.send_signal(sig)
                assert proc.wait(timeout=30) == code
            finally:
                if proc.poll() is None:
                    proc.kill()
            held.close()
            err = proc.stderr.read()
            assert [l for l in err.splitlines() if l.strip()][-1].endswith(
                "cql: stopped before the answer came; the statement may or may not have run"), err
    finally:
        server.close()

# 5. demo says what it does.

def test_demo_once_plays_the_file_a_single_time(shopstream_bin, tmp_path):
    r = run([shopstream_bin, "demo", "--once", "--no-dashboard", "--rows", "300", "--rate", "max",
             "--data-dir", str(tmp_path / "demo")])
    assert r.returncode == 0, r.stderr
    assert "produced 300, processed 300" in r.stderr, r.stderr
    assert "(1 pass of the file)" in r.stderr, r.stderr


# 6. Help from one table.

def known_list(r):
    m = re.search(r"known: ([^)]*)", r.stderr)
    assert m, r.stderr
    return [k.strip() for k in m.group(1).split(",") if k.strip()]


def help_of(shopstream_bin, command):
    r = run([shopstream_bin, command, "--help"])
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_help_lists_every_scheme_that_works(shopstream_bin, tmp_path, stores, sample_zip):
    log, store = stores
    cases = {
        "produce": [[shopstream_bin, "produce", "-i", sample_zip, "--to", "bogus://x"]],
        "process": [[shopstream_bin, "process", "--from", "bogus://x", "--raw", store, "--processed", store],
                    [shopstream_bin, "process", "--from", log, "--raw", "bogus://x", "--processed", store],
                    [shopstream_bin, "process", "--from", log, "--raw", store, "--processed", "bogus://x"]],
        "archive": [[shopstream_bin, "archive", "--from", log, "--to", "bogus://x"]],
        "serve": [[shopstream_bin, "serve", "--store", "bogus://x"]],
    }
    for command, runs in cases.items():
        text = help_of(shopstream_bin, command)
        for args in runs:
            r = run(args, cwd=tmp_path)
            if "built without Apache Arrow" in r.stderr:
                continue
            for scheme in known_list(r):
                assert f"{scheme}://" in text, (command, scheme)
    assert "postgresql://" in help_of(shopstream_bin, "process")
    assert "webhdfs://" in help_of(shopstream_bin, "archive")


def test_help_lists_the_uri_options_that_work(shopstream_bin, tmp_path, stores):
    log, store = stores
    r = run([shopstream_bin, "process", "--from", f"{log}?bogus=1", "--raw", store, "--processed", store])
    text = help_of(shopstream_bin, "process")
    for option in known_list(r):
        assert f"?{option}=" in text, option
    r = run([shopstream_bin, "process", "--from", "kafka://127.0.0.1:1/t?bogus=1", "--raw", store,
             "--processed", store])
    for option in known_list(r):
        name = option.rstrip("*").rstrip(".")
        assert f"?{name}" in text, option
    for needle in ("?option-file=", "?rdkafka.", "?consistency=", "?retain=",
                   "SHOPSTREAM_MYSQL_PASSWORD", "SHOPSTREAM_MYSQL_OPTION_FILE", "SHOPSTREAM_PG_PASSWORD",
                   "PGPASSFILE", "SHOPSTREAM_CASSANDRA_PASSWORD", "SHOPSTREAM_KAFKA_PASSWORD"):
        assert needle in text, needle
    assert "Examples:" in help_of(shopstream_bin, "serve")


def test_every_option_shows_its_default(shopstream_bin):
    """An option that takes a value is required, shows its default as CLI11 does (--rate
    TEXT=seed), or says in words what happens without it (a derived group, every partition)."""
    silent = []
    for command in ["generate", "sample", "produce", "process", "archive", "serve", "demo", "cql",
                    "verify", "status", "completion"]:
        options = help_of(shopstream_bin, command).split("Options:")[1].split("\n\n")[0]
        for block in re.split(r"\n(?=  \S)", options.strip("\n")):
            signature = re.split(r"\s{2,}", block.strip())[0].split()  # name, then TYPE[=DEFAULT]
            if len(signature) < 2 or signature[0].startswith("-h,"):
                continue  # a flag
            text = " ".join(block.split())
            if "REQUIRED" in text or "=" in signature[1] or re.search(r"default|required", text):
                continue
            silent.append(f"{command} {signature[0]}")
    assert silent == [], silent
    text = help_of(shopstream_bin, "produce")
    assert "--rate TEXT=seed" in text and "--seed UINT=0" in text
    assert "default: the whole file" in text  # --count: no value stands for it


def test_top_help_is_one_line_per_command_and_version_names_libraries(shopstream_bin):
    r = run([shopstream_bin, "--help"])
    assert r.returncode == 0
    section = r.stdout.split("Subcommands:")[1].split("\n\n")[0]
    lines = [l for l in section.splitlines() if l.strip()]
    assert [l.split()[0] for l in lines] == ["generate", "sample", "produce", "process", "archive",
                                             "serve", "demo", "cql", "verify", "status", "deadletters",
                                             "completion"], section
    r = run([shopstream_bin, "--version"])
    assert r.returncode == 0
    for library in ("librdkafka", "MariaDB Connector/C", "libpq", "SQLite", "simdjson", "build"):
        assert library in r.stdout, r.stdout


# 7. Log control.

def test_quiet_verbose_and_json_logs(shopstream_bin, tmp_path, sample_zip):
    base = [shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{tmp_path}/log.db",
            "--rate", "max", "--count", "5"]
    r = run(base)
    assert r.returncode == 0, r.stderr
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  producing from ", r.stderr), r.stderr
    r = run(base + ["-q"])
    assert r.returncode == 0 and r.stderr == "", r.stderr
    r = run(base + ["--log-format", "json"])
    assert r.returncode == 0, r.stderr
    records = [json.loads(l) for l in r.stderr.splitlines()]
    assert records and all(set(x) >= {"time", "level", "command", "message"} for x in records), records
    assert records[-1]["command"] == "produce" and "produced 5 events" in records[-1]["message"]
    assert records[-1]["fields"] == {"produced": 5, "malformed_lines": 0, "delivery_errors": 0}
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", records[0]["time"])
    one_line_exit_2(run(base + ["--log-format", "xml"]), "shopstream produce: ", "--log-format")


# 8. shopstream status.

def test_status_shows_offsets_rows_and_dead_letters(shopstream_bin, stores, tmp_path, sample_zip):
    log, store = stores
    one_line_exit_2(run([shopstream_bin, "status", "--processed", store]),  # no such store yet
                    f"shopstream status: --processed {store}: ", "does not exist")
    produce_and_process(shopstream_bin, sample_zip, log, store, 120)
    r = run([shopstream_bin, "status", "--processed", store])
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == f"store {store}: 120 rows", r.stdout
    assert "120 events in " in r.stdout and "last commit 20" in r.stdout, r.stdout
    assert re.search(r"\n  0 +120 +\? +\?\n", r.stdout), r.stdout
    r = run([shopstream_bin, "status", "--processed", store, "--json"])
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["rows"] == 120
    [stream] = doc["streams"]
    assert stream["events"] == 120 and stream["dead_letters"] == 0
    assert stream["partitions"] == [{"partition": 0, "stored_offset": 120, "end_offset": None, "lag": None}]
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", stream["last_commit"]), stream
    one_line_exit_2(run([shopstream_bin, "status", "--processed", "sqlit:///x.db"]),
                    "shopstream status: 'sqlit:///x.db': unknown scheme 'sqlit'")



def test_status_shows_the_embedded_logs_end_and_lag(shopstream_bin, stores, sample_zip, tmp_path):
    log, store = stores
    produce_and_process(shopstream_bin, sample_zip, log, store, 120)
    assert run([shopstream_bin, "produce", "-i", sample_zip, "--to", log, "--rate", "max",
                "--count", "30"]).returncode == 0  # 30 more, not processed
    r = run([shopstream_bin, "status", "--processed", store, "--from", log])
    assert r.returncode == 0, r.stderr
    assert re.search(r"\n  0 +120 +150 +30\n", r.stdout), r.stdout
    r = run([shopstream_bin, "status", "--processed", store, "--from", log, "--json"])
    assert r.returncode == 0, r.stderr
    [stream] = json.loads(r.stdout)["streams"]
    assert stream["stream"].startswith("sqlite-log:")
    assert stream["partitions"] == [{"partition": 0, "stored_offset": 120, "end_offset": 150, "lag": 30}]
    # A log that is not there: the store's side still shows, the bus's is unknown, said once.
    r = run([shopstream_bin, "status", "--processed", store, "--from", f"sqlite://{tmp_path}/none.db"])
    assert r.returncode == 0, r.stderr
    assert re.search(r"\n  0 +120 +\? +\?\n", r.stdout), r.stdout
    assert "the log's end offset is not known" in first_line(r), r.stderr

# 9. Shell completion.

def test_bash_completion_completes_commands_and_options(shopstream_bin, tmp_path):
    r = run([shopstream_bin, "completion", "bash"])
    assert r.returncode == 0, r.stderr
    script = tmp_path / "completion.bash"
    script.write_text(r.stdout)

    def complete(*words):
        line = " ".join(words)
        probe = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
                 "_shopstream; echo \"${COMPREPLY[*]}\"")
        done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("shopstream", "pro") == ["produce", "process"]
    assert "--from" in complete("shopstream", "process", "--f")
    assert "--connect-timeout" in complete("shopstream", "process", "--co")
    assert complete("shopstream", "process", "--log-format", "j") == ["json"]
    r = run([shopstream_bin, "completion", "zsh"])
    assert r.returncode == 0 and r.stdout.startswith("#compdef shopstream"), r.stdout[:200]
    one_line_exit_2(run([shopstream_bin, "completion", "fish"]), "shopstream completion: ", "fish")


# 10. bench/run.

def test_bench_run_with_an_unknown_section_prints_usage_and_exits_2():
    runner = Path(__file__).resolve().parents[2] / "bench" / "run"
    r = run([str(runner), "nosuch"])
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines()[0] == "bench/run: unknown section 'nosuch'", r.stderr
    assert "usage: bench/run [SECTION...]" in r.stderr and "  stores " in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == "", r.stdout
