/*
 * code_check: what the state system said about our codes (true-api.md
 * §7), kept in table code_checks: which codes a check covers, storing
 * the answers with the verdict of rules_check.c in one transaction, and
 * the cheap read acceptance and aggregation use to show a recorded
 * problem while scanning.
 *
 * What it must not do: talk to the network (the console asks, sync/
 * answers), decide in SQL what the rules decide, or format values into
 * SQL.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/rules_check.h"
#include "scanners/i18n.h"

static const char *
use_name(enum st_check_use use)
{
	return use == ST_CHECK_AGGREGATE ? "aggregate" : "accept";
}

void
st_checks_target_free(struct st_check_target *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->codes != NULL && i < t->n; i++)
		free(t->codes[i]);
	free(t->codes);
	t->codes = NULL;
	t->n = 0;
}

/* Append the first column of every row of st to t->codes. */
static int
collect(struct st_db *db, sqlite3_stmt *st, struct st_check_target *t,
	struct err *e)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *s = sqlite3_column_text(st, 0);
		char *dup;

		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			char **p = realloc(t->codes, ncap * sizeof(*p));

			if (p == NULL)
				goto oom;
			t->codes = p;
			cap = ncap;
		}
		if ((dup = strdup(s ? (const char *)s : "")) == NULL)
			goto oom;
		t->codes[t->n++] = dup;
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "codes to check");
	sqlite3_reset(st);
	return 0;
oom:
	sqlite3_reset(st);
	return err_set(e, ERR_INTERNAL, "out of memory");
}

static int
delivery_codes(struct st_db *db, int64_t id, struct st_check_target *t,
	       struct err *e)
{
	static const char head[] =
		"SELECT sender_inn FROM deliveries WHERE id = ?1";
	/* as the code_text view writes codes (schema.c) */
	static const char items[] =
		"SELECT CASE WHEN i.kind = 4 THEN g.gtin || i.serial"
		"  WHEN i.kind >= 5 THEN i.serial"
		"  ELSE '01' || g.gtin || '21' || i.serial END"
		" FROM delivery_items i JOIN gtins g ON g.id = i.gtin_id"
		" WHERE i.delivery_id = ?1 ORDER BY i.id";
	sqlite3_stmt *st = db_stmt(db, head, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "delivery")) < 0)
		return rc;
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, _("No delivery %lld."), (long long)id);
	db_text(st, 0, t->sender_inn, sizeof(t->sender_inn));
	sqlite3_reset(st);
	t->delivery_id = id;
	if ((st = db_stmt(db, items, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return collect(db, st, t, e);
}

/* The units directly in pack sscc: a box or pallet inside is our own
 * aggregate, which the state system may not know before its document. */
static int
pack_codes(struct st_db *db, const char *sscc, struct st_check_target *t,
	   struct err *e)
{
	static const char head[] =
		"SELECT p.code_id, p.state FROM codes c"
		" JOIN packs p ON p.code_id = c.id"
		" WHERE c.gtin_id = 0 AND c.serial = ?1";
	static const char kids[] =
		"SELECT t.code FROM codes c JOIN code_text t ON t.id = c.id"
		" WHERE c.parent_id = ?1 AND c.kind < 5 ORDER BY c.id";
	sqlite3_stmt *st = db_stmt(db, head, e);
	char state[16];
	int64_t id;
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, sscc, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "pack")) < 0)
		return rc;
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "%s %s", _("No pack with SSCC"), sscc);
	id = sqlite3_column_int64(st, 0);
	db_text(st, 1, state, sizeof(state));
	sqlite3_reset(st);
	if (strcmp(state, "open") != 0 && strcmp(state, "closed") != 0)
		return err_set(e, ERR_REFUSED, _("Pack %s is "
			       "%s: only an open or closed pack is checked "
			       "before aggregation."), sscc, state);
	snprintf(t->sscc, sizeof(t->sscc), "%s", sscc);
	if ((st = db_stmt(db, kids, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return collect(db, st, t, e);
}

int
st_checks_codes(struct st_db *db, enum st_check_use use, int64_t delivery_id,
		const char *sscc, struct st_check_target *t, struct err *e)
{
	struct st_site site;
	int rc;

	memset(t, 0, sizeof(*t));
	t->use = use;
	if ((rc = st_site_get(db, &site, e)) < 0)
		return rc;
	snprintf(t->our_inn, sizeof(t->our_inn), "%s", site.inn);
	if (use == ST_CHECK_ACCEPT)
		rc = delivery_codes(db, delivery_id, t, e);
	else if (sscc != NULL)
		rc = pack_codes(db, sscc, t, e);
	else
		rc = err_set(e, ERR_INVALID, "no pack to check");
	if (rc < 0)
		st_checks_target_free(t);
	return rc;
}

static void
bind_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

int
st_checks_record(struct st_db *db, const struct st_check_target *t,
		 struct st_code_check *c, size_t n, int *problems,
		 struct err *e)
{
	static const char put[] =
		"INSERT OR REPLACE INTO code_checks(code, purpose, found,"
		" error_code, status, status_ex, owner_inn, parent,"
		" checked_at, problem)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	struct rules_check_ctx ctx = {
		.use = t->use == ST_CHECK_AGGREGATE ? RULES_CHK_AGGREGATE :
			RULES_CHK_ACCEPT,
		.our_inn = t->our_inn, .sender_inn = t->sender_inn,
		.pack = t->sscc,
	};
	char now[32];
	size_t i;
	int rc;

	*problems = 0;
	db_now(now);
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		struct rules_check_facts f = {
			.found = c[i].found, .error_code = c[i].error_code,
			.error = c[i].error, .status = c[i].status,
			.status_ex = c[i].status_ex,
			.owner_inn = c[i].owner_inn, .parent = c[i].parent,
		};
		enum rules_check_problem p = rules_check_code(&ctx, &f);
		sqlite3_stmt *st;

		rules_check_reason(p, &ctx, &f, c[i].problem,
				   sizeof(c[i].problem));
		*problems += p != RULES_CHK_OK;
		if ((st = db_stmt(db, put, e)) == NULL) {
			rc = e->code;
			goto fail;
		}
		sqlite3_bind_text(st, 1, c[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, use_name(t->use), -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, c[i].found);
		bind_or_null(st, 4, c[i].error_code);
		bind_or_null(st, 5, c[i].status);
		bind_or_null(st, 6, c[i].status_ex);
		bind_or_null(st, 7, c[i].owner_inn);
		bind_or_null(st, 8, c[i].parent);
		sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
		bind_or_null(st, 10, c[i].problem);
		if ((rc = db_done(db, st, e, "code check")) < 0)
			goto fail;
	}
	if ((rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int
st_checks_problem(struct st_db *db, const char *code, enum st_check_use use,
		  char *out, size_t n, struct err *e)
{
	static const char sql[] =
		"SELECT problem FROM code_checks WHERE code = ?1"
		" AND purpose = ?2 AND problem IS NOT NULL";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (n > 0)
		out[0] = '\0';
	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, use_name(use), -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "code check")) == 1)
		db_text(st, 0, out, n);
	sqlite3_reset(st);
	return rc;
}
