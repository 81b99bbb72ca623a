/*
 * batch: the nightly `sklad sync` run (see batch.h).
 *
 * Order of a run: lock (so nothing below ever runs twice at once), read
 * the configuration, open the database, count what is open, build the
 * signer, the client and the runner, run, count again. The lock file is
 * never removed: removing it would let a third run lock a new file while
 * the second still holds the old one.
 *
 * Must not: call exit(), print to stdout, or put a secret into a log line
 * or an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync/batch.h"
#include "sync/config.h"
#include "sync/runner.h"

#define DEFAULT_MAX_SECONDS 1800

/*
 * Take the run lock of the database at db_path without waiting: an fd to
 * keep open while running (sy_batch_unlock), or ERR_BUSY when another
 * runner holds it, ERR_IO / ERR_INVALID otherwise, with e set.
 */
int
sy_batch_lock(const char *db_path, struct err *e)
{
	char path[4096];
	struct stat ls, ds;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s.sync.lock", db_path) >=
	    sizeof(path))
		return err_set(e, ERR_INVALID, "database path too long");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	/* flock needs no write access: someone else's lock file will do */
	if (fd < 0 && errno == EACCES)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot open the lock file %s: %s",
			       path, strerror(errno));
	/* Everyone who may write the database takes this lock (the nightly
	 * service as user sklad, operators' consoles through its group):
	 * the lock gets the database's read and write bits, as SQLite's
	 * -wal file does, whatever the umask of whoever made it first. */
	if (fstat(fd, &ls) == 0 && ls.st_uid == geteuid() &&
	    stat(db_path, &ds) == 0)
		fchmod(fd, ds.st_mode & 0660);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int busy = errno == EWOULDBLOCK;

		close(fd);
		if (busy)
			return err_set(e, ERR_BUSY, "another sklad sync is "
				       "running on this database (it holds "
				       "%s); this run does nothing", path);
		return err_set(e, ERR_IO, "cannot lock %s: %s", path,
			       strerror(errno));
	}
	return fd;
}

struct attention {
	const struct sy_batch_opts *o;
	struct sy_batch_report *rep;
};

static int
one_issue(void *arg, const struct st_outbox_issue *it)
{
	struct attention *a = arg;

	a->rep->needs_person++;
	if (a->o->attention)
		a->o->attention(a->o->attention_ctx, it, false);
	return 0;
}

/* Dry run: each pending document against the reference's rules. */
static int
one_pending(void *arg, int64_t id, const char *type, const char *body,
	    size_t len)
{
	struct attention *a = arg;
	struct st_outbox_issue it;
	struct err e;

	if (st_doc_check(type, body, len, &e) == 0)
		return 0;
	a->rep->invalid++;
	memset(&it, 0, sizeof(it));
	it.id = id;
	snprintf(it.type, sizeof(it.type), "%s", type);
	snprintf(it.state, sizeof(it.state), "pending");
	snprintf(it.reason, sizeof(it.reason), "%s", e.msg);
	if (a->o->attention)
		a->o->attention(a->o->attention_ctx, &it, true);
	return 0;
}

/* The outbox as the run leaves it, and what in it needs a person. */
static void
fill_end(const struct sy_batch_opts *o, struct st_db *db,
	 struct sy_batch_report *rep)
{
	struct attention a = { o, rep };
	struct err e;

	if (st_outbox_count(db, &rep->end, &e) == 0)
		rep->waiting = rep->end.pending + rep->end.submitted;
	rep->needs_person = 0;
	if (st_outbox_attention(db, one_issue, &a, &e) < 0 && o->log)
		o->log(o->log_ctx, e.msg);
	if (o->dry_run && st_outbox_each_pending(db, one_pending, &a, &e) < 0 &&
	    o->log)
		o->log(o->log_ctx, e.msg);
}

