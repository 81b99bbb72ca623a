/*
 * test_st_ship: shipment on real SQLite files. Opening with its checks,
 * every scan refusal with the words the operator reads, the LP_SHIP_GOODS
 * body byte for byte, whole subtrees marked shipped, and shipped packs
 * refused by disband, take and packing; an accepted pallet shipped on, a
 * returned box shipped again. It must not mock the database or depend on
 * timing.
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
#define GTIN13 "0460043993125"
#define RECEIVER "7711111111"

struct fixture {
	struct site_fx site;
	/* B1 closed box; P closed pallet with closed B2, B3; B4 closed
	 * box from which unit 100 was taken (loose); B5 open; B6
	 * disbanded. */
	struct st_pack b1, p, b2, b3, b4, b5, b6;
};

static void
unit(int n, char *scan, size_t sn, char *ki, size_t kn)
{
	int cd = mark_check_digit(GTIN13, 13);

	snprintf(scan, sn, "01%s%d21S%05dABCDEFG" GS "93AbCd", GTIN13, cd, n);
	if (ki != NULL)
		snprintf(ki, kn, "01%s%d21S%05dABCDEFG", GTIN13, cd, n);
}

static struct mark
unit_mark(int n)
{
	char code[96];

	unit(n, code, sizeof(code), NULL, 0);
	return site_fx_parsed(code);
}

static void
fill(struct fixture *f, struct st_pack *pk, int base, int n)
{
	struct err e;
	int i;

	for (i = 0; i < n; i++) {
		char code[96];
		struct mark m;

		unit(base + i, code, sizeof(code), NULL, 0);
		m = site_fx_parsed(code);
		if (st_pack_scan(f->site.db, &f->site.op, pk->sscc, &m, code,
				 strlen(code), pk, &e) != 0)
			fail_msg("pack scan refused: %s", e.msg);
	}
}

static void
open_box(struct fixture *f, const char *parent, struct st_pack *out)
{
	struct err e;

	if (st_pack_open(f->site.db, &f->site.op, ST_BOX, NULL, parent, NULL, out,
			 &e) != 0)
		fail_msg("open refused: %s", e.msg);
}

static void
close_pack(struct fixture *f, struct st_pack *pk)
{
	struct err e;

	if (st_pack_close(f->site.db, &f->site.op, pk->sscc, pk, &e) != 0)
		fail_msg("close refused: %s", e.msg);
}

static void
stock(struct fixture *f)
{
	struct st_pack tmp;
	struct mark m;
	struct err e;

	open_box(f, NULL, &f->b1);
	fill(f, &f->b1, 1, 3);
	close_pack(f, &f->b1);
	assert_int_equal(st_pack_open(f->site.db, &f->site.op, ST_PALLET, NULL, NULL,
				      NULL, &f->p, &e), 0);
	open_box(f, f->p.sscc, &f->b2);
	fill(f, &f->b2, 10, 2);
	close_pack(f, &f->b2);
	open_box(f, f->p.sscc, &f->b3);
	fill(f, &f->b3, 20, 2);
	close_pack(f, &f->b3);
	close_pack(f, &f->p);
	open_box(f, NULL, &f->b4);
	fill(f, &f->b4, 100, 2);
	close_pack(f, &f->b4);
	m = unit_mark(100);
	assert_int_equal(st_pack_take(f->site.db, &f->site.sup, f->b4.sscc, &m, &tmp,
				      &e), 0);
	open_box(f, NULL, &f->b5);
	fill(f, &f->b5, 200, 1);
	open_box(f, NULL, &f->b6);
	fill(f, &f->b6, 300, 1);
	close_pack(f, &f->b6);
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, f->b6.sscc, &tmp,
					 &e), 0);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	site_fx_open(&f->site, NULL);
	stock(f);
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

static int64_t
sql_int(struct fixture *f, const char *sql, int64_t arg)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->site.path, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* Scan m onto shipment id and expect a refusal reading exactly want
 * (or, with prefix, starting with it). */
