/*
 * runner: the outbox runner (see runner.h).
 *
 * Each pass: hand the api its ready sockets, take every finished request
 * and record its outcome in the outbox (one transaction each), then start
 * requests for documents that are due, up to max_inflight. A document is
 * in at most one request at a time (the busy list given to
 * st_outbox_next). The order of a send is fixed: sign (once; the stored
 * signature is reused), st_outbox_mark_sending, and only then the post,
 * so that a crash at any point leaves either "not sent" or "sending"
 * (fate unknown), and "sending" is always looked up before a resend.
 *
 * Must not: post a document whose fate is unknown before sy_api_find has
 * been asked and sy_policy_after_lookup allows it, write a body, token or
 * signature into a log line, or call exit().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/http.h"
#include "sync/log.h"
#include "sync/runner.h"

#define IDLE_CHECK_MS 5000	/* look at the outbox at least this often
				 * while idle: the console adds documents
				 * without telling the runner */
#define UNKNOWN_RECHECK_MS 1000	/* first lookup after an unknown fate */
#define FILL_MAX 64		/* documents considered in one pass */
#define DEADLINE_GRACE_MS 30000	/* how long requests in flight at the
				 * batch's deadline may still finish: a
				 * status answer or a send's outcome is
				 * worth a little wait, a hung server is
				 * not */

enum slot_kind { SLOT_SUBMIT, SLOT_STATUS };

/* One request in flight for one outbox document. */
struct slot {
	struct sy_api_job *job;
	int64_t id;		/* outbox id */
	enum slot_kind kind;
	char type[40];
	int polls;		/* status polls before this one */
};

struct sy_runner {
	struct st_db *db;
	struct sy_api *api;
	char pg[32];
	int max;		/* max_inflight */
	int64_t poll_initial, poll_max, settle, retry;
	void (*log)(void *, const char *);
	void *log_ctx;
	struct slot *slots;	/* max of them */
	int nslots;
	int draining;		/* 1: start nothing new */
	int64_t next_check;	/* monotonic: look at the outbox then */
	struct sy_runner_stats stats;
};

