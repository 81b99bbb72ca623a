/*
 * test_labels: the labels module and `sklad label`.
 *
 * Every code layout and SSCCs go through libdmtx and back into the mark
 * parser unchanged; every label size, resolution and format renders, and
 * its PNG is read by an independent reader (zxing-cpp from Debian's
 * python3-zxing-cpp) as well as by `sklad label verify`, also rotated,
 * scaled and with a margin; a fake printer on a loopback port receives
 * exactly the bytes rendered; a printer that refuses or hangs leaves the
 * job queued; the queue's rights and audit; AIM identifiers on command
 * barcodes.
 */
#define _GNU_SOURCE	/* memmem */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "console/label_job.h"
#include "labels/labels.h"
#include "labels/render.h"
#include "tests/gen_codes.h"
#include "tests/site_fx.h"

static const char *
bin(void)
{
	const char *b = getenv("SKLAD_BIN");

	assert_non_null(b);
	return b;
}

/* Run a shell command line, its stdout into out (n bytes); exit status. */
static int
run(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	size_t got;
	int st;

	assert_non_null(p);
	got = fread(out, 1, n - 1, p);
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The data of a generated code as a symbol holds it: no AIM, no leading
 * GS (that is the FNC1), and whether it is GS1. */
static void
symbol_data(const struct gen_code *c, const char **data, size_t *len,
	    bool *gs1)
{
	const char *s = c->s;
	size_t n = c->len;

	if (n >= 3 && s[0] == ']') {
		s += 3;
		n -= 3;
	}
	if (n > 0 && s[0] == GEN_GS) {
		s++;
		n--;
	}
	*data = s;
	*len = n;
	*gs1 = c->kind != MARK_CIGARETTE_PACK;
}

/* The matrix drawn at module dots with a quiet zone of q modules. */
static void
draw(const struct lb_matrix *m, int module, int q, struct lb_image *img)
{
	int x, y;

	img->w = (m->w + 2 * q) * module;
	img->h = (m->h + 2 * q) * module;
	img->px = malloc((size_t)img->w * (size_t)img->h);
	assert_non_null(img->px);
	memset(img->px, 255, (size_t)img->w * (size_t)img->h);
	for (y = 0; y < img->h; y++)
		for (x = 0; x < img->w; x++) {
			int mx = x / module - q, my = y / module - q;

			if (mx >= 0 && my >= 0 && mx < m->w && my < m->h &&
			    m->m[my * m->w + mx])
				img->px[y * img->w + x] = 0;
		}
}

/* Render -> decode -> mark parse equals what the code was made as. */
static void
test_roundtrip_every_layout(void **state)
{
	struct gen_rng r = { 0x5eed1abe15ULL };
	int l, i;

	(void)state;
	for (l = 0; l < GEN_LAYOUTS; l++)
		for (i = 0; i < 12; i++) {
			struct gen_code c;
			struct lb_matrix m;
			struct lb_image img;
			struct lb_decoded d;
			struct mark pm;
			struct err e;
			char scan[MARK_SCAN_MAX + 4];
			const char *data;
			size_t len;
			bool gs1;

			gen_code(&r, (enum gen_layout)l, &c);
			symbol_data(&c, &data, &len, &gs1);
			assert_int_equal(lb_dm_encode(data, len, gs1, &m, &e),
					 0);
			draw(&m, 2 + i % 3, 2, &img);
			assert_int_equal(lb_decode(&img, 0, &d, &e), 0);
			assert_int_equal(d.gs1, gs1);
			assert_int_equal(d.rows, m.h);
			assert_int_equal(d.cols, m.w);
			assert_int_equal(d.len, len);
			assert_memory_equal(d.data, data, len);
			/* as a scanner with AIM identifiers sends it */
			snprintf(scan, sizeof(scan), "%s", gs1 ? "]d2" : "]d1");
			memcpy(scan + 3, d.data, d.len);
			assert_int_equal(mark_parse(scan, d.len + 3, &pm), 0);
			assert_int_equal(pm.kind, c.kind);
			assert_int_equal(pm.layout, c.layout);
			assert_string_equal(pm.gtin, c.gtin);
			assert_string_equal(pm.serial, c.serial);
			assert_string_equal(pm.cis, c.cis);
			assert_string_equal(pm.sscc, c.sscc);
			lb_image_free(&img);
			lb_matrix_free(&m);
		}
}

/* What lb_render checks before it hands out bytes: a DataMatrix or bars
 * drawn other than the layout says is refused (ERR_INTERNAL). */
static void
test_mismatch_refused(void **state)
{
	struct lb_size sz = { 58, 40, 203, false };
	struct lb_label l = { .count = 3 };
	struct lb_layout *L = malloc(sizeof(*L));
	struct lb_image img;
	struct err e;
	int i, x, y;

	(void)state;
	assert_non_null(L);
	assert_int_equal(mark_sscc_make(1, "4600439", 5, l.sscc), 0);
	assert_int_equal(lb_layout_label(&l, &sz, L, &e), 0);
	assert_int_equal(lb_compose(L, &img, false, &e), 0);
	assert_int_equal(lb_check_drawn(L, &img, &e), 0);
	for (i = 0; i < L->n; i++) {
		const struct lb_item *it = &L->it[i];

		if (it->kind == LB_BARS) {
			/* one bar's module painted over: another number */
			for (y = it->y; y < it->y + it->h; y++)
				for (x = 0; x < it->module; x++)
					img.px[y * img.w + it->x +
					       20 * it->module + x] ^= 0xff;
			assert_int_equal(lb_check_drawn(L, &img, &e),
					 ERR_INTERNAL);
			assert_non_null(strstr(e.msg, "GS1-128"));
			for (y = it->y; y < it->y + it->h; y++)
				for (x = 0; x < it->module; x++)
					img.px[y * img.w + it->x +
					       20 * it->module + x] ^= 0xff;
		}
	}
	assert_int_equal(lb_check_drawn(L, &img, &e), 0);
	/* the layout says another SSCC than the one drawn */
	for (i = 0; i < L->n; i++)
		if (L->it[i].kind == LB_DM)
			L->it[i].text[10] = L->it[i].text[10] == '9' ? '8' :
					    '9';
	assert_int_equal(lb_check_drawn(L, &img, &e), ERR_INTERNAL);
	assert_non_null(strstr(e.msg, "DataMatrix"));
	lb_image_free(&img);
	lb_layout_free(L);
	free(L);
}

/* A damaged symbol is not read as anything. */
static void
test_damaged_not_read(void **state)
{
	struct lb_matrix m;
	struct lb_image img;
	struct lb_decoded d;
	struct err e;
	int x, y;

	(void)state;
	assert_int_equal(lb_dm_encode("00146004390000000010", 20, true, &m,
				      &e), 0);
	draw(&m, 4, 2, &img);
	/* paint over the middle half */
	for (y = img.h / 4; y < img.h * 3 / 4; y++)
		for (x = img.w / 4; x < img.w * 3 / 4; x++)
			img.px[y * img.w + x] = 0;
	assert_true(lb_decode(&img, 2000, &d, &e) < 0);
	assert_int_equal(e.code, ERR_NOTFOUND);
	lb_image_free(&img);
	lb_matrix_free(&m);
}

static void
test_gs1_128_modules(void **state)
{
	struct lb_matrix m;
	struct err e;

	(void)state;
	assert_int_equal(lb_gs1_128_encode("[00]146004390000000010", &m, &e),
			 0);
	/* start C, FNC1, 10 pairs, check, stop: 11 * 13 + 13 modules */
	assert_int_equal(m.w, 156);
	assert_int_equal(m.m[0], 1);
	lb_matrix_free(&m);
	/* zint refuses a bad check digit: no label of a wrong number */
	assert_true(lb_gs1_128_encode("[00]146004390000000011", &m, &e) < 0);
	assert_int_equal(e.code, ERR_INVALID);
}

static void
test_sscc_human(void **state)
{
	char h[32];

	(void)state;
	lb_sscc_human("146004390000000015", 7, h);
	assert_string_equal(h, "(00) 1 4600439 000000001 5");
	lb_sscc_human("146004390000000015", 9, h);
	assert_string_equal(h, "(00) 1 460043900 0000001 5");
}

static void
check_png(const char *path, const char *sscc, int width_mm)
{
	char cmd[512], out[4096], want[64];

	/* sklad's own reader */
	snprintf(cmd, sizeof(cmd), "%s label verify --json %s", bin(), path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "\"sscc\":\"%s\"", sscc);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\"gs1\":true"));
	/* zxing-cpp: the GS1-128 on the whole label, the DataMatrix from
	 * its part of the label */
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/zxing_read.py "
		 "%s Code128", getenv("SKLAD_SRC"), path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "Code128 ]C1 00%s\n", sscc);
	assert_string_equal(out, want);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/zxing_read.py "
		 "%s DataMatrix %s", getenv("SKLAD_SRC"), path,
		 width_mm < 80 ? "0.5 0 1 0.6" : "0.15 0.3 0.85 0.7");
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "DataMatrix ]d2 00%s\n", sscc);
	assert_string_equal(out, want);
}

