/*
 * export: what a shipment, an acceptance or a pack holds, arranged the
 * way the УПД's marking block needs it (../shared/reference/upd.md §3,
 * §4.2, §4.3): one line per GTIN (one СведТов), each with the codes that
 * leave under it, highest aggregate first, and the tree below them.
 *
 * A pack whose units all have one GTIN goes under that GTIN's line
 * whole; a mixed pack cannot sit under one line (§4.2), so its contents
 * go to their own lines instead. A unit or group pack counts as its own
 * unit content (1 when nothing is known inside it); an SSCC as the sum
 * of what is in it.
 *
 * Reads only. The formats (XML, CSV, JSON) are written by the caller
 * (console/export_fmt.c); nothing here formats text for a file.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/pack.h"
#include "scanners/i18n.h"

/* One code as read, before it is arranged. */
struct xrow {
	int64_t id, parent;	/* parent 0: none */
	int kind;
	char gtin[MARK_GTIN_LEN + 1];
	char code[ST_CODE_MAX];
	char list[12];
	/* worked out */
	int32_t idx_parent, first_child, next;
	char lg[MARK_GTIN_LEN + 1];	/* the line's GTIN, "" mixed */
	int units;
	bool mixed;
};

struct xbuild {
	struct xrow *r;
	size_t n, cap;
	int64_t *hkey;
	int32_t *hval;
	size_t hcap;
	struct st_export *x;
	size_t xcap;
};

static bool
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 256;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static struct xrow *
add_row(struct xbuild *b)
{
	struct xrow *r;

	if (!grow((void **)&b->r, &b->cap, b->n + 1, sizeof(*b->r)))
		return NULL;
	r = &b->r[b->n++];
	memset(r, 0, sizeof(*r));
	r->idx_parent = r->first_child = r->next = -1;
	return r;
}

static size_t
hslot(const struct xbuild *b, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 20) & (b->hcap - 1);
}

static int32_t
hfind(const struct xbuild *b, int64_t key)
{
	size_t at;

	if (b->hcap == 0)
		return -1;
	for (at = hslot(b, key); b->hval[at] >= 0;
	     at = (at + 1) & (b->hcap - 1))
		if (b->hkey[at] == key)
			return b->hval[at];
	return -1;
}

/* Index every row by its id; false when out of memory. */
static bool
index_rows(struct xbuild *b)
{
	size_t i, cap = 1024, at;

	while (cap < b->n * 2 + 2)
		cap *= 2;
	b->hkey = malloc(cap * sizeof(*b->hkey));
	b->hval = malloc(cap * sizeof(*b->hval));
	if (b->hkey == NULL || b->hval == NULL)
		return false;
	b->hcap = cap;
	for (i = 0; i < cap; i++)
		b->hval[i] = -1;
	for (i = 0; i < b->n; i++) {
		for (at = hslot(b, b->r[i].id); b->hval[at] >= 0;
		     at = (at + 1) & (cap - 1))
			;
		b->hkey[at] = b->r[i].id;
		b->hval[at] = (int32_t)i;
	}
	return true;
}

/* Children lists, then each row's line GTIN and units, children first
 * (rows come parents first). */
static void
work_out(struct xbuild *b)
{
	size_t i;

	for (i = b->n; i-- > 0;) {
		struct xrow *r = &b->r[i];
		int32_t p = r->parent ? hfind(b, r->parent) : -1;

		if (p >= (int32_t)i)
			p = -1;		/* not before it: treat as top */
		r->idx_parent = p;
		if (p >= 0) {
			r->next = b->r[p].first_child;
			b->r[p].first_child = (int32_t)i;
		}
	}
	for (i = b->n; i-- > 0;) {
		struct xrow *r = &b->r[i];
		int32_t c;
		int units = 0;
		bool mixed = false, any = false;
		char lg[MARK_GTIN_LEN + 1] = "";

		for (c = r->first_child; c >= 0; c = b->r[c].next) {
			const struct xrow *k = &b->r[c];

			units += k->units;
			if (k->mixed || (any && strcmp(lg, k->lg) != 0))
				mixed = true;
			if (!any)
				snprintf(lg, sizeof(lg), "%s", k->lg);
			any = true;
		}
		if (r->kind < PACK_KIND_BOX) {
			/* a unit or group pack: its own line */
			snprintf(r->lg, sizeof(r->lg), "%s", r->gtin);
			r->units = units > 0 ? units : 1;
		} else {
			snprintf(r->lg, sizeof(r->lg), "%s", mixed ? "" : lg);
			r->mixed = mixed;
			r->units = units;
		}
	}
}

