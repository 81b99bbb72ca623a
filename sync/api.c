/*
 * api: True API requests with auth, throttle, back-off and the
 * exactly-once rule (see api.h).
 *
 * Every request goes through sy_api_call(): throttle, send, ask policy.h
 * what the answer means, and act on it (re-auth once, wait and repeat, or
 * report). The read-only lookups are in api_lookup.c.
 * Must not: log or return tokens, signatures or bodies; repeat a create
 * that may have been recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "sync/api_int.h"
#include "sync/log.h"

#define TOKEN_MAGIC "sklad-token 1"
#define DEFAULT_TTL_MS ((int64_t)9 * 3600 * 1000 + 30 * 60 * 1000)
#define TOKEN_MARGIN_MS ((int64_t)5 * 60 * 1000)


enum { L_IDLE, L_KEY, L_SIGNIN };

static void call_free(struct sy_api *a, struct acall *c);


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

static void
wipe_token(struct sy_api *a)
{
	if (a->token) {
		memset(a->token, 0, strlen(a->token));
		free(a->token);
	}
	a->token = NULL;
	a->token_exp = 0;
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
	wipe_token(a);
	while (a->calls)
		call_free(a, a->calls);
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

/* ---- token cache ------------------------------------------------------ */

/* Load a cached token that is private, well-formed and not near expiry. */
static void
token_load(struct sy_api *a)
{
	char buf[4096], *nl, *tok;
	struct stat st;
	long long exp;
	ssize_t n;
	int fd;

	if (a->token_file == NULL)
		return;
	fd = open(a->token_file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		  O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		/* once a run: every request would say it again */
		if (!a->token_warned++)
			sy_api_logf(a, SY_LOG_WARNING "token cache %s ignored: it must be a "
				    "private file (mode 600)", a->token_file);
		close(fd);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (strncmp(buf, TOKEN_MAGIC "\n", sizeof(TOKEN_MAGIC)) != 0)
		return;
	if (sscanf(buf + sizeof(TOKEN_MAGIC), "%lld", &exp) != 1)
		return;
	nl = strchr(buf + sizeof(TOKEN_MAGIC), '\n');
	if (nl == NULL)
		return;
	tok = nl + 1;
	nl = strchr(tok, '\n');
	if (nl == NULL || nl == tok)
		return;
	*nl = '\0';
	if ((int64_t)exp - TOKEN_MARGIN_MS <= sy_api_wall_ms())
		goto out;
	wipe_token(a);
	a->token = strdup(tok);
	a->token_exp = a->token ? (int64_t)exp : 0;
out:
	memset(buf, 0, sizeof(buf));
}

/* Write the token atomically into a new mode-0600 file. */
static void
token_save(struct sy_api *a)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (a->token_file == NULL || a->token == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", a->token_file);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		sy_api_logf(a, SY_LOG_WARNING "cannot write the token cache %s: %s", tmp,
		      strerror(errno));
		return;
	}
	fchmod(fd, 0600);
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		return;
	}
	fprintf(f, "%s\n%lld\n%s\n", TOKEN_MAGIC, (long long)a->token_exp,
		a->token);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		unlink(tmp);
		return;
	}
	fclose(f);
	if (rename(tmp, a->token_file) < 0)
		unlink(tmp);
}

static void
token_forget(struct sy_api *a)
{
	wipe_token(a);
	if (a->token_file)
		unlink(a->token_file);
}

static int
have_token(struct sy_api *a)
{
	if (a->token && a->token_exp - TOKEN_MARGIN_MS > sy_api_wall_ms())
		return 1;
	wipe_token(a);
	token_load(a);
	return a->token != NULL;
}

/* ---- one request, with the policy applied ---------------------------- */

/* ---- requests as resumable state machines ----------------------------- */

/*
 * A call is one request with the policy applied: it waits for a token
 * (the sign-in runs as calls of its own, one at a time), for the
 * throttle, for the answer, and for back-off, re-authenticating once on a
 * 401. Nothing here blocks: pump() moves every call as far as it can, the
 * answers arrive through sy_http's queue. The blocking functions run the
 * same machines in a small poll loop (run()).
 */
enum cphase {
	C_START,	/* needs a token check */
	C_WAIT_LOGIN,	/* waits for the sign-in to end */
	C_THROTTLE,	/* waits for the rate limit (wake) */
	C_SENT,		/* waits for the answer */
	C_SLEEP,	/* back-off before trying again (wake) */
	C_DONE,		/* r (and rc, err) hold the outcome */
};

