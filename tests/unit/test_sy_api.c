/*
 * test_sy_api: the True API client (sync/api.c) against the HTTPS
 * emulator, with real TLS, real GOST signatures and every fault: each
 * document type round trip, id shapes, rejections with their reasons,
 * local refusals, 401 (XML) and expired tokens, 429 with Retry-After,
 * 5xx, connections dropped before and after the document was recorded,
 * slow answers, an unreachable server, code lookups in chunks of 1000,
 * the request-rate limit, document limits, incoming documents. After
 * every fault the emulator must hold each document exactly once.
 */
#include "tests/api/emu.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "store/doc.h"
#include "sync/api.h"
#include "sync/http.h"

static struct emu emu;
static char logbuf[1 << 16];
static int attempts = 3;	/* max_attempts of the next client */

static void
collect_log(void *ctx, const char *line)
{
	size_t n = strlen(logbuf);

	(void)ctx;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", line);
}

static int
setup(void **state)
{
	static const char *const args[] = { "--process-delay", "0.2", NULL };

	(void)state;
	return emu_start(&emu, args);
}

static int
teardown(void **state)
{
	(void)state;
	emu_stop(&emu);
	return 0;
}

static int
reset(void **state)
{
	char tok[700];

	(void)state;
	logbuf[0] = '\0';
	snprintf(tok, sizeof(tok), "%s/token", emu.dir);
	unlink(tok);
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

struct client {
	struct sy_sign *sign;
	struct sy_api *api;
	char token_file[700];
};

static void
client_open(struct client *c, const char *pg, int bits, int united,
	    long timeout_ms, const char *v3, const char *v4)
{
	struct sy_sign_opts so = { 0 };
	struct sy_api_config ac = { 0 };
	struct err e;

	memset(c, 0, sizeof(*c));
	so.key_file = bits == 512 ? emu.key512 : emu.key256;
	so.cert_file = bits == 512 ? emu.cert512 : emu.cert256;
	if (sy_sign_new(&c->sign, &so, &e) < 0)
		fail_msg("sy_sign_new: %s", e.msg);
	snprintf(c->token_file, sizeof(c->token_file), "%s/token", emu.dir);
	ac.v3_url = v3 ? v3 : emu.v3;
	ac.v4_url = v4 ? v4 : emu.v4;
	ac.pg = pg;
	ac.inn = emu.inn;
	ac.ca_file = emu.ca;
	ac.token_file = c->token_file;
	ac.signer = c->sign;
	ac.united_token = united;
	ac.timeout_ms = timeout_ms;
	ac.max_attempts = attempts;
	ac.max_wait_ms = 5000;
	ac.log = collect_log;
	if (sy_api_new(&c->api, &ac, &e) < 0)
		fail_msg("sy_api_new: %s", e.msg);
}

static void
client_close(struct client *c)
{
	sy_api_free(&c->api);
	sy_sign_free(&c->sign);
}

/* Sign body and submit it; returns the result. */
static struct sy_api_result
submit(struct client *c, const char *type, const char *body)
{
	struct sy_api_doc d = { 0 };
	struct sy_api_result r;
	char *sig = NULL;
	struct err e;

	if (sy_api_sign_document(c->api, body, strlen(body), &sig, &e) < 0)
		fail_msg("sign: %s", e.msg);
	d.type = type;
	d.body = body;
	d.body_len = strlen(body);
	d.signature = sig;
	if (sy_api_submit(c->api, &d, &r, &e) < 0)
		fail_msg("submit: %s", e.msg);
	free(sig);
	return r;
}

/* Poll until a final fate (at most 30 s). Right after create the
 * server may not know the id yet (a 404, ref §6.1): that is "not yet",
 * polled on like IN_PROGRESS. */
static struct sy_api_status
wait_final(struct client *c, const char *id)
{
	struct sy_api_status st;
	long long t0 = emu_now_ms();
	struct err e;

	for (;;) {
		if (sy_api_status(c->api, id, &st, &e) < 0)
			fail_msg("status: %s", e.msg);
		if (st.found && sy_policy_fate_final(st.fate))
			return st;
		assert_true(emu_now_ms() - t0 < 30000);	/* a loaded CI */
		usleep(100000);
	}
}

/* The emulator's only document id (asserts there is exactly one). */
static void
only_doc(char *id, size_t n)
{
	json_t *r = emu_cmd(&emu, "{\"cmd\":\"state\"}");
	json_t *docs = json_object_get(r, "docs");

	assert_int_equal(json_array_size(docs), 1);
	snprintf(id, n, "%s", json_string_value(json_object_get(
		json_array_get(docs, 0), "id")));
	json_decref(r);
}

static int
find(struct client *c, const char *type, const char *body, char *id,
     size_t idsz)
{
	struct sy_api_find_query q = { 0 };
	struct err e;
	enum sy_find_result found = SY_FIND_ABSENT;

	q.type = type;
	q.body = body;
	q.body_len = strlen(body);
	q.from_ms = sy_api_wall_ms() - 5000;
	q.to_ms = sy_api_wall_ms();
	if (sy_api_find(c->api, &q, &found, id, idsz, &e) < 0)
		fail_msg("find: %s", e.msg);
	return (int)found;
}

/* find, asked again (at most 20 times, 200 ms apart) while the server
 * does not show the document yet: a fresh one may be missing from
 * /doc/list or answer 404 for a while (ref §6.1), as the runner's
 * bounded waiting does. */
static int
find_settled(struct client *c, const char *type, const char *body, char *id,
	     size_t idsz)
{
	int i, found = 0;

	for (i = 0; i < 20 && found != 1; i++) {
		if (i > 0)
			usleep(200000);
		found = find(c, type, body, id, idsz);
	}
	return found;
}

#define INN "7700000001"
#define AGG "{\"participantId\":\"" INN "\",\"aggregationUnits\":[{" \
	"\"unitSerialNumber\":\"046070000000000019\"," \
	"\"aggregationType\":\"AGGREGATION\",\"sntins\":[" \
	"\"0104607000000001215abcdefghijk\",\"0104607000000001215bcdefghijkl\"" \
	"]}]}"
#define DISAGG "{\"participant_inn\":\"" INN "\",\"products_list\":[" \
	"{\"uitu\":\"046070000000000019\"}]}"
#define REAGG "{\"participant_inn\":\"" INN "\",\"reaggregation_type\":" \
	"\"REMOVING\",\"uitu\":\"046070000000000019\",\"uit_uitu_list\":[" \
	"{\"uit_uitu\":\"0104607000000001215abcdefghijk\"}]}"
#define SHIP "{\"receiver_inn\":\"7700000002\",\"sender_inn\":\"" INN "\"," \
	"\"transfer_date\":\"2026-11-25\",\"document_num\":\"42\"," \
	"\"document_date\":\"2026-11-25\",\"turnover_type\":\"SELLING\"," \
	"\"products\":[{\"uit_code\":\"0104607000000001215abcdefghijk\"," \
	"\"product_cost\":10000,\"product_tax\":1667}]}"
#define ACCEPT "{\"release_order_number\":\"a-1\",\"document_number\":\"7\"," \
	"\"document_date\":\"2026-11-25T00:00:00.000Z\",\"transfer_date\":" \
	"\"2026-11-25T00:00:00.000Z\",\"acceptance_date\":" \
	"\"2026-11-25T00:00:00.000Z\",\"trade_sender_inn\":\"7700000002\"," \
	"\"trade_recipient_inn\":\"" INN "\",\"turnover_type\":\"SELLING\"," \
	"\"products\":[{\"uitu_code\":\"046070000000000019\",\"accepted\":" \
	"true},{\"uit_code\":\"0104607000000001215zzz\",\"accepted\":false}]}"

static void
test_every_type_round_trip(void **state)
{
	static const struct {
		const char *type, *pg, *body;
		int bits;
	} docs[] = {
		{ "AGGREGATION_DOCUMENT", "milk", AGG, 256 },
		{ "DISAGGREGATION_DOCUMENT", "milk", DISAGG, 512 },
		{ "REAGGREGATION_DOCUMENT", "water", REAGG, 256 },
		{ "LP_SHIP_GOODS", "furs", SHIP, 512 },
		{ "LP_ACCEPT_GOODS", "furs", ACCEPT, 256 },
	};
	size_t i;

	(void)state;
	/* each type on its own, not one story: the server's checks of what
	 * came before (a registered box, a known shipment) are test_sy_sync's */
	assert_true(emu_ok(&emu, "{\"cmd\":\"set\",\"key\":"
			   "\"check_dependencies\",\"value\":false}"));
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct client c;
		struct sy_api_result r;
		struct sy_api_status st;

		client_open(&c, docs[i].pg, docs[i].bits, 0, 0, NULL, NULL);
		r = submit(&c, docs[i].type, docs[i].body);
		assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
		assert_int_equal(strlen(r.id), 36);
		st = wait_final(&c, r.id);
		if (strcmp(docs[i].type, "LP_SHIP_GOODS") == 0) {
			/* registered, waiting for the buyer (ref §5.6) */
			assert_int_equal(st.fate, SY_FATE_WAITING);
			assert_string_equal(st.doc.status, "WAIT_ACCEPTANCE");
		} else {
			assert_int_equal(st.fate, SY_FATE_OK);
			assert_string_equal(st.doc.status, "CHECKED_OK");
		}
		assert_string_equal(st.doc.type, docs[i].type);
		assert_string_equal(st.doc.id, r.id);
		client_close(&c);
	}
	assert_int_equal(emu_ndocs(&emu), 5);
}

