/*
 * store: every warehouse operation as one SQLite transaction.
 *
 * Each st_* operation that changes anything opens an IMMEDIATE
 * transaction, gathers the facts it needs, asks the pure rules (rules.h)
 * whether the action is allowed, applies the decision together with its
 * audit record, and commits before it returns. A return of 0 therefore
 * means "durably recorded" (synchronous=FULL); only then may the operator
 * hear OK. A refusal returns ERR_REFUSED with the operator-facing reason in
 * e->msg, and is itself recorded in the audit log.
 *
 * Every st_* function takes a non-NULL struct err *e last.
 *
 * What it must not do: talk to devices, the terminal or the network, or
 * decide what a scan means in the current workflow (console/ does that).
 * sqlite3.h stays inside store/ (db.h); this header does not need it.
 */
#ifndef SKLAD_STORE_H
#define SKLAD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"
#include "scanners/mark.h"

struct st_db;

enum st_role { ST_OPERATOR = 0, ST_SUPERVISOR = 1, ST_ADMIN = 2 };
enum st_level { ST_BOX = 0, ST_PALLET = 1 };

/* What the audit log calls each action (stored as the number). */
enum st_action {
	ST_ACT_LOGIN = 1,
	ST_ACT_USER_ADD = 2,
	ST_ACT_USER_LOCKED = 3,		/* too many wrong PINs in a row */
	ST_ACT_USER_UNLOCK = 4,
	ST_ACT_USER_PIN = 5,		/* a PIN set or reset */
	ST_ACT_USER_DISABLE = 6,
	ST_ACT_USER_ENABLE = 7,
	ST_ACT_USER_LIST = 8,		/* only ever a refusal: lists are read */
	ST_ACT_PACK_OPEN = 10,
	ST_ACT_PACK_SCAN = 11,
	ST_ACT_PACK_CLOSE = 12,
	ST_ACT_PACK_DISBAND = 13,
	ST_ACT_PACK_TAKE = 14,
	ST_ACT_PACK_PUT = 15,
	ST_ACT_DELIVERY_IMPORT = 20,
	ST_ACT_ACCEPT_OPEN = 21,
	ST_ACT_ACCEPT_SCAN = 22,
	ST_ACT_ACCEPT_FINISH = 23,
	ST_ACT_SHIP_OPEN = 30,
	ST_ACT_SHIP_SCAN = 31,
	ST_ACT_SHIP_FINISH = 32,
	ST_ACT_SCAN_REFUSED = 40,	/* unparsable, or nothing open */
	ST_ACT_OUTBOX_RETRY = 50,	/* a person sends a document again */
	ST_ACT_STOCK_LOAD = 60,		/* codes owned already, loaded */
	ST_ACT_CATALOGUE = 61,		/* product names imported */
	ST_ACT_STOCK_COUNT = 62,	/* a stock count by scanning */
	ST_ACT_LABEL_QUEUE = 70,	/* a label job for a printer */
	ST_ACT_LABEL_CONFIRM = 71,	/* the fresh label scanned back */
	ST_ACT_LABEL_VOID = 72,		/* a supervisor voids a label job */
	ST_ACT_LABEL_RETRY = 73,	/* a person prints a failed one again */
};

/* A user or device name: ST_USER_CHARS characters of up to 4 bytes. */
#define ST_NAME_MAX 132
#define ST_CODE_MAX (MARK_CIS_MAX + 1)
#define ST_MAX_DOC_CODES 30000	/* true-api.md §9.1 */
#define ST_MAX_DEPTH 16		/* nesting of packs */

/* Who acts: filled by st_login, passed to every operation. */
struct st_actor {
	int64_t user_id;
	enum st_role role;
	char user[ST_NAME_MAX];
	char device[ST_NAME_MAX];	/* scanner or terminal; "" if none */
};

/* Site settings (table site). */
struct st_site {
	char inn[16];		/* participant INN, 10 or 12 digits */
	char gcp[16];		/* GS1 company prefix, 6..12 digits */
	int extension;		/* SSCC extension digit 0..9 */
	char product_group[32];	/* True API pg, e.g. "milk" */
	int box_capacity;	/* default capacity of a new box, 0 = none */
	int pallet_capacity;	/* default capacity of a new pallet */
	bool require_crypto;	/* units must carry their crypto tail */
	char gtin_policy[16];	/* default: "any", "single" */
	int pin_min_length;	/* digits a PIN has at least (default 4) */
	int lock_after;		/* wrong PINs in a row that lock (5) */
	int lock_seconds;	/* how long a lock lasts (300) */
};

#define ST_PIN_MIN 4		/* default and floor of pin_min_length */
#define ST_PIN_MAX 16
#define ST_USER_CHARS 32	/* characters (not bytes) in a user name */

/* Options of one new pack; negative / "" means the site default. */
struct st_pack_opts {
	int capacity;
	int require_crypto;
	char gtin_policy[20];	/* "any", "single" or a 14-digit GTIN */
};

/* A pack as the operator sees it after an operation. */
struct st_pack {
	char sscc[MARK_SSCC_LEN + 1];
	enum st_level level;
	char state[12];		/* open closed submitted confirmed disbanded */
	int count;		/* direct children */
	int capacity;		/* 0 = no limit */
	bool closed_now;	/* this operation closed it (by capacity) */
	int64_t document_id;	/* outbox document, 0 if none: the pack's
				 * aggregation; after disband, take or put
				 * the document that operation made */
	char parent[MARK_SSCC_LEN + 1];	/* the pack it is in, or "" */
	/* st_pack_scan: "checked: <problem>" when a code check recorded a
	 * problem for aggregating the scanned code (code_checks), else "";
	 * it informs and never refuses */
	char checked[352];
};

/* --- database ----------------------------------------------------------- */

/*
 * Open (and with create, create) the database at path, apply missing
 * migrations, set WAL, synchronous=FULL, foreign_keys, busy timeout.
 * A file newer than this program is refused with ERR_VERSION. On success
 * *out owns the connection; free it with st_close.
 *
 * Every refusal names the file and says why: a read-only mount, a file
 * or folder this user may not write, a damaged file (the header and
 * schema are read at open; a file up to ST_QUICK_CHECK_BYTES is checked
 * whole with PRAGMA quick_check), an empty file (only create takes one),
 * something that is not a regular file. With create, a file that did not
 * exist is made mode 0600 and removed again if the open fails; the
 * caller finishes setting it up with st_created, or gives up with
 * st_close_discard.
 */
int st_open(const char *path, bool create, struct st_db **out,
	    struct err *e);

/*
 * Move the write-ahead log into the database file now (a passive
 * checkpoint: never waits for readers). Call it when nobody is scanning;
 * commits do it themselves only when the log grew very large, so a scan
 * never pays for it. Returns 0, or ERR_BUSY if it could not run now.
 */
int st_checkpoint(struct st_db *db);

/*
 * Work the last commits left for a quiet moment: once the write-ahead log
 * passed ST_WAL_CHECKPOINT_PAGES, copy it into the database and let it
 * start again from the top (a RESTART checkpoint, waiting at most 250 ms
 * for the others). Call it after each answer is out (exec's line, the
 * console's redraw): a commit never does it, and without it the log of a
 * busy site grows for ever. Returns 0 (also when nothing was due), or
 * ERR_BUSY if it must wait for a later call.
 */
int st_housekeep(struct st_db *db);

/* Close and free *db (NULL-safe); sets *db to NULL. */
void st_close(struct st_db **db);

