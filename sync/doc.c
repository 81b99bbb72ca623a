/*
 * doc: document bodies in a fixed key order (see doc.h).
 *
 * Must not: send "" for an optional value, or reorder keys.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sync/doc.h"

static int
inn_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n != 10 && n != 12)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
given(const char *s)
{
	return s != NULL && *s != '\0';
}

/* obj[key] = string s; 0 or -1. */
static int
put_s(json_t *obj, const char *key, const char *s)
{
	json_t *v = json_string(s);

	return v ? json_object_set_new(obj, key, v) : -1;
}

/* Only if given: optional values are omitted, never "". */
static int
put_opt(json_t *obj, const char *key, const char *s)
{
	return given(s) ? put_s(obj, key, s) : 0;
}

/* Serialize, check the size limit, hand out; takes the reference. */
static int
finish(json_t *j, size_t codes, char **out, size_t *len, struct err *e)
{
	char *s;

	*out = NULL;
	*len = 0;
	if (j == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (codes > SY_DOC_MAX_CODES) {
		json_decref(j);
		return err_set(e, ERR_INVALID, "the document lists %zu codes, "
			       "more than the %d allowed; split it", codes,
			       SY_DOC_MAX_CODES);
	}
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		return err_set(e, ERR_INVALID, "a code is not valid UTF-8");
	if (strlen(s) > SY_DOC_MAX_BYTES) {
		free(s);
		return err_set(e, ERR_INVALID, "the document is larger than "
			       "30 MB; split it");
	}
	*out = s;
	*len = strlen(s);
	return 0;
}

#define BAD(...) do { rc = err_set(e, ERR_INVALID, __VA_ARGS__); \
		goto fail; } while (0)
#define OOM() do { rc = err_set(e, ERR_INTERNAL, "out of memory"); \
		goto fail; } while (0)

int
sy_doc_aggregation(const char *inn, const struct sy_doc_unit *units,
		   size_t nunits, char **out, size_t *len, struct err *e)
{
	json_t *j = json_object(), *arr = json_array();
	size_t i, k, codes = 0, ulen = 0;
	int rc;

	if (!j || !arr)
		OOM();
	if (!inn_ok(inn))
		BAD("participantId must be an INN of 10 or 12 digits");
	if (nunits == 0)
		BAD("an aggregation needs at least one pack");
	if (put_s(j, "participantId", inn) < 0 ||
	    json_object_set(j, "aggregationUnits", arr) < 0)
		OOM();
	for (i = 0; i < nunits; i++) {
		json_t *u, *kids;

		if (!given(units[i].code))
			BAD("pack %zu has no code", i + 1);
		if (i == 0)
			ulen = strlen(units[i].code);
		else if (strlen(units[i].code) != ulen)
			BAD("all packs of one aggregation must have codes of "
			    "the same length (pack %zu differs)", i + 1);
		if (units[i].nchildren == 0)
			BAD("pack %s is empty", units[i].code);
		u = json_object();
		if (u == NULL || json_array_append_new(arr, u) < 0)
			OOM();
		kids = json_array();
		if (put_s(u, "unitSerialNumber", units[i].code) < 0 ||
		    put_s(u, "aggregationType", "AGGREGATION") < 0 ||
		    kids == NULL || json_object_set_new(u, "sntins", kids) < 0)
			OOM();
		for (k = 0; k < units[i].nchildren; k++) {
			if (!given(units[i].children[k]))
				BAD("pack %s holds an empty code",
				    units[i].code);
			if (json_array_append_new(kids, json_string(
				units[i].children[k])) < 0)
				BAD("a code in pack %s is not valid UTF-8",
				    units[i].code);
		}
		codes += 1 + units[i].nchildren;
	}
	json_decref(arr);
	return finish(j, codes, out, len, e);
fail:
	json_decref(arr);
	json_decref(j);
	*out = NULL;
	*len = 0;
	return rc;
}

