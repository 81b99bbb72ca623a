/*
 * test_st_stock: loading the stock on hand on real SQLite files. A CSV
 * and a JSON tree loaded, then shipped by SSCC, packed, disbanded; every
 * refusal of bad input with its line number and nothing half-loaded; an
 * operator refused; the CLI refusing what is not a regular file. It must
 * not mock the database or depend on timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "tests/site_fx.h"

#define GTIN13 "0460043993125"

/* The КИ of unit n (with its check digit), and a full scan of it. */
static void
ki(int n, char out[64])
{
	snprintf(out, 64, "01%s%d21S%06d", GTIN13,
		 mark_check_digit(GTIN13, 13), n);
}

static void
sscc(int n, char out[19])
{
	mark_sscc_make(1, "4600439", (uint64_t)(900000 + n), out);
}

/* One value of a read-only query on the test database. */
static long long
q(const struct site_fx *f, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &h, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* A CSV of pallets of boxes of units (parent before or after child, as
 * an ERP may write them) and loose units; malloc'd. */
static char *
csv(int pallets, int boxes, int units, int loose)
{
	size_t cap = 256 + (size_t)(pallets * boxes * (units + 1) + pallets +
				    loose) * 80;
	char *s = malloc(cap), code[64], box[19], pal[19];
	size_t n = 0;
	int p, b, u, k = 0;

	n += (size_t)snprintf(s + n, cap - n, "\xef\xbb\xbfname,code,parent\r\n");
	for (p = 0; p < pallets; p++) {
		sscc(p * 1000, pal);
		for (b = 0; b < boxes; b++) {
			sscc(p * 1000 + b + 1, box);
			for (u = 0; u < units; u++) {
				ki(k++, code);
				n += (size_t)snprintf(s + n, cap - n,
					"milk,\"%s\\x1d93AbCd\",%s\r\n", code,
					box);
			}
			n += (size_t)snprintf(s + n, cap - n, "box,%s,%s\r\n",
					      box, pal);
		}
		n += (size_t)snprintf(s + n, cap - n, "pallet,%s,\r\n", pal);
	}
	for (u = 0; u < loose; u++) {
		ki(100000 + u, code);
		n += (size_t)snprintf(s + n, cap - n, "milk,%s\r\n", code);
	}
	return s;
}

struct hist {
	int n;
	char action[32], pack[19];
};

static int
on_event(void *arg, const struct st_event *ev)
{
	struct hist *h = arg;

	if (h->n++ == 0) {
		snprintf(h->action, sizeof(h->action), "%s", ev->action);
		snprintf(h->pack, sizeof(h->pack), "%s", ev->pack);
	}
	return 0;
}

static void
test_csv_then_ship_by_sscc(void **state)
{
	struct site_fx *f = *state;
	struct st_stock_result r;
	struct st_shipment s;
	char *data = csv(2, 10, 50, 7), pal[19], code[64], *body;
	struct mark m;
	struct err e;
	size_t len;

	assert_int_equal(st_stock_load(f->db, &f->sup, "stock.csv", data,
				       strlen(data), &r, &e), 0);
	free(data);
	assert_int_equal(r.units, 1007);
	assert_int_equal(r.packs, 22);
	assert_int_equal(r.top, 9);
	assert_int_equal(q(f, "SELECT count(*) FROM codes WHERE state = 0"),
			 1029);
	assert_int_equal(q(f, "SELECT count(*) FROM packs WHERE level ="
			   " 'pallet' AND state = 'confirmed' AND count = 10"),
			 2);
	/* every code's history starts with the load, naming its pack */
	assert_int_equal(q(f, "SELECT count(*) FROM audit WHERE action = 60"
			   " AND ok = 1"), 1029);
	assert_int_equal(q(f, "SELECT count(*) FROM audit WHERE action = 60"
			   " AND pack_id IS NOT NULL"), 1020);
	/* where: the unit's history starts with the load, in its box */
	{
		struct hist h = { 0 };
		struct st_where w;
		char box[19];

		ki(3, code);
		m = site_fx_parsed(code);
		assert_int_equal(st_where(f->db, &m, &w, on_event, &h, &e), 0);
		assert_string_equal(h.action, "stock_load");
		sscc(1, box);
		assert_string_equal(h.pack, box);
		assert_string_equal(w.parents[0], box);
	}
	/* The pallet ships whole, like one packed here. */
	sscc(1000, pal);
	m = site_fx_parsed(pal);
	assert_int_equal(st_ship_open(f->db, &f->op, "7711111111", "D-1", &s,
				      &e), 0);
	assert_int_equal(st_ship_scan(f->db, &f->op, s.id, &m, &s, &e), 0);
	assert_int_equal(s.units, 500);
	ki(100003, code);
	m = site_fx_parsed(code);
	assert_int_equal(st_ship_scan(f->db, &f->op, s.id, &m, &s, &e), 0);
	/* A unit inside a loaded box is in a pack, as ever. */
	ki(3, code);
	m = site_fx_parsed(code);
	assert_int_equal(st_ship_scan(f->db, &f->op, s.id, &m, &s, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "inside pack"));
	assert_int_equal(st_ship_finish(f->db, &f->op, s.id, &s, &e), 0);
	assert_int_equal(s.units, 501);
	assert_int_equal(st_doc_body(f->db, s.document_id, &body, &len, &e), 0);
	assert_non_null(strstr(body, "S100003"));
	assert_non_null(strstr(body, "S000510"));
	assert_null(strstr(body, "S000003"));	/* on the first pallet */
	free(body);
	assert_int_equal(q(f, "SELECT count(*) FROM codes WHERE state = 1"),
			 512);
	/* A loaded box that left comes back: accepted against its
	 * delivery like any other, in stock again with its units. */
	{
		char list[512], box[19];
		struct st_accept_progress a;
		struct st_delivery d;
		struct st_where w;

		sscc(1001, box);
		snprintf(list, sizeof(list), "%s%s\n", site_fx_list_head(),
			 box);
		assert_int_equal(st_delivery_import(f->db, &f->op, "ret.txt",
						    list, strlen(list), &d,
						    &e), 0);
		assert_int_equal(st_accept_open(f->db, &f->op, d.id, &a, &e),
				 0);
		m = site_fx_parsed(box);
		assert_int_equal(st_accept_scan(f->db, &f->op, d.id, &m, &a,
						&e), 0);
		assert_int_equal(st_accept_finish(f->db, &f->op, d.id, false,
						  &a, &e), 0);
		assert_int_equal(st_where(f->db, &m, &w, NULL, NULL, &e), 0);
		assert_string_equal(w.state, "confirmed");
	}
}

static void
test_json_tree_pack_and_disband(void **state)
{
	struct site_fx *f = *state;
	struct st_stock_result r;
	char box[19], pal[19], data[2048], a[64], b[64], c[64], scan[80];
	struct st_pack p;
	struct mark m;
	struct err e;

	sscc(1, box);
	sscc(2, pal);
	ki(1, a);
	ki(2, b);
	ki(3, c);
	snprintf(data, sizeof(data), "{\"codes\": [\n"
		 " {\"code\": \"%s\", \"children\": [\n"
		 "   {\"code\": \"%s\", \"children\": [\n"
		 "     {\"code\": \"%s\"}, {\"code\": \"%s\"}]}]},\n"
		 " {\"code\": \"%s\"}\n]}\n", pal, box, a, b, c);
	assert_int_equal(st_stock_load(f->db, &f->admin, "erp.json", data,
				       strlen(data), &r, &e), 0);
	assert_int_equal(r.units, 3);
	assert_int_equal(r.packs, 2);
	assert_int_equal(st_pack_get(f->db, pal, &p, &e), 0);
	assert_int_equal(p.level, ST_PALLET);
	assert_string_equal(p.state, "confirmed");
	/* The loose unit goes into a new box. */
	assert_int_equal(st_pack_open(f->db, &f->op, ST_BOX, NULL, NULL, NULL,
				      &p, &e), 0);
	snprintf(scan, sizeof(scan), "%s\x1d" "93AbCd", c);
	m = site_fx_parsed(scan);
	if (st_pack_scan(f->db, &f->op, p.sscc, &m, scan, strlen(scan), &p,
			 &e) != 0)
		fail_msg("pack scan: %s", e.msg);
	/* The loaded pallet exists on the state system: disbanding it
	 * is a document. */
	if (st_pack_disband(f->db, &f->sup, pal, &p, &e) != 0)
		fail_msg("disband: %s", e.msg);
	assert_int_equal(q(f, "SELECT count(*) FROM outbox WHERE type ="
			   " 'DISAGGREGATION_DOCUMENT'"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM outbox WHERE type ="
			   " 'STOCK_LOAD' AND state = 'confirmed'"
			   " AND attempts = 0"), 1);
}

/* Load data and expect a refusal holding want; nothing stored. */
static void
refused(struct site_fx *f, const char *data, int code, const char *want)
{
	long long before = q(f, "SELECT count(*) FROM codes");
	struct st_stock_result r;
	struct err e;

	assert_int_equal(st_stock_load(f->db, &f->sup, "bad.csv", data,
				       strlen(data), &r, &e), code);
	if (strstr(e.msg, want) == NULL)
		fail_msg("'%s' does not say '%s'", e.msg, want);
	assert_int_equal(q(f, "SELECT count(*) FROM codes"), before);
	assert_int_equal(r.units + r.packs, 0);
}

static void
test_bad_input(void **state)
{
	struct site_fx *f = *state;
	char data[2048], a[64], b[64], box[19], pal[19];

	ki(1, a);
	ki(2, b);
	sscc(1, box);
	sscc(2, pal);
	refused(f, "", ERR_INVALID, "header line");
	refused(f, "gtin;name\n1;2\n", ERR_INVALID, "Line 1: the header");
	snprintf(data, sizeof(data), "code\n%s\n\n0104600439931256\n", a);
	refused(f, data, ERR_INVALID, "Line 4: ");
	snprintf(data, sizeof(data), "code\n%s\n%s\n%s\n", a, b, a);
	refused(f, data, ERR_INVALID, "Line 4: ");
	refused(f, data, ERR_INVALID, "first on line 2");
	snprintf(data, sizeof(data), "code,parent\n%s,%s\n", a, box);
	refused(f, data, ERR_INVALID, "Line 2: the parent");
	snprintf(data, sizeof(data), "code,parent\n%s,%s\n", a, b);
	refused(f, data, ERR_INVALID, "is not an SSCC");
	snprintf(data, sizeof(data), "code,parent\n%s,%s\n%s,%s\n", box, pal,
		 pal, box);
	refused(f, data, ERR_INVALID, "inside itself");
	snprintf(data, sizeof(data), "code\n\"%s\n", a);
	refused(f, data, ERR_INVALID, "quote is not closed");
	/* found by fuzz_stock: a header field that cannot be read looped
	 * for ever */
	refused(f, "\"code,parent\n", ERR_INVALID,
		"Line 1: a quote is not closed");
	memset(data, 'x', 300);
	memcpy(data + 300, ";code\n", 7);
	refused(f, data, ERR_INVALID, "column name is too long");
	refused(f, "[{\"code\": 5}]", ERR_INVALID, "\"code\"");
	refused(f, "[{\"code\": \"x\"", ERR_INVALID, "not valid JSON");
	/* A code stored already (the last line): nothing of the file. */
	snprintf(data, sizeof(data), "code\n%s\n", b);
	{
		struct st_stock_result r;
		struct err e;

		assert_int_equal(st_stock_load(f->db, &f->sup, "one.csv", data,
					       strlen(data), &r, &e), 0);
	}
	snprintf(data, sizeof(data), "code,parent\n%s,%s\n%s,\n%s,%s\n", a,
		 box, box, b, box);
	refused(f, data, ERR_REFUSED, "Line 4: ");
	refused(f, data, ERR_REFUSED, "nothing was loaded");
}

static void
test_operator_denied(void **state)
{
	struct site_fx *f = *state;
	struct st_stock_result r;
	char data[128], a[64];
	struct err e;

	ki(1, a);
	snprintf(data, sizeof(data), "code\n%s\n", a);
	assert_int_equal(st_stock_load(f->db, &f->op, "x.csv", data,
				       strlen(data), &r, &e), ERR_DENIED);
	assert_int_equal(q(f, "SELECT count(*) FROM codes"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM audit WHERE action = 60"
			   " AND ok = 0"), 1);
}

struct lines {
	int missing, extra;
	char first_extra[160];
	char missing_pack[19];
};

static int
on_line(void *arg, const struct st_count_line *l)
{
	struct lines *x = arg;

	if (l->missing) {
		x->missing++;
		snprintf(x->missing_pack, sizeof(x->missing_pack), "%s",
			 l->pack);
	} else if (x->extra++ == 0) {
		snprintf(x->first_extra, sizeof(x->first_extra), "%s",
			 l->why);
	}
	return 0;
}

struct rows {
	int n;
	struct st_stock_row r[8];
};

static int
on_row(void *arg, const struct st_stock_row *r)
{
	struct rows *x = arg;

	if (x->n < 8)
		x->r[x->n] = *r;
	x->n++;
	return 0;
}

static void
test_report_and_count(void **state)
{
	struct site_fx *f = *state;
	struct st_count_result r;
	struct st_stock_result sr;
	struct st_shipment s;
	char *data = csv(2, 3, 4, 2), pal[19], box[19], other[19], code[64];
	struct mark scans[8], m;
	struct lines l = { 0 };
	struct rows rows = { 0 };
	const char *cat = "gtin,name\n" GTIN13 "6,Milk\n";
	struct err e;
	size_t prod;

	/* 2 pallets x 3 boxes x 4 units, 2 loose; pallet 2 shipped */
	assert_int_equal(st_stock_load(f->db, &f->sup, "s.csv", data,
				       strlen(data), &sr, &e), 0);
	free(data);
	assert_int_equal(st_catalogue_import(f->db, &f->sup, "c.csv", cat,
					     strlen(cat), &prod, &e), 0);
	sscc(1000, pal);
	m = site_fx_parsed(pal);
	assert_int_equal(st_ship_open(f->db, &f->op, "7711111111", "R-1", &s,
				      &e), 0);
	assert_int_equal(st_ship_scan(f->db, &f->op, s.id, &m, &s, &e), 0);
	assert_int_equal(st_ship_finish(f->db, &f->op, s.id, &s, &e), 0);

	assert_int_equal(st_stock_report(f->db, ST_STOCK_BY_GTIN, on_row,
					 &rows, &e), 0);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.r[0].key, GTIN13 "6");
	assert_string_equal(rows.r[0].name, "Milk");
	assert_int_equal(rows.r[0].units, 14);
	rows.n = 0;
	assert_int_equal(st_stock_report(f->db, ST_STOCK_BY_PACK, on_row,
					 &rows, &e), 0);
	assert_int_equal(rows.n, 4);	/* pallet 1 and its 3 boxes */
	sscc(0, pal);
	assert_string_equal(rows.r[0].key, pal);
	assert_string_equal(rows.r[0].kind, "pallet");
	assert_int_equal(rows.r[0].children, 3);
	assert_int_equal(rows.r[0].units, 12);
	assert_string_equal(rows.r[1].parent, pal);
	assert_int_equal(rows.r[1].units, 4);
	rows.n = 0;
	assert_int_equal(st_stock_report(f->db, ST_STOCK_BY_STATE, on_row,
					 &rows, &e), 0);
	{
		int i, shipped = 0, loose = 0;

		for (i = 0; i < rows.n && i < 8; i++) {
			if (strcmp(rows.r[i].kind, "unit") == 0 &&
			    strcmp(rows.r[i].state, "shipped") == 0)
				shipped = rows.r[i].units;
			if (strcmp(rows.r[i].state, "loose") == 0)
				loose = rows.r[i].units;
		}
		assert_int_equal(shipped, 12);
		assert_int_equal(loose, 2);
	}

	/* Count pallet 1: box 1 scanned whole, two units of box 2 one by
	 * one, box 3 not at all; a loose unit, a shipped unit and an
	 * unknown code are extra. */
	sscc(1, box);
	scans[0] = site_fx_parsed(box);
	ki(4, code);
	scans[1] = site_fx_parsed(code);
	ki(5, code);
	scans[2] = site_fx_parsed(code);
	ki(100000, code);
	scans[3] = site_fx_parsed(code);
	ki(12, code);
	scans[4] = site_fx_parsed(code);
	ki(99999, code);
	scans[5] = site_fx_parsed(code);
	assert_int_equal(st_stock_count(f->db, &f->op, pal, scans, 6, on_line,
					 &l, &r, &e), 0);
	assert_int_equal(r.expected, 12);
	assert_int_equal(r.found, 6);
	assert_int_equal(r.missing, 6);
	assert_int_equal(r.extra, 3);
	assert_int_equal(l.missing, 6);
	assert_int_equal(l.extra, 3);
	assert_non_null(strstr(l.first_extra, "loose stock"));
	sscc(3, other);
	assert_string_equal(l.missing_pack, other);
	/* The whole stock: pallet 1 and the two loose units scanned; the
	 * shipped one is extra. */
	memset(&l, 0, sizeof(l));
	scans[0] = site_fx_parsed(pal);
	ki(100000, code);
	scans[1] = site_fx_parsed(code);
	ki(100001, code);
	scans[2] = site_fx_parsed(code);
	ki(12, code);
	scans[3] = site_fx_parsed(code);
	assert_int_equal(st_stock_count(f->db, &f->op, NULL, scans, 4, on_line,
					 &l, &r, &e), 0);
	assert_int_equal(r.expected, 14);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.extra, 1);
	assert_non_null(strstr(l.first_extra, "shipped"));
	/* A shipped pack is no scope for a count. */
	sscc(1000, other);
	assert_int_equal(st_stock_count(f->db, &f->op, other, scans, 1, NULL,
					 NULL, &r, &e), ERR_NOTFOUND);
}

