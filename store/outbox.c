/*
 * outbox: the store side of sync's outbox runner (sync/runner.c).
 *
 * Which document is ready to act on next, and every step of its way to
 * the state system recorded as one transaction: the signature and the
 * attempt stored before a send ("sending": fate_unknown = 1), the
 * server's id once it accepted, each deferral with its reason, and the
 * end (confirmed, rejected with the server's reasons, failed). When an
 * AGGREGATION_DOCUMENT is accepted and then confirmed, the packs it
 * covers (packs.document_id) move closed -> submitted -> confirmed in the
 * same transaction.
 *
 * Times for sync are wall-clock milliseconds since 1970 passed in by the
 * caller (they survive a restart, unlike a monotonic clock); nothing here
 * reads a clock except db_now() for the human-readable updated_at.
 *
 * What it must not do: talk to the network, decide what a server answer
 * means (sync/policy.c does), or change a document's body: the bytes are
 * signed and must stay exactly as store/doc.c wrote them.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "scanners/i18n.h"

/* The columns st_outbox_next reads, in this order. */
#define OUTBOX_COLS \
	"o.id, o.type, o.product_group, o.state, o.server_id, o.attempts," \
	" o.polls, o.fate_unknown, o.first_sent_ms, o.last_sent_ms," \
	" o.next_at_ms, o.absent_looks"

static void
read_item(sqlite3_stmt *st, struct st_outbox_item *it)
{
	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, it->type, sizeof(it->type));
	db_text(st, 2, it->product_group, sizeof(it->product_group));
	db_text(st, 3, it->state, sizeof(it->state));
	db_text(st, 4, it->server_id, sizeof(it->server_id));
	it->attempts = sqlite3_column_int(st, 5);
	it->polls = sqlite3_column_int(st, 6);
	it->fate_unknown = sqlite3_column_int(st, 7) != 0;
	it->first_sent_ms = sqlite3_column_int64(st, 8);
	it->last_sent_ms = sqlite3_column_int64(st, 9);
	it->next_at_ms = sqlite3_column_int64(st, 10);
	it->absent_looks = sqlite3_column_int(st, 11);
}

static bool
is_busy(int64_t id, const int64_t *busy, int nbusy)
{
	int i;

	for (i = 0; i < nbusy; i++)
		if (busy[i] == id)
			return true;
	return false;
}

/* Body and signature of it->id into it (malloc'd). */
static int
load_bytes(struct st_db *db, struct st_outbox_item *it, struct err *e)
{
	static const char sql[] =
		"SELECT body, signature FROM outbox WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	const void *p;
	int n, rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, it->id);
	if ((rc = db_row(db, st, e, "outbox body")) != 1) {
		sqlite3_reset(st);
		return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "outbox "
					     "document %lld is gone",
					     (long long)it->id);
	}
	p = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	it->body = malloc((size_t)n + 1);
	if (it->body == NULL) {
		sqlite3_reset(st);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (n > 0)
		memcpy(it->body, p, (size_t)n);
	it->body[n] = '\0';
	it->body_len = (size_t)n;
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		it->signature = strdup((const char *)
				       sqlite3_column_text(st, 1));
		if (it->signature == NULL) {
			sqlite3_reset(st);
			st_outbox_item_free(it);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
	}
	sqlite3_reset(st);
	return 0;
}

/*
 * The next document to act on at now_ms (wall clock): a pending one every
 * document it waits for (outbox_deps) is confirmed, or a submitted one
 * (status poll),
 * whose next_at_ms has come, oldest due first, skipping the ids in
 * busy[0..nbusy) (already in flight). Returns 1 with *out filled (body
 * and signature malloc'd: st_outbox_item_free), or 0 when none is due now;
 * then *wait_ms is the time until the earliest one that will be (-1 when
 * nothing is waiting at all: every open document is blocked or in
 * flight). Reads only; no transaction needed.
 */
