/*
 * cmd_sync: `sklad sync`, the nightly batch for cron and systemd.
 *
 * Parses the command line, runs sync/batch.c, prints one summary line
 * (or a JSON object) on stdout, progress on stderr, and returns the exit
 * code an admin can act on (documented in sklad(1), EXIT STATUS of sklad
 * sync):
 *   0  everything is done; nothing needs a person
 *   1  a document needs a person: rejected, given up, or blocked
 *      behind one of those (each is printed on stderr with its
 *      reason; one kept for export is not); with --dry-run: a pending document
 *      the state system would refuse
 *   2  the command line is wrong
 *   3  another sklad sync is running on this database (lock held)
 *  75  nothing needs a person, but documents are still open: the
 *      server or network was away, the state system is still
 *      processing, or the deadline came; the next run goes on
 *  78  the configuration, signer or database cannot be used
 *
 * Lines on stderr carry journald priorities ("<3>" a person must act,
 * "<4>" a warning, "<6>" progress) when stderr is the journal or with
 * --log-prefix (cli_log.c).
 *
 * What it must not do: print a token, key, signature or document body,
 * or call exit().
 */
#include <getopt.h>
#include <jansson.h>
#include <libintl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/cli.h"
#include "sync/batch.h"
#include "sync/log.h"
#include "scanners/i18n.h"


enum {
	SYNC_LOCKED = 3,	/* another run holds the lock */
	SYNC_LATER = 75,	/* EX_TEMPFAIL: documents still open */
	SYNC_CONFIG = 78,	/* EX_CONFIG: cannot set up */
};

#define DEFAULT_CONFIG "/etc/sklad/sync.conf"

/* Progress on stderr with a UTC time stamp, at the priority sync gave
 * the line (sync/log.h). */
static void
log_line(void *ctx, const char *line)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	const char *text;
	int prio = sy_log_split(line, &text);

	(void)ctx;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cli_logf(prio, "%s sklad sync: %s\n", ts, text);
}

/* One document that needs a person, in plain words, on stderr: what it
 * is, which packs, why, and what waits behind it (sklad(1) says what an
 * admin does about each). */
static void
print_issue(void *ctx, const struct st_outbox_issue *it, bool invalid)
{
	char packs[200] = "";

	(void)ctx;
	if (it->packs[0])
		snprintf(packs, sizeof(packs), " [%s]", it->packs);
	cli_logf(CLI_LOG_ERR, "sklad sync: ");
	fprintf(stderr, _("document %lld, %s%s: "), (long long)it->id,
		st_doc_type_title(it->type), packs);
	if (invalid)
		fprintf(stderr, _("the state system would refuse it: %s"),
			it->reason);
	else if (it->blocked_by)
		fprintf(stderr, _("blocked: it waits for document %lld, which "
				  "needs a person"), (long long)it->blocked_by);
	else if (strcmp(it->state, "rejected") == 0)
		fprintf(stderr, _("rejected by the state system: %s"),
			it->reason);
	else
		fprintf(stderr, _("given up: %s"), it->reason);
	if (it->waiting_behind > 0)
		fprintf(stderr, ngettext("; %d document waits behind it",
					 "; %d documents wait behind it",
					 (unsigned long)it->waiting_behind),
			it->waiting_behind);
	fputc('\n', stderr);
}

static void
print_json(const struct sy_batch_report *r, int code, bool dry)
{
	json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i,"
			      " s:i, s:i, s:i, s:b, s:b, s:i, s:i, s:i}",
			      "found", r->found, "sent", r->sent,
			      "confirmed", r->confirmed,
			      "rejected", r->rejected, "failed", r->failed,
			      "still_waiting", r->waiting,
			      "found_on_server", r->found_on_server,
			      "unavailable", r->unavailable,
			      "errors", r->errors,
			      "blocked", r->end.blocked,
			      "needs_person", r->needs_person,
			      "invalid", r->invalid,
			      "auth_failed", r->auth_failed != 0,
			      "dry_run", dry, "exit", code,
			      "to_export", r->end.held,
			      "exported", r->end.exported);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

static void
print_text(const struct sy_batch_report *r, bool dry)
{
	if (dry) {
		printf(_("sync (dry run): %d documents open, %d pending, "
			 "%d submitted, %d of them blocked, %d the state "
			 "system would refuse\n"),
		       r->found, r->end.pending, r->end.submitted,
		       r->end.blocked, r->invalid);
		return;
	}
	printf(_("sync: found %d, sent %d, confirmed %d, rejected %d, "
		 "failed %d, still waiting %d, errors %d"),
	       r->found, r->sent, r->confirmed, r->rejected, r->failed,
	       r->waiting, r->errors + r->unavailable + r->auth_failed);
	/* never sent here, nobody's task: the ERP takes them (УПД) */
	if (r->end.held > 0)
		printf(_("; to export %d (sklad export)"), r->end.held);
	putchar('\n');
}

/*
 * sklad sync --db PATH [--config FILE] [--max-seconds N] [--once]
 * [--dry-run] [--json] [--quiet]. Returns the exit code (see the top).
 */
int
cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "once", no_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "log-prefix", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct sy_batch_opts bo = { 0 };
	struct sy_batch_report rep;
	bool json = false, quiet = false, log_prefix = false;
	struct err e;
	int c, rc, code;

	bo.config_path = DEFAULT_CONFIG;
	bo.max_seconds = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'd': bo.db_path = optarg; break;
		case 'c': bo.config_path = optarg; break;
		case 'm':
			bo.max_seconds = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    bo.max_seconds < 0)
				return cli_usage(_("--max-seconds needs a "
						   "number of seconds"));
			break;
		case 'o': bo.once = 1; break;
		case 'n': bo.dry_run = 1; break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'L': log_prefix = true; break;
		default:
			return cli_usage(_("sync: unknown option %s"),
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(_("sync takes no arguments: %s"),
				 argv[optind]);
	if (bo.db_path == NULL)
		return cli_usage(_("sync needs --db PATH"));
	cli_log_init(log_prefix);
	if (!quiet)
		bo.log = log_line;
	bo.attention = print_issue;
	err_clear(&e);
	rc = sy_batch_run(&bo, &rep, &e);
	if (rc == ERR_BUSY) {
		cli_logf(CLI_LOG_WARNING, "sklad sync: %s\n", e.msg);
		return SYNC_LOCKED;
	}
	if (rc < 0) {
		cli_logf(CLI_LOG_ERR, "sklad sync: %s\n", e.msg);
		return SYNC_CONFIG;
	}
	switch (sy_batch_verdict(&rep)) {
	case SY_BATCH_DONE: code = CLI_OK; break;
	case SY_BATCH_PERSON: code = CLI_FAIL; break;
	default: code = SYNC_LATER; break;
	}
	/* a dry run sends nothing; it fails only for documents the state
	 * system would refuse, so a script can check before the night */
	if (bo.dry_run)
		code = rep.invalid ? CLI_FAIL : CLI_OK;
	if (json)
		print_json(&rep, code, bo.dry_run);
	else
		print_text(&rep, bo.dry_run);
	if (code == CLI_FAIL && rep.needs_person == 0 && rep.last_error[0])
		cli_logf(CLI_LOG_ERR, "sklad sync: %s\n", rep.last_error);
	return code;
}
