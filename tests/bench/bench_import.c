/*
 * bench_import: importing a 300 000-code delivery (issue 3, bench (b)),
 * beside the sqlite3 shell's .import of the same codes into an equally
 * indexed table, same file system, same journal settings, several runs.
 *
 * The delivery is pallets of boxes of units, as a plain list (indented),
 * every unit a full scan with its crypto tail and a random serial. The
 * baseline gets the same codes as CSV (code, parent SSCC) into a table
 * with a unique index on the code and an index on the parent, WAL and
 * synchronous=FULL like the store. Both times include reading the file
 * (the shell's also its start). Also shown, from the last run: accepting
 * it pallet by pallet (each scan counts ~1000 codes) and finishing.
 * And the same delivery as a supplier's УПД (windows-1251, pallets and
 * boxes under @ИдентТрансУпак, units as КИЗ without crypto tail) through
 * the same import, beside the plain list and the shell.
 * Figures only, never pass/fail. BENCH_DIR picks the folder (default
 * /var/tmp), BENCH_IMPORT_CODES the size, BENCH_RUNS the runs.
 * Then (b2): BENCH_GTIN_CODES codes (200 000) of as many distinct GTINs
 * beside the same count of one GTIN.
 *
 * What it must not do: decide anything, or run inside `make check`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define BOXES_PER_PALLET 20
#define UNITS_PER_BOX 48

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
	fprintf(stderr, "bench_import: %s: %s\n", what, msg);
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* GTIN number g (0..9) with its check digit. */
static void
gtin(int g, char out[15])
{
	snprintf(out, 15, "046070000%04d", g);
	out[13] = (char)('0' + mark_check_digit(out, 13));
	out[14] = '\0';
}

/* A serial of 13 characters drawn at random, as real ones are: the
 * indexes then see inserts all over, not appends. */
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

/* Write the list and the CSV of a delivery of about n codes; the SSCCs
 * of the pallets into pallets (caller frees), their number in *np. */
