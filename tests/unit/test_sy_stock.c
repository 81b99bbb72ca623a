/*
 * test_sy_stock: `sklad stock fetch` and `sklad catalogue fetch` (the
 * real binary) against the HTTPS True API emulator on a real database:
 * owned codes read page by page from /cises/search and loaded with their
 * boxes (then shipped by SSCC), the 10 000-code limit, codes known here
 * left alone, an unavailable server (exit 75, nothing stored); names from
 * /product/info in requests of at most 100 GTINs, through a 401.
 *
 * Must not: talk to anything but the emulator on loopback, or leave
 * files behind.
 */
#include "tests/api/emu.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/api/emu_site.h"

#include "store/store.h"

static struct emu emu;

struct fixture {
	struct emu_site s;
};

static int
group_setup(void **state)
{
	static const char *const args[] = { "--process-delay", "0", NULL };

	(void)state;
	setenv("SKLAD_PIN", "1234", 1);
	return emu_start(&emu, args);
}

static int
group_teardown(void **state)
{
	(void)state;
	emu_stop(&emu);
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	emu_site_make(&emu, &f->s, "sklad-stk", &(struct emu_site_opts){
		.pg = "milk",
		.api_extra = "max_attempts = 2\nmax_wait_ms = 2000\n" });
	*state = f;
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	emu_site_remove(&f->s);
	free(f);
	return 0;
}

/* Run and expect exit code want; else fail showing what it said. */
static void
expect(struct fixture *f, const char *const *args, int want)
{
	int rc = emu_site_run(&f->s, NULL, args);

	if (rc != want)
		fail_msg("exit %d, not %d: %s", rc, want, emu_slurp(f->s.errf));
}

static void
send_cmd(json_t *c)
{
	char *s = json_dumps(c, JSON_COMPACT);

	assert_non_null(s);
	assert_true(emu_ok(&emu, s));
	free(s);
	json_decref(c);
}

/* GTIN number g with its check digit. */
static void
gtin(int g, char out[15])
{
	snprintf(out, 15, "04607%08d", g);
	out[13] = (char)('0' + mark_check_digit(out, 13));
	out[14] = '\0';
}

static void
unit(int g, int n, char out[64])
{
	char gt[15];

	gtin(g, gt);
	snprintf(out, 64, "01%s21U%06d", gt, n);
}

/* An owned code for the emulator. */
static json_t *
owned(const char *cis, const char *owner, const char *status,
      const char *parent, const char *pt)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "cis", cis,
			      "ownerInn", owner, "status", status,
			      "packageType", pt, "productGroup", "milk",
			      "emissionDate", "2026-10-01T10:00:00.000Z");

	if (parent)
		json_object_set_new(o, "parent", json_string(parent));
	return o;
}

static void
test_fetch_paged_and_ship(void **state)
{
	struct fixture *f = *state;
	const char *const args[] = { "stock", "fetch", "--db", f->s.db,
				     "--config", f->s.conf, "--user", "boss",
				     "--json", NULL };
	json_t *arr = json_array(), *r, *pages;
	char code[64], box[2][19];
	struct st_stock_result sr;
	struct st_shipment s;
	struct st_actor who;
	struct st_db *db = NULL;
	struct mark m;
	struct err e;
	int b, i, n = 0;

	for (b = 0; b < 2; b++) {
		mark_sscc_make(1, "4600439", (uint64_t)(700 + b), box[b]);
		json_array_append_new(arr, owned(box[b], emu.inn, "INTRODUCED",
						 NULL, "BOX"));
		for (i = 0; i < 100; i++) {
			unit(1, n++, code);
			json_array_append_new(arr, owned(code, emu.inn,
				"INTRODUCED", box[b], "UNIT"));
		}
	}
	for (i = 0; i < 2100; i++) {
		unit(2, i, code);
		json_array_append_new(arr, owned(code, emu.inn, "INTRODUCED",
						 NULL, "UNIT"));
	}
	unit(3, 1, code);	/* someone else's */
	json_array_append_new(arr, owned(code, "7700000002", "INTRODUCED",
					 NULL, "UNIT"));
	unit(3, 2, code);	/* not in circulation */
	json_array_append_new(arr, owned(code, emu.inn, "EMITTED", NULL,
					 "UNIT"));
	send_cmd(json_pack("{s:s, s:o}", "cmd", "add_cises", "cises", arr));
	/* one owned unit is in stock here already */
	unit(2, 5, code);
	{
		char data[128];

		snprintf(data, sizeof(data), "code\n%s\n", code);
		assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
		assert_int_equal(st_login(db, "boss", "1234", "t", &who, &e),
				 0);
		assert_int_equal(st_stock_load(db, &who, "x.csv", data,
					       strlen(data), &sr, &e), 0);
		st_close(&db);
	}
	expect(f, args, 0);
	r = json_loads(emu_slurp(f->s.out), 0, NULL);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "units")),
			 2299);
	assert_int_equal(json_integer_value(json_object_get(r, "packs")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "known")), 1);
	assert_true(json_is_false(json_object_get(r, "more")));
	json_decref(r);
	/* three pages of at most 1000, each after the last code of the one
	 * before */
	r = emu_cmd(&emu, "{\"cmd\":\"search_seen\"}");
	pages = json_object_get(r, "pages");
	assert_int_equal(json_array_size(pages), 3);
	assert_null(json_object_get(json_array_get(pages, 0), "sgtin"));
	assert_non_null(json_object_get(json_array_get(pages, 2), "sgtin"));
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(pages, 1), "perPage")), 1000);
	json_decref(r);
	/* a fetched box ships by its SSCC with its 100 units */
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_login(db, "boss", "1234", "t", &who, &e), 0);
	assert_int_equal(mark_sscc_check(box[1], 18, &m), 0);
	assert_int_equal(st_ship_open(db, &who, "7711111111", "F-1", &s, &e),
			 0);
	assert_int_equal(st_ship_scan(db, &who, s.id, &m, &s, &e), 0);
	assert_int_equal(s.units, 100);
	st_close(&db);
	/* again: everything is known now, nothing new */
	expect(f, args, 0);
	r = json_loads(emu_slurp(f->s.out), 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(r, "known")),
			 2302);
	assert_int_equal(json_integer_value(json_object_get(r, "units")), 0);
	json_decref(r);
}

