/*
 * rules_check: the pure rules of code checks (see rules_check.h).
 *
 * What it must not do: touch the database, the network, the clock or
 * memory allocation; statuses unknown to true-api.md §7 are problems,
 * never guessed to be fine.
 */
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "store/rules_check.h"
#include "scanners/i18n.h"

static bool
is(const char *s, const char *v)
{
	return s != NULL && strcmp(s, v) == 0;
}

static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* A special state that does not stand in the way of the use. */
static bool
special_ok(const struct rules_check_ctx *c, const char *ex)
{
	if (empty(ex) || is(ex, "EMPTY"))
		return true;
	/* a shipment on its way to us (ref §7 statusEx) */
	return c->use == RULES_CHK_ACCEPT &&
		(is(ex, "WAIT_SHIPMENT") || is(ex, "WAIT_TRANSFER_TO_OWNER"));
}

enum rules_check_problem
rules_check_code(const struct rules_check_ctx *c,
		 const struct rules_check_facts *f)
{
	if (!f->found)
		return is(f->error_code, "404") ? RULES_CHK_UNKNOWN :
			RULES_CHK_NO_ANSWER;
	if (c->use == RULES_CHK_ACCEPT) {
		if (!is(f->status, "INTRODUCED"))
			return RULES_CHK_STATUS;
	} else if (!is(f->status, "INTRODUCED") &&
		   !is(f->status, "APPLIED")) {
		return RULES_CHK_STATUS;
	}
	if (!special_ok(c, f->status_ex))
		return RULES_CHK_SPECIAL;
	if (c->use == RULES_CHK_ACCEPT) {
		/* ours already, or still the supplier's; unknown supplier:
		 * only a missing owner is a problem */
		if (empty(f->owner_inn))
			return RULES_CHK_OWNER;
		if (!is(f->owner_inn, c->our_inn) && !empty(c->sender_inn) &&
		    !is(f->owner_inn, c->sender_inn))
			return RULES_CHK_OWNER;
		return RULES_CHK_OK;
	}
	if (!is(f->owner_inn, c->our_inn))
		return RULES_CHK_OWNER;
	if (!empty(f->parent) && !is(f->parent, c->pack))
		return RULES_CHK_OTHER_AGGREGATE;
	return RULES_CHK_OK;
}

static const char *
or_dash(const char *s)
{
	return empty(s) ? "-" : s;
}

void
rules_check_reason(enum rules_check_problem p,
		   const struct rules_check_ctx *c,
		   const struct rules_check_facts *f, char *out, size_t n)
{
	if (n == 0)
		return;
	out[0] = '\0';
	switch (p) {
	case RULES_CHK_OK:
		break;
	case RULES_CHK_UNKNOWN:
		snprintf(out, n, "%s", _("the state system "
			 "does not know this code"));
		break;
	case RULES_CHK_NO_ANSWER:
		snprintf(out, n, _("the state system could "
			 "not say anything about this code (error %s: %s)"),
			 or_dash(f->error_code), or_dash(f->error));
		break;
	case RULES_CHK_STATUS:
		if (c->use == RULES_CHK_ACCEPT)
			snprintf(out, n, _("status %s: a code "
				 "received from a supplier must be in "
				 "circulation (INTRODUCED)"),
				 or_dash(f->status));
		else
			snprintf(out, n, _("status %s: only "
				 "applied (APPLIED) or introduced "
				 "(INTRODUCED) codes can be packed"),
				 or_dash(f->status));
		break;
	case RULES_CHK_SPECIAL:
		snprintf(out, n, _("special state %s: the "
			 "code cannot be used now"), or_dash(f->status_ex));
		break;
	case RULES_CHK_OWNER:
		if (c->use == RULES_CHK_ACCEPT && !empty(c->sender_inn) &&
		    !empty(f->owner_inn))
			snprintf(out, n, _("owned by INN %s, "
				 "neither the supplier (%s) nor us (%s)"),
				 or_dash(f->owner_inn), c->sender_inn,
				 or_dash(c->our_inn));
		else if (c->use == RULES_CHK_ACCEPT)
			snprintf(out, n, "%s", _("the state "
				 "system names no owner for this code"));
		else
			snprintf(out, n, _("owned by INN %s, "
				 "not by us (%s)"), or_dash(f->owner_inn),
				 or_dash(c->our_inn));
		break;
	case RULES_CHK_OTHER_AGGREGATE:
		snprintf(out, n, _("already in aggregate %s "
			 "for the state system: disaggregate it first"),
			 f->parent);
		break;
	}
}
