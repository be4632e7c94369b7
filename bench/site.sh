#!/usr/bin/env bash
# The whole-site benchmark of issue 9: a publication of 100,000 articles, 1,000,000 comments and
# 100,000 newsletter subscribers, served by a release build of Newsdesk on SQLite, measured with
# wrk at 64 connections on loopback against nginx serving the identical bytes from files, in one
# run: article page, home, main feed, tag page and search, with the page cache and without it.
#
#   bench/site.sh [SECONDS]     (default 10 s per target after a 2 s warm-up; needs wrk, nginx)
#   ARTICLES=10000 COMMENTS=100000 SUBSCRIBERS=10000 bench/site.sh 5     (a smaller site)
#
# Prints a Markdown table for BENCHMARKS.md, the startup time (process start to the first
# answer of /healthz, with the search index built beforehand by `newsdesk reindex`) and the
# server's peak resident memory (VmHWM). Everything it starts stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/nginx.sh
. bench/nginx.sh
duration=${1:-10}
articles=${ARTICLES:-100000}
comments=${COMMENTS:-1000000}
subscribers=${SUBSCRIBERS:-100000}
connections=64
threads=2

for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (apt-get install wrk nginx-light curl)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
say() { printf 'bench: %s\n' "$*" >&2; }

work=$(mktemp -d /tmp/newsdesk-site.XXXXXX)
chmod 755 "$work"
nd_pid=""
cleanup() {
  [ -n "$nd_pid" ] && kill "$nd_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
bin=target/release/newsdesk
data=$work/data
export NEWSDESK_LOG__LEVEL=${BENCH_LOG_LEVEL:-warn}
"$bin" --data "$data" migrate >/dev/null
say "generating $articles articles, $comments comments, $subscribers subscribers"
python3 bench/generate_site.py "$data/newsdesk.db" "$articles" "$comments" "$subscribers"
say "building the search index"
index_started=$(date +%s.%N)
"$bin" --data "$data" reindex >/dev/null 2>&1
index_secs=$(awk -v a="$index_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
db_mib=$(( $(stat -c %s "$data/newsdesk.db") / 1048576 ))

nd_port=$(free_port)
base="http://127.0.0.1:$nd_port"
start_newsdesk() { # cache enabled (true/false) -> sets nd_pid, startup_ms
  local started
  started=$(date +%s%N)
  NEWSDESK_CACHE__ENABLED=$1 "$bin" --data "$data" serve --listen "127.0.0.1:$nd_port" 2>>"$work/newsdesk.log" &
  nd_pid=$!
  for _ in $(seq 3000); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.01; done
  startup_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}
stop_newsdesk() { kill "$nd_pid"; wait "$nd_pid" 2>/dev/null || true; nd_pid=""; }

names=(article home feed tag search)
declare -A paths=(
  [article]="/news/meldung-$((articles / 2))"
  [home]="/"
  [feed]="/feed"
  [tag]="/tag/robotik"
  [search]="/search?q=Roboter+Batterie"
)
declare -A files=([article]=article.html [home]=home.html [feed]=feed.xml [tag]=tag.html [search]=search.html)

measure() { # label url -> "rps p50 p99"
  wrk -t"$threads" -c"$connections" -d2s "$2" >/dev/null
  wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency "$2" >"$work/$1.wrk"
  if grep -q "Non-2xx" "$work/$1.wrk"; then say "$1 answered errors"; cat "$work/$1.wrk" >&2; exit 1; fi
  echo "$(awk '/^Requests\/sec:/ {print $2}' "$work/$1.wrk") $(awk '$1 == "50%" {print $2}' "$work/$1.wrk") $(awk '$1 == "99%" {print $2}' "$work/$1.wrk")"
}

# With the page cache: save each page as served, for nginx.
start_newsdesk true
cached_startup_ms=$startup_ms
mkdir -p "$work/www" "$work/tmp"
for name in "${names[@]}"; do
  curl -fs "$base${paths[$name]}" -o "$work/www/${files[$name]}"
done

ng_port=$(free_port)
start_nginx "$work" "$ng_port"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$ng_port/home.html" >/dev/null && break; sleep 0.1; done

declare -A result
for name in "${names[@]}"; do
  cmp -s "$work/www/${files[$name]}" <(curl -fs "$base${paths[$name]}") || say "note: ${paths[$name]} changed since it was saved"
  result[$name.nginx]=$(measure "$name-nginx" "http://127.0.0.1:$ng_port/${files[$name]}")
  result[$name.cached]=$(measure "$name-cached" "$base${paths[$name]}")
done
cached_peak_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$nd_pid/status")
stop_newsdesk

# Without the page cache: every request renders.
start_newsdesk false
uncached_startup_ms=$startup_ms
for name in "${names[@]}"; do
  result[$name.uncached]=$(measure "$name-uncached" "$base${paths[$name]}")
done
uncached_peak_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$nd_pid/status")
stop_newsdesk

echo
echo "Site of $articles articles, $comments comments, $subscribers subscribers (SQLite file ${db_mib} MiB, search index built in ${index_secs} s);"
echo "wrk -t$threads -c$connections -d${duration}s on loopback, $(nproc) cores, nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $(date -u +%Y-%m-%d)"
echo
echo "| page | bytes | nginx req/s | p50 | p99 | newsdesk cached req/s | p50 | p99 | ratio | uncached req/s | p50 | p99 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for name in "${names[@]}"; do
  read -r ng_rps ng_p50 ng_p99 <<<"${result[$name.nginx]}"
  read -r c_rps c_p50 c_p99 <<<"${result[$name.cached]}"
  read -r u_rps u_p50 u_p99 <<<"${result[$name.uncached]}"
  ratio=$(awk -v a="$c_rps" -v b="$ng_rps" 'BEGIN { printf "%.2f", a / b }')
  bytes=$(wc -c <"$work/www/${files[$name]}")
  echo "| $name \`${paths[$name]}\` | $bytes | $ng_rps | $ng_p50 | $ng_p99 | $c_rps | $c_p50 | $c_p99 | $ratio | $u_rps | $u_p50 | $u_p99 |"
done
echo
echo "startup to the first answer: ${cached_startup_ms} ms (cache on), ${uncached_startup_ms} ms (cache off)"
echo "newsdesk peak resident memory: $((cached_peak_kb / 1024)) MiB with the cache, $((uncached_peak_kb / 1024)) MiB without"
