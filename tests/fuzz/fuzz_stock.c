/*
 * fuzz_stock: libFuzzer target for the files the ERP hands over: stock
 * on hand (st_stock_load) and the product catalogue
 * (st_catalogue_import), CSV or JSON.
 *
 * Any bytes: no crash, no leak; a file loads whole or is refused with a
 * reason, and a refused stock file leaves no code behind. The first byte
 * picks the parser. One in-memory database serves many runs.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct st_db *db;
static struct st_actor who;
static int runs;

static void
fresh_db(void)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .product_group = "milk",
				.require_crypto = true, .gtin_policy = "any" };
	struct err e;

	st_close(&db);
	if (st_open(":memory:", true, &db, &e) < 0 ||
	    st_site_init(db, &site, "fuzz", "1234", &e) < 0 ||
	    st_login(db, "fuzz", "1234", "fuzz", &who, &e) < 0)
		assert(!"cannot set up the database");
}

static int
count(void *arg, const struct st_stock_row *r)
{
	*(int *)arg += r->units;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_stock_result r;
	struct err e;
	size_t n;
	int rc, before = 0, after = 0;

	if (size == 0)
		return 0;
	if (db == NULL || ++runs % 500 == 0)
		fresh_db();
	if (data[0] & 1) {
		rc = st_catalogue_import(db, &who, "fuzz",
					 (const char *)data + 1, size - 1, &n,
					 &e);
	} else {
		st_stock_report(db, ST_STOCK_BY_STATE, count, &before, &e);
		rc = st_stock_load(db, &who, "fuzz", (const char *)data + 1,
				   size - 1, &r, &e);
		st_stock_report(db, ST_STOCK_BY_STATE, count, &after, &e);
		assert(rc == 0 ? after == before + r.units + r.packs :
		       after == before);
	}
	if (rc < 0) {
		/* A refusal always says why. */
		assert(e.msg[0] != '\0');
		assert(strlen(e.msg) < sizeof(e.msg));
	}
	return 0;
}
