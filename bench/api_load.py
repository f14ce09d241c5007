"""The dashboard's API under load, for the sections that measure it (dashboard, month, superset):
`shopstream serve` on a store, and wrk cycling over a page's requests."""
import json
import os
import re
import shutil
import subprocess
from urllib.parse import urlencode

from common import BIN, OUT


def _ensure_wrk():
    """wrk, Debian's HTTP load tool, installed on first use like scripts/install-deps does."""
    if shutil.which("wrk"):
        return "wrk"
    sudo = [] if os.getuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return "wrk"


def wrk_latency(url, paths, seconds, connections):
    """p50 and p99 latency in ms and requests/s of wrk cycling over `paths`."""
    script = OUT / "dashboard-page.lua"
    script.write_text("local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
                      "local i = 0\n"
                      "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
    threads = min(2, connections)
    out = subprocess.run([_ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "300s",
                          "--latency", "-s", str(script),
                          url], check=True, capture_output=True, text=True).stdout
    if re.search(r"Non-2xx or 3xx responses", out):
        raise RuntimeError("dashboard bench: the API answered errors under load:\n" + out)
    unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    pct = {m.group(1): float(m.group(2)) * unit[m.group(3)]
           for m in re.finditer(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    if count < len(paths) or "50" not in pct:
        raise RuntimeError(f"dashboard bench: wrk completed only {count} requests in {seconds} s:\n{out}")
    return pct["50"], pct["99"], rate, count


def serve(store_uri, env, *extra):
    proc = subprocess.Popen([str(BIN), "serve", "--store", store_uri, "--listen", "127.0.0.1:0", *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.kill()
        raise RuntimeError(f"shopstream serve --store {store_uri} did not start")
    return proc, line.split("on ")[1].split(" ")[0].rstrip("/")


def page_paths(department=None, brand=None, range_=None, previous=None):
    """The requests one refresh of the dashboard's page makes (web/app.js refresh()), with a
    department or brand picked and a time range (and the previous one, for the KPIs' change); no
    arguments: all time, nothing picked."""
    both = {k: v for k, v in (("department", department), ("brand", brand)) if v}
    only_brand = {"brand": brand} if brand else {}
    only_department = {"department": department} if department else {}

    def url(path, *parts):
        query = {}
        for part in parts:
            query.update(part)
        return path + ("?" + urlencode(query) if query else "")
    r = range_ or {}
    paths = ["/api/extent", url("/api/kpis", r, both), url("/api/people", r, both)]
    if previous:
        paths += [url("/api/kpis", previous, both), url("/api/people", previous, both)]
    paths += [url("/api/timeseries", r, both), url("/api/departments", r, only_brand),
              url("/api/brands", r, {"limit": 100}, only_department),
              url("/api/products", r, {"limit": 10}, both), url("/api/mix", r, both), "/api/status"]
    return paths
