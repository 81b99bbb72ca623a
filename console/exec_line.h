/*
 * exec_line: one line of a `sklad exec` script in, one complete JSON
 * answer out. Kept apart from cmd_exec (options, login, the loop) so a
 * fuzzer drives exactly what a script's bytes meet.
 *
 * What it must not do: print, or let a line's bytes reach a command
 * unchecked (a NUL would cut it short, broken UTF-8 breaks the JSON).
 */
#ifndef SKLAD_EXEC_LINE_H
#define SKLAD_EXEC_LINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "console/workflow.h"

/* The longest script line taken: a command with its codes fits many
 * times over; a longer one is refused whole, never cut. */
#define EXEC_LINE_MAX 8192

enum exec_read {
	EXEC_EOF = 0,		/* nothing more */
	EXEC_LINE = 1,		/* a line in buf, *len bytes, end removed */
	EXEC_TOO_LONG = 2,	/* a line over EXEC_LINE_MAX, skipped */
};

/*
 * Read the next line of in into buf (EXEC_LINE_MAX + 1 bytes) without
 * its "\n" or "\r\n"; NUL bytes stay in it and are counted in *len. A
 * line longer than EXEC_LINE_MAX is read to its end and dropped.
 */
enum exec_read exec_read_line(FILE *in, char *buf, size_t *len);

/*
 * The answer to line number lineno (n bytes, may hold NULs; too_long when
 * exec_read_line dropped it): NULL for a blank or comment line (# first),
 * else a new object that always has "ok", "error", "command" and "line"
 * and only valid UTF-8. A line with a NUL byte, bytes that are not UTF-8,
 * or too long is refused with the reason and runs nothing. *ran_ok says
 * whether the line succeeded.
 */
json_t *exec_answer(struct wf *w, const char *line, size_t n, long lineno,
		    bool too_long, bool *ran_ok);

#endif
