/*
 * view_accept: acceptance of an incoming delivery. Choose the delivery
 * from the list (Up/Down, Enter) or type its number, scan its SSCCs or
 * units, watch matched / expected, the acceptance deadline (red once
 * passed), and the missing and surplus lists (Tab switches, Up/Down
 * scroll; read a page at a time from the store), then finish in full or
 * in part.
 *
 * What it must not do: finish without a yes to its question (a key from
 * a stalled scan must never finish), or pass a discrepancy off as OK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/ui.h"

#define DELIVERIES_MAX 100	/* the newest, in the chooser */
#define PAGE_MAX 24		/* rows of a list read at a time */

/* A list of codes read a page at a time: missing or surplus. */
struct page {
	struct st_accept_code rows[PAGE_MAX];
	int n, offset;
};

struct accept {
	bool scanning;		/* a delivery is open */
	struct view_field number;
	struct st_delivery_row list[DELIVERIES_MAX];
	int nlist, sel, top;
	struct st_delivery_row cur;	/* the open delivery, from the list */
	struct st_accept_progress prog;
	bool finished;
	struct page missing, surplus;
	bool focus_surplus;	/* Up/Down scroll the surplus list */
	struct ui_recent recent[UI_RECENT_MAX];
	int nrecent;
};

static int
collect(void *arg, const struct st_delivery_row *d)
{
	struct accept *a = arg;

	if (a->nlist == DELIVERIES_MAX)
		return 1;
	a->list[a->nlist++] = *d;
	return 0;
}

/* Read the deliveries again. */
static void
load_list(struct ui *ui, struct accept *a)
{
	struct err e;

	a->nlist = 0;
	if (st_deliveries(ui->db, collect, a, &e) < 0)
		ui_error(ui, e.msg);
	if (a->sel >= a->nlist)
		a->sel = a->nlist > 0 ? a->nlist - 1 : 0;
}

/* Read both lists of the open delivery at their offsets. */
static void
load_pages(struct ui *ui, struct accept *a)
{
	int64_t id = a->prog.delivery_id;
	struct err e;

	if (st_accept_missing(ui->db, id, a->missing.offset, PAGE_MAX,
			      a->missing.rows, &a->missing.n, &e) < 0 ||
	    st_accept_surplus(ui->db, id, a->surplus.offset, PAGE_MAX,
			      a->surplus.rows, &a->surplus.n, &e) < 0)
		ui_error(ui, e.msg);
}

/* The open delivery's row (number, deadline) from a fresh list. */
static void
load_current(struct ui *ui, struct accept *a)
{
	int i;

	load_list(ui, a);
	memset(&a->cur, 0, sizeof(a->cur));
	for (i = 0; i < a->nlist; i++)
		if (a->list[i].id == a->prog.delivery_id)
			a->cur = a->list[i];
}

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

/* A refusal in one sentence that says what to do with the item. */
static const char *
verdict_advice(const char *v)
{
	if (strcmp(v, "duplicate") == 0)
		return _("Already scanned: it is counted once. Put it with the "
			 "rest and scan the next one.");
	if (strcmp(v, "wrong_item") == 0)
		return _("A product this delivery does not have: set it aside "
			 "for the supervisor, it is listed as surplus.");
	return _("Not in this delivery (surplus): set it aside for the "
		 "supervisor, it is listed as surplus.");
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
	a->nrecent = 0;	/* the last delivery's lines do not linger */
	a->missing.offset = a->surplus.offset = 0;
	a->focus_surplus = false;
	load_current(ui, a);
	load_pages(ui, a);
	ui_ok(ui, _("Delivery %s: scan its packs or units."), number);
}

static void
accept_open(struct ui *ui, void *p, int arg)
{
	struct accept *a = p;
	char num[32];

	load_list(ui, a);
	if (ui->wf.mode == WF_ACCEPT || arg > 0) {
		snprintf(num, sizeof(num), "%lld", arg > 0 ? (long long)arg :
			 (long long)ui->wf.delivery);
		accept_begin(ui, a, num);
	} else if (ui->wf.mode == WF_PACK) {
		view_offer_pack(ui);
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
	load_list(ui, a);
	ui_ok(ui, partial ? _("Acceptance finished in part: the document "
			      "is in the outbox.") :
	      _("Acceptance finished: the document is in the outbox."));
}

/* Keys while choosing the delivery. */
static bool
choose_req(struct ui *ui, struct accept *a, enum req r)
{
	char num[32];

	switch (r) {
	case REQ_ENTER:
		if (a->number.text[0] != '\0') {
			accept_begin(ui, a, a->number.text);
		} else if (a->nlist > 0) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)a->list[a->sel].id);
			accept_begin(ui, a, num);
		}
		return true;
	case REQ_UP:
		a->sel -= a->sel > 0;
		return true;
	case REQ_DOWN:
		a->sel += a->sel < a->nlist - 1;
		return true;
	case REQ_REFRESH:
		load_list(ui, a);
		return true;
	default:
		return view_field_req(&a->number, r);
	}
}

