/*
 * api_int: what the files of the True API client share (internal to
 * sync/api*.c): the client's state, one finished request, and the helpers
 * every request uses. Nothing outside sync/api*.c includes this.
 */
#ifndef SKLAD_SYNC_API_INT_H
#define SKLAD_SYNC_API_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sync/api.h"
#include "sync/http.h"
#include "sync/policy.h"
#include "sync/sign.h"
#include "sync/wire.h"

#define CISES_CHUNK 1000	/* ref §7 */
#define LIST_PAGE 1000		/* ref §8 */
#define FIND_SLACK_MS ((int64_t)10 * 60 * 1000)	/* clock skew margin */

struct acall;

/* Where the sign-in is (login_phase): none running, asked for the
 * challenge, sent the signed challenge. */
enum { L_IDLE, L_KEY, L_SIGNIN };

struct sy_api {
	char *v3, *v4, *pg, *inn, *token_file;
	struct sy_sign *signer;
	struct sy_http *http;
	int united;
	long timeout_ms;
	int max_attempts;
	int64_t max_wait_ms;
	int64_t ttl_ms;
	char *token;		/* current token, or NULL */
	int64_t token_exp;	/* wall ms */
	int token_warned;	/* the cache's "not private" said once */
	struct sy_policy_bucket bucket;
	unsigned rnd;		/* jitter state */
	void (*log)(void *, const char *);
	void *log_ctx;
	struct acall *calls;	/* requests in flight or waiting */
	int login_phase;	/* L_IDLE, L_KEY, L_SIGNIN */
	struct acall *login_call;	/* the sign-in's current request */
	struct sy_wire_challenge ch;	/* from /auth/key */
	unsigned login_gen;	/* bumped each time a sign-in ends */
	int login_rc;		/* how the last sign-in ended */
	struct err login_err;
};

/* The outcome of call(): an answer to parse, or why there is none. */
struct reply {
	struct sy_http_resp *resp;	/* owned when act is DONE or FAIL */
	enum sy_policy_act act;
	long status;
	int64_t delay_ms;
	char text[400];		/* server's or network's words */
};

/*
 * A call is one request with the policy applied: it waits for a token
 * (the sign-in runs as calls of its own, one at a time), for the
 * throttle, for the answer, and for back-off, re-authenticating once on a
 * 401. Nothing here blocks: sy_api_pump() moves every call as far as it
 * can, the answers arrive through sy_http's queue. The blocking functions
 * run the same machines in a small poll loop (sy_api_run()).
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

/* A new call, queued on a (it starts on the next sy_api_pump); takes
 * body (malloc'd or NULL) whatever happens. NULL: out of memory. */
struct acall *sy_api_call_new(struct sy_api *a, enum sy_policy_op op,
			      const char *method, const char *url, char *body,
			      size_t len, int with_auth);

/* Unlink c from a and free it, wiping its body (it may hold a
 * signature). NULL is ignored. */
void sy_api_call_free(struct sy_api *a, struct acall *c);

/* Route the answers that arrived, then move every call as far as it
 * goes; never waits. */
void sy_api_pump(struct sy_api *a, int64_t now);

/* The batch's loop: pump and poll until c is done or, with c NULL,
 * until the sign-in of generation gen has ended. */
void sy_api_run(struct sy_api *a, struct acall *c, unsigned gen);

/* Wipe the token from memory (not its cache file). */
void sy_api_token_wipe(struct sy_api *a);

/* Wipe the token and delete its cache file: the server refused it. */
void sy_api_token_forget(struct sy_api *a);

/* 1 if a token valid for more than the safety margin is in memory or
 * in the cache file (then loaded), else 0. */
int sy_api_have_token(struct sy_api *a);

/* Start a sign-in unless one runs. If it cannot start, login_phase stays
 * L_IDLE and login_rc / login_err say why (login_gen moves). */
void sy_api_login_start(struct sy_api *a);

/* The sign-in's call (a->login_call) is done: send the next request, or
 * end the sign-in (token kept and cached, or login_rc < 0). */
void sy_api_login_advance(struct sy_api *a);

/* A log line for the caller's logger (never a secret). */
void sy_api_logf(struct sy_api *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* snprintf whose truncation is intended (messages are cut, not lost). */
void sy_api_put(char *dst, size_t dsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Blocking: send method url (body, which is taken over) with the policy
 * of op until decided; see api.c. r->resp is the caller's to free with
 * sy_api_reply_free.
 */
int sy_api_call(struct sy_api *a, enum sy_policy_op op, const char *method,
		const char *url, char *body, size_t len, int with_auth,
		struct reply *r, struct err *e);

/* Free a reply's response. */
void sy_api_reply_free(struct reply *r);

/* Map a finished call that did not end in DONE to an error. */
int sy_api_reply_err(const struct reply *r, const char *what, struct err *e);

/* Percent-encode s onto the end of dst; append "&name=value" to a URL. */
void sy_api_put_escaped(char *dst, size_t dsz, const char *s);
/* url = v4/doc/{id}/info?pg=... (ref §6.1: pg is required for furs and
 * harmless elsewhere, so it always goes) then each extra "name=value"
 * pair of the NULL-terminated list. */
void sy_api_info_url(const struct sy_api *a, const char *id,
		     const char *const *extra, char *url, size_t usz);
void sy_api_add_param(char *url, size_t usz, const char *name,
		      const char *value);

#endif
