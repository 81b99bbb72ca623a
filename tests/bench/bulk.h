/*
 * bulk: lay down a big database the way the store would have written it,
 * fast, for the benchmarks that need millions of codes already stored.
 * Header-only (static functions): each bench takes it without an archive.
 *
 * Units sit in closed boxes of BULK_BOX, each unit with the audit record a
 * scan leaves behind. Unit n has GTIN 04600439931256 and serial
 * bulk_serial(n).
 */
#ifndef SKLAD_TESTS_BULK_H
#define SKLAD_TESTS_BULK_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "scanners/mark.h"

#define BULK_BOX 100

static void
bulk_die(const char *what, const char *msg)
{
	fprintf(stderr, "bench: %s: %s\n", what, msg);
	exit(1);
}

static void
bulk_exec(sqlite3 *h, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		bulk_die(sql, msg);
}

/* Serial of the n-th bulk unit: 13 characters like real ones. */
static void
bulk_serial(long n, char out[24])
{
	snprintf(out, 24, "B%012ld", n);
}

/* Lay down n units in closed boxes, with their audit records. */
static void
bulk_fill(const char *path, long n)
{
	sqlite3 *h;
	sqlite3_stmt *code, *pack, *audit;
	long i, box = 0;
	char serial[24], sscc[19];

	if (sqlite3_open(path, &h) != SQLITE_OK)
		bulk_die("open", path);
	bulk_exec(h, "PRAGMA synchronous = OFF; BEGIN");
	bulk_exec(h, "INSERT INTO gtins(id, gtin) VALUES (1, '04600439931256')");
	sqlite3_prepare_v2(h, "INSERT INTO codes(id, gtin_id, serial, kind,"
			   " parent_id) VALUES (?1, ?2, ?3, ?4, ?5)", -1,
			   &code, NULL);
	sqlite3_prepare_v2(h, "INSERT INTO packs(code_id, level, state, count,"
			   " opened_at, closed_at) VALUES (?1, 'box', 'closed',"
			   " ?2, '2026-11-25T00:00:00.000Z',"
			   " '2026-11-25T00:00:00.000Z')", -1, &pack, NULL);
	sqlite3_prepare_v2(h, "INSERT INTO audit(at, user_id, device_id, "
			   "action, ok, code_id, pack_id) VALUES "
			   "('2026-11-25T00:00:00.000Z', 1, 1, 11, 1, ?1, ?2)",
			   -1, &audit, NULL);
	for (i = 0; i < n; i++) {
		long id = 1000000 + i + i / BULK_BOX + 1;

		if (i % BULK_BOX == 0) {
			box = id - 1;
			mark_sscc_make(9, "4600439", (uint64_t)(i / BULK_BOX),
				       sscc);
			sqlite3_bind_int64(code, 1, box);
			sqlite3_bind_int64(code, 2, 0);
			sqlite3_bind_text(code, 3, sscc, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(code, 4, 5);
			sqlite3_bind_null(code, 5);
			sqlite3_step(code);
			sqlite3_reset(code);
			sqlite3_bind_int64(pack, 1, box);
			sqlite3_bind_int(pack, 2, BULK_BOX);
			sqlite3_step(pack);
			sqlite3_reset(pack);
		}
		bulk_serial(i, serial);
		sqlite3_bind_int64(code, 1, id);
		sqlite3_bind_int64(code, 2, 1);
		sqlite3_bind_text(code, 3, serial, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(code, 4, 1);
		sqlite3_bind_int64(code, 5, box);
		if (sqlite3_step(code) != SQLITE_DONE)
			bulk_die("bulk insert", sqlite3_errmsg(h));
		sqlite3_reset(code);
		sqlite3_bind_int64(audit, 1, id);
		sqlite3_bind_int64(audit, 2, box);
		sqlite3_step(audit);
		sqlite3_reset(audit);
	}
	sqlite3_finalize(code);
	sqlite3_finalize(pack);
	sqlite3_finalize(audit);
	bulk_exec(h, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(h);
}

#endif