int
st_outbox_next(struct st_db *db, int64_t now_ms, const int64_t *busy,
	       int nbusy, struct st_outbox_item *out, int64_t *wait_ms,
	       struct err *e)
{
	static const char sql[] =
		"SELECT " OUTBOX_COLS " FROM outbox o"
		" WHERE o.state = 'submitted' OR (o.state = 'pending' AND"
		" o.sendable AND NOT EXISTS (SELECT 1 FROM outbox_deps x JOIN outbox d"
		" ON d.id = x.waits_for WHERE x.doc_id = o.id"
		" AND d.state <> 'confirmed'))"
		" ORDER BY o.next_at_ms, o.id";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*wait_ms = -1;
	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "outbox")) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		int64_t at = sqlite3_column_int64(st, 10);

		if (is_busy(id, busy, nbusy))
			continue;
		if (at > now_ms) {
			*wait_ms = at - now_ms;
			break;
		}
		read_item(st, out);
		sqlite3_reset(st);
		if ((rc = load_bytes(db, out, e)) < 0)
			return rc;
		return 1;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Free what st_outbox_next allocated in *it (NULL members are fine). */
void
st_outbox_item_free(struct st_outbox_item *it)
{
	if (it == NULL)
		return;
	free(it->body);
	free(it->signature);
	it->body = NULL;
	it->signature = NULL;
	it->body_len = 0;
}

/* One UPDATE of document id inside its own transaction, with packs. */
static int
update_one(struct st_db *db, const char *sql, int64_t id,
	   const char *text1, const char *text2, int64_t n1, int64_t n2,
	   const char *packs_sql, struct err *e)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		goto fail_e;
	db_now(now);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	if (text1 != NULL)
		sqlite3_bind_text(st, 3, text1, -1, SQLITE_TRANSIENT);
	if (text2 != NULL)
		sqlite3_bind_text(st, 4, text2, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, n1);
	sqlite3_bind_int64(st, 6, n2);
	if ((rc = db_done(db, st, e, "outbox")) < 0)
		goto fail;
	if (sqlite3_changes(db->h) != 1) {
		rc = err_set(e, ERR_NOTFOUND, "outbox document %lld is not "
			     "in a state for this step", (long long)id);
		goto fail;
	}
	if (packs_sql != NULL) {
		if ((st = db_stmt(db, packs_sql, e)) == NULL)
			goto fail_e;
		sqlite3_bind_int64(st, 1, id);
		if ((rc = db_done(db, st, e, "packs")) < 0)
			goto fail;
	}
	return db_commit(db, e);
fail_e:
	rc = e->code;
fail:
	db_rollback(db);
	return rc;
}

/*
 * Record, before the network call, that pending document id is about to
 * be posted with signature sig (base64, stored and reused by every later
 * attempt) at wall time now_ms: attempts + 1, first/last send times, and
 * fate_unknown = 1 until st_outbox_submitted, st_outbox_defer(clear) or
 * st_outbox_result says how it ended. A crash after this leaves the
 * document "sending": the next run asks the server before any resend.
 * attempts_seen is the attempts count the caller read with the
 * document: if another runner (another process) has sent it since, the
 * count differs and nothing is recorded. ERR_NOTFOUND if id is not
 * pending or was sent by someone else meanwhile: do not post then.
 */
int
st_outbox_mark_sending(struct st_db *db, int64_t id, const char *sig,
		       int attempts_seen, int64_t now_ms, struct err *e)
{
	static const char sql[] =
		"UPDATE outbox SET signature = ?3, attempts = attempts + 1,"
		" first_sent_ms = COALESCE(first_sent_ms, ?5),"
		" last_sent_ms = ?5, sent_at = ?2, fate_unknown = 1,"
		" absent_looks = 0,"
		" updated_at = ?2 WHERE id = ?1 AND state = 'pending'"
		" AND attempts = ?6";

	if (sig == NULL || *sig == '\0')
		return err_set(e, ERR_INVALID, "no signature to record");
	return update_one(db, sql, id, sig, NULL, now_ms, attempts_seen,
			  NULL, e);
}

/*
 * The server accepted document id under server_id: state submitted, its
 * first status poll due at next_poll_ms (wall); the packs it reports go
 * closed -> submitted. ERR_NOTFOUND if id is not pending.
 */
