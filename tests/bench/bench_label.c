/*
 * bench_label: labels drawn per second (ZPL, TSPL, PNG; each drawn with
 * both symbols and read back before it counts), and the time from closing
 * a box to the last byte of its label taken by the printer's socket.
 *
 * Render rates are printed beside a baseline measured in the same run:
 * libdmtx and libzint making the two symbols alone (what any labeller must
 * pay), as a ratio. The close-to-printer time (st_pack_close, the label's
 * facts, drawing and its checks, the job queued in the store, the bytes
 * sent to a loopback listener until its TCP took them all) is printed
 * beside the bare socket write of the same bytes (connect, send, wait
 * until taken). The site database is on tmpfs when there is one.
 * Figures, never pass/fail.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console/label_job.h"
#include "labels/labels.h"
#include "store/store.h"

#define RUNS 7
#define CLOSES 40

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
die(const char *what, const struct err *e)
{
	fprintf(stderr, "bench_label: %s: %s\n", what, e ? e->msg : "");
	exit(1);
}

/* Labels (or symbol pairs, with f < 0) per second over about 0.3 s. */
static double
render_rate(const struct lb_size *sz, int f)
{
	struct lb_label l = { .count = 24, .gtin = "04600439931256",
			      .level = "box", .date = "2026-12-02",
			      .station = "pack-1", .operator_name = "ivan",
			      .product = "Milk 3.2% 1 l" };
	double t0 = now_s(), t;
	long n = 0;
	struct err e;

	do {
		mark_sscc_make(1, "4600439", (uint64_t)(n + 1), l.sscc);
		if (f < 0) {
			struct lb_matrix a, b;
			char dm[24], bars[32];

			snprintf(dm, sizeof(dm), "00%s", l.sscc);
			snprintf(bars, sizeof(bars), "[00]%s", l.sscc);
			if (lb_dm_encode(dm, 20, true, &a, &e) < 0 ||
			    lb_gs1_128_encode(bars, &b, &e) < 0)
				die("symbols", &e);
			lb_matrix_free(&a);
			lb_matrix_free(&b);
		} else {
			char *body;
			size_t len;

			if (lb_render(&l, sz, (enum lb_format)f, &body, &len,
				      &e) < 0)
				die("render", &e);
			free(body);
		}
		n++;
		t = now_s() - t0;
	} while (t < 0.3);
	return (double)n / t;
}

static double
median_rate(const struct lb_size *sz, int f)
{
	double r[RUNS];
	int i;

	for (i = 0; i < RUNS; i++)
		r[i] = render_rate(sz, f);
	qsort(r, RUNS, sizeof(r[0]), cmp_double);
	return r[RUNS / 2];
}

/* A printer on loopback that takes and drops everything; its port. */
static pid_t
sink_printer(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		die("listen", NULL);
	*port = ntohs(a.sin_port);
	pid = fork();
	if (pid == 0) {
		char buf[65536];

		for (;;) {
			int c = accept(fd, NULL, NULL);

			while (c >= 0 && read(c, buf, sizeof(buf)) > 0)
				;
			if (c >= 0)
				close(c);
		}
	}
	close(fd);
	return pid;
}