/* A file up to this size (some 15 000 codes) gets PRAGMA quick_check at
 * every open: it reads every page, 15 to 25 ms a megabyte here, too
 * much for every start of a grown site. */
#define ST_QUICK_CHECK_BYTES ((int64_t)2 << 20)

/* The file st_open made is set up: mode 0660 (owner and the sklad
 * group). 0, or -1 if the mode could not be set. */
int st_created(struct st_db *db);

/* st_close, and if st_open made the file and st_created was not called,
 * remove it (and its -wal, -shm): a failed init leaves nothing behind. */
void st_close_discard(struct st_db **db);

/* --- site and users ----------------------------------------------------- */

/*
 * First-time set-up: store the site settings and create the admin user
 * with admin_pin (required: digits, at least site->pin_min_length, or
 * ST_PIN_MIN when that is 0). Refused with ERR_EXISTS if the site is
 * already set up, ERR_INVALID for a bad name or PIN.
 */
int st_site_init(struct st_db *db, const struct st_site *site,
		 const char *admin, const char *admin_pin, struct err *e);

/* Read the site settings; ERR_NOTFOUND if `sklad init` was never run. */
int st_site_get(struct st_db *db, struct st_site *out, struct err *e);

/*
 * Add a user with role and pin (required, digits only, at least the
 * site's pin_min_length), stored hashed with crypt(3) (yescrypt). The
 * name must pass st_user_name_check. Only an admin may do this
 * (ERR_DENIED); audited either way.
 */
int st_user_add(struct st_db *db, const struct st_actor *who,
		const char *name, enum st_role role, const char *pin,
		struct err *e);

/*
 * Fill *out for user name on device if pin matches the user's stored
 * hash. ERR_DENIED for an unknown user, a wrong or missing PIN, a user
 * without a PIN (set before PINs were required), a disabled or a locked
 * account. The site's lock_after wrong PINs in a row lock the account for
 * lock_seconds. The PIN is checked (yescrypt) outside the write lock and
 * for unknown users too, so a refusal costs as much as a success. Every
 * refusal and lockout is audited.
 */
int st_login(struct st_db *db, const char *name, const char *pin,
	     const char *device, struct st_actor *out, struct err *e);

/*
 * 0 if name may be a user name: valid UTF-8, 1..ST_USER_CHARS characters,
 * no control characters (so no escape sequences), no spaces or invisible
 * format characters. ERR_INVALID with the reason otherwise.
 */
int st_user_name_check(const char *name, struct err *e);

/* 0 if pin is digits only, min_len..ST_PIN_MAX long; ERR_INVALID else. */
int st_pin_check(const char *pin, int min_len, struct err *e);

/*
 * Set user name's PIN to pin: anyone for themselves, an admin for anyone,
 * a supervisor for operators. Clears the wrong-PIN count and any lock.
 * ERR_DENIED, ERR_NOTFOUND, ERR_INVALID (short PIN). Audited.
 */
int st_user_pin(struct st_db *db, const struct st_actor *who,
		const char *name, const char *pin, struct err *e);

/*
 * Give user name, an account made before PINs were required (no PIN
 * stored), its first PIN: how a site that upgrades gets its admin back.
 * No actor: whoever may write the database file may do this anyway.
 * ERR_REFUSED if the account has a PIN, ERR_NOTFOUND, ERR_INVALID.
 * Audited.
 */
int st_user_pin_missing(struct st_db *db, const char *name, const char *pin,
			struct err *e);

/*
 * Disable (disabled = true) or enable user name; an admin only, and not
 * their own account (so the last admin cannot shut themselves out).
 * A disabled user cannot log in. Audited.
 */
int st_user_disable(struct st_db *db, const struct st_actor *who,
		    const char *name, bool disabled, struct err *e);

/* A supervisor or admin lifts user name's lock and wrong-PIN count.
 * Audited. */
int st_user_unlock(struct st_db *db, const struct st_actor *who,
		   const char *name, struct err *e);

/* One user as `user list` shows it. */
struct st_user_info {
	char name[ST_NAME_MAX];
	enum st_role role;
	bool disabled;
	bool has_pin;
	int failed;			/* wrong PINs in a row */
	char locked_until[32];		/* UTC ISO 8601; "" if not locked */
};

/* Every user by name to fn until it returns non-zero; a supervisor or
 * admin only (ERR_DENIED). */
int st_user_list(struct st_db *db, const struct st_actor *who,
		 int (*fn)(void *arg, const struct st_user_info *u),
		 void *arg, struct err *e);

/* "operator", "supervisor", "admin"; parse returns -1 if unknown. */
const char *st_role_name(enum st_role role);
int st_role_parse(const char *name);

/*
 * Record a scan refused before any operation could look at it
 * (unparsable, or no workflow open), with its reason.
 */
int st_audit_refusal(struct st_db *db, const struct st_actor *who,
		     const char *scan, size_t len, const char *reason,
		     struct err *e);

/*
 * Record that who was refused act for want of a role, before anything was
 * looked up: subject is what the command named (a user, an SSCC, a
 * number; left out unless it passes st_user_name_check, so no escape
 * sequence reaches whoever reads the log), why the reason shown.
 */
int st_audit_denied(struct st_db *db, const struct st_actor *who,
		    enum st_action act, const char *subject, const char *why,
		    struct err *e);

/* --- aggregation (pack.c) ----------------------------------------------- */

/*
 * Open a box or pallet. sscc is a scanned SSCC label (must be new to the
 * database) or NULL to take the next SSCC from the site's prefix and
 * counter, which never hands out a number twice. If parent is non-NULL
 * the new pack opens inside that open pallet. Fills *out.
 */
int st_pack_open(struct st_db *db, const struct st_actor *who,
		 enum st_level level, const char *sscc, const char *parent,
		 const struct st_pack_opts *opts, struct st_pack *out,
		 struct err *e);

/*
 * Put the scanned code m (raw bytes scan/len, for the audit) into the open
 * pack sscc: a unit into a box, a closed box or pallet into a pallet. A
 * pack that reaches its capacity closes (out->closed_now). Refusals name
 * the reason: already in this pack, in another pack (named), wrong level,
 * GTIN not allowed, full, not open, no crypto tail, a cycle, shipped.
 */
int st_pack_scan(struct st_db *db, const struct st_actor *who,
		 const char *sscc, const struct mark *m, const char *scan,
		 size_t len, struct st_pack *out, struct err *e);

/*
 * Close an open pack. A pack at the top of its tree becomes an
 * AGGREGATION_DOCUMENT in the outbox covering itself and every pack closed
 * inside it since (split at 30 000 codes); a pack inside an open pallet
 * waits for the pallet. An empty pack cannot be closed.
 */
int st_pack_close(struct st_db *db, const struct st_actor *who,
		  const char *sscc, struct st_pack *out, struct err *e);

/*
 * Cancel an empty open pack opened by mistake: it is taken off the open
 * pallet it is on and its label is never used again (state disbanded;
 * audited as a disband). Refused when something is in it, when it is not
 * open, or when someone else opened it and who is not a supervisor. No
 * document: nothing was reported.
 */
int st_pack_cancel(struct st_db *db, const struct st_actor *who,
		   const char *sscc, struct st_pack *out, struct err *e);

/*
 * Disband a pack completely: its children become loose stock. A pack
 * already reported to the state system gets a DISAGGREGATION_DOCUMENT.
 * Needs a supervisor. Refused for shipped packs.
 */
