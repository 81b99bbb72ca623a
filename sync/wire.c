/*
 * wire: True API bodies and answers (see wire.h).
 *
 * Must not: do I/O or keep state; every input is untrusted server text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sync/wire.h"

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
sy_wire_b64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i, o = 0;
	char *out;

	if (len > ((size_t)-1 - 4) / 4 * 3)
		return NULL;
	out = malloc((len + 2) / 3 * 4 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
			p[i + 2];

		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
sy_wire_b64_decode(const char *s, size_t len, unsigned char **out,
		   size_t *outlen)
{
	unsigned char *r;
	size_t i, o = 0, pad = 0;

	*out = NULL;
	*outlen = 0;
	if (len % 4 != 0)
		return -1;
	if (len > 0 && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	r = malloc(len / 4 * 3 + 1);
	if (r == NULL)
		return -1;
	for (i = 0; i < len; i += 4) {
		int v[4], k;

		for (k = 0; k < 4; k++) {
			int last = i + 4 == len;

			if (last && s[i + k] == '=' && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			v[k] = b64val((unsigned char)s[i + k]);
			if (v[k] < 0) {
				free(r);
				return -1;
			}
		}
		/* canonical only: the bits under the padding are zero */
		if (i + 4 == len && ((pad == 2 && (v[1] & 15) != 0) ||
				     (pad == 1 && (v[2] & 3) != 0))) {
			free(r);
			return -1;
		}
		r[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		r[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		r[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	*outlen = o - pad;
	*out = r;
	return 0;
}

/* Copy a JSON string member into a fixed buffer; "" when absent/null. */
static void
get_str(json_t *obj, const char *key, char *dst, size_t dsz)
{
	json_t *v = json_object_get(obj, key);

	dst[0] = '\0';
	if (json_is_string(v))
		snprintf(dst, dsz, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(dst, dsz, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
}

static json_t *
load(const char *body, size_t len)
{
	json_error_t je;

	if (body == NULL)
		return NULL;
	return json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
}

int
sy_wire_parse_challenge(const char *body, size_t len,
			struct sy_wire_challenge *ch, struct err *e)
{
	json_t *j = load(body, len), *u, *d;
	int rc = 0;

	memset(ch, 0, sizeof(*ch));
	u = json_object_get(j, "uuid");
	d = json_object_get(j, "data");
	if (!json_is_string(u) || !json_is_string(d) ||
	    json_string_length(u) == 0 ||
	    json_string_length(u) >= sizeof(ch->uuid) ||
	    json_string_length(d) == 0) {
		rc = err_set(e, ERR_SERVER, "the server's /auth/key answer "
			     "has no uuid and data");
		goto out;
	}
	snprintf(ch->uuid, sizeof(ch->uuid), "%s", json_string_value(u));
	ch->data = strdup(json_string_value(d));
	if (ch->data == NULL)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
out:
	json_decref(j);
	return rc;
}

/* json_dumps with the key order as built; NULL-safe. */
static char *
dump(json_t *j)
{
	char *s = NULL;

	if (j)
		s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

char *
sy_wire_signin_body(const char *uuid, const char *sig_b64, int united)
{
	json_t *j = json_object();

	if (j == NULL || sig_b64 == NULL)
		goto fail;
	if (uuid && json_object_set_new(j, "uuid", json_string(uuid)) < 0)
		goto fail;
	if (json_object_set_new(j, "data", json_string(sig_b64)) < 0)
		goto fail;
	if (united && json_object_set_new(j, "unitedToken", json_true()) < 0)
		goto fail;
	return dump(j);
fail:
	json_decref(j);
	return NULL;
}

int
sy_wire_parse_token(const char *body, size_t len, char **token,
		    struct err *e)
{
	json_t *j = load(body, len), *t;
	int rc = 0;

	*token = NULL;
	t = json_object_get(j, "token");
	if (!json_is_string(t) || json_string_length(t) == 0)
		t = json_object_get(j, "uuidToken");
	if (!json_is_string(t) || json_string_length(t) == 0 ||
	    strpbrk(json_string_value(t), "\r\n") != NULL) {
		rc = err_set(e, ERR_SERVER, "the server's sign-in answer has "
			     "no token");
		goto out;
	}
	*token = strdup(json_string_value(t));
	if (*token == NULL)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
out:
	json_decref(j);
	return rc;
}

static int
is_ident(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!(isupper((unsigned char)*s) ||
		      isdigit((unsigned char)*s) ||
		      *s == '_'))
			return 0;
	return 1;
}

static int
is_b64(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (b64val((unsigned char)*s) < 0 && *s != '=')
			return 0;
	return 1;
}

char *
sy_wire_create_body(const char *format, const char *type, const void *doc,
		    size_t doc_len, const char *sig_b64, size_t *out_len)
{
	char *b64, *out;
	size_t n;

	if (!is_ident(format) || !is_ident(type) || !is_b64(sig_b64))
		return NULL;
	b64 = sy_wire_b64_encode(doc, doc_len);
	if (b64 == NULL)
		return NULL;
	/* Every value is an identifier or base64, so no escaping is
	 * needed: the envelope is written directly instead of through a
	 * 40 MB jansson string. The key order is fixed. */
	n = strlen(format) + strlen(b64) + strlen(type) + strlen(sig_b64) +
		100;
	out = malloc(n);
	if (out) {
		int w = snprintf(out, n, "{\"document_format\":\"%s\","
				 "\"product_document\":\"%s\",\"type\":\"%s\","
				 "\"signature\":\"%s\"}", format, b64, type,
				 sig_b64);

		if (out_len)
			*out_len = (size_t)w;
	}
	free(b64);
	return out;
}

static int
valid_id(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 127)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '/' ||
		    s[i] == '\\' || s[i] == '{' || s[i] == '}')
			return 0;
	return 1;
}

int
sy_wire_parse_doc_id(const char *body, size_t len, char *id, size_t idsz,
		     struct err *e)
{
	json_t *j = NULL, *v = NULL;
	const char *s = body;
	size_t n = len;
	int rc = 0;

	id[0] = '\0';
	if (body == NULL)
		goto bad;
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > 0 && (*s == '"' || *s == '{' || *s == '[')) {
		j = load(s, n);
		v = j;
		if (json_is_array(v) && json_array_size(v) == 1)
			v = json_array_get(v, 0);
		if (json_is_object(v)) {
			json_t *x = json_object_get(v, "id");

			if (!json_is_string(x))
				x = json_object_get(v, "value");
			v = x;
		}
		if (json_is_string(v)) {
			s = json_string_value(v);
			n = json_string_length(v);
		} else if (*s == '{' && n > 2 && s[n - 1] == '}') {
			/* the old mirror's { "9abd..." } (ref §4.2) */
			s++;
			n -= 2;
			while (n > 0 && (isspace((unsigned char)*s) ||
					 *s == '"')) {
				s++;
				n--;
			}
			while (n > 0 && (isspace((unsigned char)s[n - 1]) ||
					 s[n - 1] == '"'))
				n--;
		} else {
			goto bad;
		}
	}
	if (!valid_id(s, n) || n >= idsz)
		goto bad;
	memcpy(id, s, n);
	id[n] = '\0';
	goto out;
bad:
	id[0] = '\0';
	rc = err_set(e, ERR_SERVER, "the server accepted the document but "
		     "its answer has no document id");
out:
	json_decref(j);
	return rc;
}

/* Append text to a "; "-joined buffer, one line, control chars blanked. */
static void
append(char *dst, size_t dsz, const char *text)
{
	size_t n = strlen(dst);

	if (text == NULL || *text == '\0' || n + 3 >= dsz)
		return;
	if (n > 0) {
		snprintf(dst + n, dsz - n, "; ");
		n += 2;
	}
	for (; *text && n + 1 < dsz; text++)
		dst[n++] = (unsigned char)*text < ' ' ? ' ' : *text;
	dst[n] = '\0';
}

/* Text between <tag> and </tag> in an XML body, into out. */
static int
xml_tag(const char *body, size_t len, const char *tag, char *out,
	size_t outsz)
{
	char open[64], close[64];
	const char *a, *b, *end = body + len;
	size_t ol, cl;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	ol = strlen(open);
	cl = strlen(close);
	for (a = body; a + ol <= end; a++)
		if (memcmp(a, open, ol) == 0)
			break;
	if (a + ol > end)
		return 0;
	a += ol;
	for (b = a; b + cl <= end; b++)
		if (memcmp(b, close, cl) == 0)
			break;
	if (b + cl > end)
		return 0;
	{
		size_t n = (size_t)(b - a), i;

		if (n >= outsz)
			n = outsz - 1;
		for (i = 0; i < n; i++)
			out[i] = (unsigned char)a[i] < ' ' ? ' ' : a[i];
		out[n] = '\0';
	}
	return 1;
}

void
sy_wire_error_text(const char *body, size_t len, char *out, size_t outsz)
{
	static const char *const keys[] = { "error_message",
		"error_description", "description", "message", "error" };
	json_t *j;
	size_t i;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (body == NULL || len == 0)
		return;
	j = load(body, len);
	if (json_is_array(j) && json_array_size(j) > 0) {
		json_t *first = json_array_get(j, 0);

		json_incref(first);
		json_decref(j);
		j = first;
	}
	if (json_is_object(j)) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			json_t *v = json_object_get(j, keys[i]);

			if (json_is_string(v) && json_string_length(v) > 0) {
				append(out, outsz, json_string_value(v));
				break;
			}
		}
	} else if (json_is_string(j)) {
		append(out, outsz, json_string_value(j));
	}
	json_decref(j);
	if (out[0] != '\0')
		return;
	if (xml_tag(body, len, "error_description", out, outsz) ||
	    xml_tag(body, len, "error", out, outsz))
		return;
	{
		size_t n = len < outsz - 1 ? len : outsz - 1;

		for (i = 0; i < n; i++)
			out[i] = (unsigned char)body[i] < ' ' ? ' ' : body[i];
		out[n] = '\0';
	}
}

