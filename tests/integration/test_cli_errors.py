"""Bad input gets one clear line naming it and exit code 2."""
from conftest import run


def test_missing_input_file(shopstream_bin, tmp_path):
    missing = tmp_path / "no-such-file.csv"
    r = run([shopstream_bin, "produce", "-i", str(missing), "--to", f"sqlite://{tmp_path}/log.db"])
    assert r.returncode == 2
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert str(missing) in lines[0]


def test_unreadable_inputs(shopstream_bin, tmp_path):
    corrupt = tmp_path / "corrupt.csv.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00 this is not gzip data")
    directory = tmp_path / "a-directory.csv"
    directory.mkdir()
    bad_header = tmp_path / "bad-header.csv"
    bad_header.write_text("a,b,c\n1,2,3\n")
    for path in (corrupt, directory, bad_header):
        r = run([shopstream_bin, "produce", "-i", str(path), "--to", f"sqlite://{tmp_path}/log.db",
                 "--rate", "max"])
        assert r.returncode == 2, (path, r.stderr)
        assert str(path) in r.stderr, r.stderr


def test_bad_options_are_usage_errors(shopstream_bin, tmp_path):
    r = run([shopstream_bin, "process", "--from", "nonsense", "--raw", "sqlite://x", "--processed", "sqlite://y"])
    assert r.returncode == 2
    assert "nonsense" in r.stderr
    r = run([shopstream_bin, "process", "--from", f"sqlite://{tmp_path}/l.db", "--raw", "sqlite://x",
             "--processed", "sqlite://y", "--trigger", "soon"])
    assert r.returncode == 2
    assert "soon" in r.stderr


def one_line_exit_2(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("Run with --help")]
    assert len(lines) == 1, r.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_an_unknown_command_is_named(shopstream_bin):
    one_line_exit_2(run([shopstream_bin, "bogus"]), "unknown command 'bogus'", "produce")


def test_numbers_must_be_numbers_in_range(shopstream_bin, tmp_path):
    log, store = f"sqlite://{tmp_path}/log.db", f"sqlite://{tmp_path}/store.db"
    process = [shopstream_bin, "process", "--from", log, "--raw", store, "--processed", store]
    one_line_exit_2(run(process + ["--max-batch", "0"]), "--max-batch", "0")
    one_line_exit_2(run(process + ["--trigger", "nan"]), "--trigger", "'nan'")
    one_line_exit_2(run(process + ["--linger", "1e30s"]), "--linger")
    one_line_exit_2(run(process + ["--idle-exit", "-1"]), "--idle-exit")
    one_line_exit_2(run(process + ["--idle-exit", "inf"]), "--idle-exit")
    produce = [shopstream_bin, "produce", "-i", str(tmp_path / "x.csv"), "--to", log]
    one_line_exit_2(run(produce + ["--rate", "nan"]), "--rate 'nan'")
    one_line_exit_2(run(produce + ["--rate", "-5"]), "--rate '-5'")
    one_line_exit_2(run(produce + ["--speedup", "-3"]), "--speedup", "'-3'")
    one_line_exit_2(run(produce + ["--speedup", "nan"]), "--speedup")
    one_line_exit_2(run(produce + ["--count", "0"]), "--count")
    one_line_exit_2(run(produce + ["--rate", "max", "--partitions", "0"]), "--partitions")
    one_line_exit_2(run([shopstream_bin, "demo", "--rate", "fast"]), "--rate 'fast'")


def test_unknown_sqlite_options_are_refused(shopstream_bin, tmp_path):
    r = run([shopstream_bin, "process", "--from", f"sqlite://{tmp_path}/log.db?retian=5",
             "--raw", f"sqlite://{tmp_path}/s.db", "--processed", f"sqlite://{tmp_path}/s.db"])
    one_line_exit_2(r, "unknown option 'retian'", "known: retain")
    r = run([shopstream_bin, "process", "--from", f"sqlite://{tmp_path}/log.db",
             "--raw", f"sqlite://{tmp_path}/s.db?journal=off", "--processed", f"sqlite://{tmp_path}/s.db"])
    one_line_exit_2(r, "unknown option 'journal'")


def test_a_log_that_does_not_exist_is_waited_for_not_created(shopstream_bin, tmp_path):
    typo = tmp_path / "typo.db"
    r = run([shopstream_bin, "process", "--from", f"sqlite://{typo}", "--raw", f"sqlite://{tmp_path}/s.db",
             "--processed", f"sqlite://{tmp_path}/s.db", "--idle-exit", "1"])
    assert r.returncode == 0, r.stderr
    assert "does not exist yet; waiting for a producer to create it" in r.stderr
    assert str(typo) in r.stderr
    assert not typo.exists()


def test_a_file_that_is_not_a_log_is_refused(shopstream_bin, tmp_path):
    not_a_log = tmp_path / "events.csv"
    not_a_log.write_text("event_time,event_type\n")
    r = run([shopstream_bin, "process", "--from", f"sqlite://{not_a_log}", "--raw", f"sqlite://{tmp_path}/s.db",
             "--processed", f"sqlite://{tmp_path}/s.db", "--idle-exit", "1"])
    assert r.returncode == 2, r.stderr
    assert "is not a shopstream log" in r.stderr and str(not_a_log) in r.stderr


def test_control_characters_in_input_are_escaped_in_log_lines(shopstream_bin, tmp_path):
    csv = tmp_path / "evil.csv"
    csv.write_bytes(b"event_time,event_type,product_id,category_id,category_code,brand,price,user_id,"
                    b"user_session\n2019-11-01 00:00:00 UTC,view,1\x1b[2J,2,a.b,x,1.00,3,s\n")
    r = run([shopstream_bin, "produce", "-i", str(csv), "--to", f"sqlite://{tmp_path}/log.db", "--rate", "max"])
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stderr
    assert "\\x1B[2J" in r.stderr
