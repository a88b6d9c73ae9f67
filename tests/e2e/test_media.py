"""The media library: uploads of every accepted type, made here with the
vips command line, the refusals (bomb, truncated, polyglot, SVG, wrong
type, too big), metadata stripping read back with exiftool, derivative
sizes and formats, serving under /media/ as immutable, `quire media check`
and backup/restore of the media folder."""
import json
import pathlib
import re
import struct
import subprocess
import zlib

import pytest

from conftest import Server, quire

MEDIA_ID = re.compile(r"^media (\d+): (\w+) (\S+) (\d+)x(\d+), /media/(\S+), "
                      r"(\d+) variants$", re.M)


def vips(*args):
    subprocess.run(["vips", *map(str, args)], check=True, capture_output=True)


def exif(path, *tags):
    out = subprocess.run(["exiftool", "-j", "-n", *tags, str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("media-src")
    # A 1800x1200 photo-like image (noise, so sizes are realistic).
    vips("gaussnoise", d / "noise.v", 1800, 1200)
    vips("bandjoin", f"{d / 'noise.v'} {d / 'noise.v'} {d / 'noise.v'}",
         d / "rgb.v")
    vips("cast", d / "rgb.v", d / "photo.jpg", "uchar")
    # GPS, camera and a rotation the re-encoding must apply and drop.
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-n",
                    "-GPSLatitude=41.7151", "-GPSLatitudeRef=N",
                    "-GPSLongitude=44.8271", "-GPSLongitudeRef=E",
                    "-Make=TestCam", "-Artist=Someone", "-Orientation=6",
                    str(d / "photo.jpg")], check=True)
    vips("black", d / "small.png", 300, 200, "--bands", 4)
    for ext in ("webp", "avif", "gif"):
        vips("copy", d / "rgb.v", d / f"wide.{ext}")
    (d / "doc.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>"
        b"\n%%EOF\n")
    # A PNG that claims 50,000 x 50,000 pixels in a few dozen bytes.
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    (d / "bomb.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" +
        chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0)) +
        chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    whole = (d / "photo.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(whole[:len(whole) // 2])
    (d / "polyglot.jpg").write_bytes(whole + b"<script>alert(1)</script>")
    # A page hidden in a JPEG comment segment (FF FE), and one between two
    # ends of image (the last FF D9 is the file's end).
    com = b"<html><body>hello</body></html>"
    (d / "comment.jpg").write_bytes(
        whole[:2] + b"\xff\xfe" + struct.pack(">H", len(com) + 2) + com +
        whole[2:])
    (d / "two-ends.jpg").write_bytes(whole + b"<script>x</script>\xff\xd9")
    # Compressed image data is random bytes, where "<svg" and the like turn
    # up by chance (about one 5 MB photo in a hundred): pixels stored
    # verbatim (zlib level 0) spelling "<svg" and "<html" are an image.
    rows = b"".join(b"\0" + (b"<svg <html " * 10)[:64] for _ in range(64))
    (d / "letters.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" +
        chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0)) +
        chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b""))
    (d / "evil.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg">'
                                '<script>alert(1)</script></svg>')
    (d / "picture.png").write_text("just text, named like an image\n")
    return d


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    db = tmp_path_factory.mktemp("media-db") / "journal.db"
    quire(db, "init")
    return db


def add(db, path, *extra, check=True):
    return quire(db, "media", "add", str(path), *extra, check=check)


