/*
 * test_exchange: `sklad exchange` (the real binary) on real folders and
 * SQLite files. Each incoming file is imported once: a copy of the same
 * content is not imported again, a refused one goes to failed/ with its
 * reason; a run killed (SIGKILL) in the middle of a big import and run
 * again leaves exactly one delivery of it; a crash after the import but
 * before its record or its move is settled without importing twice. A
 * finished shipment is written into the outbox folder under its ИдФайл,
 * atomically (no temporary file left), recorded as exported, and not
 * written again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "tests/site_fx.h"

#define GS "\x1d"
#define BIG 60000

struct fx {
	struct site_fx s;
	char inbox[128], outbox[128];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	site_fx_open(&f->s, NULL);
	snprintf(f->inbox, sizeof(f->inbox), "%s/in", f->s.dir);
	snprintf(f->outbox, sizeof(f->outbox), "%s/out", f->s.dir);
	assert_int_equal(mkdir(f->inbox, 0700), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc = site_fx_close(&f->s);

	free(f);
	return rc;
}

static int64_t
sql_int(struct fx *f, const char *q)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->s.path, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 10000);
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", q, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* A УПД for this site with n units (serial prefix p) in boxes of 100. */
static void
write_upd(const char *path, const char *p, int n)
{
	FILE *fp = fopen(path, "w");
	int i;

	assert_non_null(fp);
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Файл "
		"ИдФайл=\"ON_NSCHFDOPPR_a_b_20261201_%s\" ВерсФорм=\"5.03\">"
		"<Документ КНД=\"1115131\" Функция=\"СЧФДОП\"><СвСчФакт "
		"НомерДок=\"%s\" ДатаДок=\"01.12.2026\"><СвПрод><ИдСв><СвЮЛУч "
		"ИННЮЛ=\"7711111111\"/></ИдСв></СвПрод><СвПокуп><ИдСв><СвЮЛУч "
		"ИННЮЛ=\"7700000000\"/></ИдСв></СвПокуп></СвСчФакт><ТаблСчФакт>"
		"<СведТов НомСтр=\"1\" НаимТов=\"Кефир\" КолТов=\"%d\">"
		"<ДопСведТов ГТИН=\"04600439931256\">\n", p, p, n);
	for (i = 0; i < n; i++) {
		if (i % 100 == 0) {
			char sscc[MARK_SSCC_LEN + 1];

			assert_int_equal(mark_sscc_make(3, "4600439",
				(uint64_t)(p[0] == 'A' ? 100000000 : 200000000)
				+ (uint64_t)i / 100, sscc), 0);
			fprintf(fp, "%s<НомСредИдентТов ИдентТрансУпак=\"%s\">",
				i ? "</НомСредИдентТов>\n" : "", sscc);
		}
		fprintf(fp, "<КИЗ>010460043993125621%s%012d</КИЗ>", p, i);
	}
	fprintf(fp, "</НомСредИдентТов></ДопСведТов></СведТов></ТаблСчФакт>"
		"</Документ></Файл>\n");
	fclose(fp);
}

