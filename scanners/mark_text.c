/*
 * mark_text: names and operator-facing sentences for struct mark.
 *
 * Kept apart from the parser so that parsing never formats text. The
 * sentences are English msgids of the gettext domain "sklad"; po/ru.po
 * carries the Russian that operators read. Each names what went wrong and,
 * where the operator or admin can fix it, how.
 */
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "mark.h"
#include "scanners/i18n.h"


static const char *const err_names[] = {
#define NAME(name, str) str,
	MARK_ERRORS(NAME)
#undef NAME
};

static const char *const err_messages[MARK_E_COUNT] = {
	[MARK_E_OK] = N_("Valid code."),
	[MARK_E_EMPTY] = N_("Empty scan: nothing was read."),
	[MARK_E_TOO_LONG_SCAN] = N_("The scan is {len} characters long; no "
		"marking code is longer than {want}."),
	[MARK_E_CYRILLIC] = N_("Russian letters at character {pos}: the "
		"scanner typed the code through the Russian keyboard layout. "
		"Switch the keyboard layout to English or set the scanner's "
		"keyboard country to US (scanners read through evdev are not "
		"affected)."),
	[MARK_E_GS_AS_TEXT] = N_("The group separator arrived as the text "
		"{other} at character {pos}, not as the GS character. Set the "
		"scanner to send GS (ASCII 29) for FNC1."),
	[MARK_E_AIM_UNKNOWN] = N_("The scanner reports symbology {other}: "
		"this is neither a DataMatrix marking code nor an SSCC label."),
	[MARK_E_AIM_D1_GS1] = N_("This DataMatrix has no FNC1 (]d1), so it "
		"is not a GS1 code; only 29-character cigarette pack codes are "
		"printed that way. The label is misprinted."),
	[MARK_E_AIM_LINEAR] = N_("A marking code in a linear barcode (]C1): "
		"marking codes are DataMatrix. Scan the DataMatrix."),
	[MARK_E_AI_EXPECTED] = N_("An application identifier (two digits) "
		"should start at character {pos}; found {byte}."),
	[MARK_E_AI_UNKNOWN] = N_("Unknown application identifier {other} at "
		"character {pos}: a separator is missing or the code is "
		"damaged."),
	[MARK_E_EMPTY_ELEMENT] = N_("Empty element at character {pos}: two "
		"separators in a row, or an identifier without a value."),
	[MARK_E_VALUE_SHORT] = N_("{ai} has {len} characters, it needs "
		"{want}: the code is cut short."),
	[MARK_E_VALUE_LONG] = N_("{ai} has {len} characters, at most {want} "
		"are allowed."),
	[MARK_E_NOT_DIGIT] = N_("{ai} must be digits; character {pos} is "
		"{byte}."),
	[MARK_E_CSET] = N_("Character {pos} ({byte}) is not allowed in {ai}."),
	[MARK_E_CHECK_DIGIT] = N_("Wrong check digit in {ai}: {byte}, should "
		"be {want}. The code is misread or misprinted."),
	[MARK_E_DATE] = N_("{ai} is not a valid date (YYMMDD)."),
	[MARK_E_REPEAT] = N_("{ai} appears twice (character {pos})."),
	[MARK_E_REQUISITE] = N_("{ai} is only allowed together with "
		"{other}."),
	[MARK_E_FIRST_AI] = N_("A marking code starts with (01), the GTIN; "
		"this one starts with {ai}."),
	[MARK_E_NO_SERIAL] = N_("No serial number (21) after the GTIN: this "
		"is a product barcode, not a marking code."),
	[MARK_E_SERIAL_LEN] = N_("The serial number (21) has {len} "
		"characters; Chestny ZNAK serials have 6, 7, 13 or 20."),
	[MARK_E_GS_MISSING] = N_("The separator (GS) after {ai} is missing "
		"at character {pos}: the scanner drops it. Turn on \"FNC1 as "
		"GS\" (Ctrl+]) in the scanner settings."),
	[MARK_E_CRYPTO_LEN] = N_("The crypto part {ai} has {len} characters, "
		"it must have {want}."),
	[MARK_E_CRYPTO_PAIR] = N_("{ai} and {other} go together; one of them "
		"is missing."),
	[MARK_E_ORDER] = N_("{ai} is not allowed at character {pos} of this "
		"marking code."),
	[MARK_E_SSCC_EXTRA] = N_("An SSCC (00) stands alone; {other} follows "
		"it."),
	[MARK_E_COMMAND] = N_("Unreadable command barcode at character "
		"{pos}."),
};

