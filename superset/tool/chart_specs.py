"""What add_charts.py asks Superset to make: the datasets (their SQL, computed columns and
saved metrics), the charts (their form data) and where they go on the dashboard. Table names
are those of the `operations` store; add_charts.py renames them for another rows table."""


def _hour(column):
    return f"STR_TO_DATE(DATE_FORMAT({column}, '%Y-%m-%d %H'), '%Y-%m-%d %H')"


def _metric(name, label, expression, d3format=",d", description=None):
    return {"metric_name": name, "verbose_name": label, "expression": expression, "d3format": d3format,
            "description": description}


def _where(subject, value):
    return {"expressionType": "SIMPLE", "subject": subject, "operator": "==", "comparator": value,
            "clause": "WHERE", "filterOptionName": f"filter_{subject}", "isExtra": False, "isNew": False}


def _where_sql(sql, name):
    return {"expressionType": "SQL", "sqlExpression": sql, "clause": "WHERE", "filterOptionName": name,
            "isExtra": False, "isNew": False}


# Each name's value in the current window (the newest hour holding data and the hours before
# it, window_hours in all) and in the window of equal length just before: /api/trending's
# windows for products and brands (docs/dashboard.md, "The Trending tab"), here for 1 and 24
# hours at once, every name and event type. The newest hour is rollup_hour's, which counts every
# event, as the board's newest minute does.
_WINDOWS = """(SELECT n.window_hours,
    DATE_FORMAT(STR_TO_DATE(MAX(r.bucket), '%Y-%m-%d %H') - INTERVAL (n.window_hours - 1) HOUR,
                '%Y-%m-%d %H') AS current_from,
    DATE_FORMAT(STR_TO_DATE(MAX(r.bucket), '%Y-%m-%d %H') - INTERVAL (2 * n.window_hours - 1) HOUR,
                '%Y-%m-%d %H') AS previous_from
  FROM rollup_hour r CROSS JOIN (SELECT 1 AS window_hours UNION ALL SELECT 24) n
  GROUP BY n.window_hours)"""


def _trend_part(dimension, table, department, name):
    return f"""SELECT w.window_hours, '{dimension}' AS dimension, {department} AS department,
  h.{name} AS name, h.event_type,
  SUM(CASE WHEN h.bucket >= w.current_from THEN h.events ELSE 0 END) AS now_events,
  SUM(CASE WHEN h.bucket < w.current_from THEN h.events ELSE 0 END) AS before_events,
  SUM(CASE WHEN h.bucket >= w.current_from THEN h.revenue ELSE 0 END) AS now_revenue,
  SUM(CASE WHEN h.bucket < w.current_from THEN h.revenue ELSE 0 END) AS before_revenue
FROM {table} h JOIN {_WINDOWS} w ON h.bucket >= w.previous_from
GROUP BY w.window_hours, {department}, h.{name}, h.event_type"""


TRENDING_SQL = (_trend_part("product", "rollup_hour_product", "h.department", "product") + "\nUNION ALL\n"
                + _trend_part("brand", "rollup_hour_brand", "''", "brand"))

SESSION_FUNNEL_SQL = """SELECT bucket, window_minutes, 1 AS step_order, 'viewed' AS step, viewed AS sessions FROM funnel_hour
UNION ALL SELECT bucket, window_minutes, 2, 'carted', carted FROM funnel_hour
UNION ALL SELECT bucket, window_minutes, 3, 'bought', bought FROM funnel_hour"""

DATASETS = {
    "dead_letters": {
        "table_name": "dead_letters",
        "description": "Messages the processor could not store, with a reason code (docs/dead-letters.md)",
        "main_dttm_col": "recorded_at",
        "time_columns": ("recorded_at", "replayed_at", "hour"),
        "computed": [{"column_name": "hour", "type": "DATETIME", "is_dttm": True, "expression": _hour("recorded_at"),
                      "description": "recorded_at to the hour (UTC)"}],
        "metrics": [
            _metric("dead_letters", "Dead letters", "COUNT(*)"),
            _metric("open_letters", "Open", "SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END)",
                    description="not replayed and not quarantined"),
            _metric("latest_recorded", "Latest", "MAX(recorded_at)", d3format=None),
        ],
    },
    "funnel_hour": {
        "table_name": "funnel_hour",
        "description": "Sessions that viewed, carted and bought the same product within a window, by the "
                       "hour each reached the step (docs/dashboard.md, The session funnel)",
        "metrics": [
            _metric("viewed", "Viewed", "SUM(viewed)"),
            _metric("carted", "Carted", "SUM(carted)"),
            _metric("bought", "Bought", "SUM(bought)"),
            _metric("view_to_cart", "Viewed → carted", "SUM(carted) / NULLIF(SUM(viewed), 0)", ".2%"),
            _metric("cart_to_purchase", "Carted → bought", "SUM(bought) / NULLIF(SUM(carted), 0)", ".2%"),
            _metric("view_to_purchase", "Viewed → bought", "SUM(bought) / NULLIF(SUM(viewed), 0)", ".2%"),
        ],
    },
    "session_funnel": {
        "table_name": "session_funnel",
        "sql": SESSION_FUNNEL_SQL,
        "description": "funnel_hour with one row per step (viewed, carted, bought), for Superset's funnel chart",
        "metrics": [_metric("sessions", "Sessions", "SUM(sessions)")],
    },
    "trending": {
        "table_name": "trending",
        "sql": TRENDING_SQL,
        "description": "Products and brands in the newest 1 and 24 hours of stream time and in the window "
                       "before (docs/dashboard.md, The Trending tab)",
        "metrics": [
            _metric("now", "Now", "SUM(now_events)"),
            _metric("before", "Before", "SUM(before_events)"),
            _metric("rise", "Rise", "SUM(now_events) - SUM(before_events)", "+,d"),
            _metric("change", "Change", "(SUM(now_events) - SUM(before_events)) / NULLIF(SUM(before_events), 0)",
                    "+.0%"),
            _metric("revenue_now", "Revenue now", "SUM(now_revenue)", ",.2f"),
            _metric("revenue_before", "Revenue before", "SUM(before_revenue)", ",.2f"),
            _metric("revenue_change", "Revenue change",
                    "(SUM(now_revenue) - SUM(before_revenue)) / NULLIF(SUM(before_revenue), 0)", "+.0%"),
        ],
    },
}

