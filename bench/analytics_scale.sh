#!/usr/bin/env bash
# The analytics dashboard at 100 million page views: a year of rolled-up rows written by
# bench/analytics_rows.py (hourly rows for the last 35 days, daily rows for the year, as the
# default retention keeps them), then every dashboard page (the four periods, an article's curve
# and the CSV of each table) requested in turns by an editor. Reports the storage the rows take
# and, from the database driver's own timing of each statement (sqlx logs every statement with
# its elapsed time when database.slow_statement_ms is 0), each dashboard query's p50, p99 and slowest, and each page's.
#
#   bench/analytics_scale.sh [ROUNDS] [TOTAL_VIEWS]     (default 30 rounds, 100000000 views)
#   DB=postgres://postgres@127.0.0.1:5432/postgres bench/analytics_scale.sh   on PostgreSQL
#   KEEP_WORK=1 …                                      keeps the work folder (and the PostgreSQL database)
#
# Builds in release mode (or takes BIN=path). Uses loopback only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
rounds=${1:-30}
total=${2:-100000000}
need curl python3
[ -n "${DB:-}" ] && need psql

work=$(mktemp -d /tmp/newsdesk-analytics.XXXXXX)
nd_pid=""
pg_db=""
cleanup() {
  [ -n "$nd_pid" ] && kill "$nd_pid" 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then
    echo "kept $work${pg_db:+ and the database $pg_db}" >&2
  else
    [ -n "$pg_db" ] && psql -q "$DB" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" 2>/dev/null
    rm -rf "$work"
  fi
}
trap cleanup EXIT
newsdesk_binary
data=$work/data
now=$(date +%s)

if [ -n "${DB:-}" ]; then
  pg_db=newsdesk_analytics_$$
  psql -q "$DB" -c "CREATE DATABASE $pg_db"
  export NEWSDESK_DATABASE__URL="${DB%/*}/$pg_db"
  backend=PostgreSQL
else
  backend=SQLite
fi
"$bin" --data "$data" migrate >/dev/null
say "writing a year of rows for $total page views into $backend"
started=$(date +%s.%N)
if [ -n "${DB:-}" ]; then
  python3 bench/analytics_rows.py csv "$work/rows" "$now" "$total" >"$work/rows.txt"
  for table in mailings mail_links analytics_pages analytics_sources analytics_devices analytics_searches analytics_clicks; do
    file=$work/rows/$table.csv
    psql -q "$NEWSDESK_DATABASE__URL" -c "\\copy $table FROM '$file' WITH (FORMAT csv, NULL '\\N')"
  done
  # What autovacuum does to a table that only grows: the visibility map lets index scans skip
  # the heap, and the planner gets its statistics.
  psql -q "$NEWSDESK_DATABASE__URL" -c "VACUUM ANALYZE"
  size=$(psql -qtA "$NEWSDESK_DATABASE__URL" -c "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c
    WHERE c.relkind = 'r' AND (c.relname LIKE 'analytics_%' OR c.relname IN ('mailings', 'mail_links'))")
else
  python3 bench/analytics_rows.py sqlite "$data/newsdesk.db" "$now" "$total" >"$work/rows.txt"
  before=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('VACUUM'); print(c.execute('PRAGMA page_count').fetchone()[0] * c.execute('PRAGMA page_size').fetchone()[0])" "$data/newsdesk.db")
  size=$(python3 - "$data/newsdesk.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
try:
    rows = c.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'analytics_%' OR name LIKE 'sqlite_autoindex_analytics_%' OR name IN ('mailings', 'mail_links') OR name LIKE 'sqlite_autoindex_mail%'").fetchone()
    print(rows[0])
except sqlite3.OperationalError:
    print(0)
EOF
)
  [ "$size" = "0" ] && size=$before
fi
gen_secs=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
views=$(awk '$1 == "views" { print $2 }' "$work/rows.txt")
say "$(tr '\n' ' ' <"$work/rows.txt") in ${gen_secs}s; $((size / 1048576)) MiB"

printf 'bench-editor-password-1\n' | "$bin" --data "$data" user add --role editor --password-stdin bench@example.org >/dev/null

# One statement on the site's database, its rows as `a|b` lines.
sql() {
  if [ -n "${DB:-}" ]; then
    psql -qtA "$NEWSDESK_DATABASE__URL" -c "$1"
  else
    python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]): print('|'.join(map(str, r)))" "$data/newsdesk.db" "$1"
  fi
}

