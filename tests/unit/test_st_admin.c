/*
 * test_st_admin: the admin's tools (store/db_admin.c, db_check.c,
 * console/cmd_db.c). A site with boxes, a pallet, a disbanded box, a
 * take-out and documents sent and confirmed is sound; each invariant
 * broken with raw SQL on a copy is found by its own check and no other;
 * a backup taken while another process scans is whole, 0600, and sound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "console/cli.h"
#include "store/store.h"
#include "tests/site_fx.h"

#define GS "\x1d"

struct fixture {
	struct site_fx site;
	char b1[19], b2[19], pallet[19];
	char copy[128];
};

static void
unit_code(int n, char *out, size_t size)
{
	int cd = mark_check_digit("0460043993125", 13);

	snprintf(out, size, "010460043993125%d21S%05dABCDEFG" GS "93AbCd", cd,
		 n);
}

static void
scan_into(struct fixture *f, const char *sscc, int n)
{
	struct st_pack p;
	struct mark m;
	char code[96];
	struct err e;

	unit_code(n, code, sizeof(code));
	m = site_fx_parsed(code);
	if (st_pack_scan(f->site.db, &f->site.op, sscc, &m, code,
			 strlen(code), &p, &e) != 0)
		fail_msg("scan %d: %s", n, e.msg);
}

/* A box of units first..first+n-1 (on pallet when not NULL), closed. */
static void
box(struct fixture *f, const char *pallet, int first, int n, char *sscc)
{
	struct st_pack p;
	struct err e;
	int i;

	assert_int_equal(st_pack_open(f->site.db, &f->site.op, ST_BOX, NULL,
				      pallet, NULL, &p, &e), 0);
	strcpy(sscc, p.sscc);
	for (i = 0; i < n; i++)
		scan_into(f, sscc, first + i);
	assert_int_equal(st_pack_close(f->site.db, &f->site.op, sscc, &p, &e),
			 0);
}

static int64_t
sql_int(const char *path, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* Raw SQL on a file, foreign keys off, as a corrupting hand would. */
static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

/*
 * The site: box b1 (3 units) confirmed by the state system, a pallet
 * holding box b2 (2 units) and submitted, a box disbanded, a unit taken
 * out of b1 by a supervisor, and an open box with one unit.
 */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct st_pack p;
	struct mark m;
	struct err e;
	char b3[19], code[96];
	int64_t agg;

	site_fx_open_pg(&f->site, "4711", "furs");
	box(f, NULL, 1, 3, f->b1);
	agg = sql_int(f->site.path, "SELECT max(id) FROM outbox");
	assert_int_equal(st_outbox_submitted(f->site.db, agg, "srv-1", 0, &e),
			 0);
	assert_int_equal(st_outbox_result(f->site.db, agg,
					  ST_OUTBOX_CONFIRMED, NULL, &e), 0);
	assert_int_equal(st_pack_open(f->site.db, &f->site.op, ST_PALLET,
				      NULL, NULL, NULL, &p, &e), 0);
	strcpy(f->pallet, p.sscc);
	box(f, f->pallet, 10, 2, f->b2);
	assert_int_equal(st_pack_close(f->site.db, &f->site.op, f->pallet, &p,
				       &e), 0);
	assert_int_equal(st_outbox_submitted(f->site.db, p.document_id,
					     "srv-2", 0, &e), 0);
	box(f, NULL, 20, 2, b3);
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, b3, &p,
					 &e), 0);
	unit_code(1, code, sizeof(code));
	m = site_fx_parsed(code);
	assert_int_equal(st_pack_take(f->site.db, &f->site.sup, f->b1, &m, &p,
				      &e), 0);
	assert_int_equal(st_pack_open(f->site.db, &f->site.op, ST_BOX, NULL,
				      NULL, NULL, &p, &e), 0);
	scan_into(f, p.sscc, 30);
	snprintf(f->copy, sizeof(f->copy), "%s/copy.db", f->site.dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = site_fx_close(&f->site);

	free(f);
	return rc;
}

