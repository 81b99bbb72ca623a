/*
 * stock: load the codes a site already owns (stock on hand) into the one
 * tree of codes, so that they can be packed, shipped and accepted against
 * like goods received here.
 *
 * Input (st_stock_parse): CSV or JSON, documented in sklad(1):
 *   CSV   a header line naming the columns, then one code a line. Column
 *         `code` (required): a КИ (bare or a full scan, GS as the byte or
 *         as the four characters \x1d) or an 18-digit SSCC; column
 *         `parent` (optional): the SSCC of the pack it is in, itself a
 *         line of the same file (anywhere). Other columns are ignored.
 *         Separator ',' ';' or tab, taken from the header; fields may be
 *         quoted ("" inside quotes is one "), so КИ with , ; " are fine.
 *   JSON  an array (or {"codes": [...]}) of objects {"code": ...,
 *         "parent": ... (optional), "children": [objects, recursive]}.
 * Every code goes through the mark parser; the first bad one refuses the
 * whole load naming its line. The file is parsed and checked in memory
 * first (codes listed twice, unknown or non-SSCC parents, cycles), then
 * everything goes in one transaction (st_stock_commit): codes (an SSCC
 * holding SSCCs becomes a pallet, else a box), pack rows 'confirmed',
 * one audit record per code (its pack named), and one outbox row of type
 * STOCK_LOAD, state confirmed, never sent: the origin the packs point at,
 * so that disbanding or changing a loaded pack makes its document (the
 * pack exists on the state system). A code already stored refuses the
 * load: nothing is half-loaded.
 *
 * What it must not do: talk to the network (sync/ fetches, this stores),
 * or format values into SQL.
 */
#define _GNU_SOURCE		/* memmem */
#include <jansson.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/code_index.h"
#include "store/db.h"
#include "store/gtin_table.h"
#include "store/pack.h"
#include "scanners/i18n.h"


struct stk_item {
	int32_t gtin;		/* index in s->gtins.v, -1 for an SSCC */
	int32_t parent;		/* index of its pack, -1 at top level */
	uint32_t serial;	/* offset in arena */
	uint32_t parent_text;	/* offset in arena of the parent SSCC, or
				   UINT32_MAX */
	uint8_t serial_len;
	uint8_t kind;		/* codes.kind */
	uint8_t depth;
	int32_t line;
	int32_t children;	/* direct children */
	int64_t id;		/* codes.id once inserted */
};

struct st_stock {
	char name[256];
	struct stk_item *items;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
	struct gtin_table gtins;	/* ids found at commit */
	struct code_index codes;	/* the items, by code */
	bool resolved;
	const char *data;	/* JSON: for line numbers while parsing */
	size_t len;
};

struct st_stock *
st_stock_new(const char *name)
{
	struct st_stock *s = calloc(1, sizeof(*s));

	if (s != NULL)
		snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	return s;
}

void
st_stock_free(struct st_stock *s)
{
	if (s == NULL)
		return;
	free(s->items);
	free(s->arena);
	gtin_table_free(&s->gtins);
	code_index_free(&s->codes);
	free(s);
}

size_t
st_stock_size(const struct st_stock *s)
{
	return s->n;
}

static int
oom(struct err *e)
{
	return err_set(e, ERR_INTERNAL, "out of memory");
}

static bool
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 1024;
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

/* Item i's identity, for the index of codes. */
static struct code_key
item_key(const void *owner, size_t i)
{
	const struct st_stock *s = owner;
	const struct stk_item *it = &s->items[i];

	return (struct code_key){ it->gtin, s->arena + it->serial,
				  it->serial_len };
}

/* The slot of (gtin, serial): an item's number or where it would go. */
static size_t
slot(const struct st_stock *s, int32_t gtin, const char *serial, size_t n)
{
	return code_index_slot(&s->codes, (struct code_key){ gtin, serial, n },
			       item_key, s);
}

static int
kind_of(const struct mark *m)
{
	switch (m->kind) {
	case MARK_SSCC: return PACK_KIND_BOX;
	case MARK_TOBACCO_BLOCK: return PACK_KIND_GROUP;
	case MARK_TOBACCO_SET: return PACK_KIND_SET;
	case MARK_CIGARETTE_PACK: return PACK_KIND_CIGARETTE;
	default: return PACK_KIND_UNIT;
	}
}

