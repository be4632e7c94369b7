# Shared by bench/deep_pages.sh, bench/cluster.sh and bench/memory.sh (sourced, not run).
#
#   need TOOL...      stops with a message when a tool is missing
#   free_port         a free TCP port on loopback
#   say MESSAGE       a line on standard error
#   newsdesk_binary   builds this checkout in release mode, or takes BIN=path, and sets $bin;
#                     the server then logs at warn and lets the load generator's one address
#                     open as many connections as it likes
need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (apt-get install it)" >&2; exit 1; }
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
say() { printf 'bench: %s\n' "$*" >&2; }
newsdesk_binary() {
  if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
  bin=$(realpath "${BIN:-target/release/newsdesk}")
  export NEWSDESK_LOG__LEVEL=${BENCH_LOG_LEVEL:-warn}
  export NEWSDESK_SERVER__MAX_CONNECTIONS_PER_CLIENT=0
}