struct acall {
	enum sy_policy_op op;
	const char *method;	/* "GET" / "POST" (static) */
	char *url;		/* owned */
	char *body;		/* owned, or NULL */
	size_t len;
	int with_auth;		/* sends the Bearer token */
	enum cphase phase;
	int64_t wake;		/* monotonic ms, for C_THROTTLE / C_SLEEP */
	int attempt;		/* tries so far that asked for a retry */
	int reauthed;		/* re-authenticated once already */
	unsigned login_gen;	/* sign-in generation waited for */
	int orphan;		/* owner gone: free when done */
	int rc;			/* < 0: failed before any usable answer */
	struct err err;
	struct reply r;
	struct acall *next;	/* the api's list of live calls */
};

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
static struct acall *
call_new(struct sy_api *a, enum sy_policy_op op, const char *method,
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

static void
call_free(struct sy_api *a, struct acall *c)
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

/* End the sign-in: waiting calls see login_gen move. */
static void
login_end(struct sy_api *a, int rc, const struct err *e)
{
	a->login_rc = rc;
	if (e)
		a->login_err = *e;
	else
		err_clear(&a->login_err);
	a->login_gen++;
	a->login_phase = L_IDLE;
	a->login_call = NULL;
	free(a->ch.data);
	a->ch.data = NULL;
}

static void
login_start(struct sy_api *a)
{
	char url[1024];

	if (a->login_phase != L_IDLE)
		return;
	wipe_token(a);
	sy_api_put(url, sizeof(url), "%s/auth/key", a->v3);
	a->login_call = call_new(a, SY_OP_AUTH, "GET", url, NULL, 0, 0);
	if (a->login_call == NULL) {
		struct err e;

		err_set(&e, ERR_INTERNAL, "out of memory");
		a->login_gen++;
		a->login_rc = ERR_INTERNAL;
		a->login_err = e;
		return;
	}
	a->login_phase = L_KEY;
}

/* The sign-in call in flight finished: take the next step. */
static void
login_advance(struct sy_api *a)
{
	struct acall *c = a->login_call;
	struct err e;
	char url[1024], *sig = NULL, *body, *tok = NULL;
	int rc;

	if (c->rc < 0) {
		e = c->err;
		call_free(a, c);
		login_end(a, e.code ? e.code : ERR_AUTH, &e);
		return;
	}
	if (c->r.act != SY_ACT_DONE) {
		if (c->r.act == SY_ACT_UNAVAILABLE)
			rc = err_set(&e, ERR_NET, "sign-in: the server is "
				     "unavailable (%s)", c->r.text[0] ?
				     c->r.text : "no answer");
		else
			rc = err_set(&e, ERR_AUTH, "sign-in: the server "
				     "refused (HTTP %ld): %s", c->r.status,
				     c->r.text);
		call_free(a, c);
		login_end(a, rc, &e);
		return;
	}
	if (a->login_phase == L_KEY) {
		rc = sy_wire_parse_challenge(c->r.resp->body,
					     c->r.resp->body_len, &a->ch, &e);
		call_free(a, c);
		if (rc == 0)
			rc = sy_sign_data(a->signer, a->ch.data,
					  strlen(a->ch.data), SY_SIGN_ATTACHED,
					  &sig, &e);
		if (rc < 0) {
			login_end(a, rc, &e);
			return;
		}
		body = sy_wire_signin_body(a->ch.uuid, sig, a->united);
		memset(sig, 0, strlen(sig));
		free(sig);
		sy_api_put(url, sizeof(url), "%s/auth/simpleSignIn", a->v3);
		a->login_call = body ? call_new(a, SY_OP_AUTH, "POST", url,
						body, strlen(body), 0) : NULL;
		if (a->login_call == NULL) {
			err_set(&e, ERR_INTERNAL, "out of memory");
			login_end(a, ERR_INTERNAL, &e);
			return;
		}
		a->login_phase = L_SIGNIN;
		return;
	}
	rc = sy_wire_parse_token(c->r.resp->body, c->r.resp->body_len, &tok,
				 &e);
	call_free(a, c);
	if (rc < 0) {
		login_end(a, ERR_AUTH, &e);
		return;
	}
	a->token = tok;
	a->token_exp = sy_api_wall_ms() + a->ttl_ms;
	token_save(a);
	sy_api_logf(a, "signed in; token valid for %lld min",
	      (long long)(a->ttl_ms / 60000));
	login_end(a, 0, NULL);
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
			if (c->with_auth && !have_token(a)) {
				login_start(a);
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
			if (have_token(a)) {
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
		token_forget(a);
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
static void
pump(struct sy_api *a, int64_t now)
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
			login_advance(a);
			moved = 1;
		}
		for (c = a->calls; c; c = next) {
			next = c->next;
			if (c->orphan && c->phase == C_DONE)
				call_free(a, c);
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
	pump(a, now_ms);
}

/* The batch's loop: run until c is done, or (c NULL) the sign-in ends. */
static void
run(struct sy_api *a, struct acall *c, unsigned gen)
{
	struct pollfd pfds[64];

	for (;;) {
		int n, t;

		pump(a, sy_http_now_ms());
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
	c = call_new(a, op, method, url, body, len, with_auth);
	if (c == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	run(a, c, 0);
	*r = c->r;
	c->r.resp = NULL;
	rc = c->rc;
	if (rc < 0 && e)
		*e = c->err;
	call_free(a, c);
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

int
sy_api_login(struct sy_api *a, struct err *e)
{
	unsigned gen;

	if (a->login_phase == L_IDLE) {
		login_start(a);
		if (a->login_phase == L_IDLE)
			goto out;	/* could not start */
	}
	gen = a->login_gen;
	run(a, NULL, gen);
out:
	if (a->login_rc < 0 && e)
		*e = a->login_err;
	return a->login_rc;
}

int
sy_api_sign_document(struct sy_api *a, const void *body, size_t len,
		     char **sig_b64, struct err *e)
{
	return sy_sign_data(a->signer, body, len, SY_SIGN_DETACHED, sig_b64,
			    e);
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

/* ---- jobs: submit and status without blocking ------------------------ */

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
	j->call = call_new(a, SY_OP_CREATE, "POST", url, body, blen, 1);
	if (j->call == NULL) {
		free(j);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	pump(a, sy_http_now_ms());
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
	j->call = call_new(a, SY_OP_READ, "GET", url, NULL, 0, 1);
	if (j->call == NULL) {
		free(j);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	pump(a, sy_http_now_ms());
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
			call_free(j->a, j->call);
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
		run(j->a, j->call, 0);
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
