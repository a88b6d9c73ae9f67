"""Running Quire as an operator does (issue 15): from any folder with the
built-in theme, `quire --version`, `quire theme export`, /healthz and
/metrics."""
import os
import pathlib
import socket
import subprocess
import time

import pytest
import requests

from conftest import QUIRE, EXTRA, free_port, seed_article_md

REPO_DIR = pathlib.Path(__file__).resolve().parents[2]
UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}


def run(cwd, *args, check=True):
    p = subprocess.run([QUIRE, *args], cwd=cwd, capture_output=True,
                       text=True, timeout=300)
    if check:
        assert p.returncode == 0, f"quire {args}: {p.stderr}"
    return p


def start(cwd, *args, env=None):
    """quire serve in cwd (no theme option); returns (proc, url)."""
    port = free_port()
    log = open(pathlib.Path(cwd) / f"serve-{port}.log", "w")
    proc = subprocess.Popen([QUIRE, *args, "serve", "--listen",
                             f"127.0.0.1:{port}"], cwd=cwd, stdout=log,
                            stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 10
    while time.time() < deadline:
        assert proc.poll() is None, (pathlib.Path(cwd) /
                                     f"serve-{port}.log").read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("server did not start")


def stop(proc):
    proc.terminate()
    assert proc.wait(timeout=20) == 0


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """An empty folder far from the source tree: init and import there."""
    d = tmp_path_factory.mktemp("fresh")
    assert not any(d.iterdir())
    run(d, "init")  # the default data/quire.db, relative to d
    src = d / "articles"
    src.mkdir()
    (src / "seed.md").write_text(seed_article_md(), encoding="utf-8")
    for name, text in EXTRA.items():
        (src / name).write_text(text, encoding="utf-8")
    run(d, "import", "markdown", "articles")
    return d


def test_serve_and_export_from_a_fresh_folder(fresh):
    tmp = fresh / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    proc, url = start(fresh, env=env)
    try:
        home = requests.get(url + "/", headers=UA, timeout=10)
        assert home.status_code == 200
        assert "Three Voices on the Caspian" in home.text
        css = [l for l in home.text.split('"') if l.startswith("/assets/")]
        assert css, "the home page links the theme's assets"
        a = requests.get(url + css[0].split("?")[0], headers=UA, timeout=10)
        assert a.status_code == 200 and len(a.content) > 0
        # the back office is compiled in too: its login page and its CSS
        login = requests.get(url + "/admin/login", headers=UA, timeout=10)
        assert login.status_code == 200
        assert 'name="password"' in login.text
        links = [l for l in login.text.split('"')
                 if l.startswith("/admin/assets/")]
        assert links, "the login page links the back office's stylesheet"
        a = requests.get(url + links[0].split("?")[0], headers=UA,
                         timeout=10)
        assert a.status_code == 200 and len(a.content) > 0
        # the unpacked theme lives in a private temporary folder while serving
        assert [p.name[:12] for p in tmp.iterdir()] == ["quire-theme-"]
    finally:
        stop(proc)
    assert list(tmp.iterdir()) == [], "the unpacked theme is removed at exit"
    p = run(fresh, "export", "static", "site")
    site = fresh / "site"
    assert (site / "index.html").read_text().count("Three Voices") >= 1
    assert any((site / "assets").iterdir())


def test_version_names_the_build_and_the_libraries(tmp_path):
    out = run(tmp_path, "--version").stdout
    first = out.splitlines()[0]
    assert first.startswith("quire ") and len(first) > len("quire ")
    for lib in ("SQLite 3.", "libmicrohttpd ", "cmark-gfm ", "libyaml ",
                "jansson ", "libxml2 "):
        assert lib in out, out


def test_theme_export_writes_the_builtin_theme(tmp_path):
    repo_theme = pathlib.Path(__file__).resolve().parents[2] / "theme/default"
    run(tmp_path, "theme", "export", "mine")
    mine = tmp_path / "mine"
    want = sorted(str(p.relative_to(repo_theme)) for p in
                  repo_theme.rglob("*") if p.is_file()
                  and not p.name.startswith("."))
    got = sorted(str(p.relative_to(mine)) for p in mine.rglob("*")
                 if p.is_file())
    assert got == want
    for rel in want:
        assert (mine / rel).read_bytes() == (repo_theme / rel).read_bytes()
    # never over a theme someone edited
    p = run(tmp_path, "theme", "export", "mine", check=False)
    assert p.returncode == 1 and "not an empty folder" in p.stderr


def metrics_of(text):
    """Samples by (name, sorted labels), parsed by the official client."""
    from prometheus_client.parser import text_string_to_metric_families
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


@pytest.fixture()
def own(tmp_path, journal):
    """A server of our own on a copy of the journal (it gets broken)."""
    import shutil
    from conftest import Server
    db = tmp_path / "journal.db"
    shutil.copy(journal, db)
    srv = Server(db, tmp_path)
    yield srv
    srv.stop()


def test_healthz_ok_then_503_when_the_database_is_unreadable(own):
    r = own.get("/healthz")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert "no-store" in r.headers["Cache-Control"]
    body = r.json()
    assert body["status"] == "ok" and body["db"] == "ok" and body["version"]
    # probes are not traffic: not in the access log at info, not counted
    for _ in range(3):
        own.get("/healthz")
    m = metrics_of(own.get("/metrics").text)
    assert not any(k[0] == "quire_http_requests_total" and
                   ("route", "other") in k[1] for k in m), m
    assert "GET /healthz" not in own.output()
    # the file replaced by something that is not a database
    raw = own.db.read_bytes()
    own.db.write_bytes(b"\0" * len(raw))
    r = own.get("/healthz")
    assert r.status_code == 503
    assert r.json()["db"] != "ok"
    own.db.write_bytes(raw)
    assert own.get("/healthz").status_code == 200
    # the file gone
    own.db.rename(own.db.with_suffix(".gone"))
    assert own.get("/healthz").status_code == 503
    own.db.with_suffix(".gone").rename(own.db)


def test_metrics_parse_and_move_with_requests(own):
    before = metrics_of(own.get("/metrics").text)
    for _ in range(3):
        assert own.get("/").status_code == 200
    assert own.get("/no-such-page").status_code == 404
    art = own.get("/articles/caspian-voices")
    assert art.status_code == 200
    time.sleep(1.5)  # hits_flush = 1: the read is written
    after = metrics_of(own.get("/metrics").text)

    def v(m, name, **labels):
        return m.get((name, tuple(sorted(labels.items()))), 0)

    home = ("quire_http_requests_total", "route", "home")
    assert v(after, "quire_http_requests_total", route="home",
             status="2xx") - v(before, "quire_http_requests_total",
                               route="home", status="2xx") == 3
    assert v(after, "quire_http_requests_total", route="other",
             status="4xx") >= 1
    assert v(after, "quire_http_requests_total", route="articles",
             status="2xx") >= 1
    count = v(after, "quire_http_request_duration_seconds_count")
    assert count - v(before, "quire_http_request_duration_seconds_count") >= 5
    assert v(after, "quire_http_request_duration_seconds_bucket",
             le="+Inf") == count
    assert v(after, "quire_http_response_bytes_total") > \
        v(before, "quire_http_response_bytes_total") + len(art.content)
    assert v(after, "quire_page_cache_hits_total") >= 2   # home, 2nd and 3rd
    assert v(after, "quire_page_cache_misses_total") >= 2
    assert v(after, "quire_page_cache_bytes") > 0
    assert v(after, "quire_renders_total") >= 2
    assert v(after, "quire_render_seconds_total") > 0
    assert v(after, "quire_read_counts_flushed_total") >= 1
    assert v(after, "quire_read_counts_pending") == 0
    assert v(after, "quire_db_bytes") == os.path.getsize(own.db)
    assert v(after, "quire_http_open_connections") >= 1
    for name in ("quire_db_wal_bytes", "quire_db_busy_retries_total",
                 "quire_http_request_timeouts_total",
                 "quire_page_cache_evictions_total"):
        assert (name, ()) in after, name
    assert "no-store" in own.get("/metrics").headers["Cache-Control"]


def test_metrics_need_loopback_or_the_token(tmp_path, journal):
    from conftest import Server
    srv = Server(journal, tmp_path,
                 "[server]\nmetrics_token = s3cret-token\n")
    try:
        assert srv.get("/metrics").status_code == 401
        r = srv.get("/metrics", headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401
        r = srv.get("/metrics",
                    headers={"Authorization": "Bearer s3cret-token"})
        assert r.status_code == 200 and "quire_http_requests_total" in r.text
    finally:
        srv.stop()


def test_config_check_names_the_line_and_warns_on_empty_base_url(tmp_path,
                                                                 journal):
    bad = tmp_path / "bad.ini"
    bad.write_text("[server]\nthreads = 2\n\n[limits]\nlisen = 3\n")
    p = subprocess.run([QUIRE, "--db", str(journal), "config", "check",
                        str(bad)], capture_output=True, text=True)
    assert p.returncode == 1
    assert f"{bad}:5: unknown key 'lisen'" in p.stderr
    bad.write_text("[server]\nhits_flush = 0\n")
    p = subprocess.run([QUIRE, "--db", str(journal), "config", "check",
                        str(bad)], capture_output=True, text=True)
    assert p.returncode == 1 and f"{bad}:2:" in p.stderr
    good = tmp_path / "good.ini"
    good.write_text("[server]\nthreads = 2\n")
    p = subprocess.run([QUIRE, "--db", str(journal), "config", "check",
                        str(good)], capture_output=True, text=True)
    assert p.returncode == 0 and "ok" in p.stdout
    assert "base_url is empty" in p.stderr
    # --config FILE is what is checked when no FILE is given
    p = subprocess.run([QUIRE, "--db", str(journal), "--config", str(good),
                        "config", "check"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_sighup_reloads_the_theme_without_dropping_a_connection(tmp_path,
                                                                journal):
    import shutil
    import signal
    from conftest import REPO, Server
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme" / "default", theme)
    srv = Server(journal, tmp_path, f"[server]\ntheme = {theme}\n")
    try:
        with requests.Session() as s:  # one kept-alive connection
            s.headers.update(UA)
            assert "RELOADED-MARK" not in s.get(srv.url + "/").text
            err = theme / "templates" / "error.mustache"
            err.write_text("RELOADED-MARK {{status}}\n")
            srv.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while time.time() < deadline:
                r = s.get(srv.url + "/nope")
                if "RELOADED-MARK" in r.text:
                    break
                time.sleep(0.1)
            assert r.status_code == 404 and "RELOADED-MARK 404" in r.text
            assert s.get(srv.url + "/").status_code == 200
            # a broken theme is refused; the running one stays
            err.write_text("{{#unclosed}}\n")
            srv.proc.send_signal(signal.SIGHUP)
            time.sleep(1)
            assert "RELOADED-MARK 404" in s.get(srv.url + "/nope").text
        assert "reload refused" in srv.output()
        assert srv.proc.poll() is None
    finally:
        assert srv.stop() == 0


def test_unix_socket_and_socket_activation(tmp_path, journal):
    import shutil
    sock = tmp_path / "quire.sock"
    log = open(tmp_path / "unix.log", "w")
    proc = subprocess.Popen([QUIRE, "--db", str(journal), "serve",
                             "--listen", f"unix:{sock}"], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while not sock.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert oct(sock.stat().st_mode & 0o777) == "0o660"
        out = subprocess.run(["curl", "-s", "--unix-socket", str(sock),
                              "http://journal/healthz"], capture_output=True,
                             text=True, timeout=10).stdout
        assert '"status":"ok"' in out
    finally:
        stop(proc)
    act = shutil.which("systemd-socket-activate")
    if not act:
        pytest.skip("systemd-socket-activate is not installed")
    port = free_port()
    proc = subprocess.Popen([act, "-l", f"127.0.0.1:{port}", QUIRE, "--db",
                             str(journal), "serve", "--listen",
                             "127.0.0.1:1"], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/healthz",
                                 timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert r.status_code == 200
    finally:
        stop(proc)
    assert "a socket from systemd" in (tmp_path / "unix.log").read_text()


def test_make_install_with_prefix_and_destdir(tmp_path):
    import shutil
    dest = tmp_path / "root"
    p = subprocess.run(["make", "-s", "-C", str(REPO_DIR), "install",
                        f"QUIRE={QUIRE}", "PREFIX=/usr", f"DESTDIR={dest}"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    for rel in ("usr/bin/quire", "usr/share/man/man1/quire.1",
                "usr/share/bash-completion/completions/quire",
                "etc/quire/quire.ini", "usr/share/doc/quire/examples/quire.ini",
                "usr/lib/systemd/system/quire.service",
                "usr/lib/systemd/system/quire.socket"):
        assert (dest / rel).is_file(), rel
    p = subprocess.run([str(dest / "usr/bin/quire"), "--version"],
                       capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("quire ")
    # the example configuration passes its own check
    p = subprocess.run([str(dest / "usr/bin/quire"), "config", "check",
                        str(dest / "etc/quire/quire.ini")],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    unit = (dest / "usr/lib/systemd/system/quire.service").read_text()
    assert "ExecStart=/usr/bin/quire serve" in unit
    # man page renders without warnings
    if shutil.which("groff"):
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z",
                            str(dest / "usr/share/man/man1/quire.1")],
                           capture_output=True, text=True)
        assert p.returncode == 0 and p.stderr == "", p.stderr
    # systemd-analyze verify: the unit, pointing at a real binary
    if shutil.which("systemd-analyze"):
        units = tmp_path / "units"
        units.mkdir()
        (units / "quire.service").write_text(
            unit.replace("/usr/bin/quire", str(dest / "usr/bin/quire")))
        shutil.copy(dest / "usr/lib/systemd/system/quire.socket", units)
        p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                            str(units / "quire.service"),
                            str(units / "quire.socket")],
                           capture_output=True, text=True)
        assert p.returncode == 0 and p.stderr.strip() == "", p.stderr


def test_prometheus_scrapes_the_metrics(own, tmp_path):
    """Debian's Prometheus server scrapes /metrics (if installed here)."""
    import shutil
    prom = shutil.which("prometheus")
    if not prom:
        pytest.skip("the prometheus package is not installed")
    port = free_port()
    target = own.url.split("//")[1]
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text("global:\n  scrape_interval: 1s\n"
                   "scrape_configs:\n  - job_name: quire\n"
                   f"    static_configs:\n      - targets: ['{target}']\n")
    log = open(tmp_path / "prometheus.log", "w")
    p = subprocess.Popen([prom, f"--config.file={cfg}",
                          f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                          f"--web.listen-address=127.0.0.1:{port}"],
                         stdout=log, stderr=subprocess.STDOUT)
    try:
        own.get("/")
        q = f"http://127.0.0.1:{port}/api/v1/query"
        deadline = time.time() + 60
        got = None
        while time.time() < deadline:
            try:
                r = requests.get(q, params={
                    "query": 'quire_http_requests_total{route="home"}'},
                    timeout=5).json()
                if r["status"] == "success" and r["data"]["result"]:
                    got = r["data"]["result"]
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        assert got, (tmp_path / "prometheus.log").read_text()[-2000:]
        assert float(got[0]["value"][1]) >= 1
        up = requests.get(q, params={"query": 'up{job="quire"}'},
                          timeout=5).json()["data"]["result"]
        assert up and up[0]["value"][1] == "1"
    finally:
        p.terminate()
        p.wait(timeout=20)


def test_metrics_refused_to_other_than_loopback(journal, tmp_path):
    """Served on all addresses, /metrics still answers only loopback."""
    addrs = subprocess.run(["hostname", "-I"], capture_output=True,
                           text=True).stdout.split()
    v4 = [a for a in addrs if "." in a and not a.startswith("127.")]
    if not v4:
        pytest.skip("no non-loopback address on this machine")
    port = free_port()
    log = open(tmp_path / "any.log", "w")
    proc = subprocess.Popen([QUIRE, "--db", str(journal), "serve", "--listen",
                             f"0.0.0.0:{port}"], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                r = requests.get(f"http://{v4[0]}:{port}/metrics", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert r.status_code == 403
        assert "quire_http" not in r.text
        assert requests.get(f"http://127.0.0.1:{port}/metrics",
                            timeout=5).status_code == 200
        assert requests.get(f"http://{v4[0]}:{port}/healthz",
                            timeout=5).status_code == 200
    finally:
        stop(proc)
