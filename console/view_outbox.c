/*
 * view_outbox: the documents waiting for, sent to, or answered by the
 * state system: each with its full type in plain words, the pack or
 * document number it is about, when it was made and its state; Enter
 * shows one in full: the server's number and reason, attempts, and what
 * it waits for. Read-only; r reads again.
 *
 * What it must not do: send, cancel or change documents.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console/ui.h"

#define DOCS_MAX 200

struct outbox {
	struct st_doc docs[DOCS_MAX];
	int n, total, top, sel;
	bool detail;		/* Enter: the chosen document in full */
};

/* Document types in the operator's words. */
static const struct {
	const char *type, *name;
} types[] = {
	{ "AGGREGATION_DOCUMENT", N_("Aggregation") },
	{ "DISAGGREGATION_DOCUMENT", N_("Disaggregation") },
	{ "REAGGREGATION_DOCUMENT", N_("Reaggregation") },
	{ "LP_ACCEPT_GOODS", N_("Acceptance") },
	{ "LP_SHIP_GOODS", N_("Shipment") },
	{ "STOCK_LOAD", N_("Stock loaded (not sent)") },
};

static const char *
type_name(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].type, type) == 0)
			return _(types[i].name);
	return type;
}

static int
collect(void *arg, const struct st_doc *d)
{
	struct outbox *o = arg;

	o->total++;
	if (o->n == DOCS_MAX) {	/* keep the newest */
		memmove(o->docs, o->docs + 1, sizeof(o->docs[0]) *
			(DOCS_MAX - 1));
		o->n--;
	}
	o->docs[o->n++] = *d;
	return 0;
}

static void
outbox_load(struct ui *ui, struct outbox *o)
{
	struct wf_result r;

	o->n = o->total = 0;
	ui_command(ui, "docs", &r, NULL, collect, o);
	o->sel = o->n > 0 ? o->n - 1 : 0;
}

static void
outbox_open(struct ui *ui, void *p, int arg)
{
	(void)arg;
	outbox_load(ui, p);
}

static bool
outbox_req(struct ui *ui, void *p, enum req r)
{
	struct outbox *o = p;

	switch (r) {
	case REQ_REFRESH:
		outbox_load(ui, o);
		return true;
	case REQ_UP:
		o->sel -= o->sel > 0;
		return true;
	case REQ_DOWN:
		o->sel += o->sel < o->n - 1;
		return true;
	case REQ_ENTER:
		o->detail = o->n > 0;
		return true;
	case REQ_BACK:
	case REQ_QUIT:
		if (!o->detail)
			return false;
		o->detail = false;	/* back to the list, not the menu */
		return true;
	default:
		return false;
	}
}

/* Its state as the operator reads it: "to export" and blocked are
 * states of their own here, though the store keeps them as pending. */
static const char *
state_text(const struct st_doc *d)
{
	if (d->held && strcmp(d->state, "pending") == 0)
		return _("to export");
	if (strcmp(d->state, "pending") == 0 && d->blocked_by != 0)
		return _("blocked: needs a person");
	return view_word(d->state);
}

/* Does it need a person (drawn in the error colour)? */
static bool
needs_person(const struct st_doc *d)
{
	return d->blocked_by != 0 ||
		strcmp(d->state, "rejected") == 0 ||
		strcmp(d->state, "failed") == 0;
}

/* What the document waits for now, in one line. */
static const char *
waits_for(const struct st_doc *d, char *buf, size_t n)
{
	if (d->held && strcmp(d->state, "exported") == 0) {
		char at[32];

		view_local_time(d->exported_at, false, at, sizeof(at));
		snprintf(buf, n, _("Exported into %s at %s: the ERP puts "
			 "the codes into its УПД."), d->export_file, at);
	}
	else if (d->held && strcmp(d->state, "pending") == 0)
		snprintf(buf, n, "%s", _("To export: for this product group "
			 "the goods pass with a УПД through an EDO operator; "
			 "`sklad export` writes its codes for the ERP."));
	else if (strcmp(d->state, "pending") == 0 && d->blocked_by != 0)
		snprintf(buf, n, _("Blocked: it waits for document %lld, "
			 "which needs a person."), (long long)d->blocked_by);
	else if (strcmp(d->state, "pending") == 0 && d->waits_for != 0)
		snprintf(buf, n, _("Waits for document %lld to be accepted "
			 "first, then it is sent."), (long long)d->waits_for);
	else if (strcmp(d->state, "pending") == 0)
		snprintf(buf, n, "%s", _("Waits to be sent (sklad sync, or "
			 "the console with --sync-config)."));
	else if (strcmp(d->state, "submitted") == 0)
		snprintf(buf, n, "%s", _("Sent: waits for the state system's "
			 "answer."));
	else if (strcmp(d->state, "confirmed") == 0)
		snprintf(buf, n, "%s", _("Done: the state system accepted "
			 "it."));
	else
		snprintf(buf, n, "%s", _("Needs a person: read the reason and "
			 "fix the cause; a supervisor sends it again with "
			 "'outbox retry N' (sklad exec)."));
	return buf;
}

