/*
 * ui_sync: the outbox runner (sync/runner.h) inside the console's loop,
 * so documents leave while operators scan.
 *
 * Started only with --sync-config, and only if no other sync runs on the
 * same database: it takes the lock `sklad sync` takes (PATH.sync.lock);
 * if that is held, the console leaves sending to the holder and says so.
 * A pull-model module for the loop: ui_sync_pollfds / ui_sync_timeout /
 * ui_sync_dispatch. Its progress lines become the outbox screen's status.
 *
 * What it must not do: block the loop (the runner's rare blocking lookup
 * is its own documented exception), or show tokens, keys or bodies.
 */
#ifndef SKLAD_UI_SYNC_H
#define SKLAD_UI_SYNC_H

#include <poll.h>
#include <stdint.h>

#include "console/ui.h"

struct ui_sync;

/*
 * Read the sync configuration at config_path and start the runner on db
 * (borrowed, opened from db_path). Returns 0 with *out set, 0 with *out
 * NULL when another sync holds the lock (ui told), or a negative ERR_*
 * with e set (a bad configuration, a signer that cannot start).
 */
int ui_sync_open(struct ui_sync **out, const char *config_path,
		 const char *db_path, struct st_db *db, struct ui *ui,
		 struct err *e);

/* Stop the runner (a submit in flight is looked up before any resend),
 * release the lock, free *s; NULL-safe. */
void ui_sync_close(struct ui_sync **s);

/* The runner's pollfds; how many (<= max). */
int ui_sync_pollfds(struct ui_sync *s, struct pollfd *pfds, int max);

/* ms until the runner must be dispatched, -1 for none. */
int ui_sync_timeout(struct ui_sync *s, int64_t now_ms);

/* Let the runner act on what poll reported and on its due documents. */
void ui_sync_dispatch(struct ui_sync *s, const struct pollfd *pfds, int n,
		      int64_t now_ms);

#endif
