/*
 * test_keymap: the scanner decoder from synthetic event arrays.
 *
 * Fixtures are written with key names (KEY_A, KEY_LEFTSHIFT) or expanded
 * from text by tests/vm/typing.h, an oracle written independently of
 * keymap.c's tables. No devices, no clock: time is an argument.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scanners/keymap.h"
#include "scanners/mark.h"
#include "tests/vm/codes.h"
#include "tests/vm/typing.h"

#define MAXEV 8192

struct run {
	int scans;		/* KEYMAP_SCAN results */
	int fragments;		/* KEYMAP_FRAGMENT results */
	struct scan last;	/* the last of either */
};

/* Feed n events, one ms apart (step ms after each TYPING_PAUSE). */
static void
feed(struct keymap *km, const struct typing_ev *ev, int n, int64_t *t,
     int step, struct run *r)
{
	struct scan s;
	int i, rc;

	for (i = 0; i < n; i++) {
		if (ev[i].type == TYPING_PAUSE) {
			*t += step;
			continue;
		}
		rc = keymap_feed(km, ev[i].type, ev[i].code, ev[i].value, *t,
				 &s);
		if (rc == KEYMAP_SCAN)
			r->scans++;
		if (rc == KEYMAP_FRAGMENT)
			r->fragments++;
		if (rc != KEYMAP_NONE)
			r->last = s;
	}
}

/* Type text (GS as 0x1D typed the gs way) + Enter; return the run. */
static struct run
type_text(struct keymap *km, const char *text, size_t len,
	  enum typing_gs gs, int step)
{
	static struct typing_ev ev[MAXEV];
	struct run r = { 0 };
	int64_t t = 1000;
	int n = typing_expand(text, len, gs, ev, MAXEV);

	assert_true(n > 0);
	feed(km, ev, n, &t, step, &r);
	return r;
}

static void
init_cfg(struct keymap *km, const struct keymap_config *cfg)
{
	struct err e;

	assert_int_equal(keymap_init(km, cfg, &e), 0);
}

static void
init_default(struct keymap *km)
{
	struct keymap_config cfg;

	keymap_defaults(&cfg);
	init_cfg(km, &cfg);
}

static void
assert_scan(const struct run *r, const char *want, size_t len)
{
	assert_int_equal(r->scans, 1);
	assert_int_equal(r->fragments, 0);
	assert_int_equal(r->last.len, len);
	assert_memory_equal(r->last.bytes, want, len);
	assert_int_equal(r->last.bytes[len], '\0');
}

static void
test_config_refused(void **state)
{
	struct keymap_config cfg;
	struct keymap km;
	struct err e;

	(void)state;
	keymap_defaults(&cfg);
	strcpy(cfg.layout, "xx");
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "layout"));
	keymap_defaults(&cfg);
	cfg.gs_char = 'A';	/* inside CSET 82: would eat real data */
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	cfg.gs_char = '/';
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	cfg.gs_char = '\r';
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	cfg.gs_char = '~';
	assert_int_equal(keymap_init(&km, &cfg, &e), 0);
	keymap_defaults(&cfg);
	cfg.gs_key = KEY_A;
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	cfg.gs_key = KEY_LEFTSHIFT;
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	cfg.gs_key = KEY_F8;
	assert_int_equal(keymap_init(&km, &cfg, &e), 0);
	keymap_defaults(&cfg);
	cfg.max_len = 0;
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	cfg.max_len = SCAN_MAX + 1;
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
	keymap_defaults(&cfg);
	cfg.terminators |= KEYMAP_TERM_TIMEOUT;
	cfg.timeout_ms = 0;
	assert_int_equal(keymap_init(&km, &cfg, &e), ERR_INVALID);
}

/* Empty input, Enter alone, releases alone: nothing comes out. */
static void
test_nothing(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_ENTER, 1 }, { EV_KEY, KEY_ENTER, 0 },
		{ EV_KEY, KEY_A, 0 }, { EV_SYN, SYN_REPORT, 0 },
		{ EV_MSC, MSC_SCAN, 0x70004 }, { EV_KEY, KEY_KPENTER, 1 },
	};
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_int_equal(r.scans + r.fragments, 0);
	assert_false(keymap_pending(&km));
	assert_int_equal(keymap_deadline(&km), -1);
}

