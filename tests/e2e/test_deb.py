"""The Debian package (issue 15), only when QUIRE_DEB=1 (.ci/run): `make deb`
has built build/deb/quire_*.deb and lintian passed on it; here it is
installed with dpkg -i and checked as an operator would."""
import glob
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.environ.get("QUIRE_DEB") != "1",
                                reason="QUIRE_DEB=1 builds and installs "
                                       "the Debian package")


def sh(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=600,
                          **kw)


def test_the_package_installs_and_runs():
    debs = glob.glob(str(REPO / "build" / "deb" / "quire_*.deb"))
    if not debs:
        p = sh(str(REPO / "scripts" / "make-deb"))
        assert p.returncode == 0, p.stdout + p.stderr
        debs = glob.glob(str(REPO / "build" / "deb" / "quire_*.deb"))
    deb = debs[0]
    p = sh("lintian", "--fail-on", "error", deb)
    assert p.returncode == 0, p.stdout
    p = sh("dpkg", "-i", deb)
    assert p.returncode == 0, p.stdout + p.stderr
    p = sh("/usr/bin/quire", "--version")
    assert p.returncode == 0 and p.stdout.startswith("quire "), p.stderr
    assert "SQLite" in p.stdout
    conf = sh("dpkg-query", "-W", "-f=${Conffiles}", "quire").stdout
    assert "/etc/quire/quire.ini" in conf
    assert sh("getent", "passwd", "quire").returncode == 0
    assert pathlib.Path("/var/lib/quire").is_dir()
    assert pathlib.Path("/usr/share/man/man1/quire.1.gz").exists()
    unit = "/lib/systemd/system/quire.service"
    text = pathlib.Path(unit).read_text()
    for line in ("Type=notify", "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "ProtectHome=yes", "PrivateTmp=yes",
                 "ReadWritePaths=/var/lib/quire", "CapabilityBoundingSet=\n",
                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                 "SystemCallFilter=@system-service",
                 "MemoryDenyWriteExecute=yes", "Restart=on-failure"):
        assert line in text, line
    p = sh("systemd-analyze", "verify", unit,
           "/lib/systemd/system/quire.socket")
    assert p.returncode == 0 and p.stderr.strip() == "", p.stderr
    # the installed config is valid as shipped
    p = sh("/usr/bin/quire", "config", "check", "/etc/quire/quire.ini")
    assert p.returncode == 0, p.stderr
