/*
 * i18n.h: languages, translated strings, and formatting of dates, numbers
 * and money for the user's language (K1).
 *
 * Strings go through gettext (domain "framuga"); a request switches language
 * with i18n_use(), which calls uselocale() with a locale made once per worker
 * per language.  A per-language override table in the database (J6, edited in
 * the CMS) wins over the catalog; a worker loads it at start and again when
 * the database's override generation changes (checked once per request with
 * one indexed read).
 *
 * The language of a request: the user's setting, then ?lang=, then the
 * lang cookie, then Accept-Language, then the configured default (pl).
 *
 * Formatting does not depend on the C library's locale data (which a server
 * may lack); the rules per language are in a table here:
 *   pl: 1 234,56 zł   30.11.2026   1 234,5
 *   en: PLN 1,234.56  30 Nov 2026  1,234.5   (amount with currency code)
 *   de: 1.234,56 €    30.11.2026   1.234,5
 * Money is int64 minor units plus an ISO 4217 code; no floating point.
 */
#ifndef FRAMUGA_I18N_H
#define FRAMUGA_I18N_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tmpl.h"

struct arena;
struct db;
struct req;

#define _(s)	i18n_gettext(s)
#define N_(s)	(s)

extern const char *const i18n_languages[];	/* "pl", "en", "de" */
extern const size_t i18n_nlanguages;

/* Once per worker: bindtextdomain(locale_dir), build the locales. 0/-1. */
int		 i18n_init(const char *locale_dir);
/* Switch the calling thread to lang (one of i18n_languages; else default). */
void		 i18n_use(const char *lang);
const char	*i18n_current(void);
/* The translated string: override, then catalog, then msgid. */
const char	*i18n_gettext(const char *msgid);
const char	*i18n_ngettext(const char *one, const char *many, unsigned long n);

/* Choose the request's language (see above); user_lang may be NULL. */
const char	*i18n_pick(const struct req *, const char *user_lang,
		    const char *default_lang);

/* Overrides: (re)load from table i18n_override when its generation moved.
 * Cheap when nothing changed. */
void		 i18n_overrides_refresh(struct db *);

/* Formatting into arena strings, for the current language. */
const char	*i18n_money(struct arena *, int64_t minor, const char *currency);
const char	*i18n_number(struct arena *, int64_t value, int decimals); /* value scaled by 10^decimals */
const char	*i18n_date(struct arena *, time_t);	/* calendar date */
const char	*i18n_datetime(struct arena *, time_t);	/* date + hh:mm, UTC shown as local (Europe/Warsaw) */

/* Template filters: money ({amount, currency} object), num, date, datetime. */
extern const struct tmpl_filter i18n_filters[];

#endif
