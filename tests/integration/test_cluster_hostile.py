"""Hostile values through the whole cluster flow: a CSV the test writes, produced to Kafka (plus
a few malformed messages put on the topic with kcat), processed into Cassandra and MariaDB, and
read back by independent readers (cassandra-driver, the mariadb client). Every value is either
stored verbatim (the raw one in Cassandra, the seed's cleaning of it in MariaDB) or the whole
event is a dead letter with a reason; malformed CSV lines are skipped by the producer; nothing
is ever executed: every table is still there afterwards."""
import csv
import json
import subprocess
import uuid

from cassandra_helpers import driver_rows, f32
from conftest import run
from test_cluster_flow import cluster_run, drop_keyspace, mariadb

EMOJI = "\U0001F6D2"  # 4 bytes of UTF-8
INJECTION = "'); DROP TABLE operations; --"

# (brand, category_code, event_type, user_session) of events that must be stored verbatim.
STORED = [
    ("O'Reilly \"Media\"", "books.it's \"quoted\".novel", "view", "s'ession\""),
    ("back\\slash \\\\ \\n \\' end\\", "a\\b.c\\\\d", "cart", "\\N"),
    (INJECTION, INJECTION, "purchase", INJECTION),
    ("x'); DROP KEYSPACE ecommerce_ks; --", "a.'; DELETE FROM operations WHERE '1'='1", "view", None),
    (f"{EMOJI} Shop \U0001F600 ünïcödé 中文", "électronique.\U0001F3A7.casque", "purchase", "\U0001F600"),
    (EMOJI * 50, f"{EMOJI * 50}.{EMOJI}", "view", None),  # 50 characters: what VARCHAR(50) holds
    ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>.x", "view", "<b>"),
    ("tab\there\rreturn\x01\x07\x1b[31m\x7f", "ctl\x0b.x\x0c", "cart", "\x1f"),
    ("  padded  ", " lead.trail ", "view", " "),
    ("NaN", "NaN.BaNaNa", "view", "NaN"),  # the seed turns the text NaN into "other"
    ("%s %n {0} ${jndi:ldap://127.0.0.1/x}", "%d.%x", "view", None),
    (None, None, "view", None),
]

# Events that cannot be stored verbatim in the seed's MariaDB table: dead letters, with why.
DEAD = [
    ("B" * 10240, "a.b", "view", "has 10240 characters after cleaning; the seed's column holds 50"),
    (EMOJI * 51, "a.b", "view", "has 51 characters after cleaning; the seed's column holds 50"),
    ("b", "c" * 60 + ".x", "view", "has 60 characters after cleaning; the seed's column holds 50"),
    ("b", "a.b", "view" + INJECTION, "characters (1 to 20)"),
]

# Lines the producer cannot read as an event: skipped with a warning, never sent.
MALFORMED_LINES = [
    "2019-11-01 00:00:00 UTC,view,1,2,a.b,brand,1.00,3\n",  # 8 fields
    "2019-11-01 00:00:00 UTC,view,1,2,a.b,brand,abc,3,s\n",  # price not a number
    "2019-11-01 00:00:00 UTC,view,12x,2,a.b,brand,1.00,3,s\n",  # product_id not a number
    "2019-11-01 00:00:00 UTC,view,1,2,a.b,brand,1.00,3,s,extra\n",  # 10 fields
    '2019-11-01 00:00:00 UTC,view,1,2,"a.b,brand,1.00,3,s\n',  # a stray quote: this line only
]

HEADER = ["event_time", "event_type", "product_id", "category_id", "category_code", "brand", "price",
          "user_id", "user_session"]
FIRST_PRODUCT = 900_000_000


def write_csv(path):
    """The hostile CSV; each event has its own product_id, which identifies it in the stores.
    Returns {product_id: (brand, category_code, event_type, user_session, price)}."""
    events = {}
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        rows = [(b, c, t, s) for b, c, t, s in STORED] + [(b, c, t, None) for b, c, t, _ in DEAD]
        for n, (brand, code, event_type, session) in enumerate(rows):
            product = FIRST_PRODUCT + n
            price = 10.25 + n
            events[product] = (brand, code, event_type, session, price)
            writer.writerow(["2019-11-01 00:00:00 UTC", event_type, product, 2053013555631882655, code or "",
                             brand or "", f"{price:.2f}", 500_000_000 + n, session or ""])
        f.flush()
        for line in MALFORMED_LINES:
            f.write(line)
    return events


def message(product, **fields):
    event = {"event_time": "2019-11-01 00:00:00", "event_type": "view", "product_id": product,
             "category_id": 1, "category_code": "a.b", "brand": "b", "price": 1.5, "user_id": 7,
             "user_session": "s", "id": str(uuid.uuid4())}
    event.update(fields)
    return json.dumps(event, ensure_ascii=True).encode()


def kafka_messages():
    """Messages no CSV can make, put on the topic directly: (payload, expected reason or None
    when the message is good)."""
    nul = FIRST_PRODUCT + 1000
    return [
        (b"not json at all", "not JSON"),
        (b'{"event_type": "view"}', 'required field "event_time" is missing'),
        (b'{"brand": "\xff\xfe invalid UTF-8", "event_type": "view"}', "not JSON"),
        (message(FIRST_PRODUCT + 1001).replace(b'"brand": "b"', b'"brand": "lone \\ud800 surrogate"'),
         "not JSON"),  # the decoder refuses unpaired surrogates (Clean would too)
        (message(FIRST_PRODUCT + 1002, id=INJECTION), "is not a UUID"),
        (message(nul, brand="nul\x00byte", category_code="a\x00.b"), "holds a NUL character"),
    ]


