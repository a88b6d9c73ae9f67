"""The back office's accounts over HTTP: login, sessions, cookies, CSRF,
roles, the login limiter, the admin API's errors and the audit log.

A real `quire serve` on loopback over a real journal; users and tokens
made with the CLI as an administrator would. Session expiry is tested by
moving a session's times back in the SQLite file, not by waiting.
"""
import re
import sqlite3
import time

import pytest
import requests

from conftest import Server, make_journal, quire

PW = "correct horse battery"
UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}


def add_user(db, email, role, pw=PW, name="Ann Editor"):
    quire(db, "user", "add", email, "--name", name, "--role", role,
          "--password-stdin", input=pw + "\n")


def csrf_of(html):
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html
    return m.group(1)


def login(srv, email, pw=PW):
    """A logged-in requests.Session (asserts the redirect to /admin/)."""
    s = requests.Session()
    s.headers.update(UA)
    r = s.get(srv.url + "/admin/login")
    assert r.status_code == 200
    r = s.post(srv.url + "/admin/login", allow_redirects=False,
               data={"email": email, "password": pw,
                     "csrf": csrf_of(r.text)})
    assert r.status_code == 303, r.text
    assert r.headers["Location"] == "/admin/"
    return s, r


def page_csrf(s, srv):
    return csrf_of(s.get(srv.url + "/admin/").text)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("accounts")
    db = make_journal(tmp)
    add_user(db, "admin@example.org", "admin", name="Ada Admin")
    add_user(db, "ed@example.org", "editor", name="Ed Itor")
    add_user(db, "au@example.org", "author", name="Au Thor")
    srv = Server(db, tmp)
    yield srv
    assert srv.stop() == 0, srv.output()


def test_cli_refuses_short_password_and_bad_role(site):
    p = quire(site.db, "user", "add", "x@example.org", "--name", "X",
              "--role", "admin", "--password-stdin", input="short\n",
              check=False)
    assert p.returncode == 1
    assert "at least 10 characters" in p.stderr
    p = quire(site.db, "user", "add", "x@example.org", "--name", "X",
              "--role", "boss", "--password-stdin", input=PW + "\n",
              check=False)
    assert p.returncode == 1 and "not a role" in p.stderr
    listed = quire(site.db, "user", "list").stdout
    assert "x@example.org" not in listed
    assert "admin@example.org\tAda Admin\tadmin\tactive" in listed


