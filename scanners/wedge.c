/*
 * wedge: scans typed into a terminal, told apart from a person typing
 * (wedge.h). Holds the current burst of fast bytes and settles it as a
 * scan or as keystrokes when a terminator arrives or the gap runs out.
 *
 * What it must not do: allocate, read a clock, do I/O.
 */
#include <string.h>

#include "scanners/keymap.h"
#include "scanners/mark.h"
#include "scanners/wedge.h"

#define GS 0x1d

void
wedge_defaults(struct wedge_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_gap_ms = 50;
	cfg->min_len = 8;
	cfg->terminators = WEDGE_TERM_CR | WEDGE_TERM_LF;
	cfg->need_terminator = true;
	cfg->gs_char = -1;
}

static bool
is_term(const struct wedge_config *cfg, int c)
{
	return (c == '\r' && (cfg->terminators & WEDGE_TERM_CR)) ||
	       (c == '\n' && (cfg->terminators & WEDGE_TERM_LF)) ||
	       (c == '\t' && (cfg->terminators & WEDGE_TERM_TAB));
}

int
wedge_init(struct wedge *w, const struct wedge_config *cfg, struct err *e)
{
	if (cfg->max_gap_ms < 1 || cfg->max_gap_ms > 10000)
		return err_set(e, ERR_INVALID, "the gap between scanned "
			       "characters must be 1 to 10000 ms");
	if (cfg->min_len < 1 || cfg->min_len > SCAN_MAX)
		return err_set(e, ERR_INVALID, "the shortest scan must be 1 to "
			       "%d characters", SCAN_MAX);
	if (cfg->need_terminator && cfg->terminators == 0)
		return err_set(e, ERR_INVALID, "a terminator is needed but "
			       "none is configured");
	if (cfg->gs_char >= 0 && (cfg->gs_char == 0 || cfg->gs_char > 0xff ||
	    mark_is_cset82(cfg->gs_char) || is_term(cfg, cfg->gs_char)))
		return err_set(e, ERR_INVALID, "the GS substitute must be a "
			       "character that never occurs in a code (outside "
			       "GS1 CSET 82), not 0x%02x",
			       (unsigned)cfg->gs_char);
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	return 0;
}

/* Queue the held bytes (+ extra byte if >= 0) as kind; empty the burst. */
static void
emit(struct wedge *w, enum wedge_kind kind, int extra, unsigned flags,
     int64_t end_ms)
{
	struct wedge_item *it = &w->out[w->nout++];
	size_t i;

	it->kind = kind;
	memset(it->scan.device, 0, sizeof(it->scan.device));
	memset(it->scan.node, 0, sizeof(it->scan.node));
	it->scan.device_id = 0;
	memcpy(it->scan.bytes, w->buf, w->len);
	it->scan.len = w->len;
	if (extra >= 0)
		it->scan.bytes[it->scan.len++] = (char)extra;
	it->scan.bytes[it->scan.len] = '\0';
	if (kind == WEDGE_SCAN && w->cfg.gs_char >= 0)
		for (i = 0; i < it->scan.len; i++)
			if ((unsigned char)it->scan.bytes[i] == w->cfg.gs_char)
				it->scan.bytes[i] = GS;
	it->scan.flags = flags;
	it->scan.first_ms = w->len > 0 ? w->first_ms : end_ms;
	it->scan.last_ms = end_ms;
	w->len = 0;
}

/* The burst ended by its gap: a scan only if no terminator is needed. */
static void
settle_gap(struct wedge *w)
{
	if (!w->cfg.need_terminator && w->len >= w->cfg.min_len)
		emit(w, WEDGE_SCAN, -1, SCAN_BY_TIMEOUT, w->last_ms);
	else
		emit(w, WEDGE_KEYS, -1, 0, w->last_ms);
}

static void
start_call(struct wedge *w)
{
	w->nout = 0;
	w->taken = 0;
}

int
wedge_feed(struct wedge *w, unsigned char byte, int64_t now_ms)
{
	start_call(w);
	if (w->len > 0 && now_ms - w->last_ms > w->cfg.max_gap_ms)
		settle_gap(w);
	if (is_term(&w->cfg, byte)) {
		if (w->len >= w->cfg.min_len)
			emit(w, WEDGE_SCAN, -1, 0, now_ms);
		else
			emit(w, WEDGE_KEYS, byte, 0, now_ms);
		return w->nout;
	}
	if (w->len == SCAN_MAX)	/* too long for any code: typing */
		emit(w, WEDGE_KEYS, -1, 0, w->last_ms);
	if (w->len == 0)
		w->first_ms = now_ms;
	w->buf[w->len++] = (char)byte;
	w->last_ms = now_ms;
	return w->nout;
}

int64_t
wedge_deadline(const struct wedge *w)
{
	return w->len > 0 ? w->last_ms + w->cfg.max_gap_ms + 1 : -1;
}

int
wedge_tick(struct wedge *w, int64_t now_ms)
{
	start_call(w);
	if (w->len > 0 && now_ms - w->last_ms > w->cfg.max_gap_ms)
		settle_gap(w);
	return w->nout;
}

bool
wedge_take(struct wedge *w, struct wedge_item *out)
{
	if (w->taken >= w->nout)
		return false;
	*out = w->out[w->taken++];
	return true;
}
