/*
 * cmd_exec: `sklad init` and `sklad exec`.
 *
 * Both take a PIN the way cli_pin.c does (SKLAD_PIN, --pin-file, or for
 * init typed on the terminal), never as an argument: init for the first
 * admin, exec to log in as --user like the console's login screen.
 *
 * exec reads commands from stdin, one per line, runs each through the same
 * workflow functions the console uses, and prints one JSON object per
 * command: ok, error, and the command's results (exec_line.c). A line is
 * printed (and flushed) only after its transaction committed, so a
 * script, like an operator, never sees OK for something that is not on
 * disk.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"
#include "console/exec_line.h"

struct db_args {
	const char *db;
	const char *user;
	const char *device;
	const char *pin_file;
};

/* Log in as a.user with the PIN from --pin-file or SKLAD_PIN, the way
 * the console's login screen does. */
static int
exec_login(struct st_db *db, const struct db_args *a, struct st_actor *who,
	   struct err *e)
{
	char pin[64];
	int rc;

	if ((rc = cli_pin_read(a->pin_file, false, pin, sizeof(pin), e)) < 0)
		return rc;
	rc = st_login(db, a->user, pin, a->device, who, e);
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

/* sklad exec --help: the options, then every workflow command from the
 * command table with the role it needs beyond an operator's. */
static int
exec_help(void)
{
	const struct wf_cmd *c;

	printf("usage: sklad exec --db PATH --user NAME [--pin-file FILE] "
	       "[--device NAME]\n"
	       "                  [--barcode TEXT=COMMAND]...\n\n"
	       "Logs in as NAME (the PIN from SKLAD_PIN or --pin-file), reads "
	       "workflow commands\nfrom standard input, one per line, and "
	       "prints one JSON object per line.\n\nCommands:\n");
	for (c = wf_cmds; c->name != NULL; c++)
		printf("  %-26s %s%s%s%s\n", c->usage, c->help,
		       c->role > ST_OPERATOR ? " (" : "",
		       c->role > ST_OPERATOR ? st_role_name(c->role) : "",
		       c->role > ST_OPERATOR ? ")" : "");
	printf("\nSee sklad(1).\n");
	return CLI_OK;
}

int
cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "device", required_argument, NULL, 'D' },
		{ "barcode", required_argument, NULL, 'b' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_args a = { NULL, NULL, "exec", NULL };
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	struct wf w;
	static char line[EXEC_LINE_MAX + 1];
	enum exec_read got;
	long lineno = 0;
	size_t n;
	bool all = true, ran;
	json_t *o;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'd')
			a.db = optarg;
		else if (c == 'u')
			a.user = optarg;
		else if (c == 'D')
			a.device = optarg;
		else if (c == 'P')
			a.pin_file = optarg;
		else if (c == 'b' && wf_barcode_add(optarg, &e) < 0)
			return cli_usage("exec: --barcode: %s", e.msg);
		else if (c == 'b')
			continue;
		else if (c == 'h')
			return exec_help();
		else
			return cli_usage("exec: unknown option '%s'",
					 argv[optind - 1]);
	}
	if (a.db == NULL || a.user == NULL || optind != argc)
		return cli_usage("exec: give --db PATH and --user NAME");
	if (st_open(a.db, false, &db, &e) < 0 ||
	    exec_login(db, &a, &who, &e) < 0) {
		fprintf(stderr, "sklad: %s\n", e.msg);
		st_close(&db);
		return CLI_FAIL;
	}
	wf_init(&w, db, &who);
	/* One answer per line, printed (and flushed) after its commit. */
	while ((got = exec_read_line(stdin, line, &n)) != EXEC_EOF) {
		o = exec_answer(&w, line, n, ++lineno, got == EXEC_TOO_LONG,
				&ran);
		all &= ran;
		if (o == NULL)
			continue;
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		fflush(stdout);
		json_decref(o);
		st_housekeep(db);	/* the answer is out: nobody waits */
	}
	st_close(&db);
	return all ? CLI_OK : CLI_FAIL;
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "inn", required_argument, NULL, 'i' },
		{ "gcp", required_argument, NULL, 'g' },
		{ "extension", required_argument, NULL, 'x' },
		{ "product-group", required_argument, NULL, 'p' },
		{ "admin", required_argument, NULL, 'a' },
		{ "box-capacity", required_argument, NULL, 'b' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "pin-min-length", required_argument, NULL, 'm' },
		{ "lock-after", required_argument, NULL, 'l' },
		{ "lock-minutes", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_site site = { .extension = 0, .require_crypto = true };
	const char *path = NULL, *admin = "admin", *pin_file = NULL;
	struct st_db *db = NULL;
	struct err e;
	char pin[64];
	int c;

	snprintf(site.product_group, sizeof(site.product_group), "milk");
	snprintf(site.gtin_policy, sizeof(site.gtin_policy), "any");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'i': snprintf(site.inn, sizeof(site.inn), "%s", optarg);
			break;
		case 'g': snprintf(site.gcp, sizeof(site.gcp), "%s", optarg);
			break;
		case 'x': site.extension = optarg[0] >= '0' &&
				optarg[0] <= '9' && optarg[1] == '\0' ?
				optarg[0] - '0' : -1;
			break;
		case 'p': snprintf(site.product_group,
				   sizeof(site.product_group), "%s", optarg);
			break;
		case 'a': admin = optarg; break;
		case 'b': site.box_capacity = atoi(optarg); break;
		case 'P': pin_file = optarg; break;
		/* Out of range becomes -1: st_site_init refuses it. */
		case 'm': site.pin_min_length = atoi(optarg) > 0 ?
				atoi(optarg) : -1;
			break;
		case 'l': site.lock_after = atoi(optarg); break;
		case 'L': site.lock_seconds = atoi(optarg) * 60; break;
		default:
			return cli_usage("init: unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (path == NULL || site.inn[0] == '\0' || site.gcp[0] == '\0' ||
	    optind != argc)
		return cli_usage("init: give --db PATH --inn INN --gcp PREFIX");
	/* The PIN first: no database file is made for an admin without
	 * one. */
	if (cli_pin_read(pin_file, true, pin, sizeof(pin), &e) < 0 ||
	    st_pin_check(pin, site.pin_min_length, &e) < 0 ||
	    st_user_name_check(admin, &e) < 0) {
		explicit_bzero(pin, sizeof(pin));
		fprintf(stderr, "sklad: init: %s\n", e.msg);
		return CLI_FAIL;
	}
	/* A failed init leaves no file behind (st_close_discard). */
	if (st_open(path, true, &db, &e) < 0 ||
	    st_site_init(db, &site, admin, pin, &e) < 0) {
		explicit_bzero(pin, sizeof(pin));
		fprintf(stderr, "sklad: %s\n", e.msg);
		st_close_discard(&db);
		return CLI_FAIL;
	}
	explicit_bzero(pin, sizeof(pin));
	if (st_created(db) < 0)
		fprintf(stderr, "sklad: init: cannot give %s mode 0660: %s\n",
			path, strerror(errno));
	st_close(&db);
	printf("sklad: database %s ready; log in as %s\n", path, admin);
	return CLI_OK;
}

