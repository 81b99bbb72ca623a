/*
 * test_st_deps: what each document waits for (store/doc_deps.c), one
 * test per pair of documents the store can produce, on a furs site (the
 * one product group whose acceptance and shipment sync sends, so every
 * pair is real), and what a person is told about blocked documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "tests/site_fx.h"

#define GS "\x1d"

struct fixture {
	struct site_fx site;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	site_fx_open_pg(&f->site, "4711", "furs");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = site_fx_close(&f->site);

	free(f);
	return rc;
}

static void
unit_code(int n, char *out, size_t size)
{
	int cd = mark_check_digit("0460043993125", 13);

	snprintf(out, size, "010460043993125%d21S%05dABCDEFG" GS "93AbCd", cd,
		 n);
}

static int64_t
sql_int(struct fixture *f, const char *sql, int64_t a, int64_t b)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->site.path, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The newest outbox document of this type. */
static int64_t
newest(struct fixture *f, const char *type)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = 0;

	assert_int_equal(sqlite3_open(f->site.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT max(id) FROM outbox"
					    " WHERE type = ?1", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_true(v > 0);
	return v;
}

/* Everything doc waits for, as a count, and whether it waits for dep. */
static int64_t
nwaits(struct fixture *f, int64_t doc)
{
	return sql_int(f, "SELECT count(*) FROM outbox_deps WHERE doc_id = ?1",
		       doc, 0);
}

static bool
waits(struct fixture *f, int64_t doc, int64_t dep)
{
	return sql_int(f, "SELECT count(*) FROM outbox_deps WHERE doc_id = ?1"
		       " AND waits_for = ?2", doc, dep) == 1;
}

/* A box of units first..first+n-1, closed (reported on its own when top
 * is set, i.e. not opened on a pallet); its SSCC into sscc. */
static void
box(struct fixture *f, const char *pallet, int first, int n, char *sscc)
{
	struct st_pack p;
	struct mark m;
	char code[96];
	struct err e;
	int i;

	assert_int_equal(st_pack_open(f->site.db, &f->site.op, ST_BOX, NULL,
				      pallet, NULL, &p, &e), 0);
	strcpy(sscc, p.sscc);
	for (i = 0; i < n; i++) {
		unit_code(first + i, code, sizeof(code));
		m = site_fx_parsed(code);
		if (st_pack_scan(f->site.db, &f->site.op, sscc, &m, code,
				 strlen(code), &p, &e) != 0)
			fail_msg("scan: %s", e.msg);
	}
	assert_int_equal(st_pack_close(f->site.db, &f->site.op, sscc, &p, &e),
			 0);
}

static struct mark
unit_mark(int n)
{
	char code[96];

	unit_code(n, code, sizeof(code));
	return site_fx_parsed(code);
}

/* Aggregation of a box, then a pallet it is put on: the pallet's waits
 * for the box's (the state system refuses an aggregate of unknown
 * boxes, true-api.md §5.1). */
static void
test_box_then_pallet(void **state)
{
	struct fixture *f = *state;
	char b1[19], b2[19];
	struct st_pack p;
	struct mark m;
	struct err e;
	int64_t box_doc, pal_doc;

	box(f, NULL, 1, 2, b1);
	box_doc = newest(f, "AGGREGATION_DOCUMENT");
	assert_int_equal(st_pack_open(f->site.db, &f->site.op, ST_PALLET, NULL,
				      NULL, NULL, &p, &e), 0);
	box(f, p.sscc, 10, 2, b2);	/* closed inside: reported with it */
	m = site_fx_parsed(b1);
	assert_int_equal(st_pack_scan(f->site.db, &f->site.op, p.sscc, &m, b1,
				      strlen(b1), &p, &e), 0);
	assert_int_equal(st_pack_close(f->site.db, &f->site.op, p.sscc, &p,
				       &e), 0);
	pal_doc = newest(f, "AGGREGATION_DOCUMENT");
	assert_true(pal_doc > box_doc);
	assert_true(waits(f, pal_doc, box_doc));
	assert_int_equal(nwaits(f, pal_doc), 1);	/* b2 came with it */
	assert_int_equal(nwaits(f, box_doc), 0);
}

/* Aggregation, then disbanding: the disaggregation waits for it. Then a
 * new box of the freed units waits for the disaggregation. */
static void
test_disband_then_repack(void **state)
{
	struct fixture *f = *state;
	char b1[19], b2[19];
	struct st_pack p;
	struct err e;
	int64_t agg, dis, again;

	box(f, NULL, 1, 3, b1);
	agg = newest(f, "AGGREGATION_DOCUMENT");
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, b1, &p,
					 &e), 0);
	dis = newest(f, "DISAGGREGATION_DOCUMENT");
	assert_int_equal(p.document_id, dis);
	assert_true(waits(f, dis, agg));
	assert_int_equal(nwaits(f, dis), 1);
	box(f, NULL, 1, 3, b2);
	again = newest(f, "AGGREGATION_DOCUMENT");
	assert_true(again > dis);
	assert_true(waits(f, again, dis));
	assert_int_equal(nwaits(f, again), 1);
}

