/*
 * view_pack: aggregation: units into a box, boxes onto a pallet. Shows
 * the open pack's SSCC, a large "N / capacity", the last scans, and
 * closes the pack by key or by the SKLAD:CLOSE barcode.
 *
 * What it must not do: decide what a scan means (wf_scan does), or tell
 * the operator OK before the workflow returned.
 */
#include <stdio.h>
#include <string.h>

#include "console/ui.h"
#include "console/ui_label.h"

struct pack {
	enum st_level level;	/* what n / F2 opens */
	bool have;		/* cur is the open pack */
	struct st_pack cur;
	char closed[160];	/* what the last close did */
	char asked[MARK_SSCC_LEN + 1];	/* the pack a close waits on */
	struct ui_recent recent[UI_RECENT_MAX];
	int nrecent;
};

static const char *
level_name(enum st_level l)
{
	return l == ST_BOX ? _("Box") : _("Pallet");
}

/* Show whatever pack the session has open now. */
static void
pack_refresh(struct ui *ui, struct pack *k)
{
	struct err e;

	k->have = ui->wf.mode == WF_PACK && ui->wf.npacks > 0 &&
		st_pack_get(ui->db, ui->wf.packs[ui->wf.npacks - 1], &k->cur,
			    &e) == 0;
	ui->dirty = true;
}

static void
pack_open(struct ui *ui, void *p, int arg)
{
	struct pack *k = p;

	k->level = arg == ST_PALLET ? ST_PALLET : ST_BOX;
	pack_refresh(ui, k);
}

static void
note_closed(struct ui *ui, struct pack *k, const struct st_pack *pk)
{
	snprintf(k->closed, sizeof(k->closed), pk->level == ST_BOX ?
		 _("Box %s closed with %d.") : _("Pallet %s closed with %d."),
		 pk->sscc, pk->count);
	ui_ok(ui, "%s", k->closed);
	ui_label_pack(ui, pk->sscc, "close");
}

static void
run(struct ui *ui, struct pack *k, const char *line)
{
	struct wf_result r;

	if (ui_command(ui, line, &r, NULL, NULL, NULL) < 0)
		return;
	if (r.what == WF_PACK_INFO && strncmp(r.command, "close", 5) == 0) {
		note_closed(ui, k, &r.pack);
	} else if (r.what == WF_PACK_INFO &&
		   strcmp(r.command, "cancel") == 0) {
		snprintf(k->closed, sizeof(k->closed), _("Pack %s cancelled."),
			 r.pack.sscc);
		ui_ok(ui, "%s", k->closed);
	} else if (r.what == WF_NONE && strcmp(r.command, "cancel") == 0) {
		ui_info(ui, "%s", _("No pack is open."));
	} else if (r.what == WF_PACK_INFO) {
		k->nrecent = 0;	/* the last pack's lines do not linger */
		ui_ok(ui, r.pack.level == ST_BOX ? _("Box %s is open: scan "
		      "units into it.") : _("Pallet %s is open: scan boxes "
		      "onto it."), r.pack.sscc);
		/* an SSCC from the site's range has no label yet */
		if (strcmp(line, "box open") == 0 ||
		    strcmp(line, "pallet open") == 0)
			ui_label_pack(ui, r.pack.sscc, "open");
	}
	pack_refresh(ui, k);
}

enum { ASK_CLOSE = 1 };

/*
 * A close by key: a part-full pack is closed only after a yes (a stray
 * 'c' inside a stalled scan must never close a box); a full one closes
 * itself, an empty or missing one is refused by the workflow.
 */
static void
ask_close(struct ui *ui, struct pack *k)
{
	if (!k->have || k->cur.count == 0) {
		run(ui, k, "close");
		return;
	}
	snprintf(k->asked, sizeof(k->asked), "%s", k->cur.sscc);
	if (k->cur.capacity > 0)
		ui_confirm(ui, ASK_CLOSE, k->cur.level == ST_BOX ?
			   _("Close box %s with %d of %d?") :
			   _("Close pallet %s with %d of %d?"), k->cur.sscc,
			   k->cur.count, k->cur.capacity);
	else
		ui_confirm(ui, ASK_CLOSE, k->cur.level == ST_BOX ?
			   _("Close box %s with %d inside?") :
			   _("Close pallet %s with %d inside?"), k->cur.sscc,
			   k->cur.count);
}

static void
pack_confirm(struct ui *ui, void *p, int token)
{
	struct pack *k = p;
	char line[MARK_SSCC_LEN + 16];

	if (token != ASK_CLOSE || k->asked[0] == '\0')
		return;
	snprintf(line, sizeof(line), "close %s", k->asked);
	k->asked[0] = '\0';
	run(ui, k, line);
}

static bool
pack_req(struct ui *ui, void *p, enum req r)
{
	struct pack *k = p;

	switch (r) {
	case REQ_NEW:
		run(ui, k, k->level == ST_BOX ? "box open" : "pallet open");
		return true;
	case REQ_NEW_BOX:
		run(ui, k, "box open");
		return true;
	case REQ_CLOSE:
		ask_close(ui, k);
		return true;
	case REQ_CANCEL:
		/* Only an empty pack: the workflow refuses any other. */
		run(ui, k, "cancel");
		return true;
	case REQ_REFRESH:
		pack_refresh(ui, k);
		return false;
	case REQ_BACK:
	case REQ_QUIT:
		if (k->have)
			ui_info(ui, _("Pack %s stays open: scan its label to "
				      "go on."), k->cur.sscc);
		return false;
	default:
		return false;
	}
}

