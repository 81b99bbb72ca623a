/*
 * test_st_power: power loss, a full disk and I/O errors under the store,
 * through a test SQLite VFS ("powercut") registered as the default in
 * this process, wrapping the real unix VFS.
 *
 * The VFS keeps, for each file, what every write since that file's last
 * sync overwrote (and the size it had). A "power cut" at a random write
 * fails that write and every file operation after it (the machine is
 * gone), then puts back a random part of what was written since the last
 * sync, newest first, as a disk does that loses its cache: what a sync
 * covered stays. Then the database is opened again normally.
 *
 * 1. Power cut at a random moment, many rounds on one file: every scan
 *    acknowledged (st_pack_scan returned 0) before the cut is in its box;
 *    the file opens, passes integrity_check, and counts match children.
 * 2. A full disk (SQLITE_FULL from a write) and an I/O error (from a
 *    write, from fsync) during a scan's commit: the scan is refused with
 *    a message that says what happened, nothing acknowledged is missing,
 *    and scanning goes on once the fault is gone.
 *
 * No mocks of SQLite: the real library and the real store on real files;
 * only the bytes that reach the disk are taken away.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "scanners/mark.h"
#include "store/store.h"

/* --- the VFS -------------------------------------------------------------- */

struct undo {			/* what one write overwrote */
	sqlite3_int64 off;
	int len;		/* bytes of old that were in the file */
	sqlite3_int64 size;	/* the file's size before the write */
	unsigned char *old;
};

struct pfile {
	sqlite3_file base;
	sqlite3_file *real;	/* the unix VFS's file, after this struct */
	char path[512];
	struct undo *undo;
	int nundo, cap;
	struct pfile *next;
};

enum fault { F_NONE, F_CUT, F_FULL, F_EIO_WRITE, F_EIO_SYNC };

static struct {
	sqlite3_vfs vfs;
	sqlite3_vfs *real;
	struct pfile *files;	/* open files */
	enum fault fault;
	long countdown;		/* writes (or syncs) until the fault */
	bool dead;		/* power is off: everything fails */
	/* what unsynced writes of closed files left to undo, by path */
	struct pfile *closed;
	unsigned rnd;
} pc;

static unsigned
rnd(void)
{
	pc.rnd = pc.rnd * 1103515245u + 12345u;
	return pc.rnd >> 16;
}

static int
p_close(sqlite3_file *f)
{
	struct pfile *p = (struct pfile *)f, **pp;
	int rc = p->real->pMethods->xClose(p->real);

	for (pp = &pc.files; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	/* its unsynced writes may still be lost: keep them by path */
	if (p->nundo > 0) {
		struct pfile *k = calloc(1, sizeof(*k));

		memcpy(k->path, p->path, sizeof(k->path));
		k->undo = p->undo;
		k->nundo = p->nundo;
		k->next = pc.closed;
		pc.closed = k;
	} else {
		free(p->undo);
	}
	return rc;
}

static int
p_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	struct pfile *p = (struct pfile *)f;

	if (pc.dead)
		return SQLITE_IOERR_READ;
	return p->real->pMethods->xRead(p->real, buf, n, off);
}

/* Remember what [off, off+n) holds now, before it is overwritten. */
static int
remember(struct pfile *p, sqlite3_int64 off, int n)
{
	struct undo *u;
	sqlite3_int64 size = 0;
	int have;

	if (p->real->pMethods->xFileSize(p->real, &size) != SQLITE_OK)
		return SQLITE_IOERR;
	if (p->nundo == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->undo = realloc(p->undo, (size_t)p->cap * sizeof(*u));
	}
	u = &p->undo[p->nundo++];
	u->off = off;
	u->size = size;
	have = off >= size ? 0 : (int)(size - off < n ? size - off : n);
	u->len = have;
	u->old = malloc(have > 0 ? (size_t)have : 1);
	if (have > 0 && p->real->pMethods->xRead(p->real, u->old, have,
						 off) != SQLITE_OK)
		return SQLITE_IOERR;
	return SQLITE_OK;
}

static bool
fault_now(enum fault kind)
{
	if (pc.fault != kind && !(pc.fault == F_CUT && kind == F_EIO_WRITE))
		return false;
	return --pc.countdown < 0;
}

static int
p_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	struct pfile *p = (struct pfile *)f;
	int rc;

	if (pc.dead)
		return SQLITE_IOERR_WRITE;
	if (pc.fault == F_CUT && fault_now(F_EIO_WRITE)) {
		pc.dead = true;
		return SQLITE_IOERR_WRITE;
	}
	if (pc.fault == F_FULL && fault_now(F_FULL))
		return SQLITE_FULL;
	if (pc.fault == F_EIO_WRITE && fault_now(F_EIO_WRITE))
		return SQLITE_IOERR_WRITE;
	if ((rc = remember(p, off, n)) != SQLITE_OK)
		return rc;
	return p->real->pMethods->xWrite(p->real, buf, n, off);
}

