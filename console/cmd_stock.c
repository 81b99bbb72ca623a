/*
 * cmd_stock: the stock on hand from the command line.
 *
 *   sklad stock load FILE --db PATH [--user NAME] [--pin-file FILE] [--json]
 *       load the codes the site owns already from a CSV or JSON file
 *       (columns in sklad(1); store: st_stock_load), in one transaction;
 *       a supervisor's or admin's PIN (--pin-file or SKLAD_PIN).
 *
 * Exit codes: 0 done; 1 refused (the message says which line and why;
 * nothing was loaded); 2 the command line is wrong; 78 the database
 * cannot be used.
 *
 * What it must not do: read anything but a regular file, load part of a
 * file, or call exit().
 */
#include <getopt.h>
#include <jansson.h>
#include <libintl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"
#include "console/cmd_stock.h"
#include "store/store.h"

#define _(s) gettext(s)

int
stock_args(int argc, char **argv, const char *cmd, unsigned allow,
	   int npos, struct stock_args *a)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "config", required_argument, NULL, 'c' },
		{ "pack", required_argument, NULL, 'p' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		int opt;
		unsigned bit;
	} bits[] = {
		{ 'u', STOCK_OPT_USER }, { 'P', STOCK_OPT_USER },
		{ 'c', STOCK_OPT_CONFIG }, { 'p', STOCK_OPT_PACK },
		{ 'b', STOCK_OPT_BY }, { 'f', STOCK_OPT_FORMAT },
		{ 'j', STOCK_OPT_JSON },
	};
	size_t i;
	int c;

	memset(a, 0, sizeof(*a));
	a->user = "admin";
	a->config = "/etc/sklad/sync.conf";
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
			if (bits[i].opt == c && !(allow & bits[i].bit))
				c = '?';
		switch (c) {
		case 'd': a->db = optarg; break;
		case 'u': a->user = optarg; break;
		case 'P': a->pin_file = optarg; break;
		case 'c': a->config = optarg; break;
		case 'p': a->pack = optarg; break;
		case 'b': a->by = optarg; break;
		case 'f': a->format = optarg; break;
		case 'j': a->json = true; break;
		default:
			return cli_usage(_("%s: unknown option %s"), cmd,
					 argv[optind - 1]);
		}
	}
	if (a->db == NULL)
		return cli_usage(_("%s needs --db PATH"), cmd);
	if (argc - optind != npos)
		return cli_usage(npos == 1 ? _("%s needs one FILE") :
				 _("%s takes no arguments"), cmd);
	a->file = npos == 1 ? argv[optind] : NULL;
	return CLI_OK;
}

int
stock_fail(const char *cmd, const struct err *e)
{
	fprintf(stderr, "sklad %s: %s\n", cmd, e->msg);
	switch (e->code) {
	case ERR_NET:
		return STOCK_LATER;
	case ERR_IO: case ERR_DB: case ERR_VERSION: case ERR_INTERNAL:
		return STOCK_CONFIG;
	default:
		return CLI_FAIL;
	}
}

int
stock_login(struct st_db *db, const struct stock_args *a, const char *dev,
	    struct st_actor *who, struct err *e)
{
	char pin[64];
	int rc;

	if ((rc = cli_pin_read(a->pin_file, false, pin, sizeof(pin), e)) == 0)
		rc = st_login(db, a->user, pin, dev, who, e);
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

void
stock_print_result(const struct stock_args *a, const char *source,
		   const struct st_stock_result *r)
{
	if (a->json) {
		json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:I}", "source",
				      source, "units", r->units, "packs",
				      r->packs, "top", r->top, "origin",
				      (json_int_t)r->origin);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
		return;
	}
	printf(_("%s: %d units and %d packs loaded into stock (%d at the top "
		 "level)\n"), source, r->units, r->packs, r->top);
}

int
cmd_stock_load(int argc, char **argv)
{
	struct st_stock_result r;
	struct stock_args a;
	struct st_actor who;
	struct st_db *db = NULL;
	char *data = NULL;
	struct err e;
	size_t len;
	int rc;

	if ((rc = stock_args(argc, argv, "stock load", STOCK_OPT_USER |
			     STOCK_OPT_JSON, 1, &a)) != CLI_OK)
		return rc;
	err_clear(&e);
	if ((rc = cli_read_file(a.file, ST_STOCK_FILE_MAX, &data, &len,
				&e)) < 0) {
		fprintf(stderr, "sklad stock load: %s\n", e.msg);
		return rc == ERR_IO ? STOCK_CONFIG : CLI_FAIL;
	}
	if (st_open(a.db, false, &db, &e) < 0 ||
	    stock_login(db, &a, "stock", &who, &e) < 0 ||
	    st_stock_load(db, &who, a.file, data, len, &r, &e) < 0) {
		rc = stock_fail("stock load", &e);
		goto out;
	}
	stock_print_result(&a, a.file, &r);
	rc = CLI_OK;
out:
	free(data);
	st_close(&db);
	return rc;
}
