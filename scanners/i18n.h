/*
 * i18n: the gettext macros every module marks its messages with.
 *
 * _() translates in sklad's own text domain, named here once, so a
 * message is found whatever the process's default domain is (tests and
 * libraries need not call textdomain). N_() only marks a string for
 * xgettext; it is translated with _() where it is shown.
 *
 * Lives in scanners/, the lowest layer, so that every module can use it.
 */
#ifndef SKLAD_I18N_H
#define SKLAD_I18N_H

#include <libintl.h>

#define SKLAD_TEXTDOMAIN "sklad"

#define _(s) dgettext(SKLAD_TEXTDOMAIN, s)
#define N_(s) (s)

#endif
