"""The article page shows everything the seed page of a real journal shows."""
import re

import requests

from conftest import SEED_SLUG, text_of


def test_article_page_has_every_element_of_the_seed(server):
    r = server.get(f"/articles/{SEED_SLUG}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    t = text_of(r.text)
    assert "Wednesday, 30 June 2004" in t
    assert "PAKISTAN–RUSSIA RELATIONS IN A REGIONAL AND GLOBAL CONTEXT" in t
    assert "Published in Field Reports" in t
    assert '<a href="/sections/field-reports">Field Reports</a>' in r.text
    assert "By Zahid Anwar (6/30/2004 issue of the CACI Analyst)" in t
    assert "Certain vigorous efforts from Moscow and Islamabad" in t
    assert "Niaz A. Naik, former foreign secretary of Pakistan" in t
    assert "in that format." in t  # the last paragraph of the body
    assert re.search(r"Read 309\d times", t)
    # Side modules come from the database.
    assert "Visit also" in t and "silkroad" in t and "AFPC" in t
    assert 'href="https://www.afpc.org"' in r.text
    assert "Staff Publications" in t
    assert "U.S. Policy in Central Asia through Central Asian Eyes" in t
    assert "Silk Road Paper" in t and "Op-ed" in t
    assert "The Central Asia-Caucasus Analyst is a biweekly publication." in t
    assert re.search(r'<form[^>]+method="post"[^>]+action="/newsletter"',
                     r.text)
    assert re.search(r'<input[^>]+type="email"[^>]+name="email"', r.text)


def test_several_authors_are_joined_naturally(server):
    t = text_of(server.get("/articles/caspian-voices").text)
    assert ("By Svante E. Cornell, S. Frederick Starr and Albert Barro "
            "(7/14/2004 issue of the CACI Analyst)") in t
    t = text_of(server.get("/articles/two-authors").text)
    assert "By Johan Engvall and Svante E. Cornell" in t


def test_markdown_is_rendered_and_raw_html_never_passes(server):
    r = server.get("/articles/caspian-voices")
    assert "<table>" in r.text and "<td>Kazakhstan</td>" in r.text
    assert 'class="footnotes"' in r.text or "footnote" in r.text
    assert '<a href="https://example.org">' in r.text
    assert "<script>alert" not in r.text
    # The intro is text: its markup shows as text, escaped.
    assert "&lt;b&gt;markup&lt;/b&gt; &amp; ampersands" in r.text


def test_draft_is_not_public(server):
    assert server.get("/articles/not-yet").status_code == 404


def test_home_lists_newest_articles_with_links(server):
    r = server.get("/")
    assert r.status_code == 200
    html = r.text
    assert f'href="/articles/{SEED_SLUG}"' in html
    assert 'href="/articles/caspian-voices"' in html
    # Newest first.
    assert html.index("caspian-voices") < html.index(SEED_SLUG)
    assert "Not Yet" not in html


def test_section_page_lists_its_articles(server):
    r = server.get("/sections/analytical-articles")
    assert r.status_code == 200
    t = text_of(r.text)
    assert "Three Voices on the Caspian" in t and "Two Authors" in t
    assert "PAKISTAN" not in t
    assert server.get("/sections/no-such-section").status_code == 404


def test_unknown_page_numbers_are_404(server):
    assert server.get("/?page=999").status_code == 404
    assert server.get("/?page=abc").status_code == 404
    assert server.get("/?page=1").status_code == 200


def test_newsletter_form_validates_the_address(server):
    r = requests.post(server.url + "/newsletter",
                      data={"email": "reader@example.org"}, timeout=10)
    assert r.status_code == 200
    # double opt-in (issue 11): a confirmation link is on its way
    assert ("If reader@example.org can receive mail, a message with a link "
            "to confirm") in text_of(r.text)
    # Signing up twice is not an error and reveals nothing.
    r = requests.post(server.url + "/newsletter",
                      data={"email": "reader@example.org"}, timeout=10)
    assert r.status_code == 200
    for bad in ["", "not-an-address", "a@b", "<script>@x.org", "a b@c.org"]:
        r = requests.post(server.url + "/newsletter", data={"email": bad},
                          timeout=10)
        assert r.status_code == 400, bad
        assert "<script>@" not in r.text
        assert "role=\"alert\"" in r.text
