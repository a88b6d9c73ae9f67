#!/usr/bin/python3
"""bench/newsletter.py - the newsletter's rows for `make bench` (issue 11).

    QUIRE_BIN=./quire bench/newsletter.py [N]

1. messages per second from the outbox to a local aiosmtpd (mail_rate = 0);
2. the cached article page's requests per second with `wrk` while a
   campaign of N messages (default 10000) is being sent, against the same
   without a send (the target is >= 0.9x).
Prints one line per row. Numbers taken on a loaded machine mean little.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from conftest import Server, free_port, make_journal, quire  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000


def wrk(url, seconds=10):
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", url],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return None


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="quire-nl-bench-"))
    sink = SmtpSink(free_port())
    sink.start()
    db = make_journal(tmp)
    f = tmp / "subs.csv"
    f.write_text("".join(f"b{i}@example.org\n" for i in range(N)))
    quire(db, "subscriber", "import", str(f), "--confirmed")
    ini = ("[mail]\n" f"smtp_url = {sink.url}\n"
           "mail_from = bench@example.org\nmail_rate = 0\n")
    srv = Server(db, tmp, ini)
    art = srv.url + "/articles/caspian-voices"
    srv.get("/articles/caspian-voices")
    base = wrk(art)
    env = {**os.environ, "QUIRE_CONFIG": str(srv.ini)}
    # row 1: a campaign alone, timed from queueing to the last message
    t0 = time.time()
    quire(db, "newsletter", "send", "--issue", "2004-06-30", env=env)
    while sink.count() < N and time.time() - t0 < 3600:
        time.sleep(0.05)
    dt = time.time() - t0
    print(f"newsletter: {sink.count()} messages to aiosmtpd in {dt:.1f} s = "
          f"{sink.count() / dt:.0f} messages/s")
    # row 2: the cached article while a second campaign is being sent
    quire(db, "newsletter", "send", "--issue", "2004-06-30", env=env)
    during = wrk(art)
    sending = sink.count() < 2 * N
    if base and during:
        print(f"newsletter: cached article {during:.0f} req/s during the send "
              f"vs {base:.0f} without = {during / base:.2f}x (target >= 0.9x)"
              + ("" if sending else " (the send ended before wrk did)"))
    srv.stop()
    sink.stop()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
