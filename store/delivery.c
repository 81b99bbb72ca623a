/*
 * delivery: import of an incoming delivery into deliveries and
 * delivery_items, in short steps.
 *
 * Two inputs: the JSON answer of /doc/{id}/info (true-api.md §6.1; the
 * body's products with uit_code / uitu_code and recursive children), and
 * a plain list, one code per line, where an indented line belongs to the
 * nearest less indented SSCC above it. Every code goes through the mark
 * parser; the first bad one refuses the whole import, naming its line.
 * The input is read as it is parsed (a file: only a regular one, within
 * a size limit), its codes checked and kept in memory first (codes
 * listed twice included), without the write lock; then the rows go in batches,
 * each its own short transaction, into a delivery in state 'importing'
 * that acceptance ignores, and one last transaction makes it 'expected'.
 * A scan on another connection (or between two steps of the console's
 * loop) waits for one batch at most. A crash in between leaves an
 * 'importing' row that st_import_cleanup removes.
 *
 * What it must not do: decide anything about acceptance (accept.c), put
 * codes into stock, format values into SQL, read a file whole into
 * memory, or quote a file that has not shown itself a delivery (an
 * /etc/shadow) in a refusal.
 */
#define _GNU_SOURCE		/* memmem, fmemopen */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libintl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "store/code_index.h"
#include "store/db.h"
#include "store/gtin_table.h"
#include "store/doc.h"
#include "store/pack.h"
#include "store/upd.h"
#include "scanners/i18n.h"

/* Rows per step of the one-call import: it blocks its caller anyway,
 * and each commit costs a sync (bench_import: 5 000 a step doubles the
 * time of 300 000 codes, 50 000 costs a tenth). The console steps 5 000. */
#define IMP_STEP_ROWS 50000
#define IMP_DELETE_ROWS 5000	/* rows deleted per transaction */
#define IMP_BUF (64 * 1024)	/* bytes of the input read at a time */
#define IMP_LINE_MAX 4096	/* a list line: the longest scan (512) with
				   every GS written \x1d, and indentation */
#define IMP_STALE_MS (10 * 60 * 1000)	/* an 'importing' delivery nobody
					   stepped for this long is dead */

/* One expected code as parsed, before it is written. */
struct imp_item {
	int64_t id;		/* delivery_items.id once inserted */
	int32_t gtin;		/* index in im->gtins.v, -1 for an SSCC */
	int32_t parent;		/* index of its pack, -1 at top level */
	uint32_t serial;	/* offset in im->arena */
	uint8_t serial_len;
	uint8_t kind;		/* codes.kind */
};

/* One import in progress: the whole file parsed into memory, then written
 * in steps (store.h). */
struct st_import {
	struct st_db *db;
	struct st_actor who;
	char name[256];
	int64_t delivery;	/* 0 until the row exists */
	struct imp_item *items;
	size_t count, cap, done;
	char *arena;
	size_t arena_len, arena_cap;
	struct gtin_table gtins;	/* ids found at insert time */
	struct code_index dups;	/* the items, to refuse a code twice */
	char why[ERR_MSG_MAX];	/* set when the input is refused */
	FILE *src;		/* the input while it is parsed (seekable) */
	uint64_t max_bytes;	/* refuse input beyond this */
	uint64_t read_bytes;	/* of src so far */
	bool is_delivery;	/* a code parsed: the file is a delivery */
	/* the header, copied out of the input */
	char number[64], release_order[256], date[40], transfer_date[40];
	char sender_inn[16], receiver_inn[16], turnover[32];
	bool has_release_order;
	/* a УПД's lines (GTIN, name, quantity) for delivery_lines */
	struct upd_line *lines;
	int nlines;
};

/* The header of the transfer document. */
struct imp_head {
	const char *number, *release_order, *date, *transfer_date;
	const char *sender_inn, *receiver_inn, *turnover;
};

/* Item i's identity, for the duplicate index. */
static struct code_key
item_key(const void *owner, size_t i)
{
	const struct st_import *im = owner;
	const struct imp_item *it = &im->items[i];

	return (struct code_key){ it->gtin, im->arena + it->serial,
				  it->serial_len };
}

static bool
reserve(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 1024;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
st_listed_code_parse(const char *s, size_t n, struct mark *m, char *why, size_t wn)
{
	struct mark alt;

	if (n == MARK_SSCC_LEN && all_digits(s, n)) {
		if (mark_sscc_check(s, n, m) == 0)
			return 0;
		mark_strerror(m, why, wn);
		return -1;
	}
	if (mark_parse(s, n, m) == 0) {
		if (m->kind != MARK_COMMAND)
			return 0;
		snprintf(why, wn, "%s", _("a command barcode "
			 "is not a marking code"));
		return -1;
	}
	if (mark_sscc_check(s, n, &alt) == 0) {
		*m = alt;
		return 0;
	}
	mark_strerror(m, why, wn);
	return -1;
}

static int
kind_of(const struct mark *m)
{
	switch (m->kind) {
	case MARK_SSCC:
		return PACK_KIND_BOX;
	case MARK_TOBACCO_BLOCK:
		return PACK_KIND_GROUP;
	case MARK_TOBACCO_SET:
		return PACK_KIND_SET;
	case MARK_CIGARETTE_PACK:
		return PACK_KIND_CIGARETTE;
	default:
		return PACK_KIND_UNIT;
	}
}

/*
 * Add code m under the item of index parent (-1: top level) to the parsed
 * list. 1 on success, 0 when the input is refused (im->why says why), <0
 * when out of memory.
 */
static int
add_item(struct st_import *im, const struct mark *m, int64_t parent,
	 int64_t *id, struct err *e)
{
	const char *serial = m->kind == MARK_SSCC ? m->sscc : m->serial;
	size_t n = strlen(serial), at;
	struct imp_item *it;
	int32_t g = -1;

	if (m->kind != MARK_SSCC &&
	    (g = gtin_table_index(&im->gtins, m->gtin)) < 0)
		goto oom;
	if (!code_index_reserve(&im->dups, im->count, item_key, im))
		goto oom;
	at = code_index_slot(&im->dups, (struct code_key){ g, serial, n },
			     item_key, im);
	if (im->dups.slot[at] >= 0) {
		snprintf(im->why, sizeof(im->why), "%s", dgettext("sklad",
			 "this code is listed twice in the delivery"));
		return 0;
	}
	if (!reserve((void **)&im->items, &im->cap, im->count + 1,
		     sizeof(*im->items)) ||
	    !reserve((void **)&im->arena, &im->arena_cap, im->arena_len + n,
		     1))
		goto oom;
	memcpy(im->arena + im->arena_len, serial, n);
	it = &im->items[im->count];
	it->id = 0;
	it->gtin = g;
	it->parent = (int32_t)parent;
	it->serial = (uint32_t)im->arena_len;
	it->serial_len = (uint8_t)n;
	it->kind = (uint8_t)kind_of(m);
	im->arena_len += n;
	im->dups.slot[at] = (int32_t)im->count;
	*id = (int64_t)im->count++;
	return 1;
oom:
	return err_set(e, ERR_INTERNAL, "out of memory");
}

/* --- plain list ---------------------------------------------------------- */

/* Copy a line into buf, turning the text \x1d into GS; the length. */
static size_t
unescape(const char *s, size_t n, char *buf, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < n && o < cap) {
		if (n - i >= 4 && memcmp(s + i, "\\x1d", 4) == 0) {
			buf[o++] = MARK_GS;
			i += 4;
		} else {
			buf[o++] = s[i++];
		}
	}
	if (i < n) {		/* too long: let the parser say so */
		buf[cap] = '\0';
		return cap + 1;
	}
	return o;
}

