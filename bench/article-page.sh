#!/usr/bin/env bash
# Measures one article page of the demo publication against nginx serving the identical bytes
# from a file, in one run, with wrk at 64 connections on loopback.
#
#   bench/article-page.sh [SECONDS]      (default 15 s per target; needs wrk and nginx)
#   BENCH_LOG_LEVEL=info bench/article-page.sh   (the default serve log level: a line per request)
#
# Builds in release mode (or takes BIN=path), starts `newsdesk serve --demo` twice on fresh data
# folders, one counting requests for /metrics and one not, saves the article page, has nginx
# serve that file, then runs wrk against each in turn (the page cache answers after the first).
# Prints a Markdown table for BENCHMARKS.md. Everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/nginx.sh
. bench/nginx.sh
duration=${1:-15}
connections=64
threads=2
slug=pflegeroboter-im-praxistest-augsburg

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (apt-get install wrk nginx-light curl)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/newsdesk-bench.XXXXXX)
chmod 755 "$work" # nginx workers run as an unprivileged user and must read the page
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# BIN=path measures that build instead of building this checkout.
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin=$(realpath "${BIN:-target/release/newsdesk}")
start_newsdesk() { # data folder, extra environment -> sets nd_port, nd_pid
  nd_port=$(free_port)
  env "${@:2}" NEWSDESK_LOG__LEVEL="${BENCH_LOG_LEVEL:-warn}" "$bin" serve --demo --data "$1" --listen "127.0.0.1:$nd_port" \
    2>>"$work/newsdesk.log" &
  nd_pid=$!
  pids+=("$nd_pid")
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$nd_port/healthz" >/dev/null && break; sleep 0.1; done
}
# The same site a second time, counting no requests for /metrics (no address may read it).
start_newsdesk "$work/quiet" NEWSDESK_SERVER__METRICS_ALLOWED=[]
quiet_url="http://127.0.0.1:$nd_port/news/$slug"
quiet_pid=$nd_pid
start_newsdesk "$work/data" NEWSDESK_SERVER__METRICS_ALLOWED='["127.0.0.1"]'

url="http://127.0.0.1:$nd_port/news/$slug"
mkdir -p "$work/www"
curl -fs "$url" -o "$work/www/article.html"
bytes=$(wc -c <"$work/www/article.html")

ng_port=$(free_port)
start_nginx "$work" "$ng_port"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$ng_port/article.html" >/dev/null && break; sleep 0.1; done
cmp -s <(curl -fs "http://127.0.0.1:$ng_port/article.html") <(curl -fs "$url") || { echo "bench: bodies differ" >&2; exit 1; }
# The second demo site was made a moment later: its dates may differ, its size hardly.
quiet_bytes=$(curl -fs "$quiet_url" | wc -c)

measure() { # name url -> "rps p50 p99"
  wrk -t"$threads" -c"$connections" -d2s "$2" >/dev/null # warm-up
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$2" >"$work/$1.wrk"
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$1.wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$work/$1.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$1.wrk")
  if grep -q "Non-2xx" "$work/$1.wrk"; then echo "bench: $1 answered errors" >&2; cat "$work/$1.wrk" >&2; exit 1; fi
  echo "$rps $p50 $p99"
}

read -r ng_rps ng_p50 ng_p99 < <(measure nginx "http://127.0.0.1:$ng_port/article.html")
read -r nd_rps nd_p50 nd_p99 < <(measure newsdesk "$url")
read -r q_rps q_p50 q_p99 < <(measure quiet "$quiet_url")
peak_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$nd_pid/status")
ratio=$(awk -v a="$nd_rps" -v b="$ng_rps" 'BEGIN { printf "%.3f", a / b }')
q_ratio=$(awk -v a="$q_rps" -v b="$ng_rps" 'BEGIN { printf "%.3f", a / b }')

echo
echo "Article page /news/$slug, $bytes bytes, wrk -t$threads -c$connections -d${duration}s, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| server | requests/s | p50 | p99 | ratio to nginx |"
echo "|---|---|---|---|---|"
echo "| nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), static file | $ng_rps | $ng_p50 | $ng_p99 | 1 |"
echo "| newsdesk (release, SQLite, page cache, requests counted for /metrics) | $nd_rps | $nd_p50 | $nd_p99 | $ratio |"
echo "| newsdesk, the same without counting (server.metrics_allowed = []; $quiet_bytes bytes) | $q_rps | $q_p50 | $q_p99 | $q_ratio |"
echo
echo "newsdesk peak resident memory: $((peak_kb / 1024)) MiB"
