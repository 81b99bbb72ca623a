/*
 * keys: the request table and the default key bindings (keys.h).
 *
 * What it must not do: act on requests or hold state.
 */
#include <curses.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "console/ui.h"

#define REQ_NAME(id, name) name,
static const char *const names[] = { REQ_INFO(REQ_NAME) };
#undef REQ_NAME

/* One help line per request; a missing one shows as "". */
static const char *const helps[REQ_COUNT] = {
	[REQ_NONE] = N_("nothing"),
	[REQ_EXIT] = N_("quit sklad"),
	[REQ_QUIT] = N_("leave the screen or quit"),
	[REQ_BACK] = N_("back to the previous screen"),
	[REQ_ENTER] = N_("choose, or confirm the line"),
	[REQ_UP] = N_("move up"),
	[REQ_DOWN] = N_("move down"),
	[REQ_NEXT] = N_("next field"),
	[REQ_ERASE] = N_("delete the last character"),
	[REQ_KILL] = N_("clear the line"),
	[REQ_NEW] = N_("open a new pack (next SSCC)"),
	[REQ_NEW_BOX] = N_("open a box on the open pallet"),
	[REQ_CLOSE] = N_("close the open pack"),
	[REQ_FINISH] = N_("finish the acceptance or shipment"),
	[REQ_PARTIAL] = N_("finish with what was found"),
	[REQ_MODE] = N_("switch full / take out / put in"),
	[REQ_PROMPT] = N_("type a workflow command"),
	[REQ_HELP] = N_("show the keys"),
	[REQ_REFRESH] = N_("read again and redraw"),
	[REQ_LOGOUT] = N_("log out"),
	[REQ_CANCEL] = N_("cancel an empty pack opened by mistake"),
	[REQ_LABEL] = N_("print the looked-up pack's label again"),
};

#define CTRL(c) ((c) & 0x1f)

struct binding {
	int key;
	enum keys_scope scope;	/* KEYS_GLOBAL: in every view */
	enum req req;
	const char *label;
};

/* The default bindings: global keys first, then letters for views that
 * do not take text. Several keys may share one request. */
static const struct binding bindings[] = {
	{ KEY_F(10), KEYS_GLOBAL, REQ_EXIT, "F10" },
	{ 27, KEYS_GLOBAL, REQ_BACK, "Esc" },
	{ KEY_F(1), KEYS_GLOBAL, REQ_HELP, "F1" },
	{ '\n', KEYS_GLOBAL, REQ_ENTER, "Enter" },
	{ '\r', KEYS_GLOBAL, REQ_ENTER, NULL },
	{ KEY_ENTER, KEYS_GLOBAL, REQ_ENTER, NULL },
	{ KEY_UP, KEYS_GLOBAL, REQ_UP, "Up" },
	{ KEY_DOWN, KEYS_GLOBAL, REQ_DOWN, "Down" },
	{ '\t', KEYS_GLOBAL, REQ_NEXT, "Tab" },
	{ KEY_BACKSPACE, KEYS_GLOBAL, REQ_ERASE, "Backspace" },
	{ 127, KEYS_GLOBAL, REQ_ERASE, NULL },
	{ CTRL('h'), KEYS_GLOBAL, REQ_ERASE, NULL },
	{ CTRL('u'), KEYS_GLOBAL, REQ_KILL, "Ctrl+U" },
	{ KEY_F(2), KEYS_GLOBAL, REQ_NEW, "F2" },
	{ KEY_F(3), KEYS_GLOBAL, REQ_NEW_BOX, "F3" },
	{ KEY_F(4), KEYS_GLOBAL, REQ_CLOSE, "F4" },
	{ KEY_F(5), KEYS_GLOBAL, REQ_REFRESH, "F5" },
	{ CTRL('l'), KEYS_GLOBAL, REQ_REFRESH, NULL },
	{ KEY_F(6), KEYS_GLOBAL, REQ_MODE, "F6" },
	{ KEY_F(7), KEYS_GLOBAL, REQ_PROMPT, "F7" },
	{ KEY_F(8), KEYS_GLOBAL, REQ_PARTIAL, "F8" },
	{ KEY_F(9), KEYS_GLOBAL, REQ_FINISH, "F9" },
	{ KEY_F(11), KEYS_GLOBAL, REQ_LABEL, "F11" },
	{ KEY_F(12), KEYS_GLOBAL, REQ_LOGOUT, "F12" },
	{ 'q', KEYS_COMMAND, REQ_QUIT, "q" },
	{ 'n', KEYS_COMMAND, REQ_NEW, "n" },
	{ 'b', KEYS_COMMAND, REQ_NEW_BOX, "b" },
	{ 'c', KEYS_COMMAND, REQ_CLOSE, "c" },
	{ 'f', KEYS_COMMAND, REQ_FINISH, "f" },
	{ 'p', KEYS_COMMAND, REQ_PARTIAL, "p" },
	{ 'm', KEYS_COMMAND, REQ_MODE, "m" },
	{ ':', KEYS_COMMAND, REQ_PROMPT, ":" },
	{ '?', KEYS_COMMAND, REQ_HELP, "?" },
	{ 'r', KEYS_COMMAND, REQ_REFRESH, "r" },
	{ 'x', KEYS_COMMAND, REQ_CANCEL, "x" },
	{ 'k', KEYS_COMMAND, REQ_UP, NULL },
	{ 'j', KEYS_COMMAND, REQ_DOWN, NULL },
};

