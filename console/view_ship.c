/*
 * view_ship: shipment: the receiver's INN and the document number, then
 * the packs (or loose units) leaving, then finish.
 *
 * What it must not do: ship anything the workflow did not accept.
 */
#include <stdio.h>
#include <string.h>

#include "console/ui.h"

struct ship {
	bool scanning;
	struct view_field inn, number;
	int focus;
	struct st_shipment cur;
	char done[160];
	struct ui_recent recent[UI_RECENT_MAX];
	int nrecent;
};

static void
ship_open(struct ui *ui, void *p, int arg)
{
	struct ship *s = p;

	struct err e;

	(void)arg;
	s->scanning = ui->wf.mode == WF_SHIP &&
		st_ship_get(ui->db, ui->wf.shipment, &s->cur, &e) == 0;
	if (ui->wf.mode == WF_PACK)
		view_offer_pack(ui);
}

static void
ship_begin(struct ui *ui, struct ship *s)
{
	struct wf_result r;
	char line[2 * UI_TEXT_MAX + 16];

	if (s->inn.text[0] == '\0' || s->number.text[0] == '\0' ||
	    strchr(s->number.text, ' ') != NULL) {
		ui_error(ui, _("Give the receiver's INN and the document "
			       "number (without spaces)."));
		return;
	}
	snprintf(line, sizeof(line), "ship open %s %s", s->inn.text,
		 s->number.text);
	if (ui_command(ui, line, &r, NULL, NULL, NULL) < 0)
		return;
	s->cur = r.ship;
	s->scanning = true;
	s->done[0] = '\0';
	s->nrecent = 0;		/* the last shipment's lines do not linger */
	if (r.ship.resumed)
		ui_ok(ui, _("Shipment %lld was open already: go on scanning."),
		      (long long)r.ship.id);
	else
		ui_ok(ui, _("Shipment open: scan the packs leaving."));
}

enum { ASK_FINISH = 1 };

static void
ship_finish(struct ui *ui, struct ship *s)
{
	struct wf_result res;

	if (ui_command(ui, "ship finish", &res, NULL, NULL, NULL) < 0)
		return;
	s->scanning = false;
	snprintf(s->done, sizeof(s->done), ngettext("Shipped: %d unit. "
		 "The document is in the outbox.", "Shipped: %d units. The "
		 "document is in the outbox.", res.ship.units),
		 res.ship.units);
	ui_ok(ui, "%s", s->done);
}

static void
ship_confirm(struct ui *ui, void *p, int token)
{
	struct ship *s = p;

	if (token == VIEW_GOTO_PACK) {
		view_goto_pack(ui);	/* pops this view: s is gone */
		return;
	}
	if (token == ASK_FINISH && s->scanning)
		ship_finish(ui, s);
}

static bool
ship_req(struct ui *ui, void *p, enum req r)
{
	struct ship *s = p;
	struct wf_result res;

	if (!s->scanning) {
		if (r == REQ_ENTER && s->focus == 0)
			s->focus = 1;
		else if (r == REQ_ENTER)
			ship_begin(ui, s);
		else if (r == REQ_NEXT || r == REQ_UP || r == REQ_DOWN)
			s->focus = !s->focus;
		else
			return view_field_req(s->focus ? &s->number : &s->inn,
					      r);
		return true;
	}
	if (r == REQ_FINISH) {
		ui_confirm(ui, ASK_FINISH, ngettext("Finish shipment %lld: %d "
			   "unit leaves?", "Finish shipment %lld: %d units "
			   "leave?", s->cur.units), (long long)s->cur.id,
			   s->cur.units);
		return true;
	}
	if (r == REQ_BACK || r == REQ_QUIT) {
		ui_command(ui, "cancel", &res, NULL, NULL, NULL);
		/* cancel drops a shipment with nothing on it */
		if (s->cur.codes == 0)
			ui_info(ui, _("Nothing was on shipment %lld: it is "
				      "dropped."), (long long)s->cur.id);
		else
			ui_info(ui, "%s", _("The shipment is kept open in the "
					    "database: open it again from "
					    "the open work (o) to go on."));
	}
	return false;
}

static bool
ship_char(struct ui *ui, void *p, const char *utf8)
{
	struct ship *s = p;

	(void)ui;
	return !s->scanning &&
		view_field_char(s->focus ? &s->number : &s->inn, utf8);
}

