/*
 * pack: aggregation and disaggregation, each operation one transaction.
 *
 * The shape of every operation: begin, load the facts (pack, code, where
 * each sits), ask rules.c, then either record the refusal in the audit log
 * or apply the change with its audit record, and commit. Documents for the
 * state system are produced here, in the same transaction as the change
 * they report, so a crash can never leave a closed pack without its
 * document or a document without its pack.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/doc.h"
#include "store/pack.h"
#include "store/rules.h"

/* --- loading facts ------------------------------------------------------ */

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
static void
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

static int
parent_of(struct st_db *db, int64_t id, int64_t *parent, struct err *e)
{
	static const char sql[] = "SELECT parent_id FROM codes WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*parent = 0;
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "parent")) == 1)
		*parent = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Packs above id (depth), and whether `needle` is among id and them. */
static int
ancestry(struct st_db *db, int64_t id, int64_t needle, int *depth,
	 bool *found, struct err *e)
{
	int64_t at = id;
	int rc;

	*depth = 0;
	*found = at == needle;
	while (at != 0 && *depth <= ST_MAX_DEPTH) {
		if ((rc = parent_of(db, at, &at, e)) < 0)
			return rc;
		if (at != 0) {
			(*depth)++;
			*found |= at == needle;
		}
	}
	return 0;
}

static int
count_query(struct st_db *db, const char *sql, int64_t id, int *n,
	    struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*n = 0;
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "count")) == 1)
		*n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Rules' view of a pack row, with the facts that need queries. */
static int
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
	if ((rc = ancestry(db, p->id, -1, &r->depth, &found, e)) < 0)
		return rc;
	if (p->level == ST_PALLET)
		return count_query(db, inner_open, p->id, &r->inner_open, e);
	return 0;
}

/* Rules' view of a scanned code relative to pack p. */
static int
child_facts(struct st_db *db, const struct pack_row *p, const struct mark *m,
	    const struct pack_code *c, bool known, struct rules_child *r,
	    struct pack_row *cp, struct err *e)
{
	static const char height[] =
		"WITH RECURSIVE sub(id, d) AS (SELECT ?1, 0 UNION ALL"
		" SELECT c.id, sub.d + 1 FROM codes c JOIN packs p"
		" ON p.code_id = c.id JOIN sub ON c.parent_id = sub.id"
		" WHERE sub.d < 32) SELECT max(d) FROM sub";
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
	return count_query(db, height, c->id, &r->height, e);
}

/* --- outcomes ------------------------------------------------------------ */

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
	const char *t = dgettext("sklad", rules_reason(v));
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

/* Report the pack as it is now into out. */
static int
fill_out(struct st_db *db, int64_t id, bool closed_now, struct st_pack *out,
	 struct err *e)
{
	struct pack_row p;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pack_load(db, NULL, id, &p, e)) < 0)
		return rc;
	snprintf(out->sscc, sizeof(out->sscc), "%s", p.sscc);
	out->level = p.level;
	snprintf(out->state, sizeof(out->state), "%s",
		 rules_state_name(p.state));
	out->count = p.count;
	out->capacity = p.capacity;
	out->closed_now = closed_now;
	out->document_id = p.document_id;
	if (p.parent_id != 0)
		pack_sscc(db, p.parent_id, out->parent);
	return 0;
}

int
st_pack_get(struct st_db *db, const char *sscc, struct st_pack *out,
	    struct err *e)
{
	struct pack_row p;
	int rc;

	if ((rc = pack_load(db, sscc, 0, &p, e)) < 0)
		return rc;
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "%s %s",
			       dgettext("sklad", "No pack with SSCC"), sscc);
	return fill_out(db, p.id, false, out, e);
}

