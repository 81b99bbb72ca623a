/*
 * test_sy_codes: code checks. `sklad codes check` (the real binary)
 * against the HTTPS True API emulator on a real database: 2 500 expected
 * codes of a delivery asked in three requests of at most 1000, each
 * acceptance and aggregation rule found in plain words and recorded, an
 * unavailable server (exit 75, nothing recorded), usage and set-up
 * errors; the recorded problems shown by acceptance and packing scans
 * (store); and the pure rules (rules_check.h) one by one.
 *
 * Must not: talk to anything but the emulator on loopback, or leave
 * files behind.
 */
#include "tests/api/emu.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/api/emu_site.h"

#include "store/rules_check.h"
#include "store/store.h"

#define SENDER "7700000002"
#define NDELIVERY 2500

static struct emu emu;

struct fixture {
	struct emu_site s;
	int serial;
};

static int
group_setup(void **state)
{
	static const char *const args[] = { "--process-delay", "0", NULL };

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

	assert_non_null(f);
	emu_site_make(&emu, &f->s, "sklad-codes", &(struct emu_site_opts){
		.pg = "milk", .operator = true,
		.api_extra = "max_attempts = 2\nmax_wait_ms = 2000\n" });
	f->serial = 1;
	*state = f;
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	emu_site_remove(&f->s);
	free(f);
	return 0;
}

/* A unit code (КИ without the crypto tail) that the mark parser takes. */
static void
unit(struct fixture *f, char *code, size_t size)
{
	int cd = mark_check_digit("0460043993125", 13);

	snprintf(code, size, "01%s%d21S%05dABCDEFG", "0460043993125", cd,
		 f->serial++);
}

static struct mark
parsed(const char *code)
{
	struct mark m;

	if (mark_parse(code, strlen(code), &m) != 0 &&
	    mark_sscc_check(code, strlen(code), &m) != 0)
		fail_msg("test code %s does not parse", code);
	return m;
}

/* Tell the emulator about one code; status NULL: leave it unknown. */
static json_t *
cis(const char *code, const char *status, const char *ex,
    const char *owner, const char *parent)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "cis", code, "status",
			      status, "statusEx", ex ? ex : "EMPTY",
			      "ownerInn", owner);

	if (parent != NULL)
		json_object_set_new(o, "parent", json_string(parent));
	json_object_set_new(o, "generalPackageType", json_string("UNIT"));
	return o;
}

static void
add_cises(json_t *arr)
{
	json_t *c = json_pack("{s:s, s:o}", "cmd", "add_cises", "cises", arr);
	char *s = json_dumps(c, JSON_COMPACT);

	assert_non_null(s);
	assert_true(emu_ok(&emu, s));
	free(s);
	json_decref(c);
}

/* A delivery of n units imported from a plain list; codes into u. */
static int64_t
delivery(struct fixture *f, char (*u)[64], int n)
{
	size_t cap = (size_t)n * 64 + 128, len = 0;
	char *text = malloc(cap);
	struct st_delivery d;
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	int i;

	assert_non_null(text);
	for (i = 0; i < n; i++) {
		unit(f, u[i], sizeof(u[i]));
		len += (size_t)snprintf(text + len, cap - len, "%s\n", u[i]);
	}
	len += (size_t)snprintf(text + len, cap - len, "# sender_inn: "
				SENDER "\n# number: 5\n# date: 2026-11-20\n");
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_login(db, "ivan", "1234", "t1", &who, &e), 0);
	if (st_delivery_import(db, &who, "list.txt", text, len, &d, &e) != 0)
		fail_msg("import: %s", e.msg);
	assert_int_equal(d.expected, n);
	st_close(&db);
	free(text);
	return d.id;
}

