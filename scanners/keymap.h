/*
 * keymap: evdev key events of one scanner to complete scans.
 *
 * A scanner in keyboard (HID) mode types a code as key presses. This module
 * turns (type, code, value, time) events into the bytes the scanner meant,
 * by key position in the layout the scanner emulates (a table here, "us" by
 * default), never through the host's keyboard layout. It tracks Shift,
 * Ctrl, Alt and CapsLock (the scanner's own CapsLock presses and the LED
 * the host reports), decodes keypad keys, and recovers the GS separator
 * (0x1D) from every form scanners type it in: Ctrl+], Alt+numpad decimal
 * sequences (Alt+0+2+9; any Alt+NNN gives byte NNN mod 256), a configured
 * key (F8) or a configured substitute character outside GS1 CSET 82. A scan
 * ends at a terminator key (Enter, keypad Enter, Tab: configurable) or, if
 * configured, when no key came for timeout_ms. Auto-repeat (value 2) is
 * ignored. Configured prefix and suffix strings are stripped.
 *
 * What it must not do: allocate, read a clock (time is an argument), do
 * I/O, or know anything about devices, grabs or what a code means.
 */
#ifndef SKLAD_KEYMAP_H
#define SKLAD_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"
#include "scanners/scan.h"

/* keymap_config.terminators */
#define KEYMAP_TERM_ENTER 0x1	/* KEY_ENTER (and Ctrl+M, Ctrl+J) */
#define KEYMAP_TERM_KPENTER 0x2	/* KEY_KPENTER */
#define KEYMAP_TERM_TAB 0x4	/* KEY_TAB (and Ctrl+I) */
#define KEYMAP_TERM_TIMEOUT 0x8	/* timeout_ms without a key ends the scan */

#define KEYMAP_AFFIX_MAX 16	/* prefix / suffix, including the NUL */
#define KEYMAP_LAYOUT_MAX 8	/* layout name, including the NUL */
#define KEYMAP_TIMEOUT_DEFAULT 1000

/* What keymap_feed and keymap_tick produced. */
enum keymap_result {
	KEYMAP_NONE = 0,	/* nothing complete yet */
	KEYMAP_SCAN = 1,	/* *out holds a complete scan */
	KEYMAP_FRAGMENT = 2,	/* *out holds a half-typed code, abandoned */
};

struct keymap_config {
	char layout[KEYMAP_LAYOUT_MAX];	/* emulated keyboard: "us" */
	unsigned terminators;	/* KEYMAP_TERM_* */
	/*
	 * A gap of this many ms between key presses ends the scan (with
	 * KEYMAP_TERM_TIMEOUT) or abandons it as a fragment (without).
	 * 0: never. Default 1000: long enough for a 20 ms/key scanner on a
	 * loaded host, short enough that a fragment does not glue itself to
	 * the next code.
	 */
	int timeout_ms;
	uint16_t gs_key;	/* key code typed as GS (KEY_F8), 0: none */
	int gs_char;		/* byte typed instead of GS, -1: none */
	size_t max_len;		/* longer scans are cut and flagged */
	char prefix[KEYMAP_AFFIX_MAX];	/* stripped when a scan starts so */
	char suffix[KEYMAP_AFFIX_MAX];	/* stripped when a scan ends so */
};

/*
 * Decoder state of one device. Embed it anywhere; its fields are private
 * to keymap.c.
 */
struct keymap {
	struct keymap_config cfg;
	const char (*table)[2];	/* the layout: [key code][shift] */
	unsigned mods;		/* modifier keys held, one bit each */
	bool caps;		/* CapsLock in effect */
	bool overflow;		/* the current scan hit max_len */
	bool damaged;		/* events were lost: drop up to the end key */
	int alt_digits;		/* keypad digits typed with Alt held */
	unsigned alt_value;	/* their decimal value so far */
	int64_t first_ms;	/* first key of the current scan */
	int64_t last_ms;	/* last key press seen */
	size_t len;		/* bytes in buf */
	char buf[SCAN_MAX];
};

/*
 * Fill *cfg with the defaults: layout "us", Enter and keypad Enter end a
 * scan, timeout KEYMAP_TIMEOUT_DEFAULT abandons a fragment, no GS key or
 * character, max_len SCAN_MAX, no prefix or suffix.
 */
void keymap_defaults(struct keymap_config *cfg);

/*
 * Check cfg and start *km with it (nothing held, CapsLock off, empty).
 * Returns 0, or ERR_INVALID with e saying which setting is wrong: unknown
 * layout, a GS character inside CSET 82 or that is a terminator, a GS key
 * that types a character, max_len of 0 or over SCAN_MAX, affix too long.
 * cfg is copied.
 */
int keymap_init(struct keymap *km, const struct keymap_config *cfg,
		struct err *e);

/*
 * Feed one input event (type, code, value as in struct input_event; time
 * in ms on any clock that only moves forward). Events other than EV_KEY and
 * EV_LED/LED_CAPSL are ignored. When the gap since the last key press has
 * reached the timeout, the pending code is finished first. Returns a
 * keymap_result; for KEYMAP_SCAN and KEYMAP_FRAGMENT, *out's bytes, len,
 * flags, first_ms and last_ms are filled (device fields are left alone).
 */
int keymap_feed(struct keymap *km, uint16_t type, uint16_t code,
		int32_t value, int64_t time_ms, struct scan *out);

/* When the pending code times out (ms, same clock), or -1 if never. */
int64_t keymap_deadline(const struct keymap *km);

/*
 * Let time pass to now_ms without an event: if the deadline has come,
 * finish the pending code as keymap_feed would. Returns a keymap_result.
 */
int keymap_tick(struct keymap *km, int64_t now_ms, struct scan *out);

/*
 * Forget the pending code and any Alt sequence (an unplug). Returns how
 * many bytes were dropped.
 */
size_t keymap_discard(struct keymap *km);

/*
 * Key events were lost (SYN_DROPPED at time_ms): whatever is typed up to
 * the next terminator, or until the timeout passes without a key, may
 * lack characters anywhere, so it comes out as a KEYMAP_FRAGMENT flagged
 * SCAN_DAMAGED (possibly of 0 bytes), never as a scan.
 */
void keymap_damage(struct keymap *km, int64_t time_ms);

/*
 * Set what is held after a re-sync or a grab: mods from scratch via
 * keymap_key_state for each key down, CapsLock from the LED.
 */
void keymap_reset_state(struct keymap *km, bool caps);

/* Record that key code is down (true) or up without typing anything. */
void keymap_key_state(struct keymap *km, uint16_t code, bool down);

/* Whether a code, an Alt sequence or a damage report is pending. */
bool keymap_pending(const struct keymap *km);


/*
 * The key code for a name as users write it in options: "F8", "KEY_F8",
 * "f8", "INSERT", "PAUSE", "SCROLLLOCK", "ESC". Returns the code (> 0) or
 * -1 if the name is not one of those.
 */
int keymap_key_code(const char *name);

#endif
