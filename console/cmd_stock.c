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
#include "scanners/i18n.h"


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

/* --- report ---------------------------------------------------------------- */

/* One CSV field: quoted when it holds a separator, a quote or a line
 * end (RFC 4180). */
static void
csv_put(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

struct report {
	enum st_stock_by by;
	json_t *arr;		/* --format json */
};

static int
report_row(void *arg, const struct st_stock_row *r)
{
	struct report *rp = arg;
	char n1[16], n2[16];

	snprintf(n1, sizeof(n1), "%d", r->units);
	snprintf(n2, sizeof(n2), "%d", r->children);
	switch (rp->by) {
	case ST_STOCK_BY_GTIN:
		if (rp->arr)
			json_array_append_new(rp->arr, json_pack("{s:s, s:s?, "
				"s:i}", "gtin", r->key, "name", r->name[0] ?
				r->name : NULL, "units", r->units));
		else {
			csv_put(r->key, false);
			csv_put(r->name, false);
			csv_put(n1, true);
		}
		break;
	case ST_STOCK_BY_PACK:
		if (rp->arr)
			json_array_append_new(rp->arr, json_pack("{s:s, s:s, "
				"s:s, s:s?, s:i, s:i}", "sscc", r->key,
				"level", r->kind, "state", r->state, "parent",
				r->parent[0] ? r->parent : NULL, "children",
				r->children, "units", r->units));
		else {
			csv_put(r->key, false);
			csv_put(r->kind, false);
			csv_put(r->state, false);
			csv_put(r->parent, false);
			csv_put(n2, false);
			csv_put(n1, true);
		}
		break;
	case ST_STOCK_BY_STATE:
		if (rp->arr)
			json_array_append_new(rp->arr, json_pack("{s:s, s:s, "
				"s:i}", "state", r->state, "kind", r->kind,
				"count", r->units));
		else {
			csv_put(r->state, false);
			csv_put(r->kind, false);
			csv_put(n1, true);
		}
		break;
	}
	return 0;
}

int
cmd_stock_report(int argc, char **argv)
{
	static const char *const head[] = {
		[ST_STOCK_BY_GTIN] = "gtin,name,units",
		[ST_STOCK_BY_PACK] = "sscc,level,state,parent,children,units",
		[ST_STOCK_BY_STATE] = "state,kind,count",
	};
	struct report rp = { ST_STOCK_BY_GTIN, NULL };
	struct stock_args a;
	struct st_db *db = NULL;
	struct err e;
	int rc;

	if ((rc = stock_args(argc, argv, "stock report", STOCK_OPT_BY |
			     STOCK_OPT_FORMAT | STOCK_OPT_JSON, 0, &a)) !=
	    CLI_OK)
		return rc;
	if (a.by == NULL || strcmp(a.by, "gtin") == 0)
		rp.by = ST_STOCK_BY_GTIN;
	else if (strcmp(a.by, "pack") == 0)
		rp.by = ST_STOCK_BY_PACK;
	else if (strcmp(a.by, "state") == 0)
		rp.by = ST_STOCK_BY_STATE;
	else
		return cli_usage(_("stock report: --by gtin, pack or state"));
	if (a.format != NULL && strcmp(a.format, "json") != 0 &&
	    strcmp(a.format, "csv") != 0)
		return cli_usage(_("stock report: --format csv or json"));
	if (a.json || (a.format != NULL && strcmp(a.format, "json") == 0))
		rp.arr = json_array();
	err_clear(&e);
	if (st_open(a.db, false, &db, &e) < 0) {
		rc = stock_fail("stock report", &e);
		goto out;
	}
	if (rp.arr == NULL)
		printf("%s\n", head[rp.by]);
	if (st_stock_report(db, rp.by, report_row, &rp, &e) < 0) {
		rc = stock_fail("stock report", &e);
		goto out;
	}
	if (rp.arr != NULL) {
		char *s = json_dumps(rp.arr, JSON_COMPACT |
				     JSON_PRESERVE_ORDER);

		if (s)
			printf("%s\n", s);
		free(s);
	}
	rc = CLI_OK;
out:
	json_decref(rp.arr);
	st_close(&db);
	return rc;
}

/* --- count ----------------------------------------------------------------- */

#define COUNT_SCANS_MAX 1000000

struct count_out {
	json_t *missing, *extra;	/* --json */
};

static int
count_line(void *arg, const struct st_count_line *l)
{
	struct count_out *o = arg;

	if (o->missing != NULL) {
		if (l->missing)
			json_array_append_new(o->missing, json_pack("{s:s, "
				"s:s?}", "code", l->code, "pack",
				l->pack[0] ? l->pack : NULL));
		else
			json_array_append_new(o->extra, json_pack("{s:s, s:s}",
				"code", l->code, "why", l->why));
	} else if (l->missing) {
		printf("missing\t%s\t%s\n", l->code, l->pack[0] ? l->pack :
		       "-");
	} else {
		printf("extra\t%s\t%s\n", l->code, l->why);
	}
	return 0;
}

/* The scans on stdin, one a line (\x1d for GS), parsed; an unreadable
 * line is refused with its number. */
static int
read_scans(struct mark **out, size_t *n, struct err *e)
{
	char line[MARK_SCAN_MAX * 4 + 8];
	size_t cap = 0;
	int lineno = 0;

	*out = NULL;
	*n = 0;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		size_t len = strcspn(line, "\r\n"), i = 0, o = 0;
		struct mark m;

		lineno++;
		line[len] = '\0';
		while (line[i] == ' ' || line[i] == '\t')
			i++;
		for (; line[i] != '\0'; o++) {
			if (strncmp(line + i, "\\x1d", 4) == 0) {
				line[o] = MARK_GS;
				i += 4;
			} else {
				line[o] = line[i++];
			}
		}
		while (o > 0 && (line[o - 1] == ' ' || line[o - 1] == '\t'))
			o--;
		if (o == 0)
			continue;
		if (mark_parse(line, o, &m) != 0 &&
		    mark_sscc_check(line, o, &m) != 0) {
			char why[ERR_MSG_MAX];

			mark_parse(line, o, &m);
			mark_strerror(&m, why, sizeof(why));
			return err_set(e, ERR_INVALID, _("Line %d: %s"), lineno,
				       why);
		}
		if (m.kind == MARK_COMMAND)
			return err_set(e, ERR_INVALID, _("Line %d: a command "
				       "barcode is not a marking code"),
				       lineno);
		if (*n >= COUNT_SCANS_MAX)
			return err_set(e, ERR_INVALID, "%s", _("Too many scans "
				       "for one count."));
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct mark *g = realloc(*out, nc * sizeof(*g));

			if (g == NULL)
				return err_set(e, ERR_INTERNAL,
					       "out of memory");
			*out = g;
			cap = nc;
		}
		(*out)[(*n)++] = m;
	}
	return 0;
}

