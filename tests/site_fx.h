/*
 * site_fx: a fresh site database for store tests. Header-only (static
 * functions) so each test program takes it without another archive.
 *
 * The database lives in a new folder on tmpfs when there is one (tests
 * make thousands of fsyncs), with site INN 7700000000, GS1 prefix 4600439,
 * extension 1, and three users logged in: boss (admin), ivan (operator,
 * on "scanner-1") and olga (supervisor, PIN sup_pin); every PIN but
 * sup_pin is SITE_FX_PIN, as is sup_pin when NULL.
 */
#ifndef SKLAD_TESTS_SITE_FX_H
#define SKLAD_TESTS_SITE_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define SITE_FX_PIN "1234"

struct site_fx {
	char dir[64];
	char path[96];
	struct st_db *db;
	struct st_actor admin, op, sup;
};

/* The header lines a plain delivery list must carry (sender, number,
 * date: today, so that nothing is overdue), each call a new number. */
static inline const char *
site_fx_list_head(void)
{
	static char h[128];
	static int n;
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(h, sizeof(h), "# sender_inn: 7711111111\n# number: IN-%d\n"
		 "# date: %04d-%02d-%02d\n", ++n, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday);
	return h;
}

/* Set the site up for product group pg; any failure fails the calling
 * test. */
static void
site_fx_open_pg(struct site_fx *f, const char *sup_pin, const char *pg)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .require_crypto = true,
				.gtin_policy = "any" };
	struct err e;

	snprintf(site.product_group, sizeof(site.product_group), "%s", pg);

	snprintf(f->dir, sizeof(f->dir), "%s/sklad-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	assert_int_equal(st_open(f->path, true, &f->db, &e), 0);
	if (sup_pin == NULL)
		sup_pin = SITE_FX_PIN;
	assert_int_equal(st_site_init(f->db, &site, "boss", SITE_FX_PIN, &e),
			 0);
	assert_int_equal(st_login(f->db, "boss", SITE_FX_PIN, "t1", &f->admin,
				  &e), 0);
	assert_int_equal(st_user_add(f->db, &f->admin, "ivan", ST_OPERATOR,
				     SITE_FX_PIN, &e), 0);
	assert_int_equal(st_user_add(f->db, &f->admin, "olga", ST_SUPERVISOR,
				     sup_pin, &e), 0);
	assert_int_equal(st_login(f->db, "ivan", SITE_FX_PIN, "scanner-1",
				  &f->op, &e), 0);
	assert_int_equal(st_login(f->db, "olga", sup_pin, "t1", &f->sup, &e),
			 0);
}

/* The usual site: a milk producer. */
static void __attribute__((unused))
site_fx_open(struct site_fx *f, const char *sup_pin)
{
	site_fx_open_pg(f, sup_pin, "milk");
}

/* Close the database and remove its folder; 0, or -1. */
static int
site_fx_close(struct site_fx *f)
{
	char cmd[160];

	st_close(&f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* cmocka setup: a fresh usual site (site_fx_open) in *state. */
static int __attribute__((unused))
site_fx_setup(void **state)
{
	struct site_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	site_fx_open(f, NULL);
	*state = f;
	return 0;
}

/* cmocka teardown for any site_fx in *state: closed, removed, freed. */
static int __attribute__((unused))
site_fx_teardown(void **state)
{
	struct site_fx *f = *state;
	int rc = site_fx_close(f);

	free(f);
	return rc;
}

/* A cmocka test on a fresh usual site. */
#define SITE_FX_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, site_fx_setup, site_fx_teardown)

/* A code as a test writes it, parsed as a marking code or an SSCC. */
static struct mark __attribute__((unused))
site_fx_parsed(const char *scan)
{
	struct mark m;

	if (mark_parse(scan, strlen(scan), &m) != 0 &&
	    mark_sscc_check(scan, strlen(scan), &m) != 0)
		fail_msg("test code %s does not parse", scan);
	return m;
}

#endif
