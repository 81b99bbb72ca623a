/*
 * test_st_import: delivery import in steps on real SQLite files. Another
 * connection accepts (scans) between the steps of a big import and both
 * succeed; an import in progress is invisible to acceptance and to the
 * delivery list; abort and a crash leave nothing 'expected', and cleanup
 * removes a crashed import's rows. It must not mock the database or
 * depend on timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "tests/site_fx.h"

#define GS "\x1d"
#define GTIN13 "0460700000001"
#define BIG 20000		/* codes of the big delivery */

static void
unit(int n, char *scan, size_t sn)
{
	snprintf(scan, sn, "01%s%d21S%07dXYZAB" GS "93AbCd", GTIN13,
		 mark_check_digit(GTIN13, 13), n);
}

/* n units under boxes of 100: malloc'd text. */
static char *
big_list(int first, int n, size_t *len)
{
	char *text = malloc((size_t)n * 48 + (size_t)n / 100 * 24 + 192);
	char u[96], sscc[MARK_SSCC_LEN + 1];
	size_t at = 0;
	int i;

	assert_non_null(text);
	for (i = 0; i < n; i++) {
		if (i % 100 == 0) {
			assert_int_equal(mark_sscc_make(0, "4607000",
				(uint64_t)(first + i / 100), sscc), 0);
			at += (size_t)sprintf(text + at, "%s\n", sscc);
		}
		unit(first + i, u, sizeof(u));
		*strchr(u, GS[0]) = '\0';
		at += (size_t)sprintf(text + at, "\t%s\n", u);
	}
	at += (size_t)sprintf(text + at, "%s", site_fx_list_head());
	*len = at;
	return text;
}

static int64_t
count(struct site_fx *f, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static int
count_rows(void *arg, const struct st_delivery_row *d)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

static void
test_steps_while_scanning(void **state)
{
	struct site_fx *f = *state;
	struct st_accept_progress p;
	struct st_delivery small, big;
	struct st_import *im;
	struct st_db *other;
	char u[96], text[256];
	int done, total, steps = 0, ndeliv = 0, rc;
	size_t len;
	char *data;
	struct mark m;
	struct err e;

	/* A small delivery accepted on a second connection... */
	unit(9000001, u, sizeof(u));
	snprintf(text, sizeof(text), "%s%s\n", site_fx_list_head(), u);
	assert_int_equal(st_delivery_import(f->db, &f->op, "s.txt", text,
					    strlen(text), &small, &e), 0);
	assert_int_equal(st_open(f->path, false, &other, &e), 0);
	assert_int_equal(st_accept_open(other, &f->sup, small.id, &p, &e), 0);

	/* ...while the big one goes in, step by step, on the first. */
	data = big_list(1, BIG, &len);
	assert_int_equal(st_import_begin(f->db, &f->op, "big.txt", data, len,
					 &im, &e), 0);
	free(data);	/* the job keeps what it parsed */
	st_import_progress(im, &done, &total);
	assert_int_equal(done, 0);
	assert_int_equal(total, BIG + BIG / 100);
	do {
		rc = st_import_step(im, 5000, &e);
		assert_true(rc >= 0);
		steps++;
		/* the partial delivery is nobody's to accept */
		assert_int_equal(st_accept_open(other, &f->sup,
						st_import_delivery(im), &p,
						&e), ERR_REFUSED);
		assert_non_null(strstr(e.msg, "No delivery"));
		ndeliv = 0;
		assert_int_equal(st_deliveries(other, count_rows, &ndeliv,
					       &e), 0);
		assert_int_equal(ndeliv, 1);
		/* and a scan on the other connection gets through */
		if (steps == 2) {
			m = site_fx_parsed(u);
			assert_int_equal(st_accept_scan(other, &f->sup,
				small.id, &m, &p, &e), 0);
			assert_string_equal(p.verdict, "matched");
		}
	} while (rc == 1);
	assert_int_equal(steps, 5);
	st_import_progress(im, &done, &total);
	assert_int_equal(done, total);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE"
			       " state = 'importing'"), 1);
	assert_int_equal(st_import_finish(im, &big, &e), 0);
	assert_int_equal(big.expected, BIG + BIG / 100);
	assert_string_equal(big.state, "expected");
	assert_int_equal(count(f, "SELECT count(*) FROM delivery_items i JOIN"
			       " delivery_items b ON b.id = i.parent_item_id"
			       " WHERE b.kind = 5"), BIG);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE"
			       " action = 20 AND ok = 1"), 2);
	assert_int_equal(count(f, "SELECT matched FROM deliveries WHERE"
			       " id = 1"), 1);
	/* Now it can be accepted. */
	assert_int_equal(st_accept_open(other, &f->sup, big.id, &p, &e), 0);
	assert_int_equal(p.missing, BIG + BIG / 100);
	st_close(&other);
}

