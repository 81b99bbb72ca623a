/*
 * view_scanners: the scanners this console reads (evdev devices, FIFOs,
 * the terminal's keyboard wedge), their state and the last scan of each.
 * A scan here is only shown, never recorded: a way to test a scanner.
 *
 * What it must not do: record scans or grab devices (ui_input does).
 */
#include <stdio.h>

#include "console/ui.h"

struct scanners {
	char last[SCAN_DEVICE_MAX + ERR_MSG_MAX + 8];
};

static void
scanners_scan(struct ui *ui, void *p, const struct scan *s)
{
	struct scanners *v = p;
	char code[64];
	struct mark m;
	char why[ERR_MSG_MAX];

	ui_short_code(s->bytes, s->len, code, sizeof(code), 40);
	if (mark_parse(s->bytes, s->len, &m) == 0) {
		snprintf(v->last, sizeof(v->last), _("Reads well: %s"),
			 code);
		ui_ok(ui, "%s", _("The scanner works: this scan was not "
				  "recorded."));
	} else {
		mark_strerror(&m, why, sizeof(why));
		snprintf(v->last, sizeof(v->last), "%s", why);
		ui_info(ui, "%s", why);
	}
}

static void
scanners_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct scanners *v = p;
	int y = view_frame(ui, _("Scanners"), _("Scan to test a scanner "
			   "(not recorded)  Esc: menu"), rows, cols);
	int i;

	if (ui->ndevices == 0)
		ui_put(y++, 2, cols - 4, UI_NORMAL, false,
		       _("No scanner is configured."));
	for (i = 0; i < ui->ndevices && y < rows - 3; i++) {
		const struct ui_device *d = &ui->devices[i];

		ui_putf(y++, 2, cols - 4, UI_BOLD, "%s  [%s]  %s", d->name,
			d->kind, d->state);
		if (d->scans > 0 && y < rows - 3)
			ui_putf(y++, 4, cols - 6, UI_NORMAL,
				ngettext("%d scan, last: %s",
					 "%d scans, last: %s", d->scans),
				d->scans, d->last);
	}
	/* The whole advice ("Turn on FNC1 as GS"), over as many rows as it
	 * takes: cut, it would not say what to do. */
	if (v->last[0] != '\0' && y < rows - 2) {
		const char *t = v->last;
		char line[ERR_MSG_MAX];

		for (y++; *t != '\0' && y < rows - 1; y++) {
			size_t n = ui_wrap_len(t, cols - 4);

			snprintf(line, sizeof(line), "%.*s", (int)n, t);
			ui_put(y, 2, cols - 4, UI_BOLD, false, line);
			t += n;
		}
	}
}

const struct view_ops view_scanners = {
	.name = "scanners",
	.private_size = sizeof(struct scanners),
	.draw = scanners_draw,
	.on_scan = scanners_scan,
};
