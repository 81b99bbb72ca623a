/*
 * pack: shared pieces of the aggregation layer for the other store/ files
 * (accept.c, ship.c, lookup.c). Internal to store/.
 */
#ifndef SKLAD_STORE_PACK_H
#define SKLAD_STORE_PACK_H

#include "store/db.h"
#include "store/rules.h"

/* codes.kind (schema.c) */
enum {
	PACK_KIND_UNIT = 1, PACK_KIND_GROUP = 2, PACK_KIND_SET = 3,
	PACK_KIND_CIGARETTE = 4, PACK_KIND_BOX = 5, PACK_KIND_PALLET = 6,
};

/* How a parsed code is keyed in table codes. */
struct pack_key {
	int64_t gtin_id;	/* -1: the GTIN was never stored */
	char serial[MARK_SSCC_LEN + 8];
	int kind;		/* PACK_KIND_*, SSCC as BOX */
	char gtin[MARK_GTIN_LEN + 1];
	char text[ST_CODE_MAX];	/* as documents write it */
};

/* A row of codes. */
struct pack_code {
	int64_t id;		/* 0: not stored */
	int kind;
	int64_t parent_id;	/* 0: loose */
	bool shipped;
};

/* A pack with its code row. */
struct pack_row {
	int64_t id;
	char sscc[MARK_SSCC_LEN + 1];
	enum st_level level;
	enum rules_pack_state state;
	int count, capacity;
	enum rules_gtin_policy policy;
	char gtin[MARK_GTIN_LEN + 1];
	bool require_crypto;
	int64_t parent_id;
	bool shipped;
	int64_t document_id;
};

/* Key of m; with create, its GTIN is stored if new (else gtin_id -1). */
int pack_key(struct st_db *db, const struct mark *m, bool create,
	     struct pack_key *k, struct err *e);

/* Load the codes row of k: 1 found, 0 not stored, <0 error. */
int pack_load_code(struct st_db *db, const struct pack_key *k,
		   struct pack_code *c, struct err *e);

/* Load a pack by SSCC (or, with sscc NULL, by code id): 1, 0, <0. */
int pack_load(struct st_db *db, const char *sscc, int64_t id,
	      struct pack_row *p, struct err *e);

/* Insert a code row; sets *id. */
int pack_insert_code(struct st_db *db, const struct pack_key *k, int kind,
		     int64_t parent, int64_t *id, struct err *e);

/* Set (or with parent 0 clear) a code's parent. */
int pack_set_parent(struct st_db *db, int64_t code_id, int64_t parent,
		    struct err *e);

/* The SSCC of pack id into out, for messages; "" if none. */
void pack_sscc(struct st_db *db, int64_t id, char out[MARK_SSCC_LEN + 1]);

/* The rules' view of pack p (with the facts that need queries). */
int pack_facts(struct st_db *db, const struct pack_row *p,
	       struct rules_pack *r, struct err *e);

/*
 * The rules' view of scanned code m relative to pack p: c is its codes
 * row (known says whether it is stored); cp receives its pack row when it
 * is a pack.
 */
int pack_child_facts(struct st_db *db, const struct pack_row *p,
		     const struct mark *m, const struct pack_code *c,
		     bool known, struct rules_child *r, struct pack_row *cp,
		     struct err *e);

/* REAGGREGATION_DOCUMENT for m (codes row code_id) taken out of (or put
 * into) the reported pack p, its id into *made; nothing if p was never
 * reported. */
int pack_reaggregate(struct st_db *db, const struct pack_row *p,
		     bool adding, const struct mark *m, int64_t code_id,
		     int64_t *made, struct err *e);

/* Packs directly in former_parent that are closed but never reported get
 * their own document now that they stand alone. */
int pack_document_orphans(struct st_db *db, int64_t former_parent,
			  struct err *e);

/* DISAGGREGATION_DOCUMENT for pack p, which is being disbanded (call it
 * while its codes are still in it: the document frees them); it waits
 * for what last changed p; its id into *made. Nothing if p was never
 * reported. */
int pack_disaggregate(struct st_db *db, const struct pack_row *p,
		      int64_t *made, struct err *e);

/* AGGREGATION_DOCUMENT(s) for top and the unreported packs inside it. */
int pack_document(struct st_db *db, int64_t top, struct err *e);

/*
 * In an open transaction: audit the refusal, commit, and return
 * ERR_REFUSED with reason (or the verdict's words, other filling its %s)
 * in e.
 */
int pack_refuse_text(struct st_db *db, const struct st_actor *who,
		     enum st_action action, int64_t code_id, int64_t pack_id,
		     const char *scan, size_t len, const char *reason,
		     struct err *e);
int pack_refuse(struct st_db *db, const struct st_actor *who,
		enum st_action action, int64_t code_id, int64_t pack_id,
		const char *scan, size_t len, enum rules_verdict v,
		const char *other, struct err *e);

#endif
