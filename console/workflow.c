/*
 * workflow: session state and the meaning of each command (workflow.h).
 */
#include <ctype.h>
#include <errno.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/export_fmt.h"
#include "console/workflow.h"
#include "scanners/i18n.h"

#define MAX_WORDS 8
#define LINE_MAX_LEN 1024

const char *const wf_help[] = {
	"box open [SSCC]          open a box (next SSCC if none scanned)",
	"pallet open [SSCC]       open a pallet (boxes go onto it)",
	"scan CODE                a scan: into the open pack, acceptance or "
	"shipment",
	"close [SSCC]             close the open pack",
	"disband SSCC             take a pack apart (supervisor)",
	"take SSCC CODE           take one code out of a pack",
	"put SSCC CODE            put one code into a closed pack",
	"set capacity N | set gtin any|single|GTIN | set crypto on|off",
	"delivery import FILE     import an incoming delivery (a list, "
	"True API JSON or a УПД)",
	"export shipment|acceptance N FILE   codes for the ERP's УПД "
	"(.csv, .json, else XML)",
	"accept open DELIVERY     start checking a delivery",
	"accept finish [partial]  finish the acceptance",
	"ship open INN DOCNUM     start a shipment",
	"ship finish              finish the shipment",
	"cancel [SSCC]            leave the acceptance or shipment for now "
	"(an empty shipment is dropped); cancel an empty pack",
	"resume [SSCC]            bring back this user's open work, or go "
	"on with pack SSCC",
	"where CODE               where a code is and what happened to it",
	"docs                     the documents for the state system",
	"outbox retry N           send refused document N again (supervisor)",
	"user add NAME ROLE PIN   add a user (admin)",
	"user pin NAME PIN        set a PIN: your own; an operator's "
	"(supervisor); anyone's (admin)",
	"user disable NAME | user enable NAME   (admin)",
	"user unlock NAME         lift a lock after wrong PINs (supervisor)",
	"user list                users, roles, disabled, locked until "
	"(supervisor)",
	"login NAME PIN           switch user",
	NULL,
};

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

static void
result_reset(struct wf_result *r, const char *command)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->command, sizeof(r->command), "%s", command);
}

static void
fail(struct wf_result *r, int code, const char *msg)
{
	r->rc = err_set(&r->err, code, "%s", msg);
}

/* Copy r->err from a store call's outcome. */
static void
outcome(struct wf_result *r, int rc, const struct err *e, enum wf_what what)
{
	r->rc = rc;
	if (rc < 0)
		r->err = *e;
	else
		r->what = what;
}

/* "\x1d" in a script word stands for GS. Decodes in place. */
static size_t
unescape(char *s)
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

static const char *
current_pack(const struct wf *w)
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
static bool
busy_elsewhere(const struct wf *w, enum wf_mode want, struct wf_result *r)
{
	if (w->mode == WF_IDLE || w->mode == want)
		return false;
	if (w->mode == WF_PACK) {
		char msg[ERR_MSG_MAX];

		/* Say which: the operator can go to it and close or cancel
		 * it. */
		snprintf(msg, sizeof(msg), _("Pack %s is open: close it first, "
			 "or cancel it if it is empty."), current_pack(w));
		fail(r, ERR_REFUSED, msg);
	} else if (w->mode == WF_ACCEPT)
		fail(r, ERR_REFUSED, _("An acceptance is open: finish it or "
				       "cancel it first."));
	else
		fail(r, ERR_REFUSED, _("A shipment is open: finish it or "
				       "cancel it first."));
	return true;
}

static void
pack_open(struct wf *w, enum st_level level, const char *sscc,
	  struct wf_result *r)
{
	const char *parent = current_pack(w);
	struct st_pack top;
	struct err e;
	int rc;

	if (busy_elsewhere(w, WF_PACK, r))
		return;
	if (parent != NULL) {
		if ((rc = st_pack_get(w->db, parent, &top, &e)) < 0) {
			outcome(r, rc, &e, WF_NONE);
			return;
		}
		if (top.level == ST_BOX) {
			char msg[ERR_MSG_MAX];

			snprintf(msg, sizeof(msg), _("Box %s is still open: "
				 "close it first."), parent);
			fail(r, ERR_REFUSED, msg);
			return;
		}
	}
	rc = st_pack_open(w->db, &w->who, level, sscc, parent, &w->next,
			  &r->pack, &e);
	outcome(r, rc, &e, WF_PACK_INFO);
	if (rc == 0)
		push_pack(w, r->pack.sscc);
}

