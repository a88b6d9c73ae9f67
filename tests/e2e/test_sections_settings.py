"""
Sections (editors) and the journal's settings (admins) over the admin API
and in the back office, against a real `quire serve`: create, rename,
reorder and delete sections (not one holding articles), read and change
settings with the checks `quire config set` makes, roles, CSRF, the audit
log, and public pages that change after an edit (the page cache drops).
"""
import time

import pytest

from conftest import Server, make_journal, quire
from test_accounts import add_user, csrf_of, login
from test_editorial import api


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sections")
    db = make_journal(tmp)
    add_user(db, "boss@example.org", "admin", name="Bo Ss")
    add_user(db, "ed@example.org", "editor", name="Ed Itor")
    add_user(db, "au@example.org", "author", name="Au Thor")
    srv = Server(db, tmp)
    srv.tokens = {}
    for role in ("admin", "editor", "author"):
        srv.tokens[role] = quire(db, "token", "add", "--name", "s-" + role,
                                 "--role", role).stdout.strip()
    yield srv
    assert srv.stop() == 0, srv.output()


def audit(site):
    return quire(site.db, "audit", "--limit", "200").stdout


def wait_for(fn, timeout=4.0):
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return True
        time.sleep(0.1)
    return fn()


def sections(site):
    r = api(site, "GET", "/api/admin/sections", site.tokens["editor"])
    assert r.status_code == 200
    return r.json()["sections"]


