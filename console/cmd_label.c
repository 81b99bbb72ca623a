/*
 * cmd_label: `sklad label print|verify|list|retry|void|sheet`.
 *
 * print draws a pack's label (facts from --db when given) as ZPL, TSPL or
 * PNG into a file, to stdout, or through the station's label settings to
 * a printer, by way of the job queue so that nothing is lost when the
 * printer is away. verify reads a photo or scan of a label with libdmtx
 * and says what it holds, parsed as `mark parse --json` does. list,
 * retry and void work on the queue; void needs a supervisor and is
 * audited. sheet prints command barcodes and operator badges.
 */
#define _GNU_SOURCE	/* asprintf */
#include <getopt.h>
#include <jansson.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/cli.h"
#include "console/cmd_mark.h"
#include "console/label_job.h"
#include "scanners/i18n.h"

#define DEFAULT_LABELS_CONFIG "/etc/sklad/labels.conf"

struct label_args {
	const char *db, *config, *sscc, *out, *printer, *user, *pin_file;
	const char *station, *operator_name, *product;
	const char *commands, *badge;
	int format;		/* -1: the printer's, else zpl */
	struct lb_size size;
	bool size_set, text_set, json;
	int64_t job;
};

static int
parse_args(const char *cmd, int argc, char **argv, struct label_args *a)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "sscc", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 'z' },
		{ "dpi", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "printer", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "station", required_argument, NULL, 'S' },
		{ "operator", required_argument, NULL, 'O' },
		{ "product", required_argument, NULL, 'n' },
		{ "commands", required_argument, NULL, 'C' },
		{ "badge", required_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'j' },
		{ "text", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	memset(a, 0, sizeof(*a));
	a->format = -1;
	a->size.width_mm = 100;
	a->size.height_mm = 150;
	a->size.dpi = 203;
	a->size.text_image = true;	/* as [printer] text = image */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->db = optarg; break;
		case 'c': a->config = optarg; break;
		case 's': a->sscc = optarg; break;
		case 'o': a->out = optarg; break;
		case 'p': a->printer = optarg; break;
		case 'u': a->user = optarg; break;
		case 'P': a->pin_file = optarg; break;
		case 'S': a->station = optarg; break;
		case 'O': a->operator_name = optarg; break;
		case 'n': a->product = optarg; break;
		case 'C': a->commands = optarg; break;
		case 'B': a->badge = optarg; break;
		case 'j': a->json = true; break;
		case 'f':
			if ((a->format = lb_format_parse(optarg)) < 0)
				return cli_usage(_("%s: --format is zpl, tspl "
						   "or png"), cmd);
			break;
		case 'z':
			if (lb_size_parse(optarg, &a->size) < 0)
				return cli_usage(_("%s: --size is WIDTHxHEIGHT "
						   "in millimetres, e.g. "
						   "100x150"), cmd);
			a->size_set = true;
			break;
		case 't':
			if (strcmp(optarg, "image") != 0 &&
			    strcmp(optarg, "fonts") != 0)
				return cli_usage(_("%s: --text is image or "
						   "fonts"), cmd);
			a->size.text_image = strcmp(optarg, "image") == 0;
			a->text_set = true;
			break;
		case 'r':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 150 || v > 600)
				return cli_usage(_("%s: --dpi is 203 or 300"),
						 cmd);
			a->size.dpi = (int)v;
			a->size_set = true;
			break;
		default:
			return cli_usage(_("%s: unknown option %s"), cmd,
					 argv[optind - 1]);
		}
	}
	return CLI_OK;
}

/* The job number of the one argument left. */
static int
job_arg(const char *cmd, int argc, char **argv, struct label_args *a)
{
	char *end;

	if (optind != argc - 1)
		return cli_usage(_("%s: give one job number"), cmd);
	a->job = strtoll(argv[optind], &end, 10);
	if (*end != '\0' || a->job <= 0)
		return cli_usage(_("%s: %s is not a job number"), cmd,
				 argv[optind]);
	return CLI_OK;
}

static int
write_out(const char *path, const char *data, size_t len, struct err *e)
{
	FILE *f = path != NULL ? fopen(path, "wb") : stdout;

	if (f == NULL)
		return err_set(e, ERR_IO, _("Cannot write %s."), path);
	if (fwrite(data, 1, len, f) != len || (path != NULL ? fclose(f) :
					       fflush(f)) != 0)
		return err_set(e, ERR_IO, _("Cannot write %s."),
			       path != NULL ? path : "stdout");
	return 0;
}

static int
load_config(const struct label_args *a, struct lb_config *cfg, bool need,
	    struct err *e)
{
	const char *path = a->config != NULL ? a->config :
			   DEFAULT_LABELS_CONFIG;