/* A ZPL or TSPL label drawn by tests/label_raster.py as a printer would,
 * read by zxing-cpp: the bars whole, the DataMatrix from its part. */
static void
check_printed(const char *path, const char *sscc, int width_mm)
{
	char cmd[768], out[4096], want[64], png[160];

	snprintf(png, sizeof(png), "%s.png", path);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/label_raster.py "
		 "%s %s", getenv("SKLAD_SRC"), path, png);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/zxing_read.py "
		 "%s Code128", getenv("SKLAD_SRC"), png);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "Code128 ]C1 00%s\n", sscc);
	assert_string_equal(out, want);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/zxing_read.py "
		 "%s DataMatrix %s", getenv("SKLAD_SRC"), png,
		 width_mm < 80 ? "0.5 0 1 0.6" : "0.15 0.3 0.85 0.7");
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "DataMatrix ]d2 00%s\n", sscc);
	assert_string_equal(out, want);
}

/* Every size, resolution and format; PNGs read by two readers, ZPL and
 * TSPL drawn as a printer would and read too. */
static void
test_render_every_size(void **state)
{
	static const int sizes[][2] = { { 58, 40 }, { 100, 150 } };
	static const int dpis[] = { 203, 300 };
	struct lb_label l;
	char dir[] = "/tmp/sklad-lb-XXXXXX", path[128];
	int s, d, f, serial;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (serial = 1; serial <= 2; serial++)
		for (s = 0; s < 2; s++)
			for (d = 0; d < 2; d++)
				for (f = 0; f < 3; f++) {
	struct lb_size sz = { sizes[s][0], sizes[s][1], dpis[d], false };
	char *body;
	size_t len;
	struct err e;
	FILE *fp;

	memset(&l, 0, sizeof(l));
	assert_int_equal(mark_sscc_make(1, "4600439",
					(uint64_t)serial * 7919, l.sscc), 0);
	l.count = 24;
	snprintf(l.gtin, sizeof(l.gtin), "04600439931256");
	snprintf(l.product, sizeof(l.product), "Молоко 3,2%% 1 л");
	snprintf(l.level, sizeof(l.level), "box");
	snprintf(l.date, sizeof(l.date), "2026-12-02");
	snprintf(l.station, sizeof(l.station), "pack-1");
	snprintf(l.operator_name, sizeof(l.operator_name), "ivan");
	assert_int_equal(lb_render(&l, &sz, (enum lb_format)f, &body, &len,
				   &e), 0);
	assert_true(len > 100);
	if (f == LB_ZPL) {
		assert_memory_equal(body, "^XA", 3);
		assert_non_null(strstr(body, "^GFA,"));
		/* printer fonts: the text is in the ZPL */
		assert_non_null(strstr(body, "(00) 1 4600439"));
	} else if (f == LB_TSPL) {
		assert_memory_equal(body, "SIZE ", 5);
		assert_non_null(memmem(body, len, "BITMAP ", 7));
		assert_non_null(memmem(body, len, "PRINT 1,1\r\n", 11));
		assert_non_null(memmem(body, len, "(00) 1 4600439", 14));
	} else {
		snprintf(path, sizeof(path), "%s/l-%d-%d.png", dir, s, d);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(body, 1, len, fp), len);
		fclose(fp);
		check_png(path, l.sscc, sz.width_mm);
	}
	free(body);
	/* the printer languages drawn as a printer would (text as images
	 * this time), read by zxing-cpp */
	if (serial == 1 && f != LB_PNG) {
		sz.text_image = true;
		assert_int_equal(lb_render(&l, &sz, (enum lb_format)f, &body,
					   &len, &e), 0);
		assert_null(memmem(body, len, "4600439 000000001", 17));
		snprintf(path, sizeof(path), "%s/l-%d-%d.%s", dir, s, d,
			 lb_format_name((enum lb_format)f));
		fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(body, 1, len, fp), len);
		fclose(fp);
		free(body);
		check_printed(path, l.sscc, sz.width_mm);
	}
				}
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* A label photographed askew, smaller, with a margin: still read. */
static void
test_verify_rotated_scaled(void **state)
{
	struct lb_size sz = { 58, 40, 203, false };
	struct lb_label l = { .count = -1 };
	struct lb_image img, rot;
	struct lb_decoded d;
	struct err e;
	char *body, path[] = "/tmp/sklad-lb-XXXXXX", cmd[256], out[4096];
	size_t len;
	int fd, x, y;
	double a = 0.5, sc = 0.8, c = cos(a), s = sin(a);
	FILE *fp;

	(void)state;
	assert_int_equal(mark_sscc_make(1, "4600439", 4242, l.sscc), 0);
	assert_int_equal(lb_render(&l, &sz, LB_PNG, &body, &len, &e), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
	close(fd);
	free(body);
	assert_int_equal(lb_image_load(path, &img, &e), 0);
	/* rotate by ~29 degrees about the centre, scale 0.8, 60 px margin */
	rot.w = img.w + 120;
	rot.h = img.w + 120;
	rot.px = malloc((size_t)rot.w * (size_t)rot.h);
	assert_non_null(rot.px);
	for (y = 0; y < rot.h; y++)
		for (x = 0; x < rot.w; x++) {
			double dx = (x - rot.w / 2.0) / sc;
			double dy = (y - rot.h / 2.0) / sc;
			int sx = (int)(c * dx + s * dy + img.w / 2.0);
			int sy = (int)(-s * dx + c * dy + img.h / 2.0);

			rot.px[y * rot.w + x] = sx >= 0 && sy >= 0 &&
				sx < img.w && sy < img.h ?
				img.px[sy * img.w + sx] : 255;
		}
	assert_int_equal(lb_decode(&rot, 0, &d, &e), 0);
	assert_true(d.gs1);
	assert_int_equal(d.len, 20);
	assert_memory_equal(d.data + 2, l.sscc, 18);
	/* the same through the command line, as a binary PGM */
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fprintf(fp, "P5\n# askew\n%d %d\n255\n", rot.w, rot.h);
	assert_int_equal(fwrite(rot.px, 1, (size_t)rot.w * rot.h, fp),
			 (size_t)rot.w * rot.h);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "%s label verify %s", bin(), path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "gs1=yes"));
	assert_non_null(strstr(out, l.sscc));
	unlink(path);
	lb_image_free(&img);
	lb_image_free(&rot);
}

