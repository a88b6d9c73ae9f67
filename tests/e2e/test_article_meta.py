"""Article metadata, citation downloads and related articles, as machines
read them: the head parsed with html.parser, JSON-LD and CSL-JSON with
json, BibTeX with bibtexparser (Debian python3-bibtexparser), RIS line by
line. A hostile article puts markup, quotes, </script>, ]]>, LaTeX specials
and control characters into its title, byline, tags and intro."""
import html.parser
import json
import re
import sqlite3

import bibtexparser
import pytest
from bibtexparser.bparser import BibTexParser

from conftest import SEED_SLUG, Server, make_journal, quire

BASE = "https://journal.example"

HOSTILE_TITLE = ("<script>alert(\"t\")</script> ]]> {}%&$#_^~\\ \"Q\" 'A'"
                 "\x01\tend")
HOSTILE_AUTHOR = "Jean \"JJ\" </script> O'Brien {}%&$#_^~\\\x07"
HOSTILE_INTRO = ("Intro </script><script>alert(1)</script> ]]> \u2028 "
                 "x\x1b{}%&$#_^~\\")
HOSTILE_MD = r'''---
title: "<script>alert(\"t\")</script> ]]> {}%&$#_^~\\ \"Q\" 'A'\x01\tend"
date: 2005-02-03
authors: ["Jean \"JJ\" </script> O'Brien {}%&$#_^~\\\x07", "Plain Person"]
section: "Field Reports"
issue: 2005-02-03
tags: ["</script>", "a&b"]
summary: "Intro </script><script>alert(1)</script> ]]> \u2028 x\x1b{}%&$#_^~\\"
slug: hostile
---
Body.
'''

RELATED_MD = {
    # Shares both tags of the seed article: ranks first.
    "both-tags.md": """---
title: "Both Tags"
date: 2001-01-01
section: Analytical Articles
tags: [Pakistan, Russia]
---
x
""",
    # Shares one tag, newer: after both-tags.
    "one-tag.md": """---
title: "One Tag"
date: 2010-01-01
section: Analytical Articles
tags: [Russia]
---
x
""",
    # Same section as the seed, no tag.
    "same-section.md": """---
title: "Same Section"
date: 2003-01-01
section: Field Reports
---
x
""",
    # Shares every tag but is a draft: never shown.
    "draft-related.md": """---
title: "Draft Related"
date: 2011-01-01
section: Field Reports
tags: [Pakistan, Russia]
draft: true
---
x
""",
    # Shares nothing.
    "unrelated.md": """---
title: "Unrelated"
date: 2012-01-01
section: Other
tags: [Elsewhere]
---
x
""",
}


def plain(s):
    """What cite_plain makes of s: controls as spaces, squeezed, trimmed."""
    s = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", s)
    return re.sub(r" +", " ", s).strip()


@pytest.fixture(scope="module")
def meta_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("meta")
    db = make_journal(tmp)
    quire(db, "config", "set", "base_url", BASE)
    src = tmp / "more"
    src.mkdir()
    # The importer refuses control characters, so the hostile article goes
    # in without them and gets them straight in the database, as another
    # writer could: the outputs must still cope.
    (src / "hostile.md").write_text(
        re.sub(r"\\x[0-9a-f]{2}", "", HOSTILE_MD), encoding="utf-8")
    for name, text in RELATED_MD.items():
        (src / name).write_text(text, encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    con = sqlite3.connect(str(db))
    with con:
        con.execute("UPDATE articles SET title = ?, summary = ?"
                    " WHERE slug = 'hostile'", (HOSTILE_TITLE, HOSTILE_INTRO))
        con.execute("UPDATE authors SET name = ? WHERE name = ?",
                    (HOSTILE_AUTHOR, HOSTILE_AUTHOR.replace("\x07", "")))
    con.close()
    srv = Server(db, tmp_path_factory.mktemp("meta-server"))
    yield srv
    assert srv.stop() == 0, srv.output()


class Head(html.parser.HTMLParser):
    """Collects <meta>, <link rel=canonical> and JSON-LD of the <head>."""

    def __init__(self):
        super().__init__()
        self.meta = {}
        self.canonical = []
        self.jsonld = []
        self.scripts = 0
        self._in_ld = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "head":
            self._in_head = True
        if tag == "script":
            self.scripts += 1
            self._in_ld = a.get("type") == "application/ld+json"
            if self._in_ld:
                self.jsonld.append("")
        if not self._in_head:
            return
        if tag == "meta" and ("name" in a or "property" in a):
            key = a.get("property") or a.get("name")
            self.meta.setdefault(key, []).append(a.get("content"))
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a.get("href"))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.jsonld[-1] += data


