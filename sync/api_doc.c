/*
 * api_doc: submitting a signed document and asking for its status (see
 * api.h), as jobs the console's loop moves without blocking; the batch
 * runs the same jobs to their end (sy_api_submit, sy_api_status).
 * Must not: repeat a create that may have been recorded (the call's
 * policy is SY_OP_CREATE: a doubt ends in RECONCILE, never a resend).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "sync/api_int.h"

enum { J_SUBMIT, J_STATUS };

struct sy_api_job {
	struct sy_api *a;
	int kind;
	struct acall *call;		/* NULL when decided locally */
	struct sy_api_result local;	/* J_SUBMIT refused locally */
};

static int
job_new(struct sy_api *a, int kind, struct sy_api_job **out, struct err *e)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	(*out)->a = a;
	(*out)->kind = kind;
	return 0;
}

int
sy_api_submit_start(struct sy_api *a, const struct sy_api_doc *doc,
		    struct sy_api_job **out, struct err *e)
{
	struct sy_api_job *j;
	struct err local;
	char url[1024], *body;
	size_t blen = 0;
	int rc;

	*out = NULL;
	if (doc == NULL || doc->type == NULL || doc->signature == NULL ||
	    (doc->body == NULL && doc->body_len > 0))
		return err_set(e, ERR_INVALID, "incomplete document");
	rc = st_doc_sendable(doc->type, a->pg, &local);
	if (rc < 0 && rc != ERR_REFUSED)
		return e ? (*e = local, rc) : rc;
	if (job_new(a, J_SUBMIT, &j, e) < 0)
		return ERR_INTERNAL;
	if (rc == ERR_REFUSED) {
		j->local.outcome = SY_SUBMIT_REFUSED_LOCALLY;
		sy_api_put(j->local.message, sizeof(j->local.message), "%s",
		    local.msg);
		*out = j;
		return 0;
	}
	body = sy_wire_create_body(doc->format ? doc->format : "MANUAL",
				   doc->type, doc->body, doc->body_len,
				   doc->signature, &blen);
	if (body == NULL) {
		free(j);
		return err_set(e, ERR_INVALID, "the document cannot be "
			       "wrapped for sending (bad type, format or "
			       "signature)");
	}
	sy_api_put(url, sizeof(url), "%s/lk/documents/create", a->v3);
	sy_api_add_param(url, sizeof(url), "pg", a->pg);
	j->call = sy_api_call_new(a, SY_OP_CREATE, "POST", url, body, blen, 1);
	if (j->call == NULL) {
		free(j);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	sy_api_pump(a, sy_http_now_ms());
	*out = j;
	return 0;
}

int
sy_api_status_start(struct sy_api *a, const char *id,
		    struct sy_api_job **out, struct err *e)
{
	struct sy_api_job *j;
	char url[1024];

	*out = NULL;
	if (id == NULL || *id == '\0')
		return err_set(e, ERR_INVALID, "no document id");
	if (job_new(a, J_STATUS, &j, e) < 0)
		return ERR_INTERNAL;
	sy_api_info_url(a, id, NULL, url, sizeof(url));
	j->call = sy_api_call_new(a, SY_OP_READ, "GET", url, NULL, 0, 1);
	if (j->call == NULL) {
		free(j);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	sy_api_pump(a, sy_http_now_ms());
	*out = j;
	return 0;
}

int
sy_api_job_done(const struct sy_api_job *j)
{
	return j->call == NULL || j->call->phase == C_DONE;
}

int
sy_api_job_submit_result(struct sy_api_job *j, struct sy_api_result *res,
			 struct err *e)
{
	struct acall *c = j->call;
	int rc;

