/*
 * cmd_exec: `sklad init` and `sklad exec`.
 *
 * Both take a PIN the way cli_pin.c does (SKLAD_PIN, --pin-file, or for
 * init typed on the terminal), never as an argument: init for the first
 * admin, exec to log in as --user like the console's login screen.
 *
 * exec reads commands from stdin, one per line, runs each through the same
 * workflow functions the console uses, and prints one JSON object per
 * command: ok, error, and the command's results. A line is printed (and
 * flushed) only after its transaction committed, so a script, like an
 * operator, never sees OK for something that is not on disk.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/cli.h"
#include "console/workflow.h"

static json_t *
nullable_text(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
nullable_id(int64_t id)
{
	return id != 0 ? json_integer(id) : json_null();
}

static int
collect_event(void *arg, const struct st_event *ev)
{
	json_array_append_new((json_t *)arg, json_pack("{s:s, s:o, s:o, s:s,"
		" s:b, s:o, s:o}", "at", ev->at, "user", nullable_text(ev->user),
		"device", nullable_text(ev->device), "action", ev->action, "ok",
		ev->ok, "pack", nullable_text(ev->pack), "reason",
		nullable_text(ev->reason)));
	return 0;
}

static int
collect_doc(void *arg, const struct st_doc *d)
{
	json_array_append_new((json_t *)arg, json_pack("{s:I, s:s, s:s, s:i,"
		" s:o, s:i, s:o, s:o, s:o, s:b, s:o, s:o}", "id",
		(json_int_t)d->id,
		"type", d->type, "state", d->state, "codes", d->codes,
		"server_id", nullable_text(d->server_id), "attempts",
		d->attempts, "last_error", nullable_text(d->last_error),
		"depends_on", nullable_id(d->depends_on), "waits_for",
		nullable_id(d->waits_for), "held", d->held, "exported_at",
		nullable_text(d->exported_at), "export_file",
		nullable_text(d->export_file)));
	return 0;
}

static void
add_pack(json_t *o, const struct st_pack *p)
{
	json_object_set_new(o, "sscc", json_string(p->sscc));
	json_object_set_new(o, "level", json_string(p->level == ST_BOX ?
						    "box" : "pallet"));
	json_object_set_new(o, "state", json_string(p->state));
	json_object_set_new(o, "count", json_integer(p->count));
	json_object_set_new(o, "capacity", json_integer(p->capacity));
	json_object_set_new(o, "closed", json_boolean(p->closed_now));
	json_object_set_new(o, "parent", nullable_text(p->parent));
	json_object_set_new(o, "document", nullable_id(p->document_id));
}

static void
add_accept(json_t *o, const struct st_accept_progress *a)
{
	json_object_set_new(o, "delivery", json_integer(a->delivery_id));
	json_object_set_new(o, "matched", json_integer(a->matched));
	json_object_set_new(o, "missing", json_integer(a->missing));
	json_object_set_new(o, "surplus", json_integer(a->surplus));
	json_object_set_new(o, "duplicates", json_integer(a->duplicates));
	json_object_set_new(o, "wrong_item", json_integer(a->wrong_item));
	json_object_set_new(o, "verdict", nullable_text(a->verdict));
	json_object_set_new(o, "units", json_integer(a->units));
}

static void
add_where(json_t *o, const struct st_where *w)
{
	json_t *parents = json_array();
	int i;

	for (i = 0; i < w->nparents; i++)
		json_array_append_new(parents, json_string(w->parents[i]));
	json_object_set_new(o, "code", json_string(w->code));
	json_object_set_new(o, "kind", json_string(w->kind));
	json_object_set_new(o, "state", json_string(w->state));
	json_object_set_new(o, "parents", parents);
	json_object_set_new(o, "children", json_integer(w->children));
}

static void
add_users(json_t *o, const struct wf_result *r)
{
	json_t *list = json_array();
	int i;

	for (i = 0; i < r->nusers; i++) {
		const struct st_user_info *u = &r->users[i];

		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:b,"
			" s:i, s:o}", "name", u->name, "role",
			st_role_name(u->role), "disabled", u->disabled,
			"has_pin", u->has_pin, "failed_pins", u->failed,
			"locked_until", nullable_text(u->locked_until)));
	}
	json_object_set_new(o, "users", list);
	json_object_set_new(o, "more", json_integer(r->more_users));
}

/* The JSON line for one command's result. */
static json_t *
result_json(const struct wf_result *r, json_t *list)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_boolean(r->rc == 0));
	json_object_set_new(o, "error", r->rc == 0 ? json_null() :
			    json_string(r->err.msg));
	if (r->rc != 0)
		json_object_set_new(o, "error_code",
				    json_string(err_key(r->rc)));
	json_object_set_new(o, "command", json_string(r->command));
	switch (r->rc == 0 ? r->what : WF_NONE) {
	case WF_PACK_INFO:
		add_pack(o, &r->pack);
		break;
	case WF_ACCEPT_INFO:
		add_accept(o, &r->accept);
		break;
	case WF_SHIP_INFO:
		json_object_set_new(o, "shipment", json_integer(r->ship.id));
		json_object_set_new(o, "codes", json_integer(r->ship.codes));
		json_object_set_new(o, "units", json_integer(r->ship.units));
		json_object_set_new(o, "document",
				    nullable_id(r->ship.document_id));
		break;
	case WF_EXPORT_INFO:
		json_object_set_new(o, "file", json_string(r->export_file));
		json_object_set_new(o, "codes", json_integer(r->export_codes));
		break;
	case WF_DELIVERY_INFO:
		json_object_set_new(o, "delivery",
				    json_integer(r->delivery.id));
		json_object_set_new(o, "number",
				    json_string(r->delivery.number));
		json_object_set_new(o, "expected",
				    json_integer(r->delivery.expected));
		break;
	case WF_WHERE_INFO:
		add_where(o, &r->where);
		json_object_set(o, "history", list);
		break;
	case WF_DOCS_INFO:
		json_object_set(o, "docs", list);
		break;
	case WF_USER_INFO:
		json_object_set_new(o, "user", json_string(r->user.user));
		json_object_set_new(o, "role",
				    json_string(st_role_name(r->user.role)));
		break;
	case WF_USERS_INFO:
		add_users(o, r);
		break;
	case WF_SETTING_INFO:
	case WF_NONE:
		break;
	}
	return o;
}

