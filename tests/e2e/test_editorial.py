"""
The editors' side of articles over the admin API, against a real
`quire serve`: create, read, optimistic concurrency, revisions and
restore, scheduling by the server's own thread, slug-change redirects
(chains too), roles on content, validation errors and stored-XSS payloads
staying inert on public pages.
"""
import datetime
import time

import pytest
import requests

from conftest import Server, make_journal, quire
from test_accounts import add_user, csrf_of, login


def api(srv, method, path, token, **kw):
    h = kw.pop("headers", {})
    h["Authorization"] = "Bearer " + token
    return requests.request(method, srv.url + path, headers=h, timeout=10,
                            **kw)


def rfc3339(t):
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("editorial")
    db = make_journal(tmp)
    add_user(db, "ed@example.org", "editor", name="Ed Itor")
    add_user(db, "au@example.org", "author", name="Au Thor")
    srv = Server(db, tmp)
    srv.tokens = {}
    for role in ("admin", "editor", "author"):
        srv.tokens[role] = quire(db, "token", "add", "--name", "e-" + role,
                                 "--role", role).stdout.strip()
    yield srv
    assert srv.stop() == 0, srv.output()


def new_article(site, role="editor", **fields):
    body = {"title": "Gas deals in the Caspian", "body": "First *line*.\n",
            "summary": "Pipelines.", "section": "Analytical Articles",
            "issue": "2024-03-01", "authors": ["Nino Beridze", "Alan Rae"],
            "tags": ["Energy", "Caspian"], "status": "draft"}
    body.update(fields)
    r = api(site, "POST", "/api/admin/articles", site.tokens[role], json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_then_get_gives_the_same_article(site):
    a = new_article(site, slug="caspian-gas", status="published")
    assert a["revision"] == 1 and a["status"] == "published"
    assert a["authors"] == ["Nino Beridze", "Alan Rae"]
    assert a["tags"] == ["Energy", "Caspian"]
    assert a["url"] == "/articles/caspian-gas"
    for k in ("id", "created_at", "updated_at", "publish_at", "issue"):
        assert a[k], k
    g = api(site, "GET", f"/api/admin/articles/{a['id']}",
            site.tokens["editor"])
    assert g.status_code == 200 and g.json() == a
    page = site.get("/articles/caspian-gas")
    assert page.status_code == 200 and "Gas deals in the Caspian" in page.text
    lst = api(site, "GET", "/api/admin/articles?status=published&page=1",
              site.tokens["editor"]).json()
    assert a["id"] in [x["id"] for x in lst["articles"]]
    assert all(x["status"] == "published" for x in lst["articles"])


def test_stale_revision_gets_409_and_changes_nothing(site):
    a = new_article(site, slug="optimistic")
    base = {k: a[k] for k in ("title", "body", "slug", "status")}
    r1 = api(site, "PUT", f"/api/admin/articles/{a['id']}",
             site.tokens["editor"], json=dict(base, title="First editor",
                                              revision=1))
    assert r1.status_code == 200 and r1.json()["revision"] == 2
    r2 = api(site, "PUT", f"/api/admin/articles/{a['id']}",
             site.tokens["admin"], json=dict(base, title="Second editor",
                                             revision=1))
    assert r2.status_code == 409
    assert r2.json()["error"]["code"] == "conflict"
    g = api(site, "GET", f"/api/admin/articles/{a['id']}",
            site.tokens["editor"]).json()
    assert g["title"] == "First editor" and g["revision"] == 2
    # a PUT without the revision it read is refused
    r3 = api(site, "PUT", f"/api/admin/articles/{a['id']}",
             site.tokens["editor"], json=dict(base, title="x"))
    assert r3.status_code == 400 and "revision" in r3.json()["error"]["message"]


def test_revisions_and_restore(site):
    a = new_article(site, slug="revised", body="alpha\nbeta\n")
    aid = a["id"]
    r = api(site, "PUT", f"/api/admin/articles/{aid}", site.tokens["editor"],
            json={"title": "Revised", "body": "alpha\ngamma\n",
                  "slug": "revised", "revision": 1})
    assert r.status_code == 200
    revs = api(site, "GET", f"/api/admin/articles/{aid}/revisions",
               site.tokens["editor"]).json()["revisions"]
    assert [x["revision"] for x in revs] == [2, 1]
    assert revs[0]["who"] == "token:e-editor" and revs[0]["at"]
    r = api(site, "POST", f"/api/admin/articles/{aid}/revisions/1/restore",
            site.tokens["editor"])
    assert r.status_code == 200, r.text
    g = r.json()
    assert g["revision"] == 3 and g["body"] == "alpha\nbeta\n"
    assert g["title"] == "Gas deals in the Caspian"
    r = api(site, "POST", f"/api/admin/articles/{aid}/revisions/9/restore",
            site.tokens["editor"])
    assert r.status_code == 404
    audit = quire(site.db, "audit", "--limit", "50").stdout
    assert "article.restore" in audit and "article.update" in audit


def test_slug_changes_redirect_through_chains(site):
    a = new_article(site, slug="first-name", status="published")
    aid, rev = a["id"], 1
    for new in ("second-name", "third-name"):
        r = api(site, "PUT", f"/api/admin/articles/{aid}",
                site.tokens["editor"],
                json={"title": a["title"], "body": a["body"], "slug": new,
                      "status": "published", "revision": rev})
        assert r.status_code == 200, r.text
        rev = r.json()["revision"]
    for old in ("first-name", "second-name"):
        r = site.get("/articles/" + old, allow_redirects=False)
        assert r.status_code == 301, old
        assert r.headers["Location"].endswith("/articles/third-name")
    assert site.get("/articles/third-name").status_code == 200
    assert site.get("/articles/never-was").status_code == 404
    # a slug taken by another article is refused
    b = new_article(site, slug="other-one")
    r = api(site, "PUT", f"/api/admin/articles/{b['id']}",
            site.tokens["editor"],
            json={"title": "x", "slug": "third-name", "revision": 1})
    assert r.status_code == 409


def test_scheduled_article_appears_on_time_without_a_request(site):
    # warm the caches: the home page and feed are cached before the flip
    assert site.get("/").status_code == 200
    assert site.get("/feed.atom").status_code in (200, 404)
    at = int(time.time()) + 3
    a = new_article(site, title="Scheduled Zanzibar Piece",
                    slug="scheduled-piece", status="scheduled",
                    publish_at=rfc3339(at))
    assert a["status"] == "scheduled"
    seen = None
    while time.time() < at + 6:
        r = site.get("/articles/scheduled-piece")
        now = time.time()
        if r.status_code == 200:
            seen = now
            break
        time.sleep(0.1)
    assert seen is not None, "never appeared"
    assert seen >= at, "appeared before its time"
    assert seen - at <= 2.5
    home = site.get("/").text
    assert "Scheduled Zanzibar Piece" in home
    g = api(site, "GET", f"/api/admin/articles/{a['id']}",
            site.tokens["editor"]).json()
    assert g["status"] == "published"
    s = site.get("/search?q=Zanzibar")
    assert "Scheduled Zanzibar Piece" in s.text


def test_scheduling_needs_a_future_time(site):
    r = api(site, "POST", "/api/admin/articles", site.tokens["editor"],
            json={"title": "t", "status": "scheduled"})
    assert r.status_code == 422 and "publish_at" in r.json()["error"]["message"]


def test_author_role_on_content(site):
    mine = new_article(site, role="author", slug="authors-draft")
    assert mine["status"] == "draft"
    r = api(site, "POST", "/api/admin/articles", site.tokens["author"],
            json={"title": "t", "status": "published"})
    assert r.status_code == 403
    r = api(site, "PUT", f"/api/admin/articles/{mine['id']}",
            site.tokens["author"],
            json={"title": "Mine, edited", "revision": 1})
    assert r.status_code == 200
    theirs = new_article(site, slug="editors-piece")
    r = api(site, "PUT", f"/api/admin/articles/{theirs['id']}",
            site.tokens["author"], json={"title": "Hijack", "revision": 1})
    assert r.status_code == 403
    r = api(site, "DELETE", f"/api/admin/articles/{theirs['id']}",
            site.tokens["author"])
    assert r.status_code == 403
    r = api(site, "DELETE", f"/api/admin/articles/{mine['id']}",
            site.tokens["author"])
    assert r.status_code == 204
    r = api(site, "GET", f"/api/admin/articles/{mine['id']}",
            site.tokens["author"])
    assert r.status_code == 404


@pytest.mark.parametrize("body,status,word", [
    ('{"title": 5}', 400, "title"),
    ('{"title": "x", "status": "live"}', 400, "status"),
    ('{"title": "x", "issue": "2024-13-45"}', 400, "issue"),
    ('{"title": "x", "publish_at": "tomorrow"}', 400, "publish_at"),
    ('{"title": "x", "slug": "Bad Slug"}', 400, "slug"),
    ('{"title": "x", "colour": "red"}', 400, "colour"),
    ('{"title": "x", "authors": "one"}', 400, "authors"),
    ('{"title": "x",', 400, ""),
    ('{}', 400, "title"),
])
def test_api_validation_errors(site, body, status, word):
    before = api(site, "GET", "/api/admin/articles", site.tokens["editor"])
    r = api(site, "POST", "/api/admin/articles", site.tokens["editor"],
            data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert word in r.json()["error"]["message"]
    after = api(site, "GET", "/api/admin/articles", site.tokens["editor"])
    assert after.json()["meta"]["total"] == before.json()["meta"]["total"]


def test_stored_xss_is_inert_on_public_pages(site):
    p = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    a = new_article(site, title="XSS " + p, summary=p, slug="xss-test",
                    body="Body " + p + "\n\n[x](javascript:alert(3))\n",
                    authors=["Evil " + p], tags=["t" + p],
                    section="S" + p, status="published")
    assert a["title"] == "XSS " + p
    assert site.get("/articles/xss-test").status_code == 200
    for path in ("/articles/xss-test", "/", "/feed.atom"):
        r = site.get(path)
        if r.status_code != 200:
            continue
        assert "<script>alert(1)" not in r.text, path
        assert "<img src=x onerror" not in r.text, path
        assert 'href="javascript:' not in r.text, path


def test_issue_create_and_publish_at_once(site):
    r = api(site, "POST", "/api/admin/issues", site.tokens["editor"],
            json={"date": "2031-01-15", "title": "Winter issue"})
    assert r.status_code == 201 and r.json()["date"] == "2031-01-15"
    r = api(site, "POST", "/api/admin/issues", site.tokens["editor"],
            json={"date": "2031-01-15"})
    assert r.status_code == 409
    r = api(site, "POST", "/api/admin/issues", site.tokens["author"],
            json={"date": "2031-02-01"})
    assert r.status_code == 403
    a = new_article(site, title="Issue piece one", slug="issue-one",
                    issue="2031-01-15")
    b = new_article(site, title="Issue piece two", slug="issue-two",
                    issue="2031-01-15", section="Field Reports")
    for slug in ("issue-one", "issue-two"):
        assert site.get("/articles/" + slug).status_code == 404
    r = api(site, "POST", "/api/admin/issues/2031-01-15/publish",
            site.tokens["editor"])
    assert r.status_code == 200 and r.json()["published"] == 2
    for slug in ("issue-one", "issue-two"):
        assert site.get("/articles/" + slug).status_code == 200
    for x in (a, b):
        g = api(site, "GET", f"/api/admin/articles/{x['id']}",
                site.tokens["editor"]).json()
        assert g["status"] == "published" and g["revision"] == 2
    # an editor holding the old revision gets a conflict, not an unpublish
    r = api(site, "PUT", f"/api/admin/articles/{a['id']}",
            site.tokens["editor"], json={"title": "x", "revision": 1})
    assert r.status_code == 409
    r = api(site, "POST", "/api/admin/issues/2099-01-01/publish",
            site.tokens["editor"])
    assert r.status_code == 404
    assert "issue.publish" in quire(site.db, "audit", "--limit", "80").stdout


def test_author_bio_shows_on_the_author_page(site):
    new_article(site, slug="bio-piece", status="published",
                authors=["Bio Person"])
    authors = api(site, "GET", "/api/admin/authors",
                  site.tokens["editor"]).json()["authors"]
    au = next(x for x in authors if x["name"] == "Bio Person")
    r = api(site, "PUT", f"/api/admin/authors/{au['id']}",
            site.tokens["editor"],
            json={"bio": "Writes on **energy**. <script>alert(1)</script>"})
    assert r.status_code == 200, r.text
    page = site.get("/authors/" + au["slug"])
    assert page.status_code == 200
    assert "<strong>energy</strong>" in page.text
    assert "<script>alert(1)" not in page.text
    r = api(site, "PUT", f"/api/admin/authors/{au['id']}",
            site.tokens["author"], json={"bio": "x"})
    assert r.status_code == 403


TABLE_MD = """Intro paragraph.[^1]

| Country | Exports |
|---------|---------|
| Kazakhstan | Oil |

[^1]: A footnote.
"""


def form(csrf, **kw):
    d = {"csrf": csrf, "title": "Back office piece", "body": TABLE_MD,
         "summary": "From the editor.", "section": "Field Reports",
         "issue": "", "authors": "Ed Itor\nSecond Writer", "tags": "Trade, Oil",
         "slug": "", "status": "draft", "publish_at": "", "revision": "0"}
    d.update(kw)
    return d


def test_back_office_write_preview_publish_conflict_restore(site):
    s, _ = login(site, "ed@example.org")
    page = s.get(site.url + "/admin/articles/new")
    assert page.status_code == 200 and 'name="body"' in page.text
    csrf = csrf_of(page.text)
    # preview: the public template, the table and the footnote rendered
    r = s.post(site.url + "/admin/articles/preview",
               data=form(csrf, title="Preview only"))
    assert r.status_code == 200, r.text
    assert "<table>" in r.text and "footnote" in r.text
    assert "Preview only" in r.text
    assert site.get("/articles/preview-only").status_code == 404
    # save a draft, then publish it
    r = s.post(site.url + "/admin/articles", data=form(csrf, slug="bo-piece"),
               allow_redirects=False)
    assert r.status_code == 303, r.text
    edit_url = site.url + r.headers["Location"].split("?")[0]
    aid = edit_url.rsplit("/", 1)[1]
    assert site.get("/articles/bo-piece").status_code == 404
    r = s.post(edit_url, data=form(csrf, slug="bo-piece", status="published",
                                   revision="1"), allow_redirects=False)
    assert r.status_code == 303
    pub = site.get("/articles/bo-piece")
    assert pub.status_code == 200 and "<table>" in pub.text
    # list with filters
    lst = s.get(site.url + "/admin/articles?status=published&q=back+office")
    assert "Back office piece" in lst.text
    lst = s.get(site.url + "/admin/articles?status=draft&q=back+office")
    assert "Back office piece" not in lst.text
    # a stale save: the conflict message, the text kept, nothing changed
    r = s.post(edit_url, data=form(csrf, slug="bo-piece", status="published",
                                   title="Stale title", revision="1"))
    assert r.status_code == 409
    assert "Someone else saved this article" in r.text
    assert "Stale title" in r.text
    assert "Stale title" not in site.get("/articles/bo-piece").text
    # edit, see the diff, restore revision 1 (a new revision, a draft again)
    r = s.post(edit_url, data=form(csrf, slug="bo-piece", status="published",
                                   body="Changed body.\n", revision="2"),
               allow_redirects=False)
    assert r.status_code == 303
    time.sleep(1.5)  # the page cache drops the page within a second
    assert "Changed body." in site.get("/articles/bo-piece").text
    revs = s.get(edit_url + "/revisions?diff=2")
    assert revs.status_code == 200
    assert 'class="add">+ Changed body.' in revs.text
    assert 'class="del">- Intro paragraph.[^1]' in revs.text
    r = s.post(edit_url + "/revisions/1/restore", data={"csrf": csrf},
               allow_redirects=False)
    assert r.status_code == 303
    g = api(site, "GET", f"/api/admin/articles/{aid}",
            site.tokens["editor"]).json()
    assert g["revision"] == 4 and g["status"] == "draft"
    assert g["body"] == TABLE_MD
    # no CSRF token: refused, nothing changes
    r = s.post(edit_url, data=dict(form("", revision="4"), csrf="bad"))
    assert r.status_code == 403
    assert api(site, "GET", f"/api/admin/articles/{aid}",
               site.tokens["editor"]).json()["revision"] == 4


def test_back_office_author_limits_and_xss(site):
    s, _ = login(site, "au@example.org")
    csrf = csrf_of(s.get(site.url + "/admin/articles/new").text)
    p = '<script>alert(1)</script>'
    r = s.post(site.url + "/admin/articles",
               data=form(csrf, title="Author " + p, slug="au-draft",
                         authors="Au " + p), allow_redirects=False)
    assert r.status_code == 303
    edit_url = site.url + r.headers["Location"].split("?")[0]
    for url in (edit_url, site.url + "/admin/articles"):
        page = s.get(url).text
        assert "Author &lt;script&gt;" in page and p not in page
    # an author cannot publish
    r = s.post(edit_url, data=form(csrf, title="x", slug="au-draft",
                                   status="published", revision="1"))
    assert r.status_code == 422 and "cannot publish" in r.text
    # nor touch an editor's article
    theirs = new_article(site, slug="not-the-authors")
    r = s.post(site.url + f"/admin/articles/{theirs['id']}",
               data=form(csrf, title="Hijack", revision="1"))
    assert r.status_code == 403
    assert api(site, "GET", f"/api/admin/articles/{theirs['id']}",
               site.tokens["editor"]).json()["title"] != "Hijack"


def test_back_office_issue_create_and_publish(site):
    s, _ = login(site, "ed@example.org")
    page = s.get(site.url + "/admin/issues")
    assert page.status_code == 200 and "New issue" in page.text
    csrf = csrf_of(page.text)
    r = s.post(site.url + "/admin/issues",
               data={"csrf": csrf, "date": "2032-05-01", "title": "May"})
    assert r.status_code == 200 and "Issue created" in r.text
    new_article(site, title="May piece", slug="may-piece", issue="2032-05-01")
    assert site.get("/articles/may-piece").status_code == 404
    r = s.post(site.url + "/admin/issues/publish",
               data={"csrf": csrf, "date": "2032-05-01"})
    assert r.status_code == 200 and "1 articles went public" in r.text
    assert site.get("/articles/may-piece").status_code == 200
    assert "2032-05-01" in s.get(site.url + "/admin/issues").text
    a, _ = login(site, "au@example.org")
    assert a.get(site.url + "/admin/issues").status_code == 403


def test_put_keeps_the_fields_it_leaves_out(site):
    a = new_article(site, slug="partial-put", status="published",
                    body="Keep this body.\n")
    r = api(site, "PUT", f"/api/admin/articles/{a['id']}",
            site.tokens["editor"], json={"title": "Only the title",
                                         "revision": 1})
    assert r.status_code == 200, r.text
    g = r.json()
    assert g["title"] == "Only the title" and g["status"] == "published"
    assert g["body"] == "Keep this body.\n"
    assert g["authors"] == a["authors"] and g["tags"] == a["tags"]
    assert g["section"] == a["section"] and g["issue"] == a["issue"]
    assert g["publish_at"] == a["publish_at"]
