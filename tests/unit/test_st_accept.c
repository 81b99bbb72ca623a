/*
 * test_st_accept: delivery import and acceptance on real SQLite files.
 * Import of the /doc/{id}/info JSON and of a plain list, refusals with
 * line numbers, every scan verdict, subtree counting, finish in full and
 * in part with the LP_ACCEPT_GOODS body checked byte for byte, and the
 * stock (codes and confirmed packs) that acceptance leaves. It must not
 * mock the database or depend on timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "tests/site_fx.h"

#define GS "\x1d"
#define GTIN13 "0460700000001"	/* the delivery's product */
#define OTHER13 "0460700000002"	/* a product not in the delivery */

/*
 * The delivery of every test: pallets P1 (boxes B1, B2) and P2 (B3, B4),
 * three units in each box (u[0..11]), and one loose unit u[12].
 */
struct delivery {
	char p[2][MARK_SSCC_LEN + 1];
	char b[4][MARK_SSCC_LEN + 1];
	char u[13][96];		/* full scans with crypto tail */
	char ki[13][48];	/* the КИ documents carry */
};

struct fixture {
	struct site_fx site;
	struct delivery d;
};

static void
unit(const char *gtin13, int n, char *scan, size_t sn, char *ki, size_t kn)
{
	int cd = mark_check_digit(gtin13, 13);

	snprintf(scan, sn, "01%s%d21S%05dXYZABCD" GS "93AbCd", gtin13, cd, n);
	snprintf(ki, kn, "01%s%d21S%05dXYZABCD", gtin13, cd, n);
}

