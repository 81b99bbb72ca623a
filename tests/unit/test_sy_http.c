/*
 * test_sy_http: sync/http.c against the HTTPS emulator on loopback: the
 * poll-loop contract (pollfds, timeout, dispatch, queue) with parallel
 * transfers, TLS verification that cannot be avoided, and how each fault
 * shows up in an answer: refused connection (nothing sent), dropped
 * connection after the request (sent), timeouts, 429 with Retry-After,
 * 401 with an XML body.
 */
#include "tests/api/emu.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "sync/http.h"

static struct emu emu;
static const char *const accept_hdr[] = { "Accept: */*", NULL };

static int
setup(void **state)
{
	(void)state;
	return emu_start(&emu, NULL);
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
	(void)state;
	return emu_ok(&emu, "{\"cmd\":\"reset\"}") ? 0 : -1;
}

static struct sy_http *
client(const char *ca, long timeout_ms)
{
	struct sy_http_opts o = { 0 };
	struct sy_http *h = NULL;
	struct err e;

	o.ca_file = ca;
	o.timeout_ms = timeout_ms;
	if (sy_http_new(&h, &o, &e) < 0)
		fail_msg("sy_http_new: %s", e.msg);
	return h;
}

static struct sy_http_resp *
get(struct sy_http *h, const char *url)
{
	struct sy_http_req r = { 0 };
	struct sy_http_resp *resp = NULL;
	struct err e;

	r.method = "GET";
	r.url = url;
	r.headers = accept_hdr;
	assert_int_equal(sy_http_run(h, &r, &resp, &e), 0);
	assert_non_null(resp);
	return resp;
}

/* The console's way: one poll over our fds, nothing blocks. */
static void
test_poll_loop_parallel(void **state)
{
	struct sy_http *h = client(emu.ca, 0);
	struct sy_http_req r = { 0 };
	char url[512];
	int i, done = 0, seen[8] = { 0 }, passes = 0;
	long long t0;
	struct err e;

	(void)state;
	snprintf(url, sizeof(url), "%s/auth/key", emu.v3);
	r.method = "GET";
	r.url = url;
	r.headers = accept_hdr;
	for (i = 0; i < 8; i++) {
		uint64_t id;

		assert_int_equal(sy_http_start(h, &r, &seen[i], &id, &e), 0);
		assert_int_equal(id, (uint64_t)i + 1);
	}
	assert_int_equal(sy_http_running(h), 8);
	/* the first timeout is curl's "start now" */
	assert_true(sy_http_timeout(h, sy_http_now_ms()) >= 0);
	t0 = emu_now_ms();
	while (done < 8 && emu_now_ms() - t0 < 20000) {
		struct pollfd pfds[16];
		struct sy_http_resp *resp;
		int n = sy_http_pollfds(h, pfds, 16);
		int t = sy_http_timeout(h, sy_http_now_ms());

		assert_true(n <= 16);
		poll(pfds, (nfds_t)n, t < 0 || t > 500 ? 500 : t);
		sy_http_dispatch(h, pfds, n, sy_http_now_ms());
		passes++;
		while (sy_http_next(h, &resp)) {
			json_t *j = json_loads(resp->body, 0, NULL);

			assert_int_equal(resp->net, 0);
			assert_int_equal(resp->status, 200);
			assert_non_null(strstr(resp->content_type,
					       "application/json"));
			assert_true(json_is_string(json_object_get(j, "uuid")));
			json_decref(j);
			(*(int *)resp->user)++;
			done++;
			sy_http_resp_free(&resp);
			assert_null(resp);
		}
	}
	assert_int_equal(done, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(sy_http_running(h), 0);
	assert_true(passes > 1);
	sy_http_free(&h);
	assert_null(h);
}

/* A slow server never makes dispatch wait. */
static void
test_dispatch_never_blocks(void **state)
{
	struct sy_http *h = client(emu.ca, 0);
	struct sy_http_req r = { 0 };
	struct sy_http_resp *resp = NULL;
	long long t0, longest = 0;
	char url[512];
	struct err e;

	(void)state;
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/auth/key\","
			   "\"kind\":\"slow\",\"delay\":1.0}"));
	snprintf(url, sizeof(url), "%s/auth/key", emu.v3);
	r.method = "GET";
	r.url = url;
	r.headers = accept_hdr;
	assert_int_equal(sy_http_start(h, &r, NULL, NULL, &e), 0);
	t0 = emu_now_ms();
	while (resp == NULL && emu_now_ms() - t0 < 10000) {
		struct pollfd pfds[8];
		int n = sy_http_pollfds(h, pfds, 8);
		int t = sy_http_timeout(h, sy_http_now_ms());
		long long d;

		poll(pfds, (nfds_t)n, t < 0 || t > 100 ? 100 : t);
		d = emu_now_ms();
		sy_http_dispatch(h, pfds, n, sy_http_now_ms());
		d = emu_now_ms() - d;
		if (d > longest)
			longest = d;
		sy_http_next(h, &resp);
	}
	assert_non_null(resp);
	assert_int_equal(resp->status, 200);
	assert_true(emu_now_ms() - t0 >= 1000);
	assert_true(longest < 200);
	sy_http_resp_free(&resp);
	sy_http_free(&h);
}