/*
 * A list line starting with '#': a comment, or a header field of the
 * transfer document that a bare list of codes cannot carry otherwise
 * ("# sender_inn: 7700000001"). Returns 1, or 0 refused (im->why).
 */
static int
list_header(struct st_import *im, const char *s, size_t n, int lineno)
{
	static const struct {
		const char *key;
		size_t off, size;
	} fields[] = {
		{ "number", offsetof(struct st_import, number),
		  sizeof(((struct st_import *)0)->number) },
		{ "release_order", offsetof(struct st_import, release_order),
		  sizeof(((struct st_import *)0)->release_order) },
		{ "date", offsetof(struct st_import, date),
		  sizeof(((struct st_import *)0)->date) },
		{ "transfer_date", offsetof(struct st_import, transfer_date),
		  sizeof(((struct st_import *)0)->transfer_date) },
		{ "sender_inn", offsetof(struct st_import, sender_inn),
		  sizeof(((struct st_import *)0)->sender_inn) },
		{ "receiver_inn", offsetof(struct st_import, receiver_inn),
		  sizeof(((struct st_import *)0)->receiver_inn) },
		{ "turnover_type", offsetof(struct st_import, turnover),
		  sizeof(((struct st_import *)0)->turnover) },
	};
	size_t i, k, v, vlen;

	for (i = 1; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		size_t kl = strlen(fields[k].key);

		if (n - i <= kl || memcmp(s + i, fields[k].key, kl) != 0 ||
		    s[i + kl] != ':')
			continue;
		for (v = i + kl + 1; v < n && (s[v] == ' ' || s[v] == '\t');
		     v++)
			;
		vlen = n - v;
		/* INNs have 10 digits (a company) or 12 (a person). */
		if (vlen == 0 || vlen >= fields[k].size ||
		    ((k == 4 || k == 5) && vlen != 10 && vlen != 12)) {
			snprintf(im->why, sizeof(im->why), _("Line %d: a bad value for %s"), lineno,
				 fields[k].key);
			return 0;
		}
		memcpy((char *)im + fields[k].off, s + v, vlen);
		((char *)im + fields[k].off)[vlen] = '\0';
		if (k == 1)
			im->has_release_order = true;
		return 1;
	}
	return 1;	/* a comment */
}

/* One line (without its end): ignore blank, else parse and insert. */
static int
list_line(struct st_import *im, const char *s, size_t n, int lineno,
	  int stack_ind[], int64_t stack_id[], int *depth, struct err *e)
{
	char buf[MARK_SCAN_MAX + 1], why[ERR_MSG_MAX];
	int ind = 0, rc;
	struct mark m;
	int64_t id, parent;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
			 s[n - 1] == '\t'))
		n--;
	while ((size_t)ind < n && (s[ind] == ' ' || s[ind] == '\t'))
		ind++;
	if ((size_t)ind == n)
		return 1;
	if (s[ind] == '#')
		return list_header(im, s + ind, n - (size_t)ind, lineno);
	n = unescape(s + ind, n - (size_t)ind, buf, sizeof(buf) - 1);
	if (st_listed_code_parse(buf, n > sizeof(buf) - 1 ? MARK_SCAN_MAX + 1 : n, &m,
		       why, sizeof(why)) < 0) {
		/* The parser's reason quotes what it found; until a code
		 * showed this file is a delivery, that could be anyone's
		 * secret (an /etc/shadow), so only the line and what was
		 * expected are said. */
		if (!im->is_delivery && m.kind != MARK_COMMAND)
			snprintf(im->why, sizeof(im->why), _("Line %d: expected a marking code, an SSCC "
				 "or a \"# \" header line; this file does not "
				 "look like a delivery list."), lineno);
		else
			snprintf(im->why, sizeof(im->why), _("Line %d: %s"), lineno, why);
		return 0;
	}
	im->is_delivery = true;
	while (*depth > 0 && stack_ind[*depth - 1] >= ind)
		(*depth)--;
	if (ind > 0 && *depth == 0) {
		snprintf(im->why, sizeof(im->why), _("Line %d: indented, but there is no SSCC above it to "
			 "hold it"), lineno);
		return 0;
	}
	parent = *depth > 0 ? stack_id[*depth - 1] : -1;
	if ((rc = add_item(im, &m, parent, &id, e)) <= 0) {
		if (rc == 0) {
			snprintf(why, sizeof(why), "%s", im->why);
			snprintf(im->why, sizeof(im->why), _("Line %d: %s"), lineno, why);
		}
		return rc;
	}
	if (m.kind != MARK_SSCC)
		return 1;
	if (*depth == ST_MAX_DEPTH) {
		snprintf(im->why, sizeof(im->why), _("Line %d: packs nested too deep"), lineno);
		return 0;
	}
	stack_ind[*depth] = ind;
	stack_id[(*depth)++] = id;
	return 1;
}

