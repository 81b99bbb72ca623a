/*
 * doc: document bodies and the outbox (see doc.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/doc.h"

/* Dump compactly in insertion order; frees o. */
static char *
finish(json_t *o, size_t *len)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	*len = s != NULL ? strlen(s) : 0;
	return s;
}

char *
doc_aggregation(const char *inn, const struct doc_unit *units, int n,
		size_t *len)
{
	json_t *o = json_object(), *arr = json_array();
	int i, k, bad = 0;

	/* json_string() refuses text that is not UTF-8: a code it refuses
	 * must fail the document, never vanish from it. */
	bad |= json_object_set_new(o, "participantId", json_string(inn));
	for (i = 0; i < n; i++) {
		json_t *u = json_object(), *sntins = json_array();

		bad |= json_object_set_new(u, "unitSerialNumber",
					   json_string(units[i].code));
		bad |= json_object_set_new(u, "aggregationType",
					   json_string("AGGREGATION"));
		for (k = 0; k < units[i].nchildren; k++)
			bad |= json_array_append_new(sntins,
				json_string(units[i].children[k]));
		bad |= json_object_set_new(u, "sntins", sntins);
		bad |= json_array_append_new(arr, u);
	}
	bad |= json_object_set_new(o, "aggregationUnits", arr);
	if (bad) {
		json_decref(o);
		*len = 0;
		return NULL;
	}
	return finish(o, len);
}

char *
doc_disaggregation(const char *inn, const char *sscc, size_t *len)
{
	return finish(json_pack("{s:s, s:[{s:s}]}", "participant_inn", inn,
				"products_list", "uitu", sscc), len);
}

char *
doc_reaggregation(const char *inn, bool adding, const char *uitu,
		  const char *code, bool code_is_pack, size_t *len)
{
	return finish(json_pack("{s:s, s:s, s:s, s:[{s:s}]}",
				"participant_inn", inn,
				"reaggregation_type",
				adding ? "ADDING" : "REMOVING",
				"uitu", uitu, "uit_uitu_list",
				code_is_pack ? "kitu" : "uit_uitu", code),
		      len);
}

int
doc_outbox_add(struct st_db *db, const char *type, const char *body,
	       size_t len, int codes, int64_t *id, struct err *e)
{
	static const char site_pg[] =
		"SELECT value FROM site WHERE key = 'product_group'";
	static const char sql[] =
		"INSERT INTO outbox(type, product_group, body, codes, state,"
		" sendable, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6)";
	sqlite3_stmt *st;
	char pg[32] = "", now[32];
	struct err ignored;
	int rc;

	if (body == NULL)
		return err_set(e, ERR_INTERNAL, "cannot build %s: out of "
			       "memory, or a code that is not text", type);
	if ((rc = st_doc_check(type, body, len, e)) < 0)
		return rc;
	if ((st = db_stmt(db, site_pg, e)) == NULL)
		return e->code;
	if ((rc = db_row(db, st, e, "product group")) < 0)
		return rc;
	if (rc == 1)
		db_text(st, 0, pg, sizeof(pg));
	sqlite3_reset(st);
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pg, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, codes);
	sqlite3_bind_int(st, 5, st_doc_sendable(type, pg, &ignored) == 0);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(db, st, e, "outbox")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}
