"""
Assembling issues and keeping authors, over the admin API and in the back
office, against a real `quire serve`: list and read issues, order an
issue's articles (the public table of contents follows, its cached page
dropped), delete only an empty issue, read, edit and delete authors (not
one with articles), roles, CSRF and the audit log.
"""
import re
import time

import pytest

from conftest import Server, make_journal, quire
from test_accounts import add_user, csrf_of, login
from test_editorial import api


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("assembly")
    db = make_journal(tmp)
    add_user(db, "ed@example.org", "editor", name="Ed Itor")
    add_user(db, "au@example.org", "author", name="Au Thor")
    srv = Server(db, tmp)
    srv.tokens = {}
    for role in ("admin", "editor", "author"):
        srv.tokens[role] = quire(db, "token", "add", "--name", "a-" + role,
                                 "--role", role).stdout.strip()
    yield srv
    assert srv.stop() == 0, srv.output()


def article(site, **fields):
    body = {"title": "Untitled", "body": "Text.\n", "status": "published",
            "section": "Analytical Articles", "authors": ["Ada Writer"]}
    body.update(fields)
    r = api(site, "POST", "/api/admin/articles", site.tokens["editor"],
            json=body)
    assert r.status_code == 201, r.text
    return r.json()


def audit(site):
    return quire(site.db, "audit", "--limit", "200").stdout


def wait_for(fn, timeout=4.0):
    """Polls fn until it returns true (the page cache drops within ~1 s)."""
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return True
        time.sleep(0.1)
    return fn()


def order_on_page(html, titles):
    pos = [html.find(t) for t in titles]
    assert all(p >= 0 for p in pos), (titles, pos)
    return [t for _, t in sorted(zip(pos, titles))]


def test_issues_list_and_get_by_id_or_date(site):
    r = api(site, "POST", "/api/admin/issues", site.tokens["editor"],
            json={"date": "2040-01-10", "title": "Drafts only"})
    assert r.status_code == 201
    iid = r.json()["id"]
    article(site, title="Draft in 2040", slug="draft-2040", status="draft",
            issue="2040-01-10")
    lst = api(site, "GET", "/api/admin/issues", site.tokens["author"])
    assert lst.status_code == 200
    got = {i["date"]: i for i in lst.json()["issues"]}
    # an issue with only drafts is listed for editors, with its counts
    assert got["2040-01-10"] == {"id": iid, "date": "2040-01-10",
                                 "title": "Drafts only", "count": 1,
                                 "published": 0, "url": "/issues/2040-01-10"}
    assert got["2004-06-30"]["published"] >= 1
    for key in (str(iid), "2040-01-10"):
        g = api(site, "GET", f"/api/admin/issues/{key}",
                site.tokens["editor"])
        assert g.status_code == 200
        j = g.json()
        assert j["id"] == iid and j["title"] == "Drafts only"
        assert [a["slug"] for a in j["articles"]] == ["draft-2040"]
        assert j["articles"][0]["status"] == "draft"
        assert j["articles"][0]["section"] == "Analytical Articles"
    for bad in ("999999", "2040-13-45", "x", "2040-02-01"):
        r = api(site, "GET", f"/api/admin/issues/{bad}", site.tokens["editor"])
        assert r.status_code == 404, bad
        assert r.json()["error"]["code"] == "not_found"
    assert api(site, "GET", "/api/admin/issues", "wrong").status_code == 401


