/*
 * gen_codes: random valid marking codes of every layout, for property
 * tests, the benchmark and fuzz seeds. Header-only (static functions) so
 * each test program takes it without another archive.
 *
 * Deterministic: the same seed gives the same codes on every machine.
 */
#ifndef SKLAD_TESTS_GEN_CODES_H
#define SKLAD_TESTS_GEN_CODES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "scanners/mark.h"

#define GEN_GS '\x1d'

static const char gen_cset82[] =
	"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
	"abcdefghijklmnopqrstuvwxyz";
static const char gen_base64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

enum gen_layout {
	GEN_KI, GEN_93, GEN_93_WEIGHT, GEN_93_VOLUME, GEN_91_92,
	GEN_91_92_88, GEN_240_91_92, GEN_TOBACCO_BLOCK, GEN_TOBACCO_SET,
	GEN_CIGARETTE, GEN_SSCC, GEN_LAYOUTS
};

/* What a generated code must parse to. */
struct gen_code {
	char s[320];
	size_t len;
	char gtin[MARK_GTIN_LEN + 1];
	char serial[MARK_SERIAL_MAX + 1];
	char cis[MARK_CIS_MAX + 1];
	char sscc[MARK_SSCC_LEN + 1];
	enum mark_layout layout;
	enum mark_kind kind;
	bool crypto;
};

struct gen_rng {
	uint64_t s;
};

