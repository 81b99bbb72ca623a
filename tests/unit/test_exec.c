/*
 * test_exec: `sklad exec` scripts end to end, every workflow and the
 * refusals an operator meets, through the real binary and a real database.
 * Each script line gives one JSON line; the tests read them back by index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "scanners/mark.h"

static char dir[64], db[96];
static json_t *out;		/* array of the last run's result lines */
static int last_status;

/* A unit code with crypto tail, GS written as the script writes it. */
static const char *
unit(int n)
{
	static char buf[8][96];
	static int slot;
	char *b = buf[slot++ % 8];

	snprintf(b, 96, "0104600439931256215U%07dABCD\\x1d93Ab%02d", n,
		 n % 100);
	return b;
}

/* The same code as documents write it (КИ). */
static const char *
ki(int n)
{
	static char buf[4][64];
	static int slot;
	char *b = buf[slot++ % 4];

	snprintf(b, 64, "0104600439931256215U%07dABCD", n);
	return b;
}

static int
setup(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sklad-exec-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	snprintf(cmd, sizeof(cmd), "%s init --db %s --inn 7700000000 --gcp "
		 "4600439 --extension 1 --admin boss >/dev/null",
		 getenv("SKLAD_BIN"), db);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	json_decref(out);
	out = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void run_opts(const char *user, const char *opts, const char *script);

/* Run script as user; results land in `out`. */
static void
run(const char *user, const char *script)
{
	run_opts(user, "", script);
}

/* The same with extra exec options. */
static void
run_opts(const char *user, const char *opts, const char *script)
{
	char path[128], cmd[512], line[1 << 16];
	FILE *f, *p;
	int status;

	snprintf(path, sizeof(path), "%s/script", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(script, f);
	fclose(f);
	/* Each user's PIN as a script gives it: olga 4711, everyone 1234. */
	snprintf(cmd, sizeof(cmd), "SKLAD_PIN=%s %s exec --db %s --user %s "
		 "%s < %s", strcmp(user, "olga") == 0 ? "4711" : "1234",
		 getenv("SKLAD_BIN"), db, user, opts, path);
	json_decref(out);
	out = json_array();
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		json_t *o = json_loads(line, 0, NULL);

		if (o == NULL)
			fail_msg("not JSON: %s", line);
		json_array_append_new(out, o);
	}
	status = pclose(p);
	last_status = WEXITSTATUS(status);
}

/* Run the script of len bytes (NULs and all) as boss. */
static void
run_bytes(const char *data, size_t len)
{
	char path[128], cmd[512], line[1 << 16];
	FILE *f, *p;

	snprintf(path, sizeof(path), "%s/script", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "SKLAD_PIN=1234 %s exec --db %s --user boss"
		 " < %s", getenv("SKLAD_BIN"), db, path);
	json_decref(out);
	out = json_array();
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		json_t *o = json_loads(line, 0, NULL);

		if (o == NULL)
			fail_msg("not JSON: %s", line);
		json_array_append_new(out, o);
	}
	last_status = WEXITSTATUS(pclose(p));
}

static json_t *
res(size_t i)
{
	json_t *o = json_array_get(out, i);

	if (o == NULL)
		fail_msg("no result %zu (only %zu)", i, json_array_size(out));
	return o;
}

static bool
ok(size_t i)
{
	return json_is_true(json_object_get(res(i), "ok"));
}

static const char *
str(size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(res(i), key));

	if (s == NULL)
		fail_msg("result %zu has no string %s", i, key);
	return s;
}

static json_int_t
num(size_t i, const char *key)
{
	json_t *v = json_object_get(res(i), key);

	if (!json_is_integer(v))
		fail_msg("result %zu has no number %s", i, key);
	return json_integer_value(v);
}

/* Result i is a refusal whose reason contains words. */
static void
refused(size_t i, const char *words)
{
	if (ok(i))
		fail_msg("result %zu succeeded, expected a refusal (%s)", i,
			 words);
	if (strstr(str(i, "error"), words) == NULL)
		fail_msg("result %zu: \"%s\" does not say \"%s\"", i,
			 str(i, "error"), words);
}

