"""Importing Markdown with front matter: good files land, bad ones are named."""
import sqlite3

from conftest import FIXTURES, quire


def count(db, sql="SELECT count(*) FROM articles"):
    con = sqlite3.connect(str(db))
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_bad_files_are_reported_and_good_ones_imported(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    src = tmp_path / "md"
    (src / "sub").mkdir(parents=True)
    (src / "good.md").write_text("---\ntitle: Good One\ndate: 2020-01-02\n---\nText\n")
    (src / "sub" / "nested.md").write_text("---\ntitle: Nested\n---\nText\n")
    (src / "notitle.md").write_text("---\ndate: 2020-01-02\n---\nText\n")
    (src / "baddate.md").write_text("---\ntitle: X\n\ndate: 2020-02-30\n---\n")
    (src / "badyaml.md").write_text("---\ntitle: [unclosed\n---\n")
    (src / "badutf8.md").write_bytes(b"---\ntitle: ok\n---\nline\n\xff\xfe\n")
    (src / "control.md").write_bytes(b"---\ntitle: ok\n---\nline\nbell\x07\n")
    (src / "yamlctl.md").write_text('---\ndate: 2020-01-02\ntitle: "a\\x1b[31m"\n---\n')
    r = quire(db, "import", "markdown", str(src), check=False)
    assert r.returncode == 1
    err = r.stderr
    assert f"{src}/baddate.md:4:" in err
    assert f"{src}/notitle.md:" in err and "title" in err
    assert f"{src}/badyaml.md:" in err
    assert f"{src}/badutf8.md:5:" in err
    assert f"{src}/control.md:5: control character U+0007" in err
    assert f"{src}/yamlctl.md:3:" in err and "U+001B" in err
    assert count(db) == 2
    # Re-importing updates instead of duplicating.
    (src / "good.md").write_text("---\ntitle: Good One\ndate: 2020-01-02\n---\nNew\n")
    quire(db, "import", "markdown", str(src / "good.md"), str(src / "sub"))
    assert count(db) == 2
    assert count(db, "SELECT body_md FROM articles WHERE slug='good-one'") == "New\n"


def test_same_title_gets_a_unique_slug(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    for n in ("a.md", "b.md"):
        (tmp_path / n).write_text("---\ntitle: Same Title\n---\nx\n")
    quire(db, "import", "markdown", str(tmp_path / "a.md"), str(tmp_path / "b.md"))
    con = sqlite3.connect(str(db))
    slugs = sorted(r[0] for r in con.execute("SELECT slug FROM articles"))
    assert slugs == ["same-title", "same-title-2"]


def test_reuters_corpus_imports_cleanly(tmp_path):
    db = tmp_path / "reuters.db"
    quire(db, "init")
    corpus = FIXTURES / "corpus-reuters21578-md"
    r = quire(db, "import", "markdown", str(corpus))
    assert "failed 0" in r.stderr
    n = len(list(corpus.glob("*.md")))
    assert n == 15055
    assert count(db) == n
    assert count(db, "SELECT count(*) FROM articles WHERE slug='reuters-1' "
                     "AND title='BAHIA COCOA REVIEW'") == 1
