"""Crash safety: SIGKILL at random moments, then restart and check.

Two scenarios, each repeated for QUIRE_CRASH_ROUNDS rounds (default 20)
within QUIRE_CRASH_SECONDS seconds (default 30) per scenario:

- an import of a slice of the Reuters corpus is killed mid-way: the
  database must pass integrity_check and hold exactly the batches the
  import committed (the first k * 1000 files, whole), plus what was there;
- a server taking reads (hit flushes every second) while two CLI processes
  loop over `config set`, `link add` and `publication add` is killed, with
  whichever CLI process is running: every write a CLI reported is present,
  the read counts are consistent (articles.hits moved exactly as much as
  hits_daily, i.e. no flush was half-written) and never go back.

After every kill the server restarts on the database and serves / and an
article. Set QUIRE_CRASH_ROUNDS=200 QUIRE_CRASH_SECONDS=600 for a long run;
the counts are printed (pytest -s) and written to crash-rounds.txt in the
test's tmp dir.
"""
import os
import random
import shutil
import sqlite3
import subprocess
import time
from collections import Counter

from conftest import (FIXTURES, QUIRE, SEED_SLUG, Server, make_journal,
                      quire, seed_article_md)
from load import Readers, Writers, kill

ROUNDS = int(os.environ.get("QUIRE_CRASH_ROUNDS", "20"))
SECONDS = float(os.environ.get("QUIRE_CRASH_SECONDS", "30"))
MIN_ROUNDS = min(ROUNDS, 8)  # even a slow (sanitizer) build must do this many
BATCH = 1000                 # IMPORT_BATCH in src/io/import_markdown.h
REUTERS = FIXTURES / "corpus-reuters21578-md"


def db_check(db):
    """integrity_check through Python's own SQLite; returns a connection."""
    con = sqlite3.connect(str(db), timeout=10)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    return con


def serves(srv, slug=SEED_SLUG):
    assert srv.get("/").status_code == 200, srv.output()
    r = srv.get(f"/articles/{slug}")
    assert r.status_code == 200, srv.output()
    return r.text


def record(tmp, name, n, detail):
    line = f"{name}: {n} SIGKILLs survived; {detail}"
    print("\n" + line)
    with open(tmp / "crash-rounds.txt", "a") as f:
        f.write(line + "\n")


def reuters_slice(n):
    files = sorted(REUTERS.glob("*.md"), key=lambda p: p.name)[:n]
    assert len(files) == n, "Reuters fixture missing"
    return [str(p) for p in files]


def slug_of(path):
    return os.path.basename(path)[:-3]  # the corpus's slugs are file names


