"""The command line: help, errors, settings and side modules."""
import subprocess

from conftest import QUIRE, quire

COMMANDS = ["init", "config", "link", "publication", "import", "serve"]


def test_help_on_every_command():
    r = subprocess.run([QUIRE, "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for c in COMMANDS:
        assert c in r.stdout
        one = subprocess.run([QUIRE, c, "--help"], capture_output=True,
                             text=True)
        assert one.returncode == 0 and "usage: quire " + c in one.stdout


def test_help_lists_every_command_on_one_line_each():
    out = subprocess.run([QUIRE, "--help"], capture_output=True,
                         text=True).stdout
    block = out.split("Commands:\n")[1].split("\n\n")[0].splitlines()
    names = [line.split()[0] for line in block]
    assert {"user", "token", "webhook", "media", "places", "mail"} <= set(
        names)
    for line in block:
        assert len(line) <= 80, line
        # a summary is a whole sentence or visibly cut at a word, never
        # cut inside a name such as docs/places.md or mail.smtp_url
        last = line.split()[-1]
        assert last.endswith("...") or not last.endswith((".", "/", "_")), \
            line
        assert "docs/places..." not in line, line
    mail = next(line for line in block if line.split()[0] == "mail")
    assert "mail.smtp_url" in mail
    for c in names:
        one = subprocess.run([QUIRE, c, "--help"], capture_output=True,
                             text=True)
        assert one.returncode == 0 and "usage: quire " + c in one.stdout, c


def test_errors_are_one_line_and_non_zero(tmp_path):
    db = tmp_path / "j.db"
    for args in [["nosuch"], ["config", "get", "name"], ["link", "list"],
                 ["--bogus", "init"]]:
        r = quire(db, *args, check=False)
        assert r.returncode != 0
        assert r.stderr.strip().splitlines()[-1].startswith("quire: ")
    quire(db, "init")
    r = quire(db, "init", check=False)
    assert r.returncode != 0 and "already exists" in r.stderr


def test_config_set_get_list(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    quire(db, "config", "set", "tagline", "Twice a month")
    assert quire(db, "config", "get", "tagline").stdout == "Twice a month\n"
    r = quire(db, "config", "set", "base_url", "not a url", check=False)
    assert r.returncode != 0 and "base_url" in r.stderr
    r = quire(db, "config", "set", "nosuch", "x", check=False)
    assert r.returncode != 0 and "unknown setting" in r.stderr
    r = quire(db, "config", "set", "listen", "0.0.0.0:80", check=False)
    assert r.returncode != 0 and "server setting" in r.stderr
    out = quire(db, "config", "list").stdout
    assert "tagline = Twice a month" in out
    assert "server.listen = 127.0.0.1:8080" in out


def test_bad_config_file_names_file_and_line(tmp_path):
    ini = tmp_path / "q.ini"
    ini.write_text("[server]\nthreads = 2\nlisen = 1.2.3.4:5\n")
    r = subprocess.run([QUIRE, "--db", str(tmp_path / "j.db"), "--config",
                        str(ini), "config", "list"], capture_output=True,
                       text=True)
    assert r.returncode != 0
    assert f"{ini}:3: unknown key 'lisen'" in r.stderr
    ini.write_text("[limits]\nbody_max = lots\n")
    r = subprocess.run([QUIRE, "--db", str(tmp_path / "j.db"), "--config",
                        str(ini), "config", "list"], capture_output=True,
                       text=True)
    assert r.returncode != 0 and f"{ini}:2:" in r.stderr


def test_links_and_publications(tmp_path):
    db = tmp_path / "j.db"
    quire(db, "init")
    lid = quire(db, "link", "add", "isdp", "https://isdp.eu").stdout.strip()
    assert "isdp\thttps://isdp.eu" in quire(db, "link", "list").stdout
    assert quire(db, "link", "add", "x", "javascript:alert(1)",
                 check=False).returncode != 0
    quire(db, "link", "remove", lid)
    assert quire(db, "link", "list").stdout == ""
    assert quire(db, "link", "remove", lid, check=False).returncode != 0
    pid = quire(db, "publication", "add", "--kind", "Book", "--date",
                "2021-12-01", "Strong and Unique").stdout.strip()
    assert "Book\tStrong and Unique" in quire(db, "publication",
                                               "list").stdout
    assert quire(db, "publication", "add", "--kind", "Book", "--date",
                 "2021-13-01", "Bad date", check=False).returncode != 0
    quire(db, "publication", "remove", pid)
    assert quire(db, "publication", "list").stdout == ""


def test_sql_profile_lists_statements_by_time(tmp_path):
    """QUIRE_SQL_PROFILE=1 prints each statement's time at exit, and only
    then: stdout stays the command's own."""
    import os
    db = tmp_path / "j.db"
    quire(db, "init")
    quire(db, "config", "set", "tagline", "T")
    plain = quire(db, "config", "list")
    assert "SQL profile" not in plain.stderr
    env = dict(os.environ, QUIRE_SQL_PROFILE="1")
    r = quire(db, "config", "list", env=env)
    assert r.stdout == plain.stdout
    lines = r.stderr.splitlines()
    head = lines.index(next(x for x in lines if x.startswith("SQL profile")))
    rows = [x.split(None, 3) for x in lines[head + 1:]]
    assert any(sql.startswith("SELECT key, value FROM settings")
               for _, _, _, sql in rows)
    totals = [float(ms) for ms, _, _, _ in rows]
    assert totals == sorted(totals, reverse=True) and all(
        int(steps) >= 1 for _, steps, _, _ in rows)
