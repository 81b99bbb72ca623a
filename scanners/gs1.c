/*
 * gs1: the general GS1 element-string rules (see gs1.h).
 *
 * The AI table below holds the AIs that Chestny ZNAK codes, transport
 * labels and the odd logistic attribute carry (codes.md §6, GS1 Barcode
 * Syntax Dictionary). Anything else is refused as an unknown AI, as the GS1
 * engine does by default: a marking code never needs one, and an unknown AI
 * in a scan is far more often a lost separator than a real element.
 */
#include <string.h>

#include "gs1.h"

enum ai_type { N, X };

enum ai_flag {
	PREDEF = 1,		/* predefined length: never followed by GS */
	CSUM = 2,		/* last digit is a GS1 check digit */
	DATE = 4,		/* YYMMDD, day 00 allowed */
};

/* Requisites, as a bit per AI that can satisfy one. */
enum ai_req {
	R01 = 1, R02 = 2, R37 = 4,
};

struct ai_def {
	char ai[5];
	uint8_t ai_len;
	uint8_t type;		/* enum ai_type */
	uint8_t min, max;	/* value length */
	uint8_t flags;		/* enum ai_flag */
	uint8_t provides;	/* which R* bit this AI satisfies */
	uint8_t requires;	/* needs one of these R* bits present; 0 = none */
};

static const struct ai_def ai_table[] = {	/* at most 64: see check_repeat */
	{ "00",   2, N, 18, 18, PREDEF | CSUM, 0, 0 },
	{ "01",   2, N, 14, 14, PREDEF | CSUM, R01, 0 },
	{ "02",   2, N, 14, 14, PREDEF | CSUM, R02, R37 },
	{ "10",   2, X, 1, 20, 0, 0, R01 | R02 },
	{ "11",   2, N, 6, 6, PREDEF | DATE, 0, R01 | R02 },
	{ "13",   2, N, 6, 6, PREDEF | DATE, 0, R01 | R02 },
	{ "15",   2, N, 6, 6, PREDEF | DATE, 0, R01 | R02 },
	{ "16",   2, N, 6, 6, PREDEF | DATE, 0, R01 | R02 },
	{ "17",   2, N, 6, 6, PREDEF | DATE, 0, R01 | R02 },
	{ "20",   2, N, 2, 2, PREDEF, 0, R01 | R02 },
	{ "21",   2, X, 1, 20, 0, 0, R01 },
	{ "240",  3, X, 1, 30, 0, 0, R01 | R02 },
	{ "241",  3, X, 1, 30, 0, 0, R01 | R02 },
	{ "30",   2, N, 1, 8, 0, 0, R01 | R02 },
	{ "3100", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3101", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3102", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3103", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3104", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3105", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3350", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3351", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3352", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3353", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3354", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "3355", 4, N, 6, 6, PREDEF, 0, R01 | R02 },
	{ "37",   2, N, 1, 8, 0, R37, R02 },
	{ "8005", 4, N, 6, 6, 0, 0, R01 | R02 },
	{ "90",   2, X, 1, 30, 0, 0, 0 },
	{ "91",   2, X, 1, 90, 0, 0, 0 },
	{ "92",   2, X, 1, 90, 0, 0, 0 },
	{ "93",   2, X, 1, 90, 0, 0, 0 },
	{ "94",   2, X, 1, 90, 0, 0, 0 },
	{ "95",   2, X, 1, 90, 0, 0, 0 },
	{ "96",   2, X, 1, 90, 0, 0, 0 },
	{ "97",   2, X, 1, 90, 0, 0, 0 },
	{ "98",   2, X, 1, 90, 0, 0, 0 },
	{ "99",   2, X, 1, 90, 0, 0, 0 },
};

/*
 * By the first two digits: the index + 1 of a two-digit AI, or 0 when the
 * AI is longer (or unknown) and the table is searched. Two-digit AIs are
 * nearly every element of a marking code, so they cost one lookup.
 */