/* The bodies the store's builders put in the outbox (store/doc.h) pass
 * the emulator's field checks. */
static void
test_built_documents_accepted(void **state)
{
	char kids[2][48] = { "0104607000000001215abcdefghijk",
			     "0104607000000001215bcdefghijkl" };
	const char *pack = "046070000000000019";
	struct doc_unit u = { pack, kids, 2 };
	struct doc_line ship[] = { { kids[0], false, false, -1 } };
	struct doc_line acc[] = { { pack, true, true, -1 },
				  { kids[1], false, false, 0 } };
	struct doc_shipment sh = { 0 };
	struct doc_acceptance a = { 0 };
	struct {
		const char *type, *pg;
		char *body;
	} d[5];
	size_t len, i;

	(void)state;
	assert_non_null(d[0].body = doc_aggregation(INN, &u, 1, &len));
	assert_non_null(d[1].body = doc_disaggregation(INN, pack, &len));
	assert_non_null(d[2].body = doc_reaggregation(INN, false, pack,
						      kids[0], false, &len));
	sh.number = "42";
	sh.date = "2026-11-25";
	sh.transfer_date = "2026-11-25";
	sh.receiver_inn = "7700000002";
	sh.sender_inn = INN;
	sh.lines = ship;
	sh.n = 1;
	assert_non_null(d[3].body = doc_shipment(&sh, &len));
	a.release_order = "9abd3d41-76bc-4542-a88e-b1f7be8130b5";
	a.number = "42";
	a.date = a.transfer_date = a.acceptance_date =
		"2026-11-25T00:00:00.000Z";
	a.sender_inn = "7700000002";
	a.recipient_inn = INN;
	a.turnover_type = "SELLING";
	a.lines = acc;
	a.n = 2;
	assert_non_null(d[4].body = doc_acceptance(&a, &len));
	d[0].type = "AGGREGATION_DOCUMENT";
	d[1].type = "DISAGGREGATION_DOCUMENT";
	d[2].type = "REAGGREGATION_DOCUMENT";
	d[3].type = "LP_SHIP_GOODS";
	d[4].type = "LP_ACCEPT_GOODS";
	assert_true(emu_ok(&emu, "{\"cmd\":\"set\",\"key\":"
			   "\"check_dependencies\",\"value\":false}"));
	for (i = 0; i < 5; i++) {
		struct client c;
		struct sy_api_result r;
		struct sy_api_status st;

		d[i].pg = i < 3 ? "shoes" : "furs";
		client_open(&c, d[i].pg, 256, 0, 0, NULL, NULL);
		r = submit(&c, d[i].type, d[i].body);
		assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
		st = wait_final(&c, r.id);
		if (st.fate != (i == 3 ? SY_FATE_WAITING : SY_FATE_OK))
			fail_msg("%s: %s", d[i].type, st.doc.errors);
		client_close(&c);
		free(d[i].body);
	}
	assert_int_equal(emu_ndocs(&emu), 5);
}

