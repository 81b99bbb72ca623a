/*
 * vm_console: the real console (`sklad --db ... --scanner evdev:...`) on a
 * pseudo-terminal inside the test VM, with what it draws read back as
 * text, keys typed on its terminal, and its database checked with SQLite
 * directly (an independent reader, not sklad's own store code).
 *
 * Header-only (static functions), like vm_util.h: each test program is one
 * object file. Runs only inside the test VM.
 */
#ifndef SKLAD_TESTS_VM_CONSOLE_H
#define SKLAD_TESTS_VM_CONSOLE_H

#include <sqlite3.h>
#include <termios.h>

#include "tests/vm/vm_util.h"

#define VM_CON_TEXT (1 << 20)

/* A console on a pty. text: what it drew, escape sequences, controls and
 * spaces taken out (curses moves the cursor over blanks), so a sentence is
 * looked for without its spaces. */
struct vm_con {
	pid_t pid;
	int pty;		/* master side, non-blocking */
	char text[VM_CON_TEXT];
	size_t len, from;	/* from: where vm_con_wait starts looking */
	int esc;		/* 0 text, 1 after ESC, 2 CSI, 3 OSC */
};

/* Append what the console drew, without escapes, controls and spaces. */
static void
vm_con_take(struct vm_con *c, const char *buf, size_t n)
{
	size_t i;
	unsigned char ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)buf[i];
		if (c->esc == 1) {
			c->esc = ch == '[' ? 2 : ch == ']' ? 3 : 0;
			continue;
		}
		if (c->esc == 2) {
			if (ch >= 0x40 && ch <= 0x7e)
				c->esc = 0;
			continue;
		}
		if (c->esc == 3) {
			if (ch == 7 || ch == 0x1b)
				c->esc = 0;
			continue;
		}
		if (ch == 0x1b) {
			c->esc = 1;
			continue;
		}
		if (ch <= ' ' || ch == 0x7f)
			continue;
		if (c->len == sizeof(c->text) - 1) {
			/* keep the newer half */
			size_t half = c->len / 2;

			memmove(c->text, c->text + half, c->len - half);
			c->len -= half;
			c->from = c->from > half ? c->from - half : 0;
		}
		c->text[c->len++] = (char)ch;
	}
	c->text[c->len] = '\0';
}

/* Read what the console drew within ms (0: only what is there). */
static void
vm_con_pump(struct vm_con *c, int ms)
{
	struct pollfd pfd = { .fd = c->pty, .events = POLLIN };
	char buf[8192];
	ssize_t r;

	while (poll(&pfd, 1, ms) > 0) {
		r = read(c->pty, buf, sizeof(buf));
		if (r <= 0)
			return;
		vm_con_take(c, buf, (size_t)r);
		ms = 0;
	}
}

/* Whether text (spaces are ignored) shows after c->from within ms. */
static bool
vm_con_wait(struct vm_con *c, const char *text, int ms)
{
	int64_t end = vm_now_ms() + ms;
	char want[256];
	size_t n = 0;

	for (; *text != '\0' && n + 1 < sizeof(want); text++)
		if (*text != ' ')
			want[n++] = *text;
	want[n] = '\0';
	for (;;) {
		if (strstr(c->text + c->from, want) != NULL)
			return true;
		if (vm_now_ms() >= end)
			return false;
		vm_con_pump(c, 50);
	}
}

/* Type s on the console's terminal. */
static void
vm_con_keys(struct vm_con *c, const char *s)
{
	size_t n = strlen(s);

	if (write(c->pty, s, n) != (ssize_t)n)
		vm_check(false, "console: cannot type on its terminal");
}

/*
 * Start the console on a new 80x24 pty with args (NULL-terminated, after
 * the program name), extra "NAME=VALUE" entries in env (NULL-terminated).
 * It shares CPU 0 with the typist (vm_pin_typist), unlike vm_watch_start:
 * on a loaded host one emulated CPU can stall for tens of milliseconds
 * while the other goes on typing, and the kernel's buffer overflows for
 * the emulator's reasons; on one CPU a stall stops the typist too, and
 * sklad has to compete with it for that CPU. Returns false if it cannot.
 */
static bool
vm_con_start(struct vm_con *c, const char *const *args,
	     const char *const *env)
{
	const char *bin = getenv("SKLAD_BIN");
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	const char *argv[32];
	char *slave;
	int n = 0, fd;

	memset(c, 0, sizeof(*c));
	c->pty = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (bin == NULL || c->pty < 0 || grantpt(c->pty) < 0 ||
	    unlockpt(c->pty) < 0 || (slave = ptsname(c->pty)) == NULL)
		return false;
	argv[n++] = bin;
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	c->pid = fork();
	if (c->pid == 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		sched_setaffinity(0, sizeof(set), &set);
		setsid();
		fd = open(slave, O_RDWR);
		if (fd < 0)
			_exit(126);
		ioctl(fd, TIOCSCTTY, 0);
		ioctl(fd, TIOCSWINSZ, &ws);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("TERM", "xterm", 1);
		setenv("LANG", "C.UTF-8", 1);
		unsetenv("LANGUAGE");
		unsetenv("LC_ALL");
		for (; env != NULL && *env != NULL; env++)
			putenv((char *)*env);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	fcntl(c->pty, F_SETFL, O_NONBLOCK);
	return c->pid > 0;
}

/* SIGTERM, wait for the exit (kill after 30 s), close the pty. Returns
 * whether it exited on its own. */
static bool
vm_con_stop(struct vm_con *c)
{
	int status = -1, i;

	kill(c->pid, SIGTERM);
	for (i = 0; i < 3000; i++) {
		vm_con_pump(c, 0);
		if (waitpid(c->pid, &status, WNOHANG) == c->pid)
			break;
		vm_sleep_ms(10);
	}
	if (i == 3000) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, 0);
	}
	close(c->pty);
	return i < 3000;
}

/* Run sklad with args and lines on its stdin (env entries as above);
 * whether it exited 0. Its output goes to /dev/null. */
static bool
vm_sklad_run(const char *const *args, const char *const *env,
	     const char *input)
{
	const char *argv[32];
	int p[2], n = 0, status, null;
	size_t len = strlen(input);
	bool wrote;
	pid_t pid;

	argv[n++] = getenv("SKLAD_BIN");
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (argv[0] == NULL || pipe2(p, O_CLOEXEC) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(p[0], 0);
		dup2(null, 1);
		for (; env != NULL && *env != NULL; env++)
			putenv((char *)*env);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[0]);
	wrote = len == 0 || write(p[1], input, len) == (ssize_t)len;
	close(p[1]);
	waitpid(pid, &status, 0);
	return wrote && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* One integer from a query on db (read-only), -1 on any error. */
static long
vm_db_long(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_busy_timeout(h, 5000) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The serials of the units in the pack with this SSCC, in the order they
 * were stored, one per line into out. Returns how many, -1 on error. */
static int
vm_db_serials(const char *db, const char *sscc, char *out, size_t n)
{
	static const char sql[] = "SELECT c.serial FROM codes c JOIN codes p "
		"ON p.id = c.parent_id WHERE p.serial = ?1 ORDER BY c.id";
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	size_t len = 0;
	int count = 0, rc;

	out[0] = '\0';
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(h, 5000) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, sscc, -1, SQLITE_STATIC) != SQLITE_OK) {
		count = -1;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		len += (size_t)snprintf(out + len, len < n ? n - len : 0,
					"%s\n", s != NULL ? s : "");
		count++;
	}
	if (rc != SQLITE_DONE)
		count = -1;
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return count;
}

#endif
