"""Search: /search on a small journal and on the Reuters import.

A reader types words, phrases and prefixes into the header's box; the tests
check what they get back (titles in rank order, highlighted snippets,
facet links whose counts add up, the pager), that hostile queries get a
friendly page and never a 500, and that the index follows the CLI's
imports and deletes while the server runs.
"""
import html
import re
import time
import urllib.parse

import pytest

from conftest import Server, make_journal, quire, text_of

EXTRA = {
    "russia.md": """---
title: "Россия и Пакистан"
date: 2005-03-01
author: Иван Петров
section: Field Reports
summary: "Отношения двух стран."
---
Москва и Исламабад. Kumquat season.
""",
    "sao-paulo.md": """---
title: "Trade Fair in São Paulo"
date: 2005-04-01
author: Ana Souza
section: News Digest
---
Brazilian kumquat notes.
""",
    "economies.md": """---
title: "Growth Everywhere"
date: 2006-01-10
author: Zahid Anwar
section: Field Reports
summary: "Central Asian economies grew by nuclear power."
---
Figures and <b>tables</b>. Kumquat season.
""",
}


def main_of(page):
    m = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    assert m
    return m.group(1)


def search(srv, q=None, status=200, **params):
    if q is not None:
        params["q"] = q
    r = srv.get("/search?" + urllib.parse.urlencode(params))
    assert r.status_code == status, (params, r.status_code)
    return r


def titles(page):
    return [html.unescape(t) for t in re.findall(
        r'<article class="item search-hit">.*?<h2><a href="[^"]+">(.*?)</a>',
        page, re.S)]


def count_shown(page):
    """The result count as shown: "7", "1,117", "10,000+"."""
    m = re.search(r"([0-9][0-9,]*\+?) results? for", page)
    assert m, "no result count"
    return m.group(1)


def total(page):
    shown = count_shown(page)
    assert not shown.endswith("+"), f"a capped count: {shown}"
    return int(shown.replace(",", ""))


def facet(page, label):
    """[(name, count, url)] of the facet nav labelled 'Filter by <label>'."""
    m = re.search(rf'<nav aria-label="Filter by {label}">(.*?)</nav>', page,
                  re.S)
    if not m:
        return []
    out = [(html.unescape(n), int(c), html.unescape(u)) for u, n, c in
           re.findall(r'<a href="([^"]+)">([^<]*)</a> \(([0-9]+)\)',
                      m.group(1))]
    out += [(html.unescape(n), int(c), None) for n, c in
            re.findall(r'<span aria-current="true">([^<]*) \(([0-9]+)\)',
                       m.group(1))]
    return out


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("search")
    db = make_journal(tmp)
    src = tmp / "more"
    src.mkdir()
    for name, text in EXTRA.items():
        (src / name).write_text(text, encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    # Room in the request line for a 10 KB query, to reach our own limit.
    s = Server(db, tmp, extra_ini="header_max = 32768\n")
    yield s
    assert s.stop() == 0, s.output()


def test_header_has_a_search_box(srv):
    page = srv.get("/").text
    form = re.search(r'<form class="search-box" action="/search" '
                     r'method="get"[^>]*>(.*?)</form>', page, re.S)
    assert form
    assert '<label for="search-q">' in form.group(1)
    assert 'id="search-q"' in form.group(1) and 'name="q"' in form.group(1)
    assert "<script" not in page


def test_empty_query_is_the_form(srv):
    for params in ({}, {"q": ""}, {"q": "   "}):
        page = search(srv, **params).text
        assert '<form class="search-form"' in page
        assert "result" not in text_of(main_of(page)).lower()


def test_known_words_rank_titles_first(srv):
    page = search(srv, "pakistan russia").text
    got = titles(page)
    assert got[0] == "PAKISTAN–RUSSIA RELATIONS IN A REGIONAL AND GLOBAL CONTEXT"
    page = search(srv, "caspian").text
    assert titles(page)[0] == "Three Voices on the Caspian"
    # Byline, date and section are on each hit.
    hit = main_of(page).split('<article class="item search-hit">')[1]
    assert "Svante E. Cornell" in hit and "Analytical Articles" in hit
    assert '<time datetime="2004-07-14' in hit


def test_snippet_highlights_and_escapes(srv):
    page = search(srv, "markup").text
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S).group(1)
    # The intro "An intro with <b>markup</b> & ampersands." is text: its
    # tags are escaped, the match is marked.
    assert "<mark>markup</mark>" in snippet
    assert "<b>" not in snippet and "&lt;b&gt;" in snippet
    assert "&amp;" in snippet


