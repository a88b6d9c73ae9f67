"""Load for crash and backup tests: CLI writers and browser-like readers.

Writers runs CLI processes (`config set`, `link add`, `publication add`)
in a loop on threads and records every write a process reported as done;
Readers fetches article pages so the server counts reads and flushes them.
"""
import signal
import subprocess
import threading
import time

import requests

from conftest import QUIRE


def kill(proc):
    """SIGKILL proc if it still runs, and reap it."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


class Writers:
    """CLI processes writing in a loop; each success is recorded."""

    def __init__(self, db, first=0, nthreads=2):
        self.db = db
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.procs = {}
        self.links = {}     # id -> title, reported by `link add`
        self.pubs = {}      # id -> title, reported by `publication add`
        self.setting = {}   # key -> highest value number reported
        self.seq = first  # values grow across rounds: newest is largest
        self.errors = []
        self.spans = []     # (start, end) of every reported write
        self.threads = [threading.Thread(target=self.run, args=(i,))
                        for i in range(nthreads)]

    def next(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def run(self, i):
        key = ("tagline", "about")[i % 2]
        while not self.stop.is_set():
            n = self.next()
            kind = n % 3
            if kind == 0:
                args = ["config", "set", key, f"value {n}"]
            elif kind == 1:
                args = ["link", "add", f"link {n}", f"https://example.org/{n}"]
            else:
                args = ["publication", "add", "--kind", "Op-ed", "--date",
                        "2024-01-02", f"paper {n}"]
            with self.lock:
                if self.stop.is_set():
                    return
                t0 = time.monotonic()
                p = subprocess.Popen([QUIRE, "--db", str(self.db), *args],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
                self.procs[i] = p
            out, err = p.communicate()
            if p.returncode == -signal.SIGKILL:
                return  # killed: its write may or may not have landed
            if p.returncode != 0:
                self.errors.append(f"{args}: {err}")
                continue
            with self.lock:
                self.spans.append((t0, time.monotonic()))
                if kind == 0:
                    self.setting[key] = max(self.setting.get(key, 0), n)
                elif kind == 1:
                    self.links[int(out)] = f"link {n}"
                else:
                    self.pubs[int(out)] = f"paper {n}"

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        """Let the running processes end, start no more."""
        self.stop.set()
        for t in self.threads:
            t.join()

    def kill(self):
        with self.lock:
            self.stop.set()
            for p in self.procs.values():
                kill(p)
        for t in self.threads:
            t.join()


class Readers:
    """Browser-like GETs of the articles, so that hit flushes happen."""

    def __init__(self, srv, slugs):
        self.srv, self.slugs = srv, slugs
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.run)

    def run(self):
        s = requests.Session()
        i = 0
        while not self.stop.is_set():
            try:
                s.get(f"{self.srv.url}/articles/{self.slugs[i % len(self.slugs)]}",
                      headers={"User-Agent": "Mozilla/5.0 Firefox/120.0"},
                      timeout=2)
            except Exception:
                return  # the server was killed
            i += 1

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.t.join()
