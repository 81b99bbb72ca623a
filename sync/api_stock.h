/*
 * api_stock: the True API questions behind the catalogue and the stock on
 * hand (true-api.md §1, §7, §9.1): product names by GTIN from v4
 * /product/info, and the codes the participant owns from v4
 * /cises/search, paged. Blocking, like the other lookups (api.h), with
 * the client's throttle, back-off and re-authentication.
 *
 * What the reference does not spell out is marked [I] in api_stock.c and
 * in tests/api/README.md; the emulator takes the same reading.
 *
 * Must not: post documents, store anything (console/ hands the answers to
 * store/), or put a token into an error.
 */
#ifndef SKLAD_SYNC_API_STOCK_H
#define SKLAD_SYNC_API_STOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "scanners/err.h"
#include "sync/api.h"

#define SY_PRODUCT_CHUNK 100	/* GTINs per /product/info request [I] */
#define SY_SEARCH_PAGE 1000	/* codes per /cises/search page [I] */
#define SY_SEARCH_MAX 10000	/* codes in all, with paging (ref §7) */

/* One product as /product/info names it. */
struct sy_product {
	char gtin[16];
	char name[256];
	char product_group[32];
};

/*
 * Names of the n GTINs (14 digits) from v4 /product/info, at most
 * SY_PRODUCT_CHUNK a request. *out malloc'd, *nout entries: GTINs the
 * server does not know are left out. Errors: ERR_NET (unavailable),
 * ERR_SERVER (refused or garbled), ERR_AUTH.
 */
int sy_api_product_info(struct sy_api *a, const char *const *gtins, size_t n,
			struct sy_product **out, size_t *nout, struct err *e);

/* One code the participant owns, as /cises/search lists it. */
struct sy_owned {
	char cis[256];		/* a КИ, or an SSCC (18 digits, maybe 00+) */
	char parent[256];	/* the aggregate it is in, or "" */
	char gtin[16];
	char package_type[16];	/* UNIT, GROUP, BOX, LEVEL1 ... */
	char status[32];
};

/*
 * The codes this participant owns in its product group with status
 * INTRODUCED, from v4 /cises/search, page after page (SY_SEARCH_PAGE a
 * page, keyset by the last code's emission date and code), at most
 * SY_SEARCH_MAX in all (ref §7). *out malloc'd, *n entries; *more is set
 * when the server had more than the limit allowed to read. Errors as
 * sy_api_product_info.
 */
int sy_api_owned_codes(struct sy_api *a, struct sy_owned **out, size_t *n,
		       bool *more, struct err *e);

#endif