static void
pack_close(struct wf *w, const char *sscc, struct wf_result *r)
{
	const char *cur = current_pack(w);
	struct err e;
	int rc;

	if (sscc == NULL)
		sscc = cur;
	if (sscc == NULL) {
		fail(r, ERR_REFUSED, _("No pack is open."));
		return;
	}
	rc = st_pack_close(w->db, &w->who, sscc, &r->pack, &e);
	outcome(r, rc, &e, WF_PACK_INFO);
	if (rc == 0 && cur != NULL && strcmp(cur, r->pack.sscc) == 0)
		pop_pack(w);
}

/* Parse a code typed as an argument: a scan, a КИ or an SSCC. */
static bool
parse_code(const char *text, size_t len, struct mark *m,
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
	fail(r, ERR_INVALID, why);
	return false;
}

static void
scan_pack(struct wf *w, const struct mark *m, const char *scan, size_t len,
	  struct wf_result *r)
{
	struct err e;
	int rc = st_pack_scan(w->db, &w->who, current_pack(w), m, scan, len,
			      &r->pack, &e);

	outcome(r, rc, &e, WF_PACK_INFO);
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
	fail(r, ERR_REFUSED, _("Nothing is open: open a box or pallet, an "
			       "acceptance or a shipment first."));
	st_audit_refusal(w->db, &w->who, scan, len, r->err.msg, &e);
}

static void run_words(struct wf *w, char **words, int n, struct wf_result *r,
		      int (*on_event)(void *, const struct st_event *),
		      int (*on_doc)(void *, const struct st_doc *),
		      void *arg);

/* Command barcodes may run only these: nothing that adds users. */
static bool
barcode_allowed(const char *first)
{
	static const char *const ok[] = {
		"close", "box", "pallet", "accept", "ship", "cancel", NULL
	};
	int i;

	for (i = 0; ok[i] != NULL; i++)
		if (strcmp(first, ok[i]) == 0)
			return true;
	return false;
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

int
wf_barcode_add(const char *spec, struct err *e)
{
	const char *eq = strchr(spec, '=');
	size_t tlen = eq != NULL ? (size_t)(eq - spec) : 0;
	char first[MARK_COMMAND_MAX + 1];

	if (eq == NULL || tlen == 0 || tlen > MARK_COMMAND_MAX ||
	    eq[1] == '\0' || strlen(eq + 1) > MARK_COMMAND_MAX)
		return err_set(e, ERR_INVALID, "%s", _("A station barcode is "
			       "given as TEXT=COMMAND, each at most 64 "
			       "characters."));
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(eq + 1, " "),
		 eq + 1);
	if (!barcode_allowed(first))
		return err_set(e, ERR_INVALID, _("A barcode may run close, box,"
			       " pallet, accept, ship or cancel, not %s."),
			       first);
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
	char line[MARK_COMMAND_MAX + 1], *words[MAX_WORDS], *save = NULL;
	char *t;
	int n = 0, i;

	/* SKLAD:ACCEPT_FINISH_PARTIAL -> "accept finish partial" */
	for (i = 0; cmd[i] != '\0' && i < MARK_COMMAND_MAX; i++)
		line[i] = cmd[i] == '_' ? ' ' :
			(char)tolower((unsigned char)cmd[i]);
	line[i] = '\0';
	for (t = strtok_r(line, " ", &save); t != NULL && n < MAX_WORDS;
	     t = strtok_r(NULL, " ", &save))
		words[n++] = t;
	if (n == 0 || !barcode_allowed(words[0])) {
		fail(r, ERR_REFUSED, _("This command barcode is not one "
				       "sklad knows."));
		return;
	}
	run_words(w, words, n, r, NULL, NULL, NULL);
}

