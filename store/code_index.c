/*
 * code_index: codes of a file by hash (code_index.h).
 */
#include <stdlib.h>
#include <string.h>

#include "store/code_index.h"

static uint32_t
key_hash(struct code_key k)
{
	uint32_t h = 2166136261u ^ (uint32_t)k.gtin;	/* FNV-1a */
	size_t i;

	for (i = 0; i < k.len; i++)
		h = (h ^ (uint8_t)k.serial[i]) * 16777619u;
	return h;
}

static bool
same(struct code_key a, struct code_key b)
{
	return a.gtin == b.gtin && a.len == b.len &&
		memcmp(a.serial, b.serial, a.len) == 0;
}

bool
code_index_reserve(struct code_index *x, size_t count, code_key_fn *key,
		   const void *owner)
{
	size_t cap = x->cap ? x->cap : 1024, i, at;
	int32_t *h;

	if ((count + 1) * 2 <= x->cap)
		return true;
	while ((count + 1) * 2 > cap)
		cap *= 2;
	if ((h = malloc(cap * sizeof(*h))) == NULL)
		return false;
	for (i = 0; i < cap; i++)
		h[i] = -1;
	for (i = 0; i < count; i++) {
		at = key_hash(key(owner, i)) & (cap - 1);
		while (h[at] >= 0)
			at = (at + 1) & (cap - 1);
		h[at] = (int32_t)i;
	}
	free(x->slot);
	x->slot = h;
	x->cap = cap;
	return true;
}

size_t
code_index_slot(const struct code_index *x, struct code_key k,
		code_key_fn *key, const void *owner)
{
	size_t at = key_hash(k) & (x->cap - 1);

	for (; x->slot[at] >= 0; at = (at + 1) & (x->cap - 1))
		if (same(key(owner, (size_t)x->slot[at]), k))
			break;
	return at;
}

void
code_index_free(struct code_index *x)
{
	free(x->slot);
	memset(x, 0, sizeof(*x));
}
