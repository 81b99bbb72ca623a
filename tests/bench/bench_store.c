/*
 * bench_store: the store's figures beside their baselines, same run,
 * same file system.
 *
 *  (a) scan commit latency, p50/p99, into an open box of a database that
 *      already holds N codes, beside a bare one-row fsync'd SQLite commit
 *      (WAL, synchronous=FULL) on the same file system;
 *  (c) `where` lookup latency p99 at N codes (parents and history);
 *  (d) bytes on disk per stored code at N codes, everything a scan leaves
 *      behind included (code row, indexes, pack rows, audit record).
 *
 * The N codes are laid down in bulk as the store would have them (units in
 * closed boxes of 100, one audit record per unit), then the database is
 * opened the normal way for measuring. N defaults to 1 and 10 million;
 * BENCH_CODES=200000 for a quick run. Figures only, never pass/fail.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "tests/bench/bulk.h"

#define SAMPLES 2000

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
percentiles(double *v, int n, double *p50, double *p99)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	*p50 = v[n / 2];
	*p99 = v[(n * 99) / 100];
}

static long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/*
 * (a) and its baseline, interleaved sample by sample so that whatever
 * else the machine does falls on both alike: a scan into an open box of
 * the big database, then a one-row commit into a bare WAL database with
 * synchronous=FULL on the same file system.
 */
static void
commit_latency(const char *dir, struct st_db *db, const struct st_actor *who,
	       long n, double *s50, double *s99, double *b50, double *b99)
{
	static double scan[SAMPLES], bare[SAMPLES];
	struct st_pack_opts o = { .capacity = 0, .require_crypto = -1 };
	int i, cd = mark_check_digit("0460043993125", 13);
	struct st_pack box, p;
	sqlite3_stmt *ins;
	char code[96], path[512];
	struct err e;
	struct mark m;
	sqlite3 *h;

	snprintf(path, sizeof(path), "%s/bare.db", dir);
	unlink(path);
	sqlite3_open(path, &h);
	bulk_exec(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		 "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
	sqlite3_prepare_v2(h, "INSERT INTO t(v) VALUES (?1)", -1, &ins, NULL);
	if (st_pack_open(db, who, ST_BOX, NULL, NULL, &o, &box, &e) < 0)
		bulk_die("box open", e.msg);
	for (i = 0; i < SAMPLES; i++) {
		double t0;

		snprintf(code, sizeof(code), "010460043993125%d21N%012ld"
			 "\x1d" "93AbCd", cd, n + i);
		mark_parse(code, strlen(code), &m);
		t0 = now_us();
		if (st_pack_scan(db, who, box.sscc, &m, code, strlen(code), &p,
				 &e) < 0)
			bulk_die("scan", e.msg);
		scan[i] = now_us() - t0;
		t0 = now_us();
		bulk_exec(h, "BEGIN IMMEDIATE");
		sqlite3_bind_text(ins, 1, code, -1, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		bulk_exec(h, "COMMIT");
		bare[i] = now_us() - t0;
	}
	sqlite3_finalize(ins);
	sqlite3_close(h);
	unlink(path);
	percentiles(scan, SAMPLES, s50, s99);
	percentiles(bare, SAMPLES, b50, b99);
}

static int
ignore_event(void *arg, const struct st_event *ev)
{
	(void)ev;
	(*(int *)arg)++;
	return 0;
}

static void
where_latency(struct st_db *db, long n, double *p50, double *p99)
{
	static double lat[SAMPLES];
	struct st_where w;
	struct err e;
	struct mark m;
	char serial[24], code[64];
	int i, events = 0, cd = mark_check_digit("0460043993125", 13);
	unsigned seed = 42;

	for (i = 0; i < SAMPLES; i++) {
		double t0;

		bulk_serial((long)(rand_r(&seed) % n), serial);
		snprintf(code, sizeof(code), "010460043993125%d21%s", cd,
			 serial);
		mark_parse(code, strlen(code), &m);
		t0 = now_us();
		if (st_where(db, &m, &w, ignore_event, &events, &e) < 0)
			bulk_die("where", e.msg);
		lat[i] = now_us() - t0;
		if (w.nparents != 1)
			bulk_die("where", "a bulk unit must be in its box");
	}
	percentiles(lat, SAMPLES, p50, p99);
}

static void
one_size(const char *dir, long n)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .product_group = "milk",
				.require_crypto = true, .gtin_policy = "any" };
	double s50, s99, b50, b99, w50, w99, t0;
	struct st_actor who;
	struct st_db *db;
	struct err e;
	char path[512], wal[520];
	long bytes;

	snprintf(path, sizeof(path), "%s/store.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(path);
	unlink(wal);
	if (st_open(path, true, &db, &e) < 0 ||
	    st_site_init(db, &site, "bench", "1234", &e) < 0)
		bulk_die("init", e.msg);
	st_close(&db);
	printf("bench_store: %ld codes already stored\n", n);
	t0 = now_us();
	bulk_fill(path, n);
	printf("  (laid down %ld codes in %.1f s)\n", n, (now_us() - t0) / 1e6);
	bytes = file_size(path) + file_size(wal);
	if (st_open(path, false, &db, &e) < 0 ||
	    st_login(db, "bench", "1234", "bench", &who, &e) < 0)
		bulk_die("open", e.msg);
	where_latency(db, n, &w50, &w99);
	commit_latency(dir, db, &who, n, &s50, &s99, &b50, &b99);
	st_close(&db);
	printf("  (a) scan commit    p50 %7.0f us  p99 %7.0f us\n", s50, s99);
	printf("      bare commit    p50 %7.0f us  p99 %7.0f us   "
	       "ratio p50 %.2fx  p99 %.2fx  (goal <= 1.3x)\n", b50, b99,
	       s50 / b50, s99 / b99);
	printf("  (c) where lookup   p50 %7.1f us  p99 %7.1f us   "
	       "(goal p99 < 1000 us)\n", w50, w99);
	printf("  (d) bytes per code %7.1f  (%ld bytes / %ld codes; goal "
	       "<= 150)\n", (double)bytes / (double)n, bytes, n);
	unlink(path);
	unlink(wal);
}

int
main(void)
{
	const char *sizes = getenv("BENCH_CODES");
	const char *base = getenv("BENCH_DIR");
	char dir[256], list[256], *save, *t;

	/* A disk-backed folder by default: fsync must cost what it costs. */
	snprintf(dir, sizeof(dir), "%s/sklad-bench-XXXXXX",
		 base != NULL ? base : "/var/tmp");
	if (mkdtemp(dir) == NULL)
		bulk_die("mkdtemp", dir);
	snprintf(list, sizeof(list), "%s",
		 sizes != NULL ? sizes : "1000000,10000000");
	for (t = strtok_r(list, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save))
		one_size(dir, atol(t));
	rmdir(dir);
	return 0;
}