int st_pack_disband(struct st_db *db, const struct st_actor *who,
		    const char *sscc, struct st_pack *out, struct err *e);

/*
 * Take one code out of a pack, or put one into a closed pack. On a pack
 * already reported this is a REAGGREGATION_DOCUMENT (REMOVING / ADDING).
 * Refused for shipped packs.
 */
int st_pack_take(struct st_db *db, const struct st_actor *who,
		 const char *sscc, const struct mark *m, struct st_pack *out,
		 struct err *e);
int st_pack_put(struct st_db *db, const struct st_actor *who,
		const char *sscc, const struct mark *m, struct st_pack *out,
		struct err *e);

/* Read one pack by SSCC; ERR_NOTFOUND if there is none. */
int st_pack_get(struct st_db *db, const char *sscc, struct st_pack *out,
		struct err *e);

/* --- lookup (lookup.c) -------------------------------------------------- */

struct st_event {
	char at[32];
	char user[ST_NAME_MAX];
	char device[ST_NAME_MAX];
	const char *action;	/* static name: "pack_scan", ... */
	bool ok;
	char pack[MARK_SSCC_LEN + 1];
	const char *reason;	/* refusal reason or NULL; valid in callback */
};

struct st_where {
	char code[ST_CODE_MAX];	/* as documents write it */
	char kind[12];		/* unit group set pack box pallet */
	char state[16];		/* in_stock, shipped, or the pack state */
	char gtin[MARK_GTIN_LEN + 1];	/* "" for an SSCC */
	char product[256];	/* the catalogue's name of gtin, or "" */
	int nparents;
	char parents[ST_MAX_DEPTH][MARK_SSCC_LEN + 1];	/* nearest first */
	int children;		/* direct children, for packs */
	/* state "accepting": scanned at the acceptance of this delivery,
	 * still open, with this verdict; not in stock before it finishes */
	int64_t accepting_in;
	char verdict[16];
};

/* What the deliveries say about a code (st_where_deliveries). */
struct st_where_delivery {
	int64_t expected_in;	/* the newest delivery expecting it, or 0 */
	char number[64];	/* that delivery's number */
	bool found;		/* its acceptance found it */
	int64_t scanned_in;	/* the newest acceptance that scanned it, 0 */
	char verdict[16];	/* matched duplicate surplus wrong_item */
};

/*
 * Which delivery expects code m, and in which acceptance it was scanned
 * with what verdict: for a code st_where does not know yet (an acceptance
 * still open, a surplus). Returns 1 if either is known, 0 if neither, <0
 * with e set. One indexed probe per delivery.
 */
int st_where_deliveries(struct st_db *db, const struct mark *m,
			struct st_where_delivery *out, struct err *e);

/*
 * Does sync send documents of this type for this product group (0), or
 * keep them for export (ERR_REFUSED, the reason in plain words)? The one
 * rule both the store (nothing waits for a document never sent) and sync
 * use: LP_SHIP_GOODS / LP_ACCEPT_GOODS only for furs, nothing through
 * the unified method for tobacco, otp, ncp (true-api.md §4.2, §5.6, §5.7).
 */
int st_doc_sendable(const char *type, const char *pg, struct err *e);

/* The operator's name of a document type ("packing (aggregation)" for
 * AGGREGATION_DOCUMENT ...), translated; the type itself if unknown. */
const char *st_doc_type_title(const char *type);

/*
 * Check a document body against the reference's field table of its type
 * (required fields, INNs, date formats, unknown fields, no file names).
 * 0 if fine; ERR_INVALID naming the field. The outbox refuses a document
 * that fails it; `sync --dry-run` runs it over pending ones.
 */
int st_doc_check(const char *type, const char *body, size_t len,
		 struct err *e);

/*
 * Where is code m: its chain of parents up to the top, its state, and its
 * history (oldest first) through on_event if non-NULL (stop by returning
 * non-zero). A code scanned at an acceptance still open is found with
 * state "accepting" (accepting_in, verdict) and that acceptance's scans.
 * ERR_NOTFOUND if the code is not stored otherwise, saying whether an
 * acceptance scanned it and left it out.
 */
int st_where(struct st_db *db, const struct mark *m, struct st_where *out,
	     int (*on_event)(void *arg, const struct st_event *ev),
	     void *arg, struct err *e);

struct st_doc {
	int64_t id;
	char type[40];
	char state[12];
	int codes;
	char server_id[64];
	int attempts;
	char last_error[256];
	char created_at[32];
	int64_t depends_on;	/* the first document it waits for, or 0 */
	int64_t waits_for;	/* the first of those not confirmed yet */
	bool held;		/* never sent here: to export (a УПД) */
	char exported_at[32];	/* when it was exported, "" if not yet */
	char export_file[160];	/* into which file ("-": stdout) */
	int64_t blocked_by;	/* a document it waits for that was
				 * rejected or failed, or 0 */
	/* what it is about, from its body: the pack's SSCC, or the transfer
	 * document's number; "" if neither is found */
	char subject[80];
};

/* Each outbox document, oldest first, through fn (stop by non-zero). */
int st_docs(struct st_db *db, int (*fn)(void *arg, const struct st_doc *d),
	    void *arg, struct err *e);

/* The exact body bytes of document id into *body (malloc'd, caller
 * frees) and *len. */
int st_doc_body(struct st_db *db, int64_t id, char **body, size_t *len,
		struct err *e);

/* --- acceptance (accept.c) ---------------------------------------------- */

struct st_delivery {
	int64_t id;
	char number[64];
	char state[12];
	int expected;		/* codes in the document, every level */
};

/*
 * Import an incoming delivery from the bytes of a file: the JSON answer
 * of /doc/{id}/info (true-api.md §6.1, array or object, body with
 * products and children) or a plain list, one code per line, where an
 * indented line (tab or spaces) belongs to the nearest less indented SSCC
 * above it. Every code is checked with the mark parser; the first bad line
 * refuses the whole import with its line number. One transaction.
 */
int st_delivery_import(struct st_db *db, const struct st_actor *who,
		       const char *name, const char *data, size_t len,
		       struct st_delivery *out, struct err *e);

/*
 * The default limit of an imported file: 500 000 codes of 536 bytes each
 * (256 MiB). A list line of the longest scan a scanner gives (512 bytes)
 * with its indentation and newline fits in that; a realistic one takes
 * 40 to 150 bytes, a product of the /doc/{id}/info answer 100 to 400.
 */
#define ST_IMPORT_MAX_BYTES ((uint64_t)256 << 20)

/*
 * The same from the file at path, read as it is parsed (never whole
 * into memory). Only a regular file of at most max_bytes (0: the default
 * above) is read: a device (/dev/zero), FIFO or directory is refused
 * at once, naming the file. A refusal never quotes a file that has not
 * shown itself a delivery (no code parsed yet): it says the line and
 * what was expected. Every refusal is audited (ERR_REFUSED).
 */
int st_delivery_import_path(struct st_db *db, const struct st_actor *who,
			    const char *path, uint64_t max_bytes,
			    struct st_delivery *out, struct err *e);

struct st_accept_progress {
	int64_t delivery_id;
	int matched;		/* expected codes found (every level) */
	int missing;		/* expected codes not found yet */
	int surplus;		/* scans of codes not in the delivery */
	int duplicates;		/* codes scanned again */
	int wrong_item;		/* of a GTIN the delivery does not have */
	const char *verdict;	/* of the last scan: matched, duplicate, ... */
	int units;		/* codes the last scan counted */
	/* st_accept_scan: "checked: <problem>" when a code check recorded
	 * a problem for accepting the scanned code (code_checks), else "";
	 * it informs and never refuses */
	char checked[352];
};

