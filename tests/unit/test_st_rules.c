/*
 * test_st_rules: the packing rules over every combination of facts.
 *
 * The rules are pure, so the whole fact space is enumerated: for each of
 * millions of combinations the verdict is checked against the rules as the
 * issue states them, written here as independent conditions (allowed iff
 * every condition holds; a refusal names a condition that fails). Named
 * cases then pin which reason wins when several apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "store/rules.h"

#define G1 "04600439931256"
#define G2 "04606203084623"

static const struct { int count, capacity; } fills[] = {
	{ 0, 0 }, { 0, 1 }, { 1, 2 }, { 2, 2 }, { 5, 0 }, { 29999, 0 },
	{ 30000, 0 },
};

/* Fill a pack's facts from an index into the enumeration. */
static void
make_pack(unsigned i, struct rules_pack *p)
{
	memset(p, 0, sizeof(*p));
	p->level = (enum st_level)(i % 2);
	i /= 2;
	p->state = (enum rules_pack_state)(i % 5);
	i /= 5;
	p->shipped = i % 2;
	i /= 2;
	p->count = fills[i % 7].count;
	p->capacity = fills[i % 7].capacity;
	i /= 7;
	switch (i % 4) {
	case 0: p->policy = RULES_GTIN_ANY; break;
	case 1: p->policy = RULES_GTIN_SINGLE; break;
	case 2: p->policy = RULES_GTIN_SINGLE; strcpy(p->gtin, G1); break;
	case 3: p->policy = RULES_GTIN_FIXED; strcpy(p->gtin, G1); break;
	}
	i /= 4;
	p->require_crypto = i % 2;
	i /= 2;
	p->depth = i % 2 ? ST_MAX_DEPTH - 2 : 0;
}
#define PACK_COMBOS (2 * 5 * 2 * 7 * 4 * 2 * 2)

static void
make_child(unsigned i, struct rules_child *c)
{
	memset(c, 0, sizeof(*c));
	c->is_pack = i % 2;
	i /= 2;
	c->known = i % 2;
	i /= 2;
	c->has_crypto = i % 2;
	i /= 2;
	strcpy(c->gtin, i % 2 ? G2 : G1);
	i /= 2;
	c->in_this = i % 3 == 1;
	c->in_other = i % 3 == 2;
	i /= 3;
	c->shipped = i % 2;
	i /= 2;
	c->is_target = i % 2;
	i /= 2;
	c->contains_target = i % 2;
	i /= 2;
	c->pack_known = i % 2;
	i /= 2;
	c->pack_state = (enum rules_pack_state)(i % 5);
	i /= 5;
	c->height = i % 2 ? 3 : 0;
}
#define CHILD_COMBOS (2 * 2 * 2 * 2 * 3 * 2 * 2 * 2 * 2 * 5 * 2)

/* The rules of the issue, one condition each. */
static bool
allowed(const struct rules_pack *p, const struct rules_child *c)
{
	bool level_ok = (p->level == ST_BOX) != c->is_pack;
	bool place_ok = !c->in_this && !c->in_other && !c->shipped &&
		!c->is_target;
	bool fits = (p->capacity == 0 || p->count < p->capacity) &&
		p->count < ST_MAX_DOC_CODES;
	bool unit_ok = c->is_pack ||
		((!p->require_crypto || c->has_crypto) &&
		 (p->policy == RULES_GTIN_ANY || p->gtin[0] == '\0' ||
		  strcmp(p->gtin, c->gtin) == 0));
	bool pack_ok = !c->is_pack ||
		(c->pack_known && c->pack_state != RULES_OPEN &&
		 c->pack_state != RULES_DISBANDED && !c->contains_target &&
		 p->depth + 1 + c->height < ST_MAX_DEPTH);

	return p->state == RULES_OPEN && !p->shipped && level_ok &&
		place_ok && fits && unit_ok && pack_ok;
}

/* A refusal must name a condition that really fails. */
static bool
reason_holds(enum rules_verdict v, const struct rules_pack *p,
	     const struct rules_child *c)
{
	switch (v) {
	case RULES_PACK_DISBANDED: return p->state == RULES_DISBANDED;
	case RULES_SHIPPED: return p->shipped || c->shipped;
	case RULES_NOT_OPEN: return p->state != RULES_OPEN;
	case RULES_PACK_IN_BOX: return p->level == ST_BOX && c->is_pack;
	case RULES_UNIT_IN_PALLET: return p->level == ST_PALLET && !c->is_pack;
	case RULES_SELF: return c->is_target;
	case RULES_ALREADY_HERE: return c->in_this;
	case RULES_IN_OTHER_PACK: return c->in_other;
	case RULES_NO_CRYPTO: return p->require_crypto && !c->has_crypto;
	case RULES_GTIN: return p->policy != RULES_GTIN_ANY &&
		p->gtin[0] != '\0' && strcmp(p->gtin, c->gtin) != 0;
	case RULES_CHILD_UNKNOWN: return !c->pack_known;
	case RULES_CHILD_DISBANDED: return c->pack_state == RULES_DISBANDED;
	case RULES_CHILD_OPEN: return c->pack_state == RULES_OPEN;
	case RULES_CYCLE: return c->contains_target;
	case RULES_TOO_DEEP: return p->depth + 1 + c->height >= ST_MAX_DEPTH;
	case RULES_FULL: return p->capacity > 0 && p->count >= p->capacity;
	case RULES_DOC_LIMIT: return p->count >= ST_MAX_DOC_CODES;
	default: return false;
	}
}