def test_dashboard_needs_login(site):
    r = site.get("/admin/", allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/admin/login"


def test_login_sets_a_strict_session_cookie(site):
    s, r = login(site, "admin@example.org")
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("quire_session=")
    value = cookie.split(";")[0].split("=", 1)[1]
    assert len(value) == 43  # 256 bits, base64url
    flags = [f.strip() for f in cookie.split(";")[1:]]
    assert "HttpOnly" in flags and "SameSite=Strict" in flags
    assert "Path=/" in flags
    assert "Secure" not in flags  # base_url is not https
    r = s.get(site.url + "/admin/")
    assert r.status_code == 200
    assert "Ada Admin" in r.text and "Dashboard" in r.text
    assert r.headers["Cache-Control"] == "no-store"
    # the id is stored hashed, never as sent
    con = sqlite3.connect(site.db)
    ids = [row[0] for row in con.execute("SELECT id_hash FROM sessions")]
    con.close()
    assert value not in ids and all(len(i) == 64 for i in ids)


def test_no_account_enumeration(site):
    s = requests.Session()
    s.headers.update(UA)
    tok = csrf_of(s.get(site.url + "/admin/login").text)
    wrong = s.post(site.url + "/admin/login",
                   data={"email": "ed@example.org", "password": "nope" * 3,
                         "csrf": tok})
    unknown = s.post(site.url + "/admin/login",
                     data={"email": "nobody@example.org",
                           "password": "nope" * 3, "csrf": tok})
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong email address or password." in wrong.text
    strip = lambda t: t.replace("nobody@example.org", "X").replace(
        "ed@example.org", "X")
    assert strip(wrong.text) == strip(unknown.text)
    assert "quire_session" not in wrong.headers.get("Set-Cookie", "")


def test_login_form_needs_its_csrf_token(site):
    s = requests.Session()
    s.headers.update(UA)
    s.get(site.url + "/admin/login")
    r = s.post(site.url + "/admin/login", allow_redirects=False,
               data={"email": "admin@example.org", "password": PW})
    assert r.status_code == 403
    r = requests.post(site.url + "/admin/login", allow_redirects=False,
                      data={"email": "admin@example.org", "password": PW,
                            "csrf": "x" * 43}, headers=UA)
    assert r.status_code == 403
    assert "quire_session" not in r.headers.get("Set-Cookie", "")


def test_post_needs_csrf_and_same_origin(site):
    s, _ = login(site, "ed@example.org")
    tok = page_csrf(s, site)
    r = s.post(site.url + "/admin/logout", allow_redirects=False, data={})
    assert r.status_code == 403
    r = s.post(site.url + "/admin/logout", allow_redirects=False,
               data={"csrf": "A" * 43})
    assert r.status_code == 403
    r = s.post(site.url + "/admin/logout", allow_redirects=False,
               data={"csrf": tok},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = s.post(site.url + "/admin/logout", allow_redirects=False,
               data={"csrf": tok},
               headers={"Referer": "https://evil.example/x"})
    assert r.status_code == 403
    # nothing changed: still logged in
    assert s.get(site.url + "/admin/", allow_redirects=False).status_code \
        == 200
    # the header form of the token works, with our own Origin
    r = s.post(site.url + "/admin/logout", allow_redirects=False,
               headers={"X-CSRF-Token": tok, "Origin": site.url})
    assert r.status_code == 303
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert s.get(site.url + "/admin/", allow_redirects=False).status_code \
        == 303


def set_session_times(db, delta_seen, delta_created):
    con = sqlite3.connect(db)
    con.execute("UPDATE sessions SET seen_at = seen_at - ?,"
                " created_at = created_at - ?", (delta_seen, delta_created))
    con.commit()
    con.close()


def test_session_idle_and_absolute_expiry(site):
    s, _ = login(site, "au@example.org")
    # 11 h idle: still valid (and the visit renews it)
    set_session_times(site.db, 11 * 3600, 0)
    assert s.get(site.url + "/admin/", allow_redirects=False).status_code \
        == 200
    # over 12 h idle: gone
    set_session_times(site.db, 12 * 3600 + 5, 0)
    assert s.get(site.url + "/admin/", allow_redirects=False).status_code \
        == 303
    s, _ = login(site, "au@example.org")
    # seen a minute ago, but logged in over 14 days ago: gone
    set_session_times(site.db, 0, 14 * 86400 + 5)
    assert s.get(site.url + "/admin/", allow_redirects=False).status_code \
        == 303


def test_passwd_and_disable_end_sessions(site):
    add_user(site.db, "tmp@example.org", "editor")
    s, _ = login(site, "tmp@example.org")
    quire(site.db, "user", "passwd", "tmp@example.org", "--password-stdin",
          input="another long password\n")
    assert s.get(site.url + "/admin/", allow_redirects=False).status_code \
        == 303
    s, _ = login(site, "tmp@example.org", "another long password")
    quire(site.db, "user", "disable", "tmp@example.org")
    assert s.get(site.url + "/admin/", allow_redirects=False).status_code \
        == 303
    s2 = requests.Session()
    tok = csrf_of(s2.get(site.url + "/admin/login", headers=UA).text)
    r = s2.post(site.url + "/admin/login", allow_redirects=False, headers=UA,
                data={"email": "tmp@example.org",
                      "password": "another long password", "csrf": tok})
    assert r.status_code == 200 and "Wrong email" in r.text


def api(site, method, path, token=None, **kw):
    h = kw.pop("headers", {})
    if token:
        h["Authorization"] = "Bearer " + token
    return requests.request(method, site.url + path, headers=h, timeout=10,
                            **kw)


@pytest.fixture(scope="module")
def tokens(site):
    out = {}
    for role in ("admin", "editor"):
        out[role] = quire(site.db, "token", "add", "--name", "t-" + role,
                          "--role", role).stdout.strip()
    return out


def error_of(r):
    assert r.headers["Content-Type"].startswith("application/json")
    e = r.json()["error"]
    assert set(e) == {"code", "message"}
    return e


def test_api_auth_and_roles(site, tokens):
    r = api(site, "GET", "/api/admin/users")
    assert r.status_code == 401 and error_of(r)["code"] == "unauthorized"
    r = api(site, "GET", "/api/admin/users", "not-a-token")
    assert r.status_code == 401
    r = api(site, "GET", "/api/admin/users", tokens["editor"])
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    r = api(site, "GET", "/api/admin/users", tokens["admin"])
    assert r.status_code == 200
    emails = [u["email"] for u in r.json()["users"]]
    assert "admin@example.org" in emails
    assert all("pw_hash" not in u and "password" not in u
               for u in r.json()["users"])
    # a session cookie is no bearer token
    s, _ = login(site, "admin@example.org")
    r = s.get(site.url + "/api/admin/users")
    assert r.status_code == 401
    r = api(site, "GET", "/api/admin/nothing", tokens["admin"])
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    r = api(site, "DELETE", "/api/admin/users", tokens["admin"])
    assert r.status_code == 405
    # revoked tokens stop working
    t = quire(site.db, "token", "add", "--name", "short-lived", "--role",
              "admin").stdout.strip()
    assert api(site, "GET", "/api/admin/me", t).status_code == 200
    quire(site.db, "token", "revoke", "short-lived")
    assert api(site, "GET", "/api/admin/me", t).status_code == 401
    assert "short-lived" not in quire(site.db, "token", "list").stdout


def test_api_json_errors(site, tokens):
    t = tokens["admin"]
    good = {"email": "new@example.org", "name": "New", "role": "author",
            "password": PW}
    J = {"Content-Type": "application/json"}
    cases = [
        (b"{", 400, "malformed_json", "line"),
        (b'{"email": "a@b.org",}', 400, "malformed_json", "line"),
        (b"[1, 2]", 400, "malformed_json", "object"),
        (b'{"email": "a@b.org", "email": "c@d.org"}', 400, "malformed_json",
         "duplicate"),
        (b'{"email": 5, "name": "x", "role": "author", "password": "x"}',
         400, "wrong_type", "'email'"),
        (b'{"bogus": 1}', 400, "unknown_field", "'bogus'"),
        (b'{"email": "\xff\xfe"}', 400, "invalid_utf8", "UTF-8"),
        (b'{"email": "n@example.org"}', 400, "missing_field", "'name'"),
    ]
    for body, status, code, words in cases:
        r = api(site, "POST", "/api/admin/users", t, data=body, headers=J)
        assert r.status_code == status, (body, r.text)
        e = error_of(r)
        assert e["code"] == code and words in e["message"], (body, e)
    r = api(site, "POST", "/api/admin/users", t, data=b"email=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and error_of(r)["code"] == \
        "unsupported_media_type"
    r = api(site, "POST", "/api/admin/users", t,
            json=dict(good, password="short"))
    assert r.status_code == 422 and "'password'" in error_of(r)["message"]
    r = api(site, "POST", "/api/admin/users", t, json=dict(good, role="boss"))
    assert r.status_code == 422
    r = api(site, "POST", "/api/admin/users", t, data=b"{" + b" " * 70000
            + b"}", headers=J)
    assert r.status_code == 413
    # nothing of the above was written
    assert "new@example.org" not in quire(site.db, "user", "list").stdout
    r = api(site, "POST", "/api/admin/users", t, json=good)
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "new@example.org"
    assert r.json()["role"] == "author"
    r = api(site, "POST", "/api/admin/users", t, json=good)
    assert r.status_code == 409 and error_of(r)["code"] == "exists"
    login(site, "new@example.org")  # the new account works


def test_audit_log_records_writes(site, tokens):
    out = quire(site.db, "audit", "--limit", "500").stdout
    lines = [l.split("\t") for l in out.splitlines()]
    actions = {(l[1], l[2]) for l in lines}
    assert any(w.startswith("cli:") and a == "user.add" for w, a in actions)
    assert ("admin@example.org", "login") in actions
    assert ("ed@example.org", "logout") in actions
    assert ("token:t-admin", "user.add") in actions
    assert any(a == "user.disable" and "tmp@example.org" in l[3]
               for l in lines for a in [l[2]])
    assert len(quire(site.db, "audit", "--limit", "2").stdout.splitlines()) \
        == 2
    p = quire(site.db, "audit", "--limit", "x", check=False)
    assert p.returncode == 1


def test_admin_pages_carry_the_strict_csp(site):
    s, _ = login(site, "admin@example.org")
    for path in ("/admin/", "/admin/login", "/admin/nope"):
        r = s.get(site.url + path)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "<script" not in r.text and "style=" not in r.text
    r = s.get(site.url + "/admin/assets/admin.css")
    assert r.status_code == 200 and "text/css" in r.headers["Content-Type"]
    assert s.get(site.url + "/admin/nope").status_code == 404


@pytest.fixture()
def fresh(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    add_user(db, "victim@example.org", "admin")
    add_user(db, "other@example.org", "editor")
    srv = Server(db, tmp_path)
    yield srv
    assert srv.stop() == 0, srv.output()


def try_login(srv, s, email, pw):
    # each try as a browser without a session: once logged in,
    # /admin/login leads to the dashboard instead of the form
    s.cookies.clear()
    tok = csrf_of(s.get(srv.url + "/admin/login").text)
    return s.post(srv.url + "/admin/login", allow_redirects=False,
                  data={"email": email, "password": pw, "csrf": tok})


def test_login_limiter(fresh):
    s = requests.Session()
    s.headers.update(UA)
    for _ in range(10):
        assert try_login(fresh, s, "victim@example.org",
                         "wrong password!").status_code == 200
    r = try_login(fresh, s, "victim@example.org", PW)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 900
    assert "quire_session" not in r.headers.get("Set-Cookie", "")
    # another account from the same address still logs in
    assert try_login(fresh, s, "other@example.org", PW).status_code == 303
    # 30 failures from one address, whatever the accounts
    for i in range(19):
        assert try_login(fresh, s, f"u{i}@example.org",
                         "wrong password!").status_code == 200
    r = try_login(fresh, s, "other@example.org", PW)
    assert r.status_code == 200 or r.status_code == 303
    try_login(fresh, s, "u99@example.org", "wrong password!")
    r = try_login(fresh, s, "other@example.org", PW)
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_admin_pages_by_role(site):
    pages = ["/admin/users", "/admin/tokens", "/admin/audit"]
    s, _ = login(site, "au@example.org")
    for p in pages:
        assert s.get(site.url + p, allow_redirects=False).status_code == 403
    tok = page_csrf(s, site)
    r = s.post(site.url + "/admin/users", allow_redirects=False,
               data={"csrf": tok, "email": "x2@example.org", "name": "X",
                     "role": "admin", "password": PW})
    assert r.status_code == 403
    assert "x2@example.org" not in quire(site.db, "user", "list").stdout
    home = s.get(site.url + "/admin/").text
    assert 'href="/admin/users"' not in home
    assert 'href="/admin/account"' in home
    s, _ = login(site, "admin@example.org")
    for p in pages + ["/admin/account"]:
        r = s.get(site.url + p)
        assert r.status_code == 200, p
    assert "ed@example.org" in s.get(site.url + "/admin/users").text
    assert "user.add" in s.get(site.url + "/admin/audit").text


def test_users_and_tokens_pages_write(site):
    s, _ = login(site, "admin@example.org")
    tok = page_csrf(s, site)
    r = s.post(site.url + "/admin/users",
               data={"csrf": tok, "email": "page@example.org",
                     "name": "<b>Page</b>", "role": "editor",
                     "password": PW})
    assert r.status_code == 200 and "User added." in r.text
    assert "&lt;b&gt;Page&lt;/b&gt;" in r.text and "<b>Page</b>" not in r.text
    r = s.post(site.url + "/admin/users",
               data={"csrf": tok, "email": "page2@example.org", "name": "P",
                     "role": "editor", "password": "short"})
    assert r.status_code == 400 and "at least 10 characters" in r.text
    uid = [l.split("\t")[0] for l in quire(site.db, "user", "list")
           .stdout.splitlines() if "page@example.org" in l][0]
    r = s.post(site.url + f"/admin/users/{uid}/role",
               data={"csrf": tok, "role": "author"})
    assert r.status_code == 200
    assert "page@example.org\t<b>Page</b>\tauthor" in \
        quire(site.db, "user", "list").stdout
    r = s.post(site.url + "/admin/tokens",
               data={"csrf": tok, "name": "web-made", "role": "editor"})
    assert r.status_code == 200
    token = re.search(r'id="new-token">([^<]+)<', r.text).group(1)
    assert api(site, "GET", "/api/admin/me", token).json()["role"] == \
        "editor"
    assert token not in s.get(site.url + "/admin/tokens").text
    r = s.post(site.url + "/admin/tokens/web-made/revoke",
               data={"csrf": tok})
    assert r.status_code == 200
    assert api(site, "GET", "/api/admin/me", token).status_code == 401
    out = quire(site.db, "audit").stdout
    assert "admin@example.org\ttoken.revoke\ttoken:web-made" in out
    assert "admin@example.org\tuser.role\tuser:" in out


def test_password_change_keeps_this_session_only(site):
    add_user(site.db, "pw@example.org", "author")
    s1, _ = login(site, "pw@example.org")
    s2, _ = login(site, "pw@example.org")
    tok = page_csrf(s1, site)
    r = s1.post(site.url + "/admin/account/password",
                data={"csrf": tok, "current": "wrong one!!", "password":
                      "new password 123", "again": "new password 123"})
    assert r.status_code == 400
    r = s1.post(site.url + "/admin/account/password",
                data={"csrf": tok, "current": PW, "password":
                      "new password 123", "again": "new password 123"})
    assert r.status_code == 200 and "Password changed" in r.text
    assert s1.get(site.url + "/admin/", allow_redirects=False) \
        .status_code == 200
    assert s2.get(site.url + "/admin/", allow_redirects=False) \
        .status_code == 303
    login(site, "pw@example.org", "new password 123")


def test_totp_enrol_and_login(site):
    import pyotp
    add_user(site.db, "otp@example.org", "editor")
    s, _ = login(site, "otp@example.org")
    r = s.get(site.url + "/admin/account/totp")
    assert r.status_code == 200 and "<svg" in r.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', r.text).group(1)
    tok = csrf_of(r.text)
    r = s.post(site.url + "/admin/account/totp",
               data={"csrf": tok, "secret": secret, "code": "000000"})
    assert r.status_code == 400
    enrol_code = pyotp.TOTP(secret).now()
    r = s.post(site.url + "/admin/account/totp",
               data={"csrf": tok, "secret": secret, "code": enrol_code})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>",
                       r.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    # the next login needs a code
    s2 = requests.Session()
    s2.headers.update(UA)
    t = csrf_of(s2.get(site.url + "/admin/login").text)
    r = s2.post(site.url + "/admin/login", allow_redirects=False,
                data={"email": "otp@example.org", "password": PW, "csrf": t})
    assert r.status_code == 303
    assert r.headers["Location"] == "/admin/login/totp"
    assert s2.get(site.url + "/admin/", allow_redirects=False) \
        .headers["Location"] == "/admin/login/totp"
    assert s2.get(site.url + "/admin/users",
                  allow_redirects=False).status_code == 303
    # the login form still works for a browser awaiting its code
    t = csrf_of(s2.get(site.url + "/admin/login").text)
    r = s2.post(site.url + "/admin/login", allow_redirects=False,
                data={"email": "otp@example.org", "password": PW, "csrf": t})
    assert r.status_code == 303
    assert r.headers["Location"] == "/admin/login/totp"
    page = s2.get(site.url + "/admin/login/totp").text
    t = csrf_of(page)
    r = s2.post(site.url + "/admin/login/totp", allow_redirects=False,
                data={"csrf": t, "code": "123456"})
    assert r.status_code == 200 and "not right" in r.text
    # the code that proved the enrolment is used: the next one (one step
    # of drift ahead) logs in
    r = s2.post(site.url + "/admin/login/totp", allow_redirects=False,
                data={"csrf": t, "code": enrol_code})
    assert r.status_code == 200 and "already used" in r.text
    code = pyotp.TOTP(secret).at(time.time() + 30)
    r = s2.post(site.url + "/admin/login/totp", allow_redirects=False,
                data={"csrf": t, "code": code})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/"
    assert s2.get(site.url + "/admin/").status_code == 200
    # that code, presented again within its window, is refused
    s4 = requests.Session()
    s4.headers.update(UA)
    t4 = csrf_of(s4.get(site.url + "/admin/login").text)
    s4.post(site.url + "/admin/login",
            data={"email": "otp@example.org", "password": PW, "csrf": t4})
    t4 = csrf_of(s4.get(site.url + "/admin/login/totp").text)
    r = s4.post(site.url + "/admin/login/totp", allow_redirects=False,
                data={"csrf": t4, "code": code})
    assert r.status_code == 200 and "already used" in r.text
    assert s4.get(site.url + "/admin/",
                  allow_redirects=False).status_code == 303
    # a recovery code works once
    for attempt in (303, 200):
        s3 = requests.Session()
        s3.headers.update(UA)
        t = csrf_of(s3.get(site.url + "/admin/login").text)
        s3.post(site.url + "/admin/login",
                data={"email": "otp@example.org", "password": PW, "csrf": t})
        t = csrf_of(s3.get(site.url + "/admin/login/totp").text)
        r = s3.post(site.url + "/admin/login/totp", allow_redirects=False,
                    data={"csrf": t, "code": codes[0].upper()})
        assert r.status_code == attempt
    # the secret is stored, the recovery codes only hashed
    con = sqlite3.connect(site.db)
    hashes = [h for (h,) in con.execute("SELECT hash FROM recovery_codes")]
    con.close()
    assert len(hashes) == 9 and not set(codes) & set(hashes)
    out = quire(site.db, "audit").stdout
    assert "otp@example.org\ttotp.enable" in out
    assert "otp@example.org\ttotp.recovery_used" in out


def enrol(srv, s):
    """Enrols the session's user in TOTP; returns the secret."""
    import pyotp
    r = s.get(srv.url + "/admin/account/totp")
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', r.text).group(1)
    r = s.post(srv.url + "/admin/account/totp",
               data={"csrf": csrf_of(r.text), "secret": secret,
                     "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    return secret


def test_require_totp_for_all(site):
    add_user(site.db, "req@example.org", "author")
    add_user(site.db, "boss@example.org", "admin")
    s, _ = login(site, "boss@example.org")
    tok = page_csrf(s, site)
    r = s.post(site.url + "/admin/users/require-totp",
               data={"csrf": tok, "require": "1"})
    assert r.status_code == 409 and "your own account first" in r.text
    enrol(site, s)
    r = s.post(site.url + "/admin/users/require-totp",
               data={"csrf": tok, "require": "1"})
    assert r.status_code == 200 and "now required" in r.text
    u, _ = login(site, "req@example.org")
    r = u.get(site.url + "/admin/", allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/admin/account/totp"
    assert u.get(site.url + "/admin/account/totp").status_code == 200
    r = s.post(site.url + "/admin/users/require-totp",
               data={"csrf": tok, "require": "0"})
    assert r.status_code == 200 and "now optional" in r.text
    assert u.get(site.url + "/admin/", allow_redirects=False) \
        .status_code == 200
    assert "boss@example.org\tsettings.require_totp\ton" in \
        quire(site.db, "audit").stdout


def test_api_token_guessing_is_limited(fresh):
    t = quire(fresh.db, "token", "add", "--name", "good", "--role",
              "admin").stdout.strip()
    for i in range(30):
        r = api(fresh, "GET", "/api/admin/me", f"guess-{i}")
        assert r.status_code == 401
    r = api(fresh, "GET", "/api/admin/me", t)
    assert r.status_code == 429
    assert error_of(r)["code"] == "too_many_requests"
    assert int(r.headers["Retry-After"]) >= 1


def test_api_tokens(site, tokens):
    t = tokens["admin"]
    r = api(site, "POST", "/api/admin/tokens", t,
            json={"name": "made-by-api", "role": "author"})
    assert r.status_code == 201, r.text
    made = r.json()["token"]
    assert api(site, "GET", "/api/admin/me", made).json() == \
        {"who": "token:made-by-api", "role": "author"}
    listed = api(site, "GET", "/api/admin/tokens", t).json()["tokens"]
    assert {"made-by-api", "t-admin"} <= {x["name"] for x in listed}
    assert made not in str(listed)
    r = api(site, "POST", "/api/admin/tokens", t,
            json={"name": "made-by-api", "role": "author"})
    assert r.status_code == 409
    r = api(site, "POST", "/api/admin/tokens", t,
            json={"name": "bad name!", "role": "author"})
    assert r.status_code == 422 and "'name'" in error_of(r)["message"]
    r = api(site, "DELETE", "/api/admin/tokens/made-by-api", tokens["editor"])
    assert r.status_code == 403
    r = api(site, "DELETE", "/api/admin/tokens/made-by-api", t)
    assert r.status_code == 204
    assert api(site, "GET", "/api/admin/me", made).status_code == 401
    r = api(site, "DELETE", "/api/admin/tokens/made-by-api", t)
    assert r.status_code == 404
    assert "token:t-admin\ttoken.revoke\ttoken:made-by-api" in \
        quire(site.db, "audit").stdout


def test_cookie_secure_when_base_url_is_https(fresh):
    import time
    quire(fresh.db, "config", "set", "base_url", "https://journal.example")
    deadline = time.time() + 10
    while True:  # the server rereads base_url within a second or so
        s = requests.Session()
        s.headers.update(UA)
        r = s.get(fresh.url + "/admin/login")
        if "Secure" in r.headers["Set-Cookie"] or time.time() > deadline:
            break
        time.sleep(0.2)
    assert "Secure" in r.headers["Set-Cookie"].split("; ")
    # a Secure cookie does not go back over http: send it by hand
    login_cookie = r.headers["Set-Cookie"].split(";")[0]
    r = requests.post(fresh.url + "/admin/login", allow_redirects=False,
                      headers=dict(UA, Cookie=login_cookie),
                      data={"email": "victim@example.org", "password": PW,
                            "csrf": csrf_of(r.text)})
    assert r.status_code == 303
    flags = r.headers["Set-Cookie"].split("; ")
    assert flags[0].startswith("quire_session=") and "Secure" in flags


def test_user_add_prompts_without_echo(tmp_path):
    """Without --password-stdin the password is asked on the terminal,
    twice, and not echoed."""
    import os
    import pty
    from conftest import QUIRE
    db = tmp_path / "j.db"
    quire(db, "init")
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(QUIRE, [QUIRE, "--db", str(db), "user", "add",
                         "tty@example.org", "--name", "Tty", "--role",
                         "editor"])
    seen = b""

    def read_until(word):
        nonlocal seen
        while word not in seen:
            chunk = os.read(fd, 1024)
            if not chunk:
                break
            seen += chunk

    read_until(b"Password: ")
    os.write(fd, b"typed on a tty\n")
    read_until(b"again: ")
    os.write(fd, b"typed on a tty\n")
    try:
        while os.read(fd, 1024):
            pass
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert b"typed on a tty" not in seen
    assert "tty@example.org" in quire(db, "user", "list").stdout


def test_a_theme_change_leaves_the_back_office_alone(tmp_path):
    """The journal's theme replaced by a stripped-down one (its error page
    and layout rewritten, its stylesheet gone): the back office renders
    from theme/admin exactly as before."""
    import shutil
    from conftest import REPO
    theme = tmp_path / "mytheme"
    shutil.copytree(REPO / "theme" / "default", theme)
    (theme / "templates" / "error.mustache").write_text("oops {{status}}")
    (theme / "templates" / "layout.mustache").write_text("{{> content}}")
    for css in (theme / "assets").rglob("*.css"):
        css.unlink()
    db = tmp_path / "j.db"
    quire(db, "init")
    add_user(db, "t@example.org", "admin")
    srv = Server(db, tmp_path,
                 extra_ini=f"[server]\ntheme = {theme}\n")
    try:
        assert srv.get("/no-such-page").text.startswith("oops 404")
        s, _ = login(srv, "t@example.org")
        r = s.get(srv.url + "/admin/")
        assert r.status_code == 200 and "Dashboard" in r.text
        assert "/admin/assets/admin.css" in r.text
        assert s.get(srv.url + "/admin/assets/admin.css").status_code == 200
        r = s.get(srv.url + "/admin/nope")
        assert r.status_code == 404 and "oops" not in r.text
    finally:
        assert srv.stop() == 0, srv.output()
