/*
 * label_job: a pack's label from its facts, queued, and sent (see
 * label_job.h).
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console/label_job.h"
#include "scanners/i18n.h"


int
lbj_label(struct st_db *db, const char *sscc, const struct lb_config *cfg,
	  const char *operator_name, struct lb_label *out, struct err *e)
{
	struct st_label_facts f;
	struct mark m;
	time_t now = time(NULL);
	struct tm tm;

	memset(out, 0, sizeof(*out));
	out->count = -1;
	if (mark_sscc_check(sscc, strlen(sscc), &m) < 0)
		return err_set(e, ERR_INVALID, _("%s is not an SSCC (18 digits "
			       "with the right check digit)."), sscc);
	snprintf(out->sscc, sizeof(out->sscc), "%s", m.sscc);
	localtime_r(&now, &tm);
	strftime(out->date, sizeof(out->date), "%Y-%m-%d", &tm);
	if (cfg != NULL)
		snprintf(out->station, sizeof(out->station), "%s",
			 cfg->station);
	else if (gethostname(out->station, sizeof(out->station)) < 0)
		out->station[0] = '\0';
	out->station[sizeof(out->station) - 1] = '\0';
	if (db != NULL && st_label_facts(db, m.sscc, &f, e) == 0) {
		snprintf(out->level, sizeof(out->level), "%s", f.level);
		out->count = f.count;
		snprintf(out->gtin, sizeof(out->gtin), "%s", f.gtin);
		out->more_gtins = f.more_gtins;
		/* a pack of one product is named by the catalogue */
		if (f.gtin[0] != '\0' && f.more_gtins == 0)
			st_product_name(db, f.gtin, out->product,
					sizeof(out->product));
		out->gcp_len = f.gcp_len;
		snprintf(out->operator_name, sizeof(out->operator_name), "%s",
			 f.opened_by);
	} else if (db != NULL && e->code != ERR_NOTFOUND) {
		return e->code;
	}
	err_clear(e);
	if (operator_name != NULL)
		snprintf(out->operator_name, sizeof(out->operator_name), "%s",
			 operator_name);
	return 0;
}

int
lbj_queue(struct st_db *db, const struct st_actor *who,
	  const struct lb_config *cfg, const struct lb_printer_conf *pc,
	  const char *sscc, const char *reason, int64_t *id, struct err *e)
{
	struct lb_label l;
	char *body = NULL;
	size_t len = 0;
	int rc;

	rc = lbj_label(db, sscc, cfg, who != NULL && who->user[0] ?
		       who->user : NULL, &l, e);
	if (rc == 0)
		rc = lb_render(&l, &pc->size, pc->format, &body, &len, e);
	if (rc == 0)
		rc = st_label_queue(db, who, l.sscc, pc->name,
				    lb_format_name(pc->format), reason, body,
				    len, id, e);
	free(body);
	return rc;
}

int
lbj_send(struct st_db *db, const struct lb_config *cfg, int64_t id,
	 struct err *e)
{
	const struct lb_printer_conf *pc;
	struct st_label_job j;
	struct err pe;
	int rc;

	if ((rc = st_label_get(db, id, &j, e)) < 0)
		return rc;
	if (strcmp(j.state, "queued") != 0) {
		st_label_job_free(&j);
		return err_set(e, ERR_NOTFOUND, _("Label job %lld is %s, not "
			       "queued."), (long long)id, j.state);
	}
	pc = lb_config_printer(cfg, j.printer);
	if (pc == NULL) {
		st_label_job_free(&j);
		return err_set(e, ERR_INVALID, _("Label job %lld is for printer "
			       "%s, which the label settings do not name."),
			       (long long)id, j.printer);
	}
	err_clear(&pe);
	rc = lb_print(&pc->p, j.body, j.body_len, &pe);
	st_label_job_free(&j);
	if (st_label_tried(db, id, rc == 0 ? NULL : pe.msg,
			   cfg->max_attempts, e) < 0)
		return e->code;
	if (rc < 0)
		return err_set(e, rc, "%s", pe.msg);
	return 0;
}
