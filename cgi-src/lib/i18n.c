/*
 * i18n.c: per-request language, gettext with database overrides, and the
 * formatting of money, numbers and dates (see i18n.h).
 *
 * Locales: one locale_t per language is made once per worker by
 * i18n_init(); i18n_use() switches the thread with uselocale(), which glibc's
 * gettext honours (the catalog is looked up by the thread locale's
 * LC_MESSAGES name).  LANGUAGE is unset at init because it would override
 * the per-thread choice.
 *
 * Overrides: the rows of i18n_override for all languages, held per worker in
 * one sorted array (malloc'd, outlives requests) and searched with bsearch.
 * The database bumps meta.i18n_generation on every change (triggers in
 * db/0001_core.sql); i18n_overrides_refresh() compares it once per request.
 *
 * Formatting uses the tables below, not the C library's locale data, so the
 * output is the same on every server.
 */
#include "config.h"

#include <langinfo.h>
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "req.h"

const char *const i18n_languages[] = { "pl", "en", "de" };
const size_t i18n_nlanguages = 3;

struct lang_fmt {
	const char	*code;
	const char	*locale;	/* for gettext */
	const char	*thousands;	/* group separator */
	const char	*decimal;
	const char	*months[12];	/* short names; NULL: numeric dates */
};

/* U+00A0 NO-BREAK SPACE groups Polish digits and keeps "zł" on the line. */
#define NBSP "\xc2\xa0"