	if (a->config == NULL && !need && access(path, R_OK) != 0) {
		lb_config_defaults(cfg);
		return 0;
	}
	return lb_config_load(path, cfg, e);
}

/* A printed label to a printer: through the queue when there is a db
 * (*job: its number, 0 when none was queued). */
static int
print_to_printer(struct st_db *db, const struct label_args *a,
		 const struct lb_config *cfg, int64_t *job, struct err *e)
{
	const struct lb_printer_conf *pc = lb_config_printer(cfg, a->printer);
	struct lb_printer_conf over;
	int64_t id;
	int rc;

	if (pc == NULL)
		return err_set(e, ERR_INVALID, _("No printer %s in the label "
			       "settings (a [printer %s] section)."),
			       a->printer, a->printer);
	over = *pc;
	if (a->format >= 0)
		over.format = (enum lb_format)a->format;
	if (a->size_set) {
		bool text = over.size.text_image;

		over.size = a->size;
		over.size.text_image = text;
	}
	if (a->text_set)
		over.size.text_image = a->size.text_image;
	if (db == NULL) {
		struct lb_label l;
		char *body = NULL;
		size_t len = 0;

		rc = lbj_label(NULL, a->sscc, cfg, a->operator_name, &l, e);
		if (rc == 0 && a->product != NULL)
			snprintf(l.product, sizeof(l.product), "%s",
				 a->product);
		if (rc == 0)
			rc = lb_render(&l, &over.size, over.format, &body,
				       &len, e);
		if (rc == 0)
			rc = lb_print(&over.p, body, len, e);
		free(body);
		return rc;
	}
	if ((rc = lbj_queue(db, NULL, cfg, &over, a->sscc, "reprint", &id,
			    e)) < 0)
		return rc;
	*job = id;
	if ((rc = lbj_send(db, cfg, id, e)) < 0)
		return rc;
	printf(_("Label job %lld printed on %s.\n"), (long long)id,
	       over.name);
	return 0;
}

