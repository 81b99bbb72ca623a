/*
 * fuzz_keymap: libFuzzer target for the scanner decoder.
 *
 * The first bytes pick a configuration (GS key and character, terminators,
 * timeout, maximum length, prefix, suffix); the rest are events, four
 * bytes each: type selector, key code, value, time step. The decoder must
 * not crash, overrun or hang, and what it returns must hold together:
 * lengths within the maximum, terminated bytes, times in order, no
 * deadline in the past after a tick.
 */
#include <assert.h>
#include <linux/input-event-codes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scanners/keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct keymap *km, int rc, const struct scan *s)
{
	if (rc == KEYMAP_NONE)
		return;
	assert(rc == KEYMAP_SCAN || rc == KEYMAP_FRAGMENT);
	assert(s->len <= km->cfg.max_len);
	assert(s->bytes[s->len] == '\0');
	assert(s->last_ms >= s->first_ms);
	assert(rc == KEYMAP_FRAGMENT || !(s->flags & SCAN_DAMAGED));
}

static void
configure(struct keymap_config *cfg, const uint8_t *d)
{
	keymap_defaults(cfg);
	cfg->gs_key = d[0] & 1 ? KEY_F8 : 0;
	cfg->gs_char = d[0] & 2 ? '~' : -1;
	cfg->terminators = d[1] & 0xf;
	cfg->timeout_ms = d[2];
	if (cfg->timeout_ms == 0)
		cfg->terminators &= ~(unsigned)KEYMAP_TERM_TIMEOUT;
	cfg->max_len = 1 + d[3] % SCAN_MAX;
	if (d[0] & 4)
		strcpy(cfg->prefix, "]d2");
	if (d[0] & 8)
		strcpy(cfg->suffix, "\x1d");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = { EV_KEY, EV_KEY, EV_KEY, EV_SYN,
		EV_LED, EV_MSC, EV_KEY, EV_KEY };
	struct keymap_config cfg;
	struct keymap km;
	struct scan s;
	int64_t t = 0, dl;
	size_t i;
	int rc;

	if (size < 4)
		return 0;
	configure(&cfg, data);
	if (keymap_init(&km, &cfg, NULL) < 0)
		return 0;
	for (i = 4; i + 4 <= size; i += 4) {
		t += data[i + 3] & 0x3f;
		if ((data[i] & 0xf0) == 0xf0)
			keymap_damage(&km, t);
		if (data[i + 3] & 0x80) {
			check(&km, keymap_tick(&km, t, &s), &s);
			dl = keymap_deadline(&km);
			assert(dl < 0 || dl > t);
			continue;
		}
		rc = keymap_feed(&km, types[data[i] & 7],
				 data[i] & 8 ? (uint16_t)(data[i + 1] | 0x100) :
				 data[i + 1], data[i + 2] % 3, t, &s);
		check(&km, rc, &s);
		assert(km.len <= km.cfg.max_len);
	}
	keymap_discard(&km);
	assert(!keymap_pending(&km));
	return 0;
}
