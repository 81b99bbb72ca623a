/*
 * test_mark_props: properties of the parser over many random codes.
 *
 * 1. Random valid codes of every layout parse, and yield exactly the GTIN,
 *    serial, КИ, kind and layout they were built from.
 * 2. Every single-character change (replacement, deletion, insertion) of
 *    such a code is refused unless the rules allow the result. "The rules"
 *    are a second, deliberately naive implementation of codes.md §8 below
 *    (split at GS, match the layouts by hand), so parser and reference
 *    must agree on every mutant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scanners/mark.h"
#include "tests/gen_codes.h"

/* --- the reference: codes.md §8, written for clarity, not speed -------- */

static bool
all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return false;
	return true;
}

static bool
digits_with_check(const char *s, size_t n)
{
	return all_in(s, n, "0123456789") &&
		mark_check_digit(s, n - 1) == s[n - 1] - '0';
}

static bool
cset82(const char *s, size_t n)
{
	return all_in(s, n, gen_cset82);
}

struct seg {
	const char *s;
	size_t n;
};

static bool
seg_is(const struct seg *g, const char *ai, size_t minv, size_t maxv,
       bool digits)
{
	size_t al = strlen(ai);

	if (g->n < al + minv || g->n > al + maxv ||
	    memcmp(g->s, ai, al) != 0)
		return false;
	return digits ? all_in(g->s + al, g->n - al, "0123456789") :
		cset82(g->s + al, g->n - al);
}

static bool
is_92(const struct seg *g)
{
	return seg_is(g, "92", 44, 44, false) || seg_is(g, "92", 88, 88, false);
}

static bool
ref_tail(const struct seg *t, size_t nt, size_t serial)
{
	switch (nt) {
	case 0:
		return true;
	case 1:
		return seg_is(&t[0], "93", 4, 4, false);
	case 2:
		if (seg_is(&t[0], "93", 4, 4, false))
			return (serial == 6 && seg_is(&t[1], "3103", 6, 6, true))
				|| (serial == 7 && t[1].n == 10 &&
				    seg_is(&t[1], "335", 7, 7, true) &&
				    t[1].s[3] <= '5');
		if (seg_is(&t[0], "91", 4, 4, false))
			return is_92(&t[1]);
		return serial == 7 && seg_is(&t[0], "8005", 6, 6, true) &&
			seg_is(&t[1], "93", 4, 4, false);
	case 3:
		return serial == 13 && seg_is(&t[0], "240", 1, 30, false) &&
			seg_is(&t[1], "91", 4, 4, false) && is_92(&t[2]);
	}
	return false;
}

static bool
ref_valid(const char *s, size_t n)
{
	struct seg segs[12], *g = segs;
	size_t nsegs = 0, i, start, serial;
	char aim = 'n';

	if (n == 0)
		return false;
	if (s[0] == ']') {
		if (n >= 3 && memcmp(s, "]d2", 3) == 0)
			aim = '2';
		else if (n >= 3 && memcmp(s, "]d1", 3) == 0)
			aim = '1';
		else if (n >= 3 && memcmp(s, "]C1", 3) == 0)
			aim = 'C';
		else
			return false;
		s += 3;
		n -= 3;
	}
	if (n > 0 && s[0] == GEN_GS) {
		s++;
		n--;
	}
	if ((aim == 'n' || aim == '1') && n == 29 &&
	    memchr(s, GEN_GS, n) == NULL && all_in(s, 14, "0123456789"))
		return digits_with_check(s, 14) && cset82(s + 14, 15);
	if (aim == '1')
		return false;
	/* Split at GS; one GS at the very end is superfluous. */
	if (n > 0 && s[n - 1] == GEN_GS)
		n--;
	for (start = 0, i = 0; i <= n; i++) {
		if (i == n || s[i] == GEN_GS) {
			if (i == start || nsegs == 12)
				return false;
			segs[nsegs].s = s + start;
			segs[nsegs++].n = i - start;
			start = i + 1;
		}
	}
	if (nsegs == 0)
		return false;
	if (g->n >= 2 && memcmp(g->s, "00", 2) == 0)
		return nsegs == 1 && g->n == 20 && digits_with_check(g->s + 2, 18);
	if (aim == 'C' || g->n < 16 || memcmp(g->s, "01", 2) != 0 ||
	    !digits_with_check(g->s + 2, 14))
		return false;
	if (g->n == 16) {	/* a GS after the GTIN: the serial follows */
		if (nsegs < 2)
			return false;
		g++;
		nsegs--;
	} else {
		g->s += 16;
		g->n -= 16;
	}
	if (g->n < 2 || memcmp(g->s, "21", 2) != 0)
		return false;
	serial = g->n - 2;
	if ((serial != 6 && serial != 7 && serial != 13 && serial != 20) ||
	    !cset82(g->s + 2, serial))
		return false;
	return ref_tail(g + 1, nsegs - 1, serial);
}

/* --- properties --------------------------------------------------------- */

#define CODES_PER_LAYOUT 40