static void
test_delivery_in_three_batches(void **state)
{
	struct fixture *f = *state;
	char (*u)[64] = calloc(NDELIVERY, sizeof(*u));
	char arg[32], why[400];
	const char *const text[] = { "codes", "check", "--db", f->s.db,
				     "--config", f->s.conf, "--delivery", arg,
				     NULL };
	const char *const json[] = { "codes", "check", "--db", f->s.db,
				     "--config", f->s.conf, "--delivery", arg,
				     "--json", NULL };
	struct st_accept_progress p;
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	json_error_t je;
	json_t *arr, *r, *sizes;
	struct mark m;
	int64_t id;
	int i;

	assert_non_null(u);
	id = delivery(f, u, NDELIVERY);
	snprintf(arg, sizeof(arg), "%lld", (long long)id);
	arr = json_array();
	for (i = 0; i < NDELIVERY; i++) {
		if (i == 7)		/* unknown to the state system */
			continue;
		json_array_append_new(arr, cis(u[i],
			i == 5 ? "APPLIED" : "INTRODUCED",
			i == 6 ? "LOAN_RETIRED" : i == 9 ? "WAIT_SHIPMENT" :
			NULL, i == 8 ? "" : i == 10 ? emu.inn : SENDER,
			NULL));
	}
	add_cises(arr);
	assert_int_equal(emu_site_run(&f->s, NULL, text), 1);
	/* three requests, none above 1000 codes */
	r = emu_cmd(&emu, "{\"cmd\":\"cises_seen\"}");
	assert_non_null(r);
	sizes = json_object_get(r, "sizes");
	assert_int_equal(json_array_size(sizes), 3);
	assert_int_equal(json_integer_value(json_array_get(sizes, 0)), 1000);
	assert_int_equal(json_integer_value(json_array_get(sizes, 1)), 1000);
	assert_int_equal(json_integer_value(json_array_get(sizes, 2)), 500);
	json_decref(r);
	assert_int_equal(emu_count(&emu, "/cises/info"), 3);
	/* each problem on its own line, then the summary */
	snprintf(why, sizeof(why), "%s\tstatus APPLIED: a code received from "
		 "a supplier must be in circulation (INTRODUCED)", u[5]);
	assert_non_null(strstr(emu_slurp(f->s.out), why));
	snprintf(why, sizeof(why), "%s\tspecial state LOAN_RETIRED", u[6]);
	assert_non_null(strstr(emu_slurp(f->s.out), why));
	snprintf(why, sizeof(why), "%s\tthe state system does not know "
		 "this code", u[7]);
	assert_non_null(strstr(emu_slurp(f->s.out), why));
	snprintf(why, sizeof(why), "%s\tthe state system names no owner",
		 u[8]);
	assert_non_null(strstr(emu_slurp(f->s.out), why));
	assert_null(strstr(emu_slurp(f->s.out), u[9]));	/* on its way to us */
	assert_null(strstr(emu_slurp(f->s.out), u[10]));	/* ours already */
	assert_non_null(strstr(emu_slurp(f->s.out), "2500 codes checked with the "
			       "state system (3 requests): 4 with problems"));
	/* the same as JSON */
	assert_int_equal(emu_site_run(&f->s, NULL, json), 1);
	r = json_loads(emu_slurp(f->s.out), 0, &je);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "checked")),
			 NDELIVERY);
	assert_int_equal(json_integer_value(json_object_get(r, "problems")),
			 4);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(r, "list"), 0), "code")),
		u[5]);
	json_decref(r);
	/* acceptance shows the recorded problem, offline, and still counts */
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_login(db, "ivan", "1234", "t1", &who, &e), 0);
	assert_int_equal(st_accept_open(db, &who, id, &p, &e), 0);
	m = parsed(u[5]);
	assert_int_equal(st_accept_scan(db, &who, id, &m, &p, &e), 0);
	assert_string_equal(p.verdict, "matched");
	assert_non_null(strstr(p.checked, "checked: status APPLIED"));
	m = parsed(u[4]);
	assert_int_equal(st_accept_scan(db, &who, id, &m, &p, &e), 0);
	assert_string_equal(p.checked, "");
	/* a problem for acceptance is not one for aggregation */
	assert_int_equal(st_checks_problem(db, u[5], ST_CHECK_AGGREGATE, why,
					   sizeof(why), &e), 0);
	assert_int_equal(st_checks_problem(db, u[7], ST_CHECK_ACCEPT, why,
					   sizeof(why), &e), 1);
	st_close(&db);
	/* checked again with the problem gone: the answer is replaced */
	arr = json_array();
	json_array_append_new(arr, cis(u[5], "INTRODUCED", NULL, SENDER,
				       NULL));
	add_cises(arr);
	assert_int_equal(emu_site_run(&f->s, NULL, text), 1);
	assert_non_null(strstr(emu_slurp(f->s.out), "3 with problems"));
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_checks_problem(db, u[5], ST_CHECK_ACCEPT, why,
					   sizeof(why), &e), 0);
	st_close(&db);
	free(u);
}

