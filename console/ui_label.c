/*
 * ui_label: labels in the console (see ui_label.h).
 *
 * One job at a time goes to the printer, in a child process that only
 * calls lb_print and writes one line back on a pipe: "" for printed, else
 * the reason. The parent records the try in the store (the child never
 * touches the database) and tells the operator. Queued jobs of this
 * station's printer are tried again every RETRY_MS while it is away.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console/label_job.h"
#include "console/ui_label.h"
#include "scanners/evdev.h"

#define RETRY_MS 10000

struct ui_label {
	struct lb_config cfg;
	const struct lb_printer_conf *pc;
	pid_t child;			/* 0: none */
	int fd;				/* its answer, -1: none */
	int64_t job;			/* the job it sends */
	char job_sscc[MARK_SSCC_LEN + 1];
	char job_reason[16];
	char answer[ERR_MSG_MAX];
	size_t alen;
	int64_t next_try_ms;		/* 0: now */
	char await[MARK_SSCC_LEN + 1];	/* label to scan back, "" none */
	char status[ERR_MSG_MAX];
	int64_t failed_job;		/* last job whose failure was shown */
};

int
ui_label_open(struct ui_label **out, const char *path, struct err *e)
{
	struct ui_label *l;
	int rc;

	*out = NULL;
	if (path == NULL)
		return 0;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if ((rc = lb_config_load(path, &l->cfg, e)) < 0) {
		free(l);
		return rc;
	}
	l->pc = lb_config_printer(&l->cfg, NULL);
	if (l->pc == NULL) {
		free(l);
		return err_set(e, ERR_INVALID, _("%s: [labels] printer names "
			       "no [printer NAME] section: the console would "
			       "have nowhere to print."), path);
	}
	l->fd = -1;
	/* jobs left queued by an earlier run go out at the first pass */
	l->next_try_ms = 1;
	*out = l;
	return 0;
}

void
ui_label_close(struct ui_label **lp)
{
	struct ui_label *l = *lp;

	if (l == NULL)
		return;
	if (l->child > 0) {
		kill(l->child, SIGTERM);
		waitpid(l->child, NULL, 0);
	}
	if (l->fd >= 0)
		close(l->fd);
	free(l);
	*lp = NULL;
}

/* Start sending the oldest queued job of our printer, if none is on its
 * way; when none is queued, stop trying (next_try_ms = 0). */