void
wf_scan(struct wf *w, const char *scan, size_t len, struct wf_result *r)
{
	const char *cmd;
	struct mark m;
	struct err e;
	int rc;

	result_reset(r, "scan");
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
		fail(r, ERR_INVALID, why);
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
		outcome(r, rc, &e, WF_ACCEPT_INFO);
		break;
	case WF_SHIP:
		rc = st_ship_scan(w->db, &w->who, w->shipment, &m, &r->ship,
				  &e);
		outcome(r, rc, &e, WF_SHIP_INFO);
		break;
	case WF_IDLE:
		scan_idle(w, &m, scan, len, r);
		break;
	}
}

/* --- the command words --------------------------------------------------- */

static bool
want_args(struct wf_result *r, int n, int min, int max, const char *usage)
{
	char msg[ERR_MSG_MAX];

	if (n >= min && n <= max)
		return true;
	snprintf(msg, sizeof(msg), _("Usage: %s"), usage);
	fail(r, ERR_INVALID, msg);
	return false;
}

static bool
parse_int(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && end != s && *out >= min &&
		*out <= max;
}

static void
cmd_set(struct wf *w, char **a, int n, struct wf_result *r)
{
	long v;

	if (!want_args(r, n, 2, 2, "set capacity N | set gtin any|single|GTIN"
		       " | set crypto on|off"))
		return;
	r->what = WF_SETTING_INFO;
	if (strcmp(a[0], "capacity") == 0 && parse_int(a[1], 0, 30000, &v)) {
		w->next.capacity = (int)v;
	} else if (strcmp(a[0], "gtin") == 0 &&
		   (strcmp(a[1], "any") == 0 || strcmp(a[1], "single") == 0 ||
		    (strlen(a[1]) == MARK_GTIN_LEN &&
		     mark_check_digit(a[1], 13) == a[1][13] - '0'))) {
		snprintf(w->next.gtin_policy, sizeof(w->next.gtin_policy),
			 "%s", a[1]);
	} else if (strcmp(a[0], "crypto") == 0 &&
		   (strcmp(a[1], "on") == 0 || strcmp(a[1], "off") == 0)) {
		w->next.require_crypto = strcmp(a[1], "on") == 0;
	} else {
		r->what = WF_NONE;
		fail(r, ERR_INVALID, _("Unknown setting or value: capacity 0 "
				       "to 30000; gtin any, single or a valid "
				       "GTIN; crypto on or off."));
	}
}

static void
cmd_take_put(struct wf *w, char **a, int n, bool put, struct wf_result *r)
{
	struct mark m;
	struct err e;
	size_t len;
	int rc;

	if (!want_args(r, n, 2, 2, put ? "put SSCC CODE" : "take SSCC CODE"))
		return;
	len = unescape(a[1]);
	if (!parse_code(a[1], len, &m, r))
		return;
	rc = put ? st_pack_put(w->db, &w->who, a[0], &m, &r->pack, &e) :
		st_pack_take(w->db, &w->who, a[0], &m, &r->pack, &e);
	outcome(r, rc, &e, WF_PACK_INFO);
}

uint64_t
wf_import_max_bytes(void)
{
	const char *s = getenv("SKLAD_IMPORT_MAX_MB");
	long v = s != NULL ? strtol(s, NULL, 10) : 0;

	return v >= 1 && v <= 65536 ? (uint64_t)v << 20 : 0;
}

static void
cmd_delivery(struct wf *w, char **a, int n, struct wf_result *r)
{
	struct err e;
	int rc;

	if (n != 2 || strcmp(a[0], "import") != 0) {
		fail(r, ERR_INVALID, _("Usage: delivery import FILE"));
		return;
	}
	rc = st_delivery_import_path(w->db, &w->who, a[1],
				     wf_import_max_bytes(), &r->delivery, &e);
	outcome(r, rc, &e, WF_DELIVERY_INFO);
}

/*
 * export shipment|acceptance N FILE: what the ERP needs for the УПД
 * (export_fmt.h) into FILE: CSV for .csv, JSON for .json, else a whole
 * seller title with the tree (shipment) or the acceptance result (XML).
 */
