/*
 * evdev_sys: input devices seen from sysfs, /dev/input/by-id and /proc,
 * without opening them for reading (evdev_sys.h).
 *
 * What it must not do: include libevdev, grab, or keep state.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanners/evdev_sys.h"

#define SYSFS_INPUT "/sys/class/input"

/* Read the first line of a small text file into buf; -1 on failure. */
static int
read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fgets(buf, (int)n, f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		rc = 0;
	}
	fclose(f);
	return rc;
}

static int
read_hex(const char *path)
{
	char buf[32], *end;
	long v;

	if (read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	v = strtol(buf, &end, 16);
	return end != buf && v >= 0 && v <= 0xffff ? (int)v : -1;
}

/*
 * Whether bit is set in a sysfs capability bitmap: hex words separated by
 * spaces, most significant first, each as wide as the kernel's long.
 */
static bool
caps_has(const char *text, int bit)
{
	const int wbits = (int)sizeof(long) * 8;
	char copy[1024], *words[64], *save = NULL, *w;
	int n = 0, idx = bit / wbits;

	snprintf(copy, sizeof(copy), "%s", text);
	for (w = strtok_r(copy, " ", &save); w != NULL && n < 64;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (idx >= n)
		return false;
	return (strtoull(words[n - 1 - idx], NULL, 16) >> (bit % wbits)) & 1;
}

/* Whether node (a path) and the link target are the same file. */
static bool
same_node(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * Call back for each by-id link under dir that points at node; stop when
 * cb returns true. Returns whether one did.
 */
static bool
each_by_id(const char *dir, const char *node,
	   bool (*cb)(const char *link, void *arg), void *arg)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/by-id", dir);
	d = opendir(path);
	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(link, sizeof(link), "%s/%s", path,
			     de->d_name) < (int)sizeof(link) &&
		    same_node(link, node))
			found = cb(de->d_name, arg);
	}
	closedir(d);
	return found;
}

static bool
copy_first(const char *link, void *arg)
{
	snprintf(arg, EV_PATTERN_MAX, "%s", link);
	return true;
}

int
ev_sys_info(const char *dir, const char *base, struct ev_devinfo *info)
{
	char path[PATH_MAX], caps[1024];

	snprintf(info->node, sizeof(info->node), "%s/%s", dir, base);
	snprintf(path, sizeof(path), SYSFS_INPUT "/%s/device/name", base);
	if (read_line(path, info->name, sizeof(info->name)) < 0)
		return -1;
	snprintf(path, sizeof(path), SYSFS_INPUT "/%s/device/id/vendor", base);
	info->vendor = read_hex(path);
	snprintf(path, sizeof(path), SYSFS_INPUT "/%s/device/id/product",
		 base);
	info->product = read_hex(path);
	snprintf(path, sizeof(path),
		 SYSFS_INPUT "/%s/device/capabilities/key", base);
	info->keyboard = false;
	if (read_line(path, caps, sizeof(caps)) == 0)
		info->keyboard = (caps_has(caps, 28) || caps_has(caps, 96)) &&
				 (caps_has(caps, 2) || caps_has(caps, 79));
	info->by_id[0] = '\0';
	each_by_id(dir, info->node, copy_first, info->by_id);
	return 0;
}

static bool
link_matches(const char *link, void *arg)
{
	return fnmatch(arg, link, 0) == 0;
}

static bool
by_id_matches(const struct ev_match *m, const char *dir,
	      const struct ev_devinfo *info)
{
	if (m->by_id[0] == '/')
		return same_node(m->by_id, info->node);
	return each_by_id(dir, info->node, link_matches, (void *)m->by_id);
}

bool
ev_sys_matches(const struct ev_match *m, const char *dir,
	       const struct ev_devinfo *info)
{
	bool id_ok, name_ok;

	if (!info->keyboard)
		return false;
	if (m->vendor >= 0 && m->vendor != info->vendor)
		return false;
	if (m->product >= 0 && m->product != info->product)
		return false;
	id_ok = m->by_id[0] == '\0' || by_id_matches(m, dir, info);
	name_ok = m->name[0] == '\0' || fnmatch(m->name, info->name, 0) == 0;
	if (m->by_id_or_name)
		return id_ok || name_ok;
	return id_ok && name_ok;
}

void
ev_sys_why(const char *node, int err, char *buf, size_t n)
{
	struct stat st;
	struct group *gr;

	if (err != EACCES && err != EPERM) {
		snprintf(buf, n, "cannot open %s: %s", node, strerror(err));
		return;
	}
	if (stat(node, &st) < 0) {
		snprintf(buf, n, "permission denied on %s", node);
		return;
	}
	gr = getgrgid(st.st_gid);
	if (st.st_gid != 0 && (st.st_mode & 0040) && gr != NULL)
		snprintf(buf, n, "permission denied: %s belongs to group '%s' "
			 "(mode %04o); add this user to that group "
			 "(usermod -aG %s USER) and log in again", node,
			 gr->gr_name, (unsigned)(st.st_mode & 07777),
			 gr->gr_name);
	else
		snprintf(buf, n, "permission denied: %s is readable by %s only "
			 "(mode %04o); install the sklad udev rule "
			 "(70-sklad-scanners.rules) to give scanners a group",
			 node, st.st_gid == 0 ? "root" : "its owner",
			 (unsigned)(st.st_mode & 07777));
}

