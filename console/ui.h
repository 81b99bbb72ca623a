/*
 * ui: the console's screens, what they share, and how input reaches them.
 *
 * One struct ui per console. It holds the workflow session (workflow.h),
 * a stack of views (the top one has the focus), the status line, the
 * error hold and the feedback (sound). Views are ops tables with
 * designated initialisers (view_*.c); keys become requests (keys.h)
 * before a view sees them; scans from every source arrive through
 * ui_scan. Handlers never draw: they change state and mark the ui dirty;
 * ui_redraw paints once per loop pass.
 *
 * What it must not do: block, read devices or sleep (loop.c and
 * ui_input.c do the waiting), talk to SQLite except through workflow.h
 * and the read-only store calls, or call curses from a signal handler.
 * curses.h is included only in console/ (make check-layers).
 */
#ifndef SKLAD_UI_H
#define SKLAD_UI_H

#include <libintl.h>
#include <stdbool.h>
#include <stdint.h>

#include "console/keys.h"
#include "console/workflow.h"
#include "scanners/scan.h"
#include "scanners/i18n.h"


#define UI_STACK_MAX 8
#define UI_TEXT_MAX 256		/* a typed line */
#define UI_RECENT_MAX 10	/* the last scans a view remembers */
#define UI_DEVICES_MAX 20	/* scanners remembered on the scanners view */

struct ui;

/* One scan as a view lists it: the code, and what happened to it. */
struct ui_recent {
	bool ok;
	char code[80];		/* shortened for the screen */
	char product[96];	/* the catalogue's name of its GTIN, or "" */
	char note[160];		/* verdict or reason */
};

/* A scanner the console has heard of, for the scanners view. */
struct ui_device {
	char name[SCAN_DEVICE_MAX];
	char kind[16];		/* evdev, fifo, tty */
	char state[48];		/* plugged, grabbed, unplugged, ... */
	char last[80];		/* its last scan, shortened */
	int scans;
};

/*
 * A view: a table of what it does. Every member but name and draw may be
 * NULL. private_size bytes of zeroed state are allocated at push and
 * freed at pop (ui_priv).
 */
struct view_ops {
	const char *name;
	size_t private_size;
	void (*open)(struct ui *ui, void *p, int arg);
	void (*draw)(struct ui *ui, void *p, int rows, int cols);
	/* A request; returns true if the view handled it. */
	bool (*on_req)(struct ui *ui, void *p, enum req r);
	/* A printable character typed (UTF-8 bytes of one character). */
	bool (*on_char)(struct ui *ui, void *p, const char *utf8);
	/* A scan (raw bytes, GS as 0x1D, NUL-terminated). */
	void (*on_scan)(struct ui *ui, void *p, const struct scan *s);
	/* Whether letters are text now (a field has the focus); NULL: no. */
	bool (*takes_text)(void *p);
	/* The operator said yes to the view's question (ui_confirm). */
	void (*on_confirm)(struct ui *ui, void *p, int token);
};

struct ui_frame {
	const struct view_ops *ops;
	void *priv;
};

/* Sound command and what the ui was started with. */
struct ui_options {
	const char *db_path;
	const char *sound_cmd;	/* NULL: the terminal bell */
	const char *user;	/* pre-filled login name, or NULL */
	const char *sync_config;	/* run the outbox runner, or NULL */
	const char *labels_config;	/* print labels (ui_label.h), or NULL */
	bool color;		/* false with NO_COLOR or a mono terminal */
};

struct ui {
	struct ui_options opt;
	struct st_db *db;
	struct wf wf;
	struct ui_frame stack[UI_STACK_MAX];
	int depth;
	bool dirty;
	bool quit;
	/* the status line: info (green on OK) or an error (red, held) */
	char status[ERR_MSG_MAX];
	bool status_ok;
	int64_t status_until;	/* when an OK line fades, 0: stays */
	bool hold;		/* an error waits for acknowledgement */
	char hold_msg[ERR_MSG_MAX];
	int held_scans;		/* scans refused while the error waited */
	/* a question an irreversible act waits on (ui_confirm) */
	bool confirm;
	char confirm_msg[ERR_MSG_MAX];
	int confirm_token;	/* for the view's on_confirm, or UI_QUIT */
	/* the command prompt (':'), shared by every view */
	bool prompt;
	char prompt_text[UI_TEXT_MAX];
	/* feedback: an error plays a pattern of beeps over time */
	int beeps_left;
	int64_t next_beep;
	/* scanners heard of */
	struct ui_device devices[UI_DEVICES_MAX];
	int ndevices;
	bool evdev;		/* evdev scanners are configured */
	int64_t last_activity;	/* for the idle checkpoint */
	bool checkpointed;
	/* a UTF-8 character arriving byte by byte from getch */
	char u8[8];
	int u8len, u8need;
	/* the outbox runner's last progress line, "" if it does not run */
	char sync_status[256];
	/* labels and their printer (ui_label.h), or NULL */
	struct ui_label *labels;
	/* a delivery import running in steps (ui_job.c), or NULL */
	struct st_import *job;
	int64_t job_next_ms;	/* when its next step is due */
	/* measurement hooks for the bench: scans handled, last scan's time */
	long scans_handled;
};

