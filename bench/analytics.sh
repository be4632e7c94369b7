#!/usr/bin/env bash
# What counting page views costs the cached article page: two demo publications, one with
# analytics on and one with it off, loaded at the same time, so both see the same machine.
#
#   bench/analytics.sh [SECONDS] [PAIRS]   (default 10 s per phase, 3 pairs; needs wrk, taskset)
#
# Why at the same time: measured in turns, one after the other, the rate of two identical
# servers on this 2-core virtual machine differed by 0.58x to 1.46x from one turn to the next,
# far more than counting costs. Loaded at once, both share whatever the machine does.
#
# How: the two servers run on the first core and one wrk per server (-t1 -c32) on the others,
# so each server gets an equal share of its core and its rate is that share over its cost per
# request. Each phase starts two fresh servers; the next phase of the pair swaps which slot
# (port, start order, wrk) counts, so a slot that is a little faster is cancelled out. A
# control phase pair with counting off on both shows what the method can tell apart.
#
# The requests carry browsers' User-Agents and referrers (search, social, none), so each is
# classified, its source read and its visitor hashed into the day's sketch, as a reader's would
# be. Afterwards the views the counting servers wrote (they flush on the way out) are compared
# with the requests wrk saw answered. Builds in release mode (or takes BIN=path). Prints a
# Markdown table for BENCHMARKS.md. Everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
duration=${1:-10}
pairs=${2:-3}
slug=pflegeroboter-im-praxistest-augsburg
need wrk curl sqlite3 taskset
[ "$(nproc)" -ge 2 ] || { say "needs at least 2 cores"; exit 1; }

work=$(mktemp -d /tmp/newsdesk-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
newsdesk_binary
server_cpus=0
load_cpus=1-$(($(nproc) - 1))

start() { # name, analytics on? -> prints the port; the pid goes to $work/NAME.pid
  local port
  port=$(free_port)
  NEWSDESK_ANALYTICS__ENABLED="$2" taskset -c "$server_cpus" \
    "$bin" serve --demo --data "$work/$1" --listen "127.0.0.1:$port" >/dev/null 2>>"$work/newsdesk.log" &
  echo $! >"$work/$1.pid"
  echo "$port"
}
ready() { for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; say "no answer on $1"; exit 1; }
stop() { # name: stops the server and waits, so its last counts are flushed
  local pid
  pid=$(cat "$work/$1.pid")
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

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

load() { # seconds, port A, port B, output prefix: both servers at once
  taskset -c "$load_cpus" wrk -t1 -c32 -d"$1s" --latency -s "$work/readers.lua" "http://127.0.0.1:$2/news/$slug" >"$4.a" &
  local a=$!
  taskset -c "$load_cpus" wrk -t1 -c32 -d"$1s" --latency -s "$work/readers.lua" "http://127.0.0.1:$3/news/$slug" >"$4.b"
  wait "$a"
  if grep -q "Non-2xx" "$4.a" "$4.b"; then say "errors answered"; cat "$4.a" "$4.b" >&2; exit 1; fi
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
answered() { awk '/requests in/ {print $1}' "$1"; }

sent=0 # requests wrk saw answered by the counting servers
counted=0
rows=()
ratios=()
controls=()
started=$(date +%s)
phases=$((2 * pairs + 2))
for phase in $(seq "$phases"); do
  control=$((phase > 2 * pairs))
  # Slot A counts in odd phases, slot B in even ones; the control pair counts in neither.
  if [ "$control" = 1 ]; then a_on=false; b_on=false
  elif [ $((phase % 2)) = 1 ]; then a_on=true; b_on=false
  else a_on=false; b_on=true; fi
  port_a=$(start "a$phase" "$a_on")
  port_b=$(start "b$phase" "$b_on")
  ready "$port_a"
  ready "$port_b"
  load 2 "$port_a" "$port_b" "$work/warm$phase"
  load "$duration" "$port_a" "$port_b" "$work/run$phase"
  stop "a$phase"
  stop "b$phase"
  ra=$(rps "$work/run$phase.a")
  rb=$(rps "$work/run$phase.b")
  for slot in a b; do
    on_var=${slot}_on
    if [ "${!on_var}" = true ]; then
      sent=$((sent + $(answered "$work/warm$phase.$slot") + $(answered "$work/run$phase.$slot")))
      counted=$((counted + $(sqlite3 "$work/$slot$phase/newsdesk.db" \
        "SELECT COALESCE(SUM(views), 0) FROM analytics_devices WHERE span = 'd' AND device <> 'bot'")))
    fi
  done
  if [ "$a_on" = true ]; then on=$ra; off=$rb; on_p99=$(p99 "$work/run$phase.a"); off_p99=$(p99 "$work/run$phase.b")
  else on=$rb; off=$ra; on_p99=$(p99 "$work/run$phase.b"); off_p99=$(p99 "$work/run$phase.a"); fi
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')
  if [ "$control" = 1 ]; then
    # Control: both off, so the ratio is slot B's rate over slot A's.
    controls+=("$ratio")
    rows+=("| $phase (control, both off) | ${a_on}/${b_on} | $on | $on_p99 | $off | $off_p99 | $ratio |")
  else
    ratios+=("$ratio")
    slot=$([ "$a_on" = true ] && echo A || echo B)
    rows+=("| $phase | counting in slot $slot | $on | $on_p99 | $off | $off_p99 | $ratio |")
  fi
  say "phase $phase of $phases: $ratio"
done
geomean() { printf '%s\n' "$@" | awk '{ s += log($1); n++ } END { printf "%.3f", exp(s / n) }'; }

echo "Cached article page /news/$slug, two servers loaded at once (servers on CPU $server_cpus,"
echo "wrk -t1 -c32 -d${duration}s each on CPU $load_cpus), browser User-Agents and referrers"
echo "($(nproc) cores, $(date -u +%Y-%m-%d))."
echo
echo "| phase | setup | counting: requests/s | p99 | not counting: requests/s | p99 | ratio |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Counting against not counting, geometric mean of the ${#ratios[@]} phases: $(geomean "${ratios[@]}")"
echo "(lowest $(printf '%s\n' "${ratios[@]}" | sort -n | head -1), highest $(printf '%s\n' "${ratios[@]}" | sort -n | tail -1))."
echo "Control, both off, slot B's rate over slot A's: ${controls[*]} (what one phase alone can be off by;"
echo "the swapped pairs cancel it)."
echo
echo "Views the counting servers wrote: $counted, of $sent requests wrk saw answered (warm-up"
echo "included; requests in flight when wrk stops are answered and counted but not in wrk's"
echo "total). Measured for $(( $(date +%s) - started )) s."