static void
check_round_trip(const struct gen_code *c)
{
	struct mark m;
	char msg[512];

	if (mark_parse(c->s, c->len, &m) != 0) {
		mark_strerror(&m, msg, sizeof(msg));
		fail_msg("generated code refused: %s", msg);
	}
	assert_true(ref_valid(c->s, c->len));
	assert_int_equal(m.kind, c->kind);
	assert_int_equal(m.layout, c->layout);
	assert_int_equal(m.has_crypto, c->crypto);
	assert_string_equal(m.gtin, c->gtin);
	assert_string_equal(m.serial, c->serial);
	assert_string_equal(m.cis, c->cis);
	assert_string_equal(m.sscc, c->sscc);
}

static void
test_round_trip(void **state)
{
	struct gen_rng r = { 0x5eed5eed1234ULL };
	struct gen_code c;
	int l, i;

	(void)state;
	for (l = 0; l < GEN_LAYOUTS; l++) {
		for (i = 0; i < CODES_PER_LAYOUT * 5; i++) {
			gen_code(&r, (enum gen_layout)l, &c);
			check_round_trip(&c);
		}
	}
}

/* Replacement bytes worth trying: every class the parser distinguishes. */
static const char replacements[] = {
	'0', '1', '2', '3', '5', '9', 'A', 'a', 'z', '+', '/', '=', '%', '_',
	GEN_GS, ' ', '#', '\\', '^', '\r', '\n', '\0', (char)0xd0, (char)0x7f,
};

static unsigned agreed, mutants_valid;

static void
compare(const char *s, size_t n)
{
	struct mark m;
	bool got = mark_parse(s, n, &m) == 0, want = ref_valid(s, n);

	if (got != want) {
		char hex[1024];
		size_t i, o = 0;

		for (i = 0; i < n && o + 5 < sizeof(hex); i++)
			o += (size_t)snprintf(hex + o, sizeof(hex) - o,
					      s[i] > ' ' && s[i] < 0x7f ? "%c" :
					      "\\x%02x", (uint8_t)s[i]);
		fail_msg("parser says %s, the rules say %s: %s",
			 got ? "valid" : "invalid", want ? "valid" : "invalid",
			 hex);
	}
	agreed++;
	mutants_valid += got;
}

static void
mutate_all(const struct gen_code *c)
{
	char buf[sizeof(c->s) + 1];
	size_t i, k;

	for (i = 0; i < c->len; i++) {
		/* Replacement. */
		memcpy(buf, c->s, c->len);
		for (k = 0; k < sizeof(replacements); k++) {
			if (replacements[k] == c->s[i])
				continue;
			buf[i] = replacements[k];
			compare(buf, c->len);
		}
		/* Deletion: a dropped GS is the scanner's commonest fault. */
		memcpy(buf, c->s, i);
		memcpy(buf + i, c->s + i + 1, c->len - i - 1);
		compare(buf, c->len - 1);
		/* Insertion. */
		memcpy(buf, c->s, i);
		memcpy(buf + i + 1, c->s + i, c->len - i);
		for (k = 0; k < sizeof(replacements); k += 3) {
			buf[i] = replacements[k];
			compare(buf, c->len + 1);
		}
	}
}

static void
test_single_character_mutations(void **state)
{
	struct gen_rng r = { 0xfeedbeef42ULL };
	struct gen_code c;
	int l, i;

	(void)state;
	for (l = 0; l < GEN_LAYOUTS; l++) {
		for (i = 0; i < CODES_PER_LAYOUT; i++) {
			gen_code(&r, (enum gen_layout)l, &c);
			mutate_all(&c);
		}
	}
	/* Most mutants must be refused, and some (a serial character
	 * changed) must pass: both sides of the property were exercised. */
	assert_true(agreed > 100000);
	assert_true(mutants_valid > 1000);
	assert_true(mutants_valid < agreed / 4);
}

/* Digits in a GTIN or SSCC are covered by the check digit: any single
 * change of one digit to another is refused, without exception. */
static void
test_check_digit_catches_every_digit_change(void **state)
{
	struct gen_rng r = { 77 };
	struct gen_code c;
	struct mark m;
	int i;
	char d;

	(void)state;
	for (i = 0; i < 200; i++) {
		size_t p, off;

		gen_code(&r, i % 2 ? GEN_SSCC : GEN_93, &c);
		off = (size_t)(strstr(c.s, i % 2 ? c.sscc : c.gtin) - c.s);
		for (p = off; p < off + (i % 2 ? 18 : 14); p++) {
			char keep = c.s[p];

			for (d = '0'; d <= '9'; d++) {
				if (d == keep)
					continue;
				c.s[p] = d;
				assert_int_equal(mark_parse(c.s, c.len, &m),
						 -1);
				assert_int_equal(m.err.code,
						 MARK_E_CHECK_DIGIT);
			}
			c.s[p] = keep;
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_single_character_mutations),
		cmocka_unit_test(test_check_digit_catches_every_digit_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
