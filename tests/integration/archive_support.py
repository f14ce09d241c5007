"""Helpers for the archive's tests: the archive's files read back without shopstream code,
from local disk or over WebHDFS (Python's urllib), with pyarrow."""
import io
import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq

HDFS_HTTP_PORT = int(os.environ.get("STACK_HDFS_HTTP_PORT", "9870"))
WEBHDFS = f"http://127.0.0.1:{HDFS_HTTP_PORT}/webhdfs/v1"
FINAL = re.compile(r"^part-(\d+)-(\d+)-(\d+)-(\d+)of(\d+)\.parquet$")


class LocalTree:
    """An archive on local disk."""

    def __init__(self, root):
        self.root = Path(root)

    def uri(self):
        return f"file://{self.root}"

    def listing(self):
        """{folder: [names]} of the archive's root."""
        if not self.root.exists():
            return {}
        return {d.name: sorted(f.name for f in d.iterdir()) for d in self.root.iterdir() if d.is_dir()}

    def read(self, folder, name):
        return pq.read_table(self.root / folder / name)

    def root_files(self):
        return [f.name for f in self.root.iterdir() if f.is_file()]


class HdfsTree:
    """An archive on the stack's HDFS, read over WebHDFS by urllib (which follows the
    NameNode's redirect to the DataNode)."""

    def __init__(self, path):
        self.path = "/" + path.strip("/")

    def uri(self):
        return f"hdfs://127.0.0.1:{HDFS_HTTP_PORT}{self.path}"

    def _get(self, path, op):
        url = f"{WEBHDFS}{path}?op={op}&user.name=tests"
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.read()

    def _names(self, path, kind):
        try:
            statuses = json.loads(self._get(path, "LISTSTATUS"))["FileStatuses"]["FileStatus"]
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return []
            raise
        return [s["pathSuffix"] for s in statuses if s["type"] == kind]

    def listing(self):
        return {d: sorted(self._names(f"{self.path}/{d}", "FILE"))
                for d in self._names(self.path, "DIRECTORY")}

    def root_files(self):
        return self._names(self.path, "FILE")

    def read(self, folder, name):
        return pq.read_table(io.BytesIO(self._get(f"{self.path}/{folder}/{name}", "OPEN")))

    def delete(self):
        req = urllib.request.Request(f"{WEBHDFS}{self.path}?op=DELETE&recursive=true&user.name=tests",
                                     method="DELETE")
        urllib.request.urlopen(req, timeout=60).read()


def archived_messages(tree):
    """Messages in final files, counted from their names: {partition: count}."""
    out = {}
    seen = set()
    for folder, names in tree.listing().items():
        for name in names:
            m = FINAL.match(name)
            if m and (m.group(1), m.group(2)) not in seen:
                seen.add((m.group(1), m.group(2)))
                out[int(m.group(1))] = out.get(int(m.group(1)), 0) + int(m.group(3)) - int(m.group(2)) + 1
    return out


def read_archive(tree):
    """Every row of the final files: (events as a list of dicts, dead letters as dicts, names
    that are not final files). Checks that every event lies in its date's folder."""
    events, letters, leftovers = [], [], []
    for folder, names in sorted(tree.listing().items()):
        for name in names:
            if not FINAL.match(name):
                leftovers.append(f"{folder}/{name}")
                continue
            table = tree.read(folder, name)
            if folder == "_dead_letters":
                letters += table.to_pylist()
                continue
            assert folder.startswith("event_date="), folder
            day = folder.split("=", 1)[1]
            assert str(table.schema.field("event_time").type) == "timestamp[us, tz=UTC]"
            assert str(table.schema.field("price").type) == "float"
            for row in table.to_pylist():
                assert row["event_time"].strftime("%Y-%m-%d") == day, (folder, row)
                events.append(row)
    return events, letters, leftovers
