/*
 * rules_accept: the pure rules of acceptance (checking an incoming
 * delivery against its transfer document).
 *
 * What verdict a scan gets, whether an acceptance may be opened, scanned
 * or finished, and what each expected code's outcome is in the
 * LP_ACCEPT_GOODS document (accepted, rejected, or listed with children).
 * accept.c gathers the facts and applies the decision in one transaction.
 *
 * What it must not do: touch the database, the clock, memory allocation
 * or any text the operator sees other than returning static msgids.
 */
#ifndef SKLAD_STORE_RULES_ACCEPT_H
#define SKLAD_STORE_RULES_ACCEPT_H

#include <stdbool.h>
#include <stddef.h>

/* deliveries.state */
enum rules_accept_state {
	RULES_ACC_EXPECTED, RULES_ACC_ACCEPTING, RULES_ACC_ACCEPTED,
	RULES_ACC_PARTIAL,
};

/* What one scan during acceptance is. */
enum rules_accept_verdict {
	RULES_ACC_MATCHED,	/* expected, not found before: counts */
	RULES_ACC_DUPLICATE,	/* scanned (or covered by a pack) before */
	RULES_ACC_SURPLUS,	/* not in the delivery */
	RULES_ACC_WRONG_ITEM,	/* not in it, and its GTIN is nowhere in it */
};

/* Facts about a scanned code. */
struct rules_accept_scan {
	bool in_delivery;	/* the code is an expected item */
	bool found;		/* that item was already found */
	bool seen;		/* an unexpected code scanned before */
	bool is_pack;		/* an SSCC */
	bool gtin_in_delivery;	/* some expected item has its GTIN */
};

/* Why an acceptance operation may not happen; RULES_ACC_OK if it may. */
enum rules_accept_refusal {
	RULES_ACC_OK = 0,
	RULES_ACC_NOT_ACCEPTING,	/* scan/finish before open */
	RULES_ACC_FINISHED,		/* already accepted */
	RULES_ACC_MISSING,		/* full finish with codes missing */
	RULES_ACC_REFUSAL_COUNT
};

/* Outcome of one expected code at finish. */
enum rules_accept_outcome {
	RULES_ACC_NONE,		/* nothing of it arrived: rejected */
	RULES_ACC_ALL,		/* it and everything in it arrived */
	RULES_ACC_SOME,		/* a pack of which only part arrived */
};

/*
 * One expected code, in document order: a pack comes before what is in
 * it (parent < own index). found is the input; the rest is filled by
 * rules_accept_outcomes.
 */
struct rules_accept_item {
	int parent;		/* index of the pack it is in, or -1 */
	bool found;		/* scanned, or covered by a scanned pack */
	enum rules_accept_outcome outcome;
	int nchildren;		/* direct children in the document */
	int nall;		/* of them, with outcome ALL */
	int nany;		/* of them, with outcome ALL or SOME */
};

/* The verdict of a scan. */
enum rules_accept_verdict rules_accept_verdict(
	const struct rules_accept_scan *s);

/* "matched", "duplicate", "surplus", "wrong_item" (delivery_scans). */
const char *rules_accept_verdict_name(enum rules_accept_verdict v);

/* The operator-facing words of a verdict that is not a match (a msgid
 * of domain "sklad"), or NULL for a match. */
const char *rules_accept_verdict_reason(enum rules_accept_verdict v);

/* May an acceptance in state s be opened (or resumed)? */
enum rules_accept_refusal rules_accept_may_open(enum rules_accept_state s);

/* May a scan be recorded against a delivery in state s? */
enum rules_accept_refusal rules_accept_may_scan(enum rules_accept_state s);

/* May the acceptance finish: in full only with nothing missing. */
enum rules_accept_refusal rules_accept_may_finish(enum rules_accept_state s,
						  int missing, bool partial);

/* The msgid of a refusal (domain "sklad"); for MISSING it holds one %d,
 * the number of missing codes. */
const char *rules_accept_reason(enum rules_accept_refusal r);

/* "expected", ...; and back (-1 when unknown). */
const char *rules_accept_state_name(enum rules_accept_state s);
int rules_accept_state_parse(const char *name);

/*
 * Fill outcome and the child counts of every item from found: a found
 * item is ALL (a scanned pack counts its whole subtree); a pack not
 * itself found is ALL when every child is ALL, NONE when no child
 * arrived at all, SOME otherwise; an unfound leaf is NONE. Items must be
 * in document order (parent < index); items with a bad parent are
 * treated as top-level.
 */
void rules_accept_outcomes(struct rules_accept_item *it, size_t n);

/* Is item i a line of the document? Top-level items are; children are
 * listed only under a pack that arrived in part (SOME). */
bool rules_accept_listed(const struct rules_accept_item *it, size_t i);

/* Does item i go into stock (it arrived, wholly or in part)? */
bool rules_accept_stocked(const struct rules_accept_item *it, size_t i);

#endif
