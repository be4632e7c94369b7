#!/usr/bin/env python3
"""The publisher of bench/cluster.sh: publishes one article a second through the real save path
(`newsdesk article import`, its own process, as an editor's save on another node would be) and
measures how long each node takes to show it.

    bench/cluster_publish.py BIN DATA SECONDS OUT PORT...

For every article: the time from the import's commit (the command's exit) until the home page
of every node lists it, polled every 10 ms on each node directly, not through the load
balancer. Once every node shows it, each node's home page is read three more times over the next
300 ms: a page without the article then is a stale page (counted). Writes the figures to OUT as
cells of a Markdown table row: published, p50, p99 and max until shown everywhere, stale pages.
"""
import os
import subprocess
import sys
import time
import urllib.request


# Straight to the node on loopback, whatever proxy the environment names.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(port, path):
    try:
        with DIRECT.open(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except Exception:  # a refused or failed request is one more poll
        return ""


def main():
    binary, data, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    ports = [int(p) for p in sys.argv[5:]]
    os.makedirs(data, exist_ok=True)
    delays, stale, missing = [], 0, 0
    started = time.time()
    n = 0
    while time.time() - started < seconds:
        tick = time.time()
        n += 1
        slug = f"cluster-{int(started)}-{n}"
        path = os.path.join(data, f"{slug}.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f'+++\ntitle = "Cluster {n}"\nslug = "{slug}"\nlead = "Eine Meldung für alle Knoten."\n'
                    f'tags = ["Robotik"]\nauthors = ["Autorin 1"]\n+++\nDer Text der Meldung {n}.\n')
        subprocess.run([binary, "--data", data, "article", "import", path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        committed = time.time()
        seen = {}
        while len(seen) < len(ports) and time.time() - committed < 10:
            for port in ports:
                if port not in seen and f"/news/{slug}" in get(port, "/"):
                    seen[port] = time.time() - committed
            time.sleep(0.01)
        if len(seen) < len(ports):
            missing += 1
            continue
        delays.append(max(seen.values()))
        for _ in range(3):
            time.sleep(0.1)
            stale += sum(1 for port in ports if f"/news/{slug}" not in get(port, "/"))
        time.sleep(max(0.0, 1.0 - (time.time() - tick)))
    delays.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] * 1000 if delays else None
    ms = lambda v: "-" if v is None else f"{v:.0f} ms"
    cells = [str(n), ms(pick(0.5)), ms(pick(0.99)), ms(pick(1.0)), f"{stale} (not shown within 10 s: {missing})"]
    with open(out, "w", encoding="utf-8") as f:
        f.write(" | ".join(cells) + "\n")


if __name__ == "__main__":
    main()