/* What one check run found: the names of the checks, "," separated. */
struct found {
	char names[512];
	int n;
};

static void
collect(void *arg, const char *check, const char *msg)
{
	struct found *fd = arg;

	print_message("  %s: %s\n", check, msg);
	fd->n++;
	if (strstr(fd->names, check) == NULL) {
		strcat(fd->names, check);
		strcat(fd->names, ",");
	}
}

static struct found
check(const char *path)
{
	struct found fd = { "", 0 };
	struct err e;
	int problems = -1;

	if (st_db_check(path, collect, &fd, &problems, &e) != 0)
		fail_msg("check %s: %s", path, e.msg);
	assert_int_equal(problems, fd.n);
	return fd;
}

static void
test_sound_site(void **state)
{
	struct fixture *f = *state;
	struct found fd = check(f->site.path);
	char w[] = "check", db[] = "--db";
	char *argv[] = { w, db, f->site.path, NULL };

	assert_string_equal(fd.names, "");
	assert_int_equal(fd.n, 0);
	assert_int_equal(cmd_db_check(3, argv), CLI_OK);
}

/* Copy the site, break it with sql, and see that exactly the check named
 * want finds it, and that the command exits 1. */
static void
broken(struct fixture *f, const char *sql, const char *want)
{
	char w[] = "check", db[] = "--db", json[] = "--json";
	char *argv[] = { w, db, f->copy, json, NULL };
	struct err e;
	struct found fd;
	char names[64];

	unlink(f->copy);
	assert_int_equal(st_db_backup(f->site.path, f->copy, &e), 0);
	sql_exec(f->copy, sql);
	print_message("%s:\n", want);
	fd = check(f->copy);
	snprintf(names, sizeof(names), "%s,", want);
	assert_string_equal(fd.names, names);
	assert_int_equal(cmd_db_check(4, argv), CLI_FAIL);
}

/* The id of code a test wrote, as SQL. */
#define UNIT_ID(n) "(SELECT id FROM codes WHERE substr(serial, 1, 6) = 'S" n "')"
#define PACK_ID(s) "(SELECT id FROM codes WHERE serial = '" s "')"

static void
test_two_packs(void **state)
{
	struct fixture *f = *state;
	char sql[512];

	/* The text of unit 10 (in b2) stored once more, in b1. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO codes(gtin_id, serial, kind, parent_id)"
		 " SELECT 0, t.code, 5, " PACK_ID("%s") " FROM code_text t"
		 " WHERE t.id = " UNIT_ID("00010") ";"
		 "UPDATE packs SET count = count + 1 WHERE code_id = "
		 PACK_ID("%s"), f->b1, f->b1);
	broken(f, sql, "two_packs");
}

static void
test_parent_not_a_pack(void **state)
{
	/* unit 1 was taken out: put it "inside" unit 2 */
	broken(*state, "UPDATE codes SET parent_id = " UNIT_ID("00002")
	       " WHERE id = " UNIT_ID("00001"), "parent");
}

static void
test_counts(void **state)
{
	struct fixture *f = *state;
	char sql[256];

	snprintf(sql, sizeof(sql), "UPDATE packs SET count = count + 1"
		 " WHERE code_id = " PACK_ID("%s"), f->b1);
	broken(f, sql, "counts");
}

static void
test_cycle(void **state)
{
	struct fixture *f = *state;
	char sql[512];

	/* the pallet holds b2; now b2 holds the pallet too */
	snprintf(sql, sizeof(sql), "UPDATE codes SET parent_id = "
		 PACK_ID("%s") " WHERE id = " PACK_ID("%s") ";"
		 "UPDATE packs SET count = count + 1 WHERE code_id = "
		 PACK_ID("%s"), f->b2, f->pallet, f->b2);
	broken(f, sql, "cycles");
}

static void
test_outbox_no_server_id(void **state)
{
	broken(*state, "UPDATE outbox SET server_id = NULL"
	       " WHERE state = 'submitted'", "outbox");
}

