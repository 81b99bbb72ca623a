/*
 * ui: the view stack, the path of keys and scans to the focused view,
 * the status line with its error hold, and the one redraw (ui.h).
 *
 * What it must not do: wait for anything, or draw outside ui_redraw.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/ui.h"
#include "console/ui_label.h"
#include "scanners/evdev.h"
#include "scanners/mark.h"

#define OK_FADE_MS 4000		/* an OK line stays this long */
#define IDLE_CHECKPOINT_MS 1000	/* quiet this long: move the WAL over */

void
ui_init(struct ui *ui, struct st_db *db, const struct ui_options *o)
{
	static const struct st_actor nobody;

	memset(ui, 0, sizeof(*ui));
	ui->opt = *o;
	ui->db = db;
	wf_init(&ui->wf, db, &nobody);
	ui->last_activity = ev_now_ms();
	ui->dirty = true;
	ui_push(ui, &view_login, 0);
}

void
ui_fini(struct ui *ui)
{
	while (ui->depth > 0)
		free(ui->stack[--ui->depth].priv);
}

bool
ui_push(struct ui *ui, const struct view_ops *ops, int arg)
{
	struct ui_frame *f;

	if (ui->depth == UI_STACK_MAX)
		return false;
	f = &ui->stack[ui->depth];
	f->ops = ops;
	f->priv = calloc(1, ops->private_size > 0 ? ops->private_size : 1);
	if (f->priv == NULL)
		return false;
	ui->depth++;
	if (ops->open != NULL)
		ops->open(ui, f->priv, arg);
	ui->dirty = true;
	return true;
}

void
ui_pop(struct ui *ui)
{
	if (ui->depth <= 1)
		return;
	free(ui->stack[--ui->depth].priv);
	ui->dirty = true;
}

void
ui_replace(struct ui *ui, const struct view_ops *ops, int arg)
{
	ui_fini(ui);
	ui_push(ui, ops, arg);
}

static struct ui_frame *
top(struct ui *ui)
{
	return &ui->stack[ui->depth - 1];
}

static void
vstatus(struct ui *ui, bool ok, const char *fmt, va_list ap)
{
	vsnprintf(ui->status, sizeof(ui->status), fmt, ap);
	ui->status_ok = ok;
	ui->status_until = ev_now_ms() + OK_FADE_MS;
	ui->dirty = true;
}

void
ui_ok(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstatus(ui, true, fmt, ap);
	va_end(ap);
	ui_sound_ok(ui);
}

void
ui_info(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstatus(ui, false, fmt, ap);
	va_end(ap);
}

void
ui_error(struct ui *ui, const char *msg)
{
	snprintf(ui->hold_msg, sizeof(ui->hold_msg), "%s", msg);
	ui->hold = true;
	ui->held_scans = 0;
	ui->status[0] = '\0';
	ui->dirty = true;
	ui_sound_error(ui);
}

void
ui_confirm(struct ui *ui, int token, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->confirm_msg, sizeof(ui->confirm_msg), fmt, ap);
	va_end(ap);
	ui->confirm = true;
	ui->confirm_token = token;
	ui->status[0] = '\0';
	ui->dirty = true;
}

/* The answer to the question: yes runs the act, no only says so. */
static void
confirm_answer(struct ui *ui, bool yes)
{
	struct ui_frame *f = &ui->stack[ui->depth - 1];

	ui->confirm = false;
	ui->dirty = true;
	if (!yes) {
		ui_info(ui, "%s", _("Not done."));
		return;
	}
	if (ui->confirm_token == UI_QUIT)
		ui->quit = true;
	else if (f->ops->on_confirm != NULL)
		f->ops->on_confirm(ui, f->priv, ui->confirm_token);
}

bool
ui_text_focus(const struct ui *ui)
{
	const struct ui_frame *f = &ui->stack[ui->depth - 1];

	return ui->prompt || (f->ops->takes_text != NULL &&
			      f->ops->takes_text(f->priv));
}

void
ui_held_scan(struct ui *ui)
{
	/* Not recorded: the operator has not seen the error yet. */
	ui->held_scans++;
	ui->dirty = true;
	ui_sound_error(ui);
}