static void
fill_doc(json_t *o, struct sy_wire_doc *d)
{
	json_t *v;
	size_t i;

	memset(d, 0, sizeof(*d));
	get_str(o, "number", d->id, sizeof(d->id));
	get_str(o, "type", d->type, sizeof(d->type));
	get_str(o, "status", d->status, sizeof(d->status));
	get_str(o, "senderInn", d->sender_inn, sizeof(d->sender_inn));
	get_str(o, "receiverInn", d->receiver_inn, sizeof(d->receiver_inn));
	get_str(o, "docDate", d->doc_date, sizeof(d->doc_date));
	get_str(o, "receivedAt", d->received_at, sizeof(d->received_at));
	get_str(o, "relatedDocId", d->related_id, sizeof(d->related_id));
	v = json_object_get(o, "input");
	d->input = json_is_boolean(v) ? json_is_true(v) : -1;
	v = json_object_get(o, "errors");
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i);

		if (json_is_string(x))
			append(d->errors, sizeof(d->errors),
			       json_string_value(x));
	}
	v = json_object_get(o, "commonErrors");
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		json_t *m = json_object_get(json_array_get(v, i),
					    "errorMessage");

		/* commonErrors usually repeat errors[]; add new ones */
		if (json_is_string(m) &&
		    strstr(d->errors, json_string_value(m)) == NULL)
			append(d->errors, sizeof(d->errors),
			       json_string_value(m));
	}
}

