/*
 * export_fmt: an export (store: struct st_export) or the audit written
 * as XML, a whole УПД, CSV or JSON, with the column and key names that
 * sklad(1) documents (EXPORT FORMATS) and that stay stable.
 *
 * XML uses the element names of the УПД format 5.03 (or 5.01), escapes
 * <, >, &, " exactly once and refuses control characters (GS cannot be
 * carried in XML 1.0: codes go as КИ without GS and crypto tail,
 * ../shared/reference/upd.md §3). CSV is RFC 4180 (comma, CRLF, quotes
 * doubled), a GS in an audit scan written as the text \x1d.
 *
 * What it must not do: read the database or decide what goes into an
 * export (store/export.c does).
 */
#ifndef SKLAD_EXPORT_FMT_H
#define SKLAD_EXPORT_FMT_H

#include <stdbool.h>
#include <stdio.h>

#include "scanners/err.h"
#include "store/store.h"

enum xf_format { XF_XML, XF_UPD, XF_CSV, XF_JSON };

struct xf_opts {
	enum xf_format format;
	/* the marking block: false lists each line's top codes only
	 * (НомУпак for packs, КИЗ for units, upd.md §4.2); true also
	 * lists every pack's contents under @ИдентТрансУпак */
	bool tree;
	bool v501;		/* format 5.01 names instead of 5.03 */
	bool cp1251;		/* XF_UPD: windows-1251, else UTF-8 */
};

/* "xml", "upd", "csv", "json" -> *out; -1 if unknown. */
int xf_format_parse(const char *name, enum xf_format *out);

/*
 * Write x to f as o says. 0, or ERR_INVALID (a code with a control
 * character, which XML cannot carry), ERR_IO (f failed).
 */
int xf_write(FILE *f, const struct st_export *x, const struct xf_opts *o,
	     struct err *e);

/* The ИдФайл of the seller title XF_UPD writes for x, which is also its
 * file's name without ".xml" (upd.md §2.3). */
void xf_upd_id(const struct st_export *x, const struct xf_opts *o,
	       char *out, size_t n);

/*
 * Export kind ("shipment" or "acceptance" id, or "pack" sscc) as o says
 * into path atomically, or to stdout when path is NULL or "-"; then
 * record the export of the document that waited for it (with the full
 * path, or "-"). *codes (may be NULL) gets how many codes it lists.
 * ERR_NOTFOUND if there is no such shipment, delivery or pack.
 */
int xf_export(struct st_db *db, const char *kind, int64_t id,
	      const char *sscc, const struct xf_opts *o, const char *path,
	      int *codes, struct err *e);

/* The audit as CSV (header first) or JSON lines: a writer to feed with
 * st_audit_each. xf_audit_begin writes the header / opening. */
struct xf_audit {
	FILE *f;
	bool json;
	int rows;
};
void xf_audit_begin(struct xf_audit *a);
int xf_audit_row(void *arg, const struct st_audit_row *r);
void xf_audit_end(struct xf_audit *a);

/*
 * Write the bytes of buf (len) to path atomically: a temporary file in
 * the same folder, fsync, rename over path, fsync of the folder. 0 or
 * ERR_IO with the file and the reason.
 */
int xf_write_atomic(const char *path, const char *buf, size_t len,
		    struct err *e);

#endif
