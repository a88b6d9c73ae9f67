"""Every cache off against every cache on: the same pages, byte for byte.

Two servers share one journal: one as shipped, one started with
QUIRE_NO_CACHE=1 (every cache off: page cache, side snapshot, origin,
kept responses, search cache, and the store's memos, page indexes and
related index; docs/internals/caches.md). Random edits go in through the
CLI between rounds; after each round every page reachable from the home
page (links, feeds, sitemap entries, a few searches) is fetched from both
and must be the same status, type and body.

Masked, and why:
- the read counter spliced into article pages ("Read N times"): each server
  counts the reads it served itself, in memory (hits_flush is an hour, so
  neither writes them to the shared file during the test and the most-read
  lists stay comparable);
- nothing else: X-Cache, ETag and Date are headers, not compared. Both
  servers are sent the same Host (base_url is unset, so it names the site
  in feeds; docs/security.md).

A cached page may lag an edit by the ticker that follows the change log
(about a second, site.c): a page that differs is fetched again for up to
SETTLE seconds; one that still differs is a stale cache, and fails.

QUIRE_CACHE_ROUNDS (default 3) sets the rounds; QUIRE_LONG=1 makes it 25.
Edits come from EDITORS: add the admin API's editors there once it exists
(each takes the test's State and makes one random change).
"""
import html.parser
import os
import random
import re
import time
import urllib.parse

import pytest
import requests

from conftest import Server, make_journal, quire

SETTLE = 4.0
ROUNDS = int(os.environ.get("QUIRE_CACHE_ROUNDS",
                            "25" if os.environ.get("QUIRE_LONG") else "3"))
# Searches run by the hundred here: the per-reader allowance is lifted.
INI = ("[server]\nhits_flush = 3600\n"
       "[limits]\nsearch_per_minute = 1000000\nsearch_concurrent = 64\n")
WORDS = ["Caspian", "pipeline", "Baku", "Tbilisi", "Astana", "gas", "energy",
         "border", "election", "reform", "Kabul", "trade", "Silk", "Road"]
SECTIONS = ["Analytical Articles", "Field Reports", "News Digest"]


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)


def crawl(base, session, limit=400):
    """Every same-site URL reachable from base + "/" (HTML, XML locs)."""
    seen, queue = {base + "/"}, [base + "/"]
    for q in ("caspian", "gas pipeline", "zzzz"):
        url = base + "/search?q=" + urllib.parse.quote(q)
        seen.add(url)
        queue.append(url)
    host = urllib.parse.urlsplit(base).netloc
    while queue and len(seen) < limit:
        url = queue.pop()
        r = session.get(url, timeout=10, allow_redirects=False)
        ctype = r.headers.get("Content-Type", "")
        if r.status_code != 200:
            continue
        found = []
        if "html" in ctype:
            p = Links()
            p.feed(r.text)
            found = p.links
        elif "xml" in ctype:
            found = re.findall(r"<(?:loc|link)[^>]*?>([^<]+)</", r.text)
            found += re.findall(r'<link[^>]*href="([^"]+)"', r.text)
        for link in found:
            u = urllib.parse.urljoin(url, link)
            parts = urllib.parse.urlsplit(u)
            if parts.netloc != host or parts.scheme != "http":
                continue
            u = urllib.parse.urlunsplit(parts._replace(fragment=""))
            if u not in seen:
                seen.add(u)
                queue.append(u)
    return sorted(seen)


def mask(body):
    return re.sub(rb"Read [\d,]+ times?", b"Read N times", body)


def snapshot(session, url):
    r = session.get(url, timeout=10, allow_redirects=False)
    return (r.status_code, r.headers.get("Content-Type"),
            r.headers.get("Location"), mask(r.content))


class State:
    def __init__(self, db, tmp, rng):
        self.db, self.tmp, self.rng = db, tmp, rng
        self.src = tmp / "edits"
        self.src.mkdir()
        self.n = 0
        self.articles = []  # slugs this test imported

    def words(self, k):
        return " ".join(self.rng.choice(WORDS) for _ in range(k))


def edit_setting(st):
    key = st.rng.choice(["name", "tagline", "about"])
    quire(st.db, "config", "set", key, st.words(3).title())


def edit_link(st):
    out = quire(st.db, "link", "list").stdout.split("\n")
    ids = [l.split("\t")[0] for l in out if l.strip()]
    if ids and st.rng.random() < 0.4:
        quire(st.db, "link", "remove", st.rng.choice(ids))
    else:
        quire(st.db, "link", "add", st.words(2), "https://example.org/" +
              str(st.rng.randrange(1000)))


def edit_publication(st):
    out = quire(st.db, "publication", "list").stdout.split("\n")
    ids = [l.split("\t")[0] for l in out if l.strip()]
    if ids and st.rng.random() < 0.4:
        quire(st.db, "publication", "remove", st.rng.choice(ids))
    else:
        quire(st.db, "publication", "add", "--kind", "Analysis", "--date",
              f"20{st.rng.randrange(10, 24)}-0{st.rng.randrange(1, 9)}-1"
              f"{st.rng.randrange(0, 9)}", st.words(4).title())