static int
p_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct pfile *p = (struct pfile *)f;
	sqlite3_int64 cur = 0;
	int rc;

	if (pc.dead)
		return SQLITE_IOERR_TRUNCATE;
	p->real->pMethods->xFileSize(p->real, &cur);
	if (cur > size && (rc = remember(p, size, (int)(cur - size))) !=
	    SQLITE_OK)
		return rc;
	return p->real->pMethods->xTruncate(p->real, size);
}

static int
p_sync(sqlite3_file *f, int flags)
{
	struct pfile *p = (struct pfile *)f;
	int i, rc;

	if (pc.dead)
		return SQLITE_IOERR_FSYNC;
	if (pc.fault == F_EIO_SYNC && fault_now(F_EIO_SYNC))
		return SQLITE_IOERR_FSYNC;
	rc = p->real->pMethods->xSync(p->real, flags);
	if (rc == SQLITE_OK) {
		/* on the platter now: nothing of it can be lost */
		for (i = 0; i < p->nundo; i++)
			free(p->undo[i].old);
		p->nundo = 0;
	}
	return rc;
}

static int
p_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct pfile *p = (struct pfile *)f;

	if (pc.dead)
		return SQLITE_IOERR_FSTAT;
	return p->real->pMethods->xFileSize(p->real, size);
}

#define PASS(name, args, call) \
	static int name args \
	{ \
		struct pfile *p = (struct pfile *)f; \
		return p->real->pMethods->call; \
	}
PASS(p_lock, (sqlite3_file *f, int l), xLock(p->real, l))
PASS(p_unlock, (sqlite3_file *f, int l), xUnlock(p->real, l))
PASS(p_reserved, (sqlite3_file *f, int *out), xCheckReservedLock(p->real,
							       out))
PASS(p_fcntl, (sqlite3_file *f, int op, void *arg), xFileControl(p->real,
								 op, arg))
PASS(p_sector, (sqlite3_file *f), xSectorSize(p->real))
PASS(p_caps, (sqlite3_file *f), xDeviceCharacteristics(p->real))
PASS(p_shm_map, (sqlite3_file *f, int pg, int sz, int ext,
		 void volatile **pp), xShmMap(p->real, pg, sz, ext, pp))
PASS(p_shm_lock, (sqlite3_file *f, int off, int n, int fl),
     xShmLock(p->real, off, n, fl))
PASS(p_shm_unmap, (sqlite3_file *f, int del), xShmUnmap(p->real, del))

static void
p_shm_barrier(sqlite3_file *f)
{
	struct pfile *p = (struct pfile *)f;

	p->real->pMethods->xShmBarrier(p->real);
}

static const sqlite3_io_methods p_methods = {
	.iVersion = 2,
	.xClose = p_close, .xRead = p_read, .xWrite = p_write,
	.xTruncate = p_truncate, .xSync = p_sync, .xFileSize = p_size,
	.xLock = p_lock, .xUnlock = p_unlock,
	.xCheckReservedLock = p_reserved, .xFileControl = p_fcntl,
	.xSectorSize = p_sector, .xDeviceCharacteristics = p_caps,
	.xShmMap = p_shm_map, .xShmLock = p_shm_lock,
	.xShmBarrier = p_shm_barrier, .xShmUnmap = p_shm_unmap,
};

static int
p_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
       int *out_flags)
{
	struct pfile *p = (struct pfile *)f;
	int rc;

	(void)vfs;
	memset(p, 0, sizeof(*p));
	p->real = (sqlite3_file *)(p + 1);
	if (pc.dead)
		return SQLITE_CANTOPEN;
	rc = pc.real->xOpen(pc.real, name, p->real, flags, out_flags);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(p->path, sizeof(p->path), "%s", name != NULL ? name : "");
	p->base.pMethods = &p_methods;
	p->next = pc.files;
	pc.files = p;
	return SQLITE_OK;
}

static int
p_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	if (pc.dead)
		return SQLITE_IOERR_DELETE;
	return pc.real->xDelete(pc.real, name, sync);
}

static int
p_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return pc.real->xAccess(pc.real, name, flags, out);
}

static int
p_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return pc.real->xFullPathname(pc.real, name, n, out);
}

static int
p_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return pc.real->xRandomness(pc.real, n, out);
}

