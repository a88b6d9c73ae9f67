"""Pictures outside articles (issue 14): a logo for each "Visit also"
link, a cover for each "Staff Publications" entry, a photo on an author's
page and beside their name in a byline. Real images made with the vips
command line, set through the CLI; what a reader's browser gets is
checked (<picture>, srcset, width/height, alt, lazy), bad references are
refused without a change, clearing removes the picture, a change made
while the server runs shows on the next request (the page cache drops
the pages), and the static export carries the files."""
import re
import subprocess
import time

import pytest

from conftest import QUIRE, REPO, Server, make_journal, quire

MEDIA = re.compile(r"^media (\d+): image \S+ (\d+)x(\d+), /media/(\w+)\.",
                   re.M)
ARTICLE = "/articles/two-authors"   # by Johan Engvall and Svante E. Cornell
AUTHOR = "/authors/johan-engvall"


def vips(*args):
    subprocess.run(["vips", *map(str, args)], check=True, capture_output=True)


def wait_for(cond, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def pictures(page, css):
    """The <picture> elements whose <img> has class css."""
    return [p for p in re.findall(r"<picture>.*?</picture>", page, re.S)
            if f'class="{css}"' in p]


def img(pic):
    return re.search(r"<img [^>]*>", pic).group(0)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("side-pictures")
    db = make_journal(tmp)
    vips("black", tmp / "black.v", 600, 240, "--bands", 3)
    vips("linear", tmp / "black.v", tmp / "logo.png", 1, 90, "--uchar")
    vips("black", tmp / "cover.v", 400, 560, "--bands", 3)
    vips("linear", tmp / "cover.v", tmp / "cover.jpg", 1, 160, "--uchar")
    vips("black", tmp / "photo.v", 640, 640, "--bands", 3)
    vips("linear", tmp / "photo.v", tmp / "photo.webp", 1, 200, "--uchar")
    (tmp / "paper.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>"
        b"\n%%EOF\n")
    m = {}
    for name, extra in [("logo.png", ["--alt", "Silk Road Studies logo"]),
                        ("cover.jpg", []),
                        ("photo.webp", ["--alt", "Johan Engvall in 2020"])]:
        out = quire(db, "media", "add", str(tmp / name), *extra).stdout
        g = MEDIA.search(out)
        assert g, out
        m[name] = {"id": g.group(1), "w": g.group(2), "h": g.group(3),
                   "hash": g.group(4)}
    out = quire(db, "media", "add", str(tmp / "paper.pdf")).stdout
    m["pdf"] = re.search(r"^media (\d+): document", out, re.M).group(1)
    return {"db": db, "tmp": tmp, "m": m}


def links(db):
    return quire(db, "link", "list").stdout


def pubs(db):
    return quire(db, "publication", "list").stdout


def test_bad_references_are_refused_and_change_nothing(site):
    db, m = site["db"], site["m"]
    before = (links(db), pubs(db))
    cases = [
        (["link", "image", "1", "deadbeefdeadbeef"], "no file 'deadbeefdead"),
        (["link", "image", "1", m["pdf"]], "is a document"),
        (["link", "image", "1", "../../etc/passwd"], "no file"),
        (["link", "image", "99", m["logo.png"]["id"]], "no link with id 99"),
        (["link", "add", "New", "https://new.example", "--image", "77"],
         "no file '77'"),
        (["link", "add", "New", "https://new.example", "--image"],
         "--image needs"),
        (["publication", "add", "--kind", "Book", "--date", "2020-01-01",
          "A Book", "--cover", m["pdf"]], "is a document"),
        (["publication", "cover", "1", "nope"], "no file 'nope'"),
        (["author", "photo", "johan-engvall", m["pdf"]], "is a document"),
        (["author", "photo", "no-such-author", m["photo.webp"]["id"]],
         "no author with slug 'no-such-author'"),
        (["author", "photo", "johan-engvall"], "usage: quire author photo"),
    ]
    for args, why in cases:
        p = quire(db, *args, check=False)
        assert p.returncode == 1, args
        assert why in p.stderr, (args, p.stderr)
    assert (links(db), pubs(db)) == before
    assert quire(db, "author", "--help").returncode == 0


def test_logo_cover_and_photos_on_the_pages(site):
    db, m, tmp = site["db"], site["m"], site["tmp"]
    logo, cover, photo = m["logo.png"], m["cover.jpg"], m["photo.webp"]
    # By id, by the file name `media list` shows, by hash.
    quire(db, "link", "image", "1", logo["id"])
    quire(db, "publication", "cover", "2", f"/media/{cover['hash']}.jpg")
    quire(db, "author", "photo", "johan-engvall", photo["hash"])
    assert links(db).splitlines()[0].endswith("\t" + logo["hash"])
    assert pubs(db).splitlines()[1].endswith("\t" + cover["hash"])

    srv = Server(db, tmp)
    try:
        page = srv.get(ARTICLE).text
        author = srv.get(AUTHOR).text
    finally:
        assert srv.stop() == 0, srv.output()

    # The logo stands in for the link's title, with the library's alt.
    side = page[page.index('class="module visit-also"'):]
    side = side[:side.index("</section>")]
    (pic,) = pictures(side, "logo")
    assert re.search(r'<a href="https://silkroadstudies.org" rel="noopener">'
                     r"<picture>", side)
    tag = img(pic)
    assert 'alt="Silk Road Studies logo"' in tag
    assert f'width="{logo["w"]}" height="{logo["h"]}"' in tag
    assert 'loading="lazy"' in tag and 'decoding="async"' in tag
    assert f"/media/{logo['hash']}-480.webp 480w" in pic
    assert f'srcset="/media/{logo["hash"]}-480.jpg 480w' in tag
    assert ">AFPC</a>" in side          # a link without a logo keeps its words
    assert ">silkroad</a>" not in side

    # The cover beside its entry: decorative (the title follows).
    pub = page[page.index('class="module staff-publications"'):]
    pub = pub[:pub.index("</section>")]
    (pic,) = pictures(pub, "cover")
    tag = img(pic)
    assert 'alt=""' in tag and 'loading="lazy"' in tag
    assert f'width="{cover["w"]}" height="{cover["h"]}"' in tag
    assert f"/media/{cover['hash']}-400.webp 400w" in pic
    entry = re.search(r'<li class="has-cover">(.*?)</li>', pub, re.S).group(1)
    assert "Charles de Gaulle" in entry and entry.startswith("<picture>")

    # The byline: a small photo inside the author's link, decorative
    # (the name is in the same link), eager (the article's header).
    byline = re.search(r'<p class="byline">.*?</p>', page, re.S).group(0)
    (pic,) = pictures(byline, "byline-photo")
    assert re.search(r'<a href="/authors/johan-engvall" rel="author">'
                     r"<picture>.*?</picture>Johan Engvall</a>", byline, re.S)
    tag = img(pic)
    assert 'alt=""' in tag and 'loading="lazy"' not in tag
    assert f'width="{photo["w"]}" height="{photo["h"]}"' in tag
    assert f"/media/{photo['hash']}-480.jpg 480w" in tag
    assert "Svante E. Cornell</a>" in byline and byline.count("<picture>") == 1

    # The author's page: a larger photo beside the name, the library's alt.
    (pic,) = pictures(author, "author-photo")
    tag = img(pic)
    assert 'alt="Johan Engvall in 2020"' in tag
    assert 'loading="lazy"' not in tag
    assert f'width="{photo["w"]}"' in tag
    assert re.search(r'<header class="author-head"><picture>.*?</picture>'
                     r"<h1>Johan Engvall</h1>", author, re.S)
    # Strict CSP: nothing inline came with the pictures.
    for html in (page, author):
        assert " style=" not in html and "<style" not in html

    # A picture shown is a file served.
    srv = Server(db, tmp)
    try:
        for h in (logo["hash"], cover["hash"], photo["hash"]):
            r = srv.get(f"/media/{h}-480.jpg" if h != cover["hash"]
                        else f"/media/{h}-400.jpg")
            assert r.status_code == 200 and r.headers["Content-Type"] == \
                "image/jpeg", h
    finally:
        assert srv.stop() == 0


def test_changes_show_on_the_next_request_and_clearing_removes(site):
    db, m, tmp = site["db"], site["m"], site["tmp"]
    quire(db, "link", "image", "1", m["logo.png"]["id"])
    quire(db, "author", "photo", "johan-engvall", m["photo.webp"]["id"])
    srv = Server(db, tmp)
    try:
        srv.get(ARTICLE)
        srv.get(AUTHOR)
        r = srv.get(ARTICLE)
        assert r.headers["X-Cache"] == "hit"
        assert len(pictures(r.text, "logo")) == 1

        # Another process gives AFPC a logo (no library alt: its title).
        quire(db, "link", "image", "2", m["cover.jpg"]["id"])
        assert wait_for(lambda: len(pictures(srv.get(ARTICLE).text,
                                             "logo")) == 2)
        afpc = [p for p in pictures(srv.get(ARTICLE).text, "logo")
                if m["cover.jpg"]["hash"] in p]
        assert len(afpc) == 1 and 'alt="AFPC"' in img(afpc[0])

        # Clearing: the words come back, the pictures go.
        quire(db, "link", "image", "1", "--none")
        quire(db, "link", "image", "2", "--none")
        quire(db, "publication", "cover", "2", "--none")
        quire(db, "author", "photo", "johan-engvall", "--none")
        assert wait_for(lambda: "<picture>" not in srv.get(ARTICLE).text)
        page = srv.get(ARTICLE).text
        assert ">silkroad</a>" in page and ">AFPC</a>" in page
        assert 'class="has-' not in page
        assert wait_for(lambda: "author-photo" not in srv.get(AUTHOR).text)
    finally:
        assert srv.stop() == 0, srv.output()
    assert "\t" + m["logo.png"]["hash"] not in links(db)


def test_static_export_carries_the_pictures(site, tmp_path):
    """Every file a <picture> names (src and each srcset width, in every
    format) is in the export, byte for byte what the server has."""
    db, m = site["db"], site["m"]
    quire(db, "link", "image", "1", m["logo.png"]["id"])
    quire(db, "author", "photo", "johan-engvall", m["photo.webp"]["id"])
    ini = tmp_path / "export.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    out = tmp_path / "www"
    p = subprocess.run(
        [QUIRE, "--db", str(db), "--config", str(ini), "export", "static",
         str(out), "--base-url", "https://static.example/j"],
        capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "0 broken links" in p.stderr, p.stderr
    page = (out / "articles" / "two-authors" / "index.html").read_text()
    assert len(pictures(page, "logo")) == 1
    assert len(pictures(page, "byline-photo")) == 1
    urls = set()
    for pic in re.findall(r"<picture>.*?</picture>", page, re.S):
        urls.update(re.findall(r'src="([^"]+)"', pic))
        for srcset in re.findall(r'srcset="([^"]+)"', pic):
            urls.update(c.split()[0] for c in srcset.split(","))
    media = db.parent / "media"
    for h in (m["logo.png"]["hash"], m["photo.webp"]["hash"]):
        for ext in ("jpg", "webp"):
            assert any(u.startswith(f"/j/media/{h}-") and u.endswith(ext)
                       for u in urls), (h, ext)
    for u in urls:
        assert u.startswith("/j/media/"), u
        name = u[len("/j/media/"):]
        assert (out / "media" / name).read_bytes() == \
            (media / name).read_bytes(), name


def test_feature_images_are_cards_in_lists(site, tmp_path):
    """An article's feature image is a thumbnail in every list that shows
    it; changing it (another process, while the server runs) shows on the
    section, author and tag pages at their next request."""
    db, m, tmp = site["db"], site["m"], site["tmp"]
    src = tmp_path / "a"
    src.mkdir()
    art = src / "carded.md"

    def write(feature, alt):
        art.write_text(
            "---\ntitle: A Pictured Piece\ndate: 2030-01-02\n"
            "authors: [Johan Engvall]\nsection: Analytical Articles\n"
            f"tags: [Pipelines]\nfeature_image: {feature}\n"
            f"feature_image_alt: {alt}\n---\n\nText.\n")
        quire(db, "import", "markdown", str(src))

    write(m["cover.jpg"]["hash"], "A pipeline at dawn")
    # (On the home page the newest article is the lead: test_home_lead.)
    lists = ["/sections/analytical-articles", AUTHOR, "/tags/pipelines"]

    def card(page):
        item = re.search(r'<article class="item has-card">.*?</article>',
                         page, re.S)
        return item.group(0) if item else None

    srv = Server(db, tmp)
    try:
        for path in lists:
            item = card(srv.get(path).text)
            assert item and "A Pictured Piece" in item, path
            (pic,) = pictures(item, "card-image")
            tag = img(pic)
            assert 'alt="A pipeline at dawn"' in tag, path
            assert f'width="{m["cover.jpg"]["w"]}"' in tag
            assert f"/media/{m['cover.jpg']['hash']}-400.webp 400w" in pic
            assert 'sizes="(min-width: 40rem) 10rem, 7rem"' in tag
            assert 'loading="lazy"' not in tag   # first item: on screen
            assert srv.get(path).headers["X-Cache"] == "hit", path
        # Articles without one stay plain items.
        page = srv.get("/sections/analytical-articles").text
        assert page.count('class="item has-card"') == 1
        assert '<article class="item">' in page

        write(m["logo.png"]["hash"], "A new picture")
        for path in lists:
            assert wait_for(lambda: "A new picture" in (
                card(srv.get(path).text) or "")), path
    finally:
        assert srv.stop() == 0, srv.output()


def test_home_lead(site, tmp_path):
    """The home page's lead: the newest article with its feature image
    across the column (srcset, sizes, width/height, eager, the article's
    alt text), not listed again below; a newest article without a picture
    is no lead and no empty element, just the first of the list."""
    db, m, tmp = site["db"], site["m"], site["tmp"]
    src = tmp_path / "lead"
    src.mkdir()
    art = src / "lead.md"
    photo = m["photo.webp"]

    def write(feature, alt):
        art.write_text(
            "---\ntitle: The Steppe at Dawn\ndate: 2031-01-02\n"
            "authors: [Johan Engvall]\nsection: Analytical Articles\n"
            "summary: Herders move before the frost.\n"
            + (f"feature_image: {feature}\nfeature_image_alt: {alt}\n"
               if feature else "") + "---\n\nText.\n")
        quire(db, "import", "markdown", str(src))

    write(photo["hash"], "Yurts on the plain at sunrise")
    srv = Server(db, tmp)
    try:
        page = srv.get("/").text
        lead = re.search(r'<article class="lead">.*?</article>', page, re.S)
        assert lead, page
        lead = lead.group(0)
        (pic,) = pictures(lead, "lead-image")
        tag = img(pic)
        assert 'alt="Yurts on the plain at sunrise"' in tag
        assert f'width="{photo["w"]}" height="{photo["h"]}"' in tag
        assert f"/media/{photo['hash']}-480.webp 480w" in pic
        assert f"/media/{photo['hash']}-480.jpg 480w" in tag
        assert 'sizes="(min-width: 48rem) 40rem, 100vw"' in tag
        assert 'loading="lazy"' not in tag      # the first thing on screen
        assert '<h2><a href="/articles/the-steppe-at-dawn">The Steppe at ' \
            'Dawn</a></h2>' in lead
        assert "Herders move before the frost." in lead
        assert "By Johan Engvall" in lead
        # First on the page, and not listed again.
        assert page.index('class="lead"') < page.index("Latest issue")
        assert page.count("The Steppe at Dawn</a>") == 1
        latest = page[page.index('class="latest"'):]
        assert "A Pictured Piece" in latest      # the next newest follows
        # The second page lists as before: the lead is page 1's only.
        assert 'class="lead"' not in srv.get("/?page=2").text

        # No picture: no lead, no empty element; the article heads the list.
        write(None, None)
        assert wait_for(lambda: 'class="lead' not in srv.get("/").text)
        page = srv.get("/").text
        assert "lead-image" not in page and "<picture></picture>" not in page
        latest = page[page.index('class="latest"'):]
        assert latest.index("The Steppe at Dawn") < \
            latest.index("A Pictured Piece")
        # An image without alt text (the library's neither): no lead.
        write(m["cover.jpg"]["hash"], "")
        time.sleep(1.2)
        assert 'class="lead"' not in srv.get("/").text
    finally:
        assert srv.stop() == 0, srv.output()


def test_home_lead_of_a_journal_of_one_article(tmp_path):
    """A journal's only article, with a picture, is the lead: no empty
    "Latest articles" below it and no "Nothing has been published"."""
    db = tmp_path / "one.db"
    quire(db, "init")
    vips("black", tmp_path / "b.v", 800, 450, "--bands", 3)
    vips("linear", tmp_path / "b.v", tmp_path / "f.jpg", 1, 70, "--uchar")
    h = MEDIA.search(quire(db, "media", "add", str(tmp_path / "f.jpg"),
                           "--alt", "A quiet harbour").stdout).group(4)
    src = tmp_path / "md"
    src.mkdir()
    (src / "only.md").write_text(
        "---\ntitle: The Only Piece\ndate: 2024-05-06\n"
        f"feature_image: {h}\n---\n\nText.\n")
    quire(db, "import", "markdown", str(src))
    srv = Server(db, tmp_path)
    try:
        page = srv.get("/").text
        assert 'alt="A quiet harbour"' in page and 'class="lead"' in page
        assert "Latest articles" not in page
        assert "Nothing has been published" not in page
        assert page.count("The Only Piece</a>") == 1
    finally:
        assert srv.stop() == 0, srv.output()