/* The operator saw the error: scans go through again. */
static void
acknowledge(struct ui *ui)
{
	int held = ui->held_scans;

	ui->hold = false;
	ui->dirty = true;
	if (held > 0)
		ui_info(ui, ngettext("%d scan during the error was not "
				     "recorded: scan it again.",
				     "%d scans during the error were not "
				     "recorded: scan them again.", held),
			held);
	else
		ui_info(ui, "%s", _("Error acknowledged."));
}

int
ui_command(struct ui *ui, const char *line, struct wf_result *r,
	   int (*on_event)(void *, const struct st_event *),
	   int (*on_doc)(void *, const struct st_doc *), void *arg)
{
	wf_command(&ui->wf, line, r, on_event, on_doc, arg);
	ui->last_activity = ev_now_ms();
	ui->checkpointed = false;
	if (r->rc < 0)
		ui_error(ui, r->err.msg);
	ui->dirty = true;
	return r->rc;
}

void
ui_device_note(struct ui *ui, const char *name, const char *kind,
	       const char *state, const struct scan *s)
{
	struct ui_device *d = NULL;
	int i;

	for (i = 0; i < ui->ndevices; i++)
		if (strcmp(ui->devices[i].name, name) == 0)
			d = &ui->devices[i];
	if (d == NULL) {
		if (ui->ndevices == UI_DEVICES_MAX)
			return;
		d = &ui->devices[ui->ndevices++];
		snprintf(d->name, sizeof(d->name), "%s", name);
	}
	if (kind != NULL)
		snprintf(d->kind, sizeof(d->kind), "%s", kind);
	if (state != NULL)
		snprintf(d->state, sizeof(d->state), "%s", state);
	if (s != NULL) {
		ui_short_code(s->bytes, s->len, d->last, sizeof(d->last), 40);
		d->scans++;
	}
	ui->dirty = true;
}

/* Is this scan the command barcode SKLAD:<word> (ACK, YES)? */
static bool
is_command(const struct scan *s, const char *word)
{
	struct mark m;

	return mark_parse(s->bytes, s->len, &m) == 0 &&
		m.kind == MARK_COMMAND && strcasecmp(m.command, word) == 0;
}

void
ui_scan(struct ui *ui, const struct scan *s)
{
	struct ui_frame *f = top(ui);

	ui->last_activity = ev_now_ms();
	ui->checkpointed = false;
	ui->scans_handled++;
	ui->dirty = true;
	if (is_command(s, "ACK")) {
		if (ui->hold)
			acknowledge(ui);
		return;
	}
	if (ui->hold) {
		ui_held_scan(ui);
		return;
	}
	if (is_command(s, "YES")) {
		if (ui->confirm)
			confirm_answer(ui, true);
		else
			ui_info(ui, "%s", _("Nothing waits for a yes."));
		return;
	}
	if (ui->confirm)	/* scanning on: the answer is no */
		confirm_answer(ui, false);
	/* a fresh label waits to be scanned back before anything else */
	if (ui_label_scan(ui, s))
		return;
	if (f->ops->on_scan == NULL) {
		ui_error(ui, _("This screen takes no scans: choose a workflow "
			       "in the menu first."));
		return;
	}
	f->ops->on_scan(ui, f->priv, s);
}

/* Quit, but ask first while work is open: a key from a scan must not
 * leave a pack, an acceptance or a shipment behind by accident. */
static void
ask_quit(struct ui *ui)
{
	switch (ui->wf.mode) {
	case WF_PACK:
		ui_confirm(ui, UI_QUIT, _("Pack %s is open. Quit anyway? It "
			   "stays open and comes back at the next start."),
			   ui->wf.packs[ui->wf.npacks - 1]);
		break;
	case WF_ACCEPT:
		ui_confirm(ui, UI_QUIT, _("The acceptance of delivery %lld is "
			   "open. Quit anyway? It stays open."),
			   (long long)ui->wf.delivery);
		break;
	case WF_SHIP:
		ui_confirm(ui, UI_QUIT, _("Shipment %lld is open. Quit anyway? "
			   "It stays open."), (long long)ui->wf.shipment);
		break;
	default:
		ui->quit = true;
		break;
	}
}

