/*
 * test_sy_policy: the decision rules of sync/policy.c, exhaustively and
 * without a network: what follows which answer, back-off, the throttle,
 * document fates, product-group refusals and the exactly-once lookup rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "sync/policy.h"

static struct sy_policy_out
decide(enum sy_policy_op op, int net, int sent, long status, long ra,
       int attempt, int reauthed)
{
	struct sy_policy_in in = { 0 };
	struct sy_policy_out out;

	in.op = op;
	in.net = net;
	in.request_sent = sent;
	in.status = status;
	in.retry_after_s = ra;
	in.attempt = attempt;
	in.reauthed = reauthed;
	in.max_attempts = 5;
	in.max_wait_ms = 120000;
	in.jitter_ms = 0;
	sy_policy_decide(&in, &out);
	return out;
}

static void
test_success_is_done(void **state)
{
	long st[] = { 200, 201, 202, 204 };
	size_t i;
	int op;

	(void)state;
	for (op = SY_OP_READ; op <= SY_OP_CREATE; op++)
		for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
			assert_int_equal(decide(op, 0, 1, st[i], -1, 0, 0).act,
					 SY_ACT_DONE);
}

static void
test_401_reauth_once(void **state)
{
	(void)state;
	assert_int_equal(decide(SY_OP_READ, 0, 1, 401, -1, 0, 0).act,
			 SY_ACT_REAUTH);
	assert_int_equal(decide(SY_OP_CREATE, 0, 1, 401, -1, 0, 0).act,
			 SY_ACT_REAUTH);
	assert_int_equal(decide(SY_OP_READ, 0, 1, 401, -1, 0, 1).act,
			 SY_ACT_FAIL);
	assert_int_equal(decide(SY_OP_CREATE, 0, 1, 401, -1, 3, 1).act,
			 SY_ACT_FAIL);
	/* sign-in itself answering 401 cannot be cured by signing in */
	assert_int_equal(decide(SY_OP_AUTH, 0, 1, 401, -1, 0, 0).act,
			 SY_ACT_FAIL);
}

static void
test_429_honours_retry_after(void **state)
{
	struct sy_policy_out o;
	int op;

	(void)state;
	for (op = SY_OP_READ; op <= SY_OP_CREATE; op++) {
		o = decide(op, 0, 1, 429, 7, 0, 0);
		assert_int_equal(o.act, SY_ACT_RETRY);
		assert_int_equal(o.delay_ms, 7000);
		/* no header: at least 30 s (ref §9.2) */
		o = decide(op, 0, 1, 429, -1, 0, 0);
		assert_int_equal(o.act, SY_ACT_RETRY);
		assert_int_equal(o.delay_ms, 30000);
		/* longer than we wait within a run: unavailable, and
		 * the wait is reported */
		o = decide(op, 0, 1, 429, 600, 0, 0);
		assert_int_equal(o.act, SY_ACT_UNAVAILABLE);
		assert_int_equal(o.delay_ms, 600000);
		/* attempts run out */
		o = decide(op, 0, 1, 429, 1, 4, 0);
		assert_int_equal(o.act, SY_ACT_UNAVAILABLE);
	}
}

static void
test_5xx_read_retries_create_reconciles(void **state)
{
	long st[] = { 500, 502, 503, 504, 599 };
	struct sy_policy_out o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		o = decide(SY_OP_READ, 0, 1, st[i], 2, 0, 0);
		assert_int_equal(o.act, SY_ACT_RETRY);
		assert_int_equal(o.delay_ms, 2000);
		o = decide(SY_OP_AUTH, 0, 1, st[i], -1, 1, 0);
		assert_int_equal(o.act, SY_ACT_RETRY);
		assert_int_equal(o.delay_ms, 2000);	/* back-off 2^1 s */
		/* a document may have been recorded before the 5xx */
		o = decide(SY_OP_CREATE, 0, 1, st[i], 2, 0, 0);
		assert_int_equal(o.act, SY_ACT_RECONCILE);
		o = decide(SY_OP_CREATE, 0, 1, st[i], -1, 4, 1);
		assert_int_equal(o.act, SY_ACT_RECONCILE);
	}
}

