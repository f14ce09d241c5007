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

# The people sketches (docs/dashboard.md, "The Live tab") decoded in SQL (docs/superset.md,
# "Live users in SQL"). people_minute keeps, for each minute, HyperLogLog sketches of its users
# and sessions (src/sketch/hyperloglog.h). A small one is sparse: a tag byte 0x01, a varint
# count, then varint deltas of sorted entries, each (25-bit hash prefix << 6 | rank); its
# estimate is the count of its prefixes by linear counting over 2^25 buckets. A minute that held
# more than 3,072 is dense: a tag byte 0x02, then 16,384 6-bit registers, little-endian,
# estimated by Ertl's estimator as HyperLogLog::Estimate. A window is the union of its minutes'
# sketches, as the board merges them: sparse while it holds at most 3,072 distinct prefixes,
# else dense, the sparse entries raised to registers (SetRegister) and each register the MAX
# over the minutes. Divisions are by a DOUBLE (16384E0): MySQL and MariaDB divide integers into
# a DECIMAL of 4 decimals, which moves the estimate.
# Portable to MySQL 8 and MariaDB 10.2+: CTEs and window functions, no sequence tables.
_HEX = " UNION ALL ".join(f"SELECT {d}{' AS d' if d == 0 else ''}" for d in range(16))
_SPARSE_BUCKETS = 1 << 25
_MAX_SPARSE = 3072


def _linear_count(distinct):
    return f"ROUND({_SPARSE_BUCKETS} * LN({_SPARSE_BUCKETS} / ({_SPARSE_BUCKETS} - {distinct})))"


def _estimate(registers, keys):
    """The board's estimate (HyperLogLog::Estimate), rounded, of each group (`keys`) of
    `registers`' rows (keys..., r, prefixes, dense): one per register i of rank r, with the count
    of distinct sparse prefixes raised into it and whether a stored dense sketch gave it. A group
    stays sparse, counted linearly, while it holds at most 3,072 prefixes and no dense sketch;
    else Ertl's estimate from the histogram of ranks, sigma and tau summed over their series'
    first 63 terms (`terms`), where Estimate's loops stop."""
    k = ", ".join(keys)
    return f"""SELECT {k}, CASE WHEN dense = 0 AND prefixes <= {_MAX_SPARSE} THEN {_linear_count("prefixes")}
  ELSE ROUND(0.721347520444481703680 * 16384 * 16384 / (
    16384 * CASE WHEN x51 IN (0, 1) THEN 0
                 ELSE (x51 - (SELECT SUM(POW(1 - POW(1 - x51, POW(2, -j)), 2) * POW(2, -j)) FROM terms)) / 3
            END * POW(2, -50)
    + middle + 16384 * (x0 + (SELECT SUM(POW(x0, POW(2, j)) * POW(2, j - 1)) FROM terms)))) END AS estimate
  FROM (SELECT {k}, SUM(prefixes) AS prefixes, MAX(dense) AS dense,
               SUM(CASE WHEN r <= 50 THEN n * POW(2, -r) ELSE 0 END) AS middle,
               (16384 - SUM(n)) / 16384E0 AS x0, SUM(CASE WHEN r = 51 THEN n ELSE 0 END) / 16384E0 AS x51
        FROM (SELECT {k}, r, COUNT(*) AS n, SUM(prefixes) AS prefixes, MAX(dense) AS dense
              FROM ({registers}) g WHERE r > 0 GROUP BY {k}, r) histogram
        GROUP BY {k}) h"""


