/*
 * export_fmt: exports as XML, УПД, CSV and JSON (see export_fmt.h).
 */
#define _GNU_SOURCE		/* open_memstream */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <jansson.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console/export_fmt.h"

int
xf_format_parse(const char *name, enum xf_format *out)
{
	static const struct {
		const char *name;
		enum xf_format f;
	} t[] = { { "xml", XF_XML }, { "upd", XF_UPD }, { "csv", XF_CSV },
		  { "json", XF_JSON } };
	size_t i;

	for (i = 0; name && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(name, t[i].name) == 0) {
			*out = t[i].f;
			return 0;
		}
	return -1;
}

static const char *
level_of(int kind)
{
	return kind >= 5 ? "sscc" : kind == 2 || kind == 3 ? "pack" : "unit";
}

/* --- XML ---------------------------------------------------------------- */

/* s escaped once for XML text or an attribute; -1 on a control
 * character (0x1D and the others XML 1.0 forbids, upd.md §5.2). */
static int
xml_put(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\t': case '\n': case '\r':
			fprintf(f, "&#%d;", c);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				return -1;
			fputc(c, f);
		}
	}
	return 0;
}

struct xw {
	FILE *f;
	const struct st_export *x;
	const struct xf_opts *o;
	int bad;		/* a node with a control character */
};

static void
put(struct xw *w, const char *s)
{
	if (xml_put(w->f, s) < 0)
		w->bad = 1;
}

/* One НомСредИдентТов: children of node parent (-1: the line's top
 * codes) of line, packs (НомУпак) or units (КИЗ), filtered by list
 * (NULL: any); the attribute when parent is a pack. Nothing if none. */
static void
xml_group(struct xw *w, int line, int parent, bool packs, const char *list,
	  const char *indent)
{
	const struct st_export *x = w->x;
	size_t i;
	bool open = false;

	for (i = 0; i < x->n; i++) {
		const struct st_xnode *n = &x->nodes[i];
		bool top;

		if (n->line != line || (n->kind == 1 || n->kind == 4) == packs)
			continue;
		if (list != NULL) {
			/* the top of what has this status */
			top = strcmp(n->list, list) == 0 &&
				(n->parent < 0 || strcmp(x->nodes[n->parent].list,
							 list) != 0);
			if (!top)
				continue;
		} else if (n->parent != parent) {
			continue;
		}
		if (!open) {
			fprintf(w->f, "%s<НомСредИдентТов", indent);
			if (parent >= 0) {
				fputs(" ИдентТрансУпак=\"", w->f);
				put(w, x->nodes[parent].code);
				fputc('"', w->f);
			}
			fputs(">", w->f);
			open = true;
		}
		fputs(packs ? "<НомУпак>" : "<КИЗ>", w->f);
		put(w, n->code);
		fputs(packs ? "</НомУпак>" : "</КИЗ>", w->f);
	}
	if (open)
		fputs("</НомСредИдентТов>\n", w->f);
}

/* Every pack of line with contents, its contents under its id. */
static void
xml_tree(struct xw *w, int line, const char *indent)
{
	const struct st_export *x = w->x;
	size_t i;

	for (i = 0; i < x->n; i++) {
		const struct st_xnode *n = &x->nodes[i];

		if (n->line != line || n->kind == 1 || n->kind == 4 ||
		    i + 1 >= x->n || x->nodes[i + 1].parent != (int)i)
			continue;
		xml_group(w, line, (int)i, true, NULL, indent);
		xml_group(w, line, (int)i, false, NULL, indent);
	}
}

