/*
 * db: connection, migrations, statement cache, transactions (see db.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"

int
db_fail(struct st_db *db, struct err *e, const char *what)
{
	int rc = sqlite3_errcode(db->h);
	int code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? ERR_BUSY :
		ERR_DB;

	/* What the file or its disk did: say which file, and what to do. */
	switch (rc) {
	case SQLITE_FULL:
		return err_set(e, ERR_IO, "the disk holding the database %s is "
			       "full: nothing of this was stored; free space "
			       "on it and do it again", db->path);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return err_set(e, ERR_DB, "the database %s is damaged (%s: "
			       "%s): restore it from a backup", db->path, what,
			       sqlite3_errmsg(db->h));
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return err_set(e, ERR_IO, "the database %s cannot be written "
			       "(%s: %s): nothing of this was stored",
			       db->path, what, sqlite3_errmsg(db->h));
	}
	return err_set(e, code, "database: %s: %s", what,
		       sqlite3_errmsg(db->h));
}

sqlite3_stmt *
db_stmt(struct st_db *db, const char *sql, struct err *e)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			st = db->cache[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		db_fail(db, e, "prepare");
		return NULL;
	}
	if (db->ncache < ST_STMT_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache++].stmt = st;
	} else {
		/* Cannot happen with a fixed set of statements; do not leak. */
		sqlite3_finalize(st);
		err_set(e, ERR_INTERNAL, "statement cache full");
		return NULL;
	}
	return st;
}

int
db_exec(struct st_db *db, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = err_set(e, sqlite3_errcode(db->h) == SQLITE_BUSY ?
				 ERR_BUSY : ERR_DB, "database: %s",
				 msg != NULL ? msg : "error");

		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

int
db_done(struct st_db *db, sqlite3_stmt *st, struct err *e, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int r = db_fail(db, e, what);

		sqlite3_reset(st);
		return r;
	}
	sqlite3_reset(st);
	return 0;
}

int
db_row(struct st_db *db, sqlite3_stmt *st, struct err *e, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	rc = db_fail(db, e, what);
	sqlite3_reset(st);
	return rc;
}

int
db_int(struct st_db *db, const char *sql, int64_t arg, int64_t *out,
       struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*out = 0;
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, arg);
	if ((rc = db_row(db, st, e, "value")) == 1)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/*
 * Group commit across processes. With synchronous=FULL every COMMIT
 * fsyncs the WAL while it holds the write lock, so a site's writers queue
 * behind one fsync each (4 ms here, up to 500 ms on a terminal's eMMC):
 * 200 stations at 2 scans/s would need 1.6 s of fsync every second. So a
 * transaction of ours commits with synchronous=OFF, which only appends to
 * the WAL, and the lock is free again in well under a millisecond; then,
 * outside the lock, wal_sync() fsyncs the WAL before db_commit returns,
 * i.e. before anything is acknowledged. Writers that commit while one
 * fsync runs are made durable together by the next, by the kernel.
 *
 * Why this keeps SQLite's guarantees: WAL frames only append, and
 * recovery keeps a prefix of whole transactions (the frame checksums
 * chain), so a synced commit makes every earlier one durable too. What
 * synchronous=OFF would also skip is the fsync of the database file
 * after a checkpoint, before the WAL is reused; so this connection never
 * checkpoints while OFF: the WAL hook only notes the wish, and
 * st_housekeep() (or close, always outside a transaction) runs it with
 * synchronous FULL again.
 */
