/*
 * accept: acceptance of an imported delivery, each operation one
 * transaction: open, scan (a known SSCC counts its whole expected
 * subtree), finish in full or in part into LP_ACCEPT_GOODS and stock.
 *
 * Progress lives in counters on the deliveries row, kept by every scan, so
 * that no scan counts a 300 000-code delivery. The decisions (verdict of a
 * scan, may it finish, each code's outcome) are rules_accept.c's.
 *
 * What it must not do: decide in SQL what the rules decide, import files
 * (delivery.c), or format values into SQL.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/doc.h"
#include "store/pack.h"
#include "store/rules_accept.h"
#include "scanners/i18n.h"

/* A deliveries row. */
struct dlv {
	int64_t id;
	enum rules_accept_state state;
	int expected, matched, surplus, duplicates, wrong_item;
	char number[64], release_order[64], date[40], transfer_date[40];
	char sender_inn[16], receiver_inn[16], turnover[16];
};

/* 1 found, 0 none, <0 error. */
static int
load_delivery(struct st_db *db, int64_t id, struct dlv *d, struct err *e)
{
	static const char sql[] =
		"SELECT state, expected, matched, surplus, duplicates,"
		" wrong_item, number, release_order, doc_date, transfer_date,"
		" sender_inn, receiver_inn, turnover_type"
		" FROM deliveries WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char state[16];
	int rc;

	memset(d, 0, sizeof(*d));
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "delivery")) != 1)
		return rc;
	d->id = id;
	db_text(st, 0, state, sizeof(state));
	if (strcmp(state, "importing") == 0) {
		/* still being written (delivery.c): not there yet */
		sqlite3_reset(st);
		memset(d, 0, sizeof(*d));
		return 0;
	}
	d->state = (enum rules_accept_state)rules_accept_state_parse(state);
	d->expected = sqlite3_column_int(st, 1);
	d->matched = sqlite3_column_int(st, 2);
	d->surplus = sqlite3_column_int(st, 3);
	d->duplicates = sqlite3_column_int(st, 4);
	d->wrong_item = sqlite3_column_int(st, 5);
	db_text(st, 6, d->number, sizeof(d->number));
	db_text(st, 7, d->release_order, sizeof(d->release_order));
	db_text(st, 8, d->date, sizeof(d->date));
	db_text(st, 9, d->transfer_date, sizeof(d->transfer_date));
	db_text(st, 10, d->sender_inn, sizeof(d->sender_inn));
	db_text(st, 11, d->receiver_inn, sizeof(d->receiver_inn));
	db_text(st, 12, d->turnover, sizeof(d->turnover));
	sqlite3_reset(st);
	return 1;
}

static void
progress(const struct dlv *d, const char *verdict, int units,
	 struct st_accept_progress *out)
{
	memset(out, 0, sizeof(*out));
	out->delivery_id = d->id;
	out->matched = d->matched;
	out->missing = d->expected - d->matched;
	out->surplus = d->surplus;
	out->duplicates = d->duplicates;
	out->wrong_item = d->wrong_item;
	out->verdict = verdict;
	out->units = units;
}

/* Load delivery id or refuse (audited) when there is none: 1 loaded,
 * ERR_REFUSED or <0. */
static int
need_delivery(struct st_db *db, const struct st_actor *who,
	      enum st_action act, int64_t id, struct dlv *d, struct err *e)
{
	char why[ERR_MSG_MAX];
	int rc = load_delivery(db, id, d, e);

	if (rc != 0)
		return rc;
	snprintf(why, sizeof(why), _("No delivery %lld."),
		 (long long)id);
	return pack_refuse_text(db, who, act, 0, 0, NULL, 0, why, e);
}

/* Refuse r for delivery d in the open transaction. */
static int
refuse(struct st_db *db, const struct st_actor *who, enum st_action act,
       const struct dlv *d, enum rules_accept_refusal r, const char *scan,
       struct err *e)
{
	char why[ERR_MSG_MAX];

	if (r == RULES_ACC_MISSING)
		snprintf(why, sizeof(why), _("%d expected "
			 "codes are still missing: scan them, or finish in "
			 "part to reject them."), d->expected - d->matched);
	else
		snprintf(why, sizeof(why), "%s",
			 _(rules_accept_reason(r)));
	return pack_refuse_text(db, who, act, 0, 0, scan,
				scan != NULL ? strlen(scan) : 0, why, e);
}

