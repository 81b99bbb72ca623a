/*
 * view_accept: acceptance of an incoming delivery. Choose the delivery
 * (its number from `delivery import`), scan its SSCCs or units, watch
 * matched / expected, missing and surplus, then finish in full or in
 * part.
 *
 * What it must not do: finish partially without a second key press, or
 * pass a discrepancy off as OK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/ui.h"

#define SURPLUS_MAX 8

struct accept {
	bool scanning;		/* a delivery is open */
	struct view_field number;
	struct st_accept_progress prog;
	bool confirm_partial;
	bool finished;
	char surplus[SURPLUS_MAX][80];	/* this session's extra codes */
	int nsurplus;
	struct ui_recent recent[UI_RECENT_MAX];
	int nrecent;
};

static const char *
verdict_text(const char *v)
{
	if (v == NULL)
		return "";
	if (strcmp(v, "matched") == 0)
		return _("matched");
	if (strcmp(v, "duplicate") == 0)
		return _("already scanned");
	if (strcmp(v, "wrong_item") == 0)
		return _("a product this delivery does not have");
	return _("not in this delivery (surplus)");
}

static void
accept_begin(struct ui *ui, struct accept *a, const char *number)
{
	struct wf_result r;
	char line[UI_TEXT_MAX + 16];

	snprintf(line, sizeof(line), "accept open %s", number);
	if (ui_command(ui, line, &r, NULL, NULL, NULL) < 0)
		return;
	a->prog = r.accept;
	a->scanning = true;
	a->finished = false;
	ui_ok(ui, _("Delivery %s: scan its packs or units."), number);
}

static void
accept_open(struct ui *ui, void *p, int arg)
{
	struct accept *a = p;
	char num[32];

	(void)arg;
	if (ui->wf.mode == WF_ACCEPT) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)ui->wf.delivery);
		accept_begin(ui, a, num);
	}
}

static void
accept_finish(struct ui *ui, struct accept *a, bool partial)
{
	struct wf_result r;

	if (ui_command(ui, partial ? "accept finish partial" :
		       "accept finish", &r, NULL, NULL, NULL) < 0)
		return;
	a->prog = r.accept;
	a->scanning = false;
	a->finished = true;
	ui_ok(ui, partial ? _("Acceptance finished in part: the document "
			      "is in the outbox.") :
	      _("Acceptance finished: the document is in the outbox."));
}

static bool
accept_req(struct ui *ui, void *p, enum req r)
{
	struct accept *a = p;
	struct wf_result res;

	if (!a->scanning) {
		if (r == REQ_ENTER && a->number.text[0] != '\0') {
			accept_begin(ui, a, a->number.text);
			return true;
		}
		return view_field_req(&a->number, r);
	}
	if (r != REQ_PARTIAL)
		a->confirm_partial = false;
	switch (r) {
	case REQ_FINISH:
		accept_finish(ui, a, false);
		return true;
	case REQ_PARTIAL:
		if (!a->confirm_partial) {
			a->confirm_partial = true;
			ui_info(ui, "%s", _("Missing codes will be rejected. "
					    "Press p again to finish."));
		} else {
			accept_finish(ui, a, true);
		}
		return true;
	case REQ_BACK:
	case REQ_QUIT:
		ui_command(ui, "cancel", &res, NULL, NULL, NULL);
		ui_info(ui, "%s", _("The acceptance is kept: open the same "
				    "delivery to go on."));
		return false;
	default:
		return false;
	}
}

static bool
accept_char(struct ui *ui, void *p, const char *utf8)
{
	struct accept *a = p;

	(void)ui;
	return !a->scanning && view_field_char(&a->number, utf8);
}

static bool
accept_text(void *p)
{
	return !((struct accept *)p)->scanning;
}

