/*
 * mark: the Chestny ZNAK layer over GS1 element strings (see mark.h).
 *
 * Order of decisions, as codes.md §8 gives them: symbology identifier,
 * leading GS, command barcode, the 29-character cigarette pack, then GS1
 * element strings, split into SSCC (00) and marking codes (01)(21)...
 * whose tail must be one of the crypto layouts of §3. When a scan is
 * refused, the reason is refined last: Cyrillic letters mean a Russian
 * keyboard layout, "<GS>" text means a separator typed as text, and a value
 * that runs into a known AI at a legal length means a dropped GS. Those are
 * the failures operators meet every day (users.md §b), so they get their
 * own words instead of a generic format error.
 */
#include <string.h>

#include "gs1.h"
#include "mark.h"

/* AIM_TEXT: ]C0 (Code 128 without FNC1) or ]Q1 (plain QR): only sklad's
 * command barcodes are printed that way. */
enum aim { AIM_NONE, AIM_D2, AIM_D1, AIM_C1, AIM_TEXT };

#define CIGARETTE_LEN 29

static const uint8_t serial_lengths[] = { 6, 7, 13, 20 };

static bool
ai_is(const struct mark_element *el, const char *ai)
{
	return strcmp(el->ai, ai) == 0;
}

static void
set_other(struct mark *m, const char *ai)
{
	size_t n = strlen(ai);

	if (n >= sizeof(m->err.other))
		n = sizeof(m->err.other) - 1;
	memcpy(m->err.other, ai, n);
	m->err.other[n] = '\0';
}

static bool
is_serial_length(size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(serial_lengths); i++)
		if (serial_lengths[i] == len)
			return true;
	return false;
}

/*
 * A value of AI ai at s[off..off+len) that is longer than its layout
 * allows: if a known AI starts where the value should have ended, the
 * scanner dropped the GS there. Sets GS_MISSING and returns true if so.
 */
static bool
explain_missing_gs(const char *s, const char *ai, size_t off, size_t len,
		   struct mark *m)
{
	static const uint8_t four[] = { 4 };
	static const uint8_t six[] = { 6 };
	const uint8_t *ends;
	size_t nends, i;

	if (strcmp(ai, "21") == 0) {
		ends = serial_lengths;
		nends = sizeof(serial_lengths);
	} else if (strcmp(ai, "91") == 0 || strcmp(ai, "93") == 0) {
		ends = four;
		nends = 1;
	} else if (strcmp(ai, "8005") == 0) {
		ends = six;
		nends = 1;
	} else {
		return false;
	}
	for (i = 0; i < nends; i++) {
		size_t k = ends[i];

		if (k + 2 <= len && gs1_is_ai_at(s + off + k, len - k)) {
			gs1_fail(m, MARK_E_GS_MISSING, ai, off + k, len, k, 0);
			return true;
		}
	}
	return false;
}

