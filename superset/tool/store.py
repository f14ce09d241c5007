"""The MySQL store that a dashboard reads: `mysql://USER@HOST:PORT/DATABASE.TABLE[?option-file=PATH]`,
the URI shopstream's own commands take, and its credentials, found by shopstream's rules: the
password from $SHOPSTREAM_MYSQL_PASSWORD, else from the [client] section of the option file
named by ?option-file= or $SHOPSTREAM_MYSQL_OPTION_FILE (which also supplies a user, host or
port the URI leaves out). A password in the URI is refused."""
import dataclasses
import os
import re
import urllib.parse


class StoreError(Exception):
    """Bad input: the URI or the credentials (exit code 2)."""


@dataclasses.dataclass
class Store:
    user: str
    host: str
    port: int
    database: str
    table: str
    password: str = dataclasses.field(repr=False, default="")

    def key(self):
        """What identifies the store among several in one Superset."""
        return f"{self.host}:{self.port}/{self.database}.{self.table}"


_NAME = re.compile(r"^[A-Za-z0-9_$]{1,64}$")


def _unquote(value):
    """An option file value: surrounding quotes removed, MySQL's backslash escapes decoded."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "s": " ", "\\": "\\", "\"": "\"", "'": "'"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), value)


def read_option_file(path):
    """The [client] (and [mysql], [mariadb], [client-mariadb]) options of a MySQL option file."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        raise StoreError(f"cannot read the MySQL option file {path}: {e.strerror}") from None
    options, section = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        if section in ("client", "mysql", "mariadb", "client-mariadb") and "=" in line:
            name, value = line.split("=", 1)
            options[name.strip().replace("_", "-").lower()] = _unquote(value)
    return options


def parse_store(uri, environ=os.environ):
    """The Store a `mysql://` URI names, with its credentials; raises StoreError."""
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme != "mysql":
        raise StoreError(f"--store must be a mysql:// URI (got {uri!r}): Superset reads shopstream's MySQL "
                         "or MariaDB processed store")
    if parts.password is not None:
        raise StoreError("a password in the --store URI is refused: set SHOPSTREAM_MYSQL_PASSWORD or an "
                         "option file (SHOPSTREAM_MYSQL_OPTION_FILE or ?option-file=PATH)")
    path = parts.path.lstrip("/")
    if "." not in path:
        raise StoreError(f"--store {uri!r} names no table: mysql://USER@HOST:PORT/DATABASE.TABLE")
    database, table = path.split(".", 1)
    for what, name in (("database", database), ("table", table)):
        if not _NAME.match(name):
            raise StoreError(f"the {what} name {name!r} in --store is not a plain MySQL identifier")
    query = urllib.parse.parse_qs(parts.query)
    unknown = set(query) - {"option-file"}
    if unknown:
        raise StoreError(f"--store has unknown parameters: {', '.join(sorted(unknown))} (known: option-file)")
    option_file = (query.get("option-file") or [environ.get("SHOPSTREAM_MYSQL_OPTION_FILE", "")])[0]
    options = read_option_file(option_file) if option_file else {}
    try:
        port = parts.port or int(options.get("port", "3306"))
    except ValueError:
        raise StoreError(f"bad port in --store {uri!r} or the option file") from None
    user = urllib.parse.unquote(parts.username or "") or options.get("user", "")
    if not user:
        raise StoreError("no MySQL user: name it in the URI (mysql://USER@HOST...) or in the option file")
    password = environ.get("SHOPSTREAM_MYSQL_PASSWORD")
    if password is None:
        password = options.get("password")
    if password is None:
        raise StoreError("no MySQL password: set SHOPSTREAM_MYSQL_PASSWORD, or name an option file with a "
                         "[client] password (SHOPSTREAM_MYSQL_OPTION_FILE or ?option-file=PATH)")
    host = parts.hostname or options.get("host", "127.0.0.1")
    return Store(user=user, host=host, port=port, database=database, table=table, password=password)
