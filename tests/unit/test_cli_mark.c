/*
 * test_cli_mark: `sklad mark parse` and `sklad sscc` end to end.
 *
 * Runs the real binary (SKLAD_BIN) with arguments and stdin, and checks its
 * output lines, JSON fields and exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#define GS "\x1d"
#define GTIN "04600439931256"
#define CRYPTO44 "Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA="
#define CODE_91_92 "01" GTIN "215bCz6iW;XX9N3" GS "91EE06" GS "92" CRYPTO44

static char out[65536];

/*
 * Run sklad with args (NULL-terminated, without argv[0]) and input bytes
 * on stdin; the output lands in out. Returns the exit status.
 */
static int
run(const char *input, size_t inlen, const char *const *args)
{
	const char *bin = getenv("SKLAD_BIN");
	char inpath[] = "/tmp/sklad-test-XXXXXX";
	const char *argv[32];
	int in, pipefd[2], status, i;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	assert_non_null(bin);
	in = mkstemp(inpath);
	assert_true(in >= 0);
	assert_int_equal(write(in, input, inlen), (ssize_t)inlen);
	assert_int_equal(lseek(in, 0, SEEK_SET), 0);
	unlink(inpath);
	argv[0] = "sklad";
	for (i = 0; args[i] != NULL && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	close(in);
	while ((n = read(pipefd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
run_args(const char *const *args)
{
	return run("", 0, args);
}

/* The n-th (0-based) output line as a JSON object; caller decrefs. */
static json_t *
json_line(int n)
{
	const char *p = out;
	json_error_t e;
	json_t *o;

	while (n-- > 0) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	o = json_loadb(p, strcspn(p, "\n"), 0, &e);
	if (o == NULL)
		fail_msg("not JSON: %s (%s)", p, e.text);
	return o;
}

static int
count_lines(void)
{
	int n = 0;
	const char *p;

	for (p = out; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

static void
test_arguments_text(void **state)
{
	const char *const args[] = { "mark", "parse", CODE_91_92, NULL };

	(void)state;
	assert_int_equal(run_args(args), 0);
	assert_string_equal(out, "OK mark 91_92 gtin=" GTIN " serial=5bCz6iW;"
			    "XX9N3 cis=01" GTIN "215bCz6iW;XX9N3 crypto=yes\n");
}

static void
test_arguments_json(void **state)
{
	const char *const args[] = {
		"mark", "parse", "--json", CODE_91_92, "00123456789012345675",
		"04606203084623+A13gPh-4Hi7uGl", "01" GTIN "21ABCDEFGH", NULL
	};
	json_t *o;

	(void)state;
	assert_int_equal(run_args(args), 1);
	assert_int_equal(count_lines(), 4);

	o = json_line(0);
	assert_true(json_is_true(json_object_get(o, "valid")));
	assert_string_equal(json_string_value(json_object_get(o, "kind")),
			    "mark");
	assert_string_equal(json_string_value(json_object_get(o, "gtin")),
			    GTIN);
	assert_string_equal(json_string_value(json_object_get(o, "serial")),
			    "5bCz6iW;XX9N3");
	assert_string_equal(json_string_value(json_object_get(o, "cis")),
			    "01" GTIN "215bCz6iW;XX9N3");
	assert_true(json_is_true(json_object_get(o, "crypto")));
	assert_true(json_is_null(json_object_get(o, "error")));
	assert_int_equal(json_array_size(json_object_get(o, "elements")), 4);
	json_decref(o);

	o = json_line(1);
	assert_string_equal(json_string_value(json_object_get(o, "kind")),
			    "sscc");
	assert_string_equal(json_string_value(json_object_get(o, "sscc")),
			    "123456789012345675");
	assert_true(json_is_null(json_object_get(o, "cis")));
	assert_true(json_is_null(json_object_get(o, "gtin")));
	assert_true(json_is_false(json_object_get(o, "crypto")));
	/* every field the README lists, null when there is nothing */
	assert_true(json_is_null(json_object_get(o, "error_code")));
	assert_true(json_is_null(json_object_get(o, "position")));
	json_decref(o);

	o = json_line(2);
	assert_string_equal(json_string_value(json_object_get(o, "kind")),
			    "mark");
	assert_string_equal(json_string_value(json_object_get(o, "layout")),
			    "cigarette_pack");
	assert_string_equal(json_string_value(json_object_get(o, "cis")),
			    "04606203084623+A13gPh");
	json_decref(o);

	o = json_line(3);
	assert_true(json_is_false(json_object_get(o, "valid")));
	assert_true(json_is_null(json_object_get(o, "kind")));
	assert_true(json_is_null(json_object_get(o, "cis")));
	assert_string_equal(json_string_value(json_object_get(o,
			    "error_code")), "serial_length");
	assert_non_null(strstr(json_string_value(json_object_get(o, "error")),
			       "6, 7, 13 or 20"));
	assert_int_equal(json_integer_value(json_object_get(o, "position")),
			 19);
	json_decref(o);
}

static void
test_stdin_lines(void **state)
{
	/* GS as a raw byte, a CRLF line, an empty line (an empty scan), and
	 * a last line without newline. */
	const char input[] = CODE_91_92 "\r\n" "\n"
		"01" GTIN "215ABCDEFGHIJKL" GS "93dGt6\n" "00123456789012345675";
	const char *const args[] = { "mark", "parse", "--json", NULL };
	json_t *o;

	(void)state;
	assert_int_equal(run(input, sizeof(input) - 1, args), 1);
	assert_int_equal(count_lines(), 4);
	o = json_line(0);
	assert_true(json_is_true(json_object_get(o, "valid")));
	json_decref(o);
	o = json_line(1);
	assert_true(json_is_false(json_object_get(o, "valid")));
	assert_string_equal(json_string_value(json_object_get(o,
			    "error_code")), "empty");
	json_decref(o);
	o = json_line(2);
	assert_string_equal(json_string_value(json_object_get(o, "layout")),
			    "93");
	json_decref(o);
	o = json_line(3);
	assert_string_equal(json_string_value(json_object_get(o, "kind")),
			    "sscc");
	json_decref(o);
}

static void
test_stdin_all_valid_exits_zero(void **state)
{
	const char input[] = CODE_91_92 "\n00123456789012345675\n";
	const char *const args[] = { "mark", "parse", NULL };

	(void)state;
	assert_int_equal(run(input, sizeof(input) - 1, args), 0);
	assert_int_equal(count_lines(), 2);
	assert_non_null(strstr(out, "OK sscc 123456789012345675\n"));
	/* No input at all: nothing to refuse. */
	assert_int_equal(run("", 0, args), 0);
	assert_string_equal(out, "");
}

static void
test_refusal_text_and_binary_junk(void **state)
{
	/* Bytes that are not UTF-8 must still give valid JSON. */
	const char input[] = "]\xff\n01\xd0\n\x01\x02\x03\n";
	const char *const args[] = { "mark", "parse", "--json", NULL };
	const char *const text[] = {
		"mark", "parse", "01" GTIN "215aBcd393dGt6", NULL
	};
	int i;

	(void)state;
	assert_int_equal(run(input, sizeof(input) - 1, args), 1);
	assert_int_equal(count_lines(), 3);
	for (i = 0; i < 3; i++) {
		json_t *o = json_line(i);

		assert_true(json_is_false(json_object_get(o, "valid")));
		assert_true(json_is_string(json_object_get(o, "error")));
		json_decref(o);
	}
	assert_int_equal(run_args(text), 1);
	assert_non_null(strstr(out, "ERROR gs_missing: The separator (GS) "
			       "after (21) is missing at character 25"));
}

static void
test_usage_errors(void **state)
{
	const char *const bad_opt[] = { "mark", "parse", "--xml", NULL };
	const char *const bad_cmd[] = { "frobnicate", NULL };
	const char *const no_code[] = { "sscc", "check", NULL };
	const char *const version[] = { "--version", NULL };
	const char *const help[] = { "--help", NULL };

	(void)state;
	assert_int_equal(run_args(bad_opt), 2);
	assert_int_equal(run_args(bad_cmd), 2);
	assert_int_equal(run_args(no_code), 2);
	assert_int_equal(run_args(version), 0);
	assert_true(strncmp(out, "sklad ", 6) == 0);
	assert_int_equal(run_args(help), 0);
	assert_non_null(strstr(out, "sklad mark parse"));
}

static void
test_sscc_commands(void **state)
{
	const char *const ok[] = { "sscc", "check", "(00)106141411234567897",
				   NULL };
	const char *const bad[] = { "sscc", "check", "106141411234567890",
				    NULL };
	const char *const make[] = { "sscc", "make", "--gcp", "0614141",
				     "--extension", "1", "123456789", NULL };
	const char *const too_big[] = { "sscc", "make", "--gcp", "0614141",
					"1234567890", NULL };
	const char *const bad_ext[] = { "sscc", "make", "--gcp", "0614141",
					"--extension", "x", "1", NULL };

	(void)state;
	assert_int_equal(run_args(ok), 0);
	assert_string_equal(out, "OK sscc 106141411234567897\n");
	assert_int_equal(run_args(bad), 1);
	assert_non_null(strstr(out, "should be 7"));
	assert_int_equal(run_args(make), 0);
	assert_string_equal(out, "106141411234567897\n");
	assert_int_equal(run_args(too_big), 1);
	assert_int_equal(run_args(bad_ext), 2);
}

/* Operators read Russian: the same refusal through the shipped .mo. */
static void
test_russian_messages(void **state)
{
	const char *const args[] = { "mark", "parse", "01" GTIN "21ABCDEFGH",
				     NULL };

	(void)state;
	assert_non_null(getenv("SKLAD_LOCALEDIR"));
	setenv("LC_ALL", "C.UTF-8", 1);
	setenv("LANGUAGE", "ru", 1);
	assert_int_equal(run_args(args), 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("LANGUAGE");
	assert_string_equal(out, "ERROR serial_length: В серийном номере (21) "
			    "8 символов; в Честном ЗНАКе их 6, 7, 13 или 20.\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments_text),
		cmocka_unit_test(test_arguments_json),
		cmocka_unit_test(test_stdin_lines),
		cmocka_unit_test(test_stdin_all_valid_exits_zero),
		cmocka_unit_test(test_refusal_text_and_binary_junk),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_sscc_commands),
		cmocka_unit_test(test_russian_messages),
	};

	/* Messages are checked in English. */
	setenv("LC_ALL", "C", 1);
	unsetenv("LANGUAGE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
