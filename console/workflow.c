/*
 * workflow: session state, what a scan means in it, and the pack, cancel
 * and resume steps the commands share (workflow.h). The command words
 * themselves are a table in wf_cmds.c.
 */
#include <ctype.h>
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "console/workflow_int.h"
#include "scanners/i18n.h"

void
wf_init(struct wf *w, struct st_db *db, const struct st_actor *who)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
	w->who = *who;
	w->logged_in = who->user_id != 0;
	w->next.capacity = -1;
	w->next.require_crypto = -1;
}

void
wf_result_reset(struct wf_result *r, const char *command)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->command, sizeof(r->command), "%s", command);
}

void
wf_fail(struct wf_result *r, int code, const char *msg)
{
	r->rc = err_set(&r->err, code, "%s", msg);
}

/* Copy r->err from a store call's outcome. */
void
wf_outcome(struct wf_result *r, int rc, const struct err *e, enum wf_what what)
{
	r->rc = rc;
	if (rc < 0)
		r->err = *e;
	else
		r->what = what;
}

/* "\x1d" in a script word stands for GS. Decodes in place. */
size_t
wf_unescape(char *s)
{
	char *out = s, *in = s;

	while (*in != '\0') {
		if (in[0] == '\\' && in[1] == 'x' && in[2] == '1' &&
		    (in[3] == 'd' || in[3] == 'D')) {
			*out++ = MARK_GS;
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

const char *
wf_current_pack(const struct wf *w)
{
	return w->mode == WF_PACK && w->npacks > 0 ?
		w->packs[w->npacks - 1] : NULL;
}

static void
push_pack(struct wf *w, const char *sscc)
{
	if (w->npacks < ST_MAX_DEPTH)
		snprintf(w->packs[w->npacks++], MARK_SSCC_LEN + 1, "%s", sscc);
	w->mode = WF_PACK;
}

static void
pop_pack(struct wf *w)
{
	if (w->npacks > 0)
		w->npacks--;
	if (w->npacks == 0)
		w->mode = WF_IDLE;
}

/* Refuse a mode change while something else is open. */
bool
wf_busy_elsewhere(const struct wf *w, enum wf_mode want, struct wf_result *r)
{
	if (w->mode == WF_IDLE || w->mode == want)
		return false;
	if (w->mode == WF_PACK) {
		char msg[ERR_MSG_MAX];

		/* Say which: the operator can go to it and close or cancel
		 * it. */
		snprintf(msg, sizeof(msg), _("Pack %s is open: close it first, "
			 "or cancel it if it is empty."), wf_current_pack(w));
		wf_fail(r, ERR_REFUSED, msg);
	} else if (w->mode == WF_ACCEPT)
		wf_fail(r, ERR_REFUSED, _("An acceptance is open: finish it or "
				       "cancel it first."));
	else
		wf_fail(r, ERR_REFUSED, _("A shipment is open: finish it or "
				       "cancel it first."));
	return true;
}

void
wf_pack_open(struct wf *w, enum st_level level, const char *sscc,
	  struct wf_result *r)
{
	const char *parent = wf_current_pack(w);
	struct st_pack top;
	struct err e;
	int rc;

	if (wf_busy_elsewhere(w, WF_PACK, r))
		return;
	if (parent != NULL) {
		if ((rc = st_pack_get(w->db, parent, &top, &e)) < 0) {
			wf_outcome(r, rc, &e, WF_NONE);
			return;
		}
		if (top.level == ST_BOX) {
			char msg[ERR_MSG_MAX];

			snprintf(msg, sizeof(msg), _("Box %s is still open: "
				 "close it first."), parent);
			wf_fail(r, ERR_REFUSED, msg);
			return;
		}
	}
	rc = st_pack_open(w->db, &w->who, level, sscc, parent, &w->next,
			  &r->pack, &e);
	wf_outcome(r, rc, &e, WF_PACK_INFO);
	if (rc == 0)
		push_pack(w, r->pack.sscc);
}

void
wf_pack_close(struct wf *w, const char *sscc, struct wf_result *r)
{
	const char *cur = wf_current_pack(w);
	struct err e;
	int rc;

	if (sscc == NULL)
		sscc = cur;
	if (sscc == NULL) {
		wf_fail(r, ERR_REFUSED, _("No pack is open."));
		return;
	}
	rc = st_pack_close(w->db, &w->who, sscc, &r->pack, &e);
	wf_outcome(r, rc, &e, WF_PACK_INFO);
	if (rc == 0 && cur != NULL && strcmp(cur, r->pack.sscc) == 0)
		pop_pack(w);
}

/* Parse a code typed as an argument: a scan, a КИ or an SSCC. */
bool
wf_parse_code(const char *text, size_t len, struct mark *m,
	   struct wf_result *r)
{
	char why[ERR_MSG_MAX];

	if (mark_parse(text, len, m) == 0 && m->kind != MARK_COMMAND)
		return true;
	if (mark_sscc_check(text, len, m) == 0) {
		m->kind = MARK_SSCC;
		return true;
	}
	mark_parse(text, len, m);
	mark_strerror(m, why, sizeof(why));
	wf_fail(r, ERR_INVALID, why);
	return false;
}

static void
scan_pack(struct wf *w, const struct mark *m, const char *scan, size_t len,
	  struct wf_result *r)
{
	struct err e;
	int rc = st_pack_scan(w->db, &w->who, wf_current_pack(w), m, scan, len,
			      &r->pack, &e);

	wf_outcome(r, rc, &e, WF_PACK_INFO);
	if (rc == 0 && r->pack.closed_now)
		pop_pack(w);
}

/* In no workflow, scanning the label of an open pack resumes it. */
static void
scan_idle(struct wf *w, const struct mark *m, const char *scan, size_t len,
	  struct wf_result *r)
{
	struct st_pack p;
	struct err e;

	if (m->kind == MARK_SSCC &&
	    st_pack_get(w->db, m->sscc, &p, &e) == 0 &&
	    strcmp(p.state, "open") == 0) {
		push_pack(w, p.sscc);
		r->pack = p;
		r->what = WF_PACK_INFO;
		return;
	}
	wf_fail(r, ERR_REFUSED, _("Nothing is open: open a box or pallet, an "
			       "acceptance or a shipment first."));
	st_audit_refusal(w->db, &w->who, scan, len, r->err.msg, &e);
}

/*
 * Station barcodes: labels printed for a station that stand for commands
 * ("CLOSE-BOX" -> "close"), beside the built-in SKLAD:... ones. They are
 * configuration of the whole process (--barcode at start-up), so every
 * session of it shares them.
 */
#define STATION_MAX 16
static struct {
	char text[MARK_COMMAND_MAX + 1];
	char command[MARK_COMMAND_MAX + 1];
} station[STATION_MAX];
static int nstation;

/*
 * Split line (changed in place) into words[WF_MAX_WORDS]; *n gets how many.
 * The command they name if a barcode may run it, else NULL.
 */
static const struct wf_cmd *
barcode_command(char *line, char **words, int *n)
{
	const struct wf_cmd *c;
	char *save = NULL, *t;
	int nname;

	*n = 0;
	for (t = strtok_r(line, " ", &save); t != NULL && *n < WF_MAX_WORDS;
	     t = strtok_r(NULL, " ", &save))
		words[(*n)++] = t;
	c = wf_cmd_find(words, *n, &nname);
	return c != NULL && (c->flags & WF_BARCODE) ? c : NULL;
}

int
wf_barcode_add(const char *spec, struct err *e)
{
	const char *eq = strchr(spec, '=');
	size_t tlen = eq != NULL ? (size_t)(eq - spec) : 0, at = 0;
	char line[MARK_COMMAND_MAX + 1], *words[WF_MAX_WORDS], ok[ERR_MSG_MAX];
	const struct wf_cmd *c;
	int n;

	if (eq == NULL || tlen == 0 || tlen > MARK_COMMAND_MAX ||
	    eq[1] == '\0' || strlen(eq + 1) > MARK_COMMAND_MAX)
		return err_set(e, ERR_INVALID, "%s", _("A station barcode is "
			       "given as TEXT=COMMAND, each at most 64 "
			       "characters."));
	snprintf(line, sizeof(line), "%s", eq + 1);
	if (barcode_command(line, words, &n) == NULL) {
		for (c = wf_cmds; c->name != NULL && at < sizeof(ok); c++)
			if (c->flags & WF_BARCODE)
				at += (size_t)snprintf(ok + at, sizeof(ok) - at,
						       "%s%s", at > 0 ? ", " :
						       "", c->name);
		return err_set(e, ERR_INVALID, _("A barcode may run %s; not "
			       "%s."), ok, eq + 1);
	}
	if (nstation == STATION_MAX)
		return err_set(e, ERR_INVALID, "%s", _("Too many station "
			       "barcodes."));
	snprintf(station[nstation].text, sizeof(station[0].text), "%.*s",
		 (int)tlen, spec);
	snprintf(station[nstation++].command, sizeof(station[0].command),
		 "%s", eq + 1);
	return 0;
}

/* The command a station barcode stands for, or NULL. */
static const char *
station_command(const char *scan, size_t len)
{
	int i;

	for (i = 0; i < nstation; i++)
		if (strlen(station[i].text) == len &&
		    memcmp(station[i].text, scan, len) == 0)
			return station[i].command;
	return NULL;
}

static void
command_barcode(struct wf *w, const char *cmd, struct wf_result *r)
{
	const struct wf_out none = { NULL, NULL, NULL };
	char line[MARK_COMMAND_MAX + 1], *words[WF_MAX_WORDS];
	int n, i;

	/* SKLAD:ACCEPT_FINISH_PARTIAL -> "accept finish partial" */
	for (i = 0; cmd[i] != '\0' && i < MARK_COMMAND_MAX; i++)
		line[i] = cmd[i] == '_' ? ' ' :
			(char)tolower((unsigned char)cmd[i]);
	line[i] = '\0';
	if (barcode_command(line, words, &n) == NULL) {
		wf_fail(r, ERR_REFUSED, _("This command barcode is not one "
					  "sklad knows."));
		return;
	}
	wf_run_words(w, words, n, r, &none);
}

void
wf_scan(struct wf *w, const char *scan, size_t len, struct wf_result *r)
{
	const char *cmd;
	struct mark m;
	struct err e;
	int rc;

	wf_result_reset(r, "scan");
	/* a station barcode may come with its AIM identifier (]C0, ]d1) */
	if ((cmd = station_command(scan, len)) != NULL ||
	    (len > 3 && scan[0] == ']' &&
	     (cmd = station_command(scan + 3, len - 3)) != NULL)) {
		command_barcode(w, cmd, r);
		return;
	}
	/* An SSCC typed or scanned without its (00) is still an SSCC: 18
	 * digits are never a marking code. */
	if (mark_parse(scan, len, &m) < 0 &&
	    (len != MARK_SSCC_LEN || mark_sscc_check(scan, len, &m) < 0)) {
		char why[ERR_MSG_MAX];

		mark_parse(scan, len, &m);
		mark_strerror(&m, why, sizeof(why));
		wf_fail(r, ERR_INVALID, why);
		st_audit_refusal(w->db, &w->who, scan, len, why, &e);
		return;
	}
	if (m.kind == MARK_COMMAND) {
		command_barcode(w, m.command, r);
		return;
	}
	switch (w->mode) {
	case WF_PACK:
		scan_pack(w, &m, scan, len, r);
		break;
	case WF_ACCEPT:
		rc = st_accept_scan(w->db, &w->who, w->delivery, &m,
				    &r->accept, &e);
		wf_outcome(r, rc, &e, WF_ACCEPT_INFO);
		break;
	case WF_SHIP:
		rc = st_ship_scan(w->db, &w->who, w->shipment, &m, &r->ship,
				  &e);
		wf_outcome(r, rc, &e, WF_SHIP_INFO);
		break;
	case WF_IDLE:
		scan_idle(w, &m, scan, len, r);
		break;
	}
}

/* --- open work ------------------------------------------------------------ */

/*
 * cancel [SSCC]: an empty pack opened by mistake goes (the named one, or
 * the session's own); otherwise leave the acceptance or shipment for
 * now, dropping a shipment with nothing on it.
 */
void
wf_cancel(struct wf *w, const char *sscc, struct wf_result *r)
{
	const char *cur = wf_current_pack(w);
	struct err e;
	int rc;

	if (sscc == NULL && cur == NULL) {
		if (w->mode == WF_SHIP &&
		    (rc = st_ship_cancel(w->db, w->shipment, &e)) < 0) {
			wf_outcome(r, rc, &e, WF_NONE);
			return;
		}
		w->mode = WF_IDLE;
		return;
	}
	rc = st_pack_cancel(w->db, &w->who, sscc != NULL ? sscc : cur,
			    &r->pack, &e);
	wf_outcome(r, rc, &e, WF_PACK_INFO);
	if (rc == 0 && cur != NULL && strcmp(cur, r->pack.sscc) == 0)
		pop_pack(w);
}

/* Go on with open pack sscc in this session, with the open pallet it is
 * on. */
static void
resume_pack(struct wf *w, const char *sscc, struct wf_result *r)
{
	struct st_pack p, outer;
	struct err e;
	int rc;

	if ((rc = st_pack_get(w->db, sscc, &p, &e)) < 0) {
		wf_outcome(r, rc, &e, WF_NONE);
		return;
	}
	if (strcmp(p.state, "open") != 0) {
		wf_fail(r, ERR_REFUSED, _("That pack is not open any more."));
		return;
	}
	if (wf_busy_elsewhere(w, WF_PACK, r))
		return;
	w->npacks = 0;
	if (p.parent[0] != '\0' &&
	    st_pack_get(w->db, p.parent, &outer, &e) == 0 &&
	    strcmp(outer.state, "open") == 0)
		push_pack(w, outer.sscc);
	push_pack(w, p.sscc);
	r->pack = p;
	r->what = WF_PACK_INFO;
}

/* What of the open work belongs to this user: the newest of each kind. */
struct mine {
	int64_t user;
	char pallet[MARK_SSCC_LEN + 1], box[MARK_SSCC_LEN + 1];
	int64_t ship, accept;
};

static int
mine_collect(void *arg, const struct st_open_item *it)
{
	struct mine *m = arg;

	if (it->user_id != m->user)
		return 0;
	if (it->kind == ST_OPEN_PACK)
		snprintf(it->level == ST_BOX ? m->box : m->pallet,
			 MARK_SSCC_LEN + 1, "%s", it->sscc);
	else if (it->kind == ST_OPEN_SHIP)
		m->ship = it->id;
	else
		m->accept = it->id;
	return 0;
}

void
wf_resume(struct wf *w, const char *sscc, struct wf_result *r)
{
	struct mine m = { .user = w->who.user_id };
	struct err e;
	int rc;

	wf_result_reset(r, "resume");
	if (sscc != NULL) {
		resume_pack(w, sscc, r);
		return;
	}
	if ((rc = st_open_work(w->db, mine_collect, &m, &e)) < 0) {
		wf_outcome(r, rc, &e, WF_NONE);
		return;
	}
	if (m.box[0] != '\0' || m.pallet[0] != '\0') {
		resume_pack(w, m.box[0] != '\0' ? m.box : m.pallet, r);
	} else if (m.ship != 0 && !wf_busy_elsewhere(w, WF_SHIP, r)) {
		rc = st_ship_get(w->db, m.ship, &r->ship, &e);
		wf_outcome(r, rc, &e, WF_SHIP_INFO);
		if (rc == 0) {
			w->mode = WF_SHIP;
			w->shipment = m.ship;
		}
	} else if (m.accept != 0 && !wf_busy_elsewhere(w, WF_ACCEPT, r)) {
		w->mode = WF_ACCEPT;
		w->delivery = m.accept;
		r->accept.delivery_id = m.accept;
		r->what = WF_ACCEPT_INFO;
	}
}