# The days and months that are over are sealed by the nodes' flushes (each seals up to 16 of
# each level): a server flushing every second catches up on the year, and stops once the marks
# no longer move.
say "sealing the days and months that are over"
port=$(free_port)
NEWSDESK_ANALYTICS__FLUSH_SECS=1 NEWSDESK_ANALYTICS__ENABLED=false \
  "$bin" --data "$data" serve --demo --listen "127.0.0.1:$port" >"$work/seal.log" 2>&1 &
nd_pid=$!
started=$(date +%s.%N)
last=""; same=0
for _ in $(seq 900); do
  sleep 1
  marks=$(sql "SELECT span, until FROM analytics_sealed ORDER BY span" | tr '\n' ' ')
  if [ -n "$marks" ] && [ "$marks" = "$last" ]; then same=$((same + 1)); else same=0; fi
  last=$marks
  [ "$same" -ge 3 ] && break
done
kill "$nd_pid"; wait "$nd_pid" 2>/dev/null || true; nd_pid=""
seal_secs=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a - 3 }')
kept=$(sql "SELECT (SELECT COUNT(*) FROM analytics_kept_pages) || ' kept page rows, ' || (SELECT COUNT(*) FROM analytics_kept_searches) || ' kept search rows'")
if [ -n "${DB:-}" ]; then
  kept_size=$(sql "SELECT pg_total_relation_size('analytics_kept_pages') + pg_total_relation_size('analytics_kept_searches')")
else
  kept_size=$(sql "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'analytics_kept_%'" 2>/dev/null || echo 0)
fi
kept="$kept, $((${kept_size:-0} / 1048576)) MiB, sealed in about ${seal_secs}s"
say "sealed (marks: $last): $kept"
[ -n "${DB:-}" ] && psql -q "$NEWSDESK_DATABASE__URL" -c "VACUUM ANALYZE analytics_kept_pages, analytics_kept_searches"

port=$(free_port)
# Every statement is logged with its time (slow_statement_ms = 0); the counter stays off, so only the dashboard's
# own queries are measured.
NEWSDESK_DATABASE__SLOW_STATEMENT_MS=0 NEWSDESK_LOG__FORMAT=json NEWSDESK_ANALYTICS__ENABLED=false \
  "$bin" --data "$data" serve --demo --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
nd_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 200); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

