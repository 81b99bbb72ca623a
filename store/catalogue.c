/*
 * catalogue: the product catalogue, GTIN -> name, unit of measure,
 * product group (table products, migration 4), so that operators see
 * what a code is, not only its 14 digits.
 *
 * Sources: a CSV or JSON file from the ERP (st_catalogue_parse; columns
 * gtin, name, unit, product_group; documented in sklad(1)), the state
 * system's /product/info (sync/ fetches, st_catalogue_store stores),
 * and any other module that learns names (УПД lines) through
 * st_catalogue_store. A later source replaces an earlier one's row; an
 * empty unit or group keeps what was known.
 *
 * What it must not do: talk to the network, or format values into SQL.
 */
#include <jansson.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/db.h"
#include "scanners/i18n.h"


/* A GTIN as the catalogue keys it: 14 digits with a valid check digit;
 * 8, 12 or 13 digits (EAN-8, UPC, EAN-13) are padded with zeros. */
static bool
norm_gtin(const char *s, size_t n, char out[MARK_GTIN_LEN + 1])
{
	size_t i;

	if (n != 8 && n != 12 && n != 13 && n != 14)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	memset(out, '0', MARK_GTIN_LEN - n);
	memcpy(out + MARK_GTIN_LEN - n, s, n);
	out[MARK_GTIN_LEN] = '\0';
	return mark_check_digit(out, 13) == out[13] - '0';
}

/* Printable UTF-8 without control characters (a name goes on screens
 * and labels: no escape sequences). */
static bool
clean_text(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (k == 0 || c > 0xf4 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)s[i + j] & 0xc0) != 0x80)
				return false;
		if (k == 2 && c == 0xc2 && (unsigned char)s[i + 1] < 0xa0)
			return false;	/* C1 controls */
		i += k;
	}
	return true;
}

int
st_product_check(const char *gtin, const char *name, const char *unit,
		 const char *pg, struct st_product *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (gtin == NULL || !norm_gtin(gtin, strlen(gtin), out->gtin))
		return err_set(e, ERR_INVALID, _("%.40s is not a GTIN (14 "
			       "digits with a valid check digit)"),
			       gtin ? gtin : "");
	if (name == NULL || name[0] == '\0')
		return err_set(e, ERR_INVALID, _("GTIN %s has no name"),
			       out->gtin);
	if (strlen(name) >= sizeof(out->name) ||
	    !clean_text(name, strlen(name)))
		return err_set(e, ERR_INVALID, _("the name of GTIN %s is too "
			       "long or not plain text"), out->gtin);
	if ((unit && (strlen(unit) >= sizeof(out->unit) ||
		      !clean_text(unit, strlen(unit)))) ||
	    (pg && (strlen(pg) >= sizeof(out->product_group) ||
		    !clean_text(pg, strlen(pg)))))
		return err_set(e, ERR_INVALID, _("the unit or product group of "
			       "GTIN %s is too long or not plain text"),
			       out->gtin);
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->unit, sizeof(out->unit), "%s", unit ? unit : "");
	snprintf(out->product_group, sizeof(out->product_group), "%s",
		 pg ? pg : "");
	return 0;
}

/* --- parsing ----------------------------------------------------------- */

struct cat_list {
	struct st_product *p;
	size_t n, cap;
};

static int
push(struct cat_list *l, const char *gtin, const char *name, const char *unit,
     const char *pg, int line, struct err *e)
{
	struct st_product p;
	int rc;

	if ((rc = st_product_check(gtin, name, unit, pg, &p, e)) < 0) {
		char why[ERR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", e->msg);
		if (line > 0)
			return err_set(e, rc, _("Line %d: %s"), line, why);
		return rc;
	}
	if (l->n >= ST_CATALOGUE_MAX)
		return err_set(e, ERR_INVALID, _("Line %d: more products than "
			       "one import takes (%d)"), line,
			       ST_CATALOGUE_MAX);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct st_product *q = realloc(l->p, cap * sizeof(*q));

		if (q == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		l->p = q;
		l->cap = cap;
	}
	l->p[l->n++] = p;
	return 0;
}

/* The next CSV field at *at into buf (quotes undone); false if a quote
 * is not closed or it does not fit. */
static bool
field(const char *s, size_t n, size_t *at, char sep, char *buf, size_t cap)
{
	size_t i = *at, o = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '"') {
		for (i++;; i++) {
			if (i >= n)
				return false;
			if (s[i] == '"') {
				if (i + 1 < n && s[i + 1] == '"')
					i++;
				else
					break;
			}
			if (o + 1 >= cap)
				return false;
			buf[o++] = s[i];
		}
		for (i++; i < n && s[i] != sep; i++)
			;
	} else {
		size_t end = i;

		while (end < n && s[end] != sep)
			end++;
		while (end > i && s[end - 1] == ' ')
			end--;
		if (end - i + 1 > cap)
			return false;
		memcpy(buf, s + i, end - i);
		o = end - i;
		while (i < n && s[i] != sep)
			i++;
	}
	buf[o] = '\0';
	*at = i < n ? i + 1 : n + 1;
	return true;
}

