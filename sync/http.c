/*
 * http: libcurl multi interface translated to the pull model (see http.h).
 *
 * The socket callback keeps a small table of (socket, events); the timer
 * callback keeps one absolute deadline. sy_http_dispatch feeds both back
 * with curl_multi_socket_action and moves finished easy handles, read with
 * curl_multi_info_read, into a FIFO of answers (curl's ephiperfifo.c
 * example, without epoll).
 *
 * Must not: disable peer or host verification, follow redirects to other
 * protocols, print anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "sync/http.h"

/* Answers larger than this are cut off as an error: a 300 000-code
 * delivery in JSON is about 60 MB, so this leaves ample room. */
#define MAX_BODY ((size_t)512 * 1024 * 1024)
#define MAX_SOCKS 64

struct sock {
	curl_socket_t fd;
	int what;		/* CURL_POLL_IN / OUT / INOUT */
};

struct xfer {
	struct sy_http *h;
	CURL *easy;
	struct curl_slist *headers;
	struct sy_http_resp *resp;	/* being filled */
	int too_big;			/* body exceeded MAX_BODY */
	size_t cap;
	struct xfer *next;		/* list of running transfers */
};

struct done {
	struct sy_http_resp *resp;
	struct done *next;
};

struct sy_http {
	CURLM *multi;
	char *ca_file;			/* owned copy, or NULL */
	long connect_timeout_ms;
	long timeout_ms;
	struct sock socks[MAX_SOCKS];	/* what curl waits on */
	int nsocks;
	int64_t deadline;		/* curl's timer, -1 if none */
	uint64_t next_id;
	struct xfer *running;
	int nrunning;
	struct done *head, *tail;	/* finished, oldest first */
};

int64_t
sy_http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct sy_http *h = userp;
	int i;

	(void)easy;
	(void)sockp;
	for (i = 0; i < h->nsocks; i++)
		if (h->socks[i].fd == s)
			break;
	if (what == CURL_POLL_REMOVE) {
		if (i < h->nsocks)
			h->socks[i] = h->socks[--h->nsocks];
		return 0;
	}
	if (i == h->nsocks) {
		if (h->nsocks == MAX_SOCKS)
			return -1;	/* curl fails that transfer */
		h->nsocks++;
	}
	h->socks[i].fd = s;
	h->socks[i].what = what;
	return 0;
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct sy_http *h = userp;

	(void)multi;
	h->deadline = timeout_ms < 0 ? -1 : sy_http_now_ms() + timeout_ms;
	return 0;
}

int
sy_http_new(struct sy_http **out, const struct sy_http_opts *opts,
	    struct err *e)
{
	static int global_done;
	struct sy_http *h;

