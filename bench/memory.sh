#!/usr/bin/env bash
# Where the resident memory goes (issue 19): the demo site served by a release build under a mixed
# load on loopback, its memory sampled as it runs, once per configuration.
#
#   bench/memory.sh [SECONDS]      (default 120 s of load per configuration)
#   CONFIGS="default nocache" bench/memory.sh 60
#
# The load (wrk, 64 connections, bench/memory.lua) walks every kind of public page and asks
# for searches that are all different, so the page cache fills with pages no one asks for twice,
# as crawlers and readers' searches fill it on a real site. Every 10 s it reads the server's
# /proc/PID/smaps_rollup (resident memory, split into the process's own heap and stacks,
# "anonymous", and file pages mapped from disk: the program, the search index, SQLite) and the
# page cache's bytes from /metrics. Prints one Markdown table per configuration and a summary.
# Configurations:
#   default   the defaults (page cache 64 MiB)
#   nocache   NEWSDESK_CACHE__ENABLED=false
#   cache16   a 16 MiB page cache
#   purgeN    the defaults, and mimalloc returning freed memory to the system after N ms
#             (MIMALLOC_PURGE_DELAY=N; its default waits 10 ms): purge0 at once
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
need wrk curl python3
duration=${1:-120}
configs=${CONFIGS:-default nocache cache16 purge0}

work=$(mktemp -d /tmp/newsdesk-memory.XXXXXX)
nd_pid=""
wrk_pid=""
cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null || true
  [ -n "$nd_pid" ] && kill "$nd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

newsdesk_binary

mib() { awk -v k="$1" '$1 == k":" {printf "%d", $2 / 1024}' "/proc/$nd_pid/smaps_rollup"; }
sample() { # seconds since start
  local cache
  cache=$(curl -fs "$base/metrics" | awk '$1 == "newsdesk_page_cache_bytes" {printf "%d", $2 / 1048576}')
  echo "| $1 s | $(mib Rss) | $(mib Anonymous) | $(( $(mib Rss) - $(mib Anonymous) )) | ${cache:-?} |"
}

summary=()
for config in $configs; do
  env=()
  case $config in
    default) ;;
    nocache) env=(NEWSDESK_CACHE__ENABLED=false) ;;
    cache16) env=(NEWSDESK_CACHE__SIZE_MB=16) ;;
    purge[0-9]*) env=(MIMALLOC_PURGE_DELAY=${config#purge}) ;;
    *) echo "bench: unknown configuration $config" >&2; exit 1 ;;
  esac
  rm -rf "$work/site"
  mkdir -p "$work/site"
  port=$(free_port)
  base="http://127.0.0.1:$port"
  (cd "$work/site" && exec env "${env[@]}" "$bin" serve --demo --data data --listen "127.0.0.1:$port" 2>>"$work/newsdesk.log") &
  nd_pid=$!
  for _ in $(seq 3000); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.01; done
  # The demo's articles, for the load to walk.
  curl -fs "$base/sitemap-articles-1.xml" | grep -o '<loc>[^<]*</loc>' | sed 's|<loc>[a-z]*://[^/]*||; s|</loc>||' >"$work/articles.txt"
  echo
  echo "### $config (${env[*]:-defaults}): $(wc -l <"$work/articles.txt") articles, wrk 64 connections for ${duration} s"
  echo
  echo "| time | resident MiB | anonymous MiB | file-backed MiB | page cache MiB |"
  echo "|---|---|---|---|---|"
  sample 0
  ARTICLES="$work/articles.txt" wrk -t2 -c64 -d"${duration}s" --timeout 10s -s bench/memory.lua "$base" >"$work/wrk-$config.txt" 2>&1 &
  wrk_pid=$!
  started=$(date +%s)
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 10
    kill -0 "$wrk_pid" 2>/dev/null && sample $(( $(date +%s) - started ))
  done
  wrk_pid=""
  sleep 5
  sample "$(( $(date +%s) - started )) (idle)"
  peak=$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$nd_pid/status")
  rate=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk-$config.txt")
  errors=$(grep -c "Non-2xx\|Socket errors" "$work/wrk-$config.txt" || true)
  echo
  echo "peak resident $peak MiB; $rate requests/s; error lines in wrk's report: $errors"
  summary+=("| $config | ${env[*]:-defaults} | $(mib Rss) | $(mib Anonymous) | $peak | $rate |")
  kill "$nd_pid"
  wait "$nd_pid" 2>/dev/null || true
  nd_pid=""
done
echo
echo "| configuration | settings | resident after the load, MiB | of it anonymous | peak resident | requests/s |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
echo
echo "$(nproc) cores, $(date -u +%Y-%m-%d)"
