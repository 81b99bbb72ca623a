/*
 * ui_input: scanner sources for the console (ui_input.h).
 *
 * What it must not do: block (every fd is non-blocking), or hand on a
 * scan that was cut or damaged as if it were whole.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console/ui_input.h"

static int
fifo_open(struct ui_fifo *f, const char *path, struct err *e)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = f->keep = -1;
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (stat(path, &st) < 0 && mkfifo(path, 0600) < 0)
		return err_set(e, ERR_IO, _("Cannot create the scanner FIFO "
				"%s: %s"), path, strerror(errno));
	if (stat(path, &st) == 0 && !S_ISFIFO(st.st_mode))
		return err_set(e, ERR_INVALID, _("%s is not a FIFO: give a new "
				"path or one made with mkfifo."), path);
	f->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (f->fd >= 0)
		f->keep = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (f->fd < 0 || f->keep < 0) {
		int saved = errno;

		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		return err_set(e, ERR_IO, _("Cannot open the scanner FIFO "
				"%s: %s"), path, strerror(saved));
	}
	return 0;
}

int
ui_input_open(struct ui_input *in, const struct ui_input_config *cfg,
	      struct ui *ui, struct err *e)
{
	struct wedge_config wc;
	char name[SCAN_DEVICE_MAX];
	int i, rc;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < cfg->nfifos; i++) {
		if ((rc = fifo_open(&in->fifo[i], cfg->fifos[i], e)) < 0) {
			ui_input_close(in);
			return rc;
		}
		in->nfifos++;
		snprintf(name, sizeof(name), "fifo:%.120s", cfg->fifos[i]);
		ui_device_note(ui, name, "fifo", _("ready"), NULL);
	}
	if (cfg->ev.nmatch > 0) {
		if ((rc = ev_open(&in->ev, &cfg->ev, e)) < 0) {
			ui_input_close(in);
			return rc;
		}
		ui->evdev = true;
	} else {
		wedge_defaults(&wc);
		if (cfg->wedge_gap_ms > 0)
			wc.max_gap_ms = cfg->wedge_gap_ms;
		if (cfg->wedge_join_ms != 0)
			wc.join_ms = cfg->wedge_join_ms < 0 ? 0 :
				cfg->wedge_join_ms;
		if ((rc = wedge_init(&in->wedge, &wc, e)) < 0) {
			ui_input_close(in);
			return rc;
		}
		in->wedge_on = true;
		ui_device_note(ui, "tty", "tty", _("keyboard wedge"), NULL);
	}
	return 0;
}

void
ui_input_close(struct ui_input *in)
{
	int i;

	for (i = 0; i < in->nfifos; i++) {
		if (in->fifo[i].fd >= 0)
			close(in->fifo[i].fd);
		if (in->fifo[i].keep >= 0)
			close(in->fifo[i].keep);
	}
	in->nfifos = 0;
	ev_close(&in->ev);
}

int
ui_input_pollfds(struct ui_input *in, struct pollfd *pfds, int max)
{
	int n = 0, i;

	for (i = 0; i < in->nfifos && n < max; i++, n++) {
		pfds[n].fd = in->fifo[i].fd;
		pfds[n].events = POLLIN;
		pfds[n].revents = 0;
	}
	if (in->ev != NULL && max - n >= EV_POLLFDS_MAX)
		n += ev_pollfds(in->ev, pfds + n, max - n);
	return n;
}

int
ui_input_timeout(const struct ui_input *in, int64_t now_ms)
{
	int t = -1;

	if (in->ev != NULL)
		t = ev_timeout(in->ev, now_ms);
	if (in->wedge_on) {
		int64_t d = wedge_deadline(&in->wedge);

		if (d >= 0) {
			int w = d > now_ms ? (int)(d - now_ms) : 0;

			t = t < 0 || w < t ? w : t;
		}
	}
	return t;
}

/* A whole line from a FIFO is one scan. */
static void
fifo_line(struct ui_fifo *f, struct ui *ui, int64_t now_ms)
{
	struct scan s;
	char name[SCAN_DEVICE_MAX];

	if (f->len > 0 && f->line[f->len - 1] == '\r')
		f->len--;
	if (f->overflow) {
		ui_error(ui, _("A scan from the FIFO was too long and was "
			       "not taken."));
	} else if (f->len > 0) {
		memset(&s, 0, sizeof(s));
		snprintf(name, sizeof(name), "fifo:%.120s", f->path);
		snprintf(s.device, sizeof(s.device), "%s", name);
		snprintf(s.node, sizeof(s.node), "fifo");
		s.first_ms = s.last_ms = now_ms;
		s.len = f->len;
		memcpy(s.bytes, f->line, f->len);
		s.bytes[s.len] = '\0';
		ui_device_note(ui, name, "fifo", _("ready"), &s);
		ui_scan(ui, &s);
	}
	f->len = 0;
	f->overflow = false;
}

