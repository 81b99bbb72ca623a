/*
 * cmd_export: `sklad export shipment N`, `export acceptance N`, `export
 * pack SSCC`, `export audit --from D --to D`: what the ERP needs for the
 * УПД and its records, as XML, a whole УПД, CSV or JSON (export_fmt.h),
 * on stdout or atomically into --out FILE.
 *
 * Exporting a shipment or an acceptance whose document sync keeps for
 * export (every product group but furs, true-api.md §5.6-5.7) records it
 * as exported, with the time and the file ("-" for stdout).
 * Exit codes: 0 written; 1 not found or not writable; 2 usage.
 *
 * What it must not do: change anything but the outbox entry's export
 * state, or call exit().
 */
#define _GNU_SOURCE		/* open_memstream */
#include <getopt.h>
#include <libintl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"
#include "console/export_fmt.h"
#include "store/store.h"
#include "scanners/i18n.h"


struct xargs {
	const char *db, *out, *from, *to;
	struct xf_opts o;
	bool format_set;
};

static int
parse(int argc, char **argv, const char *cmd, struct xargs *a, int nargs,
      const char **arg)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "tree", no_argument, NULL, 't' },
		{ "version", required_argument, NULL, 'v' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->o.format = XF_XML;
	a->o.cp1251 = true;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->db = optarg; break;
		case 'o': a->out = optarg; break;
		case 'j': a->o.format = XF_JSON; a->format_set = true; break;
		case 'c': a->o.format = XF_CSV; a->format_set = true; break;
		case 't': a->o.tree = true; break;
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'f':
			if (xf_format_parse(optarg, &a->o.format) < 0)
				return cli_usage(_("%s: --format is xml, upd, "
						   "csv or json"), cmd);
			a->format_set = true;
			break;
		case 'v':
			if (strcmp(optarg, "5.01") != 0 &&
			    strcmp(optarg, "5.03") != 0)
				return cli_usage(_("%s: --version is 5.03 or "
						   "5.01"), cmd);
			a->o.v501 = strcmp(optarg, "5.01") == 0;
			break;
		case 'e':
			if (strcasecmp(optarg, "utf-8") != 0 &&
			    strcasecmp(optarg, "windows-1251") != 0)
				return cli_usage(_("%s: --encoding is "
						   "windows-1251 or utf-8"),
						 cmd);
			a->o.cp1251 = strcasecmp(optarg, "windows-1251") == 0;
			break;
		default:
			return cli_usage(_("%s: unknown option %s"), cmd,
					 argv[optind - 1]);
		}
	}
	if (argc - optind != nargs)
		return cli_usage(nargs ? _("%s needs one argument") :
				 _("%s takes no arguments"), cmd);
	if (nargs)
		*arg = argv[optind];
	if (a->db == NULL)
		return cli_usage(_("%s needs --db PATH"), cmd);
	return 0;
}

/* Write what fill produced (a memory stream's bytes) to --out or stdout. */
static int
emit(const struct xargs *a, const char *buf, size_t len)
{
	struct err e;

	if (a->out == NULL || strcmp(a->out, "-") == 0) {
		fwrite(buf, 1, len, stdout);
		return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
	}
	if (xf_write_atomic(a->out, buf, len, &e) < 0) {
		fprintf(stderr, "sklad export: %s\n", e.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int
open_db(const char *path, struct st_db **db)
{
	struct err e;

	if (st_open(path, false, db, &e) < 0) {
		fprintf(stderr, "sklad export: %s\n", e.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* One document export: kind "shipment", "acceptance" or "pack". */
static int
export_one(int argc, char **argv, const char *kind)
{
	struct st_db *db = NULL;
	const char *arg = NULL;
	char cmd[32], *end;
	struct xargs a;
	long long id = 0;
	struct err e;
	int rc;

	snprintf(cmd, sizeof(cmd), "export %s", kind);
	if ((rc = parse(argc, argv, cmd, &a, 1, &arg)) != 0)
		return rc;
	if (strcmp(kind, "pack") != 0) {
		id = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || id <= 0)
			return cli_usage(_("%s: %s is not a number"), cmd, arg);
	}
	if (strcmp(kind, "pack") == 0 && a.o.format != XF_JSON &&
	    a.o.format != XF_CSV && a.format_set)
		return cli_usage(_("export pack writes csv or json"));
	if (strcmp(kind, "pack") == 0 && !a.format_set)
		a.o.format = XF_CSV;
	if ((rc = open_db(a.db, &db)) != CLI_OK)
		return rc;
	rc = xf_export(db, kind, id, arg, &a.o, a.out, NULL, &e);
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad export: %s\n", e.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int
cmd_export_shipment(int argc, char **argv)
{
	return export_one(argc, argv, "shipment");
}

int
cmd_export_acceptance(int argc, char **argv)
{
	return export_one(argc, argv, "acceptance");
}

int
cmd_export_pack(int argc, char **argv)
{
	return export_one(argc, argv, "pack");
}

/* A day "2026-11-30" as --to includes that whole day. */
static void
day_end(const char *to, char *out, size_t n)
{
	if (strlen(to) == 10)
		snprintf(out, n, "%s\x7f", to);
	else
		snprintf(out, n, "%s", to);
}

int
cmd_export_audit(int argc, char **argv)
{
	struct xf_audit au = { 0 };
	struct st_db *db = NULL;
	char to[64], *buf = NULL;
	struct xargs a;
	size_t len = 0;
	struct err e;
	int rc;

	if ((rc = parse(argc, argv, "export audit", &a, 0, NULL)) != 0)
		return rc;
	if (a.format_set && a.o.format != XF_CSV && a.o.format != XF_JSON)
		return cli_usage(_("export audit writes csv or json"));
	if (a.to)
		day_end(a.to, to, sizeof(to));
	if ((rc = open_db(a.db, &db)) != CLI_OK)
		return rc;
	if ((au.f = open_memstream(&buf, &len)) == NULL) {
		st_close(&db);
		return CLI_FAIL;
	}
	au.json = a.o.format == XF_JSON;
	xf_audit_begin(&au);
	rc = st_audit_each(db, a.from, a.to ? to : NULL, xf_audit_row, &au,
			   &e);
	xf_audit_end(&au);
	fclose(au.f);
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad export: %s\n", e.msg);
		free(buf);
		return CLI_FAIL;
	}
	rc = emit(&a, buf, len);
	free(buf);
	return rc;
}