enum { C_GTIN, C_NAME, C_UNIT, C_PG, C_N };

static int
column(const char *w)
{
	static const char *const names[][3] = {
		[C_GTIN] = { "gtin", NULL, NULL },
		[C_NAME] = { "name", NULL, NULL },
		[C_UNIT] = { "unit", "uom", NULL },
		[C_PG] = { "product_group", "pg", NULL },
	};
	int c, k;

	for (c = 0; c < C_N; c++)
		for (k = 0; k < 3 && names[c][k] != NULL; k++)
			if (strcasecmp(w, names[c][k]) == 0)
				return c;
	return -1;
}

static int
csv(const char *data, size_t len, struct cat_list *l, struct err *e)
{
	int cols[32], ncols = -1, line = 0, rc, i;
	char sep = ',', f[4][512], skip[1024];
	size_t at = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		at = 3;
	while (at < len) {
		const char *s = data + at, *nl = memchr(s, '\n', len - at);
		size_t n = nl ? (size_t)(nl - s) : len - at, p = 0;
		bool have[C_N] = { false };

		at += n + 1;
		line++;
		while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
			n--;
		if (n == 0 || s[0] == '#')
			continue;
		if (ncols < 0) {
			sep = memchr(s, ';', n) ? ';' : memchr(s, '\t', n) ?
				'\t' : ',';
			for (ncols = 0; p <= n && ncols < 32; ncols++) {
				if (!field(s, n, &p, sep, skip, sizeof(skip)))
					skip[0] = '\0';
				cols[ncols] = column(skip);
			}
			for (i = 0; i < ncols && cols[i] != C_GTIN; i++)
				;
			rc = i < ncols;
			for (i = 0; i < ncols && cols[i] != C_NAME; i++)
				;
			if (!rc || i == ncols)
				return err_set(e, ERR_INVALID, _("Line %d: the "
					       "header line must name the "
					       "columns gtin and name (unit, "
					       "product_group optional)"),
					       line);
			continue;
		}
		for (i = 0; p <= n; i++) {
			int c = i < ncols ? cols[i] : -1;

			if (!field(s, n, &p, sep, c >= 0 ? f[c] : skip,
				   c >= 0 ? sizeof(f[0]) : sizeof(skip)))
				return err_set(e, ERR_INVALID, _("Line %d: a "
					       "quote is not closed, or a "
					       "field is too long"), line);
			if (c >= 0)
				have[c] = true;
		}
		if ((rc = push(l, have[C_GTIN] ? f[C_GTIN] : "",
			       have[C_NAME] ? f[C_NAME] : "",
			       have[C_UNIT] ? f[C_UNIT] : NULL,
			       have[C_PG] ? f[C_PG] : NULL, line, e)) < 0)
			return rc;
	}
	if (ncols < 0)
		return err_set(e, ERR_INVALID, "%s", _("The file is empty: a "
			       "header line (gtin,name,unit,product_group) and "
			       "one product a line are expected."));
	return 0;
}

static int
json(const char *data, size_t len, struct cat_list *l, struct err *e)
{
	json_error_t je;
	json_t *root = json_loadb(data, len, 0, &je), *arr, *o;
	size_t i;
	int rc = 0;

	if (root == NULL)
		return err_set(e, ERR_INVALID, _("Line %d: not valid JSON: %s"),
			       je.line, je.text);
	arr = json_is_object(root) ? json_object_get(root, "products") : root;
	if (!json_is_array(arr)) {
		json_decref(root);
		return err_set(e, ERR_INVALID, "%s", _("A list of products is "
			       "expected: [{\"gtin\": ..., \"name\": ...}]."));
	}
	json_array_foreach(arr, i, o) {
		const char *unit = json_string_value(json_object_get(o,
							"unit"));
		const char *pg = json_string_value(json_object_get(o,
							"product_group"));

		if ((rc = push(l, json_string_value(json_object_get(o, "gtin")),
			       json_string_value(json_object_get(o, "name")),
			       unit, pg, 0, e)) < 0) {
			char why[ERR_MSG_MAX];

			snprintf(why, sizeof(why), "%s", e->msg);
			err_set(e, rc, _("Product %zu: %s"), i + 1, why);
			break;
		}
	}
	json_decref(root);
	return rc;
}

int
st_catalogue_parse(const char *data, size_t len, struct st_product **out,
		   size_t *n, struct err *e)
{
	struct cat_list l = { 0 };
	size_t i = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && strchr(" \t\r\n", data[i]) != NULL)
		i++;
	rc = i < len && (data[i] == '[' || data[i] == '{') ?
		json(data + i, len - i, &l, e) : csv(data, len, &l, e);
	if (rc < 0) {
		free(l.p);
		return rc;
	}
	*out = l.p;
	*n = l.n;
	return 0;
}

