/*
 * view_count: a stock count by scanning. Scan the pallet or box to count
 * (or a: the whole stock), scan what is there (a closed pack counts what
 * is inside it), finish: the missing units and the extra scans, from the
 * store's st_stock_count.
 *
 * What it must not do: change stock (a count only reports).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/ui.h"

#define COUNT_SCANS 4000	/* scans one count on screen holds */
#define COUNT_LINES 200		/* result lines kept to show */

enum count_phase { C_SCOPE, C_SCANNING, C_DONE };

struct count {
	enum count_phase phase;
	bool all;			/* the whole stock, not one pack */
	char sscc[MARK_SSCC_LEN + 1];
	char (*scans)[ST_CODE_MAX];	/* codes scanned, as parsed */
	int nscans;
	struct ui_recent recent[UI_RECENT_MAX];
	int nrecent;
	struct st_count_result res;
	struct st_count_line lines[COUNT_LINES];
	int nlines, top;
};

/* The scans live inside the private block (views have no destructor):
 * COUNT_SCANS codes after struct count itself. */
#define COUNT_SIZE (sizeof(struct count) + \
		    (size_t)COUNT_SCANS * ST_CODE_MAX)

static void
count_open(struct ui *ui, void *p, int arg)
{
	struct count *c = p;

	(void)ui;
	(void)arg;
	c->scans = (char (*)[ST_CODE_MAX])(c + 1);
}

static void
count_reset(struct count *c)
{
	c->phase = C_SCOPE;
	c->all = false;
	c->sscc[0] = '\0';
	c->nscans = c->nrecent = c->nlines = c->top = 0;
}

static int
keep_line(void *arg, const struct st_count_line *l)
{
	struct count *c = arg;

	if (c->nlines < COUNT_LINES)
		c->lines[c->nlines++] = *l;
	return 0;
}

static void
count_finish(struct ui *ui, struct count *c)
{
	struct mark *m = calloc((size_t)(c->nscans ? c->nscans : 1),
				sizeof(*m));
	struct err e;
	int i, n = 0, rc;

	if (m == NULL) {
		ui_error(ui, "out of memory");
		return;
	}
	for (i = 0; i < c->nscans; i++) {
		const char *s = c->scans[i];

		if (mark_parse(s, strlen(s), &m[n]) == 0 ||
		    mark_sscc_check(s, strlen(s), &m[n]) == 0)
			n++;
	}
	c->nlines = c->top = 0;
	rc = st_stock_count(ui->db, &ui->wf.who, c->all ? NULL : c->sscc, m,
			    (size_t)n, keep_line, c, &c->res, &e);
	free(m);
	if (rc < 0) {
		ui_error(ui, e.msg);
		return;
	}
	c->phase = C_DONE;
	if (c->res.missing == 0 && c->res.extra == 0)
		ui_ok(ui, _("The count matches: %d units."), c->res.expected);
	else
		ui_error(ui, _("The count does not match: see the missing and "
			       "extra codes."));
}

static bool
count_req(struct ui *ui, void *p, enum req r)
{
	struct count *c = p;
	int shown = 10;

	if (r == REQ_FINISH && c->phase == C_SCANNING) {
		count_finish(ui, c);
		return true;
	}
	if (r == REQ_NEW && c->phase == C_DONE) {
		count_reset(c);
		return true;
	}
	if (c->phase == C_DONE && r == REQ_DOWN) {
		if (c->top + shown < c->nlines)
			c->top++;
		return true;
	}
	if (c->phase == C_DONE && r == REQ_UP) {
		if (c->top > 0)
			c->top--;
		return true;
	}
	return false;
}

static bool
count_char(struct ui *ui, void *p, const char *utf8)
{
	struct count *c = p;

	if (c->phase == C_SCOPE && (strcmp(utf8, "a") == 0 ||
				    keys_latin(utf8) == 'a')) {
		c->all = true;
		c->phase = C_SCANNING;
		ui_ok(ui, "%s", _("Counting the whole stock: scan what is "
				  "there."));
		return true;
	}
	return false;
}

static bool
already(const struct count *c, const char *code)
{
	int i;

	for (i = 0; i < c->nscans; i++)
		if (strcmp(c->scans[i], code) == 0)
			return true;
	return false;
}

