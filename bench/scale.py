#!/usr/bin/python3
"""How Quire grows with the archive: `make bench-scale` (docs/benchmarks.md,
"A million articles"). Rows, not timed tests.

For each size in BENCH_SCALE_SIZES (default "15000 100000 1000000"), a
synthetic journal (bench/synth, seed 1) is imported with `quire import
json` and measured: import rate; the Xapian index's build rate (`quire
search-index build`); database size; start-up until the port
answers; a cached article's requests/s (wrk, 64 connections); with the
cache off, p95 of 300 random article pages, of the deepest page of the
home list and of the large tag ("markets", a tenth of all articles), of
searches (bench/search.py's queries and worst cases), and the sitemap
index; peak RSS after a page mix over the whole archive. Then a static
export of BENCH_SCALE_EXPORT articles (default 200,000) against Hugo on
the same articles (bench/hugo-site), and a soak: BENCH_SOAK_SECONDS
(default 600) of the page mix at full load, RSS sampled every 10 s, its
spread after the first minute reported.

The table and an SVG plot (docs/bench-scale.svg: each figure against the
archive's size, both axes logarithmic) are written into BENCH_DOC
(docs/benchmarks.md) between "<!-- scale:begin -->" and "<!-- scale:end
-->". Environment: as bench/bench.py (QUIRE_BIN, BENCH_SECONDS, BENCH_DIR)
plus the three above; BENCH_SCALE_EXPORT=0 or BENCH_SOAK_SECONDS=0 skip
those steps.
"""
import os
import pathlib
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402  (the servers, wrk and the table's helpers)
from bench import (QUIRE, REPO, Quire, get, log, measured, med, p95,  # noqa
                   quire_cmd, vm_hwm)

SIZES = [int(x) for x in os.environ.get(
    "BENCH_SCALE_SIZES", "15000 100000 1000000").split()]
EXPORT_N = int(os.environ.get("BENCH_SCALE_EXPORT", "200000"))
SOAK = int(os.environ.get("BENCH_SOAK_SECONDS", "600"))
SECONDS = bench.SECONDS
DOC = os.environ.get("BENCH_DOC", str(REPO / "docs" / "benchmarks.md"))
SVG = REPO / "docs" / "bench-scale.svg"
SEARCHES = ["oil", "said", "oil prices", '"interest rates"', "s*", "oi*",
            "opec production quota yen dollar bank"]
# (figure, unit, target at the largest size, lower is better)
FIGURES = [
    ("import", "articles/s", "", False),
    ("search index build", "articles/s", "", False),
    ("database", "MB", "", True),
    ("start-up", "ms", "<= 200", True),
    ("cached article", "req/s", "unchanged", False),
    ("uncached article p95", "ms", "<= 2", True),
    ("deepest home page p95", "ms", "<= 5", True),
    ("deepest page of the large tag p95", "ms", "<= 5", True),
    ("search p95", "ms", "<= 20", True),
    ("sitemap index", "ms", "<= 50", True),
    ("peak RSS under load", "MB", "<= 128", True),
]


def timed_get(url, n):
    """Latencies (ms) of n sequential GETs of url; all must answer 200."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, _ = get(url)
        out.append((time.perf_counter() - t0) * 1e3)
        if status != 200:
            raise SystemExit(f"bench: {url} answered {status}")
    return out


def journal(work, n, markdown=None):
    """A journal of n synthetic articles: (database, import seconds)."""
    js = work / f"synth-{n}.json"
    cmd = [str(REPO / "bench" / "synth"), str(n), str(js)]
    if markdown:
        cmd += ["--markdown", str(markdown)]
    subprocess.run(cmd, check=True)
    db = work / f"synth-{n}.db"
    quire_cmd("--db", db, "init", check=True)
    t0 = time.monotonic()
    p = quire_cmd("--db", db, "import", "json", js)
    secs = time.monotonic() - t0
    if p.returncode != 0:
        raise SystemExit("bench: import json failed: " + p.stderr[-2000:])
    js.unlink()
    return db, secs


def mix_file(db, work):
    paths = bench.mix_paths(db, False)
    f = work / "mix.txt"
    f.write_text("\n".join(paths) + "\n")
    return f


def measure(work, n):
    db, secs = journal(work, n)
    r = {"import": n / secs,
         "database": os.path.getsize(db) / 2**20}
    # The Xapian index, built before the servers start (`quire
    # search-index build`, as an operator moving an archive in would):
    # with search.engine = auto, the servers search it from 50,000
    # published articles (docs/internals/search.md).
    t0 = time.monotonic()
    p = quire_cmd("--db", db, "search-index", "build")
    if p.returncode != 0:
        raise SystemExit("bench: search-index build failed: " +
                         p.stderr[-2000:])
    r["search index build"] = n / (time.monotonic() - t0)
    con = sqlite3.connect(db)
    slugs = [s for s, in con.execute(
        "SELECT slug FROM articles WHERE status = 1")]
    tagged, = con.execute("SELECT count(*) FROM article_tags t JOIN tags g"
                          " ON g.id = t.tag_id WHERE g.slug = 'markets'"
                          ).fetchone()
    con.close()
    rng = random.Random(1)

    starts = []
    for _ in range(3):
        q = Quire(db, work, name="start")
        starts.append(q.startup_ms)
        q.stop()
    r["start-up"] = med(starts)

    q = Quire(db, work)  # the default cache
    art = f"{q.url}/articles/{slugs[len(slugs) // 2]}"
    get(art)
    r["cached article"] = measured(q, art, 64, SECONDS)["rps"]
    measured(q, q.url, 64, SECONDS, script=str(REPO / "bench" / "mix.lua"),
             env={"MIX_PATHS": str(mix_file(db, work))})
    r["peak RSS under load"] = vm_hwm(q.pid)
    q.stop()

    q = Quire(db, work, cache=0, name="nocache")
    lat = []
    for s in rng.sample(slugs, min(300, len(slugs))):
        lat += timed_get(f"{q.url}/articles/{s}", 1)
    r["uncached article p95"] = p95(lat)
    r["deepest home page p95"] = p95(
        timed_get(f"{q.url}/?page={(len(slugs) + 19) // 20}", 30))
    r["deepest page of the large tag p95"] = p95(
        timed_get(f"{q.url}/tags/markets?page={(tagged + 19) // 20}", 30))
    lat = []
    for s in SEARCHES:
        lat += timed_get(f"{q.url}/search?q={urllib.parse.quote(s)}", 10)
    r["search p95"] = p95(lat)
    r["sitemap index"] = med(timed_get(f"{q.url}/sitemap.xml", 5))
    q.stop()
    return db, r


def export_vs_hugo(work, n):
    md = work / "export-md"
    db, _ = journal(work, n, markdown=md)
    ini = work / "export.ini"
    ini.write_text(f"[server]\ntheme = {REPO / 'theme' / 'default'}\n")
    out = work / "export-out"
    t0 = time.monotonic()
    p = quire_cmd("--db", db, "--config", ini, "export", "static", out)
    qt = time.monotonic() - t0
    if p.returncode != 0:
        raise SystemExit("bench: export failed: " + p.stderr[-2000:])
    shutil.rmtree(out, ignore_errors=True)
    hout = work / "hugo-out"
    t0 = time.monotonic()
    h = subprocess.run(["hugo", "--quiet", "--noBuildLock", "--source",
                        str(REPO / "bench" / "hugo-site"), "--contentDir",
                        str(md), "--cacheDir", str(work / "hugo-cache"),
                        "--destination", str(hout)],
                       capture_output=True, text=True)
    ht = time.monotonic() - t0
    if h.returncode != 0:
        raise SystemExit("bench: hugo failed: " + h.stderr[-2000:])
    shutil.rmtree(hout, ignore_errors=True)
    shutil.rmtree(md, ignore_errors=True)
    db.unlink()
    return qt, ht


def soak(db, work, seconds):
    """RSS (MB) every 10 s under the page mix at full load."""
    q = Quire(db, work, name="soak")
    mix = mix_file(db, work)
    samples, stop = [], threading.Event()

    def sample():
        while not stop.wait(10):
            with open(f"/proc/{q.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        samples.append(int(line.split()[1]) / 1024)
    t = threading.Thread(target=sample)
    t.start()
    bench.wrk(q.url, 64, seconds, script=str(REPO / "bench" / "mix.lua"),
              env={"MIX_PATHS": str(mix)})
    stop.set()
    t.join()
    q.stop()
    return samples[6:] or samples  # after the first minute


def svg(sizes, results):
    """Each figure against size, log-log, normalised to its first value."""
    w, h, m = 640, 400, 60
    xs = [s for s in sizes]
    lo, hi = min(xs), max(xs)
    ratios = [results[s][f] / results[sizes[0]][f]
              for s in sizes for f, *_ in FIGURES
              if results[sizes[0]].get(f) and results[s].get(f)]
    ylo, yhi = min(ratios + [1]) / 1.5, max(ratios + [1]) * 1.5

    def X(v):
        import math
        return m + (w - 2 * m) * (math.log(v / lo) / math.log(hi / lo)
                                  if hi > lo else 0.5)

    def Y(v):
        import math
        return h - m - (h - 2 * m) * math.log(v / ylo) / math.log(yhi / ylo)
    colours = ["#1b6ca8", "#c0392b", "#27ae60", "#8e44ad", "#d35400",
               "#16a085", "#7f8c8d", "#2c3e50", "#b7950b", "#e84393"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w + 260}'
           f' {h}" role="img" aria-labelledby="t"><title id="t">Each figure'
           f' against the number of articles, relative to {lo:,}'
           f' articles (log scales)</title>',
           f'<rect width="{w + 260}" height="{h}" fill="#fff"/>',
           f'<line x1="{m}" y1="{h - m}" x2="{w - m}" y2="{h - m}" '
           f'stroke="#333"/><line x1="{m}" y1="{m}" x2="{m}" y2="{h - m}" '
           f'stroke="#333"/>']
    for s in xs:
        out.append(f'<text x="{X(s):.1f}" y="{h - m + 18}" font-size="11" '
                   f'text-anchor="middle">{s:,}</text>')
    for v in (0.1, 0.5, 1, 2, 5, 10, 50, 100):
        if ylo <= v <= yhi:
            out.append(f'<text x="{m - 6}" y="{Y(v) + 4:.1f}" font-size="11"'
                       f' text-anchor="end">{v:g}x</text><line x1="{m}" '
                       f'y1="{Y(v):.1f}" x2="{w - m}" y2="{Y(v):.1f}" '
                       f'stroke="#ddd"/>')
    for i, (f, unit, *_ ) in enumerate(FIGURES):
        pts = [(X(s), Y(results[s][f] / results[sizes[0]][f])) for s in xs
               if results[sizes[0]].get(f) and results[s].get(f)]
        if not pts:
            continue
        c = colours[i % len(colours)]
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" '
                   f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}"/>')
        out.append(f'<text x="{w - m + 20}" y="{m + 16 * i}" font-size="12" '
                   f'fill="{c}">{f} ({unit})</text>')
    out.append("</svg>\n")
    return "\n".join(out)


def write_doc(text):
    if not DOC:
        print(text)
        return
    p = pathlib.Path(DOC)
    doc = p.read_text()
    begin, end = "<!-- scale:begin -->", "<!-- scale:end -->"
    if begin in doc and end in doc:
        doc = doc[:doc.index(begin) + len(begin)] + "\n" + text + "\n" + \
            doc[doc.index(end):]
    else:
        doc += f"\n{begin}\n{text}\n{end}\n"
    p.write_text(doc)


def main():
    if not pathlib.Path(QUIRE).exists():
        raise SystemExit(f"bench: no {QUIRE} (make bench-scale builds it)")
    base = os.environ.get("BENCH_DIR")
    work = pathlib.Path(base or tempfile.mkdtemp(prefix="quire-scale-",
                                                 dir="/dev/shm"))
    work.mkdir(parents=True, exist_ok=True)
    results, last_db = {}, None
    try:
        for n in SIZES:
            log(f"scale: {n:,} articles")
            if last_db:
                last_db.unlink()
            last_db, results[n] = measure(work, n)
            log(f"scale: {results[n]}")
        head = ["figure"] + [f"{n:,}" for n in SIZES] + ["growth", "target"]
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join("---" for _ in head) + "|"]
        for f, unit, target, _ in FIGURES:
            vals = [results[n].get(f) for n in SIZES]
            growth = (f"{vals[-1] / vals[0]:.2f}x over {SIZES[-1] / SIZES[0]:g}x"
                      " the articles" if vals[0] and len(SIZES) > 1 else "")
            lines.append("| " + " | ".join(
                [f"{f} ({unit})"] + [f"{v:,.1f}" if v is not None else ""
                                     for v in vals] + [growth, target]) + " |")
        lines.append("")
        if EXPORT_N:
            qt, ht = export_vs_hugo(work, EXPORT_N)
            lines.append(f"- Static export of {EXPORT_N:,} articles: Quire "
                         f"{qt:.1f} s, Hugo {ht:.1f} s: {ht / qt:.1f}x faster "
                         f"(target >= 10x).")
        if SOAK:
            rss = soak(last_db, work, SOAK)
            mid = med(rss)
            lines.append(f"- Soak: {SOAK} s of the page mix at full load on "
                         f"{SIZES[-1]:,} articles: RSS after the first minute "
                         f"{min(rss):.1f} to {max(rss):.1f} MB, "
                         f"±{(max(rss) - min(rss)) / 2 / mid * 100:.1f} % "
                         f"(target within ±5 %).")
        if DOC:  # BENCH_DOC= (empty): print only, keep the docs as they are
            SVG.write_text(svg(SIZES, results))
        write_doc("\n".join(lines) + f"\n\n![Each figure against the "
                  f"archive's size](bench-scale.svg)\n")
        print("\n".join(lines))
    finally:
        for p in bench.SERVERS:
            if p.poll() is None:
                p.kill()
        if not base:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
