/*
 * batch: the nightly `sklad sync` run, below its command line.
 *
 * Takes an exclusive lock next to the database (flock on PATH.sync.lock)
 * so two runs never overlap, reads the configuration, opens the database,
 * signs in lazily, runs the outbox runner until everything due is done or
 * the deadline passes, and reports what happened. console/cmd_sync.c
 * parses the command line, prints the report and turns the verdict into
 * the exit code.
 *
 * Must not: call exit(), print to stdout (the caller owns it), or write a
 * token, key, signature or document body into a log line.
 */
#ifndef SKLAD_SY_BATCH_H
#define SKLAD_SY_BATCH_H

#include "scanners/err.h"
#include "store/store.h"

struct sy_batch_opts {
	const char *db_path;	/* the sklad database */
	const char *config_path;	/* INI file (sync/config.h) */
	long max_seconds;	/* < 0: the configuration's, else 1800 */
	int once;		/* 1: act on what is due now, wait for
				 * nothing later */
	int dry_run;		/* 1: count what would be done, no network */
	int max_inflight;	/* 0: the runner's default */
	/* stderr-bound progress lines; never secrets. */
	void (*log)(void *log_ctx, const char *line);
	void *log_ctx;
	/* At the end, each document that needs a person (rejected, failed,
	 * held for export, blocked behind one of those) and, with dry_run,
	 * each pending document the state system would refuse (invalid
	 * set, reason the rule it breaks). May be NULL. */
	void (*attention)(void *ctx, const struct st_outbox_issue *it,
			  bool invalid);
	void *attention_ctx;
};

struct sy_batch_report {
	int found;		/* open documents at the start (pending or
				 * submitted) */
	int sent;		/* accepted by the server in this run */
	int confirmed;		/* registered in this run */
	int rejected;		/* rejected in this run: need a person */
	int failed;		/* given up in this run: need a person */
	int unknown;		/* sends whose answer was lost */
	int found_on_server;	/* of those, found already there */
	int unavailable;	/* times the server or network was away */
	int errors;		/* local problems (signing, database) */
	int auth_failed;	/* the server refused to sign us in */
	struct st_outbox_counts end;	/* the outbox when the run ended */
	int waiting;		/* still open at the end (pending or
				 * submitted), blocked ones included */
	int needs_person;	/* documents at the end that need a person:
				 * rejected, failed, held, blocked */
	int invalid;		/* dry run: pending documents that break
				 * the reference's rules (st_doc_check) */
	char last_error[512];	/* plain words, for the log */
};

enum sy_batch_verdict {
	SY_BATCH_DONE,		/* nothing left for a person or later */
	SY_BATCH_PERSON,	/* a document needs a person (rejected,
				 * failed, held, blocked, invalid), or
				 * signing in or a local step failed */
	SY_BATCH_LATER,		/* documents still open: server away or
				 * deadline reached; the next run goes on */
};

/*
 * Run the batch as opts says; *rep is filled as far as the run got.
 * Returns 0 when it ran (see sy_batch_verdict), or: ERR_BUSY when
 * another run holds the lock (e says whose file), ERR_IO / ERR_INVALID
 * for the configuration, ERR_DB / ERR_VERSION for the database,
 * ERR_INTERNAL for the signer or client set-up.
 */
int sy_batch_run(const struct sy_batch_opts *opts,
		 struct sy_batch_report *rep, struct err *e);

/*
 * The lock one runner per database holds (flock on PATH.sync.lock,
 * without waiting). The console takes it too before it runs the outbox
 * runner in its loop, and leaves sync to the batch when it is busy.
 * Returns an fd to keep open, or ERR_BUSY / ERR_IO / ERR_INVALID.
 */
int sy_batch_lock(const char *db_path, struct err *e);

/* Give the lock back; a negative fd is ignored. */
void sy_batch_unlock(int fd);

/* What a finished run means (DONE, PERSON over LATER). */
enum sy_batch_verdict sy_batch_verdict(const struct sy_batch_report *rep);

#endif
