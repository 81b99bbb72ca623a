/*
 * upd_read: a supplier's УПД into header, lines and a tree of codes
 * (see upd.h).
 *
 * The marking block has no nesting (upd.md §3): each НомСредИдентТов
 * holds КИЗ or НомУпак, optionally under @ИдентТрансУпак. A code listed
 * under an @ИдентТрансУпак is inside that pack; a code listed without
 * one is at the top unless it is inside a pack elsewhere in the file;
 * so a pallet's boxes and a box's units given in separate elements make
 * the tree SSCC -> packs -> units, in whatever order they come.
 *
 * GS cannot appear in XML 1.0, yet files carry it raw or as &#x1D;: both
 * are turned into a private-use character before parsing and back into
 * GS in the codes, so the code parser can cut the crypto tail.
 */
#include <libintl.h>
#include <stdarg.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanners/mark.h"
#include "store/upd.h"
#include "scanners/i18n.h"

#define GS_MARK "&#xE01D;"		/* what GS becomes before parsing */
#define GS_UTF8 "\xee\x80\x9d"		/* ... and after (U+E01D) */

struct node {
	uint32_t key;		/* arena offset: identity of the code */
	uint32_t text;		/* arena offset: the code as written */
	int32_t parent;		/* node index, -1 */
	int32_t line;
	int32_t first, next;	/* children */
	int32_t out;		/* index in d->codes once ordered */
	int lineno;
	uint8_t flat;		/* listed without a pack */
};

struct rd {
	struct upd_doc *d;
	char *why;
	size_t wn;
	xmlTextReaderPtr r;
	char *arena;
	size_t alen, acap;
	struct node *nodes;
	size_t nn, ncap;
	int32_t *hash;
	size_t hcap;
	size_t lines_cap;
	int line;		/* current СведТов, -1 */
	int in_seller, in_buyer;	/* depth of СвПрод / СвПокуп, 0 */
	char trans[300];	/* @ИдентТрансУпак of the open element */
	bool have_trans;
	char text[1024];	/* КИЗ / НомУпак being read */
	size_t tlen;
	bool in_code;
	bool oom;
};

static bool
grow(void **p, size_t *cap, size_t need, size_t size)
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

/* s (n bytes) into the arena, NUL-terminated; its offset or -1. */
static int64_t
keep(struct rd *r, const char *s, size_t n)
{
	size_t at = r->alen;

	if (!grow((void **)&r->arena, &r->acap, r->alen + n + 1, 1)) {
		r->oom = true;
		return -1;
	}
	memcpy(r->arena + at, s, n);
	r->arena[at + n] = '\0';
	r->alen += n + 1;
	return (int64_t)at;
}

static int refuse(struct rd *r, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
refuse(struct rd *r, int lineno, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lineno > 0)
		snprintf(r->why, r->wn, _("Line %d: %s"),
			 lineno, msg);
	else
		snprintf(r->why, r->wn, "%s", msg);
	return 0;
}

/* A copy of data with every GS (raw or as a character reference) as
 * GS_MARK, or NULL when there is none (*out_len untouched). */
static char *
mark_gs(const char *data, size_t len, size_t *out_len, bool *oom)
{
	static const char *const refs[] = { "&#x1D;", "&#x1d;", "&#X1D;",
		"&#X1d;", "&#29;", "&#029;", "&#0029;" };
	size_t i, o = 0, k, hits = 0;
	char *out;

	*oom = false;
	for (i = 0; i < len; i++)
		if (data[i] == '\x1d' || (data[i] == '&' && i + 1 < len &&
					  data[i + 1] == '#'))
			hits++;
	if (hits == 0)
		return NULL;
	if ((out = malloc(len + hits * 8 + 1)) == NULL) {
		*oom = true;
		return NULL;
	}
	for (i = 0; i < len;) {
		if (data[i] == '\x1d') {
			memcpy(out + o, GS_MARK, 8);
			o += 8;
			i++;
			continue;
		}
		for (k = 0; data[i] == '&' && k < sizeof(refs) / sizeof(refs[0]);
		     k++) {
			size_t rl = strlen(refs[k]);

			if (len - i >= rl && memcmp(data + i, refs[k], rl) == 0)
				break;
		}
		if (data[i] == '&' && k < sizeof(refs) / sizeof(refs[0])) {
			memcpy(out + o, GS_MARK, 8);
			o += 8;
			i += strlen(refs[k]);
			continue;
		}
		out[o++] = data[i++];
	}
	*out_len = o;
	return out;
}