static void
refused(struct fixture *f, int64_t id, const struct mark *m,
	const char *want, bool prefix)
{
	struct st_shipment s;
	struct err e;

	assert_int_equal(st_ship_scan(f->site.db, &f->site.op, id, m, &s, &e),
			 ERR_REFUSED);
	if (prefix ? strncmp(e.msg, want, strlen(want)) != 0 :
	    strcmp(e.msg, want) != 0)
		fail_msg("refusal \"%s\", want \"%s\"", e.msg, want);
}

static void
shipped_on(struct fixture *f, int64_t id, const struct mark *m,
	   struct st_shipment *s)
{
	struct err e;

	if (st_ship_scan(f->site.db, &f->site.op, id, m, s, &e) != 0)
		fail_msg("ship scan refused: %s", e.msg);
}

static void
test_open(void **state)
{
	struct fixture *f = *state;
	struct st_shipment s;
	struct err e;

	assert_int_equal(st_ship_open(f->site.db, &f->site.op, "77111", "S-1", &s, &e),
			 ERR_REFUSED);
	assert_string_equal(e.msg, "The receiver's INN must have 10 or 12 "
			    "digits.");
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, "77111111A1", "S-1", &s,
				      &e), ERR_REFUSED);
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "", &s, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "document number"));
	assert_int_equal(sql_int(f, "SELECT count(*) FROM shipments", 0), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 30 AND ok = 0", 0), 3);
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, "771111111111", "S-1", &s,
				      &e), 0);
	assert_true(s.id > 0);
	assert_string_equal(s.receiver_inn, "771111111111");
	assert_string_equal(s.number, "S-1");
	assert_int_equal(s.codes, 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM shipments WHERE"
				 " state = 'open' AND doc_date LIKE"
				 " '____-__-__T__:__:__.___Z'", 0), 1);
}

