/*
 * exec_line: one script line to one JSON answer (see exec_line.h).
 *
 * A line is checked as bytes before any word of it means anything: a NUL
 * inside it would end the C string early and run a shorter command than
 * the one written ("box open\0 1460..." opened a box of another SSCC),
 * and bytes that are not UTF-8 cannot go into JSON at all (the answer
 * came out without "error" and "command"). Such a line is refused whole,
 * saying where, without quoting it. Every string that goes into an
 * answer passes text(), so no stored value can break the one-line,
 * one-answer contract either.
 */
#include <jansson.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/exec_line.h"
#include "scanners/i18n.h"


/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Offset of the first byte of s (n) that is not valid UTF-8, or n. */
static size_t
utf8_bad(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if ((len = utf8_len((const unsigned char *)s + i, n - i)) == 0)
			return i;
		i += len;
	}
	return n;
}

/* A JSON string of s, its bytes that are not UTF-8 shown as U+FFFD: an
 * answer never loses a field to a stored value. */
static json_t *
text(const char *s)
{
	size_t n = strlen(s), i = 0, o = 0, len;
	json_t *j = json_stringn(s, n);
	char *buf;

	if (j != NULL || (buf = malloc(n * 3 + 1)) == NULL)
		return j != NULL ? j : json_string("?");
	while (i < n) {
		if ((len = utf8_len((const unsigned char *)s + i,
				    n - i)) == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(buf + o, s + i, len);
		o += len;
		i += len;
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

static json_t *
nullable_text(const char *s)
{
	return s != NULL && s[0] != '\0' ? text(s) : json_null();
}

static json_t *
nullable_id(int64_t id)
{
	return id != 0 ? json_integer(id) : json_null();
}

static int
collect_event(void *arg, const struct st_event *ev)
{
	json_array_append_new((json_t *)arg, json_pack("{s:o, s:o, s:o, s:s,"
		" s:b, s:o, s:o}", "at", text(ev->at), "user",
		nullable_text(ev->user),
		"device", nullable_text(ev->device), "action", ev->action, "ok",
		ev->ok, "pack", nullable_text(ev->pack), "reason",
		nullable_text(ev->reason)));
	return 0;
}

static int
collect_doc(void *arg, const struct st_doc *d)
{
	json_array_append_new((json_t *)arg, json_pack("{s:I, s:s, s:s, s:i,"
		" s:o, s:i, s:o, s:o, s:o, s:b, s:o, s:o}", "id",
		(json_int_t)d->id,
		"type", d->type, "state", d->state, "codes", d->codes,
		"server_id", nullable_text(d->server_id), "attempts",
		d->attempts, "last_error", nullable_text(d->last_error),
		"depends_on", nullable_id(d->depends_on), "waits_for",
		nullable_id(d->waits_for), "held", d->held, "exported_at",
		nullable_text(d->exported_at), "export_file",
		nullable_text(d->export_file)));
	return 0;
}

static void
add_pack(json_t *o, const struct st_pack *p)
{
	json_object_set_new(o, "sscc", json_string(p->sscc));
	json_object_set_new(o, "level", json_string(p->level == ST_BOX ?
						    "box" : "pallet"));
	json_object_set_new(o, "state", json_string(p->state));
	json_object_set_new(o, "count", json_integer(p->count));
	json_object_set_new(o, "capacity", json_integer(p->capacity));
	json_object_set_new(o, "closed", json_boolean(p->closed_now));
	json_object_set_new(o, "parent", nullable_text(p->parent));
	json_object_set_new(o, "document", nullable_id(p->document_id));
}

static void
add_accept(json_t *o, const struct st_accept_progress *a)
{
	json_object_set_new(o, "delivery", json_integer(a->delivery_id));
	json_object_set_new(o, "matched", json_integer(a->matched));
	json_object_set_new(o, "missing", json_integer(a->missing));
	json_object_set_new(o, "surplus", json_integer(a->surplus));
	json_object_set_new(o, "duplicates", json_integer(a->duplicates));
	json_object_set_new(o, "wrong_item", json_integer(a->wrong_item));
	json_object_set_new(o, "verdict", nullable_text(a->verdict));
	json_object_set_new(o, "units", json_integer(a->units));
}

static void
add_where(json_t *o, const struct st_where *w)
{
	json_t *parents = json_array();
	int i;

	for (i = 0; i < w->nparents; i++)
		json_array_append_new(parents, json_string(w->parents[i]));
	json_object_set_new(o, "code", json_string(w->code));
	json_object_set_new(o, "kind", json_string(w->kind));
	json_object_set_new(o, "gtin", nullable_text(w->gtin));
	json_object_set_new(o, "product", nullable_text(w->product));
	json_object_set_new(o, "state", json_string(w->state));
	json_object_set_new(o, "parents", parents);
	json_object_set_new(o, "children", json_integer(w->children));
	json_object_set_new(o, "delivery", nullable_id(w->accepting_in));
	json_object_set_new(o, "verdict", nullable_text(w->verdict));
}

static void
add_users(json_t *o, const struct wf_result *r)
{
	json_t *list = json_array();
	int i;

	for (i = 0; i < r->nusers; i++) {
		const struct st_user_info *u = &r->users[i];

		json_array_append_new(list, json_pack("{s:o, s:s, s:b, s:b,"
			" s:i, s:o}", "name", text(u->name), "role",
			st_role_name(u->role), "disabled", u->disabled,
			"has_pin", u->has_pin, "failed_pins", u->failed,
			"locked_until", nullable_text(u->locked_until)));
	}
	json_object_set_new(o, "users", list);
	json_object_set_new(o, "more", json_integer(r->more_users));
}

/* The JSON line for one command's result. */
static json_t *
result_json(const struct wf_result *r, json_t *list)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_boolean(r->rc == 0));
	json_object_set_new(o, "error", r->rc == 0 ? json_null() :
			    text(r->err.msg));
	if (r->rc != 0)
		json_object_set_new(o, "error_code",
				    json_string(err_key(r->rc)));
	json_object_set_new(o, "command", text(r->command));
	switch (r->rc == 0 ? r->what : WF_NONE) {
	case WF_PACK_INFO:
		add_pack(o, &r->pack);
		break;
	case WF_ACCEPT_INFO:
		add_accept(o, &r->accept);
		break;
	case WF_SHIP_INFO:
		json_object_set_new(o, "shipment", json_integer(r->ship.id));
		json_object_set_new(o, "codes", json_integer(r->ship.codes));
		json_object_set_new(o, "units", json_integer(r->ship.units));
		json_object_set_new(o, "document",
				    nullable_id(r->ship.document_id));
		break;
	case WF_EXPORT_INFO:
		json_object_set_new(o, "file", json_string(r->export_file));
		json_object_set_new(o, "codes", json_integer(r->export_codes));
		break;
	case WF_DELIVERY_INFO:
		json_object_set_new(o, "delivery",
				    json_integer(r->delivery.id));
		json_object_set_new(o, "number", text(r->delivery.number));
		json_object_set_new(o, "expected",
				    json_integer(r->delivery.expected));
		break;
	case WF_WHERE_INFO:
		add_where(o, &r->where);
		json_object_set(o, "history", list);
		break;
	case WF_DOCS_INFO:
		json_object_set(o, "docs", list);
		break;
	case WF_USER_INFO:
		json_object_set_new(o, "user", text(r->user.user));
		json_object_set_new(o, "role",
				    json_string(st_role_name(r->user.role)));
		break;
	case WF_USERS_INFO:
		add_users(o, r);
		break;
	case WF_SETTING_INFO:
	case WF_NONE:
		break;
	}
	return o;
}

enum exec_read
exec_read_line(FILE *in, char *buf, size_t *len)
{
	size_t n = 0;
	bool over = false;
	int c;

	while ((c = getc(in)) != EOF && c != '\n') {
		if (n < EXEC_LINE_MAX)
			buf[n++] = (char)c;
		else
			over = true;
	}
	if (c == EOF && n == 0 && !over)
		return EXEC_EOF;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return over ? EXEC_TOO_LONG : EXEC_LINE;
}

/* The answer to a line refused before it ran: no command, the reason. */
static json_t *
refuse_line(long lineno, const char *why)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "error", text(why));
	json_object_set_new(o, "error_code", json_string(err_key(ERR_INVALID)));
	json_object_set_new(o, "command", json_null());
	json_object_set_new(o, "line", json_integer(lineno));
	return o;
}