def test_sigkill_during_import(tmp_path):
    files = reuters_slice(3 * BATCH + 500)
    template = tmp_path / "template.db"
    quire(template, "init")
    quire(template, "config", "set", "name", "Before the import")
    seed = tmp_path / "seed.md"
    seed.write_text(seed_article_md(), encoding="utf-8")
    quire(template, "import", "markdown", str(seed))

    db = tmp_path / "journal.db"
    est = 1.0  # how long an import takes; learnt from imports that finished
    kills = finished = 0
    batches = []  # whole batches found after each kill
    deadline = time.time() + SECONDS
    rnd = random.Random(os.environ.get("QUIRE_CRASH_SEED"))
    while kills < ROUNDS and time.time() < deadline:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{db}{suffix}"):
                os.unlink(f"{db}{suffix}")
        shutil.copy(template, db)
        t0 = time.time()
        p = subprocess.Popen([QUIRE, "--db", str(db), "import", "markdown",
                              *files], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            p.wait(timeout=rnd.uniform(0.02, est))
            out = p.stderr.read().decode()
            assert p.returncode == 0, out
            finished += 1
            est = max(0.1, (time.time() - t0) * 0.95)
            killed = False
        except subprocess.TimeoutExpired:
            kill(p)
            kills += 1
            killed = True
        p.stderr.close()

        srv = Server(db, tmp_path)
        try:
            con = db_check(db)
            try:
                slugs = {r[0] for r in con.execute("SELECT slug FROM articles")}
                name = con.execute(
                    "SELECT value FROM settings WHERE key = 'name'").fetchone()
            finally:
                con.close()
            assert name == ("Before the import",)
            assert SEED_SLUG in slugs
            slugs.discard(SEED_SLUG)
            # Whole batches only, and exactly the first ones.
            n = len(slugs)
            assert n % BATCH == 0 or n == len(files), (killed, n)
            assert slugs == {slug_of(f) for f in files[:n]}
            if killed:
                batches.append(n // BATCH)
            serves(srv)
            if n:
                serves(srv, slug_of(files[n - 1]))
        finally:
            assert srv.stop() == 0, srv.output()
    record(tmp_path, "import", kills,
           f"{finished} imports finished first; kills by batches committed "
           f"before them: {dict(sorted(Counter(batches).items()))}")
    assert kills >= MIN_ROUNDS, f"only {kills} kills ({finished} finished)"


def test_sigkill_during_sustained_writes(tmp_path):
    db = make_journal(tmp_path)
    con = sqlite3.connect(str(db))
    initial = dict(con.execute("SELECT id, hits FROM articles"))
    slugs = [r[0] for r in con.execute(
        "SELECT slug FROM articles WHERE status = 1")]
    con.close()

    links, pubs, setting = {}, {}, {}
    seq = 0
    last_hits = dict(initial)
    kills = 0
    deadline = time.time() + SECONDS
    rnd = random.Random(os.environ.get("QUIRE_CRASH_SEED"))
    srv = Server(db, tmp_path)
    try:
        while kills < ROUNDS and time.time() < deadline:
            w = Writers(db, first=seq)
            with Readers(srv, slugs):
                w.start()
                time.sleep(rnd.uniform(0.2, 1.5))
                # The server and the CLI processes die at the same moment.
                with w.lock:
                    w.stop.set()
                    kill(srv.proc)
                    for p in w.procs.values():
                        kill(p)
            w.kill()
            seq = w.seq + 1
            kills += 1
            srv.stop()
            assert not w.errors, w.errors
            links.update(w.links)
            pubs.update(w.pubs)
            for k, v in w.setting.items():
                setting[k] = max(setting.get(k, 0), v)

            srv = Server(db, tmp_path)
            con = db_check(db)
            try:
                have = dict(con.execute("SELECT id, title FROM links"))
                for i, title in links.items():
                    assert have.get(i) == title, f"link {i} lost"
                have = dict(con.execute("SELECT id, title FROM publications"))
                for i, title in pubs.items():
                    assert have.get(i) == title, f"publication {i} lost"
                for k, v in setting.items():
                    got = con.execute("SELECT value FROM settings WHERE key=?",
                                      (k,)).fetchone()[0]
                    assert int(got.split()[1]) >= v, (k, got, v)
                # A flush writes articles.hits and hits_daily together.
                for aid, hits in con.execute("SELECT id, hits FROM articles"):
                    daily = con.execute(
                        "SELECT coalesce(sum(count), 0) FROM hits_daily"
                        " WHERE article_id = ?", (aid,)).fetchone()[0]
                    assert hits == initial[aid] + daily, (aid, hits, daily)
                    assert hits >= last_hits[aid]
                    last_hits[aid] = hits
            finally:
                con.close()
            page = serves(srv)
            if links:
                newest = links[max(links)]
                assert newest in page, "the newest link is not shown"
    finally:
        assert srv.stop() == 0, srv.output()
    record(tmp_path, "writes", kills,
           f"{len(links)} links, {len(pubs)} publications, "
           f"{sum(last_hits.values()) - sum(initial.values())} reads stored")
    assert kills >= MIN_ROUNDS
    assert sum(last_hits.values()) > sum(initial.values()), "no flush happened"
    assert links and pubs and setting, "no write completed"
