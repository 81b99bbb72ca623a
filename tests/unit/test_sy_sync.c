/*
 * test_sy_sync: `sklad sync` (the real binary) with the outbox runner
 * against the HTTPS True API emulator, on real SQLite files whose
 * documents come from the real store operations: every document type
 * submitted and confirmed end to end in dependency order, a rejection
 * with its reasons, 401 re-authentication, 429 with Retry-After, 5xx
 * back-off, a connection dropped after the server recorded the document,
 * SIGKILL in the middle of a send and a rerun, two runs at once, and the
 * exit codes. After every fault the emulator holds each document once.
 */
#include "tests/api/emu.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "tests/api/emu_site.h"
#include <sqlite3.h>

#include "store/store.h"
#include "sync/batch.h"

#define GS "\x1d"

static struct emu emu;

struct fixture {
	struct emu_site s;	/* its out and errf: the last run's */
	struct st_db *st;
	struct st_actor admin, op;
	int serial;		/* next unit serial */
	bool journal;		/* run sync as if stderr were the journal */
};

/* --- set-up -------------------------------------------------------------- */

static int
group_setup(void **state)
{
	static const char *const args[] = { "--process-delay", "0.2", NULL };

	(void)state;
	return emu_start(&emu, args);
}

static int
group_teardown(void **state)
{
	(void)state;
	emu_stop(&emu);
	return 0;
}

static void
write_conf(struct fixture *f, const char *v3, const char *v4)
{
	/* max_attempts = 2 keeps the unreachable case short. */
	emu_write_conf(&emu, f->s.conf, v3, v4, f->s.dir, "max_attempts = 2\n",
		       "[sync]\npoll_initial_ms = 200\npoll_max_ms = 500\n"
		       "settle_ms = 800\n");
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;

	assert_non_null(f);
	emu_site_make(&emu, &f->s, "sklad-sync", &(struct emu_site_opts){
		.pg = "furs", .require_crypto = true, .operator = true });
	write_conf(f, emu.v3, emu.v4);
	assert_int_equal(st_open(f->s.db, false, &f->st, &e), 0);
	assert_int_equal(st_login(f->st, "boss", "1234", "t1", &f->admin, &e),
			 0);
	assert_int_equal(st_login(f->st, "ivan", "1234", "scanner-1", &f->op,
				  &e), 0);
	f->serial = 1;
	*state = f;
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_close(&f->st);
	emu_site_remove(&f->s);
	free(f);
	return 0;
}

/* --- documents through the real store operations ----------------------- */

static struct mark
unit(struct fixture *f, char *code, size_t size)
{
	int cd = mark_check_digit("0460043993125", 13);
	struct mark m;

	snprintf(code, size, "01%s%d21S%05dABCDEFG" GS "93AbCd",
		 "0460043993125", cd, f->serial++);
	if (mark_parse(code, strlen(code), &m) != 0)
		fail_msg("test code %s does not parse", code);
	return m;
}

/* A closed box of n units (an AGGREGATION_DOCUMENT); its SSCC in sscc,
 * the last unit's mark in *last if non-NULL. */
static void
closed_box(struct fixture *f, int n, char *sscc, struct mark *last)
{
	struct st_pack p;
	char code[96];
	struct mark m;
	struct err e;
	int i;

	if (st_pack_open(f->st, &f->op, ST_BOX, NULL, NULL, NULL, &p, &e))
		fail_msg("open: %s", e.msg);
	strcpy(sscc, p.sscc);
	for (i = 0; i < n; i++) {
		m = unit(f, code, sizeof(code));
		if (st_pack_scan(f->st, &f->op, sscc, &m, code, strlen(code),
				 &p, &e) != 0)
			fail_msg("scan: %s", e.msg);
	}
	if (last)
		*last = m;
	if (st_pack_close(f->st, &f->op, sscc, &p, &e) != 0)
		fail_msg("close: %s", e.msg);
}

