/*
 * config: sync's INI settings (see config.h), parsed with libinih.
 *
 * Must not: accept an unknown key or a malformed number silently, or
 * open anything but the configuration file itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync/api.h"
#include "sync/config.h"
#include "sync/sign.h"

/* Parser state handed through inih. */
struct cfg_ctx {
	struct sy_config *c;
	struct err *e;
	int failed;		/* the first failure is kept in e */
};

/* A text setting: where it goes in struct sy_config. */
struct cfg_str {
	const char *section, *name;
	size_t off, size;
};

#define S(sec, key, field) { sec, key, offsetof(struct sy_config, field), \
	sizeof(((struct sy_config *)0)->field) }
static const struct cfg_str strs[] = {
	S("true-api", "v3", v3),
	S("true-api", "v4", v4),
	S("true-api", "ca_file", ca_file),
	S("true-api", "token_file", token_file),
	S("true-api", "inn", inn),
	S("true-api", "product_group", product_group),
	S("sign", "key", key_file),
	S("sign", "cert", cert_file),
	S("sign", "command_detached", command_detached),
	S("sign", "command_attached", command_attached),
};
#undef S

/* Parse a whole non-negative number; -1 if it is not one. */
static long long
number(const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0)
		return -1;
	return n;
}

static int
yes_no(const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		return 0;
	return -1;
}

static int
set_number(struct cfg_ctx *x, const char *name, long long n)
{
	struct sy_config *c = x->c;

	if (n < 0)
		return 0;
	if (strcmp(name, "timeout_seconds") == 0)
		c->timeout_ms = (long)n * 1000;
	else if (strcmp(name, "max_attempts") == 0 && n < 100)
		c->max_attempts = (int)n;
	else if (strcmp(name, "max_wait_ms") == 0)
		c->max_wait_ms = n;
	else if (strcmp(name, "max_seconds") == 0)
		c->max_seconds = (long)n;
	else if (strcmp(name, "poll_initial_ms") == 0)
		c->poll_initial_ms = n;
	else if (strcmp(name, "poll_max_ms") == 0)
		c->poll_max_ms = n;
	else if (strcmp(name, "settle_ms") == 0)
		c->settle_ms = n;
	else if (strcmp(name, "retry_ms") == 0)
		c->retry_ms = n;
	else
		return 0;
	return 1;
}

/* inih's callback: 1 to go on, 0 marks the line as an error. */
static int
on_value(void *user, const char *section, const char *name,
	 const char *value)
{
	struct cfg_ctx *x = user;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		char *dst;

		if (strcmp(section, strs[i].section) != 0 ||
		    strcmp(name, strs[i].name) != 0)
			continue;
		if (strlen(value) >= strs[i].size)
			break;
		dst = (char *)x->c + strs[i].off;
		memcpy(dst, value, strlen(value) + 1);
		return 1;
	}
	if (i == sizeof(strs) / sizeof(strs[0])) {
		if (strcmp(section, "true-api") == 0 &&
		    strcmp(name, "united_token") == 0 &&
		    (x->c->united_token = yes_no(value)) >= 0)
			return 1;
		if ((strcmp(section, "true-api") == 0 ||
		     strcmp(section, "sync") == 0) &&
		    set_number(x, name, number(value)))
			return 1;
	}
	if (!x->failed)
		err_set(x->e, ERR_INVALID, "[%s] %s: unknown setting or bad "
			"value", section, name);
	x->failed = 1;
	return 0;
}

/*
 * Read path into *c; see config.h. The messages name the file and line,
 * never a value (a value could be a path a person considers private,
 * and never is a secret, but there is no need to echo it).
 */
int
sy_config_load(const char *path, struct sy_config *c, struct err *e)
{
	struct cfg_ctx x = { c, e, 0 };
	struct err local;
	struct stat sb;
	FILE *f;
	int line, fd;

	memset(c, 0, sizeof(*c));
	err_clear(&local);
	x.e = &local;
	/* A regular file only: a FIFO must not hang the run, nor /dev/zero
	 * feed the parser forever. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) <
	    0)
		return err_set(e, ERR_IO, "cannot open the configuration %s: "
			       "%s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return err_set(e, ERR_INVALID, "the configuration %s is not a "
			       "regular file", path);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	line = ini_parse_file(f, on_value, &x);
	fclose(f);
	if (line == -2)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (line > 0)
		return err_set(e, ERR_INVALID, "%s line %d: %s", path, line,
			       x.failed ? local.msg : "not a setting");
	if (c->v3[0] == '\0' || c->v4[0] == '\0')
		return err_set(e, ERR_INVALID, "%s: [true-api] v3 and v4 "
			       "base URLs are required", path);
	if (c->command_detached[0] == '\0' &&
	    (c->key_file[0] == '\0' || c->cert_file[0] == '\0'))
		return err_set(e, ERR_INVALID, "%s: [sign] needs key and "
			       "cert, or command_detached", path);
	return 0;
}

int
sy_config_client(const struct sy_config *c, const char *site_inn,
		 const char *site_pg, void (*log)(void *, const char *),
		 void *log_ctx, struct sy_sign **sign, struct sy_api **api,
		 struct err *e)
{
	struct sy_sign_opts so = { 0 };
	struct sy_api_config ac = { 0 };
	int rc;

	*sign = NULL;
	*api = NULL;
	ac.inn = c->inn[0] ? c->inn : site_inn;
	ac.pg = c->product_group[0] ? c->product_group : site_pg;
	if (ac.pg == NULL || ac.pg[0] == '\0' || ac.inn == NULL ||
	    ac.inn[0] == '\0')
		return err_set(e, ERR_INVALID, "no product group or INN: set "
			       "them in [true-api] or in the site");
	if (c->command_detached[0]) {
		so.command_detached = c->command_detached;
		so.command_attached = c->command_attached[0] ?
			c->command_attached : NULL;
	} else {
		so.key_file = c->key_file;
		so.cert_file = c->cert_file;
	}
	if ((rc = sy_sign_new(sign, &so, e)) < 0)
		return rc;
	ac.v3_url = c->v3;
	ac.v4_url = c->v4;
	ac.ca_file = c->ca_file[0] ? c->ca_file : NULL;
	ac.token_file = c->token_file[0] ? c->token_file : NULL;
	ac.signer = *sign;
	ac.united_token = c->united_token;
	ac.timeout_ms = c->timeout_ms;
	ac.max_attempts = c->max_attempts;
	ac.max_wait_ms = c->max_wait_ms;
	ac.log = log;
	ac.log_ctx = log_ctx;
	if ((rc = sy_api_new(api, &ac, e)) < 0)
		sy_sign_free(sign);
	return rc;
}
