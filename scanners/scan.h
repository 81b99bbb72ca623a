/*
 * scan: one complete read of one scanner, as the device layer hands it on.
 *
 * Shared by the decoder (keymap), the SSH wedge (wedge), the device layer
 * (evdev) and the console. A scan is a plain value: fixed-size, no pointers,
 * safe to copy. It says which device typed it and when; what the bytes mean
 * is scanners/mark's business, not this header's.
 *
 * What it must not do: grow functions or depend on anything but libc.
 */
#ifndef SKLAD_SCAN_H
#define SKLAD_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define SCAN_MAX 640		/* bytes of one scan, longest codes are ~300 */
#define SCAN_DEVICE_MAX 128	/* device label, NUL-terminated */
#define SCAN_NODE_MAX 48	/* "/dev/input/event12" or "tty", with NUL */

/* scan.flags */
#define SCAN_BY_TIMEOUT 0x1	/* ended by the inter-key timeout, not a key */
#define SCAN_OVERFLOW 0x2	/* longer than the maximum: the rest was cut */
#define SCAN_DAMAGED 0x4	/* key events were lost while it was typed */

struct scan {
	char device[SCAN_DEVICE_MAX];	/* label of the device that typed it */
	char node[SCAN_NODE_MAX];	/* its event node at the time */
	int device_id;		/* stable id of the device while plugged */
	unsigned flags;		/* SCAN_* */
	int64_t first_ms;	/* time of the first key of the scan */
	int64_t last_ms;	/* time of the key that ended it */
	size_t len;		/* bytes used in bytes[] */
	char bytes[SCAN_MAX + 1];	/* GS is 0x1D; NUL after len */
};

#endif
