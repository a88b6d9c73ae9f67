"""The newsletter end to end (issue 11): double opt-in through a real SMTP
server (aiosmtpd), scanner-safe confirmation, RFC 8058 one-click
unsubscribe, no enumeration, rate limits, Origin checks, CSV import,
digests to many subscribers, 5xx failures, an SMTP outage and kill -9 in
the middle of a campaign. QUIRE_LONG=1 sends 2,000-message campaigns;
QUIRE_KILL_ROUNDS sets how many times the server is killed."""
import email
import os
import re
import signal
import subprocess
import time

import pytest
import requests

from conftest import REPO, Server, free_port, make_journal, quire
from smtp_sink import SmtpSink

LONG = os.environ.get("QUIRE_LONG") == "1"
N_DIGEST = 2000 if LONG else 300
KILL_ROUNDS = int(os.environ.get("QUIRE_KILL_ROUNDS", "4" if LONG else "1"))
THEME = REPO / "theme" / "default"
UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}


def mail_ini(sink, extra=""):
    return ("[mail]\n"
            f"smtp_url = {sink.url}\n"
            "mail_from = The CACI Analyst <news@analyst.example>\n"
            "mail_reply_to = editors@analyst.example\n"
            "mail_workers = 2\n" + extra)


@pytest.fixture()
def sink():
    s = SmtpSink(free_port())
    s.start()
    yield s
    s.stop()


@pytest.fixture()
def setup(tmp_path, sink):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path, mail_ini(sink, "signups_per_client = 1000\n"))
    quire(db, "config", "set", "base_url", srv.url)
    yield db, srv, sink, tmp_path
    if srv.proc.poll() is None:
        assert srv.stop() == 0, srv.output()


