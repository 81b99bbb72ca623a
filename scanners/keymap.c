/*
 * keymap: evdev key events of one scanner to complete scans (keymap.h).
 *
 * A small state machine over key positions: modifier bits, CapsLock, an
 * open Alt+numpad sequence and the bytes of the code being typed. Layout
 * tables map a key code to its unshifted and shifted byte.
 *
 * What it must not do: allocate, read a clock, do I/O, or consult the
 * host's keyboard layout.
 */
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scanners/keymap.h"
#include "scanners/mark.h"

#define TABLE_KEYS 128
#define GS 0x1d

/* Modifier bits of keymap.mods. */
enum {
	MOD_LSHIFT = 1 << 0,
	MOD_RSHIFT = 1 << 1,
	MOD_LCTRL = 1 << 2,
	MOD_RCTRL = 1 << 3,
	MOD_LALT = 1 << 4,
	MOD_RALT = 1 << 5,
	MOD_SHIFT = MOD_LSHIFT | MOD_RSHIFT,
	MOD_CTRL = MOD_LCTRL | MOD_RCTRL,
	MOD_ALT = MOD_LALT | MOD_RALT,
};

/* US keyboard, what a scanner emulates by default: [code] = {plain, shift} */
static const char us_table[TABLE_KEYS][2] = {
	[KEY_1] = { '1', '!' }, [KEY_2] = { '2', '@' },
	[KEY_3] = { '3', '#' }, [KEY_4] = { '4', '$' },
	[KEY_5] = { '5', '%' }, [KEY_6] = { '6', '^' },
	[KEY_7] = { '7', '&' }, [KEY_8] = { '8', '*' },
	[KEY_9] = { '9', '(' }, [KEY_0] = { '0', ')' },
	[KEY_MINUS] = { '-', '_' }, [KEY_EQUAL] = { '=', '+' },
	[KEY_Q] = { 'q', 'Q' }, [KEY_W] = { 'w', 'W' },
	[KEY_E] = { 'e', 'E' }, [KEY_R] = { 'r', 'R' },
	[KEY_T] = { 't', 'T' }, [KEY_Y] = { 'y', 'Y' },
	[KEY_U] = { 'u', 'U' }, [KEY_I] = { 'i', 'I' },
	[KEY_O] = { 'o', 'O' }, [KEY_P] = { 'p', 'P' },
	[KEY_LEFTBRACE] = { '[', '{' }, [KEY_RIGHTBRACE] = { ']', '}' },
	[KEY_A] = { 'a', 'A' }, [KEY_S] = { 's', 'S' },
	[KEY_D] = { 'd', 'D' }, [KEY_F] = { 'f', 'F' },
	[KEY_G] = { 'g', 'G' }, [KEY_H] = { 'h', 'H' },
	[KEY_J] = { 'j', 'J' }, [KEY_K] = { 'k', 'K' },
	[KEY_L] = { 'l', 'L' }, [KEY_SEMICOLON] = { ';', ':' },
	[KEY_APOSTROPHE] = { '\'', '"' }, [KEY_GRAVE] = { '`', '~' },
	[KEY_BACKSLASH] = { '\\', '|' },
	[KEY_Z] = { 'z', 'Z' }, [KEY_X] = { 'x', 'X' },
	[KEY_C] = { 'c', 'C' }, [KEY_V] = { 'v', 'V' },
	[KEY_B] = { 'b', 'B' }, [KEY_N] = { 'n', 'N' },
	[KEY_M] = { 'm', 'M' }, [KEY_COMMA] = { ',', '<' },
	[KEY_DOT] = { '.', '>' }, [KEY_SLASH] = { '/', '?' },
	[KEY_SPACE] = { ' ', ' ' }, [KEY_102ND] = { '<', '>' },
	/* keypad: digits whatever NumLock says; scanners mean digits */
	[KEY_KP7] = { '7', '7' }, [KEY_KP8] = { '8', '8' },
	[KEY_KP9] = { '9', '9' }, [KEY_KP4] = { '4', '4' },
	[KEY_KP5] = { '5', '5' }, [KEY_KP6] = { '6', '6' },
	[KEY_KP1] = { '1', '1' }, [KEY_KP2] = { '2', '2' },
	[KEY_KP3] = { '3', '3' }, [KEY_KP0] = { '0', '0' },
	[KEY_KPDOT] = { '.', '.' }, [KEY_KPSLASH] = { '/', '/' },
	[KEY_KPASTERISK] = { '*', '*' }, [KEY_KPMINUS] = { '-', '-' },
	[KEY_KPPLUS] = { '+', '+' }, [KEY_KPEQUAL] = { '=', '=' },
	[KEY_KPCOMMA] = { ',', ',' },
};