/* Copy p[0..n) to buf turning the text \x1d into GS; the length, or
 * cap + 1 when it does not fit. */
static size_t
unescape(const char *p, size_t n, char *buf, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < n && o < cap) {
		if (n - i >= 4 && memcmp(p + i, "\\x1d", 4) == 0) {
			buf[o++] = MARK_GS;
			i += 4;
		} else {
			buf[o++] = p[i++];
		}
	}
	return i < n ? cap + 1 : o;
}

static int
refuse_line(int line, const char *why, struct err *e)
{
	if (line > 0)
		return err_set(e, ERR_INVALID, _("Line %d: %s"), line, why);
	return err_set(e, ERR_INVALID, "%s", why);
}

int
st_stock_add(struct st_stock *s, const char *code, size_t len,
	     const char *parent, int line, struct err *e)
{
	char buf[MARK_SCAN_MAX + 1], why[ERR_MSG_MAX];
	const char *serial;
	struct stk_item *it;
	struct mark m, pm;
	size_t n, at, pn = 0;
	int32_t g = -1;

	if (s->n >= ST_STOCK_MAX_CODES)
		return refuse_line(line, _("more codes than one load takes "
					   "(1 000 000): split the file"), e);
	n = unescape(code, len, buf, sizeof(buf) - 1);
	if (st_listed_code_parse(buf, n > sizeof(buf) - 1 ? MARK_SCAN_MAX + 1 : n, &m,
		       why, sizeof(why)) < 0)
		return refuse_line(line, why, e);
	if (parent != NULL && parent[0] != '\0') {
		pn = strlen(parent);
		if (st_listed_code_parse(parent, pn, &pm, why, sizeof(why)) < 0 ||
		    pm.kind != MARK_SSCC) {
			snprintf(why, sizeof(why), _("the parent %.40s is not "
				 "an SSCC"), parent);
			return refuse_line(line, why, e);
		}
		parent = pm.sscc;
		pn = MARK_SSCC_LEN;
	}
	serial = m.kind == MARK_SSCC ? m.sscc : m.serial;
	n = strlen(serial);
	if (m.kind != MARK_SSCC && (g = gtin_table_index(&s->gtins, m.gtin)) < 0)
		return oom(e);
	if (!code_index_reserve(&s->codes, s->n, item_key, s))
		return oom(e);
	at = slot(s, g, serial, n);
	if (s->codes.slot[at] >= 0) {
		snprintf(why, sizeof(why), _("%s is listed twice (first on "
			 "line %d)"), m.kind == MARK_SSCC ? m.sscc : m.cis,
			 (int)s->items[s->codes.slot[at]].line);
		return refuse_line(line, why, e);
	}
	if (!grow((void **)&s->items, &s->cap, s->n + 1, sizeof(*s->items)) ||
	    !grow((void **)&s->arena, &s->acap, s->alen + n + pn, 1))
		return oom(e);
	it = &s->items[s->n];
	memset(it, 0, sizeof(*it));
	it->gtin = g;
	it->parent = -1;
	it->serial = (uint32_t)s->alen;
	it->serial_len = (uint8_t)n;
	it->kind = (uint8_t)kind_of(&m);
	it->line = line;
	it->parent_text = UINT32_MAX;
	memcpy(s->arena + s->alen, serial, n);
	s->alen += n;
	if (pn > 0) {
		it->parent_text = (uint32_t)s->alen;
		memcpy(s->arena + s->alen, parent, pn);
		s->alen += pn;
	}
	s->codes.slot[at] = (int32_t)s->n++;
	s->resolved = false;
	return 0;
}

/* Find each parent, count children, compute depths; refuse unknown
 * parents and cycles. */
