/*
 * vm_scanners: sklad's scanner layer against real kernel input devices.
 *
 * Runs inside the test VM (tests/vm/run-vm.sh) as root. Virtual scanners
 * made through uinput type real marking codes of every layout at real
 * scanner speeds while the real `sklad scanners watch --json` reads them:
 * every GS form, two scanners interleaved, unplug in the middle of a code
 * and replug, a key held at grab time, a grab already held by another
 * process, another reader of a grabbed device; `sklad scanners list` as
 * root and as a user without access. Every code must come back
 * byte for byte, tagged with the device that typed it. Ends with
 * "N passed, N failed"; exit status 1 if anything failed.
 *
 *   vm_scanners [NAME]    the tests (those whose name contains NAME)
 *   vm_scanners bench N   N 129-character codes at 1 ms per key: latency
 *                         from the Enter key event to the scan printed,
 *                         characters lost or doubled
 *
 * Must not run outside the VM: it creates and grabs input devices.
 */
#define _GNU_SOURCE	/* pipe2, setgroups */
#include <grp.h>

#include "scanners/evdev.h"
#include "tests/vm/codes.h"
#include "tests/vm/vm_console.h"
#include "tests/vm/vm_util.h"

#define WAIT_MS 5000		/* generous: TCG is slow */

#define ATTEMPTS 10		/* retypes after a reported kernel drop */

/* Times the kernel dropped events (SYN_DROPPED) and sklad said so. */
static int dropped;

/* Whether j is sklad's report of a code damaged by lost events. */
static bool
is_drop(json_t *j)
{
	return strcmp(vm_str(j, "event"), "discarded") == 0 &&
	       strstr(vm_str(j, "message"), "dropped key events") != NULL;
}

/*
 * Check one scan event: exactly code, from device, valid. Returns false
 * (without failing) if it is a reported drop, so the caller retypes.
 */
static bool
check_scan(json_t *j, const char *device, const char *code,
	   const char *what)
{
	const char *got = vm_str(j, "code");

	if (is_drop(j)) {
		dropped++;
		return false;
	}
	vm_check(strcmp(vm_str(j, "event"), "scan") == 0 &&
		 strcmp(got, code) == 0, "%s: typed %s, got %s %s", what, code,
		 vm_str(j, "event"), got);
	vm_check(strcmp(vm_str(j, "device"), device) == 0,
		 "%s: scan tagged %s, typed on %s", what, vm_str(j, "device"),
		 device);
	vm_check(json_is_true(json_object_get(json_object_get(j, "mark"),
					      "valid")),
		 "%s: %s did not parse as valid", what, code);
	return true;
}

/* The next scan or discard within WAIT_MS, or NULL. */
static json_t *
next_result(struct vm_watch *w)
{
	int64_t end = vm_now_ms() + WAIT_MS;
	json_t *j;

	while ((j = vm_watch_line(w, (int)(end - vm_now_ms()))) != NULL) {
		if (strcmp(vm_str(j, "event"), "scan") == 0 ||
		    strcmp(vm_str(j, "event"), "discarded") == 0)
			return j;
		json_decref(j);
	}
	return NULL;
}

/*
 * Type code on d and expect it back exactly from device. When the kernel
 * drops events (the emulated CPU stalls) sklad must say so and deliver
 * nothing; then the code is typed again, as an operator would rescan.
 */
static void
type_expect(struct vm_watch *w, struct vm_dev *d, const char *device,
	    const char *code, enum typing_gs gs, int step, const char *what)
{
	int attempt;
	bool done = false;
	json_t *j;

	for (attempt = 0; attempt < ATTEMPTS && !done; attempt++) {
		vm_type(d, code, gs, step);
		j = next_result(w);
		if (!vm_check(j != NULL, "%s: no scan of %.40s", what, code))
			return;
		done = check_scan(j, device, code, what);
		json_decref(j);
	}
	vm_check(done, "%s: events dropped on every attempt", what);
}

/* Start watch on the given devices and wait until all are grabbed. */
static bool
start_grabbed(struct vm_watch *w, const char *const *args,
	      const char *const *labels, const char *name)
{
	int want = 0, got = 0, i;
	json_t *j;

	if (!vm_check(vm_watch_start(w, args), "%s: cannot start sklad", name))
		return false;
	while (labels[want] != NULL)
		want++;
	while (got < want &&
	       (j = vm_expect(w, "grabbed", NULL, WAIT_MS, NULL)) != NULL) {
		for (i = 0; i < want; i++)
			got += strcmp(vm_str(j, "device"), labels[i]) == 0;
		json_decref(j);
	}
	return vm_check(got == want, "%s: %d of %d scanners grabbed", name,
			got, want);
}