static int
line_of(struct st_export *x, const char *gtin)
{
	int i;

	for (i = 0; i < x->nlines; i++)
		if (strcmp(x->lines[i].gtin, gtin) == 0)
			return i;
	if (!grow((void **)&x->lines, &x->lines_cap, (size_t)x->nlines + 1,
		  sizeof(*x->lines)))
		return -1;
	memset(&x->lines[x->nlines], 0, sizeof(x->lines[0]));
	snprintf(x->lines[x->nlines].gtin, sizeof(x->lines[0].gtin), "%s",
		 gtin);
	return x->nlines++;
}

/* Put row i and its subtree into line under out-parent parent. */
static bool
emit_tree(struct xbuild *b, int32_t i, int line, int32_t parent)
{
	struct st_export *x = b->x;
	const struct xrow *r = &b->r[i];
	struct st_xnode *nd;
	int32_t me, c;

	if (!grow((void **)&x->nodes, &b->xcap, x->n + 1, sizeof(*x->nodes)))
		return false;
	me = (int32_t)x->n++;
	nd = &x->nodes[me];
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->code, sizeof(nd->code), "%s", r->code);
	snprintf(nd->gtin, sizeof(nd->gtin), "%s", r->gtin);
	snprintf(nd->list, sizeof(nd->list), "%s", r->list);
	nd->kind = r->kind;
	nd->parent = parent;
	nd->line = line;
	nd->units = r->units;
	if (parent < 0) {
		struct st_xline *l = &x->lines[line];

		l->count += r->units;
		if (r->kind >= PACK_KIND_BOX)
			l->nsscc++;
		else if (r->kind == PACK_KIND_GROUP ||
			 r->kind == PACK_KIND_SET)
			l->npack++;
		else
			l->nki++;
	}
	for (c = r->first_child; c >= 0; c = b->r[c].next)
		if (!emit_tree(b, c, line, me))
			return false;
	return true;
}

/* A top code: under its line if it has one, else its contents each on
 * their own (a mixed pack). Lines in the order they first appear. */
static bool
emit_top(struct xbuild *b, int32_t i)
{
	const struct xrow *r = &b->r[i];
	int32_t c;
	int line;

	if (r->lg[0] == '\0' && r->first_child >= 0) {
		for (c = r->first_child; c >= 0; c = b->r[c].next)
			if (!emit_top(b, c))
				return false;
		return true;
	}
	if ((line = line_of(b->x, r->lg)) < 0)
		return false;
	return emit_tree(b, i, line, -1);
}

/* Rows are in; arrange them into b->x. */
static int
arrange(struct xbuild *b, struct err *e)
{
	size_t i;

	if (!index_rows(b))
		return err_set(e, ERR_INTERNAL, "out of memory");
	work_out(b);
	/* work_out prepended children walking back: in reading order */
	for (i = 0; i < b->n; i++)
		if (b->r[i].idx_parent < 0 && !emit_top(b, (int32_t)i))
			return err_set(e, ERR_INTERNAL, "out of memory");
	return 0;
}

static void
build_free(struct xbuild *b)
{
	free(b->r);
	free(b->hkey);
	free(b->hval);
}

/* The code as documents write it (code_text's rule). */
static void
code_text(char *out, size_t n, int kind, const char *gtin, const char *serial)
{
	if (kind >= PACK_KIND_BOX)
		snprintf(out, n, "%s", serial);
	else if (kind == PACK_KIND_CIGARETTE)
		snprintf(out, n, "%s%s", gtin, serial);
	else
		snprintf(out, n, "01%s21%s", gtin, serial);
}

/* Read rows from st: id, parent, kind, gtin, serial, list (optional). */
static int
read_rows(struct st_db *db, struct xbuild *b, sqlite3_stmt *st,
	  struct err *e)
{
	int rc;