static void
fifo_read(struct ui_fifo *f, struct ui *ui, int64_t now_ms)
{
	char buf[4096];
	ssize_t n, i;

	while ((n = read(f->fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				fifo_line(f, ui, now_ms);
			} else if (f->len < SCAN_MAX) {
				f->line[f->len++] = buf[i];
			} else {
				f->overflow = true;
			}
		}
	}
}

static const char *
ev_state(enum ev_event_kind k)
{
	switch (k) {
	case EV_EVENT_PLUGGED: return _("plugged in");
	case EV_EVENT_GRABBED: return _("ready (grabbed)");
	case EV_EVENT_GRAB_FAILED: return _("held by another program");
	case EV_EVENT_UNPLUGGED: return _("unplugged");
	case EV_EVENT_DISCARDED: return _("half a code dropped");
	case EV_EVENT_LOST: return _("codes lost: the console was busy");
	case EV_EVENT_ERROR: return _("cannot be used");
	case EV_EVENT_SCAN: break;
	}
	return _("ready (grabbed)");
}

/*
 * Codes the console could not take: an error that holds, with how many to
 * scan again; while an error already holds, they count with the scans it
 * refused. Never an information line that the next OK would cover.
 */
static void
ev_lost(struct ui *ui, const struct ev_event *ev)
{
	char msg[ERR_MSG_MAX];
	const char *why;
	int n = ev->lost > 0 ? ev->lost : 1;

	if (ui->hold) {
		ui->held_scans += n - 1;
		ui_held_scan(ui);
		return;
	}
	if (ev->kind == EV_EVENT_LOST)
		why = _("codes came faster than the console could record "
			"them and were not kept.");
	else if (ev->scan.flags & SCAN_OVERFLOW)
		why = _("a code was longer than any marking code and was not "
			"taken.");
	else if (ev->scan.flags & SCAN_DAMAGED)
		why = _("the system lost key events while a code was typed; "
			"nothing of it was taken (if the code before it got no "
			"OK, scan that one again too).");
	else
		why = _("a code stopped in the middle and nothing of it was "
			"taken.");
	snprintf(msg, sizeof(msg), ngettext("Scanner %s: %s Scan %d code "
					    "again.", "Scanner %s: %s Scan %d "
					    "codes again.", n),
		 ev->scan.device, why, n);
	ui_error(ui, msg);
}

/*
 * Events the reader queued, in order, up to and including one scan: a
 * scan may commit (and wait on storage), so the loop redraws and reads
 * the terminal between two of them; the reader goes on meanwhile.
 */
static void
ev_drain(struct ui_input *in, struct ui *ui)
{
	struct ev_event ev;

	while (ev_next(in->ev, &ev)) {
		if (ev.kind != EV_EVENT_SCAN) {
			ui_device_note(ui, ev.scan.device, "evdev",
				       ev_state(ev.kind), NULL);
			if (ev.kind == EV_EVENT_DISCARDED ||
			    ev.kind == EV_EVENT_LOST)
				ev_lost(ui, &ev);
			else if (ev.kind == EV_EVENT_ERROR)
				ui_info(ui, "%s", ev.msg);
			continue;
		}
		ui_device_note(ui, ev.scan.device, "evdev", NULL, &ev.scan);
		if (ev.scan.flags & (SCAN_OVERFLOW | SCAN_DAMAGED)) {
			ev.lost = 1;
			ev.kind = EV_EVENT_DISCARDED;
			ev_lost(ui, &ev);
		} else {
			ui_scan(ui, &ev.scan);
		}
		return;
	}
}

