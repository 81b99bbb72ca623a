/*
 * fuzz_exec: libFuzzer target for `sklad exec` lines, the bytes a script
 * (or anything piped into exec) hands the workflow.
 *
 * The input is a script: lines split at '\n' as exec_read_line does.
 * Every line must give no answer (blank, comment) or exactly one object
 * with ok, error, command and line that dumps as valid JSON; a line with
 * a NUL or bytes that are not UTF-8 must be refused with command null.
 * One in-memory database serves many runs, logged in as admin.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "console/exec_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct st_db *db;
static struct st_actor who;
static int runs;

static void
fresh_db(void)
{
	struct st_site site = { .inn = "7700000000", .gcp = "4600439",
				.extension = 1, .product_group = "milk",
				.require_crypto = true, .gtin_policy = "any" };
	struct err e;

	st_close(&db);
	if (st_open(":memory:", true, &db, &e) < 0 ||
	    st_site_init(db, &site, "fuzz", "1234", &e) < 0 ||
	    st_login(db, "fuzz", "1234", "fuzz", &who, &e) < 0)
		assert(!"cannot set up the database");
}

static void
check(json_t *o, bool broken)
{
	json_t *back;
	char *s;

	assert(json_is_boolean(json_object_get(o, "ok")));
	assert(json_object_get(o, "error") != NULL);
	assert(json_object_get(o, "command") != NULL);
	assert(json_is_integer(json_object_get(o, "line")));
	if (broken) {
		assert(json_is_false(json_object_get(o, "ok")));
		assert(json_is_null(json_object_get(o, "command")));
	}
	s = json_dumps(o, JSON_COMPACT);
	assert(s != NULL && strchr(s, '\n') == NULL);
	back = json_loads(s, 0, NULL);
	assert(back != NULL);
	json_decref(back);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char line[EXEC_LINE_MAX + 1];
	struct wf w;
	long lineno = 0;
	bool ran;

	if (db == NULL || ++runs % 500 == 0)
		fresh_db();
	wf_init(&w, db, &who);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p);
		bool too_long = n > EXEC_LINE_MAX, broken;
		json_t *o;

		if (too_long)
			n = 0;
		memcpy(line, p, n);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		broken = too_long || memchr(line, '\0', n) != NULL;
		o = exec_answer(&w, line, n, ++lineno, too_long, &ran);
		if (o != NULL) {
			check(o, broken);
			json_decref(o);
		} else {
			assert(!broken);
		}
		p += (nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p));
	}
	return 0;
}