/* An incoming delivery of two units, accepted in full: LP_ACCEPT_GOODS. */
static void
accepted_delivery(struct fixture *f)
{
	struct st_accept_progress p;
	struct st_delivery d;
	char c1[96], c2[96], text[2048];
	struct mark m1 = unit(f, c1, sizeof(c1));
	struct mark m2 = unit(f, c2, sizeof(c2));
	struct err e;

	snprintf(text, sizeof(text), "[{\"number\":\"a1b2-c3\","
		 "\"docDate\":\"2026-11-20T10:00:00.000Z\","
		 "\"type\":\"LP_SHIP_GOODS\",\"senderInn\":\"7711111111\","
		 "\"receiverInn\":\"%s\",\"turnoverType\":\"SELLING\","
		 "\"body\":{\"document_num\":\"UPD-17\","
		 "\"document_date\":\"2026-11-20T09:00:00.000Z\","
		 "\"transfer_date\":\"2026-11-21T00:00:00.000Z\","
		 "\"products\":[{\"uit_code\":\"%s\"},{\"uit_code\":\"%s\"}]"
		 "}}]", emu.inn, m1.cis, m2.cis);
	if (st_delivery_import(f->st, &f->op, "in.json", text, strlen(text),
			       &d, &e) != 0)
		fail_msg("import: %s", e.msg);
	/* the state system knows that shipment: the acceptance names it
	 * (ref §5.7: release_order_number, same products, same dates) */
	snprintf(text, sizeof(text), "{\"cmd\":\"add_incoming\","
		 "\"id\":\"a1b2-c3\",\"senderInn\":\"7711111111\","
		 "\"body\":{\"document_num\":\"UPD-17\","
		 "\"document_date\":\"2026-11-20T09:00:00.000\","
		 "\"transfer_date\":\"2026-11-21T00:00:00.000\","
		 "\"receiver_inn\":\"%s\",\"turnover_type\":\"SELLING\","
		 "\"products\":[{\"uit_code\":\"%s\"},{\"uit_code\":\"%s\"}]}}",
		 emu.inn, m1.cis, m2.cis);
	assert_true(emu_ok(&emu, text));
	if (st_accept_open(f->st, &f->op, d.id, &p, &e) != 0 ||
	    st_accept_scan(f->st, &f->op, d.id, &m1, &p, &e) != 0 ||
	    st_accept_scan(f->st, &f->op, d.id, &m2, &p, &e) != 0 ||
	    st_accept_finish(f->st, &f->op, d.id, false, &p, &e) != 0)
		fail_msg("acceptance: %s", e.msg);
}

/* --- running sklad sync -------------------------------------------------- */

