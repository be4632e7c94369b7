#!/usr/bin/env bash
# What counting page views costs the cached article page: the demo publication twice, one with
# analytics on and one with it off, measured in turns in one run with wrk at 64 connections on
# loopback. The requests carry browsers' User-Agents and referrers (search, social, none), so
# each is classified, its source read and its visitor hashed into the day's sketch, as a
# reader's would be.
#
#   bench/analytics.sh [SECONDS] [ROUNDS]   (default 15 s per measurement, 2 rounds; needs wrk)
#
# Builds in release mode (or takes BIN=path). Afterwards it reads the counted views back from
# the database, to show the counting kept up. Prints a Markdown table for BENCHMARKS.md.
# Everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
duration=${1:-15}
rounds=${2:-2}
slug=pflegeroboter-im-praxistest-augsburg
need wrk curl sqlite3

work=$(mktemp -d /tmp/newsdesk-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
newsdesk_binary

start() { # data folder, analytics on? -> sets port (not in a subshell: the pids must be kept)
  port=$(free_port)
  NEWSDESK_ANALYTICS__ENABLED="$2" NEWSDESK_ANALYTICS__FLUSH_SECS=5 \
    "$bin" serve --demo --data "$1" --listen "127.0.0.1:$port" 2>>"$work/newsdesk.log" &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
start "$work/on" true
on_port=$port
start "$work/off" false
off_port=$port

# Each request a reader's: a browser and a referrer from short lists, in turn.
cat >"$work/readers.lua" <<'EOF'
local agents = {
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
}
local referrers = { "https://www.google.de/", "https://t.co/abc", "", "https://blog.example.net/post/1" }
local n = 0
request = function()
  n = n + 1
  local headers = { ["User-Agent"] = agents[n % #agents + 1], ["Accept-Encoding"] = "br, gzip" }
  local referrer = referrers[math.floor(n / 3) % #referrers + 1]
  if referrer ~= "" then headers["Referer"] = referrer end
  return wrk.format("GET", nil, headers)
end
EOF

sent=0 # requests wrk saw answered by the counting site
measure() { # name url -> "rps p99"
  wrk -t2 -c64 -d"${duration}s" --latency -s "$work/readers.lua" "$2" >"$work/$1.wrk"
  if grep -q "Non-2xx" "$work/$1.wrk"; then say "errors answered"; cat "$work/$1.wrk" >&2; exit 1; fi
  echo "$(awk '/^Requests\/sec:/ {print $2}' "$work/$1.wrk") $(awk '$1 == "99%" {print $2}' "$work/$1.wrk")"
}
answered() { awk '/requests in/ {print $1}' "$work/$1.wrk"; }
wrk -t2 -c64 -d2s -s "$work/readers.lua" "http://127.0.0.1:$on_port/news/$slug" >"$work/on.wrk"
sent=$((sent + $(answered on)))
wrk -t2 -c64 -d2s -s "$work/readers.lua" "http://127.0.0.1:$off_port/news/$slug" >/dev/null
started=$(date +%s)
rows=()
for round in $(seq "$rounds"); do
  # In turns, the first of each round alternating, so neither always runs on a warmer machine.
  if [ $((round % 2)) = 1 ]; then
    read -r on_rps on_p99 < <(measure on "http://127.0.0.1:$on_port/news/$slug")
    read -r off_rps off_p99 < <(measure off "http://127.0.0.1:$off_port/news/$slug")
  else
    read -r off_rps off_p99 < <(measure off "http://127.0.0.1:$off_port/news/$slug")
    read -r on_rps on_p99 < <(measure on "http://127.0.0.1:$on_port/news/$slug")
  fi
  sent=$((sent + $(answered on)))
  ratio=$(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN { printf "%.3f", a / b }')
  rows+=("| $round | $on_rps | $on_p99 | $off_rps | $off_p99 | $ratio |")
done
sleep 7 # one flush
counted=$(sqlite3 "$work/on/newsdesk.db" \
  "SELECT COALESCE(SUM(views), 0) FROM analytics_devices WHERE span = 'd' AND device <> 'bot'")

echo "Cached article page /news/$slug, wrk -t2 -c64 -d${duration}s, browser User-Agents and referrers,"
echo "analytics on and off measured in turns ($(nproc) cores, $(date -u +%Y-%m-%d))."
echo
echo "| round | on: requests/s | on: p99 | off: requests/s | off: p99 | on / off |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Views the site with analytics on counted: $counted, of $sent requests wrk saw answered (warm-up"
echo "included; requests still in flight when wrk stops are answered and counted but not in wrk's"
echo "total). Measured for $(( $(date +%s) - started )) s."
