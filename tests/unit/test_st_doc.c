/*
 * test_st_doc: the packaging document bodies of store/doc.c and the
 * shipment's optional fields in store/doc_transfer.c, byte for byte (the
 * signature covers those bytes): several aggregates in one document, the
 * GS separator escaped, the same input giving the same bytes, a document
 * of 30 000 codes, a re-aggregation of a unit and of a pack, and no
 * optional field sent as "". The checks the other store tests already
 * make (field names from a real pack, the acceptance tree) are not
 * repeated here. It must not open a database or talk to the network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "store/doc.h"

#define INN "7700000001"

static void
test_aggregation_bytes(void **state)
{
	char a[2][48] = { "0104607000000001215a\x1d" "93x", "b" };
	char b[1][48] = { "c" };
	struct doc_unit u[2] = { { "046070000000000019", a, 2 },
				 { "046070000000000026", b, 1 } };
	char *out, *again;
	size_t len, len2;

	(void)state;
	out = doc_aggregation(INN, u, 2, &len);
	assert_non_null(out);
	assert_string_equal(out, "{\"participantId\":\"7700000001\","
		"\"aggregationUnits\":[{\"unitSerialNumber\":"
		"\"046070000000000019\",\"aggregationType\":\"AGGREGATION\","
		"\"sntins\":[\"0104607000000001215a\\u001D93x\",\"b\"]},"
		"{\"unitSerialNumber\":\"046070000000000026\","
		"\"aggregationType\":\"AGGREGATION\",\"sntins\":[\"c\"]}]}");
	assert_int_equal(len, strlen(out));
	/* deterministic: the stored bytes are the signed bytes */
	again = doc_aggregation(INN, u, 2, &len2);
	assert_non_null(again);
	assert_int_equal(len, len2);
	assert_memory_equal(out, again, len);
	free(out);
	free(again);
}

/* The most a document may carry (true-api.md §4.3: 30 000 codes). */
static void
test_aggregation_30000(void **state)
{
	char (*codes)[48] = calloc(29999, sizeof(*codes));
	struct doc_unit u = { "046070000000000019", codes, 29999 };
	json_t *j, *sntins;
	json_error_t je;
	char *out;
	size_t len, i;

	(void)state;
	assert_non_null(codes);
	for (i = 0; i < 29999; i++)
		snprintf(codes[i], sizeof(codes[i]),
			 "01046070000000012%06zu", i);
	out = doc_aggregation(INN, &u, 1, &len);
	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	j = json_loadb(out, len, 0, &je);
	assert_non_null(j);
	sntins = json_object_get(json_array_get(json_object_get(j,
			"aggregationUnits"), 0), "sntins");
	assert_int_equal(json_array_size(sntins), 29999);
	assert_string_equal(json_string_value(json_array_get(sntins, 29998)),
			    codes[29998]);
	json_decref(j);
	free(out);
	free(codes);
}

/* A code that is not text fails the document instead of vanishing. */
static void
test_aggregation_refuses_non_text(void **state)
{
	char kids[2][48] = { "0104600439931256215ABCDEFGHIJKL", "01\xff" };
	struct doc_unit u = { "146004390000000014", kids, 2 };
	size_t len = 99;
	char *body;

	(void)state;
	assert_null(doc_aggregation("7700000000", &u, 1, &len));
	assert_int_equal(len, 0);
	u.nchildren = 1;
	body = doc_aggregation("7700000000", &u, 1, &len);
	assert_non_null(body);
	free(body);
}

static void
test_disaggregation_bytes(void **state)
{
	char *out;
	size_t len;

	(void)state;
	out = doc_disaggregation(INN, "046070000000000019", &len);
	assert_non_null(out);
	assert_string_equal(out, "{\"participant_inn\":\"7700000001\","
		"\"products_list\":[{\"uitu\":\"046070000000000019\"}]}");
	assert_int_equal(len, strlen(out));
	free(out);
}

static void
test_reaggregation_bytes(void **state)
{
	char *out;
	size_t len;

	(void)state;
	out = doc_reaggregation(INN, true, "046070000000000019",
				"0104607000000001215a", false, &len);
	assert_non_null(out);
	assert_string_equal(out, "{\"participant_inn\":\"7700000001\","
		"\"reaggregation_type\":\"ADDING\",\"uitu\":"
		"\"046070000000000019\",\"uit_uitu_list\":[{\"uit_uitu\":"
		"\"0104607000000001215a\"}]}");
	assert_int_equal(len, strlen(out));
	free(out);
	/* a pack taken out goes as kitu */
	out = doc_reaggregation(INN, false, "046070000000000019",
				"046070000000000033", true, &len);
	assert_non_null(out);
	assert_string_equal(out, "{\"participant_inn\":\"7700000001\","
		"\"reaggregation_type\":\"REMOVING\",\"uitu\":"
		"\"046070000000000019\",\"uit_uitu_list\":[{\"kitu\":"
		"\"046070000000000033\"}]}");
	free(out);
}

/* sender_inn is optional in LP_SHIP_GOODS (true-api.md §5.6): without a
 * value it is left out, never sent as "" (§4.3). */
static void
test_shipment_no_empty_optional(void **state)
{
	const struct doc_line l[] = {
		{ "0104607000000001215a", false, false, -1 },
		{ "046070000000000019", true, false, -1 },
	};
	struct doc_shipment s = { "42", "2026-11-25", "2026-11-25",
				  "7700000002", "", NULL, l, 2 };
	const char *want = "{\"document_num\":\"42\","
		"\"document_date\":\"2026-11-25\","
		"\"transfer_date\":\"2026-11-25\","
		"\"receiver_inn\":\"7700000002\","
		"\"turnover_type\":\"SELLING\",\"products\":["
		"{\"uit_code\":\"0104607000000001215a\"},"
		"{\"uitu_code\":\"046070000000000019\"}]}";
	char *out;
	size_t len;

	(void)state;
	out = doc_shipment(&s, &len);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_null(strstr(out, "\"\""));
	assert_int_equal(len, strlen(out));
	free(out);
	s.sender_inn = NULL;
	out = doc_shipment(&s, &len);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
	/* with a value it is there, after receiver_inn */
	s.sender_inn = INN;
	out = doc_shipment(&s, &len);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"receiver_inn\":\"7700000002\","
			       "\"sender_inn\":\"7700000001\","));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregation_bytes),
		cmocka_unit_test(test_aggregation_30000),
		cmocka_unit_test(test_aggregation_refuses_non_text),
		cmocka_unit_test(test_disaggregation_bytes),
		cmocka_unit_test(test_reaggregation_bytes),
		cmocka_unit_test(test_shipment_no_empty_optional),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
