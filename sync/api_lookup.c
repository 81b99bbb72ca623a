/*
 * api_lookup: the client's questions that change nothing on the server:
 * a document's body, the incoming document list, finding a document whose
 * answer was lost, and code information in batches (true-api.md §6-§8).
 * Must not: post anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync/api_int.h"

int
sy_api_doc_body(struct sy_api *a, const char *id, char **json, size_t *len,
		struct err *e)
{
	struct reply r = { 0 };
	char url[1024];
	int rc;

	*json = NULL;
	*len = 0;
	snprintf(url, sizeof(url), "%s/doc/", a->v4);
	sy_api_put_escaped(url, sizeof(url), id);
	snprintf(url + strlen(url), sizeof(url) - strlen(url),
		 "/info?body=true");
	rc = sy_api_call(a, SY_OP_READ, "GET", url, NULL, 0, 1, &r, e);
	if (rc < 0)
		goto out;
	if (r.act != SY_ACT_DONE) {
		rc = r.status == 404 ?
			err_set(e, ERR_NOTFOUND, "document %s is not known "
				"to the server", id) :
			sy_api_reply_err(&r, "document", e);
		goto out;
	}
	*json = r.resp->body;
	*len = r.resp->body_len;
	r.resp->body = NULL;
out:
	sy_api_reply_free(&r);
	return rc;
}

/* ISO 8601 UTC with milliseconds and Z (ref §8, §12.5). */
static void
iso_utc(int64_t ms, char *buf, size_t bsz)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	sy_api_put(buf, bsz, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* One /doc/list page after did ("" for the first). */
static int
list_page(struct sy_api *a, const struct sy_api_list_query *q,
	  const char *did, struct sy_wire_doc **docs, size_t *n,
	  int *next, struct err *e)
{
	struct reply r = { 0 };
	char url[4096], num[32];
	int rc, i;

	snprintf(url, sizeof(url), "%s/doc/list", a->v4);
	sy_api_add_param(url, sizeof(url), "pg", a->pg);
	sy_api_add_param(url, sizeof(url), q->incoming ? "receiverInn" :
		  "senderInn", a->inn);
	if (q->from_ms || q->to_ms) {
		char d[40];

		iso_utc(q->from_ms, d, sizeof(d));
		sy_api_add_param(url, sizeof(url), "dateFrom", d);
		iso_utc(q->to_ms, d, sizeof(d));
		sy_api_add_param(url, sizeof(url), "dateTo", d);
	}
	for (i = 0; q->types && q->types[i]; i++)
		sy_api_add_param(url, sizeof(url), "documentType", q->types[i]);
	if (q->status)
		sy_api_add_param(url, sizeof(url), "documentStatus", q->status);
	snprintf(num, sizeof(num), "%d", LIST_PAGE);
	sy_api_add_param(url, sizeof(url), "limit", num);
	if (did && *did) {
		sy_api_add_param(url, sizeof(url), "did", did);
		sy_api_add_param(url, sizeof(url), "pageDir", "NEXT");
	}
	rc = sy_api_call(a, SY_OP_READ, "GET", url, NULL, 0, 1, &r, e);
	if (rc < 0)
		goto out;
	if (r.act != SY_ACT_DONE) {
		rc = sy_api_reply_err(&r, "document list", e);
		goto out;
	}
	rc = sy_wire_parse_doc_list(r.resp->body, r.resp->body_len, docs, n,
				    next, e);
out:
	sy_api_reply_free(&r);
	return rc;
}

int
sy_api_list(struct sy_api *a, const struct sy_api_list_query *q,
	    struct sy_wire_doc **docs, size_t *n, struct err *e)
{
	size_t max = q->max ? q->max : 10000, have = 0;
	struct sy_wire_doc *all = NULL;
	char did[128] = "";
	int next = 1, rc = 0;

	*docs = NULL;
	*n = 0;
	while (next && have < max) {
		struct sy_wire_doc *page = NULL, *grown;
		size_t k = 0, take;

		rc = list_page(a, q, did, &page, &k, &next, e);
		if (rc < 0)
			break;
		take = k < max - have ? k : max - have;
		if (take > 0) {
			grown = realloc(all, (have + take) * sizeof(*all));
			if (grown == NULL) {
				free(page);
				rc = err_set(e, ERR_INTERNAL, "out of memory");
				break;
			}
			all = grown;
			memcpy(all + have, page, take * sizeof(*all));
			have += take;
			snprintf(did, sizeof(did), "%s", page[k - 1].id);
		}
		free(page);
		if (k == 0 || did[0] == '\0')
			break;
	}
	if (rc < 0) {
		free(all);
		return rc;
	}
	*docs = all;
	*n = have;
	return 0;
}

int
sy_api_find(struct sy_api *a, const struct sy_api_find_query *q, int *found,
	    char *id, size_t idsz, struct err *e)
{
	const char *types[2] = { q->type, NULL };
	struct sy_api_list_query lq = { 0 };
	struct sy_wire_doc *docs = NULL;
	char undecided[128] = "";
	size_t n = 0, i;
	int rc, m;

	*found = 0;
	if (idsz)
		id[0] = '\0';
	lq.incoming = 0;
	lq.types = types;
	lq.from_ms = q->from_ms - FIND_SLACK_MS;
	lq.to_ms = q->to_ms + FIND_SLACK_MS;
	rc = sy_api_list(a, &lq, &docs, &n, e);
	if (rc < 0)
		return rc;
	for (i = 0; i < n && !*found; i++) {
		struct reply r = { 0 };
		char url[1024];

		if (strcmp(docs[i].type, q->type) != 0 || docs[i].input == 1)
			continue;
		snprintf(url, sizeof(url), "%s/doc/", a->v4);
		sy_api_put_escaped(url, sizeof(url), docs[i].id);
		snprintf(url + strlen(url), sizeof(url) - strlen(url),
			 "/info?body=true&content=true");
		rc = sy_api_call(a, SY_OP_READ, "GET", url, NULL, 0, 1, &r, e);
		if (rc < 0)
			break;
		if (r.act != SY_ACT_DONE) {
			rc = sy_api_reply_err(&r, "document lookup", e);
			sy_api_reply_free(&r);
			break;
		}
		m = sy_wire_doc_matches(r.resp->body, r.resp->body_len,
					q->body, q->body_len);
		if (m == 1) {
			*found = 1;
			snprintf(id, idsz, "%s", docs[i].id);
			sy_api_logf(a, "the document had arrived: id %s", id);
		} else if (m < 0 && !undecided[0]) {
			snprintf(undecided, sizeof(undecided), "%s",
				 docs[i].id);
		}
		sy_api_reply_free(&r);
	}
	free(docs);
	/* A candidate we could not compare might be ours: sending again
	 * could make a second document, so a person must look. */
	if (rc == 0 && !*found && undecided[0])
		rc = err_set(e, ERR_SERVER, "cannot tell whether server "
			     "document %s is this one (the server did not "
			     "return its content); check it before sending "
			     "again", undecided);
	return rc;
}

int
sy_api_cises(struct sy_api *a, const char *const *codes, size_t n,
	     struct sy_wire_cis **out, size_t *nout, struct err *e)
{
	struct sy_wire_cis *all = NULL;
	size_t have = 0, off;
	char url[1024];
	int rc = 0;

	*out = NULL;
	*nout = 0;
	snprintf(url, sizeof(url), "%s/cises/info", a->v3);
	for (off = 0; off < n; off += CISES_CHUNK) {
		size_t k = n - off < CISES_CHUNK ? n - off : CISES_CHUNK, m;
		struct sy_wire_cis *part = NULL, *grown;
		struct reply r = { 0 };
		char *body = sy_wire_cises_body(codes + off, k);

		if (body == NULL) {
			rc = err_set(e, ERR_INVALID, "cannot build the code "
				     "list");
			break;
		}
		rc = sy_api_call(a, SY_OP_READ, "POST", url, body, strlen(body), 1,
			  &r, e);	/* body taken over */
		if (rc == 0 && r.act != SY_ACT_DONE)
			rc = sy_api_reply_err(&r, "code lookup", e);
		if (rc == 0)
			rc = sy_wire_parse_cises(r.resp->body,
						 r.resp->body_len, &part, &m,
						 e);
		sy_api_reply_free(&r);
		if (rc < 0)
			break;
		grown = m ? realloc(all, (have + m) * sizeof(*all)) : all;
		if (m && grown == NULL) {
			free(part);
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			break;
		}
		all = grown;
		if (m)
			memcpy(all + have, part, m * sizeof(*all));
		have += m;
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
