"""Security headers: on HTML pages, assets and errors alike, and HSTS only
when the journal's base_url is https (picked up by a running server)."""
import http.client
import socket
import time

import pytest

from conftest import SEED_SLUG, Server, quire


def csp(headers):
    """The Content-Security-Policy as {directive: [sources]}."""
    out = {}
    for part in headers["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def request(srv, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, r.headers


def assert_strict(h, where):
    assert h["X-Content-Type-Options"] == "nosniff", where
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin", where
    assert h["X-Frame-Options"] == "DENY", where
    p = csp(h)
    assert p["default-src"] == ["'self'"], where
    assert p["script-src"] == ["'self'"], where  # no inline script
    assert p["style-src"] == ["'self'"], where
    assert p["frame-ancestors"] == ["'none'"], where
    assert p["base-uri"] == ["'self'"], where
    assert p["form-action"] == ["'self'"], where
    assert p["object-src"] == ["'none'"], where
    for d in p.values():
        assert "'unsafe-inline'" not in d and "'unsafe-eval'" not in d
        assert "*" not in d


PAGES = [("GET", "/", 200), ("GET", f"/articles/{SEED_SLUG}", 200),
         ("GET", "/sections/field-reports", 200), ("HEAD", "/", 200),
         ("GET", "/assets/style.css", 200), ("GET", "/no/such/page", 404),
         ("GET", "/assets/nothing.css", 404), ("DELETE", "/", 405),
         ("GET", "/newsletter", 405), ("FOO", "/", 501),
         ("GET", "/%zz", 400), ("POST", "/newsletter", 400)]


@pytest.mark.parametrize("method,path,status", PAGES)
def test_every_response_carries_the_headers(server, method, path, status):
    st, h = request(server, method, path)
    assert st == status
    assert_strict(h, (method, path))
    assert "Strict-Transport-Security" not in h  # base_url is http here


def test_html_pages_have_no_inline_script_or_style(server):
    for path in ["/", f"/articles/{SEED_SLUG}", "/no/such/page"]:
        html = server.get(path).text
        assert "<style" not in html and " style=" not in html, path
        assert " onload=" not in html and " onclick=" not in html, path
        for tag in html.split("<script")[1:]:  # JSON-LD data blocks only
            assert tag.lstrip().startswith('type="application/ld+json"'), path


def test_413_and_304_carry_the_headers(server):
    s = socket.create_connection(("127.0.0.1", server.port), 5)
    s.sendall(b"POST /newsletter HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: 99999999\r\n\r\n")
    head = s.recv(65536).partition(b"\r\n\r\n")[0].decode()
    s.close()
    assert head.startswith("HTTP/1.1 413")
    assert "X-Content-Type-Options: nosniff" in head
    assert "frame-ancestors 'none'" in head
    etag = server.get("/assets/style.css").headers["ETag"]
    st, h = request(server, "GET", "/assets/style.css",
                    headers={"If-None-Match": etag})
    assert st == 304 and h["X-Content-Type-Options"] == "nosniff"


def test_hsts_follows_base_url(journal, tmp_path_factory):
    srv = Server(journal, tmp_path_factory.mktemp("hsts"))
    try:
        assert "Strict-Transport-Security" not in srv.get("/").headers
        quire(journal, "config", "set", "base_url", "https://journal.example")
        deadline = time.time() + 5
        while time.time() < deadline:
            h = srv.get("/").headers
            if "Strict-Transport-Security" in h:
                break
            time.sleep(0.2)
        assert h["Strict-Transport-Security"] == "max-age=31536000"
        assert_strict(h, "/ over https")
        for path in ["/assets/style.css", "/no/such/page"]:
            assert "max-age=" in srv.get(path).headers[
                "Strict-Transport-Security"]
    finally:
        quire(journal, "config", "set", "base_url", "http://127.0.0.1:8080")
        assert srv.stop() == 0, srv.output()
    # ...and a server started on an http base_url sends none.
    srv = Server(journal, tmp_path_factory.mktemp("hsts2"))
    try:
        assert "Strict-Transport-Security" not in srv.get("/").headers
    finally:
        assert srv.stop() == 0, srv.output()
