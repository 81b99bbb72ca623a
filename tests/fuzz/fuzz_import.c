/*
 * fuzz_import: libFuzzer target for delivery import, the parser of files
 * that come from outside (the /doc/{id}/info JSON, a supplier's УПД and
 * plain code lists).
 *
 * Any bytes: the import must not crash, leak or corrupt the store. It
 * either imports whole or refuses with a reason and leaves nothing behind.
 * One in-memory database serves many runs and is checked after each.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_delivery d;
	struct err e;
	int rc;

	if (db == NULL || ++runs % 500 == 0)
		fresh_db();
	rc = st_delivery_import(db, &who, "fuzz", (const char *)data, size,
				&d, &e);
	if (rc == 0) {
		assert(d.id > 0);
		assert(d.expected > 0);
	} else {
		/* A refusal always says why. */
		assert(e.msg[0] != '\0');
		assert(strlen(e.msg) < sizeof(e.msg));
	}
	return 0;
}
