/*
 * loop: one poll() over the terminal, the scanners, signals and timers
 * (loop.h).
 *
 * What it must not do: sleep anywhere but in poll(), or draw outside
 * ui_redraw.
 */
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "console/loop.h"
#include "console/ui_label.h"

#define LOOP_SYNC_PFDS_MAX 64	/* curl's sockets: a few per request */
/* the terminal, the signalfd, scanners, the outbox runner, the label
 * printer's child */
#define LOOP_PFDS_MAX (2 + UI_INPUT_POLLFDS_MAX + LOOP_SYNC_PFDS_MAX + 1)

int
loop_signals(struct err *e)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return err_set(e, ERR_IO, "signalfd: %s", strerror(errno));
	return fd;
}

/* Read pending signals; returns a terminating one, or 0. */
static int
read_signals(struct ui *ui, int sigfd)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			ui_screen_resize();
			ui->dirty = true;
		} else {
			stop = (int)si.ssi_signo;
		}
	}
	return stop;
}

/* Keys ncurses already holds would not wake poll(): take them all. */
static void
drain_keys(struct ui *ui, struct ui_input *in)
{
	int c;

	while ((c = getch()) != ERR) {
		if (c == KEY_RESIZE)
			continue;	/* resizes come through the signalfd */
		ui_input_tty(in, ui, c, ev_now_ms());
	}
}

static int
min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int
loop_once(struct ui *ui, struct ui_input *in, struct ui_sync *sync,
	  int sigfd, int timeout_ms)
{
	struct pollfd pfds[LOOP_PFDS_MAX];
	int64_t now;
	int n = 0, nin, nsync, ready, stop;

	drain_keys(ui, in);
	ui_redraw(ui);
	pfds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	pfds[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	nin = ui_input_pollfds(in, pfds + n, LOOP_PFDS_MAX - n);
	n += nin;
	nsync = ui_sync_pollfds(sync, pfds + n, LOOP_PFDS_MAX - n);
	n += nsync;
	n += ui_label_pollfds(ui, pfds + n, LOOP_PFDS_MAX - n);
	now = ev_now_ms();
	if (timeout_ms != 0) {
		timeout_ms = min_timeout(timeout_ms,
					 ui_input_timeout(in, now));
		timeout_ms = min_timeout(timeout_ms, ui_timeout(ui, now));
		timeout_ms = min_timeout(timeout_ms,
					 ui_sync_timeout(sync, now));
		timeout_ms = min_timeout(timeout_ms, ui_job_timeout(ui, now));
		timeout_ms = min_timeout(timeout_ms,
					 ui_label_timeout(ui, now));
	}
	ready = poll(pfds, (nfds_t)n, timeout_ms);
	if (ready < 0 && errno != EINTR)
		ui->quit = true;
	now = ev_now_ms();
	if (ready > 0 && (stop = read_signals(ui, sigfd)) != 0) {
		ui->quit = true;
		return -stop;
	}
	if (ready > 0 && (pfds[0].revents & (POLLHUP | POLLERR)))
		ui->quit = true;	/* the terminal went away */
	/* Scans first: an operator waits on them, documents do not. */
	ui_input_dispatch(in, ui, pfds + 2, nin, now);
	ui_sync_dispatch(sync, pfds + 2 + nin, nsync, now);
	ui_label_dispatch(ui, pfds + 2 + nin + nsync, n - 2 - nin - nsync,
			  now);
	drain_keys(ui, in);
	/* A long job's next batch only after the scans and keys above. */
	ui_job_step(ui, now);
	ui_tick(ui, now);
	ui_redraw(ui);
	st_housekeep(ui->db);	/* the answer is on the screen */
	return ready;
}

int
loop_run(struct ui *ui, struct ui_input *in, struct ui_sync *sync,
	 int sigfd)
{
	int rc = 0;

	while (!ui->quit) {
		rc = loop_once(ui, in, sync, sigfd, -1);
		if (rc < 0 && ui->quit)
			break;
	}
	ui_job_stop(ui);
	return rc < 0 && ui->quit ? -rc : 0;
}
