/*
 * bench_sync_doc: one AGGREGATION_DOCUMENT of 30 000 codes (the most one
 * document may carry, true-api.md §4.3) built with the store's builder
 * (store/doc.h, the bytes the outbox holds), signed with GOST through
 * sync/sign and posted to /lk/documents/create of the HTTPS emulator on
 * loopback through sync/api, beside the baseline measured in the same
 * run: the `curl` command-line tool posting the same request bytes (the
 * same envelope, same signature, same token) to the same endpoint.
 * Several runs of each, alternating; min and median printed, and the
 * ratio of the medians (goal: at most 1.3x). Never pass or fail.
 *
 * Must not: talk to anything but the emulator on loopback, or leave
 * files behind.
 */
#include "tests/api/emu.h"

#include <stdint.h>

#include "store/doc.h"
#include "sync/api.h"
#include "sync/http.h"
#include "sync/sign.h"
#include "sync/wire.h"

#define NUNITS 120
#define PER_UNIT 249		/* 120 packs + 120 * 249 = 30 000 codes */
#define RUNS 7
#define TYPE "AGGREGATION_DOCUMENT"

static struct emu emu;
static char (*kids)[48];
static struct doc_unit units[NUNITS];
static char sscc[NUNITS][24];

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_sync_doc: %s: %s\n", what, msg);
	exit(1);
}

static void
make_codes(void)
{
	int i, k;

	kids = calloc((size_t)NUNITS * PER_UNIT, sizeof(*kids));
	if (kids == NULL)
		die("codes", "out of memory");
	for (i = 0; i < NUNITS; i++) {
		snprintf(sscc[i], sizeof(sscc[i]), "0460043990%08d", i);
		for (k = 0; k < PER_UNIT; k++)
			snprintf(kids[i * PER_UNIT + k], sizeof(kids[0]),
				 "0104600439931256215B%04d%05dAB", i, k);
		units[i].code = sscc[i];
		units[i].children = &kids[i * PER_UNIT];
		units[i].nchildren = PER_UNIT;
	}
}