/* The code as read: trimmed, GS back, "\x1d" text as GS, an SSCC
 * without its (00) or leading 00 (upd.md §3, SSCC form). */
static size_t
clean_code(const char *in, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0, j;

	while (n > 0 && strchr(" \t\r\n", in[n - 1]))
		n--;
	while (i < n && strchr(" \t\r\n", in[i]))
		i++;
	while (i < n && o + 1 < cap) {
		if (n - i >= 3 && memcmp(in + i, GS_UTF8, 3) == 0) {
			out[o++] = '\x1d';
			i += 3;
		} else if (n - i >= 4 && memcmp(in + i, "\\x1d", 4) == 0) {
			out[o++] = '\x1d';
			i += 4;
		} else {
			out[o++] = in[i++];
		}
	}
	out[o] = '\0';
	if (o == 22 && memcmp(out, "(00)", 4) == 0) {
		memmove(out, out + 4, 19);
		o = 18;
	}
	for (j = 0; j < o && out[j] >= '0' && out[j] <= '9'; j++)
		;
	if (j == o && o == 20 && out[0] == '0' && out[1] == '0') {
		memmove(out, out + 2, 19);
		o = 18;
	}
	return o;
}

/* The identity of a code: an SSCC's 18 digits, else GTIN + serial. */
static int
code_key(const char *s, size_t n, char *key, size_t kn, char *why, size_t wn)
{
	struct mark m, alt;

	if (n == MARK_SSCC_LEN && strspn(s, "0123456789") == n) {
		snprintf(key, kn, "%s", s);
		return 0;
	}
	if (mark_parse(s, n, &m) == 0 && m.kind == MARK_SSCC) {
		snprintf(key, kn, "%s", m.sscc);
		return 0;
	}
	if (m.kind != MARK_INVALID && m.kind != MARK_COMMAND) {
		snprintf(key, kn, "%s\x1f%s", m.gtin, m.serial);
		return 0;
	}
	if (mark_sscc_check(s, n, &alt) == 0) {
		snprintf(key, kn, "%s", alt.sscc);
		return 0;
	}
	mark_strerror(&m, why, wn);
	return -1;
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static bool
hash_grow(struct rd *r)
{
	size_t cap = r->hcap ? r->hcap * 2 : 1024, i, at;
	int32_t *h = malloc(cap * sizeof(*h));

	if (h == NULL)
		return false;
	for (i = 0; i < cap; i++)
		h[i] = -1;
	for (i = 0; i < r->nn; i++) {
		at = hash_str(r->arena + r->nodes[i].key) & (cap - 1);
		while (h[at] >= 0)
			at = (at + 1) & (cap - 1);
		h[at] = (int32_t)i;
	}
	free(r->hash);
	r->hash = h;
	r->hcap = cap;
	return true;
}

/* The node of code text (n bytes as read); created if new. -1 refused
 * (why set), -2 out of memory. */
static int32_t
node_of(struct rd *r, const char *raw, size_t rawn, int lineno)
{
	char code[1024], key[1100], why[400];
	size_t n = clean_code(raw, rawn, code, sizeof(code)), at;
	struct node *nd;
	int64_t ko, to;

	if (n == 0) {
		refuse(r, lineno, "%s", _("an empty code in "
		       "the marking block"));
		return -1;
	}
	if (code_key(code, n, key, sizeof(key), why, sizeof(why)) < 0) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%.80s: %s", code, why);
		refuse(r, lineno, "%s", msg);
		return -1;
	}
	if ((r->nn + 1) * 2 > r->hcap && !hash_grow(r))
		return -2;
	at = hash_str(key) & (r->hcap - 1);
	for (; r->hash[at] >= 0; at = (at + 1) & (r->hcap - 1))
		if (strcmp(r->arena + r->nodes[r->hash[at]].key, key) == 0)
			return r->hash[at];
	if ((ko = keep(r, key, strlen(key))) < 0 ||
	    (to = keep(r, code, n)) < 0 ||
	    !grow((void **)&r->nodes, &r->ncap, r->nn + 1, sizeof(*nd)))
		return -2;
	nd = &r->nodes[r->nn];
	memset(nd, 0, sizeof(*nd));
	nd->key = (uint32_t)ko;
	nd->text = (uint32_t)to;
	nd->parent = nd->first = nd->next = nd->out = -1;
	nd->line = r->line;
	nd->lineno = lineno;
	r->hash[at] = (int32_t)r->nn;
	return (int32_t)r->nn++;
}