/* Every code of every layout, every GS form at 1 ms, rotating at 20 ms. */
static void
test_every_code(void)
{
	static const char *const args[] = { "--device", "A=1d1d:0a0a",
		"--gs-key", "F8", "--gs-char", "~", NULL };
	static const char *const labels[] = { "A", NULL };
	static const char *const gsname[] = { "Ctrl+]", "Alt+029", "F8", "~" };
	struct vm_watch w;
	struct vm_dev d;
	char what[128];
	size_t i;
	int g, other;

	if (!vm_check(vm_dev_create(&d, "VM Scanner A", 0x1d1d, 0x0a0a),
		      "every code: cannot create a uinput device"))
		return;
	if (!start_grabbed(&w, args, labels, "every code"))
		goto out;
	other = vm_reader(d.node);
	for (g = 0; g < 4; g++) {
		for (i = 0; i < CODES_N; i++) {
			snprintf(what, sizeof(what), "%s, GS as %s, 1 ms/key",
				 codes_all[i].layout, gsname[g]);
			type_expect(&w, &d, "A", codes_all[i].code,
				    (enum typing_gs)g, 1, what);
		}
	}
	for (i = 0; i < CODES_N; i++) {
		g = (int)(i % 4);
		snprintf(what, sizeof(what), "%s, GS as %s, 20 ms/key",
			 codes_all[i].layout, gsname[g]);
		type_expect(&w, &d, "A", codes_all[i].code,
			    (enum typing_gs)g, 20, what);
	}
	vm_check(other >= 0 && vm_keys_seen(other, 0, -1) == 0,
		 "every code: another reader of the grabbed scanner saw keys");
	if (other >= 0)
		close(other);
	vm_watch_stop(&w, "every code");
	/* the grab was released: we can take it now */
	other = vm_reader(d.node);
	vm_check(other >= 0 && ioctl(other, EVIOCGRAB, 1) == 0,
		 "every code: the grab was not released on exit");
	if (other >= 0)
		close(other);
out:
	vm_dev_destroy(&d);
}

/* Type ca on a and cb on b, one character of each in turn, 1 ms apart. */
static void
interleave(struct vm_dev *a, struct vm_dev *b, const char *ca,
	   const char *cb)
{
	static struct typing_ev ea[16384], eb[16384];
	int na = vm_expand(ca, -1, TYPING_GS_CTRL, ea, 16384);
	int nb = vm_expand(cb, -1, TYPING_GS_ALT, eb, 16384);
	int ia = 0, ib = 0, sa, sb;

	while (ia < na || ib < nb) {
		sa = ia;
		sb = ib;
		while (ia < na && ea[ia++].type != TYPING_PAUSE)
			;
		vm_type_events(a, ea, sa, ia, 1);
		while (ib < nb && eb[ib++].type != TYPING_PAUSE)
			;
		vm_type_events(b, eb, sb, ib, 1);
	}
}

/* Both codes back, each from its own scanner (retyped after a drop). */
static void
type_pair(struct vm_watch *w, struct vm_dev *a, struct vm_dev *b,
	  const char *ca, const char *cb)
{
	int attempt, results, ok;
	json_t *j;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		interleave(a, b, ca, cb);
		for (results = ok = 0; results < 2; results++) {
			bool left;

			j = next_result(w);
			if (!vm_check(j != NULL, "interleaved: %d of 2 scans",
				      results))
				return;
			left = strcmp(vm_str(j, "device"), "left") == 0;
			ok += check_scan(j, left ? "left" : "right",
					 left ? ca : cb, "interleaved");
			json_decref(j);
		}
		if (ok == 2)
			return;
	}
	vm_check(false, "interleaved: events dropped on every attempt");
}

/* Two scanners typing at once, characters interleaved. */
static void
test_interleaved(void)
{
	static const char *const args[] = { "--device", "left=1d1d:0b01",
		"--device", "right=1d1d:0b02", NULL };
	static const char *const labels[] = { "left", "right", NULL };
	struct vm_watch w;
	struct vm_dev a, b;
	size_t i;

	if (!vm_check(vm_dev_create(&a, "VM Scanner left", 0x1d1d, 0x0b01) &&
		      vm_dev_create(&b, "VM Scanner right", 0x1d1d, 0x0b02),
		      "interleaved: cannot create devices"))
		return;
	if (!start_grabbed(&w, args, labels, "interleaved"))
		goto out;
	for (i = 0; i + 1 < CODES_N; i += 2)
		type_pair(&w, &a, &b, codes_all[i].code, codes_all[i + 1].code);
	vm_watch_stop(&w, "interleaved");
out:
	vm_dev_destroy(&a);
	vm_dev_destroy(&b);
}