static void
generate(const char *list, const char *csv, const char *upd, long n,
	 char (**pallets)[MARK_SSCC_LEN + 1], int *np)
{
	FILE *l = fopen(list, "w"), *c = fopen(csv, "w"), *x = fopen(upd, "w");
	char g[10][15], pal[MARK_SSCC_LEN + 1], box[MARK_SSCC_LEN + 1];
	long codes = 0, serial = 0, sscc = 1;
	uint64_t rng = 88172645463325252ULL;
	char ser[14];
	int i, b, u, cap = 16;

	if (l == NULL || c == NULL || x == NULL)
		die("create", list);
	/* what a list must say of its transfer document (delivery.c) */
	fprintf(l, "# sender_inn: 7711111111\n# number: B-1\n"
		"# date: 2026-12-01\n");
	fprintf(x, "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"
		"<Файл ИдФайл=\"ON_NSCHFDOPPR_a_b_20261201_bench\" "
		"ВерсФорм=\"5.03\"><Документ КНД=\"1115131\" "
		"Функция=\"СЧФДОП\"><СвСчФакт НомерДок=\"B-1\" "
		"ДатаДок=\"01.12.2026\"><СвПрод><ИдСв><СвЮЛУч "
		"ИННЮЛ=\"7711111111\"/></ИдСв></СвПрод><СвПокуп><ИдСв>"
		"<СвЮЛУч ИННЮЛ=\"7700000000\"/></ИдСв></СвПокуп></СвСчФакт>"
		"<ТаблСчФакт><СведТов НомСтр=\"1\" НаимТов=\"Товар\" "
		"КолТов=\"%ld\"><ДопСведТов>\n", n);
	for (i = 0; i < 10; i++)
		gtin(i, g[i]);
	/* what a plain list must carry since the acceptance needs it */
	fprintf(l, "# sender_inn: 7711111111\n# number: B-1\n"
		"# date: 2026-11-30\n");
	*np = 0;
	*pallets = malloc((size_t)cap * sizeof(**pallets));
	while (codes < n) {
		mark_sscc_make(0, "4607000", (uint64_t)sscc++, pal);
		fprintf(l, "%s\n", pal);
		fprintf(c, "%s,\n", pal);
		if (*np == cap)
			*pallets = realloc(*pallets, (size_t)(cap *= 2) *
					   sizeof(**pallets));
		memcpy((*pallets)[(*np)++], pal, sizeof(pal));
		codes++;
		fprintf(x, "<НомСредИдентТов><НомУпак>%s</НомУпак>"
			"</НомСредИдентТов>\n", pal);
		for (b = 0; b < BOXES_PER_PALLET && codes < n; b++) {
			mark_sscc_make(0, "4607000", (uint64_t)sscc++, box);
			fprintf(l, "\t%s\n", box);
			fprintf(c, "%s,%s\n", box, pal);
			codes++;
			fprintf(x, "<НомСредИдентТов ИдентТрансУпак=\"%s\">"
				"<НомУпак>%s</НомУпак></НомСредИдентТов>\n"
				"<НомСредИдентТов ИдентТрансУпак=\"%s\">", pal,
				box, box);
			for (u = 0; u < UNITS_PER_BOX && codes < n; u++) {
				char code[64];

				random_serial(&rng, ser);
				snprintf(code, sizeof(code),
					 "01%s21%s\x1d" "93%04lX",
					 g[serial % 10], ser,
					 (serial * 7919) & 0xffff);
				serial++;
				fprintf(l, "\t\t%s\n", code);
				fprintf(c, "%s,%s\n", code, box);
				fprintf(x, "<КИЗ>01%s21%s</КИЗ>",
					g[(serial - 1) % 10], ser);
				codes++;
			}
			fprintf(x, "</НомСредИдентТов>\n");
		}
	}
	fprintf(x, "</ДопСведТов></СведТов></ТаблСчФакт></Документ>"
		"</Файл>\n");
	if (fclose(l) != 0 || fclose(c) != 0 || fclose(x) != 0)
		die("write", list);
	{
		char cmd[1400];

		snprintf(cmd, sizeof(cmd), "iconv -f UTF-8 -t WINDOWS-1251 "
			 "'%s' > '%s.cp' && mv '%s.cp' '%s'", upd, upd, upd,
			 upd);
		if (system(cmd) != 0)
			die("iconv", upd);
	}
}

/* A flat list of n units (with the header lines), each of its own GTIN
 * when distinct, else all of one GTIN. */
static void
generate_flat(const char *list, long n, int distinct)
{
	FILE *l = fopen(list, "w");
	uint64_t rng = 88172645463325252ULL;
	char g[15], ser[14];
	long i;

	if (l == NULL)
		die("create", list);
	fprintf(l, "# sender_inn: 7711111111\n# number: G-%d\n"
		"# date: 2026-11-30\n", distinct);
	for (i = 0; i < n; i++) {
		snprintf(g, sizeof(g), "04607%08d", (int)((distinct ? i : 0L) % 100000000));
		g[13] = (char)('0' + mark_check_digit(g, 13));
		g[14] = '\0';
		random_serial(&rng, ser);
		fprintf(l, "01%s21%s\x1d" "93%04lX\n", g, ser,
			(i * 7919) & 0xffff);
	}
	if (fclose(l) != 0)
		die("write", list);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct stat sb;
	char *buf;

	if (fp == NULL || fstat(fileno(fp), &sb) != 0)
		die("open", path);
	buf = malloc((size_t)sb.st_size + 1);
	*len = fread(buf, 1, (size_t)sb.st_size, fp);
	fclose(fp);
	return buf;
}

