/*
 * api: True API requests with auth, throttle, back-off and the
 * exactly-once rule (see api.h).
 *
 * Every request goes through a call (struct acall, api_int.h): throttle,
 * send, ask policy.h what the answer means, and act on it (re-auth once,
 * wait and repeat, or report). This file holds the client and its calls;
 * the sign-in and the token cache are in api_auth.c, document submission
 * and status in api_doc.c, the read-only lookups in api_lookup.c.
 * Must not: log or return tokens, signatures or bodies; repeat a create
 * that may have been recorded.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sync/api_int.h"
#include "sync/log.h"

#define DEFAULT_TTL_MS ((int64_t)9 * 3600 * 1000 + 30 * 60 * 1000)

int64_t
sy_api_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sy_api_logf(struct sy_api *a, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (a->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	a->log(a->log_ctx, line);
}

/* snprintf whose truncation is intended (messages are cut, not lost). */
void
sy_api_put(char *dst, size_t dsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, dsz, fmt, ap);
	va_end(ap);
}

static unsigned
jitter(struct sy_api *a)
{
	a->rnd ^= a->rnd << 13;
	a->rnd ^= a->rnd >> 17;
	a->rnd ^= a->rnd << 5;
	return a->rnd % 1000;
}

static int
is_https(const char *u)
{
	return u && strncmp(u, "https://", 8) == 0;
}

int
sy_api_new(struct sy_api **out, const struct sy_api_config *cfg,
	   struct err *e)
{
	struct sy_http_opts ho = { 0 };
	struct sy_api *a;
	int rc;

	*out = NULL;
	if (cfg == NULL || !is_https(cfg->v3_url) || !is_https(cfg->v4_url))
		return err_set(e, ERR_INVALID, "the True API addresses must "
			       "be https:// URLs");
	if (cfg->pg == NULL || *cfg->pg == '\0' || cfg->inn == NULL ||
	    *cfg->inn == '\0' || cfg->signer == NULL)
		return err_set(e, ERR_INVALID, "sync needs a product group, "
			       "the participant's INN and a signer");
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	a->v3 = strdup(cfg->v3_url);
	a->v4 = strdup(cfg->v4_url);
	a->pg = strdup(cfg->pg);
	a->inn = strdup(cfg->inn);
	a->token_file = cfg->token_file ? strdup(cfg->token_file) : NULL;
	if (!a->v3 || !a->v4 || !a->pg || !a->inn ||
	    (cfg->token_file && !a->token_file)) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	a->signer = cfg->signer;
	a->united = cfg->united_token;
	a->timeout_ms = cfg->timeout_ms;
	a->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 5;
	a->max_wait_ms = cfg->max_wait_ms > 0 ? cfg->max_wait_ms : 120000;
	a->ttl_ms = cfg->token_ttl_ms > 0 ? cfg->token_ttl_ms :
		DEFAULT_TTL_MS;
	a->log = cfg->log;
	a->log_ctx = cfg->log_ctx;
	a->rnd = (unsigned)getpid() * 2654435761u ^
		(unsigned)sy_api_wall_ms();
	if (a->rnd == 0)
		a->rnd = 1;
	ho.ca_file = cfg->ca_file;
	ho.timeout_ms = cfg->timeout_ms;
	rc = sy_http_new(&a->http, &ho, e);
	if (rc < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	sy_api_free(&a);
	return rc;
}

void
sy_api_free(struct sy_api **pp)
{
	struct sy_api *a;

	if (pp == NULL || *pp == NULL)
		return;
	a = *pp;
	sy_api_token_wipe(a);
	while (a->calls)
		sy_api_call_free(a, a->calls);
	free(a->ch.data);
	sy_http_free(&a->http);
	free(a->v3);
	free(a->v4);
	free(a->pg);
	free(a->inn);
	free(a->token_file);
	free(a);
	*pp = NULL;
}

/* ---- requests as resumable state machines ----------------------------- */

/* path part of a URL for log lines (no host, no query). */
static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? strchr(p + 3, '/') : NULL;
	return p ? p : url;
}

