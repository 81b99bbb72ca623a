/*
 * view_common: what several views share: the frame (title, hints), the
 * list of recent scans, one-line text fields, stored times shown in local
 * time (ui.h).
 *
 * What it must not do: run workflow commands.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console/ui.h"

int
view_frame(struct ui *ui, const char *title, const char *hints, int rows,
	   int cols)
{
	char right[ST_NAME_MAX + 32];

	ui_put(0, 0, cols, UI_TITLE, true, title);
	if (ui->wf.logged_in) {
		snprintf(right, sizeof(right), " %s ", ui->wf.who.user);
		if (ui_width(title) + ui_width(right) < cols)
			ui_put(0, cols - ui_width(right), ui_width(right),
			       UI_TITLE, false, right);
	}
	if (hints != NULL && rows > 3)
		ui_put(rows - 1, 0, cols, UI_DIM, true, hints);
	return 2;
}

void
view_offer_pack(struct ui *ui)
{
	const char *sscc = ui->wf.packs[ui->wf.npacks - 1];

	ui_confirm(ui, VIEW_GOTO_PACK, _("Pack %s is open: close it (or "
		   "cancel it if empty) first. Go to it?"), sscc);
}

void
view_goto_pack(struct ui *ui)
{
	struct st_pack p;
	struct err e;

	if (ui->wf.mode != WF_PACK || ui->wf.npacks == 0 ||
	    st_pack_get(ui->db, ui->wf.packs[ui->wf.npacks - 1], &p, &e) < 0)
		return;
	ui_pop(ui);
	ui_push(ui, &view_pack, p.level);
}

void
view_recent_add(struct st_db *db, struct ui_recent *list, int *n, bool ok,
		const struct scan *s, const char *note)
{
	struct mark m;

	memmove(list + 1, list, sizeof(*list) * (UI_RECENT_MAX - 1));
	list[0].ok = ok;
	ui_short_code(s->bytes, s->len, list[0].code, sizeof(list[0].code),
		      31);
	/* What the code is, beside it: the operator reads names. */
	list[0].product[0] = '\0';
	if (mark_parse(s->bytes, s->len, &m) == 0 && m.gtin[0] != '\0')
		st_product_name(db, m.gtin, list[0].product,
				sizeof(list[0].product));
	snprintf(list[0].note, sizeof(list[0].note), "%s", note);
	if (*n < UI_RECENT_MAX)
		(*n)++;
}

int
view_recent_draw(const struct ui_recent *list, int n, int y, int rows,
		 int cols)
{
	int i;

	for (i = 0; i < n && y < rows - 1; i++, y++) {
		int x = ui_put(y, 0, 4, list[i].ok ? UI_OK : UI_ERR, false,
			       list[i].ok ? _(" OK ") : _("ERR "));

		x += ui_put(y, x + 1, cols - x - 1, UI_NORMAL, false,
			    list[i].code) + 2;
		if (list[i].product[0] != '\0' && x < cols)
			x += ui_put(y, x, cols - x < 24 ? cols - x : 24,
				    UI_NORMAL, false, list[i].product) + 2;
		if (x < cols)
			ui_put(y, x, cols - x, list[i].ok ? UI_DIM : UI_BOLD,
			       false, list[i].note);
	}
	return y;
}

bool
view_field_char(struct view_field *f, const char *utf8)
{
	size_t len = strlen(f->text);

	if (len + strlen(utf8) >= sizeof(f->text))
		return false;
	strcat(f->text, utf8);
	return true;
}

bool
view_field_req(struct view_field *f, enum req r)
{
	size_t len = strlen(f->text);

	if (r == REQ_ERASE) {
		while (len > 0 && (f->text[--len] & 0xc0) == 0x80)
			;
		f->text[len] = '\0';
		return true;
	}
	if (r == REQ_KILL) {
		f->text[0] = '\0';
		return true;
	}
	return false;
}

