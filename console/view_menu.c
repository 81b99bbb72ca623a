/*
 * view_menu: the main menu: one line per workflow screen, chosen by its
 * digit or with the arrows and Enter.
 *
 * What it must not do: run workflow commands itself.
 */
#include <stdio.h>
#include <string.h>

#include "console/ui.h"

/* Role names as the store spells them, for translation. */
static const char *const roles[] __attribute__((unused)) = {
	N_("operator"), N_("supervisor"), N_("admin"),
};

struct menu_item {
	const char *label;
	const struct view_ops *view;
	int arg;
};

static const struct menu_item items[] = {
	{ N_("Pack units into a box"), &view_pack, ST_BOX },
	{ N_("Pack boxes onto a pallet"), &view_pack, ST_PALLET },
	{ N_("Take packs apart"), &view_disband, 0 },
	{ N_("Accept a delivery"), &view_accept, 0 },
	{ N_("Ship"), &view_ship, 0 },
	{ N_("Look up a code"), &view_lookup, 0 },
	{ N_("Outbox: documents to send"), &view_outbox, 0 },
	{ N_("Scanners"), &view_scanners, 0 },
	{ N_("Site settings"), &view_site, 0 },
};

#define NITEMS ((int)(sizeof(items) / sizeof(items[0])))

struct menu {
	int sel;
};

static void
menu_choose(struct ui *ui, int i)
{
	ui_push(ui, items[i].view, items[i].arg);
}

static bool
menu_req(struct ui *ui, void *p, enum req r)
{
	struct menu *m = p;

	switch (r) {
	case REQ_UP:
		m->sel = (m->sel + NITEMS - 1) % NITEMS;
		return true;
	case REQ_DOWN:
		m->sel = (m->sel + 1) % NITEMS;
		return true;
	case REQ_ENTER:
		menu_choose(ui, m->sel);
		return true;
	case REQ_BACK:
		return true;
	default:
		return false;
	}
}

static bool
menu_char(struct ui *ui, void *p, const char *utf8)
{
	struct menu *m = p;
	int i = utf8[0] - '1';

	/* o (щ in the Russian layout): the open work; never a digit, as
	 * codes start with one */
	if (strcmp(utf8, "o") == 0 || keys_latin(utf8) == 'o') {
		ui_push(ui, &view_open, 0);
		return true;
	}
	/* s (ы): a stock count; a letter, as the digits are taken */
	if (strcmp(utf8, "s") == 0 || keys_latin(utf8) == 's') {
		ui_push(ui, &view_count, 0);
		return true;
	}
	if (utf8[1] != '\0' || i < 0 || i >= NITEMS)
		return false;
	m->sel = i;
	menu_choose(ui, i);
	return true;
}

/* A scan on the menu: the label of an open pack resumes it. */
static void
menu_scan(struct ui *ui, void *p, const struct scan *s)
{
	struct wf_result r;

	(void)p;
	if (ui->wf.mode != WF_IDLE) {
		ui_error(ui, _("Scans are taken on a workflow screen: choose "
			       "it in the menu."));
		return;
	}
	wf_scan(&ui->wf, s->bytes, s->len, &r);
	if (r.rc < 0) {
		ui_error(ui, r.err.msg);
		return;
	}
	if (r.what == WF_PACK_INFO) {
		ui_push(ui, &view_pack, r.pack.level);
		ui_ok(ui, _("Pack %s resumed."), r.pack.sscc);
	}
}

static void
menu_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct menu *m = p;
	int y = view_frame(ui, _("sklad: main menu"), _("1-9: choose  o: open "
			   "work  ?: keys  :: command  F12: log out  q: quit"),
			   rows, cols);
	int i, skip = rows - 2 - y < NITEMS ? 0 : 1;
	char line[160];

	for (i = 0; i < NITEMS && y < rows - 1; i++, y += 1 + (skip && i %
							       3 == 2)) {
		snprintf(line, sizeof(line), " %d  %s", i + 1,
			 _(items[i].label));
		ui_put(y, 1, cols - 2, i == m->sel ? UI_SEL : UI_NORMAL, true,
		       line);
	}
	if (y < rows - 1) {
		snprintf(line, sizeof(line), " o  %s",
			 _("Open work: packs, acceptances, shipments"));
		ui_put(y++, 1, cols - 2, UI_NORMAL, true, line);
	}
	if (y < rows - 1) {
		snprintf(line, sizeof(line), " s  %s",
			 _("Stock count: scan a pallet, a box or everything"));
		ui_put(y, 1, cols - 2, UI_NORMAL, true, line);
	}
}

const struct view_ops view_menu = {
	.name = "menu",
	.private_size = sizeof(struct menu),
	.draw = menu_draw,
	.on_req = menu_req,
	.on_char = menu_char,
	.on_scan = menu_scan,
};