static void
test_network(void **state)
{
	struct sy_policy_out o;
	int op;

	(void)state;
	for (op = SY_OP_READ; op <= SY_OP_CREATE; op++) {
		/* nothing reached the server: repeating is always safe */
		o = decide(op, 1, 0, 0, -1, 0, 0);
		assert_int_equal(o.act, SY_ACT_RETRY);
		assert_int_equal(o.delay_ms, 1000);
		o = decide(op, 1, 0, 0, -1, 4, 0);
		assert_int_equal(o.act, SY_ACT_UNAVAILABLE);
	}
	/* sent, then lost: reads repeat, a create never does */
	assert_int_equal(decide(SY_OP_READ, 1, 1, 0, -1, 0, 0).act,
			 SY_ACT_RETRY);
	assert_int_equal(decide(SY_OP_AUTH, 1, 1, 0, -1, 0, 0).act,
			 SY_ACT_RETRY);
	assert_int_equal(decide(SY_OP_CREATE, 1, 1, 0, -1, 0, 0).act,
			 SY_ACT_RECONCILE);
	assert_int_equal(decide(SY_OP_CREATE, 1, 1, 0, -1, 0, 1).act,
			 SY_ACT_RECONCILE);
}

static void
test_4xx_fail(void **state)
{
	long st[] = { 400, 402, 403, 404, 406, 409, 410, 413, 414, 415,
		      422, 100, 301, 302 };
	size_t i;
	int op;

	(void)state;
	for (op = SY_OP_READ; op <= SY_OP_CREATE; op++)
		for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
			assert_int_equal(decide(op, 0, 1, st[i], 5, 0, 0).act,
					 SY_ACT_FAIL);
}

/* Every combination: a create is never simply repeated once it may have
 * reached the server, and everything ends in a defined action. */
static void
test_create_never_blindly_repeated(void **state)
{
	long st[] = { 0, 200, 400, 401, 403, 404, 422, 429, 500, 503, 504 };
	size_t i;
	int net, sent, att, re;

	(void)state;
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		for (net = 0; net <= 1; net++)
			for (sent = 0; sent <= 1; sent++)
				for (att = 0; att < 6; att++)
					for (re = 0; re <= 1; re++) {
						struct sy_policy_out o = decide(
							SY_OP_CREATE, net, sent,
							net ? 0 : st[i], 1, att,
							re);

						if (o.act == SY_ACT_RETRY) {
							/* only unsent, 429 */
							assert_true((net && !sent)
								    || st[i] ==
								    429);
						}
						if (o.act == SY_ACT_REAUTH)
							assert_int_equal(re, 0);
						assert_true(o.act >=
							    SY_ACT_DONE &&
							    o.act <=
							    SY_ACT_UNAVAILABLE);
					}
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(sy_policy_backoff_ms(0, 0), 1000);
	assert_int_equal(sy_policy_backoff_ms(1, 0), 2000);
	assert_int_equal(sy_policy_backoff_ms(5, 0), 32000);
	assert_int_equal(sy_policy_backoff_ms(6, 0), 60000);
	assert_int_equal(sy_policy_backoff_ms(60, 0), 60000);
	assert_int_equal(sy_policy_backoff_ms(-3, 0), 1000);
	assert_int_equal(sy_policy_backoff_ms(0, 999), 1999);
	assert_int_equal(sy_policy_backoff_ms(0, 1500), 1500);
}

/* Greedy client over 20 s: never 50 in any one-second window, and close
 * to the configured rate. */
