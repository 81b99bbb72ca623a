/*
 * keys: the console's requests and the keys bound to them.
 *
 * Every action a key can start is a request, listed once in REQ_INFO
 * (id, name). The list yields the enum and the names; the help line of
 * each is in keys.c, indexed by the enum (so xgettext, which reads the
 * .c files, finds it); keys_request maps a key to a request, looking in the focused
 * view's bindings first and then in the global ones (tig's model).
 *
 * What it must not do: act on a request (views do), or know the scanner
 * keymap (scanners/keymap.h owns keymap_*; this is keys_*).
 */
#ifndef SKLAD_KEYS_H
#define SKLAD_KEYS_H

#define REQ_INFO(X) \
	X(NONE,      "none") \
	X(EXIT,      "exit") \
	X(QUIT,      "quit") \
	X(BACK,      "back") \
	X(ENTER,     "enter") \
	X(UP,        "up") \
	X(DOWN,      "down") \
	X(NEXT,      "next") \
	X(ERASE,     "erase") \
	X(KILL,      "kill") \
	X(NEW,       "new") \
	X(NEW_BOX,   "new-box") \
	X(CLOSE,     "close") \
	X(FINISH,    "finish") \
	X(PARTIAL,   "partial") \
	X(MODE,      "mode") \
	X(PROMPT,    "prompt") \
	X(HELP,      "help") \
	X(REFRESH,   "refresh") \
	X(LOGOUT,    "logout") \
	X(CANCEL,    "cancel") \
	X(LABEL,     "label")

#define REQ_ENUM(id, name) REQ_##id,
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

/*
 * The Latin key at the same place on the keyboard as the UTF-8 character
 * utf8 in the Russian layout (ЙЦУКЕН: 'с' is 'c', 'т' is 'n', 'н' is
 * 'y'), so command keys work whichever layout is on; -1 for any other
 * character.
 */
int keys_latin(const char *utf8);

/* The name and help line of r ("close", "close the open pack"). */
const char *keys_name(enum req r);
const char *keys_help(enum req r);

/* The keys bound to r, for the help screen ("c, F4"); "" if none. */
const char *keys_bound(enum req r);

#endif