int
sy_wire_parse_doc_info(const char *body, size_t len, struct sy_wire_doc *doc,
		       struct err *e)
{
	json_t *j = load(body, len), *o = j;
	int rc = 0;

	memset(doc, 0, sizeof(*doc));
	if (json_is_array(o))
		o = json_array_get(o, 0);
	if (!json_is_object(o)) {
		rc = err_set(e, ERR_SERVER, "the server's document answer "
			     "holds no document");
		goto out;
	}
	fill_doc(o, doc);
	if (doc->status[0] == '\0')
		rc = err_set(e, ERR_SERVER, "the server's document answer "
			     "has no status");
out:
	json_decref(j);
	return rc;
}

int
sy_wire_parse_doc_list(const char *body, size_t len,
		       struct sy_wire_doc **docs, size_t *n, int *next_page,
		       struct err *e)
{
	json_t *j = load(body, len), *r;
	size_t i, k = 0;
	int rc = 0;

	*docs = NULL;
	*n = 0;
	*next_page = 0;
	r = json_object_get(j, "results");
	if (!json_is_array(r) && !json_is_null(r)) {
		rc = err_set(e, ERR_SERVER, "the server's document list has "
			     "no results");
		goto out;
	}
	*next_page = json_is_true(json_object_get(j, "nextPage"));
	if (json_array_size(r) == 0)
		goto out;
	*docs = calloc(json_array_size(r), sizeof(**docs));
	if (*docs == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < json_array_size(r); i++)
		if (json_is_object(json_array_get(r, i)))
			fill_doc(json_array_get(r, i), &(*docs)[k++]);
	*n = k;
out:
	json_decref(j);
	return rc;
}

