/*
 * db_check: `sklad db check`, whether a database file is sound (store.h,
 * "admin"): SQLite's own integrity and foreign-key checks, then the
 * invariants the operations keep, each one query that lists what breaks
 * it:
 *
 *   two_packs   a code is stored once and sits in one pack; the same
 *               code text twice means it can be in two packs at once
 *   parent      a code's pack is a pack (a box, pallet, group or set)
 *               that still exists, not a unit or a disbanded pack
 *   counts      a pack's count is the number of codes in it, within its
 *               capacity; a shipment's count is its scanned codes
 *   cycles      the pack tree has no loop and no deeper nesting than
 *               ST_MAX_DEPTH
 *   outbox      a submitted document has the server's id; only pending
 *               ones may have an unknown fate; nothing was sent before
 *               a document it waits for was confirmed; a pack's state
 *               follows its document's
 *   deps        what documents wait for (outbox_deps) has no loop
 *
 * Reads only, in one read transaction (one snapshot; consoles go on
 * scanning). Each check reports at most CHECK_SHOW rows and then how
 * many more there are.
 */
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "scanners/i18n.h"

#define CHECK_SHOW 20

/* Write the sentence for the current row of st into buf. */
typedef void (*say_fn)(sqlite3_stmt *st, char *buf, size_t n);

struct check {
	const char *name;
	const char *sql;
	say_fn say;
};

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

static void
say_integrity(sqlite3_stmt *st, char *buf, size_t n)
{
	snprintf(buf, n, _("SQLite integrity check: %s"),
		 col(st, 0));
}

static void
say_fk(sqlite3_stmt *st, char *buf, size_t n)
{
	if (sqlite3_column_type(st, 1) == SQLITE_NULL)	/* WITHOUT ROWID */
		snprintf(buf, n, _("a row of table %s refers "
					  "to a missing row of %s"),
			 col(st, 0), col(st, 2));
	else
		snprintf(buf, n, _("table %s row %s refers "
					  "to a missing row of %s"),
			 col(st, 0), col(st, 1), col(st, 2));
}

static void
say_two_packs(sqlite3_stmt *st, char *buf, size_t n)
{
	snprintf(buf, n, _("code %s is stored %s times, in "
				  "packs: %s"), col(st, 0), col(st, 1),
		 col(st, 2));
}

static void
say_parent(sqlite3_stmt *st, char *buf, size_t n)
{
	snprintf(buf, n, _("code %s is in %s, which %s"),
		 col(st, 0), col(st, 1), col(st, 2));
}

static void
say_counts(sqlite3_stmt *st, char *buf, size_t n)
{
	snprintf(buf, n, _("%s %s counts %s but holds %s%s"),
		 col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4));
}

static void
say_cycle(sqlite3_stmt *st, char *buf, size_t n)
{
	if (sqlite3_column_int(st, 1) != 0)
		snprintf(buf, n, _("pack %s is inside itself "
					  "(a loop in the pack tree)"),
			 col(st, 0));
	else
		snprintf(buf, n, _("pack %s is nested deeper "
					  "than %d levels"), col(st, 0),
			 ST_MAX_DEPTH);
}

static void
say_outbox(sqlite3_stmt *st, char *buf, size_t n)
{
	snprintf(buf, n, _("document %s (%s): %s"),
		 col(st, 0), col(st, 1), col(st, 2));
}

static void
say_deps(sqlite3_stmt *st, char *buf, size_t n)
{
	snprintf(buf, n, _("document %s waits for itself "
				  "through others (a loop in what documents "
				  "wait for)"), col(st, 0));
}

/* The name of a code as people read it: the code text, or #id. */
#define NAME_OF(c) "coalesce((SELECT code FROM code_text t" \
	" WHERE t.id = " c "), '#' || " c ")"

