/*
 * db: the SQLite layer every store/ file shares (internal to store/).
 *
 * One connection per struct st_db; statements are prepared once and kept
 * (db_stmt), bound with parameters only, never with values formatted into
 * SQL. Write transactions begin IMMEDIATE so that a second writer waits at
 * the start instead of failing half-way. Our writers first queue for the
 * file (db_queue.c: an flock they sleep in, woken when it is free), so
 * SQLITE_BUSY never reaches an operator unless another process holds it
 * for ST_BUSY_MS. A transaction commits without fsync and db_commit then
 * fsyncs the WAL outside the lock, before it returns: the commits of many
 * stations share their fsyncs (db.c, "Group commit"). Checkpoints are
 * left to st_housekeep(), after an answer is out. Writers that do not
 * queue (autocommit statements, other programs) meet a busy handler of
 * our own: sleeps from 250 us doubling to 8 ms, with jitter.
 *
 * Errors from SQLite are copied into struct err at once (ERR_DB), because
 * sqlite3_errmsg() is only valid until the next call.
 */
#ifndef SKLAD_STORE_DB_H
#define SKLAD_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "scanners/err.h"
#include "store/store.h"

#define ST_BUSY_MS 10000	/* longest wait for another writer */
#define ST_BUSY_STEP_US 250	/* a busy writer's first sleep, doubling */
#define ST_BUSY_CAP_US 8000	/* up to this (plus jitter) */
#define ST_STMT_CACHE 96
#define ST_WAL_CHECKPOINT_PAGES 4000 /* st_housekeep checkpoints past this */
#define ST_WAL_FORCE_PAGES 8192	/* checkpoint after a commit only past
				   this WAL size (8 MiB of 1 KiB pages) */
#define ST_HOUSEKEEP_BUSY_MS 250 /* longest wait of st_housekeep */
#define ST_QUEUE_SUFFIX ".write.lock" /* db_queue.c's file beside the db */

struct db_cached {
	const char *sql;	/* static text; the cache key is its address */
	sqlite3_stmt *stmt;
};

struct st_db {
	sqlite3 *h;
	struct db_cached cache[ST_STMT_CACHE];
	int ncache;
	int in_tx;		/* inside db_begin .. db_commit/rollback */
	const char *tx_where;	/* who began it, for unbalanced use */
	/* The last GTIN and device looked up: scans into one box share
	 * them, and each lookup saved is a statement off the scan path.
	 * Emptied on rollback, which may undo the rows they name. */
	char last_gtin[16];
	int64_t last_gtin_id;	/* 0: none cached */
	char last_device[64];
	int64_t last_device_id;	/* 0: none cached */
	char path[4096];	/* as given to st_open, for messages */
	bool made;		/* st_open made the file; init not done */
	bool wal;		/* journal_mode is WAL: commits group (db.c) */
	bool sync_full;		/* synchronous is FULL, not OFF */
	bool checkpoint_due;	/* the WAL passed ST_WAL_CHECKPOINT_PAGES */
	int wal_pages;		/* its size after our last commit */
	int busy_limit_ms;	/* how long the busy handler waits */
	int queue_fd;		/* DB.write.lock (db_queue.c), or -1 */
	bool queue_held;	/* this connection holds it */
	int64_t busy_since_us;	/* when the current wait began */
	uint32_t busy_rand;	/* jitter of the busy handler's sleeps */
};

/*
 * db_queue.c: the queue of our writers in front of SQLite's write lock
 * (an flock on DB.write.lock, so that waiters sleep until it is free).
 * open: for a database file on disk; if DB.write.lock cannot be opened
 * queue_fd stays -1 and take/give do nothing (SQLite's own locking still
 * holds); ERR_INVALID with e set only for a path too long.
 * take: wait at most wait_ms for it: 0, ERR_BUSY or ERR_IO with e set;
 * taking it again while held is a no-op. give: let the next one in.
 */
int db_queue_open(struct st_db *db, struct err *e);
void db_queue_close(struct st_db *db);
int db_queue_take(struct st_db *db, int wait_ms, struct err *e);
void db_queue_give(struct st_db *db);

/* schema.c: the SQL of migration version (1-based), or NULL; and how many
 * migrations this program knows. */
const char *st_schema_migration(int version);
int st_schema_version(void);

