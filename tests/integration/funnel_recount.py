"""The session funnel with a conversion window (src/event/session_funnel.h) recounted from a CSV
in stream order, without any shopstream code: the counts by brute force over every (view, cart,
purchase) of a product in a session, the histogram by the first view of each stretch."""
import calendar
import collections
import time

WINDOWS = (5, 30, 60)
HORIZON = 3600
DELAY_BUCKETS = (0, 60, 120, 300, 600, 1200, 1800, 2700, 3600)
STEPS = ("view", "cart", "purchase")


def seconds(event_time):
    return calendar.timegm(time.strptime(event_time[:19], "%Y-%m-%d %H:%M:%S"))


def delay_bucket(s):
    return max(b for b in DELAY_BUCKETS if s >= b)


def funnel_steps(rows):
    """The events that are funnel steps, per session in stream order: (seconds, type, product,
    hour). Late events (more than an hour behind the stream's newest) and events earlier than
    their session's newest step are left out."""
    newest = None
    last = {}
    sessions = collections.defaultdict(list)
    for r in rows:
        t = seconds(r["event_time"])
        late = newest is not None and t < newest - HORIZON
        newest = t if newest is None else max(newest, t)
        session = r["user_session"]
        if late or not session or r["event_type"] not in STEPS:
            continue
        if session in last and t < last[session]:
            continue
        last[session] = t
        sessions[session].append((t, r["event_type"], r["product_id"], r["event_time"][:13]))
    return sessions


def recount(rows):
    """{(hour, window): [viewed, carted, bought]}, {(hour, window, delay bucket): sessions}."""
    counts = collections.defaultdict(lambda: [0, 0, 0])
    delays = collections.Counter()
    for steps in funnel_steps(rows).values():
        first_view = next((e for e in steps if e[1] == "view"), None)
        for w in WINDOWS:
            if first_view:
                counts[(first_view[3], w)][0] += 1
            n = w * 60
            carted = next((k for k, (t, kind, p, _) in enumerate(steps) if kind == "cart" and any(
                v[1] == "view" and v[2] == p and 0 <= t - v[0] <= n for v in steps[:k])), None)
            if carted is not None:
                counts[(steps[carted][3], w)][1] += 1

            def completes(k):
                t, kind, p, _ = steps[k]
                if kind != "purchase":
                    return False
                for j in range(k):
                    if steps[j][1] != "cart" or steps[j][2] != p:
                        continue
                    if any(steps[i][1] == "view" and steps[i][2] == p and t - steps[i][0] <= n
                           for i in range(j)):
                        return True
                return False
            bought = next((k for k in range(len(steps)) if completes(k)), None)
            if bought is None:
                continue
            counts[(steps[bought][3], w)][2] += 1
            # The first view of the product in its stretch (no gap over an hour since).
            t, _, p, hour = steps[bought]
            first, last_t = None, None
            for s in steps[:bought]:
                if s[2] != p:
                    continue
                if last_t is not None and s[0] - last_t > HORIZON:
                    first = None
                last_t = s[0]
                if s[1] == "view" and first is None:
                    first = s[0]
            delays[(hour, w, delay_bucket(t - first))] += 1
    return dict(counts), dict(delays)
