/*
 * delivery: import of an incoming delivery into deliveries and
 * delivery_items, in one transaction.
 *
 * Two inputs: the JSON answer of /doc/{id}/info (true-api.md §6.1; the
 * body's products with uit_code / uitu_code and recursive children), and
 * a plain list, one code per line, where an indented line belongs to the
 * nearest less indented SSCC above it. Every code goes through the mark
 * parser; the first bad one refuses the whole import, naming its line.
 * Built for 300 000 codes: one prepared insert reused, GTIN ids cached in
 * memory, nothing counted twice.
 *
 * What it must not do: decide anything about acceptance (accept.c), put
 * codes into stock, or format values into SQL.
 */
#define _GNU_SOURCE		/* memmem */
#include <jansson.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/pack.h"

#define IMP_GTINS 64		/* GTIN ids kept in memory */

/* One import in progress. */
struct imp {
	struct st_db *db;
	const struct st_actor *who;
	int64_t delivery;
	int count;
	sqlite3_stmt *ins;
	char gtin[IMP_GTINS][MARK_GTIN_LEN + 1];
	int64_t gtin_id[IMP_GTINS];
	int ngtin, last;
	char why[ERR_MSG_MAX];	/* set when the input is refused */
	const char *data;	/* JSON: the whole input, for line numbers */
	size_t len;
};

/* The header of the transfer document. */
struct imp_head {
	const char *number, *release_order, *date, *transfer_date;
	const char *sender_inn, *receiver_inn, *turnover;
};

static int
gtin_id(struct imp *im, const char *gtin, int64_t *id, struct err *e)
{
	int i, rc;

	if (gtin[0] == '\0') {
		*id = 0;
		return 0;
	}
	if (im->ngtin > 0 && strcmp(im->gtin[im->last], gtin) == 0) {
		*id = im->gtin_id[im->last];
		return 0;
	}
	for (i = 0; i < im->ngtin; i++) {
		if (strcmp(im->gtin[i], gtin) == 0) {
			*id = im->gtin_id[im->last = i];
			return 0;
		}
	}
	if ((rc = db_gtin_id(im->db, gtin, id, e)) < 0)
		return rc;
	i = im->ngtin < IMP_GTINS ? im->ngtin++ : im->last;
	memcpy(im->gtin[i], gtin, MARK_GTIN_LEN + 1);
	im->gtin_id[i] = *id;
	im->last = i;
	return 0;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * Parse one code of a delivery: a full scan, a bare КИ, or an SSCC with
 * or without (00). 0, or -1 with the reason in why.
 */
static int
parse_code(const char *s, size_t n, struct mark *m, char *why, size_t wn)
{
	struct mark alt;

	if (n == MARK_SSCC_LEN && all_digits(s, n)) {
		if (mark_sscc_check(s, n, m) == 0)
			return 0;
		mark_strerror(m, why, wn);
		return -1;
	}
	if (mark_parse(s, n, m) == 0) {
		if (m->kind != MARK_COMMAND)
			return 0;
		snprintf(why, wn, "%s", dgettext("sklad", "a command barcode "
			 "is not a marking code"));
		return -1;
	}
	if (mark_sscc_check(s, n, &alt) == 0) {
		*m = alt;
		return 0;
	}
	mark_strerror(m, why, wn);
	return -1;
}

static int
kind_of(const struct mark *m)
{
	switch (m->kind) {
	case MARK_SSCC:
		return PACK_KIND_BOX;
	case MARK_TOBACCO_BLOCK:
		return PACK_KIND_GROUP;
	case MARK_TOBACCO_SET:
		return PACK_KIND_SET;
	case MARK_CIGARETTE_PACK:
		return PACK_KIND_CIGARETTE;
	default:
		return PACK_KIND_UNIT;
	}
}

/*
 * Insert code m under parent (0: top level). 1 on success, 0 when the
 * input is refused (im->why says why), <0 on a database error.
 */
static int
add_item(struct imp *im, const struct mark *m, int64_t parent, int64_t *id,
	 struct err *e)
{
	const char *serial = m->kind == MARK_SSCC ? m->sscc : m->serial;
	int64_t gid;
	int rc;

	if ((rc = gtin_id(im, m->kind == MARK_SSCC ? "" : m->gtin, &gid,
			  e)) < 0)
		return rc;
	sqlite3_bind_int64(im->ins, 1, im->delivery);
	sqlite3_bind_int64(im->ins, 2, gid);
	sqlite3_bind_text(im->ins, 3, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(im->ins, 4, kind_of(m));
	if (parent != 0)
		sqlite3_bind_int64(im->ins, 5, parent);
	else
		sqlite3_bind_null(im->ins, 5);
	rc = sqlite3_step(im->ins);
	sqlite3_reset(im->ins);
	if (rc == SQLITE_CONSTRAINT) {
		snprintf(im->why, sizeof(im->why), "%s", dgettext("sklad",
			 "this code is listed twice in the delivery"));
		return 0;
	}
	if (rc != SQLITE_DONE)
		return db_fail(im->db, e, "delivery item");
	*id = sqlite3_last_insert_rowid(im->db->h);
	im->count++;
	return 1;
}

/* --- plain list ---------------------------------------------------------- */

/* Copy a line into buf, turning the text \x1d into GS; the length. */
static size_t
unescape(const char *s, size_t n, char *buf, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < n && o < cap) {
		if (n - i >= 4 && memcmp(s + i, "\\x1d", 4) == 0) {
			buf[o++] = MARK_GS;
			i += 4;
		} else {
			buf[o++] = s[i++];
		}
	}
	if (i < n) {		/* too long: let the parser say so */
		buf[cap] = '\0';
		return cap + 1;
	}
	return o;
}

/* One line (without its end): ignore blank, else parse and insert. */
static int
list_line(struct imp *im, const char *s, size_t n, int lineno,
	  int stack_ind[], int64_t stack_id[], int *depth, struct err *e)
{
	char buf[MARK_SCAN_MAX + 1], why[ERR_MSG_MAX];
	int ind = 0, rc;
	struct mark m;
	int64_t id, parent;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
			 s[n - 1] == '\t'))
		n--;
	while ((size_t)ind < n && (s[ind] == ' ' || s[ind] == '\t'))
		ind++;
	if ((size_t)ind == n)
		return 1;
	n = unescape(s + ind, n - (size_t)ind, buf, sizeof(buf) - 1);
	if (parse_code(buf, n > sizeof(buf) - 1 ? MARK_SCAN_MAX + 1 : n, &m,
		       why, sizeof(why)) < 0) {
		snprintf(im->why, sizeof(im->why), dgettext("sklad",
			 "Line %d: %s"), lineno, why);
		return 0;
	}
	while (*depth > 0 && stack_ind[*depth - 1] >= ind)
		(*depth)--;
	if (ind > 0 && *depth == 0) {
		snprintf(im->why, sizeof(im->why), dgettext("sklad",
			 "Line %d: indented, but there is no SSCC above it to "
			 "hold it"), lineno);
		return 0;
	}
	parent = *depth > 0 ? stack_id[*depth - 1] : 0;
	if ((rc = add_item(im, &m, parent, &id, e)) <= 0) {
		if (rc == 0) {
			snprintf(why, sizeof(why), "%s", im->why);
			snprintf(im->why, sizeof(im->why), dgettext("sklad",
				 "Line %d: %s"), lineno, why);
		}
		return rc;
	}
	if (m.kind != MARK_SSCC)
		return 1;
	if (*depth == ST_MAX_DEPTH) {
		snprintf(im->why, sizeof(im->why), dgettext("sklad",
			 "Line %d: packs nested too deep"), lineno);
		return 0;
	}
	stack_ind[*depth] = ind;
	stack_id[(*depth)++] = id;
	return 1;
}

