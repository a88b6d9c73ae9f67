"""
The side modules and author photos in the back office and the admin API
(issues 10 and 14), against a real `quire serve`: "Visit also" links
(title, URL, logo, order) and "Staff Publications" (kind, date, title,
URL, cover) over GET/POST /api/admin/{links,publications} and
PUT/DELETE .../{id}, an author's photo over PUT /api/admin/authors/{id},
and the pages /admin/links, /admin/publications and /admin/authors/{id}
with their picture picker. Roles (an author gets 403), bad input (400
naming the field, 422 for a picture the library does not have, nothing
changed), unknown ids (404), the audit log, and what a reader sees: the
public pages show the new logo, cover or photo on the next requests (the
page cache drops them) and lose it when it is taken away.
"""
import html
import re

import pytest

from conftest import Server, make_journal, quire
from test_accounts import add_user, csrf_of, login
from test_editorial import api
from test_side_pictures import MEDIA, vips, wait_for

ARTICLE = "/articles/two-authors"   # by Johan Engvall and Svante E. Cornell
AUTHOR = "/authors/johan-engvall"


def module(page, css):
    """The HTML of the side module <section class="module css">."""
    i = page.find(f'class="module {css}"')
    assert i >= 0, css
    return page[i:page.index("</section>", i)]


def audit(site):
    return quire(site.db, "audit", "--limit", "300").stdout


def err(r):
    return r.json()["error"]


def cached(site, path):
    """The page as the page cache holds it (asserts it is a hit), so that
    seeing a change afterwards shows the cache dropped it."""
    site.get(path)
    r = site.get(path)
    assert r.headers.get("X-Cache") == "hit", (path, r.headers)
    return r.text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("side-admin")
    db = make_journal(tmp)
    add_user(db, "ed@example.org", "editor", name="Ed Itor")
    add_user(db, "au@example.org", "author", name="Au Thor")
    vips("black", tmp / "b.v", 600, 240, "--bands", 3)
    vips("linear", tmp / "b.v", tmp / "logo.png", 1, 90, "--uchar")
    vips("black", tmp / "c.v", 400, 560, "--bands", 3)
    vips("linear", tmp / "c.v", tmp / "cover.jpg", 1, 160, "--uchar")
    vips("black", tmp / "p.v", 640, 640, "--bands", 3)
    vips("linear", tmp / "p.v", tmp / "photo.webp", 1, 200, "--uchar")
    (tmp / "paper.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>"
        b"\n%%EOF\n")
    m = {}
    for name, alt in [("logo.png", "Partner logo"), ("cover.jpg", "A cover"),
                      ("photo.webp", "Johan Engvall in 2020")]:
        out = quire(db, "media", "add", str(tmp / name), "--alt", alt).stdout
        g = MEDIA.search(out)
        assert g, out
        m[name.split(".")[0]] = {"id": g.group(1), "hash": g.group(4)}
    out = quire(db, "media", "add", str(tmp / "paper.pdf")).stdout
    m["pdf"] = re.search(r"^media (\d+): document", out, re.M).group(1)
    srv = Server(db, tmp)
    srv.m = m
    srv.tokens = {}
    for role in ("editor", "author"):
        srv.tokens[role] = quire(db, "token", "add", "--name", "s-" + role,
                                 "--role", role).stdout.strip()
    yield srv
    assert srv.stop() == 0, srv.output()


def ed(site, method, path, **kw):
    return api(site, method, path, site.tokens["editor"], **kw)


def titles(site):
    r = ed(site, "GET", "/api/admin/links")
    assert r.status_code == 200, r.text
    return [x["title"] for x in r.json()["links"]]


