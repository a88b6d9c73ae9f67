"""The back office's accounts in a real browser: tests/browser/admin.mjs
logs in, runs axe-core on the account, side modules', author and media
pages, enrols in TOTP with a code
it computes, logs out and in again with a code (see that file).

Skips on a dev box without chromium, node or tests/browser/node_modules;
fails in CI, like test_browser.py."""
import os
import shutil
import subprocess

from conftest import REPO, Server, quire
from test_browser import IN_CI, chromium_path, require

SCRIPT = REPO / "tests" / "browser" / "admin.mjs"
MODULES = REPO / "tests" / "browser" / "node_modules"
PW = "a browser's password"


def test_accounts_in_a_real_browser(tmp_path):
    chromium = chromium_path()
    require(chromium, "chromium is not installed")
    require(shutil.which("node"), "node is not installed")
    require((MODULES / "playwright-core").is_dir() and
            (MODULES / "axe-core").is_dir(),
            "playwright-core or axe-core is not in tests/browser")
    db = tmp_path / "j.db"
    quire(db, "init")
    quire(db, "user", "add", "chief@example.org", "--name", "Chief Editor",
          "--role", "admin", "--password-stdin", input=PW + "\n")
    # Something for the side modules' and author's pages to show: a link
    # with a logo, a publication with a cover, an author (id 1 each).
    subprocess.run(["vips", "black", str(tmp_path / "b.v"), "300", "120",
                    "--bands", "3"], check=True, capture_output=True)
    subprocess.run(["vips", "linear", str(tmp_path / "b.v"),
                    str(tmp_path / "logo.png"), "1", "90", "--uchar"],
                   check=True, capture_output=True)
    quire(db, "media", "add", str(tmp_path / "logo.png"), "--alt",
          "Partner logo")
    quire(db, "link", "add", "silkroad", "https://silkroadstudies.org",
          "--image", "1")
    quire(db, "publication", "add", "--kind", "Book", "--date", "2024-01-02",
          "A Book", "--cover", "1")
    src = tmp_path / "md"
    src.mkdir()
    (src / "a.md").write_text("---\ntitle: A Piece\ndate: 2024-01-02\n"
                              "authors: [Ada Writer]\n---\n\nText.\n")
    quire(db, "import", "markdown", str(src))
    srv = Server(db, tmp_path)
    try:
        env = dict(os.environ, CHROMIUM=chromium)
        p = subprocess.run(["node", str(SCRIPT), srv.url,
                            "chief@example.org", PW],
                           capture_output=True, text=True, timeout=180,
                           env=env)
        assert p.returncode == 0, p.stdout + p.stderr
        assert p.stdout.startswith("ok:")
    finally:
        assert srv.stop() == 0, srv.output()
    out = quire(db, "audit").stdout
    assert "chief@example.org\ttotp.enable" in out
    assert out.count("chief@example.org\tlogin") >= 2
