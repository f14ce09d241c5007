"""superset/bundle, the YAML sources of shopstream's Superset dashboard, made into the ZIP that
Superset imports, for one store.

The committed files describe the stack's store (mysql://admin@127.0.0.1:3306/ecommerce.operations).
For a store, every uuid becomes uuid5(committed uuid, store key), so that each store gets a
dashboard, charts, datasets and connection of its own and importing again for the same store
updates them in place; the connection's URI, its name, the rows table's name and the
dashboard's title and slug are rewritten by line (the files are plain YAML written so that
these keys sit at the top level, one per line). Standard library only: the tool must run where
Superset does not."""
import io
import pathlib
import re
import urllib.parse
import uuid
import zipfile

BUNDLE = pathlib.Path(__file__).resolve().parents[1] / "bundle"
TOP = "shopstream_dashboard"  # the one top-level folder Superset's importer wants
PASSWORD_MASK = "XXXXXXXXXX"  # Superset's own mask for a password left out of an export
DATABASE_FILE = "databases/shopstream.yaml"
ROWS_DATASET_FILE = "datasets/shopstream/operations.yaml"
# Datasets over the side tables a processed table owns (rollups, the session funnel, dead letters,
# alerts).
SIDE_DATASET_PREFIXES = ("datasets/shopstream/rollup_", "datasets/shopstream/funnel_",
                         "datasets/shopstream/dead_letters", "datasets/shopstream/alerts.yaml")
# The side tables a virtual dataset's SQL may read, by their plain names (sql/owned_tables.h).
_SIDE_TABLE = r"(?:rollup_[a-z0-9_]+|funnel_[a-z_]+|people_[a-z]+|dead_letters|processor_stats|alerts)"
DASHBOARD_FILE = "dashboards/shopstream.yaml"
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


HEADER = ("# shopstream's Superset bundle (docs/superset.md). scripts/superset import rewrites the\n"
          "# connection, names and uuids for the store it is given.\n")


class BundleError(Exception):
    """The bundle in the repository is not what this tool expects."""


def load(root=BUNDLE):
    """{relative path: text} of every YAML file of the bundle."""
    files = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(root.rglob("*.yaml"))}
    for required in ("metadata.yaml", DATABASE_FILE, ROWS_DATASET_FILE, DASHBOARD_FILE):
        if required not in files:
            raise BundleError(f"{root}/{required} is missing")
    return files


def derived_uuid(committed, store_key):
    return str(uuid.uuid5(uuid.UUID(committed), store_key))


def _set_top_level(text, key, value, path):
    """Replaces the value of a top-level `key:` line; the value is written as a quoted YAML string."""
    quoted = "'" + value.replace("'", "''") + "'"
    new, count = re.subn(rf"^{re.escape(key)}:.*$", lambda _: f"{key}: {quoted}", text, flags=re.M)
    if count != 1:
        raise BundleError(f"{path}: expected one top-level `{key}:` line, found {count}")
    return new


def sqlalchemy_uri(store, address=None, driver="mysql"):
    """The connection Superset stores, password masked (it travels apart, see import)."""
    host, port = (address or f"{store.host}:{store.port}").rsplit(":", 1)
    user = urllib.parse.quote(store.user, safe="")
    return f"{driver}://{user}:{PASSWORD_MASK}@{host}:{port}/{store.database}?charset=utf8mb4"


def for_store(files, store, address=None, driver="mysql", password=None, refresh=None):
    """The bundle's files rewritten for `store`: {path inside the ZIP: text}. With `password`,
    the connection carries it (for `superset import-dashboards`, which has no other way in);
    with `refresh`, the dashboard's auto-refresh interval in seconds (0: off) replaces the saved one."""
    key = store.key()
    out = {}
    for path, text in files.items():
        text = _UUID.sub(lambda m: derived_uuid(m.group(0), key), text)
        if path == DATABASE_FILE:
            text = _set_top_level(text, "sqlalchemy_uri", sqlalchemy_uri(store, address, driver), path)
            text = _set_top_level(text, "database_name", f"shopstream {store.database}.{store.table} "
                                                         f"on {store.host}:{store.port}", path)
            if password is not None:
                text = text.rstrip("\n") + "\npassword: '" + password.replace("'", "''") + "'\n"
        elif path == ROWS_DATASET_FILE:
            text = _set_top_level(text, "table_name", store.table, path)
        elif path.startswith(SIDE_DATASET_PREFIXES):
            text = _set_top_level(text, "table_name", owned_table(store.table, _top_level(text, "table_name")), path)
        elif path.startswith("datasets/"):
            text = _sql_tables(text, lambda m: owned_table(store.table, m.group(0)), rf"\b{_SIDE_TABLE}\b")
        elif path == DASHBOARD_FILE:
            text = _set_top_level(text, "dashboard_title", f"shopstream: {store.database}.{store.table}", path)
            text = _set_top_level(text, "slug", slug(store), path)
            if refresh is not None:
                text, count = re.subn(r"^(  refresh_frequency:) \d+$", rf"\g<1> {int(refresh)}", text, flags=re.M)
                if count != 1:
                    raise BundleError(f"{path}: expected one `  refresh_frequency:` line in metadata, found {count}")
        out[f"{TOP}/{path}"] = text
    return out