/* Start (or resume) accepting delivery id. */
int st_accept_open(struct st_db *db, const struct st_actor *who,
		   int64_t delivery_id, struct st_accept_progress *out,
		   struct err *e);

/*
 * Record one scan against the delivery: a known SSCC counts its whole
 * expected subtree, a unit counts itself; unknown codes are surplus (or
 * wrong item when their GTIN is not in the delivery), repeated ones
 * duplicates. Every scan is recorded with its verdict.
 */
int st_accept_scan(struct st_db *db, const struct st_actor *who,
		   int64_t delivery_id, const struct mark *m,
		   struct st_accept_progress *out, struct err *e);

/*
 * Finish: in full (refused while codes are missing) or partial (missing
 * codes rejected). Produces LP_ACCEPT_GOODS with per-code accepted and
 * children (true-api.md §5.7), and puts what was accepted into stock with
 * its packs.
 */
int st_accept_finish(struct st_db *db, const struct st_actor *who,
		     int64_t delivery_id, bool partial,
		     struct st_accept_progress *out, struct err *e);

/*
 * The same import in steps, so that a big delivery never holds the write
 * lock for long (delivery.c). st_import_begin parses and checks the whole
 * input (its codes kept in memory) without the write lock (a refusal is audited and
 * returns ERR_REFUSED, nothing written), then writes the delivery row in
 * state 'importing', which acceptance and st_deliveries ignore; it first
 * removes what imports that crashed long ago left (st_import_cleanup).
 * *out is the job; it is freed by st_import_finish (on success),
 * st_import_abort, or st_import_free (leaves the partial rows to
 * st_import_cleanup, as a crash would).
 */
struct st_import;
int st_import_begin(struct st_db *db, const struct st_actor *who,
		    const char *name, const char *data, size_t len,
		    struct st_import **out, struct err *e);

/* st_import_begin from the file at path, with st_delivery_import_path's
 * checks and limit. */
int st_import_begin_path(struct st_db *db, const struct st_actor *who,
			 const char *path, uint64_t max_bytes,
			 struct st_import **out, struct err *e);

/* Insert the next rows (at most that many) in one short transaction: 1
 * more remain, 0 all are in, <0 failed (the step is undone; abort). */
int st_import_step(struct st_import *im, int rows, struct err *e);

/* Rows written so far and in all. */
void st_import_progress(const struct st_import *im, int *done, int *total);

/* The id of the delivery being imported. */
int64_t st_import_delivery(const struct st_import *im);

/* All rows in: the delivery becomes 'expected', audited; fills *out and
 * frees im. On failure im stays (abort it). */
int st_import_finish(struct st_import *im, struct st_delivery *out,
		     struct err *e);

/* Delete the rows written so far (in short transactions) and free im. */
int st_import_abort(struct st_import *im, struct err *e);

/* Free im without touching the database. */
void st_import_free(struct st_import *im);

/* Remove 'importing' deliveries nobody stepped for stale_ms (0: all of
 * them, for a tool run while no console imports); *removed (may be NULL)
 * gets how many. */
int st_import_cleanup(struct st_db *db, int64_t stale_ms, int *removed,
		      struct err *e);

/* --- acceptance lists (accept_list.c) ------------------------------------ */

/* A delivery as the acceptance screen lists it. */
struct st_delivery_row {
	int64_t id;
	char number[64];
	char sender_inn[16];
	char state[12];		/* expected, accepting, accepted, partial */
	int expected, matched;
	char imported_at[32];
	char deadline[11];	/* YYYY-MM-DD: last day to accept it */
	bool finished;		/* accepted in full or in part */
	bool overdue;		/* not finished, and today is past deadline */
};

/*
 * The acceptance deadline of a delivery transferred on date (ISO 8601,
 * its first 10 characters count): 3 working days (Monday to Friday)
 * after it, into out as YYYY-MM-DD. Holidays are not known to sklad: only
 * weekends are skipped. 0, or -1 if date is not a date.
 */
int st_accept_deadline(const char *date, char out[11]);

/*
 * Every delivery (not those still being imported), newest first, with
 * its deadline counted from its transfer date (else the document date,
 * else the import), through fn; fn stops the walk by returning non-zero.
 */
int st_deliveries(struct st_db *db,
		  int (*fn)(void *arg, const struct st_delivery_row *d),
		  void *arg, struct err *e);

/* One code of an acceptance list. */
struct st_accept_code {
	char code[ST_CODE_MAX];	/* as documents write it, or as scanned */
	int kind;		/* codes.kind (schema.c); 0 for scans */
	bool top;		/* missing: not inside an expected pack */
	char verdict[12];	/* surplus: surplus or wrong_item */
};

/*
 * Up to limit of the expected codes of delivery_id not found yet, from
 * offset: the top-level ones first, then those inside packs; into rows,
 * *n how many. A page costs what it reads, not the delivery's size.
 */
int st_accept_missing(struct st_db *db, int64_t delivery_id, int offset,
		      int limit, struct st_accept_code *rows, int *n,
		      struct err *e);

/*
 * Up to limit scans of delivery_id that were surplus or of a wrong item,
 * in every session, newest first, from offset; into rows, *n how many.
 */
int st_accept_surplus(struct st_db *db, int64_t delivery_id, int offset,
		      int limit, struct st_accept_code *rows, int *n,
		      struct err *e);

/* --- open work (open_work.c) ------------------------------------------- */

enum st_open_kind { ST_OPEN_PACK, ST_OPEN_ACCEPT, ST_OPEN_SHIP };

/* One piece of work left open on the site. */
struct st_open_item {
	enum st_open_kind kind;
	int64_t id;		/* the delivery or shipment; 0 for a pack */
	char sscc[MARK_SSCC_LEN + 1];	/* a pack */
	char parent[MARK_SSCC_LEN + 1];	/* a pack: the pallet it is on */
	enum st_level level;
	char inn[16];		/* a shipment: the receiver */
	char label[64];		/* the delivery's or shipment's number */
	int count;		/* a pack's or shipment's codes; matched */
	int capacity;		/* a pack's capacity; codes expected */
	int units;		/* a shipment: units on it */
	int64_t user_id;	/* who opened it (acceptance: scanned last) */
	char user[ST_NAME_MAX];
	char at[32];		/* when, UTC ISO 8601 */
};

/*
 * Every open pack (pallets before boxes, oldest first), every acceptance
 * in progress and every open shipment, each to fn until it returns
 * non-zero. Returns 0, or <0 with e set.
 */
int st_open_work(struct st_db *db,
		 int (*fn)(void *arg, const struct st_open_item *it),
		 void *arg, struct err *e);

/* --- shipment (ship.c) -------------------------------------------------- */

struct st_shipment {
	int64_t id;
	char receiver_inn[16];
	char number[64];
	int codes;		/* top-level codes scanned */
	int units;		/* every code leaving, all levels */
	int64_t document_id;
	bool resumed;		/* st_ship_open found it open already */
};

/*
 * Open a shipment to receiver_inn under document number number. The same
 * receiver and number again resumes the open shipment (resumed set), and
 * is refused once that shipment was finished.
 */
int st_ship_open(struct st_db *db, const struct st_actor *who,
		 const char *receiver_inn, const char *number,
		 struct st_shipment *out, struct err *e);