static const uint8_t two_digit[100] = {
	[0] = 1, [1] = 2, [2] = 3, [10] = 4, [11] = 5, [13] = 6, [15] = 7,
	[16] = 8, [17] = 9, [20] = 10, [21] = 11, [30] = 14, [37] = 27,
	[90] = 29, [91] = 30, [92] = 31, [93] = 32, [94] = 33, [95] = 34,
	[96] = 35, [97] = 36, [98] = 37, [99] = 38,
};

#define C82 (GS1_CSET82)
#define DG (GS1_DIGIT | GS1_CSET82)
const uint8_t gs1_class[256] = {
	['!'] = C82, ['"'] = C82, ['%'] = C82, ['&'] = C82, ['\''] = C82,
	['('] = C82, [')'] = C82, ['*'] = C82, ['+'] = C82, [','] = C82,
	['-'] = C82, ['.'] = C82, ['/'] = C82,
	['0'] = DG, ['1'] = DG, ['2'] = DG, ['3'] = DG, ['4'] = DG,
	['5'] = DG, ['6'] = DG, ['7'] = DG, ['8'] = DG, ['9'] = DG,
	[':'] = C82, [';'] = C82, ['<'] = C82, ['='] = C82, ['>'] = C82,
	['?'] = C82,
	['A'] = C82, ['B'] = C82, ['C'] = C82, ['D'] = C82, ['E'] = C82,
	['F'] = C82, ['G'] = C82, ['H'] = C82, ['I'] = C82, ['J'] = C82,
	['K'] = C82, ['L'] = C82, ['M'] = C82, ['N'] = C82, ['O'] = C82,
	['P'] = C82, ['Q'] = C82, ['R'] = C82, ['S'] = C82, ['T'] = C82,
	['U'] = C82, ['V'] = C82, ['W'] = C82, ['X'] = C82, ['Y'] = C82,
	['Z'] = C82, ['_'] = C82,
	['a'] = C82, ['b'] = C82, ['c'] = C82, ['d'] = C82, ['e'] = C82,
	['f'] = C82, ['g'] = C82, ['h'] = C82, ['i'] = C82, ['j'] = C82,
	['k'] = C82, ['l'] = C82, ['m'] = C82, ['n'] = C82, ['o'] = C82,
	['p'] = C82, ['q'] = C82, ['r'] = C82, ['s'] = C82, ['t'] = C82,
	['u'] = C82, ['v'] = C82, ['w'] = C82, ['x'] = C82, ['y'] = C82,
	['z'] = C82,
};
#undef C82
#undef DG

void
gs1_fail(struct mark *m, enum mark_err code, const char *ai, size_t pos,
	 size_t len, size_t want, uint8_t byte)
{
	struct mark_error *e = &m->err;
	char name[sizeof(e->ai)] = "";
	size_t i;

	/* ai may point into e itself (a refusal being refined). */
	for (i = 0; ai != NULL && i < sizeof(name) - 1 && ai[i] != '\0'; i++)
		name[i] = ai[i];
	name[i] = '\0';
	memcpy(e->ai, name, sizeof(e->ai));
	e->code = code;
	e->pos = (uint16_t)pos;
	e->len = (uint16_t)len;
	e->want = (uint16_t)want;
	e->byte = byte;
}

void
gs1_copy_printable(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = src[i] > ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[len] = '\0';
}

/* The table entry of the AI starting at s (n bytes available), or NULL. */
static const struct ai_def *
ai_lookup(const char *s, size_t n)
{
	unsigned two;
	size_t i;

	if (n < 2 || !(gs1_class[(uint8_t)s[0]] & GS1_DIGIT) ||
	    !(gs1_class[(uint8_t)s[1]] & GS1_DIGIT))
		return NULL;
	two = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	if (two_digit[two] != 0)
		return &ai_table[two_digit[two] - 1];
	for (i = 0; i < sizeof(ai_table) / sizeof(ai_table[0]); i++) {
		const struct ai_def *d = &ai_table[i];

		if (d->ai_len <= n && memcmp(d->ai, s, d->ai_len) == 0)
			return d;
	}
	return NULL;
}