static int
set_synchronous(struct st_db *db, bool full, struct err *e)
{
	if (!db->wal || db->sync_full == full)
		return 0;
	if (sqlite3_exec(db->h, full ? "PRAGMA synchronous = FULL" :
			 "PRAGMA synchronous = OFF", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return e != NULL ? db_fail(db, e, "synchronous") : -1;
	db->sync_full = full;
	return 0;
}

/* After a COMMIT made with synchronous=OFF: FULL again, and the WAL
 * fsynced through SQLite's own handle (so a test VFS sees it). A failed
 * fsync leaves the rows written but not known to be on disk: an error,
 * never an acknowledgement. */
static int
wal_sync(struct st_db *db, struct err *e)
{
	sqlite3_file *wal = NULL;
	int rc;

	if (!db->wal)
		return 0;
	if (set_synchronous(db, true, e) < 0)
		return e->code;
	if (sqlite3_file_control(db->h, "main", SQLITE_FCNTL_JOURNAL_POINTER,
				 &wal) != SQLITE_OK || wal == NULL ||
	    wal->pMethods == NULL)
		return err_set(e, ERR_IO, "the database %s: its write-ahead "
			       "log is not open after a commit", db->path);
	if ((rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL)) !=
	    SQLITE_OK)
		return err_set(e, ERR_IO, "the database %s: the disk did not "
			       "confirm the write (%s); scan it again when "
			       "the disk is sound", db->path,
			       sqlite3_errstr(rc));
	return 0;
}

int64_t
db_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
db_begin_at(struct st_db *db, const char *where, struct err *e)
{
	int64_t deadline = db_mono_ms() + ST_BUSY_MS;
	int rc;

	if (db->in_tx)
		return err_set(e, ERR_INTERNAL, "transaction begun at %s "
			       "while one from %s is open", where,
			       db->tx_where);
	if (db_queue_take(db, ST_BUSY_MS, e) < 0)
		return e->code;
	if (set_synchronous(db, false, e) < 0) {
		db_queue_give(db);
		return e->code;
	}
	/* The busy handler waits inside BEGIN IMMEDIATE; loop in case a
	 * checkpoint or a long writer outlasts one wait. */
	while ((rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL,
				  NULL)) == SQLITE_BUSY &&
	       db_mono_ms() < deadline)
		usleep(1000);
	if (rc != SQLITE_OK) {
		rc = db_fail(db, e, "begin");
		set_synchronous(db, true, NULL);
		db_queue_give(db);
		return rc;
	}
	db->in_tx = 1;
	db->tx_where = where;
	return 0;
}

int
db_commit(struct st_db *db, struct err *e)
{
	int64_t deadline = db_mono_ms() + ST_BUSY_MS;
	int rc;

	while ((rc = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL)) ==
	       SQLITE_BUSY && db_mono_ms() < deadline)
		usleep(1000);
	if (rc != SQLITE_OK) {
		int r = db_fail(db, e, "commit");

		db_rollback(db);
		return r;
	}
	db->in_tx = 0;
	db_queue_give(db);	/* the fsync below is done side by side */
	if ((rc = wal_sync(db, e)) < 0)
		return rc;
	/* a writer that never housekeeps (an import, a script) */
	if (db->wal_pages >= ST_WAL_FORCE_PAGES)
		sqlite3_wal_checkpoint_v2(db->h, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL,
					  NULL);
	return 0;
}

void
db_rollback(struct st_db *db)
{
	db->last_gtin_id = 0;
	db->last_device_id = 0;
	if (!db->in_tx) {
		db_queue_give(db);
		return;
	}
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
	set_synchronous(db, true, NULL);
	db_queue_give(db);
}

void
db_cache_big(struct st_db *db, bool big)
{
	sqlite3_exec(db->h, big ? "PRAGMA cache_size = -65536" :
		     "PRAGMA cache_size = -2000", NULL, NULL, NULL);
	if (!big)
		sqlite3_db_release_memory(db->h);
}

void
db_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, n, "%s", t != NULL ? (const char *)t : "");
}

void
db_now(char out[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 13, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/* Look up name in table (gtins.gtin or devices.name), inserting if new. */
static int
intern(struct st_db *db, const char *find, const char *add, const char *key,
       int64_t *id, struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, find, e);
	int rc;

	if (st == NULL)
		return e ? e->code : ERR_DB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "lookup")) < 0)
		return rc;
	if (rc == 1) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	if ((st = db_stmt(db, add, e)) == NULL)
		return e ? e->code : ERR_DB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = db_done(db, st, e, "insert")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int
