#!/usr/bin/env python3
"""Related-articles quality on a labelled German news corpus: Newsdesk against plain TF-IDF.

    pip install scikit-learn          # the only requirement beyond the standard library
    bench/related_corpus.py CORPUS [--articles 1100] [--queries 200] [--seed 7] [--keep DIR]
    NEWSDESK_BIN=/path/to/newsdesk bench/related_corpus.py CORPUS      (default ./target/release/newsdesk)
    bench/related_corpus.py CORPUS --baseline-only                       (no binary needed)

CORPUS is the 10kGNAD ("Ten Thousand German News Articles Dataset") test.csv, train.csv or
articles.csv (one article a row, `label;text`, quoted with `'`), or a folder holding one of them,
or a JSON Lines file of {"label": ..., "text": ...}. The data is not in this repository and no
package registry ships it: get it from the dataset's own repository (github.com/tblock/10kGNAD)
and keep it outside the work tree. Licence: CC BY-NC-SA 4.0 (non-commercial, share-alike).
Credit: "10kGNAD, Ten Thousand German News Articles Dataset, by Timo Block
(https://tblock.github.io/10kGNAD/), CC BY-NC-SA 4.0; built from the One Million Posts Corpus
(D. Schabus, M. Skowron, M. Trapp: One Million Posts: A Data Set of German Online Discussions,
SIGIR 2017) of articles from DER STANDARD."

What it does, all in one run:
  1. Samples up to --articles articles (seed 7; proportional to the categories, exact duplicate
     texts dropped; all of them when the file is smaller) and writes each as Markdown with TOML
     front matter into a temporary folder. 10kGNAD texts have no title: the first sentence (the
     subheadline) becomes the title (at most 120 characters), the next one the lead, the rest
     the body. Tags stay empty so the category cannot leak into the related lists; every
     article has the same author (Newsdesk requires one); published_at is a distinct hour each.
  2. `newsdesk --data DIR article import FOLDER` and `newsdesk --data DIR reindex` on a fresh
     data folder (both timed), then `newsdesk --data DIR article related SLUG --json` for
     --queries articles sampled with the same seed.
  3. For the same articles and the same texts (title + lead + body), a baseline: cosine of
     scikit-learn TfidfVectorizer vectors (lowercased word tokens, no stemming), raw tf and
     sublinear tf, top 5 without the article itself (zero-similarity articles are not listed).
  4. Prints one table: precision@5 (articles of the same category among the five, a missing
     entry counts as a miss), how many articles got fewer than 5 and how many got none.
"""
import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
K = 5
TITLE_MAX = 120
LEAD_MAX = 1000
AUTHOR = "10kGNAD"
# The binary refuses NEWSDESK_* variables it does not know: NEWSDESK_BIN stays with us.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "NEWSDESK_BIN"}
FIRST_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

# Words that end with a period without ending a sentence (lowercased, without the period).
ABBREVIATIONS = set(
    "st dr nr bzw ca vgl etc mio mrd prof inkl ggf usw bspw abs art jh min max evtl sog hl str tel "
    "vs dt ehem geb mag ing dipl univ mr mrs jr sr co corp inc ltd bd jg chr abg gen lt kap fr hr".split()
)
SENTENCE_END = re.compile(r'[.!?]+["\u201c\u201d\u00bb]?\s+')


# ---------------------------------------------------------------- corpus


def read_corpus(path):
    """[(row number, label, text)] from a 10kGNAD CSV, a folder holding one, or JSON Lines."""
    path = Path(path)
    if path.is_dir():
        for name in ("test.csv", "articles.csv", "train.csv"):
            if (path / name).is_file():
                path = path / name
                break
        else:
            sys.exit(f"bench: no test.csv, articles.csv or train.csv in {path}")
    rows = []
    if path.suffix in (".jsonl", ".json"):
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    item = json.loads(line)
                    rows.append((n, str(item["label"]), str(item["text"])))
        return rows
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as f:
        for n, record in enumerate(csv.reader(f, delimiter=";", quotechar="'"), 1):
            if len(record) < 2:
                continue
            label, text = record[0].strip(), ";".join(record[1:]).strip()
            if n == 1 and label.lower() in ("label", "category"):
                continue  # a header line
            if label and text:
                rows.append((n, label, text))
    return rows


