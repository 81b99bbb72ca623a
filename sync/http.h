/*
 * http: HTTPS transfers for sync/, on libcurl's multi interface, in the
 * pull model of the console's single poll() loop (DESIGN.md, "One loop").
 *
 * curl's socket and timer callbacks are recorded here and handed out as
 * pollfd entries (sy_http_pollfds) and a deadline (sy_http_timeout); the
 * caller polls and gives the ready entries back (sy_http_dispatch).
 * Finished transfers wait in a queue the caller drains (sy_http_next).
 * sy_http_run is a blocking helper on the same machinery for the batch
 * `sklad sync`.
 *
 * Must not: turn TLS verification off (there is no option for it), speak
 * anything but HTTPS, block inside the poll-loop calls, know anything about
 * True API, or log bodies and headers (they carry tokens and signatures).
 * It is the only file that includes curl/curl.h.
 */
#ifndef SKLAD_SY_HTTP_H
#define SKLAD_SY_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"

struct sy_http;

struct sy_http_opts {
	const char *ca_file;	/* PEM bundle to trust; NULL: system's */
	long connect_timeout_ms;	/* 0: 10 s */
	long timeout_ms;	/* whole transfer; 0: 120 s */
};

struct sy_http_req {
	const char *method;	/* "GET" or "POST" */
	const char *url;	/* https://... only */
	const char *const *headers;	/* "Name: value", NULL-terminated;
					 * may be NULL */
	const void *body;	/* POST body (copied); may be NULL */
	size_t body_len;
	long timeout_ms;	/* this transfer; 0: the context's */
	int fresh;		/* 1: a new connection, never a reused one.
				 * libcurl silently repeats a request that
				 * died on a reused connection; a request
				 * that must not run twice sets this. */
};

struct sy_http_resp {
	uint64_t id;		/* what sy_http_start returned */
	void *user;		/* what sy_http_start was given */
	int net;		/* 0, or ERR_NET when no HTTP answer came */
	int curl_code;		/* curl's result code, 0 when fine */
	int request_sent;	/* 1 if request bytes reached the server's
				 * socket: a failed transfer may then have
				 * been acted on (unknown fate) */
	long status;		/* HTTP status, 0 if none */
	long retry_after_s;	/* Retry-After in seconds, -1 if absent */
	char content_type[128];	/* "" if none */
	char *body;		/* owned, NUL-terminated, never NULL */
	size_t body_len;
	char errmsg[256];	/* curl's explanation when net != 0 */
};

/*
 * Create a transfer context. *out receives an object the caller frees
 * with sy_http_free. Errors: ERR_INTERNAL if curl cannot be set up,
 * ERR_IO if ca_file is given but unreadable.
 */
int sy_http_new(struct sy_http **out, const struct sy_http_opts *opts,
		struct err *e);

/* Abort every transfer, drop queued answers, free *pp, set it NULL. */
void sy_http_free(struct sy_http **pp);

/*
 * Start a transfer; returns at once. The request is copied (URL, headers,
 * body), so the caller's buffers may go away. *id (may be NULL) receives
 * the id its answer will carry; user is handed back in the answer.
 * Errors: ERR_INVALID (bad method, not https), ERR_INTERNAL.
 */
int sy_http_start(struct sy_http *h, const struct sy_http_req *req,
		  void *user, uint64_t *id, struct err *e);

/* Number of transfers started and not yet in the answer queue. */
int sy_http_running(const struct sy_http *h);

/*
 * Fill up to max pollfd entries with the sockets curl waits on; returns
 * how many were filled (never more than max; sockets beyond max wait for
 * the next pass, curl's timer still drives them).
 */
int sy_http_pollfds(struct sy_http *h, struct pollfd *pfds, int max);

/*
 * Milliseconds from now_ms (CLOCK_MONOTONIC, see sy_http_now_ms) until
 * curl wants to be called, 0 if overdue, -1 if it waits only on sockets.
 */
int sy_http_timeout(const struct sy_http *h, int64_t now_ms);

/*
 * Let curl act on the ready entries of pfds (n of them, as filled by
 * sy_http_pollfds and returned by poll(); entries of other modules are
 * ignored) and on an expired timer; finished transfers move to the
 * answer queue. Never blocks.
 */
void sy_http_dispatch(struct sy_http *h, const struct pollfd *pfds, int n,
		      int64_t now_ms);

/*
 * Take the oldest finished transfer: returns 1 and sets *out (owned by
 * the caller, free with sy_http_resp_free), or 0 if the queue is empty.
 */
int sy_http_next(struct sy_http *h, struct sy_http_resp **out);

/* Free an answer and set *pp NULL; NULL is fine. */
void sy_http_resp_free(struct sy_http_resp **pp);

/*
 * Blocking helper for the batch: start req and run the same poll
 * machinery until it finishes; *out as for sy_http_next. Other finished
 * transfers stay queued. Returns 0 whenever an answer (even a network
 * failure, see resp->net) was produced; errors as sy_http_start.
 */
int sy_http_run(struct sy_http *h, const struct sy_http_req *req,
		struct sy_http_resp **out, struct err *e);

/* CLOCK_MONOTONIC in milliseconds: the clock of every *_timeout call. */
int64_t sy_http_now_ms(void);

#endif
