#!/usr/bin/python3
"""FTS5 or Xapian: the same searches on the same journal, side by side
(issue 17; docs/benchmarks.md, "FTS5 or Xapian"). `make bench-engines`.

usage: bench/engines.py QUIRE.db [ROUNDS]

Quire's two search paths in-process (bench/engine-compare), each on a
store opened once as a server keeps it, each query through store_search as
/search calls it (the total up to "10,000+", four facets, the page of ten
with snippets), timed ROUNDS times after one warm-up: FTS5, then the
Xapian index beside the journal (QUIRE.db.xapian, built first if it is
missing or behind: its time is printed).
"""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
TOOL = REPO / "build-bench" / "bench" / "engine-compare"
QUERIES = ["oil", "said", "cocoa", "oil prices", '"interest rates"',
           '"oil prices"', "s*", "oi*", "nucl*",
           "opec production quota yen dollar bank",
           "the said a to of and in for",
           '"said the company said it would"']


def rows(engine, db, rounds):
    """{query: (median, p95, matches)} from the tool's lines."""
    out = subprocess.run([TOOL, engine, db, rounds] + QUERIES, check=True,
                         capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        if line.startswith("xapian index ready"):
            print(line, flush=True)
            continue
        f = line[52:].split()
        got[line[:44].rstrip()] = (float(f[1]), float(f[4]), int(f[7]))
    return got


def du(path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main():
    db = pathlib.Path(sys.argv[1]).resolve()
    rounds = sys.argv[2] if len(sys.argv) > 2 else "20"
    xap = rows("xapian", db, rounds)
    fts = rows("fts5", db, rounds)
    xdir = pathlib.Path(str(db) + ".xapian")
    print(f"journal {db.stat().st_size / 2**20:.0f} MB (FTS5 index inside),"
          f" Xapian index {du(xdir) / 2**20:.0f} MB", flush=True)
    print(f"{'query':40} {'FTS5 med/p95 ms':>19} {'Xapian med/p95 ms':>19}"
          f" {'matches':>15}")
    for s in QUERIES:
        k = s[:44]
        f, x = fts[k], xap[k]
        print(f"{s[:40]:40} {f[0]:9.2f}/{f[1]:<9.2f} {x[0]:9.2f}/{x[1]:<9.2f}"
              f" {f[2]:7}/{x[2]:<7}", flush=True)


if __name__ == "__main__":
    main()
