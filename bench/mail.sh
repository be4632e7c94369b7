#!/usr/bin/env bash
# Sends a newsletter through a local SMTP server, once per size given (default 10,000 then
# 100,000 subscribers, so one run shows whether memory grows with the recipients), and reports
# messages per second, Newsdesk's peak resident memory and its CPU time.
#
#   bench/mail.sh [N...]
#
# Release build; SQLite in a temporary folder; the SMTP server is aiosmtpd (tests/smtp_sink.py,
# logging each Message-ID only) on loopback; the rate limit is set far above what is reached,
# 16 SMTP connections. Timing runs from the server's start to the last message at the SMTP
# server. Nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
cargo build --release --quiet
bin=$PWD/target/release/newsdesk
pids=()
works=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "${works[@]}"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
echo "$(nproc) cores, $(python3 -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__)')"

send() {
N=$1
work=$(mktemp -d /tmp/newsdesk-mail-bench.XXXXXX)
works+=("$work")
smtp_port=$(free_port)
mkfifo "$work/sink-stdin"
python3 tests/smtp_sink.py "$smtp_port" "$work/sink" --log-only < "$work/sink-stdin" > "$work/sink.out" &
sink=$!
pids+=($sink)
exec 3>"$work/sink-stdin"
until grep -q ready "$work/sink.out" 2>/dev/null; do sleep 0.1; done

export NEWSDESK_EMAIL__TRANSPORT=smtp NEWSDESK_EMAIL__SMTP_PORT=$smtp_port NEWSDESK_EMAIL__SMTP_SECURITY=none \
  NEWSDESK_EMAIL__RATE_PER_SECOND=1000000 NEWSDESK_EMAIL__CONNECTIONS=16 NEWSDESK_EMAIL__DIGEST=off RUST_LOG=warn
"$bin" --data "$work/data" migrate >/dev/null
python3 - "$work/data/newsdesk.db" "$N" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
db.executemany("INSERT INTO subscribers (id, email, created_at) VALUES (?, ?, 1)",
               ((i + 1, "leser%d@example.org" % i) for i in range(n)))
db.executemany("""INSERT INTO subscriptions (subscriber_id, kind, status, created_at, confirmed_at, consent_text,
                  consent_form, consent_ip_hash, consent_at) VALUES (?, 'newsletter', 'active', 1, 1, 'ja', 'bench', 'x', 1)""",
               ((i + 1,) for i in range(n)))
db.commit()
PY
printf 'Die Woche in **Forschung** und Technik: eine Ausgabe für den Benchmark.\n\n%s\n' \
  "$(for i in $(seq 1 20); do printf 'Ein Absatz mit etwas Text, wie ihn ein Newsletter hat. '; done)" > "$work/body.md"
"$bin" --data "$work/data" newsletter send --subject "Benchmark" --body-file "$work/body.md"

clk=$(getconf CLK_TCK)
start=$(date +%s.%N)
"$bin" --data "$work/data" serve --listen "127.0.0.1:$(free_port)" &
pid=$!
pids+=($pid)
while :; do
  received=$(wc -l < "$work/sink/received.log" 2>/dev/null || echo 0)
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  [ "$received" -ge "$N" ] && break
  sleep 0.2
done
end=$(date +%s.%N)
sink_cpu=$(awk '{print $14 + $15}' "/proc/$sink/stat")
kill "$pid"
wait "$pid" 2>/dev/null || true
python3 - "$N" "$start" "$end" "$hwm" "$cpu" "$clk" "$sink_cpu" <<'PY'
import sys
n, start, end, hwm, cpu, clk, sink = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
seconds = end - start
print(f"{n} messages in {seconds:.1f} s: {n / seconds:,.0f} messages/s; "
      f"Newsdesk peak resident memory {hwm / 1024:.0f} MiB, CPU {cpu / clk:.1f} s ({100 * cpu / clk / seconds:.0f}% of one core); "
      f"SMTP server CPU {sink / clk:.1f} s ({100 * sink / clk / seconds:.0f}%)")
PY
exec 3>&-
}

for n in "${sizes[@]}"; do send "$n"; done