/* Start `sklad sync` with extra arguments (NULL-terminated); its pid. */
static pid_t
start_sync(struct fixture *f, const char *const *extra)
{
	const char *bin = getenv("SKLAD_BIN");
	pid_t pid;

	assert_non_null(bin);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[32];
		int k = 0, fd;

		argv[k++] = bin;
		argv[k++] = "sync";
		argv[k++] = "--db";
		argv[k++] = f->s.db;
		argv[k++] = "--config";
		argv[k++] = f->s.conf;
		while (extra && *extra && k < 30)
			argv[k++] = *extra++;
		argv[k] = NULL;
		fd = open(f->s.out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(f->s.errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		/* what systemd tells a service whose stderr is the journal
		 * stream: that stream's device and inode */
		unsetenv("JOURNAL_STREAM");
		if (f->journal) {
			struct stat sb;
			char v[64];

			fstat(2, &sb);
			snprintf(v, sizeof(v), "%llu:%llu",
				 (unsigned long long)sb.st_dev,
				 (unsigned long long)sb.st_ino);
			setenv("JOURNAL_STREAM", v, 1);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static int
wait_exit(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int
run_sync(struct fixture *f, const char *const *extra)
{
	static const char *const deflt[] = { "--max-seconds", "20", NULL };

	return wait_exit(start_sync(f, extra ? extra : deflt));
}

static int64_t
sql_int(struct fixture *f, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->s.db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static int
outbox_n(struct fixture *f, const char *state)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox%s%s%s",
		 state ? " WHERE state = '" : "", state ? state : "",
		 state ? "'" : "");
	return (int)sql_int(f, sql);
}

/* Documents of type in the emulator (-1: cannot ask). */
static int
emu_ntype(const char *type)
{
	json_t *r = emu_cmd(&emu, "{\"cmd\":\"state\"}");
	json_t *docs = json_object_get(r, "docs");
	size_t i;
	int n = 0;

	if (r == NULL)
		return -1;
	for (i = 0; i < json_array_size(docs); i++) {
		const char *t = json_string_value(json_object_get(
			json_array_get(docs, i), "type"));

		n += t && strcmp(t, type) == 0;
	}
	json_decref(r);
	return n;
}

/* Wait (at most 10 s) until sql gives a non-zero number. */
static void
wait_sql(struct fixture *f, const char *sql)
{
	long long t0 = emu_now_ms();

	while (sql_int(f, sql) <= 0) {
		if (emu_now_ms() - t0 > 10000)
			fail_msg("timed out waiting for: %s", sql);
		usleep(20000);
	}
}

/* Whether the last run's stderr holds the cached token or a piece of a
 * stored signature. */
static bool
secret_in_log(struct fixture *f)
{
	char path[256], tok[4096] = "", piece[41];
	const char *log;
	sqlite3 *h;
	sqlite3_stmt *st;
	bool found = false;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/token", f->s.dir);
	if ((fp = fopen(path, "r")) != NULL) {
		n = fread(tok, 1, sizeof(tok) - 1, fp);
		tok[n] = '\0';
		fclose(fp);
	}
	log = emu_slurp(f->s.errf);
	assert_true(strlen(tok) > 20);
	/* the file holds the token and its expiry; any 40 characters of
	 * it in the log would be a leak */
	for (n = 0; n + 40 <= strlen(tok) && !found; n += 40) {
		memcpy(piece, tok + n, 40);
		piece[40] = '\0';
		found = strstr(log, piece) != NULL && strspn(piece,
			"0123456789\" :,{}\n") < 40;
	}
	assert_int_equal(sqlite3_open(f->s.db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT substr(signature,"
					    " 200, 40) FROM outbox", -1, &st,
					    NULL), SQLITE_OK);
	while (!found && sqlite3_step(st) == SQLITE_ROW)
		found = strstr(log, (const char *)
			       sqlite3_column_text(st, 0)) != NULL;
	sqlite3_finalize(st);
	sqlite3_close(h);
	return found;
}

/* --- tests --------------------------------------------------------------- */

static void
test_every_type(void **state)
{
	static const char *const types[] = { "AGGREGATION_DOCUMENT",
		"REAGGREGATION_DOCUMENT", "DISAGGREGATION_DOCUMENT",
		"LP_SHIP_GOODS", "LP_ACCEPT_GOODS" };
	struct fixture *f = *state;
	char a[32], b[32];
	struct st_shipment s;
	struct st_pack p;
	struct mark last;
	struct err e;
	json_t *r;
	size_t i;

	closed_box(f, 3, a, &last);
	/* taken out of a reported box: REAGGREGATION (depends on it) */
	assert_int_equal(st_pack_take(f->st, &f->admin, a, &last, &p, &e), 0);
	/* the loose unit leaves: LP_SHIP_GOODS */
	assert_int_equal(st_ship_open(f->st, &f->op, "7711111111", "S-1", &s,
				      &e), 0);
	assert_int_equal(st_ship_scan(f->st, &f->op, s.id, &last, &s, &e), 0);
	assert_int_equal(st_ship_finish(f->st, &f->op, s.id, &s, &e), 0);
	/* a second box, reported and then disbanded: DISAGGREGATION */
	closed_box(f, 2, b, NULL);
	if (st_pack_disband(f->st, &f->admin, b, &p, &e) != 0)
		fail_msg("disband: %s", e.msg);
	accepted_delivery(f);
	assert_int_equal(outbox_n(f, NULL), 6);
	assert_int_equal(outbox_n(f, "pending"), 6);

	if (run_sync(f, NULL) != 0)
		fail_msg("sync failed; its log:\n%.3000s", emu_slurp(f->s.errf));
	assert_non_null(strstr(emu_slurp(f->s.out), "found 6, sent 6, confirmed 6, "
				"rejected 0, failed 0, still waiting 0"));
	/* the log tells the story, without a key, token or signature */
	assert_non_null(strstr(emu_slurp(f->s.errf), "accepted by the server"));
	assert_null(strstr(emu_slurp(f->s.errf), "BEGIN"));
	assert_false(secret_in_log(f));
	assert_int_equal(outbox_n(f, "confirmed"), 6);
	assert_int_equal(emu_ndocs(&emu), 6 + 1);	/* and the supplier's */
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (emu_ntype(types[i]) < 1)
			fail_msg("%s never reached the server", types[i]);
	/* the server ids are stored, signatures with them, nothing unknown */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " server_id IS NOT NULL AND signature IS NOT"
				 " NULL AND fate_unknown = 0 AND attempts = 1"),
			 6);
	/* a dependent document went only after its dependency was done */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox_deps x JOIN"
				 " outbox o ON o.id = x.doc_id JOIN outbox d"
				 " ON d.id = x.waits_for WHERE"
				 " o.first_sent_ms < d.first_sent_ms + 150"),
			 0);
	/* the box reported first is confirmed with its document */
	assert_int_equal(st_pack_get(f->st, a, &p, &e), 0);
	assert_string_equal(p.state, "confirmed");
	r = emu_cmd(&emu, "{\"cmd\":\"state\"}");
	assert_int_equal(json_integer_value(json_object_get(r,
				"rate_violations")), 0);
	json_decref(r);
	/* a second run finds nothing to do */
	assert_int_equal(run_sync(f, NULL), 0);
	assert_non_null(strstr(emu_slurp(f->s.out), "found 0, sent 0"));
	assert_int_equal(emu_ndocs(&emu), 6 + 1);
}

static void
test_rejected(void **state)
{
	struct fixture *f = *state;
	char a[32];
	char *reason;

	assert_true(emu_ok(&emu, "{\"cmd\":\"reject_next\",\"errors\":"
			   "[\"4: unit 0104600439931256 is not yours\"]}"));
	closed_box(f, 2, a, NULL);
	assert_int_equal(run_sync(f, NULL), 1);
	assert_non_null(strstr(emu_slurp(f->s.out), "rejected 1"));
	assert_int_equal(outbox_n(f, "rejected"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " last_error LIKE '%CHECKED_NOT_OK%'"
				 " AND last_error LIKE '%is not yours%'"), 1);
	reason = emu_slurp(f->s.errf);
	assert_non_null(strstr(reason, "is not yours"));
	/* the pack stays closed: the state system does not know it */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM packs WHERE"
				 " state = 'closed'"), 1);
	/* a pallet of that box waits behind it: every later run says so
	 * and exits 1, with nothing sent */
	{
		struct st_pack p;
		struct mark m;
		struct err e;

		assert_int_equal(st_pack_open(f->st, &f->op, ST_PALLET, NULL,
					      NULL, NULL, &p, &e), 0);
		assert_int_equal(mark_sscc_check(a, strlen(a), &m), 0);
		assert_int_equal(st_pack_scan(f->st, &f->op, p.sscc, &m, a,
					      strlen(a), &p, &e), 0);
		assert_int_equal(st_pack_close(f->st, &f->op, p.sscc, &p, &e),
				 0);
		assert_int_equal(run_sync(f, NULL), 1);
		reason = emu_slurp(f->s.errf);
		assert_non_null(strstr(reason, "document 2, packing "
				       "(aggregation)"));
		assert_non_null(strstr(reason, "blocked: it waits for "
				       "document 1"));
		assert_non_null(strstr(reason, "1 document waits behind it"));
		assert_int_equal(emu_ndocs(&emu), 1);
		/* a supervisor sends the box again (the cause fixed): both
		 * go, the box first */
		assert_int_equal(st_outbox_retry(f->st, &f->admin, 1, &e), 0);
		assert_int_equal(run_sync(f, NULL), 0);
		assert_int_equal(outbox_n(f, "confirmed"), 2);
		assert_int_equal(emu_ndocs(&emu), 3);
	}
}