db_gtin_id(struct st_db *db, const char *gtin, int64_t *id, struct err *e)
{
	static const char find[] = "SELECT id FROM gtins WHERE gtin = ?1";
	static const char add[] = "INSERT INTO gtins(gtin) VALUES (?1)";
	int rc;

	if (gtin[0] == '\0') {
		*id = 0;	/* SSCCs: the pseudo-GTIN of migration 1 */
		return 0;
	}
	if (db->last_gtin_id != 0 && strcmp(db->last_gtin, gtin) == 0) {
		*id = db->last_gtin_id;
		return 0;
	}
	if ((rc = intern(db, find, add, gtin, id, e)) == 0) {
		snprintf(db->last_gtin, sizeof(db->last_gtin), "%s", gtin);
		db->last_gtin_id = *id;
	}
	return rc;
}

int64_t
db_gtin_cached(struct st_db *db, const char *gtin)
{
	if (gtin[0] == '\0')
		return 0;
	return db->last_gtin_id != 0 && strcmp(db->last_gtin, gtin) == 0 ?
		db->last_gtin_id : -1;
}

int
db_device_id(struct st_db *db, const char *name, int64_t *id, struct err *e)
{
	static const char find[] = "SELECT id FROM devices WHERE name = ?1";
	static const char add[] = "INSERT INTO devices(name) VALUES (?1)";

	int rc;

	*id = 0;
	if (name == NULL || name[0] == '\0')
		return 0;
	if (db->last_device_id != 0 && strcmp(db->last_device, name) == 0) {
		*id = db->last_device_id;
		return 0;
	}
	if ((rc = intern(db, find, add, name, id, e)) == 0) {
		snprintf(db->last_device, sizeof(db->last_device), "%s", name);
		db->last_device_id = *id;
	}
	return rc;
}

