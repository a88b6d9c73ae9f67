"""`quire export json` / `quire import json`: the lossless round trip.

A journal (the seed journal plus a slice of the Reuters corpus; the whole
corpus under QUIRE_LONG=1, with redirects, legacy ids, subscribers and
read counts) is exported, imported into a new journal and exported again:
the two files are byte-identical, and the two journals serve byte-identical
pages. Bad files are FILE:LINE: reason and import nothing.
"""
import json
import os
import shutil
import sqlite3

import pytest
import requests

from conftest import FIXTURES, Server, make_journal, quire

LONG = os.environ.get("QUIRE_LONG") == "1"
REUTERS = FIXTURES / "corpus-reuters21578-md"


def count(db, table):
    con = sqlite3.connect(str(db))
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("json")
    a = make_journal(tmp)
    src = tmp / "reuters"
    src.mkdir()
    names = sorted(REUTERS.glob("*.md"))
    if not LONG:
        names = names[:300]
    for p in names:
        shutil.copy(p, src / p.name)
    quire(a, "import", "markdown", str(src))
    quire(a, "redirect", "add", "/old/page.html", "/about")
    quire(a, "redirect", "add", "/index.php?p=7", "https://example.org/x")
    con = sqlite3.connect(str(a))
    con.execute("INSERT INTO subscribers(email, created_at) VALUES"
                " ('reader@example.org', 1700000000)")
    con.execute("UPDATE articles SET hits = id * 7")
    con.execute("INSERT INTO hits_daily(article_id, day, count)"
                " SELECT id, '2024-01-02', 3 FROM articles LIMIT 20")
    con.execute("INSERT INTO legacy_ids(key, target_kind, target_id)"
                " SELECT 'k2/item/' || id, 'article', id FROM articles")
    con.commit()
    con.close()
    one = tmp / "one.json"
    two = tmp / "two.json"
    quire(a, "export", "json", str(one))
    b = tmp / "restored.db"
    quire(b, "init")
    r = quire(b, "import", "json", str(one))
    assert "imported" in r.stdout
    quire(b, "export", "json", str(two))
    return {"a": a, "b": b, "one": one, "two": two, "tmp": tmp}


def test_round_trip_is_byte_identical(pair):
    assert pair["one"].read_bytes() == pair["two"].read_bytes()
    doc = json.loads(pair["one"].read_text())  # one valid JSON document
    assert doc["format"] == "quire-journal" and doc["version"] == 1
    tables = {t["table"]: t["rows"] for t in doc["tables"]}
    for t in ("settings", "sections", "issues", "authors", "tags",
              "articles", "article_authors", "article_tags", "links",
              "publications", "subscribers", "hits_daily", "redirects",
              "legacy_ids"):
        assert t in tables
        assert len(tables[t]) == count(pair["a"], t), t
    assert tables["subscribers"][0]["email"] == "reader@example.org"


def test_both_journals_serve_the_same_pages(pair):
    sa = Server(pair["a"], pair["tmp"])
    sb = Server(pair["b"], pair["tmp"])
    try:
        con = sqlite3.connect(str(pair["a"]))
        slugs = [s for (s,) in con.execute(
            "SELECT slug FROM articles WHERE status = 1 ORDER BY id LIMIT 40")]
        secs = [s for (s,) in con.execute("SELECT slug FROM sections")]
        tags = [s for (s,) in con.execute("SELECT slug FROM tags LIMIT 10")]
        con.close()
        paths = (["/", "/?page=2", "/issues", "/authors", "/tags", "/archive",
                  "/most-read", "/search?q=oil", "/feed.atom", "/sitemap.xml",
                  "/old/page.html", "/index.php?p=7", "/component/k2/item/3"]
                 + [f"/articles/{s}" for s in slugs]
                 + [f"/sections/{s}" for s in secs]
                 + [f"/tags/{s}" for s in tags])
        for p in paths:
            ra = sa.get(p, allow_redirects=False)
            rb = sb.get(p, allow_redirects=False)
            assert ra.status_code == rb.status_code, p
            assert ra.headers.get("Location") == rb.headers.get("Location"), p
            # absolute URLs name each server's own port
            ca = ra.content.replace(sa.url.encode(), b"ORIGIN").replace(
                f"127.0.0.1:{sa.port}".encode(), b"HOST")
            cb = rb.content.replace(sb.url.encode(), b"ORIGIN").replace(
                f"127.0.0.1:{sb.port}".encode(), b"HOST")
            assert ca == cb, p
    finally:
        assert sa.stop() == 0
        assert sb.stop() == 0


