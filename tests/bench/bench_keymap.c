/*
 * bench_keymap: scanner decoder throughput, in key events per second.
 *
 * Every code of every layout (tests/vm/codes.h), typed with every GS form,
 * expanded once into the key events a scanner sends (tests/vm/typing.h).
 * Each run feeds them all through keymap_feed several times. Printed
 * beside a baseline measured in the same run: the same loop only copying
 * each event into a struct input_event-sized record (the floor: touching
 * the events), and as a ratio. For scale: a scanner at 1 ms per key sends
 * about 4 000 events/s. Figures, never pass/fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanners/keymap.h"
#include "tests/vm/codes.h"
#include "tests/vm/typing.h"

#define MAXEV 200000
#define PASSES 50
#define RUNS 9

static struct typing_ev events[MAXEV];
static int nevents;
static volatile unsigned sink;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Events per second of one run; decode == 0 runs the copy-only floor. */
static double
one_run(int decode)
{
	static struct keymap km;
	struct keymap_config cfg;
	struct typing_ev copy;
	struct scan s;
	unsigned acc = 0;
	int64_t t = 0;
	double t0;
	int p, i;

	keymap_defaults(&cfg);
	cfg.gs_key = KEY_F8;
	cfg.gs_char = '~';
	keymap_init(&km, &cfg, NULL);
	t0 = now_s();
	for (p = 0; p < PASSES; p++) {
		for (i = 0; i < nevents; i++) {
			const struct typing_ev *e = &events[i];

			t++;
			if (decode) {
				acc += (unsigned)keymap_feed(&km, e->type,
					e->code, e->value, t, &s);
			} else {
				memcpy(&copy, e, sizeof(copy));
				acc += copy.code + (unsigned)t;
			}
		}
	}
	sink += acc;
	return (double)nevents * PASSES / (now_s() - t0);
}

static double
measure(const char *name, int decode)
{
	double r[RUNS];
	int i;

	for (i = 0; i < RUNS; i++)
		r[i] = one_run(decode);
	qsort(r, RUNS, sizeof(r[0]), cmp_double);
	printf("  %-34s min %7.1f  median %7.1f  max %7.1f  M events/s\n",
	       name, r[0] / 1e6, r[RUNS / 2] / 1e6, r[RUNS - 1] / 1e6);
	return r[RUNS / 2];
}

int
main(void)
{
	static struct typing_ev tmp[16384];
	double dec, floor;
	size_t c;
	int g, n, i, scans = 0;

	for (g = 0; g < 4; g++) {
		for (c = 0; c < CODES_N; c++) {
			n = typing_expand(codes_all[c].code,
					  strlen(codes_all[c].code),
					  (enum typing_gs)g, tmp, 16384);
			for (i = 0; i < n && nevents < MAXEV; i++)
				if (tmp[i].type != TYPING_PAUSE)
					events[nevents++] = tmp[i];
			scans++;
		}
	}
	printf("bench_keymap: %d codes, %d key events (with SYN), "
	       "%d passes per run, %d runs\n", scans, nevents, PASSES, RUNS);
	dec = measure("decoder (keymap_feed)", 1);
	floor = measure("baseline: copy each event", 0);
	printf("  decoder / baseline: %.2f (%.1f ns per event)\n", dec / floor,
	       1e9 / dec);
	return 0;
}