static void
test_pack_a_pallet(void **state)
{
	char script[4096], sscc[32];

	(void)state;
	snprintf(script, sizeof(script),
		 "set capacity 3\n"
		 "box open\n"
		 "scan %s\nscan %s\nscan %s\n"	/* 2..4: closes at 3 */
		 "set capacity 0\n"
		 "pallet open\n"		/* 6 */
		 "docs\n",			/* 7 */
		 unit(1), unit(2), unit(3));
	run("boss", script);
	assert_int_equal(json_array_size(out), 8);
	assert_string_equal(str(1, "command"), "box open");
	assert_int_equal(num(2, "count"), 1);
	assert_int_equal(num(2, "capacity"), 3);
	assert_true(json_is_true(json_object_get(res(4), "closed")));
	assert_string_equal(str(4, "state"), "closed");
	snprintf(sscc, sizeof(sscc), "%s", str(1, "sscc"));
	assert_int_equal(json_array_size(json_object_get(res(7), "docs")), 1);

	snprintf(script, sizeof(script), "pallet open\nscan %s\nclose\n"
		 "where %s\nwhere %s\ndocs\n", sscc, unit(2), sscc);
	/* 1: the box on, 6: the pallet's own history names the box */
	run("boss", script);
	assert_true(ok(1));
	assert_int_equal(num(1, "count"), 1);
	assert_string_equal(str(2, "state"), "closed");
	/* where: the unit sits in the box on the pallet. */
	assert_string_equal(str(3, "code"), ki(2));
	assert_int_equal(json_array_size(json_object_get(res(3), "parents")),
			 2);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(res(3), "parents"), 0)), sscc);
	assert_true(json_array_size(json_object_get(res(3), "history")) >= 1);
	assert_string_equal(str(4, "kind"), "box");
	assert_int_equal(num(4, "children"), 3);
	assert_int_equal(json_array_size(json_object_get(res(5), "docs")), 2);
	assert_int_equal(last_status, 0);
	{
		char pallet[32], where[64];
		json_t *h;
		size_t i;
		bool put_on = false;

		snprintf(pallet, sizeof(pallet), "%s", str(0, "sscc"));
		snprintf(where, sizeof(where), "where %s\n", pallet);
		run("boss", where);
		h = json_object_get(res(0), "history");
		for (i = 0; i < json_array_size(h); i++) {
			json_t *ev = json_array_get(h, i);
			const char *pk = json_string_value(json_object_get(ev,
							   "pack"));

			put_on |= strcmp(json_string_value(json_object_get(ev,
					 "action")), "pack_scan") == 0 &&
				pk != NULL && strcmp(pk, sscc) == 0;
		}
		assert_true(put_on);
	}
}

static void
test_refusals(void **state)
{
	char script[4096];

	(void)state;
	snprintf(script, sizeof(script),
		 "scan %s\n"					/* 0 */
		 "box open\n"					/* 1 */
		 "scan 0104600439931256215U0000001ABCD93Ab01\n"	/* 2 */
		 "scan %s\n"					/* 3 */
		 "scan %s\n"					/* 4 */
		 "box open\n"					/* 5 */
		 "scan 0104600439931256215U0000002ABCD\n"	/* 6 */
		 "scan 01046004399312562\xd0\xa4U0000002ABCD\n"	/* 7 */
		 "take\n"					/* 8 */
		 "frobnicate\n"					/* 9 */
		 "accept finish\n"				/* 10 */
		 "ship finish\n"				/* 11 */
		 "user add x superuser 1234\n"		/* 12 */
		 "login nobody\n"				/* 13 */
		 "scan 00123456789012345675\n",			/* 14 */
		 unit(1), unit(1), unit(1));
	run("boss", script);
	refused(0, "Nothing is open");
	assert_true(ok(1));
	refused(2, "separator (GS) after (21) is missing");
	assert_true(ok(3));
	refused(4, "scanned twice");
	refused(5, "still open");
	refused(6, "crypto tail");
	refused(7, "Russian");
	refused(8, "Usage");
	refused(9, "Unknown command");
	refused(10, "No acceptance is open");
	refused(11, "No shipment is open");
	refused(12, "role");
	refused(13, "Wrong user name or PIN");
	refused(14, "cannot go into a box");
	assert_string_equal(str(2, "error_code"), "invalid");
	assert_string_equal(str(4, "error_code"), "refused");
	assert_int_equal(last_status, 1);
}

