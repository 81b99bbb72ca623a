/*
 * cmd_scanners: `sklad scanners list` and `sklad scanners watch`.
 *
 * For an admin setting a scanner up: list shows the input devices that
 * could be scanners, with their ids and by-id names and whether this user
 * may read them (and, if not, which group would grant it); watch opens the
 * chosen scanners exactly as the console does (grab, hot-plug, decoding)
 * and prints every scan with its device and times, parsed as a marking
 * code, plus every device event, until SIGINT or SIGTERM.
 *
 * What it must not do: touch the store, or leave a device grabbed when it
 * returns.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "console/cli.h"
#include "console/cmd_mark.h"
#include "scanners/evdev.h"
#include "scanners/mark.h"

#define LIST_MAX 64

struct watch_opts {
	bool json;
	long count;		/* stop after this many scans, 0: never */
	struct ev_config cfg;
};

static const char *
kind_name(enum ev_event_kind k)
{
	switch (k) {
	case EV_EVENT_SCAN: return "scan";
	case EV_EVENT_PLUGGED: return "plugged";
	case EV_EVENT_GRABBED: return "grabbed";
	case EV_EVENT_GRAB_FAILED: return "grab_failed";
	case EV_EVENT_UNPLUGGED: return "unplugged";
	case EV_EVENT_DISCARDED: return "discarded";
	case EV_EVENT_ERROR: return "error";
	case EV_EVENT_LOST: return "lost";
	}
	return "?";
}

/*
 * The bytes of a scan as a JSON string. Scans are meant to be ASCII; any
 * byte over 0x7F (an Alt+200 sequence, say) is shown as U+0080..U+00FF so
 * that the output stays valid UTF-8.
 */
