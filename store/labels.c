/*
 * labels: the store side of printing labels: what a pack's label says
 * (st_label_facts), and the queue of label jobs (table label_jobs) that
 * keeps the exact bytes for a printer until they were printed, so a
 * printer that is off or away loses nothing. Drawing the label and
 * talking to printers is labels/'s job; this file only records.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "scanners/i18n.h"


int
st_label_facts(struct st_db *db, const char *sscc, struct st_label_facts *out,
	       struct err *e)
{
	static const char pack_sql[] =
		"SELECT c.id, p.level, p.state, p.count, coalesce(p.gtin, ''),"
		" coalesce(u.name, ''), p.opened_at, coalesce(p.closed_at, '')"
		" FROM codes c JOIN packs p ON p.code_id = c.id"
		" LEFT JOIN users u ON u.id = p.opened_by"
		" WHERE c.gtin_id = 0 AND c.serial = ?1";
	static const char gtin_sql[] =
		"SELECT g.gtin, count(*) FROM codes c"
		" JOIN gtins g ON g.id = c.gtin_id"
		" WHERE c.parent_id = ?1 AND c.gtin_id <> 0"
		" GROUP BY g.gtin ORDER BY min(c.id)";
	static const char gcp_sql[] =
		"SELECT value FROM site WHERE key = 'gcp'";
	sqlite3_stmt *st;
	int64_t code_id;
	char gcp[32];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((st = db_stmt(db, pack_sql, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, sscc, -1, SQLITE_TRANSIENT);
	if ((rc = db_row(db, st, e, "pack")) != 1) {
		sqlite3_reset(st);
		return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, _("There is no "
					     "pack %s."), sscc);
	}
	snprintf(out->sscc, sizeof(out->sscc), "%s", sscc);
	code_id = sqlite3_column_int64(st, 0);
	db_text(st, 1, out->level, sizeof(out->level));
	db_text(st, 2, out->state, sizeof(out->state));
	out->count = sqlite3_column_int(st, 3);
	db_text(st, 4, out->gtin, sizeof(out->gtin));
	db_text(st, 5, out->opened_by, sizeof(out->opened_by));
	db_text(st, 6, out->opened_at, sizeof(out->opened_at));
	db_text(st, 7, out->closed_at, sizeof(out->closed_at));
	sqlite3_reset(st);
	if ((st = db_stmt(db, gtin_sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, code_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->gtin[0] == '\0')
			db_text(st, 0, out->gtin, sizeof(out->gtin));
		else if (strcmp((const char *)sqlite3_column_text(st, 0),
				out->gtin) != 0)
			out->more_gtins++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "pack GTINs");
	if ((st = db_stmt(db, gcp_sql, e)) == NULL)
		return e->code;
	if ((rc = db_row(db, st, e, "site")) < 0)
		return rc;
	gcp[0] = '\0';
	if (rc == 1)
		db_text(st, 0, gcp, sizeof(gcp));
	sqlite3_reset(st);
	out->gcp_len = (int)strlen(gcp);
	return 0;
}

/* The code id of pack sscc for the audit (its history in a lookup), or
 * 0 when sklad holds no such pack. */
