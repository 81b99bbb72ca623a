/*
 * ship: shipment, each operation one transaction: open with receiver INN
 * and document number, scan closed packs and loose units, finish into
 * LP_SHIP_GOODS with everything leaving (whole subtrees) marked shipped.
 *
 * The decisions are rules_ship.c's; this file gathers the facts and
 * applies them. Shipped codes keep their pack tree, so a shipped pack is
 * refused by disband and take (pack.c reads codes.state).
 *
 * What it must not do: move codes between packs, or format values into
 * SQL.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/doc.h"
#include "store/pack.h"
#include "store/rules_ship.h"
#include "scanners/i18n.h"

/* A shipments row. */
struct shp {
	int64_t id;
	bool open;
	char receiver_inn[16];
	char number[256];
	char date[40];
	char turnover_type[16];	/* SELLING, COMMISSION or AGENT */
	int codes, units;
	int64_t document_id;
};

static int
load_shipment(struct st_db *db, int64_t id, struct shp *s, struct err *e)
{
	static const char sql[] =
		"SELECT state, receiver_inn, number, doc_date, codes, units,"
		" document_id, turnover_type FROM shipments WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char state[16];
	int rc;

	memset(s, 0, sizeof(*s));
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "shipment")) != 1)
		return rc;
	s->id = id;
	db_text(st, 0, state, sizeof(state));
	s->open = strcmp(state, "open") == 0;
	db_text(st, 1, s->receiver_inn, sizeof(s->receiver_inn));
	db_text(st, 2, s->number, sizeof(s->number));
	db_text(st, 3, s->date, sizeof(s->date));
	s->codes = sqlite3_column_int(st, 4);
	s->units = sqlite3_column_int(st, 5);
	s->document_id = sqlite3_column_int64(st, 6);
	db_text(st, 7, s->turnover_type, sizeof(s->turnover_type));
	sqlite3_reset(st);
	return 1;
}

static void
fill_out(const struct shp *s, struct st_shipment *out)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	out->id = s->id;
	snprintf(out->receiver_inn, sizeof(out->receiver_inn), "%s",
		 s->receiver_inn);
	/* Shown to the operator: a long number is cut, the document keeps
	 * it whole. */
	n = strnlen(s->number, sizeof(out->number) - 1);
	memcpy(out->number, s->number, n);
	out->number[n] = '\0';
	out->codes = s->codes;
	out->units = s->units;
	out->document_id = s->document_id;
}

/* Audit and return the refusal v, its %s filled with other. */
static int
refuse(struct st_db *db, const struct st_actor *who, enum st_action act,
       int64_t code_id, const char *scan, enum rules_ship_verdict v,
       const char *other, struct err *e)
{
	const char *t = _(rules_ship_reason(v));
	const char *at = strstr(t, "%s");
	char why[ERR_MSG_MAX];

	/* At most one %s: filled by hand, the template is no literal. */
	if (at == NULL)
		snprintf(why, sizeof(why), "%s", t);
	else
		snprintf(why, sizeof(why), "%.*s%s%s", (int)(at - t), t,
			 other != NULL ? other : "", at + 2);
	return pack_refuse_text(db, who, act, code_id, 0, scan,
				scan != NULL ? strlen(scan) : 0, why, e);
}

/* Load shipment id, or refuse (audited) when there is none. */
static int
need_shipment(struct st_db *db, const struct st_actor *who,
	      enum st_action act, int64_t id, struct shp *s, struct err *e)
{
	char why[ERR_MSG_MAX];
	int rc = load_shipment(db, id, s, e);

	if (rc != 0)
		return rc;
	snprintf(why, sizeof(why), _("No shipment %lld."),
		 (long long)id);
	return pack_refuse_text(db, who, act, 0, 0, NULL, 0, why, e);
}

/*
 * The newest shipment to receiver_inn under number (open ones first):
 * 1 with its id in *id, 0 if none, <0 on error.
 */
