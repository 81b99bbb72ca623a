#!/usr/bin/env python3
"""soak_consoles: stations as a site runs them: N real consoles, each in its
own tmux session (one tmux server, 80x24), each with its own FIFO scanner,
scanning 2 codes a second into boxes of 20 that close themselves; a box is
opened by scanning its SSCC label, as on the floor. Beside them a support
session (`sklad exec` as admin, a `where` lookup 4 times a second).

The answer time of a scan is from its line written into the console's FIFO
to the console's OK sound (--sound-cmd appends "<console> ok" to a file this
script polls every millisecond): what the operator hears, after the commit
and its fsync. It prints p50/p99/max for each N (SOAK_CONSOLES, default
1,10,25,50) beside the single-console p99, and the acknowledged scans
missing from the database; it fails only if one is missing or a console
died. Figures only: no timing decides anything.

  SOAK_SECONDS   measured seconds per N (default 20)
  SOAK_CONSOLES  comma-separated sizes
  TMPDIR         where the databases go
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("SKLAD_BIN") or os.path.join(
    os.environ.get("SKLAD_SRC", "."), "build", "sklad")
PERIOD = 0.5            # 2 codes a second per console
BOX = 20
GS = "\x1d"
TAIL = GS + "91EE06" + GS + "92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA="


def die(msg):
    print("soak_consoles: " + msg, file=sys.stderr)
    sys.exit(1)


def sscc(n):
    """A valid SSCC under a supplier's prefix 4610000 (GS1 mod 10)."""
    body = "0" + "4610000" + "%09d" % n
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)


def unit(console, n):
    return "010460043993125621C%03d%09d%s" % (console, n, TAIL)


class Site:
    def __init__(self, n):
        self.n = n
        self.dir = tempfile.mkdtemp(prefix="sklad-consoles-")
        self.db = os.path.join(self.dir, "site.db")
        self.sounds = os.path.join(self.dir, "sounds")
        self.sock = "sklad-soak-%d-%d" % (os.getpid(), n)
        env = dict(os.environ, SKLAD_PIN="4321")
        r = subprocess.run([BIN, "init", "--db", self.db, "--inn",
                            "7700000001", "--gcp", "4600439",
                            "--box-capacity", str(BOX)], env=env,
                           capture_output=True)
        if r.returncode != 0:
            die("init: " + r.stderr.decode())
        r = subprocess.run([BIN, "exec", "--db", self.db, "--user", "admin"],
                           env=env, input=b"user add operator operator 1111\n",
                           capture_output=True)
        if r.returncode != 0:
            die("user add: " + r.stdout.decode())
        open(self.sounds, "w").close()

    def tm(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] +
                              list(args), capture_output=True, text=True)

    def screen(self, i):
        return self.tm("capture-pane", "-p", "-t", "c%d" % i).stdout

    def wait_for(self, i, text, seconds=60):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if any(t in self.screen(i) for t in text):
                return
            time.sleep(0.05)
        die("console %d: waited for %r; screen:\n%s" % (i, text,
                                                        self.screen(i)))

    def start(self, i):
        fifo = os.path.join(self.dir, "scan%d" % i)
        os.mkfifo(fifo)
        cmd = ("env SKLAD_LOCALEDIR='%s' '%s' --db '%s' --scanner 'fifo:%s' "
               "--sound-cmd 'echo %d >>%s'; sleep 600" %
               (os.environ.get("SKLAD_LOCALEDIR", ""), BIN, self.db, fifo, i,
                self.sounds))
        r = self.tm("new-session", "-d", "-s", "c%d" % i, "-x", "80", "-y",
                    "24", cmd)
        if r.returncode != 0:
            die("console %d: tmux new-session: %s" % (i, r.stderr.strip()))
        self.wait_for(i, ["Name", "Имя"])
        self.tm("send-keys", "-t", "c%d" % i, "operator", "Enter")
        self.tm("send-keys", "-t", "c%d" % i, "1111", "Enter")
        self.wait_for(i, ["main menu", "Главное меню"])
        self.tm("send-keys", "-t", "c%d" % i, "1")
        self.wait_for(i, ["No box is open", "Нет открытой"])
        return os.open(fifo, os.O_WRONLY)

    def close(self):
        self.tm("kill-server")
        shutil.rmtree(self.dir, ignore_errors=True)


def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else 0.0