static void
make_delivery(struct delivery *d)
{
	int i;

	for (i = 0; i < 2; i++)
		assert_int_equal(mark_sscc_make(0, "4607000", 100 + i, d->p[i]),
				 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(mark_sscc_make(0, "4607000", 200 + i, d->b[i]),
				 0);
	for (i = 0; i < 13; i++)
		unit(GTIN13, i + 1, d->u[i], sizeof(d->u[i]), d->ki[i],
		     sizeof(d->ki[i]));
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	site_fx_open(&f->site, NULL);
	make_delivery(&f->d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = site_fx_close(&f->site);

	free(f);
	return rc;
}

/* One integer from sql with ?1 bound to text (may be NULL). */
static int64_t
sql_int(struct fixture *f, const char *sql, const char *text)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->site.path, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* One text from sql, ?1 bound to an integer; caller frees. */
static char *
sql_text(struct fixture *f, const char *sql, int64_t arg)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char *v = NULL;

	assert_int_equal(sqlite3_open(f->site.path, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The delivery as a plain list: tabs for P1, spaces for P2; u[0] with a
 * real GS, u[1] with the text \x1d, the rest bare КИ. */
static char *
list_text(const struct delivery *d)
{
	char *s = malloc(8192);
	size_t n = 0;
	int i, b;

	n += (size_t)snprintf(s + n, 8192 - n, "%s\r\n", d->p[0]);
	for (b = 0; b < 2; b++) {
		n += (size_t)snprintf(s + n, 8192 - n, "\t%s\n", d->b[b]);
		for (i = b * 3; i < b * 3 + 3; i++) {
			if (i == 1)
				n += (size_t)snprintf(s + n, 8192 - n,
					"\t\t%s\\x1d93AbCd\n", d->ki[i]);
			else
				n += (size_t)snprintf(s + n, 8192 - n,
						      "\t\t%s\n", i == 0 ?
						      d->u[i] : d->ki[i]);
		}
	}
	n += (size_t)snprintf(s + n, 8192 - n, "\n00%s\n", d->p[1]);
	/* "00" + SSCC: the (00) element form, written with a leading 0 */
	n += (size_t)snprintf(s + n, 8192 - n, "  (00)%s\n", d->b[2]);
	for (i = 6; i < 9; i++)
		n += (size_t)snprintf(s + n, 8192 - n, "    %s\n", d->ki[i]);
	n += (size_t)snprintf(s + n, 8192 - n, "  %s\n", d->b[3]);
	for (i = 9; i < 12; i++)
		n += (size_t)snprintf(s + n, 8192 - n, "      %s\n", d->ki[i]);
	/* the header lines of its transfer document may stand anywhere;
	 * at the end they leave the codes' line numbers as they are */
	snprintf(s + n, 8192 - n, "%s\n# sender_inn: 7711111111\n"
		 "# number: supplier-17\n# date: 2026-11-20\n", d->ki[12]);
	return s;
}

/* The delivery as the /doc/{id}/info answer, one product per line. */
static char *
json_text(const struct delivery *d)
{
	char *s = malloc(16384);
	size_t n = 0;
	int p, b, i;

	n += (size_t)snprintf(s + n, 16384 - n, "[{\"number\":\"a1b2-c3\","
		"\"docDate\":\"2026-11-20T10:00:00.000Z\","
		"\"type\":\"LP_SHIP_GOODS\",\"senderInn\":\"7711111111\","
		"\"receiverInn\":\"7700000000\",\"turnoverType\":\"SELLING\","
		"\"body\":{\"document_num\":\"UPD-17\","
		"\"document_date\":\"2026-11-20T09:00:00.000Z\","
		"\"transfer_date\":\"2026-11-21T00:00:00.000Z\","
		"\"products\":[\n");
	for (p = 0; p < 2; p++) {
		n += (size_t)snprintf(s + n, 16384 - n,
			"{\"uitu_code\":\"%s\",\"children\":[\n", d->p[p]);
		for (b = p * 2; b < p * 2 + 2; b++) {
			n += (size_t)snprintf(s + n, 16384 - n,
				"{\"uitu_code\":\"%s\",\"children\":[\n",
				d->b[b]);
			for (i = b * 3; i < b * 3 + 3; i++)
				n += (size_t)snprintf(s + n, 16384 - n,
					"{\"uit_code\":\"%s%s\"}%s\n", d->ki[i],
					i == 0 ? "\\u001d93AbCd" : "",
					i < b * 3 + 2 ? "," : "");
			n += (size_t)snprintf(s + n, 16384 - n, "]}%s\n",
					      b == p * 2 ? "," : "");
		}
		n += (size_t)snprintf(s + n, 16384 - n, "]},\n");
	}
	snprintf(s + n, 16384 - n, "{\"uit_code\":\"%s\"}\n]}}]", d->ki[12]);
	return s;
}

static int64_t
import(struct fixture *f, const char *name, const char *text,
       struct st_delivery *out)
{
	struct err e;

	if (st_delivery_import(f->site.db, &f->site.op, name, text, strlen(text), out,
			       &e) != 0)
		fail_msg("import refused: %s", e.msg);
	return out->id;
}

/* --- import -------------------------------------------------------------- */

static const char tree_sql[] =
	"SELECT count(*) FROM delivery_items c JOIN delivery_items p"
	" ON p.id = c.parent_item_id WHERE p.serial = ?1";

static void
check_tree(struct fixture *f)
{
	int i;

	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items",
				 NULL), 19);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items"
				 " WHERE parent_item_id IS NULL", NULL), 3);
	for (i = 0; i < 2; i++)
		assert_int_equal(sql_int(f, tree_sql, f->d.p[i]), 2);
	for (i = 0; i < 4; i++)
		assert_int_equal(sql_int(f, tree_sql, f->d.b[i]), 3);
	/* boxes under the right pallet, units under the right box */
	assert_int_equal(sql_int(f, "SELECT p.serial = ?1 FROM delivery_items"
		" c JOIN delivery_items p ON p.id = c.parent_item_id"
		" WHERE c.serial = 'S00012XYZABCD'", f->d.b[3]), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items c"
		" JOIN delivery_items p ON p.id = c.parent_item_id"
		" WHERE c.serial = ?1", f->d.b[2]), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items"
		" WHERE kind = 5", NULL), 6);
}

static void
test_import_list(void **state)
{
	struct fixture *f = *state;
	struct st_delivery d;
	char *text = list_text(&f->d), *bom;

	/* saved with a byte order mark, as spreadsheet programs do */
	bom = malloc(strlen(text) + 4);
	snprintf(bom, strlen(text) + 4, "\xef\xbb\xbf%s", text);
	import(f, "supplier-17.txt", bom, &d);
	free(bom);
	free(text);
	assert_true(d.id > 0);
	assert_int_equal(d.expected, 19);
	assert_string_equal(d.state, "expected");
	assert_string_equal(d.number, "supplier-17");
	check_tree(f);
	assert_int_equal(sql_int(f, "SELECT expected FROM deliveries", NULL),
			 19);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 20 AND ok = 1", NULL), 1);
}

