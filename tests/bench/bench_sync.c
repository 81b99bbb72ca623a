/*
 * bench_sync: outbox documents per second taken through the runner
 * (signed, submitted, polled until confirmed) against the HTTPS emulator
 * on loopback, beside a baseline measured in the same run against the
 * same emulator: bare HTTPS requests per second on the same transfer
 * layer (sync/http.c, libcurl handles, 4 at a time like the runner), no
 * signing, no True API logic. A document costs at least two requests
 * (create, status), so the figure compared is the baseline's request
 * rate halved. Prints figures and their ratio; never pass or fail (the
 * client-side throttle of 40 requests/s, true-api.md §9.1, is a ceiling
 * on purpose and is printed too).
 */
#include "tests/api/emu.h"

#include <stdint.h>

#include "store/store.h"
#include "sync/http.h"
#include "sync/runner.h"

#define GS "\x1d"
#define NDOCS 60
#define NBARE 200
#define INFLIGHT 4

static struct emu emu;

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_sync: %s: %s\n", what, msg);
	exit(1);
}

/* NDOCS closed boxes of one unit each: NDOCS AGGREGATION_DOCUMENTs. */
static void
make_outbox(struct st_db *db)
{
	int cd = mark_check_digit("0460043993125", 13);
	struct st_actor who;
	struct st_pack p;
	char code[96], sscc[32];
	struct mark m;
	struct err e;
	int i;

	if (st_login(db, "boss", "1234", "bench", &who, &e) != 0)
		die("login", e.msg);
	for (i = 0; i < NDOCS; i++) {
		snprintf(code, sizeof(code), "01%s%d21B%05dABCDEFG" GS "93AbCd",
			 "0460043993125", cd, i);
		if (mark_parse(code, strlen(code), &m) != 0)
			die("code", code);
		if (st_pack_open(db, &who, ST_BOX, NULL, NULL, NULL, &p, &e) ||
		    (strcpy(sscc, p.sscc),
		     st_pack_scan(db, &who, sscc, &m, code, strlen(code), &p,
				  &e)) ||
		    st_pack_close(db, &who, sscc, &p, &e))
			die("pack", e.msg);
	}
}

/*
 * Bare HTTPS GETs per second through sync/http.c, INFLIGHT at a time
 * (the runner's default), driven by the same poll machinery.
 */
static double
bare_rate(void)
{
	struct sy_http_opts ho = { 0 };
	struct sy_http_req req = { 0 };
	struct sy_http *h = NULL;
	struct pollfd pfds[64];
	int started = 0, done = 0, n;
	char url[400];
	int64_t t0;
	struct err e;

	ho.ca_file = emu.ca;
	if (sy_http_new(&h, &ho, &e) < 0)
		die("http", e.msg);
	snprintf(url, sizeof(url), "%s/auth/key", emu.v3);
	req.method = "GET";
	req.url = url;
	t0 = sy_http_now_ms();
	while (done < NBARE) {
		struct sy_http_resp *r = NULL;
		int t;

		while (started < NBARE && sy_http_running(h) < INFLIGHT) {
			if (sy_http_start(h, &req, NULL, NULL, &e) < 0)
				die("bare request", e.msg);
			started++;
		}
		n = sy_http_pollfds(h, pfds, 64);
		t = sy_http_timeout(h, sy_http_now_ms());
		poll(pfds, (nfds_t)n, t < 0 || t > 100 ? 100 : t);
		sy_http_dispatch(h, pfds, n, sy_http_now_ms());
		while (sy_http_next(h, &r)) {
			if (r->status != 200)
				die("bare request", r->errmsg);
			sy_http_resp_free(&r);
			done++;
		}
	}
	t0 = sy_http_now_ms() - t0;
	sy_http_free(&h);
	return NBARE * 1000.0 / (double)(t0 ? t0 : 1);
}

int
main(void)
{
	static const char *const args[] = { "--process-delay", "0", NULL };
	struct st_site site = { .gcp = "4600439", .extension = 1,
				.product_group = "milk",
				.require_crypto = true, .gtin_policy = "any" };
	struct sy_sign_opts so = { 0 };
	struct sy_api_config ac = { 0 };
	struct sy_runner_config rc = { 0 };
	struct sy_runner_stats s;
	struct sy_sign *sign = NULL;
	struct sy_api *api = NULL;
	struct sy_runner *r = NULL;
	struct st_db *db = NULL;
	char dir[128], path[192];
	double bare, docs;
	int64_t t0;
	struct err e;
	int nreq;

	if (emu_start(&emu, args) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/sklad-bench-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	snprintf(path, sizeof(path), "%s/b.db", dir);
	snprintf(site.inn, sizeof(site.inn), "%s", emu.inn);
	if (st_open(path, true, &db, &e) ||
	    st_site_init(db, &site, "boss", "1234", &e))
		die("store", e.msg);
	make_outbox(db);

	bare = bare_rate();

	so.key_file = emu.key256;
	so.cert_file = emu.cert256;
	if (sy_sign_new(&sign, &so, &e) < 0)
		die("sign", e.msg);
	ac.v3_url = emu.v3;
	ac.v4_url = emu.v4;
	ac.pg = "milk";
	ac.inn = emu.inn;
	ac.ca_file = emu.ca;
	ac.signer = sign;
	if (sy_api_new(&api, &ac, &e) < 0 || sy_api_login(api, &e) < 0)
		die("api", e.msg);
	rc.db = db;
	rc.api = api;
	rc.pg = "milk";
	rc.poll_initial_ms = 50;
	rc.poll_max_ms = 200;
	if (sy_runner_new(&r, &rc, &e) < 0)
		die("runner", e.msg);
	emu_ok(&emu, "{\"cmd\":\"reset\"}");	/* count only the run */
	/* reset forgot the token: sign in again before the clock starts */
	if (sy_api_login(api, &e) < 0)
		die("login", e.msg);
	nreq = emu_count(&emu, "");
	t0 = sy_http_now_ms();
	if (sy_runner_run(r, 0, 0, &e) < 0)
		die("run", e.msg);
	t0 = sy_http_now_ms() - t0;
	sy_runner_stats(r, &s);
	if (s.confirmed != NDOCS)
		die("run", "not every document was confirmed");
	nreq = emu_count(&emu, "") - nreq;
	docs = NDOCS * 1000.0 / (double)(t0 ? t0 : 1);

	printf("bench_sync: %d documents signed, submitted and confirmed "
	       "in %.2f s: %.1f documents/s (%d requests, %.1f per "
	       "document)\n", NDOCS, t0 / 1000.0, docs, nreq,
	       (double)nreq / NDOCS);
	printf("  baseline: bare HTTPS GET through sync/http.c, %d at a "
	       "time: %.0f "
	       "requests/s, i.e. %.0f documents/s at 2 requests each\n",
	       INFLIGHT, bare, bare / 2);
	printf("  client throttle ceiling: %d requests/s = %d documents/s\n",
	       SY_POLICY_RATE, SY_POLICY_RATE / 2);
	printf("  ratio (baseline documents/s / runner documents/s): %.2fx; "
	       "against the throttle ceiling: %.2fx\n", bare / 2 / docs,
	       (SY_POLICY_RATE / 2.0) / docs);

	sy_runner_free(&r);
	sy_api_free(&api);
	sy_sign_free(&sign);
	st_close(&db);
	emu_stop(&emu);
	nftw(dir, emu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
