/*
 * cli: the table of subcommands, help, usage errors, locale set-up.
 */
#include <libintl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"

static const struct cli_command commands[] = {
	{ "init", "--db PATH --inn INN --gcp PREFIX [--extension D] "
	  "[--product-group PG] [--admin NAME] [--box-capacity N] "
	  "[--pin-file FILE] [--pin-min-length N] [--lock-after N] "
	  "[--lock-minutes N]",
	  "create a database and the site's first admin (PIN typed, or "
	  "SKLAD_PIN, or --pin-file)", cmd_init },
	{ "exec", "--db PATH --user NAME [--pin-file FILE] [--device NAME] "
	  "[--barcode TEXT=CMD]",
	  "run workflow commands from stdin, one JSON line per result",
	  cmd_exec },
	{ "set-pin", "--db PATH --user NAME [--pin-file FILE]",
	  "give its first PIN to an account made before PINs were required "
	  "(PIN typed, or SKLAD_PIN, or --pin-file)", cmd_set_pin },
	{ "sync", "--db PATH [--config FILE] [--max-seconds N] [--once] "
	  "[--dry-run] [--json] [--quiet] [--log-prefix]",
	  "sign and submit the outbox to True API, poll until done (for "
	  "cron and systemd)", cmd_sync },
	{ "deliveries fetch", "--db PATH [--config FILE] [--user NAME] "
	  "[--pin-file FILE] [--json] DOC_ID",
	  "read an incoming document from True API and import it as a "
	  "delivery to accept", cmd_deliveries_fetch },
	{ "deliveries", "--db PATH [--config FILE] [--json]",
	  "list the documents True API holds for this site's INN",
	  cmd_deliveries },
	{ "codes check", "--db PATH [--config FILE] (--delivery N | "
	  "--pack SSCC) [--json]",
	  "ask True API about the codes of a delivery or a pack (status, "
	  "owner, aggregate) and record the problems", cmd_codes_check },
	{ "stock load", "FILE --db PATH [--user NAME] [--pin-file FILE] "
	  "[--json]",
	  "load the codes the site owns already (CSV or JSON: code, parent "
	  "SSCC) into stock, all or nothing (supervisor)", cmd_stock_load },
	{ "stock count", "--db PATH [--pack SSCC] [--user NAME] "
	  "[--pin-file FILE] [--json]",
	  "count stock by scanning (scans on stdin): the pack SSCC, or all "
	  "stock; lists missing units and extra scans", cmd_stock_count },
	{ "stock report", "--db PATH [--by gtin|pack|state] "
	  "[--format csv|json] [--json]",
	  "what is in stock, by GTIN (with names), by pack, or by state",
	  cmd_stock_report },
	{ "export stock", "--db PATH [--by gtin|pack|state] "
	  "[--format csv|json] [--json]",
	  "the same as stock report, for the ERP", cmd_stock_report },
	{ "stock fetch", "--db PATH [--config FILE] [--user NAME] "
	  "[--pin-file FILE] [--json]",
	  "load the codes this site owns on the state system (cises/search, "
	  "at most 10 000) that sklad does not know yet (supervisor)",
	  cmd_stock_fetch },
	{ "catalogue fetch", "--db PATH [--config FILE] [--user NAME] "
	  "[--pin-file FILE] [--json]",
	  "ask True API (product/info) for the names of GTINs in stock that "
	  "the catalogue lacks", cmd_catalogue_fetch },
	{ "catalogue import", "FILE --db PATH [--user NAME] [--pin-file FILE] "
	  "[--json]",
	  "import product names from the ERP (CSV or JSON: gtin, name, unit, "
	  "product_group; supervisor)", cmd_catalogue_import },
	{ "catalogue list", "--db PATH [--json]",
	  "the product catalogue: GTIN, name, unit, product group",
	  cmd_catalogue_list },
	{ "export shipment", "N --db PATH [--format xml|upd|csv|json] "
	  "[--json] [--tree] [--version 5.03|5.01] [--encoding "
	  "windows-1251|utf-8] [--out FILE]",
	  "the marking block of a shipment's УПД, per line (GTIN); marks "
	  "its document exported", cmd_export_shipment },
	{ "export acceptance", "N --db PATH [--format xml|csv|json] "
	  "[--json] [--out FILE]",
	  "accepted, missing, rejected and surplus codes of a delivery; "
	  "marks its document exported", cmd_export_acceptance },
	{ "export pack", "SSCC --db PATH [--format csv|json] [--json] "
	  "[--out FILE]", "the tree of a pack", cmd_export_pack },
	{ "export audit", "--db PATH [--from DATE] [--to DATE] "
	  "[--format csv|json] [--json] [--out FILE]",
	  "the audit log of a period", cmd_export_audit },
	{ "exchange", "--db PATH --inbox DIR --outbox DIR [--user NAME] "
	  "[--pin-file FILE] [--once] [--interval SECONDS] [--format "
	  "xml|upd|csv|json] [--tree] [--settle SECONDS] [--json]",
	  "import each УПД dropped into the inbox once, write exports of "
	  "finished shipments and acceptances into the outbox", cmd_exchange },
	{ "db backup", "--db PATH TARGET",
	  "copy the database to TARGET while consoles scan (0600, written "
	  "whole or not at all)", cmd_db_backup },
	{ "db check", "--db PATH [--json]",
	  "check the database: SQLite's integrity and sklad's own rules; "
	  "exit 1 and list each problem", cmd_db_check },
	{ "db stats", "--db PATH [--json]",
	  "sizes and counts of the database: codes, packs, outbox, "
	  "deliveries", cmd_db_stats },
	{ "mark parse", "[--json] [SCAN...]",
	  "parse scans (arguments, or one per line on stdin)",
	  cmd_mark_parse },
	{ "sscc check", "CODE", "check an SSCC and its check digit",
	  cmd_sscc_check },
	{ "sscc make", "--gcp PREFIX [--extension DIGIT] SERIAL",
	  "build an SSCC from a company prefix and a serial reference",
	  cmd_sscc_make },
	{ "label print", "--sscc SSCC [--db PATH] [--format zpl|tspl|png] "
	  "[--size 58x40|100x150] [--dpi 203|300] [--text image|fonts] "
	  "[--out FILE | --printer NAME [--config FILE]] [--station S] "
	  "[--operator NAME] [--product NAME]",
	  "draw a box's or pallet's label (GS1-128 and GS1 DataMatrix, "
	  "checked by reading it back) to a file, stdout or a printer",
	  cmd_label_print },
	{ "label verify", "[--json] IMAGE",
	  "read the DataMatrix in a PNG or PNM photo or scan of a label and "
	  "parse it as mark parse does", cmd_label_verify },
	{ "label list", "--db PATH [--sscc SSCC] [--json]",
	  "the label jobs: queued, printed, failed, voided, confirmed",
	  cmd_label_list },
	{ "label retry", "--db PATH [--config FILE] [--user NAME] JOB",
	  "send a queued or failed label job to its printer again",
	  cmd_label_retry },
	{ "label void", "--db PATH --user NAME [--pin-file FILE] JOB",
	  "void a label job (a supervisor; audited)", cmd_label_void },
	{ "label sheet", "(--commands CMD,CMD,... | --badge NAME) "
	  "[--format png|zpl|tspl] [--size WxH] [--dpi N] [--out FILE]",
	  "a sheet of command barcodes (SKLAD:CLOSE ...) or an operator's "
	  "badge", cmd_label_sheet },
	{ "scanners list", "[--all] [--json]",
	  "input devices that could be scanners, and whether sklad may read "
	  "them", cmd_scanners_list },
	{ "scanners watch", "[--json] [--device MATCH]... [--gs-key KEY] "
	  "[--gs-char C] [--timeout MS] [--end enter,kpenter,tab,timeout] "
	  "[--prefix S] [--suffix S] [--max-length N] [--layout us] "
	  "[--no-grab] [--count N]",
	  "print each scan of the given scanners, decoded and parsed, "
	  "until Ctrl+C", cmd_scanners_watch },
};