static void
test_import_json(void **state)
{
	struct fixture *f = *state;
	struct st_delivery d;
	char *text = json_text(&f->d), *v;

	import(f, "doc.json", text, &d);
	free(text);
	assert_int_equal(d.expected, 19);
	assert_string_equal(d.number, "UPD-17");
	check_tree(f);
#define COL(c) sql_text(f, "SELECT " c " FROM deliveries WHERE id = ?1", d.id)
	assert_string_equal(v = COL("release_order"), "a1b2-c3");
	free(v);
	assert_string_equal(v = COL("doc_date"), "2026-11-20T09:00:00.000Z");
	free(v);
	assert_string_equal(v = COL("transfer_date"),
			    "2026-11-21T00:00:00.000Z");
	free(v);
	assert_string_equal(v = COL("sender_inn"), "7711111111");
	free(v);
	assert_string_equal(v = COL("receiver_inn"), "7700000000");
	free(v);
	assert_string_equal(v = COL("turnover_type"), "SELLING");
	free(v);
	assert_string_equal(v = COL("source"), "doc.json");
	free(v);
#undef COL
}

static void
test_import_json_shapes(void **state)
{
	struct fixture *f = *state;
	struct st_delivery d;
	char text[1024];

	/* The object itself rather than an array, and a body given as a
	 * string holding JSON. */
	snprintf(text, sizeof(text), "{\"number\":\"x-1\",\"senderInn\":"
		 "\"7711111111\",\"docDate\":"
		 "\"2026-11-20T10:00:00.000Z\",\"body\":\"{\\\"products\\\":"
		 "[{\\\"uit_code\\\":\\\"%s\\\"},{\\\"uitu_code\\\":"
		 "\\\"00%s\\\"}]}\"}", f->d.ki[0], f->d.b[0]);
	import(f, "o.json", text, &d);
	assert_int_equal(d.expected, 2);
	assert_string_equal(d.number, "x-1");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items"
				 " WHERE serial = ?1 AND gtin_id = 0",
				 f->d.b[0]), 1);
}

/* Import text and expect a refusal whose message holds every of want. */
static void
refused(struct fixture *f, const char *text, const char *want1,
	const char *want2)
{
	struct st_delivery d;
	struct err e;

	assert_int_equal(st_delivery_import(f->site.db, &f->site.op, "bad.txt", text,
					    strlen(text), &d, &e),
			 ERR_REFUSED);
	if (strstr(e.msg, want1) == NULL ||
	    (want2 != NULL && strstr(e.msg, want2) == NULL))
		fail_msg("refusal \"%s\" lacks \"%s\" / \"%s\"", e.msg, want1,
			 want2 ? want2 : "");
}

