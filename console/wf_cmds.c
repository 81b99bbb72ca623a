/*
 * wf_cmds: the workflow's command words, as one table (workflow.h,
 * struct wf_cmd): name, argument count, the least role, usage, help and
 * handler. Lookup, the login and role checks and usage errors happen once,
 * in wf_run_words, so a handler starts with its arguments counted and its
 * caller allowed.
 *
 * What it must not do: check a role in a handler (that is the table's
 * column, and the store's finer rule), or talk to SQLite directly.
 */
#include <errno.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/export_fmt.h"
#include "console/workflow_int.h"
#include "scanners/i18n.h"

#define LINE_MAX_LEN 1024

static bool
parse_int(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && end != s && *out >= min &&
		*out <= max;
}

/* --- packs --------------------------------------------------------------- */

static void
run_box_open(struct wf *w, char **a, int n, struct wf_result *r,
	     const struct wf_out *o)
{
	(void)o;
	wf_pack_open(w, ST_BOX, n == 1 ? a[0] : NULL, r);
}

static void
run_pallet_open(struct wf *w, char **a, int n, struct wf_result *r,
		const struct wf_out *o)
{
	(void)o;
	wf_pack_open(w, ST_PALLET, n == 1 ? a[0] : NULL, r);
}

static void
run_scan(struct wf *w, char **a, int n, struct wf_result *r,
	 const struct wf_out *o)
{
	size_t len = wf_unescape(a[0]);

	(void)n;
	(void)o;
	wf_scan(w, a[0], len, r);
	/* a command barcode typed here still answers as "scan" */
	snprintf(r->command, sizeof(r->command), "scan");
}

static void
run_close(struct wf *w, char **a, int n, struct wf_result *r,
	  const struct wf_out *o)
{
	(void)o;
	wf_pack_close(w, n == 1 ? a[0] : NULL, r);
}

static void
run_disband(struct wf *w, char **a, int n, struct wf_result *r,
	    const struct wf_out *o)
{
	struct err e;
	int rc = st_pack_disband(w->db, &w->who, a[0], &r->pack, &e);

	(void)n;
	(void)o;
	wf_outcome(r, rc, &e, WF_PACK_INFO);
}

static void
take_put(struct wf *w, char **a, bool put, struct wf_result *r)
{
	struct mark m;
	struct err e;
	size_t len = wf_unescape(a[1]);
	int rc;

	if (!wf_parse_code(a[1], len, &m, r))
		return;
	rc = put ? st_pack_put(w->db, &w->who, a[0], &m, &r->pack, &e) :
		st_pack_take(w->db, &w->who, a[0], &m, &r->pack, &e);
	wf_outcome(r, rc, &e, WF_PACK_INFO);
}

static void
run_take(struct wf *w, char **a, int n, struct wf_result *r,
	 const struct wf_out *o)
{
	(void)n;
	(void)o;
	take_put(w, a, false, r);
}

static void
run_put(struct wf *w, char **a, int n, struct wf_result *r,
	const struct wf_out *o)
{
	(void)n;
	(void)o;
	take_put(w, a, true, r);
}

static void
bad_setting(struct wf_result *r)
{
	wf_fail(r, ERR_INVALID, _("Unknown setting or value: capacity 0 to "
				  "30000; gtin any, single or a valid GTIN; "
				  "crypto on or off."));
}

static void
run_set_capacity(struct wf *w, char **a, int n, struct wf_result *r,
		 const struct wf_out *o)
{
	long v;

	(void)n;
	(void)o;
	if (!parse_int(a[0], 0, 30000, &v)) {
		bad_setting(r);
		return;
	}
	w->next.capacity = (int)v;
	r->what = WF_SETTING_INFO;
}

static void
run_set_gtin(struct wf *w, char **a, int n, struct wf_result *r,
	     const struct wf_out *o)
{
	(void)n;
	(void)o;
	if (strcmp(a[0], "any") != 0 && strcmp(a[0], "single") != 0 &&
	    (strlen(a[0]) != MARK_GTIN_LEN ||
	     mark_check_digit(a[0], 13) != a[0][13] - '0')) {
		bad_setting(r);
		return;
	}
	snprintf(w->next.gtin_policy, sizeof(w->next.gtin_policy), "%s",
		 a[0]);
	r->what = WF_SETTING_INFO;
}