/* Requests no view took. */
static void
global_req(struct ui *ui, enum req r)
{
	switch (r) {
	case REQ_EXIT:
		ask_quit(ui);
		break;
	case REQ_QUIT:
		if (ui->depth > 1)
			ui_pop(ui);
		else
			ask_quit(ui);
		break;
	case REQ_BACK:
		ui_pop(ui);
		break;
	case REQ_HELP:
		ui_push(ui, &view_help, 0);
		break;
	case REQ_PROMPT:
		if (ui->wf.logged_in) {
			ui->prompt = true;
			ui->prompt_text[0] = '\0';
		}
		break;
	case REQ_REFRESH:
		clearok(curscr, TRUE);
		break;
	case REQ_LOGOUT:
		if (ui->wf.logged_in)
			ui_replace(ui, &view_login, 0);
		break;
	default:
		break;
	}
	ui->dirty = true;
}

/* `user list` on one line: each user, with a mark when disabled or
 * locked; exec prints the whole list. */
static void
users_line(struct ui *ui, const struct wf_result *r)
{
	char buf[UI_TEXT_MAX] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < r->nusers && len < sizeof(buf); i++) {
		const struct st_user_info *u = &r->users[i];

		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%s%s (%s%s%s)", i > 0 ? ", " : "",
					u->name, _(st_role_name(u->role)),
					u->disabled ? _(", disabled") : "",
					u->locked_until[0] != '\0' ?
					_(", locked") : "");
	}
	ui_ok(ui, _("Users: %s"), buf);
}

/* What a command from the prompt did, in one line. */
static void
prompt_result(struct ui *ui, const char *line, const struct wf_result *r)
{
	switch (r->what) {
	case WF_PACK_INFO:
		ui_ok(ui, _("Done: %s: pack %s, %s, %d inside"), line,
		      r->pack.sscc, view_word(r->pack.state), r->pack.count);
		break;
	case WF_DELIVERY_INFO:
		ui_ok(ui, ngettext("Delivery %lld imported (%s): %d code "
			    "expected. Accept it as delivery %lld.", "Delivery "
			    "%lld imported (%s): %d codes expected. Accept it "
			    "as delivery %lld.", r->delivery.expected),
		      (long long)r->delivery.id, r->delivery.number,
		      r->delivery.expected, (long long)r->delivery.id);
		break;
	case WF_EXPORT_INFO:
		ui_ok(ui, ngettext("Exported %d code into %s.", "Exported %d "
				   "codes into %s.", r->export_codes),
		      r->export_codes, r->export_file);
		break;
	case WF_WHERE_INFO:
		ui_ok(ui, _("%s: %s, in %s"), r->where.code,
		      view_word(r->where.state), r->where.nparents > 0 ?
		      r->where.parents[0] : _("no pack"));
		break;
	case WF_USER_INFO:
		/* Not the line: it may hold a PIN. */
		ui_ok(ui, _("Done: %s %s"), r->command, r->user.user);
		break;
	case WF_USERS_INFO:
		users_line(ui, r);
		break;
	default:
		ui_ok(ui, _("Done: %s"), line);
		break;
	}
}

static void
prompt_run(struct ui *ui)
{
	struct wf_result r;
	char line[UI_TEXT_MAX];

	snprintf(line, sizeof(line), "%s", ui->prompt_text);
	ui->prompt = false;
	if (line[0] == '\0' || ui_job_prompt(ui, line) ||
	    ui_label_prompt(ui, line))
		return;
	if (ui_command(ui, line, &r, NULL, NULL, NULL) == 0)
		prompt_result(ui, line, &r);
	/* The line may have held a PIN. */
	explicit_bzero(line, sizeof(line));
	explicit_bzero(ui->prompt_text, sizeof(ui->prompt_text));
}

/* Which word of a prompt line is a PIN (login NAME PIN, user add NAME
 * ROLE PIN, user pin NAME PIN), or -1. */
static int
pin_word(const char *text)
{
	char first[8] = "", second[8] = "";

	if (sscanf(text, "%7s %7s", first, second) < 1)
		return -1;
	if (strcmp(first, "login") == 0)
		return 2;
	if (strcmp(first, "user") == 0 && strcmp(second, "add") == 0)
		return 4;
	if (strcmp(first, "user") == 0 && strcmp(second, "pin") == 0)
		return 3;
	return -1;
}

/* The prompt line as shown: a PIN typed into it shows as stars. */
static void
prompt_masked(const char *text, char *out, size_t n)
{
	int hide = pin_word(text), word = -1;
	bool in_word = false;
	size_t i;

	snprintf(out, n, "%s", text);
	for (i = 0; out[i] != '\0'; i++) {
		if (out[i] == ' ' || out[i] == '\t') {
			in_word = false;
			continue;
		}
		if (!in_word)
			word++;
		in_word = true;
		if (word == hide)
			out[i] = '*';
	}
}