/* Whether some line of text starts with prefix and holds piece. */
static bool
line_with(const char *text, const char *prefix, const char *piece)
{
	const char *l = text;

	while (*l) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char line[2048];

		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		if (strncmp(line, prefix, strlen(prefix)) == 0 &&
		    strstr(line, piece) != NULL)
			return true;
		l += n + (nl != NULL);
	}
	return false;
}

/* Under systemd (stderr is the journal stream), each stderr line carries
 * its priority, so `journalctl -p err` shows what needs a person: a
 * rejection <3>, an ignored token cache <4>, progress <6>. Elsewhere no
 * prefix, unless --log-prefix asks for it. */
static void
test_journal_priorities(void **state)
{
	static const char *const forced[] = { "--log-prefix",
		"--max-seconds", "20", NULL };
	struct fixture *f = *state;
	const char *log;
	char a[32], token[256];

	closed_box(f, 2, a, NULL);
	assert_int_equal(run_sync(f, NULL), 0);
	log = emu_slurp(f->s.errf);
	assert_non_null(strstr(log, "sending"));
	assert_null(strchr(log, '<'));

	snprintf(token, sizeof(token), "%s/token", f->s.dir);
	assert_int_equal(chmod(token, 0644), 0);
	assert_true(emu_ok(&emu, "{\"cmd\":\"reject_next\",\"errors\":"
			   "[\"4: unit 0104600439931256 is not yours\"]}"));
	closed_box(f, 2, a, NULL);
	f->journal = true;
	assert_int_equal(run_sync(f, NULL), 1);
	log = emu_slurp(f->s.errf);
	assert_true(line_with(log, "<3>", "is not yours"));
	assert_true(line_with(log, "<3>", "rejected by the state system"));
	assert_true(line_with(log, "<4>", "token cache"));
	assert_true(line_with(log, "<6>", "sending"));
	assert_false(line_with(log, "<3>", "sending"));
	assert_false(line_with(log, "<6>", "rejected"));
	/* every line starts with a priority */
	assert_false(line_with(log, "2", ""));
	assert_false(line_with(log, "sklad", ""));

	f->journal = false;
	assert_int_equal(run_sync(f, forced), 1);
	assert_true(line_with(emu_slurp(f->s.errf), "<3>", "rejected"));
}

