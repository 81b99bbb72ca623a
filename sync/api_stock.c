/*
 * api_stock: /product/info and /cises/search (see api_stock.h).
 *
 * [I] The reference names both as v4 methods (§1) and gives the paging of
 * /cises/search (filter{…}, pagination{perPage, lastEmissionDate, sgtin,
 * direction}, at most 10 000 codes in all with paging, §7) but not every
 * field. Read here, and served so by tests/api/emulator.py:
 *   GET  v4/product/info?gtins=G1,G2,... (at most 100 a request)
 *        -> {"results": [{"gtin", "name", "productGroup", ...}], "total"}
 *        (GTINs it does not know are absent)
 *   POST v4/cises/search {"filter": {"productGroups": [pg],
 *        "states": [{"status": "INTRODUCED"}]}, "pagination":
 *        {"perPage": 1000, "lastEmissionDate": D, "sgtin": C,
 *        "direction": 0}} -> {"result": [{"cis", "gtin", "status",
 *        "packageType", "parent", "emissionDate"}], "isLastPage": bool}
 *        (the first page without lastEmissionDate and sgtin)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/api_int.h"
#include "sync/api_stock.h"

static void
copy(char *dst, size_t n, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, n, "%s", s ? s : "");
}

/* Append k entries of size sz at part to *all (*have of them). */
static int
append(void **all, size_t *have, const void *part, size_t k, size_t sz,
       struct err *e)
{
	void *g;

