/*
 * test_sy_wire: True API bodies and answer parsers (sync/wire.c) on the
 * shapes true-api.md lists, including the odd ones: bare ids, JSON-string
 * ids, {"id"}/{"value"} objects, arrays for one document, XML 401 bodies,
 * nulls everywhere, per-code errors inside a 200 array.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sync/wire.h"

#define S(x) x, strlen(x)

static void
test_b64_vectors(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *enc = sy_wire_b64_encode(v[i][0], strlen(v[i][0]));
		unsigned char *dec;
		size_t n;

		assert_string_equal(enc, v[i][1]);
		assert_int_equal(sy_wire_b64_decode(S(v[i][1]), &dec, &n), 0);
		assert_int_equal(n, strlen(v[i][0]));
		assert_memory_equal(dec, v[i][0], n);
		free(enc);
		free(dec);
	}
}

static void
test_b64_binary_roundtrip(void **state)
{
	unsigned char buf[1000], *dec;
	size_t i, n, len;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len < 40; len++) {
		char *enc = sy_wire_b64_encode(buf, len);

		assert_null(strchr(enc, '\n'));
		assert_int_equal(sy_wire_b64_decode(enc, strlen(enc), &dec, &n),
				 0);
		assert_int_equal(n, len);
		assert_memory_equal(dec, buf, len);
		free(enc);
		free(dec);
	}
}

static void
test_b64_strict(void **state)
{
	static const char *const bad[] = { "Zg=", "Zm9v\nYmFy", "Zm 9v",
		"Zg==Zg==", "=Zg=", "Z===", "Zh==", "Zm9=", "Zm9v!mFy", "Zm9vYmFy\r\n" };
	unsigned char *dec;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sy_wire_b64_decode(S(bad[i]), &dec, &n), -1);
		assert_null(dec);
	}
}

static void
test_challenge(void **state)
{
	struct sy_wire_challenge ch;
	struct err e;

	(void)state;
	assert_int_equal(sy_wire_parse_challenge(S(
		"{\"uuid\":\"f3d5c1f5-1111-4e4e-8ea2-1b2c3d4e5f60\","
		"\"data\":\"GNUFBAZBMPIUUMLXNMIOGSHTGFXZMT\"}"), &ch, &e), 0);
	assert_string_equal(ch.uuid, "f3d5c1f5-1111-4e4e-8ea2-1b2c3d4e5f60");
	assert_string_equal(ch.data, "GNUFBAZBMPIUUMLXNMIOGSHTGFXZMT");
	free(ch.data);
	assert_int_equal(sy_wire_parse_challenge(S("{\"uuid\":\"x\"}"), &ch,
						 &e), ERR_SERVER);
	assert_int_equal(sy_wire_parse_challenge(S("{\"uuid\":null,"
		"\"data\":\"A\"}"), &ch, &e), ERR_SERVER);
	assert_int_equal(sy_wire_parse_challenge(S("<html>"), &ch, &e),
			 ERR_SERVER);
	assert_int_equal(sy_wire_parse_challenge(NULL, 0, &ch, NULL),
			 ERR_SERVER);
}

static void
test_signin_body(void **state)
{
	char *b;

	(void)state;
	b = sy_wire_signin_body("u-1", "TUlJ", 0);
	assert_string_equal(b, "{\"uuid\":\"u-1\",\"data\":\"TUlJ\"}");
	free(b);
	b = sy_wire_signin_body("u-1", "TUlJ", 1);
	assert_string_equal(b, "{\"uuid\":\"u-1\",\"data\":\"TUlJ\","
			    "\"unitedToken\":true}");
	free(b);
	b = sy_wire_signin_body(NULL, "TUlJ", 1);
	assert_string_equal(b, "{\"data\":\"TUlJ\",\"unitedToken\":true}");
	free(b);
	assert_null(sy_wire_signin_body("u", NULL, 0));
}

static void
test_token(void **state)
{
	struct err e;
	char *t;

	(void)state;
	assert_int_equal(sy_wire_parse_token(S("{\"token\":\"a.b.c\"}"), &t,
					     &e), 0);
	assert_string_equal(t, "a.b.c");
	free(t);
	assert_int_equal(sy_wire_parse_token(S(
		"{\"uuidToken\":\"123e4567-e89b-12d3-a456-426614174000\"}"),
		&t, &e), 0);
	assert_string_equal(t, "123e4567-e89b-12d3-a456-426614174000");
	free(t);
	assert_int_equal(sy_wire_parse_token(S("{\"token\":\"\"}"), &t, &e),
			 ERR_SERVER);
	assert_int_equal(sy_wire_parse_token(S("{\"token\":\"a\\nb\"}"), &t,
					     &e), ERR_SERVER);
	assert_int_equal(sy_wire_parse_token(S("{\"error_message\":\"x\"}"),
					     &t, &e), ERR_SERVER);
	assert_null(t);
	/* the message never carries server text that could be a token */
	assert_null(strstr(e.msg, "x\""));
}

