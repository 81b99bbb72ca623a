/*
 * test_mark: every rule of codes.md §2-§8, one named case at a time.
 *
 * Valid codes of each layout first, with the fields they must yield; then
 * each kind of refusal with the element and position it must name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scanners/mark.h"

#define GS "\x1d"
#define GTIN "04600439931256"	/* check digit 6, codes.md §6 */
#define CRYPTO44 "Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA="
#define CRYPTO88 CRYPTO44 CRYPTO44

static struct mark m;

static int
parse(const char *s)
{
	return mark_parse(s, strlen(s), &m);
}

/* Parse s, expect a refusal with code, element ai (NULL: don't care) and
 * 1-based character position pos (0: don't care). */
static void
refused(const char *s, enum mark_err code, const char *ai, unsigned pos)
{
	char msg[512];

	assert_int_equal(parse(s), -1);
	assert_int_equal(m.kind, MARK_INVALID);
	if (m.err.code != code)
		fail_msg("%s: expected %s, got %s", s, mark_err_name(code),
			 mark_err_name(m.err.code));
	if (ai != NULL)
		assert_string_equal(m.err.ai, ai);
	if (pos != 0)
		assert_int_equal(m.err.pos + 1, pos);
	assert_string_equal(m.cis, "");
	/* Every refusal renders as a full sentence with no placeholder. */
	mark_strerror(&m, msg, sizeof(msg));
	assert_null(strstr(msg, "{ai}"));
	assert_null(strstr(msg, "{pos}"));
	assert_null(strstr(msg, "{other}"));
	assert_true(strlen(msg) > 10);
}

static void
valid_mark(const char *s, enum mark_layout layout, const char *serial)
{
	if (parse(s) != 0) {
		char msg[512];

		mark_strerror(&m, msg, sizeof(msg));
		fail_msg("%s refused: %s", s, msg);
	}
	assert_int_equal(m.layout, layout);
	assert_string_equal(m.serial, serial);
}

/* --- valid codes of every layout ---------------------------------------- */

static void
test_valid_91_92_with_aim(void **state)
{
	char cis[64];

	(void)state;
	valid_mark("]d201" GTIN "215bCz6iW;XX9N3" GS "91EE06" GS "92" CRYPTO44,
		   MARK_LAYOUT_91_92, "5bCz6iW;XX9N3");
	assert_int_equal(m.kind, MARK_ITEM);
	assert_string_equal(m.aim, "]d2");
	assert_string_equal(m.gtin, GTIN);
	snprintf(cis, sizeof(cis), "01%s21%s", GTIN, "5bCz6iW;XX9N3");
	assert_string_equal(m.cis, cis);
	assert_int_equal(strlen(m.cis), 31);
	assert_true(m.has_crypto);
	assert_int_equal(m.nelements, 4);
	assert_string_equal(m.elements[2].ai, "91");
	assert_int_equal(m.elements[3].len, 44);
	assert_string_equal(mark_kind_name(m.kind), "mark");
}

static void
test_valid_shoes_240_and_88(void **state)
{
	(void)state;
	valid_mark("01" GTIN "21ABCDEFGHIJKLM" GS "2406402" GS "91EE06" GS
		   "92" CRYPTO88, MARK_LAYOUT_91_92, "ABCDEFGHIJKLM");
	assert_int_equal(m.elements[4].len, 88);
	/* Tires: the (92) group itself ends with GS. */
	valid_mark("01" GTIN "21ABCDEFGHIJKLM" GS "91EE06" GS "92" CRYPTO44 GS,
		   MARK_LAYOUT_91_92, "ABCDEFGHIJKLM");
}

static void
test_valid_93_layouts(void **state)
{
	(void)state;
	/* Water, 13-char serial. */
	valid_mark("01" GTIN "215ABCDEFGHIJKL" GS "93dGt6", MARK_LAYOUT_93,
		   "5ABCDEFGHIJKL");
	/* Dairy, 6-char serial, optional weight after (93). */
	valid_mark("01" GTIN "215aB!c%" GS "93dGt6", MARK_LAYOUT_93, "5aB!c%");
	valid_mark("01" GTIN "215aB!c%" GS "93dGt6" GS "3103000250",
		   MARK_LAYOUT_93_WEIGHT, "5aB!c%");
	/* Beer, 7-char serial, optional volume. */
	valid_mark("01" GTIN "215aB!c%_" GS "93dGt6" GS "3353001500",
		   MARK_LAYOUT_93_VOLUME, "5aB!c%_");
	/* Radio-electronics, 20-char serial. */
	valid_mark("01" GTIN "2112345678901234567890" GS "93abcd",
		   MARK_LAYOUT_93, "12345678901234567890");
	assert_true(m.has_crypto);
}