/* One СведТов: line l with its marking block. */
static void
xml_line(struct xw *w, int l, int num, const char *list, const char *ind)
{
	const struct st_xline *ln = &w->x->lines[l];
	char in2[32], in3[32];
	int count = ln->count;
	size_t i;

	if (list != NULL) {	/* the units of this status only */
		count = 0;
		for (i = 0; i < w->x->n; i++) {
			const struct st_xnode *n = &w->x->nodes[i];

			if (n->line == l && strcmp(n->list, list) == 0 &&
			    (n->kind == 1 || n->kind == 4 ||
			     (n->kind < 5 && (i + 1 >= w->x->n ||
					      w->x->nodes[i + 1].parent !=
					      (int)i))))
				count++;
		}
		if (count == 0)
			return;
	}
	snprintf(in2, sizeof(in2), "%s  ", ind);
	snprintf(in3, sizeof(in3), "%s    ", ind);
	fprintf(w->f, "%s<СведТов НомСтр=\"%d\"", ind, num);
	if (ln->name[0]) {
		fputs(" НаимТов=\"", w->f);
		put(w, ln->name);
		fputc('"', w->f);
	}
	fprintf(w->f, " ОКЕИ_Тов=\"796\" КолТов=\"%d\">\n", count);
	fprintf(w->f, "%s<ДопСведТов", in2);
	if (ln->gtin[0] && !w->o->v501)
		fprintf(w->f, " ГТИН=\"%s\"", ln->gtin);
	else if (ln->gtin[0])
		fprintf(w->f, " КодТов=\"%s\"", ln->gtin);
	fputs(">\n", w->f);
	xml_group(w, l, -1, true, list, in3);
	xml_group(w, l, -1, false, list, in3);
	if (w->o->tree && list == NULL)
		xml_tree(w, l, in3);
	fprintf(w->f, "%s</ДопСведТов>\n%s</СведТов>\n", in2, ind);
}

static void
xml_lines(struct xw *w, const char *list, const char *ind)
{
	int l, num = 0;

	for (l = 0; l < w->x->nlines; l++) {
		long before = ftell(w->f);

		xml_line(w, l, num + 1, list, ind);
		if (ftell(w->f) != before)
			num++;
	}
}

/* dd.mm.yyyy of an ISO date or dd.mm.yyyy; "" if neither. */
static void
ru_date(const char *in, char out[11])
{
	out[0] = '\0';
	if (strlen(in) >= 10 && in[4] == '-' && in[7] == '-')
		snprintf(out, 11, "%.2s.%.2s.%.4s", in + 8, in + 5, in);
	else if (strlen(in) >= 10 && in[2] == '.' && in[5] == '.')
		snprintf(out, 11, "%.10s", in);
}

static void
xml_party(struct xw *w, const char *elem, const char *inn)
{
	if (strlen(inn) == 12)
		fprintf(w->f, "      <%s><ИдСв><СвИП ИННФЛ=\"%s\"/></ИдСв></%s>\n",
			elem, inn, elem);
	else
		fprintf(w->f, "      <%s><ИдСв><СвЮЛУч ИННЮЛ=\"%s\"/></ИдСв>"
			"</%s>\n", elem, inn, elem);
}

void
xf_upd_id(const struct st_export *x, const struct xf_opts *o, char *out,
	  size_t n)
{
	char date[11], ymd[9];
	time_t t = time(NULL);
	struct tm tm;

	ru_date(x->date, date);
	if (date[0] == '\0') {
		localtime_r(&t, &tm);
		strftime(date, sizeof(date), "%d.%m.%Y", &tm);
	}
	snprintf(ymd, sizeof(ymd), "%.4s%.2s%.2s", date + 6, date + 3, date);
	/* the file name must equal ИдФайл (upd.md §2.3); the GUID's place
	 * holds sklad's own unique name of the document */
	snprintf(out, n, "%s_%s_%s_%s_sklad-%s-%lld%s",
		 o->v501 ? "ON_NSCHFDOPPRMARK" : "ON_NSCHFDOPPR",
		 x->receiver_inn, x->sender_inn, ymd, x->what,
		 (long long)x->id, o->v501 ? "" : "_0_1_0_0_0_00");
}