/* Keys while the ':' prompt is open. */
static void
prompt_key(struct ui *ui, int key, const char *utf8)
{
	size_t len = strlen(ui->prompt_text);
	enum req r = utf8 != NULL ? REQ_NONE :
		keys_request(key, KEYS_TEXT);

	ui->dirty = true;
	if (utf8 != NULL) {
		if (len + strlen(utf8) < sizeof(ui->prompt_text))
			strcat(ui->prompt_text, utf8);
	} else if (r == REQ_ENTER) {
		prompt_run(ui);
	} else if (r == REQ_BACK || r == REQ_QUIT) {
		ui->prompt = false;
	} else if (r == REQ_ERASE) {
		while (len > 0 && (ui->prompt_text[--len] & 0xc0) == 0x80)
			;
		ui->prompt_text[len] = '\0';
	} else if (r == REQ_KILL) {
		ui->prompt_text[0] = '\0';
	}
}

/* Gather UTF-8 bytes from getch into characters; returns a complete
 * character or NULL while one is still arriving. */
static const char *
utf8_gather(struct ui *ui, int byte)
{
	if ((byte & 0xc0) != 0x80) {
		ui->u8len = 0;
		ui->u8need = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 :
			byte >= 0xe0 ? 3 : 2;
	} else if (ui->u8len == 0) {
		return NULL;	/* a stray continuation byte */
	}
	ui->u8[ui->u8len++] = (char)byte;
	if (ui->u8len < ui->u8need)
		return NULL;
	ui->u8[ui->u8len] = '\0';
	ui->u8len = 0;
	return ui->u8;
}

static bool
printable(int key)
{
	return key >= 0x20 && key < 0x100 && key != 0x7f;
}

/* A key while a question waits: y, н or Enter is yes, anything else no. */
static void
confirm_key(struct ui *ui, int key)
{
	confirm_answer(ui, key == 'y' || key == 'Y' || key == '\r' ||
		       key == '\n' || key == KEY_ENTER);
}

void
ui_key(struct ui *ui, int key)
{
	struct ui_frame *f = top(ui);
	const char *utf8 = NULL;
	enum keys_scope scope;
	int latin = -1;
	enum req r;

	ui->last_activity = ev_now_ms();
	ui->checkpointed = false;
	ui->dirty = true;
	if (ui->hold) {
		acknowledge(ui);
		return;
	}
	if (ui->prompt) {
		if (printable(key) && (utf8 = utf8_gather(ui, key)) == NULL)
			return;
		prompt_key(ui, key, utf8);
		return;
	}
	if (printable(key)) {
		if ((utf8 = utf8_gather(ui, key)) == NULL)
			return;	/* more bytes of the character to come */
		latin = keys_latin(utf8);	/* the Russian layout */
	}
	if (ui->confirm) {
		confirm_key(ui, latin >= 0 ? latin : key);
		return;
	}
	scope = f->ops->takes_text != NULL && f->ops->takes_text(f->priv) ?
		KEYS_TEXT : KEYS_COMMAND;
	r = keys_request(latin >= 0 && scope == KEYS_COMMAND ? latin : key,
			 scope);
	if (r != REQ_NONE) {
		if (f->ops->on_req == NULL || !f->ops->on_req(ui, f->priv, r))
			global_req(ui, r);
		return;
	}
	if (utf8 != NULL && f->ops->on_char != NULL)
		f->ops->on_char(ui, f->priv, utf8);
}

int
ui_timeout(const struct ui *ui, int64_t now_ms)
{
	int64_t t = -1, d;

	if (ui->beeps_left > 0)
		t = ui->next_beep > now_ms ? ui->next_beep - now_ms : 0;
	if (ui->status[0] != '\0' && ui->status_until > 0) {
		d = ui->status_until > now_ms ? ui->status_until - now_ms : 0;
		t = t < 0 || d < t ? d : t;
	}
	if (!ui->checkpointed) {
		d = ui->last_activity + IDLE_CHECKPOINT_MS - now_ms;
		d = d > 0 ? d : 0;
		t = t < 0 || d < t ? d : t;
	}
	return (int)t;
}