static pid_t
start(struct fx *f, bool once)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char log[256];
		int fd;

		snprintf(log, sizeof(log), "%s/exchange.log", f->s.dir);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("SKLAD_PIN", SITE_FX_PIN, 1);
		execl(getenv("SKLAD_BIN"), "sklad", "exchange", "--db",
		      f->s.path, "--inbox", f->inbox, "--outbox", f->outbox,
		      "--user", "boss", "--settle", "0", once ? "--once" :
		      "--interval", once ? NULL : "1", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int
run_once(struct fx *f)
{
	int st;
	pid_t pid = start(f, true);

	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {	/* say why */
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "tail -5 %s/exchange.log >&2",
			 f->s.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "no log\n");
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
exists(const char *dir, const char *name)
{
	char p[512];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &sb) == 0;
}

static int
count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_once_each(void **state)
{
	struct fx *f = *state;
	char p[256], cmd[600];

	st_close(&f->s.db);
	snprintf(p, sizeof(p), "%s/a.xml", f->inbox);
	write_upd(p, "A", 250);
	snprintf(cmd, sizeof(cmd), "cp %s/a.xml %s/a-copy.xml && echo '<x/>'"
		 " > %s/junk.xml", f->inbox, f->inbox, f->inbox);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(run_once(f), 1);	/* junk was refused */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM deliveries WHERE"
				 " state = 'expected' AND expected = 253"), 1);
	assert_true(exists(f->inbox, "done/a.xml"));
	assert_true(exists(f->inbox, "done/a-copy.xml"));
	assert_true(exists(f->inbox, "failed/junk.xml"));
	assert_true(exists(f->inbox, "failed/junk.xml.reason"));
	assert_int_equal(count_files(f->inbox, "a"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM delivery_lines"
				 " WHERE name = 'Кефир'"), 1);
	/* the same content again, later: not again */
	snprintf(cmd, sizeof(cmd), "cp %s/done/a.xml %s/a-later.xml",
		 f->inbox, f->inbox);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(run_once(f), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM deliveries WHERE"
				 " state <> 'importing'"), 1);
	assert_true(exists(f->inbox, "done/a-later.xml"));
	assert_int_equal(st_open(f->s.path, false, &f->s.db, &(struct err){0}),
			 0);
}

/* A file over the import limit (SKLAD_IMPORT_MAX_MB) is refused and
 * moved to failed/ with its reason, never read whole or retried. */
static void
test_over_limit(void **state)
{
	struct fx *f = *state;
	char p[256], reason[512] = "";
	FILE *fp;
	int rc;

	st_close(&f->s.db);
	snprintf(p, sizeof(p), "%s/big.xml", f->inbox);
	fp = fopen(p, "w");
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), (2 << 20) + 1), 0);
	fclose(fp);
	setenv("SKLAD_IMPORT_MAX_MB", "2", 1);
	rc = run_once(f);
	unsetenv("SKLAD_IMPORT_MAX_MB");
	assert_int_equal(rc, 1);
	assert_true(exists(f->inbox, "failed/big.xml"));
	snprintf(p, sizeof(p), "%s/failed/big.xml.reason", f->inbox);
	fp = fopen(p, "r");
	assert_non_null(fp);
	assert_non_null(fgets(reason, sizeof(reason), fp));
	fclose(fp);
	assert_non_null(strstr(reason, "too big"));
	assert_int_equal(st_open(f->s.path, false, &f->s.db, &(struct err){0}),
			 0);
}

/* A file still being written (changed just now, or named .part) waits
 * for a later pass. */
static void
test_settle(void **state)
{
	struct fx *f = *state;
	char p[256], cmd[600];
	int st;
	pid_t pid;

	st_close(&f->s.db);
	snprintf(p, sizeof(p), "%s/a.xml.part", f->inbox);
	write_upd(p, "A", 10);
	snprintf(p, sizeof(p), "%s/fresh.xml", f->inbox);
	write_upd(p, "C", 10);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		setenv("SKLAD_PIN", SITE_FX_PIN, 1);
		execl(getenv("SKLAD_BIN"), "sklad", "exchange", "--db",
		      f->s.path, "--inbox", f->inbox, "--outbox", f->outbox,
		      "--user", "boss", "--settle", "3600", "--once",
		      (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(exists(f->inbox, "fresh.xml"));
	assert_int_equal(sql_int(f, "SELECT count(*) FROM deliveries"), 0);
	assert_int_equal(run_once(f), 0);	/* settled (0 s) */
	assert_true(exists(f->inbox, "done/fresh.xml"));
	assert_true(exists(f->inbox, "a.xml.part"));
	snprintf(cmd, sizeof(cmd), "test $(ls %s/done | wc -l) = 1",
		 f->inbox);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(st_open(f->s.path, false, &f->s.db, &(struct err){0}),
			 0);
}

/* Killed while importing a big file, then run again: one delivery. A
 * crash after the import but before the record: the delivery is found
 * by its source, nothing imported twice. */
static void
test_kill_in_the_middle(void **state)
{
	struct fx *f = *state;
	char p[256];
	pid_t pid;
	int st, k;

	st_close(&f->s.db);
	snprintf(p, sizeof(p), "%s/big.xml", f->inbox);
	write_upd(p, "B", BIG);
	pid = start(f, false);
	/* wait until the import began (its record is there), then kill */
	for (k = 0; k < 2000 && sql_int(f, "SELECT count(*) FROM upd_inbox")
	     < 1; k++)
		usleep(5000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	/* an import cut short leaves nothing acceptance would see */
	assert_true(sql_int(f, "SELECT count(*) FROM deliveries WHERE state"
			    " <> 'importing'") <= 1);
	assert_int_equal(run_once(f), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM deliveries WHERE"
				 " state = 'expected'"), 1);
	assert_int_equal(sql_int(f, "SELECT expected FROM deliveries WHERE"
				 " state = 'expected'"), BIG + BIG / 100);
	assert_true(exists(f->inbox, "done/big.xml"));
	/* the record lost, the file back in the inbox: found, not again */
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "mv %s/done/big.xml %s/big.xml && "
			 "sqlite3 %s \"UPDATE upd_inbox SET state = 'importing',"
			 " delivery_id = NULL\"", f->inbox, f->inbox,
			 f->s.path);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(run_once(f), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM deliveries WHERE"
				 " state <> 'importing'"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM upd_inbox WHERE"
				 " state = 'done' AND delivery_id IS NOT NULL"),
			 1);
	assert_true(exists(f->inbox, "done/big.xml"));
	assert_int_equal(st_open(f->s.path, false, &f->s.db, &(struct err){0}),
			 0);
}

