/*
 * rules_check: the pure rules of code checks, what the state system's
 * answer about a code (true-api.md §7) means for acceptance and for
 * aggregation.
 *
 * Acceptance expects codes in circulation (INTRODUCED), with no special
 * state other than waiting for this transfer, owned by the sender or
 * already by us. Aggregation expects codes applied or in circulation,
 * owned by us, and in no aggregate other than the pack being checked.
 * A code the server does not know, or could not answer for, is a problem
 * for both. code_check.c gathers the facts and stores the verdict.
 *
 * What it must not do: touch the database, the network, the clock or
 * memory allocation. The reason texts are the only operator texts here.
 */
#ifndef SKLAD_STORE_RULES_CHECK_H
#define SKLAD_STORE_RULES_CHECK_H

#include <stdbool.h>
#include <stddef.h>

enum rules_check_use { RULES_CHK_ACCEPT = 0, RULES_CHK_AGGREGATE = 1 };

/* What the server said about one code; strings never NULL ("" absent). */
struct rules_check_facts {
	bool found;		/* false: an errorCode instead of cisInfo */
	const char *error_code;	/* "404": unknown; others: no answer */
	const char *error;	/* the server's words */
	const char *status;
	const char *status_ex;
	const char *owner_inn;
	const char *parent;
};

/* What the code is checked against. */
struct rules_check_ctx {
	enum rules_check_use use;
	const char *our_inn;	/* the site's INN */
	const char *sender_inn;	/* ACCEPT: the supplier, "" if unknown */
	const char *pack;	/* AGGREGATE: the pack's SSCC */
};

enum rules_check_problem {
	RULES_CHK_OK = 0,
	RULES_CHK_UNKNOWN,	/* the state system does not know the code */
	RULES_CHK_NO_ANSWER,	/* it answered with another error */
	RULES_CHK_STATUS,	/* status not what the use needs */
	RULES_CHK_SPECIAL,	/* a special state (statusEx) blocks it */
	RULES_CHK_OWNER,	/* owned by someone it must not be */
	RULES_CHK_OTHER_AGGREGATE,	/* in another aggregate already */
};

/* Whether the code answered with f is a problem for c, and which. */
enum rules_check_problem rules_check_code(const struct rules_check_ctx *c,
					  const struct rules_check_facts *f);

/*
 * The reason for problem p in plain words (translated, domain "sklad"),
 * naming the status, owner or aggregate, into out (always terminated);
 * "" for RULES_CHK_OK.
 */
void rules_check_reason(enum rules_check_problem p,
			const struct rules_check_ctx *c,
			const struct rules_check_facts *f, char *out,
			size_t n);

#endif
