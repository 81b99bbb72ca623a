/*
 * typing: what a US-layout scanner in keyboard mode sends for a code, as
 * key events. The test oracle for the decoder (unit tests) and the virtual
 * scanners in the VM: written from the keyboard, independently of
 * scanners/keymap.c's tables, so that the two check each other.
 *
 * Header-only (static functions): every test program is one object file.
 * Must not depend on anything but libc and the kernel's key codes.
 */
#ifndef SKLAD_TESTS_TYPING_H
#define SKLAD_TESTS_TYPING_H

#include <linux/input-event-codes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* How the scanner types the GS separator. */
enum typing_gs {
	TYPING_GS_CTRL,		/* Ctrl+] */
	TYPING_GS_ALT,		/* Alt + keypad 0 2 9 */
	TYPING_GS_F8,		/* a configured key: F8 */
	TYPING_GS_TILDE,	/* a configured substitute character: ~ */
};

/* One event; type TYPING_PAUSE marks the end of one character. */
struct typing_ev {
	uint16_t type;
	uint16_t code;
	int32_t value;
};
#define TYPING_PAUSE 0xffff

/* Rows of a US keyboard: unshifted and shifted characters per key. */
static const struct {
	uint16_t code;
	char plain, shifted;
} typing_keys[] = {
	{ KEY_GRAVE, '`', '~' }, { KEY_1, '1', '!' }, { KEY_2, '2', '@' },
	{ KEY_3, '3', '#' }, { KEY_4, '4', '$' }, { KEY_5, '5', '%' },
	{ KEY_6, '6', '^' }, { KEY_7, '7', '&' }, { KEY_8, '8', '*' },
	{ KEY_9, '9', '(' }, { KEY_0, '0', ')' }, { KEY_MINUS, '-', '_' },
	{ KEY_EQUAL, '=', '+' }, { KEY_LEFTBRACE, '[', '{' },
	{ KEY_RIGHTBRACE, ']', '}' }, { KEY_BACKSLASH, '\\', '|' },
	{ KEY_SEMICOLON, ';', ':' }, { KEY_APOSTROPHE, '\'', '"' },
	{ KEY_COMMA, ',', '<' }, { KEY_DOT, '.', '>' }, { KEY_SLASH, '/', '?' },
	{ KEY_SPACE, ' ', ' ' },
};

/* "qwertyuiop" etc. in key-code order of each row. */
static const struct {
	uint16_t first;
	const char *letters;
} typing_rows[] = {
	{ KEY_Q, "qwertyuiop" }, { KEY_A, "asdfghjkl" }, { KEY_Z, "zxcvbnm" },
};

/* Key and Shift for character c; false if a US keyboard cannot type it. */
static inline bool
typing_key(char c, uint16_t *code, bool *shift)
{
	size_t i;
	const char *p;
	char lower = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);

	for (i = 0; i < sizeof(typing_rows) / sizeof(typing_rows[0]); i++) {
		p = strchr(typing_rows[i].letters, lower);
		if (lower != '\0' && p != NULL) {
			*code = (uint16_t)(typing_rows[i].first +
					   (p - typing_rows[i].letters));
			*shift = c != lower;
			return true;
		}
	}
	for (i = 0; i < sizeof(typing_keys) / sizeof(typing_keys[0]); i++) {
		if (c == typing_keys[i].plain || c == typing_keys[i].shifted) {
			*code = typing_keys[i].code;
			*shift = c != typing_keys[i].plain;
			return true;
		}
	}
	return false;
}

static inline int
typing_add(struct typing_ev *out, int n, int max, uint16_t type,
	   uint16_t code, int32_t value)
{
	if (n < 0 || n >= max)
		return -1;
	out[n].type = type;
	out[n].code = code;
	out[n].value = value;
	return n + 1;
}

/* Press and release code, with a SYN after each. */
static inline int
typing_tap(struct typing_ev *out, int n, int max, uint16_t code)
{
	n = typing_add(out, n, max, EV_KEY, code, 1);
	n = typing_add(out, n, max, EV_SYN, SYN_REPORT, 0);
	n = typing_add(out, n, max, EV_KEY, code, 0);
	return typing_add(out, n, max, EV_SYN, SYN_REPORT, 0);
}

static inline int
typing_mod(struct typing_ev *out, int n, int max, uint16_t code, int v)
{
	n = typing_add(out, n, max, EV_KEY, code, v);
	return typing_add(out, n, max, EV_SYN, SYN_REPORT, 0);
}

static inline int
typing_gs(struct typing_ev *out, int n, int max, enum typing_gs gs)
{
	switch (gs) {
	case TYPING_GS_CTRL:
		n = typing_mod(out, n, max, KEY_LEFTCTRL, 1);
		n = typing_tap(out, n, max, KEY_RIGHTBRACE);
		return typing_mod(out, n, max, KEY_LEFTCTRL, 0);
	case TYPING_GS_ALT:
		n = typing_mod(out, n, max, KEY_LEFTALT, 1);
		n = typing_tap(out, n, max, KEY_KP0);
		n = typing_tap(out, n, max, KEY_KP2);
		n = typing_tap(out, n, max, KEY_KP9);
		return typing_mod(out, n, max, KEY_LEFTALT, 0);
	case TYPING_GS_F8:
		return typing_tap(out, n, max, KEY_F8);
	case TYPING_GS_TILDE:
		n = typing_mod(out, n, max, KEY_LEFTSHIFT, 1);
		n = typing_tap(out, n, max, KEY_GRAVE);
		return typing_mod(out, n, max, KEY_LEFTSHIFT, 0);
	}
	return -1;
}

/*
 * The events a scanner sends for len bytes of code (GS as 0x1D, typed the
 * gs way) followed by Enter, a TYPING_PAUSE after each character. Returns
 * the number of events, or -1 if out is too small or a byte is not
 * typeable.
 */
static inline int
typing_expand(const char *code, size_t len, enum typing_gs gs,
	      struct typing_ev *out, int max)
{
	int n = 0;
	size_t i;
	uint16_t key;
	bool shift;

	for (i = 0; i < len && n >= 0; i++) {
		if (code[i] == 0x1d) {
			n = typing_gs(out, n, max, gs);
		} else if (!typing_key(code[i], &key, &shift)) {
			return -1;
		} else if (shift) {
			n = typing_mod(out, n, max, KEY_LEFTSHIFT, 1);
			n = typing_tap(out, n, max, key);
			n = typing_mod(out, n, max, KEY_LEFTSHIFT, 0);
		} else {
			n = typing_tap(out, n, max, key);
		}
		n = typing_add(out, n, max, TYPING_PAUSE, 0, 0);
	}
	n = typing_tap(out, n, max, KEY_ENTER);
	return typing_add(out, n, max, TYPING_PAUSE, 0, 0);
}

#endif