/* Unplug half-way through a code, replug, scan again. */
static void
test_unplug_replug(void)
{
	static const char *const args[] = { "--device", "C=1d1d:0c0c", NULL };
	static const char *const labels[] = { "C", NULL };
	static struct typing_ev ev[16384];
	const char *code = codes_all[7].code;
	struct vm_watch w;
	struct vm_dev d;
	int n, stray = 0;
	json_t *j;

	if (!vm_check(vm_dev_create(&d, "VM Scanner C", 0x1d1d, 0x0c0c),
		      "unplug: cannot create a device"))
		return;
	if (!start_grabbed(&w, args, labels, "unplug"))
		goto out;
	n = vm_expand(code, 40, TYPING_GS_CTRL, ev, 16384);
	vm_type_events(&d, ev, 0, n, 1);
	vm_dev_destroy(&d);
	j = vm_expect(&w, "discarded", "C", WAIT_MS, &stray);
	vm_check(j != NULL && json_integer_value(json_object_get(j, "length"))
		 > 0 && json_integer_value(json_object_get(j, "length")) <= 40,
		 "unplug: the half code was not reported as discarded");
	json_decref(j);
	j = vm_expect(&w, "unplugged", "C", WAIT_MS, &stray);
	vm_check(j != NULL, "unplug: no unplugged event");
	json_decref(j);
	vm_check(stray == 0, "unplug: half a code was delivered as a scan");
	if (!vm_check(vm_dev_create(&d, "VM Scanner C", 0x1d1d, 0x0c0c),
		      "replug: cannot create the device again"))
		goto stop;
	vm_check(vm_sees(&w, "grabbed", "C", WAIT_MS),
		 "replug: the scanner was not re-grabbed");
	type_expect(&w, &d, "C", code, TYPING_GS_CTRL, 1, "after replug");
stop:
	vm_watch_stop(&w, "unplug");
out:
	vm_dev_destroy(&d);
}

/* A key is down when sklad starts: it must wait, so the key is released. */
static void
test_key_held(void)
{
	static const char *const args[] = { "--device", "D=1d1d:0d0d", NULL };
	const char *code = codes_all[3].code;
	struct vm_watch w;
	struct vm_dev d;
	int other;

	if (!vm_check(vm_dev_create(&d, "VM Scanner D", 0x1d1d, 0x0d0d),
		      "key held: cannot create a device"))
		return;
	other = vm_reader(d.node);
	vm_emit(&d, EV_KEY, KEY_LEFTSHIFT, 1);
	vm_emit(&d, EV_SYN, SYN_REPORT, 0);
	if (!vm_check(vm_watch_start(&w, args), "key held: cannot start sklad"))
		goto out;
	vm_check(vm_sees(&w, "plugged", "D", WAIT_MS), "key held: no plugged");
	vm_check(!vm_sees(&w, "grabbed", "D", 500),
		 "key held: grabbed while Shift was down");
	vm_emit(&d, EV_KEY, KEY_LEFTSHIFT, 0);
	vm_emit(&d, EV_SYN, SYN_REPORT, 0);
	vm_check(vm_sees(&w, "grabbed", "D", WAIT_MS),
		 "key held: not grabbed after the release");
	vm_check(vm_keys_seen(other, KEY_LEFTSHIFT, 0) == 1,
		 "key held: the other reader never saw Shift released");
	type_expect(&w, &d, "D", code, TYPING_GS_CTRL, 1, "key held");
	vm_check(vm_keys_seen(other, 0, -1) == 0,
		 "key held: the other reader saw keys after the grab");
	vm_watch_stop(&w, "key held");
out:
	if (other >= 0)
		close(other);
	vm_dev_destroy(&d);
}

/* Another process holds the grab: reported with its name, then taken. */
static void
test_grab_busy(void)
{
	static const char *const args[] = { "--device", "E=1d1d:0e0e", NULL };
	const char *code = codes_all[0].code;
	struct vm_watch w;
	struct vm_dev d;
	int holder, stray = 0;
	json_t *j;

	if (!vm_check(vm_dev_create(&d, "VM Scanner E", 0x1d1d, 0x0e0e),
		      "grab busy: cannot create a device"))
		return;
	holder = vm_reader(d.node);
	if (!vm_check(holder >= 0 && ioctl(holder, EVIOCGRAB, 1) == 0,
		      "grab busy: cannot grab it first"))
		goto out;
	if (!vm_check(vm_watch_start(&w, args), "grab busy: no sklad"))
		goto out;
	j = vm_expect(&w, "grab_failed", "E", WAIT_MS, NULL);
	vm_check(j != NULL && strstr(vm_str(j, "message"), "vm_scanners") !=
		 NULL, "grab busy: not reported with the holder's name: %s",
		 j != NULL ? vm_str(j, "message") : "(no event)");
	json_decref(j);
	vm_type(&d, code, TYPING_GS_CTRL, 1);
	vm_check(vm_keys_seen(holder, 0, -1) > 0,
		 "grab busy: the holder did not get the keys");
	ioctl(holder, EVIOCGRAB, 0);
	j = vm_expect(&w, "grabbed", "E", WAIT_MS, &stray);
	vm_check(j != NULL, "grab busy: not grabbed once the holder let go");
	vm_check(stray == 0, "grab busy: sklad decoded keys it did not own");
	json_decref(j);
	type_expect(&w, &d, "E", code, TYPING_GS_CTRL, 1,
		    "grab busy, then ours");
	vm_watch_stop(&w, "grab busy");
out:
	if (holder >= 0)
		close(holder);
	vm_dev_destroy(&d);
}

