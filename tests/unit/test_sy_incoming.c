/*
 * test_sy_incoming: `sklad deliveries` and `sklad deliveries fetch` (the
 * real binary) against the HTTPS True API emulator, on a real database:
 * the incoming list follows its pages; a fetched document becomes a
 * delivery that `sklad exec` can open for acceptance with the codes it
 * expects; an unknown id and a document with a bad code are refused in
 * plain words, with nothing imported.
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

#include "store/store.h"

#define GS "\x1d"

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
	emu_site_make(&emu, &f->s, "sklad-incoming", &(struct emu_site_opts){
		.pg = "furs", .operator = true,
		.api_extra = "max_attempts = 2\n" });
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

static void
test_list_follows_pages(void **state)
{
	struct fixture *f = *state;
	const char *const json[] = { "deliveries", "--db", f->s.db, "--config",
				     f->s.conf, "--json", NULL };
	const char *const text[] = { "deliveries", "--db", f->s.db, "--config",
				     f->s.conf, NULL };
	json_error_t je;
	json_t *arr;
	char want[64];

	assert_true(emu_ok(&emu, "{\"cmd\":\"add_incoming\",\"count\":1005,"
			   "\"body\":{\"products\":[]}}"));
	assert_int_equal(emu_site_run(&f->s, NULL, json), 0);
	arr = json_loads(emu_slurp(f->s.out), 0, &je);
	assert_non_null(arr);
	assert_int_equal(json_array_size(arr), 1005);	/* two pages */
	assert_int_equal(emu_count(&emu, "/doc/list"), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(arr, 1004), "status")), "WAIT_ACCEPTANCE");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(arr, 0), "receiver_inn")), emu.inn);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(arr, 0), "sender_inn")), "7700000002");
	json_decref(arr);
	assert_int_equal(emu_site_run(&f->s, NULL, text), 0);
	snprintf(want, sizeof(want), "1005 incoming documents for INN %s",
		 emu.inn);
	assert_non_null(strstr(emu_slurp(f->s.out), want));
	assert_null(strstr(emu_slurp(f->s.errf), "Bearer"));
}

