/*
 * cmd_fetch: what the state system knows, into the catalogue and the
 * stock (true-api.md §7; sync/api_stock.h).
 *
 *   sklad stock fetch --db PATH [--config FILE] [--user NAME]
 *       [--pin-file FILE] [--json]
 *       the codes this participant owns (/cises/search, INTRODUCED, in
 *       the site's product group, paged, at most 10 000), loaded into
 *       stock like `stock load` with their packs; codes sklad knows
 *       already are left as they are
 *   sklad catalogue fetch --db PATH [--config FILE] [--user NAME]
 *       [--pin-file FILE] [--json]
 *       names from /product/info for the GTINs of stored codes that the
 *       catalogue has no name for
 *
 * The True API settings come from the same file as `sklad sync`. Exit
 * codes: 0 done; 1 refused; 2 the command line is wrong; 75 the server or
 * network was unavailable (nothing stored); 78 configuration, signer or
 * database unusable.
 *
 * What it must not do: store part of an answer, print a token, or call
 * exit().
 */
#include <jansson.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"
#include "console/cmd_stock.h"
#include "store/store.h"
#include "sync/api.h"
#include "sync/api_stock.h"
#include "sync/config.h"
#include "sync/sign.h"
#include "scanners/i18n.h"

#define MISSING_MAX 10000	/* GTINs asked about in one run */

struct fetch_ctx {
	struct st_db *db;
	struct st_site site;
	struct sy_config cfg;
	struct sy_sign *sign;
	struct sy_api *api;
	struct st_actor who;
};

static void
fetch_close(struct fetch_ctx *x)
{
	sy_api_free(&x->api);
	sy_sign_free(&x->sign);
	st_close(&x->db);
}

static int
fetch_open(struct fetch_ctx *x, const struct stock_args *a, const char *dev,
	   struct err *e)
{
	int rc;

	memset(x, 0, sizeof(*x));
	if ((rc = sy_config_load(a->config, &x->cfg, e)) < 0 ||
	    (rc = st_open(a->db, false, &x->db, e)) < 0 ||
	    (rc = st_site_get(x->db, &x->site, e)) < 0 ||
	    (rc = stock_login(x->db, a, dev, &x->who, e)) < 0)
		return rc;
	return sy_config_client(&x->cfg, x->site.inn, x->site.product_group,
				NULL, NULL, &x->sign, &x->api, e);
}

/* Is the code (as the server wrote it) stored here already? */
static bool
known(struct st_db *db, const char *code)
{
	struct st_where w;
	struct mark m;
	struct err e;
	size_t n = strlen(code);

	if (mark_parse(code, n, &m) != 0 &&
	    mark_sscc_check(code, n, &m) != 0)
		return false;
	return st_where(db, &m, &w, NULL, NULL, &e) == 0;
}

/* The owned codes sklad does not know yet into s: each in its pack when
 * the pack is among them and new too, else loose. *skipped: known. */
