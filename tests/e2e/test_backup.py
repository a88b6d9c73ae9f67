"""quire backup and quire restore, as an operator uses them."""
import os
import sqlite3
import time

from conftest import (FIXTURES, SEED_SLUG, Server, make_journal, quire,
                      text_of)
from load import Readers, Writers

QUIRE_APP_ID = 0x51756972
REUTERS = FIXTURES / "corpus-reuters21578-md"


def inspect(path):
    """(integrity, application_id, journal_mode) of a file, read-only."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (con.execute("PRAGMA integrity_check").fetchone()[0],
                con.execute("PRAGMA application_id").fetchone()[0],
                con.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        con.close()


def rows(path, sql):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_backup_while_the_server_runs_and_writes(tmp_path):
    db = make_journal(tmp_path)
    files = [str(p) for p in sorted(REUTERS.glob("*.md"))[:4000]]
    quire(db, "import", "markdown", *files)  # a backup of some size
    srv = Server(db, tmp_path)
    w = Writers(db)
    try:
        slugs = [SEED_SLUG, "reuters-1", "reuters-10"]
        with Readers(srv, slugs):
            w.start()
            deadline = time.time() + 30  # slow under sanitizers
            while len(w.links) < 3 or len(w.pubs) < 3:
                assert time.time() < deadline and not w.errors, w.errors
                time.sleep(0.1)
            with w.lock:  # everything reported so far is committed
                links, pubs = dict(w.links), dict(w.pubs)
                hits = rows(db, "SELECT sum(hits) FROM articles")[0][0]
            t0 = time.monotonic()
            p = quire(db, "backup", str(tmp_path / "copy.db"))
            t1 = time.monotonic()
            time.sleep(0.5)
            w.finish()
        assert "integrity ok" in p.stdout
        assert links and pubs and not w.errors, w.errors
        # The server wrote on during the backup: writes began and ended
        # inside it (the copy holds a read snapshot, which blocks no one).
        during = [b - a for a, b in w.spans if a > t0 and b < t1]
        print(f"\nbackup took {t1 - t0:.2f} s; {len(during)} CLI writes "
              f"committed during it, slowest {max(during, default=0):.3f} s")
        # Blocked writers would commit nothing from the backup's snapshot
        # to its end: so some write must end inside the backup, later than
        # the slowest write before it could have taken (a CLI write takes
        # seconds under sanitizers on a loaded machine; then the backup
        # may be too short to tell).
        slowest = max((b - a for a, b in w.spans if b < t0), default=0)
        ended = [b - t0 for a, b in w.spans if t0 + slowest < b < t1]
        if t1 - t0 > slowest + 0.3:
            assert ended, ("writers were blocked by the backup: writes "
                           "around it (start, end after its start): " +
                           str([(round(a - t0, 2), round(b - t0, 2))
                                for a, b in w.spans if b > t0 - 3]))
    finally:
        assert srv.stop() == 0, srv.output()

    copy = tmp_path / "copy.db"
    assert inspect(copy) == ("ok", QUIRE_APP_ID, "delete")
    assert not os.path.exists(f"{copy}.tmp")
    assert not os.path.exists(f"{copy}-wal")
    got = dict(rows(copy, "SELECT id, title FROM links"))
    assert all(got.get(i) == t for i, t in links.items())
    got = dict(rows(copy, "SELECT id, title FROM publications"))
    assert all(got.get(i) == t for i, t in pubs.items())
    assert rows(copy, "SELECT count(*) FROM articles")[0][0] == 4004
    assert rows(copy, "SELECT sum(hits) FROM articles")[0][0] >= hits

    # The copy is a journal a server can serve as it is.
    srv = Server(copy, tmp_path)
    try:
        assert srv.get(f"/articles/{SEED_SLUG}").status_code == 200
    finally:
        assert srv.stop() == 0, srv.output()


def test_backup_keeps_an_existing_file_unless_forced(tmp_path):
    db = make_journal(tmp_path)
    dest = tmp_path / "copy.db"
    dest.write_text("precious")
    p = quire(db, "backup", str(dest), check=False)
    assert p.returncode == 1
    assert "exists; pass --force" in p.stderr
    assert dest.read_text() == "precious"
    assert not os.path.exists(f"{dest}.tmp")
    quire(db, "backup", "--force", str(dest))
    assert inspect(dest)[:2] == ("ok", QUIRE_APP_ID)
    # Never onto the database itself, not even with --force.
    p = quire(db, "backup", "--force", str(db), check=False)
    assert p.returncode == 1 and "the database itself" in p.stderr
    assert inspect(db)[0] == "ok"
    p = quire(db, "backup", check=False)
    assert p.returncode == 1 and "usage: quire backup" in p.stderr


def name_on_home(srv):
    return text_of(srv.get("/").text)


def test_restore_refuses_while_in_use_and_works_when_stopped(tmp_path):
    db = make_journal(tmp_path)
    backup = tmp_path / "before.db"
    quire(db, "config", "set", "name", "Journal Before")
    quire(db, "backup", str(backup))
    quire(db, "config", "set", "name", "Journal After")
    quire(db, "link", "add", "Added after the backup", "https://after.example")

    srv = Server(db, tmp_path)
    try:
        p = quire(db, "restore", str(backup), check=False)
        assert p.returncode == 1
        assert "in use by another quire process" in p.stderr
        assert "Journal After" in name_on_home(srv)
    finally:
        assert srv.stop() == 0, srv.output()

    # Another program (here Python's sqlite3) with the file open: refused.
    con = sqlite3.connect(str(db))
    con.execute("SELECT count(*) FROM articles").fetchone()
    try:
        p = quire(db, "restore", str(backup), check=False)
        assert p.returncode == 1
        assert "in use by another program" in p.stderr
    finally:
        con.close()

    p = quire(db, "restore", str(backup))
    assert "integrity ok" in p.stdout
    for sidecar in ("-wal", "-shm", ".tmp"):
        assert not os.path.exists(f"{db}{sidecar}")
    srv = Server(db, tmp_path)
    try:
        home = name_on_home(srv)
        assert "Journal Before" in home
        assert "Added after the backup" not in home
        assert srv.get(f"/articles/{SEED_SLUG}").status_code == 200
        # The restored journal takes writes again.
        quire(db, "config", "set", "tagline", "Restored and writable")
        deadline = time.time() + 5
        while "Restored and writable" not in name_on_home(srv):
            assert time.time() < deadline
            time.sleep(0.2)
    finally:
        assert srv.stop() == 0, srv.output()
    assert inspect(db)[0] == "ok"
    # The backup itself was only read.
    assert inspect(backup) == ("ok", QUIRE_APP_ID, "delete")


def test_restore_refuses_foreign_corrupt_and_newer_files(tmp_path):
    db = make_journal(tmp_path)
    good = tmp_path / "good.db"
    quire(db, "backup", str(good))
    before = (db.stat().st_ino, rows(db, "SELECT count(*) FROM articles"))

    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    other = tmp_path / "other.db"
    con = sqlite3.connect(str(other))
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    con = sqlite3.connect(str(newer))
    con.execute("PRAGMA user_version = 999")
    con.close()
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = 4096
    assert len(data) >= 8 * page
    for p in range(2, len(data) // page):  # every page's header but the root
        data[p * page:p * page + 8] = b"\xff" * 8
    damaged.write_bytes(bytes(data))
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")

    cases = [(junk, "not a usable Quire database"),
             (other, "not a Quire database"),
             (empty, "not a Quire database"),
             (newer, "schema version 999 is newer"),
             (damaged, "damaged"),
             (tmp_path / "missing.db", "no such file"),
             (tmp_path, "not a file"),
             (db, "the database itself")]
    for path, why in cases:
        p = quire(db, "restore", str(path), check=False)
        assert p.returncode == 1, path
        msg = p.stderr.strip().splitlines()[-1]
        assert msg.startswith("quire: restore refused: ") and why in msg, msg
        assert (db.stat().st_ino,
                rows(db, "SELECT count(*) FROM articles")) == before
        assert not os.path.exists(f"{db}.tmp")
    assert inspect(db)[0] == "ok"


def test_sigkill_during_backup_never_leaves_a_half_file(tmp_path):
    import random
    import subprocess
    from conftest import QUIRE
    from load import kill
    db = make_journal(tmp_path)
    files = [str(p) for p in sorted(REUTERS.glob("*.md"))[:4000]]
    quire(db, "import", "markdown", *files)
    dest = tmp_path / "copy.db"
    rnd = random.Random(os.environ.get("QUIRE_CRASH_SEED"))
    complete = 0
    for _ in range(8):
        if dest.exists():
            dest.unlink()
        p = subprocess.Popen([QUIRE, "--db", str(db), "backup", str(dest)],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.0, 0.25))
        kill(p)
        if dest.exists():  # the rename happened: the copy is whole
            assert inspect(dest)[:2] == ("ok", QUIRE_APP_ID)
            complete += 1
    # A later backup cleans up what a killed one left.
    if dest.exists():
        dest.unlink()
    quire(db, "backup", str(dest))
    assert inspect(dest)[:2] == ("ok", QUIRE_APP_ID)
    assert sorted(p.name for p in tmp_path.glob("copy.db*")) == ["copy.db"]
    assert inspect(db)[0] == "ok"
