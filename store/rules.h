/*
 * rules: the warehouse rules, as pure functions over plain structs.
 *
 * Each rule decides one question (may this code go into this pack? may
 * this pack be closed, disbanded, changed?) from facts the caller gathered,
 * and returns a verdict: RULES_OK, or the reason it may not. The SQLite
 * layer (pack.c, ...) gathers the facts and applies the decision in one
 * transaction; the rules never touch the database, the clock or memory,
 * so they are tested exhaustively without either.
 */
#ifndef SKLAD_STORE_RULES_H
#define SKLAD_STORE_RULES_H

#include <stdbool.h>

#include "store/store.h"

enum rules_pack_state {
	RULES_OPEN, RULES_CLOSED, RULES_SUBMITTED, RULES_CONFIRMED,
	RULES_DISBANDED,
};

enum rules_gtin_policy {
	RULES_GTIN_ANY,		/* any GTIN */
	RULES_GTIN_SINGLE,	/* all units share the first unit's GTIN */
	RULES_GTIN_FIXED,	/* only the configured GTIN */
};

/* Why not; RULES_OK when allowed. rules_reason() gives the words. */
enum rules_verdict {
	RULES_OK = 0,
	RULES_NOT_OPEN,		/* the pack is not open */
	RULES_FULL,		/* at capacity */
	RULES_UNIT_IN_PALLET,	/* a unit scanned into a pallet */
	RULES_PACK_IN_BOX,	/* an SSCC scanned into a box */
	RULES_ALREADY_HERE,	/* already in this pack */
	RULES_IN_OTHER_PACK,	/* in another pack (named by the caller) */
	RULES_GTIN,		/* GTIN not allowed by the pack's policy */
	RULES_NO_CRYPTO,	/* no crypto tail, and the pack requires one */
	RULES_CHILD_OPEN,	/* a box still open cannot go on a pallet */
	RULES_CHILD_UNKNOWN,	/* an SSCC that is no pack of ours */
	RULES_CHILD_DISBANDED,	/* a disbanded pack's SSCC is dead */
	RULES_SELF,		/* a pack into itself */
	RULES_CYCLE,		/* a pack into something inside it */
	RULES_TOO_DEEP,		/* nesting beyond ST_MAX_DEPTH */
	RULES_SHIPPED,		/* the code or pack has left */
	RULES_EMPTY,		/* closing a pack with nothing in it */
	RULES_INNER_OPEN,	/* closing a pallet with an open pack inside */
	RULES_NOT_HERE,		/* taking out a code that is not in the pack */
	RULES_ON_PALLET,	/* disbanding a pack that sits on a pallet */
	RULES_PACK_DISBANDED,	/* the pack is disbanded */
	RULES_SUPERVISOR,	/* needs a supervisor */
	RULES_DOC_LIMIT,	/* more codes than one document may carry */
	RULES_PUT_FULL,		/* putting into a pack at its capacity */
	RULES_COUNT
};

/* Facts about a pack being changed. */
struct rules_pack {
	enum st_level level;
	enum rules_pack_state state;
	int count;		/* direct children now */
	int capacity;		/* 0: no limit */
	enum rules_gtin_policy policy;
	char gtin[MARK_GTIN_LEN + 1];	/* FIXED: the GTIN; SINGLE: the
					   first unit's, "" while empty */
	bool require_crypto;
	bool on_pallet;		/* it has a parent pack */
	bool shipped;
	int depth;		/* packs above it */
	int inner_open;		/* open packs directly inside */
};

/* Facts about a code scanned into (or out of) a pack. */
struct rules_child {
	bool is_pack;		/* an SSCC */
	bool known;		/* stored already */
	bool has_crypto;
	char gtin[MARK_GTIN_LEN + 1];
	bool in_this;		/* its parent is the pack */
	bool in_other;		/* its parent is another pack */
	bool shipped;
	bool is_target;		/* it is the pack itself */
	bool contains_target;	/* the pack is somewhere inside it */
	enum rules_pack_state pack_state;	/* if is_pack and known */
	bool pack_known;	/* is_pack: it is one of our packs */
	int height;		/* is_pack: levels of packs inside it */
};

/* May child go into pack? On RULES_OK, *closes says the pack is then
 * full and closes by itself. */
enum rules_verdict rules_pack_add(const struct rules_pack *pack,
				  const struct rules_child *child,
				  bool *closes);

/* May the pack be closed by the operator? */
enum rules_verdict rules_pack_close(const struct rules_pack *pack);

/* May the pack be disbanded by someone of role? */
enum rules_verdict rules_pack_disband(const struct rules_pack *pack,
				      enum st_role role);

/* May child be taken out of pack (take) by someone of role? */
enum rules_verdict rules_pack_take(const struct rules_pack *pack,
				   const struct rules_child *child,
				   enum st_role role);

/* May child be put into the closed pack (put) by someone of role? Never
 * beyond the pack's capacity, whoever asks (RULES_PUT_FULL). */
enum rules_verdict rules_pack_put(const struct rules_pack *pack,
				  const struct rules_child *child,
				  enum st_role role);

/*
 * The operator-facing reason of a verdict, an English msgid of domain
 * "sklad" with at most one %s: the other pack's SSCC (IN_OTHER_PACK,
 * ON_PALLET), the GTIN wanted (GTIN) or the open inner pack (INNER_OPEN).
 */
const char *rules_reason(enum rules_verdict v);

/* "open", ...; and back (-1 when unknown). */
const char *rules_state_name(enum rules_pack_state s);
int rules_state_parse(const char *name);

#endif
