"""Import from Joomla + K2 out of a real MariaDB server, and the old URLs.

The test starts Debian's mariadbd itself in a temporary data directory on a
Unix socket (no network, no system service), loads K2's and Joomla's schemas
and ../shared/fixtures/k2/k2-reuters.sql, imports with `quire import k2`,
and checks every item against k2-reuters.truth.json (made from the same
source rows) and the old URL forms against a running `quire serve`.
QUIRE_LONG=1 checks every published item's URLs; by default a sample.
"""
import contextlib
import html
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import time

import pytest

from conftest import FIXTURES, Server, quire, text_of

K2 = FIXTURES / "k2"
LONG = os.environ.get("QUIRE_LONG") == "1"

pytestmark = pytest.mark.skipif(shutil.which("mariadbd") is None and
                                not os.path.exists("/usr/sbin/mariadbd"),
                                reason="mariadb-server is not installed")


def mariadbd():
    return shutil.which("mariadbd") or "/usr/sbin/mariadbd"


class MariaDB:
    """A throwaway MariaDB server on a Unix socket."""

    def __init__(self, tmp):
        self.dir = tmp
        self.sock = str(tmp / "sock")
        root = ["--user=root"] if os.getuid() == 0 else []
        subprocess.run(["mariadb-install-db", "--no-defaults",
                        f"--datadir={tmp}/data",
                        "--auth-root-authentication-method=normal", *root],
                       check=True, capture_output=True, timeout=120)
        self.log = open(tmp / "mariadbd.log", "w")
        self.proc = subprocess.Popen(
            [mariadbd(), "--no-defaults", f"--datadir={tmp}/data",
             f"--socket={self.sock}", "--skip-networking",
             "--skip-grant-tables", f"--pid-file={tmp}/pid",
             "--innodb-buffer-pool-size=32M", *root],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.sql("SELECT 1", check=False).returncode == 0:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError("mariadbd did not start: " +
                             (tmp / "mariadbd.log").read_text())

    def sql(self, text, db=None, check=True, stdin=None):
        args = ["mariadb", "--no-defaults", f"--socket={self.sock}", "-N",
                "-B"]
        if db:
            args.append(db)
        if text is not None:
            args += ["-e", text]
        p = subprocess.run(args, input=stdin, capture_output=True,
                           text=True, timeout=300)
        if check and p.returncode != 0:
            raise AssertionError(p.stderr)
        return p

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def maria(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("maria")
    m = MariaDB(tmp)
    m.sql("CREATE DATABASE k2 CHARACTER SET utf8mb4")
    schema = ((K2 / "schema-joomla-users.sql").read_text() +
              (K2 / "schema-k2.sql").read_text()).replace("#__", "jos_")
    m.sql(None, db="k2", stdin=schema)
    m.sql(None, db="k2", stdin=(K2 / "k2-reuters.sql").read_text())
    yield m
    m.stop()


@pytest.fixture(scope="module")
def truth():
    return json.loads((K2 / "k2-reuters.truth.json").read_text())


def url(m):
    return f"mysql://root@localhost/k2?prefix=jos_&socket={m.sock}"


def checksums(m):
    out = m.sql("CHECKSUM TABLE jos_k2_items, jos_k2_categories, jos_k2_tags,"
                " jos_k2_tags_xref, jos_users, jos_k2_users", db="k2").stdout
    return out


@pytest.fixture(scope="module")
def imported(maria, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("k2journal")
    db = tmp / "j.db"
    quire(db, "init")
    before = checksums(maria)
    dry = quire(db, "import", "k2", url(maria), "--issue-field", "Issue",
                "--dry-run")
    r = quire(db, "import", "k2", url(maria), "--issue-field", "Issue")
    return {"db": db, "tmp": tmp, "first": r, "dry": dry, "before": before}


def rows(db, sql, *args):
    con = sqlite3.connect(str(db))
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def article_of(db, item_id):
    r = rows(db, "SELECT a.id, a.slug, a.title, a.summary, a.body_md,"
             " a.body_html, a.status, a.published_at, a.hits, s.name,"
             " i.date, a.meta_description FROM articles a"
             " LEFT JOIN sections s ON s.id = a.section_id"
             " LEFT JOIN issues i ON i.id = a.issue_id"
             " WHERE a.source = ?", f"k2:item:{item_id}")
    return r[0] if r else None


def test_summary_dry_run_and_read_only(imported, maria, truth):
    items = truth["items"]
    trashed = sum(1 for v in items.values() if v["state"] == "trashed")
    drafts = sum(1 for v in items.values() if v["state"] == "draft")
    new = len(items) - trashed
    dry = imported["dry"].stdout
    assert "dry run, nothing written" in dry
    assert f"would import {new}," in dry
    out = imported["first"].stdout
    assert f"{len(items)} items read: imported {new}, updated 0," in out
    assert f"skipped {trashed} ({trashed} in the trash, 0 unreadable)" in out
    assert f"{drafts} drafts" in out
    # read only: the source tables are unchanged
    assert checksums(maria) == imported["before"]


def plain_quotes(t):
    """The page's text with cmark's smart punctuation (the theme's
    typographic quotes and dashes) written back as the source's ASCII."""
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'),
                 ("\u201d", '"'), ("\u2014", "---"), ("\u2013", "--"),
                 ("\u2026", "...")):
        t = t.replace(a, b)
    return t


def test_every_field_matches_the_source_rows(imported, truth):
    db = imported["db"]
    authors_of = {}
    for aid, name, pos in rows(db, "SELECT aa.article_id, au.name,"
                               " aa.position FROM article_authors aa"
                               " JOIN authors au ON au.id = aa.author_id"
                               " ORDER BY aa.article_id, aa.position"):
        authors_of.setdefault(aid, []).append(name)
    tags_of = {}
    for aid, name in rows(db, "SELECT at.article_id, t.name FROM"
                          " article_tags at JOIN tags t ON t.id = at.tag_id"
                          " ORDER BY at.article_id, at.position"):
        tags_of.setdefault(aid, []).append(name)
    for item_id, t in truth["items"].items():
        a = article_of(db, item_id)
        if t["state"] == "trashed":
            assert a is None, item_id
            continue
        assert a is not None, item_id
        (aid, slug, title, summary, body_md, body_html, status, published,
         hits, section, issue, _meta) = a
        assert status == (1 if t["state"] == "published" else 0), item_id
        assert title == t["title"], item_id
        if t["alias"]:
            assert slug == t["alias"] or slug.startswith(t["alias"] + "-")
        assert section == t["section"], item_id
        # a name twice in a byline is one author, in first-seen order
        want = list(dict.fromkeys(t["authors"]))
        assert authors_of.get(aid, []) == want, item_id
        assert sorted(tags_of.get(aid, [])) == sorted(t["tags"]), item_id
        assert issue == t["issue"], item_id
        assert hits == t["hits"], item_id
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(published))
        assert when == t["published"], item_id
        text = re.sub(r"\s+", " ", (summary or "") + " " +
                      plain_quotes(text_of(body_html)))
        for p in t["paragraphs"]:
            assert re.sub(r"\s+", " ", p) in text, (item_id, p)
        if t["intro_only"]:
            assert summary is None, item_id
        # never raw HTML, never a javascript: link
        assert "<script" not in body_html and "<iframe" not in body_html
        assert "javascript:" not in body_html.lower(), item_id
        assert "<" not in re.sub(r"\\<", "", body_md), item_id
        if "table" in t["html"]:
            assert "<table>" in body_html, item_id
        if "list" in t["html"]:
            assert "<li>" in body_html, item_id
        if "image" in t["html"]:
            assert "<img" not in body_html and "<a href=" in body_html


def test_bios_metadesc_and_language(imported, maria, truth):
    db = imported["db"]
    bios = dict(rows(db, "SELECT name, bio FROM authors"))
    for u in truth["users"].values():
        if u["bio"] and u["name"] in bios:
            assert bios[u["name"]] == u["bio"]
    meta = maria.sql("SELECT id, metadesc FROM jos_k2_items WHERE trash = 0"
                     " AND metadesc <> ''", db="k2").stdout.splitlines()
    assert meta
    for line in meta[:50]:
        item_id, desc = line.split("\t", 1)
        # spaces collapsed, entities decoded
        assert article_of(db, item_id)[11] == \
            " ".join(html.unescape(desc).split())


def test_rerun_updates_and_never_duplicates(imported, maria, truth):
    db = imported["db"]
    n = rows(db, "SELECT count(*) FROM articles")[0][0]
    # an editor's later change in K2 comes through on the next run
    maria.sql("UPDATE jos_k2_items SET hits = hits + 1000 WHERE id = 11223",
              db="k2")
    r = quire(db, "import", "k2", url(maria), "--issue-field", "Issue")
    assert f"imported 0, updated {n}," in r.stdout
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == n
    assert article_of(db, 11223)[8] == truth["items"]["11223"]["hits"] + 1000
    maria.sql("UPDATE jos_k2_items SET hits = hits - 1000 WHERE id = 11223",
              db="k2")


def test_limit_and_bad_url(maria, tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    r = quire(db, "import", "k2", url(maria), "--limit", "10")
    assert "10 items read" in r.stdout
    assert rows(db, "SELECT count(*) FROM articles")[0][0] <= 10
    bad = quire(db, "import", "k2", "http://x/y", check=False)
    assert bad.returncode != 0 and "mysql://USER" in bad.stderr
    gone = quire(db, "import", "k2",
                 f"mysql://root@localhost/k2?socket={tmp_path}/nosock",
                 check=False)
    assert gone.returncode != 0 and "connect" in gone.stderr
    nofield = quire(db, "import", "k2", url(maria), "--issue-field", "Nope",
                    check=False)
    assert nofield.returncode != 0 and "Nope" in nofield.stderr


@pytest.fixture(scope="module")
def server(imported):
    srv = Server(imported["db"], imported["tmp"])
    yield srv
    assert srv.stop() == 0, srv.output()


def moved(srv, path):
    r = srv.get(path, allow_redirects=False)
    assert r.status_code == 301, (path, r.status_code)
    return r.headers["Location"]


def test_every_old_url_form_answers_301(server, imported, truth):
    db = imported["db"]
    items = [(k, v) for k, v in truth["items"].items()
             if v["state"] == "published"]
    if not LONG:
        items = random.Random(12).sample(items, 60)
    for item_id, t in items:
        slug = article_of(db, item_id)[1]
        for u in t["legacy_urls"]:
            assert moved(server, u) == f"/articles/{slug}", u
        sep = "&" if "?" in t["legacy_urls"][0] else "?"
        tracked = t["legacy_urls"][0] + sep + "utm_source=x&fbclid=abc"
        assert moved(server, tracked) == f"/articles/{slug}"
        # without the alias, without .html: still K2's forms
        assert moved(server, f"/component/k2/item/{item_id}") == \
            f"/articles/{slug}"
    # the page the redirect names is the item
    item_id, t = items[0]
    page = server.get(moved(server, t["legacy_urls"][0]))
    assert page.status_code == 200
    assert html.escape(t["title"], quote=False) in page.text


def test_category_tag_and_feed_urls(server, imported, truth):
    db = imported["db"]
    cats = truth["categories"]
    sec = dict(rows(db, "SELECT name, slug FROM sections"))
    for cid, c in cats.items():
        if c["name"] not in sec:
            continue
        want = f"/sections/{sec[c['name']]}"
        assert moved(server, f"/publications/{c['alias']}.html") == want
        assert moved(server, f"/publications/{c['alias']}.html?start=20") \
            == want
        assert moved(server, f"/itemlist/category/{cid}-{c['alias']}") == want
        assert moved(server, f"/component/k2/itemlist/category/{cid}") == want
        assert moved(server, f"/publications/{c['alias']}.feed") == \
            want + "/feed.rss"
    tags = rows(db, "SELECT t.name, t.slug FROM tags t")
    assert tags
    for name, slug in tags[:20]:
        assert moved(server, f"/publications/itemlist/tag/{name}.html") == \
            f"/tags/{slug}"
        assert moved(server, f"/itemlist/tag/{name}") == f"/tags/{slug}"
    assert server.get("/publications/no-such-thing.html",
                      allow_redirects=False).status_code == 404
    assert server.get("/component/k2/item/99999999",
                      allow_redirects=False).status_code == 404


def test_redirect_command_and_csv(server, imported, tmp_path):
    db = imported["db"]
    quire(db, "redirect", "add", "/old/about-us.html", "/about")
    assert "/old/about-us.html\t/about\tmanual" in \
        quire(db, "redirect", "list").stdout
    assert moved(server, "/old/about-us.html") == "/about"
    assert moved(server, "/old/about-us.html?utm_medium=mail") == "/about"
    quire(db, "redirect", "remove", "/old/about-us.html")
    assert server.get("/old/about-us.html",
                      allow_redirects=False).status_code == 404
    assert quire(db, "redirect", "remove", "/old/about-us.html",
                 check=False).returncode != 0
    csv = tmp_path / "r.csv"
    csv.write_text('old,new\n/a.html,/b\n"/c,d.html",https://example.org/\n')
    quire(db, "redirect", "import", str(csv))
    assert moved(server, "/c,d.html") == "https://example.org/"
    bad = tmp_path / "bad.csv"
    bad.write_text("/x.html,/y\nnot-a-path,/z\n")
    r = quire(db, "redirect", "import", str(bad), check=False)
    assert r.returncode != 0 and f"{bad}:2:" in r.stderr
    assert "/x.html" not in quire(db, "redirect", "list").stdout


@pytest.fixture(scope="module")
def nested(maria):
    """A second K2 database: "Analysis" (alias analysis) under both
    Europe and Asia, with one item in each, and a child alias shared with
    a top-level category."""
    m = maria
    m.sql("CREATE DATABASE k2nest CHARACTER SET utf8mb4")
    schema = ((K2 / "schema-joomla-users.sql").read_text() +
              (K2 / "schema-k2.sql").read_text()).replace("#__", "jos_")
    m.sql(None, db="k2nest", stdin=schema)
    cat = ("INSERT INTO jos_k2_categories (id, name, alias, description,"
           " parent, extraFieldsGroup, published, access, ordering, image,"
           " params, trash, plugins, language) VALUES"
           " ({}, '{}', '{}', '', {}, 0, 1, 1, {}, '', '', 0, '', '*');\n")
    item = ("INSERT INTO jos_k2_items (id, title, alias, catid, published,"
            " introtext, `fulltext`, extra_fields_search, created,"
            " created_by, created_by_alias, checked_out, checked_out_time,"
            " modified, publish_up, publish_down, image_caption,"
            " image_credits, video_caption, video_credits, hits, params,"
            " metadesc, metadata, metakey, plugins, language) VALUES"
            " ({}, '{}', '{}', {}, 1, '<p>{}</p>', '', '',"
            " '2020-05-0{} 10:00:00', 0, 'A. Writer', 0,"
            " '0000-00-00 00:00:00', '2020-05-01 10:00:00',"
            " '2020-05-0{} 10:00:00', '0000-00-00 00:00:00', '', '', '', '',"
            " 0, '', '', '', '', '', '*');\n")
    sql = "".join(cat.format(*c) for c in [
        (1, "Publications", "publications", 0, 1),
        (2, "Europe", "europe", 1, 1),
        (3, "Asia", "asia", 1, 2),
        (4, "Analysis", "analysis", 2, 1),
        (5, "Analysis", "analysis", 3, 1),
        (6, "Notes", "notes", 0, 2),
        (7, "Notes", "notes", 2, 2)])
    sql += "".join(item.format(*i) for i in [
        (901, "A Europe analysis", "europe-piece", 4, "Berlin.", 1, 1),
        (902, "An Asia analysis", "asia-piece", 5, "Tashkent.", 2, 2),
        (903, "A top-level note", "top-note", 6, "Top.", 3, 3),
        (904, "A European note", "europe-note", 7, "Europe.", 4, 4)])
    m.sql(None, db="k2nest", stdin=sql)
    return f"mysql://root@localhost/k2nest?prefix=jos_&socket={m.sock}"


def test_same_name_and_alias_under_different_parents(nested, tmp_path):
    """Issue 12: nested categories with the same name and alias under
    different parents become distinct sections (no slug clash, none lost),
    their items land in their own section, and each category's old URLs
    lead to its own section; a re-run changes nothing."""
    src = nested
    db = tmp_path / "j.db"
    quire(db, "init")
    r = quire(db, "import", "k2", src)
    assert "imported 4," in r.stdout, r.stdout
    secs = dict(rows(db, "SELECT name, slug FROM sections"))
    assert secs == {"Publications": "publications", "Notes": "notes",
                    "Europe": "europe", "Asia": "asia",
                    "Analysis": "analysis",
                    "Analysis (Asia)": "asia-analysis",
                    "Notes (Europe)": "europe-notes"}, secs
    want = {901: "Analysis", 902: "Analysis (Asia)", 903: "Notes",
            904: "Notes (Europe)"}
    for item_id, name in want.items():
        assert article_of(db, item_id)[9] == name, item_id
    again = quire(db, "import", "k2", src)
    assert "imported 0, updated 4," in again.stdout, again.stdout
    assert dict(rows(db, "SELECT name, slug FROM sections")) == secs
    for item_id, name in want.items():
        assert article_of(db, item_id)[9] == name, item_id

    srv = Server(db, tmp_path)
    try:
        eu, asia = "/sections/analysis", "/sections/asia-analysis"
        assert moved(srv, "/itemlist/category/4-analysis") == eu
        assert moved(srv, "/itemlist/category/5-analysis") == asia
        assert moved(srv, "/component/k2/itemlist/category/5") == asia
        assert moved(srv, "/publications/europe/analysis.html") == eu
        assert moved(srv, "/publications/asia/analysis.html?start=20") == asia
        assert moved(srv, "/publications/asia/analysis.feed") == \
            asia + "/feed.rss"
        # the alias alone names the first category that has it
        assert moved(srv, "/publications/analysis.html") == eu
        assert moved(srv, "/notes.html") == "/sections/notes"
        assert moved(srv, "/publications/europe/notes.html") == \
            "/sections/europe-notes"
        page = srv.get(asia)
        assert page.status_code == 200
        assert "An Asia analysis" in page.text
        assert "A Europe analysis" not in page.text
        page = srv.get(eu)
        assert "A Europe analysis" in page.text
        assert "An Asia analysis" not in page.text
    finally:
        assert srv.stop() == 0, srv.output()


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def nginx_serving(site, tmp_path):
    """A real nginx serving the static export in site with its
    redirects.nginx.conf; yields its base URL."""
    import requests
    from conftest import free_port
    port = free_port()
    ng = tmp_path / "ng"
    ng.mkdir()
    temp = "".join(f"{k}_temp_path {ng}/{k};\n" for k in
                   ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (ng / "nginx.conf").write_text(f"""
daemon off;
master_process off;
worker_processes 1;
pid {ng}/nginx.pid;
error_log {ng}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    {temp}
    include {site}/redirects.nginx.conf;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        if ($quire_redirect) {{ return 301 $quire_redirect; }}
    }}
}}
""")
    proc = subprocess.Popen([NGINX, "-p", str(ng), "-c", str(ng / "nginx.conf")],
                            stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 10
        while True:
            try:
                requests.get(base + "/", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.time() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def static_export(db, tmp_path):
    from conftest import REPO
    ini = tmp_path / "q.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    site = tmp_path / "site"
    quire(db, "--config", str(ini), "export", "static", str(site))
    return site


@pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx not installed")
def test_static_export_redirects_on_nginx(maria, truth, tmp_path):
    """redirects.nginx.conf makes a real nginx answer the old URLs too."""
    import requests
    db = tmp_path / "j.db"
    quire(db, "init")
    quire(db, "import", "k2", url(maria), "--issue-field", "Issue",
          "--limit", "100")
    quire(db, "redirect", "add", "/old/about-us.html", "/about")
    site = static_export(db, tmp_path)
    conf_text = (site / "redirects.nginx.conf").read_text()
    assert "map $uri $quire_redirect" in conf_text
    with nginx_serving(site, tmp_path) as base:
        slugs = dict(rows(db, "SELECT source, slug FROM articles"))
        checked = 0
        for item_id, t in truth["items"].items():
            slug = slugs.get(f"k2:item:{item_id}")
            if not slug or t["state"] != "published":
                continue
            for u in t["legacy_urls"]:
                r = requests.get(base + u, allow_redirects=False, timeout=5)
                assert r.status_code == 301, u
                assert r.headers["Location"].endswith(f"/articles/{slug}"), u
            checked += 1
        assert checked > 50
        r = requests.get(base + "/old/about-us.html", allow_redirects=False,
                         timeout=5)
        assert r.status_code == 301 and r.headers["Location"].endswith("/about")
        r = requests.get(base + "/publications/earnings.feed",
                         allow_redirects=False, timeout=5)
        assert r.headers["Location"].endswith("/sections/earnings/feed.rss")
        assert requests.get(base + "/nothing.html", allow_redirects=False,
                            timeout=5).status_code == 404


@pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx not installed")
def test_nested_category_aliases_on_nginx(nested, tmp_path):
    """The static export's nginx map tells apart categories that share an
    alias under different parents, as the server does."""
    import requests
    db = tmp_path / "j.db"
    quire(db, "init")
    quire(db, "import", "k2", nested)
    with nginx_serving(static_export(db, tmp_path), tmp_path) as base:
        for path, want in (
                ("/publications/europe/analysis.html", "/sections/analysis"),
                ("/publications/asia/analysis.html", "/sections/asia-analysis"),
                ("/publications/asia/analysis.feed",
                 "/sections/asia-analysis/feed.rss"),
                ("/publications/analysis.html", "/sections/analysis"),
                ("/itemlist/category/5-analysis", "/sections/asia-analysis"),
                ("/publications/europe/notes.html", "/sections/europe-notes"),
                ("/notes.html", "/sections/notes")):
            r = requests.get(base + path, allow_redirects=False, timeout=5)
            assert r.status_code == 301, path
            assert r.headers["Location"].endswith(want), (path, want)
