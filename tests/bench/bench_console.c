/*
 * bench_console: the console's figures beside baselines, same run, same
 * terminal harness.
 *
 *  (1) start to first frame: the real build/sklad on a database of N
 *      codes (default 10 million), in a pseudo-terminal of 80x24, from
 *      fork to the login screen's text arriving on the terminal, median
 *      of 7 starts; beside a bare ncurses program (this binary with
 *      --bare) drawing one line;
 *  (2) resident memory: VmHWM of each after its first frame and after
 *      the scans of (3);
 *  (3) scan-to-screen latency: a line written into the FIFO scanner with
 *      a box open, until its OK (bell, after the commit) and the redrawn
 *      screen were on the terminal, p50 / p99; beside the bare program
 *      beeping and echoing a FIFO line on its screen.
 *
 * The big database is laid down once in bulk (units in closed boxes of
 * 100, one audit record each) and kept in $BENCH_DIR (default /var/tmp)
 * for later runs. BENCH_CODES=200000 for a quick run. Figures only,
 * never pass/fail; goals: first frame < 100 ms, memory < 16 MB.
 *
 * What it must not do: count a refused scan as a measured one (it checks
 * the scans landed in the box), or leave its FIFO or a half-built
 * database behind.
 */
#define _GNU_SOURCE 1
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "store/store.h"
#include "tests/bench/bulk.h"

#define SCANS 300

struct child {
	pid_t pid;
	int fd;			/* pty master */
	char out[1 << 16];	/* what the screen received, for matching */
	size_t len;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char fifo_path[512];
/* Serials of this run's scans start here: the kept database has the
 * scans of earlier runs. */
static long run_base;

static void
die(const char *what, const char *msg)
{
	if (fifo_path[0] != '\0')
		unlink(fifo_path);
	fprintf(stderr, "bench_console: %s: %s\n", what, msg);
	exit(1);
}

/* A digest (FNV-1a) of every migration's SQL. */
static unsigned
schema_digest(void)
{
	unsigned h = 2166136261u;
	const char *sql;
	int v;

	for (v = 1; (sql = st_schema_migration(v)) != NULL; v++)
		for (; *sql != '\0'; sql++)
			h = (h ^ (unsigned char)*sql) * 16777619u;
	return h;
}

/* The database of n codes, made once and kept. */
static void
big_db(const char *path, long n)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .product_group = "milk",
				.require_crypto = true, .gtin_policy = "any" };
	struct st_actor admin;
	struct st_db *db;
	struct stat st;
	struct err e;
	char tmp[600];
	double t0;

	if (stat(path, &st) == 0)
		return;
	/* Built aside and renamed: a run cut short leaves no half file. */
	snprintf(tmp, sizeof(tmp), "%s.part", path);
	unlink(tmp);
	t0 = now_ms();
	if (st_open(tmp, true, &db, &e) < 0 ||
	    st_site_init(db, &site, "admin", "1234", &e) < 0 ||
	    st_login(db, "admin", "1234", "bench", &admin, &e) < 0 ||
	    st_user_add(db, &admin, "operator", ST_OPERATOR, "1234", &e) < 0)
		die("init", e.msg);
	st_close(&db);
	bulk_fill(tmp, n);
	if (rename(tmp, path) < 0)
		die("rename", strerror(errno));
	printf("  (laid down %ld codes in %.1f s, kept in %s)\n", n,
	       (now_ms() - t0) / 1e3, path);
}

/* Read what the terminal got for up to ms; returns bytes read. */
static ssize_t
drain(struct child *c, int ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char buf[4096];
	ssize_t n, total = 0;

	while (poll(&p, 1, ms) > 0) {
		if ((n = read(c->fd, buf, sizeof(buf))) <= 0)
			break;
		total += n;
		if (c->len + (size_t)n >= sizeof(c->out))
			c->len = 0;	/* only recent output matters */
		memcpy(c->out + c->len, buf, (size_t)n);
		c->len += (size_t)n;
		c->out[c->len] = '\0';
		ms = 0;
	}
	return total;
}

/* Wait until the terminal got text; returns false after 10 s. */
static bool
wait_text(struct child *c, const char *text)
{
	double end = now_ms() + 10000;

	while (now_ms() < end) {
		if (memmem(c->out, c->len, text, strlen(text)) != NULL)
			return true;
		drain(c, 5);
	}
	return false;
}