void
sy_api_reply_free(struct reply *r)
{
	sy_http_resp_free(&r->resp);
}

/* A new call; takes body (malloc'd or NULL) whatever happens. */
struct acall *
sy_api_call_new(struct sy_api *a, enum sy_policy_op op, const char *method,
	 const char *url, char *body, size_t len, int with_auth)
{
	struct acall *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->url = strdup(url)) == NULL) {
		free(c);
		free(body);
		return NULL;
	}
	c->op = op;
	c->method = method;
	c->body = body;
	c->len = len;
	c->with_auth = with_auth;
	c->phase = C_START;
	c->next = a->calls;
	a->calls = c;
	return c;
}

void
sy_api_call_free(struct sy_api *a, struct acall *c)
{
	struct acall **pp;

	if (c == NULL)
		return;
	for (pp = &a->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c->url);
	if (c->body) {
		memset(c->body, 0, c->len);	/* may hold a signature */
		free(c->body);
	}
	sy_api_reply_free(&c->r);
	free(c);
}

static void
call_fail(struct acall *c, int rc, const struct err *e, int unavailable)
{
	c->rc = rc;
	if (e)
		c->err = *e;
	c->r.act = unavailable ? SY_ACT_UNAVAILABLE : SY_ACT_FAIL;
	sy_api_put(c->r.text, sizeof(c->r.text), "%s", e ? e->msg : "failed");
	c->phase = C_DONE;
}