static int
fill(struct st_db *db, struct st_stock *s, const struct sy_owned *c,
     size_t n, int *skipped, struct err *e)
{
	char *seen = calloc(n ? n : 1, 1);
	size_t i;
	int rc = 0;

	*skipped = 0;
	if (seen == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	for (i = 0; i < n; i++)
		if ((seen[i] = known(db, c[i].cis)))
			(*skipped)++;
	for (i = 0; i < n && rc == 0; i++) {
		const char *parent = c[i].parent;
		size_t k;

		if (seen[i])
			continue;
		if (parent[0] != '\0') {
			for (k = 0; k < n && strcmp(c[k].cis, parent) != 0;
			     k++)
				;
			if (k == n || seen[k])
				parent = "";
		}
		rc = st_stock_add(s, c[i].cis, strlen(c[i].cis), parent, 0, e);
	}
	free(seen);
	return rc;
}

int
cmd_stock_fetch(int argc, char **argv)
{
	struct st_stock_result r = { 0 };
	struct sy_owned *codes = NULL;
	struct st_stock *s = NULL;
	struct stock_args a;
	struct fetch_ctx x;
	size_t n = 0;
	bool more = false;
	int skipped = 0, rc;
	struct err e;

	if ((rc = stock_args(argc, argv, "stock fetch", STOCK_OPT_USER |
			     STOCK_OPT_CONFIG | STOCK_OPT_JSON, 0, &a)) !=
	    CLI_OK)
		return rc;
	err_clear(&e);
	if (fetch_open(&x, &a, "stock", &e) < 0 ||
	    sy_api_owned_codes(x.api, &codes, &n, &more, &e) < 0 ||
	    (s = st_stock_new("cises/search")) == NULL ||
	    fill(x.db, s, codes, n, &skipped, &e) < 0 ||
	    (st_stock_size(s) > 0 &&
	     st_stock_commit(x.db, &x.who, s, &r, &e) < 0)) {
		if (s == NULL && e.code == 0)
			err_set(&e, ERR_INTERNAL, "out of memory");
		rc = stock_fail("stock fetch", &e);
		goto out;
	}
	if (a.json) {
		json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:b}",
				      "source", "cises/search", "units",
				      r.units, "packs", r.packs, "top", r.top,
				      "known", skipped, "more", more);
		char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (t)
			printf("%s\n", t);
		free(t);
		json_decref(o);
	} else {
		printf(_("%zu codes owned on the state system: %d units and "
			 "%d packs loaded into stock, %d known here "
			 "already\n"), n, r.units, r.packs, skipped);
		if (more)
			printf(_("The state system gives at most %d codes this "
				 "way: load the rest from a file (stock "
				 "load).\n"), SY_SEARCH_MAX);
	}
	rc = CLI_OK;
out:
	st_stock_free(s);
	free(codes);
	fetch_close(&x);
	return rc;
}

int
cmd_catalogue_fetch(int argc, char **argv)
{
	char (*gtins)[MARK_GTIN_LEN + 1] = NULL;
	struct sy_product *got = NULL;
	struct st_product *p = NULL;
	const char **list = NULL;
	struct stock_args a;
	struct fetch_ctx x;
	size_t ngot = 0, np = 0, i;
	int nmiss = 0, rc;
	struct err e;

	if ((rc = stock_args(argc, argv, "catalogue fetch", STOCK_OPT_USER |
			     STOCK_OPT_CONFIG | STOCK_OPT_JSON, 0, &a)) !=
	    CLI_OK)
		return rc;
	err_clear(&e);
	if (fetch_open(&x, &a, "catalogue", &e) < 0)
		goto fail;
	gtins = calloc(MISSING_MAX, sizeof(*gtins));
	list = calloc(MISSING_MAX, sizeof(*list));
	if (gtins == NULL || list == NULL) {
		err_set(&e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	if (st_products_missing(x.db, gtins, MISSING_MAX, &nmiss, &e) < 0)
		goto fail;
	for (i = 0; i < (size_t)nmiss; i++)
		list[i] = gtins[i];
	if (nmiss > 0 && sy_api_product_info(x.api, list, (size_t)nmiss, &got,
					     &ngot, &e) < 0)
		goto fail;
	if ((p = calloc(ngot + 1, sizeof(*p))) == NULL) {
		err_set(&e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	for (i = 0; i < ngot; i++) {
		struct err pe;

		/* a name the catalogue cannot take is left out, said */
		if (st_product_check(got[i].gtin, got[i].name, NULL,
				     got[i].product_group, &p[np], &pe) == 0)
			np++;
		else
			fprintf(stderr, "sklad catalogue fetch: %s\n", pe.msg);
	}
	if (np > 0 && st_catalogue_store(x.db, &x.who, "product/info", p, np,
					 &e) < 0)
		goto fail;
	if (a.json)
		printf("{\"source\":\"product/info\",\"asked\":%d,"
		       "\"products\":%zu}\n", nmiss, np);
	else
		printf(_("%d GTINs without a name asked about: %zu named "
			 "(product/info)\n"), nmiss, np);
	rc = CLI_OK;
	goto out;
fail:
	rc = stock_fail("catalogue fetch", &e);
out:
	free(p);
	free(got);
	free(list);
	free(gtins);
	fetch_close(&x);
	return rc;
}