json_t *
exec_answer(struct wf *w, const char *line, size_t n, long lineno,
	    bool too_long, bool *ran_ok)
{
	char why[ERR_MSG_MAX];
	struct wf_result r;
	const char *nul = memchr(line, '\0', n);
	size_t i = 0, bad;
	json_t *list, *o;

	*ran_ok = false;
	if (too_long) {
		snprintf(why, sizeof(why), _("Line %ld is longer than %d bytes: "
			 "nothing of it was done."), lineno, EXEC_LINE_MAX);
		return refuse_line(lineno, why);
	}
	if (nul != NULL) {
		snprintf(why, sizeof(why), _("Line %ld has a NUL byte at byte "
			 "%zu: a command is text, so nothing of it was done."),
			 lineno, (size_t)(nul - line) + 1);
		return refuse_line(lineno, why);
	}
	if ((bad = utf8_bad(line, n)) < n) {
		snprintf(why, sizeof(why), _("Line %ld is not UTF-8 text (byte "
			 "%zu): nothing of it was done."), lineno, bad + 1);
		return refuse_line(lineno, why);
	}
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == n || line[i] == '#') {
		*ran_ok = true;
		return NULL;
	}
	list = json_array();
	wf_command(w, line + i, &r, collect_event, collect_doc, list);
	o = result_json(&r, list);
	json_decref(list);
	json_object_set_new(o, "line", json_integer(lineno));
	*ran_ok = r.rc == 0;
	return o;
}
