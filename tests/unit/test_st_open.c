/*
 * test_st_open: what opening the database says when the file is not as
 * it should be, on real files: empty, not a file, not SQLite, damaged in
 * the middle or cut off, read-only (as another user), on a read-only
 * mount, on a full disk; and `sklad init` that fails leaves no file,
 * one that succeeds makes it mode 0660. Every message names the file.
 *
 * The mounts need root (tmpfs); without it those tests are skipped and
 * say so. It must not mock SQLite or depend on timing.
 */
#define _GNU_SOURCE		/* setresuid */
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/site_fx.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sklad-open-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	umount2(dir, MNT_DETACH);	/* if a test left its mount */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A set-up site database at path with a delivery of n codes, closed. */
static void
make_site(const char *path, int n)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .product_group = "milk",
				.require_crypto = true, .gtin_policy = "any" };
	struct st_delivery d;
	struct st_actor me;
	struct st_db *db;
	struct err e;
	size_t cap = (size_t)n * 40 + 256, at;
	char *text = malloc(cap);
	int i;

	assert_non_null(text);
	assert_int_equal(st_open(path, true, &db, &e), 0);
	assert_int_equal(st_site_init(db, &site, "boss", SITE_FX_PIN, &e), 0);
	assert_int_equal(st_login(db, "boss", SITE_FX_PIN, "t", &me, &e), 0);
	at = (size_t)sprintf(text, "%s", site_fx_list_head());
	for (i = 0; i < n; i++)
		at += (size_t)sprintf(text + at,
				      "0104600439931256215U%07dABCD\n", i);
	if (n > 0)
		assert_int_equal(st_delivery_import(db, &me, "d", text, at, &d,
						    &e), 0);
	free(text);
	st_close(&db);
}

/* st_open(path) fails; its message holds want and the path, one line. */
static void
open_refused(const char *path, bool create, const char *want)
{
	struct st_db *db = NULL;
	struct err e;

	if (st_open(path, create, &db, &e) == 0)
		fail_msg("%s opened", path);
	assert_null(db);
	if (strstr(e.msg, want) == NULL || strstr(e.msg, path) == NULL)
		fail_msg("\"%s\" lacks \"%s\" or the path %s", e.msg, want,
			 path);
	assert_null(strchr(e.msg, '\n'));
}

/* An empty file is no database (only init takes one); neither is a
 * folder or a file of something else. */
static void
test_empty_and_not_sqlite(void **state)
{
	char path[128];
	struct st_db *db;
	struct stat sb;
	struct err e;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/empty.db", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	open_refused(path, false, "is empty (0 bytes), not a sklad database");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 0);	/* and still is */
	assert_int_equal(st_open(path, true, &db, &e), 0);
	st_close(&db);
	open_refused(dir, false, "is not a database file");
	snprintf(path, sizeof(path), "%s/junk.db", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "root:x:0:0:root:/root:/bin/bash\n"
			       "0123456789abcdef0123456789abcdef0123456789"
			       "abcdef0123456789abcdef0123456789abcdef0123"
			       "456789abcdef", 128), 128);
	close(fd);
	open_refused(path, false, "is not a sklad database");
	snprintf(path, sizeof(path), "%s/none.db", dir);
	open_refused(path, false, "no database at");
	snprintf(path, sizeof(path), "%s/no/such.db", dir);
	open_refused(path, true, "does not exist");
}

/* Damage in the middle of a small file is found at open (quick_check),
 * not by some query later; so is a file cut short. */
static void
test_damaged(void **state)
{
	char path[128], junk[600];
	struct stat sb;
	size_t i;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/mid.db", dir);
	make_site(path, 3000);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 64 * 1024 &&
		    sb.st_size <= ST_QUICK_CHECK_BYTES);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7919 + 13);
	fd = open(path, O_WRONLY);
	assert_int_equal(pwrite(fd, junk, sizeof(junk),
				sb.st_size / 2 / 1024 * 1024 + 100),
			 (ssize_t)sizeof(junk));
	close(fd);
	open_refused(path, false, "is damaged");
	snprintf(path, sizeof(path), "%s/cut.db", dir);
	make_site(path, 3000);
	assert_int_equal(truncate(path, sb.st_size / 2), 0);
	open_refused(path, false, "damaged");
}

/* `sklad init` that fails leaves no file; one that succeeds makes it
 * 0660 whatever the umask, never readable by others. */
