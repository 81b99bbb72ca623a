/*
 * db_admin: the admin's copy and figures of a live database (store.h,
 * "admin"): an online backup and the sizes an admin watches.
 *
 * Both open their own connection straight on the file and never migrate
 * it: a copy is a copy of what is there, and figures of a file written by
 * a newer sklad are still figures. The backup reads one consistent
 * snapshot (WAL: a reader never stops a writer, so consoles go on
 * scanning while it runs), writes it to a temporary file beside the
 * target, mode 0600, fsyncs it, checks it, and only then renames it over
 * the target, so PATH is always either the old copy or a whole new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"

/* Open path as it is: no create, no migration, a busy timeout. */
static int
open_raw(const char *path, int flags, sqlite3 **h, struct err *e)
{
	*h = NULL;
	if (access(path, F_OK) != 0)
		return err_set(e, ERR_NOTFOUND, "no database at %s: %s", path,
			       strerror(errno));
	if (sqlite3_open_v2(path, h, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		int rc = err_set(e, ERR_IO, "cannot open %s: %s", path,
				 *h ? sqlite3_errmsg(*h) : "out of memory");

		sqlite3_close(*h);
		*h = NULL;
		return rc;
	}
	sqlite3_busy_timeout(*h, ST_BUSY_MS);
	return 0;
}

int
db_open_raw(const char *path, sqlite3 **h, struct err *e)
{
	/* Read-write so a WAL file's shared memory can be set up; an admin
	 * with read rights only still gets a read-only connection. */
	if (open_raw(path, SQLITE_OPEN_READWRITE, h, e) == 0)
		return 0;
	return open_raw(path, SQLITE_OPEN_READONLY, h, e);
}

/* fsync the folder that holds path, so a rename in it is durable. */
static int
sync_dir(const char *path, struct err *e)
{
	char buf[PATH_MAX];
	int fd, rc = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsync(fd) != 0)
		rc = err_set(e, ERR_IO, "cannot sync the folder of %s: %s",
			     path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Copy src into the (empty) file tmp in one snapshot, make it a single
 * self-contained file (no WAL), and check it. */
static int
copy_into(sqlite3 *src, const char *tmp, struct err *e)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	sqlite3_stmt *st = NULL;
	int rc, step;

	if ((rc = open_raw(tmp, SQLITE_OPEN_READWRITE, &dst, e)) < 0)
		return rc;
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		rc = err_set(e, ERR_DB, "backup of the database: %s",
			     sqlite3_errmsg(dst));
		goto out;
	}
	/* All pages in one step: one read transaction, one snapshot.
	 * Busy only while a checkpoint or recovery holds the file; wait. */
	while ((step = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	       step == SQLITE_LOCKED)
		usleep(10000);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE) {
		rc = err_set(e, step == SQLITE_NOMEM ? ERR_INTERNAL : ERR_IO,
			     "backup into %s: %s", tmp, sqlite3_errstr(step));
		goto out;
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = err_set(e, ERR_DB, "the copy %s: %s", tmp,
			     sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		rc = err_set(e, ERR_DB, "the copy %s fails its check: %s",
			     tmp, sqlite3_errmsg(dst));
out:
	sqlite3_finalize(st);
	if (sqlite3_close(dst) != SQLITE_OK && rc == 0)
		rc = err_set(e, ERR_IO, "cannot close %s", tmp);
	return rc;
}

int
st_db_backup(const char *path, const char *target, struct err *e)
{
	char tmp[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	sqlite3 *src = NULL;
	int fd, rc;

	if (realpath(path, a) != NULL && realpath(target, b) != NULL &&
	    strcmp(a, b) == 0)
		return err_set(e, ERR_INVALID, "the backup %s is the "
			       "database itself: name another file", target);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", target) >=
	    sizeof(tmp))
		return err_set(e, ERR_INVALID, "backup path too long: %s",
			       target);
	if ((rc = open_raw(path, SQLITE_OPEN_READWRITE, &src, e)) < 0)
		return rc;
	/* mkstemp makes the file 0600: the copy holds what the database
	 * holds (PIN hashes, the site's documents). */
	if ((fd = mkstemp(tmp)) < 0) {
		rc = err_set(e, ERR_IO, "cannot create a file beside %s: %s",
			     target, strerror(errno));
		goto out;
	}
	close(fd);
	if ((rc = copy_into(src, tmp, e)) < 0)
		goto fail;
	if ((fd = open(tmp, O_RDWR)) < 0 || fsync(fd) != 0) {
		rc = err_set(e, ERR_IO, "cannot write %s: %s", tmp,
			     strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	if (rename(tmp, target) != 0) {
		rc = err_set(e, ERR_IO, "cannot rename %s to %s: %s", tmp,
			     target, strerror(errno));
		goto fail;
	}
	rc = sync_dir(target, e);
	goto out;
fail:
	unlink(tmp);
out:
	sqlite3_close(src);
	return rc;
}

/* The one integer sql selects (no parameters), 0 when none. */
static int64_t
one_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Fill pairs (name, count) of a GROUP BY into arr of cap entries. */
static int
grouped(sqlite3 *h, const char *sql, struct st_stat_count *arr, int cap)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (n < cap && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(arr[n].name, sizeof(arr[n].name), "%s",
			 t ? (const char *)t : "");
		arr[n++].count = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return n;
}

int
st_db_stats(const char *path, struct st_db_stats *s, struct err *e)
{
	char wal[PATH_MAX];
	struct stat sb;
	sqlite3 *h;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = db_open_raw(path, &h, e)) < 0)
		return rc;
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    one_int(h, "SELECT count(*) FROM sqlite_schema") < 0) {
		rc = err_set(e, ERR_DB, "%s: %s", path, sqlite3_errmsg(h));
		goto out;
	}
	s->schema_version = (int)one_int(h, "PRAGMA user_version");
	s->known_version = st_schema_version();
	s->page_size = one_int(h, "PRAGMA page_size");
	s->pages = one_int(h, "PRAGMA page_count");
	s->free_pages = one_int(h, "PRAGMA freelist_count");
	if (stat(path, &sb) == 0)
		s->file_bytes = sb.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &sb) == 0)
		s->wal_bytes = sb.st_size;
	if (s->schema_version < 2) {
		rc = err_set(e, ERR_VERSION, "%s has schema version %d: open "
			     "it once with this sklad to upgrade it", path,
			     s->schema_version);
		goto out;
	}
	s->codes = one_int(h, "SELECT count(*) FROM codes");
	s->units = one_int(h, "SELECT count(*) FROM codes WHERE kind < 5");
	s->shipped = one_int(h, "SELECT count(*) FROM codes WHERE state = 1");
	s->n_packs = grouped(h, "SELECT level || ' ' || state, count(*)"
			     " FROM packs GROUP BY 1 ORDER BY 1", s->packs,
			     ST_STATS_GROUPS);
	s->n_outbox = grouped(h, "SELECT state, count(*) FROM outbox"
			      " GROUP BY 1 ORDER BY 1", s->outbox,
			      ST_STATS_GROUPS);
	s->n_deliveries = grouped(h, "SELECT state, count(*) FROM deliveries"
				  " GROUP BY 1 ORDER BY 1", s->deliveries,
				  ST_STATS_GROUPS);
	s->n_shipments = grouped(h, "SELECT state, count(*) FROM shipments"
				 " GROUP BY 1 ORDER BY 1", s->shipments,
				 ST_STATS_GROUPS);
	s->users = one_int(h, "SELECT count(*) FROM users");
	s->audit = one_int(h, "SELECT count(*) FROM audit");
	{
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(h, "SELECT min(created_at) FROM outbox"
				       " WHERE state IN ('pending',"
				       " 'submitted')", -1, &st, NULL) ==
		    SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW &&
			    sqlite3_column_text(st, 0) != NULL)
				snprintf(s->oldest_open, sizeof(s->oldest_open),
					 "%s", sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
		}
	}
out:
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}