static void
test_scan_refusals(void **state)
{
	struct fixture *f = *state;
	struct st_shipment s, s2;
	char want[256], sscc[19];
	struct mark m;
	struct err e;

	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-1", &s, &e),
			 0);
	m = unit_mark(999);
	refused(f, s.id, &m, "Not in stock: this code was never packed or "
		"received here.", false);
	assert_int_equal(mark_sscc_make(0, "4607000", 5, sscc), 0);
	m = site_fx_parsed(sscc);
	refused(f, s.id, &m, "Not in stock", true);
	/* Inside a pack: name the pack, say what to do. */
	m = unit_mark(2);
	snprintf(want, sizeof(want), "It is inside pack %s: ship that pack, "
		 "or take it out of the pack first.", f->b1.sscc);
	refused(f, s.id, &m, want, false);
	m = site_fx_parsed(f->b2.sscc);
	snprintf(want, sizeof(want), "It is inside pack %s: ", f->p.sscc);
	refused(f, s.id, &m, want, true);
	m = site_fx_parsed(f->b5.sscc);
	refused(f, s.id, &m, "This pack is still open: close it before "
		"shipping it.", false);
	m = site_fx_parsed(f->b6.sscc);
	refused(f, s.id, &m, "That pack was disbanded: ship what was in it "
		"instead.", false);
	/* A unit of the disbanded box is loose stock and may go. */
	m = unit_mark(300);
	shipped_on(f, s.id, &m, &s2);
	assert_int_equal(s2.codes, 1);
	assert_int_equal(s2.units, 1);
	m = site_fx_parsed(f->b1.sscc);
	shipped_on(f, s.id, &m, &s2);
	assert_int_equal(s2.codes, 2);
	assert_int_equal(s2.units, 4);	/* units only: not the box */
	refused(f, s.id, &m, "Already on this shipment: scanned twice.",
		false);
	/* Another open shipment may not take it too. */
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-2", &s2,
				      &e), 0);
	refused(f, s2.id, &m, "Already on the open shipment S-1: finish or "
		"change that shipment first.", false);
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s2.id, &s2, &e),
			 ERR_REFUSED);
	assert_string_equal(e.msg, "Nothing scanned onto this shipment yet.");
	assert_int_equal(st_ship_scan(f->site.db, &f->site.op, s.id + 100, &m, &s2, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "No shipment"));
	/* Every refusal audited, with the code scanned. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 31 AND ok = 0", 0), 9);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE"
				 " action = 31 AND ok = 1", 0), 2);
}

static void
test_finish_and_after(void **state)
{
	struct fixture *f = *state;
	struct st_shipment s, s2;
	char want[1024], *body, ki[48], code[96], *at, date[32];
	struct st_pack pk;
	struct mark m;
	struct err e;
	int64_t doc;
	size_t len;

	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-1", &s, &e),
			 0);
	m = site_fx_parsed(f->b1.sscc);
	shipped_on(f, s.id, &m, &s);
	m = site_fx_parsed(f->p.sscc);
	shipped_on(f, s.id, &m, &s);
	m = unit_mark(100);
	shipped_on(f, s.id, &m, &s);
	assert_int_equal(s.codes, 3);
	/* units are units: b1's 3, the pallet's 2 + 2, one loose */
	assert_int_equal(s.units, 3 + 4 + 1);
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s.id, &s, &e), 0);
	assert_int_equal(s.units, 8);
	assert_true(s.document_id > 0);
	/* The body, byte for byte (transfer_date is the finish time). */
	assert_int_equal(st_doc_body(f->site.db, s.document_id, &body, &len, &e),
			 0);
	at = strstr(body, "\"document_date\":\"");
	assert_non_null(at);
	snprintf(date, sizeof(date), "%.24s", at + 17);
	if (st_doc_check("LP_SHIP_GOODS", body, len, &e) != 0)
		fail_msg("%s", e.msg);
	/* yyyy-MM-ddTHH:mm:ss.SSS, the first form §5.6 lists: no 'Z' */
	assert_int_equal(strlen(date), 24);
	assert_int_equal(date[23], '"');
	at = strstr(body, "\"transfer_date\":\"");
	assert_non_null(at);
	assert_int_equal(at[17 + 10], 'T');
	assert_int_equal(at[17 + 23], '"');
	memcpy(at + 17, "XXXXXXXXXXXXXXXXXXXXXXX", 23);
	/* §5.6 (2025) has uit_code only: every unit leaving, the units
	 * of B1 first (scan order), then the pallet's, then the loose one */
	unit(100, code, sizeof(code), ki, sizeof(ki));
	snprintf(want, sizeof(want), "{\"document_num\":\"S-1\","
		 "\"document_date\":\"%.23s\","
		 "\"transfer_date\":\"XXXXXXXXXXXXXXXXXXXXXXX\","
		 "\"receiver_inn\":\"" RECEIVER "\","
		 "\"sender_inn\":\"7700000000\",\"turnover_type\":\"SELLING\","
		 "\"products\":[", date);
	assert_int_equal(strncmp(body, want, strlen(want)), 0);
	assert_null(strstr(body, "uitu_code"));
	assert_null(strstr(body, f->b1.sscc));
	assert_null(strstr(body, f->p.sscc));
	snprintf(want, sizeof(want), "{\"uit_code\":\"%s\"}]}", ki);
	assert_string_equal(body + len - strlen(want), want);
	free(body);
	/* It waits for what last changed each pack it ships: B1's
	 * aggregation and the pallet's, closed after B1. */
	doc = f->p.document_id;
	assert_true(doc > f->b1.document_id && f->b1.document_id > 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox_deps"
				 " WHERE doc_id = ?1 AND waits_for = (SELECT"
				 " document_id FROM packs WHERE code_id = (SELECT"
				 " max(code_id) FROM packs WHERE level = 'pallet'))",
				 s.document_id), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox_deps WHERE"
				 " doc_id = ?1 AND waits_for NOT IN (SELECT"
				 " doc_id FROM doc_codes c JOIN shipment_items i"
				 " ON i.code_id = c.code_id)", s.document_id), 0);
	/* units are units: as many lines as units leave */
	assert_int_equal(sql_int(f, "SELECT codes FROM outbox WHERE id = ?1",
				 s.document_id),
			 sql_int(f, "SELECT count(*) FROM codes WHERE state = 1"
				 " AND kind < 5", 0));
	/* Whole subtrees left; nothing else did. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " state = 1", 0), 12);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " state = 1 AND serial = 'S00021ABCDEFG'", 0),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " state = 1 AND serial = 'S00101ABCDEFG'", 0),
			 0);
	/* Finished is finished. */
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s.id, &s2, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "finished"));
	m = unit_mark(101);
	assert_int_equal(st_ship_scan(f->site.db, &f->site.op, s.id, &m, &s2, &e),
			 ERR_REFUSED);
	/* Shipped is shipped: for shipments, disband, take and packing. */
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-2", &s2,
				      &e), 0);
	m = site_fx_parsed(f->p.sscc);
	refused(f, s2.id, &m, "Already shipped: it has left the warehouse.",
		false);
	m = unit_mark(1);
	refused(f, s2.id, &m, "Already shipped", true);
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, f->p.sscc, &pk, &e),
			 ERR_REFUSED);
	assert_string_equal(e.msg, "Already shipped: it has left the "
			    "warehouse.");
	assert_int_equal(st_pack_disband(f->site.db, &f->site.sup, f->b1.sscc, &pk, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "Already shipped"));
	m = unit_mark(1);
	assert_int_equal(st_pack_take(f->site.db, &f->site.sup, f->b1.sscc, &m, &pk,
				      &e), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "Already shipped"));
	m = unit_mark(10);
	assert_int_equal(st_pack_take(f->site.db, &f->site.sup, f->b2.sscc, &m, &pk,
				      &e), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "Already shipped"));
	unit(100, code, sizeof(code), NULL, 0);
	m = site_fx_parsed(code);
	assert_int_equal(st_pack_scan(f->site.db, &f->site.op, f->b5.sscc, &m, code,
				      strlen(code), &pk, &e), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "Already shipped"));
	assert_int_equal(sql_int(f, "SELECT count(*) FROM packs WHERE"
				 " state = 'disbanded'", 0), 1);
}

