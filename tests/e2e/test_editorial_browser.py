"""The editors' side in a real browser: tests/browser/editorial.mjs writes
an article with a table and a footnote, previews, publishes, edits,
restores a revision, schedules one and watches it appear, and publishes an
issue (see that file). The user is made with the CLI.

Skips on a dev box without chromium, node or tests/browser/node_modules;
fails in CI, like test_browser.py."""
import os
import shutil
import subprocess

from conftest import REPO, Server, make_journal, quire
from test_browser import chromium_path, require

SCRIPT = REPO / "tests" / "browser" / "editorial.mjs"
MODULES = REPO / "tests" / "browser" / "node_modules"
PW = "an editor's password"


def test_editorial_in_a_real_browser(tmp_path):
    chromium = chromium_path()
    require(chromium, "chromium is not installed")
    require(shutil.which("node"), "node is not installed")
    require((MODULES / "playwright-core").is_dir() and
            (MODULES / "axe-core").is_dir(),
            "playwright-core or axe-core is not in tests/browser")
    db = make_journal(tmp_path)
    quire(db, "user", "add", "desk@example.org", "--name", "Desk Editor",
          "--role", "editor", "--password-stdin", input=PW + "\n")
    srv = Server(db, tmp_path)
    try:
        env = dict(os.environ, CHROMIUM=chromium)
        p = subprocess.run(["node", str(SCRIPT), srv.url,
                            "desk@example.org", PW],
                           capture_output=True, text=True, timeout=240,
                           env=env)
        assert p.returncode == 0, p.stdout + p.stderr
        assert p.stdout.startswith("ok:")
    finally:
        assert srv.stop() == 0, srv.output()
    out = quire(db, "audit", "--limit", "100").stdout
    assert "article.restore" in out and "issue.publish" in out
