/*
 * doc_check: refuse at the source what the state system would refuse.
 *
 * Each document body is checked against the field table of its type in
 * ../shared/reference/true-api.md (§4.3 general rules, §5.1-§5.7 per
 * type) before it enters the outbox (doc_outbox_add), and again by
 * `sklad sync --dry-run` for every pending one, so a document the server
 * would reject days later is refused while the operator is still there,
 * with the field named. The rules are the strictest reading of the
 * reference: required fields present and not empty, INNs of 10 or 12
 * digits, dates in exactly the formats listed for that type, only the
 * fields the 2025 table lists, and no file path where a number belongs.
 *
 * Pure: parses the bytes, reads no database and no clock.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "store/doc.h"
#include "store/store.h"

/* The one error a check reports: "<type>: <field>: <what>". */
struct chk {
	const char *type;
	struct err *e;
	int rc;
};

static int
fail(struct chk *c, const char *field, const char *what)
{
	if (c->rc == 0)
		c->rc = err_set(c->e, ERR_INVALID, "%s: field %s %s", c->type,
				field, what);
	return c->rc;
}

static bool
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* A text that names a file rather than a document: a path or a file
 * name with a data-file extension (an import's name is not a number). */
static bool
looks_like_path(const char *s)
{
	static const char *const ext[] = { ".csv", ".txt", ".json", ".xml",
		".tsv", ".xls", ".xlsx" };
	size_t n = strlen(s), i;

	if (s[0] == '/' || strncmp(s, "./", 2) == 0 ||
	    strncmp(s, "../", 3) == 0 || strncmp(s, "~/", 2) == 0)
		return true;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t k = strlen(ext[i]);

		if (n > k && strcasecmp(s + n - k, ext[i]) == 0)
			return true;
	}
	return false;
}

/* Date shapes: 'd' a digit, anything else itself. */
static bool
shape(const char *s, const char *pat)
{
	for (; *pat; s++, pat++) {
		if (*pat == 'd' ? !isdigit((unsigned char)*s) : *s != *pat)
			return false;
	}
	return *s == '\0';
}

/*
 * A date or time as a transfer document may carry it (yyyy-MM-dd,
 * dd.MM.yyyy, yyyy-MM-ddTHH:mm:ss with optional .SSS and 'Z') into
 * yyyy-MM-ddTHH:mm:ss.SSS'Z', the form §5.7 asks for; a bare date is
 * midnight. Returns false (out "") for anything else.
 */
bool
doc_timestamp_z(const char *in, char out[40])
{
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;

	out[0] = '\0';
	if (in == NULL)
		return false;
	if (shape(in, "dd.dd.dddd")) {
		sscanf(in, "%2d.%2d.%4d", &d, &mo, &y);
	} else if (shape(in, "dddd-dd-dd")) {
		sscanf(in, "%4d-%2d-%2d", &y, &mo, &d);
	} else if (shape(in, "dddd-dd-ddTdd:dd:dd") ||
		   shape(in, "dddd-dd-ddTdd:dd:ddZ") ||
		   shape(in, "dddd-dd-ddTdd:dd:dd.ddd") ||
		   shape(in, "dddd-dd-ddTdd:dd:dd.dddZ")) {
		sscanf(in, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi,
		       &sec);
		if (in[19] == '.')
			sscanf(in + 20, "%3d", &ms);
	} else {
		return false;
	}
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
	    ms < 0 || ms > 999)
		return false;
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y % 10000,
		 mo % 100, d % 100, h % 100, mi % 100, sec % 100, ms % 1000);
	return true;
}

/* §5.7: yyyy-MM-ddTHH:mm:ss.SSS'Z' */
static bool
is_timestamp_z(const char *s)
{
	return shape(s, "dddd-dd-ddTdd:dd:dd.dddZ");
}

/* §5.6: the five formats LP_SHIP_GOODS accepts, none with a zone. */
static bool
is_shipment_date(const char *s)
{
	return shape(s, "dddd-dd-ddTdd:dd:dd.ddd") ||
		shape(s, "dddd-dd-ddTdd:dd:dd") || shape(s, "dd.dd.dddd") ||
		shape(s, "dd.dd.dddd dd:dd") || shape(s, "dddd-dd-dd");
}

