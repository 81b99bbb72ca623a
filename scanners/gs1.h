/*
 * gs1: GS1 element strings as scanners deliver them (GS as separator).
 *
 * The general GS1 rules, independent of Chestny ZNAK: the AI table, value
 * lengths, predefined-length AIs that need no separator, CSET 82, check
 * digits, dates, repeats and requisite AIs, as the GS1 Barcode Syntax
 * Engine validates by default (codes.md §6). Internal to the mark module:
 * mark.c applies the Chestny ZNAK layouts on top.
 *
 * Pure: no allocation, no state, reads only s[0..n).
 */
#ifndef SKLAD_GS1_H
#define SKLAD_GS1_H

#include "mark.h"

/* Character classes, one table lookup per byte on the hot path. */
enum {
	GS1_DIGIT = 1,		/* 0-9 */
	GS1_CSET82 = 2,		/* GS1 AI encodable character set 82 */
};
extern const uint8_t gs1_class[256];

/*
 * Parse the element string s[pos..n) into m->elements. On success returns
 * 0. On failure returns -1 with m->err filled (code, ai, pos, len, want,
 * byte), and m->elements holding the elements parsed before the failure.
 */
int gs1_parse(const char *s, size_t n, size_t pos, struct mark *m);

/*
 * Whether s[0..n) begins with an AI of the table. Used to explain a value
 * that ran on because a scanner dropped the GS before the next element.
 */
bool gs1_is_ai_at(const char *s, size_t n);

/* Copy len bytes and a NUL, printable ASCII kept and the rest as '?', so
 * scanned bytes can go into messages. */
void gs1_copy_printable(char *dst, const char *src, size_t len);

/* Set m->err; ai may be NULL. */
void gs1_fail(struct mark *m, enum mark_err code, const char *ai,
	      size_t pos, size_t len, size_t want, uint8_t byte);

#endif