static void
test_shift_and_symbols(void **state)
{
	static const char all[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ";
	struct keymap km;
	struct run r;

	(void)state;
	init_default(&km);
	r = type_text(&km, all, strlen(all), TYPING_GS_CTRL, 1);
	assert_scan(&r, all, strlen(all));
}

/* The right Shift counts too; releasing one Shift of two keeps Shift. */
static void
test_both_shifts(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_LEFTSHIFT, 1 }, { EV_KEY, KEY_RIGHTSHIFT, 1 },
		{ EV_KEY, KEY_LEFTSHIFT, 0 }, { EV_KEY, KEY_A, 1 },
		{ EV_KEY, KEY_A, 0 }, { EV_KEY, KEY_RIGHTSHIFT, 0 },
		{ EV_KEY, KEY_A, 1 }, { EV_KEY, KEY_ENTER, 1 },
	};
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_scan(&r, "Aa", 2);
}

static void
test_capslock(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_CAPSLOCK, 1 }, { EV_KEY, KEY_CAPSLOCK, 0 },
		{ EV_KEY, KEY_A, 1 }, { EV_KEY, KEY_1, 1 },
		{ EV_KEY, KEY_LEFTSHIFT, 1 }, { EV_KEY, KEY_B, 1 },
		{ EV_KEY, KEY_1, 1 }, { EV_KEY, KEY_LEFTSHIFT, 0 },
		{ EV_KEY, KEY_CAPSLOCK, 1 }, { EV_KEY, KEY_C, 1 },
		{ EV_KEY, KEY_ENTER, 1 },
		/* the host's LED says CapsLock is on */
		{ EV_LED, LED_CAPSL, 1 }, { EV_KEY, KEY_D, 1 },
		{ EV_KEY, KEY_ENTER, 1 },
	};
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);
	feed(&km, ev, 11, &t, 1, &r);
	assert_scan(&r, "A1b!c", 5);
	r.scans = 0;
	feed(&km, ev + 11, 3, &t, 1, &r);
	assert_scan(&r, "D", 1);
}

static void
test_keypad(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_KP0, 1 }, { EV_KEY, KEY_KP1, 1 },
		{ EV_KEY, KEY_KP2, 1 }, { EV_KEY, KEY_KP3, 1 },
		{ EV_KEY, KEY_KP4, 1 }, { EV_KEY, KEY_KP5, 1 },
		{ EV_KEY, KEY_KP6, 1 }, { EV_KEY, KEY_KP7, 1 },
		{ EV_KEY, KEY_KP8, 1 }, { EV_KEY, KEY_KP9, 1 },
		{ EV_KEY, KEY_KPDOT, 1 }, { EV_KEY, KEY_KPSLASH, 1 },
		{ EV_KEY, KEY_KPASTERISK, 1 }, { EV_KEY, KEY_KPMINUS, 1 },
		{ EV_KEY, KEY_LEFTSHIFT, 1 }, { EV_KEY, KEY_KPPLUS, 1 },
		{ EV_KEY, KEY_LEFTSHIFT, 0 }, { EV_KEY, KEY_KPENTER, 1 },
	};
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_scan(&r, "0123456789./*-+", 15);
}

static void
test_ctrl_bracket_is_gs(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_1, 1 }, { EV_KEY, KEY_RIGHTCTRL, 1 },
		{ EV_KEY, KEY_RIGHTBRACE, 1 }, { EV_KEY, KEY_RIGHTBRACE, 0 },
		{ EV_KEY, KEY_RIGHTCTRL, 0 }, { EV_KEY, KEY_2, 1 },
		/* Ctrl with a digit types nothing */
		{ EV_KEY, KEY_LEFTCTRL, 1 }, { EV_KEY, KEY_3, 1 },
		{ EV_KEY, KEY_LEFTCTRL, 0 }, { EV_KEY, KEY_ENTER, 1 },
	};
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_scan(&r, "1\x1d" "2", 3);
}

static void
test_alt_numpad(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_LEFTALT, 1 }, { EV_KEY, KEY_KP0, 1 },
		{ EV_KEY, KEY_KP0, 0 }, { EV_KEY, KEY_KP2, 1 },
		{ EV_KEY, KEY_KP9, 1 }, { EV_KEY, KEY_LEFTALT, 0 },
		{ EV_KEY, KEY_RIGHTALT, 1 }, { EV_KEY, KEY_KP6, 1 },
		{ EV_KEY, KEY_KP5, 1 }, { EV_KEY, KEY_RIGHTALT, 0 },
		/* Alt+letter and a lone Alt type nothing */
		{ EV_KEY, KEY_LEFTALT, 1 }, { EV_KEY, KEY_B, 1 },
		{ EV_KEY, KEY_LEFTALT, 0 }, { EV_KEY, KEY_LEFTALT, 1 },
		{ EV_KEY, KEY_LEFTALT, 0 },
		/* Alt+2+9 without the leading 0, and Alt+285 wraps to 29 */
		{ EV_KEY, KEY_LEFTALT, 1 }, { EV_KEY, KEY_KP2, 1 },
		{ EV_KEY, KEY_KP9, 1 }, { EV_KEY, KEY_LEFTALT, 0 },
		{ EV_KEY, KEY_LEFTALT, 1 }, { EV_KEY, KEY_KP2, 1 },
		{ EV_KEY, KEY_KP8, 1 }, { EV_KEY, KEY_KP5, 1 },
		{ EV_KEY, KEY_LEFTALT, 0 }, { EV_KEY, KEY_ENTER, 1 },
	};
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_scan(&r, "\x1d" "A\x1d\x1d", 4);
}