/* Whether process pid has a file descriptor on the file st describes. */
static bool
pid_has(const char *pid, const struct stat *st)
{
	char path[PATH_MAX], fdp[PATH_MAX];
	struct dirent *de;
	struct stat fst;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		found = snprintf(fdp, sizeof(fdp), "%s/%s", path,
				 de->d_name) < (int)sizeof(fdp) &&
			stat(fdp, &fst) == 0 && S_ISCHR(fst.st_mode) &&
			fst.st_rdev == st->st_rdev;
	}
	closedir(d);
	return found;
}

void
ev_sys_holder(const char *node, char *buf, size_t n)
{
	char self[32], path[PATH_MAX], comm[64];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(buf, n, "another program");
	if (stat(node, &st) < 0 || (d = opendir("/proc")) == NULL)
		return;
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    strcmp(de->d_name, self) == 0 || !pid_has(de->d_name, &st))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_line(path, comm, sizeof(comm)) < 0)
			snprintf(comm, sizeof(comm), "?");
		snprintf(buf, n, "%s (pid %s)", comm, de->d_name);
		break;
	}
	closedir(d);
}

/* Parse "VVVV:PPPP" (1-4 hex digits each); false if it is not that. */
static bool
parse_ids(const char *s, int *vendor, int *product)
{
	char *end;
	long v, p;

	if (strspn(s, "0123456789abcdefABCDEF") == 0)
		return false;
	v = strtol(s, &end, 16);
	if (*end != ':' || end - s > 4 || end[1] == '\0')
		return false;
	s = end + 1;
	if (strspn(s, "0123456789abcdefABCDEF") != strlen(s) || strlen(s) > 4)
		return false;
	p = strtol(s, &end, 16);
	*vendor = (int)v;
	*product = (int)p;
	return true;
}

static int
copy_field(char *dst, const char *src, struct err *e)
{
	if (strlen(src) >= EV_PATTERN_MAX || *src == '\0')
		return err_set(e, ERR_INVALID, "device match '%.40s' is empty "
			       "or too long", src);
	strcpy(dst, src);
	return 0;
}

int
ev_match_parse(struct ev_match *m, const char *spec, struct err *e)
{
	const char *eq = strchr(spec, '='), *rest = spec;

	memset(m, 0, sizeof(*m));
	m->vendor = m->product = -1;
	keymap_defaults(&m->keys);
	if (eq != NULL && strcspn(spec, "/:") > (size_t)(eq - spec)) {
		if (eq == spec || (size_t)(eq - spec) >= sizeof(m->label))
			return err_set(e, ERR_INVALID, "bad label in '%s'",
				       spec);
		memcpy(m->label, spec, (size_t)(eq - spec));
		rest = eq + 1;
	}
	if (strncmp(rest, "id:", 3) == 0 || parse_ids(rest, &m->vendor,
						       &m->product)) {
		if (strncmp(rest, "id:", 3) == 0 &&
		    !parse_ids(rest + 3, &m->vendor, &m->product))
			return err_set(e, ERR_INVALID, "'%s' is not "
				       "VENDOR:PRODUCT in hex", rest + 3);
		return 0;
	}
	if (strncmp(rest, "by-id:", 6) == 0)
		return copy_field(m->by_id, rest + 6, e);
	if (strncmp(rest, "name:", 5) == 0)
		return copy_field(m->name, rest + 5, e);
	if (rest[0] == '/') {
		if (strncmp(rest, "/dev/input/by-id/", 17) == 0)
			return copy_field(m->by_id, rest + 17, e);
		return copy_field(m->by_id, rest, e);
	}
	m->by_id_or_name = true;
	if (copy_field(m->by_id, rest, e) < 0)
		return ERR_INVALID;
	return copy_field(m->name, rest, e);
}

/* Number of an "eventN" name, or -1. */
static int
event_number(const char *base)
{
	char *end;
	long n;

	if (strncmp(base, "event", 5) != 0 || base[5] < '0' || base[5] > '9')
		return -1;
	n = strtol(base + 5, &end, 10);
	return *end == '\0' && n < 100000 ? (int)n : -1;
}

static int
cmp_info(const void *a, const void *b)
{
	const struct ev_devinfo *x = a, *y = b;
	const char *bx = strrchr(x->node, '/'), *by = strrchr(y->node, '/');

	return event_number(bx + 1) - event_number(by + 1);
}

static void
probe_access(struct ev_devinfo *info)
{
	int fd = open(info->node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	info->readable = fd >= 0;
	info->why[0] = '\0';
	if (fd >= 0)
		close(fd);
	else
		ev_sys_why(info->node, errno, info->why, sizeof(info->why));
}

int
ev_list(const char *dir, struct ev_devinfo *out, int max, struct err *e)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (dir == NULL)
		dir = "/dev/input";
	d = opendir(dir);
	if (d == NULL)
		return err_set(e, ERR_IO, "cannot read %s: %s", dir,
			       strerror(errno));
	while (n < max && (de = readdir(d)) != NULL) {
		if (event_number(de->d_name) < 0 ||
		    ev_sys_info(dir, de->d_name, &out[n]) < 0)
			continue;
		probe_access(&out[n]);
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof(*out), cmp_info);
	return n;
}