def test_media_list_names_the_pictures(site):
    """GET /api/admin/media: what a script names a picture by."""
    m = site.m
    r = api(site, "GET", "/api/admin/media", site.tokens["author"])
    assert r.status_code == 200, r.text
    got = {x["id"]: x for x in r.json()["media"]}
    logo = got[int(m["logo"]["id"])]
    assert logo["hash"] == m["logo"]["hash"] and logo["kind"] == "image"
    assert logo["url"].startswith(f"/media/{m['logo']['hash']}.")
    assert (logo["width"], logo["height"], logo["alt"]) == \
        (600, 240, "Partner logo")
    assert got[int(m["pdf"])]["kind"] == "document"
    assert "variants" not in logo


def test_links_api(site):
    m = site.m
    logo = m["logo"]["hash"]
    # An author may neither read nor write the modules.
    for method, path in [("GET", "/api/admin/links"),
                         ("POST", "/api/admin/links"),
                         ("PUT", "/api/admin/links/1"),
                         ("DELETE", "/api/admin/links/1")]:
        r = api(site, method, path, site.tokens["author"],
                json={"title": "x"})
        assert r.status_code == 403, (method, path, r.text)
        assert err(r)["code"] == "forbidden"
    lst = ed(site, "GET", "/api/admin/links").json()["links"]
    assert [(x["title"], x["url"], x["position"], x["image"]) for x in lst] \
        == [("silkroad", "https://silkroadstudies.org", 1, None),
            ("AFPC", "https://www.afpc.org", 2, None)]
    before = titles(site)

    # Bad input: the field named, nothing added.
    for body, status, words in [
            ({"title": "No URL"}, 400, "'url'"),
            ({"url": "https://x.example"}, 400, "'title'"),
            ({"title": "JS", "url": "javascript:alert(1)"}, 400, "'url'"),
            ({"title": "", "url": "https://x.example"}, 400, "'title'"),
            ({"title": "A\nB", "url": "https://x.example"}, 400, "'title'"),
            ({"title": "T", "url": "https://x.example", "logo": "x"}, 400,
             "unknown field 'logo'"),
            ({"title": "T", "url": "https://x.example", "position": 0}, 400,
             "'position'"),
            ({"title": 5, "url": "https://x.example"}, 400, "'title'"),
            ({"title": "T", "url": "https://x.example",
              "image": "deadbeefdeadbeef"}, 422, "no image 'deadbeefdeadbeef'"),
            ({"title": "T", "url": "https://x.example", "image": m["pdf"]},
             422, "not an image")]:
        r = ed(site, "POST", "/api/admin/links", json=body)
        assert r.status_code == status, (body, r.text)
        assert words in err(r)["message"], (body, r.text)
    r = ed(site, "POST", "/api/admin/links", data="{nope",
           headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and err(r)["code"] == "malformed_json"
    r = ed(site, "POST", "/api/admin/links", data="title=x")
    assert r.status_code == 415
    assert titles(site) == before

    # A new link with a logo, put first: on every article at once.
    page = cached(site, ARTICLE)
    assert logo not in module(page, "visit-also")
    r = ed(site, "POST", "/api/admin/links",
           json={"title": "isdp", "url": "https://isdp.eu", "image": logo,
                 "position": 1})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["image"] == logo and new["position"] == 1
    assert titles(site) == ["isdp", "silkroad", "AFPC"]
    assert ed(site, "GET", f"/api/admin/links/{new['id']}").json() == new
    assert wait_for(lambda: f"/media/{logo}-480.webp" in
                    module(site.get(ARTICLE).text, "visit-also"))
    side = module(site.get(ARTICLE).text, "visit-also")
    assert re.search(r'<a href="https://isdp.eu" rel="noopener"><picture>',
                     side)
    assert 'alt="Partner logo"' in side
    assert side.index("isdp.eu") < side.index("silkroadstudies.org")

    # PUT: keeps what it does not name, moves, takes the logo away.
    url = f"/api/admin/links/{new['id']}"
    r = ed(site, "PUT", url, json={"title": "ISDP", "position": 3})
    assert r.status_code == 200, r.text
    assert r.json()["image"] == logo and r.json()["url"] == "https://isdp.eu"
    assert titles(site) == ["silkroad", "AFPC", "ISDP"]
    r = ed(site, "PUT", url, json={"image": "0123456789abcdef"})
    assert r.status_code == 422
    assert ed(site, "GET", url).json()["image"] == logo
    r = ed(site, "PUT", url, json={"image": None})
    assert r.status_code == 200 and r.json()["image"] is None
    assert wait_for(lambda: "<picture>" not in
                    module(site.get(ARTICLE).text, "visit-also"))
    assert ">ISDP</a>" in module(site.get(ARTICLE).text, "visit-also")
    # By id, as the library lists it, then by the file's URL.
    r = ed(site, "PUT", url, json={"image": m["logo"]["id"]})
    assert r.status_code == 200 and r.json()["image"] == logo
    r = ed(site, "PUT", url, json={"image": ""})
    assert r.status_code == 200 and r.json()["image"] is None

    # Unknown ids.
    for method in ("GET", "PUT", "DELETE"):
        for bad in ("999999", "abc", "0", "-1"):
            r = ed(site, method, f"/api/admin/links/{bad}",
                   json={"title": "x"})
            assert r.status_code == 404, (method, bad, r.text)
            assert err(r)["code"] == "not_found"

    # A hostile title is text on the public page and in the back office.
    xss = '<img src=x onerror="alert(1)">'
    r = ed(site, "PUT", url, json={"title": "ISDP " + xss})
    assert r.status_code == 200 and r.json()["title"] == "ISDP " + xss
    assert wait_for(lambda: "ISDP &lt;img" in site.get(ARTICLE).text)
    assert xss not in site.get(ARTICLE).text
    s, _ = login(site, "ed@example.org")
    for path in ("/admin/links", f"/admin/links/{new['id']}"):
        page = s.get(site.url + path).text
        assert "ISDP &lt;img" in page and xss not in page, path

    r = ed(site, "DELETE", url)
    assert r.status_code == 204
    assert ed(site, "DELETE", url).status_code == 404
    assert titles(site) == ["silkroad", "AFPC"]
    assert wait_for(lambda: "ISDP" not in site.get(ARTICLE).text)
    log = audit(site)
    for action in ("link.create", "link.update", "link.delete"):
        assert f"token:s-editor\t{action}\tlink:{new['id']}" in log, action


def test_publications_api(site):
    m = site.m
    cover = m["cover"]["hash"]
    r = api(site, "GET", "/api/admin/publications", site.tokens["author"])
    assert r.status_code == 403
    pubs = ed(site, "GET", "/api/admin/publications").json()["publications"]
    assert [(p["kind"], p["date"], p["url"], p["image"]) for p in pubs] == [
        ("Silk Road Paper", "2023-05-01", "https://example.org/paper", None),
        ("Op-ed", "2022-07-21", None, None)]
    n = len(pubs)
    ok = {"kind": "Book", "date": "2024-02-03", "title": "Steppe Politics"}
    for change, status, words in [
            ({"date": "2024-13-01"}, 400, "'date'"),
            ({"date": "yesterday"}, 400, "'date'"),
            ({"kind": ""}, 400, "'kind'"),
            ({"kind": "x" * 101}, 400, "'kind'"),
            ({"title": None}, 400, "'title'"),
            ({"url": "ftp://example.org/x"}, 400, "'url'"),
            ({"cover": cover}, 400, "unknown field 'cover'"),
            ({"image": m["pdf"]}, 422, "not an image"),
            ({"image": "../../etc/passwd"}, 422, "no image")]:
        body = dict(ok, **change)
        r = ed(site, "POST", "/api/admin/publications", json=body)
        assert r.status_code == status, (change, r.text)
        assert words in err(r)["message"], (change, r.text)
    assert len(ed(site, "GET", "/api/admin/publications")
               .json()["publications"]) == n

    assert "Steppe Politics" not in cached(site, ARTICLE)
    r = ed(site, "POST", "/api/admin/publications",
           json=dict(ok, url="https://example.org/book", image=cover))
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["kind"], p["date"], p["title"], p["url"], p["image"]) == \
        ("Book", "2024-02-03", "Steppe Politics", "https://example.org/book",
         cover)
    # Newest first: the cover beside its entry, on every article.
    assert wait_for(lambda: "Steppe Politics" in
                    module(site.get(ARTICLE).text, "staff-publications"))
    pub = module(site.get(ARTICLE).text, "staff-publications")
    entry = re.search(r'<li class="has-cover">(.*?)</li>', pub, re.S).group(1)
    assert entry.startswith("<picture>") and "Steppe Politics" in entry
    assert f"/media/{cover}-400.webp 400w" in entry
    assert pub.index("Steppe Politics") < pub.index("Charles de Gaulle")

    url = f"/api/admin/publications/{p['id']}"
    r = ed(site, "PUT", url, json={"url": None, "image": None,
                                   "title": "Steppe Politics, 2nd ed."})
    assert r.status_code == 200, r.text
    assert r.json()["url"] is None and r.json()["image"] is None
    assert r.json()["kind"] == "Book" and r.json()["date"] == "2024-02-03"
    assert wait_for(lambda: "2nd ed." in site.get(ARTICLE).text)
    pub = module(site.get(ARTICLE).text, "staff-publications")
    assert 'class="has-cover"' not in pub
    r = ed(site, "PUT", url, json={"date": "2024-02-30"})
    assert r.status_code == 400
    assert ed(site, "GET", url).json()["date"] == "2024-02-03"
    assert ed(site, "PUT", "/api/admin/publications/424242",
              json={"title": "x"}).status_code == 404
    assert ed(site, "DELETE", url).status_code == 204
    assert ed(site, "GET", url).status_code == 404
    assert wait_for(lambda: "2nd ed." not in site.get(ARTICLE).text)
    log = audit(site)
    for action in ("publication.create", "publication.update",
                   "publication.delete"):
        assert f"token:s-editor\t{action}\tpublication:{p['id']}" in log


