/*
 * test_sy_doc: the five document bodies of sync/doc.c, byte for byte
 * (the signature covers those bytes), their refusals, and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sync/doc.h"

#define INN "7700000001"

static void
test_aggregation(void **state)
{
	const char *a[] = { "0104607000000001215a\x1d" "93x", "b" };
	const char *b[] = { "c" };
	struct sy_doc_unit u[2] = { { "046070000000000019", a, 2 },
				    { "046070000000000026", b, 1 } };
	char *out, *again;
	size_t len, len2;
	struct err e;

	(void)state;
	assert_int_equal(sy_doc_aggregation(INN, u, 2, &out, &len, &e), 0);
	assert_string_equal(out, "{\"participantId\":\"7700000001\","
		"\"aggregationUnits\":[{\"unitSerialNumber\":"
		"\"046070000000000019\",\"aggregationType\":\"AGGREGATION\","
		"\"sntins\":[\"0104607000000001215a\\u001D93x\",\"b\"]},"
		"{\"unitSerialNumber\":\"046070000000000026\","
		"\"aggregationType\":\"AGGREGATION\",\"sntins\":[\"c\"]}]}");
	assert_int_equal(len, strlen(out));
	/* deterministic */
	assert_int_equal(sy_doc_aggregation(INN, u, 2, &again, &len2, &e), 0);
	assert_string_equal(out, again);
	free(out);
	free(again);
	u[1].code = "04607000000000002";	/* other length */
	assert_int_equal(sy_doc_aggregation(INN, u, 2, &out, &len, &e),
			 ERR_INVALID);
	assert_null(out);
	assert_non_null(strstr(e.msg, "same length"));
	u[1].code = "";
	assert_int_equal(sy_doc_aggregation(INN, u, 2, &out, &len, &e),
			 ERR_INVALID);
	u[1].code = "046070000000000026";
	u[1].nchildren = 0;
	assert_int_equal(sy_doc_aggregation(INN, u, 2, &out, &len, &e),
			 ERR_INVALID);
	assert_int_equal(sy_doc_aggregation("77000", u, 1, &out, &len, &e),
			 ERR_INVALID);
	assert_int_equal(sy_doc_aggregation(INN, u, 0, &out, &len, &e),
			 ERR_INVALID);
	a[1] = "";
	assert_int_equal(sy_doc_aggregation(INN, u, 1, &out, &len, &e),
			 ERR_INVALID);
	a[1] = "\xff";
	assert_int_equal(sy_doc_aggregation(INN, u, 1, &out, &len, &e),
			 ERR_INVALID);
}

static void
test_code_limit(void **state)
{
	static char codes[30000][24];
	static const char *ptrs[30000];
	struct sy_doc_unit u = { "046070000000000019", ptrs, 29999 };
	char *out;
	size_t len, i;
	struct err e;

	(void)state;
	for (i = 0; i < 30000; i++) {
		snprintf(codes[i], sizeof(codes[i]), "01046070000000012%06zu",
			 i);
		ptrs[i] = codes[i];
	}
	assert_int_equal(sy_doc_aggregation(INN, &u, 1, &out, &len, &e), 0);
	free(out);
	u.nchildren = 30000;	/* + the pack itself */
	assert_int_equal(sy_doc_aggregation(INN, &u, 1, &out, &len, &e),
			 ERR_INVALID);
	assert_non_null(strstr(e.msg, "split"));
}

static void
test_disaggregation(void **state)
{
	const char *p[] = { "046070000000000019", "046070000000000026" };
	char *out;
	size_t len;
	struct err e;

	(void)state;
	assert_int_equal(sy_doc_disaggregation(INN, p, 2, &out, &len, &e), 0);
	assert_string_equal(out, "{\"participant_inn\":\"7700000001\","
		"\"products_list\":[{\"uitu\":\"046070000000000019\"},"
		"{\"uitu\":\"046070000000000026\"}]}");
	free(out);
	p[1] = NULL;
	assert_int_equal(sy_doc_disaggregation(INN, p, 2, &out, &len, &e),
			 ERR_INVALID);
	assert_int_equal(sy_doc_disaggregation(INN, p, 0, &out, &len, &e),
			 ERR_INVALID);
}

static void
test_reaggregation(void **state)
{
	struct sy_doc_item it[] = { { "0104607000000001215a", 0 },
				    { "046070000000000033", 1 } };
	char *out;
	size_t len;
	struct err e;

	(void)state;
	assert_int_equal(sy_doc_reaggregation(INN, "ADDING",
					      "046070000000000019", it, 2,
					      &out, &len, &e), 0);
	assert_string_equal(out, "{\"participant_inn\":\"7700000001\","
		"\"reaggregation_type\":\"ADDING\",\"uitu\":"
		"\"046070000000000019\",\"uit_uitu_list\":[{\"uit_uitu\":"
		"\"0104607000000001215a\"},{\"kitu\":\"046070000000000033\"}]}");
	free(out);
	assert_int_equal(sy_doc_reaggregation(INN, "MOVING", "x", it, 2, &out,
					      &len, &e), ERR_INVALID);
	assert_int_equal(sy_doc_reaggregation(INN, "REMOVING", "", it, 2,
					      &out, &len, &e), ERR_INVALID);
	assert_int_equal(sy_doc_reaggregation(INN, "REMOVING", "x", it, 0,
					      &out, &len, &e), ERR_INVALID);
}

