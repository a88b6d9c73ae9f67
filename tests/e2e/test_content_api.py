"""The public content API, /api/content/... (issue 15): pages and filters
against what was imported, ETag/304, CORS, no draft or scheduled article,
invalidation when the journal changes, and the OpenAPI 3.1 description."""
import json
import pathlib
import shutil
import subprocess
import time

import pytest

from conftest import REPO, SEED_SLUG, Server, make_journal, quire

API = "/api/content"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api")
    db = make_journal(tmp)
    src = tmp / "more"
    src.mkdir()
    # a scheduled article: published, dated in the future
    (src / "future.md").write_text(
        "---\ntitle: \"From The Future\"\ndate: 2099-01-01\n"
        "section: Field Reports\nslug: from-the-future\n---\nLater.\n")
    quire(db, "import", "markdown", str(src))
    srv = Server(db, tmp)
    yield srv
    srv.stop()


def get(srv, path, **kw):
    r = srv.get(API + path, **kw)
    return r


def test_articles_list_newest_first_with_pagination(api):
    r = get(api, "/articles")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    doc = r.json()
    slugs = [a["slug"] for a in doc["articles"]]
    assert slugs == ["caspian-voices", "two-authors", SEED_SLUG]
    dates = [a["published_at"] for a in doc["articles"]]
    assert dates == sorted(dates, reverse=True)
    p = doc["meta"]["pagination"]
    assert p == {"page": 1, "limit": 15, "pages": 1, "total": 3,
                 "next": None, "prev": None}
    first = doc["articles"][0]
    assert first["title"] == "Three Voices on the Caspian"
    assert [a["name"] for a in first["authors"]] == [
        "Svante E. Cornell", "S. Frederick Starr", "Albert Barro"]
    assert first["section"] == {"slug": "analytical-articles",
                                "name": "Analytical Articles"}
    assert first["issue"]["date"] == "2004-07-14"
    assert first["url"].endswith("/articles/caspian-voices")
    r = get(api, "/articles?limit=2&page=2").json()
    assert [a["slug"] for a in r["articles"]] == [SEED_SLUG]
    assert r["meta"]["pagination"]["prev"] == 1
    assert r["meta"]["pagination"]["pages"] == 2
    for bad in ("?limit=101", "?limit=0", "?page=0", "?page=x",
                "?since=yesterday", "?issue=july"):
        r = get(api, "/articles" + bad)
        assert r.status_code == 400, bad
        assert r.json()["errors"][0]["message"]


def test_no_draft_or_scheduled_article_ever_appears(api):
    everything = json.dumps([get(api, p).json() for p in (
        "/articles?limit=100", "/sections", "/issues", "/authors", "/tags",
        "/articles?section=field-reports")])
    for secret in ("Not Yet", "not-yet", "From The Future", "from-the-future"):
        assert secret not in everything
    assert get(api, "/articles/not-yet").status_code == 404
    assert get(api, "/articles/from-the-future").status_code == 404


def test_filters_agree_with_the_store(api):
    def slugs(q):
        r = get(api, "/articles?" + q)
        assert r.status_code == 200, r.text
        return [a["slug"] for a in r.json()["articles"]]
    assert slugs("section=field-reports") == [SEED_SLUG]
    assert slugs("section=analytical-articles") == ["caspian-voices",
                                                    "two-authors"]
    assert slugs("author=svante-e-cornell") == ["caspian-voices",
                                                "two-authors"]
    assert slugs("author=zahid-anwar") == [SEED_SLUG]
    assert slugs("tag=pakistan") == [SEED_SLUG]
    assert slugs("issue=2004-06-30") == [SEED_SLUG]
    assert slugs("since=2004-07-01") == ["caspian-voices", "two-authors"]
    assert slugs("since=2004-07-02") == ["caspian-voices"]
    assert slugs("author=svante-e-cornell&since=2004-07-02") == [
        "caspian-voices"]
    assert slugs("section=field-reports&tag=pakistan") == [SEED_SLUG]
    assert slugs("section=analytical-articles&tag=pakistan") == []
    assert slugs("tag=no-such-tag") == []