def wait_for(pred, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def signup(srv, addr, headers=None):
    h = dict(UA)
    h.update(headers or {})
    return requests.post(srv.url + "/newsletter", data={"email": addr},
                         headers=h, timeout=10)


def nq(db, tmp, *args, **kw):
    """quire with the [mail] settings a CLI needs (mail_from)."""
    ini = tmp / "cli.ini"
    if not ini.exists():
        ini.write_text("[mail]\nmail_from = news@analyst.example\n"
                       f"[server]\ntheme = {THEME}\n")
    return quire(db, *args, env={**os.environ, "QUIRE_CONFIG": str(ini)},
                 **kw)


def states(db):
    out = quire(db, "subscriber", "list").stdout
    return {l.split("\t")[0]: l.split("\t")[1] for l in out.splitlines()}


def mails_to(sink, addr):
    return [m for r, m in sink.parsed() if r == addr]


def text_part(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_double_opt_in_and_one_click_unsubscribe(setup):
    db, srv, sink, _ = setup
    r = signup(srv, "reader@example.org")
    assert r.status_code == 200
    assert "confirm" in r.text
    assert states(db)["reader@example.org"] == "pending"
    msg = wait_for(lambda: mails_to(sink, "reader@example.org"),
                   what="the confirmation mail")[0]
    assert msg["To"] == "reader@example.org"
    assert "CACI Analyst" in str(msg["Subject"])
    assert re.fullmatch(r"<[0-9a-f]{24}@analyst\.example>", msg["Message-ID"])
    assert msg["Date"] and msg["Reply-To"] == "editors@analyst.example"
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsub = re.search(r"<(\S+)>", msg["List-Unsubscribe"]).group(1)
    assert unsub.startswith(srv.url + "/newsletter/unsubscribe/")
    body = text_part(msg)
    assert unsub in body  # the footer has the same link in words
    confirm = re.search(r"(http://\S+/newsletter/confirm/\S+)", body).group(1)
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert confirm in html
    raw = [c for r, c in sink.messages if r == "reader@example.org"][0]
    # RFC 5322: 78 columns, but a URL cannot be broken (998 is the limit)
    long = [l for l in raw.split(b"\r\n")
            if len(l) > 78 and not (l.startswith(b" <http") and len(l) < 998)]
    assert not long, long

    # A scanner's GET shows a button and confirms nobody.
    g = requests.get(confirm, headers=UA, timeout=10)
    assert g.status_code == 200 and "<form method=\"post\"" in g.text
    assert states(db)["reader@example.org"] == "pending"
    p = requests.post(confirm, headers=UA, timeout=10)
    assert p.status_code == 200 and "confirmed" in p.text
    assert states(db)["reader@example.org"] == "confirmed"
    p2 = requests.post(confirm, headers=UA, timeout=10)  # twice is harmless
    assert p2.status_code == 200
    assert states(db)["reader@example.org"] == "confirmed"
    forged = confirm[:-4] + ("0000" if not confirm.endswith("0000") else "1111")
    assert requests.post(forged, headers=UA, timeout=10).status_code == 404

    # GET of the unsubscribe URL shows a button and changes nothing.
    g = requests.get(unsub, headers=UA, timeout=10)
    assert g.status_code == 200 and "Unsubscribe" in g.text
    assert states(db)["reader@example.org"] == "confirmed"
    # The one-click POST exactly as Gmail sends it (RFC 8058).
    p = requests.post(unsub, data=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded",
                               "User-Agent": "Mozilla/5.0 (compatible; "
                               "Google-Unsubscribe)"}, timeout=10)
    assert p.status_code == 200
    assert states(db)["reader@example.org"] == "unsubscribed"


def test_no_enumeration_and_no_mail_bombing(setup):
    db, srv, sink, _ = setup
    quire_in = srv.url  # noqa: F841
    (setup[3] / "c.csv").write_text("known@example.org\n")
    quire(db, "subscriber", "import", str(setup[3] / "c.csv"), "--confirmed")
    new = signup(srv, "fresh@example.org")
    known = signup(srv, "known@example.org")
    again = signup(srv, "fresh@example.org")
    assert new.status_code == known.status_code == again.status_code == 200
    norm = [r.text.replace(a, "ADDR") for r, a in
            [(new, "fresh@example.org"), (known, "known@example.org"),
             (again, "fresh@example.org")]]
    assert norm[0] == norm[1] == norm[2]
    wait_for(lambda: mails_to(sink, "fresh@example.org")
             and mails_to(sink, "known@example.org"), what="two mails")
    for _ in range(3):
        signup(srv, "known@example.org")
    time.sleep(2.5)
    # one confirmation to the confirmed address within the hour, no more
    assert len(mails_to(sink, "known@example.org")) == 1
    assert len(mails_to(sink, "fresh@example.org")) == 1


def test_bad_addresses_and_cross_site(setup):
    db, srv, sink, _ = setup
    for bad in ["not-an-address", "a@b.org\r\nBcc: x@evil.example",
                "x" * 250 + "@example.org", ""]:
        r = signup(srv, bad)
        assert r.status_code == 400, bad
        assert "<form" in r.text
    big = "y" * 60000 + "@"
    r = signup(srv, big)
    assert r.status_code == 400 and len(r.text) < 20000
    r = signup(srv, "victim@example.org",
               {"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = signup(srv, "victim@example.org",
               {"Referer": "https://evil.example/page"})
    assert r.status_code == 403
    r = signup(srv, "ok@example.org", {"Origin": srv.url,
                                       "Referer": srv.url + "/"})
    assert r.status_code == 200
    assert set(states(db)) == {"ok@example.org"}


def test_rate_limits(tmp_path, sink):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path, mail_ini(sink, "signups_per_client = 5\n"))
    try:
        codes = [signup(srv, f"r{i}@example.org").status_code
                 for i in range(40)]
        assert codes[:5] == [200] * 5
        assert set(codes[5:]) == {429}
        assert len(states(db)) == 5
    finally:
        assert srv.stop() == 0


def test_rate_limit_per_target(setup):
    db, srv, sink, _ = setup
    codes = [signup(srv, "target@example.org").status_code for _ in range(6)]
    assert codes[:3] == [200] * 3 and set(codes[3:]) == {429}


def import_confirmed(db, tmp, n, prefix="sub"):
    f = tmp / f"{prefix}.csv"
    f.write_text("email,name\n" + "".join(
        f"{prefix}{i}@example.org,Reader {i}\n" for i in range(n)))
    p = quire(db, "subscriber", "import", str(f), "--confirmed")
    assert f"imported {n} (confirmed)" in p.stderr
    return [f"{prefix}{i}@example.org" for i in range(n)]


def test_csv_import_reports_bad_lines(tmp_path):
    db = make_journal(tmp_path)
    f = tmp_path / "list.csv"
    f.write_text('name,"email"\nA,a@example.org\nB,not-mail\nC,"a@example.org"'
                 '\nD,\n')
    p = quire(db, "subscriber", "import", str(f))
    assert "list.csv:3: not an e-mail address" in p.stderr
    assert "list.csv:4: a@example.org is already on the list" in p.stderr
    assert "list.csv:5: no address" in p.stderr
    assert states(db) == {"a@example.org": "pending"}
    quire(db, "subscriber", "remove", "a@example.org")
    assert states(db) == {}
    assert quire(db, "subscriber", "remove", "a@example.org",
                 check=False).returncode == 1


def test_digest_to_many_and_one_5xx(setup):
    db, srv, sink, tmp = setup
    addrs = import_confirmed(db, tmp, N_DIGEST)
    sink.refuse["sub7@example.org"] = "550 5.1.1 sub7: no such mailbox"
    (tmp / "u.csv").write_text("gone@example.org\n")
    quire(db, "subscriber", "import", str(tmp / "u.csv"))  # pending: no mail
    p = nq(db, tmp, "newsletter", "send", "--issue", "2004-06-30", "--subject",
              "Issue of 30 June — Pakistan & Russia")
    assert f"{N_DIGEST} messages queued" in p.stdout
    wait_for(lambda: sink.count() >= N_DIGEST - 1, timeout=120,
             what="the digest")
    time.sleep(1)
    got = sink.parsed()
    by = {}
    for r, m in got:
        by.setdefault(r, []).append(m)
    assert set(by) == set(addrs) - {"sub7@example.org"}
    assert all(len(v) == 1 for v in by.values())
    m = by["sub3@example.org"][0]
    assert str(m["Subject"]) == "Issue of 30 June — Pakistan & Russia"
    text = text_part(m)
    assert "PAKISTAN–RUSSIA RELATIONS" in text
    assert "Zahid Anwar" in text and "Field Reports" in text
    assert srv.url + "/articles/" in text
    unsub = re.search(r"<(\S+)>", m["List-Unsubscribe"]).group(1)
    assert unsub in text and "quire.invalid" not in text
    ids = {m["Message-ID"] for v in by.values() for m in v}
    assert len(ids) == len(by)
    def done():
        out = quire(db, "newsletter", "status").stdout
        cols = out.splitlines()[2].split("\t")
        return out if int(cols[3]) + int(cols[5]) == N_DIGEST else None
    st = wait_for(done, what="every row recorded")
    row = st.splitlines()[2].split("\t")
    assert row[1] == "2004-06-30"
    assert int(row[3]) == N_DIGEST - 1 and int(row[5]) == 1
    assert "failed: sub7@example.org: 550 5.1.1 sub7: no such mailbox" in st
    # the send results and the outbox's depth, as Prometheus reads them
    from test_ops import metrics_of
    m = metrics_of(srv.get("/metrics").text)
    sent = m[("quire_mail_outbox_messages", (("state", "sent"),))]
    assert sent >= N_DIGEST - 1
    assert m[("quire_mail_outbox_messages", (("state", "failed"),))] >= 1
    assert ("quire_mail_outbox_messages", (("state", "queued"),)) in m


def test_unsubscribed_before_send_is_skipped(tmp_path, sink):
    db = make_journal(tmp_path)
    import_confirmed(db, tmp_path, 5)
    nq(db, tmp_path, "newsletter", "send", "--issue", "2004-06-30")
    quire(db, "subscriber", "remove", "sub2@example.org")
    srv = Server(db, tmp_path, mail_ini(sink))
    try:
        wait_for(lambda: sink.count() >= 4, what="4 mails")
        time.sleep(1.5)
        assert sorted(r for r, _ in sink.parsed()) == [
            f"sub{i}@example.org" for i in (0, 1, 3, 4)]
        st = quire(db, "newsletter", "status").stdout.splitlines()[2]
        assert st.split("\t")[3:7] == ["4", "0", "0", "1"]
    finally:
        assert srv.stop() == 0


def test_smtp_down_then_back(setup):
    db, srv, sink, tmp = setup
    addrs = import_confirmed(db, tmp, 20, "down")
    sink.stop()
    nq(db, tmp, "newsletter", "send", "--issue", "2004-06-30")
    wait_for(lambda: "\t0\t0\t20\t" in quire(db, "newsletter",
                                             "status").stdout,
             what="every row retrying")
    time.sleep(2)
    sink.start()
    wait_for(lambda: sink.count() >= 20, timeout=60, what="delivery after "
             "the server came back")
    assert sorted(r for r, _ in sink.parsed()) == sorted(addrs)


def test_kill_9_during_a_campaign(tmp_path, sink):
    db = make_journal(tmp_path)
    n = N_DIGEST
    addrs = import_confirmed(db, tmp_path, n)
    nq(db, tmp_path, "newsletter", "send", "--issue", "2004-06-30")
    for _ in range(KILL_ROUNDS):
        srv = Server(db, tmp_path, mail_ini(sink))
        start = sink.count()
        wait_for(lambda: sink.count() >= min(n, start + n // (KILL_ROUNDS + 2)),
                 timeout=120, what="progress")
        srv.proc.kill()
        srv.proc.wait()
        srv.log.close()
    srv = Server(db, tmp_path, mail_ini(sink))
    try:
        def all_in():
            return len({r for r, _ in sink.parsed()}) == n
        wait_for(all_in, timeout=180, what="every message after restarts")
        time.sleep(1)
        got = sink.parsed()
        by = {}
        for r, m in got:
            by.setdefault(r, []).append(m["Message-ID"])
        assert set(by) == set(addrs)
        dups = {r: v for r, v in by.items() if len(v) > 1}
        # only a message in flight at a kill (one per worker) may come twice,
        # and then with the same Message-ID
        assert len(dups) <= 2 * KILL_ROUNDS, dups
        assert all(len(set(v)) == 1 for v in dups.values())
        st = quire(db, "newsletter", "status").stdout.splitlines()[2]
        assert st.split("\t")[3] == str(n)
    finally:
        assert srv.stop() == 0


def test_sigterm_finishes_and_loses_nothing(tmp_path, sink):
    db = make_journal(tmp_path)
    addrs = import_confirmed(db, tmp_path, 100)
    nq(db, tmp_path, "newsletter", "send", "--issue", "2004-06-30")
    srv = Server(db, tmp_path, mail_ini(sink))
    wait_for(lambda: sink.count() >= 10, what="progress")
    assert srv.stop(signal.SIGTERM) == 0
    sent_before = sink.count()
    st = quire(db, "newsletter", "status").stdout.splitlines()[2].split("\t")
    # every message the SMTP server has is recorded as sent: no duplicate
    assert int(st[3]) == sent_before
    srv = Server(db, tmp_path, mail_ini(sink))
    try:
        wait_for(lambda: sink.count() >= 100, what="the rest")
        time.sleep(1)
        assert sorted(r for r, _ in sink.parsed()) == sorted(addrs)
    finally:
        assert srv.stop() == 0


def test_mail_test_command(tmp_path, sink):
    db = make_journal(tmp_path)
    ini = tmp_path / "m.ini"
    ini.write_text(mail_ini(sink))
    p = subprocess.run([os.environ.get("QUIRE_BIN", "quire"), "--db", str(db),
                        "--config", str(ini), "mail", "test",
                        "ops@example.org"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "250" in p.stdout
    assert mails_to(sink, "ops@example.org")[0]["Subject"] == \
        "Quire test message"
    sink.refuse["nope@example.org"] = "550 5.1.1 unknown user"
    p = subprocess.run([os.environ.get("QUIRE_BIN", "quire"), "--db", str(db),
                        "--config", str(ini), "mail", "test",
                        "nope@example.org"], capture_output=True, text=True)
    assert p.returncode == 1 and "550 5.1.1 unknown user" in p.stderr


def test_dkim_signed_and_verified(tmp_path, sink):
    import dkim
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", str(key)], check=True,
                   capture_output=True)
    db = make_journal(tmp_path)
    extra = ("dkim_domain = analyst.example\ndkim_selector = q2026\n"
             f"dkim_key_file = {key}\n")
    ini = tmp_path / "dkim.ini"
    ini.write_text(mail_ini(sink, extra))
    rec = quire(db, "mail", "dkim-record",
                env={**os.environ, "QUIRE_CONFIG": str(ini)}).stdout
    assert rec.startswith("q2026._domainkey.analyst.example. IN TXT")
    txt = "".join(re.findall(r'"([^"]*)"', rec))
    assert txt.startswith("v=DKIM1; k=rsa; p=")

    def dns(name, timeout=5):
        assert name == b"q2026._domainkey.analyst.example."
        return txt.encode()

    srv = Server(db, tmp_path, mail_ini(sink, extra))
    try:
        signup(srv, "signed@example.org")
        wait_for(lambda: mails_to(sink, "signed@example.org"), what="mail")
        raw = [c for r, c in sink.messages if r == "signed@example.org"][0]
        assert raw.startswith(b"DKIM-Signature: ")
        assert dkim.verify(raw, dnsfunc=dns)
        sig = email.message_from_bytes(raw)["DKIM-Signature"]
        h = re.search(r"(?:^|;)h=([^;]+)", re.sub(r"\s+", "", sig)).group(1).lower()
        assert "list-unsubscribe" in h.split(":")
        assert "list-unsubscribe-post" in h.split(":")
        assert "a=rsa-sha256" in re.sub(r"\s+", "", sig)
        # a relay changing the unsubscribe link breaks the signature
        forged = raw.replace(b"/newsletter/unsubscribe/u",
                             b"/newsletter/unsubscribe/v", 1)
        assert not dkim.verify(forged, dnsfunc=dns)
    finally:
        assert srv.stop() == 0


def genkey(path, alg):
    opts = ["-pkeyopt", "rsa_keygen_bits:2048"] if alg == "RSA" else []
    subprocess.run(["openssl", "genpkey", "-algorithm", alg, *opts, "-out",
                    str(path)], check=True, capture_output=True)
    return path


def dkim_records(out):
    """{selector: TXT text} from `quire mail dkim-record` (records are
    separated by an empty line; each splits p= in quoted strings)."""
    recs = {}
    for block in out.strip().split("\n\n"):
        sel, rest = block.split()[0].split("._domainkey.", 1)
        assert rest == "analyst.example."
        recs[sel] = "".join(re.findall(r'"([^"]*)"', block))
    return recs


def dkim_ini(ini, sink, rsa, ed):
    """The [mail] settings with both keys (selectors q2026, q2026ed)."""
    extra = ("dkim_domain = analyst.example\ndkim_selector = q2026\n"
             f"dkim_key_file = {rsa}\ndkim_ed25519_selector = q2026ed\n"
             f"dkim_ed25519_key_file = {ed}\n")
    ini.write_text(mail_ini(sink, extra))
    return extra, ini


def dns_for(recs, *sels):
    """A python3-dkim dnsfunc that knows only the records of sels."""
    def dns(name, timeout=5):
        for sel in sels:
            if name == f"{sel}._domainkey.analyst.example.".encode():
                return recs[sel].encode()
        return None
    return dns


def test_dkim_rsa_and_ed25519_both_verify(tmp_path, sink):
    """RFC 8463: an Ed25519-SHA256 signature alongside the RSA one, each
    verified with python3-dkim against the record `dkim-record` printed."""
    import base64
    import dkim
    rsa = genkey(tmp_path / "rsa.pem", "RSA")
    ed = genkey(tmp_path / "ed.pem", "ed25519")
    db = make_journal(tmp_path)
    extra, ini = dkim_ini(tmp_path / "dkim.ini", sink, rsa, ed)
    rec = quire(db, "mail", "dkim-record",
                env={**os.environ, "QUIRE_CONFIG": str(ini)}).stdout
    recs = dkim_records(rec)
    assert sorted(recs) == ["q2026", "q2026ed"]
    assert recs["q2026"].startswith("v=DKIM1; k=rsa; p=")
    assert recs["q2026ed"].startswith("v=DKIM1; k=ed25519; p=")
    # p= is the raw 32-byte public key: the last 32 bytes of its DER form
    der = subprocess.run(["openssl", "pkey", "-in", str(ed), "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    assert base64.b64decode(recs["q2026ed"].split("p=", 1)[1]) == der[-32:]
    both = dns_for(recs, "q2026", "q2026ed")

    srv = Server(db, tmp_path, mail_ini(sink, extra))
    try:
        signup(srv, "two@example.org")
        wait_for(lambda: mails_to(sink, "two@example.org"), what="mail")
        raw = [c for r, c in sink.messages if r == "two@example.org"][0]
        msg = email.message_from_bytes(raw)
        sigs = [re.sub(r"\s+", "", s) for s in msg.get_all("DKIM-Signature")]
        assert len(sigs) == 2
        assert "a=rsa-sha256" in sigs[0] and "s=q2026;" in sigs[0]
        assert "a=ed25519-sha256" in sigs[1] and "s=q2026ed;" in sigs[1]
        for s in sigs:
            h = re.search(r"(?:^|;)h=([^;]+)", s).group(1).lower().split(":")
            assert "list-unsubscribe" in h and "list-unsubscribe-post" in h
        assert dkim.DKIM(raw).verify(idx=0, dnsfunc=dns_for(recs, "q2026"))
        # the Ed25519 one alone, with only its own record in the DNS
        assert dkim.DKIM(raw).verify(idx=1, dnsfunc=dns_for(recs, "q2026ed"))
        forged = raw.replace(b"/newsletter/unsubscribe/u",
                             b"/newsletter/unsubscribe/v", 1)
        assert forged != raw
        for i in (0, 1):
            assert not dkim.DKIM(forged).verify(idx=i, dnsfunc=both)
        # `quire mail test` signs with both keys too
        p = subprocess.run([os.environ.get("QUIRE_BIN", "quire"), "--db",
                            str(db), "--config", str(ini), "mail", "test",
                            "ops@example.org"], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        raw = [c for r, c in sink.messages if r == "ops@example.org"][0]
        assert len(email.message_from_bytes(raw).get_all(
            "DKIM-Signature")) == 2
        for i in (0, 1):
            assert dkim.DKIM(raw).verify(idx=i, dnsfunc=both)
        # a digest: the two sender threads sign at once, every message
        # still carries two good signatures
        addrs = import_confirmed(db, tmp_path, 60)
        nq(db, tmp_path, "newsletter", "send", "--issue", "2004-06-30")
        wait_for(lambda: all(mails_to(sink, a) for a in addrs), timeout=60,
                 what="the digest")
        for a in addrs:
            raw = [c for r, c in sink.messages if r == a][0]
            for i in (0, 1):
                assert dkim.DKIM(raw).verify(idx=i, dnsfunc=both), (a, i)
    finally:
        assert srv.stop() == 0


@pytest.mark.parametrize("bad", ["missing", "dir", "empty", "junk", "rsa",
                                 "ed25519-as-rsa"])
def test_dkim_bad_ed25519_key_is_a_clear_error(tmp_path, sink, bad):
    """A bad dkim_ed25519_key_file (or, last, an Ed25519 key given as the
    RSA one): an error naming the file at start (the sender does not
    start, nothing goes out unsigned), never a crash."""
    rsa = genkey(tmp_path / "rsa.pem", "RSA")
    (tmp_path / "junk.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\n\0")
    (tmp_path / "empty.pem").write_bytes(b"")
    path = {"missing": tmp_path / "nope.pem", "dir": tmp_path,
            "empty": tmp_path / "empty.pem", "junk": tmp_path / "junk.pem",
            "rsa": rsa}.get(bad)
    why = {"missing": "No such file", "dir": "Is a directory",
           "rsa": "not an Ed25519 private key",
           "ed25519-as-rsa": "not an RSA private key"}.get(
               bad, "not a private key")
    if bad == "ed25519-as-rsa":
        rsa = path = genkey(tmp_path / "ed.pem", "ed25519")
    db = make_journal(tmp_path)
    extra, ini = dkim_ini(tmp_path / "bad.ini", sink, rsa, path)
    env = {**os.environ, "QUIRE_CONFIG": str(ini)}
    for args in (["mail", "dkim-record"], ["mail", "test", "a@example.org"]):
        p = quire(db, *args, check=False, env=env)
        assert p.returncode == 1, (args, p.returncode, p.stderr)
        assert f"{path}: " in p.stderr and why in p.stderr, p.stderr
    srv = Server(db, tmp_path, mail_ini(sink, extra))
    try:
        assert srv.get("/").status_code == 200
        assert signup(srv, "x@example.org").status_code == 200
        wait_for(lambda: "newsletter sender not started" in srv.output(),
                 what="the start error")
        assert f"{path}: " in srv.output() and why in srv.output()
        time.sleep(1)
        assert not sink.messages
    finally:
        assert srv.stop() == 0


def thread_nices(pid):
    """{thread name: [nice values]} of a process, from /proc."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                nice = int(f.read().rsplit(")", 1)[1].split()[16])
        except OSError:
            continue  # a thread that ended meanwhile
        out.setdefault(name, []).append(nice)
    return out


def test_background_threads_give_way_to_requests(setup):
    """The mail senders, the webhook deliverer and the page cache's thread
    (spills to disk, compression) run at nice 10, so a send cannot take the
    cores from readers; the request threads do not."""
    _, srv, _, _ = setup
    # A client taking gzip starts the cache's thread (it compresses "/").
    srv.get("/", headers={"Accept-Encoding": "gzip"})
    nices = wait_for(lambda: (lambda n: n if "quire-mail" in n and
                              "quire-cache" in n else None)(
        thread_nices(srv.proc.pid)), 10, "the background threads")
    assert set(nices["quire-mail"]) == {10}, nices
    assert nices.get("quire-hooks") == [10], nices
    assert nices.get("quire-cache") == [10], nices
    others = [v for k, vs in nices.items()
              if k not in ("quire-mail", "quire-hooks", "quire-cache")
              for v in vs]
    assert others and set(others) == {0}, nices
