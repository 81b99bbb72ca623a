/*
 * test_sy_runner: the outbox runner in-process, driven the way the
 * console's one poll loop drives it (sy_runner_pollfds, _timeout,
 * _dispatch) against the HTTPS emulator, and the store side it stands on
 * (store/outbox.c) on real SQLite files: which document is due, the
 * depends_on order, "sending" recorded before a post, results and the
 * pack states that follow an aggregation document.
 */
#include "tests/api/emu.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/api/emu_site.h"
#include <sqlite3.h>

#include "store/store.h"
#include "sync/http.h"
#include "sync/runner.h"

#define GS "\x1d"

static struct emu emu;

struct fixture {
	struct emu_site s;
	struct st_db *st;
	struct st_actor admin, op;
	int serial;
};

static int
group_setup(void **state)
{
	static const char *const args[] = { "--process-delay", "0.2", NULL };

	(void)state;
	return emu_start(&emu, args);
}

static int
group_teardown(void **state)
{
	(void)state;
	emu_stop(&emu);
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;

	assert_non_null(f);
	emu_site_make(&emu, &f->s, "sklad-runner", &(struct emu_site_opts){
		.pg = "milk", .require_crypto = true });
	assert_int_equal(st_open(f->s.db, false, &f->st, &e), 0);
	assert_int_equal(st_login(f->st, "boss", "1234", "t1", &f->admin, &e),
			 0);
	f->op = f->admin;
	f->serial = 1;
	*state = f;
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_close(&f->st);
	emu_site_remove(&f->s);
	free(f);
	return 0;
}

/* A closed box of n units; sscc out; the last unit in *last. */
static void
closed_box(struct fixture *f, int n, char *sscc, struct mark *last)
{
	int cd = mark_check_digit("0460043993125", 13);
	struct st_pack p;
	char code[96];
	struct mark m;
	struct err e;
	int i;

	if (st_pack_open(f->st, &f->op, ST_BOX, NULL, NULL, NULL, &p, &e))
		fail_msg("open: %s", e.msg);
	strcpy(sscc, p.sscc);
	for (i = 0; i < n; i++) {
		snprintf(code, sizeof(code), "01%s%d21R%05dABCDEFG" GS "93AbCd",
			 "0460043993125", cd, f->serial++);
		if (mark_parse(code, strlen(code), &m) != 0 ||
		    st_pack_scan(f->st, &f->op, sscc, &m, code, strlen(code),
				 &p, &e) != 0)
			fail_msg("scan %s: %s", code, e.msg);
	}
	if (last)
		*last = m;
	if (st_pack_close(f->st, &f->op, sscc, &p, &e) != 0)
		fail_msg("close: %s", e.msg);
}

