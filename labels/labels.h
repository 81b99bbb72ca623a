/*
 * labels: the logistic label of a box or pallet, drawn and checked.
 *
 * Owns the label model (SSCC, count, GTIN, product, date, station,
 * operator), its two symbols (a GS1 DataMatrix with FNC1 from libdmtx, a
 * GS1-128 from libzint), the three languages it is sent in (ZPL II, TSPL,
 * PNG) and the decode-back check: every raster drawn here is read back
 * with libdmtx (the DataMatrix) or sampled back against libzint's modules
 * (the GS1-128) before the bytes are handed out, and a mismatch is an
 * error, never a label. Also reading a photo or scan of a label
 * (PNG/PNM) for `sklad label verify`, and the two ways to a printer
 * (raw TCP 9100, CUPS through lp) in printer.c.
 *
 * libdmtx, libzint, libpng and FreeType live here only (check-layers).
 * Depends on scanners/ (mark, err) and nothing above it: no database, no
 * terminal. Strings for people go through gettext.
 */
#ifndef SKLAD_LABELS_H
#define SKLAD_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"
#include "scanners/mark.h"

enum lb_format { LB_ZPL = 0, LB_TSPL, LB_PNG };

/* What is printed on one label; "" / -1 when unknown. */
struct lb_label {
	char sscc[MARK_SSCC_LEN + 1];
	int gcp_len;		/* digits of the company prefix, for the
				 * human-readable grouping; 0 = 7 */
	char level[8];		/* "box", "pallet" or "" */
	int count;		/* units (or boxes) in it, -1 unknown */
	char gtin[MARK_GTIN_LEN + 1];	/* the (first) GTIN inside */
	int more_gtins;		/* how many other GTINs are inside */
	char product[128];	/* product name, UTF-8; "" shows the GTIN */
	char date[11];		/* YYYY-MM-DD */
	char station[64];
	char operator_name[132];	/* ST_NAME_MAX */
};

/* Label stock and printer resolution. */
struct lb_size {
	int width_mm, height_mm;	/* 58x40, 100x150, ... */
	int dpi;			/* 203 or 300 */
	/* ZPL, TSPL: the text drawn here (FreeType) and sent as graphics,
	 * for printers without fonts for it (Cyrillic on most Zebras);
	 * false: the printer's own scalable font */
	bool text_image;
};

/* A symbol's modules: w*h bytes, 1 dark, row 0 on top. */
struct lb_matrix {
	int w, h;
	uint8_t *m;
};

/* An 8-bit grey image, 0 black .. 255 white, row 0 on top. */
struct lb_image {
	int w, h;
	uint8_t *px;
};

/* What libdmtx read from an image. */
struct lb_decoded {
	char data[MARK_SCAN_MAX + 1];	/* as a GS1 scanner sends it: no
					 * leading FNC1, inner FNC1 as GS */
	size_t len;
	bool gs1;			/* the symbol starts with FNC1 */
	int rows, cols;			/* symbol size in modules */
};

/* Parse "zpl", "tspl", "png"; -1 if none. And the other way. */
int lb_format_parse(const char *s);
const char *lb_format_name(enum lb_format f);

/* Parse "58x40" or "100x150" (millimetres) into sz->width_mm/height_mm;
 * 0, or -1 for anything outside 20..300 mm. */
int lb_size_parse(const char *s, struct lb_size *sz);

/*
 * The SSCC as people read it: "(00) 1 4600439 000000001 5" (extension,
 * company prefix of gcp_len digits (0 = 7), serial reference, check
 * digit) into out. out must hold 32 bytes.
 */
void lb_sscc_human(const char *sscc, int gcp_len, char out[32]);

/*
 * A DataMatrix (ECC 200, libdmtx) of data[0..n): with gs1, a GS1
 * DataMatrix, FNC1 first and each GS of data encoded as it is (the
 * separator Chestny ZNAK and GS1 scanners send as GS). Fills *out
 * (free with lb_matrix_free). 0, or ERR_INVALID with e set.
 */
int lb_dm_encode(const char *data, size_t n, bool gs1, struct lb_matrix *out,
		 struct err *e);

/*
 * A GS1-128 (libzint) of the element string in brackets
 * ("[00]146004390000000015"): one row of modules into *out (h = 1,
 * quiet zones not included). 0, or ERR_INVALID with zint's reason.
 */
int lb_gs1_128_encode(const char *bracketed, struct lb_matrix *out,
		      struct err *e);

void lb_matrix_free(struct lb_matrix *m);

/*
 * Read the first DataMatrix in img with libdmtx, giving up after
 * timeout_ms (0: no limit). Rotated, scaled and margined symbols are
 * found. 0 with *out filled; ERR_NOTFOUND when there is none to read.
 */
int lb_decode(const struct lb_image *img, int timeout_ms,
	      struct lb_decoded *out, struct err *e);

/* Load a PNG, or a binary or text PNM (P1..P6), as grey. Free px with
 * lb_image_free. ERR_IO / ERR_INVALID naming path and why. */
