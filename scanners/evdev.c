/*
 * evdev: configured scanners through libevdev, grabbed, hot-plugged, and
 * decoded into a queue of scans and device events (evdev.h).
 *
 * Each open device is a slot: fd, libevdev handle, decoder, grab state.
 * Hot-plug is one inotify fd on the device folder (and its by-id folder);
 * any change there triggers a rescan that opens matching nodes not yet
 * open, so udev's late by-id links and permission changes are picked up.
 *
 * One reader thread owns every slot, the inotify fd and the decoders: it
 * waits on the devices and nothing else, so a commit waiting on storage,
 * a redraw or the network never leaves the kernel's small per-reader
 * buffer (64 events, a few characters) to overflow. What it decodes goes
 * through a staging area of its own into the queue, the only state it
 * shares with the caller (under a mutex); an eventfd wakes the caller.
 * A queue that is full keeps its last entry as one EV_EVENT_LOST that
 * counts the codes that did not fit, in their place in the order.
 *
 * What it must not do: block the caller, print, exit, or let a half-typed
 * code out as a scan. The only file that includes libevdev.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "scanners/evdev.h"
#include "scanners/evdev_sys.h"

/* Codes waiting for the caller: minutes of scanning while storage is
 * slow (a code is one entry; device events are few). */
#define QUEUE_MAX EV_QUEUE_MAX
#define STAGE_MAX 32		/* the reader's own events before a flush */
#define FAILED_MAX 16

enum slot_state {
	SLOT_FREE = 0,
	SLOT_WAIT_RELEASE,	/* open, a key is held: grab later */
	SLOT_BUSY,		/* another program holds the grab */
	SLOT_GRABBED,		/* ours alone, decoding */
	SLOT_SHARED,		/* no grab wanted, decoding */
};

struct slot {
	enum slot_state state;
	int fd;
	struct libevdev *dev;
	int id;			/* device_id of its scans */
	char node[SCAN_NODE_MAX];
	char label[SCAN_DEVICE_MAX];
	int64_t retry_ms;	/* next grab attempt when SLOT_BUSY */
	struct keymap km;
};

/* A node that could not be opened, remembered so it is reported once. */
struct failed {
	char node[SCAN_NODE_MAX];
	int err;
};

struct ev_ctx {
	struct ev_config cfg;
	struct ev_match all;	/* what nmatch == 0 means: any keyboard */
	char dir[256];		/* the device folder */
	int ino;		/* inotify fd */
	int wd_dir, wd_by_id;	/* watches, -1 if none */
	int next_id;
	struct slot slots[EV_SLOTS_MAX];
	struct failed failed[FAILED_MAX];
	/* the reader's events not yet in the queue (reader only) */
	struct ev_event stage[STAGE_MAX];
	int nstage;
	/* shared with the caller, under mu */
	pthread_mutex_t mu;
	struct ev_event queue[QUEUE_MAX];
	int qhead, qlen;
	int wake;		/* eventfd: events were queued */
	int stop;		/* eventfd: the reader must end */
	pthread_t reader;
	bool running;
};

int64_t
ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void flush(struct ev_ctx *ctx);

/* A new event in the reader's staging area (flushed first if full). */
static struct ev_event *
push(struct ev_ctx *ctx, enum ev_event_kind kind, const struct slot *s)
{
	struct ev_event *ev;

	if (ctx->nstage == STAGE_MAX)
		flush(ctx);
	ev = &ctx->stage[ctx->nstage++];
	ev->kind = kind;
	ev->msg[0] = '\0';
	ev->lost = kind == EV_EVENT_DISCARDED ? 1 : 0;
	ev->scan.len = 0;
	ev->scan.bytes[0] = '\0';
	ev->scan.flags = 0;
	ev->scan.first_ms = ev->scan.last_ms = 0;
	snprintf(ev->scan.device, sizeof(ev->scan.device), "%s", s->label);
	snprintf(ev->scan.node, sizeof(ev->scan.node), "%s", s->node);
	ev->scan.device_id = s->id;
	return ev;
}