/* The run lock is shared by the nightly service (its own user, umask
 * 077) and the operators' consoles (group of the database): it takes the
 * database's read and write bits, not the umask's. */
static void
test_lock_mode_follows_db(void **state)
{
	struct fixture *f = *state;
	char lock[256];
	struct stat sb;
	struct err e;
	mode_t old;
	int fd;

	assert_int_equal(chmod(f->s.db, 0660), 0);
	old = umask(077);
	fd = sy_batch_lock(f->s.db, &e);
	umask(old);
	assert_true(fd >= 0);
	snprintf(lock, sizeof(lock), "%s.sync.lock", f->s.db);
	assert_int_equal(stat(lock, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0660);
	sy_batch_unlock(fd);
}

static void
test_reauth_401(void **state)
{
	struct fixture *f = *state;
	char a[32];

	closed_box(f, 1, a, NULL);
	assert_int_equal(run_sync(f, NULL), 0);
	assert_int_equal(emu_count(&emu, "/auth/simpleSignIn"), 1);
	/* the cached token is refused (401, XML): sign in again, once */
	assert_true(emu_ok(&emu, "{\"cmd\":\"expire_tokens\"}"));
	closed_box(f, 1, a, NULL);
	assert_int_equal(run_sync(f, NULL), 0);
	assert_int_equal(emu_count(&emu, "/auth/simpleSignIn"), 2);
	assert_int_equal(outbox_n(f, "confirmed"), 2);
	assert_int_equal(emu_ndocs(&emu), 2);
}

static void
test_429_retry_after(void **state)
{
	struct fixture *f = *state;
	long long t0;
	char a[32];

	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"status\","
			   "\"status\":429,\"headers\":{\"Retry-After\":\"1\"}"
			   ",\"body\":\"{}\"}"));
	closed_box(f, 1, a, NULL);
	t0 = emu_now_ms();
	assert_int_equal(run_sync(f, NULL), 0);
	assert_true(emu_now_ms() - t0 >= 1000);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 2);
	assert_int_equal(emu_ndocs(&emu), 1);
	assert_int_equal(outbox_n(f, "confirmed"), 1);
}