/* A whole seller title (upd.md §2.1, §2.2) around the lines. */
static void
xml_upd(struct xw *w)
{
	const struct st_export *x = w->x;
	bool v501 = w->o->v501;
	char id[160], date[11], now_d[11], now_t[9];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(now_d, sizeof(now_d), "%d.%m.%Y", &tm);
	strftime(now_t, sizeof(now_t), "%H.%M.%S", &tm);
	ru_date(x->date, date);
	if (date[0] == '\0')
		snprintf(date, sizeof(date), "%s", now_d);
	xf_upd_id(x, w->o, id, sizeof(id));
	fprintf(w->f, "<?xml version=\"1.0\" encoding=\"%s\"?>\n",
		w->o->cp1251 ? "windows-1251" : "UTF-8");
	fprintf(w->f, "<Файл ИдФайл=\"%s\" ВерсФорм=\"%s\" ВерсПрог=\"sklad\">"
		"\n", id, v501 ? "5.01" : "5.03");
	if (v501)
		fprintf(w->f, "  <СвУчДокОбор ИдОтпр=\"%s\" ИдПол=\"%s\"/>\n",
			x->sender_inn, x->receiver_inn);
	fprintf(w->f, "  <Документ КНД=\"1115131\" Функция=\"СЧФДОП\" "
		"ДатаИнфПр=\"%s\" ВремИнфПр=\"%s\" "
		"НаимЭконСубСост=\"sklad\">\n", now_d, now_t);
	fputs(v501 ? "    <СвСчФакт НомерСчФ=\"" : "    <СвСчФакт НомерДок=\"",
	      w->f);
	put(w, x->number);
	fprintf(w->f, "\" %s=\"%s\">\n", v501 ? "ДатаСчФ" : "ДатаДок", date);
	xml_party(w, "СвПрод", x->sender_inn);
	xml_party(w, "СвПокуп", x->receiver_inn);
	fputs("    </СвСчФакт>\n    <ТаблСчФакт>\n", w->f);
	xml_lines(w, NULL, "      ");
	fprintf(w->f, "    </ТаблСчФакт>\n    <СвПродПер><СвПер "
		"СодОпер=\"Товары переданы\" ДатаПер=\"%s\"/></СвПродПер>\n"
		"  </Документ>\n</Файл>\n", date);
}

static void
xml_acceptance(struct xw *w)
{
	static const char *const lists[] = { "accepted", "missing",
		"rejected", "surplus" };
	const struct st_export *x = w->x;
	char date[11] = "";
	size_t i;

	ru_date(x->finished_at, date);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<sklad-acceptance ИдФайлИнфПр=\"", w->f);
	put(w, x->file_id);
	fputs("\" НомерДок=\"", w->f);
	put(w, x->number);
	fprintf(w->f, "\" ИННПрод=\"%s\" ИННПок=\"%s\" КодИтога=\"%d\"",
		x->sender_inn, x->receiver_inn, x->result_code);
	if (date[0])
		fprintf(w->f, " ДатаПрин=\"%s\"", date);
	fputs(">\n", w->f);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		fprintf(w->f, "  <%s>\n", lists[i]);
		xml_lines(w, lists[i], "    ");
		fprintf(w->f, "  </%s>\n", lists[i]);
	}
	fputs("</sklad-acceptance>\n", w->f);
}

/* --- CSV ----------------------------------------------------------------- */

/* One field, quoted when it must be; GS and other control bytes as
 * \xNN text so a spreadsheet shows them. */
static void
csv_field(FILE *f, const char *s, size_t n, bool last)
{
	bool quote = false;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' ||
		    s[i] == '\r' || (i == 0 && (s[i] == ' ' || s[i] == '=')))
			quote = true;
	if (quote)
		fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"')
			fputs("\"\"", f);
		else if ((c < 0x20 && c != '\n' && c != '\r') || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	if (quote)
		fputc('"', f);
	fputs(last ? "\r\n" : ",", f);
}

static void
csv_str(FILE *f, const char *s, bool last)
{
	csv_field(f, s, strlen(s), last);
}

static void
csv_int(FILE *f, long v, bool last)
{
	fprintf(f, "%ld%s", v, last ? "\r\n" : ",");
}

