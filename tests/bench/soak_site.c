/*
 * soak_site: many stations on one store, the way a site runs them: N
 * `sklad exec` processes on one database file, each scanning 2 codes a
 * second into its own boxes (boxes of 20: they close, become documents
 * and open again), beside one support session (`exec` as admin, a
 * `where` lookup 4 times a second) and `sklad sync` runs in a loop
 * against the state-system emulator (tests/api), which sign and submit
 * the closed boxes.
 *
 * Before the clock starts every station has logged in and its box holds
 * i % 20 codes (a site in mid-shift: boxes close at scattered moments).
 * The emulator runs at nice 19 (the state system is a remote server; its
 * openssl checks must not take the stations' CPU) and sync at nice 10, as
 * sklad-sync.service runs it.
 *
 * For each N (SOAK_STATIONS, default 1,50,100,200) it prints the scan
 * answer time (line written to the answer line read) p50/p99/max, the
 * busy and other errors, and codes acknowledged but not stored; each
 * beside the single-station p99 and a bare fsync'd one-row SQLite commit
 * on the same file system, as ratios. Figures only, never pass/fail:
 * it exits non-zero only if an acknowledged code is missing from the
 * database or a station died.
 *
 *   SOAK_SECONDS   measured seconds per N (default 20)
 *   SOAK_STATIONS  comma-separated sizes (default 1,50,100,200)
 *   TMPDIR         where the databases go (default /tmp; use a real disk)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/api/emu.h"

#define STATIONS_MAX 400
#define PERIOD_MS 500		/* 2 codes a second per station */
#define BOX 20
#define LAT_MAX 400000
#define GS "\x1d"
#define TAIL GS "91EE06" GS "92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA="

struct proc {
	pid_t pid;
	int in, out;		/* its stdin (we write), stdout (we read) */
	char buf[8192];
	size_t len;
	double sent;		/* when the pending line was written, or 0 */
	bool scan;		/* the pending line is a scan */
	bool reopen;		/* its box closed: open one before scanning */
	double due;		/* when the next line is due */
	long seq;
};

struct result {
	int n;
	long answers, scans, acked, errors, busy, lost, extra;
	double p50, p99, max;
	double sup_p99, sup_max;
	long sup_n, sup_err;
	int sync_runs, sync_fail;
	char first_error[200];
};

static const char *bin;
static struct emu emu;
static double lat[LAT_MAX], sup[LAT_MAX];

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
	fprintf(stderr, "soak_site: %s\n", what);
	exit(2);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Start `sklad ARGS` with pipes on stdin and stdout, PIN in the env. */
