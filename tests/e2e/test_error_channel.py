"""One error channel: a failure is reported once, by the caller, with a
code that means what core/err.h says; and the start-up checks of `serve`.

`quire --db bad.db link list` prints ONE line (the store records, the CLI
reports); a bad listen string is told apart from a port already taken; an
HTTP/1.1 request without Host is a 400 (RFC 9112 3.2); with base_url empty
on a non-loopback address the server warns that Host is reflected.
"""
import socket
import subprocess

from conftest import QUIRE, REPO, Server, free_port, quire


def lines(text):
    return [l for l in text.splitlines() if l.strip()]


def test_bad_database_one_line(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database, just text " * 200)
    p = quire(bad, "link", "list", check=False)
    assert p.returncode == 1
    assert lines(p.stderr) == [
        f"quire: cannot open the database: {bad}: file is not a database"]
    assert p.stdout == ""


def test_missing_database_one_line(tmp_path):
    p = quire(tmp_path / "none.db", "link", "list", check=False)
    assert p.returncode == 1
    assert len(lines(p.stderr)) == 1, p.stderr
    assert "quire init" in p.stderr


def serve(db, tmp, listen):
    ini = tmp / "s.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    return subprocess.run([QUIRE, "--db", str(db), "--config", str(ini),
                           "serve", "--listen", listen],
                          capture_output=True, text=True, timeout=30)


def test_bad_listen_string_is_a_parse_error(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    p = serve(db, tmp_path, "nonsense")
    assert p.returncode == 1
    assert lines(p.stderr)[-1] == ("quire: 'nonsense' is not a listen "
                                   "address (ADDR:PORT or [ADDR]:PORT)")


def test_port_taken_is_a_bind_error(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        p = serve(db, tmp_path, f"127.0.0.1:{port}")
    assert p.returncode == 1
    assert lines(p.stderr)[-1] == f"quire: cannot listen on 127.0.0.1:{port}"
    assert "not a listen address" not in p.stderr


def raw(port, request):
    with socket.create_connection(("127.0.0.1", port), 5) as s:
        s.sendall(request)
        s.settimeout(5)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0]


def test_http11_without_host_is_400(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    srv = Server(db, tmp_path)
    try:
        assert raw(srv.port, b"GET / HTTP/1.1\r\n\r\n") == \
            b"HTTP/1.1 400 Bad Request"
        assert raw(srv.port, b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") \
            == b"HTTP/1.1 400 Bad Request"
        assert raw(srv.port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n") == \
            b"HTTP/1.1 200 OK"
        # HTTP/1.0 has no Host requirement.
        assert raw(srv.port, b"GET / HTTP/1.0\r\n\r\n").endswith(b" 200 OK")
    finally:
        assert srv.stop() == 0


def start_warning(db, tmp, listen):
    """The server's output for its first second on listen, then stopped."""
    ini = tmp / "w.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    log = tmp / "w.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([QUIRE, "--db", str(db), "--config", str(ini),
                                 "serve", "--listen", listen],
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            for _ in range(100):
                if "serving" in log.read_text():
                    break
                if proc.poll() is not None:
                    break
                subprocess.run(["sleep", "0.05"])
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return log.read_text()


def test_base_url_warning_on_public_address(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    port = free_port()
    out = start_warning(db, tmp_path, f"0.0.0.0:{port}")
    assert "base_url is not set" in out and "Host" in out, out
    out = start_warning(db, tmp_path, f"127.0.0.1:{free_port()}")
    assert "base_url is not set" not in out, out
    quire(db, "config", "set", "base_url", "https://journal.example")
    out = start_warning(db, tmp_path, f"0.0.0.0:{free_port()}")
    assert "base_url is not set" not in out, out


def test_form_route_refuses_other_bodies(tmp_path):
    """ROUTE_FORM: POST /newsletter takes an urlencoded form, nothing else."""
    db = tmp_path / "j.db"
    quire(db, "init")
    srv = Server(db, tmp_path)
    try:
        import requests
        r = requests.post(srv.url + "/newsletter", data='{"email": "a@b.c"}',
                          headers={"Content-Type": "application/json"},
                          timeout=10)
        assert r.status_code == 415
        r = requests.post(srv.url + "/newsletter", data={"email": "nope"},
                          timeout=10)
        assert r.status_code == 400  # a form, read: the address is refused
    finally:
        assert srv.stop() == 0