static const struct lang_fmt lang_fmts[] = {
	{ "pl", "pl_PL.UTF-8", NBSP, ",", { NULL } },
	{ "en", "en_US.UTF-8", ",", ".", { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" } },
	{ "de", "de_DE.UTF-8", ".", ",", { NULL } },
};
#define NLANG (sizeof(lang_fmts) / sizeof(lang_fmts[0]))

static locale_t locales[NLANG];
static size_t cur;		/* index into lang_fmts */

struct override {
	char	*lang;
	char	*msgid;
	char	*msgstr;
};
static struct override *ovr;	/* sorted by lang, msgid; lives per worker */
static size_t novr;
static char *ovr_generation;	/* NULL: never loaded */

int
i18n_init(const char *locale_dir)
{
	int rc = 0;

	unsetenv("LANGUAGE");
	setlocale(LC_ALL, "C.UTF-8");
	if (bindtextdomain("framuga", locale_dir) == NULL ||
	    bind_textdomain_codeset("framuga", "UTF-8") == NULL ||
	    textdomain("framuga") == NULL) {
		log_err("gettext: cannot bind domain to %s", locale_dir);
		rc = -1;
	}
	for (size_t i = 0; i < NLANG; i++) {
		if (locales[i] != (locale_t)0)
			continue;
		locales[i] = newlocale(LC_ALL_MASK, lang_fmts[i].locale,
		    (locale_t)0);
		if (locales[i] == (locale_t)0) {
			/* Still serve: strings stay in Polish (the msgids). */
			log_warn("locale %s is missing (run locale-gen); "
			    "%s pages fall back to Polish text",
			    lang_fmts[i].locale, lang_fmts[i].code);
		}
	}
	if (getenv("TZ") == NULL)
		setenv("TZ", "Europe/Warsaw", 1);
	tzset();
	i18n_use("pl");
	return rc;
}

void
i18n_use(const char *lang)
{
	size_t i;

	for (i = 0; i < NLANG; i++)
		if (lang != NULL && strcmp(lang, lang_fmts[i].code) == 0)
			break;
	if (i == NLANG)
		i = 0;
	cur = i;
	if (locales[i] != (locale_t)0)
		uselocale(locales[i]);
}

const char *
i18n_current(void)
{
	return lang_fmts[cur].code;
}

static int
ovr_cmp(const void *a, const void *b)
{
	const struct override *x = a, *y = b;
	int c = strcmp(x->lang, y->lang);

	return c ? c : strcmp(x->msgid, y->msgid);
}

static const char *
ovr_find(const char *msgid)
{
	struct override key, *o;

	if (novr == 0)
		return NULL;
	key.lang = (char *)lang_fmts[cur].code;
	key.msgid = (char *)msgid;
	o = bsearch(&key, ovr, novr, sizeof(*ovr), ovr_cmp);
	return o ? o->msgstr : NULL;
}

const char *
i18n_gettext(const char *msgid)
{
	const char *s;

	if (msgid == NULL || *msgid == '\0')
		return "";
	if ((s = ovr_find(msgid)) != NULL)
		return s;
	return gettext(msgid);
}

const char *
i18n_ngettext(const char *one, const char *many, unsigned long n)
{
	return ngettext(one, many, n);
}

static void
ovr_clear(void)
{
	for (size_t i = 0; i < novr; i++) {
		free(ovr[i].lang);
		free(ovr[i].msgid);
		free(ovr[i].msgstr);
	}
	free(ovr);
	ovr = NULL;
	novr = 0;
}

void
i18n_overrides_refresh(struct db *db)
{
	static const char q_gen[] =
	    "SELECT value FROM meta WHERE key = 'i18n_generation'";
	static const char q_all[] =
	    "SELECT lang, msgid, msgstr FROM i18n_override "
	    "ORDER BY lang, msgid";
	sqlite3_stmt *st;
	const char *gen = "0";
	size_t cap = 0;

	if ((st = db_prepare(db, q_gen)) == NULL)
		return;
	if (db_step(db, st) == SQLITE_ROW)
		gen = db_col_text(st, 0);
	if (ovr_generation != NULL && strcmp(gen, ovr_generation) == 0) {
		db_done(db, st);
		return;
	}
	free(ovr_generation);
	ovr_generation = xstrdup(gen);
	db_done(db, st);

	ovr_clear();
	if ((st = db_prepare(db, q_all)) == NULL)
		return;
	while (db_step(db, st) == SQLITE_ROW) {
		if (novr == cap) {
			cap = cap ? cap * 2 : 64;
			ovr = xrealloc(ovr, cap * sizeof(*ovr));
		}
		ovr[novr].lang = xstrdup(db_col_text(st, 0));
		ovr[novr].msgid = xstrdup(db_col_text(st, 1));
		ovr[novr].msgstr = xstrdup(db_col_text(st, 2));
		novr++;
	}
	db_done(db, st);
	/* SQLite's ORDER BY uses BINARY collation, the same order as
	 * strcmp, but sort anyway so the invariant does not hang on it. */
	if (novr > 1)
		qsort(ovr, novr, sizeof(*ovr), ovr_cmp);
}

static int
lang_supported(const char *l)
{
	if (l == NULL)
		return 0;
	for (size_t i = 0; i < i18n_nlanguages; i++)
		if (strcmp(l, i18n_languages[i]) == 0)
			return 1;
	return 0;
}

const char *
i18n_pick(const struct req *r, const char *user_lang, const char *def)
{
	const char *l;

	if (lang_supported(user_lang))
		return user_lang;
	if (lang_supported(l = req_query(r, "lang")))
		return l;
	if (lang_supported(l = req_cookie(r, "lang")))
		return l;
	if (r->accept_language != NULL &&
	    (l = http_accept_language(r->accept_language, i18n_languages,
	    i18n_nlanguages)) != NULL)
		return l;
	return lang_supported(def) ? def : "pl";
}

/* --- formatting --------------------------------------------------------- */

/* A number or an amount is built on the stack (at most 20 digits, their
 * separators, a sign, a code or symbol: well under 96 bytes) and copied
 * to the arena once: a list page formats a hundred of them. */
struct sbuf {
	char	 s[96];
	size_t	 n;
};

static void
sput(struct sbuf *b, const char *p, size_t len)
{
	if (len > sizeof(b->s) - 1 - b->n)
		len = sizeof(b->s) - 1 - b->n;
	memcpy(b->s + b->n, p, len);
	b->n += len;
}

static void
sputs(struct sbuf *b, const char *p)
{
	sput(b, p, strlen(p));
}

/* Digits of v with groups of three separated by sep. */
static void
put_grouped(struct sbuf *b, uint64_t v, const char *sep)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0) {
		sput(b, &digits[--n], 1);
		if (n > 0 && n % 3 == 0)
			sputs(b, sep);
	}
}

static void
put_number(struct sbuf *b, int64_t value, int decimals)
{
	const struct lang_fmt *f = &lang_fmts[cur];
	uint64_t mag, scale = 1;

	for (int i = 0; i < decimals; i++)
		scale *= 10;
	if (value < 0) {
		sput(b, "-", 1);
		mag = (uint64_t)0 - (uint64_t)value;
	} else
		mag = (uint64_t)value;
	put_grouped(b, mag / scale, f->thousands);
	if (decimals > 0) {
		char frac[10];
		uint64_t rest = mag % scale;

		for (int i = decimals - 1; i >= 0; i--, rest /= 10)
			frac[i] = (char)('0' + rest % 10);
		sputs(b, f->decimal);
		sput(b, frac, (size_t)decimals);
	}
}

const char *
i18n_number(struct arena *a, int64_t value, int decimals)
{
	struct sbuf b = { .n = 0 };

	put_number(&b, value, decimals < 0 ? 0 : decimals > 9 ? 9 : decimals);
	return arena_strndup(a, b.s, b.n);
}

