/*
 * test_accounts: what protects an account, on real SQLite files. PINs
 * required and long enough, lockout after wrong PINs and unlock, disabled
 * accounts, accounts from before PINs were required, user names, who may
 * manage whom, the audit of every refusal, and `sklad init` / `sklad exec`
 * taking PINs only from SKLAD_PIN or a 0600 file (through the binary).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "tests/site_fx.h"

static int
setup(void **state)
{
	struct site_fx *f = calloc(1, sizeof(*f));

	site_fx_open(f, "4711");
	*state = f;
	return 0;
}

/* The one integer sql selects, through a second connection. */
static int
sql_int(const struct site_fx *f, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void
sql_run(const struct site_fx *f, const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static int
login(struct site_fx *f, const char *name, const char *pin, struct err *e)
{
	struct st_actor who;

	return st_login(f->db, name, pin, "t", &who, e);
}

/* Five wrong PINs lock ivan (the default). */
static void
lock_ivan(struct site_fx *f)
{
	struct err e;
	int i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(login(f, "ivan", "0000", &e), ERR_DENIED);
		assert_string_equal(e.msg, "Wrong user name or PIN.");
	}
	assert_int_equal(login(f, "ivan", "0000", &e), ERR_DENIED);
	assert_non_null(strstr(e.msg, "locked until"));
}

static void
test_lockout_after_five(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	/* A success in between starts the count again. */
	assert_int_equal(login(f, "ivan", "0000", &e), ERR_DENIED);
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), 0);
	lock_ivan(f);
	/* Locked: even the right PIN is refused, and says why. */
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), ERR_DENIED);
	assert_non_null(strstr(e.msg, "locked until"));
	assert_non_null(strstr(e.msg, "supervisor"));
	/* The lockout and every refusal are in the audit. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 3 AND scan = 'ivan'"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 1 AND ok = 0 AND scan = 'ivan'"), 7);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 1 AND ok = 0 AND reason LIKE "
				 "'%locked until%'"), 1);
	/* Other accounts are not touched. */
	assert_int_equal(login(f, "olga", "4711", &e), 0);
}

static void
test_unlock_by_supervisor(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	lock_ivan(f);
	assert_int_equal(st_user_unlock(f->db, &f->op, "ivan", &e),
			 ERR_DENIED);
	assert_int_equal(st_user_unlock(f->db, &f->sup, "nobody", &e),
			 ERR_NOTFOUND);
	assert_int_equal(st_user_unlock(f->db, &f->sup, "ivan", &e), 0);
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 4 AND ok = 1"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 4 AND ok = 0"), 2);
}

/* The site chooses how many wrong PINs lock, and for how long. */
static void
test_lock_is_configurable_and_ends(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	sql_run(f, "INSERT OR REPLACE INTO site VALUES ('lock_after', '2');"
		"INSERT OR REPLACE INTO site VALUES ('lock_seconds', '1')");
	assert_int_equal(login(f, "ivan", "0000", &e), ERR_DENIED);
	assert_null(strstr(e.msg, "locked"));
	assert_int_equal(login(f, "ivan", "0000", &e), ERR_DENIED);
	assert_non_null(strstr(e.msg, "locked until"));
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), ERR_DENIED);
	usleep(1100 * 1000);
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), 0);
}

static void
test_disabled_user_refused(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	assert_int_equal(st_user_disable(f->db, &f->sup, "ivan", true, &e),
			 ERR_DENIED);
	assert_int_equal(st_user_disable(f->db, &f->admin, "boss", true, &e),
			 ERR_REFUSED);
	assert_int_equal(st_user_disable(f->db, &f->admin, "ivan", true, &e),
			 0);
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), ERR_DENIED);
	assert_non_null(strstr(e.msg, "disabled"));
	/* A wrong PIN says nothing about the account. */
	assert_int_equal(login(f, "ivan", "0000", &e), ERR_DENIED);
	assert_string_equal(e.msg, "Wrong user name or PIN.");
	assert_int_equal(st_user_disable(f->db, &f->admin, "ivan", false, &e),
			 0);
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action IN (6, 7) AND ok = 1"), 2);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 1 AND ok = 0 AND reason LIKE "
				 "'%disabled%'"), 1);
}

