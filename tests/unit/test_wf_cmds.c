/*
 * test_wf_cmds: the command table (console/wf_cmds.c) is what runs. Its
 * role column is enforced for every row, whatever is added later: each
 * lesser role is refused and the refusal audited under the row's action,
 * while the role it names is let through. Usage errors, the login gate,
 * command barcodes and `exec --help` come from the same rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console/workflow.h"
#include "tests/site_fx.h"

/* Run line as actor who in a fresh session. */
static void
run_as(struct site_fx *f, const struct st_actor *who, const char *line,
       struct wf_result *r)
{
	struct wf w;

	wf_init(&w, f->db, who);
	wf_command(&w, line, r, NULL, NULL, NULL);
}

/* "user disable x": the row's name and min_args placeholder words (all
 * "x": no user, pack or document is called that). */
static void
line_for(const struct wf_cmd *c, char *out, size_t n)
{
	size_t at = (size_t)snprintf(out, n, "%s", c->name);
	int i;

	for (i = 0; i < c->min_args; i++)
		at += (size_t)snprintf(out + at, n - at, " x");
}

struct denials {
	const char *action, *user, *command;
	int found;
};

static int
count_denial(void *arg, const struct st_audit_row *r)
{
	struct denials *d = arg;

	if (!r->ok && strcmp(r->action, d->action) == 0 &&
	    strcmp(r->user, d->user) == 0 &&
	    strstr(r->reason, d->command) != NULL)
		d->found++;
	return 0;
}

static int
audited_denials(struct site_fx *f, const struct wf_cmd *c,
		const char *user)
{
	struct denials d = { st_action_name((int)c->act), user, c->name, 0 };
	struct err e;

	assert_int_equal(st_audit_each(f->db, NULL, NULL, count_denial, &d,
				       &e), 0);
	return d.found;
}

static void
test_table_is_well_formed(void **state)
{
	const struct wf_cmd *c, *d;
	char words[64], *w[2], *save = NULL;
	int nname, n;

	(void)state;
	for (c = wf_cmds; c->name != NULL; c++) {
		/* the name fits the result's label; the usage starts with it */
		assert_true(strlen(c->name) < sizeof(((struct wf_result *)0)
						     ->command));
		assert_int_equal(strncmp(c->usage, c->name, strlen(c->name)),
				 0);
		assert_true(c->help != NULL && c->help[0] != '\0');
		assert_non_null(c->run);
		assert_true(c->min_args >= 0 && c->min_args <= c->max_args);
		/* a refusal by role is audited under a real action */
		if (c->role > ST_OPERATOR)
			assert_string_not_equal(st_action_name((int)c->act),
						"unknown");
		/* one row per name, and the name finds it */
		for (d = c + 1; d->name != NULL; d++)
			assert_string_not_equal(c->name, d->name);
		snprintf(words, sizeof(words), "%s", c->name);
		n = 0;
		for (char *t = strtok_r(words, " ", &save); t != NULL;
		     t = strtok_r(NULL, " ", &save)) {
			assert_true(n < 2);
			w[n++] = t;
		}
		assert_ptr_equal(wf_cmd_find(w, n, &nname), c);
		assert_int_equal(nname, n);
	}
}

/* Every row above operator: each lesser role refused (ERR_DENIED, the
 * command named, audited); the role it names is not refused for its
 * role. */
static void
test_role_column_enforced(void **state)
{
	struct site_fx *f = *state;
	const struct st_actor *by_role[] = { &f->op, &f->sup, &f->admin };
	const struct wf_cmd *c;
	struct wf_result r;
	char line[128];
	int role, rows = 0, before;

	for (c = wf_cmds; c->name != NULL; c++) {
		if (c->role == ST_OPERATOR)
			continue;
		rows++;
		line_for(c, line, sizeof(line));
		for (role = ST_OPERATOR; role < (int)c->role; role++) {
			const struct st_actor *who = by_role[role];

			before = audited_denials(f, c, who->user);
			run_as(f, who, line, &r);
			assert_int_equal(r.rc, ERR_DENIED);
			assert_string_equal(r.command, c->name);
			assert_non_null(strstr(r.err.msg, c->name));
			assert_int_equal(audited_denials(f, c, who->user),
					 before + 1);
		}
		run_as(f, by_role[c->role], line, &r);
		assert_int_not_equal(r.rc, ERR_DENIED);
	}
	/* disband, outbox retry, user add/disable/enable/unlock/list */
	assert_true(rows >= 7);
}

