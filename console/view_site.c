/*
 * view_site: the site's settings (set by `sklad init`) and the options
 * for the next pack in this session (set with the ':set' command).
 *
 * What it must not do: change the site's settings.
 */
#include <stdio.h>

#include "console/ui.h"

struct site {
	bool have;
	struct st_site s;
	char why[ERR_MSG_MAX];
};

static void
site_open(struct ui *ui, void *p, int arg)
{
	struct site *v = p;
	struct err e;

	(void)arg;
	v->have = st_site_get(ui->db, &v->s, &e) == 0;
	if (!v->have)
		snprintf(v->why, sizeof(v->why), "%s", e.msg);
}

static void
row(int *y, int cols, const char *label, const char *value)
{
	int w = cols > 60 ? 30 : cols * 3 / 5;

	ui_put(*y, 2, w - 1, UI_DIM, false, label);
	ui_put(*y, 2 + w, cols - w - 4, UI_BOLD, false, value);
	(*y)++;
}

static void
site_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct site *v = p;
	int y = view_frame(ui, _("Site settings"), _(":set capacity N | "
			   "gtin any|single|GTIN | crypto on|off  Esc: menu"),
			   rows, cols);
	char buf[64];

	(void)rows;
	if (!v->have) {
		ui_put(y, 2, cols - 4, UI_ERR, true, v->why);
		return;
	}
	row(&y, cols, _("INN"), v->s.inn);
	row(&y, cols, _("GS1 company prefix"), v->s.gcp);
	snprintf(buf, sizeof(buf), "%d", v->s.extension);
	row(&y, cols, _("SSCC extension digit"), buf);
	row(&y, cols, _("Product group"), v->s.product_group);
	snprintf(buf, sizeof(buf), "%d", v->s.box_capacity);
	row(&y, cols, _("Box capacity (0: none)"), buf);
	snprintf(buf, sizeof(buf), "%d", v->s.pallet_capacity);
	row(&y, cols, _("Pallet capacity (0: none)"), buf);
	row(&y, cols, _("Units need their crypto tail"),
	    v->s.require_crypto ? _("yes") : _("no"));
	row(&y, cols, _("GTINs in one box"), v->s.gtin_policy);
	y++;
	ui_put(y++, 2, cols - 4, UI_DIM, false, _("Next pack in this "
	       "session:"));
	if (ui->wf.next.capacity >= 0)
		snprintf(buf, sizeof(buf), "%d", ui->wf.next.capacity);
	else
		snprintf(buf, sizeof(buf), "%s", _("site default"));
	row(&y, cols, _("Capacity"), buf);
	row(&y, cols, _("GTINs"), ui->wf.next.gtin_policy[0] != '\0' ?
	    ui->wf.next.gtin_policy : _("site default"));
}

static bool
site_req(struct ui *ui, void *p, enum req r)
{
	if (r == REQ_REFRESH) {
		site_open(ui, p, 0);
		return true;
	}
	return false;
}

const struct view_ops view_site = {
	.name = "site",
	.private_size = sizeof(struct site),
	.open = site_open,
	.draw = site_draw,
	.on_req = site_req,
};