/* --- ui.c ------------------------------------------------------------ */

/*
 * Set up *ui on an open database (borrowed) with options o (copied
 * shallowly: the strings must outlive ui) and push the login view.
 * Curses must already be initialised (ui_screen_init).
 */
void ui_init(struct ui *ui, struct st_db *db, const struct ui_options *o);

/* Pop every view and free their state. */
void ui_fini(struct ui *ui);

/* Push view ops (with arg for its open) on top; false if the stack is
 * full. */
bool ui_push(struct ui *ui, const struct view_ops *ops, int arg);

/* Pop the top view (never the last one). */
void ui_pop(struct ui *ui);

/* Pop everything above the bottom view, then push ops. */
void ui_replace(struct ui *ui, const struct view_ops *ops, int arg);

/* A key from the terminal (ncurses code, or a byte < 256). */
void ui_key(struct ui *ui, int key);

/* A scan from any source. While an error is held it is refused. */
void ui_scan(struct ui *ui, const struct scan *s);

/*
 * Show a result to the operator: OK text in green with a short beep, or
 * the error in red across the screen with the error sound, holding
 * further scans until a key or SKLAD:ACK acknowledges it.
 */
void ui_ok(struct ui *ui, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ui_error(struct ui *ui, const char *msg);

/*
 * Ask before an irreversible act: the question stays on the bottom line
 * until a key on its own answers: y (н in the Russian layout) or Enter
 * is yes, any other key no; the barcode SKLAD:YES is yes. A scan of
 * anything else is no, and is taken as usual. On yes the top view's
 * on_confirm gets token (UI_QUIT: the ui quits).
 */
#define UI_QUIT (-1)
void ui_confirm(struct ui *ui, int token, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether typed keys are text now: the ':' prompt is open or the top
 * view has a field with the focus. */
bool ui_text_focus(const struct ui *ui);

/* A scan (or part of one) came while an error was held: not taken,
 * counted and beeped. */
void ui_held_scan(struct ui *ui);

/* An information line without sound (no hold). */
void ui_info(struct ui *ui, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Run one workflow command line and report an error if it failed.
 * Returns r->rc. */
int ui_command(struct ui *ui, const char *line, struct wf_result *r,
	       int (*on_event)(void *, const struct st_event *),
	       int (*on_doc)(void *, const struct st_doc *), void *arg);

/* Remember a device event or scan for the scanners view. */
void ui_device_note(struct ui *ui, const char *name, const char *kind,
		    const char *state, const struct scan *s);

/* Milliseconds until the ui's own next timer (beeps, fading status, idle
 * checkpoint), or -1. */
int ui_timeout(const struct ui *ui, int64_t now_ms);

/* Run the timers that are due by now_ms. */
void ui_tick(struct ui *ui, int64_t now_ms);

/* Paint everything if dirty, then one doupdate(). */
void ui_redraw(struct ui *ui);

/* --- ui_job.c: a long job driven from the loop ------------------------ */

/* A prompt line that starts a job ("delivery import FILE"): started (or
 * its error shown), true; any other line, false. */
bool ui_job_prompt(struct ui *ui, const char *line);

/* Milliseconds until the job's next step, 0 if due, -1 if none. */
int ui_job_timeout(const struct ui *ui, int64_t now_ms);

/* Run one step of the job if it is due; its end is shown as OK or
 * error. */
void ui_job_step(struct ui *ui, int64_t now_ms);

/* Abort a running job (its rows are deleted): at exit. */
void ui_job_stop(struct ui *ui);

/* Its progress on row 1, across cols; nothing if no job runs. */
void ui_job_draw(const struct ui *ui, int cols);

/* --- ui_screen.c: curses set-up and drawing helpers ------------------- */

/* initscr-equivalent for the console: UTF-8, no echo, keypad,
 * non-blocking getch, colours unless !color. */
void ui_screen_init(bool color);

/* endwin(); safe to call twice. */
void ui_screen_fini(void);

/* The terminal changed size: ask the tty and resize curses. */
void ui_screen_resize(void);

enum ui_attr { UI_NORMAL, UI_TITLE, UI_OK, UI_ERR, UI_DIM, UI_BOLD,
	       UI_SEL };

/*
 * Write UTF-8 text at (y, x), at most width columns (cut at a character
 * boundary), in attr; with fill, pad with spaces to width. Returns the
 * columns used.
 */
int ui_put(int y, int x, int width, enum ui_attr attr, bool fill,
	   const char *text);

/* printf-style ui_put without fill. */
int ui_putf(int y, int x, int width, enum ui_attr attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A number drawn in 3x5 block digits at (y, x); returns columns used.
 * Callers fall back to ui_putf when there is no room. */
int ui_big(int y, int x, const char *digits);

/* Bytes of s that fit in width columns, breaking after a space when
 * there is one (never inside a character); at least 1 if s is not empty. */
size_t ui_wrap_len(const char *s, int width);

/* Columns that text takes on screen. */
int ui_width(const char *text);

/* Shorten a scan for the screen: printable, GS shown as '~', cut with an
 * ellipsis at max columns. */
void ui_short_code(const char *bytes, size_t len, char *out, size_t n,
		   int max);

/* --- ui_sound.c -------------------------------------------------------- */

/* Play the OK sound now; start the error pattern (continued by
 * ui_sound_tick). */
void ui_sound_ok(struct ui *ui);
void ui_sound_error(struct ui *ui);

/* Play due beeps of the error pattern; reap finished sound commands. */
void ui_sound_tick(struct ui *ui, int64_t now_ms);

/* --- views (view_*.c) --------------------------------------------------- */

extern const struct view_ops view_login, view_menu, view_pack,
	view_disband, view_accept, view_ship, view_lookup, view_outbox,
	view_scanners, view_site, view_help, view_open, view_count;

/* Shared drawing of a view's frame: title bar and the key hints line.
 * Returns the first free row. */
int view_frame(struct ui *ui, const char *title, const char *hints,
	       int rows, int cols);

/* A view's question token: go to the open pack (view_offer_pack). */
#define VIEW_GOTO_PACK 100

/*
 * The session has a pack open, which blocks the screen just opened: say
 * which, and offer to go to it (a yes gives the view VIEW_GOTO_PACK, on
 * which it calls view_goto_pack).
 */
void view_offer_pack(struct ui *ui);

/* Leave the top view for the pack screen of the session's open pack. */
void view_goto_pack(struct ui *ui);

/* Add r to the front of a view's list of recent scans. */
void view_recent_add(struct st_db *db, struct ui_recent *list, int *n,
		     bool ok,
		     const struct scan *s, const char *note);

/* Draw a recent-scans list from row y; returns the next row. */
int view_recent_draw(const struct ui_recent *list, int n, int y, int rows,
		     int cols);

/* A one-line text field: edit it with chars and requests. */
struct view_field {
	char text[UI_TEXT_MAX];
	bool secret;
};

/* Apply a typed character or an editing request to f; true if used. */
bool view_field_char(struct view_field *f, const char *utf8);
bool view_field_req(struct view_field *f, enum req r);

/* Draw f at (y, x) in width columns, with focus showing a cursor. */
void view_field_draw(const struct view_field *f, int y, int x, int width,
		     bool focus);

/* A word the store writes (a state, a kind, an action) in the operator's
 * language. */
const char *view_word(const char *word);

/* A stored UTC time ("2026-11-25T18:01:02.123Z") in local time as
 * "25.11 21:01", with seconds ("25.11 21:01:02") if seconds is set;
 * anything else is copied as it is. */
void view_local_time(const char *utc, bool seconds, char *out, size_t n);

/* Turn a scan into a workflow command word: GS becomes \x1d. False if
 * it does not fit or holds spaces. */
bool view_code_word(const char *bytes, size_t len, char *out, size_t n);

#endif
