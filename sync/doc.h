/*
 * doc: the JSON bodies (document_format MANUAL) of the five documents
 * sklad sends, built from plain values (true-api.md §5.1, §5.3, §5.4,
 * §5.6, §5.7; cited "ref §N").
 *
 * Bodies are built with jansson in a fixed key order, so the same input
 * always gives the same bytes (the signature covers them). Optional
 * values given as NULL or "" are left out, never sent as "" (ref §4.3);
 * codes are written without brackets, GS as \u001d (ref §4.3). A body
 * over 30 000 codes or 30 MB is refused (ref §9.1): split the document.
 *
 * Must not: sign, send, store, or decide whether a product group takes a
 * type (policy.h does).
 */
#ifndef SKLAD_SY_DOC_H
#define SKLAD_SY_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"

#define SY_DOC_MAX_CODES 30000
#define SY_DOC_MAX_BYTES ((size_t)30 * 1024 * 1024)

/* One pack to form: its code (SSCC / КИТУ) and what goes inside. */
struct sy_doc_unit {
	const char *code;
	const char *const *children;
	size_t nchildren;
};

/* An item of a re-aggregation: a unit/group code, or a nested pack. */
struct sy_doc_item {
	const char *code;
	int is_pack;		/* 1: "kitu", 0: "uit_uitu" (ref §5.4) */
};

/* One line of a shipment or acceptance. */
struct sy_doc_line {
	const char *code;
	int is_pack;		/* 1: uitu_code (a pack), 0: uit_code */
	int accepted;		/* acceptance only */
	int64_t cost;		/* kopecks incl. VAT, < 0: none */
	int64_t tax;		/* kopecks, < 0: none */
};

/* Shipment (LP_SHIP_GOODS) and acceptance (LP_ACCEPT_GOODS) headers. */
struct sy_doc_transfer {
	const char *sender_inn;
	const char *receiver_inn;
	const char *number;		/* document_num / document_number */
	const char *date;		/* document_date */
	const char *transfer_date;
	const char *acceptance_date;	/* acceptance only */
	const char *turnover_type;	/* SELLING, COMMISSION, AGENT */
	const char *release_order;	/* acceptance: the shipment's id */
	int accept_all;			/* acceptance: accept_all */
	const struct sy_doc_line *lines;
	size_t nlines;
};

/*
 * Each builder writes a malloc'd, NUL-terminated body to *out and its
 * length to *len (caller frees). Errors: ERR_INVALID with the field that
 * is missing or wrong (an INN not of 10 or 12 digits, an empty code,
 * packs of different lengths in one aggregation, a re-aggregation type
 * other than ADDING/REMOVING), or the limit that was passed.
 */

/* AGGREGATION_DOCUMENT (ref §5.1). */
int sy_doc_aggregation(const char *inn, const struct sy_doc_unit *units,
		       size_t nunits, char **out, size_t *len, struct err *e);

/* DISAGGREGATION_DOCUMENT (ref §5.3): packs to take apart. */
int sy_doc_disaggregation(const char *inn, const char *const *packs,
			  size_t npacks, char **out, size_t *len,
			  struct err *e);

/* REAGGREGATION_DOCUMENT (ref §5.4): type "ADDING" or "REMOVING". */
int sy_doc_reaggregation(const char *inn, const char *type,
			 const char *pack, const struct sy_doc_item *items,
			 size_t nitems, char **out, size_t *len,
			 struct err *e);

/* LP_SHIP_GOODS (ref §5.6). */
int sy_doc_shipment(const struct sy_doc_transfer *t, char **out,
		    size_t *len, struct err *e);

/* LP_ACCEPT_GOODS (ref §5.7); cost and tax are left out of refused
 * lines. */
int sy_doc_acceptance(const struct sy_doc_transfer *t, char **out,
		      size_t *len, struct err *e);

#endif
