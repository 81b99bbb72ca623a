/*
 * render: internal to labels/: a label as a list of placed items (text,
 * DataMatrix, bars) that each output language draws its own way.
 */
#ifndef SKLAD_LABELS_RENDER_H
#define SKLAD_LABELS_RENDER_H

#include "labels/labels.h"

#define LB_ITEMS_MAX 48

enum lb_item_kind { LB_TEXT, LB_DM, LB_BARS };

/* One thing on a label, in printer dots from the top left. */
struct lb_item {
	enum lb_item_kind kind;
	int x, y;
	int h;			/* text: line height; bars: bar height */
	int w;			/* text: width it may take */
	int module;		/* DM and bars: dots a module */
	char text[192];		/* text: UTF-8; DM/bars: the data */
	size_t len;		/* DM: data length (may hold GS) */
	bool gs1;		/* DM: FNC1 first */
	struct lb_matrix mx;	/* DM and bars: the modules */
};

struct lb_layout {
	int w, h, dpi;		/* dots */
	bool text_image;	/* text as graphics in ZPL and TSPL too */
	struct lb_item it[LB_ITEMS_MAX];
	int n;
};

/* The logistic label l on stock sz laid out into *L (free with
 * lb_layout_free). 0 or ERR_INVALID. */
int lb_layout_label(const struct lb_label *l, const struct lb_size *sz,
		    struct lb_layout *L, struct err *e);
void lb_layout_free(struct lb_layout *L);

/* Draw L into a new white canvas *img (symbols always, text when text is
 * set). 0 or <0. */
int lb_compose(const struct lb_layout *L, struct lb_image *img, bool text,
	       struct err *e);

/* Read every symbol of L back from img: 0 when each is what L says,
 * ERR_INTERNAL naming the first that is not. What lb_render does before
 * it hands out any bytes. */
int lb_check_drawn(const struct lb_layout *L, const struct lb_image *img,
		   struct err *e);

/* Draw utf8 in black at (x, y) on img, a line h dots high, at most max_w
 * dots wide (cut there). 0 or <0 (no font). */
int lb_text_draw(struct lb_image *img, int x, int y, int h, int max_w,
		 const char *utf8, struct err *e);

#endif