static void
test_accepted_pallet_ships(void **state)
{
	struct fixture *f = *state;
	struct st_accept_progress p;
	struct st_delivery d;
	struct st_shipment s;
	char pal[19], box[19], text[512], code[96], ki[48];
	struct mark m;
	struct err e;

	assert_int_equal(mark_sscc_make(0, "4607000", 1, pal), 0);
	assert_int_equal(mark_sscc_make(0, "4607000", 2, box), 0);
	unit(500, code, sizeof(code), ki, sizeof(ki));
	snprintf(text, sizeof(text), "%s%s\n %s\n  %s\n", site_fx_list_head(),
		 pal, box, ki);
	assert_int_equal(st_delivery_import(f->site.db, &f->site.op, "in.txt", text,
					    strlen(text), &d, &e), 0);
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e), 0);
	m = site_fx_parsed(pal);
	assert_int_equal(st_accept_scan(f->site.db, &f->site.op, d.id, &m, &p, &e), 0);
	assert_int_equal(p.units, 3);
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, false, &p, &e),
			 0);
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-9", &s, &e),
			 0);
	m = site_fx_parsed(box);
	refused(f, s.id, &m, "It is inside pack ", true);
	m = site_fx_parsed(pal);
	shipped_on(f, s.id, &m, &s);
	assert_int_equal(s.units, 1);	/* the one unit, not its packs */
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s.id, &s, &e), 0);
	assert_int_equal(s.units, 1);
	/* On a milk site neither the acceptance nor the shipment is sent
	 * here (a УПД carries both, §5.6-5.7): nothing waits for the
	 * acceptance (test_st_deps has the furs case). */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox_deps WHERE"
				 " doc_id = ?1", s.document_id), 0);
}

