/*
 * view_outbox: the documents waiting for, sent to, or answered by the
 * state system, with their errors in plain words. Read-only; r reads
 * again.
 *
 * What it must not do: send, cancel or change documents.
 */
#include <stdio.h>
#include <string.h>

#include "console/ui.h"

#define DOCS_MAX 200

struct outbox {
	struct st_doc docs[DOCS_MAX];
	int n, total, top, sel;
};

static int
collect(void *arg, const struct st_doc *d)
{
	struct outbox *o = arg;

	o->total++;
	if (o->n == DOCS_MAX) {	/* keep the newest */
		memmove(o->docs, o->docs + 1, sizeof(o->docs[0]) *
			(DOCS_MAX - 1));
		o->n--;
	}
	o->docs[o->n++] = *d;
	return 0;
}

static void
outbox_load(struct ui *ui, struct outbox *o)
{
	struct wf_result r;

	o->n = o->total = 0;
	ui_command(ui, "docs", &r, NULL, collect, o);
	o->sel = o->n > 0 ? o->n - 1 : 0;
}

static void
outbox_open(struct ui *ui, void *p, int arg)
{
	(void)arg;
	outbox_load(ui, p);
}

static bool
outbox_req(struct ui *ui, void *p, enum req r)
{
	struct outbox *o = p;

	switch (r) {
	case REQ_REFRESH:
		outbox_load(ui, o);
		return true;
	case REQ_UP:
		o->sel -= o->sel > 0;
		return true;
	case REQ_DOWN:
		o->sel += o->sel < o->n - 1;
		return true;
	default:
		return false;
	}
}

static void
outbox_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct outbox *o = p;
	int y = view_frame(ui, _("Outbox"), _("Up/Down: choose  r: read "
			   "again  Esc: menu"), rows, cols);
	int lines = rows - 1 - y - 3, i, tw;
	const struct st_doc *d;

	if (ui->sync_status[0] != '\0')
		ui_putf(y++, 1, cols - 2, UI_DIM, _("Sync: %s"),
			ui->sync_status);
	if (o->n == 0) {
		ui_put(y, 2, cols - 4, UI_NORMAL, false,
		       _("No documents yet."));
		return;
	}
	if (o->sel < o->top)
		o->top = o->sel;
	if (lines > 0 && o->sel >= o->top + lines)
		o->top = o->sel - lines + 1;
	/* At 40 columns the state matters more than the whole type. */
	tw = cols < 70 ? 12 : 22;
	for (i = o->top; i < o->n && y < rows - 4; i++, y++)
		ui_putf(y, 1, cols - 2, i == o->sel ? UI_SEL : UI_NORMAL,
			"%4lld %-*.*s %5d  %s", (long long)o->docs[i].id, tw,
			tw, o->docs[i].type, o->docs[i].codes,
			view_word(o->docs[i].state));
	d = &o->docs[o->sel];
	y = rows - 4;
	ui_putf(y++, 1, cols - 2, UI_BOLD, _("Document %lld: %s, %d codes, "
		"attempts %d"), (long long)d->id, view_word(d->state),
		d->codes, d->attempts);
	if (d->server_id[0] != '\0')
		ui_putf(y, 1, cols - 2, UI_NORMAL, _("Its number there: %s"),
			d->server_id);
	y++;
	if (d->last_error[0] != '\0')
		ui_putf(y, 1, cols - 2, UI_BOLD, _("Last error: %s"),
			d->last_error);
}

const struct view_ops view_outbox = {
	.name = "outbox",
	.private_size = sizeof(struct outbox),
	.open = outbox_open,
	.draw = outbox_draw,
	.on_req = outbox_req,
};
