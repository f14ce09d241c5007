#!/usr/bin/env python3
"""Builds the bundle's later charts in a running Superset, through its REST API, on the
dashboard imported for a store: dead letters by code, the session funnel and its time to
purchase, trending products and brands, live users and sessions, alerts. Superset then writes their YAML (`scripts/superset export`), so the bundle holds what
Superset itself makes, never hand-written YAML (docs/superset.md, "How the later charts were
made"). Objects that exist already (by name) are left alone, so a second run adds nothing.

  python3 superset/tool/add_charts.py --store mysql://admin@127.0.0.1:3306/DB.operations
  scripts/superset export --store mysql://admin@127.0.0.1:3306/DB.operations

Credentials as for scripts/superset (the Superset password from $SHOPSTREAM_SUPERSET_PASSWORD
or the stack's admin-password file)."""
import argparse
import json
import os
import pathlib
import sys

import bundle
from chart_specs import CHARTS, DATASETS, LAYOUT
from client import Client, SupersetError
from store import StoreError, parse_store

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD_FILE = ROOT / ".cache" / "run" / "superset" / "admin-password"
COLUMN_KEYS = ("id", "column_name", "type", "verbose_name", "description", "expression", "filterable",
               "groupby", "is_active", "is_dttm", "python_date_format", "extra", "advanced_data_type")


def dataset(client, database_id, spec):
    """The dataset of `spec`, created (physical, or virtual with its SQL) when missing."""
    found = [d for d in client.find("dataset", "table_name", spec["table_name"], ("id", "database.id"))
             if d["database"]["id"] == database_id]
    if found:
        return found[0]["id"], False
    body = {"database": database_id, "table_name": spec["table_name"]}
    if spec.get("sql"):
        body["sql"] = spec["sql"]
    created = client.json("POST", "/api/v1/dataset/", body)
    dataset_id = created["id"]
    current = client.json("GET", f"/api/v1/dataset/{dataset_id}")["result"]
    columns = [{k: c[k] for k in COLUMN_KEYS if k in c} for c in current["columns"]]
    for column in columns:  # Superset guesses the time columns; ours are named
        column["is_dttm"] = column["column_name"] in spec.get("time_columns", ())
    columns += [dict(c, is_active=True, groupby=True, filterable=True) for c in spec.get("computed", ())]
    client.json("PUT", f"/api/v1/dataset/{dataset_id}", {
        "description": spec["description"],
        "main_dttm_col": spec.get("main_dttm_col"),
        "columns": columns,
        "metrics": [dict(m, metric_type=None) for m in spec["metrics"]],
    })
    return dataset_id, True


def chart(client, dashboard_id, dataset_ids, spec):
    found = [c for c in client.find("chart", "slice_name", spec["name"], ("id", "uuid", "datasource_id"))
             if c["datasource_id"] == dataset_ids[spec["dataset"]]]
    if found:
        return found[0]["id"], found[0]["uuid"], False
    params = dict(spec["params"], viz_type=spec["viz_type"], extra_form_data={}, annotation_layers=[])
    created = client.json("POST", "/api/v1/chart/", {
        "slice_name": spec["name"], "viz_type": spec["viz_type"], "description": spec.get("description"),
        "datasource_id": dataset_ids[spec["dataset"]], "datasource_type": "table",
        "params": json.dumps(params), "dashboards": [dashboard_id]})
    got = client.json("GET", f"/api/v1/chart/{created['id']}?q=(columns:!(uuid))")["result"]
    return created["id"], got["uuid"], True


def place(position, charts):
    """The dashboard's layout with LAYOUT's tabs and rows added (those there already are kept)."""
    tabs = position["TABS-main"]["children"]
    for tab, title, before, rows in LAYOUT:
        tab_id = f"TAB-{tab}"
        if tab_id not in position:
            position[tab_id] = {"children": [], "id": tab_id, "type": "TAB", "parents": ["ROOT_ID", "TABS-main"],
                                "meta": {"text": title, "defaultText": "Tab title", "placeholder": "Tab title"}}
            tabs.insert(tabs.index(f"TAB-{before}") if before else len(tabs), tab_id)
        for row_id, members in rows:
            if row_id in position:
                continue
            position[tab_id]["children"].append(row_id)
            parents = ["ROOT_ID", "TABS-main", tab_id]
            position[row_id] = {"children": [], "id": row_id, "type": "ROW", "parents": parents,
                                "meta": {"background": "BACKGROUND_TRANSPARENT"}}
            for key, width, *height in members:
                chart_id, chart_uuid, name = charts[key]
                node = f"CHART-{key}"
                position[row_id]["children"].append(node)
                position[node] = {"children": [], "id": node, "type": "CHART", "parents": parents + [row_id],
                                  "meta": {"chartId": chart_id, "height": height[0] if height else 50, "width": width,
                                           "sliceName": name, "uuid": chart_uuid}}
    return position


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, metavar="URI", help="the store the dashboard was imported for")
    parser.add_argument("--superset-url", default="http://127.0.0.1:8089", metavar="URL")
    parser.add_argument("--superset-user", default="admin", metavar="NAME")
    args = parser.parse_args(argv)
    try:
        store = parse_store(args.store)
        password = os.environ.get("SHOPSTREAM_SUPERSET_PASSWORD") or PASSWORD_FILE.read_text().strip()
    except (StoreError, OSError) as e:
        print(f"add_charts: error: {e}", file=sys.stderr)
        return 2
    try:
        client = Client(args.superset_url)
        client.login(args.superset_user, password)
        files = bundle.load()
        dashboards = client.find("dashboard", "uuid", bundle.dashboard_uuid(files, store))
        database_uuid = bundle.derived_uuid(bundle._top_level(files[bundle.DATABASE_FILE], "uuid"), store.key())
        databases = client.find("database", "uuid", database_uuid)
        if len(dashboards) != 1 or len(databases) != 1:
            raise SupersetError(f"no dashboard imported for {store.key()} (run scripts/superset import first)")
        dashboard_id = dashboards[0]["id"]
        dataset_ids = {}
        for key, spec in DATASETS.items():
            if spec.get("sql"):  # a virtual dataset reads the store's own side tables
                spec = dict(spec, sql=bundle.sql_for_table(spec["sql"], store.table))
            else:
                spec = dict(spec, table_name=bundle.owned_table(store.table, spec["table_name"]))
            dataset_ids[key], new = dataset(client, databases[0]["id"], spec)
            print(f"dataset {spec['table_name']}: {'created' if new else 'there'} (id {dataset_ids[key]})")
        charts = {}
        for key, spec in CHARTS.items():
            chart_id, chart_uuid, new = chart(client, dashboard_id, dataset_ids, spec)
            charts[key] = (chart_id, chart_uuid, spec["name"])
            print(f"chart {spec['name']}: {'created' if new else 'there'} (id {chart_id})")
        current = client.json("GET", f"/api/v1/dashboard/{dashboard_id}")["result"]
        position = place(json.loads(current["position_json"]), charts)
        client.json("PUT", f"/api/v1/dashboard/{dashboard_id}", {"position_json": json.dumps(position)})
    except SupersetError as e:
        print(f"add_charts: error: {e}", file=sys.stderr)
        return 1
    print("add_charts: done; now scripts/superset export --store ... and review git diff")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
