/*
 * upd: reading a supplier's УПД (seller title, formats 5.03, 5.02 and
 * 5.01, windows-1251 or UTF-8) into what an expected delivery needs
 * (../shared/reference/upd.md §4.1): the header, the lines (GTIN, name,
 * quantity) and the marking block as one tree of codes, parents first.
 *
 * libxml2's streaming reader, without the network, without loading or
 * expanding entities (a document type declaration is refused: a УПД has
 * none), so memory grows with the codes kept, not with the file's tree.
 * Internal to store/ (delivery.c); the one home of libxml2's headers.
 */
#ifndef SKLAD_STORE_UPD_H
#define SKLAD_STORE_UPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct upd_line {
	int num;		/* НомСтр */
	char gtin[16];		/* ДопСведТов/@ГТИН, else a 14-digit КодТов */
	char name[512];		/* НаимТов, UTF-8 */
	char qty[32];		/* КолТов as written */
};

/* One expected code; parent is the index of its pack (before it), or
 * -1 at the top; line the index of its СведТов, or -1. */
struct upd_code {
	uint32_t text;		/* offset in arena, NUL-terminated */
	int32_t parent;
	int32_t line;
	int lineno;		/* in the file, for messages */
};

struct upd_doc {
	char version[16];	/* ВерсФорм */
	char file_id[256];	/* ИдФайл */
	char knd[16];		/* Документ/@КНД */
	char function[16];	/* Функция */
	char number[64];	/* НомерДок / НомерСчФ */
	char date[40];		/* ДатаДок / ДатаСчФ, dd.mm.yyyy */
	char transfer_date[40];	/* СвПер/@ДатаПер */
	char sender_inn[16];	/* first СвПрод's INN */
	char receiver_inn[16];	/* first СвПокуп's INN */
	struct upd_line *lines;
	int nlines;
	struct upd_code *codes;	/* parents before children */
	size_t ncodes;
	char *arena;
};

/*
 * Parse a УПД. 1 and *d filled (free with upd_free), 0 refused with the
 * reason in why (a plain sentence naming the line of the file), <0 out
 * of memory. Codes come as written with the GS restored and an SSCC's
 * (00) removed; the caller parses them.
 */
int upd_parse(const char *data, size_t len, struct upd_doc *d, char *why,
	      size_t wn);

void upd_free(struct upd_doc *d);

#endif
