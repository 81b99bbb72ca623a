/*
 * render: a label laid out once, drawn into a grey canvas, checked there,
 * and written as ZPL II, TSPL or PNG.
 *
 * The symbols are always drawn into the canvas first and checked there:
 * the DataMatrix is decoded back with libdmtx from the canvas (with the
 * quiet zone around it), the GS1-128 is sampled module by module against
 * libzint's row. The ZPL ^GF and TSPL BITMAP graphics are then cut from
 * that same canvas, so the printer gets exactly the checked dots. Text is
 * drawn into the canvas only for PNG; printers use their own fonts.
 */
#include <libintl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"
#include "labels/render.h"
#include "scanners/i18n.h"


/* A growing output buffer; on allocation failure it keeps failed set
 * and stops growing. */
struct sbuf {
	char *p;
	size_t n, cap;
	bool failed;
};

static void
sb_add(struct sbuf *b, const void *s, size_t n)
{
	if (b->failed)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		       sizeof(tmp) - 1);
}

static int
mm(const struct lb_layout *L, double v)
{
	return (int)(v * L->dpi / 25.4 + 0.5);
}

void
lb_layout_free(struct lb_layout *L)
{
	int i;

	for (i = 0; i < L->n; i++)
		lb_matrix_free(&L->it[i].mx);
	L->n = 0;
}

