/*
 * test_st_rules_accept: the pure rules of acceptance and shipment, without
 * a database. Every combination of scan facts against the verdict the
 * issue asks for, written out independently; outcomes of small delivery
 * trees computed by hand; every state of the finish and open rules; every
 * combination of shipment facts; and the two transfer document bodies
 * built from plain lines. It must not open a database or read a clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/doc.h"
#include "store/rules_accept.h"
#include "store/rules_ship.h"

static void
test_verdicts_every_combination(void **state)
{
	int bits;

	(void)state;
	for (bits = 0; bits < 32; bits++) {
		struct rules_accept_scan s = {
			.in_delivery = bits & 1, .found = bits & 2,
			.seen = bits & 4, .is_pack = bits & 8,
			.gtin_in_delivery = bits & 16,
		};
		enum rules_accept_verdict want;

		/* The issue: a repeat is a duplicate; a code of the delivery
		 * matches; an unknown code is surplus, or wrong item when
		 * its GTIN is nowhere in the delivery (SSCCs have none). */
		if (s.in_delivery && !s.found)
			want = RULES_ACC_MATCHED;
		else if (s.in_delivery || s.seen)
			want = RULES_ACC_DUPLICATE;
		else if (!s.is_pack && !s.gtin_in_delivery)
			want = RULES_ACC_WRONG_ITEM;
		else
			want = RULES_ACC_SURPLUS;
		assert_int_equal(rules_accept_verdict(&s), want);
		if (want == RULES_ACC_MATCHED)
			assert_null(rules_accept_verdict_reason(want));
		else
			assert_non_null(rules_accept_verdict_reason(want));
	}
	assert_string_equal(rules_accept_verdict_name(RULES_ACC_WRONG_ITEM),
			    "wrong_item");
	assert_string_equal(rules_accept_verdict_name(RULES_ACC_MATCHED),
			    "matched");
	assert_non_null(strstr(rules_accept_verdict_reason(
		RULES_ACC_WRONG_ITEM), "GTIN"));
}

static void
test_open_scan_finish_by_state(void **state)
{
	static const char *const names[] = { "expected", "accepting",
					     "accepted", "partial" };
	int s;

	(void)state;
	for (s = RULES_ACC_EXPECTED; s <= RULES_ACC_PARTIAL; s++) {
		bool done = s == RULES_ACC_ACCEPTED || s == RULES_ACC_PARTIAL;

		assert_string_equal(rules_accept_state_name(s), names[s]);
		assert_int_equal(rules_accept_state_parse(
			rules_accept_state_name(s)), s);
		assert_int_equal(rules_accept_may_open(s), done ?
				 RULES_ACC_FINISHED : RULES_ACC_OK);
		assert_int_equal(rules_accept_may_scan(s),
				 s == RULES_ACC_ACCEPTING ? RULES_ACC_OK :
				 done ? RULES_ACC_FINISHED :
				 RULES_ACC_NOT_ACCEPTING);
		/* full with codes missing: refused; partial: allowed */
		assert_int_equal(rules_accept_may_finish(s, 3, false),
				 s == RULES_ACC_ACCEPTING ? RULES_ACC_MISSING :
				 rules_accept_may_scan(s));
		assert_int_equal(rules_accept_may_finish(s, 3, true),
				 rules_accept_may_scan(s));
		assert_int_equal(rules_accept_may_finish(s, 0, false),
				 rules_accept_may_scan(s));
	}
	assert_int_equal(rules_accept_state_parse("bogus"), -1);
	assert_int_equal(rules_accept_state_parse(NULL), -1);
	assert_non_null(strstr(rules_accept_reason(RULES_ACC_MISSING), "%d"));
	assert_non_null(strstr(rules_accept_reason(RULES_ACC_MISSING),
			       "in part"));
}

/*
 * A pallet P (0) with boxes A (1) and B (2); A holds a1 a2 (3, 4), B holds
 * b1 b2 (5, 6); a loose unit u (7).
 */
