/*
 * printer: bytes to a label printer, with a deadline, and a sentence that
 * says what went wrong when they did not get there.
 *
 * Raw TCP (port 9100, what Zebra, TSC and most network printers listen
 * on): a non-blocking connect and writes, each waited for with poll()
 * up to the timeout, so a printer that is off, refuses or hangs costs at
 * most that long and never blocks forever. CUPS: lp -d QUEUE -o raw,
 * started with execvp (no shell), fed on stdin, its exit status and
 * stderr taken as the answer.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "labels/labels.h"
#include "scanners/i18n.h"


static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline: 1 ready, 0 timed out, -1 error. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { fd, events, 0 };
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		return rc < 0 ? -1 : rc;
	}
}

static int
tcp_connect(const char *uri, const char *host, const char *port,
	    int64_t deadline, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc, soerr = 0;
	socklen_t sl = sizeof(soerr);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return err_set(e, ERR_NET, _("Printer %s: unknown host %s "
			       "(%s)."), uri, host, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
			    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			rc = wait_fd(fd, POLLOUT, deadline);
			if (rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
						 &soerr, &sl) == 0 &&
			    soerr == 0)
				break;
			if (rc == 0) {
				close(fd);
				freeaddrinfo(res);
				return err_set(e, ERR_NET, _("Printer %s does "
					       "not answer (switched off, or "
					       "not on the network?)."), uri);
			}
			errno = soerr;
		}
		soerr = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(e, ERR_NET, _("Printer %s cannot be reached: "
			       "%s."), uri, strerror(soerr));
	return fd;
}

/* Read what the printer answers until stop(buf, n) or the deadline. */
static size_t
read_answer(int fd, char *buf, size_t cap, int64_t deadline,
	    bool (*stop)(const char *buf, size_t n))
{
	size_t n = 0;

	while (n < cap - 1 && !stop(buf, n) &&
	       wait_fd(fd, POLLIN, deadline) > 0) {
		ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);

		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return n;
}

/* ZPL's host status is three lines, each STX ... ETX; the first two say
 * what sklad asks. */
static bool
zpl_done(const char *buf, size_t n)
{
	size_t i, etx = 0;

	for (i = 0; i < n; i++)
		etx += buf[i] == '\x03';
	return etx >= 2;
}

static bool
tspl_done(const char *buf, size_t n)
{
	(void)buf;
	return n >= 1;
}

/* Field i (0-based) of the comma-separated line that starts at s, as a
 * number; -1 if missing. */
static long
field(const char *s, int i)
{
	while (i > 0 && s != NULL) {
		s = strchr(s, ',');
		if (s != NULL)
			s++;
		i--;
	}
	return s != NULL && *s >= '0' && *s <= '9' ? strtol(s, NULL, 10) : -1;
}

/* Ask the printer's state and say what keeps it from printing, if
 * anything: 0 ready (or it did not answer: many cannot), else ERR_NET. */
static int
ask_status(const struct lb_printer *p, int fd, int64_t deadline,
	   struct err *e)
{
	static const char zpl_q[] = "~HS\r\n", tspl_q[] = "\x1b!?";
	/* a printer that does not answer within a second is taken as
	 * ready: the label's scan-to-confirm is the final word */
	int64_t until = deadline < now_ms() + 1000 ? deadline : now_ms() + 1000;
	const char *q = p->status == LB_STATUS_ZPL ? zpl_q : tspl_q;
	char buf[512], why[128] = "";
	size_t n;

	if (send(fd, q, strlen(q), MSG_NOSIGNAL) != (ssize_t)strlen(q))
		return 0;
	n = read_answer(fd, buf, sizeof(buf), until,
			p->status == LB_STATUS_ZPL ? zpl_done : tspl_done);
	if (p->status == LB_STATUS_ZPL) {
		const char *l1 = memchr(buf, '\x02', n), *l2;

		if (l1 == NULL)
			return 0;
		l1++;
		l2 = strchr(l1, '\x02');
		l2 = l2 != NULL ? l2 + 1 : NULL;
		if (field(l1, 1) == 1)
			snprintf(why, sizeof(why), "%s", _("paper out"));
		else if (l2 != NULL && field(l2, 2) == 1)
			snprintf(why, sizeof(why), "%s", _("head open"));
		else if (l2 != NULL && field(l2, 3) == 1)
			snprintf(why, sizeof(why), "%s", _("ribbon out"));
		else if (field(l1, 2) == 1)
			snprintf(why, sizeof(why), "%s", _("paused"));
	} else if (n >= 1) {
		unsigned char b = (unsigned char)buf[0];

		if (b & 0x04)
			snprintf(why, sizeof(why), "%s", _("paper out"));
		else if (b & 0x41)
			snprintf(why, sizeof(why), "%s", _("head or cover open"));
		else if (b & 0x02)
			snprintf(why, sizeof(why), "%s", _("paper jam"));
		else if (b & 0x08)
			snprintf(why, sizeof(why), "%s", _("ribbon out"));
		else if (b & 0x10)
			snprintf(why, sizeof(why), "%s", _("paused"));
	}
	if (why[0] == '\0')
		return 0;
	return err_set(e, ERR_NET, _("Printer %s: %s. Nothing was sent."),
		       p->uri, why);
}