	while ((rc = db_row(db, st, e, "export")) == 1) {
		struct xrow *r = add_row(b);
		char serial[MARK_SERIAL_MAX + 1];

		if (r == NULL) {
			sqlite3_reset(st);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
		r->id = sqlite3_column_int64(st, 0);
		r->parent = sqlite3_column_int64(st, 1);
		r->kind = sqlite3_column_int(st, 2);
		db_text(st, 3, r->gtin, sizeof(r->gtin));
		db_text(st, 4, serial, sizeof(serial));
		if (sqlite3_column_count(st) > 5)
			db_text(st, 5, r->list, sizeof(r->list));
		code_text(r->code, sizeof(r->code), r->kind, r->gtin, serial);
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Each line's product name: the catalogue's, else the newest a УПД gave
 * its GTIN (delivery_lines). */
static int
line_names(struct st_db *db, struct st_export *x, struct err *e)
{
	static const char sql[] =
		"SELECT coalesce((SELECT name FROM products WHERE gtin = ?1),"
		" (SELECT name FROM delivery_lines WHERE gtin = ?1"
		" AND name IS NOT NULL ORDER BY delivery_id DESC LIMIT 1))";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int i, rc;

	if (st == NULL)
		return e->code;
	for (i = 0; i < x->nlines; i++) {
		sqlite3_bind_text(st, 1, x->lines[i].gtin, -1, SQLITE_STATIC);
		if ((rc = db_row(db, st, e, "line names")) == 1)
			db_text(st, 0, x->lines[i].name,
				sizeof(x->lines[i].name));
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
new_export(struct st_export **out, const char *what, int64_t id,
	   struct err *e)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	snprintf((*out)->what, sizeof((*out)->what), "%s", what);
	(*out)->id = id;
	return 0;
}

void
st_export_free(struct st_export *x)
{
	if (x == NULL)
		return;
	free(x->lines);
	free(x->nodes);
	free(x);
}

/* Arrange the rows in b into *x and name its lines; frees b. */
static int
finish(struct st_db *db, struct xbuild *b, struct st_export *x,
       struct err *e)
{
	int rc;

	b->x = x;
	rc = arrange(b, e);
	if (rc == 0)
		rc = line_names(db, x, e);
	build_free(b);
	return rc;
}

int
st_export_shipment(struct st_db *db, int64_t id, struct st_export **out,
		   struct err *e)
{
	static const char head[] =
		"SELECT s.number, s.receiver_inn, s.doc_date, s.state,"
		" coalesce(s.finished_at, ''), coalesce(s.document_id, 0),"
		" (SELECT value FROM site WHERE key = 'inn'),"
		" coalesce(s.turnover_type, 'SELLING')"
		" FROM shipments s WHERE s.id = ?1";
	/* every code leaving, parents first (the recursive queue is
	 * first in, first out) */
	static const char rows[] =
		"WITH RECURSIVE t(id, parent) AS ("
		" SELECT code_id, 0 FROM shipment_items"
		"  WHERE shipment_id = ?1"
		" UNION ALL SELECT c.id, t.id FROM codes c"
		"  JOIN t ON c.parent_id = t.id)"
		" SELECT t.id, t.parent, c.kind, g.gtin, c.serial"
		" FROM t JOIN codes c ON c.id = t.id"
		" JOIN gtins g ON g.id = c.gtin_id";
	struct xbuild b = { 0 };
	struct st_export *x;
	sqlite3_stmt *st;
	int rc;

	if ((rc = new_export(out, "shipment", id, e)) < 0)
		return rc;
	x = *out;
	if ((st = db_stmt(db, head, e)) == NULL)
		goto fail_e;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "shipment")) != 1) {
		sqlite3_reset(st);
		if (rc == 0)
			rc = err_set(e, ERR_NOTFOUND, _("There "
				     "is no shipment %lld."), (long long)id);
		goto fail;
	}
	db_text(st, 0, x->number, sizeof(x->number));
	db_text(st, 1, x->receiver_inn, sizeof(x->receiver_inn));
	db_text(st, 2, x->date, sizeof(x->date));
	db_text(st, 3, x->state, sizeof(x->state));
	db_text(st, 4, x->finished_at, sizeof(x->finished_at));
	x->document_id = sqlite3_column_int64(st, 5);
	db_text(st, 6, x->sender_inn, sizeof(x->sender_inn));
	db_text(st, 7, x->turnover, sizeof(x->turnover));
	sqlite3_reset(st);
	if ((st = db_stmt(db, rows, e)) == NULL)
		goto fail_e;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = read_rows(db, &b, st, e)) < 0) {
		build_free(&b);
		goto fail;
	}
	if ((rc = finish(db, &b, x, e)) < 0)
		goto fail;
	return 0;