static void
csv_export(FILE *f, const struct st_export *x)
{
	size_t i;

	fputs("line,gtin,name,level,code,parent,units,status\r\n", f);
	for (i = 0; i < x->n; i++) {
		const struct st_xnode *n = &x->nodes[i];
		const struct st_xline *l = &x->lines[n->line];

		csv_int(f, n->line + 1, false);
		csv_str(f, l->gtin, false);
		csv_str(f, l->name, false);
		csv_str(f, level_of(n->kind), false);
		csv_str(f, n->code, false);
		csv_str(f, n->parent >= 0 ? x->nodes[n->parent].code : "",
			false);
		csv_int(f, n->units, false);
		csv_str(f, n->list, true);
	}
}

/* --- JSON ---------------------------------------------------------------- */

static json_t *
jstr(const char *s)
{
	json_t *v = json_string(s);

	return v ? v : json_string("");
}

static json_t *
json_export(const struct st_export *x)
{
	json_t *o = json_object(), *lines = json_array(),
		*codes = json_array();
	int l;
	size_t i;

	json_object_set_new(o, "kind", jstr(x->what));
	if (x->id)
		json_object_set_new(o, "id", json_integer(x->id));
	json_object_set_new(o, "number", jstr(x->number));
	json_object_set_new(o, "date", jstr(x->date));
	json_object_set_new(o, "state", jstr(x->state));
	json_object_set_new(o, "sender_inn", jstr(x->sender_inn));
	json_object_set_new(o, "receiver_inn", jstr(x->receiver_inn));
	if (strcmp(x->what, "acceptance") == 0) {
		json_object_set_new(o, "file_id", jstr(x->file_id));
		json_object_set_new(o, "result_code",
				    json_integer(x->result_code));
		json_object_set_new(o, "accepted", json_integer(x->accepted));
		json_object_set_new(o, "missing", json_integer(x->missing));
		json_object_set_new(o, "rejected", json_integer(x->rejected));
		json_object_set_new(o, "surplus", json_integer(x->surplus));
	}
	for (l = 0; l < x->nlines; l++) {
		json_t *ln = json_object(), *sscc = json_array(),
			*pack = json_array(), *ki = json_array();

		for (i = 0; i < x->n; i++) {
			const struct st_xnode *n = &x->nodes[i];

			if (n->line != l || n->parent >= 0)
				continue;
			json_array_append_new(n->kind >= 5 ? sscc :
					      n->kind == 2 || n->kind == 3 ?
					      pack : ki, jstr(n->code));
		}
		json_object_set_new(ln, "line", json_integer(l + 1));
		json_object_set_new(ln, "gtin", jstr(x->lines[l].gtin));
		json_object_set_new(ln, "name", jstr(x->lines[l].name));
		json_object_set_new(ln, "count",
				    json_integer(x->lines[l].count));
		json_object_set_new(ln, "sscc", sscc);
		json_object_set_new(ln, "pack", pack);
		json_object_set_new(ln, "ki", ki);
		json_array_append_new(lines, ln);
	}
	for (i = 0; i < x->n; i++) {
		const struct st_xnode *n = &x->nodes[i];

		json_array_append_new(codes, json_pack("{s:i, s:s, s:o, s:o,"
			" s:o, s:i, s:s}", "line", n->line + 1, "level",
			level_of(n->kind), "code", jstr(n->code), "gtin",
			jstr(n->gtin), "parent", n->parent >= 0 ?
			jstr(x->nodes[n->parent].code) : json_null(),
			"units", n->units, "status", n->list));
	}
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "codes", codes);
	return o;
}

/* --- windows-1251 -------------------------------------------------------- */

/* UTF-8 text in into windows-1251 on f; a character the code page lacks
 * as a numeric reference (upd.md §3 Encoding). -1 if iconv is missing. */