static int
import_list(struct imp *im, const char *data, size_t len, struct err *e)
{
	int stack_ind[ST_MAX_DEPTH];
	int64_t stack_id[ST_MAX_DEPTH];
	int depth = 0, lineno = 0, rc = 1;
	size_t at = 0;

	/* Files saved by spreadsheet programs start with a byte order mark. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		at = 3;

	while (at < len && rc == 1) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (data + at)) : len - at;

		rc = list_line(im, data + at, n, ++lineno, stack_ind,
			       stack_id, &depth, e);
		at += n + 1;
	}
	return rc;
}

/* --- JSON of /doc/{id}/info ---------------------------------------------- */

/* The line of data where text first occurs, or 0. */
static int
line_of(const struct imp *im, const char *text, size_t n)
{
	const char *at = n > 0 ? memmem(im->data, im->len, text, n) : NULL;
	const char *p;
	int line = 1;

	if (at == NULL)
		return 0;
	for (p = im->data; p < at; p++)
		line += *p == '\n';
	return line;
}

static void
json_refuse(struct imp *im, const char *path, const char *code, size_t n,
	    const char *why)
{
	int line = code != NULL ? line_of(im, code, n) : 0;

	if (line > 0)
		snprintf(im->why, sizeof(im->why), dgettext("sklad",
			 "Line %d (%s): %s"), line, path, why);
	else
		snprintf(im->why, sizeof(im->why), "%s: %s", path, why);
}

static int json_products(struct imp *im, json_t *arr, int64_t parent,
			 const char *path, int depth, struct err *e);

static int
json_product(struct imp *im, json_t *p, int64_t parent, const char *path,
	     int depth, struct err *e)
{
	json_t *code = json_object_get(p, "uit_code");
	char why[ERR_MSG_MAX], sub[256];
	struct mark m;
	int64_t id;
	int rc;

	if (!json_is_string(code))
		code = json_object_get(p, "uitu_code");
	if (!json_is_string(code)) {
		json_refuse(im, path, NULL, 0, dgettext("sklad", "no uit_code "
			    "or uitu_code"));
		return 0;
	}
	if (parse_code(json_string_value(code), json_string_length(code), &m,
		       why, sizeof(why)) < 0) {
		json_refuse(im, path, json_string_value(code),
			    json_string_length(code), why);
		return 0;
	}
	if ((rc = add_item(im, &m, parent, &id, e)) <= 0) {
		if (rc == 0) {
			snprintf(why, sizeof(why), "%s", im->why);
			json_refuse(im, path, json_string_value(code),
				    json_string_length(code), why);
		}
		return rc;
	}
	if (snprintf(sub, sizeof(sub), "%s.children", path) >=
	    (int)sizeof(sub)) {
		json_refuse(im, path, NULL, 0, dgettext("sklad",
			    "packs nested too deep"));
		return 0;
	}
	return json_products(im, json_object_get(p, "children"), id, sub,
			     depth + 1, e);
}

static int
json_products(struct imp *im, json_t *arr, int64_t parent, const char *path,
	      int depth, struct err *e)
{
	char sub[256];
	size_t i;
	int rc;

	if (arr == NULL || json_is_null(arr))
		return 1;
	if (!json_is_array(arr)) {
		json_refuse(im, path, NULL, 0, dgettext("sklad",
			    "not a list of products"));
		return 0;
	}
	if (depth > ST_MAX_DEPTH) {
		json_refuse(im, path, NULL, 0, dgettext("sklad",
			    "packs nested too deep"));
		return 0;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		if (snprintf(sub, sizeof(sub), "%s[%zu]", path, i) >=
		    (int)sizeof(sub))
			sub[0] = '\0';
		if ((rc = json_product(im, json_array_get(arr, i), parent, sub,
				       depth, e)) <= 0)
			return rc;
	}
	return 1;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && s[0] != '\0' ? s : NULL;
}

static const char *
either(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

/* The document object and its body (parsed if the body is a string). */
static json_t *
json_doc(const char *data, size_t len, json_t **root, json_t **body)
{
	json_t *doc, *b;

	*body = NULL;
	if ((*root = json_loadb(data, len, 0, NULL)) == NULL)
		return NULL;
	doc = json_is_array(*root) ? json_array_get(*root, 0) : *root;
	if (!json_is_object(doc))
		return NULL;
	b = json_object_get(doc, "body");
	if (json_is_string(b))
		*body = json_loads(json_string_value(b), 0, NULL);
	else if (json_is_object(b))
		*body = json_incref(b);
	return doc;
}

static void
json_head(json_t *doc, json_t *body, struct imp_head *h)
{
	h->release_order = str(doc, "number");
	h->number = either(str(body, "document_num"),
			   either(str(body, "document_number"),
				  h->release_order));
	h->date = either(str(body, "document_date"), str(doc, "docDate"));
	h->transfer_date = either(str(body, "transfer_date"), h->date);
	h->sender_inn = either(str(doc, "senderInn"), str(body, "sender_inn"));
	h->receiver_inn = either(str(doc, "receiverInn"),
				 str(body, "receiver_inn"));
	h->turnover = either(str(doc, "turnoverType"),
			     either(str(body, "turnover_type"), "SELLING"));
}

/* --- the delivery row ---------------------------------------------------- */

static int
insert_delivery(struct imp *im, const char *name, const struct imp_head *h,
		struct err *e)
{
	static const char sql[] =
		"INSERT INTO deliveries(number, doc_date, sender_inn,"
		" receiver_inn, turnover_type, transfer_date, source, state,"
		" imported_at, imported_by, release_order)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'expected', ?8, ?9, ?10)";
	const char *v[] = { h->number, h->date, h->sender_inn,
			    h->receiver_inn, h->turnover, h->transfer_date,
			    name };
	sqlite3_stmt *st = db_stmt(im->db, sql, e);
	char now[32];
	int i, rc;

	if (st == NULL)
		return e->code;
	db_now(now);
	for (i = 0; i < 7; i++)
		if (v[i] != NULL)
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
	if (im->who->user_id != 0)
		sqlite3_bind_int64(st, 9, im->who->user_id);
	if (h->release_order != NULL)
		sqlite3_bind_text(st, 10, h->release_order, -1, SQLITE_STATIC);
	if ((rc = db_done(im->db, st, e, "delivery")) < 0)
		return rc;
	im->delivery = sqlite3_last_insert_rowid(im->db->h);
	return 0;
}

static int
set_expected(struct imp *im, struct err *e)
{
	static const char sql[] =
		"UPDATE deliveries SET expected = ?2 WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(im->db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, im->delivery);
	sqlite3_bind_int(st, 2, im->count);
	return db_done(im->db, st, e, "expected");
}

static bool
looks_json(const char *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' ||
			   data[i] == '\r' || data[i] == '\n'))
		i++;
	return i < len && (data[i] == '[' || data[i] == '{');
}

