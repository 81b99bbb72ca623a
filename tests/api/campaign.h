/*
 * campaign: a fault campaign against `sklad sync`, as a site runs it.
 *
 * A furs site (every document type is sent there) makes documents with
 * dependencies through the real store operations: boxes, a pallet of an
 * earlier box, a unit taken out of a reported box and packed again, the
 * box disbanded, the pallet shipped. Then the real binary is run again
 * and again, as the nightly timer would, while the emulator meets
 * requests with random faults of every family the reference names: a
 * connection dropped before or after the server recorded a create, 500
 * and 429 (Retry-After) on create, 503 on status reads and on the
 * document list, slow answers, and runs killed with SIGKILL at a random
 * moment; besides, the emulator itself answers 404 for the first reads
 * of every fresh document and refuses a document whose codes are not yet
 * registered (processing order). The campaign ends when a run exits 0.
 *
 * What it checks (cmp_check): every document accepted exactly once (the
 * server holds as many documents as the outbox, none refused), none
 * lost or left waiting, and no run exited 0 while a document needed a
 * person or was still open; runs that were not killed exit 0 or 75 only.
 *
 * Used by tests/unit/test_sy_campaign.c (short) and
 * tests/bench/bench_campaign.c (long, with documents per second). Needs
 * a started emulator (emu.h) and SKLAD_BIN.
 */
#ifndef SKLAD_TESTS_CAMPAIGN_H
#define SKLAD_TESTS_CAMPAIGN_H

#include "tests/api/emu.h"

#include <signal.h>
#include <sqlite3.h>

#include "store/store.h"

struct cmp {
	struct emu *emu;
	char dir[128], db[192], conf[192], out[192], errf[192];
	struct st_db *st;
	struct st_actor admin;
	int serial;		/* next unit serial */
	unsigned seed;		/* the random faults' */
	/* results */
	int docs;		/* documents made */
	int runs, killed, faults;
	int bad_exit;		/* runs (not killed) exiting neither 0 nor
				 * 75, or 0 with work left */
	int64_t ms;		/* wall time of all the runs */
	char why[1024];		/* the first broken promise, for a message */
};

static unsigned
cmp_rand(struct cmp *c, unsigned n)
{
	c->seed = c->seed * 1103515245u + 12345u;
	return (c->seed >> 8) % n;
}

static void
cmp_die(const char *what, const char *msg)
{
	fprintf(stderr, "campaign: %s: %s\n", what, msg);
	abort();
}

/* Set up a furs site in a fresh folder, with a sync configuration for
 * the emulator emu; seed makes the faults. */