static void
tree(struct rules_accept_item it[8])
{
	static const int parent[8] = { -1, 0, 0, 1, 1, 2, 2, -1 };
	int i;

	memset(it, 0, 8 * sizeof(*it));
	for (i = 0; i < 8; i++)
		it[i].parent = parent[i];
}

static void
test_outcomes(void **state)
{
	struct rules_accept_item it[8];
	size_t i;

	(void)state;
	/* Nothing found: every code rejected, only top-level listed. */
	tree(it);
	rules_accept_outcomes(it, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(it[i].outcome, RULES_ACC_NONE);
		assert_false(rules_accept_stocked(it, i));
		assert_int_equal(rules_accept_listed(it, i),
				 i == 0 || i == 7);
	}
	assert_int_equal(it[0].nchildren, 2);
	assert_int_equal(it[1].nchildren, 2);
	assert_int_equal(it[7].nchildren, 0);

	/* The pallet scanned (its subtree marked found by the store). */
	tree(it);
	for (i = 0; i < 7; i++)
		it[i].found = true;
	rules_accept_outcomes(it, 8);
	for (i = 0; i < 7; i++)
		assert_int_equal(it[i].outcome, RULES_ACC_ALL);
	assert_int_equal(it[7].outcome, RULES_ACC_NONE);
	assert_true(rules_accept_listed(it, 0));
	assert_false(rules_accept_listed(it, 1));
	assert_false(rules_accept_listed(it, 3));

	/* Box A scanned, b1 alone: P and B arrived in part. */
	tree(it);
	it[1].found = it[3].found = it[4].found = it[5].found = true;
	rules_accept_outcomes(it, 8);
	assert_int_equal(it[0].outcome, RULES_ACC_SOME);
	assert_int_equal(it[1].outcome, RULES_ACC_ALL);
	assert_int_equal(it[2].outcome, RULES_ACC_SOME);
	assert_int_equal(it[5].outcome, RULES_ACC_ALL);
	assert_int_equal(it[6].outcome, RULES_ACC_NONE);
	assert_int_equal(it[0].nall, 1);
	assert_int_equal(it[0].nany, 2);
	/* listed: P, A and B under P, b1 and b2 under B, u; not a1, a2 */
	assert_true(rules_accept_listed(it, 0));
	assert_true(rules_accept_listed(it, 1));
	assert_true(rules_accept_listed(it, 2));
	assert_false(rules_accept_listed(it, 3));
	assert_false(rules_accept_listed(it, 4));
	assert_true(rules_accept_listed(it, 5));
	assert_true(rules_accept_listed(it, 6));
	assert_true(rules_accept_listed(it, 7));
	/* stock: all but b2 and u */
	for (i = 0; i < 8; i++)
		assert_int_equal(rules_accept_stocked(it, i), i != 6 && i != 7);

	/* Every unit scanned but no label: the packs count as arrived. */
	tree(it);
	it[3].found = it[4].found = it[5].found = it[6].found = true;
	rules_accept_outcomes(it, 8);
	assert_int_equal(it[0].outcome, RULES_ACC_ALL);
	assert_int_equal(it[1].outcome, RULES_ACC_ALL);
	assert_int_equal(it[2].outcome, RULES_ACC_ALL);

	/* A bad parent index (after the item) is treated as top level. */
	tree(it);
	it[3].parent = 5;
	it[3].found = true;
	rules_accept_outcomes(it, 8);
	assert_true(rules_accept_listed(it, 3));
	assert_int_equal(it[1].nchildren, 1);
	assert_int_equal(it[5].nchildren, 0);
	rules_accept_outcomes(it, 0);	/* empty: nothing to do */
}

