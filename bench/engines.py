#!/usr/bin/python3
"""FTS5 or Xapian: the same searches on the same journal, side by side
(issue 17; docs/benchmarks.md, "FTS5 or Xapian"). `make bench-engines`.

usage: bench/engines.py QUIRE.db [ROUNDS]

Both engines in-process, each on a database opened once as a server keeps
it, each query timed ROUNDS times after one warm-up:
- FTS5: bench/fts-compare, Quire's own store_search as /search calls it
  (the total up to "10,000+", four facets, the page of ten with snippets).
- Xapian: bench/xapian-compare on an index of the same articles (built
  beside the journal, QUIRE.db.xapian, once; its time and size printed),
  in two modes: the ten best with no count ("top10", what Xapian is made
  for) and with at least 10,001 matches checked and two facets counted
  ("facets", closer to what Quire's results page shows; still without
  snippets).
"""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
TOOLS = REPO / "build-bench" / "bench"
QUERIES = ["oil", "said", "cocoa", "oil prices", '"interest rates"',
           '"oil prices"', "s*", "oi*", "nucl*",
           "opec production quota yen dollar bank",
           "the said a to of and in for",
           '"said the company said it would"']


def rows(cmd):
    """{(query, mode): (median, p95, matches)} from a tool's lines."""
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    got = {}
    for line in out.splitlines():
        f = line[52:].split()
        got[(line[:44].rstrip(), line[45:51].strip())] = (
            float(f[1]), float(f[4]), int(f[7]))
    return got


def du(path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main():
    db = pathlib.Path(sys.argv[1]).resolve()
    rounds = sys.argv[2] if len(sys.argv) > 2 else "20"
    xdir = pathlib.Path(str(db) + ".xapian")
    if not xdir.exists():
        print(f"indexing {db} with Xapian into {xdir}", flush=True)
        subprocess.run([TOOLS / "xapian-compare", "index", db, xdir],
                       check=True)
    print(f"journal {db.stat().st_size / 2**20:.0f} MB (FTS5 index inside),"
          f" Xapian index {du(xdir) / 2**20:.0f} MB", flush=True)
    xap = rows([TOOLS / "xapian-compare", "query", xdir, rounds] + QUERIES)
    fts = rows([TOOLS / "fts-compare", db, rounds] + QUERIES)
    print(f"{'query':40} {'FTS5 med/p95 ms':>19} {'Xapian top10':>19} "
          f"{'Xapian facets':>19} {'matches':>15}")
    for s in QUERIES:
        k = s[:44]
        f, t, x = fts[(k, "fts5")], xap[(k, "top10")], xap[(k, "facets")]
        print(f"{s[:40]:40} {f[0]:9.2f}/{f[1]:<9.2f} {t[0]:9.2f}/{t[1]:<9.2f}"
              f" {x[0]:9.2f}/{x[1]:<9.2f} {f[2]:7}/{x[2]:<7}", flush=True)


if __name__ == "__main__":
    main()