def head_of(srv, path):
    r = srv.get(path)
    assert r.status_code == 200, path
    h = Head()
    h.feed(r.text)
    h.close()
    return h, r.text


def one(h, key):
    assert key in h.meta, f"no <meta> {key}"
    assert len(h.meta[key]) == 1, f"{key}: {h.meta[key]}"
    return h.meta[key][0]


def parse_bib(text):
    parser = BibTexParser(common_strings=True)
    db = bibtexparser.loads(text, parser=parser)
    assert len(db.entries) == 1, text
    return db.entries[0]


def parse_ris(body):
    """RIS as (tag, value) pairs; asserts the line syntax and CRLF ends."""
    assert body.endswith("\r\n")
    lines = body[:-2].split("\r\n")
    pairs = []
    for line in lines:
        assert "\r" not in line and "\n" not in line, repr(line)
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert m, f"bad RIS line {line!r}"
        pairs.append((m.group(1), m.group(2)))
    assert pairs[0] == ("TY", "JOUR")
    assert pairs[-1] == ("ER", "")
    return pairs


def untex(s):
    """Undo the LaTeX escapes of the BibTeX output (for comparisons)."""
    s = s.replace("\\textbackslash{}", "\\")
    s = s.replace("\\textasciitilde{}", "~").replace("\\textasciicircum{}", "^")
    return re.sub(r"\\([{}#$%&_])", r"\1", s)


# --- the seed article: every tag of the head ---------------------------


def test_seed_article_head(meta_server):
    h, _ = head_of(meta_server, f"/articles/{SEED_SLUG}")
    url = f"{BASE}/articles/{SEED_SLUG}"
    title = "PAKISTAN–RUSSIA RELATIONS IN A REGIONAL AND GLOBAL CONTEXT"
    assert h.canonical == [url]
    assert one(h, "og:type") == "article"
    assert one(h, "og:title") == title
    assert one(h, "og:url") == url
    assert one(h, "og:description").startswith(
        "Certain vigorous efforts from Moscow and Islamabad")
    assert one(h, "og:site_name") == "the CACI Analyst"
    assert one(h, "article:published_time") == "2004-06-30T00:00:00Z"
    assert one(h, "article:section") == "Field Reports"
    assert h.meta["article:tag"] == ["Pakistan", "Russia"]
    assert one(h, "twitter:card") == "summary"
    assert one(h, "twitter:title") == title
    assert one(h, "citation_title") == title
    assert h.meta["citation_author"] == ["Zahid Anwar"]
    assert one(h, "citation_publication_date") == "2004/06/30"
    assert one(h, "citation_journal_title") == "the CACI Analyst"
    assert one(h, "citation_issue") == "2004-06-30"


