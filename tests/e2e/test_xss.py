"""Stored XSS: hostile text in every field an import can set is escaped on
every page, feed and citation file a reader can reach.

The journal is built from a corpus of payloads (script tags, event handlers,
javascript: URLs, SVG, broken entities, CDATA ends, control characters)
put into titles, intros, bodies, author, section and tag names. The test
then crawls the site from the home page, following every same-site link,
and checks each response in its own language: HTML is parsed and must hold
no script but JSON-LD data blocks (which must parse), no event-handler
attribute, no javascript: URL and no element a payload named; XML must be
well-formed; JSON must parse.
"""
import html.parser
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET

from conftest import Server, quire

PAYLOADS = [
    "<script>alert('t')</script>",
    "\"><img src=x onerror=alert('a')>",
    "'><svg onload=alert('s')>",
    "javascript:alert('j')",
    "<a href=\"javascript:alert('h')\">x</a>",
    "</script><script>alert('c')</script>",
    "]]><x>cdata</x>",
    "&lt;script&gt;alert('e')&lt;/script&gt; &#x3C;script&#x3E; &amp",
    "<iframe src=//evil.example></iframe>",
    "{{journal.name}} {{{x}}} ${x} %s",
    "bell\x07 null-ish\x01 esc\x1b tab\tend",
]
BAD_TAGS = {"script", "img", "svg", "iframe", "x", "object", "embed"}


def yq(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s)


def corpus(tmp):
    src = tmp / "hostile"
    src.mkdir()
    for i, p in enumerate(PAYLOADS):
        body = f"{p}\n\nPlain paragraph {i}.\n\n[link]({p.split()[0]})\n"
        (src / f"p{i}.md").write_text(
            "---\n"
            f"title: {yq('T' + str(i) + ' ' + p)}\n"
            f"slug: hostile-{i}\n"
            f"date: 2004-0{1 + i % 9}-1{i % 10}\n"
            f"authors: [{yq('Ann ' + p)}, {yq('Bob ' + str(i))}]\n"
            f"section: {yq('Sec ' + p)}\n"
            f"issue: 2004-0{1 + i % 9}-1{i % 10}\n"
            f"tags: [{yq('tag ' + p)}, plain]\n"
            f"summary: {yq('Intro ' + p)}\n"
            "---\n\n" + body, encoding="utf-8")
    return src


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.problems, self.ld = [], [], []
        self._in_ld = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if a.get("type") == "application/ld+json" and "src" not in a:
                self._in_ld = []
            else:
                self.problems.append(f"<script {attrs}>")
        elif tag in BAD_TAGS:
            self.problems.append(f"<{tag}>")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"{tag} {k}={v!r}")
            if k in ("href", "src", "action") and v and \
                    re.sub(r"[\s\x00-\x1f]", "", v).lower().startswith(
                        ("javascript:", "vbscript:", "data:text")):
                self.problems.append(f"{tag} {k}={v!r}")
        for k in ("href", "src"):
            if a.get(k):
                self.links.append(a[k])

    def handle_data(self, data):
        if self._in_ld is not None:
            self._in_ld.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_ld is not None:
            self.ld.append("".join(self._in_ld))
            self._in_ld = None


def check(path, r):
    ctype = r.headers.get("Content-Type", "")
    body = r.content
    links = []
    if "html" in ctype:
        p = Page()
        p.feed(r.text)
        p.close()
        assert not p.problems, (path, p.problems)
        for block in p.ld:
            json.loads(block)  # a payload must not break out of JSON-LD
            assert "</script" not in block.lower(), path
        links = p.links
    elif "xml" in ctype:
        ET.fromstring(body)  # well-formed, with no forbidden control chars
        assert b"<script>" not in body, path
    elif "json" in ctype:
        json.loads(body)
    assert b"\x07" not in body and b"\x1b" not in body, path
    return links


def test_hostile_fields_are_escaped_everywhere(tmp_path):
    db = tmp_path / "x.db"
    quire(db, "init")
    quire(db, "config", "set", "name", "Journal <b>&")
    quire(db, "config", "set", "base_url", "http://127.0.0.1:1")
    src = corpus(tmp_path)
    r = quire(db, "import", "markdown", str(src), check=False)
    imported = int(re.search(r"imported (\d+) new", r.stderr).group(1))
    assert imported >= len(PAYLOADS) - 1, r.stderr  # control chars may be refused
    srv = Server(db, tmp_path)
    try:
        seen, todo = set(), ["/"]
        extra = ["/feed.atom", "/feed.rss", "/feed.json", "/sitemap.xml",
                 "/robots.txt", "/search?q=script", "/search?q=alert"]
        extra += [f"/articles/hostile-{i}{ext}" for i in range(len(PAYLOADS))
                  for ext in (".bib", ".ris", ".json")]
        todo += extra
        while todo and len(seen) < 2000:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            r = srv.get(path)
            assert r.status_code in (200, 404), (path, r.status_code)
            if r.status_code != 200:
                continue
            for link in check(path, r):
                u = urllib.parse.urlsplit(urllib.parse.urljoin(path, link))
                if u.netloc or not u.path.startswith("/") or \
                        u.path.startswith("/assets/"):
                    continue
                todo.append(u.path + (("?" + u.query) if u.query else ""))
        assert any(p.startswith("/articles/hostile-") for p in seen)
        assert any(p.startswith("/sections/") for p in seen)
    finally:
        assert srv.stop() == 0, srv.output()
