/*
 * symbol: the two symbols of a label, made and read by libraries.
 *
 * DataMatrix comes from libdmtx (encode and decode), GS1-128 from libzint
 * (encode). No symbology is encoded by hand here: this file only moves
 * modules between the libraries and plain matrices.
 */
#include <dmtx.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#include "labels/labels.h"
#include "scanners/i18n.h"

/* The byte libdmtx is told stands for FNC1, in and out: it cannot occur
 * in GS1 data (ASCII only), so a GS in the data stays a GS. */
#define FNC1_BYTE 232

static const char *const format_names[] = { "zpl", "tspl", "png" };

int
lb_format_parse(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}

const char *
lb_format_name(enum lb_format f)
{
	return (unsigned)f < 3 ? format_names[f] : "?";
}

int
lb_size_parse(const char *s, struct lb_size *sz)
{
	char *end;
	long w, h;

	w = strtol(s, &end, 10);
	if (*end != 'x' && *end != 'X')
		return -1;
	h = strtol(end + 1, &end, 10);
	if (*end != '\0' || w < 20 || w > 300 || h < 20 || h > 300)
		return -1;
	sz->width_mm = (int)w;
	sz->height_mm = (int)h;
	return 0;
}

void
lb_sscc_human(const char *sscc, int gcp_len, char out[32])
{
	int g = gcp_len >= 6 && gcp_len <= 12 ? gcp_len : 7;

	if (strlen(sscc) != MARK_SSCC_LEN) {
		snprintf(out, 32, "(00) %.18s", sscc);
		return;
	}
	/* extension, prefix, serial reference, check digit */
	snprintf(out, 32, "(00) %c %.*s %.*s %c", sscc[0], g, sscc + 1,
		 16 - g, sscc + 1 + g, sscc[17]);
}

void
lb_matrix_free(struct lb_matrix *m)
{
	free(m->m);
	m->m = NULL;
	m->w = m->h = 0;
}

int
lb_dm_encode(const char *data, size_t n, bool gs1, struct lb_matrix *out,
	     struct err *e)
{
	unsigned char buf[MARK_SCAN_MAX + 2];
	DmtxEncode *enc;
	size_t i, k = 0;
	int x, y, w, h, v, rc = 0;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > MARK_SCAN_MAX)
		return err_set(e, ERR_INVALID, _("A DataMatrix holds 1 to %d "
			       "characters here, not %zu."), MARK_SCAN_MAX, n);
	if (gs1)
		buf[k++] = FNC1_BYTE;
	for (i = 0; i < n; i++) {
		if (gs1 && (unsigned char)data[i] >= 0x80)
			return err_set(e, ERR_INVALID, _("GS1 data is ASCII "
				       "only; byte %zu is not."), i + 1);
		buf[k++] = (unsigned char)data[i];
	}
	enc = dmtxEncodeCreate();
	if (enc == NULL)
		return err_set(e, ERR_INTERNAL, "libdmtx: out of memory");
	dmtxEncodeSetProp(enc, DmtxPropModuleSize, 1);
	dmtxEncodeSetProp(enc, DmtxPropMarginSize, 0);
	if (gs1)
		dmtxEncodeSetProp(enc, DmtxPropFnc1, FNC1_BYTE);
	if (dmtxEncodeDataMatrix(enc, (int)k, buf) == DmtxFail) {
		rc = err_set(e, ERR_INVALID, _("libdmtx cannot encode these "
			     "%zu characters as a DataMatrix."), n);
		goto out;
	}
	w = dmtxImageGetProp(enc->image, DmtxPropWidth);
	h = dmtxImageGetProp(enc->image, DmtxPropHeight);
	out->m = malloc((size_t)w * (size_t)h);
	if (out->m == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	out->w = w;
	out->h = h;
	/* libdmtx counts rows from the bottom */
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			dmtxImageGetPixelValue(enc->image, x, h - 1 - y, 0, &v);
			out->m[y * w + x] = v < 128;
		}
out:
	dmtxEncodeDestroy(&enc);
	return rc;
}

