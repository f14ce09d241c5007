"""`shopstream sample` end to end on the real 10K sample and on generated data."""
import csv
import gzip
import io
import subprocess
import zipfile


def run(shopstream_bin, *args):
    return subprocess.run([shopstream_bin, *args], capture_output=True, check=False)


def test_fraction_one_copies_the_10k_sample_byte_for_byte(shopstream_bin, sample_zip, tmp_path):
    with zipfile.ZipFile(sample_zip) as z:
        original = z.read(z.namelist()[0])
    out = tmp_path / "copy.csv"
    result = run(shopstream_bin, "sample", "-i", str(sample_zip), "--by", "event_type",
                 "--fraction", "1.0", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == original
    assert b"kept 10034 of 10034 rows" in result.stderr


def test_fractions_keep_listed_strata_only(shopstream_bin, tmp_path):
    source = tmp_path / "in.csv.gz"
    assert run(shopstream_bin, "generate", "--rows", "50000", "-o", str(source)).returncode == 0
    out = tmp_path / "out.zip"
    result = run(shopstream_bin, "sample", "-i", str(source), "--by", "event_type",
                 "--fractions", "cart=1,purchase=0.5", "--seed", "3", "-o", str(out))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as z:
        text = z.read(z.namelist()[0]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    source_rows = list(csv.reader(io.StringIO(gzip.decompress(source.read_bytes()).decode())))
    assert rows[0] == source_rows[0]
    kept = {tuple(r) for r in rows[1:]}
    assert {r[1] for r in rows[1:]} == {"cart", "purchase"}
    carts = [r for r in source_rows[1:] if r[1] == "cart"]
    assert all(tuple(r) in kept for r in carts)
    purchases = sum(1 for r in source_rows[1:] if r[1] == "purchase")
    kept_purchases = sum(1 for r in rows[1:] if r[1] == "purchase")
    assert 0 < kept_purchases < purchases


def test_sample_errors(shopstream_bin, sample_zip, tmp_path):
    missing = run(shopstream_bin, "sample", "-i", str(tmp_path / "none.csv"), "--by",
                  "event_type", "--fraction", "0.5", "-o", "-")
    assert missing.returncode == 2 and b"none.csv" in missing.stderr
    column = run(shopstream_bin, "sample", "-i", str(sample_zip), "--by", "colour",
                 "--fraction", "0.5", "-o", "-")
    assert column.returncode == 2 and b"no column 'colour'" in column.stderr
    neither = run(shopstream_bin, "sample", "-i", str(sample_zip), "--by", "event_type", "-o", "-")
    assert neither.returncode == 2
    bad = run(shopstream_bin, "sample", "-i", str(sample_zip), "--by", "event_type",
              "--fractions", "view=2", "-o", "-")
    assert bad.returncode == 2