/* Header, delivery row, items: 1, 0 refused (im->why), <0 error. */
static int
import_body(struct imp *im, const char *name, const char *data, size_t len,
	    struct err *e)
{
	static const char ins[] =
		"INSERT INTO delivery_items(delivery_id, gtin_id, serial, kind,"
		" parent_item_id) VALUES (?1, ?2, ?3, ?4, ?5)";
	struct imp_head h = { .number = name, .release_order = name,
			      .turnover = "SELLING" };
	json_t *root = NULL, *body = NULL, *doc = NULL;
	char now[32];
	int rc;

	if (looks_json(data, len)) {
		if ((doc = json_doc(data, len, &root, &body)) == NULL ||
		    body == NULL) {
			snprintf(im->why, sizeof(im->why), "%s", dgettext(
				 "sklad", "Not a document answer: expected "
				 "the JSON of /doc/{id}/info with its body."));
			rc = 0;
			goto out;
		}
		json_head(doc, body, &h);
	} else {
		db_now(now);
		h.date = h.transfer_date = now;
	}
	if ((rc = insert_delivery(im, name, &h, e)) < 0 ||
	    (im->ins = db_stmt(im->db, ins, e)) == NULL) {
		rc = rc < 0 ? rc : e->code;
		goto out;
	}
	im->data = data;
	im->len = len;
	rc = doc != NULL ?
		json_products(im, json_object_get(body, "products"), 0,
			      "products", 0, e) :
		import_list(im, data, len, e);
	if (rc == 1 && im->count == 0) {
		snprintf(im->why, sizeof(im->why), "%s", dgettext("sklad",
			 "The delivery lists no codes."));
		rc = 0;
	}
out:
	json_decref(body);
	json_decref(root);
	return rc;
}