int
cmd_label_print(int argc, char **argv)
{
	struct label_args a;
	struct lb_config cfg;
	struct st_db *db = NULL;
	struct lb_label l;
	struct err e;
	char *body = NULL;
	size_t len = 0;
	int rc;

	if ((rc = parse_args("label print", argc, argv, &a)) != CLI_OK)
		return rc;
	if (a.sscc == NULL || optind != argc)
		return cli_usage(_("label print: give --sscc SSCC"));
	if (a.out != NULL && a.printer != NULL)
		return cli_usage(_("label print: --out or --printer, not "
				   "both"));
	err_clear(&e);
	rc = load_config(&a, &cfg, a.printer != NULL, &e);
	if (rc == 0 && a.station != NULL)
		snprintf(cfg.station, sizeof(cfg.station), "%s", a.station);
	if (rc == 0 && a.db != NULL)
		rc = st_open(a.db, false, &db, &e);
	if (rc == 0 && a.printer != NULL) {
		int64_t job = 0;

		rc = print_to_printer(db, &a, &cfg, &job, &e);
		st_close(&db);
		if (rc < 0)
			fprintf(stderr, "sklad label print: %s\n", e.msg);
		if (rc < 0 && job > 0)
			fprintf(stderr, _("The label stays queued as job %lld: "
					  "sklad label retry %lld prints "
					  "it.\n"), (long long)job,
				(long long)job);
		return rc < 0 ? CLI_FAIL : CLI_OK;
	}
	if (rc == 0)
		rc = lbj_label(db, a.sscc, &cfg, a.operator_name, &l, &e);
	if (rc == 0 && a.product != NULL)
		snprintf(l.product, sizeof(l.product), "%s", a.product);
	if (rc == 0)
		rc = lb_render(&l, &a.size, a.format < 0 ? LB_ZPL :
			       (enum lb_format)a.format, &body, &len, &e);
	if (rc == 0 && a.out == NULL && a.format == LB_PNG &&
	    isatty(1))
		rc = err_set(&e, ERR_INVALID, _("A PNG is not for a terminal: "
			     "give --out FILE."));
	if (rc == 0)
		rc = write_out(a.out, body, len, &e);
	free(body);
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad label print: %s\n", e.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* ---- verify ------------------------------------------------------------- */

int
cmd_label_verify(int argc, char **argv)
{
	struct label_args a;
	struct lb_image img;
	struct lb_decoded d;
	struct mark m;
	char scan[MARK_SCAN_MAX + 4];
	struct err e;
	bool valid;
	size_t n;
	int rc;

	if ((rc = parse_args("label verify", argc, argv, &a)) != CLI_OK)
		return rc;
	if (optind != argc - 1)
		return cli_usage(_("label verify: give one IMAGE (PNG or "
				   "PNM)"));
	err_clear(&e);
	rc = lb_image_load(argv[optind], &img, &e);
	if (rc == 0) {
		rc = lb_decode(&img, 20000, &d, &e);
		lb_image_free(&img);
	}
	if (rc < 0) {
		if (a.json) {
			json_t *o = json_pack("{s:b, s:s, s:s}", "found", 0,
					      "error", e.msg, "error_code",
					      err_key(e.code));

			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(o);
		} else {
			fprintf(stderr, "sklad label verify: %s\n", e.msg);
		}
		return CLI_FAIL;
	}
	/* what a scanner with AIM identifiers on would send */
	n = (size_t)snprintf(scan, sizeof(scan), "%s", d.gs1 ? "]d2" : "]d1");
	memcpy(scan + n, d.data, d.len);
	n += d.len;
	scan[n] = '\0';
	valid = mark_parse(scan, n, &m) == 0;
	if (a.json) {
		json_t *o = json_object();

		json_object_set_new(o, "found", json_true());
		json_object_set_new(o, "symbology", json_string("datamatrix"));
		json_object_set_new(o, "rows", json_integer(d.rows));
		json_object_set_new(o, "cols", json_integer(d.cols));
		json_object_set_new(o, "gs1", json_boolean(d.gs1));
		json_object_set_new(o, "data", json_stringn(d.data, d.len));
		json_object_set_new(o, "parse", cmd_mark_json(scan, &m,
							       valid));
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		char msg[512];

		printf("datamatrix %dx%d gs1=%s\n", d.rows, d.cols,
		       d.gs1 ? "yes" : "no");
		if (!valid) {
			mark_strerror(&m, msg, sizeof(msg));
			printf("ERROR %s: %s\n", mark_err_name(m.err.code), msg);
		} else if (m.kind == MARK_SSCC) {
			printf("OK sscc %s\n", m.sscc);
		} else if (m.kind == MARK_COMMAND) {
			printf("OK command %s\n", m.command);
		} else {
			printf("OK mark %s gtin=%s serial=%s cis=%s "
			       "crypto=%s\n", mark_layout_name(m.layout),
			       m.gtin, m.serial, m.cis,
			       m.has_crypto ? "yes" : "no");
		}
	}
	return valid ? CLI_OK : CLI_FAIL;
}

/* ---- the queue ---------------------------------------------------------- */

static int
list_one(void *arg, const struct st_label_job *j)
{
	bool json = *(bool *)arg;

	if (json) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, "
				      "s:s, s:s, s:s, s:s}", "id",
				      (json_int_t)j->id, "sscc", j->sscc,
				      "printer", j->printer, "format",
				      j->format, "reason", j->reason, "state",
				      j->state, "attempts", j->attempts,
				      "last_error", j->last_error,
				      "created_at", j->created_at,
				      "printed_at", j->printed_at,
				      "confirmed_at", j->confirmed_at);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
		return 0;
	}
	printf("%6lld  %-18s  %-8s  %-7s  %-7s  %d  %s%s%s\n",
	       (long long)j->id, j->sscc, j->state, j->reason, j->printer,
	       j->attempts, j->confirmed_at[0] ? _("confirmed") : "",
	       j->last_error[0] && strcmp(j->state, "printed") != 0 ? " " : "",
	       strcmp(j->state, "printed") != 0 ? j->last_error : "");
	return 0;
}

