/*
 * view_lookup: "where is this code, and what happened to it": scan it or
 * type it; shows its state, its chain of packs, and its history.
 *
 * What it must not do: change anything.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console/ui.h"
#include "console/ui_label.h"

#define HISTORY_MAX 64

struct lookup {
	struct view_field code;
	bool have;
	struct st_where where;
	char history[HISTORY_MAX][160];
	bool refused[HISTORY_MAX];	/* a refused attempt, not an act */
	int nhistory, more;
	char unknown[ERR_MSG_MAX];	/* the answer for an unknown code */
	char note[ERR_MSG_MAX];		/* what the deliveries say of it */
};

static int
collect(void *arg, const struct st_event *ev)
{
	struct lookup *l = arg;
	char when[32];

	if (l->nhistory == HISTORY_MAX) {
		memmove(l->history, l->history + 1,
			sizeof(l->history[0]) * (HISTORY_MAX - 1));
		memmove(l->refused, l->refused + 1,
			sizeof(l->refused[0]) * (HISTORY_MAX - 1));
		l->nhistory--;
		l->more++;
	}
	view_local_time(ev->at, true, when, sizeof(when));
	l->refused[l->nhistory] = !ev->ok;
	/* A refusal must never read as if it happened: it says so first,
	 * then what was tried and why not. */
	if (ev->ok)
		snprintf(l->history[l->nhistory++], sizeof(l->history[0]),
			 "%s %-8.64s %s%s%s", when, ev->user,
			 view_word(ev->action), ev->pack[0] != '\0' ? " " : "",
			 ev->pack);
	else
		snprintf(l->history[l->nhistory++], sizeof(l->history[0]),
			 _("%s %-8s refused: %s%s%s: %s"), when, ev->user,
			 view_word(ev->action), ev->pack[0] != '\0' ? " " :
			 "", ev->pack, ev->reason != NULL ? ev->reason : "");
	return 0;
}

/* What the deliveries say of a code not in stock, in one sentence. */
static void
delivery_note(const struct st_where_delivery *d, char *out, size_t n)
{
	char verdict[160] = "";

	out[0] = '\0';
	if (d->scanned_in != 0)
		snprintf(verdict, sizeof(verdict), _("Scanned at the "
			 "acceptance of delivery %lld: %s."),
			 (long long)d->scanned_in, view_word(d->verdict));
	if (d->expected_in != 0)
		snprintf(out, n, d->found ? _("Expected in delivery %lld (%s), "
			 "found at its acceptance. %s") : _("Expected in "
			 "delivery %lld (%s), not found at its acceptance yet. "
			 "%s"), (long long)d->expected_in, d->number, verdict);
	else
		snprintf(out, n, "%s", verdict);
}

static void
lookup_run(struct ui *ui, struct lookup *l, const char *word)
{
	struct wf_result r;
	char line[UI_TEXT_MAX * 4 + 8];

	l->have = false;
	l->unknown[0] = '\0';
	l->note[0] = '\0';
	l->nhistory = l->more = 0;
	snprintf(line, sizeof(line), "where %s", word);
	wf_command(&ui->wf, line, &r, collect, NULL, l);
	ui->dirty = true;
	if (r.rc == ERR_NOTFOUND) {
		/* Looking up is asking: an unknown code is an answer, not an
		 * error to acknowledge. */
		delivery_note(&r.delivery_note, l->note, sizeof(l->note));
		/* Scanned at an acceptance is scanned: only not in stock. */
		snprintf(l->unknown, sizeof(l->unknown), "%s",
			 l->note[0] != '\0' ? _("Not in stock here.") :
			 r.err.msg);
		ui_info(ui, "%s", r.err.msg);
		return;
	}
	if (r.rc < 0) {
		ui_error(ui, r.err.msg);
		return;
	}
	l->where = r.where;
	l->have = true;
	ui_info(ui, _("%s: %s"), r.where.code, view_word(r.where.state));
}

static bool
lookup_req(struct ui *ui, void *p, enum req r)
{
	struct lookup *l = p;

	if (r == REQ_ENTER && l->code.text[0] != '\0') {
		lookup_run(ui, l, l->code.text);
		l->code.text[0] = '\0';
		return true;
	}
	if (r == REQ_LABEL) {
		/* the pack looked up, or the pack the code is in */
		bool pack = strcmp(l->where.kind, "box") == 0 ||
			    strcmp(l->where.kind, "pallet") == 0;
		const char *sscc = !l->have ? NULL : pack ? l->where.code :
				   l->where.nparents > 0 ?
				   l->where.parents[0] : NULL;

		if (sscc == NULL)
			ui_error(ui, _("Look up a box or pallet (or a code in "
				       "one) first: its label is printed."));
		else if (ui->labels == NULL)
			ui_error(ui, _("No label printer: start sklad with "
				       "--labels-config FILE."));
		else {
			ui_label_pack(ui, sscc, "reprint");
			ui_info(ui, _("Label of %s queued."), sscc);
		}
		return true;
	}
	return view_field_req(&l->code, r);
}