def edit_article(st):
    """A new article, or a new version of one this test made."""
    if st.articles and st.rng.random() < 0.5:
        slug = st.rng.choice(st.articles)
    else:
        st.n += 1
        slug = f"edit-{st.n}"
        st.articles.append(slug)
    tags = sorted({st.rng.choice(WORDS) for _ in range(2)})
    year = st.rng.choice([2004, 2005])
    text = ("---\n"
            f'title: "{st.words(4).title()}"\n'
            f"slug: {slug}\n"
            f"date: {year}-0{st.rng.randrange(1, 9)}-1{st.rng.randrange(9)}\n"
            f"author: {st.rng.choice(['Zahid Anwar', 'Johan Engvall', 'Ann Lee'])}\n"
            f"section: {st.rng.choice(SECTIONS)}\n"
            f"issue: {year}-07-14\n"
            f"tags: [{', '.join(tags)}]\n"
            f'summary: "{st.words(6)}"\n'
            "---\n\n" + st.words(30) + "\n")
    path = st.src / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    quire(st.db, "import", "markdown", str(path))


def delete_article(st):
    if not st.articles:
        return edit_article(st)
    slug = st.articles.pop(st.rng.randrange(len(st.articles)))
    quire(st.db, "article", "delete", slug)


# The CLI's edits. The admin API's editors join this list when it exists.
EDITORS = [edit_setting, edit_link, edit_publication, edit_article,
           edit_article, delete_article]


def compare(cached, plain, sc, sp):
    """The URLs whose pages still differ after SETTLE seconds."""
    urls = crawl(cached.url, sc)
    differ = {}
    for u in urls:
        path = u[len(cached.url):]
        a, b = snapshot(sc, u), snapshot(sp, plain.url + path)
        if a != b:
            differ[path] = (a, b)
    deadline = time.time() + SETTLE
    while differ and time.time() < deadline:
        time.sleep(0.3)
        for path in list(differ):
            a = snapshot(sc, cached.url + path)
            b = snapshot(sp, plain.url + path)
            if a == b:
                del differ[path]
            else:
                differ[path] = (a, b)
    return urls, differ


def describe(differ):
    out = []
    for path, (a, b) in list(differ.items())[:5]:
        out.append(f"{path}: cached {a[:3]} {len(a[3])} bytes, "
                   f"uncached {b[:3]} {len(b[3])} bytes")
        if a[3] != b[3]:
            la, lb = a[3].split(b"\n"), b[3].split(b"\n")
            for x, y in zip(la, lb):
                if x != y:
                    out.append(f"  cached:   {x[:200]!r}\n  uncached: {y[:200]!r}")
                    break
    return "\n".join(out)


# "disk": a page cache of 40 KB in memory, so most pages are evicted to
# its files on disk and read back from there (cache.c's disk tier).
MEMORY = {"memory": "", "disk": "[cache]\nmax_bytes = 40000\n"}


def disk_hits(srv):
    m = re.search(r"^quire_page_cache_disk_hits_total (\d+)$",
                  requests.get(srv.url + "/metrics").text, re.M)
    return int(m.group(1))


@pytest.mark.parametrize("tier", list(MEMORY))
def test_caches_on_and_off_serve_the_same_pages(tmp_path, tier):
    db = make_journal(tmp_path)
    rng = random.Random(int(os.environ.get("QUIRE_CACHE_SEED", "13")))
    st = State(db, tmp_path, rng)
    for _ in range(3):
        edit_article(st)
    cached = Server(db, tmp_path, extra_ini=INI + MEMORY[tier])
    os.environ["QUIRE_NO_CACHE"] = "1"
    try:
        plain = Server(db, tmp_path, extra_ini=INI)
    finally:
        del os.environ["QUIRE_NO_CACHE"]
    try:
        with requests.Session() as sc, requests.Session() as sp:
            # One Host for both: without base_url it names the site.
            sp.headers["Host"] = urllib.parse.urlsplit(cached.url).netloc
            urls, differ = compare(cached, plain, sc, sp)
            assert len(urls) > 30, urls
            assert not differ, describe(differ)
            # The page cache is really on in one and off in the other.
            assert sc.get(cached.url + "/").headers["X-Cache"] == "hit"
            assert sp.get(plain.url + "/").headers["X-Cache"] == "miss"
            for r in range(ROUNDS):
                done = []
                for _ in range(rng.randrange(1, 4)):
                    e = rng.choice(EDITORS)
                    e(st)
                    done.append(e.__name__)
                urls, differ = compare(cached, plain, sc, sp)
                assert not differ, f"round {r} ({', '.join(done)}):\n" + \
                    describe(differ)
            # The pages compared came from where the tier says.
            assert (disk_hits(cached) > 30) == (tier == "disk")
    finally:
        assert cached.stop() == 0, cached.output()
        assert plain.stop() == 0, plain.output()