static void
test_pack_rules(void **state)
{
	struct fixture *f = *state;
	char sscc[MARK_SSCC_LEN + 1], other[MARK_SSCC_LEN + 1];
	char u[6][64], why[400];
	const char *const text[] = { "codes", "check", "--db", f->s.db,
				     "--config", f->s.conf, "--pack", sscc,
				     NULL };
	struct st_check_target t;
	struct st_code_check c;
	struct st_pack pk;
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	json_t *arr;
	struct mark m;
	int i, problems;

	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_login(db, "ivan", "1234", "t1", &who, &e), 0);
	assert_int_equal(st_pack_open(db, &who, ST_BOX, NULL, NULL, NULL,
				      &pk, &e), 0);
	snprintf(sscc, sizeof(sscc), "%s", pk.sscc);
	for (i = 0; i < 6; i++) {
		unit(f, u[i], sizeof(u[i]));
		m = parsed(u[i]);
		if (i < 5 && st_pack_scan(db, &who, sscc, &m, u[i],
					  strlen(u[i]), &pk, &e) != 0)
			fail_msg("scan: %s", e.msg);
		assert_string_equal(pk.checked, "");
	}
	st_close(&db);
	assert_int_equal(mark_sscc_make(1, "4600439", 999, other), 0);
	arr = json_array();
	json_array_append_new(arr, cis(u[0], "APPLIED", NULL, emu.inn, NULL));
	json_array_append_new(arr, cis(u[1], "EMITTED", NULL, emu.inn, NULL));
	json_array_append_new(arr, cis(u[2], "INTRODUCED", NULL,
				       "7700000009", NULL));
	json_array_append_new(arr, cis(u[3], "APPLIED", NULL, emu.inn,
				       other));
	json_array_append_new(arr, cis(u[4], "INTRODUCED", NULL, emu.inn,
				       sscc));
	add_cises(arr);
	assert_int_equal(emu_site_run(&f->s, NULL, text), 1);
	snprintf(why, sizeof(why), "%s\tstatus EMITTED: only applied "
		 "(APPLIED) or introduced (INTRODUCED) codes can be packed",
		 u[1]);
	assert_non_null(strstr(emu_slurp(f->s.out), why));
	snprintf(why, sizeof(why), "%s\towned by INN 7700000009, not by us "
		 "(%s)", u[2], emu.inn);
	assert_non_null(strstr(emu_slurp(f->s.out), why));
	snprintf(why, sizeof(why), "%s\talready in aggregate %s", u[3], other);
	assert_non_null(strstr(emu_slurp(f->s.out), why));
	assert_null(strstr(emu_slurp(f->s.out), u[0]));
	assert_null(strstr(emu_slurp(f->s.out), u[4]));	/* in this very pack */
	assert_non_null(strstr(emu_slurp(f->s.out), "5 codes checked with the "
			       "state system (1 requests): 3 with problems"));
	/* a pack of good codes: exit 0 */
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_pack_open(db, &who, ST_BOX, NULL, NULL, NULL,
				      &pk, &e), 0);
	snprintf(sscc, sizeof(sscc), "%s", pk.sscc);
	/* a code recorded with a problem is packed, and the scan says so */
	assert_int_equal(st_checks_codes(db, ST_CHECK_AGGREGATE, 0, sscc, &t,
					 &e), 0);
	assert_int_equal(t.n, 0);
	memset(&c, 0, sizeof(c));
	snprintf(c.code, sizeof(c.code), "%.38s", u[5]);
	c.found = true;
	snprintf(c.status, sizeof(c.status), "WRITTEN_OFF");
	snprintf(c.owner_inn, sizeof(c.owner_inn), "%s", emu.inn);
	assert_int_equal(st_checks_record(db, &t, &c, 1, &problems, &e), 0);
	assert_int_equal(problems, 1);
	st_checks_target_free(&t);
	/* a box in a pallet is our own aggregate, not a code to ask about */
	assert_int_equal(st_pack_open(db, &who, ST_PALLET, NULL, NULL, NULL,
				      &pk, &e), 0);
	snprintf(other, sizeof(other), "%s", pk.sscc);
	assert_int_equal(st_pack_open(db, &who, ST_BOX, NULL, other, NULL,
				      &pk, &e), 0);
	assert_int_equal(st_checks_codes(db, ST_CHECK_AGGREGATE, 0, other, &t,
					 &e), 0);
	assert_int_equal(t.n, 0);
	st_checks_target_free(&t);
	m = parsed(u[5]);
	assert_int_equal(st_pack_scan(db, &who, sscc, &m, u[5], strlen(u[5]),
				      &pk, &e), 0);
	assert_non_null(strstr(pk.checked, "checked: status WRITTEN_OFF"));
	st_close(&db);
	arr = json_array();
	json_array_append_new(arr, cis(u[5], "INTRODUCED", NULL, emu.inn,
				       NULL));
	add_cises(arr);
	assert_int_equal(emu_site_run(&f->s, NULL, text), 0);
	assert_non_null(strstr(emu_slurp(f->s.out), "1 codes checked with the "
			       "state system (1 requests): 0 with problems"));
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_checks_problem(db, u[5], ST_CHECK_AGGREGATE, why,
					   sizeof(why), &e), 0);
	st_close(&db);
}