/*
 * One staged event into the queue (under mu). The last free entry is kept
 * for an EV_EVENT_LOST: once the queue is that full, codes are counted in
 * it instead of queued, so the caller learns how many to scan again.
 */
static void
enqueue(struct ev_ctx *ctx, const struct ev_event *ev)
{
	struct ev_event *tail;
	int codes = ev->kind == EV_EVENT_SCAN ? 1 : ev->lost;

	if (ctx->qlen < QUEUE_MAX - 1) {
		ctx->queue[(ctx->qhead + ctx->qlen++) % QUEUE_MAX] = *ev;
		return;
	}
	tail = &ctx->queue[(ctx->qhead + ctx->qlen - 1) % QUEUE_MAX];
	if (ctx->qlen == QUEUE_MAX - 1 || tail->kind != EV_EVENT_LOST) {
		tail = &ctx->queue[(ctx->qhead + ctx->qlen++) % QUEUE_MAX];
		*tail = *ev;
		tail->kind = EV_EVENT_LOST;
		tail->lost = 0;
		tail->scan.len = 0;
		tail->scan.bytes[0] = '\0';
	}
	tail->lost += codes;
	snprintf(tail->msg, sizeof(tail->msg), "%d codes came while %d "
		 "waited to be taken and were not kept", tail->lost,
		 QUEUE_MAX - 1);
}

/* Move the staged events into the queue and wake the caller. */
static void
flush(struct ev_ctx *ctx)
{
	uint64_t one = 1;
	int i;

	if (ctx->nstage == 0)
		return;
	pthread_mutex_lock(&ctx->mu);
	for (i = 0; i < ctx->nstage; i++)
		enqueue(ctx, &ctx->stage[i]);
	pthread_mutex_unlock(&ctx->mu);
	ctx->nstage = 0;
	if (write(ctx->wake, &one, sizeof(one)) < 0) {
		/* the counter is full: the caller has a wake-up already */
	}
}

bool
ev_next(struct ev_ctx *ctx, struct ev_event *out)
{
	bool got = false;

	pthread_mutex_lock(&ctx->mu);
	if (ctx->qlen > 0) {
		*out = ctx->queue[ctx->qhead];
		ctx->qhead = (ctx->qhead + 1) % QUEUE_MAX;
		ctx->qlen--;
		got = true;
	}
	pthread_mutex_unlock(&ctx->mu);
	return got;
}

static bool
any_key_down(const struct libevdev *dev)
{
	unsigned code;

	for (code = 0; code <= KEY_MAX; code++)
		if (libevdev_has_event_code(dev, EV_KEY, code) &&
		    libevdev_get_event_value(dev, EV_KEY, code) != 0)
			return true;
	return false;
}

/* Make the decoder's modifiers and CapsLock those libevdev knows now. */
static void
sync_keymap(struct slot *s)
{
	unsigned code;

	keymap_reset_state(&s->km,
			   libevdev_get_event_value(s->dev, EV_LED, LED_CAPSL));
	for (code = KEY_LEFTCTRL; code <= KEY_RIGHTALT; code++)
		if (libevdev_get_event_value(s->dev, EV_KEY, code))
			keymap_key_state(&s->km, (uint16_t)code, true);
}