/* A КИЗ or НомУпак read: under the open element's pack, if any. */
static int
mention(struct rd *r, int lineno)
{
	int32_t n, p = -1;

	if (r->have_trans &&
	    (p = node_of(r, r->trans, strlen(r->trans), lineno)) < 0)
		return p == -2 ? -1 : 0;
	if ((n = node_of(r, r->text, r->tlen, lineno)) < 0)
		return n == -2 ? -1 : 0;
	if (p < 0) {
		if (r->nodes[n].flat++ > 0)
			return refuse(r, lineno, _("%s is listed "
				      "twice in the marking block"),
				      r->arena + r->nodes[n].text);
		return 1;
	}
	if (n == p)
		return refuse(r, lineno, _("%s is listed inside "
			      "itself"), r->arena + r->nodes[n].text);
	if (r->nodes[n].parent >= 0)
		return refuse(r, lineno, _("%s is listed twice "
			      "inside packs"), r->arena + r->nodes[n].text);
	r->nodes[n].parent = p;
	return 1;
}

/* The value of attribute name of the current element into out. */
static bool
attr(struct rd *r, const char *name, char *out, size_t n)
{
	xmlChar *v = xmlTextReaderGetAttribute(r->r, (const xmlChar *)name);

	if (v == NULL)
		return false;
	snprintf(out, n, "%s", (const char *)v);
	xmlFree(v);
	return true;
}

static bool
named(const xmlChar *name, const char *s)
{
	return strcmp((const char *)name, s) == 0;
}

/* An INN attribute of any element inside the open СвПрод or СвПокуп. */
static void
party_inn(struct rd *r)
{
	char *inn = r->in_seller ? r->d->sender_inn :
		r->in_buyer ? r->d->receiver_inn : NULL;
	size_t n = sizeof(r->d->sender_inn);

	if (inn == NULL || inn[0] != '\0')
		return;
	if (!attr(r, "ИННЮЛ", inn, n))
		attr(r, "ИННФЛ", inn, n);
}

