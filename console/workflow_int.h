/*
 * workflow_int: what workflow.c (session state, scans, packs) and
 * wf_cmds.c (the command table) share. Not for other modules: they go
 * through workflow.h.
 */
#ifndef SKLAD_WORKFLOW_INT_H
#define SKLAD_WORKFLOW_INT_H

#include "console/workflow.h"

/* Words in one command line or command barcode, at most. */
#define WF_MAX_WORDS 8

/* Empty r, labelled with the command that fills it. */
void wf_result_reset(struct wf_result *r, const char *command);

/* r refused with code and msg. */
void wf_fail(struct wf_result *r, int code, const char *msg);

/* r from a store call's outcome: its error, or `what` on success. */
void wf_outcome(struct wf_result *r, int rc, const struct err *e,
		enum wf_what what);

/* "\x1d" in a typed word stands for GS: decode s in place, return its
 * length. */
size_t wf_unescape(char *s);

/* The pack scans go into now, or NULL. */
const char *wf_current_pack(const struct wf *w);

/* Refuse (into r, true) a change to mode want while other work is open. */
bool wf_busy_elsewhere(const struct wf *w, enum wf_mode want,
		       struct wf_result *r);

/* Open a box or pallet (sscc or the next one), inside the open pallet. */
void wf_pack_open(struct wf *w, enum st_level level, const char *sscc,
		  struct wf_result *r);

/* Close pack sscc, or the open one when NULL. */
void wf_pack_close(struct wf *w, const char *sscc, struct wf_result *r);

/* cancel [SSCC]: an empty pack goes, or the acceptance or shipment is
 * left for now. */
void wf_cancel(struct wf *w, const char *sscc, struct wf_result *r);

/* A code typed as an argument (a scan, a КИ or an SSCC) into *m; false
 * with the reason in r when it is none of them. */
bool wf_parse_code(const char *text, size_t len, struct mark *m,
		   struct wf_result *r);

/* Where `where` and `docs` send their rows. */
struct wf_out {
	int (*on_event)(void *arg, const struct st_event *ev);
	int (*on_doc)(void *arg, const struct st_doc *d);
	void *arg;
};

/*
 * Run the command in words[0..n) (already split) as wf_command does:
 * looked up in wf_cmds, refused before login, for want of a role
 * (audited) or with its usage; else its handler.
 */
void wf_run_words(struct wf *w, char **words, int n, struct wf_result *r,
		  const struct wf_out *out);

#endif