/* A required string field: present, a string, not empty, not a path. */
static const char *
req_str(struct chk *c, json_t *o, const char *field)
{
	json_t *v = json_object_get(o, field);
	const char *s;

	if (v == NULL) {
		fail(c, field, "is missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		fail(c, field, "is not text");
		return NULL;
	}
	s = json_string_value(v);
	if (*s == '\0') {
		fail(c, field, "is empty");
		return NULL;
	}
	if (looks_like_path(s)) {
		fail(c, field, "holds a file name, not a document value");
		return NULL;
	}
	return s;
}

static void
req_inn(struct chk *c, json_t *o, const char *field, bool required)
{
	const char *s;

	if (!required && json_object_get(o, field) == NULL)
		return;
	if ((s = req_str(c, o, field)) != NULL &&
	    !all_digits(s, 10, 10) && !all_digits(s, 12, 12))
		fail(c, field, "is not an INN of 10 or 12 digits");
}

static void
req_date(struct chk *c, json_t *o, const char *field,
	 bool (*ok)(const char *), const char *formats)
{
	const char *s = req_str(c, o, field);
	char why[160];

	if (s != NULL && !ok(s)) {
		snprintf(why, sizeof(why), "is not a date in the form %s",
			 formats);
		fail(c, field, why);
	}
}

static void
req_one_of(struct chk *c, json_t *o, const char *field,
	   const char *const *values)
{
	const char *s = req_str(c, o, field);
	char why[160];

	if (s == NULL)
		return;
	for (; *values; values++)
		if (strcmp(s, *values) == 0)
			return;
	snprintf(why, sizeof(why), "has a value the state system does not "
		 "take: %s", s);
	fail(c, field, why);
}

/* Only the listed keys (§4.3: an unknown parameter fails the document). */
static void
only_keys(struct chk *c, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		const char *const *p;

		(void)v;
		for (p = keys; *p && strcmp(*p, k) != 0; p++)
			;
		if (*p == NULL)
			fail(c, k, "is not in the state system's field table");
	}
}

static json_t *
req_array(struct chk *c, json_t *o, const char *field, bool may_be_empty)
{
	json_t *a = json_object_get(o, field);

	if (a == NULL || !json_is_array(a)) {
		fail(c, field, "is missing or not a list");
		return NULL;
	}
	if (!may_be_empty && json_array_size(a) == 0) {
		fail(c, field, "is an empty list");
		return NULL;
	}
	return a;
}

/* §5.1: 18-74 characters of the allowed set. */
static bool
aggregate_code_ok(const char *s)
{
	static const char extra[] = "%&'\"()*+,-_./:;<=>?!";
	size_t n = strlen(s), i;

	if (n < 18 || n > 74)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch > 127 || (!isalnum(ch) && strchr(extra, ch) == NULL))
			return false;
	}
	return true;
}

static void
check_aggregation(struct chk *c, json_t *o)
{
	json_t *units, *u;
	size_t i, len0 = 0;

	req_inn(c, o, "participantId", true);
	if ((units = req_array(c, o, "aggregationUnits", false)) == NULL)
		return;
	json_array_foreach(units, i, u) {
		const char *code = req_str(c, u, "unitSerialNumber");

		if (code != NULL && !aggregate_code_ok(code))
			fail(c, "unitSerialNumber", "is not 18 to 74 "
			     "characters of the allowed set");
		if (code != NULL && i == 0)
			len0 = strlen(code);
		else if (code != NULL && strlen(code) != len0)
			fail(c, "unitSerialNumber", "differs in length "
			     "between aggregates of one document");
		req_array(c, u, "sntins", false);
	}
}

static void
check_disaggregation(struct chk *c, json_t *o)
{
	json_t *list, *p;
	size_t i;

	req_inn(c, o, "participant_inn", true);
	if ((list = req_array(c, o, "products_list", false)) == NULL)
		return;
	json_array_foreach(list, i, p)
		req_str(c, p, "uitu");
}

static void
check_reaggregation(struct chk *c, json_t *o)
{
	static const char *const types[] = { "REMOVING", "ADDING", NULL };
	json_t *list, *p;
	size_t i;

	req_inn(c, o, "participant_inn", true);
	req_one_of(c, o, "reaggregation_type", types);
	req_str(c, o, "uitu");
	if ((list = req_array(c, o, "uit_uitu_list", false)) == NULL)
		return;
	json_array_foreach(list, i, p) {
		bool a = json_object_get(p, "uit_uitu") != NULL;
		bool b = json_object_get(p, "kitu") != NULL;

		if (a == b)
			fail(c, "uit_uitu_list", "needs exactly one of "
			     "uit_uitu and kitu in each item");
		else
			req_str(c, p, a ? "uit_uitu" : "kitu");
	}
}