static void
test_5xx_backoff(void **state)
{
	struct fixture *f = *state;
	char a[32];

	/* a 500 on create: the document may have been recorded, so the
	 * server is asked, and only when it is certainly not there (after
	 * settle_ms) is it sent again; 503 on the status: back off */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"status\","
			   "\"status\":500,\"body\":\"oops\"}"));
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/info\","
			   "\"kind\":\"status\",\"status\":503,"
			   "\"body\":\"busy\"}"));
	closed_box(f, 1, a, NULL);
	assert_int_equal(run_sync(f, NULL), 0);
	assert_true(emu_count(&emu, "/doc/list") >= 1);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 2);
	assert_int_equal(emu_ndocs(&emu), 1);
	assert_int_equal(outbox_n(f, "confirmed"), 1);
	assert_int_equal(sql_int(f, "SELECT attempts FROM outbox"), 2);
}

static void
test_dropped_after_recording(void **state)
{
	struct fixture *f = *state;
	char a[32];

	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":"
			   "\"drop_after\"}"));
	closed_box(f, 2, a, NULL);
	assert_int_equal(run_sync(f, NULL), 0);
	/* found on the server, adopted, never posted again */
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 1);
	assert_int_equal(emu_ndocs(&emu), 1);
	assert_int_equal(outbox_n(f, "confirmed"), 1);
	assert_int_equal(sql_int(f, "SELECT attempts FROM outbox"), 1);

	/* dropped before the server processed it: not listed, so after
	 * settle_ms it is sent again, once */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"drop\"}"));
	closed_box(f, 1, a, NULL);
	assert_int_equal(run_sync(f, NULL), 0);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 3);
	assert_int_equal(emu_ndocs(&emu), 2);
	assert_int_equal(outbox_n(f, "confirmed"), 2);
	assert_int_equal(sql_int(f, "SELECT max(attempts) FROM outbox"), 2);
}

static void
test_sigkill_then_rerun(void **state)
{
	static const char *const args[] = { "--max-seconds", "20", NULL };
	struct fixture *f = *state;
	char a[32];
	pid_t pid;
	int i;

	for (i = 0; i < 5; i++)
		closed_box(f, 1, a, NULL);
	/* the server takes 1 s over the first document it is sent */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"slow\","
			   "\"delay\":1}"));
	pid = start_sync(f, args);
	wait_sql(f, "SELECT count(*) FROM outbox WHERE fate_unknown = 1");
	usleep(100000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_true(outbox_n(f, "confirmed") < 5);
	assert_true(sql_int(f, "SELECT count(*) FROM outbox WHERE"
			    " fate_unknown = 1") >= 1);
	usleep(1200000);	/* the slow one is recorded meanwhile */
	assert_int_equal(run_sync(f, NULL), 0);
	assert_int_equal(outbox_n(f, "confirmed"), 5);
	assert_int_equal(emu_ndocs(&emu), 5);
	assert_true(emu_count(&emu, "/doc/list") >= 1);
}

