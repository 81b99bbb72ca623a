/*
 * label_job: the labels of packs, between the store (facts, the job
 * queue) and labels/ (drawing, printers). Shared by `sklad label` and
 * the console's workflow, so both print the same bytes the same way.
 */
#ifndef SKLAD_LABEL_JOB_H
#define SKLAD_LABEL_JOB_H

#include "labels/labels.h"
#include "store/store.h"

/*
 * The label of pack sscc: its facts from the store when db is not NULL
 * and knows the pack, else only the SSCC (checked); today's local date,
 * the station of cfg (may be NULL: the host name) and operator_name (NULL:
 * who opened the pack). ERR_INVALID for a bad SSCC.
 */
int lbj_label(struct st_db *db, const char *sscc, const struct lb_config *cfg,
	      const char *operator_name, struct lb_label *out, struct err *e);

/*
 * Draw the label of sscc for printer pc and queue it (reason: open,
 * close, take, put, reprint). *id gets the job. Nothing is printed yet.
 */
int lbj_queue(struct st_db *db, const struct st_actor *who,
	      const struct lb_config *cfg, const struct lb_printer_conf *pc,
	      const char *sscc, const char *reason, int64_t *id,
	      struct err *e);

/*
 * Send queued job id to its printer (of cfg) and record the try: 0 printed;
 * <0 with e saying why (the job stays queued, or is failed after
 * cfg->max_attempts tries).
 */
int lbj_send(struct st_db *db, const struct lb_config *cfg, int64_t id,
	     struct err *e);

#endif