static void
spawn(struct proc *p, const char *const *args, const char *pin)
{
	const char *argv[24];
	int in[2], out[2], n = 0;

	memset(p, 0, sizeof(*p));
	argv[n++] = bin;
	while (*args != NULL && n < 23)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	p->pid = fork();
	if (p->pid < 0)
		die("fork");
	if (p->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		setenv("SKLAD_PIN", pin, 1);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	p->out = out[0];
	fcntl(p->out, F_SETFL, O_NONBLOCK);
}

/* Run `sklad ARGS` with input on stdin; its exit status. */
static int
run(const char *const *args, const char *pin, const char *input)
{
	struct proc p;
	char buf[4096];
	int status;

	spawn(&p, args, pin);
	if (write(p.in, input, strlen(input)) < 0)
		die("write");
	close(p.in);
	fcntl(p.out, F_SETFL, 0);
	while (read(p.out, buf, sizeof(buf)) > 0)
		;
	close(p.out);
	waitpid(p.pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
send_line(struct proc *p, const char *line, bool scan)
{
	size_t n = strlen(line);

	if (write(p->in, line, n) != (ssize_t)n)
		die("a station stopped taking commands");
	p->sent = now_ms();
	p->scan = scan;
}

/* One answer line from p, or NULL; the line is valid until the next. */
static char *
take_line(struct proc *p)
{
	static char line[8192];
	char *nl;
	size_t n;

	nl = memchr(p->buf, '\n', p->len);
	if (nl == NULL)
		return NULL;
	n = (size_t)(nl - p->buf);
	memcpy(line, p->buf, n);
	line[n] = '\0';
	p->len -= n + 1;
	memmove(p->buf, nl + 1, p->len);
	return line;
}

/* Read what p wrote; false at EOF. */
static bool
fill(struct proc *p)
{
	ssize_t r = -1;

	while (p->len < sizeof(p->buf) &&
	       (r = read(p->out, p->buf + p->len,
			 sizeof(p->buf) - p->len)) > 0)
		p->len += (size_t)r;
	return !(p->len < sizeof(p->buf) && r == 0);
}

/* A bare one-row commit (WAL, synchronous=FULL) in dir: p50 and p99. */
static void
bare_commit(const char *dir, double *p50, double *p99)
{
	static double v[300];
	char path[600];
	sqlite3 *h;
	double t;
	int i;

	snprintf(path, sizeof(path), "%s/bare.db", dir);
	if (sqlite3_open(path, &h) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE t(x)", NULL, NULL, NULL) != SQLITE_OK)
		die("bare commit: cannot make the database");
	for (i = 0; i < 300; i++) {
		t = now_ms();
		sqlite3_exec(h, "INSERT INTO t VALUES (randomblob(200))", NULL,
			     NULL, NULL);
		v[i] = now_ms() - t;
	}
	sqlite3_close(h);
	qsort(v, 300, sizeof(v[0]), cmp_double);
	*p50 = v[150];
	*p99 = v[297];
}

static long
db_count(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = (long)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return v;
}

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/* One answer from station or support p: account for it. */
static void
answer(struct result *r, struct proc *p, const char *line, bool support,
       long *nlat)
{
	double ms = now_ms() - p->sent;
	bool ok = strstr(line, "\"ok\":true") != NULL;

	if (support) {
		if (r->sup_n < LAT_MAX)
			sup[r->sup_n++] = ms;
	} else {
		r->answers++;
		if (*nlat < LAT_MAX)
			lat[(*nlat)++] = ms;
		if (p->scan) {
			r->scans++;
			r->acked += ok;
		}
		if (ok && strstr(line, "\"closed\":true") != NULL)
			p->reopen = true;
	}
	if (!ok && support) {
		r->sup_err++;
	} else if (!ok) {
		r->errors++;
		if (strstr(line, "busy") != NULL ||
		    strstr(line, "locked") != NULL)
			r->busy++;
		if (r->first_error[0] == '\0')
			snprintf(r->first_error, sizeof(r->first_error), "%s",
				 line);
	}
	p->sent = 0;
}

/* A sync run that failed: died, or exited neither 0 (all settled) nor 75
 * (documents still with the state system: the next run goes on). */
static int
sync_failed(int status)
{
	return !WIFEXITED(status) || (WEXITSTATUS(status) != 0 &&
				      WEXITSTATUS(status) != 75);
}

/* Station i (p) scans its next code. */
static void
send_scan(struct proc *p, int i)
{
	char line[256];

	snprintf(line, sizeof(line), "scan 010460043993125621S%03d%09ld" TAIL
		 "\n", i, p->seq++);
	send_line(p, line, true);
}

/* The answer to a station's set-up line: it must be OK. */
static void
wait_open(struct proc *p)
{
	struct pollfd one = { .fd = p->out, .events = POLLIN };
	char *l;

	while ((l = take_line(p)) == NULL)
		if (poll(&one, 1, 60000) <= 0 || (!fill(p) && p->len == 0))
			die("a station did not start");
	if (strstr(l, "\"ok\":true") == NULL)
		die(l);
	p->sent = 0;
}

static void
site(int n, int seconds, struct result *r)
{
	static struct proc st[STATIONS_MAX];
	struct pollfd pfds[STATIONS_MAX + 1];
	struct proc sup_p;
	char dir[512], db[600], conf[600], line[256];
	const char *tmp = getenv("TMPDIR");
	const char *init[] = { "init", "--db", db, "--inn", emu.inn, "--gcp",
		"4600439", "--box-capacity", "20", NULL };
	const char *admin[] = { "exec", "--db", db, "--user", "admin", NULL };
	const char *sync[] = { bin, "sync", "--db", db, "--config", conf,
		"--once", "--quiet", NULL };
	char dev[STATIONS_MAX][16];
	const char *station[] = { "exec", "--db", db, "--user", "operator",
		"--device", NULL, NULL };
	double t0, end, next_sup, next_sync, wait, t;
	long nlat = 0, where_seq = 0;
	pid_t sync_pid = -1;
	int i, k, status, live;
	char *l;

	memset(r, 0, sizeof(*r));
	r->n = n;
	snprintf(dir, sizeof(dir), "%s/sklad-soak-XXXXXX",
		 tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	snprintf(db, sizeof(db), "%s/site.db", dir);
	snprintf(conf, sizeof(conf), "%s/sync.conf", dir);
	emu_write_conf(&emu, conf, NULL, NULL, dir, "", "");
	if (run(init, "4321", "") != 0 ||
	    run(admin, "4321", "user add operator operator 1111\n") != 0)
		die("cannot set up the site");
	/* Stations start ten at a time, as a site's do over a morning:
	 * 200 yescrypt logins at the same instant would only measure the
	 * CPU, and every station has its box before the clock starts. */
	for (i = 0; i < n; i++) {
		snprintf(dev[i], sizeof(dev[i]), "st%d", i);
		station[6] = dev[i];
		spawn(&st[i], station, "1111");
		send_line(&st[i], "box open\n", false);
		if (i % 10 == 9 || i == n - 1)
			for (k = i - i % 10; k <= i; k++)
				wait_open(&st[k]);
	}
	/* A site in mid-shift: station i's box already holds i % BOX
	 * codes, so boxes close at scattered moments, not all 200 in the
	 * same half second, and every station has run its first statements
	 * before the clock starts. */
	for (k = 0; k < BOX - 1; k++) {
		for (i = 0; i < n; i++)
			if (i % BOX > k)
				send_scan(&st[i], i);
		for (i = 0; i < n; i++)
			if (i % BOX > k) {
				wait_open(&st[i]);
				r->acked++;
			}
	}
	spawn(&sup_p, admin, "4321");
	t0 = now_ms();
	end = t0 + seconds * 1000.0;
	for (i = 0; i < n; i++)
		st[i].due = t0 + (double)i * PERIOD_MS / n;
	next_sup = t0;
	next_sync = t0;
	for (;;) {
		t = now_ms();
		live = 0;
		/* stations and the support session: send what is due */
		for (i = 0; i < n; i++) {
			struct proc *p = &st[i];

			if (p->sent > 0) {
				live++;
				continue;
			}
			if (t >= end || t < p->due)
				continue;
			if (p->reopen) {
				send_line(p, "box open\n", false);
				p->reopen = false;
			} else {
				send_scan(p, i);
			}
			/* the next scan comes 500 ms later, or when the
			 * operator sees this answer if that is later */
			p->due += PERIOD_MS;
			live++;
		}
		k = (int)(where_seq % n);
		if (sup_p.sent == 0 && t < end && t >= next_sup &&
		    st[k].seq > 0) {
			snprintf(line, sizeof(line), "where 0104600439931256"
				 "21S%03d%09ld\n", k, st[k].seq / 2);
			send_line(&sup_p, line, false);
			where_seq++;
			next_sup = t + 250;
		}
		if (sup_p.sent > 0)
			live++;
		/* sync runs one after another, as a timer would start them */
		if (sync_pid > 0 && waitpid(sync_pid, &status, WNOHANG) ==
		    sync_pid) {
			r->sync_runs++;
			r->sync_fail += sync_failed(status);
			sync_pid = -1;
		}
		if (sync_pid < 0 && t < end && t >= next_sync &&
		    getenv("SOAK_NO_SYNC") == NULL) {
			sync_pid = fork();
			if (sync_pid == 0) {
				int null = open("/dev/null", O_WRONLY);

				dup2(null, 1);
				dup2(null, 2);
				/* as sklad-sync.service runs it (Nice=10):
				 * background work yields to the stations */
				if (setpriority(PRIO_PROCESS, 0, 10) < 0)
					_exit(126);
				execv(bin, (char *const *)sync);
				_exit(127);
			}
			next_sync = t + 2000;
		}
		if (t >= end && live == 0)
			break;
		if (t >= end + 60000)
			die("answers did not come within 60 s of the end");
		/* wait for answers or the next due line */
		wait = t >= end ? 100 : end - t;
		for (i = 0; i < n; i++)
			if (st[i].sent == 0 && st[i].due - t < wait)
				wait = st[i].due - t;
		if (sup_p.sent == 0 && next_sup - t < wait)
			wait = next_sup - t;
		if (wait < 0)
			wait = 0;
		if (wait > 100)
			wait = 100;
		for (i = 0; i < n; i++)
			pfds[i] = (struct pollfd){ .fd = st[i].out,
						   .events = POLLIN };
		pfds[n] = (struct pollfd){ .fd = sup_p.out, .events = POLLIN };
		if (poll(pfds, (nfds_t)n + 1, (int)(wait + 0.999)) <= 0)
			continue;
		for (i = 0; i <= n; i++) {
			struct proc *p = i < n ? &st[i] : &sup_p;

			if (pfds[i].revents == 0)
				continue;
			if (!fill(p) && p->len == 0)
				die("a station died");
			while ((l = take_line(p)) != NULL)
				answer(r, p, l, i == n, &nlat);
		}
	}
	for (i = 0; i <= n; i++) {
		struct proc *p = i < n ? &st[i] : &sup_p;

		close(p->in);
		close(p->out);
		waitpid(p->pid, &status, 0);
	}
	if (sync_pid > 0) {
		waitpid(sync_pid, &status, 0);
		r->sync_runs++;
		r->sync_fail += sync_failed(status);
	}
	qsort(lat, (size_t)nlat, sizeof(lat[0]), cmp_double);
	if (nlat > 0) {
		r->p50 = lat[nlat / 2];
		r->p99 = lat[(nlat * 99) / 100];
		r->max = lat[nlat - 1];
	}
	qsort(sup, (size_t)r->sup_n, sizeof(sup[0]), cmp_double);
	if (r->sup_n > 0) {
		r->sup_p99 = sup[(r->sup_n * 99) / 100];
		r->sup_max = sup[r->sup_n - 1];
	}
	k = (int)db_count(db, "SELECT count(*) FROM codes WHERE serial "
			  "LIKE 'S%'");
	r->lost = r->acked > k ? r->acked - k : 0;
	r->extra = k > r->acked ? k - r->acked : 0;
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const char *sizes = getenv("SOAK_STATIONS");
	const char *secs = getenv("SOAK_SECONDS");
	static struct result res[16];
	char list[128], *tok, *save, dir[512];
	const char *tmp = getenv("TMPDIR");
	struct rlimit rl;
	double bare50, bare99, one99 = 0;
	int nres = 0, seconds = secs != NULL ? atoi(secs) : 20, i, bad = 0;

	bin = getenv("SKLAD_BIN");
	if (bin == NULL)
		die("set SKLAD_BIN");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "%s/sklad-bare-XXXXXX",
		 tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	bare_commit(dir, &bare50, &bare99);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	if (emu_start(&emu, NULL) != 0)
		die("the emulator does not start");
	/* The state system is a remote server: its TLS and signature
	 * checks (an openssl per document) must not take the CPU the
	 * stations measured here would have on their own host. */
	if (setpriority(PRIO_PROCESS, emu.pid, 19) < 0)
		die("cannot lower the emulator's priority");
	snprintf(list, sizeof(list), "%s",
		 sizes != NULL ? sizes : "1,50,100,200");
	for (tok = strtok_r(list, ",", &save); tok != NULL && nres < 16;
	     tok = strtok_r(NULL, ",", &save)) {
		int n = atoi(tok);

		if (n < 1 || n > STATIONS_MAX)
			die("SOAK_STATIONS: 1 to 400 each");
		site(n, seconds, &res[nres]);
		if (n == 1)
			one99 = res[nres].p99;
		nres++;
	}
	emu_stop(&emu);
	printf("soak_site: stations scanning 2 codes/s each into boxes of %d, "
	       "a support session (where, 4/s) and sklad sync in a loop, %d s "
	       "each\n", BOX, seconds);
	printf("  bare fsync'd commit (baseline): p50 %.2f ms, p99 %.2f ms\n",
	       bare50, bare99);
	if (one99 > 0)
		printf("  single station p99 (baseline): %.2f ms\n", one99);
	printf("  %8s %8s %8s %8s %8s %8s %8s %7s %7s %6s %5s %5s %9s %9s "
	       "%7s\n", "stations", "answers", "p50 ms", "p99 ms", "max ms",
	       "p99/1st", "p99/bare", "errors", "busy", "lost", "sync",
	       "fail", "sup p99", "sup max", "sup err");
	for (i = 0; i < nres; i++) {
		struct result *r = &res[i];

		printf("  %8d %8ld %8.1f %8.1f %8.1f %8.1f %8.1f %7ld %7ld %6ld "
		       "%5d %5d %9.1f %9.1f %7ld\n", r->n, r->answers, r->p50,
		       r->p99, r->max, one99 > 0 ? r->p99 / one99 : 0,
		       r->p99 / bare99, r->errors, r->busy, r->lost,
		       r->sync_runs, r->sync_fail, r->sup_p99, r->sup_max,
		       r->sup_err);
		if (r->first_error[0] != '\0')
			printf("    first error: %.150s\n", r->first_error);
		if (r->extra > 0)
			printf("    %ld codes stored whose answer was not read\n",
			       r->extra);
		bad |= r->lost > 0;
	}
	if (bad)
		printf("soak_site: FAIL: acknowledged codes are missing from "
		       "the database\n");
	return bad ? 1 : 0;
}
