/*
 * doc: the bodies of documents for the state system, and the outbox.
 *
 * Builds each document's JSON with the exact field names of
 * ../shared/reference/true-api.md §5, deterministically (fixed key order,
 * compact, no floating point), so the bytes stored in the outbox are the
 * bytes that get signed and sent. Internal to store/.
 */
#ifndef SKLAD_STORE_DOC_H
#define SKLAD_STORE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"

struct st_db;

/* One aggregate of an AGGREGATION_DOCUMENT and the codes directly in it. */
struct doc_unit {
	const char *code;		/* unitSerialNumber: the SSCC */
	char (*children)[48];		/* sntins */
	int nchildren;
};

/* AGGREGATION_DOCUMENT (§5.1). Returns malloc'd bytes and *len. */
char *doc_aggregation(const char *inn, const struct doc_unit *units, int n,
		      size_t *len);

/* DISAGGREGATION_DOCUMENT (§5.3) for one pack. */
char *doc_disaggregation(const char *inn, const char *sscc, size_t *len);

/* REAGGREGATION_DOCUMENT (§5.4): code taken out of (or put into) uitu;
 * a pack goes as kitu, anything else as uit_uitu. */
char *doc_reaggregation(const char *inn, bool adding, const char *uitu,
			const char *code, bool code_is_pack, size_t *len);

/*
 * Add a document to the outbox (state pending) in the caller's open
 * transaction. codes: how many codes it carries; depends_on: a document
 * that must be confirmed first, or 0. Sets *id.
 */
int doc_outbox_add(struct st_db *db, const char *type, const char *body,
		   size_t len, int codes, int64_t depends_on, int64_t *id,
		   struct err *e);

#endif
