/*
 * codes: one real-shaped marking code of every layout in codes.md §3-5,
 * with GS as 0x1D, for the decoder's unit tests and the VM scanner tests.
 * Every entry parses as valid with `sklad mark parse` (checked in
 * test_keymap). Between them they use every CSET 82 character, so every
 * shifted key of the layout is typed somewhere.
 *
 * Header-only test data; must not grow code.
 */
#ifndef SKLAD_TESTS_CODES_H
#define SKLAD_TESTS_CODES_H

#define CODES_GS "\x1d"
#define CODES_C44 "AbCd+/0123456789EFGHijklmnopQRSTUVwxyz01234="
#define CODES_GTIN "0104600439931256"

static const struct {
	const char *layout;	/* what mark_layout_name says */
	const char *code;
} codes_all[] = {
	{ "cigarette_pack", "04606203084623+A13gPh-4Hi7uGl" },
	{ "tobacco", "010460043993125621JgXJ5.T" CODES_GS "8005112000" CODES_GS
	  "930001" CODES_GS "923zbrLA==" CODES_GS "24014276281" },
	{ "tobacco", CODES_GTIN "215aB3xYz" CODES_GS "8005000000" CODES_GS
	  "93Q+/a" },
	{ "93", CODES_GTIN "215AbCdE" CODES_GS "93Ab1+" },
	{ "93_weight", CODES_GTIN "215AbCdE" CODES_GS "93Ab1+" CODES_GS
	  "3103000450" },
	{ "93", CODES_GTIN "215'Ab\"%&*+,-.:" CODES_GS "93zZ9/" },
	{ "93_volume", CODES_GTIN "215aB3xYz" CODES_GS "93zZ9/" CODES_GS
	  "3353000500" },
	{ "91_92", CODES_GTIN "215Ux(<=>?_;)9Z" CODES_GS "2406402" CODES_GS
	  "91EE06" CODES_GS "92" CODES_C44 CODES_C44 },
	{ "91_92", CODES_GTIN "215Ux(<=>?_;)9Z" CODES_GS "91EE06" CODES_GS
	  "92" CODES_C44 CODES_C44 },
	{ "91_92", CODES_GTIN "215Ux(<=>?_;)9Z" CODES_GS "91EE06" CODES_GS
	  "92" CODES_C44 },
	{ "91_92", CODES_GTIN "215aB3xYz!\"%&'()*+,-./" CODES_GS "91ee07"
	  CODES_GS "92" CODES_C44 },
	{ "ki", CODES_GTIN "215Ux(<=>?_;)9Z" },
	{ "sscc", "00106141411234567897" },
	{ "93", "]d2" CODES_GTIN "215AbCdE" CODES_GS "93Ab1+" },
};
#define CODES_N (sizeof(codes_all) / sizeof(codes_all[0]))

/* A 129-character shoe code: the long case for the loss/doubling bench. */
#define CODES_LONG CODES_GTIN "215Ux(<=>?_;)9Z" CODES_GS "91EE06" CODES_GS \
	"92" CODES_C44 CODES_C44

#endif
