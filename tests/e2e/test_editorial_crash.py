"""
Crash safety of the editors' writes: SIGKILL the server while API clients
create and update articles, restart it, and check that every write the
server acknowledged is there and that no article is half-saved: its row
(title, body), its editorial revision and its newest revision row agree.
QUIRE_EDIT_CRASH_ROUNDS (default 3; QUIRE_LONG=1: 40) rounds.
"""
import os
import random
import sqlite3
import threading
import time

import requests

from conftest import Server, make_journal, quire

ROUNDS = int(os.environ.get("QUIRE_EDIT_CRASH_ROUNDS",
                            "40" if os.environ.get("QUIRE_LONG") else "3"))


def writer(srv, token, wid, acked, stop):
    """Create an article, then update it over and over; record each ack."""
    h = {"Authorization": "Bearer " + token}
    s = requests.Session()
    aid = rev = None
    n = 0
    while not stop.is_set():
        n += 1
        body = {"title": f"w{wid} n{n}", "body": f"body {wid} {n}\n" * 50,
                "authors": [f"Writer {wid}"], "tags": ["crash"],
                "status": "published" if n % 2 else "draft"}
        try:
            if aid is None:
                r = s.post(srv.url + "/api/admin/articles", json=body,
                           headers=h, timeout=5)
            else:
                r = s.put(srv.url + f"/api/admin/articles/{aid}",
                          json=dict(body, revision=rev), headers=h, timeout=5)
        except requests.RequestException:
            return
        if r.status_code in (200, 201):
            j = r.json()
            aid, rev = j["id"], j["revision"]
            acked.append((aid, rev, j["title"]))
        elif r.status_code == 409:
            rev = None  # someone else: should not happen, one writer each
            return


def check(db, acked):
    con = sqlite3.connect(str(db), timeout=10)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        last = {}
        for aid, rev, title in acked:
            if rev >= last.get(aid, (0, ""))[0]:
                last[aid] = (rev, title)
        for aid, (rev, title) in last.items():
            row = con.execute(
                "SELECT a.title, a.body_md, e.revision FROM articles a"
                " JOIN article_edit e ON e.article_id = a.id WHERE a.id = ?",
                (aid,)).fetchone()
            assert row, f"acknowledged article {aid} lost"
            assert row[2] >= rev, f"article {aid} went back to {row[2]}"
        # no half-saved article: row == newest revision, for every article
        for aid, title, body, rev in con.execute(
                "SELECT a.id, a.title, a.body_md, e.revision FROM articles a"
                " JOIN article_edit e ON e.article_id = a.id"):
            r = con.execute(
                "SELECT title, body_md FROM article_revisions"
                " WHERE article_id = ? AND n = ?", (aid, rev)).fetchone()
            assert r == (title, body), f"article {aid} half-saved"
    finally:
        con.close()


def test_sigkill_during_api_writes(tmp_path):
    db = make_journal(tmp_path)
    token = quire(db, "token", "add", "--name", "crash", "--role",
                  "editor").stdout.strip()
    rnd = random.Random(os.environ.get("QUIRE_CRASH_SEED"))
    acked = []
    for _ in range(ROUNDS):
        srv = Server(db, tmp_path)
        stop = threading.Event()
        ts = [threading.Thread(target=writer,
                               args=(srv, token, w, acked, stop))
              for w in range(3)]
        for t in ts:
            t.start()
        time.sleep(rnd.uniform(0.3, 0.8))
        srv.proc.kill()
        srv.proc.wait()
        stop.set()
        for t in ts:
            t.join()
        srv.log.close()
        check(db, acked)
    assert len(acked) > ROUNDS, "the writers got nothing through"
    srv = Server(db, tmp_path)
    try:
        aid, rev, title = acked[-1]
        r = requests.get(srv.url + f"/api/admin/articles/{aid}",
                         headers={"Authorization": "Bearer " + token},
                         timeout=10)
        assert r.status_code == 200 and r.json()["revision"] >= rev
    finally:
        assert srv.stop() == 0, srv.output()