/* The console's way: several jobs at once in one poll loop, one shared
 * sign-in, back-off inside the loop, nothing blocking. */
static void
test_jobs_in_poll_loop(void **state)
{
	const char *bodies[3] = { AGG, DISAGG, REAGG };
	const char *types[3] = { "AGGREGATION_DOCUMENT",
				 "DISAGGREGATION_DOCUMENT",
				 "REAGGREGATION_DOCUMENT" };
	struct sy_api_job *jobs[3], *orphan = NULL;
	char *sigs[3];
	struct client c;
	long long t0, longest = 0;
	struct err e;
	int i, left = 3;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"status\":429,"
			   "\"headers\":{\"Retry-After\":\"1\"}}"));
	for (i = 0; i < 3; i++) {
		struct sy_api_doc d = { 0 };

		assert_int_equal(sy_api_sign_document(c.api, bodies[i],
						      strlen(bodies[i]),
						      &sigs[i], &e), 0);
		d.type = types[i];
		d.body = bodies[i];
		d.body_len = strlen(bodies[i]);
		d.signature = sigs[i];
		assert_int_equal(sy_api_submit_start(c.api, &d, &jobs[i], &e),
				 0);
		assert_false(sy_api_job_done(jobs[i]));
	}
	/* a job dropped before its answer is cleaned up quietly */
	assert_int_equal(sy_api_status_start(c.api, "whatever", &orphan, &e),
			 0);
	sy_api_job_free(&orphan);
	assert_null(orphan);
	t0 = emu_now_ms();
	while (left > 0 && emu_now_ms() - t0 < 15000) {
		struct pollfd pfds[32];
		int n = sy_api_pollfds(c.api, pfds, 32);
		int t = sy_api_timeout(c.api, sy_http_now_ms());
		long long d;

		poll(pfds, (nfds_t)n, t < 0 || t > 200 ? 200 : t);
		d = emu_now_ms();
		sy_api_dispatch(c.api, pfds, n, sy_http_now_ms());
		d = emu_now_ms() - d;
		if (d > longest)
			longest = d;
		for (i = 0; i < 3; i++) {
			struct sy_api_result r;

			if (jobs[i] == NULL || !sy_api_job_done(jobs[i]))
				continue;
			assert_int_equal(sy_api_job_submit_result(jobs[i], &r,
								  &e), 0);
			assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
			sy_api_job_free(&jobs[i]);
			left--;
		}
	}
	assert_int_equal(left, 0);
	/* the 429 was waited out inside the loop, not in a call */
	assert_true(emu_now_ms() - t0 >= 1000);
	assert_true(longest < 500);
	assert_int_equal(emu_count(&emu, "/auth/key"), 1);
	assert_int_equal(emu_ndocs(&emu), 3);
	for (i = 0; i < 3; i++)
		free(sigs[i]);
	client_close(&c);
}