int
cmd_label_list(int argc, char **argv)
{
	struct label_args a;
	struct st_db *db = NULL;
	int64_t failed = 0;
	struct err e;
	int rc;

	if ((rc = parse_args("label list", argc, argv, &a)) != CLI_OK)
		return rc;
	if (a.db == NULL || optind != argc)
		return cli_usage(_("%s needs --db PATH"), "label list");
	err_clear(&e);
	rc = st_open(a.db, false, &db, &e);
	if (rc == 0)
		rc = st_label_jobs(db, a.sscc, 200, list_one, &a.json, &e);
	if (rc == 0)
		rc = st_label_failed(db, &failed, &e);
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad label list: %s\n", e.msg);
		return CLI_FAIL;
	}
	/* A failed label needs a person, like a failed document: the exit
	 * status says so to a script or a timer, not only the listing. */
	if (failed > 0) {
		fprintf(stderr, ngettext("sklad label list: %lld label job "
					 "failed: print it again with sklad "
					 "label retry JOB, or a supervisor "
					 "voids it\n",
					 "sklad label list: %lld label jobs "
					 "failed: print them again with sklad "
					 "label retry JOB, or a supervisor "
					 "voids them\n", (unsigned long)failed),
			(long long)failed);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Log in as --user with a PIN as exec does. */
static int
login(struct st_db *db, const struct label_args *a, struct st_actor *who,
      struct err *e)
{
	char pin[64];
	int rc;

	if ((rc = cli_pin_read(a->pin_file, true, pin, sizeof(pin), e)) < 0)
		return rc;
	rc = st_login(db, a->user, pin, "cli", who, e);
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

int
cmd_label_retry(int argc, char **argv)
{
	struct label_args a;
	struct lb_config cfg;
	struct st_actor who = { 0, ST_OPERATOR, "", "cli" };
	struct st_db *db = NULL;
	struct err e;
	int rc;

	if ((rc = parse_args("label retry", argc, argv, &a)) != CLI_OK ||
	    (rc = job_arg("label retry", argc, argv, &a)) != CLI_OK)
		return rc;
	if (a.db == NULL)
		return cli_usage(_("%s needs --db PATH"), "label retry");
	err_clear(&e);
	rc = load_config(&a, &cfg, true, &e);
	if (rc == 0)
		rc = st_open(a.db, false, &db, &e);
	if (rc == 0 && a.user != NULL)
		rc = login(db, &a, &who, &e);
	if (rc == 0)
		rc = st_label_retry(db, &who, a.job, &e);
	if (rc == 0)
		rc = lbj_send(db, &cfg, a.job, &e);
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad label retry: %s\n", e.msg);
		return CLI_FAIL;
	}
	printf(_("Label job %lld printed.\n"), (long long)a.job);
	return CLI_OK;
}

int
cmd_label_void(int argc, char **argv)
{
	struct label_args a;
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	int rc;

	if ((rc = parse_args("label void", argc, argv, &a)) != CLI_OK ||
	    (rc = job_arg("label void", argc, argv, &a)) != CLI_OK)
		return rc;
	if (a.db == NULL || a.user == NULL)
		return cli_usage(_("label void needs --db PATH and --user NAME "
				   "(a supervisor)"));
	err_clear(&e);
	rc = st_open(a.db, false, &db, &e);
	if (rc == 0)
		rc = login(db, &a, &who, &e);
	if (rc == 0)
		rc = st_label_void(db, &who, a.job, &e);
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad label void: %s\n", e.msg);
		return CLI_FAIL;
	}
	printf(_("Label job %lld voided.\n"), (long long)a.job);
	return CLI_OK;
}

/* ---- sheets ------------------------------------------------------------- */

int
cmd_label_sheet(int argc, char **argv)
{
	struct label_args a;
	char *items[24], *captions[24], *list = NULL, *tok, *save = NULL;
	char *body = NULL;
	size_t n = 0, len = 0, i;
	struct err e;
	int rc;

	if ((rc = parse_args("label sheet", argc, argv, &a)) != CLI_OK)
		return rc;
	if ((a.commands == NULL) == (a.badge == NULL) || optind != argc)
		return cli_usage(_("label sheet: give --commands CMD,CMD,... "
				   "or --badge NAME"));
	if (!a.size_set)
		a.size.width_mm = 100, a.size.height_mm = 150;
	err_clear(&e);
	if (a.commands != NULL) {
		list = strdup(a.commands);
		for (tok = strtok_r(list, ",", &save); tok != NULL && n < 24;
		     tok = strtok_r(NULL, ",", &save)) {
			if (asprintf(&items[n], "%s%s", MARK_COMMAND_PREFIX,
				     tok) < 0)
				break;
			captions[n] = strdup(tok);
			n++;
		}
	} else {
		/* a badge is the operator's name, as the login screen takes
		 * a scan; the PIN is never printed */
		if (asprintf(&items[0], "%s", a.badge) >= 0) {
			captions[0] = strdup(a.badge);
			n = 1;
		}
	}
	rc = lb_render_sheet((const char *const *)items,
			     (const char *const *)captions, n, &a.size,
			     a.format < 0 ? LB_PNG : (enum lb_format)a.format,
			     &body, &len, &e);
	if (rc == 0 && a.out == NULL && isatty(1))
		rc = err_set(&e, ERR_INVALID, _("Give --out FILE."));
	if (rc == 0)
		rc = write_out(a.out, body, len, &e);
	for (i = 0; i < n; i++) {
		free(items[i]);
		free(captions[i]);
	}
	free(list);
	free(body);
	if (rc < 0) {
		fprintf(stderr, "sklad label sheet: %s\n", e.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}