/* The signer, the client and the runner, then run. */
static int
run_sync(const struct sy_batch_opts *o, const struct sy_config *c,
	 struct st_db *db, const struct st_site *site,
	 struct sy_batch_report *rep, struct err *e)
{
	struct sy_runner_config rc_ = { 0 };
	struct sy_runner_stats s;
	struct sy_sign *sign = NULL;
	struct sy_api *api = NULL;
	struct sy_runner *r = NULL;
	const char *pg = c->product_group[0] ? c->product_group :
		site->product_group;
	long max = o->max_seconds >= 0 ? o->max_seconds :
		c->max_seconds > 0 ? c->max_seconds : DEFAULT_MAX_SECONDS;
	int64_t deadline = max > 0 ? sy_api_wall_ms() + (int64_t)max * 1000 :
		0;
	int rc;

	if ((rc = sy_config_client(c, site->inn, site->product_group, o->log,
				    o->log_ctx, &sign, &api, e)) < 0)
		goto out;
	rc_.db = db;
	rc_.api = api;
	rc_.pg = pg;
	rc_.max_inflight = o->max_inflight;
	rc_.poll_initial_ms = c->poll_initial_ms;
	rc_.poll_max_ms = c->poll_max_ms;
	rc_.settle_ms = c->settle_ms;
	rc_.retry_ms = c->retry_ms;
	rc_.log = o->log;
	rc_.log_ctx = o->log_ctx;
	if ((rc = sy_runner_new(&r, &rc_, e)) < 0)
		goto out;
	rc = sy_runner_run(r, deadline, o->once, e);
	if (rc == ERR_AUTH)
		rc = 0;		/* reported through the stats */
	sy_runner_stats(r, &s);
	rep->sent = s.sent;
	rep->confirmed = s.confirmed;
	rep->rejected = s.rejected;
	rep->failed = s.failed;
	rep->unknown = s.unknown;
	rep->found_on_server = s.found;
	rep->unavailable = s.unavailable;
	rep->errors = s.errors;
	rep->auth_failed = s.auth_failed;
	snprintf(rep->last_error, sizeof(rep->last_error), "%s",
		 s.last_error);
out:
	sy_runner_free(&r);
	sy_api_free(&api);
	sy_sign_free(&sign);
	return rc;
}

/*
 * Lock, configure, run, count (see batch.h). 0 when it ran; ERR_BUSY
 * when another run holds the lock; configuration and database errors
 * otherwise. *rep is filled as far as the run got.
 */
int
sy_batch_run(const struct sy_batch_opts *o, struct sy_batch_report *rep,
	     struct err *e)
{
	struct st_outbox_counts start;
	struct sy_config *c = NULL;
	struct st_db *db = NULL;
	struct st_site site;
	int lock, rc;

	memset(rep, 0, sizeof(*rep));
	if (o->db_path == NULL || *o->db_path == '\0')
		return err_set(e, ERR_INVALID, "no database given (--db)");
	if ((lock = sy_batch_lock(o->db_path, e)) < 0)
		return lock;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (!o->dry_run &&
	    (rc = sy_config_load(o->config_path, c, e)) < 0)
		goto out;
	if ((rc = st_open(o->db_path, false, &db, e)) < 0)
		goto out;
	if ((rc = st_site_get(db, &site, e)) < 0)
		goto out;
	if ((rc = st_outbox_count(db, &start, e)) < 0)
		goto out;
	rep->found = start.pending + start.submitted;
	if (!o->dry_run) {
		if (c->product_group[0] == '\0' && site.product_group[0] ==
		    '\0') {
			rc = err_set(e, ERR_INVALID, "no product group: set "
				     "product_group in [true-api] or in the "
				     "site");
			goto out;
		}
		rc = run_sync(o, c, db, &site, rep, e);
	}
	fill_end(o, db, rep);
out:
	st_close(&db);
	free(c);
	sy_batch_unlock(lock);
	return rc;
}

/* Give the lock back (closing its fd); a negative fd is ignored. */
void
sy_batch_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* PERSON if anything in the outbox needs a person (whenever it
 * happened: a rejected document stays a person's until dealt with) or
 * this run could not sign in or work locally; else LATER if documents
 * are still open; else DONE. */
enum sy_batch_verdict
sy_batch_verdict(const struct sy_batch_report *rep)
{
	if (rep->needs_person || rep->invalid || rep->rejected ||
	    rep->failed || rep->errors || rep->auth_failed)
		return SY_BATCH_PERSON;
	if (rep->waiting > 0)
		return SY_BATCH_LATER;
	return SY_BATCH_DONE;
}