static const char *const turnover_types[] = { "SELLING", "COMMISSION",
	"AGENT", NULL };

static void
check_shipment(struct chk *c, json_t *o)
{
	static const char *const keys[] = { "receiver_inn", "sender_inn",
		"transfer_date", "document_num", "document_date",
		"turnover_type", "to_not_participant", "products", NULL };
	static const char *const pkeys[] = { "uit_code", "product_cost",
		"product_tax", NULL };
	static const char formats[] = "yyyy-MM-ddTHH:mm:ss.SSS, "
		"yyyy-MM-ddTHH:mm:ss, dd.MM.yyyy, dd.MM.yyyy HH:mm or "
		"yyyy-MM-dd";
	const char *num;
	json_t *list, *p;
	size_t i;

	only_keys(c, o, keys);
	req_inn(c, o, "receiver_inn", true);
	req_inn(c, o, "sender_inn", false);
	if ((num = req_str(c, o, "document_num")) != NULL &&
	    strlen(num) > 255)
		fail(c, "document_num", "is longer than 255 characters");
	req_date(c, o, "document_date", is_shipment_date, formats);
	req_date(c, o, "transfer_date", is_shipment_date, formats);
	req_one_of(c, o, "turnover_type", turnover_types);
	if ((list = req_array(c, o, "products", false)) == NULL)
		return;
	json_array_foreach(list, i, p) {
		only_keys(c, p, pkeys);
		req_str(c, p, "uit_code");
	}
}

static void
check_accept_lines(struct chk *c, json_t *list)
{
	json_t *p, *kids;
	size_t i;

	json_array_foreach(list, i, p) {
		bool a = json_object_get(p, "uit_code") != NULL;
		bool b = json_object_get(p, "uitu_code") != NULL;

		if (a == b)
			fail(c, "products", "needs exactly one of uit_code "
			     "and uitu_code in each line");
		else
			req_str(c, p, a ? "uit_code" : "uitu_code");
		if (!json_is_boolean(json_object_get(p, "accepted")))
			fail(c, "accepted", "is missing or not true/false");
		if ((kids = json_object_get(p, "children")) != NULL) {
			if (!json_is_array(kids))
				fail(c, "children", "is not a list");
			else
				check_accept_lines(c, kids);
		}
	}
}

static void
check_acceptance(struct chk *c, json_t *o)
{
	static const char formats[] = "yyyy-MM-ddTHH:mm:ss.SSSZ";
	json_t *list;
	bool all = json_is_true(json_object_get(o, "accept_all")) ||
		json_is_true(json_object_get(o, "reject_all"));

	req_str(c, o, "release_order_number");
	req_str(c, o, "document_number");
	req_date(c, o, "document_date", is_timestamp_z, formats);
	req_date(c, o, "transfer_date", is_timestamp_z, formats);
	req_date(c, o, "acceptance_date", is_timestamp_z, formats);
	req_inn(c, o, "trade_sender_inn", true);
	req_inn(c, o, "trade_recipient_inn", true);
	req_one_of(c, o, "turnover_type", turnover_types);
	if (json_is_true(json_object_get(o, "accept_all")) &&
	    json_is_true(json_object_get(o, "reject_all")))
		fail(c, "accept_all", "and reject_all are both true");
	if ((list = req_array(c, o, "products", all)) != NULL)
		check_accept_lines(c, list);
}

/*
 * Check one document body of the given type against the reference's
 * rules for that type (see the file comment). 0 if the state system
 * should take it; ERR_INVALID naming the type, the field and what is
 * wrong. Types sklad does not make pass unchecked.
 */
int
st_doc_check(const char *type, const char *body, size_t len, struct err *e)
{
	struct chk c = { type, e, 0 };
	json_error_t je;
	json_t *o = json_loadb(body, len, 0, &je);

	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return err_set(e, ERR_INVALID, "%s: the body is not a JSON "
			       "object", type);
	}
	if (strcmp(type, "AGGREGATION_DOCUMENT") == 0)
		check_aggregation(&c, o);
	else if (strcmp(type, "DISAGGREGATION_DOCUMENT") == 0)
		check_disaggregation(&c, o);
	else if (strcmp(type, "REAGGREGATION_DOCUMENT") == 0)
		check_reaggregation(&c, o);
	else if (strcmp(type, "LP_SHIP_GOODS") == 0)
		check_shipment(&c, o);
	else if (strcmp(type, "LP_ACCEPT_GOODS") == 0)
		check_acceptance(&c, o);
	json_decref(o);
	return c.rc;
}