/*
 * sklad set-pin --db PATH --user NAME [--pin-file FILE]: the first PIN of
 * an account from before PINs were required (an upgraded site's admin).
 * The PIN comes as for init: --pin-file, SKLAD_PIN, or typed twice.
 */
int
cmd_set_pin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *user = NULL, *pin_file = NULL;
	struct st_db *db = NULL;
	struct err e;
	char pin[64];
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'd')
			path = optarg;
		else if (c == 'u')
			user = optarg;
		else if (c == 'P')
			pin_file = optarg;
		else
			return cli_usage("set-pin: unknown option '%s'",
					 argv[optind - 1]);
	}
	if (path == NULL || user == NULL || optind != argc)
		return cli_usage("set-pin: give --db PATH --user NAME");
	if (cli_pin_read(pin_file, true, pin, sizeof(pin), &e) < 0) {
		fprintf(stderr, "sklad: set-pin: %s\n", e.msg);
		return CLI_FAIL;
	}
	rc = st_open(path, false, &db, &e);
	if (rc == 0)
		rc = st_user_pin_missing(db, user, pin, &e);
	explicit_bzero(pin, sizeof(pin));
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad: set-pin: %s\n", e.msg);
		return CLI_FAIL;
	}
	printf("sklad: %s has a PIN now\n", user);
	return CLI_OK;
}