static void
test_unavailable(void **state)
{
	struct fixture *f = *state;
	char (*u)[64] = calloc(1200, sizeof(*u));
	char arg[32], why[400];
	const char *const text[] = { "codes", "check", "--db", f->s.db,
				     "--config", f->s.conf, "--delivery", arg,
				     NULL };
	struct st_db *db = NULL;
	struct err e;
	json_t *arr;
	int64_t id;
	int i;

	assert_non_null(u);
	id = delivery(f, u, 1200);
	snprintf(arg, sizeof(arg), "%lld", (long long)id);
	arr = json_array();
	for (i = 0; i < 1200; i++)
		json_array_append_new(arr, cis(u[i], "EMITTED", NULL, SENDER,
					       NULL));
	add_cises(arr);
	/* a 5xx, then every connection dropped: nothing is recorded */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/cises/info\","
			   "\"kind\":\"status\",\"status\":503,\"count\":1}"));
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/cises/info\","
			   "\"kind\":\"drop\",\"count\":20}"));
	assert_int_equal(emu_site_run(&f->s, NULL, text), 75);
	assert_non_null(strstr(emu_slurp(f->s.errf), "nothing was recorded, work "
			       "goes on offline"));
	assert_string_equal(emu_slurp(f->s.out), "");
	assert_int_equal(st_open(f->s.db, false, &db, &e), 0);
	assert_int_equal(st_checks_problem(db, u[0], ST_CHECK_ACCEPT, why,
					   sizeof(why), &e), 0);
	assert_int_equal(st_checks_problem(db, u[1100], ST_CHECK_ACCEPT, why,
					   sizeof(why), &e), 0);
	st_close(&db);
	free(u);
}

