"""Countries and organizations: tagging on import, an editor's decisions
that survive retagging, the pages (/countries, /countries/<iso2>,
/organizations...), their feeds through feedparser, the chart's SVG
well-formed and its table agreeing with it, and the page cache dropping a
country's page when its articles change."""
import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from conftest import SEED_SLUG, Server, make_journal, quire, text_of

SVG = "{http://www.w3.org/2000/svg}"

KZ = """---
title: "Kazakhstan and China: the pipeline years"
date: {year}-03-0{n}
author: Johan Engvall
section: Analytical Articles
---
Kazakhstan's oil goes east. Astana and Beijing signed again; Kazakhstan
gains, China gains. The SCO watched, and the Shanghai Cooperation
Organisation met in Astana.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("places")
    db = make_journal(tmp)
    src = tmp / "more"
    src.mkdir()
    for i, year in enumerate([2015, 2015, 2017, 2019]):
        (src / f"kz{i}.md").write_text(KZ.format(year=year, n=i + 1),
                                       encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    srv = Server(db, tmp)
    yield db, srv
    assert srv.stop() == 0, srv.output()


def places_of(db, slug):
    out = quire(db, "places", "show", slug).stdout
    return [tuple(l.split("\t")[:2]) for l in out.splitlines()]


def test_import_tags_the_seed_article(site):
    db, _ = site
    got = places_of(db, SEED_SLUG)
    assert ("country", "pk") in got and ("country", "ru") in got
    assert got[0][0] == "country"


def test_hand_decisions_survive_retag(site):
    db, _ = site
    quire(db, "places", "add", SEED_SLUG, "kz")
    quire(db, "places", "remove", SEED_SLUG, "ru")
    p = quire(db, "places", "retag", "--all")
    assert "retagged" in p.stdout and "articles" in p.stderr
    got = places_of(db, SEED_SLUG)
    assert ("country", "kz") in got and ("country", "ru") not in got
    quire(db, "places", "add", SEED_SLUG, "ru")   # undo: back after retag
    quire(db, "places", "retag")
    assert ("country", "ru") in places_of(db, SEED_SLUG)
    bad = quire(db, "places", "add", SEED_SLUG, "xx", check=False)
    assert bad.returncode == 1 and "xx" in bad.stderr
    bad = quire(db, "places", "add", "no-such-article", "kz", check=False)
    assert bad.returncode == 1


def test_countries_index(site):
    _, srv = site
    r = srv.get("/countries")
    assert r.status_code == 200
    t = text_of(r.text)
    assert "Asia" in t and "Kazakhstan" in t and "Pakistan" in t
    assert 'href="/countries/kz"' in r.text
    m = re.search(r'href="/countries/kz">Kazakhstan</a>\s*'
                  r'<span class="count">(\d+) articles', r.text)
    # four imported, the seed by hand, the Caspian piece's table
    assert m and int(m.group(1)) == 6
    o = srv.get("/organizations")
    assert o.status_code == 200 and 'href="/organizations/sco"' in o.text


def test_country_page_chart_and_table_agree(site):
    _, srv = site
    r = srv.get("/countries/kz")
    assert r.status_code == 200
    svg = re.search(r"<svg.*?</svg>", r.text, re.S).group(0)
    root = ET.fromstring(svg)                        # well-formed
    assert root.get("role") == "img"
    bars = {}
    for g in root.iter(SVG + "g"):
        texts = [t.text for t in g.iter(SVG + "text")]
        bars[texts[1]] = int(texts[0])
    rows = dict(re.findall(r'<tr><th scope="row">(\d{4})</th><td>(\d+)</td>',
                           r.text))
    assert {y: int(n) for y, n in rows.items()} == \
        {y: n for y, n in bars.items() if n}
    assert bars["2016"] == 0 and bars["2015"] == 2      # gaps show
    assert rows["2004"] == "2"           # the seed by hand, and the Caspian
    t = text_of(r.text)
    assert "6 articles from 2004 to 2019; the most, 2, in 2004." in t
    assert "Johan Engvall" in t                        # who writes on it
    assert 'href="/countries/cn"' in r.text            # discussed with
    titles = re.findall(r'<a href="/articles/([^"]+)"', r.text)
    assert titles[0].startswith("kazakhstan-and-china")  # newest first
    assert srv.get("/countries/KZ").status_code == 404
    assert srv.get("/countries/zz").status_code == 404
    assert srv.get("/countries/kz?page=9").status_code == 404
    assert srv.get("/countries/%00").status_code in (400, 404)


def test_feeds(site):
    _, srv = site
    for fmt in ("atom", "rss"):
        r = srv.get(f"/countries/kz/feed.{fmt}")
        assert r.status_code == 200
        f = feedparser.parse(r.content)
        assert not f.bozo, f.bozo_exception
        assert "Kazakhstan" in f.feed.title
        assert len(f.entries) == 6
    j = srv.get("/countries/kz/feed.json").json()
    assert j["version"].startswith("https://jsonfeed.org/version/1")
    assert len(j["items"]) == 6
    assert srv.get("/organizations/sco/feed.atom").status_code == 200
    assert srv.get("/countries/zz/feed.atom").status_code == 404


def test_cache_drops_a_country_page_when_tags_change(site):
    db, srv = site
    assert srv.get("/countries/pk").status_code == 200
    assert srv.get("/countries/pk").headers.get("X-Cache") == "hit"
    srv.get("/countries/cn")
    assert srv.get("/countries/cn").headers.get("X-Cache") == "hit"
    quire(db, "places", "remove", SEED_SLUG, "pk")
    import time
    deadline = time.time() + 5
    while time.time() < deadline:
        r = srv.get("/countries/pk")
        if r.status_code == 404:
            break
        time.sleep(0.2)
    assert r.status_code == 404     # its only article no longer has it
    # precise: China's page did not change and stays cached
    assert srv.get("/countries/cn").headers.get("X-Cache") == "hit"


def test_article_page_lists_its_places(site):
    _, srv = site
    r = srv.get("/articles/kazakhstan-and-china-the-pipeline-years")
    assert r.status_code == 200
    countries = re.search(r'<p class="places countries">(.*?)</p>', r.text).group(1)
    links = re.findall(r'<a href="(/countries/[a-z]+)">([^<]+)</a>', countries)
    assert links[:2] == [("/countries/kz", "Kazakhstan"), ("/countries/cn", "China")]
    assert 'href="/organizations/sco"' in r.text
    kw = re.search(r'<meta name="citation_keywords" content="([^"]+)">', r.text)
    assert kw and kw.group(1).startswith("Kazakhstan; China")
    blocks = [json.loads(b) for b in re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', r.text, re.S)]
    assert len(blocks) == 1
    ld = blocks[0]
    assert ld["@type"] == "ScholarlyArticle"
    assert {"@type": "Country", "name": "Kazakhstan"} in ld["spatialCoverage"]
    assert any(x["@type"] == "Organization" for x in ld["about"])
    assert all(x["@type"] == "Country" for x in ld["spatialCoverage"])


def test_relations_map_and_table(site):
    _, srv = site
    r = srv.get("/relations")
    assert r.status_code == 200
    svg = re.search(r"<svg.*?</svg>", r.text, re.S).group(0)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    nodes = {a.get("href") for a in root.iter(SVG + "a")
             if a.find(SVG + "circle") is not None}
    links = {}
    for a in root.iter(SVG + "a"):
        line = a.find(SVG + "line")
        if line is not None:
            links[a.get("href")] = int(re.search(
                r": (\d+) article", line.find(SVG + "title").text).group(1))
    assert "/countries/kz" in nodes and "/countries/cn" in nodes
    rows = dict((u, int(n)) for u, n in re.findall(
        r'<td><a href="(/relations/[a-z]+-[a-z]+)">(\d+)</a></td>', r.text))
    assert rows and all(links.get(u) == n for u, n in rows.items())
    assert rows["/relations/cn-kz"] == 4
    # stable: the same layout twice
    assert svg == re.search(r"<svg.*?</svg>", srv.get("/relations").text,
                            re.S).group(0)
    # filters: years and section
    f = srv.get("/relations?from=2016&to=2017")
    assert "/relations/cn-kz\">1<" in f.text
    assert "/relations/cn-kz" not in srv.get(
        "/relations?section=field-reports").text
    assert srv.get("/relations?from=abc").status_code == 400
    assert srv.get("/relations?from=2019&to=2015").status_code == 400
    p = srv.get("/relations/cn-kz")
    assert p.status_code == 200 and p.text.count('class="article-item') in (0, 4) \
        and "4 articles about both" in text_of(p.text)
    assert srv.get("/relations/kz-cn").status_code == 404
    assert srv.get("/relations/kz-zz").status_code == 404
    assert srv.get("/relations/nonsense").status_code == 404


def test_relations_are_cached_per_filter_and_dropped_when_places_change(site):
    db, srv = site
    for url in ["/relations", "/relations?from=2015&to=2019"]:
        srv.get(url)
        r = srv.get(url)
        assert r.status_code == 200 and r.headers.get("X-Cache") == "hit", url
        assert "/countries/mn" not in r.text
    # the same filters written another way share the page
    assert srv.get("/relations?from=2015&to=2019&section=").headers.get(
        "X-Cache") == "hit"
    # Mongolia joins an article about Kazakhstan and China: both pages drop
    kz = "kazakhstan-and-china-the-pipeline-years"
    assert ("country", "kz") in places_of(db, kz)
    quire(db, "places", "add", kz, "mn")
    import time
    deadline = time.time() + 5
    while time.time() < deadline:
        r = srv.get("/relations")
        if "/countries/mn" in r.text:
            break
        time.sleep(0.2)
    assert "/countries/mn" in r.text
    assert "/countries/mn" in srv.get("/relations?from=2015&to=2019").text
    quire(db, "places", "remove", kz, "mn")


def test_static_export_has_the_places_pages(site, tmp_path):
    db, srv = site
    out = tmp_path / "out"
    quire(db, "--config", str(srv.ini), "export", "static", str(out))
    for f in ["countries/index.html", "countries/kz/index.html",
              "countries/kz/feed.atom", "organizations/sco/index.html",
              "relations/index.html", "relations/cn-kz/index.html"]:
        assert (out / f).is_file(), f
    live = srv.get("/countries/kz").text
    assert (out / "countries/kz/index.html").read_text() .count(
        "/articles/kazakhstan-and-china") == live.count(
        "/articles/kazakhstan-and-china")


def test_search_country_facet(site):
    _, srv = site
    r = srv.get("/search?q=oil")
    assert r.status_code == 200
    nav = re.search(r'<nav aria-label="Filter by country">(.*?)</nav>',
                    r.text, re.S).group(1)
    counts = dict(re.findall(r'>([A-Z][a-z]+)</a> \((\d+)\)', nav))
    # four pipeline pieces and the seed (Kazakhstan added by hand)
    assert counts["Kazakhstan"] == "5" and counts["China"] == "4"
    assert "country=kz" in nav
    f = srv.get("/search?q=oil&country=kz")
    assert "5 results" in text_of(f.text)
    assert 'aria-current="true">Kazakhstan (5)' in f.text
    cn = srv.get("/search?q=oil&country=cn")
    assert "4 results" in text_of(cn.text)
    none = srv.get("/search?q=oil&country=tz")
    assert "0 results" in text_of(none.text)
    assert srv.get("/search?q=oil&country=zz").status_code == 400
    assert srv.get("/search?q=oil&country=KZ").status_code == 400
