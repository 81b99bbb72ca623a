/*
 * image: grey images in and out of files: PNG through libpng's simplified
 * API, PNM (P1..P6) read here (a header and samples, nothing to inflate).
 */
#include <errno.h>
#include <libintl.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"

#define _(s) dgettext("sklad", s)
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

int
lb_png_encode(const struct lb_image *img, char **out, size_t *len,
	      struct err *e)
{
	png_image pi;
	png_alloc_size_t size = 0;

	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	pi.width = (png_uint_32)img->w;
	pi.height = (png_uint_32)img->h;
	pi.format = PNG_FORMAT_GRAY;
	*out = NULL;
	if (!png_image_write_get_memory_size(pi, size, 0, img->px, 0, NULL))
		return err_set(e, ERR_INTERNAL, "libpng: %s", pi.message);
	*out = malloc(size);
	if (*out == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (!png_image_write_to_memory(&pi, *out, &size, 0, img->px, 0,
				       NULL)) {
		free(*out);
		*out = NULL;
		return err_set(e, ERR_INTERNAL, "libpng: %s", pi.message);
	}
	*len = size;
	return 0;
}