static void
test_import_refusals(void **state)
{
	struct fixture *f = *state;
	char text[2048], bad[96], why[ERR_MSG_MAX], badsscc[19];
	struct mark m;

	/* A unit with a wrong GTIN check digit on line 4: the parser's own
	 * reason, with the line. */
	snprintf(bad, sizeof(bad), "%s", f->d.ki[2]);
	bad[15] = bad[15] == '9' ? '0' : (char)(bad[15] + 1);
	assert_int_equal(mark_parse(bad, strlen(bad), &m), -1);
	mark_strerror(&m, why, sizeof(why));
	snprintf(text, sizeof(text), "%s\n\t%s\n\t\t%s\n\t\t%s\n", f->d.p[0],
		 f->d.b[0], f->d.ki[0], bad);
	refused(f, text, "Line 4: ", why);
	/* A list without the header lines of its document is refused,
	 * naming each one missing, and so is a date that is none. */
	snprintf(text, sizeof(text), "%s\n", f->d.ki[0]);
	refused(f, text, "# sender_inn: # number: # date:", NULL);
	snprintf(text, sizeof(text), "# number: 5\n%s\n", f->d.ki[0]);
	refused(f, text, "# sender_inn: # date:", NULL);
	snprintf(text, sizeof(text), "# sender_inn: 7711111111\n# number: 5\n"
		 "# date: yesterday\n%s\n", f->d.ki[0]);
	refused(f, text, "not a date", NULL);
	/* a document answer without its sender or date, the same */
	snprintf(text, sizeof(text), "[{\"number\":\"r\",\"body\":{"
		 "\"document_num\":\"5\",\"products\":[{\"uit_code\":"
		 "\"%s\"}]}}]", f->d.ki[0]);
	refused(f, text, "lacks fields", "sender");
	/* A bare SSCC with a wrong check digit on line 1. */
	snprintf(badsscc, sizeof(badsscc), "%s", f->d.p[0]);
	badsscc[17] = badsscc[17] == '9' ? '0' : (char)(badsscc[17] + 1);
	snprintf(text, sizeof(text), "%s\n%s\n", badsscc, f->d.ki[0]);
	refused(f, text, "Line 1: ", NULL);
	/* Indented with no SSCC above. */
	snprintf(text, sizeof(text), "%s\n  %s\n", f->d.ki[0], f->d.ki[1]);
	refused(f, text, "Line 2", "no SSCC above");
	/* The same code twice. */
	snprintf(text, sizeof(text), "%s\n%s\n\n%s\n", f->d.ki[0], f->d.ki[1],
		 f->d.ki[0]);
	refused(f, text, "Line 4", "twice");
	/* A command barcode is no code. */
	refused(f, "SKLAD:CLOSE\n", "Line 1", "command");
	/* A line far too long for any scanner. */
	{
		char longline[700];

		memset(longline, 'A', 600);
		longline[600] = '\0';
		snprintf(text, sizeof(text), "%s\n%s\n", f->d.ki[0],
			 longline);
	}
	refused(f, text, "Line 2: ", NULL);
	/* Nothing at all. */
	refused(f, "\n  \n", "no codes", NULL);
	/* JSON: the line of the bad code and where it sits. */
	snprintf(bad, sizeof(bad), "%s", f->d.ki[2]);
	bad[15] = bad[15] == '9' ? '0' : (char)(bad[15] + 1);
	snprintf(text, sizeof(text), "[{\"number\":\"n\",\"body\":{\"products"
		 "\":[\n{\"uitu_code\":\"%s\",\"children\":[\n{\"uit_code\":"
		 "\"%s\"},\n{\"uit_code\":\"%s\"}]}]}}]", f->d.b[0],
		 f->d.ki[0], bad);
	refused(f, text, "Line 4 (products[0].children[1])", why);
	refused(f, "[{\"number\":\"n\",\"body\":{\"products\":[{\"x\":1}]}}]",
		"products[0]", "no uit_code");
	refused(f, "[{\"number\":\"n\"}]", "Not a document answer", NULL);
	refused(f, "{broken", "Not a document answer", NULL);
	/* Nothing of a refused file stays; every refusal is audited. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM deliveries", NULL),
			 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items",
				 NULL), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 20 AND ok = 0 AND reason LIKE"
				 " 'Line%'", NULL), 7);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 20 AND ok = 0", NULL), 15);
}

/* --- scanning ------------------------------------------------------------ */

static struct st_accept_progress
scan(struct fixture *f, int64_t id, const char *code, const char *verdict,
     int units)
{
	struct st_accept_progress p;
	struct mark m = site_fx_parsed(code);
	struct err e;

	if (st_accept_scan(f->site.db, &f->site.op, id, &m, &p, &e) != 0)
		fail_msg("scan %s refused: %s", code, e.msg);
	if (strcmp(p.verdict, verdict) != 0 || p.units != units)
		fail_msg("scan %s: %s counting %d, want %s counting %d", code,
			 p.verdict, p.units, verdict, units);
	return p;
}

static void
test_verdicts_and_subtrees(void **state)
{
	struct fixture *f = *state;
	struct st_accept_progress p;
	struct st_delivery d;
	char *text = json_text(&f->d), other[96], ki[48], sscc[19];
	struct mark m = site_fx_parsed(f->d.p[0]);
	struct err e;

	import(f, "doc.json", text, &d);
	free(text);
	/* Not open yet. */
	assert_int_equal(st_accept_scan(f->site.db, &f->site.op, d.id, &m, &p, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "open the acceptance first"));
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id + 5, &p, &e),
			 ERR_REFUSED);
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e), 0);
	assert_int_equal(p.missing, 19);
	assert_int_equal(p.matched, 0);
	/* A pallet counts itself, its boxes and their units. */
	p = scan(f, d.id, f->d.p[0], "matched", 9);
	assert_int_equal(p.matched, 9);
	assert_int_equal(p.missing, 10);
	/* What it covered is a duplicate now, at every level. */
	scan(f, d.id, f->d.u[1], "duplicate", 0);
	scan(f, d.id, f->d.b[1], "duplicate", 0);
	scan(f, d.id, f->d.p[0], "duplicate", 0);
	/* Units one by one; the last of a box completes the box. */
	scan(f, d.id, f->d.u[6], "matched", 1);
	scan(f, d.id, f->d.u[7], "matched", 1);
	p = scan(f, d.id, f->d.u[8], "matched", 2);
	assert_int_equal(p.matched, 13);
	scan(f, d.id, f->d.b[2], "duplicate", 0);
	scan(f, d.id, f->d.u[9], "matched", 1);
	/* Unknown codes: surplus of a known product, wrong item of another,
	 * an unknown SSCC is surplus; each repeat a duplicate. */
	unit(GTIN13, 999, other, sizeof(other), ki, sizeof(ki));
	scan(f, d.id, other, "surplus", 0);
	scan(f, d.id, ki, "duplicate", 0);
	unit(OTHER13, 1, other, sizeof(other), ki, sizeof(ki));
	scan(f, d.id, other, "wrong_item", 0);
	assert_int_equal(mark_sscc_make(0, "4607000", 777, sscc), 0);
	p = scan(f, d.id, sscc, "surplus", 0);
	p = scan(f, d.id, sscc, "duplicate", 0);
	assert_int_equal(p.matched, 14);
	assert_int_equal(p.missing, 5);
	assert_int_equal(p.surplus, 2);
	assert_int_equal(p.wrong_item, 1);
	assert_int_equal(p.duplicates, 6);
	/* Every scan recorded with its verdict, and audited. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_scans",
				 NULL), 14);
	assert_int_equal(sql_int(f, "SELECT sum(units) FROM delivery_scans"
				 " WHERE verdict = 'matched'", NULL), 14);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_scans"
				 " WHERE verdict = 'wrong_item'", NULL), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 22", NULL), 15);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 22 AND ok = 0 AND reason LIKE"
				 " 'Wrong product%'", NULL), 1);
	/* The counters agree with the rows they stand for. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items"
				 " WHERE found = 1", NULL), 14);
	/* Resuming gives the same progress. */
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e), 0);
	assert_int_equal(p.matched, 14);
	assert_int_equal(p.duplicates, 6);
}