# `entries` are the sparse sketches' entries, `registers` the dense sketches' registers and the
# sparse entries raised to registers. Register i is bits [6i, 6i + 6) after the tag: the two
# bytes from byte 6i >> 3, shifted (not DIV: Superset's sqlglot rewrites DIV into a CAST, which
# rounds). A sparse entry raised (SetRegister): the register is the prefix's first 14 bits, the
# rank the position of the first set bit in the 11 after them, or 11 plus the entry's rank when
# those are zero.
_PEOPLE_CTES = f"""WITH newest AS (
  SELECT MAX(bucket) AS minute FROM rollup_minute
), hex AS (
  {_HEX}
), positions AS (
  SELECT a.d + 16 * b.d + 256 * c.d + 4096 * e.d AS i
  FROM hex a CROSS JOIN hex b CROSS JOIN hex c CROSS JOIN hex e WHERE e.d < 4
), terms AS (
  SELECT a.d + 16 * b.d AS j FROM hex a CROSS JOIN hex b WHERE a.d + 16 * b.d BETWEEN 1 AND 63
), minutes AS (
  SELECT DATE_FORMAT(STR_TO_DATE(w.minute, '%Y-%m-%d %H:%i') - INTERVAL (a.d + 16 * b.d) MINUTE,
                     '%Y-%m-%d %H:%i') AS bucket, a.d + 16 * b.d AS minutes_ago, w.minute AS as_of
  FROM newest w CROSS JOIN hex a CROSS JOIN hex b
  WHERE w.minute IS NOT NULL AND a.d + 16 * b.d < 30
), sketches AS (
  SELECT m.bucket, m.minutes_ago, 'users' AS kind, p.users AS sketch
  FROM minutes m JOIN people_minute p ON p.bucket = m.bucket
  WHERE p.scope = 'all' AND p.brand = '' AND p.department = ''
  UNION ALL
  SELECT m.bucket, m.minutes_ago, 'sessions', p.sessions
  FROM minutes m JOIN people_minute p ON p.bucket = m.bucket
  WHERE p.scope = 'all' AND p.brand = '' AND p.department = ''
), sketch_bytes AS (
  SELECT s.bucket, s.minutes_ago, s.kind, 2 + n.i AS at, ORD(SUBSTR(s.sketch, 2 + n.i, 1)) AS b
  FROM sketches s JOIN positions n ON 2 + n.i <= LENGTH(s.sketch)
  WHERE ORD(s.sketch) = 1
), numbered AS (
  SELECT bucket, minutes_ago, kind, at, b,
    COALESCE(SUM(CASE WHEN b < 128 THEN 1 ELSE 0 END) OVER (
      PARTITION BY bucket, kind ORDER BY at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS k
  FROM sketch_bytes
), varints AS (
  SELECT bucket, minutes_ago, kind, k, SUM((b & 127) << (7 * (at - first_at))) AS v
  FROM (SELECT numbered.*, MIN(at) OVER (PARTITION BY bucket, kind, k) AS first_at FROM numbered) x
  GROUP BY bucket, minutes_ago, kind, k
), entries AS (
  SELECT bucket, minutes_ago, kind, SUM(v) OVER (PARTITION BY bucket, kind ORDER BY k) AS entry
  FROM varints WHERE k >= 1
), registers AS (
  SELECT s.bucket, s.minutes_ago, s.kind, 1 AS dense, NULL AS prefix, p.i,
    ((ORD(SUBSTR(s.sketch, 2 + (6 * p.i >> 3), 1)) | (ORD(SUBSTR(s.sketch, 3 + (6 * p.i >> 3), 1)) << 8))
     >> (6 * p.i & 7)) & 63 AS r
  FROM sketches s CROSS JOIN positions p WHERE ORD(s.sketch) = 2
  UNION ALL
  SELECT bucket, minutes_ago, kind, 0, entry >> 6, entry >> 17,
    CASE WHEN (entry >> 6) & 2047 > 0 THEN 12 - LENGTH(BIN((entry >> 6) & 2047)) ELSE 11 + (entry & 63) END
  FROM entries
)"""

