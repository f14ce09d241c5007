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