def test_jpeg_is_reencoded_upright_without_metadata(lib, files):
    p = add(lib, files / "photo.jpg", "--alt", "Tbilisi at dusk")
    m = MEDIA_ID.search(p.stdout)
    assert m, p.stdout
    kind, mime, w, h, name, nvar = m.group(2, 3, 4, 5, 6, 7)
    # Orientation 6 applied: the 1800x1200 original stands upright.
    assert (kind, mime, int(w), int(h)) == ("image", "image/jpeg", 1200, 1800)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", name)
    media = lib.parent / "media"
    stem = name[:-4]
    for width in (480, 960, 1200):   # 1600 would upscale: the own width
        for ext in ("webp", "jpg", "avif"):
            f = media / f"{stem}-{width}.{ext}"
            assert f.exists(), sorted(x.name for x in media.iterdir())
            info = exif(f, "-ImageWidth", "-ImageHeight")
            assert info["ImageWidth"] == width, (f, info)
    assert not list(media.glob(f"{stem}-1600.*"))
    assert int(nvar) == 9
    for f in media.glob(f"{stem}*"):
        tags = exif(f)
        # Orientation 1 ("upright", what the pixels now are) may stay.
        leaked = [k for k in tags if k.startswith("GPS") or k in
                  ("Make", "Artist") or
                  (k == "Orientation" and tags[k] != 1)]
        assert not leaked, (f.name, {k: tags[k] for k in leaked})


def test_every_type_accepted_by_content(lib, files):
    for name, kind, mime in [("small.png", "image", "image/png"),
                             ("wide.webp", "image", "image/jpeg"),
                             ("wide.avif", "image", "image/jpeg"),
                             ("wide.gif", "image", None),
                             ("doc.pdf", "document", "application/pdf")]:
        p = add(lib, files / name, "--decorative")
        m = MEDIA_ID.search(p.stdout)
        assert m, (name, p.stdout, p.stderr)
        assert m.group(2) == kind, (name, p.stdout)
        if mime:
            assert m.group(3) == mime, (name, p.stdout)
    # The same bytes again are the same entry, not a copy.
    p = add(lib, files / "small.png", "--decorative")
    assert "already in the library" in p.stdout


@pytest.mark.parametrize("name,why", [
    ("bomb.png", "claims 50000 x 50000 pixels"),
    ("truncated.jpg", "damaged or truncated"),
    ("polyglot.jpg", "polyglot"),
    ("comment.jpg", "holds <html (a polyglot)"),
    ("two-ends.jpg", "holds <script (a polyglot)"),
    ("evil.svg", "SVG images are refused"),
    ("picture.png", "text/plain are not accepted"),
])
def test_refusals_say_why(lib, files, name, why):
    p = add(lib, files / name, "--alt", "x", check=False)
    assert p.returncode == 1
    assert why in p.stderr, p.stderr
    assert "refused" in p.stderr


def test_markers_in_pixel_data_are_not_a_polyglot(lib, files):
    assert b"<svg" in (files / "letters.png").read_bytes()
    p = add(lib, files / "letters.png", "--alt", "letters")
    assert p.returncode == 0, p.stderr


def test_upload_limit(tmp_path, files):
    db = tmp_path / "j.db"
    quire(db, "init")
    ini = tmp_path / "q.ini"
    ini.write_text("[limits]\nupload_max = 4096\n")
    p = quire(db, "--config", str(ini), "media", "add",
              str(files / "photo.jpg"), check=False)
    assert p.returncode == 1
    assert "limits.upload_max" in p.stderr


def test_served_immutable_and_checked(lib, files, tmp_path):
    listing = quire(lib, "media", "list").stdout
    name = re.search(r"/media/([0-9a-f]{32}\.jpg)\tTbilisi", listing).group(1)
    srv = Server(lib, tmp_path)
    try:
        r = srv.get("/media/" + name.replace(".jpg", "-480.webp"))
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("image/webp")
        assert "immutable" in r.headers["Cache-Control"]
        assert srv.get("/media/../journal.db").status_code == 404
        assert srv.get("/media/nothing.jpg").status_code == 404
    finally:
        assert srv.stop() == 0
    assert quire(lib, "media", "check").returncode == 0
    media = lib.parent / "media"
    (media / name).rename(tmp_path / "moved")
    (media / "stray.jpg").write_bytes(b"x")
    p = quire(lib, "media", "check", check=False)
    assert p.returncode == 1
    assert f"missing: {media / name}" in p.stdout
    assert f"orphaned: {media / 'stray.jpg'}" in p.stdout
    (tmp_path / "moved").rename(media / name)
    (media / "stray.jpg").unlink()