static void
test_valid_bare_ki(void **state)
{
	(void)state;
	valid_mark("01" GTIN "215ABCDEFGHIJKL", MARK_LAYOUT_KI,
		   "5ABCDEFGHIJKL");
	assert_false(m.has_crypto);
	assert_int_equal(strlen(m.cis), 31);
	/* A 7-char beer serial + "93" + 4 without GS is a 13-char КИ. */
	valid_mark("01" GTIN "21ABCDEFG93abcd", MARK_LAYOUT_KI,
		   "ABCDEFG93abcd");
}

static void
test_valid_tobacco(void **state)
{
	(void)state;
	/* The sample two independent test suites use (codes.md §4). */
	valid_mark("010460043993125621JgXJ5.T" GS "8005112000" GS "930001" GS
		   "923zbrLA==" GS "24014276281", MARK_LAYOUT_TOBACCO,
		   "JgXJ5.T");
	assert_int_equal(m.kind, MARK_TOBACCO_BLOCK);
	assert_int_equal(m.nelements, 6);
	assert_string_equal(m.cis, "010460043993125621JgXJ5.T");
	valid_mark("01" GTIN "21JgXJ5.T" GS "8005000000" GS "930001",
		   MARK_LAYOUT_TOBACCO, "JgXJ5.T");
	assert_int_equal(m.kind, MARK_TOBACCO_SET);
}

static void
test_valid_cigarette_packs(void **state)
{
	(void)state;
	valid_mark("04606203084623+A13gPh-4Hi7uGl", MARK_LAYOUT_CIGARETTE,
		   "+A13gPh");
	assert_string_equal(m.gtin, "04606203084623");
	assert_string_equal(m.cis, "04606203084623+A13gPh");
	assert_int_equal(m.kind, MARK_CIGARETTE_PACK);
	assert_true(m.has_crypto);
	valid_mark("00000046198488X?io+qCABm8wAYa", MARK_LAYOUT_CIGARETTE,
		   "X?io+qC");
	valid_mark("]d100000046209849Uon<TYfACyAJPHJ", MARK_LAYOUT_CIGARETTE,
		   "Uon<TYf");
}

static void
test_valid_sscc(void **state)
{
	static const char *const forms[] = {
		"00123456789012345675", "]C100123456789012345675",
		"]d200123456789012345675", "00123456789012345675" GS,
		GS "00123456789012345675",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		assert_int_equal(parse(forms[i]), 0);
		assert_int_equal(m.kind, MARK_SSCC);
		assert_string_equal(m.sscc, "123456789012345675");
		assert_string_equal(m.cis, "");
		assert_string_equal(mark_kind_name(m.kind), "sscc");
	}
	assert_int_equal(parse("00106141411234567897"), 0);
}

static void
test_valid_separators(void **state)
{
	(void)state;
	/* Leading GS (some scanners send the first FNC1 as GS). */
	valid_mark(GS "01" GTIN "215ABCDEFGHIJKL" GS "93dGt6", MARK_LAYOUT_93,
		   "5ABCDEFGHIJKL");
	valid_mark("]d2" GS "01" GTIN "215ABCDEFGHIJKL", MARK_LAYOUT_KI,
		   "5ABCDEFGHIJKL");
	/* A GS after a predefined-length element is superfluous. */
	valid_mark("01" GTIN GS "215ABCDEFGHIJKL", MARK_LAYOUT_KI,
		   "5ABCDEFGHIJKL");
}

static void
test_valid_command(void **state)
{
	(void)state;
	assert_int_equal(parse("SKLAD:CLOSE"), 0);
	assert_int_equal(m.kind, MARK_COMMAND);
	assert_string_equal(m.command, "CLOSE");
	assert_string_equal(mark_kind_name(m.kind), "command");
}

/* --- refusals ----------------------------------------------------------- */

static void
test_refuse_input_shape(void **state)
{
	char big[MARK_SCAN_MAX + 2];

	(void)state;
	refused("", MARK_E_EMPTY, NULL, 0);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused(big, MARK_E_TOO_LONG_SCAN, NULL, 0);
	assert_int_equal(m.err.len, MARK_SCAN_MAX + 1);
}