static void
test_create_body(void **state)
{
	const char doc[] = "{\"a\":1}";
	size_t n;
	char *b;

	(void)state;
	b = sy_wire_create_body("MANUAL", "AGGREGATION_DOCUMENT", doc,
				strlen(doc), "TUlJQQ==", &n);
	assert_string_equal(b, "{\"document_format\":\"MANUAL\","
			    "\"product_document\":\"eyJhIjoxfQ==\","
			    "\"type\":\"AGGREGATION_DOCUMENT\","
			    "\"signature\":\"TUlJQQ==\"}");
	assert_int_equal(n, strlen(b));
	free(b);
	assert_null(sy_wire_create_body("MANUAL", "AGG\"X", doc, 3, "TUlJ",
					&n));
	assert_null(sy_wire_create_body("manual", "AGGREGATION_DOCUMENT", doc,
					3, "TUlJ", &n));
	assert_null(sy_wire_create_body("MANUAL", "AGGREGATION_DOCUMENT", doc,
					3, "TU\nlJ", &n));
	assert_null(sy_wire_create_body("MANUAL", "AGGREGATION_DOCUMENT", doc,
					3, "", &n));
	assert_null(sy_wire_create_body("MANUAL", "", doc, 3, "TUlJ", &n));
}

static void
test_doc_id_shapes(void **state)
{
	static const char *const ok[] = {
		"9abd3d41-76bc-4542-a88e-b1f7be8130b5",
		"  9abd3d41-76bc-4542-a88e-b1f7be8130b5\r\n",
		"\"9abd3d41-76bc-4542-a88e-b1f7be8130b5\"",
		"{\"id\":\"9abd3d41-76bc-4542-a88e-b1f7be8130b5\"}",
		"{\"value\":\"9abd3d41-76bc-4542-a88e-b1f7be8130b5\"}",
		"{ \"9abd3d41-76bc-4542-a88e-b1f7be8130b5\" }",
		"[\"9abd3d41-76bc-4542-a88e-b1f7be8130b5\"]",
	};
	static const char *const bad[] = { "", "   ", "\"\"", "{}",
		"{\"id\":null}", "{\"id\":12}", "<html>oops</html>",
		"a b", "{\"error_message\":\"x\"}", "[1,2]", "\"a/b\"" };
	char id[128];
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(sy_wire_parse_doc_id(S(ok[i]), id, sizeof(id),
						      &e), 0);
		assert_string_equal(id,
				    "9abd3d41-76bc-4542-a88e-b1f7be8130b5");
	}
	assert_int_equal(sy_wire_parse_doc_id(S("FIX_ON_NSCHFDOPPR_1_2"), id,
					      sizeof(id), &e), 0);
	assert_string_equal(id, "FIX_ON_NSCHFDOPPR_1_2");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sy_wire_parse_doc_id(S(bad[i]), id,
						      sizeof(id), &e),
				 ERR_SERVER);
		assert_string_equal(id, "");
	}
	/* too long for the caller's buffer */
	assert_int_equal(sy_wire_parse_doc_id(S("abcdef"), id, 4, &e),
			 ERR_SERVER);
}