static void
rm_db(const char *path)
{
	char p[320];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* One import through the store; seconds. Leaves the database open in
 * *keep (if non-NULL) with the delivery id in *id. */
static double
run_store(const char *dir, const char *list, struct st_db **keep,
	  struct st_actor *who, int64_t *id)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .product_group = "milk",
				.gtin_policy = "any" };
	char path[300];
	struct st_delivery d;
	struct st_actor me;
	struct st_db *db;
	struct err e;
	double t0, t;
	size_t len;
	char *data;

	snprintf(path, sizeof(path), "%s/store.db", dir);
	rm_db(path);
	if (st_open(path, true, &db, &e) < 0 ||
	    st_site_init(db, &site, "admin", "1234", &e) < 0 ||
	    st_login(db, "admin", "1234", "bench", &me, &e) < 0)
		die("store", e.msg);
	t0 = now_s();
	data = slurp(list, &len);
	if (st_delivery_import(db, &me, "bench.txt", data, len, &d, &e) < 0)
		die("import", e.msg);
	t = now_s() - t0;
	free(data);
	if (keep != NULL) {
		*keep = db;
		*who = me;
		*id = d.id;
	} else {
		st_close(&db);
	}
	return t;
}

/*
 * Issue 13: import time must not grow with the square of the number of
 * distinct GTINs. n codes each of its own GTIN beside n codes of one
 * GTIN, same file sizes; the ratio should stay near 1.
 */
static void
run_gtins(const char *dir, long n)
{
	char list[300];
	double one, many;

	snprintf(list, sizeof(list), "%s/gtins.txt", dir);
	generate_flat(list, n, 0);
	one = run_store(dir, list, NULL, NULL, NULL);
	generate_flat(list, n, 1);
	many = run_store(dir, list, NULL, NULL, NULL);
	unlink(list);
	printf("(b2) import %ld codes of %ld distinct GTINs: %.3f s; the same "
	       "count of one GTIN %.3f s: %.2fx (goal near 1.0; 59 s before "
	       "issue 13)\n", n, n, many, one, many / one);
}

/* One .import by the sqlite3 shell; seconds, or -1 without a shell. */
static double
run_shell(const char *dir, const char *csv)
{
	char path[300], script[300], cmd[1024];
	FILE *fp;
	double t0;

	snprintf(path, sizeof(path), "%s/shell.db", dir);
	snprintf(script, sizeof(script), "%s/import.sql", dir);
	rm_db(path);
	if ((fp = fopen(script, "w")) == NULL)
		die("create", script);
	fprintf(fp, "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
		"CREATE TABLE items(code TEXT NOT NULL, parent TEXT);\n"
		"CREATE UNIQUE INDEX items_code ON items(code);\n"
		"CREATE INDEX items_parent ON items(parent)"
		" WHERE parent <> '';\n"
		".import --csv %s items\n", csv);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "sqlite3 -batch '%s' < '%s' > /dev/null",
		 path, script);
	t0 = now_s();
	if (system(cmd) != 0)
		return -1;
	return now_s() - t0;
}

/* Accept the delivery pallet by pallet, then finish; print figures. */
static void
accept_all(struct st_db *db, const struct st_actor *who, int64_t id,
	   char (*pallets)[MARK_SSCC_LEN + 1], int np)
{
	struct st_accept_progress p;
	double *t = malloc((size_t)np * sizeof(*t)), t0;
	struct err e;
	int i;

	if (st_accept_open(db, who, id, &p, &e) < 0)
		die("accept open", e.msg);
	for (i = 0; i < np; i++) {
		struct mark m;

		mark_sscc_check(pallets[i], MARK_SSCC_LEN, &m);
		t0 = now_s();
		if (st_accept_scan(db, who, id, &m, &p, &e) < 0)
			die("accept scan", e.msg);
		t[i] = now_s() - t0;
	}
	t0 = now_s();
	if (st_accept_finish(db, who, id, false, &p, &e) < 0)
		die("accept finish", e.msg);
	t0 = now_s() - t0;
	qsort(t, (size_t)np, sizeof(*t), cmp_double);
	printf("  accept: %d pallet scans of ~%d codes each, p50 %.1f ms, "
	       "max %.1f ms; finish (LP_ACCEPT_GOODS + %d codes into stock) "
	       "%.2f s\n", np, 1 + BOXES_PER_PALLET * (1 + UNITS_PER_BOX),
	       t[np / 2] * 1e3, t[np - 1] * 1e3, p.matched, t0);
	free(t);
}

