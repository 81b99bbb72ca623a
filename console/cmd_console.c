/*
 * cmd_console: `sklad [--db PATH] [--scanner SPEC]... [--sound-cmd CMD]
 * [--user NAME] [--wedge-gap MS] [--wedge-stall MS] ...`: the options of
 * the console, all parsed here, then the set-up and orderly tear-down
 * around the loop.
 *
 * What it must not do: exit() (it returns an exit code), leave a scanner
 * grabbed or the terminal in curses mode on any path out.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/cli.h"
#include "console/workflow.h"
#include "console/loop.h"
#include "console/ui.h"
#include "console/ui_input.h"
#include "console/ui_label.h"

struct console_opts {
	struct ui_options ui;
	struct ui_input_config in;
};

/* --scanner evdev:MATCH | fifo:PATH */
static int
add_scanner(struct console_opts *o, const char *spec)
{
	struct err e;

	if (strncmp(spec, "fifo:", 5) == 0 && spec[5] != '\0') {
		if (o->in.nfifos == UI_FIFOS_MAX)
			return cli_usage("at most %d FIFO scanners",
					 UI_FIFOS_MAX);
		o->in.fifos[o->in.nfifos++] = spec + 5;
		return 0;
	}
	if (strncmp(spec, "evdev:", 6) == 0 && spec[6] != '\0') {
		struct ev_match *m;

		if (o->in.ev.nmatch == EV_MATCH_MAX)
			return cli_usage("at most %d evdev scanners",
					 EV_MATCH_MAX);
		m = &o->in.ev.match[o->in.ev.nmatch];
		if (ev_match_parse(m, spec + 6, &e) < 0)
			return cli_usage("--scanner %s: %s", spec, e.msg);
		o->in.ev.nmatch++;
		return 0;
	}
	return cli_usage("--scanner takes evdev:MATCH or fifo:PATH, not "
			 "'%s'", spec);
}

static int
parse_opts(struct console_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "scanner", required_argument, NULL, 's' },
		{ "sound-cmd", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' },
		{ "wedge-gap", required_argument, NULL, 'w' },
		{ "wedge-stall", required_argument, NULL, 'W' },
		{ "sync-config", required_argument, NULL, 'C' },
		{ "barcode", required_argument, NULL, 'b' },
		{ "labels-config", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *nc = getenv("NO_COLOR");
	struct err e;
	int c;

	memset(o, 0, sizeof(*o));
	o->ui.db_path = getenv("SKLAD_DB");
	o->ui.color = nc == NULL || nc[0] == '\0';
	o->in.ev.grab = true;
	keymap_defaults(&o->in.ev.keys);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->ui.db_path = optarg; break;
		case 'S': o->ui.sound_cmd = optarg; break;
		case 'u': o->ui.user = optarg; break;
		case 'w': o->in.wedge_gap_ms = atoi(optarg); break;
		case 'W':
			/* 0 on the command line: never join (-1 inside) */
			o->in.wedge_join_ms = atoi(optarg) > 0 ?
				atoi(optarg) : -1;
			break;
		case 'C': o->ui.sync_config = optarg; break;
		case 'L': o->ui.labels_config = optarg; break;
		case 'b':
			if (wf_barcode_add(optarg, &e) < 0)
				return cli_usage("--barcode: %s", e.msg);
			break;
		case 's':
			if (add_scanner(o, optarg) != 0)
				return CLI_USAGE;
			break;
		default:
			return cli_usage("unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("unknown command '%s'", argv[optind]);
	if (o->ui.db_path == NULL || o->ui.db_path[0] == '\0')
		return cli_usage("give --db PATH (or set SKLAD_DB)");
	return 0;
}

/* Everything between open and close, so every path out closes. */
static int
run(struct console_opts *o, struct st_db *db, int sigfd)
{
	struct ui_sync *sync = NULL;
	struct ui_label *labels = NULL;
	struct ui_input in;
	struct ui ui;
	struct err e;
	int sig;

	/* the label settings first: a typo is said before curses starts */
	if (ui_label_open(&labels, o->ui.labels_config, &e) < 0) {
		fprintf(stderr, "sklad: %s\n", e.msg);
		return CLI_FAIL;
	}
	ui_screen_init(o->ui.color);
	ui_init(&ui, db, &o->ui);
	ui.labels = labels;
	if ((o->ui.sync_config != NULL &&
	     ui_sync_open(&sync, o->ui.sync_config, o->ui.db_path, db, &ui,
			  &e) < 0) ||
	    ui_input_open(&in, &o->in, &ui, &e) < 0) {
		ui_sync_close(&sync);
		ui_label_close(&ui.labels);
		ui_fini(&ui);
		ui_screen_fini();
		fprintf(stderr, "sklad: %s\n", e.msg);
		return CLI_FAIL;
	}
	sig = loop_run(&ui, &in, sync, sigfd);
	ui_sync_close(&sync);
	ui_input_close(&in);	/* releases every grab */
	ui_label_close(&ui.labels);
	ui_fini(&ui);
	ui_screen_fini();
	if (sig != 0)
		fprintf(stderr, "sklad: stopped by signal %d\n", sig);
	return CLI_OK;
}

int
cmd_console(int argc, char **argv)
{
	struct console_opts o;
	struct st_db *db = NULL;
	struct err e;
	int rc, sigfd;

	if ((rc = parse_opts(&o, argc, argv)) != 0)
		return rc;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "sklad: the console needs a terminal; for "
			"scripts use 'sklad exec'\n");
		return CLI_USAGE;
	}
	if (st_open(o.ui.db_path, false, &db, &e) < 0) {
		fprintf(stderr, "sklad: %s\n", e.msg);
		return CLI_FAIL;
	}
	if ((sigfd = loop_signals(&e)) < 0) {
		fprintf(stderr, "sklad: %s\n", e.msg);
		st_close(&db);
		return CLI_FAIL;
	}
	rc = run(&o, db, sigfd);
	close(sigfd);
	st_close(&db);
	return rc;
}