static void
test_login_token_cache(void **state)
{
	struct client c, c2;
	struct sy_api_status st;
	struct stat sb;
	char tok[4096] = "", *line;
	struct err e;
	FILE *f;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_int_equal(sy_api_login(c.api, &e), 0);
	assert_int_equal(stat(c.token_file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	f = fopen(c.token_file, "r");
	assert_non_null(f);
	assert_int_equal(fread(tok, 1, sizeof(tok) - 1, f) > 0, 1);
	fclose(f);
	line = strrchr(tok, '\n');
	*line = '\0';
	line = strrchr(tok, '\n') + 1;	/* the token itself */
	assert_true(strlen(line) > 20);
	/* a second client (the next cron run) reuses the cached token */
	client_open(&c2, "milk", 256, 0, 0, NULL, NULL);
	assert_int_equal(sy_api_status(c2.api, "no-such-doc", &st, &e), 0);
	assert_int_equal(st.found, 0);
	assert_int_equal(emu_count(&emu, "/auth/key"), 1);
	client_close(&c2);
	/* a cache others can read is not trusted */
	assert_int_equal(chmod(c.token_file, 0644), 0);
	client_open(&c2, "milk", 256, 0, 0, NULL, NULL);
	assert_int_equal(sy_api_status(c2.api, "no-such-doc", &st, &e), 0);
	assert_int_equal(emu_count(&emu, "/auth/key"), 2);
	assert_non_null(strstr(logbuf, "ignored"));
	assert_int_equal(stat(c.token_file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	client_close(&c2);
	/* no token, ever, in the log */
	assert_null(strstr(logbuf, line));
	assert_null(strstr(logbuf, "Bearer"));
	client_close(&c);
}

static void
test_united_token(void **state)
{
	struct client c;
	struct sy_api_result r;

	(void)state;
	client_open(&c, "milk", 512, 1, 0, NULL, NULL);
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_int_equal(wait_final(&c, r.id).fate, SY_FATE_OK);
	client_close(&c);
}

static void
test_id_shapes(void **state)
{
	static const char *const shapes[] = { "bare", "string", "id",
		"value" };
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct client c;
		struct sy_api_result r;
		char cmd[128], id[128];

		assert_true(emu_ok(&emu, "{\"cmd\":\"reset\"}"));
		snprintf(cmd, sizeof(cmd), "{\"cmd\":\"set\",\"key\":"
			 "\"id_shape\",\"value\":\"%s\"}", shapes[i]);
		assert_true(emu_ok(&emu, cmd));
		client_open(&c, "milk", 256, 0, 0, NULL, NULL);
		r = submit(&c, "DISAGGREGATION_DOCUMENT", DISAGG);
		assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
		only_doc(id, sizeof(id));
		assert_string_equal(r.id, id);
		client_close(&c);
	}
}

static void
test_rejections_in_plain_words(void **state)
{
	struct client c;
	struct sy_api_result r;
	struct sy_api_status st;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_true(emu_ok(&emu, "{\"cmd\":\"reject_next\",\"errors\":["
			   "\"ERROR_7: Код 010460 не найден\"]}"));
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	st = wait_final(&c, r.id);
	assert_int_equal(st.fate, SY_FATE_REJECTED);
	assert_string_equal(st.doc.status, "CHECKED_NOT_OK");
	assert_non_null(strstr(st.doc.errors, "Код 010460 не найден"));
	/* an empty-string optional makes the document fail (ref §4.3) */
	r = submit(&c, "DISAGGREGATION_DOCUMENT", "{\"participant_inn\":\""
		   INN "\",\"products_list\":[{\"uitu\":\"0460\","
		   "\"note\":\"\"}]}");
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	st = wait_final(&c, r.id);
	assert_int_equal(st.fate, SY_FATE_REJECTED);
	assert_non_null(strstr(st.doc.errors, "note"));
	/* not JSON at all */
	r = submit(&c, "DISAGGREGATION_DOCUMENT", "{oops");
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	st = wait_final(&c, r.id);
	assert_string_equal(st.doc.status, "PARSE_ERROR");
	assert_int_equal(st.fate, SY_FATE_REJECTED);
	/* cancelled, in both spellings the server uses (ref §6.2) */
	{
		char cmd[256];
		int k;

		for (k = 0; k < 2; k++) {
			snprintf(cmd, sizeof(cmd), "{\"cmd\":\"cancel\","
				 "\"id\":\"%s\",\"status\":\"%s\"}", r.id,
				 k ? "CANCELED" : "CANCELLED");
			assert_true(emu_ok(&emu, cmd));
			st = wait_final(&c, r.id);
			assert_int_equal(st.fate, SY_FATE_CANCELLED);
		}
	}
	client_close(&c);
}

static void
test_refused_locally(void **state)
{
	struct client c;
	struct sy_api_result r;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	r = submit(&c, "LP_SHIP_GOODS", SHIP);
	assert_int_equal(r.outcome, SY_SUBMIT_REFUSED_LOCALLY);
	assert_non_null(strstr(r.message, "furs"));
	/* nothing went to the server, not even a sign-in */
	assert_int_equal(emu_count(&emu, "/auth/key"), 0);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 0);
	client_close(&c);
}

static void
test_bad_signature_rejected(void **state)
{
	struct client c;
	struct sy_api_doc d = { 0 };
	struct sy_api_result r;
	char *sig = NULL;
	struct err e;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_int_equal(sy_api_sign_document(c.api, "other", 5, &sig, &e), 0);
	d.type = "AGGREGATION_DOCUMENT";
	d.body = AGG;
	d.body_len = strlen(AGG);
	d.signature = sig;
	assert_int_equal(sy_api_submit(c.api, &d, &r, &e), 0);
	assert_int_equal(r.outcome, SY_SUBMIT_REJECTED);
	assert_int_equal(r.http_status, 422);
	assert_non_null(strstr(r.message, "подписи"));
	assert_int_equal(emu_ndocs(&emu), 0);
	free(sig);
	client_close(&c);
}

static void
test_401_xml_reauth_once(void **state)
{
	struct client c;
	struct sy_api_result r;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"xml401\"}"));
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_int_equal(emu_count(&emu, "/auth/key"), 2);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 2);
	assert_int_equal(emu_ndocs(&emu), 1);
	/* twice in a row: re-authenticate once, then give up */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"xml401\","
			   "\"count\":3}"));
	r = submit(&c, "DISAGGREGATION_DOCUMENT", DISAGG);
	assert_int_equal(r.outcome, SY_SUBMIT_REJECTED);
	assert_int_equal(r.http_status, 401);
	assert_non_null(strstr(r.message, "Full authentication"));
	assert_int_equal(emu_count(&emu, "/auth/key"), 3);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 4);
	assert_int_equal(emu_ndocs(&emu), 1);
	client_close(&c);
}