/* Run one script line; returns whether it succeeded. */
static bool
exec_line(struct wf *w, const char *line)
{
	struct wf_result r;
	json_t *list = json_array(), *o;
	const char *cmd = line;

	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	if (*cmd == '\0' || *cmd == '#') {
		json_decref(list);
		return true;
	}
	wf_command(w, cmd, &r, collect_event, collect_doc, list);
	o = result_json(&r, list);
	json_decref(list);
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
	return r.rc == 0;
}

struct db_args {
	const char *db;
	const char *user;
	const char *device;
	const char *pin_file;
};

/* Log in as a.user with the PIN from --pin-file or SKLAD_PIN, the way
 * the console's login screen does. */
static int
exec_login(struct st_db *db, const struct db_args *a, struct st_actor *who,
	   struct err *e)
{
	char pin[64];
	int rc;

	if ((rc = cli_pin_read(a->pin_file, false, pin, sizeof(pin), e)) < 0)
		return rc;
	rc = st_login(db, a->user, pin, a->device, who, e);
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

int
cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "device", required_argument, NULL, 'D' },
		{ "barcode", required_argument, NULL, 'b' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_args a = { NULL, NULL, "exec", NULL };
	struct st_actor who;
	struct st_db *db = NULL;
	struct err e;
	struct wf w;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool all = true;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'd')
			a.db = optarg;
		else if (c == 'u')
			a.user = optarg;
		else if (c == 'D')
			a.device = optarg;
		else if (c == 'P')
			a.pin_file = optarg;
		else if (c == 'b' && wf_barcode_add(optarg, &e) < 0)
			return cli_usage("exec: --barcode: %s", e.msg);
		else if (c == 'b')
			continue;
		else
			return cli_usage("exec: unknown option '%s'",
					 argv[optind - 1]);
	}
	if (a.db == NULL || a.user == NULL || optind != argc)
		return cli_usage("exec: give --db PATH and --user NAME");
	if (st_open(a.db, false, &db, &e) < 0 ||
	    exec_login(db, &a, &who, &e) < 0) {
		fprintf(stderr, "sklad: %s\n", e.msg);
		st_close(&db);
		return CLI_FAIL;
	}
	wf_init(&w, db, &who);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		all &= exec_line(&w, line);
	}
	free(line);
	st_close(&db);
	return all ? CLI_OK : CLI_FAIL;
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "inn", required_argument, NULL, 'i' },
		{ "gcp", required_argument, NULL, 'g' },
		{ "extension", required_argument, NULL, 'x' },
		{ "product-group", required_argument, NULL, 'p' },
		{ "admin", required_argument, NULL, 'a' },
		{ "box-capacity", required_argument, NULL, 'b' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "pin-min-length", required_argument, NULL, 'm' },
		{ "lock-after", required_argument, NULL, 'l' },
		{ "lock-minutes", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_site site = { .extension = 0, .require_crypto = true };
	const char *path = NULL, *admin = "admin", *pin_file = NULL;
	struct st_db *db = NULL;
	struct err e;
	char pin[64];
	int c;

	snprintf(site.product_group, sizeof(site.product_group), "milk");
	snprintf(site.gtin_policy, sizeof(site.gtin_policy), "any");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'i': snprintf(site.inn, sizeof(site.inn), "%s", optarg);
			break;
		case 'g': snprintf(site.gcp, sizeof(site.gcp), "%s", optarg);
			break;
		case 'x': site.extension = optarg[0] >= '0' &&
				optarg[0] <= '9' && optarg[1] == '\0' ?
				optarg[0] - '0' : -1;
			break;
		case 'p': snprintf(site.product_group,
				   sizeof(site.product_group), "%s", optarg);
			break;
		case 'a': admin = optarg; break;
		case 'b': site.box_capacity = atoi(optarg); break;
		case 'P': pin_file = optarg; break;
		/* Out of range becomes -1: st_site_init refuses it. */
		case 'm': site.pin_min_length = atoi(optarg) > 0 ?
				atoi(optarg) : -1;
			break;
		case 'l': site.lock_after = atoi(optarg); break;
		case 'L': site.lock_seconds = atoi(optarg) * 60; break;
		default:
			return cli_usage("init: unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (path == NULL || site.inn[0] == '\0' || site.gcp[0] == '\0' ||
	    optind != argc)
		return cli_usage("init: give --db PATH --inn INN --gcp PREFIX");
	/* The PIN first: no database file is made for an admin without
	 * one. */
	if (cli_pin_read(pin_file, true, pin, sizeof(pin), &e) < 0 ||
	    st_pin_check(pin, site.pin_min_length, &e) < 0 ||
	    st_user_name_check(admin, &e) < 0) {
		explicit_bzero(pin, sizeof(pin));
		fprintf(stderr, "sklad: init: %s\n", e.msg);
		return CLI_FAIL;
	}
	if (st_open(path, true, &db, &e) < 0 ||
	    st_site_init(db, &site, admin, pin, &e) < 0) {
		explicit_bzero(pin, sizeof(pin));
		fprintf(stderr, "sklad: %s\n", e.msg);
		st_close(&db);
		return CLI_FAIL;
	}
	explicit_bzero(pin, sizeof(pin));
	st_close(&db);
	printf("sklad: database %s ready; log in as %s\n", path, admin);
	return CLI_OK;
}

