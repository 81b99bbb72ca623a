/*
 * config: a station's label settings and printers (labels.h), parsed
 * with Debian's libinih like sync.conf: a typo is an error with its line,
 * never a silent default.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labels/labels.h"

struct cfg_ctx {
	struct lb_config *c;
	struct err *e;
	bool failed;
};

void
lb_config_defaults(struct lb_config *c)
{
	memset(c, 0, sizeof(*c));
	c->print_on = LB_ON_CLOSE;
	c->confirm = true;
	c->max_attempts = 5;
	if (gethostname(c->station, sizeof(c->station)) < 0)
		c->station[0] = '\0';
	c->station[sizeof(c->station) - 1] = '\0';
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

static bool
number(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n < lo || n > hi)
		return false;
	*out = (int)n;
	return true;
}

static bool
copy(char *dst, size_t n, const char *v)
{
	if (strlen(v) >= n)
		return false;
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

static bool
labels_value(struct lb_config *c, const char *name, const char *v)
{
	int yn;

	if (strcmp(name, "printer") == 0)
		return copy(c->printer, sizeof(c->printer), v);
	if (strcmp(name, "station") == 0)
		return copy(c->station, sizeof(c->station), v);
	if (strcmp(name, "max_attempts") == 0)
		return number(v, 0, 1000, &c->max_attempts);
	if (strcmp(name, "confirm") == 0) {
		if ((yn = yes_no(v)) < 0)
			return false;
		c->confirm = yn;
		return true;
	}
	if (strcmp(name, "print_on") == 0) {
		if (strcmp(v, "close") == 0)
			c->print_on = LB_ON_CLOSE;
		else if (strcmp(v, "open") == 0)
			c->print_on = LB_ON_OPEN;
		else if (strcmp(v, "none") == 0)
			c->print_on = LB_ON_NONE;
		else
			return false;
		return true;
	}
	return false;
}

/* The printer of section "printer NAME", made on first sight. */
static struct lb_printer_conf *
printer_of(struct lb_config *c, const char *name)
{
	struct lb_printer_conf *p;
	int i;

	for (i = 0; i < c->nprinters; i++)
		if (strcmp(c->printers[i].name, name) == 0)
			return &c->printers[i];
	if (c->nprinters >= LB_PRINTERS_MAX || strlen(name) == 0 ||
	    strlen(name) >= sizeof(p->name))
		return NULL;
	p = &c->printers[c->nprinters++];
	memset(p, 0, sizeof(*p));
	memcpy(p->name, name, strlen(name) + 1);
	p->format = LB_ZPL;
	p->size.width_mm = 100;
	p->size.height_mm = 150;
	p->size.dpi = 203;
	p->p.timeout_ms = 5000;
	/* product names are Russian; most printers have no such font */
	p->size.text_image = true;
	return p;
}

static bool
printer_value(struct lb_printer_conf *p, const char *name, const char *v)
{
	int f;

	if (strcmp(name, "uri") == 0)
		return copy(p->p.uri, sizeof(p->p.uri), v);
	if (strcmp(name, "format") == 0) {
		if ((f = lb_format_parse(v)) < 0)
			return false;
		p->format = (enum lb_format)f;
		return true;
	}
	if (strcmp(name, "size") == 0)
		return lb_size_parse(v, &p->size) == 0;
	if (strcmp(name, "dpi") == 0)
		return number(v, 150, 600, &p->size.dpi);
	if (strcmp(name, "timeout_ms") == 0)
		return number(v, 100, 600000, &p->p.timeout_ms);
	if (strcmp(name, "text") == 0) {
		if (strcmp(v, "image") != 0 && strcmp(v, "fonts") != 0)
			return false;
		p->size.text_image = strcmp(v, "image") == 0;
		return true;
	}
	if (strcmp(name, "status") == 0) {
		int yn = yes_no(v);

		if (yn < 0)
			return false;
		/* asked in the printer's language (format set before or
		 * after: lb_config_load settles it) */
		p->p.status = yn ? LB_STATUS_ZPL : LB_STATUS_NONE;
		return true;
	}
	return false;
}

static int
on_value(void *user, const char *section, const char *name,
	 const char *value)
{
	struct cfg_ctx *x = user;
	struct lb_printer_conf *p;
	bool ok = false;

	if (strcmp(section, "labels") == 0)
		ok = labels_value(x->c, name, value);
	else if (strncmp(section, "printer ", 8) == 0 &&
		 (p = printer_of(x->c, section + 8)) != NULL)
		ok = printer_value(p, name, value);
	if (ok)
		return 1;
	if (!x->failed)
		err_set(x->e, ERR_INVALID, "[%s] %s: unknown setting or bad "
			"value", section, name);
	x->failed = true;
	return 0;
}

int
lb_config_load(const char *path, struct lb_config *c, struct err *e)
{
	struct cfg_ctx x = { c, NULL, false };
	struct err local;
	int line, i;

	lb_config_defaults(c);
	err_clear(&local);
	x.e = &local;
	line = ini_parse(path, on_value, &x);
	if (line == -1)
		return err_set(e, ERR_IO, "cannot open the label settings %s: "
			       "%s", path, strerror(errno));
	if (line == -2)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (line > 0)
		return err_set(e, ERR_INVALID, "%s line %d: %s", path, line,
			       x.failed ? local.msg : "not a setting");
	for (i = 0; i < c->nprinters; i++) {
		struct lb_printer_conf *p = &c->printers[i];

		if (p->p.uri[0] == '\0')
			return err_set(e, ERR_INVALID, "%s: [printer %s] has "
				       "no uri", path, p->name);
		if (p->p.status != LB_STATUS_NONE)
			p->p.status = p->format == LB_TSPL ? LB_STATUS_TSPL :
				      LB_STATUS_ZPL;
		if (p->p.status != LB_STATUS_NONE && p->format == LB_PNG)
			return err_set(e, ERR_INVALID, "%s: [printer %s]: "
				       "status needs format zpl or tspl", path,
				       p->name);
	}
	if (c->printer[0] != '\0' && lb_config_printer(c, NULL) == NULL)
		return err_set(e, ERR_INVALID, "%s: [labels] printer %s has no "
			       "[printer %s] section", path, c->printer,
			       c->printer);
	return 0;
}

const struct lb_printer_conf *
lb_config_printer(const struct lb_config *c, const char *name)
{
	int i;

	if (name == NULL || *name == '\0')
		name = c->printer;
	for (i = 0; i < c->nprinters; i++)
		if (strcmp(c->printers[i].name, name) == 0)
			return &c->printers[i];
	return NULL;
}
