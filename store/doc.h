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
 * transaction. codes: how many codes it carries. Whether sync sends it or
 * keeps it for export (sendable) follows from its type and the site's
 * product group (st_doc_sendable). What it waits for is added after with
 * doc_wait_for_* (doc_deps.c). Sets *id.
 */
int doc_outbox_add(struct st_db *db, const char *type, const char *body,
		   size_t len, int codes, int64_t *id, struct err *e);

/* A transfer document's date (yyyy-MM-dd, dd.MM.yyyy, or a time with or
 * without .SSS and 'Z') as yyyy-MM-ddTHH:mm:ss.SSS'Z' (§5.7); false if
 * it is none of those (doc_check.c). */
bool doc_timestamp_z(const char *in, char out[40]);

/* --- what a document waits for (doc_deps.c) ------------------------------ */

/* doc waits for the latest earlier document that changed code_id (or,
 * if sync never sends that one, for what it waited for). */
int doc_wait_for_code(struct st_db *db, int64_t doc, int64_t code_id,
		      struct err *e);

/* The same for every code directly in pack pack_id. */
int doc_wait_for_children(struct st_db *db, int64_t doc, int64_t pack_id,
			  struct err *e);

/* A shipment's document waits for what last changed each code scanned
 * onto shipment_id, and changes them. */
int doc_ship_codes(struct st_db *db, int64_t doc, int64_t shipment_id,
		   struct err *e);

/* Record that doc changes code_id on the state system. */
int doc_touch_code(struct st_db *db, int64_t doc, int64_t code_id,
		   struct err *e);

/* Record that doc changes every code directly in pack_id. */
int doc_touch_children(struct st_db *db, int64_t doc, int64_t pack_id,
		       struct err *e);

/* --- transfer documents (doc_transfer.c) --------------------------------- */

/* One line of a transfer document: a unit (uit_code) or a pack
 * (uitu_code). For an acceptance, parent is the index of the line whose
 * children it is (a line before it), or -1 for products[] itself. */
struct doc_line {
	const char *code;
	bool is_pack;
	bool accepted;		/* acceptance only */
	int parent;		/* acceptance only; -1 top level */
};

/* The header of LP_SHIP_GOODS (§5.6, the 2025 field table: products
 * carry uit_code only). */
struct doc_shipment {
	const char *number;		/* document_num */
	const char *date;		/* document_date */
	const char *transfer_date;
	const char *receiver_inn;
	const char *sender_inn;
	const char *turnover_type;	/* SELLING, COMMISSION, AGENT */
	const struct doc_line *lines;	/* products, parent ignored */
	int n;
};

/* LP_SHIP_GOODS (§5.6). Returns malloc'd bytes and *len, NULL when out
 * of memory. Keys in a fixed order, compact. */
char *doc_shipment(const struct doc_shipment *s, size_t *len);

/* The header of LP_ACCEPT_GOODS (§5.7). */
struct doc_acceptance {
	const char *release_order;	/* release_order_number */
	const char *number;		/* document_number */
	const char *date;		/* document_date */
	const char *transfer_date;
	const char *acceptance_date;
	const char *sender_inn;		/* trade_sender_inn */
	const char *recipient_inn;	/* trade_recipient_inn */
	const char *turnover_type;
	const struct doc_line *lines;	/* in order, children after parent */
	int n;
};

/* LP_ACCEPT_GOODS (§5.7) with per-code accepted and recursive children.
 * Returns malloc'd bytes and *len, NULL when out of memory or when a
 * line names a parent that is not before it. */
char *doc_acceptance(const struct doc_acceptance *a, size_t *len);

#endif
