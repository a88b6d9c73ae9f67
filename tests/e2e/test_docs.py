"""The docs match the code: the required templates listed in README.md and
docs/theming.md are exactly the ones `quire serve` insists on, so a theme
built from the docs starts; and scripts/checksrc cites a file that exists.
"""
import re
import shutil
import subprocess

from conftest import QUIRE, REPO, quire


def code_required():
    src = (REPO / "src" / "site" / "site.c").read_text()
    m = re.search(r"required\[\]\s*=\s*\{(.*?)\};", src, re.S)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return set(re.findall(r'"([a-z_]+)"', body))


def readme_required():
    text = (REPO / "README.md").read_text()
    m = re.search(r"Required templates:(.*?)\.\n", text, re.S)
    return set(re.findall(r"`([a-z_]+)`", m.group(1)))


def theming_required():
    text = (REPO / "docs" / "theming.md").read_text()
    block = text.split("```")[1]
    names = set(re.findall(r"\b([a-z_]+)\.mustache", block))
    return names - {"layout"}  # the frame the others extend; partials/*


def test_documented_templates_are_the_required_ones():
    code = code_required()
    assert "search" in code and len(code) >= 10, code
    assert readme_required() == code
    assert theming_required() == code


def test_theme_missing_a_documented_template_does_not_start(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme" / "default", theme)
    (theme / "templates" / "search.mustache").unlink()
    ini = tmp_path / "q.ini"
    ini.write_text(f"[server]\ntheme = {theme}\n")
    p = subprocess.run([QUIRE, "--db", str(db), "--config", str(ini),
                        "serve", "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    assert "search.mustache: missing from the theme" in p.stderr


def test_checksrc_cites_the_conventions_in_the_repository():
    text = (REPO / "scripts" / "checksrc").read_text()
    cited = re.findall(r"docs/[a-z_/-]+\.md", text)
    assert cited, "scripts/checksrc cites no document"
    for c in cited:
        assert (REPO / c).is_file(), c