def test_sections_api_create_update_delete(site):
    before = sections(site)
    assert [s["position"] for s in before] == sorted(
        s["position"] for s in before)
    r = api(site, "POST", "/api/admin/sections", site.tokens["editor"],
            json={"name": "Economy Watch", "description": "Markets."})
    assert r.status_code == 201, r.text
    sec = r.json()
    assert sec["slug"] == "economy-watch" and sec["articles"] == 0
    assert sec["description"] == "Markets." and sec["url"] == \
        "/sections/economy-watch"
    assert sec["position"] == max(s["position"] for s in before) + 1
    g = api(site, "GET", f"/api/admin/sections/{sec['id']}",
            site.tokens["editor"])
    assert g.status_code == 200 and g.json() == sec
    # taken name or slug: 409; bad values: 400 naming the field
    r = api(site, "POST", "/api/admin/sections", site.tokens["editor"],
            json={"name": "Economy Watch"})
    assert r.status_code == 409
    for body, field in (({"slug": "x"}, "name"),
                        ({"name": ""}, "name"),
                        ({"name": "a\nb"}, "name"),
                        ({"name": "Ok", "slug": "Bad Slug"}, "slug"),
                        ({"name": "Ok", "position": 0}, "position"),
                        ({"name": "Ok", "position": "1"}, "position"),
                        ({"name": "Ok", "colour": "red"}, "colour")):
        r = api(site, "POST", "/api/admin/sections", site.tokens["editor"],
                json=body)
        assert r.status_code == 400, (body, r.text)
        assert field in r.json()["error"]["message"], (body, r.text)
    # rename and move it first: the public site follows
    assert site.get("/").status_code == 200
    r = api(site, "PUT", f"/api/admin/sections/{sec['id']}",
            site.tokens["editor"],
            json={"name": "Economy and Markets", "slug": "economy",
                  "position": 1})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Economy and Markets"
    assert r.json()["description"] == "Markets."  # kept
    assert sections(site)[0]["id"] == sec["id"]
    art = api(site, "POST", "/api/admin/articles", site.tokens["editor"],
              json={"title": "Markets piece", "body": "x", "slug": "mkt",
                    "section": "Economy and Markets", "status": "published"})
    assert art.status_code == 201
    assert wait_for(lambda: "Economy and Markets" in site.get("/").text)
    assert site.get("/sections/economy").status_code == 200
    # not while it holds articles
    r = api(site, "DELETE", f"/api/admin/sections/{sec['id']}",
            site.tokens["editor"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_empty"
    assert api(site, "DELETE", f"/api/admin/articles/{art.json()['id']}",
               site.tokens["editor"]).status_code == 204
    r = api(site, "DELETE", f"/api/admin/sections/{sec['id']}",
            site.tokens["editor"])
    assert r.status_code == 204
    assert sec["id"] not in [s["id"] for s in sections(site)]
    assert api(site, "PUT", f"/api/admin/sections/{sec['id']}",
               site.tokens["editor"], json={"name": "x"}).status_code == 404
    assert wait_for(lambda: "Economy and Markets" not in site.get("/").text)
    log = audit(site)
    for action in ("section.create", "section.update", "section.delete"):
        assert f"token:s-editor\t{action}\tsection:{sec['id']}" in log


def test_sections_roles(site):
    t = site.tokens["author"]
    assert api(site, "GET", "/api/admin/sections", t).status_code == 403
    r = api(site, "POST", "/api/admin/sections", t, json={"name": "Mine"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    sid = sections(site)[0]["id"]
    assert api(site, "PUT", f"/api/admin/sections/{sid}", t,
               json={"name": "x"}).status_code == 403
    assert api(site, "DELETE", f"/api/admin/sections/{sid}",
               t).status_code == 403
    r = api(site, "POST", "/api/admin/sections", site.tokens["editor"],
            data="name=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415


def test_sections_page(site):
    s, _ = login(site, "ed@example.org")
    page = s.get(site.url + "/admin/sections")
    assert page.status_code == 200 and "New section" in page.text
    csrf = csrf_of(page.text)
    r = s.post(site.url + "/admin/sections",
               data={"csrf": csrf, "name": "Book <b>Reviews</b>", "slug": "",
                     "position": "", "description": "Books."},
               allow_redirects=False)
    assert r.status_code == 303, r.text
    sec = next(x for x in sections(site)
               if x["name"] == "Book <b>Reviews</b>")
    page = s.get(site.url + "/admin/sections?done=saved").text
    assert "The section is saved." in page
    assert "Book &lt;b&gt;Reviews&lt;/b&gt;" in page and "<b>Reviews" not in page
    url = site.url + f"/admin/sections/{sec['id']}"
    r = s.post(url, data={"csrf": csrf, "name": "Book Reviews",
                          "slug": "books", "position": "2",
                          "description": ""}, allow_redirects=False)
    assert r.status_code == 303
    got = api(site, "GET", f"/api/admin/sections/{sec['id']}",
              site.tokens["editor"]).json()
    assert got["name"] == "Book Reviews" and got["slug"] == "books"
    assert got["position"] == 2 and got["description"] is None
    r = s.post(url, data={"csrf": csrf, "name": "Book Reviews",
                          "slug": "no spaces", "position": "2"})
    assert r.status_code == 422 and "slug" in r.text
    r = s.post(url, data={"csrf": csrf, "name": "x", "position": "-4"})
    assert r.status_code == 422
    r = s.post(url, data={"csrf": "forged", "name": "Hijacked"})
    assert r.status_code == 403
    assert api(site, "GET", f"/api/admin/sections/{sec['id']}",
               site.tokens["editor"]).json()["name"] == "Book Reviews"
    r = s.post(url + "/delete", data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303
    assert sec["id"] not in [x["id"] for x in sections(site)]
    # a section with articles shows no delete button and refuses
    full = next(x for x in sections(site) if x["articles"] > 0)
    r = s.post(site.url + f"/admin/sections/{full['id']}/delete",
               data={"csrf": csrf})
    assert r.status_code == 409 and "still has articles" in r.text
    assert f"ed@example.org\tsection.update\tsection:{sec['id']}" in audit(site)
    a, _ = login(site, "au@example.org")
    assert a.get(site.url + "/admin/sections").status_code == 403


def test_settings_api(site):
    t = site.tokens["admin"]
    r = api(site, "GET", "/api/admin/settings", t)
    assert r.status_code == 200
    st = r.json()["settings"]
    assert st["name"] == "the CACI Analyst"
    assert set(st) >= {"name", "tagline", "about", "base_url", "newsletter",
                       "feed_content"}
    for role in ("editor", "author"):
        assert api(site, "GET", "/api/admin/settings",
                   site.tokens[role]).status_code == 403
        assert api(site, "PUT", "/api/admin/settings", site.tokens[role],
                   json={"name": "x"}).status_code == 403
    assert site.get("/").status_code == 200  # cached before the change
    r = api(site, "PUT", "/api/admin/settings", t,
            json={"name": "The Steppe Review",
                  "about": "A <i>quarterly</i> about the steppe.",
                  "tagline": None})
    assert r.status_code == 200, r.text
    st = r.json()["settings"]
    assert st["name"] == "The Steppe Review" and st["tagline"] is None
    assert quire(site.db, "config", "get", "name").stdout.strip() == \
        "The Steppe Review"
    assert wait_for(lambda: "The Steppe Review" in site.get("/").text)
    art = site.get("/articles/caspian-voices")
    assert "quarterly" in art.text  # the about blurb beside every article
    assert "<i>quarterly</i>" not in art.text
    # invalid values: 422 naming the key, nothing changes (all or none)
    for body, key in (({"base_url": "ftp://x"}, "base_url"),
                      ({"base_url": "https://x.org/"}, "base_url"),
                      ({"feed_content": "some", "name": "Half"},
                       "feed_content"),
                      ({"name": ""}, "name"),
                      ({"tagline": "two\nlines"}, "tagline")):
        r = api(site, "PUT", "/api/admin/settings", t, json=body)
        assert r.status_code == 422, (body, r.text)
        assert key in r.json()["error"]["message"]
    for body in ({"colour": "red"}, {"name": 5}, {}):
        r = api(site, "PUT", "/api/admin/settings", t, json=body)
        assert r.status_code == 400, body
    r = api(site, "PUT", "/api/admin/settings", t, data="{bad",
            headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert api(site, "GET", "/api/admin/settings",
               t).json()["settings"]["name"] == "The Steppe Review"
    r = api(site, "PUT", "/api/admin/settings", t,
            json={"base_url": "https://steppe.example.org"})
    assert r.status_code == 200
    assert r.json()["settings"]["base_url"] == "https://steppe.example.org"
    # null unsets (an https base_url would make the session cookie Secure)
    r = api(site, "PUT", "/api/admin/settings", t, json={"base_url": None})
    assert r.status_code == 200 and r.json()["settings"]["base_url"] is None
    log = audit(site)
    for key in ("name", "about", "tagline", "base_url"):
        assert f"token:s-admin\tsettings.update\tsetting:{key}" in log


def test_settings_page(site):
    s, _ = login(site, "boss@example.org")
    page = s.get(site.url + "/admin/settings")
    assert page.status_code == 200
    assert 'name="newsletter"' in page.text and 'name="about"' in page.text
    csrf = csrf_of(page.text)
    r = s.post(site.url + "/admin/settings",
               data={"csrf": csrf, "name": "Page-set Journal",
                     "tagline": "Set from the page",
                     "newsletter": "Get the issue by email."},
               allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/admin/settings?saved=1"
    assert "The settings are saved." in s.get(
        site.url + "/admin/settings?saved=1").text
    assert quire(site.db, "config", "get", "tagline").stdout.strip() == \
        "Set from the page"
    assert wait_for(lambda: "Page-set Journal" in site.get("/").text)
    r = s.post(site.url + "/admin/settings",
               data={"csrf": csrf, "name": "Kept?", "feed_content": "bits"})
    assert r.status_code == 422 and "feed_content" in r.text
    assert 'value="Kept?"' in r.text  # what was typed stays
    assert quire(site.db, "config", "get", "name").stdout.strip() == \
        "Page-set Journal"
    r = s.post(site.url + "/admin/settings",
               data={"csrf": "nope", "name": "Forged"})
    assert r.status_code == 403
    ed, _ = login(site, "ed@example.org")
    assert ed.get(site.url + "/admin/settings").status_code == 403
    r = ed.post(site.url + "/admin/settings",
                data={"csrf": csrf_of(ed.get(site.url + "/admin/").text),
                      "name": "By an editor"})
    assert r.status_code == 403
    assert quire(site.db, "config", "get", "name").stdout.strip() == \
        "Page-set Journal"
    assert "boss@example.org\tsettings.update\tsetting:tagline" in audit(site)
