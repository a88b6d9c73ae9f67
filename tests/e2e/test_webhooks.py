"""Webhooks (issue 15): events queued by the write that caused them (a CLI
import while the server runs, or while it is stopped), POSTed by the server
to a loopback receiver with X-Quire-Event, X-Quire-Delivery and a verified
X-Quire-Signature, retried after a 500, and refused for private addresses
unless webhooks.allow_private = true."""
import hashlib
import hmac
import http.server
import json
import re
import threading
import time

import pytest
import requests

from conftest import Server, make_journal, quire

SECRET = "s3cret-signing-key"


class Receiver:
    """A loopback HTTP server recording POSTs; answers from a script of
    statuses (then 200)."""

    def __init__(self, statuses=()):
        self.got = []
        self.statuses = list(statuses)
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                rec.got.append((dict(self.headers), body))
                code = rec.statuses.pop(0) if rec.statuses else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"thanks" if code == 200 else b"oops")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, n, timeout=15):
        deadline = time.time() + timeout
        while len(self.got) < n and time.time() < deadline:
            time.sleep(0.1)
        return self.got

    def close(self):
        self.httpd.shutdown()


@pytest.fixture()
def recv():
    r = Receiver()
    yield r
    r.close()


def article(tmp, name, title, date="2005-03-01", extra=""):
    d = tmp / name
    d.mkdir()
    (d / f"{name}.md").write_text(
        f"---\ntitle: \"{title}\"\ndate: {date}\nslug: {name}\n{extra}---\n"
        "Body.\n")
    return d


INI = "[webhooks]\nallow_private = true\nretry_min = 1\n"


def test_published_signed_and_verified_then_updated_and_deleted(tmp_path,
                                                                recv):
    db = make_journal(tmp_path)
    quire(db, "webhook", "add", recv.url, "--events",
          "article.published,article.updated,article.deleted,issue.published",
          "--secret", SECRET)
    srv = Server(db, tmp_path, INI)
    try:
        quire(db, "import", "markdown",
              str(article(tmp_path, "hooked", "Hooked Article",
                          extra="issue: 2005-03-01\n")))
        got = recv.wait(2)
        events = sorted(h["X-Quire-Event"] for h, _ in got)
        assert events == ["article.published", "issue.published"]
        for h, body in got:
            want = "sha256=" + hmac.new(SECRET.encode(), body,
                                        hashlib.sha256).hexdigest()
            assert h["X-Quire-Signature"] == want
            assert len(h["X-Quire-Delivery"]) == 32
            assert h["Content-Type"] == "application/json"
        pub = next(json.loads(b) for h, b in got
                   if h["X-Quire-Event"] == "article.published")
        assert pub["event"] == "article.published"
        assert pub["article"]["slug"] == "hooked"
        assert pub["article"]["title"] == "Hooked Article"
        iss = next(json.loads(b) for h, b in got
                   if h["X-Quire-Event"] == "issue.published")
        assert iss["issue"]["date"] == "2005-03-01"
        assert len({h["X-Quire-Delivery"] for h, _ in got}) == 2
        # the same file again changes nothing: no event
        quire(db, "import", "markdown", str(tmp_path / "hooked"))
        (tmp_path / "hooked" / "hooked.md").write_text(
            "---\ntitle: \"Hooked, Revised\"\ndate: 2005-03-01\n"
            "slug: hooked\nissue: 2005-03-01\n---\nBody.\n")
        quire(db, "import", "markdown", str(tmp_path / "hooked"))
        got = recv.wait(3)
        assert got[2][0]["X-Quire-Event"] == "article.updated"
        assert json.loads(got[2][1])["article"]["title"] == "Hooked, Revised"
        quire(db, "article", "delete", "hooked")
        got = recv.wait(4)
        assert got[3][0]["X-Quire-Event"] == "article.deleted"
        assert len(got) == 4
        log = quire(db, "webhook", "log").stdout
        assert log.count("delivered") == 4 and "thanks" in log
    finally:
        assert srv.stop() == 0, srv.output()


def test_retried_after_a_500_with_the_same_delivery_id(tmp_path):
    recv = Receiver(statuses=[500])
    try:
        db = make_journal(tmp_path)
        quire(db, "webhook", "add", recv.url, "--events", "article.published")
        srv = Server(db, tmp_path, INI)
        try:
            quire(db, "import", "markdown",
                  str(article(tmp_path, "retry-me", "Retry Me")))
            got = recv.wait(2)
            assert len(got) == 2
            assert got[0][0]["X-Quire-Delivery"] == \
                got[1][0]["X-Quire-Delivery"]
            assert got[0][1] == got[1][1]
            assert "X-Quire-Signature" not in got[0][0]  # no secret
            log = quire(db, "webhook", "log").stdout.splitlines()
            # newest first: the delivery, then the 500 with its response
            assert "\t200\tthanks" in log[0] and "\t500\toops" in log[1]
        finally:
            assert srv.stop() == 0, srv.output()
    finally:
        recv.close()