def test_seed_article_jsonld(meta_server):
    h, _ = head_of(meta_server, f"/articles/{SEED_SLUG}")
    assert len(h.jsonld) == 1
    ld = json.loads(h.jsonld[0])
    assert ld["@context"] == "https://schema.org"
    assert ld["@type"] == "ScholarlyArticle"
    assert ld["headline"] == ("PAKISTAN–RUSSIA RELATIONS IN A REGIONAL AND "
                              "GLOBAL CONTEXT")
    assert ld["url"] == f"{BASE}/articles/{SEED_SLUG}"
    assert ld["author"] == [{"@type": "Person", "name": "Zahid Anwar",
                             "url": f"{BASE}/authors/zahid-anwar"}]
    assert ld["datePublished"] == "2004-06-30T00:00:00Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        ld["dateModified"])
    assert ld["publisher"]["@type"] == "Organization"
    assert ld["publisher"]["name"] == "the CACI Analyst"
    issue = ld["isPartOf"]
    assert issue["@type"] == "PublicationIssue"
    assert issue["datePublished"] == "2004-06-30"
    assert issue["isPartOf"]["@type"] == "Periodical"
    assert issue["isPartOf"]["name"] == "the CACI Analyst"
    assert ld["articleSection"] == "Field Reports"
    assert ld["keywords"] == ["Pakistan", "Russia"]
    assert ld["description"].startswith("Certain vigorous efforts")


def test_authors_in_byline_order(meta_server):
    h, _ = head_of(meta_server, "/articles/caspian-voices")
    assert h.meta["citation_author"] == [
        "Svante E. Cornell", "S. Frederick Starr", "Albert Barro"]
    ld = json.loads(h.jsonld[0])
    assert [a["name"] for a in ld["author"]] == h.meta["citation_author"]
    assert ld["author"][1]["url"] == f"{BASE}/authors/s-frederick-starr"


def test_article_without_issue_is_part_of_the_journal(meta_server):
    h, _ = head_of(meta_server, "/articles/two-authors")
    assert "citation_issue" not in h.meta
    ld = json.loads(h.jsonld[0])
    assert ld["isPartOf"] == {"@type": "Periodical",
                              "name": "the CACI Analyst", "url": BASE + "/"}
    assert "keywords" not in ld and "article:tag" not in h.meta


# --- citation downloads -------------------------------------------------


def test_bibtex(meta_server):
    r = meta_server.get("/articles/caspian-voices.bib")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/x-bibtex; charset=utf-8"
    e = parse_bib(r.content.decode("utf-8"))
    assert e["ENTRYTYPE"] == "article"
    assert e["ID"] == "cornell2004caspian"
    assert e["author"] == ("Cornell, Svante E. and Starr, S. Frederick and "
                           "Barro, Albert")
    assert e["title"] == "Three Voices on the Caspian"
    assert e["journal"] == "the CACI Analyst"
    assert e["year"] == "2004"
    assert e["month"] == "July"  # the jul macro
    assert e["issue"] == "2004-07-14"
    assert e["url"] == f"{BASE}/articles/caspian-voices"
    assert untex(e["abstract"]) == "An intro with <b>markup</b> & ampersands."
    # The key is stable: the same on every request.
    assert meta_server.get("/articles/caspian-voices.bib").text == r.text


def test_ris(meta_server):
    r = meta_server.get("/articles/caspian-voices.ris")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith(
        "application/x-research-info-systems")
    pairs = parse_ris(r.content.decode("utf-8"))
    d = {}
    for k, v in pairs:
        d.setdefault(k, []).append(v)
    assert d["TI"] == ["Three Voices on the Caspian"]
    assert d["AU"] == ["Cornell, Svante E.", "Starr, S. Frederick",
                       "Barro, Albert"]
    assert d["PY"] == ["2004"]
    assert d["DA"] == ["2004/07/14"]
    assert d["JO"] == ["the CACI Analyst"] and d["T2"] == d["JO"]
    assert d["UR"] == [f"{BASE}/articles/caspian-voices"]
    assert d["AB"] == ["An intro with <b>markup</b> & ampersands."]
    assert d["IS"] == ["2004-07-14"]


