/*
 * cli_pin: where a command-line tool takes a PIN from. Never from its own
 * arguments (every user on the host can read those in /proc): a file
 * only its owner may read (--pin-file), the environment (SKLAD_PIN, for
 * scripts and service units), or typed on the terminal without echo.
 *
 * What it must not do: print, log or keep a PIN longer than the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "console/cli.h"
#include "scanners/i18n.h"


/* Keep the first line of buf (n bytes) as the PIN. */
static int
first_line(const char *buf, size_t n, char *out, size_t cap, struct err *e)
{
	size_t len = 0;

	while (len < n && buf[len] != '\n' && buf[len] != '\r')
		len++;
	if (len == 0 || len >= cap)
		return err_set(e, ERR_INVALID, "%s", _("The PIN is empty or "
			       "too long."));
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

/* The PIN in file path, which must be a regular file of ours that no one
 * else may read or write (mode 0600 or stricter). */
static int
pin_from_file(const char *path, char *out, size_t cap, struct err *e)
{
	char buf[128];
	struct stat sb;
	ssize_t n;
	int fd, rc;

	/* O_NONBLOCK: a FIFO is refused below instead of waiting for a
	 * writer */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		       O_CLOEXEC)) < 0)
		return err_set(e, ERR_IO, _("Cannot open the PIN file %s: %s"),
			       path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(e, ERR_INVALID, _("The PIN file %s is not a "
			       "regular file."), path);
	}
	if ((sb.st_mode & 077) != 0 || sb.st_uid != geteuid()) {
		close(fd);
		return err_set(e, ERR_DENIED, _("The PIN file %s must belong "
			       "to you and be readable by you only (chmod 600 "
			       "%s)."), path, path);
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return err_set(e, ERR_IO, _("Cannot read the PIN file %s: %s"),
			       path, strerror(errno));
	rc = first_line(buf, (size_t)n, out, cap, e);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* Ask on the terminal, echo off; the answer into out. */
static int
pin_from_tty(const char *question, char *out, size_t cap, struct err *e)
{
	struct termios old, quiet;
	char buf[128];
	ssize_t n;
	int rc;

	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return err_set(e, ERR_IO, "%s", strerror(errno));
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	fputs(question, stderr);
	fflush(stderr);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	n = read(STDIN_FILENO, buf, sizeof(buf));
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	if (n <= 0)
		return err_set(e, ERR_INVALID, "%s", _("No PIN was typed."));
	rc = first_line(buf, (size_t)n, out, cap, e);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

int
cli_pin_read(const char *pin_file, bool ask, char *out, size_t cap,
	     struct err *e)
{
	const char *env = getenv("SKLAD_PIN");
	char again[64];
	int rc;

	if (pin_file != NULL)
		return pin_from_file(pin_file, out, cap, e);
	if (env != NULL)
		return first_line(env, strlen(env), out, cap, e);
	if (!ask || !isatty(STDIN_FILENO))
		return err_set(e, ERR_INVALID, "%s", _("Give the PIN in the "
			       "SKLAD_PIN environment variable or with "
			       "--pin-file FILE (mode 0600)."));
	if ((rc = pin_from_tty(_("PIN: "), out, cap, e)) < 0 ||
	    (rc = pin_from_tty(_("The same PIN again: "), again,
			       sizeof(again), e)) < 0)
		return rc;
	rc = strcmp(out, again) == 0 ? 0 : err_set(e, ERR_INVALID, "%s",
						  _("The two PINs differ."));
	explicit_bzero(again, sizeof(again));
	return rc;
}