static int64_t
sql_int(struct fixture *f, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->s.db, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* --- store side ---------------------------------------------------------- */

static void
test_outbox_steps(void **state)
{
	struct fixture *f = *state;
	struct st_outbox_item it;
	struct st_outbox_counts c;
	struct st_pack p;
	struct mark last;
	int64_t wait, agg, busy[1];
	char a[32];
	struct err e;

	closed_box(f, 2, a, &last);
	/* a change to the reported box: depends on its aggregation */
	assert_int_equal(st_pack_take(f->st, &f->admin, a, &last, &p, &e), 0);
	assert_int_equal(st_outbox_count(f->st, &c, &e), 0);
	assert_int_equal(c.pending, 2);

	/* only the aggregation is due; the re-aggregation waits for it */
	assert_int_equal(st_outbox_next(f->st, 1000, NULL, 0, &it, &wait,
					&e), 1);
	assert_string_equal(it.type, "AGGREGATION_DOCUMENT");
	assert_string_equal(it.state, "pending");
	assert_non_null(it.body);
	assert_null(it.signature);
	assert_false(it.fate_unknown);
	agg = it.id;
	st_outbox_item_free(&it);
	busy[0] = agg;
	assert_int_equal(st_outbox_next(f->st, 1000, busy, 1, &it, &wait, &e),
			 0);
	assert_int_equal(wait, -1);

	/* sending: signature and time stored first, fate unknown */
	/* another runner sent it meanwhile (attempts moved): refused */
	assert_int_equal(st_outbox_mark_sending(f->st, agg, "U0lH", 3, 5000,
						&e), ERR_NOTFOUND);
	assert_int_equal(st_outbox_mark_sending(f->st, agg, "U0lH", 0, 5000,
						&e), 0);
	assert_int_equal(st_outbox_mark_sending(f->st, agg, "U0lH", 0, 5100,
						&e), ERR_NOTFOUND);
	assert_int_equal(st_outbox_next(f->st, 6000, NULL, 0, &it, &wait, &e),
			 1);
	assert_true(it.fate_unknown);
	assert_string_equal(it.signature, "U0lH");
	assert_int_equal(it.attempts, 1);
	assert_int_equal(it.first_sent_ms, 5000);
	st_outbox_item_free(&it);
	/* deferred: not due before its time, and the wait says when */
	assert_int_equal(st_outbox_defer(f->st, agg, 9000, false, false, false,
					 "waiting", &e), 0);
	assert_int_equal(st_outbox_next(f->st, 6000, NULL, 0, &it, &wait, &e),
			 0);
	assert_int_equal(wait, 3000);
	assert_int_equal(st_outbox_count(f->st, &c, &e), 0);
	assert_int_equal(c.sending, 1);

	/* accepted: submitted, the box with it */
	assert_int_equal(st_outbox_submitted(f->st, agg, "srv-1", 7000, &e),
			 0);
	assert_int_equal(st_pack_get(f->st, a, &p, &e), 0);
	assert_string_equal(p.state, "submitted");
	assert_int_equal(st_outbox_submitted(f->st, agg, "srv-1", 7000, &e),
			 ERR_NOTFOUND);
	assert_int_equal(st_outbox_next(f->st, 7000, NULL, 0, &it, &wait, &e),
			 1);
	assert_string_equal(it.state, "submitted");
	assert_string_equal(it.server_id, "srv-1");
	assert_false(it.fate_unknown);
	st_outbox_item_free(&it);
	/* a poll counted */
	assert_int_equal(st_outbox_defer(f->st, agg, 7500, false, true, false, NULL,
					 &e), 0);
	assert_int_equal(sql_int(f, "SELECT polls FROM outbox WHERE type ="
				 " 'AGGREGATION_DOCUMENT'"), 1);

	/* confirmed: the box too, and now the re-aggregation is due */
	assert_int_equal(st_outbox_result(f->st, agg, ST_OUTBOX_CONFIRMED,
					  NULL, &e), 0);
	assert_int_equal(st_pack_get(f->st, a, &p, &e), 0);
	assert_string_equal(p.state, "confirmed");
	assert_int_equal(st_outbox_next(f->st, 8000, NULL, 0, &it, &wait, &e),
			 1);
	assert_string_equal(it.type, "REAGGREGATION_DOCUMENT");
	assert_int_equal(sql_int(f, "SELECT waits_for FROM outbox_deps"
				 " WHERE doc_id = (SELECT max(id) FROM outbox)"),
			 agg);
	assert_int_equal(st_outbox_result(f->st, it.id, ST_OUTBOX_REJECTED,
					  "CHECKED_NOT_OK: no", &e), 0);
	st_outbox_item_free(&it);
	assert_int_equal(st_outbox_result(f->st, agg, ST_OUTBOX_FAILED, "x",
					  &e), ERR_NOTFOUND);
	assert_int_equal(st_outbox_count(f->st, &c, &e), 0);
	assert_int_equal(c.confirmed, 1);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.pending + c.submitted, 0);
	assert_int_equal(st_outbox_mark_sending(f->st, agg, "", 1, 1, &e),
			 ERR_INVALID);
}

/* --- the runner in a poll loop ----------------------------------------- */