static void
test_shipment(void **state)
{
	struct sy_doc_line l[] = { { "0104607000000001215a", 0, 0, 10000,
				     1667 },
				   { "046070000000000019", 1, 0, -1, -1 } };
	struct sy_doc_transfer t = { 0 };
	char *out;
	size_t len;
	struct err e;

	(void)state;
	t.receiver_inn = "7700000002";
	t.sender_inn = "";		/* optional, left out */
	t.number = "42";
	t.date = "2026-11-25";
	t.transfer_date = "2026-11-25";
	t.turnover_type = "SELLING";
	t.lines = l;
	t.nlines = 2;
	assert_int_equal(sy_doc_shipment(&t, &out, &len, &e), 0);
	assert_string_equal(out, "{\"receiver_inn\":\"7700000002\","
		"\"transfer_date\":\"2026-11-25\",\"document_num\":\"42\","
		"\"document_date\":\"2026-11-25\",\"turnover_type\":"
		"\"SELLING\",\"products\":[{\"uit_code\":"
		"\"0104607000000001215a\",\"product_cost\":10000,"
		"\"product_tax\":1667},{\"uitu_code\":"
		"\"046070000000000019\"}]}");
	assert_null(strstr(out, "\"\""));
	free(out);
	t.turnover_type = "GIFT";
	assert_int_equal(sy_doc_shipment(&t, &out, &len, &e), ERR_INVALID);
	t.turnover_type = "AGENT";
	l[0].tax = 10000;
	assert_int_equal(sy_doc_shipment(&t, &out, &len, &e), ERR_INVALID);
	l[0].tax = 1;
	t.receiver_inn = "123";
	assert_int_equal(sy_doc_shipment(&t, &out, &len, &e), ERR_INVALID);
	t.receiver_inn = "770000000212";
	t.number = NULL;
	assert_int_equal(sy_doc_shipment(&t, &out, &len, &e), ERR_INVALID);
}

static void
test_acceptance(void **state)
{
	struct sy_doc_line l[] = { { "046070000000000019", 1, 1, 500, 50 },
				   { "0104607000000001215z", 0, 0, 300, 30 } };
	struct sy_doc_transfer t = { 0 };
	char *out;
	size_t len;
	struct err e;

	(void)state;
	t.release_order = "9abd3d41-76bc-4542-a88e-b1f7be8130b5";
	t.number = "7";
	t.date = "2026-11-25T00:00:00.000Z";
	t.transfer_date = "2026-11-25T00:00:00.000Z";
	t.acceptance_date = "2026-11-25T10:00:00.000Z";
	t.sender_inn = "7700000002";
	t.receiver_inn = INN;
	t.turnover_type = "SELLING";
	t.lines = l;
	t.nlines = 2;
	assert_int_equal(sy_doc_acceptance(&t, &out, &len, &e), 0);
	/* no price on the refused line (ref §5.7) */
	assert_string_equal(out, "{\"release_order_number\":"
		"\"9abd3d41-76bc-4542-a88e-b1f7be8130b5\","
		"\"document_number\":\"7\",\"document_date\":"
		"\"2026-11-25T00:00:00.000Z\",\"transfer_date\":"
		"\"2026-11-25T00:00:00.000Z\",\"acceptance_date\":"
		"\"2026-11-25T10:00:00.000Z\",\"trade_sender_inn\":"
		"\"7700000002\",\"trade_recipient_inn\":\"7700000001\","
		"\"turnover_type\":\"SELLING\",\"products\":[{\"uitu_code\":"
		"\"046070000000000019\",\"accepted\":true,\"product_cost\":500,"
		"\"product_tax\":50},{\"uit_code\":\"0104607000000001215z\","
		"\"accepted\":false}]}");
	free(out);
	t.nlines = 0;
	assert_int_equal(sy_doc_acceptance(&t, &out, &len, &e), ERR_INVALID);
	t.accept_all = 1;
	assert_int_equal(sy_doc_acceptance(&t, &out, &len, &e), 0);
	assert_non_null(strstr(out, "\"accept_all\":true,\"products\":[]"));
	free(out);
	t.release_order = "";
	assert_int_equal(sy_doc_acceptance(&t, &out, &len, &e), ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_code_limit),
		cmocka_unit_test(test_disaggregation),
		cmocka_unit_test(test_reaggregation),
		cmocka_unit_test(test_shipment),
		cmocka_unit_test(test_acceptance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