static void
test_outbox_sent_too_early(void **state)
{
	/* the newest document waits for something; say it was confirmed
	 * while what it waits for was not */
	broken(*state, "UPDATE outbox SET state = 'pending', server_id = NULL"
	       " WHERE state = 'submitted';"
	       "UPDATE packs SET state = 'closed' WHERE state = 'submitted';"
	       "UPDATE outbox SET state = 'confirmed', server_id = 'x'"
	       " WHERE id = (SELECT max(doc_id) FROM outbox_deps x"
	       "  JOIN outbox w ON w.id = x.waits_for"
	       "  WHERE w.state = 'pending')", "outbox");
}

static void
test_outbox_pack_state(void **state)
{
	struct fixture *f = *state;
	char sql[256];

	snprintf(sql, sizeof(sql), "UPDATE packs SET state = 'submitted'"
		 " WHERE code_id = " PACK_ID("%s"), f->b1);
	broken(f, sql, "outbox");
}

static void
test_deps_loop(void **state)
{
	/* the first document with a dependency: make what it waits for
	 * wait for it */
	broken(*state, "INSERT INTO outbox_deps(doc_id, waits_for)"
	       " SELECT waits_for, doc_id FROM outbox_deps"
	       " ORDER BY doc_id LIMIT 1", "deps");
}

static void
test_foreign_key(void **state)
{
	broken(*state, "INSERT INTO doc_codes(code_id, doc_id)"
	       " VALUES (99999, 1)", "foreign_keys");
}

static void
test_integrity(void **state)
{
	struct fixture *f = *state;

	/* An index that no longer matches its table: point codes' parent
	 * index at another index's pages. */
	broken(f, "PRAGMA writable_schema = ON;"
	       "UPDATE sqlite_schema SET rootpage = (SELECT rootpage FROM"
	       " sqlite_schema WHERE name = 'outbox_state')"
	       " WHERE name = 'packs_open';", "integrity");
}

/* A writer in another process: scans units into open boxes of 50 until
 * n units are in, each scan its own transaction, then exits 0. */
static void
writer(struct fixture *f, int first, int n)
{
	struct st_db *db;
	struct st_actor op;
	struct st_pack p;
	struct mark m;
	struct err e;
	char code[96], sscc[19] = "";
	int i;

	if (st_open(f->site.path, false, &db, &e) != 0 ||
	    st_login(db, "ivan", SITE_FX_PIN, "scanner-2", &op, &e) != 0)
		_exit(1);
	for (i = 0; i < n; i++) {
		if (i % 50 == 0) {
			if (sscc[0] && st_pack_close(db, &op, sscc, &p, &e))
				_exit(2);
			if (st_pack_open(db, &op, ST_BOX, NULL, NULL, NULL,
					 &p, &e))
				_exit(3);
			strcpy(sscc, p.sscc);
		}
		unit_code(first + i, code, sizeof(code));
		if (mark_parse(code, strlen(code), &m) != 0 ||
		    st_pack_scan(db, &op, sscc, &m, code, strlen(code), &p,
				 &e) != 0)
			_exit(4);
	}
	st_close(&db);
	_exit(0);
}