static void
count_scan(struct ui *ui, void *p, const struct scan *s)
{
	struct count *c = p;
	struct st_pack pk;
	struct mark m, alt;
	struct err e;
	const char *code;

	/* a bare 18-digit label is an SSCC too, as everywhere */
	if ((mark_parse(s->bytes, s->len, &m) != 0 &&
	     mark_sscc_check(s->bytes, s->len, &alt) != 0) ||
	    m.kind == MARK_COMMAND) {
		char why[ERR_MSG_MAX];

		mark_strerror(&m, why, sizeof(why));
		if (m.kind == MARK_COMMAND)
			snprintf(why, sizeof(why), "%s", _("Command barcodes "
				 "do nothing on this screen."));
		ui_error(ui, why);
		return;
	}
	if (m.kind == MARK_INVALID)
		m = alt;
	code = m.kind == MARK_SSCC ? m.sscc : m.cis;
	if (c->phase == C_SCOPE) {
		if (m.kind != MARK_SSCC) {
			ui_error(ui, _("Scan the label of the pallet or box to "
				       "count first, or press a for the whole "
				       "stock."));
			return;
		}
		if (st_pack_get(ui->db, m.sscc, &pk, &e) < 0) {
			ui_error(ui, e.msg);
			return;
		}
		snprintf(c->sscc, sizeof(c->sscc), "%s", m.sscc);
		c->phase = C_SCANNING;
		ui_ok(ui, _("Counting %s: scan what is in it."), c->sscc);
		return;
	}
	if (c->phase == C_DONE) {
		ui_error(ui, _("This count is finished: n starts a new one."));
		return;
	}
	if (already(c, code)) {
		view_recent_add(ui->db, c->recent, &c->nrecent, false, s,
				_("scanned twice"));
		ui_error(ui, _("Scanned twice: counted once."));
		return;
	}
	if (c->nscans == COUNT_SCANS) {
		ui_error(ui, _("This count holds no more scans: finish it "
			       "(f), then count the rest."));
		return;
	}
	snprintf(c->scans[c->nscans++], ST_CODE_MAX, "%s", code);
	view_recent_add(ui->db, c->recent, &c->nrecent, true, s, "");
	ui_ok(ui, _("OK: %d scanned"), c->nscans);
}

static void
draw_result(const struct count *c, int y, int rows, int cols)
{
	int i;

	ui_putf(y++, 2, cols - 4, UI_BOLD, _("Expected %d units, found %d, "
		"missing %d, extra scans %d"), c->res.expected, c->res.found,
		c->res.missing, c->res.extra);
	for (i = c->top; i < c->nlines && y < rows - 1; i++, y++) {
		const struct st_count_line *l = &c->lines[i];

		if (l->missing)
			ui_putf(y, 2, cols - 4, UI_NORMAL, _("missing %s in %s"),
				l->code, l->pack[0] ? l->pack : "-");
		else
			ui_putf(y, 2, cols - 4, UI_ERR, _("extra %s: %s"),
				l->code, l->why);
	}
}

static void
count_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct count *c = p;
	int y = view_frame(ui, _("Stock count"), c->phase == C_SCOPE ?
			   _("Scan a pallet or box  a: whole stock  Esc: "
			     "menu") : c->phase == C_SCANNING ?
			   _("f/F9: finish and compare  Esc: menu") :
			   _("Up/Down: scroll  n: new count  Esc: menu"),
			   rows, cols);
	char num[16];

	if (c->phase == C_SCOPE) {
		ui_put(y, 2, cols - 4, UI_BOLD, false, _("Scan the label of "
		       "the pallet or box to count, or press a to count the "
		       "whole stock."));
		return;
	}
	ui_putf(y++, 2, cols - 4, UI_BOLD, "%s", c->all ?
		_("Whole stock") : c->sscc);
	if (c->phase == C_DONE) {
		draw_result(c, y, rows, cols);
		return;
	}
	snprintf(num, sizeof(num), "%d", c->nscans);
	if (rows - y >= 12) {
		ui_big(y, 2, num);
		y += 6;
	}
	if (c->nrecent > 0 && y < rows - 2) {
		ui_put(y++, 2, cols - 4, UI_DIM, false, _("Last scans:"));
		view_recent_draw(c->recent, c->nrecent, y, rows, cols);
	}
}

const struct view_ops view_count = {
	.name = "count",
	.private_size = COUNT_SIZE,
	.open = count_open,
	.draw = count_draw,
	.on_req = count_req,
	.on_char = count_char,
	.on_scan = count_scan,
};
