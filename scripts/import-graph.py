#!/usr/bin/env python3
"""The import graph of the Rust sources: which files refer to which, and which sit in cycles.

Usage: scripts/import-graph.py [--edges] [SRC_DIR ...]   (default: src and crates/*/src)

Each `.rs` file is a node; a file refers to another when it names an item of that file's module
(`crate::a::b`, `super::x`, `self::y`, or another crate of the workspace by its name). The
report gives the number of files, the strongly connected components with more than one file
(import cycles) and the files in them. With several source folders (a workspace), every crate's
files are one graph, and a crate is named as its Cargo.toml names it (`newsdesk_core`).
"""

import glob
import os
import re
import sys
from collections import defaultdict

PATH = re.compile(r"\b(crate|super|self|[a-z_][a-z0-9_]*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def modules(src_dirs):
    """Maps module paths (crate name, segments...) to files."""
    found = {}
    for src in src_dirs:
        crate = crate_name(src)
        for root, _, files in os.walk(src):
            for name in files:
                if not name.endswith(".rs"):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, src)[:-3].split(os.sep)
                if rel[-1] in ("mod", "lib", "main"):
                    rel = rel[:-1]
                found[(crate, *rel)] = path
    return found


def crate_name(src):
    """The package name in the Cargo.toml beside the source folder, as code names it."""
    manifest = os.path.join(os.path.dirname(os.path.abspath(src)), "Cargo.toml")
    with open(manifest, encoding="utf-8") as f:
        name = re.search(r'^name\s*=\s*"([^"]+)"', f.read(), re.M).group(1)
    return name.replace("-", "_")


def expand_groups(text):
    """Rewrites `use a::{b, c::{d, e}};` into one path per item, so every path is plain."""
    out = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        out.extend(expand(m.group(1).replace("\n", " ")))
    return out


def expand(spec):
    spec = spec.strip()
    brace = spec.find("{")
    if brace < 0:
        return [spec.split(" as ")[0].strip()]
    prefix = spec[:brace]
    inner = spec[brace + 1 : spec.rfind("}")]
    parts, depth, current = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        current += ch
    parts.append(current)
    paths = []
    for part in parts:
        if part.strip():
            paths.extend(prefix + p for p in expand(part))
    return paths


def own_module(mods, path):
    for key, file in mods.items():
        if file == path:
            return key
    raise KeyError(path)


def resolve(mods, here, segments, crates):
    """The file a path refers to: the longest module prefix that is a file."""
    head, rest = segments[0], segments[1:]
    if head == "crate":
        base = (here[0],)
    elif head == "self":
        base = here
    elif head == "super":
        base = here[:-1]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif head in crates:
        base = (head,)
    else:
        return None
    best = None
    for n in range(len(rest) + 1):
        key = base + tuple(rest[:n])
        if key in mods:
            best = mods[key]
    return best


def reexports(mods, crates):
    """Modules a crate root takes from another crate (`pub use other::{config, db}`), as
    aliases of the files they are."""
    aliases = {}
    for key, path in mods.items():
        if len(key) != 1:
            continue
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"\bpub\s+use\s+([^;]+);", text):
            for spec in expand(m.group(1).replace("\n", " ")):
                segments = [x for x in spec.replace(" ", "").split("::") if x]
                if len(segments) < 2 or segments[0] not in crates or segments[-1] == "*":
                    continue
                target = resolve(mods, key, segments, crates)
                if target:
                    aliases[key + (segments[-1],)] = target
    return aliases


def graph(src_dirs):
    mods = modules(src_dirs)
    crates = {crate_name(s) for s in src_dirs}
    # Re-exported modules count as the files they are; the crate roots (which only declare
    # modules) are no hub of imports.
    named = {**mods, **reexports(mods, crates)}
    roots = {path for key, path in mods.items() if len(key) == 1}
    edges = defaultdict(set)
    for key, path in mods.items():
        text = open(path, encoding="utf-8").read()
        # Tests inside a file do not count: they may use anything.
        text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
        refs = expand_groups(text) + [m.group(0) for m in PATH.finditer(text)]
        for ref in refs:
            segments = [s for s in ref.replace(" ", "").split("::") if s]
            if not segments:
                continue
            target = resolve(named, key, segments, crates)
            if target and target != path and target not in roots:
                edges[path].add(target)
    return mods, edges


def cycles(nodes, edges):
    """Tarjan's strongly connected components with more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(out, key=len, reverse=True)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    src_dirs = args or ["src"] + sorted(glob.glob("crates/*/src"))
    mods, edges = graph(src_dirs)
    files = sorted(set(mods.values()))
    if "--edges" in sys.argv:
        for f in files:
            for t in sorted(edges.get(f, ())):
                print(f"{f} -> {t}")
    knots = cycles(files, edges)
    in_cycles = sum(len(k) for k in knots)
    print(f"files: {len(files)}")
    print(f"import edges: {sum(len(v) for v in edges.values())}")
    print(f"files in cycles: {in_cycles} in {len(knots)} cycle(s)")
    for k in knots:
        print(f"  cycle of {len(k)}: {' '.join(k)}")


if __name__ == "__main__":
    main()
