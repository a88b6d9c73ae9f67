"""Feeds, sitemap and robots.txt, read by the clients that read them.

Atom and RSS go through feedparser (Debian python3-feedparser), and any
"bozo" (a feed it had to guess at) fails the test; feedparser 6.0 has no
JSON Feed reader, so JSON Feed is checked against the 1.1 spec's required
fields. Sitemaps are validated with xmllint against the sitemaps.org
schemas in data/.
"""
import datetime
import html
import json
import sqlite3
import os
import pathlib
import re
import subprocess
import time
import xml.etree.ElementTree as ET

import feedparser
import pytest
import requests

from conftest import REUTERS, SEED_SLUG, Server, make_journal, quire

DATA = pathlib.Path(__file__).resolve().parent / "data"
BASE = "https://journal.example"
ATOM = "{http://www.w3.org/2005/Atom}"
TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml",
         "json": "application/feed+json"}
SCOPES = ["", "/sections/analytical-articles", "/authors/svante-e-cornell",
          "/tags/pakistan"]

# Everything that must survive escaping, plus control characters that XML
# 1.0 cannot carry at all (they must be dropped, not written).
NASTY = "<script>alert(1)</script> \"q\" 'a' ]]> </script> & done"
CONTROLS = "".join(chr(c) for c in range(1, 9))

def hostile_md(ctl):
    """The hostile article, with ctl where control characters go."""
    return (
        "---\n"
        f"title: {json.dumps('T ' + NASTY + ' ' + ctl + 'end')}\n"
        "date: 2010-05-04T10:20:30Z\n"
        f"authors: [{json.dumps('Eve ' + NASTY + ctl)}, Ann Other]\n"
        "section: Analytical Articles\n"
        f"tags: [Pakistan, {json.dumps('R&D ' + NASTY)}]\n"
        f"summary: {json.dumps('S ' + NASTY + ctl)}\n"
        "slug: hostile\n"
        "---\n\n"
        f"Body ]]> </script> & <script>alert(2)</script> {ctl} end.\n")


def clean(s):
    """What the feeds must say for s: the same text without controls."""
    return "".join(ch for ch in s if ord(ch) >= 0x20 or ch in "\t\n\r")