def run(n, seconds):
    site = Site(n)
    try:
        fifos = [site.start(i) for i in range(n)]
        sup = subprocess.Popen([BIN, "exec", "--db", site.db, "--user",
                                "admin"], env=dict(os.environ,
                                                   SKLAD_PIN="4321"),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
        os.set_blocking(sup.stdout.fileno(), False)
        sup_sent, sup_buf = None, ""
        sounds = open(site.sounds)
        pending = ""
        seq = [0] * n
        boxes = 0
        sent = [None] * n        # when the pending line was written
        due = [0.0] * n
        lat, sup_lat, errors, acked = [], [], 0, 0
        t0 = time.monotonic()
        end = t0 + seconds
        for i in range(n):
            due[i] = t0 + i * PERIOD / n
        next_sup = t0
        while True:
            t = time.monotonic()
            live = 0
            for i in range(n):
                if sent[i] is not None:
                    live += 1
                    continue
                if t >= end or t < due[i]:
                    continue
                if seq[i] % (BOX + 1) == 0:
                    boxes += 1
                    line = sscc(boxes)          # opens the next box
                else:
                    line = unit(i, seq[i])
                seq[i] += 1
                os.write(fifos[i], (line + "\n").encode())
                sent[i] = (t, line.startswith("01"))
                due[i] += PERIOD
                live += 1
            # the support session: one lookup at a time, never waited
            # for here (a slow answer must not hold the consoles' lines)
            if sup_sent is None and t < end and t >= next_sup and acked:
                sup.stdin.write("where %s\n" % unit(0, 1)[:31])
                sup.stdin.flush()
                sup_sent = t
                next_sup = t + 0.25
            try:
                chunk = os.read(sup.stdout.fileno(), 65536).decode()
            except BlockingIOError:
                chunk = ""
            sup_buf += chunk
            while "\n" in sup_buf and sup_sent is not None:
                answer, sup_buf = sup_buf.split("\n", 1)
                sup_lat.append((time.monotonic() - sup_sent) * 1000)
                if '"ok":true' not in answer:
                    errors += 1
                sup_sent = None
            if sup_sent is not None:
                live += 1
            pending += sounds.read()
            *lines, pending = pending.split("\n")
            for l in lines:
                k, what = l.split()
                k = int(k)
                if sent[k] is None:
                    continue
                when, is_unit = sent[k]
                if what == "ok":
                    if is_unit:
                        lat.append((time.monotonic() - when) * 1000)
                        acked += 1
                else:
                    errors += 1
                sent[k] = None
            if t >= end and live == 0:
                break
            if t >= end + 60:
                die("answers did not come within 60 s of the end")
            time.sleep(0.001)
        sup.stdin.close()
        sup.wait()
        h = sqlite3.connect("file:%s?mode=ro" % site.db, uri=True)
        stored = h.execute("SELECT count(*) FROM codes WHERE serial "
                           "LIKE 'C%'").fetchone()[0]
        h.close()
        lat.sort()
        sup_lat.sort()
        return dict(n=n, scans=len(lat), p50=pct(lat, 50), p99=pct(lat, 99),
                    max=lat[-1] if lat else 0, errors=errors,
                    lost=max(0, acked - stored), sup99=pct(sup_lat, 99),
                    supmax=sup_lat[-1] if sup_lat else 0)
    finally:
        site.close()


def main():
    if shutil.which("tmux") is None:
        die("needs tmux")
    seconds = int(os.environ.get("SOAK_SECONDS", "20"))
    sizes = [int(x) for x in
             os.environ.get("SOAK_CONSOLES", "1,10,25,50").split(",")]
    print("soak_consoles: consoles in tmux with FIFO scanners, 2 codes/s "
          "each into boxes of 20 opened by their labels, a support session "
          "(where, 4/s), %d s each; scan to OK sound" % seconds)
    print("  %8s %7s %8s %8s %8s %8s %7s %5s %8s %8s" % (
        "consoles", "scans", "p50 ms", "p99 ms", "max ms", "p99/1st",
        "errors", "lost", "sup p99", "sup max"))
    first = None
    bad = False
    for n in sizes:
        r = run(n, seconds)
        if first is None:
            first = r["p99"] or 1.0
        print("  %8d %7d %8.1f %8.1f %8.1f %8.1f %7d %5d %8.1f %8.1f" % (
            n, r["scans"], r["p50"], r["p99"], r["max"], r["p99"] / first,
            r["errors"], r["lost"], r["sup99"], r["supmax"]), flush=True)
        bad |= r["lost"] > 0
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
