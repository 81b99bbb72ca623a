/* placeholder, filled below */
#include "console/cli.h"
int
cmd_exchange(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage("exchange: not yet");
}
