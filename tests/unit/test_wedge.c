/*
 * test_wedge: scans told apart from typing on a terminal, from synthetic
 * (byte, time) sequences. Time is an argument: nothing to fake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scanners/wedge.h"
#include "tests/vm/codes.h"

/* What came out of a run: scans, and all keystrokes joined in order. */
struct out {
	int scans;
	struct scan last;	/* the last scan */
	char keys[4096];	/* keystrokes, concatenated */
	size_t nkeys;
	char order[64];		/* 'S' and 'K' per result, in order */
	size_t norder;
};

static void
collect(struct wedge *w, struct out *o)
{
	struct wedge_item it;

	while (wedge_take(w, &it)) {
		o->order[o->norder++] = it.kind == WEDGE_SCAN ? 'S' : 'K';
		if (it.kind == WEDGE_SCAN) {
			o->scans++;
			o->last = it.scan;
		} else {
			memcpy(o->keys + o->nkeys, it.scan.bytes, it.scan.len);
			o->nkeys += it.scan.len;
		}
	}
}

/* Feed len bytes step ms apart from *t, then let the gap run out. */
static void
feed(struct wedge *w, const char *s, size_t len, int step, int64_t *t,
     struct out *o)
{
	size_t i;

	for (i = 0; i < len; i++) {
		wedge_feed(w, (unsigned char)s[i], *t);
		collect(w, o);
		*t += step;
	}
}

static void
settle(struct wedge *w, int64_t *t, struct out *o)
{
	*t += 1000;
	wedge_tick(w, *t);
	collect(w, o);
}

static void
init(struct wedge *w, const struct wedge_config *cfg)
{
	struct err e;

	assert_int_equal(wedge_init(w, cfg, &e), 0);
}

static void
init_default(struct wedge *w)
{
	struct wedge_config cfg;

	wedge_defaults(&cfg);
	init(w, &cfg);
}

static void
test_config_refused(void **state)
{
	struct wedge_config cfg;
	struct wedge w;
	struct err e;

	(void)state;
	wedge_defaults(&cfg);
	cfg.max_gap_ms = 0;
	assert_int_equal(wedge_init(&w, &cfg, &e), ERR_INVALID);
	wedge_defaults(&cfg);
	cfg.min_len = 0;
	assert_int_equal(wedge_init(&w, &cfg, &e), ERR_INVALID);
	wedge_defaults(&cfg);
	cfg.terminators = 0;
	assert_int_equal(wedge_init(&w, &cfg, &e), ERR_INVALID);
	cfg.need_terminator = false;
	assert_int_equal(wedge_init(&w, &cfg, &e), 0);
	wedge_defaults(&cfg);
	cfg.gs_char = '9';
	assert_int_equal(wedge_init(&w, &cfg, &e), ERR_INVALID);
	cfg.gs_char = '\r';
	assert_int_equal(wedge_init(&w, &cfg, &e), ERR_INVALID);
	cfg.gs_char = '~';
	assert_int_equal(wedge_init(&w, &cfg, &e), 0);
}

static void
test_nothing_held(void **state)
{
	struct wedge w;
	struct wedge_item it;

	(void)state;
	init_default(&w);
	assert_int_equal(wedge_deadline(&w), -1);
	assert_int_equal(wedge_tick(&w, 100000), 0);
	assert_false(wedge_take(&w, &it));
}

/* Every code, fast, with CR: a scan, exactly; GS 0x1D kept. */
static void
test_scans(void **state)
{
	char line[SCAN_MAX + 2];
	struct wedge w;
	size_t i, len;
	int64_t t = 0;
	int step;

	(void)state;
	init_default(&w);
	for (i = 0; i < CODES_N; i++) {
		for (step = 1; step <= 20; step += 19) {
			struct out o = { 0 };

			len = strlen(codes_all[i].code);
			memcpy(line, codes_all[i].code, len);
			line[len] = '\r';
			feed(&w, line, len + 1, step, &t, &o);
			assert_int_equal(o.scans, 1);
			assert_int_equal(o.nkeys, 0);
			assert_int_equal(o.last.len, len);
			assert_memory_equal(o.last.bytes, codes_all[i].code,
					    len);
			assert_int_equal(o.last.last_ms - o.last.first_ms,
					 (int64_t)len * step);
			settle(&w, &t, &o);
			assert_int_equal(o.norder, 1);
		}
	}
}