static void
test_usage_and_setup(void **state)
{
	struct fixture *f = *state;
	const char *const none[] = { "codes", "check", "--db", f->s.db,
				     "--config", f->s.conf, NULL };
	const char *const both[] = { "codes", "check", "--db", f->s.db,
				     "--delivery", "1", "--pack",
				     "146004390000000017", NULL };
	const char *const bad[] = { "codes", "check", "--db", f->s.db,
				    "--delivery", "x", NULL };
	const char *const noconf[] = { "codes", "check", "--db", f->s.db,
				       "--config", "/nonexistent/sync.conf",
				       "--pack", "146004390000000017", NULL };
	const char *const nodlv[] = { "codes", "check", "--db", f->s.db,
				      "--config", f->s.conf, "--delivery",
				      "999", NULL };
	char u[1][64];
	char arg[32];
	const char *const noconf2[] = { "codes", "check", "--db", f->s.db,
					"--config", "/nonexistent/sync.conf",
					"--delivery", arg, NULL };

	assert_int_equal(emu_site_run(&f->s, NULL, none), 2);
	assert_int_equal(emu_site_run(&f->s, NULL, both), 2);
	assert_int_equal(emu_site_run(&f->s, NULL, bad), 2);
	/* no such pack: refused before the configuration is needed */
	assert_int_equal(emu_site_run(&f->s, NULL, noconf), 1);
	assert_non_null(strstr(emu_slurp(f->s.errf), "No pack with SSCC"));
	assert_int_equal(emu_site_run(&f->s, NULL, nodlv), 1);
	assert_non_null(strstr(emu_slurp(f->s.errf), "No delivery 999."));
	snprintf(arg, sizeof(arg), "%lld", (long long)delivery(f, u, 1));
	assert_int_equal(emu_site_run(&f->s, NULL, noconf2), 78);
	assert_int_equal(emu_count(&emu, "/cises/info"), 0);
}

/* ---- the pure rules ------------------------------------------------- */

static enum rules_check_problem
judge(enum rules_check_use use, const char *status, const char *ex,
      const char *owner, const char *parent, char *why, size_t n)
{
	struct rules_check_ctx c = { .use = use, .our_inn = "7700000001",
				     .sender_inn = SENDER,
				     .pack = "146004390000000017" };
	struct rules_check_facts f = { .found = true, .error_code = "",
				       .error = "", .status = status,
				       .status_ex = ex, .owner_inn = owner,
				       .parent = parent };
	enum rules_check_problem p = rules_check_code(&c, &f);

	rules_check_reason(p, &c, &f, why, n);
	return p;
}