static void
test_two_runs_at_once(void **state)
{
	static const char *const args[] = { "--max-seconds", "20", NULL };
	struct fixture *f = *state;
	char out1[192], a[32];
	pid_t first;

	closed_box(f, 1, a, NULL);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"slow\","
			   "\"delay\":1}"));
	first = start_sync(f, args);
	wait_sql(f, "SELECT count(*) FROM outbox WHERE fate_unknown = 1");
	/* the second one writes its own output files */
	snprintf(out1, sizeof(out1), "%s", f->s.out);
	snprintf(f->s.out, sizeof(f->s.out), "%s/out2.txt", f->s.dir);
	snprintf(f->s.errf, sizeof(f->s.errf), "%s/err2.txt", f->s.dir);
	assert_int_equal(run_sync(f, NULL), 3);
	assert_non_null(strstr(emu_slurp(f->s.errf), "another sklad sync is "
				"running"));
	assert_int_equal(wait_exit(first), 0);
	assert_non_null(strstr(emu_slurp(out1), "confirmed 1"));
	assert_int_equal(emu_ndocs(&emu), 1);
}

/* Make every open document due now (not after its back-off). */
static void
due_now(struct fixture *f)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(f->s.db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	assert_int_equal(sqlite3_exec(h, "UPDATE outbox SET next_at_ms = 0",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void
test_exit_codes(void **state)
{
	static const char *const once[] = { "--max-seconds", "3", NULL };
	static const char *const dry[] = { "--dry-run", NULL };
	static const char *const json[] = { "--json", "--once", NULL };
	struct fixture *f = *state;
	char a[32], url3[128], url4[128];
	int port;

	closed_box(f, 1, a, NULL);
	assert_int_equal(run_sync(f, dry), 0);
	assert_non_null(strstr(emu_slurp(f->s.out), "1 documents open"));
	assert_int_equal(emu_ndocs(&emu), 0);
	/* a pending document the state system would refuse (as an older
	 * sklad wrote them: a file's name for a number, a date with 'Z'):
	 * the dry run names it and its field, and exits 1 */
	{
		sqlite3 *h;

		assert_int_equal(sqlite3_open(f->s.db, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "INSERT INTO outbox(type,"
			" product_group, body, codes, state, created_at,"
			" updated_at) VALUES ('LP_SHIP_GOODS', 'furs',"
			" '{\"document_num\":\"/srv/in/ship.csv\","
			"\"document_date\":\"2026-11-25T00:00:00.000Z\","
			"\"transfer_date\":\"2026-11-25\","
			"\"receiver_inn\":\"7711111111\","
			"\"turnover_type\":\"SELLING\",\"products\":"
			"[{\"uit_code\":\"x\"}]}', 1, 'pending', '', '')",
			NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(h);
		assert_int_equal(run_sync(f, dry), 1);
		assert_non_null(strstr(emu_slurp(f->s.out), "1 the state "
				       "system would refuse"));
		assert_non_null(strstr(emu_slurp(f->s.errf), "document 2, "
				       "shipment: the state system would "
				       "refuse it: LP_SHIP_GOODS: field "
				       "document_num"));
		assert_int_equal(emu_ndocs(&emu), 0);
		assert_int_equal(sqlite3_open(f->s.db, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "DELETE FROM outbox WHERE"
					      " id = 2", NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(h);
	}
	/* nobody listens there: unavailable, the next run goes on */
	{
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sa);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)),
				 0);
		assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl),
				 0);
		port = ntohs(sa.sin_port);
		close(s);	/* bound, then closed: refuses connections */
	}
	snprintf(url3, sizeof(url3), "https://127.0.0.1:%d/api/v3/true-api",
		 port);
	snprintf(url4, sizeof(url4), "https://127.0.0.1:%d/api/v4/true-api",
		 port);
	write_conf(f, url3, url4);
	assert_int_equal(run_sync(f, once), 75);
	assert_non_null(strstr(emu_slurp(f->s.out), "still waiting 1"));
	assert_int_equal(outbox_n(f, "pending"), 1);
	assert_int_equal(sql_int(f, "SELECT fate_unknown FROM outbox"), 0);
	/* back to the server, which refuses to sign us in: a person */
	write_conf(f, emu.v3, emu.v4);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox"), 1);
	due_now(f);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/auth/simpleSignIn\",\"kind\":\"status\","
			   "\"status\":403,\"body\":\"{\\\"error_message\\\":"
			   "\\\"user not found\\\"}\"}"));
	assert_int_equal(run_sync(f, NULL), 1);
	assert_non_null(strstr(emu_slurp(f->s.errf), "user not found"));
	assert_int_equal(outbox_n(f, "pending"), 1);
	assert_int_equal(sql_int(f, "SELECT fate_unknown FROM outbox"), 0);
	assert_int_equal(emu_ndocs(&emu), 0);
	/* and then it lets us in: done */
	due_now(f);
	assert_int_equal(run_sync(f, NULL), 0);
	assert_int_equal(outbox_n(f, "confirmed"), 1);
	closed_box(f, 1, a, NULL);
	/* --once: sent, its status not due yet: still waiting */
	assert_int_equal(run_sync(f, json), 75);
	assert_non_null(strstr(emu_slurp(f->s.out), "\"sent\":1"));
	assert_non_null(strstr(emu_slurp(f->s.out), "\"still_waiting\":1"));
	assert_non_null(strstr(emu_slurp(f->s.out), "\"exit\":75"));
	/* usage and configuration */
	{
		static const char *const bad[] = { "--bogus", NULL };

		assert_int_equal(run_sync(f, bad), 2);
	}
	unlink(f->s.conf);
	assert_int_equal(run_sync(f, NULL), 78);
	assert_non_null(strstr(emu_slurp(f->s.errf), "cannot open the "
				"configuration"));
}