static int
print_tcp(const struct lb_printer *p, const char *hostport, const char *data,
	  size_t len, int64_t deadline, struct err *e)
{
	char host[256], port[16] = "9100";
	const char *colon = strrchr(hostport, ':');
	size_t off = 0;
	int fd, rc;

	if (colon != NULL && strchr(hostport, ']') == NULL &&
	    strchr(hostport, ':') == colon) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport),
			 hostport);
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else {
		snprintf(host, sizeof(host), "%s", hostport);
	}
	if ((fd = tcp_connect(p->uri, host, port, deadline, e)) < 0)
		return fd;
	if (p->status != LB_STATUS_NONE &&
	    (rc = ask_status(p, fd, deadline, e)) < 0)
		goto out;
	while (off < len) {
		ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			rc = err_set(e, ERR_NET, _("Printer %s broke the "
				     "connection after %zu of %zu bytes: "
				     "%s."), p->uri, off, len,
				     strerror(errno));
			goto out;
		}
		if ((rc = wait_fd(fd, POLLOUT, deadline)) <= 0) {
			rc = err_set(e, ERR_NET, _("Printer %s stopped taking "
				     "data after %zu of %zu bytes (paper out, "
				     "open cover or busy?)."), p->uri, off,
				     len);
			goto out;
		}
	}
	/* every byte taken by the printer's TCP, not only by ours: a printer
	 * that hangs stops acknowledging once its buffer is full */
	for (;;) {
		int unsent = 0;

		if (ioctl(fd, SIOCOUTQ, &unsent) < 0 || unsent == 0)
			break;
		if (now_ms() >= deadline) {
			rc = err_set(e, ERR_NET, _("Printer %s took the "
				     "connection but not the label (%d bytes "
				     "left; paper out, open cover or "
				     "busy?)."), p->uri, unsent);
			goto out;
		}
		usleep(2000);
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int
print_lp(const struct lb_printer *p, const char *queue, const char *data,
	 size_t len, int64_t deadline, struct err *e)
{
	int in[2], errp[2], status = 0, rc = 0;
	char msg[256] = "";
	size_t off = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		return err_set(e, ERR_IO, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(in[0]); close(in[1]); close(errp[0]); close(errp[1]);
		return err_set(e, ERR_IO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(errp[1], 1);
		dup2(errp[1], 2);
		execlp("lp", "lp", "-d", queue, "-o", "raw", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(errp[1]);
	while (off < len) {
		n = write(in[1], data + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EINTR)
			break;
	}
	close(in[1]);
	n = 0;
	while (wait_fd(errp[0], POLLIN, deadline) > 0 &&
	       (size_t)n < sizeof(msg) - 1) {
		ssize_t k = read(errp[0], msg + n, sizeof(msg) - 1 - (size_t)n);

		if (k <= 0)
			break;
		n += k;
	}
	msg[n] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	close(errp[0]);
	if (now_ms() >= deadline)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		rc = err_set(e, ERR_IO, _("Printer %s: lp is not installed "
			     "(apt-get install cups-client)."), p->uri);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = err_set(e, ERR_NET, _("Printer %s: lp refused the label: "
			     "%s"), p->uri, msg[0] ? msg : _("timed out"));
	return rc;
}

static int
print_file(const struct lb_printer *p, const char *path, const char *data,
	   size_t len, struct err *e)
{
	FILE *f = fopen(path, "ab");

	if (f == NULL)
		return err_set(e, ERR_IO, _("Printer %s: cannot open %s: %s."),
			       p->uri, path, strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		return err_set(e, ERR_IO, _("Printer %s: cannot write %s."),
			       p->uri, path);
	return 0;
}

int
lb_print(const struct lb_printer *p, const char *data, size_t len,
	 struct err *e)
{
	int64_t deadline = now_ms() + (p->timeout_ms > 0 ? p->timeout_ms :
				       5000);

	if (strncmp(p->uri, "tcp:", 4) == 0)
		return print_tcp(p, p->uri + 4, data, len, deadline, e);
	if (strncmp(p->uri, "cups:", 5) == 0)
		return print_lp(p, p->uri + 5, data, len, deadline, e);
	if (strncmp(p->uri, "file:", 5) == 0)
		return print_file(p, p->uri + 5, data, len, e);
	return err_set(e, ERR_INVALID, _("Printer %s: say tcp:HOST[:PORT], "
		       "cups:QUEUE or file:PATH."), p->uri);
}
