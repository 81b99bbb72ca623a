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

static const char *const body_only[] = { "body", "true", NULL };
static const char *const body_content[] = { "body", "true", "content",
	"true", NULL };

int
sy_api_doc_body(struct sy_api *a, const char *id, char **json, size_t *len,
		struct err *e)
{
	struct reply r = { 0 };
	char url[1024];
	int rc;

	*json = NULL;
	*len = 0;
	sy_api_info_url(a, id, body_only, url, sizeof(url));
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

/* Read candidate cand and compare it with the bytes sent: 1 ours, 0 not
 * ours, SY_FIND_UNSURE when it cannot be told now (not indexed yet: a
 * 404 right after create, ref §6.1 [I]; or no content returned), or a
 * negative error (network, auth). */
static int
compare_candidate(struct sy_api *a, const struct sy_api_find_query *q,
		  const char *cand, struct err *e)
{
	struct reply r = { 0 };
	char url[1024];
	int rc, m;

	sy_api_info_url(a, cand, body_content, url, sizeof(url));
	rc = sy_api_call(a, SY_OP_READ, "GET", url, NULL, 0, 1, &r, e);
	if (rc < 0)
		goto out;
	if (r.act != SY_ACT_DONE) {
		if (r.act == SY_ACT_FAIL && r.status == 404)
			rc = SY_FIND_UNSURE;
		else
			rc = sy_api_reply_err(&r, "document lookup", e);
		goto out;
	}
	m = sy_wire_doc_matches(r.resp->body, r.resp->body_len, q->body,
				q->body_len);
	rc = m < 0 ? SY_FIND_UNSURE : m;
out:
	sy_api_reply_free(&r);
	return rc;
}

int
sy_api_find(struct sy_api *a, const struct sy_api_find_query *q,
	    enum sy_find_result *res, char *id, size_t idsz, struct err *e)
{
	const char *types[2] = { q->type, NULL };
	struct sy_api_list_query lq = { 0 };
	struct sy_wire_doc *docs = NULL;
	size_t n = 0, i;
	int rc;

	*res = SY_FIND_ABSENT;
	if (idsz)
		id[0] = '\0';
	lq.incoming = 0;
	lq.types = types;
	lq.from_ms = q->from_ms - FIND_SLACK_MS;
	lq.to_ms = q->to_ms + FIND_SLACK_MS;
	if ((rc = sy_api_list(a, &lq, &docs, &n, e)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (strcmp(docs[i].type, q->type) != 0 || docs[i].input == 1)
			continue;
		rc = compare_candidate(a, q, docs[i].id, e);
		if (rc < 0)
			break;
		if (rc == 1) {
			*res = SY_FIND_FOUND;
			snprintf(id, idsz, "%s", docs[i].id);
			sy_api_logf(a, "the document had arrived: id %s", id);
			break;
		}
		/* a candidate that is not ours changes nothing; one that
		 * cannot be told yet keeps the question open */
		if (rc == SY_FIND_UNSURE) {
			*res = SY_FIND_UNSURE;
			if (idsz)
				snprintf(id, idsz, "%s", docs[i].id);
		}
		rc = 0;
	}
	free(docs);
	return rc < 0 ? rc : 0;
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
		/* ref §7: per-code errors come inside a 200 or a 404
		 * array; a 404 that is such an array is an answer */
		if (rc == 0 && r.act != SY_ACT_DONE &&
		    !(r.status == 404 && r.resp != NULL &&
		      sy_wire_is_array(r.resp->body, r.resp->body_len)))
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