/*
 * A milk site (true-api.md §5.6-5.7: goods pass with a УПД): its
 * shipment and acceptance are never sent, wait 'to export' without
 * anybody's attention, and `sklad sync` exits 0 with the aggregation
 * sent and confirmed; after `sklad export shipment` the shipment's
 * document is 'exported' with its time and file.
 */
static void
test_milk_site(void **state)
{
	struct fixture *f = *state;
	struct st_shipment s;
	struct st_pack p;
	struct mark last;
	char a[32], out[256], cmd[1024];
	struct err e;
	sqlite3 *h;

	assert_int_equal(sqlite3_open(f->s.db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "UPDATE site SET value = 'milk'"
				      " WHERE key = 'product_group'", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	closed_box(f, 2, a, &last);
	assert_int_equal(st_pack_take(f->st, &f->admin, a, &last, &p, &e), 0);
	assert_int_equal(st_ship_open(f->st, &f->op, "7711111111", "S-1", &s,
				      &e), 0);
	assert_int_equal(st_ship_scan(f->st, &f->op, s.id, &last, &s, &e), 0);
	assert_int_equal(st_ship_finish(f->st, &f->op, s.id, &s, &e), 0);
	accepted_delivery(f);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " NOT sendable AND state = 'pending'"), 2);
	if (run_sync(f, NULL) != 0)
		fail_msg("sync on a milk site: %s", emu_slurp(f->s.errf));
	assert_non_null(strstr(emu_slurp(f->s.out), "found 2, sent 2, "
			       "confirmed 2, rejected 0, failed 0, still "
			       "waiting 0"));
	assert_null(strstr(emu_slurp(f->s.errf), "needs a person"));
	assert_int_equal(emu_ndocs(&emu), 2 + 1);	/* and the supplier's */
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " NOT sendable AND state = 'pending'"
				 " AND attempts = 0"), 2);
	/* exported: the state says so, with the time and the file */
	snprintf(out, sizeof(out), "%s/s1.xml", f->s.dir);
	snprintf(cmd, sizeof(cmd), "%s export shipment %lld --db %s --out %s"
		 " --format xml", getenv("SKLAD_BIN"), (long long)s.id, f->s.db,
		 out);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM outbox WHERE"
				 " type = 'LP_SHIP_GOODS' AND state ="
				 " 'exported' AND exported_at IS NOT NULL AND"
				 " export_file LIKE '%s1.xml'"), 1);
	assert_int_equal(run_sync(f, NULL), 0);
	assert_non_null(strstr(emu_slurp(f->s.out), "found 0, sent 0"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_type, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rejected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal_priorities, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_mode_follows_db,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_401, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_429_retry_after, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_5xx_backoff, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dropped_after_recording,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_then_rerun, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_runs_at_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exit_codes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_milk_site, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
