/*
 * rules: the warehouse rules (see rules.h). Pure: facts in, verdict out.
 */
#include <string.h>

#include "store/rules.h"
#include "scanners/i18n.h"


static const char *const reasons[RULES_COUNT] = {
	[RULES_OK] = N_("OK"),
	[RULES_NOT_OPEN] = N_("This pack is not open: open a new box or "
		"pallet first."),
	[RULES_FULL] = N_("The pack is full."),
	[RULES_UNIT_IN_PALLET] = N_("A unit cannot go straight onto a pallet: "
		"scan box labels (SSCC) onto pallets."),
	[RULES_PACK_IN_BOX] = N_("A box or pallet label (SSCC) cannot go into "
		"a box: scan units into boxes."),
	[RULES_ALREADY_HERE] = N_("Already in this pack: scanned twice."),
	[RULES_IN_OTHER_PACK] = N_("Already packed in %s: a supervisor must "
		"take it out of that pack first."),
	[RULES_GTIN] = N_("Wrong product: this pack takes GTIN %s only."),
	[RULES_NO_CRYPTO] = N_("No crypto tail in the code: scan the "
		"DataMatrix on the product itself, not a printed list."),
	[RULES_CHILD_OPEN] = N_("That box is still open: close it before "
		"putting it on a pallet."),
	[RULES_CHILD_UNKNOWN] = N_("Unknown SSCC: no box or pallet of ours "
		"has this label."),
	[RULES_CHILD_DISBANDED] = N_("That pack was disbanded: its label "
		"must not be used again."),
	[RULES_SELF] = N_("A pack cannot go into itself."),
	[RULES_CYCLE] = N_("This pallet is inside that pack: it cannot go "
		"into its own contents."),
	[RULES_TOO_DEEP] = N_("Packs nested too deep."),
	[RULES_SHIPPED] = N_("Already shipped: it has left the warehouse."),
	[RULES_EMPTY] = N_("The pack is empty: scan something into it, or "
		"cancel it (x)."),
	[RULES_INNER_OPEN] = N_("Box %s on this pallet is still open: close "
		"it first."),
	[RULES_NOT_HERE] = N_("Not in this pack."),
	[RULES_ON_PALLET] = N_("This pack is on pallet %s: take it off the "
		"pallet first."),
	[RULES_PACK_DISBANDED] = N_("The pack is disbanded."),
	[RULES_SUPERVISOR] = N_("A supervisor must do this: log in as a "
		"supervisor."),
	[RULES_DOC_LIMIT] = N_("Too many codes for one document (30 000)."),
	[RULES_PUT_FULL] = N_("The pack holds as many as its capacity "
		"already: take one out before putting another in."),
};

const char *
rules_reason(enum rules_verdict v)
{
	return (unsigned)v < RULES_COUNT ? reasons[v] : N_("Refused.");
}

static const char *const state_names[] = {
	[RULES_OPEN] = "open", [RULES_CLOSED] = "closed",
	[RULES_SUBMITTED] = "submitted", [RULES_CONFIRMED] = "confirmed",
	[RULES_DISBANDED] = "disbanded",
};

const char *
rules_state_name(enum rules_pack_state s)
{
	return (unsigned)s <= RULES_DISBANDED ? state_names[s] : "unknown";
}