static int
start(struct rd *r, const xmlChar *name, int depth)
{
	struct upd_doc *d = r->d;
	char buf[64];

	if (named(name, "Файл")) {
		attr(r, "ВерсФорм", d->version, sizeof(d->version));
		attr(r, "ИдФайл", d->file_id, sizeof(d->file_id));
	} else if (named(name, "Документ") || named(name, "ИнфПок")) {
		attr(r, "КНД", d->knd, sizeof(d->knd));
		attr(r, "Функция", d->function, sizeof(d->function));
		if (named(name, "ИнфПок") && d->knd[0] == '\0')
			snprintf(d->knd, sizeof(d->knd), "1115132");
	} else if (named(name, "СвСчФакт")) {
		if (!attr(r, "НомерДок", d->number, sizeof(d->number)))
			attr(r, "НомерСчФ", d->number, sizeof(d->number));
		if (!attr(r, "ДатаДок", d->date, sizeof(d->date)))
			attr(r, "ДатаСчФ", d->date, sizeof(d->date));
	} else if (named(name, "СвПрод") && d->sender_inn[0] == '\0') {
		r->in_seller = depth + 1;
	} else if (named(name, "СвПокуп") && d->receiver_inn[0] == '\0') {
		r->in_buyer = depth + 1;
	} else if (named(name, "СвПер")) {
		attr(r, "ДатаПер", d->transfer_date, sizeof(d->transfer_date));
	} else if (named(name, "СведТов")) {
		struct upd_line *l;

		if (!grow((void **)&d->lines, &r->lines_cap,
			  (size_t)d->nlines + 1, sizeof(*l)))
			return -1;
		l = &d->lines[d->nlines];
		memset(l, 0, sizeof(*l));
		if (attr(r, "НомСтр", buf, sizeof(buf)))
			l->num = atoi(buf);
		else
			l->num = d->nlines + 1;
		attr(r, "НаимТов", l->name, sizeof(l->name));
		attr(r, "КолТов", l->qty, sizeof(l->qty));
		r->line = d->nlines++;
	} else if (named(name, "ДопСведТов") && r->line >= 0) {
		struct upd_line *l = &d->lines[r->line];

		if (!attr(r, "ГТИН", l->gtin, sizeof(l->gtin)) &&
		    attr(r, "КодТов", buf, sizeof(buf)) &&
		    strlen(buf) == 14 && strspn(buf, "0123456789") == 14)
			snprintf(l->gtin, sizeof(l->gtin), "%s", buf);
	} else if (named(name, "НомСредИдентТов")) {
		r->have_trans = attr(r, "ИдентТрансУпак", r->trans,
				     sizeof(r->trans)) && r->trans[0];
		if (r->have_trans) {
			int32_t n = node_of(r, r->trans, strlen(r->trans),
				xmlTextReaderGetParserLineNumber(r->r));

			if (n < 0)
				return n == -2 ? -1 : 0;
		}
	} else if (named(name, "КИЗ") || named(name, "НомУпак")) {
		r->in_code = true;
		r->tlen = 0;
	}
	if (r->in_seller || r->in_buyer)
		party_inn(r);
	return 1;
}

static int
end(struct rd *r, const xmlChar *name, int depth)
{
	if (r->in_seller == depth + 1 && named(name, "СвПрод"))
		r->in_seller = 0;
	if (r->in_buyer == depth + 1 && named(name, "СвПокуп"))
		r->in_buyer = 0;
	if (named(name, "СведТов"))
		r->line = -1;
	if (named(name, "НомСредИдентТов"))
		r->have_trans = false;
	if ((named(name, "КИЗ") || named(name, "НомУпак")) && r->in_code) {
		r->in_code = false;
		return mention(r, xmlTextReaderGetParserLineNumber(r->r));
	}
	return 1;
}

/* Nodes into d->codes, each pack before what it holds; 0 on a cycle. */
static int
order(struct rd *r)
{
	struct upd_doc *d = r->d;
	int32_t *stack;
	size_t i, sp, done = 0;

	for (i = 0; i < r->nn; i++) {
		int32_t p = r->nodes[i].parent;

		if (p >= 0) {
			r->nodes[i].next = r->nodes[p].first;
			r->nodes[p].first = (int32_t)i;
		}
	}
	d->codes = malloc((r->nn ? r->nn : 1) * sizeof(*d->codes));
	stack = malloc((r->nn ? r->nn : 1) * sizeof(*stack));
	if (d->codes == NULL || stack == NULL) {
		free(stack);
		return -1;
	}
	for (i = 0; i < r->nn; i++) {
		if (r->nodes[i].parent >= 0)
			continue;
		sp = 0;
		stack[sp++] = (int32_t)i;
		while (sp > 0) {
			int32_t n = stack[--sp], c;
			struct node *nd = &r->nodes[n];
			struct upd_code *out = &d->codes[done];

			out->text = nd->text;
			out->parent = nd->parent >= 0 ?
				r->nodes[nd->parent].out : -1;
			out->line = nd->line;
			out->lineno = nd->lineno;
			nd->out = (int32_t)done++;
			/* the list runs back to front: the first pops first */
			for (c = nd->first; c >= 0; c = r->nodes[c].next)
				stack[sp++] = c;
		}
	}
	free(stack);
	d->ncodes = done;
	if (done < r->nn) {
		for (i = 0; i < r->nn && r->nodes[i].out >= 0; i++)
			;
		return refuse(r, r->nodes[i].lineno, _("%s is inside a pack that is inside it"),
			      r->arena + r->nodes[i].text);
	}
	return 1;
}

