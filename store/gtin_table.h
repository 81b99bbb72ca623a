/*
 * gtin_table: the distinct GTINs of a file being read (a delivery, a
 * stock load), each with the id the database gives it when the rows go
 * in. Found by hash, not by a scan: a delivery of 200 000 distinct GTINs
 * took a minute with a linear search (issue 13), and a stock load of
 * 50 000 took 4.6 s against 0.6 s for one GTIN.
 *
 * What it must not do: talk to SQLite (the caller fills in ids).
 */
#ifndef SKLAD_GTIN_TABLE_H
#define SKLAD_GTIN_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "scanners/mark.h"

struct gtin_entry {
	char gtin[MARK_GTIN_LEN + 1];
	int64_t id;		/* the database's id, 0: not looked up yet */
};

/* Zero-initialised is empty. */
struct gtin_table {
	struct gtin_entry *v;	/* in the order first seen */
	int n, cap;
	int last;		/* the last one found: files come in runs */
	int32_t *hash;		/* indices into v, open addressing, -1 empty */
	size_t hcap;
};

/* The index of gtin (14 digits) in t->v, added with id 0 if new; -1 if
 * out of memory (t unchanged). */
int gtin_table_index(struct gtin_table *t, const char *gtin);

/* Free what t holds; t is empty again. */
void gtin_table_free(struct gtin_table *t);

#endif