static inline uint32_t
gen_below(struct gen_rng *r, uint32_t n)
{
	/* xorshift64*: good enough and the same everywhere. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 2685821657736338717ULL) >> 32) % n;
}

static inline void
gen_put(struct gen_code *c, const char *s, size_t n)
{
	memcpy(c->s + c->len, s, n);
	c->len += n;
}

static inline void
gen_from(struct gen_rng *r, struct gen_code *c, const char *alphabet,
	 size_t n)
{
	size_t k = strlen(alphabet), i;

	for (i = 0; i < n; i++)
		c->s[c->len++] = alphabet[gen_below(r, (uint32_t)k)];
}

/* n digits ending with their GS1 check digit, appended to c. */
static inline void
gen_with_check_digit(struct gen_rng *r, struct gen_code *c, size_t n,
		     char *copy)
{
	size_t start = c->len;

	gen_from(r, c, "0123456789", n - 1);
	c->s[c->len] = (char)('0' + mark_check_digit(c->s + start, n - 1));
	c->len++;
	memcpy(copy, c->s + start, n);
	copy[n] = '\0';
}

static inline void
gen_serial(struct gen_rng *r, struct gen_code *c, size_t n)
{
	size_t start = c->len;

	gen_put(c, "21", 2);
	gen_from(r, c, gen_cset82, n);
	memcpy(c->serial, c->s + start + 2, n);
	c->serial[n] = '\0';
}

static inline void
gen_gs(struct gen_code *c)
{
	c->s[c->len++] = GEN_GS;
}

/* The (01)(21) head with a serial of one of the given lengths. */
static inline void
gen_head(struct gen_rng *r, struct gen_code *c, const uint8_t *lens,
	 size_t nlens)
{
	static const char *const aims[] = { "", "]d2", "]d2\x1d", "\x1d" };
	const char *aim = aims[gen_below(r, 4)];

	gen_put(c, aim, strlen(aim));
	gen_put(c, "01", 2);
	gen_with_check_digit(r, c, MARK_GTIN_LEN, c->gtin);
	if (gen_below(r, 8) == 0)
		gen_gs(c);	/* superfluous GS after the GTIN */
	gen_serial(r, c, lens[gen_below(r, (uint32_t)nlens)]);
	c->kind = MARK_ITEM;
	c->crypto = true;
}

static inline void
gen_crypto(struct gen_rng *r, struct gen_code *c, const char *ai, size_t n)
{
	gen_gs(c);
	gen_put(c, ai, strlen(ai));
	gen_from(r, c, gen_base64, n);
}

static inline void
gen_tail_91_92(struct gen_rng *r, struct gen_code *c, size_t len92)
{
	gen_crypto(r, c, "91", 4);
	gen_crypto(r, c, "92", len92);
	if (gen_below(r, 4) == 0)
		gen_gs(c);	/* tires end (92) with GS */
	c->layout = MARK_LAYOUT_91_92;
}

static inline void
gen_cigarette(struct gen_rng *r, struct gen_code *c)
{
	if (gen_below(r, 3) == 0)
		gen_put(c, "]d1", 3);
	gen_with_check_digit(r, c, MARK_GTIN_LEN, c->gtin);
	gen_from(r, c, gen_cset82, 15);
	memcpy(c->serial, c->s + c->len - 15, 7);
	c->serial[7] = '\0';
	memcpy(c->cis, c->gtin, MARK_GTIN_LEN);
	memcpy(c->cis + MARK_GTIN_LEN, c->serial, 8);
	c->kind = MARK_CIGARETTE_PACK;
	c->layout = MARK_LAYOUT_CIGARETTE;
	c->crypto = true;
}

static inline void
gen_sscc(struct gen_rng *r, struct gen_code *c)
{
	static const char *const aims[] = { "", "]C1", "]d2", "\x1d" };
	const char *aim = aims[gen_below(r, 4)];

	gen_put(c, aim, strlen(aim));
	gen_put(c, "00", 2);
	gen_with_check_digit(r, c, MARK_SSCC_LEN, c->sscc);
	if (gen_below(r, 4) == 0)
		gen_gs(c);
	c->kind = MARK_SSCC;
	c->layout = MARK_LAYOUT_SSCC;
}

/* A random valid code of layout l into *c. */
static inline void
gen_code(struct gen_rng *r, enum gen_layout l, struct gen_code *c)
{
	static const uint8_t any[] = { 6, 7, 13, 20 };
	static const uint8_t six[] = { 6 }, seven[] = { 7 }, thirteen[] = { 13 };

	memset(c, 0, sizeof(*c));
	switch (l) {
	case GEN_KI:
		gen_head(r, c, any, 4);
		c->layout = MARK_LAYOUT_KI;
		c->crypto = false;
		break;
	case GEN_93:
		gen_head(r, c, any, 4);
		gen_crypto(r, c, "93", 4);
		c->layout = MARK_LAYOUT_93;
		break;
	case GEN_93_WEIGHT:
		gen_head(r, c, six, 1);
		gen_crypto(r, c, "93", 4);
		gen_gs(c);
		gen_put(c, "3103", 4);
		gen_from(r, c, "0123456789", 6);
		c->layout = MARK_LAYOUT_93_WEIGHT;
		break;
	case GEN_93_VOLUME:
		gen_head(r, c, seven, 1);
		gen_crypto(r, c, "93", 4);
		gen_gs(c);
		gen_put(c, "335", 3);
		gen_from(r, c, "012345", 1);
		gen_from(r, c, "0123456789", 6);
		c->layout = MARK_LAYOUT_93_VOLUME;
		break;
	case GEN_91_92:
		gen_head(r, c, any, 4);
		gen_tail_91_92(r, c, 44);
		break;
	case GEN_91_92_88:
		gen_head(r, c, any, 4);
		gen_tail_91_92(r, c, 88);
		break;
	case GEN_240_91_92:
		gen_head(r, c, thirteen, 1);
		gen_gs(c);
		gen_put(c, "240", 3);
		gen_from(r, c, "0123456789", 4);
		gen_tail_91_92(r, c, gen_below(r, 2) ? 44 : 88);
		break;
	case GEN_TOBACCO_BLOCK:
	case GEN_TOBACCO_SET:
		gen_head(r, c, seven, 1);
		gen_gs(c);
		gen_put(c, "8005", 4);
		if (l == GEN_TOBACCO_SET)
			gen_put(c, "000000", 6);
		else
			gen_put(c, "112000", 6);
		gen_crypto(r, c, "93", 4);
		c->layout = MARK_LAYOUT_TOBACCO;
		c->kind = l == GEN_TOBACCO_SET ? MARK_TOBACCO_SET :
			MARK_TOBACCO_BLOCK;
		break;
	case GEN_CIGARETTE:
		gen_cigarette(r, c);
		break;
	case GEN_SSCC:
	case GEN_LAYOUTS:
		gen_sscc(r, c);
		break;
	}
	if (c->kind != MARK_SSCC && c->kind != MARK_CIGARETTE_PACK) {
		size_t sl = strlen(c->serial);

		memcpy(c->cis, "01", 2);
		memcpy(c->cis + 2, c->gtin, MARK_GTIN_LEN);
		memcpy(c->cis + 2 + MARK_GTIN_LEN, "21", 2);
		memcpy(c->cis + 4 + MARK_GTIN_LEN, c->serial, sl + 1);
	}
	c->s[c->len] = '\0';
}

#endif
