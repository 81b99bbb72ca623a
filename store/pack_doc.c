/*
 * pack_doc: the documents aggregation produces (internal to store/; see
 * pack.h). Everything here runs inside the caller's transaction, so a
 * document is written together with the change it reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/doc.h"
#include "store/pack.h"

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

/* Write one AGGREGATION_DOCUMENT for units[0..n) and mark their packs:
 * it forms those packs and waits for what last changed each code put
 * in them (a box reported before, a unit freed by a disbanding). */
static int
flush_units(struct st_db *db, const char *inn, struct doc_unit *units,
	    const int64_t *ids, int n, int codes, struct err *e)
{
	size_t len;
	char *body = doc_aggregation(inn, units, n, &len);
	int64_t doc;
	int i, rc;

	rc = doc_outbox_add(db, "AGGREGATION_DOCUMENT", body, len, codes,
			    &doc, e);
	free(body);
	for (i = 0; rc == 0 && i < n; i++)
		if ((rc = set_document(db, ids[i], doc, e)) == 0 &&
		    (rc = doc_wait_for_children(db, doc, ids[i], e)) == 0)
			rc = doc_touch_code(db, doc, ids[i], e);
	return rc;
}

/*
 * Report top and every pack closed inside it that no document covers yet,
 * innermost first, in AGGREGATION_DOCUMENTs of at most ST_MAX_DOC_CODES
 * codes. A part about outer packs waits for the part that formed the
 * packs inside them (doc_deps.c), since parts go innermost first.
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
	int64_t ids[BATCH], *all = NULL;
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
			rc = flush_units(db, inn, units, ids, n, codes, e);
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
		rc = flush_units(db, inn, units, ids, n, codes, e);
	while (n > 0)
		free(units[--n].children);
	free(all);
	return rc < 0 ? rc : 0;
}

/* REAGGREGATION_DOCUMENT for a change to an already reported pack: it
 * waits for what last changed the pack and the code, and changes both. */
int
pack_reaggregate(struct st_db *db, const struct pack_row *p, bool adding,
	    const struct mark *m, int64_t code_id, int64_t *made,
	    struct err *e)
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
			    &doc, e);
	free(body);
	if (rc == 0)
		*made = doc;
	if (rc == 0 && (rc = doc_wait_for_code(db, doc, p->id, e)) == 0 &&
	    (rc = doc_wait_for_code(db, doc, code_id, e)) == 0 &&
	    (rc = doc_touch_code(db, doc, p->id, e)) == 0)
		rc = doc_touch_code(db, doc, code_id, e);
	return rc;
}

/* Packs that just became top-level, closed but never reported, get their
 * document now: they no longer wait for a pallet. */
int
pack_document_orphans(struct st_db *db, int64_t former_parent, struct err *e)
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
pack_disaggregate(struct st_db *db, const struct pack_row *p, int64_t *made,
		  struct err *e)
{
	char inn[16], *body;
	size_t len;
	int64_t doc;
	int rc;

	if (p->document_id == 0)
		return 0;
	if ((rc = site_inn(db, inn, e)) < 0)
		return rc;
	body = doc_disaggregation(inn, p->sscc, &len);
	rc = doc_outbox_add(db, "DISAGGREGATION_DOCUMENT", body, len, 1,
			    &doc, e);
	free(body);
	if (rc == 0)
		*made = doc;
	if (rc == 0 && (rc = doc_wait_for_code(db, doc, p->id, e)) == 0 &&
	    (rc = doc_touch_code(db, doc, p->id, e)) == 0)
		rc = doc_touch_children(db, doc, p->id, e);
	return rc;
}
