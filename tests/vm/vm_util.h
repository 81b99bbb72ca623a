/*
 * vm_util: the pieces of the VM scanner tests: virtual scanners made with
 * uinput, a running `sklad scanners watch --json` whose lines are read
 * back, and pass/fail counting. Header-only (static functions), because
 * each test program is one object file (see the Makefile's tests rule).
 *
 * Runs only inside the test VM (tests/vm/run-vm.sh), as root, with
 * /dev/uinput. Must not be used on a developer's machine: it creates input
 * devices and grabs them.
 */
#ifndef SKLAD_TESTS_VM_UTIL_H
#define SKLAD_TESTS_VM_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/input.h>
#include <linux/uinput.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/vm/typing.h"

static int vm_passed, vm_failed;

/* Keep the typist on CPU 0 (sklad gets CPU 1: vm_watch_start). */
static void
vm_pin_typist(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Record one check; print failures with the reason. */
static bool
vm_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		vm_passed++;
		return true;
	}
	vm_failed++;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return false;
}

static int64_t
vm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
vm_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A virtual scanner. */
struct vm_dev {
	int fd;			/* /dev/uinput */
	char node[64];		/* its /dev/input/eventN */
	uint16_t vendor, product;
	char name[UINPUT_MAX_NAME_SIZE];
	struct timespec next;	/* when the next character is due */
};

/* The event node of a uinput device, waiting for devtmpfs to make it. */
static bool
vm_find_node(struct vm_dev *d)
{
	char sys[64], path[160];
	int i, n;

	if (ioctl(d->fd, UI_GET_SYSNAME(sizeof(sys)), sys) < 0)
		return false;
	for (i = 0; i < 200; i++) {
		for (n = 0; n < 64; n++) {
			snprintf(path, sizeof(path),
				 "/sys/devices/virtual/input/%s/event%d",
				 sys, n);
			if (access(path, F_OK) == 0) {
				snprintf(d->node, sizeof(d->node),
					 "/dev/input/event%d", n);
				if (access(d->node, F_OK) == 0)
					return true;
			}
		}
		vm_sleep_ms(10);
	}
	return false;
}

/* Create a keyboard that looks like a USB scanner: name, vendor:product. */
static bool
vm_dev_create(struct vm_dev *d, const char *name, uint16_t vendor,
	      uint16_t product)
{
	struct uinput_setup us;
	int k;

	memset(d, 0, sizeof(*d));
	d->fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (d->fd < 0)
		return false;
	ioctl(d->fd, UI_SET_EVBIT, EV_KEY);
	ioctl(d->fd, UI_SET_EVBIT, EV_LED);
	ioctl(d->fd, UI_SET_EVBIT, EV_MSC);
	ioctl(d->fd, UI_SET_MSCBIT, MSC_SCAN);
	ioctl(d->fd, UI_SET_LEDBIT, LED_CAPSL);
	ioctl(d->fd, UI_SET_LEDBIT, LED_NUML);
	for (k = 1; k < 256; k++)
		ioctl(d->fd, UI_SET_KEYBIT, k);
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_USB;
	us.id.vendor = vendor;
	us.id.product = product;
	snprintf(us.name, sizeof(us.name), "%s", name);
	if (ioctl(d->fd, UI_DEV_SETUP, &us) < 0 ||
	    ioctl(d->fd, UI_DEV_CREATE) < 0 || !vm_find_node(d)) {
		close(d->fd);
		d->fd = -1;
		return false;
	}
	d->vendor = vendor;
	d->product = product;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return true;
}

static void
vm_dev_destroy(struct vm_dev *d)
{
	if (d->fd < 0)
		return;
	ioctl(d->fd, UI_DEV_DESTROY);
	close(d->fd);
	d->fd = -1;
}

static void
vm_emit(struct vm_dev *d, uint16_t type, uint16_t code, int32_t value)
{
	struct input_event ie;

	memset(&ie, 0, sizeof(ie));
	ie.type = type;
	ie.code = code;
	ie.value = value;
	if (write(d->fd, &ie, sizeof(ie)) != (ssize_t)sizeof(ie))
		vm_check(false, "uinput write: %s", strerror(errno));
}

/*
 * Sleep until d's next character is due, step_ms after the last one. A
 * typist that fell behind (the emulated CPU stalled) goes on from now
 * instead of catching up in a burst: a scanner never types faster than
 * its rate, and a burst would overflow the kernel's buffer for reasons
 * that are the emulator's, not sklad's.
 */
static void
vm_pace(struct vm_dev *d, int step_ms)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (d->next.tv_sec < now.tv_sec || (d->next.tv_sec == now.tv_sec &&
					    d->next.tv_nsec < now.tv_nsec))
		d->next = now;
	d->next.tv_nsec += (long)step_ms * 1000000L;
	while (d->next.tv_nsec >= 1000000000L) {
		d->next.tv_nsec -= 1000000000L;
		d->next.tv_sec++;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d->next, NULL);
}

/*
 * Events of code (+ Enter) the gs way, or only the first `upto`
 * characters without Enter if upto >= 0. Returns the count or -1.
 */
static int
vm_expand(const char *code, int upto, enum typing_gs gs,
	  struct typing_ev *ev, int max)
{
	int n, i, chars = 0;

	n = typing_expand(code, strlen(code), gs, ev, max);
	if (n < 0 || upto < 0)
		return n;
	for (i = 0; i < n; i++)
		if (ev[i].type == TYPING_PAUSE && ++chars == upto)
			return i + 1;
	return n;
}

/*
 * Type events ev[from..to) on d, step_ms per character. The events up to
 * each SYN_REPORT go in one write, as one HID report reaches the kernel.
 */
