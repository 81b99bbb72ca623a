/*
 * main: find the subcommand and run it. Nothing else lives here, so that
 * every subcommand is reachable from tests without this file.
 */
#include <stdio.h>
#include <string.h>

#include "console/cli.h"
#include "version.h"	/* generated in the build folder (Makefile) */

int
main(int argc, char **argv)
{
	const struct cli_command *cmd;
	int used;

	cli_locale_init();
	/* No command, or options only: the console. */
	if (argc < 2 || (strncmp(argv[1], "--", 2) == 0 &&
			 strcmp(argv[1], "--help") != 0 &&
			 strcmp(argv[1], "--version") != 0))
		return cmd_console(argc, argv);
	if (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		cli_help(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		if (SKLAD_COMMIT[0] != '\0')
			printf("sklad %s (commit %s)\n", SKLAD_VERSION,
			       SKLAD_COMMIT);
		else
			printf("sklad %s\n", SKLAD_VERSION);
		return CLI_OK;
	}
	cmd = cli_find(argc - 1, argv + 1, &used);
	if (cmd == NULL)
		return cli_usage("unknown command '%s'", argv[1]);
	return cmd->run(argc - used, argv + used);
}