def test_backup_and_restore_carry_media(lib, tmp_path):
    bk = tmp_path / "b.db"
    p = quire(lib, "backup", str(bk))
    assert "media:" in p.stdout
    have = sorted(f.name for f in (lib.parent / "media").iterdir())
    assert sorted(f.name for f in (tmp_path / "b.db.media").iterdir()) == have
    other = tmp_path / "restored" / "journal.db"
    quire(other, "restore", str(bk))
    assert sorted(f.name for f in (other.parent / "media").iterdir()) == have
    assert quire(other, "media", "check").returncode == 0


# --- over HTTP: POST /api/admin/media and the back office's page --------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from test_accounts import add_user
    tmp = tmp_path_factory.mktemp("media-site")
    db = tmp / "journal.db"
    quire(db, "init")
    add_user(db, "ed@example.org", "editor")
    token = quire(db, "token", "add", "--name", "up", "--role",
                  "author").stdout.strip()
    srv = Server(db, tmp, extra_ini="upload_max = 2000000\n")
    srv.token = token
    yield srv
    assert srv.stop() == 0, srv.output()


def post_media(site, files, data=None, token=True):
    import requests
    h = {"Authorization": "Bearer " + site.token} if token else {}
    return requests.post(site.url + "/api/admin/media", headers=h,
                         files=files, data=data or {}, timeout=120)


def test_api_upload_answers_201_with_variants(site, files):
    with open(files / "photo.jpg", "rb") as f:
        r = post_media(site, {"file": ("x.gif", f, "image/gif")},
                       {"alt": "Tbilisi at dusk"})
    assert r.status_code == 201, r.text
    j = r.json()
    assert set(j) >= {"id", "url", "type", "width", "height", "variants"}
    # The name and the declared type were ignored: the content decides.
    assert j["type"] == "image/jpeg"
    assert (j["width"], j["height"]) == (1200, 1800)
    assert re.fullmatch(r"/media/[0-9a-f]{32}\.jpg", j["url"])
    got = {(v["type"], v["width"]) for v in j["variants"]}
    for t in ("image/webp", "image/jpeg", "image/avif"):
        assert {(t, 480), (t, 960), (t, 1200)} <= got, got
    v = next(v for v in j["variants"]
             if v["type"] == "image/webp" and v["width"] == 480)
    img = site.get(v["url"])
    assert img.status_code == 200 and img.content[:4] == b"RIFF"
    assert "immutable" in img.headers["Cache-Control"]


def test_api_refusals(site, files):
    r = post_media(site, {"file": ("a.png", b"x")}, token=False)
    assert r.status_code == 401
    for name, status, word in [("bomb.png", 422, "decompression bomb"),
                               ("evil.svg", 422, "SVG"),
                               ("polyglot.jpg", 422, "polyglot")]:
        r = post_media(site, {"file": (name, (files / name).read_bytes())})
        assert r.status_code == status, (name, r.text)
        assert word in r.json()["error"]["message"], r.text
    # Over upload_max: answered 413 from the headers, before the body (a
    # client still sending would see the connection close instead).
    import socket
    with socket.create_connection(("127.0.0.1", site.port), 10) as c:
        c.sendall(("POST /api/admin/media HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer " + site.token + "\r\n"
                   "Content-Type: multipart/form-data; boundary=zz\r\n"
                   "Content-Length: 2100000\r\n\r\n").encode())
        assert c.recv(64).startswith(b"HTTP/1.1 413")
    r = post_media(site, {"other": ("a.png", b"x")})
    assert r.status_code == 422
    import requests
    r = requests.post(site.url + "/api/admin/media", timeout=10,
                      headers={"Authorization": "Bearer " + site.token,
                               "Content-Type": "application/json"},
                      data="{}")
    assert r.status_code == 415
    r = requests.post(site.url + "/api/admin/media", timeout=10,
                      headers={"Authorization": "Bearer " + site.token,
                               "Content-Type":
                               "multipart/form-data; boundary=zz"},
                      data=b"--zz\r\nno headers\r\n")
    assert r.status_code == 400
    # A public route still keeps its small body limit for multipart.
    r = requests.post(site.url + "/newsletter", timeout=10,
                      files={"file": ("a", b"x" * 200_000)})
    assert r.status_code == 413


