/*
 * api: the True API client sync's outbox runner calls (true-api.md, cited
 * as "ref §N").
 *
 * One object per configured participant and stand: base URLs for v3 and
 * v4, product group, INN, CA bundle, token cache file, signer. It signs,
 * authenticates (token cached with its expiry in a file only its owner
 * may read; any 401 re-authenticates once), throttles below 50 requests
 * per second, backs off on 429 and 5xx honouring Retry-After, chunks code
 * lookups by 1000, and keeps the exactly-once rule for documents: a
 * create whose fate is unknown is reported as SY_SUBMIT_UNKNOWN and is
 * never re-posted here; the caller asks sy_api_find first.
 *
 * Every request is a resumable state machine on sync/http.h: the plain
 * calls below block until their answer (for the batch `sklad sync`);
 * submit and status also come as jobs for the console's poll loop (end of
 * this file). The decisions are the pure functions of policy.h, the
 * bodies and answers those of wire.h.
 *
 * Must not: store anything (the outbox in store/ does), log or put into
 * an error a token, key, signature or document body, post a document
 * twice on its own, or switch TLS verification off.
 */
#ifndef SKLAD_SY_API_H
#define SKLAD_SY_API_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"
#include "sync/policy.h"
#include "sync/sign.h"
#include "sync/wire.h"

struct sy_api;

struct sy_api_config {
	const char *v3_url;	/* e.g. https://markirovka.crpt.ru/api/v3/
				 * true-api (no trailing slash) */
	const char *v4_url;	/* the same with v4 (ref §1) */
	const char *pg;		/* product group code, e.g. "milk" (§4.4) */
	const char *inn;	/* the participant's INN */
	const char *ca_file;	/* CA bundle; NULL: the system's */
	const char *token_file;	/* token cache, created mode 0600; NULL:
				 * keep the token in memory only */
	struct sy_sign *signer;	/* borrowed; must outlive the api */
	int united_token;	/* 1: ask for a uuidToken (ref §2.2) */
	long timeout_ms;	/* per HTTP transfer; 0: 120 s */
	int max_attempts;	/* tries per request; 0: 5 */
	int64_t max_wait_ms;	/* longest back-off waited within a call;
				 * 0: 120 s; longer -> "unavailable" */
	int64_t token_ttl_ms;	/* 0: 9.5 h (server: at most 10 h) */
	/* Optional progress lines (method, path, status, waits); never
	 * secrets. */
	void (*log)(void *log_ctx, const char *line);
	void *log_ctx;
};

/*
 * Make a client from cfg (strings are copied; signer is borrowed).
 * Errors: ERR_INVALID (missing URL, pg, INN or signer, URL not https),
 * and those of sy_http_new. Free with sy_api_free.
 */
int sy_api_new(struct sy_api **out, const struct sy_api_config *cfg,
	       struct err *e);

/* Free *pp (NULL is fine), wipe the token from memory, set *pp NULL. */
void sy_api_free(struct sy_api **pp);

/*
 * Authenticate now (ref §2.1): /auth/key, attached signature of data,
 * /auth/simpleSignIn; caches the token. Other calls do this by themselves
 * when there is no valid token. Errors: ERR_AUTH (the server refused: the
 * message says why, for a person), ERR_NET (server unreachable), others
 * from signing.
 */
int sy_api_login(struct sy_api *a, struct err *e);

/*
 * The detached signature (base64, no line breaks) of the exact document
 * bytes; *sig_b64 is malloc'd. Store it with the bytes before sending.
 */
int sy_api_sign_document(struct sy_api *a, const void *body, size_t len,
			 char **sig_b64, struct err *e);

/* A document ready to send: exact bytes and their signature. */
struct sy_api_doc {
	const char *type;	/* e.g. "AGGREGATION_DOCUMENT" (ref §5) */
	const char *format;	/* "MANUAL" (JSON, default when NULL) */
	const void *body;	/* the exact signed bytes */
	size_t body_len;
	const char *signature;	/* detached base64: sy_api_sign_document */
};

enum sy_submit_outcome {
	SY_SUBMIT_ACCEPTED,	/* id set; poll with sy_api_status */
	SY_SUBMIT_REJECTED,	/* refused (4xx); message for a person */
	SY_SUBMIT_UNKNOWN,	/* may have arrived: sy_api_find before any
				 * new send (connection lost after sending,
				 * timeout, 5xx) */
	SY_SUBMIT_UNAVAILABLE,	/* certainly did not arrive (not sent, or
				 * 429 beyond the wait limit): send later,
				 * not before retry_ms */
	SY_SUBMIT_REFUSED_LOCALLY,	/* this product group does not take
					 * this type (ref §5.6, §5.7); keep
					 * the document for export */
};

struct sy_api_result {
	enum sy_submit_outcome outcome;
	char id[128];		/* server document id when ACCEPTED */
	long http_status;	/* last HTTP status, 0 if none */
	int64_t retry_ms;	/* UNAVAILABLE: wait at least this long */
	char message[512];	/* plain words for the operator */
};

/*
 * Post doc to /lk/documents/create?pg= once (ref §4.1), re-posting only
 * where the server cannot have recorded it (401 then re-auth, 429, not
 * sent at all). Returns 0 with *res filled for every server or network
 * outcome; negative only when the client cannot work: ERR_AUTH
 * (authentication refused, res->message too), ERR_INVALID, ERR_INTERNAL.
 * Before calling, record the attempt time: sy_api_find needs it.
 */
int sy_api_submit(struct sy_api *a, const struct sy_api_doc *doc,
		  struct sy_api_result *res, struct err *e);