@pytest.fixture(scope="module")
def feeds_journal(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feeds")
    db = make_journal(tmp)
    src = tmp / "hostile"
    src.mkdir()
    # The importer refuses control characters; they go straight into the
    # database instead, as another writer could put them there.
    (src / "hostile.md").write_text(hostile_md(""), encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    con = sqlite3.connect(str(db))
    with con:
        con.execute(
            "UPDATE articles SET title = ?, summary = ?,"
            " body_html = replace(body_html, '  end.', ?)"
            " WHERE slug = 'hostile'",
            ("T " + NASTY + " " + CONTROLS + "end", "S " + NASTY + CONTROLS,
             " " + CONTROLS + " end."))
        con.execute("UPDATE authors SET name = ? WHERE name = ?",
                    ("Eve " + NASTY + CONTROLS, "Eve " + NASTY))
    con.close()
    quire(db, "config", "set", "base_url", BASE)
    return db


@pytest.fixture(scope="module")
def srv(feeds_journal, tmp_path_factory):
    s = Server(feeds_journal, tmp_path_factory.mktemp("feeds-server"))
    yield s
    assert s.stop() == 0, s.output()


def parse(r):
    """feedparser over a response, with its real Content-Type."""
    return feedparser.parse(
        r.content, response_headers={"content-type": r.headers["Content-Type"]})


def rfc3339(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def get_feed(srv, scope, fmt):
    r = srv.get(f"{scope}/feed.{fmt}")
    assert r.status_code == 200, (scope, fmt, r.status_code)
    assert r.headers["Content-Type"] == TYPES[fmt] + "; charset=utf-8"
    return r


# --- every feed ---------------------------------------------------------

@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_feeds_parse_without_bozo(srv, scope, fmt):
    r = get_feed(srv, scope, fmt)
    d = parse(r)
    assert not d.bozo, d.get("bozo_exception")
    assert d.version == ("atom10" if fmt == "atom" else "rss20")
    assert d.entries
    assert d.feed.title.startswith("the CACI Analyst")
    assert d.feed.link == BASE + (scope or "/")
    for e in d.entries:
        assert e.link.startswith(BASE + "/articles/"), e.link
        assert e.id.startswith("tag:journal.example,")
        assert e.published_parsed
    # Every URL anywhere in the document is absolute, on the base URL.
    for url in re.findall(r'(?:href|domain|scheme)="([^"]*)"', r.text):
        assert url.startswith(BASE + "/"), url
    for url in re.findall(r"<(?:link|uri|id)>([^<]*)<", r.text):
        assert url.startswith((BASE + "/", "tag:journal.example,")), url


@pytest.mark.parametrize("scope", SCOPES)
def test_json_feed_has_the_required_fields_of_1_1(srv, scope):
    doc = get_feed(srv, scope, "json").json()
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(doc["title"], str) and doc["title"]
    assert doc["home_page_url"] == BASE + (scope or "/")
    assert doc["feed_url"] == f"{BASE}{scope}/feed.json"
    assert isinstance(doc["items"], list) and doc["items"]
    for a in doc["authors"]:
        assert a["name"]
    for it in doc["items"]:
        assert isinstance(it["id"], str) and it["id"]
        assert "content_html" in it or "content_text" in it
        assert it["url"].startswith(BASE + "/articles/")
        assert rfc3339(it["date_published"]).tzinfo is not None
        assert rfc3339(it["date_modified"]) >= rfc3339(it["date_published"])
        for a in it.get("authors", []):
            assert a["name"] and a["url"].startswith(BASE + "/authors/")
        assert all(isinstance(t, str) for t in it.get("tags", []))


def test_the_same_entries_in_every_format(srv):
    atom = parse(get_feed(srv, "", "atom"))
    rss = parse(get_feed(srv, "", "rss"))
    js = get_feed(srv, "", "json").json()
    ids = [e.id for e in atom.entries]
    assert ids == [e.id for e in rss.entries] == [i["id"] for i in js["items"]]
    assert len(set(ids)) == len(ids)
    # Drafts never appear; newest first.
    assert all("not-yet" not in e.link for e in atom.entries)
    dates = [e.published_parsed for e in atom.entries]
    assert dates == sorted(dates, reverse=True)


def test_entries_carry_dates_authors_and_categories(srv):
    d = parse(get_feed(srv, "", "atom"))
    e = next(e for e in d.entries if e.link.endswith("/caspian-voices"))
    assert e.title == "Three Voices on the Caspian"
    assert e.published == "2004-07-14T00:00:00Z"
    assert [a.name for a in e.authors] == [
        "Svante E. Cornell", "S. Frederick Starr", "Albert Barro"]
    assert e.authors[0].href == BASE + "/authors/svante-e-cornell"
    assert e.id == "tag:journal.example,2004-07-14:/articles/caspian-voices"
    assert {t.term for t in e.tags} == {"analytical-articles"}
    assert e.summary == "An intro with <b>markup</b> & ampersands."
    # Full text by default: the rendered body, as HTML.
    assert e.content[0].type == "text/html"
    assert "<td>Kazakhstan</td>" in e.content[0].value

    seed = next(e for e in d.entries if e.link.endswith("/" + SEED_SLUG))
    assert {(t.term, t.scheme) for t in seed.tags} == {
        ("field-reports", BASE + "/sections/"),
        ("pakistan", BASE + "/tags/"), ("russia", BASE + "/tags/")}
    assert "Niaz A. Naik" in seed.content[0].value

    rss = parse(get_feed(srv, "", "rss"))
    item = next(e for e in rss.entries if e.link.endswith("/caspian-voices"))
    assert item.published == "Wed, 14 Jul 2004 00:00:00 +0000"
    assert item.published_parsed[:3] == (2004, 7, 14)
    assert [a.name for a in item.authors] == [
        "Svante E. Cornell", "S. Frederick Starr", "Albert Barro"]
    assert item.id == e.id  # the guid is the same tag: URI
    assert "<td>Kazakhstan</td>" in item.content[0].value
    # The intro is plain text: a reader shows its markup as text.
    assert html.unescape(item.summary) == "An intro with <b>markup</b> & ampersands."


def test_scoped_feeds_hold_only_their_articles(srv):
    sec = parse(get_feed(srv, "/sections/analytical-articles", "atom"))
    assert sec.feed.title == "the CACI Analyst: Analytical Articles"
    links = {e.link.rsplit("/", 1)[1] for e in sec.entries}
    assert links == {"caspian-voices", "two-authors", "hostile"}
    au = parse(get_feed(srv, "/authors/svante-e-cornell", "rss"))
    assert {e.link.rsplit("/", 1)[1] for e in au.entries} == {
        "caspian-voices", "two-authors"}
    tag = get_feed(srv, "/tags/russia", "json").json()
    assert [i["url"] for i in tag["items"]] == [f"{BASE}/articles/{SEED_SLUG}"]
    assert tag["items"][0]["tags"] == ["Field Reports", "Pakistan", "Russia"]


def test_unknown_scopes_are_404(srv):
    for path in ["/sections/nope/feed.atom", "/authors/nope/feed.rss",
                 "/tags/nope/feed.json", "/feed.xml", "/sections/feed.atom"]:
        assert srv.get(path).status_code == 404, path


def test_feeds_are_cached_with_etags(srv):
    r = srv.get("/feed.atom")
    tag = r.headers["ETag"]
    r2 = srv.get("/feed.atom", headers={"If-None-Match": tag})
    assert r2.status_code == 304 and r2.content == b""
    r3 = srv.get("/feed.json")
    assert r3.headers["ETag"] != tag


# --- escaping -----------------------------------------------------------

def test_hostile_text_is_escaped_in_atom(srv):
    r = get_feed(srv, "", "atom")
    assert not any(chr(c).encode() in r.content for c in range(1, 9))
    root = ET.fromstring(r.content)  # strict XML 1.0 parser
    entry = next(e for e in root.iter(ATOM + "entry")
                 if e.find(ATOM + "id").text.endswith("/articles/hostile"))
    assert entry.find(ATOM + "title").text == clean(
        "T " + NASTY + " " + CONTROLS + "end")
    assert [a.find(ATOM + "name").text for a in entry.iter(ATOM + "author")] \
        == [clean("Eve " + NASTY + CONTROLS), "Ann Other"]
    labels = [c.get("label") for c in entry.iter(ATOM + "category")]
    assert "R&D " + NASTY in labels
    assert entry.find(ATOM + "summary").text == clean("S " + NASTY + CONTROLS)
    body = entry.find(ATOM + "content").text
    assert "<script>" not in body  # raw HTML never passes Markdown
    assert "]]&gt;" in body and "&amp;" in body and "end." in body
    assert not root.findall(".//script")
    d = parse(r)
    assert not d.bozo
    e = next(e for e in d.entries if e.link.endswith("/hostile"))
    assert e.title == clean("T " + NASTY + " " + CONTROLS + "end")


def test_hostile_text_is_escaped_in_rss(srv):
    r = get_feed(srv, "", "rss")
    assert not any(chr(c).encode() in r.content for c in range(1, 9))
    root = ET.fromstring(r.content)
    item = next(i for i in root.iter("item")
                if i.find("link").text.endswith("/articles/hostile"))
    assert item.find("title").text == clean(
        "T " + NASTY + " " + CONTROLS + "end")
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    assert [c.text for c in item.iter(dc)] == [
        clean("Eve " + NASTY + CONTROLS), "Ann Other"]
    assert "R&D " + NASTY in [c.text for c in item.iter("category")]
    # description is HTML: the intro arrives escaped once more, as text.
    assert html.unescape(item.find("description").text) == clean(
        "S " + NASTY + CONTROLS)
    enc = item.find("{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert "<script>" not in enc and "]]&gt;" in enc
    assert not parse(r).bozo


def test_hostile_text_is_escaped_in_json(srv):
    r = get_feed(srv, "", "json")
    assert not re.search(rb"\\u000[1-8]", r.content)
    it = next(i for i in r.json()["items"] if i["url"].endswith("/hostile"))
    assert it["title"] == clean("T " + NASTY + " " + CONTROLS + "end")
    assert it["summary"] == clean("S " + NASTY + CONTROLS)
    assert [a["name"] for a in it["authors"]] == [
        clean("Eve " + NASTY + CONTROLS), "Ann Other"]
    assert "R&D " + NASTY in it["tags"]
    assert "<script>" not in it["content_html"]
    assert "end." in it["content_html"]


# --- settings -----------------------------------------------------------

def wait_for(check, seconds=5):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_summary_feeds_leave_the_text_out(feeds_journal, tmp_path):
    s = Server(feeds_journal, tmp_path)
    try:
        full = s.get("/feed.atom")
        assert "<content" in full.text
        quire(feeds_journal, "config", "set", "feed_content", "summary")
        # The CLI's change reaches the running server's cache within a second.
        assert wait_for(lambda: "<content" not in s.get("/feed.atom").text)
        d = parse(s.get("/feed.atom"))
        assert not d.bozo
        e = next(e for e in d.entries if e.link.endswith("/caspian-voices"))
        assert e.summary == "An intro with <b>markup</b> & ampersands."
        assert "content" not in e
        rss = s.get("/feed.rss").text
        assert "content:encoded" not in rss and "Kazakhstan" not in rss
        js = s.get("/feed.json").json()
        for it in js["items"]:
            assert "content_html" not in it and it["content_text"]
        cv = next(i for i in js["items"] if i["url"].endswith("/caspian-voices"))
        assert cv["content_text"] == cv["summary"]
        bad = quire(feeds_journal, "config", "set", "feed_content", "some",
                    check=False)
        assert bad.returncode != 0 and "feed_content" in bad.stderr
    finally:
        quire(feeds_journal, "config", "set", "feed_content", "full")
        assert s.stop() == 0, s.output()


def test_without_base_url_the_host_header_is_used_if_sane(tmp_path):
    db = make_journal(tmp_path)  # init leaves base_url unset
    s = Server(db, tmp_path)
    try:
        own = f"http://127.0.0.1:{s.port}"
        d = parse(s.get("/feed.atom"))
        assert d.feed.link == own + "/"
        assert d.entries[0].link.startswith(own + "/articles/")
        r = s.get("/feed.rss", headers={"Host": "Journal.Example:8443"})
        assert "<link>http://journal.example:8443/</link>" in r.text
        for host in ["evil.example/<script>", "a b", "x:99999", "-x",
                     "[::1", "a..b", "x" * 300]:
            r = s.get("/feed.json", headers={"Host": host})
            assert r.json()["home_page_url"] == "http://localhost/", host
        r = s.get("/robots.txt", headers={"Host": "[::1]:8080"})
        assert "Sitemap: http://[::1]:8080/sitemap.xml" in r.text
        # Setting base_url wins over any Host, once the cache sees it.
        quire(db, "config", "set", "base_url", BASE)
        assert wait_for(lambda: BASE + "/" in s.get(
            "/feed.json", headers={"Host": "other.example"}).text)
    finally:
        assert s.stop() == 0, s.output()


# --- sitemap and robots.txt ---------------------------------------------

def xmllint(schema, body, tmp_path):
    f = tmp_path / "doc.xml"
    f.write_bytes(body)
    p = subprocess.run(["xmllint", "--noout", "--schema",
                        str(DATA / schema), str(f)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]


SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locs(body):
    root = ET.fromstring(body)
    return [(u.find(SM + "loc").text,
             getattr(u.find(SM + "lastmod"), "text", None))
            for u in root if u.tag in (SM + "url", SM + "sitemap")]


def test_sitemap_lists_every_public_page_and_validates(srv, tmp_path):
    r = srv.get("/sitemap.xml")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    xmllint("sitemap.xsd", r.content, tmp_path)
    urls = dict(locs(r.content))
    expected = ["/", "/issues", "/authors", "/tags", "/archive",
                "/sections/field-reports", "/sections/analytical-articles",
                "/issues/2004-06-30", "/issues/2004-07-14",
                "/authors/zahid-anwar", "/authors/svante-e-cornell",
                "/authors/johan-engvall", "/tags/pakistan", "/tags/russia",
                "/archive/2004", "/archive/2010", f"/articles/{SEED_SLUG}",
                "/articles/caspian-voices", "/articles/two-authors",
                "/articles/hostile"]
    for path in expected:
        assert BASE + path in urls, path
    assert not [u for u in urls if "not-yet" in u]  # drafts stay out
    assert len(urls) == len(locs(r.content))  # no duplicates
    for u, lastmod in urls.items():
        assert lastmod and rfc3339(lastmod).tzinfo is not None, u
    assert srv.get("/sitemap-2.xml").status_code == 404


def test_large_sitemaps_become_an_index(feeds_journal, srv, tmp_path):
    full = dict(locs(srv.get("/sitemap.xml").content))
    os.environ["QUIRE_SITEMAP_MAX"] = "7"
    try:
        s = Server(feeds_journal, tmp_path)
    finally:
        del os.environ["QUIRE_SITEMAP_MAX"]
    try:
        r = s.get("/sitemap.xml")
        assert r.status_code == 200
        xmllint("siteindex.xsd", r.content, tmp_path)
        parts = locs(r.content)
        # Parts follow windows of ids (public_pages.c), so there may be
        # more than the fewest that would hold every page; none is empty.
        assert len(parts) >= -(-len(full) // 7)
        seen, listed = {}, 0
        for i, (loc, lastmod) in enumerate(parts, 1):
            assert loc == f"{BASE}/sitemap-{i}.xml"
            child = s.get(loc[len(BASE):])
            assert child.status_code == 200
            xmllint("sitemap.xsd", child.content, tmp_path)
            urls = dict(locs(child.content))
            assert 1 <= len(urls) <= 7
            # given where one lookup tells it (the part with the home page)
            assert lastmod == max(urls.values()) or (lastmod is None and i > 1)
            seen.update(urls)
            listed += len(urls)
        assert seen == full
        assert listed == len(full)  # each page in one part only
        for bad in ["/sitemap-0.xml", f"/sitemap-{len(parts) + 1}.xml",
                    "/sitemap-01.xml", "/sitemap-x.xml", "/sitemap-1.txt",
                    "/sitemap-+1.xml", "/sitemap-99999999999999999999.xml"]:
            assert s.get(bad).status_code == 404, bad
    finally:
        assert s.stop() == 0, s.output()


def test_robots_txt_allows_all_and_names_the_sitemap(srv):
    r = srv.get("/robots.txt")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = r.text.splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert not [l for l in lines if l.startswith("Disallow: /")]
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# --- the Reuters corpus -------------------------------------------------

@pytest.mark.skipif(not REUTERS.is_dir(), reason="Reuters fixture missing")
def test_reuters_feeds_parse_and_sitemap_validates(tmp_path, reuters_copy):
    db = reuters_copy(tmp_path)
    quire(db, "config", "set", "base_url", BASE)
    s = Server(db, tmp_path)
    try:
        for scope in ["", "/tags/earn", "/sections/money-supply"]:
            for fmt in ["atom", "rss"]:
                d = parse(get_feed(s, scope, fmt))
                assert not d.bozo, (scope, fmt, d.get("bozo_exception"))
                assert len(d.entries) == 20 or scope
            js = get_feed(s, scope, "json").json()
            assert js["items"] and all("content_html" in i for i in js["items"])
        r = s.get("/sitemap.xml")
        xmllint("sitemap.xsd", r.content, tmp_path)
        urls = locs(r.content)
        n_articles = sum(1 for u, _ in urls if "/articles/" in u)
        assert n_articles == 15055
        assert len(urls) < 50000
    finally:
        assert s.stop() == 0, s.output()