bool
gs1_is_ai_at(const char *s, size_t n)
{
	return ai_lookup(s, n) != NULL;
}

static int
valid_date(const char *v)
{
	static const uint8_t mdays[13] = {
		0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned yy = (unsigned)(v[0] - '0') * 10 + (unsigned)(v[1] - '0');
	unsigned mm = (unsigned)(v[2] - '0') * 10 + (unsigned)(v[3] - '0');
	unsigned dd = (unsigned)(v[4] - '0') * 10 + (unsigned)(v[5] - '0');

	if (mm < 1 || mm > 12 || dd > mdays[mm])
		return 0;
	/* Two-digit years map into 1951..2050 or so; every year divisible
	 * by four in any such window is a leap year (1900 and 2100 are not
	 * reachable). */
	if (mm == 2 && dd == 29 && yy % 4 != 0)
		return 0;
	return 1;
}

/*
 * Check the characters of one value against the AI's type, then its check
 * digit and date. Returns 0, or -1 with m->err set.
 */
static int
check_value(const struct ai_def *d, const char *s, size_t off, size_t len,
	    struct mark *m)
{
	uint8_t need = d->type == N ? GS1_DIGIT : GS1_CSET82;
	size_t i;

	for (i = off; i < off + len; i++) {
		if (!(gs1_class[(uint8_t)s[i]] & need)) {
			gs1_fail(m, d->type == N ? MARK_E_NOT_DIGIT :
				 MARK_E_CSET, d->ai, i, len, 0,
				 (uint8_t)s[i]);
			return -1;
		}
	}
	if (d->flags & CSUM) {
		int cd = mark_check_digit(s + off, len - 1);

		if (cd != s[off + len - 1] - '0') {
			gs1_fail(m, MARK_E_CHECK_DIGIT, d->ai, off + len - 1,
				 len, (size_t)cd, (uint8_t)s[off + len - 1]);
			return -1;
		}
	}
	if ((d->flags & DATE) && !valid_date(s + off)) {
		gs1_fail(m, MARK_E_DATE, d->ai, off, len, 0, 0);
		return -1;
	}
	return 0;
}

/* Refuse a second occurrence of an AI (Chestny ZNAK allows no repeats);
 * *seen has a bit per table entry. */
static int
check_repeat(const struct ai_def *d, size_t pos, uint64_t *seen,
	     struct mark *m)
{
	uint64_t bit = (uint64_t)1 << (d - ai_table);

	if (*seen & bit) {
		gs1_fail(m, MARK_E_REPEAT, d->ai, pos, 0, 0, 0);
		return -1;
	}
	*seen |= bit;
	return 0;
}

static int
check_requisites(const struct ai_def **defs, unsigned n, struct mark *m)
{
	static const char *const names[] = { "01", "02", "37" };
	uint8_t present = 0;
	unsigned i, b;

	for (i = 0; i < n; i++)
		present |= defs[i]->provides;
	for (i = 0; i < n; i++) {
		if (defs[i]->requires == 0 || (defs[i]->requires & present))
			continue;
		gs1_fail(m, MARK_E_REQUISITE, defs[i]->ai,
			 m->elements[i].off, 0, 0, 0);
		for (b = 0; b < 3; b++) {
			if (defs[i]->requires & (1u << b)) {
				memcpy(m->err.other, names[b], 3);
				break;
			}
		}
		return -1;
	}
	return 0;
}

/*
 * Read the value of AI d starting at p. Sets *len and *next (where the
 * next AI starts). Returns 0, or -1 with m->err set.
 */
static int
read_value(const struct ai_def *d, const char *s, size_t n, size_t p,
	   size_t *len, size_t *next, struct mark *m)
{
	const char *gs;
	size_t vlen;

	if (d->flags & PREDEF) {
		if (n - p < d->max) {
			gs = memchr(s + p, MARK_GS, n - p);
			vlen = gs != NULL ? (size_t)(gs - (s + p)) : n - p;
			gs1_fail(m, MARK_E_VALUE_SHORT, d->ai, p, vlen,
				 d->max, 0);
			return -1;
		}
		*len = d->max;
		*next = p + d->max;
		/* A GS after a predefined-length element is superfluous;
		 * some scanners send one after every element. */
		if (*next < n && s[*next] == MARK_GS)
			(*next)++;
		return 0;
	}
	gs = memchr(s + p, MARK_GS, n - p);
	vlen = gs != NULL ? (size_t)(gs - (s + p)) : n - p;
	if (vlen == 0) {
		gs1_fail(m, MARK_E_EMPTY_ELEMENT, d->ai, p, 0, d->min, 0);
		return -1;
	}
	if (vlen > d->max) {
		gs1_fail(m, MARK_E_VALUE_LONG, d->ai, p, vlen, d->max, 0);
		return -1;
	}
	if (vlen < d->min) {
		gs1_fail(m, MARK_E_VALUE_SHORT, d->ai, p, vlen, d->min, 0);
		return -1;
	}
	*len = vlen;
	*next = gs != NULL ? p + vlen + 1 : n;
	return 0;
}

int
gs1_parse(const char *s, size_t n, size_t pos, struct mark *m)
{
	const struct ai_def *defs[MARK_ELEMENTS_MAX];
	uint64_t seen = 0;
	size_t p = pos;

	m->nelements = 0;
	while (p < n) {
		const struct ai_def *d;
		struct mark_element *el;
		size_t len, next;

		if (s[p] == MARK_GS) {
			gs1_fail(m, MARK_E_EMPTY_ELEMENT, NULL, p, 0, 0, 0);
			return -1;
		}
		d = ai_lookup(s + p, n - p);
		if (d == NULL) {
			size_t bad = p;

			if (n - p >= 2 && (gs1_class[(uint8_t)s[p]] &
					   GS1_DIGIT) &&
			    (gs1_class[(uint8_t)s[p + 1]] & GS1_DIGIT)) {
				gs1_fail(m, MARK_E_AI_UNKNOWN, NULL, p, 0, 0,
					 0);
				gs1_copy_printable(m->err.other, s + p,
						   n - p >= 4 ? 4 : n - p);
				return -1;
			}
			if (gs1_class[(uint8_t)s[p]] & GS1_DIGIT)
				bad = p + 1;
			gs1_fail(m, MARK_E_AI_EXPECTED, NULL, bad, 0, 0,
				 bad < n ? (uint8_t)s[bad] : 0);
			return -1;
		}
		if (m->nelements == MARK_ELEMENTS_MAX) {
			gs1_fail(m, MARK_E_ORDER, d->ai, p, 0, 0, 0);
			return -1;
		}
		if (check_repeat(d, p, &seen, m) < 0)
			return -1;
		if (read_value(d, s, n, p + d->ai_len, &len, &next, m) < 0 ||
		    check_value(d, s, p + d->ai_len, len, m) < 0)
			return -1;
		el = &m->elements[m->nelements];
		memcpy(el->ai, d->ai, sizeof(el->ai));
		el->off = (uint16_t)(p + d->ai_len);
		el->len = (uint16_t)len;
		defs[m->nelements++] = d;
		p = next;
	}
	if (m->nelements == 0) {
		gs1_fail(m, MARK_E_EMPTY, NULL, pos, 0, 0, 0);
		return -1;
	}
	return check_requisites(defs, m->nelements, m);
}

int
mark_check_digit(const char *digits, size_t n)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(uint8_t)digits[n - 1 - i] - '0';

		if (d > 9)
			return -1;
		sum += (i % 2 == 0) ? 3 * d : d;
	}
	return (int)((10 - sum % 10) % 10);
}

bool
mark_is_cset82(int c)
{
	return c >= 0 && c < 256 && (gs1_class[c] & GS1_CSET82);
}
