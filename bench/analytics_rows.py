#!/usr/bin/env python3
"""Writes a year of rolled-up analytics for bench/analytics_scale.sh: the rows Newsdesk's flushes
would have left after TOTAL page views (default 100 million) on a publication that puts out about
55 articles a day.

The shape, drawn with a fixed seed:
- 20,000 articles, published evenly over 365 days. An article is read most on its first day and
  less each day after (a half-life of about a day and a half) for 30 days; on each day, 2,000
  older articles also get a few views each (readers in the archive, search engines).
- 250 other pages a day: the front page and its pages, 200 topics, the archive, search.
- 300 referring hosts and six kinds of source; four kinds of device (crawlers among them);
  2,000 search terms a day, a tenth of them finding nothing; 100 newsletter links a week.
- Views per day follow a weekly rhythm; the day's views are then scaled so that all days add up
  to TOTAL. Hourly rows exist for the last 35 days (the default retention), daily rows for all.

  analytics_rows.py sqlite FILE NOW_EPOCH [TOTAL]       writes into a SQLite file
  analytics_rows.py csv DIR NOW_EPOCH [TOTAL]           writes one CSV file per table (for COPY)

Monthly rows (the dashboard's year) are the daily rows summed by calendar month.

Days are UTC days here (the publication's calendar shifts them by an hour or two, which changes
no figure that matters). Prints the row counts and the sum of the views.
"""
import calendar
import csv
import math
import os
import random
import sqlite3
import sys
import time

DAYS = 365
HOURLY_DAYS = 35
ARTICLES = 20_000
TAIL = 2_000
TOPICS = 200
HOSTS = 300
TERMS_PER_DAY = 2_000
# Hour-of-day shares: quiet at night, a morning and an evening peak.
DIURNAL = [0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.0, 2.4, 2.2, 2.0, 1.9,
           2.0, 1.9, 1.8, 1.8, 1.9, 2.1, 2.4, 2.6, 2.5, 2.0, 1.4, 0.9]
DIURNAL = [d / sum(DIURNAL) for d in DIURNAL]
MEDIUMS = [("search", 0.38), ("direct", 0.27), ("social", 0.14), ("internal", 0.12),
           ("link", 0.06), ("newsletter", 0.03)]
DEVICES = [("mobile", 0.58), ("desktop", 0.34), ("tablet", 0.08)]


def split_hours(rng, views):
    """A day's views of one row spread over its hours: (hour, views) for hours with any."""
    if views >= 48:
        out, given = [], 0
        for h, share in enumerate(DIURNAL):
            n = int(views * share)
            given += n
            out.append([h, n])
        out[rng.randrange(7, 22)][1] += views - given
        return [(h, n) for h, n in out if n > 0]
    hours = {}
    for _ in range(views):
        h = rng.choices(range(24), DIURNAL)[0]
        hours[h] = hours.get(h, 0) + 1
    return sorted(hours.items())