/* Take the grab now if no key is held; report what happened. */
static void
try_grab(struct ev_ctx *ctx, struct slot *s, int64_t now_ms)
{
	struct ev_event *ev;
	char holder[128];
	int rc;

	if (any_key_down(s->dev)) {
		s->state = SLOT_WAIT_RELEASE;
		return;
	}
	rc = libevdev_grab(s->dev, LIBEVDEV_GRAB);
	if (rc == 0) {
		s->state = SLOT_GRABBED;
		sync_keymap(s);
		ev = push(ctx, EV_EVENT_GRABBED, s);
		snprintf(ev->msg, sizeof(ev->msg), "%s is now read by sklad "
			 "only", s->label);
		return;
	}
	if (s->state != SLOT_BUSY) {
		ev = push(ctx, EV_EVENT_GRAB_FAILED, s);
		if (rc == -EBUSY) {
			ev_sys_holder(s->node, holder, sizeof(holder));
			snprintf(ev->msg, sizeof(ev->msg), "%s is held by %s; "
				 "its scans go there until it lets go",
				 s->label, holder);
		} else {
			snprintf(ev->msg, sizeof(ev->msg), "cannot grab %s: %s",
				 s->label, strerror(-rc));
		}
	}
	s->state = SLOT_BUSY;
	s->retry_ms = now_ms + ctx->cfg.grab_retry_ms;
}

/* Close a slot; a pending code is reported as discarded, never sent. */
static void
drop_slot(struct ev_ctx *ctx, struct slot *s, const char *why)
{
	struct ev_event *ev;
	size_t n;

	if (s->state == SLOT_GRABBED || s->state == SLOT_SHARED) {
		n = s->km.len;
		if (keymap_pending(&s->km)) {
			ev = push(ctx, EV_EVENT_DISCARDED, s);
			memcpy(ev->scan.bytes, s->km.buf, n);
			ev->scan.bytes[n] = '\0';
			ev->scan.len = n;
			snprintf(ev->msg, sizeof(ev->msg), "%s %s in the "
				 "middle of a code: %zu characters discarded, "
				 "scan it again", s->label, why, n);
		}
	}
	ev = push(ctx, EV_EVENT_UNPLUGGED, s);
	snprintf(ev->msg, sizeof(ev->msg), "%s %s", s->label, why);
	if (s->state == SLOT_GRABBED)
		libevdev_grab(s->dev, LIBEVDEV_UNGRAB);
	libevdev_free(s->dev);
	close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* Report an open failure once per node and error. */
static void
report_failed(struct ev_ctx *ctx, const struct ev_devinfo *info, int err)
{
	struct slot tmp = { .fd = -1, .id = 0 };
	struct ev_event *ev;
	int i, free_i = -1;

	for (i = 0; i < FAILED_MAX; i++) {
		if (strcmp(ctx->failed[i].node, info->node) == 0) {
			if (ctx->failed[i].err == err)
				return;
			free_i = i;
			break;
		}
		if (free_i < 0 && ctx->failed[i].node[0] == '\0')
			free_i = i;
	}
	if (free_i >= 0) {
		snprintf(ctx->failed[free_i].node, SCAN_NODE_MAX, "%s",
			 info->node);
		ctx->failed[free_i].err = err;
	}
	snprintf(tmp.label, sizeof(tmp.label), "%s", info->name);
	snprintf(tmp.node, sizeof(tmp.node), "%s", info->node);
	ev = push(ctx, EV_EVENT_ERROR, &tmp);
	ev_sys_why(info->node, err, ev->msg, sizeof(ev->msg));
}

static void
forget_failed(struct ev_ctx *ctx, const char *node)
{
	int i;

	for (i = 0; i < FAILED_MAX; i++)
		if (strcmp(ctx->failed[i].node, node) == 0)
			ctx->failed[i].node[0] = '\0';
}

static struct slot *
free_slot(struct ev_ctx *ctx)
{
	int i;

	for (i = 0; i < EV_SLOTS_MAX; i++)
		if (ctx->slots[i].state == SLOT_FREE)
			return &ctx->slots[i];
	return NULL;
}

/* Open info's node for match m (keys) into a free slot and grab it. */
static void
open_device(struct ev_ctx *ctx, const struct ev_devinfo *info,
	    const struct ev_match *m, int64_t now_ms)
{
	struct slot *s = free_slot(ctx);
	struct ev_event *ev;
	int fd, rc;

	if (s == NULL) {
		report_failed(ctx, info, EMFILE);
		return;
	}
	fd = open(info->node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		report_failed(ctx, info, errno);
		return;
	}
	rc = libevdev_new_from_fd(fd, &s->dev);
	if (rc == 0)
		rc = libevdev_set_clock_id(s->dev, CLOCK_MONOTONIC);
	if (rc < 0) {
		libevdev_free(s->dev);
		s->dev = NULL;
		close(fd);
		report_failed(ctx, info, -rc);
		return;
	}
	forget_failed(ctx, info->node);
	s->fd = fd;
	s->id = ++ctx->next_id;
	snprintf(s->node, sizeof(s->node), "%s", info->node);
	snprintf(s->label, sizeof(s->label), "%s",
		 m->label[0] != '\0' ? m->label : info->name);
	keymap_init(&s->km, &m->keys, NULL);	/* checked in ev_open */
	s->state = SLOT_SHARED;
	ev = push(ctx, EV_EVENT_PLUGGED, s);
	snprintf(ev->msg, sizeof(ev->msg), "%s (%04x:%04x) on %s", info->name,
		 (unsigned)libevdev_get_id_vendor(s->dev),
		 (unsigned)libevdev_get_id_product(s->dev), s->node);
	if (ctx->cfg.grab)
		try_grab(ctx, s, now_ms);
	else
		sync_keymap(s);
}

static bool
node_open(const struct ev_ctx *ctx, const char *node)
{
	int i;

	for (i = 0; i < EV_SLOTS_MAX; i++)
		if (ctx->slots[i].state != SLOT_FREE &&
		    strcmp(ctx->slots[i].node, node) == 0)
			return true;
	return false;
}

/* The match a device is, or NULL. */
static const struct ev_match *
find_match(const struct ev_ctx *ctx, const struct ev_devinfo *info)
{
	int i;

	if (ctx->cfg.nmatch == 0)
		return info->keyboard ? &ctx->all : NULL;
	for (i = 0; i < ctx->cfg.nmatch; i++)
		if (ev_sys_matches(&ctx->cfg.match[i], ctx->dir, info))
			return &ctx->cfg.match[i];
	return NULL;
}

/* Open every matching node that is not open yet. */
static void
rescan(struct ev_ctx *ctx, int64_t now_ms)
{
	struct ev_devinfo info;
	const struct ev_match *m;
	struct dirent *de;
	DIR *d = opendir(ctx->dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "event", 5) != 0 ||
		    ev_sys_info(ctx->dir, de->d_name, &info) < 0 ||
		    node_open(ctx, info.node))
			continue;
		m = find_match(ctx, &info);
		if (m != NULL)
			open_device(ctx, &info, m, now_ms);
	}
	closedir(d);
}