static void
test_gs_key_and_char(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_1, 1 }, { EV_KEY, KEY_F8, 1 },
		{ EV_KEY, KEY_F8, 0 }, { EV_KEY, KEY_2, 1 },
		{ EV_KEY, KEY_LEFTSHIFT, 1 }, { EV_KEY, KEY_GRAVE, 1 },
		{ EV_KEY, KEY_LEFTSHIFT, 0 }, { EV_KEY, KEY_3, 1 },
		{ EV_KEY, KEY_ENTER, 1 },
	};
	struct keymap_config cfg;
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	keymap_defaults(&cfg);
	cfg.gs_key = KEY_F8;
	cfg.gs_char = '~';
	init_cfg(&km, &cfg);
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_scan(&r, "1\x1d" "2\x1d" "3", 5);
	/* without the settings, F8 types nothing and ~ stays ~ */
	init_default(&km);
	r.scans = 0;
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_scan(&r, "12~3", 4);
}

/* Every layout of codes.md, every GS form, at 1 and 20 ms per key. */
static void
test_every_code_every_gs(void **state)
{
	static const enum typing_gs forms[] = {
		TYPING_GS_CTRL, TYPING_GS_ALT, TYPING_GS_F8, TYPING_GS_TILDE,
	};
	struct keymap_config cfg;
	struct keymap km;
	struct mark m;
	struct run r;
	size_t i, f;
	int step;

	(void)state;
	keymap_defaults(&cfg);
	cfg.gs_key = KEY_F8;
	cfg.gs_char = '~';
	for (i = 0; i < CODES_N; i++) {
		const char *code = codes_all[i].code;

		assert_int_equal(mark_parse(code, strlen(code), &m), 0);
		assert_string_equal(mark_layout_name(m.layout),
				    codes_all[i].layout);
		for (f = 0; f < 4; f++) {
			for (step = 1; step <= 20; step += 19) {
				init_cfg(&km, &cfg);
				r = type_text(&km, code, strlen(code), forms[f],
					      step);
				assert_scan(&r, code, strlen(code));
				assert_int_equal(r.last.flags, 0);
			}
		}
	}
}

static void
test_autorepeat_ignored(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_A, 1 }, { EV_KEY, KEY_A, 2 },
		{ EV_KEY, KEY_A, 2 }, { EV_KEY, KEY_A, 0 },
		{ EV_KEY, KEY_ENTER, 1 }, { EV_KEY, KEY_ENTER, 2 },
		{ EV_KEY, KEY_ENTER, 0 },
	};
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);
	feed(&km, ev, sizeof(ev) / sizeof(ev[0]), &t, 1, &r);
	assert_scan(&r, "a", 1);
}

static void
test_terminators(void **state)
{
	static const struct typing_ev ev[] = {
		{ EV_KEY, KEY_A, 1 }, { EV_KEY, KEY_TAB, 1 },
		{ EV_KEY, KEY_B, 1 }, { EV_KEY, KEY_ENTER, 1 },
	};
	struct keymap_config cfg;
	struct keymap km;
	struct run r = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&km);	/* Tab is no terminator and types nothing */
	feed(&km, ev, 4, &t, 1, &r);
	assert_scan(&r, "ab", 2);
	keymap_defaults(&cfg);
	cfg.terminators = KEYMAP_TERM_TAB;
	init_cfg(&km, &cfg);
	memset(&r, 0, sizeof(r));
	feed(&km, ev, 2, &t, 1, &r);
	assert_scan(&r, "a", 1);
	memset(&r, 0, sizeof(r));
	feed(&km, ev + 2, 2, &t, 1, &r);	/* Enter is off now */
	assert_int_equal(r.scans, 0);
	assert_true(keymap_pending(&km));
}