/* The body of the delivery's acceptance document, acceptance_date
 * replaced by "NOW" after checking its form; caller frees. */
static char *
accept_body(struct fixture *f, int64_t delivery, int64_t *doc)
{
	char *body, *at, *end, *out;
	struct err e;
	size_t len;

	*doc = sql_int(f, "SELECT document_id FROM deliveries", NULL);
	(void)delivery;
	assert_true(*doc > 0);
	assert_int_equal(st_doc_body(f->site.db, *doc, &body, &len, &e), 0);
	at = strstr(body, "\"acceptance_date\":\"");
	assert_non_null(at);
	at += strlen("\"acceptance_date\":\"");
	end = strchr(at, '"');
	assert_int_equal(end - at, 24);
	assert_true(at[10] == 'T' && at[23] == 'Z');
	out = malloc(len + 8);
	snprintf(out, len + 8, "%.*sNOW%s", (int)(at - body), body, end);
	free(body);
	return out;
}

static void
test_finish_full(void **state)
{
	struct fixture *f = *state;
	struct st_accept_progress p;
	struct st_delivery d;
	char *text = json_text(&f->d), *body, want[2048];
	struct err e;
	int64_t doc;

	import(f, "doc.json", text, &d);
	free(text);
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, false, &p, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "not being accepted"));
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e), 0);
	scan(f, d.id, f->d.p[0], "matched", 9);
	scan(f, d.id, f->d.p[1], "matched", 9);
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, false, &p, &e),
			 ERR_REFUSED);
	assert_string_equal(e.msg, "1 expected codes are still missing: "
			    "scan them, or finish in part to reject them.");
	scan(f, d.id, f->d.u[12], "matched", 1);
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, false, &p, &e),
			 0);
	assert_int_equal(p.missing, 0);
	assert_int_equal(p.matched, 19);
	body = accept_body(f, d.id, &doc);
	snprintf(want, sizeof(want), "{\"release_order_number\":\"a1b2-c3\","
		 "\"document_number\":\"UPD-17\","
		 "\"document_date\":\"2026-11-20T09:00:00.000Z\","
		 "\"transfer_date\":\"2026-11-21T00:00:00.000Z\","
		 "\"acceptance_date\":\"NOW\","
		 "\"trade_sender_inn\":\"7711111111\","
		 "\"trade_recipient_inn\":\"7700000000\","
		 "\"turnover_type\":\"SELLING\",\"products\":["
		 "{\"uitu_code\":\"%s\",\"accepted\":true},"
		 "{\"uitu_code\":\"%s\",\"accepted\":true},"
		 "{\"uit_code\":\"%s\",\"accepted\":true}]}",
		 f->d.p[0], f->d.p[1], f->d.ki[12]);
	assert_string_equal(body, want);
	free(body);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE type ="
				 " 'LP_ACCEPT_GOODS' AND state = 'pending'"
				 " AND codes = 3", NULL), 1);
	/* Everything is in stock, in its packs, confirmed. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " state = 0", NULL), 19);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM packs WHERE"
				 " state = 'confirmed' AND level = 'pallet'"
				 " AND count = 2", NULL), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM packs WHERE"
				 " state = 'confirmed' AND level = 'box'"
				 " AND count = 3", NULL), 4);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM packs WHERE"
				 " document_id = (SELECT document_id FROM"
				 " deliveries)", NULL), 6);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes c JOIN codes"
				 " p ON p.id = c.parent_id WHERE p.serial ="
				 " ?1", f->d.b[3]), 3);
	assert_int_equal(sql_int(f, "SELECT kind FROM codes WHERE serial ="
				 " ?1", f->d.p[1]), 6);
	assert_int_equal(sql_int(f, "SELECT state = 'accepted' FROM"
				 " deliveries", NULL), 1);
	/* Finished is finished. */
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, true, &p, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "already been accepted"));
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e),
			 ERR_REFUSED);
	{
		struct mark m = site_fx_parsed(f->d.u[0]);

		assert_int_equal(st_accept_scan(f->site.db, &f->site.op, d.id, &m, &p,
						&e), ERR_REFUSED);
	}
}