static int
p_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return pc.real->xSleep(pc.real, us);
}

static int
p_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return pc.real->xCurrentTime(pc.real, out);
}

static int
p_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return pc.real->xCurrentTimeInt64(pc.real, out);
}

static int
p_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return pc.real->xGetLastError(pc.real, n, out);
}

static void
vfs_install(void)
{
	if (pc.real != NULL)
		return;
	pc.real = sqlite3_vfs_find("unix");
	assert_non_null(pc.real);
	pc.vfs.iVersion = 2;
	pc.vfs.szOsFile = (int)sizeof(struct pfile) + pc.real->szOsFile;
	pc.vfs.mxPathname = pc.real->mxPathname;
	pc.vfs.zName = "powercut";
	pc.vfs.xOpen = p_open;
	pc.vfs.xDelete = p_delete;
	pc.vfs.xAccess = p_access;
	pc.vfs.xFullPathname = p_fullpath;
	pc.vfs.xRandomness = p_random;
	pc.vfs.xSleep = p_sleep;
	pc.vfs.xCurrentTime = p_time;
	pc.vfs.xGetLastError = p_lasterr;
	pc.vfs.xCurrentTimeInt64 = p_time64;
	assert_int_equal(sqlite3_vfs_register(&pc.vfs, 1), SQLITE_OK);
	pc.rnd = (unsigned)getpid();
}

/* Put back, newest first, a random part of what was written since each
 * file's last sync (every part if all), straight on the real files. */
static void
lose_unsynced(struct pfile *list, bool all)
{
	FILE *fp;
	int i;

	for (; list != NULL; list = list->next) {
		if (list->path[0] == '\0' || list->nundo == 0)
			continue;
		fp = fopen(list->path, "r+");
		for (i = list->nundo - 1; i >= 0; i--) {
			struct undo *u = &list->undo[i];

			if (fp != NULL && (all || rnd() % 2 == 0)) {
				if (u->len > 0 && (fseeko(fp, u->off,
					SEEK_SET) != 0 || fwrite(u->old, 1,
					(size_t)u->len, fp) != (size_t)u->len))
					fail_msg("cannot undo a write");
				fflush(fp);
				if (ftruncate(fileno(fp), u->size) != 0)
					fail_msg("cannot undo a size");
			}
			if (!all)
				all = i > 0 && rnd() % 4 == 0;
			free(u->old);
		}
		list->nundo = 0;
		if (fp != NULL)
			fclose(fp);
	}
}

/* What closed files left to lose: lose it (all of it if all), then free. */
static void
lose_closed(bool all)
{
	struct pfile *k, *next;

	lose_unsynced(pc.closed, all);
	for (k = pc.closed; k != NULL; k = next) {
		next = k->next;
		free(k->undo);
		free(k);
	}
	pc.closed = NULL;
}

/* --- the store ------------------------------------------------------------ */

static char dir[64], db[96];
static int serial_next = 1;

static void
unit(int n, char *out, size_t size, struct mark *m)
{
	int cd = mark_check_digit("0460043993125", 13);

	snprintf(out, size, "010460043993125%d21P%06dABCDEF\x1d" "93Ab%02d",
		 cd, n, n % 100);
	assert_int_equal(mark_parse(out, strlen(out), m), 0);
}