static void logf_(struct sy_runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
logf_(struct sy_runner *r, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (r->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->log(r->log_ctx, line);
}

/* Remember a problem for the summary and log it at priority prio
 * (SY_LOG_ERR: a person must act; SY_LOG_WARNING: the next run may cure
 * it). */
static void
problem(struct sy_runner *r, const char *prio, int64_t id, const char *what,
	const char *msg)
{
	/* truncation is fine: the return value is looked at only to say
	 * so to the compiler */
	if (snprintf(r->stats.last_error, sizeof(r->stats.last_error),
		     "document %lld: %s%s%s", (long long)id, what,
		     msg && *msg ? ": " : "", msg ? msg : "") < 0)
		r->stats.last_error[0] = '\0';
	logf_(r, "%s%s", prio, r->stats.last_error);
}

/* Make a runner over cfg (copied; db and api borrowed). ERR_INVALID
 * without db, api or product group; free with sy_runner_free. */
int
sy_runner_new(struct sy_runner **out, const struct sy_runner_config *cfg,
	      struct err *e)
{
	struct sy_runner *r;

	*out = NULL;
	if (cfg == NULL || cfg->db == NULL || cfg->api == NULL ||
	    cfg->pg == NULL || *cfg->pg == '\0')
		return err_set(e, ERR_INVALID, "the runner needs a database, "
			       "an api client and a product group");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	r->db = cfg->db;
	r->api = cfg->api;
	snprintf(r->pg, sizeof(r->pg), "%s", cfg->pg);
	r->max = cfg->max_inflight > 0 ? cfg->max_inflight : 4;
	r->poll_initial = cfg->poll_initial_ms > 0 ? cfg->poll_initial_ms :
		2000;
	r->poll_max = cfg->poll_max_ms > 0 ? cfg->poll_max_ms : 60000;
	r->settle = cfg->settle_ms > 0 ? cfg->settle_ms : 600000;
	r->retry = cfg->retry_ms > 0 ? cfg->retry_ms : 30000;
	r->log = cfg->log;
	r->log_ctx = cfg->log_ctx;
	r->slots = calloc((size_t)r->max, sizeof(*r->slots));
	if (r->slots == NULL) {
		free(r);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	*out = r;
	return 0;
}

/* Free *pp (NULL is fine); requests in flight are dropped. */
void
sy_runner_free(struct sy_runner **pp)
{
	struct sy_runner *r;
	int i;

	if (pp == NULL || *pp == NULL)
		return;
	r = *pp;
	for (i = 0; i < r->nslots; i++)
		sy_api_job_free(&r->slots[i].job);
	free(r->slots);
	free(r);
	*pp = NULL;
}

/* --- recording outcomes ------------------------------------------------- */

/* Defer id; a failure to record is logged (the document simply stays
 * due, which is safe: its fate_unknown flag is untouched). */
static void
defer(struct sy_runner *r, int64_t id, int64_t at, bool clear, bool polled,
      const char *note)
{
	struct err e;

	if (st_outbox_defer(r->db, id, at, clear, polled, false, note,
			    &e) < 0) {
		r->stats.errors++;
		problem(r, SY_LOG_ERR, id,
			"cannot record in the outbox", e.msg);
	}
}

static void
finish(struct sy_runner *r, int64_t id, enum st_outbox_end end,
       const char *reason)
{
	struct err e;

	if (st_outbox_result(r->db, id, end, reason, &e) < 0) {
		r->stats.errors++;
		problem(r, SY_LOG_ERR, id,
			"cannot record in the outbox", e.msg);
		return;
	}
	if (end == ST_OUTBOX_CONFIRMED) {
		r->stats.confirmed++;
		logf_(r, "document %lld: confirmed", (long long)id);
	} else if (end == ST_OUTBOX_REJECTED) {
		r->stats.rejected++;
		problem(r, SY_LOG_ERR, id, "rejected", reason);
	} else {
		r->stats.failed++;
		problem(r, SY_LOG_ERR, id, "needs a person", reason);
	}
}

static void
accepted(struct sy_runner *r, int64_t id, const char *server_id,
	 int64_t wall)
{
	struct err e;

	if (st_outbox_submitted(r->db, id, server_id,
				wall + r->poll_initial, &e) < 0) {
		r->stats.errors++;
		problem(r, SY_LOG_ERR, id,
			"cannot record in the outbox", e.msg);
		return;
	}
	r->stats.sent++;
	logf_(r, "document %lld: accepted by the server as %s",
	      (long long)id, server_id);
}

static int64_t
poll_at(struct sy_runner *r, int polls, int64_t wall)
{
	return wall + sy_policy_poll_delay_ms(polls, r->poll_initial,
					      r->poll_max);
}

static void
submit_done(struct sy_runner *r, struct slot *s)
{
	struct sy_api_result res;
	int64_t wall = sy_api_wall_ms();
	struct err e;
	int rc;

	err_clear(&e);
	rc = sy_api_job_submit_result(s->job, &res, &e);
	if (rc < 0) {
		if (rc == ERR_AUTH) {
			/* the post was answered 401 or never made: not
			 * recorded by the server */
			r->stats.auth_failed = 1;
			r->draining = 1;
			defer(r, s->id, wall + r->retry, true, false, e.msg);
		} else {
			defer(r, s->id, wall + r->retry, false, false, e.msg);
		}
		problem(r, SY_LOG_WARNING, s->id, "not sent", e.msg);
		return;
	}
	switch (res.outcome) {
	case SY_SUBMIT_ACCEPTED:
		accepted(r, s->id, res.id, wall);
		break;
	case SY_SUBMIT_REJECTED:
		finish(r, s->id, ST_OUTBOX_REJECTED, res.message);
		break;
	case SY_SUBMIT_UNKNOWN:
		r->stats.unknown++;
		defer(r, s->id, wall + UNKNOWN_RECHECK_MS, false, false,
		      "sent, but the answer was lost; the server will be "
		      "asked before any resend");
		logf_(r, "document %lld: fate unknown (%s)", (long long)s->id,
		      res.message);
		break;
	case SY_SUBMIT_UNAVAILABLE:
		r->stats.unavailable++;
		defer(r, s->id, wall + (res.retry_ms > 0 ? res.retry_ms :
					r->retry), true, false, res.message);
		problem(r, SY_LOG_WARNING, s->id,
			"server unavailable, not sent",
			res.message);
		break;
	case SY_SUBMIT_REFUSED_LOCALLY:
		finish(r, s->id, ST_OUTBOX_FAILED, res.message);
		break;
	}
}

static void
status_done(struct sy_runner *r, struct slot *s)
{
	struct sy_api_status st;
	int64_t wall = sy_api_wall_ms();
	char reason[1200];
	struct err e;
	int rc;

	err_clear(&e);
	rc = sy_api_job_status_result(s->job, &st, &e);
	if (rc < 0) {
		if (rc == ERR_AUTH) {
			r->stats.auth_failed = 1;
			r->draining = 1;
		} else if (rc == ERR_NET) {
			r->stats.unavailable++;
		}
		defer(r, s->id, poll_at(r, s->polls, wall), false, true,
		      e.msg);
		problem(r, SY_LOG_WARNING, s->id, "status unknown", e.msg);
		return;
	}
	if (!st.found) {
		defer(r, s->id, poll_at(r, s->polls, wall), false, true,
		      NULL);
		return;
	}
	snprintf(reason, sizeof(reason), "%s%s%s", st.doc.status,
		 st.doc.errors[0] ? ": " : "", st.doc.errors);
	switch (st.fate) {
	case SY_FATE_OK:
		finish(r, s->id, ST_OUTBOX_CONFIRMED, NULL);
		break;
	case SY_FATE_WAITING:
		/* registered; the other party's answer is theirs to give */
		finish(r, s->id, ST_OUTBOX_CONFIRMED, reason);
		break;
	case SY_FATE_REJECTED:
		finish(r, s->id, ST_OUTBOX_REJECTED, reason);
		break;
	case SY_FATE_TECH_ERROR:
	case SY_FATE_CANCELLED:
		finish(r, s->id, ST_OUTBOX_FAILED, reason);
		break;
	case SY_FATE_PENDING:
		defer(r, s->id, poll_at(r, s->polls, wall), false, true,
		      NULL);
		break;
	}
}

/* Take every finished request. */
static void
collect(struct sy_runner *r)
{
	int i = 0;

	while (i < r->nslots) {
		struct slot *s = &r->slots[i];

		if (!sy_api_job_done(s->job)) {
			i++;
			continue;
		}
		if (s->kind == SLOT_SUBMIT)
			submit_done(r, s);
		else
			status_done(r, s);
		sy_api_job_free(&s->job);
		r->slots[i] = r->slots[--r->nslots];
		r->next_check = 0;	/* something changed: look now */
	}
}

/* --- starting requests -------------------------------------------------- */

/* When to ask again about a document whose fate is unknown: with the
 * poll back-off, but never later than the end of its settle time, so
 * that the last question comes right when the answer may be trusted. */
static int64_t
lookup_again_at(struct sy_runner *r, const struct st_outbox_item *it,
		int64_t wall)
{
	int64_t at = wall + sy_policy_poll_delay_ms(it->polls, r->poll_initial,
						    r->poll_max);
	int64_t end = it->last_sent_ms + r->settle;

	return at > end && end > wall ? end : at;
}

/*
 * A document whose last send may have arrived: ask the server. Returns 1
 * if it may be sent now, 0 if it was settled or deferred here. Only the
 * server's answer settles it: found (adopt its id), not listed for
 * settle_ms after the send (send again), or a candidate that still
 * cannot be told from ours after that long (a person decides). A 404 or
 * a candidate that is another document never fails ours.
 */
static int
reconcile(struct sy_runner *r, const struct st_outbox_item *it, int64_t wall)
{
	struct sy_api_find_query q = { 0 };
	enum sy_find_result found;
	char id[128], why[400];
	struct err e;
	int rc;

	q.type = it->type;
	q.body = it->body;
	q.body_len = it->body_len;
	q.from_ms = it->first_sent_ms ? it->first_sent_ms : it->last_sent_ms;
	q.to_ms = it->last_sent_ms;
	err_clear(&e);
	rc = sy_api_find(r->api, &q, &found, id, sizeof(id), &e);
	if (rc < 0) {
		if (rc == ERR_AUTH) {
			r->stats.auth_failed = 1;
			r->draining = 1;
		} else {
			r->stats.unavailable++;
		}
		defer(r, it->id, wall + r->retry, false, false, e.msg);
		problem(r, SY_LOG_WARNING, it->id,
			"cannot ask the server", e.msg);
		return 0;
	}
	switch (sy_policy_after_lookup((int)found, it->last_sent_ms, wall,
				       r->settle, it->absent_looks)) {
	case SY_LOOKUP_ADOPT:
		r->stats.found++;
		logf_(r, "document %lld: it had arrived", (long long)it->id);
		accepted(r, it->id, id, wall);
		return 0;
	case SY_LOOKUP_WAIT:
		if (st_outbox_defer(r->db, it->id, lookup_again_at(r, it, wall),
				    false, true, found == SY_FIND_ABSENT &&
				    wall - it->last_sent_ms >= r->settle,
				    found == SY_FIND_UNSURE ?
				    "sent, but the server cannot show it yet; "
				    "asking again before any resend" :
				    "sent, but not listed by the server yet; "
				    "asking again before any resend", &e) < 0) {
			r->stats.errors++;
			problem(r, SY_LOG_ERR, it->id,
				"cannot record in the outbox",
				e.msg);
		}
		return 0;
	case SY_LOOKUP_PERSON:
		snprintf(why, sizeof(why), "cannot tell whether server "
			 "document %s is this one (the server did not show "
			 "its content); check it before sending again", id);
		finish(r, it->id, ST_OUTBOX_FAILED, why);
		return 0;
	case SY_LOOKUP_RESEND:
		logf_(r, "document %lld: did not arrive; sending again",
		      (long long)it->id);
		return 1;
	}
	return 0;
}

static struct slot *
new_slot(struct sy_runner *r, const struct st_outbox_item *it,
	 enum slot_kind kind)
{
	struct slot *s = &r->slots[r->nslots++];

	memset(s, 0, sizeof(*s));
	s->id = it->id;
	s->kind = kind;
	s->polls = it->polls;
	snprintf(s->type, sizeof(s->type), "%s", it->type);
	return s;
}

static void
start_status(struct sy_runner *r, const struct st_outbox_item *it,
	     int64_t wall)
{
	struct sy_api_job *job;
	struct err e;

	if (sy_api_status_start(r->api, it->server_id, &job, &e) < 0) {
		defer(r, it->id, poll_at(r, it->polls, wall), false, true,
		      e.msg);
		problem(r, SY_LOG_WARNING, it->id,
			"cannot ask its status", e.msg);
		return;
	}
	new_slot(r, it, SLOT_STATUS)->job = job;
}

static void
start_submit(struct sy_runner *r, const struct st_outbox_item *it,
	     int64_t wall)
{
	struct sy_api_doc doc = { 0 };
	struct sy_api_job *job;
	char *sig = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	if (it->product_group[0] && strcmp(it->product_group, r->pg) != 0) {
		char why[256];

		snprintf(why, sizeof(why), "the document is for product "
			 "group %s, sync is configured for %s; it is kept for "
			 "export", it->product_group, r->pg);
		finish(r, it->id, ST_OUTBOX_FAILED, why);
		return;
	}
	if (st_doc_sendable(it->type, r->pg, &e) < 0) {
		finish(r, it->id, ST_OUTBOX_FAILED, e.msg);
		return;
	}
	if (it->fate_unknown && !reconcile(r, it, wall))
		return;
	if (it->signature == NULL &&
	    sy_api_sign_document(r->api, it->body, it->body_len, &sig,
				 &e) < 0) {
		defer(r, it->id, wall + r->retry, false, false, e.msg);
		problem(r, SY_LOG_ERR, it->id, "cannot sign", e.msg);
		r->stats.errors++;
		r->draining = 1;	/* the signer will not get better */
		return;
	}
	rc = st_outbox_mark_sending(r->db, it->id, sig ? sig : it->signature,
				    it->attempts, sy_api_wall_ms(), &e);
	if (rc == ERR_NOTFOUND) {
		/* another runner (the console, a batch) took it */
		logf_(r, "document %lld: taken by another runner",
		      (long long)it->id);
		free(sig);
		return;
	}
	if (rc < 0) {
		r->stats.errors++;
		problem(r, SY_LOG_ERR, it->id, "cannot record the send", e.msg);
		free(sig);
		return;
	}
	doc.type = it->type;
	doc.body = it->body;
	doc.body_len = it->body_len;
	doc.signature = sig ? sig : it->signature;
	if (sy_api_submit_start(r->api, &doc, &job, &e) < 0) {
		finish(r, it->id, ST_OUTBOX_FAILED, e.msg);
		free(sig);
		return;
	}
	free(sig);
	logf_(r, "document %lld (%s, %zu bytes): sending, attempt %d",
	      (long long)it->id, it->type, it->body_len, it->attempts + 1);
	new_slot(r, it, SLOT_SUBMIT)->job = job;
}

/* Start requests for due documents while there is room. */
static void
fill(struct sy_runner *r, int64_t now)
{
	int64_t busy[FILL_MAX + 64];
	int nbusy = 0, i, rounds;

	for (i = 0; i < r->nslots; i++)
		busy[nbusy++] = r->slots[i].id;
	r->next_check = now + IDLE_CHECK_MS;
	for (rounds = 0; rounds < FILL_MAX && r->nslots < r->max &&
	     !r->draining; rounds++) {
		struct st_outbox_item it;
		int64_t wall = sy_api_wall_ms(), wait;
		struct err e;
		int rc;

		rc = st_outbox_next(r->db, wall, busy, nbusy, &it, &wait, &e);
		if (rc < 0) {
			problem(r, SY_LOG_ERR, 0,
				"cannot read the outbox", e.msg);
			return;
		}
		if (rc == 0) {
			if (wait >= 0 && wait < IDLE_CHECK_MS)
				r->next_check = now + wait;
			return;
		}
		busy[nbusy++] = it.id;
		if (strcmp(it.state, "submitted") == 0)
			start_status(r, &it, wall);
		else
			start_submit(r, &it, wall);
		st_outbox_item_free(&it);
	}
	if (rounds == FILL_MAX)
		r->next_check = now;	/* more may be due: next pass */
}

/* --- the loop's share --------------------------------------------------- */

/* The api's sockets, for the caller's poll(). */
int
sy_runner_pollfds(struct sy_runner *r, struct pollfd *pfds, int max)
{
	return sy_api_pollfds(r->api, pfds, max);
}

/* ms until dispatch is due (api timers, next outbox check); -1: only
 * on sockets. */
int
sy_runner_timeout(struct sy_runner *r, int64_t now_ms)
{
	int t = sy_api_timeout(r->api, now_ms);
	int64_t d;

	if (r->draining || r->nslots >= r->max)
		return t;
	d = r->next_check > now_ms ? r->next_check - now_ms : 0;
	if (t < 0 || d < t)
		t = (int)d;
	return t;
}

/* One pass: api sockets and timers, finished requests recorded, due
 * documents started. Only a lookup of an unknown fate blocks. */
void
sy_runner_dispatch(struct sy_runner *r, const struct pollfd *pfds, int n,
		   int64_t now_ms)
{
	sy_api_dispatch(r->api, pfds, n, now_ms);
	collect(r);
	if (!r->draining && r->nslots < r->max && now_ms >= r->next_check)
		fill(r, now_ms);
}

/* 1 if nothing is in flight or due before until_ms (wall); *next_ms
 * the next due time, 0 if none. A database error counts as idle. */
int
sy_runner_idle(struct sy_runner *r, int64_t until_ms, int64_t *next_ms)
{
	struct st_outbox_item it;
	int64_t wall = sy_api_wall_ms(), wait;
	struct err e;
	int rc;

	*next_ms = 0;
	if (r->nslots > 0)
		return 0;
	rc = st_outbox_next(r->db, wall, NULL, 0, &it, &wait, &e);
	if (rc < 0)
		return 1;	/* cannot read: nothing to do but stop */
	if (rc == 1) {
		st_outbox_item_free(&it);
		return 0;
	}
	if (wait < 0)
		return 1;
	*next_ms = wall + wait;
	return until_ms > 0 && *next_ms > until_ms;
}

/* Start nothing new from now on. */
void
sy_runner_drain(struct sy_runner *r)
{
	r->draining = 1;
}

/* Requests in flight. */
int
sy_runner_inflight(const struct sy_runner *r)
{
	return r->nslots;
}

/* Copy the stats so far into *out. */
void
sy_runner_stats(const struct sy_runner *r, struct sy_runner_stats *out)
{
	*out = r->stats;
}

/* The batch loop (see runner.h): 0, or ERR_AUTH if sign-in was
 * refused. */
int
sy_runner_run(struct sy_runner *r, int64_t deadline_ms, int once,
	      struct err *e)
{
	struct pollfd pfds[64];
	int n = 0;

	for (;;) {
		int64_t next;
		int t;

		sy_runner_dispatch(r, pfds, n, sy_http_now_ms());
		if (deadline_ms > 0 && sy_api_wall_ms() >= deadline_ms)
			r->draining = 1;
		if (deadline_ms > 0 &&
		    sy_api_wall_ms() >= deadline_ms + DEADLINE_GRACE_MS) {
			/* requests still hanging: drop them; a submit among
			 * them stays "sending" and is looked up next run */
			logf_(r, "deadline passed; leaving %d requests "
			      "unfinished", r->nslots);
			while (r->nslots > 0)
				sy_api_job_free(&r->slots[--r->nslots].job);
			break;
		}
		if (r->nslots == 0 &&
		    (r->draining ||
		     sy_runner_idle(r, once ? sy_api_wall_ms() : deadline_ms,
				    &next)))
			break;
		n = sy_runner_pollfds(r, pfds, 64);
		t = sy_runner_timeout(r, sy_http_now_ms());
		if (t < 0 || t > 1000)
			t = 1000;
		poll(pfds, (nfds_t)n, t);
	}
	if (r->stats.auth_failed)
		return err_set(e, ERR_AUTH, "%s", r->stats.last_error);
	return 0;
}