static int
set_count(struct st_db *db, int64_t pack_id, int delta, struct err *e)
{
	static const char sql[] =
		"UPDATE packs SET count = count + ?2 WHERE code_id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, pack_id);
	sqlite3_bind_int(st, 2, delta);
	return db_done(db, st, e, "count");
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

/* --- documents ----------------------------------------------------------- */

static int
site_inn(struct st_db *db, char inn[16], struct err *e)
{
	struct st_site site;
	int rc = st_site_get(db, &site, e);

	if (rc == 0)
		snprintf(inn, 16, "%s", site.inn);
	return rc;
}

/* The codes directly in pack id, as documents write them. */
static int
children_text(struct st_db *db, int64_t id, char (**out)[48], int *n,
	      struct err *e)
{
	static const char sql[] =
		"SELECT t.code FROM codes c JOIN code_text t ON t.id = c.id"
		" WHERE c.parent_id = ?1 ORDER BY c.id";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char (*v)[48] = NULL;
	int cap = 0, rc;

	*n = 0;
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = db_row(db, st, e, "children")) == 1) {
		if (*n == cap) {
			void *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, (size_t)cap * sizeof(*v));
			if (nv == NULL) {
				sqlite3_reset(st);
				free(v);
				return err_set(e, ERR_INTERNAL,
					       "out of memory");
			}
			v = nv;
		}
		db_text(st, 0, v[(*n)++], sizeof(v[0]));
	}
	sqlite3_reset(st);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

static int
set_document(struct st_db *db, int64_t pack_id, int64_t doc, struct err *e)
{
	static const char sql[] =
		"UPDATE packs SET document_id = ?2 WHERE code_id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, pack_id);
	sqlite3_bind_int64(st, 2, doc);
	return db_done(db, st, e, "document");
}

/* Write one AGGREGATION_DOCUMENT for units[0..n) and mark their packs. */
static int
flush_units(struct st_db *db, const char *inn, struct doc_unit *units,
	    const int64_t *ids, int n, int codes, int64_t *prev,
	    struct err *e)
{
	size_t len;
	char *body = doc_aggregation(inn, units, n, &len);
	int64_t doc;
	int i, rc;

	rc = doc_outbox_add(db, "AGGREGATION_DOCUMENT", body, len, codes,
			    *prev, &doc, e);
	free(body);
	for (i = 0; rc == 0 && i < n; i++)
		rc = set_document(db, ids[i], doc, e);
	*prev = doc;
	return rc;
}

/*
 * Report top and every pack closed inside it that no document covers yet,
 * innermost first, in AGGREGATION_DOCUMENTs of at most ST_MAX_DOC_CODES
 * codes; each part depends on the one before.
 */
