/*
 * pack_facts: what the packing rules need to know, read from the database
 * (internal to store/; see pack.h). Read-only except for the two row
 * writers at the end and the audit record of a refusal.
 */
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "store/pack.h"
#include "scanners/i18n.h"

int
pack_key(struct st_db *db, const struct mark *m, bool create,
	 struct pack_key *k, struct err *e)
{
	const char *gtin = m->kind == MARK_SSCC ? "" : m->gtin;
	static const char find[] = "SELECT id FROM gtins WHERE gtin = ?1";
	sqlite3_stmt *st;
	int rc;

	memset(k, 0, sizeof(*k));
	switch (m->kind) {
	case MARK_SSCC:
		k->kind = PACK_KIND_BOX;
		snprintf(k->serial, sizeof(k->serial), "%s", m->sscc);
		snprintf(k->text, sizeof(k->text), "%s", m->sscc);
		break;
	case MARK_TOBACCO_BLOCK:
		k->kind = PACK_KIND_GROUP;
		break;
	case MARK_TOBACCO_SET:
		k->kind = PACK_KIND_SET;
		break;
	case MARK_CIGARETTE_PACK:
		k->kind = PACK_KIND_CIGARETTE;
		break;
	default:
		k->kind = PACK_KIND_UNIT;
		break;
	}
	if (m->kind != MARK_SSCC) {
		snprintf(k->serial, sizeof(k->serial), "%s", m->serial);
		snprintf(k->text, sizeof(k->text), "%s", m->cis);
		snprintf(k->gtin, sizeof(k->gtin), "%s", m->gtin);
	}
	if (create)
		return db_gtin_id(db, gtin, &k->gtin_id, e);
	if ((k->gtin_id = db_gtin_cached(db, gtin)) >= 0)
		return 0;
	if ((st = db_stmt(db, find, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, gtin, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "gtin")) < 0)
		return rc;
	k->gtin_id = rc == 1 ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return 0;
}

int
pack_load_code(struct st_db *db, const struct pack_key *k,
	       struct pack_code *c, struct err *e)
{
	static const char sql[] =
		"SELECT id, kind, parent_id, state FROM codes"
		" WHERE gtin_id = ?1 AND serial = ?2";
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	if (k->gtin_id < 0)
		return 0;
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, k->gtin_id);
	sqlite3_bind_text(st, 2, k->serial, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "code")) != 1)
		return rc;
	c->id = sqlite3_column_int64(st, 0);
	c->kind = sqlite3_column_int(st, 1);
	c->parent_id = sqlite3_column_int64(st, 2);
	c->shipped = sqlite3_column_int(st, 3) == 1;
	sqlite3_reset(st);
	return 1;
}

static void
read_pack(sqlite3_stmt *st, struct pack_row *p)
{
	char policy[20], state[16];

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, p->sscc, sizeof(p->sscc));
	p->level = strcmp((const char *)sqlite3_column_text(st, 2),
			  "pallet") == 0 ? ST_PALLET : ST_BOX;
	db_text(st, 3, state, sizeof(state));
	p->state = (enum rules_pack_state)rules_state_parse(state);
	p->count = sqlite3_column_int(st, 4);
	p->capacity = sqlite3_column_int(st, 5);
	db_text(st, 6, policy, sizeof(policy));
	db_text(st, 7, p->gtin, sizeof(p->gtin));
	p->policy = strcmp(policy, "any") == 0 ? RULES_GTIN_ANY :
		strcmp(policy, "single") == 0 ? RULES_GTIN_SINGLE :
		RULES_GTIN_FIXED;
	if (p->policy == RULES_GTIN_FIXED) {
		memcpy(p->gtin, policy, MARK_GTIN_LEN);
		p->gtin[MARK_GTIN_LEN] = '\0';
	}
	p->require_crypto = sqlite3_column_int(st, 8) != 0;
	p->parent_id = sqlite3_column_int64(st, 9);
	p->shipped = sqlite3_column_int(st, 10) == 1;
	p->document_id = sqlite3_column_int64(st, 11);
}

int
pack_load(struct st_db *db, const char *sscc, int64_t id, struct pack_row *p,
	  struct err *e)
{
	static const char by_sscc[] =
		"SELECT c.id, c.serial, p.level, p.state, p.count, p.capacity,"
		" p.gtin_policy, p.gtin, p.require_crypto, c.parent_id,"
		" c.state, p.document_id FROM codes c JOIN packs p"
		" ON p.code_id = c.id WHERE c.gtin_id = 0 AND c.serial = ?1";
	static const char by_id[] =
		"SELECT c.id, c.serial, p.level, p.state, p.count, p.capacity,"
		" p.gtin_policy, p.gtin, p.require_crypto, c.parent_id,"
		" c.state, p.document_id FROM codes c JOIN packs p"
		" ON p.code_id = c.id WHERE c.id = ?1";
	sqlite3_stmt *st = db_stmt(db, sscc != NULL ? by_sscc : by_id, e);
	int rc;

	if (st == NULL)
		return e->code;
	if (sscc != NULL)
		sqlite3_bind_text(st, 1, sscc, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "pack")) != 1)
		return rc;
	read_pack(st, p);
	sqlite3_reset(st);
	return 1;
}

/* The SSCC of pack id, for messages; "" if none. */
void
pack_sscc(struct st_db *db, int64_t id, char out[MARK_SSCC_LEN + 1])
{
	static const char sql[] = "SELECT serial FROM codes WHERE id = ?1";
	struct err ignore;
	sqlite3_stmt *st = db_stmt(db, sql, &ignore);

	out[0] = '\0';
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (db_row(db, st, &ignore, "sscc") == 1)
		db_text(st, 0, out, MARK_SSCC_LEN + 1);
	sqlite3_reset(st);
}