def test_csl_json(meta_server):
    r = meta_server.get(f"/articles/{SEED_SLUG}.json")
    assert r.status_code == 200
    assert (r.headers["Content-Type"]
            == "application/vnd.citationstyles.csl+json")
    items = json.loads(r.content)
    assert isinstance(items, list) and len(items) == 1
    it = items[0]
    assert it["type"] == "article-journal"
    assert it["title"] == ("PAKISTAN–RUSSIA RELATIONS IN A REGIONAL AND "
                           "GLOBAL CONTEXT")
    assert it["author"] == [{"family": "Anwar", "given": "Zahid"}]
    assert it["issued"] == {"date-parts": [[2004, 6, 30]]}
    assert it["container-title"] == "the CACI Analyst"
    assert it["URL"] == f"{BASE}/articles/{SEED_SLUG}"
    assert it["abstract"].startswith("Certain vigorous efforts")
    assert it["id"] == "anwar2004pakistan"


def test_cited_names_are_split(meta_server):
    items = meta_server.get("/articles/caspian-voices.json").json()
    assert items[0]["author"] == [
        {"family": "Cornell", "given": "Svante E."},
        {"family": "Starr", "given": "S. Frederick"},
        {"family": "Barro", "given": "Albert"}]


def test_downloads_are_cached_pages(meta_server):
    r = meta_server.get("/articles/caspian-voices.ris")
    etag = r.headers["ETag"]
    r2 = meta_server.get("/articles/caspian-voices.ris",
                         headers={"If-None-Match": etag})
    assert r2.status_code == 304
    head = meta_server.get("/articles/caspian-voices.bib")
    assert head.headers["ETag"] != etag


@pytest.mark.parametrize("path", [
    "/articles/caspian-voices.xml",
    "/articles/caspian-voices.",
    "/articles/caspian-voices.bib.bib",
    "/articles/caspian-voices.BIB",
    "/articles/no-such-article.bib",
    "/articles/not-yet.ris",          # a draft
    "/articles/draft-related.json",   # a draft
    "/articles/.bib",
])
def test_unknown_suffix_or_article_is_404(meta_server, path):
    assert meta_server.get(path).status_code == 404


def test_downloads_do_not_count_reads(meta_server):
    def count():
        t = meta_server.get("/articles/two-authors").text
        return int(re.search(r"Read (\d+) times", t).group(1))
    before = count()
    for ext in ("bib", "ris", "json"):
        meta_server.get(f"/articles/two-authors.{ext}")
    assert count() == before + 1


# --- the page: Cite this, related articles ------------------------------


def test_cite_this_block(meta_server):
    r = meta_server.get("/articles/caspian-voices")
    m = re.search(r'<section class="cite".*?</section>', r.text, re.S)
    assert m, "no Cite this block"
    block = m.group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", block))
    import html as h
    text = h.unescape(text)
    assert ("Cornell, Svante E., S. Frederick Starr, and Albert Barro. "
            "\u201cThree Voices on the Caspian.\u201d the CACI Analyst, "
            "14 July 2004. https://journal.example/articles/caspian-voices."
            ) in text
    assert "<cite>the CACI Analyst</cite>" in block
    for ext in ("bib", "ris", "json"):
        assert f'href="/articles/caspian-voices.{ext}"' in block


def related_titles(page):
    m = re.search(r'<section class="related".*?</section>', page, re.S)
    if not m:
        return []
    return re.findall(r'<li><a href="/articles/[^"]+">([^<]+)</a>', m.group(0))


def test_related_articles_ranked(meta_server):
    page = meta_server.get(f"/articles/{SEED_SLUG}").text
    titles = related_titles(page)
    # Both tags, then one tag, then the same section (hostile and
    # same-section: newest first); never itself, a draft or the unrelated.
    assert titles[:2] == ["Both Tags", "One Tag"]
    assert "Same Section" in titles
    assert titles.index("Same Section") > 1
    assert len(titles) <= 5
    for never in ("Draft Related", "Unrelated", "PAKISTAN"):
        assert not any(never in t for t in titles), titles


def test_no_related_section_when_nothing_is(meta_server):
    page = meta_server.get("/articles/unrelated").text
    assert related_titles(page) == []
    assert 'class="related"' not in page


# --- escaping: every format stays valid around hostile text ---------------