static void
copy_text(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* cis = "01" + GTIN + "21" + serial, built from the copies in m. */
static void
build_cis(struct mark *m, size_t serial_len)
{
	char *c = m->cis;

	c[0] = '0';
	c[1] = '1';
	memcpy(c + 2, m->gtin, MARK_GTIN_LEN);
	c[2 + MARK_GTIN_LEN] = '2';
	c[3 + MARK_GTIN_LEN] = '1';
	memcpy(c + 4 + MARK_GTIN_LEN, m->serial, serial_len);
	c[4 + MARK_GTIN_LEN + serial_len] = '\0';
}

static int
check_crypto_len(const char *s, const struct mark_element *el, size_t want,
		 struct mark *m)
{
	if (el->len == want)
		return 0;
	if (el->len > want && explain_missing_gs(s, el->ai, el->off, el->len,
						 m))
		return -1;
	gs1_fail(m, MARK_E_CRYPTO_LEN, el->ai, el->off, el->len, want, 0);
	return -1;
}

/* (01)(21)(8005)(93)[anything]: tobacco block or set, 7-char serial. */
static int
tobacco_tail(const char *s, size_t serial_len, struct mark *m)
{
	const struct mark_element *el = &m->elements[2];
	size_t i;

	if (serial_len != 7) {
		gs1_fail(m, MARK_E_ORDER, "8005", el->off - 4, serial_len, 7,
			 0);
		set_other(m, "21");
		return -1;
	}
	if (m->nelements < 4 || !ai_is(&el[1], "93")) {
		gs1_fail(m, MARK_E_CRYPTO_PAIR, "8005", el->off, 0, 0, 0);
		set_other(m, "93");
		return -1;
	}
	if (check_crypto_len(s, &el[1], 4, m) < 0)
		return -1;
	m->kind = MARK_TOBACCO_SET;
	for (i = 0; i < el->len; i++)
		if (s[el->off + i] != '0')
			m->kind = MARK_TOBACCO_BLOCK;
	m->layout = MARK_LAYOUT_TOBACCO;
	return 0;
}

/* (93)[(3103) | (335Y)]: the short crypto layout. */
static int
tail_93(const char *s, size_t serial_len, struct mark *m)
{
	const struct mark_element *el = &m->elements[2];

	if (check_crypto_len(s, el, 4, m) < 0)
		return -1;
	m->layout = MARK_LAYOUT_93;
	if (m->nelements == 3)
		return 0;
	if (ai_is(&el[1], "3103") && serial_len == 6)
		m->layout = MARK_LAYOUT_93_WEIGHT;
	else if (strncmp(el[1].ai, "335", 3) == 0 && serial_len == 7)
		m->layout = MARK_LAYOUT_93_VOLUME;
	if (m->layout == MARK_LAYOUT_93 || m->nelements > 4) {
		const struct mark_element *bad =
			m->layout == MARK_LAYOUT_93 ? &el[1] : &el[2];

		gs1_fail(m, MARK_E_ORDER, bad->ai, bad->off - strlen(bad->ai),
			 serial_len, 0, 0);
		set_other(m, "93");
		m->layout = MARK_LAYOUT_NONE;
		return -1;
	}
	return 0;
}

/* [(240)](91)(92): the long crypto layout; (240) only with 13-char serials. */
static int
tail_91_92(const char *s, size_t serial_len, struct mark *m)
{
	const struct mark_element *el = &m->elements[2];
	const struct mark_element *end = &m->elements[m->nelements];

	if (ai_is(el, "240")) {
		if (serial_len != 13) {
			gs1_fail(m, MARK_E_ORDER, "240", el->off - 3,
				 serial_len, 13, 0);
			set_other(m, "21");
			return -1;
		}
		el++;
	}
	if (el == end || !ai_is(el, "91")) {
		const char *what = el == end ? "" : el->ai;

		gs1_fail(m, el == end ? MARK_E_CRYPTO_PAIR : MARK_E_ORDER,
			 el == end ? "240" : what,
			 el == end ? el[-1].off : (size_t)el->off - strlen(what),
			 0, 0, 0);
		set_other(m, "91");
		return -1;
	}
	if (check_crypto_len(s, el, 4, m) < 0)
		return -1;
	if (el + 1 == end || !ai_is(&el[1], "92")) {
		gs1_fail(m, MARK_E_CRYPTO_PAIR, "91", el->off, 0, 0, 0);
		set_other(m, "92");
		return -1;
	}
	el++;
	if (el->len != 44 && el->len != 88) {
		gs1_fail(m, MARK_E_CRYPTO_LEN, "92", el->off, el->len,
			 el->len < 66 ? 44 : 88, 0);
		return -1;
	}
	if (el + 1 != end) {
		gs1_fail(m, MARK_E_ORDER, el[1].ai, el[1].off - strlen(el[1].ai),
			 0, 0, 0);
		set_other(m, "92");
		return -1;
	}
	m->layout = MARK_LAYOUT_91_92;
	return 0;
}

/* The elements start with (01): apply the Chestny ZNAK layouts. */
static int
marking_code(const char *s, struct mark *m)
{
	const struct mark_element *el = m->elements;
	size_t serial_len;
	int rc;

	if (m->nelements < 2 || !ai_is(&el[1], "21")) {
		gs1_fail(m, MARK_E_NO_SERIAL, "01",
			 m->nelements < 2 ? el[0].off + el[0].len : el[1].off,
			 0, 0, 0);
		set_other(m, m->nelements < 2 ? "" : el[1].ai);
		return -1;
	}
	serial_len = el[1].len;
	if (!is_serial_length(serial_len)) {
		if (!explain_missing_gs(s, "21", el[1].off, serial_len, m))
			gs1_fail(m, MARK_E_SERIAL_LEN, "21", el[1].off,
				 serial_len, 0, 0);
		return -1;
	}
	copy_text(m->gtin, s + el[0].off, MARK_GTIN_LEN);
	copy_text(m->serial, s + el[1].off, serial_len);
	m->kind = MARK_ITEM;
	if (m->nelements == 2) {
		m->layout = MARK_LAYOUT_KI;
		rc = 0;
	} else if (ai_is(&el[2], "8005")) {
		rc = tobacco_tail(s, serial_len, m);
	} else if (ai_is(&el[2], "93")) {
		rc = tail_93(s, serial_len, m);
	} else if (ai_is(&el[2], "240") || ai_is(&el[2], "91")) {
		rc = tail_91_92(s, serial_len, m);
	} else if (ai_is(&el[2], "92")) {
		gs1_fail(m, MARK_E_CRYPTO_PAIR, "92", el[2].off, 0, 0, 0);
		set_other(m, "91");
		rc = -1;
	} else {
		gs1_fail(m, MARK_E_ORDER, el[2].ai,
			 el[2].off - strlen(el[2].ai), serial_len, 0, 0);
		set_other(m, "21");
		rc = -1;
	}
	if (rc < 0)
		return -1;
	m->has_crypto = m->layout != MARK_LAYOUT_KI;
	build_cis(m, serial_len);
	return 0;
}

/*
 * The cigarette pack: GTIN(14) serial(7) MRP(4) check code(4), no AIs, no
 * GS. Only called when s holds 29 bytes starting with 14 digits.
 */
static int
cigarette_pack(const char *s, size_t off, struct mark *m)
{
	int cd = mark_check_digit(s + off, MARK_GTIN_LEN - 1);
	size_t i;

	if (cd != s[off + MARK_GTIN_LEN - 1] - '0') {
		gs1_fail(m, MARK_E_CHECK_DIGIT, "GTIN",
			 off + MARK_GTIN_LEN - 1, MARK_GTIN_LEN, (size_t)cd,
			 (uint8_t)s[off + MARK_GTIN_LEN - 1]);
		return -1;
	}
	for (i = off + MARK_GTIN_LEN; i < off + CIGARETTE_LEN; i++) {
		if (!(gs1_class[(uint8_t)s[i]] & GS1_CSET82)) {
			gs1_fail(m, MARK_E_CSET, "", i, CIGARETTE_LEN, 0,
				 (uint8_t)s[i]);
			return -1;
		}
	}
	copy_text(m->gtin, s + off, MARK_GTIN_LEN);
	copy_text(m->serial, s + off + MARK_GTIN_LEN, 7);
	/* The pack's КИ as GTIN + serial; whether documents want the 4-char
	 * MRP too is not confirmed (codes.md §10). */
	copy_text(m->cis, s + off, MARK_GTIN_LEN + 7);
	m->kind = MARK_CIGARETTE_PACK;
	m->layout = MARK_LAYOUT_CIGARETTE;
	m->has_crypto = true;
	return 0;
}

static bool
looks_like_cigarette(const char *s, size_t off, size_t n)
{
	size_t i;

	if (n - off != CIGARETTE_LEN || memchr(s + off, MARK_GS, n - off))
		return false;
	for (i = off; i < off + MARK_GTIN_LEN; i++)
		if (!(gs1_class[(uint8_t)s[i]] & GS1_DIGIT))
			return false;
	return true;
}

static int
command_barcode(const char *s, size_t off, size_t n, struct mark *m)
{
	size_t len = n - off, i;

	if (len == 0 || len > MARK_COMMAND_MAX) {
		gs1_fail(m, MARK_E_COMMAND, NULL, off, len, MARK_COMMAND_MAX,
			 0);
		return -1;
	}
	for (i = off; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c <= ' ' || c >= 0x7f) {
			gs1_fail(m, MARK_E_COMMAND, NULL, i, len, 0, c);
			return -1;
		}
	}
	copy_text(m->command, s + off, len);
	m->kind = MARK_COMMAND;
	m->layout = MARK_LAYOUT_COMMAND;
	return 0;
}

