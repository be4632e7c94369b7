#!/usr/bin/env python3
"""Fills a migrated Newsdesk database with a large publication for bench/site.sh and
bench/million.sh.

    bench/generate_site.py DB ARTICLES COMMENTS SUBSCRIBERS

DB is a SQLite file, or a postgres:// URL (loaded through psql's COPY).

Writes ARTICLES published articles (German text from a fixed vocabulary, two tags and one
author each, spread over the last five years), COMMENTS approved comments spread over them and
SUBSCRIBERS confirmed newsletter readers, straight into the tables, in a few large
transactions. The text is random but seeded, so every run builds the same site.
"""
import html
import random
import sqlite3
import subprocess
import sys
import time

TOPICS = [
    "Robotik", "Sprachmodelle", "Klimaforschung", "Raumfahrt", "Medizintechnik", "Energiewende",
    "Quantencomputer", "Datenschutz", "Chipindustrie", "Mobilität", "Pflege", "Landwirtschaft",
    "Bildung", "Cybersicherheit", "Biotechnologie", "Materialforschung", "Stadtplanung", "Logistik",
]
WORDS = (
    "Roboter Forschung Studie Hochschule Institut Modell Daten Sensor Algorithmus Labor Netz Strom "
    "Batterie Speicher Wasserstoff Satellit Rakete Mission Klinik Patienten Therapie Diagnose Gesetz "
    "Behörde Kommission Unternehmen Start-up Investition Fabrik Produktion Lieferkette Hafen Bahn "
    "Verkehr Fahrzeug Antrieb Software Plattform Nutzer Sicherheit Angriff Schwachstelle Genom Zelle "
    "Protein Werkstoff Beton Stahl Solar Wind Netzausbau Schule Lehrkräfte Studierende Förderung "
    "Ergebnis Versuch Prototyp Test Einsatz Praxis Kosten Nutzen Risiko Zukunft Region Stadt Land"
).split()
VERBS = "zeigt testet entwickelt meldet plant prüft erreicht verbessert senkt erhöht startet untersucht".split()
PLACES = ["Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden", "Stuttgart", "Bremen", "Kiel", "Jena"]


def sentence(rng):
    words = rng.sample(WORDS, 9)
    return f"{words[0]} {rng.choice(VERBS)} {' '.join(words[1:])}."


def copy_field(value):
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Postgres:
    """The few calls of sqlite3's connection this script makes, answered through psql."""

    def __init__(self, url):
        self.url = url

    def psql(self, *args, stdin=None):
        return subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url, *args], input=stdin, check=True)

    def execute(self, sql):
        self.psql("-c", sql)

    def executemany(self, sql, rows):
        # "INSERT INTO t (a, b) VALUES (?, ?)" becomes COPY t (a, b) FROM STDIN, fed in chunks.
        head = sql.split(" VALUES ")[0].replace("INSERT INTO ", "")
        constants = []
        if "'" in sql:  # literal values in the statement: the columns they fill, and their values
            cols = head[head.index("(") + 1 : head.index(")")].split(", ")
            vals = sql.split(" VALUES ")[1].strip("() ").split(", ")
            constants = [(i, v.strip("'")) for i, v in enumerate(vals) if v != "?"]
            assert len(cols) == len(vals)
        proc = subprocess.Popen(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-c", f"\\copy {head} FROM STDIN"],
            stdin=subprocess.PIPE,
            text=True,
        )
        for row in rows:
            row = list(row)
            for i, v in constants:
                row.insert(i, v)
            proc.stdin.write("\t".join(copy_field(v) for v in row) + "\n")
        proc.stdin.close()
        if proc.wait() != 0:
            sys.exit(f"copy into {head} failed")

    def commit(self):
        pass

    def close(self):
        for table in ["articles", "tags", "authors", "comments", "subscribers", "subscriptions"]:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def main():
    path, articles, comments, subscribers = sys.argv[1], *map(int, sys.argv[2:5])
    rng = random.Random(20261124)
    if path.startswith("postgres"):
        db = Postgres(path)
    else:
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = OFF")
    now = int(time.time())
    started = time.time()

    tags = [(i + 1, f"{t.lower().replace('ä', 'ae').replace('ö', 'oe').replace('ü', 'ue')}", t, now) for i, t in enumerate(TOPICS)]
    db.executemany("INSERT INTO tags (id, slug, name, created_at) VALUES (?, ?, ?, ?)", tags)
    authors = [(i + 1, f"autorin-{i + 1}", f"Autorin {i + 1}", "", now) for i in range(50)]
    db.executemany("INSERT INTO authors (id, slug, name, bio, created_at) VALUES (?, ?, ?, ?, ?)", authors)

    five_years = 5 * 365 * 86400
    rows, labels, bylines = [], [], []
    for i in range(1, articles + 1):
        topic = rng.randrange(len(TOPICS))
        title = f"{TOPICS[topic]}: {sentence(rng)[:-1]} ({i})"
        slug = f"meldung-{i}"
        lead = sentence(rng) + " " + sentence(rng)
        paragraphs = [" ".join(sentence(rng) for _ in range(4)) + f" {TOPICS[topic]}." for _ in range(4)]
        body_md = "\n\n".join(paragraphs)
        body_html = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        published = now - five_years + (five_years * i) // (articles + 1)
        place = f'["{rng.choice(PLACES)}"]'
        rows.append((i, slug, title, place, lead, body_md, body_html, "de", "published", published, published, published))
        second = (topic + 1 + rng.randrange(len(TOPICS) - 1)) % len(TOPICS)
        labels += [(i, topic + 1, 0, published), (i, second + 1, 1, published)]
        bylines.append((i, rng.randrange(50) + 1, 0, published))
    db.executemany(
        "INSERT INTO articles (id, slug, title, places, lead, body_md, body_html, language, status, published_at, "
        "created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.executemany("INSERT INTO article_tags (article_id, tag_id, position, published_at) VALUES (?, ?, ?, ?)", labels)
    db.executemany(
        "INSERT INTO article_authors (article_id, author_id, position, published_at) VALUES (?, ?, ?, ?)", bylines
    )
    db.commit()
    print(f"{articles} articles in {time.time() - started:.1f} s", file=sys.stderr)

    batch = []
    for c in range(1, comments + 1):
        article = rng.randrange(articles) + 1
        body = sentence(rng) + " " + sentence(rng)
        batch.append((c, article, f"Leser {c % 5000}", body, f"h{c}", "approved", "bench", 0.0, 0.0, 0.0, 0.0, "{}", rows[article - 1][9] + 3600))
        if len(batch) == 100_000 or c == comments:
            db.executemany(
                "INSERT INTO comments (id, article_id, author_name, body, body_hash, status, ip_hash, off_topic, "
                "demeaning, spam, risk, assessment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
            batch = []
    db.commit()
    print(f"{comments} comments in {time.time() - started:.1f} s", file=sys.stderr)

    db.executemany(
        "INSERT INTO subscribers (id, email, created_at) VALUES (?, ?, ?)",
        ((s, f"leserin{s}@example.org", now) for s in range(1, subscribers + 1)),
    )
    db.executemany(
        "INSERT INTO subscriptions (subscriber_id, kind, status, created_at, confirmed_at, consent_text, "
        "consent_form, consent_ip_hash, consent_at) VALUES (?, 'newsletter', 'active', ?, ?, 'ja', 'bench', 'x', ?)",
        ((s, now, now, now) for s in range(1, subscribers + 1)),
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    print(f"{subscribers} subscribers; done in {time.time() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