def author_id(site, slug):
    r = ed(site, "GET", "/api/admin/authors")
    (a,) = [a for a in r.json()["authors"] if a["slug"] == slug]
    return a["id"]


def test_author_photo_api(site):
    m = site.m
    photo = m["photo"]["hash"]
    aid = author_id(site, "johan-engvall")
    url = f"/api/admin/authors/{aid}"
    assert ed(site, "GET", url).json()["photo"] is None
    r = api(site, "PUT", url, site.tokens["author"], json={"photo": photo})
    assert r.status_code == 403
    for body, status in [({"photo": m["pdf"]}, 422),
                         ({"photo": "feedfacefeedface"}, 422),
                         ({"photo": 7}, 400),
                         ({"photo": photo, "name": ""}, 400)]:
        r = ed(site, "PUT", url, json=body)
        assert r.status_code == status, (body, r.text)
    assert ed(site, "PUT", "/api/admin/authors/999999",
              json={"photo": photo}).status_code == 404
    assert ed(site, "GET", url).json()["photo"] is None
    # A refused photo changes nothing else either.
    r = ed(site, "PUT", url, json={"bio": "Changed?", "photo": "nope"})
    assert r.status_code == 422
    assert ed(site, "GET", url).json()["bio"] != "Changed?"

    assert "author-photo" not in cached(site, AUTHOR)
    assert "byline-photo" not in cached(site, ARTICLE)
    r = ed(site, "PUT", url, json={"photo": photo,
                                   "bio": "Writes on *Kyrgyzstan*."})
    assert r.status_code == 200, r.text
    assert r.json() == ed(site, "GET", url).json()
    assert r.json()["photo"] == photo
    assert wait_for(lambda: "author-photo" in site.get(AUTHOR).text)
    page = site.get(AUTHOR).text
    assert 'alt="Johan Engvall in 2020"' in page
    assert "<em>Kyrgyzstan</em>" in page
    assert wait_for(lambda: "byline-photo" in site.get(ARTICLE).text)
    # Absent keeps the photo; null takes it away.
    assert ed(site, "PUT", url, json={"name": "Johan Engvall"}).status_code \
        == 200
    assert ed(site, "GET", url).json()["photo"] == photo
    assert ed(site, "PUT", url, json={"photo": None}).status_code == 200
    assert wait_for(lambda: "author-photo" not in site.get(AUTHOR).text)
    assert "byline-photo" not in site.get(ARTICLE).text
    assert f"token:s-editor\tauthor.update\tauthor:{aid}" in audit(site)


