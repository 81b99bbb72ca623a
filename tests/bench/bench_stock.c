/*
 * bench_stock: a site with 100 000 units already in stock (issue 12)
 * loads them from a file (st_stock_load: parse, check, one transaction),
 * beside a bare SQLite baseline: the same rows (code, parent) inserted
 * with one prepared statement in one transaction into a table with a
 * unique index on the code and an index on the parent, WAL and
 * synchronous=FULL like the store. Both times include reading the file.
 * Then shipping one pallet of it by SSCC (open, scan, finish). Then (b2)
 * BENCH_STOCK_GTINS loose units (50 000) each of its own GTIN beside the
 * same count of one GTIN: the ratio should stay near 1 (4.6 s against
 * 0.6 s while GTINs were searched one by one). Figures only, never
 * pass/fail. BENCH_DIR picks the folder (default /var/tmp),
 * BENCH_STOCK_UNITS the size.
 *
 * What it must not do: decide anything, or run inside `make check`.
 */
#define _GNU_SOURCE		/* memrchr */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define UNITS_PER_BOX 100
#define BOXES_PER_PALLET 50

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_stock: %s: %s\n", what, msg);
	exit(1);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *buf;

	if (f == NULL || fstat(fileno(f), &sb) < 0)
		die("open", path);
	buf = malloc((size_t)sb.st_size + 1);
	*len = fread(buf, 1, (size_t)sb.st_size, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* A serial of 13 characters at random, as real ones are. */
static void
random_serial(uint64_t *s, char out[14])
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789";
	int i;

	for (i = 0; i < 13; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		out[i] = abc[*s % (sizeof(abc) - 1)];
	}
	out[13] = '\0';
}

/* The stock file: pallets of boxes of full-scan units, CSV. The first
 * pallet's SSCC into first_pallet. */
static void
write_file(const char *path, long units, char first_pallet[19])
{
	FILE *f = fopen(path, "w");
	char gtin[15] = "0460700000001", pal[19] = "", box[19], serial[14];
	uint64_t seed = 88172645463325252ULL;
	long i, boxes = 0, pallets = 0;

	if (f == NULL)
		die("create", path);
	gtin[13] = (char)('0' + mark_check_digit(gtin, 13));
	gtin[14] = '\0';
	fprintf(f, "code,parent\n");
	for (i = 0; i < units; i++) {
		if (i % ((long)UNITS_PER_BOX * BOXES_PER_PALLET) == 0) {
			mark_sscc_make(2, "4600439", (uint64_t)(500000 +
				       pallets++), pal);
			fprintf(f, "%s,\n", pal);
			if (pallets == 1)
				memcpy(first_pallet, pal, 19);
		}
		if (i % UNITS_PER_BOX == 0) {
			mark_sscc_make(2, "4600439", (uint64_t)(600000 +
				       boxes++), box);
			fprintf(f, "%s,%s\n", box, pal);
		}
		random_serial(&seed, serial);
		fprintf(f, "\"01%s21%s\\x1d93AbCd\",%s\n", gtin, serial, box);
	}
	fclose(f);
}

/* n loose units, CSV, each of its own GTIN when distinct, else all of
 * one. */
static void
write_flat(const char *path, long n, int distinct)
{
	FILE *f = fopen(path, "w");
	uint64_t seed = 1181783497276652981ULL;
	char gtin[15], serial[14];
	long i;

	if (f == NULL)
		die("create", path);
	fprintf(f, "code\n");
	for (i = 0; i < n; i++) {
		snprintf(gtin, sizeof(gtin), "04607%08ld",
			 distinct ? i % 100000000 : 0L);
		gtin[13] = (char)('0' + mark_check_digit(gtin, 13));
		gtin[14] = '\0';
		random_serial(&seed, serial);
		fprintf(f, "\"01%s21%s\\x1d93AbCd\"\n", gtin, serial);
	}
	fclose(f);
}

static void
rm_db(const char *path)
{
	char p[600];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* The store: read the file, load it; the seconds. */
static double
run_store(const char *dir, const char *file, struct st_db **out)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 2, .product_group = "milk",
				.gtin_policy = "any" };
	struct st_stock_result r;
	struct st_actor who;
	char path[512], *data;
	struct err e;
	size_t len;
	double t;

	snprintf(path, sizeof(path), "%s/store.db", dir);
	rm_db(path);
	if (st_open(path, true, out, &e) < 0 ||
	    st_site_init(*out, &site, "boss", "1234", &e) < 0 ||
	    st_login(*out, "boss", "1234", "bench", &who, &e) < 0)
		die("site", e.msg);
	t = now_s();
	data = slurp(file, &len);
	if (st_stock_load(*out, &who, file, data, len, &r, &e) < 0)
		die("load", e.msg);
	t = now_s() - t;
	free(data);
	return t;
}

