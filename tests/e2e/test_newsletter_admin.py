"""The subscribers in the back office and the admin API (issue 11):
counts by state, search, remove (with its CSRF token), CSV export, and
GET/DELETE /api/admin/subscribers with a bearer token."""
import csv
import io
import time

import pytest
import requests

from conftest import Server, make_journal, quire
from test_accounts import PW, UA, add_user, csrf_of, login


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nladmin")
    db = make_journal(tmp)
    f = tmp / "subs.csv"
    f.write_text("email\n" + "".join(f"c{i}@example.org\n" for i in range(5))
                 + "=cmd@example.org\n")
    quire(db, "subscriber", "import", str(f), "--confirmed")
    (tmp / "p.csv").write_text("p1@example.org\np2@example.org\n")
    quire(db, "subscriber", "import", str(tmp / "p.csv"))
    add_user(db, "ed@example.org", "editor")
    add_user(db, "au@example.org", "author")
    srv = Server(db, tmp)
    srv.db = db
    yield srv
    assert srv.stop() == 0


def test_page_counts_search_remove(site):
    s, _ = login(site, "ed@example.org")
    r = s.get(site.url + "/admin/subscribers")
    assert r.status_code == 200
    assert "<strong>6</strong> confirmed" in r.text
    assert "<strong>2</strong> pending" in r.text
    r = s.get(site.url + "/admin/subscribers", params={"q": "p1@"})
    assert "p1@example.org" in r.text and "c1@example.org" not in r.text
    # a POST without the CSRF token is refused before anything happens
    r = s.post(site.url + "/admin/subscribers/remove",
               data={"email": "p1@example.org"}, allow_redirects=False)
    assert r.status_code == 403
    r = s.post(site.url + "/admin/subscribers/remove",
               data={"email": "p1@example.org", "csrf": csrf_of(
                   s.get(site.url + "/admin/subscribers").text)},
               allow_redirects=False)
    assert r.status_code == 303
    assert "p1@example.org" not in quire(site.db, "subscriber", "list").stdout


def test_csv_export(site):
    s, _ = login(site, "ed@example.org")
    r = s.get(site.url + "/admin/subscribers.csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(
        "text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    emails = {row["email"]: row["state"] for row in rows}
    assert emails["c0@example.org"] == "confirmed"
    assert emails["'=cmd@example.org"] == "confirmed"  # no formula
    assert emails["p2@example.org"] == "pending"


def test_authors_are_kept_out(site):
    s, _ = login(site, "au@example.org")
    assert s.get(site.url + "/admin/subscribers").status_code == 403
    assert s.get(site.url + "/admin/subscribers.csv").status_code == 403


def test_api(site):
    tok = quire(site.db, "token", "add", "--name", "nl", "--role",
                "editor").stdout.strip().split()[-1]
    h = {"Authorization": f"Bearer {tok}", **UA}
    r = requests.get(site.url + "/api/admin/subscribers", headers=h,
                     params={"state": "confirmed"}, timeout=10)
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["counts"]["confirmed"] == 6
    assert {x["email"] for x in j["subscribers"]} >= {"c0@example.org"}
    assert all(x["state"] == "confirmed" for x in j["subscribers"])
    r = requests.get(site.url + "/api/admin/subscribers", headers=h,
                     params={"state": "bogus"}, timeout=10)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    r = requests.delete(site.url + "/api/admin/subscribers/c3@example.org",
                        headers=h, timeout=10)
    assert r.status_code == 200 and r.json()["removed"] is True
    r = requests.delete(site.url + "/api/admin/subscribers/c3@example.org",
                        headers=h, timeout=10)
    assert r.status_code == 404
    assert requests.get(site.url + "/api/admin/subscribers",
                        timeout=10).status_code == 401


def test_digest_button_preview_test_send(tmp_path):
    from smtp_sink import SmtpSink
    from conftest import free_port
    from test_newsletter import mail_ini, wait_for
    sink = SmtpSink(free_port())
    sink.start()
    db = make_journal(tmp_path)
    (tmp_path / "s.csv").write_text("r1@example.org\nr2@example.org\n")
    quire(db, "subscriber", "import", str(tmp_path / "s.csv"), "--confirmed")
    add_user(db, "ed@example.org", "editor")
    srv = Server(db, tmp_path, mail_ini(sink))
    try:
        s, _ = login(srv, "ed@example.org")
        page = s.get(srv.url + "/admin/newsletter").text
        assert "2004-06-30" in page and "Send to 2 confirmed" in page
        r = s.get(srv.url + "/admin/newsletter/preview",
                  params={"issue": "2004-06-30", "subject": "Hello"})
        assert r.status_code == 200
        assert "PAKISTAN–RUSSIA RELATIONS" in r.text
        assert "quire.invalid" not in r.text
        assert s.get(srv.url + "/admin/newsletter/preview",
                     params={"issue": "1999-01-01"}).status_code == 404
        tok = csrf_of(page)
        r = s.post(srv.url + "/admin/newsletter", allow_redirects=False,
                   data={"csrf": tok, "issue": "2004-06-30",
                         "subject": "Test run", "action": "test"})
        assert r.status_code == 303
        wait_for(lambda: sink.count() >= 1, what="the test mail")
        time.sleep(1)
        got = sink.parsed()
        assert [r for r, _ in got] == ["ed@example.org"]
        assert str(got[0][1]["Subject"]) == "Test run"
        r = s.post(srv.url + "/admin/newsletter", allow_redirects=False,
                   data={"csrf": tok, "issue": "2004-06-30",
                         "subject": "The issue", "action": "send"})
        assert r.status_code == 303
        wait_for(lambda: sink.count() >= 3, what="the digest")
        assert sorted(r for r, _ in sink.parsed()) == [
            "ed@example.org", "r1@example.org", "r2@example.org"]
        st = quire(db, "newsletter", "status").stdout.splitlines()
        assert len(st) == 3  # the test send is not a campaign
    finally:
        srv.stop()
        sink.stop()
