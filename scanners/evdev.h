/*
 * evdev: the scanners attached to this machine, read through evdev.
 *
 * Finds the configured scanners among /dev/input/event* (by their
 * /dev/input/by-id name, vendor:product, or a device-name pattern), opens
 * them non-blocking, takes an exclusive grab once no key is held on them
 * (so their keys reach no other program and none stays stuck), decodes
 * their key events with scanners/keymap into scans tagged with the device,
 * and follows hot-plug through inotify on /dev/input: a replugged scanner
 * is reopened and re-grabbed; an unplug is reported, and a half-typed code
 * is discarded with a message, never delivered.
 *
 * The devices are read by a thread of its own (DESIGN.md, "One loop"),
 * so the kernel's small per-reader buffer never overflows while the caller
 * commits, draws or talks to the network. The caller sees one fd:
 * ev_pollfds / ev_timeout / ev_dispatch fit its poll() loop, then ev_next
 * takes completed scans and device events in the order they happened,
 * as fast or slowly as the caller likes: the queue holds EV_QUEUE_MAX of
 * them, and codes that came while it was full are counted in one
 * EV_EVENT_LOST in their place, never dropped silently.
 *
 * What it must not do: block the caller, print, exit, or decide what a
 * scan means. libevdev is included here (evdev.c) and nowhere else.
 */
#ifndef SKLAD_EVDEV_H
#define SKLAD_EVDEV_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "scanners/err.h"
#include "scanners/keymap.h"
#include "scanners/scan.h"

#define EV_MATCH_MAX 8		/* configured scanners */
#define EV_SLOTS_MAX 16		/* devices open at once */
#define EV_POLLFDS_MAX (1 + EV_SLOTS_MAX)
#define EV_PATTERN_MAX 128
#define EV_MSG_MAX 384
#define EV_GRAB_RETRY_MS 1000	/* retry of a grab another program holds */
#define EV_QUEUE_MAX 1024	/* events waiting for ev_next */

/* One configured scanner: every criterion that is set must hold. */
struct ev_match {
	char label[SCAN_DEVICE_MAX];	/* tag for its scans; "" = its name */
	char by_id[EV_PATTERN_MAX];	/* by-id link name, or a path */
	char name[EV_PATTERN_MAX];	/* fnmatch pattern on the device name */
	bool by_id_or_name;	/* by_id and name are alternatives */
	int vendor;		/* USB/BT vendor id, -1: any */
	int product;		/* product id, -1: any */
	struct keymap_config keys;	/* how it types */
};

struct ev_config {
	struct ev_match match[EV_MATCH_MAX];
	int nmatch;		/* 0: every keyboard-like device */
	bool grab;		/* take exclusive grabs */
	int grab_retry_ms;	/* EV_GRAB_RETRY_MS unless set */
	const char *dir;	/* NULL: "/dev/input" */
	struct keymap_config keys;	/* for nmatch == 0 */
};

enum ev_event_kind {
	EV_EVENT_SCAN,		/* scan: a complete code */
	EV_EVENT_PLUGGED,	/* a configured scanner was opened */
	EV_EVENT_GRABBED,	/* and is now exclusively ours */
	EV_EVENT_GRAB_FAILED,	/* another program holds it; retried */
	EV_EVENT_UNPLUGGED,	/* it went away */
	EV_EVENT_DISCARDED,	/* a half-typed code was dropped: msg: why */
	EV_EVENT_ERROR,		/* a matching device cannot be used: msg */
	EV_EVENT_LOST,		/* lost codes came while the queue was full */
};

struct ev_event {
	enum ev_event_kind kind;
	/*
	 * device, node and device_id always; for SCAN the scan itself, for
	 * DISCARDED the bytes that were dropped (never to be used as a code).
	 */
	struct scan scan;
	char msg[EV_MSG_MAX];	/* one sentence for anything but SCAN */
	int lost;		/* codes to scan again: DISCARDED 1, LOST n */
};

/* What `sklad scanners list` shows of one input device. */
struct ev_devinfo {
	char node[SCAN_NODE_MAX];	/* /dev/input/event3 */
	char name[EV_PATTERN_MAX];	/* as the device reports it */
	int vendor, product;	/* -1 if unknown */
	char by_id[EV_PATTERN_MAX];	/* by-id link name, or "" */
	bool keyboard;		/* has Enter and digit keys: a candidate */
	bool readable;		/* this user can open it */
	char why[EV_MSG_MAX];	/* if not readable: why, and the fix */
};

struct ev_ctx;

/*
 * Set up a context for cfg (copied): watch the device folder, open and,
 * if cfg->grab, grab every matching device present now (their PLUGGED,
 * GRABBED, GRAB_FAILED, ERROR events are queued), then start the reader
 * thread (with every signal blocked). Returns 0 with *out an owned context
 * (free it with ev_close), or ERR_INVALID (a bad keymap setting), ERR_IO /
 * ERR_DENIED (the folder cannot be watched), ERR_INTERNAL (no thread) with
 * e set.
 */
int ev_open(struct ev_ctx **out, const struct ev_config *cfg, struct err *e);

/* Stop the reader, release every grab, close every device, free *ctx and
 * set it to NULL. Events still queued are dropped. */
void ev_close(struct ev_ctx **ctx);

/*
 * Fill up to max pollfds (EV_POLLFDS_MAX always suffices) with the fds to
 * wait on and the events wanted (today one: the reader's wake-up). Returns
 * how many were filled. Ask again each loop pass.
 */
int ev_pollfds(struct ev_ctx *ctx, struct pollfd *pfds, int max);

/*
 * 0 if the queue holds events, else -1 (the reader keeps the deadlines:
 * end of a code by timeout, grab retries). now_ms is unused.
 */
int ev_timeout(const struct ev_ctx *ctx, int64_t now_ms);

/*
 * Take the reader's wake-up after poll() (pfds, n and now_ms are kept for
 * the loop's shape and unused). The reader itself reads devices until
 * EAGAIN (re-syncing after SYN_DROPPED), follows hot-plug, retries grabs
 * and finishes timed-out codes; results wait in the queue for ev_next.
 */
void ev_dispatch(struct ev_ctx *ctx, const struct pollfd *pfds, int n,
		 int64_t now_ms);

/* Take the oldest queued event into *out. Returns false if none. Safe
 * while the reader runs; call from one thread only. */
bool ev_next(struct ev_ctx *ctx, struct ev_event *out);

/* CLOCK_MONOTONIC in ms: the clock of scan times and deadlines. */
int64_t ev_now_ms(void);

/*
 * Parse a --device argument into m (keys set to the defaults):
 * "[LABEL=]VVVV:PPPP" (hex vendor:product), "[LABEL=]/dev/input/by-id/X"
 * or another path to the device node, "[LABEL=]by-id:X",
 * "[LABEL=]name:PATTERN", or "[LABEL=]X" meaning a by-id link named X or a
 * device whose name matches the pattern X. Returns 0 or ERR_INVALID.
 */
int ev_match_parse(struct ev_match *m, const char *spec, struct err *e);

/*
 * Describe the input devices under dir (NULL: /dev/input) into out[0..max),
 * in node order. Returns how many (0 if none), or ERR_IO with e set if dir
 * cannot be read. Reads sysfs and tries to open each node; grabs nothing.
 */
int ev_list(const char *dir, struct ev_devinfo *out, int max, struct err *e);

#endif
