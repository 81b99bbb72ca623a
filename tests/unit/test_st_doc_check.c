/*
 * test_st_doc_check: every refusal at the source (store/doc_check.c),
 * one case each, written from the field tables of
 * ../shared/reference/true-api.md §4.3 and §5.1-§5.7 rather than from what
 * the builders write: a good body of each type passes, and each change
 * the state system would refuse is refused naming its field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "store/doc.h"
#include "store/store.h"

#define INN "7700000001"

static const char agg[] = "{\"participantId\":\"" INN "\","
	"\"aggregationUnits\":[{\"unitSerialNumber\":\"046004390000000013\","
	"\"aggregationType\":\"AGGREGATION\",\"sntins\":[\"0104600439931256"
	"21abc\"]}]}";
static const char dis[] = "{\"participant_inn\":\"" INN "\","
	"\"products_list\":[{\"uitu\":\"046004390000000013\"}]}";
static const char reagg[] = "{\"participant_inn\":\"" INN "\","
	"\"reaggregation_type\":\"REMOVING\",\"uitu\":\"046004390000000013\","
	"\"uit_uitu_list\":[{\"uit_uitu\":\"010460043993125621abc\"}]}";
static const char ship[] = "{\"document_num\":\"S-1\","
	"\"document_date\":\"2026-11-30T10:00:00.000\","
	"\"transfer_date\":\"30.11.2026\",\"receiver_inn\":\"7711111111\","
	"\"sender_inn\":\"" INN "\",\"turnover_type\":\"SELLING\","
	"\"products\":[{\"uit_code\":\"010460043993125621abc\"}]}";
static const char acc[] = "{\"release_order_number\":\"r-1\","
	"\"document_number\":\"17\","
	"\"document_date\":\"2026-11-20T00:00:00.000Z\","
	"\"transfer_date\":\"2026-11-21T00:00:00.000Z\","
	"\"acceptance_date\":\"2026-11-22T10:00:00.000Z\","
	"\"trade_sender_inn\":\"7711111111\",\"trade_recipient_inn\":\"" INN
	"\",\"turnover_type\":\"SELLING\",\"products\":[{\"uitu_code\":"
	"\"046004390000000013\",\"accepted\":true,\"children\":[{\"uit_code\":"
	"\"010460043993125621abc\",\"accepted\":false}]}]}";

/* body with the first occurrence of from replaced by to */
static void
edit(const char *body, const char *from, const char *to, char *out,
     size_t size)
{
	const char *at = strstr(body, from);

	if (at == NULL)
		fail_msg("%s not in the body", from);
	snprintf(out, size, "%.*s%s%s", (int)(at - body), body, to,
		 at + strlen(from));
}

/* type's body edited from -> to is refused, the message naming field */
static void
refused(const char *type, const char *body, const char *from,
	const char *to, const char *field)
{
	char b[2048];
	struct err e;

	edit(body, from, to, b, sizeof(b));
	if (st_doc_check(type, b, strlen(b), &e) != ERR_INVALID)
		fail_msg("%s with %s -> %s was not refused", type, from, to);
	if (strstr(e.msg, field) == NULL || strstr(e.msg, type) == NULL)
		fail_msg("refusal \"%s\" does not name %s", e.msg, field);
}

static void
test_good_bodies_pass(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(st_doc_check("AGGREGATION_DOCUMENT", agg,
				      strlen(agg), &e), 0);
	assert_int_equal(st_doc_check("DISAGGREGATION_DOCUMENT", dis,
				      strlen(dis), &e), 0);
	assert_int_equal(st_doc_check("REAGGREGATION_DOCUMENT", reagg,
				      strlen(reagg), &e), 0);
	assert_int_equal(st_doc_check("LP_SHIP_GOODS", ship, strlen(ship),
				      &e), 0);
	assert_int_equal(st_doc_check("LP_ACCEPT_GOODS", acc, strlen(acc),
				      &e), 0);
	assert_int_equal(st_doc_check("AGGREGATION_DOCUMENT", "[]", 2, &e),
			 ERR_INVALID);
}

