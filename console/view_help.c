/*
 * view_help: the keys (from the request table), the command barcodes a
 * station can print, and the workflow commands the ':' prompt takes
 * (the table wf_cmds, with the role each needs), as one list that scrolls
 * within its length.
 *
 * What it must not do: keep its own list of keys.
 */
#include <stdio.h>

#include "console/ui.h"

/* The built-in barcodes: SKLAD:<WORD>, and what each does. */
static const struct {
	const char *code, *help;
} barcodes[] = {
	{ "SKLAD:CLOSE", N_("close the open pack, without a question") },
	{ "SKLAD:BOX_OPEN", N_("open a box (next SSCC)") },
	{ "SKLAD:PALLET_OPEN", N_("open a pallet (next SSCC)") },
	{ "SKLAD:CANCEL", N_("cancel an empty pack; leave an acceptance or "
			     "shipment for now") },
	{ "SKLAD:ACCEPT_FINISH", N_("finish the acceptance") },
	{ "SKLAD:ACCEPT_FINISH_PARTIAL", N_("finish the acceptance in "
					    "part") },
	{ "SKLAD:SHIP_FINISH", N_("finish the shipment") },
	{ "SKLAD:ACK", N_("acknowledge an error") },
	{ "SKLAD:YES", N_("yes to the question on the screen") },
};

#define NBARCODES ((int)(sizeof(barcodes) / sizeof(barcodes[0])))

struct help {
	int top;
	int shown;		/* rows the last draw had for the list */
};

/* Lines of the list: keys, a heading, barcodes, a heading, commands. */
static int
help_lines(void)
{
	int n = REQ_COUNT - 1 + 1 + NBARCODES + 1, i;

	for (i = 0; wf_cmds[i].name != NULL; i++)
		n++;
	return n;
}

/* Keep the list on screen: never past its last line. */
static void
clamp(struct help *h)
{
	int max = help_lines() - (h->shown > 0 ? h->shown : 1);

	if (h->top > max)
		h->top = max;
	if (h->top < 0)
		h->top = 0;
}

static bool
help_req(struct ui *ui, void *p, enum req r)
{
	struct help *h = p;

	(void)ui;
	if (r == REQ_DOWN || r == REQ_ENTER || r == REQ_UP) {
		h->top += r == REQ_UP ? -1 : 1;
		clamp(h);
		return true;
	}
	return false;
}

/* A name and what it does: two columns, or on a narrow screen one line
 * "name: what" so that neither is cut to nothing. */
static void
draw_pair(int y, int cols, int w, const char *name, const char *what)
{
	if (cols < 40) {
		ui_putf(y, 1, cols - 2, UI_NORMAL, "%s: %s", name, what);
		return;
	}
	ui_put(y, 1, w - 1, UI_BOLD, false, name);
	ui_put(y, w + 1, cols - w - 2, UI_NORMAL, false, what);
}

/* A command's usage and what it does, with the role it needs beyond an
 * operator's (the words `user add` takes, so not translated). */
static void
draw_command(const struct wf_cmd *c, int y, int cols)
{
	char what[256];

	if (c->role > ST_OPERATOR)
		snprintf(what, sizeof(what), "%s [%s]", _(c->help),
			 st_role_name(c->role));
	else
		snprintf(what, sizeof(what), "%s", _(c->help));
	draw_pair(y, cols, cols >= 60 ? 27 : cols / 2, c->usage, what);
}

/* Line number line of the list at row y. */
static void
draw_line(int line, int y, int cols)
{
	if (line < REQ_COUNT - 1) {
		draw_pair(y, cols, 17, keys_bound((enum req)(line + 1)),
			  _(keys_help((enum req)(line + 1))));
		return;
	}
	line -= REQ_COUNT - 1;
	if (line == 0) {
		ui_put(y, 1, cols - 2, UI_DIM, false, _("Command barcodes:"));
		return;
	}
	if (--line < NBARCODES) {
		draw_pair(y, cols, cols >= 60 ? 30 : cols / 2,
			  barcodes[line].code, _(barcodes[line].help));
		return;
	}
	line -= NBARCODES;
	if (line == 0) {
		ui_put(y, 1, cols - 2, UI_DIM, false,
		       _("Commands for the ':' prompt:"));
		return;
	}
	draw_command(&wf_cmds[line - 1], y, cols);
}

static void
help_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct help *h = p;
	int y = view_frame(ui, _("Keys and commands"), _("Up/Down: scroll  "
			   "Esc: back"), rows, cols);
	int n = help_lines(), line;

	h->shown = rows - 1 - y;
	clamp(h);
	for (line = h->top; line < n && y < rows - 1; line++, y++)
		draw_line(line, y, cols);
}

const struct view_ops view_help = {
	.name = "help",
	.private_size = sizeof(struct help),
	.draw = help_draw,
	.on_req = help_req,
};
