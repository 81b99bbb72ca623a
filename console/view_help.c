/*
 * view_help: the keys (from the request table) and the workflow commands
 * the ':' prompt takes (wf_help).
 *
 * What it must not do: keep its own list of keys.
 */
#include <stdio.h>

#include "console/ui.h"

struct help {
	int top;
};

static bool
help_req(struct ui *ui, void *p, enum req r)
{
	struct help *h = p;

	(void)ui;
	if (r == REQ_DOWN || r == REQ_ENTER) {
		h->top++;
		return true;
	}
	if (r == REQ_UP) {
		h->top -= h->top > 0;
		return true;
	}
	return false;
}

static void
help_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct help *h = p;
	int y = view_frame(ui, _("Keys and commands"), _("Up/Down: scroll  "
			   "Esc: back"), rows, cols);
	int line = 0, i;

	for (i = 1; i < REQ_COUNT; i++, line++) {
		if (line < h->top || y >= rows - 1)
			continue;
		ui_putf(y, 1, 16, UI_BOLD, "%s", keys_bound((enum req)i));
		ui_put(y++, 18, cols - 19, UI_NORMAL, false,
		       _(keys_help((enum req)i)));
	}
	if (line++ >= h->top && y < rows - 1)
		ui_put(y++, 1, cols - 2, UI_DIM, false,
		       _("Commands for the ':' prompt:"));
	for (i = 0; wf_help[i] != NULL; i++, line++)
		if (line >= h->top && y < rows - 1)
			ui_put(y++, 1, cols - 2, UI_NORMAL, false,
			       wf_help[i]);
}

const struct view_ops view_help = {
	.name = "help",
	.private_size = sizeof(struct help),
	.draw = help_draw,
	.on_req = help_req,
};