/* Scroll the focused list by d rows within its length. */
static void
scroll(struct ui *ui, struct accept *a, int d)
{
	struct page *pg = a->focus_surplus ? &a->surplus : &a->missing;
	int total = a->focus_surplus ? a->prog.surplus + a->prog.wrong_item :
		a->prog.missing;

	if (pg->offset + d < 0 || pg->offset + d >= total)
		return;
	pg->offset += d;
	load_pages(ui, a);
}

enum { ASK_FINISH = 1, ASK_PARTIAL };

static void
accept_confirm(struct ui *ui, void *p, int token)
{
	struct accept *a = p;

	if (token == VIEW_GOTO_PACK) {
		view_goto_pack(ui);	/* pops this view: a is gone */
		return;
	}
	if (a->scanning && (token == ASK_FINISH || token == ASK_PARTIAL))
		accept_finish(ui, a, token == ASK_PARTIAL);
}

static bool
accept_req(struct ui *ui, void *p, enum req r)
{
	struct accept *a = p;
	struct wf_result res;

	if (!a->scanning)
		return choose_req(ui, a, r);
	switch (r) {
	case REQ_NEXT:
		a->focus_surplus = !a->focus_surplus;
		return true;
	case REQ_UP:
	case REQ_DOWN:
		scroll(ui, a, r == REQ_UP ? -1 : 1);
		return true;
	case REQ_REFRESH:
		load_current(ui, a);
		load_pages(ui, a);
		return true;
	case REQ_FINISH:
		ui_confirm(ui, ASK_FINISH, _("Finish the acceptance of "
			   "delivery %lld with %d of %d matched?"),
			   (long long)a->prog.delivery_id, a->prog.matched,
			   a->prog.matched + a->prog.missing);
		return true;
	case REQ_PARTIAL:
		ui_confirm(ui, ASK_PARTIAL, ngettext("Finish in part: %d "
			   "missing code will be rejected. Finish?",
			   "Finish in part: %d missing codes will be "
			   "rejected. Finish?", a->prog.missing),
			   a->prog.missing);
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
	char note[96];

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
		view_recent_add(ui->db, a->recent, &a->nrecent,
				false, s, r.err.msg);
		ui_error(ui, r.err.msg);
		return;
	}
	if (r.what != WF_ACCEPT_INFO) {
		a->scanning = ui->wf.mode == WF_ACCEPT;	/* a command code */
		ui_ok(ui, _("Done: %s"), r.command);
		return;
	}
	a->prog = r.accept;
	if (a->missing.offset >= a->prog.missing)
		a->missing.offset = 0;
	load_pages(ui, a);
	/* The line says what this scan counted: a pack counts its codes. */
	if (strcmp(r.accept.verdict, "matched") == 0)
		snprintf(note, sizeof(note), ngettext("matched: %d code",
			 "matched: %d codes", r.accept.units), r.accept.units);
	else
		snprintf(note, sizeof(note), "%s",
			 verdict_text(r.accept.verdict));
	view_recent_add(ui->db, a->recent, &a->nrecent,
			strcmp(r.accept.verdict, "matched") == 0, s, note);
	if (strcmp(r.accept.verdict, "matched") == 0) {
		ui_ok(ui, ngettext("Matched: %d code.", "Matched: %d codes.",
				   r.accept.units), r.accept.units);
		return;
	}
	ui_error(ui, verdict_advice(r.accept.verdict));
}

/* One list in a column: its title with the range shown, then rows. */
static void
draw_page(const struct page *pg, int total, bool focus, const char *title,
	  int y, int x, int w, int rows)
{
	char head[128];
	int i;

	if (w < 8 || y >= rows - 1)
		return;
	if (total > 0)
		snprintf(head, sizeof(head), "%s %d-%d / %d", title,
			 pg->offset + 1, pg->offset + pg->n, total);
	else
		snprintf(head, sizeof(head), "%s 0", title);
	ui_put(y++, x, w, focus ? UI_SEL : UI_DIM, true, head);
	for (i = 0; i < pg->n && y < rows - 1; i++, y++)
		ui_putf(y, x, w, pg->rows[i].top || pg->rows[i].verdict[0] ?
			UI_NORMAL : UI_DIM, "%s%s",
			pg->rows[i].verdict[0] != '\0' ?
			(strcmp(pg->rows[i].verdict, "wrong_item") == 0 ?
			 "! " : "+ ") : pg->rows[i].top ? "" : "  ",
			pg->rows[i].code);
}

