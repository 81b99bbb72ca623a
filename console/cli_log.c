/*
 * cli_log: complaint lines on stderr that systemd's journal files under
 * the right priority (cli.h: cli_log_init, cli_logf).
 *
 * Under systemd, stderr is a stream into the journal and the service
 * manager says so in JOURNAL_STREAM ("DEVICE:INODE" of that stream,
 * systemd.exec(5)): the journal reads a leading "<N>" (sd-daemon(3)) as
 * the line's priority, so `journalctl -p err -u sklad-sync` shows what
 * needs a person. Anywhere else (a terminal, a file, cron's mail) the
 * prefix would be noise, so it is written only when stderr is that
 * stream, or when asked for (--log-prefix: another logger that reads
 * the same convention).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "console/cli.h"

static bool prefix;

bool
cli_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (v == NULL || sscanf(v, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return false;
	return fstat(2, &st) == 0 && (unsigned long long)st.st_dev == dev &&
		(unsigned long long)st.st_ino == ino;
}

void
cli_log_init(bool force)
{
	prefix = force || cli_stderr_is_journal();
}

void
cli_logf(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prefix)
		fprintf(stderr, "<%d>", prio);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