static void
test_refuse_symbology(void **state)
{
	(void)state;
	refused("]E04600439931256", MARK_E_AIM_UNKNOWN, NULL, 0);
	assert_string_equal(m.err.other, "]E0");
	refused("]Q301" GTIN "215ABCDEFGHIJKL", MARK_E_AIM_UNKNOWN, NULL, 0);
	refused("]d", MARK_E_AIM_UNKNOWN, NULL, 0);
	refused("]d101" GTIN "215ABCDEFGHIJKL" GS "93dGt6", MARK_E_AIM_D1_GS1,
		NULL, 0);
	refused("]d100123456789012345675", MARK_E_AIM_D1_GS1, NULL, 0);
	refused("]C101" GTIN "215ABCDEFGHIJKL" GS "93dGt6", MARK_E_AIM_LINEAR,
		NULL, 0);
	/* A cigarette pack is plain Data Matrix: with ]d2 it is GS1 data. */
	assert_int_equal(parse("]d204606203084623+A13gPh-4Hi7uGl"), -1);
}

static void
test_refuse_ai_structure(void **state)
{
	(void)state;
	refused("01" GTIN "2X5ABCDEFGHIJKL", MARK_E_AI_EXPECTED, NULL, 18);
	refused("01" GTIN "235ABCDEF", MARK_E_AI_UNKNOWN, NULL, 17);
	assert_string_equal(m.err.other, "235A");
	refused("01" GTIN "21ABCDEF" GS GS "93dGt6", MARK_E_EMPTY_ELEMENT,
		NULL, 26);
	refused("01" GTIN "21" GS "93dGt6", MARK_E_EMPTY_ELEMENT, "21", 19);
	refused("010460043993125", MARK_E_VALUE_SHORT, "01", 3);
	assert_int_equal(m.err.len, 13);
	assert_int_equal(m.err.want, 14);
	refused("01" GTIN "21ABCDEFGHIJKLMNOPQRSTU", MARK_E_VALUE_LONG, "21",
		19);
	assert_int_equal(m.err.len, 21);
}

static void
test_refuse_characters(void **state)
{
	(void)state;
	refused("0104600439931A56215ABCDEFGHIJKL", MARK_E_NOT_DIGIT, "01", 14);
	assert_int_equal(m.err.byte, 'A');
	refused("01" GTIN "21ABC DEF", MARK_E_CSET, "21", 22);
	refused("01" GTIN "21ABC#EF" GS "93dGt6", MARK_E_CSET, "21", 22);
	refused("01" GTIN "21ABCDEF" GS "93dG\r6", MARK_E_CSET, "93", 30);
	refused("01" GTIN "21ABCDEF" GS "8005A12000" GS "93dGt6",
		MARK_E_NOT_DIGIT, "8005", 30);
}

static void
test_refuse_check_digits_and_dates(void **state)
{
	(void)state;
	refused("0104600439931257215ABCDEFGHIJKL", MARK_E_CHECK_DIGIT, "01",
		16);
	assert_int_equal(m.err.want, 6);
	refused("00123456789012345670", MARK_E_CHECK_DIGIT, "00", 20);
	refused("04606203084624+A13gPh-4Hi7uGl", MARK_E_CHECK_DIGIT, "GTIN",
		14);
	/* Dates: month 13, 29 Feb in a common year; day 00 is allowed. A
	 * valid date then fails only because (21) must come second. */
	refused("01" GTIN "17251301", MARK_E_DATE, "17", 19);
	refused("01" GTIN "17250229", MARK_E_DATE, "17", 19);
	refused("01" GTIN "17250431", MARK_E_DATE, "17", 19);
	refused("01" GTIN "17240229", MARK_E_NO_SERIAL, "01", 0);
	refused("01" GTIN "17250200", MARK_E_NO_SERIAL, "01", 0);
}

static void
test_refuse_repeat_and_requisites(void **state)
{
	(void)state;
	refused("01" GTIN "21ABCDEF" GS "21ABCDEF", MARK_E_REPEAT, "21", 26);
	refused("21ABCDEF", MARK_E_REQUISITE, "21", 3);
	assert_string_equal(m.err.other, "01");
	refused("02" GTIN "10LOT", MARK_E_REQUISITE, "02", 0);
	assert_string_equal(m.err.other, "37");
	refused("3103000250", MARK_E_REQUISITE, "3103", 0);
	refused("8005112000", MARK_E_REQUISITE, "8005", 0);
}

