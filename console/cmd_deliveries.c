/*
 * cmd_deliveries: `sklad deliveries` lists the documents other
 * participants addressed to this site (v4 /doc/list with receiverInn,
 * every page), and `sklad deliveries fetch DOC_ID` reads one with its
 * body (/doc/{id}/info?body=true) and imports it as a delivery to accept
 * (store: st_delivery_import), true-api.md §8.
 *
 * The True API settings come from the same file as `sklad sync`
 * (sync/config.h); the INN and product group default to the site's.
 * Exit codes: 0 done; 1 the document was refused (not found, not ours,
 * not importable: the message says why); 2 the command line is wrong;
 * 75 the server or network was unavailable; 78 the configuration,
 * signer or database cannot be used.
 *
 * What it must not do: print a token, key or signature, import a
 * document addressed to another INN, or call exit().
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

enum {
	DLV_LATER = 75,		/* EX_TEMPFAIL: server or network away */
	DLV_CONFIG = 78,	/* EX_CONFIG: cannot set up */
};

struct dlv_args {
	const char *db;
	const char *config;
	const char *user;	/* fetch: who imports */
	const char *pin_file;	/* fetch: their PIN, else SKLAD_PIN */
	const char *id;		/* fetch: the document */
	bool json;
};

/* What is open for one command; closed by dlv_close. */
struct dlv_ctx {
	struct st_db *db;
	struct st_site site;
	struct sy_config cfg;
	struct sy_sign *sign;
	struct sy_api *api;
	const char *inn;
};

static int
dlv_parse(int argc, char **argv, struct dlv_args *a, bool fetch)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = fetch ? "deliveries fetch" : "deliveries";
	int c;

	memset(a, 0, sizeof(*a));
	a->config = DEFAULT_CONFIG;
	a->user = "admin";
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->db = optarg; break;
		case 'c': a->config = optarg; break;
		case 'u':
			if (!fetch)
				return cli_usage(_("%s: unknown option %s"),
						 cmd, argv[optind - 1]);
			a->user = optarg;
			break;
		case 'P':
			if (!fetch)
				return cli_usage(_("%s: unknown option %s"),
						 cmd, argv[optind - 1]);
			a->pin_file = optarg;
			break;
		case 'j': a->json = true; break;
		default:
			return cli_usage(_("%s: unknown option %s"), cmd,
					 argv[optind - 1]);
		}
	}
	if (a->db == NULL)
		return cli_usage(_("%s needs --db PATH"), cmd);
	if (fetch) {
		if (optind != argc - 1)
			return cli_usage(_("deliveries fetch needs one "
					   "DOC_ID"));
		a->id = argv[optind];
	} else if (optind < argc) {
		return cli_usage(_("deliveries takes no arguments: %s"),
				 argv[optind]);
	}
	return CLI_OK;
}

static void
dlv_close(struct dlv_ctx *x)
{
	sy_api_free(&x->api);
	sy_sign_free(&x->sign);
	st_close(&x->db);
}

/* The exit code for a failed set-up or request. */
static int
dlv_fail(const char *cmd, const struct err *e)
{
	fprintf(stderr, "sklad %s: %s\n", cmd, e->msg);
	switch (e->code) {
	case ERR_NET:
		return DLV_LATER;
	case ERR_IO: case ERR_INVALID: case ERR_DB: case ERR_VERSION:
	case ERR_INTERNAL:
		return DLV_CONFIG;
	default:
		return CLI_FAIL;
	}
}

/* Configuration, database, site, signer and client, as `sklad sync`. */
static int
dlv_open(struct dlv_ctx *x, const struct dlv_args *a, struct err *e)
{
	const struct sy_config *c = &x->cfg;
	int rc;

	memset(x, 0, sizeof(*x));
	if ((rc = sy_config_load(a->config, &x->cfg, e)) < 0 ||
	    (rc = st_open(a->db, false, &x->db, e)) < 0 ||
	    (rc = st_site_get(x->db, &x->site, e)) < 0)
		return rc;
	x->inn = c->inn[0] ? c->inn : x->site.inn;
	return sy_config_client(c, x->site.inn, x->site.product_group, NULL,
				NULL, &x->sign, &x->api, e);
}

static void
print_list_json(const struct sy_wire_doc *d, size_t n)
{
	json_t *arr = json_array();
	char *s;
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s}",
			"id", d[i].id, "type", d[i].type,
			"status", d[i].status, "sender_inn", d[i].sender_inn,
			"receiver_inn", d[i].receiver_inn,
			"date", d[i].doc_date));
	s = json_dumps(arr, JSON_COMPACT);
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(arr);
}

