"""`quire export static`: the exported folder, served by a real nginx on
loopback, is a working site; a failed export leaves the old one in place.

The crawl follows every href/src of every exported HTML page (and every
<loc> of the sitemaps) from the front page. A link that 404s on nginx must
also 404 on `quire serve` over the same database: the export is faithful
to the live site. Pages the live site does not have yet (author, tag and
issue pages before they land) are counted, not failed.
"""
import html.parser
import os
import pathlib
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest
import requests

from conftest import (FIXTURES, QUIRE, REPO, Server, free_port, make_journal,
                      quire)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REUTERS = FIXTURES / "corpus-reuters21578-md"
REUTERS_SLICE = 400  # files: enough for paginated home and section pages

pytestmark = pytest.mark.skipif(not os.path.exists(NGINX),
                                reason="nginx is not installed (deps.txt)")


class Nginx:
    """nginx serving root on a free loopback port, in the foreground."""

    def __init__(self, root, tmp):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        tmp.mkdir(parents=True, exist_ok=True)
        conf = tmp / "nginx.conf"
        temp = "".join(f"{k}_temp_path {tmp}/{k};\n" for k in
                       ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf.write_text(f"""
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    types {{ application/atom+xml atom; application/x-bibtex bib; }}
    access_log off;
    {temp}
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
    }}
}}
""")
        self.proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf)],
                                     stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("nginx exited: " +
                                     self.proc.stderr.read().decode())
            try:
                requests.get(self.url + "/", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("nginx did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            if tag == "form" and name == "action":
                self.forms.append(value)


def crawl(start, session):
    """Every same-site URL reachable from start: {url: (status, referrer)}."""
    host = urllib.parse.urlsplit(start).netloc
    seen = {start: None}
    queue = [start]
    result = {}
    while queue:
        url = queue.pop()
        r = session.get(url, timeout=10, allow_redirects=False)
        result[url] = (r.status_code, seen[url])
        if r.status_code != 200:
            continue
        ctype = r.headers.get("Content-Type", "")
        found = []
        if "html" in ctype:
            p = Links()
            p.feed(r.text)
            found = p.links
        elif "xml" in ctype:
            found = re.findall(r"<loc>([^<]+)</loc>", r.text)
        for link in found:
            absolute = urllib.parse.urljoin(url, link)
            parts = urllib.parse.urlsplit(absolute)
            if parts.netloc != host or parts.scheme != "http":
                continue
            absolute = urllib.parse.urlunsplit(parts._replace(fragment=""))
            if absolute not in seen:
                seen[absolute] = url
                queue.append(absolute)
    return result


def server_path(static_path, prefix):
    """The live server's path for an exported URL path (inverse mapping)."""
    p = static_path[len(prefix):] if static_path.startswith(prefix) else \
        static_path
    m = re.fullmatch(r"(.*?)/?page/(\d+)/", p)
    if m:
        return (m.group(1) or "/") + f"?page={m.group(2)}"
    return p[:-1] if len(p) > 1 and p.endswith("/") else p


def export(db, tmp, out, *args, env=None):
    """Run `quire export static out args...`; the CompletedProcess."""
    ini = tmp / "export.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    return subprocess.run(
        [QUIRE, "--db", str(db), "--config", str(ini), "export", "static",
         str(out), *args], capture_output=True, text=True, timeout=600,
        env=dict(os.environ, **(env or {})))


def check_site(db, tmp, prefix=""):
    """Export db under prefix, serve with nginx, crawl, compare with quire."""
    www = tmp / "www"
    out = www / prefix.strip("/") if prefix else www
    www.mkdir(exist_ok=True)
    ng = Nginx(www, tmp / "nginx")
    srv = Server(db, tmp)
    try:
        base = ng.url + prefix
        p = export(db, tmp, out, "--base-url", base)
        assert p.returncode == 0, p.stderr
        assert "exported" in p.stderr
        assert not list(out.parent.glob(out.name + ".tmp-*"))
        with requests.Session() as s:
            s.headers["User-Agent"] = "export-test"
            pages = crawl(base + "/", s)
            missing = {}
            for url, (status, ref) in pages.items():
                assert status in (200, 404), (url, status, ref)
                if status == 404:
                    path = urllib.parse.urlsplit(url).path
                    live = srv.get(server_path(path, prefix)).status_code
                    assert live == 404, \
                        f"{url} (linked from {ref}) is 404 on nginx but " \
                        f"{live} on quire serve"
                    missing[url] = ref
        return pages, missing, out
    finally:
        ng.stop()
        srv.stop()


def test_small_journal_served_by_nginx(tmp_path):
    db = make_journal(tmp_path)
    quire(db, "config", "set", "base_url", "https://journal.example")
    pages, missing, out = check_site(db, tmp_path)
    assert not missing, missing  # every link of the export resolves
    ok = [u for u, (st, _) in pages.items() if st == 200]
    # every article, the sections, the front page and the stylesheet
    paths = {urllib.parse.urlsplit(u).path for u in ok}
    assert "/" in paths and "/assets/style.css" in paths
    assert "/articles/caspian-voices/" in paths
    assert "/sections/analytical-articles/" in paths
    assert (out / "articles" / "caspian-voices" / "index.html").is_file()
    assert (out / "404.html").is_file()
    assert (out / ".quire-export").is_file()
    # the draft is not published
    assert not (out / "articles" / "not-yet").exists()
    page = (out / "articles" / "caspian-voices" / "index.html").read_text()
    # links use the directory form; the newsletter form (it needs a server)
    # is gone, the rest of the page is as the server renders it
    assert 'href="/sections/analytical-articles/"' in page
    assert 'action="/newsletter"' not in page
    assert "Three Voices on the Caspian" in page
    assert "https://journal.example" not in page
    # no file the server would not serve: every exported page was crawled
    exported = {"/" + str(f.relative_to(out)) for f in out.rglob("*")
                if f.is_file() and f.name != ".quire-export"
                # the .gz/.br beside a file are its variants (compression)
                and f.suffix not in (".gz", ".br")}
    crawled = {p if not p.endswith("/") else p + "index.html"
               for p in paths}
    # (robots.txt and the sitemap are for crawlers: no page links to them)
    # (redirects.nginx.conf is the old URLs for nginx's configuration)
    assert exported - crawled <= {"/404.html", "/robots.txt", "/sitemap.xml",
                                  "/redirects.nginx.conf"}


def test_reuters_slice_under_a_base_path(tmp_path):
    src = tmp_path / "reuters"
    src.mkdir()
    for f in sorted(REUTERS.glob("reuters-*.md"))[:REUTERS_SLICE]:
        os.symlink(f, src / f.name)
    db = tmp_path / "r.db"
    quire(db, "init")
    quire(db, "import", "markdown", str(src))
    pages, missing, out = check_site(db, tmp_path, prefix="/journal")
    assert not missing, missing  # every link of the export resolves
    ok = {urllib.parse.urlsplit(u).path for u, (st, _) in pages.items()
          if st == 200}
    articles = [p for p in ok if re.fullmatch(r"/journal/articles/[^/]+/", p)]
    assert len(articles) == REUTERS_SLICE
    # ?page=N became page/N/, under the base path, and every page of the
    # home page's pager is there
    pages_n = sorted(int(m.group(1)) for p in ok
                     for m in [re.fullmatch(r"/journal/page/(\d+)/", p)] if m)
    assert pages_n == list(range(2, REUTERS_SLICE // 20 + 1))
    assert any(re.fullmatch(r"/journal/sections/[^/]+/page/2/", p)
               for p in ok)
    home = (out / "index.html").read_text()
    assert 'href="/journal/page/2/"' in home


def test_citation_files_are_the_live_ones(tmp_path):
    """Each article's .bib, .ris and .json are rendered by the worker that
    rendered the article, from the article it read (the store's memo): the
    bytes must be the live server's, article by article, and their byline,
    section, tags and summary the article's own, not a neighbour's."""
    src = tmp_path / "reuters"
    src.mkdir()
    for f in sorted(REUTERS.glob("reuters-*.md"))[:120]:
        os.symlink(f, src / f.name)
    db = tmp_path / "r.db"
    quire(db, "init")
    quire(db, "config", "set", "base_url", "https://journal.example")
    quire(db, "import", "markdown", str(src))
    out = tmp_path / "site"
    p = export(db, tmp_path, out, "--threads", "4")
    assert p.returncode == 0, p.stderr
    slugs = sorted(d.name for d in (out / "articles").iterdir() if d.is_dir())
    assert len(slugs) == 120
    srv = Server(db, tmp_path)
    try:
        for slug in slugs:
            for ext in ("bib", "ris", "json"):
                live = srv.get(f"/articles/{slug}.{ext}")
                assert live.status_code == 200, (slug, ext)
                # the export links the page in its folder form
                url = f"https://journal.example/articles/{slug}".encode()
                want = live.content.replace(url, url + b"/")
                exported = (out / "articles" / f"{slug}.{ext}").read_bytes()
                assert exported == want, (slug, ext)
            ris = (out / "articles" / f"{slug}.ris").read_bytes()
            assert (f"UR  - https://journal.example/articles/{slug}/\r\n"
                    .encode()) in ris
    finally:
        srv.stop()


def test_failed_export_leaves_the_old_site(tmp_path):
    db = make_journal(tmp_path)
    out = tmp_path / "site"
    p = export(db, tmp_path, out)
    assert p.returncode == 0, p.stderr
    before = {str(f.relative_to(out)): f.read_bytes()
              for f in out.rglob("*") if f.is_file()}
    assert len(before) > 5
    quire(db, "config", "set", "name", "A Renamed Journal")
    p = export(db, tmp_path, out, env={"QUIRE_EXPORT_FAIL_AFTER": "3"})
    assert p.returncode == 1
    assert "injected failure" in p.stderr
    after = {str(f.relative_to(out)): f.read_bytes()
             for f in out.rglob("*") if f.is_file()}
    assert after == before
    assert not list(tmp_path.glob("site.tmp-*"))
    # and a successful export replaces it completely
    p = export(db, tmp_path, out)
    assert p.returncode == 0, p.stderr
    assert "A Renamed Journal" in (out / "index.html").read_text()
    assert not list(tmp_path.glob("site*.tmp-*"))


def test_a_page_the_site_cannot_render_fails_the_export(tmp_path):
    """ERR_STATUS: a page answered 500 (here a theme whose article template
    recurses without end) names the page, exits 1 and keeps the old site."""
    db = make_journal(tmp_path)
    out = tmp_path / "site"
    assert export(db, tmp_path, out).returncode == 0
    before = sorted(str(f.relative_to(out)) for f in out.rglob("*"))
    theme = tmp_path / "looping"
    shutil.copytree(REPO / "theme" / "default", theme)
    (theme / "templates" / "partials" / "loop.mustache").write_text(
        "{{> partials/loop}}")
    art = theme / "templates" / "article.mustache"
    text = art.read_text()
    assert "{{$head}}" in text
    art.write_text(text.replace("{{$head}}", "{{$head}}{{> partials/loop}}",
                                1))
    ini = tmp_path / "looping.ini"
    ini.write_text(f"[server]\ntheme = {theme}\n")
    p = subprocess.run(
        [QUIRE, "--db", str(db), "--config", str(ini), "export", "static",
         str(out)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 1
    last = p.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"quire: export: /articles/\S+: the site answered "
                        r"500", last), p.stderr
    assert sorted(str(f.relative_to(out)) for f in out.rglob("*")) == before
    assert not list(tmp_path.glob("site*.tmp-*"))


def test_export_refuses_what_is_not_an_export(tmp_path):
    db = make_journal(tmp_path)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    p = export(db, tmp_path, precious)
    assert p.returncode == 1
    assert "not a Quire export" in p.stderr
    assert (precious / "thesis.tex").read_text() == "years of work"
    # a folder whose parent cannot hold it: one line, no traceback
    blocker = tmp_path / "file"
    blocker.write_text("x")
    p = export(db, tmp_path, blocker / "site")
    assert p.returncode == 1
    assert p.stderr.startswith("quire: export:")
    assert len(p.stderr.strip().splitlines()) == 1


def test_export_help_and_usage(tmp_path):
    db = make_journal(tmp_path)
    p = subprocess.run([QUIRE, "--db", str(db), "export", "--help"],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "export static DIR" in p.stdout
    p = subprocess.run([QUIRE, "--db", str(db), "export", "static"],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "usage" in p.stderr
    p = subprocess.run([QUIRE, "--db", str(db), "export", "static",
                        str(tmp_path / "x"), "--base-url", "ftp://x/"],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "--base-url" in p.stderr