static void
test_expired_token(void **state)
{
	struct client c;
	struct sy_api_result r;
	struct err e;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_int_equal(sy_api_login(c.api, &e), 0);
	assert_true(emu_ok(&emu, "{\"cmd\":\"expire_tokens\"}"));
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_int_equal(emu_count(&emu, "/auth/key"), 2);
	assert_int_equal(emu_ndocs(&emu), 1);
	/* also a JSON 401 on a read */
	assert_true(emu_ok(&emu, "{\"cmd\":\"set\",\"key\":\"auth401\","
			   "\"value\":\"json\"}"));
	assert_true(emu_ok(&emu, "{\"cmd\":\"expire_tokens\"}"));
	assert_int_equal(wait_final(&c, r.id).fate, SY_FATE_OK);
	assert_int_equal(emu_count(&emu, "/auth/key"), 3);
	client_close(&c);
}

static void
test_429_retry_after(void **state)
{
	struct client c;
	struct sy_api_result r;
	long long t0;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"status\":429,"
			   "\"headers\":{\"Retry-After\":\"1\"},\"body\":"
			   "\"{\\\"error_message\\\":\\\"Превышено\\\"}\"}"));
	t0 = emu_now_ms();
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_true(emu_now_ms() - t0 >= 1000);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 2);
	assert_int_equal(emu_ndocs(&emu), 1);
	/* longer than this run waits: unavailable, with the wait */
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"status\":429,"
			   "\"headers\":{\"Retry-After\":\"600\"}}"));
	t0 = emu_now_ms();
	r = submit(&c, "DISAGGREGATION_DOCUMENT", DISAGG);
	assert_true(emu_now_ms() - t0 < 3000);
	assert_int_equal(r.outcome, SY_SUBMIT_UNAVAILABLE);
	assert_int_equal(r.retry_ms, 600000);
	assert_int_equal(emu_ndocs(&emu), 1);
	client_close(&c);
}

