/*
 * db_queue: the queue of writers in front of SQLite's write lock.
 *
 * SQLite has no queue: a writer that finds the lock taken is told BUSY and
 * polls (db.c's busy handler sleeps and retries). With a few writers that
 * costs nothing; with 200 stations on two cores the sleeping and retrying
 * burns the CPU the lock holder needs, a waiter that wakes just after
 * another took the lock sleeps again, and the unlucky wait seconds (p99
 * 2.8 s at 200 stations, the CPU 99 % busy). So every write transaction
 * of ours first takes an exclusive flock() on DB.write.lock: waiters sleep
 * in the kernel and one is woken the moment the holder lets go, and a
 * process that dies holding it loses it with its file descriptor. SQLite's
 * own locking stays the authority; this only orders our writers, and a
 * writer that does not take it (the sqlite3 shell) still works, polling.
 *
 * What it must not do: wait without a bound. The wait ends after the
 * caller's limit through a one-shot timer signal aimed at this thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"

#define QUEUE_SIGNAL (SIGRTMIN + 4)

int
db_queue_open(struct st_db *db, struct err *e)
{
	char path[4200];
	struct stat ls, ds;

	db->queue_fd = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s" ST_QUEUE_SUFFIX,
			     db->path) >= sizeof(path))
		return err_set(e, ERR_INVALID, "database path too long");
	db->queue_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			    0600);
	/* flock needs no write access: the file of another user will do */
	if (db->queue_fd < 0 && errno == EACCES)
		db->queue_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	/* Without it (a folder this user may not write, a read-only
	 * mount) this connection's writers poll as other programs' do:
	 * slower with many stations, never wrong. */
	if (db->queue_fd < 0)
		return 0;
	/* Every writer of the database takes it (the service as user
	 * sklad, consoles through the group): it gets the database's read
	 * and write bits, as SQLite's -wal file does. */
	if (fstat(db->queue_fd, &ls) == 0 && ls.st_uid == geteuid() &&
	    stat(db->path, &ds) == 0)
		fchmod(db->queue_fd, ds.st_mode & 0660);
	return 0;
}

void
db_queue_close(struct st_db *db)
{
	if (db->queue_fd >= 0)
		close(db->queue_fd);
	db->queue_fd = -1;
}

static void
on_queue_timer(int sig)
{
	(void)sig;		/* only to interrupt flock() */
}

static int handler_failed;

static void
install_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_queue_timer;
	sigemptyset(&sa.sa_mask);
	handler_failed = sigaction(QUEUE_SIGNAL, &sa, NULL) < 0;
}

/*
 * Sleep in flock() for at most wait_ms: 0 taken, 1 interrupted (by the
 * timer or another signal), ERR_IO. The signal that ends it has a handler
 * without SA_RESTART, installed once, the first time anyone waits.
 */
static int
wait_in_queue(struct st_db *db, int64_t wait_ms, struct err *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sigevent sev;
	struct itimerspec its;
	sigset_t mine, old;
	timer_t timer;
	int rc, saved;

	pthread_once(&once, install_once);
	if (handler_failed)
		return err_set(e, ERR_IO, "the writers' queue: sigaction "
			       "failed");
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = QUEUE_SIGNAL;
	sev._sigev_un._tid = gettid();	/* sigev_notify_thread_id */
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
		return err_set(e, ERR_IO, "the writers' queue: timer: %s",
			       strerror(errno));
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(wait_ms / 1000);
	its.it_value.tv_nsec = (long)(wait_ms % 1000) * 1000000L;
	sigemptyset(&mine);
	sigaddset(&mine, QUEUE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &mine, &old);
	timer_settime(timer, 0, &its, NULL);
	rc = flock(db->queue_fd, LOCK_EX);
	saved = errno;
	timer_delete(timer);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		return 0;
	if (saved == EINTR)
		return 1;
	return err_set(e, ERR_IO, "the writers' queue of %s: %s", db->path,
		       strerror(saved));
}

int
db_queue_take(struct st_db *db, int wait_ms, struct err *e)
{
	int64_t deadline = db_mono_ms() + wait_ms, left;
	int rc;

	if (db->queue_fd < 0 || db->queue_held)
		return 0;
	if (flock(db->queue_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return err_set(e, ERR_IO, "the writers' queue of %s: "
				       "%s", db->path, strerror(errno));
		/* another signal of the process cuts a wait short: wait
		 * again for what is left */
		do {
			left = deadline - db_mono_ms();
			if (left <= 0)
				return err_set(e, ERR_BUSY, "the database %s "
					       "is busy: another writer kept "
					       "it for %d ms", db->path,
					       wait_ms);
			rc = wait_in_queue(db, left, e);
		} while (rc == 1);
		if (rc < 0)
			return rc;
	}
	db->queue_held = true;
	return 0;
}

void
db_queue_give(struct st_db *db)
{
	if (db->queue_fd < 0 || !db->queue_held)
		return;
	flock(db->queue_fd, LOCK_UN);
	db->queue_held = false;
}