static void
test_users_rights_and_corrections(void **state)
{
	char script[4096], sscc[32];

	(void)state;
	snprintf(script, sizeof(script),
		 "user add ivan operator 1234\n"
		 "user add olga supervisor 4711\n"
		 "box open\nscan %s\nscan %s\nclose\n", unit(10), unit(11));
	run("boss", script);
	assert_true(ok(0) && ok(1) && ok(5));
	snprintf(sscc, sizeof(sscc), "%s", str(2, "sscc"));

	/* An operator can neither add users nor change finished work. */
	snprintf(script, sizeof(script),
		 "user add eve admin 1234\n"	/* 0 */
		 "take %s %s\n"			/* 1 */
		 "disband %s\n"			/* 2 */
		 "login olga 1234\n"		/* 3 */
		 "login olga 4711\n"		/* 4 */
		 "take %s %s\n"			/* 5 */
		 "put %s %s\n"			/* 6 */
		 "disband %s\n"			/* 7 */
		 "docs\n",			/* 8 */
		 sscc, unit(10), sscc, sscc, unit(10), sscc, unit(12), sscc);
	run("ivan", script);
	refused(0, "Only an admin");
	refused(1, "supervisor");
	refused(2, "supervisor");
	refused(3, "Wrong user name or PIN");
	assert_true(ok(4));
	assert_string_equal(str(4, "role"), "supervisor");
	assert_true(ok(5));
	assert_int_equal(num(5, "count"), 1);
	assert_true(ok(6));
	assert_int_equal(num(6, "count"), 2);
	assert_true(ok(7));
	assert_string_equal(str(7, "state"), "disbanded");
	{
		json_t *docs = json_object_get(res(8), "docs");
		const char *types[] = { "AGGREGATION_DOCUMENT",
					"REAGGREGATION_DOCUMENT",
					"REAGGREGATION_DOCUMENT",
					"DISAGGREGATION_DOCUMENT" };
		size_t i;

		assert_int_equal(json_array_size(docs), 4);
		for (i = 0; i < 4; i++)
			assert_string_equal(json_string_value(json_object_get(
				json_array_get(docs, i), "type")), types[i]);
	}
}

/*
 * put never takes a pack beyond its capacity, not even for an admin: a
 * box of capacity 2 that filled (and closed itself) refuses a third
 * unit with the reason; taking one out first makes room.
 */
static void
test_put_capacity(void **state)
{
	char script[4096], sscc[32];

	(void)state;
	snprintf(script, sizeof(script), "set capacity 2\nbox open\n"
		 "scan %s\nscan %s\n", unit(20), unit(21));
	run("boss", script);
	assert_true(ok(0) && ok(3));
	assert_true(json_is_true(json_object_get(res(3), "closed")));
	snprintf(sscc, sizeof(sscc), "%s", str(1, "sscc"));
	snprintf(script, sizeof(script),
		 "put %s %s\n"		/* 0: full */
		 "take %s %s\n"	/* 1 */
		 "put %s %s\n"		/* 2 */
		 "put %s %s\n",	/* 3: full again */
		 sscc, unit(22), sscc, unit(20), sscc, unit(22), sscc,
		 unit(23));
	run("boss", script);
	refused(0, "take one out before putting another in");
	assert_true(ok(1));
	assert_true(ok(2));
	assert_int_equal(num(2, "count"), 2);
	assert_int_equal(num(2, "capacity"), 2);
	refused(3, "capacity");
}

/*
 * Every line that is not blank or a comment gets exactly one complete
 * answer (ok, error, command, line), and a line's bytes never run as a
 * shorter or other command: a NUL inside a line or at its start, bytes
 * that are not UTF-8 (stray, overlong, surrogate) and an overlong line
 * are refused whole, naming the line and byte, never quoting it.
 */