	*out = NULL;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return err_set(e, ERR_INTERNAL,
				       "cannot initialise libcurl");
		global_done = 1;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	h->deadline = -1;
	h->next_id = 1;
	h->connect_timeout_ms = opts && opts->connect_timeout_ms > 0 ?
		opts->connect_timeout_ms : 10000;
	h->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms :
		120000;
	if (opts && opts->ca_file) {
		FILE *f = fopen(opts->ca_file, "r");

		if (f == NULL) {
			err_set(e, ERR_IO, "cannot read CA bundle %s: %s",
				opts->ca_file, strerror(errno));
			free(h);
			return ERR_IO;
		}
		fclose(f);
		h->ca_file = strdup(opts->ca_file);
	}
	h->multi = curl_multi_init();
	if (h->multi == NULL || (opts && opts->ca_file && !h->ca_file)) {
		sy_http_free(&h);
		return err_set(e, ERR_INTERNAL, "cannot create a curl handle");
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	*out = h;
	return 0;
}

void
sy_http_resp_free(struct sy_http_resp **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	free((*pp)->body);
	free(*pp);
	*pp = NULL;
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy) {
		curl_multi_remove_handle(x->h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	sy_http_resp_free(&x->resp);
	free(x);
}

void
sy_http_free(struct sy_http **pp)
{
	struct sy_http *h;

	if (pp == NULL || *pp == NULL)
		return;
	h = *pp;
	while (h->running) {
		struct xfer *x = h->running;

		h->running = x->next;
		xfer_free(x);
	}
	while (h->head) {
		struct done *d = h->head;

		h->head = d->next;
		sy_http_resp_free(&d->resp);
		free(d);
	}
	if (h->multi)
		curl_multi_cleanup(h->multi);
	free(h->ca_file);
	free(h);
	*pp = NULL;
}

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	struct sy_http_resp *r = x->resp;
	size_t n = size * nmemb;

	if (r->body_len + n > MAX_BODY) {
		x->too_big = 1;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	if (r->body_len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		char *p;

		while (cap < r->body_len + n + 1)
			cap *= 2;
		p = realloc(r->body, cap);
		if (p == NULL)
			return 0;
		r->body = p;
		x->cap = cap;
	}
	memcpy(r->body + r->body_len, ptr, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

static int
setup_easy(struct sy_http *h, struct xfer *x, const struct sy_http_req *req,
	   struct err *e)
{
	CURL *c = x->easy;
	const char *const *hp;
	int is_post = strcmp(req->method, "POST") == 0;

	for (hp = req->headers; hp && *hp; hp++) {
		struct curl_slist *l = curl_slist_append(x->headers, *hp);

		if (l == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		x->headers = l;
	}
	if (is_post) {
		/* An empty Expect: saves a round trip on large bodies. */
		struct curl_slist *l = curl_slist_append(x->headers,
							 "Expect:");

		if (l == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		x->headers = l;
	}
	if (curl_easy_setopt(c, CURLOPT_URL, req->url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK)
		return err_set(e, ERR_INTERNAL, "curl refused the URL");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (req->fresh) {
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
			 req->timeout_ms : h->timeout_ms);
	if (is_post) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
		if (curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS,
				     req->body ? req->body : "") != CURLE_OK)
			return err_set(e, ERR_INTERNAL, "out of memory");
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	return 0;
}

int
sy_http_start(struct sy_http *h, const struct sy_http_req *req, void *user,
	      uint64_t *id, struct err *e)
{
	struct xfer *x = NULL;
	int rc;

	if (req == NULL || req->method == NULL || req->url == NULL ||
	    (strcmp(req->method, "GET") != 0 &&
	     strcmp(req->method, "POST") != 0))
		return err_set(e, ERR_INVALID, "bad HTTP request");
	if (strncasecmp(req->url, "https://", 8) != 0)
		return err_set(e, ERR_INVALID,
			       "only https:// addresses are allowed");
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	x->h = h;
	x->resp = calloc(1, sizeof(*x->resp));
	if (x->resp == NULL || (x->resp->body = calloc(1, 1)) == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	x->cap = 1;
	x->resp->id = h->next_id++;
	x->resp->user = user;
	x->resp->retry_after_s = -1;
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		rc = err_set(e, ERR_INTERNAL, "cannot create a curl handle");
		goto out;
	}
	rc = setup_easy(h, x, req, e);
	if (rc < 0)
		goto out;
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		rc = err_set(e, ERR_INTERNAL, "cannot start a transfer");
		goto out;
	}
	if (id)
		*id = x->resp->id;
	x->next = h->running;
	h->running = x;
	h->nrunning++;
	return 0;
out:
	if (x && x->easy) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	xfer_free(x);
	return rc;
}

int
sy_http_running(const struct sy_http *h)
{
	return h->nrunning;
}

int
sy_http_pollfds(struct sy_http *h, struct pollfd *pfds, int max)
{
	int i, n = 0;

	for (i = 0; i < h->nsocks && n < max; i++) {
		pfds[n].fd = h->socks[i].fd;
		pfds[n].events = 0;
		if (h->socks[i].what & CURL_POLL_IN)
			pfds[n].events |= POLLIN;
		if (h->socks[i].what & CURL_POLL_OUT)
			pfds[n].events |= POLLOUT;
		pfds[n].revents = 0;
		n++;
	}
	return n;
}

int
sy_http_timeout(const struct sy_http *h, int64_t now_ms)
{
	int64_t left;

	if (h->deadline < 0)
		return -1;
	left = h->deadline - now_ms;
	if (left <= 0)
		return 0;
	return left > 60000 ? 60000 : (int)left;
}

/* Move a finished easy handle's answer into the queue. */
static void
finish(struct sy_http *h, CURL *easy, CURLcode res)
{
	struct xfer *x = NULL, **pp;
	struct sy_http_resp *r;
	struct done *d;
	long v = 0;
	char *ct = NULL;
	curl_off_t ra = -1;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL)
		return;
	r = x->resp;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &v);
	r->request_sent = v > 0;
	if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct)
		snprintf(r->content_type, sizeof(r->content_type), "%s", ct);
	/* curl parses both forms of Retry-After (seconds, HTTP date). */
	if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after_s = ra > 86400 ? 86400 : (long)ra;
	r->curl_code = (int)res;
	if (res != CURLE_OK) {
		r->net = ERR_NET;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s",
			 x->too_big ? "answer too large" :
			 curl_easy_strerror(res));
	}
	d = calloc(1, sizeof(*d));
	for (pp = &h->running; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	h->nrunning--;
	if (d) {
		d->resp = r;
		x->resp = NULL;
		if (h->tail)
			h->tail->next = d;
		else
			h->head = d;
		h->tail = d;
	}
	xfer_free(x);
}

static void
collect(struct sy_http *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE)
			finish(h, m->easy_handle, m->data.result);
}

void
sy_http_dispatch(struct sy_http *h, const struct pollfd *pfds, int n,
		 int64_t now_ms)
{
	int i, j, running;

	for (i = 0; i < n; i++) {
		int ev = 0;

		if (pfds[i].revents == 0)
			continue;
		for (j = 0; j < h->nsocks; j++)
			if (h->socks[j].fd == pfds[i].fd)
				break;
		if (j == h->nsocks)
			continue;	/* another module's fd */
		if (pfds[i].revents & POLLIN)
			ev |= CURL_CSELECT_IN;
		if (pfds[i].revents & POLLOUT)
			ev |= CURL_CSELECT_OUT;
		if (pfds[i].revents & (POLLERR | POLLHUP | POLLNVAL))
			ev |= CURL_CSELECT_ERR;
		curl_multi_socket_action(h->multi, pfds[i].fd, ev, &running);
	}
	if (h->deadline >= 0 && now_ms >= h->deadline) {
		h->deadline = -1;
		curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
	}
	collect(h);
}

int
sy_http_next(struct sy_http *h, struct sy_http_resp **out)
{
	struct done *d = h->head;

	*out = NULL;
	if (d == NULL)
		return 0;
	h->head = d->next;
	if (h->head == NULL)
		h->tail = NULL;
	*out = d->resp;
	free(d);
	return 1;
}

/* Take the queued answer with this id, if it is there. */
static struct sy_http_resp *
take(struct sy_http *h, uint64_t id)
{
	struct done **pp, *d;
	struct sy_http_resp *r;

	for (pp = &h->head; *pp; pp = &(*pp)->next)
		if ((*pp)->resp->id == id)
			break;
	if (*pp == NULL)
		return NULL;
	d = *pp;
	*pp = d->next;
	h->tail = NULL;
	for (pp = &h->head; *pp; pp = &(*pp)->next)
		h->tail = *pp;
	r = d->resp;
	free(d);
	return r;
}

int
sy_http_run(struct sy_http *h, const struct sy_http_req *req,
	    struct sy_http_resp **out, struct err *e)
{
	struct pollfd pfds[MAX_SOCKS];
	uint64_t id;
	int rc;

	*out = NULL;
	rc = sy_http_start(h, req, NULL, &id, e);
	if (rc < 0)
		return rc;
	for (;;) {
		int n, t;

		*out = take(h, id);
		if (*out)
			return 0;
		n = sy_http_pollfds(h, pfds, MAX_SOCKS);
		t = sy_http_timeout(h, sy_http_now_ms());
		/* Without sockets or a timer curl still needs a kick
		 * soon; never sleep forever. */
		if (t < 0 || t > 1000)
			t = 1000;
		if (n == 0 && h->deadline < 0)
			h->deadline = sy_http_now_ms() + t;
		if (poll(pfds, (nfds_t)n, t) < 0 && errno != EINTR)
			return err_set(e, ERR_INTERNAL, "poll: %s",
				       strerror(errno));
		sy_http_dispatch(h, pfds, n, sy_http_now_ms());
	}
}
