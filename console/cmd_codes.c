/*
 * cmd_codes: `sklad codes check` asks the state system about the codes
 * of a delivery (before or while accepting it) or of a pack (before its
 * aggregation is sent): status, owner and aggregate from v3 /cises/info,
 * at most 1000 codes per request (true-api.md §7, sy_api_cises), and
 * records the answers with the problems they make (store: code_checks),
 * where acceptance and packing show them while scanning, offline.
 *
 * The True API settings come from the same file as `sklad sync`
 * (sync/config.h); the INN and product group default to the site's.
 * Exit codes: 0 no problem; 1 problems (each printed); 2 the command
 * line is wrong; 75 the server or network was unavailable (nothing is
 * recorded, scanning goes on offline); 78 the configuration, signer or
 * database cannot be used.
 *
 * What it must not do: record part of an answer, block a workflow (it
 * only informs), print a token, key or signature, or call exit().
 */
#include <getopt.h>
#include <jansson.h>
#include <libintl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"
#include "store/store.h"
#include "sync/api.h"
#include "sync/config.h"
#include "sync/sign.h"
#include "sync/wire.h"
#include "scanners/i18n.h"


#define DEFAULT_CONFIG "/etc/sklad/sync.conf"
#define CODES_BATCH 1000	/* true-api.md §7, §9.1 */

enum {
	CODES_LATER = 75,	/* EX_TEMPFAIL: server or network away */
	CODES_CONFIG = 78,	/* EX_CONFIG: cannot set up */
};

struct codes_args {
	const char *db;
	const char *config;
	long long delivery;	/* 0: none */
	const char *sscc;	/* NULL: none */
	bool json;
};

/* What is open for one check; closed by codes_close. */
struct codes_ctx {
	struct st_db *db;
	struct st_site site;
	struct sy_config cfg;
	struct sy_sign *sign;
	struct sy_api *api;
};

static int
codes_parse(int argc, char **argv, struct codes_args *a)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "delivery", required_argument, NULL, 'D' },
		{ "pack", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	a->config = DEFAULT_CONFIG;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->db = optarg; break;
		case 'c': a->config = optarg; break;
		case 'D':
			a->delivery = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a->delivery <= 0)
				return cli_usage(_("codes check: --delivery "
						   "needs a delivery number, "
						   "not %s"), optarg);
			break;
		case 'p': a->sscc = optarg; break;
		case 'j': a->json = true; break;
		default:
			return cli_usage(_("%s: unknown option %s"),
					 "codes check", argv[optind - 1]);
		}
	}
	if (a->db == NULL)
		return cli_usage(_("%s needs --db PATH"), "codes check");
	if ((a->delivery != 0) == (a->sscc != NULL))
		return cli_usage(_("codes check needs either --delivery N or "
				   "--pack SSCC"));
	if (optind < argc)
		return cli_usage(_("codes check takes no arguments: %s"),
				 argv[optind]);
	return CLI_OK;
}

static void
codes_close(struct codes_ctx *x)
{
	sy_api_free(&x->api);
	sy_sign_free(&x->sign);
	st_close(&x->db);
}

/* The exit code for a failed set-up or request. */
static int
codes_fail(const struct err *e)
{
	switch (e->code) {
	case ERR_NET:
	case ERR_SERVER:
		fprintf(stderr, _("sklad codes check: the state system cannot "
				  "be asked now (%s); nothing was recorded, "
				  "work goes on offline\n"), e->msg);
		return CODES_LATER;
	case ERR_NOTFOUND: case ERR_REFUSED:
		fprintf(stderr, "sklad codes check: %s\n", e->msg);
		return CLI_FAIL;
	default:
		fprintf(stderr, "sklad codes check: %s\n", e->msg);
		return CODES_CONFIG;
	}
}

/* The database and site. */
static int
codes_open_db(struct codes_ctx *x, const struct codes_args *a,
	      struct err *e)
{
	int rc;

	memset(x, 0, sizeof(*x));
	if ((rc = st_open(a->db, false, &x->db, e)) < 0 ||
	    (rc = st_site_get(x->db, &x->site, e)) < 0)
		return rc;
	return 0;
}

/* Configuration, signer and client, as `sklad sync`. */
static int
codes_open_api(struct codes_ctx *x, const struct codes_args *a,
	       struct err *e)
{
	int rc;

	if ((rc = sy_config_load(a->config, &x->cfg, e)) < 0)
		return rc;
	return sy_config_client(&x->cfg, x->site.inn, x->site.product_group,
				NULL, NULL, &x->sign, &x->api, e);
}

