/*
 * fuzz_wedge: libFuzzer target for the SSH wedge.
 *
 * Input is pairs (byte, time step); an odd step also turns joining of
 * stalled scans on or off, as the console does when the focus moves
 * between a field and a screen of commands. Besides not crashing, the
 * wedge must
 * lose and invent nothing: every byte fed comes back, as keystrokes or in
 * a scan, except the terminator that ended a scan; after a final tick
 * nothing is held.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scanners/wedge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
collect(struct wedge *w)
{
	struct wedge_item it;
	size_t n = 0;

	while (wedge_take(w, &it)) {
		assert(it.scan.len <= SCAN_MAX);
		assert(it.scan.bytes[it.scan.len] == '\0');
		assert(it.scan.last_ms >= it.scan.first_ms);
		n += it.scan.len;
		/* a scan ended by a terminator swallowed it */
		if (it.kind == WEDGE_SCAN && !(it.scan.flags & SCAN_BY_TIMEOUT))
			n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wedge_config cfg;
	struct wedge w;
	size_t i, in = 0, out = 0;
	int64_t t = 0;

	if (size < 2)
		return 0;
	wedge_defaults(&cfg);
	cfg.max_gap_ms = 1 + data[0] % 100;
	cfg.min_len = 1 + data[1] % 40;
	cfg.need_terminator = data[1] & 0x80;
	cfg.terminators = (data[0] >> 5) & 7;
	cfg.join_ms = (data[1] & 0x40) ? 0 : 1 + (data[0] & 0x1f) * 100;
	if (cfg.terminators == 0)
		cfg.terminators = WEDGE_TERM_CR;
	if (wedge_init(&w, &cfg, NULL) < 0)
		return 0;
	for (i = 2; i + 2 <= size; i += 2) {
		t += data[i + 1];
		if (data[i + 1] & 1)
			wedge_join(&w, data[i + 1] & 2);
		assert(wedge_feed(&w, data[i], t) <= 2);
		in++;
		out += collect(&w);
	}
	wedge_tick(&w, t + 100000);
	out += collect(&w);
	assert(wedge_deadline(&w) == -1);
	assert(in == out);
	return 0;
}