static int
put_cp1251(FILE *f, const char *in, size_t len)
{
	iconv_t cd = iconv_open("WINDOWS-1251", "UTF-8");
	char buf[4096];
	size_t at = 0;

	if (cd == (iconv_t)-1)
		return -1;
	while (at < len) {
		char *src = (char *)in + at, *dst = buf;
		size_t sl = len - at, dl = sizeof(buf);
		size_t r = iconv(cd, &src, &sl, &dst, &dl);

		fwrite(buf, 1, (size_t)(dst - buf), f);
		at = (size_t)(src - in);
		if (r == (size_t)-1 && errno == EILSEQ) {
			/* one UTF-8 character: decode it by hand */
			const unsigned char *p = (const unsigned char *)in + at;
			unsigned cp = p[0];
			int k = p[0] >= 0xf0 ? 3 : p[0] >= 0xe0 ? 2 :
				p[0] >= 0xc0 ? 1 : 0, j;

			if (k == 0 || at + (size_t)k >= len + 0) {
				at++;
				continue;
			}
			cp &= 0x3f >> k;
			for (j = 1; j <= k; j++)
				cp = (cp << 6) | (p[j] & 0x3f);
			fprintf(f, "&#%u;", cp);
			at += (size_t)k + 1;
		} else if (r == (size_t)-1 && errno != E2BIG) {
			break;
		}
	}
	iconv_close(cd);
	return 0;
}

/* --- the entry --------------------------------------------------------- */

int
xf_write(FILE *f, const struct st_export *x, const struct xf_opts *o,
	 struct err *e)
{
	struct xw w = { .x = x, .o = o };
	char *buf = NULL;
	size_t len = 0;
	json_t *j;
	int rc = 0;