static void
test_abort_crash_cleanup(void **state)
{
	struct site_fx *f = *state;
	struct st_accept_progress p;
	struct st_delivery d;
	struct st_import *im;
	int64_t id;
	int removed = -1;
	size_t len;
	char *data;
	struct err e;

	data = big_list(100000, 3000, &len);
	/* Abort half-way: nothing stays. */
	assert_int_equal(st_import_begin(f->db, &f->op, "a.txt", data, len,
					 &im, &e), 0);
	assert_int_equal(st_import_step(im, 1000, &e), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM delivery_items"),
			 1000);
	assert_int_equal(st_import_abort(im, &e), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM delivery_items"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);

	/* A crash half-way (the job dropped, the rows left): nothing is
	 * 'expected', acceptance refuses it, and a young import is left
	 * alone by the cleanup of stale ones... */
	assert_int_equal(st_import_begin(f->db, &f->op, "c.txt", data, len,
					 &im, &e), 0);
	assert_int_equal(st_import_step(im, 2000, &e), 1);
	id = st_import_delivery(im);
	st_import_free(im);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE"
			       " state = 'expected'"), 0);
	assert_int_equal(st_accept_open(f->db, &f->op, id, &p, &e),
			 ERR_REFUSED);
	assert_int_equal(st_import_cleanup(f->db, 3600 * 1000, &removed, &e),
			 0);
	assert_int_equal(removed, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM delivery_items"),
			 2000);
	/* ...and removed by a cleanup of all of them. */
	assert_int_equal(st_import_cleanup(f->db, 0, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM delivery_items"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);

	/* The same file imports whole afterwards, and is expected. */
	assert_int_equal(st_delivery_import(f->db, &f->op, "c.txt", data, len,
					    &d, &e), 0);
	assert_int_equal(d.expected, 3030);
	assert_string_equal(d.state, "expected");
	/* A job whose delivery was cleaned up under it says so. */
	assert_int_equal(st_import_begin(f->db, &f->op, "z.txt", data, len,
					 &im, &e), 0);
	assert_int_equal(st_import_cleanup(f->db, 0, &removed, &e), 0);
	assert_int_equal(removed, 1);
	assert_true(st_import_step(im, 10000, &e) < 0);
	assert_non_null(strstr(e.msg, "abandoned"));
	assert_int_equal(st_import_abort(im, &e), 0);
	free(data);
}

static void
test_refused_writes_nothing(void **state)
{
	struct site_fx *f = *state;
	struct st_import *im = (struct st_import *)&im;
	char text[256], u[96];
	struct err e;

	unit(5, u, sizeof(u));
	snprintf(text, sizeof(text), "%s\n%s\n", u, u);
	assert_int_equal(st_import_begin(f->db, &f->op, "twice.txt", text,
					 strlen(text), &im, &e), ERR_REFUSED);
	assert_null(im);
	assert_non_null(strstr(e.msg, "Line 2"));
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE"
			       " action = 20 AND ok = 0"), 1);
}

/* A list of n units, unit i of GTIN 04607 + i (its own GTIN each), one
 * serial for all; then extra lines. malloc'd. */