static void
reader_error(void *arg, const char *msg, xmlParserSeverities sev,
	     xmlTextReaderLocatorPtr loc)
{
	struct rd *r = arg;
	char m[400];
	size_t n;

	if (sev != XML_PARSER_SEVERITY_ERROR || r->why[0] != '\0')
		return;
	snprintf(m, sizeof(m), "%s", msg);
	n = strlen(m);
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		m[--n] = '\0';
	snprintf(r->why, r->wn, _("Line %d: not a readable "
		 "XML file: %s"), xmlTextReaderLocatorLineNumber(loc), m);
}

int
upd_parse(const char *data, size_t len, struct upd_doc *d, char *why,
	  size_t wn)
{
	struct rd r = { .d = d, .why = why, .wn = wn, .line = -1 };
	size_t mlen = len;
	bool oom;
	char *marked = mark_gs(data, len, &mlen, &oom);
	int ret, rc = 1;

	memset(d, 0, sizeof(*d));
	why[0] = '\0';
	if (oom)
		return -1;
	/* no network, no DTD loading, no entity substitution (XXE) */
	r.r = xmlReaderForMemory(marked ? marked : data,
				 (int)(marked ? mlen : len), NULL, NULL,
				 XML_PARSE_NONET);
	if (r.r == NULL) {
		free(marked);
		return -1;
	}
	xmlTextReaderSetErrorHandler(r.r, reader_error, &r);
	while (rc == 1 && (ret = xmlTextReaderRead(r.r)) == 1) {
		int type = xmlTextReaderNodeType(r.r);
		int depth = xmlTextReaderDepth(r.r);
		const xmlChar *name = xmlTextReaderConstLocalName(r.r);

		switch (type) {
		case XML_READER_TYPE_DOCUMENT_TYPE:
		case XML_READER_TYPE_ENTITY_REFERENCE:
		case XML_READER_TYPE_ENTITY:
			rc = refuse(&r, xmlTextReaderGetParserLineNumber(r.r),
				    "%s", _("a document type "
				    "or entity: a УПД has none, and sklad does "
				    "not read them"));
			break;
		case XML_READER_TYPE_ELEMENT:
			rc = start(&r, name, depth);
			if (rc == 1 && xmlTextReaderIsEmptyElement(r.r))
				rc = end(&r, name, depth);
			break;
		case XML_READER_TYPE_END_ELEMENT:
			rc = end(&r, name, depth);
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (r.in_code) {
				const char *v = (const char *)
					xmlTextReaderConstValue(r.r);
				size_t n = v ? strlen(v) : 0;

				if (r.tlen + n >= sizeof(r.text))
					n = sizeof(r.text) - 1 - r.tlen;
				memcpy(r.text + r.tlen, v, n);
				r.tlen += n;
			}
			break;
		default:
			break;
		}
		if (r.oom)
			rc = -1;
	}
	if (rc == 1 && ret < 0)
		rc = why[0] ? 0 : refuse(&r, 0, "%s", _("Not a readable XML file."));
	xmlFreeTextReader(r.r);
	free(marked);
	if (rc == 1 && d->file_id[0] == '\0' && d->knd[0] == '\0')
		rc = refuse(&r, 0, "%s", _("Not a УПД: no "
			    "Файл/@ИдФайл and no Документ/@КНД."));
	if (rc == 1)
		rc = order(&r);
	free(r.nodes);
	free(r.hash);
	if (rc == 1) {
		d->arena = r.arena;
		return 1;
	}
	free(r.arena);
	upd_free(d);
	return rc;
}

void
upd_free(struct upd_doc *d)
{
	if (d == NULL)
		return;
	free(d->lines);
	free(d->codes);
	free(d->arena);
	d->lines = NULL;
	d->codes = NULL;
	d->arena = NULL;
	d->nlines = 0;
	d->ncodes = 0;
}
