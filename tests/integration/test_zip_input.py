"""A zip holding several CSVs is refused before anything is sent (it once published the first
file's 5,000 events, then refused)."""
import zipfile

from conftest import run


def test_a_zip_with_two_csvs_is_refused_before_anything_is_sent(shopstream_bin, sample_zip,
                                                                tmp_path):
    with zipfile.ZipFile(sample_zip) as z:
        text = z.read(z.namelist()[0])
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("first.csv", text)
        z.writestr("second.csv", text)
    log = tmp_path / "log.db"
    done = run([shopstream_bin, "produce", "-i", str(two), "--to", f"sqlite://{log}",
                "--rate", "max"])
    assert done.returncode != 0
    assert "the zip holds 2 files" in done.stderr, done.stderr
    assert "first.csv" in done.stderr and "second.csv" in done.stderr
    assert not log.exists() or log.stat().st_size == 0 or _count(log) == 0


def _count(log):
    import sqlite3
    with sqlite3.connect(log) as con:
        try:
            return con.execute("SELECT count(*) FROM log").fetchone()[0]
        except sqlite3.Error:
            return 0