static char *
gtin_list(int n, const char *extra)
{
	char *text = malloc((size_t)n * 48 + 512), g[15];
	size_t at = 0;
	int i;

	assert_non_null(text);
	at += (size_t)sprintf(text, "%s", site_fx_list_head());
	for (i = 0; i < n; i++) {
		snprintf(g, sizeof(g), "04607%08d", i);
		g[13] = (char)('0' + mark_check_digit(g, 13));
		g[14] = '\0';
		at += (size_t)sprintf(text + at, "01%s21SAMESERIAL012\n", g);
	}
	sprintf(text + at, "%s", extra);
	return text;
}

/*
 * Many distinct GTINs (the GTIN table grows through several sizes): the
 * same serial under another GTIN is another code, the same GTIN and
 * serial again is refused on its own line, and every GTIN is stored once.
 */
static void
test_many_gtins(void **state)
{
	struct site_fx *f = *state;
	struct st_delivery d;
	struct err e;
	char *text = gtin_list(5000, "");

	assert_int_equal(st_delivery_import(f->db, &f->op, "g.txt", text,
					    strlen(text), &d, &e), 0);
	assert_int_equal(d.expected, 5000);
	assert_int_equal(count(f, "SELECT count(DISTINCT gtin_id) FROM"
			       " delivery_items"), 5000);
	free(text);
	/* line 3 of the header + 1234: unit 1233 listed again at the end */
	text = gtin_list(3000, "0104607000012338" "21SAMESERIAL012\n");
	assert_int_equal(st_delivery_import(f->db, &f->op, "g2.txt", text,
					    strlen(text), &d, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "Line 3004"));
	assert_non_null(strstr(e.msg, "listed twice"));
	free(text);
}

/* Write len bytes of data to a new file name in the fixture's folder;
 * its path (static, one at a time). */
static const char *
file_of(struct site_fx *f, const char *name, const void *data, size_t len)
{
	static char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Import path, expect a refusal holding want and none of the secret;
 * the audit's reason must not hold the secret either. */
static void
refused_path(struct site_fx *f, const char *path, uint64_t max,
	     const char *want, const char *secret)
{
	struct st_delivery d;
	struct err e;
	char sql[256];

	assert_int_equal(st_delivery_import_path(f->db, &f->op, path, max, &d,
						 &e), ERR_REFUSED);
	if (strstr(e.msg, want) == NULL)
		fail_msg("refusal \"%s\" does not say \"%s\"", e.msg, want);
	if (secret != NULL && strstr(e.msg, secret) != NULL)
		fail_msg("refusal \"%s\" quotes the file", e.msg);
	if (secret != NULL) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE"
			 " instr(reason, '%s') > 0", secret);
		assert_int_equal(count(f, sql), 0);
	}
}

/*
 * Only regular files are read: /dev/zero, a FIFO nobody writes (opening
 * it must not wait) and a directory are refused at once, naming the
 * file; nothing is written but the audited refusal.
 */
static void
test_path_not_regular(void **state)
{
	struct site_fx *f = *state;
	char fifo[160];

	refused_path(f, "/dev/zero", 0, "/dev/zero is not a regular file",
		     NULL);
	snprintf(fifo, sizeof(fifo), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	refused_path(f, fifo, 0, "fifo is not a regular file", NULL);
	refused_path(f, f->dir, 0, "is not a regular file", NULL);
	refused_path(f, "/nonexistent/d.txt", 0, "Cannot open "
		     "/nonexistent/d.txt", NULL);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE"
			       " action = 20 AND ok = 0"), 4);
}

/*
 * A file that is not a delivery is refused by its line and what was
 * expected, never quoted: a shadow-like text, a binary of 1 MB (its first
 * bytes printable, then a NUL), a line beyond any code. Once codes showed
 * the file a delivery, the parser's own reason comes back.
 */
