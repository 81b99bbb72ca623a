/*
 * ui_job: a long job driven from the loop, a step at a time: importing
 * a big delivery typed at the ':' prompt ("delivery import FILE"). The
 * file is read and checked at once (st_import_begin); then each loop pass
 * that finds the job due writes one batch (st_import_step, its own short
 * transaction) and sets the next step a little later, so scans and keys
 * keep being handled between batches while row 1 of the screen shows
 * "Importing: 120 000 / 300 000". The file is read as it is parsed
 * (st_import_begin_path: a regular file, within SKLAD_IMPORT_MAX_MB).
 *
 * What it must not do: write more than one batch per pass, sleep, or
 * draw outside ui_redraw (ui_job_draw is called from there).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/ui.h"

#define JOB_ROWS 5000		/* rows per step, unless SKLAD_IMPORT_ROWS */
#define JOB_GAP_MS 20		/* between steps: room for scans and keys */

/* "300000" -> "300 000". */
static void
grouped(int v, char *out, size_t n)
{
	char digits[16];
	size_t len, i, o = 0;

	snprintf(digits, sizeof(digits), "%d", v);
	len = strlen(digits);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ' ';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

bool
ui_job_prompt(struct ui *ui, const char *line)
{
	char path[UI_TEXT_MAX];
	struct err e;
	int rc;

	if (sscanf(line, " delivery import %255s", path) != 1)
		return false;
	if (ui->job != NULL) {
		ui_error(ui, _("An import is running: wait for it to end."));
		return true;
	}
	rc = st_import_begin_path(ui->db, &ui->wf.who, path,
				  wf_import_max_bytes(), &ui->job, &e);
	if (rc < 0) {
		ui_error(ui, e.msg);
		return true;
	}
	ui->job_next_ms = 0;
	ui->dirty = true;
	return true;
}

/*
 * Rows per step: SKLAD_IMPORT_ROWS (1..100000) when set, for a slow disk
 * where 5000 rows hold scans up too long, and for tests that need the
 * import to outlast their scans; JOB_ROWS otherwise.
 */
static int
job_rows(void)
{
	const char *s = getenv("SKLAD_IMPORT_ROWS");
	long v = s != NULL ? strtol(s, NULL, 10) : 0;

	return v >= 1 && v <= 100000 ? (int)v : JOB_ROWS;
}

int
ui_job_timeout(const struct ui *ui, int64_t now_ms)
{
	if (ui->job == NULL)
		return -1;
	return ui->job_next_ms > now_ms ? (int)(ui->job_next_ms - now_ms) : 0;
}

void
ui_job_step(struct ui *ui, int64_t now_ms)
{
	struct st_delivery d;
	struct err e, e2;
	int rc;

	if (ui->job == NULL || now_ms < ui->job_next_ms)
		return;
	ui->dirty = true;
	ui->job_next_ms = now_ms + JOB_GAP_MS;
	if ((rc = st_import_step(ui->job, job_rows(), &e)) > 0)
		return;
	if (rc == 0 && (rc = st_import_finish(ui->job, &d, &e)) == 0) {
		ui->job = NULL;
		ui_ok(ui, ngettext("Delivery %lld imported (%s): %d code "
			    "expected. Accept it as delivery %lld.", "Delivery "
			    "%lld imported (%s): %d codes expected. Accept it "
			    "as delivery %lld.", d.expected), (long long)d.id,
		      d.number, d.expected, (long long)d.id);
		return;
	}
	st_import_abort(ui->job, &e2);
	ui->job = NULL;
	ui_error(ui, e.msg);
}

void
ui_job_stop(struct ui *ui)
{
	struct err e;

	if (ui->job != NULL)
		st_import_abort(ui->job, &e);
	ui->job = NULL;
}

void
ui_job_draw(const struct ui *ui, int cols)
{
	char done[16], total[16], line[96];
	int d, t;

	if (ui->job == NULL)
		return;
	st_import_progress(ui->job, &d, &t);
	grouped(d, done, sizeof(done));
	grouped(t, total, sizeof(total));
	snprintf(line, sizeof(line), _("Importing: %s / %s"), done, total);
	ui_put(1, 0, cols, UI_BOLD, true, line);
}