/* Hand the request to the transport. */
static int
call_send(struct sy_api *a, struct acall *c, struct err *e)
{
	const char *hdrs[4];
	struct sy_http_req req = { 0 };
	char *authz = NULL;
	int nh = 0, rc;

	hdrs[nh++] = "Accept: */*";	/* ref §9.3, §13 */
	if (strcmp(c->method, "POST") == 0)
		hdrs[nh++] = "Content-Type: application/json;charset=UTF-8";
	if (c->with_auth) {
		size_t n = strlen(a->token) + 32;

		authz = malloc(n);
		if (authz == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		sy_api_put(authz, n, "Authorization: Bearer %s", a->token);
		hdrs[nh++] = authz;
	}
	hdrs[nh] = NULL;
	req.method = c->method;
	req.url = c->url;
	req.headers = hdrs;
	req.body = c->body;
	req.body_len = c->len;
	req.timeout_ms = a->timeout_ms;
	/* a document post is never repeated behind our back */
	req.fresh = c->op == SY_OP_CREATE;
	rc = sy_http_start(a->http, &req, c, NULL, e);
	if (authz) {
		memset(authz, 0, strlen(authz));
		free(authz);
	}
	return rc;
}

/* Move c as far as it goes without waiting. */
static void
call_step(struct sy_api *a, struct acall *c, int64_t now)
{
	struct err e;
	int64_t w;

	for (;;) {
		switch (c->phase) {
		case C_START:
			if (c->with_auth && !sy_api_have_token(a)) {
				sy_api_login_start(a);
				c->login_gen = a->login_gen;
				c->phase = C_WAIT_LOGIN;
				if (a->login_phase == L_IDLE) {
					/* could not even start */
					call_fail(c, a->login_rc,
						  &a->login_err, 0);
					return;
				}
				return;
			}
			c->phase = C_THROTTLE;
			break;
		case C_WAIT_LOGIN:
			if (sy_api_have_token(a)) {
				c->phase = C_THROTTLE;
				break;
			}
			if (a->login_gen != c->login_gen) {
				int rc = a->login_rc < 0 ? a->login_rc :
					ERR_AUTH;

				call_fail(c, rc, &a->login_err,
					  rc == ERR_NET);
			}
			return;
		case C_THROTTLE:
			w = sy_policy_throttle(&a->bucket, now);
			if (w > 0) {
				c->wake = now + w;
				return;
			}
			if (call_send(a, c, &e) < 0) {
				call_fail(c, e.code, &e, 0);
				return;
			}
			c->phase = C_SENT;
			return;
		case C_SLEEP:
			if (now < c->wake)
				return;
			c->phase = C_START;
			break;
		case C_SENT:
		case C_DONE:
			return;
		}
	}
}

/* An answer for c arrived: apply the policy. */
static void
call_answer(struct sy_api *a, struct acall *c, struct sy_http_resp *resp,
	    int64_t now)
{
	struct sy_policy_in in = { 0 };
	struct sy_policy_out out;

	c->r.resp = resp;
	in.op = c->op;
	in.net = resp->net != 0;
	in.request_sent = resp->request_sent;
	in.status = resp->status;
	in.retry_after_s = resp->retry_after_s;
	in.attempt = c->attempt;
	in.reauthed = c->reauthed;
	in.max_attempts = a->max_attempts;
	in.max_wait_ms = a->max_wait_ms;
	in.jitter_ms = jitter(a);
	sy_policy_decide(&in, &out);
	c->r.act = out.act;
	c->r.status = resp->status;
	c->r.delay_ms = out.delay_ms;
	if (resp->net)
		sy_api_put(c->r.text, sizeof(c->r.text), "%s", resp->errmsg);
	else
		sy_wire_error_text(resp->body, resp->body_len, c->r.text,
				   sizeof(c->r.text));
	if (in.net)
		sy_api_logf(a, SY_LOG_WARNING "%s %s: no answer (%s)%s", c->method,
		      url_path(c->url), resp->errmsg,
		      in.request_sent ? " after sending" : "");
	else
		sy_api_logf(a, "%s %s: %ld", c->method, url_path(c->url),
		      resp->status);
	switch (out.act) {
	case SY_ACT_DONE:
		c->phase = C_DONE;
		return;
	case SY_ACT_REAUTH:
		sy_api_logf(a, SY_LOG_WARNING "token refused; signing in again");
		sy_api_token_forget(a);
		c->reauthed = 1;
		c->phase = C_START;
		break;
	case SY_ACT_RETRY:
		sy_api_logf(a, "waiting %lld ms before trying again",
		      (long long)out.delay_ms);
		c->wake = now + out.delay_ms;
		c->attempt++;
		c->phase = C_SLEEP;
		break;
	case SY_ACT_FAIL:
		/* a refusal's body may still be an answer (ref §7: per-code
		 * errors inside a 404 array): the caller reads it */
		c->phase = C_DONE;
		return;
	case SY_ACT_UNAVAILABLE:
	case SY_ACT_RECONCILE:
		c->phase = C_DONE;
		break;
	}
	sy_api_reply_free(&c->r);
}

/* Route queued answers, then move every call; never waits. */
void
sy_api_pump(struct sy_api *a, int64_t now)
{
	struct sy_http_resp *resp;
	int rounds;

	while (sy_http_next(a->http, &resp))
		call_answer(a, resp->user, resp, now);
	for (rounds = 0; rounds < 8; rounds++) {
		struct acall *c, *next;
		int moved = 0;

		for (c = a->calls; c; c = c->next) {
			enum cphase was = c->phase;

			call_step(a, c, now);
			moved |= c->phase != was;
		}
		if (a->login_call && a->login_call->phase == C_DONE) {
			sy_api_login_advance(a);
			moved = 1;
		}
		for (c = a->calls; c; c = next) {
			next = c->next;
			if (c->orphan && c->phase == C_DONE)
				sy_api_call_free(a, c);
		}
		if (!moved)
			break;
	}
}

int
sy_api_pollfds(struct sy_api *a, struct pollfd *pfds, int max)
{
	return sy_http_pollfds(a->http, pfds, max);
}

int
sy_api_timeout(struct sy_api *a, int64_t now_ms)
{
	int64_t t = sy_http_timeout(a->http, now_ms);
	struct acall *c;

	for (c = a->calls; c; c = c->next) {
		int64_t d = -1;

		if (c->phase == C_THROTTLE || c->phase == C_SLEEP)
			d = c->wake > now_ms ? c->wake - now_ms : 0;
		else if (c->phase == C_START ||
			 (c->phase == C_WAIT_LOGIN &&
			  c->login_gen != a->login_gen))
			d = 0;
		if (d >= 0 && (t < 0 || d < t))
			t = d;
	}
	if (a->login_call && a->login_call->phase == C_DONE)
		t = 0;
	return t > 60000 ? 60000 : (int)t;
}

void
sy_api_dispatch(struct sy_api *a, const struct pollfd *pfds, int n,
		int64_t now_ms)
{
	sy_http_dispatch(a->http, pfds, n, now_ms);
	sy_api_pump(a, now_ms);
}

/* The batch's loop: run until c is done, or (c NULL) the sign-in ends. */
void
sy_api_run(struct sy_api *a, struct acall *c, unsigned gen)
{
	struct pollfd pfds[64];

	for (;;) {
		int n, t;

		sy_api_pump(a, sy_http_now_ms());
		if (c ? c->phase == C_DONE : a->login_gen != gen)
			return;
		n = sy_api_pollfds(a, pfds, 64);
		t = sy_api_timeout(a, sy_http_now_ms());
		if (t < 0 || t > 1000)
			t = 1000;
		poll(pfds, (nfds_t)n, t);
		sy_http_dispatch(a->http, pfds, n, sy_http_now_ms());
	}
}

/*
 * Blocking: send method url (body, which is taken over) with the policy
 * of op until decided. On return r->act is DONE (r->resp set), FAIL,
 * UNAVAILABLE or RECONCILE; the return value is 0, or negative when the
 * sign-in failed (ERR_AUTH / ERR_NET) or the request could not be made.
 */
int
sy_api_call(struct sy_api *a, enum sy_policy_op op, const char *method,
     const char *url, char *body, size_t len, int with_auth,
     struct reply *r, struct err *e)
{
	struct acall *c;
	int rc;

	memset(r, 0, sizeof(*r));
	c = sy_api_call_new(a, op, method, url, body, len, with_auth);
	if (c == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	sy_api_run(a, c, 0);
	*r = c->r;
	c->r.resp = NULL;
	rc = c->rc;
	if (rc < 0 && e)
		*e = c->err;
	sy_api_call_free(a, c);
	return rc;
}

/* Map a finished call that did not end in DONE to an error. */
int
sy_api_reply_err(const struct reply *r, const char *what, struct err *e)
{
	if (r->act == SY_ACT_UNAVAILABLE)
		return err_set(e, ERR_NET, "%s: the server is unavailable "
			       "(%s)", what,
			       r->text[0] ? r->text : "no answer");
	if (r->status == 401)
		return err_set(e, ERR_AUTH, "%s: the server refused the "
			       "token: %s", what, r->text);
	return err_set(e, ERR_SERVER, "%s: the server refused (HTTP %ld): "
		       "%s", what, r->status, r->text);
}

/* Percent-encode s (RFC 3986 unreserved kept) onto the end of dst. */
void
sy_api_put_escaped(char *dst, size_t dsz, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(dst);

	for (; *s && n + 4 < dsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			dst[n++] = (char)c;
		} else {
			dst[n++] = '%';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 15];
		}
	}
	dst[n] = '\0';
}

/* Append "&name=value" (or "?name=" first) to a URL. */
void
sy_api_add_param(char *url, size_t usz, const char *name, const char *value)
{
	size_t n = strlen(url);

	snprintf(url + n, usz - n, "%c%s=", strchr(url, '?') ? '&' : '?',
		 name);
	sy_api_put_escaped(url, usz, value);
}

void
sy_api_info_url(const struct sy_api *a, const char *id,
		const char *const *extra, char *url, size_t usz)
{
	snprintf(url, usz, "%s/doc/", a->v4);
	sy_api_put_escaped(url, usz, id);
	snprintf(url + strlen(url), usz - strlen(url), "/info");
	sy_api_add_param(url, usz, "pg", a->pg);
	for (; extra && extra[0] && extra[1]; extra += 2)
		sy_api_add_param(url, usz, extra[0], extra[1]);
}