static void
test_refuse_marking_layout(void **state)
{
	(void)state;
	refused("10LOT1" GS "01" GTIN "215ABCDEFGHIJKL", MARK_E_FIRST_AI,
		"10", 1);
	refused("01" GTIN, MARK_E_NO_SERIAL, "01", 0);
	refused("01" GTIN "10LOT" GS "215ABCDEFGHIJKL", MARK_E_NO_SERIAL, "01",
		0);
	assert_string_equal(m.err.other, "10");
	refused("01" GTIN "21ABCDEFGH", MARK_E_SERIAL_LEN, "21", 19);
	assert_int_equal(m.err.len, 8);
	refused("01" GTIN "21ABCDE" GS "93dGt6", MARK_E_SERIAL_LEN, "21", 0);
}

static void
test_refuse_dropped_gs(void **state)
{
	(void)state;
	/* Dairy: 6-char serial runs into (93). */
	refused("01" GTIN "215aBcd393dGt6", MARK_E_GS_MISSING, "21", 25);
	/* No GS at all in a 4-group code: the serial swallows everything. */
	refused("01" GTIN "215ABCDEFGHIJKL91EE0692" CRYPTO44,
		MARK_E_GS_MISSING, "21", 32);
	/* (91) runs into (92). */
	refused("01" GTIN "215ABCDEFGHIJKL" GS "91EE0692" CRYPTO44,
		MARK_E_GS_MISSING, "91", 39);
	/* (93) runs into (3103). */
	refused("01" GTIN "215aBcd3" GS "93dGt63103000250", MARK_E_GS_MISSING,
		"93", 32);
	/* (8005) runs into (93): GS1 says "too long". */
	refused("01" GTIN "21JgXJ5.T" GS "8005112000930001", MARK_E_GS_MISSING,
		"8005", 37);
}

static void
test_refuse_crypto(void **state)
{
	(void)state;
	refused("01" GTIN "215ABCDEFGHIJKL" GS "93dGt", MARK_E_CRYPTO_LEN,
		"93", 0);
	assert_int_equal(m.err.len, 3);
	assert_int_equal(m.err.want, 4);
	refused("01" GTIN "215ABCDEFGHIJKL" GS "91EE06" GS "92abc",
		MARK_E_CRYPTO_LEN, "92", 0);
	refused("01" GTIN "215ABCDEFGHIJKL" GS "91EE0" GS "92" CRYPTO44,
		MARK_E_CRYPTO_LEN, "91", 0);
	refused("01" GTIN "215ABCDEFGHIJKL" GS "91EE06", MARK_E_CRYPTO_PAIR,
		"91", 0);
	assert_string_equal(m.err.other, "92");
	refused("01" GTIN "215ABCDEFGHIJKL" GS "92" CRYPTO44,
		MARK_E_CRYPTO_PAIR, "92", 0);
	refused("01" GTIN "21JgXJ5.T" GS "8005112000", MARK_E_CRYPTO_PAIR,
		"8005", 0);
	refused("01" GTIN "215ABCDEFGHIJKL" GS "2406402", MARK_E_CRYPTO_PAIR,
		"240", 0);
}

static void
test_refuse_order(void **state)
{
	(void)state;
	/* (3103) belongs to dairy's 6-char serials only. */
	refused("01" GTIN "215ABCDEFGHIJKL" GS "93dGt6" GS "3103000250",
		MARK_E_ORDER, "3103", 0);
	/* (335Y) to beer's 7-char serials only. */
	refused("01" GTIN "215aBcd3" GS "93dGt6" GS "3353001500",
		MARK_E_ORDER, "3353", 0);
	/* (8005) only for 7-char tobacco serials. */
	refused("01" GTIN "215ABCDEFGHIJKL" GS "8005112000" GS "930001",
		MARK_E_ORDER, "8005", 0);
	/* (240) only before (91) with 13-char serials. */
	refused("01" GTIN "215aBcd3" GS "2406402" GS "91EE06" GS "92" CRYPTO44,
		MARK_E_ORDER, "240", 0);
	refused("01" GTIN "215ABCDEFGHIJKL" GS "10LOT", MARK_E_ORDER, "10",
		33);
	refused("01" GTIN "215ABCDEFGHIJKL" GS "91EE06" GS "92" CRYPTO44 GS
		"93dGt6", MARK_E_ORDER, "93", 0);
	refused("01" GTIN "215ABCDEFGHIJKL" GS "93dGt6" GS "91EE06",
		MARK_E_ORDER, "91", 0);
	refused("00123456789012345675" "91abcd", MARK_E_SSCC_EXTRA, "00", 21);
	assert_string_equal(m.err.other, "91");
}