static int64_t
pack_code_id(struct st_db *db, const char *sscc)
{
	static const char sql[] =
		"SELECT id FROM codes WHERE gtin_id = 0 AND serial = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, NULL);
	int64_t id = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_text(st, 1, sscc, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* The code id of the pack of label job id, or 0. */
static int64_t
job_code_id(struct st_db *db, int64_t job)
{
	static const char sql[] =
		"SELECT c.id FROM label_jobs j JOIN codes c"
		" ON c.gtin_id = 0 AND c.serial = j.sscc WHERE j.id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, NULL);
	int64_t id = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, job);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* The columns read_job reads, in this order. */
#define JOB_COLS \
	"id, sscc, printer, format, reason, state, attempts," \
	" coalesce(last_error, ''), created_at, coalesce(printed_at, '')," \
	" coalesce(confirmed_at, '')"

static void
read_job(sqlite3_stmt *st, struct st_label_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, j->sscc, sizeof(j->sscc));
	db_text(st, 2, j->printer, sizeof(j->printer));
	db_text(st, 3, j->format, sizeof(j->format));
	db_text(st, 4, j->reason, sizeof(j->reason));
	db_text(st, 5, j->state, sizeof(j->state));
	j->attempts = sqlite3_column_int(st, 6);
	db_text(st, 7, j->last_error, sizeof(j->last_error));
	db_text(st, 8, j->created_at, sizeof(j->created_at));
	db_text(st, 9, j->printed_at, sizeof(j->printed_at));
	db_text(st, 10, j->confirmed_at, sizeof(j->confirmed_at));
}

void
st_label_job_free(struct st_label_job *j)
{
	free(j->body);
	j->body = NULL;
	j->body_len = 0;
}

static int
read_body(sqlite3_stmt *st, int col, struct st_label_job *j, struct err *e)
{
	const void *p = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);

	j->body = malloc((size_t)n + 1);
	if (j->body == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (n > 0)
		memcpy(j->body, p, (size_t)n);
	j->body[n] = '\0';
	j->body_len = (size_t)n;
	return 0;
}

int
st_label_queue(struct st_db *db, const struct st_actor *who,
	       const char *sscc, const char *printer, const char *format,
	       const char *reason, const char *body, size_t len,
	       int64_t *id, struct err *e)
{
	static const char sql[] =
		"INSERT INTO label_jobs(sscc, printer, format, reason, state,"
		" created_by, created_at, body)"
		" VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7)";
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		goto fail;
	db_now(now);
	sqlite3_bind_text(st, 1, sscc, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, printer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, format, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
	if (who != NULL && who->user_id != 0)
		sqlite3_bind_int64(st, 5, who->user_id);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 7, body, (int)len, SQLITE_STATIC);
	if (db_done(db, st, e, "label job") < 0)
		goto fail;
	*id = sqlite3_last_insert_rowid(db->h);
	if (db_audit(db, who, ST_ACT_LABEL_QUEUE, true,
		     pack_code_id(db, sscc), 0, sscc,
		     strlen(sscc), NULL, e) < 0 || db_commit(db, e) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return e->code;
}

int
st_label_get(struct st_db *db, int64_t id, struct st_label_job *out,
	     struct err *e)
{
	static const char sql[] =
		"SELECT " JOB_COLS ", body FROM label_jobs WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "label job")) != 1) {
		sqlite3_reset(st);
		return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, _("There is no "
					     "label job %lld."),
					     (long long)id);
	}
	read_job(st, out);
	rc = read_body(st, 11, out, e);
	sqlite3_reset(st);
	return rc;
}

int
st_label_next(struct st_db *db, const char *printer, struct st_label_job *out,
	      struct err *e)
{
	static const char sql[] =
		"SELECT " JOB_COLS ", body FROM label_jobs"
		" WHERE state = 'queued' AND (?1 = '' OR printer = ?1)"
		" ORDER BY id LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, printer, -1, SQLITE_TRANSIENT);
	if ((rc = db_row(db, st, e, "label job")) != 1) {
		sqlite3_reset(st);
		return rc;
	}
	read_job(st, out);
	rc = read_body(st, 11, out, e);
	sqlite3_reset(st);
	return rc < 0 ? rc : 1;
}