static void
test_bytes_refused_whole(void **state)
{
	static const char script[] =
		"box open\0 146004390000000010\n"	/* 0, line 1 */
		"\0\n"					/* 1, line 2 */
		"\0box open\n"				/* 2, line 3 */
		"# a comment\n\n"			/* lines 4, 5 */
		"where \xff\xfe\n"			/* 3, line 6 */
		"where \xc0\xaf\n"			/* 4, line 7: overlong / */
		"where \xed\xa0\x80\n"			/* 5, line 8: surrogate */
		"\xd0\xb3\xd0\xb4\xd0\xb5\n"		/* 6, line 9: "где" */
		"box open 146004390000000010\r\n";	/* 7, line 10 */
	char *big = malloc(10000 + sizeof(script));
	size_t i;

	(void)state;
	run_bytes(script, sizeof(script) - 1);
	assert_int_equal(json_array_size(out), 8);
	for (i = 0; i < 8; i++) {
		json_t *o = res(i);

		assert_non_null(json_object_get(o, "ok"));
		assert_non_null(json_object_get(o, "error"));
		assert_non_null(json_object_get(o, "command"));
		assert_true(json_is_integer(json_object_get(o, "line")));
	}
	refused(0, "Line 1 has a NUL byte at byte 9");
	assert_true(json_is_null(json_object_get(res(0), "command")));
	refused(1, "Line 2 has a NUL byte at byte 1");
	refused(2, "Line 3 has a NUL byte at byte 1");
	refused(3, "Line 6 is not UTF-8 text (byte 7)");
	refused(4, "Line 7 is not UTF-8");
	refused(5, "Line 8 is not UTF-8");
	/* valid UTF-8 runs: an unknown command, said as typed */
	refused(6, "Unknown command: \xd0\xb3\xd0\xb4\xd0\xb5");
	assert_int_equal(num(6, "line"), 9);
	/* nothing before opened a box: this is the first pack, as asked */
	assert_true(ok(7));
	assert_string_equal(str(7, "sscc"), "146004390000000010");
	assert_int_equal(num(7, "line"), 10);
	assert_int_equal(last_status, 1);

	/* a line over 8192 bytes, then a good one */
	assert_non_null(big);
	memset(big, 'a', 10000);
	memcpy(big + 10000, "\nclose\n", 7);
	run_bytes(big, 10007);
	assert_int_equal(json_array_size(out), 2);
	refused(0, "Line 1 is longer than 8192 bytes");
	assert_null(strstr(str(0, "error"), "aaaa"));
	assert_string_equal(str(1, "command"), "close");
	free(big);
}

/* A --pin-file that is a FIFO (or /dev/zero) is refused at once, never
 * waited on: exec ends with status 1 and no answer. */
static void
test_pin_file_not_regular(void **state)
{
	char fifo[128], opts[160];

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/pin.fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(opts, sizeof(opts), "--pin-file %s 2>/dev/null", fifo);
	run_opts("boss", opts, "box open\n");
	assert_int_equal(json_array_size(out), 0);
	assert_int_equal(last_status, 1);
	run_opts("boss", "--pin-file /dev/zero 2>/dev/null", "box open\n");
	assert_int_equal(json_array_size(out), 0);
	assert_int_equal(last_status, 1);
}

static void
test_command_barcodes(void **state)
{
	char script[1024];

	(void)state;
	snprintf(script, sizeof(script), "box open\nscan %s\n"
		 "scan SKLAD:CLOSE\nscan SKLAD:USER_ADD_X_ADMIN\n", unit(20));
	run("boss", script);
	assert_true(ok(2));
	assert_string_equal(str(2, "state"), "closed");
	refused(3, "not one sklad knows");
}

