"""A corpus of hostile events for the differential test: the edges of every field of the event
contract (docs/event-contract.md). Each event gets its own product_id, which names it in every
store. CSV rows go through `shopstream produce --speedup` (original times); JSON messages, which
no CSV can make (ids, types, NaN tokens), are put on the bus as they are."""
import csv
import json

FIRST_PRODUCT = 700_000_000
EMOJI = "\U0001F6D2"  # 4 bytes of UTF-8

TIMES = [
    "2019-11-08 08:14:53 UTC",
    # February 29: leap years (2020, 2000, 2016) and common ones (2019, 2100, 1900)
    "2020-02-29 10:00:00 UTC", "2000-02-29 10:00:00 UTC", "2016-02-29 23:59:59 UTC",
    "2019-02-29 10:00:00 UTC", "2100-02-29 10:00:00 UTC", "1900-02-29 10:00:00 UTC",
    "2019-02-28 23:59:59 UTC", "2019-02-30 10:00:00 UTC",
    # day 31 of 30-day months, and of 31-day ones
    "2019-04-31 10:00:00 UTC", "2019-06-31 10:00:00 UTC", "2019-09-31 10:00:00 UTC",
    "2019-11-31 10:00:00 UTC", "2019-12-31 23:59:59 UTC", "2019-01-31 00:00:00 UTC",
    # months and days out of range
    "2019-00-10 10:00:00 UTC", "2019-13-10 10:00:00 UTC", "2019-11-00 10:00:00 UTC",
    "2019-11-32 10:00:00 UTC",
    # the clock's edges
    "2019-11-08 24:00:00 UTC", "2019-11-08 23:60:00 UTC", "2019-11-08 23:59:60 UTC",
    "2019-11-08 00:00:00 UTC", "2019-11-08 23:59:59 UTC",
    # DATETIME's range
    "0000-01-01 00:00:00 UTC", "0999-12-31 23:59:59 UTC", "1000-01-01 00:00:00 UTC",
    "9999-12-31 23:59:59 UTC", "10000-01-01 00:00:00 UTC",
    # zones, separators and fractions
    "2019-11-08T08:14:53Z", "2019-11-08 08:14:53+00:00", "2019-11-08 08:14:53 CET",
    "2019-11-08 08:14:53+02:00", "2019-11-08 08:14:53 utc", "2019-11-08 08:14:53",
    "2019-11-08 08:14:53.1", "2019-11-08 08:14:53.123456 UTC", "2019-11-08 08:14:53.123456789",
    "2019-11-08 08:14:53.1234567890", "2019-11-08 08:14:53.", "2019-11-08 08:14:53 UTC ",
    # not times at all
    "2019-11-08", "2019-11-08 08:14", "yesterday", " 2019-11-08 08:14:53", "2019-11-08  08:14:5",
    "\uff12\uff10\uff11\uff19-11-08 08:14:53", "-001-01-01 00:00:00", "2019/11/08 08:14:53",
]

PRICES = [
    "0", "-0", "0.00", "-0.0", "5e-324", "1e-45", "1.401298464324817e-45", "1e-46",
    "1.17549435e-38", "3.4028234663852886e+38", "3.4028235e38", "3.4028235677973366e+38",
    "1e39", "1e308", "-5.00", "-1e-300", "2574.07", "0.01", "999999999", "1e30", "165.51",
]

BRANDS = [
    "", "apple", "a" * 50, "a" * 51, "\u00e9" * 50, "\u00e9" * 51, EMOJI * 50, EMOJI * 51,
    "e\u0301" * 25, "e\u0301" * 25 + "x", "NaN" * 10, "NaN" * 11, "xNaNy",
    "nul\x00in the middle", "tab\tand\x1b[31mesc\x7f", "\u0085next line", "\ufeffbom",
    "\u202eright to left", "<script>alert(1)</script>", "O'Reilly \"quoted\"", "back\\slash\\",
    "\U0001F600" * 49 + "ab", "\u4e2d" * 50, "\u4e2d" * 51, "  padded  ", "%s %n ${jndi:x}",
]

CATEGORY_CODES = [
    "", "electronics.smartphone", "a" * 50 + ".b", "a" * 51 + ".b", "b." + "c" * 51,
    "\u00e9" * 50 + "." + "\u00e9" * 50, "NaN", "NaN.NaN", ".", "..", "a..b", "x.y.z.w.v",
    EMOJI * 50, "kids.toys\x00", "dept.\U0001F600" * 3,
]

EVENT_TYPES = [
    "view", "cart", "purchase", "PURCHASE", "v" * 20, "v" * 21, "\u00e9" * 20, "\u00e9" * 21,
    " purchase", "purchase\x00", "\U0001F4B3" * 20,
]

# Never sent: the CSV reader refuses these lines (they cannot become a message).
MALFORMED_PRICES = ["nan", "inf", "-inf", "NaN", "Infinity", "abc", "1,5", "0x10", ""]

HEADER = ["event_time", "event_type", "product_id", "category_id", "category_code", "brand",
          "price", "user_id", "user_session"]


def _row(product, time="2019-11-08 08:14:53 UTC", event_type="purchase", code="electronics.audio",
         brand="sony", price="99.99", session="s-1"):
    return [time, event_type, str(product), "2053013555631882655", code, brand, price,
            str(500_000_000 + product % 1_000_000), session]