/* Currencies whose minor unit is not 1/100. */
static int
currency_decimals(const char *c)
{
	static const char *const zero[] = { "JPY", "KRW", "HUF", NULL };

	for (size_t i = 0; zero[i]; i++)
		if (strcmp(c, zero[i]) == 0)
			return 0;
	return 2;
}

static const char *
currency_symbol(const char *c)
{
	if (strcmp(c, "PLN") == 0)
		return strcmp(lang_fmts[cur].code, "pl") == 0 ? "zł" : NULL;
	if (strcmp(c, "EUR") == 0)
		return "€";
	if (strcmp(c, "USD") == 0)
		return "$";
	if (strcmp(c, "GBP") == 0)
		return "£";
	return NULL;
}

const char *
i18n_money(struct arena *a, int64_t minor, const char *currency)
{
	struct sbuf b = { .n = 0 };
	const char *cc = currency && *currency ? currency : "PLN";
	const char *sym = currency_symbol(cc);
	int dec = currency_decimals(cc);

	if (strcmp(lang_fmts[cur].code, "en") == 0) {
		/* English: symbol or code before the amount. */
		if (minor < 0) {
			sput(&b, "-", 1);
			minor = minor == INT64_MIN ? INT64_MAX : -minor;
		}
		if (sym != NULL)
			sputs(&b, sym);
		else {
			sputs(&b, cc);
			sputs(&b, NBSP);
		}
		put_number(&b, minor, dec);
	} else {
		put_number(&b, minor, dec);
		sputs(&b, NBSP);
		sputs(&b, sym ? sym : cc);
	}
	return arena_strndup(a, b.s, b.n);
}

/* Append v as at least width decimal digits. */
static char *
put_digits(char *p, int v, int width)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < (int)sizeof(tmp));
	while (n < width)
		tmp[n++] = '0';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Dates are on every list row: formatted by hand, not with printf (which
 * was a tenth of a 50-row page's instructions). */
static const char *
fmt_date(struct arena *a, time_t t, int with_time)
{
	const struct lang_fmt *f = &lang_fmts[cur];
	struct tm tm;
	char *out, *p;

	if (localtime_r(&t, &tm) == NULL)
		return "";
	p = out = arena_alloc(a, 40);
	if (f->months[0] != NULL) {
		p = put_digits(p, tm.tm_mday, 1);
		*p++ = ' ';
		memcpy(p, f->months[tm.tm_mon], 3);
		p += 3;
		*p++ = ' ';
		p = put_digits(p, tm.tm_year + 1900, 4);
		if (with_time)
			*p++ = ',';
	} else {
		p = put_digits(p, tm.tm_mday, 2);
		*p++ = '.';
		p = put_digits(p, tm.tm_mon + 1, 2);
		*p++ = '.';
		p = put_digits(p, tm.tm_year + 1900, 4);
	}
	if (with_time) {
		*p++ = ' ';
		p = put_digits(p, tm.tm_hour, 2);
		*p++ = ':';
		p = put_digits(p, tm.tm_min, 2);
	}
	*p = '\0';
	return out;
}

const char *
i18n_date(struct arena *a, time_t t)
{
	return fmt_date(a, t, 0);
}

const char *
i18n_datetime(struct arena *a, time_t t)
{
	return fmt_date(a, t, 1);
}

/* --- template filters ----------------------------------------------------- */

static const char *
flt_money(void *ud, struct arena *a, json_t *v)
{
	json_t *amt, *cc;

	(void)ud;
	if (json_is_integer(v))
		return i18n_money(a, json_integer_value(v), "PLN");
	if (!json_is_object(v))
		return NULL;
	amt = json_object_get(v, "amount");
	cc = json_object_get(v, "currency");
	if (!json_is_integer(amt))
		return NULL;
	return i18n_money(a, json_integer_value(amt),
	    json_is_string(cc) ? json_string_value(cc) : "PLN");
}

static const char *
flt_num(void *ud, struct arena *a, json_t *v)
{
	(void)ud;
	return json_is_integer(v) ? i18n_number(a, json_integer_value(v), 0) :
	    NULL;
}

static const char *
flt_date(void *ud, struct arena *a, json_t *v)
{
	(void)ud;
	return json_is_integer(v) && json_integer_value(v) > 0 ?
	    i18n_date(a, (time_t)json_integer_value(v)) : NULL;
}

static const char *
flt_datetime(void *ud, struct arena *a, json_t *v)
{
	(void)ud;
	return json_is_integer(v) && json_integer_value(v) > 0 ?
	    i18n_datetime(a, (time_t)json_integer_value(v)) : NULL;
}

const struct tmpl_filter i18n_filters[] = {
	{ "money", flt_money },
	{ "num", flt_num },
	{ "date", flt_date },
	{ "datetime", flt_datetime },
	{ NULL, NULL }
};