static void
test_5xx_create_then_lookup(void **state)
{
	struct client c;
	struct sy_api_result r;
	char id[128];

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"status\":500,\"body\":"
			   "\"{\\\"error_message\\\":\\\"Ошибка\\\"}\"}"));
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_UNKNOWN);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 1);
	/* ask before sending again: it did not arrive */
	assert_int_equal(find(&c, "AGGREGATION_DOCUMENT", AGG, id, sizeof(id)),
			 0);
	assert_int_equal(sy_policy_after_lookup(0, sy_api_wall_ms() - 1000,
						sy_api_wall_ms(), 0, 1),
			 SY_LOOKUP_RESEND);
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_int_equal(emu_ndocs(&emu), 1);
	client_close(&c);
}

static void
test_5xx_read_retried(void **state)
{
	struct client c;
	struct sy_api_result r;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/info\","
			   "\"status\":503,\"headers\":{\"Retry-After\":"
			   "\"1\"}}"));
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/info\","
			   "\"status\":502,\"headers\":{\"Retry-After\":"
			   "\"1\"}}"));
	assert_int_equal(wait_final(&c, r.id).fate, SY_FATE_OK);
	if (emu_count(&emu, "/info") < 3)
		fail_msg("log:\n%s", logbuf);
	client_close(&c);
}

/* The heart of exactly-once: the server recorded the document, the
 * answer was lost. */
static void
test_dropped_after_record_no_duplicate(void **state)
{
	const char *other = "{\"participantId\":\"" INN "\","
		"\"aggregationUnits\":[]}";
	struct client c;
	struct sy_api_result r;
	char id[128], real[128];
	json_t *s;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	/* another document of the same type on the server too */
	r = submit(&c, "AGGREGATION_DOCUMENT", other);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"drop_after\"}"));
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_UNKNOWN);
	assert_string_equal(r.id, "");
	/* it was recorded: the server holds two documents */
	s = emu_cmd(&emu, "{\"cmd\":\"state\"}");
	assert_int_equal(json_array_size(json_object_get(s, "docs")), 2);
	snprintf(real, sizeof(real), "%s", json_string_value(json_object_get(
		json_array_get(json_object_get(s, "docs"), 1), "id")));
	json_decref(s);
	assert_int_equal(find_settled(&c, "AGGREGATION_DOCUMENT", AGG, id,
				      sizeof(id)), 1);
	assert_string_equal(id, real);
	assert_int_equal(wait_final(&c, id).fate, SY_FATE_OK);
	/* a document never sent is not mistaken for one of these */
	assert_int_equal(find(&c, "AGGREGATION_DOCUMENT", DISAGG, id,
			      sizeof(id)), 0);
	assert_int_equal(emu_count(&emu, "/lk/documents/create"), 2);
	assert_int_equal(emu_ndocs(&emu), 2);
	/* a server that does not show content cannot clear a resend:
	 * the answer stays open (unsure), it is never a failure */
	assert_true(emu_ok(&emu, "{\"cmd\":\"set\",\"key\":"
			   "\"omit_content\",\"value\":true}"));
	{
		struct sy_api_find_query q = { 0 };
		struct err e;
		enum sy_find_result f = SY_FIND_FOUND;

		q.type = "AGGREGATION_DOCUMENT";
		q.body = DISAGG;
		q.body_len = strlen(DISAGG);
		q.from_ms = q.to_ms = sy_api_wall_ms();
		assert_int_equal(sy_api_find(c.api, &q, &f, id, sizeof(id),
					     &e), 0);
		assert_int_equal(f, SY_FIND_UNSURE);
		assert_true(id[0] != '\0');
	}
	client_close(&c);
}

static void
test_dropped_before_record(void **state)
{
	struct client c;
	struct sy_api_result r;
	char id[128];

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"drop\"}"));
	r = submit(&c, "REAGGREGATION_DOCUMENT", REAGG);
	assert_int_equal(r.outcome, SY_SUBMIT_UNKNOWN);
	assert_int_equal(emu_ndocs(&emu), 0);
	assert_int_equal(find(&c, "REAGGREGATION_DOCUMENT", REAGG, id,
			      sizeof(id)), 0);
	r = submit(&c, "REAGGREGATION_DOCUMENT", REAGG);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	assert_int_equal(emu_ndocs(&emu), 1);
	client_close(&c);
}

