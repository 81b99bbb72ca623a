/*
 * view_open: every piece of work left open on the site: packs with who
 * opened them and when (pallets first, a box on a pallet says so),
 * acceptances in progress, open shipments. Enter goes on with the chosen
 * one in this session; x cancels an empty pack or drops an empty
 * shipment. So nothing is stranded after a crash, a dropped SSH session
 * or a forgotten box, and a supervisor can deal with anyone's.
 *
 * What it must not do: change anything but through workflow commands.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console/ui.h"

#define OPEN_MAX 200

struct open_list {
	struct st_open_item it[OPEN_MAX];
	int n, sel, top, more;
};

static int
collect(void *arg, const struct st_open_item *it)
{
	struct open_list *o = arg;

	if (o->n == OPEN_MAX) {
		o->more++;
		return 0;
	}
	o->it[o->n++] = *it;
	return 0;
}

static void
load(struct ui *ui, struct open_list *o)
{
	struct err e;

	o->n = o->more = 0;
	if (st_open_work(ui->db, collect, o, &e) < 0)
		ui_error(ui, e.msg);
	if (o->sel >= o->n)
		o->sel = o->n > 0 ? o->n - 1 : 0;
	ui->dirty = true;
}

static void
open_open(struct ui *ui, void *p, int arg)
{
	(void)arg;
	load(ui, p);
}

/* Go on with it: the pack, acceptance or shipment becomes this session's
 * and its screen opens in place of this one. */
static void
go_to(struct ui *ui, const struct st_open_item *it)
{
	struct wf_result r;
	char line[160];

	if (it->kind == ST_OPEN_ACCEPT) {
		ui_pop(ui);
		ui_push(ui, &view_accept, (int)it->id);
		return;
	}
	if (it->kind == ST_OPEN_SHIP)
		snprintf(line, sizeof(line), "ship open %s %s", it->inn,
			 it->label);
	else
		snprintf(line, sizeof(line), "resume %s", it->sscc);
	if (ui_command(ui, line, &r, NULL, NULL, NULL) < 0)
		return;
	ui_pop(ui);
	if (it->kind == ST_OPEN_SHIP) {
		ui_push(ui, &view_ship, 0);
		ui_ok(ui, _("Shipment %lld: go on scanning."),
		      (long long)it->id);
	} else {
		ui_push(ui, &view_pack, r.pack.level);
		ui_ok(ui, _("Pack %s resumed."), r.pack.sscc);
	}
}

/* x: an empty pack is cancelled, an empty shipment dropped. */
static void
cancel(struct ui *ui, struct open_list *o, const struct st_open_item *it)
{
	struct wf_result r;
	struct err e;
	char line[64];
	int rc;

	if (it->kind == ST_OPEN_PACK) {
		snprintf(line, sizeof(line), "cancel %s", it->sscc);
		if (ui_command(ui, line, &r, NULL, NULL, NULL) == 0)
			ui_ok(ui, _("Pack %s cancelled."), it->sscc);
	} else if (it->kind == ST_OPEN_SHIP && ui->wf.mode == WF_SHIP &&
		   ui->wf.shipment == it->id) {
		ui_error(ui, _("This shipment is open in this session: go to "
			       "it and leave it with Esc."));
	} else if (it->kind == ST_OPEN_SHIP) {
		if ((rc = st_ship_cancel(ui->db, it->id, &e)) < 0)
			ui_error(ui, e.msg);
		else if (rc == 0)
			ui_error(ui, _("Something is on this shipment: go to it "
				       "and finish it."));
		else
			ui_ok(ui, _("Empty shipment %lld dropped."),
			      (long long)it->id);
	} else {
		ui_error(ui, _("An acceptance is finished on its screen, in "
			       "full or in part."));
	}
	load(ui, o);
}

static bool
open_req(struct ui *ui, void *p, enum req r)
{
	struct open_list *o = p;

	switch (r) {
	case REQ_UP:
		o->sel -= o->sel > 0;
		return true;
	case REQ_DOWN:
		o->sel += o->sel < o->n - 1;
		return true;
	case REQ_REFRESH:
		load(ui, o);
		return true;
	case REQ_ENTER:
		if (o->n > 0)
			go_to(ui, &o->it[o->sel]);
		return true;
	case REQ_CANCEL:
		if (o->n > 0)
			cancel(ui, o, &o->it[o->sel]);
		return true;
	default:
		return false;
	}
}

/* What the item is, in one phrase. */
static void
describe(const struct st_open_item *it, char *out, size_t n)
{
	char on[48] = "";

	switch (it->kind) {
	case ST_OPEN_PACK:
		if (it->parent[0] != '\0')
			snprintf(on, sizeof(on), _(" on %s"), it->parent);
		if (it->capacity > 0)
			snprintf(out, n, "%s %s %d/%d%s", it->level == ST_BOX ?
				 _("Box") : _("Pallet"), it->sscc, it->count,
				 it->capacity, on);
		else
			snprintf(out, n, "%s %s %d%s", it->level == ST_BOX ?
				 _("Box") : _("Pallet"), it->sscc, it->count,
				 on);
		break;
	case ST_OPEN_ACCEPT:
		snprintf(out, n, _("Acceptance %lld (%s): %d/%d"),
			 (long long)it->id, it->label, it->count,
			 it->capacity);
		break;
	case ST_OPEN_SHIP:
		snprintf(out, n, ngettext("Shipment %lld to %s, %s: %d unit",
			 "Shipment %lld to %s, %s: %d units", it->units),
			 (long long)it->id, it->inn, it->label, it->units);
		break;
	}
}

static void
open_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct open_list *o = p;
	int y = view_frame(ui, _("Open work"), _("Enter: go to it  x: cancel "
			   "an empty one  r: read again  Esc: menu"), rows,
			   cols);
	int lines = rows - 1 - y, i, wide = cols >= 72;
	char what[160], at[32];

	if (o->n == 0) {
		ui_put(y, 2, cols - 4, UI_NORMAL, false, _("Nothing is open."));
		return;
	}
	if (o->sel < o->top)
		o->top = o->sel;
	if (lines > 0 && o->sel >= o->top + lines)
		o->top = o->sel - lines + 1;
	for (i = o->top; i < o->n && y < rows - 1; i++, y++) {
		enum ui_attr a = i == o->sel ? UI_SEL : UI_NORMAL;

		describe(&o->it[i], what, sizeof(what));
		view_local_time(o->it[i].at, false, at, sizeof(at));
		ui_put(y, 0, cols, a, true, "");
		if (wide) {
			ui_put(y, 1, cols - 26, a, false, what);
			ui_putf(y, cols - 24, 23, a, "%-10.10s %s",
				o->it[i].user, at);
		} else {
			/* Narrow: who and when go after the phrase. */
			ui_putf(y, 1, cols - 2, a, "%s  %s %s", what,
				o->it[i].user, at);
		}
	}
}

const struct view_ops view_open = {
	.name = "open",
	.private_size = sizeof(struct open_list),
	.open = open_open,
	.draw = open_draw,
	.on_req = open_req,
};