static int
find_shipment(struct st_db *db, const char *receiver_inn, const char *number,
	      int64_t *id, struct err *e)
{
	static const char sql[] =
		"SELECT id FROM shipments WHERE receiver_inn = ?1 AND"
		" number = ?2 ORDER BY state = 'open' DESC, id DESC LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, receiver_inn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "same shipment")) == 1)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

/* The same receiver and number again: the open one goes on (resumed);
 * a finished one is never opened a second time. */
static int
reopen(struct st_db *db, const struct st_actor *who, int64_t id,
       const char *number, struct st_shipment *out, struct err *e)
{
	char why[ERR_MSG_MAX];
	struct shp s;
	int rc;

	if ((rc = load_shipment(db, id, &s, e)) < 0)
		goto fail;
	if (!s.open) {
		snprintf(why, sizeof(why), _("Document %s to "
			 "%s was shipped already: a new shipment needs a new "
			 "document number."), s.number, s.receiver_inn);
		return pack_refuse_text(db, who, ST_ACT_SHIP_OPEN, 0, 0, number,
					strlen(number), why, e);
	}
	if ((rc = db_audit(db, who, ST_ACT_SHIP_OPEN, true, 0, 0, number,
			   strlen(number), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	fill_out(&s, out);
	out->resumed = true;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int
st_ship_get(struct st_db *db, int64_t id, struct st_shipment *out,
	    struct err *e)
{
	struct shp s;
	int rc = load_shipment(db, id, &s, e);

	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, _("No "
			       "shipment %lld."), (long long)id);
	if (rc == 1)
		fill_out(&s, out);
	return rc < 0 ? rc : 0;
}

int
st_ship_cancel(struct st_db *db, int64_t id, struct err *e)
{
	static const char sql[] =
		"DELETE FROM shipments WHERE id = ?1 AND state = 'open' AND"
		" codes = 0 AND NOT EXISTS (SELECT 1 FROM shipment_items"
		"  WHERE shipment_id = ?1)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_done(db, st, e, "cancel shipment")) < 0)
		goto fail;
	rc = sqlite3_changes(db->h) > 0;
	if (db_commit(db, e) < 0) {
		rc = e->code;
		goto fail;
	}
	return rc;
fail:
	db_rollback(db);
	return rc;
}

int
st_ship_open(struct st_db *db, const struct st_actor *who,
	     const char *receiver_inn, const char *number,
	     struct st_shipment *out, struct err *e)
{
	static const char sql[] =
		"INSERT INTO shipments(receiver_inn, number, doc_date, state,"
		" opened_by, opened_at) VALUES (?1, ?2, ?3, 'open', ?4, ?3)";
	enum rules_ship_verdict v;
	sqlite3_stmt *st;
	struct shp s;
	char now[32];
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((v = rules_ship_open(receiver_inn, number)) != RULES_SHIP_OK)
		return refuse(db, who, ST_ACT_SHIP_OPEN, 0, number, v, NULL, e);
	if ((rc = find_shipment(db, receiver_inn, number, &s.id, e)) < 0)
		goto fail;
	if (rc == 1)
		return reopen(db, who, s.id, number, out, e);
	if ((st = db_stmt(db, sql, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	db_now(now);
	sqlite3_bind_text(st, 1, receiver_inn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	if (who->user_id != 0)
		sqlite3_bind_int64(st, 4, who->user_id);
	if ((rc = db_done(db, st, e, "shipment")) < 0 ||
	    (rc = load_shipment(db, sqlite3_last_insert_rowid(db->h), &s,
				e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_SHIP_OPEN, true, 0, 0, number,
			   strlen(number), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	fill_out(&s, out);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* --- scan ---------------------------------------------------------------- */

/* Is code on this shipment; is it on another open one (number in
 * other)? */
static int
on_shipments(struct st_db *db, int64_t code, const struct shp *s,
	     struct rules_ship_code *c, char other[256], struct err *e)
{
	static const char sql[] =
		"SELECT s.id, s.number FROM shipment_items i JOIN shipments s"
		" ON s.id = i.shipment_id WHERE i.code_id = ?1"
		" AND s.state = 'open' ORDER BY s.id = ?2 DESC LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, code);
	sqlite3_bind_int64(st, 2, s->id);
	if ((rc = db_row(db, st, e, "on shipment")) == 1) {
		c->on_this = sqlite3_column_int64(st, 0) == s->id;
		c->on_other = !c->on_this;
		db_text(st, 1, other, 256);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* The facts of a scan onto shipment s. */
static int
ship_facts(struct st_db *db, const struct shp *s, const struct mark *m,
	   struct pack_code *code, struct rules_ship_code *c,
	   char other[256], struct err *e)
{
	struct pack_row p;
	struct pack_key k;
	int rc;

	memset(c, 0, sizeof(*c));
	c->shipment_open = s->open;
	c->on_shipment = s->codes;
	c->is_pack = m->kind == MARK_SSCC;
	if ((rc = pack_key(db, m, false, &k, e)) < 0 ||
	    (rc = pack_load_code(db, &k, code, e)) < 0)
		return rc;
	c->known = rc == 1;
	if (!c->known)
		return 0;
	c->shipped = code->shipped;
	c->in_pack = code->parent_id != 0;
	if (c->is_pack) {
		if ((rc = pack_load(db, NULL, code->id, &p, e)) < 0)
			return rc;
		c->pack_known = rc == 1;
		c->pack_state = p.state;
	}
	return on_shipments(db, code->id, s, c, other, e);
}

/* Units leaving with a code: itself and everything inside, but not the
 * boxes and pallets (kind 5 and 6), which are no units. */
static const char subtree_size[] =
	"WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL"
	" SELECT c.id FROM codes c JOIN sub ON c.parent_id = sub.id)"
	" SELECT count(*) FROM sub JOIN codes c ON c.id = sub.id"
	" WHERE c.kind < 5";

static int
add_item(struct st_db *db, struct shp *s, int64_t code, struct err *e)
{
	static const char item[] =
		"INSERT INTO shipment_items(shipment_id, code_id, at)"
		" VALUES (?1, ?2, ?3)";
	static const char counts[] =
		"UPDATE shipments SET codes = ?2, units = ?3 WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, item, e);
	char now[32];
	int64_t n;
	int rc;

	if (st == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, code);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(db, st, e, "shipment item")) < 0 ||
	    (rc = db_int(db, subtree_size, code, &n, e)) < 0)
		return rc;
	s->codes++;
	s->units += n;
	if ((st = db_stmt(db, counts, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int(st, 2, s->codes);
	sqlite3_bind_int(st, 3, s->units);
	return db_done(db, st, e, "shipment counts");
}

int
st_ship_scan(struct st_db *db, const struct st_actor *who, int64_t id,
	     const struct mark *m, struct st_shipment *out, struct err *e)
{
	const char *text = m->kind == MARK_SSCC ? m->sscc : m->cis;
	struct rules_ship_code c;
	enum rules_ship_verdict v;
	struct pack_code code;
	char other[256] = "";
	struct shp s;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_shipment(db, who, ST_ACT_SHIP_SCAN, id, &s, e)) != 1)
		return rc;
	if ((rc = ship_facts(db, &s, m, &code, &c, other, e)) < 0)
		goto fail;
	if ((v = rules_ship_scan(&c)) != RULES_SHIP_OK) {
		char sscc[MARK_SSCC_LEN + 1] = "";
		struct pack_row p;

		if (v == RULES_SHIP_IN_PACK &&
		    (rc = pack_load(db, NULL, code.parent_id, &p, e)) < 0)
			goto fail;
		if (v == RULES_SHIP_IN_PACK && rc == 1)
			snprintf(sscc, sizeof(sscc), "%s", p.sscc);
		return refuse(db, who, ST_ACT_SHIP_SCAN, code.id, text, v,
			      v == RULES_SHIP_IN_PACK ? sscc : other, e);
	}
	if ((rc = add_item(db, &s, code.id, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_SHIP_SCAN, true, code.id, 0, NULL,
			   0, NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	fill_out(&s, out);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* --- finish -------------------------------------------------------------- */

/* The unit codes leaving with shipment s: each scanned unit, and every
 * code inside each scanned pack that is not itself a box or pallet, in
 * scan order (the 2025 field table of §5.6 has uit_code only). */
static int
ship_lines(struct st_db *db, const struct shp *s, struct doc_line **lines,
	   char (**texts)[ST_CODE_MAX], int *n, struct err *e)
{
	static const char sql[] =
		"WITH RECURSIVE sub(id, kind, item) AS ("
		" SELECT c.id, c.kind, i.rowid FROM shipment_items i"
		" JOIN codes c ON c.id = i.code_id WHERE i.shipment_id = ?1"
		" UNION ALL SELECT c.id, c.kind, sub.item FROM codes c"
		" JOIN sub ON c.parent_id = sub.id WHERE sub.kind >= 5)"
		" SELECT t.code FROM sub JOIN code_text t ON t.id = sub.id"
		" WHERE sub.kind < 5 ORDER BY sub.item, sub.id";
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc, i;

	*n = 0;
	*lines = NULL;
	*texts = NULL;
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = db_row(db, st, e, "lines")) == 1) {
		if ((size_t)*n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			void *nl = realloc(*lines, nc * sizeof(**lines));
			void *nt = nl ? realloc(*texts, nc * sizeof(**texts)) :
				NULL;

			if (nl != NULL)
				*lines = nl;
			if (nt == NULL) {
				sqlite3_reset(st);
				return err_set(e, ERR_INTERNAL,
					       "out of memory");
			}
			*texts = nt;
			cap = nc;
		}
		db_text(st, 0, (*texts)[*n], ST_CODE_MAX);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	/* texts moved while growing: point the lines at them now */
	for (i = 0; i < *n; i++) {
		(*lines)[i].code = (*texts)[i];
		(*lines)[i].is_pack = false;
		(*lines)[i].parent = -1;
	}
	return 0;
}

/* A stored time (ISO 8601 UTC with 'Z') in the first of the formats
 * §5.6 lists, yyyy-MM-ddTHH:mm:ss.SSS: the list has no zone suffix. */
static void
ship_time(const char *iso, char out[40])
{
	size_t n = strnlen(iso, 39);

	memcpy(out, iso, n);
	out[n] = '\0';
	if (n > 0 && out[n - 1] == 'Z')
		out[n - 1] = '\0';
}

static int
ship_document(struct st_db *db, struct shp *s, struct err *e)
{
	struct doc_shipment d = { 0 };
	char (*texts)[ST_CODE_MAX] = NULL, now[32], *body = NULL;
	char date[40], transfer[40];
	struct doc_line *lines = NULL;
	struct st_site site;
	size_t len;
	int rc;

	if ((rc = st_site_get(db, &site, e)) < 0 ||
	    (rc = ship_lines(db, s, &lines, &texts, &d.n, e)) < 0)
		goto out;
	db_now(now);
	ship_time(s->date, date);
	ship_time(now, transfer);
	d.number = s->number;
	d.date = date;
	d.transfer_date = transfer;
	d.receiver_inn = s->receiver_inn;
	d.sender_inn = site.inn;
	d.turnover_type = s->turnover_type;
	d.lines = lines;
	body = doc_shipment(&d, &len);
	if ((rc = doc_outbox_add(db, "LP_SHIP_GOODS", body, len, d.n,
				 &s->document_id, e)) == 0)
		rc = doc_ship_codes(db, s->document_id, s->id, e);
out:
	free(body);
	free(lines);
	free(texts);
	return rc;
}

/* Everything on the shipment, whole subtrees, leaves: state shipped. */
static int
mark_shipped(struct st_db *db, struct shp *s, struct err *e)
{
	static const char gone[] =
		"WITH RECURSIVE sub(id) AS (SELECT code_id FROM shipment_items"
		" WHERE shipment_id = ?1 UNION ALL SELECT c.id FROM codes c"
		" JOIN sub ON c.parent_id = sub.id)"
		" UPDATE codes SET state = 1 WHERE id IN sub AND state = 0";
	static const char done[] =
		"UPDATE shipments SET state = 'finished', finished_at = ?2,"
		" document_id = ?3, units = ?4 WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, gone, e);
	char now[32];
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, s->id);
	if ((rc = db_done(db, st, e, "shipped")) < 0)
		return rc;
	s->open = false;
	if ((st = db_stmt(db, done, e)) == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, s->document_id);
	sqlite3_bind_int(st, 4, s->units);
	return db_done(db, st, e, "shipment done");
}

int
st_ship_turnover(struct st_db *db, const struct st_actor *who, int64_t id,
		 const char *type, struct st_shipment *out, struct err *e)
{
	static const char sql[] =
		"UPDATE shipments SET turnover_type = ?2 WHERE id = ?1"
		" AND state = 'open'";
	sqlite3_stmt *st;
	struct shp s;
	int rc;

	if (type == NULL || (strcmp(type, "SELLING") != 0 &&
			     strcmp(type, "COMMISSION") != 0 &&
			     strcmp(type, "AGENT") != 0))
		return err_set(e, ERR_INVALID, "%s", _("The "
			       "turnover type is SELLING, COMMISSION or "
			       "AGENT."));
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_shipment(db, who, ST_ACT_SHIP_OPEN, id, &s, e)) != 1)
		return rc;
	if (!s.open)
		return refuse(db, who, ST_ACT_SHIP_OPEN, 0, s.number,
			      rules_ship_finish(false, s.codes), NULL, e);
	if ((st = db_stmt(db, sql, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	if ((rc = db_done(db, st, e, "turnover type")) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	fill_out(&s, out);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int
st_ship_finish(struct st_db *db, const struct st_actor *who, int64_t id,
	       struct st_shipment *out, struct err *e)
{
	enum rules_ship_verdict v;
	struct shp s;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_shipment(db, who, ST_ACT_SHIP_FINISH, id, &s, e)) != 1)
		return rc;
	if ((v = rules_ship_finish(s.open, s.codes)) != RULES_SHIP_OK)
		return refuse(db, who, ST_ACT_SHIP_FINISH, 0, s.number, v, NULL,
			      e);
	if ((rc = ship_document(db, &s, e)) < 0 ||
	    (rc = mark_shipped(db, &s, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_SHIP_FINISH, true, 0, 0, s.number,
			   strlen(s.number), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	fill_out(&s, out);
	return 0;
fail:
	db_rollback(db);
	return rc;
}