/* With nothing open, a new SSCC label opens the pack it names. */
static bool
open_by_label(struct ui *ui, struct pack *k, const struct scan *s)
{
	struct mark m;
	char line[64];

	if (ui->wf.mode != WF_IDLE ||
	    mark_sscc_check(s->bytes, s->len, &m) < 0)
		return false;
	if (st_pack_get(ui->db, m.sscc, &(struct st_pack){ 0 },
			&(struct err){ 0 }) == 0)
		return false;	/* known: wf_scan resumes or refuses it */
	snprintf(line, sizeof(line), "%s open %s",
		 k->level == ST_BOX ? "box" : "pallet", m.sscc);
	run(ui, k, line);
	return true;
}

static void
pack_scan(struct ui *ui, void *p, const struct scan *s)
{
	struct pack *k = p;
	struct wf_result r;
	char note[160];

	if (open_by_label(ui, k, s))
		return;
	wf_scan(&ui->wf, s->bytes, s->len, &r);
	if (r.rc < 0) {
		view_recent_add(ui->db, k->recent, &k->nrecent,
				false, s, r.err.msg);
		ui_error(ui, r.err.msg);
		pack_refresh(ui, k);
		return;
	}
	if (r.what == WF_PACK_INFO && (r.pack.closed_now ||
				       strcmp(r.command, "close") == 0)) {
		note_closed(ui, k, &r.pack);
		snprintf(note, sizeof(note), "%s", k->closed);
	} else if (r.what == WF_PACK_INFO) {
		snprintf(note, sizeof(note), "-> %s", r.pack.sscc);
		ui_ok(ui, _("OK: %d in %s"), r.pack.count, r.pack.sscc);
	} else {
		snprintf(note, sizeof(note), "%s", r.command);
		ui_ok(ui, _("Done: %s"), r.command);
	}
	view_recent_add(ui->db, k->recent, &k->nrecent, true, s, note);
	pack_refresh(ui, k);
}

static void
draw_count(const struct pack *k, int y, int rows, int cols)
{
	char num[32];

	if (k->cur.capacity > 0)
		snprintf(num, sizeof(num), "%d/%d", k->cur.count,
			 k->cur.capacity);
	else
		snprintf(num, sizeof(num), "%d", k->cur.count);
	if (rows - y >= 12 && (int)strlen(num) * 4 + 4 < cols)
		ui_big(y, 2, num);
	else
		ui_putf(y, 2, cols - 4, UI_BOLD, "%s %s", _("Count:"), num);
}

static void
pack_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct pack *k = p;
	int y = view_frame(ui, k->level == ST_BOX ? _("Aggregation: box") :
			   _("Aggregation: pallet"), k->level == ST_BOX ?
			   _("n/F2: new box  c/F4: close  x: cancel if empty  "
			     "Esc: menu") :
			   _("n/F2: new pallet  b/F3: box on it  c/F4: close"
			     "  x: cancel if empty  Esc: menu"), rows, cols);
	int big = rows - y >= 12 ? 6 : 1;
	/* the label waiting to be scanned back is drawn on the right, as
	 * printed; the text keeps to the left of it */
	bool preview = ui_label_awaited(ui) != NULL && cols >= 60 &&
		       rows - y >= 10;
	int w = preview ? cols - 22 : cols;

	if (!k->have) {
		ui_put(y, 2, w - 4, UI_BOLD, false, k->level == ST_BOX ?
		       _("No box is open.") : _("No pallet is open."));
		ui_put(y + 1, 2, w - 4, UI_NORMAL, false,
		       _("Scan an SSCC label, or press n for the next SSCC."));
		if (k->closed[0] != '\0')
			ui_put(y + 2, 2, w - 4, UI_DIM, false, k->closed);
		y += 4;
	} else {
		ui_putf(y, 2, w - 4, UI_BOLD, "%s %s",
			level_name(k->cur.level), k->cur.sscc);
		if (k->cur.parent[0] != '\0' && w > 50)
			ui_putf(y, 2 + 10 + MARK_SSCC_LEN, w - 32, UI_DIM,
				_("on %s"), k->cur.parent);
		draw_count(k, y + 1, rows, w);
		y += 1 + big;
	}
	if (ui_label_status(ui)[0] != '\0' && y < rows - 2)
		ui_put(y++, 2, w - 4, ui_label_awaited(ui) != NULL ?
		       UI_BOLD : UI_DIM, false, ui_label_status(ui));
	if (k->nrecent > 0 && y < rows - 2) {
		ui_put(y++, 2, w - 4, UI_DIM, false, _("Last scans:"));
		view_recent_draw(k->recent, k->nrecent, y, rows, w);
	}
	if (preview)
		ui_label_preview(ui, 2, cols - 20, rows - 4);
}

const struct view_ops view_pack = {
	.name = "pack",
	.private_size = sizeof(struct pack),
	.open = pack_open,
	.draw = pack_draw,
	.on_req = pack_req,
	.on_scan = pack_scan,
	.on_confirm = pack_confirm,
};