static int
fill_delivery(struct st_db *db, int64_t id, struct st_delivery *out,
	      struct err *e)
{
	static const char sql[] =
		"SELECT number, state, expected FROM deliveries WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "delivery")) < 0)
		return rc;
	out->id = id;
	if (rc == 1) {
		db_text(st, 0, out->number, sizeof(out->number));
		db_text(st, 1, out->state, sizeof(out->state));
		out->expected = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	return 0;
}

/* The operation itself, in one transaction (see the wrapper below). */
static int
delivery_import_tx(struct st_db *db, const struct st_actor *who,
		   const char *name, const char *data, size_t len,
		   struct st_delivery *out, struct err *e)
{
	struct imp *im = calloc(1, sizeof(*im));
	int rc;

	if (im == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (name == NULL)
		name = "";
	im->db = db;
	im->who = who;
	if ((rc = db_begin(db, e)) < 0)
		goto out;
	if ((rc = import_body(im, name, data, len, e)) < 0)
		goto fail;
	if (rc == 0) {
		/* Nothing of a refused file stays; the refusal does. */
		db_rollback(db);
		if ((rc = db_begin(db, e)) == 0)
			rc = pack_refuse_text(db, who, ST_ACT_DELIVERY_IMPORT,
					      0, 0, name, strlen(name),
					      im->why, e);
		goto out;
	}
	if ((rc = set_expected(im, e)) < 0 ||
	    (rc = db_audit(db, who, ST_ACT_DELIVERY_IMPORT, true, 0, 0, name,
			   strlen(name), NULL, e)) < 0 ||
	    (rc = fill_delivery(db, im->delivery, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	goto out;
fail:
	db_rollback(db);
out:
	free(im);
	return rc;
}

/* Big jobs get a big page cache while they run (64 MiB instead of
 * SQLite's 2 MiB: it halves the time the write lock is held), and the
 * console's memory goes back to normal afterwards. */
int
st_delivery_import(struct st_db *db, const struct st_actor *who,
		   const char *name, const char *data, size_t len,
		   struct st_delivery *out, struct err *e)
{
	int rc;

	db_cache_big(db, true);
	rc = delivery_import_tx(db, who, name, data, len, out, e);
	db_cache_big(db, false);
	return rc;
}