static void
test_add_every_combination(void **state)
{
	struct rules_pack p;
	struct rules_child c;
	unsigned i, k, ok = 0, refused = 0;
	bool closes;

	(void)state;
	for (i = 0; i < PACK_COMBOS; i++) {
		make_pack(i, &p);
		for (k = 0; k < CHILD_COMBOS; k++) {
			enum rules_verdict v;

			make_child(k, &c);
			v = rules_pack_add(&p, &c, &closes);
			if ((v == RULES_OK) != allowed(&p, &c))
				fail_msg("pack %u child %u: verdict %d", i, k,
					 v);
			if (v != RULES_OK) {
				if (!reason_holds(v, &p, &c))
					fail_msg("pack %u child %u: reason %d "
						 "does not hold", i, k, v);
				assert_false(closes);
				refused++;
				continue;
			}
			ok++;
			assert_int_equal(closes, p.capacity > 0 &&
					 p.count + 1 == p.capacity);
		}
	}
	/* Both outcomes were reached many times. */
	assert_true(ok > 1000);
	assert_true(refused > 1000000);
}

static struct rules_pack
open_box(void)
{
	struct rules_pack p = { .level = ST_BOX, .state = RULES_OPEN,
				.capacity = 3, .policy = RULES_GTIN_ANY,
				.require_crypto = true };
	return p;
}

static void
test_add_named_cases(void **state)
{
	struct rules_pack p = open_box();
	struct rules_child unit = { .has_crypto = true, .gtin = G1 };
	struct rules_child c;
	bool closes;

	(void)state;
	assert_int_equal(rules_pack_add(&p, &unit, &closes), RULES_OK);
	assert_false(closes);
	p.count = 2;
	assert_int_equal(rules_pack_add(&p, &unit, &closes), RULES_OK);
	assert_true(closes);
	p.count = 3;
	assert_int_equal(rules_pack_add(&p, &unit, &closes), RULES_FULL);
	/* Already here beats full: the operator learns it was a repeat. */
	c = unit;
	c.known = c.in_this = true;
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_ALREADY_HERE);
	/* A closed pack says so before anything about the code. */
	p.state = RULES_CLOSED;
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_NOT_OPEN);
	p.state = RULES_DISBANDED;
	assert_int_equal(rules_pack_add(&p, &c, &closes),
			 RULES_PACK_DISBANDED);
	/* GTIN policies. */
	p = open_box();
	p.policy = RULES_GTIN_SINGLE;
	assert_int_equal(rules_pack_add(&p, &unit, &closes), RULES_OK);
	strcpy(p.gtin, G2);
	assert_int_equal(rules_pack_add(&p, &unit, &closes), RULES_GTIN);
	c = unit;
	c.has_crypto = false;
	p = open_box();
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_NO_CRYPTO);
	p.require_crypto = false;
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_OK);
}

static void
test_pallet_cases(void **state)
{
	struct rules_pack p = { .level = ST_PALLET, .state = RULES_OPEN };
	struct rules_child box = { .is_pack = true, .known = true,
				   .pack_known = true,
				   .pack_state = RULES_CLOSED };
	struct rules_child c;
	bool closes;

	(void)state;
	assert_int_equal(rules_pack_add(&p, &box, &closes), RULES_OK);
	c = box;
	c.pack_state = RULES_OPEN;
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_CHILD_OPEN);
	c = box;
	c.contains_target = true;
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_CYCLE);
	c = box;
	c.is_target = true;
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_SELF);
	c = box;
	c.pack_known = false;
	assert_int_equal(rules_pack_add(&p, &c, &closes),
			 RULES_CHILD_UNKNOWN);
	c = box;
	c.height = ST_MAX_DEPTH;
	assert_int_equal(rules_pack_add(&p, &c, &closes), RULES_TOO_DEEP);
	c = box;
	c.is_pack = false;
	assert_int_equal(rules_pack_add(&p, &c, &closes),
			 RULES_UNIT_IN_PALLET);
}

