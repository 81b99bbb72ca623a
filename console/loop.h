/*
 * loop: the console's one poll() (DESIGN.md, One loop).
 *
 * Each pass: ask every module for its fds and its next deadline, drain
 * the input ncurses already buffered, sleep in poll() for at most the
 * nearest deadline, read signals from a signalfd (SIGWINCH resizes;
 * SIGTERM, SIGINT and SIGHUP end the loop in order), dispatch the
 * modules, run the timers, and redraw once. The outbox runner (sync/)
 * joins here when it exists: see loop.c, "sync hook".
 *
 * What it must not do: hold any module's logic, use threads, call curses
 * in signal context (signals are blocked and read as an fd), or block
 * anywhere but in poll().
 */
#ifndef SKLAD_LOOP_H
#define SKLAD_LOOP_H

#include "console/ui.h"
#include "console/ui_input.h"

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
int loop_run(struct ui *ui, struct ui_input *in, int sigfd);

/*
 * One pass with a zero timeout, for the bench: handle whatever is ready
 * now and redraw. Returns how many pollfds were ready.
 */
int loop_once(struct ui *ui, struct ui_input *in, int sigfd,
	      int timeout_ms);

#endif
