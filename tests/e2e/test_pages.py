"""The reader's list pages: home, issues, authors, tags, archive, most read.

A journal of several issues, sections in a chosen order, co-authored
articles, tags and dates across years and months is imported with the CLI;
the tests read the pages as a reader does and check what they show, in
what order, with which counts and pager links, and which URLs are 404.
"""
import html
import re
import sqlite3
import time

import pytest

from conftest import Server, make_journal, quire, text_of

ARTICLES = [
    # name, front matter (without ---), body
    ("01-brief.md", """title: "Markets Brief"
date: 2024-03-06T08:00:00Z
author: Ann Lee
section: News Digest
issue: 2024-03-06
tags: [Energy]
summary: "What moved this fortnight."
hits: 40"""),
    ("02-caspian.md", """title: "Caspian Pipelines Revisited"
date: 2024-03-06T10:00:00Z
authors: [Svante E. Cornell, Johan Engvall]
section: Analytical Articles
issue: 2024-03-06
tags: [Energy, Caspian]
summary: "Two routes, one sea & <three> rivals."
hits: 500"""),
    ("03-uzbek.md", """title: "Uzbek Reforms"
date: 2024-03-06T09:00:00Z
author: Johan Engvall
section: Analytical Articles
issue: 2024-03-06
summary: "Tashkent opens up."
hits: 120"""),
    ("04-baku.md", """title: "Letter from Baku"
date: 2024-03-05T12:00:00Z
author: Zahid Anwar
section: Field Reports
issue: 2024-03-06
summary: "Notes from the boulevard."
hits: 300"""),
    ("05-note.md", """title: "Editor's Note"
date: 2024-03-06T07:00:00Z
issue: 2024-03-06
hits: 0"""),
    ("06-winter.md", """title: "Winter Energy"
date: 2024-01-10T10:00:00Z
author: Svante E. Cornell
section: Analytical Articles
issue: 2024-01-10
tags: [Energy]
hits: 60"""),
    ("07-january.md", """title: "January in the Field"
date: 2024-01-09T10:00:00Z
author: Zahid Anwar
section: Field Reports
issue: 2024-01-10
hits: 10"""),
    ("08-autumn.md", """title: "Autumn Review"
date: 2023-11-15T10:00:00Z
authors: [Ann Lee, Zahid Anwar]
section: News Digest
issue: 2023-11-15
tags: [Caspian]
hits: 5"""),
    ("09-draft.md", """title: "Upcoming Piece"
date: 2024-05-01T10:00:00Z
author: Draft Only
section: Analytical Articles
issue: 2024-05-01
tags: [Secret]
draft: true
hits: 9999"""),
]

# A series of 45 articles by one author across the months of 2022: months
# 01-09 get four each, 10-12 three each; "Series 0" is never read.
SERIES = 45


def series_article(k):
    month, day = k % 12 + 1, k // 12 + 1
    return (f"s{k:02d}.md", f"""title: "Series {k}"
date: 2022-{month:02d}-{day:02d}T12:00:00Z
author: Prolific Writer
section: News Digest
tags: [Series]
hits: {k}""")


BIO = ("Senior fellow at **the Institute**.\n\n"
       "<script>alert('bio')</script>\n\n[Site](https://example.org)")


