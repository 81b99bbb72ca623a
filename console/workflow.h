/*
 * workflow: what a scan or a command means now, without any screen.
 *
 * One struct wf per operator session (a console, an SSH session, a
 * `sklad exec` script). It remembers who is logged in and what is open (a
 * pack, with the pallets around it; an acceptance; a shipment), decides
 * what each scan means in that state, and calls exactly one store/
 * operation for it. The console's keys, command barcodes (SKLAD:...) and
 * `sklad exec` all come through wf_command / wf_scan, so everything the UI
 * can do is tested without curses.
 *
 * What it must not do: draw, read devices, or talk to SQLite directly.
 */
#ifndef SKLAD_WORKFLOW_H
#define SKLAD_WORKFLOW_H

#include <stdbool.h>

#include "scanners/err.h"
#include "store/store.h"

enum wf_mode { WF_IDLE, WF_PACK, WF_ACCEPT, WF_SHIP };

struct wf {
	struct st_db *db;	/* borrowed */
	struct st_actor who;
	bool logged_in;
	enum wf_mode mode;
	/* WF_PACK: the open packs, outermost first; the last is the one
	 * scans go into. */
	char packs[ST_MAX_DEPTH][MARK_SSCC_LEN + 1];
	int npacks;
	int64_t delivery;	/* WF_ACCEPT */
	int64_t shipment;	/* WF_SHIP */
	struct st_pack_opts next;	/* options for the next pack opened */
};

/* What a command produced; which part is filled depends on `what`. */
enum wf_what {
	WF_NONE, WF_PACK_INFO, WF_ACCEPT_INFO, WF_SHIP_INFO, WF_DELIVERY_INFO,
	WF_WHERE_INFO, WF_DOCS_INFO, WF_USER_INFO, WF_SETTING_INFO,
	WF_USERS_INFO, WF_EXPORT_INFO,
};

#define WF_USERS_MAX 64	/* users one `user list` result carries */

struct wf_result {
	int rc;			/* 0, or a negative ERR_* code */
	struct err err;		/* the reason when rc < 0 */
	enum wf_what what;
	struct st_pack pack;
	struct st_accept_progress accept;
	struct st_shipment ship;
	struct st_delivery delivery;
	struct st_where where;
	struct st_where_delivery delivery_note;	/* where: unknown code */
	struct st_actor user;
	struct st_user_info users[WF_USERS_MAX];	/* user list */
	int nusers;		/* in users[] */
	int more_users;		/* beyond WF_USERS_MAX, not carried */
	char command[32];	/* the command that ran, e.g. "scan" */
	char export_file[256];	/* export: where it went */
	int export_codes;	/* export: codes it lists */
};

/* The size limit of an imported delivery file: SKLAD_IMPORT_MAX_MB
 * (1..65536) in bytes, else 0 (the store's default, 256 MiB). */
uint64_t wf_import_max_bytes(void);

/* Start a session on db as user (already authenticated by st_login). */
void wf_init(struct wf *w, struct st_db *db, const struct st_actor *who);

/*
 * Run one command line (the words of `sklad exec`: "box open", "scan
 * CODE", "close", ...; see wf_cmds). In CODE arguments the four characters
 * \x1d stand for GS. Fills *r. Events of `where` and `docs` go to the
 * callbacks of the caller's choice through wf_where_cb / wf_docs_cb.
 */
void wf_command(struct wf *w, const char *line, struct wf_result *r,
		int (*on_event)(void *arg, const struct st_event *ev),
		int (*on_doc)(void *arg, const struct st_doc *d), void *arg);

/* A scan from a scanner: raw bytes, GS as 0x1D. Fills *r. */
void wf_scan(struct wf *w, const char *scan, size_t len, struct wf_result *r);

/*
 * Bring back open work (crash, SIGHUP, a new login): with sscc, go on
 * with that open pack (and the open pallet it is on); without, this
 * user's own newest open pack (the box and its pallet), else shipment,
 * else acceptance. r->what says what came back: WF_PACK_INFO,
 * WF_SHIP_INFO, WF_ACCEPT_INFO (accept.delivery_id), or WF_NONE when
 * nothing is open; refused while other work is open in this session.
 */
void wf_resume(struct wf *w, const char *sscc, struct wf_result *r);

/*
 * Configure a station barcode for the whole process: spec is TEXT=COMMAND
 * ("CLOSE-BOX=close"); a scan of exactly TEXT then runs COMMAND, which
 * must start with close, box, pallet, accept, ship or cancel. Returns 0, or
 * ERR_INVALID with the reason in *e.
 */
int wf_barcode_add(const char *spec, struct err *e);

/* --- the command table (wf_cmds.c) ----------------------------------- */

enum wf_cmd_flags {
	WF_BARCODE = 1 << 0,	/* a command barcode may run it */
	WF_NO_LOGIN = 1 << 1,	/* runs before anyone has logged in */
};

struct wf_out;

/*
 * One command of the workflow language. `exec`, the console's ':'
 * prompt, command barcodes and the help screen all read this table: usage
 * errors and help come from it, and `role` is the one column that says who
 * may run what. A refusal by role is audited as `act`. The store checks
 * again, and finer (whose PIN, whose pack, a closed pack).
 */
struct wf_cmd {
	const char *name;	/* the words that name it: "box open" */
	int min_args, max_args;	/* words after the name */
	enum st_role role;	/* the least role that may run it */
	unsigned flags;		/* enum wf_cmd_flags */
	enum st_action act;	/* the audit's action for a refusal by role */
	const char *usage;	/* "box open [SSCC]" */
	const char *help;	/* N_(): what it does, one line */
	void (*run)(struct wf *w, char **a, int n, struct wf_result *r,
		    const struct wf_out *out);
};

/* Every command, in the order help lists them; ends with a NULL name. */
extern const struct wf_cmd wf_cmds[];

/* The command words[0..n) name (a two-word name before a one-word one),
 * or NULL; *nname gets how many words its name took. */
const struct wf_cmd *wf_cmd_find(char *const *words, int n, int *nname);

#endif
