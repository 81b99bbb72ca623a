/*
 * bench_mark: marking-code parse throughput on one core.
 *
 * A realistic mix of every layout (weights below), generated once; each
 * run parses the whole set several times. Prints min/median/max codes per
 * second beside two baselines: the same loop only copying each code into a
 * struct mark (the floor: touching the bytes), and the goal of the
 * foundation issue (7 M/s; GS1's own syntax engine does about 2.3 M/s).
 * Figures are printed, never judged: these machines are noisy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanners/mark.h"
#include "tests/gen_codes.h"

#define NCODES 100000
#define PASSES 10		/* over the whole set, per run */
#define RUNS 9

/* How often each layout turns up at a typical station, in percent. */
static const struct {
	enum gen_layout layout;
	int percent;
} mix[] = {
	{ GEN_91_92, 30 }, { GEN_93, 25 }, { GEN_91_92_88, 10 },
	{ GEN_240_91_92, 5 }, { GEN_KI, 5 }, { GEN_93_WEIGHT, 5 },
	{ GEN_93_VOLUME, 5 }, { GEN_TOBACCO_BLOCK, 5 }, { GEN_CIGARETTE, 5 },
	{ GEN_SSCC, 5 },
};

struct code {
	char *s;
	size_t len;
};

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

static volatile unsigned sink;

/* Codes per second of one run; parse == 0 runs the copy-only floor. */
static double
one_run(const struct code *codes, int parse)
{
	static struct mark m;
	unsigned acc = 0;
	double t0 = now_s();
	int p;
	size_t i;

	for (p = 0; p < PASSES; p++) {
		for (i = 0; i < NCODES; i++) {
			if (parse) {
				acc += (unsigned)mark_parse(codes[i].s,
							    codes[i].len, &m);
				acc += (unsigned)m.layout;
			} else {
				memcpy(m.cis, codes[i].s,
				       codes[i].len < sizeof(m.cis) ?
				       codes[i].len : sizeof(m.cis));
				acc += (unsigned)m.cis[3];
			}
		}
	}
	sink += acc;
	return (double)NCODES * PASSES / (now_s() - t0);
}

static void
measure(const char *name, const struct code *codes, int parse,
	double *median_out)
{
	double r[RUNS];
	int i;

	for (i = 0; i < RUNS; i++)
		r[i] = one_run(codes, parse);
	qsort(r, RUNS, sizeof(r[0]), cmp_double);
	printf("  %-34s min %6.2f  median %6.2f  max %6.2f  M codes/s\n",
	       name, r[0] / 1e6, r[RUNS / 2] / 1e6, r[RUNS - 1] / 1e6);
	*median_out = r[RUNS / 2];
}

int
main(void)
{
	struct gen_rng rng = { 20261125 };
	struct code *codes = calloc(NCODES, sizeof(*codes));
	struct code *broken = calloc(NCODES, sizeof(*broken));
	struct gen_code c;
	double parse, floor, refuse;
	size_t i, bytes = 0;
	int k, bad = 0;

	if (codes == NULL || broken == NULL)
		return 1;
	for (i = 0; i < NCODES; i++) {
		int pick = (int)gen_below(&rng, 100), acc = 0;
		char *gs;

		for (k = 0; k < (int)(sizeof(mix) / sizeof(mix[0])); k++) {
			acc += mix[k].percent;
			if (pick < acc)
				break;
		}
		gen_code(&rng, mix[k].layout, &c);
		codes[i].s = malloc(c.len);
		broken[i].s = malloc(c.len);
		if (codes[i].s == NULL || broken[i].s == NULL)
			return 1;
		memcpy(codes[i].s, c.s, c.len);
		codes[i].len = c.len;
		bytes += c.len;
		/* The same code as a scanner that drops GS sends it. */
		gs = memchr(c.s, GEN_GS, c.len);
		broken[i].len = c.len;
		memcpy(broken[i].s, c.s, c.len);
		if (gs != NULL) {
			size_t at = (size_t)(gs - c.s);

			memmove(broken[i].s + at, c.s + at + 1,
				c.len - at - 1);
			broken[i].len--;
		}
	}
	for (i = 0; i < NCODES; i++) {
		struct mark m;

		bad += mark_parse(codes[i].s, codes[i].len, &m) != 0;
	}
	printf("bench_mark: %d codes, mean %.1f bytes, %d refused (must be "
	       "0), %d runs of %d passes\n", NCODES,
	       (double)bytes / NCODES, bad, RUNS, PASSES);
	measure("parse (valid mix)", codes, 1, &parse);
	measure("parse (GS dropped: refusals)", broken, 1, &refuse);
	measure("baseline: copy bytes only", codes, 0, &floor);
	printf("  parse / copy-only floor:      %.2fx the floor's time\n",
	       floor / parse);
	printf("  parse / goal 7.0 M/s:         %.2f\n", parse / 7e6);
	printf("  parse / GS1 engine ~2.3 M/s:  %.2f (figure from the issue, "
	       "not measured here)\n", parse / 2.3e6);
	for (i = 0; i < NCODES; i++) {
		free(codes[i].s);
		free(broken[i].s);
	}
	free(codes);
	free(broken);
	return bad != 0;
}
