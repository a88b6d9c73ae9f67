"""The sitemap lists every public page once, whatever the part size.

The pages a sitemap must list are computed here from the database on their
own (plain joins on articles.status, not the server's indexes or copies),
and compared with the union of the <loc>s of every part the index names:
each part holds 1 to QUIRE_SITEMAP_MAX URLs (50,000 by default), the index
names parts 1..n and no part n + 1 answers, and no page is in two parts.
Last-modified dates are checked against the same database: an article's
updated_at, a list's newest published article. On the test journal with
drafts, a deleted article and an id far beyond the others (ids are kept by
`quire import json`), at several part sizes; and on the Reuters corpus.
"""
import datetime
import os
import sqlite3
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import REUTERS, Server, make_journal, quire
from test_feeds import DATA

BASE = "https://journal.example"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
def rfc3339(t):
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def public_pages(db):
    """{path: lastmod or None} of every public page, from the database."""
    con = sqlite3.connect(str(db))
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    newest, = q("SELECT max(published_at) FROM articles WHERE status = 1")[0]
    pages = {p: rfc3339(newest) if newest else None
             for p in ["/", "/issues", "/authors", "/tags", "/archive"]}
    for slug, m in q("SELECT s.slug, (SELECT max(published_at) FROM articles"
                     " a WHERE a.section_id = s.id AND a.status = 1)"
                     " FROM sections s"):
        pages["/sections/" + slug] = rfc3339(m) if m else None
    lists = [
        ("/issues/", "SELECT i.date, max(a.published_at) FROM issues i"
         " JOIN articles a ON a.issue_id = i.id WHERE a.status = 1"
         " GROUP BY i.id"),
        ("/authors/", "SELECT au.slug, max(a.published_at) FROM authors au"
         " JOIN article_authors x ON x.author_id = au.id"
         " JOIN articles a ON a.id = x.article_id WHERE a.status = 1"
         " GROUP BY au.id"),
        ("/tags/", "SELECT t.slug, max(a.published_at) FROM tags t"
         " JOIN article_tags x ON x.tag_id = t.id"
         " JOIN articles a ON a.id = x.article_id WHERE a.status = 1"
         " GROUP BY t.id"),
        ("/archive/", "SELECT strftime('%Y', published_at, 'unixepoch'),"
         " max(published_at) FROM articles WHERE status = 1 GROUP BY 1"),
        ("/articles/", "SELECT slug, updated_at FROM articles"
         " WHERE status = 1"),
    ]
    for prefix, sql in lists:
        for key, m in q(sql):
            assert prefix + key not in pages
            pages[prefix + key] = rfc3339(m) if m else None
    con.close()
    return pages


def urls(body, tag):
    root = ET.fromstring(body)
    assert root.tag == SM + tag, root.tag
    return [(u.find(SM + "loc").text,
             getattr(u.find(SM + "lastmod"), "text", None)) for u in root]


