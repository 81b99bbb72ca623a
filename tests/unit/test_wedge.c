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
	int keys1;		/* WEDGE_KEY results: keys on their own */
	int cuts;		/* WEDGE_CUT results */
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
		o->order[o->norder++] = it.kind == WEDGE_SCAN ? 'S' :
			it.kind == WEDGE_KEY ? 'K' : it.kind == WEDGE_TEXT ?
			'T' : 'C';
		o->keys1 += it.kind == WEDGE_KEY;
		o->cuts += it.kind == WEDGE_CUT;
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
	*t += 5000;	/* past the gap and the wait for a stalled scan */
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
	wedge_defaults(&cfg);
	cfg.join_ms = 10001;
	assert_int_equal(wedge_init(&w, &cfg, &e), ERR_INVALID);
	cfg.join_ms = 0;
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

/* A fast burst shorter than min_len (an arrow key) is text, never a key:
 * with joining off at once after the gap, with it on cut after join_ms. */
static void
test_short_burst(void **state)
{
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&w);
	wedge_join(&w, false);
	feed(&w, "\x1b[A", 3, 0, &t, &o);
	assert_int_equal(o.norder, 0);	/* held until the gap runs out */
	assert_int_equal(wedge_deadline(&w), 51);
	assert_int_equal(wedge_tick(&w, 50), 0);
	assert_int_equal(wedge_tick(&w, 51), 1);
	collect(&w, &o);
	assert_int_equal(o.nkeys, 3);
	assert_memory_equal(o.order, "T", 1);
	o = (struct out){ 0 };
	t += 1000;
	feed(&w, "1234567\r", 8, 1, &t, &o);	/* 7 < 8: still typing */
	assert_int_equal(o.scans, 0);
	assert_int_equal(o.keys1, 0);
	assert_memory_equal(o.keys, "1234567\r", 8);
	/* joining on: the same burst waits 3 s, then is cut whole */
	wedge_join(&w, true);
	o = (struct out){ 0 };
	t = 10000;
	feed(&w, "1n", 2, 1, &t, &o);
	assert_int_equal(wedge_tick(&w, t + 100), 0);
	assert_int_equal(wedge_deadline(&w), 10001 + 3000 + 1);
	assert_int_equal(wedge_tick(&w, 10001 + 3000), 0);
	assert_int_equal(wedge_tick(&w, 10001 + 3001), 1);
	collect(&w, &o);
	assert_int_equal(o.cuts, 1);
	assert_int_equal(o.keys1, 0);
	assert_memory_equal(o.keys, "1n", 2);
}

/* Only a key with quiet before and after it is a key: c alone is, c
 * right after another key or right after a scan is not, and neither is
 * the LF of a scanner that ends codes with CR LF. One UTF-8 character
 * (Cyrillic с) is one key. */
static void
test_key_alone(void **state)
{
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&w);
	feed(&w, "c", 1, 1, &t, &o);
	assert_int_equal(o.norder, 0);	/* not before the quiet after it */
	assert_int_equal(wedge_tick(&w, t + 60), 1);
	collect(&w, &o);
	assert_memory_equal(o.order, "K", 1);
	t += 500;
	feed(&w, "\xd1\x81", 2, 0, &t, &o);
	settle(&w, &t, &o);
	assert_memory_equal(o.order, "KK", 2);
	assert_memory_equal(o.keys, "c\xd1\x81", 3);
	o = (struct out){ 0 };
	feed(&w, "00106141411234567897\r\n", 22, 2, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.scans, 1);
	assert_int_equal(o.keys1, 0);	/* the LF is text */
	o = (struct out){ 0 };
	feed(&w, "00106141411234567897\r", 21, 2, &t, &o);
	feed(&w, "c", 1, 2, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.scans, 1);
	assert_int_equal(o.keys1, 0);
	assert_int_equal(o.cuts + o.scans, (int)o.norder);
}

/*
 * A code that stalls 400 ms or 2 s right after any character: one scan,
 * whole, marked joined; not one key on the way. A stall twice in one code
 * too.
 */
static void
test_stall_joined(void **state)
{
	static const char code[] = CODES_GTIN "21cnfpq1m:?" CODES_GS
		"93Ab1+";
	static const int stalls[] = { 400, 2000 };
	size_t len = sizeof(code) - 1, cut, s;
	struct wedge w;
	int64_t t = 0;

	(void)state;
	init_default(&w);
	for (s = 0; s < 2; s++) {
		for (cut = 1; cut < len; cut++) {
			struct out o = { 0 };

			feed(&w, code, cut, 5, &t, &o);
			t += stalls[s];
			/* nothing comes out in the stall but a first
			 * character alone */
			assert_int_equal(wedge_tick(&w, t), cut == 1);
			collect(&w, &o);
			feed(&w, code + cut, len - cut, 5, &t, &o);
			feed(&w, "\r", 1, 5, &t, &o);
			settle(&w, &t, &o);
			if (cut == 1) {
				/* a first character alone is a key: codes
				 * start with 0, ], ( or GS, none a command */
				assert_int_equal(o.keys1, 1);
				assert_int_equal(o.keys[0], '0');
				continue;
			}
			assert_int_equal(o.norder, 1);
			assert_int_equal(o.scans, 1);
			assert_true(o.last.flags & SCAN_JOINED);
			assert_int_equal(o.last.len, len);
			assert_memory_equal(o.last.bytes, code, len);
		}
	}
	{
		struct out o = { 0 };

		feed(&w, code, 20, 5, &t, &o);
		t += 1500;
		feed(&w, code + 20, 1, 5, &t, &o);	/* c alone, stalled */
		t += 1500;
		feed(&w, code + 21, len - 21, 5, &t, &o);
		feed(&w, "\r", 1, 5, &t, &o);
		assert_int_equal(o.norder, 1);
		assert_int_equal(o.scans, 1);
		assert_memory_equal(o.last.bytes, code, len);
	}
}

/* A code that stalls and never ends is cut whole after join_ms: none of
 * it comes out as a key, and a key after that is a key again. */
static void
test_stall_cut(void **state)
{
	struct wedge w;
	struct out o = { 0 };
	int64_t t = 0;

	(void)state;
	init_default(&w);
	feed(&w, CODES_GTIN "21c", 19, 5, &t, &o);
	assert_int_equal(wedge_tick(&w, t + 2900), 0);
	assert_int_equal(wedge_tick(&w, t + 3100), 1);
	collect(&w, &o);
	assert_int_equal(o.cuts, 1);
	assert_int_equal(o.nkeys, 19);
	t += 4000;
	feed(&w, "c", 1, 5, &t, &o);
	settle(&w, &t, &o);
	assert_int_equal(o.keys1, 1);
	/* a short joined burst ended by Enter is cut too, Enter with it */
	o = (struct out){ 0 };
	feed(&w, "1c", 2, 5, &t, &o);
	t += 500;
	feed(&w, "\r", 1, 5, &t, &o);
	assert_int_equal(o.cuts, 1);
	assert_memory_equal(o.keys, "1c\r", 3);
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
		cmocka_unit_test(test_key_alone),
		cmocka_unit_test(test_stall_joined),
		cmocka_unit_test(test_stall_cut),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_gs_char),
		cmocka_unit_test(test_no_terminator),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