def test_queued_while_the_server_is_down_delivered_after_restart(tmp_path,
                                                                 recv):
    db = make_journal(tmp_path)
    quire(db, "webhook", "add", recv.url, "--events", "article.published")
    # the write happens with no server running: the queue is in the file
    quire(db, "import", "markdown",
          str(article(tmp_path, "while-down", "While Down")))
    assert "pending 1" in quire(db, "webhook", "list").stdout
    time.sleep(0.5)
    assert recv.got == []
    srv = Server(db, tmp_path, INI)
    try:
        got = recv.wait(1)
        assert json.loads(got[0][1])["article"]["slug"] == "while-down"
    finally:
        assert srv.stop() == 0
    assert "delivered 1" in quire(db, "webhook", "list").stdout


def test_private_addresses_refused_by_default(tmp_path, recv):
    db = make_journal(tmp_path)
    quire(db, "webhook", "add", recv.url, "--events", "article.published")
    srv = Server(db, tmp_path, "[webhooks]\nretry_min = 1\n")
    try:
        quire(db, "import", "markdown",
              str(article(tmp_path, "secret-net", "Secret Net")))
        deadline = time.time() + 10
        log = ""
        while "refused" not in log and time.time() < deadline:
            time.sleep(0.2)
            log = quire(db, "webhook", "log").stdout
        assert "refused: 127.0.0.1 is not a public address" in log
        time.sleep(1.5)  # a retry is refused again
        assert recv.got == []
    finally:
        assert srv.stop() == 0


def test_cli_refuses_bad_urls_and_events(tmp_path):
    db = make_journal(tmp_path)
    for args, msg in [
            (["ftp://example.org/x", "--events", "article.published"],
             "not an http(s) URL"),
            (["file:///etc/passwd", "--events", "article.published"],
             "not an http(s) URL"),
            (["https://example.org/x", "--events", "article.exploded"],
             "--events"),
            (["https://example.org/x", "--events", "article.published,"],
             "--events"),
            (["https://example.org/x"], "usage")]:
        p = quire(db, "webhook", "add", *args, check=False)
        assert p.returncode == 1 and msg in p.stderr, (args, p.stderr)
    quire(db, "webhook", "add", "https://example.org/x", "--events",
          "article.published", "--secret", "abcdefgh12")
    out = quire(db, "webhook", "list").stdout
    assert "https://example.org/x" in out and "signed" in out
    assert "abcdefgh12" not in out
    quire(db, "webhook", "remove", "1")
    assert quire(db, "webhook", "list").stdout == ""
    assert quire(db, "webhook", "remove", "1", check=False).returncode == 1


def test_a_draft_published_later_sends_article_and_issue_published(tmp_path,
                                                                   recv):
    db = make_journal(tmp_path)
    quire(db, "webhook", "add", recv.url, "--events",
          "article.published,issue.published")
    d = article(tmp_path, "later", "Later", date="2006-01-01",
                extra="issue: 2006-01-01\ndraft: true\n")
    quire(db, "import", "markdown", str(d))  # a draft: no event
    assert "pending 0" in quire(db, "webhook", "list").stdout
    (d / "later.md").write_text("---\ntitle: \"Later\"\ndate: 2006-01-01\n"
                                "slug: later\nissue: 2006-01-01\n---\nBody.\n")
    quire(db, "import", "markdown", str(d))
    srv = Server(db, tmp_path, INI)
    try:
        got = recv.wait(2)
        assert sorted(h["X-Quire-Event"] for h, _ in got) == [
            "article.published", "issue.published"]
    finally:
        assert srv.stop() == 0


