/*
 * wedge: scans typed into a terminal, told apart from a person typing.
 *
 * Over SSH there is no evdev: a scanner at the remote station is a
 * keyboard, and its codes arrive as bytes on the tty among the support
 * engineer's own keystrokes. A scanner types a burst: many bytes, each
 * within max_gap_ms of the last, ending in a terminator (CR, LF or Tab,
 * configurable). A person is slower and shorter. So bytes are held while
 * they come fast; a burst of at least min_len bytes that ends in a
 * terminator is a scan (GS arrives as 0x1D, or as the configured
 * substitute character, mapped back).
 *
 * A scan over a laggy link may stall in the middle (up to seconds), and
 * its characters (c, f, q, digits) must never act as command keys. So
 * only a key pressed on its own is a WEDGE_KEY: no other byte within
 * max_gap_ms before or after it. Bytes that came together are
 * WEDGE_TEXT, never commands. With joining on (the console's command
 * screens) a burst that stops without its terminator is held up to
 * join_ms for the rest: if the rest comes it is one scan (SCAN_JOINED);
 * if not, the whole burst is WEDGE_CUT, to be refused whole. With joining
 * off (a text field has the focus) such a burst is text at once. Pasting
 * a line of text looks like a scan, by design: callers with a text prompt
 * open treat scans as text.
 *
 * What it must not do: allocate, read a clock (time is an argument), do
 * I/O, or interpret keystrokes (escape sequences pass through untouched).
 */
#ifndef SKLAD_WEDGE_H
#define SKLAD_WEDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanners/err.h"
#include "scanners/scan.h"

/* wedge_config.terminators */
#define WEDGE_TERM_CR 0x1
#define WEDGE_TERM_LF 0x2
#define WEDGE_TERM_TAB 0x4

enum wedge_kind {
	WEDGE_SCAN = 1,		/* a scan, without its terminator */
	WEDGE_KEY = 2,		/* one key (one UTF-8 character) pressed on
				 * its own: may be a command key */
	WEDGE_TEXT = 3,		/* bytes that came together: text only */
	WEDGE_CUT = 4,		/* a burst that stalled and never ended: a
				 * part of a scan, to be refused whole */
};

/* scan.flags of a WEDGE_SCAN that stalled and was joined with its rest */
#define SCAN_JOINED 0x100

struct wedge_config {
	/*
	 * The longest gap between two bytes of one scan. Default 50: a
	 * scanner types a byte every 1-20 ms; a person rarely two within
	 * 50 ms, and never ten in a row. Raise it for a laggy SSH link.
	 */
	int max_gap_ms;
	size_t min_len;		/* shorter bursts are typing; default 8 */
	unsigned terminators;	/* WEDGE_TERM_*; default CR | LF */
	bool need_terminator;	/* false: a long fast burst is a scan even
				 * without one (ends after max_gap_ms) */
	int gs_char;		/* byte standing for GS in scans, -1: none */
	/*
	 * How long a burst that stopped without its terminator waits for
	 * the rest while joining is on (wedge_join). Default 3000: a scan
	 * over SSH may stall 2 s on a Wi-Fi hiccup. 0: never join.
	 */
	int join_ms;
};

/* One result: a scan, or keystrokes (bytes holds them, len of them). */
struct wedge_item {
	enum wedge_kind kind;
	struct scan scan;	/* device fields are left empty */
};

/* State of one terminal. Embed it; the fields are private to wedge.c. */
struct wedge {
	struct wedge_config cfg;
	char buf[SCAN_MAX];	/* the burst so far */
	size_t len;
	int64_t first_ms, last_ms;
	int64_t prev_ms;	/* the last byte fed, of any burst */
	bool isolated;		/* the burst began after a quiet gap */
	bool joining;		/* the burst stalled: waiting for its rest */
	bool join;		/* wedge_join: hold stalled bursts */
	struct wedge_item out[2];	/* results of the last call */
	int nout, taken;
};

/* Defaults: 50 ms, 8 bytes, CR or LF, terminator needed, no GS char,
 * join 3000 ms. */
void wedge_defaults(struct wedge_config *cfg);

/*
 * Check cfg and start *w empty, joining on. Returns 0, or ERR_INVALID
 * with e set: a gap outside 1..10000 ms, a join time outside 0..10000 ms,
 * min_len outside 1..SCAN_MAX, no terminator while one is needed, or a GS
 * character inside CSET 82 or a terminator.
 */
int wedge_init(struct wedge *w, const struct wedge_config *cfg,
	       struct err *e);

/*
 * Feed one byte read from the terminal at time now_ms. Returns how many
 * results (0..2) are ready; take them with wedge_take before the next
 * wedge_feed or wedge_tick, which drop untaken ones.
 */
int wedge_feed(struct wedge *w, unsigned char byte, int64_t now_ms);

/*
 * Joining on: a burst that stalls is held for its rest (commands have the
 * focus). Off: it is WEDGE_TEXT after the gap (a text field has it).
 * Applies to what is fed and settled from now on.
 */
void wedge_join(struct wedge *w, bool on);

/* When held bytes must be settled (ms), or -1 if nothing is held. */
int64_t wedge_deadline(const struct wedge *w);

/* Let time pass to now_ms; returns how many results are ready (0..1). */
int wedge_tick(struct wedge *w, int64_t now_ms);

/* Copy the next ready result into *out; false if there is none. */
bool wedge_take(struct wedge *w, struct wedge_item *out);

#endif
