/*
 * view_disband: disaggregation. Full: each scanned SSCC is taken apart
 * (a supervisor's right). Partial: scan the pack, then the codes to take
 * out of it (or, in put mode, to put into it).
 *
 * What it must not do: take anything apart without a scan or a key for
 * exactly that pack.
 */
#include <stdio.h>
#include <string.h>

#include "console/ui.h"
#include "console/ui_label.h"

enum dmode { D_FULL, D_TAKE, D_PUT, D_MODES };

struct disband {
	enum dmode mode;
	char sscc[MARK_SSCC_LEN + 1];	/* partial: the pack being changed */
	struct st_pack cur;
	char asked[MARK_SSCC_LEN + 1];	/* full: the pack a yes takes apart */
	struct scan asked_scan;
	struct ui_recent recent[UI_RECENT_MAX];
	int nrecent;
	bool changed;	/* partial: codes went in or out since its label */
};

/* Leaving a pack whose count changed: its label says the new count. */
static void
relabel(struct ui *ui, struct disband *d)
{
	if (d->changed && d->sscc[0] != '\0')
		ui_label_pack(ui, d->sscc, d->mode == D_TAKE ? "take" : "put");
	d->changed = false;
}

static const char *
mode_name(enum dmode m)
{
	switch (m) {
	case D_TAKE: return _("Partial: take codes out of a pack");
	case D_PUT: return _("Partial: put codes into a closed pack");
	default: return _("Full: each scanned pack is taken apart");
	}
}

static bool
disband_req(struct ui *ui, void *p, enum req r)
{
	struct disband *d = p;

	if (r == REQ_MODE || r == REQ_NEW || r == REQ_BACK || r == REQ_QUIT)
		relabel(ui, d);
	if (r == REQ_MODE) {
		d->mode = (d->mode + 1) % D_MODES;
		d->sscc[0] = '\0';
		ui_info(ui, "%s", mode_name(d->mode));
		return true;
	}
	if (r == REQ_NEW) {
		d->sscc[0] = '\0';
		ui->dirty = true;
		return true;
	}
	return false;
}

enum { ASK_DISBAND = 1 };

/* Full disaggregation cannot be undone: ask, naming the pack. */
static void
ask_disband(struct ui *ui, struct disband *d, const struct scan *s)
{
	struct st_pack pk;
	struct mark m;
	struct err e;

	if (mark_sscc_check(s->bytes, s->len, &m) < 0) {
		ui_error(ui, _("Scan the SSCC label of the box or pallet to "
			       "take apart."));
		return;
	}
	if (st_pack_get(ui->db, m.sscc, &pk, &e) < 0) {
		ui_error(ui, e.msg);
		return;
	}
	snprintf(d->asked, sizeof(d->asked), "%s", m.sscc);
	d->asked_scan = *s;
	ui_confirm(ui, ASK_DISBAND, ngettext("Take %s apart (%d inside)? "
		   "This cannot be undone.", "Take %s apart (%d inside)? "
		   "This cannot be undone.", pk.count), m.sscc, pk.count);
}

static void disband_run(struct ui *ui, struct disband *d,
			const struct scan *s, const char *line);

static void
disband_confirm(struct ui *ui, void *p, int token)
{
	struct disband *d = p;
	char line[MARK_SSCC_LEN + 16];

	if (token != ASK_DISBAND || d->asked[0] == '\0' || d->mode != D_FULL)
		return;
	snprintf(line, sizeof(line), "disband %s", d->asked);
	d->asked[0] = '\0';
	disband_run(ui, d, &d->asked_scan, line);
}

static void
disband_scan(struct ui *ui, void *p, const struct scan *s)
{
	struct disband *d = p;
	char word[SCAN_MAX * 4], line[SCAN_MAX * 4 + 64];
	struct wf_result r;
	struct mark m;

	if (!view_code_word(s->bytes, s->len, word, sizeof(word))) {
		ui_error(ui, _("This scan cannot be read as a code."));
		return;
	}
	if (d->mode == D_FULL) {
		ask_disband(ui, d, s);
		return;
	} else if (d->sscc[0] == '\0') {
		if (mark_sscc_check(s->bytes, s->len, &m) < 0) {
			ui_error(ui, _("Scan the SSCC label of the pack "
				       "first."));
			return;
		}
		relabel(ui, d);
		snprintf(d->sscc, sizeof(d->sscc), "%s", m.sscc);
		if (st_pack_get(ui->db, d->sscc, &d->cur, &r.err) < 0) {
			d->sscc[0] = '\0';
			ui_error(ui, r.err.msg);
			return;
		}
		ui_ok(ui, _("Pack %s: now scan the codes."), d->sscc);
		return;
	} else {
		snprintf(line, sizeof(line), "%s %s %s",
			 d->mode == D_TAKE ? "take" : "put", d->sscc, word);
	}
	disband_run(ui, d, s, line);
}

/* Run the take, put or disband line for scan s and list the result. */
static void
disband_run(struct ui *ui, struct disband *d, const struct scan *s,
	    const char *cmd)
{
	char line[SCAN_MAX * 4 + 64];
	struct wf_result r;

	if (ui_command(ui, cmd, &r, NULL, NULL, NULL) < 0) {
		view_recent_add(ui->db, d->recent, &d->nrecent,
				false, s, r.err.msg);
		return;
	}
	d->cur = r.pack;
	snprintf(line, sizeof(line), d->mode == D_FULL ?
		 _("taken apart") : _("%d left in the pack"), r.pack.count);
	view_recent_add(ui->db, d->recent, &d->nrecent, true, s, line);
	if (d->mode == D_FULL) {
		ui_ok(ui, _("Pack %s taken apart."), r.pack.sscc);
	} else {
		ui_ok(ui, _("OK: %d in %s"), r.pack.count, r.pack.sscc);
		/* its label is printed anew with the count when the
		 * operator leaves the pack (relabel) */
		d->changed = true;
	}
}

static void
disband_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct disband *d = p;
	int y = view_frame(ui, _("Disaggregation"), _("m/F6: full / take "
			   "out / put in  n: another pack  Esc: menu"), rows,
			   cols);

	ui_put(y++, 2, cols - 4, UI_BOLD, false, mode_name(d->mode));
	if (d->mode == D_FULL)
		ui_put(y++, 2, cols - 4, UI_NORMAL, false,
		       _("Scan the SSCC of each box or pallet to take apart."));
	else if (d->sscc[0] == '\0')
		ui_put(y++, 2, cols - 4, UI_NORMAL, false,
		       _("Scan the SSCC label of the pack."));
	else
		ui_putf(y++, 2, cols - 4, UI_NORMAL, _("Pack %s: %d inside, "
			"%s"), d->sscc, d->cur.count, view_word(d->cur.state));
	y++;
	if (d->nrecent > 0) {
		ui_put(y++, 2, cols - 4, UI_DIM, false, _("Last scans:"));
		view_recent_draw(d->recent, d->nrecent, y, rows, cols);
	}
}

const struct view_ops view_disband = {
	.name = "disband",
	.private_size = sizeof(struct disband),
	.draw = disband_draw,
	.on_req = disband_req,
	.on_scan = disband_scan,
	.on_confirm = disband_confirm,
};