/* Matching by /dev/input/by-id name and by device-name pattern. */
static void
test_match_by_id_and_name(void)
{
	static const char *const args[] = {
		"--device", "byid=usb-VM_Scanner_F_0001-event-kbd",
		"--device", "byname=name:VM Scanner G*", NULL };
	static const char *const labels[] = { "byid", "byname", NULL };
	struct vm_watch w;
	struct vm_dev f, g;
	char target[128];

	if (!vm_check(vm_dev_create(&f, "VM Scanner F", 0x1d1d, 0x0f01) &&
		      vm_dev_create(&g, "VM Scanner G 2D", 0x1d1d, 0x0f02),
		      "match: cannot create devices"))
		return;
	mkdir("/dev/input/by-id", 0755);
	snprintf(target, sizeof(target), "../%s", strrchr(f.node, '/') + 1);
	unlink("/dev/input/by-id/usb-VM_Scanner_F_0001-event-kbd");
	vm_check(symlink(target, "/dev/input/by-id/"
			 "usb-VM_Scanner_F_0001-event-kbd") == 0,
		 "match: cannot make the by-id link");
	if (start_grabbed(&w, args, labels, "match")) {
		type_expect(&w, &f, "byid", codes_all[12].code,
			    TYPING_GS_CTRL, 1, "by-id match");
		type_expect(&w, &g, "byname", codes_all[4].code,
			    TYPING_GS_CTRL, 1, "name match");
		vm_watch_stop(&w, "match");
	}
	unlink("/dev/input/by-id/usb-VM_Scanner_F_0001-event-kbd");
	vm_dev_destroy(&f);
	vm_dev_destroy(&g);
}

/*
 * A copy of sklad that nobody may run: the checkout may sit in a folder
 * only its owner can enter (mktemp -d). Returns its path or NULL.
 */
static const char *
public_sklad(void)
{
	static const char path[] = "/tmp/sklad-public";
	char buf[65536];
	int in = open(getenv("SKLAD_BIN"), O_RDONLY | O_CLOEXEC);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t r = 0;
	bool ok = in >= 0 && out >= 0;

	while (ok && (r = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)r) == r;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok && r == 0 && chmod(path, 0755) == 0 ? path : NULL;
}

