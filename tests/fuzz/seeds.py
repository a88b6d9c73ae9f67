#!/usr/bin/python3
"""seeds.py - write a fuzz harness's seed corpus from real inputs.

    seeds.py NAME FIXTURES OUTDIR

NAME is a harness (tests/fuzz/NAME_fuzz.c), FIXTURES is ../shared/fixtures
and OUTDIR an empty folder. Seeds come from the fixtures (Mustache spec,
Reuters Markdown articles, WordPress exports, country and organisation
names) and from the default theme, cut into the input shape each harness
documents at its top. Nothing here is copied into the repository: the
corpus is rebuilt at fuzz time, so it follows the fixtures and the theme.
"""

import hashlib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
THEME = os.path.join(ROOT, "theme", "default", "templates")
MAX_MD = 400  # Reuters files taken; enough variety, quick to load


def write(out, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def reuters(fx, limit=MAX_MD):
    d = os.path.join(fx, "corpus-reuters21578-md")
    if not os.path.isdir(d):
        return []
    names = sorted(os.listdir(d))
    step = max(1, len(names) // limit)
    texts = []
    for n in names[::step][:limit]:
        with open(os.path.join(d, n), "rb") as f:
            texts.append(f.read().decode("utf-8", "surrogateescape"))
    return texts


def front_matter(text):
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    fields = {}
    if m:
        for line in m.group(1).splitlines():
            k, _, v = line.partition(":")
            fields[k.strip()] = v.strip().strip('"')
    return fields


def wxr_files(fx):
    d = os.path.join(fx, "wxr")
    for dirpath, _, files in sorted(os.walk(d)):
        for n in sorted(files):
            if n.endswith(".xml"):
                with open(os.path.join(dirpath, n), "rb") as f:
                    yield f.read().decode("utf-8", "replace")


def wxr_items(fx):
    """(title, date, content, email) of every WXR item, by regular expression
    (some fixtures are deliberately malformed XML)."""
    items = []
    for xml in wxr_files(fx):
        for it in re.findall(r"<item>(.*?)</item>", xml, re.S):
            def get(tag):
                m = re.search(r"<%s>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</%s>" % (tag, tag),
                              it, re.S)
                return m.group(1) if m else ""
            items.append((get("title"), get("wp:post_date") or get("pubDate"),
                          get("content:encoded"), get("wp:author_email")))
        for email in re.findall(r"<wp:author_email>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</", xml):
            items.append(("", "", "", email))
    return items


def names(fx):
    """Country and organisation names in many scripts."""
    out = []
    p = os.path.join(fx, "countries", "mledoze", "countries.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            for c in json.load(f)[:80]:
                out.append(c["name"]["common"])
                out.append(c["name"]["official"])
                for nat in c["name"].get("native", {}).values():
                    out.append(nat["official"])
                out.extend(c.get("translations", {}).get(k, {}).get("official", "")
                           for k in ("rus", "jpn", "ara", "kor", "fra"))
    p = os.path.join(fx, "organizations", "FactOrgs.csv")
    if os.path.exists(p):
        with open(p, encoding="utf-8", errors="replace") as f:
            out.extend(line.strip() for line in list(f)[:60])
    return [n for n in out if n]


# --- per harness ---------------------------------------------------------

def theme_templates():
    tpls = {}
    for dirpath, _, files in os.walk(THEME):
        for n in files:
            if n.endswith(".mustache"):
                rel = os.path.relpath(os.path.join(dirpath, n), THEME)[:-len(".mustache")]
                with open(os.path.join(dirpath, n), encoding="utf-8") as f:
                    tpls[rel] = f.read()
    return tpls


THEME_CONTEXT = {
    "journal": {"name": "The CACI Analyst", "tagline": "A biweekly",
                "about": "Analysis <of> & \"for\" Central Asia",
                "base_url": "https://journal.example", "newsletter": "Sign up"},
    "sections": [{"name": "Field Reports", "slug": "field-reports",
                  "url": "/sections/field-reports"}],
    "has_sections": True,
    "links": [{"title": "Silk Road Studies", "url": "https://example.org/?a=1&b=<2>"}],
    "has_links": True,
    "publications": [{"kind": "Book", "title": "Russia & the Caucasus",
                      "url": "https://example.org/b", "date": "2004-06-30",
                      "date_text": "June 2004"}],
    "has_publications": True,
    "page_title": "Pakistan\u2013Russia Relations",
    "article": {"title": "Pakistan\u2013Russia Relations <script>", "slug": "p-r",
                "url": "/articles/p-r", "date_long": "Wednesday, 30 June 2004",
                "date_iso": "2004-06-30T00:00:00Z", "summary": "An intro.",
                "body_html": "<p>Text &amp; more</p>",
                "section": {"name": "Field Reports", "url": "/sections/field-reports"},
                "issue": {"date": "2004-06-30", "date_us": "6/30/2004", "url": "/issues/2004-06-30"},
                "authors": [{"name": "Zahid Anwar", "url": "/authors/zahid-anwar", "sep": " and "},
                            {"name": "Ana", "url": "/authors/ana", "sep": ""}],
                "has_authors": True, "tags": [{"name": "Russia", "url": "/tags/russia"}],
                "hits": 3093},
    "has_articles": True,
    "pager": {"page": 2, "pages": 3, "prev_url": "/?page=1", "next_url": "/?page=3",
              "numbers": [{"n": 1, "url": "/?page=1", "current": False},
                          {"n": 2, "url": "/?page=2", "current": True}]},
    "section": {"name": "Field Reports", "url": "/sections/field-reports"},
    "status": 404, "reason": "Not Found", "subscribed": "a@example.org",
    "error": "That does not look like an e-mail address.", "email": "a@b",
}
THEME_CONTEXT["articles"] = [THEME_CONTEXT["article"]] * 2


def mustache_input(main, parts, data):
    """main template, {name: source} others, data -> harness input."""
    chunks = [main] + ["%s\x03%s" % (n, s) for n, s in parts.items()]
    return "\x01".join(chunks) + "\x02" + json.dumps(data)


def seeds_mustache(fx, out):
    d = os.path.join(fx, "mustache-spec")
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if not n.endswith(".json"):
            continue
        with open(os.path.join(d, n), encoding="utf-8") as f:
            for t in json.load(f)["tests"]:
                write(out, mustache_input(t["template"], t.get("partials", {}),
                                          t.get("data", {})))
    tpls = theme_templates()
    for page in ("home", "section", "article", "error", "newsletter"):
        if page in tpls:
            others = {k: v for k, v in tpls.items() if k != page}
            write(out, mustache_input(tpls[page], others, THEME_CONTEXT))
    for src in tpls.values():
        write(out, src)


def seeds_http(fx, out):
    reqs = ["GET / HTTP/1.1", "GET /?page=2 HTTP/1.1", "HEAD / HTTP/1.0",
            "GET /assets/style.css HTTP/1.1", "GET /assets/../../etc/passwd HTTP/1.1",
            "GET /assets/%2e%2e/%2e%2e/etc/passwd HTTP/1.1", "GET /assets/..%2fquire.db HTTP/1.1",
            "GET /assets/.git/config HTTP/1.1", "GET /assets/a\\..\\b HTTP/1.1",
            "GET /assets/css//site.css HTTP/1.1", "GET /assets/%00.css HTTP/1.1",
            "GET http://journal.example/articles/x?y=1 HTTP/1.1", "GET https://h HTTP/1.1",
            "GET /%C0%AE%C0%AE/ HTTP/1.1", "GET /%ED%A0%80 HTTP/1.1", "GET /%F4%90%80%80 HTTP/1.1",
            "GET /sections/%E2%82%AC?page=99999999999999999999 HTTP/1.1",
            "GET /sections/x?page=0&page=3 HTTP/1.1", "GET /sections/x?pa%67e=2 HTTP/1.1",
            "DELETE /articles/x HTTP/1.1", "PUT /newsletter HTTP/1.1", "BREW / HTTP/1.1",
            "GET /newsletter HTTP/1.1", "get / HTTP/1.1", "GET * HTTP/1.1", "OPTIONS * HTTP/1.1"]
    for text in reuters(fx, 40):
        fm = front_matter(text)
        reqs.append("GET /articles/%s HTTP/1.1" % fm.get("slug", "x"))
        reqs.append("GET /sections/%s?page=2 HTTP/1.1" % fm.get("section", "x").lower())
    for r in reqs:
        write(out, r + "\n\n\n\n")
    headers = [('"2a-5f3b1c.0"', "Mozilla/5.0 (X11; Linux x86_64) Firefox/115.0"),
               ('W/"x", "2a-5f3b1c.0"', "Googlebot/2.1 (+http://www.google.com/bot.html)"),
               ('*', ""), ('"a", W/"b" ,junk, "unterminated', "curl/7.88"),
               ('W/', "Some Spider"), ('""', "  ")]
    for inm, ua in headers:
        write(out, "GET /articles/reuters-1 HTTP/1.1\n%s\n%s\n\n" % (inm, ua))
    forms = ["email=reader%40example.org", "email=a+b%40c.d&x=1", "email=%00@x.y",
             "email", "=&&=x&email=%zz", "e%6Dail=ok%40host.example&email=second@x.y",
             "email=" + "a" * 70 + "@example.org"]
    for ct in ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
               "Application/X-WWW-Form-Urlencoded", "multipart/form-data; boundary=x", ""):
        for body in forms:
            write(out, "POST /newsletter HTTP/1.1\n\nMozilla/5.0\n%s\n%s" % (ct, body))
    for _, _, _, email in wxr_items(fx)[:20]:
        if email:
            write(out, "POST /newsletter HTTP/1.1\n\nMozilla/5.0\n"
                       "application/x-www-form-urlencoded\nemail=%s" % email)


def seeds_import(fx, out):
    for text in reuters(fx):
        write(out, text)
    for title, date, content, _ in wxr_items(fx)[:150]:
        if not content:
            continue
        t = title.replace('"', '\\"')
        write(out, '---\ntitle: "%s"\ndate: %s\n---\n%s' % (t or "Untitled", date[:10] or "2004-06-30", content))
    readme = os.path.join(ROOT, "README.md")
    with open(readme, encoding="utf-8") as f:
        m = re.search(r"```markdown\n(.*?)```", f.read(), re.S)
    if m:
        write(out, m.group(1))


def seeds_config(fx, out):
    readme = os.path.join(ROOT, "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    for block in re.findall(r"```ini\n(.*?)```", text, re.S):
        write(out, block)
        for line in block.splitlines():
            if "=" in line:
                write(out, "[server]\n" + line + "\n")
    for ini in ["[limits]\nbody_max = 4G\nheader_max = 1k\n", "[cache]\nmax_bytes = 0\n",
                "[server]\nlisten = [::1]:0\nthreads = 256\n", "; comment\n# another\n[server]\n  theme  =  x  ; y\n",
                "[limits]\ntimeout = 18446744073709551617\n", "[server]\nlog_level = debug\naccess_log = json\n",
                "[nosuch]\nkey = 1\n", "[server\nbroken\n", "threads = 1\n", "[server]\nhits_flush = -1\n"]:
        write(out, ini)


def seeds_date(fx, out):
    for text in reuters(fx, 100):
        fm = front_matter(text)
        for k in ("date", "issue"):
            if k in fm:
                write(out, fm[k])
    for _, date, _, _ in wxr_items(fx)[:60]:
        if date:
            write(out, date)
            write(out, date.replace(" ", "T") + "Z")
    for s in ["2004-02-29", "1900-02-29", "2000-02-29", "0001-01-01", "9999-12-31T23:59:59-23:59",
              "0001-01-01T00:00:00+23:59", "1987-02-26t15:01:01.123456789z", "1987-02-26 15:01:01+05:30",
              "2016-12-31T23:59:60Z", "2004-06-30T24:00:00Z", "-001-01-01", "2004-6-30"]:
        write(out, s)


def seeds_text(fx, out):
    """Titles and names in many scripts: for slug and utf8."""
    for text in reuters(fx, 150):
        write(out, front_matter(text).get("title", ""))
    for title, _, _, _ in wxr_items(fx)[:150]:
        if title:
            write(out, title)
    for n in names(fx):
        write(out, n)
    for s in [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80",
              b"caf\xc3", b"a\x00b", "Ærøskøbing Straße Şiroĭ e\u0301 Don\u2019t".encode()]:
        write(out, s)


def seeds_email(fx, out):
    for _, _, _, email in wxr_items(fx):
        if email:
            write(out, email)
    for s in ["reader@example.org", "a.b+tag@sub.example.co.uk", "a..b@x.y", ".a@x.y", "a.@x.y",
              "a@-x.y", "a@x-.y", "a@x", "@x.y", "a@@x.y", '"quoted"@x.y', "a@[127.0.0.1]",
              "a b@x.y", "a@x..y", "x" * 64 + "@example.org", "x" * 65 + "@example.org",
              "a@" + "b" * 63 + ".c", "a@" + "b" * 64 + ".c"]:
        write(out, s)


def seeds_query(fx, out):
    """What readers type into a search box, and FTS5 syntax they should not
    be able to use."""
    seeds_text(fx, out)
    for s in ['oil prices', '"crude oil" opec', 'nucl*', 'a AND b OR NOT c',
              'NEAR(a b, 3)', 'title:oil', '^start', '(x OR y)', '"unclosed',
              '***', '" "', 'россия пакистан', 'São Paulo', '+a -b', 'a:b:c',
              '"a" "b"* c*d', 'x' * 300]:
        write(out, s)


def seeds_article_json(fx, out):
    """Admin API article bodies (article_json_fuzz.c): valid, partial and
    hostile ones, plus the regression inputs' shapes."""
    for s in ['{"title": "T", "body": "Text", "status": "draft"}',
              '{"title": "Pakistan\u2013Russia", "body": "| a | b |\\n|---|---|\\n| 1 | 2 |",'
              ' "summary": "S", "section": "Field Reports", "issue": "2004-06-30",'
              ' "authors": ["Zahid Anwar", "A. B."], "tags": ["Pakistan"],'
              ' "slug": "p-r", "status": "scheduled",'
              ' "publish_at": "2030-01-02T03:04:05Z", "revision": 3}',
              '{"title": "x", "status": "published", "revision": 1}',
              '{"title": "a\\nb"}', '{"authors": "notalist"}',
              '{"publish_at": "yesterday"}', '{"title": "\\ud800"}', '[]',
              '{"title": null}', '{"unknown": 1}']:
        write(out, s)


def seeds_signup(fx, out):
    """Addresses and tokens as the sign-up form and its links receive them."""
    for s in ["xreader@example.org", "xa@b", "x" + "a" * 300 + "@b.org",
              "c12.1700000000.00112233445566778899aabbccddeeff",
              "u1.0.00112233445566778899aabbccddeeff", "c..", "u-1.0.x"]:
        write(out, s)


def seeds_email_list(fx, out):
    """Lists a journal moves to Quire: plain lines and CSV exports."""
    for s in ["a@b.org\nc@d.org\n", "email\na@b.org\n",
              'name,email,tags\n"Doe, J",j@d.org,"x ""y"""\n',
              "Email Address,First Name\r\nm@c.com,M\r\n"]:
        write(out, s)


def seeds_admin(fx, out):
    """Cookie headers, login forms and admin API bodies (admin_fuzz.c)."""
    for s in ['quire_session=AAAA; quire_login=BBBB\n{"title": "x"}',
              'a=b;quire_session=\nemail=a%40b.org&password=pw&csrf=t',
              '\ncode=abcde-fghij&csrf=x',
              '\n{"title": "t", "tags": ["a", "b"], "revision": 2, '
              '"draft": false, "body": "# h\\n\\u00e9"}',
              '\n{"title": null, "x": [1, {"y": 2}]}',
              '\n{"title": "a", "title": "b"}', '\n[1, 2, 3]',
              '\n{"title": "\\ud800"}', '\n{"tags": "notalist"}']:
        write(out, s)


def seeds_html(fx, out):
    """Old article bodies: K2 rows' HTML, WordPress content, hostile markup."""
    k2 = os.path.join(fx, "k2", "k2-reuters.sql")
    if os.path.exists(k2):
        with open(k2, encoding="utf-8", errors="surrogateescape") as f:
            bodies = re.findall(r"'(<p>.*?)(?<!\\)'", f.read())
        for b in bodies[:300]:
            write(out, b.replace("\\'", "'").replace("\\n", "\n"))
    for d, _, files in os.walk(os.path.join(fx, "wxr")):
        for n in sorted(files)[:40]:
            if n.endswith(".xml"):
                with open(os.path.join(d, n), "rb") as f:
                    for m in re.findall(rb"<content:encoded><!\[CDATA\[(.*?)\]\]>", f.read(), re.S)[:20]:
                        write(out, m)
    for s in ['<a href="javascript:alert(1)">x</a>', '<a href=" JaVaScRiPt:x">y</a>',
              '<img src="data:text/html,x" alt="a">', '<script>alert(1)</script>',
              '<p>&lt;script&gt;</p>', '<table><tr><td>a|b</td></tr></table>',
              '<ul><li><ol><li>x</li></ol></li></ul>', '<blockquote><p>a</p></blockquote>',
              '<b>J.M.</b>R', 'â€™ caf\xe9', '<pre>```</pre>', '<h1># x</h1>', '1. not a list',
              '<a href="/x)y(z">q</a>', '<em><strong>' * 80]:
        write(out, s)


def seeds_json(fx, out):
    """Quire JSON exports: a small one written here, cut and altered."""
    rows = ['{"key":"name","value":"J"}', '{"id":1,"slug":"s","name":"S","position":1,"description":null}']
    head = '{"format":"quire-journal","version":1,"tables":[\n'
    good = head + '{"table":"settings","rows":[\n' + rows[0] + '\n]},\n{"table":"sections","rows":[\n' + rows[1] + '\n]}\n]}\n'
    write(out, good)
    for cut in range(0, len(good), 17):
        write(out, good[:cut])
    write(out, good.replace("settings", "nosuch"))
    write(out, good.replace('"J"', '"\\ud800"'))


def seeds_places(fx, out):
    for text in reuters(fx, 200):
        parts = text.split("---", 2)
        body = parts[2] if len(parts) == 3 else text
        m = re.search(r'title: "(.*)"', text)
        write(out, (m.group(1) if m else "") + "\x01\x01" + body)
    for t in ["Georgia and Russia\x01Tbilisi\x01Chad Smith",
              "U.S. SAYS\x01T\u00fcrkiye's\x01South China Sea, Congo-Brazzaville",
              "ECO\x01Economic Cooperation Organization\x01Andalusia, Ala."]:
        write(out, t)


def seeds_multipart(fx, out):
    """Content-Type NUL body, as multipart_fuzz.c reads them."""
    for b in ["XyZ", '"q r"', "-" * 70]:
        bb = b.strip('"')
        body = (f"--{bb}\r\nContent-Disposition: form-data; name=\"alt\"\r\n"
                f"\r\nA view\r\n--{bb}\r\nContent-Disposition: form-data; "
                f"name=\"file\"; filename=\"a.png\"\r\nContent-Type: "
                f"image/png\r\n\r\n\x89PNG\r\n--{bb}--\r\n")
        write(out, (f"multipart/form-data; boundary={b}\0" + body)
              .encode("latin-1"))


SEEDS = {"article_json": seeds_article_json, "signup": seeds_signup, "email_list": seeds_email_list,
         "multipart": seeds_multipart, "places": seeds_places,
         "admin": seeds_admin, "json_dump": seeds_json, "html_md": seeds_html,
         "mustache": seeds_mustache, "http": seeds_http, "import": seeds_import,
         "config": seeds_config, "date": seeds_date, "slug": seeds_text,
         "utf8": seeds_text, "email": seeds_email, "cite": seeds_text,
         "query": seeds_query}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in SEEDS:
        sys.exit("usage: seeds.py {%s} FIXTURES OUTDIR" % ",".join(sorted(SEEDS)))
    name, fx, out = sys.argv[1:]
    if not os.path.isdir(fx):
        print("seeds.py: %s is missing; seeding from the theme only" % fx, file=sys.stderr)
    os.makedirs(out, exist_ok=True)
    SEEDS[name](fx, out)
    print("    %s: %d seed inputs" % (name, len(os.listdir(out))))


if __name__ == "__main__":
    main()