/* A person typing: every byte comes back as keystrokes, in order. */
static void
test_person(void **state)
{
	static const char typed[] = "ls -l /var/log\r\x1b[A\rq";
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&w);
	feed(&w, typed, sizeof(typed) - 1, 120, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.scans, 0);
	assert_int_equal(o.nkeys, sizeof(typed) - 1);
	assert_memory_equal(o.keys, typed, sizeof(typed) - 1);
}

/* A fast burst shorter than min_len (an arrow key) is typing. */
static void
test_short_burst(void **state)
{
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&w);
	feed(&w, "\x1b[A", 3, 0, &t, &o);
	assert_int_equal(o.norder, 0);	/* held until the gap runs out */
	assert_int_equal(wedge_deadline(&w), 51);
	assert_int_equal(wedge_tick(&w, 50), 0);
	assert_int_equal(wedge_tick(&w, 51), 1);
	collect(&w, &o);
	assert_int_equal(o.nkeys, 3);
	o = (struct out){ 0 };
	feed(&w, "1234567\r", 8, 1, &t, &o);	/* 7 < 8: still typing */
	assert_int_equal(o.scans, 0);
	assert_memory_equal(o.keys, "1234567\r", 8);
}

/* Keystrokes, a scan, keystrokes: results keep their order. */
static void
test_order(void **state)
{
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&w);
	feed(&w, "ab", 2, 200, &t, &o);
	feed(&w, "00106141411234567897\r", 21, 2, &t, &o);
	t += 300;
	feed(&w, "\r", 1, 1, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.norder, 4);
	assert_memory_equal(o.order, "KKSK", 4);
	assert_memory_equal(o.keys, "ab\r", 3);
	assert_memory_equal(o.last.bytes, "00106141411234567897", 20);
}

static void
test_gs_char(void **state)
{
	struct wedge_config cfg;
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	wedge_defaults(&cfg);
	cfg.gs_char = '~';
	init(&w, &cfg);
	feed(&w, "0104600439931256215AbCdE~93Ab1+\r", 32, 3, &t, &o);
	assert_int_equal(o.scans, 1);
	assert_string_equal(o.last.bytes,
			    CODES_GTIN "215AbCdE" CODES_GS "93Ab1+");
	feed(&w, "~", 1, 300, &t, &o);	/* a person's ~ stays ~ */
	settle(&w, &t, &o);
	assert_int_equal(o.nkeys, 1);
	assert_int_equal(o.keys[0], '~');
}

static void
test_no_terminator(void **state)
{
	struct wedge_config cfg;
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&w);
	feed(&w, "00106141411234567897", 20, 2, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.scans, 0);	/* a terminator is needed */
	assert_int_equal(o.nkeys, 20);
	wedge_defaults(&cfg);
	cfg.need_terminator = false;
	init(&w, &cfg);
	o = (struct out){ 0 };
	feed(&w, "00106141411234567897", 20, 2, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.scans, 1);
	assert_true(o.last.flags & SCAN_BY_TIMEOUT);
	assert_int_equal(o.last.len, 20);
}

/* Bursts longer than any code are typing (pasted text), none lost. */
static void
test_too_long(void **state)
{
	static char big[SCAN_MAX * 2 + 5];
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	memset(big, 'x', sizeof(big));
	init_default(&w);
	feed(&w, big, sizeof(big), 0, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.scans, 0);
	assert_int_equal(o.nkeys, sizeof(big));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_refused),
		cmocka_unit_test(test_nothing_held),
		cmocka_unit_test(test_scans),
		cmocka_unit_test(test_person),
		cmocka_unit_test(test_short_burst),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_gs_char),
		cmocka_unit_test(test_no_terminator),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