# Users in each of the 30 minutes up to the newest holding data (zeros included), as the
# board's users-per-minute chart; the newest minute is still filling.
USERS_PER_MINUTE_SQL = _PEOPLE_CTES + f"""
SELECT STR_TO_DATE(m.bucket, '%Y-%m-%d %H:%i') AS minute, m.bucket, m.minutes_ago,
  STR_TO_DATE(m.as_of, '%Y-%m-%d %H:%i') AS as_of, COALESCE(e.estimate, 0) AS users
FROM minutes m
LEFT JOIN ({_estimate("SELECT bucket, i, MAX(r) AS r, COUNT(DISTINCT prefix) AS prefixes, MAX(dense) AS dense "
                      "FROM registers WHERE kind = 'users' GROUP BY bucket, i", ["bucket"])}) e
  ON e.bucket = m.bucket"""

# Users and sessions with an event in the last 5 and the last 30 minutes (the newest minute
# holding data and the 4, or 29, before it): the union of those minutes' sketches.
LIVE_PEOPLE_SQL = _PEOPLE_CTES + f"""
SELECT w.window_minutes, STR_TO_DATE(n.minute, '%Y-%m-%d %H:%i') AS as_of,
  COALESCE(MAX(CASE WHEN e.kind = 'users' THEN e.estimate END), 0) AS users,
  COALESCE(MAX(CASE WHEN e.kind = 'sessions' THEN e.estimate END), 0) AS sessions
FROM (SELECT 5 AS window_minutes UNION ALL SELECT 30) w CROSS JOIN newest n
LEFT JOIN ({_estimate(
    "SELECT w.window_minutes, g.kind, g.i, MAX(g.r) AS r, COUNT(DISTINCT g.prefix) AS prefixes, "
    "MAX(g.dense) AS dense FROM (SELECT 5 AS window_minutes UNION ALL SELECT 30) w "
    "JOIN registers g ON g.minutes_ago < w.window_minutes GROUP BY w.window_minutes, g.kind, g.i",
    ["window_minutes", "kind"])}) e ON e.window_minutes = w.window_minutes
WHERE n.minute IS NOT NULL
GROUP BY w.window_minutes, n.minute"""

# The session funnel's time from first view to purchase (funnel_delay_hour, docs/dashboard.md):
# sessions bought, by delay bucket and window, over all hours; every bucket listed, zeros
# included, as on the board. The labels sort in the buckets' order.
_DELAY_BUCKETS = [(0, 60, "00-01 min"), (60, 120, "01-02 min"), (120, 300, "02-05 min"), (300, 600, "05-10 min"),
                  (600, 1200, "10-20 min"), (1200, 1800, "20-30 min"), (1800, 2700, "30-45 min"),
                  (2700, 3600, "45-60 min"), (3600, None, "60+ min")]
TIME_TO_PURCHASE_SQL = """SELECT d.from_seconds, d.to_seconds, d.delay, w.window_minutes,
  COALESCE(SUM(f.sessions), 0) AS sessions
FROM (""" + "\n  UNION ALL ".join(
    f"SELECT {lo}{' AS from_seconds' if lo == 0 else ''}, {hi if hi else 'NULL'}{' AS to_seconds' if lo == 0 else ''}, "
    f"'{label}'{' AS delay' if lo == 0 else ''}" for lo, hi, label in _DELAY_BUCKETS) + """) d
CROSS JOIN (SELECT 5 AS window_minutes UNION ALL SELECT 30 UNION ALL SELECT 60) w
LEFT JOIN funnel_delay_hour f ON f.delay_seconds = d.from_seconds AND f.window_minutes = w.window_minutes
GROUP BY d.from_seconds, d.to_seconds, d.delay, w.window_minutes"""