#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))

enum req
keys_request(int key, enum keys_scope scope)
{
	size_t i;

	for (i = 0; i < NBINDINGS; i++)
		if (bindings[i].key == key &&
		    (bindings[i].scope == KEYS_GLOBAL ||
		     bindings[i].scope == scope))
			return bindings[i].req;
	return REQ_NONE;
}

/* ЙЦУКЕН by physical key: lower and upper case, then the US key. */
static const struct {
	const char *lower, *upper;
	char latin;
} russian[] = {
	{ "й", "Й", 'q' }, { "ц", "Ц", 'w' }, { "у", "У", 'e' },
	{ "к", "К", 'r' }, { "е", "Е", 't' }, { "н", "Н", 'y' },
	{ "г", "Г", 'u' }, { "ш", "Ш", 'i' }, { "щ", "Щ", 'o' },
	{ "з", "З", 'p' }, { "х", "Х", '[' }, { "ъ", "Ъ", ']' },
	{ "ф", "Ф", 'a' }, { "ы", "Ы", 's' }, { "в", "В", 'd' },
	{ "а", "А", 'f' }, { "п", "П", 'g' }, { "р", "Р", 'h' },
	{ "о", "О", 'j' }, { "л", "Л", 'k' }, { "д", "Д", 'l' },
	{ "ж", "Ж", ';' }, { "э", "Э", '\'' }, { "я", "Я", 'z' },
	{ "ч", "Ч", 'x' }, { "с", "С", 'c' }, { "м", "М", 'v' },
	{ "и", "И", 'b' }, { "т", "Т", 'n' }, { "ь", "Ь", 'm' },
	{ "б", "Б", ',' }, { "ю", "Ю", '.' }, { "ё", "Ё", '`' },
};

int
keys_latin(const char *utf8)
{
	size_t i;

	for (i = 0; i < sizeof(russian) / sizeof(russian[0]); i++)
		if (strcmp(utf8, russian[i].lower) == 0 ||
		    strcmp(utf8, russian[i].upper) == 0)
			return (unsigned char)russian[i].latin;
	return -1;
}

const char *
keys_name(enum req r)
{
	return r < REQ_COUNT ? names[r] : "";
}

const char *
keys_help(enum req r)
{
	return r < REQ_COUNT && helps[r] != NULL ? helps[r] : "";
}

const char *
keys_bound(enum req r)
{
	static char buf[64];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NBINDINGS && used < sizeof(buf) - 16; i++) {
		int n;

		if (bindings[i].req != r || bindings[i].label == NULL)
			continue;
		n = snprintf(buf + used, sizeof(buf) - used, "%s%s",
			     used > 0 ? ", " : "", bindings[i].label);
		if (n > 0)
			used += (size_t)n;
	}
	return buf;
}