/* --- the table ----------------------------------------------------------- */

int
st_catalogue_store(struct st_db *db, const struct st_actor *who,
		   const char *source, const struct st_product *p, size_t n,
		   struct err *e)
{
	static const char sql[] =
		"INSERT INTO products(gtin, name, unit, product_group, source,"
		" updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT(gtin) DO UPDATE SET name = excluded.name,"
		" unit = coalesce(excluded.unit, unit),"
		" product_group = coalesce(excluded.product_group,"
		" product_group), source = excluded.source,"
		" updated_at = excluded.updated_at";
	char now[32];
	size_t i;
	int rc;

	if ((rc = db_begin(db, e)) < 0)
		return rc;
	db_now(now);
	for (i = 0; i < n; i++) {
		sqlite3_stmt *st = db_stmt(db, sql, e);

		if (st == NULL) {
			rc = e->code;
			goto fail;
		}
		sqlite3_bind_text(st, 1, p[i].gtin, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p[i].name, -1, SQLITE_STATIC);
		if (p[i].unit[0] != '\0')
			sqlite3_bind_text(st, 3, p[i].unit, -1, SQLITE_STATIC);
		if (p[i].product_group[0] != '\0')
			sqlite3_bind_text(st, 4, p[i].product_group, -1,
					  SQLITE_STATIC);
		sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		if ((rc = db_done(db, st, e, "product")) < 0)
			goto fail;
	}
	if ((rc = db_audit(db, who, ST_ACT_CATALOGUE, true, 0, 0, source,
			   strlen(source), NULL, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int
st_catalogue_import(struct st_db *db, const struct st_actor *who,
		    const char *name, const char *data, size_t len,
		    size_t *count, struct err *e)
{
	struct st_product *p;
	size_t n;
	int rc;

	*count = 0;
	if (who->role < ST_SUPERVISOR)
		return err_set(e, ERR_DENIED, "%s", _("Importing the product "
			       "catalogue needs a supervisor."));
	if ((rc = st_catalogue_parse(data, len, &p, &n, e)) < 0)
		return rc;
	if ((rc = st_catalogue_store(db, who, name, p, n, e)) == 0)
		*count = n;
	free(p);
	return rc;
}

static void
row(sqlite3_stmt *st, struct st_product *p)
{
	memset(p, 0, sizeof(*p));
	db_text(st, 0, p->gtin, sizeof(p->gtin));
	db_text(st, 1, p->name, sizeof(p->name));
	db_text(st, 2, p->unit, sizeof(p->unit));
	db_text(st, 3, p->product_group, sizeof(p->product_group));
	db_text(st, 4, p->source, sizeof(p->source));
	db_text(st, 5, p->updated_at, sizeof(p->updated_at));
}

int
st_product_get(struct st_db *db, const char *gtin, struct st_product *out,
	       struct err *e)
{
	static const char sql[] =
		"SELECT gtin, name, coalesce(unit, ''),"
		" coalesce(product_group, ''), source, updated_at"
		" FROM products WHERE gtin = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, gtin, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "product")) == 1)
		row(st, out);
	sqlite3_reset(st);
	return rc;
}

int
st_product_name(struct st_db *db, const char *gtin, char *out, size_t n)
{
	struct st_product p;
	struct err e;

	if (n > 0)
		out[0] = '\0';
	if (db == NULL || gtin == NULL || gtin[0] == '\0' ||
	    st_product_get(db, gtin, &p, &e) != 1)
		return 0;
	snprintf(out, n, "%s", p.name);
	return 1;
}

int
st_products(struct st_db *db,
	    int (*fn)(void *arg, const struct st_product *p), void *arg,
	    struct err *e)
{
	static const char sql[] =
		"SELECT gtin, name, coalesce(unit, ''),"
		" coalesce(product_group, ''), source, updated_at"
		" FROM products ORDER BY gtin";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_product p;
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "products")) == 1) {
		row(st, &p);
		if (fn(arg, &p) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int
st_products_missing(struct st_db *db, char (*gtins)[MARK_GTIN_LEN + 1],
		    int max, int *n, struct err *e)
{
	static const char sql[] =
		"SELECT g.gtin FROM gtins g WHERE g.id <> 0 AND NOT EXISTS"
		" (SELECT 1 FROM products p WHERE p.gtin = g.gtin)"
		" ORDER BY g.gtin LIMIT ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*n = 0;
	if (st == NULL)
		return e->code;
	sqlite3_bind_int(st, 1, max);
	while ((rc = db_row(db, st, e, "missing products")) == 1 && *n < max)
		db_text(st, 0, gtins[(*n)++], MARK_GTIN_LEN + 1);
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}