/* Run sklad ARGS (as nobody if asked); its stdout into buf. */
static bool
run_sklad(const char *const *args, bool nobody, char *buf, size_t n)
{
	const char *argv[16];
	size_t len = 0;
	int p[2], i = 0, status;
	ssize_t r;
	pid_t pid;

	argv[i++] = nobody ? public_sklad() : getenv("SKLAD_BIN");
	while (*args != NULL && i < 15)
		argv[i++] = *args++;
	argv[i] = NULL;
	if (argv[0] == NULL || pipe(p) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		if (nobody && (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
			       setuid(65534) < 0))
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (len + 1 < n && (r = read(p[0], buf + len, n - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The JSON line of `scanners list --json` output about node, or NULL. */
static json_t *
list_entry(const char *out, const char *node)
{
	char line[2048];
	const char *p = out, *nl;
	json_t *j;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		j = json_loads(line, 0, NULL);
		if (j != NULL && strcmp(vm_str(j, "node"), node) == 0)
			return j;
		json_decref(j);
	}
	return NULL;
}

/* sklad scanners list: ids and by-id name, and why a user may not read. */
static void
test_list(void)
{
	static const char *const args[] = { "scanners", "list", "--json",
		NULL };
	static char out[65536];
	struct group *input = getgrnam("input");
	char target[64];
	struct vm_dev d;
	json_t *j;

	if (!vm_check(vm_dev_create(&d, "VM Scanner L", 0x1d1d, 0x0101),
		      "list: cannot create a device"))
		return;
	mkdir("/dev/input/by-id", 0755);
	unlink("/dev/input/by-id/usb-VM_Scanner_L-event-kbd");
	snprintf(target, sizeof(target), "..%s", strrchr(d.node, '/'));
	vm_check(symlink(target, "/dev/input/by-id/usb-VM_Scanner_L-event-kbd")
		 == 0, "list: cannot make the by-id link");
	vm_check(run_sklad(args, false, out, sizeof(out)),
		 "list: sklad scanners list failed");
	j = list_entry(out, d.node);
	vm_check(j != NULL && strcmp(vm_str(j, "name"), "VM Scanner L") == 0 &&
		 json_integer_value(json_object_get(j, "vendor")) == 0x1d1d &&
		 json_integer_value(json_object_get(j, "product")) == 0x0101 &&
		 strcmp(vm_str(j, "by_id"),
			"usb-VM_Scanner_L-event-kbd") == 0 &&
		 json_is_true(json_object_get(j, "readable")),
		 "list: as root, wrong or missing entry for %s: %s", d.node,
		 out);
	json_decref(j);
	if (vm_check(input != NULL && chown(d.node, 0, input->gr_gid) == 0 &&
		     chmod(d.node, 0660) == 0, "list: cannot chgrp the node")) {
		vm_check(run_sklad(args, true, out, sizeof(out)),
			 "list: sklad scanners list as nobody failed");
		j = list_entry(out, d.node);
		vm_check(j != NULL && json_is_false(json_object_get(j,
			 "readable")) && strstr(vm_str(j, "why"),
			 "group 'input'") != NULL,
			 "list: as nobody, not told which group: %s",
			 j != NULL ? vm_str(j, "why") : out);
		json_decref(j);
	}
	unlink("/dev/input/by-id/usb-VM_Scanner_L-event-kbd");
	vm_dev_destroy(&d);
}

/*
 * Type the first n events of a code (no Enter) until the result is not a
 * reported kernel drop; return that result (caller frees) or NULL.
 */
static json_t *
type_unended(struct vm_watch *w, struct vm_dev *d,
	     const struct typing_ev *ev, int n)
{
	json_t *j = NULL;
	int attempt;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		vm_type_events(d, ev, 0, n, 1);
		j = next_result(w);
		if (j == NULL || !is_drop(j))
			return j;
		dropped++;
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* A code without Enter: a fragment by default, a scan with --end timeout. */
static void
test_timeout_end(void)
{
	static const char *const frag_args[] = { "--device", "T=1d1d:0707",
		"--timeout", "1000", NULL };
	static const char *const end_args[] = { "--device", "T=1d1d:0707",
		"--timeout", "1000", "--end", "enter,timeout", NULL };
	static const char *const labels[] = { "T", NULL };
	static struct typing_ev ev[16384];
	const char *code = codes_all[3].code;
	struct vm_watch w;
	struct vm_dev d;
	int n;
	json_t *j;

	if (!vm_check(vm_dev_create(&d, "VM Scanner T", 0x1d1d, 0x0707),
		      "timeout: cannot create a device"))
		return;
	n = vm_expand(code, (int)strlen(code), TYPING_GS_CTRL, ev, 16384);
	if (start_grabbed(&w, frag_args, labels, "timeout, fragment")) {
		j = type_unended(&w, &d, ev, n);
		vm_check(j != NULL && strcmp(vm_str(j, "event"),
			 "discarded") == 0 && strstr(vm_str(j, "message"),
			 "no end key") != NULL, "timeout: a code without its "
			 "end key was not discarded as a fragment");
		json_decref(j);
		vm_watch_stop(&w, "timeout, fragment");
	}
	if (start_grabbed(&w, end_args, labels, "timeout, end")) {
		j = type_unended(&w, &d, ev, n);
		vm_check(j != NULL && strcmp(vm_str(j, "event"), "scan") == 0 &&
			 strcmp(vm_str(j, "code"), code) == 0 &&
			 json_is_true(json_object_get(j, "by_timeout")),
			 "timeout: with --end timeout the code was not a scan: "
			 "%s %s", vm_str(j, "event"), vm_str(j, "message"));
		json_decref(j);
		vm_watch_stop(&w, "timeout, end");
	}
	vm_dev_destroy(&d);
}

/* What came out of the ev_ API. */
struct ev_tally {
	int scans, exact, drops, lost, after_lost, grabbed;
};

/* Take every queued event now; count them. */
static void
ev_take(struct ev_ctx *ctx, const char *code, struct ev_tally *t)
{
	struct ev_event ev;

	while (ev_next(ctx, &ev)) {
		if (t->lost > 0)
			t->after_lost++;
		t->grabbed += ev.kind == EV_EVENT_GRABBED;
		t->drops += ev.kind == EV_EVENT_DISCARDED;
		if (ev.kind == EV_EVENT_LOST)
			t->lost += ev.lost;
		if (ev.kind != EV_EVENT_SCAN)
			continue;
		t->scans++;
		t->exact += strcmp(ev.scan.bytes, code) == 0 &&
			    strcmp(ev.scan.device, "api") == 0;
	}
}

/* Wait until the reader has been quiet for 500 ms (it woke us last). */
static void
ev_settle(struct ev_ctx *ctx)
{
	struct pollfd pfds[EV_POLLFDS_MAX];
	int n = ev_pollfds(ctx, pfds, EV_POLLFDS_MAX);

	while (poll(pfds, (nfds_t)n, 500) > 0)
		ev_dispatch(ctx, pfds, n, ev_now_ms());
}

/*
 * The ev_ API as the console uses it, in this process: the reader thread
 * reads the scanner while nobody calls ev_next (the console commits), so
 * codes typed meanwhile all come out, exact and in order. A caller that
 * takes nothing for longer than the queue holds learns how many codes
 * were not kept, in one EV_EVENT_LOST at the end, never silently.
 */
static void
test_ev_api_overflow(void)
{
	struct ev_config cfg;
	struct ev_ctx *ctx = NULL;
	struct ev_tally t;
	struct vm_dev d;
	struct err e;
	const char *code = codes_all[9].code;
	int i, many = EV_QUEUE_MAX + 50;

	if (!vm_check(vm_dev_create(&d, "VM Scanner api", 0x1d1d, 0x0909),
		      "ev api: cannot create a device"))
		return;
	memset(&cfg, 0, sizeof(cfg));
	keymap_defaults(&cfg.keys);
	cfg.grab = true;
	cfg.nmatch = 1;
	if (!vm_check(ev_match_parse(&cfg.match[0], "api=1d1d:0909", &e) == 0 &&
		      ev_open(&ctx, &cfg, &e) == 0, "ev api: %s", e.msg))
		goto out;
	memset(&t, 0, sizeof(t));
	ev_take(ctx, code, &t);
	vm_check(t.grabbed == 1, "ev api: not grabbed at open");
	for (i = 0; i < 5; i++)		/* nobody takes meanwhile */
		vm_type(&d, code, TYPING_GS_CTRL, 1);
	ev_settle(ctx);
	memset(&t, 0, sizeof(t));
	ev_take(ctx, code, &t);
	vm_check(t.scans == 5 && t.exact == 5 && t.drops == 0,
		 "ev api: %d scans (%d exact) and %d discards of 5 codes typed "
		 "while the caller took nothing", t.scans, t.exact, t.drops);
	for (i = 0; i < many; i++)
		vm_type(&d, "1", TYPING_GS_CTRL, 1);
	ev_settle(ctx);
	memset(&t, 0, sizeof(t));
	ev_take(ctx, "1", &t);
	vm_check(t.scans == EV_QUEUE_MAX - 1 && t.exact == t.scans &&
		 t.lost == many - t.scans && t.after_lost == 0,
		 "ev api: %d codes into a queue of %d: %d scans, %d counted "
		 "lost (want %d), %d events after the loss", many,
		 EV_QUEUE_MAX, t.scans, t.lost, many - t.scans, t.after_lost);
	ev_close(&ctx);
out:
	vm_dev_destroy(&d);
}

/*
 * The console on an evdev scanner with storage as slow as a rugged
 * terminal's: each commit waits CON_FSYNC_MS in fsync (the preload shim)
 * while the scanner types CON_CODES codes back to back, at 1 ms per key
 * and at 10 ms per key. Each must be stored once, in the order typed:
 * none dropped, none doubled, no error on the screen.
 */
#define CON_CODES 100
#define CON_FSYNC_MS "300"
#define CON_BOX "046004390000000013"
#define CON_WAIT_MS 30000	/* no new row for this long: it is over */

static char con_want[2 * CON_CODES * 16];

static void
con_code(char *buf, size_t n, char run, int i)
{
	snprintf(buf, n, CODES_GTIN "21%c%05d" CODES_GS "93Ab1+", run, i);
}

/* Type a run of codes at step ms/key and check the box afterwards. */
static void
con_run(struct vm_con *c, const char *db, struct vm_dev *d, char run,
	int step)
{
	static char got[sizeof(con_want)];
	char code[64], count_sql[160];
	size_t wlen = strlen(con_want);
	long stored, last = -1, want;
	int64_t t0 = vm_now_ms(), typed, since;
	int i, n, missing = 0, doubled;
	const char *p;

	c->from = c->len;
	for (i = 0; i < CON_CODES; i++) {
		con_code(code, sizeof(code), run, i);
		vm_type(d, code, TYPING_GS_CTRL, step);
		wlen += (size_t)snprintf(con_want + wlen, sizeof(con_want) -
					 wlen, "%.*s\n", 6, code + 18);
		vm_con_pump(c, 0);
	}
	typed = vm_now_ms();
	snprintf(count_sql, sizeof(count_sql), "SELECT count(*) FROM codes c "
		 "JOIN codes p ON p.id = c.parent_id WHERE p.serial = '%s'",
		 CON_BOX);
	for (i = 0, want = 0; con_want[i] != '\0'; i++)
		want += con_want[i] == '\n';
	since = vm_now_ms();
	while ((stored = vm_db_long(db, count_sql)) < want &&
	       vm_now_ms() - since < CON_WAIT_MS) {
		if (stored != last)
			since = vm_now_ms();
		last = stored;
		vm_con_pump(c, 200);
	}
	n = vm_db_serials(db, CON_BOX, got, sizeof(got));
	for (i = 0; i < CON_CODES; i++) {
		con_code(code, sizeof(code), run, i);
		code[24] = '\0';
		missing += strstr(got, code + 18) == NULL;
	}
	doubled = (int)vm_db_long(db, "SELECT count(*) FROM audit "
				  "WHERE ok = 0");
	printf("console, fsync +%s ms, %d ms/key: %d codes typed in %.1f s, "
	       "all stored %.1f s later; %d stored, %d dropped, %d refused "
	       "(doubled)\n", CON_FSYNC_MS, step, CON_CODES,
	       (double)(typed - t0) / 1000.0,
	       (double)(vm_now_ms() - typed) / 1000.0, n, missing, doubled);
	vm_check(n == (int)want && strcmp(got, con_want) == 0,
		 "console, %d ms/key: the box holds %d codes, want %ld in the "
		 "order typed (%d of this run missing)", step, n, want,
		 missing);
	vm_check(doubled == 0, "console, %d ms/key: %d scans refused (a code "
		 "taken twice?)", step, doubled);
	vm_con_pump(c, 0);
	p = strstr(c->text + c->from, "ERROR");
	vm_check(strstr(c->text + c->from, "SKLAD:ACK") == NULL,
		 "console, %d ms/key: an error held the console: %.400s", step,
		 p != NULL ? p : "");
}

static void
test_console_slow_storage(void)
{
	static const char *const env[] = { "SKLAD_PIN=4321", NULL };
	char dir[] = "/tmp/sklad-con-XXXXXX", db[64], shim[512];
	const char *build = getenv("SKLAD_BUILD");
	const char *init[] = { "init", "--db", db, "--inn", "7700000001",
		"--gcp", "4600439", "--box-capacity", "0", NULL };
	const char *admin[] = { "exec", "--db", db, "--user", "admin", NULL };
	const char *args[] = { "--db", db, "--scanner", "evdev:S=1d1d:0f0f",
		NULL };
	const char *con_env[] = { shim, "SLOW_FSYNC_MS=" CON_FSYNC_MS, NULL };
	static struct vm_con c;
	struct vm_dev d;

	con_want[0] = '\0';
	snprintf(shim, sizeof(shim), "LD_PRELOAD=%s/tests/vm/slow_fsync.so",
		 build != NULL ? build : "build");
	if (!vm_check(mkdtemp(dir) != NULL, "console: no temp folder"))
		return;
	snprintf(db, sizeof(db), "%s/sklad.db", dir);
	if (!vm_check(vm_sklad_run(init, env, ""), "console: sklad init "
		      "failed") ||
	    !vm_check(vm_sklad_run(admin, env, "user add operator operator "
				   "1111\n"), "console: user add failed"))
		return;
	if (!vm_check(vm_dev_create(&d, "VM Scanner S", 0x1d1d, 0x0f0f),
		      "console: cannot create a device"))
		return;
	if (!vm_check(vm_con_start(&c, args, con_env),
		      "console: cannot start it on a pty"))
		goto out;
	if (!vm_check(vm_con_wait(&c, "Name", WAIT_MS * 4),
		      "console: no login screen: %.300s", c.text))
		goto stop;
	vm_con_keys(&c, "operator\r");
	vm_con_keys(&c, "1111\r");
	if (!vm_check(vm_con_wait(&c, "main menu", WAIT_MS * 4),
		      "console: no main menu after login: %.300s",
		      c.text + c.from))
		goto stop;
	vm_con_keys(&c, "1");
	vm_con_wait(&c, "No box is open", WAIT_MS);
	vm_con_keys(&c, "n");
	if (!vm_check(vm_con_wait(&c, CON_BOX, WAIT_MS * 4),
		      "console: box %s not opened: %.300s", CON_BOX,
		      c.text + c.from))
		goto stop;
	con_run(&c, db, &d, 'A', 1);
	con_run(&c, db, &d, 'B', 10);
	/* a code that stops in the middle: an error that holds and counts */
	{
		static struct typing_ev ev[4096];
		char code[64];
		int n;

		con_code(code, sizeof(code), 'C', 0);
		n = vm_expand(code, 12, TYPING_GS_CTRL, ev, 4096);
		c.from = c.len;
		vm_type_events(&d, ev, 0, n, 1);
		vm_check(vm_con_wait(&c, "Scan 1 code again", WAIT_MS * 2) &&
			 vm_con_wait(&c, "SKLAD:ACK", WAIT_MS),
			 "console: half a code did not hold the console with "
			 "the count to scan again: %.300s", c.text + c.from);
	}
stop:
	vm_check(vm_con_stop(&c), "console: did not exit on SIGTERM");
out:
	vm_dev_destroy(&d);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* What the bench saw. */
struct tally {
	int scans, exact, drops, spans;
	long lost, doubled, wrong;
	int64_t lat[100000];	/* Enter key event to scan delivered, ms */
};

/* Account for one line of sklad's output; frees it. */
static void
bench_take(json_t *j, const char *code, struct tally *t)
{
	const char *got = vm_str(j, "code");
	size_t want = strlen(code), len = strlen(got);

	if (is_drop(j)) {
		t->drops++;
		/* a drop that took an Enter covers two codes */
		t->spans += json_integer_value(json_object_get(j, "length")) >
			    (json_int_t)want;
	}
	if (strcmp(vm_str(j, "event"), "scan") == 0 && t->scans < 100000) {
		t->lat[t->scans++] = json_integer_value(json_object_get(j,
			"delivered_ms")) - json_integer_value(
			json_object_get(j, "last_ms"));
		if (strcmp(got, code) == 0)
			t->exact++;
		else if (len < want)
			t->lost += (long)(want - len);
		else if (len > want)
			t->doubled += (long)(len - want);
		else
			t->wrong++;
	}
	json_decref(j);
}

static void
bench_print(int n, const char *code, const struct tally *t, int64_t ms)
{
	size_t len = strlen(code);
	int missing = n - t->scans;

	printf("bench-vm: %d codes of %zu characters typed at 1 ms/key in "
	       "%.1f s\n", n, len, (double)ms / 1000.0);
	printf("bench-vm: %d exact, %d missing scans, %ld characters lost, "
	       "%ld doubled, %ld same-length mismatches (goal: all exact)\n",
	       t->exact, missing, t->lost + (long)missing * (long)len,
	       t->doubled, t->wrong);
	printf("bench-vm: sklad reported %d discards after the kernel dropped "
	       "events (SYN_DROPPED: the reader was not scheduled in time); "
	       "%d of them spanned two codes (an Enter was dropped); "
	       "%d missing codes are not accounted for by a report\n",
	       t->drops, t->spans, missing - t->drops - t->spans);
	if (t->scans > 0)
		printf("bench-vm: Enter key event to scan delivered: median "
		       "%lld ms, p99 %lld ms, max %lld ms\n",
		       (long long)t->lat[t->scans / 2],
		       (long long)t->lat[t->scans * 99 / 100],
		       (long long)t->lat[t->scans - 1]);
}

/* n long codes at 1 ms per key: latency and characters lost/doubled. */
static int
bench(int n)
{
	static const char *const args[] = { "--device", "bench=1d1d:0abc",
		NULL };
	static const char *const labels[] = { "bench", NULL };
	static struct tally t;
	const char *code = CODES_LONG;
	struct vm_watch w;
	struct vm_dev d;
	int64_t t0, t1;
	json_t *j;
	int i;

	if (n < 1 || n > 100000 ||
	    !vm_dev_create(&d, "VM Scanner bench", 0x1d1d, 0x0abc) ||
	    !start_grabbed(&w, args, labels, "bench"))
		return 1;
	t0 = vm_now_ms();
	for (i = 0; i < n; i++) {
		vm_type(&d, code, TYPING_GS_CTRL, 1);
		/* read while typing, so sklad never blocks on its stdout */
		while ((j = vm_watch_line(&w, 0)) != NULL)
			bench_take(j, code, &t);
	}
	while (t.scans + t.drops + t.spans < n && (j = next_result(&w)) != NULL)
		bench_take(j, code, &t);
	t1 = vm_now_ms();
	vm_watch_stop(&w, "bench");
	vm_dev_destroy(&d);
	qsort(t.lat, (size_t)t.scans, sizeof(t.lat[0]), cmp_i64);
	bench_print(n, code, &t, t1 - t0);
	return 0;
}

static const struct {
	const char *name;
	void (*run)(void);
} tests[] = {
	{ "every_code", test_every_code },
	{ "interleaved", test_interleaved },
	{ "unplug_replug", test_unplug_replug },
	{ "key_held", test_key_held },
	{ "grab_busy", test_grab_busy },
	{ "match", test_match_by_id_and_name },
	{ "list", test_list },
	{ "timeout", test_timeout_end },
	{ "ev_api", test_ev_api_overflow },
	{ "console_slow_storage", test_console_slow_storage },
};

int
main(int argc, char **argv)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	vm_pin_typist();
	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return bench(argc > 2 ? atoi(argv[2]) : 1000);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (argc < 2 || strstr(tests[i].name, argv[1]) != NULL)
			tests[i].run();
	if (dropped > 0)
		printf("note: the kernel dropped key events %d times (the "
		       "emulated CPU stalled); sklad reported each and "
		       "delivered nothing, and the code was typed again\n",
		       dropped);
	printf("%d passed, %d failed\n", vm_passed, vm_failed);
	return vm_failed == 0 && vm_passed > 0 ? 0 : 1;
}