static void
cmd_export(struct wf *w, char **a, int n, struct wf_result *r)
{
	struct xf_opts o = { .format = XF_UPD, .tree = true, .cp1251 = true };
	size_t len;
	struct err e;
	long id;
	int rc;

	if (n != 3 || (strcmp(a[0], "shipment") != 0 &&
		       strcmp(a[0], "acceptance") != 0)) {
		fail(r, ERR_INVALID, _("Usage: export shipment|acceptance N "
				       "FILE"));
		return;
	}
	if (!parse_int(a[1], 1, 0x7fffffff, &id)) {
		fail(r, ERR_INVALID, _("A shipment or delivery is given by "
				       "its number."));
		return;
	}
	len = strlen(a[2]);
	if (len > 4 && strcmp(a[2] + len - 4, ".csv") == 0)
		o.format = XF_CSV;
	else if (len > 5 && strcmp(a[2] + len - 5, ".json") == 0)
		o.format = XF_JSON;
	else if (strcmp(a[0], "acceptance") == 0)
		o.format = XF_XML;
	rc = xf_export(w->db, a[0], id, NULL, &o, a[2], &r->export_codes, &e);
	snprintf(r->export_file, sizeof(r->export_file), "%s", a[2]);
	outcome(r, rc, &e, WF_EXPORT_INFO);
}

static void
cmd_accept(struct wf *w, char **a, int n, struct wf_result *r)
{
	struct err e;
	long id;
	int rc;

	if (n >= 1 && strcmp(a[0], "open") == 0) {
		if (!want_args(r, n, 2, 2, "accept open DELIVERY") ||
		    busy_elsewhere(w, WF_ACCEPT, r))
			return;
		if (!parse_int(a[1], 1, 0x7fffffff, &id)) {
			fail(r, ERR_INVALID, _("A delivery is given by its "
					       "number from `delivery "
					       "import`."));
			return;
		}
		rc = st_accept_open(w->db, &w->who, id, &r->accept, &e);
		outcome(r, rc, &e, WF_ACCEPT_INFO);
		if (rc == 0) {
			w->mode = WF_ACCEPT;
			w->delivery = id;
		}
	} else if (n >= 1 && strcmp(a[0], "finish") == 0) {
		bool partial = n == 2 && strcmp(a[1], "partial") == 0;

		if (!want_args(r, n, 1, partial ? 2 : 1,
			       "accept finish [partial]"))
			return;
		if (w->mode != WF_ACCEPT) {
			fail(r, ERR_REFUSED, _("No acceptance is open."));
			return;
		}
		rc = st_accept_finish(w->db, &w->who, w->delivery, partial,
				      &r->accept, &e);
		outcome(r, rc, &e, WF_ACCEPT_INFO);
		if (rc == 0)
			w->mode = WF_IDLE;
	} else {
		fail(r, ERR_INVALID, _("Usage: accept open DELIVERY | accept "
				       "finish [partial]"));
	}
}

static void
cmd_ship(struct wf *w, char **a, int n, struct wf_result *r)
{
	struct err e;
	int rc;

	if (n >= 1 && strcmp(a[0], "open") == 0) {
		if (!want_args(r, n, 3, 3, "ship open INN DOCNUM") ||
		    busy_elsewhere(w, WF_SHIP, r))
			return;
		rc = st_ship_open(w->db, &w->who, a[1], a[2], &r->ship, &e);
		outcome(r, rc, &e, WF_SHIP_INFO);
		if (rc == 0) {
			w->mode = WF_SHIP;
			w->shipment = r->ship.id;
		}
	} else if (n == 1 && strcmp(a[0], "finish") == 0) {
		if (w->mode != WF_SHIP) {
			fail(r, ERR_REFUSED, _("No shipment is open."));
			return;
		}
		rc = st_ship_finish(w->db, &w->who, w->shipment, &r->ship, &e);
		outcome(r, rc, &e, WF_SHIP_INFO);
		if (rc == 0)
			w->mode = WF_IDLE;
	} else if (n == 2 && strcmp(a[0], "turnover") == 0) {
		if (w->mode != WF_SHIP) {
			fail(r, ERR_REFUSED, _("No shipment is open."));
			return;
		}
		rc = st_ship_turnover(w->db, &w->who, w->shipment, a[1],
				      &r->ship, &e);
		outcome(r, rc, &e, WF_SHIP_INFO);
	} else {
		fail(r, ERR_INVALID, _("Usage: ship open INN DOCNUM | ship "
				       "turnover SELLING|COMMISSION|AGENT | "
				       "ship finish"));
	}
}