static void
kick(struct ui *ui)
{
	struct ui_label *l = ui->labels;
	struct st_label_job j;
	struct err e;
	int p[2];
	pid_t pid;

	if (l->child > 0)
		return;
	if (st_label_next(ui->db, l->pc->name, &j, &e) != 1) {
		l->next_try_ms = 0;
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		st_label_job_free(&j);
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* the child: the printer only, then one line back */
		struct err pe;
		const char *msg = "";

		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		err_clear(&pe);
		if (lb_print(&l->pc->p, j.body, j.body_len, &pe) < 0)
			msg = pe.msg[0] ? pe.msg : "?";
		if (write(p[1], msg, strlen(msg)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		st_label_job_free(&j);
		return;
	}
	l->child = pid;
	l->fd = p[0];
	l->job = j.id;
	snprintf(l->job_sscc, sizeof(l->job_sscc), "%s", j.sscc);
	snprintf(l->job_reason, sizeof(l->job_reason), "%s", j.reason);
	l->alen = 0;
	l->answer[0] = '\0';
	st_label_job_free(&j);
	snprintf(l->status, sizeof(l->status), _("Printing the label of %s "
		 "on %s..."), l->job_sscc, l->pc->name);
	ui->dirty = true;
}

void
ui_label_pack(struct ui *ui, const char *sscc, const char *reason)
{
	struct ui_label *l = ui->labels;
	struct err e;
	int64_t id;

	if (l == NULL)
		return;
	if ((strcmp(reason, "close") == 0 && l->cfg.print_on != LB_ON_CLOSE) ||
	    (strcmp(reason, "open") == 0 && l->cfg.print_on != LB_ON_OPEN))
		return;
	if (lbj_queue(ui->db, &ui->wf.who, &l->cfg, l->pc, sscc, reason, &id,
		      &e) < 0) {
		ui_error(ui, e.msg);
		return;
	}
	kick(ui);
}

/* The child answered (or died): record the try and tell the operator. */
static void
finished(struct ui *ui)
{
	struct ui_label *l = ui->labels;
	struct err e;
	int st = 0;

	close(l->fd);
	l->fd = -1;
	while (waitpid(l->child, &st, 0) < 0 && errno == EINTR)
		;
	l->child = 0;
	l->answer[l->alen] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		snprintf(l->answer, sizeof(l->answer), "%s",
			 _("the printing process failed"));
	if (st_label_tried(ui->db, l->job, l->answer[0] ? l->answer : NULL,
			   l->cfg.max_attempts, &e) < 0) {
		ui_error(ui, e.msg);
		return;
	}
	if (l->answer[0] != '\0') {
		char msg[ERR_MSG_MAX];

		l->next_try_ms = ev_now_ms() + RETRY_MS;
		snprintf(l->status, sizeof(l->status), _("Label of %s not "
			 "printed: queued (job %lld)."), l->job_sscc,
			 (long long)l->job);
		/* the operator hears of a job's failure once; tries again
		 * while the printer is away only change the status line */
		if (l->failed_job != l->job) {
			l->failed_job = l->job;
			snprintf(msg, sizeof(msg), _("%s The label of %s stays "
				 "queued and prints when the printer is "
				 "back."), l->answer, l->job_sscc);
			ui_error(ui, msg);
		}
		return;
	}
	l->next_try_ms = 0;
	if (l->cfg.confirm) {
		snprintf(l->await, sizeof(l->await), "%s", l->job_sscc);
		snprintf(l->status, sizeof(l->status), _("Label of %s printed: "
			 "scan it to confirm."), l->job_sscc);
		ui_ok(ui, _("Label of %s printed: scan it to confirm."),
		      l->job_sscc);
	} else {
		snprintf(l->status, sizeof(l->status), _("Label of %s "
			 "printed."), l->job_sscc);
		ui_info(ui, "%s", l->status);
	}
	/* the next one, if more wait */
	kick(ui);
}

bool
ui_label_scan(struct ui *ui, const struct scan *s)
{
	struct ui_label *l = ui->labels;
	char msg[ERR_MSG_MAX], shown[48];
	struct mark m;
	struct err e;

	if (l == NULL || l->await[0] == '\0' || !ui->wf.logged_in)
		return false;
	if ((mark_parse(s->bytes, s->len, &m) == 0 && m.kind == MARK_SSCC) ||
	    (s->len == MARK_SSCC_LEN &&
	     mark_sscc_check(s->bytes, s->len, &m) == 0)) {
		if (strcmp(m.sscc, l->await) == 0) {
			if (st_label_confirm(ui->db, &ui->wf.who, l->await,
					     &e) < 0) {
				ui_error(ui, e.msg);
				return true;
			}
			ui_ok(ui, _("Label of %s confirmed."), l->await);
			l->await[0] = '\0';
			l->status[0] = '\0';
			return true;
		}
		snprintf(msg, sizeof(msg), _("Wrong label: this is %s, the "
			 "fresh label is %s. Scan the label just printed "
			 "(or ':label' prints it again)."), m.sscc, l->await);
	} else {
		ui_short_code(s->bytes, s->len, shown, sizeof(shown), 40);
		snprintf(msg, sizeof(msg), _("The label of %s must be scanned "
			 "first; %s is not an SSCC label (torn or misprinted? "
			 "':label' prints it again)."), l->await, shown);
	}
	ui_error(ui, msg);
	return true;
}

bool
ui_label_prompt(struct ui *ui, const char *line)
{
	struct ui_label *l = ui->labels;
	struct mark m;
	const char *arg;

	if (strncmp(line, "label", 5) != 0 ||
	    (line[5] != '\0' && line[5] != ' '))
		return false;
	if (l == NULL) {
		ui_error(ui, _("No label printer: start sklad with "
			       "--labels-config FILE."));
		return true;
	}
	arg = line + 5;
	while (*arg == ' ')
		arg++;
	if (*arg == '\0') {
		if (l->await[0] == '\0') {
			ui_error(ui, _("Say which pack: label SSCC."));
			return true;
		}
		ui_label_pack(ui, l->await, "reprint");
		return true;
	}
	if (mark_sscc_check(arg, strlen(arg), &m) < 0) {
		ui_error(ui, _("label takes an SSCC (18 digits)."));
		return true;
	}
	ui_label_pack(ui, m.sscc, "reprint");
	if (l->child > 0 || l->next_try_ms == 0)
		ui_info(ui, _("Label of %s queued."), m.sscc);
	return true;
}

const char *
ui_label_awaited(const struct ui *ui)
{
	return ui->labels != NULL && ui->labels->await[0] != '\0' ?
	       ui->labels->await : NULL;
}

const char *
ui_label_status(const struct ui *ui)
{
	return ui->labels != NULL ? ui->labels->status : "";
}

struct preview_ctx {
	int y, x, rows, used;
};

static void
preview_line(void *arg, const char *utf8)
{
	struct preview_ctx *c = arg;

	if (c->used < c->rows)
		ui_put(c->y + c->used, c->x, 60, UI_NORMAL, false, utf8);
	c->used++;
}

int
ui_label_preview(const struct ui *ui, int y, int x, int rows)
{
	const char *sscc = ui_label_awaited(ui);

	return sscc != NULL ? ui_label_preview_sscc(sscc, y, x, rows) : 0;
}

int
ui_label_preview_sscc(const char *sscc, int y, int x, int rows)
{
	struct preview_ctx c = { y, x, rows, 0 };
	char data[4 + MARK_SSCC_LEN];
	struct err e;

	/* a 16x16 symbol takes 9 lines; never half of one */
	if (rows < 9 || strlen(sscc) != MARK_SSCC_LEN)
		return 0;
	snprintf(data, sizeof(data), "00%s", sscc);
	if (lb_preview(data, strlen(data), true, preview_line, &c, &e) < 0 ||
	    c.used > rows)
		return 0;
	return c.used;
}

int
ui_label_pollfds(struct ui *ui, struct pollfd *p, int max)
{
	if (ui->labels == NULL || ui->labels->fd < 0 || max < 1)
		return 0;
	p[0] = (struct pollfd){ .fd = ui->labels->fd, .events = POLLIN };
	return 1;
}

int
ui_label_timeout(const struct ui *ui, int64_t now_ms)
{
	const struct ui_label *l = ui->labels;

	if (l == NULL || l->child > 0 || l->next_try_ms == 0)
		return -1;
	return l->next_try_ms > now_ms ? (int)(l->next_try_ms - now_ms) : 0;
}

void
ui_label_dispatch(struct ui *ui, const struct pollfd *p, int n,
		  int64_t now_ms)
{
	struct ui_label *l = ui->labels;

	if (l == NULL)
		return;
	if (n > 0 && l->fd >= 0 && (p[0].revents & (POLLIN | POLLHUP |
						     POLLERR))) {
		ssize_t k = read(l->fd, l->answer + l->alen,
				 sizeof(l->answer) - 1 - l->alen);

		if (k > 0)
			l->alen += (size_t)k;
		else if (k == 0 || (errno != EINTR && errno != EAGAIN))
			finished(ui);
	}
	if (l->child == 0 && l->next_try_ms != 0 && now_ms >= l->next_try_ms) {
		l->next_try_ms = now_ms + RETRY_MS;
		kick(ui);
	}
}