/* Command barcodes arrive with AIM identifiers from real scanners. */
static void
test_aim_command_barcodes(void **state)
{
	static const char *const ok[] = {
		"SKLAD:CLOSE", "]d1SKLAD:CLOSE", "]C0SKLAD:CLOSE",
		"]Q1SKLAD:CLOSE",
	};
	struct mark m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(mark_parse(ok[i], strlen(ok[i]), &m), 0);
		assert_int_equal(m.kind, MARK_COMMAND);
		assert_string_equal(m.command, "CLOSE");
	}
	/* a Code 128 without FNC1 is no marking code nor SSCC */
	assert_int_equal(mark_parse("]C000146004390000000010", 23, &m), -1);
	assert_int_equal(m.err.code, MARK_E_AIM_UNKNOWN);
	/* a GS1 symbol is not a command */
	assert_int_equal(mark_parse("]d2SKLAD:CLOSE", 14, &m), -1);
	assert_int_equal(mark_parse("]C1SKLAD:CLOSE", 14, &m), -1);
}

/* A sheet of command barcodes: each reads back as its command. */
static void
test_sheet(void **state)
{
	const char *items[] = { "SKLAD:CLOSE", "SKLAD:ACK" };
	struct lb_size sz = { 58, 40, 203, false };
	char path[] = "/tmp/sklad-lb-XXXXXX", cmd[512], out[4096];
	char *body;
	size_t len;
	struct err e;
	int fd;

	(void)state;
	assert_int_equal(lb_render_sheet(items, NULL, 2, &sz, LB_PNG, &body,
					 &len, &e), 0);
	fd = mkstemp(path);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
	close(fd);
	free(body);
	/* zxing reads the left one from the left half, as a plain
	 * DataMatrix (]d1) */
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/zxing_read.py "
		 "%s DataMatrix 0 0 0.5 1", getenv("SKLAD_SRC"), path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_string_equal(out, "DataMatrix ]d1 SKLAD:CLOSE\n");
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/zxing_read.py "
		 "%s DataMatrix 0.5 0 1 1", getenv("SKLAD_SRC"), path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_string_equal(out, "DataMatrix ]d1 SKLAD:ACK\n");
	/* and sklad's verify parses it as the command */
	snprintf(cmd, sizeof(cmd), "%s label verify %s", bin(), path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "OK command "));
	unlink(path);
}