	if (o->format == XF_CSV) {
		csv_export(f, x);
	} else if (o->format == XF_JSON) {
		j = json_export(x);
		if (json_dumpf(j, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0)
			rc = err_set(e, ERR_IO, "cannot write the JSON");
		fputc('\n', f);
		json_decref(j);
	} else {
		if ((w.f = open_memstream(&buf, &len)) == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		if (strcmp(x->what, "acceptance") == 0) {
			xml_acceptance(&w);
		} else if (o->format == XF_UPD) {
			xml_upd(&w);
		} else {
			fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			      "<ТаблСчФакт>\n", w.f);
			xml_lines(&w, NULL, "  ");
			fputs("</ТаблСчФакт>\n", w.f);
		}
		fclose(w.f);
		if (w.bad)
			rc = err_set(e, ERR_INVALID, "a code holds a control "
				     "character, which XML cannot carry; "
				     "export it as CSV or JSON");
		else if (o->format == XF_UPD && o->cp1251 &&
			 strcmp(x->what, "acceptance") != 0)
			rc = put_cp1251(f, buf, len) < 0 ?
				err_set(e, ERR_INTERNAL, "no windows-1251 "
					"converter") : 0;
		else
			fwrite(buf, 1, len, f);
		free(buf);
	}
	if (rc == 0 && ferror(f))
		rc = err_set(e, ERR_IO, "cannot write: %s", strerror(errno));
	return rc;
}

/* --- audit ---------------------------------------------------------------- */

void
xf_audit_begin(struct xf_audit *a)
{
	a->rows = 0;
	if (a->json)
		fputs("[", a->f);
	else
		fputs("id,at,user,device,action,ok,code,pack,scan,reason\r\n",
		      a->f);
}

/* The scan as text: valid UTF-8 stays, GS and control bytes as \xNN. */
static char *
scan_text(const char *s, size_t n)
{
	char *out = malloc(n * 4 + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; s && i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)sprintf(out + o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

int
xf_audit_row(void *arg, const struct st_audit_row *r)
{
	struct xf_audit *a = arg;
	char *scan = scan_text(r->scan, r->scan_len);
	json_t *j;

	if (scan == NULL)
		return -1;
	if (a->json) {
		json_t *raw = json_stringn(r->scan ? r->scan : "",
					   r->scan_len);

		j = json_pack("{s:I, s:s, s:o, s:o, s:s, s:b, s:o, s:o, s:o,"
			      " s:o}", "id", (json_int_t)r->id, "at", r->at,
			      "user", jstr(r->user), "device", jstr(r->device),
			      "action", r->action, "ok", r->ok, "code",
			      jstr(r->code), "pack", jstr(r->pack), "scan",
			      raw ? raw : jstr(scan), "reason",
			      jstr(r->reason));
		fputs(a->rows ? ",\n " : "\n ", a->f);
		json_dumpf(j, a->f, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(j);
	} else {
		fprintf(a->f, "%lld,", (long long)r->id);
		csv_str(a->f, r->at, false);
		csv_str(a->f, r->user, false);
		csv_str(a->f, r->device, false);
		csv_str(a->f, r->action, false);
		csv_int(a->f, r->ok, false);
		csv_str(a->f, r->code, false);
		csv_str(a->f, r->pack, false);
		csv_str(a->f, scan, false);
		csv_str(a->f, r->reason, true);
	}
	free(scan);
	a->rows++;
	return 0;
}

void
xf_audit_end(struct xf_audit *a)
{
	if (a->json)
		fputs(a->rows ? "\n]\n" : "]\n", a->f);
}

int
xf_write_atomic(const char *path, const char *buf, size_t len,
		struct err *e)
{
	char tmp[4096], dir[4096];
	int fd, dfd;
	size_t at = 0;

	char base[4096];
	const char *slash = strrchr(path, '/');

	/* hidden, so that whoever reads the folder skips it meanwhile */
	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : path);
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp-%ld",
		     slash ? (int)(slash - path + 1) : 0, path, base,
		     (long)getpid()) >= (int)sizeof(tmp))
		return err_set(e, ERR_INVALID, "the path %s is too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) <
	    0)
		return err_set(e, ERR_IO, "cannot write %s: %s", tmp,
			       strerror(errno));
	while (at < len) {
		ssize_t n = write(fd, buf + at, len - at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		at += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return err_set(e, ERR_IO, "cannot rename %s to %s: %s", tmp,
			       path, strerror(errno));
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	err_set(e, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
	close(fd);
	unlink(tmp);
	return ERR_IO;
}

int
xf_export(struct st_db *db, const char *kind, int64_t id, const char *sscc,
	  const struct xf_opts *o, const char *path, int *codes,
	  struct err *e)
{
	struct st_export *x = NULL;
	char *buf = NULL, full[PATH_MAX];
	const char *file = "-";
	size_t len = 0;
	FILE *f;
	int rc;

	rc = strcmp(kind, "shipment") == 0 ? st_export_shipment(db, id, &x, e) :
		strcmp(kind, "acceptance") == 0 ?
		st_export_acceptance(db, id, &x, e) :
		st_export_pack(db, sscc, &x, e);
	if (rc < 0)
		return rc;
	if ((f = open_memstream(&buf, &len)) == NULL) {
		st_export_free(x);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	rc = xf_write(f, x, o, e);
	fclose(f);
	if (rc < 0)
		goto out;
	if (path == NULL || strcmp(path, "-") == 0) {
		fwrite(buf, 1, len, stdout);
		if (fflush(stdout) != 0) {
			rc = err_set(e, ERR_IO, "cannot write: %s",
				     strerror(errno));
			goto out;
		}
	} else {
		if ((rc = xf_write_atomic(path, buf, len, e)) < 0)
			goto out;
		file = realpath(path, full) ? full : path;
	}
	if (codes != NULL)
		*codes = (int)x->n;
	/* the document that waited for this export is exported now */
	if (x->document_id != 0 && (strcmp(x->state, "finished") == 0 ||
				    strcmp(x->state, "accepted") == 0 ||
				    strcmp(x->state, "partial") == 0) &&
	    (rc = st_outbox_exported(db, x->document_id, file, e)) ==
	    ERR_NOTFOUND)
		rc = 0;		/* one sync sends: nothing to record */
out:
	free(buf);
	st_export_free(x);
	return rc;
}
