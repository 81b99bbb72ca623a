/*
 * doc_transfer: the bodies of the two transfer documents, LP_SHIP_GOODS
 * (§5.6) and LP_ACCEPT_GOODS (§5.7), deterministically (fixed key order,
 * compact), so the bytes stored in the outbox are the bytes signed.
 *
 * An optional field with no value (NULL or "") is left out, never sent
 * as "" (true-api.md §4.3: an optional parameter "not filled" fails the
 * document).
 *
 * What it must not do: touch the database or decide anything: the caller
 * says which lines there are and whether each was accepted.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/doc.h"

static char *
dump(json_t *o, size_t *len)
{
	char *s = o != NULL ?
		json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	*len = s != NULL ? strlen(s) : 0;
	return s;
}

/* {"uit_code"|"uitu_code": code[, "accepted": b]} */
static json_t *
line(const struct doc_line *l, bool acceptance)
{
	json_t *p = json_object();

	if (p == NULL ||
	    json_object_set_new(p, l->is_pack ? "uitu_code" : "uit_code",
				json_string(l->code)) < 0 ||
	    (acceptance && json_object_set_new(p, "accepted",
					       json_boolean(l->accepted)) < 0)) {
		json_decref(p);
		return NULL;
	}
	return p;
}

static int
set_str(json_t *o, const char *key, const char *v)
{
	return json_object_set_new(o, key, json_string(v != NULL ? v : ""));
}

/* An optional field: left out when it has no value. */
static int
set_opt(json_t *o, const char *key, const char *v)
{
	return v == NULL || v[0] == '\0' ? 0 : set_str(o, key, v);
}

char *
doc_shipment(const struct doc_shipment *s, size_t *len)
{
	json_t *o = json_object(), *arr = json_array();
	int i;

	if (o == NULL || arr == NULL ||
	    set_str(o, "document_num", s->number) < 0 ||
	    set_str(o, "document_date", s->date) < 0 ||
	    set_str(o, "transfer_date", s->transfer_date) < 0 ||
	    set_str(o, "receiver_inn", s->receiver_inn) < 0 ||
	    set_opt(o, "sender_inn", s->sender_inn) < 0 ||
	    set_str(o, "turnover_type", s->turnover_type != NULL &&
		    s->turnover_type[0] ? s->turnover_type : "SELLING") < 0)
		goto fail;
	for (i = 0; i < s->n; i++)
		if (json_array_append_new(arr, line(&s->lines[i], false)) < 0)
			goto fail;
	json_object_set_new(o, "products", arr);
	return dump(o, len);
fail:
	json_decref(arr);
	json_decref(o);
	*len = 0;
	return NULL;
}

/* Append line i under its parent (creating the parent's children). */
static int
place(json_t *products, json_t **nodes, const struct doc_line *l, int i)
{
	json_t *under = products, *kids;

	if (l->parent >= 0) {
		if (l->parent >= i || nodes[l->parent] == NULL)
			return -1;
		kids = json_object_get(nodes[l->parent], "children");
		if (kids == NULL) {
			kids = json_array();
			if (json_object_set_new(nodes[l->parent], "children",
						kids) < 0)
				return -1;
		}
		under = kids;
	}
	nodes[i] = line(l, true);
	return json_array_append_new(under, nodes[i]);
}

char *
doc_acceptance(const struct doc_acceptance *a, size_t *len)
{
	json_t *o = json_object(), *arr = json_array(), **nodes;
	int i;

	nodes = calloc(a->n > 0 ? (size_t)a->n : 1, sizeof(*nodes));
	if (nodes == NULL || o == NULL || arr == NULL ||
	    set_str(o, "release_order_number", a->release_order) < 0 ||
	    set_str(o, "document_number", a->number) < 0 ||
	    set_str(o, "document_date", a->date) < 0 ||
	    set_str(o, "transfer_date", a->transfer_date) < 0 ||
	    set_str(o, "acceptance_date", a->acceptance_date) < 0 ||
	    set_str(o, "trade_sender_inn", a->sender_inn) < 0 ||
	    set_str(o, "trade_recipient_inn", a->recipient_inn) < 0 ||
	    set_str(o, "turnover_type", a->turnover_type) < 0 ||
	    json_object_set(o, "products", arr) < 0)
		goto fail;
	for (i = 0; i < a->n; i++)
		if (place(arr, nodes, &a->lines[i], i) < 0)
			goto fail;
	free(nodes);
	json_decref(arr);
	return dump(o, len);
fail:
	free(nodes);
	json_decref(arr);
	json_decref(o);
	*len = 0;
	return NULL;
}