int
db_audit(struct st_db *db, const struct st_actor *who, enum st_action action,
	 bool ok, int64_t code_id, int64_t pack_id, const char *scan,
	 size_t scan_len, const char *reason, struct err *e)
{
	static const char sql[] =
		"INSERT INTO audit(at, user_id, device_id, action, ok, code_id,"
		" pack_id, scan, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9)";
	sqlite3_stmt *st;
	int64_t device = 0;
	char now[32];
	int rc;

	if (who != NULL &&
	    (rc = db_device_id(db, who->device, &device, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e ? e->code : ERR_DB;
	db_now(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	if (who != NULL && who->user_id != 0)
		sqlite3_bind_int64(st, 2, who->user_id);
	if (device != 0)
		sqlite3_bind_int64(st, 3, device);
	sqlite3_bind_int(st, 4, (int)action);
	sqlite3_bind_int(st, 5, ok);
	if (code_id != 0)
		sqlite3_bind_int64(st, 6, code_id);
	if (pack_id != 0)
		sqlite3_bind_int64(st, 7, pack_id);
	/* Raw scans can hold any bytes: keep them as a blob-safe text. */
	if (scan != NULL)
		sqlite3_bind_text(st, 8, scan, (int)scan_len, SQLITE_STATIC);
	if (reason != NULL)
		sqlite3_bind_text(st, 9, reason, -1, SQLITE_STATIC);
	return db_done(db, st, e, "audit");
}

/* ERR_DB if migration v left a row referring to one that is not there. */
static int
fk_check(struct st_db *db, int v, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, e, "foreign_key_check");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char table[64];

		snprintf(table, sizeof(table), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		return err_set(e, ERR_DB, "migration %d would leave rows of "
			       "table %s referring to nothing", v, table);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, e, "foreign_key_check");
}

/* Apply every migration the file lacks, each in its own transaction. */
static int
migrate(struct st_db *db, struct err *e)
{
	int have, want = st_schema_version(), v, rc;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, e, "user_version");
	sqlite3_step(st);
	have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have > want)
		return err_set(e, ERR_VERSION, "the database has schema "
			       "version %d but this sklad knows only up to %d: "
			       "it was written by a newer sklad; install that "
			       "version", have, want);
	if (have == want)
		return 0;
	/* A migration may rebuild a table others refer to (SQLite's way to
	 * change a CHECK): foreign keys are off while it runs and checked
	 * before its commit. The pragma is a no-op inside a transaction. */
	if ((rc = db_exec(db, "PRAGMA foreign_keys = OFF", e)) < 0)
		return rc;
	for (v = have + 1; v <= want; v++) {
		char pragma[64];

		if ((rc = db_begin(db, e)) < 0)
			return rc;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 v);
		if ((rc = db_exec(db, st_schema_migration(v), e)) < 0 ||
		    (rc = fk_check(db, v, e)) < 0 ||
		    (rc = db_exec(db, pragma, e)) < 0) {
			db_rollback(db);
			return rc;
		}
		if ((rc = db_commit(db, e)) < 0)
			return rc;
	}
	return db_exec(db, "PRAGMA foreign_keys = ON", e);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * SQLite's busy handler: wait for another connection's lock for up to
 * ST_BUSY_MS in sleeps that start at ST_BUSY_STEP_US and double up to
 * ST_BUSY_CAP_US, each with up to half again of jitter so that waiting
 * stations do not retry in step. A commit holds the lock for about one
 * fsync, so the first tries come within a commit or two;
 * sqlite3_busy_timeout's sleeps grow to 100 ms, the tail of a site with
 * many stations. Sleeping much less than the cap costs CPU: a hundred
 * waiters polling every few hundred microseconds starve the one holding
 * the lock on a small machine.
 */
static int
busy_handler(void *arg, int count)
{
	struct st_db *db = arg;
	int64_t now = now_us();
	struct timespec ts;
	long us;

	if (count == 0)
		db->busy_since_us = now;
	if (now - db->busy_since_us >= (int64_t)db->busy_limit_ms * 1000)
		return 0;
	us = count < 6 ? (long)ST_BUSY_STEP_US << count : ST_BUSY_CAP_US;
	if (us > ST_BUSY_CAP_US)
		us = ST_BUSY_CAP_US;
	db->busy_rand = db->busy_rand * 1103515245u + 12345u;
	us += (long)((db->busy_rand >> 16) % (uint32_t)(us / 2 + 1));
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000;
	nanosleep(&ts, NULL);
	return 1;
}

/*
 * Called after every commit with the WAL's size in pages. A checkpoint
 * costs a burst of writes and an fsync of the database file; done inside
 * a scan's commit it is that scan's latency, and inside one of our own
 * transactions synchronous is OFF (set_synchronous). So past
 * ST_WAL_CHECKPOINT_PAGES the hook only asks, and st_housekeep() does it
 * once the answer is out. Only a log grown past ST_WAL_FORCE_PAGES by
 * writers that never housekeep (a big import, a script) is checkpointed
 * at once: here after a statement of its own, by db_commit after one of
 * our transactions (synchronous FULL again by then).
 */
static int
wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct st_db *db = arg;

	/* Also cleared: once another station has restarted the log, this
	 * one must not checkpoint it again (200 stations all asking would
	 * hold the write lock in turn). */
	db->checkpoint_due = pages >= ST_WAL_CHECKPOINT_PAGES;
	db->wal_pages = pages;
	if (pages >= ST_WAL_FORCE_PAGES && !db->in_tx)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
	return SQLITE_OK;
}

int
st_checkpoint(struct st_db *db)
{
	if (db == NULL || db->in_tx)
		return 0;
	return sqlite3_wal_checkpoint_v2(db->h, NULL,
					 SQLITE_CHECKPOINT_PASSIVE, NULL,
					 NULL) == SQLITE_OK ? 0 : ERR_BUSY;
}

/*
 * A passive checkpoint copies only what no reader still needs, and with
 * many stations committing there is always a newer frame: the log is
 * never wholly copied, so it is never reset and grows without end (36 MB
 * in 30 s at 200 stations), and every commit past the force limit pays
 * for another checkpoint. So housekeeping goes in two steps. First a
 * passive checkpoint beside the writers: it copies nearly everything,
 * with its two fsyncs, while scans go on. Then, in the writers' queue so
 * that nothing is appended meanwhile, a RESTART: it copies the few
 * frames written since, waits for older readers, and lets the next
 * writer start the log from the top. The file keeps its size, so later
 * appends overwrite blocks already allocated and their fsync changes no
 * metadata. Each wait is bounded by ST_HOUSEKEEP_BUSY_MS; past it the
 * work is left for a later call.
 */