fail_e:
	rc = e->code;
fail:
	st_export_free(x);
	*out = NULL;
	return rc;
}

int
st_export_acceptance(struct st_db *db, int64_t id, struct st_export **out,
		     struct err *e)
{
	static const char head[] =
		"SELECT d.number, coalesce(d.sender_inn, ''),"
		" coalesce(d.receiver_inn, (SELECT value FROM site"
		"  WHERE key = 'inn')), coalesce(d.doc_date, ''), d.state,"
		" coalesce(d.finished_at, ''), coalesce(d.document_id, 0),"
		" coalesce(d.release_order, d.number),"
		" coalesce(d.turnover_type, 'SELLING')"
		" FROM deliveries d WHERE d.id = ?1 AND d.state <> 'importing'";
	/* expected codes: found ones accepted; the rest missing, or
	 * rejected once the acceptance finished in part */
	static const char items[] =
		"SELECT i.id, coalesce(i.parent_item_id, 0), i.kind, g.gtin,"
		" i.serial, CASE WHEN i.found THEN 'accepted'"
		"  WHEN ?2 THEN 'rejected' ELSE 'missing' END"
		" FROM delivery_items i JOIN gtins g ON g.id = i.gtin_id"
		" WHERE i.delivery_id = ?1 ORDER BY i.id";
	static const char surplus[] =
		"SELECT DISTINCT code FROM delivery_scans WHERE delivery_id = ?1"
		" AND verdict IN ('surplus', 'wrong_item') ORDER BY id";
	struct xbuild b = { 0 };
	struct st_export *x;
	sqlite3_stmt *st;
	bool finished;
	size_t i;
	int rc;

	if ((rc = new_export(out, "acceptance", id, e)) < 0)
		return rc;
	x = *out;
	if ((st = db_stmt(db, head, e)) == NULL)
		goto fail_e;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "delivery")) != 1) {
		sqlite3_reset(st);
		if (rc == 0)
			rc = err_set(e, ERR_NOTFOUND, _("There "
				     "is no delivery %lld."), (long long)id);
		goto fail;
	}
	db_text(st, 0, x->number, sizeof(x->number));
	db_text(st, 1, x->sender_inn, sizeof(x->sender_inn));
	db_text(st, 2, x->receiver_inn, sizeof(x->receiver_inn));
	db_text(st, 3, x->date, sizeof(x->date));
	db_text(st, 4, x->state, sizeof(x->state));
	db_text(st, 5, x->finished_at, sizeof(x->finished_at));
	x->document_id = sqlite3_column_int64(st, 6);
	db_text(st, 7, x->file_id, sizeof(x->file_id));
	db_text(st, 8, x->turnover, sizeof(x->turnover));
	sqlite3_reset(st);
	finished = strcmp(x->state, "accepted") == 0 ||
		strcmp(x->state, "partial") == 0;
	if ((st = db_stmt(db, items, e)) == NULL)
		goto fail_e;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, finished);
	if ((rc = read_rows(db, &b, st, e)) < 0) {
		build_free(&b);
		goto fail;
	}
	/* scanned, not in the document: what the parser makes of them */
	if ((st = db_stmt(db, surplus, e)) == NULL) {
		build_free(&b);
		goto fail_e;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = db_row(db, st, e, "surplus")) == 1) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		struct xrow *r = add_row(&b);
		struct mark m;

		if (r == NULL) {
			sqlite3_reset(st);
			build_free(&b);
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			goto fail;
		}
		r->id = -(int64_t)b.n;		/* never an item's id */
		snprintf(r->list, sizeof(r->list), "surplus");
		if (mark_parse(code, strlen(code), &m) == 0 &&
		    m.kind == MARK_SSCC) {
			r->kind = PACK_KIND_BOX;
			snprintf(r->code, sizeof(r->code), "%s", m.sscc);
		} else if (m.kind != MARK_INVALID && m.cis[0]) {
			r->kind = PACK_KIND_UNIT;
			snprintf(r->gtin, sizeof(r->gtin), "%s", m.gtin);
			snprintf(r->code, sizeof(r->code), "%s", m.cis);
		} else {
			r->kind = PACK_KIND_UNIT;
			snprintf(r->code, sizeof(r->code), "%s", code);
		}
	}
	sqlite3_reset(st);
	if (rc < 0) {
		build_free(&b);
		goto fail;
	}
	for (i = 0; i < b.n; i++) {
		const char *l = b.r[i].list;

		if (strcmp(l, "accepted") == 0)
			x->accepted++;
		else if (strcmp(l, "missing") == 0)
			x->missing++;
		else if (strcmp(l, "rejected") == 0)
			x->rejected++;
		else
			x->surplus++;
	}
	/* the buyer's title's КодИтога (upd.md §2.4, §4.3) */
	x->result_code = x->accepted == 0 ? 3 :
		x->missing + x->rejected + x->surplus > 0 ? 2 : 1;
	if ((rc = finish(db, &b, x, e)) < 0)
		goto fail;
	return 0;