_TABLE = {"query_mode": "aggregate", "all_columns": [], "percent_metrics": [], "order_by_cols": [],
          "order_desc": True, "server_page_length": 10, "table_timestamp_format": "smart_date",
          "show_cell_bars": True, "color_pn": True, "include_search": False, "allow_render_html": False}


def _trend_table(dimension, event_type, metrics, order, extra_filter, groupby):
    return dict(_TABLE, groupby=groupby, metrics=metrics, timeseries_limit_metric=order, row_limit=10,
                adhoc_filters=[_where("window_hours", 24), _where("dimension", dimension),
                               _where("event_type", event_type), extra_filter])


CHARTS = {
    "dl_by_code": {
        "name": "Dead letters by code per hour", "dataset": "dead_letters", "viz_type": "echarts_timeseries_bar",
        "params": {"x_axis": "hour", "time_grain_sqla": None, "temporal_columns_lookup": {"hour": True},
                   "x_axis_sort_asc": True, "metrics": ["dead_letters"], "groupby": ["code"], "order_desc": True,
                   "row_limit": 50000, "truncate_metric": True, "show_empty_columns": True,
                   "comparison_type": "values", "color_scheme": "supersetColors", "show_legend": True,
                   "legendType": "scroll", "legendOrientation": "top", "x_axis_time_format": "smart_date",
                   "rich_tooltip": True, "tooltipTimeFormat": "smart_date", "y_axis_format": "SMART_NUMBER",
                   "truncateXAxis": True, "y_axis_bounds": [None, None], "only_total": True, "stack": "Stack",
                   "orientation": "vertical", "adhoc_filters": []}},
    "dl_codes": {
        "name": "Dead letters by code", "dataset": "dead_letters", "viz_type": "table",
        "params": dict(_TABLE, groupby=["code", "field"], metrics=["dead_letters", "open_letters", "latest_recorded"],
                       timeseries_limit_metric="dead_letters", row_limit=100, adhoc_filters=[])},
    "fu_session_funnel": {
        "name": "Session funnel, 30-minute window", "dataset": "session_funnel", "viz_type": "funnel",
        "params": {"groupby": ["step"], "metric": "sessions", "row_limit": 10, "sort_by_metric": True,
                   "percent_calculation_type": "first_step", "color_scheme": "supersetColors", "show_legend": True,
                   "legendOrientation": "top", "tooltip_label_type": 5, "number_format": "SMART_NUMBER",
                   "show_labels": True, "show_tooltip_labels": True, "label_type": 5,
                   "adhoc_filters": [_where("window_minutes", 30)]}},
    "fu_session_windows": {
        "name": "Sessions by conversion window", "dataset": "funnel_hour", "viz_type": "table",
        "params": dict(_TABLE, groupby=["window_minutes"],
                       metrics=["viewed", "carted", "bought", "view_to_cart", "cart_to_purchase", "view_to_purchase"],
                       timeseries_limit_metric=None, order_by_cols=['["window_minutes", true]'], row_limit=10,
                       adhoc_filters=[])},
    "tr_products": {
        "name": "Trending products, last 24 hours (views)", "dataset": "trending", "viz_type": "table",
        "params": _trend_table("product", "view", ["now", "before", "change"], "now",
                               _where_sql("now_events > 0", "filter_now"), ["department", "name"])},
    "tr_products_rising": {
        "name": "Rising fastest products, last 24 hours (views)", "dataset": "trending", "viz_type": "table",
        "params": _trend_table("product", "view", ["rise", "now", "before", "change"], "rise",
                               _where_sql("now_events > before_events", "filter_rising"), ["department", "name"])},
    "tr_brands": {
        "name": "Trending brands, last 24 hours (revenue)", "dataset": "trending", "viz_type": "table",
        "params": _trend_table("brand", "purchase", ["revenue_now", "revenue_before", "revenue_change"],
                               "revenue_now", _where_sql("now_revenue > 0", "filter_revenue"), ["name"])},
}

# (tab, title, the tab it goes before (None: last), [(row id, [(chart key, width)])])
LAYOUT = [
    ("funnel", "Funnel", None, [("ROW-funnel-1", [("fu_session_funnel", 6), ("fu_session_windows", 6)])]),
    ("trending", "Trending", "original",
     [("ROW-trending-0", [("tr_products", 4), ("tr_products_rising", 4), ("tr_brands", 4)])]),
    ("deadletters", "Dead letters", "original", [("ROW-deadletters-0", [("dl_by_code", 8), ("dl_codes", 4)])]),
]