static bool
lookup_char(struct ui *ui, void *p, const char *utf8)
{
	(void)ui;
	return view_field_char(&((struct lookup *)p)->code, utf8);
}

static bool
lookup_text(void *p)
{
	(void)p;
	return true;
}

static void
lookup_scan(struct ui *ui, void *p, const struct scan *s)
{
	char word[SCAN_MAX * 4];

	if (!view_code_word(s->bytes, s->len, word, sizeof(word))) {
		ui_error(ui, _("This scan cannot be read as a code."));
		return;
	}
	lookup_run(ui, p, word);
}

static void
lookup_draw_text(struct ui *ui, struct lookup *l, int rows, int cols);

/* The text, and over its right side a pack's label symbol as printed. */
static void
lookup_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct lookup *l = p;

	lookup_draw_text(ui, l, rows, cols);
	if (l->have && cols >= 70 && (strcmp(l->where.kind, "box") == 0 ||
				      strcmp(l->where.kind, "pallet") == 0))
		ui_label_preview_sscc(l->where.code, 4, cols - 22, rows - 5);
}

static void
lookup_draw_text(struct ui *ui, struct lookup *l, int rows, int cols)
{
	int y = view_frame(ui, _("Look up a code"), _("Scan, or type a code "
			   "and Enter  F11: label  Esc: menu"), rows, cols);
	int i, first;

	ui_put(y, 2, 6, UI_BOLD, false, _("Code"));
	view_field_draw(&l->code, y, 8, cols - 10, true);
	y += 2;
	if (!l->have && l->unknown[0] != '\0')
		ui_put(y++, 2, cols - 4, UI_BOLD, false, l->unknown);
	if (!l->have && l->note[0] != '\0') {
		const char *t = l->note;
		char line[ERR_MSG_MAX];

		for (; *t != '\0' && y < rows - 1; y++) {
			size_t len = ui_wrap_len(t, cols - 4);

			snprintf(line, sizeof(line), "%.*s", (int)len, t);
			ui_put(y, 2, cols - 4, UI_NORMAL, false, line);
			t += len;
		}
	}
	if (!l->have)
		return;
	ui_putf(y++, 2, cols - 4, UI_BOLD, "%s", l->where.code);
	if (l->where.gtin[0] != '\0')
		ui_putf(y++, 2, cols - 4, UI_NORMAL, _("Product: %s (GTIN %s)"),
			l->where.product[0] != '\0' ? l->where.product :
			_("not in the catalogue"), l->where.gtin);
	ui_putf(y++, 2, cols - 4, UI_NORMAL, _("Kind: %s  State: %s"),
		view_word(l->where.kind), view_word(l->where.state));
	if (l->where.children > 0)
		ui_putf(y++, 2, cols - 4, UI_NORMAL, _("Inside it: %d"),
			l->where.children);
	if (l->where.accepting_in != 0)
		ui_putf(y++, 2, cols - 4, UI_NORMAL, _("Scanned at the "
			"acceptance of delivery %lld: %s."),
			(long long)l->where.accepting_in,
			view_word(l->where.verdict));
	else if (l->where.nparents == 0)
		ui_put(y++, 2, cols - 4, UI_NORMAL, false,
		       _("In no pack."));
	for (i = 0; i < l->where.nparents && y < rows - 3; i++)
		ui_putf(y++, 2, cols - 4, UI_NORMAL, _("In %s"),
			l->where.parents[i]);
	if (y >= rows - 2)
		return;
	ui_put(y++, 2, cols - 4, UI_DIM, false, _("History:"));
	first = l->nhistory - (rows - 1 - y);
	first = first < 0 ? 0 : first;
	for (i = first; i < l->nhistory && y < rows - 1; i++)
		ui_put(y++, 2, cols - 4, l->refused[i] ? UI_ERR : UI_NORMAL,
		       false, l->history[i]);
}

const struct view_ops view_lookup = {
	.name = "lookup",
	.private_size = sizeof(struct lookup),
	.draw = lookup_draw,
	.on_req = lookup_req,
	.on_char = lookup_char,
	.on_scan = lookup_scan,
	.takes_text = lookup_text,
};