/* How many words of `words` match argv from the start; 0 if not all. */
static int
match_words(const char *words, int argc, char **argv)
{
	const char *w = words;
	int i = 0;

	while (*w != '\0') {
		size_t len = strcspn(w, " ");

		if (i >= argc || strlen(argv[i]) != len ||
		    strncmp(argv[i], w, len) != 0)
			return 0;
		i++;
		w += len;
		w += *w == ' ';
	}
	return i;
}

const struct cli_command *
cli_find(int argc, char **argv, int *used)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int n = match_words(commands[i].words, argc, argv);

		if (n > 0) {
			*used = n;
			return &commands[i];
		}
	}
	*used = 0;
	return NULL;
}

void
cli_help(FILE *out)
{
	size_t i;

	fprintf(out, "usage: sklad COMMAND [ARGS]\n\n"
		"sklad records marked goods (Chestny ZNAK) as they are "
		"scanned: packing, unpacking,\naccepting and shipping.\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  sklad %s %s\n      %s\n", commands[i].words,
			commands[i].args, commands[i].help);
	fprintf(out, "\n  sklad [--db PATH] [--scanner evdev:MATCH|fifo:PATH]... "
		"[--sound-cmd CMD]\n        [--user NAME] [--sync-config FILE]"
		" [--labels-config FILE]\n        [--wedge-gap MS]"
		" [--wedge-stall MS] [--barcode "
		"TEXT=COMMAND]...\n"
		"      the console (no command)\n"
		"  sklad --version\n\nSee sklad(1).\n");
}

int
cli_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("sklad: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sklad --help'.\n", stderr);
	return CLI_USAGE;
}

void
cli_locale_init(void)
{
	const char *dir = getenv("SKLAD_LOCALEDIR");

	setlocale(LC_ALL, "");
	bindtextdomain("sklad", dir != NULL && *dir != '\0' ? dir :
		       SKLAD_LOCALEDIR);
	bind_textdomain_codeset("sklad", "UTF-8");
	textdomain("sklad");
}
