"""The theme in a real browser: tests/browser/a11y.mjs drives Debian's
chromium (through playwright-core) over a live server, on a phone and a
desktop viewport and in print emulation; see that file for the checks.

Needs chromium, node and tests/browser/node_modules (`make browser-deps`).
Without them the test skips on a dev box, and fails in CI (CI or QUIRE_CI
set), where .ci/run installs them."""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import REPO, SEED_SLUG, Server, make_journal, quire

SCRIPT = REPO / "tests" / "browser" / "a11y.mjs"
MODULES = REPO / "tests" / "browser" / "node_modules" / "playwright-core"
IN_CI = bool(os.environ.get("CI") or os.environ.get("QUIRE_CI"))

# An article with an image and links in its body, for the alt and print
# checks (the image is the theme's stylesheet: it need not load to have alt).
FIGURE_MD = """---
title: "Pipelines Across the Caspian"
date: 2004-07-20
authors: [Svante E. Cornell]
section: Analytical Articles
tags: [Russia]
summary: "A map, and where to read more."
slug: pipelines
---
![Map of the planned pipelines](/assets/style.css)

See [the consortium](https://example.org/consortium) and the
[earlier report](/articles/caspian-voices).

## Routes

Text.

### The northern route

More text.
"""

PAGES = ["/", f"/articles/{SEED_SLUG}", "/articles/caspian-voices",
         "/articles/pipelines", "/sections/analytical-articles",
         "/issues", "/issues/2004-06-30", "/authors",
         "/authors/svante-e-cornell", "/tags/pakistan", "/archive",
         "/archive/2004", "/archive/2004/07", "/most-read",
         "/search?q=caspian", "/search",
         "/countries", "/countries/pk", "/organizations", "/relations",
         "/relations/pk-ru"]


def chromium_path():
    return (os.environ.get("CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def require(ok, what):
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{what}: required in CI (.ci/run installs it)")
    pytest.skip(f"browser test skipped: {what} (apt-get install chromium "
                f"nodejs; make browser-deps)")


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    db = make_journal(tmp)
    src = tmp / "figure"
    src.mkdir()
    # The newest article has a feature image: the home page's lead.
    subprocess.run(["vips", "black", str(tmp / "f.v"), "1200", "700",
                    "--bands", "3"], check=True, capture_output=True)
    subprocess.run(["vips", "linear", str(tmp / "f.v"),
                    str(tmp / "feature.jpg"), "1", "120", "--uchar"],
                   check=True, capture_output=True)
    out = quire(db, "media", "add", str(tmp / "feature.jpg")).stdout
    h = re.search(r"/media/(\w+)\.", out).group(1)
    md = FIGURE_MD.replace(
        "slug: pipelines\n", "slug: pipelines\nfeature_image: " + h +
        "\nfeature_image_alt: Pipes stacked at a Caspian port\n")
    (src / "pipelines.md").write_text(md, encoding="utf-8")
    quire(db, "import", "markdown", str(src))
    srv = Server(db, tmp_path_factory.mktemp("browser-server"))
    yield srv
    assert srv.stop() == 0, srv.output()


def test_pages_in_a_real_browser(browser_server):
    assert 'class="lead-image"' in browser_server.get("/").text
    chromium = chromium_path()
    require(chromium, "chromium is not installed")
    require(shutil.which("node"), "node is not installed")
    require(MODULES.is_dir(), "playwright-core is not in tests/browser")
    env = dict(os.environ, CHROMIUM=chromium)
    p = subprocess.run(["node", str(SCRIPT), browser_server.url, *PAGES],
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ok:" in p.stdout