def picker(html):
    """The picture picker's choices: {hash or "": checked}."""
    return {v: bool(c) for v, c in re.findall(
        r'<input type="radio" name="(?:image|photo)" value="([0-9a-f]*)"'
        r'( checked)?', html)}


def test_back_office_links_page(site):
    m = site.m
    logo = m["logo"]["hash"]
    s, _ = login(site, "ed@example.org")
    page = s.get(site.url + "/admin/links")
    assert page.status_code == 200
    assert '<a href="/admin/links"' in page.text  # in the menu
    assert '<a href="/admin/publications"' in page.text
    assert ">silkroad</a>" in page.text and ">AFPC</a>" in page.text
    # The picker offers the library's images, not its documents.
    choices = picker(page.text)
    assert choices == {"": True, logo: False, m["cover"]["hash"]: False,
                       m["photo"]["hash"]: False}
    assert 'alt=""' in page.text and "Partner logo" in page.text
    csrf = csrf_of(page.text)

    # Add with a logo.
    r = s.post(site.url + "/admin/links", allow_redirects=False,
               data={"csrf": csrf, "title": "turkeyanalyst",
                     "url": "https://www.turkeyanalyst.org", "image": logo})
    assert r.status_code == 303 and r.headers["Location"] == \
        "/admin/links?done=saved"
    assert titles(site)[-1] == "turkeyanalyst"
    (new,) = [x for x in ed(site, "GET", "/api/admin/links").json()["links"]
              if x["title"] == "turkeyanalyst"]
    assert new["image"] == logo
    # The list shows the logo beside its link.
    row = re.search(r"<tr>(?:(?!</tr>).)*turkeyanalyst(?:(?!</tr>).)*</tr>",
                    s.get(site.url + "/admin/links?done=saved").text, re.S)
    assert row and f'<img class="thumb" src="/media/{logo}.' in row.group(0)
    assert wait_for(lambda: "turkeyanalyst.org" in site.get(ARTICLE).text)
    side = module(site.get(ARTICLE).text, "visit-also")
    assert re.search(r'<a href="https://www.turkeyanalyst.org" '
                     r'rel="noopener"><picture>', side)
    # Bad input: 422, what was typed kept, nothing added.
    r = s.post(site.url + "/admin/links",
               data={"csrf": csrf, "title": "Typed title",
                     "url": "not a url", "image": ""})
    assert r.status_code == 422
    assert "Not saved: field 'url' must be an http(s) URL." in \
        html.unescape(r.text)
    assert 'value="Typed title"' in r.text
    r = s.post(site.url + "/admin/links",
               data={"csrf": csrf, "title": "T", "url": "https://t.example",
                     "image": "abcdef0123456789"})
    assert r.status_code == 422 and "no image" in r.text
    assert "T" not in titles(site)
    # Without the CSRF token: refused.
    r = s.post(site.url + "/admin/links",
               data={"title": "Evil", "url": "https://evil.example"})
    assert r.status_code == 403 and "Evil" not in titles(site)

    # Move it up: the list and the public module follow.
    r = s.post(site.url + f"/admin/links/{new['id']}/move",
               data={"csrf": csrf, "dir": "up"}, allow_redirects=False)
    assert r.status_code == 303
    assert titles(site)[-2:] == ["turkeyanalyst", "AFPC"]
    assert wait_for(lambda: (lambda t: t.index("turkeyanalyst.org") <
                             t.index("afpc.org"))(
        module(site.get(ARTICLE).text, "visit-also")))
    page = s.get(site.url + "/admin/links?done=moved").text
    assert "The link is moved." in page
    r = s.post(site.url + f"/admin/links/{new['id']}/move",
               data={"csrf": csrf, "dir": "sideways"})
    assert r.status_code == 422

    # Edit: the current logo is checked; take it away.
    edit = s.get(site.url + f"/admin/links/{new['id']}")
    assert edit.status_code == 200
    assert picker(edit.text)[logo] is True
    assert 'value="https://www.turkeyanalyst.org"' in edit.text
    r = s.post(site.url + f"/admin/links/{new['id']}", allow_redirects=False,
               data={"csrf": csrf, "title": "Turkey Analyst",
                     "url": "https://www.turkeyanalyst.org", "image": ""})
    assert r.status_code == 303, r.text
    got = ed(site, "GET", f"/api/admin/links/{new['id']}").json()
    assert got["title"] == "Turkey Analyst" and got["image"] is None
    assert wait_for(lambda: ">Turkey Analyst</a>" in
                    module(site.get(ARTICLE).text, "visit-also"))
    assert s.get(site.url + "/admin/links/424242").status_code == 404
    assert s.get(site.url + "/admin/links/x").status_code == 404

    r = s.post(site.url + f"/admin/links/{new['id']}/delete",
               data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303
    assert "Turkey Analyst" not in titles(site)
    assert s.post(site.url + f"/admin/links/{new['id']}/delete",
                  data={"csrf": csrf}).status_code == 404
    log = audit(site)
    for action in ("link.create", "link.order", "link.update",
                   "link.delete"):
        assert f"ed@example.org\t{action}\tlink:{new['id']}" in log, action

    # An author may not open these pages, nor sees them in the menu.
    a, _ = login(site, "au@example.org")
    home = a.get(site.url + "/admin/").text
    assert "/admin/links" not in home and "/admin/publications" not in home
    for path in ("/admin/links", f"/admin/links/{new['id']}",
                 "/admin/publications"):
        assert a.get(site.url + path).status_code == 403, path
    r = a.post(site.url + "/admin/links",
               data={"csrf": csrf_of(home), "title": "A",
                     "url": "https://a.example"})
    assert r.status_code == 403 and "A" not in titles(site)


def test_back_office_publications_and_author_photo(site):
    m = site.m
    cover, photo = m["cover"]["hash"], m["photo"]["hash"]
    s, _ = login(site, "ed@example.org")
    page = s.get(site.url + "/admin/publications")
    assert page.status_code == 200
    assert "Russia Needs Its Own Charles de Gaulle" in page.text
    # The kinds in use are offered while typing one.
    kinds = re.search(r'<datalist id="kinds">(.*?)</datalist>', page.text,
                      re.S).group(1)
    assert re.findall(r'<option value="([^"]+)">', kinds) == \
        ["Silk Road Paper", "Op-ed"]
    csrf = csrf_of(page.text)
    r = s.post(site.url + "/admin/publications",
               data={"csrf": csrf, "kind": "Analysis", "date": "31/12/2024",
                     "title": "Typed", "url": "", "image": cover})
    assert r.status_code == 422
    assert "Not saved: field 'date' must be a date YYYY-MM-DD." in \
        html.unescape(r.text)
    assert 'value="Typed"' in r.text
    r = s.post(site.url + "/admin/publications", allow_redirects=False,
               data={"csrf": csrf, "kind": "Analysis", "date": "2025-01-15",
                     "title": "Stronguniquecover", "url": "", "image": cover})
    assert r.status_code == 303, r.text
    pubs = ed(site, "GET", "/api/admin/publications").json()["publications"]
    new = pubs[0]
    assert (new["title"], new["url"], new["image"]) == \
        ("Stronguniquecover", None, cover)
    assert wait_for(lambda: "Stronguniquecover" in site.get(ARTICLE).text)
    pub = module(site.get(ARTICLE).text, "staff-publications")
    assert re.search(r'<li class="has-cover"><picture>.*?Stronguniquecover',
                     pub, re.S)
    edit = s.get(site.url + f"/admin/publications/{new['id']}")
    assert edit.status_code == 200 and picker(edit.text)[cover] is True
    r = s.post(site.url + f"/admin/publications/{new['id']}",
               allow_redirects=False,
               data={"csrf": csrf, "kind": "Analysis", "date": "2025-01-15",
                     "title": "Stronguniquecover", "url": "", "image": ""})
    assert r.status_code == 303
    assert wait_for(lambda: 'class="has-cover"' not in
                    module(site.get(ARTICLE).text, "staff-publications"))
    r = s.post(site.url + f"/admin/publications/{new['id']}/delete",
               data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303
    assert wait_for(lambda: "Stronguniquecover" not in
                    site.get(ARTICLE).text)
    log = audit(site)
    for action in ("publication.create", "publication.update",
                   "publication.delete"):
        assert f"ed@example.org\t{action}\tpublication:{new['id']}" in log

    # The author's page: choose a photo, see it on the public page.
    aid = author_id(site, "johan-engvall")
    edit = s.get(site.url + f"/admin/authors/{aid}")
    assert edit.status_code == 200 and picker(edit.text)[""] is True
    form = {"csrf": csrf, "name": "Johan Engvall", "slug": "johan-engvall",
            "bio": "Senior fellow."}
    r = s.post(site.url + f"/admin/authors/{aid}",
               data=dict(form, photo=m["pdf"]))
    assert r.status_code == 422 and "not an image" in r.text
    r = s.post(site.url + f"/admin/authors/{aid}", allow_redirects=False,
               data=dict(form, photo=photo))
    assert r.status_code == 303, r.text
    assert wait_for(lambda: "author-photo" in site.get(AUTHOR).text)
    assert "Senior fellow." in site.get(AUTHOR).text
    row = re.search(r"<tr>(?:(?!</tr>).)*>Johan Engvall</a>(?:(?!</tr>).)*</tr>",
                    s.get(site.url + "/admin/authors").text, re.S).group(0)
    assert row.endswith("<td>yes</td><td>yes</td></tr>"), row
    assert picker(s.get(site.url + f"/admin/authors/{aid}").text)[photo]
    r = s.post(site.url + f"/admin/authors/{aid}", allow_redirects=False,
               data=dict(form, photo=""))
    assert r.status_code == 303
    assert wait_for(lambda: "author-photo" not in site.get(AUTHOR).text)


def test_cli_writes_are_audited_too(site):
    """`quire link`, `quire publication` and `quire author photo` are
    written to the audit log as the back office's writes are."""
    db, m = site.db, site.m
    lid = quire(db, "link", "add", "cli link", "https://cli.example",
                "--image", m["logo"]["id"]).stdout.strip()
    quire(db, "link", "image", lid, "--none")
    quire(db, "link", "remove", lid)
    pid = quire(db, "publication", "add", "--kind", "Book", "--date",
                "2020-02-02", "A CLI Book").stdout.strip()
    quire(db, "publication", "cover", pid, m["cover"]["id"])
    quire(db, "publication", "remove", pid)
    quire(db, "author", "photo", "johan-engvall", "--none")
    aid = author_id(site, "johan-engvall")
    log = audit(site)
    for action, obj in [("link.create", f"link:{lid}"),
                        ("link.update", f"link:{lid}"),
                        ("link.delete", f"link:{lid}"),
                        ("publication.create", f"publication:{pid}"),
                        ("publication.update", f"publication:{pid}"),
                        ("publication.delete", f"publication:{pid}"),
                        ("author.update", f"author:{aid}")]:
        assert re.search(rf"\tcli:[^\t]+\t{re.escape(action)}\t{obj}\n",
                         log), (action, log)
    # A refused write is not recorded.
    p = quire(db, "link", "remove", "999999", check=False)
    assert p.returncode == 1
    assert "link:999999" not in audit(site)
