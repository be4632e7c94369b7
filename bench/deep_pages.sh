#!/usr/bin/env bash
# Listing pages at any depth (issue 19): a generated publication served by a release build of
# Newsdesk with the page cache off, every listing kind measured on its first and its last page.
#
#   bench/deep_pages.sh [SECONDS]                       (default 5 s per page; SQLite)
#   DB=postgres://postgres@127.0.0.1:5432/postgres bench/deep_pages.sh   (a fresh PostgreSQL database)
#   ARTICLES=1000000 COMMENTS=10000000 SUBSCRIBERS=1000000 bench/deep_pages.sh
#
# For each page: the time one request takes alone (wrk, one connection: p50, p99) and
# requests/s at 64 connections. Prints a Markdown table for BENCHMARKS.md, the time to count
# the listings on first start, start-up time and resident memory. Stops everything it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
need wrk curl python3
duration=${1:-5}
articles=${ARTICLES:-1000000}
comments=${COMMENTS:-0}
subscribers=${SUBSCRIBERS:-0}

work=$(mktemp -d /tmp/newsdesk-deep.XXXXXX)
# KEEP=folder keeps the generated site there (SQLite file or the PostgreSQL database's name, and
# the search index) and, when it already holds one, measures that instead of generating again.
keep=${KEEP:-}
[ -n "$keep" ] && mkdir -p "$keep" && keep=$(realpath "$keep")
nd_pid=""
pg_db=""
cleanup() {
  [ -n "$nd_pid" ] && kill "$nd_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && [ -z "$keep" ] && psql -q "${DB}" -c "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

newsdesk_binary
data=${keep:-$work}/data
reuse=""
[ -n "$keep" ] && [ -f "$keep/generated" ] && reuse=1
if [ -n "${DB:-}" ]; then
  if [ -n "$reuse" ]; then pg_db=$(cat "$keep/pg_db"); else pg_db=newsdesk_deep_$$; psql -q "$DB" -c "CREATE DATABASE $pg_db"; fi
  export NEWSDESK_DATABASE__URL="${DB%/*}/$pg_db"
  target=$NEWSDESK_DATABASE__URL
  backend=PostgreSQL
else
  target=$data/newsdesk.db
  backend=SQLite
fi
if [ -n "$reuse" ]; then
  say "measuring the site kept in $keep"
  read -r gen_secs count_secs index_secs kept_articles kept_comments kept_subscribers <"$keep/generated"
  # Sites kept before the counts were written there give the environment's.
  articles=${kept_articles:-$articles} comments=${kept_comments:-$comments} subscribers=${kept_subscribers:-$subscribers}
else
  # Migrate without counting (nothing to count yet), generate, then count on the next open.
  "$bin" --data "$data" migrate >/dev/null
  say "generating $articles articles, $comments comments, $subscribers subscribers into $backend"
  started=$(date +%s.%N)
  python3 bench/generate_site.py "$target" "$articles" "$comments" "$subscribers"
  gen_secs=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  # The generator writes rows straight into the tables: the listings are counted from scratch.
  if [ -n "${DB:-}" ]; then psql -q "$target" -c "DELETE FROM listing_calendar"; else python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM listing_calendar'); c.commit()" "$target"; fi
  started=$(date +%s.%N)
  "$bin" --data "$data" migrate >/dev/null
  count_secs=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  say "building the search index"
  started=$(date +%s.%N)
  "$bin" --data "$data" reindex >/dev/null 2>&1
  index_secs=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  if [ -n "$keep" ]; then
    [ -n "$pg_db" ] && echo "$pg_db" >"$keep/pg_db"
    echo "$gen_secs $count_secs $index_secs $articles $comments $subscribers" >"$keep/generated"
  fi
fi

port=$(free_port)
base="http://127.0.0.1:$port"
started=$(date +%s%N)
NEWSDESK_CACHE__ENABLED=false "$bin" --data "$data" serve --listen "127.0.0.1:$port" 2>>"$work/newsdesk.log" &
nd_pid=$!
for _ in $(seq 6000); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.01; done
startup_ms=$(( ($(date +%s%N) - started) / 1000000 ))

# The last page of a listing: the pager shows only its neighbours, so it is found by halving
# between a page that answers and one that does not (a page past the end is a 404).
last_page() { # base path ("" for home)
  local low=1 high=1
  while [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$1/page/$((high * 2))")" = 200 ]; do high=$((high * 2)); done
  high=$((high * 2))
  while [ $((high - low)) -gt 1 ]; do
    local mid=$(((low + high) / 2))
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$1/page/$mid")" = 200 ]; then low=$mid; else high=$mid; fi
  done
  echo "$low"
}
last_home=$(last_page "")
last_tag=$(last_page /tag/robotik)
last_author=$(last_page /author/autorin-1)
# A month in the second year of the five the generator spreads articles over.
month=$(date -u -d "@$(( $(date +%s) - 4 * 365 * 86400 ))" +%Y/%m)
last_month=$(last_page "/archive/$month")
last_sitemap=$(curl -fs "$base/sitemap.xml" | grep -o 'sitemap-articles-[0-9]*' | sed 's/.*-//' | sort -n | tail -1)
names=(home home-last tag tag-last author author-last archive month month-last search search-deep feed tag-feed comments-feed sitemap-index sitemap-first sitemap-last sitemap-tags news-sitemap article)
declare -A paths=(
  [home]="/" [home-last]="/page/$last_home"
  [tag]="/tag/robotik" [tag-last]="/tag/robotik/page/${last_tag:-1}"
  [author]="/author/autorin-1" [author-last]="/author/autorin-1/page/${last_author:-1}"
  [archive]="/archive" [month]="/archive/$month" [month-last]="/archive/$month/page/${last_month:-1}"
  [search]="/search?q=Roboter+Batterie" [search-deep]="/search?q=Roboter&page=40"
  [feed]="/feed" [tag-feed]="/tag/robotik/feed" [comments-feed]="/comments/feed"
  [sitemap-index]="/sitemap.xml" [sitemap-first]="/sitemap-articles-1.xml" [sitemap-last]="/sitemap-articles-$last_sitemap.xml"
  [sitemap-tags]="/sitemap-tags.xml" [news-sitemap]="/sitemap-news.xml"
  [article]="/news/meldung-$((articles / 2))"
)