static void
test_tls_always_verified(void **state)
{
	struct sy_http *h = client(NULL, 5000);	/* system CAs only */
	struct sy_http_resp *resp;
	struct sy_http_opts o = { 0 };
	char url[512];
	struct err e;

	(void)state;
	snprintf(url, sizeof(url), "%s/auth/key", emu.v3);
	resp = get(h, url);
	assert_int_equal(resp->net, ERR_NET);
	assert_int_equal(resp->status, 0);
	assert_int_equal(resp->request_sent, 0);
	assert_true(resp->curl_code != 0);
	sy_http_resp_free(&resp);
	sy_http_free(&h);
	/* host name checked too: the certificate is for 127.0.0.1 */
	h = client(emu.ca, 5000);
	snprintf(url, sizeof(url), "https://127.0.0.2:%d/api/v3/true-api/"
		 "auth/key", emu.port);
	resp = get(h, url);
	assert_int_equal(resp->net, ERR_NET);
	sy_http_resp_free(&resp);
	/* plain http is refused before anything happens */
	{
		struct sy_http_req r = { .method = "GET",
					 .url = "http://127.0.0.1:1/" };

		assert_int_equal(sy_http_start(h, &r, NULL, NULL, &e),
				 ERR_INVALID);
		r.url = "ftp://127.0.0.1/";
		assert_int_equal(sy_http_start(h, &r, NULL, NULL, &e),
				 ERR_INVALID);
		r.url = "https://127.0.0.1/";
		r.method = "DELETE";
		assert_int_equal(sy_http_start(h, &r, NULL, NULL, &e),
				 ERR_INVALID);
	}
	sy_http_free(&h);
	o.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(sy_http_new(&h, &o, &e), ERR_IO);
	assert_null(h);
}

static void
test_refused_connection_not_sent(void **state)
{
	struct sockaddr_in a = { 0 };
	socklen_t al = sizeof(a);
	struct sy_http *h = client(emu.ca, 5000);
	struct sy_http_resp *resp;
	char url[512];
	int s;

	(void)state;
	/* a port nobody listens on */
	s = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/x",
		 ntohs(a.sin_port));
	resp = get(h, url);
	assert_int_equal(resp->net, ERR_NET);
	assert_int_equal(resp->request_sent, 0);
	assert_true(resp->errmsg[0] != '\0');
	sy_http_resp_free(&resp);
	sy_http_free(&h);
}