/*
 * Scan a code onto the open shipment id: a closed pack or a loose unit in
 * stock; refused if inside a pack (take it out or ship the pack), open,
 * already shipped, or already on a shipment.
 */
int st_ship_scan(struct st_db *db, const struct st_actor *who, int64_t id,
		 const struct mark *m, struct st_shipment *out,
		 struct err *e);

/* Shipment id as it is now; ERR_NOTFOUND if there is none. */
int st_ship_get(struct st_db *db, int64_t id, struct st_shipment *out,
		struct err *e);

/*
 * Drop open shipment id if nothing was scanned onto it, so that empty
 * shipments left behind do not pile up. Returns 1 dropped, 0 kept (it
 * has codes, or is finished), <0 with e set.
 */
int st_ship_cancel(struct st_db *db, int64_t id, struct err *e);

/*
 * The turnover type of open shipment id (true-api.md §5.6: SELLING, the
 * default, COMMISSION or AGENT; it must equal the buyer's acceptance).
 * ERR_INVALID for another value, refused once the shipment is finished.
 */
int st_ship_turnover(struct st_db *db, const struct st_actor *who,
		     int64_t id, const char *type, struct st_shipment *out,
		     struct err *e);

/* Finish: LP_SHIP_GOODS into the outbox, everything on it shipped. */
int st_ship_finish(struct st_db *db, const struct st_actor *who, int64_t id,
		   struct st_shipment *out, struct err *e);


/* --- product catalogue (catalogue.c) ------------------------------------ */

#define ST_CATALOGUE_MAX 200000	/* products in one import */

/* One product: what the operator reads beside a GTIN. */
struct st_product {
	char gtin[MARK_GTIN_LEN + 1];	/* 14 digits */
	char name[256];			/* UTF-8, no control characters */
	char unit[32];			/* unit of measure, "" if unknown */
	char product_group[32];		/* "milk", ...; "" if unknown */
	char source[64];		/* the file, or "product/info" */
	char updated_at[32];
};

/*
 * The name of the product with this GTIN (14 digits) into out (n bytes,
 * "" if unknown): 1 known, 0 unknown or the lookup failed. For showing
 * beside a GTIN on screens, labels and exports: it never fails loudly.
 * One primary-key read, no transaction.
 */
int st_product_name(struct st_db *db, const char *gtin, char *out, size_t n);

/* The whole row of gtin into *out: 1 found, 0 not, <0 error. */
int st_product_get(struct st_db *db, const char *gtin, struct st_product *out,
		   struct err *e);

/*
 * Check and normalise one product into *out: a GTIN of 14 digits with a
 * valid check digit (8, 12, 13 digits are padded), a name of plain text;
 * unit and pg may be NULL. ERR_INVALID naming the GTIN.
 */
int st_product_check(const char *gtin, const char *name, const char *unit,
		     const char *pg, struct st_product *out, struct err *e);

/*
 * Parse a catalogue file: CSV with a header naming columns gtin, name
 * and optionally unit (or uom), product_group (or pg), separated by ',',
 * ';' or tab; or JSON [{"gtin", "name", "unit", "product_group"}] (or
 * {"products": [...]}). *out malloc'd (*n rows). ERR_INVALID "Line N: ..."
 * for the first bad row.
 */
int st_catalogue_parse(const char *data, size_t len, struct st_product **out,
		       size_t *n, struct err *e);

/*
 * Store n checked products (st_product_check) from source in one
 * transaction: new GTINs added, known ones renamed (an empty unit or
 * group keeps the known one). Audited once. For every module that learns
 * names (УПД lines, /product/info).
 */
int st_catalogue_store(struct st_db *db, const struct st_actor *who,
		       const char *source, const struct st_product *p, size_t n,
		       struct err *e);

/* Parse and store a catalogue file named name; a supervisor or admin
 * only (ERR_DENIED). *count gets how many products. */
int st_catalogue_import(struct st_db *db, const struct st_actor *who,
			const char *name, const char *data, size_t len,
			size_t *count, struct err *e);

/* Every product by GTIN through fn (stop by non-zero). */
int st_products(struct st_db *db,
		int (*fn)(void *arg, const struct st_product *p), void *arg,
		struct err *e);

/* Up to max GTINs of codes stored here that the catalogue has no name
 * for, into gtins (*n of them): what to ask /product/info about. */
int st_products_missing(struct st_db *db, char (*gtins)[MARK_GTIN_LEN + 1],
			int max, int *n, struct err *e);

/* --- stock on hand (stock.c) -------------------------------------------- */

/*
 * The codes a site owns already (from the ERP's file, or from the state
 * system's /cises/search), loaded into stock like received goods: units
 * loose or in their packs (SSCC), packs confirmed. Parse first (no lock,
 * everything checked, line numbers in the refusals), then commit in one
 * transaction; a code already stored refuses the whole load.
 */
#define ST_STOCK_MAX_CODES 1000000	/* codes in one load */
#define ST_STOCK_FILE_MAX (256u << 20)	/* bytes of one stock file */

struct st_stock;

/* What a load stored. */
struct st_stock_result {
	int units;		/* codes that are no boxes or pallets */
	int packs;		/* boxes and pallets (SSCC) */
	int top;		/* loose units and top-level packs */
	int64_t origin;		/* the STOCK_LOAD outbox row they point at */
};

/* A new, empty set of codes to load, named name (a file, "cises/search")
 * in the audit; NULL if out of memory. Free with st_stock_free. */
struct st_stock *st_stock_new(const char *name);
void st_stock_free(struct st_stock *s);

/* How many codes s holds. */
size_t st_stock_size(const struct st_stock *s);

/*
 * Add one code (len bytes: a КИ or full scan, GS as 0x1D or the text
 * \x1d, or an SSCC) inside the pack parent (an SSCC added too, before or
 * after; NULL or "" for loose / top level). line numbers the refusal
 * (0: none). ERR_INVALID with "Line N: why" for a bad code, a code listed
 * twice, a parent that is no SSCC.
 */
int st_stock_add(struct st_stock *s, const char *code, size_t len,
		 const char *parent, int line, struct err *e);

/*
 * Parse a stock file (CSV with a header naming columns code and parent,
 * or JSON [{"code", "parent", "children"}], see stock.c) into s, and
 * check the tree (every parent listed, no cycles). ERR_INVALID naming the
 * line.
 */
int st_stock_parse(struct st_stock *s, const char *data, size_t len,
		   struct err *e);

/*
 * Store every code of s in one transaction: a supervisor or admin only
 * (ERR_DENIED, audited). ERR_REFUSED naming the line if a code is stored
 * already; then nothing was loaded. Audited per code
 * (stock_load). Fills *out.
 */
int st_stock_commit(struct st_db *db, const struct st_actor *who,
		    struct st_stock *s, struct st_stock_result *out,
		    struct err *e);

/* --- stock report and count (stock_report.c) --- */

enum st_stock_by { ST_STOCK_BY_GTIN, ST_STOCK_BY_PACK, ST_STOCK_BY_STATE };

/* One row of a stock report; which fields mean something depends on
 * the grouping (see st_stock_report). */
struct st_stock_row {
	char key[ST_CODE_MAX];	/* the GTIN, or the pack's SSCC */
	char name[256];		/* by GTIN: the catalogue's name, or "" */
	char kind[8];		/* by pack: box, pallet; by state: unit,
				 * box, pallet */
	char state[16];		/* by pack: its state; by state: loose,
				 * packed, shipped, or a pack state */
	char parent[MARK_SSCC_LEN + 1];	/* by pack: the pack it is on */
	int children;		/* by pack: codes directly in it */
	int units;		/* by GTIN, pack: units in stock (every
				 * level); by state: codes */
};

