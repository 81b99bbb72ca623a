/*
 * test_sy_campaign: the short fault campaign (tests/api/campaign.h): 42
 * documents that wait for each other, `sklad sync` run again and again
 * against the strict emulator with random faults of every family and
 * runs killed at random moments, two seeds. Every document accepted
 * exactly once, none lost or left waiting, no run exiting 0 with work
 * left. The long campaign with its documents per second is make bench's
 * (bench_campaign).
 */
#include "tests/api/campaign.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static struct emu emu;

static int
group_setup(void **state)
{
	static const char *const args[] = { "--process-delay", "0.2", NULL };

	(void)state;
	return emu_start(&emu, args);
}

static int
group_teardown(void **state)
{
	(void)state;
	emu_stop(&emu);
	return 0;
}

static void
campaign(unsigned seed)
{
	struct cmp c;
	int k;

	assert_true(emu_ok(&emu, "{\"cmd\":\"reset\"}"));
	cmp_open(&c, &emu, seed);
	for (k = 0; k < 6; k++)
		cmp_story(&c, k);
	cmp_run(&c, 40, 6, 1, 10);
	printf("campaign seed %u: %d documents, %d runs (%d killed), %d "
	       "faults, %.1f s\n", seed, c.docs, c.runs, c.killed, c.faults,
	       (double)c.ms / 1000);
	if (cmp_check(&c) != 0) {
		char why[sizeof(c.why)];

		snprintf(why, sizeof(why), "%s", c.why);
		if (getenv("CMP_KEEP") == NULL)
			cmp_close(&c);
		else
			fprintf(stderr, "kept %s\n", c.dir);
		fail_msg("seed %u: %s", seed, why);
	}
	assert_true(c.faults > 0);
	cmp_close(&c);
}

static void
test_campaign_seed_1(void **state)
{
	(void)state;
	campaign(1);
}

static void
test_campaign_seed_3(void **state)
{
	(void)state;
	campaign(77);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_campaign_seed_1),
		cmocka_unit_test(test_campaign_seed_3),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