static const struct check checks[] = {
	{ "integrity", "PRAGMA integrity_check", say_integrity },
	{ "foreign_keys", "PRAGMA foreign_key_check", say_fk },
	{ "two_packs",
	  "SELECT t.code, count(*), group_concat(" NAME_OF("c.parent_id")
	  ", ', ') FROM code_text t JOIN codes c ON c.id = t.id"
	  " WHERE t.code IN (SELECT code FROM code_text GROUP BY code"
	  "  HAVING count(*) > 1)"
	  " GROUP BY t.code HAVING count(c.parent_id) > 0", say_two_packs },
	{ "parent",
	  "SELECT " NAME_OF("c.id") ", " NAME_OF("c.parent_id") ","
	  " CASE WHEN p.kind NOT IN (2, 3, 5, 6) THEN"
	  "   'is not a pack (kind ' || p.kind || ')'"
	  "  WHEN p.kind >= 5 AND k.code_id IS NULL THEN 'has no pack record'"
	  "  ELSE 'is disbanded' END"
	  " FROM codes c JOIN codes p ON p.id = c.parent_id"
	  " LEFT JOIN packs k ON k.code_id = p.id"
	  " WHERE p.kind NOT IN (2, 3, 5, 6)"
	  "  OR (p.kind >= 5 AND k.code_id IS NULL)"
	  "  OR k.state = 'disbanded'", say_parent },
	{ "counts",
	  "SELECT p.level, " NAME_OF("p.code_id") ", p.count, p.held,"
	  " CASE WHEN p.capacity > 0 AND p.held > p.capacity"
	  "  THEN ' (capacity ' || p.capacity || ')' ELSE '' END"
	  " FROM (SELECT code_id, level, count, capacity, (SELECT count(*)"
	  "  FROM codes k WHERE k.parent_id = code_id) AS held FROM packs) p"
	  " WHERE p.count <> p.held"
	  "  OR (p.capacity > 0 AND p.held > p.capacity)"
	  " UNION ALL SELECT 'shipment', s.number, s.codes, s.held, ''"
	  " FROM (SELECT number, codes, (SELECT count(*) FROM shipment_items"
	  "  i WHERE i.shipment_id = id) AS held FROM shipments) s"
	  " WHERE s.codes <> s.held",
	  say_counts },
	{ "cycles",
	  /* Only codes that hold others can be on a loop; walk up from
	   * each, one step deeper than the deepest allowed nesting. */
	  "WITH RECURSIVE up(start, at, depth) AS ("
	  " SELECT id, parent_id, 1 FROM codes WHERE parent_id IS NOT NULL"
	  "  AND id IN (SELECT parent_id FROM codes)"
	  " UNION ALL SELECT u.start, c.parent_id, u.depth + 1 FROM up u"
	  "  JOIN codes c ON c.id = u.at"
	  "  WHERE c.parent_id IS NOT NULL AND u.at <> u.start"
	  "  AND u.depth <= " DB_STR(ST_MAX_DEPTH) ")"
	  " SELECT " NAME_OF("start") ", max(at = start) FROM up"
	  " GROUP BY start HAVING max(at = start) OR max(depth) > "
	  DB_STR(ST_MAX_DEPTH), say_cycle },
	{ "outbox",
	  "SELECT id, state, 'submitted without the server''s id'"
	  " FROM outbox WHERE state = 'submitted'"
	  "  AND coalesce(server_id, '') = ''"
	  " UNION ALL SELECT id, state, 'its fate is marked unknown, which"
	  " only a pending document may be' FROM outbox"
	  " WHERE fate_unknown AND state <> 'pending'"
	  " UNION ALL SELECT o.id, o.state, 'sent before document ' || w.id"
	  " || ', which it waits for, was confirmed (' || w.state || ')'"
	  " FROM outbox_deps x JOIN outbox o ON o.id = x.doc_id"
	  " JOIN outbox w ON w.id = x.waits_for"
	  " WHERE o.state IN ('submitted', 'confirmed') AND w.sendable"
	  "  AND w.state <> 'confirmed'"
	  " UNION ALL SELECT o.id, o.state, 'pack ' || " NAME_OF("p.code_id")
	  " || ' is ' || p.state || ' but its document is ' || o.state"
	  " FROM packs p JOIN outbox o ON o.id = p.document_id"
	  " WHERE (p.state = 'submitted' AND o.state <> 'submitted')"
	  "  OR (p.state = 'confirmed' AND o.state <> 'confirmed')"
	  " UNION ALL SELECT p.document_id, 'missing', 'pack ' || "
	  NAME_OF("p.code_id") " || ' is ' || p.state || ' without a"
	  " document' FROM packs p WHERE p.state = 'submitted'"
	  "  AND p.document_id IS NULL", say_outbox },
	{ "deps",
	  "WITH RECURSIVE w(start, at) AS ("
	  " SELECT doc_id, waits_for FROM outbox_deps"
	  " UNION SELECT w.start, x.waits_for FROM w"
	  "  JOIN outbox_deps x ON x.doc_id = w.at WHERE w.at <> w.start)"
	  " SELECT DISTINCT start FROM w WHERE at = start", say_deps },
};

/* Run one check; report each row through fn. Returns the rows found, or
 * <0 with e set. */
static int
run_check(sqlite3 *h, const struct check *c, st_problem_fn fn, void *arg,
	  struct err *e)
{
	sqlite3_stmt *st;
	char msg[512];
	int rc, found = 0;

	if (sqlite3_prepare_v2(h, c->sql, -1, &st, NULL) != SQLITE_OK)
		return err_set(e, ERR_DB, "check %s: %s", c->name,
			       sqlite3_errmsg(h));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* integrity_check says "ok" when all is well */
		if (c->say == say_integrity &&
		    strcmp(col(st, 0), "ok") == 0)
			continue;
		if (++found <= CHECK_SHOW) {
			c->say(st, msg, sizeof(msg));
			fn(arg, c->name, msg);
		}
	}
	if (rc != SQLITE_DONE) {
		rc = err_set(e, ERR_DB, "check %s: %s", c->name,
			     sqlite3_errmsg(h));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (found > CHECK_SHOW) {
		snprintf(msg, sizeof(msg), dngettext("sklad",
			 "and %d more like these", "and %d more like these",
			 (unsigned long)(found - CHECK_SHOW)),
			 found - CHECK_SHOW);
		fn(arg, c->name, msg);
	}
	return found;
}

int
st_db_check(const char *path, st_problem_fn fn, void *arg, int *problems,
	    struct err *e)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	size_t i;
	int have = 0, rc;

	*problems = 0;
	if ((rc = db_open_raw(path, &h, e)) < 0)
		return rc;
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = err_set(e, ERR_DB, "%s: %s", path, sqlite3_errmsg(h));
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have != st_schema_version()) {
		rc = err_set(e, ERR_VERSION, have > st_schema_version() ?
			     "%s has schema version %d, newer than this "
			     "sklad's %d: check it with the newer sklad" :
			     "%s has schema version %d, older than this "
			     "sklad's %d: open it once with this sklad to "
			     "upgrade it, then check", path, have,
			     st_schema_version());
		goto out;
	}
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if ((rc = run_check(h, &checks[i], fn, arg, e)) < 0)
			goto out;
		*problems += rc;
	}
	rc = 0;
out:
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}
