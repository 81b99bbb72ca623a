/*
 * doc_deps: the one place that decides what a document waits for.
 *
 * The state system processes documents in the order it gets to them, not
 * in the order sklad made them, and refuses one whose codes are not yet
 * what it says (true-api.md §5.1: the codes inside an aggregate must
 * exist; a disbanded box must have been formed; a shipment's goods must
 * be ours). So every document records the codes it changes there
 * (doc_codes), and a new document about a code waits for the latest
 * earlier document that changed that code (outbox_deps). Which codes a
 * document changes and which it depends on is said by its maker
 * (pack_doc.c, ship.c, accept.c) through the four calls below:
 *
 *   aggregation      waits for each code put in; changes the packs formed
 *   disaggregation   waits for the pack; changes the pack and the codes
 *                    it frees
 *   re-aggregation   waits for the pack and the code; changes both
 *   shipment         waits for each code shipped; changes them
 *   acceptance       changes each code accepted
 *
 * A document sync will never send (sendable = 0: kept for export) is
 * never waited for: whoever would wait for it waits for what it waited
 * for instead. A confirmed document is not waited for either: nothing
 * is left to wait for. All of it runs in the caller's transaction.
 */
#include <libintl.h>
#include <string.h>

#include "store/db.h"
#include "store/doc.h"
#include "scanners/i18n.h"


/* The latest earlier document that changed each code of src(code_id),
 * or, when sync never sends that one, what it waited for. ?1 is the new
 * document; src comes first in the statement. */
#define WAIT_FOR_LATEST \
	" latest(d) AS (SELECT (SELECT max(t.doc_id) FROM doc_codes t" \
	"   WHERE t.code_id = src.code_id AND t.doc_id < ?1) FROM src)" \
	" INSERT OR IGNORE INTO outbox_deps(doc_id, waits_for)" \
	" SELECT ?1, o.id FROM latest JOIN outbox o ON o.id = latest.d" \
	"  WHERE o.sendable AND o.state <> 'confirmed'" \
	" UNION SELECT ?1, x.waits_for FROM latest" \
	"  JOIN outbox o ON o.id = latest.d" \
	"  JOIN outbox_deps x ON x.doc_id = o.id" \
	"  JOIN outbox w ON w.id = x.waits_for" \
	"  WHERE NOT o.sendable AND w.state <> 'confirmed'"

static int
run2(struct st_db *db, const char *sql, int64_t doc, int64_t code,
     struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, doc);
	sqlite3_bind_int64(st, 2, code);
	return db_done(db, st, e, "document dependencies");
}

/* doc waits for what last changed code_id. */
int
doc_wait_for_code(struct st_db *db, int64_t doc, int64_t code_id,
		  struct err *e)
{
	static const char sql[] =
		"WITH src(code_id) AS (SELECT ?2)," WAIT_FOR_LATEST;

	return run2(db, sql, doc, code_id, e);
}

/* doc waits for what last changed each code directly in pack_id. */
int
doc_wait_for_children(struct st_db *db, int64_t doc, int64_t pack_id,
		      struct err *e)
{
	static const char sql[] =
		"WITH src(code_id) AS (SELECT id FROM codes"
		" WHERE parent_id = ?2)," WAIT_FOR_LATEST;

	return run2(db, sql, doc, pack_id, e);
}

/* doc, a shipment's document, waits for what last changed each code
 * scanned onto shipment_id, and changes them. */
int
doc_ship_codes(struct st_db *db, int64_t doc, int64_t shipment_id,
	       struct err *e)
{
	static const char wait[] =
		"WITH src(code_id) AS (SELECT code_id FROM shipment_items"
		" WHERE shipment_id = ?2)," WAIT_FOR_LATEST;
	static const char touch[] =
		"INSERT OR IGNORE INTO doc_codes(code_id, doc_id)"
		" SELECT code_id, ?1 FROM shipment_items WHERE shipment_id = ?2";
	int rc = run2(db, wait, doc, shipment_id, e);

	return rc < 0 ? rc : run2(db, touch, doc, shipment_id, e);
}

/* doc changes code_id on the state system. */
int
doc_touch_code(struct st_db *db, int64_t doc, int64_t code_id,
	       struct err *e)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO doc_codes(code_id, doc_id)"
		" VALUES (?2, ?1)";

	return run2(db, sql, doc, code_id, e);
}

/* doc changes every code directly in pack_id (it frees them). */
int
doc_touch_children(struct st_db *db, int64_t doc, int64_t pack_id,
		   struct err *e)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO doc_codes(code_id, doc_id)"
		" SELECT id, ?1 FROM codes WHERE parent_id = ?2";

	return run2(db, sql, doc, pack_id, e);
}

/*
 * Does sync send documents of this type for this product group, or keep
 * them for export? 0: sent; ERR_REFUSED with the reason in plain words.
 * LP_SHIP_GOODS and LP_ACCEPT_GOODS only for furs (true-api.md §5.6,
 * §5.7: other groups pass goods on with a УПД through an EDO operator);
 * tobacco, otp and ncp do not take documents through the unified method
 * (§4.2, §5.5); and only the five types sklad makes.
 */
int
st_doc_sendable(const char *type, const char *pg, struct err *e)
{
	static const char *const types[] = { "AGGREGATION_DOCUMENT",
		"DISAGGREGATION_DOCUMENT", "REAGGREGATION_DOCUMENT",
		"LP_SHIP_GOODS", "LP_ACCEPT_GOODS" };
	size_t i;

	if (type == NULL || pg == NULL || *pg == '\0')
		return err_set(e, ERR_INVALID, "the document has no type or "
			       "product group");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return err_set(e, ERR_REFUSED, "sklad does not send documents "
			       "of type %s; it is kept for export", type);
	if (strcmp(pg, "tobacco") == 0 || strcmp(pg, "otp") == 0 ||
	    strcmp(pg, "ncp") == 0)
		return err_set(e, ERR_REFUSED, "product group %s does not "
			       "take %s through this method; the document "
			       "is kept for export", pg, type);
	if ((strcmp(type, "LP_SHIP_GOODS") == 0 ||
	     strcmp(type, "LP_ACCEPT_GOODS") == 0) && strcmp(pg, "furs") != 0)
		return err_set(e, ERR_REFUSED, "%s is accepted only for furs, "
			       "not for product group %s: goods are passed "
			       "on with a UPD through an EDO operator; the "
			       "document is kept for export", type, pg);
	return 0;
}

/* The operator's name of a document type (true-api.md §5 titles, 2024
 * naming), translated; the type itself when sklad does not make it. */
const char *
st_doc_type_title(const char *type)
{
	static const struct {
		const char *type, *title;
	} t[] = {
		{ "AGGREGATION_DOCUMENT", N_("packing (aggregation)") },
		{ "DISAGGREGATION_DOCUMENT", N_("unpacking (disaggregation)") },
		{ "REAGGREGATION_DOCUMENT",
		  N_("pack change (re-aggregation)") },
		{ "LP_SHIP_GOODS", N_("shipment") },
		{ "LP_ACCEPT_GOODS", N_("acceptance") },
		{ "STOCK_LOAD", N_("stock on hand loaded (never sent)") },
	};
	size_t i;

	for (i = 0; type && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(type, t[i].type) == 0)
			return _(t[i].title);
	return type ? type : "";
}