int
cmd_stock_count(int argc, char **argv)
{
	struct count_out o = { NULL, NULL };
	struct st_count_result r;
	struct mark *scans = NULL;
	struct stock_args a;
	struct st_actor who;
	struct st_db *db = NULL;
	size_t n = 0;
	struct err e;
	int rc;

	if ((rc = stock_args(argc, argv, "stock count", STOCK_OPT_USER |
			     STOCK_OPT_PACK | STOCK_OPT_JSON, 0, &a)) !=
	    CLI_OK)
		return rc;
	err_clear(&e);
	if (a.json) {
		o.missing = json_array();
		o.extra = json_array();
	}
	if (st_open(a.db, false, &db, &e) < 0 ||
	    stock_login(db, &a, "stock", &who, &e) < 0 ||
	    read_scans(&scans, &n, &e) < 0 ||
	    st_stock_count(db, &who, a.pack, scans, n, count_line, &o, &r,
			   &e) < 0) {
		rc = stock_fail("stock count", &e);
		goto out;
	}
	if (a.json) {
		json_t *j = json_pack("{s:s?, s:i, s:i, s:i, s:i, s:i, s:O, "
				      "s:O}", "pack", a.pack, "scanned",
				      r.scanned, "expected", r.expected,
				      "found", r.found, "missing", r.missing,
				      "extra", r.extra, "missing_codes",
				      o.missing, "extra_codes", o.extra);
		char *s = j ? json_dumps(j, JSON_COMPACT |
					 JSON_PRESERVE_ORDER) : NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(j);
	} else {
		printf(_("%s: %d units expected, %d found, %d missing, %d "
			 "extra scans\n"), a.pack ? a.pack : _("all stock"),
		       r.expected, r.found, r.missing, r.extra);
	}
	/* a count that does not match needs a person */
	rc = r.missing == 0 && r.extra == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(o.missing);
	json_decref(o.extra);
	free(scans);
	st_close(&db);
	return rc;
}
