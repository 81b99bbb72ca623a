/*
 * test_st_queue: the writers' queue and the group commit (store/db_queue.c,
 * store/db.c), on a real file with real processes.
 *
 * A writer waiting in the queue is refused after its limit, with the file
 * named; one whose holder is killed -9 or lets go gets in; the queue file
 * has the database's permission bits; the write-ahead log of two stations
 * scanning in turn stays short when each housekeeps after its answer, and
 * grows without it; every acknowledged scan is there. No mocks; the only
 * times are the limits a test sets, never a measured duration.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db.h"
#include "tests/site_fx.h"

#define GS "\x1d"

/* A valid marking code with crypto tail for GTIN prefix g and serial n. */
static void
unit_code(int n, char *out, size_t size)
{
	int cd = mark_check_digit("0460043993125", 13);

	snprintf(out, size, "010460043993125%d21Q%06dABCDEF" GS "93AbCd",
		 cd, n);
}

static int
setup(void **state)
{
	struct site_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	site_fx_open(f, NULL);
	*state = f;
	return 0;
}

static struct st_db *
second_connection(struct site_fx *f)
{
	struct st_db *db = NULL;
	struct err e;

	if (st_open(f->path, false, &db, &e) != 0)
		fail_msg("second connection: %s", e.msg);
	return db;
}

/* A child that holds the queue of path until killed (or for hold_ms,
 * then lets go and exits); returns once it holds it. */
