/*
 * stock_report: what the store holds, counted three ways (by GTIN, by
 * pack, by state), and a stock count by scanning compared with it:
 * missing and extra codes.
 *
 * Reads without a write transaction (WAL readers never wait), except the
 * one audit record of a count. The scans of a count go into a TEMP table
 * of this connection, so the comparison is set-based, not a loop over
 * the stock.
 *
 * What it must not do: change stock (a count only reports), or format
 * values into SQL.
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/pack.h"
#include "scanners/i18n.h"


static int
report_gtin(struct st_db *db, int (*fn)(void *, const struct st_stock_row *),
	    void *arg, struct err *e)
{
	static const char sql[] =
		"SELECT g.gtin, coalesce(p.name, ''), count(*)"
		" FROM codes c JOIN gtins g ON g.id = c.gtin_id"
		" LEFT JOIN products p ON p.gtin = g.gtin"
		" WHERE c.state = 0 AND c.kind < 5 GROUP BY g.gtin"
		" ORDER BY g.gtin";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_stock_row r;
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "stock by gtin")) == 1) {
		memset(&r, 0, sizeof(r));
		db_text(st, 0, r.key, sizeof(r.key));
		db_text(st, 1, r.name, sizeof(r.name));
		r.units = sqlite3_column_int(st, 2);
		if (fn(arg, &r) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Every pack in stock with its direct children and its units at every
 * level (one recursive pass over the units' ancestors). */
