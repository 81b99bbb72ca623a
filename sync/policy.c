/*
 * policy: retry, back-off, throttle, status and exactly-once rules (see
 * policy.h).
 *
 * Must not: do I/O, read clocks or keep hidden state.
 */
#include <string.h>

#include "sync/policy.h"

/* ref §9.2: without Retry-After wait at least 30 s. */
#define DEFAULT_RETRY_AFTER_MS 30000
#define BACKOFF_CAP_MS 60000

int64_t
sy_policy_backoff_ms(int attempt, unsigned jitter_ms)
{
	int64_t d = 1000;

	if (attempt < 0)
		attempt = 0;
	while (attempt-- > 0 && d < BACKOFF_CAP_MS)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d + (jitter_ms % 1000);
}

/* Turn a wanted wait into RETRY or, beyond the limits, UNAVAILABLE. */
static void
retry(const struct sy_policy_in *in, int64_t delay,
      struct sy_policy_out *out)
{
	int max = in->max_attempts > 0 ? in->max_attempts : 5;
	int64_t maxw = in->max_wait_ms > 0 ? in->max_wait_ms : 120000;

	out->delay_ms = delay;
	if (in->attempt + 1 >= max || delay > maxw)
		out->act = SY_ACT_UNAVAILABLE;
	else
		out->act = SY_ACT_RETRY;
}

void
sy_policy_decide(const struct sy_policy_in *in, struct sy_policy_out *out)
{
	int64_t ra = in->retry_after_s > 0 ? in->retry_after_s * 1000 : -1;

	out->act = SY_ACT_FAIL;
	out->delay_ms = 0;
	if (in->net) {
		if (in->op == SY_OP_CREATE && in->request_sent)
			out->act = SY_ACT_RECONCILE;
		else
			retry(in, sy_policy_backoff_ms(in->attempt,
						       in->jitter_ms), out);
		return;
	}
	if (in->status >= 200 && in->status < 300) {
		out->act = SY_ACT_DONE;
		return;
	}
	if (in->status == 401) {
		out->act = in->op != SY_OP_AUTH && !in->reauthed ?
			SY_ACT_REAUTH : SY_ACT_FAIL;
		return;
	}
	if (in->status == 429) {
		retry(in, ra >= 0 ? ra : DEFAULT_RETRY_AFTER_MS, out);
		return;
	}
	if (in->status >= 500 && in->status < 600) {
		if (in->op == SY_OP_CREATE)
			out->act = SY_ACT_RECONCILE;
		else
			retry(in, ra >= 0 ? ra :
			      sy_policy_backoff_ms(in->attempt, in->jitter_ms),
			      out);
		return;
	}
	/* 1xx/3xx have no place here (no redirects are followed), and any
	 * other 4xx says the request itself is wrong. */
	out->act = SY_ACT_FAIL;
}

int64_t
sy_policy_throttle(struct sy_policy_bucket *b, int64_t now_ms)
{
	int64_t full = (int64_t)SY_POLICY_BURST * 1000;

	if (!b->started) {
		b->started = 1;
		b->last_ms = now_ms;
		b->milli_tokens = full;
	}
	if (now_ms > b->last_ms) {
		b->milli_tokens += (now_ms - b->last_ms) * SY_POLICY_RATE;
		if (b->milli_tokens > full)
			b->milli_tokens = full;
		b->last_ms = now_ms;
	}
	if (b->milli_tokens >= 1000) {
		b->milli_tokens -= 1000;
		return 0;
	}
	/* ceil((1000 - tokens) / RATE) ms until one token is there */
	return (1000 - b->milli_tokens + SY_POLICY_RATE - 1) / SY_POLICY_RATE;
}

enum sy_policy_fate
sy_policy_fate(const char *status)
{
	static const struct {
		const char *name;
		enum sy_policy_fate fate;
	} map[] = {
		{ "IN_PROGRESS", SY_FATE_PENDING },
		{ "WAIT_FOR_CONTINUATION", SY_FATE_PENDING },
		{ "CHECKED_OK", SY_FATE_OK },
		{ "ACCEPTED", SY_FATE_OK },
		{ "WAIT_ACCEPTANCE", SY_FATE_WAITING },
		{ "WAIT_PARTICIPANT_REGISTRATION", SY_FATE_WAITING },
		{ "CHECKED_NOT_OK", SY_FATE_REJECTED },
		{ "PARSE_ERROR", SY_FATE_REJECTED },
		{ "PROCESSING_ERROR", SY_FATE_TECH_ERROR },
		{ "CANCELLED", SY_FATE_CANCELLED },
		{ "CANCELED", SY_FATE_CANCELLED },	/* ref §6.2 [U] */
	};
	size_t i;

	for (i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(status, map[i].name) == 0)
			return map[i].fate;
	return SY_FATE_PENDING;
}

int
sy_policy_fate_final(enum sy_policy_fate f)
{
	return f != SY_FATE_PENDING;
}

int64_t
sy_policy_poll_delay_ms(int attempt, int64_t initial_ms, int64_t max_ms)
{
	int64_t d = initial_ms > 0 ? initial_ms : 2000;

	if (max_ms < d)
		max_ms = d;
	while (attempt-- > 0 && d < max_ms)
		d *= 2;
	return d > max_ms ? max_ms : d;
}

enum sy_policy_lookup
sy_policy_after_lookup(int found, int64_t sent_ms, int64_t now_ms,
		       int64_t settle_ms, int asked)
{
	if (found == 1)
		return SY_LOOKUP_ADOPT;
	if (now_ms - sent_ms < settle_ms || asked < 1)
		return SY_LOOKUP_WAIT;
	return found == 2 ? SY_LOOKUP_PERSON : SY_LOOKUP_RESEND;
}