/* The baseline: the same rows, bare SQLite; the seconds. */
static double
run_sqlite(const char *dir, const char *file)
{
	char path[512], *data, *p, *end;
	sqlite3_stmt *st;
	sqlite3 *h;
	size_t len;
	double t;

	snprintf(path, sizeof(path), "%s/bare.db", dir);
	rm_db(path);
	if (sqlite3_open(path, &h) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE c(id INTEGER PRIMARY KEY, code TEXT"
			 " UNIQUE, parent TEXT); CREATE INDEX c_parent ON"
			 " c(parent);", NULL, NULL, NULL) != SQLITE_OK)
		die("bare", sqlite3_errmsg(h));
	t = now_s();
	data = slurp(file, &len);
	sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(h, "INSERT INTO c(code, parent) VALUES (?1, ?2)",
			   -1, &st, NULL);
	p = strchr(data, '\n') + 1;
	for (; p < data + len; p = end + 1) {
		char *comma;

		end = strchr(p, '\n');
		comma = memrchr(p, ',', (size_t)(end - p));
		sqlite3_bind_text(st, 1, p, (int)(comma - p), SQLITE_STATIC);
		sqlite3_bind_text(st, 2, comma + 1, (int)(end - comma - 1),
				  SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("bare insert", sqlite3_errmsg(h));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("bare commit", sqlite3_errmsg(h));
	t = now_s() - t;
	free(data);
	sqlite3_close(h);
	return t;
}

/* Ship the pallet sscc: open, scan, finish; the seconds, units. */
static double
ship(struct st_db *db, const char *sscc, int *units)
{
	struct st_shipment s;
	struct st_actor who;
	struct mark m;
	struct err e;
	double t;

	if (st_login(db, "boss", "1234", "bench", &who, &e) < 0 ||
	    mark_sscc_check(sscc, strlen(sscc), &m) != 0)
		die("ship", "set-up");
	t = now_s();
	if (st_ship_open(db, &who, "7711111111", "B-1", &s, &e) < 0 ||
	    st_ship_scan(db, &who, s.id, &m, &s, &e) < 0 ||
	    st_ship_finish(db, &who, s.id, &s, &e) < 0)
		die("ship", e.msg);
	*units = s.units;
	return now_s() - t;
}

int
main(void)
{
	const char *base = getenv("BENCH_DIR");
	const char *size = getenv("BENCH_STOCK_UNITS");
	long units = size ? atol(size) : 100000;
	char dir[256], file[300], pal[19], cmd[300];
	struct st_db *db = NULL;
	double ts, tb, tship;
	int shipped = 0;

	snprintf(dir, sizeof(dir), "%s/sklad-stock-XXXXXX",
		 base ? base : "/var/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", dir);
	snprintf(file, sizeof(file), "%s/stock.csv", dir);
	write_file(file, units, pal);
	tb = run_sqlite(dir, file);
	ts = run_store(dir, file, &db);
	tship = ship(db, pal, &shipped);
	printf("stock load %ld units (boxes of %d, pallets of %d boxes, "
	       "CSV): store %.3f s (%.0f units/s), bare sqlite insert %.3f s;"
	       " %.2fx the baseline's time\n", units, UNITS_PER_BOX,
	       BOXES_PER_PALLET, ts, (double)units / ts, tb, ts / tb);
	printf("  then ship one loaded pallet by SSCC (%d units): %.3f s\n",
	       shipped, tship);
	st_close(&db);

	units = getenv("BENCH_STOCK_GTINS") ? atol(getenv("BENCH_STOCK_GTINS"))
		: 50000;
	write_flat(file, units, 1);
	ts = run_store(dir, file, &db);
	st_close(&db);
	write_flat(file, units, 0);
	tb = run_store(dir, file, &db);
	st_close(&db);
	printf("(b2) stock load %ld units of as many GTINs: %.3f s; the same "
	       "count of one GTIN %.3f s: %.2fx (each new GTIN is a row of its "
	       "own; before the GTIN table 50 000 took 4.6 s against 0.6 s)\n",
	       units, ts, tb, ts / tb);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