static void
watch_by_id(struct ev_ctx *ctx)
{
	char path[PATH_MAX];

	if (ctx->wd_by_id >= 0)
		return;
	snprintf(path, sizeof(path), "%s/by-id", ctx->dir);
	ctx->wd_by_id = inotify_add_watch(ctx->ino, path, IN_CREATE |
					  IN_DELETE | IN_MOVED_TO);
}

/* Queue what the decoder produced for one event. */
static void
deliver(struct ev_ctx *ctx, struct slot *s, int rc, const struct scan *sc)
{
	struct ev_event *ev;

	if (rc == KEYMAP_NONE)
		return;
	ev = push(ctx, rc == KEYMAP_SCAN ? EV_EVENT_SCAN : EV_EVENT_DISCARDED,
		  s);
	memcpy(ev->scan.bytes, sc->bytes, sc->len + 1);
	ev->scan.len = sc->len;
	ev->scan.flags = sc->flags;
	ev->scan.first_ms = sc->first_ms;
	ev->scan.last_ms = sc->last_ms;
	if (rc == KEYMAP_FRAGMENT && (sc->flags & SCAN_DAMAGED))
		snprintf(ev->msg, sizeof(ev->msg), "%s: the system dropped key "
			 "events; %zu characters discarded, scan the code "
			 "again", s->label, sc->len);
	else if (rc == KEYMAP_FRAGMENT)
		snprintf(ev->msg, sizeof(ev->msg), "%s stopped in the middle "
			 "of a code (no end key for %d ms): %zu characters "
			 "discarded, scan it again", s->label,
			 s->km.cfg.timeout_ms, sc->len);
}