int
st_outbox_submitted(struct st_db *db, int64_t id, const char *server_id,
		    int64_t next_poll_ms, struct err *e)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'submitted', server_id = ?3,"
		" fate_unknown = 0, polls = 0, next_at_ms = ?5,"
		" last_error = NULL, updated_at = ?2"
		" WHERE id = ?1 AND state = 'pending'";
	static const char packs[] =
		"UPDATE packs SET state = 'submitted'"
		" WHERE document_id = ?1 AND state = 'closed'";

	if (server_id == NULL || *server_id == '\0')
		return err_set(e, ERR_INVALID, "no server id to record");
	return update_one(db, sql, id, server_id, NULL, next_poll_ms, 0,
			  packs, e);
}

/*
 * Nothing final yet: act on document id again at next_ms (wall).
 * clear_unknown 1: the last send certainly did not arrive (or the server
 * said where it is), so fate_unknown goes 0; 0 leaves it as it is.
 * polled 1 counts one more status poll (for the poll back-off);
 * absent_look 1 one more lookup after the settle time that did not find
 * the document (absent_looks; a send resets it). note, if
 * non-NULL, becomes last_error (why it waits, for the outbox screen).
 */
int
st_outbox_defer(struct st_db *db, int64_t id, int64_t next_ms,
		bool clear_unknown, bool polled, bool absent_look,
		const char *note, struct err *e)
{
	static const char sql[] =
		"UPDATE outbox SET next_at_ms = ?5,"
		" fate_unknown = CASE WHEN ?6 & 1 THEN 0 ELSE fate_unknown END,"
		" polls = polls + ((?6 >> 1) & 1),"
		" absent_looks = absent_looks + (?6 >> 2),"
		" last_error = COALESCE(?3, last_error), updated_at = ?2"
		" WHERE id = ?1 AND state IN ('pending', 'submitted')";

	return update_one(db, sql, id, note, NULL, next_ms,
			  (clear_unknown ? 1 : 0) | (polled ? 2 : 0) |
			  (absent_look ? 4 : 0), NULL, e);
}

/*
 * The end of document id: ST_OUTBOX_CONFIRMED (the packs it covers go
 * confirmed), ST_OUTBOX_REJECTED (reason: the server's words, for the
 * person who must fix it) or ST_OUTBOX_FAILED (reason: why sync gave up,
 * e.g. refused locally, cancelled); then packs that had gone submitted
 * with it are closed again (the state system does not hold them).
 * Allowed from pending or submitted; ERR_NOTFOUND otherwise.
 */
int
st_outbox_result(struct st_db *db, int64_t id, enum st_outbox_end end,
		 const char *reason, struct err *e)
{
	static const char sql[] =
		"UPDATE outbox SET state = ?4, fate_unknown = 0,"
		" last_error = ?3, updated_at = ?2"
		" WHERE id = ?1 AND state IN ('pending', 'submitted')";
	static const char packs[] =
		"UPDATE packs SET state = 'confirmed' WHERE document_id = ?1"
		" AND state IN ('closed', 'submitted')";
	/* not registered after all: the packs are closed, unreported */
	static const char unsubmit[] =
		"UPDATE packs SET state = 'closed' WHERE document_id = ?1"
		" AND state = 'submitted'";
	const char *state = end == ST_OUTBOX_CONFIRMED ? "confirmed" :
		end == ST_OUTBOX_REJECTED ? "rejected" : "failed";

	return update_one(db, sql, id, reason, state, 0, 0,
			  end == ST_OUTBOX_CONFIRMED ? packs : unsubmit, e);
}

/* Pending documents that wait, directly or through others, on one that
 * ended rejected or failed (and will not be sent): id and that root. */
#define BLOCKED_CTE \
	"WITH RECURSIVE blocked(id, root) AS (" \
	" SELECT x.doc_id, x.waits_for FROM outbox_deps x" \
	" JOIN outbox d ON d.id = x.waits_for" \
	" WHERE d.state IN ('rejected', 'failed')" \
	" UNION SELECT x.doc_id, b.root FROM outbox_deps x" \
	" JOIN blocked b ON x.waits_for = b.id)"

/*
 * Count the outbox by where each document stands (see struct
 * st_outbox_counts). Reads only.
 */
