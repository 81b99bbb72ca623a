/*
 * evdev_sys: what the device layer learns about input devices without
 * opening them: names and ids from sysfs, /dev/input/by-id links, which
 * configured scanner a device is, why a node cannot be opened, and who
 * else holds it. Internal to scanners/evdev*.c; the public face is
 * scanners/evdev.h (ev_list, ev_match_parse live in evdev_sys.c too).
 *
 * What it must not do: open devices for reading, include libevdev, or
 * keep state.
 */
#ifndef SKLAD_EVDEV_SYS_H
#define SKLAD_EVDEV_SYS_H

#include <stdbool.h>
#include <stddef.h>

#include "scanners/evdev.h"

/*
 * Fill info for dir/base ("event3"): node, name, vendor, product, the
 * first by-id link, whether it looks like a keyboard. readable and why are
 * left alone. Returns 0, or -1 if sysfs knows no such device.
 */
int ev_sys_info(const char *dir, const char *base, struct ev_devinfo *info);

/* Whether the device described by info (node under dir) is m. */
bool ev_sys_matches(const struct ev_match *m, const char *dir,
		    const struct ev_devinfo *info);

/*
 * One sentence on why node could not be opened (errno err) and how to fix
 * it: for EACCES, the node's group and mode and that the user must join
 * that group.
 */
void ev_sys_why(const char *node, int err, char *buf, size_t n);

/*
 * "NAME (pid N)" of another process that has node open (the likely holder
 * of a grab), or "another program" if none can be found.
 */
void ev_sys_holder(const char *node, char *buf, size_t n);

#endif