static void
user_add(struct wf *w, char **a, int n, struct wf_result *r)
{
	struct err e;
	int role, rc;

	if (!want_args(r, n, 3, 3, "user add NAME ROLE PIN"))
		return;
	if ((role = st_role_parse(a[1])) < 0) {
		fail(r, ERR_INVALID, _("The role is operator, supervisor or "
				       "admin."));
		return;
	}
	rc = st_user_add(w->db, &w->who, a[0], (enum st_role)role, a[2], &e);
	outcome(r, rc, &e, WF_USER_INFO);
	snprintf(r->user.user, sizeof(r->user.user), "%s", a[0]);
	r->user.role = (enum st_role)role;
}

static int
user_collect(void *arg, const struct st_user_info *u)
{
	struct wf_result *r = arg;

	if (r->nusers < WF_USERS_MAX)
		r->users[r->nusers++] = *u;
	else
		r->more_users++;
	return 0;
}

/* user pin|disable|enable|unlock NAME ...: one account, one store call. */
static void
user_one(struct wf *w, const char *verb, char **a, int n,
	 struct wf_result *r)
{
	struct err e;
	int rc;

	if (strcmp(verb, "pin") == 0) {
		if (!want_args(r, n, 2, 2, "user pin NAME PIN"))
			return;
		rc = st_user_pin(w->db, &w->who, a[0], a[1], &e);
	} else {
		if (!want_args(r, n, 1, 1, "user disable|enable|unlock NAME"))
			return;
		if (strcmp(verb, "unlock") == 0)
			rc = st_user_unlock(w->db, &w->who, a[0], &e);
		else
			rc = st_user_disable(w->db, &w->who, a[0],
					     verb[0] == 'd', &e);
	}
	outcome(r, rc, &e, WF_USER_INFO);
	snprintf(r->user.user, sizeof(r->user.user), "%s", a[0]);
}

static void
cmd_user(struct wf *w, char **a, int n, struct wf_result *r)
{
	struct err e;
	int rc;

	if (n >= 1 && strcmp(a[0], "add") == 0) {
		user_add(w, a + 1, n - 1, r);
	} else if (n >= 1 && (strcmp(a[0], "pin") == 0 ||
			      strcmp(a[0], "disable") == 0 ||
			      strcmp(a[0], "enable") == 0 ||
			      strcmp(a[0], "unlock") == 0)) {
		user_one(w, a[0], a + 1, n - 1, r);
	} else if (n == 1 && strcmp(a[0], "list") == 0) {
		rc = st_user_list(w->db, &w->who, user_collect, r, &e);
		outcome(r, rc, &e, WF_USERS_INFO);
	} else {
		fail(r, ERR_INVALID, _("Usage: user add NAME ROLE PIN | user "
				       "pin NAME PIN | user disable|enable|"
				       "unlock NAME | user list"));
	}
}

static void
cmd_login(struct wf *w, char **a, int n, struct wf_result *r)
{
	struct st_actor who;
	struct err e;
	int rc;

	if (!want_args(r, n, 1, 2, "login NAME PIN"))
		return;
	rc = st_login(w->db, a[0], n == 2 ? a[1] : NULL, w->who.device, &who,
		      &e);
	outcome(r, rc, &e, WF_USER_INFO);
	if (rc == 0) {
		w->who = who;
		w->logged_in = true;
		r->user = who;
	}
}