static int preview_lines;

static void
count_line(void *arg, const char *utf8)
{
	(void)arg;
	assert_true(strlen(utf8) > 0);
	preview_lines++;
}

static void
test_preview(void **state)
{
	struct err e;

	(void)state;
	preview_lines = 0;
	assert_int_equal(lb_preview("00146004390000000010", 20, true,
				    count_line, NULL, &e), 0);
	/* 16 rows and a quiet row above and below, two rows a line */
	assert_int_equal(preview_lines, 9);
}

/* ---- printers ----------------------------------------------------------- */

/* A listening loopback socket; *port gets its port. rcvbuf > 0 sets a
 * small receive buffer (a printer whose buffer fills up). */
static int
listener(int *port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A fake 9100 printer in a child: takes one connection, writes all it
 * receives into path, exits. */
static pid_t
fake_printer(int lfd, const char *path)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int c = accept(lfd, NULL, NULL), out;
		char buf[8192];
		ssize_t n;

		out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				_exit(1);
		_exit(0);
	}
	return pid;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = malloc(1 << 20);

	assert_non_null(f);
	*len = fread(p, 1, 1 << 20, f);
	fclose(f);
	return p;
}

static void
test_fake_printer_gets_exact_bytes(void **state)
{
	struct lb_size sz = { 100, 150, 203, false };
	struct lb_label l = { .count = 12 };
	char got[] = "/tmp/sklad-lb-XXXXXX";
	int f;

	(void)state;
	assert_int_equal(mark_sscc_make(1, "4600439", 77, l.sscc), 0);
	close(mkstemp(got));
	for (f = LB_ZPL; f <= LB_TSPL; f++) {
		struct lb_printer p = { "", 3000, LB_STATUS_NONE };
		struct err e;
		char *body, *rx;
		size_t len, rxlen;
		int lfd, port, st;
		pid_t pid;

		assert_int_equal(lb_render(&l, &sz, (enum lb_format)f, &body,
					   &len, &e), 0);
		lfd = listener(&port, 0);
		pid = fake_printer(lfd, got);
		snprintf(p.uri, sizeof(p.uri), "tcp:127.0.0.1:%d", port);
		assert_int_equal(lb_print(&p, body, len, &e), 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		close(lfd);
		rx = slurp(got, &rxlen);
		assert_int_equal(rxlen, len);
		assert_memory_equal(rx, body, len);
		free(rx);
		free(body);
	}
	unlink(got);
}

/* A printer that answers the status question with answer (len bytes),
 * then saves the rest of what it gets into path. */
static pid_t
status_printer(int lfd, const char *answer, size_t len, const char *path)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int c = accept(lfd, NULL, NULL), out;
		char buf[8192];
		ssize_t n;

		out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		/* the question, exactly: ~HS CR LF, or ESC ! ? */
		size_t want = 1, have = 0;

		while (have < want && (n = read(c, buf + have, 1)) == 1)
			if (++have == 1)
				want = buf[0] == '~' ? 5 : 3;
		if (have != want || write(c, answer, len) != (ssize_t)len)
			_exit(1);
		while ((n = read(c, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				_exit(1);
		_exit(0);
	}
	return pid;
}

/* Asked first, a printer out of paper or open gets nothing; a ready one
 * gets the label after the question. */
static void
test_printer_status(void **state)
{
	static const char zpl_out[] =
		"\x02" "030,1,0,1245,000,0,0,0,000,0,0,0\x03\r\n"
		"\x02" "001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n"
		"\x02" "1234,0\x03\r\n";
	static const char zpl_open[] =
		"\x02" "030,0,0,1245,000,0,0,0,000,0,0,0\x03\r\n"
		"\x02" "001,0,1,0,1,2,6,0,00000000,1,000\x03\r\n"
		"\x02" "1234,0\x03\r\n";
	static const char zpl_ready[] =
		"\x02" "030,0,0,1245,000,0,0,0,000,0,0,0\x03\r\n"
		"\x02" "001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n"
		"\x02" "1234,0\x03\r\n";
	static const struct {
		enum lb_status st;
		const char *answer;
		size_t len;
		const char *why;	/* NULL: printed */
	} cases[] = {
		{ LB_STATUS_ZPL, zpl_out, sizeof(zpl_out) - 1, "paper out" },
		{ LB_STATUS_ZPL, zpl_open, sizeof(zpl_open) - 1, "head open" },
		{ LB_STATUS_ZPL, zpl_ready, sizeof(zpl_ready) - 1, NULL },
		{ LB_STATUS_TSPL, "\x04", 1, "paper out" },
		{ LB_STATUS_TSPL, "\x40", 1, "open" },
		{ LB_STATUS_TSPL, "\x00", 1, NULL },
	};
	char got[] = "/tmp/sklad-lb-XXXXXX";
	const char label[] = "^XA^FDtest^FS^XZ\n";
	size_t i;

	(void)state;
	close(mkstemp(got));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lb_printer p = { "", 3000, cases[i].st };
		struct err e;
		char *rx;
		size_t rxlen;
		int lfd, port, st, rc;
		pid_t pid;

		lfd = listener(&port, 0);
		pid = status_printer(lfd, cases[i].answer, cases[i].len, got);
		snprintf(p.uri, sizeof(p.uri), "tcp:127.0.0.1:%d", port);
		rc = lb_print(&p, label, sizeof(label) - 1, &e);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		close(lfd);
		rx = slurp(got, &rxlen);
		if (cases[i].why != NULL) {
			assert_int_equal(rc, ERR_NET);
			assert_non_null(strstr(e.msg, cases[i].why));
			assert_int_equal(rxlen, 0);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(rxlen, sizeof(label) - 1);
			assert_memory_equal(rx, label, rxlen);
		}
		free(rx);
	}
	unlink(got);
}

/* The station's label settings: a typo names its line. */
static void
test_config(void **state)
{
	char path[] = "/tmp/sklad-lb-XXXXXX";
	struct lb_config c;
	struct err e;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "[labels]\nprinter = z\nprint_on = open\nconfirm = no\n"
		"[printer z]\nuri = cups:Zebra\nformat = tspl\nsize = 58x40\n"
		"dpi = 300\nstatus = yes\n");
	fclose(f);
	assert_int_equal(lb_config_load(path, &c, &e), 0);
	assert_int_equal(c.print_on, LB_ON_OPEN);
	assert_false(c.confirm);
	assert_non_null(lb_config_printer(&c, NULL));
	assert_string_equal(lb_config_printer(&c, NULL)->p.uri, "cups:Zebra");
	assert_int_equal(lb_config_printer(&c, "z")->format, LB_TSPL);
	assert_int_equal(lb_config_printer(&c, "z")->size.width_mm, 58);
	assert_int_equal(lb_config_printer(&c, "z")->size.dpi, 300);
	assert_int_equal(lb_config_printer(&c, "z")->p.status,
			 LB_STATUS_TSPL);
	f = fopen(path, "w");
	fprintf(f, "[labels]\nprinter = z\n[printer z]\nuri = tcp:x\n"
		"fromat = zpl\n");
	fclose(f);
	assert_int_equal(lb_config_load(path, &c, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "line 5"));
	f = fopen(path, "w");
	fprintf(f, "[labels]\nprinter = y\n[printer z]\nuri = tcp:x\n");
	fclose(f);
	assert_int_equal(lb_config_load(path, &c, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "[printer y]"));
	unlink(path);
}