const char *
mark_err_name(enum mark_err code)
{
	return (unsigned)code < MARK_E_COUNT ? err_names[code] : "unknown";
}

const char *
mark_kind_name(enum mark_kind kind)
{
	switch (kind) {
	case MARK_ITEM:
	case MARK_TOBACCO_BLOCK:
	case MARK_TOBACCO_SET:
	case MARK_CIGARETTE_PACK:
		return "mark";
	case MARK_SSCC:
		return "sscc";
	case MARK_COMMAND:
		return "command";
	case MARK_INVALID:
		break;
	}
	return NULL;
}

const char *
mark_layout_name(enum mark_layout layout)
{
	static const char *const names[] = {
		[MARK_LAYOUT_NONE] = NULL,
		[MARK_LAYOUT_KI] = "ki",
		[MARK_LAYOUT_93] = "93",
		[MARK_LAYOUT_93_WEIGHT] = "93_weight",
		[MARK_LAYOUT_93_VOLUME] = "93_volume",
		[MARK_LAYOUT_91_92] = "91_92",
		[MARK_LAYOUT_TOBACCO] = "tobacco",
		[MARK_LAYOUT_CIGARETTE] = "cigarette_pack",
		[MARK_LAYOUT_SSCC] = "sscc",
		[MARK_LAYOUT_COMMAND] = "command",
	};

	return (unsigned)layout < sizeof(names) / sizeof(names[0]) ?
		names[layout] : NULL;
}

/* An element as people write it: "(21)"; other labels as they are. */
static void
format_ai(const char *ai, char *out, size_t n)
{
	if (ai[0] >= '0' && ai[0] <= '9')
		snprintf(out, n, "(%s)", ai);
	else if (ai[0] != '\0')
		snprintf(out, n, "%s", ai);
	else
		snprintf(out, n, "%s", _("the code"));
}

/* A byte as people can read it: 'x' when printable, else 0xNN. */
static void
format_byte(uint8_t b, char *out, size_t n)
{
	if (b > 0x20 && b < 0x7f)
		snprintf(out, n, "'%c'", b);
	else
		snprintf(out, n, "0x%02X", b);
}

/* The text for one {placeholder}, or NULL if name is none. */
static const char *
field_text(const struct mark_error *e, const char *name, size_t nlen,
	   char *tmp, size_t tmpn)
{
	if (nlen == 2 && memcmp(name, "ai", 2) == 0)
		format_ai(e->ai, tmp, tmpn);
	else if (nlen == 5 && memcmp(name, "other", 5) == 0)
		format_ai(e->other, tmp, tmpn);
	else if (nlen == 3 && memcmp(name, "pos", 3) == 0)
		snprintf(tmp, tmpn, "%u", (unsigned)e->pos + 1);
	else if (nlen == 3 && memcmp(name, "len", 3) == 0)
		snprintf(tmp, tmpn, "%u", (unsigned)e->len);
	else if (nlen == 4 && memcmp(name, "want", 4) == 0)
		snprintf(tmp, tmpn, "%u", (unsigned)e->want);
	else if (nlen == 4 && memcmp(name, "byte", 4) == 0)
		format_byte(e->byte, tmp, tmpn);
	else
		return NULL;
	return tmp;
}

size_t
mark_strerror(const struct mark *m, char *buf, size_t n)
{
	const struct mark_error *e = &m->err;
	const char *t;
	size_t out = 0;

	t = (unsigned)e->code < MARK_E_COUNT ? err_messages[e->code] : NULL;
	t = _(t != NULL ? t : N_("Invalid code."));
	while (*t != '\0') {
		const char *close = *t == '{' ? strchr(t, '}') : NULL;
		char tmp[32];
		const char *f = close != NULL ?
			field_text(e, t + 1, (size_t)(close - t - 1), tmp,
				   sizeof(tmp)) : NULL;
		size_t flen = f != NULL ? strlen(f) : 1;

		if (f == NULL)
			f = t;
		if (n > 0 && out < n - 1) {
			size_t room = n - 1 - out;

			memcpy(buf + out, f, flen < room ? flen : room);
		}
		out += flen;
		t = close != NULL && f == tmp ? close + 1 : t + 1;
	}
	if (n > 0)
		buf[out < n ? out : n - 1] = '\0';
	return out;
}
