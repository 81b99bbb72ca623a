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

#include "store/store.h"

#define GS "\x1d"

static struct emu emu;

struct fixture {
	char dir[128];
	char db[192];
	char conf[192];
	char in[192];		/* next run's stdin */
	char out[192];		/* last run's stdout */
	char errf[192];		/* last run's stderr */
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
	struct st_site site = { .gcp = "4600439", .extension = 1,
				.product_group = "furs",
				.require_crypto = false, .gtin_policy = "any" };
	struct st_actor admin;
	struct st_db *db = NULL;
	struct err e;

	assert_non_null(f);
	snprintf(site.inn, sizeof(site.inn), "%s", emu.inn);
	snprintf(f->dir, sizeof(f->dir), "%s/sklad-incoming-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	snprintf(f->conf, sizeof(f->conf), "%s/sync.conf", f->dir);
	snprintf(f->in, sizeof(f->in), "%s/in.txt", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out.txt", f->dir);
	snprintf(f->errf, sizeof(f->errf), "%s/err.txt", f->dir);
	emu_write_conf(&emu, f->conf, NULL, NULL, f->dir, "max_attempts = 2\n",
		       "");
	assert_int_equal(st_open(f->db, true, &db, &e), 0);
	assert_int_equal(st_site_init(db, &site, "boss", "1234", &e), 0);
	assert_int_equal(st_login(db, "boss", "1234", "t1", &admin, &e), 0);
	assert_int_equal(st_user_add(db, &admin, "ivan", ST_OPERATOR,
				     "1234", &e), 0);
	st_close(&db);
	f->serial = 1;
	*state = f;
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, emu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Run sklad with args (NULL-terminated) and stdin (or none); exit code,
 * -1 if it did not exit. */
static int
run(struct fixture *f, const char *input, const char *const *args)
{
	const char *bin = getenv("SKLAD_BIN");
	FILE *fp = fopen(f->in, "w");
	pid_t pid;
	int st;

	assert_non_null(bin);
	assert_non_null(fp);
	fputs(input ? input : "", fp);
	fclose(fp);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[32];
		int k = 0, fd;

		argv[k++] = bin;
		while (*args && k < 30)
			argv[k++] = *args++;
		argv[k] = NULL;
		fd = open(f->in, O_RDONLY);
		dup2(fd, 0);
		fd = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(f->errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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
	const char *const json[] = { "deliveries", "--db", f->db, "--config",
				     f->conf, "--json", NULL };
	const char *const text[] = { "deliveries", "--db", f->db, "--config",
				     f->conf, NULL };
	json_error_t je;
	json_t *arr;
	char want[64];

	assert_true(emu_ok(&emu, "{\"cmd\":\"add_incoming\",\"count\":1005,"
			   "\"body\":{\"products\":[]}}"));
	assert_int_equal(run(f, NULL, json), 0);
	arr = json_loads(emu_slurp(f->out), 0, &je);
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
	assert_int_equal(run(f, NULL, text), 0);
	snprintf(want, sizeof(want), "1005 incoming documents for INN %s",
		 emu.inn);
	assert_non_null(strstr(emu_slurp(f->out), want));
	assert_null(strstr(emu_slurp(f->errf), "Bearer"));
}

static void
test_fetch_import_accept(void **state)
{
	struct fixture *f = *state;
	const char *const fetch[] = { "deliveries", "fetch", "--db", f->db,
				      "--config", f->conf, "--user", "ivan",
				      "--json", "in-doc-1", NULL };
	const char *const text[] = { "deliveries", "fetch", "--db", f->db,
				     "--config", f->conf, "--user", "ivan",
				     "in-doc-2", NULL };
	const char *const exec[] = { "exec", "--db", f->db, "--user", "ivan",
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
	if (run(f, NULL, fetch) != 0)
		fail_msg("fetch: %s", emu_slurp(f->errf));
	r = json_loads(emu_slurp(f->out), 0, &je);
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
	assert_int_equal(run(f, script, exec), 0);
	r = json_loads(emu_slurp(f->out), 0, &je);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_non_null(strstr(emu_slurp(f->out), "\"missing\":4"));
	json_decref(r);
	/* the plain text names the delivery to open */
	unit(f, u[0], sizeof(u[0]));
	snprintf(cmd, sizeof(cmd), "{\"cmd\":\"add_incoming\",\"id\":"
		 "\"in-doc-2\",\"body\":{\"document_num\":\"UPD-10\","
		 "\"document_date\":\"2026-11-20T09:00:00.000Z\","
		 "\"products\":[{\"uit_code\":\"%s\"}]}}", u[0]);
	assert_true(emu_ok(&emu, cmd));
	if (run(f, NULL, text) != 0)
		fail_msg("fetch: %s", emu_slurp(f->errf));
	snprintf(script, sizeof(script), "delivery %lld (document in-doc-2,",
		 (long long)id + 1);
	assert_non_null(strstr(emu_slurp(f->out), script));
	assert_non_null(strstr(emu_slurp(f->out), "1 codes expected"));
	snprintf(script, sizeof(script), "`accept open %lld`",
		 (long long)id + 1);
	assert_non_null(strstr(emu_slurp(f->out), script));
}

static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	const char *fetch[] = { "deliveries", "fetch", "--db", f->db,
				"--config", f->conf, "--user", "ivan", NULL,
				NULL };
	const char *const exec[] = { "exec", "--db", f->db, "--user", "ivan",
				     NULL };
	char u[64], cmd[1024];

	/* an id the server does not know */
	fetch[8] = "no-such-doc";
	assert_int_equal(run(f, NULL, fetch), 1);
	assert_non_null(strstr(emu_slurp(f->errf),
			       "the server has no document no-such-doc"));
	assert_string_equal(emu_slurp(f->out), "");
	/* a document with a code the mark parser refuses */
	unit(f, u, sizeof(u));
	snprintf(cmd, sizeof(cmd), "{\"cmd\":\"add_incoming\",\"id\":"
		 "\"bad-doc\",\"body\":{\"document_num\":\"UPD-11\","
		 "\"document_date\":\"2026-11-20T09:00:00.000Z\","
		 "\"products\":[{\"uit_code\":\"%s\"},"
		 "{\"uit_code\":\"not a code\"}]}}", u);
	assert_true(emu_ok(&emu, cmd));
	fetch[8] = "bad-doc";
	assert_int_equal(run(f, NULL, fetch), 1);
	assert_non_null(strstr(emu_slurp(f->errf),
			       "document bad-doc cannot be imported: "));
	assert_string_equal(emu_slurp(f->out), "");
	/* nothing was imported: there is no delivery 1 to open */
	assert_int_equal(run(f, "accept open 1\n", exec), 1);
	assert_non_null(strstr(emu_slurp(f->out), "\"ok\":false"));
	/* a usage error is not a refusal */
	fetch[8] = NULL;
	assert_int_equal(run(f, NULL, fetch), 2);
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