def test_hostile_head_is_escaped(meta_server):
    h, page = head_of(meta_server, "/articles/hostile")
    # One script element only: the JSON-LD. No injected one got through.
    assert h.scripts == 1
    assert page.count("<script") == 1 and page.count("</script>") == 1
    title = plain(HOSTILE_TITLE)
    assert one(h, "og:title") == title
    assert one(h, "citation_title") == title
    assert h.meta["citation_author"] == [plain(HOSTILE_AUTHOR),
                                         "Plain Person"]
    assert one(h, "og:description") == plain(HOSTILE_INTRO)
    assert h.meta["article:tag"] == ["</script>", "a&b"]
    # No control character reaches the page's head (title included).
    head = page[:page.index("</head>")]
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", head)
    ld = json.loads(h.jsonld[0])
    assert ld["headline"] == title
    assert ld["author"][0]["name"] == plain(HOSTILE_AUTHOR)
    assert ld["description"] == plain(HOSTILE_INTRO)
    assert ld["keywords"] == ["</script>", "a&b"]
    raw = h.jsonld[0]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\u2028" not in raw


def test_hostile_bibtex(meta_server):
    r = meta_server.get("/articles/hostile.bib")
    body = r.content.decode("utf-8")
    e = parse_bib(body)
    assert untex(e["title"]) == plain(HOSTILE_TITLE)
    assert untex(e["abstract"]) == plain(HOSTILE_INTRO)
    assert "\\%" in e["title"] and "\\{" in e["title"]
    # Braces balance (escaped ones aside) and no control characters.
    depth = 0
    for tok in re.findall(r"\\.|[{}]", body):
        depth += {"{": 1, "}": -1}.get(tok, 0)
        assert depth >= 0
    assert depth == 0
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", body)
    # The author list: the hostile name, then the plain one.
    authors = e["author"].split(" and ")
    assert len(authors) == 2
    assert authors[1] == "Person, Plain"


def test_hostile_ris(meta_server):
    body = meta_server.get("/articles/hostile.ris").content.decode("utf-8")
    d = {}
    for k, v in parse_ris(body):
        d.setdefault(k, []).append(v)
    assert d["TI"] == [plain(HOSTILE_TITLE)]
    assert d["AB"] == [plain(HOSTILE_INTRO)]
    assert len(d["AU"]) == 2 and d["AU"][1] == "Person, Plain"
    assert d["KW"] == ["</script>", "a&b"]


def test_hostile_csl_json(meta_server):
    items = meta_server.get("/articles/hostile.json").json()
    it = items[0]
    assert it["title"] == plain(HOSTILE_TITLE)
    assert it["abstract"] == plain(HOSTILE_INTRO)
    assert it["author"][1] == {"family": "Person", "given": "Plain"}
    assert it["author"][0]["family"] + "" != ""


# --- without base_url: path-absolute canonical, no absolute URLs ----------


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory):
    """A journal whose base_url is unset (`quire init` sets a default, and
    the CLI cannot clear it, so the row is deleted from the file)."""
    tmp = tmp_path_factory.mktemp("bare")
    db = make_journal(tmp)
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM settings WHERE key = 'base_url'")
    c.close()
    srv = Server(db, tmp_path_factory.mktemp("bare-server"))
    yield srv
    assert srv.stop() == 0, srv.output()


def test_without_base_url(bare_server):
    server = bare_server
    h, page = head_of(server, f"/articles/{SEED_SLUG}")
    assert h.canonical == [f"/articles/{SEED_SLUG}"]
    assert "og:url" not in h.meta
    ld = json.loads(h.jsonld[0])
    assert "url" not in ld and "url" not in ld["author"][0]
    bib = parse_bib(server.get(f"/articles/{SEED_SLUG}.bib").text)
    assert "url" not in bib
    ris = server.get(f"/articles/{SEED_SLUG}.ris").text
    assert "\r\nUR  - " not in ris
    assert "URL" not in server.get(f"/articles/{SEED_SLUG}.json").json()[0]
    # The Cite this block still names the article, without a URL.
    assert 'class="cite"' in page and "journal.example" not in page