def hex_text(value):
    return bytes.fromhex(value).decode("utf-8")


def seed_clean(code, brand):
    """The seed's cleaning, computed here independently: (department, product, brand)."""
    def other(text):
        return text.replace("NaN", "other") if text else "other"
    parts = (code or "").split(".")
    return other(parts[0]), other(parts[-1]), other(brand)


def test_hostile_values_are_stored_verbatim_or_dead_letters(shopstream_bin, tmp_path):
    option_file, topic, keyspace, database, env = cluster_run("hostile")
    try:
        source = tmp_path / "hostile.csv"
        events = write_csv(source)
        r = run([shopstream_bin, "produce", "-i", str(source), "--to", f"kafka://127.0.0.1:9092/{topic}",
                 "--rate", "max", "--partitions", "1"], env=env)
        assert r.returncode == 0, r.stderr
        assert f"produced {len(events)} events; {len(MALFORMED_LINES)} malformed lines skipped" in r.stderr
        assert r.stderr.count("skipping malformed line") == len(MALFORMED_LINES), r.stderr

        extra = kafka_messages()
        kcat = subprocess.run(["kcat", "-P", "-b", "127.0.0.1:9092", "-t", topic, "-p", "0"],
                              input=b"\n".join(payload for payload, _ in extra) + b"\n",
                              capture_output=True, timeout=60)
        assert kcat.returncode == 0, kcat.stderr

        r = run([shopstream_bin, "process", "--from", f"kafka://127.0.0.1:9092/{topic}", "--group", topic,
                 "--raw", f"cassandra://127.0.0.1:9042/{keyspace}.operations",
                 "--processed", f"mysql://admin@127.0.0.1:3306/{database}.operations", "--idle-exit", "5"],
                env=env)
        assert r.returncode == 0, r.stderr
        dead_count = len(DEAD) + sum(1 for _, reason in extra if reason)
        stored_count = len(events) - len(DEAD)
        assert f"processed {stored_count} events in" in r.stderr and f"; {dead_count} dead letters" in r.stderr

        # Cassandra: each stored event verbatim, read by cassandra-driver.
        raw = driver_rows(f"SELECT id, event_type, product_id, category_code, brand, price,"
                          f" user_session FROM {keyspace}.operations")
        by_product = {int(row.product_id): row for row in raw}
        dead_products = {FIRST_PRODUCT + len(STORED) + n for n in range(len(DEAD))}
        assert set(by_product) == set(events) - dead_products
        for product, row in by_product.items():
            brand, code, event_type, user_session, price = events[product]
            assert (row.brand, row.category_code, row.event_type, row.user_session) == (
                brand or None, code or None, event_type, user_session or None), product
            assert row.price == f32(price)

        # MariaDB, read by the mariadb client (HEX, so that no byte is lost to its escaping):
        # the seed's cleaning of each raw row, verbatim.
        cleaned = {row[0]: row[1:] for row in mariadb(
            option_file, database, "SELECT id, HEX(event_type), HEX(department), HEX(product), HEX(brand),"
                                   " price, revenue FROM operations")}
        assert set(cleaned) == {str(row.id) for row in raw}
        for row in raw:
            event_type, department, product, brand, price, revenue = cleaned[str(row.id)]
            assert hex_text(event_type) == row.event_type
            assert (hex_text(department), hex_text(product), hex_text(brand)) == seed_clean(
                row.category_code, row.brand)
            assert abs(float(price) - row.price) < 0.01
            assert abs(float(revenue) - (row.price if row.event_type == "purchase" else 0)) < 0.01
        rollup_brands = {hex_text(b) for (b,) in mariadb(option_file, database,
                                                         "SELECT HEX(brand) FROM rollup_hour_brand")}
        assert rollup_brands == {hex_text(row[3]) for row in cleaned.values()}
        for table in ("rollup_minute", "rollup_hour_brand", "rollup_hour_product"):
            assert int(mariadb(option_file, database, f"SELECT sum(events) FROM {table}")[0][0]) == stored_count

        # Dead letters: every refused event, with its reason and its whole message.
        letters = mariadb(option_file, database, "SELECT HEX(reason), HEX(payload) FROM dead_letters")
        assert len(letters) == dead_count
        reasons = [hex_text(reason) for reason, _ in letters]
        payloads = [bytes.fromhex(payload) for _, payload in letters]
        def parsed(payload):
            try:
                return json.loads(payload)
            except ValueError:
                return None

        for n, (brand, code, event_type, reason) in enumerate(DEAD):
            matches = [i for i, p in enumerate(payloads)
                       if (e := parsed(p)) and e.get("product_id") == FIRST_PRODUCT + len(STORED) + n]
            assert len(matches) == 1, reason
            letter = parsed(payloads[matches[0]])
            assert (letter["brand"], letter["category_code"], letter["event_type"]) == (brand, code, event_type)
            assert reason in reasons[matches[0]], reasons[matches[0]]
        for payload, reason in extra:
            if reason is None:
                continue
            matches = [i for i, p in enumerate(payloads) if p == payload]
            assert len(matches) == 1, payload
            assert reason in reasons[matches[0]], (payload, reasons[matches[0]])

        # Nothing was executed: every table is still there.
        tables = {t for (t,) in mariadb(option_file, database, "SHOW TABLES")}
        assert tables >= {"operations", "rollup_minute", "rollup_hour_brand", "rollup_hour_product",
                          "stream_offsets", "dead_letters", "processor_stats"}
        assert driver_rows(f"SELECT count(*) FROM {keyspace}.operations")[0][0] == len(raw)
    finally:
        drop_keyspace(keyspace)
        mariadb(option_file, "ecommerce", f"DROP DATABASE IF EXISTS {database}")