static int
set_state(struct st_db *db, int64_t id, enum rules_accept_state s,
	  int64_t doc, struct err *e)
{
	static const char sql[] =
		"UPDATE deliveries SET state = ?2,"
		" finished_at = CASE WHEN ?3 IS NULL THEN finished_at ELSE ?4"
		" END, document_id = coalesce(?3, document_id) WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char now[32];

	if (st == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, rules_accept_state_name(s), -1,
			  SQLITE_STATIC);
	if (doc != 0)
		sqlite3_bind_int64(st, 3, doc);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
	return db_done(db, st, e, "delivery state");
}

int
st_accept_open(struct st_db *db, const struct st_actor *who,
	       int64_t delivery_id, struct st_accept_progress *out,
	       struct err *e)
{
	enum rules_accept_refusal r;
	struct dlv d;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_delivery(db, who, ST_ACT_ACCEPT_OPEN, delivery_id, &d,
				e)) != 1)
		return rc;
	if ((r = rules_accept_may_open(d.state)) != RULES_ACC_OK)
		return refuse(db, who, ST_ACT_ACCEPT_OPEN, &d, r, NULL, e);
	d.state = RULES_ACC_ACCEPTING;
	if ((rc = set_state(db, d.id, d.state, 0, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_ACCEPT_OPEN, true, 0, 0, d.number,
			   strlen(d.number), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	progress(&d, NULL, 0, out);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* --- scan ---------------------------------------------------------------- */

/*
 * Step sql with ?1 = a and ?2 = text, or else ?2 = b unless b < 0: 1 if
 * it returned a row (its first column into *col0 if non-NULL), 0, <0.
 */
static int
lookup(struct st_db *db, const char *sql, int64_t a, int64_t b,
       const char *text, int64_t *col0, struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, a);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else if (b >= 0)
		sqlite3_bind_int64(st, 2, b);
	rc = db_row(db, st, e, "lookup");
	if (rc == 1 && col0 != NULL)
		*col0 = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

/* The facts of a scan: the expected item (0 if none) and the rest. */
static int
scan_facts(struct st_db *db, const struct dlv *d, const struct pack_key *k,
	   int64_t *item, struct rules_accept_scan *s, struct err *e)
{
	static const char find[] =
		"SELECT id, found FROM delivery_items WHERE delivery_id = ?1"
		" AND gtin_id = ?2 AND serial = ?3";
	static const char seen[] =
		"SELECT 1 FROM delivery_scans WHERE delivery_id = ?1"
		" AND code = ?2 LIMIT 1";
	static const char gtin[] =
		"SELECT 1 FROM delivery_items WHERE delivery_id = ?1"
		" AND gtin_id = ?2 LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	*item = 0;
	s->is_pack = k->kind == PACK_KIND_BOX;
	if (k->gtin_id >= 0) {
		if ((st = db_stmt(db, find, e)) == NULL)
			return e->code;
		sqlite3_bind_int64(st, 1, d->id);
		sqlite3_bind_int64(st, 2, k->gtin_id);
		sqlite3_bind_text(st, 3, k->serial, -1, SQLITE_STATIC);
		if ((rc = db_row(db, st, e, "item")) == 1) {
			*item = sqlite3_column_int64(st, 0);
			s->found = sqlite3_column_int(st, 1) != 0;
		}
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
		s->in_delivery = rc == 1;
	}
	if (s->in_delivery)
		return 0;
	if ((rc = lookup(db, seen, d->id, -1, k->text, NULL, e)) < 0)
		return rc;
	s->seen = rc == 1;
	if (k->gtin_id < 0 || s->is_pack)
		return 0;
	if ((rc = lookup(db, gtin, d->id, k->gtin_id, NULL, NULL, e)) < 0)
		return rc;
	s->gtin_in_delivery = rc == 1;
	return 0;
}

/* Mark item and its expected subtree found; *n gets how many changed. */
static int
find_subtree(struct st_db *db, int64_t item, int *n, struct err *e)
{
	static const char sql[] =
		"WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL"
		" SELECT d.id FROM delivery_items d JOIN sub"
		" ON d.parent_item_id = sub.id)"
		" UPDATE delivery_items SET found = 1"
		" WHERE id IN sub AND found = 0";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, item);
	if ((rc = db_done(db, st, e, "found")) < 0)
		return rc;
	*n = sqlite3_changes(db->h);
	return 0;
}

/* A pack whose every expected child is found is found itself (its
 * label need not be scanned); walk up from item, adding to *n. */
static int
complete_up(struct st_db *db, int64_t item, int *n, struct err *e)
{
	static const char up[] =
		"SELECT p.id FROM delivery_items c JOIN delivery_items p"
		" ON p.id = c.parent_item_id WHERE c.id = ?1"
		" AND p.found = 0";
	static const char open[] =
		"SELECT 1 FROM delivery_items WHERE parent_item_id = ?1"
		" AND found = 0 LIMIT 1";
	static const char set[] =
		"UPDATE delivery_items SET found = 1 WHERE id = ?1";
	int64_t parent;
	sqlite3_stmt *st;
	int depth, rc;

	for (depth = 0; depth <= ST_MAX_DEPTH; depth++) {
		if ((rc = lookup(db, up, item, -1, NULL, &parent, e)) <= 0)
			return rc;
		if ((rc = lookup(db, open, parent, -1, NULL, NULL, e)) != 0)
			return rc < 0 ? rc : 0;
		if ((st = db_stmt(db, set, e)) == NULL)
			return e->code;
		sqlite3_bind_int64(st, 1, parent);
		if ((rc = db_done(db, st, e, "found")) < 0)
			return rc;
		(*n)++;
		item = parent;
	}
	return 0;
}

static int
record_scan(struct st_db *db, const struct st_actor *who,
	    const struct dlv *d, int64_t item, const char *code,
	    enum rules_accept_verdict v, int units, struct err *e)
{
	static const char scan[] =
		"INSERT INTO delivery_scans(delivery_id, item_id, code,"
		" verdict, units, at, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		" ?7)";
	static const char counts[] =
		"UPDATE deliveries SET matched = ?2, surplus = ?3,"
		" duplicates = ?4, wrong_item = ?5 WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, scan, e);
	char now[32];
	int rc;

	if (st == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_int64(st, 1, d->id);
	if (item != 0)
		sqlite3_bind_int64(st, 2, item);
	sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rules_accept_verdict_name(v), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 5, units);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	if (who->user_id != 0)
		sqlite3_bind_int64(st, 7, who->user_id);
	if ((rc = db_done(db, st, e, "scan")) < 0)
		return rc;
	if ((st = db_stmt(db, counts, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_int(st, 2, d->matched);
	sqlite3_bind_int(st, 3, d->surplus);
	sqlite3_bind_int(st, 4, d->duplicates);
	sqlite3_bind_int(st, 5, d->wrong_item);
	return db_done(db, st, e, "counts");
}

/* Apply verdict v of the scan of item to the counters in *d. */
static int
apply_verdict(struct st_db *db, struct dlv *d, int64_t item,
	      enum rules_accept_verdict v, int *units, struct err *e)
{
	int rc;

	*units = 0;
	switch (v) {
	case RULES_ACC_MATCHED:
		if ((rc = find_subtree(db, item, units, e)) < 0 ||
		    (rc = complete_up(db, item, units, e)) < 0)
			return rc;
		d->matched += *units;
		break;
	case RULES_ACC_DUPLICATE:
		d->duplicates++;
		break;
	case RULES_ACC_SURPLUS:
		d->surplus++;
		break;
	case RULES_ACC_WRONG_ITEM:
		d->wrong_item++;
		break;
	}
	return 0;
}

int
st_accept_scan(struct st_db *db, const struct st_actor *who,
	       int64_t delivery_id, const struct mark *m,
	       struct st_accept_progress *out, struct err *e)
{
	struct rules_accept_scan s;
	enum rules_accept_verdict v;
	enum rules_accept_refusal r;
	const char *reason;
	struct pack_key k;
	struct dlv d;
	int64_t item;
	int rc, units;
	char problem[320];

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_delivery(db, who, ST_ACT_ACCEPT_SCAN, delivery_id, &d,
				e)) != 1)
		return rc;
	if ((rc = pack_key(db, m, false, &k, e)) < 0)
		goto fail;
	if ((r = rules_accept_may_scan(d.state)) != RULES_ACC_OK)
		return refuse(db, who, ST_ACT_ACCEPT_SCAN, &d, r, k.text, e);
	if ((rc = scan_facts(db, &d, &k, &item, &s, e)) < 0 ||
	    (rc = st_checks_problem(db, k.text, ST_CHECK_ACCEPT, problem,
				    sizeof(problem), e)) < 0)
		goto fail;
	v = rules_accept_verdict(&s);
	reason = rules_accept_verdict_reason(v);
	if (reason != NULL)
		reason = _(reason);
	if ((rc = apply_verdict(db, &d, item, v, &units, e)) < 0 ||
	    (rc = record_scan(db, who, &d, item, k.text, v, units, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_ACCEPT_SCAN,
			   v == RULES_ACC_MATCHED, 0, 0, k.text,
			   strlen(k.text), reason, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	progress(&d, rules_accept_verdict_name(v), units, out);
	if (problem[0] != '\0')
		snprintf(out->checked, sizeof(out->checked),
			 _("checked: %s"), problem);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* --- finish -------------------------------------------------------------- */

/* The expected codes of a delivery, in document order. */
struct items {
	size_t n, cap;
	struct rules_accept_item *r;
	int64_t *id, *gtin_id, *code_id;
	int *kind, *line, *stocked_children;
	bool *has_pack;		/* a stocked pack directly inside */
	char (*serial)[MARK_SSCC_LEN + 8];
	char (*text)[ST_CODE_MAX];
};

static void
items_free(struct items *it)
{
	free(it->r);
	free(it->id);
	free(it->gtin_id);
	free(it->code_id);
	free(it->kind);
	free(it->line);
	free(it->stocked_children);
	free(it->has_pack);
	free(it->serial);
	free(it->text);
	memset(it, 0, sizeof(*it));
}

static int
items_alloc(struct items *it, size_t n)
{
	size_t c = n > 0 ? n : 1;

	it->cap = c;
	it->r = calloc(c, sizeof(*it->r));
	it->id = calloc(c, sizeof(*it->id));
	it->gtin_id = calloc(c, sizeof(*it->gtin_id));
	it->code_id = calloc(c, sizeof(*it->code_id));
	it->kind = calloc(c, sizeof(*it->kind));
	it->line = calloc(c, sizeof(*it->line));
	it->stocked_children = calloc(c, sizeof(*it->stocked_children));
	it->has_pack = calloc(c, sizeof(*it->has_pack));
	it->serial = calloc(c, sizeof(*it->serial));
	it->text = calloc(c, sizeof(*it->text));
	return it->r && it->id && it->gtin_id && it->code_id && it->kind &&
		it->line && it->stocked_children && it->has_pack &&
		it->serial && it->text ? 0 : -1;
}

/* Index of item id (ids ascend), or -1. */
static int
index_of(const struct items *it, int64_t id)
{
	size_t lo = 0, hi = it->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (it->id[mid] == id)
			return (int)mid;
		if (it->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The code as documents write it (the code_text view's rule). */
static void
item_text(char *out, size_t n, int kind, const char *gtin,
	  const char *serial)
{
	if (kind >= PACK_KIND_BOX)
		snprintf(out, n, "%s", serial);
	else if (kind == PACK_KIND_CIGARETTE)
		snprintf(out, n, "%s%s", gtin, serial);
	else
		snprintf(out, n, "01%s21%s", gtin, serial);
}

static int
load_items(struct st_db *db, const struct dlv *d, struct items *it,
	   struct err *e)
{
	static const char sql[] =
		"SELECT i.id, i.parent_item_id, i.found, i.kind, i.gtin_id,"
		" i.serial, g.gtin FROM delivery_items i JOIN gtins g"
		" ON g.id = i.gtin_id WHERE i.delivery_id = ?1 ORDER BY i.id";
	sqlite3_stmt *st;
	int rc;

	if (items_alloc(it, (size_t)d->expected) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, d->id);
	while ((rc = db_row(db, st, e, "items")) == 1 && it->n < it->cap) {
		size_t i = it->n++;
		char gtin[MARK_GTIN_LEN + 1];

		it->id[i] = sqlite3_column_int64(st, 0);
		it->r[i].parent = sqlite3_column_type(st, 1) == SQLITE_NULL ?
			-1 : index_of(it, sqlite3_column_int64(st, 1));
		it->r[i].found = sqlite3_column_int(st, 2) != 0;
		it->kind[i] = sqlite3_column_int(st, 3);
		it->gtin_id[i] = sqlite3_column_int64(st, 4);
		db_text(st, 5, it->serial[i], sizeof(it->serial[i]));
		db_text(st, 6, gtin, sizeof(gtin));
		item_text(it->text[i], sizeof(it->text[i]), it->kind[i], gtin,
			  it->serial[i]);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* LP_ACCEPT_GOODS into the outbox; *doc gets its id. */
static int
accept_document(struct st_db *db, const struct dlv *d, struct items *it,
		int64_t *doc, struct err *e)
{
	struct doc_line *lines = calloc(it->n > 0 ? it->n : 1,
					sizeof(*lines));
	struct doc_acceptance a = { 0 };
	struct st_site site;
	char now[32], date[40], transfer[40], *body = NULL;
	size_t i, len;
	int n = 0, rc;

	if (lines == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if ((rc = st_site_get(db, &site, e)) < 0)
		goto out;
	for (i = 0; i < it->n; i++) {
		int p = it->r[i].parent;

		it->line[i] = -1;
		if (!rules_accept_listed(it->r, i))
			continue;
		lines[n].code = it->text[i];
		lines[n].is_pack = it->kind[i] >= PACK_KIND_BOX;
		lines[n].accepted = it->r[i].outcome != RULES_ACC_NONE;
		lines[n].parent = p >= 0 && (size_t)p < i ? it->line[p] : -1;
		it->line[i] = n++;
	}
	db_now(now);
	/* §5.7 wants every date as a timestamp with 'Z'; a date that is
	 * none stays as it is and the outbox refuses it by name */
	if (!doc_timestamp_z(d->date, date))
		snprintf(date, sizeof(date), "%s", d->date);
	if (!doc_timestamp_z(d->transfer_date[0] ? d->transfer_date : d->date,
			     transfer))
		snprintf(transfer, sizeof(transfer), "%s", d->transfer_date);
	a.release_order = d->release_order[0] ? d->release_order : d->number;
	a.number = d->number;
	a.date = date;
	a.transfer_date = transfer;
	a.acceptance_date = now;
	a.sender_inn = d->sender_inn;
	a.recipient_inn = d->receiver_inn[0] ? d->receiver_inn : site.inn;
	a.turnover_type = d->turnover[0] ? d->turnover : "SELLING";
	a.lines = lines;
	a.n = n;
	body = doc_acceptance(&a, &len);
	rc = doc_outbox_add(db, "LP_ACCEPT_GOODS", body, len, n, doc, e);
out:
	free(body);
	free(lines);
	return rc;
}

static int
stock_code(struct st_db *db, struct items *it, size_t i, struct err *e)
{
	static const char sql[] =
		"INSERT INTO codes(gtin_id, serial, kind, parent_id, state)"
		" VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT(gtin_id, serial)"
		" DO UPDATE SET kind = excluded.kind,"
		" parent_id = excluded.parent_id, state = 0 RETURNING id";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int p = it->r[i].parent, kind = it->kind[i], rc;

	if (st == NULL)
		return e->code;
	if (kind >= PACK_KIND_BOX)
		kind = it->has_pack[i] ? PACK_KIND_PALLET : PACK_KIND_BOX;
	sqlite3_bind_int64(st, 1, it->gtin_id[i]);
	sqlite3_bind_text(st, 2, it->serial[i], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, kind);
	if (p >= 0 && it->code_id[p] != 0)
		sqlite3_bind_int64(st, 4, it->code_id[p]);
	if ((rc = db_row(db, st, e, "stock")) == 1)
		it->code_id[i] = sqlite3_column_int64(st, 0);
	/* Step to the end so the statement finishes before the next use. */
	while (rc == 1)
		rc = db_row(db, st, e, "stock");
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

static int
stock_pack(struct st_db *db, const struct st_actor *who, struct items *it,
	   size_t i, int64_t doc, const char *now, struct err *e)
{
	static const char sql[] =
		"INSERT INTO packs(code_id, level, capacity, gtin_policy,"
		" require_crypto, state, count, opened_by, opened_at,"
		" closed_by, closed_at, document_id)"
		" VALUES (?1, ?2, 0, 'any', 0, 'confirmed', ?3, ?4, ?5, ?4, ?5,"
		" ?6) ON CONFLICT(code_id) DO UPDATE SET level = excluded.level,"
		" state = 'confirmed', count = excluded.count,"
		" closed_by = excluded.closed_by, closed_at = excluded.closed_at,"
		" document_id = excluded.document_id";
	static const char empty[] =
		"UPDATE codes SET parent_id = NULL WHERE parent_id = ?1";
	sqlite3_stmt *st = db_stmt(db, empty, e);
	int rc;

	/* A pack we held before (shipped, now back) holds what came back
	 * in it now, nothing it held then. */
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, it->code_id[i]);
	if ((rc = db_done(db, st, e, "empty pack")) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, it->code_id[i]);
	sqlite3_bind_text(st, 2, it->has_pack[i] ? "pallet" : "box", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 3, it->stocked_children[i]);
	if (who->user_id != 0)
		sqlite3_bind_int64(st, 4, who->user_id);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, doc);
	return db_done(db, st, e, "stock pack");
}

/* What arrived goes into stock with its pack tree; packs confirmed,
 * reported by the acceptance document doc. */
static int
stock(struct st_db *db, const struct st_actor *who, struct items *it,
      int64_t doc, struct err *e)
{
	char now[32];
	size_t i;
	int rc;

	for (i = 0; i < it->n; i++) {
		int p = it->r[i].parent;

		if (!rules_accept_stocked(it->r, i) || p < 0)
			continue;
		it->stocked_children[p]++;
		if (it->kind[i] >= PACK_KIND_BOX)
			it->has_pack[p] = true;
	}
	db_now(now);
	for (i = 0; i < it->n; i++) {
		if (!rules_accept_stocked(it->r, i))
			continue;
		if ((rc = stock_code(db, it, i, e)) < 0)
			return rc;
		/* a later document about a code the acceptance lists (a
		 * shipment, a disbanding) waits for it (doc_deps.c) */
		if (it->line[i] >= 0 && it->code_id[i] != 0 &&
		    (rc = doc_touch_code(db, doc, it->code_id[i], e)) < 0)
			return rc;
		if (it->kind[i] >= PACK_KIND_BOX &&
		    (rc = stock_pack(db, who, it, i, doc, now, e)) < 0)
			return rc;
	}
	return 0;
}

/* The operation itself, in one transaction (see the wrapper below). */
static int
accept_finish_tx(struct st_db *db, const struct st_actor *who,
		 int64_t delivery_id, bool partial,
		 struct st_accept_progress *out, struct err *e)
{
	struct items it = { 0 };
	enum rules_accept_refusal r;
	struct dlv d;
	int64_t doc = 0;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = need_delivery(db, who, ST_ACT_ACCEPT_FINISH, delivery_id,
				&d, e)) != 1)
		return rc;
	r = rules_accept_may_finish(d.state, d.expected - d.matched, partial);
	if (r != RULES_ACC_OK)
		return refuse(db, who, ST_ACT_ACCEPT_FINISH, &d, r, NULL, e);
	if ((rc = load_items(db, &d, &it, e)) < 0)
		goto fail;
	rules_accept_outcomes(it.r, it.n);
	d.state = d.matched == d.expected ? RULES_ACC_ACCEPTED :
		RULES_ACC_PARTIAL;
	if ((rc = accept_document(db, &d, &it, &doc, e)) < 0 ||
	    (rc = stock(db, who, &it, doc, e)) < 0 ||
	    (rc = set_state(db, d.id, d.state, doc, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_ACCEPT_FINISH, true, 0, 0,
			   d.number, strlen(d.number), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	items_free(&it);
	progress(&d, NULL, 0, out);
	return 0;
fail:
	items_free(&it);
	db_rollback(db);
	return rc;
}

/* Big jobs get a big page cache while they run (64 MiB instead of
 * SQLite's 2 MiB: it halves the time the write lock is held), and the
 * console's memory goes back to normal afterwards. */
int
st_accept_finish(struct st_db *db, const struct st_actor *who,
		 int64_t delivery_id, bool partial,
		 struct st_accept_progress *out, struct err *e)
{
	int rc;

	db_cache_big(db, true);
	rc = accept_finish_tx(db, who, delivery_id, partial, out, e);
	db_cache_big(db, false);
	return rc;
}
