/*
 * code_index: finds a code among the codes of a file being read (a
 * delivery, a stock load) by hash: a code listed twice, a parent SSCC.
 * The caller keeps its items and their serials; the index holds only
 * their numbers and asks the caller for an item's key.
 *
 * What it must not do: own or copy the caller's items.
 */
#ifndef SKLAD_CODE_INDEX_H
#define SKLAD_CODE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A code's identity: its GTIN's number in the caller's gtin_table (-1
 * for an SSCC) and its serial (the SSCC's digits), len bytes. */
struct code_key {
	int32_t gtin;
	const char *serial;
	size_t len;
};

/* The key of item i of owner's list. */
typedef struct code_key code_key_fn(const void *owner, size_t i);

/* Zero-initialised is empty. */
struct code_index {
	int32_t *slot;		/* item numbers, open addressing, -1 empty */
	size_t cap;
};

/* Room for one more than count items (rehashing the count there are,
 * read through key); false if out of memory, x unchanged. */
bool code_index_reserve(struct code_index *x, size_t count, code_key_fn *key,
			const void *owner);

/* The slot of k after code_index_reserve: x->slot[at] is the number of
 * the item equal to k, or -1 where k goes when it is added. */
size_t code_index_slot(const struct code_index *x, struct code_key k,
		       code_key_fn *key, const void *owner);

/* Free what x holds; x is empty again. */
void code_index_free(struct code_index *x);

#endif