def test_stemming_scripts_and_diacritics(srv):
    assert titles(search(srv, "economy").text) == ["Growth Everywhere"]
    assert titles(search(srv, "россия").text) == ["Россия и Пакистан"]
    assert titles(search(srv, "ПАКИСТАН").text) == ["Россия и Пакистан"]
    assert titles(search(srv, "петров").text) == ["Россия и Пакистан"]
    assert titles(search(srv, "Sao Paulo").text) == ["Trade Fair in São Paulo"]


def test_phrases_prefixes_and_drafts(srv):
    assert titles(search(srv, '"sao paulo"').text) == [
        "Trade Fair in São Paulo"]
    assert total(search(srv, '"paulo sao"').text) == 0
    assert "Growth Everywhere" in titles(search(srv, "nucl*").text)
    assert total(search(srv, "nucl").text) == 0
    # The draft "Not Yet" (body "Secret.") is not searchable.
    page = search(srv, "secret").text
    assert total(page) == 0 and "No articles match" in page


def test_facets_add_up_and_filter(srv):
    page = search(srv, "kumquat").text
    n = total(page)
    assert n == 3
    years = facet(page, "year")
    assert sum(c for _, c, _ in years) == n
    sections = facet(page, "section")
    assert sections == [
        ("Field Reports", 2, "/search?q=kumquat&section=field-reports"),
        ("News Digest", 1, "/search?q=kumquat&section=news-digest")]
    assert [(y, c) for y, c, _ in years] == [("2006", 1), ("2005", 2)]
    # Following a facet link shows exactly that many, and marks it.
    name, count, url = sections[0]
    sub = srv.get(url).text
    assert total(sub) == count
    assert f'<span aria-current="true">{html.escape(name)} ({count})' in sub
    assert "All sections" in sub
    # Filters combine.
    both = search(srv, "kumquat", section="field-reports", year="2005").text
    assert titles(both) == ["Россия и Пакистан"]
    assert titles(search(srv, "kumquat", author="ana-souza", year="2005")
                  .text) == ["Trade Fair in São Paulo"]
    assert total(search(srv, "kumquat", author="ana-souza", year="2006")
                 .text) == 0
    assert total(search(srv, "kumquat", author="nobody").text) == 0


def test_prefixes_past_three_are_words(srv):
    # Each prefix is one more expansion: the fourth is searched as typed.
    page = search(srv, "kum* sea* nucl* rep* kumquat").text
    assert 'value="kum* sea* nucl* rep kumquat"' in page
    assert total(page) == 0  # "rep" is no word here, "rep*" would be


HOSTILE = ['"', "*", "NEAR(", "NEAR(a b)", "a:b", "^", "^caspian", "(", ")",
           "OR", "AND NOT", "title:caspian", "{title}: x", "-", "+caspian",
           "<script>alert(1)</script>", "'; DROP TABLE articles; --",
           '"unterminated phrase', "caspian*", "***", "\\", "\u2014", "\t"]


def test_hostile_queries_never_500(srv):
    for q in HOSTILE:
        r = search(srv, q)
        page = r.text
        assert "<script>alert" not in page, q
        assert "Search" in page
    page = search(srv, "<script>alert(1)</script>").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Only syntax: "no results", not an error.
    for q in ['"', "*", "^", "(", ":", "NEAR("]:
        assert total(search(srv, q).text) == 0, q