static void
run_set_crypto(struct wf *w, char **a, int n, struct wf_result *r,
	       const struct wf_out *o)
{
	(void)n;
	(void)o;
	if (strcmp(a[0], "on") != 0 && strcmp(a[0], "off") != 0) {
		bad_setting(r);
		return;
	}
	w->next.require_crypto = strcmp(a[0], "on") == 0;
	r->what = WF_SETTING_INFO;
}

/* --- deliveries, acceptance, shipment, export ---------------------------- */

uint64_t
wf_import_max_bytes(void)
{
	const char *s = getenv("SKLAD_IMPORT_MAX_MB");
	long v = s != NULL ? strtol(s, NULL, 10) : 0;

	return v >= 1 && v <= 65536 ? (uint64_t)v << 20 : 0;
}

static void
run_delivery_import(struct wf *w, char **a, int n, struct wf_result *r,
		    const struct wf_out *o)
{
	struct err e;
	int rc = st_delivery_import_path(w->db, &w->who, a[0],
					 wf_import_max_bytes(), &r->delivery,
					 &e);

	(void)n;
	(void)o;
	wf_outcome(r, rc, &e, WF_DELIVERY_INFO);
}

/*
 * export shipment|acceptance N FILE: what the ERP needs for the УПД
 * (export_fmt.h) into FILE: CSV for .csv, JSON for .json, else a whole
 * seller title with the tree (shipment) or the acceptance result (XML).
 */
static void
export_to(struct wf *w, const char *kind, char **a, struct wf_result *r)
{
	struct xf_opts o = { .format = XF_UPD, .tree = true, .cp1251 = true };
	size_t len = strlen(a[1]);
	struct err e;
	long id;
	int rc;

	if (!parse_int(a[0], 1, 0x7fffffff, &id)) {
		wf_fail(r, ERR_INVALID, _("A shipment or delivery is given by "
					  "its number."));
		return;
	}
	if (len > 4 && strcmp(a[1] + len - 4, ".csv") == 0)
		o.format = XF_CSV;
	else if (len > 5 && strcmp(a[1] + len - 5, ".json") == 0)
		o.format = XF_JSON;
	else if (strcmp(kind, "acceptance") == 0)
		o.format = XF_XML;
	rc = xf_export(w->db, kind, id, NULL, &o, a[1], &r->export_codes, &e);
	snprintf(r->export_file, sizeof(r->export_file), "%s", a[1]);
	wf_outcome(r, rc, &e, WF_EXPORT_INFO);
}

static void
run_export_shipment(struct wf *w, char **a, int n, struct wf_result *r,
		    const struct wf_out *o)
{
	(void)n;
	(void)o;
	export_to(w, "shipment", a, r);
}

static void
run_export_acceptance(struct wf *w, char **a, int n, struct wf_result *r,
		      const struct wf_out *o)
{
	(void)n;
	(void)o;
	export_to(w, "acceptance", a, r);
}

static void
run_accept_open(struct wf *w, char **a, int n, struct wf_result *r,
		const struct wf_out *o)
{
	struct err e;
	long id;
	int rc;

	(void)n;
	(void)o;
	if (wf_busy_elsewhere(w, WF_ACCEPT, r))
		return;
	if (!parse_int(a[0], 1, 0x7fffffff, &id)) {
		wf_fail(r, ERR_INVALID, _("A delivery is given by its number "
					  "from `delivery import`."));
		return;
	}
	rc = st_accept_open(w->db, &w->who, id, &r->accept, &e);
	wf_outcome(r, rc, &e, WF_ACCEPT_INFO);
	if (rc == 0) {
		w->mode = WF_ACCEPT;
		w->delivery = id;
	}
}

static void
run_accept_finish(struct wf *w, char **a, int n, struct wf_result *r,
		  const struct wf_out *o)
{
	struct err e;
	int rc;

	(void)o;
	if (n == 1 && strcmp(a[0], "partial") != 0) {
		char msg[ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), _("Usage: %s"),
			 "accept finish [partial]");
		wf_fail(r, ERR_INVALID, msg);
		return;
	}
	if (w->mode != WF_ACCEPT) {
		wf_fail(r, ERR_REFUSED, _("No acceptance is open."));
		return;
	}
	rc = st_accept_finish(w->db, &w->who, w->delivery, n == 1,
			      &r->accept, &e);
	wf_outcome(r, rc, &e, WF_ACCEPT_INFO);
	if (rc == 0)
		w->mode = WF_IDLE;
}

