#!/usr/bin/env python3
"""soak_consoles: stations as a site runs them: N real consoles, each in its
own tmux session (one tmux server, 80x24), each with its own FIFO scanner,
scanning 2 codes a second into boxes of 20 that close themselves; a box is
opened by scanning its SSCC label, as on the floor. As mid-shift, console i
starts with i/N of a box packed (not measured), so the boxes do not all
close at once. Beside them a support session (`sklad exec` as admin, a
`where` lookup 4 times a second) and `sklad sync --once` every 2 s at nice
10 against the True API emulator (at nice 19: a remote server), as in
soak_site.

The answer time of a scan is from its line written into the console's FIFO
to the console's bell in its terminal output (tmux pipe-pane copies each
pane's output into a FIFO this script polls): what the operator hears,
after the commit, its fsync and the screen's update. An OK is one bell, an
error three, 180 ms apart. (A --sound-cmd would start a process per scan:
about 6 ms of CPU on this machine, more than the console's own work, and
over SSH it would play on the host, not at the station.)

It prints p50/p99/max for each N beside the single-console p99, the
acknowledged scans missing from the database, and the CPU each part of the
site used per answered scan (consoles, tmux, the support session, this
script with its pipe-pane copies) beside what two codes a second per
console leave on this machine's cores. It fails only if a scan is missing
or a console died. Figures only: no timing decides anything.

  SOAK_SECONDS   measured seconds per N (default 30)
  SOAK_CONSOLES  comma-separated sizes (default 1,50,100,150,200)
  SOAK_TRACE     write "second latency_ms console unit|sscc" per scan to
                 this path.N
  TMPDIR         where the databases go
"""
import json
import os
import select
import selectors
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


def low_priority_group(pid, nice):
    """Give a process started in its own session (its own autogroup) the
    group's nice: what a service's own cgroup with a low CPUWeight is on
    a systemd host. Without it the group weighs as much as a console's."""
    try:
        with open("/proc/%d/autogroup" % pid, "w") as f:
            f.write(str(nice))
    except OSError:
        pass


