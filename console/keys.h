/*
 * keys: the console's requests and the keys bound to them.
 *
 * Every action a key can start is a request, listed once in REQ_INFO
 * (id, name, help). The list yields the enum, the help screen and the
 * names; keys_request maps a key to a request, looking in the focused
 * view's bindings first and then in the global ones (tig's model).
 *
 * What it must not do: act on a request (views do), or know the scanner
 * keymap (scanners/keymap.h owns keymap_*; this is keys_*).
 */
#ifndef SKLAD_KEYS_H
#define SKLAD_KEYS_H

#define REQ_INFO(X) \
	X(NONE,      "none",      N_("nothing")) \
	X(QUIT,      "quit",      N_("leave the screen or quit")) \
	X(BACK,      "back",      N_("back to the previous screen")) \
	X(ENTER,     "enter",     N_("choose, or confirm the line")) \
	X(UP,        "up",        N_("move up")) \
	X(DOWN,      "down",      N_("move down")) \
	X(NEXT,      "next",      N_("next field")) \
	X(ERASE,     "erase",     N_("delete the last character")) \
	X(KILL,      "kill",      N_("clear the line")) \
	X(NEW,       "new",       N_("open a new pack (next SSCC)")) \
	X(NEW_BOX,   "new-box",   N_("open a box on the open pallet")) \
	X(CLOSE,     "close",     N_("close the open pack")) \
	X(FINISH,    "finish",    N_("finish the acceptance or shipment")) \
	X(PARTIAL,   "partial",   N_("finish with what was found")) \
	X(MODE,      "mode",      N_("switch full / take out / put in")) \
	X(PROMPT,    "prompt",    N_("type a workflow command")) \
	X(HELP,      "help",      N_("show the keys")) \
	X(REFRESH,   "refresh",   N_("read again and redraw")) \
	X(LOGOUT,    "logout",    N_("log out"))

#define REQ_ENUM(id, name, help) REQ_##id,
enum req { REQ_INFO(REQ_ENUM) REQ_COUNT };
#undef REQ_ENUM

/* Where a binding applies: everywhere, or in views that take text. */
enum keys_scope { KEYS_GLOBAL, KEYS_COMMAND, KEYS_TEXT };

/*
 * The request for key (an ncurses key code or a byte) in a view of the
 * given scope, or REQ_NONE: in a text view letters are text, so only
 * keys that cannot be text are bound there.
 */
enum req keys_request(int key, enum keys_scope scope);

/* The name and help line of r ("close", "close the open pack"). */
const char *keys_name(enum req r);
const char *keys_help(enum req r);

/* The keys bound to r, for the help screen ("c, F4"); "" if none. */
const char *keys_bound(enum req r);

#endif