static int
report_pack(struct st_db *db, int (*fn)(void *, const struct st_stock_row *),
	    void *arg, struct err *e)
{
	static const char sql[] =
		"WITH RECURSIVE anc(pack) AS ("
		" SELECT parent_id FROM codes WHERE kind < 5 AND state = 0"
		" AND parent_id IS NOT NULL"
		" UNION ALL SELECT c.parent_id FROM anc JOIN codes c"
		" ON c.id = anc.pack WHERE c.parent_id IS NOT NULL),"
		" units(pack, n) AS (SELECT pack, count(*) FROM anc"
		" GROUP BY pack)"
		" SELECT c.serial, p.level, p.state, coalesce(q.serial, ''),"
		" (SELECT count(*) FROM codes k WHERE k.parent_id = c.id),"
		" coalesce(u.n, 0) FROM codes c JOIN packs p ON p.code_id = c.id"
		" LEFT JOIN codes q ON q.id = c.parent_id"
		" LEFT JOIN units u ON u.pack = c.id"
		" WHERE c.state = 0 AND p.state <> 'disbanded'"
		" ORDER BY c.serial";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_stock_row r;
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "stock by pack")) == 1) {
		memset(&r, 0, sizeof(r));
		db_text(st, 0, r.key, sizeof(r.key));
		db_text(st, 1, r.kind, sizeof(r.kind));
		db_text(st, 2, r.state, sizeof(r.state));
		db_text(st, 3, r.parent, sizeof(r.parent));
		r.children = sqlite3_column_int(st, 4);
		r.units = sqlite3_column_int(st, 5);
		if (fn(arg, &r) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/* Units and packs by state: a unit in_stock (loose or packed) or
 * shipped, a pack in its life-cycle state or shipped. */
static int
report_state(struct st_db *db, int (*fn)(void *, const struct st_stock_row *),
	     void *arg, struct err *e)
{
	static const char sql[] =
		"SELECT CASE WHEN c.state = 1 THEN 'shipped'"
		"  WHEN c.kind >= 5 THEN coalesce(p.state, 'in_stock')"
		"  WHEN c.parent_id IS NULL THEN 'loose'"
		"  ELSE 'packed' END AS s,"
		" CASE c.kind WHEN 5 THEN 'box' WHEN 6 THEN 'pallet'"
		"  ELSE 'unit' END AS k, count(*)"
		" FROM codes c LEFT JOIN packs p ON p.code_id = c.id"
		" GROUP BY s, k ORDER BY k DESC, s";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_stock_row r;
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "stock by state")) == 1) {
		memset(&r, 0, sizeof(r));
		db_text(st, 0, r.state, sizeof(r.state));
		db_text(st, 1, r.kind, sizeof(r.kind));
		r.units = sqlite3_column_int(st, 2);
		if (fn(arg, &r) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int
st_stock_report(struct st_db *db, enum st_stock_by by,
		int (*fn)(void *arg, const struct st_stock_row *r), void *arg,
		struct err *e)
{
	switch (by) {
	case ST_STOCK_BY_GTIN:
		return report_gtin(db, fn, arg, e);
	case ST_STOCK_BY_PACK:
		return report_pack(db, fn, arg, e);
	case ST_STOCK_BY_STATE:
		return report_state(db, fn, arg, e);
	}
	return err_set(e, ERR_INVALID, "unknown report");
}

/* --- stock count ---------------------------------------------------------- */

/* Where scanned code k stands against the counted scope: 1 inside it (in
 * stock), 0 outside (why says where), <0 error. *id its codes row. */
static int
place(struct st_db *db, const struct mark *m, int64_t root, int64_t *id,
      char *why, size_t wn, struct err *e)
{
	static const char up[] =
		"WITH RECURSIVE a(id, depth) AS (SELECT parent_id, 1 FROM codes"
		" WHERE id = ?1 AND parent_id IS NOT NULL UNION ALL"
		" SELECT c.parent_id, a.depth + 1 FROM a JOIN codes c"
		" ON c.id = a.id WHERE c.parent_id IS NOT NULL AND"
		" a.depth < 32) SELECT count(*) FROM a WHERE id = ?2";
	struct pack_code c;
	struct pack_key k;
	sqlite3_stmt *st;
	char sscc[MARK_SSCC_LEN + 1];
	int rc;

	*id = 0;
	if ((rc = pack_key(db, m, false, &k, e)) < 0 ||
	    (rc = pack_load_code(db, &k, &c, e)) < 0)
		return rc;
	if (rc == 0) {
		snprintf(why, wn, "%s", _("never packed or received here"));
		return 0;
	}
	*id = c.id;
	if (c.shipped) {
		snprintf(why, wn, "%s", _("shipped: it has left the "
					  "warehouse"));
		return 0;
	}
	if (root == 0 || c.id == root)
		return 1;
	if ((st = db_stmt(db, up, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, c.id);
	sqlite3_bind_int64(st, 2, root);
	if ((rc = db_row(db, st, e, "in scope")) == 1)
		rc = sqlite3_column_int(st, 0) > 0;
	sqlite3_reset(st);
	if (rc != 0)
		return rc;
	pack_sscc(db, c.parent_id, sscc);
	if (sscc[0] != '\0')
		snprintf(why, wn, _("in pack %s, not in the counted one"),
			 sscc);
	else
		snprintf(why, wn, "%s", _("loose stock, not in the counted "
					  "pack"));
	return 0;
}

static int
exec_bind(struct st_db *db, const char *sql, int64_t a, struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, a);
	return db_done(db, st, e, "count");
}

/*
 * Missing: units (and group packs, sets) in scope, in stock, that no
 * scan covers (a scanned pack covers everything inside it), with the
 * pack each sits in; counted, and listed through fn.
 */
static int
missing(struct st_db *db, int64_t root, struct st_count_result *out,
	int (*fn)(void *, const struct st_count_line *), void *arg,
	struct err *e)
{
	static const char sql[] =
		"WITH RECURSIVE f(id) AS (SELECT id FROM temp.count_scan"
		" UNION SELECT c.id FROM codes c JOIN f ON c.parent_id = f.id),"
		" s(id) AS (SELECT id FROM codes WHERE ?1 = 0 AND state = 0"
		"  UNION ALL SELECT ?1 WHERE ?1 <> 0"
		"  UNION SELECT c.id FROM codes c JOIN s ON c.parent_id = s.id"
		"  WHERE ?1 <> 0)"
		" SELECT t.code, coalesce(q.serial, '') FROM s"
		" JOIN codes c ON c.id = s.id JOIN code_text t ON t.id = c.id"
		" LEFT JOIN codes q ON q.id = c.parent_id"
		" WHERE c.kind < 5 AND c.state = 0"
		" AND c.id NOT IN (SELECT id FROM f) ORDER BY q.serial, t.code";
	static const char expected[] =
		"WITH RECURSIVE s(id) AS ("
		"  SELECT id FROM codes WHERE ?1 = 0 AND state = 0"
		"  UNION ALL SELECT ?1 WHERE ?1 <> 0"
		"  UNION SELECT c.id FROM codes c JOIN s ON c.parent_id = s.id"
		"  WHERE ?1 <> 0)"
		" SELECT count(*) FROM s JOIN codes c ON c.id = s.id"
		" WHERE c.kind < 5 AND c.state = 0";
	sqlite3_stmt *st;
	struct st_count_line l;
	int64_t n;
	int rc;

	if ((rc = db_int(db, expected, root, &n, e)) < 0)
		return rc;
	out->expected = (int)n;
	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, root);
	while ((rc = db_row(db, st, e, "missing")) == 1) {
		memset(&l, 0, sizeof(l));
		l.missing = true;
		db_text(st, 0, l.code, sizeof(l.code));
		db_text(st, 1, l.pack, sizeof(l.pack));
		out->missing++;
		if (fn != NULL && fn(arg, &l) != 0)
			fn = NULL;	/* the caller has seen enough */
	}
	sqlite3_reset(st);
	out->found = out->expected - out->missing;
	return rc < 0 ? rc : 0;
}

static int
count_tx(struct st_db *db, const struct st_actor *who, const char *sscc,
	 const struct mark *scans, size_t n,
	 int (*fn)(void *arg, const struct st_count_line *l), void *arg,
	 struct st_count_result *out, struct err *e)
{
	static const char make[] =
		"CREATE TEMP TABLE IF NOT EXISTS count_scan("
		" id INTEGER PRIMARY KEY)";
	static const char clear[] = "DELETE FROM temp.count_scan";
	static const char add[] =
		"INSERT OR IGNORE INTO temp.count_scan(id) VALUES (?1)";
	struct st_count_line l;
	struct pack_row p;
	int64_t root = 0, id;
	size_t i;
	int rc;

	if ((rc = db_exec(db, make, e)) < 0 || (rc = db_exec(db, clear, e)) < 0)
		return rc;
	if (sscc != NULL && sscc[0] != '\0') {
		if ((rc = pack_load(db, sscc, 0, &p, e)) < 0)
			return rc;
		if (rc == 0 || p.shipped || p.state == RULES_DISBANDED)
			return err_set(e, ERR_NOTFOUND, _("Pack %s is not in "
				       "stock here."), sscc);
		root = p.id;
	}
	for (i = 0; i < n; i++) {
		const struct mark *m = &scans[i];

		memset(&l, 0, sizeof(l));
		snprintf(l.code, sizeof(l.code), "%s", m->kind == MARK_SSCC ?
			 m->sscc : m->cis);
		if ((rc = place(db, m, root, &id, l.why, sizeof(l.why), e)) <
		    0)
			return rc;
		if (rc == 1) {
			if ((rc = exec_bind(db, add, id, e)) < 0)
				return rc;
			out->scanned++;
			continue;
		}
		out->extra++;
		if (fn != NULL && fn(arg, &l) != 0)
			fn = NULL;
	}
	if ((rc = missing(db, root, out, fn, arg, e)) < 0)
		return rc;
	(void)who;
	return db_exec(db, clear, e);
}

int
st_stock_count(struct st_db *db, const struct st_actor *who, const char *sscc,
	       const struct mark *scans, size_t n,
	       int (*fn)(void *arg, const struct st_count_line *l), void *arg,
	       struct st_count_result *out, struct err *e)
{
	char note[96];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = count_tx(db, who, sscc, scans, n, fn, arg, out, e);
	if (rc < 0)
		return rc;
	/* The count itself is on record: who counted what, and the result. */
	snprintf(note, sizeof(note), "expected %d found %d missing %d extra %d",
		 out->expected, out->found, out->missing, out->extra);
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((rc = db_audit(db, who, ST_ACT_STOCK_COUNT, true, 0, 0,
			   sscc ? sscc : "", sscc ? strlen(sscc) : 0, note,
			   e)) < 0 ||
	    (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		return rc;
	}
	return 0;
}