/* The layouts a scanner can be set to emulate. */
struct layout {
	const char *name;
	const char (*table)[2];
};

static const struct layout layouts[] = {
	{ "us", us_table },
};

/* Value of a keypad digit key, or -1. */
static int
keypad_digit(uint16_t code)
{
	switch (code) {
	case KEY_KP0: return 0;
	case KEY_KP1: return 1;
	case KEY_KP2: return 2;
	case KEY_KP3: return 3;
	case KEY_KP4: return 4;
	case KEY_KP5: return 5;
	case KEY_KP6: return 6;
	case KEY_KP7: return 7;
	case KEY_KP8: return 8;
	case KEY_KP9: return 9;
	default: return -1;
	}
}

/* The modifier bit of a key, or 0. */
static unsigned
mod_bit(uint16_t code)
{
	switch (code) {
	case KEY_LEFTSHIFT: return MOD_LSHIFT;
	case KEY_RIGHTSHIFT: return MOD_RSHIFT;
	case KEY_LEFTCTRL: return MOD_LCTRL;
	case KEY_RIGHTCTRL: return MOD_RCTRL;
	case KEY_LEFTALT: return MOD_LALT;
	case KEY_RIGHTALT: return MOD_RALT;
	default: return 0;
	}
}

void
keymap_defaults(struct keymap_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->layout, "us");
	cfg->terminators = KEYMAP_TERM_ENTER | KEYMAP_TERM_KPENTER;
	cfg->timeout_ms = KEYMAP_TIMEOUT_DEFAULT;
	cfg->gs_char = -1;
	cfg->max_len = SCAN_MAX;
}

static const struct layout *
find_layout(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (strcmp(layouts[i].name, name) == 0)
			return &layouts[i];
	return NULL;
}

static int
check_config(const struct keymap_config *cfg, const char (*table)[2],
	     struct err *e)
{
	if (table == NULL)
		return err_set(e, ERR_INVALID, "unknown keyboard layout '%.*s' "
			       "(known: us)", KEYMAP_LAYOUT_MAX, cfg->layout);
	if (cfg->gs_char >= 0 && (cfg->gs_char > 0xff || cfg->gs_char == 0 ||
	    mark_is_cset82(cfg->gs_char) || cfg->gs_char == '\r' ||
	    cfg->gs_char == '\n' || cfg->gs_char == '\t'))
		return err_set(e, ERR_INVALID, "the GS substitute must be a "
			       "character that never occurs in a code (outside "
			       "GS1 CSET 82, e.g. ~ or #), not 0x%02x",
			       (unsigned)cfg->gs_char);
	if (cfg->gs_key != 0 && cfg->gs_key < TABLE_KEYS &&
	    table[cfg->gs_key][0] != '\0')
		return err_set(e, ERR_INVALID, "the GS key %u types a "
			       "character; use a key such as F8",
			       (unsigned)cfg->gs_key);
	if (cfg->gs_key == KEY_ENTER || cfg->gs_key == KEY_KPENTER ||
	    cfg->gs_key == KEY_TAB || mod_bit(cfg->gs_key) != 0)
		return err_set(e, ERR_INVALID, "the GS key %u is a terminator "
			       "or a modifier", (unsigned)cfg->gs_key);
	if (cfg->max_len == 0 || cfg->max_len > SCAN_MAX)
		return err_set(e, ERR_INVALID, "the maximum length must be 1 "
			       "to %d", SCAN_MAX);
	if (memchr(cfg->prefix, '\0', KEYMAP_AFFIX_MAX) == NULL ||
	    memchr(cfg->suffix, '\0', KEYMAP_AFFIX_MAX) == NULL)
		return err_set(e, ERR_INVALID, "prefix and suffix are at most "
			       "%d bytes", KEYMAP_AFFIX_MAX - 1);
	if (cfg->timeout_ms < 0)
		return err_set(e, ERR_INVALID, "the timeout cannot be "
			       "negative");
	if ((cfg->terminators & KEYMAP_TERM_TIMEOUT) && cfg->timeout_ms == 0)
		return err_set(e, ERR_INVALID, "a timeout terminator needs a "
			       "timeout");
	return 0;
}