static struct lb_item *
add_item(struct lb_layout *L, enum lb_item_kind kind, int x, int y)
{
	struct lb_item *it;

	if (L->n >= LB_ITEMS_MAX)
		return NULL;
	it = &L->it[L->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->x = x;
	it->y = y;
	return it;
}

static void add_text(struct lb_layout *L, int x, int y, int h, int w,
		     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void
add_text(struct lb_layout *L, int x, int y, int h, int w, const char *fmt,
	 ...)
{
	struct lb_item *it = add_item(L, LB_TEXT, x, y);
	va_list ap;

	if (it == NULL)
		return;
	it->h = h;
	it->w = w;
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

/* The modules of a DataMatrix, not placed yet (x, y, module later). */
static struct lb_item *
add_dm(struct lb_layout *L, const char *data, size_t len, bool gs1,
       struct err *e)
{
	struct lb_item *it = add_item(L, LB_DM, 0, 0);

	if (it == NULL || len >= sizeof(it->text)) {
		err_set(e, ERR_INVALID, _("Too much on one label."));
		return NULL;
	}
	memcpy(it->text, data, len);
	it->len = len;
	it->gs1 = gs1;
	if (lb_dm_encode(data, len, gs1, &it->mx, e) < 0) {
		L->n--;
		return NULL;
	}
	return it;
}

/* The label's lines of text from (tx, y), lines unit dots high (the first
 * a quarter more), tw wide; returns the row below the last. */
static int
add_lines(struct lb_layout *L, const struct lb_label *l, int tx, int tw,
	  int y, int unit)
{
	char level[64];

	if (l->product[0] != '\0') {
		add_text(L, tx, y, unit * 5 / 4, tw, "%s", l->product);
		y += unit * 5 / 4;
		if (l->gtin[0] != '\0')
			add_text(L, tx, y, unit, tw, "GTIN %s%s", l->gtin,
				 l->more_gtins > 0 ? " +" : "");
	} else if (l->gtin[0] != '\0') {
		add_text(L, tx, y, unit * 5 / 4, tw, "GTIN %s", l->gtin);
		y += unit * 5 / 4;
		if (l->more_gtins > 0)
			add_text(L, tx, y, unit, tw, _("and %d more GTINs"),
				 l->more_gtins);
	} else {
		y += unit * 5 / 4;
	}
	y += unit;
	snprintf(level, sizeof(level), "%s", strcmp(l->level, "pallet") == 0 ?
		 _("Pallet") : strcmp(l->level, "box") == 0 ? _("Box") :
		 "SSCC");
	if (l->count >= 0)
		add_text(L, tx, y, unit, tw, _("%s: %d pcs."), level, l->count);
	else
		add_text(L, tx, y, unit, tw, "%s", level);
	y += unit;
	add_text(L, tx, y, unit, tw, "%s  %s", l->date, l->station);
	y += unit;
	if (l->operator_name[0] != '\0') {
		add_text(L, tx, y, unit, tw, _("Packed by %s"),
			 l->operator_name);
		y += unit;
	}
	return y;
}

/* ---- the logistic label ------------------------------------------------ */

int
lb_layout_label(const struct lb_label *l, const struct lb_size *sz,
	     struct lb_layout *L, struct err *e)
{
	struct lb_item *dm, *bars;
	char data[4 + MARK_SSCC_LEN], human[32];
	int m, bm, X, bh, th, by, top, top_h, mod, unit, y;
	bool small = sz->width_mm < 80;

	memset(L, 0, sizeof(*L));
	L->dpi = sz->dpi;
	L->text_image = sz->text_image;
	L->w = mm(L, sz->width_mm);
	L->h = mm(L, sz->height_mm);
	m = mm(L, small ? 2 : 4);
	snprintf(data, sizeof(data), "00%s", l->sscc);
	/* the GS1-128: as wide as fits, up to 0.5 mm a module */
	bars = add_item(L, LB_BARS, 0, 0);
	snprintf(bars->text, sizeof(bars->text), "[00]%s", l->sscc);
	if (lb_gs1_128_encode(bars->text, &bars->mx, e) < 0)
		goto fail;
	bm = bars->mx.w;
	X = (L->w - 2 * m) / (bm + 20);
	if (X > mm(L, 0.5))
		X = mm(L, 0.5) > 2 ? mm(L, 0.5) : 2;
	if (X < 2) {
		err_set(e, ERR_INVALID, _("A %dx%d mm label at %d dpi is too "
			"narrow for the GS1-128 of an SSCC."), sz->width_mm,
			sz->height_mm, sz->dpi);
		goto fail;
	}
	th = mm(L, small ? 3.5 : 6);
	bh = L->h * 22 / 100;
	by = L->h - m - th - mm(L, 1) - bh;
	bars->module = X;
	bars->h = bh;
	bars->x = (L->w - X * bm) / 2;
	bars->y = by;
	lb_sscc_human(l->sscc, l->gcp_len, human);
	add_text(L, bars->x, L->h - m - th, th, L->w - bars->x - m, "%s",
		 human);
	dm = add_dm(L, data, strlen(data), true, e);
	if (dm == NULL)
		goto fail;
	top = m;
	top_h = by - mm(L, 2) - top;
	if (sz->height_mm > sz->width_mm) {
		/* a tall label: the text across the top, the DataMatrix
		 * large in the middle */
		unit = top_h / 12 < mm(L, 7) ? top_h / 12 : mm(L, 7);
		y = add_lines(L, l, m, L->w - 2 * m, top, unit);
		top_h = by - mm(L, 3) - (y + mm(L, 3));
		mod = top_h / (dm->mx.h + 4);
		if (mod > (L->w - 2 * m) / (dm->mx.w + 4))
			mod = (L->w - 2 * m) / (dm->mx.w + 4);
		if (mod > mm(L, 1.5))
			mod = mm(L, 1.5);
		dm->module = mod;
		dm->x = (L->w - mod * dm->mx.w) / 2;
		dm->y = y + mm(L, 3) + (top_h - mod * dm->mx.h) / 2;
	} else {
		/* a wide one: the DataMatrix at the top right, the text
		 * on its left */
		mod = top_h / (dm->mx.h + 2);
		if (mod > (L->w / 3) / (dm->mx.w + 2))
			mod = (L->w / 3) / (dm->mx.w + 2);
		if (mod > mm(L, 1.0))
			mod = mm(L, 1.0);
		dm->module = mod;
		dm->x = L->w - m - mod * dm->mx.w;
		dm->y = top + mod;
		unit = top_h / 6 < mm(L, 7) ? top_h / 6 : mm(L, 7);
		add_lines(L, l, m, dm->x - 2 * mod - m, top, unit);
	}
	if (mod < 2) {
		err_set(e, ERR_INVALID, _("A %dx%d mm label at %d dpi has no "
			"room for the DataMatrix."), sz->width_mm,
			sz->height_mm, sz->dpi);
		goto fail;
	}
	return 0;
fail:
	lb_layout_free(L);
	return e->code != 0 ? e->code : ERR_INVALID;
}

/* ---- canvas and checks ------------------------------------------------- */

static void
fill(struct lb_image *img, int x, int y, int w, int h)
{
	int i;

	for (; h > 0; h--, y++)
		if (y >= 0 && y < img->h)
			for (i = x < 0 ? 0 : x; i < x + w && i < img->w; i++)
				img->px[y * img->w + i] = 0;
}

int
lb_compose(const struct lb_layout *L, struct lb_image *img, bool text,
	struct err *e)
{
	int i, x, y, rc;

	img->w = L->w;
	img->h = L->h;
	img->px = malloc((size_t)L->w * (size_t)L->h);
	if (img->px == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	memset(img->px, 255, (size_t)L->w * (size_t)L->h);
	for (i = 0; i < L->n; i++) {
		const struct lb_item *it = &L->it[i];

		if (it->kind == LB_TEXT) {
			if (text && (rc = lb_text_draw(img, it->x, it->y,
				     it->h, it->w, it->text, e)) < 0)
				return rc;
			continue;
		}
		for (y = 0; y < it->mx.h; y++)
			for (x = 0; x < it->mx.w; x++)
				if (it->mx.m[y * it->mx.w + x])
					fill(img, it->x + x * it->module,
					     it->y + y * it->module,
					     it->module, it->kind == LB_BARS ?
					     it->h : it->module);
	}
	return 0;
}

/* Item it's dots with a quiet zone of q dots, as a new image. */
static int
crop(const struct lb_image *img, const struct lb_item *it, int q,
     struct lb_image *out, struct err *e)
{
	int w = it->mx.w * it->module + 2 * q;
	int h = (it->kind == LB_BARS ? it->h : it->mx.h * it->module) + 2 * q;
	int x, y;

	out->w = w;
	out->h = h;
	out->px = malloc((size_t)w * (size_t)h);
	if (out->px == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			int sx = it->x - q + x, sy = it->y - q + y;

			out->px[y * w + x] = sx < 0 || sy < 0 || sx >= img->w ||
					     sy >= img->h ? 255 :
					     img->px[sy * img->w + sx];
		}
	return 0;
}

/* Read item it back from the canvas: libdmtx for a DataMatrix, each
 * module's dots at three heights for bars. */
static int
check_item(const struct lb_image *img, const struct lb_item *it,
	   struct err *e)
{
	struct lb_decoded d;
	struct lb_image c;
	int rc, x, k;

	if (it->kind == LB_BARS) {
		for (x = 0; x < it->mx.w; x++)
			for (k = 1; k <= 3; k++) {
				int px = it->x + x * it->module +
					 it->module / 2;
				int py = it->y + it->h * k / 4;

				if ((img->px[py * img->w + px] < 128) !=
				    (it->mx.m[x] != 0))
					return err_set(e, ERR_INTERNAL,
						_("The GS1-128 drawn for %s "
						  "differs from libzint's "
						  "at module %d: no label."),
						it->text, x + 1);
			}
		return 0;
	}
	rc = crop(img, it, 2 * it->module, &c, e);
	if (rc < 0)
		return rc;
	rc = lb_decode(&c, 2000, &d, e);
	lb_image_free(&c);
	if (rc < 0) {
		char why[ERR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", e->msg);
		return err_set(e, ERR_INTERNAL, _("The DataMatrix drawn cannot "
			       "be read back (%s): no label."), why);
	}
	if (d.len != it->len || memcmp(d.data, it->text, d.len) != 0 ||
	    d.gs1 != it->gs1)
		return err_set(e, ERR_INTERNAL, _("The DataMatrix drawn reads "
			       "back as something else: no label."));
	return 0;
}

int
lb_check_drawn(const struct lb_layout *L, const struct lb_image *img,
	  struct err *e)
{
	int i, rc;

	for (i = 0; i < L->n; i++)
		if (L->it[i].kind != LB_TEXT &&
		    (rc = check_item(img, &L->it[i], e)) < 0)
			return rc;
	return 0;
}

/* ---- output languages -------------------------------------------------- */

/* The dots item it takes on the canvas (cut at its edges). */
static void
item_box(const struct lb_image *img, const struct lb_item *it, int *w,
	 int *h)
{
	*w = it->kind == LB_TEXT ? it->w : it->mx.w * it->module;
	*h = it->kind == LB_DM ? it->mx.h * it->module : it->h;
	if (it->x + *w > img->w)
		*w = img->w - it->x;
	if (it->y + *h > img->h)
		*h = img->h - it->y;
}

/* The 1-bit rows of item it from the canvas; ink says which bit value
 * prints (ZPL: 1, TSPL: 0). */
static void
bitmap(struct sbuf *b, const struct lb_image *img, const struct lb_item *it,
       int ink, bool hex, int *row_bytes, int *rows)
{
	char row[2 * 1024 + 2];
	int w, h, x, y;

	item_box(img, it, &w, &h);
	*row_bytes = (w + 7) / 8;
	*rows = h;
	if (b == NULL)
		return;
	for (y = 0; y < h; y++) {
		size_t n = 0;

		/* ZPL: ':' repeats the row above (bars and modules are
		 * runs of equal rows) */
		if (hex && y > 0 && memcmp(img->px + (it->y + y) * img->w +
					   it->x, img->px + (it->y + y - 1) *
					   img->w + it->x, (size_t)w) == 0) {
			sb_add(b, ":", 1);
			continue;
		}
		for (x = 0; x < *row_bytes * 8; x += 8) {
			unsigned v = 0;
			int k;

			for (k = 0; k < 8; k++) {
				int px = x + k;
				bool dark = px < w && img->px[(it->y + y) *
					    img->w + it->x + px] < 128;

				v |= (unsigned)(dark ? ink : !ink) << (7 - k);
			}
			if (hex && n + 2 < sizeof(row)) {
				snprintf(row + n, 3, "%02X", v);
				n += 2;
			} else if (!hex) {
				unsigned char c = (unsigned char)v;

				sb_add(b, &c, 1);
			}
		}
		if (!hex)
			continue;
		/* ZPL: ',' fills the rest of the row with white */
		if (n >= 2 && row[n - 1] == '0' && row[n - 2] == '0') {
			while (n >= 2 && row[n - 1] == '0' && row[n - 2] == '0')
				n -= 2;
			row[n++] = ',';
		}
		sb_add(b, row, n);
	}
}

static void
zpl_text(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '^' || *s == '~' || *s == '_')
			sb_printf(b, "_%02X", (unsigned char)*s);
		else
			sb_add(b, s, 1);
}

static void
out_zpl(const struct lb_layout *L, const struct lb_image *img,
	struct sbuf *b)
{
	int i, rb, rows;

	/* UTF-8 text, the label's width and length, origin top left */
	sb_printf(b, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", L->w, L->h);
	for (i = 0; i < L->n; i++) {
		const struct lb_item *it = &L->it[i];

		if (it->kind == LB_TEXT && !L->text_image) {
			sb_printf(b, "^FO%d,%d^A0N,%d,%d^FB%d,1,0,L,0^FH_^FD",
				  it->x, it->y, it->h * 4 / 5, it->h * 4 / 5,
				  it->w);
			zpl_text(b, it->text);
			sb_printf(b, "^FS\n");
			continue;
		}
		bitmap(NULL, img, it, 1, true, &rb, &rows);
		if (rb <= 0 || rows <= 0)
			continue;
		sb_printf(b, "^FO%d,%d^GFA,%d,%d,%d,", it->x, it->y, rb * rows,
			  rb * rows, rb);
		bitmap(b, img, it, 1, true, &rb, &rows);
		sb_printf(b, "^FS\n");
	}
	sb_printf(b, "^PQ1\n^XZ\n");
}

static void
out_tspl(const struct lb_layout *L, const struct lb_image *img,
	 struct sbuf *b)
{
	int i, rb, rows;

	sb_printf(b, "SIZE %d mm,%d mm\r\nGAP 2 mm,0 mm\r\nDIRECTION 1\r\n"
		  "CODEPAGE UTF-8\r\nCLS\r\n", L->w * 254 / L->dpi / 10 +
		  (L->w * 254 / L->dpi % 10 >= 5),
		  L->h * 254 / L->dpi / 10 + (L->h * 254 / L->dpi % 10 >= 5));
	for (i = 0; i < L->n; i++) {
		const struct lb_item *it = &L->it[i];
		const char *s;

		if (it->kind == LB_TEXT && !L->text_image) {
			/* font "0" is the printer's scalable font, sized in
			 * points */
			int pt = it->h * 72 * 4 / 5 / L->dpi;

			sb_printf(b, "TEXT %d,%d,\"0\",0,%d,%d,\"", it->x,
				  it->y, pt > 0 ? pt : 1, pt > 0 ? pt : 1);
			for (s = it->text; *s != '\0'; s++)
				if (*s == '"')
					sb_printf(b, "\\[\"]");
				else
					sb_add(b, s, 1);
			sb_printf(b, "\"\r\n");
			continue;
		}
		bitmap(NULL, img, it, 0, false, &rb, &rows);
		if (rb <= 0 || rows <= 0)
			continue;
		sb_printf(b, "BITMAP %d,%d,%d,%d,0,", it->x, it->y, rb, rows);
		bitmap(b, img, it, 0, false, &rb, &rows);
		sb_printf(b, "\r\n");
	}
	sb_printf(b, "PRINT 1,1\r\n");
}

static int
emit(struct lb_layout *L, enum lb_format f, char **out, size_t *len,
     struct err *e)
{
	struct lb_image img = { 0, 0, NULL };
	struct sbuf b = { NULL, 0, 0, false };
	int rc;

	*out = NULL;
	*len = 0;
	rc = lb_compose(L, &img, f == LB_PNG || L->text_image, e);
	if (rc == 0)
		rc = lb_check_drawn(L, &img, e);
	if (rc == 0) {
		if (f == LB_PNG)
			rc = lb_png_encode(&img, out, len, e);
		else if (f == LB_ZPL)
			out_zpl(L, &img, &b);
		else
			out_tspl(L, &img, &b);
	}
	lb_image_free(&img);
	lb_layout_free(L);
	if (rc < 0) {
		free(b.p);
		return rc;
	}
	if (f != LB_PNG) {
		if (b.failed) {
			free(b.p);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
		*out = b.p;
		*len = b.n;
	}
	return 0;
}

static int
check_size(const struct lb_size *sz, struct err *e)
{
	if (sz->dpi < 150 || sz->dpi > 600 || sz->width_mm < 20 ||
	    sz->height_mm < 20 || sz->width_mm > 300 || sz->height_mm > 300)
		return err_set(e, ERR_INVALID, _("A label is 20 to 300 mm a "
			       "side at 150 to 600 dpi, not %dx%d mm at %d "
			       "dpi."), sz->width_mm, sz->height_mm, sz->dpi);
	return 0;
}

int
lb_render(const struct lb_label *l, const struct lb_size *sz,
	  enum lb_format f, char **out, size_t *len, struct err *e)
{
	struct lb_layout *L;
	struct mark m;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = check_size(sz, e)) < 0)
		return rc;
	if (mark_sscc_check(l->sscc, strlen(l->sscc), &m) < 0 ||
	    strcmp(m.sscc, l->sscc) != 0)
		return err_set(e, ERR_INVALID, _("%s is not an SSCC (18 digits "
			       "with the right check digit)."), l->sscc);
	L = malloc(sizeof(*L));
	if (L == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	rc = lb_layout_label(l, sz, L, e);
	if (rc == 0)
		rc = emit(L, f, out, len, e);
	free(L);
	return rc;
}

int
lb_render_sheet(const char *const *items, const char *const *captions,
		size_t n, const struct lb_size *sz, enum lb_format f,
		char **out, size_t *len, struct err *e)
{
	struct lb_layout *L;
	int rc = 0, cols, cell_w, cell_h, rows, m, th;
	size_t i;

	*out = NULL;
	*len = 0;
	if ((rc = check_size(sz, e)) < 0)
		return rc;
	if (n == 0 || n > LB_ITEMS_MAX / 2)
		return err_set(e, ERR_INVALID, _("A sheet holds 1 to %d "
			       "barcodes."), LB_ITEMS_MAX / 2);
	L = calloc(1, sizeof(*L));
	if (L == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	L->dpi = sz->dpi;
	L->text_image = sz->text_image;
	L->w = mm(L, sz->width_mm);
	L->h = mm(L, sz->height_mm);
	m = mm(L, 4);
	th = mm(L, 4);
	/* cells of about 25 mm: a symbol and its caption */
	cols = (L->w - 2 * m) / mm(L, 25);
	cols = cols < 1 ? 1 : cols;
	rows = ((int)n + cols - 1) / cols;
	cell_w = (L->w - 2 * m) / cols;
	cell_h = (L->h - 2 * m) / rows;
	if (cell_h > cell_w + 2 * th)
		cell_h = cell_w + 2 * th;
	for (i = 0; i < n && rc == 0; i++) {
		int cx = m + (int)(i % (size_t)cols) * cell_w;
		int cy = m + (int)(i / (size_t)cols) * cell_h;
		struct lb_item *dm = add_dm(L, items[i], strlen(items[i]),
					    false, e);
		int mod, side;

		if (dm == NULL) {
			rc = e->code;
			break;
		}
		side = cell_w < cell_h - th ? cell_w : cell_h - th;
		mod = side / (dm->mx.w + 4);
		if (mod > mm(L, 1.0))
			mod = mm(L, 1.0);
		if (mod < 2) {
			rc = err_set(e, ERR_INVALID, _("The sheet is too small "
				     "for %zu barcodes."), n);
			break;
		}
		dm->module = mod;
		dm->x = cx + (cell_w - mod * dm->mx.w) / 2;
		dm->y = cy + 2 * mod;
		add_text(L, cx + mod, dm->y + mod * (dm->mx.h + 1), th,
			 cell_w - 2 * mod, "%s", captions != NULL &&
			 captions[i] != NULL ? captions[i] : items[i]);
	}
	if (rc == 0)
		rc = emit(L, f, out, len, e);
	else
		lb_layout_free(L);
	free(L);
	return rc;
}
