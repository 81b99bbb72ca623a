/*
 * test_console_sync: the outbox runner inside the console (ui_sync)
 * against the HTTPS True API emulator: a box closed at the station goes
 * out and comes back confirmed while the console's loop keeps turning;
 * a second console on the same database leaves sending to the first (the
 * `sklad sync` lock); a bad configuration is refused at start.
 *
 * What it must not do: talk to anything but the emulator on loopback.
 */
#include "tests/api/emu.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "console/ui.h"
#include "console/ui_sync.h"

#define GS "\x1d"

static struct emu emu;

struct fixture {
	char dir[128], db[192], conf[192];
	struct st_db *st;
	struct st_actor op;
	struct ui ui;		/* no screen: ui_sync only reports into it */
};

static int
group_setup(void **state)
{
	static const char *const args[] = { "--process-delay", "0.1", NULL };

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
				.require_crypto = true, .gtin_policy = "any" };
	struct st_actor admin;
	struct err e;

	snprintf(site.inn, sizeof(site.inn), "%s", emu.inn);
	snprintf(f->dir, sizeof(f->dir), "%s/sklad-csync-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	snprintf(f->conf, sizeof(f->conf), "%s/sync.conf", f->dir);
	emu_write_conf(&emu, f->conf, NULL, NULL, f->dir, "",
		       "[sync]\npoll_initial_ms = 200\npoll_max_ms = 500\n"
		       "settle_ms = 800\n");
	assert_int_equal(st_open(f->db, true, &f->st, &e), 0);
	assert_int_equal(st_site_init(f->st, &site, "boss", "1234", &e), 0);
	assert_int_equal(st_login(f->st, "boss", "1234", "t", &admin, &e), 0);
	assert_int_equal(st_user_add(f->st, &admin, "ivan", ST_OPERATOR,
					     "1234", &e), 0);
	assert_int_equal(st_login(f->st, "ivan", "1234", "s1", &f->op, &e), 0);
	f->ui.db = f->st;
	*state = f;
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_close(&f->st);
	nftw(f->dir, emu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void
closed_box(struct fixture *f)
{
	int cd = mark_check_digit("0460043993125", 13);
	struct st_pack_opts o = { .capacity = 0, .require_crypto = -1 };
	struct st_pack box, p;
	char code[96];
	struct mark m;
	struct err e;

	assert_int_equal(st_pack_open(f->st, &f->op, ST_BOX, NULL, NULL, &o,
				      &box, &e), 0);
	snprintf(code, sizeof(code), "010460043993125%d21S00001ABCDEFG" GS
		 "93AbCd", cd);
	assert_int_equal(mark_parse(code, strlen(code), &m), 0);
	assert_int_equal(st_pack_scan(f->st, &f->op, box.sscc, &m, code,
				      strlen(code), &p, &e), 0);
	assert_int_equal(st_pack_close(f->st, &f->op, box.sscc, &p, &e), 0);
}

static int
state_of_first(void *arg, const struct st_doc *d)
{
	snprintf(arg, 12, "%s", d->state);
	return 1;
}

/* Turn the loop's sync part until the first document is confirmed. */
static bool
run_until_confirmed(struct fixture *f, struct ui_sync *s, int max_ms)
{
	int64_t end = emu_now_ms() + max_ms;
	char state[12] = "";
	struct err e;

	while (emu_now_ms() < end) {
		struct pollfd pfds[64];
		int n = ui_sync_pollfds(s, pfds, 64);
		int t = ui_sync_timeout(s, emu_now_ms());

		poll(pfds, (nfds_t)n, t < 0 || t > 50 ? 50 : t);
		ui_sync_dispatch(s, pfds, n, emu_now_ms());
		st_docs(f->st, state_of_first, state, &e);
		if (strcmp(state, "confirmed") == 0)
			return true;
	}
	return false;
}

static void
test_document_goes_out(void **state)
{
	struct fixture *f = *state;
	struct ui_sync *s = NULL, *second = NULL;
	struct ui other = { .db = f->st };
	struct err e;

	assert_int_equal(ui_sync_open(&s, f->conf, f->db, f->st, &f->ui, &e),
			 0);
	assert_non_null(s);
	/* a second console leaves it to the first */
	assert_int_equal(ui_sync_open(&second, f->conf, f->db, f->st, &other,
				      &e), 0);
	assert_null(second);
	assert_non_null(strstr(other.sync_status, "Another sklad sync"));
	closed_box(f);
	assert_true(run_until_confirmed(f, s, 15000));
	assert_int_equal(emu_ndocs(&emu), 1);
	assert_true(f->ui.sync_status[0] != '\0');
	ui_sync_close(&s);
	assert_null(s);
}

static void
test_bad_config(void **state)
{
	struct fixture *f = *state;
	struct ui_sync *s = NULL;
	char path[256];
	struct err e;

	snprintf(path, sizeof(path), "%s/none.conf", f->dir);
	assert_true(ui_sync_open(&s, path, f->db, f->st, &f->ui, &e) < 0);
	assert_null(s);
	assert_true(e.msg[0] != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_document_goes_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
