#!/usr/bin/python3
"""Search latency: median and p95 of a few typical searches.

usage: bench/search.py BASE_URL [ROUNDS]

Run it against `quire serve` over the Reuters import, started with
`[cache] max_bytes = 0` in its INI file so that every request runs the
whole search (count, page, snippets, three facets), and with
`[limits] search_per_minute = 1000000` so the per-reader allowance does
not answer 429. With the normal cache, a reader's repeats are hits (the
server says nothing of it: no X-Cache on searches, for privacy).
"""
import statistics
import sys
import time
import urllib.parse
import urllib.request

QUERIES = ["oil", "oil prices", '"interest rates"', "cocoa", "nucl*",
           "opec production quota", "yen dollar", "said"]
FILTERS = ["", "&year=1987", "&section=crude"]


def get(url):
    t = time.perf_counter()
    with urllib.request.urlopen(url) as r:
        r.read()
    return (time.perf_counter() - t) * 1000


def main():
    base = sys.argv[1].rstrip("/")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for q in dict.fromkeys(QUERIES):
        for f in FILTERS:
            times = []
            url = f"{base}/search?q={urllib.parse.quote(q)}{f}"
            for i in range(rounds + 1):
                ms = get(url)
                if i > 0:  # the first one warms SQLite's page cache
                    times.append(ms)
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(f"{q!r:28} {f or '-':16} median {statistics.median(times):6.1f} ms"
                  f"  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