/*
 * After SYN_DROPPED (as tools/libevdev-events.c): the code being typed
 * lost characters somewhere, so mark it damaged (it ends as a discard),
 * drain libevdev's sync events, and take the keys held from its state.
 */
static int
resync(struct slot *s, struct input_event *ie)
{
	int rc = LIBEVDEV_READ_STATUS_SYNC;

	if (s->state == SLOT_GRABBED || s->state == SLOT_SHARED)
		keymap_damage(&s->km, (int64_t)ie->input_event_sec * 1000 +
			      ie->input_event_usec / 1000);
	while (rc == LIBEVDEV_READ_STATUS_SYNC)
		rc = libevdev_next_event(s->dev, LIBEVDEV_READ_FLAG_SYNC, ie);
	if (s->state == SLOT_GRABBED || s->state == SLOT_SHARED)
		sync_keymap(s);
	return rc;
}

/* Read one device until EAGAIN. */
static void
read_device(struct ev_ctx *ctx, struct slot *s, int64_t now_ms)
{
	struct input_event ie;
	struct scan sc;
	int64_t t;
	int rc;

	for (;;) {
		rc = libevdev_next_event(s->dev, LIBEVDEV_READ_FLAG_NORMAL,
					 &ie);
		if (rc == LIBEVDEV_READ_STATUS_SYNC) {
			/*
			 * The sync ends in -EAGAIN, but libevdev may still
			 * hold events read from the fd: go on reading them,
			 * poll() would not wake for them.
			 */
			rc = resync(s, &ie);
			if (rc == -EAGAIN)
				continue;
		}
		if (rc == -EAGAIN)
			break;
		if (rc < 0) {
			drop_slot(ctx, s, rc == -ENODEV ? "was unplugged" :
				  "stopped working");
			return;
		}
		if (rc != LIBEVDEV_READ_STATUS_SUCCESS)
			continue;
		if (s->state == SLOT_GRABBED || s->state == SLOT_SHARED) {
			t = (int64_t)ie.input_event_sec * 1000 +
			    ie.input_event_usec / 1000;
			deliver(ctx, s, keymap_feed(&s->km, ie.type, ie.code,
						    ie.value, t, &sc), &sc);
		}
	}
	if (s->state == SLOT_WAIT_RELEASE)
		try_grab(ctx, s, now_ms);
}

/* Unplug the slot on node base, if any. */
static void
node_gone(struct ev_ctx *ctx, const char *base)
{
	char node[PATH_MAX];
	int i;

	snprintf(node, sizeof(node), "%s/%s", ctx->dir, base);
	forget_failed(ctx, node);
	for (i = 0; i < EV_SLOTS_MAX; i++)
		if (ctx->slots[i].state != SLOT_FREE &&
		    strcmp(ctx->slots[i].node, node) == 0)
			drop_slot(ctx, &ctx->slots[i], "was unplugged");
}

/* Read inotify; unplug deleted nodes; rescan on any change. */
static void
read_hotplug(struct ev_ctx *ctx, int64_t now_ms)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	bool changed = false;
	ssize_t len;
	char *p;

	while ((len = read(ctx->ino, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + len; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			changed = true;
			if (ie->wd == ctx->wd_by_id && (ie->mask & IN_IGNORED))
				ctx->wd_by_id = -1;
			if (ie->wd == ctx->wd_dir && ie->len > 0 &&
			    (ie->mask & IN_DELETE))
				node_gone(ctx, ie->name);
		}
	}
	if (!changed)
		return;
	watch_by_id(ctx);
	rescan(ctx, now_ms);
}