static void
test_backup_while_writing(void **state)
{
	struct fixture *f = *state;
	char w[] = "backup", db[] = "--db";
	char *argv[] = { w, db, f->site.path, f->copy, NULL };
	int64_t before = sql_int(f->site.path, "SELECT count(*) FROM codes");
	int64_t last = before, n;
	struct stat sb;
	struct err e;
	int status, copies = 0;
	pid_t pid;
	char wal[160];
	unsigned char head[100];
	FILE *fp;

	/* the fixture's own connection must not hold the writer up */
	st_close(&f->site.db);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		writer(f, 1000, 200);
	/* copies while the writer scans, until it is done: each whole */
	do {
		if (st_db_backup(f->site.path, f->copy, &e) != 0)
			fail_msg("backup: %s", e.msg);
		copies++;
		assert_int_equal(stat(f->copy, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		/* whole: sound, and never fewer codes than an earlier copy */
		assert_string_equal(check(f->copy).names, "");
		n = sql_int(f->copy, "SELECT count(*) FROM codes");
		assert_true(n >= last);
		last = n;
	} while (waitpid(pid, &status, WNOHANG) == 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* after the writer: the copy through the command has everything,
	 * in one file, and opens as a sklad database */
	assert_int_equal(cmd_db_backup(4, argv), CLI_OK);
	/* the file format's bytes 18 and 19: 1 = rollback journal, 2 = WAL */
	assert_non_null(fp = fopen(f->copy, "rb"));
	assert_int_equal(fread(head, 1, sizeof(head), fp), sizeof(head));
	fclose(fp);
	assert_int_equal(head[18], 1);
	assert_int_equal(head[19], 1);
	snprintf(wal, sizeof(wal), "%s-wal", f->copy);
	assert_int_not_equal(access(wal, F_OK), 0);
	assert_int_equal(sql_int(f->copy, "SELECT count(*) FROM codes"),
			 before + 200 + 4);	/* 4 boxes of 50 */
	assert_int_equal(st_open(f->copy, false, &f->site.db, &e), 0);
	print_message("%d copies while the writer scanned\n", copies);
}

/* A writer holding its write transaction open does not stop a backup,
 * and the copy holds what was committed, not what is half done. */
static void
test_backup_during_write_transaction(void **state)
{
	struct fixture *f = *state;
	int64_t before = sql_int(f->site.path, "SELECT count(*) FROM codes");
	sqlite3 *h;
	struct err e;

	assert_int_equal(sqlite3_open(f->site.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE;"
				      "INSERT INTO codes(gtin_id, serial, kind)"
				      " VALUES (0, '146000000000000017', 5)",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(st_db_backup(f->site.path, f->copy, &e), 0);
	assert_int_equal(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(sql_int(f->copy, "SELECT count(*) FROM codes"),
			 before);
	assert_int_equal(sql_int(f->site.path, "SELECT count(*) FROM codes"),
			 before + 1);
}

static void
test_backup_refusals(void **state)
{
	struct fixture *f = *state;
	char bad[160];
	struct err e;

	assert_int_equal(st_db_backup(f->site.path, f->site.path, &e),
			 ERR_INVALID);
	snprintf(bad, sizeof(bad), "%s/no/such/folder/x.db", f->site.dir);
	assert_int_equal(st_db_backup(f->site.path, bad, &e), ERR_IO);
	assert_non_null(strstr(e.msg, "no/such/folder"));
	snprintf(bad, sizeof(bad), "%s/none.db", f->site.dir);
	assert_int_equal(st_db_backup(bad, f->copy, &e), ERR_NOTFOUND);
	assert_int_not_equal(access(f->copy, F_OK), 0);
}

static void
test_stats(void **state)
{
	struct fixture *f = *state;
	struct st_db_stats s;
	struct err e;
	int i, open_boxes = -1;

	assert_int_equal(st_db_stats(f->site.path, &s, &e), 0);
	assert_int_equal(s.schema_version, s.known_version);
	/* 3 + 2 + 2 + 1 units, 4 boxes and a pallet */
	assert_int_equal(s.codes, 8 + 5);
	assert_int_equal(s.units, 8);
	for (i = 0; i < s.n_packs; i++)
		if (strcmp(s.packs[i].name, "box open") == 0)
			open_boxes = (int)s.packs[i].count;
	assert_int_equal(open_boxes, 1);
	assert_true(s.n_outbox >= 2);
	assert_true(s.pages > 0 && s.file_bytes > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_sound_site),
		T(test_two_packs),
		T(test_parent_not_a_pack),
		T(test_counts),
		T(test_cycle),
		T(test_outbox_no_server_id),
		T(test_outbox_sent_too_early),
		T(test_outbox_pack_state),
		T(test_deps_loop),
		T(test_foreign_key),
		T(test_integrity),
		T(test_backup_while_writing),
		T(test_backup_during_write_transaction),
		T(test_backup_refusals),
		T(test_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