def sample_articles(rows, limit, rng):
    """Up to `limit` rows, each category in proportion to its size (largest remainders)."""
    seen, unique = set(), []
    for row in rows:
        if row[2] not in seen:
            seen.add(row[2])
            unique.append(row)
    if len(unique) <= limit:
        chosen = list(unique)
    else:
        by_label = defaultdict(list)
        for row in unique:
            by_label[row[1]].append(row)
        labels = sorted(by_label)
        quota = {l: limit * len(by_label[l]) / len(unique) for l in labels}
        take = {l: int(quota[l]) for l in labels}
        rest = limit - sum(take.values())
        for l in sorted(labels, key=lambda l: (-(quota[l] - take[l]), l))[:rest]:
            take[l] += 1
        chosen = [row for l in labels for row in rng.sample(by_label[l], take[l])]
    rng.shuffle(chosen)
    return chosen, len(rows) - len(unique)


def split_sentences(text):
    """Naive German sentence split that keeps abbreviations, initials and ordinals together."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        following = text[m.end() : m.end() + 1]
        if not following or not (following.isupper() or following.isdigit() or following in '"\u201e\u00bb(\u201c'):
            continue
        if text[m.start()] == ".":
            word = text[start : m.start()].rsplit(None, 1)[-1] if text[start : m.start()].strip() else ""
            word = word.lower().lstrip('("\u201e\u00bb')
            if (
                word in ABBREVIATIONS
                or (len(word) == 1 and word.isalpha())
                or re.fullmatch(r"\d{1,2}", word)
                or re.fullmatch(r"(\w\.)+\w", word)
            ):
                continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def clip(text, limit):
    """`text` cut at a word boundary to at most `limit` characters (with an ellipsis), and the cut-off rest."""
    if len(text) <= limit:
        return text, ""
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip() + "\u2026", text[len(cut) :].strip()


def to_article(text):
    """(title, lead, body) from a title-less 10kGNAD text."""
    sentences = split_sentences(" ".join(text.split()))
    first = sentences[0] if sentences else text
    title_text = first[:-1].rstrip(". ") if first.endswith(".") and not first.endswith("...") else first
    title, over = clip(title_text, TITLE_MAX)
    lead, lead_over = clip(sentences[1], LEAD_MAX) if len(sentences) > 1 else ("", "")
    body = " ".join(part for part in [over, lead_over, *sentences[2:]] if part)
    return title or first[:TITLE_MAX], lead, body


def toml_str(s):
    """A TOML basic string."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def write_articles(chosen, folder):
    """Writes the Markdown files; returns [{slug, label, title, lead, body}] in sample order."""
    articles = []
    for i, (row, label, text) in enumerate(chosen):
        title, lead, body = to_article(text)
        slug = f"gnad-{row}"
        when = (FIRST_TIME + dt.timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        front = "\n".join(
            [
                f"title = {toml_str(title)}",
                f"slug = {toml_str(slug)}",
                f"lead = {toml_str(lead)}",
                "tags = []",
                f"authors = [{toml_str(AUTHOR)}]",
                'language = "de"',
                'status = "published"',
                f"published_at = {toml_str(when)}",
            ]
        )
        (folder / f"{slug}.md").write_text(f"+++\n{front}\n+++\n\n{body}\n", encoding="utf-8")
        articles.append({"slug": slug, "label": label, "title": title, "lead": lead, "body": body})
    return articles


# ---------------------------------------------------------------- systems


def run(cmd, cwd):
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=CHILD_ENV)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        sys.exit(f"bench: `{' '.join(map(str, cmd))}` exited {done.returncode}:\n{tail}")
    return done.stdout, elapsed


def newsdesk_lists(binary, articles, queries, work):
    """Imports, reindexes and asks for the related lists; returns (lists, timings, errors)."""
    data, folder = work / "data", work / "articles"
    base = [str(binary), "--data", str(data)]
    out, import_s = run(base + ["article", "import", str(folder)], work)
    summary = out.strip().splitlines()[-1] if out.strip() else ""
    if not summary.startswith(f"{len(articles)} imported"):
        sys.exit(f"bench: the import reported {summary!r}, expected {len(articles)} imported")
    _, reindex_s = run(base + ["reindex"], work)
    lists, errors = {}, []
    started = time.perf_counter()
    for slug in queries:
        done = subprocess.run(
            base + ["article", "related", slug, "--json"], cwd=work, capture_output=True, text=True, env=CHILD_ENV
        )
        try:
            if done.returncode != 0:
                raise ValueError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
            lists[slug] = [item["slug"] for item in json.loads(done.stdout)]
        except (ValueError, KeyError, TypeError) as e:
            errors.append(f"{slug}: {e}")
            lists[slug] = []
    related_s = time.perf_counter() - started
    return lists, {"import": import_s, "reindex": reindex_s, "related": related_s}, errors