static int
sh(const struct site_fx *f, const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && B='%s' && SKLAD_PIN=%s && "
		 "export SKLAD_PIN && %s", f->dir, getenv("SKLAD_BIN"),
		 SITE_FX_PIN, cmd);
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_cli_regular_files_only(void **state)
{
	struct site_fx *f = *state;
	char a[64];

	if (getenv("SKLAD_BIN") == NULL)
		skip();
	ki(7, a);
	st_close(&f->db);
	assert_int_equal(sh(f, "mkfifo fifo && $B stock load fifo --db t.db "
			    "--user olga 2>err"), 1);
	assert_int_equal(sh(f, "grep -q 'not a regular file' err"), 0);
	assert_int_equal(sh(f, "$B stock load . --db t.db 2>err"), 1);
	assert_int_equal(sh(f, "$B stock load missing.csv --db t.db 2>err"),
			 78);
	assert_int_equal(sh(f, "printf 'code\\n%s\\n' >s.csv && $B stock load"
			    " s.csv --db t.db --user olga --json >out && grep "
			    "-q '\"units\":1' out", a), 0);
	assert_int_equal(sh(f, "$B stock load s.csv --db t.db --user ivan "
			    "2>err"), 1);
	assert_int_equal(sh(f, "grep -q 'needs a supervisor' err"), 0);
	{
		struct err e;

		assert_int_equal(st_open(f->path, false, &f->db, &e), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SITE_FX_TEST(test_csv_then_ship_by_sscc),
		SITE_FX_TEST(test_json_tree_pack_and_disband),
		SITE_FX_TEST(test_bad_input),
		SITE_FX_TEST(test_operator_denied),
		SITE_FX_TEST(test_report_and_count),
		SITE_FX_TEST(test_cli_regular_files_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