static int
read_aim(const char *s, size_t n, struct mark *m, enum aim *aim)
{
	*aim = AIM_NONE;
	if (s[0] != ']')
		return 0;
	if (n < 3) {
		gs1_fail(m, MARK_E_AIM_UNKNOWN, NULL, 0, n, 3, 0);
		gs1_copy_printable(m->err.other, s, n);
		return -1;
	}
	gs1_copy_printable(m->aim, s, 3);
	if (s[1] == 'd' && s[2] == '2')
		*aim = AIM_D2;
	else if (s[1] == 'd' && s[2] == '1')
		*aim = AIM_D1;
	else if (s[1] == 'C' && s[2] == '1')
		*aim = AIM_C1;
	else if ((s[1] == 'C' && s[2] == '0') || (s[1] == 'Q' && s[2] == '1'))
		*aim = AIM_TEXT;
	else {
		gs1_fail(m, MARK_E_AIM_UNKNOWN, NULL, 0, 3, 0, 0);
		gs1_copy_printable(m->err.other, s, 3);
		return -1;
	}
	return 0;
}

static int
parse_scan(const char *s, size_t n, struct mark *m)
{
	const size_t cmdlen = sizeof(MARK_COMMAND_PREFIX) - 1;
	enum aim aim;
	size_t p;

	if (read_aim(s, n, m, &aim) < 0)
		return -1;
	p = aim == AIM_NONE ? 0 : 3;
	if (p < n && s[p] == MARK_GS)
		p++;
	/* a command barcode printed as a plain DataMatrix (]d1), Code 128
	 * (]C0) or QR (]Q1), or sent without an identifier */
	if (aim != AIM_D2 && aim != AIM_C1 && n - p >= cmdlen &&
	    memcmp(s + p, MARK_COMMAND_PREFIX, cmdlen) == 0)
		return command_barcode(s, p + cmdlen, n, m);
	if (aim == AIM_TEXT) {
		gs1_fail(m, MARK_E_AIM_UNKNOWN, NULL, 0, 3, 0, 0);
		gs1_copy_printable(m->err.other, s, 3);
		return -1;
	}
	if ((aim == AIM_NONE || aim == AIM_D1) && looks_like_cigarette(s, p, n))
		return cigarette_pack(s, p, m);
	if (aim == AIM_D1) {
		gs1_fail(m, MARK_E_AIM_D1_GS1, NULL, 0, n - p, CIGARETTE_LEN,
			 0);
		return -1;
	}
	if (gs1_parse(s, n, p, m) < 0) {
		enum mark_err c = m->err.code;

		if (c == MARK_E_VALUE_LONG || c == MARK_E_VALUE_SHORT)
			explain_missing_gs(s, m->err.ai, m->err.pos,
					   m->err.len, m);
		return -1;
	}
	if (ai_is(&m->elements[0], "00")) {
		if (m->nelements > 1) {
			gs1_fail(m, MARK_E_SSCC_EXTRA, "00",
				 m->elements[1].off -
				 strlen(m->elements[1].ai), 0, 0, 0);
			set_other(m, m->elements[1].ai);
			return -1;
		}
		copy_text(m->sscc, s + m->elements[0].off, MARK_SSCC_LEN);
		m->kind = MARK_SSCC;
		m->layout = MARK_LAYOUT_SSCC;
		return 0;
	}
	if (!ai_is(&m->elements[0], "01")) {
		gs1_fail(m, MARK_E_FIRST_AI, m->elements[0].ai, p, 0, 0, 0);
		return -1;
	}
	if (aim == AIM_C1) {
		gs1_fail(m, MARK_E_AIM_LINEAR, NULL, 0, 0, 0, 0);
		return -1;
	}
	return marking_code(s, m);
}