int
st_housekeep(struct st_db *db)
{
	struct err e;
	int rc, log = 0;

	if (db == NULL || db->in_tx || !db->checkpoint_due)
		return 0;
	db->checkpoint_due = false;
	/* busy at once: another connection is checkpointing */
	if (sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE,
				      &log, NULL) != SQLITE_OK)
		return ERR_BUSY;
	/* several stations may have asked at once: the first restarts the
	 * log, the others find it short and leave it */
	if (log < ST_WAL_CHECKPOINT_PAGES)
		return 0;
	if (db_queue_take(db, ST_HOUSEKEEP_BUSY_MS, &e) < 0)
		return ERR_BUSY;
	db->busy_limit_ms = ST_HOUSEKEEP_BUSY_MS;
	rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_RESTART,
				       NULL, NULL);
	db->busy_limit_ms = ST_BUSY_MS;
	db_queue_give(db);
	return rc == SQLITE_OK ? 0 : ERR_BUSY;
}

/* Whether the connection's journal is a WAL (":memory:" keeps its own). */
static bool
journal_is_wal(sqlite3 *h)
{
	sqlite3_stmt *st;
	bool wal = false;

	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW)
		wal = sqlite3_column_text(st, 0) != NULL &&
			strcmp((const char *)sqlite3_column_text(st, 0),
			       "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

/* Whether path names a file on disk (not ":memory:" or a "file:" URI,
 * which tests and fuzzers use): only such a path gets the checks below. */
static bool
on_disk(const char *path)
{
	return path[0] != '\0' && strcmp(path, ":memory:") != 0 &&
		strncmp(path, "file:", 5) != 0;
}

/* The folder of path into dir. */
static void
folder_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, n, ".");
	else if (slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/*
 * Why path cannot be written, in words an admin can act on, into e; 0 if
 * nothing is found (the caller says what SQLite said). A read-only mount,
 * a file this user may not write, a folder where the -wal and -shm files
 * cannot be made.
 */
static int
why_not_writable(const char *path, struct err *e)
{
	char dir[4096];
	struct statvfs vfs;

	folder_of(path, dir, sizeof(dir));
	if ((statvfs(path, &vfs) == 0 || statvfs(dir, &vfs) == 0) &&
	    (vfs.f_flag & ST_RDONLY))
		return err_set(e, ERR_IO, "the database %s is on a file system "
			       "mounted read-only: sklad writes every scan "
			       "into it; remount it read-write, or move the "
			       "database to a writable disk", path);
	if (access(path, W_OK) != 0 && errno != ENOENT)
		return err_set(e, ERR_IO, "the database %s is read-only for "
			       "this user (%s): sklad writes every scan into "
			       "it; give it to the sklad group with mode 0660 "
			       "(chgrp sklad, chmod 660)", path,
			       strerror(errno));
	if (access(dir, F_OK) != 0 && errno == ENOENT)
		return err_set(e, ERR_IO, "the folder %s of the database %s "
			       "does not exist", dir, path);
	if (access(dir, W_OK | X_OK) != 0)
		return err_set(e, ERR_IO, "cannot create files in %s, "
			       "the folder of the database %s (%s): its -wal "
			       "and -shm files live beside it; make the folder "
			       "writable for the sklad group", dir, path,
			       strerror(errno));
	return 0;
}

/* Whether SQLite's rc is about the file or its disk. */
static bool
file_error(int rc)
{
	return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ||
		rc == SQLITE_FULL || rc == SQLITE_READONLY ||
		rc == SQLITE_CANTOPEN || rc == SQLITE_IOERR ||
		rc == SQLITE_PERM;
}

/* What SQLite's error rc at opening path means, into e. */
static int
open_failed(const char *path, sqlite3 *h, struct err *e)
{
	int rc = h != NULL ? sqlite3_errcode(h) : SQLITE_NOMEM;
	const char *msg = h != NULL ? sqlite3_errmsg(h) : "out of memory";

	switch (rc) {
	case SQLITE_NOTADB:
		return err_set(e, ERR_DB, "%s is not a sklad database, or its "
			       "first page is damaged (%s): restore it from a "
			       "backup", path, msg);
	case SQLITE_CORRUPT:
		return err_set(e, ERR_DB, "the database %s is damaged (%s): "
			       "restore it from a backup", path, msg);
	case SQLITE_FULL:
		return err_set(e, ERR_IO, "the disk holding the database %s is "
			       "full: free space on it, then start again",
			       path);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(e, ERR_BUSY, "the database %s is busy: %s",
			       path, msg);
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		if (why_not_writable(path, e) < 0)
			return e->code;
		break;
	}
	return err_set(e, rc == SQLITE_NOMEM ? ERR_INTERNAL : ERR_IO,
		       "cannot open the database %s: %s", path, msg);
}

/* Whether path is shorter than its header says (cut off by a copy or a
 * full disk): without WAL frames beside it the file holds every page. */
static int
truncated(struct st_db *db, const char *path, off_t size, struct err *e)
{
	char wal[4200];
	struct stat sb;
	int64_t pages = 0, page_size = 0;
	sqlite3_stmt *st;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &sb) == 0 && sb.st_size > 0)
		return 0;
	if (sqlite3_prepare_v2(db->h, "SELECT page_count, page_size FROM"
			       " pragma_page_count, pragma_page_size", -1, &st,
			       NULL) != SQLITE_OK)
		return open_failed(path, db->h, e);
	if (sqlite3_step(st) == SQLITE_ROW) {
		pages = sqlite3_column_int64(st, 0);
		page_size = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (pages * page_size > (int64_t)size)
		return err_set(e, ERR_DB, "the database %s is damaged: it has "
			       "%lld bytes, its header says %lld; it was cut "
			       "off: restore it from a backup", path,
			       (long long)size, (long long)(pages * page_size));
	return 0;
}