int
keymap_init(struct keymap *km, const struct keymap_config *cfg,
	    struct err *e)
{
	const struct layout *l = find_layout(cfg->layout);
	int rc = check_config(cfg, l != NULL ? l->table : NULL, e);

	if (rc < 0)
		return rc;
	memset(km, 0, sizeof(*km));
	km->cfg = *cfg;
	km->table = l->table;
	return 0;
}

/* Strip prefix and suffix and copy the scan out; empty the buffer. */
static int
finish(struct keymap *km, unsigned flags, int64_t time_ms, struct scan *out)
{
	size_t plen = strlen(km->cfg.prefix), slen = strlen(km->cfg.suffix);
	const char *p = km->buf;
	size_t len = km->len;

	if (plen > 0 && len >= plen && memcmp(p, km->cfg.prefix, plen) == 0) {
		p += plen;
		len -= plen;
	}
	if (slen > 0 && len >= slen &&
	    memcmp(p + len - slen, km->cfg.suffix, slen) == 0)
		len -= slen;
	memcpy(out->bytes, p, len);
	out->bytes[len] = '\0';
	out->len = len;
	out->flags = flags | (km->overflow ? SCAN_OVERFLOW : 0) |
		     (km->damaged ? SCAN_DAMAGED : 0);
	out->first_ms = km->first_ms;
	out->last_ms = time_ms;
	km->len = 0;
	km->overflow = false;
	if (km->damaged) {
		km->damaged = false;
		return KEYMAP_FRAGMENT;
	}
	return KEYMAP_SCAN;
}

bool
keymap_pending(const struct keymap *km)
{
	return km->len > 0 || km->overflow || km->alt_digits > 0 ||
	       km->damaged;
}

int64_t
keymap_deadline(const struct keymap *km)
{
	if (km->cfg.timeout_ms == 0 || !keymap_pending(km))
		return -1;
	return km->last_ms + km->cfg.timeout_ms;
}

int
keymap_tick(struct keymap *km, int64_t now_ms, struct scan *out)
{
	int64_t deadline = keymap_deadline(km);

	if (deadline < 0 || now_ms < deadline)
		return KEYMAP_NONE;
	km->alt_digits = 0;
	km->alt_value = 0;
	if (km->len == 0 && !km->overflow && !km->damaged)
		return KEYMAP_NONE;
	if (km->cfg.terminators & KEYMAP_TERM_TIMEOUT)
		return finish(km, SCAN_BY_TIMEOUT, km->last_ms, out);
	finish(km, SCAN_BY_TIMEOUT, km->last_ms, out);
	return KEYMAP_FRAGMENT;
}

void
keymap_damage(struct keymap *km, int64_t time_ms)
{
	km->damaged = true;
	if (time_ms > km->last_ms)
		km->last_ms = time_ms;
}

size_t
keymap_discard(struct keymap *km)
{
	size_t n = km->len;

	km->len = 0;
	km->overflow = false;
	km->damaged = false;
	km->alt_digits = 0;
	km->alt_value = 0;
	return n;
}

void
keymap_reset_state(struct keymap *km, bool caps)
{
	km->mods = 0;
	km->caps = caps;
	km->alt_digits = 0;
	km->alt_value = 0;
}

void
keymap_key_state(struct keymap *km, uint16_t code, bool down)
{
	unsigned bit = mod_bit(code);

	if (down)
		km->mods |= bit;
	else
		km->mods &= ~bit;
}

/* Append one byte to the pending code. */
static void
put(struct keymap *km, unsigned char c, int64_t time_ms)
{
	if (km->len == 0 && !km->overflow)
		km->first_ms = time_ms;
	km->last_ms = time_ms;	/* an Alt release types too */
	if (km->len < km->cfg.max_len)
		km->buf[km->len++] = (char)c;
	else
		km->overflow = true;
}