int
sy_doc_disaggregation(const char *inn, const char *const *packs,
		      size_t npacks, char **out, size_t *len, struct err *e)
{
	json_t *j = json_object(), *arr = json_array();
	size_t i;
	int rc;

	if (!j || !arr)
		OOM();
	if (!inn_ok(inn))
		BAD("participant_inn must be an INN of 10 or 12 digits");
	if (npacks == 0)
		BAD("a disaggregation needs at least one pack");
	if (put_s(j, "participant_inn", inn) < 0 ||
	    json_object_set(j, "products_list", arr) < 0)
		OOM();
	for (i = 0; i < npacks; i++) {
		json_t *p = json_object();

		if (p == NULL || json_array_append_new(arr, p) < 0)
			OOM();
		if (!given(packs[i]))
			BAD("pack %zu has no code", i + 1);
		if (put_s(p, "uitu", packs[i]) < 0)
			BAD("pack %zu: the code is not valid UTF-8", i + 1);
	}
	json_decref(arr);
	return finish(j, npacks, out, len, e);
fail:
	json_decref(arr);
	json_decref(j);
	*out = NULL;
	*len = 0;
	return rc;
}

int
sy_doc_reaggregation(const char *inn, const char *type, const char *pack,
		     const struct sy_doc_item *items, size_t nitems,
		     char **out, size_t *len, struct err *e)
{
	json_t *j = json_object(), *arr = json_array();
	size_t i;
	int rc;

	if (!j || !arr)
		OOM();
	if (!inn_ok(inn))
		BAD("participant_inn must be an INN of 10 or 12 digits");
	if (type == NULL || (strcmp(type, "ADDING") != 0 &&
			     strcmp(type, "REMOVING") != 0))
		BAD("reaggregation_type must be ADDING or REMOVING");
	if (!given(pack))
		BAD("the pack being changed has no code");
	if (nitems == 0)
		BAD("a re-aggregation needs at least one item");
	if (put_s(j, "participant_inn", inn) < 0 ||
	    put_s(j, "reaggregation_type", type) < 0 ||
	    put_s(j, "uitu", pack) < 0 ||
	    json_object_set(j, "uit_uitu_list", arr) < 0)
		OOM();
	for (i = 0; i < nitems; i++) {
		json_t *p = json_object();

		if (p == NULL || json_array_append_new(arr, p) < 0)
			OOM();
		if (!given(items[i].code))
			BAD("item %zu has no code", i + 1);
		if (put_s(p, items[i].is_pack ? "kitu" : "uit_uitu",
			  items[i].code) < 0)
			BAD("item %zu: the code is not valid UTF-8", i + 1);
	}
	json_decref(arr);
	return finish(j, nitems + 1, out, len, e);
fail:
	json_decref(arr);
	json_decref(j);
	*out = NULL;
	*len = 0;
	return rc;
}

static int
turnover_ok(const char *t)
{
	return t && (strcmp(t, "SELLING") == 0 ||
		     strcmp(t, "COMMISSION") == 0 || strcmp(t, "AGENT") == 0);
}

/* products[] of a shipment (acceptance = 0) or acceptance (1). */
static int
lines(json_t *j, const struct sy_doc_transfer *t, int acceptance,
      struct err *e)
{
	json_t *arr = json_array();
	size_t i;
	int rc;

	if (arr == NULL || json_object_set_new(j, "products", arr) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	for (i = 0; i < t->nlines; i++) {
		const struct sy_doc_line *l = &t->lines[i];
		json_t *p = json_object();
		int priced = !acceptance || l->accepted;

		if (p == NULL || json_array_append_new(arr, p) < 0)
			return err_set(e, ERR_INTERNAL, "out of memory");
		if (!given(l->code))
			return err_set(e, ERR_INVALID, "line %zu has no code",
				       i + 1);
		if (put_s(p, l->is_pack ? "uitu_code" : "uit_code",
			  l->code) < 0)
			return err_set(e, ERR_INVALID, "line %zu: the code is "
				       "not valid UTF-8", i + 1);
		rc = 0;
		if (acceptance)
			rc |= json_object_set_new(p, "accepted",
						  json_boolean(l->accepted));
		if (priced && l->cost >= 0)
			rc |= json_object_set_new(p, "product_cost",
						  json_integer(l->cost));
		if (priced && l->tax >= 0)
			rc |= json_object_set_new(p, "product_tax",
						  json_integer(l->tax));
		if (rc < 0)
			return err_set(e, ERR_INTERNAL, "out of memory");
		if (priced && l->cost >= 0 && l->tax >= 0 && l->tax >= l->cost)
			return err_set(e, ERR_INVALID, "line %zu: the tax must "
				       "be less than the cost", i + 1);
	}
	return 0;
}

int
sy_doc_shipment(const struct sy_doc_transfer *t, char **out, size_t *len,
		struct err *e)
{
	json_t *j = json_object();
	int rc;