/*
 * What the store holds, through fn (stop by non-zero): by GTIN, units in
 * stock per GTIN with the catalogue's name; by pack, every pack in stock
 * (not disbanded) with its level, state, parent, direct children and
 * units inside at every level; by state, codes counted per (state, kind).
 * Reads only.
 */
int st_stock_report(struct st_db *db, enum st_stock_by by,
		    int (*fn)(void *arg, const struct st_stock_row *r),
		    void *arg, struct err *e);

/* One line of a count: a missing unit (and the pack it should be in) or
 * an extra scan (and why it is extra). */
struct st_count_line {
	bool missing;
	char code[ST_CODE_MAX];
	char pack[MARK_SSCC_LEN + 1];	/* missing: its pack, or "" */
	char why[160];			/* extra: where it is instead */
};

struct st_count_result {
	int scanned;		/* scans inside the counted scope */
	int expected;		/* units in stock in the scope */
	int found;		/* of those, covered by a scan */
	int missing;
	int extra;		/* scans outside the scope or not in stock */
};

/*
 * A stock count by scanning: scans[0..n) against the pack sscc (all
 * levels inside it) or, with sscc NULL, the whole stock. A scanned pack
 * covers everything inside it. Each extra scan (unknown, shipped, in
 * another pack) and then each missing unit go through fn (may be NULL;
 * stop listing by returning non-zero, the counts go on); *out gets the
 * counts. Changes no stock; the count is audited (stock_count).
 * ERR_NOTFOUND if sscc is not a pack in stock.
 */
int st_stock_count(struct st_db *db, const struct st_actor *who,
		   const char *sscc, const struct mark *scans, size_t n,
		   int (*fn)(void *arg, const struct st_count_line *l),
		   void *arg, struct st_count_result *out, struct err *e);

/* st_stock_parse and st_stock_commit of the bytes of a file named name. */
int st_stock_load(struct st_db *db, const struct st_actor *who,
		  const char *name, const char *data, size_t len,
		  struct st_stock_result *out, struct err *e);

/* --- outbox (outbox.c) -------------------------------------------------- */

/*
 * One outbox document as sync's runner sees it (st_outbox_next). Times
 * are wall-clock milliseconds since 1970; 0 means never.
 */
struct st_outbox_item {
	int64_t id;
	char type[40];		/* AGGREGATION_DOCUMENT, LP_SHIP_GOODS ... */
	char product_group[32];
	char state[12];		/* pending or submitted */
	char server_id[128];	/* the state system's id once accepted */
	int attempts;		/* sends recorded so far */
	int polls;		/* status polls since it was accepted */
	bool fate_unknown;	/* a send may have arrived: ask first */
	int64_t first_sent_ms;	/* first and last send attempt */
	int64_t last_sent_ms;
	int64_t next_at_ms;	/* when it is due */
	int absent_looks;	/* lookups after settling that missed it */
	char *body;		/* the exact bytes (malloc'd, NUL after) */
	size_t body_len;
	char *signature;	/* stored detached signature or NULL */
};

/* How a document's way ends (st_outbox_result). */
enum st_outbox_end {
	ST_OUTBOX_CONFIRMED,	/* the state system registered it */
	ST_OUTBOX_REJECTED,	/* refused: a person must fix it */
	ST_OUTBOX_FAILED,	/* sync gave up: a person decides */
};

/* Where the outbox stands (st_outbox_count). */
struct st_outbox_counts {
	int pending;		/* not yet accepted by the server */
	int sending;		/* ... of which the fate is unknown */
	int blocked;		/* ... of which wait, directly or not, on a
				 * rejected or failed one */
	int submitted;		/* accepted, status not final yet */
	int confirmed;
	int rejected;
	int failed;		/* sync gave up */
	int held;		/* never sent here: to export (a УПД),
				 * not counted in pending; nobody's task */
	int exported;		/* ... and exported (st_outbox_exported) */
};

/* One document that needs a person (st_outbox_attention). */
struct st_outbox_issue {
	int64_t id;
	char type[40];
	char state[12];		/* rejected, failed or pending */
	bool held;		/* never sent here (always false now: one
				 * to export needs nobody) */
	char reason[512];	/* the server's or sync's words */
	int64_t blocked_by;	/* pending: the rejected/failed document it
				 * waits behind; else 0 */
	int waiting_behind;	/* documents blocked behind this one */
	char packs[160];	/* SSCCs it forms or changes (up to 3) */
};

/* Each document needing a person, oldest first, through fn (stop by
 * non-zero): rejected, failed, and pending ones blocked behind those.
 * One kept for export is not among them. */
int st_outbox_attention(struct st_db *db,
			int (*fn)(void *arg, const struct st_outbox_issue *it),
			void *arg, struct err *e);

/* Each pending document sync sends, with its exact body, through fn
 * (stop by non-zero): for `sync --dry-run`. */
int st_outbox_each_pending(struct st_db *db,
			   int (*fn)(void *arg, int64_t id, const char *type,
				     const char *body, size_t len),
			   void *arg, struct err *e);

/* A supervisor sends rejected or failed document id again, same bytes;
 * audited either way. ERR_DENIED for an operator, ERR_NOTFOUND if it is
 * in no such state or held for export. */
int st_outbox_retry(struct st_db *db, const struct st_actor *who, int64_t id,
		    struct err *e);

/* Up to max documents that pending id still waits for, into ids. */
int st_outbox_waits_for(struct st_db *db, int64_t id, int64_t *ids, int max,
			int *n, struct err *e);

/*
 * The next document due at now_ms: pending with everything it waits for
 * confirmed, or submitted (a status poll), next_at_ms reached, skipping the
 * ids busy[0..nbusy). 1 with *out filled (free with st_outbox_item_free),
 * 0 if none is due: *wait_ms until the earliest that will be, or -1.
 */
int st_outbox_next(struct st_db *db, int64_t now_ms, const int64_t *busy,
		   int nbusy, struct st_outbox_item *out, int64_t *wait_ms,
		   struct err *e);

/* Free the body and signature of *it (NULL-safe). */
void st_outbox_item_free(struct st_outbox_item *it);

/*
 * Before posting pending document id: store its signature sig, count the
 * attempt, record the send time now_ms and set fate_unknown, in one
 * transaction, if its attempts are still attempts_seen (as read with it).
 * ERR_NOTFOUND if it is not pending or another runner sent it meanwhile.
 */
int st_outbox_mark_sending(struct st_db *db, int64_t id, const char *sig,
			   int attempts_seen, int64_t now_ms, struct err *e);

/*
 * The server accepted id as server_id: submitted, first poll at
 * next_poll_ms; its packs closed -> submitted.
 */
int st_outbox_submitted(struct st_db *db, int64_t id, const char *server_id,
			int64_t next_poll_ms, struct err *e);

/*
 * Try id again at next_ms. clear_unknown: the last send surely did not
 * arrive; polled: count a status poll; absent_look: count a lookup after
 * the settle time that missed it; note (may be NULL) -> last_error.
 */
int st_outbox_defer(struct st_db *db, int64_t id, int64_t next_ms,
		    bool clear_unknown, bool polled, bool absent_look,
		    const char *note, struct err *e);

/*
 * The end of id: confirmed (its packs go confirmed), rejected with the
 * server's reasons, or failed with why; reason -> last_error.
 */