static void
test_drop_after_request_is_sent(void **state)
{
	struct sy_http *h = client(emu.ca, 5000);
	struct sy_http_resp *resp;
	char url[512];

	(void)state;
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/auth/key\","
			   "\"kind\":\"drop\"}"));
	snprintf(url, sizeof(url), "%s/auth/key", emu.v3);
	resp = get(h, url);
	assert_int_equal(resp->net, ERR_NET);
	assert_int_equal(resp->status, 0);
	assert_int_equal(resp->request_sent, 1);
	sy_http_resp_free(&resp);
	/* the fault was used up: the next try is answered */
	resp = get(h, url);
	assert_int_equal(resp->status, 200);
	sy_http_resp_free(&resp);
	sy_http_free(&h);
}

static void
test_timeout(void **state)
{
	struct sy_http *h = client(emu.ca, 300);
	struct sy_http_resp *resp;
	char url[512];
	long long t0;

	(void)state;
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/auth/key\","
			   "\"kind\":\"slow\",\"delay\":1.5}"));
	snprintf(url, sizeof(url), "%s/auth/key", emu.v3);
	t0 = emu_now_ms();
	resp = get(h, url);
	assert_true(emu_now_ms() - t0 < 1400);
	assert_int_equal(resp->net, ERR_NET);
	assert_int_equal(resp->request_sent, 1);
	assert_int_equal(resp->curl_code, 28);	/* CURLE_OPERATION_TIMEDOUT */
	sy_http_resp_free(&resp);
	sy_http_free(&h);
}

static void
test_status_faults(void **state)
{
	struct sy_http *h = client(emu.ca, 5000);
	struct sy_http_resp *resp;
	char url[512];

	(void)state;
	snprintf(url, sizeof(url), "%s/auth/key", emu.v3);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/auth/key\","
			   "\"status\":429,\"headers\":{\"Retry-After\":\"3\"},"
			   "\"body\":\"{\\\"error_message\\\":\\\"x\\\"}\"}"));
	resp = get(h, url);
	assert_int_equal(resp->net, 0);
	assert_int_equal(resp->status, 429);
	assert_int_equal(resp->retry_after_s, 3);
	sy_http_resp_free(&resp);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/auth/key\","
			   "\"kind\":\"xml401\"}"));
	resp = get(h, url);
	assert_int_equal(resp->status, 401);
	assert_int_equal(resp->retry_after_s, -1);
	assert_non_null(strstr(resp->content_type, "xml"));
	assert_non_null(strstr(resp->body, "<error>unauthorized</error>"));
	sy_http_resp_free(&resp);
	assert_true(emu_ok(&emu, "{\"cmd\":\"fault\",\"path\":\"/auth/key\","
			   "\"status\":503}"));
	resp = get(h, url);
	assert_int_equal(resp->status, 503);
	assert_int_equal(resp->body_len, 0);
	assert_string_equal(resp->body, "");
	sy_http_resp_free(&resp);
	sy_http_free(&h);
}

/* A big POST body goes out whole (the emulator answers 404 only after
 * reading it). */
static void
test_large_post(void **state)
{
	struct sy_http *h = client(emu.ca, 20000);
	struct sy_http_req r = { 0 };
	struct sy_http_resp *resp = NULL;
	size_t n = 8u << 20;
	char url[512], *body = malloc(n);
	struct err e;

	(void)state;
	memset(body, 'a', n);
	snprintf(url, sizeof(url), "%s/no/such/method", emu.v3);
	r.method = "POST";
	r.url = url;
	r.headers = accept_hdr;
	r.body = body;
	r.body_len = n;
	assert_int_equal(sy_http_run(h, &r, &resp, &e), 0);
	free(body);	/* copied at start */
	assert_int_equal(resp->status, 404);
	assert_true(resp->request_sent);
	sy_http_resp_free(&resp);
	sy_http_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_poll_loop_parallel, reset),
		cmocka_unit_test_setup(test_dispatch_never_blocks, reset),
		cmocka_unit_test_setup(test_tls_always_verified, reset),
		cmocka_unit_test_setup(test_refused_connection_not_sent, reset),
		cmocka_unit_test_setup(test_drop_after_request_is_sent, reset),
		cmocka_unit_test_setup(test_timeout, reset),
		cmocka_unit_test_setup(test_status_faults, reset),
		cmocka_unit_test_setup(test_large_post, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
