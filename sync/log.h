/*
 * log: the priority of a line sync logs (runner.c, api.c), for the admin
 * who reads them in the journal.
 *
 * A log line may begin with a syslog priority written the way
 * sd-daemon(3) does it: "<3>" (SY_LOG_ERR: a person must act), "<4>"
 * (SY_LOG_WARNING: something went wrong that the next run may cure); a
 * line without one is information. Whoever receives the lines (a log
 * callback) either passes the prefix on to systemd's journal, or shows
 * the text after it (sy_log_split).
 */
#ifndef SKLAD_SYNC_LOG_H
#define SKLAD_SYNC_LOG_H

#include <string.h>

#define SY_LOG_ERR "<3>"
#define SY_LOG_WARNING "<4>"
#define SY_LOG_INFO_LEVEL 6

/* The priority of line (3, 4, or 6 for none) and, in *text, the line
 * without its prefix. */
static inline int
sy_log_split(const char *line, const char **text)
{
	if (line[0] == '<' && line[1] >= '0' && line[1] <= '7' &&
	    line[2] == '>') {
		*text = line + 3;
		return line[1] - '0';
	}
	*text = line;
	return SY_LOG_INFO_LEVEL;
}

#endif