fail_e:
	rc = e->code;
fail:
	st_export_free(x);
	*out = NULL;
	return rc;
}

int
st_export_pack(struct st_db *db, const char *sscc, struct st_export **out,
	       struct err *e)
{
	static const char rows[] =
		"WITH RECURSIVE t(id, parent) AS ("
		" SELECT c.id, 0 FROM codes c WHERE c.gtin_id = 0"
		"  AND c.serial = ?1 AND c.kind >= 5"
		" UNION ALL SELECT c.id, t.id FROM codes c"
		"  JOIN t ON c.parent_id = t.id)"
		" SELECT t.id, t.parent, c.kind, g.gtin, c.serial,"
		" CASE c.state WHEN 0 THEN 'in_stock' ELSE 'shipped' END"
		" FROM t JOIN codes c ON c.id = t.id"
		" JOIN gtins g ON g.id = c.gtin_id";
	struct xbuild b = { 0 };
	struct st_export *x;
	sqlite3_stmt *st;
	int rc;

	if ((rc = new_export(out, "pack", 0, e)) < 0)
		return rc;
	x = *out;
	snprintf(x->number, sizeof(x->number), "%s", sscc);
	if ((st = db_stmt(db, rows, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	sqlite3_bind_text(st, 1, sscc, -1, SQLITE_TRANSIENT);
	if ((rc = read_rows(db, &b, st, e)) < 0) {
		build_free(&b);
		goto fail;
	}
	if (b.n == 0) {
		build_free(&b);
		rc = err_set(e, ERR_NOTFOUND, _("There is no "
			     "pack %s."), sscc);
		goto fail;
	}
	if ((rc = finish(db, &b, x, e)) < 0)
		goto fail;
	return 0;
fail:
	st_export_free(x);
	*out = NULL;
	return rc;
}

int
st_audit_each(struct st_db *db, const char *from, const char *to,
	      int (*fn)(void *arg, const struct st_audit_row *r), void *arg,
	      struct err *e)
{
	static const char sql[] =
		"SELECT a.id, a.at, coalesce(u.name, ''), coalesce(d.name, ''),"
		" a.action, a.ok, coalesce(c.code, ''), coalesce(p.code, ''),"
		" a.scan, coalesce(a.reason, '')"
		" FROM audit a LEFT JOIN users u ON u.id = a.user_id"
		" LEFT JOIN devices d ON d.id = a.device_id"
		" LEFT JOIN code_text c ON c.id = a.code_id"
		" LEFT JOIN code_text p ON p.id = a.pack_id"
		" WHERE a.at >= ?1 AND a.at < ?2 ORDER BY a.id";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, from ? from : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to ? to : "9999", -1, SQLITE_TRANSIENT);
	while ((rc = db_row(db, st, e, "audit")) == 1) {
		struct st_audit_row r;

		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		db_text(st, 1, r.at, sizeof(r.at));
		db_text(st, 2, r.user, sizeof(r.user));
		db_text(st, 3, r.device, sizeof(r.device));
		r.action = st_action_name(sqlite3_column_int(st, 4));
		r.ok = sqlite3_column_int(st, 5) != 0;
		db_text(st, 6, r.code, sizeof(r.code));
		db_text(st, 7, r.pack, sizeof(r.pack));
		r.scan = (const char *)sqlite3_column_blob(st, 8);
		r.scan_len = (size_t)sqlite3_column_bytes(st, 8);
		db_text(st, 9, r.reason, sizeof(r.reason));
		if (fn(arg, &r) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