	if (j == NULL)
		OOM();
	if (!inn_ok(t->receiver_inn))
		BAD("receiver_inn must be an INN of 10 or 12 digits");
	if (given(t->sender_inn) && !inn_ok(t->sender_inn))
		BAD("sender_inn must be an INN of 10 or 12 digits");
	if (!given(t->number) || strlen(t->number) > 255)
		BAD("document_num must have 1 to 255 characters");
	if (!given(t->date) || !given(t->transfer_date))
		BAD("document_date and transfer_date are required");
	if (!turnover_ok(t->turnover_type))
		BAD("turnover_type must be SELLING, COMMISSION or AGENT");
	if (t->nlines == 0)
		BAD("a shipment needs at least one line");
	if (put_s(j, "receiver_inn", t->receiver_inn) < 0 ||
	    put_opt(j, "sender_inn", t->sender_inn) < 0 ||
	    put_s(j, "transfer_date", t->transfer_date) < 0 ||
	    put_s(j, "document_num", t->number) < 0 ||
	    put_s(j, "document_date", t->date) < 0 ||
	    put_s(j, "turnover_type", t->turnover_type) < 0)
		OOM();
	rc = lines(j, t, 0, e);
	if (rc < 0)
		goto fail;
	return finish(j, t->nlines, out, len, e);
fail:
	json_decref(j);
	*out = NULL;
	*len = 0;
	return rc;
}

int
sy_doc_acceptance(const struct sy_doc_transfer *t, char **out, size_t *len,
		  struct err *e)
{
	json_t *j = json_object();
	int rc;

	if (j == NULL)
		OOM();
	if (!given(t->release_order))
		BAD("release_order_number (the shipment's id) is required");
	if (!given(t->number) || !given(t->date) || !given(t->transfer_date) ||
	    !given(t->acceptance_date))
		BAD("document_number, document_date, transfer_date and "
		    "acceptance_date are required");
	if (!inn_ok(t->sender_inn) || !inn_ok(t->receiver_inn))
		BAD("trade_sender_inn and trade_recipient_inn must be INNs "
		    "of 10 or 12 digits");
	if (!turnover_ok(t->turnover_type))
		BAD("turnover_type must be SELLING, COMMISSION or AGENT");
	if (t->nlines == 0 && !t->accept_all)
		BAD("an acceptance needs lines or accept_all");
	if (put_s(j, "release_order_number", t->release_order) < 0 ||
	    put_s(j, "document_number", t->number) < 0 ||
	    put_s(j, "document_date", t->date) < 0 ||
	    put_s(j, "transfer_date", t->transfer_date) < 0 ||
	    put_s(j, "acceptance_date", t->acceptance_date) < 0 ||
	    put_s(j, "trade_sender_inn", t->sender_inn) < 0 ||
	    put_s(j, "trade_recipient_inn", t->receiver_inn) < 0 ||
	    put_s(j, "turnover_type", t->turnover_type) < 0 ||
	    (t->accept_all &&
	     json_object_set_new(j, "accept_all", json_true()) < 0))
		OOM();
	rc = lines(j, t, 1, e);
	if (rc < 0)
		goto fail;
	return finish(j, t->nlines, out, len, e);
fail:
	json_decref(j);
	*out = NULL;
	*len = 0;
	return rc;
}