static int
resolve(struct st_stock *s, struct err *e)
{
	char why[ERR_MSG_MAX];
	size_t i;

	if (s->resolved)
		return 0;
	if (!code_index_reserve(&s->codes, s->n, item_key, s))
		return oom(e);
	for (i = 0; i < s->n; i++) {
		struct stk_item *it = &s->items[i];
		const char *p;
		size_t at;

		it->children = 0;
		it->parent = -1;
		it->depth = 0;
		if (it->parent_text == UINT32_MAX)
			continue;
		p = s->arena + it->parent_text;
		at = slot(s, -1, p, MARK_SSCC_LEN);
		if (s->codes.slot[at] < 0) {
			snprintf(why, sizeof(why), _("the parent %.18s is not "
				 "listed in the file"), p);
			return refuse_line(it->line, why, e);
		}
		it->parent = s->codes.slot[at];
	}
	for (i = 0; i < s->n; i++) {
		struct stk_item *it = &s->items[i];
		int32_t p = it->parent;
		int d = 0;

		if (p >= 0) {
			s->items[p].children++;
			if (it->kind >= PACK_KIND_BOX)
				s->items[p].kind = PACK_KIND_PALLET;
		}
		while (p >= 0 && d <= ST_MAX_DEPTH) {
			p = s->items[p].parent;
			d++;
		}
		if (d > ST_MAX_DEPTH)
			return refuse_line(it->line, _("packs nested too deep, "
					   "or a pack inside itself"), e);
		it->depth = (uint8_t)d;
	}
	s->resolved = true;
	return 0;
}

/* --- CSV ------------------------------------------------------------------ */

/* The next field of a CSV line at *at (quotes undone) into buf; false if
 * it does not fit or a quote is not closed. */
static bool
csv_field(const char *p, size_t n, size_t *at, char sep, char *buf,
	  size_t cap, size_t *out)
{
	size_t i = *at, o = 0;

	*out = 0;
	while (i < n && p[i] == ' ')
		i++;
	if (i < n && p[i] == '"') {
		for (i++;; i++) {
			if (i >= n)
				return false;
			if (p[i] == '"') {
				if (i + 1 < n && p[i + 1] == '"')
					i++;
				else
					break;
			}
			if (o >= cap)
				return false;
			buf[o++] = p[i];
		}
		i++;
		while (i < n && p[i] != sep)
			i++;
	} else {
		size_t end = i;

		while (end < n && p[end] != sep)
			end++;
		while (end > i && p[end - 1] == ' ')
			end--;
		if (end - i > cap)
			return false;
		memcpy(buf, p + i, end - i);
		o = end - i;
		while (i < n && p[i] != sep)
			i++;
	}
	*at = i < n ? i + 1 : n + 1;
	*out = o;
	return true;
}

static bool
same_word(const char *a, size_t n, const char *w)
{
	size_t i;

	if (strlen(w) != n)
		return false;
	for (i = 0; i < n; i++)
		if ((a[i] | 0x20) != w[i])
			return false;
	return true;
}

/* The header: which columns are code and parent, and the separator. */
static int
csv_header(const char *p, size_t n, int line, char *sep, int *code_col,
	   int *parent_col, struct err *e)
{
	char buf[128];
	size_t at = 0, len;
	int col = 0;

	*sep = memchr(p, ';', n) ? ';' : memchr(p, '\t', n) ? '\t' : ',';
	*code_col = *parent_col = -1;
	while (at <= n) {
		/* a field that cannot be read leaves at where it was */
		if (!csv_field(p, n, &at, *sep, buf, sizeof(buf), &len))
			return refuse_line(line, _("a quote is not closed, or "
					   "a column name is too long"), e);
		if (same_word(buf, len, "code"))
			*code_col = col;
		else if (same_word(buf, len, "parent"))
			*parent_col = col;
		col++;
	}
	if (*code_col < 0)
		return refuse_line(line, _("the header line names no column "
				   "\"code\" (columns: code, parent)"), e);
	return 0;
}

