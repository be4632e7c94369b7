#!/usr/bin/env python3
"""Writes moderation/de-en.tsv.gz, the German-English word pairs that let the comment assessment
judge a comment in the other language than its article's (off-topic across languages).

Usage: scripts/bilingual-dictionary.py [DING_FILE]
  DING_FILE defaults to /usr/share/trans/de-en, from Debian's package trans-de-en
  (`apt-get install trans-de-en`): Frank Richter's Ding dictionary, GPL-2.0-or-later.

Each dictionary line pairs German and English senses (`Abholzung {f}; Rodung {f} ::
deforestation; forest clearing`), sub-senses split by `|` on both sides. Kept: every pairing of
a one-word German term with a one-word English term of the same sense, grammar marks and notes
dropped ("to" of English verbs too); a sense with more than 24 pairings is too vague to keep.
The output is sorted and written without a time stamp, so the same input gives the same bytes.
"""

import gzip
import re
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/trans/de-en"
TARGET = "moderation/de-en.tsv.gz"
MARKS = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>")
ONE_WORD = re.compile(r"^[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß\-]*[A-Za-zÄÖÜäöüß]$")
PLACEHOLDERS = ("sb.", "sth.", "jdm.", "jdn.", "etw.", "jds.", "sich ")


def term(text, english):
    text = re.sub(r"\s+", " ", MARKS.sub(" ", text).replace("/", " ")).strip()
    if english and text.startswith("to "):
        text = text[3:]
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, " ")
    text = text.strip()
    return text if ONE_WORD.match(text) else None


def main():
    pairs = set()
    with open(SOURCE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "::" not in line:
                continue
            german, english = line.rstrip("\n").split("::", 1)
            senses = list(zip(german.split("|"), english.split("|")))
            if len(german.split("|")) != len(english.split("|")):
                continue
            for de, en in senses:
                des = [w for w in (term(x, False) for x in de.split(";")) if w]
                ens = [w for w in (term(x, True) for x in en.split(";")) if w]
                if not des or not ens or len(des) * len(ens) > 24:
                    continue
                pairs.update((d, e.lower()) for d in des for e in ens)
    text = "".join(f"{d}\t{e}\n" for d, e in sorted(pairs))
    with open(TARGET, "wb") as out:
        out.write(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{TARGET}: {len(pairs)} pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
