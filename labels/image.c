/*
 * image: grey images in and out of files: PNG through libpng's simplified
 * API, PNM (P1..P6) read here (a header and samples, nothing to inflate).
 */
#include <errno.h>
#include <libintl.h>
#include <png.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"
#include "scanners/i18n.h"

#define IMAGE_MAX_PIXELS (64L * 1024 * 1024)

void
lb_image_free(struct lb_image *img)
{
	free(img->px);
	img->px = NULL;
	img->w = img->h = 0;
}

static int
load_png(const char *path, struct lb_image *img, struct err *e)
{
	png_image pi;

	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&pi, path))
		return err_set(e, ERR_INVALID, _("%s: not a PNG image libpng "
			       "can read (%s)."), path, pi.message);
	pi.format = PNG_FORMAT_GRAY;
	if ((long)pi.width * (long)pi.height > IMAGE_MAX_PIXELS) {
		png_image_free(&pi);
		return err_set(e, ERR_INVALID, _("%s: the image is too large "
			       "(%ux%u)."), path, pi.width, pi.height);
	}
	img->px = malloc(PNG_IMAGE_SIZE(pi));
	if (img->px == NULL) {
		png_image_free(&pi);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (!png_image_finish_read(&pi, NULL, img->px, 0, NULL)) {
		lb_image_free(img);
		return err_set(e, ERR_INVALID, _("%s: the PNG is damaged (%s)."),
			       path, pi.message);
	}
	img->w = (int)pi.width;
	img->h = (int)pi.height;
	return 0;
}

/* The next header number of a PNM file, skipping blanks and comments. */
static long
pnm_number(FILE *f)
{
	int c;
	long v = 0;

	do {
		c = getc(f);
		if (c == '#')
			while (c != '\n' && c != EOF)
				c = getc(f);
	} while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	if (c < '0' || c > '9')
		return -1;
	while (c >= '0' && c <= '9' && v < 1000000) {
		v = v * 10 + (c - '0');
		c = getc(f);
	}
	return v;
}

static int
load_pnm(FILE *f, const char *path, int kind, struct lb_image *img,
	 struct err *e)
{
	long w = pnm_number(f), h = pnm_number(f), max = 1, i, n;
	int ch = kind == 3 || kind == 6 ? 3 : 1, bits = 0;

	if (kind != 1 && kind != 4)
		max = pnm_number(f);
	if (w <= 0 || h <= 0 || max <= 0 || max > 255 ||
	    w * h > IMAGE_MAX_PIXELS)
		return err_set(e, ERR_INVALID, _("%s: a PNM header sklad "
			       "cannot read (8-bit samples only)."), path);
	img->px = malloc((size_t)(w * h));
	if (img->px == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	img->w = (int)w;
	img->h = (int)h;
	n = w * h;
	for (i = 0; i < n; i++) {
		long s = 0, v;
		int k;

		if (kind == 4) {
			/* P4: 1 bit a pixel, 1 black, rows padded to bytes */
			long x = i % w;

			if (x % 8 == 0 && (bits = getc(f)) == EOF)
				goto short_file;
			img->px[i] = (bits >> (7 - x % 8)) & 1 ? 0 : 255;
			continue;
		}
		for (k = 0; k < ch; k++) {
			v = kind <= 3 ? pnm_number(f) : getc(f);
			if (v < 0)
				goto short_file;
			s += v;
		}
		s /= ch;
		if (kind == 1)
			s = s ? 0 : 255;
		else
			s = s * 255 / max;
		img->px[i] = (uint8_t)s;
	}
	return 0;
short_file:
	lb_image_free(img);
	return err_set(e, ERR_INVALID, _("%s: the PNM image ends early."),
		       path);
}

int
lb_image_load(const char *path, struct lb_image *img, struct err *e)
{
	unsigned char sig[8];
	FILE *f;
	int rc;

	memset(img, 0, sizeof(*img));
	f = fopen(path, "rb");
	if (f == NULL)
		return err_set(e, ERR_IO, _("Cannot open %s: %s."), path,
			       strerror(errno));
	if (fread(sig, 1, 8, f) < 2) {
		fclose(f);
		return err_set(e, ERR_INVALID, _("%s: too short to be an "
			       "image."), path);
	}
	if (png_sig_cmp(sig, 0, 8) == 0) {
		fclose(f);
		return load_png(path, img, e);
	}
	if (sig[0] == 'P' && sig[1] >= '1' && sig[1] <= '6') {
		fseek(f, 2, SEEK_SET);
		rc = load_pnm(f, path, sig[1] - '0', img, e);
		fclose(f);
		return rc;
	}
	fclose(f);
	return err_set(e, ERR_INVALID, _("%s: neither PNG nor PNM."), path);
}

/* libpng writes through this into a growing buffer. */
struct png_out {
	char *p;
	size_t n, cap;
	bool failed;
};

static void
png_write_mem(png_structp png, png_bytep data, size_t len)
{
	struct png_out *o = png_get_io_ptr(png);

	if (o->failed)
		return;
	if (o->n + len > o->cap) {
		size_t cap = (o->cap ? o->cap * 2 : 16384) + len;
		char *p = realloc(o->p, cap);

		if (p == NULL) {
			o->failed = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->n, data, len);
	o->n += len;
}

static void
png_flush_mem(png_structp png)
{
	(void)png;
}

int
lb_png_encode(const struct lb_image *img, char **out, size_t *len,
	      struct err *e)
{
	/* one bit a pixel: labels are black and white, and a 1-bit PNG is
	 * an eighth of the data to compress */
	struct png_out o = { NULL, 0, 0, false };
	png_structp png;
	png_infop info = NULL;
	png_bytep volatile row = NULL;
	volatile int rc = 0;
	int x, y;

	*out = NULL;
	*len = 0;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL ||
	    (row = malloc((size_t)(img->w + 7) / 8)) == NULL) {
		png_destroy_write_struct(&png, &info);
		return err_set(e, ERR_INTERNAL, "libpng: out of memory");
	}
	if (setjmp(png_jmpbuf(png))) {
		rc = err_set(e, ERR_INTERNAL, "libpng could not write the "
			     "image");
		goto out;
	}
	png_set_write_fn(png, &o, png_write_mem, png_flush_mem);
	png_set_IHDR(png, info, (png_uint_32)img->w, (png_uint_32)img->h, 1,
		     PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < img->h; y++) {
		memset(row, 0, (size_t)(img->w + 7) / 8);
		for (x = 0; x < img->w; x++)
			if (img->px[y * img->w + x] >= 128)
				row[x >> 3] |= (png_byte)(0x80 >> (x & 7));
		png_write_row(png, row);
	}
	png_write_end(png, info);
	if (o.failed)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
out:
	png_destroy_write_struct(&png, &info);
	free(row);
	if (rc < 0) {
		free(o.p);
		return rc;
	}
	*out = o.p;
	*len = o.n;
	return 0;
}