static void
run_ship_open(struct wf *w, char **a, int n, struct wf_result *r,
	      const struct wf_out *o)
{
	struct err e;
	int rc;

	(void)n;
	(void)o;
	if (wf_busy_elsewhere(w, WF_SHIP, r))
		return;
	rc = st_ship_open(w->db, &w->who, a[0], a[1], &r->ship, &e);
	wf_outcome(r, rc, &e, WF_SHIP_INFO);
	if (rc == 0) {
		w->mode = WF_SHIP;
		w->shipment = r->ship.id;
	}
}

/* The shipment this session has open; refused into r if none. */
static bool
open_shipment(const struct wf *w, struct wf_result *r)
{
	if (w->mode == WF_SHIP)
		return true;
	wf_fail(r, ERR_REFUSED, _("No shipment is open."));
	return false;
}

static void
run_ship_turnover(struct wf *w, char **a, int n, struct wf_result *r,
		  const struct wf_out *o)
{
	struct err e;

	(void)n;
	(void)o;
	if (open_shipment(w, r))
		wf_outcome(r, st_ship_turnover(w->db, &w->who, w->shipment,
					       a[0], &r->ship, &e),
			   &e, WF_SHIP_INFO);
}

static void
run_ship_finish(struct wf *w, char **a, int n, struct wf_result *r,
		const struct wf_out *o)
{
	struct err e;
	int rc;

	(void)a;
	(void)n;
	(void)o;
	if (!open_shipment(w, r))
		return;
	rc = st_ship_finish(w->db, &w->who, w->shipment, &r->ship, &e);
	wf_outcome(r, rc, &e, WF_SHIP_INFO);
	if (rc == 0)
		w->mode = WF_IDLE;
}

static void
run_cancel(struct wf *w, char **a, int n, struct wf_result *r,
	   const struct wf_out *o)
{
	(void)o;
	wf_cancel(w, n == 1 ? a[0] : NULL, r);
}

static void
run_resume(struct wf *w, char **a, int n, struct wf_result *r,
	   const struct wf_out *o)
{
	(void)o;
	wf_resume(w, n == 1 ? a[0] : NULL, r);
}

/* --- looking things up ---------------------------------------------------- */

static void
run_where(struct wf *w, char **a, int n, struct wf_result *r,
	  const struct wf_out *o)
{
	struct mark m;
	struct err e;
	size_t len = wf_unescape(a[0]);
	int rc;

	(void)n;
	if (!wf_parse_code(a[0], len, &m, r))
		return;
	rc = st_where(w->db, &m, &r->where, o->on_event, o->arg, &e);
	wf_outcome(r, rc, &e, WF_WHERE_INFO);
	/* Not in stock: a delivery may still expect it, or an acceptance
	 * may have scanned it (open, or as surplus). */
	if (rc == ERR_NOTFOUND)
		st_where_deliveries(w->db, &m, &r->delivery_note, &e);
}

static void
run_docs(struct wf *w, char **a, int n, struct wf_result *r,
	 const struct wf_out *o)
{
	struct err e;
	int rc = o->on_doc != NULL ? st_docs(w->db, o->on_doc, o->arg, &e) : 0;

	(void)a;
	(void)n;
	wf_outcome(r, rc, &e, WF_DOCS_INFO);
}

/* outbox retry N: send a refused document again. */
static void
run_outbox_retry(struct wf *w, char **a, int n, struct wf_result *r,
		 const struct wf_out *o)
{
	struct err e;
	long id;

	(void)n;
	(void)o;
	if (!parse_int(a[0], 1, 0x7fffffff, &id)) {
		wf_fail(r, ERR_INVALID, _("Use: outbox retry N (the document's "
					  "number in the outbox)."));
		return;
	}
	wf_outcome(r, st_outbox_retry(w->db, &w->who, id, &e), &e, 0);
}

/* --- users ---------------------------------------------------------------- */

static void
run_user_add(struct wf *w, char **a, int n, struct wf_result *r,
	     const struct wf_out *o)
{
	struct err e;
	int role, rc;

	(void)n;
	(void)o;
	if ((role = st_role_parse(a[1])) < 0) {
		wf_fail(r, ERR_INVALID, _("The role is operator, supervisor or "
					  "admin."));
		return;
	}
	rc = st_user_add(w->db, &w->who, a[0], (enum st_role)role, a[2], &e);
	wf_outcome(r, rc, &e, WF_USER_INFO);
	snprintf(r->user.user, sizeof(r->user.user), "%s", a[0]);
	r->user.role = (enum st_role)role;
}

