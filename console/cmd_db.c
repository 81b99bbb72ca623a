/*
 * cmd_db: the admin's tools for a database file (store.h, "admin"):
 *
 *   sklad db backup PATH --db DB   a consistent copy while consoles scan
 *   sklad db check --db DB [--json]   SQLite's checks and sklad's
 *                                  invariants; each problem listed
 *   sklad db stats --db DB [--json]   sizes and counts
 *
 * Exit codes (sklad(1)): 0 done and sound; 1 check found problems (each
 * printed: on stderr as "sklad db check: CHECK: sentence", or in the
 * JSON); 2 the command line is wrong; 74 (EX_IOERR) the file could not
 * be read, copied or checked (the reason on stderr).
 *
 * What it must not do: change the database, or call exit().
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
#include "scanners/i18n.h"


enum { DB_IOERR = 74 };

struct db_args {
	const char *db;
	bool json;
	const char *target;	/* backup only */
};

/* --db DB [--json], and with want_target one PATH. CLI_OK or CLI_USAGE. */
static int
db_parse(int argc, char **argv, bool want_target, struct db_args *a)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->db = optarg;
			break;
		case 'j':
			if (want_target)
				return cli_usage("db backup takes no --json");
			a->json = true;
			break;
		default:
			return cli_usage("db %s: unknown option '%s'", argv[0],
					 argv[optind - 1]);
		}
	}
	if (a->db == NULL)
		return cli_usage("db %s needs --db PATH", argv[0]);
	if (want_target) {
		if (optind != argc - 1)
			return cli_usage("db backup needs one PATH to write "
					 "the copy to");
		a->target = argv[optind];
	} else if (optind != argc) {
		return cli_usage("db %s: unexpected argument '%s'", argv[0],
				 argv[optind]);
	}
	return CLI_OK;
}

/*
 * sklad db backup PATH --db DB. Returns the exit code (see the top).
 */
int
cmd_db_backup(int argc, char **argv)
{
	struct db_args a;
	struct err e = { 0 };
	int rc;

	if ((rc = db_parse(argc, argv, true, &a)) != CLI_OK)
		return rc;
	if (st_db_backup(a.db, a.target, &e) < 0) {
		fprintf(stderr, "sklad db backup: %s\n", e.msg);
		return DB_IOERR;
	}
	return CLI_OK;
}

static void
problem_text(void *arg, const char *check, const char *msg)
{
	(void)arg;
	fprintf(stderr, "sklad db check: %s: %s\n", check, msg);
}

static void
problem_json(void *arg, const char *check, const char *msg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s}", "check", check,
					     "message", msg));
}

/*
 * sklad db check --db DB [--json]. Returns the exit code (see the top).
 */
int
cmd_db_check(int argc, char **argv)
{
	struct db_args a;
	struct err e = { 0 };
	json_t *list = NULL;
	int rc, problems = 0;

	if ((rc = db_parse(argc, argv, false, &a)) != CLI_OK)
		return rc;
	if (a.json)
		list = json_array();
	rc = st_db_check(a.db, a.json ? problem_json : problem_text, list,
			 &problems, &e);
	if (rc < 0) {
		fprintf(stderr, "sklad db check: %s\n", e.msg);
		json_decref(list);
		return DB_IOERR;
	}
	if (a.json) {
		json_t *o = json_pack("{s:b, s:i, s:o}", "ok", problems == 0,
				      "count", problems, "problems", list);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else if (problems == 0) {
		printf(_("%s: no problems found\n"), a.db);
	} else {
		printf(ngettext("%s: %d problem found\n",
				"%s: %d problems found\n",
				(unsigned long)problems), a.db, problems);
	}
	return problems == 0 ? CLI_OK : CLI_FAIL;
}

static json_t *
counts_json(const struct st_stat_count *c, int n)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < n; i++)
		json_object_set_new(o, c[i].name, json_integer(c[i].count));
	return o;
}

static void
counts_text(const char *title, const struct st_stat_count *c, int n)
{
	int i;

	printf("%-14s", title);
	if (n == 0)
		printf(" -");
	for (i = 0; i < n; i++)
		printf("%s %s %lld", i ? "," : "", c[i].name,
		       (long long)c[i].count);
	putchar('\n');
}

/*
 * sklad db stats --db DB [--json]. Returns the exit code (see the top).
 */
int
cmd_db_stats(int argc, char **argv)
{
	struct db_args a;
	struct st_db_stats s;
	struct err e = { 0 };
	int rc;

	if ((rc = db_parse(argc, argv, false, &a)) != CLI_OK)
		return rc;
	if (st_db_stats(a.db, &s, &e) < 0) {
		fprintf(stderr, "sklad db stats: %s\n", e.msg);
		return DB_IOERR;
	}
	if (a.json) {
		json_t *o = json_pack(
			"{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			" s:I, s:I, s:o, s:o, s:o, s:o, s:s?}",
			"schema_version", s.schema_version,
			"known_version", s.known_version,
			"page_size", (json_int_t)s.page_size,
			"pages", (json_int_t)s.pages,
			"free_pages", (json_int_t)s.free_pages,
			"file_bytes", (json_int_t)s.file_bytes,
			"wal_bytes", (json_int_t)s.wal_bytes,
			"codes", (json_int_t)s.codes,
			"units", (json_int_t)s.units,
			"shipped", (json_int_t)s.shipped,
			"users", (json_int_t)s.users,
			"audit", (json_int_t)s.audit,
			"packs", counts_json(s.packs, s.n_packs),
			"outbox", counts_json(s.outbox, s.n_outbox),
			"deliveries", counts_json(s.deliveries,
						  s.n_deliveries),
			"shipments", counts_json(s.shipments, s.n_shipments),
			"oldest_open", s.oldest_open[0] ? s.oldest_open :
			NULL);
		char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (t)
			printf("%s\n", t);
		free(t);
		json_decref(o);
		return CLI_OK;
	}
	printf("%-14s %d (this sklad: %d)\n", "schema", s.schema_version,
	       s.known_version);
	printf("%-14s %lld bytes, %lld pages of %lld, %lld free; WAL %lld "
	       "bytes\n", "file", (long long)s.file_bytes,
	       (long long)s.pages, (long long)s.page_size,
	       (long long)s.free_pages, (long long)s.wal_bytes);
	printf("%-14s %lld (%lld units and group packs, %lld shipped)\n",
	       "codes", (long long)s.codes, (long long)s.units,
	       (long long)s.shipped);
	counts_text("packs", s.packs, s.n_packs);
	counts_text("outbox", s.outbox, s.n_outbox);
	counts_text("deliveries", s.deliveries, s.n_deliveries);
	counts_text("shipments", s.shipments, s.n_shipments);
	printf("%-14s %lld\n", "users", (long long)s.users);
	printf("%-14s %lld\n", "audit", (long long)s.audit);
	printf("%-14s %s\n", "oldest open", s.oldest_open[0] ?
	       s.oldest_open : "-");
	return CLI_OK;
}