int
rules_state_parse(const char *name)
{
	int i;

	for (i = 0; i <= RULES_DISBANDED; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

/* What may go into a pack of this level at all. */
static enum rules_verdict
check_level(const struct rules_pack *p, const struct rules_child *c)
{
	if (p->level == ST_BOX && c->is_pack)
		return RULES_PACK_IN_BOX;
	if (p->level == ST_PALLET && !c->is_pack)
		return RULES_UNIT_IN_PALLET;
	return RULES_OK;
}

/* Where the child is now, and whether it can move at all. */
static enum rules_verdict
check_place(const struct rules_child *c)
{
	if (c->is_target)
		return RULES_SELF;
	if (c->shipped)
		return RULES_SHIPPED;
	if (c->in_this)
		return RULES_ALREADY_HERE;
	if (c->in_other)
		return RULES_IN_OTHER_PACK;
	return RULES_OK;
}

/* A pack going onto a pallet must be a closed pack of ours. */
static enum rules_verdict
check_child_pack(const struct rules_pack *p, const struct rules_child *c)
{
	if (!c->pack_known)
		return RULES_CHILD_UNKNOWN;
	if (c->pack_state == RULES_DISBANDED)
		return RULES_CHILD_DISBANDED;
	if (c->contains_target)
		return RULES_CYCLE;
	if (c->pack_state == RULES_OPEN)
		return RULES_CHILD_OPEN;
	if (p->depth + 1 + c->height >= ST_MAX_DEPTH)
		return RULES_TOO_DEEP;
	return RULES_OK;
}

static enum rules_verdict
check_unit(const struct rules_pack *p, const struct rules_child *c)
{
	if (p->require_crypto && !c->has_crypto)
		return RULES_NO_CRYPTO;
	if (p->policy != RULES_GTIN_ANY && p->gtin[0] != '\0' &&
	    strcmp(p->gtin, c->gtin) != 0)
		return RULES_GTIN;
	return RULES_OK;
}

enum rules_verdict
rules_pack_add(const struct rules_pack *p, const struct rules_child *c,
	       bool *closes)
{
	enum rules_verdict v;

	*closes = false;
	if (p->state == RULES_DISBANDED)
		return RULES_PACK_DISBANDED;
	if (p->shipped)
		return RULES_SHIPPED;
	if (p->state != RULES_OPEN)
		return RULES_NOT_OPEN;
	if ((v = check_level(p, c)) != RULES_OK ||
	    (v = check_place(c)) != RULES_OK)
		return v;
	v = c->is_pack ? check_child_pack(p, c) : check_unit(p, c);
	if (v != RULES_OK)
		return v;
	if (p->capacity > 0 && p->count >= p->capacity)
		return RULES_FULL;
	if (p->count >= ST_MAX_DOC_CODES)
		return RULES_DOC_LIMIT;
	*closes = p->capacity > 0 && p->count + 1 == p->capacity;
	return RULES_OK;
}

enum rules_verdict
rules_pack_close(const struct rules_pack *p)
{
	if (p->state == RULES_DISBANDED)
		return RULES_PACK_DISBANDED;
	if (p->state != RULES_OPEN)
		return RULES_NOT_OPEN;
	if (p->count == 0)
		return RULES_EMPTY;
	if (p->inner_open > 0)
		return RULES_INNER_OPEN;
	return RULES_OK;
}

enum rules_verdict
rules_pack_disband(const struct rules_pack *p, enum st_role role)
{
	if (p->state == RULES_DISBANDED)
		return RULES_PACK_DISBANDED;
	if (p->shipped)
		return RULES_SHIPPED;
	if (role < ST_SUPERVISOR)
		return RULES_SUPERVISOR;
	if (p->on_pallet)
		return RULES_ON_PALLET;
	if (p->inner_open > 0)
		return RULES_INNER_OPEN;
	return RULES_OK;
}

enum rules_verdict
rules_pack_take(const struct rules_pack *p, const struct rules_child *c,
		enum st_role role)
{
	if (p->state == RULES_DISBANDED)
		return RULES_PACK_DISBANDED;
	if (p->shipped || c->shipped)
		return RULES_SHIPPED;
	if (!c->in_this)
		return RULES_NOT_HERE;
	/* Fixing a scan in an open pack is the operator's own business;
	 * changing finished work is a supervisor's. */
	if (p->state != RULES_OPEN && role < ST_SUPERVISOR)
		return RULES_SUPERVISOR;
	return RULES_OK;
}

enum rules_verdict
rules_pack_put(const struct rules_pack *p, const struct rules_child *c,
	       enum st_role role)
{
	struct rules_pack open = *p;
	enum rules_verdict v;
	bool closes;

	if (p->state == RULES_DISBANDED)
		return RULES_PACK_DISBANDED;
	if (p->shipped)
		return RULES_SHIPPED;
	if (p->state != RULES_OPEN && role < ST_SUPERVISOR)
		return RULES_SUPERVISOR;
	/* Otherwise the same rules as a scan into an open pack, except that
	 * putting into a pack never closes it. Capacity is the pack's size
	 * (units per box, boxes per pallet): a correction that replaces a
	 * code takes the wrong one out first, so no role goes beyond it. */
	open.state = RULES_OPEN;
	open.capacity = 0;
	if ((v = rules_pack_add(&open, c, &closes)) != RULES_OK)
		return v;
	return p->capacity > 0 && p->count >= p->capacity ? RULES_PUT_FULL :
		RULES_OK;
}
