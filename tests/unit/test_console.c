/*
 * test_console: the console's screens without a terminal. The real ui on
 * an ncurses screen that writes to /dev/null (tig's way), on a real
 * SQLite file: keys and scans go in through ui_key / ui_scan /
 * ui_input_*, and the assertions read the virtual screen back. Runs
 * under ASan with the rest of the unit tests; tests/ui drives the same
 * screens end to end in tmux.
 *
 * What it must not do: touch a real terminal or anything outside its
 * temporary folder.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <curses.h>

#include "console/keys.h"
#include "console/ui.h"
#include "console/ui_input.h"

#define GS "\x1d"

struct fixture {
	char dir[64], path[96];
	struct st_db *db;
	struct ui ui;
	SCREEN *scr;
	FILE *out, *in;
};

static void
unit_code(int n, char *out, size_t size)
{
	int cd = mark_check_digit("0460043993125", 13);

	snprintf(out, size, "010460043993125%d21T%012d" GS "93AbCd", cd, n);
}

/* Does the virtual screen show text anywhere? */
static bool
shows(const char *text)
{
	char line[512];
	int y;

	for (y = 0; y < LINES; y++) {
		mvinnstr(y, 0, line, sizeof(line) - 1);
		if (strstr(line, text) != NULL)
			return true;
	}
	return false;
}

static void
assert_shows(struct fixture *f, const char *text)
{
	f->ui.dirty = true;
	ui_redraw(&f->ui);
	if (!shows(text))
		fail_msg("the screen does not show '%s'", text);
}

static void
keys(struct fixture *f, const char *s)
{
	for (; *s != '\0'; s++)
		ui_key(&f->ui, (unsigned char)*s);
}

