/*
 * rules_ship: shipment rules (see rules_ship.h). Pure: facts in, verdict
 * out; no database, clock or allocation.
 */
#include <string.h>

#include "store/rules_ship.h"
#include "scanners/i18n.h"


static const char *const reasons[RULES_SHIP_COUNT] = {
	[RULES_SHIP_OK] = N_("OK"),
	[RULES_SHIP_BAD_INN] = N_("The receiver's INN must have 10 or 12 "
		"digits."),
	[RULES_SHIP_BAD_NUMBER] = N_("The document number must have 1 to 255 "
		"characters."),
	[RULES_SHIP_NOT_OPEN] = N_("This shipment is finished: open a new "
		"one."),
	[RULES_SHIP_UNKNOWN] = N_("Not in stock: this code was never packed "
		"or received here."),
	[RULES_SHIP_SHIPPED] = N_("Already shipped: it has left the "
		"warehouse."),
	[RULES_SHIP_IN_PACK] = N_("It is inside pack %s: ship that pack, or "
		"take it out of the pack first."),
	[RULES_SHIP_PACK_OPEN] = N_("This pack is still open: close it before "
		"shipping it."),
	[RULES_SHIP_DISBANDED] = N_("That pack was disbanded: ship what was "
		"in it instead."),
	[RULES_SHIP_ON_THIS] = N_("Already on this shipment: scanned twice."),
	[RULES_SHIP_ON_OTHER] = N_("Already on the open shipment %s: finish "
		"or change that shipment first."),
	[RULES_SHIP_FULL] = N_("Too many codes for one document (30 000): "
		"open another shipment."),
	[RULES_SHIP_EMPTY] = N_("Nothing scanned onto this shipment yet."),
};

const char *
rules_ship_reason(enum rules_ship_verdict v)
{
	return (unsigned)v < RULES_SHIP_COUNT ? reasons[v] : N_("Refused.");
}

bool
rules_ship_inn_ok(const char *inn)
{
	size_t n, i;

	if (inn == NULL)
		return false;
	n = strlen(inn);
	if (n != 10 && n != 12)
		return false;
	for (i = 0; i < n; i++)
		if (inn[i] < '0' || inn[i] > '9')
			return false;
	return true;
}

enum rules_ship_verdict
rules_ship_open(const char *receiver_inn, const char *number)
{
	if (!rules_ship_inn_ok(receiver_inn))
		return RULES_SHIP_BAD_INN;
	if (number == NULL || number[0] == '\0' || strlen(number) > 255)
		return RULES_SHIP_BAD_NUMBER;
	return RULES_SHIP_OK;
}

enum rules_ship_verdict
rules_ship_scan(const struct rules_ship_code *c)
{
	if (!c->shipment_open)
		return RULES_SHIP_NOT_OPEN;
	if (!c->known || (c->is_pack && !c->pack_known))
		return RULES_SHIP_UNKNOWN;
	if (c->shipped)
		return RULES_SHIP_SHIPPED;
	if (c->on_this)
		return RULES_SHIP_ON_THIS;
	if (c->on_other)
		return RULES_SHIP_ON_OTHER;
	if (c->is_pack && c->pack_state == RULES_DISBANDED)
		return RULES_SHIP_DISBANDED;
	if (c->in_pack)
		return RULES_SHIP_IN_PACK;
	if (c->is_pack && c->pack_state == RULES_OPEN)
		return RULES_SHIP_PACK_OPEN;
	if (c->on_shipment >= ST_MAX_DOC_CODES)
		return RULES_SHIP_FULL;
	return RULES_SHIP_OK;
}

enum rules_ship_verdict
rules_ship_finish(bool open, int codes)
{
	if (!open)
		return RULES_SHIP_NOT_OPEN;
	return codes > 0 ? RULES_SHIP_OK : RULES_SHIP_EMPTY;
}
