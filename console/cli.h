/*
 * cli: sklad's subcommands and what they share.
 *
 * Every subcommand is a row of one table (cli.c): its words ("mark parse"),
 * its entry point and its help. main() only finds the row and calls it, so
 * tests can run any subcommand in-process and `sklad --help` is generated
 * from the same rows. Subcommands print results on stdout, complaints on
 * stderr, and return one of the exit codes below; none calls exit().
 */
#ifndef SKLAD_CLI_H
#define SKLAD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scanners/err.h"

enum cli_exit {
	CLI_OK = 0,		/* done, everything valid */
	CLI_FAIL = 1,		/* done, but something was refused or failed */
	CLI_USAGE = 2,		/* the command line itself is wrong */
};

struct cli_command {
	const char *words;	/* "mark parse": what the user types */
	const char *args;	/* "[--json] [SCAN...]" */
	const char *help;	/* one line, shown by sklad --help */
	/* argv[0] is the last of the words; options follow. */
	int (*run)(int argc, char **argv);
};

/*
 * The row whose words start argv, or NULL. *used is set to how many argv
 * entries the words took.
 */
const struct cli_command *cli_find(int argc, char **argv, int *used);

/* Print `sklad --help` to out. */
void cli_help(FILE *out);

/*
 * Report a usage error on stderr as "sklad: <message>" and a hint to
 * --help; returns CLI_USAGE so callers can `return cli_usage(...)`.
 */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Bind the gettext domain "sklad" to SKLAD_LOCALEDIR from the environment
 * (tests and `make run` use the build tree) or the installed locale dir,
 * and take the locale from the environment.
 */
void cli_locale_init(void);

/*
 * The PIN of a command-line tool (cli_pin.c), never from its arguments:
 * from pin_file if not NULL (a regular file owned by the caller, mode
 * 0600 or stricter, first line), else from the environment variable
 * SKLAD_PIN, else, if ask and
 * stdin is a terminal, typed twice without echo. 0 with the PIN in out
 * (cap bytes), or <0 with e set.
 */
int cli_pin_read(const char *pin_file, bool ask, char *out, size_t cap,
		 struct err *e);

/*
 * Read the file at path whole into *data (malloc'd, NUL after *len
 * bytes): a regular file of at most max bytes. ERR_IO (cannot open or
 * read), ERR_INVALID (not a regular file, too big), with the path and the
 * reason in e.
 */
int cli_read_file(const char *path, size_t max, char **data, size_t *len,
		  struct err *e);
/* Syslog priorities of cli_logf (sd-daemon(3)). */
enum { CLI_LOG_ERR = 3, CLI_LOG_WARNING = 4, CLI_LOG_INFO = 6 };

/* Whether stderr is systemd's journal stream: JOURNAL_STREAM names the
 * device and inode of fd 2 (systemd.exec(5)). */
bool cli_stderr_is_journal(void);

/* Decide once, before logging, whether cli_logf writes priority prefixes:
 * when force (--log-prefix) or stderr is the journal. */
void cli_log_init(bool force);

/* Write fmt to stderr, begun with "<prio>" when cli_log_init said so; the
 * caller ends the line. */
void cli_logf(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Subcommands (cmd_*.c). */
int cmd_mark_parse(int argc, char **argv);
int cmd_sscc_check(int argc, char **argv);
int cmd_sscc_make(int argc, char **argv);
int cmd_scanners_list(int argc, char **argv);
int cmd_scanners_watch(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_deliveries(int argc, char **argv);
int cmd_deliveries_fetch(int argc, char **argv);
int cmd_codes_check(int argc, char **argv);
int cmd_export_shipment(int argc, char **argv);
int cmd_export_acceptance(int argc, char **argv);
int cmd_export_pack(int argc, char **argv);
int cmd_export_audit(int argc, char **argv);
int cmd_exchange(int argc, char **argv);
int cmd_set_pin(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_stock_load(int argc, char **argv);
int cmd_stock_fetch(int argc, char **argv);
int cmd_stock_count(int argc, char **argv);
int cmd_stock_report(int argc, char **argv);
int cmd_catalogue_import(int argc, char **argv);
int cmd_catalogue_list(int argc, char **argv);
int cmd_catalogue_fetch(int argc, char **argv);
int cmd_db_backup(int argc, char **argv);
int cmd_db_check(int argc, char **argv);
int cmd_db_stats(int argc, char **argv);
int cmd_label_print(int argc, char **argv);
int cmd_label_verify(int argc, char **argv);
int cmd_label_list(int argc, char **argv);
int cmd_label_retry(int argc, char **argv);
int cmd_label_void(int argc, char **argv);
int cmd_label_sheet(int argc, char **argv);
/* The console: `sklad` with no command, or with options only. */
int cmd_console(int argc, char **argv);

#endif