static void
cmd_where(struct wf *w, char **a, int n, struct wf_result *r,
	  int (*on_event)(void *, const struct st_event *), void *arg)
{
	struct mark m;
	struct err e;
	size_t len;
	int rc;

	if (!want_args(r, n, 1, 1, "where CODE"))
		return;
	len = unescape(a[0]);
	if (!parse_code(a[0], len, &m, r))
		return;
	rc = st_where(w->db, &m, &r->where, on_event, arg, &e);
	outcome(r, rc, &e, WF_WHERE_INFO);
	/* Not in stock: a delivery may still expect it, or an acceptance
	 * may have scanned it (open, or as surplus). */
	if (rc == ERR_NOTFOUND)
		st_where_deliveries(w->db, &m, &r->delivery_note, &e);
}

/*
 * cancel [SSCC]: an empty pack opened by mistake goes (the named one, or
 * the session's own); otherwise leave the acceptance or shipment for
 * now, dropping a shipment with nothing on it.
 */
static void
cmd_cancel(struct wf *w, const char *sscc, struct wf_result *r)
{
	const char *cur = current_pack(w);
	struct err e;
	int rc;

	if (sscc == NULL && cur == NULL) {
		if (w->mode == WF_SHIP &&
		    (rc = st_ship_cancel(w->db, w->shipment, &e)) < 0) {
			outcome(r, rc, &e, WF_NONE);
			return;
		}
		w->mode = WF_IDLE;
		return;
	}
	rc = st_pack_cancel(w->db, &w->who, sscc != NULL ? sscc : cur,
			    &r->pack, &e);
	outcome(r, rc, &e, WF_PACK_INFO);
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
		outcome(r, rc, &e, WF_NONE);
		return;
	}
	if (strcmp(p.state, "open") != 0) {
		fail(r, ERR_REFUSED, _("That pack is not open any more."));
		return;
	}
	if (busy_elsewhere(w, WF_PACK, r))
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

	result_reset(r, "resume");
	if (sscc != NULL) {
		resume_pack(w, sscc, r);
		return;
	}
	if ((rc = st_open_work(w->db, mine_collect, &m, &e)) < 0) {
		outcome(r, rc, &e, WF_NONE);
		return;
	}
	if (m.box[0] != '\0' || m.pallet[0] != '\0') {
		resume_pack(w, m.box[0] != '\0' ? m.box : m.pallet, r);
	} else if (m.ship != 0 && !busy_elsewhere(w, WF_SHIP, r)) {
		rc = st_ship_get(w->db, m.ship, &r->ship, &e);
		outcome(r, rc, &e, WF_SHIP_INFO);
		if (rc == 0) {
			w->mode = WF_SHIP;
			w->shipment = m.ship;
		}
	} else if (m.accept != 0 && !busy_elsewhere(w, WF_ACCEPT, r)) {
		w->mode = WF_ACCEPT;
		w->delivery = m.accept;
		r->accept.delivery_id = m.accept;
		r->what = WF_ACCEPT_INFO;
	}
}

/* outbox retry N: a supervisor sends a refused document again. */
static void
cmd_outbox(struct wf *w, char **a, int n, struct wf_result *r)
{
	char *end = NULL;
	long long id;
	struct err e;

	if (!want_args(r, n, 2, 2, "outbox retry N"))
		return;
	id = strtoll(a[1], &end, 10);
	if (strcmp(a[0], "retry") != 0 || end == a[1] || *end != '\0' ||
	    id <= 0) {
		fail(r, ERR_INVALID, _("Use: outbox retry N (the document's "
				       "number in the outbox)."));
		return;
	}
	outcome(r, st_outbox_retry(w->db, &w->who, id, &e), &e, 0);
}

static void
cmd_scan_word(struct wf *w, char **a, int n, struct wf_result *r)
{
	size_t len;

	if (!want_args(r, n, 1, 1, "scan CODE"))
		return;
	len = unescape(a[0]);
	wf_scan(w, a[0], len, r);
}

