/*
 * gtin_table: distinct GTINs by hash (gtin_table.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/gtin_table.h"

static uint32_t
gtin_hash(const char *gtin)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *gtin != '\0'; gtin++)
		h = (h ^ (uint8_t)*gtin) * 16777619u;
	return h;
}

/* Twice the slots, at most half of them used; false if no memory. */
static bool
hash_grow(struct gtin_table *t)
{
	size_t cap = t->hcap ? t->hcap * 2 : 64, i, at;
	int32_t *h = malloc(cap * sizeof(*h));

	if (h == NULL)
		return false;
	for (i = 0; i < cap; i++)
		h[i] = -1;
	for (i = 0; i < (size_t)t->n; i++) {
		at = gtin_hash(t->v[i].gtin) & (cap - 1);
		while (h[at] >= 0)
			at = (at + 1) & (cap - 1);
		h[at] = (int32_t)i;
	}
	free(t->hash);
	t->hash = h;
	t->hcap = cap;
	return true;
}

int
gtin_table_index(struct gtin_table *t, const char *gtin)
{
	size_t at;

	if (t->n > 0 && strcmp(t->v[t->last].gtin, gtin) == 0)
		return t->last;
	if (((size_t)t->n + 1) * 2 > t->hcap && !hash_grow(t))
		return -1;
	at = gtin_hash(gtin) & (t->hcap - 1);
	for (; t->hash[at] >= 0; at = (at + 1) & (t->hcap - 1))
		if (strcmp(t->v[t->hash[at]].gtin, gtin) == 0)
			return t->last = t->hash[at];
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		struct gtin_entry *v = realloc(t->v, (size_t)cap * sizeof(*v));

		if (v == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	snprintf(t->v[t->n].gtin, sizeof(t->v[0].gtin), "%s", gtin);
	t->v[t->n].id = 0;
	t->hash[at] = t->n;
	return t->last = t->n++;
}

void
gtin_table_free(struct gtin_table *t)
{
	free(t->v);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}
