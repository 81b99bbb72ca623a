/*
 * rules_accept: acceptance rules (see rules_accept.h). Pure: facts in,
 * verdict out; no database, clock or allocation.
 */
#include <string.h>

#include "store/rules_accept.h"
#include "scanners/i18n.h"


enum rules_accept_verdict
rules_accept_verdict(const struct rules_accept_scan *s)
{
	if (s->in_delivery)
		return s->found ? RULES_ACC_DUPLICATE : RULES_ACC_MATCHED;
	if (s->seen)
		return RULES_ACC_DUPLICATE;
	/* An SSCC has no GTIN: an unknown label is surplus, never a wrong
	 * product. */
	if (!s->is_pack && !s->gtin_in_delivery)
		return RULES_ACC_WRONG_ITEM;
	return RULES_ACC_SURPLUS;
}

const char *
rules_accept_verdict_name(enum rules_accept_verdict v)
{
	switch (v) {
	case RULES_ACC_MATCHED:
		return "matched";
	case RULES_ACC_DUPLICATE:
		return "duplicate";
	case RULES_ACC_SURPLUS:
		return "surplus";
	case RULES_ACC_WRONG_ITEM:
		return "wrong_item";
	}
	return "surplus";
}

const char *
rules_accept_verdict_reason(enum rules_accept_verdict v)
{
	switch (v) {
	case RULES_ACC_MATCHED:
		return NULL;
	case RULES_ACC_DUPLICATE:
		return N_("Scanned before: this code is already counted.");
	case RULES_ACC_SURPLUS:
		return N_("Not in this delivery: surplus, put it aside.");
	case RULES_ACC_WRONG_ITEM:
		return N_("Wrong product: this delivery has nothing of this "
			  "GTIN, put it aside.");
	}
	return NULL;
}

enum rules_accept_refusal
rules_accept_may_open(enum rules_accept_state s)
{
	return s == RULES_ACC_EXPECTED || s == RULES_ACC_ACCEPTING ?
		RULES_ACC_OK : RULES_ACC_FINISHED;
}

enum rules_accept_refusal
rules_accept_may_scan(enum rules_accept_state s)
{
	if (s == RULES_ACC_ACCEPTING)
		return RULES_ACC_OK;
	return s == RULES_ACC_EXPECTED ? RULES_ACC_NOT_ACCEPTING :
		RULES_ACC_FINISHED;
}

enum rules_accept_refusal
rules_accept_may_finish(enum rules_accept_state s, int missing, bool partial)
{
	enum rules_accept_refusal r = rules_accept_may_scan(s);

	if (r != RULES_ACC_OK)
		return r;
	return missing > 0 && !partial ? RULES_ACC_MISSING : RULES_ACC_OK;
}

static const char *const reasons[RULES_ACC_REFUSAL_COUNT] = {
	[RULES_ACC_OK] = N_("OK"),
	[RULES_ACC_NOT_ACCEPTING] = N_("This delivery is not being accepted: "
		"open the acceptance first."),
	[RULES_ACC_FINISHED] = N_("This delivery has already been accepted."),
	[RULES_ACC_MISSING] = N_("%d expected codes are still missing: scan "
		"them, or finish in part to reject them."),
};

const char *
rules_accept_reason(enum rules_accept_refusal r)
{
	return (unsigned)r < RULES_ACC_REFUSAL_COUNT ? reasons[r] :
		N_("Refused.");
}

static const char *const state_names[] = {
	[RULES_ACC_EXPECTED] = "expected", [RULES_ACC_ACCEPTING] = "accepting",
	[RULES_ACC_ACCEPTED] = "accepted", [RULES_ACC_PARTIAL] = "partial",
};

const char *
rules_accept_state_name(enum rules_accept_state s)
{
	return (unsigned)s <= RULES_ACC_PARTIAL ? state_names[s] : "expected";
}

int
rules_accept_state_parse(const char *name)
{
	int i;

	for (i = 0; i <= (int)RULES_ACC_PARTIAL; i++)
		if (name != NULL && strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

static bool
valid_parent(const struct rules_accept_item *it, size_t i)
{
	return it[i].parent >= 0 && (size_t)it[i].parent < i;
}

void
rules_accept_outcomes(struct rules_accept_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		it[i].nchildren = it[i].nall = it[i].nany = 0;
	/* Children come after their pack: walking backwards sees every
	 * child before the pack it is in. */
	for (i = n; i-- > 0;) {
		struct rules_accept_item *x = &it[i];

		if (x->found)
			x->outcome = RULES_ACC_ALL;
		else if (x->nchildren == 0 || x->nany == 0)
			x->outcome = RULES_ACC_NONE;
		else if (x->nall == x->nchildren)
			x->outcome = RULES_ACC_ALL;
		else
			x->outcome = RULES_ACC_SOME;
		if (!valid_parent(it, i))
			continue;
		it[x->parent].nchildren++;
		if (x->outcome == RULES_ACC_ALL)
			it[x->parent].nall++;
		if (x->outcome != RULES_ACC_NONE)
			it[x->parent].nany++;
	}
}

bool
rules_accept_listed(const struct rules_accept_item *it, size_t i)
{
	if (!valid_parent(it, i))
		return true;
	return it[it[i].parent].outcome == RULES_ACC_SOME &&
		rules_accept_listed(it, (size_t)it[i].parent);
}

bool
rules_accept_stocked(const struct rules_accept_item *it, size_t i)
{
	return it[i].outcome != RULES_ACC_NONE;
}