static void
cmp_open(struct cmp *c, struct emu *emu, unsigned seed)
{
	struct st_site site = { .gcp = "4600439", .extension = 1,
				.product_group = "furs",
				.require_crypto = true, .gtin_policy = "any" };
	struct err e;

	memset(c, 0, sizeof(*c));
	c->emu = emu;
	c->seed = seed;
	c->serial = 1;
	snprintf(site.inn, sizeof(site.inn), "%s", emu->inn);
	snprintf(c->dir, sizeof(c->dir), "%s/sklad-cmp-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(c->dir) == NULL)
		cmp_die("mkdtemp", c->dir);
	snprintf(c->db, sizeof(c->db), "%s/t.db", c->dir);
	snprintf(c->conf, sizeof(c->conf), "%s/sync.conf", c->dir);
	snprintf(c->out, sizeof(c->out), "%s/out.txt", c->dir);
	snprintf(c->errf, sizeof(c->errf), "%s/err.txt", c->dir);
	/* a short timeout makes "slow" (3 s) a lost answer; settle_ms must
	 * outlast the slowest the server may still process a request it
	 * got (here 3 s), as the 10 minutes of a real site do, or the
	 * campaign rightly finds a document sent twice */
	emu_write_conf(emu, c->conf, NULL, NULL, c->dir,
		       "max_attempts = 2\ntimeout_seconds = 2\n",
		       "[sync]\npoll_initial_ms = 200\npoll_max_ms = 500\n"
		       "settle_ms = 6000\nretry_ms = 1000\n");
	if (st_open(c->db, true, &c->st, &e) != 0 ||
	    st_site_init(c->st, &site, "boss", "1234", &e) != 0 ||
	    st_login(c->st, "boss", "1234", "t1", &c->admin, &e) != 0)
		cmp_die("site", e.msg);
}

static void
cmp_close(struct cmp *c)
{
	st_close(&c->st);
	nftw(c->dir, emu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static struct mark
cmp_unit(struct cmp *c, char *code, size_t size)
{
	int cd = mark_check_digit("0460043993125", 13);
	struct mark m;

	snprintf(code, size, "01%s%d21C%05dABCDEFG\x1d" "93AbCd",
		 "0460043993125", cd, c->serial++);
	if (mark_parse(code, strlen(code), &m) != 0)
		cmp_die("code", code);
	return m;
}

static void
cmp_scan(struct cmp *c, const char *into, const struct mark *m,
	 const char *text)
{
	struct st_pack p;
	struct err e;

	if (st_pack_scan(c->st, &c->admin, into, m, text, strlen(text), &p,
			 &e) != 0)
		cmp_die("scan", e.msg);
}

/* A closed box of n new units; its SSCC into sscc, last unit into *m. */
static void
cmp_box(struct cmp *c, int n, char sscc[32], struct mark *last)
{
	struct st_pack p;
	char code[96];
	struct mark m;
	struct err e;
	int i;

	if (st_pack_open(c->st, &c->admin, ST_BOX, NULL, NULL, NULL, &p, &e))
		cmp_die("open", e.msg);
	snprintf(sscc, 32, "%s", p.sscc);
	for (i = 0; i < n; i++) {
		m = cmp_unit(c, code, sizeof(code));
		cmp_scan(c, sscc, &m, code);
	}
	if (last)
		*last = m;
	if (st_pack_close(c->st, &c->admin, sscc, &p, &e) != 0)
		cmp_die("close", e.msg);
}

static struct mark
cmp_sscc(const char *sscc)
{
	struct mark m;

	if (mark_sscc_check(sscc, strlen(sscc), &m) != 0)
		cmp_die("sscc", sscc);
	return m;
}

/*
 * One story of seven documents that wait for each other: boxes A and B;
 * pallet P with A on it (waits for A); a unit taken out of B (waits for
 * B); B disbanded (waits for the take); box C with the taken unit (waits
 * for the take); P and C shipped (waits for P and C).
 */
static void
cmp_story(struct cmp *c, int k)
{
	char a[32], b[32], pal[32], box_c[32], num[32];
	struct st_shipment s;
	struct st_pack p;
	struct mark last, m;
	struct err e;

	cmp_box(c, 2, a, NULL);
	cmp_box(c, 2, b, &last);
	if (st_pack_open(c->st, &c->admin, ST_PALLET, NULL, NULL, NULL, &p,
			 &e))
		cmp_die("pallet", e.msg);
	snprintf(pal, sizeof(pal), "%s", p.sscc);
	m = cmp_sscc(a);
	cmp_scan(c, pal, &m, a);
	if (st_pack_close(c->st, &c->admin, pal, &p, &e) != 0 ||
	    st_pack_take(c->st, &c->admin, b, &last, &p, &e) != 0 ||
	    st_pack_disband(c->st, &c->admin, b, &p, &e) != 0 ||
	    st_pack_open(c->st, &c->admin, ST_BOX, NULL, NULL, NULL, &p, &e))
		cmp_die("pack", e.msg);
	snprintf(box_c, sizeof(box_c), "%s", p.sscc);
	cmp_scan(c, box_c, &last, last.cis);
	if (st_pack_close(c->st, &c->admin, box_c, &p, &e) != 0)
		cmp_die("close", e.msg);
	snprintf(num, sizeof(num), "S-%d", k);
	if (st_ship_open(c->st, &c->admin, "7711111111", num, &s, &e) != 0)
		cmp_die("ship", e.msg);
	m = cmp_sscc(pal);
	if (st_ship_scan(c->st, &c->admin, s.id, &m, &s, &e) != 0)
		cmp_die("ship scan", e.msg);
	m = cmp_sscc(box_c);
	if (st_ship_scan(c->st, &c->admin, s.id, &m, &s, &e) != 0 ||
	    st_ship_finish(c->st, &c->admin, s.id, &s, &e) != 0)
		cmp_die("ship", e.msg);
	c->docs += 7;
}

static int64_t
cmp_sql(struct cmp *c, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_open(c->db, &h) != SQLITE_OK)
		cmp_die("sqlite", c->db);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		cmp_die(sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The end of the last run's log, for a message. */
static const char *
cmp_tail(struct cmp *c)
{
	const char *log = emu_slurp(c->errf);
	size_t n = strlen(log);

	return n > 380 ? log + n - 380 : log;
}

/* Queue one fault of a random family on the emulator. */
static void
cmp_fault(struct cmp *c)
{
	static const char *const kinds[] = {
		"{\"cmd\":\"fault\",\"path\":\"/lk/documents/create\","
		"\"kind\":\"drop_after\"}",
		"{\"cmd\":\"fault\",\"path\":\"/lk/documents/create\","
		"\"kind\":\"drop\"}",
		"{\"cmd\":\"fault\",\"path\":\"/lk/documents/create\","
		"\"kind\":\"status\",\"status\":500,\"body\":\"oops\"}",
		"{\"cmd\":\"fault\",\"path\":\"/lk/documents/create\","
		"\"kind\":\"status\",\"status\":429,\"body\":\"slow down\","
		"\"headers\":{\"Retry-After\":\"1\"}}",
		"{\"cmd\":\"fault\",\"path\":\"/info\",\"kind\":\"status\","
		"\"status\":503,\"body\":\"busy\",\"count\":2}",
		"{\"cmd\":\"fault\",\"path\":\"/doc/list\",\"kind\":\"status\","
		"\"status\":503,\"body\":\"busy\"}",
		"{\"cmd\":\"fault\",\"path\":\"/lk/documents/create\","
		"\"kind\":\"slow\",\"delay\":3}",
		"{\"cmd\":\"fault\",\"path\":\"/info\",\"kind\":\"drop\"}",
	};

	if (!emu_ok(c->emu, kinds[cmp_rand(c, sizeof(kinds) /
					   sizeof(kinds[0]))]))
		cmp_die("emulator", "a fault was not taken");
	c->faults++;
}

/* Run `sklad sync --max-seconds secs`; kill_ms > 0 kills it then.
 * Returns its exit status, or -1 if it was killed. */
static int
cmp_sync(struct cmp *c, int secs, int kill_ms)
{
	const char *bin = getenv("SKLAD_BIN");
	char s[16];
	pid_t pid;
	int st;

	if (bin == NULL)
		cmp_die("SKLAD_BIN", "not set");
	snprintf(s, sizeof(s), "%d", secs);
	pid = fork();
	if (pid < 0)
		cmp_die("fork", strerror(errno));
	if (pid == 0) {
		int fd = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		fd = open(c->errf, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 2);
		execl(bin, bin, "sync", "--db", c->db, "--config", c->conf,
		      "--max-seconds", s, (char *)NULL);
		_exit(127);
	}
	if (kill_ms > 0) {
		usleep((useconds_t)kill_ms * 1000);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &st, 0) != pid)
		cmp_die("waitpid", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Run sync until a run exits 0 (at most max_runs runs), with 1 to
 * faults_per_run random faults queued before each run and every third
 * run, the first among them, killed at a random moment when kills is
 * set. Fills the results.
 */
static void
cmp_run(struct cmp *c, int max_runs, int faults_per_run, int kills,
	int secs)
{
	int64_t t0 = emu_now_ms();
	int i, k, rc;

	st_close(&c->st);	/* the batch is the only writer now */
	for (i = 0; i < max_runs; i++) {
		int kill_ms = kills && i % 3 == 0 ? 200 + (int)cmp_rand(c, 1500)
			: 0;

		for (k = faults_per_run > 0 ?
			     1 + (int)cmp_rand(c, (unsigned)faults_per_run) : 0;
		     k > 0; k--)
			cmp_fault(c);
		rc = cmp_sync(c, secs, kill_ms);
		c->runs++;
		if (rc == -1) {
			c->killed++;
			continue;
		}
		if (rc == 0 && (cmp_sql(c, "SELECT count(*) FROM outbox WHERE"
					" state <> 'confirmed'") != 0)) {
			c->bad_exit++;
			snprintf(c->why, sizeof(c->why), "run %d exited 0 with "
				 "documents not confirmed", i + 1);
		} else if (rc != 0 && rc != 75) {
			c->bad_exit++;
			snprintf(c->why, sizeof(c->why), "run %d exited %d: "
				 "%s", i + 1, rc, cmp_tail(c));
		}
		if (rc == 0 || rc == 1)
			break;
		usleep(300000);	/* the next run comes a little later */
	}
	c->ms = emu_now_ms() - t0;
}

/* 0 if every promise held, else -1 with c->why set. */
static int
cmp_check(struct cmp *c)
{
	json_t *r = emu_cmd(c->emu, "{\"cmd\":\"state\"}");
	json_t *docs = json_object_get(r, "docs");
	int64_t open = cmp_sql(c, "SELECT count(*) FROM outbox WHERE state"
			       " <> 'confirmed'");
	int64_t all = cmp_sql(c, "SELECT count(*) FROM outbox");
	size_t i, ours = 0, refused = 0;

	for (i = 0; i < json_array_size(docs); i++) {
		json_t *d = json_array_get(docs, i);
		const char *st = json_string_value(json_object_get(d,
								   "status"));

		if (json_is_true(json_object_get(d, "input")))
			continue;
		ours++;
		if (st == NULL || (strcmp(st, "CHECKED_OK") != 0 &&
				   strcmp(st, "WAIT_ACCEPTANCE") != 0))
			refused++;
	}
	json_decref(r);
	if (c->bad_exit)
		return -1;
	if (all != c->docs)
		snprintf(c->why, sizeof(c->why), "%lld documents made, %d "
			 "expected", (long long)all, c->docs);
	else if (open != 0)
		snprintf(c->why, sizeof(c->why), "%lld of %lld documents not "
			 "confirmed after %d runs; the last run said: %.300s",
			 (long long)open, (long long)all, c->runs,
			 cmp_tail(c));
	else if ((int64_t)ours != all)
		snprintf(c->why, sizeof(c->why), "the server holds %zu "
			 "documents for %lld sent: %s", ours, (long long)all,
			 ours > (size_t)all ? "one was sent twice" :
			 "one is lost");
	else if (refused)
		snprintf(c->why, sizeof(c->why), "the server refused %zu "
			 "documents (sent before what they wait for?)",
			 refused);
	else
		return 0;
	return -1;
}

#endif