/* Byte offset of the first Cyrillic letter (or №) in UTF-8, or -1. */
static long
find_cyrillic(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		uint8_t a = (uint8_t)s[i], b = (uint8_t)s[i + 1];

		if ((a == 0xd0 && b >= 0x80 && b <= 0xbf) ||
		    (a == 0xd1 && b >= 0x80 && b <= 0x9f))
			return (long)i;
		if (a == 0xe2 && i + 2 < n && b == 0x84 &&
		    (uint8_t)s[i + 2] == 0x96)
			return (long)i;
	}
	return -1;
}

static long
find_gs_text(const char *s, size_t n, const char **token)
{
	static const char *const tokens[] = {
		"<GS>", "<gs>", "{GS}", "[GS]", "<FNC1>", "{FNC1}",
		"\\x1d", "\\x1D", "\\u001d", "\\u001D", "\\035",
	};
	size_t t, i;

	for (i = 0; i < n; i++) {
		if (s[i] != '<' && s[i] != '{' && s[i] != '[' && s[i] != '\\')
			continue;
		for (t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++) {
			size_t tl = strlen(tokens[t]);

			if (n - i >= tl && memcmp(s + i, tokens[t], tl) == 0) {
				*token = tokens[t];
				return (long)i;
			}
		}
	}
	return -1;
}