# Sign in as the editor, as the login form does.
jar=$work/cookies
form=$(curl -fs -c "$jar" "$base/admin/login")
token=$(printf '%s' "$form" | sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -fs -o /dev/null -b "$jar" -c "$jar" -H "Origin: $base" \
  --data-urlencode "token=$token" --data-urlencode "next=/admin" \
  --data-urlencode "email=bench@example.org" --data-urlencode "password=bench-editor-password-1" "$base/admin/login"
grep -q nd_admin "$jar" || { say "could not sign in"; exit 1; }

# Days an editor picks: the longest range (366 days, by day) and half a year, each ending today;
# their whole months are read by month.
today=$(date -u -d "@$now" +%F)
pages=(
  "/admin/analytics?period=day" "/admin/analytics?period=week" "/admin/analytics?period=month"
  "/admin/analytics?period=year" "/admin/analytics/articles/1"
  "/admin/analytics?from=$(date -u -d "$today - 365 days" +%F)&to=$today"
  "/admin/analytics?from=$(date -u -d "$today - 182 days" +%F)&to=$today"
  "/admin/analytics/export?period=year&table=articles" "/admin/analytics/export?period=year&table=pages"
  "/admin/analytics/export?period=year&table=searches" "/admin/analytics/export?period=year&table=sources"
  "/admin/analytics/export?period=year&table=links"
)
: >"$work/pages.txt"
marker_lines=$(wc -l <"$work/server.log")
for _ in $(seq "$rounds"); do
  for page in "${pages[@]}"; do
    t=$(curl -fs -o /dev/null -b "$jar" -w '%{http_code} %{time_total}' "$base$page")
    echo "$page $t" >>"$work/pages.txt"
  done
done
# The dashboard's lists (of kept rows) against the exports' (of every row), by period.
for period in week month year; do
  curl -fs -b "$jar" "$base/admin/analytics?period=$period" >"$work/dashboard-$period.html"
  for table in articles pages searches; do
    curl -fs -b "$jar" "$base/admin/analytics/export?period=$period&table=$table" >"$work/export-$period-$table.csv"
  done
done
kill "$nd_pid"; wait "$nd_pid" 2>/dev/null || true; nd_pid=""
python3 - "$work" <<'EOF' >"$work/lists.txt"
import csv, html, re, sys
work = sys.argv[1]
heads = {"articles": '<h2 id="articles">', "pages": '<h2 id="pages">', "searches": '<h2 id="searches">'}
for period in ["week", "month", "year"]:
    page = open(f"{work}/dashboard-{period}.html", encoding="utf-8").read()
    for table, head in heads.items():
        part = page[page.index(head):]
        part = part[:part.index("</table>")]
        # An article by its id: in its link, or in the words for a deleted one.
        name = (lambda cell: re.search(r"(\d+)", cell).group(1)) if table == "articles" else \
            (lambda cell: html.unescape(re.sub("<[^>]+>", "", cell)))
        shown = [(name(cell), int(n)) for cell, n in re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td>", part)]
        rows = list(csv.reader(open(f"{work}/export-{period}-{table}.csv", encoding="utf-8")))[1:]
        counts = {r[0]: int(r[3] if table == "articles" else r[1]) for r in rows}
        exact = [(r[0], counts[r[0]]) for r in rows][:len(shown)]
        same = sum(1 for a, b in zip(shown, exact) if a == b)
        common = len({a for a, _ in shown} & {b for b, _ in exact})
        worst = max((1 - n / counts[key] for key, n in shown if counts.get(key)), default=0)
        print(f"{period} {table}: {same} of {len(shown)} rows the same as the export's, in the same place; "
              f"{common} of {len(shown)} in both lists; largest undercount {worst:.2%}")
EOF
cat "$work/lists.txt" >&2
tail -n +"$((marker_lines + 1))" "$work/server.log" >"$work/measured.log"

python3 - "$work/pages.txt" "$work/measured.log" "$backend" "$views" "$size" "$rounds" "$kept" <<'EOF'
import json, re, sys
from collections import defaultdict
pages_file, log_file, backend, views, size, rounds, kept = sys.argv[1:]

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

pages = defaultdict(list)
bad = 0
for line in open(pages_file):
    path, code, secs = line.split()
    if code != "200":
        bad += 1
    pages[path].append(float(secs) * 1000)
queries = defaultdict(list)
for line in open(log_file):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    fields = event.get("fields", event)
    statement = fields.get("db.statement") or fields.get("summary") or ""
    secs = fields.get("elapsed_secs")
    if secs is None or "analytics_" not in statement and "mailings" not in statement:
        continue
    shape = re.sub(r"\s+", " ", statement).strip()
    queries[shape[:160]].append(float(secs) * 1000)
print(f"{backend}: {int(views):,} page views in the rows; analytics tables and indexes {int(size) / 1048576:.0f} MiB "
      f"(kept for the lists: {kept}); "
      f"{rounds} rounds; {bad} answers other than 200")
print()
print("| Page | p50 ms | p99 ms | slowest ms |")
print("|---|---:|---:|---:|")
for path, xs in pages.items():
    print(f"| `{path}` | {pct(xs, 50):.1f} | {pct(xs, 99):.1f} | {max(xs):.1f} |")
print()
print("| Query (its start) | runs | p50 ms | p99 ms | slowest ms |")
print("|---|---:|---:|---:|---:|")
for shape, xs in sorted(queries.items(), key=lambda kv: -pct(kv[1], 99)):
    print(f"| `{shape}` | {len(xs)} | {pct(xs, 50):.1f} | {pct(xs, 99):.1f} | {max(xs):.1f} |")
EOF
cat "$work/lists.txt"