/* The account a user command named, for the answer. */
static void
user_outcome(struct wf_result *r, int rc, const struct err *e,
	     const char *name)
{
	wf_outcome(r, rc, e, WF_USER_INFO);
	snprintf(r->user.user, sizeof(r->user.user), "%s", name);
}

static void
run_user_pin(struct wf *w, char **a, int n, struct wf_result *r,
	     const struct wf_out *o)
{
	struct err e;

	(void)n;
	(void)o;
	user_outcome(r, st_user_pin(w->db, &w->who, a[0], a[1], &e), &e,
		     a[0]);
}

static void
run_user_disable(struct wf *w, char **a, int n, struct wf_result *r,
		 const struct wf_out *o)
{
	struct err e;

	(void)n;
	(void)o;
	user_outcome(r, st_user_disable(w->db, &w->who, a[0], true, &e), &e,
		     a[0]);
}

static void
run_user_enable(struct wf *w, char **a, int n, struct wf_result *r,
		const struct wf_out *o)
{
	struct err e;

	(void)n;
	(void)o;
	user_outcome(r, st_user_disable(w->db, &w->who, a[0], false, &e), &e,
		     a[0]);
}

static void
run_user_unlock(struct wf *w, char **a, int n, struct wf_result *r,
		const struct wf_out *o)
{
	struct err e;

	(void)n;
	(void)o;
	user_outcome(r, st_user_unlock(w->db, &w->who, a[0], &e), &e, a[0]);
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

static void
run_user_list(struct wf *w, char **a, int n, struct wf_result *r,
	      const struct wf_out *o)
{
	struct err e;

	(void)a;
	(void)n;
	(void)o;
	wf_outcome(r, st_user_list(w->db, &w->who, user_collect, r, &e), &e,
		   WF_USERS_INFO);
}

static void
run_login(struct wf *w, char **a, int n, struct wf_result *r,
	  const struct wf_out *o)
{
	struct st_actor who;
	struct err e;
	int rc;

	(void)o;
	rc = st_login(w->db, a[0], n == 2 ? a[1] : NULL, w->who.device, &who,
		      &e);
	wf_outcome(r, rc, &e, WF_USER_INFO);
	if (rc == 0) {
		w->who = who;
		w->logged_in = true;
		r->user = who;
	}
}

/* --- the table ------------------------------------------------------------ */

#define OPERATOR ST_OPERATOR
#define SUPERVISOR ST_SUPERVISOR
#define ADMIN ST_ADMIN

const struct wf_cmd wf_cmds[] = {
	{ "box open", 0, 1, OPERATOR, WF_BARCODE, 0,
	  "box open [SSCC]", N_("open a box (the next SSCC if none is "
				"given)"), run_box_open },
	{ "pallet open", 0, 1, OPERATOR, WF_BARCODE, 0,
	  "pallet open [SSCC]", N_("open a pallet (boxes go onto it)"),
	  run_pallet_open },
	{ "scan", 1, 1, OPERATOR, 0, 0, "scan CODE",
	  N_("a scan: into the open pack, acceptance or shipment"),
	  run_scan },
	{ "close", 0, 1, OPERATOR, WF_BARCODE, 0,
	  "close [SSCC]", N_("close the open pack"), run_close },
	{ "disband", 1, 1, SUPERVISOR, 0, ST_ACT_PACK_DISBAND,
	  "disband SSCC", N_("take a pack apart"), run_disband },
	/* a closed pack: a supervisor's (the store's rule) */
	{ "take", 2, 2, OPERATOR, 0, 0, "take SSCC CODE",
	  N_("take one code out of a pack"), run_take },
	{ "put", 2, 2, OPERATOR, 0, 0, "put SSCC CODE",
	  N_("put one code into a pack"), run_put },
	{ "set capacity", 1, 1, OPERATOR, 0, 0, "set capacity N",
	  N_("units per box, boxes per pallet, for the next pack"),
	  run_set_capacity },
	{ "set gtin", 1, 1, OPERATOR, 0, 0, "set gtin any|single|GTIN",
	  N_("which products the next box takes"), run_set_gtin },
	{ "set crypto", 1, 1, OPERATOR, 0, 0, "set crypto on|off",
	  N_("whether the next pack needs codes with their crypto tail"),
	  run_set_crypto },
	{ "delivery import", 1, 1, OPERATOR, 0, 0,
	  "delivery import FILE", N_("import a delivery: a list, True API "
				     "JSON or a УПД"),
	  run_delivery_import },
	{ "accept open", 1, 1, OPERATOR, WF_BARCODE, 0,
	  "accept open DELIVERY", N_("start checking a delivery"),
	  run_accept_open },
	{ "accept finish", 0, 1, OPERATOR, WF_BARCODE, 0,
	  "accept finish [partial]", N_("finish the acceptance"),
	  run_accept_finish },
	{ "ship open", 2, 2, OPERATOR, WF_BARCODE, 0,
	  "ship open INN DOCNUM", N_("start a shipment"), run_ship_open },
	{ "ship turnover", 1, 1, OPERATOR, WF_BARCODE, 0,
	  "ship turnover KIND", N_("SELLING, COMMISSION or AGENT: how the "
				   "goods pass"), run_ship_turnover },
	{ "ship finish", 0, 0, OPERATOR, WF_BARCODE, 0,
	  "ship finish", N_("finish the shipment"), run_ship_finish },
	{ "export shipment", 2, 2, OPERATOR, 0, 0, "export shipment N FILE",
	  N_("a shipment's codes for the ERP: .csv, "
	     ".json or XML"), run_export_shipment },
	{ "export acceptance", 2, 2, OPERATOR, 0, 0,
	  "export acceptance N FILE", N_("what an acceptance found: .csv, "
					 ".json or XML"),
	  run_export_acceptance },
	{ "cancel", 0, 1, OPERATOR, WF_BARCODE, 0,
	  "cancel [SSCC]", N_("drop an empty pack; leave other work "
			      "for now"),
	  run_cancel },
	{ "resume", 0, 1, OPERATOR, 0, 0, "resume [SSCC]",
	  N_("bring back your open work, or go on with pack SSCC"),
	  run_resume },
	{ "where", 1, 1, OPERATOR, 0, 0, "where CODE",
	  N_("where a code is and what happened to it"), run_where },
	{ "docs", 0, 0, OPERATOR, 0, 0, "docs",
	  N_("the documents for the state system"), run_docs },
	{ "outbox retry", 1, 1, SUPERVISOR, 0, ST_ACT_OUTBOX_RETRY,
	  "outbox retry N", N_("send refused document N again"),
	  run_outbox_retry },
	{ "user add", 3, 3, ADMIN, 0, ST_ACT_USER_ADD,
	  "user add NAME ROLE PIN", N_("add a user: operator, supervisor "
				       "or admin"), run_user_add },
	/* your own PIN; an operator's: a supervisor; anyone's: an admin */
	{ "user pin", 2, 2, OPERATOR, 0, 0, "user pin NAME PIN",
	  N_("yours; a supervisor: an operator's; an "
	     "admin: any"), run_user_pin },
	{ "user disable", 1, 1, ADMIN, 0, ST_ACT_USER_DISABLE,
	  "user disable NAME", N_("stop a user logging in"),
	  run_user_disable },
	{ "user enable", 1, 1, ADMIN, 0, ST_ACT_USER_ENABLE,
	  "user enable NAME", N_("let a disabled user log in again"),
	  run_user_enable },
	{ "user unlock", 1, 1, SUPERVISOR, 0, ST_ACT_USER_UNLOCK,
	  "user unlock NAME", N_("lift a lock after wrong PINs"),
	  run_user_unlock },
	{ "user list", 0, 0, SUPERVISOR, 0, ST_ACT_USER_LIST, "user list",
	  N_("users, roles, disabled, locked until"), run_user_list },
	{ "login", 1, 2, OPERATOR, WF_NO_LOGIN, 0,
	  "login NAME PIN", N_("switch user"), run_login },
	{ NULL, 0, 0, OPERATOR, 0, 0, NULL, NULL, NULL },
};

/* Does name ("box open") consist of words[0..k)? */
static bool
name_is(const char *name, char *const *words, int k)
{
	size_t len;
	int i;

	for (i = 0; i < k; i++) {
		len = strlen(words[i]);
		if (strncmp(name, words[i], len) != 0)
			return false;
		name += len;
		if (i + 1 < k && *name++ != ' ')
			return false;
	}
	return *name == '\0';
}

const struct wf_cmd *
wf_cmd_find(char *const *words, int n, int *nname)
{
	const struct wf_cmd *c;
	int k;

	for (k = n >= 2 ? 2 : n; k >= 1; k--)
		for (c = wf_cmds; c->name != NULL; c++)
			if (name_is(c->name, words, k)) {
				*nname = k;
				return c;
			}
	return NULL;
}

/* Is word the first word of a two-word command ("user", "box")? */
static bool
family(const char *word)
{
	const struct wf_cmd *c;
	size_t len = strlen(word);

	for (c = wf_cmds; c->name != NULL; c++)
		if (strncmp(c->name, word, len) == 0 && c->name[len] == ' ')
			return true;
	return false;
}

/* No such command: the usages of its family ("user ..."), or unknown. */
static void
unknown(const char *word, struct wf_result *r)
{
	char list[ERR_MSG_MAX] = "", msg[ERR_MSG_MAX];
	const struct wf_cmd *c;
	size_t len = strlen(word), at = 0;

	if (!family(word)) {
		snprintf(msg, sizeof(msg), _("Unknown command: %s"), word);
		wf_fail(r, ERR_INVALID, msg);
		return;
	}
	for (c = wf_cmds; c->name != NULL && at < sizeof(list); c++)
		if (strncmp(c->name, word, len) == 0 && c->name[len] == ' ')
			at += (size_t)snprintf(list + at, sizeof(list) - at,
					       "%s%s", at > 0 ? " | " : "",
					       c->usage);
	snprintf(msg, sizeof(msg), _("Usage: %s"), list);
	wf_fail(r, ERR_INVALID, msg);
}

/* Refused for want of a role: said, and audited as the command's act
 * with what it named (never a PIN: that is never the first argument). */
static void
denied(struct wf *w, const struct wf_cmd *c, char **a, int n,
       struct wf_result *r)
{
	char msg[ERR_MSG_MAX];
	struct err e;

	if (c->role == ST_ADMIN)
		snprintf(msg, sizeof(msg), _("Only an admin may use %s."),
			 c->name);
	else
		snprintf(msg, sizeof(msg), _("Only a supervisor or an admin "
					     "may use %s."), c->name);
	wf_fail(r, ERR_DENIED, msg);
	st_audit_denied(w->db, &w->who, c->act, n > 0 ? a[0] : NULL, msg,
			&e);
}

void
wf_run_words(struct wf *w, char **words, int n, struct wf_result *r,
	     const struct wf_out *out)
{
	int nname = 0;
	const struct wf_cmd *c = wf_cmd_find(words, n, &nname);
	char name[32], msg[ERR_MSG_MAX], **a = words + nname;
	int na = n - nname;

	/* Results are labelled "box open", "user frob": the words that
	 * name the command (or would), without its arguments. */
	if (c == NULL && n >= 2 && family(words[0]))
		snprintf(name, sizeof(name), "%s %s", words[0], words[1]);
	else
		snprintf(name, sizeof(name), "%s",
			 c != NULL ? c->name : words[0]);
	wf_result_reset(r, name);
	if (!w->logged_in && (c == NULL || !(c->flags & WF_NO_LOGIN))) {
		wf_fail(r, ERR_DENIED, _("Log in first."));
		return;
	}
	if (c == NULL) {
		unknown(words[0], r);
		return;
	}
	if (w->who.role < c->role) {
		denied(w, c, a, na, r);
		return;
	}
	if (na < c->min_args || na > c->max_args) {
		snprintf(msg, sizeof(msg), _("Usage: %s"), c->usage);
		wf_fail(r, ERR_INVALID, msg);
		return;
	}
	c->run(w, a, na, r, out);
}

void
wf_command(struct wf *w, const char *line, struct wf_result *r,
	   int (*on_event)(void *arg, const struct st_event *ev),
	   int (*on_doc)(void *arg, const struct st_doc *d), void *arg)
{
	const struct wf_out out = { on_event, on_doc, arg };
	char buf[LINE_MAX_LEN], *words[WF_MAX_WORDS], *save = NULL, *t;
	int n = 0;

	wf_result_reset(r, "");
	if (strlen(line) >= sizeof(buf)) {
		wf_fail(r, ERR_INVALID, _("The command line is too long."));
		return;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == WF_MAX_WORDS) {
			wf_fail(r, ERR_INVALID, _("Too many words in the "
						  "command."));
			return;
		}
		words[n++] = t;
	}
	if (n == 0) {
		wf_fail(r, ERR_INVALID, _("Empty command."));
		return;
	}
	wf_run_words(w, words, n, r, &out);
}
