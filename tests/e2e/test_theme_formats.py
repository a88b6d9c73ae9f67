"""Dates, numbers and the read-count wording come from the theme's theme.ini."""
import re
import shutil
import subprocess

import pytest

from conftest import QUIRE, REPO, SEED_SLUG, Server, text_of

BOT = {"User-Agent": "Googlebot/2.1"}

FRENCH = """\
[format]
date_long = %A %-d %B %Y
date_short = %d/%m/%Y
month_year = %B %Y
number_grouping = "."
hits_zero = Pas encore lu
hits_one = Lu une fois
hits_other = Lu {n} fois <&>
[names]
months = janvier, février, mars, avril, mai, juin, juillet, août, septembre, octobre, novembre, décembre
days = dimanche, lundi, mardi, mercredi, jeudi, vendredi, samedi
"""


def theme_copy(tmp_path, ini):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme" / "default", theme)
    (theme / "theme.ini").write_text(ini, encoding="utf-8")
    return theme


@pytest.fixture(scope="module")
def french(journal, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("french")
    theme = theme_copy(tmp, FRENCH)
    srv = Server(journal, tmp, extra_ini=f"[server]\ntheme = {theme}\n")
    yield srv
    assert srv.stop() == 0, srv.output()


def test_a_theme_writes_dates_its_own_way(french):
    r = french.get(f"/articles/{SEED_SLUG}")
    t = text_of(r.text)
    assert "mercredi 30 juin 2004" in t
    assert "By Zahid Anwar (30/06/2004 issue of the CACI Analyst)" in t
    assert "Wednesday" not in t
    # The sidebar's publications use month_year.
    assert "mai 2023" in t and "juillet 2022" in t


def test_a_theme_words_the_read_count(french):
    r = french.get(f"/articles/{SEED_SLUG}")
    # Grouped, with the theme's phrase escaped as HTML.
    assert re.search(r'<p class="hits">Lu 3\.09\d fois &lt;&amp;&gt;</p>',
                     r.text), re.findall(r'<p class="hits">.*?</p>', r.text)
    # Zero and one have their own phrases; a bot does not count as a read.
    assert '<p class="hits">Pas encore lu</p>' in french.get(
        "/articles/two-authors", headers=BOT).text
    assert '<p class="hits">Lu une fois</p>' in french.get(
        "/articles/two-authors").text
    assert '<p class="hits">Lu 2 fois &lt;&amp;&gt;</p>' in french.get(
        "/articles/two-authors").text


def test_the_default_theme_says_read_once(server):
    # 3093 as imported, plus the reads of this module's French server if
    # it flushed them to the shared journal before this server started.
    assert re.search(r'<p class="hits">Read 309[3-5] times</p>', server.get(
        f"/articles/{SEED_SLUG}", headers=BOT).text)
    # caspian-voices starts unread; this module's other server never reads it.
    assert '<p class="hits">Read 0 times</p>' in server.get(
        "/articles/caspian-voices", headers=BOT).text
    assert '<p class="hits">Read once</p>' in server.get(
        "/articles/caspian-voices").text


def test_a_bad_theme_ini_stops_the_server_with_file_and_line(journal,
                                                             tmp_path):
    theme = theme_copy(tmp_path, "[format]\ndate_long = %A\nhits_one = x\n"
                                 "month_year = %Q %Y\n")
    p = subprocess.run([QUIRE, "--db", str(journal), "serve", "--theme",
                        str(theme), "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert f"{theme}/theme.ini:4: month_year: unknown conversion" in p.stderr
