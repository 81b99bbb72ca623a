/*
 * cmd_catalogue: the product catalogue from the command line.
 *
 *   sklad catalogue import FILE --db PATH [--user NAME] [--pin-file FILE]
 *       [--json]     GTIN -> name, unit, product group from the ERP's CSV
 *                    or JSON (columns in sklad(1)), in one transaction
 *   sklad catalogue list --db PATH [--json]
 *                    every product, by GTIN (TSV, or a JSON array)
 *
 * Exit codes: 0 done; 1 refused (the message names the line); 2 the
 * command line is wrong; 78 the database cannot be used.
 *
 * What it must not do: read anything but a regular file, store part of a
 * file, or call exit().
 */
#include <jansson.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>

#include "console/cli.h"
#include "console/cmd_stock.h"
#include "store/store.h"
#include "scanners/i18n.h"

#define CATALOGUE_FILE_MAX (64u << 20)

int
cmd_catalogue_import(int argc, char **argv)
{
	struct stock_args a;
	struct st_actor who;
	struct st_db *db = NULL;
	char *data = NULL;
	size_t len, n = 0;
	struct err e;
	int rc;

	if ((rc = stock_args(argc, argv, "catalogue import", STOCK_OPT_USER |
			     STOCK_OPT_JSON, 1, &a)) != CLI_OK)
		return rc;
	err_clear(&e);
	if ((rc = cli_read_file(a.file, CATALOGUE_FILE_MAX, &data, &len,
				&e)) < 0) {
		fprintf(stderr, "sklad catalogue import: %s\n", e.msg);
		return rc == ERR_IO ? STOCK_CONFIG : CLI_FAIL;
	}
	if (st_open(a.db, false, &db, &e) < 0 ||
	    stock_login(db, &a, "catalogue", &who, &e) < 0 ||
	    st_catalogue_import(db, &who, a.file, data, len, &n, &e) < 0) {
		rc = stock_fail("catalogue import", &e);
		goto out;
	}
	if (a.json) {
		json_t *o = json_pack("{s:s, s:I}", "source", a.file,
				      "products", (json_int_t)n);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else
		printf(_("%s: %zu products in the catalogue\n"), a.file, n);
	rc = CLI_OK;
out:
	free(data);
	st_close(&db);
	return rc;
}

static int
print_tsv(void *arg, const struct st_product *p)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\n", p->gtin, p->name, p->unit[0] ? p->unit :
	       "-", p->product_group[0] ? p->product_group : "-");
	return 0;
}

static int
collect(void *arg, const struct st_product *p)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s?, s:s?, s:s, "
		"s:s}", "gtin", p->gtin, "name", p->name, "unit",
		p->unit[0] ? p->unit : NULL, "product_group",
		p->product_group[0] ? p->product_group : NULL, "source",
		p->source, "updated_at", p->updated_at));
	return 0;
}

int
cmd_catalogue_list(int argc, char **argv)
{
	struct stock_args a;
	struct st_db *db = NULL;
	json_t *arr = NULL;
	struct err e;
	int rc;

	if ((rc = stock_args(argc, argv, "catalogue list", STOCK_OPT_JSON, 0,
			     &a)) != CLI_OK)
		return rc;
	err_clear(&e);
	if (st_open(a.db, false, &db, &e) < 0) {
		rc = stock_fail("catalogue list", &e);
		goto out;
	}
	if (a.json)
		arr = json_array();
	if (st_products(db, a.json ? collect : print_tsv, arr, &e) < 0) {
		rc = stock_fail("catalogue list", &e);
		goto out;
	}
	if (a.json) {
		char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (s)
			printf("%s\n", s);
		free(s);
	}
	rc = CLI_OK;
out:
	json_decref(arr);
	st_close(&db);
	return rc;
}
