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

#include "store/pack.h"
#include "scanners/i18n.h"

/* Report pack row p into out. */
static void
report(struct st_db *db, const struct pack_row *p, bool closed_now,
       struct st_pack *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->sscc, sizeof(out->sscc), "%s", p->sscc);
	out->level = p->level;
	snprintf(out->state, sizeof(out->state), "%s",
		 rules_state_name(p->state));
	out->count = p->count;
	out->capacity = p->capacity;
	out->closed_now = closed_now;
	out->document_id = p->document_id;
	if (p->parent_id != 0)
		pack_sscc(db, p->parent_id, out->parent);
}

/* Report the pack as it is now (read back) into out. */
static int
fill_out(struct st_db *db, int64_t id, bool closed_now, struct st_pack *out,
	 struct err *e)
{
	struct pack_row p;
	int rc;

	if ((rc = pack_load(db, NULL, id, &p, e)) < 0)
		return rc;
	report(db, &p, closed_now, out);
	return 0;
}

/*
 * The end of every successful operation: its audit record, the pack as it
 * now is into out, commit. Rolls back on failure.
 */
static int
commit_op(struct st_db *db, const struct st_actor *who, enum st_action act,
	  int64_t code_id, int64_t pack_id, bool closed_now,
	  struct st_pack *out, struct err *e)
{
	int rc;

	if ((rc = db_audit(db, who, act, true, code_id, pack_id, NULL, 0, NULL,
			   e)) < 0 ||
	    (rc = fill_out(db, pack_id, closed_now, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		db_rollback(db);
	return rc;
}

/* commit_op for an operation that made document made (0: none): the
 * answer names that new document, not the pack's old one. */
static int
commit_made(struct st_db *db, const struct st_actor *who, enum st_action act,
	    int64_t code_id, int64_t pack_id, int64_t made,
	    struct st_pack *out, struct err *e)
{
	int rc = commit_op(db, who, act, code_id, pack_id, false, out, e);

	if (rc == 0 && made != 0)
		out->document_id = made;
	return rc;
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
			       _("No pack with SSCC"), sscc);
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

/* --- documents ----------------------------------------------------------- */

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
				       _("The SSCC range of "
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

			snprintf(why, sizeof(why), _("SSCC %s "
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
	snprintf(why, sizeof(why), "%s %s", _("No pack with SSCC"), sscc);
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
	char problem[320];

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_pack(db, who, ST_ACT_PACK_SCAN, sscc, scan, len, &p,
			    e)) != 1)
		return rc < 0 ? rc : ERR_REFUSED;
	if ((rc = pack_key(db, m, false, &k, e)) < 0 ||
	    (known = rc = pack_load_code(db, &k, &c, e)) < 0 ||
	    (rc = pack_facts(db, &p, &rp, e)) < 0 ||
	    (rc = pack_child_facts(db, &p, m, &c, known == 1, &rc_, &cp, e)) < 0)
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
			   NULL, e)) < 0 ||
	    (rc = st_checks_problem(db, k.text, ST_CHECK_AGGREGATE, problem,
				    sizeof(problem), e)) < 0)
		goto fail;
	if (closes && ((rc = close_pack(db, who, &p, e)) < 0 ||
		       (rc = db_audit(db, who, ST_ACT_PACK_CLOSE, true, p.id,
				      p.id, NULL, 0, NULL, e)) < 0))
		goto fail;
	/* The scan path reads back only when closing wrote a document. */
	p.count++;
	if (closes)
		rc = fill_out(db, p.id, closes, out, e);
	else
		report(db, &p, false, out);
	if (rc < 0 || (rc = db_commit(db, e)) < 0)
		goto fail;
	if (problem[0] != '\0')
		snprintf(out->checked, sizeof(out->checked),
			 _("checked: %s"), problem);
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
	if ((rc = close_pack(db, who, &p, e)) < 0)
		goto fail;
	return commit_op(db, who, ST_ACT_PACK_CLOSE, p.id, p.id, true, out, e);
fail:
	db_rollback(db);
	return rc;
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
	int64_t made = 0;
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
	if ((rc = pack_document_orphans(db, p.id, e)) < 0)
		goto fail;
	/* before the release: the document records the codes it frees */
	if ((rc = pack_disaggregate(db, &p, &made, e)) < 0)
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
	return commit_made(db, who, ST_ACT_PACK_DISBAND, p.id, p.id, made,
			   out, e);
fail_e:
	rc = e->code;
fail:
	db_rollback(db);
	return rc;
}

/* Why an empty open pack may not be cancelled by who, or NULL. */
static const char *
cancel_refusal(struct st_db *db, const struct st_actor *who,
	       const struct pack_row *p, struct err *e)
{
	static const char opener[] =
		"SELECT opened_by FROM packs WHERE code_id = ?1";
	int64_t by = 0;

	if (p->state != RULES_OPEN)
		return _("Only an open pack can be "
				"cancelled: close or take this one apart.");
	if (p->count > 0)
		return _("The pack is not empty: take out "
				"what is in it first, or close it.");
	if (who->role < ST_SUPERVISOR &&
	    (db_int(db, opener, p->id, &by, e) < 0 || by != who->user_id))
		return _("Someone else opened this pack: a "
				"supervisor must cancel it.");
	return NULL;
}

int
st_pack_cancel(struct st_db *db, const struct st_actor *who,
	       const char *sscc, struct st_pack *out, struct err *e)
{
	static const char dead[] =
		"UPDATE packs SET state = 'disbanded' WHERE code_id = ?1";
	struct pack_row p;
	sqlite3_stmt *st;
	const char *why;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_pack(db, who, ST_ACT_PACK_DISBAND, sscc, NULL, 0, &p,
			    e)) != 1)
		return rc < 0 ? rc : ERR_REFUSED;
	if ((why = cancel_refusal(db, who, &p, e)) != NULL)
		return pack_refuse_text(db, who, ST_ACT_PACK_DISBAND, p.id,
					p.id, NULL, 0, why, e);
	/* Off its pallet first, so the pallet counts what is really on it. */
	if (p.parent_id != 0 &&
	    ((rc = set_count(db, p.parent_id, -1, e)) < 0 ||
	     (rc = pack_set_parent(db, p.id, 0, e)) < 0))
		goto fail;
	if ((st = db_stmt(db, dead, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, p.id);
	if ((rc = db_done(db, st, e, "cancel")) < 0)
		goto fail;
	return commit_op(db, who, ST_ACT_PACK_DISBAND, p.id, p.id, false, out,
			 e);
fail:
	db_rollback(db);
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
	    (rc = pack_child_facts(db, p, m, c, *known == 1, rc_, &cp, e)) < 0) {
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
	int64_t made = 0;
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
	    (rc = pack_reaggregate(db, &p, false, m, c.id, &made, e)) < 0 ||
	    (rc = pack_document_orphans(db, p.id, e)) < 0)
		goto fail;
	return commit_made(db, who, ST_ACT_PACK_TAKE, c.id, p.id, made, out,
			   e);
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
	int64_t id, made = 0;
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
	     (rc = pack_reaggregate(db, &p, true, m, id, &made, e)) < 0))
		goto fail;
	return commit_made(db, who, ST_ACT_PACK_PUT, id, p.id, made, out, e);
fail:
	db_rollback(db);
	return rc;
}