static void
test_returned_pack_ships_again(void **state)
{
	struct fixture *f = *state;
	struct st_accept_progress p;
	struct st_shipment s;
	struct st_delivery d;
	struct st_pack pk;
	char text[512], ki[3][48], code[96];
	struct mark m;
	struct err e;
	int i;

	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-1", &s, &e),
			 0);
	m = site_fx_parsed(f->b1.sscc);
	shipped_on(f, s.id, &m, &s);
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s.id, &s, &e), 0);
	/* The receiver sends box B1 back: it comes in as a delivery. */
	for (i = 0; i < 3; i++)
		unit(1 + i, code, sizeof(code), ki[i], sizeof(ki[i]));
	snprintf(text, sizeof(text), "%s%s\n\t%s\n\t%s\n\t%s\n",
		 site_fx_list_head(), f->b1.sscc, ki[0], ki[1], ki[2]);
	assert_int_equal(st_delivery_import(f->site.db, &f->site.op, "back.txt", text,
					    strlen(text), &d, &e), 0);
	assert_int_equal(st_accept_open(f->site.db, &f->site.op, d.id, &p, &e), 0);
	/* Two of its three units are in it. */
	for (i = 0; i < 2; i++) {
		struct mark u = unit_mark(1 + i);

		assert_int_equal(st_accept_scan(f->site.db, &f->site.op, d.id, &u, &p,
						&e), 0);
		assert_string_equal(p.verdict, "matched");
	}
	assert_int_equal(st_accept_finish(f->site.db, &f->site.op, d.id, true, &p, &e),
			 0);
	/* The same rows, in stock again, the box confirmed, holding what
	 * came back; the missing unit stays gone and out of the box. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " state = 1", 0), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " serial LIKE 'S0000_ABCDEFG'", 0), 3);
	assert_int_equal(st_pack_get(f->site.db, f->b1.sscc, &pk, &e), 0);
	assert_string_equal(pk.state, "confirmed");
	assert_int_equal(pk.count, 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " parent_id = (SELECT parent_id FROM codes"
				 " WHERE serial = 'S00001ABCDEFG')", 0), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " serial = 'S00003ABCDEFG' AND state = 1 AND"
				 " parent_id IS NULL", 0), 1);
	/* And it can leave again. */
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-2", &s, &e),
			 0);
	shipped_on(f, s.id, &m, &s);
	assert_int_equal(s.units, 2);	/* its two units, not the box */
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s.id, &s, &e), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM codes WHERE"
				 " state = 1", 0), 4);
}

/* The same receiver and number twice: the open shipment goes on, a
 * finished one is never opened again; an empty one left is dropped. */
static void
test_same_number_and_empty(void **state)
{
	struct fixture *f = *state;
	struct st_shipment s, s2;
	struct mark m;
	struct err e;

	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-7",
				      &s, &e), 0);
	assert_false(s.resumed);
	m = site_fx_parsed(f->b1.sscc);
	shipped_on(f, s.id, &m, &s);
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-7",
				      &s2, &e), 0);
	assert_true(s2.resumed);
	assert_int_equal(s2.id, s.id);
	assert_int_equal(s2.units, 3);
	/* not dropped: something is on it */
	assert_int_equal(st_ship_cancel(f->site.db, s.id, &e), 0);
	assert_int_equal(st_ship_finish(f->site.db, &f->site.op, s.id, &s, &e),
			 0);
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-7",
				      &s2, &e), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "was shipped already"));
	assert_int_equal(st_ship_open(f->site.db, &f->site.op, RECEIVER, "S-8",
				      &s2, &e), 0);
	assert_int_equal(st_ship_cancel(f->site.db, s2.id, &e), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM shipments", 0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finish_and_after, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accepted_pallet_ships,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_number_and_empty,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_returned_pack_ships_again,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
