/*
 * err: failure reports (see err.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int
err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}

const char *
err_name(int code)
{
	switch (code) {
	case ERR_OK:
		return "ok";
#define ERR_CASE(name, value, key, text) case ERR_##name: return text;
	ERR_CODES(ERR_CASE)
#undef ERR_CASE
	}
	return "unknown error";
}

const char *
err_key(int code)
{
	switch (code) {
	case ERR_OK:
		return "ok";
#define ERR_KEY(name, value, key, text) case ERR_##name: return key;
	ERR_CODES(ERR_KEY)
#undef ERR_KEY
	}
	return "unknown";
}
