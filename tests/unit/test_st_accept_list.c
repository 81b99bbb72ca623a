/*
 * test_st_accept_list: what the acceptance screen lists, on real SQLite
 * files: the deliveries with progress and deadline (weekends skipped),
 * the missing codes top level first and paged, and the surplus and
 * wrong-item scans of every session. It must not mock the database or
 * depend on today's date beyond "long ago is overdue".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/site_fx.h"

#define GS "\x1d"
#define GTIN13 "0460700000001"
#define OTHER13 "0460700000002"

static void
unit(const char *gtin13, int n, char *scan, size_t sn)
{
	snprintf(scan, sn, "01%s%d21S%05dXYZABCD" GS "93AbCd", gtin13,
		 mark_check_digit(gtin13, 13), n);
}

static void
test_deadline(void **state)
{
	char d[11];

	(void)state;
	/* Monday -> Thursday; Wednesday -> Monday; Friday -> Wednesday;
	 * Saturday and Sunday -> Wednesday. */
	assert_int_equal(st_accept_deadline("2026-11-23", d), 0);
	assert_string_equal(d, "2026-11-26");
	assert_int_equal(st_accept_deadline("2026-11-25T17:30:00.123Z", d), 0);
	assert_string_equal(d, "2026-11-30");
	assert_int_equal(st_accept_deadline("2026-11-27", d), 0);
	assert_string_equal(d, "2026-12-02");
	assert_int_equal(st_accept_deadline("2026-11-28", d), 0);
	assert_string_equal(d, "2026-12-02");
	assert_int_equal(st_accept_deadline("2026-11-29", d), 0);
	assert_string_equal(d, "2026-12-02");
	/* across a year and a leap day */
	assert_int_equal(st_accept_deadline("2027-12-30", d), 0);
	assert_string_equal(d, "2028-01-04");
	assert_int_equal(st_accept_deadline("2028-02-25", d), 0);
	assert_string_equal(d, "2028-03-01");
	assert_int_equal(st_accept_deadline("soon", d), -1);
	assert_string_equal(d, "");
}

struct rows {
	struct st_delivery_row r[8];
	int n;
};

static int
collect(void *arg, const struct st_delivery_row *d)
{
	struct rows *rs = arg;

	if (rs->n < 8)
		rs->r[rs->n++] = *d;
	return 0;
}

static void
test_deliveries(void **state)
{
	struct site_fx *f = *state;
	struct st_delivery old, now;
	struct st_accept_progress p;
	char text[1024], u[96];
	struct rows rs = { .n = 0 };
	struct mark m;
	struct err e;

	/* A JSON document transferred long ago, from a known sender. */
	unit(GTIN13, 1, u, sizeof(u));
	snprintf(text, sizeof(text), "[{\"number\":\"r-1\",\"senderInn\":"
		 "\"7700000099\",\"docDate\":\"2020-03-05T10:00:00.000Z\","
		 "\"body\":{\"document_num\":\"TN-1\","
		 "\"transfer_date\":\"2020-03-06\",\"products\":[{\"uit_code"
		 "\":\"01%s%d21S00001XYZABCD\"},{\"uit_code\":\"01%s%d21S00002"
		 "XYZABCD\"}]}}]", GTIN13, mark_check_digit(GTIN13, 13),
		 GTIN13, mark_check_digit(GTIN13, 13));
	assert_int_equal(st_delivery_import(f->db, &f->op, "doc.json", text,
					    strlen(text), &old, &e), 0);
	/* A plain list imported today. */
	snprintf(text, sizeof(text), "%s%s\n", site_fx_list_head(), u);
	assert_int_equal(st_delivery_import(f->db, &f->op, "today.txt", text,
					    strlen(text), &now, &e), 0);
	assert_int_equal(st_accept_open(f->db, &f->op, old.id, &p, &e), 0);
	m = site_fx_parsed(u);
	assert_int_equal(st_accept_scan(f->db, &f->op, old.id, &m, &p, &e), 0);

	assert_int_equal(st_deliveries(f->db, collect, &rs, &e), 0);
	assert_int_equal(rs.n, 2);
	/* newest first */
	assert_int_equal(rs.r[0].id, now.id);
	assert_int_equal(rs.r[1].id, old.id);
	assert_string_equal(rs.r[1].number, "TN-1");
	assert_string_equal(rs.r[1].sender_inn, "7700000099");
	assert_string_equal(rs.r[1].state, "accepting");
	assert_int_equal(rs.r[1].expected, 2);
	assert_int_equal(rs.r[1].matched, 1);
	/* Friday 2020-03-06 + 3 working days = Wednesday 2020-03-11 */
	assert_string_equal(rs.r[1].deadline, "2020-03-11");
	assert_true(rs.r[1].overdue);
	assert_false(rs.r[1].finished);
	assert_false(rs.r[0].overdue);
	assert_int_equal(strlen(rs.r[0].deadline), 10);
	assert_true(rs.r[0].imported_at[0] == '2');
	/* finished long ago: no longer overdue */
	assert_int_equal(st_accept_finish(f->db, &f->op, old.id, true, &p, &e),
			 0);
	rs.n = 0;
	assert_int_equal(st_deliveries(f->db, collect, &rs, &e), 0);
	assert_true(rs.r[1].finished);
	assert_false(rs.r[1].overdue);
}

