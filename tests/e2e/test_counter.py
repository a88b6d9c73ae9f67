"""The public read counter: browsers count, bots, HEAD and 304s do not."""
import http.client
import re
import sqlite3
import time

from conftest import SEED_SLUG, Server, make_journal, text_of


def shown(server, path, **kw):
    t = text_of(server.get(path, **kw).text)
    return int(re.search(r"Read (\d+) times", t).group(1))


def stored(db, slug):
    con = sqlite3.connect(str(db))
    try:
        return con.execute("SELECT hits FROM articles WHERE slug = ?",
                           (slug,)).fetchone()[0]
    finally:
        con.close()


def test_counter_counts_browsers_only_and_is_flushed(tmp_path):
    db = make_journal(tmp_path)
    assert stored(db, SEED_SLUG) == 3093  # the imported starting point
    srv = Server(db, tmp_path)
    try:
        path = f"/articles/{SEED_SLUG}"
        first = shown(srv, path)
        assert first == 3094
        for _ in range(9):
            srv.get(path)
        assert shown(srv, path) == 3094 + 10
        # Bots, HEAD and conditional hits do not count.
        srv.get(path, headers={"User-Agent": "Googlebot/2.1"})
        srv.get(path, headers={"User-Agent": "SomeCrawler 1.0"})
        srv.get(path, headers={"User-Agent": "my-spider"})
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        c.request("HEAD", path, headers={"User-Agent": "Mozilla/5.0"})
        c.getresponse().read()
        r = srv.get(path)
        etag = r.headers["ETag"]
        assert srv.get(path, headers={"If-None-Match": etag}).status_code == 304
        assert shown(srv, path) == 3094 + 12
        # Written to the database within a few seconds.
        deadline = time.time() + 5
        while stored(db, SEED_SLUG) != 3094 + 12 and time.time() < deadline:
            time.sleep(0.2)
        assert stored(db, SEED_SLUG) == 3094 + 12
        # Counts since the last flush are written at shutdown.
        for _ in range(5):
            srv.get(path)
    finally:
        assert srv.stop() == 0, srv.output()
    assert stored(db, SEED_SLUG) == 3094 + 17
    # A restarted server starts from the stored count.
    srv = Server(db, tmp_path)
    try:
        assert shown(srv, f"/articles/{SEED_SLUG}") == 3094 + 18
    finally:
        srv.stop()


def test_cli_edits_reach_the_running_server(tmp_path):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    try:
        assert "Brand New Name" not in srv.get("/").text
        from conftest import quire
        quire(db, "config", "set", "name", "Brand New Name")
        quire(db, "link", "add", "New Partner", "https://partner.example")
        deadline = time.time() + 5
        while "Brand New Name" not in srv.get("/").text:
            assert time.time() < deadline, "cached page never refreshed"
            time.sleep(0.2)
        assert "New Partner" in srv.get(f"/articles/{SEED_SLUG}").text
    finally:
        assert srv.stop() == 0


def test_a_page_sent_again_shows_the_live_count(tmp_path):
    """http/reuse.c sends a cached page's response again while nothing in
    it changes: every copy must still be the page with the current count,
    its own ETag and every header, from any number of connections."""
    import concurrent.futures
    import requests
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    path = f"/articles/{SEED_SLUG}"
    # identity: Content-Length is compared with the body requests returns
    # (it would decode a gzip or brotli one; test_compression covers those)
    bot = {"User-Agent": "Googlebot/2.1", "Accept-Encoding": "identity"}

    def fetch(headers, method="GET"):
        with requests.Session() as s:
            r = s.request(method, srv.url + path, headers=headers, timeout=10)
        return r.status_code, dict(r.headers), r.content

    try:
        srv.get(path, headers=bot)  # rendered and cached
        status, h, body = fetch(bot)
        n = int(re.search(rb"Read (\d+) times", body).group(1))
        assert status == 200 and h["X-Cache"] == "hit"
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            same = list(ex.map(lambda _: fetch(bot), range(200)))
        for st, hh, b in same:
            assert (st, b) == (200, body)
            assert hh["ETag"] == h["ETag"]
            assert hh["Content-Security-Policy"] == h["Content-Security-Policy"]
            assert hh["X-Content-Type-Options"] == "nosniff"
            assert hh["Content-Length"] == str(len(body))
        # A reader raises the count: the next copies show it, bots' too.
        _, hr, br = fetch({"User-Agent": "Mozilla/5.0 Firefox/120.0",
                           "Accept-Encoding": "identity"})
        assert f"Read {n + 1} times".encode() in br
        assert hr["ETag"] != h["ETag"]
        for _ in range(3):
            _, hb, bb = fetch(bot)
            assert bb == br and hb["ETag"] == hr["ETag"]
        st, hh, b = fetch(bot, "HEAD")
        assert (st, b, hh["ETag"]) == (200, b"", hr["ETag"])
        assert hh["Content-Length"] == str(len(br))
        # A conditional request with the current ETag: 304, not the page.
        st, _, b = fetch({**bot, "If-None-Match": hr["ETag"]})
        assert (st, b) == (304, b"")
    finally:
        assert srv.stop() == 0, srv.output()
