#!/usr/bin/env bash
# The Content API (issue 15) on a generated publication: requests/s, p50 and p99 of its list
# endpoint and the others, at 64 connections, served by a release build.
#
#   KEEP=/tmp/keep-site bench/api.sh [SECONDS]          (default 5 s per endpoint)
#
# KEEP is a folder bench/deep_pages.sh kept (ARTICLES=100000 KEEP=… bench/deep_pages.sh makes
# one; SQLite, or PostgreSQL when it holds pg_db and DB is set as there). A key is written
# straight into its database with a rate no run reaches; the form caps keys at 100,000 a minute.
# Prints a Markdown table for BENCHMARKS.md. Stops everything it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
need wrk curl python3
duration=${1:-5}
keep=$(realpath "${KEEP:?KEEP names a folder bench/deep_pages.sh kept}")
[ -f "$keep/generated" ] || { echo "bench: $keep holds no generated site" >&2; exit 1; }
work=$(mktemp -d /tmp/newsdesk-api.XXXXXX)
nd_pid=""
cleanup() {
  [ -n "$nd_pid" ] && kill "$nd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

newsdesk_binary
data=$keep/data
secret="nd_$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
hash=$(python3 -c 'import hashlib, sys; print(hashlib.blake2s(sys.argv[1].encode()).hexdigest())' "$secret")
insert="INSERT INTO api_keys (name, prefix, key_hash, cors_origins, per_minute, created_at) VALUES ('bench', '${secret:0:9}', '$hash', '', 1000000000, 0)"
if [ -f "$keep/pg_db" ]; then
  : "${DB:?DB is the PostgreSQL server URL, as for deep_pages.sh}"
  export NEWSDESK_DATABASE__URL="${DB%/*}/$(cat "$keep/pg_db")"
  backend=PostgreSQL
  "$bin" --data "$data" migrate >/dev/null
  psql -q "$NEWSDESK_DATABASE__URL" -c "$insert"
  article=$(psql -qtA "$NEWSDESK_DATABASE__URL" -c "SELECT published_at || '.' || id FROM articles WHERE status = 'published' ORDER BY published_at DESC, id DESC OFFSET 50000 LIMIT 1")
  articles=$(psql -qtA "$NEWSDESK_DATABASE__URL" -c "SELECT COUNT(*) FROM articles")
else
  backend=SQLite
  "$bin" --data "$data" migrate >/dev/null
  python3 - "$data/newsdesk.db" "$insert" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute(sys.argv[2])
db.commit()
PY
  one() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$data/newsdesk.db" "$1"; }
  article=$(one "SELECT published_at || '.' || id FROM articles WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET 50000")
  articles=$(one "SELECT COUNT(*) FROM articles")
fi

port=$(free_port)
base="http://127.0.0.1:$port"
"$bin" --data "$data" serve --listen "127.0.0.1:$port" 2>>"$work/newsdesk.log" &
nd_pid=$!
for _ in $(seq 6000); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.01; done
auth="Authorization: Bearer $secret"
curl -fs -H "$auth" "$base/api/v1/articles?limit=1" >/dev/null || { echo "bench: the key is refused" >&2; exit 1; }
slug=$(curl -fs -H "$auth" "$base/api/v1/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["slug"])')
etag=$(curl -fsI -H "$auth" "$base/api/v1/articles" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')

names=(list list-100 tag author deep article not-modified openapi)
declare -A paths=(
  [list]="/api/v1/articles" [list-100]="/api/v1/articles?limit=100"
  [tag]="/api/v1/articles?tag=robotik" [author]="/api/v1/articles?author=autorin-1"
  [deep]="/api/v1/articles?cursor=$article" [article]="/api/v1/articles/$slug"
  [not-modified]="/api/v1/articles" [openapi]="/api/v1/openapi.json"
)
field() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

echo
echo "$backend, $articles articles: the Content API, wrk -t2 -c64 ${duration} s a row, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| endpoint | path | bytes | req/s | p50 | p99 |"
echo "|---|---|---|---|---|---|"
for name in "${names[@]}"; do
  url="$base${paths[$name]}"
  extra=()
  [ "$name" = not-modified ] && extra=(-H "If-None-Match: $etag")
  bytes=$(curl -s -H "$auth" "${extra[@]}" "$url" | wc -c)
  wrk -t1 -c1 -d1s -H "$auth" "${extra[@]}" "$url" >/dev/null
  wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency -H "$auth" "${extra[@]}" "$url" >"$work/$name.wrk"
  if grep -q "Non-2xx" "$work/$name.wrk" && [ "$name" != not-modified ]; then say "$url answered errors"; fi
  echo "| $name | \`${paths[$name]}\` | $bytes | $(awk '/^Requests\/sec:/ {print $2}' "$work/$name.wrk") | $(field "$work/$name.wrk" 50%) | $(field "$work/$name.wrk" 99%) |"
done
echo
echo "resident memory after the run: $(( $(awk '/^VmRSS:/ {print $2}' "/proc/$nd_pid/status") / 1024 )) MiB"