static void
test_close(void **state)
{
	struct rules_pack p = open_box();

	(void)state;
	assert_int_equal(rules_pack_close(&p), RULES_EMPTY);
	p.count = 1;
	assert_int_equal(rules_pack_close(&p), RULES_OK);
	p.inner_open = 1;
	assert_int_equal(rules_pack_close(&p), RULES_INNER_OPEN);
	p.inner_open = 0;
	p.state = RULES_CLOSED;
	assert_int_equal(rules_pack_close(&p), RULES_NOT_OPEN);
	p.state = RULES_DISBANDED;
	assert_int_equal(rules_pack_close(&p), RULES_PACK_DISBANDED);
}

/* Disband, take and put across every state, role and placement. */
static void
test_change_every_combination(void **state)
{
	struct rules_pack p;
	struct rules_child c = { .known = true, .has_crypto = true,
				 .gtin = G1 };
	int st, role, shipped, on_pallet, inner, here;

	(void)state;
	for (st = 0; st < 5; st++)
	for (role = 0; role < 3; role++)
	for (shipped = 0; shipped < 2; shipped++)
	for (on_pallet = 0; on_pallet < 2; on_pallet++)
	for (inner = 0; inner < 2; inner++)
	for (here = 0; here < 2; here++) {
		enum rules_verdict d, t;

		p = open_box();
		p.count = 2;
		p.state = (enum rules_pack_state)st;
		p.shipped = shipped;
		p.on_pallet = on_pallet;
		p.inner_open = inner;
		c.in_this = here;
		d = rules_pack_disband(&p, (enum st_role)role);
		assert_int_equal(d == RULES_OK, st != RULES_DISBANDED &&
				 !shipped && role >= ST_SUPERVISOR &&
				 !on_pallet && !inner);
		t = rules_pack_take(&p, &c, (enum st_role)role);
		assert_int_equal(t == RULES_OK, st != RULES_DISBANDED &&
				 !shipped && here &&
				 (st == RULES_OPEN || role >= ST_SUPERVISOR));
		c.in_this = false;
		t = rules_pack_put(&p, &c, (enum st_role)role);
		assert_int_equal(t == RULES_OK, st != RULES_DISBANDED &&
				 !shipped &&
				 (st == RULES_OPEN || role >= ST_SUPERVISOR));
	}
}

/* put never goes beyond capacity, for any role or state; capacity 0 is
 * no limit. */
static void
test_put_capacity(void **state)
{
	struct rules_child c = { .known = true, .has_crypto = true,
				 .gtin = G1 };
	struct rules_pack p;
	int st, role;

	(void)state;
	for (st = RULES_OPEN; st <= RULES_CONFIRMED; st++)
	for (role = 0; role < 3; role++) {
		p = open_box();
		p.state = (enum rules_pack_state)st;
		p.count = 3;
		if (st != RULES_OPEN && role < ST_SUPERVISOR) {
			assert_int_equal(rules_pack_put(&p, &c,
				(enum st_role)role), RULES_SUPERVISOR);
			continue;
		}
		assert_int_equal(rules_pack_put(&p, &c, (enum st_role)role),
				 RULES_PUT_FULL);
		p.count = 2;
		assert_int_equal(rules_pack_put(&p, &c, (enum st_role)role),
				 RULES_OK);
		p.capacity = 0;
		p.count = 500;
		assert_int_equal(rules_pack_put(&p, &c, (enum st_role)role),
				 RULES_OK);
	}
	/* what is wrong with the code itself is said first */
	p = open_box();
	p.count = 3;
	c.in_this = true;
	assert_int_equal(rules_pack_put(&p, &c, ST_ADMIN), RULES_ALREADY_HERE);
}

static void
test_reasons_and_names(void **state)
{
	int v;

	(void)state;
	for (v = 0; v < RULES_COUNT; v++) {
		const char *r = rules_reason((enum rules_verdict)v);
		const char *s = strstr(r, "%");

		assert_non_null(r);
		assert_true(strlen(r) > 1);
		/* At most one %s, and no other conversion. */
		if (s != NULL) {
			assert_true(s[1] == 's');
			assert_null(strstr(s + 1, "%"));
		}
	}
	for (v = 0; v < 5; v++)
		assert_int_equal(rules_state_parse(rules_state_name(
			(enum rules_pack_state)v)), v);
	assert_int_equal(rules_state_parse("lost"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_every_combination),
		cmocka_unit_test(test_add_named_cases),
		cmocka_unit_test(test_pallet_cases),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_change_every_combination),
		cmocka_unit_test(test_put_capacity),
		cmocka_unit_test(test_reasons_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
