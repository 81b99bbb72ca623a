/*
 * policy: what sync does after which answer, as pure functions.
 *
 * Every rule about retrying, re-authenticating, backing off, throttling,
 * reading document statuses and the exactly-once rule for documents whose
 * fate is unknown lives here, over plain values (time is an argument), so
 * it is tested exhaustively without a network. The rules follow
 * true-api.md ("ref §N"); where the reference marks something inferred,
 * the choice is the defensive one and says so.
 *
 * Must not: do I/O, read clocks, sleep, or keep hidden state.
 */
#ifndef SKLAD_SY_POLICY_H
#define SKLAD_SY_POLICY_H

#include <stdint.h>

#include "scanners/err.h"

/* What kind of request an answer belongs to. */
enum sy_policy_op {
	SY_OP_READ,	/* idempotent: GET, POST-as-query (/cises/info) */
	SY_OP_AUTH,	/* /auth/key, /auth/simpleSignIn */
	SY_OP_CREATE,	/* /lk/documents/create: never blindly repeated */
};

enum sy_policy_act {
	SY_ACT_DONE,		/* a 2xx: parse the answer */
	SY_ACT_REAUTH,		/* 401: get a new token, repeat once */
	SY_ACT_RETRY,		/* wait delay_ms, repeat the request */
	SY_ACT_RECONCILE,	/* a document's fate is unknown: ask the
				 * server (/doc/list) before anything else */
	SY_ACT_FAIL,		/* refused (4xx, or 401 twice): needs a
				 * person */
	SY_ACT_UNAVAILABLE,	/* server or network unavailable for now:
				 * try in a later run (nothing arrived) */
};

struct sy_policy_in {
	enum sy_policy_op op;
	int net;		/* 1: no HTTP answer (network, TLS, timeout) */
	int request_sent;	/* 1: request bytes reached the server */
	long status;		/* HTTP status when net == 0 */
	long retry_after_s;	/* -1 when absent */
	int attempt;		/* 0 for the first try of this request */
	int reauthed;		/* 1: already re-authenticated once */
	int max_attempts;	/* tries before giving up; <= 0: 5 */
	int64_t max_wait_ms;	/* longest wait worth it; <= 0: 120 s */
	unsigned jitter_ms;	/* caller's random 0..999, spreads retries */
};

struct sy_policy_out {
	enum sy_policy_act act;
	int64_t delay_ms;	/* for SY_ACT_RETRY, and for
				 * SY_ACT_UNAVAILABLE: earliest sensible
				 * retry (0 if unknown) */
};

/*
 * Decide what follows one answer. Rules (ref §9.2, §9.3, §12.6):
 *  2xx -> DONE. 401 -> REAUTH once, then FAIL; on AUTH itself -> FAIL.
 *  429 -> RETRY after Retry-After (default 30 s), any op: a throttled
 *         request was not processed [I].
 *  5xx -> READ/AUTH: RETRY after Retry-After or back-off; CREATE:
 *         RECONCILE (it may have been recorded before failing).
 *  no answer, nothing sent -> RETRY with back-off, any op.
 *  no answer after sending -> READ/AUTH: RETRY; CREATE: RECONCILE.
 *  other 4xx -> FAIL.
 * A RETRY whose attempts run out or whose wait exceeds max_wait_ms
 * becomes UNAVAILABLE.
 */
void sy_policy_decide(const struct sy_policy_in *in,
		      struct sy_policy_out *out);

/* Back-off for attempt (0-based): 1 s, 2 s, 4 s ... capped at 60 s, plus
 * jitter_ms. */
int64_t sy_policy_backoff_ms(int attempt, unsigned jitter_ms);

/*
 * Client-side throttle, a token bucket kept by the caller: at most
 * SY_POLICY_RATE requests per second with bursts of SY_POLICY_BURST, so
 * no one-second window holds 50 (ref §9.1).
 */
#define SY_POLICY_RATE 40
#define SY_POLICY_BURST 5
struct sy_policy_bucket {
	int64_t last_ms;	/* when tokens was last brought up to date */
	int64_t milli_tokens;	/* tokens x 1000 */
	int started;		/* 0 until first use: starts full */
};

/* 0 and one token taken if a request may go at now_ms, else the
 * milliseconds to wait (nothing taken). */
int64_t sy_policy_throttle(struct sy_policy_bucket *b, int64_t now_ms);

/* What a document status means to sync (ref §6.2). */
enum sy_policy_fate {
	SY_FATE_PENDING,	/* IN_PROGRESS, WAIT_FOR_CONTINUATION, and
				 * unknown values (poll on, bounded) */
	SY_FATE_OK,		/* CHECKED_OK, ACCEPTED */
	SY_FATE_WAITING,	/* registered, waiting for the other party:
				 * WAIT_ACCEPTANCE,
				 * WAIT_PARTICIPANT_REGISTRATION */
	SY_FATE_REJECTED,	/* CHECKED_NOT_OK, PARSE_ERROR: a person
				 * must fix the document */
	SY_FATE_TECH_ERROR,	/* PROCESSING_ERROR: the server failed; a
				 * person decides on resubmitting */
	SY_FATE_CANCELLED,	/* CANCELLED and CANCELED */
};

enum sy_policy_fate sy_policy_fate(const char *status);

/* 1 if sync stops polling a document in this fate. */
int sy_policy_fate_final(enum sy_policy_fate f);

/* Delay before status poll number attempt (0-based): initial_ms doubling
 * up to max_ms (ref §13: 2 s -> 60 s). */
int64_t sy_policy_poll_delay_ms(int attempt, int64_t initial_ms,
				int64_t max_ms);

/* After asking /doc/list for a document whose fate was unknown. */
enum sy_policy_lookup {
	SY_LOOKUP_ADOPT,	/* found: take its id, never send again */
	SY_LOOKUP_WAIT,		/* not found, or not told yet: too soon to
				 * trust; ask again later */
	SY_LOOKUP_RESEND,	/* not found long enough after the send:
				 * it did not arrive, sending is safe */
	SY_LOOKUP_PERSON,	/* a candidate still cannot be told from
				 * ours after settle_ms: sending could make
				 * a second document, a person decides */
};

/*
 * found: SY_FIND_* of the lookup (0 absent, 1 found, 2 unsure). sent_ms:
 * wall-clock time of the last send attempt; now_ms: wall clock;
 * settle_ms: how long the server may take to list and index a document
 * it accepted (ref §6.1 [I]: "not yet indexed"; default 10 minutes,
 * counted across runs since sent_ms is stored). asked: lookups of this
 * send made after settle_ms that missed it already; a resend needs one
 * such miss before this one, so that a document the server took late
 * (a slow answer) and has not indexed at the first look after settle_ms
 * is never made twice.
 */
enum sy_policy_lookup sy_policy_after_lookup(int found, int64_t sent_ms,
					     int64_t now_ms,
					     int64_t settle_ms, int asked);

#endif