static pid_t
holder(const char *path, int hold_ms)
{
	int ready[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct st_db *db = NULL;
		struct err e;

		close(ready[0]);
		if (st_open(path, false, &db, &e) != 0 ||
		    db_queue_take(db, 1000, &e) != 0)
			_exit(2);
		if (write(ready[1], "y", 1) != 1)
			_exit(3);
		if (hold_ms < 0)
			for (;;)
				pause();
		usleep((useconds_t)hold_ms * 1000);
		db_queue_give(db);
		st_close(&db);
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

/* A writer behind a transaction that does not end is refused after its
 * limit, naming the file; once the transaction ends it gets in. */
static void
test_waiter_is_refused_after_its_limit(void **state)
{
	struct site_fx *f = *state;
	struct st_db *b = second_connection(f);
	struct err e;

	assert_int_equal(db_begin(f->db, &e), 0);
	assert_int_equal(db_queue_take(b, 100, &e), ERR_BUSY);
	assert_non_null(strstr(e.msg, f->path));
	assert_non_null(strstr(e.msg, "busy"));
	assert_false(b->queue_held);
	db_rollback(f->db);
	assert_int_equal(db_queue_take(b, 100, &e), 0);
	assert_true(b->queue_held);
	db_queue_give(b);
	assert_false(b->queue_held);
	st_close(&b);
}

/* A station killed while it held the queue does not stop the others. */
static void
test_killed_holder_frees_the_queue(void **state)
{
	struct site_fx *f = *state;
	struct st_db *b = second_connection(f);
	pid_t pid = holder(f->path, -1);
	int status;
	struct err e;

	assert_int_equal(db_queue_take(b, 50, &e), ERR_BUSY);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(db_queue_take(b, 5000, &e), 0);
	db_queue_give(b);
	st_close(&b);
}

/* A waiter sleeping in the queue gets in when the holder lets go, long
 * before its own limit (which would refuse it). */
static void
test_waiter_gets_in_when_released(void **state)
{
	struct site_fx *f = *state;
	pid_t pid = holder(f->path, 200);
	struct st_pack p;
	struct err e;
	int status;

	assert_int_equal(st_pack_open(f->db, &f->op, ST_BOX, NULL, NULL, NULL,
				      &p, &e), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Everyone who writes the database must be able to open its queue: the
 * file gets the database's read and write bits, whatever the umask. */
static void
test_queue_file_has_the_database_mode(void **state)
{
	struct site_fx *f = *state;
	char q[160];
	struct stat qs, ds;
	struct st_db *b;
	mode_t old = umask(077);

	snprintf(q, sizeof(q), "%s" ST_QUEUE_SUFFIX, f->path);
	assert_int_equal(chmod(f->path, 0660), 0);
	assert_int_equal(unlink(q), 0);
	b = second_connection(f);
	umask(old);
	assert_int_equal(stat(q, &qs), 0);
	assert_int_equal(stat(f->path, &ds), 0);
	assert_int_equal(qs.st_mode & 0777, ds.st_mode & 0660);
	st_close(&b);
}

static int64_t
file_size(const char *path)
{
	struct stat s;

	return stat(path, &s) == 0 ? (int64_t)s.st_size : -1;
}

/* Two stations scan in turn into their own boxes (n scans); each
 * housekeeps after its answer when housekeep is set. Returns the largest
 * the WAL grew; every scan must be acknowledged and stored. */
static int64_t
two_stations(struct site_fx *f, int n, bool housekeep, int base)
{
	struct st_db *b = second_connection(f);
	struct st_db *dbs[2] = { f->db, b };
	struct st_pack box[2], out;
	char code[96], wal[160];
	int64_t most = 0, size;
	struct mark m;
	struct err e;
	int i, k;

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	for (k = 0; k < 2; k++)
		assert_int_equal(st_pack_open(dbs[k], &f->op, ST_PALLET, NULL,
					      NULL, NULL, &box[k], &e), 0);
	for (i = 0; i < n; i++) {
		k = i % 2;
		unit_code(base + i, code, sizeof(code));
		m = site_fx_parsed(code);
		/* units go into boxes; a fresh box each 20 */
		if (i / 2 % 20 == 0)
			assert_int_equal(st_pack_open(dbs[k], &f->op, ST_BOX,
						      NULL, NULL, NULL,
						      &box[k], &e), 0);
		if (st_pack_scan(dbs[k], &f->op, box[k].sscc, &m, code,
				 strlen(code), &out, &e) != 0)
			fail_msg("scan %d refused: %s", i, e.msg);
		if (housekeep)
			assert_int_equal(st_housekeep(dbs[k]), 0);
		if ((size = file_size(wal)) > most)
			most = size;
	}
	st_close(&b);
	return most;
}

static int64_t
stored(struct site_fx *f, int base, int n)
{
	int64_t count = 0;
	struct err e;
	sqlite3_stmt *st = db_stmt(f->db, "SELECT count(*) FROM codes "
				   "WHERE serial >= ?1 AND serial < ?2", &e);
	char lo[16], hi[16];

	assert_non_null(st);
	snprintf(lo, sizeof(lo), "Q%06d", base);
	snprintf(hi, sizeof(hi), "Q%06d", base + n);
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return count;
}

/* With housekeeping after each answer the log is restarted from the top
 * and stays near ST_WAL_CHECKPOINT_PAGES; commits alone checkpoint only
 * past ST_WAL_FORCE_PAGES, so without it the log grows far beyond. */
static void
test_housekeeping_keeps_the_log_short(void **state)
{
	struct site_fx *f = *state;
	/* one 1 KiB page plus its 24-byte frame header, and slack for the
	 * last transaction before the restart */
	const int64_t frame = 1024 + 24;
	const int n = 4000;
	int64_t kept, grown;

	kept = two_stations(f, n, true, 0);
	assert_int_equal(stored(f, 0, n), n);
	assert_true(kept > 0);
	assert_true(kept <= (ST_WAL_CHECKPOINT_PAGES + 100) * frame);
	grown = two_stations(f, n, false, n);
	assert_int_equal(stored(f, n, n), n);
	assert_true(grown >= (int64_t)ST_WAL_FORCE_PAGES * frame);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_waiter_is_refused_after_its_limit, setup,
			site_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_killed_holder_frees_the_queue, setup,
			site_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_waiter_gets_in_when_released, setup,
			site_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_queue_file_has_the_database_mode, setup,
			site_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_housekeeping_keeps_the_log_short, setup,
			site_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