class Emulator:
    """The True API emulator (tests/api/emulator.py) at nice 19: the state
    system is a remote server, its checks must not take the stations' CPU."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sklad-consoles-emu-")
        script = os.path.join(os.environ.get("SKLAD_SRC", "."), "tests",
                              "api", "emulator.py")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", script, "--workdir", self.dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            preexec_fn=lambda: os.nice(19), start_new_session=True)
        # its own group at the lowest weight: it and the openssl checks
        # it starts take only what the site leaves, as a remote server
        low_priority_group(self.proc.pid, 19)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            die("the emulator did not start: %r" % line)
        ready = json.loads(line[6:])
        self.v3, self.v4, self.ca, self.inn = (ready["v3"], ready["v4"],
                                               ready["ca"], ready["inn"])

    def write_conf(self, path, token_dir):
        """sync.conf trusting the emulator and signing with its test key,
        as tests/api/emu.h writes it."""
        with open(path, "w") as f:
            f.write("[true-api]\nv3 = %s\nv4 = %s\nca_file = %s\n"
                    "token_file = %s/token\n\n[sign]\nkey = %s\ncert = %s\n"
                    % (self.v3, self.v4, self.ca, token_dir,
                       os.path.join(self.dir, "client256.key"),
                       os.path.join(self.dir, "client256.pem")))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Site:
    def __init__(self, n, emu):
        self.n = n
        self.dir = tempfile.mkdtemp(prefix="sklad-consoles-")
        self.db = os.path.join(self.dir, "site.db")
        self.conf = os.path.join(self.dir, "sync.conf")
        self.sock = "sklad-soak-%d-%d" % (os.getpid(), n)
        env = dict(os.environ, SKLAD_PIN="4321")
        emu.write_conf(self.conf, self.dir)
        r = subprocess.run([BIN, "init", "--db", self.db, "--inn",
                            emu.inn, "--gcp", "4600439",
                            "--box-capacity", str(BOX)], env=env,
                           capture_output=True)
        if r.returncode != 0:
            die("init: " + r.stderr.decode())
        r = subprocess.run([BIN, "exec", "--db", self.db, "--user", "admin"],
                           env=env, input=b"user add operator operator 1111\n",
                           capture_output=True)
        if r.returncode != 0:
            die("user add: " + r.stdout.decode())

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
        cmd = ("env SKLAD_LOCALEDIR='%s' '%s' --db '%s' --scanner 'fifo:%s'"
               "; sleep 600" %
               (os.environ.get("SKLAD_LOCALEDIR", ""), BIN, self.db, fifo))
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
        # from here on, the pane's output (its bells) comes to this script
        out = os.path.join(self.dir, "out%d" % i)
        os.mkfifo(out)
        rfd = os.open(out, os.O_RDONLY | os.O_NONBLOCK)
        r = self.tm("pipe-pane", "-O", "-t", "c%d" % i, "cat > '%s'" % out)
        if r.returncode != 0:
            die("console %d: tmux pipe-pane: %s" % (i, r.stderr.strip()))
        return os.open(fifo, os.O_WRONLY), rfd

    def close(self):
        self.tm("kill-server")
        shutil.rmtree(self.dir, ignore_errors=True)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid, children=False):
    """CPU milliseconds a live process used (its own, or its reaped
    children's)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # after the comm: state is field 3, utime 14, stime 15, cutime 16, cstime 17
    u, s = (13, 14) if not children else (15, 16)
    return (int(st[u - 2]) + int(st[s - 2])) * 1000.0 / TICK


def console_pids(site):
    """The sklad process of each pane (the pane's shell runs it)."""
    out = site.tm("list-panes", "-a", "-F", "#{pane_pid}").stdout.split()
    return [c for sh in out for c in children(int(sh))]


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def cpu_split(site, sup):
    """CPU milliseconds used so far by each part of the site. The
    harness's part is this script and the pipe-pane copies it reads."""
    cons = console_pids(site)
    tmux_pid = int(site.tm("display-message", "-p", "#{pid}").stdout or 0)
    pipes = [c for c in children(tmux_pid) if c not in cons] \
        if tmux_pid else []
    return dict(console=sum(cpu_ms(p) + cpu_ms(p, True) for p in cons),
                tmux=cpu_ms(tmux_pid) if tmux_pid else 0.0,
                support=cpu_ms(sup.pid),
                harness=sum(os.times()[:2]) * 1000.0 +
                sum(cpu_ms(p) for p in pipes))


def wait_bell(fd, seconds=10):
    """Read a pane's output until its bell (an answer); False if none came."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r and b"\a" in os.read(fd, 65536):
            return True
    return False


def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else 0.0


def sync_failed(rc):
    """A sync run that failed: died, or exited neither 0 (all settled) nor
    75 (documents still with the state system: the next run goes on)."""
    return rc not in (0, 75)


def start_sync(site):
    """One `sklad sync --once` as sklad-sync.service runs it: its own
    group at low weight (CPUWeight), nice 10 inside it."""
    p = subprocess.Popen([BIN, "sync", "--db", site.db, "--config",
                          site.conf, "--once", "--quiet"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL,
                         preexec_fn=lambda: os.nice(10),
                         start_new_session=True)
    low_priority_group(p.pid, 10)
    return p


def run(n, seconds, emu):
    site = Site(n, emu)
    try:
        fifos, outs = zip(*[site.start(i) for i in range(n)])
        sel = selectors.DefaultSelector()
        for i, fd in enumerate(outs):
            sel.register(fd, selectors.EVENT_READ, i)
        extra_bells = [0] * n
        trace = open(os.environ["SOAK_TRACE"] + ".%d" % n, "w") \
            if os.environ.get("SOAK_TRACE") else None
        sup = subprocess.Popen([BIN, "exec", "--db", site.db, "--user",
                                "admin"], env=dict(os.environ,
                                                   SKLAD_PIN="4321"),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
        os.set_blocking(sup.stdout.fileno(), False)
        sup_sent, sup_buf = None, ""
        seq = [0] * n
        boxes = 0
        sent = [None] * n        # when the pending line was written
        due = [0.0] * n
        lat, sup_lat, errors, acked = [], [], 0, 0
        # Mid-shift, not all boxes fill at once: console i starts with
        # i/n of a box already packed (not measured), so the boxes close
        # and the next labels are scanned spread over the whole period.
        for i in range(n):
            boxes += 1
            lines = [sscc(boxes)] + [unit(i, j)
                                     for j in range(1, 1 + i * BOX // n)]
            for line in lines:
                os.write(fifos[i], (line + "\n").encode())
                if not wait_bell(outs[i]):
                    die("console %d: no answer to %s while warming up" %
                        (i, line))
            seq[i] = len(lines)
            acked += len(lines) - 1
        # the support session looks up a unit already packed (the last
        # console's first, packed while warming up; with one console, its
        # first unit once acknowledged)
        probe = unit(n - 1, 1)
        split0 = cpu_split(site, sup)     # start-up and login left out
        t0 = time.monotonic()
        end = t0 + seconds
        for i in range(n):
            due[i] = t0 + i * PERIOD / n
        next_sup = t0
        # sync runs one after another, every 2 s at most, as a timer
        # would start them
        sync, next_sync, sync_runs, sync_fail = None, t0, 0, 0
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
                sup.stdin.write("where %s\n" % probe[:31])
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
                    print("soak_consoles: the support session's lookup "
                          "failed: " + answer[:300], file=sys.stderr)
                sup_sent = None
            if sup_sent is not None:
                live += 1
            if sync is not None and sync.poll() is not None:
                sync_runs += 1
                sync_fail += sync_failed(sync.returncode)
                sync = None
            if sync is None and t < end and t >= next_sync:
                sync = start_sync(site)
                next_sync = t + 2.0
            if t >= end and live == 0:
                break
            if t >= end + 60:
                die("answers did not come within 60 s of the end")
            for key, _ in sel.select(0.001):
                k = key.data
                bells = os.read(key.fd, 65536).count(b"\a")
                if bells and sent[k] is not None:
                    when, is_unit = sent[k]
                    if is_unit:
                        lat.append((time.monotonic() - when) * 1000)
                        acked += 1
                    if trace:
                        trace.write("%.3f %.1f %d %s\n" % (
                            when - t0, (time.monotonic() - when) * 1000, k,
                            "unit" if is_unit else "sscc"))
                    sent[k] = None
                    bells -= 1
                extra_bells[k] += bells  # an error's second and third
        # Where the CPU went, per answered scan: the consoles themselves,
        # tmux drawing every pane, the support session and this script.
        split = {k: v - split0[k] for k, v in cpu_split(site, sup).items()}
        sup.stdin.close()
        sup.wait()
        if sync is not None:
            sync_runs += 1
            sync_fail += sync_failed(sync.wait())
        time.sleep(0.5)                 # an error's last bells
        for key, _ in sel.select(0):
            extra_bells[key.data] += os.read(key.fd, 65536).count(b"\a")
        for i, bells in enumerate(extra_bells):
            if bells:
                errors += (bells + 1) // 2
                print("soak_consoles: console %d rang %d more bells than "
                      "it had scans; its screen:\n%s" %
                      (i, bells, site.screen(i)), file=sys.stderr)
        h = sqlite3.connect("file:%s?mode=ro" % site.db, uri=True)
        stored = h.execute("SELECT count(*) FROM codes WHERE serial "
                           "LIKE 'C%'").fetchone()[0]
        h.close()
        lat.sort()
        sup_lat.sort()
        return dict(n=n, scans=len(lat), p50=pct(lat, 50), p99=pct(lat, 99),
                    max=lat[-1] if lat else 0, errors=errors,
                    lost=max(0, acked - stored), sup99=pct(sup_lat, 99),
                    supmax=sup_lat[-1] if sup_lat else 0,
                    split=split, sync_runs=sync_runs, sync_fail=sync_fail)
    finally:
        site.close()


def main():
    if shutil.which("tmux") is None:
        die("needs tmux")
    seconds = int(os.environ.get("SOAK_SECONDS", "30"))
    sizes = [int(x) for x in
             os.environ.get("SOAK_CONSOLES", "1,50,100,150,200").split(",")]
    print("soak_consoles: consoles in tmux with FIFO scanners, 2 codes/s "
          "each into boxes of 20 opened by their labels, a support session "
          "(where, 4/s) and sklad sync in a loop, %d s each; scan to OK "
          "bell" % seconds)
    print("  %8s %7s %8s %8s %8s %8s %7s %5s %8s %8s %9s" % (
        "consoles", "scans", "p50 ms", "p99 ms", "max ms", "p99/1st",
        "errors", "lost", "sup p99", "sup max", "sync/fail"))
    first = None
    bad = False
    splits = []
    emu = Emulator()
    for n in sizes:
        try:
            r = run(n, seconds, emu)
        except BaseException:
            emu.close()
            raise
        if first is None:
            first = r["p99"] or 1.0
        print("  %8d %7d %8.1f %8.1f %8.1f %8.1f %7d %5d %8.1f %8.1f %9s" % (
            n, r["scans"], r["p50"], r["p99"], r["max"], r["p99"] / first,
            r["errors"], r["lost"], r["sup99"], r["supmax"],
            "%d/%d" % (r["sync_runs"], r["sync_fail"])), flush=True)
        splits.append((n, r["scans"], r["split"]))
        bad |= r["lost"] > 0
    emu.close()
    # CPU per answered scan in the measured seconds, beside the
    # budget 2 cores give at 2 codes/s per console: 1000 ms / consoles
    print("  CPU ms per answered scan:")
    print("  %8s %8s %8s %8s %8s %8s %8s" % (
        "consoles", "console", "tmux", "support", "harness",
        "total", "budget"))
    for n, scans, sp in splits:
        per = {k: v / max(1, scans) for k, v in sp.items()}
        print("  %8d %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f" % (
            n, per["console"], per["tmux"], per["support"],
            per["harness"], sum(per.values()),
            1000.0 * (os.cpu_count() or 1) / (2.0 * n)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
