"""The 10K sample through the embedded log into the embedded stores, checked against sums
computed here from the CSV."""
import collections

from conftest import query, run


def test_sample_replayed_at_max_rate_lands_exactly_once(shopstream_bin, sample_zip, sample_rows, tmp_path):
    log = tmp_path / "log.db"
    store = tmp_path / "store.db"
    produced = run([shopstream_bin, "produce", "-i", sample_zip, "--to", f"sqlite://{log}", "--rate", "max"])
    assert produced.returncode == 0, produced.stderr
    processed = run([shopstream_bin, "process", "--from", f"sqlite://{log}", "--raw", f"sqlite://{store}",
                     "--processed", f"sqlite://{store}", "--idle-exit", "1"])
    assert processed.returncode == 0, processed.stderr

    assert len(sample_rows) == 10034
    assert query(store, "SELECT count(*) FROM operations")[0][0] == 10034
    assert query(store, "SELECT count(*) FROM raw_operations")[0][0] == 10034
    assert query(store, "SELECT count(*) FROM dead_letters")[0][0] == 0

    expected_counts = collections.Counter(r["event_type"] for r in sample_rows)
    got_counts = dict(query(store, "SELECT event_type, count(*) FROM operations GROUP BY 1"))
    assert got_counts == dict(expected_counts)

    expected_revenue = sum(float(r["price"]) for r in sample_rows if r["event_type"] == "purchase")
    got_revenue = query(store, "SELECT sum(revenue) FROM operations")[0][0]
    assert abs(expected_revenue - 41989.74) < 0.01
    assert abs(got_revenue - expected_revenue) < 0.01

    # The rollups agree with the rows.
    assert query(store, "SELECT sum(events) FROM rollup_minute")[0][0] == 10034
    assert abs(query(store, "SELECT sum(revenue) FROM rollup_hour_brand")[0][0] - expected_revenue) < 0.01

    # Cleaning, checked per department against the CSV: department = first part of the code.
    expected_departments = collections.Counter(
        (r["category_code"].split(".")[0] if r["category_code"] else "other") for r in sample_rows)
    got_departments = dict(query(store, "SELECT department, count(*) FROM operations GROUP BY 1"))
    assert got_departments == dict(expected_departments)
    expected_brands = collections.Counter((r["brand"] or "other") for r in sample_rows)
    got_brands = dict(query(store, "SELECT brand, count(*) FROM operations GROUP BY 1"))
    assert got_brands == dict(expected_brands)

    # Raw rows keep the CSV's values; empty fields are NULL.
    raw_empty_codes = query(store, "SELECT count(*) FROM raw_operations WHERE category_code IS NULL")[0][0]
    assert raw_empty_codes == sum(1 for r in sample_rows if not r["category_code"])
    raw_products = collections.Counter(p for (p,) in query(store, "SELECT product_id FROM raw_operations"))
    assert raw_products == collections.Counter(r["product_id"] for r in sample_rows)