static void
scan(struct fixture *f, const char *bytes)
{
	struct scan s;

	memset(&s, 0, sizeof(s));
	snprintf(s.device, sizeof(s.device), "test");
	s.len = strlen(bytes);
	memcpy(s.bytes, bytes, s.len);
	ui_scan(&f->ui, &s);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 0, .product_group = "milk",
				.box_capacity = 3, .require_crypto = true,
				.gtin_policy = "any" };
	struct ui_options o = { .color = false };
	struct st_actor admin;
	struct err e;

	snprintf(f->dir, sizeof(f->dir), "%s/sklad-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/c.db", f->dir);
	assert_int_equal(st_open(f->path, true, &f->db, &e), 0);
	assert_int_equal(st_site_init(f->db, &site, "admin", "1234", &e), 0);
	assert_int_equal(st_login(f->db, "admin", "1234", "t", &admin, &e), 0);
	assert_int_equal(st_user_add(f->db, &admin, "op", ST_OPERATOR, "1234",
				     &e), 0);
	f->out = fopen("/dev/null", "w");
	f->in = fopen("/dev/null", "r");
	f->scr = newterm("xterm", f->out, f->in);
	assert_non_null(f->scr);
	resizeterm(24, 80);
	ui_init(&f->ui, f->db, &o);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	ui_fini(&f->ui);
	endwin();
	delscreen(f->scr);
	fclose(f->out);
	fclose(f->in);
	st_close(&f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
login(struct fixture *f)
{
	keys(f, "op\r1234\r");
	assert_true(f->ui.wf.logged_in);
	assert_string_equal(f->ui.stack[0].ops->name, "menu");
}

static void
test_keys(void **state)
{
	(void)state;
	assert_int_equal(keys_request('q', KEYS_COMMAND), REQ_QUIT);
	assert_int_equal(keys_request('q', KEYS_TEXT), REQ_NONE);
	assert_int_equal(keys_request(KEY_F(10), KEYS_TEXT), REQ_EXIT);
	assert_int_equal(keys_request('\r', KEYS_TEXT), REQ_ENTER);
	assert_int_equal(keys_request(':', KEYS_TEXT), REQ_NONE);
	assert_int_equal(keys_request(KEY_F(7), KEYS_TEXT), REQ_PROMPT);
	assert_int_equal(keys_request('z', KEYS_COMMAND), REQ_NONE);
	assert_string_equal(keys_name(REQ_CLOSE), "close");
	assert_string_equal(keys_bound(REQ_CLOSE), "F4, c");
	assert_true(strlen(keys_help(REQ_CLOSE)) > 0);
}

static void
test_short_code_and_words(void **state)
{
	char out[64], word[64];

	(void)state;
	ui_short_code("0104600439931256215ABC" GS "93AbCd", 26, out,
		      sizeof(out), 40);
	assert_string_equal(out, "0104600439931256215ABC");
	ui_short_code("0123456789", 10, out, sizeof(out), 6);
	assert_string_equal(out, "...789");
	ui_short_code("", 0, out, sizeof(out), 6);
	assert_string_equal(out, "");
	assert_true(view_code_word("01" GS "93", 5, word, sizeof(word)));
	assert_string_equal(word, "01\\x1d93");
	assert_false(view_code_word("a b", 3, word, sizeof(word)));
	assert_false(view_code_word("", 0, word, sizeof(word)));
	assert_string_equal(view_word("in_stock"), "in stock");
	assert_string_equal(view_word("something new"), "something new");
}

static void
test_login_error_holds(void **state)
{
	struct fixture *f = *state;

	assert_shows(f, "log in");
	keys(f, "op\r9999\r");
	assert_true(f->ui.hold);
	assert_shows(f, "Wrong user name or PIN");
	keys(f, " ");		/* acknowledges, nothing else */
	assert_false(f->ui.hold);
	assert_false(f->ui.wf.logged_in);
	keys(f, "1234\r");
	assert_true(f->ui.wf.logged_in);
	assert_shows(f, "main menu");
}

static void
test_pack_and_hold(void **state)
{
	struct fixture *f = *state;
	char code[96];

	login(f);
	keys(f, "1n");
	assert_shows(f, "Box 046004390000000013");
	unit_code(1, code, sizeof(code));
	scan(f, code);
	assert_shows(f, "OK: 1 in 046004390000000013");
	scan(f, code);		/* twice: refused, held */
	assert_true(f->ui.hold);
	assert_shows(f, "Already in this pack");
	unit_code(2, code, sizeof(code));
	scan(f, code);		/* while held: not recorded */
	assert_int_equal(f->ui.held_scans, 1);
	assert_shows(f, "(1 scan not taken)");
	scan(f, "SKLAD:ACK");
	assert_false(f->ui.hold);
	assert_shows(f, "was not recorded");
	scan(f, code);
	assert_shows(f, "OK: 2 in");
	unit_code(3, code, sizeof(code));
	scan(f, code);		/* the third fills the box */
	assert_shows(f, "Box 046004390000000013 closed with 3");
	assert_shows(f, "No box is open");
	/* narrow screen: drawing stays inside it */
	resizeterm(16, 40);
	scan(f, "nonsense");
	assert_shows(f, "ERROR");
	keys(f, "\r");
	resizeterm(24, 80);
}

static void
test_prompt_and_help(void **state)
{
	struct fixture *f = *state;

	login(f);
	keys(f, ":set capacity 2\r");
	assert_shows(f, "Done: set capacity 2");
	assert_int_equal(f->ui.wf.next.capacity, 2);
	keys(f, ":bogus\r");
	assert_true(f->ui.hold);
	keys(f, "x");
	keys(f, "?");
	assert_string_equal(f->ui.stack[f->ui.depth - 1].ops->name, "help");
	assert_shows(f, "close the open pack");
	ui_key(&f->ui, 27);
	assert_string_equal(f->ui.stack[f->ui.depth - 1].ops->name, "menu");
	ui_key(&f->ui, KEY_F(10));
	assert_true(f->ui.quit);
}

/* The FIFO source and the wedge hand scans and keys on. */
static void
test_input_sources(void **state)
{
	struct fixture *f = *state;
	struct ui_input_config cfg = { .nfifos = 1 };
	struct pollfd pfds[UI_INPUT_POLLFDS_MAX];
	struct ui_input in;
	char fifo[128], code[96], line[128];
	struct err e;
	const char *p;
	int n, fd;

	snprintf(fifo, sizeof(fifo), "%s/scan.fifo", f->dir);
	cfg.fifos[0] = fifo;
	assert_int_equal(ui_input_open(&in, &cfg, &f->ui, &e), 0);
	assert_true(in.wedge_on);
	login(f);
	keys(f, "1n");
	unit_code(7, code, sizeof(code));
	snprintf(line, sizeof(line), "%s\r\n", code);
	fd = open(fifo, O_WRONLY);
	assert_true(write(fd, line, strlen(line)) > 0);
	close(fd);
	n = ui_input_pollfds(&in, pfds, UI_INPUT_POLLFDS_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(poll(pfds, (nfds_t)n, 1000), 1);
	ui_input_dispatch(&in, &f->ui, pfds, n, 1000);
	assert_shows(f, "OK: 1 in");
	/* the wedge: a burst at scanner speed ending in CR is a scan */
	unit_code(8, code, sizeof(code));
	for (p = code; *p != '\0'; p++)
		ui_input_tty(&in, &f->ui, (unsigned char)*p, 5000);
	ui_input_tty(&in, &f->ui, '\r', 5001);
	assert_shows(f, "OK: 2 in");
	/* a key on its own is a key: 'c' asks to close the box, 'y' (its
	 * own key too) says yes */
	ui_input_tty(&in, &f->ui, 'c', 9000);
	assert_true(ui_input_timeout(&in, 9000) > 0);
	ui_input_dispatch(&in, &f->ui, pfds, 0, 9100);
	assert_true(f->ui.confirm);
	ui_input_tty(&in, &f->ui, 'y', 9500);
	ui_input_dispatch(&in, &f->ui, pfds, 0, 9600);
	assert_shows(f, "closed with 2");
	/* a scan that stalls after 'n' opens nothing: it waits for its
	 * rest and is cut whole when that never comes */
	unit_code(9, code, sizeof(code));
	for (p = code; p < code + 20; p++)
		ui_input_tty(&in, &f->ui, (unsigned char)*p, 20000);
	ui_input_tty(&in, &f->ui, 'n', 20001);
	ui_input_dispatch(&in, &f->ui, pfds, 0, 22000);
	assert_int_equal(f->ui.wf.mode, WF_IDLE);
	assert_false(f->ui.hold);
	ui_input_dispatch(&in, &f->ui, pfds, 0, 23100);
	assert_int_equal(f->ui.wf.mode, WF_IDLE);
	assert_true(f->ui.hold);
	assert_shows(f, "A scan stopped in the middle");
	ui_input_close(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_short_code_and_words),
		cmocka_unit_test_setup_teardown(test_login_error_holds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack_and_hold, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prompt_and_help, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_input_sources, setup,
						teardown),
	};

	setenv("LANGUAGE", "C", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