static void
test_error_text(void **state)
{
	char t[128];

	(void)state;
	sy_wire_error_text(S("{\"error_message\":\"Отсутствует доступ к "
			     "ресурсу\"}"), t, sizeof(t));
	assert_string_equal(t, "Отсутствует доступ к ресурсу");
	sy_wire_error_text(S("{\"code\":5,\"description\":\"d\\nx\"}"), t,
			   sizeof(t));
	assert_string_equal(t, "d x");
	sy_wire_error_text(S("<InvalidTokenException><error>invalid_token"
			     "</error><error_description>Access token "
			     "expired: 1</error_description>"
			     "</InvalidTokenException>"), t, sizeof(t));
	assert_string_equal(t, "Access token expired: 1");
	sy_wire_error_text(S("<UnauthorizedException><error>unauthorized"
			     "</error></UnauthorizedException>"), t,
			   sizeof(t));
	assert_string_equal(t, "unauthorized");
	sy_wire_error_text(S("bad gateway\n"), t, sizeof(t));
	assert_string_equal(t, "bad gateway ");
	sy_wire_error_text(NULL, 0, t, sizeof(t));
	assert_string_equal(t, "");
	sy_wire_error_text(S("{\"error_message\":\"0123456789\"}"), t, 5);
	assert_string_equal(t, "0123");
}

static void
test_doc_info(void **state)
{
	struct sy_wire_doc d;
	struct err e;

	(void)state;
	assert_int_equal(sy_wire_parse_doc_info(S(
		"[{\"number\":\"id-1\",\"docDate\":\"2025-10-01T00:00:00.000Z\","
		"\"receivedAt\":null,\"type\":\"AGGREGATION_DOCUMENT\","
		"\"status\":\"CHECKED_NOT_OK\",\"senderInn\":\"7700000001\","
		"\"receiverInn\":null,\"input\":false,"
		"\"errors\":[\"29: Недопустимый формат.\",\"x\"],"
		"\"commonErrors\":[{\"errorCode\":\"ERROR_1\","
		"\"errorMessage\":\"x\",\"errorObject\":null},"
		"{\"errorCode\":\"INTRO_ERROR\",\"errorMessage\":\"y\"}],"
		"\"unknownField\":{\"deep\":[1]}}]"), &d, &e), 0);
	assert_string_equal(d.id, "id-1");
	assert_string_equal(d.status, "CHECKED_NOT_OK");
	assert_string_equal(d.type, "AGGREGATION_DOCUMENT");
	assert_string_equal(d.sender_inn, "7700000001");
	assert_string_equal(d.receiver_inn, "");
	assert_string_equal(d.received_at, "");
	assert_int_equal(d.input, 0);
	assert_string_equal(d.errors, "29: Недопустимый формат.; x; y");
	/* a bare object, defensively */
	assert_int_equal(sy_wire_parse_doc_info(S(
		"{\"number\":\"id-2\",\"status\":\"CANCELED\"}"), &d, &e), 0);
	assert_string_equal(d.status, "CANCELED");
	assert_int_equal(d.input, -1);
	assert_int_equal(sy_wire_parse_doc_info(S("[]"), &d, &e), ERR_SERVER);
	assert_int_equal(sy_wire_parse_doc_info(S("[{\"number\":\"x\"}]"), &d,
						&e), ERR_SERVER);
	assert_int_equal(sy_wire_parse_doc_info(S("null"), &d, &e),
			 ERR_SERVER);
}