/* The server's answers for t's codes, in t's order, as the store takes
 * them: *out malloc'd (t->n entries). */
static int
ask(struct codes_ctx *x, const struct st_check_target *t,
    struct st_code_check **out, struct err *e)
{
	struct sy_wire_cis *w = NULL;
	struct st_code_check *c;
	size_t nw = 0, i;
	int rc;

	*out = NULL;
	if ((rc = sy_api_cises(x->api, (const char *const *)t->codes, t->n,
			       &w, &nw, e)) < 0)
		return rc;
	if (nw != t->n) {
		free(w);
		return err_set(e, ERR_SERVER, "asked about %zu codes, the "
			       "answer holds %zu", t->n, nw);
	}
	if ((c = calloc(t->n, sizeof(*c))) == NULL) {
		free(w);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	for (i = 0; i < t->n; i++) {
		snprintf(c[i].code, sizeof(c[i].code), "%s", t->codes[i]);
		c[i].found = w[i].error_code[0] == '\0';
		snprintf(c[i].error_code, sizeof(c[i].error_code), "%s",
			 w[i].error_code);
		snprintf(c[i].error, sizeof(c[i].error), "%s", w[i].error);
		snprintf(c[i].status, sizeof(c[i].status), "%s",
			 w[i].status);
		snprintf(c[i].status_ex, sizeof(c[i].status_ex), "%s",
			 w[i].status_ex);
		snprintf(c[i].owner_inn, sizeof(c[i].owner_inn), "%s",
			 w[i].owner_inn);
		snprintf(c[i].parent, sizeof(c[i].parent), "%s",
			 w[i].parent);
	}
	free(w);
	*out = c;
	return 0;
}

static void
print_json(const struct st_code_check *c, size_t n, int problems,
	   size_t requests)
{
	json_t *o = json_pack("{s:I, s:I, s:i, s:[]}", "checked",
			      (json_int_t)n, "requests", (json_int_t)requests,
			      "problems", problems, "list");
	json_t *list = o ? json_object_get(o, "list") : NULL;
	char *s;
	size_t i;

	for (i = 0; list != NULL && i < n; i++)
		if (c[i].problem[0] != '\0')
			json_array_append_new(list, json_pack(
				"{s:s, s:s, s:s, s:s, s:s}", "code",
				c[i].code, "problem", c[i].problem, "status",
				c[i].status, "owner_inn", c[i].owner_inn,
				"parent", c[i].parent));
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

/*
 * sklad codes check --db PATH [--config FILE] (--delivery N | --pack
 * SSCC) [--json]: ask the state system about every expected code of the
 * delivery, or every code directly in the pack, record the answers, and
 * print each problem and a summary. Returns the exit code (see the top).
 */
int
cmd_codes_check(int argc, char **argv)
{
	struct st_check_target t = { 0 };
	struct st_code_check *c = NULL;
	struct codes_args a;
	struct codes_ctx x;
	struct err e;
	size_t i, requests;
	int rc, problems = 0;

	if ((rc = codes_parse(argc, argv, &a)) != CLI_OK)
		return rc;
	err_clear(&e);
	if ((rc = codes_open_db(&x, &a, &e)) < 0 ||
	    (rc = st_checks_codes(x.db, a.sscc ? ST_CHECK_AGGREGATE :
				  ST_CHECK_ACCEPT, a.delivery, a.sscc, &t,
				  &e)) < 0 ||
	    (t.n > 0 && (rc = codes_open_api(&x, &a, &e)) < 0) ||
	    (t.n > 0 && (rc = ask(&x, &t, &c, &e)) < 0) ||
	    (rc = st_checks_record(x.db, &t, c, t.n, &problems, &e)) < 0) {
		rc = codes_fail(&e);
		goto out;
	}
	requests = (t.n + CODES_BATCH - 1) / CODES_BATCH;
	if (a.json) {
		print_json(c, t.n, problems, requests);
	} else {
		for (i = 0; i < t.n; i++)
			if (c[i].problem[0] != '\0')
				printf("%s\t%s\n", c[i].code, c[i].problem);
		printf(_("%zu codes checked with the state system (%zu "
			 "requests): %d with problems\n"), t.n, requests,
		       problems);
	}
	rc = problems > 0 ? CLI_FAIL : CLI_OK;
out:
	free(c);
	st_checks_target_free(&t);
	codes_close(&x);
	return rc;
}
