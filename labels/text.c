/*
 * text: words on a PNG label, through FreeType and a TrueType font
 * (DejaVu Sans from fonts-dejavu-core unless SKLAD_FONT names another),
 * drawn in black without grey edges: labels are printed on thermal
 * printers that have no grey. Printer languages use the printer's fonts.
 */
#include <ft2build.h>
#include FT_FREETYPE_H
#include <libintl.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"
#include "labels/render.h"
#include "scanners/i18n.h"

#define DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static FT_Library ft;
static FT_Face face;

static int
font_open(struct err *e)
{
	const char *path = getenv("SKLAD_FONT");

	if (face != NULL)
		return 0;
	if (path == NULL || *path == '\0')
		path = DEFAULT_FONT;
	if (ft == NULL && FT_Init_FreeType(&ft) != 0)
		return err_set(e, ERR_INTERNAL, "FreeType cannot start");
	if (FT_New_Face(ft, path, 0, &face) != 0) {
		face = NULL;
		return err_set(e, ERR_IO, _("Cannot load the label font %s "
			       "(install fonts-dejavu-core, or set "
			       "SKLAD_FONT)."), path);
	}
	return 0;
}

/* The next code point of UTF-8 text at *s (advanced); '?' for a bad
 * byte. */
static unsigned long
next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	unsigned long cp;
	int more, i;

	if (p[0] < 0x80) {
		*s += 1;
		return p[0];
	}
	more = p[0] >= 0xf0 ? 3 : p[0] >= 0xe0 ? 2 : p[0] >= 0xc0 ? 1 : -1;
	if (more < 0) {
		*s += 1;
		return '?';
	}
	cp = p[0] & (0x3f >> more);
	for (i = 1; i <= more; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s += i;
			return '?';
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*s += more + 1;
	return cp;
}

int
lb_text_draw(struct lb_image *img, int x, int y, int h, int max_w,
	     const char *utf8, struct err *e)
{
	int pen = x, rc = font_open(e);
	const char *s = utf8;

	if (rc < 0)
		return rc;
	/* h is the line's height; the font's em is a little smaller so
	 * descenders stay inside the line */
	if (FT_Set_Pixel_Sizes(face, 0, (FT_UInt)(h * 4 / 5)) != 0)
		return err_set(e, ERR_INTERNAL, "FreeType: no such size");
	while (*s != '\0') {
		FT_GlyphSlot g;
		int gx, gy, base = y + h * 4 / 5 * 9 / 10;

		if (FT_Load_Char(face, next_cp(&s), FT_LOAD_RENDER |
				 FT_LOAD_TARGET_MONO) != 0)
			continue;
		g = face->glyph;
		if (pen + (int)(g->advance.x >> 6) > x + max_w)
			break;
		for (gy = 0; gy < (int)g->bitmap.rows; gy++) {
			const unsigned char *row = g->bitmap.buffer +
						   gy * g->bitmap.pitch;
			int py = base - g->bitmap_top + gy;

			if (py < 0 || py >= img->h)
				continue;
			for (gx = 0; gx < (int)g->bitmap.width; gx++) {
				int px = pen + g->bitmap_left + gx;

				if (px < 0 || px >= img->w ||
				    !(row[gx >> 3] & (0x80 >> (gx & 7))))
					continue;
				img->px[py * img->w + px] = 0;
			}
		}
		pen += (int)(g->advance.x >> 6);
	}
	return 0;
}
