"""`shopstream generate` end to end: the file it writes is read by Python's csv module."""
import collections
import csv
import gzip
import io
import subprocess

HEADER = [
    "event_time", "event_type", "product_id", "category_id", "category_code",
    "brand", "price", "user_id", "user_session",
]


def generate(shopstream_bin, *args):
    return subprocess.run([shopstream_bin, "generate", *args], capture_output=True, check=False)


def test_csv_is_readable_by_python_csv(shopstream_bin, tmp_path):
    out = tmp_path / "events.csv"
    result = generate(shopstream_bin, "--rows", "20000", "--seed", "3", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""  # no progress bar when stderr is not a terminal
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == 20000
    assert all(len(r) == 9 for r in body)
    types = collections.Counter(r[1] for r in body)
    assert set(types) == {"view", "cart", "purchase"}
    assert types["view"] > 0.9 * len(body)
    times = [r[0] for r in body]
    assert times == sorted(times)
    assert all(t.startswith("2019-11-") and t.endswith(" UTC") for t in times)
    for r in body:
        int(r[2]), int(r[3]), int(r[7])
        whole, cents = r[6].split(".")
        assert len(cents) == 2 and 0 <= float(r[6]) <= 2574.07
    assert any(r[4] == "" for r in body) and any(r[5] == "" for r in body)


def test_same_seed_same_bytes_and_stdout_matches_file(shopstream_bin, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert generate(shopstream_bin, "--rows", "5000", "--seed", "11", "-o", str(a)).returncode == 0
    assert generate(shopstream_bin, "--rows", "5000", "--seed", "11", "-o", str(b)).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    piped = generate(shopstream_bin, "--rows", "5000", "--seed", "11", "-o", "-")
    assert piped.returncode == 0
    assert piped.stdout == a.read_bytes()
    other = generate(shopstream_bin, "--rows", "5000", "--seed", "12", "-o", "-")
    assert other.stdout != a.read_bytes()


def test_gzip_output_holds_the_same_csv(shopstream_bin, tmp_path):
    plain, packed = tmp_path / "e.csv", tmp_path / "e.csv.gz"
    assert generate(shopstream_bin, "--rows", "3000", "-o", str(plain)).returncode == 0
    assert generate(shopstream_bin, "--rows", "3000", "-o", str(packed)).returncode == 0
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    rows = list(csv.reader(io.StringIO(plain.read_text())))
    assert len(rows) == 3001


def test_unwritable_output_names_the_path_and_exits_2(shopstream_bin, tmp_path):
    target = tmp_path / "missing-dir" / "out.csv"
    result = generate(shopstream_bin, "--rows", "10", "-o", str(target))
    assert result.returncode == 2
    assert str(target).encode() in result.stderr


def test_bad_usage_exits_2(shopstream_bin):
    assert generate(shopstream_bin, "-o", "x.csv").returncode == 2  # --rows missing
    assert generate(shopstream_bin, "--rows", "many", "-o", "x.csv").returncode == 2


def test_help_explains_the_data_and_gives_examples(shopstream_bin):
    result = generate(shopstream_bin, "--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "event_time,event_type,product_id" in text
    assert "Examples:" in text and "--seed" in text