def xmllint(schema, body, tmp_path):
    f = tmp_path / "doc.xml"
    f.write_bytes(body)
    p = subprocess.run(["xmllint", "--noout", "--schema", str(DATA / schema),
                        str(f)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]


def serve(db, tmp_path, size):
    if size:
        os.environ["QUIRE_SITEMAP_MAX"] = str(size)
    try:
        return Server(db, tmp_path)
    finally:
        os.environ.pop("QUIRE_SITEMAP_MAX", None)


def walk(s, size, tmp_path, validate=True):
    """{path: lastmod} of every URL in every part; checks the index."""
    r = s.get("/sitemap.xml")
    assert r.status_code == 200
    if ET.fromstring(r.content).tag == SM + "urlset":
        index = [(f"{BASE}/sitemap.xml", None)]
        parts = {index[0][0]: r}
    else:
        if validate:
            xmllint("siteindex.xsd", r.content, tmp_path)
        index = urls(r.content, "sitemapindex")
        assert 2 <= len(index) <= 50000
        parts = {}
        for i, (loc, _) in enumerate(index, 1):
            assert loc == f"{BASE}/sitemap-{i}.xml"
            parts[loc] = s.get(loc[len(BASE):])
    n = len(index)
    # The index names every part: the next number is none.
    assert s.get(f"/sitemap-{n + 1}.xml").status_code == 404
    seen = {}
    for loc, lastmod in index:
        r = parts[loc]
        assert r.status_code == 200, loc
        if validate:
            xmllint("sitemap.xsd", r.content, tmp_path)
        got = urls(r.content, "urlset")
        assert 1 <= len(got) <= (size or 50000), loc
        for u, m in got:
            assert u.startswith(BASE), u
            assert u[len(BASE):] not in seen, u  # in one part only
            seen[u[len(BASE):]] = m
        if lastmod is not None:
            assert lastmod == max(m for _, m in got if m), loc
    return seen, n


@pytest.fixture(scope="module")
def gappy(tmp_path_factory):
    """The test journal with more drafts, a deleted article, an empty
    section and one article moved to an id far beyond the others."""
    tmp = tmp_path_factory.mktemp("sitemap")
    db = make_journal(tmp)
    src = tmp / "more"
    src.mkdir()
    for i in range(12):
        draft = "true" if i % 3 == 0 else "false"
        (src / f"m{i}.md").write_text(
            f"---\ntitle: More {i}\ndate: 20{10 + i}-03-0{1 + i % 9}\n"
            f"authors: [Writer {i % 4}]\nsection: Section {i % 5}\n"
            f"tags: [T{i % 6}, Common]\nissue: 20{10 + i}-03-01\n"
            f"draft: {draft}\n---\nBody {i}.\n", encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    quire(db, "article", "delete", "more-4")
    quire(db, "config", "set", "base_url", BASE)
    con = sqlite3.connect(str(db))
    with con:
        con.execute("INSERT INTO sections(slug, name, position)"
                    " VALUES ('empty', 'Empty', 99)")
        old, = con.execute("SELECT id FROM articles WHERE slug = 'more-7'"
                           ).fetchone()
        far = 3_000_000_000
        con.execute("UPDATE articles SET id = ? WHERE id = ?", (far, old))
        for table in ["article_tags", "article_authors"]:
            con.execute(f"UPDATE {table} SET article_id = ?"
                        " WHERE article_id = ?", (far, old))
        con.execute("UPDATE search_facets SET id = ? WHERE id = ?",
                    (far, old))
    con.close()
    return db


@pytest.mark.parametrize("size", [None, 1, 2, 7, 13])
def test_every_part_together_lists_every_public_page(gappy, tmp_path, size):
    want = public_pages(gappy)
    assert "/articles/more-7" in want and "/sections/empty" in want
    assert "/articles/more-4" not in want and "/articles/more-0" not in want
    s = serve(gappy, tmp_path, size)
    try:
        got, parts = walk(s, size, tmp_path)
    finally:
        assert s.stop() == 0, s.output()
    assert got == want
    if size:
        assert parts >= -(-len(want) // size)
    else:
        assert parts == 1


@pytest.mark.skipif(not REUTERS.is_dir(), reason="Reuters fixture missing")
def test_reuters_sitemap_lists_every_public_page(tmp_path, reuters_copy):
    db = reuters_copy(tmp_path)
    quire(db, "config", "set", "base_url", BASE)
    want = public_pages(db)
    assert sum(1 for p in want if p.startswith("/articles/")) == 15055
    for size in [None, 1000]:
        s = serve(db, tmp_path, size)
        try:
            got, parts = walk(s, size, tmp_path, validate=size is None)
        finally:
            assert s.stop() == 0, s.output()
        assert got == want, size
        if size:
            # ids without gaps: at most a part more per source (seven)
            # than the fewest that could hold the pages
            assert parts <= -(-len(want) // size) + 7
        else:
            assert parts == 1