/* A station's own labels stand for commands; nothing else may. */
static void
test_station_barcodes(void **state)
{
	char script[1024];

	(void)state;
	snprintf(script, sizeof(script), "box open\nscan %s\n"
		 "scan CLOSE-BOX\nscan ANOTHER\n", unit(30));
	run_opts("boss", "--barcode CLOSE-BOX=close --barcode "
		 "ANOTHER='box open'", script);
	assert_true(ok(2));
	assert_string_equal(str(2, "state"), "closed");
	assert_true(ok(3));	/* a new box, opened by its label */
	assert_string_equal(str(3, "state"), "open");
	assert_string_not_equal(str(3, "sscc"), str(1, "sscc"));
	/* A label may not add users, and the form is TEXT=COMMAND. */
	run_opts("boss", "--barcode X='user add eve admin'", "docs\n");
	assert_int_equal(last_status, 2);
	run_opts("boss", "--barcode NOEQUALS", "docs\n");
	assert_int_equal(last_status, 2);
}

/* Acceptance of a delivery given as a plain list, then shipping it. */
static void
test_accept_and_ship(void **state)
{
	char path[128], script[4096], box[MARK_SSCC_LEN + 1];
	FILE *f;
	int i;

	(void)state;
	assert_int_equal(mark_sscc_make(7, "4600439", 555, box), 0);
	snprintf(path, sizeof(path), "%s/delivery.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* A bare list names its sender in a header line. */
	fprintf(f, "# sender_inn: 7700000002\n# number: 17\n# date: 2026-11-20\n"
		"# a comment\n%s\n", box);
	for (i = 0; i < 4; i++)
		fprintf(f, "\t%s\n", ki(100 + i));
	fprintf(f, "%s\n", ki(200));
	fclose(f);
	snprintf(script, sizeof(script),
		 "delivery import %s\n"		/* 0 */
		 "accept open 1\n"		/* 1 */
		 "scan %s\n"			/* 2: the box, 5 codes */
		 "scan %s\n"			/* 3: again */
		 "scan %s\n"			/* 4: surplus */
		 "accept finish\n"		/* 5: 200 missing */
		 "accept finish partial\n"	/* 6 */
		 "ship open 7700000001 OUT-1\n"	/* 7 */
		 "scan %s\n"			/* 8 */
		 "ship finish\n"		/* 9 */
		 "disband %s\n"			/* 10 */
		 "where %s\n"			/* 11 */
		 "where %s\n",			/* 12 */
		 path, box, box, unit(300), box, box, ki(101), box);
	run("boss", script);
	assert_true(ok(0));
	assert_int_equal(num(0, "expected"), 6);
	assert_true(ok(1));
	assert_true(ok(2));
	assert_string_equal(str(2, "verdict"), "matched");
	assert_int_equal(num(2, "matched"), 5);
	assert_int_equal(num(2, "missing"), 1);
	assert_string_equal(str(3, "verdict"), "duplicate");
	assert_string_equal(str(4, "verdict"), "surplus");
	refused(5, "missing");
	assert_true(ok(6));
	assert_int_equal(num(6, "matched"), 5);
	assert_int_equal(num(6, "missing"), 1);
	assert_int_equal(num(6, "surplus"), 1);
	assert_true(ok(7));
	assert_true(ok(8));
	assert_true(ok(9));
	assert_int_equal(num(9, "units"), 4);	/* the units, not the box */
	refused(10, "shipped");
	assert_string_equal(str(11, "state"), "shipped");
	/* The box's history starts with its scans at acceptance. */
	{
		json_t *h = json_object_get(res(12), "history");

		assert_true(json_array_size(h) >= 3);
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(h, 0), "action")), "accept_scan");
	}
	{
		char cmd[256], body[4096] = "";
		FILE *p;

		snprintf(cmd, sizeof(cmd), "sqlite3 %s \"SELECT body FROM outbox"
			 " WHERE type = 'LP_ACCEPT_GOODS'\"", db);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(body, sizeof(body), p));
		pclose(p);
		assert_non_null(strstr(body,
				       "\"trade_sender_inn\":\"7700000002\""));
	}
	/* A header with a bad INN refuses the file, naming the line. */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n# sender_inn: 12345\n", ki(400));
	fclose(f);
	snprintf(script, sizeof(script), "delivery import %s\n", path);
	run("boss", script);
	refused(0, "Line 2: a bad value for sender_inn");
}