void
ui_tick(struct ui *ui, int64_t now_ms)
{
	ui_sound_tick(ui, now_ms);
	if (ui->status[0] != '\0' && ui->status_until > 0 &&
	    now_ms >= ui->status_until) {
		ui->status[0] = '\0';
		ui->dirty = true;
	}
	if (!ui->checkpointed &&
	    now_ms >= ui->last_activity + IDLE_CHECKPOINT_MS) {
		/* Kept out of scan commits on purpose (store.h): only now,
		 * when nobody scanned for a second. */
		st_checkpoint(ui->db);
		ui->checkpointed = true;
	}
}

size_t
ui_wrap_len(const char *s, int width)
{
	char buf[ERR_MSG_MAX];
	size_t n = strlen(s), best, sp = 0, i;

	if (ui_width(s) <= width)
		return n;
	best = 0;
	for (i = 1; i <= n && i < sizeof(buf); i++) {
		if (i < n && (s[i] & 0xc0) == 0x80)
			continue;
		memcpy(buf, s, i);
		buf[i] = '\0';
		if (ui_width(buf) > width)
			break;
		best = i;
		if (i < n && s[i] == ' ')
			sp = i;
	}
	return sp > 0 ? sp + 1 : best > 0 ? best : 1;
}

/* The held error: red, full width, as many rows as it needs. */
static int
draw_hold(struct ui *ui)
{
	const char *s = ui->hold_msg;
	char line[ERR_MSG_MAX], foot[160];
	int rows = 0, y, i;
	const char *p;

	for (p = s; *p != '\0' && rows < 6; rows++)
		p += ui_wrap_len(p, COLS - 2);
	y = LINES - rows - 2;
	ui_put(y, 0, COLS, UI_ERR, true, _("ERROR"));
	for (i = 0, p = s; i < rows; i++) {
		size_t n = ui_wrap_len(p, COLS - 2);

		snprintf(line, sizeof(line), " %.*s", (int)n, p);
		ui_put(y + 1 + i, 0, COLS, UI_ERR, true, line);
		p += n;
	}
	if (ui->held_scans > 0)
		snprintf(foot, sizeof(foot), ngettext("Press a key or scan "
			 "SKLAD:ACK (%d scan not taken)", "Press a key or scan "
			 "SKLAD:ACK (%d scans not taken)", ui->held_scans),
			 ui->held_scans);
	else
		snprintf(foot, sizeof(foot), "%s",
			 _("Press a key or scan SKLAD:ACK"));
	ui_put(LINES - 1, 0, COLS, UI_ERR, true, foot);
	return y;
}

/* The question, bold, wrapped over as many bottom rows as it needs. */
static void
draw_confirm(const char *s)
{
	const char *p;
	int rows = 0, y, i;

	for (p = s; *p != '\0' && rows < 4; rows++)
		p += ui_wrap_len(p, COLS - 1);
	y = LINES - rows;
	for (i = 0, p = s; i < rows; i++) {
		size_t n = ui_wrap_len(p, COLS - 1);
		char line[ERR_MSG_MAX + 64];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		ui_put(y + i, 0, COLS, UI_SEL, true, line);
		p += n;
	}
}

void
ui_redraw(struct ui *ui)
{
	struct ui_frame *f;

	if (!ui->dirty)
		return;
	ui->dirty = false;
	erase();
	f = top(ui);
	f->ops->draw(ui, f->priv, LINES - 1, COLS);
	ui_job_draw(ui, COLS);
	if (ui->hold) {
		draw_hold(ui);
	} else if (ui->confirm) {
		char line[ERR_MSG_MAX + 64];

		snprintf(line, sizeof(line), "%s %s", ui->confirm_msg,
			 _("[y/Enter: yes, other key: no]"));
		draw_confirm(line);
	} else if (ui->prompt) {
		char line[UI_TEXT_MAX + 4];

		line[0] = ':';
		prompt_masked(ui->prompt_text, line + 1, sizeof(line) - 1);
		ui_put(LINES - 1, 0, COLS, UI_BOLD, true, line);
	} else if (ui->status[0] != '\0') {
		ui_put(LINES - 1, 0, COLS, ui->status_ok ? UI_OK : UI_NORMAL,
		       true, ui->status);
	}
	wnoutrefresh(stdscr);
	doupdate();
}