/* A finished shipment goes into the outbox folder under its ИдФайл. */
static void
test_exports(void **state)
{
	struct fx *f = *state;
	struct st_shipment s;
	struct st_pack pk;
	char scan[160];
	struct mark m;
	struct err e;

	assert_int_equal(st_pack_open(f->s.db, &f->s.op, ST_BOX, NULL, NULL,
				      NULL, &pk, &e), 0);
	snprintf(scan, sizeof(scan), "010460043993125621Q<&\"000000001" GS
		 "91EE06" GS "92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=");
	m = site_fx_parsed(scan);
	assert_int_equal(st_pack_scan(f->s.db, &f->s.op, pk.sscc, &m, scan,
				      strlen(scan), &pk, &e), 0);
	assert_int_equal(st_pack_close(f->s.db, &f->s.op, pk.sscc, &pk, &e),
			 0);
	assert_int_equal(st_ship_open(f->s.db, &f->s.op, "7722222222", "S-9",
				      &s, &e), 0);
	m = site_fx_parsed(pk.sscc);
	assert_int_equal(st_ship_scan(f->s.db, &f->s.op, s.id, &m, &s, &e), 0);
	assert_int_equal(st_ship_finish(f->s.db, &f->s.op, s.id, &s, &e), 0);
	st_close(&f->s.db);
	assert_int_equal(run_once(f), 0);
	assert_int_equal(count_files(f->outbox, "ON_NSCHFDOPPR_7722222222_"
				     "7700000000_"), 1);
	assert_int_equal(count_files(f->outbox, "."), 2);	/* . and .. */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " state = 'exported' AND export_file LIKE"
				 " '%/out/ON_NSCHFDOPPR_%.xml'"), 1);
	/* windows-1251, as EDO operators take it */
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "grep -q 'encoding=\"windows-1251\"'"
			 " %s/ON_NSCHFDOPPR_* && iconv -f WINDOWS-1251 -t UTF-8"
			 " %s/ON_NSCHFDOPPR_* | grep -q '<НомУпак>%s<'",
			 f->outbox, f->outbox, pk.sscc);
		if (system(cmd) != 0) {
			snprintf(cmd, sizeof(cmd), "cat %s/* >&2", f->outbox);
			assert_int_equal(system(cmd), 0);
			fail();
		}
	}
	assert_int_equal(run_once(f), 0);
	assert_int_equal(count_files(f->outbox, "ON_"), 1);
	assert_int_equal(st_open(f->s.path, false, &f->s.db, &(struct err){0}),
			 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_once_each, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kill_in_the_middle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_settle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_over_limit, setup,
						teardown),
	};

	if (getenv("SKLAD_BIN") == NULL) {
		fprintf(stderr, "test_exchange: set SKLAD_BIN\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