wrk_run() { # connections file url
  wrk -t"$(( $1 > 1 ? 2 : 1 ))" -c"$1" -d"${duration}s" --timeout 10s --latency "$3" >"$2"
  if grep -q "Non-2xx" "$2"; then say "$3 answered errors"; head -20 "$2" >&2; fi
}
field() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

echo
echo "$backend, $articles articles, $comments comments, $subscribers subscribers (generated in ${gen_secs} s);"
echo "listings counted on first start in ${count_secs} s, search index built in ${index_secs} s, start-up ${startup_ms} ms;"
echo "page cache off, wrk on loopback, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| page | path | bytes | alone p50 | alone p99 | 64 conn. req/s | p50 | p99 |"
echo "|---|---|---|---|---|---|---|---|"
for name in "${names[@]}"; do
  url="$base${paths[$name]}"
  bytes=$(curl -s --retry 3 "$url" | wc -c)
  wrk -t1 -c1 -d1s "$url" >/dev/null
  wrk_run 1 "$work/$name-1.wrk" "$url"
  wrk_run 64 "$work/$name-64.wrk" "$url"
  echo "| $name | \`${paths[$name]}\` | $bytes | $(field "$work/$name-1.wrk" 50%) | $(field "$work/$name-1.wrk" 99%) | $(awk '/^Requests\/sec:/ {print $2}' "$work/$name-64.wrk") | $(field "$work/$name-64.wrk" 50%) | $(field "$work/$name-64.wrk" 99%) |"
done
echo
echo "resident memory after the run: $(( $(awk '/^VmRSS:/ {print $2}' "/proc/$nd_pid/status") / 1024 )) MiB (peak $(( $(awk '/^VmHWM:/ {print $2}' "/proc/$nd_pid/status") / 1024 )) MiB)"