/*
 * One code as a file lists it (a delivery, a stock file, a УПД): a full
 * scan, a bare КИ, or an SSCC with or without (00). 0 with *m filled, or
 * -1 with the reason in why (never quoting the code).
 */
int st_listed_code_parse(const char *s, size_t n, struct mark *m, char *why,
			 size_t wn);

/*
 * The cached statement for sql (a string literal: cached by address),
 * reset and with bindings cleared, or NULL with *e set. Owned by db.
 */
sqlite3_stmt *db_stmt(struct st_db *db, const char *sql, struct err *e);

/* Run sql (no parameters, may hold several statements). */
int db_exec(struct st_db *db, const char *sql, struct err *e);

/* Record the connection's last SQLite error in e as ERR_DB (or ERR_BUSY
 * for a lock that outlived the busy timeout); returns that code. */
int db_fail(struct st_db *db, struct err *e, const char *what);

/* Step a statement that returns no row. 0, or <0 with *e set. */
int db_done(struct st_db *db, sqlite3_stmt *st, struct err *e,
	    const char *what);

/*
 * Step a statement expecting at most one row: 1 if a row is ready to read,
 * 0 if none, <0 with *e set.
 */
int db_row(struct st_db *db, sqlite3_stmt *st, struct err *e,
	   const char *what);

/*
 * The one integer that sql (a cached literal with one parameter, ?1 =
 * arg) selects into *out: 0 when there is no row or it is NULL. Returns
 * 0, or <0 with *e set.
 */
int db_int(struct st_db *db, const char *sql, int64_t arg, int64_t *out,
	   struct err *e);

/* BEGIN IMMEDIATE, retried while busy for up to ST_BUSY_MS. */
int db_begin_at(struct st_db *db, const char *where, struct err *e);
#define db_begin(db, e) db_begin_at((db), __FILE__ ":" DB_STR(__LINE__), (e))
#define DB_STR(x) DB_STR2(x)
#define DB_STR2(x) #x

/* COMMIT; on failure the transaction is rolled back. */
int db_commit(struct st_db *db, struct err *e);

/* ROLLBACK if a transaction is open; never fails. */
void db_rollback(struct st_db *db);

/* A big page cache for a long transaction (import, finishing a big
 * acceptance), or back to the default. */
void db_cache_big(struct st_db *db, bool big);

/* Copy column i as text into buf of size n ("" for NULL). */
void db_text(sqlite3_stmt *st, int i, char *buf, size_t n);

/* Now, UTC, ISO 8601 with milliseconds: "2026-11-25T17:30:00.123Z". */
void db_now(char out[32]);

/* CLOCK_MONOTONIC in ms: the clock of the store's waits and deadlines. */
int64_t db_mono_ms(void);

/* The id of gtin (14 digits, or "" for SSCCs), created if new. */
int db_gtin_id(struct st_db *db, const char *gtin, int64_t *id,
	       struct err *e);

/* The cached id of gtin if it is the last one looked up, 0 for "",
 * else -1 (ask the database). */
int64_t db_gtin_cached(struct st_db *db, const char *gtin);

/* The id of a device name, created if new; 0 for "". */
int db_device_id(struct st_db *db, const char *name, int64_t *id,
		 struct err *e);

/*
 * Append one audit record in the current transaction. code_id and pack_id
 * may be 0 (none); scan is the raw scanned text for refusals (may be NULL),
 * reason the operator-facing reason of a refusal (NULL when accepted).
 */
int db_audit(struct st_db *db, const struct st_actor *who,
	     enum st_action action, bool ok, int64_t code_id, int64_t pack_id,
	     const char *scan, size_t scan_len, const char *reason,
	     struct err *e);

/* Record, in a transaction of its own, that who's action on account
 * name was refused for why (accounts.c); name is left out when it is no
 * valid user name. 0 or <0. */
int db_audit_account(struct st_db *db, const struct st_actor *who,
		     enum st_action action, const char *name, const char *why);

/* A new yescrypt hash of pin (users.c) into out of size n; 0, or
 * ERR_INTERNAL if crypt(3) cannot make one. */
int db_pin_hash(const char *pin, char *out, size_t n, struct err *e);

/* Open path as it is for the admin's tools (db_admin.c): no create, no
 * migration, a busy timeout; read-write when allowed, else read-only.
 * 0, or <0 with e set. */
int db_open_raw(const char *path, sqlite3 **h, struct err *e);

#endif
