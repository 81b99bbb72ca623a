/*
 * inbox: which files of the exchange folder were imported (table
 * upd_inbox, by content hash), so that `sklad exchange` imports each
 * file exactly once, across crashes too (console/cmd_exchange.c says how
 * the steps fit together). Each call is one statement, its own
 * transaction.
 *
 * What it must not do: touch the files themselves.
 */
#include <stdio.h>
#include <string.h>

#include "store/db.h"

int
st_inbox_get(struct st_db *db, const char *hash, struct st_inbox_entry *out,
	     struct err *e)
{
	static const char sql[] =
		"SELECT name, state, coalesce(delivery_id, 0),"
		" coalesce(reason, '') FROM upd_inbox WHERE hash = ?1";
	/* a delivery of that content finished importing, even if the
	 * record of it did not make it before a crash */
	static const char dlv[] =
		"SELECT id FROM deliveries WHERE state <> 'importing'"
		" AND source = ?1 ORDER BY id LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char source[128];
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	if ((rc = db_row(db, st, e, "inbox")) == 1) {
		db_text(st, 0, out->name, sizeof(out->name));
		db_text(st, 1, out->state, sizeof(out->state));
		out->delivery_id = sqlite3_column_int64(st, 2);
		db_text(st, 3, out->reason, sizeof(out->reason));
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (strcmp(out->state, "done") == 0 ||
	    strcmp(out->state, "failed") == 0)
		return 1;
	if ((st = db_stmt(db, dlv, e)) == NULL)
		return e->code;
	st_inbox_source(hash, source, sizeof(source));
	sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
	if ((rc = db_row(db, st, e, "inbox delivery")) == 1) {
		snprintf(out->state, sizeof(out->state), "done");
		out->delivery_id = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : rc == 1 ? 1 : out->state[0] ? 2 : 0;
}

void
st_inbox_source(const char *hash, char *out, size_t n)
{
	snprintf(out, n, "inbox sha256:%s", hash);
}

int
st_inbox_put(struct st_db *db, const char *hash, const char *name,
	     const char *state, int64_t delivery_id, const char *reason,
	     struct err *e)
{
	static const char sql[] =
		"INSERT INTO upd_inbox(hash, name, state, delivery_id, reason,"
		" at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(hash) DO"
		" UPDATE SET name = ?2, state = ?3, delivery_id = ?4,"
		" reason = ?5, at = ?6";
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL) {
		db_rollback(db);
		return e->code;
	}
	db_now(now);
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_TRANSIENT);
	if (delivery_id > 0)
		sqlite3_bind_int64(st, 4, delivery_id);
	if (reason != NULL && *reason)
		sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(db, st, e, "inbox")) < 0) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}