static void
test_usage_and_login_gate(void **state)
{
	struct site_fx *f = *state;
	const struct st_actor nobody = { 0 };
	struct wf_result r;

	/* a family's usages, all of them, when the second word is wrong */
	run_as(f, &f->admin, "user frob", &r);
	assert_int_equal(r.rc, ERR_INVALID);
	assert_string_equal(r.command, "user frob");
	assert_non_null(strstr(r.err.msg, "user add NAME ROLE PIN"));
	assert_non_null(strstr(r.err.msg, "user list"));
	assert_non_null(strstr(r.err.msg, "user unlock NAME"));
	assert_null(strstr(r.err.msg, "box open"));
	/* one command's usage when its arguments do not count up */
	run_as(f, &f->op, "set capacity", &r);
	assert_int_equal(r.rc, ERR_INVALID);
	assert_string_equal(r.err.msg, "Usage: set capacity N");
	run_as(f, &f->op, "box", &r);
	assert_string_equal(r.err.msg, "Usage: box open [SSCC]");
	run_as(f, &f->op, "ship finish now", &r);
	assert_string_equal(r.err.msg, "Usage: ship finish");
	run_as(f, &f->op, "frob", &r);
	assert_string_equal(r.err.msg, "Unknown command: frob");
	/* nothing but login before a login */
	run_as(f, &nobody, "docs", &r);
	assert_int_equal(r.rc, ERR_DENIED);
	assert_string_equal(r.err.msg, "Log in first.");
	run_as(f, &nobody, "user list", &r);
	assert_string_equal(r.err.msg, "Log in first.");
	run_as(f, &nobody, "login olga " SITE_FX_PIN, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.user.user, "olga");
}

/* Only rows marked WF_BARCODE run from a barcode, station or built in. */
static void
test_barcodes_only_their_rows(void **state)
{
	struct site_fx *f = *state;
	struct wf_result r;
	struct err e;
	struct wf w;

	assert_int_equal(wf_barcode_add("T-LIST=user list", &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "close"));
	assert_non_null(strstr(e.msg, "user list"));
	assert_int_equal(wf_barcode_add("T-BOX=box", &e), ERR_INVALID);
	assert_int_equal(wf_barcode_add("T-CLOSE=close", &e), 0);

	wf_init(&w, f->db, &f->admin);
	wf_scan(&w, "SKLAD:USER_LIST", 15, &r);
	assert_int_equal(r.rc, ERR_REFUSED);
	assert_non_null(strstr(r.err.msg, "not one sklad knows"));
	assert_int_equal(r.nusers, 0);
	/* the station's label runs its row: nothing to close yet */
	wf_scan(&w, "T-CLOSE", 7, &r);
	assert_int_equal(r.rc, ERR_REFUSED);
	assert_string_equal(r.command, "close");
	assert_string_equal(r.err.msg, "No pack is open.");
	wf_scan(&w, "SKLAD:BOX_OPEN", 14, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.command, "box open");
	assert_string_equal(r.pack.state, "open");
}

/* `sklad exec --help` lists every row, with the role above operator. */
static void
test_exec_help_lists_the_table(void **state)
{
	const struct wf_cmd *c;
	char cmd[512], out[8192], want[256];
	size_t n;
	FILE *p;

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s exec --help", getenv("SKLAD_BIN"));
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	for (c = wf_cmds; c->name != NULL; c++) {
		assert_non_null(strstr(out, c->usage));
		snprintf(want, sizeof(want), "%s%s%s%s", c->help,
			 c->role > ST_OPERATOR ? " (" : "",
			 c->role > ST_OPERATOR ? st_role_name(c->role) : "",
			 c->role > ST_OPERATOR ? ")" : "");
		assert_non_null(strstr(out, want));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_well_formed),
		SITE_FX_TEST(test_role_column_enforced),
		SITE_FX_TEST(test_usage_and_login_gate),
		SITE_FX_TEST(test_barcodes_only_their_rows),
		cmocka_unit_test(test_exec_help_lists_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