void
view_field_draw(const struct view_field *f, int y, int x, int width,
		bool focus)
{
	char shown[UI_TEXT_MAX + 2];
	size_t i, n = strlen(f->text);
	int w;

	if (f->secret) {
		for (i = 0; i < n && i < sizeof(shown) - 2; i++)
			shown[i] = '*';
		shown[i] = '\0';
	} else {
		snprintf(shown, sizeof(shown), "%s", f->text);
	}
	/* Show the end of a long line, where the typing is. */
	w = ui_width(shown);
	ui_put(y, x, width, focus ? UI_SEL : UI_DIM, true,
	       w < width ? shown : shown + (strlen(shown) -
					     (size_t)(width - 1)));
	if (focus && w < width)
		ui_put(y, x + w, 1, UI_BOLD, false, "_");
}

bool
view_code_word(const char *bytes, size_t len, char *out, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)bytes[i];

		if (o + 5 >= n || c == ' ' || c == '\t' || c == '\n')
			return false;
		if (c == 0x1d) {
			memcpy(out + o, "\\x1d", 4);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o > 0;
}

/* Words the store writes (states, kinds, actions) and how to say them. */
static const struct {
	const char *word, *text;
} store_words[] = {
	{ "in_stock", N_("in stock") }, { "shipped", N_("shipped") },
	{ "accepting", N_("being accepted, not in stock yet") },
	{ "open", N_("open") }, { "closed", N_("closed") },
	{ "submitted", N_("sent, waiting for the answer") },
	{ "confirmed", N_("confirmed by the state system") },
	{ "disbanded", N_("taken apart") }, { "unit", N_("unit") },
	{ "group", N_("group pack") }, { "set", N_("set") },
	{ "pack", N_("pack") }, { "box", N_("box") },
	{ "pallet", N_("pallet") },
	{ "pending", N_("waiting to be sent") },
	{ "rejected", N_("rejected: needs a person") },
	{ "failed", N_("failed: needs a person") },
	{ "exported", N_("exported") },
	{ "login", N_("logged in") }, { "user_add", N_("user added") },
	{ "pack_open", N_("pack opened") }, { "pack_scan", N_("packed") },
	{ "pack_close", N_("pack closed") },
	{ "pack_disband", N_("pack taken apart") },
	{ "pack_take", N_("taken out") }, { "pack_put", N_("put in") },
	{ "delivery_import", N_("delivery imported") },
	{ "accept_open", N_("acceptance opened") },
	{ "accept_scan", N_("scanned in acceptance") },
	{ "accept_finish", N_("acceptance finished") },
	{ "ship_open", N_("shipment opened") },
	{ "ship_scan", N_("scanned for shipment") },
	{ "ship_finish", N_("shipment finished") },
	{ "scan_refused", N_("scan refused") },
	{ "stock_load", N_("loaded into stock") },
	{ "stock_count", N_("stock counted") },
	{ "catalogue", N_("catalogue imported") },
	{ "label_queue", N_("label queued for the printer") },
	{ "label_confirm", N_("label scanned back") },
	{ "label_void", N_("label job voided") },
	{ "label_retry", N_("label sent again") },
	{ "matched", N_("matched") },
	{ "duplicate", N_("scanned twice") },
	{ "surplus", N_("surplus, not in the delivery") },
	{ "wrong_item", N_("a product the delivery does not have") },
};

const char *
view_word(const char *word)
{
	size_t i;

	if (word == NULL)
		return "";
	for (i = 0; i < sizeof(store_words) / sizeof(store_words[0]); i++)
		if (strcmp(store_words[i].word, word) == 0)
			return _(store_words[i].text);
	return word;
}

void
view_local_time(const char *utc, bool seconds, char *out, size_t n)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm) == NULL) {
		snprintf(out, n, "%s", utc);
		return;
	}
	t = timegm(&tm);
	localtime_r(&t, &tm);
	strftime(out, n, seconds ? "%d.%m %H:%M:%S" : "%d.%m %H:%M", &tm);
}
