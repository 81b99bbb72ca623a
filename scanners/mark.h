/*
 * mark: what a scanner read, decided.
 *
 * Turns the bytes of one scan into a struct mark: a Chestny ZNAK marking code
 * (unit, group pack, tobacco block or set, cigarette pack), an SSCC of a
 * transport pack, or one of sklad's own command barcodes; or a precise
 * refusal naming the element and what was wrong with it.
 *
 * The contract is ../shared/reference/codes.md §8. The parser is a pure
 * function: it allocates nothing, keeps no state, never reads past the
 * length it is given, and never writes outside the struct it is handed.
 * Rendering a refusal as operator-facing text is a separate call
 * (mark_strerror) so that parsing stays cheap and free of gettext.
 *
 * What it must not do: decide whether an operation accepts the code (a code
 * without crypto part is valid here; policies live in store/), or touch any
 * device, clock or file.
 */
#ifndef SKLAD_MARK_H
#define SKLAD_MARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MARK_GS '\x1d'		/* group separator as scanners send it */
#define MARK_SCAN_MAX 512	/* longer input is refused, not parsed */
#define MARK_GTIN_LEN 14
#define MARK_SSCC_LEN 18
#define MARK_SERIAL_MAX 20
#define MARK_CIS_MAX (2 + MARK_GTIN_LEN + 2 + MARK_SERIAL_MAX)
#define MARK_ELEMENTS_MAX 16	/* GS1 elements kept per scan */
#define MARK_COMMAND_PREFIX "SKLAD:"	/* sklad's own command barcodes */
#define MARK_COMMAND_MAX 64

/* What the scan is. */
enum mark_kind {
	MARK_INVALID = 0,
	MARK_ITEM,		/* (01)(21)...: a unit, or a group pack of the same layout */
	MARK_TOBACCO_BLOCK,	/* (01)(21)(8005)(93) with a price: a group pack */
	MARK_TOBACCO_SET,	/* (01)(21)(8005)(93) with price 000000: a set */
	MARK_CIGARETTE_PACK,	/* 29 characters without AIs */
	MARK_SSCC,		/* (00): a transport pack */
	MARK_COMMAND,		/* SKLAD:<command>, printed at a station */
};

/* Which of the layouts of codes.md §3 a valid marking code has. */
enum mark_layout {
	MARK_LAYOUT_NONE = 0,
	MARK_LAYOUT_KI,		/* (01)(21) only: identification code, no crypto */
	MARK_LAYOUT_93,		/* (01)(21)(93) */
	MARK_LAYOUT_93_WEIGHT,	/* (01)(21)(93)(3103), dairy, 6-char serial */
	MARK_LAYOUT_93_VOLUME,	/* (01)(21)(93)(335Y), beer, 7-char serial */
	MARK_LAYOUT_91_92,	/* (01)(21)[(240)](91)(92) */
	MARK_LAYOUT_TOBACCO,	/* (01)(21)(8005)(93)[...] */
	MARK_LAYOUT_CIGARETTE,	/* GTIN + serial + MRP + check code, no AIs */
	MARK_LAYOUT_SSCC,	/* (00) */
	MARK_LAYOUT_COMMAND,
};

/*
 * Why a scan was refused. One X-macro: the enum, the machine name that
 * `sklad mark parse --json` prints, and the operator-facing message are
 * generated from it (mark_text.c), whose messages name the fields of
 * struct mark_error as {ai}, {other}, {pos}, {len}, {want} and {byte}.
 */
#define MARK_ERRORS(X) \
	X(OK,            "ok") \
	X(EMPTY,         "empty") \
	X(TOO_LONG_SCAN, "scan_too_long") \
	X(CYRILLIC,      "russian_layout") \
	X(GS_AS_TEXT,    "gs_as_text") \
	X(AIM_UNKNOWN,   "symbology") \
	X(AIM_D1_GS1,    "d1_not_gs1") \
	X(AIM_LINEAR,    "linear_symbology") \
	X(AI_EXPECTED,   "ai_expected") \
	X(AI_UNKNOWN,    "ai_unknown") \
	X(EMPTY_ELEMENT, "empty_element") \
	X(VALUE_SHORT,   "value_short") \
	X(VALUE_LONG,    "value_long") \
	X(NOT_DIGIT,     "not_digit") \
	X(CSET,          "charset") \
	X(CHECK_DIGIT,   "check_digit") \
	X(DATE,          "date") \
	X(REPEAT,        "ai_repeated") \
	X(REQUISITE,     "ai_requisite") \
	X(FIRST_AI,      "first_ai") \
	X(NO_SERIAL,     "no_serial") \
	X(SERIAL_LEN,    "serial_length") \
	X(GS_MISSING,    "gs_missing") \
	X(CRYPTO_LEN,    "crypto_length") \
	X(CRYPTO_PAIR,   "crypto_pair") \
	X(ORDER,         "element_not_allowed") \
	X(SSCC_EXTRA,    "sscc_extra") \
	X(COMMAND,       "command")

