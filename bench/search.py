#!/usr/bin/python3
"""Search latency: median, p95 and p99 of typical and worst-case searches.

usage: bench/search.py BASE_URL [ROUNDS] [--worst]

Run it against `quire serve` over the Reuters import, started with
`[cache] max_bytes = 0` in its INI file so that every request runs the
whole search (count, page, snippets, facets), and with
`[limits] search_per_minute = 1000000` so the per-reader allowance does
not answer 429. With the normal cache, a reader's repeats are hits (the
server says nothing of it: no X-Cache on searches, for privacy).

The worst cases (issue 17: any single search's p99 <= 10 ms uncached on
the full corpus) are what a reader can type that costs the most: the
commonest words, one- and two-letter prefixes, many terms, a long phrase
of common words, and every combination of the four filters (section,
author, year, country). --worst runs only those. Each URL is fetched
ROUNDS times after one warm-up; p99 is the nearest rank, so with fewer
than 100 rounds it is the slowest but one or the slowest. The last line
is the p99 over every worst-case request together.
"""
import itertools
import statistics
import sys
import time
import urllib.parse
import urllib.request

QUERIES = ["oil", "oil prices", '"interest rates"', "cocoa", "nucl*",
           "opec production quota", "yen dollar", "said"]
FILTERS = ["", "&year=1987", "&section=crude"]

# The commonest words of the corpus ("said" is in 12,166 of 15,055
# articles), the shortest prefixes ("s*" matches 14,858), many terms (the
# query keeps 8: the commonest eight are the most to read), and a phrase of
# common words (positions checked).
WORST = ["said", "the", "oil", "s*", "a*", "oi*", "st*", "c* s*",
         " ".join("abcdefghijklmnopqrstuvwxyz012345"[i] + "*"
                  for i in range(32)),
         "said the company and its shares were up in the year for oil "
         "prices to a new rate from last week on trade bank",
         "the said a to of and in for",
         '"said the company said it would"']
# One value per filter, the largest: every combination of them.
FILTER_VALUES = [("section", "general"), ("author", "peter-torday"),
                 ("year", "1987"), ("country", "us")]
WORST_FILTERS = [
    "".join(f"&{k}={v}" for k, v in combo)
    for n in range(len(FILTER_VALUES) + 1)
    for combo in itertools.combinations(FILTER_VALUES, n)]
WORST_QUERIES_FILTERED = ["said", "s*"]


def get(url):
    t = time.perf_counter()
    with urllib.request.urlopen(url) as r:
        r.read()
    return (time.perf_counter() - t) * 1000


def rank(times, p):
    """The nearest-rank percentile p of sorted times."""
    return times[max(0, -(-len(times) * p // 100) - 1)]


def measure(base, q, f, rounds):
    times = []
    url = f"{base}/search?q={urllib.parse.quote(q)}{f}"
    for i in range(rounds + 1):
        ms = get(url)
        if i > 0:  # the first one warms SQLite's page cache
            times.append(ms)
    times.sort()
    label = q if len(q) <= 26 else q[:23] + "..."
    print(f"{label!r:28} {f or '-':44} median {statistics.median(times):6.1f}"
          f" ms  p95 {rank(times, 95):6.1f} ms  p99 {rank(times, 99):6.1f} ms",
          flush=True)
    return times


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    worst_only = "--worst" in sys.argv
    base = args[0].rstrip("/")
    rounds = int(args[1]) if len(args) > 1 else 20
    if not worst_only:
        print("typical searches")
        for q in dict.fromkeys(QUERIES):
            for f in FILTERS:
                measure(base, q, f, rounds)
    print("worst cases")
    every = []
    for q in WORST:
        every += measure(base, q, "", rounds)
    for q in WORST_QUERIES_FILTERED:
        for f in WORST_FILTERS[1:]:
            every += measure(base, q, f, rounds)
    every.sort()
    print(f"all worst-case searches ({len(every)} requests): median "
          f"{statistics.median(every):.1f} ms  p99 {rank(every, 99):.1f} ms"
          f"  max {every[-1]:.1f} ms")


if __name__ == "__main__":
    main()
