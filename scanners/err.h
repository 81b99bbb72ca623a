/*
 * err: how every fallible sklad function reports failure.
 *
 * A function that can fail returns 0 on success or a negative ERR_* code,
 * and fills an optional struct err supplied by the caller with the code and
 * one human sentence (Redis's err buffer, not tmux's allocated cause: the
 * failure path never allocates). The sentence is for the person who can
 * act on it: the operator for refusals, the admin for I/O and set-up.
 * Nothing secret goes into it.
 *
 * Lives in scanners/, the lowest layer, so that every module can use it.
 */
#ifndef SKLAD_ERR_H
#define SKLAD_ERR_H

#define ERR_CODES(X) \
	X(INVALID,  -1, "invalid",  "invalid input") \
	X(NOTFOUND, -2, "notfound", "not found") \
	X(REFUSED,  -3, "refused",  "refused by a warehouse rule") \
	X(EXISTS,   -4, "exists",   "already exists") \
	X(BUSY,     -5, "busy",     "busy, try again") \
	X(IO,       -6, "io",       "input/output error") \
	X(DB,       -7, "db",       "database error") \
	X(DENIED,   -8, "denied",   "permission denied") \
	X(NET,      -9, "net",      "network error") \
	X(SERVER,  -10, "server",   "the server refused") \
	X(AUTH,    -11, "auth",     "authentication failed") \
	X(VERSION, -12, "version",  "unsupported version") \
	X(NODEV,   -13, "nodev",    "device gone") \
	X(INTERNAL,-14, "internal", "internal error")

#define ERR_ENUM(name, value, key, text) ERR_##name = value,
enum err_code { ERR_OK = 0, ERR_CODES(ERR_ENUM) };
#undef ERR_ENUM

#define ERR_MSG_MAX 512

struct err {
	int code;		/* 0 or an ERR_* value */
	char msg[ERR_MSG_MAX];	/* one sentence, UTF-8, no trailing newline */
};

/*
 * Record a failure in e (which may be NULL) and return code, so callers
 * can write `return err_set(e, ERR_IO, "cannot open %s: %s", ...)`.
 */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Empty e (may be NULL): code 0, message "". */
void err_clear(struct err *e);

/* The default text of a code ("database error"), never NULL. */
const char *err_name(int code);

/* The stable machine name of a code ("db"), for JSON; never NULL. */
const char *err_key(int code);

#endif