#define MARK_ERR_ENUM(name, str) MARK_E_##name,
enum mark_err { MARK_ERRORS(MARK_ERR_ENUM) MARK_E_COUNT };
#undef MARK_ERR_ENUM

/* The details of a refusal; which fields mean something depends on code. */
struct mark_error {
	enum mark_err code;
	char ai[5];		/* the element concerned, e.g. "21"; "" if none */
	char other[5];		/* a second element: the one required, or found */
	uint16_t pos;		/* 0-based byte offset in the scan where it went wrong */
	uint16_t len;		/* length found */
	uint16_t want;		/* length or check digit expected */
	uint8_t byte;		/* the offending byte */
};

/* One GS1 element, as offsets into the scanned bytes. */
struct mark_element {
	char ai[5];		/* NUL-terminated digits */
	uint16_t off;		/* value offset in the scan */
	uint16_t len;		/* value length */
};

/*
 * A parsed scan. Text fields are NUL-terminated copies; elements point into
 * the caller's scan bytes, so they are valid only while those bytes are.
 */
struct mark {
	enum mark_kind kind;
	enum mark_layout layout;
	bool has_crypto;	/* a crypto (check) part is present */
	char aim[4];		/* symbology identifier as sent ("]d2"), or "" */
	char gtin[MARK_GTIN_LEN + 1];
	char serial[MARK_SERIAL_MAX + 1];
	char cis[MARK_CIS_MAX + 1];	/* the КИ that documents carry */
	char sscc[MARK_SSCC_LEN + 1];
	char command[MARK_COMMAND_MAX + 1];
	struct mark_element elements[MARK_ELEMENTS_MAX];
	uint8_t nelements;
	struct mark_error err;
};

/*
 * Parse one scan of len bytes (GS is the byte 0x1D; no trailing CR/LF).
 * Fills *m completely. Returns 0 when the scan is a valid marking code,
 * SSCC or command barcode, -1 otherwise with m->kind == MARK_INVALID and
 * m->err saying why. Never allocates; reads scan[0..len) only.
 */
int mark_parse(const char *scan, size_t len, struct mark *m);

/*
 * Render m->err as one operator-facing sentence (translated through
 * gettext, domain "sklad") into buf of size n, always NUL-terminated.
 * Returns the length the full message has (as snprintf does).
 */
size_t mark_strerror(const struct mark *m, char *buf, size_t n);

/* Whether byte c is in GS1's character set 82 (what serials and crypto
 * tails are made of). */
bool mark_is_cset82(int c);

/* The stable machine name of an error code ("serial_length"). */
const char *mark_err_name(enum mark_err code);

/* "mark", "sscc", "command", or NULL for MARK_INVALID. */
const char *mark_kind_name(enum mark_kind kind);

/* A short stable name of the layout ("91_92", "tobacco", ...), or NULL. */
const char *mark_layout_name(enum mark_layout layout);

/*
 * The GS1 mod-10 check digit (0..9) of n ASCII digits, weights 3,1,3,...
 * from the rightmost digit. Returns -1 if any byte is not a digit.
 */
int mark_check_digit(const char *digits, size_t n);

/*
 * Check an SSCC as printed: exactly 18 digits with the right check digit,
 * with or without the (00) AI, optionally in brackets "(00)". Returns 0 if
 * valid; -1 with *err filled otherwise.
 */
int mark_sscc_check(const char *code, size_t len, struct mark *m);

/*
 * Build a new SSCC: extension digit (0..9), GS1 company prefix of 6..12
 * digits, serial reference (must fit in 16 - strlen(gcp) digits), check
 * digit. Writes 18 digits and a NUL into out. Returns 0, or -1 when an
 * argument is out of range (out is then "").
 */
int mark_sscc_make(int extension, const char *gcp, uint64_t serial_ref,
		   char out[MARK_SSCC_LEN + 1]);

#endif