int lb_image_load(const char *path, struct lb_image *img, struct err *e);
void lb_image_free(struct lb_image *img);

/* Encode img as a PNG into *out (malloc'd) and *len. */
int lb_png_encode(const struct lb_image *img, char **out, size_t *len,
		  struct err *e);

/*
 * The label l on stock sz in format f: the exact bytes to send to the
 * printer (ZPL, TSPL) or to write to a file (PNG) into *out (malloc'd)
 * and *len. Both symbols are checked against what was drawn first;
 * ERR_INTERNAL if a check fails, ERR_INVALID for a bad SSCC or size.
 */
int lb_render(const struct lb_label *l, const struct lb_size *sz,
	      enum lb_format f, char **out, size_t *len, struct err *e);

/*
 * A sheet of command barcodes (DataMatrix, not GS1, each "SKLAD:<cmd>"
 * with the command written under it), or, with badge set, one operator
 * badge: the text as given and the name under it. items[0..n) are the
 * texts to encode, captions[0..n) what is written (may be NULL: the text).
 * Same formats and checks as lb_render.
 */
int lb_render_sheet(const char *const *items, const char *const *captions,
		    size_t n, const struct lb_size *sz, enum lb_format f,
		    char **out, size_t *len, struct err *e);

/*
 * The DataMatrix of text as lines of Unicode half blocks (two modules a
 * character cell, dark drawn as space on an inverted terminal would be
 * wrong: light modules are U+2588-style full blocks so a dark terminal
 * shows the code as printed), with a one-module quiet zone. Calls
 * line(arg, utf8) for each row. 0 or ERR_INVALID.
 */
int lb_preview(const char *data, size_t n, bool gs1,
	       void (*line)(void *arg, const char *utf8), void *arg,
	       struct err *e);

/* --- printers (printer.c) --------------------------------------------- */

/*
 * Where labels go: "tcp:HOST[:PORT]" (raw socket, port 9100 by default)
 * or "cups:QUEUE" (lp -d QUEUE -o raw, run without a shell), or
 * "file:PATH" (append, for tests and offices).
 */
struct lb_printer {
	char uri[256];
	int timeout_ms;		/* connect and write each; 0 = 5000 */
	/* tcp: ask the printer's state first (ZPL ~HS, TSPL <ESC>!?) and
	 * refuse to send while it is out of paper, open or paused */
	enum lb_status { LB_STATUS_NONE = 0, LB_STATUS_ZPL,
			 LB_STATUS_TSPL } status;
};

/*
 * Send len bytes to printer p and wait until they are written (TCP: the
 * socket took every byte, then it is shut down; lp: it exited 0). On
 * failure ERR_NET / ERR_IO with a sentence that says which printer and
 * what happened (refused, timed out, unknown host, lp's words).
 */
int lb_print(const struct lb_printer *p, const char *data, size_t len,
	     struct err *e);

/* --- per-station configuration (config.c) ----------------------------- */

#define LB_PRINTERS_MAX 8

/* One printer of the station's file. */
struct lb_printer_conf {
	char name[64];
	struct lb_printer p;
	enum lb_format format;
	struct lb_size size;
};

enum lb_print_on { LB_ON_CLOSE = 0, LB_ON_OPEN, LB_ON_NONE };

/*
 * A station's labels file (/etc/sklad/labels.conf), read with libinih;
 * an unknown section or key is an error naming its line:
 *
 *   [labels]
 *   printer = zebra          ; the printer the console uses
 *   print_on = close         ; close, open (SSCC from the site's range) or
 *                            ; none
 *   confirm = yes            ; the fresh label must be scanned back
 *   station = pack-1         ; printed on the label (default: host name)
 *   max_attempts = 5         ; tries before a job is failed (0: no limit)
 *   [printer zebra]
 *   uri = tcp:192.168.1.50:9100   ; or cups:QUEUE, file:PATH
 *   format = zpl             ; zpl, tspl, png
 *   size = 100x150           ; millimetres
 *   dpi = 203
 *   timeout_ms = 5000
 *   text = image             ; or fonts: the printer's own font
 *   status = yes             ; tcp: ask the printer's state first (ZPL
 *                            ; ~HS, TSPL <ESC>!?): paper out, head open
 */
struct lb_config {
	char printer[64];		/* the default printer's name */
	enum lb_print_on print_on;
	bool confirm;
	char station[64];
	int max_attempts;
	struct lb_printer_conf printers[LB_PRINTERS_MAX];
	int nprinters;
};

/* Defaults: print on close, confirm, 5 attempts, no printer. */
void lb_config_defaults(struct lb_config *c);

/* Read path into *c (defaults first). ERR_IO, ERR_INVALID naming the
 * line. */
int lb_config_load(const char *path, struct lb_config *c, struct err *e);

/* The printer called name (NULL or "": the default), or NULL. */
const struct lb_printer_conf *lb_config_printer(const struct lb_config *c,
						const char *name);

#endif