static void
test_throttle_window(void **state)
{
	static int64_t sent[2000];
	struct sy_policy_bucket b = { 0 };
	int64_t t = 1000000, end = t + 20000;
	int n = 0, i, j = 0;

	(void)state;
	while (t < end && n < 2000) {
		int64_t w = sy_policy_throttle(&b, t);

		if (w == 0)
			sent[n++] = t;
		else
			t += w;
	}
	for (i = 0; i < n; i++) {
		while (sent[i] - sent[j] >= 1000)
			j++;
		assert_true(i - j + 1 < 50);
	}
	assert_true(n >= 20 * SY_POLICY_RATE);
	assert_true(n <= 20 * SY_POLICY_RATE + SY_POLICY_BURST + 1);
}

static void
test_throttle_waits_are_exact(void **state)
{
	struct sy_policy_bucket b = { 0 };
	int i;

	(void)state;
	for (i = 0; i < SY_POLICY_BURST; i++)
		assert_int_equal(sy_policy_throttle(&b, 5000), 0);
	/* empty: one token takes 1000/RATE ms */
	assert_int_equal(sy_policy_throttle(&b, 5000), 1000 / SY_POLICY_RATE);
	assert_int_equal(sy_policy_throttle(&b, 5000 + 1000 / SY_POLICY_RATE),
			 0);
	/* time going backwards adds nothing */
	assert_true(sy_policy_throttle(&b, 1) > 0);
}

static void
test_fates(void **state)
{
	(void)state;
	assert_int_equal(sy_policy_fate("IN_PROGRESS"), SY_FATE_PENDING);
	assert_int_equal(sy_policy_fate("WAIT_FOR_CONTINUATION"),
			 SY_FATE_PENDING);
	assert_int_equal(sy_policy_fate("CHECKED_OK"), SY_FATE_OK);
	assert_int_equal(sy_policy_fate("ACCEPTED"), SY_FATE_OK);
	assert_int_equal(sy_policy_fate("WAIT_ACCEPTANCE"), SY_FATE_WAITING);
	assert_int_equal(sy_policy_fate("WAIT_PARTICIPANT_REGISTRATION"),
			 SY_FATE_WAITING);
	assert_int_equal(sy_policy_fate("CHECKED_NOT_OK"), SY_FATE_REJECTED);
	assert_int_equal(sy_policy_fate("PARSE_ERROR"), SY_FATE_REJECTED);
	assert_int_equal(sy_policy_fate("PROCESSING_ERROR"),
			 SY_FATE_TECH_ERROR);
	assert_int_equal(sy_policy_fate("CANCELLED"), SY_FATE_CANCELLED);
	assert_int_equal(sy_policy_fate("CANCELED"), SY_FATE_CANCELLED);
	assert_int_equal(sy_policy_fate("UNDEFINED"), SY_FATE_PENDING);
	assert_int_equal(sy_policy_fate("checked_ok"), SY_FATE_PENDING);
	assert_int_equal(sy_policy_fate(""), SY_FATE_PENDING);
	assert_int_equal(sy_policy_fate(NULL), SY_FATE_PENDING);
	assert_false(sy_policy_fate_final(SY_FATE_PENDING));
	assert_true(sy_policy_fate_final(SY_FATE_OK));
	assert_true(sy_policy_fate_final(SY_FATE_REJECTED));
	assert_true(sy_policy_fate_final(SY_FATE_CANCELLED));
}

static void
test_poll_delay(void **state)
{
	(void)state;
	assert_int_equal(sy_policy_poll_delay_ms(0, 2000, 60000), 2000);
	assert_int_equal(sy_policy_poll_delay_ms(1, 2000, 60000), 4000);
	assert_int_equal(sy_policy_poll_delay_ms(4, 2000, 60000), 32000);
	assert_int_equal(sy_policy_poll_delay_ms(5, 2000, 60000), 60000);
	assert_int_equal(sy_policy_poll_delay_ms(99, 2000, 60000), 60000);
	assert_int_equal(sy_policy_poll_delay_ms(0, 0, 0), 2000);
	assert_int_equal(sy_policy_poll_delay_ms(3, 100, 50), 100);
}