int
pack_document(struct st_db *db, int64_t top, struct err *e)
{
	static const char sql[] =
		"WITH RECURSIVE sub(id, d) AS (SELECT ?1, 0 UNION ALL"
		" SELECT c.id, sub.d + 1 FROM codes c JOIN sub"
		" ON c.parent_id = sub.id WHERE c.kind >= 5 AND sub.d < 32)"
		" SELECT sub.id FROM sub JOIN packs p ON p.code_id = sub.id"
		" WHERE p.state = 'closed' AND p.document_id IS NULL"
		" ORDER BY sub.d DESC, sub.id";
	enum { BATCH = 64 };
	struct doc_unit units[BATCH];
	char sscc[BATCH][MARK_SSCC_LEN + 1];
	int64_t ids[BATCH], *all = NULL, prev = 0;
	int n = 0, nall = 0, cap = 0, codes = 0, i, rc;
	sqlite3_stmt *st;
	char inn[16];

	if ((rc = site_inn(db, inn, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, top);
	while ((rc = db_row(db, st, e, "subtree")) == 1) {
		if (nall == cap) {
			int64_t *na;

			cap = cap ? cap * 2 : 16;
			if ((na = realloc(all, (size_t)cap * sizeof(*na))) ==
			    NULL) {
				rc = err_set(e, ERR_INTERNAL, "out of memory");
				break;
			}
			all = na;
		}
		all[nall++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	for (i = 0; rc >= 0 && i < nall; i++) {
		char (*children)[48] = NULL;
		int nchildren = 0;

		if ((rc = children_text(db, all[i], &children, &nchildren,
					e)) < 0)
			break;
		if (n > 0 && (n == BATCH ||
			      codes + nchildren > ST_MAX_DOC_CODES)) {
			rc = flush_units(db, inn, units, ids, n, codes, &prev,
					 e);
			while (n > 0)
				free(units[--n].children);
			codes = 0;
		}
		pack_sscc(db, all[i], sscc[n]);
		units[n].code = sscc[n];
		units[n].children = children;
		units[n].nchildren = nchildren;
		ids[n++] = all[i];
		codes += nchildren;
	}
	if (rc >= 0 && n > 0)
		rc = flush_units(db, inn, units, ids, n, codes, &prev, e);
	while (n > 0)
		free(units[--n].children);
	free(all);
	return rc < 0 ? rc : 0;
}

/* Close pack p in the open transaction; documents it if on top. */
static int
close_pack(struct st_db *db, const struct st_actor *who,
	   const struct pack_row *p, struct err *e)
{
	static const char sql[] =
		"UPDATE packs SET state = 'closed', closed_by = ?2,"
		" closed_at = ?3 WHERE code_id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char now[32];
	int rc;

	if (st == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, who->user_id);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(db, st, e, "close")) < 0)
		return rc;
	/* Inside an open pallet: the pallet's document will carry it. */
	return p->parent_id != 0 ? 0 : pack_document(db, p->id, e);
}

/* --- operations ---------------------------------------------------------- */

static int
next_sscc(struct st_db *db, char out[MARK_SSCC_LEN + 1], struct err *e)
{
	static const char get[] =
		"SELECT value FROM site WHERE key = 'sscc_next'";
	static const char put[] =
		"INSERT OR REPLACE INTO site(key, value) VALUES ('sscc_next', ?1)";
	static const char used[] =
		"SELECT 1 FROM codes WHERE gtin_id = 0 AND serial = ?1";
	struct st_site site;
	unsigned long long n = 1;
	sqlite3_stmt *st;
	char num[32];
	int rc;

	if ((rc = st_site_get(db, &site, e)) < 0)
		return rc;
	if ((st = db_stmt(db, get, e)) == NULL)
		return e->code;
	if ((rc = db_row(db, st, e, "counter")) == 1)
		n = strtoull((const char *)sqlite3_column_text(st, 0), NULL,
			     10);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	/* Skip numbers that reached the database some other way (an
	 * imported delivery carrying our own labels). */
	for (;;) {
		if (mark_sscc_make(site.extension, site.gcp, n, out) < 0)
			return err_set(e, ERR_INVALID, "%s",
				       dgettext("sklad", "The SSCC range of "
						"this company prefix is used "
						"up."));
		if ((st = db_stmt(db, used, e)) == NULL)
			return e->code;
		sqlite3_bind_text(st, 1, out, -1, SQLITE_STATIC);
		rc = db_row(db, st, e, "sscc used");
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
		n++;
		if (rc == 0)
			break;
	}
	if ((st = db_stmt(db, put, e)) == NULL)
		return e->code;
	snprintf(num, sizeof(num), "%llu", n);
	sqlite3_bind_text(st, 1, num, -1, SQLITE_TRANSIENT);
	return db_done(db, st, e, "counter");
}

static int
insert_pack(struct st_db *db, const struct st_actor *who, int64_t id,
	    enum st_level level, const struct st_site *site,
	    const struct st_pack_opts *o, struct err *e)
{
	static const char sql[] =
		"INSERT INTO packs(code_id, level, capacity, gtin_policy,"
		" require_crypto, state, opened_by, opened_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7)";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int cap = level == ST_BOX ? site->box_capacity : site->pallet_capacity;
	char now[32];

	if (st == NULL)
		return e->code;
	if (o != NULL && o->capacity >= 0)
		cap = o->capacity;
	db_now(now);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, level == ST_BOX ? "box" : "pallet", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 3, cap);
	sqlite3_bind_text(st, 4, o != NULL && o->gtin_policy[0] ?
			  o->gtin_policy : site->gtin_policy, -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, o != NULL && o->require_crypto >= 0 ?
			 o->require_crypto : site->require_crypto);
	sqlite3_bind_int64(st, 6, who->user_id);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
	return db_done(db, st, e, "open pack");
}

/* A pack opening inside pallet `parent`: may it? */
static enum rules_verdict
open_inside(struct st_db *db, const char *parent, struct pack_row *pp,
	    struct err *e, int *rc)
{
	struct rules_pack r;
	struct rules_child c = { .is_pack = true, .pack_known = true,
				 .pack_state = RULES_CLOSED };
	bool closes;

	*rc = pack_load(db, parent, 0, pp, e);
	if (*rc < 0)
		return RULES_OK;
	if (*rc == 0)
		return RULES_CHILD_UNKNOWN;
	if ((*rc = pack_facts(db, pp, &r, e)) < 0)
		return RULES_OK;
	return rules_pack_add(&r, &c, &closes);
}

int
st_pack_open(struct st_db *db, const struct st_actor *who,
	     enum st_level level, const char *sscc, const char *parent,
	     const struct st_pack_opts *opts, struct st_pack *out,
	     struct err *e)
{
	char code[MARK_SSCC_LEN + 1];
	struct pack_row pp = { 0 };
	struct pack_key k = { 0 };
	struct st_site site;
	struct mark m;
	int64_t id;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = st_site_get(db, &site, e)) < 0)
		goto fail;
	if (parent != NULL) {
		enum rules_verdict v = open_inside(db, parent, &pp, e, &rc);

		if (rc < 0)
			goto fail;
		if (v != RULES_OK)
			return pack_refuse(db, who, ST_ACT_PACK_OPEN, 0, pp.id,
					   sscc, sscc ? strlen(sscc) : 0, v,
					   NULL, e);
	}
	if (sscc != NULL) {
		struct pack_code c;

		if (mark_sscc_check(sscc, strlen(sscc), &m) < 0) {
			char why[ERR_MSG_MAX];

			mark_strerror(&m, why, sizeof(why));
			return pack_refuse_text(db, who, ST_ACT_PACK_OPEN, 0,
						0, sscc, strlen(sscc), why, e);
		}
		snprintf(code, sizeof(code), "%s", m.sscc);
		m.kind = MARK_SSCC;
		if ((rc = pack_key(db, &m, true, &k, e)) < 0 ||
		    (rc = pack_load_code(db, &k, &c, e)) < 0)
			goto fail;
		if (rc == 1) {
			char why[ERR_MSG_MAX];

			snprintf(why, sizeof(why), dgettext("sklad", "SSCC %s "
				 "is already used: every pack needs a new "
				 "label."), code);
			return pack_refuse_text(db, who, ST_ACT_PACK_OPEN,
						c.id, 0, sscc, strlen(sscc),
						why, e);
		}
	} else {
		if ((rc = next_sscc(db, code, e)) < 0)
			goto fail;
		snprintf(k.serial, sizeof(k.serial), "%s", code);
		k.gtin_id = 0;
	}
	if ((rc = pack_insert_code(db, &k, level == ST_BOX ? PACK_KIND_BOX :
				   PACK_KIND_PALLET, pp.id, &id, e)) < 0 ||
	    (rc = insert_pack(db, who, id, level, &site, opts, e)) < 0 ||
	    (pp.id != 0 && (rc = set_count(db, pp.id, 1, e)) < 0) ||
	    (rc = db_audit(db, who, ST_ACT_PACK_OPEN, true, id, pp.id, NULL,
			   0, NULL, e)) < 0 ||
	    (rc = fill_out(db, id, false, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* Load the pack for an operation, or refuse when there is none. */
static int
need_pack(struct st_db *db, const struct st_actor *who, enum st_action act,
	  const char *sscc, const char *scan, size_t len, struct pack_row *p,
	  struct err *e)
{
	int rc = pack_load(db, sscc, 0, p, e);
	char why[ERR_MSG_MAX];

	if (rc != 0)
		return rc;
	snprintf(why, sizeof(why), "%s %s", dgettext("sklad",
		 "No pack with SSCC"), sscc);
	pack_refuse_text(db, who, act, 0, 0, scan, len, why, e);
	return 0;
}

int
st_pack_scan(struct st_db *db, const struct st_actor *who, const char *sscc,
	     const struct mark *m, const char *scan, size_t len,
	     struct st_pack *out, struct err *e)
{
	static const char set_gtin[] =
		"UPDATE packs SET gtin = ?2 WHERE code_id = ?1";
	struct pack_row p, cp;
	struct rules_pack rp;
	struct rules_child rc_;
	struct pack_code c;
	struct pack_key k;
	enum rules_verdict v;
	bool closes;
	int64_t id;
	int rc, known;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_pack(db, who, ST_ACT_PACK_SCAN, sscc, scan, len, &p,
			    e)) != 1)
		return rc < 0 ? rc : ERR_REFUSED;
	if ((rc = pack_key(db, m, false, &k, e)) < 0 ||
	    (known = rc = pack_load_code(db, &k, &c, e)) < 0 ||
	    (rc = pack_facts(db, &p, &rp, e)) < 0 ||
	    (rc = child_facts(db, &p, m, &c, known == 1, &rc_, &cp, e)) < 0)
		goto fail;
	v = rules_pack_add(&rp, &rc_, &closes);
	if (v != RULES_OK) {
		char other[MARK_SSCC_LEN + 1] = "";

		if (v == RULES_IN_OTHER_PACK)
			pack_sscc(db, c.parent_id, other);
		return pack_refuse(db, who, ST_ACT_PACK_SCAN, c.id, p.id, scan,
				   len, v, v == RULES_GTIN ? rp.gtin : other,
				   e);
	}
	if (known == 1) {
		id = c.id;
		rc = pack_set_parent(db, id, p.id, e);
	} else {
		rc = pack_key(db, m, true, &k, e);
		if (rc == 0)
			rc = pack_insert_code(db, &k, k.kind, p.id, &id, e);
	}
	if (rc < 0 || (rc = set_count(db, p.id, 1, e)) < 0)
		goto fail;
	if (p.policy == RULES_GTIN_SINGLE && p.gtin[0] == '\0') {
		sqlite3_stmt *st = db_stmt(db, set_gtin, e);

		if (st == NULL)
			goto fail_e;
		sqlite3_bind_int64(st, 1, p.id);
		sqlite3_bind_text(st, 2, m->gtin, -1, SQLITE_STATIC);
		if ((rc = db_done(db, st, e, "gtin")) < 0)
			goto fail;
	}
	if ((rc = db_audit(db, who, ST_ACT_PACK_SCAN, true, id, p.id, NULL, 0,
			   NULL, e)) < 0)
		goto fail;
	if (closes && ((rc = close_pack(db, who, &p, e)) < 0 ||
		       (rc = db_audit(db, who, ST_ACT_PACK_CLOSE, true, p.id,
				      p.id, NULL, 0, NULL, e)) < 0))
		goto fail;
	if ((rc = fill_out(db, p.id, closes, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail_e:
	rc = e->code;
fail:
	db_rollback(db);
	return rc;
}

int
st_pack_close(struct st_db *db, const struct st_actor *who, const char *sscc,
	      struct st_pack *out, struct err *e)
{
	static const char inner[] =
		"SELECT c.serial FROM codes c JOIN packs p ON p.code_id = c.id"
		" WHERE c.parent_id = ?1 AND p.state = 'open' LIMIT 1";
	struct rules_pack rp;
	struct pack_row p;
	enum rules_verdict v;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_pack(db, who, ST_ACT_PACK_CLOSE, sscc, NULL, 0, &p,
			    e)) != 1)
		return rc < 0 ? rc : ERR_REFUSED;
	if ((rc = pack_facts(db, &p, &rp, e)) < 0)
		goto fail;
	if ((v = rules_pack_close(&rp)) != RULES_OK) {
		char other[MARK_SSCC_LEN + 1] = "";
		sqlite3_stmt *st;

		if (v == RULES_INNER_OPEN &&
		    (st = db_stmt(db, inner, e)) != NULL) {
			sqlite3_bind_int64(st, 1, p.id);
			if (db_row(db, st, e, "inner") == 1)
				db_text(st, 0, other, sizeof(other));
			sqlite3_reset(st);
		}
		return pack_refuse(db, who, ST_ACT_PACK_CLOSE, p.id, p.id,
				   NULL, 0, v, other, e);
	}
	if ((rc = close_pack(db, who, &p, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_PACK_CLOSE, true, p.id, p.id, NULL,
			   0, NULL, e)) < 0 ||
	    (rc = fill_out(db, p.id, true, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* Packs that just became top-level, closed but never reported, get their
 * document now: they no longer wait for a pallet. */
static int
document_orphans(struct st_db *db, int64_t former_parent, struct err *e)
{
	static const char sql[] =
		"SELECT c.id FROM codes c JOIN packs p ON p.code_id = c.id"
		" WHERE c.parent_id = ?1 AND p.state = 'closed'"
		" AND p.document_id IS NULL";
	int64_t ids[256];
	int n = 0, i, rc;
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, former_parent);
	while ((rc = db_row(db, st, e, "orphans")) == 1 && n < 256)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = pack_document(db, ids[i], e)) < 0)
			return rc;
	return 0;
}

int
st_pack_disband(struct st_db *db, const struct st_actor *who,
		const char *sscc, struct st_pack *out, struct err *e)
{
	static const char release[] =
		"UPDATE codes SET parent_id = NULL WHERE parent_id = ?1";
	static const char dead[] =
		"UPDATE packs SET state = 'disbanded', count = 0"
		" WHERE code_id = ?1";
	struct rules_pack rp;
	struct pack_row p;
	enum rules_verdict v;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_pack(db, who, ST_ACT_PACK_DISBAND, sscc, NULL, 0, &p,
			    e)) != 1)
		return rc < 0 ? rc : ERR_REFUSED;
	if ((rc = pack_facts(db, &p, &rp, e)) < 0)
		goto fail;
	if ((v = rules_pack_disband(&rp, who->role)) != RULES_OK) {
		char other[MARK_SSCC_LEN + 1] = "";

		if (v == RULES_ON_PALLET)
			pack_sscc(db, p.parent_id, other);
		return pack_refuse(db, who, ST_ACT_PACK_DISBAND, p.id, p.id,
				   NULL, 0, v, other, e);
	}
	/* Children that were closed inside this (open) pallet and never
	 * reported are reported on their own before they are set loose. */
	if ((rc = document_orphans(db, p.id, e)) < 0)
		goto fail;
	if ((st = db_stmt(db, release, e)) == NULL)
		goto fail_e;
	sqlite3_bind_int64(st, 1, p.id);
	if ((rc = db_done(db, st, e, "release")) < 0)
		goto fail;
	if ((st = db_stmt(db, dead, e)) == NULL)
		goto fail_e;
	sqlite3_bind_int64(st, 1, p.id);
	if ((rc = db_done(db, st, e, "disband")) < 0)
		goto fail;
	if (p.document_id != 0) {
		char inn[16], *body;
		size_t blen;
		int64_t doc;

		if ((rc = site_inn(db, inn, e)) < 0)
			goto fail;
		body = doc_disaggregation(inn, p.sscc, &blen);
		rc = doc_outbox_add(db, "DISAGGREGATION_DOCUMENT", body, blen,
				    1, p.document_id, &doc, e);
		free(body);
		if (rc < 0)
			goto fail;
	}
	if ((rc = db_audit(db, who, ST_ACT_PACK_DISBAND, true, p.id, p.id,
			   NULL, 0, NULL, e)) < 0 ||
	    (rc = fill_out(db, p.id, false, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail_e:
	rc = e->code;
fail:
	db_rollback(db);
	return rc;
}

/* REAGGREGATION_DOCUMENT for a change to an already reported pack. */
static int
reaggregate(struct st_db *db, const struct pack_row *p, bool adding,
	    const struct mark *m, struct err *e)
{
	const char *code = m->kind == MARK_SSCC ? m->sscc : m->cis;
	char inn[16], *body;
	size_t len;
	int64_t doc;
	int rc;

	if (p->document_id == 0)
		return 0;
	if ((rc = site_inn(db, inn, e)) < 0)
		return rc;
	body = doc_reaggregation(inn, adding, p->sscc, code,
				 m->kind == MARK_SSCC, &len);
	rc = doc_outbox_add(db, "REAGGREGATION_DOCUMENT", body, len, 1,
			    p->document_id, &doc, e);
	free(body);
	return rc;
}

/* Shared by take and put: load pack and code, ask the rule. */
static int
change_facts(struct st_db *db, const struct st_actor *who,
	     enum st_action act, const char *sscc, const struct mark *m,
	     struct pack_row *p, struct pack_code *c, int *known,
	     struct rules_pack *rp, struct rules_child *rc_, struct err *e)
{
	struct pack_key k;
	struct pack_row cp;
	int rc;

	if ((rc = need_pack(db, who, act, sscc, NULL, 0, p, e)) != 1)
		return rc < 0 ? rc : ERR_REFUSED;
	if ((rc = pack_key(db, m, false, &k, e)) < 0 ||
	    (*known = rc = pack_load_code(db, &k, c, e)) < 0 ||
	    (rc = pack_facts(db, p, rp, e)) < 0 ||
	    (rc = child_facts(db, p, m, c, *known == 1, rc_, &cp, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return 0;
}

int
st_pack_take(struct st_db *db, const struct st_actor *who, const char *sscc,
	     const struct mark *m, struct st_pack *out, struct err *e)
{
	struct rules_pack rp;
	struct rules_child rc_;
	struct pack_row p;
	struct pack_code c;
	enum rules_verdict v;
	int rc, known;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = change_facts(db, who, ST_ACT_PACK_TAKE, sscc, m, &p, &c,
			       &known, &rp, &rc_, e)) < 0)
		return rc;
	if ((v = rules_pack_take(&rp, &rc_, who->role)) != RULES_OK)
		return pack_refuse(db, who, ST_ACT_PACK_TAKE, c.id, p.id, NULL,
				   0, v, NULL, e);
	if ((rc = pack_set_parent(db, c.id, 0, e)) < 0 ||
	    (rc = set_count(db, p.id, -1, e)) < 0 ||
	    (rc = reaggregate(db, &p, false, m, e)) < 0 ||
	    (rc = document_orphans(db, p.id, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_PACK_TAKE, true, c.id, p.id, NULL,
			   0, NULL, e)) < 0 ||
	    (rc = fill_out(db, p.id, false, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int
st_pack_put(struct st_db *db, const struct st_actor *who, const char *sscc,
	    const struct mark *m, struct st_pack *out, struct err *e)
{
	struct rules_pack rp;
	struct rules_child rc_;
	struct pack_row p;
	struct pack_code c;
	struct pack_key k;
	enum rules_verdict v;
	int64_t id;
	int rc, known;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = change_facts(db, who, ST_ACT_PACK_PUT, sscc, m, &p, &c,
			       &known, &rp, &rc_, e)) < 0)
		return rc;
	if ((v = rules_pack_put(&rp, &rc_, who->role)) != RULES_OK) {
		char other[MARK_SSCC_LEN + 1] = "";

		if (v == RULES_IN_OTHER_PACK)
			pack_sscc(db, c.parent_id, other);
		return pack_refuse(db, who, ST_ACT_PACK_PUT, c.id, p.id, NULL,
				   0, v, v == RULES_GTIN ? rp.gtin : other, e);
	}
	if (known == 1) {
		id = c.id;
		rc = pack_set_parent(db, id, p.id, e);
	} else if ((rc = pack_key(db, m, true, &k, e)) == 0) {
		rc = pack_insert_code(db, &k, k.kind, p.id, &id, e);
	}
	if (rc < 0 || (rc = set_count(db, p.id, 1, e)) < 0 ||
	    (p.state != RULES_OPEN &&
	     (rc = reaggregate(db, &p, true, m, e)) < 0) ||
	    (rc = db_audit(db, who, ST_ACT_PACK_PUT, true, id, p.id, NULL, 0,
			   NULL, e)) < 0 ||
	    (rc = fill_out(db, p.id, false, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}