static int
csv_parse(struct st_stock *s, const char *data, size_t len, struct err *e)
{
	char code[MARK_SCAN_MAX * 4 + 8], parent[64], sep = ',';
	int line = 0, code_col = -1, parent_col = -1, rc;
	size_t at = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		at = 3;
	while (at < len) {
		const char *p = data + at, *nl = memchr(p, '\n', len - at);
		size_t n = nl ? (size_t)(nl - p) : len - at, f = 0, flen;
		size_t clen = 0, plen = 0;
		bool have_code = false;
		int col = 0;

		at += n + 1;
		line++;
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' ||
				 p[n - 1] == '\t'))
			n--;
		if (n == 0 || p[0] == '#')
			continue;
		if (code_col < 0) {
			if ((rc = csv_header(p, n, line, &sep, &code_col,
					     &parent_col, e)) < 0)
				return rc;
			continue;
		}
		while (f <= n) {
			char *buf = col == code_col ? code : parent;
			size_t cap = col == code_col ? sizeof(code) - 1 :
				sizeof(parent) - 1;

			if (col != code_col && col != parent_col) {
				/* skip a column we do not read */
				char big[1024];

				if (!csv_field(p, n, &f, sep, big, sizeof(big),
					       &flen))
					return refuse_line(line, _("a quote is "
						"not closed, or a field is "
						"too long"), e);
				col++;
				continue;
			}
			if (!csv_field(p, n, &f, sep, buf, cap, &flen))
				return refuse_line(line, _("a quote is not "
					"closed, or a field is too long"), e);
			if (col == code_col) {
				clen = flen;
				have_code = true;
			} else {
				plen = flen;
			}
			col++;
		}
		if (!have_code || clen == 0)
			return refuse_line(line, _("no code in this line"), e);
		parent[plen] = '\0';
		if ((rc = st_stock_add(s, code, clen, parent, line, e)) < 0)
			return rc;
	}
	if (code_col < 0)
		return err_set(e, ERR_INVALID, "%s", _("The file is empty: a "
			       "header line (code,parent) and one code a line "
			       "are expected."));
	return 0;
}

/* --- JSON ----------------------------------------------------------------- */

static int
line_of(const struct st_stock *s, const char *text)
{
	size_t n = text ? strlen(text) : 0;
	const char *at = n > 0 ? memmem(s->data, s->len, text, n) : NULL;
	const char *p;
	int line = 1;

	if (at == NULL)
		return 0;
	for (p = s->data; p < at; p++)
		line += *p == '\n';
	return line;
}

static int json_list(struct st_stock *s, json_t *arr, const char *parent,
		     int depth, struct err *e);

static int
json_one(struct st_stock *s, json_t *o, const char *parent, int depth,
	 struct err *e)
{
	json_t *code = json_object_get(o, "code");
	const char *c = json_string_value(code);
	const char *p = json_string_value(json_object_get(o, "parent"));
	char sscc[MARK_SSCC_LEN + 1] = "";
	const struct stk_item *last;
	int rc;

	if (!json_is_object(o) || c == NULL)
		return err_set(e, ERR_INVALID, "%s", _("Every entry needs "
			       "\"code\" (a text)."));
	if (p == NULL)
		p = parent;
	if ((rc = st_stock_add(s, c, json_string_length(code), p,
			       line_of(s, c), e)) < 0)
		return rc;
	if (json_object_get(o, "children") == NULL)
		return 0;
	last = &s->items[s->n - 1];
	if (last->gtin >= 0)
		return refuse_line(last->line, _("only an SSCC holds "
				   "children"), e);
	snprintf(sscc, sizeof(sscc), "%.*s", MARK_SSCC_LEN,
		 s->arena + last->serial);
	return json_list(s, json_object_get(o, "children"), sscc, depth + 1,
			 e);
}

static int
json_list(struct st_stock *s, json_t *arr, const char *parent, int depth,
	  struct err *e)
{
	size_t i;
	int rc;

	if (!json_is_array(arr))
		return err_set(e, ERR_INVALID, "%s", _("A list of codes is "
			       "expected: [{\"code\": ...}, ...]."));
	if (depth > ST_MAX_DEPTH)
		return err_set(e, ERR_INVALID, "%s", _("packs nested too "
			       "deep"));
	for (i = 0; i < json_array_size(arr); i++)
		if ((rc = json_one(s, json_array_get(arr, i), parent, depth,
				   e)) < 0)
			return rc;
	return 0;
}