struct jobs_seen {
	int n;
	struct st_label_job last;
};

static int
seen(void *arg, const struct st_label_job *j)
{
	struct jobs_seen *s = arg;

	if (s->n++ == 0)
		s->last = *j;
	return 0;
}

static struct st_label_job
job_now(struct st_db *db, int64_t id)
{
	struct st_label_job j;
	struct err e;

	assert_int_equal(st_label_get(db, id, &j, &e), 0);
	st_label_job_free(&j);
	return j;
}

/* Refused, hung, then a working printer: the job waits, then prints. */
static void
test_queue_survives_printer_away(void **state)
{
	struct site_fx f;
	struct lb_config cfg;
	struct lb_printer_conf *pc;
	struct st_pack pk;
	struct st_label_job j;
	struct jobs_seen s = { 0 };
	struct err e;
	char got[] = "/tmp/sklad-lb-XXXXXX";
	char *rx;
	size_t rxlen;
	int64_t id;
	int lfd, port, st;
	pid_t pid;

	(void)state;
	site_fx_open(&f, NULL);
	assert_int_equal(st_pack_open(f.db, &f.op, ST_BOX, NULL, NULL, NULL,
				      &pk, &e), 0);
	lb_config_defaults(&cfg);
	cfg.max_attempts = 3;
	snprintf(cfg.printer, sizeof(cfg.printer), "zebra");
	cfg.nprinters = 1;
	pc = &cfg.printers[0];
	snprintf(pc->name, sizeof(pc->name), "zebra");
	pc->format = LB_TSPL;	/* uncompressed: fills a small buffer */
	pc->size = (struct lb_size){ 100, 150, 300, false };
	pc->p.timeout_ms = 300;
	/* refused: nobody listens on the port */
	lfd = listener(&port, 0);
	close(lfd);
	snprintf(pc->p.uri, sizeof(pc->p.uri), "tcp:127.0.0.1:%d", port);
	assert_int_equal(lbj_queue(f.db, &f.op, &cfg, pc, pk.sscc, "close",
				   &id, &e), 0);
	assert_int_equal(lbj_send(f.db, &cfg, id, &e), ERR_NET);
	assert_non_null(strstr(e.msg, "tcp:127.0.0.1"));
	j = job_now(f.db, id);
	assert_string_equal(j.state, "queued");
	assert_int_equal(j.attempts, 1);
	assert_non_null(strstr(j.last_error, "cannot be reached"));
	/* hung: takes the connection, never reads */
	lfd = listener(&port, 2048);
	snprintf(pc->p.uri, sizeof(pc->p.uri), "tcp:127.0.0.1:%d", port);
	assert_int_equal(lbj_send(f.db, &cfg, id, &e), ERR_NET);
	assert_non_null(strstr(e.msg, "took the connection but not"));
	close(lfd);
	j = job_now(f.db, id);
	assert_string_equal(j.state, "queued");
	assert_int_equal(j.attempts, 2);
	/* nothing to confirm before it printed */
	assert_int_equal(st_label_confirm(f.db, &f.op, pk.sscc, &e),
			 ERR_NOTFOUND);
	/* the printer is back: the queued bytes print exactly */
	close(mkstemp(got));
	lfd = listener(&port, 0);
	pid = fake_printer(lfd, got);
	snprintf(pc->p.uri, sizeof(pc->p.uri), "tcp:127.0.0.1:%d", port);
	assert_int_equal(st_label_next(f.db, "zebra", &j, &e), 1);
	assert_int_equal(j.id, id);
	assert_int_equal(lbj_send(f.db, &cfg, id, &e), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(lfd);
	rx = slurp(got, &rxlen);
	assert_int_equal(rxlen, j.body_len);
	assert_memory_equal(rx, j.body, rxlen);
	free(rx);
	st_label_job_free(&j);
	unlink(got);
	j = job_now(f.db, id);
	assert_string_equal(j.state, "printed");
	assert_int_equal(st_label_next(f.db, "zebra", &j, &e), 0);
	/* scan-to-confirm records it */
	assert_int_equal(st_label_confirmed(f.db, pk.sscc, &e), 0);
	assert_int_equal(st_label_confirm(f.db, &f.op, pk.sscc, &e), 0);
	assert_int_equal(st_label_confirmed(f.db, pk.sscc, &e), 1);
	assert_int_equal(st_label_jobs(f.db, pk.sscc, 10, seen, &s, &e), 0);
	assert_int_equal(s.n, 1);
	assert_true(s.last.confirmed_at[0] != '\0');
	/* three failed tries and a job is failed; retry queues it again */
	assert_int_equal(lbj_queue(f.db, &f.op, &cfg, pc, pk.sscc, "reprint",
				   &id, &e), 0);
	lfd = listener(&port, 0);
	close(lfd);
	snprintf(pc->p.uri, sizeof(pc->p.uri), "tcp:127.0.0.1:%d", port);
	assert_true(lbj_send(f.db, &cfg, id, &e) < 0);
	assert_true(lbj_send(f.db, &cfg, id, &e) < 0);
	assert_true(lbj_send(f.db, &cfg, id, &e) < 0);
	assert_string_equal(job_now(f.db, id).state, "failed");
	assert_int_equal(st_label_retry(f.db, &f.op, id, &e), 0);
	j = job_now(f.db, id);
	assert_string_equal(j.state, "queued");
	assert_int_equal(j.attempts, 0);
	/* void: a supervisor only */
	assert_int_equal(st_label_void(f.db, &f.op, id, &e), ERR_DENIED);
	assert_string_equal(job_now(f.db, id).state, "queued");
	assert_int_equal(st_label_void(f.db, &f.sup, id, &e), 0);
	assert_string_equal(job_now(f.db, id).state, "voided");
	assert_int_equal(st_label_void(f.db, &f.sup, id, &e), ERR_NOTFOUND);
	assert_int_equal(site_fx_close(&f), 0);
}

/* The label of a stored pack carries its facts. */
static void
test_label_facts(void **state)
{
	struct site_fx f;
	struct st_pack pk;
	struct st_product p;
	struct lb_label l;
	struct mark m;
	struct err e;
	const char *unit = "0104600439931256215bCz6iW;XX9N3\x1d" "91EE06\x1d"
			   "92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=";

	(void)state;
	site_fx_open(&f, NULL);
	assert_int_equal(st_pack_open(f.db, &f.op, ST_BOX, NULL, NULL, NULL,
				      &pk, &e), 0);
	m = site_fx_parsed(unit);
	assert_int_equal(st_pack_scan(f.db, &f.op, pk.sscc, &m, unit,
				      strlen(unit), &pk, &e), 0);
	assert_int_equal(lbj_label(f.db, pk.sscc, NULL, NULL, &l, &e), 0);
	assert_string_equal(l.sscc, pk.sscc);
	assert_string_equal(l.level, "box");
	assert_int_equal(l.count, 1);
	assert_string_equal(l.gtin, "04600439931256");
	assert_string_equal(l.product, "");
	assert_string_equal(l.operator_name, "ivan");
	assert_int_equal(l.gcp_len, 7);
	/* once the catalogue names the GTIN, the label carries the name */
	assert_int_equal(st_product_check("04600439931256", "Молоко 3,2% 1 л",
					  "шт", NULL, &p, &e), 0);
	assert_int_equal(st_catalogue_store(f.db, &f.sup, "erp.csv", &p, 1,
					    &e), 0);
	assert_int_equal(lbj_label(f.db, pk.sscc, NULL, NULL, &l, &e), 0);
	assert_string_equal(l.product, "Молоко 3,2% 1 л");
	assert_int_equal(lbj_label(f.db, "146004390000000011", NULL, NULL, &l,
				   &e), ERR_INVALID);
	assert_int_equal(site_fx_close(&f), 0);
}

/* sklad label print --printer, list, retry, void through the binary. */
static void
test_cli_queue(void **state)
{
	struct site_fx f;
	struct st_pack pk;
	struct err e;
	char conf[128], got[] = "/tmp/sklad-lb-XXXXXX", cmd[1024];
	char out[8192];
	FILE *fp;
	int lfd, port, st;
	pid_t pid;

	(void)state;
	site_fx_open(&f, NULL);
	assert_int_equal(st_pack_open(f.db, &f.op, ST_BOX, NULL, NULL, NULL,
				      &pk, &e), 0);
	st_close(&f.db);
	/* a printer nobody listens to */
	lfd = listener(&port, 0);
	close(lfd);
	snprintf(conf, sizeof(conf), "%s/labels.conf", f.dir);
	fp = fopen(conf, "w");
	assert_non_null(fp);
	fprintf(fp, "[labels]\nprinter = zebra\n[printer zebra]\n"
		"uri = tcp:127.0.0.1:%d\nsize = 58x40\ntimeout_ms = 500\n",
		port);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "%s label print --db %s --config %s "
		 "--sscc %s --printer zebra 2>&1", bin(), f.path, conf,
		 pk.sscc);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "cannot be reached"));
	assert_non_null(strstr(out, "stays queued as job 1"));
	snprintf(cmd, sizeof(cmd), "%s label list --db %s --json", bin(),
		 f.path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"state\":\"queued\",\"attempts\":1"));
	/* the printer is back on that port: retry prints the same bytes */
	close(mkstemp(got));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons((uint16_t)port) };
		int one = 1;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)),
				 0);
		assert_int_equal(listen(lfd, 4), 0);
	}
	pid = fake_printer(lfd, got);
	snprintf(cmd, sizeof(cmd), "%s label retry --db %s --config %s 1 "
		 "2>&1", bin(), f.path, conf);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Label job 1 printed"));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(lfd);
	{
		size_t n;
		char *rx = slurp(got, &n);

		assert_true(n > 100);
		assert_memory_equal(rx, "^XA", 3);
		free(rx);
	}
	unlink(got);
	/* void: an operator may not, a supervisor may; both audited */
	snprintf(cmd, sizeof(cmd), "SKLAD_PIN=%s %s label void --db %s "
		 "--user ivan 1 2>&1", SITE_FX_PIN, bin(), f.path);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "Only a supervisor"));
	snprintf(cmd, sizeof(cmd), "SKLAD_PIN=%s %s label void --db %s "
		 "--user olga 1 2>&1", SITE_FX_PIN, bin(), f.path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "%s label list --db %s", bin(), f.path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "voided"));
	assert_int_equal(st_open(f.path, false, &f.db, &e), 0);
	/* a job whose tries all failed needs a person: list exits 1 and
	 * says so until it is retried or voided */
	{
		int64_t id;

		assert_int_equal(st_label_queue(f.db, &f.op, pk.sscc, "zebra",
						"zpl", "reprint", "^XA^XZ", 6,
						&id, &e), 0);
		assert_int_equal(st_label_tried(f.db, id, "out of paper", 1,
						&e), 0);
		snprintf(cmd, sizeof(cmd), "%s label list --db %s 2>&1",
			 bin(), f.path);
		assert_int_equal(run(cmd, out, sizeof(out)), 1);
		assert_non_null(strstr(out, "out of paper"));
		assert_non_null(strstr(out, "1 label job failed"));
		snprintf(cmd, sizeof(cmd), "SKLAD_PIN=%s %s label void --db "
			 "%s --user olga %lld 2>&1", SITE_FX_PIN, bin(),
			 f.path, (long long)id);
		assert_int_equal(run(cmd, out, sizeof(out)), 0);
		snprintf(cmd, sizeof(cmd), "%s label list --db %s 2>&1",
			 bin(), f.path);
		assert_int_equal(run(cmd, out, sizeof(out)), 0);
	}
	assert_int_equal(site_fx_close(&f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_layout),
		cmocka_unit_test(test_damaged_not_read),
		cmocka_unit_test(test_mismatch_refused),
		cmocka_unit_test(test_gs1_128_modules),
		cmocka_unit_test(test_sscc_human),
		cmocka_unit_test(test_render_every_size),
		cmocka_unit_test(test_verify_rotated_scaled),
		cmocka_unit_test(test_aim_command_barcodes),
		cmocka_unit_test(test_sheet),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_fake_printer_gets_exact_bytes),
		cmocka_unit_test(test_queue_survives_printer_away),
		cmocka_unit_test(test_label_facts),
		cmocka_unit_test(test_printer_status),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_cli_queue),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
