/*
 * rules_ship: the pure rules of shipment (scanning packs and loose units
 * onto an outgoing document).
 *
 * May a shipment be opened to this receiver under this number, may this
 * code go onto it, may it be finished. ship.c gathers the facts and
 * applies the decision in one transaction.
 *
 * What it must not do: touch the database, the clock or memory.
 */
#ifndef SKLAD_STORE_RULES_SHIP_H
#define SKLAD_STORE_RULES_SHIP_H

#include <stdbool.h>

#include "store/rules.h"

enum rules_ship_verdict {
	RULES_SHIP_OK = 0,
	RULES_SHIP_BAD_INN,	/* receiver INN not 10 or 12 digits */
	RULES_SHIP_BAD_NUMBER,	/* document number empty or > 255 */
	RULES_SHIP_NOT_OPEN,	/* the shipment is finished */
	RULES_SHIP_UNKNOWN,	/* the code is not in stock at all */
	RULES_SHIP_SHIPPED,	/* it has left already */
	RULES_SHIP_IN_PACK,	/* inside pack %s */
	RULES_SHIP_PACK_OPEN,	/* a pack still open */
	RULES_SHIP_DISBANDED,	/* a disbanded pack's label */
	RULES_SHIP_ON_THIS,	/* scanned onto this shipment before */
	RULES_SHIP_ON_OTHER,	/* on another open shipment, %s */
	RULES_SHIP_FULL,	/* one document holds 30 000 codes */
	RULES_SHIP_EMPTY,	/* finishing with nothing scanned */
	RULES_SHIP_COUNT
};

/* Facts about a code scanned onto a shipment. */
struct rules_ship_code {
	bool shipment_open;
	int on_shipment;	/* codes already on the shipment */
	bool known;		/* stored in codes */
	bool shipped;		/* codes.state = shipped */
	bool in_pack;		/* it has a parent */
	bool is_pack;		/* an SSCC */
	bool pack_known;	/* is_pack: one of our packs */
	enum rules_pack_state pack_state;
	bool on_this;		/* already on this shipment */
	bool on_other;		/* on another open shipment */
};

/* May a shipment open for receiver_inn under number? */
enum rules_ship_verdict rules_ship_open(const char *receiver_inn,
					const char *number);

/* May code go onto the shipment? */
enum rules_ship_verdict rules_ship_scan(const struct rules_ship_code *c);

/* May a shipment (open or not, with codes on it) be finished? */
enum rules_ship_verdict rules_ship_finish(bool open, int codes);

/* The operator-facing reason (msgid of domain "sklad"); IN_PACK holds
 * one %s (the pack's SSCC, twice said as "that pack"), ON_OTHER one %s
 * (the other shipment's document number). */
const char *rules_ship_reason(enum rules_ship_verdict v);

/* An INN: 10 or 12 digits. */
bool rules_ship_inn_ok(const char *inn);

#endif