int
main(void)
{
	const char *base = getenv("BENCH_DIR");
	const char *size = getenv("BENCH_IMPORT_CODES");
	const char *nruns = getenv("BENCH_RUNS");
	const char *gsize = getenv("BENCH_GTIN_CODES");
	long n = size != NULL ? atol(size) : 300000;
	long gn = gsize != NULL ? atol(gsize) : 200000;
	int runs = nruns != NULL ? atoi(nruns) : 3, i, np;
	char dir[256], list[300], csv[300], upd[300], path[300];
	char (*pallets)[MARK_SSCC_LEN + 1];
	double *ts, *tb, *tu, ms, mb, mu;
	struct st_actor who;
	struct st_db *db = NULL;
	int64_t id = 0;

	if (runs < 1)
		runs = 1;
	snprintf(dir, sizeof(dir), "%s/sklad-import-XXXXXX",
		 base != NULL ? base : "/var/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", dir);
	snprintf(list, sizeof(list), "%s/delivery.txt", dir);
	snprintf(csv, sizeof(csv), "%s/delivery.csv", dir);
	snprintf(upd, sizeof(upd), "%s/delivery.xml", dir);
	generate(list, csv, upd, n, &pallets, &np);
	ts = calloc((size_t)runs, sizeof(*ts));
	tb = calloc((size_t)runs, sizeof(*tb));
	tu = calloc((size_t)runs, sizeof(*tu));
	/* Alternate, so that neither side always runs on a warm cache. */
	for (i = 0; i < runs; i++) {
		tb[i] = run_shell(dir, csv);
		tu[i] = run_store(dir, upd, NULL, &who, &id);
		ts[i] = run_store(dir, list, i == runs - 1 ? &db : NULL, &who,
				  &id);
		printf("  run %d: store %.3f s, УПД %.3f s, sqlite3 .import "
		       "%.3f s\n", i + 1, ts[i], tu[i], tb[i]);
	}
	qsort(ts, (size_t)runs, sizeof(*ts), cmp_double);
	qsort(tb, (size_t)runs, sizeof(*tb), cmp_double);
	qsort(tu, (size_t)runs, sizeof(*tu), cmp_double);
	ms = ts[runs / 2];
	mb = tb[runs / 2];
	mu = tu[runs / 2];
	if (mb > 0)
		printf("(b) import %ld codes: store %.3f s (%.0f codes/s), "
		       "sqlite3 .import %.3f s; speed %.2fx the baseline "
		       "(goal >= 1.0), medians of %d runs in %s\n", n, ms,
		       (double)n / ms, mb, mb / ms, runs, dir);
	else
		printf("(b) import %ld codes: store %.3f s; no sqlite3 shell "
		       "for the baseline\n", n, ms);
	if (mb > 0)
		printf("(b2) import %ld codes as a УПД (windows-1251, "
		       "libxml2): %.3f s (%.0f codes/s), the plain list %.3f s, "
		       "sqlite3 .import %.3f s; speed %.2fx the baseline, "
		       "%.2fx the plain list\n", n, mu, (double)n / mu, ms, mb,
		       mb / mu, ms / mu);
	accept_all(db, &who, id, pallets, np);
	st_close(&db);
	run_gtins(dir, gn);
	snprintf(path, sizeof(path), "%s/store.db", dir);
	rm_db(path);
	snprintf(path, sizeof(path), "%s/shell.db", dir);
	rm_db(path);
	snprintf(path, sizeof(path), "%s/import.sql", dir);
	unlink(path);
	unlink(list);
	unlink(csv);
	unlink(upd);
	rmdir(dir);
	free(pallets);
	free(ts);
	free(tb);
	free(tu);
	return 0;
}