/* The client gives up before a slow server records the document: a
 * lookup right away must not be trusted, a later one finds it. */
static void
test_slow_answer_settles(void **state)
{
	struct client c;
	struct sy_api_result r;
	int64_t sent;
	char id[128];
	int found;

	(void)state;
	client_open(&c, "milk", 256, 0, 700, NULL, NULL);
	assert_int_equal(sy_api_login(c.api, NULL), 0);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":"
			   "\"/lk/documents/create\",\"kind\":\"slow\","
			   "\"delay\":1.5}"));
	sent = sy_api_wall_ms();
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_UNKNOWN);
	found = find(&c, "AGGREGATION_DOCUMENT", AGG, id, sizeof(id));
	assert_int_equal(found, 0);
	assert_int_equal(sy_policy_after_lookup(found, sent, sy_api_wall_ms(),
						30000, 1), SY_LOOKUP_WAIT);
	usleep(1500000);
	found = find_settled(&c, "AGGREGATION_DOCUMENT", AGG, id, sizeof(id));
	assert_int_equal(found, 1);
	assert_int_equal(emu_ndocs(&emu), 1);
	client_close(&c);
}

static void
test_server_unreachable(void **state)
{
	struct client c;
	struct sy_api_result r;
	struct sy_api_status st;
	struct err e;
	long long t0 = emu_now_ms();

	(void)state;
	attempts = 2;
	client_open(&c, "milk", 256, 0, 2000,
		    "https://127.0.0.1:1/api/v3/true-api",
		    "https://127.0.0.1:1/api/v4/true-api");
	attempts = 3;
	r = submit(&c, "AGGREGATION_DOCUMENT", AGG);
	assert_int_equal(r.outcome, SY_SUBMIT_UNAVAILABLE);
	assert_int_equal(sy_api_status(c.api, "x", &st, &e), ERR_NET);
	assert_true(emu_now_ms() - t0 < 15000);
	client_close(&c);
}

static void
test_cises_chunked(void **state)
{
	static char codes[2500][40];
	const char *ptrs[2500];
	struct client c;
	struct sy_wire_cis *out = NULL;
	size_t n = 0, i;
	struct err e;

	(void)state;
	assert_true(emu_ok(&emu, "{\"cmd\":\"add_cises\",\"cises\":["
			   "{\"cis\":\"0104607000000001215c0000\",\"status\":"
			   "\"INTRODUCED\",\"ownerInn\":\"" INN "\","
			   "\"parent\":\"046070000000000019\"},"
			   "{\"cis\":\"0104607000000001215c2499\",\"status\":"
			   "\"APPLIED\",\"ownerInn\":\"" INN "\"}]}"));
	for (i = 0; i < 2500; i++) {
		snprintf(codes[i], sizeof(codes[i]),
			 "0104607000000001215c%04zu", i);
		ptrs[i] = codes[i];
	}
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	if (sy_api_cises(c.api, ptrs, 2500, &out, &n, &e) != 0)
		fail_msg("cises: %s", e.msg);
	assert_int_equal(n, 2500);
	assert_int_equal(emu_count(&emu, "/cises/info"), 3);
	for (i = 0; i < n; i++)
		assert_string_equal(out[i].cis, codes[i]);
	assert_string_equal(out[0].status, "INTRODUCED");
	assert_string_equal(out[0].parent, "046070000000000019");
	assert_string_equal(out[0].error_code, "");
	assert_string_equal(out[2499].status, "APPLIED");
	assert_string_equal(out[1].error_code, "404");
	assert_string_equal(out[1234].error_code, "404");
	free(out);
	client_close(&c);
}

static void
test_rate_limit_held(void **state)
{
	struct client c;
	struct sy_api_status st;
	json_t *s;
	long long t0;
	struct err e;
	int i;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	assert_int_equal(sy_api_login(c.api, &e), 0);
	t0 = emu_now_ms();
	for (i = 0; i < 100; i++)
		assert_int_equal(sy_api_status(c.api, "none", &st, &e), 0);
	/* 100 requests at <= 40/s after a burst of 5 */
	assert_true(emu_now_ms() - t0 >= (100 - 5) * 1000 / 40 - 50);
	s = emu_cmd(&emu, "{\"cmd\":\"state\"}");
	assert_int_equal(json_integer_value(json_object_get(s,
		"rate_violations")), 0);
	json_decref(s);
	client_close(&c);
}