def owned_table(rows_table, plain):
    """The name of the side table `plain` (rollup_day) that the processed table `rows_table`
    owns: the plain name beside `operations`, `T__rollup_day` beside another table T (see
    docs/ARCHITECTURE.md, "What a processed table owns")."""
    return plain if rows_table == "operations" else f"{rows_table}__{plain}"


def sql_for_table(sql, rows_table):
    """SQL over the side tables of `operations` made to read those that `rows_table` owns."""
    return re.sub(rf"\b{_SIDE_TABLE}\b", lambda m: owned_table(rows_table, m.group(0)), sql)


def _sql_tables(text, name, pattern):
    """A virtual dataset's `sql:` with each side table matched by `pattern` renamed by `name`:
    the SQL (a YAML scalar that may span lines) names the tables of the operations store."""
    match = re.search(r"^sql: .*?(?=^\S)", text, flags=re.M | re.S)
    if not match or match.group(0).strip() == "sql: null":
        return text
    return text[:match.start()] + re.sub(pattern, name, match.group(0)) + text[match.end():]


def slug(store):
    return re.sub(r"[^a-z0-9-]+", "-", f"shopstream-{store.database}-{store.table}".lower())[:255]


def dashboard_uuid(files, store):
    match = re.search(r"^uuid: (\S+)$", files[DASHBOARD_FILE], flags=re.M)
    if not match:
        raise BundleError(f"{DASHBOARD_FILE}: no top-level uuid")
    return derived_uuid(match.group(1).strip("'\""), store.key())


def from_export(exported, files, store):
    """A Superset export of the store's dashboard ({path inside the ZIP: text}) turned back into
    bundle files: uuids mapped back to the committed ones (new objects keep theirs), the
    rewritten lines reset to the committed values, each object written to the file that held
    it (new ones under Superset's file names). Returns {relative path: text}."""
    key = store.key()
    committed_uuids = {m.group(0) for text in files.values() for m in _UUID.finditer(text)}
    back = {derived_uuid(u, key): u for u in committed_uuids}
    path_of_uuid = {}
    for path, text in files.items():
        match = re.search(r"^uuid: '?([0-9a-f-]{36})'?$", text, flags=re.M)
        if match:
            path_of_uuid[match.group(1)] = path
    out = {}
    for zpath, text in exported.items():
        path = zpath.split("/", 1)[1] if "/" in zpath else zpath
        if not path.endswith(".yaml") or path == "metadata.yaml":
            continue  # the committed metadata.yaml stays: it names no type, so both importers take it
        text = _UUID.sub(lambda m: back.get(m.group(0), m.group(0)), text)
        # Ids of this Superset's rows mean nothing elsewhere (the importer sets them again).
        text = re.sub(r"^(\s*chartId:) \d+$", r"\1 0", text, flags=re.M)
        text = re.sub(r"^\s*datasource: '?\d+__table'?\n", "", text, flags=re.M)
        text = re.sub(r"^\s*slice_id: \d+\n", "", text, flags=re.M)
        match = re.search(r"^uuid: '?([0-9a-f-]{36})'?$", text, flags=re.M)
        if match and match.group(1) in path_of_uuid:
            path = path_of_uuid[match.group(1)]
        elif path.startswith("datasets/"):  # a new dataset: beside the others, by its plain name
            name = _top_level(text, "table_name").removeprefix(store.table + "__")
            path = f"datasets/shopstream/{name}.yaml"
            text = _set_top_level(text, "table_name", name, path)
        if not text.startswith("#"):
            text = HEADER + text
        if path == DATABASE_FILE or path.startswith("databases/"):
            path = DATABASE_FILE
            for k in ("sqlalchemy_uri", "database_name"):
                text = _set_top_level(text, k, _top_level(files[DATABASE_FILE], k), path)
            text = re.sub(r"^password:.*\n", "", text, flags=re.M)
        elif path == ROWS_DATASET_FILE or (path.startswith(SIDE_DATASET_PREFIXES) and path in files):
            text = _set_top_level(text, "table_name", _top_level(files[path], "table_name"), path)
        elif path.startswith("datasets/") and store.table != "operations":
            prefix = re.escape(store.table + "__")
            text = _sql_tables(text, lambda m: m.group(1), rf"\b{prefix}({_SIDE_TABLE})\b")
        elif path == DASHBOARD_FILE:
            for k in ("dashboard_title", "slug"):
                text = _set_top_level(text, k, _top_level(files[DASHBOARD_FILE], k), path)
        out[path] = text
    out["metadata.yaml"] = files["metadata.yaml"]
    return out


def _top_level(text, key):
    match = re.search(rf"^{re.escape(key)}: ?(.*)$", text, flags=re.M)
    if not match:
        raise BundleError(f"no top-level `{key}:`")
    value = match.group(1).strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1].replace("''", "'")
    return value.strip('"')


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in sorted(files.items()):
            z.writestr(path, text)
    return buffer.getvalue()
