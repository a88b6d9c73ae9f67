"""Disk full: a clear error, no corruption, and recovery once space returns.

The database lives on a small tmpfs mounted for the test (mounting needs
root, as in CI; the tests skip with a message otherwise). A filler file
takes the free space; deleting it gives the space back.
"""
import errno
import os
import re
import sqlite3
import subprocess
import time

import pytest

from conftest import (FIXTURES, SEED_SLUG, Server, make_journal, quire,
                      seed_article_md, text_of)

REUTERS = FIXTURES / "corpus-reuters21578-md"
FULL = "database or disk is full"


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=0755",
                        "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small tmpfs to fill (needs root): "
                    + r.stderr.strip())
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk, leave=0):
    """Take all free space on disk but `leave` bytes; returns the filler."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (1 << 20, 4096):
            block = b"\0" * chunk
            try:
                while True:
                    f.write(block)
            except OSError as e:
                assert e.errno == errno.ENOSPC
    if leave:
        os.truncate(filler, max(0, os.path.getsize(filler) - leave))
    return filler


def integrity_ok(db):
    con = sqlite3.connect(str(db), timeout=10)
    try:
        return con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()


def scalar(db, sql, *args):
    con = sqlite3.connect(str(db), timeout=10)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


def test_import_on_a_full_disk_stops_cleanly_and_resumes(small_disk, tmp_path):
    files = [str(p) for p in sorted(REUTERS.glob("*.md"))[:4000]]
    db = small_disk / "journal.db"
    quire(db, "init")
    seed = tmp_path / "seed.md"
    seed.write_text(seed_article_md(), encoding="utf-8")
    quire(db, "import", "markdown", str(seed))
    filler = fill(small_disk, leave=3 << 20)

    p = quire(db, "import", "markdown", *files, check=False)
    assert p.returncode != 0
    assert FULL in p.stderr
    assert "import stopped" in p.stderr
    # One error, not one per remaining file.
    # (The disk fills on a save or on a batch's commit, whichever first.)
    assert p.stderr.count("cannot save") + \
        p.stderr.count("cannot commit") == 1, p.stderr
    # The summary counts only what was committed, which is whole batches.
    n = int(re.search(r"imported (\d+) new", p.stderr).group(1))
    assert n % 1000 == 0 and n < len(files)
    assert integrity_ok(db)
    assert scalar(db, "SELECT count(*) FROM articles") == n + 1

    os.unlink(filler)
    p = quire(db, "import", "markdown", *files)
    assert f"imported {len(files) - n} new, updated {n}" in p.stderr
    assert scalar(db, "SELECT count(*) FROM articles") == len(files) + 1
    assert integrity_ok(db)
    srv = Server(db, tmp_path)
    try:
        assert srv.get("/").status_code == 200
        assert srv.get("/articles/reuters-1").status_code == 200
    finally:
        assert srv.stop() == 0, srv.output()


def test_server_and_cli_writes_on_a_full_disk(small_disk, tmp_path):
    db = make_journal(small_disk)
    path = f"/articles/{SEED_SLUG}"
    srv = Server(db, tmp_path)
    try:
        assert srv.get(path).status_code == 200  # 3094
        deadline = time.time() + 5
        while (scalar(db, "SELECT hits FROM articles WHERE slug=?", SEED_SLUG)
               != 3094 and time.time() < deadline):
            time.sleep(0.1)
        filler = fill(small_disk)

        for _ in range(20):
            assert srv.get(path).status_code == 200
        for args in (["config", "set", "tagline", "written on a full disk"],
                     ["link", "add", "Full", "https://full.example"],
                     ["publication", "add", "--kind", "Op-ed", "--date",
                      "2024-01-01", "Full"]):
            p = quire(db, *args, check=False)
            assert p.returncode == 1, args
            assert FULL in p.stderr.splitlines()[-1], p.stderr
        # The server's flushes fail: it says so, keeps the counts, serves.
        deadline = time.time() + 10
        while "read counts not written" not in srv.output():
            assert time.time() < deadline, srv.output()
            time.sleep(0.2)
        assert FULL in srv.output()
        assert srv.proc.poll() is None
        assert srv.get("/").status_code == 200
        assert "Read 3115 times" in text_of(srv.get(path).text)
        assert scalar(db, "SELECT hits FROM articles WHERE slug=?",
                      SEED_SLUG) == 3094
        assert integrity_ok(db)

        os.unlink(filler)
        deadline = time.time() + 10
        while scalar(db, "SELECT hits FROM articles WHERE slug=?",
                     SEED_SLUG) != 3115:
            assert time.time() < deadline, srv.output()
            time.sleep(0.2)
        quire(db, "config", "set", "tagline", "written with space again")
        deadline = time.time() + 5
        while "written with space again" not in srv.get("/").text:
            assert time.time() < deadline
            time.sleep(0.2)
    finally:
        assert srv.stop() == 0, srv.output()
    assert integrity_ok(db)
    assert scalar(db, "SELECT sum(count) FROM hits_daily") == 3115 - 3093


def test_backup_onto_a_full_disk_leaves_nothing(small_disk, tmp_path):
    db = make_journal(tmp_path)
    dest = small_disk / "copy.db"
    filler = fill(small_disk, leave=64 << 10)
    p = quire(db, "backup", str(dest), check=False)
    assert p.returncode == 1
    assert FULL in p.stderr.splitlines()[-1], p.stderr
    assert sorted(os.listdir(small_disk)) == ["filler"]
    assert integrity_ok(db)
    os.unlink(filler)
    quire(db, "backup", str(dest))
    assert integrity_ok(dest)