/* Build an aggregation document with n codes in one unit. */
static char *
big_agg(size_t n)
{
	size_t cap = n * 40 + 200, i, o;
	char *b = malloc(cap);

	o = (size_t)snprintf(b, cap, "{\"participantId\":\"" INN "\","
			     "\"aggregationUnits\":[{\"unitSerialNumber\":"
			     "\"046070000000000019\",\"sntins\":[");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(b + o, cap - o, "%s\"0104607000000001215"
				      "x%06zu\"", i ? "," : "", i);
	snprintf(b + o, cap - o, "]}]}");
	return b;
}

static void
test_document_code_limit(void **state)
{
	struct client c;
	struct sy_api_result r;
	char *b;

	(void)state;
	client_open(&c, "milk", 256, 0, 0, NULL, NULL);
	b = big_agg(30000);	/* + the unit itself: 30 001 codes */
	r = submit(&c, "AGGREGATION_DOCUMENT", b);
	assert_int_equal(r.outcome, SY_SUBMIT_REJECTED);
	assert_int_equal(r.http_status, 400);
	assert_non_null(strstr(r.message, "30000"));
	free(b);
	b = big_agg(29999);
	r = submit(&c, "AGGREGATION_DOCUMENT", b);
	assert_int_equal(r.outcome, SY_SUBMIT_ACCEPTED);
	free(b);
	assert_int_equal(emu_ndocs(&emu), 1);
	client_close(&c);
}

static void
test_incoming_documents(void **state)
{
	const char *types[] = { "LP_SHIP_GOODS", NULL };
	struct sy_api_list_query q = { 0 };
	struct sy_wire_doc *docs = NULL;
	struct client c;
	json_t *r;
	char *body = NULL;
	size_t n = 0, len;
	struct err e;

	(void)state;
	r = emu_cmd(&emu, "{\"cmd\":\"add_incoming\",\"count\":1005,"
		    "\"body\":{\"products\":[{\"uit_code\":\"0104607000000001"
		    "215in1\"},{\"uitu_code\":\"046070000000000026\"}]}}");
	assert_non_null(r);
	json_decref(r);
	client_open(&c, "furs", 256, 0, 0, NULL, NULL);
	/* our own outgoing document must not show up as incoming */
	assert_int_equal(submit(&c, "LP_SHIP_GOODS", SHIP).outcome,
			 SY_SUBMIT_ACCEPTED);
	q.incoming = 1;
	q.types = types;
	assert_int_equal(sy_api_list(c.api, &q, &docs, &n, &e), 0);
	assert_int_equal(n, 1005);	/* two pages */
	assert_int_equal(emu_count(&emu, "/doc/list"), 2);
	assert_int_equal(docs[0].input, 1);
	assert_string_equal(docs[1004].status, "WAIT_ACCEPTANCE");
	assert_string_equal(docs[0].sender_inn, "7700000002");
	assert_int_equal(sy_api_doc_body(c.api, docs[3].id, &body, &len, &e),
			 0);
	assert_non_null(strstr(body, "215in1"));
	assert_non_null(strstr(body, "046070000000000026"));
	free(body);
	assert_int_equal(sy_api_doc_body(c.api, "nope", &body, &len, &e),
			 ERR_NOTFOUND);
	q.max = 10;
	free(docs);
	assert_int_equal(sy_api_list(c.api, &q, &docs, &n, &e), 0);
	assert_int_equal(n, 10);
	free(docs);
	client_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_type_round_trip, reset),
		cmocka_unit_test_setup(test_built_documents_accepted, reset),
		cmocka_unit_test_setup(test_jobs_in_poll_loop, reset),
		cmocka_unit_test_setup(test_login_token_cache, reset),
		cmocka_unit_test_setup(test_united_token, reset),
		cmocka_unit_test_setup(test_id_shapes, reset),
		cmocka_unit_test_setup(test_rejections_in_plain_words, reset),
		cmocka_unit_test_setup(test_refused_locally, reset),
		cmocka_unit_test_setup(test_bad_signature_rejected, reset),
		cmocka_unit_test_setup(test_401_xml_reauth_once, reset),
		cmocka_unit_test_setup(test_expired_token, reset),
		cmocka_unit_test_setup(test_429_retry_after, reset),
		cmocka_unit_test_setup(test_5xx_create_then_lookup, reset),
		cmocka_unit_test_setup(test_5xx_read_retried, reset),
		cmocka_unit_test_setup(test_dropped_after_record_no_duplicate,
				       reset),
		cmocka_unit_test_setup(test_dropped_before_record, reset),
		cmocka_unit_test_setup(test_slow_answer_settles, reset),
		cmocka_unit_test_setup(test_server_unreachable, reset),
		cmocka_unit_test_setup(test_cises_chunked, reset),
		cmocka_unit_test_setup(test_rate_limit_held, reset),
		cmocka_unit_test_setup(test_document_code_limit, reset),
		cmocka_unit_test_setup(test_incoming_documents, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
