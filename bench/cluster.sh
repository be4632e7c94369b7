#!/usr/bin/env bash
# The cluster, measured (issue 19): one, two and three `newsdesk serve` nodes on one PostgreSQL
# database behind nginx on loopback, in one run, with the page cache on and off, while an
# article is published every second.
#
#   bench/cluster.sh [SECONDS]        (default 20 s per measurement)
#   DB=postgres://postgres@127.0.0.1:5432/postgres ARTICLES=10000 bench/cluster.sh
#
# For each number of nodes: requests/s and p99 of the article page through nginx (wrk, 2
# threads, 64 connections), the ratio against one node, and from bench/cluster_publish.py how
# long until every node's home page lists a newly published article (p50, p99, max) and how many
# home pages read after that still lacked it (stale). Each node has its own data folder (page
# cache, search index); nginx balances round robin with keep-alive connections to the nodes.
# Everything runs on this machine's cores: more nodes share the same CPUs, so the ratio shows
# what the cluster costs, not what more machines would add. Stops everything it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
. bench/common.sh
need wrk curl python3 psql nginx
duration=${1:-20}
articles=${ARTICLES:-10000}
db=${DB:-postgres://postgres@127.0.0.1:5432/postgres}

work=$(mktemp -d /tmp/newsdesk-cluster.XXXXXX)
pg_db=newsdesk_cluster_$$
pids=()
stop_nodes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_nodes
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  psql -q "$db" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

newsdesk_binary
psql -q "$db" -c "CREATE DATABASE $pg_db"
export NEWSDESK_DATABASE__URL="${db%/*}/$pg_db"
"$bin" --data "$work/cli" migrate >/dev/null
say "generating $articles articles"
python3 bench/generate_site.py "$NEWSDESK_DATABASE__URL" "$articles" 0 0
psql -q "$NEWSDESK_DATABASE__URL" -c "DELETE FROM listing_calendar"
"$bin" --data "$work/cli" migrate >/dev/null

ports=()
for i in 1 2 3; do ports+=("$(free_port)"); done
start_nodes() { # cache enabled: true/false
  for i in 0 1 2; do
    NEWSDESK_CACHE__ENABLED=$1 "$bin" --data "$work/node$i" serve --listen "127.0.0.1:${ports[$i]}" 2>>"$work/node$i.log" &
    pids+=($!)
  done
  for i in 0 1 2; do
    for _ in $(seq 12000); do curl -fs "http://127.0.0.1:${ports[$i]}/healthz" >/dev/null 2>&1 && break; sleep 0.01; done
  done
}

lb_port=$(free_port)
mkdir -p "$work/tmp"
balance() { # number of nodes behind nginx
  local upstream=""
  for i in $(seq 0 $(($1 - 1))); do upstream+="server 127.0.0.1:${ports[$i]};"; done
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  upstream nodes { $upstream keepalive 64; }
  server {
    listen 127.0.0.1:$lb_port;
    location / {
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
CONF
  if [ -f "$work/nginx.pid" ] && kill -0 "$(cat "$work/nginx.pid")" 2>/dev/null; then
    nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" -s reload
    sleep 1
  else
    nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
  fi
}

page="/news/meldung-$((articles / 2))"
echo
echo "PostgreSQL, $articles articles; nginx (1 worker) in front of 1 to 3 nodes on loopback; wrk -t2 -c64 -d${duration}s on \`$page\`;"
echo "an article published every second meanwhile; $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| page cache | nodes | req/s | p50 | p99 | ratio to one node | published | visible on every node p50 | p99 | max | stale pages after |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for cache in true false; do
  start_nodes "$cache"
  one=""
  for n in 1 2 3; do
    balance "$n"
    # Warm every node's cache through the balancer.
    wrk -t1 -c4 -d2s "http://127.0.0.1:$lb_port$page" >/dev/null
    node_ports=("${ports[@]:0:$n}")
    python3 bench/cluster_publish.py "$bin" "$work/cli" "$duration" "$work/publish.txt" "${node_ports[@]}" &
    publisher=$!
    wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency "http://127.0.0.1:$lb_port$page" >"$work/wrk.txt"
    wait "$publisher"
    rate=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    grep -q "Non-2xx" "$work/wrk.txt" && say "errors with $n nodes: $(grep Non-2xx "$work/wrk.txt")"
    [ -z "$one" ] && one=$rate
    ratio=$(awk -v a="$rate" -v b="$one" 'BEGIN { printf "%.2f", a / b }')
    row=$(cat "$work/publish.txt")
    echo "| $([ "$cache" = true ] && echo on || echo off) | $n | $rate | $p50 | $p99 | $ratio | $row |"
  done
  stop_nodes
done