def test_one_article_in_full(api):
    r = get(api, "/articles/" + SEED_SLUG)
    assert r.status_code == 200
    a = r.json()["articles"][0]
    assert a["title"].startswith("PAKISTAN")
    assert a["read_count"] >= 3093
    assert "<p>" in a["html"]
    assert "<" not in a["plaintext"] and len(a["plaintext"]) > 200
    assert sorted(t["slug"] for t in a["tags"]) == ["pakistan", "russia"]
    assert a["authors"] == [{"slug": "zahid-anwar", "name": "Zahid Anwar"}]
    assert get(api, "/articles/nope").status_code == 404


def test_sections_issues_authors_tags(api):
    secs = get(api, "/sections").json()["sections"]
    assert {"slug": "field-reports", "name": "Field Reports"} in secs
    issues = get(api, "/issues").json()["issues"]
    assert {i["date"] for i in issues} >= {"2004-06-30", "2004-07-14"}
    toc = get(api, "/issues/2004-07-14").json()["issues"][0]
    assert toc["date"] == "2004-07-14"
    assert [a["slug"] for a in toc["articles"]] == ["caspian-voices"]
    assert get(api, "/issues/1999-01-01").status_code == 404
    assert get(api, "/issues/garbage").status_code == 404
    authors = get(api, "/authors?limit=100").json()
    by = {a["slug"]: a["article_count"] for a in authors["authors"]}
    assert by["svante-e-cornell"] == 2 and by["zahid-anwar"] == 1
    assert authors["meta"]["pagination"]["total"] == len(by)
    tags = get(api, "/tags").json()["tags"]
    assert {"slug": "russia", "name": "Russia", "article_count": 1} in tags


def test_etag_304_and_cache(api):
    # One coding throughout: a gzip copy has its own tag (test_compression).
    plain = {"Accept-Encoding": "identity"}
    r1 = get(api, "/articles?limit=2", headers=plain)
    tag = r1.headers["ETag"]
    assert tag.startswith('"')
    r2 = get(api, "/articles?limit=2", headers=plain)
    assert r2.headers["X-Cache"] == "hit" and r2.headers["ETag"] == tag
    r3 = get(api, "/articles?limit=2", headers={"If-None-Match": tag})
    assert r3.status_code == 304 and r3.content == b""
    assert r3.headers["Access-Control-Allow-Origin"] == "*"


def test_invalidated_when_an_article_changes(api, tmp_path):
    before = get(api, "/articles?limit=100")
    assert get(api, "/articles?limit=100").headers["X-Cache"] == "hit"
    src = tmp_path / "new"
    src.mkdir()
    (src / "n.md").write_text("---\ntitle: \"Fresh News\"\ndate: 2005-01-01\n"
                              "slug: fresh-news\n---\nNew.\n")
    quire(api.db, "import", "markdown", str(src))
    deadline = time.time() + 10
    while time.time() < deadline:
        r = get(api, "/articles?limit=100")
        if "fresh-news" in r.text:
            break
        time.sleep(0.2)
    assert r.json()["articles"][0]["slug"] == "fresh-news"
    assert r.headers["ETag"] != before.headers["ETag"]
    quire(api.db, "article", "delete", "fresh-news")
    deadline = time.time() + 10
    while time.time() < deadline:
        r = get(api, "/articles/fresh-news")
        if r.status_code == 404:
            break
        time.sleep(0.2)
    assert r.status_code == 404


def test_openapi_description_is_valid_and_complete(tmp_path):
    spec_path = REPO / "docs" / "content-api.openapi.json"
    spec = json.loads(spec_path.read_text())
    assert spec["openapi"].startswith("3.1")
    for p in ("/api/content/articles", "/api/content/articles/{slug}",
              "/api/content/sections", "/api/content/issues",
              "/api/content/issues/{date}", "/api/content/authors",
              "/api/content/tags"):
        assert p in spec["paths"], p
    node = shutil.which("node")
    mod = REPO / "tests" / "browser" / "node_modules" / "@apidevtools" / \
        "swagger-parser"
    if not node or not mod.exists():
        pytest.skip("npm @apidevtools/swagger-parser is not installed "
                    "(make browser-deps)")
    script = ("const P=require('@apidevtools/swagger-parser');"
              "P.validate(process.argv[1]).then(a=>{console.log('ok',"
              "a.openapi)},e=>{console.error(e.message);process.exit(1)})")
    p = subprocess.run([node, "-e", script, str(spec_path)],
                       cwd=REPO / "tests" / "browser", capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ok 3.1")
