/*
 * test_cli_scanners: `sklad scanners list/watch` command lines, in-process.
 *
 * What can be checked without input devices: usage errors exit 2 with a
 * reason, settings the decoder refuses exit 2 before any device is
 * touched, and a missing device folder is a plain failure (exit 1) with
 * the folder named. Devices themselves: tests/vm/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "console/cli.h"

static char err_text[4096];

/* Run a subcommand with args (argv[0] included); stderr into err_text. */
static int
run(int (*cmd)(int, char **), const char *const *args)
{
	char *argv[32];
	FILE *tmp = tmpfile();
	int argc = 0, saved, rc;
	size_t n;

	assert_non_null(tmp);
	while (args[argc] != NULL)
		argv[argc] = (char *)args[argc], argc++;
	argv[argc] = NULL;
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	rc = cmd(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(err_text, 1, sizeof(err_text) - 1, tmp);
	err_text[n] = '\0';
	fclose(tmp);
	return rc;
}

static void
test_watch_usage(void **state)
{
	static const char *const bad_opt[] = { "watch", "--bogus", NULL };
	static const char *const extra[] = { "watch", "now", NULL };
	static const char *const key[] = { "watch", "--gs-key", "Q", NULL };
	static const char *const timeout[] = { "watch", "--timeout", "-5",
		NULL };
	static const char *const end[] = { "watch", "--end", "space", NULL };
	static const char *const device[] = { "watch", "--device", "=x",
		NULL };

	(void)state;
	assert_int_equal(run(cmd_scanners_watch, bad_opt), CLI_USAGE);
	assert_non_null(strstr(err_text, "--bogus"));
	assert_int_equal(run(cmd_scanners_watch, extra), CLI_USAGE);
	assert_int_equal(run(cmd_scanners_watch, key), CLI_USAGE);
	assert_non_null(strstr(err_text, "unknown key 'Q'"));
	assert_int_equal(run(cmd_scanners_watch, timeout), CLI_USAGE);
	assert_int_equal(run(cmd_scanners_watch, end), CLI_USAGE);
	assert_int_equal(run(cmd_scanners_watch, device), CLI_USAGE);
}

/* A GS substitute that occurs in codes would corrupt them: refused. */
static void
test_watch_refuses_gs_in_cset82(void **state)
{
	static const char *const gs[] = { "watch", "--device", "1d1d:0001",
		"--gs-char", "/", NULL };

	(void)state;
	assert_int_equal(run(cmd_scanners_watch, gs), CLI_USAGE);
	assert_non_null(strstr(err_text, "GS substitute"));
}

static void
test_list_usage(void **state)
{
	static const char *const bad[] = { "list", "--verbose", NULL };

	(void)state;
	assert_int_equal(run(cmd_scanners_list, bad), CLI_USAGE);
}

/* Where /dev/input does not exist (this build machine), say so. */
static void
test_no_input_folder(void **state)
{
	static const char *const list[] = { "list", NULL };
	static const char *const watch[] = { "watch", "--device", "1d1d:1",
		NULL };

	(void)state;
	if (access("/dev/input", F_OK) == 0)
		skip();
	assert_int_equal(run(cmd_scanners_list, list), CLI_FAIL);
	assert_non_null(strstr(err_text, "/dev/input"));
	assert_int_equal(run(cmd_scanners_watch, watch), CLI_FAIL);
	assert_non_null(strstr(err_text, "/dev/input"));
}

static void
test_in_table(void **state)
{
	static char w0[] = "scanners", w1[] = "watch", w2[] = "--json",
		w3[] = "list";
	char *words[] = { w0, w1, w2, NULL };
	const struct cli_command *c;
	int used;

	(void)state;
	c = cli_find(3, words, &used);
	assert_non_null(c);
	assert_int_equal(used, 2);
	assert_ptr_equal(c->run, cmd_scanners_watch);
	words[1] = w3;
	c = cli_find(3, words, &used);
	assert_non_null(c);
	assert_ptr_equal(c->run, cmd_scanners_list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_usage),
		cmocka_unit_test(test_watch_refuses_gs_in_cset82),
		cmocka_unit_test(test_list_usage),
		cmocka_unit_test(test_no_input_folder),
		cmocka_unit_test(test_in_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