/* The byte a key types with the current modifiers, 0 if none. */
static int
key_byte(const struct keymap *km, uint16_t code)
{
	bool shift = (km->mods & MOD_SHIFT) != 0;
	int c;

	if (code >= TABLE_KEYS)
		return 0;
	c = (unsigned char)km->table[code][shift];
	if (km->caps && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c = (unsigned char)km->table[code][!shift];
	if ((km->mods & MOD_CTRL) && c != 0) {
		if (c < 0x40 || c > 0x7f)
			return 0;
		c &= 0x1f;
	}
	return c;
}

/* Which terminator bit a key press (or typed control byte) is, or 0. */
static unsigned
terminator(uint16_t code, int c)
{
	if (code == KEY_ENTER || c == '\r' || c == '\n')
		return KEYMAP_TERM_ENTER;
	if (code == KEY_KPENTER)
		return KEYMAP_TERM_KPENTER;
	if (code == KEY_TAB || c == '\t')
		return KEYMAP_TERM_TAB;
	return 0;
}

/* A modifier key went down or up; Alt up ends an Alt+numpad sequence. */
static void
modifier(struct keymap *km, unsigned bit, int32_t value, int64_t time_ms)
{
	if (value) {
		km->mods |= bit;
		return;
	}
	km->mods &= ~bit;
	if ((bit & MOD_ALT) && !(km->mods & MOD_ALT) && km->alt_digits > 0) {
		put(km, (unsigned char)(km->alt_value & 0xff), time_ms);
		km->alt_digits = 0;
		km->alt_value = 0;
	}
}

/* A non-modifier key went down. */
static int
press(struct keymap *km, uint16_t code, int64_t time_ms, struct scan *out)
{
	int c, d;
	unsigned t;

	if (code == KEY_CAPSLOCK) {
		km->caps = !km->caps;
		return KEYMAP_NONE;
	}
	if (km->mods & MOD_ALT) {
		d = keypad_digit(code);
		if (d >= 0) {
			km->alt_value = (km->alt_value * 10 + (unsigned)d) %
					1000;
			km->alt_digits++;
		}
		return KEYMAP_NONE;
	}
	if (km->cfg.gs_key != 0 && code == km->cfg.gs_key) {
		put(km, GS, time_ms);
		return KEYMAP_NONE;
	}
	c = key_byte(km, code);
	t = terminator(code, c);
	if (t != 0 && (km->cfg.terminators & t)) {
		if (km->len == 0 && !km->overflow && !km->damaged)
			return KEYMAP_NONE;
		return finish(km, 0, time_ms, out);
	}
	if (c == 0)
		return KEYMAP_NONE;
	if (km->cfg.gs_char >= 0 && c == km->cfg.gs_char)
		c = GS;
	put(km, (unsigned char)c, time_ms);
	return KEYMAP_NONE;
}

int
keymap_feed(struct keymap *km, uint16_t type, uint16_t code, int32_t value,
	    int64_t time_ms, struct scan *out)
{
	unsigned bit;
	int rc;

	if (type == EV_LED && code == LED_CAPSL) {
		km->caps = value != 0;
		return KEYMAP_NONE;
	}
	if (type != EV_KEY || value == 2)
		return KEYMAP_NONE;
	rc = keymap_tick(km, time_ms, out);
	bit = mod_bit(code);
	if (bit != 0) {
		modifier(km, bit, value, time_ms);
	} else if (value == 1) {
		/*
		 * After a timeout finished the old code the buffer is empty,
		 * so this press cannot finish another one: one result per call.
		 */
		int r = press(km, code, time_ms, out);

		if (rc == KEYMAP_NONE)
			rc = r;
	}
	if (value == 1)
		km->last_ms = time_ms;
	return rc;
}

int
keymap_key_code(const char *name)
{
	static const struct {
		const char *name;
		int code;
	} keys[] = {
		{ "ESC", KEY_ESC }, { "INSERT", KEY_INSERT },
		{ "PAUSE", KEY_PAUSE }, { "SCROLLLOCK", KEY_SCROLLLOCK },
		{ "SYSRQ", KEY_SYSRQ }, { "HOME", KEY_HOME },
		{ "END", KEY_END },
	};
	static const int fkeys[] = {
		KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7,
		KEY_F8, KEY_F9, KEY_F10, KEY_F11, KEY_F12, KEY_F13, KEY_F14,
		KEY_F15, KEY_F16, KEY_F17, KEY_F18, KEY_F19, KEY_F20,
		KEY_F21, KEY_F22, KEY_F23, KEY_F24,
	};
	size_t i;
	int n;
	char *end;

	if (strncasecmp(name, "KEY_", 4) == 0)
		name += 4;
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' &&
	    name[1] <= '9') {
		n = (int)strtol(name + 1, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 24)
			return fkeys[n - 1];
		return -1;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return keys[i].code;
	return -1;
}
