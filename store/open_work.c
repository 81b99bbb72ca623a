/*
 * open_work: everything left open on the site: packs, acceptances and
 * shipments, with who opened (or last worked on) each and when, so a
 * restarted console can bring its own work back and a supervisor can
 * see and deal with the rest (store.h, st_open_work).
 *
 * Read-only, over the existing columns: packs.opened_by / opened_at and
 * the partial index on open packs; shipments.opened_by / opened_at; for
 * an acceptance, which has no opener column, its newest scan.
 *
 * What it must not do: change anything, or scan the audit log (10 M rows
 * on a big site).
 */
#include <string.h>

#include "store/db.h"

/* Rows of one query into items of kind; fill reads a row. */
static int
each(struct st_db *db, const char *sql, const char *what,
     void (*fill)(sqlite3_stmt *st, struct st_open_item *it),
     int (*fn)(void *arg, const struct st_open_item *it), void *arg,
     struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_open_item it;
	int rc, stop = 0;

	if (st == NULL)
		return e->code;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&it, 0, sizeof(it));
		fill(st, &it);
		stop = fn(arg, &it);
	}
	if (!stop && rc != SQLITE_DONE)
		rc = db_fail(db, e, what);
	else
		rc = stop ? 1 : 0;
	sqlite3_reset(st);
	return rc;
}

static void
fill_pack(sqlite3_stmt *st, struct st_open_item *it)
{
	char level[8];

	it->kind = ST_OPEN_PACK;
	db_text(st, 0, it->sscc, sizeof(it->sscc));
	db_text(st, 1, level, sizeof(level));
	it->level = strcmp(level, "pallet") == 0 ? ST_PALLET : ST_BOX;
	it->count = sqlite3_column_int(st, 2);
	it->capacity = sqlite3_column_int(st, 3);
	it->user_id = sqlite3_column_int64(st, 4);
	db_text(st, 5, it->user, sizeof(it->user));
	db_text(st, 6, it->at, sizeof(it->at));
	db_text(st, 7, it->parent, sizeof(it->parent));
}

static void
fill_accept(sqlite3_stmt *st, struct st_open_item *it)
{
	it->kind = ST_OPEN_ACCEPT;
	it->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, it->label, sizeof(it->label));
	it->count = sqlite3_column_int(st, 2);
	it->capacity = sqlite3_column_int(st, 3);
	it->user_id = sqlite3_column_int64(st, 4);
	db_text(st, 5, it->user, sizeof(it->user));
	db_text(st, 6, it->at, sizeof(it->at));
}

static void
fill_ship(sqlite3_stmt *st, struct st_open_item *it)
{
	it->kind = ST_OPEN_SHIP;
	it->id = sqlite3_column_int64(st, 0);
	db_text(st, 1, it->inn, sizeof(it->inn));
	db_text(st, 2, it->label, sizeof(it->label));
	it->count = sqlite3_column_int(st, 3);
	it->units = sqlite3_column_int(st, 4);
	it->user_id = sqlite3_column_int64(st, 5);
	db_text(st, 6, it->user, sizeof(it->user));
	db_text(st, 7, it->at, sizeof(it->at));
}

int
st_open_work(struct st_db *db,
	     int (*fn)(void *arg, const struct st_open_item *it), void *arg,
	     struct err *e)
{
	/* Outer packs first, so a pallet comes before the box on it. */
	static const char packs[] =
		"SELECT c.serial, p.level, p.count, p.capacity, p.opened_by,"
		" coalesce(u.name, ''), p.opened_at,"
		" coalesce((SELECT pc.serial FROM codes pc"
		"   WHERE pc.id = c.parent_id), '')"
		" FROM packs p JOIN codes c ON c.id = p.code_id"
		" LEFT JOIN users u ON u.id = p.opened_by"
		" WHERE p.state = 'open'"
		" ORDER BY p.level = 'box', p.opened_at, c.id";
	/* Who worked on an acceptance last: its newest scan, else the
	 * import. */
	static const char accepts[] =
		"SELECT d.id, d.number, d.matched, d.expected,"
		" coalesce(s.user_id, d.imported_by), coalesce(u.name, ''),"
		" coalesce(s.at, d.imported_at)"
		" FROM deliveries d LEFT JOIN delivery_scans s ON s.id ="
		"  (SELECT max(id) FROM delivery_scans WHERE delivery_id = d.id)"
		" LEFT JOIN users u ON u.id = coalesce(s.user_id, d.imported_by)"
		" WHERE d.state = 'accepting' ORDER BY d.id";
	static const char ships[] =
		"SELECT s.id, s.receiver_inn, s.number, s.codes, s.units,"
		" s.opened_by, coalesce(u.name, ''), s.opened_at"
		" FROM shipments s LEFT JOIN users u ON u.id = s.opened_by"
		" WHERE s.state = 'open' ORDER BY s.id";
	int rc;

	if ((rc = each(db, packs, "open packs", fill_pack, fn, arg, e)) != 0 ||
	    (rc = each(db, accepts, "open acceptances", fill_accept, fn, arg,
		       e)) != 0 ||
	    (rc = each(db, ships, "open shipments", fill_ship, fn, arg, e)) != 0)
		return rc < 0 ? rc : 0;
	return 0;
}