/* Keys that came together: text for a field that takes it, never
 * commands. Stops where the focus stops taking text (an Enter that opened
 * a screen of commands). */
static void
wedge_text(struct ui *ui, const struct scan *t, bool cut)
{
	size_t i;

	if (ui->hold) {
		/* Neither acknowledges the error: only a key on its own. */
		if (cut)
			ui_held_scan(ui);
		return;
	}
	if (ui_text_focus(ui)) {
		for (i = 0; i < t->len && ui_text_focus(ui); i++)
			ui_key(ui, (unsigned char)t->bytes[i]);
		return;
	}
	if (cut) {
		ui_error(ui, _("A scan stopped in the middle and its end did "
			       "not come: nothing of it was taken. Scan it "
			       "again."));
		return;
	}
	if (strspn(t->bytes, "\r\n\t") == t->len)
		return;	/* the LF after a scanner's CR */
	ui_info(ui, "%s", _("Keys pressed together are not taken as "
			    "commands: press one key at a time."));
}

/* Results of the wedge: scans to ui_scan, a key on its own to ui_key,
 * keys that came together as text only. */
static void
wedge_drain(struct ui_input *in, struct ui *ui)
{
	struct wedge_item it;
	size_t i;

	while (wedge_take(&in->wedge, &it)) {
		if (it.kind == WEDGE_SCAN) {
			snprintf(it.scan.device, sizeof(it.scan.device),
				 "tty");
			snprintf(it.scan.node, sizeof(it.scan.node), "tty");
			ui_device_note(ui, "tty", "tty", NULL, &it.scan);
			ui_scan(ui, &it.scan);
		} else if (it.kind == WEDGE_KEY) {
			for (i = 0; i < it.scan.len; i++)
				ui_key(ui, (unsigned char)it.scan.bytes[i]);
		} else {
			wedge_text(ui, &it.scan, it.kind == WEDGE_CUT);
		}
	}
}

void
ui_input_dispatch(struct ui_input *in, struct ui *ui,
		  const struct pollfd *pfds, int n, int64_t now_ms)
{
	int i, j;

	for (i = 0; i < in->nfifos; i++)
		for (j = 0; j < n; j++)
			if (pfds[j].fd == in->fifo[i].fd &&
			    (pfds[j].revents & (POLLIN | POLLHUP)))
				fifo_read(&in->fifo[i], ui, now_ms);
	if (in->ev != NULL) {
		ev_dispatch(in->ev, pfds, n, now_ms);
		ev_drain(in, ui);
	}
	if (in->wedge_on) {
		wedge_join(&in->wedge, !ui_text_focus(ui));
		if (wedge_tick(&in->wedge, now_ms) > 0)
			wedge_drain(in, ui);
	}
}

/* Hand on whatever the wedge holds now, so order stays as typed. */
static void
wedge_flush(struct ui_input *in, struct ui *ui)
{
	if (wedge_tick(&in->wedge, INT64_MAX / 2) > 0)
		wedge_drain(in, ui);
}

void
ui_input_tty(struct ui_input *in, struct ui *ui, int key, int64_t now_ms)
{
	if (!in->wedge_on) {
		ui_key(ui, key);
		return;
	}
	/* A field with the focus takes a stalled burst as text at once;
	 * screens of command keys hold it for the rest of the scan. */
	wedge_join(&in->wedge, !ui_text_focus(ui));
	if (key > 0xff || key == 27 || ui->prompt) {
		/* A function key or Esc cannot be part of a scan, and the ':'
		 * prompt takes everything typed or pasted as text. */
		wedge_flush(in, ui);
		ui_key(ui, key);
		return;
	}
	if (wedge_feed(&in->wedge, (unsigned char)key, now_ms) > 0)
		wedge_drain(in, ui);
}
