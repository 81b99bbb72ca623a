/*
 * view_login: who is at the station: a name and a PIN, or a badge scan
 * (a scan on this screen is the name).
 *
 * What it must not do: keep the PIN after the attempt, or show it.
 */
#include <stdio.h>
#include <string.h>

#include "console/ui.h"

struct login {
	struct view_field name, pin;
	int focus;		/* 0 name, 1 pin */
};

static void
login_open(struct ui *ui, void *p, int arg)
{
	struct login *l = p;

	(void)arg;
	l->pin.secret = true;
	if (ui->opt.user != NULL) {
		snprintf(l->name.text, sizeof(l->name.text), "%s",
			 ui->opt.user);
		l->focus = 1;
	}
}

/* After a crash, SIGHUP or SIGTERM: this user's open work comes back
 * with its screen. */
static void
bring_back(struct ui *ui)
{
	struct wf_result r;

	wf_resume(&ui->wf, NULL, &r);
	if (r.rc < 0) {
		ui_error(ui, r.err.msg);
		return;
	}
	switch (r.what) {
	case WF_PACK_INFO:
		ui_push(ui, &view_pack, r.pack.level);
		if (r.pack.parent[0] != '\0' && ui->wf.npacks > 1)
			ui_ok(ui, _("Brought back: box %s on pallet %s."),
			      r.pack.sscc, r.pack.parent);
		else
			ui_ok(ui, r.pack.level == ST_BOX ? _("Brought back: "
			      "box %s.") : _("Brought back: pallet %s."),
			      r.pack.sscc);
		break;
	case WF_ACCEPT_INFO:
		ui_push(ui, &view_accept, 0);
		ui_ok(ui, _("Brought back: the acceptance of delivery %lld."),
		      (long long)r.accept.delivery_id);
		break;
	case WF_SHIP_INFO:
		ui_push(ui, &view_ship, 0);
		ui_ok(ui, _("Brought back: shipment %lld to %s, %s."),
		      (long long)r.ship.id, r.ship.receiver_inn,
		      r.ship.number);
		break;
	default:
		break;
	}
}

static void
login_try(struct ui *ui, struct login *l)
{
	static const struct st_actor nobody;
	struct st_actor who;
	struct err e;

	if (st_login(ui->db, l->name.text, l->pin.text[0] != '\0' ?
		     l->pin.text : NULL, "console", &who, &e) < 0) {
		memset(l->pin.text, 0, sizeof(l->pin.text));
		l->focus = l->name.text[0] == '\0' ? 0 : 1;
		ui_error(ui, e.msg);
		return;
	}
	memset(l->pin.text, 0, sizeof(l->pin.text));
	wf_init(&ui->wf, ui->db, &nobody);
	ui->wf.who = who;
	ui->wf.logged_in = true;
	ui_replace(ui, &view_menu, 0);
	ui_ok(ui, _("Logged in as %s (%s)."), who.user,
	      _(st_role_name(who.role)));
	bring_back(ui);
}

static bool
login_req(struct ui *ui, void *p, enum req r)
{
	struct login *l = p;
	struct view_field *f = l->focus == 0 ? &l->name : &l->pin;

	switch (r) {
	case REQ_ENTER:
		if (l->focus == 0 && l->name.text[0] != '\0')
			l->focus = 1;
		else if (l->focus == 1)
			login_try(ui, l);
		return true;
	case REQ_NEXT:
	case REQ_UP:
	case REQ_DOWN:
		l->focus = !l->focus;
		return true;
	case REQ_BACK:
		return true;	/* nowhere to go back to */
	default:
		return view_field_req(f, r);
	}
}

static bool
login_char(struct ui *ui, void *p, const char *utf8)
{
	struct login *l = p;

	(void)ui;
	return view_field_char(l->focus == 0 ? &l->name : &l->pin, utf8);
}

/* A badge is a barcode with the user's name on it (sklad label sheet
 * --badge prints one), maybe after the scanner's AIM identifier. */
static void
login_scan(struct ui *ui, void *p, const struct scan *s)
{
	struct login *l = p;
	const char *b = s->bytes;
	size_t n = s->len;

	if (n > 3 && b[0] == ']' && (memcmp(b, "]d1", 3) == 0 ||
				     memcmp(b, "]C0", 3) == 0 ||
				     memcmp(b, "]Q1", 3) == 0)) {
		b += 3;
		n -= 3;
	}
	if (n == 0 || n >= sizeof(l->name.text))
		return;
	memcpy(l->name.text, b, n);
	l->name.text[n] = '\0';
	l->focus = 1;
	ui->dirty = true;
}

static bool
login_text(void *p)
{
	(void)p;
	return true;
}

static void
login_draw(struct ui *ui, void *p, int rows, int cols)
{
	struct login *l = p;
	int y = view_frame(ui, _("sklad: log in"), _("Enter: next  Tab: "
			   "switch field  F10: quit"), rows, cols);
	int lw = 6, w = cols - lw - 4;

	if (rows > 12)
		y += 2;
	ui_put(y, 2, cols - 4, UI_NORMAL, false,
	       _("Type your name and PIN, or scan your badge."));
	y += 2;
	ui_put(y, 2, lw, UI_BOLD, false, _("Name"));
	view_field_draw(&l->name, y, 2 + lw, w > 30 ? 30 : w,
			l->focus == 0);
	y += 2;
	ui_put(y, 2, lw, UI_BOLD, false, _("PIN"));
	view_field_draw(&l->pin, y, 2 + lw, w > 30 ? 30 : w, l->focus == 1);
}

const struct view_ops view_login = {
	.name = "login",
	.private_size = sizeof(struct login),
	.open = login_open,
	.draw = login_draw,
	.on_req = login_req,
	.on_char = login_char,
	.on_scan = login_scan,
	.takes_text = login_text,
};
