#!/usr/bin/python3
"""Quire's benchmark: `make bench` runs this (see docs/benchmarks.md).

Every comparison runs Quire (A) and its reference (B) in the same run,
interleaved A B A B ..., BENCH_ROUNDS times, and reports medians:

  1. a cached article page: quire serve vs nginx serving the very same
     bytes as a static file (req/s, p50/p99, server CPU us per request from
     /proc/<pid>/stat), at 64 and 256 connections;
  2. a page mix (home, section and article pages at random across the
     archive): quire serve vs nginx serving Quire's static export;
  3. cold render: median us per article page with the cache off;
  4. `quire export static` of the corpus vs `hugo` on the same Markdown
     with the minimal theme in bench/hugo-site, on tmpfs and into a
     folder on disk, at the run's size and at BENCH_EXPORT_SIZES;
  5. import time, start-up time of `quire serve` until its port answers,
     peak RSS (VmHWM) after the load runs;
  6. the read counter: N browser requests raise the stored count by
     exactly N, with the count flushed live and with SIGTERM right after;
  7. median and p95 latency of list pages and searches, rendered (cache
     off), for issue 3; a 404 (page not there yet) is shown as n/a; and a
     cached article's p95 while one client floods the search (issue 17);
  8. imports and exports (issue 12): JSON, WXR, K2 from a local MariaDB;
  9. the newsletter (issue 11): digests per second to a local aiosmtpd
     (mail_rate = 0), unsigned and DKIM-signed, and the cached-article
     throughput during a 10,000-message send vs without.

Environment: BENCH_ARTICLES (0 = the whole corpus), BENCH_ROUNDS (3),
BENCH_SECONDS (10 per wrk run), BENCH_DIR (work folder; default a new one
in /dev/shm), QUIRE_BIN, QUIRE_FIXTURES, BENCH_DOC (the Markdown file the
table is written into; empty: do not write), BENCH_ONLY (comma-separated
steps run after the import, e.g. "newsletter" or "migrate,newsletter":
their rows are printed, the document is left alone; "export" is row 4
at each size; "mix" is row 2 after a plain export; "flood" the search
flood of row 7), BENCH_DISK_DIR (row 4's folder on disk is made in it;
default /var/tmp), BENCH_EXPORT_SIZES (row 4 also at these numbers of
articles, comma-separated; default 4000).
"""
import datetime
import http.client
import os
import pathlib
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import urllib.parse
import urllib.request
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
QUIRE = os.environ.get("QUIRE_BIN", str(REPO / "build-bench" / "quire"))
FIXTURES = pathlib.Path(os.environ.get("QUIRE_FIXTURES",
                                       REPO.parent / "shared" / "fixtures"))
CORPUS = FIXTURES / "corpus-reuters21578-md"
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "0") or 0)
ROUNDS = max(3, int(os.environ.get("BENCH_ROUNDS", "3")))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
DOC = os.environ.get("BENCH_DOC", str(REPO / "docs" / "benchmarks.md"))
# Row 4 also runs at these sizes (0: the whole corpus; sizes above the
# run's own are skipped), and also into a folder made below DISK_DIR.
EXPORT_SIZES = [int(x) for x in
                os.environ.get("BENCH_EXPORT_SIZES", "4000").split(",") if x]
DISK_DIR = os.environ.get("BENCH_DISK_DIR", "/var/tmp")
ONLY = [x for x in os.environ.get("BENCH_ONLY", "").split(",") if x]
HZ = os.sysconf("SC_CLK_TCK")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 " \
          "Firefox/120.0"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