static void
test_rules(void **state)
{
	const enum rules_check_use A = RULES_CHK_ACCEPT;
	const enum rules_check_use G = RULES_CHK_AGGREGATE;
	struct rules_check_ctx c = { .use = A, .our_inn = "7700000001",
				     .sender_inn = "", .pack = "" };
	struct rules_check_facts f = { .found = false, .error_code = "404",
				       .error = "КИ не найден", .status = "",
				       .status_ex = "", .owner_inn = "",
				       .parent = "" };
	char why[400];

	(void)state;
	/* acceptance */
	assert_int_equal(judge(A, "INTRODUCED", "EMPTY", SENDER, "", why,
			       sizeof(why)), RULES_CHK_OK);
	assert_string_equal(why, "");
	assert_int_equal(judge(A, "INTRODUCED", "", "7700000001", "", why,
			       sizeof(why)), RULES_CHK_OK);
	assert_int_equal(judge(A, "INTRODUCED", "WAIT_TRANSFER_TO_OWNER",
			       SENDER, "", why, sizeof(why)), RULES_CHK_OK);
	/* in a supplier's aggregate is normal for acceptance */
	assert_int_equal(judge(A, "INTRODUCED", "", SENDER,
			       "146004390000000999", why, sizeof(why)),
			 RULES_CHK_OK);
	assert_int_equal(judge(A, "APPLIED", "", SENDER, "", why,
			       sizeof(why)), RULES_CHK_STATUS);
	assert_int_equal(judge(A, "RETIRED", "", SENDER, "", why,
			       sizeof(why)), RULES_CHK_STATUS);
	assert_non_null(strstr(why, "status RETIRED"));
	assert_int_equal(judge(A, "", "", SENDER, "", why, sizeof(why)),
			 RULES_CHK_STATUS);
	assert_non_null(strstr(why, "status -"));
	assert_int_equal(judge(A, "INTRODUCED", "FTS_CONTROL", SENDER, "",
			       why, sizeof(why)), RULES_CHK_SPECIAL);
	assert_non_null(strstr(why, "FTS_CONTROL"));
	assert_int_equal(judge(A, "INTRODUCED", "", "7700000009", "", why,
			       sizeof(why)), RULES_CHK_OWNER);
	assert_string_equal(why, "owned by INN 7700000009, neither the "
			    "supplier (7700000002) nor us (7700000001)");
	/* aggregation */
	assert_int_equal(judge(G, "APPLIED", "EMPTY", "7700000001", "", why,
			       sizeof(why)), RULES_CHK_OK);
	assert_int_equal(judge(G, "INTRODUCED", "", "7700000001",
			       "146004390000000017", why, sizeof(why)),
			 RULES_CHK_OK);
	assert_int_equal(judge(G, "EMITTED", "", "7700000001", "", why,
			       sizeof(why)), RULES_CHK_STATUS);
	assert_int_equal(judge(G, "WRITTEN_OFF", "", "7700000001", "", why,
			       sizeof(why)), RULES_CHK_STATUS);
	assert_int_equal(judge(G, "INTRODUCED", "WAIT_SHIPMENT",
			       "7700000001", "", why, sizeof(why)),
			 RULES_CHK_SPECIAL);
	assert_int_equal(judge(G, "INTRODUCED", "", SENDER, "", why,
			       sizeof(why)), RULES_CHK_OWNER);
	assert_string_equal(why, "owned by INN 7700000002, not by us "
			    "(7700000001)");
	assert_int_equal(judge(G, "INTRODUCED", "", "7700000001",
			       "146004390000000999", why, sizeof(why)),
			 RULES_CHK_OTHER_AGGREGATE);
	assert_string_equal(why, "already in aggregate 146004390000000999 "
			    "for the state system: disaggregate it first");
	/* errors instead of an answer, for both uses */
	assert_int_equal(rules_check_code(&c, &f), RULES_CHK_UNKNOWN);
	c.use = G;
	assert_int_equal(rules_check_code(&c, &f), RULES_CHK_UNKNOWN);
	f.error_code = "504";
	f.error = "Отсутствует ответ системы";
	assert_int_equal(rules_check_code(&c, &f), RULES_CHK_NO_ANSWER);
	rules_check_reason(RULES_CHK_NO_ANSWER, &c, &f, why, sizeof(why));
	assert_non_null(strstr(why, "error 504: Отсутствует ответ системы"));
	/* an unknown supplier: any named owner will do for acceptance */
	c.use = A;
	f.found = true;
	f.status = "INTRODUCED";
	f.owner_inn = "7700000009";
	assert_int_equal(rules_check_code(&c, &f), RULES_CHK_OK);
	f.owner_inn = "";
	assert_int_equal(rules_check_code(&c, &f), RULES_CHK_OWNER);
	/* a tiny buffer is still terminated */
	rules_check_reason(RULES_CHK_OWNER, &c, &f, why, 5);
	assert_int_equal(strlen(why), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test_setup_teardown(test_delivery_in_three_batches,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unavailable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_usage_and_setup, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