static void
test_doc_list(void **state)
{
	struct sy_wire_doc *d;
	struct err e;
	size_t n;
	int next;

	(void)state;
	assert_int_equal(sy_wire_parse_doc_list(S(
		"{\"results\":[{\"number\":\"a\",\"type\":\"LP_SHIP_GOODS\","
		"\"status\":\"WAIT_ACCEPTANCE\",\"input\":true},7,"
		"{\"number\":\"b\",\"status\":null}],\"nextPage\":true}"),
		&d, &n, &next, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(next, 1);
	assert_string_equal(d[0].id, "a");
	assert_int_equal(d[0].input, 1);
	assert_string_equal(d[1].id, "b");
	assert_string_equal(d[1].status, "");
	free(d);
	assert_int_equal(sy_wire_parse_doc_list(S("{\"results\":[]}"), &d, &n,
						&next, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(next, 0);
	assert_null(d);
	assert_int_equal(sy_wire_parse_doc_list(S("{\"results\":{}}"), &d, &n,
						&next, &e), ERR_SERVER);
	assert_int_equal(sy_wire_parse_doc_list(S("[]"), &d, &n, &next, &e),
			 ERR_SERVER);
}

static void
test_doc_matches(void **state)
{
	const char doc[] = "{\"b\":[1,2],\"a\":\"x\"}";

	(void)state;
	/* content as the raw text */
	assert_true(sy_wire_doc_matches(S(
		"[{\"content\":\"{\\\"b\\\":[1,2],\\\"a\\\":\\\"x\\\"}\"}]"),
		doc, strlen(doc)));
	/* content as base64 */
	assert_true(sy_wire_doc_matches(S(
		"[{\"content\":\"eyJiIjpbMSwyXSwiYSI6IngifQ==\"}]"), doc,
		strlen(doc)));
	/* body as parsed JSON, another key order */
	assert_true(sy_wire_doc_matches(S(
		"[{\"content\":null,\"body\":{\"a\":\"x\",\"b\":[1,2]}}]"),
		doc, strlen(doc)));
	assert_int_equal(sy_wire_doc_matches(S(
		"[{\"body\":{\"a\":\"x\",\"b\":[1,3]}}]"), doc, strlen(doc)),
		0);
	assert_int_equal(sy_wire_doc_matches(S("[{\"content\":\"zzz\"}]"),
					     doc, strlen(doc)), 0);
	/* nothing to compare with: unknown, not "no" */
	assert_int_equal(sy_wire_doc_matches(S("[{}]"), doc, strlen(doc)), -1);
	assert_int_equal(sy_wire_doc_matches(S("[{\"body\":null}]"), doc,
					     strlen(doc)), -1);
	assert_int_equal(sy_wire_doc_matches(S("garbage"), doc, strlen(doc)),
			 -1);
	assert_int_equal(sy_wire_doc_matches(S("[{\"body\":{}}]"), "a,b", 3),
			 -1);
}

static void
test_cises(void **state)
{
	const char *const codes[] = { "0104600000000010215abc\x1d" "91x",
				      "b\"q" };
	struct sy_wire_cis *c;
	struct err e;
	size_t n;
	char *b;

	(void)state;
	b = sy_wire_cises_body(codes, 2);
	assert_string_equal(b, "[\"0104600000000010215abc\\u001D91x\","
			    "\"b\\\"q\"]");
	free(b);
	assert_int_equal(sy_wire_parse_cises(S(
		"[{\"cisInfo\":{\"requestedCis\":\"A\",\"cis\":\"A\","
		"\"status\":\"INTRODUCED\",\"statusEx\":\"EMPTY\","
		"\"ownerInn\":\"7700000001\",\"parent\":\"P\","
		"\"generalPackageType\":\"UNIT\",\"packageType\":\"X\","
		"\"gtin\":\"04600000000010\"}},"
		"{\"cisInfo\":{\"requestedCis\":\"B\"},"
		"\"errorMessage\":\"КИ не найден\",\"errorCode\":\"404\"},"
		"{\"cisInfo\":{\"cis\":\"C\",\"packageType\":\"BOX\","
		"\"parent\":null},\"errorCode\":504}]"), &c, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].cis, "A");
	assert_string_equal(c[0].status, "INTRODUCED");
	assert_string_equal(c[0].owner_inn, "7700000001");
	assert_string_equal(c[0].parent, "P");
	assert_string_equal(c[0].package_type, "UNIT");
	assert_string_equal(c[0].error_code, "");
	assert_string_equal(c[1].cis, "B");
	assert_string_equal(c[1].error_code, "404");
	assert_string_equal(c[1].error, "КИ не найден");
	assert_string_equal(c[2].cis, "C");
	assert_string_equal(c[2].package_type, "BOX");
	assert_string_equal(c[2].error_code, "504");
	free(c);
	assert_int_equal(sy_wire_parse_cises(S("{\"error_message\":\"x\"}"),
					     &c, &n, &e), ERR_SERVER);
	assert_int_equal(sy_wire_parse_cises(S("[]"), &c, &n, &e), 0);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_vectors),
		cmocka_unit_test(test_b64_binary_roundtrip),
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_signin_body),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_create_body),
		cmocka_unit_test(test_doc_id_shapes),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_doc_info),
		cmocka_unit_test(test_doc_list),
		cmocka_unit_test(test_doc_matches),
		cmocka_unit_test(test_cises),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
