/*
 * runner: the outbox runner, taking each document of store's outbox to
 * the state system exactly once and bringing its fate back.
 *
 * A state machine over the outbox (store/outbox.c) and the api's jobs
 * (sync/api.h). For each due document it either signs the exact stored
 * bytes (once; the signature is stored and reused), records "sending"
 * (attempt, time, fate unknown) and only then posts; or polls the status
 * of a submitted one with back-off; or, for a document whose fate is
 * unknown (a send that timed out, a dropped connection, a crash in the
 * middle), asks the server (sy_api_find) before it would ever post again.
 * A document waits until the one it depends on is confirmed. 429 and 5xx
 * back-off and the request-rate limit are the api's; the runner adds the
 * delays across runs (next_at_ms in the outbox). A rejected document ends
 * "rejected" with the server's reasons for a person.
 *
 * Two ways to drive it: the console's one poll loop (sy_runner_pollfds,
 * sy_runner_timeout, sy_runner_dispatch: nothing blocks there except
 * signing and the rare lookup of a document whose fate is unknown), or
 * the batch (sy_runner_run, which blocks until done or a deadline).
 *
 * One runner per database: whoever runs one holds sy_batch_lock
 * (batch.h); st_outbox_mark_sending refuses a document another runner
 * sent meanwhile, as a second guard.
 *
 * Must not: change a document's bytes, post a document twice without
 * asking the server in between, log tokens, signatures or bodies, or
 * decide retry rules itself beyond scheduling (policy.h decides).
 */
#ifndef SKLAD_SY_RUNNER_H
#define SKLAD_SY_RUNNER_H

#include <poll.h>
#include <stdint.h>

#include "scanners/err.h"
#include "store/store.h"
#include "sync/api.h"

struct sy_runner;

struct sy_runner_config {
	struct st_db *db;	/* borrowed; the outbox */
	struct sy_api *api;	/* borrowed; its product group is the one
				 * documents are sent under */
	const char *pg;		/* that product group (documents of
				 * another group fail with a reason) */
	int max_inflight;	/* requests at once; 0: 4 */
	int64_t poll_initial_ms;	/* first status poll; 0: 2 s */
	int64_t poll_max_ms;	/* longest poll interval; 0: 60 s */
	int64_t settle_ms;	/* how long after a send a missing or not
				 * yet readable document still may appear
				 * (ref §6.1 "not yet indexed"), across
				 * runs; 0: 10 minutes */
	int64_t retry_ms;	/* wait after "unavailable" with no hint;
				 * 0: 30 s */
	/* Progress lines (document id, type, outcome); never secrets. */
	void (*log)(void *log_ctx, const char *line);
	void *log_ctx;
};

/* What one runner did, for the summary. */
struct sy_runner_stats {
	int sent;		/* accepted by the server (or found there) */
	int confirmed;		/* registered (CHECKED_OK, ACCEPTED, or
				 * waiting for the receiver) */
	int rejected;		/* refused: a person must fix it */
	int failed;		/* gave up: refused locally, cancelled,
				 * processing error, cannot tell */
	int unknown;		/* sends whose fate became unknown */
	int found;		/* of those, found on the server */
	int unavailable;	/* times the server or network was away */
	int errors;		/* local problems: signing, the database */
	int auth_failed;	/* 1: the server refused to sign us in */
	char last_error[512];	/* the last such problem, plain words */
};

/* Make a runner; *out freed with sy_runner_free. ERR_INVALID without db
 * or api. */
int sy_runner_new(struct sy_runner **out, const struct sy_runner_config *cfg,
		  struct err *e);

/* Free *pp (NULL is fine); requests in flight are dropped (a submit
 * among them stays "sending" and is looked up before any resend). */
void sy_runner_free(struct sy_runner **pp);

/* pollfd entries the runner waits on (its api's sockets). */
int sy_runner_pollfds(struct sy_runner *r, struct pollfd *pfds, int max);

/*
 * Milliseconds from now_ms (CLOCK_MONOTONIC, sy_http_now_ms) until the
 * runner must be dispatched: its api's timers, and the next outbox
 * document due (checked at most every few seconds while idle); 0 now.
 */
int sy_runner_timeout(struct sy_runner *r, int64_t now_ms);

/*
 * Act: give the api its ready entries, take finished requests and record
 * their outcome in the outbox, start requests for due documents (up to
 * max_inflight). Never blocks on the network, except a lookup of a
 * document whose fate is unknown (blocking, bounded by the api's
 * timeouts; rare). Errors are recorded in the stats and the log.
 */
void sy_runner_dispatch(struct sy_runner *r, const struct pollfd *pfds,
			int n, int64_t now_ms);

/*
 * 1 when nothing is in flight and nothing is due before wall time
 * until_ms (ms since 1970); with *next_ms the wall time the next document
 * falls due (0: none waits at all).
 */
int sy_runner_idle(struct sy_runner *r, int64_t until_ms, int64_t *next_ms);

/* Stop starting new requests (the ones in flight still finish). */
void sy_runner_drain(struct sy_runner *r);

/* Requests in flight now. */
int sy_runner_inflight(const struct sy_runner *r);

/* A copy of the stats so far. */
void sy_runner_stats(const struct sy_runner *r, struct sy_runner_stats *out);

/*
 * The batch: run until every due document is done or waits past wall
 * time deadline_ms (0: no deadline), then let requests in flight finish
 * (for at most 30 s more; what is still unfinished then is dropped, and a
 * dropped submit is looked up before any resend).
 * once 1: stop as soon as nothing is due now (whatever waits until later
 * is left for the next run). Returns 0, or ERR_AUTH when the server
 * refused to sign us in (nothing more can be sent in this run).
 */
int sy_runner_run(struct sy_runner *r, int64_t deadline_ms, int once,
		  struct err *e);

#endif
