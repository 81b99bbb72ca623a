/*
 * test_st_catalogue: the product catalogue on real SQLite files. CSV
 * (quotes, separators, byte order mark, EAN-13) and JSON imports, a
 * later import renaming, refusals with their line and nothing stored,
 * st_product_name for other modules, names in `where`, and the GTINs
 * still without a name. It must not mock the database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store.h"
#include "tests/site_fx.h"

static size_t
import(struct site_fx *f, const char *data, int want)
{
	struct err e;
	size_t n = 0;

	if (st_catalogue_import(f->db, &f->sup, "erp.csv", data, strlen(data),
				&n, &e) != want)
		fail_msg("import gave: %s", e.msg);
	return n;
}

static int
count(void *arg, const struct st_product *p)
{
	(void)p;
	(*(int *)arg)++;
	return 0;
}

static void
test_csv_and_json(void **state)
{
	struct site_fx *f = *state;
	struct st_product p;
	char name[64];
	struct err e;
	int n = 0;

	assert_int_equal(import(f, "\xef\xbb\xbfGTIN;Name;UoM;PG;price\r\n"
				"04600439931256;\"Молоко 3,2%; \"\"Луг\"\"\";"
				"шт;milk;99\r\n"
				"# a comment\r\n\r\n"
				"4607000000014;Кефир;;;1\r\n", 0), 2);
	assert_int_equal(st_product_get(f->db, "04600439931256", &p, &e), 1);
	assert_string_equal(p.name, "Молоко 3,2%; \"Луг\"");
	assert_string_equal(p.unit, "шт");
	assert_string_equal(p.product_group, "milk");
	assert_int_equal(st_product_name(f->db, "04607000000014", name,
					 sizeof(name)), 1);
	assert_string_equal(name, "Кефир");
	assert_int_equal(st_product_name(f->db, "04600000000000", name,
					 sizeof(name)), 0);
	assert_string_equal(name, "");
	/* A later source renames; an empty unit keeps the known one. */
	assert_int_equal(import(f, "{\"products\": [{\"gtin\": "
				"\"04600439931256\", \"name\": \"Молоко\"}]}",
				0), 1);
	assert_int_equal(st_product_get(f->db, "04600439931256", &p, &e), 1);
	assert_string_equal(p.name, "Молоко");
	assert_string_equal(p.unit, "шт");
	assert_int_equal(st_products(f->db, count, &n, &e), 0);
	assert_int_equal(n, 2);
}

static void
refused(struct site_fx *f, const char *data, const char *want)
{
	struct err e;
	size_t n = 9;
	int before = 0, after = 0;

	st_products(f->db, count, &before, &e);
	assert_int_equal(st_catalogue_import(f->db, &f->sup, "bad.csv", data,
					     strlen(data), &n, &e),
			 ERR_INVALID);
	if (strstr(e.msg, want) == NULL)
		fail_msg("'%s' does not say '%s'", e.msg, want);
	assert_int_equal(n, 0);
	st_products(f->db, count, &after, &e);
	assert_int_equal(after, before);
}

static void
test_refusals(void **state)
{
	struct site_fx *f = *state;
	struct err e;
	size_t n;

	refused(f, "", "empty");
	refused(f, "code,name\n1,2\n", "Line 1: the header");
	refused(f, "gtin,name\n04600439931256,A\n04600439931257,B\n",
		"Line 3: 04600439931257 is not a GTIN");
	refused(f, "gtin,name\n04600439931256,\n", "Line 2: GTIN "
		"04600439931256 has no name");
	refused(f, "gtin,name\n04600439931256,\"a\x1b[2Jb\"\n", "not plain "
		"text");
	refused(f, "gtin,name\n04600439931256,\"open\n", "quote");
	refused(f, "[{\"gtin\": \"04600439931256\"}]", "Product 1:");
	refused(f, "[{\"gtin\": ", "not valid JSON");
	assert_int_equal(st_catalogue_import(f->db, &f->op, "x.csv",
					     "gtin,name\n04600439931256,A\n",
					     27, &n, &e), ERR_DENIED);
}

static void
test_where_and_missing(void **state)
{
	struct site_fx *f = *state;
	char gtins[4][MARK_GTIN_LEN + 1];
	struct st_stock_result r;
	struct st_where w;
	struct mark m;
	struct err e;
	int n;
	const char *stock = "code\n0104600439931256211234567\n"
		"0104607000000014217654321\n";

	assert_int_equal(st_stock_load(f->db, &f->sup, "s.csv", stock,
				       strlen(stock), &r, &e), 0);
	assert_int_equal(st_products_missing(f->db, gtins, 4, &n, &e), 0);
	assert_int_equal(n, 2);
	import(f, "gtin,name,unit\n4600439931256,Молоко,шт\n", 0);
	assert_int_equal(st_products_missing(f->db, gtins, 4, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(gtins[0], "04607000000014");
	m = site_fx_parsed("0104600439931256211234567");
	assert_int_equal(st_where(f->db, &m, &w, NULL, NULL, &e), 0);
	assert_string_equal(w.gtin, "04600439931256");
	assert_string_equal(w.product, "Молоко");
	m = site_fx_parsed("0104607000000014217654321");
	assert_int_equal(st_where(f->db, &m, &w, NULL, NULL, &e), 0);
	assert_string_equal(w.product, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SITE_FX_TEST(test_csv_and_json),
		SITE_FX_TEST(test_refusals),
		SITE_FX_TEST(test_where_and_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