def test_back_office_adds_signs_lists_logs_and_removes(tmp_path, recv):
    """An admin manages webhooks on /admin/webhooks: the generated secret is
    shown once and signs the delivery; the log and /metrics show it."""
    from test_accounts import add_user, csrf_of, login
    from test_ops import metrics_of
    db = make_journal(tmp_path)
    add_user(db, "boss@example.org", "admin")
    add_user(db, "ed@example.org", "editor")
    srv = Server(db, tmp_path, INI)
    try:
        ed, _ = login(srv, "ed@example.org")
        assert ed.get(srv.url + "/admin/webhooks").status_code == 403
        s, _ = login(srv, "boss@example.org")
        page = s.get(srv.url + "/admin/webhooks")
        assert page.status_code == 200 and "No webhooks yet." in page.text
        assert 'href="/admin/webhooks"' in page.text  # in the admin's menu
        tok = csrf_of(page.text)
        # refused: no CSRF token, a bad URL, no event
        r = s.post(srv.url + "/admin/webhooks",
                   data={"url": recv.url, "article.published": "1"})
        assert r.status_code == 403
        r = s.post(srv.url + "/admin/webhooks",
                   data={"csrf": tok, "url": "ftp://example.org/x",
                         "article.published": "1"})
        assert r.status_code == 400 and "http:// or https://" in r.text
        r = s.post(srv.url + "/admin/webhooks",
                   data={"csrf": tok, "url": recv.url})
        assert r.status_code == 400 and "at least one event" in r.text
        assert "No webhooks yet." in s.get(srv.url + "/admin/webhooks").text
        r = s.post(srv.url + "/admin/webhooks",
                   data={"csrf": tok, "url": recv.url,
                         "article.published": "1", "issue.published": "1"})
        assert r.status_code == 200 and "Webhook added." in r.text
        secret = re.search(r'id="new-secret">([^<]+)<', r.text).group(1)
        assert len(secret) >= 32
        listed = s.get(srv.url + "/admin/webhooks").text
        assert secret not in listed  # shown once
        assert "article.published,issue.published" in listed
        quire(db, "import", "markdown",
              str(article(tmp_path, "from-office", "From the Office")))
        got = recv.wait(1)
        h, body = got[0]
        assert h["X-Quire-Signature"] == "sha256=" + hmac.new(
            secret.encode(), body, hashlib.sha256).hexdigest()
        deadline = time.time() + 10
        while "thanks" not in listed and time.time() < deadline:
            time.sleep(0.2)
            listed = s.get(srv.url + "/admin/webhooks").text
        assert "<td>article.published</td>" in listed and "thanks" in listed
        m = metrics_of(srv.get("/metrics").text)
        assert m[("quire_webhook_deliveries", (("state", "delivered"),))] == 1
        assert m[("quire_webhook_deliveries", (("state", "pending"),))] == 0
        assert ("quire_mail_outbox_messages", (("state", "queued"),)) in m
        wid = re.search(r'action="/admin/webhooks/(\d+)/remove"',
                        listed).group(1)
        r = s.post(srv.url + f"/admin/webhooks/{wid}/remove",
                   data={"csrf": tok})
        assert r.status_code == 200 and "Webhook removed." in r.text
        assert "No webhooks yet." in r.text
        r = s.post(srv.url + f"/admin/webhooks/{wid}/remove",
                   data={"csrf": tok})
        assert r.status_code == 404
        audit = quire(db, "audit").stdout
        assert "webhook.add" in audit and "webhook.remove" in audit
        assert secret not in audit
    finally:
        assert srv.stop() == 0, srv.output()


def test_admin_api_lists_adds_and_removes(tmp_path):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    try:
        tok = {r: quire(db, "token", "add", "--name", "t-" + r, "--role",
                        r).stdout.strip() for r in ("admin", "editor")}

        def call(method, path, role="admin", **kw):
            return requests.request(
                method, srv.url + path,
                headers={"Authorization": "Bearer " + tok[role]}, **kw)

        assert call("GET", "/api/admin/webhooks", "editor").status_code == 403
        assert call("GET", "/api/admin/webhooks").json() == {"webhooks": []}
        bad = [({"url": "http://example.org/x", "events": ["nope"]}, 422),
               ({"url": "gopher://x", "events": ["article.published"]}, 422),
               ({"url": "http://example.org/x",
                 "events": ["article.published", "article.published"]}, 422),
               ({"url": "http://example.org/x", "events": []}, 422),
               ({"url": "http://example.org/x", "events": ["issue.published"],
                 "secret": "short"}, 422),
               ({"url": "http://example.org/x"}, 400),
               ({"url": "http://example.org/x",
                 "events": ["issue.published"], "extra": 1}, 400)]
        for body, status in bad:
            r = call("POST", "/api/admin/webhooks", json=body)
            assert r.status_code == status, (body, r.text)
        r = call("POST", "/api/admin/webhooks",
                 json={"url": "https://example.org/in",
                       "events": ["article.updated", "article.deleted"],
                       "secret": "abcdefgh12"})
        assert r.status_code == 201, r.text
        w = r.json()
        assert w["events"] == ["article.updated", "article.deleted"]
        assert w["signed"] is True and "secret" not in w
        listed = call("GET", "/api/admin/webhooks").json()["webhooks"]
        assert [x["url"] for x in listed] == ["https://example.org/in"]
        assert listed[0]["deliveries"] == {"pending": 0, "delivered": 0,
                                           "failed": 0}
        assert "https://example.org/in" in quire(db, "webhook",
                                                  "list").stdout
        assert call("DELETE", f"/api/admin/webhooks/{w['id']}").status_code \
            == 204
        assert call("DELETE", f"/api/admin/webhooks/{w['id']}").status_code \
            == 404
        assert call("DELETE", "/api/admin/webhooks/x1").status_code == 404
        assert call("GET", "/api/admin/webhooks").json() == {"webhooks": []}
    finally:
        assert srv.stop() == 0, srv.output()