	if (k == 0)
		return 0;
	if ((g = realloc(*all, (*have + k) * sz)) == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	memcpy((char *)g + *have * sz, part, k * sz);
	*all = g;
	*have += k;
	return 0;
}

static int
parse_products(const char *body, size_t len, struct sy_product **out,
	       size_t *n, struct err *e)
{
	json_t *root = json_loadb(body, len, 0, NULL), *res, *o;
	size_t i;

	*out = NULL;
	*n = 0;
	res = json_is_object(root) ? json_object_get(root, "results") : NULL;
	if (!json_is_array(res)) {
		json_decref(root);
		return err_set(e, ERR_SERVER, "product/info: the answer has "
			       "no list of results");
	}
	if ((*out = calloc(json_array_size(res) + 1, sizeof(**out))) == NULL) {
		json_decref(root);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	json_array_foreach(res, i, o) {
		struct sy_product *p = &(*out)[*n];

		copy(p->gtin, sizeof(p->gtin), o, "gtin");
		copy(p->name, sizeof(p->name), o, "name");
		copy(p->product_group, sizeof(p->product_group), o,
		     "productGroup");
		if (p->gtin[0] != '\0' && p->name[0] != '\0')
			(*n)++;
	}
	json_decref(root);
	return 0;
}

int
sy_api_product_info(struct sy_api *a, const char *const *gtins, size_t n,
		    struct sy_product **out, size_t *nout, struct err *e)
{
	void *all = NULL;
	size_t have = 0, off, i;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	for (off = 0; off < n && rc == 0; off += SY_PRODUCT_CHUNK) {
		size_t k = n - off < SY_PRODUCT_CHUNK ? n - off :
			SY_PRODUCT_CHUNK, m = 0;
		char url[4096], list[SY_PRODUCT_CHUNK * 15 + 1] = "";
		struct sy_product *part = NULL;
		struct reply r = { 0 };

		for (i = 0; i < k; i++)
			snprintf(list + strlen(list), sizeof(list) -
				 strlen(list), "%s%s", i ? "," : "",
				 gtins[off + i]);
		snprintf(url, sizeof(url), "%s/product/info", a->v4);
		sy_api_add_param(url, sizeof(url), "gtins", list);
		rc = sy_api_call(a, SY_OP_READ, "GET", url, NULL, 0, 1, &r, e);
		if (rc == 0 && r.act != SY_ACT_DONE)
			rc = sy_api_reply_err(&r, "product info", e);
		if (rc == 0)
			rc = parse_products(r.resp->body, r.resp->body_len,
					    &part, &m, e);
		sy_api_reply_free(&r);
		if (rc == 0)
			rc = append(&all, &have, part, m, sizeof(*part), e);
		free(part);
	}
	if (rc < 0) {
		free(all);
		return rc;
	}
	*out = all;
	*nout = have;
	return 0;
}

/* The body of one /cises/search page after (date, cis), or the first. */
static char *
search_body(const struct sy_api *a, const char *date, const char *cis)
{
	json_t *pag = json_pack("{s:i, s:i}", "perPage", SY_SEARCH_PAGE,
				"direction", 0);
	json_t *o = json_pack("{s:{s:[s], s:[{s:s}]}, s:o}", "filter",
			      "productGroups", a->pg, "states", "status",
			      "INTRODUCED", "pagination", pag);
	char *s;

	if (o != NULL && date[0] != '\0') {
		json_object_set_new(pag, "lastEmissionDate",
				    json_string(date));
		json_object_set_new(pag, "sgtin", json_string(cis));
	}
	s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return s;
}

/* One page into part (*m codes); *last set on the last page; the last
 * code's emission date and code into date and cis for the next. */
static int
parse_page(const char *body, size_t len, struct sy_owned **part, size_t *m,
	   bool *last, char date[64], char cis[256], struct err *e)
{
	json_t *root = json_loadb(body, len, 0, NULL), *res, *o;
	size_t i;

	*part = NULL;
	*m = 0;
	res = json_is_object(root) ? json_object_get(root, "result") : NULL;
	if (!json_is_array(res)) {
		json_decref(root);
		return err_set(e, ERR_SERVER, "cises/search: the answer has "
			       "no list of codes");
	}
	*last = json_is_true(json_object_get(root, "isLastPage")) ||
		json_array_size(res) == 0;
	if ((*part = calloc(json_array_size(res) + 1, sizeof(**part))) ==
	    NULL) {
		json_decref(root);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	json_array_foreach(res, i, o) {
		struct sy_owned *c = &(*part)[*m];

		copy(c->cis, sizeof(c->cis), o, "cis");
		copy(c->parent, sizeof(c->parent), o, "parent");
		copy(c->gtin, sizeof(c->gtin), o, "gtin");
		copy(c->package_type, sizeof(c->package_type), o,
		     "packageType");
		copy(c->status, sizeof(c->status), o, "status");
		if (c->cis[0] == '\0')
			continue;
		copy(date, 64, o, "emissionDate");
		snprintf(cis, 256, "%s", c->cis);
		(*m)++;
	}
	json_decref(root);
	return 0;
}

int
sy_api_owned_codes(struct sy_api *a, struct sy_owned **out, size_t *n,
		   bool *more, struct err *e)
{
	char url[1024], date[64] = "", cis[256] = "";
	void *all = NULL;
	size_t have = 0;
	bool last = false;
	int rc = 0;

	*out = NULL;
	*n = 0;
	*more = false;
	snprintf(url, sizeof(url), "%s/cises/search", a->v4);
	while (!last && rc == 0) {
		struct sy_owned *part = NULL;
		struct reply r = { 0 };
		size_t m = 0;
		char *body;

		if (have >= SY_SEARCH_MAX) {
			/* ref §7: no more than this with paging */
			*more = true;
			break;
		}
		if ((body = search_body(a, date, cis)) == NULL) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			break;
		}
		rc = sy_api_call(a, SY_OP_READ, "POST", url, body,
				 strlen(body), 1, &r, e);	/* taken */
		if (rc == 0 && r.act != SY_ACT_DONE)
			rc = sy_api_reply_err(&r, "code search", e);
		if (rc == 0)
			rc = parse_page(r.resp->body, r.resp->body_len, &part,
					&m, &last, date, cis, e);
		sy_api_reply_free(&r);
		if (rc == 0 && m > SY_SEARCH_MAX - have) {
			m = SY_SEARCH_MAX - have;
			*more = true;
			last = true;
		}
		if (rc == 0)
			rc = append(&all, &have, part, m, sizeof(*part), e);
		free(part);
		if (rc == 0 && m == 0)
			break;
	}
	if (rc < 0) {
		free(all);
		return rc;
	}
	*out = all;
	*n = have;
	return 0;
}