static void
test_init_file(void **state)
{
	char path[128], cmd[512];
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/site.db", dir);
	snprintf(cmd, sizeof(cmd), "umask 022; SKLAD_PIN=1234 %s init --db %s"
		 " --inn 12 --gcp 4600439 2>/dev/null", getenv("SKLAD_BIN"),
		 path);
	assert_int_not_equal(system(cmd), 0);
	assert_int_equal(stat(path, &sb), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(cmd, sizeof(cmd), "umask 022; SKLAD_PIN=1234 %s init --db %s"
		 " --inn 7700000000 --gcp 4600439 >/dev/null",
		 getenv("SKLAD_BIN"), path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0660);
	/* init again on a set-up file: refused, and the file stays */
	snprintf(cmd, sizeof(cmd), "SKLAD_PIN=1234 %s init --db %s --inn "
		 "7700000000 --gcp 4600439 2>/dev/null", getenv("SKLAD_BIN"),
		 path);
	assert_int_not_equal(system(cmd), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 0);
}

/* Open path as user nobody in a child; its message into msg ("" if it
 * opened). */
static void
open_as_nobody(const char *path, char *msg, size_t n)
{
	int fds[2];
	pid_t pid;
	ssize_t got;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct st_db *db = NULL;
		struct err e;

		close(fds[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
				       setresgid(65534, 65534, 65534) != 0 ||
				       setresuid(65534, 65534, 65534) != 0))
			_exit(2);
		e.msg[0] = '\0';
		if (st_open(path, false, &db, &e) == 0)
			e.msg[0] = '\0';
		st_close(&db);
		if (write(fds[1], e.msg, strlen(e.msg)) < 0)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	got = read(fds[0], msg, n - 1);
	msg[got > 0 ? got : 0] = '\0';
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

/* A file this user may not write is said so at open (SQLite would open
 * it read-only and fail at the first scan); so is a folder where the
 * -wal and -shm files cannot be made. */
static void
test_read_only_file(void **state)
{
	char path[128], msg[ERR_MSG_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/ro.db", dir);
	make_site(path, 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(chown(path, 65534, 65534), 0);
	}
	assert_int_equal(chmod(path, 0444), 0);
	open_as_nobody(path, msg, sizeof(msg));
	if (strstr(msg, "is read-only for this user") == NULL ||
	    strstr(msg, path) == NULL)
		fail_msg("read-only file: \"%s\"", msg);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(dir, 0555), 0);
	open_as_nobody(path, msg, sizeof(msg));
	if (strstr(msg, "cannot create files in") == NULL ||
	    strstr(msg, dir) == NULL)
		fail_msg("read-only folder: \"%s\"", msg);
	assert_int_equal(chmod(dir, 0700), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(dir, 0, 0), 0);
}

/* A tmpfs of size bytes on dir; false (the test skips) without root. */
static bool
small_disk(const char *size)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "size=%s,mode=0700", size);
	if (geteuid() != 0 || mount("tmpfs", dir, "tmpfs", 0, opts) != 0) {
		print_message("skipped: mounting a tmpfs needs root\n");
		return false;
	}
	return true;
}

/* On a read-only mount: the message says so, naming the file, both for
 * an existing database and for init. */
static void
test_read_only_mount(void **state)
{
	char path[128], other[128];

	(void)state;
	if (!small_disk("4m"))
		skip();
	snprintf(path, sizeof(path), "%s/site.db", dir);
	make_site(path, 0);
	assert_int_equal(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL),
			 0);
	open_refused(path, false, "on a file system mounted read-only");
	snprintf(other, sizeof(other), "%s/new.db", dir);
	open_refused(other, true, "on a file system mounted read-only");
	assert_int_equal(umount(dir), 0);
}

/*
 * A full disk: a scan that cannot be stored is refused with the file
 * named and "nothing of this was stored", and is not there afterwards;
 * once space is freed the same connection stores the next scan.
 */
static void
test_disk_full(void **state)
{
	char path[128], fill[128], u[96], buf[4096], sscc[MARK_SSCC_LEN + 1];
	struct st_actor me;
	struct st_pack p;
	struct st_db *db;
	struct mark m;
	struct err e;
	int fd, i, rc = 0, stored = 0;

	(void)state;
	if (!small_disk("1m"))
		skip();
	snprintf(path, sizeof(path), "%s/site.db", dir);
	make_site(path, 0);
	assert_int_equal(st_open(path, false, &db, &e), 0);
	assert_int_equal(st_login(db, "boss", SITE_FX_PIN, "t", &me, &e), 0);
	assert_int_equal(st_pack_open(db, &me, ST_BOX, NULL, NULL, NULL, &p,
				      &e), 0);
	snprintf(sscc, sizeof(sscc), "%s", p.sscc);
	/* fill the disk to its last bytes */
	snprintf(fill, sizeof(fill), "%s/fill", dir);
	fd = open(fill, O_WRONLY | O_CREAT, 0600);
	memset(buf, 'x', sizeof(buf));
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	while (write(fd, buf, 1) > 0)
		;
	close(fd);
	for (i = 0; i < 200 && rc == 0; i++) {
		snprintf(u, sizeof(u), "0104600439931256215U%07dABCD\x1d"
			 "93Ab%02d", i, i);
		m = site_fx_parsed(u);
		rc = st_pack_scan(db, &me, sscc, &m, u, strlen(u), &p, &e);
		stored += rc == 0;
	}
	assert_int_equal(rc, ERR_IO);
	if (strstr(e.msg, "is full") == NULL || strstr(e.msg, path) == NULL ||
	    strstr(e.msg, "nothing of this was stored") == NULL)
		fail_msg("disk full: \"%s\"", e.msg);
	/* what is stored is what was acknowledged (st_pack_get reads it) */
	assert_int_equal(st_pack_get(db, sscc, &p, &e), 0);
	assert_int_equal(p.count, stored);
	/* space again: the next scan goes in, the refused one was not */
	assert_int_equal(unlink(fill), 0);
	rc = st_pack_scan(db, &me, sscc, &m, u, strlen(u), &p, &e);
	if (rc != 0)
		fail_msg("after freeing space: %d %s", rc, e.msg);
	assert_int_equal(p.count, stored + 1);
	st_close(&db);
	assert_int_equal(umount(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_and_not_sqlite,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_only_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_only_mount, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup,
						teardown),
	};

	(void)site_fx_close;	/* sites here are made by make_site */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