/* Take a unit out of a reported box, take a second: each waits for what
 * last changed the box; a new box with the first unit waits for its
 * take-out. Putting a unit back waits for the latest change too. */
static void
test_take_put_chain(void **state)
{
	struct fixture *f = *state;
	char b1[19], b2[19];
	struct st_pack p;
	struct mark m;
	struct err e;
	int64_t agg, take1, take2, put, other;

	box(f, NULL, 1, 3, b1);
	agg = newest(f, "AGGREGATION_DOCUMENT");
	m = unit_mark(1);
	assert_int_equal(st_pack_take(f->site.db, &f->site.sup, b1, &m, &p,
				      &e), 0);
	take1 = newest(f, "REAGGREGATION_DOCUMENT");
	assert_int_equal(p.document_id, take1);	/* the new one, not agg */
	assert_true(waits(f, take1, agg));
	m = unit_mark(2);
	assert_int_equal(st_pack_take(f->site.db, &f->site.sup, b1, &m, &p,
				      &e), 0);
	take2 = newest(f, "REAGGREGATION_DOCUMENT");
	assert_true(waits(f, take2, take1));
	assert_false(waits(f, take2, agg));	/* through take1 */
	m = unit_mark(2);
	assert_int_equal(st_pack_put(f->site.db, &f->site.sup, b1, &m, &p,
				     &e), 0);
	put = newest(f, "REAGGREGATION_DOCUMENT");
	assert_int_equal(p.document_id, put);
	assert_true(waits(f, put, take2));
	assert_int_equal(nwaits(f, put), 1);
	box(f, NULL, 1, 1, b2);		/* unit 1, freed by take1 */
	other = newest(f, "AGGREGATION_DOCUMENT");
	assert_true(waits(f, other, take1));
	assert_int_equal(nwaits(f, other), 1);
}

/* Import and accept a furs delivery of a box of 2 and a loose unit. */
static int64_t
accept_delivery(struct fixture *f, int first, char *sscc_out)
{
	struct st_accept_progress p;
	struct st_delivery d;
	char text[1024], code[96], box_sscc[19];
	struct mark m;
	struct err e;
	size_t n = 0;
	int i;

	assert_int_equal(mark_sscc_make(1, "4610000", (uint64_t)first,
					box_sscc), 0);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s\n",
			      site_fx_list_head(), box_sscc);
	for (i = 0; i < 3; i++) {
		unit_code(first + i, code, sizeof(code));
		*strchr(code, GS[0]) = '\0';
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s\n",
				      i < 2 ? "\t" : "", code);
	}
	assert_int_equal(st_delivery_import(f->site.db, &f->site.op, "in.txt",
					    text, n, &d, &e), 0);
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p,
					&e), 0);
	m = site_fx_parsed(box_sscc);
	assert_int_equal(st_accept_scan(f->site.db, &f->site.op, d.id, &m, &p,
					&e), 0);
	m = unit_mark(first + 2);
	assert_int_equal(st_accept_scan(f->site.db, &f->site.op, d.id, &m, &p,
					&e), 0);
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, false,
					  &p, &e), 0);
	strcpy(sscc_out, box_sscc);
	return newest(f, "LP_ACCEPT_GOODS");
}

/* Furs: goods accepted, then shipped: the shipment waits for the
 * acceptance that made them ours (§5.6: codes must be ours). */