def test_bad_input_is_a_friendly_400(srv):
    long = "economy " * 100  # 800 bytes: over the query limit
    r = search(srv, long, status=400)
    assert "up to 256 characters" in r.text
    assert '<form class="search-form"' in r.text
    # Over the request line limit, the server refuses it before search.
    search(srv, "economy " * 1300, status=414)
    for raw in ["q=%00", "q=abc%00def", "q=%ff%fe", "q=caf%C3",
                "q=x&year=87", "q=x&year=abcd", "q=x&section=%00"]:
        r = srv.get("/search?" + raw)
        assert r.status_code == 400, raw
        assert "Search" in r.text
    assert srv.get("/search?q=x&page=0").status_code == 404
    # Just under the limit is fine.
    assert search(srv, "a" * 256).status_code == 200


def test_results_are_cached_by_normalised_query(srv):
    first = search(srv, "caspian   voices")
    second = search(srv, "  caspian voices ((")
    assert first.text == second.text
    assert 'value="caspian voices"' in second.text
    # nothing tells a reader whether the page came from the cache
    assert "X-Cache" not in second.headers


def get_from(srv, source, path):
    """GET path from the client address source (any 127/8 is loopback)."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30,
                                   source_address=(source, 0))
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode()
    finally:
        c.close()


def test_uncached_searches_limited_per_reader_and_cached_per_reader(tmp_path):
    """A reader's allowance of uncached searches (limits.search_per_minute)
    ends in a 429 with Retry-After; a search the reader already ran is
    cached for that reader and costs nothing; another reader's cached
    search is not: it costs the second reader an uncached search too."""
    db = make_journal(tmp_path)
    s = Server(db, tmp_path, "[limits]\nsearch_per_minute = 4\n")
    try:
        a, b = "127.0.0.1", "127.0.0.2"
        for i, q in enumerate(["caspian", "voices", "gas", "oil"]):
            st, h, body = get_from(s, a, "/search?q=" + q)
            assert st == 200, (i, body)
            assert "X-Cache" not in h
        st, h, body = get_from(s, a, "/search?q=pipeline")
        assert st == 429
        assert 1 <= int(h["Retry-After"]) <= 60
        assert "Too many searches from here" in text_of(body)
        # what a already searched is answered from a's own cache
        st, _, body = get_from(s, a, "/search?q=caspian")
        assert st == 200 and 'value="caspian"' in body
        # b has an allowance of its own, and spends it
        for q in ["russia", "pakistan", "trade", "growth"]:
            assert get_from(s, b, "/search?q=" + q)[0] == 200
        assert get_from(s, b, "/search?q=figures")[0] == 429
        # a's cached "caspian" is not b's: b must run it, and cannot
        assert get_from(s, b, "/search?q=caspian")[0] == 429
        # the search form and other pages are not limited
        assert get_from(s, b, "/search")[0] == 200
        assert get_from(s, b, "/")[0] == 200
    finally:
        assert s.stop() == 0, s.output()


def test_index_follows_cli_writes(srv, tmp_path):
    before = search(srv, "zanzibar")
    assert total(before.text) == 0
    src = tmp_path / "new"
    src.mkdir()
    (src / "z.md").write_text('---\ntitle: "Zanzibar Cloves"\n'
                              "date: 2007-01-01\nslug: zanzibar\n---\nSpice.\n",
                              encoding="utf-8")
    quire(srv.db, "import", "markdown", str(src))
    deadline = time.time() + 5
    while time.time() < deadline and total(search(srv, "zanzibar").text) == 0:
        time.sleep(0.2)
    assert titles(search(srv, "zanzibar").text) == ["Zanzibar Cloves"]
    quire(srv.db, "article", "delete", "zanzibar")
    deadline = time.time() + 5
    while time.time() < deadline and total(search(srv, "zanzibar").text):
        time.sleep(0.2)
    assert total(search(srv, "zanzibar").text) == 0
    assert srv.get("/articles/zanzibar").status_code == 404
    p = quire(srv.db, "article", "delete", "zanzibar", check=False)
    assert p.returncode == 1 and "no article" in p.stderr


# --- the Reuters import -----------------------------------------------------

@pytest.fixture(scope="module")
def reuters(tmp_path_factory, reuters_copy):
    tmp = tmp_path_factory.mktemp("reuters-search")
    db = reuters_copy(tmp)
    s = Server(db, tmp)
    yield s
    assert s.stop() == 0, s.output()


def test_reuters_known_words(reuters):
    page = search(reuters, "cocoa").text
    assert total(page) > 20
    top = titles(page)
    assert len(top) == 20
    assert sum("COCOA" in t for t in top[:10]) >= 8
    page = search(reuters, '"bahia cocoa"').text
    assert "BAHIA COCOA REVIEW" in titles(page)
    page = search(reuters, "opec").text
    assert any("OPEC" in t for t in titles(page)[:5])


def test_reuters_facets_add_up_and_pager(reuters):
    page = search(reuters, "oil prices").text
    n = total(page)
    assert n > 100
    assert sum(c for _, c, _ in facet(page, "year")) == n
    sections = facet(page, "section")
    assert len(sections) == 20
    counts = [c for _, c, _ in sections]
    assert counts == sorted(counts, reverse=True)
    pages = [int(p) for p in re.findall(r'page=([0-9]+)"', page)]
    last = max(pages)
    assert last == (n + 19) // 20
    assert len(titles(search(reuters, "oil prices", page=last).text)) == \
        n - 20 * (last - 1)
    search(reuters, "oil prices", page=last + 1, status=404)
    # A facet's link narrows to its count.
    name, count, url = sections[0]
    assert total(reuters.get(url).text) == count


def test_reuters_hostile_queries(reuters):
    for q in HOSTILE + ["a" * 255, "the " * 60]:
        r = search(reuters, q)
        assert "<script>alert" not in r.text


def dates(page):
    return re.findall(r'<article class="item search-hit">.*?<time '
                      r'datetime="([^"]+)"', page, re.S)


def test_reuters_common_word_is_capped_and_newest_first(reuters):
    """Issue 17: a word in most articles reads at most 10,000 of them: the
    count says "10,000+", the facets count those, the list is newest first
    (too many to rank), and the pager stops at the cap."""
    for q in ("said", "s*", "a*"):
        page = search(reuters, q).text
        assert count_shown(page) == "10,000+", q
        assert "newest first" in page
        assert "The counts below are for the 10,000 most recently added" \
            in page
        assert sum(c for _, c, _ in facet(page, "year")) == 10000
        got = dates(page)
        assert len(got) == 20 and got == sorted(got, reverse=True), q
    pages = [int(p) for p in re.findall(r'page=([0-9]+)"', page)]
    assert max(pages) == 500
    p2 = search(reuters, "said", page=2).text
    assert dates(p2)[0] <= dates(search(reuters, "said").text)[-1]
    assert len(titles(search(reuters, "said", page=500).text)) == 20
    search(reuters, "said", page=501, status=404)


def test_reuters_short_prefixes_and_filters(reuters):
    # A two-letter prefix is read from its own index, counted exactly.
    oi = search(reuters, "oi*").text
    n = total(oi)
    assert n >= total(search(reuters, "oil").text) > 1000
    assert count_shown(oi) == f"{n:,}"
    # Few enough matches are ranked (no note), the best first.
    page = search(reuters, "cocoa").text
    assert "newest first" not in page
    # Every filter at once still answers, narrowed to what matches them all.
    page = search(reuters, "s*", section="general", year="1987",
                  country="us").text
    n = total(page)
    assert 0 < n < 10000
    assert sum(c for _, c, _ in facet(page, "year")) == n
    sec = search(reuters, "said", section="earnings").text
    n = total(sec)
    assert [c for name, c, _ in facet(sec, "section")] == [n]
