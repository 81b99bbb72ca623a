/*
 * ui_sync: the outbox runner in the console's loop (ui_sync.h).
 *
 * What it must not do: run when `sklad sync` holds the database's sync
 * lock, or put anything secret on the screen.
 */
#include <stdio.h>
#include <stdlib.h>

#include "console/ui_sync.h"
#include "sync/batch.h"
#include "sync/config.h"
#include "sync/log.h"
#include "sync/runner.h"
#include "sync/sign.h"

struct ui_sync {
	int lock;
	struct sy_config cfg;
	struct st_site site;
	struct sy_sign *sign;
	struct sy_api *api;
	struct sy_runner *runner;
	struct ui *ui;
};

/* Progress lines go to the status line (they carry no secrets). */
static void
sync_log(void *ctx, const char *line)
{
	struct ui_sync *s = ctx;
	const char *text;

	sy_log_split(line, &text);	/* the screen shows no priority */
	snprintf(s->ui->sync_status, sizeof(s->ui->sync_status), "%s", text);
	s->ui->dirty = true;
}

/* The lock `sklad sync` takes; ERR_BUSY (ui told) if another runner
 * has it. */
static int
take_lock(const char *db_path, struct ui *ui, struct err *e)
{
	int fd = sy_batch_lock(db_path, e);

	if (fd == ERR_BUSY)
		snprintf(ui->sync_status, sizeof(ui->sync_status), "%s",
			 _("Another sklad sync sends the documents of this "
			   "database."));
	return fd;
}

static int
start(struct ui_sync *s, struct err *e)
{
	struct sy_runner_config rc = { 0 };
	const struct sy_config *c = &s->cfg;
	const char *pg = c->product_group[0] ? c->product_group :
		s->site.product_group;
	int r;

	if ((r = sy_config_client(c, s->site.inn, s->site.product_group,
				    sync_log, s, &s->sign, &s->api, e)) < 0)
		return r;
	rc.db = s->ui->db;
	rc.api = s->api;
	rc.pg = pg;
	rc.poll_initial_ms = c->poll_initial_ms;
	rc.poll_max_ms = c->poll_max_ms;
	rc.settle_ms = c->settle_ms;
	rc.log = sync_log;
	rc.log_ctx = s;
	return sy_runner_new(&s->runner, &rc, e);
}

int
ui_sync_open(struct ui_sync **out, const char *config_path,
	     const char *db_path, struct st_db *db, struct ui *ui,
	     struct err *e)
{
	struct ui_sync *s;
	int rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	s->ui = ui;
	s->lock = -1;
	if ((rc = sy_config_load(config_path, &s->cfg, e)) < 0 ||
	    (rc = st_site_get(db, &s->site, e)) < 0)
		goto fail;
	if ((s->lock = take_lock(db_path, ui, e)) < 0) {
		rc = s->lock == ERR_BUSY ? 0 : s->lock;
		s->lock = -1;
		goto fail;
	}
	if ((rc = start(s, e)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ui_sync_close(&s);
	return rc;
}

void
ui_sync_close(struct ui_sync **pp)
{
	struct ui_sync *s = *pp;

	if (s == NULL)
		return;
	sy_runner_free(&s->runner);
	sy_api_free(&s->api);
	sy_sign_free(&s->sign);
	sy_batch_unlock(s->lock);
	free(s);
	*pp = NULL;
}

int
ui_sync_pollfds(struct ui_sync *s, struct pollfd *pfds, int max)
{
	return s != NULL ? sy_runner_pollfds(s->runner, pfds, max) : 0;
}

int
ui_sync_timeout(struct ui_sync *s, int64_t now_ms)
{
	return s != NULL ? sy_runner_timeout(s->runner, now_ms) : -1;
}

void
ui_sync_dispatch(struct ui_sync *s, const struct pollfd *pfds, int n,
		 int64_t now_ms)
{
	if (s != NULL)
		sy_runner_dispatch(s->runner, pfds, n, now_ms);
}