static void
run_words(struct wf *w, char **words, int n, struct wf_result *r,
	  int (*on_event)(void *, const struct st_event *),
	  int (*on_doc)(void *, const struct st_doc *), void *arg)
{
	static const char *const two_words[] = {
		"box", "pallet", "delivery", "accept", "ship", "user", "set",
		"outbox", "export", NULL
	};
	const char *c = words[0];
	char **a = words + 1, name[32];
	int na = n - 1, i;
	struct err e;
	int rc;

	/* Results are labelled "box open", "accept finish", ...: the words
	 * that name the command, without its arguments. */
	snprintf(name, sizeof(name), "%s", c);
	for (i = 0; two_words[i] != NULL && na > 0; i++)
		if (strcmp(c, two_words[i]) == 0)
			snprintf(name, sizeof(name), "%s %s", c, a[0]);
	result_reset(r, name);
	if (!w->logged_in && strcmp(c, "login") != 0) {
		fail(r, ERR_DENIED, _("Log in first."));
		return;
	}
	if ((strcmp(c, "box") == 0 || strcmp(c, "pallet") == 0) && na >= 1 &&
	    strcmp(a[0], "open") == 0) {
		if (want_args(r, na, 1, 2, "box|pallet open [SSCC]"))
			pack_open(w, c[0] == 'b' ? ST_BOX : ST_PALLET,
				  na == 2 ? a[1] : NULL, r);
	} else if (strcmp(c, "scan") == 0) {
		cmd_scan_word(w, a, na, r);
		snprintf(r->command, sizeof(r->command), "scan");
	} else if (strcmp(c, "close") == 0) {
		if (want_args(r, na, 0, 1, "close [SSCC]"))
			pack_close(w, na == 1 ? a[0] : NULL, r);
	} else if (strcmp(c, "disband") == 0) {
		if (want_args(r, na, 1, 1, "disband SSCC")) {
			rc = st_pack_disband(w->db, &w->who, a[0], &r->pack,
					     &e);
			outcome(r, rc, &e, WF_PACK_INFO);
		}
	} else if (strcmp(c, "take") == 0 || strcmp(c, "put") == 0) {
		cmd_take_put(w, a, na, c[0] == 'p', r);
	} else if (strcmp(c, "set") == 0) {
		cmd_set(w, a, na, r);
	} else if (strcmp(c, "delivery") == 0) {
		cmd_delivery(w, a, na, r);
	} else if (strcmp(c, "export") == 0) {
		cmd_export(w, a, na, r);
	} else if (strcmp(c, "accept") == 0) {
		cmd_accept(w, a, na, r);
	} else if (strcmp(c, "ship") == 0) {
		cmd_ship(w, a, na, r);
	} else if (strcmp(c, "cancel") == 0) {
		if (want_args(r, na, 0, 1, "cancel [SSCC]"))
			cmd_cancel(w, na == 1 ? a[0] : NULL, r);
	} else if (strcmp(c, "resume") == 0) {
		if (want_args(r, na, 0, 1, "resume [SSCC]"))
			wf_resume(w, na == 1 ? a[0] : NULL, r);
	} else if (strcmp(c, "where") == 0) {
		cmd_where(w, a, na, r, on_event, arg);
	} else if (strcmp(c, "docs") == 0) {
		rc = on_doc != NULL ? st_docs(w->db, on_doc, arg, &e) : 0;
		outcome(r, rc, &e, WF_DOCS_INFO);
	} else if (strcmp(c, "outbox") == 0) {
		cmd_outbox(w, a, na, r);
	} else if (strcmp(c, "user") == 0) {
		cmd_user(w, a, na, r);
	} else if (strcmp(c, "login") == 0) {
		cmd_login(w, a, na, r);
	} else {
		char msg[ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), _("Unknown command: %s"), c);
		fail(r, ERR_INVALID, msg);
	}
}

void
wf_command(struct wf *w, const char *line, struct wf_result *r,
	   int (*on_event)(void *arg, const struct st_event *ev),
	   int (*on_doc)(void *arg, const struct st_doc *d), void *arg)
{
	char buf[LINE_MAX_LEN], *words[MAX_WORDS], *save = NULL, *t;
	int n = 0;

	result_reset(r, "");
	if (strlen(line) >= sizeof(buf)) {
		fail(r, ERR_INVALID, _("The command line is too long."));
		return;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_WORDS) {
			fail(r, ERR_INVALID, _("Too many words in the "
					       "command."));
			return;
		}
		words[n++] = t;
	}
	if (n == 0) {
		fail(r, ERR_INVALID, _("Empty command."));
		return;
	}
	run_words(w, words, n, r, on_event, on_doc, arg);
}
