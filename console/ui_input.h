/*
 * ui_input: where scans come from: evdev scanners, FIFOs and the SSH
 * keyboard wedge on the terminal.
 *
 * A pull-model module for the loop (DESIGN.md, One loop):
 * ui_input_pollfds / ui_input_timeout / ui_input_dispatch. Complete scans
 * go to ui_scan, device events to ui_device_note; bytes read from the
 * terminal pass through ui_input_tty so that, with no evdev scanner, a
 * fast burst ending in Enter becomes a scan, only a key pressed on its
 * own reaches ui_key as a possible command, keys that came together are
 * text for a field or nothing, and a scan that stalled is joined with its
 * rest or refused whole (scanners/wedge.h). At the ':' prompt everything
 * typed or pasted is text.
 *
 * What it must not do: block, decide what a scan means, or draw.
 */
#ifndef SKLAD_UI_INPUT_H
#define SKLAD_UI_INPUT_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "console/ui.h"
#include "scanners/evdev.h"
#include "scanners/wedge.h"

#define UI_FIFOS_MAX 4
#define UI_INPUT_POLLFDS_MAX (EV_POLLFDS_MAX + UI_FIFOS_MAX)

struct ui_fifo {
	char path[256];
	int fd;			/* read end, non-blocking */
	int keep;		/* our own write end: no EOF between writers */
	char line[SCAN_MAX + 1];
	size_t len;
	bool overflow;
};

struct ui_input_config {
	const char *fifos[UI_FIFOS_MAX];
	int nfifos;
	struct ev_config ev;	/* ev.nmatch > 0: evdev scanners */
	int wedge_gap_ms;	/* 0: the wedge default */
	int wedge_join_ms;	/* 0: the wedge default; -1: never join */
};

struct ui_input {
	struct ui_fifo fifo[UI_FIFOS_MAX];
	int nfifos;
	struct ev_ctx *ev;	/* NULL without evdev scanners */
	bool wedge_on;		/* no evdev scanner: watch the tty */
	struct wedge wedge;
};

/*
 * Open every source of cfg: create missing FIFOs, open evdev (grabs),
 * start the wedge when there is no evdev scanner. Returns 0 or a
 * negative ERR_* with e set; on failure nothing stays open.
 */
int ui_input_open(struct ui_input *in, const struct ui_input_config *cfg,
		  struct ui *ui, struct err *e);

/* Release every grab and close everything. */
void ui_input_close(struct ui_input *in);

/* The pollfds of the sources; returns how many (<= max). */
int ui_input_pollfds(struct ui_input *in, struct pollfd *pfds, int max);

/* ms until the next deadline (end of a wedge burst, evdev timers), 0 if
 * something is ready, -1 for none. */
int ui_input_timeout(const struct ui_input *in, int64_t now_ms);

/* Read what poll reported and pass on scans and device events. */
void ui_input_dispatch(struct ui_input *in, struct ui *ui,
		       const struct pollfd *pfds, int n, int64_t now_ms);

/* One key from the terminal (getch): through the wedge or straight to
 * ui_key. */
void ui_input_tty(struct ui_input *in, struct ui *ui, int key,
		  int64_t now_ms);

#endif