static void
test_path_not_a_delivery(void **state)
{
	struct site_fx *f = *state;
	static const char shadow[] = "root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n"
		"daemon:*:19000:0:99999:7:::\n";
	size_t big = 1 << 20, i;
	char *bin = malloc(big), u[96], text[512];
	uint32_t x = 2463534242u;

	assert_non_null(bin);
	refused_path(f, file_of(f, "shadow", shadow, strlen(shadow)), 0,
		     "Line 1: expected a marking code, an SSCC", "SECRETHASH");
	refused_path(f, file_of(f, "shadow", shadow, strlen(shadow)), 0,
		     "does not look like a delivery list", "root");
	memcpy(bin, "SECRETKEY", 9);
	for (i = 9; i < big; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		bin[i] = (char)(x & 0xff);
	}
	bin[9] = '\0';
	refused_path(f, file_of(f, "bin", bin, big), 0,
		     "Line 1 is not text (byte 10)", "SECRETKEY");
	memset(bin, 'S', 5000);
	refused_path(f, file_of(f, "long", bin, 5000), 0,
		     "Line 1 is longer than 4096 bytes", "SSSS");
	free(bin);
	/* a delivery whose third code is bad: the parser's reason */
	unit(1, u, sizeof(u));
	snprintf(text, sizeof(text), "%s%s\n0104600439931256\n",
		 site_fx_list_head(), u);
	refused_path(f, file_of(f, "d.txt", text, strlen(text)), 0,
		     "Line 5: ", NULL);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);
}

/* A file over the limit is refused before a byte of it is parsed; one
 * just within it imports. The default limit holds 500 000 codes of 536
 * bytes. */
static void
test_path_size_limit(void **state)
{
	struct site_fx *f = *state;
	struct st_delivery d;
	struct err e;
	size_t len;
	char *data = big_list(1, 2000, &len);
	const char *path = file_of(f, "big.txt", data, len);

	refused_path(f, path, len - 1, "more than the import limit", NULL);
	assert_int_equal(st_delivery_import_path(f->db, &f->op, path, len, &d,
						 &e), 0);
	assert_int_equal(d.expected, 2000 + 20);
	assert_true(ST_IMPORT_MAX_BYTES >= (uint64_t)500000 * 536);
	free(data);
}

/*
 * Read as it is parsed, in blocks: a list of 20 000 codes (about 1 MB,
 * lines across every block boundary) imports whole, and in a JSON
 * answer of over 64 KiB a bad code far down is named by its line.
 */
static void
test_path_streaming(void **state)
{
	struct site_fx *f = *state;
	struct st_delivery d;
	struct err e;
	size_t len, at = 0, cap = 4 << 20;
	char *data = big_list(1, BIG, &len), u[96];
	int i;

	assert_int_equal(st_delivery_import_path(f->db, &f->op,
		file_of(f, "big.txt", data, len), 0, &d, &e), 0);
	assert_int_equal(d.expected, BIG + BIG / 100);
	free(data);
	data = malloc(cap);
	assert_non_null(data);
	at += (size_t)sprintf(data, "[{\"number\":\"n\",\"senderInn\":"
			      "\"7711111111\",\"docDate\":\"2026-11-30\","
			      "\"body\":{\"products\":[\n");
	for (i = 0; i < 3000; i++) {
		unit(500000 + i, u, sizeof(u));
		*strchr(u, GS[0]) = '\0';
		if (i == 2500)	/* a wrong GTIN check digit */
			u[15] = u[15] == '9' ? '0' : (char)(u[15] + 1);
		at += (size_t)sprintf(data + at, "{\"uit_code\":\"%s\"},\n", u);
	}
	at += (size_t)sprintf(data + at, "{\"uit_code\":\"x\"}]}}]\n");
	assert_true(at > 65536);
	refused_path(f, file_of(f, "doc.json", data, at), 0,
		     "Line 2502 (products[2500])", NULL);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SITE_FX_TEST(test_steps_while_scanning),
		SITE_FX_TEST(test_abort_crash_cleanup),
		SITE_FX_TEST(test_refused_writes_nothing),
		SITE_FX_TEST(test_many_gtins),
		SITE_FX_TEST(test_path_not_regular),
		SITE_FX_TEST(test_path_not_a_delivery),
		SITE_FX_TEST(test_path_size_limit),
		SITE_FX_TEST(test_path_streaming),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
