"""End-to-end fixtures: a real quire binary, a real SQLite file, a real server.

Every test talks to `quire serve` on a free loopback port over a database
made by `quire init` and `quire import markdown`, as a user would.
"""
import fcntl
import os
import pathlib
import re
import signal
import socket
import sqlite3
import subprocess
import time

import pytest
import requests

REPO = pathlib.Path(__file__).resolve().parents[2]
QUIRE = os.environ.get("QUIRE_BIN", str(REPO / "quire"))
FIXTURES = pathlib.Path(os.environ.get("QUIRE_FIXTURES",
                                       REPO.parent / "shared" / "fixtures"))
SEED = FIXTURES.parent / "seed" / "article-page.txt"
REUTERS = FIXTURES / "corpus-reuters21578-md"


def quire(db, *args, check=True, **kw):
    """Run the CLI; return the CompletedProcess (text mode)."""
    p = subprocess.run([QUIRE, "--db", str(db), *args], capture_output=True,
                       text=True, timeout=600, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"quire {' '.join(args)} failed "
                             f"({p.returncode}): {p.stderr}")
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_article_md():
    """The seed page's article as Markdown with front matter."""
    text = SEED.read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    # Lines 0-3: date, title, "Published in", byline; 4: intro + first para.
    intro_and_first = paras[4].split("\n")
    body = [intro_and_first[1]] + paras[5:paras.index("Read 3093 times")]
    intro = intro_and_first[0]
    return ("---\n"
            'title: "PAKISTAN–RUSSIA RELATIONS IN A REGIONAL AND GLOBAL CONTEXT"\n'
            "date: 2004-06-30\n"
            "author: Zahid Anwar\n"
            "section: Field Reports\n"
            "issue: 2004-06-30\n"
            "tags: [Pakistan, Russia]\n"
            f"summary: \"{intro}\"\n"
            "hits: 3093\n"
            "---\n\n" + "\n\n".join(body) + "\n")


EXTRA = {
    "three-authors.md": """---
title: "Three Voices on the Caspian"
date: 2004-07-14
authors: [Svante E. Cornell, S. Frederick Starr, Albert Barro]
section: Analytical Articles
issue: 2004-07-14
summary: "An intro with <b>markup</b> & ampersands."
slug: caspian-voices
---

| Country | Coast (km) |
|---|---|
| Kazakhstan | 2320 |

Footnoted claim.[^1]

<script>alert('x')</script>

Visit https://example.org for more.

[^1]: The footnote text.
""",
    "two-authors.md": """---
title: "Two Authors"
date: 2004-07-01
authors:
  - Johan Engvall
  - Svante E. Cornell
section: Analytical Articles
---
Body.
""",
    "draft.md": """---
title: "Not Yet"
date: 2004-07-02
draft: true
---
Secret.
""",
}


def make_journal(tmp):
    db = tmp / "journal.db"
    quire(db, "init")
    quire(db, "config", "set", "name", "the CACI Analyst")
    quire(db, "config", "set", "tagline", "A biweekly on Central Asia")
    quire(db, "config", "set", "about",
          "The Central Asia-Caucasus Analyst is a biweekly publication.")
    for title, url in [("silkroad", "https://silkroadstudies.org"),
                       ("AFPC", "https://www.afpc.org")]:
        quire(db, "link", "add", title, url)
    quire(db, "publication", "add", "--kind", "Silk Road Paper",
          "--date", "2023-05-01",
          "U.S. Policy in Central Asia through Central Asian Eyes",
          "https://example.org/paper")
    quire(db, "publication", "add", "--kind", "Op-ed", "--date", "2022-07-21",
          "Russia Needs Its Own Charles de Gaulle")
    src = tmp / "articles"
    src.mkdir()
    (src / "seed.md").write_text(seed_article_md(), encoding="utf-8")
    for name, text in EXTRA.items():
        (src / name).write_text(text, encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    return db


class Server:
    def __init__(self, db, tmp, extra_ini=""):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ini = tmp / f"quire-{self.port}.ini"
        self.ini.write_text(
            "[server]\n"
            f"theme = {REPO / 'theme' / 'default'}\n"
            f"admin = {REPO / 'theme' / 'admin'}\n"
            "hits_flush = 1\n"
            "threads = 2\n"
            "[limits]\n"
            "header_max = 8192\n"
            "body_max = 65536\n" + extra_ini)
        self.log_path = tmp / f"server-{self.port}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [QUIRE, "--db", str(db), "--config", str(self.ini), "serve",
             "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited: " + self.output())
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server did not start: " + self.output())

    def output(self):
        """Everything the server printed; still readable after stop()."""
        return self.log_path.read_text(errors="replace")

    def get(self, path, **kw):
        kw.setdefault("headers", {}).setdefault(
            "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0")
        return requests.get(self.url + path, timeout=10, **kw)

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop on " + str(sig))
        self.log.close()
        return self.proc.returncode


@pytest.fixture(scope="session")
def reuters_copy(tmp_path_factory):
    """copy(folder) gives a new journal holding the Reuters corpus (15,055
    articles), imported with `quire import markdown` once per run (20 s)
    and copied with SQLite's backup for each test that asks."""
    if not REUTERS.is_dir():
        pytest.skip("the Reuters fixture is missing")
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # pytest -n: one import for all workers, in the run's shared
        # folder, the first worker making it while the others wait.
        shared = base.parent / "reuters-source"
        shared.mkdir(exist_ok=True)
        src = shared / "reuters.db"
        with open(shared / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (shared / "done").exists():
                quire(src, "init")
                quire(src, "import", "markdown", str(REUTERS))
                (shared / "done").touch()
    else:
        src = tmp_path_factory.mktemp("reuters-source") / "reuters.db"
        quire(src, "init")
        quire(src, "import", "markdown", str(REUTERS))

    def copy(folder):
        db = folder / "reuters.db"
        a, b = sqlite3.connect(src), sqlite3.connect(db)
        try:
            a.backup(b)
        finally:
            a.close()
            b.close()
        return db
    return copy


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("journal")
    return make_journal(tmp)


@pytest.fixture(scope="module")
def server(journal, tmp_path_factory):
    srv = Server(journal, tmp_path_factory.mktemp("server"))
    yield srv
    assert srv.stop() == 0, srv.output()


def text_of(html):
    """What a reader sees: tags dropped, entities decoded, spaces squeezed."""
    import html as h
    t = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    t = re.sub(r"</?(a|span|time|b|i|em|strong|code|sup|abbr)\b[^>]*>", "", t)
    t = re.sub(r"<[^>]+>", " ", t)
    return re.sub(r"\s+", " ", h.unescape(t)).strip()


SEED_SLUG = "pakistan-russia-relations-in-a-regional-and-global-context"