int
st_label_tried(struct st_db *db, int64_t id, const char *error,
	       int max_attempts, struct err *e)
{
	static const char sql[] =
		"UPDATE label_jobs SET attempts = attempts + 1, tried_at = ?2,"
		" state = CASE WHEN ?3 IS NULL THEN 'printed'"
		"  WHEN ?4 > 0 AND attempts + 1 >= ?4 THEN 'failed'"
		"  ELSE 'queued' END,"
		" printed_at = CASE WHEN ?3 IS NULL THEN ?2 END,"
		" last_error = coalesce(?3, last_error)"
		" WHERE id = ?1 AND state = 'queued'";
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		goto fail;
	db_now(now);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	if (error != NULL)
		sqlite3_bind_text(st, 3, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, max_attempts);
	if (db_done(db, st, e, "label job") < 0)
		goto fail;
	if (sqlite3_changes(db->h) != 1) {
		db_rollback(db);
		return err_set(e, ERR_NOTFOUND, _("Label job %lld is no longer "
			       "queued."), (long long)id);
	}
	if (db_commit(db, e) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return e->code;
}

int
st_label_jobs(struct st_db *db, const char *sscc, int limit,
	      int (*fn)(void *arg, const struct st_label_job *j), void *arg,
	      struct err *e)
{
	static const char sql[] =
		"SELECT " JOB_COLS " FROM label_jobs"
		" WHERE ?1 IS NULL OR sscc = ?1 ORDER BY id DESC LIMIT ?2";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_label_job j;
	int rc;

	if (st == NULL)
		return e->code;
	if (sscc != NULL)
		sqlite3_bind_text(st, 1, sscc, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_job(st, &j);
		if (fn(arg, &j) != 0)
			break;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, "label jobs");
	return 0;
}

/* Run sql (?1 = id, ?2 = now) for action, audited with the job's number;
 * least: the least role that may (denied: why not); none: why when
 * nothing changed. */
static int
job_change(struct st_db *db, const struct st_actor *who, int64_t id,
	   const char *sql, enum st_action action, enum st_role least,
	   const char *denied, const char *none, struct err *e)
{
	char what[32], why[ERR_MSG_MAX] = "";
	sqlite3_stmt *st;
	char now[32];
	int rc;

	snprintf(what, sizeof(what), "%lld", (long long)id);
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if (who->role < least) {
		snprintf(why, sizeof(why), "%s", denied);
		rc = ERR_DENIED;
	} else if ((st = db_stmt(db, sql, e)) == NULL) {
		goto fail;
	} else {
		db_now(now);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		if (db_done(db, st, e, "label job") < 0)
			goto fail;
		if (sqlite3_changes(db->h) != 1) {
			snprintf(why, sizeof(why), "%s", none);
			rc = ERR_NOTFOUND;
		}
	}
	if (db_audit(db, who, action, rc == 0, job_code_id(db, id), 0, what,
		     strlen(what),
		     rc == 0 ? NULL : why, e) < 0 || db_commit(db, e) < 0)
		goto fail;
	return rc == 0 ? 0 : err_set(e, rc, "%s", why);
fail:
	db_rollback(db);
	return e->code;
}

int
st_label_retry(struct st_db *db, const struct st_actor *who, int64_t id,
	       struct err *e)
{
	static const char sql[] =
		"UPDATE label_jobs SET state = 'queued', attempts = 0"
		" WHERE id = ?1 AND state IN ('queued', 'failed')"
		" AND ?2 IS NOT NULL";

	char none[256];

	snprintf(none, sizeof(none), _("Label job %lld was printed or "
		 "voided: there is nothing to print again (print the pack's "
		 "label anew)."), (long long)id);
	return job_change(db, who, id, sql, ST_ACT_LABEL_RETRY, ST_OPERATOR,
			  "", none, e);
}

int
st_label_void(struct st_db *db, const struct st_actor *who, int64_t id,
	      struct err *e)
{
	static const char sql[] =
		"UPDATE label_jobs SET state = 'voided', tried_at = ?2"
		" WHERE id = ?1 AND state <> 'voided'";

	char none[256];

	snprintf(none, sizeof(none), _("Label job %lld does not exist or "
		 "is voided already."), (long long)id);
	return job_change(db, who, id, sql, ST_ACT_LABEL_VOID, ST_SUPERVISOR,
			  _("Only a supervisor voids a label."), none, e);
}

int
st_label_confirm(struct st_db *db, const struct st_actor *who,
		 const char *sscc, struct err *e)
{
	static const char sql[] =
		"UPDATE label_jobs SET confirmed_at = ?2 WHERE id = ("
		" SELECT max(id) FROM label_jobs"
		" WHERE sscc = ?1 AND state = 'printed')";
	sqlite3_stmt *st;
	char now[32], why[ERR_MSG_MAX] = "";
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		goto fail;
	db_now(now);
	sqlite3_bind_text(st, 1, sscc, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	if (db_done(db, st, e, "label job") < 0)
		goto fail;
	if (sqlite3_changes(db->h) != 1) {
		snprintf(why, sizeof(why), _("No label of %s was printed yet: "
			 "there is nothing to confirm."), sscc);
		rc = ERR_NOTFOUND;
	}
	if (db_audit(db, who, ST_ACT_LABEL_CONFIRM, rc == 0,
		     pack_code_id(db, sscc), 0, sscc,
		     strlen(sscc), rc == 0 ? NULL : why, e) < 0 ||
	    db_commit(db, e) < 0)
		goto fail;
	return rc == 0 ? 0 : err_set(e, rc, "%s", why);
fail:
	db_rollback(db);
	return e->code;
}

int
st_label_confirmed(struct st_db *db, const char *sscc, struct err *e)
{
	static const char sql[] =
		"SELECT count(*) FROM label_jobs WHERE sscc = ?1"
		" AND confirmed_at IS NOT NULL";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc, n;

	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, sscc, -1, SQLITE_TRANSIENT);
	if ((rc = db_row(db, st, e, "label job")) < 0)
		return rc;
	n = rc == 1 ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return n > 0;
}

int
st_label_failed(struct st_db *db, int64_t *n, struct err *e)
{
	static const char sql[] =
		"SELECT count(*) FROM label_jobs WHERE state = 'failed'";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*n = 0;
	if (st == NULL)
		return e->code;
	if ((rc = db_row(db, st, e, "failed label jobs")) == 1)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