/* Packs above id (depth), and whether `needle` is among id and them. */
static int
ancestry(struct st_db *db, int64_t id, int64_t needle, int *depth,
	 bool *found, struct err *e)
{
	static const char parent[] =
		"SELECT parent_id FROM codes WHERE id = ?1";
	int64_t at = id;
	int rc;

	*depth = 0;
	*found = at == needle;
	while (at != 0 && *depth <= ST_MAX_DEPTH) {
		if ((rc = db_int(db, parent, at, &at, e)) < 0)
			return rc;
		if (at != 0) {
			(*depth)++;
			*found |= at == needle;
		}
	}
	return 0;
}

/* Rules' view of a pack row, with the facts that need queries. */
int
pack_facts(struct st_db *db, const struct pack_row *p, struct rules_pack *r,
	   struct err *e)
{
	static const char inner_open[] =
		"SELECT count(*) FROM codes c JOIN packs p ON p.code_id = c.id"
		" WHERE c.parent_id = ?1 AND p.state = 'open'";
	bool found;
	int rc;

	memset(r, 0, sizeof(*r));
	r->level = p->level;
	r->state = p->state;
	r->count = p->count;
	r->capacity = p->capacity;
	r->policy = p->policy;
	snprintf(r->gtin, sizeof(r->gtin), "%s", p->gtin);
	r->require_crypto = p->require_crypto;
	r->on_pallet = p->parent_id != 0;
	r->shipped = p->shipped;
	/* Packs above p: none for a top-level pack, without a query. */
	if (p->parent_id != 0) {
		if ((rc = ancestry(db, p->parent_id, -1, &r->depth, &found,
				   e)) < 0)
			return rc;
		r->depth++;
	}
	if (p->level == ST_PALLET)
	{
		int64_t n;

		rc = db_int(db, inner_open, p->id, &n, e);
		r->inner_open = (int)n;
		return rc;
	}
	return 0;
}

/* Rules' view of a scanned code relative to pack p. */
int
pack_child_facts(struct st_db *db, const struct pack_row *p,
		 const struct mark *m, const struct pack_code *c, bool known,
		 struct rules_child *r, struct pack_row *cp, struct err *e)
{
	static const char height[] =
		"WITH RECURSIVE sub(id, d) AS (SELECT ?1, 0 UNION ALL"
		" SELECT c.id, sub.d + 1 FROM codes c JOIN packs p"
		" ON p.code_id = c.id JOIN sub ON c.parent_id = sub.id"
		" WHERE sub.d < 32) SELECT max(d) FROM sub";
	int64_t h;
	int depth, rc;

	memset(r, 0, sizeof(*r));
	r->is_pack = m->kind == MARK_SSCC;
	r->known = known;
	r->has_crypto = m->has_crypto;
	snprintf(r->gtin, sizeof(r->gtin), "%s", m->gtin);
	if (!known)
		return 0;
	r->in_this = c->parent_id == p->id;
	r->in_other = c->parent_id != 0 && c->parent_id != p->id;
	r->shipped = c->shipped;
	r->is_target = c->id == p->id;
	if (!r->is_pack)
		return 0;
	if ((rc = pack_load(db, NULL, c->id, cp, e)) < 0)
		return rc;
	r->pack_known = rc == 1;
	r->pack_state = cp->state;
	if ((rc = ancestry(db, p->id, c->id, &depth, &r->contains_target,
			   e)) < 0)
		return rc;
	r->contains_target &= !r->is_target;
	rc = db_int(db, height, c->id, &h, e);
	r->height = (int)h;
	return rc;
}

int
pack_refuse_text(struct st_db *db, const struct st_actor *who,
		 enum st_action action, int64_t code_id, int64_t pack_id,
		 const char *scan, size_t len, const char *reason,
		 struct err *e)
{
	struct err ignore;

	if (db_audit(db, who, action, false, code_id, pack_id, scan, len,
		     reason, &ignore) < 0 || db_commit(db, &ignore) < 0)
		db_rollback(db);
	return err_set(e, ERR_REFUSED, "%s", reason);
}

int
pack_refuse(struct st_db *db, const struct st_actor *who,
	    enum st_action action, int64_t code_id, int64_t pack_id,
	    const char *scan, size_t len, enum rules_verdict v,
	    const char *other, struct err *e)
{
	const char *t = _(rules_reason(v));
	const char *at = strstr(t, "%s");
	char reason[ERR_MSG_MAX];

	/* The reasons carry at most one %s: fill it by hand, since the
	 * template is not a literal the compiler could check. */
	if (at == NULL)
		snprintf(reason, sizeof(reason), "%s", t);
	else
		snprintf(reason, sizeof(reason), "%.*s%s%s", (int)(at - t), t,
			 other != NULL ? other : "", at + 2);
	return pack_refuse_text(db, who, action, code_id, pack_id, scan, len,
				reason, e);
}

int
pack_set_parent(struct st_db *db, int64_t code_id, int64_t parent,
		struct err *e)
{
	static const char sql[] =
		"UPDATE codes SET parent_id = ?2 WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, code_id);
	if (parent != 0)
		sqlite3_bind_int64(st, 2, parent);
	return db_done(db, st, e, "move");
}

int
pack_insert_code(struct st_db *db, const struct pack_key *k, int kind,
		 int64_t parent, int64_t *id, struct err *e)
{
	static const char sql[] =
		"INSERT INTO codes(gtin_id, serial, kind, parent_id)"
		" VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, k->gtin_id);
	sqlite3_bind_text(st, 2, k->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, kind);
	if (parent != 0)
		sqlite3_bind_int64(st, 4, parent);
	if ((rc = db_done(db, st, e, "insert code")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}