def build_journal(tmp):
    db = tmp / "pages.db"
    quire(db, "init")
    quire(db, "config", "set", "name", "the Pages Analyst")
    src = tmp / "src"
    src.mkdir()
    for name, fm in ARTICLES + [series_article(k) for k in range(SERIES)]:
        (src / name).write_text(f"---\n{fm}\n---\nBody of {name}.\n",
                                encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    # No CLI edits sections' order or bios yet: set them as an editor
    # would. Created in the order News, Analytical, Field; the journal's
    # order is Field, then Analytical and News (tied, so by name).
    con = sqlite3.connect(db)
    con.execute("UPDATE sections SET position = CASE name"
                " WHEN 'Field Reports' THEN 1 WHEN 'Analytical Articles'"
                " THEN 2 WHEN 'News Digest' THEN 2 END")
    con.execute("UPDATE authors SET bio = ? WHERE name = 'Svante E. Cornell'",
                (BIO,))
    ids = dict(con.execute("SELECT title, id FROM articles"))
    # Reads per UTC day: today and the 29 days before count; 30 days ago
    # does not; the draft never shows.
    rows = [(ids["Letter from Baku"], 0, 7), (ids["Letter from Baku"], 10, 5),
            (ids["Uzbek Reforms"], 3, 20), (ids["Uzbek Reforms"], 29, 1),
            (ids["Caspian Pipelines Revisited"], 30, 1000),
            (ids["Upcoming Piece"], 5, 50)]
    con.executemany("INSERT INTO hits_daily(article_id, day, count)"
                    " VALUES (?, date('now', '-' || ? || ' days'), ?)", rows)
    con.commit()
    con.close()
    return db


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    srv = Server(build_journal(tmp), tmp)
    yield srv
    assert srv.stop() == 0, srv.output()


def main_of(page):
    m = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    assert m, "no <main>"
    return m.group(1)


def pages_of(page):
    """The page numbers the pager offers (current included), or [1]."""
    m = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', page, re.S)
    if not m:
        return [1]
    nums = re.findall(r">(\d+)</(?:a|span)>", m.group(1))
    return sorted(int(n) for n in nums)


def titles(page, tag="h2"):
    return [text_of(t) for t in
            re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", main_of(page), re.S)]


def assert_headings_in_order(page):
    levels = [int(h) for h in re.findall(r"<h([1-6])\b", main_of(page))]
    assert levels and levels[0] == 1, levels
    for prev, cur in zip(levels, levels[1:]):
        assert cur <= prev + 1, levels


def get_ok(site, path):
    r = site.get(path)
    assert r.status_code == 200, path
    assert r.headers["Content-Type"].startswith("text/html")
    return r.text


# --- home -----------------------------------------------------------------

def test_home_has_the_latest_issue_above_the_newest_articles(site):
    page = get_ok(site, "/")
    body = main_of(page)
    t = text_of(body)
    # 2024-05-01 holds only a draft: the latest issue is 6 March.
    assert "Latest issue: Wednesday, 6 March 2024" in t
    assert 'href="/issues/2024-03-06"' in body
    assert t.index("Latest issue") < t.index("Latest articles")
    # Its contents, by section in the journal's order, none last.
    assert titles(page, "h3") == ["Field Reports", "Analytical Articles",
                                  "News Digest", "Other articles"]
    assert titles(page, "h4") == [
        "Letter from Baku", "Uzbek Reforms", "Caspian Pipelines Revisited",
        "Markets Brief", "Editor's Note"]
    assert "Upcoming Piece" not in t
    assert_headings_in_order(page)
    # 8 + 45 published articles: three pages of newest first.
    assert pages_of(page) == [1, 2, 3]
    assert 'href="/?page=2"' in body
    page2 = get_ok(site, "/?page=2")
    assert "Latest issue" not in text_of(main_of(page2))
    assert site.get("/?page=3").status_code == 200
    assert site.get("/?page=4").status_code == 404


# --- issues ---------------------------------------------------------------

def test_issues_are_grouped_by_year_with_dates_and_counts(site):
    page = get_ok(site, "/issues")
    t = text_of(main_of(page))
    assert titles(page) == ["2024", "2023"]
    assert ("2024 Wednesday, 6 March 2024 5 articles "
            "Wednesday, 10 January 2024 2 articles "
            "2023 Wednesday, 15 November 2023 1 article") in t
    assert "2024-05-01" not in page and "1 May 2024" not in t
    assert 'href="/issues/2024-01-10"' in page
    assert_headings_in_order(page)


def test_issue_page_is_its_table_of_contents(site):
    page = get_ok(site, "/issues/2024-03-06")
    body = main_of(page)
    t = text_of(body)
    assert "Issue of Wednesday, 6 March 2024" in titles(page, "h1")
    assert "5 articles" in t
    assert titles(page) == ["Field Reports", "Analytical Articles",
                            "News Digest", "Other articles"]
    # In order of publication inside a section.
    assert titles(page, "h3") == [
        "Letter from Baku", "Uzbek Reforms", "Caspian Pipelines Revisited",
        "Markets Brief", "Editor's Note"]
    # Each entry: title link, authors (linked, joined), intro (escaped).
    assert 'href="/articles/caspian-pipelines-revisited"' in body
    assert ("Caspian Pipelines Revisited By Svante E. Cornell and Johan "
            "Engvall Two routes, one sea & <three> rivals.") in t
    assert "&lt;three&gt;" in body
    assert 'href="/authors/svante-e-cornell"' in body
    assert "Letter from Baku By Zahid Anwar Notes from the boulevard." in t
    assert 'href="/sections/field-reports"' in body
    assert "Other articles Editor's Note" in t
    assert_headings_in_order(page)
    assert pages_of(page) == [1]


@pytest.mark.parametrize("path", [
    "/issues/2024-05-01",       # drafts only
    "/issues/1999-01-01",       # no such issue
    "/issues/2024-02-30",       # no such day
    "/issues/2024-3-6", "/issues/2024-03-06x", "/issues/abc",
    "/issues/2024-03-06%20", "/issues/2024-03-06/x", "/issues/",
    "/issues/2024-03-06?page=2", "/issues/2024-03-06?page=0",
])
def test_unknown_issues_are_404(site, path):
    r = site.get(path)
    assert r.status_code == 404, path
    assert "Not Found" in r.text  # the themed page


# --- authors --------------------------------------------------------------

def test_authors_index_is_alphabetical_with_counts(site):
    page = get_ok(site, "/authors")
    t = text_of(main_of(page))
    assert ("Ann Lee 2 articles Johan Engvall 2 articles Prolific Writer "
            "45 articles Svante E. Cornell 2 articles Zahid Anwar 3 articles"
            ) in t
    assert "Draft Only" not in t
    assert 'href="/authors/zahid-anwar"' in page
    assert pages_of(page) == [1]
    assert site.get("/authors?page=2").status_code == 404
    assert_headings_in_order(page)


def test_author_page_has_bio_and_every_article_coauthored_included(site):
    page = get_ok(site, "/authors/svante-e-cornell")
    body = main_of(page)
    assert titles(page, "h1") == ["Svante E. Cornell"]
    assert "Senior fellow at <strong>the Institute</strong>." in body
    assert '<a href="https://example.org">Site</a>' in body
    assert "<script>alert" not in page
    assert titles(page) == ["Articles by Svante E. Cornell (2)",
                            "Caspian Pipelines Revisited", "Winter Energy"]
    # The co-author has the co-authored article on their page too.
    page = get_ok(site, "/authors/johan-engvall")
    assert titles(page)[1:] == ["Caspian Pipelines Revisited",
                                "Uzbek Reforms"]
    page = get_ok(site, "/authors/zahid-anwar")
    assert titles(page)[1:] == ["Letter from Baku", "January in the Field",
                                "Autumn Review"]
    page = get_ok(site, "/authors/ann-lee")
    assert "Autumn Review" in titles(page)
    assert_headings_in_order(page)


def test_author_pages_are_paginated_newest_first(site):
    page = get_ok(site, "/authors/prolific-writer")
    assert pages_of(page) == [1, 2, 3]
    assert re.search(r'rel="next" href="/authors/prolific-writer\?page=2"',
                     page)
    # Newest first: December's articles, then November's...
    assert titles(page)[1:4] == ["Series 35", "Series 23", "Series 11"]
    last = get_ok(site, "/authors/prolific-writer?page=3")
    assert len(titles(last)) - 1 == 5
    assert titles(last)[-1] == "Series 0"
    assert 'rel="prev" href="/authors/prolific-writer?page=2"' in last
    assert 'rel="next"' not in last
    assert site.get("/authors/prolific-writer?page=4").status_code == 404


@pytest.mark.parametrize("path", [
    "/authors/nobody", "/authors/draft-only", "/authors/Zahid-Anwar",
    "/authors/zahid-anwar?page=2", "/authors/zahid-anwar?page=-1",
    "/authors/zahid-anwar?page=99999999999", "/authors/%3Cscript%3E",
])
def test_unknown_authors_are_404(site, path):
    assert site.get(path).status_code == 404, path


# --- tags -----------------------------------------------------------------

def test_tags_index_and_tag_pages(site):
    page = get_ok(site, "/tags")
    t = text_of(main_of(page))
    assert "Caspian 2 articles Energy 3 articles Series 45 articles" in t
    assert "Secret" not in t
    assert 'href="/tags/energy"' in page
    page = get_ok(site, "/tags/energy")
    assert "Tagged “Energy”" in text_of(main_of(page))
    assert "3 articles" in text_of(main_of(page))
    assert titles(page) == ["Caspian Pipelines Revisited", "Markets Brief",
                            "Winter Energy"]
    assert_headings_in_order(page)
    page = get_ok(site, "/tags/series")
    assert pages_of(page) == [1, 2, 3]
    assert site.get("/tags/series?page=3").status_code == 200
    for path in ["/tags/series?page=4", "/tags/secret", "/tags/nope",
                 "/tags?page=2"]:
        assert site.get(path).status_code == 404, path


# --- archive --------------------------------------------------------------

def test_archive_lists_years_with_their_months(site):
    page = get_ok(site, "/archive")
    t = text_of(main_of(page))
    assert titles(page) == ["2024 7 articles", "2023 1 article",
                            "2022 45 articles"]
    assert ("2024 7 articles March 2024 5 articles "
            "January 2024 2 articles") in t
    assert "May 2024" not in t  # the draft
    assert "December 2022 3 articles" in t
    assert "January 2022 4 articles" in t
    assert 'href="/archive/2022/01"' in page
    assert 'href="/archive/2024"' in page
    assert_headings_in_order(page)


def test_archive_year_has_months_and_its_articles(site):
    page = get_ok(site, "/archive/2022")
    t = text_of(main_of(page))
    assert titles(page, "h1") == ["2022"]
    assert "45 articles" in t
    assert ("December 2022 3 articles November 2022 3 articles "
            "October 2022 3 articles September 2022 4 articles") in t
    assert pages_of(page) == [1, 2, 3]
    assert titles(page)[1] == "Series 35"  # newest first
    assert site.get("/archive/2022?page=3").status_code == 200
    assert site.get("/archive/2022?page=4").status_code == 404
    assert_headings_in_order(page)


def test_archive_month_lists_the_month(site):
    page = get_ok(site, "/archive/2022/01")
    t = text_of(main_of(page))
    assert titles(page, "h1") == ["January 2022"]
    assert "4 articles" in t
    assert titles(page)[1:] == ["Series 36", "Series 24", "Series 12",
                                "Series 0"]
    assert 'href="/archive/2022"' in page
    page = get_ok(site, "/archive/2024/03")
    assert titles(page)[1:] == ["Caspian Pipelines Revisited",
                                "Uzbek Reforms", "Markets Brief",
                                "Editor's Note", "Letter from Baku"]


@pytest.mark.parametrize("path", [
    "/archive/2021", "/archive/2024/05", "/archive/2024/02",
    "/archive/22", "/archive/02022", "/archive/+202", "/archive/-202",
    "/archive/abcd", "/archive/0000", "/archive/9999", "/archive/2022/1",
    "/archive/2022/001", "/archive/2022/00", "/archive/2022/13",
    "/archive/2022/-1", "/archive/2022/ab", "/archive/2022/01/02",
    "/archive/2022/01?page=2", "/archive/%20202",
])
def test_bad_or_empty_periods_are_404(site, path):
    assert site.get(path).status_code == 404, path


# --- most read ------------------------------------------------------------

def test_most_read_all_time(site):
    page = get_ok(site, "/most-read")
    body = main_of(page)
    tl = titles(page)
    # Stored counts, most first; the draft and unread articles are out.
    assert tl[:6] == ["Caspian Pipelines Revisited", "Letter from Baku",
                      "Uzbek Reforms", "Winter Energy", "Series 44",
                      "Series 43"]
    assert "Read 500 times" in text_of(body)
    assert '<ol class="ranked" start="1">' in body
    assert "Upcoming Piece" not in body
    # 7 read articles (Editor's Note never was) + 44 of the series.
    assert pages_of(page) == [1, 2, 3]
    last = get_ok(site, "/most-read?page=3")
    assert '<ol class="ranked" start="41">' in last
    assert titles(last)[-1] == "Series 1"
    assert "Read 1 time" in text_of(main_of(last))
    assert site.get("/most-read?page=4").status_code == 404
    assert_headings_in_order(page)


def test_most_read_in_the_last_30_days(site):
    page = get_ok(site, "/most-read/30-days")
    t = text_of(main_of(page))
    assert titles(page, "h1") == ["Most read in the last 30 days"]
    assert titles(page) == ["Uzbek Reforms", "Letter from Baku"]
    assert "21 reads in the last 30 days" in t
    assert "12 reads in the last 30 days" in t
    assert "Caspian" not in t        # its 1000 reads are 30 days old
    assert "Upcoming Piece" not in t  # a draft
    assert 'aria-current="page">Last 30 days' in page
    assert pages_of(page) == [1]
    assert site.get("/most-read/30-days?page=2").status_code == 404


# --- navigation -----------------------------------------------------------

def test_every_page_links_to_the_lists(site):
    for path in ["/", "/issues", "/authors", "/tags", "/archive",
                 "/most-read", "/issues/2024-03-06", "/nope"]:
        r = site.get(path)
        nav = re.search(r'<nav class="browse[^"]*" aria-label="([^"]+)">'
                        r"(.*?)</nav>", r.text, re.S)
        assert nav, path
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(2))
        assert links == [("/issues", "Issues"), ("/authors", "Authors"),
                         ("/tags", "Tags"), ("/archive", "Archive"),
                         ("/most-read", "Most read")], path


def test_list_pages_are_cached_and_revalidate(site):
    r1 = site.get("/authors")
    etag = r1.headers["ETag"]
    r2 = site.get("/authors", headers={"If-None-Match": etag})
    assert r2.status_code == 304


# --- reads counted live, and old per-day counts pruned --------------------

def test_reads_reach_the_30_day_list_and_old_days_are_pruned(tmp_path):
    db = make_journal(tmp_path)
    con = sqlite3.connect(db)
    aid = con.execute("SELECT id FROM articles WHERE slug = 'two-authors'"
                      ).fetchone()[0]
    con.execute("INSERT INTO hits_daily VALUES (?, date('now', '-500 days'),"
                " 9), (?, date('now', '-399 days'), 4)", (aid, aid))
    con.commit()
    con.close()
    srv = Server(db, tmp_path)
    try:
        for _ in range(3):
            assert srv.get("/articles/caspian-voices").status_code == 200
        deadline = time.time() + 10
        days = None
        while time.time() < deadline:
            con = sqlite3.connect(db)
            days = con.execute("SELECT count(*), sum(count) FROM hits_daily"
                               " WHERE day = date('now')").fetchone()
            old = con.execute("SELECT count(*) FROM hits_daily WHERE day <"
                              " date('now', '-400 days')").fetchone()[0]
            con.close()
            if days == (1, 3) and old == 0:
                break
            time.sleep(0.2)
        assert days == (1, 3)
        assert old == 0
        page = srv.get("/most-read/30-days")
        assert page.status_code == 200
        assert titles(page.text) == ["Three Voices on the Caspian"]
        assert "3 reads in the last 30 days" in text_of(main_of(page.text))
        con = sqlite3.connect(db)
        kept = con.execute("SELECT count(*) FROM hits_daily WHERE day ="
                           " date('now', '-399 days')").fetchone()[0]
        con.close()
        assert kept == 1  # 399 days is within what is kept
    finally:
        assert srv.stop() == 0, srv.output()


# --- the Reuters corpus: every list's first and last page ------------------

@pytest.fixture(scope="module")
def reuters(tmp_path_factory, reuters_copy):
    tmp = tmp_path_factory.mktemp("reuters")
    db = reuters_copy(tmp)
    srv = Server(db, tmp)
    yield srv
    assert srv.stop() == 0, srv.output()


def first_link(srv, index, prefix):
    m = re.search(rf'href="({re.escape(prefix)}[^"?]+)"',
                  main_of(get_ok(srv, index)))
    assert m, index
    return html.unescape(m.group(1))


def test_reuters_every_list_has_a_first_and_last_page(reuters):
    issues = re.findall(r'href="(/issues/[0-9-]+)"',
                        get_ok(reuters, "/issues"))
    assert len(issues) == 5
    lists = ["/", "/authors", "/tags", "/most-read", "/most-read/30-days",
             first_link(reuters, "/authors", "/authors/"),
             first_link(reuters, "/tags", "/tags/"),
             first_link(reuters, "/", "/sections/"),
             first_link(reuters, "/archive", "/archive/"),
             "/archive/1987/03"] + issues
    assert "/archive/1987" in lists
    seen = {}
    for base in lists:
        page = get_ok(reuters, base)
        last = pages_of(page)[-1]
        sep = "&" if "?" in base else "?"
        get_ok(reuters, f"{base}{sep}page={last}")
        r = reuters.get(f"{base}{sep}page={last + 1}")
        assert r.status_code == 404, f"{base} page {last + 1}"
        seen[base] = last
    # The big lists really are paginated.
    assert seen["/"] == 753            # 15,055 articles, 20 a page
    assert seen["/authors"] == 3       # 218 authors, 100 a page
    assert seen["/archive/1987/03"] > 100
    assert max(seen[i] for i in issues) > 50
    for path in ["/issues", "/archive"]:
        assert_headings_in_order(get_ok(reuters, path))