static void
test_missing_and_surplus(void **state)
{
	struct site_fx *f = *state;
	struct st_accept_code rows[40];
	char text[8192], u[96], sscc[2][MARK_SSCC_LEN + 1];
	struct st_accept_progress p;
	struct st_delivery d;
	struct mark m;
	struct err e;
	size_t at = 0;
	int i, n, total;

	/* Two boxes of 5 units and 10 loose units: 22 codes, 12 at top. */
	for (i = 0; i < 2; i++)
		assert_int_equal(mark_sscc_make(0, "4607000", 300 + i,
						sscc[i]), 0);
	for (i = 0; i < 20; i++) {
		unit(GTIN13, i + 1, u, sizeof(u));
		if (i % 10 == 0 && i < 20)
			at += (size_t)snprintf(text + at, sizeof(text) - at,
					       "%s\n", sscc[i / 10]);
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%s%s\n",
				       i % 10 < 5 ? "\t" : "", u);
	}
	snprintf(text + at, sizeof(text) - at, "%s", site_fx_list_head());
	assert_int_equal(st_delivery_import(f->db, &f->op, "l.txt", text,
					    strlen(text), &d, &e), 0);
	assert_int_equal(d.expected, 22);
	assert_int_equal(st_accept_missing(f->db, d.id, 0, 40, rows, &n, &e),
			 0);
	assert_int_equal(n, 22);
	for (i = 0; i < 12; i++)
		assert_true(rows[i].top);
	for (; i < 22; i++)
		assert_false(rows[i].top);
	/* SSCCs come first among the top level, as documents write them */
	assert_true(strcmp(rows[0].code, sscc[0]) == 0 ||
		    strcmp(rows[0].code, sscc[1]) == 0);
	assert_int_equal(rows[0].kind, 5);
	assert_int_equal(strncmp(rows[2].code, "01" GTIN13, 15), 0);
	assert_int_equal(rows[2].kind, 1);
	/* Pages join up across the top level / inside border. */
	total = 0;
	for (i = 0; i < 22; i += 5) {
		struct st_accept_code page[5];
		int k;

		assert_int_equal(st_accept_missing(f->db, d.id, i, 5, page, &n,
						   &e), 0);
		for (k = 0; k < n; k++)
			assert_string_equal(page[k].code, rows[i + k].code);
		total += n;
	}
	assert_int_equal(total, 22);
	assert_int_equal(st_accept_missing(f->db, d.id, 30, 5, rows, &n, &e),
			 0);
	assert_int_equal(n, 0);

	/* Scan the first box: it and its 5 units leave the list. */
	assert_int_equal(st_accept_open(f->db, &f->op, d.id, &p, &e), 0);
	m = site_fx_parsed(sscc[0]);
	assert_int_equal(st_accept_scan(f->db, &f->op, d.id, &m, &p, &e), 0);
	assert_int_equal(p.matched, 6);
	assert_int_equal(st_accept_missing(f->db, d.id, 0, 40, rows, &n, &e),
			 0);
	assert_int_equal(n, 16);
	for (i = 0; i < n; i++)
		assert_string_not_equal(rows[i].code, sscc[0]);

	/* Surplus and wrong item, in two sessions. */
	unit(GTIN13, 99, u, sizeof(u));
	m = site_fx_parsed(u);
	assert_int_equal(st_accept_scan(f->db, &f->op, d.id, &m, &p, &e), 0);
	assert_string_equal(p.verdict, "surplus");
	unit(OTHER13, 1, u, sizeof(u));
	m = site_fx_parsed(u);
	assert_int_equal(st_accept_scan(f->db, &f->sup, d.id, &m, &p, &e), 0);
	assert_string_equal(p.verdict, "wrong_item");
	/* again: a duplicate, not listed twice */
	assert_int_equal(st_accept_scan(f->db, &f->sup, d.id, &m, &p, &e), 0);
	assert_int_equal(st_accept_surplus(f->db, d.id, 0, 40, rows, &n, &e),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].verdict, "wrong_item");
	assert_int_equal(strncmp(rows[0].code, "01" OTHER13, 15), 0);
	assert_string_equal(rows[1].verdict, "surplus");
	assert_int_equal(st_accept_surplus(f->db, d.id, 1, 40, rows, &n, &e),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].verdict, "surplus");
	/* another delivery's lists are its own */
	assert_int_equal(st_accept_surplus(f->db, d.id + 1, 0, 40, rows, &n,
					   &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(st_accept_missing(f->db, d.id + 1, 0, 40, rows, &n,
					   &e), 0);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline),
		SITE_FX_TEST(test_deliveries),
		SITE_FX_TEST(test_missing_and_surplus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