/*
 * What can be checked cheaply at open, so that damage is found now, with
 * the file named, not by a query hours later: SQLite reads the header and
 * the schema (any error there is the file's); a file up to
 * ST_QUICK_CHECK_BYTES also gets PRAGMA quick_check, which reads every
 * page; a bigger one is only checked for being cut short.
 */
static int
sanity(struct st_db *db, const char *path, off_t size, struct err *e)
{
	sqlite3_stmt *st;
	char first[200] = "";
	int rc;

	if (sqlite3_exec(db->h, "SELECT count(*) FROM sqlite_schema", NULL,
			 NULL, NULL) != SQLITE_OK)
		return open_failed(path, db->h, e);
	if (size > ST_QUICK_CHECK_BYTES)
		return truncated(db, path, size, e);
	if (sqlite3_prepare_v2(db->h, "PRAGMA quick_check(1)", -1, &st,
			       NULL) != SQLITE_OK)
		return open_failed(path, db->h, e);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(first, sizeof(first), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return open_failed(path, db->h, e);
	for (char *p = first; *p != '\0'; p++)	/* one line */
		if (*p == '\n')
			*p = ' ';
	if (strcmp(first, "ok") != 0)
		return err_set(e, ERR_DB, "the database %s is damaged (%s): "
			       "restore it from a backup", path, first);
	return 0;
}

/*
 * Before SQLite sees path: an existing database must be a non-empty
 * regular file (SQLite would silently make a database of an empty one);
 * init (create) makes a new file itself, O_EXCL and mode 0600 until it
 * is set up, so that a failed init leaves nothing and no file is ever
 * readable by others. *size gets the file's size, *made whether it was
 * made here.
 */
static int
check_file(const char *path, bool create, off_t *size, bool *made,
	   struct err *e)
{
	struct stat sb;
	int fd;

	*size = 0;
	*made = false;
	if (create && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL |
				 O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0) {
		close(fd);
		*made = true;
		return 0;
	}
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT && !create)
			return err_set(e, ERR_NOTFOUND, "no database at %s: "
				       "create one with `sklad init`", path);
		if (errno == EROFS || errno == EACCES || errno == EPERM ||
		    (errno == ENOENT && create)) {
			if (why_not_writable(path, e) < 0)
				return e->code;
		}
		return err_set(e, ERR_IO, "cannot open the database %s: %s",
			       path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return err_set(e, ERR_INVALID, "%s is not a database file (it "
			       "is a folder, device or FIFO)", path);
	*size = sb.st_size;
	if (sb.st_size == 0 && !create)
		return err_set(e, ERR_INVALID, "%s is empty (0 bytes), not a "
			       "sklad database: restore the file from a backup, "
			       "or make a new one with `sklad init`", path);
	return 0;
}

/* Remove path and what SQLite keeps beside it. */
static void
remove_files(const char *path)
{
	static const char *const tails[] = { "", "-wal", "-shm", "-journal",
		ST_QUEUE_SUFFIX };
	char p[4200];
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, tails[i]);
		unlink(p);
	}
}