int
st_outbox_count(struct st_db *db, struct st_outbox_counts *out,
		struct err *e)
{
	static const char sql[] =
		BLOCKED_CTE
		" SELECT o.state, o.fate_unknown, o.id IN (SELECT id FROM"
		" blocked), o.sendable, count(*) FROM outbox o"
		" GROUP BY 1, 2, 3, 4";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "outbox counts")) == 1) {
		char state[16];
		int unknown = sqlite3_column_int(st, 1);
		int blocked = sqlite3_column_int(st, 2);
		int sendable = sqlite3_column_int(st, 3);
		int n = sqlite3_column_int(st, 4);

		db_text(st, 0, state, sizeof(state));
		if (strcmp(state, "pending") == 0 && !sendable) {
			out->held += n;		/* to export: nobody's task */
		} else if (strcmp(state, "pending") == 0) {
			out->pending += n;
			if (unknown)
				out->sending += n;
			if (blocked)
				out->blocked += n;
		} else if (strcmp(state, "exported") == 0) {
			out->exported += n;
		} else if (strcmp(state, "submitted") == 0) {
			out->submitted += n;
		} else if (strcmp(state, "confirmed") == 0) {
			out->confirmed += n;
		} else if (strcmp(state, "rejected") == 0) {
			out->rejected += n;
		} else {
			out->failed += n;
		}
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/*
 * Every document that needs a person, through fn: each rejected or
 * failed one (not one to export: that waits for `sklad export`, nobody
 * has to fix it), and each pending one that
 * is blocked behind such a one, with the root that blocks it. Oldest
 * first. Reads only.
 */
int
st_outbox_attention(struct st_db *db,
		    int (*fn)(void *arg, const struct st_outbox_issue *it),
		    void *arg, struct err *e)
{
	static const char sql[] =
		BLOCKED_CTE ","
		" roots(id, root) AS (SELECT id, min(root) FROM blocked"
		" GROUP BY id)"
		" SELECT o.id, o.type, o.state, o.sendable,"
		" coalesce(o.last_error, ''), coalesce(r.root, 0),"
		" (SELECT count(*) FROM roots w WHERE w.root = o.id),"
		" coalesce((SELECT group_concat(t.code, ' ') FROM"
		"  (SELECT t.code FROM doc_codes c JOIN code_text t"
		"   ON t.id = c.code_id JOIN codes k ON k.id = c.code_id"
		"   WHERE c.doc_id = o.id AND k.kind >= 5 LIMIT 3) t), '')"
		" FROM outbox o LEFT JOIN roots r ON r.id = o.id"
		" WHERE o.state IN ('rejected', 'failed')"
		" OR (o.state = 'pending' AND r.id IS NOT NULL)"
		" ORDER BY o.id";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "outbox attention")) == 1) {
		struct st_outbox_issue it;

		memset(&it, 0, sizeof(it));
		it.id = sqlite3_column_int64(st, 0);
		db_text(st, 1, it.type, sizeof(it.type));
		db_text(st, 2, it.state, sizeof(it.state));
		it.held = sqlite3_column_int(st, 3) == 0;
		db_text(st, 4, it.reason, sizeof(it.reason));
		it.blocked_by = sqlite3_column_int64(st, 5);
		it.waiting_behind = sqlite3_column_int(st, 6);
		db_text(st, 7, it.packs, sizeof(it.packs));
		if (fn(arg, &it) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/*
 * The documents pending document id waits for that are not confirmed
 * yet, up to max of them into ids; *n how many. Reads only.
 */
int
st_outbox_waits_for(struct st_db *db, int64_t id, int64_t *ids, int max,
		    int *n, struct err *e)
{
	static const char sql[] =
		"SELECT x.waits_for FROM outbox_deps x JOIN outbox d"
		" ON d.id = x.waits_for WHERE x.doc_id = ?1"
		" AND d.state <> 'confirmed' ORDER BY x.waits_for";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*n = 0;
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = db_row(db, st, e, "outbox waits")) == 1 && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/*
 * Each pending document with its exact body, oldest first, through fn
 * (stop by returning non-zero): for `sync --dry-run`. Reads only.
 */
int
st_outbox_each_pending(struct st_db *db,
		       int (*fn)(void *arg, int64_t id, const char *type,
				 const char *body, size_t len),
		       void *arg, struct err *e)
{
	static const char sql[] =
		"SELECT id, type, body FROM outbox WHERE state = 'pending'"
		" AND sendable ORDER BY id";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "pending documents")) == 1) {
		char type[40];

		db_text(st, 1, type, sizeof(type));
		if (fn(arg, sqlite3_column_int64(st, 0), type,
		       (const char *)sqlite3_column_blob(st, 2),
		       (size_t)sqlite3_column_bytes(st, 2)) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/*
 * A supervisor sends rejected or failed document id again (after fixing
 * what made the server refuse it, e.g. a box that was not registered
 * yet): pending, attempts and server id cleared, the same bytes and
 * signature. The attempt is audited, refused or not. ERR_DENIED for an
 * operator; ERR_NOTFOUND if id is not rejected or failed, or is held for
 * export.
 */
int
st_outbox_retry(struct st_db *db, const struct st_actor *who, int64_t id,
		struct err *e)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'pending', attempts = 0, polls = 0,"
		" fate_unknown = 0, server_id = NULL, first_sent_ms = NULL,"
		" last_sent_ms = NULL, next_at_ms = 0, absent_looks = 0,"
		" updated_at = ?2, last_error = 'sent again by a person after: '"
		" || coalesce(last_error, '')"
		" WHERE id = ?1 AND state IN ('rejected', 'failed')"
		" AND sendable";
	char what[32], why[ERR_MSG_MAX] = "";
	sqlite3_stmt *st;
	char now[32];
	int rc;

	snprintf(what, sizeof(what), "%lld", (long long)id);
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if (who->role < ST_SUPERVISOR) {
		snprintf(why, sizeof(why), "%s", _("Only a "
			 "supervisor sends a document again."));
		rc = ERR_DENIED;
	} else if ((st = db_stmt(db, sql, e)) == NULL) {
		rc = e->code;
		goto fail;
	} else {
		db_now(now);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		if ((rc = db_done(db, st, e, "outbox")) < 0)
			goto fail;
		if (sqlite3_changes(db->h) != 1) {
			snprintf(why, sizeof(why), _("Document "
				 "%lld was not refused or given up, or is held "
				 "for export: there is nothing to send again."),
				 (long long)id);
			rc = ERR_NOTFOUND;
		}
	}
	if (db_audit(db, who, ST_ACT_OUTBOX_RETRY, rc == 0, 0, 0, what,
		     strlen(what), rc == 0 ? NULL : why, e) < 0 ||
	    db_commit(db, e) < 0)
		goto fail_e;
	return rc == 0 ? 0 : err_set(e, rc, "%s", why);
fail_e:
	rc = e->code;
fail:
	db_rollback(db);
	return rc;
}

/*
 * Document id, one sync keeps for export (sendable = 0), was written to
 * file: state exported, with the time and the file (re-exporting it
 * records the newer ones). ERR_NOTFOUND if there is no such document or
 * sync sends it (it is not for export).
 */
int
st_outbox_exported(struct st_db *db, int64_t id, const char *file,
		   struct err *e)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'exported', exported_at = ?2,"
		" export_file = ?3, last_error = NULL, updated_at = ?2"
		" WHERE id = ?1 AND NOT sendable"
		" AND state IN ('pending', 'exported', 'failed')";

	return update_one(db, sql, id, file ? file : "-", NULL, 0, 0, NULL,
			  e);
}

/*
 * Each finished shipment and acceptance whose document waits to be
 * exported (pending, sendable = 0), oldest first, through fn (stop by
 * non-zero): kind "shipment" or "acceptance", the shipment's or
 * delivery's id, and the document. Reads only.
 */
int
st_outbox_each_to_export(struct st_db *db,
			 int (*fn)(void *arg, const char *kind, int64_t id,
				   int64_t doc),
			 void *arg, struct err *e)
{
	static const char sql[] =
		"SELECT 'shipment', s.id, o.id FROM outbox o JOIN shipments s"
		" ON s.document_id = o.id WHERE o.state = 'pending'"
		" AND NOT o.sendable"
		" UNION ALL SELECT 'acceptance', d.id, o.id FROM outbox o"
		" JOIN deliveries d ON d.document_id = o.id"
		" WHERE o.state = 'pending' AND NOT o.sendable ORDER BY 3";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "documents to export")) == 1) {
		char kind[16];

		db_text(st, 0, kind, sizeof(kind));
		if (fn(arg, kind, sqlite3_column_int64(st, 1),
		       sqlite3_column_int64(st, 2)) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