def generate(now, total, emit):
    rng = random.Random(16)
    today = now - now % 86_400
    first = today - (DAYS - 1) * 86_400
    pub_day = [i * DAYS // ARTICLES for i in range(ARTICLES)]
    weight = [rng.paretovariate(1.3) for _ in range(ARTICLES)]
    by_day = {}
    for i, d in enumerate(pub_day):
        by_day.setdefault(d, []).append(i)
    terms = [f"begriff {i}" for i in range(20_000)]

    # First pass: each day's raw page weights, to scale the year to `total`.
    days = []
    for d in range(DAYS):
        rows = {}
        for age in range(30):
            for i in by_day.get(d - age, []):
                rows[(f"/news/artikel-{i}", i + 1)] = weight[i] * 400 * 0.63 ** age
        published = max(1, min(ARTICLES, (d + 1) * ARTICLES // DAYS))
        for i in rng.sample(range(published), min(TAIL, published)):
            key = (f"/news/artikel-{i}", i + 1)
            rows[key] = rows.get(key, 0) + rng.uniform(1, 12)
        rows[("/", None)] = 9_000
        for p in range(2, 21):
            rows[(f"/page/{p}", None)] = 300 / p
        for t in range(TOPICS):
            rows[(f"/tag/thema-{t}", None)] = 600 / (t + 1)
        rows[("/search", None)] = 1_500
        rows[("/archive", None)] = 120
        weekly = 1.0 if (d % 7) < 5 else 0.8
        days.append((weekly, rows))
    raw = sum(weekly * sum(rows.values()) for weekly, rows in days)
    scale = total / raw

    counts = {}
    sum_views = 0
    # Monthly rows, summed from the daily ones: (table, month start, key) -> [carried, counts].
    months = {}
    # The flush's key columns after span and at, per table; the rest are counts (a page's
    # article is carried along).
    keys = {"analytics_pages": 1, "analytics_sources": 2, "analytics_devices": 1,
            "analytics_searches": 1, "analytics_clicks": 1}

    def put(table, row):
        counts[table] = counts.get(table, 0) + 1
        emit(table, row)
        if row[0] == "d" and table in keys:
            start = month_start(row[1])
            k = keys[table]
            carried = 1 if table == "analytics_pages" else 0
            key = (table, start, row[2:2 + k])
            entry = months.setdefault(key, [row[2 + k:2 + k + carried], [0] * (len(row) - 2 - k - carried)])
            for i, n in enumerate(row[2 + k + carried:]):
                entry[1][i] += n

    for d, (weekly, rows) in enumerate(days):
        at = first + d * 86_400
        hourly = d >= DAYS - HOURLY_DAYS
        day_views = 0
        for (path, article), w in rows.items():
            views = max(1, round(w * weekly * scale))
            day_views += views
            put("analytics_pages", ("d", at, path, article, views))
            if hourly:
                for h, n in split_hours(rng, views):
                    put("analytics_pages", ("h", at + h * 3600, path, article, n))
        sum_views += day_views
        # Sources: the kinds, and the hosts that sent readers (search engines, networks, sites).
        for medium, share in MEDIUMS:
            n = int(day_views * share)
            if medium in ("search", "social", "link", "newsletter"):
                hosts = 100 if medium == "link" else 60
                for k in range(hosts):
                    m = max(1, int(n * (0.5 ** (k / 6)) / 6))
                    put("analytics_sources", ("d", at, medium, f"{medium}{k}.example", m))
            else:
                put("analytics_sources", ("d", at, medium, "", n))
            if hourly:
                for h, share_h in enumerate(DIURNAL):
                    put("analytics_sources", ("h", at + h * 3600, medium, "", max(1, int(n * share_h))))
        for device, share in DEVICES + [("bot", 0.4)]:
            n = int(day_views * share)
            put("analytics_devices", ("d", at, device, n))
            if hourly:
                for h, share_h in enumerate(DIURNAL):
                    put("analytics_devices", ("h", at + h * 3600, device, max(1, int(n * share_h))))
        searches = int(rows[("/search", None)] * weekly * scale)
        chosen = rng.sample(range(len(terms)), TERMS_PER_DAY)
        for rank, t in enumerate(chosen):
            n = max(1, int(searches * 0.08 / (rank + 1) ** 0.9))
            empty = n if t % 10 == 0 else 0
            put("analytics_searches", ("d", at, terms[t], n, empty))
            if hourly and rank < 300:
                for h, m in split_hours(rng, n):
                    put("analytics_searches", ("h", at + h * 3600, terms[t], m, m if empty else 0))
        if d % 7 == 0:
            # The week's newsletter: a mailing with its links.
            week = d // 7
            put("mailings", (week + 1, "campaign", f"bench:{week}", None, None, f"Woche {week}", at,
                             50_000, 150, 10, 40))
            for link in range(100):
                put("mail_links", (week * 100 + link + 1, week + 1, f"https://news.example/news/artikel-{link}", at))
        for link in range(100):
            week = d // 7
            n = max(1, int(2_000 * math.exp(-(d % 7)) / (link + 1)))
            put("analytics_clicks", ("d", at, week * 100 + link + 1, n))
    for (table, start, key), (carried, sums) in months.items():
        counts[table] = counts.get(table, 0) + 1
        emit(table, ("m", start) + tuple(key) + tuple(carried) + tuple(sums))
    return counts, sum_views


def month_start(day):
    t = time.gmtime(day)
    return calendar.timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0))


def main():
    mode, target, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
    total = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000_000
    if mode == "sqlite":
        db = sqlite3.connect(target)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = OFF")
        pending = {}

        def emit(table, row):
            rows = pending.setdefault(table, [])
            rows.append(row)
            if len(rows) >= 50_000:
                flush_table(table)

        def flush_table(table):
            rows = pending.pop(table, [])
            if rows:
                marks = ",".join("?" * len(rows[0]))
                db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

        counts, views = generate(now, total, emit)
        for table in list(pending):
            flush_table(table)
        db.commit()
        db.execute("ANALYZE")
        db.close()
    elif mode == "csv":
        os.makedirs(target, exist_ok=True)
        files, writers = {}, {}

        def emit(table, row):
            if table not in writers:
                files[table] = open(os.path.join(target, f"{table}.csv"), "w", newline="")
                writers[table] = csv.writer(files[table])
            writers[table].writerow(["\\N" if v is None else v for v in row])

        counts, views = generate(now, total, emit)
        for f in files.values():
            f.close()
    else:
        sys.exit(f"unknown mode {mode}")
    for table, n in sorted(counts.items()):
        print(f"{table} {n}")
    print(f"views {views}")


if __name__ == "__main__":
    main()