def tfidf_lists(articles, queries, sublinear):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel
    import numpy as np

    texts = [" ".join(part for part in (a["title"], a["lead"], a["body"]) if part) for a in articles]
    matrix = TfidfVectorizer(lowercase=True, sublinear_tf=sublinear).fit_transform(texts)
    position = {a["slug"]: i for i, a in enumerate(articles)}
    lists = {}
    for slug in queries:
        i = position[slug]
        scores = linear_kernel(matrix[i], matrix).ravel()
        scores[i] = -1.0
        order = np.argsort(-scores, kind="stable")[:K]
        lists[slug] = [articles[j]["slug"] for j in order if scores[j] > 0]
    return lists


def evaluate(lists, label_of, queries):
    hits = sum(sum(label_of.get(s) == label_of[q] for s in lists[q][:K] if s != q) for q in queries)
    short = sum(len(lists[q]) < K for q in queries)
    empty = sum(not lists[q] for q in queries)
    return hits / (K * len(queries)), short, empty


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="10kGNAD CSV (test.csv, articles.csv), a folder with one, or JSON Lines")
    parser.add_argument("--articles", type=int, default=1100, help="articles to import (default 1100)")
    parser.add_argument("--queries", type=int, default=200, help="articles whose related lists are judged (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="keep the Markdown files and the data folder here")
    parser.add_argument("--baseline-only", action="store_true", help="only the TF-IDF baselines, no Newsdesk binary")
    args = parser.parse_args()
    started = time.perf_counter()

    try:
        import sklearn  # noqa: F401
    except ImportError:
        sys.exit("bench: scikit-learn is missing: pip install scikit-learn")
    binary = None
    if not args.baseline_only:
        binary = Path(os.environ.get("NEWSDESK_BIN") or REPO / "target" / "release" / "newsdesk").resolve()
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            sys.exit(f"bench: no Newsdesk binary at {binary} (cargo build --release, set NEWSDESK_BIN, or --baseline-only)")

    rng = random.Random(args.seed)
    rows = read_corpus(args.corpus)
    if len(rows) < K + 1:
        sys.exit(f"bench: only {len(rows)} articles in {args.corpus}")
    chosen, duplicates = sample_articles(rows, args.articles, rng)

    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="newsdesk-related-"))
    if args.keep and work.exists() and any(work.iterdir()):
        sys.exit(f"bench: {work} is not empty")
    (work / "articles").mkdir(parents=True)
    try:
        articles = write_articles(chosen, work / "articles")
        label_of = {a["slug"]: a["label"] for a in articles}
        queries = rng.sample([a["slug"] for a in articles], min(args.queries, len(articles)))
        counts = Counter(a["label"] for a in articles)
        total = len(articles)
        chance = sum(n * (n - 1) for n in counts.values()) / (total * (total - 1))
        print(
            f"corpus: {args.corpus}: {len(rows)} articles ({duplicates} duplicate texts dropped), "
            f"{total} imported in {len(counts)} categories, {len(queries)} judged, seed {args.seed}"
        )
        print("categories: " + ", ".join(f"{l} {n}" for l, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))))

        results, timings, errors = [], {}, []
        if binary:
            lists, timings, errors = newsdesk_lists(binary, articles, queries, work)
            results.append(("Newsdesk related", evaluate(lists, label_of, queries)))
        for name, sublinear in (("TF-IDF cosine (raw tf)", False), ("TF-IDF cosine (sublinear tf)", True)):
            t = time.perf_counter()
            lists = tfidf_lists(articles, queries, sublinear)
            timings[name] = time.perf_counter() - t
            results.append((name, evaluate(lists, label_of, queries)))

        print()
        print(f"| system | precision@{K} | articles with <{K} | with 0 |")
        print("| --- | ---: | ---: | ---: |")
        for name, (precision, short, empty) in results:
            print(f"| {name} | {precision:.3f} | {short} | {empty} |")
        print(f"| (chance: random other article) | {chance:.3f} | | |")
        print()
        if binary:
            print(
                f"newsdesk: import {timings['import']:.1f} s, reindex {timings['reindex']:.1f} s, "
                f"{len(queries)} related lists {timings['related']:.1f} s "
                f"({1000 * timings['related'] / len(queries):.0f} ms a call, process start included)"
            )
            for e in errors[:10]:
                print(f"related failed: {e}")
            if errors:
                print(f"{len(errors)} related call(s) failed; counted as empty lists")
        print(
            "baseline: "
            + ", ".join(f"{n} {timings[n]:.1f} s" for n in timings if n.startswith("TF-IDF"))
        )
        print(f"total {time.perf_counter() - started:.1f} s" + (f"; files kept in {work}" if args.keep else ""))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