static void
test_prefix_suffix(void **state)
{
	struct keymap_config cfg;
	struct keymap km;
	struct run r;

	(void)state;
	keymap_defaults(&cfg);
	strcpy(cfg.prefix, "]d2");
	strcpy(cfg.suffix, "##");
	init_cfg(&km, &cfg);
	r = type_text(&km, "]d2abc##", 8, TYPING_GS_CTRL, 1);
	assert_scan(&r, "abc", 3);
	r = type_text(&km, "abc#", 4, TYPING_GS_CTRL, 1);
	assert_scan(&r, "abc#", 4);	/* absent affixes stay */
}

static void
test_timeout(void **state)
{
	static const struct typing_ev ab[] = {
		{ EV_KEY, KEY_A, 1 }, { EV_KEY, KEY_A, 0 },
		{ EV_KEY, KEY_B, 1 }, { EV_KEY, KEY_B, 0 },
	};
	struct keymap_config cfg;
	struct keymap km;
	struct scan s;
	struct run r = { 0 };
	int64_t t = 100;

	(void)state;
	keymap_defaults(&cfg);
	cfg.timeout_ms = 50;
	init_cfg(&km, &cfg);
	feed(&km, ab, 4, &t, 10, &r);	/* presses at 100 and 100 */
	assert_int_equal(keymap_deadline(&km), 150);
	assert_int_equal(keymap_tick(&km, 149, &s), KEYMAP_NONE);
	assert_int_equal(keymap_tick(&km, 150, &s), KEYMAP_FRAGMENT);
	assert_int_equal(s.len, 2);
	assert_true(s.flags & SCAN_BY_TIMEOUT);
	assert_false(keymap_pending(&km));
	assert_int_equal(keymap_tick(&km, 1000, &s), KEYMAP_NONE);

	/* with the timeout as terminator, the same is a scan */
	cfg.terminators |= KEYMAP_TERM_TIMEOUT;
	init_cfg(&km, &cfg);
	feed(&km, ab, 4, &t, 10, &r);
	assert_int_equal(keymap_tick(&km, t + 50, &s), KEYMAP_SCAN);
	assert_memory_equal(s.bytes, "ab", 2);

	/* a late key finishes the old code and starts a new one */
	feed(&km, ab, 2, &t, 10, &r);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_B, 1, t + 60, &s),
			 KEYMAP_SCAN);
	assert_int_equal(s.len, 1);
	assert_int_equal(s.bytes[0], 'a');
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, t + 61, &s),
			 KEYMAP_SCAN);
	assert_int_equal(s.len, 1);
	assert_int_equal(s.bytes[0], 'b');
	assert_int_equal(s.first_ms, t + 60);
	assert_int_equal(s.last_ms, t + 61);

	/* a code typed only by Alt+numpad still ends with times in order */
	init_cfg(&km, &cfg);
	keymap_feed(&km, EV_KEY, KEY_LEFTALT, 1, 1000, &s);
	keymap_feed(&km, EV_KEY, KEY_KP6, 1, 1001, &s);
	keymap_feed(&km, EV_KEY, KEY_KP5, 1, 1002, &s);
	keymap_feed(&km, EV_KEY, KEY_LEFTALT, 0, 1040, &s);
	assert_int_equal(keymap_deadline(&km), 1090);
	assert_int_equal(keymap_tick(&km, 1090, &s), KEYMAP_SCAN);
	assert_int_equal(s.first_ms, 1040);
	assert_int_equal(s.last_ms, 1040);
	assert_int_equal(s.bytes[0], 'A');

	/* timeout 0: never */
	cfg.timeout_ms = 0;
	cfg.terminators = KEYMAP_TERM_ENTER;
	init_cfg(&km, &cfg);
	feed(&km, ab, 4, &t, 10, &r);
	assert_int_equal(keymap_deadline(&km), -1);
	assert_int_equal(keymap_tick(&km, t + 100000, &s), KEYMAP_NONE);
}

static void
test_max_len(void **state)
{
	struct keymap_config cfg;
	struct keymap km;
	struct run r;

	(void)state;
	keymap_defaults(&cfg);
	cfg.max_len = 4;
	init_cfg(&km, &cfg);
	r = type_text(&km, "abcdefg", 7, TYPING_GS_CTRL, 1);
	assert_int_equal(r.scans, 1);
	assert_int_equal(r.last.len, 4);
	assert_memory_equal(r.last.bytes, "abcd", 4);
	assert_true(r.last.flags & SCAN_OVERFLOW);
	r = type_text(&km, "abcd", 4, TYPING_GS_CTRL, 1);
	assert_int_equal(r.last.flags, 0);
}