static void
test_fetch_limit(void **state)
{
	struct fixture *f = *state;
	const char *const args[] = { "stock", "fetch", "--db", f->s.db,
				     "--config", f->s.conf, "--user", "boss",
				     NULL };
	json_t *arr = json_array(), *r;
	char code[64];
	int i;

	for (i = 0; i < 10500; i++) {
		unit(4, i, code);
		json_array_append_new(arr, owned(code, emu.inn, "INTRODUCED",
						 NULL, "UNIT"));
	}
	send_cmd(json_pack("{s:s, s:o}", "cmd", "add_cises", "cises", arr));
	expect(f, args, 0);
	assert_non_null(strstr(emu_slurp(f->s.out), "10000 units and 0 packs"));
	assert_non_null(strstr(emu_slurp(f->s.out), "at most 10000 codes"));
	r = emu_cmd(&emu, "{\"cmd\":\"search_seen\"}");
	assert_int_equal(json_array_size(json_object_get(r, "pages")), 10);
	json_decref(r);
}

static void
test_fetch_unavailable(void **state)
{
	struct fixture *f = *state;
	const char *const args[] = { "stock", "fetch", "--db", f->s.db,
				     "--config", f->s.conf, "--user", "boss",
				     NULL };
	struct st_where w;
	struct st_db *db = NULL;
	char code[64];
	struct mark m;
	struct err e;
	json_t *arr = json_array();
	int i;

	for (i = 0; i < 1500; i++) {
		unit(5, i, code);
		json_array_append_new(arr, owned(code, emu.inn, "INTRODUCED",
						 NULL, "UNIT"));
	}
	send_cmd(json_pack("{s:s, s:o}", "cmd", "add_cises", "cises", arr));
	/* a 503, then every connection dropped: nothing is stored */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/cises/"
			   "search\",\"kind\":\"status\",\"status\":503,"
			   "\"count\":1}"));
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/cises/"
			   "search\",\"kind\":\"drop\",\"count\":20}"));
	expect(f, args, 75);
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	unit(5, 0, code);
	assert_int_equal(mark_parse(code, strlen(code), &m), 0);
	assert_int_equal(st_where(db, &m, &w, NULL, NULL, &e), ERR_NOTFOUND);
	st_close(&db);
}

static void
test_catalogue_fetch(void **state)
{
	struct fixture *f = *state;
	const char *const args[] = { "catalogue", "fetch", "--db", f->s.db,
				     "--config", f->s.conf, "--user", "boss",
				     "--json", NULL };
	json_t *prods = json_array(), *r, *sizes;
	char data[150 * 40 + 16], code[64], gt[15], name[64];
	struct st_stock_result sr;
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	size_t len = 0;
	int g;

	len += (size_t)snprintf(data, sizeof(data), "code\n");
	for (g = 0; g < 150; g++) {
		unit(100 + g, 1, code);
		len += (size_t)snprintf(data + len, sizeof(data) - len,
					"%s\n", code);
		gtin(100 + g, gt);
		snprintf(name, sizeof(name), "Молоко %d", g);
		if (g < 140)
			json_array_append_new(prods, json_pack("{s:s, s:s, "
				"s:s, s:i}", "gtin", gt, "name", name,
				"productGroup", "milk", "productGroupId", 8));
	}
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_login(db, "boss", "1234", "t", &who, &e), 0);
	assert_int_equal(st_stock_load(db, &who, "s.csv", data, len, &sr, &e),
			 0);
	st_close(&db);
	send_cmd(json_pack("{s:s, s:o}", "cmd", "add_products", "products",
			   prods));
	/* a token the server forgets: re-authenticate once and go on */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/product/"
			   "info\",\"kind\":\"xml401\",\"count\":1}"));
	expect(f, args, 0);
	assert_non_null(strstr(emu_slurp(f->s.out), "\"asked\":150"));
	assert_non_null(strstr(emu_slurp(f->s.out), "\"products\":140"));
	r = emu_cmd(&emu, "{\"cmd\":\"products_seen\"}");
	sizes = json_object_get(r, "sizes");
	/* the 401 answer, then 100 and 50 */
	assert_int_equal(json_integer_value(json_array_get(sizes,
		json_array_size(sizes) - 1)), 50);
	assert_int_equal(json_integer_value(json_array_get(sizes,
		json_array_size(sizes) - 2)), 100);
	json_decref(r);
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	gtin(100 + 7, gt);
	assert_int_equal(st_product_name(db, gt, name, sizeof(name)), 1);
	assert_string_equal(name, "Молоко 7");
	gtin(100 + 145, gt);
	assert_int_equal(st_product_name(db, gt, name, sizeof(name)), 0);
	st_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fetch_paged_and_ship,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fetch_unavailable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_catalogue_fetch, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