int st_outbox_result(struct st_db *db, int64_t id, enum st_outbox_end end,
		     const char *reason, struct err *e);

/* Count the outbox by state (struct st_outbox_counts). */
int st_outbox_count(struct st_db *db, struct st_outbox_counts *out,
		    struct err *e);

/*
 * Document id, kept for export (sendable = 0), was written to file
 * (NULL: stdout, recorded as "-"): state exported with the time and the
 * file. ERR_NOTFOUND if it is no such document.
 */
int st_outbox_exported(struct st_db *db, int64_t id, const char *file,
		       struct err *e);

/* Each finished shipment and acceptance whose document waits to be
 * exported, oldest first, through fn (stop by non-zero): kind
 * "shipment" or "acceptance", its id, its document. */
int st_outbox_each_to_export(struct st_db *db,
			     int (*fn)(void *arg, const char *kind,
				       int64_t id, int64_t doc),
			     void *arg, struct err *e);

/* --- exports for the ERP and the УПД (export.c) ------------------------- */

/* One line of an export: one GTIN, one СведТов of the УПД. */
struct st_xline {
	char gtin[MARK_GTIN_LEN + 1];	/* "" for packs of unknown content */
	char name[256];		/* from an imported УПД's line, or "" */
	int count;		/* units the line's top codes stand for */
	int nsscc, npack, nki;	/* its top codes by kind */
};

/* One code of an export. Nodes come line by line, each top code
 * followed by its subtree (parent always before child). */
struct st_xnode {
	char code[ST_CODE_MAX];	/* as documents write it: КИ without GS or
				 * crypto tail, SSCC as 18 digits */
	char gtin[MARK_GTIN_LEN + 1];	/* its own GTIN, "" for an SSCC */
	int kind;		/* codes.kind: 1 unit ... 5 box, 6 pallet */
	int parent;		/* index of the enclosing node, -1 top */
	int line;		/* index into lines */
	int units;		/* units it stands for */
	char list[12];		/* acceptance: accepted missing rejected
				 * surplus; pack: in_stock shipped */
};

struct st_export {
	char what[16];		/* shipment, acceptance, pack */
	int64_t id;
	char number[64];	/* document number (pack: its SSCC) */
	char date[40];		/* document date as stored */
	char state[16];
	char finished_at[32];
	char sender_inn[16], receiver_inn[16];
	char turnover[32];
	char file_id[256];	/* acceptance: the seller title's ИдФайл or
				 * release order */
	int64_t document_id;	/* its outbox document, 0 if none */
	int accepted, missing, rejected, surplus;	/* acceptance */
	int result_code;	/* acceptance: КодИтога 1, 2 or 3 */
	struct st_xline *lines;
	int nlines;
	size_t lines_cap;
	struct st_xnode *nodes;
	size_t n;
};

/*
 * What shipment id takes away, by line (GTIN): every code scanned onto
 * it and what is inside, a homogeneous pack whole under its GTIN, a
 * mixed one split into its contents (upd.md §4.2). *out is malloc'd:
 * st_export_free. ERR_NOTFOUND if there is no such shipment. Reads only.
 */
int st_export_shipment(struct st_db *db, int64_t id,
		       struct st_export **out, struct err *e);

/*
 * The result of accepting delivery id by line: each expected code
 * accepted (found), missing (not found yet) or rejected (not found, the
 * acceptance finished in part), and each scan not in the document
 * (surplus, wrong item) as surplus; with the КодИтога it proposes.
 */
int st_export_acceptance(struct st_db *db, int64_t id,
			 struct st_export **out, struct err *e);

/* The tree of pack sscc (list: in_stock or shipped). ERR_NOTFOUND. */
int st_export_pack(struct st_db *db, const char *sscc,
		   struct st_export **out, struct err *e);

void st_export_free(struct st_export *x);

/* One audit record for export. */
struct st_audit_row {
	int64_t id;
	char at[32];
	char user[ST_NAME_MAX];
	char device[ST_NAME_MAX];
	const char *action;	/* static name */
	bool ok;
	char code[ST_CODE_MAX];	/* the code it is about, or "" */
	char pack[ST_CODE_MAX];	/* the pack, or "" */
	const char *scan;	/* raw bytes (may hold GS), valid in fn */
	size_t scan_len;
	char reason[512];
};

/* Each audit record with from <= at < to (UTC ISO 8601 prefixes, e.g.
 * "2026-11-01"; NULL: open end), oldest first, through fn. */
int st_audit_each(struct st_db *db, const char *from, const char *to,
		  int (*fn)(void *arg, const struct st_audit_row *r),
		  void *arg, struct err *e);

/* The audit's name of action a ("pack_scan"), "unknown" if none. */
const char *st_action_name(int a);

/* --- the exchange folder's incoming files (inbox.c) -------------------- */

struct st_inbox_entry {
	char name[256];		/* the file's name when it was seen */
	char state[12];		/* importing, done, failed; "" unknown */
	int64_t delivery_id;	/* done: the delivery it became */
	char reason[512];	/* failed: why */
};

/*
 * What is known of the file with content hash (SHA-256, hex): 1 it is
 * settled (done or failed; a delivery imported from it that was not
 * recorded yet counts as done), 2 an import of it began and did not
 * end, 0 never seen; *out filled. <0 error.
 */
int st_inbox_get(struct st_db *db, const char *hash,
		 struct st_inbox_entry *out, struct err *e);

/* Record the file's state (importing, done with delivery_id, failed
 * with reason) in one transaction. */
int st_inbox_put(struct st_db *db, const char *hash, const char *name,
		 const char *state, int64_t delivery_id, const char *reason,
		 struct err *e);

/* The source a delivery imported from content hash carries, by which
 * st_inbox_get finds it after a crash. */
void st_inbox_source(const char *hash, char *out, size_t n);

/* --- code checks (code_check.c) ----------------------------------------- */

/*
 * What the state system says about the codes of a delivery or a pack
 * (true-api.md §7), kept in table code_checks so that acceptance and
 * aggregation can show a recorded problem without the network.
 */

/* What a check is for: the rules differ (rules_check.h). */
enum st_check_use { ST_CHECK_ACCEPT = 0, ST_CHECK_AGGREGATE = 1 };

/* The codes to check and what they are checked against. */
struct st_check_target {
	enum st_check_use use;
	int64_t delivery_id;		/* ACCEPT: the delivery */
	char sscc[MARK_SSCC_LEN + 1];	/* AGGREGATE: the pack */
	char our_inn[16];		/* the site's INN */
	char sender_inn[16];		/* ACCEPT: the delivery's sender, or "" */
	char **codes;			/* malloc'd, as documents write them */
	size_t n;
};

/* One answer of the state system, and (filled by st_checks_record) the
 * problem it makes for the target in plain words, "" if none. */
struct st_code_check {
	char code[ST_CODE_MAX];	/* as sent */
	bool found;		/* false: the answer carried an error */
	char error_code[16];	/* "404" unknown code, ...; "" if found */
	char error[256];	/* the server's words for that error */
	char status[32];	/* EMITTED APPLIED INTRODUCED ... */
	char status_ex[48];	/* special state, "" or EMPTY if none */
	char owner_inn[16];
	char parent[256];	/* the aggregate it is in, "" if none */
	char problem[320];	/* out: translated, "" if none */
};