static void
spawn(struct child *c, char *const argv[])
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };

	memset(c, 0, sizeof(*c));
	c->pid = forkpty(&c->fd, NULL, NULL, &ws);
	if (c->pid < 0)
		die("forkpty", strerror(errno));
	if (c->pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		unsetenv("NO_COLOR");
		execv(argv[0], argv);
		_exit(127);
	}
}

static long
vmhwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
stop(struct child *c)
{
	kill(c->pid, SIGTERM);
	drain(c, 50);
	waitpid(c->pid, NULL, 0);
	close(c->fd);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Write one line into the FIFO; return ms until the frame it caused was
 * on the terminal. Both programs beep exactly once per line they took
 * (sklad after the commit), so the bell marks which frame belongs to
 * which line; the frame ends when the terminal stays quiet for 3 ms.
 */
static double
one_scan(struct child *c, const char *fifo, const char *line)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	double t0, last = 0;
	bool bell = false;
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = open(fifo, O_WRONLY)) < 0)
		die("fifo", strerror(errno));
	t0 = now_ms();
	if (write(fd, line, strlen(line)) < 0)
		die("fifo", strerror(errno));
	close(fd);
	while (poll(&p, 1, bell ? 3 : 5000) > 0) {
		if ((n = read(c->fd, buf, sizeof(buf))) <= 0)
			break;
		last = now_ms();
		bell = bell || memchr(buf, '\a', (size_t)n) != NULL;
	}
	if (!bell)
		die("scan", "no bell within 5 s: the scan was not taken");
	return last - t0;
}

/* p50 and p99 of SCANS scans of lines made by fmt with a counter. */
static void
scans(struct child *c, const char *fifo, bool units, double *p50,
      double *p99)
{
	static double lat[SCANS];
	char line[128];
	int i, cd = mark_check_digit("0460043993125", 13);

	for (i = 0; i < SCANS; i++) {
		if (units)
			snprintf(line, sizeof(line), "010460043993125%d21"
				 "N%012ld\x1d" "93AbCd\n", cd, run_base + i);
		else
			snprintf(line, sizeof(line), "line %d\n", i);
		lat[i] = one_scan(c, fifo, line);
	}
	qsort(lat, SCANS, sizeof(lat[0]), cmp_double);
	*p50 = lat[SCANS / 2];
	*p99 = lat[SCANS * 99 / 100];
}

/* The measured scans must have gone into the box, not been refused. */
static void
check_recorded(const char *path)
{
	int cd = mark_check_digit("0460043993125", 13);
	struct st_where w;
	struct st_db *db;
	char code[96];
	struct mark m;
	struct err e;

	snprintf(code, sizeof(code), "010460043993125%d21N%012ld\x1d"
		 "93AbCd", cd, run_base + SCANS - 1);
	if (st_open(path, false, &db, &e) < 0)
		die("open", e.msg);
	if (mark_parse(code, strlen(code), &m) < 0 ||
	    st_where(db, &m, &w, NULL, NULL, &e) < 0 || w.nparents != 1)
		die("check", "the scans were not recorded in a box");
	st_close(&db);
}

/* --bare FIFO: a bare ncurses program that shows each FIFO line. */
static int
bare(const char *fifo)
{
	char buf[512];
	int fd = open(fifo, O_RDONLY | O_NONBLOCK);
	int keep = open(fifo, O_WRONLY | O_NONBLOCK);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	initscr();
	noecho();
	mvaddstr(0, 0, "bare ncurses: ready");
	refresh();
	while (fd >= 0 && poll(&p, 1, -1) > 0) {
		if ((n = read(fd, buf, sizeof(buf) - 1)) <= 0)
			continue;
		buf[n] = '\0';
		beep();
		mvaddstr(2, 0, buf);
		clrtoeol();
		refresh();
	}
	endwin();
	close(keep);
	return 0;
}

#define STARTS 7

/* Median of STARTS starts to the first frame, in ms. */
static double
first_frame(char *const argv[], const char *ready)
{
	double t[STARTS], t0;
	struct child c;
	int i;

	for (i = 0; i < STARTS; i++) {
		t0 = now_ms();
		spawn(&c, argv);
		if (!wait_text(&c, ready))
			die(argv[0], "no first frame within 10 s");
		t[i] = now_ms() - t0;
		stop(&c);
	}
	qsort(t, STARTS, sizeof(t[0]), cmp_double);
	return t[STARTS / 2];
}