/* §5.1 */
static void
test_aggregation(void **state)
{
	(void)state;
	refused("AGGREGATION_DOCUMENT", agg, INN, "77", "participantId");
	refused("AGGREGATION_DOCUMENT", agg, "046004390000000013",
		"04600439", "unitSerialNumber");
	refused("AGGREGATION_DOCUMENT", agg, "046004390000000013",
		"0460043900000000Ж3", "unitSerialNumber");
	refused("AGGREGATION_DOCUMENT", agg, "[\"010460043993125621abc\"]",
		"[]", "sntins");
	refused("AGGREGATION_DOCUMENT", agg, "\"sntins\"", "\"children\"",
		"sntins");
}

/* §5.3, §5.4 */
static void
test_disaggregation_and_reaggregation(void **state)
{
	(void)state;
	refused("DISAGGREGATION_DOCUMENT", dis, "\"uitu\":\"046004390000000013"
		"\"", "\"uitu\":\"\"", "uitu");
	refused("DISAGGREGATION_DOCUMENT", dis, "[{", "[],\"x\":[{",
		"products_list");
	refused("REAGGREGATION_DOCUMENT", reagg, "REMOVING", "TAKING",
		"reaggregation_type");
	refused("REAGGREGATION_DOCUMENT", reagg, "{\"uit_uitu\":",
		"{\"kitu\":\"046004390000000020\",\"uit_uitu\":",
		"uit_uitu_list");
}

/* §5.6, the 2025 table */
static void
test_shipment(void **state)
{
	(void)state;
	refused("LP_SHIP_GOODS", ship, "{\"uit_code\"", "{\"uitu_code\"",
		"uitu_code");
	refused("LP_SHIP_GOODS", ship, "10:00:00.000\"", "10:00:00.000Z\"",
		"document_date");
	refused("LP_SHIP_GOODS", ship, "30.11.2026", "2026-11-30Z",
		"transfer_date");
	refused("LP_SHIP_GOODS", ship, "SELLING", "GIFT", "turnover_type");
	refused("LP_SHIP_GOODS", ship, "7711111111", "", "receiver_inn");
	refused("LP_SHIP_GOODS", ship, "\"S-1\"", "\"/tmp/ship.csv\"",
		"document_num");
	refused("LP_SHIP_GOODS", ship, "\"turnover_type\"",
		"\"product_description\":\"x\",\"turnover_type\"",
		"product_description");
}

/* §5.7 */
static void
test_acceptance(void **state)
{
	(void)state;
	refused("LP_ACCEPT_GOODS", acc, "7711111111", "", "trade_sender_inn");
	refused("LP_ACCEPT_GOODS", acc, "\"r-1\"", "\"deliveries/in.txt\"",
		"release_order_number");
	refused("LP_ACCEPT_GOODS", acc, "2026-11-20T00:00:00.000Z",
		"2026-11-20", "document_date");
	refused("LP_ACCEPT_GOODS", acc, "2026-11-21T00:00:00.000Z",
		"2026-11-21T00:00:00Z", "transfer_date");
	refused("LP_ACCEPT_GOODS", acc, "\"accepted\":false",
		"\"accepted\":\"no\"", "accepted");
	refused("LP_ACCEPT_GOODS", acc, "{\"uit_code\"",
		"{\"uitu_code\":\"046004390000000020\",\"uit_code\"",
		"products");
	refused("LP_ACCEPT_GOODS", acc, "\"products\"",
		"\"accept_all\":true,\"reject_all\":true,\"products\"",
		"accept_all");
}

/* The dates a transfer document may carry, as §5.7 wants them. */
static void
test_timestamps(void **state)
{
	char out[40];

	(void)state;
	assert_true(doc_timestamp_z("2026-11-30", out));
	assert_string_equal(out, "2026-11-30T00:00:00.000Z");
	assert_true(doc_timestamp_z("30.11.2026", out));
	assert_string_equal(out, "2026-11-30T00:00:00.000Z");
	assert_true(doc_timestamp_z("2026-11-30T10:20:30", out));
	assert_string_equal(out, "2026-11-30T10:20:30.000Z");
	assert_true(doc_timestamp_z("2026-11-30T10:20:30.456Z", out));
	assert_string_equal(out, "2026-11-30T10:20:30.456Z");
	assert_false(doc_timestamp_z("2026-13-30", out));
	assert_false(doc_timestamp_z("30/11/2026", out));
	assert_false(doc_timestamp_z("in.txt", out));
	assert_false(doc_timestamp_z(NULL, out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_bodies_pass),
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_disaggregation_and_reaggregation),
		cmocka_unit_test(test_shipment),
		cmocka_unit_test(test_acceptance),
		cmocka_unit_test(test_timestamps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