static int
setup(void **state)
{
	struct st_site site = { .inn = "7700000001", .gcp = "4600439",
				.extension = 1, .product_group = "milk",
				.require_crypto = true, .gtin_policy = "any",
				.box_capacity = 0 };
	struct st_db *h = NULL;
	struct err e;

	(void)state;
	vfs_install();
	snprintf(dir, sizeof(dir), "/tmp/sklad-power-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	if (st_open(db, true, &h, &e) != 0 ||
	    st_site_init(h, &site, "boss", "1234", &e) != 0)
		fail_msg("site: %s", e.msg);
	st_close(&h);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Open the store and log in, with no fault armed. */
static struct st_db *
open_store(struct st_actor *who)
{
	struct st_db *h = NULL;
	struct err e;

	pc.fault = F_NONE;
	pc.dead = false;
	if (st_open(db, false, &h, &e) != 0)
		fail_msg("the database does not open: %s", e.msg);
	if (st_login(h, "boss", "1234", "power", who, &e) != 0)
		fail_msg("login: %s", e.msg);
	return h;
}

/* Independently of the store: the file is whole, every acknowledged code
 * is in its box, and every box counts its children. */
static void
check_file(const int *acked, const char (*box)[32], int nacked)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char serial[32];
	int i, found;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY,
					 "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1,
					    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM packs p"
		" WHERE count != (SELECT count(*) FROM codes c"
		" WHERE c.parent_id = p.code_id)", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM codes c"
		" JOIN codes b ON b.id = c.parent_id"
		" WHERE c.serial = ?1 AND b.serial = ?2", -1, &st, NULL),
		SQLITE_OK);
	for (i = 0; i < nacked; i++) {
		snprintf(serial, sizeof(serial), "P%06dABCDEF", acked[i]);
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, box[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		found = sqlite3_column_int(st, 0);
		if (found != 1)
			fail_msg("acknowledged code %s in %s is gone", serial,
				 box[i]);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
}

#define ROUNDS 60
#define ACKED_MAX (ROUNDS * 64)

static int acked[ACKED_MAX];
static char acked_box[ACKED_MAX][32];
static int nacked;

/* Scan into sscc until the fault strikes or n scans are done; returns
 * how many were refused (0 or 1: the first refusal ends the round), and
 * the refusal's message into why. */
static int
scan_some(struct st_db *h, const struct st_actor *who, const char *sscc,
	  int n, char *why, size_t wlen)
{
	struct st_pack p;
	struct mark m;
	char code[96];
	struct err e;
	int i, k;

	for (i = 0; i < n; i++) {
		k = serial_next++;
		unit(k, code, sizeof(code), &m);
		if (st_pack_scan(h, who, sscc, &m, code, strlen(code), &p,
				 &e) != 0) {
			snprintf(why, wlen, "%s", e.msg);
			return 1;
		}
		assert_true(nacked < ACKED_MAX);
		acked[nacked] = k;
		snprintf(acked_box[nacked++], 32, "%s", sscc);
	}
	return 0;
}

static void
test_power_cut_never_loses_an_acknowledged_scan(void **state)
{
	struct st_actor who;
	struct st_pack box;
	struct st_db *h;
	struct err e;
	char why[512];
	int round, cuts = 0;

	(void)state;
	nacked = 0;
	for (round = 0; round < ROUNDS; round++) {
		h = open_store(&who);
		if (st_pack_open(h, &who, ST_BOX, NULL, NULL, NULL, &box,
				 &e) != 0)
			fail_msg("box: %s", e.msg);
		/* the power goes at a random write of the next scans */
		pc.fault = F_CUT;
		pc.countdown = (long)(rnd() % 200);
		cuts += scan_some(h, &who, box.sscc, 40, why, sizeof(why));
		/* whatever the store does now reaches no disk */
		pc.dead = true;
		st_close(&h);
		lose_unsynced(pc.files, false);
		lose_closed(false);
		pc.dead = false;
		pc.fault = F_NONE;
		check_file(acked, (const char (*)[32])acked_box, nacked);
	}
	print_message("power cut: %d rounds, %d cut in the middle of a scan, "
		      "%d acknowledged scans all kept\n", ROUNDS, cuts, nacked);
	assert_true(cuts > ROUNDS / 4);
}

/* A fault during a scan's commit: refused, said plainly, nothing lost. */
static void
one_fault(enum fault kind, const char *words)
{
	struct st_actor who;
	struct st_pack box;
	struct st_db *h;
	struct err e;
	char why[512] = "";
	int refused = 0, tries;

	h = open_store(&who);
	if (st_pack_open(h, &who, ST_BOX, NULL, NULL, NULL, &box, &e) != 0)
		fail_msg("box: %s", e.msg);
	for (tries = 0; tries < 20 && refused == 0; tries++) {
		pc.fault = kind;
		pc.countdown = (long)(rnd() % 6);
		refused = scan_some(h, &who, box.sscc, 10, why, sizeof(why));
	}
	pc.fault = F_NONE;
	assert_int_equal(refused, 1);
	if (strcasestr(why, words) == NULL)
		fail_msg("the refusal does not say '%s': %s", words, why);
	/* the fault is gone: scanning goes on, on this connection or anew */
	refused = scan_some(h, &who, box.sscc, 3, why, sizeof(why));
	st_close(&h);
	if (refused != 0) {
		h = open_store(&who);
		assert_int_equal(scan_some(h, &who, box.sscc, 3, why,
					   sizeof(why)), 0);
		st_close(&h);
	}
	lose_closed(true);
	check_file(acked, (const char (*)[32])acked_box, nacked);
}

static void
test_full_disk_and_io_errors(void **state)
{
	(void)state;
	one_fault(F_FULL, "full");
	one_fault(F_EIO_WRITE, "disk I/O error");
	one_fault(F_EIO_SYNC, "disk I/O error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_cut_never_loses_an_acknowledged_scan),
		cmocka_unit_test(test_full_disk_and_io_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