static void
test_ship_open(void **state)
{
	char longnum[300];

	(void)state;
	assert_int_equal(rules_ship_open("7700000001", "A-1"), RULES_SHIP_OK);
	assert_int_equal(rules_ship_open("770000000123", "1"), RULES_SHIP_OK);
	assert_int_equal(rules_ship_open("770000000", "1"),
			 RULES_SHIP_BAD_INN);
	assert_int_equal(rules_ship_open("77000000012", "1"),
			 RULES_SHIP_BAD_INN);
	assert_int_equal(rules_ship_open("77000000O1", "1"),
			 RULES_SHIP_BAD_INN);
	assert_int_equal(rules_ship_open(NULL, "1"), RULES_SHIP_BAD_INN);
	assert_int_equal(rules_ship_open("7700000001", ""),
			 RULES_SHIP_BAD_NUMBER);
	assert_int_equal(rules_ship_open("7700000001", NULL),
			 RULES_SHIP_BAD_NUMBER);
	memset(longnum, '7', 256);
	longnum[256] = '\0';
	assert_int_equal(rules_ship_open("7700000001", longnum),
			 RULES_SHIP_BAD_NUMBER);
	longnum[255] = '\0';
	assert_int_equal(rules_ship_open("7700000001", longnum),
			 RULES_SHIP_OK);
}

/* The shipment rule written out as the issue says it, to compare. */
static enum rules_ship_verdict
want_ship(const struct rules_ship_code *c)
{
	bool ours = c->known && (!c->is_pack || c->pack_known);

	if (!c->shipment_open)
		return RULES_SHIP_NOT_OPEN;
	if (!ours)
		return RULES_SHIP_UNKNOWN;
	if (c->shipped)
		return RULES_SHIP_SHIPPED;
	if (c->on_this)
		return RULES_SHIP_ON_THIS;
	if (c->on_other)
		return RULES_SHIP_ON_OTHER;
	if (c->is_pack && c->pack_state == RULES_DISBANDED)
		return RULES_SHIP_DISBANDED;
	if (c->in_pack)
		return RULES_SHIP_IN_PACK;
	if (c->is_pack && c->pack_state == RULES_OPEN)
		return RULES_SHIP_PACK_OPEN;
	if (c->on_shipment >= 30000)
		return RULES_SHIP_FULL;
	return RULES_SHIP_OK;
}

static void
test_ship_scan_every_combination(void **state)
{
	int bits, ps, n, oks = 0;

	(void)state;
	for (bits = 0; bits < 256; bits++)
		for (ps = RULES_OPEN; ps <= RULES_DISBANDED; ps++)
			for (n = 29999; n <= 30000; n++) {
				struct rules_ship_code c = {
					.shipment_open = bits & 1,
					.known = bits & 2,
					.shipped = bits & 4,
					.in_pack = bits & 8,
					.is_pack = bits & 16,
					.pack_known = bits & 32,
					.on_this = bits & 64,
					.on_other = bits & 128,
					.pack_state = ps,
					.on_shipment = n,
				};
				enum rules_ship_verdict v = rules_ship_scan(&c);

				assert_int_equal(v, want_ship(&c));
				oks += v == RULES_SHIP_OK;
			}
	/* Only a closed (or later) pack of ours, or a loose unit, under
	 * the limit, on nothing else, passes. */
	assert_true(oks > 0);
	{
		struct rules_ship_code box = {
			.shipment_open = true, .known = true, .is_pack = true,
			.pack_known = true, .pack_state = RULES_CLOSED,
		};
		struct rules_ship_code unit = {
			.shipment_open = true, .known = true,
		};

		assert_int_equal(rules_ship_scan(&box), RULES_SHIP_OK);
		assert_int_equal(rules_ship_scan(&unit), RULES_SHIP_OK);
		unit.in_pack = true;
		assert_int_equal(rules_ship_scan(&unit), RULES_SHIP_IN_PACK);
		box.pack_state = RULES_OPEN;
		assert_int_equal(rules_ship_scan(&box), RULES_SHIP_PACK_OPEN);
	}
}