/* Deadlines: timed-out codes, grab retries. */
static void
run_timers(struct ev_ctx *ctx, int64_t now_ms)
{
	struct scan sc;
	int i;

	for (i = 0; i < EV_SLOTS_MAX; i++) {
		struct slot *s = &ctx->slots[i];

		if (s->state == SLOT_BUSY && now_ms >= s->retry_ms)
			try_grab(ctx, s, now_ms);
		else if (s->state == SLOT_GRABBED || s->state == SLOT_SHARED)
			deliver(ctx, s, keymap_tick(&s->km, now_ms, &sc), &sc);
	}
}

/* ms until the reader's next deadline (a code's end by timeout, a grab
 * retry), or -1 for none. */
static int
reader_timeout(const struct ev_ctx *ctx, int64_t now_ms)
{
	int64_t next = -1, d;
	int i;

	for (i = 0; i < EV_SLOTS_MAX; i++) {
		const struct slot *s = &ctx->slots[i];

		d = -1;
		if (s->state == SLOT_BUSY)
			d = s->retry_ms;
		else if (s->state == SLOT_GRABBED || s->state == SLOT_SHARED)
			d = keymap_deadline(&s->km);
		if (d >= 0 && (next < 0 || d < next))
			next = d;
	}
	if (next < 0)
		return -1;
	if (next <= now_ms)
		return 0;
	return next - now_ms > INT32_MAX ? INT32_MAX : (int)(next - now_ms);
}

/*
 * The reader thread: wait on the devices, the hot-plug fd and the stop
 * fd only; decode; hand results on. Every signal is blocked in it (the
 * caller's signalfd must see them).
 */
static void *
reader_main(void *arg)
{
	struct ev_ctx *ctx = arg;
	struct pollfd pfds[2 + EV_SLOTS_MAX];
	int ids[2 + EV_SLOTS_MAX];
	int64_t now;
	int i, n, rc;

	for (;;) {
		n = 0;
		pfds[n++] = (struct pollfd){ .fd = ctx->stop, .events = POLLIN };
		pfds[n++] = (struct pollfd){ .fd = ctx->ino, .events = POLLIN };
		for (i = 0; i < EV_SLOTS_MAX; i++) {
			if (ctx->slots[i].state == SLOT_FREE)
				continue;
			ids[n] = i;
			pfds[n++] = (struct pollfd){ .fd = ctx->slots[i].fd,
						     .events = POLLIN };
		}
		rc = poll(pfds, (nfds_t)n, reader_timeout(ctx, ev_now_ms()));
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && pfds[0].revents != 0)
			break;
		now = ev_now_ms();
		for (i = 2; rc > 0 && i < n; i++)
			if (pfds[i].revents != 0 &&
			    ctx->slots[ids[i]].fd == pfds[i].fd &&
			    ctx->slots[ids[i]].state != SLOT_FREE)
				read_device(ctx, &ctx->slots[ids[i]], now);
		if (rc > 0 && pfds[1].revents != 0)
			read_hotplug(ctx, now);
		run_timers(ctx, now);
		flush(ctx);
	}
	flush(ctx);
	return NULL;
}