def csv_rows():
    """The rows of the CSV part of the corpus (each a list of the nine columns)."""
    rows = []
    product = FIRST_PRODUCT
    for time in TIMES:
        for event_type in ("view", "cart", "purchase"):
            rows.append(_row(product, time=time, event_type=event_type))
            product += 1
    for price in PRICES:
        for event_type in ("cart", "purchase"):
            rows.append(_row(product, event_type=event_type, price=price))
            product += 1
    for brand in BRANDS:
        for event_type in ("view", "cart", "purchase"):
            rows.append(_row(product, event_type=event_type, brand=brand))
            product += 1
    for code in CATEGORY_CODES:
        for event_type in ("view", "cart", "purchase"):
            rows.append(_row(product, event_type=event_type, code=code))
            product += 1
    for event_type in EVENT_TYPES:
        for price in ("0", "12.5", "3.4028234663852886e+38"):
            rows.append(_row(product, event_type=event_type, price=price))
            product += 1
    return rows


def malformed_lines():
    """Lines the CSV reader must skip, one malformed line each."""
    lines = [",".join(_row(0, price=p)) + "\n" for p in MALFORMED_PRICES]
    lines.append('2019-11-08 08:14:53 UTC,view,1,2,"a.b,brand,1.00,3,s\n')  # a stray quote
    lines.append("2019-11-08 08:14:53 UTC,view,1,2,a.b,brand,1.00,3\n")  # 8 fields
    lines.append("2019-11-08 08:14:53 UTC,,1,2,a.b,brand,1.00,3,s\n")  # no event_type
    return lines


def write_csv(path):
    """Writes the CSV part, a malformed line after every 60 rows; returns how many events and
    malformed lines it holds."""
    rows = csv_rows()
    malformed = malformed_lines()
    count = len(malformed)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for n, row in enumerate(rows):
            writer.writerow(row)
            if n % 60 == 59 and malformed:
                f.write(malformed.pop(0))
        for line in malformed:
            f.write(line)
    return len(rows), count


def _message(product, **fields):
    event = {"event_time": "2019-11-08 08:14:53 UTC", "event_type": "purchase",
             "product_id": product, "category_id": 1, "category_code": "a.b", "brand": "b",
             "price": 1.5, "user_id": 7, "user_session": "s",
             "id": f"6b1f7e2c-0000-11ef-8000-{product:012d}"}
    event.update(fields)
    return event


def _encode(event):
    # Python's json.dumps, NaN tokens and all, as the seed's producer writes them.
    return json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass")


def json_messages():
    """Messages put on the bus as they are: a list of payloads (bytes)."""
    out = []
    product = FIRST_PRODUCT + 100_000
    nan = float("nan")

    def add(raw=None, **fields):
        nonlocal product
        out.append(raw if raw is not None else _encode(_message(product, **fields)))
        product += 1

    for time in TIMES:  # every time edge again, with ids of our own
        for event_type in ("view", "purchase"):
            add(event_time=time, event_type=event_type)
    for event_id in ["6B1F7E2C-0000-11EF-8000-0242AC120002", "{6b1f7e2c-0000-11ef-8000-0242ac120003}",
                     "6b1f7e2c000011ef80000242ac120004", "urn:uuid:6b1f7e2c-0000-11ef-8000-0242ac120005",
                     "", "6b1f7e2c-0000-11ef-8000-0242ac12000", "6b1f7e2c-0000-11ef-8000-0242ac1200066",
                     "6b1f7e2c-0000-11ef-8000-0242ac12000g", " 6b1f7e2c-0000-11ef-8000-0242ac120007",
                     "x'); DROP TABLE operations; --"]:
        add(id=event_id)
    add(id=12345)
    add(id=None)
    for price in [nan, float("inf"), -0.0, 0.0, 5e-324, 1e-45, 3.4028234663852886e38,
                  3.4028235677973366e38, 1e39, -1.0, "12.5", "cheap", True, None, [1], {"a": 1}]:
        add(price=price)
    add(raw=_encode(_message(product)).replace(b'"price": 1.5', b'"price": 1e999'))
    add(raw=_encode(_message(product)).replace(b'"price": 1.5', b'"price": 1e-400'))
    add(raw=_encode(_message(product)).replace(b'"price": 1.5', b'"price": -0'))
    for value in ["123", "12a", 1.5, 1e30, -5, 9223372036854775807, True, None]:
        add(product_id=value)
    add(raw=_encode(_message(product)).replace(b'"product_id": %d' % product,
                                               b'"product_id": 9223372036854775808'))
    for brand in [nan, None, 7, ["x"], {"k": "v"}, "line\nbreak", "cr\rreturn", "\x00", "\ud800lone",
                  EMOJI * 50, EMOJI * 51, "\u00e9" * 50 + "\u0301"]:
        add(brand=brand)
    for code in [nan, "a\nb.c", "x" * 10_000 + ".y", "NaN.electronics"]:
        add(category_code=code)
    for session in [nan, "", "s" * 20_000, "\x1b]0;title\x07"]:
        add(user_session=session)
    for event_type in ["", None, 5, "view\n", "v" * 21]:
        add(event_type=event_type)
    for missing in ["event_time", "event_type", "product_id", "category_id", "price", "user_id",
                    "id", "brand", "category_code", "user_session"]:
        event = _message(product)
        del event[missing]
        add(raw=_encode(event))
    add(raw=b"")
    add(raw=b"not json")
    add(raw=b"[1, 2, 3]")
    add(raw=b"\xff\xfe\x00")
    add(raw=_encode(_message(product))[:-10])  # truncated
    add(raw=_encode(_message(product)) + b" trailing")
    add(raw=b'{"event_time": "2019-11-08 08:14:53", "event_time": "2019-11-09 08:14:53"}')
    # One id twice with different content: the raw stores keep the later, the processed store
    # counts the first.
    twin = "6b1f7e2c-0000-11ef-8000-00000000beef"
    add(id=twin, brand="first of twins")
    add(id=twin, brand="second of twins")
    add(id=twin.upper(), brand="third of twins, upper case")
    return out