static void
test_refuse_keyboard_layout(void **state)
{
	char msg[512];

	(void)state;
	/* "5ABCDEF..." typed with the Russian layout: letters are Cyrillic. */
	refused("01" GTIN "215ФИСВУАПРШОЛДЬ" GS "93dGt6", MARK_E_CYRILLIC,
		NULL, 20);
	mark_strerror(&m, msg, sizeof(msg));
	assert_non_null(strstr(msg, "keyboard layout"));
	/* Even the symbology identifier: "]d2" becomes "ъв2". */
	refused("ъв201" GTIN "215ABCDEFGHIJKL", MARK_E_CYRILLIC, NULL, 1);
	/* '#' becomes '№' on the Russian layout. */
	refused("01" GTIN "21ABC№EF", MARK_E_CYRILLIC, NULL, 22);
}

static void
test_refuse_gs_as_text(void **state)
{
	(void)state;
	refused("01" GTIN "215ABCDEFGHIJKL<GS>93dGt6", MARK_E_GS_AS_TEXT, NULL,
		32);
	assert_string_equal(m.err.other, "<GS>");
	refused("01" GTIN "215ABCDEFGHIJKL\\x1d93dGt6", MARK_E_GS_AS_TEXT,
		NULL, 32);
	refused("01" GTIN "215ABCDEFGHIJKL{FNC1}93dGt6", MARK_E_GS_AS_TEXT,
		NULL, 32);
}

static void
test_refuse_command(void **state)
{
	(void)state;
	refused("SKLAD:", MARK_E_COMMAND, NULL, 0);
	refused("SKLAD:CL OSE", MARK_E_COMMAND, NULL, 9);
}

static void
test_refuse_cigarette(void **state)
{
	(void)state;
	refused("04606203084623+A13gPh-4Hi7u l", MARK_E_CSET, "", 28);
	/* 28 characters: not a pack, and as GS1 data nonsense. */
	assert_int_equal(parse("04606203084623+A13gPh-4Hi7uG"), -1);
}

static void
test_refusal_clears_fields(void **state)
{
	(void)state;
	assert_int_equal(parse("01" GTIN "21ABCDEFGH"), -1);
	assert_string_equal(m.gtin, "");
	assert_string_equal(m.serial, "");
	assert_false(m.has_crypto);
	assert_null(mark_kind_name(m.kind));
	assert_null(mark_layout_name(m.layout));
}

/* The parser must read only the bytes it is given: a scan that is valid
 * as a prefix of a longer buffer is judged on its length alone. */
static void
test_reads_only_len(void **state)
{
	const char *s = "01" GTIN "215ABCDEFGHIJKL" GS "93dGt6garbage";

	(void)state;
	assert_int_equal(mark_parse(s, strlen(s) - 7, &m), 0);
	assert_int_equal(m.layout, MARK_LAYOUT_93);
	assert_int_equal(mark_parse(s, 10, &m), -1);
}

/* --- messages ----------------------------------------------------------- */

static void
test_strerror(void **state)
{
	char msg[512], small[10];
	size_t full;

	(void)state;
	parse("01" GTIN "21ABCDEFGH");
	full = mark_strerror(&m, msg, sizeof(msg));
	assert_int_equal(full, strlen(msg));
	assert_string_equal(msg, "The serial number (21) has 8 characters; "
			    "Chestny ZNAK serials have 6, 7, 13 or 20.");
	assert_int_equal(mark_strerror(&m, small, sizeof(small)), full);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(mark_strerror(&m, NULL, 0), full);
	parse("0104600439931257215ABCDEFGHIJKL");
	mark_strerror(&m, msg, sizeof(msg));
	assert_string_equal(msg, "Wrong check digit in (01): '7', should be 6. "
			    "The code is misread or misprinted.");
	parse("01" GTIN "21ABC\x01" "EF");
	mark_strerror(&m, msg, sizeof(msg));
	assert_non_null(strstr(msg, "0x01"));
	assert_string_equal(mark_err_name(MARK_E_GS_MISSING), "gs_missing");
}