int
st_open(const char *path, bool create, struct st_db **out, struct err *e)
{
	struct st_db *db;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	bool disk = on_disk(path), made = false;
	off_t size = 0;
	int rc;

	*out = NULL;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (disk && (rc = check_file(path, create, &size, &made, e)) < 0)
		return rc;
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	snprintf(db->path, sizeof(db->path), "%s", path);
	db->made = made;
	db->queue_fd = -1;
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		rc = open_failed(path, db->h, e);
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 0);
	db->busy_rand = (uint32_t)getpid() ^ (uint32_t)now_us();
	db->busy_limit_ms = ST_BUSY_MS;
	sqlite3_busy_handler(db->h, busy_handler, db);
	/* SQLITE_OPEN_READWRITE quietly falls back to read-only on a file
	 * it may not write: every scan would then fail, so say it now. */
	if (disk && sqlite3_db_readonly(db->h, "main") == 1) {
		if ((rc = why_not_writable(path, e)) == 0)
			rc = err_set(e, ERR_IO, "the database %s can only be "
				     "read here: sklad writes every scan into "
				     "it", path);
		goto fail;
	}
	/*
	 * 1 KiB pages (only takes effect on a new file): a scan touches
	 * about six pages (code row, its two indexes, the pack, the audit row
	 * and its index), and every touched page goes whole into the WAL
	 * and through fsync. Small pages cut the bytes per scan fourfold,
	 * which is what the operator waits for and what wears a terminal's
	 * flash; lookups stay well under a millisecond at 10M codes.
	 */
	if (sqlite3_exec(db->h, "PRAGMA page_size = 1024;"
			 "PRAGMA journal_mode = WAL;"
			 "PRAGMA synchronous = FULL;"
			 "PRAGMA foreign_keys = ON;", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		rc = open_failed(path, db->h, e);
		goto fail;
	}
	db->sync_full = true;
	db->wal = journal_is_wal(db->h);
	if (disk && (rc = db_queue_open(db, e)) < 0)
		goto fail;
	if (disk && size > 0 && (rc = sanity(db, path, size, e)) < 0)
		goto fail;
	if ((rc = migrate(db, e)) < 0) {
		/* what the file or its disk did is said as at open; a
		 * migration's own refusal stays as it is */
		if (disk && file_error(sqlite3_errcode(db->h)))
			rc = open_failed(path, db->h, e);
		goto fail;
	}
	sqlite3_wal_hook(db->h, wal_hook, db);
	*out = db;
	return 0;
fail:
	if (db != NULL)
		db->made = false;
	st_close(&db);
	if (made)
		remove_files(path);
	return rc;
}

int
st_created(struct st_db *db)
{
	int rc = 0;

	if (db == NULL || !db->made)
		return 0;
	/* The site's records: readable by the owner and the sklad group
	 * (operators' accounts), nobody else; mode 0600 until set up. */
	if (chmod(db->path, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) != 0)
		rc = -1;
	db->made = false;
	return rc;
}

void
st_close_discard(struct st_db **pdb)
{
	struct st_db *db = pdb != NULL ? *pdb : NULL;
	char path[sizeof(db->path)];
	bool made;

	if (db == NULL)
		return;
	made = db->made;
	snprintf(path, sizeof(path), "%s", db->path);
	st_close(pdb);
	if (made)
		remove_files(path);
}

void
st_close(struct st_db **pdb)
{
	struct st_db *db = pdb != NULL ? *pdb : NULL;
	int i;

	if (db == NULL)
		return;
	db_rollback(db);
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].stmt);
	sqlite3_close(db->h);
	db_queue_close(db);
	free(db);
	*pdb = NULL;
}