/* An account from before PINs were required passes no PIN at all: this
 * was "login admin 0000" from any operator session. */
static void
test_pinless_login_refused(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	sql_run(f, "INSERT INTO users(name, role, pin_hash, created_at) "
		"VALUES ('old', 'admin', NULL, '2026-01-01T00:00:00.000Z'),"
		" ('blank', 'admin', '', '2026-01-01T00:00:00.000Z')");
	assert_int_equal(login(f, "old", "0000", &e), ERR_DENIED);
	assert_int_equal(login(f, "old", NULL, &e), ERR_DENIED);
	assert_int_equal(login(f, "old", "", &e), ERR_DENIED);
	assert_int_equal(login(f, "blank", "1234", &e), ERR_DENIED);
	assert_string_equal(e.msg, "Wrong user name or PIN.");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 1 AND ok = 0 AND reason LIKE "
				 "'No PIN is set%'"), 4);
	/* An admin gives it one; then it logs in. */
	assert_int_equal(st_user_pin(f->db, &f->admin, "old", "98765", &e), 0);
	assert_int_equal(login(f, "old", "98765", &e), 0);
}

static void
test_short_pin_refused(void **state)
{
	struct site_fx *f = *state;
	static const char *const bad[] = {
		"", "1", "123", "12a4", "1234 ", "12345678901234567", NULL
	};
	struct err e;
	int i;

	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(st_user_add(f->db, &f->admin, "eve",
					     ST_OPERATOR, bad[i], &e),
				 ERR_INVALID);
		assert_int_equal(st_user_pin(f->db, &f->admin, "ivan", bad[i],
					     &e), ERR_INVALID);
	}
	assert_int_equal(st_user_add(f->db, &f->admin, "eve", ST_OPERATOR,
				     NULL, &e), ERR_INVALID);
	/* The site may ask for more digits, never fewer than 4. */
	sql_run(f, "UPDATE site SET value = '6' WHERE key = "
		"'pin_min_length'");
	assert_int_equal(st_user_add(f->db, &f->admin, "eve", ST_OPERATOR,
				     "12345", &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "6 to 16"));
	assert_int_equal(st_user_add(f->db, &f->admin, "eve", ST_OPERATOR,
				     "123456", &e), 0);
	sql_run(f, "UPDATE site SET value = '2' WHERE key = "
		"'pin_min_length'");
	assert_int_equal(st_user_pin(f->db, &f->admin, "eve", "123", &e),
			 ERR_INVALID);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM users WHERE name "
				 "= 'eve'"), 1);
	/* Every refused PIN is in the audit log, never the PIN itself. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 5 AND ok = 0"), 7);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 2 AND ok = 0"), 8);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "scan LIKE '%12345%' OR reason LIKE "
				 "'%12345%'"), 0);
}

static void
test_site_init_needs_admin_pin(void **state)
{
	struct site_fx *f = *state;
	struct st_site site = { .inn = "7700000000", .gcp = "4600439" };
	struct st_db *db = NULL;
	char path[128];
	struct err e;

	snprintf(path, sizeof(path), "%s/new.db", f->dir);
	assert_int_equal(st_open(path, true, &db, &e), 0);
	assert_int_equal(st_site_init(db, &site, "root", NULL, &e),
			 ERR_INVALID);
	assert_int_equal(st_site_init(db, &site, "root", "1", &e),
			 ERR_INVALID);
	site.pin_min_length = 3;
	assert_int_equal(st_site_init(db, &site, "root", "12345", &e),
			 ERR_INVALID);
	site.pin_min_length = 0;
	assert_int_equal(st_site_init(db, &site, "root", "2468", &e), 0);
	assert_int_equal(st_site_get(db, &site, &e), 0);
	assert_int_equal(site.pin_min_length, 4);
	assert_int_equal(site.lock_after, 5);
	assert_int_equal(site.lock_seconds, 300);
	st_close(&db);
}

static void
test_bad_names_refused(void **state)
{
	struct site_fx *f = *state;
	static const char *const bad[] = {
		"", "a b", "\x1b[31mred", "tab\there", "bell\a", "\xff\xfe",
		"\xc0\xaf", "cut\xd0", "\xed\xa0\x80", "rtl\xe2\x80\xae" "evil",
		"zw\xe2\x80\x8bj", "del\x7f", "c1\xc2\x9b",
		"123456789012345678901234567890123", NULL
	};
	static const char *const good[] = {
		"Иван", "o'brien", "ОльгаПетроваСергеевнаНиколаеваАБ",
		"12345678901234567890123456789012", NULL
	};
	struct err e;
	int i;

	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(st_user_name_check(bad[i], &e), ERR_INVALID);
		assert_int_equal(st_user_add(f->db, &f->admin, bad[i],
					     ST_OPERATOR, "1234", &e),
				 ERR_INVALID);
	}
	for (i = 0; good[i] != NULL; i++)
		assert_int_equal(st_user_add(f->db, &f->admin, good[i],
					     ST_OPERATOR, "1234", &e), 0);
	assert_int_equal(login(f, "Иван", "1234", &e), 0);
	/* A bad name at login is refused like an unknown one, and the
	 * audit does not keep the escape sequence. */
	assert_int_equal(login(f, "\x1b[2J", "1234", &e), ERR_DENIED);
	assert_string_equal(e.msg, "Wrong user name or PIN.");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "instr(scan, char(27)) > 0"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "reason = 'Not a valid user name.'"), 1);
	/* Refused additions are audited, without the bad names. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 2 AND ok = 0 AND scan IS NULL"),
			 14);
}

static void
test_who_sets_pins(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	/* Anyone their own; a supervisor an operator's; only an admin a
	 * supervisor's or an admin's. */
	assert_int_equal(st_user_pin(f->db, &f->op, "ivan", "5555", &e), 0);
	assert_int_equal(st_user_pin(f->db, &f->op, "olga", "5555", &e),
			 ERR_DENIED);
	assert_int_equal(st_user_pin(f->db, &f->sup, "boss", "5555", &e),
			 ERR_DENIED);
	assert_int_equal(st_user_pin(f->db, &f->sup, "ivan", "6666", &e), 0);
	assert_int_equal(st_user_pin(f->db, &f->admin, "olga", "7777", &e),
			 0);
	assert_int_equal(st_user_pin(f->db, &f->admin, "nobody", "7777", &e),
			 ERR_NOTFOUND);
	assert_int_equal(login(f, "ivan", "5555", &e), ERR_DENIED);
	assert_int_equal(login(f, "ivan", "6666", &e), 0);
	assert_int_equal(login(f, "olga", "7777", &e), 0);
	/* Only an admin adds users. */
	assert_int_equal(st_user_add(f->db, &f->sup, "eve", ST_ADMIN, "1234",
				     &e), ERR_DENIED);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE "
				 "action = 5 AND ok = 0"), 3);
	/* A reset lifts a lock. */
	lock_ivan(f);
	assert_int_equal(st_user_pin(f->db, &f->admin, "ivan", "8888", &e), 0);
	assert_int_equal(login(f, "ivan", "8888", &e), 0);
}

