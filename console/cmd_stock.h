/*
 * cmd_stock: what the stock and catalogue subcommands share (option
 * parsing, log-in, exit codes). Internal to console/.
 */
#ifndef SKLAD_CMD_STOCK_H
#define SKLAD_CMD_STOCK_H

#include <stdbool.h>

#include "scanners/err.h"
#include "store/store.h"

enum {
	STOCK_LATER = 75,	/* EX_TEMPFAIL: server or network away */
	STOCK_CONFIG = 78,	/* EX_CONFIG: cannot set up */
};

/* Which options a subcommand takes besides --db. */
enum {
	STOCK_OPT_USER = 1,	/* --user, --pin-file */
	STOCK_OPT_CONFIG = 2,	/* --config */
	STOCK_OPT_PACK = 4,	/* --pack SSCC */
	STOCK_OPT_BY = 8,	/* --by gtin|pack|state */
	STOCK_OPT_FORMAT = 16,	/* --format csv|json */
	STOCK_OPT_JSON = 32,	/* --json */
};

struct stock_args {
	const char *db, *user, *pin_file, *config, *pack, *by, *format;
	const char *file;	/* the one positional argument, or NULL */
	bool json;
};

/* Parse argv (argv[0] the last command word) for cmd, allowing the
 * options in allow and npos (0 or 1) positional arguments. CLI_OK or
 * CLI_USAGE (reported). */
int stock_args(int argc, char **argv, const char *cmd, unsigned allow,
	       int npos, struct stock_args *a);

/* Print "sklad CMD: why" on stderr; the exit code for e. */
int stock_fail(const char *cmd, const struct err *e);

/* Log a->user in on db (PIN from --pin-file or SKLAD_PIN) as device
 * dev. */
int stock_login(struct st_db *db, const struct stock_args *a, const char *dev,
		struct st_actor *who, struct err *e);

/* What a load stored, as a sentence or (--json) one JSON line. */
void stock_print_result(const struct stock_args *a, const char *source,
			const struct st_stock_result *r);

#endif