static void
vm_type_events(struct vm_dev *d, const struct typing_ev *ev, int from,
	       int to, int step_ms)
{
	struct input_event frame[16];
	size_t n = 0;
	int i;

	for (i = from; i < to; i++) {
		if (ev[i].type == TYPING_PAUSE) {
			vm_pace(d, step_ms);
			continue;
		}
		memset(&frame[n], 0, sizeof(frame[n]));
		frame[n].type = ev[i].type;
		frame[n].code = ev[i].code;
		frame[n++].value = ev[i].value;
		if (ev[i].type == EV_SYN || n == 16) {
			if (write(d->fd, frame, n * sizeof(frame[0])) !=
			    (ssize_t)(n * sizeof(frame[0])))
				vm_check(false, "uinput write: %s",
					 strerror(errno));
			n = 0;
		}
	}
}

/* Type a whole code and Enter on d. */
static void
vm_type(struct vm_dev *d, const char *code, enum typing_gs gs, int step_ms)
{
	static struct typing_ev ev[16384];
	int n = vm_expand(code, -1, gs, ev, 16384);

	if (!vm_check(n > 0, "cannot type %s", code))
		return;
	vm_type_events(d, ev, 0, n, step_ms);
}

/* A running `sklad scanners watch --json`. */
struct vm_watch {
	pid_t pid;
	int out;		/* its stdout */
	char buf[65536];
	size_t len;
};

/* Start sklad with args (NULL-terminated, after "scanners watch --json"). */
static bool
vm_watch_start(struct vm_watch *w, const char *const *args)
{
	const char *bin = getenv("SKLAD_BIN");
	const char *argv[32];
	int p[2], n = 0;

	memset(w, 0, sizeof(*w));
	if (bin == NULL || pipe2(p, O_CLOEXEC) < 0)
		return false;
	argv[n++] = bin;
	argv[n++] = "scanners";
	argv[n++] = "watch";
	argv[n++] = "--json";
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	w->pid = fork();
	if (w->pid == 0) {
		/* sklad on its own CPU if there are two, the typist on CPU 0 */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0, &set);
		sched_setaffinity(0, sizeof(set), &set);
		dup2(p[1], 1);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	w->out = p[0];
	fcntl(w->out, F_SETFL, O_NONBLOCK);
	return w->pid > 0;
}

/* The next JSON line within timeout_ms, or NULL. Caller json_decrefs. */
static json_t *
vm_watch_line(struct vm_watch *w, int timeout_ms)
{
	int64_t end = vm_now_ms() + timeout_ms, left;
	struct pollfd pfd = { .fd = w->out, .events = POLLIN };
	char *nl;
	json_t *j;
	ssize_t r;

	for (;;) {
		nl = memchr(w->buf, '\n', w->len);
		if (nl != NULL) {
			*nl = '\0';
			j = json_loads(w->buf, 0, NULL);
			if (getenv("VM_VERBOSE"))
				printf("  sklad: %s\n", w->buf);
			w->len -= (size_t)(nl + 1 - w->buf);
			memmove(w->buf, nl + 1, w->len);
			return j;
		}
		/* poll even with no time left: a 0 timeout still reads */
		left = end - vm_now_ms();
		if (poll(&pfd, 1, left > 0 ? (int)left : 0) <= 0) {
			if (left <= 0)
				return NULL;
			continue;
		}
		r = read(w->out, w->buf + w->len, sizeof(w->buf) - 1 - w->len);
		if (r <= 0)
			return NULL;
		w->len += (size_t)r;
	}
}

static const char *
vm_str(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s != NULL ? s : "";
}

/*
 * Wait up to timeout_ms for an event of this kind (and device, if not
 * NULL); other events are skipped, but a skipped "scan" is counted in
 * *stray if stray is not NULL. Returns the event or NULL.
 */
static json_t *
vm_expect(struct vm_watch *w, const char *kind, const char *device,
	  int timeout_ms, int *stray)
{
	int64_t end = vm_now_ms() + timeout_ms;
	json_t *j;

	while (vm_now_ms() < end) {
		j = vm_watch_line(w, (int)(end - vm_now_ms()));
		if (j == NULL)
			return NULL;
		if (strcmp(vm_str(j, "event"), kind) == 0 &&
		    (device == NULL ||
		     strcmp(vm_str(j, "device"), device) == 0))
			return j;
		if (stray != NULL && strcmp(vm_str(j, "event"), "scan") == 0)
			(*stray)++;
		json_decref(j);
	}
	return NULL;
}

/* Whether an event of kind arrives within timeout_ms (and free it). */
static bool
vm_sees(struct vm_watch *w, const char *kind, const char *device,
	int timeout_ms)
{
	json_t *j = vm_expect(w, kind, device, timeout_ms, NULL);

	json_decref(j);
	return j != NULL;
}

/* SIGTERM; checks that sklad exits 0 in time. */
static void
vm_watch_stop(struct vm_watch *w, const char *name)
{
	int status = -1, i;

	kill(w->pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(w->pid, &status, WNOHANG) == w->pid)
			break;
		vm_sleep_ms(10);
	}
	if (i == 300) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, &status, 0);
	}
	vm_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "%s: sklad scanners watch did not exit cleanly on SIGTERM "
		 "(status %d)", name, status);
	close(w->out);
}

/* Open node for reading as another program would; -1 on failure. */
static int
vm_reader(const char *node)
{
	return open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

/* Count EV_KEY events waiting on fd (value: -1 any, or that value). */
static int
vm_keys_seen(int fd, uint16_t code, int value)
{
	struct input_event ie;
	int n = 0;

	while (read(fd, &ie, sizeof(ie)) == (ssize_t)sizeof(ie))
		if (ie.type == EV_KEY && (code == 0 || ie.code == code) &&
		    (value < 0 || ie.value == value))
			n++;
	return n;
}

#endif
