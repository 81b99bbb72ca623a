/*
 * cmd_mark: `sklad mark parse`, `sklad sscc check`, `sklad sscc make`.
 *
 * What a scan is, for an admin setting up a scanner or a script checking a
 * file of codes: one output line per scan, plain text or one JSON object.
 * Scans come from the arguments, or one per line from stdin as raw bytes
 * (GS is the byte 0x1D, a trailing CR is dropped, an empty line is an
 * empty scan).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"
#include "console/cmd_mark.h"
#include "scanners/mark.h"

/* JSON string or null for an empty field. */
static json_t *
text_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

json_t *
cmd_mark_json(const char *scan, const struct mark *m, bool valid)
{
	const char *kind = mark_kind_name(m->kind);
	const char *layout = mark_layout_name(m->layout);
	json_t *o = json_object();
	json_t *els = json_array();
	char msg[512];
	unsigned i;

	json_object_set_new(o, "valid", json_boolean(valid));
	json_object_set_new(o, "kind", kind ? json_string(kind) : json_null());
	json_object_set_new(o, "layout",
			    layout ? json_string(layout) : json_null());
	json_object_set_new(o, "gtin", text_or_null(m->gtin));
	json_object_set_new(o, "serial", text_or_null(m->serial));
	json_object_set_new(o, "cis", text_or_null(m->cis));
	json_object_set_new(o, "sscc", text_or_null(m->sscc));
	json_object_set_new(o, "crypto", json_boolean(m->has_crypto));
	if (m->kind == MARK_COMMAND)
		json_object_set_new(o, "command", json_string(m->command));
	for (i = 0; valid && i < m->nelements; i++) {
		const struct mark_element *el = &m->elements[i];

		json_array_append_new(els, json_pack("{s:s, s:s%}", "ai",
			el->ai, "value", scan + el->off, (size_t)el->len));
	}
	json_object_set_new(o, "elements", els);
	if (valid) {
		/* Every field the README lists is in every object: null when
		 * there is nothing to say. */
		json_object_set_new(o, "error", json_null());
		json_object_set_new(o, "error_code", json_null());
		json_object_set_new(o, "position", json_null());
	} else {
		mark_strerror(m, msg, sizeof(msg));
		json_object_set_new(o, "error", json_string(msg));
		json_object_set_new(o, "error_code",
				    json_string(mark_err_name(m->err.code)));
		json_object_set_new(o, "position",
				    json_integer(m->err.pos + 1));
	}
	return o;
}

static void
print_text(const struct mark *m, bool valid)
{
	char msg[512];

	if (!valid) {
		mark_strerror(m, msg, sizeof(msg));
		printf("ERROR %s: %s\n", mark_err_name(m->err.code), msg);
	} else if (m->kind == MARK_SSCC) {
		printf("OK sscc %s\n", m->sscc);
	} else if (m->kind == MARK_COMMAND) {
		printf("OK command %s\n", m->command);
	} else {
		printf("OK mark %s gtin=%s serial=%s cis=%s crypto=%s\n",
		       mark_layout_name(m->layout), m->gtin, m->serial, m->cis,
		       m->has_crypto ? "yes" : "no");
	}
}

/* Parse and print one scan; returns whether it was valid. */
static bool
report_scan(const char *scan, size_t len, bool json)
{
	struct mark m;
	bool valid = mark_parse(scan, len, &m) == 0;

	if (json) {
		json_t *o = cmd_mark_json(scan, &m, valid);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		print_text(&m, valid);
	}
	fflush(stdout);
	return valid;
}

/* Each line of stdin is one scan; returns whether all were valid. */
static bool
report_stdin(bool json)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool all = true;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		all &= report_scan(line, (size_t)n, json);
	}
	free(line);
	return all;
}

int
cmd_mark_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, all = true;
	int c, i;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+j", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage("mark parse: unknown option '%s'",
					 argv[optind - 1]);
		json = true;
	}
	if (optind == argc)
		all = report_stdin(json);
	for (i = optind; i < argc; i++)
		all &= report_scan(argv[i], strlen(argv[i]), json);
	return all ? CLI_OK : CLI_FAIL;
}

int
cmd_sscc_check(int argc, char **argv)
{
	struct mark m;
	char msg[512];

	if (argc != 2)
		return cli_usage("sscc check: give exactly one CODE");
	if (mark_sscc_check(argv[1], strlen(argv[1]), &m) == 0) {
		printf("OK sscc %s\n", m.sscc);
		return CLI_OK;
	}
	mark_strerror(&m, msg, sizeof(msg));
	printf("ERROR %s: %s\n", mark_err_name(m.err.code), msg);
	return CLI_FAIL;
}

int
cmd_sscc_make(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gcp", required_argument, NULL, 'g' },
		{ "extension", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *gcp = NULL;
	char out[MARK_SSCC_LEN + 1], *end;
	unsigned long long serial;
	long ext = 0;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+g:e:", opts, NULL)) != -1) {
		if (c == 'g') {
			gcp = optarg;
		} else if (c == 'e') {
			ext = strtol(optarg, &end, 10);
			if (*end != '\0' || ext < 0 || ext > 9)
				return cli_usage("sscc make: the extension is "
						 "one digit, 0 to 9");
		} else {
			return cli_usage("sscc make: unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (gcp == NULL || optind != argc - 1)
		return cli_usage("sscc make: give --gcp PREFIX and one SERIAL");
	serial = strtoull(argv[optind], &end, 10);
	if (*end != '\0' || argv[optind][0] == '\0' || argv[optind][0] == '-')
		return cli_usage("sscc make: SERIAL must be digits");
	if (mark_sscc_make((int)ext, gcp, serial, out) < 0) {
		fprintf(stderr, "sklad: the company prefix must be 6 to 12 "
			"digits and the serial must fit in the %d digits "
			"left\n", (int)(16 - strlen(gcp)));
		return CLI_FAIL;
	}
	printf("%s\n", out);
	return CLI_OK;
}
