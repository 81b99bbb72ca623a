/*
 * wedge: scans typed into a terminal, told apart from a person typing
 * (wedge.h). Holds the current burst of fast bytes and settles it as a
 * scan, one key, text, or a cut scan when a terminator arrives, the gap
 * runs out, or (joining) the wait for a stalled scan's rest runs out.
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
	cfg->join_ms = 3000;
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
	if (cfg->join_ms < 0 || cfg->join_ms > 10000)
		return err_set(e, ERR_INVALID, "the wait for the rest of a "
			       "stalled scan must be 0 to 10000 ms");
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
	w->prev_ms = INT64_MIN / 2;
	w->join = true;
	return 0;
}

void
wedge_join(struct wedge *w, bool on)
{
	w->join = on;
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
	w->joining = false;
}

/* One UTF-8 character: a lead byte and its continuation bytes. */
static bool
one_char(const char *b, size_t n)
{
	size_t i, leads = 0;

	for (i = 0; i < n; i++)
		leads += ((unsigned char)b[i] & 0xc0) != 0x80;
	return leads == 1;
}

/*
 * Settle the held burst as far as time now_ms allows: after the gap a
 * key on its own is a key; a burst is text, or (joining) waits for its
 * rest until join_ms after its last byte, then is cut.
 */
static void
settle(struct wedge *w, int64_t now_ms)
{
	int64_t quiet = now_ms - w->last_ms;

	if (w->len == 0 || quiet <= w->cfg.max_gap_ms)
		return;
	if (!w->joining) {
		if (!w->cfg.need_terminator && w->len >= w->cfg.min_len) {
			emit(w, WEDGE_SCAN, -1, SCAN_BY_TIMEOUT, w->last_ms);
			return;
		}
		if (w->isolated && one_char(w->buf, w->len)) {
			emit(w, WEDGE_KEY, -1, 0, w->last_ms);
			return;
		}
		if (!w->join || w->cfg.join_ms == 0) {
			emit(w, WEDGE_TEXT, -1, 0, w->last_ms);
			return;
		}
		w->joining = true;
	}
	if (quiet > w->cfg.join_ms)
		emit(w, WEDGE_CUT, -1, 0, w->last_ms);
}

static void
start_call(struct wedge *w)
{
	w->nout = 0;
	w->taken = 0;
}

/* A terminator ends the burst: a scan if long enough. */
static void
terminate(struct wedge *w, unsigned char byte, int64_t now_ms)
{
	if (w->len >= w->cfg.min_len)
		emit(w, WEDGE_SCAN, -1, w->joining ? SCAN_JOINED : 0, now_ms);
	else if (w->joining)
		emit(w, WEDGE_CUT, byte, 0, now_ms);
	else if (w->len == 0 && now_ms - w->prev_ms > w->cfg.max_gap_ms)
		emit(w, WEDGE_KEY, byte, 0, now_ms);	/* Enter on its own */
	else
		emit(w, WEDGE_TEXT, byte, 0, now_ms);
	w->prev_ms = now_ms;
}

int
wedge_feed(struct wedge *w, unsigned char byte, int64_t now_ms)
{
	start_call(w);
	settle(w, now_ms);
	if (is_term(&w->cfg, byte)) {
		terminate(w, byte, now_ms);
		return w->nout;
	}
	if (w->len == SCAN_MAX)	/* too long for any code */
		emit(w, w->joining ? WEDGE_CUT : WEDGE_TEXT, -1, 0,
		     w->last_ms);
	if (w->len == 0) {
		w->first_ms = now_ms;
		w->isolated = now_ms - w->prev_ms > w->cfg.max_gap_ms;
	}
	w->buf[w->len++] = (char)byte;
	w->last_ms = w->prev_ms = now_ms;
	return w->nout;
}

int64_t
wedge_deadline(const struct wedge *w)
{
	if (w->len == 0)
		return -1;
	return w->last_ms + (w->joining ? w->cfg.join_ms :
			     w->cfg.max_gap_ms) + 1;
}

int
wedge_tick(struct wedge *w, int64_t now_ms)
{
	start_call(w);
	settle(w, now_ms);
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