static void
test_ship_finish_and_reasons(void **state)
{
	int v;

	(void)state;
	assert_int_equal(rules_ship_finish(true, 1), RULES_SHIP_OK);
	assert_int_equal(rules_ship_finish(true, 0), RULES_SHIP_EMPTY);
	assert_int_equal(rules_ship_finish(false, 5), RULES_SHIP_NOT_OPEN);
	for (v = 0; v < RULES_SHIP_COUNT; v++) {
		const char *t = rules_ship_reason(v), *p;
		int n = 0;

		assert_non_null(t);
		for (p = t; (p = strchr(p, '%')) != NULL; p++)
			n++;
		/* only IN_PACK and ON_OTHER name something */
		assert_int_equal(n, v == RULES_SHIP_IN_PACK ||
				 v == RULES_SHIP_ON_OTHER);
	}
	assert_non_null(strstr(rules_ship_reason(RULES_SHIP_IN_PACK),
			       "ship that pack"));
	assert_non_null(strstr(rules_ship_reason(RULES_SHIP_IN_PACK),
			       "take it out"));
	assert_string_equal(rules_ship_reason(RULES_SHIP_COUNT), "Refused.");
	assert_true(rules_ship_inn_ok("123456789012"));
	assert_false(rules_ship_inn_ok(""));
}

static void
test_doc_bodies(void **state)
{
	const struct doc_line lines[] = {
		{ "046070000000000019", true, true, -1 },
		{ "046070000000000026", true, true, 0 },
		{ "0104607000000010215abc", false, false, 1 },
		{ "0104607000000010215abd", false, true, 1 },
		{ "0104607000000010215abe", false, false, -1 },
	};
	struct doc_acceptance a = {
		"r-1", "n-1", "2026-01-01T00:00:00.000Z", "2026-01-02",
		"2026-01-03T00:00:00.000Z", "7711111111", "7700000000",
		"SELLING", lines, 5,
	};
	struct doc_line bad[2] = { { "x", false, true, 1 },
				   { "y", false, true, -1 } };
	struct doc_shipment sh = { "S \"1\"", "d", "t", "7711111111",
				   "7700000000", NULL, lines, 2 };
	size_t len;
	char *body;

	(void)state;
	body = doc_acceptance(&a, &len);
	assert_string_equal(body, "{\"release_order_number\":\"r-1\","
		"\"document_number\":\"n-1\","
		"\"document_date\":\"2026-01-01T00:00:00.000Z\","
		"\"transfer_date\":\"2026-01-02\","
		"\"acceptance_date\":\"2026-01-03T00:00:00.000Z\","
		"\"trade_sender_inn\":\"7711111111\","
		"\"trade_recipient_inn\":\"7700000000\","
		"\"turnover_type\":\"SELLING\",\"products\":["
		"{\"uitu_code\":\"046070000000000019\",\"accepted\":true,"
		"\"children\":[{\"uitu_code\":\"046070000000000026\","
		"\"accepted\":true,\"children\":["
		"{\"uit_code\":\"0104607000000010215abc\",\"accepted\":false},"
		"{\"uit_code\":\"0104607000000010215abd\",\"accepted\":true}"
		"]}]},{\"uit_code\":\"0104607000000010215abe\","
		"\"accepted\":false}]}");
	assert_int_equal(len, strlen(body));
	free(body);
	/* A line whose parent is not before it cannot be placed. */
	a.lines = bad;
	a.n = 2;
	assert_null(doc_acceptance(&a, &len));
	assert_int_equal(len, 0);
	a.n = 0;
	body = doc_acceptance(&a, &len);
	assert_non_null(strstr(body, "\"products\":[]}"));
	free(body);
	/* A shipment: flat, no accepted, quotes escaped. */
	body = doc_shipment(&sh, &len);
	assert_string_equal(body, "{\"document_num\":\"S \\\"1\\\"\","
		"\"document_date\":\"d\",\"transfer_date\":\"t\","
		"\"receiver_inn\":\"7711111111\",\"sender_inn\":\"7700000000\","
		"\"turnover_type\":\"SELLING\",\"products\":["
		"{\"uitu_code\":\"046070000000000019\"},"
		"{\"uitu_code\":\"046070000000000026\"}]}");
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts_every_combination),
		cmocka_unit_test(test_open_scan_finish_by_state),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_ship_open),
		cmocka_unit_test(test_ship_scan_every_combination),
		cmocka_unit_test(test_ship_finish_and_reasons),
		cmocka_unit_test(test_doc_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