static json_t *
bytes_json(const char *p, size_t len)
{
	char buf[2 * SCAN_MAX + 1];
	size_t i, n = 0;

	for (i = 0; i < len && n + 2 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x80) {
			buf[n++] = (char)c;
		} else {
			buf[n++] = (char)(0xc0 | (c >> 6));
			buf[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return json_stringn(buf, n);
}

/* The parse of a scan as JSON, in the shape of `sklad mark parse`. */
static json_t *
mark_object(const struct scan *s)
{
	struct mark m;
	bool valid = mark_parse(s->bytes, s->len, &m) == 0;

	return cmd_mark_json(s->bytes, &m, valid);
}

static void
print_json(const struct ev_event *ev, int64_t now_ms)
{
	const struct scan *s = &ev->scan;
	json_t *o = json_object();

	json_object_set_new(o, "event", json_string(kind_name(ev->kind)));
	json_object_set_new(o, "device", json_string(s->device));
	json_object_set_new(o, "device_id", json_integer(s->device_id));
	json_object_set_new(o, "node", json_string(s->node));
	json_object_set_new(o, "delivered_ms", json_integer(now_ms));
	if (ev->kind == EV_EVENT_SCAN || ev->kind == EV_EVENT_DISCARDED) {
		json_object_set_new(o, "code",
				    bytes_json(s->bytes, s->len));
		json_object_set_new(o, "length",
				    json_integer((json_int_t)s->len));
		json_object_set_new(o, "first_ms", json_integer(s->first_ms));
		json_object_set_new(o, "last_ms", json_integer(s->last_ms));
	}
	if (ev->kind == EV_EVENT_SCAN) {
		json_object_set_new(o, "by_timeout",
				    json_boolean(s->flags & SCAN_BY_TIMEOUT));
		json_object_set_new(o, "overflow",
				    json_boolean(s->flags & SCAN_OVERFLOW));
		json_object_set_new(o, "mark", mark_object(s));
	} else {
		json_object_set_new(o, "message", json_string(ev->msg));
	}
	if (ev->kind == EV_EVENT_DISCARDED || ev->kind == EV_EVENT_LOST)
		json_object_set_new(o, "lost", json_integer(ev->lost));
	json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	putchar('\n');
	json_decref(o);
}

/* The scan with control bytes made visible: GS as <GS>. */
static void
print_bytes(const struct scan *s)
{
	size_t i;

	for (i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->bytes[i];

		if (c == 0x1d)
			fputs("<GS>", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("<%02X>", c);
		else
			putchar(c);
	}
}

static void
print_text(const struct ev_event *ev, int64_t now_ms)
{
	const struct scan *s = &ev->scan;
	struct mark m;
	char msg[512];

	if (ev->kind != EV_EVENT_SCAN) {
		printf("%-11s %s\n", kind_name(ev->kind), ev->msg);
		return;
	}
	printf("scan        %s (%s) %zu bytes, %lld ms typing, +%lld ms: ",
	       s->device, s->node, s->len,
	       (long long)(s->last_ms - s->first_ms),
	       (long long)(now_ms - s->last_ms));
	print_bytes(s);
	putchar('\n');
	if (mark_parse(s->bytes, s->len, &m) == 0) {
		printf("            OK %s %s gtin=%s serial=%s\n",
		       mark_kind_name(m.kind), mark_layout_name(m.layout),
		       m.gtin, m.serial);
	} else {
		mark_strerror(&m, msg, sizeof(msg));
		printf("            ERROR %s: %s\n", mark_err_name(m.err.code),
		       msg);
	}
}

/* SIGINT and SIGTERM as an fd; they are blocked so poll() sees them. */
static int
signal_fd(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* Print queued events; returns how many were scans. */
static long
drain(struct ev_ctx *ctx, const struct watch_opts *o)
{
	struct ev_event ev;
	int64_t now = ev_now_ms();
	long scans = 0;

	while (ev_next(ctx, &ev)) {
		if (o->json)
			print_json(&ev, now);
		else
			print_text(&ev, now);
		scans += ev.kind == EV_EVENT_SCAN;
	}
	fflush(stdout);
	return scans;
}

/* The one poll loop of watch: devices, hot-plug, signals, deadlines. */
static int
watch_loop(struct ev_ctx *ctx, int sfd, const struct watch_opts *o)
{
	struct pollfd pfds[EV_POLLFDS_MAX + 1];
	long scans = drain(ctx, o);
	int n, rc;

	while (o->count == 0 || scans < o->count) {
		n = ev_pollfds(ctx, pfds, EV_POLLFDS_MAX);
		pfds[n].fd = sfd;
		pfds[n].events = POLLIN;
		pfds[n].revents = 0;
		rc = poll(pfds, (nfds_t)n + 1, ev_timeout(ctx, ev_now_ms()));
		if (rc < 0 && errno != EINTR) {
			perror("sklad: poll");
			return CLI_FAIL;
		}
		if (rc > 0 && pfds[n].revents != 0) {
			/* take the signal, or it fires once unblocked */
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				return CLI_OK;
		}
		ev_dispatch(ctx, pfds, n, ev_now_ms());
		scans += drain(ctx, o);
	}
	return CLI_OK;
}

static int
set_terminators(struct keymap_config *k, const char *list)
{
	char copy[128], *save = NULL, *w;

	snprintf(copy, sizeof(copy), "%s", list);
	k->terminators = 0;
	for (w = strtok_r(copy, ",", &save); w != NULL;
	     w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "enter") == 0)
			k->terminators |= KEYMAP_TERM_ENTER;
		else if (strcmp(w, "kpenter") == 0)
			k->terminators |= KEYMAP_TERM_KPENTER;
		else if (strcmp(w, "tab") == 0)
			k->terminators |= KEYMAP_TERM_TAB;
		else if (strcmp(w, "timeout") == 0)
			k->terminators |= KEYMAP_TERM_TIMEOUT;
		else
			return -1;
	}
	return 0;
}

static bool
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0 && *out >= lo &&
	       *out <= hi;
}

/* One keymap option into k; returns 0 or a usage complaint's exit. */
static int
key_option(struct keymap_config *k, int c, const char *arg)
{
	long v;
	int key;

	switch (c) {
	case 'k':
		key = keymap_key_code(arg);
		if (key < 0)
			return cli_usage("scanners watch: unknown key '%s' "
					 "(try F8)", arg);
		k->gs_key = (uint16_t)key;
		return 0;
	case 'c':
		if (strlen(arg) != 1)
			return cli_usage("scanners watch: --gs-char is one "
					 "character");
		k->gs_char = (unsigned char)arg[0];
		return 0;
	case 't':
		if (!parse_long(arg, 0, 600000, &v))
			return cli_usage("scanners watch: --timeout is 0 to "
					 "600000 ms");
		k->timeout_ms = (int)v;
		return 0;
	case 'e':
		if (set_terminators(k, arg) < 0)
			return cli_usage("scanners watch: --end takes enter, "
					 "kpenter, tab, timeout");
		return 0;
	case 'm':
		if (!parse_long(arg, 1, SCAN_MAX, &v))
			return cli_usage("scanners watch: --max-length is 1 to "
					 "%d", SCAN_MAX);
		k->max_len = (size_t)v;
		return 0;
	case 'p': case 's': case 'l':
		if (strlen(arg) >= (c == 'l' ? sizeof(k->layout) :
				    sizeof(k->prefix)))
			return cli_usage("scanners watch: '%s' is too long",
					 arg);
		strcpy(c == 'p' ? k->prefix : c == 's' ? k->suffix : k->layout,
		       arg);
		return 0;
	}
	return cli_usage("scanners watch: unknown option");
}

static int
parse_watch(int argc, char **argv, struct watch_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "gs-key", required_argument, NULL, 'k' },
		{ "gs-char", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "end", required_argument, NULL, 'e' },
		{ "max-length", required_argument, NULL, 'm' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "suffix", required_argument, NULL, 's' },
		{ "layout", required_argument, NULL, 'l' },
		{ "no-grab", no_argument, NULL, 'G' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct err e;
	int c, i, rc;

	memset(o, 0, sizeof(*o));
	o->cfg.grab = true;
	keymap_defaults(&o->cfg.keys);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'j') {
			o->json = true;
		} else if (c == 'G') {
			o->cfg.grab = false;
		} else if (c == 'n') {
			if (!parse_long(optarg, 1, 1000000000, &o->count))
				return cli_usage("scanners watch: bad --count");
		} else if (c == 'd') {
			if (o->cfg.nmatch == EV_MATCH_MAX)
				return cli_usage("scanners watch: at most %d "
						 "--device", EV_MATCH_MAX);
			if (ev_match_parse(&o->cfg.match[o->cfg.nmatch++],
					   optarg, &e) < 0)
				return cli_usage("scanners watch: %s", e.msg);
		} else if (c == '?') {
			return cli_usage("scanners watch: unknown option '%s'",
					 argv[optind - 1]);
		} else if ((rc = key_option(&o->cfg.keys, c, optarg)) != 0) {
			return rc;
		}
	}
	if (optind != argc)
		return cli_usage("scanners watch: unexpected '%s'",
				 argv[optind]);
	/* with no --device, watch every keyboard but leave it working */
	if (o->cfg.nmatch == 0)
		o->cfg.grab = false;
	for (i = 0; i < o->cfg.nmatch; i++)
		o->cfg.match[i].keys = o->cfg.keys;
	return 0;
}

