"""The Xapian search index as readers and operators meet it: `quire serve`
with search.engine = xapian builds it in its own thread, then answers the
search page from it with the same matches, counts and facets as FTS5 (a
second server on the same journal with search.engine = fts5); it follows
what the CLI writes while the server runs; a restart keeps it; an index
beside another journal is rebuilt."""
import re
import shutil
import time

import pytest

from conftest import REUTERS, Server, make_journal, quire

XAPIAN = "[search]\nengine = xapian\n"
FTS5 = "[search]\nengine = fts5\n"


def metric(srv, name):
    text = srv.get("/metrics").text
    m = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def wait_exact(srv, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if metric(srv, "quire_search_index_exact") == 1:
            return
        time.sleep(0.2)
    raise AssertionError("the index never became exact: " + srv.output())


def results(srv, q):
    """What the search page shows: the count line, the articles on the
    first page (as a set: the engines rank differently), the facets."""
    html = srv.get("/search", params={"q": q}).text
    count = re.search(r"([\d,]+\+?) results? for", html)
    arts = set(re.findall(r'href="/articles/([^"]+)"', html))
    facets = sorted(re.findall(
        r'<li><a href="/search\?q=[^"]*&amp;((?:section|author|year|country)'
        r'=[^"]*)">[^<]*</a> \((\d+)\)</li>', html))
    return (count.group(1) if count else "0"), arts, facets


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """The CACI-like journal plus 300 Reuters articles."""
    if not REUTERS.is_dir():
        pytest.skip("the Reuters fixture is missing")
    tmp = tmp_path_factory.mktemp("xapian")
    db = make_journal(tmp)
    src = tmp / "reuters"
    src.mkdir()
    for f in sorted(REUTERS.glob("reuters-1*.md"))[:300]:
        shutil.copy(f, src / f.name)
    quire(db, "import", "markdown", str(src))
    return db, tmp


def test_same_page_as_fts5_and_follows_writes(journal):
    db, tmp = journal
    x = Server(db, tmp, XAPIAN)
    f = Server(db, tmp, FTS5)
    try:
        wait_exact(x)
        assert "building the search index" in x.output()
        assert "search index built" in x.output()
        published = metric(x, "quire_search_index_documents")
        assert published > 300
        # The FTS5 server keeps no index, and says nothing of one.
        assert metric(f, "quire_search_index_exact") is None
        for q in ["oil", "crude oil", "pipeline", "s*", "w*", "pr*", "russia",
                  "zahid anwar", "trade deficit", "nothingatall",
                  "\"crude oil\"", "\"interest rates\""]:
            xs, fs = results(x, q), results(f, q)
            assert xs[0] == fs[0], (q, xs[0], fs[0])
            if not xs[0].endswith("+") and int(xs[0].replace(",", "")) \
                    <= len(fs[1]):  # all on the page (else ranked apart)
                assert xs[1] == fs[1], q
            assert xs[2] == fs[2], q
        assert results(x, "oil")[0] != "0"
        # Every one of those was answered by the engine each server keeps.
        assert metric(x, 'quire_searches_total{engine="xapian"}') >= 12
        assert metric(x, 'quire_searches_total{engine="fts5"}') == 0
        assert metric(f, 'quire_searches_total{engine="xapian"}') == 0

        # The CLI publishes while both serve: FTS5 at once, Xapian within
        # its next steps, without a rebuild.
        new = tmp / "new"
        new.mkdir()
        (new / "quokka.md").write_text(
            "---\ntitle: \"Quokkas of the Caspian\"\ndate: 2024-01-02\n"
            "author: Zahid Anwar\n---\nA quokka census.\n")
        quire(db, "import", "markdown", str(new))
        deadline = time.time() + 20
        while time.time() < deadline:
            if "quokkas-of-the-caspian" in results(x, "quokka")[1] and \
                    metric(x, "quire_search_index_exact") == 1:
                break
            time.sleep(0.2)
        assert results(x, "quokka") == results(f, "quokka")
        assert "quokkas-of-the-caspian" in results(x, "quokka")[1]
        assert metric(x, "quire_search_index_documents") == published + 1
        assert x.output().count("building the search index") == 1
    finally:
        assert x.stop() == 0, x.output()
        assert f.stop() == 0, f.output()

    # A restart keeps the index: no build, exact at once.
    again = Server(db, tmp, XAPIAN)
    try:
        wait_exact(again, timeout=10)
        assert "building the search index" not in again.output()
        assert "quokkas-of-the-caspian" in results(again, "quokka")[1]
    finally:
        assert again.stop() == 0, again.output()


def test_copied_journal_gets_its_own_index(journal, tmp_path):
    """An index copied beside another journal is rebuilt for it, not
    trusted: the database's token differs."""
    db, _ = journal
    other = make_journal(tmp_path)  # another journal, its own token
    shutil.copytree(str(db) + ".xapian", str(other) + ".xapian")
    srv = Server(other, tmp_path, XAPIAN)
    try:
        wait_exact(srv)
        assert "building the search index" in srv.output()
        assert results(srv, "reuter")[0] == "0"  # the copied one had them
        assert results(srv, "pakistan")[0] != "0"
    finally:
        assert srv.stop() == 0, srv.output()


def test_cli_builds_before_the_server(tmp_path):
    """`quire search-index build` builds in the foreground; the server then
    uses the index from its first search, and while it keeps the index the
    command refuses (one writer)."""
    db = make_journal(tmp_path)
    out = quire(db, "search-index", "build").stdout
    assert re.match(r"search index: \d+ articles, exact at change \d+", out)
    assert int(out.split()[2]) == 3  # published: not the draft
    srv = Server(db, tmp_path, XAPIAN)
    try:
        wait_exact(srv, timeout=10)
        assert "building the search index" not in srv.output()
        assert results(srv, "pakistan")[0] != "0"
        busy = quire(db, "search-index", "build", check=False)
        assert busy.returncode == 1
        assert "a running server keeps the index" in busy.stderr
    finally:
        assert srv.stop() == 0, srv.output()
    assert quire(db, "search-index", "nonsense", check=False).returncode == 1