/* A command key as a person presses it: the console takes a key as a
 * command only with no other key within its wedge gap (50 ms) before it,
 * so wait a little first; pacing, not a measurement. */
static bool
press(struct child *c, const char *key)
{
	struct timespec ts = { 0, 150 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	return write(c->fd, key, 1) == 1;
}

/* Start a program, time its first frame, then its scans. */
static void
measure(char *const argv[], const char *ready, const char *fifo,
	bool sklad, double *first, long *hwm0, long *hwm1, double *p50,
	double *p99)
{
	struct child c;

	*first = first_frame(argv, ready);
	spawn(&c, argv);
	if (!wait_text(&c, ready))
		die(argv[0], "no first frame within 10 s");
	*hwm0 = vmhwm_kb(c.pid);
	if (sklad) {
		/* --user operator: the PIN field has the focus */
		if (write(c.fd, "1234\r", 5) != 5 || !wait_text(&c, "1-9") ||
		    !press(&c, "1") || !wait_text(&c, "No box") ||
		    !press(&c, "n") ||
		    !wait_text(&c, "scan units into it"))
			die("sklad", c.out);
	}
	scans(&c, fifo, sklad, p50, p99);
	*hwm1 = vmhwm_kb(c.pid);
	stop(&c);
}

int
main(int argc, char **argv)
{
	const char *codes = getenv("BENCH_CODES");
	const char *dir = getenv("BENCH_DIR");
	const char *bin = getenv("SKLAD_BIN");
	char db[512], *fifo = fifo_path, self[512];
	double f_s, f_b, s50, s99, b50, b99;
	long n, h0_s, h1_s, h0_b, h1_b;
	ssize_t len;

	if (argc == 3 && strcmp(argv[1], "--bare") == 0)
		return bare(argv[2]);
	run_base = (long)(time(NULL) % 100000000) * 1000;
	n = codes != NULL ? atol(codes) : 10000000;
	dir = dir != NULL ? dir : "/var/tmp";
	bin = bin != NULL ? bin : "build/sklad";
	/* The kept database is only as good as the schema it was made
	 * with: its name carries a digest of the migrations. */
	snprintf(db, sizeof(db), "%s/sklad-bench-console-%ld-%08x.db", dir, n,
		 schema_digest());
	snprintf(fifo, sizeof(fifo_path), "%s/sklad-bench-console-%d.fifo", dir,
		 (int)getpid());
	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		die("readlink", strerror(errno));
	self[len] = '\0';
	printf("bench_console: the console on %ld codes, 80x24 pty\n", n);
	big_db(db, n);
	unlink(fifo);
	if (mkfifo(fifo, 0600) < 0)
		die("mkfifo", strerror(errno));
	{
		char spec[600];
		char *sk[] = { (char *)bin, (char *)"--db", db,
			       (char *)"--scanner", spec, (char *)"--user",
			       (char *)"operator", NULL };
		char *ba[] = { self, (char *)"--bare", fifo, NULL };

		snprintf(spec, sizeof(spec), "fifo:%s", fifo);
		measure(ba, "ready", fifo, false, &f_b, &h0_b, &h1_b, &b50,
			&b99);
		measure(sk, "Type your name", fifo, true, &f_s, &h0_s, &h1_s,
			&s50, &s99);
	}
	unlink(fifo);
	check_recorded(db);
	printf("  (1) first frame, median of %d starts\n", STARTS);
	printf("                    sklad %7.1f ms   bare ncurses %7.1f ms"
	       "   ratio %.1fx  (goal < 100 ms)\n", f_s, f_b, f_s / f_b);
	printf("  (2) VmHWM         sklad %7.1f MB   bare ncurses %7.1f MB"
	       "   (goal < 16 MB)\n", h0_s / 1024.0, h0_b / 1024.0);
	printf("      after %d scans sklad %6.1f MB   bare ncurses %7.1f MB"
	       "\n", SCANS, h1_s / 1024.0, h1_b / 1024.0);
	printf("  (3) scan to screen sklad p50 %6.2f ms p99 %6.2f ms   bare "
	       "echo p50 %5.2f ms p99 %5.2f ms\n", s50, s99, b50, b99);
	printf("      (sklad commits each scan with synchronous=FULL before "
	       "it redraws)\n");
	return 0;
}