def test_order_an_issue_and_the_public_page_follows(site):
    d = "2041-03-01"
    a = article(site, title="Alpha Steppe Report", slug="alpha-steppe",
                issue=d, publish_at="2041-01-01T10:00:00Z")
    b = article(site, title="Beta Steppe Report", slug="beta-steppe",
                issue=d, publish_at="2041-01-01T11:00:00Z")
    c = article(site, title="Gamma Steppe Report", slug="gamma-steppe",
                issue=d, publish_at="2041-01-01T12:00:00Z")
    f = article(site, title="Field Steppe Note", slug="field-steppe",
                issue=d, section="Field Reports")
    titles = [x["title"] for x in (a, b, c)]
    page = site.get("/issues/" + d)
    assert page.status_code == 200
    assert order_on_page(page.text, titles) == titles  # by publication
    # cached (once the ticker has read the saves above: a page rendered
    # before it did is dropped when it does, so ask until it stays)
    assert wait_for(lambda: site.get("/issues/" + d).headers.get(
        "X-Cache") == "hit"), "issue page never cached"
    new = [c["id"], a["id"], b["id"]]
    r = api(site, "PUT", f"/api/admin/issues/{d}", site.tokens["editor"],
            json={"articles": new, "title": "Steppe issue"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["title"] == "Steppe issue"
    mine = [x for x in j["articles"] if x["section"] == "Analytical Articles"]
    assert [x["id"] for x in mine] == new
    assert [x["position"] for x in mine] == [1, 2, 3]
    # the field report, not placed, keeps its section's place
    assert [x["id"] for x in j["articles"] if x["id"] == f["id"]]
    want = [c["title"], a["title"], b["title"]]
    assert wait_for(lambda: order_on_page(
        site.get("/issues/" + d).text, titles) == want), "page not dropped"
    assert "Steppe issue" in site.get("/issues/" + d).text
    # an article of another issue, a repeated id, wrong types: refused
    other = article(site, title="Elsewhere", slug="elsewhere",
                    issue="2041-04-01")
    for body, status in (({"articles": [a["id"], other["id"]]}, 422),
                         ({"articles": [a["id"], a["id"]]}, 400),
                         ({"articles": ["x"]}, 400),
                         ({"articles": 3}, 400),
                         ({"order": []}, 400)):
        r = api(site, "PUT", f"/api/admin/issues/{d}", site.tokens["editor"],
                json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["message"]
    g = api(site, "GET", f"/api/admin/issues/{d}",
            site.tokens["editor"]).json()
    assert [x["id"] for x in g["articles"]
            if x["section"] == "Analytical Articles"] == new
    # roles: an author may read, not order
    r = api(site, "PUT", f"/api/admin/issues/{d}", site.tokens["author"],
            json={"articles": []})
    assert r.status_code == 403
    assert "token:a-editor\tissue.order\tissue:2041-03-01" in audit(site)
    # moving an article to another issue unplaces it there
    r = api(site, "PUT", f"/api/admin/articles/{c['id']}",
            site.tokens["editor"], json={"title": c["title"],
                                         "issue": "2041-04-01",
                                         "revision": c["revision"]})
    assert r.status_code == 200, r.text
    g = api(site, "GET", "/api/admin/issues/2041-04-01",
            site.tokens["editor"]).json()
    assert {x["id"]: x["position"] for x in g["articles"]}[c["id"]] == 0


def test_delete_issue_only_when_empty(site):
    d = "2042-05-05"
    r = api(site, "POST", "/api/admin/issues", site.tokens["editor"],
            json={"date": d})
    assert r.status_code == 201
    x = article(site, title="Keeps the issue", slug="keeps-issue", issue=d,
                status="draft")
    r = api(site, "DELETE", f"/api/admin/issues/{d}", site.tokens["editor"])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_empty"
    assert api(site, "GET", f"/api/admin/issues/{d}",
               site.tokens["editor"]).status_code == 200
    r = api(site, "DELETE", f"/api/admin/issues/{d}", site.tokens["author"])
    assert r.status_code == 403
    assert api(site, "DELETE", f"/api/admin/articles/{x['id']}",
               site.tokens["editor"]).status_code == 204
    r = api(site, "DELETE", f"/api/admin/issues/{d}", site.tokens["editor"])
    assert r.status_code == 204
    assert api(site, "GET", f"/api/admin/issues/{d}",
               site.tokens["editor"]).status_code == 404
    assert api(site, "DELETE", f"/api/admin/issues/{d}",
               site.tokens["editor"]).status_code == 404
    assert f"token:a-editor\tissue.delete\tissue:{d}" in audit(site)


def author_by_name(site, name):
    lst = api(site, "GET", "/api/admin/authors", site.tokens["editor"])
    return next(a for a in lst.json()["authors"] if a["name"] == name)


def test_author_get_put_delete(site):
    x = article(site, title="By a lone writer", slug="lone-writer",
                authors=["Lone Writer"])
    au = author_by_name(site, "Lone Writer")
    g = api(site, "GET", f"/api/admin/authors/{au['id']}",
            site.tokens["author"])
    assert g.status_code == 200
    assert g.json() == {"id": au["id"], "slug": "lone-writer",
                        "name": "Lone Writer", "bio": None, "articles": 1,
                        "url": "/authors/lone-writer", "photo": None}
    page = site.get("/authors/lone-writer")
    assert page.status_code == 200 and "Lone Writer" in page.text
    r = api(site, "PUT", f"/api/admin/authors/{au['id']}",
            site.tokens["editor"],
            json={"name": "Lone R. Writer", "bio": "Covers *the Steppe*."})
    assert r.status_code == 200, r.text
    assert wait_for(lambda: "<em>the Steppe</em>" in
                    site.get("/authors/lone-writer").text)
    assert "Lone R. Writer" in site.get("/articles/lone-writer").text
    # validation: unknown field, empty name, bad slug
    for body in ({"nick": "x"}, {"name": ""}, {"slug": "Not A Slug"},
                 {"bio": 5}):
        r = api(site, "PUT", f"/api/admin/authors/{au['id']}",
                site.tokens["editor"], json=body)
        assert r.status_code == 400, body
    # not while they have articles
    r = api(site, "DELETE", f"/api/admin/authors/{au['id']}",
            site.tokens["editor"])
    assert r.status_code == 409 and "1 articles" in r.json()["error"]["message"]
    r = api(site, "DELETE", f"/api/admin/authors/{au['id']}",
            site.tokens["author"])
    assert r.status_code == 403
    r = api(site, "PUT", f"/api/admin/articles/{x['id']}",
            site.tokens["editor"],
            json={"title": x["title"], "authors": ["Someone Else"],
                  "revision": x["revision"]})
    assert r.status_code == 200, r.text
    r = api(site, "DELETE", f"/api/admin/authors/{au['id']}",
            site.tokens["editor"])
    assert r.status_code == 204
    assert api(site, "GET", f"/api/admin/authors/{au['id']}",
               site.tokens["editor"]).status_code == 404
    assert api(site, "GET", "/api/admin/authors/abc",
               site.tokens["editor"]).status_code == 404
    assert wait_for(lambda: site.get("/authors/lone-writer").status_code
                    == 404)
    log = audit(site)
    assert f"token:a-editor\tauthor.update\tauthor:{au['id']}" in log
    assert f"token:a-editor\tauthor.delete\tauthor:{au['id']}" in log


def test_back_office_authors_pages(site):
    article(site, title="Page bio piece", slug="page-bio",
            authors=["Paged Person"])
    au = author_by_name(site, "Paged Person")
    s, _ = login(site, "ed@example.org")
    lst = s.get(site.url + "/admin/authors")
    assert lst.status_code == 200
    assert f'href="/admin/authors/{au["id"]}">Paged Person</a>' in lst.text
    page = s.get(site.url + f"/admin/authors/{au['id']}")
    assert page.status_code == 200 and 'name="bio"' in page.text
    assert "Delete this author" not in page.text  # has an article
    csrf = csrf_of(page.text)
    url = site.url + f"/admin/authors/{au['id']}"
    xss = "<script>alert(1)</script>"
    r = s.post(url, data={"csrf": csrf, "name": "Paged Person",
                          "slug": "paged-person",
                          "bio": "Writes **often**. " + xss},
               allow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["Location"] == f"/admin/authors/{au['id']}?saved=1"
    assert wait_for(lambda: "<strong>often</strong>" in
                    site.get("/authors/paged-person").text)
    assert xss not in site.get("/authors/paged-person").text
    again = s.get(url + "?saved=1").text
    assert "The author is saved." in again and xss not in again
    # a bad slug: 422, the typed text kept, nothing changed
    r = s.post(url, data={"csrf": csrf, "name": "Renamed Person",
                          "slug": "Bad Slug", "bio": "x"})
    assert r.status_code == 422 and "Renamed Person" in r.text
    assert author_by_name(site, "Paged Person")["slug"] == "paged-person"
    # no CSRF token: refused
    r = s.post(url, data={"csrf": "nope", "name": "Hijack",
                          "slug": "hijack", "bio": ""})
    assert r.status_code == 403
    assert author_by_name(site, "Paged Person")["bio"].startswith("Writes")
    # delete is refused while the author has articles
    r = s.post(url + "/delete", data={"csrf": csrf})
    assert r.status_code == 409 and "still has articles" in r.text
    # an author (role) may not open these pages
    a, _ = login(site, "au@example.org")
    assert a.get(site.url + "/admin/authors").status_code == 403
    assert a.get(url).status_code == 403
    log = audit(site)
    assert f"ed@example.org\tauthor.update\tauthor:{au['id']}" in log


def test_back_office_issue_assembly(site):
    d = "2043-09-09"
    one = article(site, title="Assembly One", slug="asm-one", status="draft",
                  publish_at="2043-01-01T10:00:00Z")
    two = article(site, title="Assembly Two", slug="asm-two", status="draft",
                  publish_at="2043-01-01T11:00:00Z")
    s, _ = login(site, "ed@example.org")
    page = s.get(site.url + "/admin/issues")
    csrf = csrf_of(page.text)
    r = s.post(site.url + "/admin/issues",
               data={"csrf": csrf, "date": d, "title": "Assembled"})
    assert r.status_code == 200
    iid = re.search(r'href="/admin/issues/(\d+)">' + d, r.text).group(1)
    url = site.url + "/admin/issues/" + iid
    page = s.get(url)
    assert page.status_code == 200 and "No articles in this issue" in page.text
    # find and add both
    found = s.get(url + "?q=Assembly").text
    for x in (one, two):
        assert f'name="article" value="{x["id"]}"' in found
        r = s.post(url + "/add", data={"csrf": csrf, "article": x["id"]},
                   allow_redirects=False)
        assert r.status_code == 303
        assert r.headers["Location"] == f"/admin/issues/{iid}?done=added"
    g = api(site, "GET", f"/api/admin/articles/{one['id']}",
            site.tokens["editor"]).json()
    assert g["issue"] == d and g["revision"] == 2  # a new revision
    page = s.get(url).text
    assert page.index("Assembly One") < page.index("Assembly Two")
    # move two up, then publish the issue: the public page in that order
    r = s.post(url + "/move", data={"csrf": csrf, "article": two["id"],
                                    "dir": "up"}, allow_redirects=False)
    assert r.status_code == 303
    page = s.get(url + "?done=moved").text
    assert "The order is saved." in page
    assert page.index("Assembly Two") < page.index("Assembly One")
    r = s.post(site.url + "/admin/issues/publish",
               data={"csrf": csrf, "date": d})
    assert r.status_code == 200
    pub = site.get("/issues/" + d)
    assert pub.status_code == 200
    assert pub.text.index("Assembly Two") < pub.text.index("Assembly One")
    # bad input
    r = s.post(url + "/move", data={"csrf": csrf, "article": two["id"],
                                    "dir": "sideways"})
    assert r.status_code == 422
    r = s.post(url + "/remove", data={"csrf": csrf, "article": "999999"})
    assert r.status_code == 404
    assert s.get(site.url + "/admin/issues/77777").status_code == 404
    # an issue with articles cannot be deleted; remove them, then it can
    r = s.post(url + "/delete", data={"csrf": csrf})
    assert r.status_code == 409
    for x in (one, two):
        r = s.post(url + "/remove", data={"csrf": csrf, "article": x["id"]},
                   allow_redirects=False)
        assert r.status_code == 303
    assert wait_for(lambda: site.get("/issues/" + d).status_code == 404)
    assert "Delete this empty issue" in s.get(url).text
    r = s.post(url + "/delete", data={"csrf": "bad"})
    assert r.status_code == 403
    r = s.post(url + "/delete", data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303
    assert s.get(url).status_code == 404
    log = audit(site)
    for action in ("issue.add_article", "issue.order", "issue.remove_article",
                   "issue.delete"):
        assert f"ed@example.org\t{action}\tissue:{d}" in log, action
    a, _ = login(site, "au@example.org")
    assert a.get(url).status_code == 403
