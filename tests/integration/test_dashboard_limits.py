"""`shopstream serve` against hostile clients and odd stores, on loopback only: a request body
over the limit, 700 ranges, bytes sent behind a stream request, a client that sends one header line at a time, 50 slow or idle
clients beside real ones, Host headers that only look local, the widest time range, rows an
older processor stored for 2019-02-30 and years 0000 and 9999, and a store that is not one.
Outcomes are asserted, not timings; waits are bounded."""
import json
import os
import re
import socket
import sqlite3
import time

import pytest
from conftest import run
from dashboard_support import Server, build_store

MAX_SERIES_POINTS = 1000
REQUEST_DEADLINE = 10  # seconds from a request's first byte to its end (HttpServerOptions)


@pytest.fixture(scope="module")
def store(shopstream_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    csv = tmp / "small.csv"
    r = run([shopstream_bin, "generate", "--rows", "300", "--seed", "7", "-o", str(csv)])
    assert r.returncode == 0, r.stderr
    build_store(shopstream_bin, csv, tmp / "store.db", tmp / "log.db")
    return tmp / "store.db"


@pytest.fixture(scope="module")
def server(shopstream_bin, store):
    s = Server(shopstream_bin, store)
    yield s
    s.stop()


def port_of(server):
    return int(server.url.rsplit(":", 1)[1])


def connect(server, timeout=30):
    sock = socket.create_connection(("127.0.0.1", port_of(server)), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_all(sock, limit=64 << 20):
    """Everything the server sends until it closes (bounded by the socket's timeout)."""
    chunks, size = [], 0
    while size < limit:
        try:
            chunk = sock.recv(1 << 16)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def raw_request(server, data, timeout=30):
    with connect(server, timeout) as sock:
        sock.sendall(data)
        return read_all(sock)


def status_of(response):
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response[9:12])


def split_response(response):
    head, _, body = response.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def test_a_body_over_the_limit_is_413_before_it_is_sent(server):
    response = raw_request(server, b"POST /api/kpis HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   b"Content-Length: 400000000\r\n\r\n")
    assert status_of(response) == 413
    sent_anyway = raw_request(server, b"POST /api/kpis HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      b"Content-Length: 20000\r\n\r\n" + b"x" * 20000)
    assert status_of(sent_anyway) == 413


def test_many_ranges_get_one_whole_answer(server):
    plain = raw_request(server, b"GET /echarts.min.js HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    _, whole = split_response(plain)
    assert len(whole) > 500_000
    ranges = b"bytes=0-" + b",0-" * 700
    response = raw_request(server, b"GET /echarts.min.js HTTP/1.1\r\nHost: localhost\r\n"
                                   b"Range: " + ranges + b"\r\nConnection: close\r\n\r\n")
    head, body = split_response(response)
    assert status_of(response) == 200, head
    assert body == whole
    assert len(response) < len(whole) + 4096


def cpu_seconds(pid):
    """User and system CPU time of process `pid` so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sse_clients(server):
    _, body, _ = server.get("/metrics")
    return int(re.search(r"^shopstream_dashboard_sse_clients (\d+)$", body, re.M).group(1))


def test_bytes_behind_a_stream_request_do_not_spin_the_server(server):
    # Kept in the input buffer, they once made the loop poll for input it no longer read: half a
    # core, forever, and the client's close never seen.
    with connect(server) as sock:
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: localhost\r\n\r\n" + b"x" * 100_000)
        received = b""
        while b"event: hello" not in received:
            chunk = sock.recv(4096)
            assert chunk, received
            received += chunk
        assert sse_clients(server) == 1
        before = cpu_seconds(server.proc.pid)
    deadline = time.monotonic() + 10  # within the 15 s keepalive, whose write would reveal it
    while sse_clients(server) != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sse_clients(server) == 0, "the client's close was not seen"
    assert cpu_seconds(server.proc.pid) - before < 0.5


def test_a_client_sending_one_header_line_at_a_time_is_cut_off(server):
    with connect(server) as sock:
        sock.sendall(b"GET /api/kpis HTTP/1.1\r\nHost: localhost\r\n")
        sock.settimeout(0.5)
        received = b""
        started = time.monotonic()
        # Four times the deadline: a server without one would let this go on.
        while time.monotonic() - started < 4 * REQUEST_DEADLINE:
            try:
                sock.sendall(b"X-Slow: %d\r\n" % int(time.monotonic() * 1000))
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
            except socket.timeout:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        assert received.startswith(b"HTTP/1.1 408 "), received[:200]


def test_fifty_slow_and_idle_clients_do_not_starve_health_and_api(server):
    hostile = []
    try:
        for i in range(50):
            sock = connect(server)
            if i % 2 == 0:
                sock.sendall(b"GET /api/kpis HTTP/1.1\r\nHost: localhost\r\n")
            hostile.append(sock)
        for round_ in range(5):
            for path in ("/healthz", "/api/kpis", "/api/timeseries", "/"):
                status, body, _ = server.get(path)
                assert status == 200, (round_, path, body[:200])
            for sock in hostile[::2]:
                try:
                    sock.sendall(b"X-Still-Here: 1\r\n")
                except OSError:
                    pass
    finally:
        for sock in hostile:
            sock.close()


@pytest.mark.parametrize("host,status", [
    ("127.0.0.1", 200), ("127.0.0.1:{port}", 200), ("127.3.2.1:{port}", 200), ("localhost:{port}", 200),
    ("LOCALHOST", 200), ("[::1]:{port}", 200),
    ("127.evil.example", 403), ("127.evil.example:{port}", 403), ("127.0.0.1.evil.example", 403),
    ("localhost.evil.example", 403), ("127.0.0.01", 403), ("127.0.0.256", 403), ("attacker.example", 403),
])
def test_the_host_check_parses_the_address(server, host, status):
    header = host.format(port=port_of(server)).encode()
    response = raw_request(server, b"GET /api/kpis HTTP/1.1\r\nHost: " + header + b"\r\nConnection: close\r\n\r\n")
    assert status_of(response) == status, response[:300]


def test_the_widest_range_gives_a_bounded_series(server):
    for to in ("9999-12-31", "9999-12-31 23:59:59"):
        series = server.json("/api/timeseries", **{"from": "0000-01-01", "to": to})
        assert 1 <= len(series["points"]) <= MAX_SERIES_POINTS
        kpis = server.json("/api/kpis", **{"from": "0000-01-01", "to": to})
        assert kpis["events"] == 300
        assert sum(p["events"] for p in series["points"]) == 300


def add_old_rows(store, rows):
    """Rows an older processor could have stored, in every time rollup, as it would have."""
    with sqlite3.connect(store, timeout=30) as con:
        for minute, events in rows:
            for table, bucket in (("rollup_minute", minute), ("rollup_hour", minute[:13]), ("rollup_day", minute[:10])):
                con.execute(f"INSERT INTO {table}(bucket, event_type, department, events, revenue)"
                            f" VALUES (?, 'view', 'old', ?, 0)", (bucket, events))


def test_old_rows_with_impossible_dates_and_extreme_years(shopstream_bin, store, tmp_path):
    old = tmp_path / "old.db"
    old.write_bytes(store.read_bytes())
    add_old_rows(old, [("2019-02-30 10:00", 4), ("0000-01-01 00:00", 1), ("9999-12-31 23:59", 2)])
    s = Server(shopstream_bin, old)
    try:
        status, body, _ = s.get("/api/timeseries")
        assert status == 200, body[:300]
        assert len(body) < 200_000
        series = json.loads(body)
        assert 1 <= len(series["points"]) <= MAX_SERIES_POINTS
        assert series["granularity"] == "year" and series["step"] >= 10
        assert sum(p["events"] for p in series["points"]) == 307 == s.json("/api/kpis")["events"]
        # Around the day that does not exist: it counts in the last real hour before it.
        ranged = s.json("/api/timeseries", **{"from": "2019-02-28 20:00", "to": "2019-03-01 02:00"})
        assert ranged["granularity"] == "minute"
        assert sum(p["events"] for p in ranged["points"]) == 4
        assert s.json("/api/extent")["last_minute"] == "9999-12-31 23:59"
        assert s.get("/healthz")[0] == 200
    finally:
        s.stop()


def test_a_store_that_ends_on_an_impossible_date_is_served(shopstream_bin, tmp_path, store):
    old = tmp_path / "feb30.db"
    old.write_bytes(store.read_bytes())
    with sqlite3.connect(old) as con:
        for table in ("rollup_minute", "rollup_hour", "rollup_day"):
            con.execute(f"DELETE FROM {table}")
    add_old_rows(old, [("2019-02-27 10:00", 1), ("2019-02-30 10:00", 4)])
    s = Server(shopstream_bin, old)
    try:
        series = s.json("/api/timeseries")
        assert series["granularity"] == "hour"
        assert series["points"][-1]["bucket"] == "2019-02-28 23"
        assert sum(p["events"] for p in series["points"]) == 5
    finally:
        s.stop()


def test_serve_on_a_file_that_is_not_a_store_exits_2_naming_it(shopstream_bin, tmp_path):
    csv = tmp_path / "some.csv"
    csv.write_text("event_time,event_type,product_id\n2019-11-01 00:00:00 UTC,view,1\n")
    result = run([shopstream_bin, "serve", "--store", f"sqlite://{csv}", "--listen", "127.0.0.1:0"], timeout=60)
    assert result.returncode == 2, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(csv) in lines[0] and "not a SQLite database" in lines[0]
    assert result.stdout == ""

    log = tmp_path / "log.db"
    events = tmp_path / "events.csv"
    assert run([shopstream_bin, "generate", "--rows", "5", "--seed", "1", "-o", str(events)]).returncode == 0
    r = run([shopstream_bin, "produce", "-i", str(events), "--to", f"sqlite://{log}", "--rate", "max"])
    assert r.returncode == 0, r.stderr
    result = run([shopstream_bin, "serve", "--store", f"sqlite://{log}", "--listen", "127.0.0.1:0"], timeout=60)
    assert result.returncode == 2, result
    assert str(log) in result.stderr and "is an embedded log" in result.stderr