struct seen {
	int n;
	int locked;
	int disabled;
};

static int
count_user(void *arg, const struct st_user_info *u)
{
	struct seen *s = arg;

	s->n++;
	s->locked += u->locked_until[0] != '\0';
	s->disabled += u->disabled;
	assert_true(u->has_pin);
	return 0;
}

static void
test_user_list(void **state)
{
	struct site_fx *f = *state;
	struct seen s = { 0, 0, 0 };
	struct err e;

	assert_int_equal(st_user_list(f->db, &f->op, count_user, &s, &e),
			 ERR_DENIED);
	lock_ivan(f);
	assert_int_equal(st_user_disable(f->db, &f->admin, "olga", true, &e),
			 0);
	assert_int_equal(st_user_list(f->db, &f->sup, count_user, &s, &e), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.locked, 1);
	assert_int_equal(s.disabled, 1);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* An unknown name costs a yescrypt like a wrong PIN: timing does not
 * tell which names exist, and guessing stays slow. */
static void
test_unknown_user_costs_the_same(void **state)
{
	struct site_fx *f = *state;
	struct timespec t0;
	double known, unknown;
	struct err e;

	assert_int_equal(login(f, "nobody", "0000", &e), ERR_DENIED);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(login(f, "olga", "0000", &e), ERR_DENIED);
	known = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(login(f, "nobody", "0000", &e), ERR_DENIED);
	unknown = ms_since(&t0);
	assert_true(unknown > known * 0.4);
}

/* --- through the binary -------------------------------------------------- */

/* Run sh -c cmd in f->dir; its exit status. */
static int
sh(const struct site_fx *f, const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && B='%s' && %s", f->dir,
		 getenv("SKLAD_BIN"), cmd);
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_exec_pin_sources(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	st_close(&f->db);
	unsetenv("SKLAD_PIN");
	/* SKLAD_PIN: right and wrong. */
	assert_int_equal(sh(f, "echo docs | SKLAD_PIN=1234 $B exec --db t.db "
			    "--user ivan >out 2>err && grep -q '\"ok\":true' "
			    "out"), 0);
	assert_int_equal(sh(f, "echo docs | SKLAD_PIN=9999 $B exec --db t.db "
			    "--user ivan >out 2>err"), 1);
	assert_int_equal(sh(f, "grep -q 'Wrong user name or PIN' err && "
			    "! test -s out"), 0);
	/* No PIN at all: refused, and it says how to give one. */
	assert_int_equal(sh(f, "echo docs | $B exec --db t.db --user ivan "
			    ">out 2>err"), 1);
	assert_int_equal(sh(f, "grep -q SKLAD_PIN err"), 0);
	/* A PIN file: 0600 works, wider modes and links are refused. */
	assert_int_equal(sh(f, "printf '4711\\n' >pin && chmod 600 pin && "
			    "echo docs | $B exec --db t.db --user olga "
			    "--pin-file pin >out 2>err && grep -q "
			    "'\"ok\":true' out"), 0);
	assert_int_equal(sh(f, "chmod 640 pin && echo docs | $B exec --db "
			    "t.db --user olga --pin-file pin >out 2>err"), 1);
	assert_int_equal(sh(f, "grep -q 'chmod 600' err && ! test -s out"),
			 0);
	assert_int_equal(sh(f, "chmod 600 pin && ln -s pin lnk && echo docs |"
			    " $B exec --db t.db --user olga --pin-file lnk "
			    ">out 2>err"), 1);
	/* The file wins over the environment. */
	assert_int_equal(sh(f, "echo docs | SKLAD_PIN=0000 $B exec --db t.db"
			    " --user olga --pin-file pin >out 2>err"), 0);
	/* A script line's `login` and `user pin` work as in the console. */
	assert_int_equal(sh(f, "printf 'user pin ivan 2468\\nuser list\\n"
			    "user unlock ivan\\n' | SKLAD_PIN=4711 $B exec "
			    "--db t.db --user olga >out 2>err && grep -c "
			    "'\"ok\":true' out | grep -qx 3"), 0);
	assert_int_equal(sh(f, "echo docs | SKLAD_PIN=2468 $B exec --db t.db "
			    "--user ivan >out 2>err"), 0);
	/* Reopen for teardown. */
	assert_int_equal(st_open(f->path, false, &f->db, &e), 0);
}

static void
test_init_pin_sources(void **state)
{
	struct site_fx *f = *state;

	unsetenv("SKLAD_PIN");
	/* No PIN (stdin is no terminal): refused, and no file is left. */
	assert_int_equal(sh(f, "$B init --db a.db --inn 7700000001 --gcp "
			    "4600439 </dev/null >out 2>err"), 1);
	assert_int_equal(sh(f, "! test -e a.db && grep -q SKLAD_PIN err"), 0);
	assert_int_equal(sh(f, "SKLAD_PIN=12 $B init --db a.db --inn "
			    "7700000001 --gcp 4600439 >out 2>err"), 1);
	assert_int_equal(sh(f, "! test -e a.db"), 0);
	assert_int_equal(sh(f, "printf 13579 >p && chmod 600 p && $B init "
			    "--db a.db --inn 7700000001 --gcp 4600439 "
			    "--pin-file p --pin-min-length 5 --lock-after 3 "
			    ">out 2>err"), 0);
	assert_int_equal(sh(f, "echo docs | $B exec --db a.db --user admin "
			    "--pin-file p >out 2>err"), 0);
	assert_int_equal(sh(f, "printf 'user add ivan operator 1234\\n' | "
			    "$B exec --db a.db --user admin --pin-file p "
			    ">out 2>err; grep -q '5 to 16' out"), 0);
}

/* Every test program takes the whole fixture header. */
static void __attribute__((unused))
unused_helpers(void)
{
	(void)site_fx_parsed;
}

/* An upgraded site's admin, made without a PIN, gets one from whoever
 * may write the database file; an account with a PIN cannot be taken
 * over that way. */
static void
test_set_pin_for_pinless_account(void **state)
{
	struct site_fx *f = *state;
	struct err e;

	sql_run(f, "INSERT INTO users(name, role, pin_hash, created_at) "
		"VALUES ('old', 'admin', NULL, '2026-01-01T00:00:00.000Z')");
	st_close(&f->db);
	unsetenv("SKLAD_PIN");
	assert_int_equal(sh(f, "SKLAD_PIN=2468 $B set-pin --db t.db --user "
			    "old >out 2>err"), 0);
	assert_int_equal(sh(f, "echo 'user list' | SKLAD_PIN=2468 $B exec "
			    "--db t.db --user old >out 2>err && grep -q "
			    "'\"ok\":true' out"), 0);
	assert_int_equal(sh(f, "SKLAD_PIN=2468 $B set-pin --db t.db --user "
			    "ivan >out 2>err"), 1);
	assert_int_equal(sh(f, "grep -q 'has a PIN' err"), 0);
	assert_int_equal(sh(f, "SKLAD_PIN=2468 $B set-pin --db t.db --user "
			    "nobody >out 2>err"), 1);
	assert_int_equal(st_open(f->path, false, &f->db, &e), 0);
	assert_int_equal(login(f, "ivan", SITE_FX_PIN, &e), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lockout_after_five, setup,
						site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_unlock_by_supervisor,
						setup, site_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_lock_is_configurable_and_ends, setup,
			site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_disabled_user_refused,
						setup, site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_pinless_login_refused,
						setup, site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_short_pin_refused, setup,
						site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_site_init_needs_admin_pin,
						setup, site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_names_refused, setup,
						site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_who_sets_pins, setup,
						site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_user_list, setup,
						site_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_unknown_user_costs_the_same, setup,
			site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_exec_pin_sources, setup,
						site_fx_teardown),
		cmocka_unit_test_setup_teardown(test_init_pin_sources, setup,
						site_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_set_pin_for_pinless_account, setup,
			site_fx_teardown),
	};

	setenv("LC_ALL", "C", 1);
	unsetenv("LANGUAGE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