static int
json_parse(struct st_stock *s, const char *data, size_t len, struct err *e)
{
	json_error_t je;
	json_t *root = json_loadb(data, len, 0, &je), *list;
	int rc;

	if (root == NULL)
		return err_set(e, ERR_INVALID, _("Line %d: not valid JSON: %s"),
			       je.line, je.text);
	s->data = data;
	s->len = len;
	list = json_is_object(root) ? json_object_get(root, "codes") : root;
	rc = json_list(s, list, NULL, 0, e);
	json_decref(root);
	s->data = NULL;
	return rc;
}

int
st_stock_parse(struct st_stock *s, const char *data, size_t len,
	       struct err *e)
{
	size_t i = 0;
	int rc;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' ||
			   data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < len && (data[i] == '[' || data[i] == '{'))
		rc = json_parse(s, data + i, len - i, e);
	else
		rc = csv_parse(s, data, len, e);
	if (rc < 0)
		return rc;
	return resolve(s, e);
}

/* --- into the store -------------------------------------------------------- */

/* The origin every loaded pack points at: an outbox row born confirmed
 * (sync sends only pending ones; nothing waits for a confirmed one; not
 * held: nobody exports it). */
static int
origin(struct st_db *db, const struct st_stock *s, int64_t *id,
       struct err *e)
{
	static const char sql[] =
		"INSERT INTO outbox(type, product_group, body, codes, state,"
		" sendable, created_at, updated_at)"
		" VALUES ('STOCK_LOAD', coalesce((SELECT value FROM site"
		" WHERE key = 'product_group'), ''), ?1, ?2, 'confirmed', 1,"
		" ?3, ?3)";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	json_t *o = json_pack("{s:s, s:I}", "source", s->name, "codes",
			      (json_int_t)s->n);
	char *body = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) :
		NULL;
	char now[32];
	int rc;

	json_decref(o);
	if (body == NULL)
		return err_set(e, ERR_INVALID, "%s", _("The source name is not "
			       "UTF-8 text."));
	if (st == NULL) {
		free(body);
		return e->code;
	}
	db_now(now);
	sqlite3_bind_blob(st, 1, body, (int)strlen(body), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->n);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	free(body);
	if ((rc = db_done(db, st, e, "stock origin")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

/* The refusal for item it whose insert hit a stored code. */
static int
already(struct st_db *db, const struct st_stock *s,
	const struct stk_item *it, struct err *e)
{
	char text[ST_CODE_MAX];

	if (it->gtin < 0)
		snprintf(text, sizeof(text), "%.*s", it->serial_len,
			 s->arena + it->serial);
	else
		snprintf(text, sizeof(text), "01%s21%.*s",
			 s->gtins.v[it->gtin].gtin, it->serial_len,
			 s->arena + it->serial);
	db_rollback(db);
	return err_set(e, ERR_REFUSED, _("Line %d: %s is already known here "
		       "(in stock, or shipped): nothing was loaded."),
		       (int)it->line, text);
}

static int
insert_item(struct st_db *db, struct st_stock *s, struct stk_item *it,
	    const struct st_actor *who, const char *now, int64_t origin_id,
	    struct err *e)
{
	static const char code[] =
		"INSERT INTO codes(gtin_id, serial, kind, parent_id, state)"
		" VALUES (?1, ?2, ?3, ?4, 0)";
	static const char pack[] =
		"INSERT INTO packs(code_id, level, capacity, gtin_policy,"
		" require_crypto, state, count, opened_by, opened_at,"
		" closed_by, closed_at, document_id)"
		" VALUES (?1, ?2, 0, 'any', 0, 'confirmed', ?3, ?4, ?5, ?4,"
		" ?5, ?6)";
	sqlite3_stmt *st = db_stmt(db, code, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, it->gtin < 0 ? 0 : s->gtins.v[it->gtin].id);
	sqlite3_bind_text(st, 2, s->arena + it->serial, it->serial_len,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 3, it->kind);
	if (it->parent >= 0)
		sqlite3_bind_int64(st, 4, s->items[it->parent].id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int x = sqlite3_extended_errcode(db->h);

		sqlite3_reset(st);
		if (x == SQLITE_CONSTRAINT_UNIQUE)
			return already(db, s, it, e);
		return db_fail(db, e, "stock code");
	}
	sqlite3_reset(st);
	it->id = sqlite3_last_insert_rowid(db->h);
	if (it->kind >= PACK_KIND_BOX) {
		if ((st = db_stmt(db, pack, e)) == NULL)
			return e->code;
		sqlite3_bind_int64(st, 1, it->id);
		sqlite3_bind_text(st, 2, it->kind == PACK_KIND_PALLET ?
				  "pallet" : "box", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, it->children);
		if (who->user_id != 0)
			sqlite3_bind_int64(st, 4, who->user_id);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, origin_id);
		if ((rc = db_done(db, st, e, "stock pack")) < 0)
			return rc;
	}
	/* every code's history starts here: `where` tells support where
	 * it came from */
	return db_audit(db, who, ST_ACT_STOCK_LOAD, true, it->id,
			it->parent >= 0 ? s->items[it->parent].id : 0,
			s->name, strlen(s->name), NULL, e);
}

static int
commit_tx(struct st_db *db, const struct st_actor *who, struct st_stock *s,
	  struct st_stock_result *out, struct err *e)
{
	uint32_t *order = NULL, start[ST_MAX_DEPTH + 2] = { 0 };
	int64_t origin_id = 0;
	char now[32];
	size_t i;
	int rc, d;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if (who->role < ST_SUPERVISOR) {
		const char *why = _("Loading stock needs a supervisor.");

		if ((rc = db_audit(db, who, ST_ACT_STOCK_LOAD, false, 0, 0,
				   s->name, strlen(s->name), why, e)) < 0 ||
		    (rc = db_commit(db, e)) < 0)
			goto fail;
		return err_set(e, ERR_DENIED, "%s", why);
	}
	for (i = 0; i < (size_t)s->gtins.n; i++)
		if ((rc = db_gtin_id(db, s->gtins.v[i].gtin, &s->gtins.v[i].id,
				     e)) < 0)
			goto fail;
	/* Parents before children: by depth (a counting sort). */
	if ((order = malloc((s->n ? s->n : 1) * sizeof(*order))) == NULL) {
		rc = oom(e);
		goto fail;
	}
	for (i = 0; i < s->n; i++)
		start[s->items[i].depth + 1]++;
	for (d = 1; d <= ST_MAX_DEPTH + 1; d++)
		start[d] += start[d - 1];
	for (i = 0; i < s->n; i++)
		order[start[s->items[i].depth]++] = (uint32_t)i;
	if ((rc = origin(db, s, &origin_id, e)) < 0)
		goto fail;
	db_now(now);
	for (i = 0; i < s->n; i++) {
		struct stk_item *it = &s->items[order[i]];

		if ((rc = insert_item(db, s, it, who, now, origin_id, e)) < 0)
			goto fail;
		if (it->kind >= PACK_KIND_BOX)
			out->packs++;
		else
			out->units++;
		if (it->parent < 0)
			out->top++;
	}
	if ((rc = db_commit(db, e)) < 0)
		goto fail;
	free(order);
	out->origin = origin_id;
	return 0;
fail:
	free(order);
	db_rollback(db);
	return rc;
}

int
st_stock_commit(struct st_db *db, const struct st_actor *who,
		struct st_stock *s, struct st_stock_result *out,
		struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = resolve(s, e)) < 0)
		return rc;
	if (s->n == 0)
		return err_set(e, ERR_INVALID, "%s", _("No codes to load."));
	db_cache_big(db, true);
	rc = commit_tx(db, who, s, out, e);
	db_cache_big(db, false);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
st_stock_load(struct st_db *db, const struct st_actor *who, const char *name,
	      const char *data, size_t len, struct st_stock_result *out,
	      struct err *e)
{
	struct st_stock *s = st_stock_new(name);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return oom(e);
	if ((rc = st_stock_parse(s, data, len, e)) == 0)
		rc = st_stock_commit(db, who, s, out, e);
	st_stock_free(s);
	return rc;
}