/* Characters (UTF-8 lead bytes) before byte offset off. */
static size_t
char_index(const char *s, size_t off)
{
	size_t i, chars = 0;

	for (i = 0; i < off; i++)
		if (((uint8_t)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

/* A refusal's reason, refined by what the whole scan shows. */
static void
refine_refusal(const char *s, size_t n, struct mark *m)
{
	const char *token = NULL;
	long at;

	if ((at = find_cyrillic(s, n)) >= 0) {
		gs1_fail(m, MARK_E_CYRILLIC, NULL, (size_t)at, n, 0,
			 (uint8_t)s[at]);
	} else if ((at = find_gs_text(s, n, &token)) >= 0) {
		gs1_fail(m, MARK_E_GS_AS_TEXT, NULL, (size_t)at, n, 0, 0);
		set_other(m, token);
	}
	/* Positions are shown to people: count characters, not bytes. */
	m->err.pos = (uint16_t)char_index(s, m->err.pos);
}

static void
mark_reset(struct mark *m)
{
	m->kind = MARK_INVALID;
	m->layout = MARK_LAYOUT_NONE;
	m->has_crypto = false;
	m->aim[0] = m->gtin[0] = m->serial[0] = m->cis[0] = '\0';
	m->sscc[0] = m->command[0] = '\0';
	m->nelements = 0;
	memset(&m->err, 0, sizeof(m->err));
}

int
mark_parse(const char *scan, size_t len, struct mark *m)
{
	mark_reset(m);
	if (len == 0) {
		gs1_fail(m, MARK_E_EMPTY, NULL, 0, 0, 0, 0);
		return -1;
	}
	if (len > MARK_SCAN_MAX) {
		gs1_fail(m, MARK_E_TOO_LONG_SCAN, NULL, 0, len, MARK_SCAN_MAX,
			 0);
		return -1;
	}
	if (parse_scan(scan, len, m) == 0)
		return 0;
	m->kind = MARK_INVALID;
	m->layout = MARK_LAYOUT_NONE;
	m->has_crypto = false;
	m->gtin[0] = m->serial[0] = m->cis[0] = m->sscc[0] = '\0';
	refine_refusal(scan, len, m);
	return -1;
}

int
mark_sscc_check(const char *code, size_t len, struct mark *m)
{
	char buf[2 + MARK_SSCC_LEN];
	size_t p = 0;

	mark_reset(m);
	if (len >= 3 && (memcmp(code, "]C1", 3) == 0 ||
			 memcmp(code, "]d2", 3) == 0))
		p = 3;
	if (len - p == 4 + MARK_SSCC_LEN && memcmp(code + p, "(00)", 4) == 0)
		p += 4;
	else if (len - p == 2 + MARK_SSCC_LEN && memcmp(code + p, "00", 2) == 0)
		p += 2;
	if (len - p != MARK_SSCC_LEN) {
		gs1_fail(m, len - p < MARK_SSCC_LEN ? MARK_E_VALUE_SHORT :
			 MARK_E_VALUE_LONG, "00", p, len - p, MARK_SSCC_LEN, 0);
		refine_refusal(code, len, m);
		return -1;
	}
	/* The element rules of (00) decide: digits, then the check digit. */
	memcpy(buf, "00", 2);
	memcpy(buf + 2, code + p, MARK_SSCC_LEN);
	if (gs1_parse(buf, sizeof(buf), 0, m) < 0) {
		m->err.pos = (uint16_t)(m->err.pos - 2 + p);
		m->nelements = 0;
		refine_refusal(code, len, m);
		return -1;
	}
	m->elements[0].off = (uint16_t)p;
	copy_text(m->sscc, code + p, MARK_SSCC_LEN);
	m->kind = MARK_SSCC;
	m->layout = MARK_LAYOUT_SSCC;
	return 0;
}

int
mark_sscc_make(int extension, const char *gcp, uint64_t serial_ref,
	       char out[MARK_SSCC_LEN + 1])
{
	size_t glen = strlen(gcp), i, width;
	uint64_t limit = 1;
	int cd;

	out[0] = '\0';
	if (extension < 0 || extension > 9 || glen < 6 || glen > 12)
		return -1;
	for (i = 0; i < glen; i++)
		if (gcp[i] < '0' || gcp[i] > '9')
			return -1;
	width = MARK_SSCC_LEN - 2 - glen;
	for (i = 0; i < width; i++)
		limit *= 10;
	if (serial_ref >= limit)
		return -1;
	out[0] = (char)('0' + extension);
	memcpy(out + 1, gcp, glen);
	for (i = 0; i < width; i++) {
		out[1 + glen + width - 1 - i] = (char)('0' + serial_ref % 10);
		serial_ref /= 10;
	}
	cd = mark_check_digit(out, MARK_SSCC_LEN - 1);
	out[MARK_SSCC_LEN - 1] = (char)('0' + cd);
	out[MARK_SSCC_LEN] = '\0';
	return 0;
}
