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