static void
test_accept_then_ship(void **state)
{
	struct fixture *f = *state;
	struct st_shipment s;
	char in_box[19];
	struct mark m;
	struct err e;
	int64_t acc, ship;

	acc = accept_delivery(f, 100, in_box);
	assert_int_equal(sql_int(f, "SELECT sendable FROM outbox WHERE id = ?1",
				 acc, 0), 1);
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, "7711111111",
				      "S-1", &s, &e), 0);
	m = site_fx_parsed(in_box);
	assert_int_equal(st_ship_scan(f->site.db, &f->site.op, s.id, &m, &s,
				      &e), 0);
	m = unit_mark(102);
	assert_int_equal(st_ship_scan(f->site.db, &f->site.op, s.id, &m, &s,
				      &e), 0);
	/* the site sells on commission: its own turnover type (§5.6) */
	assert_int_equal(st_ship_turnover(f->site.db, &f->site.op, s.id,
					  "GIFT", &s, &e), ERR_INVALID);
	assert_int_equal(st_ship_turnover(f->site.db, &f->site.op, s.id,
					  "COMMISSION", &s, &e), 0);
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s.id, &s, &e),
			 0);
	assert_int_equal(st_ship_turnover(f->site.db, &f->site.op, s.id,
					  "AGENT", &s, &e), ERR_REFUSED);
	ship = newest(f, "LP_SHIP_GOODS");
	assert_true(waits(f, ship, acc));
	assert_int_equal(nwaits(f, ship), 1);
	assert_int_equal(sql_int(f, "SELECT instr(body, '\"turnover_type\":"
				 "\"COMMISSION\"') > 0 FROM outbox WHERE id = ?1",
				 ship, 0), 1);
}

/* Furs: an accepted supplier box disbanded waits for the acceptance; a
 * box packed from loose accepted units waits for it too. */
static void
test_accept_then_disband_and_pack(void **state)
{
	struct fixture *f = *state;
	char in_box[19], mine[19];
	struct st_pack p;
	struct err e;
	int64_t acc, dis, agg;

	acc = accept_delivery(f, 200, in_box);
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, in_box, &p,
					 &e), 0);
	dis = newest(f, "DISAGGREGATION_DOCUMENT");
	assert_true(waits(f, dis, acc));
	box(f, NULL, 202, 1, mine);	/* the loose accepted unit */
	agg = newest(f, "AGGREGATION_DOCUMENT");
	assert_true(waits(f, agg, acc));
	box(f, NULL, 200, 2, mine);	/* units freed by the disbanding */
	agg = newest(f, "AGGREGATION_DOCUMENT");
	assert_true(waits(f, agg, dis));
	assert_false(waits(f, agg, acc));
}

/* A confirmed document is nothing to wait for. */
static void
test_confirmed_not_waited_for(void **state)
{
	struct fixture *f = *state;
	char b1[19];
	struct st_pack p;
	struct err e;
	int64_t agg;

	box(f, NULL, 1, 2, b1);
	agg = newest(f, "AGGREGATION_DOCUMENT");
	assert_int_equal(st_outbox_result(f->site.db, agg, ST_OUTBOX_CONFIRMED,
					  NULL, &e), 0);
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, b1, &p,
					 &e), 0);
	assert_int_equal(nwaits(f, newest(f, "DISAGGREGATION_DOCUMENT")), 0);
}

struct seen {
	int n;
	struct st_outbox_issue it[8];
};

static int
collect(void *arg, const struct st_outbox_issue *it)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->it[s->n++] = *it;
	return 0;
}

/* A rejected box blocks the pallet and the disbanding behind it, and a
 * person is told which is which; sending the box again unblocks them. */