/* Offset of the first byte of s (n) that a text line cannot hold (NUL,
 * a control character other than tab, CR and GS, bytes that are not
 * UTF-8), or n. */
static size_t
not_text(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, k;

	while (i < n) {
		if (u[i] < 0x80) {
			if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\r' &&
			     u[i] != MARK_GS) || u[i] == 0x7f)
				return i;
			i++;
			continue;
		}
		len = u[i] >= 0xc2 && u[i] <= 0xdf ? 2 :
			u[i] >= 0xe0 && u[i] <= 0xef ? 3 :
			u[i] >= 0xf0 && u[i] <= 0xf4 ? 4 : 0;
		if (len == 0 || n - i < len)
			return i;
		for (k = 1; k < len; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return i;
		i += len;
	}
	return n;
}

/* Read up to n bytes of the input into buf, counting them against the
 * limit: the count, 0 at the end, -1 on a read error or over the limit
 * (im->why set). */
static ssize_t
src_read(struct st_import *im, char *buf, size_t n)
{
	size_t got = fread(buf, 1, n, im->src);

	if (got == 0 && ferror(im->src)) {
		snprintf(im->why, sizeof(im->why), _("%s cannot be read: %s"), im->name, strerror(errno));
		return -1;
	}
	im->read_bytes += got;
	if (im->read_bytes > im->max_bytes) {
		snprintf(im->why, sizeof(im->why), _("%s is larger than the import limit of %llu MB: "
			 "nothing was imported."), im->name,
			 (unsigned long long)(im->max_bytes >> 20));
		return -1;
	}
	return (ssize_t)got;
}