def test_refuses_a_journal_that_is_not_empty(pair):
    r = quire(pair["a"], "import", "json", str(pair["one"]), check=False)
    assert r.returncode == 1 and "not empty" in r.stderr


def test_bad_files_import_nothing(pair, tmp_path):
    text = pair["one"].read_text()
    lines = text.splitlines(keepends=True)
    cases = {
        "truncated.json": "".join(lines[: len(lines) // 2]),
        "bad-row.json": text.replace('{"key":"name"', '{"key":name"', 1),
        "unknown-table.json": text.replace('"table":"links"',
                                           '"table":"nosuch"', 1),
        "not-quire.json": '{"hello": 1}\n',
    }
    for name, body in cases.items():
        f = tmp_path / name
        f.write_text(body)
        db = tmp_path / (name + ".db")
        quire(db, "init")
        r = quire(db, "import", "json", str(f), check=False)
        assert r.returncode == 1, name
        assert f"{f}:" in r.stderr and "nothing imported" in r.stderr, \
            r.stderr
        assert count(db, "articles") == 0 and count(db, "sections") == 0


def issue_order(srv, date, titles):
    """The titles as the issue's table of contents lists them."""
    page = srv.get("/issues/" + date).text
    pos = {t: page.find(t) for t in titles}
    assert all(p >= 0 for p in pos.values()), pos
    return sorted(titles, key=pos.get)


def test_issue_order_round_trips(tmp_path):
    """An editor's order of an issue (articles.issue_position) is in the
    file and restored: the restored journal's table of contents is in the
    editor's order, not by publication. A file from before the column
    imports too, its articles unplaced (by publication, as then)."""
    db = make_journal(tmp_path)
    tok = quire(db, "token", "add", "--name", "j", "--role",
                "editor").stdout.strip()
    d = "2021-03-01"
    titles = ["Alpha Steppe Report", "Beta Steppe Report",
              "Gamma Steppe Report"]
    srv = Server(db, tmp_path)
    try:
        ids = []
        for i, t in enumerate(titles):
            r = requests.post(
                srv.url + "/api/admin/articles", timeout=10,
                headers={"Authorization": "Bearer " + tok},
                json={"title": t, "body": "Text.\n", "status": "published",
                      "section": "Analytical Articles", "issue": d,
                      "authors": ["Ada Writer"],
                      "publish_at": f"2021-01-01T1{i}:00:00Z"})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        assert issue_order(srv, d, titles) == titles  # by publication
        order = [ids[2], ids[0], ids[1]]
        r = requests.put(srv.url + f"/api/admin/issues/{d}", timeout=10,
                         headers={"Authorization": "Bearer " + tok},
                         json={"articles": order})
        assert r.status_code == 200, r.text
    finally:
        assert srv.stop() == 0
    want = [titles[2], titles[0], titles[1]]
    one = tmp_path / "one.json"
    quire(db, "export", "json", str(one))
    doc = json.loads(one.read_text())
    (rows,) = [t["rows"] for t in doc["tables"] if t["table"] == "articles"]
    pos = {r["id"]: r["issue_position"] for r in rows}
    assert [pos[i] for i in order] == [1, 2, 3]
    assert all(v == 1000000000 for i, v in pos.items() if i not in ids)

    restored = tmp_path / "restored.db"
    quire(restored, "init")
    quire(restored, "import", "json", str(one))
    two = tmp_path / "two.json"
    quire(restored, "export", "json", str(two))
    assert one.read_bytes() == two.read_bytes()
    # A file written before issue_position existed.
    old = tmp_path / "old.json"
    text = one.read_text()
    old.write_text(text.replace(',"issue_position":1000000000', "")
                   .replace(',"issue_position":1', "")
                   .replace(',"issue_position":2', "")
                   .replace(',"issue_position":3', ""))
    assert "issue_position" not in old.read_text()
    before = tmp_path / "before.db"
    quire(before, "init")
    quire(before, "import", "json", str(old))
    for path, expect in ((restored, want), (before, titles)):
        srv = Server(path, tmp_path)
        try:
            assert issue_order(srv, d, titles) == expect, path
        finally:
            assert srv.stop() == 0
