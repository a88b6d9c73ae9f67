"""The page cache: pages come from memory after their first render, and an
edit drops only the pages that show what changed, whichever process made it."""
import time

from conftest import SEED_SLUG, Server, make_journal, quire, text_of


def wait_for(cond, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def test_an_edit_drops_only_the_pages_that_show_it(tmp_path):
    db = make_journal(tmp_path)
    srv = Server(db, tmp_path)
    try:
        seed = "/articles/" + SEED_SLUG
        pages = ["/", "/sections/analytical-articles",
                 "/sections/field-reports", "/articles/caspian-voices",
                 "/articles/two-authors", seed]
        for p in pages + ["/no-such-page"]:
            srv.get(p)
        for p in pages:
            assert srv.get(p).headers["X-Cache"] == "hit", p

        # Another process renames one Analytical Articles piece.
        src = tmp_path / "articles" / "two-authors.md"
        src.write_text(src.read_text().replace('"Two Authors"',
                                               '"Two Authors, Revised"'))
        quire(db, "import", "markdown", str(src))
        assert wait_for(lambda: "Two Authors, Revised" in text_of(
            srv.get("/sections/analytical-articles").text))

        # What shows it was rendered again, the article that lists it
        # among its related articles too (same section); what does not show
        # it (another section, no shared tag) was kept.
        assert "Two Authors, Revised" in srv.get("/articles/two-authors").text
        assert "Two Authors, Revised" in srv.get("/").text
        r = srv.get("/articles/caspian-voices")
        assert "Two Authors, Revised" in text_of(r.text)
        assert srv.get("/sections/field-reports").headers["X-Cache"] == "hit"
        assert srv.get(seed).headers["X-Cache"] == "hit"
        assert srv.get("/no-such-page").status_code == 404

        # A journal setting is on every page: everything is rendered again.
        quire(db, "config", "set", "name", "The Renamed Analyst")
        assert wait_for(lambda: "The Renamed Analyst" in
                        srv.get("/sections/field-reports").text)
        assert "The Renamed Analyst" in srv.get(seed).text
        assert "The Renamed Analyst" in srv.get("/no-such-page").text
    finally:
        assert srv.stop() == 0, srv.output()