static void
accept_scan(struct ui *ui, void *p, const struct scan *s)
{
	struct accept *a = p;
	struct wf_result r;

	if (!a->scanning) {
		/* A scanned delivery number opens it. */
		if (s->len == 0 || s->len > 18 ||
		    strspn(s->bytes, "0123456789") != s->len) {
			ui_error(ui, _("Choose the delivery first: type its "
				       "number and press Enter."));
			return;
		}
		snprintf(a->number.text, sizeof(a->number.text), "%.18s",
			 s->bytes);
		accept_begin(ui, a, a->number.text);
		return;
	}
	wf_scan(&ui->wf, s->bytes, s->len, &r);
	if (r.rc < 0) {
		view_recent_add(a->recent, &a->nrecent, false, s, r.err.msg);
		ui_error(ui, r.err.msg);
		return;
	}
	if (r.what != WF_ACCEPT_INFO) {
		a->scanning = ui->wf.mode == WF_ACCEPT;	/* a command code */
		ui_ok(ui, _("Done: %s"), r.command);
		return;
	}
	a->prog = r.accept;
	view_recent_add(a->recent, &a->nrecent,
			strcmp(r.accept.verdict, "matched") == 0, s,
			verdict_text(r.accept.verdict));
	if (strcmp(r.accept.verdict, "matched") == 0) {
		ui_ok(ui, ngettext("Matched: %d code.", "Matched: %d codes.",
				   r.accept.units), r.accept.units);
		return;
	}
	if (strcmp(r.accept.verdict, "duplicate") != 0 &&
	    a->nsurplus < SURPLUS_MAX)
		ui_short_code(s->bytes, s->len, a->surplus[a->nsurplus++],
			      sizeof(a->surplus[0]), 40);
	ui_error(ui, verdict_text(r.accept.verdict));
}

static void
draw_progress(const struct accept *a, int y, int rows, int cols)
{
	const struct st_accept_progress *g = &a->prog;
	char num[32];
	int i;

	snprintf(num, sizeof(num), "%d/%d", g->matched,
		 g->matched + g->missing);
	if (rows - y >= 14 && (int)strlen(num) * 4 + 4 < cols) {
		ui_put(y, 2, cols - 4, UI_DIM, false,
		       _("Matched / expected:"));
		ui_big(y + 1, 2, num);
		y += 7;
	} else {
		ui_putf(y++, 2, cols - 4, UI_BOLD, "%s %s",
			_("Matched / expected:"), num);
	}
	ui_putf(y++, 2, cols - 4, g->missing > 0 ? UI_BOLD : UI_NORMAL,
		_("Missing: %d"), g->missing);
	ui_putf(y++, 2, cols - 4, g->surplus + g->wrong_item > 0 ? UI_BOLD :
		UI_NORMAL, _("Surplus: %d (of another product: %d)  "
			     "Scanned again: %d"), g->surplus + g->wrong_item,
		g->wrong_item, g->duplicates);
	for (i = 0; i < a->nsurplus && y < rows - 2; i++)
		ui_putf(y++, 4, cols - 6, UI_DIM, "+ %s", a->surplus[i]);
	if (y < rows - 3 && a->nrecent > 0) {
		ui_put(y++, 2, cols - 4, UI_DIM, false, _("Last scans:"));
		view_recent_draw(a->recent, a->nrecent, y, rows, cols);
	}
}

static void
accept_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct accept *a = p;
	int y = view_frame(ui, _("Acceptance"), a->scanning ?
			   _("f/F9: finish  p/F8: finish in part  Esc: "
			     "leave for now") :
			   _("Enter: open the delivery  Esc: menu"), rows,
			   cols);

	if (!a->scanning) {
		ui_put(y, 2, cols - 4, UI_NORMAL, false,
		       _("Delivery number (from delivery import):"));
		view_field_draw(&a->number, y + 1, 2, 12, true);
		if (a->finished)
			draw_progress(a, y + 3, rows, cols);
		return;
	}
	ui_putf(y++, 2, cols - 4, UI_BOLD, _("Delivery %lld"),
		(long long)a->prog.delivery_id);
	draw_progress(a, y, rows, cols);
}

const struct view_ops view_accept = {
	.name = "accept",
	.private_size = sizeof(struct accept),
	.open = accept_open,
	.draw = accept_draw,
	.on_req = accept_req,
	.on_char = accept_char,
	.on_scan = accept_scan,
	.takes_text = accept_text,
};