static void
test_fetch_import_accept(void **state)
{
	struct fixture *f = *state;
	const char *const fetch[] = { "deliveries", "fetch", "--db", f->s.db,
				      "--config", f->s.conf, "--user", "ivan",
				      "--json", "in-doc-1", NULL };
	const char *const text[] = { "deliveries", "fetch", "--db", f->s.db,
				     "--config", f->s.conf, "--user", "ivan",
				     "in-doc-2", NULL };
	const char *const exec[] = { "exec", "--db", f->s.db, "--user", "ivan",
				     NULL };
	char u[3][64], sscc[24], cmd[4096], script[64];
	json_error_t je;
	json_t *r;
	json_int_t id;
	int i;

	for (i = 0; i < 3; i++)
		unit(f, u[i], sizeof(u[i]));
	assert_int_equal(mark_sscc_make(1, "4600439", 77, sscc), 0);
	snprintf(cmd, sizeof(cmd), "{\"cmd\":\"add_incoming\",\"id\":"
		 "\"in-doc-1\",\"body\":{\"document_num\":\"UPD-9\","
		 "\"document_date\":\"2026-11-20T09:00:00.000Z\","
		 "\"transfer_date\":\"2026-11-21T00:00:00.000Z\","
		 "\"turnover_type\":\"SELLING\",\"products\":["
		 "{\"uitu_code\":\"%s\",\"children\":[{\"uit_code\":\"%s\"},"
		 "{\"uit_code\":\"%s\"}]},{\"uit_code\":\"%s\"}]}}",
		 sscc, u[0], u[1], u[2]);
	assert_true(emu_ok(&emu, cmd));
	if (emu_site_run(&f->s, NULL, fetch) != 0)
		fail_msg("fetch: %s", emu_slurp(f->s.errf));
	r = json_loads(emu_slurp(f->s.out), 0, &je);
	assert_non_null(r);
	id = json_integer_value(json_object_get(r, "delivery"));
	assert_true(id > 0);
	assert_int_equal(json_integer_value(json_object_get(r, "expected")),
			 4);	/* the pack and its two units, one more */
	assert_string_equal(json_string_value(json_object_get(r, "number")),
			    "UPD-9");
	json_decref(r);
	assert_int_equal(emu_count(&emu, "/doc/in-doc-1/info"), 1);
	/* accept open works on it and expects every code */
	snprintf(script, sizeof(script), "accept open %lld\n", (long long)id);
	assert_int_equal(emu_site_run(&f->s, script, exec), 0);
	r = json_loads(emu_slurp(f->s.out), 0, &je);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_non_null(strstr(emu_slurp(f->s.out), "\"missing\":4"));
	json_decref(r);
	/* the plain text names the delivery to open */
	unit(f, u[0], sizeof(u[0]));
	snprintf(cmd, sizeof(cmd), "{\"cmd\":\"add_incoming\",\"id\":"
		 "\"in-doc-2\",\"body\":{\"document_num\":\"UPD-10\","
		 "\"document_date\":\"2026-11-20T09:00:00.000Z\","
		 "\"products\":[{\"uit_code\":\"%s\"}]}}", u[0]);
	assert_true(emu_ok(&emu, cmd));
	if (emu_site_run(&f->s, NULL, text) != 0)
		fail_msg("fetch: %s", emu_slurp(f->s.errf));
	snprintf(script, sizeof(script), "delivery %lld (document in-doc-2,",
		 (long long)id + 1);
	assert_non_null(strstr(emu_slurp(f->s.out), script));
	assert_non_null(strstr(emu_slurp(f->s.out), "1 codes expected"));
	snprintf(script, sizeof(script), "`accept open %lld`",
		 (long long)id + 1);
	assert_non_null(strstr(emu_slurp(f->s.out), script));
}

static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	const char *fetch[] = { "deliveries", "fetch", "--db", f->s.db,
				"--config", f->s.conf, "--user", "ivan", NULL,
				NULL };
	const char *const exec[] = { "exec", "--db", f->s.db, "--user", "ivan",
				     NULL };
	char u[64], cmd[1024];

	/* an id the server does not know */
	fetch[8] = "no-such-doc";
	assert_int_equal(emu_site_run(&f->s, NULL, fetch), 1);
	assert_non_null(strstr(emu_slurp(f->s.errf),
			       "the server has no document no-such-doc"));
	assert_string_equal(emu_slurp(f->s.out), "");
	/* a document with a code the mark parser refuses */
	unit(f, u, sizeof(u));
	snprintf(cmd, sizeof(cmd), "{\"cmd\":\"add_incoming\",\"id\":"
		 "\"bad-doc\",\"body\":{\"document_num\":\"UPD-11\","
		 "\"document_date\":\"2026-11-20T09:00:00.000Z\","
		 "\"products\":[{\"uit_code\":\"%s\"},"
		 "{\"uit_code\":\"not a code\"}]}}", u);
	assert_true(emu_ok(&emu, cmd));
	fetch[8] = "bad-doc";
	assert_int_equal(emu_site_run(&f->s, NULL, fetch), 1);
	assert_non_null(strstr(emu_slurp(f->s.errf),
			       "document bad-doc cannot be imported: "));
	assert_string_equal(emu_slurp(f->s.out), "");
	/* nothing was imported: there is no delivery 1 to open */
	assert_int_equal(emu_site_run(&f->s, "accept open 1\n", exec), 1);
	assert_non_null(strstr(emu_slurp(f->s.out), "\"ok\":false"));
	/* a usage error is not a refusal */
	fetch[8] = NULL;
	assert_int_equal(emu_site_run(&f->s, NULL, fetch), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_follows_pages,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_import_accept,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
						teardown),
	};

	/* Every exec in here logs in with the fixture's PIN. */
	setenv("SKLAD_PIN", "1234", 1);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