int
cmd_scanners_watch(int argc, char **argv)
{
	struct watch_opts o;
	struct ev_ctx *ctx = NULL;
	struct err e;
	sigset_t old;
	int rc, sfd;

	if ((rc = parse_watch(argc, argv, &o)) != 0)
		return rc;
	sfd = signal_fd(&old);
	if (sfd < 0) {
		perror("sklad: signalfd");
		return CLI_FAIL;
	}
	if (ev_open(&ctx, &o.cfg, &e) < 0) {
		fprintf(stderr, "sklad: %s\n", e.msg);
		rc = e.code == ERR_INVALID ? CLI_USAGE : CLI_FAIL;
		goto out;
	}
	if (!o.json)
		printf("watching %s; Ctrl+C to stop\n", o.cfg.nmatch == 0 ?
		       "every keyboard (not grabbed)" : "the given scanners");
	rc = watch_loop(ctx, sfd, &o);
out:
	ev_close(&ctx);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void
list_text(const struct ev_devinfo *d)
{
	printf("%-20s %04x:%04x  %s\n", d->node, (unsigned)(d->vendor & 0xffff),
	       (unsigned)(d->product & 0xffff), d->name);
	if (d->by_id[0] != '\0')
		printf("%20s by-id: %s\n", "", d->by_id);
	printf("%20s %s\n", "", d->readable ? "readable: yes" : d->why);
}

static json_t *
list_json(const struct ev_devinfo *d)
{
	return json_pack("{s:s, s:s, s:i, s:i, s:s?, s:b, s:b, s:s?}",
			 "node", d->node, "name", d->name, "vendor", d->vendor,
			 "product", d->product, "by_id",
			 d->by_id[0] ? d->by_id : NULL, "keyboard", d->keyboard,
			 "readable", d->readable, "why",
			 d->readable ? NULL : d->why);
}

int
cmd_scanners_list(int argc, char **argv)
{
	static struct ev_devinfo devs[LIST_MAX];
	bool json = false, all = false;
	struct err e;
	int i, n, shown = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--all") == 0)
			all = true;
		else
			return cli_usage("scanners list: unknown '%s'",
					 argv[i]);
	}
	n = ev_list(NULL, devs, LIST_MAX, &e);
	if (n < 0) {
		fprintf(stderr, "sklad: %s\n", e.msg);
		return CLI_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (!all && !devs[i].keyboard)
			continue;
		shown++;
		if (json) {
			json_t *o = list_json(&devs[i]);

			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(o);
		} else {
			list_text(&devs[i]);
		}
	}
	if (!json && shown == 0)
		printf("no keyboard-like input devices%s\n",
		       all ? "" : " (--all shows every input device)");
	return CLI_OK;
}