static void
test_poll_loop(void **state)
{
	struct fixture *f = *state;
	struct sy_sign_opts so = { 0 };
	struct sy_api_config ac = { 0 };
	struct sy_runner_config rc = { 0 };
	struct sy_runner_stats s;
	struct sy_sign *sign = NULL;
	struct sy_api *api = NULL;
	struct sy_runner *r = NULL;
	struct pollfd pfds[64];
	struct st_pack p;
	struct mark last;
	int64_t t0, slowest = 0, next;
	char a[32], b[32];
	struct err e;
	int n = 0, passes = 0;

	closed_box(f, 2, a, &last);
	assert_int_equal(st_pack_take(f->st, &f->admin, a, &last, &p, &e), 0);
	closed_box(f, 3, b, NULL);
	so.key_file = emu.key512;
	so.cert_file = emu.cert512;
	assert_int_equal(sy_sign_new(&sign, &so, &e), 0);
	ac.v3_url = emu.v3;
	ac.v4_url = emu.v4;
	ac.pg = "milk";
	ac.inn = emu.inn;
	ac.ca_file = emu.ca;
	ac.signer = sign;
	assert_int_equal(sy_api_new(&api, &ac, &e), 0);
	rc.db = f->st;
	rc.api = api;
	rc.pg = "milk";
	rc.poll_initial_ms = 150;
	rc.poll_max_ms = 300;
	assert_int_equal(sy_runner_new(&r, &rc, &e), 0);

	t0 = sy_http_now_ms();
	for (;;) {
		int64_t d0 = sy_http_now_ms();
		int t;

		sy_runner_dispatch(r, pfds, n, d0);
		if (sy_http_now_ms() - d0 > slowest)
			slowest = sy_http_now_ms() - d0;
		passes++;
		if (sy_runner_idle(r, 0, &next))
			break;
		if (sy_http_now_ms() - t0 > 15000)
			fail_msg("the runner did not finish in 15 s");
		n = sy_runner_pollfds(r, pfds, 64);
		t = sy_runner_timeout(r, sy_http_now_ms());
		assert_true(t <= 60000);
		poll(pfds, (nfds_t)n, t < 0 ? 1000 : t);
	}
	sy_runner_stats(r, &s);
	assert_int_equal(s.sent, 3);
	assert_int_equal(s.confirmed, 3);
	assert_int_equal(s.rejected + s.failed + s.errors, 0);
	assert_int_equal(sy_runner_inflight(r), 0);
	assert_int_equal(emu_ndocs(&emu), 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " state = 'confirmed'"), 3);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM packs WHERE"
				 " state = 'confirmed'"), 2);
	/* the loop was never held up for long: requests ran in the
	 * background (signing and sign-in are the longest steps here) */
	if (slowest > 500)
		fail_msg("one dispatch took %lld ms", (long long)slowest);
	assert_true(passes > 3);
	sy_runner_free(&r);
	sy_api_free(&api);
	sy_sign_free(&sign);
}

/*
 * A product group that does not take the type (LP_SHIP_GOODS outside
 * furs, ref §5.6): never sent, never failed: it stays 'pending' to be
 * exported (a УПД carries it) and nothing needs a person; a document of
 * another product group than the runner's: failed with the reason.
 */
static void
test_refused_locally(void **state)
{
	struct fixture *f = *state;
	struct sy_sign_opts so = { 0 };
	struct sy_api_config ac = { 0 };
	struct sy_runner_config rc = { 0 };
	struct sy_runner_stats s;
	struct sy_sign *sign = NULL;
	struct sy_api *api = NULL;
	struct sy_runner *r = NULL;
	struct st_shipment sh;
	struct st_pack p;
	struct mark last;
	char a[32];
	struct err e;

	closed_box(f, 2, a, &last);
	assert_int_equal(st_pack_take(f->st, &f->admin, a, &last, &p, &e), 0);
	assert_int_equal(st_ship_open(f->st, &f->op, "7711111111", "S-9", &sh,
				      &e), 0);
	assert_int_equal(st_ship_scan(f->st, &f->op, sh.id, &last, &sh, &e),
			 0);
	assert_int_equal(st_ship_finish(f->st, &f->op, sh.id, &sh, &e), 0);
	so.key_file = emu.key256;
	so.cert_file = emu.cert256;
	assert_int_equal(sy_sign_new(&sign, &so, &e), 0);
	ac.v3_url = emu.v3;
	ac.v4_url = emu.v4;
	ac.pg = "milk";
	ac.inn = emu.inn;
	ac.ca_file = emu.ca;
	ac.signer = sign;
	assert_int_equal(sy_api_new(&api, &ac, &e), 0);
	rc.db = f->st;
	rc.api = api;
	rc.pg = "milk";
	rc.poll_initial_ms = 150;
	assert_int_equal(sy_runner_new(&r, &rc, &e), 0);
	assert_int_equal(sy_runner_run(r, sy_api_wall_ms() + 10000, 0, &e), 0);
	sy_runner_stats(r, &s);
	assert_int_equal(s.confirmed, 2);
	assert_int_equal(s.failed, 0);
	assert_int_equal(emu_ndocs(&emu), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " state = 'pending' AND type = 'LP_SHIP_GOODS'"
				 " AND attempts = 0 AND NOT sendable"
				 " AND last_error IS NULL"), 1);
	sy_runner_free(&r);

	/* configured for another group than the documents' */
	closed_box(f, 1, a, NULL);
	rc.pg = "water";
	assert_int_equal(sy_runner_new(&r, &rc, &e), 0);
	assert_int_equal(sy_runner_run(r, sy_api_wall_ms() + 5000, 0, &e), 0);
	sy_runner_stats(r, &s);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.sent, 0);
	assert_int_equal(emu_ndocs(&emu), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " state = 'failed' AND last_error LIKE"
				 " '%configured for water%'"), 1);
	sy_runner_free(&r);
	rc.db = NULL;
	assert_int_equal(sy_runner_new(&r, &rc, &e), ERR_INVALID);
	sy_api_free(&api);
	sy_sign_free(&sign);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outbox_steps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_poll_loop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused_locally, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