def test_back_office_upload_page(site, files):
    from test_accounts import login, csrf_of
    s, _ = login(site, "ed@example.org")
    page = s.get(site.url + "/admin/media")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    tok = csrf_of(page.text)
    with open(files / "small.png", "rb") as f:
        r = s.post(site.url + "/admin/media", files={"file": f},
                   data={"csrf": tok, "decorative": "1"},
                   headers={"Origin": site.url})
    assert r.status_code == 200, r.text
    assert "Added as media" in r.text and "300 × 200" in r.text
    with open(files / "small.png", "rb") as f:
        r = s.post(site.url + "/admin/media", files={"file": f},
                   data={"csrf": "A" * 43}, headers={"Origin": site.url})
    assert r.status_code == 403
    r = s.post(site.url + "/admin/media",
               files={"file": ("t.jpg", (files / "truncated.jpg")
                               .read_bytes())},
               data={"csrf": tok}, headers={"Origin": site.url})
    assert r.status_code == 422
    assert "truncated" in r.text


# --- in articles: the feature image and body images ---------------------

def test_article_feature_and_body_images(tmp_path, files):
    import html as h
    db = tmp_path / "journal.db"
    quire(db, "init")
    quire(db, "config", "set", "base_url", "https://journal.example")
    out = add(db, files / "photo.jpg", "--alt", "Tbilisi at dusk").stdout
    photo = MEDIA_ID.search(out).group(6)[:32]
    out = add(db, files / "small.png", "--decorative").stdout
    deco = MEDIA_ID.search(out).group(6)[:32]
    src = tmp_path / "a"
    src.mkdir()
    (src / "pic.md").write_text(
        "---\ntitle: Pictures of Georgia\ndate: 2024-05-01\n"
        f"feature_image: {photo}\n---\n\n"
        f"First paragraph.\n\n![The old town](media:{photo})\n\n"
        f"Between.\n\n![](media:{deco})\n\n![](media:{'0' * 32})\n")
    (src / "bad.md").write_text(
        "---\ntitle: A URL without alt\nfeature_image: https://x.example/a.jpg"
        "\n---\n\nText.\n")
    p = quire(db, "import", "markdown", str(src), check=False)
    assert "must say what it shows" in p.stderr, p.stderr
    srv = Server(db, tmp_path)
    try:
        page = srv.get("/articles/pictures-of-georgia").text
    finally:
        assert srv.stop() == 0
    pics = re.findall(r"<picture>.*?</picture>", page, re.S)
    assert len(pics) == 3, pics         # the feature + two in the body
    feat, first, second = pics
    assert 'class="feature-image"' in feat and 'loading="lazy"' not in feat
    assert f'srcset="/media/{photo}-480.avif 480w, /media/{photo}-960.avif ' \
           f'960w, /media/{photo}-1200.avif 1200w"' in first
    assert '<source type="image/webp"' in first
    assert 'sizes="(min-width: 48rem) 44rem, 100vw"' in first
    assert 'width="1200" height="1800"' in first
    assert 'alt="The old town"' in first and 'decoding="async"' in first
    assert 'loading="lazy"' not in first and 'loading="lazy"' in second
    assert 'alt=""' in second and 'width="300" height="200"' in second
    assert "media:" not in page     # the unknown hash is left out
    og = f"https://journal.example/media/{photo}-1200.jpg"
    assert f'<meta property="og:image" content="{og}">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta property="og:image:alt" content="Tbilisi at dusk">' in page
    ld = json.loads(h.unescape(re.search(
        r'<script type="application/ld\+json">(.*?)</script>', page).group(1)))
    assert ld["image"] == {"@type": "ImageObject", "url": og,
                           "width": 1200, "height": 1800}