/*
 * where, while an acceptance is open: a code whose acceptance scan was
 * acknowledged is found ("accepting", its delivery, verdict and scan),
 * not "never scanned here"; once the acceptance finished without it
 * (surplus), the refusal says so.
 */
static void
test_where_during_acceptance(void **state)
{
	char path[128], script[2048];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/d.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# sender_inn: 7700000002\n# number: 18\n"
		"# date: 2026-11-20\n%s\n%s\n", ki(1), ki(2));
	fclose(f);
	snprintf(script, sizeof(script),
		 "delivery import %s\n"	/* 0 */
		 "accept open 1\n"		/* 1 */
		 "scan %s\n"			/* 2: matched */
		 "scan %s\n"			/* 3: surplus */
		 "where %s\n"			/* 4 */
		 "where %s\n"			/* 5 */
		 "where %s\n"			/* 6: expected, not scanned */
		 "accept finish partial\n"	/* 7 */
		 "where %s\n"			/* 8 */
		 "where %s\n",			/* 9 */
		 path, unit(1), unit(9), ki(1), ki(9), ki(2), ki(9), ki(1));
	run("boss", script);
	assert_true(ok(2) && ok(3));
	assert_true(ok(4));
	assert_string_equal(str(4, "state"), "accepting");
	assert_string_equal(str(4, "verdict"), "matched");
	assert_int_equal(num(4, "delivery"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(res(4), "history"), 0), "action")),
		"accept_scan");
	assert_true(ok(5));
	assert_string_equal(str(5, "verdict"), "surplus");
	refused(6, "never been scanned here");
	assert_true(ok(7));
	refused(8, "scanned it as surplus and did not take it in");
	assert_true(ok(9));
	assert_string_equal(str(9, "state"), "in_stock");
	assert_true(json_is_null(json_object_get(res(9), "delivery")));
}

/*
 * cancel: an empty pack opened by mistake goes (off its pallet), a full
 * one or someone else's (for an operator) stays; resume brings back the
 * user's own open box with the pallet around it in a new session.
 */
static void
test_cancel_and_resume(void **state)
{
	char line[128];

	(void)state;
	run("boss", "user add ivan operator 1234\n"
	    "user add olga operator 4711\n");
	run("ivan", "pallet open\n"		/* 0 */
	    "box open\n"			/* 1: on the pallet */
	    "cancel\n"				/* 2: the empty box goes */
	    "box open\n"			/* 3 */
	    "scan 0104600439931256215U0000001ABCD\\x1d93Ab01\n"
	    "cancel\n");			/* 5: not empty */
	assert_true(ok(2));
	assert_string_equal(str(2, "state"), "disbanded");
	assert_true(json_is_null(json_object_get(res(2), "parent")));
	refused(5, "not empty");
	/* a new session of the same user: the box on the pallet is back */
	run("ivan", "resume\nscan 0104600439931256215U0000002ABCD"
	    "\\x1d93Ab02\nwhere 0104600439931256215U0000002ABCD\n");
	assert_true(ok(0));
	assert_string_equal(str(0, "sscc"), str(1, "sscc"));
	assert_int_equal(num(1, "count"), 2);
	assert_int_equal(json_array_size(json_object_get(res(2), "parents")),
			 2);
	/* someone else's empty pack: an operator may not cancel it */
	run("ivan", "resume\nclose\nclose\npallet open\n");
	snprintf(line, sizeof(line), "cancel %s\nwhere %s\n", str(3, "sscc"),
		 str(3, "sscc"));
	run("olga", line);
	refused(0, "Someone else opened this pack");
	assert_string_equal(str(1, "state"), "open");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pack_a_pallet, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_users_rights_and_corrections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_barcodes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accept_and_ship, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bytes_refused_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pin_file_not_regular,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_capacity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_where_during_acceptance,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_station_barcodes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_resume, setup,
						teardown),
	};

	setenv("LC_ALL", "C", 1);
	setenv("SKLAD_PIN", "1234", 1);	/* init's admin */
	unsetenv("LANGUAGE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