static void
close_to_printer(void)
{
	char dir[64], path[96], cmd[128];
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .require_crypto = false,
				.gtin_policy = "any",
				.product_group = "milk" };
	double tl[CLOSES], tb[CLOSES];
	struct lb_config cfg;
	struct lb_printer_conf *pc;
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	int i, k, port;
	pid_t pid = sink_printer(&port);

	snprintf(dir, sizeof(dir), "%s/sklad-bench-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", NULL);
	snprintf(path, sizeof(path), "%s/b.db", dir);
	if (st_open(path, true, &db, &e) < 0 ||
	    st_site_init(db, &site, "boss", "1234", &e) < 0 ||
	    st_login(db, "boss", "1234", "bench", &who, &e) < 0)
		die("site", &e);
	lb_config_defaults(&cfg);
	cfg.nprinters = 1;
	pc = &cfg.printers[0];
	snprintf(pc->name, sizeof(pc->name), "zebra");
	snprintf(cfg.printer, sizeof(cfg.printer), "zebra");
	snprintf(pc->p.uri, sizeof(pc->p.uri), "tcp:127.0.0.1:%d", port);
	pc->p.timeout_ms = 5000;
	pc->format = LB_ZPL;
	pc->size = (struct lb_size){ 100, 150, 203, true };
	for (i = 0; i < CLOSES; i++) {
		struct st_pack pk;
		struct st_label_job j;
		int64_t id;
		double t0;

		if (st_pack_open(db, &who, ST_BOX, NULL, NULL, NULL, &pk,
				 &e) < 0)
			die("open", &e);
		for (k = 0; k < 10; k++) {
			char unit[64];
			struct mark m;

			snprintf(unit, sizeof(unit),
				 "010460043993125621B%04d%08d", i, k);
			if (mark_parse(unit, strlen(unit), &m) < 0 ||
			    st_pack_scan(db, &who, pk.sscc, &m, unit,
					 strlen(unit), &pk, &e) < 0)
				die("scan", &e);
		}
		/* timed: the close to the last byte taken by the printer */
		t0 = now_s();
		if (st_pack_close(db, &who, pk.sscc, &pk, &e) < 0 ||
		    lbj_queue(db, &who, &cfg, pc, pk.sscc, "close", &id,
			      &e) < 0 ||
		    lbj_send(db, &cfg, id, &e) < 0)
			die("close and print", &e);
		tl[i] = now_s() - t0;
		/* the same bytes through a bare socket write */
		if (st_label_get(db, id, &j, &e) < 0)
			die("job", &e);
		t0 = now_s();
		if (lb_print(&pc->p, j.body, j.body_len, &e) < 0)
			die("bare write", &e);
		tb[i] = now_s() - t0;
		st_label_job_free(&j);
	}
	qsort(tl, CLOSES, sizeof(tl[0]), cmp_double);
	qsort(tb, CLOSES, sizeof(tb[0]), cmp_double);
	printf("  close -> label on the printer socket  median %6.2f ms  "
	       "p90 %6.2f ms\n", tl[CLOSES / 2] * 1e3, tl[CLOSES * 9 / 10] *
	       1e3);
	printf("  baseline: bare socket write          median %6.2f ms  "
	       "p90 %6.2f ms\n", tb[CLOSES / 2] * 1e3, tb[CLOSES * 9 / 10] *
	       1e3);
	printf("  close-to-printer / bare write: %.1f\n",
	       tl[CLOSES / 2] / tb[CLOSES / 2]);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	st_close(&db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_label: could not remove %s\n", dir);
}

int
main(void)
{
	static const struct {
		int w, h, dpi, f;
		bool image;
		const char *name;
	} cases[] = {
		{ 58, 40, 203, LB_ZPL, false, "ZPL  58x40   203 dpi, fonts" },
		{ 58, 40, 203, LB_ZPL, true, "ZPL  58x40   203 dpi, text image" },
		{ 100, 150, 203, LB_ZPL, false, "ZPL  100x150 203 dpi, fonts" },
		{ 100, 150, 203, LB_ZPL, true, "ZPL  100x150 203 dpi, text image" },
		{ 100, 150, 300, LB_ZPL, true, "ZPL  100x150 300 dpi, text image" },
		{ 100, 150, 203, LB_TSPL, true, "TSPL 100x150 203 dpi, text image" },
		{ 58, 40, 203, LB_PNG, true, "PNG  58x40   203 dpi" },
		{ 100, 150, 203, LB_PNG, true, "PNG  100x150 203 dpi" },
	};
	struct lb_size sz = { 100, 150, 203, true };
	double base, r;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	printf("bench_label: labels drawn and read back, %d runs of 0.3 s "
	       "(median)\n", RUNS);
	base = median_rate(&sz, -1);
	printf("  baseline: the two symbols alone     %8.0f /s\n", base);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sz = (struct lb_size){ cases[i].w, cases[i].h, cases[i].dpi,
					 cases[i].image };
		r = median_rate(&sz, cases[i].f);
		printf("  %-36s %6.0f labels/s  (%.3f of baseline)\n",
		       cases[i].name, r, r / base);
	}
	close_to_printer();
	return 0;
}