static int
import_list(struct st_import *im, struct err *e)
{
	int stack_ind[ST_MAX_DEPTH];
	int64_t stack_id[ST_MAX_DEPTH];
	int depth = 0, lineno = 0, rc = 1;
	char *buf = malloc(IMP_BUF);
	size_t pos = 0, len = 0, bad;
	ssize_t got;
	bool eof = false;

	if (buf == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	while (rc == 1) {
		char *nl = memchr(buf + pos, '\n', len - pos), *s;
		size_t n;

		if (nl == NULL && !eof) {
			/* keep the partial line, read more behind it */
			memmove(buf, buf + pos, len - pos);
			len -= pos;
			pos = 0;
			if (len == IMP_BUF) {
				snprintf(im->why, sizeof(im->why), dgettext(
					 "sklad", "Line %d is longer than %d "
					 "bytes: a delivery list has one code "
					 "a line."), lineno + 1,
					 IMP_LINE_MAX);
				rc = 0;
				break;
			}
			if ((got = src_read(im, buf + len, IMP_BUF - len)) < 0) {
				rc = 0;
				break;
			}
			eof = got == 0;
			len += (size_t)got;
			continue;
		}
		if (nl == NULL && pos == len)
			break;
		s = buf + pos;
		n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		lineno++;
		/* Files saved by spreadsheet programs start with a byte order
		 * mark. */
		if (lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
		if (n > IMP_LINE_MAX) {
			snprintf(im->why, sizeof(im->why), _("Line %d is longer than %d bytes: a delivery "
				 "list has one code a line."), lineno,
				 IMP_LINE_MAX);
			rc = 0;
		} else if ((bad = not_text(s, n)) < n) {
			snprintf(im->why, sizeof(im->why), _("Line %d is not text (byte %zu): a delivery "
				 "list is text, one code a line; this file is "
				 "none."), lineno, bad + 1);
			rc = 0;
		} else {
			rc = list_line(im, s, n, lineno, stack_ind, stack_id,
				       &depth, e);
		}
	}
	free(buf);
	return rc;
}

/* --- JSON of /doc/{id}/info ---------------------------------------------- */

/* The line of the input where text first occurs, or 0: the input read
 * again from its start in blocks (for a refusal's words only). Newlines
 * are counted as bytes leave the block; the last n - 1 bytes of a block
 * stay, as the text may start there. */
static int
line_of(const struct st_import *im, const char *text, size_t n)
{
	char *buf = n > 0 && n < IMP_BUF / 2 ? malloc(IMP_BUF) : NULL;
	size_t keep = 0, got, have, i;
	const char *at;
	int line = 1;

	if (buf == NULL || fseek(im->src, 0, SEEK_SET) != 0) {
		free(buf);
		return 0;
	}
	while ((got = fread(buf + keep, 1, IMP_BUF - keep, im->src)) > 0) {
		have = keep + got;
		if ((at = memmem(buf, have, text, n)) != NULL) {
			for (i = 0; i < (size_t)(at - buf); i++)
				line += buf[i] == '\n';
			free(buf);
			return line;
		}
		keep = n - 1 < have ? n - 1 : have;
		for (i = 0; i < have - keep; i++)
			line += buf[i] == '\n';
		memmove(buf, buf + have - keep, keep);
	}
	free(buf);
	return 0;
}

static void
json_refuse(struct st_import *im, const char *path, const char *code, size_t n,
	    const char *why)
{
	int line = code != NULL ? line_of(im, code, n) : 0;

	if (line > 0)
		snprintf(im->why, sizeof(im->why), _("Line %d (%s): %s"), line, path, why);
	else
		snprintf(im->why, sizeof(im->why), "%s: %s", path, why);
}

static int json_products(struct st_import *im, json_t *arr, int64_t parent,
			 const char *path, int depth, struct err *e);

static int
json_product(struct st_import *im, json_t *p, int64_t parent, const char *path,
	     int depth, struct err *e)
{
	json_t *code = json_object_get(p, "uit_code");
	char why[ERR_MSG_MAX], sub[256];
	struct mark m;
	int64_t id;
	int rc;

	if (!json_is_string(code))
		code = json_object_get(p, "uitu_code");
	if (!json_is_string(code)) {
		json_refuse(im, path, NULL, 0, _("no uit_code "
			    "or uitu_code"));
		return 0;
	}
	if (st_listed_code_parse(json_string_value(code), json_string_length(code), &m,
		       why, sizeof(why)) < 0) {
		json_refuse(im, path, json_string_value(code),
			    json_string_length(code), why);
		return 0;
	}
	if ((rc = add_item(im, &m, parent, &id, e)) <= 0) {
		if (rc == 0) {
			snprintf(why, sizeof(why), "%s", im->why);
			json_refuse(im, path, json_string_value(code),
				    json_string_length(code), why);
		}
		return rc;
	}
	if (snprintf(sub, sizeof(sub), "%s.children", path) >=
	    (int)sizeof(sub)) {
		json_refuse(im, path, NULL, 0, _("packs nested too deep"));
		return 0;
	}
	return json_products(im, json_object_get(p, "children"), id, sub,
			     depth + 1, e);
}

static int
json_products(struct st_import *im, json_t *arr, int64_t parent, const char *path,
	      int depth, struct err *e)
{
	char sub[256];
	size_t i;
	int rc;

	if (arr == NULL || json_is_null(arr))
		return 1;
	if (!json_is_array(arr)) {
		json_refuse(im, path, NULL, 0, _("not a list of products"));
		return 0;
	}
	if (depth > ST_MAX_DEPTH) {
		json_refuse(im, path, NULL, 0, _("packs nested too deep"));
		return 0;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		if (snprintf(sub, sizeof(sub), "%s[%zu]", path, i) >=
		    (int)sizeof(sub))
			sub[0] = '\0';
		if ((rc = json_product(im, json_array_get(arr, i), parent, sub,
				       depth, e)) <= 0)
			return rc;
	}
	return 1;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && s[0] != '\0' ? s : NULL;
}

static const char *
either(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

/* jansson reads the input through this, within the size limit. */
static size_t
json_feed(void *buf, size_t n, void *arg)
{
	ssize_t got = src_read(arg, buf, n);

	return got < 0 ? (size_t)-1 : (size_t)got;
}

/* The document object and its body (parsed if the body is a string),
 * parsed from the input as it is read. */
static json_t *
json_doc(struct st_import *im, json_t **root, json_t **body)
{
	json_t *doc, *b;

	*body = NULL;
	if ((*root = json_load_callback(json_feed, im, 0, NULL)) == NULL)
		return NULL;
	doc = json_is_array(*root) ? json_array_get(*root, 0) : *root;
	if (!json_is_object(doc))
		return NULL;
	b = json_object_get(doc, "body");
	if (json_is_string(b))
		*body = json_loads(json_string_value(b), 0, NULL);
	else if (json_is_object(b))
		*body = json_incref(b);
	return doc;
}

static void
json_head(json_t *doc, json_t *body, struct imp_head *h)
{
	h->release_order = str(doc, "number");
	h->number = either(str(body, "document_num"),
			   either(str(body, "document_number"),
				  h->release_order));
	h->date = either(str(body, "document_date"), str(doc, "docDate"));
	h->transfer_date = either(str(body, "transfer_date"), h->date);
	h->sender_inn = either(str(doc, "senderInn"), str(body, "sender_inn"));
	h->receiver_inn = either(str(doc, "receiverInn"),
				 str(body, "receiver_inn"));
	h->turnover = either(str(doc, "turnoverType"),
			     either(str(body, "turnover_type"), "SELLING"));
}

/* --- the delivery row ---------------------------------------------------- */

static void
copy_head(struct st_import *im, const char *name, const struct imp_head *h)
{
	snprintf(im->name, sizeof(im->name), "%s", name);
	snprintf(im->number, sizeof(im->number), "%s",
		 h->number ? h->number : "");
	snprintf(im->release_order, sizeof(im->release_order), "%s",
		 h->release_order != NULL ? h->release_order : "");
	im->has_release_order = h->release_order != NULL;
	snprintf(im->date, sizeof(im->date), "%s", h->date ? h->date : "");
	snprintf(im->transfer_date, sizeof(im->transfer_date), "%s",
		 h->transfer_date ? h->transfer_date : "");
	snprintf(im->sender_inn, sizeof(im->sender_inn), "%s",
		 h->sender_inn ? h->sender_inn : "");
	snprintf(im->receiver_inn, sizeof(im->receiver_inn), "%s",
		 h->receiver_inn ? h->receiver_inn : "");
	snprintf(im->turnover, sizeof(im->turnover), "%s",
		 h->turnover ? h->turnover : "");
}

static void
bind_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v[0] != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
bind_or_null_t(sqlite3_stmt *st, int i, const char *v)
{
	if (v[0] != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* The delivery row, in state 'importing' that acceptance ignores. */
static int
insert_delivery(struct st_import *im, struct err *e)
{
	static const char sql[] =
		"INSERT INTO deliveries(number, doc_date, sender_inn,"
		" receiver_inn, turnover_type, transfer_date, source, state,"
		" imported_at, imported_by, release_order)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'importing', ?8, ?9,"
		" ?10)";
	sqlite3_stmt *st = db_stmt(im->db, sql, e);
	char now[32];
	int rc;

	if (st == NULL)
		return e->code;
	db_now(now);
	sqlite3_bind_text(st, 1, im->number, -1, SQLITE_STATIC);
	bind_or_null(st, 2, im->date);
	bind_or_null(st, 3, im->sender_inn);
	bind_or_null(st, 4, im->receiver_inn);
	bind_or_null(st, 5, im->turnover);
	bind_or_null(st, 6, im->transfer_date);
	sqlite3_bind_text(st, 7, im->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
	if (im->who.user_id != 0)
		sqlite3_bind_int64(st, 9, im->who.user_id);
	if (im->has_release_order)
		sqlite3_bind_text(st, 10, im->release_order, -1,
				  SQLITE_STATIC);
	if ((rc = db_done(im->db, st, e, "delivery")) < 0)
		return rc;
	im->delivery = sqlite3_last_insert_rowid(im->db->h);
	return 0;
}

/* The input's first character after a byte order mark and blanks
 * (EOF if none): '[' or '{' is JSON, '<' a УПД. The input is back at its
 * start after. */
static int
first_char(FILE *f)
{
	unsigned char bom[3];
	int c;

	if (fread(bom, 1, 3, f) < 3 || memcmp(bom, "\xef\xbb\xbf", 3) != 0)
		rewind(f);
	while ((c = getc(f)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		;
	rewind(f);
	return c;
}

/*
 * A delivery without what its acceptance document needs (true-api.md
 * §5.7: trade_sender_inn, document_number, document_date): refused at
 * import, naming each one missing, instead of a document the state
 * system refuses days later. A plain list carries them in header lines
 * (list); a document answer in its fields. 1 if something is missing
 * (im->why).
 */
static int
head_missing(struct st_import *im, bool list)
{
	char missing[160] = "", ts[40];

	if (im->sender_inn[0] == '\0')
		strcat(missing, list ? " # sender_inn:" : " sender");
	if (im->number[0] == '\0')
		strcat(missing, list ? " # number:" : " number");
	if (im->date[0] == '\0')
		strcat(missing, list ? " # date:" : " date");
	if (missing[0] != '\0' && !list) {
		snprintf(im->why, sizeof(im->why), _("The document lacks fields its acceptance needs: "
			 "%s."), missing + 1);
		return 1;
	}
	if (missing[0] != '\0') {
		snprintf(im->why, sizeof(im->why), _("The list lacks the header lines of its transfer "
			 "document:%s. Add them at the top, e.g. "
			 "\"# sender_inn: 7700000001\", \"# number: 42\", "
			 "\"# date: 2026-11-30\"."), missing);
		return 1;
	}
	if (!doc_timestamp_z(im->date, ts) ||
	    (im->transfer_date[0] && !doc_timestamp_z(im->transfer_date, ts))) {
		snprintf(im->why, sizeof(im->why), "%s", _("The date header is not a date: write it as "
			 "2026-11-30, 30.11.2026 or 2026-11-30T10:00:00."));
		return 1;
	}
	if (!im->has_release_order)
		snprintf(im->release_order, sizeof(im->release_order), "%s",
			 im->number);
	return 0;
}

/* --- УПД (upd_read.c) ------------------------------------------------------ */

/*
 * A supplier's seller title: its header (upd.md §4.1), the receiver
 * checked against this site's INN, the codes of its marking block as the
 * expected tree. 1, 0 refused (im->why), <0 error.
 */
static int
import_upd(struct st_import *im, const char *data, size_t len,
	   struct imp_head *h, struct err *e)
{
	struct upd_doc d;
	struct st_site site;
	struct err ignored;
	size_t i;
	int rc;

	if ((rc = upd_parse(data, len, &d, im->why, sizeof(im->why))) <= 0)
		return rc < 0 ? err_set(e, ERR_INTERNAL, "out of memory") : 0;
	rc = 1;
	if (strcmp(d.knd, "1115132") == 0) {
		snprintf(im->why, sizeof(im->why), "%s", _("This is a buyer's title (КНД 1115132), not the "
			 "seller's УПД: it lists no goods to accept."));
		rc = 0;
	} else if (strcmp(d.function, "СЧФ") == 0) {
		snprintf(im->why, sizeof(im->why), "%s", _("This УПД is an invoice only (Функция СЧФ): it "
			 "transfers no goods to accept."));
		rc = 0;
	} else if (d.receiver_inn[0] == '\0') {
		snprintf(im->why, sizeof(im->why), "%s", _("The УПД names no buyer's INN (СвПокуп): it cannot "
			 "be checked to be for this site."));
		rc = 0;
	} else if (st_site_get(im->db, &site, &ignored) == 0 &&
		   site.inn[0] && strcmp(site.inn, d.receiver_inn) != 0) {
		snprintf(im->why, sizeof(im->why), _("This "
			 "УПД is for another receiver: buyer INN %s, this "
			 "site's INN is %s."), d.receiver_inn, site.inn);
		rc = 0;
	}
	for (i = 0; rc == 1 && i < d.ncodes; i++) {
		const struct upd_code *c = &d.codes[i];
		const char *text = d.arena + c->text;
		char why[ERR_MSG_MAX];
		struct mark m;
		int64_t id;

		if (st_listed_code_parse(text, strlen(text), &m, why, sizeof(why)) < 0) {
			snprintf(im->why, sizeof(im->why), _("Line %d: %s"), c->lineno, why);
			rc = 0;
			break;
		}
		if ((rc = add_item(im, &m, c->parent, &id, e)) == 0) {
			snprintf(why, sizeof(why), "%s", im->why);
			snprintf(im->why, sizeof(im->why), _("Line %d: %s"), c->lineno, why);
		}
	}
	if (rc == 1) {
		(void)h;
		snprintf(im->turnover, sizeof(im->turnover), "SELLING");
		snprintf(im->number, sizeof(im->number), "%s", d.number);
		snprintf(im->release_order, sizeof(im->release_order), "%s",
			 d.file_id[0] ? d.file_id : d.number);
		im->has_release_order = true;
		snprintf(im->date, sizeof(im->date), "%s", d.date);
		snprintf(im->transfer_date, sizeof(im->transfer_date), "%s",
			 d.transfer_date);
		snprintf(im->sender_inn, sizeof(im->sender_inn), "%s",
			 d.sender_inn);
		snprintf(im->receiver_inn, sizeof(im->receiver_inn), "%s",
			 d.receiver_inn);
		im->lines = d.lines;
		im->nlines = d.nlines;
		d.lines = NULL;
	}
	upd_free(&d);
	return rc;
}

/* A УПД line's GTIN and name into the product catalogue when the
 * catalogue has no name for it yet: the ERP's names win, a supplier's
 * only fills gaps. A line whose GTIN or name the catalogue would refuse
 * is left out of it (it stays in delivery_lines). */
static int
name_from_line(struct st_import *im, const struct upd_line *l,
	       const char *now, struct err *e)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO products(gtin, name, source, updated_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	struct st_product p;
	struct err ignored;
	sqlite3_stmt *st;

	if (l->gtin[0] == '\0' || l->name[0] == '\0' ||
	    st_product_check(l->gtin, l->name, NULL, NULL, &p, &ignored) < 0)
		return 0;
	if ((st = db_stmt(im->db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, p.gtin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, im->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	return db_done(im->db, st, e, "product name");
}

/* The lines of a УПД (GTIN -> name) beside the delivery, and their names
 * in the product catalogue, so that screens, labels and exports can name
 * what a GTIN is. */
static int
insert_lines(struct st_import *im, struct err *e)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO delivery_lines(delivery_id, line, gtin,"
		" name, quantity) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st;
	char now[32];
	int i, rc;

	db_now(now);
	for (i = 0; i < im->nlines; i++) {
		const struct upd_line *l = &im->lines[i];

		if ((st = db_stmt(im->db, sql, e)) == NULL)
			return e->code;
		sqlite3_bind_int64(st, 1, im->delivery);
		sqlite3_bind_int(st, 2, l->num);
		bind_or_null_t(st, 3, l->gtin);
		bind_or_null_t(st, 4, l->name);
		bind_or_null_t(st, 5, l->qty);
		if ((rc = db_done(im->db, st, e, "delivery line")) < 0 ||
		    (rc = name_from_line(im, l, now, e)) < 0)
			return rc;
	}
	return 0;
}

/* The whole input (a УПД is read into memory: its GS references are
 * rewritten before libxml2 sees them), within the import limit: the
 * bytes (free them), NULL with im->why set or on no memory. */
static char *
slurp_src(struct st_import *im, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap), *grown;
	ssize_t got;

	while (buf != NULL) {
		if (n == cap) {
			if ((grown = realloc(buf, cap * 2)) == NULL)
				break;
			buf = grown;
			cap *= 2;
		}
		if ((got = src_read(im, buf + n, cap - n)) <= 0) {
			if (got == 0) {
				*len = n;
				return buf;
			}
			break;
		}
		n += (size_t)got;
	}
	free(buf);
	return NULL;
}

/* Header and items from im->src into memory: 1, 0 refused (im->why),
 * <0 error. */
static int
parse_input(struct st_import *im, const char *name, struct err *e)
{
	struct imp_head h = { .number = name, .release_order = name,
			      .turnover = "SELLING" };
	json_t *root = NULL, *body = NULL, *doc = NULL;
	int first = first_char(im->src);
	bool json = first == '[' || first == '{';
	int rc;

	snprintf(im->name, sizeof(im->name), "%s", name);
	if (first == '<') {
		size_t len = 0;
		char *data = slurp_src(im, &len);

		if (data == NULL)
			return im->why[0] != '\0' ? 0 :
				err_set(e, ERR_INTERNAL, "out of memory");
		rc = import_upd(im, data, len, &h, e);
		free(data);
		if (rc == 1 && im->count == 0) {
			snprintf(im->why, sizeof(im->why), "%s", dgettext(
				 "sklad", "The УПД lists no marking codes "
				 "(НомСредИдентТов): there is nothing to scan "
				 "against."));
			rc = 0;
		}
		if (rc == 1 && head_missing(im, false))
			rc = 0;
		return rc;
	}
	if (json) {
		unsigned char bom[3];

		/* a byte order mark is no JSON: skip it */
		if (fread(bom, 1, 3, im->src) < 3 ||
		    memcmp(bom, "\xef\xbb\xbf", 3) != 0)
			rewind(im->src);
		if ((doc = json_doc(im, &root, &body)) == NULL ||
		    body == NULL) {
			if (im->why[0] == '\0')
				snprintf(im->why, sizeof(im->why), "%s",
					 _("Not a document "
					 "answer: expected the JSON of "
					 "/doc/{id}/info with its body."));
			rc = 0;
			goto out;
		}
		json_head(doc, body, &h);
	} else {
		/* a bare list names its document only in header lines: a
		 * file's name is no document number, nor its import time
		 * the document's date (list_head_missing) */
		h.number = h.release_order = NULL;
	}
	copy_head(im, name, &h);
	rc = doc != NULL ?
		json_products(im, json_object_get(body, "products"), -1,
			      "products", 0, e) :
		import_list(im, e);
	if (rc == 1 && im->count == 0) {
		snprintf(im->why, sizeof(im->why), "%s", _("The delivery lists no codes."));
		rc = 0;
	}
	if (rc == 1 && head_missing(im, doc == NULL))
		rc = 0;
out:
	json_decref(body);
	json_decref(root);
	return rc;
}

static int
fill_delivery(struct st_db *db, int64_t id, struct st_delivery *out,
	      struct err *e)
{
	static const char sql[] =
		"SELECT number, state, expected FROM deliveries WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "delivery")) < 0)
		return rc;
	out->id = id;
	if (rc == 1) {
		db_text(st, 0, out->number, sizeof(out->number));
		db_text(st, 1, out->state, sizeof(out->state));
		out->expected = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	return 0;
}

/* --- the import in steps ------------------------------------------------- */

void
st_import_free(struct st_import *im)
{
	if (im == NULL)
		return;
	free(im->items);
	free(im->arena);
	gtin_table_free(&im->gtins);
	code_index_free(&im->dups);
	free(im->lines);
	free(im);
}

/* The time stale_ms ago in db_now's format. */
static void
cutoff(int64_t stale_ms, char out[32])
{
	struct timespec ts;
	struct tm tm;
	int64_t ms;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - stale_ms;
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + strlen(out), 8, ".%03dZ", (int)(ms % 1000));
}

/* Delete the items of delivery id in short transactions, then the row
 * itself if it is still 'importing'. */
static int
delete_partial(struct st_db *db, int64_t id, struct err *e)
{
	static const char items[] =
		"DELETE FROM delivery_items WHERE id IN (SELECT id FROM"
		" delivery_items WHERE delivery_id = ?1 LIMIT ?2)";
	static const char row[] =
		"DELETE FROM deliveries WHERE id = ?1 AND state = 'importing'";
	static const char lines[] =
		"DELETE FROM delivery_lines WHERE delivery_id = ?1 AND"
		" (SELECT state FROM deliveries WHERE id = ?1) = 'importing'";
	sqlite3_stmt *st;
	int rc, n;

	do {
		if ((rc = db_begin(db, e)) < 0)
			return rc;
		if ((st = db_stmt(db, items, e)) == NULL) {
			rc = e->code;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, IMP_DELETE_ROWS);
		if ((rc = db_done(db, st, e, "delete items")) < 0)
			goto fail;
		n = sqlite3_changes(db->h);
		if (n == 0) {
			if ((st = db_stmt(db, lines, e)) == NULL) {
				rc = e->code;
				goto fail;
			}
			sqlite3_bind_int64(st, 1, id);
			if ((rc = db_done(db, st, e, "delete lines")) < 0)
				goto fail;
			if ((st = db_stmt(db, row, e)) == NULL) {
				rc = e->code;
				goto fail;
			}
			sqlite3_bind_int64(st, 1, id);
			if ((rc = db_done(db, st, e, "delete delivery")) < 0)
				goto fail;
		}
		if ((rc = db_commit(db, e)) < 0)
			return rc;
	} while (n > 0);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int
st_import_cleanup(struct st_db *db, int64_t stale_ms, int *removed,
		  struct err *e)
{
	static const char sql[] =
		"SELECT id FROM deliveries WHERE state = 'importing'"
		" AND imported_at <= ?1 ORDER BY id LIMIT 1";
	char before[32];
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if (removed != NULL)
		*removed = 0;
	cutoff(stale_ms, before);
	for (;;) {
		if ((st = db_stmt(db, sql, e)) == NULL)
			return e->code;
		sqlite3_bind_text(st, 1, before, -1, SQLITE_STATIC);
		rc = db_row(db, st, e, "stale import");
		id = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (rc <= 0)
			return rc;
		if ((rc = delete_partial(db, id, e)) < 0)
			return rc;
		if (removed != NULL)
			(*removed)++;
	}
}

/* Parse src (max bytes at most) and, unless refused, write the delivery
 * row: the job in *out. */
static int
begin_stream(struct st_db *db, const struct st_actor *who, const char *name,
	     FILE *src, uint64_t max, const char *why, struct st_import **out,
	     struct err *e)
{
	struct st_import *im = calloc(1, sizeof(*im));
	int rc;

	*out = NULL;
	if (im == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (name == NULL)
		name = "";
	im->db = db;
	im->who = *who;
	im->src = src;
	im->max_bytes = max;
	if (why != NULL) {
		snprintf(im->why, sizeof(im->why), "%s", why);
		rc = 0;
	} else {
		rc = parse_input(im, name, e);
	}
	im->src = NULL;
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		/* Nothing of a refused file is written; the refusal is. */
		if ((rc = db_begin(db, e)) == 0)
			rc = pack_refuse_text(db, who, ST_ACT_DELIVERY_IMPORT,
					      0, 0, name, strlen(name),
					      im->why, e);
		goto fail;
	}
	/* What a crashed import left behind goes first. */
	if ((rc = st_import_cleanup(db, IMP_STALE_MS, NULL, e)) < 0)
		goto fail;
	if ((rc = db_begin(db, e)) < 0)
		goto fail;
	if ((rc = insert_delivery(im, e)) < 0 ||
	    (rc = insert_lines(im, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0) {
		db_rollback(db);
		goto fail;
	}
	*out = im;
	return 0;
fail:
	st_import_free(im);
	return rc;
}

int
st_import_begin(struct st_db *db, const struct st_actor *who,
		const char *name, const char *data, size_t len,
		struct st_import **out, struct err *e)
{
	static char empty[1];
	FILE *f = fmemopen(len > 0 ? (void *)(uintptr_t)data : empty,
			   len > 0 ? len : 1, "r");
	int rc;

	*out = NULL;
	if (f == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	/* an empty input reads as one NUL-free empty line */
	if (len == 0)
		fseek(f, 1, SEEK_SET);
	rc = begin_stream(db, who, name, f, UINT64_MAX, NULL, out, e);
	fclose(f);
	return rc;
}

/*
 * Open path for import: a regular file (not a device such as /dev/zero,
 * a FIFO, a directory or a socket) of at most max bytes. NULL with the
 * reason in why (the file named, its content never quoted).
 */
static FILE *
open_input(const char *path, uint64_t max, char *why, size_t n)
{
	struct stat sb;
	FILE *f;
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) <
	    0) {
		snprintf(why, n, _("Cannot open %s: %s."),
			 path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(why, n, _("%s is not a regular file "
			 "(a device, FIFO or directory): a delivery is "
			 "imported from a file."), path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)sb.st_size > max) {
		snprintf(why, n, _("%s has %llu MB, more than "
			 "the import limit of %llu MB: nothing was imported."),
			 path, (unsigned long long)((sb.st_size + (1 << 20) - 1) >> 20),
			 (unsigned long long)(max >> 20));
		close(fd);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((f = fdopen(fd, "rb")) == NULL) {
		snprintf(why, n, _("Cannot read %s: %s."),
			 path, strerror(errno));
		close(fd);
	}
	return f;
}

int
st_import_begin_path(struct st_db *db, const struct st_actor *who,
		     const char *path, uint64_t max_bytes,
		     struct st_import **out, struct err *e)
{
	char why[ERR_MSG_MAX];
	FILE *f;
	int rc;

	if (max_bytes == 0)
		max_bytes = ST_IMPORT_MAX_BYTES;
	f = open_input(path, max_bytes, why, sizeof(why));
	rc = begin_stream(db, who, path, f, max_bytes, f == NULL ? why : NULL,
			  out, e);
	if (f != NULL)
		fclose(f);
	return rc;
}

void
st_import_progress(const struct st_import *im, int *done, int *total)
{
	*done = (int)im->done;
	*total = (int)im->count;
}

int64_t
st_import_delivery(const struct st_import *im)
{
	return im->delivery;
}

/* Insert item i (its pack is in already). */
static int
insert_item(struct st_import *im, sqlite3_stmt *ins, size_t i,
	    struct err *e)
{
	struct imp_item *it = &im->items[i];
	int64_t gid = 0;
	int rc;

	if (it->gtin >= 0) {
		struct gtin_entry *g = &im->gtins.v[it->gtin];

		if (g->id == 0 &&
		    (rc = db_gtin_id(im->db, g->gtin, &g->id, e)) < 0)
			return rc;
		gid = g->id;
	}
	sqlite3_bind_int64(ins, 1, im->delivery);
	sqlite3_bind_int64(ins, 2, gid);
	sqlite3_bind_text(ins, 3, im->arena + it->serial, it->serial_len,
			  SQLITE_STATIC);
	sqlite3_bind_int(ins, 4, it->kind);
	if (it->parent >= 0)
		sqlite3_bind_int64(ins, 5, im->items[it->parent].id);
	else
		sqlite3_bind_null(ins, 5);
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	if (rc != SQLITE_DONE)
		return db_fail(im->db, e, "delivery item");
	it->id = sqlite3_last_insert_rowid(im->db->h);
	return 0;
}

int
st_import_step(struct st_import *im, int rows, struct err *e)
{
	static const char ins[] =
		"INSERT INTO delivery_items(delivery_id, gtin_id, serial, kind,"
		" parent_item_id) VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char beat[] =
		"UPDATE deliveries SET imported_at = ?2 WHERE id = ?1"
		" AND state = 'importing'";
	size_t i, end = im->done + (size_t)(rows > 0 ? rows : 1);
	sqlite3_stmt *st;
	char now[32];
	int rc, g;

	if (end > im->count)
		end = im->count;
	if ((rc = db_begin(im->db, e)) < 0)
		return rc;
	/* The row says this import is alive (st_import_cleanup). */
	if ((st = db_stmt(im->db, beat, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	db_now(now);
	sqlite3_bind_int64(st, 1, im->delivery);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(im->db, st, e, "import")) < 0)
		goto fail;
	if (sqlite3_changes(im->db->h) != 1) {
		rc = err_set(e, ERR_INTERNAL, "%s", _("The import was abandoned: start it again."));
		goto fail;
	}
	if ((st = db_stmt(im->db, ins, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	for (i = im->done; i < end; i++)
		if ((rc = insert_item(im, st, i, e)) < 0)
			goto fail;
	if ((rc = db_commit(im->db, e)) < 0)
		goto undo;
	im->done = end;
	return im->done < im->count ? 1 : 0;
fail:
	db_rollback(im->db);
undo:
	/* What the rollback took back must be looked up again. */
	for (g = 0; g < im->gtins.n; g++)
		im->gtins.v[g].id = 0;
	return rc;
}

int
st_import_finish(struct st_import *im, struct st_delivery *out,
		 struct err *e)
{
	static const char sql[] =
		"UPDATE deliveries SET state = 'expected', expected = ?2,"
		" imported_at = ?3 WHERE id = ?1 AND state = 'importing'";
	struct st_db *db = im->db;
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (im->done < im->count)
		return err_set(e, ERR_INVALID, "import not complete: %zu of "
			       "%zu rows", im->done, im->count);
	if ((rc = db_begin(db, e)) < 0)
		return rc;
	if ((st = db_stmt(db, sql, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	db_now(now);
	sqlite3_bind_int64(st, 1, im->delivery);
	sqlite3_bind_int(st, 2, (int)im->count);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	if ((rc = db_done(db, st, e, "finish import")) < 0)
		goto fail;
	if (sqlite3_changes(db->h) != 1) {
		rc = err_set(e, ERR_INTERNAL, "%s", _("The import was abandoned: start it again."));
		goto fail;
	}
	if ((rc = db_audit(db, &im->who, ST_ACT_DELIVERY_IMPORT, true, 0, 0,
			   im->name, strlen(im->name), NULL, e)) < 0 ||
	    (rc = fill_delivery(db, im->delivery, out, e)) < 0 ||
	    (rc = db_commit(db, e)) < 0)
		goto fail;
	st_import_free(im);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int
st_import_abort(struct st_import *im, struct err *e)
{
	int rc = 0;

	if (im == NULL)
		return 0;
	if (im->delivery != 0)
		rc = delete_partial(im->db, im->delivery, e);
	st_import_free(im);
	return rc;
}

/* Every step of an import that was begun. Big jobs get a big page cache
 * while they run (64 MiB instead of SQLite's 2 MiB), and the memory goes
 * back to normal afterwards. */
static int
import_all(struct st_db *db, struct st_import *im, struct st_delivery *out,
	   struct err *e)
{
	struct err e2;
	int rc;

	db_cache_big(db, true);
	while ((rc = st_import_step(im, IMP_STEP_ROWS, e)) > 0)
		;
	if (rc == 0)
		rc = st_import_finish(im, out, e);
	if (rc < 0)
		st_import_abort(im, &e2);
	db_cache_big(db, false);
	return rc;
}

int
st_delivery_import(struct st_db *db, const struct st_actor *who,
		   const char *name, const char *data, size_t len,
		   struct st_delivery *out, struct err *e)
{
	struct st_import *im;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = st_import_begin(db, who, name, data, len, &im, e)) < 0)
		return rc;
	return import_all(db, im, out, e);
}

int
st_delivery_import_path(struct st_db *db, const struct st_actor *who,
			const char *path, uint64_t max_bytes,
			struct st_delivery *out, struct err *e)
{
	struct st_import *im;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = st_import_begin_path(db, who, path, max_bytes, &im,
				       e)) < 0)
		return rc;
	return import_all(db, im, out, e);
}