/*
 * Fill *t with the codes to check: for ST_CHECK_ACCEPT every expected code
 * of delivery id (every level, document order), for ST_CHECK_AGGREGATE
 * the codes directly inside the open or closed pack sscc that are not
 * packs themselves (units, group packs, sets); also the site's
 * INN and, for a delivery, its sender. ERR_NOTFOUND if there is no such
 * delivery or pack, ERR_REFUSED (message for a person) if the pack is
 * neither open nor closed. Free with st_checks_target_free. Reads only.
 */
int st_checks_codes(struct st_db *db, enum st_check_use use,
		    int64_t delivery_id, const char *sscc,
		    struct st_check_target *t, struct err *e);

/* Free the codes of *t (NULL-safe, may be called twice). */
void st_checks_target_free(struct st_check_target *t);

/*
 * Judge the n answers c[] against t with the pure rules (rules_check.h),
 * fill each c[i].problem, and store every answer with its problem and the
 * time in one transaction (a code checked again replaces its earlier
 * answer for the same use). *problems gets how many have a problem.
 */
int st_checks_record(struct st_db *db, const struct st_check_target *t,
		     struct st_code_check *c, size_t n, int *problems,
		     struct err *e);

/*
 * The recorded problem of code (as documents write it) for use into out
 * (translated), "" if none was recorded: one primary-key read, no
 * transaction. 1 a problem, 0 none, <0 error.
 */
int st_checks_problem(struct st_db *db, const char *code,
		      enum st_check_use use, char *out, size_t n,
		      struct err *e);

/* --- admin (db_admin.c, db_check.c) ------------------------------------ */

/*
 * Copy the database at path into target while others read and write it
 * (SQLite's online backup, one consistent snapshot): written to a new
 * file beside target (mode 0600), fsynced, checked (quick_check) and
 * renamed over target, so target is the old copy or a whole new one,
 * never half of one. The copy is one file (no WAL). Does not migrate.
 * 0, or <0 with e saying which file and why.
 */
int st_db_backup(const char *path, const char *target, struct err *e);

/* Told each problem st_db_check finds: the check's name (two_packs,
 * counts, ...: see db_check.c) and one sentence. */
typedef void (*st_problem_fn)(void *arg, const char *check,
			      const char *msg);

/*
 * Check the database at path, read-only in one snapshot: SQLite's
 * integrity and foreign keys, then sklad's invariants (a code in one
 * pack, pack and shipment counts, no loop in the pack tree, outbox states
 * that agree, no loop in what documents wait for). Each problem goes to
 * fn; *problems is how many were found (0: sound). Returns 0 when the
 * checks ran, <0 with e set when they could not (no file, a schema
 * version other than this program's: ERR_VERSION).
 */
int st_db_check(const char *path, st_problem_fn fn, void *arg,
		int *problems, struct err *e);

#define ST_STATS_GROUPS 16

struct st_stat_count {
	char name[40];		/* "box open", "pending", ... */
	int64_t count;
};

/* Figures of a database file for `sklad db stats`. */
struct st_db_stats {
	int schema_version, known_version;
	int64_t page_size, pages, free_pages;
	int64_t file_bytes, wal_bytes;
	int64_t codes, units, shipped, users, audit;
	struct st_stat_count packs[ST_STATS_GROUPS];	/* level state */
	struct st_stat_count outbox[ST_STATS_GROUPS];	/* by state */
	struct st_stat_count deliveries[ST_STATS_GROUPS];
	struct st_stat_count shipments[ST_STATS_GROUPS];
	int n_packs, n_outbox, n_deliveries, n_shipments;
	char oldest_open[32];	/* created_at of the oldest pending or
				   submitted document, "" if none */
};

/* Read the figures of the database at path (one snapshot, no
 * migration). 0, or <0 with e set. */
int st_db_stats(const char *path, struct st_db_stats *s, struct err *e);
/* --- labels (labels.c) -------------------------------------------------- */

/* What a pack's label says about it. */
struct st_label_facts {
	char sscc[MARK_SSCC_LEN + 1];
	char level[8];		/* box, pallet */
	char state[12];
	int count;		/* direct children */
	char gtin[MARK_GTIN_LEN + 1];	/* the first GTIN directly inside,
					 * or the pack's single GTIN */
	int more_gtins;		/* other GTINs directly inside */
	char opened_by[ST_NAME_MAX];
	char opened_at[32];	/* UTC ISO 8601 */
	char closed_at[32];	/* "" while open */
	int gcp_len;		/* digits of the site's company prefix */
};

/* The facts of pack sscc; ERR_NOTFOUND if there is no such pack. */
int st_label_facts(struct st_db *db, const char *sscc,
		   struct st_label_facts *out, struct err *e);

/* One label job. */
struct st_label_job {
	int64_t id;
	char sscc[MARK_SSCC_LEN + 1];
	char printer[64];
	char format[8];		/* zpl, tspl, png */
	char reason[16];	/* open, close, take, put, reprint */
	char state[12];		/* queued printed failed voided */
	int attempts;
	char last_error[256];
	char created_at[32];
	char printed_at[32];
	char confirmed_at[32];
	char *body;		/* st_label_get only (malloc'd), else NULL */
	size_t body_len;
};

/*
 * Queue len bytes of a label of sscc for printer in format for reason,
 * audited. *id gets the job's number.
 */
int st_label_queue(struct st_db *db, const struct st_actor *who,
		   const char *sscc, const char *printer, const char *format,
		   const char *reason, const char *body, size_t len,
		   int64_t *id, struct err *e);

/* Job id with its body (free with st_label_job_free); ERR_NOTFOUND. */
int st_label_get(struct st_db *db, int64_t id, struct st_label_job *out,
		 struct err *e);
void st_label_job_free(struct st_label_job *j);

/* The oldest queued job of printer ("" : of any) with its body: 1 with
 * *out filled, 0 none. */
int st_label_next(struct st_db *db, const char *printer,
		  struct st_label_job *out, struct err *e);

/*
 * One try of queued job id: printed (error NULL), or still queued with
 * error as last_error, and failed once max_attempts tries failed (0: no
 * limit). ERR_NOTFOUND if it is not queued (voided meanwhile).
 */
int st_label_tried(struct st_db *db, int64_t id, const char *error,
		   int max_attempts, struct err *e);

/* Jobs newest first (all, or of sscc if not NULL), at most limit, through
 * fn (stop by non-zero); bodies are not read. */
int st_label_jobs(struct st_db *db, const char *sscc, int limit,
		  int (*fn)(void *arg, const struct st_label_job *j),
		  void *arg, struct err *e);

/* How many label jobs failed (they wait for a retry or a void). */
int st_label_failed(struct st_db *db, int64_t *n, struct err *e);

/* A failed (or queued) job back to queued with its attempts cleared,
 * audited. ERR_NOTFOUND when printed or voided. */
int st_label_retry(struct st_db *db, const struct st_actor *who, int64_t id,
		   struct err *e);

/* A supervisor voids job id (not printed yet, or printed and wrong),
 * audited either way; ERR_DENIED for an operator. */
int st_label_void(struct st_db *db, const struct st_actor *who, int64_t id,
		  struct err *e);

/*
 * The operator scanned the fresh label of sscc and it read as sscc: the
 * newest printed job of sscc is confirmed, audited. ERR_NOTFOUND when no
 * label of sscc was printed.
 */
int st_label_confirm(struct st_db *db, const struct st_actor *who,
		     const char *sscc, struct err *e);

/* Whether pack sscc has a confirmed label: 1 yes, 0 no, <0 error. */
int st_label_confirmed(struct st_db *db, const char *sscc, struct err *e);

#endif
