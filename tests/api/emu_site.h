/*
 * emu_site: a site beside the True API emulator, for the sync tests
 * (tests/unit/test_sy_*.c): a fresh folder with a site database that
 * carries the emulator's INN, a sync.conf that points at the emulator,
 * and the files a run of the real binary reads and writes.
 *
 * Header-only (static functions), like emu.h: each test is its own
 * program. Include it after <cmocka.h>: a failed set-up fails the test.
 *
 * Must not: leave its folder behind once removed, or run anything but
 * SKLAD_BIN.
 */
#ifndef SKLAD_TESTS_EMU_SITE_H
#define SKLAD_TESTS_EMU_SITE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "store/store.h"
#include "tests/api/emu.h"

#define EMU_SITE_PIN "1234"	/* boss's (admin) and ivan's (operator) */

struct emu_site {
	char dir[128];
	char db[192];
	char conf[192];		/* sync.conf, when asked for */
	char in[192];		/* the next run's stdin */
	char out[192];		/* the last run's stdout */
	char errf[192];		/* the last run's stderr */
};

struct emu_site_opts {
	const char *pg;		/* the site's product group */
	bool require_crypto;
	bool operator;		/* also the operator ivan */
	const char *api_extra;	/* lines for sync.conf's [api]; NULL: none
				 * written (the test writes its own) */
	const char *sections;	/* sync.conf's further sections, or NULL */
};

/*
 * Make s in a new folder NAME-XXXXXX on tmpfs when there is one: t.db
 * with the site (GS1 prefix 4600439, extension 1, the emulator's INN, GTIN
 * policy "any") and its admin boss, then sync.conf as o asks.
 */
static void __attribute__((unused))
emu_site_make(const struct emu *m, struct emu_site *s, const char *name,
	      const struct emu_site_opts *o)
{
	struct st_site site = { .gcp = "4600439", .extension = 1,
				.gtin_policy = "any" };
	struct st_actor admin;
	struct st_db *db = NULL;
	struct err e;

	memset(s, 0, sizeof(*s));
	snprintf(site.product_group, sizeof(site.product_group), "%s", o->pg);
	site.require_crypto = o->require_crypto;
	snprintf(site.inn, sizeof(site.inn), "%s", m->inn);
	snprintf(s->dir, sizeof(s->dir), "%s/%s-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", name);
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->db, sizeof(s->db), "%s/t.db", s->dir);
	snprintf(s->conf, sizeof(s->conf), "%s/sync.conf", s->dir);
	snprintf(s->in, sizeof(s->in), "%s/in.txt", s->dir);
	snprintf(s->out, sizeof(s->out), "%s/out.txt", s->dir);
	snprintf(s->errf, sizeof(s->errf), "%s/err.txt", s->dir);
	if (o->api_extra != NULL)
		emu_write_conf(m, s->conf, NULL, NULL, s->dir, o->api_extra,
			       o->sections ? o->sections : "");
	if (st_open(s->db, true, &db, &e) != 0 ||
	    st_site_init(db, &site, "boss", EMU_SITE_PIN, &e) != 0 ||
	    (o->operator &&
	     (st_login(db, "boss", EMU_SITE_PIN, "t1", &admin, &e) != 0 ||
	      st_user_add(db, &admin, "ivan", ST_OPERATOR, EMU_SITE_PIN,
			  &e) != 0)))
		fail_msg("test site %s: %s", s->db, e.msg);
	st_close(&db);
}

/* Remove s's folder and everything in it. */
static void __attribute__((unused))
emu_site_remove(struct emu_site *s)
{
	nftw(s->dir, emu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Run SKLAD_BIN with args (NULL-terminated) and input (NULL: none) on
 * its stdin, its stdout into s->out and stderr into s->errf. Returns its
 * exit code, -1 if it did not exit.
 */
static int __attribute__((unused))
emu_site_run(struct emu_site *s, const char *input, const char *const *args)
{
	const char *bin = getenv("SKLAD_BIN");
	FILE *fp = fopen(s->in, "w");
	pid_t pid;
	int st;

	assert_non_null(bin);
	assert_non_null(fp);
	fputs(input ? input : "", fp);
	fclose(fp);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[32];
		int k = 0, fd;

		argv[k++] = bin;
		while (*args && k < 30)
			argv[k++] = *args++;
		argv[k] = NULL;
		fd = open(s->in, O_RDONLY);
		dup2(fd, 0);
		fd = open(s->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(s->errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
