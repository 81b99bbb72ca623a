/*
 * test_evdev: the device layer's parts that need no input device: parsing
 * --device matches, listing an empty or missing folder, and a context on
 * a folder without scanners (its poll set, timeout and queue). Devices
 * themselves are tested against a real kernel in tests/vm/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scanners/evdev.h"

static void
test_match_ids(void **state)
{
	struct ev_match m;
	struct err e;

	(void)state;
	assert_int_equal(ev_match_parse(&m, "0c2e:0B61", &e), 0);
	assert_int_equal(m.vendor, 0x0c2e);
	assert_int_equal(m.product, 0x0b61);
	assert_string_equal(m.label, "");
	assert_string_equal(m.by_id, "");
	assert_int_equal(m.keys.gs_char, -1);	/* keys are the defaults */
	assert_int_equal(ev_match_parse(&m, "left=1d1d:1", &e), 0);
	assert_string_equal(m.label, "left");
	assert_int_equal(m.product, 1);
	assert_int_equal(ev_match_parse(&m, "id:12:34", &e), 0);
	assert_int_equal(m.vendor, 0x12);
	assert_int_equal(ev_match_parse(&m, "id:xyz", &e), ERR_INVALID);
	assert_int_equal(ev_match_parse(&m, "12345:1", &e), 0);
	assert_int_equal(m.vendor, -1);	/* not ids: a name */
	assert_true(m.by_id_or_name);
}

static void
test_match_names(void **state)
{
	struct ev_match m;
	struct err e;

	(void)state;
	assert_int_equal(ev_match_parse(&m,
		"/dev/input/by-id/usb-Honeywell-event-kbd", &e), 0);
	assert_string_equal(m.by_id, "usb-Honeywell-event-kbd");
	assert_false(m.by_id_or_name);
	assert_int_equal(ev_match_parse(&m, "/dev/input/event3", &e), 0);
	assert_string_equal(m.by_id, "/dev/input/event3");
	assert_int_equal(ev_match_parse(&m, "gun=name:Datalogic*", &e), 0);
	assert_string_equal(m.label, "gun");
	assert_string_equal(m.name, "Datalogic*");
	assert_string_equal(m.by_id, "");
	assert_int_equal(ev_match_parse(&m, "by-id:usb-X", &e), 0);
	assert_string_equal(m.by_id, "usb-X");
	assert_string_equal(m.name, "");
	assert_int_equal(ev_match_parse(&m, "Honeywell*", &e), 0);
	assert_true(m.by_id_or_name);
	assert_string_equal(m.name, "Honeywell*");
	assert_string_equal(m.by_id, "Honeywell*");
	assert_int_equal(ev_match_parse(&m, "name:", &e), ERR_INVALID);
	assert_int_equal(ev_match_parse(&m, "=x", &e), ERR_INVALID);
}

static void
test_list_folders(void **state)
{
	struct ev_devinfo d[4];
	char dir[] = "/tmp/sklad-ev-XXXXXX";
	char path[64];
	struct err e;
	FILE *f;

	(void)state;
	assert_int_equal(ev_list("/nonexistent/input", d, 4, &e), ERR_IO);
	assert_non_null(strstr(e.msg, "/nonexistent/input"));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ev_list(dir, d, 4, &e), 0);
	/* a file named like a node but unknown to sysfs is no device */
	snprintf(path, sizeof(path), "%s/event999", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ev_list(dir, d, 4, &e), 0);
	unlink(path);
	rmdir(dir);
}

static void
test_context_without_devices(void **state)
{
	struct ev_config cfg;
	struct ev_ctx *ctx = NULL;
	struct ev_event ev;
	struct pollfd pfds[EV_POLLFDS_MAX];
	char dir[] = "/tmp/sklad-ev-XXXXXX";
	struct err e;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	keymap_defaults(&cfg.keys);
	cfg.grab = true;
	cfg.dir = "/nonexistent/input";
	assert_int_equal(ev_open(&ctx, &cfg, &e), ERR_IO);
	assert_null(ctx);
	assert_non_null(mkdtemp(dir));
	cfg.dir = dir;
	cfg.keys.gs_char = 'A';
	assert_int_equal(ev_open(&ctx, &cfg, &e), ERR_INVALID);
	assert_null(ctx);
	keymap_defaults(&cfg.keys);
	assert_int_equal(ev_open(&ctx, &cfg, &e), 0);
	assert_int_equal(ev_pollfds(ctx, pfds, EV_POLLFDS_MAX), 1);
	assert_true(pfds[0].fd >= 0);
	assert_int_equal(ev_pollfds(ctx, pfds, 0), 0);
	assert_int_equal(ev_timeout(ctx, ev_now_ms()), -1);
	assert_false(ev_next(ctx, &ev));
	ev_dispatch(ctx, pfds, 0, ev_now_ms());
	assert_false(ev_next(ctx, &ev));
	ev_close(&ctx);
	assert_null(ctx);
	ev_close(&ctx);		/* NULL is fine */
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_ids),
		cmocka_unit_test(test_match_names),
		cmocka_unit_test(test_list_folders),
		cmocka_unit_test(test_context_without_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