static void
test_doc_allowed(void **state)
{
	static const char *const mine[] = { "AGGREGATION_DOCUMENT",
		"DISAGGREGATION_DOCUMENT", "REAGGREGATION_DOCUMENT" };
	static const char *const groups[] = { "milk", "water", "shoes", "lp",
		"furs", "beer" };
	struct err e;
	size_t i, k;

	(void)state;
	for (i = 0; i < 3; i++)
		for (k = 0; k < 6; k++)
			assert_int_equal(st_doc_sendable(mine[i],
							       groups[k], &e),
					 0);
	assert_int_equal(st_doc_sendable("LP_SHIP_GOODS", "furs", &e),
			 0);
	assert_int_equal(st_doc_sendable("LP_ACCEPT_GOODS", "furs", &e),
			 0);
	for (k = 0; k < 6; k++) {
		if (strcmp(groups[k], "furs") == 0)
			continue;
		assert_int_equal(st_doc_sendable("LP_SHIP_GOODS",
						       groups[k], &e),
				 ERR_REFUSED);
		assert_non_null(strstr(e.msg, "kept for export"));
		assert_int_equal(st_doc_sendable("LP_ACCEPT_GOODS",
						       groups[k], &e),
				 ERR_REFUSED);
	}
	assert_int_equal(st_doc_sendable("AGGREGATION_DOCUMENT",
					       "tobacco", &e), ERR_REFUSED);
	assert_int_equal(st_doc_sendable("AGGREGATION_DOCUMENT", "ncp",
					       &e), ERR_REFUSED);
	assert_int_equal(st_doc_sendable("WRITE_OFF", "milk", &e),
			 ERR_REFUSED);
	assert_int_equal(st_doc_sendable(NULL, "milk", &e),
			 ERR_INVALID);
	assert_int_equal(st_doc_sendable("LP_SHIP_GOODS", "", NULL),
			 ERR_INVALID);
}

static void
test_after_lookup(void **state)
{
	(void)state;
	assert_int_equal(sy_policy_after_lookup(1, 1000, 1001, 60000, 1),
			 SY_LOOKUP_ADOPT);
	assert_int_equal(sy_policy_after_lookup(1, 1000, 999999, 60000, 1),
			 SY_LOOKUP_ADOPT);
	assert_int_equal(sy_policy_after_lookup(0, 1000, 1001, 60000, 1),
			 SY_LOOKUP_WAIT);
	assert_int_equal(sy_policy_after_lookup(0, 1000, 60999, 60000, 1),
			 SY_LOOKUP_WAIT);
	assert_int_equal(sy_policy_after_lookup(0, 1000, 61000, 60000, 1),
			 SY_LOOKUP_RESEND);
	/* a clock that went back never makes a resend early */
	assert_int_equal(sy_policy_after_lookup(0, 100000, 50000, 60000, 1),
			 SY_LOOKUP_WAIT);
	/* a candidate not told yet (404 "not indexed", no content) waits
	 * the same bounded time, then goes to a person, never a resend */
	assert_int_equal(sy_policy_after_lookup(2, 1000, 60999, 60000, 1),
			 SY_LOOKUP_WAIT);
	assert_int_equal(sy_policy_after_lookup(2, 1000, 61000, 60000, 1),
			 SY_LOOKUP_PERSON);
	/* never on the first look, however late: ask once more */
	assert_int_equal(sy_policy_after_lookup(0, 1000, 999999, 60000, 0),
			 SY_LOOKUP_WAIT);
	assert_int_equal(sy_policy_after_lookup(2, 1000, 999999, 60000, 0),
			 SY_LOOKUP_WAIT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_is_done),
		cmocka_unit_test(test_401_reauth_once),
		cmocka_unit_test(test_429_honours_retry_after),
		cmocka_unit_test(test_5xx_read_retries_create_reconciles),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_4xx_fail),
		cmocka_unit_test(test_create_never_blindly_repeated),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_throttle_window),
		cmocka_unit_test(test_throttle_waits_are_exact),
		cmocka_unit_test(test_fates),
		cmocka_unit_test(test_poll_delay),
		cmocka_unit_test(test_doc_allowed),
		cmocka_unit_test(test_after_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