int
ev_open(struct ev_ctx **out, const struct ev_config *cfg, struct err *e)
{
	struct ev_ctx *ctx;
	struct keymap km;
	sigset_t all, old;
	int i, rc;

	*out = NULL;
	for (i = 0; i < cfg->nmatch; i++)
		if ((rc = keymap_init(&km, &cfg->match[i].keys, e)) < 0)
			return rc;
	if ((rc = keymap_init(&km, &cfg->keys, e)) < 0)
		return rc;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	ctx->cfg = *cfg;
	if (ctx->cfg.grab_retry_ms <= 0)
		ctx->cfg.grab_retry_ms = EV_GRAB_RETRY_MS;
	snprintf(ctx->dir, sizeof(ctx->dir), "%s",
		 cfg->dir != NULL ? cfg->dir : "/dev/input");
	ctx->cfg.dir = ctx->dir;
	ctx->all.vendor = ctx->all.product = -1;
	ctx->all.keys = cfg->keys;
	for (i = 0; i < EV_SLOTS_MAX; i++)
		ctx->slots[i].fd = -1;
	ctx->wd_by_id = -1;
	ctx->ino = ctx->wake = ctx->stop = -1;
	pthread_mutex_init(&ctx->mu, NULL);
	ctx->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ctx->stop = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctx->wake < 0 || ctx->stop < 0) {
		rc = err_set(e, ERR_IO, "eventfd: %s", strerror(errno));
		goto out;
	}
	ctx->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ctx->ino < 0 || (ctx->wd_dir = inotify_add_watch(ctx->ino,
	    ctx->dir, IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_TO)) < 0) {
		rc = err_set(e, errno == EACCES ? ERR_DENIED : ERR_IO,
			     "cannot watch %s for scanners: %s", ctx->dir,
			     strerror(errno));
		goto out;
	}
	watch_by_id(ctx);
	rescan(ctx, ev_now_ms());
	flush(ctx);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&ctx->reader, NULL, reader_main, ctx);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		ev_close(&ctx);
		return err_set(e, ERR_INTERNAL, "cannot start the scanner "
			       "reader: %s", strerror(rc));
	}
	ctx->running = true;
	*out = ctx;
	return 0;
out:
	if (ctx->ino >= 0)
		close(ctx->ino);
	if (ctx->wake >= 0)
		close(ctx->wake);
	if (ctx->stop >= 0)
		close(ctx->stop);
	pthread_mutex_destroy(&ctx->mu);
	free(ctx);
	return rc;
}

void
ev_close(struct ev_ctx **pctx)
{
	struct ev_ctx *ctx = *pctx;
	uint64_t one = 1;
	int i;

	if (ctx == NULL)
		return;
	if (ctx->running) {
		if (write(ctx->stop, &one, sizeof(one)) < 0) {
			/* cannot fail: the counter was 0 */
		}
		pthread_join(ctx->reader, NULL);
	}
	for (i = 0; i < EV_SLOTS_MAX; i++) {
		struct slot *s = &ctx->slots[i];

		if (s->state == SLOT_FREE)
			continue;
		if (s->state == SLOT_GRABBED)
			libevdev_grab(s->dev, LIBEVDEV_UNGRAB);
		libevdev_free(s->dev);
		close(s->fd);
	}
	close(ctx->ino);
	close(ctx->wake);
	close(ctx->stop);
	pthread_mutex_destroy(&ctx->mu);
	free(ctx);
	*pctx = NULL;
}

int
ev_pollfds(struct ev_ctx *ctx, struct pollfd *pfds, int max)
{
	if (max < 1)
		return 0;
	pfds[0].fd = ctx->wake;
	pfds[0].events = POLLIN;
	pfds[0].revents = 0;
	return 1;
}

int
ev_timeout(const struct ev_ctx *ctx, int64_t now_ms)
{
	struct ev_ctx *c = (struct ev_ctx *)ctx;	/* only the lock */
	int qlen;

	(void)now_ms;
	pthread_mutex_lock(&c->mu);
	qlen = c->qlen;
	pthread_mutex_unlock(&c->mu);
	return qlen > 0 ? 0 : -1;
}

void
ev_dispatch(struct ev_ctx *ctx, const struct pollfd *pfds, int n,
	    int64_t now_ms)
{
	uint64_t count;

	(void)pfds;
	(void)n;
	(void)now_ms;
	/* Clear the wake-up; what it announced is taken with ev_next. */
	if (read(ctx->wake, &count, sizeof(count)) < 0) {
		/* EAGAIN: nothing new */
	}
}