/* One line per field; the reason may take several. */
static void
draw_detail(const struct st_doc *d, int y, int rows, int cols)
{
	char at[32], buf[256];

	view_local_time(d->created_at, false, at, sizeof(at));
	ui_putf(y++, 1, cols - 2, UI_BOLD, _("Document %lld: %s (%s)"),
		(long long)d->id, type_name(d->type), d->type);
	if (d->subject[0] != '\0' && y < rows - 1)
		ui_putf(y++, 1, cols - 2, UI_NORMAL, _("About: %s"),
			d->subject);
	if (y < rows - 1)
		ui_putf(y++, 1, cols - 2, UI_NORMAL, ngettext("Made %s, %d "
			"code", "Made %s, %d codes", d->codes), at, d->codes);
	if (y < rows - 1)
		ui_putf(y++, 1, cols - 2, UI_BOLD, _("State: %s"),
			state_text(d));
	if (y < rows - 1)
		ui_put(y++, 1, cols - 2, UI_NORMAL, false,
		       waits_for(d, buf, sizeof(buf)));
	if (d->server_id[0] != '\0' && y < rows - 1)
		ui_putf(y++, 1, cols - 2, UI_NORMAL, _("Its number there: %s"),
			d->server_id);
	if (y < rows - 1)
		ui_putf(y++, 1, cols - 2, UI_NORMAL, ngettext("%d attempt to "
			"send", "%d attempts to send", d->attempts),
			d->attempts);
	if (d->last_error[0] != '\0' && y < rows - 1) {
		const char *p = d->last_error;
		int w = cols - 2 > 10 ? cols - 2 : 10;

		ui_put(y++, 1, cols - 2, UI_BOLD, false, _("The reason:"));
		for (; *p != '\0' && y < rows - 1; y++) {
			int len = (int)strlen(p) < w ? (int)strlen(p) : w;

			ui_putf(y, 1, cols - 2, UI_ERR, "%.*s", len, p);
			p += len;
		}
	}
}

static void
outbox_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct outbox *o = p;
	int y = view_frame(ui, _("Outbox"), o->detail ? _("Esc: back to the "
			   "list") : _("Up/Down: choose  Enter: details  r: "
			   "read again  Esc: menu"), rows, cols);
	int lines, i;
	char at[32];

	if (ui->sync_status[0] != '\0' && y < rows - 1)
		ui_putf(y++, 1, cols - 2, UI_DIM, _("Sync: %s"),
			ui->sync_status);
	if (o->n == 0) {
		ui_put(y, 2, cols - 4, UI_NORMAL, false,
		       _("No documents yet."));
		return;
	}
	if (o->detail) {
		draw_detail(&o->docs[o->sel], y, rows, cols);
		return;
	}
	lines = rows - 1 - y;
	if (o->sel < o->top)
		o->top = o->sel;
	if (lines > 0 && o->sel >= o->top + lines)
		o->top = o->sel - lines + 1;
	for (i = o->top; i < o->n && y < rows - 1; i++, y++) {
		const struct st_doc *d = &o->docs[i];
		enum ui_attr a = i == o->sel ? UI_SEL : UI_NORMAL;

		const char *s = state_text(d);
		int w = cols >= 60 ? ui_width(s) : 0;

		view_local_time(d->created_at, false, at, sizeof(at));
		ui_put(y, 0, cols, a, true, "");
		/* id, time, what and about what, cut before the state on the
		 * right, which never gets written over */
		ui_putf(y, 1, cols - 2 - (w > 0 ? w + 1 : 0), a,
			"%4lld %s %s %s", (long long)d->id, at,
			type_name(d->type), d->subject);
		if (w > 0)
			ui_put(y, cols - w - 1, w, needs_person(d) ? UI_ERR : a,
			       false, s);
	}
}

const struct view_ops view_outbox = {
	.name = "outbox",
	.private_size = sizeof(struct outbox),
	.open = outbox_open,
	.draw = outbox_draw,
	.on_req = outbox_req,
};