	memset(res, 0, sizeof(*res));
	if (j->kind != J_SUBMIT || !sy_api_job_done(j))
		return err_set(e, ERR_INVALID, "the job is not a finished "
			       "submission");
	if (c == NULL) {
		*res = j->local;
		return 0;
	}
	res->http_status = c->r.status;
	sy_api_put(res->message, sizeof(res->message), "%s", c->r.text);
	if (c->rc < 0) {
		if (c->rc == ERR_NET) {
			/* sign-in failed for the network: nothing sent */
			res->outcome = SY_SUBMIT_UNAVAILABLE;
			return 0;
		}
		if (e)
			*e = c->err;
		return c->rc;
	}
	switch (c->r.act) {
	case SY_ACT_DONE:
		rc = sy_wire_parse_doc_id(c->r.resp->body, c->r.resp->body_len,
					  res->id, sizeof(res->id), NULL);
		if (rc < 0) {
			/* accepted, but we cannot tell its id: find it */
			res->outcome = SY_SUBMIT_UNKNOWN;
			sy_api_put(res->message, sizeof(res->message), "the server "
			    "accepted the document without a readable id");
		} else {
			res->outcome = SY_SUBMIT_ACCEPTED;
			res->message[0] = '\0';
			sy_api_logf(j->a, "document accepted, id %s", res->id);
		}
		break;
	case SY_ACT_RECONCILE:
		res->outcome = SY_SUBMIT_UNKNOWN;
		break;
	case SY_ACT_UNAVAILABLE:
		res->outcome = SY_SUBMIT_UNAVAILABLE;
		res->retry_ms = c->r.delay_ms;
		break;
	default:
		res->outcome = SY_SUBMIT_REJECTED;
		if (c->r.status == 401)
			sy_api_put(res->message, sizeof(res->message), "the server "
			    "refused the new token too: %s", c->r.text);
		break;
	}
	return 0;
}

int
sy_api_job_status_result(struct sy_api_job *j, struct sy_api_status *st,
			 struct err *e)
{
	struct acall *c = j->call;
	int rc;

	memset(st, 0, sizeof(*st));
	if (j->kind != J_STATUS || !sy_api_job_done(j))
		return err_set(e, ERR_INVALID, "the job is not a finished "
			       "status request");
	if (c->rc < 0) {
		if (e)
			*e = c->err;
		return c->rc;
	}
	if (c->r.act != SY_ACT_DONE) {
		if (c->r.act == SY_ACT_FAIL && c->r.status == 404)
			return 0;	/* not found (yet): found = 0 */
		return sy_api_reply_err(&c->r, "document status", e);
	}
	rc = sy_wire_parse_doc_info(c->r.resp->body, c->r.resp->body_len,
				    &st->doc, e);
	if (rc == 0) {
		st->found = 1;
		st->fate = sy_policy_fate(st->doc.status);
	}
	return rc;
}

void
sy_api_job_free(struct sy_api_job **jp)
{
	struct sy_api_job *j;

	if (jp == NULL || *jp == NULL)
		return;
	j = *jp;
	if (j->call) {
		if (j->call->phase == C_DONE)
			sy_api_call_free(j->a, j->call);
		else
			j->call->orphan = 1;	/* freed when it ends */
	}
	free(j);
	*jp = NULL;
}

/* Run a job to its end in the batch's loop. */
static void
job_run(struct sy_api_job *j)
{
	if (j->call)
		sy_api_run(j->a, j->call, 0);
}

int
sy_api_submit(struct sy_api *a, const struct sy_api_doc *doc,
	      struct sy_api_result *res, struct err *e)
{
	struct sy_api_job *j;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = sy_api_submit_start(a, doc, &j, e);
	if (rc < 0)
		return rc;
	job_run(j);
	rc = sy_api_job_submit_result(j, res, e);
	sy_api_job_free(&j);
	return rc;
}

int
sy_api_status(struct sy_api *a, const char *id, struct sy_api_status *st,
	      struct err *e)
{
	struct sy_api_job *j;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = sy_api_status_start(a, id, &j, e);
	if (rc < 0)
		return rc;
	job_run(j);
	rc = sy_api_job_status_result(j, st, e);
	sy_api_job_free(&j);
	return rc;
}
