"""Compression: cached pages in gzip and brotli per Accept-Encoding, each
with its own ETag and 304, and small bodies sent as they are. The variants
are made in the background once a client asks for them: until then the page
goes out as it is (with Vary)."""
import gzip
import http.client
import re
import time
import urllib.parse

import brotli

from conftest import SEED_SLUG, Server, make_journal

BOT = "Googlebot/2.1"
READER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


def fetch(srv, path, accept=None, method="GET", inm=None, ua=None):
    u = urllib.parse.urlsplit(srv.url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    h = {}
    if accept is not None:
        h["Accept-Encoding"] = accept
    if inm:
        h["If-None-Match"] = inm
    if ua:
        h["User-Agent"] = ua
    c.request(method, path, headers=h)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r, body


def until_compressed(srv, path, ua=None):
    """Fetch path as a client taking gzip and brotli until the variants
    the first such fetch asked for are there; returns how many answers
    went out uncompressed meanwhile."""
    plain = 0
    deadline = time.monotonic() + 10
    while True:
        r, _ = fetch(srv, path, accept="gzip, br", ua=ua)
        assert r.status == 200
        assert r.getheader("Vary") == "Accept-Encoding"
        if r.getheader("Content-Encoding"):
            return plain
        plain += 1
        assert time.monotonic() < deadline, f"{path}: never compressed"
        time.sleep(0.02)


def decode(r, body):
    enc = r.getheader("Content-Encoding")
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "br":
        return brotli.decompress(body)
    assert enc is None
    return body


def test_each_coding_decodes_to_the_identity_body(tmp_path):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    try:
        for path in ["/", "/feed.json", "/sitemap.xml"]:
            r, _ = fetch(srv, path)  # render and cache
            assert r.getheader("Vary") == "Accept-Encoding"
            assert r.getheader("Content-Encoding") is None
            assert until_compressed(srv, path) >= 1  # not on the miss
            r, ident = fetch(srv, path, accept="identity")
            assert r.status == 200 and r.getheader("Content-Encoding") is None
            assert len(ident) > 1024
            assert r.getheader("Vary") == "Accept-Encoding"
            tags = {r.getheader("ETag")}
            # The page's first answers went out as they were: a client
            # holding that copy is told it is current, in that coding.
            r0, b0 = fetch(srv, path, accept="gzip, br",
                           inm=r.getheader("ETag"))
            assert r0.status == 304 and b0 == b""
            assert r0.getheader("ETag") == r.getheader("ETag")
            assert r0.getheader("Content-Encoding") is None
            for accept, want in [("gzip", "gzip"), ("br", "br"),
                                 ("gzip, deflate, br", "br"),
                                 ("br;q=0.5, gzip", "gzip"),
                                 ("*", "br"), ("br;q=0, *;q=0.1", "gzip"),
                                 ("identity;q=0, br;q=0.2", "br")]:
                r, body = fetch(srv, path, accept=accept)
                assert r.status == 200, (path, accept)
                assert r.getheader("Content-Encoding") == want, (path, accept)
                assert r.getheader("Vary") == "Accept-Encoding"
                assert decode(r, body) == ident, (path, accept)
                tag = r.getheader("ETag")
                assert tag.endswith('-gz"' if want == "gzip" else '-br"')
                tags.add(tag)
                # 304 per coding: its own tag matches, another's does not.
                r2, b2 = fetch(srv, path, accept=accept, inm=tag)
                assert r2.status == 304 and b2 == b""
                r3, _ = fetch(srv, path, accept="identity", inm=tag)
                assert r3.status == 200
                # A coding held and still accepted, though not preferred.
                r5, b5 = fetch(srv, path, accept="gzip, br, identity",
                               inm=f'"other", {tag}')
                assert r5.status == 304 and b5 == b""
                assert r5.getheader("ETag") == tag
                # HEAD answers like GET, without the body.
                r4, b4 = fetch(srv, path, accept=accept, method="HEAD")
                assert r4.status == 200 and b4 == b""
                assert r4.getheader("ETag") == tag
                assert r4.getheader("Content-Encoding") == want
                assert int(r4.getheader("Content-Length")) == len(body)
            assert len(tags) == 3, tags
            # Nothing acceptable: identity anyway (RFC 9110 allows it).
            r, body = fetch(srv, path, accept="identity;q=0, *;q=0")
            assert r.status == 200 and body == ident
            assert r.getheader("Content-Encoding") is None
    finally:
        srv.stop()


def hits(body):
    return re.search(rb'<p class="hits">([^<]*)</p>', body).group(1).decode()


def test_article_pages_with_a_read_count_are_compressed_too(tmp_path):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    path = f"/articles/{SEED_SLUG}"
    try:
        # A bot's reads do not count, so every coding shows the same count.
        fetch(srv, path, ua=BOT)
        until_compressed(srv, path, ua=BOT)
        r, ident = fetch(srv, path, accept="identity", ua=BOT)
        assert hits(ident) == "Read 3093 times"
        for accept, want in [("gzip", "gzip"), ("br", "br"),
                             ("gzip, deflate, br", "br")]:
            r, body = fetch(srv, path, accept=accept, ua=BOT)
            assert r.getheader("Content-Encoding") == want, accept
            assert len(body) < len(ident) / 2
            assert decode(r, body) == ident, accept
            tag = r.getheader("ETag")
            assert re.fullmatch(r'"[0-9a-f]+-3093-(gz|br)"', tag), tag
            r2, _ = fetch(srv, path, accept=accept, inm=tag, ua=BOT)
            assert r2.status == 304
        # Readers' reads move the count inside the compressed bytes: each
        # answer decodes to the page with the count of that read, also
        # when the count's text grows ("Read 3,099 times" as the theme
        # groups it, then past 9,999 in another journal).
        for i in range(1, 8):
            r, body = fetch(srv, path, accept="gzip" if i % 2 else "br",
                            ua=READER)
            page = decode(r, body)
            assert hits(page) == f"Read {3093 + i} times"
            assert page.replace(hits(page).encode(), b"Read 3093 times") \
                == ident
    finally:
        srv.stop()


def test_a_count_that_outgrows_its_length_is_compressed_again(tmp_path):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    path = "/articles/caspian-voices"  # unread: "Read 0 times"
    seen = []

    def read():
        r, body = fetch(srv, path, accept="br, gzip", ua=READER)
        n = len(seen) + 1
        assert hits(decode(r, body)) == ("Read once" if n == 1 else
                                         f"Read {n} times"), seen
        seen.append(r.getheader("Content-Encoding"))

    def until_compressed():
        # the background thread (nice 10) compresses meanwhile: on a
        # loaded machine that may take a while
        deadline = time.time() + 15
        while seen[-1] != "br" and time.time() < deadline:
            time.sleep(0.1)
            read()
        assert seen[-1] == "br", seen

    try:
        # The render's own answer goes out as it is; then the variants
        # come. "Read once" -> "Read 2 times" and "Read 9 times" -> "Read
        # 10 times" each outgrow them: those answers go out as they are,
        # and the variants are made again for the new length.
        read()
        assert seen[0] is None, seen
        until_compressed()
        while len(seen) < 10:
            read()
        until_compressed()
    finally:
        srv.stop()


def test_small_bodies_are_sent_as_they_are(tmp_path):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    try:
        for _ in range(2):
            r, body = fetch(srv, "/robots.txt", accept="gzip, br")
        assert r.status == 200 and len(body) < 1024
        assert r.getheader("Content-Encoding") is None
    finally:
        srv.stop()


def test_export_writes_gz_and_br_beside_text_files(tmp_path):
    from conftest import quire
    db = make_journal(tmp_path)
    out = tmp_path / "site"
    quire(db, "export", "static", str(out), "--base-url",
          "https://journal.example")
    htmls = [p for p in out.rglob("*.html") if p.stat().st_size >= 1024]
    assert htmls
    feeds = [p for p in out.rglob("feed.*") if p.suffix in (".atom", ".rss")
             and p.stat().st_size >= 1024]
    assert {p.suffix for p in feeds} == {".atom", ".rss"}
    for p in htmls + feeds:
        gz = p.with_name(p.name + ".gz")
        br = p.with_name(p.name + ".br")
        assert gz.exists() and br.exists(), p
        assert gzip.decompress(gz.read_bytes()) == p.read_bytes()
        assert brotli.decompress(br.read_bytes()) == p.read_bytes()
    # Images are not compressed again; small files are left alone.
    assert not list(out.rglob("*.png.gz")) and not list(out.rglob("*.jpg.br"))
    for p in out.rglob("*.gz"):
        assert p.with_suffix("").stat().st_size >= 1024


def test_export_compress_gzip_only_or_none(tmp_path):
    """--compress gzip writes the .gz variants and no .br; none neither;
    the pages themselves are the same bytes whatever the choice."""
    from conftest import quire
    db = make_journal(tmp_path)
    outs = {}
    for mode in ("all", "gzip", "none"):
        out = tmp_path / f"site-{mode}"
        quire(db, "export", "static", str(out), "--base-url",
              "https://journal.example", "--compress", mode)
        outs[mode] = out
    assert list(outs["gzip"].rglob("*.gz"))
    assert not list(outs["gzip"].rglob("*.br"))
    for p in outs["gzip"].rglob("*.gz"):
        assert gzip.decompress(p.read_bytes()) == \
            p.with_suffix("").read_bytes()
    assert not list(outs["none"].rglob("*.gz"))
    assert not list(outs["none"].rglob("*.br"))

    def plain(out):
        return {str(p.relative_to(out)): p.read_bytes()
                for p in out.rglob("*") if p.is_file()
                and p.suffix not in (".gz", ".br")}
    assert plain(outs["all"]) == plain(outs["gzip"]) == plain(outs["none"])
    p = quire(db, "export", "static", str(tmp_path / "x"), "--compress",
              "zstd", check=False)
    assert p.returncode != 0 and "--compress" in p.stderr