static void
test_blocked_is_told_and_retried(void **state)
{
	struct fixture *f = *state;
	struct st_outbox_counts c;
	struct st_outbox_item it;
	struct seen s = { 0 };
	char b1[19];
	struct st_pack p;
	struct mark m;
	struct err e;
	int64_t box_doc, pal_doc, wait;

	box(f, NULL, 1, 2, b1);
	box_doc = newest(f, "AGGREGATION_DOCUMENT");
	assert_int_equal(st_pack_open(f->site.db, &f->site.op, ST_PALLET, NULL,
				      NULL, NULL, &p, &e), 0);
	m = site_fx_parsed(b1);
	assert_int_equal(st_pack_scan(f->site.db, &f->site.op, p.sscc, &m, b1,
				      strlen(b1), &p, &e), 0);
	assert_int_equal(st_pack_close(f->site.db, &f->site.op, p.sscc, &p,
				       &e), 0);
	pal_doc = newest(f, "AGGREGATION_DOCUMENT");
	/* only the box is due; the pallet waits */
	assert_int_equal(st_outbox_next(f->site.db, 1, NULL, 0, &it, &wait,
					&e), 1);
	assert_int_equal(it.id, box_doc);
	st_outbox_item_free(&it);
	assert_int_equal(st_outbox_result(f->site.db, box_doc,
					  ST_OUTBOX_REJECTED,
					  "CHECKED_NOT_OK: 8: bad", &e), 0);
	assert_int_equal(st_outbox_next(f->site.db, 1, NULL, 0, &it, &wait,
					&e), 0);
	assert_int_equal(st_outbox_count(f->site.db, &c, &e), 0);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.blocked, 1);
	assert_int_equal(st_outbox_attention(f->site.db, collect, &s, &e), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.it[0].id, box_doc);
	assert_string_equal(s.it[0].state, "rejected");
	assert_int_equal(s.it[0].waiting_behind, 1);
	assert_non_null(strstr(s.it[0].packs, b1));
	assert_non_null(strstr(s.it[0].reason, "8: bad"));
	assert_int_equal(s.it[1].id, pal_doc);
	assert_int_equal(s.it[1].blocked_by, box_doc);
	/* an operator may not send it again; a supervisor does: same
	 * bytes, pending, due; both audited */
	assert_int_equal(st_outbox_retry(f->site.db, &f->site.op, box_doc,
					 &e), ERR_DENIED);
	assert_int_equal(st_outbox_retry(f->site.db, &f->site.sup, box_doc,
					 &e), 0);
	assert_int_equal(st_outbox_retry(f->site.db, &f->site.sup, box_doc,
					 &e), ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "nothing to send again"));
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 50 AND ok = 1", 0, 0), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 50 AND ok = 0", 0, 0), 2);
	assert_int_equal(st_outbox_count(f->site.db, &c, &e), 0);
	assert_int_equal(c.blocked, 0);
	assert_int_equal(st_outbox_next(f->site.db, 1, NULL, 0, &it, &wait,
					&e), 1);
	assert_int_equal(it.id, box_doc);
	st_outbox_item_free(&it);
}

/* Documents sync never sends (a milk shipment, kept for a УПД) are not
 * waited for: what comes after waits for what they waited for. They wait
 * 'to export' (held), neither pending for sync nor failed. */
static void
test_held_is_skipped(void **state)
{
	struct fixture *f = *state;
	struct site_fx milk;
	struct st_shipment s;
	struct st_outbox_counts c;
	char code[96];
	struct mark m;
	struct err e;

	(void)f;
	site_fx_open(&milk, "4711");
	unit_code(1, code, sizeof(code));
	m = site_fx_parsed(code);
	/* a loose unit received earlier... (by import and acceptance) */
	{
		struct st_accept_progress p;
		struct st_delivery d;
		char text[512];

		*strchr(code, GS[0]) = '\0';
		snprintf(text, sizeof(text), "%s%s\n", site_fx_list_head(),
			 code);
		assert_int_equal(st_delivery_import(milk.db, &milk.op, "l",
						    text, strlen(text), &d,
						    &e), 0);
		assert_int_equal(st_accept_open(milk.db, &milk.op, d.id, &p,
						&e), 0);
		assert_int_equal(st_accept_scan(milk.db, &milk.op, d.id, &m,
						&p, &e), 0);
		assert_int_equal(st_accept_finish(milk.db, &milk.op, d.id,
						  false, &p, &e), 0);
	}
	assert_int_equal(st_ship_open(milk.db, &milk.op, "7711111111", "S-1",
				      &s, &e), 0);
	assert_int_equal(st_ship_scan(milk.db, &milk.op, s.id, &m, &s, &e), 0);
	assert_int_equal(st_ship_finish(milk.db, &milk.op, s.id, &s, &e), 0);
	assert_int_equal(st_outbox_count(milk.db, &c, &e), 0);
	assert_int_equal(c.held, 2);	/* acceptance and shipment */
	assert_int_equal(c.blocked, 0);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.pending, 0);	/* nothing for sync to send */
	assert_int_equal(site_fx_close(&milk), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_box_then_pallet, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disband_then_repack,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_put_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accept_then_ship, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_accept_then_disband_and_pack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirmed_not_waited_for,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_blocked_is_told_and_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_is_skipped, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