static bool
ship_text(void *p)
{
	return !((struct ship *)p)->scanning;
}

static void
ship_scan(struct ui *ui, void *p, const struct scan *sc)
{
	struct ship *s = p;
	struct wf_result r;
	char note[64];
	int before = s->cur.units;

	if (!s->scanning) {
		/* A scanned INN or document number fills the field. */
		struct view_field *f = s->focus ? &s->number : &s->inn;

		if (sc->len >= sizeof(f->text) ||
		    memchr(sc->bytes, ' ', sc->len) != NULL) {
			ui_error(ui, _("Open the shipment first: INN, "
				       "document number, Enter."));
			return;
		}
		memcpy(f->text, sc->bytes, sc->len);
		f->text[sc->len] = '\0';
		if (s->focus == 0)
			s->focus = 1;
		else
			ship_begin(ui, s);
		ui->dirty = true;
		return;
	}
	wf_scan(&ui->wf, sc->bytes, sc->len, &r);
	if (r.rc < 0) {
		view_recent_add(ui->db, s->recent, &s->nrecent,
				false, sc, r.err.msg);
		ui_error(ui, r.err.msg);
		return;
	}
	if (r.what != WF_SHIP_INFO) {	/* a command barcode */
		s->scanning = ui->wf.mode == WF_SHIP;
		ui_ok(ui, _("Done: %s"), r.command);
		return;
	}
	s->cur = r.ship;
	s->scanning = ui->wf.mode == WF_SHIP;
	if (!s->scanning) {	/* SKLAD:SHIP_FINISH */
		ui_ok(ui, _("Done: %s"), r.command);
		return;
	}
	/* This scan's own units: the shipment's count grew by them. */
	snprintf(note, sizeof(note), ngettext("%d unit", "%d units",
		 r.ship.units - before), r.ship.units - before);
	view_recent_add(ui->db, s->recent, &s->nrecent, true, sc, note);
	ui_ok(ui, _("OK: %d on the shipment"), s->cur.codes);
}

static void
ship_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct ship *s = p;
	int y = view_frame(ui, _("Shipment"), s->scanning ?
			   _("f/F9: finish  Esc: leave for now") :
			   _("Tab: field  Enter: open  Esc: menu"), rows, cols);
	char num[16];

	if (!s->scanning) {
		/* Narrow screens put each field under its label. */
		int fx = cols >= 60 ? 28 : 4, fy = cols >= 60 ? 0 : 1;

		ui_put(y, 2, 26, UI_BOLD, false, _("Receiver INN"));
		view_field_draw(&s->inn, y + fy, fx, 14, s->focus == 0);
		ui_put(y + 2 + fy, 2, 26, UI_BOLD, false,
		       _("Document number"));
		view_field_draw(&s->number, y + 2 + 2 * fy, fx, cols - fx - 2 <
				30 ? cols - fx - 2 : 30, s->focus == 1);
		y += 2 * fy;
		if (s->done[0] != '\0')
			ui_put(y + 4, 2, cols - 4, UI_NORMAL, false, s->done);
		return;
	}
	ui_putf(y++, 2, cols - 4, UI_BOLD, _("Shipment %lld to %s, document "
		"%s"), (long long)s->cur.id, s->cur.receiver_inn,
		s->cur.number);
	snprintf(num, sizeof(num), "%d", s->cur.codes);
	if (rows - y >= 12) {
		ui_big(y, 2, num);
		y += 6;
	}
	ui_putf(y++, 2, cols - 4, UI_NORMAL, _("Scanned: %d  Units in "
		"them: %d"), s->cur.codes, s->cur.units);
	if (s->nrecent > 0 && y < rows - 2) {
		ui_put(y++, 2, cols - 4, UI_DIM, false, _("Last scans:"));
		view_recent_draw(s->recent, s->nrecent, y, rows, cols);
	}
}

const struct view_ops view_ship = {
	.name = "ship",
	.private_size = sizeof(struct ship),
	.open = ship_open,
	.draw = ship_draw,
	.on_req = ship_req,
	.on_char = ship_char,
	.on_scan = ship_scan,
	.takes_text = ship_text,
	.on_confirm = ship_confirm,
};