struct sy_api_status {
	int found;		/* 0: the server does not know the id (yet) */
	enum sy_policy_fate fate;	/* from status */
	struct sy_wire_doc doc;	/* status, errors (plain words), more */
};

/*
 * Status of document id from v4 /doc/{id}/info (ref §6.1). 0 with
 * st->found = 0 on 404 (right after create it may not be indexed yet).
 * Errors: ERR_NET (unavailable), ERR_SERVER (refused or garbled),
 * ERR_AUTH.
 */
int sy_api_status(struct sy_api *a, const char *id, struct sy_api_status *st,
		  struct err *e);

struct sy_api_find_query {
	const char *type;	/* document type */
	const void *body;	/* the exact bytes that were sent */
	size_t body_len;
	int64_t from_ms;	/* wall clock (ms since 1970) of the first */
	int64_t to_ms;		/* ... and the last send attempt */
};

/* What a lookup of a document whose fate is unknown found. */
enum sy_find_result {
	SY_FIND_ABSENT = 0,	/* no candidate is ours */
	SY_FIND_FOUND = 1,	/* ours: id set */
	SY_FIND_UNSURE = 2,	/* a candidate could not be told yet (404
				 * "not indexed yet", or no content): id
				 * names it; ask again later */
};

/*
 * Did a document whose fate is unknown arrive? Lists our outgoing
 * documents of that type around the send times (v4 /doc/list with
 * senderInn, documentType, dateFrom/dateTo, ref §8, §12.6) and compares
 * each candidate's content with the bytes sent. A candidate whose content
 * differs is another document and changes nothing; one that answers 404
 * or without content leaves the answer UNSURE, never a failure. Then
 * decide with sy_policy_after_lookup. Errors: ERR_NET (unavailable),
 * ERR_SERVER (refused or garbled), ERR_AUTH.
 */
int sy_api_find(struct sy_api *a, const struct sy_api_find_query *q,
		enum sy_find_result *res, char *id, size_t idsz,
		struct err *e);

struct sy_api_list_query {
	int incoming;		/* 1: receiverInn = our INN; 0: sender */
	const char *const *types;	/* NULL-terminated, or NULL: all */
	const char *status;	/* documentStatus, or NULL */
	int64_t from_ms, to_ms;	/* wall clock; both 0: no date range */
	size_t max;		/* stop after this many; 0: 10 000 */
};

/*
 * Documents from v4 /doc/list, following its pages (did + pageDir,
 * at most 1000 per page). *docs malloc'd, *n entries. Errors as
 * sy_api_status.
 */
int sy_api_list(struct sy_api *a, const struct sy_api_list_query *q,
		struct sy_wire_doc **docs, size_t *n, struct err *e);

/*
 * The raw JSON of v4 /doc/{id}/info?body=true (an array of one document
 * with its body), for importing an incoming delivery. *json malloc'd,
 * NUL-terminated. Errors as sy_api_status; ERR_NOTFOUND on 404.
 */
int sy_api_doc_body(struct sy_api *a, const char *id, char **json,
		    size_t *len, struct err *e);

/*
 * Public information on n codes from v3 /cises/info, in requests of at
 * most 1000 (ref §7), in the order given. *out malloc'd array of *nout;
 * unknown codes carry error_code "404". Errors as sy_api_status.
 */
int sy_api_cises(struct sy_api *a, const char *const *codes, size_t n,
		 struct sy_wire_cis **out, size_t *nout, struct err *e);

/* ---- the same without blocking, for the console's poll loop ---------- */

/*
 * A job is one submit or status request in flight. Start it, give the
 * api a share of the loop (sy_api_pollfds/timeout/dispatch, the contract
 * of sync/http.h), and when sy_api_job_done says so, read the result
 * (the same as the blocking call would have returned) and free the job.
 * The sign-in a job needs runs inside these calls too; only its signing
 * (OpenSSL, or the external command) runs to its end at once.
 */
struct sy_api_job;

/* Start a submit (see sy_api_submit); *job freed with sy_api_job_free.
 * Errors: ERR_INVALID (incomplete document), ERR_INTERNAL. */
int sy_api_submit_start(struct sy_api *a, const struct sy_api_doc *doc,
			struct sy_api_job **job, struct err *e);

/* Start a status request (see sy_api_status). */
int sy_api_status_start(struct sy_api *a, const char *id,
			struct sy_api_job **job, struct err *e);

/* 1 when the job has its answer. */
int sy_api_job_done(const struct sy_api_job *job);

/* The result of a finished submit job: as sy_api_submit. */
int sy_api_job_submit_result(struct sy_api_job *job,
			     struct sy_api_result *res, struct err *e);

/* The result of a finished status job: as sy_api_status. */
int sy_api_job_status_result(struct sy_api_job *job,
			     struct sy_api_status *st, struct err *e);

/* Free *pp (NULL is fine); an unfinished request is finished quietly
 * and dropped (a submit may still arrive: treat it as unknown). */
void sy_api_job_free(struct sy_api_job **pp);

/* pollfd entries of the api's transfers (sy_http_pollfds). */
int sy_api_pollfds(struct sy_api *a, struct pollfd *pfds, int max);

/* ms until the api must be dispatched (back-off, throttle, curl's
 * timer), 0 if now, -1 if only on sockets. */
int sy_api_timeout(struct sy_api *a, int64_t now_ms);

/* Act on ready entries and expired waits; never blocks. */
void sy_api_dispatch(struct sy_api *a, const struct pollfd *pfds, int n,
		     int64_t now_ms);

/* Wall clock in ms since 1970 (for sy_api_find_query times). */
int64_t sy_api_wall_ms(void);

#endif
