#!/usr/bin/env bash
# Imports a generated WordPress export of POSTS posts (default 10,000), each with two pictures
# (a featured image and one in the text: 20,000 pictures) served by an old site on loopback,
# with --fetch-media into a fresh SQLite site. Measures the whole import (time and peak
# resident memory), then does it again on another fresh site but kills the import with SIGKILL
# part-way and reruns it, and checks that the rerun completes it with nothing duplicated and
# counts the pictures fetched twice (at most those in flight when it was killed).
#
#   bench/import.sh [POSTS]
#
# Builds in release mode. Everything runs on 127.0.0.1 and stops by itself. Prints a Markdown
# table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
posts=${1:-10000}
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is missing (apt-get install sqlite3)" >&2; exit 1; }

work=$(mktemp -d /tmp/newsdesk-import.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cargo build --release --quiet
port=$(free_port)
site="http://127.0.0.1:$port"

# The old site: a distinct small PNG for every picture path; every request logged.
cat >"$work/old_site.py" <<'EOF'
import http.server, struct, sys, zlib
log = open(sys.argv[2], "a", buffering=1)
def png(seed):
    w, h = 96, 64
    # The first row spells out the seed, so no two seeds give the same picture.
    key = seed.to_bytes(4, "big") * (w * 3 // 4)
    rows = b"".join(
        b"\x00" + (key if y == 0 else
                    bytes(v for x in range(w) for v in ((x * 3 + seed) & 255, (y * 5 + (seed >> 8)) & 255, (seed >> 16) & 255)))
        for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        log.write(self.path + "\n")
        # Every path its own picture: the hero and the inline picture of a post differ too.
        body = png(zlib.crc32(self.path.encode()))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
python3 "$work/old_site.py" "$port" "$work/requests.log" &
pids+=($!)

# The export: POSTS posts in two categories, each with a featured image (an attachment item)
# and a picture in a [caption], and a comment on every tenth.
python3 - "$posts" "$site" >"$work/export.xml" <<'EOF'
import sys
posts, site = int(sys.argv[1]), sys.argv[2]
print('<?xml version="1.0" encoding="UTF-8"?>')
print('<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
      'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:wp="http://wordpress.org/export/1.2/"><channel>')
print(f'<title>Bench</title><link>{site}</link><wp:wxr_version>1.2</wp:wxr_version>')
print('<wp:author><wp:author_login>ed</wp:author_login><wp:author_display_name>Ed Itor</wp:author_display_name></wp:author>')
for i in range(1, posts + 1):
    a = 100000 + i
    print(f'<item><title>hero {i}</title><link>{site}/?attachment_id={a}</link><guid isPermaLink="false">{site}/uploads/hero-{i}.jpg</guid>'
          f'<excerpt:encoded><![CDATA[Caption {i}]]></excerpt:encoded><wp:post_id>{a}</wp:post_id><wp:post_parent>{i}</wp:post_parent>'
          f'<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status><wp:attachment_url>{site}/uploads/hero-{i}.jpg</wp:attachment_url>'
          f'<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[Hero picture {i}]]></wp:meta_value></wp:postmeta></item>')
    day = 1 + i % 28
    comment = (f'<wp:comment><wp:comment_id>{i}</wp:comment_id><wp:comment_author>Reader {i}</wp:comment_author>'
               f'<wp:comment_date_gmt>2020-02-{day:02d} 10:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[Comment {i}]]></wp:comment_content>'
               f'<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>') if i % 10 == 0 else ''
    category = 'local-news' if i % 2 else 'culture'
    print(f'<item><title>Post number {i}</title><link>{site}/2020/01/{day:02d}/post-number-{i}/</link><dc:creator>ed</dc:creator>'
          f'<guid isPermaLink="false">{site}/?p={i}</guid>'
          f'<content:encoded><![CDATA[Paragraph one of post {i}, with some words about the harbour and the town.\n\n'
          f'[caption id="attachment_x" width="640"]<img src="{site}/uploads/inline-{i}.jpg" alt="Inline picture {i}" width="640" height="480"> Inline caption {i}[/caption]\n\n'
          f'Paragraph two of post {i}.]]></content:encoded><excerpt:encoded><![CDATA[Excerpt {i}]]></excerpt:encoded>'
          f'<wp:post_id>{i}</wp:post_id><wp:post_date>2020-01-{day:02d} 09:00:00</wp:post_date><wp:post_date_gmt>2020-01-{day:02d} 08:00:00</wp:post_date_gmt>'
          f'<wp:post_name>post-number-{i}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>'
          f'<category domain="category" nicename="{category}"><![CDATA[{category.replace("-", " ").title()}]]></category>'
          f'<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>{a}</wp:meta_value></wp:postmeta>{comment}</item>')
print('</channel></rss>')
EOF
export_size=$(du -h "$work/export.xml" | cut -f1)

run_import() { # DATA_DIR [extra time args]
  NEWSDESK_OUTGOING__ALLOWED_NETWORKS='["127.0.0.0/8"]' NEWSDESK_LOG__LEVEL=error \
    target/release/newsdesk import wordpress "$work/export.xml" --fetch-media --data "$1" 2>/dev/null
}
count() { sqlite3 "$1/newsdesk.db" "$2"; }

# 1. The whole import, timed, with its peak memory.
/usr/bin/time -f '%e %M' -o "$work/time" bash -c "$(declare -f run_import); work=$work; run_import $work/full" >"$work/full.out"
read -r seconds peak_kib <"$work/time"
full_articles=$(count "$work/full" "SELECT COUNT(*) FROM articles")
full_media=$(count "$work/full" "SELECT COUNT(*) FROM media")
full_requests=$(wc -l <"$work/requests.log")

# 2. Killed part-way (SIGKILL once a third of the posts are in), then run again.
: >"$work/requests.log"
# The binary itself in the background, so that SIGKILL reaches the import and not a shell.
NEWSDESK_OUTGOING__ALLOWED_NETWORKS='["127.0.0.0/8"]' NEWSDESK_LOG__LEVEL=error \
  target/release/newsdesk import wordpress "$work/export.xml" --fetch-media --data "$work/killed" >/dev/null 2>&1 &
import_pid=$!
third=$((posts / 3))
while kill -0 "$import_pid" 2>/dev/null; do
  done_so_far=$(count "$work/killed" "SELECT COUNT(*) FROM articles" 2>/dev/null || echo 0)
  [ "${done_so_far:-0}" -ge "$third" ] && break
  sleep 0.2
done
kill -9 "$import_pid" 2>/dev/null || true
wait "$import_pid" 2>/dev/null || true
kill -0 "$import_pid" 2>/dev/null && { echo "bench: the killed import still runs" >&2; exit 1; }
at_kill=$(count "$work/killed" "SELECT COUNT(*) FROM articles")
/usr/bin/time -f '%e %M' -o "$work/time2" bash -c "$(declare -f run_import); work=$work; run_import $work/killed" >"$work/rerun.out"
read -r rerun_seconds rerun_peak <"$work/time2"
articles=$(count "$work/killed" "SELECT COUNT(*) FROM articles")
distinct=$(count "$work/killed" "SELECT COUNT(DISTINCT title) FROM articles")
media=$(count "$work/killed" "SELECT COUNT(*) FROM media")
comments=$(count "$work/killed" "SELECT COUNT(*) FROM comments")
addresses=$(count "$work/killed" "SELECT COUNT(*) FROM old_addresses")
requests=$(wc -l <"$work/requests.log")
twice=$(sort "$work/requests.log" | uniq -d | wc -l)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo
echo "Import of $posts WordPress posts with $((posts * 2)) pictures from an old site on loopback"
echo "(export $export_size; SQLite; release build; $(nproc) cores, $cpu; $(date -u +%Y-%m-%d))"
echo
echo "| run | time | peak resident memory | articles | pictures in the library | picture requests |"
echo "|---|---|---|---|---|---|"
echo "| whole import, --fetch-media | ${seconds} s | $((peak_kib / 1024)) MiB | $full_articles | $full_media | $full_requests |"
echo "| killed at $at_kill articles, then run again (the rerun) | ${rerun_seconds} s | $((rerun_peak / 1024)) MiB | $articles ($distinct distinct) | $media | $requests in both runs, $twice fetched twice |"
echo
echo "After the rerun: $comments comments (every tenth post has one), $addresses old addresses."
tail -n 4 "$work/rerun.out" | sed 's/^/    rerun: /'