static void
test_times_and_discard(void **state)
{
	struct keymap km;
	struct scan s;

	(void)state;
	init_default(&km);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_LEFTSHIFT, 1, 5, &s), 0);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_X, 1, 7, &s), 0);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_LEFTSHIFT, 0, 8, &s), 0);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_Y, 1, 9, &s), 0);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 12, &s),
			 KEYMAP_SCAN);
	assert_memory_equal(s.bytes, "Xy", 2);
	assert_int_equal(s.first_ms, 7);
	assert_int_equal(s.last_ms, 12);
	keymap_feed(&km, EV_KEY, KEY_Z, 1, 20, &s);
	keymap_feed(&km, EV_KEY, KEY_Z, 1, 21, &s);
	assert_int_equal(keymap_discard(&km), 2);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 22, &s), 0);
	/* a Shift held when the state was reset is known again */
	keymap_reset_state(&km, false);
	keymap_key_state(&km, KEY_RIGHTSHIFT, true);
	keymap_feed(&km, EV_KEY, KEY_Q, 1, 30, &s);
	keymap_key_state(&km, KEY_RIGHTSHIFT, false);
	keymap_feed(&km, EV_KEY, KEY_Q, 1, 31, &s);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 32, &s),
			 KEYMAP_SCAN);
	assert_memory_equal(s.bytes, "Qq", 2);
}

/* After lost events, the code up to the end key is never a scan. */
static void
test_damaged(void **state)
{
	struct keymap km;
	struct scan s;

	(void)state;
	init_default(&km);
	keymap_feed(&km, EV_KEY, KEY_A, 1, 1, &s);
	keymap_damage(&km, 1);
	keymap_feed(&km, EV_KEY, KEY_B, 1, 2, &s);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 3, &s),
			 KEYMAP_FRAGMENT);
	assert_int_equal(s.len, 2);
	assert_true(s.flags & SCAN_DAMAGED);
	/* the next code is whole again */
	keymap_feed(&km, EV_KEY, KEY_C, 1, 4, &s);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 5, &s),
			 KEYMAP_SCAN);
	assert_int_equal(s.flags, 0);
	/* lost between codes: the next one is damaged too */
	keymap_damage(&km, 6);
	keymap_feed(&km, EV_KEY, KEY_D, 1, 6, &s);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 7, &s),
			 KEYMAP_FRAGMENT);
	assert_memory_equal(s.bytes, "d", 1);
	/* a loss with nothing typed after it is reported once the timeout
	 * has passed, and then the next code is whole */
	keymap_damage(&km, 100);
	assert_true(keymap_pending(&km));
	assert_int_equal(keymap_deadline(&km), 100 + KEYMAP_TIMEOUT_DEFAULT);
	assert_int_equal(keymap_tick(&km, 100 + KEYMAP_TIMEOUT_DEFAULT, &s),
			 KEYMAP_FRAGMENT);
	assert_int_equal(s.len, 0);
	assert_true(s.flags & SCAN_DAMAGED);
	assert_false(keymap_pending(&km));
	keymap_feed(&km, EV_KEY, KEY_E, 1, 2000, &s);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 2001, &s),
			 KEYMAP_SCAN);
	/* an end key right after a loss reports it too */
	keymap_damage(&km, 3000);
	assert_int_equal(keymap_feed(&km, EV_KEY, KEY_ENTER, 1, 3001, &s),
			 KEYMAP_FRAGMENT);
	assert_int_equal(s.len, 0);
}

static void
test_key_names(void **state)
{
	(void)state;
	assert_int_equal(keymap_key_code("F8"), KEY_F8);
	assert_int_equal(keymap_key_code("f12"), KEY_F12);
	assert_int_equal(keymap_key_code("KEY_F1"), KEY_F1);
	assert_int_equal(keymap_key_code("F24"), KEY_F24);
	assert_int_equal(keymap_key_code("insert"), KEY_INSERT);
	assert_int_equal(keymap_key_code("F25"), -1);
	assert_int_equal(keymap_key_code("F8x"), -1);
	assert_int_equal(keymap_key_code("A"), -1);
	assert_int_equal(keymap_key_code(""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_refused),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_shift_and_symbols),
		cmocka_unit_test(test_both_shifts),
		cmocka_unit_test(test_capslock),
		cmocka_unit_test(test_keypad),
		cmocka_unit_test(test_ctrl_bracket_is_gs),
		cmocka_unit_test(test_alt_numpad),
		cmocka_unit_test(test_gs_key_and_char),
		cmocka_unit_test(test_every_code_every_gs),
		cmocka_unit_test(test_autorepeat_ignored),
		cmocka_unit_test(test_terminators),
		cmocka_unit_test(test_prefix_suffix),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_max_len),
		cmocka_unit_test(test_times_and_discard),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_key_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