static void
draw_progress(const struct accept *a, int y, int rows, int cols)
{
	const struct st_accept_progress *g = &a->prog;
	int half = cols / 2;
	char num[32];

	snprintf(num, sizeof(num), "%d/%d", g->matched,
		 g->matched + g->missing);
	if (rows - y >= 18 && (int)strlen(num) * 4 + 4 < cols) {
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
	if (y >= rows - 2)
		return;
	if (a->nrecent > 0 && rows - y >= 8) {
		view_recent_draw(a->recent, 1, y++, rows, cols);
	}
	if (cols < 64) {	/* no room for two: the focused one */
		if (a->focus_surplus)
			draw_page(&a->surplus, g->surplus + g->wrong_item,
				  true, _("Surplus"), y, 1, cols - 2, rows);
		else
			draw_page(&a->missing, g->missing, true,
				  _("Missing"), y, 1, cols - 2, rows);
		return;
	}
	draw_page(&a->missing, g->missing, !a->focus_surplus,
		  _("Missing"), y, 1, half - 2, rows);
	draw_page(&a->surplus, g->surplus + g->wrong_item, a->focus_surplus,
		  _("Surplus"), y, half, cols - half - 1, rows);
}

/* Columns of the chooser: x and width of each, wide and narrow. */
enum { COL_NO, COL_NUMBER, COL_SENDER, COL_STATE, COL_MATCHED,
       COL_DEADLINE, NCOLS };
static const int col_wide[NCOLS][2] = {
	{ 1, 5 }, { 7, 15 }, { 23, 13 }, { 37, 11 }, { 49, 13 }, { 63, 10 },
};
static const int col_narrow[NCOLS][2] = {
	{ 1, 4 }, { 6, 10 }, { 0, 0 }, { 0, 0 }, { 17, 11 }, { 29, 10 },
};

/* One row of the chooser: the texts of each column. */
static void
draw_row(int y, int cols, enum ui_attr attr, enum ui_attr last,
	 const char *const text[NCOLS])
{
	const int (*c)[2] = cols < 74 ? col_narrow : col_wide;
	int i;

	for (i = 0; i < NCOLS; i++)
		if (c[i][1] > 0 && c[i][0] < cols - 1)
			ui_put(y, c[i][0], c[i][0] + c[i][1] < cols - 1 ?
			       c[i][1] : cols - 1 - c[i][0],
			       i == COL_DEADLINE ? last : attr, false,
			       text[i]);
}

/* The chooser's list of deliveries from row y. */
static void
draw_list(struct accept *a, int y, int rows, int cols)
{
	const char *head[NCOLS] = { _("No."), _("Number"), _("Sender"),
				    _("State"), _("Matched"),
				    _("Deadline") };
	int lines = rows - 1 - y - 1, i;

	if (a->nlist == 0) {
		ui_put(y, 2, cols - 4, UI_DIM, false, _("No deliveries yet: "
		       "import one with :delivery import FILE"));
		return;
	}
	draw_row(y++, cols, UI_DIM, UI_DIM, head);
	if (a->sel < a->top)
		a->top = a->sel;
	if (lines > 0 && a->sel >= a->top + lines)
		a->top = a->sel - lines + 1;
	for (i = a->top; i < a->nlist && y < rows - 1; i++, y++) {
		const struct st_delivery_row *d = &a->list[i];
		char no[24], prog[32];
		const char *base = strrchr(d->number, '/');
		const char *text[NCOLS] = { no, base != NULL ? base + 1 :
					    d->number, d->sender_inn,
					    view_word(d->state), prog,
					    d->deadline };
		enum ui_attr at = i == a->sel ? UI_SEL : UI_NORMAL;

		snprintf(no, sizeof(no), "%lld", (long long)d->id);
		snprintf(prog, sizeof(prog), "%d/%d", d->matched,
			 d->expected);
		if (i == a->sel)
			ui_put(y, 0, cols, UI_SEL, true, "");
		draw_row(y, cols, at, d->overdue ? UI_ERR : at, text);
	}
}

/* The deadline line of the open delivery: red once it has passed. */
static void
draw_deadline(const struct accept *a, int y, int cols)
{
	int x;

	if (a->cur.deadline[0] == '\0')
		return;
	x = ui_putf(y, 2, cols - 4, UI_NORMAL, "%s ",
		    _("Accept by:"));
	ui_putf(y, 2 + x, cols - 4 - x, a->cur.overdue ? UI_ERR : UI_BOLD,
		"%s%s", a->cur.deadline, a->cur.overdue ?
		_(" (the deadline has passed)") : "");
}

static void
accept_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct accept *a = p;
	char head[96];
	int x, y = view_frame(ui, _("Acceptance"), a->scanning ?
			   _("f/F9: finish  p/F8: in part  Tab: lists  "
			     "Up/Down: scroll  Esc: leave") :
			   _("Up/Down, Enter: open the delivery  Esc: menu"),
			   rows, cols);

	if (!a->scanning) {
		ui_put(y, 2, cols - 4, UI_NORMAL, false,
		       _("Delivery number (from delivery import):"));
		view_field_draw(&a->number, y + 1, 2, 12, true);
		if (a->finished)
			draw_progress(a, y + 3, rows, cols);
		else
			draw_list(a, y + 3, rows, cols);
		return;
	}
	snprintf(head, sizeof(head), _("Delivery %lld"),
		 (long long)a->prog.delivery_id);
	x = ui_put(y, 2, cols - 4, UI_BOLD, false, head);
	if (a->cur.number[0] != '\0' && 4 + x < cols - 4)
		ui_putf(y, 4 + x, cols - 6 - x, UI_NORMAL, "%s  %s",
			a->cur.number, a->cur.sender_inn);
	y++;
	draw_deadline(a, y++, cols);
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
	.on_confirm = accept_confirm,
};
