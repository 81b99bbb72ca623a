/*
 * test_st_crash: durability and concurrency of `sklad exec` as a process.
 *
 * 1. Crash: `sklad exec` packs thousands of codes and is killed with
 *    SIGKILL at a random moment, many times over on the same database.
 *    After each kill: every scan it acknowledged (printed ok) is in the
 *    database, in the box it went into; every pack's count equals its
 *    children; every closed top-level pack has its document, and the
 *    document lists exactly its children. Nothing half-written.
 * 2. Concurrency: two writers pack into their own boxes while a reader
 *    looks codes up, all on one file: no command fails, nothing is lost.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "scanners/mark.h"

#define GS "\\x1d"	/* as a script writes GS */
#define BOX 7		/* capacity: boxes close by themselves */

static char dir[64], db[96];
static int serial_next = 1;

static void
code_text(int n, char *out, size_t size, bool escaped)
{
	int cd = mark_check_digit("0460043993125", 13);

	snprintf(out, size, "010460043993125%d21C%06dABCDEF%s93Ab%02d", cd, n,
		 escaped ? GS : "\x1d", n % 100);
}

static void
run_ok(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static int
setup(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sklad-crash-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/w.db", dir);
	snprintf(cmd, sizeof(cmd), "%s init --db %s --inn 7700000000 --gcp "
		 "4600439 --admin boss >/dev/null", getenv("SKLAD_BIN"), db);
	run_ok(cmd);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Start `sklad exec` on script (a file); returns its pid and a stream of
 * its stdout.
 */
static pid_t
start_exec(const char *script, const char *user, FILE **out)
{
	int pipefd[2], in;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	in = open(script, O_RDONLY);
	assert_true(in >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execl(getenv("SKLAD_BIN"), "sklad", "exec", "--db", db,
		      "--user", user, (char *)NULL);
		_exit(127);
	}
	close(in);
	close(pipefd[1]);
	*out = fdopen(pipefd[0], "r");
	return pid;
}

/* Write a packing script: groups of "box open" + BOX scans. Returns the
 * first serial used; codes[i] is the serial of command line i or 0. */
static int
write_script(const char *path, int boxes, int *serial_of_line, int max)
{
	FILE *f = fopen(path, "w");
	char code[96];
	int line = 0, b, i, first = serial_next;

	assert_non_null(f);
	fprintf(f, "set capacity %d\n", BOX);
	serial_of_line[line++] = 0;
	for (b = 0; b < boxes && line + BOX + 1 < max; b++) {
		fprintf(f, "box open\n");
		serial_of_line[line++] = 0;
		for (i = 0; i < BOX; i++) {
			code_text(serial_next, code, sizeof(code), true);
			fprintf(f, "scan %s\n", code);
			serial_of_line[line++] = serial_next++;
		}
	}
	fclose(f);
	return first;
}

static int
sql_int(sqlite3 *h, const char *sql, int arg)
{
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every pack holds what it says, and every reported pack's document
 * lists exactly its children. */
static void
check_invariants(sqlite3 *h)
{
	assert_int_equal(sql_int(h, "SELECT count(*) FROM "
		"pragma_integrity_check WHERE integrity_check != 'ok'", 0), 0);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM packs p WHERE "
		"p.count != (SELECT count(*) FROM codes c WHERE c.parent_id ="
		" p.code_id)", 0), 0);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM packs p JOIN codes "
		"c ON c.id = p.code_id WHERE p.state = 'closed' AND "
		"c.parent_id IS NULL AND p.document_id IS NULL", 0), 0);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM packs WHERE state "
		"= 'open' AND document_id IS NOT NULL", 0), 0);
	/* Boxes here are reported alone: their unit is the first. */
	assert_int_equal(sql_int(h, "SELECT count(*) FROM packs p JOIN outbox"
		" o ON o.id = p.document_id WHERE json_array_length(CAST("
		"o.body AS TEXT), '$.aggregationUnits[0].sntins') != p.count",
		0), 0);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM packs WHERE count >"
		" ?1", BOX), 0);
}