SERVERS = []  # every server started, stopped at exit whatever happens


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: server exited ({proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.001)
    raise SystemExit("bench: server did not start")


def cpu_ticks(pid):
    """utime + stime of pid and its child processes (nginx workers)."""
    total = 0
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is state (stat field 3): ppid is field 4, utime 14
        if int(p) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total


def vm_hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
    return int(m.group(1)) / 1024 if m else float("nan")


def to_ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    n, unit = float(m.group(1)), m.group(2)
    return n * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def wrk(url, conns, seconds, script=None, env=None, ua=None):
    cmd = ["wrk", f"-t{min(2, conns)}", f"-c{conns}", f"-d{seconds}s",
           "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", script]
    if ua:
        cmd += ["-H", f"User-Agent: {ua}"]
    p = subprocess.run(cmd + [url], capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    out = p.stdout
    if p.returncode != 0 or not re.search(r"^\s+99%\s+\S+\s*$", out, re.M):
        raise SystemExit(f"bench: wrk {' '.join(cmd[1:])} {url} failed:\n"
                         f"{p.stderr}{out}")
    r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
         "requests": int(re.search(r"(\d+) requests in", out).group(1)),
         "p50": to_ms(re.search(r"^\s+50%\s+(\S+)\s*$", out, re.M).group(1)),
         "p99": to_ms(re.search(r"^\s+99%\s+(\S+)\s*$", out, re.M).group(1)),
         "bad": 0}
    m = re.search(r"^p95-us: (\d+)$", out, re.M)  # bench/p95.lua
    if m:
        r["p95"] = int(m.group(1)) / 1000
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        r["bad"] += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", out)
    if m:
        r["bad"] += sum(int(x) for x in m.groups())
    return r


def measured(server, url, conns, seconds, **kw):
    """wrk against server with its CPU time per request."""
    t0 = cpu_ticks(server.pid)
    r = wrk(url, conns, seconds, **kw)
    t1 = cpu_ticks(server.pid)
    r["cpu_us"] = (t1 - t0) * 1e6 / HZ / max(r["requests"], 1)
    if r["bad"]:
        log(f"{url}: {r['bad']} errors or non-2xx answers")
    return r


class Quire:
    def __init__(self, db, work, cache=None, name="quire", extra="",
                 search_limits=False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ini = work / f"{name}.ini"
        ini.write_text(f"""[server]
theme = {REPO / 'theme' / 'default'}
access_log = off
log_level = warn
threads = 0
hits_flush = 1
[limits]
connections = 4096
idle_timeout = 60
""" + ("" if search_limits else """search_per_minute = 1000000
search_concurrent = 1024
""") + (f"[cache]\nmax_bytes = {cache}\n" if cache is not None else "") +
            extra)
        self.ini = ini
        self.log = open(work / f"{name}.log", "a")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [QUIRE, "--db", str(db), "--config", str(ini), "serve",
             "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        SERVERS.append(self.proc)
        wait_port(self.port, self.proc)
        self.startup_ms = (time.monotonic() - t0) * 1e3
        self.pid = self.proc.pid

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.log.close()
        return rc


class Nginx:
    def __init__(self, root, work, name="nginx"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        d = work / name
        d.mkdir(exist_ok=True)
        temp = "".join(f"    {k}_temp_path {d}/{k};\n" for k in
                       ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = d / "nginx.conf"
        conf.write_text(f"""daemon off;
worker_processes auto;
pid {d}/nginx.pid;
error_log {d}/error.log crit;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type text/html;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    open_file_cache max=20000 inactive=60s;
{temp}    server {{
        listen 127.0.0.1:{self.port} backlog=1024;
        root {root};
        index index.html;
    }}
}}
""")
        self.proc = subprocess.Popen([NGINX, "-p", str(d), "-c", str(conf)],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        SERVERS.append(self.proc)
        wait_port(self.port, self.proc)
        self.pid = self.proc.pid

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def get(url, ua=None):
    u = url.split("/", 3)
    host, path = u[2], "/" + (u[3] if len(u) > 3 else "")
    c = http.client.HTTPConnection(host, timeout=30)
    c.request("GET", path, headers={"User-Agent": ua} if ua else {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def quire_cmd(*args, **kw):
    return subprocess.run([QUIRE, *map(str, args)], capture_output=True,
                          text=True, **kw)


def med(xs):
    return statistics.median(xs)


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.95))]


# --- the table ----------------------------------------------------------

ROWS = []


def row(group, figure, quire, ref=None, ratio=None, target="", fmt="{:.0f}"):
    q = fmt.format(quire) if isinstance(quire, (int, float)) else quire
    r = fmt.format(ref) if isinstance(ref, (int, float)) else (ref or "")
    ROWS.append((str(group), figure, q, r,
                 f"{ratio:.2f}x" if isinstance(ratio, float) else
                 (ratio or ""), target))
    log(f"{figure}: {q} | {r} | {ROWS[-1][4]}")


def table():
    head = ("#", "figure", "Quire", "reference", "ratio", "target")
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in ROWS]
    return "\n".join(lines)


# --- the steps ------------------------------------------------------------

def corpus_slice(work, size=None):
    size = ARTICLES if size is None else size
    files = sorted(CORPUS.glob("reuters-*.md"),
                   key=lambda p: int(re.search(r"(\d+)", p.name).group(1)))
    if not size or size >= len(files):
        return CORPUS, len(files)
    d = work / "corpus"
    d.mkdir()
    for f in files[:size]:
        os.symlink(f, d / f.name)
    return d, size


def step_import(work, src):
    times = []
    for i in range(ROUNDS):
        db = work / f"import-{i}.db"
        t0 = time.monotonic()
        quire_cmd("--db", db, "init", check=True)
        p = quire_cmd("--db", db, "import", "markdown", src)
        times.append(time.monotonic() - t0)
        if p.returncode != 0:
            raise SystemExit("bench: import failed: " + p.stderr[-2000:])
        if i:
            db.unlink()
            for ext in ("-wal", "-shm"):
                pathlib.Path(str(db) + ext).unlink(missing_ok=True)
    db = work / "journal.db"
    os.rename(work / "import-0.db", db)
    row(5, "import of the corpus (s)", med(times), fmt="{:.2f}")
    return db


def step_places(db, src):
    """Tagging the corpus for countries and organizations (issue 16): the
    tagger alone (quire places tag --stats reports its share of the run),
    and quire places retag --all on the imported journal."""
    tag, retag = [], []
    for _ in range(ROUNDS):
        p = quire_cmd("places", "tag", "--stats", src)
        m = re.search(r"of which tagging ([0-9.]+) s", p.stderr)
        if p.returncode != 0 or not m:
            raise SystemExit("bench: places tag failed: " + p.stderr[-2000:])
        tag.append(float(m.group(1)))
        t0 = time.monotonic()
        quire_cmd("--db", db, "places", "retag", "--all", check=True)
        retag.append(time.monotonic() - t0)
    row(5, "places: tagging the corpus, tagger only (s)", med(tag),
        target="< 2 s", fmt="{:.2f}")
    row(5, "places: quire places retag --all (s)", med(retag), fmt="{:.2f}")


def pick_article(db):
    """The published article whose page is closest to 21 KB."""
    con = sqlite3.connect(db)
    slug, = con.execute(
        "SELECT slug FROM articles WHERE status = 1 ORDER BY "
        "abs(length(body_html) - 15500), id LIMIT 1").fetchone()
    con.close()
    return slug


def step_migrate(db, work):
    """Issue 12's rows: JSON export and import of the corpus, WXR posts/s
    (a generated export), K2 items/s from a local MariaDB (when
    mariadb-server is installed)."""
    out = work / "journal.json"
    t0 = time.monotonic()
    quire_cmd("--db", db, "export", "json", out, check=True)
    row(8, "JSON export of the corpus (s)", time.monotonic() - t0,
        fmt="{:.2f}")
    db2 = work / "from-json.db"
    quire_cmd("--db", db2, "init", check=True)
    t0 = time.monotonic()
    quire_cmd("--db", db2, "import", "json", out, check=True)
    row(8, "JSON import of the corpus (s)", time.monotonic() - t0,
        fmt="{:.2f}")
    import sys
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
    from test_import_wxr import make_wxr
    wxr = work / "bench.xml"
    n = make_wxr(wxr, 50)
    db3 = work / "from-wxr.db"
    quire_cmd("--db", db3, "init", check=True)
    t0 = time.monotonic()
    quire_cmd("--db", db3, "import", "wxr", wxr, check=True)
    row(8, f"WXR import, {n} posts (posts/s)", n / (time.monotonic() - t0))
    if not (shutil.which("mariadbd") or os.path.exists("/usr/sbin/mariadbd")):
        return
    from test_import_k2 import K2, MariaDB
    m = MariaDB(work)
    try:
        m.sql("CREATE DATABASE k2 CHARACTER SET utf8mb4")
        schema = ((K2 / "schema-joomla-users.sql").read_text() +
                  (K2 / "schema-k2.sql").read_text()).replace("#__", "jos_")
        m.sql(None, db="k2", stdin=schema)
        m.sql(None, db="k2", stdin=(K2 / "k2-reuters.sql").read_text())
        db4 = work / "from-k2.db"
        quire_cmd("--db", db4, "init", check=True)
        t0 = time.monotonic()
        quire_cmd("--db", db4, "import", "k2",
                  f"mysql://root@localhost/k2?prefix=jos_&socket={m.sock}",
                  "--issue-field", "Issue", check=True)
        row(8, "K2 import from a local MariaDB, 2,000 items (items/s)",
            2000 / (time.monotonic() - t0))
    finally:
        m.stop()


def step_cached(db, work):
    slug = pick_article(db)
    path = f"/articles/{slug}"
    q = Quire(db, work)
    status, page = get(q.url + path)
    assert status == 200, status
    root = work / "nginx-root"
    (root / "articles").mkdir(parents=True)
    (root / path.lstrip("/")).write_bytes(page)
    ng = Nginx(root, work)
    status, same = get(ng.url + path)
    assert status == 200 and same == page, "nginx does not serve the bytes"
    log(f"cached article {path}: {len(page)} bytes")
    for conns in (64, 256):
        res = {"q": [], "n": []}
        wrk(q.url + path, conns, 2)
        wrk(ng.url + path, conns, 2)
        for _ in range(ROUNDS):
            res["q"].append(measured(q, q.url + path, conns, SECONDS))
            res["n"].append(measured(ng, ng.url + path, conns, SECONDS))
        f = {k: {m: med([r[m] for r in v]) for m in
                 ("rps", "p50", "p99", "cpu_us")} for k, v in res.items()}
        grp = f"1 ({len(page) // 1024} KB page, {conns} conns)"
        row(grp, "cached article: requests/s", f["q"]["rps"],
            f["n"]["rps"], f["q"]["rps"] / f["n"]["rps"], ">= 1.0x")
        row(grp, "cached article: p50 latency (ms)", f["q"]["p50"],
            f["n"]["p50"], f["q"]["p50"] / f["n"]["p50"], "",
            fmt="{:.3f}")
        row(grp, "cached article: p99 latency (ms)", f["q"]["p99"],
            f["n"]["p99"], f["q"]["p99"] / f["n"]["p99"], "<= 1.2x",
            fmt="{:.3f}")
        row(grp, "cached article: server CPU per request (us)",
            f["q"]["cpu_us"], f["n"]["cpu_us"],
            f["q"]["cpu_us"] / f["n"]["cpu_us"], "<= 1.0x", fmt="{:.1f}")
    ng.stop()
    return q, slug


def mix_paths(db, static):
    con = sqlite3.connect(db)
    n, = con.execute("SELECT count(*) FROM articles WHERE status = 1"
                     ).fetchone()
    paths = [f"/articles/{s}" for s, in con.execute(
        "SELECT slug FROM articles WHERE status = 1")]
    paths += ["/"] + [f"/?page={i}" for i in range(2, (n + 19) // 20 + 1)]
    for slug, cnt in con.execute(
            "SELECT s.slug, count(a.id) FROM sections s JOIN articles a ON "
            "a.section_id = s.id AND a.status = 1 GROUP BY s.id"):
        paths.append(f"/sections/{slug}")
        paths += [f"/sections/{slug}?page={i}"
                  for i in range(2, (cnt + 19) // 20 + 1)]
    con.close()
    if not static:
        return paths
    out = []
    for p in paths:
        base, _, q = p.partition("?page=")
        base = base if base.endswith("/") else base + "/"
        out.append(base + (f"page/{q}/" if q else ""))
    return out


def fs_type(path):
    """The file system holding path, from /proc/mounts (longest prefix)."""
    path, best, kind = os.path.realpath(path), "", "?"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                mnt = parts[1]
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) \
                        and len(mnt) >= len(best):
                    best, kind = mnt, parts[2]
    except OSError:
        pass
    return kind


def children_cpu():
    """User + system CPU seconds of the waited-for child processes."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def export_vs_hugo(db, src, where):
    """quire export static of db and hugo of src, interleaved, each round
    into a new folder below where (kept until the last round: ext4 without
    a journal, as here, skips inodes freed in the last minute when it
    allocates, so a run right after deleting the previous output would pay
    for that deletion). Dirty pages are written back (sync) before each
    timed run, so neither pays for the other's writeback. Returns the
    times, the render medians, the entries of each and Quire's last
    output."""
    ini = where / "export.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    hugo_site = REPO / "bench" / "hugo-site"
    qt, ht, renders, qc, hc = [], [], [], [], []
    for i in range(ROUNDS):
        out, hout = where / f"export-{i}", where / f"hugo-out-{i}"
        os.sync()
        c0, t0 = children_cpu(), time.monotonic()
        p = quire_cmd("--db", db, "--config", ini, "export", "static", out)
        qt.append(time.monotonic() - t0)
        qc.append(children_cpu() - c0)
        if p.returncode != 0:
            raise SystemExit("bench: export failed: " + p.stderr[-2000:])
        m = re.search(r"render median (\d+) us", p.stderr)
        renders.append(int(m.group(1)))
        os.sync()
        c0, t0 = children_cpu(), time.monotonic()
        h = subprocess.run(["hugo", "--quiet", "--noBuildLock",
                            "--source", str(hugo_site),
                            "--contentDir", str(src),
                            "--cacheDir", str(where / "hugo-cache"),
                            "--destination", str(hout)],
                           capture_output=True, text=True)
        ht.append(time.monotonic() - t0)
        hc.append(children_cpu() - c0)
        if h.returncode != 0:
            raise SystemExit("bench: hugo failed: " + h.stderr[-2000:])
    files = sum(1 for _ in out.rglob("*"))
    hfiles = sum(1 for _ in hout.rglob("*"))
    for i in range(ROUNDS):
        shutil.rmtree(where / f"hugo-out-{i}", ignore_errors=True)
        if i < ROUNDS - 1:
            shutil.rmtree(where / f"export-{i}", ignore_errors=True)
    return qt, ht, qc, hc, renders, files, hfiles, out


def export_rows(db, src, n, work, keep=False):
    """Row 4 for n articles: the export against Hugo on tmpfs (in work)
    and in a folder on disk (below BENCH_DISK_DIR). keep: leave the tmpfs
    export in work/export for the page mix."""
    renders = []
    disk = pathlib.Path(tempfile.mkdtemp(prefix="quire-bench-disk-",
                                         dir=DISK_DIR))
    try:
        for where in (work, disk):
            qt, ht, qc, hc, r, files, hfiles, out = \
                export_vs_hugo(db, src, where)
            renders += r
            fs = fs_type(where)
            row(4, f"static export of {n} articles, {fs} (s; Quire {files} "
                f"entries, Hugo {hfiles})", med(qt), med(ht),
                med(ht) / med(qt), ">= 10x faster", fmt="{:.2f}")
            row(4, f"static export of {n} articles, {fs}: CPU, user + "
                "system (s)", med(qc), med(hc), med(hc) / med(qc),
                fmt="{:.2f}")
            if keep and where is work:
                os.rename(out, work / "export")
            else:
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(disk, ignore_errors=True)
    return renders


def step_export_hugo(db, work, src, n):
    """Row 4 at the run's size and at each other size of
    BENCH_EXPORT_SIZES (a slice of the corpus imported for it); row 3 from
    the run's own exports. Leaves the run's tmpfs export in work/export."""
    renders = export_rows(db, src, n, work, keep=True)
    row(3, "cold render, median per article, cache off (us)", med(renders),
        "100 (target)", med(renders) / 100, "<= 1.0x")
    for size in EXPORT_SIZES:
        if size == n or size > n:
            continue
        sub = work / f"export-{size}"
        sub.mkdir()
        ssrc = corpus_slice(sub, size)[0]
        sdb = sub / "journal.db"
        quire_cmd("--db", sdb, "init", check=True)
        quire_cmd("--db", sdb, "import", "markdown", ssrc, check=True)
        quire_cmd("--db", sdb, "places", "retag", "--all", check=True)
        export_rows(sdb, ssrc, size, sub)
        shutil.rmtree(sub, ignore_errors=True)
    return work / "export"


def step_mix(db, work, q, export_dir):
    ng = Nginx(export_dir, work, "nginx-export")
    qp, np_ = work / "mix-quire.txt", work / "mix-static.txt"
    qp.write_text("\n".join(mix_paths(db, False)) + "\n")
    np_.write_text("\n".join(mix_paths(db, True)) + "\n")
    script = str(REPO / "bench" / "mix.lua")
    for conns in (64, 256):
        res = {"q": [], "n": []}
        for _ in range(ROUNDS):
            res["q"].append(measured(q, q.url, conns, SECONDS, script=script,
                                     env={"MIX_PATHS": str(qp)}))
            res["n"].append(measured(ng, ng.url, conns, SECONDS,
                                     script=script,
                                     env={"MIX_PATHS": str(np_)}))
        f = {k: {m: med([r[m] for r in v])
                 for m in ("rps", "p99", "cpu_us")} for k, v in res.items()}
        grp = f"2 (mix, {conns} conns; ref: nginx on the export)"
        row(grp, "page mix: requests/s", f["q"]["rps"], f["n"]["rps"],
            f["q"]["rps"] / f["n"]["rps"], ">= 0.8x")
        row(grp, "page mix: p99 latency (ms)", f["q"]["p99"],
            f["n"]["p99"], f["q"]["p99"] / f["n"]["p99"], fmt="{:.2f}")
        row(grp, "page mix: server CPU per request (us)",
            f["q"]["cpu_us"], f["n"]["cpu_us"],
            f["q"]["cpu_us"] / f["n"]["cpu_us"], fmt="{:.1f}")
    ng.stop()


def step_mix_only(db, work):
    """Row 2 alone: a plain export (no Hugo) for nginx, then the mix."""
    ini = work / "export.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    out = work / "export"
    shutil.rmtree(out, ignore_errors=True)
    quire_cmd("--db", db, "--config", ini, "export", "static", out,
              check=True)
    q = Quire(db, work)
    step_mix(db, work, q, out)
    log(f"quire peak RSS after the mix: {vm_hwm(q.pid):.1f} MB")
    q.stop()


def step_flood(db, work, slug):
    """Issue 17: one client floods the search with queries no cache can
    answer (bench/flood.lua, 4 connections) while a reader fetches a
    cached article over one connection; the server runs with the shipped
    search limits (search_per_minute, search_concurrent). The reader's p95
    with the flood against without, and against a flood of the same
    connections fetching the cached home page (what any 4 busy
    connections cost on this machine), and the share of the flood
    refused."""
    q = Quire(db, work, name="flood", search_limits=True)
    url = f"{q.url}/articles/{slug}"
    urllib.request.urlopen(url).read()  # rendered and cached
    urllib.request.urlopen(q.url + "/").read()
    p95 = str(REPO / "bench" / "p95.lua")

    def during(flood_args):
        flood = subprocess.Popen(
            ["wrk", "-t2", "-c4", f"-d{SECONDS + 2}s", "--timeout", "5s"] +
            flood_args, stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        r = wrk(url, 1, SECONDS, script=p95)["p95"]
        out = flood.communicate()[0]
        total = int(re.search(r"(\d+) requests in", out).group(1))
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return r, 100 * (int(m.group(1)) if m else 0) / max(total, 1)

    idle, busy, control, refused = [], [], [], []
    for _ in range(ROUNDS):
        idle.append(wrk(url, 1, SECONDS, script=p95)["p95"])
        b, r = during(["-s", str(REPO / "bench" / "flood.lua"), q.url])
        busy.append(b)
        refused.append(r)
        control.append(during([q.url + "/"])[0])
    q.stop()
    grp = "7 (search flood, shipped limits)"
    row(grp, "cached article p95, one client flooding searches (ms; ref: "
        "no flood)", med(busy), med(idle), med(busy) / med(idle), "<= 2.0x",
        fmt="{:.3f}")
    row(grp, "cached article p95, one client flooding searches (ms; ref: "
        "the same flood of a cached page)", med(busy), med(control),
        med(busy) / med(control), fmt="{:.3f}")
    row(grp, "the flood's searches refused with 429 or 503 (%)",
        med(refused), fmt="{:.1f}")


def hits_of(db, slug):
    con = sqlite3.connect(db, timeout=30)
    n, = con.execute("SELECT hits FROM articles WHERE slug = ?",
                     (slug,)).fetchone()
    con.close()
    return n


def browser_requests(url, n, threads=8):
    """n GETs with a browser User-Agent over keep-alive; returns 200s."""
    host, path = url.split("/", 3)[2], "/" + url.split("/", 3)[3]
    ok = [0] * threads

    def run(i):
        c = http.client.HTTPConnection(host, timeout=30)
        for _ in range(n // threads + (1 if i < n % threads else 0)):
            c.request("GET", path, headers={"User-Agent": BROWSER})
            r = c.getresponse()
            r.read()
            ok[i] += r.status == 200
        c.close()
    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(ok)


def step_counter(db, work, slug):
    n = 4000
    q = Quire(db, work, name="counter")
    url = q.url + f"/articles/{slug}"
    # under load: wrk hammers the home page (bots do not count) meanwhile
    load = subprocess.Popen(["wrk", "-t1", "-c16", "-d600s", q.url + "/"],
                            stdout=subprocess.DEVNULL)
    SERVERS.append(load)
    before = hits_of(db, slug)
    done = browser_requests(url, n)
    time.sleep(2.5)  # hits_flush = 1 s
    live = hits_of(db, slug) - before
    before2 = hits_of(db, slug)
    done2 = browser_requests(url, n)
    q.proc.send_signal(signal.SIGTERM)  # right after the last response
    rc = q.proc.wait(timeout=30)
    load.terminate()
    load.wait()
    after = hits_of(db, slug) - before2
    ok = live == done == n and after == done2 == n and rc == 0
    row(6, f"read counter: {n} browser requests under load, count "
        "raised by (flushed live / SIGTERM right after)",
        f"{live} / {after}", f"{n} / {n}", "exact" if ok else "WRONG",
        "exact")
    return ok


def step_latency(db, work):
    con = sqlite3.connect(db)
    n, = con.execute("SELECT count(*) FROM articles WHERE status = 1"
                     ).fetchone()
    sec, cnt = con.execute(
        "SELECT s.slug, count(*) c FROM sections s JOIN articles a ON "
        "a.section_id = s.id GROUP BY s.id ORDER BY c DESC LIMIT 1"
    ).fetchone()
    issue, = con.execute("SELECT date FROM issues ORDER BY date DESC LIMIT 1"
                         ).fetchone() or (None,)
    tag, = con.execute(
        "SELECT t.slug FROM tags t JOIN article_tags x ON x.tag_id = t.id "
        "GROUP BY t.id ORDER BY count(*) DESC LIMIT 1").fetchone() or (None,)
    author = con.execute("SELECT slug FROM authors LIMIT 1").fetchone()
    con.close()
    last = (n + 19) // 20
    urls = ["/", f"/?page={max(2, last // 2)}", f"/?page={last}",
            f"/sections/{sec}", f"/sections/{sec}?page={(cnt + 19) // 20}",
            f"/issues/{issue}", f"/tags/{tag}", "/archive/1987",
            f"/authors/{author[0]}" if author else "/authors",
            "/search?q=oil", "/search?q=%22crude+oil%22",
            "/search?q=bank%2A", "/search?q=opec+price&page=2"]
    q = Quire(db, work, cache="0", name="nocache")
    host = f"127.0.0.1:{q.port}"
    for u in urls:
        c = http.client.HTTPConnection(host, timeout=30)
        times, status = [], None
        for _ in range(31):
            t0 = time.monotonic()
            c.request("GET", u)
            r = c.getresponse()
            r.read()
            times.append((time.monotonic() - t0) * 1e3)
            status = r.status
        c.close()
        times = times[1:]
        if status != 200:
            row(7, f"rendered (cache off) `{u}` median / p95 (ms)",
                f"n/a ({status})")
        else:
            row(7, f"rendered (cache off) `{u}` median / p95 (ms)",
                f"{med(times):.2f} / {p95(times):.2f}")
    step_search_worst(host)
    q.stop()


def step_search_worst(host):
    """Issue 17: the searches that cost the most (bench/search.py's worst
    cases: common words, short prefixes, many terms, every combination of
    the four filters), uncached, 30 requests each after a warm-up; p99
    over all of them, and the slowest URL's p99."""
    sys.path.insert(0, str(REPO / "bench"))
    import search as sb
    urls = [f"/search?q={urllib.parse.quote(w)}" for w in sb.WORST]
    urls += [f"/search?q={urllib.parse.quote(w)}{f}"
             for w in sb.WORST_QUERIES_FILTERED for f in sb.WORST_FILTERS[1:]]
    every, worst = [], (0, "")
    c = http.client.HTTPConnection(host, timeout=30)
    for u in urls:
        times = []
        for i in range(31):
            t0 = time.monotonic()
            c.request("GET", u)
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"bench: {u} answered {r.status}")
            if i:
                times.append((time.monotonic() - t0) * 1e3)
        times.sort()
        every += times
        p = sb.rank(times, 99)
        worst = max(worst, (p, u))
    c.close()
    every.sort()
    row(7, f"searches, worst cases ({len(urls)} URLs, cache off): median / "
        "p99 (ms)", f"{med(every):.2f} / {sb.rank(every, 99):.2f}",
        target="p99 <= 10 ms")
    row(7, f"searches, worst cases: slowest URL's p99 (ms), `{worst[1]}`",
        f"{worst[0]:.2f}")


def api_call(method, url, token, body=None):
    """One admin API request; (status, parsed JSON or None)."""
    import json
    import urllib.error
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer " + token,
        "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


EDITOR_PAUSE = float(os.environ.get("BENCH_EDITOR_PAUSE", "1"))


def editor_loop(url, token, stop, lat, pause=0.0):
    """An editor saving one article over and over (PUT with its revision),
    pause seconds between saves (an autosave's rhythm; 0: back to back);
    each save's latency (ms) goes to lat."""
    st, a = api_call("POST", url + "/api/admin/articles", token, {
        "title": "Bench draft", "body": "A paragraph.\n" * 400,
        "authors": ["Bench Editor"], "tags": ["bench"], "status": "draft"})
    assert st == 201, st
    rev = a["revision"]
    n = 0
    while not stop.is_set():
        n += 1
        t0 = time.perf_counter()
        st, a = api_call("PUT", url + f"/api/admin/articles/{a['id']}", token, {
            "title": f"Bench draft {n}", "body": f"Edit {n}.\n" * 400,
            "authors": ["Bench Editor"], "tags": ["bench"],
            "status": "draft", "revision": rev})
        lat.append((time.perf_counter() - t0) * 1e3)
        assert st == 200, st
        rev = a["revision"]
        if pause:
            stop.wait(pause)


def step_editorial(db, work, slug):
    """Rows 6: an API save of an article (revision check, revision row,
    byline, tags, search index) on the full corpus, p99; and readers'
    cached-article throughput while 8 editors save continuously."""
    import threading
    token = quire_cmd("--db", db, "token", "add", "--name", "bench-editor",
                      "--role", "editor").stdout.strip()
    q = Quire(db, work, name="editorial")
    lat = []
    stop = threading.Event()
    t = threading.Thread(target=editor_loop, args=(q.url, token, stop, lat))
    t.start()
    time.sleep(SECONDS)
    stop.set()
    t.join()
    lat.sort()
    p99 = lat[int(len(lat) * 0.99)] if lat else float("nan")
    row(6, f"API save of an article, p99 ({len(lat)} saves, ms)", p99,
        "20 (target)", p99 / 20, "<= 1.0x", fmt="{:.1f}")
    path = f"/articles/{slug}"
    wrk(q.url + path, 64, 2)
    alone, busy, flat_out = [], [], []
    for _ in range(ROUNDS):
        alone.append(wrk(q.url + path, 64, SECONDS)["rps"])
        for pause, out in ((EDITOR_PAUSE, busy), (0.0, flat_out)):
            stop = threading.Event()
            ts = [threading.Thread(target=editor_loop,
                                   args=(q.url, token, stop, [], pause))
                  for _ in range(8)]
            for x in ts:
                x.start()
            out.append(wrk(q.url + path, 64, SECONDS)["rps"])
            stop.set()
            for x in ts:
                x.join()
    a, b, c = med(alone), med(busy), med(flat_out)
    row(6, f"cached article req/s with 8 editors saving, each every "
        f"{EDITOR_PAUSE:g} s (64 conns)", b, a, b / a, ">= 0.9x")
    # Eight clients saving back to back load the write path, not editors:
    # their saves' CPU is taken from the readers on 2 cores (no target).
    row(6, "cached article req/s with 8 clients saving back to back", c,
        a, c / a)
    q.stop()


# --- issue 11: the newsletter -------------------------------------------

class _Count:
    """Stands in for SmtpSink.messages: counts what the sink accepts (and
    when the first and last came) instead of keeping 10,000 bodies."""

    def __init__(self):
        self.n, self.first, self.last = 0, None, None

    def append(self, _):
        self.last = time.monotonic()
        self.first = self.first or self.last
        self.n += 1

    def __len__(self):
        return self.n


def digest_issue(db, want=20):
    """An issue of about want published articles (a journal's issue): the
    corpus's issue closest to it in size, else (the Reuters corpus has
    issues of hundreds of stories) a new issue made of want articles."""
    con = sqlite3.connect(db)
    issues = con.execute(
        "SELECT i.date, count(*) AS n FROM issues i JOIN articles a ON"
        " a.issue_id = i.id AND a.status = 1 GROUP BY i.id"
        " ORDER BY abs(count(*) - ?), i.date", (want,)).fetchall()
    if issues and want // 2 <= issues[0][1] <= want * 2:
        con.close()
        return issues[0]
    with con:
        cur = con.execute("INSERT INTO issues(date) VALUES ('2099-12-31')")
        con.execute("UPDATE articles SET issue_id = ? WHERE id IN (SELECT id"
                    " FROM articles WHERE status = 1 ORDER BY id LIMIT ?)",
                    (cur.lastrowid, want))
    con.close()
    return "2099-12-31", want


def campaign(q, sink, date, n, busy=None):
    """Queue issue date's digest to the n confirmed subscribers and wait
    until the sink has them all; (steady messages/s from the first to the
    last, seconds from queueing to the last). busy(seconds) runs while
    the campaign is sent (e.g. wrk) and its result is returned too."""
    with sink.lock:
        sink.messages = _Count()
    t0 = time.monotonic()
    p = quire_cmd("--db", q.db, "--config", q.ini, "newsletter", "send",
                  "--issue", date)
    if p.returncode != 0:
        raise SystemExit("bench: newsletter send failed: " + p.stderr)
    res = busy() if busy else None
    deadline = time.monotonic() + 600
    while sink.count() < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: only {sink.count()} of {n} mails")
        time.sleep(0.05)
    c = sink.messages
    rate = (c.n - 1) / max(c.last - c.first, 1e-6)
    return rate, c.last - t0, res


def step_newsletter(db, work, slug, n=10000):
    """Issue 11's rows: digests sent per second to a local aiosmtpd
    (tests/e2e/smtp_sink.py) with mail_rate = 0, without and with DKIM
    (RSA + Ed25519), and readers' cached-article throughput while a
    campaign of n messages goes out vs without."""
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
    from smtp_sink import SmtpSink
    sink = SmtpSink(free_port())
    sink.start()
    subs = work / "subscribers.csv"
    subs.write_text("email\n" + "".join(f"reader{i}@example.org\n"
                                         for i in range(n)))
    quire_cmd("--db", db, "subscriber", "import", subs, "--confirmed",
              check=True)
    date, arts = digest_issue(db)
    log(f"newsletter: the digest of {date} ({arts} articles) to {n}")
    mail = (f"[mail]\nsmtp_url = {sink.url}\nmail_rate = 0\n"
            "mail_from = The Journal <news@journal.example>\n")
    keys = []
    for alg, opts in (("RSA", ["-pkeyopt", "rsa_keygen_bits:2048"]),
                      ("ed25519", [])):
        keys.append(work / f"dkim-{alg}.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", alg, *opts,
                        "-out", keys[-1]], check=True, capture_output=True)
    dkim = ("dkim_domain = journal.example\ndkim_selector = q\n"
            f"dkim_key_file = {keys[0]}\ndkim_ed25519_selector = qed\n"
            f"dkim_ed25519_key_file = {keys[1]}\n")
    try:
        q = Quire(db, work, name="newsletter", extra=mail)
        q.db = db
        path = q.url + f"/articles/{slug}"
        wrk(path, 64, 2)
        rates, alone, busy, secs = [], [], [], []
        for _ in range(ROUNDS):
            rate, took, _ = campaign(q, sink, date, n)
            rates.append(rate)
            # wrk inside the campaign's time (it slows the campaign down)
            d = max(2, min(SECONDS, int(took * 0.8)))
            secs.append(d)
            alone.append(wrk(path, 64, d)["rps"])
            _, _, r = campaign(q, sink, date, n,
                               busy=lambda: wrk(path, 64, d)["rps"])
            busy.append(r)
        q.stop()
        row(9, f"newsletter: messages/s to a local aiosmtpd, mail_rate = 0 "
            f"({n} digests of {arts} articles)", med(rates))
        a, b = med(alone), med(busy)
        row(9, f"cached article req/s during a {n}-message send vs without "
            f"(64 conns, {med(secs)} s)", b, a, b / a, ">= 0.9x")
        q = Quire(db, work, name="newsletter-dkim", extra=mail + dkim)
        q.db = db
        signed = [campaign(q, sink, date, n)[0] for _ in range(ROUNDS)]
        q.stop()
        row(9, "newsletter: messages/s signed with DKIM RSA-2048 + Ed25519",
            med(signed), med(rates), med(signed) / med(rates))
    finally:
        sink.stop()


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.node()}: {os.cpu_count()} x {cpu}, {mem:.0f} GB, "
            f"Linux {platform.release()}")


def versions():
    def first(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    return "; ".join([first([NGINX, "-v"]), first(["hugo", "version"]),
                      first(["wrk", "-v"])])


def write_doc(text):
    if not DOC:
        return
    p = pathlib.Path(DOC)
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    old = p.read_text() if p.exists() else f"# Benchmarks\n\n{begin}\n{end}\n"
    if begin not in old:
        old += f"\n{begin}\n{end}\n"
    pre, rest = old.split(begin, 1)
    post = rest.split(end, 1)[1]
    p.write_text(pre + begin + "\n" + text + "\n" + end + post)
    log(f"table written to {p}")


def main():
    for tool in ("hugo", QUIRE) if ONLY else ("wrk", "hugo", NGINX, QUIRE):
        if not shutil.which(tool) and not os.path.exists(tool):
            raise SystemExit(f"bench: {tool} is missing (make bench "
                             "installs it)")
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    work = pathlib.Path(os.environ.get("BENCH_DIR") or
                        tempfile.mkdtemp(prefix="quire-bench-", dir=base))
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)  # nginx workers run as another user
    started = datetime.datetime.now(datetime.timezone.utc)
    load0 = os.getloadavg()[0]
    try:
        src, n = corpus_slice(work)
        log(f"{n} articles, {ROUNDS} rounds, {SECONDS} s per run, in {work}")
        db = step_import(work, src)
        if ONLY:
            steps = {
                "places": lambda: step_places(db, src),
                "cached": lambda: step_cached(db, work)[0].stop(),
                "counter": lambda: step_counter(db, work, pick_article(db)),
                "latency": lambda: step_latency(db, work),
                "editorial": lambda: step_editorial(db, work,
                                                    pick_article(db)),
                "migrate": lambda: step_migrate(db, work),
                "export": lambda: step_export_hugo(db, work, src, n),
                "newsletter": lambda: step_newsletter(db, work,
                                                      pick_article(db)),
                "mix": lambda: step_mix_only(db, work),
                "flood": lambda: step_flood(db, work, pick_article(db)),
            }
            for name in ONLY:
                if name not in steps:
                    raise SystemExit(f"bench: BENCH_ONLY: no step {name!r} "
                                     f"(one of {', '.join(steps)})")
                steps[name]()
            return finish(started, load0, n, write=False)
        step_places(db, src)
        starts = []
        for _ in range(ROUNDS):
            q = Quire(db, work, name="startup")
            starts.append(q.startup_ms)
            q.stop()
        q, slug = step_cached(db, work)
        export_dir = step_export_hugo(db, work, src, n)
        step_mix(db, work, q, export_dir)
        rss = vm_hwm(q.pid)
        q.stop()
        row(5, "start-up of quire serve until the port answers (ms)",
            med(starts), "200 (target)", med(starts) / 200, "<= 1.0x",
            fmt="{:.1f}")
        row(5, "peak RSS while serving, after the load runs (MB)", rss,
            "64 (target)", rss / 64, "<= 1.0x", fmt="{:.1f}")
        step_counter(db, work, slug)
        step_latency(db, work)
        step_flood(db, work, slug)
        step_editorial(db, work, slug)
        step_migrate(db, work)
        step_newsletter(db, work, slug)
    finally:
        for p in SERVERS:
            if p.poll() is None:
                p.kill()
                p.wait()
        if not os.environ.get("BENCH_DIR"):
            shutil.rmtree(work, ignore_errors=True)
    finish(started, load0, n)


def finish(started, load0, n, write=True):
    """Prints the table (and writes it into BENCH_DOC after a full run:
    a partial one, BENCH_ONLY, only prints its rows)."""
    load1 = os.getloadavg()[0]
    text = (f"Run of {started:%Y-%m-%d %H:%M} UTC on {machine()}; load "
            f"average {load0:.1f} at the start, {load1:.1f} at the end "
            f"(runs at nice {os.nice(0)}).  \n"
            f"{n} articles, {ROUNDS} rounds interleaved, {SECONDS} s per "
            f"wrk run (wrk -t2 on the same machine), medians. {versions()}."
            f"\n\n{table()}\n")
    print(text)
    if write:
        write_doc(text)


if __name__ == "__main__":
    main()