static void
test_finish_partial(void **state)
{
	struct fixture *f = *state;
	struct st_accept_progress p;
	struct st_delivery d;
	char *text = list_text(&f->d), *body, want[4096];
	struct st_pack pk;
	struct err e;
	int64_t doc;

	import(f, "supplier-17.txt", text, &d);
	free(text);
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e), 0);
	scan(f, d.id, f->d.p[0], "matched", 9);
	scan(f, d.id, f->d.b[2], "matched", 4);
	scan(f, d.id, f->d.u[10], "matched", 1);
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, true, &p, &e),
			 0);
	assert_int_equal(p.matched, 14);
	assert_int_equal(p.missing, 5);
	body = accept_body(f, d.id, &doc);
	/* A plain list names its document in its header lines; with no
	 * release order the number stands for it, the date is a
	 * timestamp (§5.7). */
	snprintf(want, sizeof(want), "{\"release_order_number\":"
		 "\"supplier-17\",\"document_number\":\"supplier-17\","
		 "\"document_date\":\"2026-11-20T00:00:00.000Z\","
		 "\"transfer_date\":\"2026-11-20T00:00:00.000Z\","
		 "\"acceptance_date\":\"NOW\",\"trade_sender_inn\":"
		 "\"7711111111\","
		 "\"trade_recipient_inn\":\"7700000000\","
		 "\"turnover_type\":\"SELLING\",\"products\":["
		 "{\"uitu_code\":\"%s\",\"accepted\":true},"
		 "{\"uitu_code\":\"%s\",\"accepted\":true,\"children\":["
		 "{\"uitu_code\":\"%s\",\"accepted\":true},"
		 "{\"uitu_code\":\"%s\",\"accepted\":true,\"children\":["
		 "{\"uit_code\":\"%s\",\"accepted\":false},"
		 "{\"uit_code\":\"%s\",\"accepted\":true},"
		 "{\"uit_code\":\"%s\",\"accepted\":false}]}]},"
		 "{\"uit_code\":\"%s\",\"accepted\":false}]}",
		 f->d.p[0], f->d.p[1], f->d.b[2], f->d.b[3], f->d.ki[9],
		 f->d.ki[10], f->d.ki[11], f->d.ki[12]);
	assert_string_equal(body, want);
	free(body);
	assert_int_equal(sql_int(f, "SELECT codes FROM outbox WHERE id ="
				 " (SELECT document_id FROM deliveries)",
				 NULL), 8);
	assert_int_equal(sql_int(f, "SELECT state = 'partial' FROM"
				 " deliveries", NULL), 1);
	/* Stock: what arrived, in the packs it arrived in. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes", NULL), 16);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " serial = 'S00012XYZABCD'", NULL), 0);
	assert_int_equal(sql_int(f, "SELECT p.count FROM packs p JOIN codes c"
				 " ON c.id = p.code_id WHERE c.serial = ?1",
				 f->d.b[3]), 1);
	assert_int_equal(sql_int(f, "SELECT p.count FROM packs p JOIN codes c"
				 " ON c.id = p.code_id WHERE c.serial = ?1",
				 f->d.p[1]), 2);
	assert_int_equal(sql_int(f, "SELECT p.serial = ?1 FROM codes c JOIN"
				 " codes p ON p.id = c.parent_id WHERE"
				 " c.serial = 'S00011XYZABCD'", f->d.b[3]), 1);
	/* An accepted pallet is ours now: it can be disbanded, and the
	 * state system hears of it after the acceptance. */
	assert_int_equal(st_pack_get(f->site.db, f->d.p[0], &pk, &e), 0);
	assert_string_equal(pk.state, "confirmed");
	assert_int_equal(pk.count, 2);
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, f->d.p[0], &pk, &e),
			 0);
	/* a milk site's acceptance is never sent here (a УПД carries
	 * it, §5.7), so the disbanding waits for nothing */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox_deps x JOIN"
				 " outbox o ON o.id = x.doc_id WHERE"
				 " o.type = 'DISAGGREGATION_DOCUMENT'", NULL),
			 0);
	assert_int_equal(sql_int(f, "SELECT sendable FROM outbox WHERE type ="
				 " 'LP_ACCEPT_GOODS'", NULL), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " parent_id IS NULL AND kind = 5", NULL), 2);
}