static void
test_sigkill_never_loses_an_acknowledged_scan(void **state)
{
	enum { ROUNDS = 40, LINES = 2000 };
	static int serial_of_line[LINES];
	char script[128], buf[4096];
	unsigned seed = (unsigned)time(NULL);
	int round, acked_total = 0;
	sqlite3 *h;

	(void)state;
	printf("crash test seed %u\n", seed);
	srand(seed);
	snprintf(script, sizeof(script), "%s/script", dir);
	for (round = 0; round < ROUNDS; round++) {
		int kill_after = 1 + rand() % 600, line = 0, acked = 0;
		int *acked_serials = calloc(LINES, sizeof(int));
		FILE *out;
		pid_t pid;
		int status, i;

		write_script(script, (LINES - 2) / (BOX + 1), serial_of_line,
			     LINES);
		pid = start_exec(script, "boss", &out);
		while (fgets(buf, sizeof(buf), out) != NULL) {
			json_t *o = json_loads(buf, 0, NULL);

			assert_non_null(o);
			/* Every line before the kill must be ok. */
			if (!json_is_true(json_object_get(o, "ok")))
				fail_msg("line %d failed: %s", line, buf);
			if (serial_of_line[line] != 0)
				acked_serials[acked++] = serial_of_line[line];
			json_decref(o);
			if (++line == kill_after) {
				/* Let it race ahead a random bit, then kill. */
				usleep((useconds_t)(rand() % 3000));
				kill(pid, SIGKILL);
			}
		}
		fclose(out);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		/* Every acknowledged scan is stored, inside a box. */
		assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
		for (i = 0; i < acked; i++) {
			char code[96], serial[32];
			sqlite3_stmt *st;

			code_text(acked_serials[i], code, sizeof(code), false);
			snprintf(serial, sizeof(serial), "C%06dABCDEF",
				 acked_serials[i]);
			assert_int_equal(sqlite3_prepare_v2(h, "SELECT "
				"parent_id FROM codes WHERE serial = ?1", -1,
				&st, NULL), SQLITE_OK);
			sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_ROW ||
			    sqlite3_column_type(st, 0) == SQLITE_NULL)
				fail_msg("acknowledged scan %s is missing "
					 "(round %d)", serial, round);
			sqlite3_finalize(st);
		}
		check_invariants(h);
		sqlite3_close(h);
		acked_total += acked;
		free(acked_serials);
	}
	assert_true(acked_total > ROUNDS);
}

/* A reader script: where for codes that may or may not exist yet. */
static void
write_reader(const char *path, int first, int n)
{
	FILE *f = fopen(path, "w");
	char code[96];
	int i;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		code_text(first + i, code, sizeof(code), true);
		fprintf(f, "where %s\ndocs\n", code);
	}
	fclose(f);
}

/* Run `sklad exec` on script with stdout into a file; returns the pid. */
static pid_t
start_exec_to_file(const char *script, const char *outpath)
{
	int in = open(script, O_RDONLY);
	int out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;

	assert_true(in >= 0 && out >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in, 0);
		dup2(out, 1);
		execl(getenv("SKLAD_BIN"), "sklad", "exec", "--db", db,
		      "--user", "boss", (char *)NULL);
		_exit(127);
	}
	close(in);
	close(out);
	return pid;
}

static void
test_two_writers_and_a_reader(void **state)
{
	enum { LINES = 1000, BOXES = 100, LOOKUPS = 600 };
	static int s1[LINES], s2[LINES];
	char script[3][128], out[3][128];
	int first, status, lines = 0, notyet = 0, found = 0, units_before;
	pid_t pid[3];
	sqlite3 *h;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(script[i], sizeof(script[i]), "%s/script%d", dir, i);
		snprintf(out[i], sizeof(out[i]), "%s/out%d", dir, i);
	}
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	units_before = sql_int(h, "SELECT count(*) FROM codes WHERE kind = 1",
			       0);
	sqlite3_close(h);
	first = write_script(script[0], BOXES, s1, LINES);
	write_script(script[1], BOXES, s2, LINES);
	write_reader(script[2], first, LOOKUPS);
	for (i = 0; i < 3; i++)
		pid[i] = start_exec_to_file(script[i], out[i]);
	for (i = 0; i < 3; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		/* The writers must succeed throughout; the reader fails only
		 * for codes not written yet. */
		if (i < 2)
			assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (i = 0; i < 3; i++) {
		FILE *f = fopen(out[i], "r");
		char *buf = NULL;
		size_t cap = 0;

		assert_non_null(f);
		/* `docs` lines grow with the outbox: no fixed buffer. */
		while (getline(&buf, &cap, f) > 0) {
			json_t *o = json_loads(buf, 0, NULL);
			const char *err;

			assert_non_null(o);
			lines++;
			err = json_string_value(json_object_get(o, "error"));
			if (!json_is_true(json_object_get(o, "ok"))) {
				/* "not found", never "busy" */
				if (i < 2 || strstr(err, "never been") == NULL)
					fail_msg("%s", buf);
				notyet++;
			} else if (i == 2 && json_object_get(o, "code")) {
				found++;
			}
			json_decref(o);
		}
		free(buf);
		fclose(f);
	}
	assert_int_equal(lines, 2 * (1 + BOXES * (BOX + 1)) + 2 * LOOKUPS);
	printf("reader: %d found, %d not yet written\n", found, notyet);
	assert_int_equal(found + notyet, LOOKUPS);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sql_int(h, "SELECT count(*) FROM codes WHERE kind ="
				 " 1", 0) - units_before, 2 * BOXES * BOX);
	check_invariants(h);
	sqlite3_close(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_never_loses_an_acknowledged_scan),
		cmocka_unit_test(test_two_writers_and_a_reader),
	};

	/* Every exec in here logs in with the fixture's PIN. */
	setenv("SKLAD_PIN", "1234", 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
