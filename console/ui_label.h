/*
 * ui_label: the console's labels (--labels-config FILE): a pack's label
 * queued when it opens or closes (as the station's settings say) or after
 * take/put, sent to the printer by a child process so the loop never
 * waits on a printer, tried again while the printer is away, and the
 * fresh label scanned back (scan-to-confirm): a wrong or unreadable scan
 * then is an error hold, and the pack counts as labelled only once its
 * own label was read.
 *
 * What it must not do: block the loop (the child does the network and lp),
 * touch the database from the child, or print without the queue.
 */
#ifndef SKLAD_UI_LABEL_H
#define SKLAD_UI_LABEL_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "console/ui.h"

struct ui_label;

/* Read the label settings at path and make *out; NULL path: no labels
 * (*out NULL, 0). ERR_IO / ERR_INVALID from the file. */
int ui_label_open(struct ui_label **out, const char *path, struct err *e);

/* Stop a running child and free *l (NULL-safe). */
void ui_label_close(struct ui_label **l);

/*
 * Pack sscc needs a label now, for reason: "open" and "close" follow the
 * settings' print_on (others ignore them), "take", "put" and "reprint"
 * always print. Queued at once; sent when the printer is free.
 */
void ui_label_pack(struct ui *ui, const char *sscc, const char *reason);

/* A scan while a fresh label waits to be scanned back: taken (true) as
 * the confirmation or as an error; false when nothing waits. */
bool ui_label_scan(struct ui *ui, const struct scan *s);

/* A prompt line "label [SSCC]" (print again the awaited or given pack's
 * label): handled, true. */
bool ui_label_prompt(struct ui *ui, const char *line);

/* The SSCC whose fresh label waits to be scanned, or NULL. */
const char *ui_label_awaited(const struct ui *ui);

/* A short line about the labels ("label printed: scan it", "printer
 * away: 2 queued"), "" when there is nothing to say. */
const char *ui_label_status(const struct ui *ui);

/* Draw the awaited label's DataMatrix in half blocks from row y; returns
 * the rows used (0 when there is no room or nothing awaited). */
int ui_label_preview(const struct ui *ui, int y, int x, int rows);

/* The same for the label of pack sscc (no printer needed). */
int ui_label_preview_sscc(const char *sscc, int y, int x, int rows);

/* Loop hooks, as ui_sync's. */
int ui_label_pollfds(struct ui *ui, struct pollfd *p, int max);
int ui_label_timeout(const struct ui *ui, int64_t now_ms);
void ui_label_dispatch(struct ui *ui, const struct pollfd *p, int n,
		       int64_t now_ms);

#endif