int
lb_gs1_128_encode(const char *bracketed, struct lb_matrix *out,
		  struct err *e)
{
	struct zint_symbol *s = ZBarcode_Create();
	int rc, x;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return err_set(e, ERR_INTERNAL, "libzint: out of memory");
	s->symbology = BARCODE_GS1_128;
	s->input_mode = GS1_MODE;
	rc = ZBarcode_Encode(s, (const unsigned char *)bracketed,
			     (int)strlen(bracketed));
	/* a warning (a bad check digit zint noticed) is refused too */
	if (rc != 0 || s->rows != 1 || s->width <= 0) {
		rc = err_set(e, ERR_INVALID, _("libzint cannot make a GS1-128 "
			     "of %s: %s"), bracketed, s->errtxt);
		ZBarcode_Delete(s);
		return rc;
	}
	out->m = malloc((size_t)s->width);
	if (out->m == NULL) {
		ZBarcode_Delete(s);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	out->w = s->width;
	out->h = 1;
	/* zint 2.11 keeps a row's modules as bits, least significant
	 * first (its module_is_set) */
	for (x = 0; x < s->width; x++)
		out->m[x] = (s->encoded_data[0][x >> 3] >> (x & 7)) & 1;
	ZBarcode_Delete(s);
	return 0;
}

/* Copy what libdmtx decoded into out as a scanner would send it. */
static int
take_message(const DmtxMessage *msg, struct lb_decoded *out, struct err *e)
{
	size_t i, k = 0;

	out->gs1 = msg->outputIdx > 0 && msg->output[0] == FNC1_BYTE;
	for (i = out->gs1; i < (size_t)msg->outputIdx; i++) {
		unsigned char c = msg->output[i];

		if (k >= MARK_SCAN_MAX)
			return err_set(e, ERR_INVALID, _("The DataMatrix "
				       "holds more than %d characters."),
				       MARK_SCAN_MAX);
		out->data[k++] = c == FNC1_BYTE ? MARK_GS : (char)c;
	}
	out->data[k] = '\0';
	out->len = k;
	return 0;
}

int
lb_decode(const struct lb_image *img, int timeout_ms, struct lb_decoded *out,
	  struct err *e)
{
	DmtxImage *di;
	DmtxDecode *dec = NULL;
	DmtxRegion *reg = NULL;
	DmtxMessage *msg = NULL;
	DmtxTime t;
	int rc;

	memset(out, 0, sizeof(*out));
	di = dmtxImageCreate(img->px, img->w, img->h, DmtxPack8bppK);
	if (di == NULL)
		return err_set(e, ERR_INTERNAL, "libdmtx: out of memory");
	/* our rows run top-down, libdmtx's bottom-up */
	dmtxImageSetProp(di, DmtxPropImageFlip, DmtxFlipNone);
	dec = dmtxDecodeCreate(di, 1);
	if (dec == NULL) {
		rc = err_set(e, ERR_INTERNAL, "libdmtx: out of memory");
		goto out;
	}
	dmtxDecodeSetProp(dec, DmtxPropFnc1, FNC1_BYTE);
	t = dmtxTimeAdd(dmtxTimeNow(), timeout_ms);
	reg = dmtxRegionFindNext(dec, timeout_ms > 0 ? &t : NULL);
	if (reg == NULL) {
		rc = err_set(e, ERR_NOTFOUND, _("No DataMatrix could be read "
			     "in the image."));
		goto out;
	}
	msg = dmtxDecodeMatrixRegion(dec, reg, DmtxUndefined);
	if (msg == NULL) {
		rc = err_set(e, ERR_NOTFOUND, _("A DataMatrix was found but "
			     "its data could not be read (damaged or too "
			     "blurred)."));
		goto out;
	}
	out->rows = dmtxGetSymbolAttribute(DmtxSymAttribSymbolRows,
					   reg->sizeIdx);
	out->cols = dmtxGetSymbolAttribute(DmtxSymAttribSymbolCols,
					   reg->sizeIdx);
	rc = take_message(msg, out, e);
out:
	if (msg != NULL)
		dmtxMessageDestroy(&msg);
	if (reg != NULL)
		dmtxRegionDestroy(&reg);
	if (dec != NULL)
		dmtxDecodeDestroy(&dec);
	dmtxImageDestroy(&di);
	return rc;
}

int
lb_preview(const char *data, size_t n, bool gs1,
	   void (*line)(void *arg, const char *utf8), void *arg,
	   struct err *e)
{
	struct lb_matrix m;
	char *buf;
	int x, y, rc;

	rc = lb_dm_encode(data, n, gs1, &m, e);
	if (rc < 0)
		return rc;
	/* 3 bytes a cell, quiet zone of one module on each side */
	buf = malloc((size_t)(m.w + 2) * 3 + 1);
	if (buf == NULL) {
		lb_matrix_free(&m);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	for (y = -1; y <= m.h; y += 2) {
		char *p = buf;

		for (x = -1; x <= m.w; x++) {
			/* light modules are drawn: a dark terminal shows
			 * the symbol as it is printed, black on white */
			bool top = y >= 0 && y < m.h && x >= 0 && x < m.w &&
				   m.m[y * m.w + x];
			bool bot = y + 1 >= 0 && y + 1 < m.h && x >= 0 &&
				   x < m.w && m.m[(y + 1) * m.w + x];
			const char *c = !top && !bot ? "\xe2\x96\x88" :
					!top ? "\xe2\x96\x80" :
					!bot ? "\xe2\x96\x84" : " ";

			if (c[1] == '\0')
				*p++ = ' ';
			else {
				memcpy(p, c, 3);
				p += 3;
			}
		}
		*p = '\0';
		line(arg, buf);
	}
	free(buf);
	lb_matrix_free(&m);
	return 0;
}
