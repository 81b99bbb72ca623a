/*
 * accept_list: what the acceptance screen lists: the deliveries with
 * their progress and acceptance deadline, the expected codes not found
 * yet, and the surplus scans of a delivery.
 *
 * Read-only and cheap on a 300 000-code delivery: progress comes from the
 * counters on the deliveries row, and the code lists are read a page at
 * a time (limit / offset) along the delivery's own index, never sorted
 * or counted in full.
 *
 * What it must not do: change anything, decide verdicts (rules_accept.c),
 * or format values into SQL.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/db.h"

/* Days from 1970-01-01 of y-m-d (proleptic Gregorian). */
static int64_t
days_of(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
date_of(int64_t z, char out[11])
{
	int64_t era, doe, yoe, doy, mp, d, m, y;
	char buf[48];

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", (int)(y % 10000),
		 (int)m, (int)d);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

int
st_accept_deadline(const char *date, char out[11])
{
	int y, m, d, left = 3;
	int64_t z;

	out[0] = '\0';
	if (date == NULL || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	/* 1970-01-01 was a Thursday: weekday 0 = Monday at z + 3. Holidays
	 * are not known to sklad: only Saturdays and Sundays are skipped,
	 * so the real deadline may be later after a public holiday. */
	for (z = days_of(y, m, d); left > 0;) {
		z++;
		if (((z + 3) % 7 + 7) % 7 < 5)
			left--;
	}
	date_of(z, out);
	return 0;
}

int
st_deliveries(struct st_db *db,
	      int (*fn)(void *arg, const struct st_delivery_row *d),
	      void *arg, struct err *e)
{
	static const char sql[] =
		"SELECT id, number, sender_inn, state, expected, matched,"
		" imported_at, coalesce(transfer_date, doc_date, imported_at)"
		" FROM deliveries WHERE state <> 'importing' ORDER BY id DESC";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_delivery_row r;
	char now[32], today[11];
	int rc;

	if (st == NULL)
		return e->code;
	db_now(now);
	snprintf(today, sizeof(today), "%.10s", now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char from[40];

		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		db_text(st, 1, r.number, sizeof(r.number));
		db_text(st, 2, r.sender_inn, sizeof(r.sender_inn));
		db_text(st, 3, r.state, sizeof(r.state));
		r.expected = sqlite3_column_int(st, 4);
		r.matched = sqlite3_column_int(st, 5);
		db_text(st, 6, r.imported_at, sizeof(r.imported_at));
		db_text(st, 7, from, sizeof(from));
		if (st_accept_deadline(from, r.deadline) < 0)
			st_accept_deadline(r.imported_at, r.deadline);
		r.finished = strcmp(r.state, "accepted") == 0 ||
			strcmp(r.state, "partial") == 0;
		r.overdue = !r.finished && r.deadline[0] != '\0' &&
			strcmp(today, r.deadline) > 0;
		if (fn(arg, &r) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = db_fail(db, e, "deliveries");
	else
		rc = 0;
	sqlite3_reset(st);
	return rc;
}

/* Run a page query (?1 delivery, ?2 limit, ?3 offset) into rows. */
static int
page(struct st_db *db, const char *sql, int64_t delivery, int offset,
     int limit, struct st_accept_code *rows, int *n, bool top,
     struct err *e)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, delivery);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int(st, 3, offset);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct st_accept_code *c = &rows[*n];

		memset(c, 0, sizeof(*c));
		db_text(st, 0, c->code, sizeof(c->code));
		c->kind = sqlite3_column_int(st, 1);
		db_text(st, 2, c->verdict, sizeof(c->verdict));
		c->top = top;
		(*n)++;
	}
	if (*n < limit && rc != SQLITE_DONE) {
		rc = db_fail(db, e, "list");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}

/* How many of the delivery's items are top level and missing; counted
 * only when the caller pages past the first part. */
static int
count_top(struct st_db *db, int64_t delivery, int *n, struct err *e)
{
	static const char sql[] =
		"SELECT count(*) FROM delivery_items WHERE delivery_id = ?1"
		" AND parent_item_id IS NULL AND found = 0";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, delivery);
	if ((rc = db_row(db, st, e, "count")) < 0)
		return rc;
	*n = rc == 1 ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	return 0;
}

/* Codes as documents write them (schema.c, code_text). */
#define ITEM_TEXT \
	"CASE WHEN i.kind = 4 THEN g.gtin || i.serial" \
	" WHEN i.kind >= 5 THEN i.serial" \
	" ELSE '01' || g.gtin || '21' || i.serial END"

int
st_accept_missing(struct st_db *db, int64_t delivery_id, int offset,
		  int limit, struct st_accept_code *rows, int *n,
		  struct err *e)
{
	/* Along the (delivery_id, gtin_id, serial) index: no sort. */
	static const char top[] =
		"SELECT " ITEM_TEXT ", i.kind, '' FROM delivery_items i"
		" JOIN gtins g ON g.id = i.gtin_id WHERE i.delivery_id = ?1"
		" AND i.parent_item_id IS NULL AND i.found = 0"
		" ORDER BY i.gtin_id, i.serial LIMIT ?2 OFFSET ?3";
	static const char inner[] =
		"SELECT " ITEM_TEXT ", i.kind, '' FROM delivery_items i"
		" JOIN gtins g ON g.id = i.gtin_id WHERE i.delivery_id = ?1"
		" AND i.parent_item_id IS NOT NULL AND i.found = 0"
		" ORDER BY i.gtin_id, i.serial LIMIT ?2 OFFSET ?3";
	int rc, ntop = 0;

	*n = 0;
	if (limit <= 0 || offset < 0)
		return 0;
	if ((rc = page(db, top, delivery_id, offset, limit, rows, n, true,
		       e)) < 0)
		return rc;
	if (*n == limit)
		return 0;
	if (*n > 0 || offset == 0)
		ntop = offset + *n;
	else if ((rc = count_top(db, delivery_id, &ntop, e)) < 0)
		return rc;
	return page(db, inner, delivery_id, offset > ntop ? offset - ntop : 0,
		    limit, rows, n, false, e);
}

int
st_accept_surplus(struct st_db *db, int64_t delivery_id, int offset,
		  int limit, struct st_accept_code *rows, int *n,
		  struct err *e)
{
	static const char sql[] =
		"SELECT code, 0, verdict FROM delivery_scans"
		" WHERE delivery_id = ?1 AND verdict IN ('surplus',"
		" 'wrong_item') ORDER BY id DESC LIMIT ?2 OFFSET ?3";

	*n = 0;
	if (limit <= 0 || offset < 0)
		return 0;
	return page(db, sql, delivery_id, offset, limit, rows, n, true, e);
}