/*
 * sklad set-pin --db PATH --user NAME [--pin-file FILE]: the first PIN of
 * an account from before PINs were required (an upgraded site's admin).
 * The PIN comes as for init: --pin-file, SKLAD_PIN, or typed twice.
 */
int
cmd_set_pin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *user = NULL, *pin_file = NULL;
	struct st_db *db = NULL;
	struct err e;
	char pin[64];
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'd')
			path = optarg;
		else if (c == 'u')
			user = optarg;
		else if (c == 'P')
			pin_file = optarg;
		else
			return cli_usage("set-pin: unknown option '%s'",
					 argv[optind - 1]);
	}
	if (path == NULL || user == NULL || optind != argc)
		return cli_usage("set-pin: give --db PATH --user NAME");
	if (cli_pin_read(pin_file, true, pin, sizeof(pin), &e) < 0) {
		fprintf(stderr, "sklad: set-pin: %s\n", e.msg);
		return CLI_FAIL;
	}
	rc = st_open(path, false, &db, &e);
	if (rc == 0)
		rc = st_user_pin_missing(db, user, pin, &e);
	explicit_bzero(pin, sizeof(pin));
	st_close(&db);
	if (rc < 0) {
		fprintf(stderr, "sklad: set-pin: %s\n", e.msg);
		return CLI_FAIL;
	}
	printf("sklad: %s has a PIN now\n", user);
	return CLI_OK;
}