# Each alert rule's latest change, as the board's banner reads it: the rows at the rule's newest
# stream time; a rule that fired and resolved at one boundary has both, and resolved wins.
ALERT_STATES_SQL = """SELECT a.rule, a.state, a.stream_time, a.metric, a.value, a.threshold, a.baseline,
  CASE WHEN a.state = 'fired' THEN 1 ELSE 0 END AS firing
FROM alerts a
WHERE a.stream_time = (SELECT MAX(b.stream_time) FROM alerts b WHERE b.rule = a.rule)
  AND NOT (a.state = 'fired' AND EXISTS (
    SELECT 1 FROM alerts c WHERE c.rule = a.rule AND c.stream_time = a.stream_time AND c.state = 'resolved'))"""

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
    "time_to_purchase": {
        "table_name": "time_to_purchase",
        "sql": TIME_TO_PURCHASE_SQL,
        "description": "Sessions bought, by the time from their first view of the product to the purchase, per "
                       "conversion window, all hours (docs/dashboard.md, The session funnel)",
        "metrics": [_metric("sessions", "Sessions", "SUM(sessions)")],
    },
    "live_people": {
        "table_name": "live_people",
        "sql": LIVE_PEOPLE_SQL,
        "description": "Users and sessions with an event in the last 5 and 30 minutes of stream time, decoded "
                       "from people_minute's sketches (docs/superset.md, Live)",
        "time_columns": ("as_of",),
        "metrics": [_metric("users", "Users", "MAX(users)"), _metric("sessions", "Sessions", "MAX(sessions)")],
    },
    "users_per_minute": {
        "table_name": "users_per_minute",
        "sql": USERS_PER_MINUTE_SQL,
        "description": "Distinct users in each of the last 30 minutes of stream time, decoded from "
                       "people_minute's sketches; the newest minute is still filling (docs/superset.md, Live)",
        "time_columns": ("minute", "as_of"),
        "metrics": [_metric("users", "Users", "SUM(users)")],
    },
    "alerts": {
        "table_name": "alerts",
        "description": "Every change of an alert's state, in stream time (shopstream process --alerts, "
                       "docs/alerts.md)",
        "metrics": [
            _metric("changes", "Changes", "COUNT(*)"),
            _metric("fired", "Fired", "SUM(CASE WHEN state = 'fired' THEN 1 ELSE 0 END)"),
            _metric("latest_change", "Latest", "MAX(stream_time)", d3format=None),
        ],
    },
    "alert_states": {
        "table_name": "alert_states",
        "sql": ALERT_STATES_SQL,
        "description": "Each alert rule's latest change; state fired: firing now (docs/alerts.md)",
        "metrics": [_metric("firing", "Firing now", "COALESCE(SUM(firing), 0)")],
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


_ALERT_COLUMNS = ["rule", "state", "stream_time", "metric", "value", "threshold", "baseline"]
# A baseline is a mean per window (0.0333...): three significant digits; no cell bars.
_ALERT_TABLE = dict(_TABLE, query_mode="raw", groupby=[], metrics=[], all_columns=_ALERT_COLUMNS, show_cell_bars=False,
                    column_config={c: {"d3NumberFormat": ",.3~g"} for c in ("value", "threshold", "baseline")})


def _big_number(metric, window_minutes, subheader):
    return {"metric": metric, "header_font_size": 0.4, "subheader_font_size": 0.15, "y_axis_format": ",d",
            "subheader": subheader, "time_format": "smart_date",
            "adhoc_filters": [_where("window_minutes", window_minutes)]}


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
    "fu_time_to_purchase": {
        "name": "Time from first view to purchase, 30-minute window", "dataset": "time_to_purchase",
        "viz_type": "echarts_timeseries_bar",
        "params": {"x_axis": "delay", "time_grain_sqla": None, "x_axis_sort": "delay", "x_axis_sort_asc": True,
                   "metrics": ["sessions"], "groupby": [], "order_desc": True, "row_limit": 100,
                   "truncate_metric": True, "show_empty_columns": True, "comparison_type": "values",
                   "color_scheme": "supersetColors", "show_legend": False, "rich_tooltip": True,
                   "y_axis_format": "SMART_NUMBER", "y_axis_bounds": [None, None], "orientation": "vertical",
                   "x_axis_title": "time from the first view of the product to its purchase",
                   "x_axis_title_margin": 30, "adhoc_filters": [_where("window_minutes", 30)]}},
    "lv_users_5m": {
        "name": "Users, last 5 minutes", "dataset": "live_people", "viz_type": "big_number_total",
        "params": _big_number("users", 5, "distinct users, the newest minute and the 4 before")},
    "lv_sessions_5m": {
        "name": "Sessions, last 5 minutes", "dataset": "live_people", "viz_type": "big_number_total",
        "params": _big_number("sessions", 5, "distinct sessions, the newest minute and the 4 before")},
    "lv_users_30m": {
        "name": "Users, last 30 minutes", "dataset": "live_people", "viz_type": "big_number_total",
        "params": _big_number("users", 30, "distinct users, the newest minute and the 29 before")},
    "lv_sessions_30m": {
        "name": "Sessions, last 30 minutes", "dataset": "live_people", "viz_type": "big_number_total",
        "params": _big_number("sessions", 30, "distinct sessions, the newest minute and the 29 before")},
    "lv_users_per_minute": {
        "name": "Users per minute, last 30 minutes (the newest still filling)", "dataset": "users_per_minute",
        "viz_type": "echarts_timeseries_bar",
        "params": {"x_axis": "minute", "time_grain_sqla": None, "temporal_columns_lookup": {"minute": True},
                   "x_axis_sort_asc": True, "metrics": ["users"], "groupby": [], "order_desc": True,
                   "row_limit": 100, "truncate_metric": True, "show_empty_columns": True,
                   "comparison_type": "values", "color_scheme": "supersetColors", "show_legend": False,
                   "x_axis_time_format": "%H:%M", "rich_tooltip": True, "tooltipTimeFormat": "%Y-%m-%d %H:%M",
                   "y_axis_format": "SMART_NUMBER", "truncateXAxis": True, "y_axis_bounds": [None, None],
                   "orientation": "vertical", "adhoc_filters": []}},
    "al_firing": {
        "name": "Alerts firing now", "dataset": "alert_states", "viz_type": "big_number_total",
        "params": {"metric": "firing", "header_font_size": 0.4, "subheader_font_size": 0.15, "y_axis_format": ",d",
                   "subheader": "rules whose latest change fired", "time_format": "smart_date",
                   "adhoc_filters": []}},
    "al_states": {
        "name": "Alert rules, latest change", "dataset": "alert_states", "viz_type": "table",
        "params": dict(_ALERT_TABLE, order_by_cols=['["rule", true]'], row_limit=100, adhoc_filters=[])},
    "al_history": {
        "name": "Alert history, newest first", "dataset": "alerts", "viz_type": "table",
        "params": dict(_ALERT_TABLE, order_by_cols=['["stream_time", false]', '["state", false]', '["rule", true]'],
                       row_limit=100, server_page_length=20, adhoc_filters=[])},
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

# (tab, title, the tab it goes before (None: last), [(row id, [(chart key, width[, height])])])
LAYOUT = [
    ("live", "Live", "funnel",
     [("ROW-live-0", [("lv_users_5m", 3, 25), ("lv_sessions_5m", 3, 25), ("lv_users_30m", 3, 25),
                      ("lv_sessions_30m", 3, 25)]),
      ("ROW-live-1", [("lv_users_per_minute", 12)])]),
    ("funnel", "Funnel", None, [("ROW-funnel-1", [("fu_session_funnel", 6), ("fu_session_windows", 6)]),
                                ("ROW-funnel-2", [("fu_time_to_purchase", 12)])]),
    ("alerts", "Alerts", "deadletters",
     [("ROW-alerts-0", [("al_firing", 3), ("al_states", 9)]), ("ROW-alerts-1", [("al_history", 12)])]),
    ("trending", "Trending", "original",
     [("ROW-trending-0", [("tr_products", 4), ("tr_products_rising", 4), ("tr_brands", 4)])]),
    ("deadletters", "Dead letters", "original", [("ROW-deadletters-0", [("dl_by_code", 8), ("dl_codes", 4)])]),
]