static void
test_partial_nothing_arrived(void **state)
{
	struct fixture *f = *state;
	struct st_accept_progress p;
	struct st_delivery d;
	char text[512];
	struct err e;
	int64_t doc;
	char *body;

	snprintf(text, sizeof(text), "%s%s\n %s\n%s\n", site_fx_list_head(),
		 f->d.b[0], f->d.ki[0], f->d.ki[1]);
	import(f, "l", text, &d);
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e), 0);
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, true, &p, &e),
			 0);
	body = accept_body(f, d.id, &doc);
	assert_non_null(strstr(body, "\"products\":[{\"uitu_code\":"));
	assert_non_null(strstr(body, "\"accepted\":false},{\"uit_code\":"));
	assert_null(strstr(body, "\"accepted\":true"));
	assert_null(strstr(body, "children"));
	free(body);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes", NULL), 0);
}

/* Damaged copies of a good list: each imports whole or is refused with a
 * line number, and a refused one leaves nothing behind. */
static void
test_import_damaged_lists(void **state)
{
	struct fixture *f = *state;
	char *good = list_text(&f->d), *text;
	size_t len = strlen(good);
	unsigned seed = 12345;
	int round, imported = 0, refusals = 0;

	text = malloc(len + 1);
	for (round = 0; round < 300; round++) {
		struct st_delivery d;
		struct err e;
		size_t k, at;
		int rc;

		memcpy(text, good, len + 1);
		for (k = 0; k < 1 + (size_t)round % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			text[at] = "0123456789\t \nAz\x1d("[(seed >> 8) % 16];
		}
		rc = st_delivery_import(f->site.db, &f->site.op, "x", text, len, &d, &e);
		if (rc == 0) {
			imported++;
			continue;
		}
		assert_int_equal(rc, ERR_REFUSED);
		if (strncmp(e.msg, "Line ", 5) != 0 &&
		    strstr(e.msg, "no codes") == NULL &&
		    strstr(e.msg, "header lines") == NULL &&
		    strstr(e.msg, "not a date") == NULL)
			fail_msg("refusal without a line: %s", e.msg);
		refusals++;
	}
	assert_true(refusals > 100);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM deliveries", NULL),
			 imported);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_items"
				 " i JOIN deliveries d ON d.id ="
				 " i.delivery_id", NULL),
			 sql_int(f, "SELECT coalesce(sum(expected), 0) FROM"
				 " deliveries", NULL));
	free(text);
	free(good);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_import_json, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_import_json_shapes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_import_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_import_damaged_lists,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdicts_and_subtrees,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_full, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finish_partial, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_partial_nothing_arrived,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