/* --- SSCC and check digits ---------------------------------------------- */

static void
test_check_digit(void **state)
{
	(void)state;
	assert_int_equal(mark_check_digit("0460043993125", 13), 6);
	assert_int_equal(mark_check_digit("12345678901234567", 17), 5);
	assert_int_equal(mark_check_digit("10614141123456789", 17), 7);
	assert_int_equal(mark_check_digit("12a", 3), -1);
	assert_int_equal(mark_check_digit("", 0), 0);
}

static void
test_sscc_make(void **state)
{
	char out[MARK_SSCC_LEN + 1];

	(void)state;
	assert_int_equal(mark_sscc_make(1, "0614141", 123456789, out), 0);
	assert_string_equal(out, "106141411234567897");
	assert_int_equal(mark_sscc_make(0, "4600439", 1, out), 0);
	assert_string_equal(out, "046004390000000013");
	assert_int_equal(mark_sscc_check(out, strlen(out), &m), 0);
	/* The serial reference fills what the prefix leaves: 16 - 7 = 9. */
	assert_int_equal(mark_sscc_make(0, "4600439", 999999999, out), 0);
	assert_int_equal(mark_sscc_make(0, "4600439", 1000000000, out), -1);
	assert_string_equal(out, "");
	assert_int_equal(mark_sscc_make(10, "4600439", 1, out), -1);
	assert_int_equal(mark_sscc_make(-1, "4600439", 1, out), -1);
	assert_int_equal(mark_sscc_make(0, "46004", 1, out), -1);
	assert_int_equal(mark_sscc_make(0, "4600439012345", 1, out), -1);
	assert_int_equal(mark_sscc_make(0, "46004a9", 1, out), -1);
}

static void
test_sscc_check(void **state)
{
	static const char *const ok[] = {
		"106141411234567897", "00106141411234567897",
		"(00)106141411234567897", "]C100106141411234567897",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(mark_sscc_check(ok[i], strlen(ok[i]), &m), 0);
		assert_string_equal(m.sscc, "106141411234567897");
	}
	assert_int_equal(mark_sscc_check("106141411234567890", 18, &m), -1);
	assert_int_equal(m.err.code, MARK_E_CHECK_DIGIT);
	assert_int_equal(m.err.pos + 1, 18);
	assert_int_equal(mark_sscc_check("(00)106141411234567890", 22, &m), -1);
	assert_int_equal(m.err.pos + 1, 22);
	assert_int_equal(mark_sscc_check("12345", 5, &m), -1);
	assert_int_equal(m.err.code, MARK_E_VALUE_SHORT);
	assert_int_equal(mark_sscc_check("10614141123456789A", 18, &m), -1);
	assert_int_equal(m.err.code, MARK_E_NOT_DIGIT);
	assert_int_equal(mark_sscc_check("", 0, &m), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_91_92_with_aim),
		cmocka_unit_test(test_valid_shoes_240_and_88),
		cmocka_unit_test(test_valid_93_layouts),
		cmocka_unit_test(test_valid_bare_ki),
		cmocka_unit_test(test_valid_tobacco),
		cmocka_unit_test(test_valid_cigarette_packs),
		cmocka_unit_test(test_valid_sscc),
		cmocka_unit_test(test_valid_separators),
		cmocka_unit_test(test_valid_command),
		cmocka_unit_test(test_refuse_input_shape),
		cmocka_unit_test(test_refuse_symbology),
		cmocka_unit_test(test_refuse_ai_structure),
		cmocka_unit_test(test_refuse_characters),
		cmocka_unit_test(test_refuse_check_digits_and_dates),
		cmocka_unit_test(test_refuse_repeat_and_requisites),
		cmocka_unit_test(test_refuse_marking_layout),
		cmocka_unit_test(test_refuse_dropped_gs),
		cmocka_unit_test(test_refuse_crypto),
		cmocka_unit_test(test_refuse_order),
		cmocka_unit_test(test_refuse_keyboard_layout),
		cmocka_unit_test(test_refuse_gs_as_text),
		cmocka_unit_test(test_refuse_command),
		cmocka_unit_test(test_refuse_cigarette),
		cmocka_unit_test(test_refusal_clears_fields),
		cmocka_unit_test(test_reads_only_len),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_check_digit),
		cmocka_unit_test(test_sscc_make),
		cmocka_unit_test(test_sscc_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
