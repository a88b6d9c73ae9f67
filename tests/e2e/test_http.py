"""HTTP behaviour a reader's browser and a proxy rely on."""
import http.client
import socket
import threading
import time

from conftest import SEED_SLUG


def raw(server, data, read=65536, timeout=5):
    """Send raw bytes on a new connection; return what the server answers."""
    with socket.create_connection(("127.0.0.1", server.port), timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while len(out) < read:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if b"\r\n\r\n" in out and read == 65536:
                    head, _, body = out.partition(b"\r\n\r\n")
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            if len(body) >= int(line.split(b":")[1]):
                                return out
        except socket.timeout:
            pass
        return out


def status_of(resp):
    return int(resp.split(b" ", 2)[1]) if resp else None


def test_headers_date_length_etag(server):
    # identity: requests would decode a gzip body (test_compression.py).
    r = server.get("/", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert "Date" in r.headers
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert r.headers["ETag"].startswith('"')


def test_head_matches_get_without_body(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    c.request("HEAD", "/")
    r = c.getresponse()
    assert r.status == 200
    assert r.read() == b""
    # The same coding as the HEAD (none asked): see test_compression.py.
    get = server.get("/", headers={"Accept-Encoding": "identity"})
    assert int(r.getheader("Content-Length")) == len(get.content)
    assert r.getheader("ETag") == get.headers["ETag"]
    c.request("HEAD", "/no/such/page")
    r = c.getresponse()
    assert r.status == 404 and r.read() == b""


def test_if_none_match_gives_304(server):
    r = server.get("/")
    r2 = server.get("/", headers={"If-None-Match": r.headers["ETag"]})
    assert r2.status_code == 304
    assert r2.content == b""
    r3 = server.get("/", headers={"If-None-Match": '"other"'})
    assert r3.status_code == 200


def test_keep_alive_reuses_the_connection(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    c.request("GET", "/")
    r = c.getresponse()
    r.read()
    assert r.getheader("Connection", "").lower() != "close"
    sock = c.sock
    for path in ["/", f"/articles/{SEED_SLUG}", "/assets/style.css"]:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        assert r.status == 200
        assert c.sock is sock, "connection was not kept alive"


def test_404_and_405(server):
    r = server.get("/no/such/page")
    assert r.status_code == 404
    assert "Not Found" in r.text and "the CACI Analyst" in r.text
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    c.request("DELETE", "/")
    r = c.getresponse()
    r.read()
    assert r.status == 405
    assert "GET" in r.getheader("Allow") and "HEAD" in r.getheader("Allow")
    c.request("GET", "/newsletter")
    r = c.getresponse()
    r.read()
    assert r.status == 405 and "POST" in r.getheader("Allow")


def test_static_assets_cached_and_safe(server):
    r = server.get("/assets/style.css")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
    assert "max-age=31536000" in r.headers["Cache-Control"]
    for path in [b"/assets/../../quire.ini", b"/assets/%2e%2e/%2e%2e/etc/passwd",
                 b"/assets/..%2f..%2fetc/passwd", b"/assets/..\\..\\etc\\passwd",
                 b"/assets//etc/passwd", b"/assets/nothing.css"]:
        resp = raw(server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status_of(resp) in (400, 404), (path, resp[:80])
        assert b"root:" not in resp


def test_bad_requests_get_the_right_status(server):
    cases = [
        (b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /%c0%af HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n",
         431),
        (b"POST /newsletter HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
         b"Content-Type: application/x-www-form-urlencoded\r\n\r\n", 413),
        (b"GARBAGE\r\n\r\n", 400),
    ]
    for req, want in cases:
        resp = raw(server, req)
        assert status_of(resp) == want, (req[:40], resp[:100])
        assert b"sqlite" not in resp.lower()
    # ...and the server keeps serving.
    assert server.get("/").status_code == 200


def test_burst_of_256_connections_after_idle(server):
    time.sleep(2.5)
    results = []
    lock = threading.Lock()

    def one():
        try:
            resp = raw(server, b"GET / HTTP/1.1\r\nHost: x\r\n"
                               b"Connection: close\r\n\r\n", timeout=20)
            st = status_of(resp)
        except OSError as e:
            st = repr(e)
        with lock:
            results.append(st)

    threads = [threading.Thread(target=one) for _ in range(256)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count(200) == 256, set(map(str, results))