static int
cmp_ms(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Built, signed and posted through sync; the request body is kept in
 * *req (the bytes sync/api sends) the first time. Returns ms. */
static double
ours(struct sy_api *api, double *build_ms, double *sign_ms, char **req,
     size_t *req_len)
{
	struct sy_api_doc d = { 0 };
	struct sy_api_result r;
	int64_t t0 = sy_http_now_ms(), t1, t2;
	char *body, *sig;
	size_t len;
	struct err e;

	body = doc_aggregation(emu.inn, units, NUNITS, &len);
	if (body == NULL)
		die("build", "out of memory");
	t1 = sy_http_now_ms();
	if (sy_api_sign_document(api, body, len, &sig, &e) < 0)
		die("sign", e.msg);
	t2 = sy_http_now_ms();
	d.type = TYPE;
	d.body = body;
	d.body_len = len;
	d.signature = sig;
	if (sy_api_submit(api, &d, &r, &e) < 0)
		die("submit", e.msg);
	if (r.outcome != SY_SUBMIT_ACCEPTED)
		die("submit", r.message);
	*build_ms = (double)(t1 - t0);
	*sign_ms = (double)(t2 - t1);
	t0 = sy_http_now_ms() - t0;
	if (*req == NULL) {
		*req = sy_wire_create_body("MANUAL", TYPE, body, len, sig,
					   req_len);
		if (*req == NULL)
			die("request", "cannot rebuild the request body");
	}
	free(sig);
	free(body);
	return (double)t0;
}

/* The curl tool posting the request file; returns ms of the whole
 * command (process start, a new TLS connection, the post), *own_ms what
 * curl itself timed (time_total); exit and HTTP status checked. */
static double
with_curl(const char *url, const char *auth, const char *file,
	  double *own_ms)
{
	char data[700], code[64] = "";
	int out[2], st;
	int64_t t0 = sy_http_now_ms();
	pid_t pid;
	ssize_t n;

	snprintf(data, sizeof(data), "@%s", file);
	if (pipe(out) < 0)
		die("pipe", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork", strerror(errno));
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execlp("curl", "curl", "-sS", "-o", "/dev/null",
		       "-w", "%{http_code} %{time_total}", "--cacert", emu.ca,
		       "-H", auth,
		       "-H", "Content-Type: application/json;charset=UTF-8",
		       "-H", "Accept: */*", "--data-binary", data, url,
		       (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	n = read(out[0], code, sizeof(code) - 1);
	close(out[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("curl", WIFEXITED(st) && WEXITSTATUS(st) == 127 ?
		    "the curl tool is not installed (apt-get install curl)" :
		    "failed");
	t0 = sy_http_now_ms() - t0;
	code[n > 0 ? n : 0] = '\0';
	if (strncmp(code, "200 ", 4) != 0)
		die("curl", code);
	*own_ms = strtod(code + 4, NULL) * 1000.0;
	return (double)t0;
}

/* The token sync/api cached (its file: magic, expiry, token). */
static void
read_token(const char *path, char *auth, size_t asz)
{
	char buf[8192], *p, *nl;
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		die("token", strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strchr(buf, '\n');
	p = p ? strchr(p + 1, '\n') : NULL;
	if (p == NULL)
		die("token", "unexpected cache file");
	p++;
	if ((nl = strchr(p, '\n')) != NULL)
		*nl = '\0';
	snprintf(auth, asz, "Authorization: Bearer %s", p);
}

int
main(void)
{
	static const char *const args[] = { "--process-delay", "0", NULL };
	struct sy_sign_opts so = { 0 };
	struct sy_api_config ac = { 0 };
	struct sy_sign *sign = NULL;
	struct sy_api *api = NULL;
	double a[RUNS], c[RUNS], own[RUNS], build[RUNS], sg[RUNS], am, cm;
	char dir[128], tok[192], file[192], url[400], auth[4200];
	char *req = NULL;
	size_t req_len = 0;
	struct err e;
	FILE *f;
	int i;

	if (emu_start(&emu, args) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/sklad-bench-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	snprintf(tok, sizeof(tok), "%s/token", dir);
	snprintf(file, sizeof(file), "%s/request.json", dir);
	make_codes();
	so.key_file = emu.key256;
	so.cert_file = emu.cert256;
	if (sy_sign_new(&sign, &so, &e) < 0)
		die("sign", e.msg);
	ac.v3_url = emu.v3;
	ac.v4_url = emu.v4;
	ac.pg = "milk";
	ac.inn = emu.inn;
	ac.ca_file = emu.ca;
	ac.token_file = tok;
	ac.signer = sign;
	if (sy_api_new(&api, &ac, &e) < 0 || sy_api_login(api, &e) < 0)
		die("api", e.msg);
	read_token(tok, auth, sizeof(auth));
	snprintf(url, sizeof(url), "%s/lk/documents/create?pg=milk", emu.v3);

	/* one of each to warm up (and to have the request bytes) */
	ours(api, &build[0], &sg[0], &req, &req_len);
	if ((f = fopen(file, "w")) == NULL ||
	    fwrite(req, 1, req_len, f) != req_len || fclose(f) != 0)
		die("request file", strerror(errno));
	with_curl(url, auth, file, &own[0]);
	for (i = 0; i < RUNS; i++) {
		c[i] = with_curl(url, auth, file, &own[i]);
		a[i] = ours(api, &build[i], &sg[i], &req, &req_len);
	}
	if (emu_ndocs(&emu) != 2 * (RUNS + 1))
		die("emulator", "not every document was recorded");
	qsort(a, RUNS, sizeof(a[0]), cmp_ms);
	qsort(c, RUNS, sizeof(c[0]), cmp_ms);
	qsort(build, RUNS, sizeof(build[0]), cmp_ms);
	qsort(sg, RUNS, sizeof(sg[0]), cmp_ms);
	qsort(own, RUNS, sizeof(own[0]), cmp_ms);
	am = a[RUNS / 2];
	cm = c[RUNS / 2];
	printf("bench_sync_doc: %s of %d codes (%zu request bytes), "
	       "%d runs\n", TYPE, NUNITS * (PER_UNIT + 1), req_len, RUNS);
	printf("  sklad (build + GOST sign + post via sync/api): "
	       "min %.0f ms, median %.0f ms (build %.0f, sign %.0f)\n",
	       a[0], am, build[RUNS / 2], sg[RUNS / 2]);
	printf("  baseline: curl tool posting the same bytes: "
	       "min %.0f ms, median %.0f ms (curl's own time_total: "
	       "median %.0f ms, a new TLS connection each time)\n",
	       c[0], cm, own[RUNS / 2]);
	printf("  ratio (sklad / curl, medians): %.2fx; post alone "
	       "(median minus build and sign): %.2fx; goal <= 1.3x\n",
	       am / (cm > 0 ? cm : 1),
	       (am - build[RUNS / 2] - sg[RUNS / 2]) / (cm > 0 ? cm : 1));

	free(req);
	free(kids);
	sy_api_free(&api);
	sy_sign_free(&sign);
	emu_stop(&emu);
	nftw(dir, emu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