int
sy_wire_doc_matches(const char *body, size_t len, const void *doc,
		    size_t doc_len)
{
	json_t *j = load(body, len), *o = j, *c, *b;
	int yes = 0, comparable = 0;

	if (json_is_array(o))
		o = json_array_get(o, 0);
	c = json_object_get(o, "content");
	if (json_is_string(c)) {
		const char *s = json_string_value(c);
		size_t n = json_string_length(c);
		unsigned char *raw = NULL;
		size_t rawlen;

		comparable = 1;
		if (n == doc_len && memcmp(s, doc, n) == 0)
			yes = 1;
		else if (sy_wire_b64_decode(s, n, &raw, &rawlen) == 0 &&
			 rawlen == doc_len && memcmp(raw, doc, rawlen) == 0)
			yes = 1;
		free(raw);
	}
	b = json_object_get(o, "body");
	if (!yes && b != NULL && !json_is_null(b)) {
		json_t *mine = load(doc, doc_len);

		if (mine != NULL) {
			comparable = 1;
			yes = json_equal(mine, b);
		}
		json_decref(mine);
	}
	json_decref(j);
	return yes ? 1 : comparable ? 0 : -1;
}

char *
sy_wire_cises_body(const char *const *codes, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (codes[i] == NULL ||
		    json_array_append_new(a, json_string(codes[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return dump(a);
}

int
sy_wire_parse_cises(const char *body, size_t len, struct sy_wire_cis **out,
		    size_t *n, struct err *e)
{
	json_t *j = load(body, len);
	size_t i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!json_is_array(j)) {
		rc = err_set(e, ERR_SERVER, "the server's code answer is not "
			     "a list");
		goto out;
	}
	if (json_array_size(j) == 0)
		goto out;
	*out = calloc(json_array_size(j), sizeof(**out));
	if (*out == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < json_array_size(j); i++) {
		json_t *it = json_array_get(j, i);
		json_t *ci = json_object_get(it, "cisInfo");
		struct sy_wire_cis *c = &(*out)[i];

		if (!json_is_object(ci))
			ci = it;	/* flat answers, defensively */
		get_str(ci, "requestedCis", c->cis, sizeof(c->cis));
		if (c->cis[0] == '\0')
			get_str(ci, "cis", c->cis, sizeof(c->cis));
		get_str(ci, "status", c->status, sizeof(c->status));
		get_str(ci, "statusEx", c->status_ex, sizeof(c->status_ex));
		get_str(ci, "ownerInn", c->owner_inn, sizeof(c->owner_inn));
		get_str(ci, "parent", c->parent, sizeof(c->parent));
		get_str(ci, "generalPackageType", c->package_type,
			sizeof(c->package_type));
		if (c->package_type[0] == '\0')
			get_str(ci, "packageType", c->package_type,
				sizeof(c->package_type));
		get_str(ci, "gtin", c->gtin, sizeof(c->gtin));
		get_str(it, "errorCode", c->error_code, sizeof(c->error_code));
		get_str(it, "errorMessage", c->error, sizeof(c->error));
		if (c->error[0] != '\0' && c->error_code[0] == '\0')
			snprintf(c->error_code, sizeof(c->error_code), "?");
	}
	*n = json_array_size(j);
out:
	json_decref(j);
	return rc;
}

int
sy_wire_is_array(const char *body, size_t len)
{
	json_t *v = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	int yes = json_is_array(v);

	json_decref(v);
	return yes;
}
