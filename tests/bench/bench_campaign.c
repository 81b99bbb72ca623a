/*
 * bench_campaign: the long fault campaign (tests/api/campaign.h): 1001
 * documents that wait for each other (143 stories of seven), taken by
 * `sklad sync` through random faults of every family and killed runs,
 * beside the same documents taken fault-free in one run, both against
 * the strict emulator on loopback. Prints documents per second of each
 * and their ratio; fails only if a promise broke (a document lost, sent
 * twice, refused or left waiting, or a run exiting 0 with work left),
 * never on time.
 */
#include "tests/api/campaign.h"

#define STORIES 143

static struct emu emu;

static double
one(unsigned seed, int faults, int kills, int *runs, int *nfaults,
    int *docs)
{
	struct cmp c;
	int k;

	if (!emu_ok(&emu, "{\"cmd\":\"reset\"}"))
		cmp_die("emulator", "reset");
	cmp_open(&c, &emu, seed);
	for (k = 0; k < STORIES; k++)
		cmp_story(&c, k);
	if (faults)
		cmp_run(&c, 200, faults, kills, 60);
	else
		cmp_run(&c, 5, 0, 0, 600);
	if (cmp_check(&c) != 0) {
		fprintf(stderr, "bench_campaign: %s\n", c.why);
		exit(1);
	}
	*runs = c.runs;
	*nfaults = c.faults;
	*docs = c.docs;
	cmp_close(&c);
	return (double)c.docs * 1000.0 / (double)(c.ms > 0 ? c.ms : 1);
}

int
main(void)
{
	static const char *const args[] = { "--process-delay", "0.2", NULL };
	int runs0, runs1, f0, f1, docs;
	double clean, faulty;

	if (emu_start(&emu, args) != 0)
		cmp_die("emulator", "does not start");
	clean = one(1, 0, 0, &runs0, &f0, &docs);
	faulty = one(20261202, 8, 1, &runs1, &f1, &docs);
	emu_stop(&emu);
	printf("sync campaign: %d documents with dependencies, none lost, "
	       "none twice\n", docs);
	printf("  fault-free (baseline): %6.1f documents/s in %d run(s)\n",
	       clean, runs0);
	printf("  under faults:          %6.1f documents/s in %d runs, %d "
	       "faults (%.2fx of the baseline)\n", faulty, runs1, f1,
	       faulty / clean);
	return 0;
}
