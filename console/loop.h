/*
 * loop: the console's one poll() (DESIGN.md, One loop).
 *
 * Each pass: ask every module for its fds and its next deadline, drain
 * the input ncurses already buffered, sleep in poll() for at most the
 * nearest deadline, read signals from a signalfd (SIGWINCH resizes;
 * SIGTERM, SIGINT and SIGHUP end the loop in order), dispatch the
 * modules (scanners, then the outbox runner when it runs), run the
 * timers, and redraw once.
 *
 * What it must not do: hold any module's logic, use threads, call curses
 * in signal context (signals are blocked and read as an fd), or block
 * anywhere but in poll().
 */
#ifndef SKLAD_LOOP_H
#define SKLAD_LOOP_H

#include "console/ui.h"
#include "console/ui_input.h"
#include "console/ui_sync.h"

/*
 * Block SIGWINCH, SIGTERM, SIGINT, SIGHUP (and SIGPIPE is ignored) and
 * open a signalfd for them. Call before starting curses, so that curses
 * never installs its own handler for a signal we read. Returns the fd,
 * or a negative ERR_* with e set.
 */
int loop_signals(struct err *e);

/*
 * Run the console until the operator quits or a terminating signal
 * arrives. Returns the signal number that ended it, or 0.
 */
int loop_run(struct ui *ui, struct ui_input *in, struct ui_sync *sync,
	     int sigfd);

/*
 * One pass: wait at most timeout_ms (-1: until something is due), handle
 * what is ready, redraw. sync may be NULL. Returns how many pollfds were
 * ready, or minus the signal that ended the console.
 */
int loop_once(struct ui *ui, struct ui_input *in, struct ui_sync *sync,
	      int sigfd, int timeout_ms);

#endif