/*
 * sklad deliveries --db PATH [--config FILE] [--json]: the documents
 * addressed to the site's INN, every page, one line each (or a JSON
 * array). Returns the exit code (see the top).
 */
int
cmd_deliveries(int argc, char **argv)
{
	struct sy_api_list_query q = { 0 };
	struct sy_wire_doc *docs = NULL;
	struct dlv_args a;
	struct dlv_ctx x;
	struct err e;
	size_t n = 0, i;
	int rc;

	if ((rc = dlv_parse(argc, argv, &a, false)) != CLI_OK)
		return rc;
	err_clear(&e);
	if (dlv_open(&x, &a, &e) < 0) {
		dlv_close(&x);
		return dlv_fail("deliveries", &e);
	}
	q.incoming = 1;
	if (sy_api_list(x.api, &q, &docs, &n, &e) < 0) {
		dlv_close(&x);
		return dlv_fail("deliveries", &e);
	}
	if (a.json) {
		print_list_json(docs, n);
	} else {
		for (i = 0; i < n; i++)
			printf("%s\t%s\t%s\t%s\t%s\n", docs[i].id,
			       docs[i].type, docs[i].status,
			       docs[i].sender_inn[0] ? docs[i].sender_inn :
			       "-", docs[i].doc_date[0] ? docs[i].doc_date :
			       "-");
		printf(_("%zu incoming documents for INN %s\n"), n, x.inn);
	}
	free(docs);
	dlv_close(&x);
	return CLI_OK;
}

/*
 * sklad deliveries fetch --db PATH [--config FILE] [--user NAME] [--json]
 * DOC_ID: read the document with its body and import it as a delivery;
 * prints the delivery's number for `accept open` and its expected count.
 * A document addressed to another INN is refused before anything is
 * stored. Returns the exit code (see the top).
 */
int
cmd_deliveries_fetch(int argc, char **argv)
{
	struct sy_wire_doc info;
	struct st_delivery d;
	struct st_actor who;
	struct dlv_args a;
	struct dlv_ctx x;
	struct err e;
	char *body = NULL, pin[64];
	size_t len = 0;
	int rc;

	if ((rc = dlv_parse(argc, argv, &a, true)) != CLI_OK)
		return rc;
	err_clear(&e);
	if (dlv_open(&x, &a, &e) < 0) {
		dlv_close(&x);
		return dlv_fail("deliveries fetch", &e);
	}
	if (cli_pin_read(a.pin_file, false, pin, sizeof(pin), &e) < 0 ||
	    st_login(x.db, a.user, pin, "deliveries", &who, &e) < 0) {
		explicit_bzero(pin, sizeof(pin));
		dlv_close(&x);
		return dlv_fail("deliveries fetch", &e);
	}
	explicit_bzero(pin, sizeof(pin));
	rc = sy_api_doc_body(x.api, a.id, &body, &len, &e);
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, _("sklad deliveries fetch: the server has no "
				  "document %s\n"), a.id);
		dlv_close(&x);
		return CLI_FAIL;
	}
	if (rc < 0 || (rc = sy_wire_parse_doc_info(body, len, &info, &e)) < 0)
		goto fail;
	if (info.receiver_inn[0] && strcmp(info.receiver_inn, x.inn) != 0) {
		fprintf(stderr, _("sklad deliveries fetch: document %s is "
				  "addressed to INN %s, not to this site (%s); "
				  "nothing imported\n"), a.id,
			info.receiver_inn, x.inn);
		rc = CLI_FAIL;
		goto out;
	}
	if ((rc = st_delivery_import(x.db, &who, a.id, body, len, &d,
				     &e)) < 0) {
		fprintf(stderr, _("sklad deliveries fetch: document %s cannot "
				  "be imported: %s\n"), a.id, e.msg);
		rc = CLI_FAIL;
		goto out;
	}
	if (a.json) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:i}", "delivery",
				      (json_int_t)d.id, "number", d.number,
				      "document", a.id, "expected",
				      d.expected);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		printf(_("delivery %lld (document %s, number %s): %d codes "
			 "expected; accept it with `accept open %lld`\n"),
		       (long long)d.id, a.id, d.number, d.expected,
		       (long long)d.id);
	}
	rc = CLI_OK;
	goto out;
fail:
	rc = dlv_fail("deliveries fetch", &e);
out:
	free(body);
	dlv_close(&x);
	return rc;
}
