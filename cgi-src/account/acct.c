/*
 * acct.c: form reading and checking, list cursors and the mail queue for
 * the account and CMS account pages (acct.h says what each does).
 *
 * A value is cleaned before it is judged: leading and trailing blanks go,
 * it must be valid UTF-8 (jansson refuses anything else, and a value that
 * cannot be shown back cannot be kept) and free of control characters.
 * A value that fails cleaning is kept as "" with its problem named, so the
 * page can still be shown.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../auth/auth.h"
#include "acct.h"
#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "nip.h"
#include "perm.h"
#include "req.h"
#include "tmpl.h"

void
acct_form_init(struct acct_form *f, struct req *r)
{
	f->r = r;
	f->values = json_object();
	f->errors = json_object();
	f->nerr = 0;
}

const char *
acct_form_get(const struct acct_form *f, const char *name)
{
	const char *v = json_string_value(json_object_get(f->values, name));

	return v ? v : "";
}

void
acct_form_set(struct acct_form *f, const char *name, const char *value)
{
	json_t *s = json_string(value ? value : "");

	json_object_set_new(f->values, name, s ? s : json_string(""));
}

void
acct_form_error(struct acct_form *f, const char *name, const char *message)
{
	if (json_object_get(f->errors, name) != NULL)
		return;
	json_object_set_new(f->errors, name, json_string(message));
	f->nerr++;
}

/* Length of the UTF-8 sequence starting at s (1..4), 0 if malformed. */
static size_t
utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned min, cp;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

const char *
acct_clean(struct req *r, const char *s, int multiline, size_t *nchars)
{
	const unsigned char *p, *end;
	size_t n = 0, len;

	if (s == NULL)
		s = "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	p = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		size_t k = utf8_seq(p);

		if (k == 0 || p + k > end)
			return NULL;
		if (k == 1 && (*p < 0x20 || *p == 0x7f) &&
		    !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
			return NULL;
		p += k;
		n++;
	}
	if (nchars != NULL)
		*nchars = n;
	return arena_strndup(r->arena, s, len);
}

int
acct_email_ok(const char *e)
{
	const char *at = strchr(e, '@'), *dot;
	size_t len = strlen(e);

	if (at == NULL || at == e || len > 254 || strchr(at + 1, '@'))
		return 0;
	if ((size_t)(at - e) > 64)
		return 0;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' ||
		    *p == ',' || *p == ';' || *p == '"' || *p == '\\' ||
		    *p == '(' || *p == ')' || *p == '[' || *p == ']')
			return 0;
	dot = strrchr(at, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0' &&
	    strstr(at, "..") == NULL && at[1] != '.';
}

int
acct_postcode_ok(const char *country, const char *pc)
{
	size_t n = strlen(pc);

	if (country != NULL && strcmp(country, "PL") == 0)
		return n == 6 && strspn(pc, "0123456789") == 2 &&
		    pc[2] == '-' &&
		    strspn(pc + 3, "0123456789") == 3;
	if (n < 2 || n > 10)
		return 0;
	return strspn(pc, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz -") == n;
}

static int
tel_ok(const char *t)
{
	size_t digits = 0;

	for (const char *p = t; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (strchr(" +-()/", *p) == NULL)
			return 0;
	}
	return digits >= 6 && digits <= 15;
}

static const char *
lower(struct req *r, const char *s)
{
	char *o = arena_strdup(r->arena, s);

	for (char *p = o; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return o;
}

int
acct_form_read(struct acct_form *f, const struct acct_field *t, size_t n)
{
	struct req *r = f->r;

	for (size_t i = 0; i < n; i++) {
		const struct acct_field *d = &t[i];
		const char *raw, *v;
		size_t chars = 0, max = d->maxlen ? d->maxlen : 200;
		char nip[NIP_MAX];

		if (d->flags & AF_READONLY)
			continue;
		raw = req_form(r, d->name);
		if (d->type == AF_CHECK) {
			acct_form_set(f, d->name, raw != NULL &&
			    strcmp(raw, "1") == 0 ? "1" : "");
			continue;
		}
		if (d->type == AF_PASSWORD) {
			/* Passwords are not trimmed: every byte counts. */
			acct_form_set(f, d->name, raw ? raw : "");
			if ((d->flags & AF_REQUIRED) && (raw == NULL ||
			    *raw == '\0'))
				acct_form_error(f, d->name,
				    _("To pole jest wymagane."));
			continue;
		}
		v = acct_clean(r, raw, d->type == AF_TEXTAREA, &chars);
		if (v == NULL) {
			acct_form_set(f, d->name, "");
			acct_form_error(f, d->name, _("Pole zawiera "
			    "niedozwolone znaki."));
			continue;
		}
		acct_form_set(f, d->name, v);
		if (*v == '\0') {
			if (d->flags & AF_REQUIRED)
				acct_form_error(f, d->name,
				    _("To pole jest wymagane."));
			continue;
		}
		if (chars > max) {
			acct_form_error(f, d->name, arena_printf(r->arena,
			    "%s %u.", _("Za długi tekst; najwyżej znaków:"),
			    (unsigned)max));
			continue;
		}
		switch (d->type) {
		case AF_EMAIL:
			v = lower(r, v);
			acct_form_set(f, d->name, v);
			if (!acct_email_ok(v))
				acct_form_error(f, d->name, _("Podaj adres "
				    "e-mail w postaci nazwa@firma.pl."));
			break;
		case AF_TEL:
			if (!tel_ok(v))
				acct_form_error(f, d->name, _("Podaj numer "
				    "telefonu: cyfry, spacje, + - ( )."));
			break;
		case AF_POSTCODE:
			/* The country decides the format: the caller
			 * checks with acct_postcode_ok(). */
			break;
		case AF_NIP:
			switch (nip_check(v, nip, sizeof(nip))) {
			case NIP_OK_PL:
			case NIP_OK_EU:
				acct_form_set(f, d->name, nip);
				break;
			case NIP_BAD_CHECKSUM:
				acct_form_error(f, d->name, _("Ten NIP ma "
				    "błędną cyfrę kontrolną. Sprawdź, czy "
				    "nie ma literówki."));
				break;
			default:
				acct_form_error(f, d->name, _("Podaj NIP "
				    "(10 cyfr) albo numer VAT UE z kodem "
				    "kraju, np. DE123456789."));
				break;
			}
			break;
		default:
			break;
		}
	}
	return f->nerr;
}

json_t *
acct_form_fields(const struct acct_form *f, const struct acct_field *t,
    size_t n, json_t *options)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct acct_field *d = &t[i];
		const char *v = acct_form_get(f, d->name);
		json_t *err = json_object_get(f->errors, d->name);
		json_t *o = json_object(), *opts = NULL;
		const char *type;

		switch (d->type) {
		case AF_EMAIL:		type = "email"; break;
		case AF_TEL:		type = "tel"; break;
		case AF_PASSWORD:	type = "password"; break;
		default:		type = "text"; break;
		}
		if (d->type == AF_SELECT) {
			json_t *src = json_object_get(options, d->name), *it;
			size_t k;

			opts = json_array();
			json_array_foreach(src, k, it) {
				const char *ov = json_string_value(
				    json_object_get(it, "v"));

				json_array_append_new(opts, json_pack(
				    "{s:s, s:O, s:b}", "v", ov ? ov : "",
				    "t", json_object_get(it, "t"),
				    "sel", ov != NULL && strcmp(ov, v) == 0));
			}
		}
		json_object_set_new(o, "id", json_string(arena_printf(
		    f->r->arena, "f-%s", d->name)));
		json_object_set_new(o, "name", json_string(d->name));
		json_object_set_new(o, "label", json_string(_(d->label)));
		json_object_set_new(o, "type", json_string(type));
		json_object_set_new(o, "value", json_string(
		    d->type == AF_PASSWORD ? "" : v));
		json_object_set_new(o, "error", err ? json_incref(err) :
		    json_null());
		json_object_set_new(o, "required",
		    json_boolean(d->flags & AF_REQUIRED));
		json_object_set_new(o, "readonly",
		    json_boolean(d->flags & AF_READONLY));
		json_object_set_new(o, "maxlen",
		    json_integer(d->maxlen ? d->maxlen : 200));
		json_object_set_new(o, "autocomplete",
		    d->autocomplete ? json_string(d->autocomplete) :
		    json_null());
		json_object_set_new(o, "hint", d->hint ?
		    json_string(_(d->hint)) : json_null());
		json_object_set_new(o, "textarea",
		    json_boolean(d->type == AF_TEXTAREA));
		json_object_set_new(o, "check",
		    json_boolean(d->type == AF_CHECK));
		json_object_set_new(o, "options", opts ? opts : json_null());
		json_array_append_new(list, o);
	}
	return list;
}

static const char *const lang_codes[] = { "pl", "en", "de" };
static const char *const lang_labels[] = { "Polski", "English", "Deutsch" };

json_t *
acct_lang_options(void)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(lang_codes) / sizeof(lang_codes[0]); i++)
		json_array_append_new(a, json_pack("{s:s, s:s}",
		    "v", lang_codes[i], "t", lang_labels[i]));
	return a;
}

int
acct_lang_ok(const char *l)
{
	for (size_t i = 0; i < sizeof(lang_codes) / sizeof(lang_codes[0]); i++)
		if (strcmp(l, lang_codes[i]) == 0)
			return 1;
	return 0;
}

/* Countries a delivery or company address may be in: Poland and its
 * neighbours and trading partners in the EU and around it. */
static const struct { const char *code, *name; } countries[] = {
	{ "PL", N_("Polska") },
	{ "AT", N_("Austria") },
	{ "BE", N_("Belgia") },
	{ "BY", N_("Białoruś") },
	{ "CZ", N_("Czechy") },
	{ "DK", N_("Dania") },
	{ "EE", N_("Estonia") },
	{ "FR", N_("Francja") },
	{ "ES", N_("Hiszpania") },
	{ "NL", N_("Holandia") },
	{ "IE", N_("Irlandia") },
	{ "LT", N_("Litwa") },
	{ "LU", N_("Luksemburg") },
	{ "LV", N_("Łotwa") },
	{ "DE", N_("Niemcy") },
	{ "NO", N_("Norwegia") },
	{ "SK", N_("Słowacja") },
	{ "SE", N_("Szwecja") },
	{ "CH", N_("Szwajcaria") },
	{ "UA", N_("Ukraina") },
	{ "HU", N_("Węgry") },
	{ "GB", N_("Wielka Brytania") },
	{ "IT", N_("Włochy") },
};

json_t *
acct_country_options(void)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		json_array_append_new(a, json_pack("{s:s, s:s}",
		    "v", countries[i].code, "t", _(countries[i].name)));
	return a;
}

int
acct_country_ok(const char *c)
{
	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		if (strcmp(c, countries[i].code) == 0)
			return 1;
	return 0;
}

int
acct_cursor(struct req *r, int64_t *before)
{
	const char *s = req_query(r, "before");
	char *end;
	long long v;

	*before = INT64_MAX;
	if (s == NULL || *s == '\0')
		return 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0 || strlen(s) > 18)
		goto bad;
	*before = v;
	return 0;
bad:
	page_error(r, 400, _("Nieprawidłowy numer strony."));
	return -1;
}

void
acct_form_load(struct acct_form *f, const struct acct_field *fields,
    size_t n, sqlite3_stmt *st)
{
	for (size_t i = 0; i < n; i++)
		acct_form_set(f, fields[i].name, db_col_text(st, (int)i));
}

int
acct_begin(struct req *r)
{
	int rc;

	if ((rc = db_begin_write(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return -1;
	}
	return 0;
}

int
acct_commit(struct req *r)
{
	int rc;

	if ((rc = db_commit(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return -1;
	}
	return 0;
}

void
acct_commit_and_go(struct req *r, const char *to)
{
	if (acct_commit(r) == 0)
		resp_redirect(r, 303, to);
}

int
acct_set_disabled(struct req *r, int64_t id, int disabled)
{
	switch (auth_user_set_disabled(r->db, r, id, disabled)) {
	case AUTH_OK:
		return 0;
	case AUTH_BUSY:
		page_error(r, 503, NULL);
		return -1;
	default:
		page_error(r, 500, NULL);
		return -1;
	}
}

const char *
acct_search(struct req *r)
{
	size_t n;
	const char *q = acct_clean(r, req_query(r, "q"), 0, &n);

	if (q == NULL || *q == '\0' || n > 100)
		return NULL;
	return q;
}

static const char *const perm_labels[PERM__MAX] = {
	[PERM_ORDERS_VIEW] = N_("Przeglądanie zamówień"),
	[PERM_ORDERS_PLACE] = N_("Składanie zamówień"),
	[PERM_ORDERS_APPROVE] = N_("Zatwierdzanie zamówień"),
	[PERM_PRICES_VIEW] = N_("Ceny"),
	[PERM_INVOICES_VIEW] = N_("Faktury"),
	[PERM_COMPLAINTS_FILE] = N_("Zgłaszanie reklamacji"),
	[PERM_RFQ_CREATE] = N_("Zapytania ofertowe"),
	[PERM_MAIL_USE] = N_("Poczta"),
	[PERM_TASKS_USE] = N_("Zadania"),
	[PERM_USERS_MANAGE] = N_("Zarządzanie współpracownikami, oddziałami i "
	    "adresami"),
	[PERM_CMS] = N_("Panel administracyjny"),
	[PERM_CMS_SYNC] = N_("CMS: synchronizacja z ERP"),
	[PERM_CMS_USERS] = N_("CMS: klienci, użytkownicy, rejestracje"),
	[PERM_CMS_CONTENT] = N_("CMS: treści"),
	[PERM_CMS_TRANSLATIONS] = N_("CMS: tłumaczenia"),
	[PERM_CMS_COMPLAINTS] = N_("CMS: reklamacje"),
	[PERM_CMS_ORDERS] = N_("CMS: zamówienia"),
	[PERM_CMS_STAFF] = N_("CMS: pracownicy i role"),
	[PERM_CMS_AUDIT] = N_("CMS: dziennik zdarzeń"),
	[PERM_CMS_IMPERSONATE] = N_("CMS: logowanie jako użytkownik"),
	[PERM_MARKETING_VIEW] = N_("Przeglądanie i pobieranie materiałów"),
};

const char *
acct_perm_label(int p)
{
	if (p < 0 || p >= PERM__MAX || perm_labels[p] == NULL)
		return perm_name((enum perm)p);
	return _(perm_labels[p]);
}

const char *
acct_role_label(const char *role)
{
	static const struct { const char *name, *label; } roles[] = {
		{ "customer_admin", N_("Administrator firmy") },
		{ "buyer", N_("Zakupy") },
		{ "viewer", N_("Podgląd zamówień") },
		{ "accountant", N_("Księgowość") },
		{ "admin", N_("Administrator (wszystko)") },
		{ "complaints", N_("Reklamacje") },
		{ "sync", N_("Synchronizacja z ERP") },
		{ "content", N_("Treści i tłumaczenia") },
		{ "users", N_("Klienci i użytkownicy") },
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(role, roles[i].name) == 0)
			return _(roles[i].label);
	return role;
}

json_t *
acct_perm_boxes(uint64_t offer, uint64_t chosen)
{
	json_t *a = json_array();

	for (int p = PERM_LOGIN + 1; p < PERM__MAX; p++) {
		char name[64], id[70];

		if (!(offer & AUTH_BIT(p)))
			continue;
		snprintf(name, sizeof(name), "perm_%s",
		    perm_name((enum perm)p));
		/* An id holds letters, digits, '-' and '_': no dots. */
		snprintf(id, sizeof(id), "f-%s", name);
		for (char *c = id; *c; c++)
			if (*c == '.')
				*c = '-';
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b}",
		    "name", name, "id", id, "label", acct_perm_label(p),
		    "perm", perm_name((enum perm)p),
		    "checked", (chosen & AUTH_BIT(p)) != 0));
	}
	return a;
}

uint64_t
acct_perms_asked(struct req *r, int *bad)
{
	uint64_t m = 0;

	*bad = 0;
	for (size_t i = 0; i < r->formn; i++) {
		const char *k = r->form[i].key;
		int p;

		if (strncmp(k, "perm_", 5) != 0)
			continue;
		if (strcmp(r->form[i].val, "1") != 0)
			continue;
		if ((p = auth_perm_by_name(k + 5)) <= PERM_LOGIN) {
			*bad = 1;
			continue;
		}
		m |= AUTH_BIT(p);
	}
	return m;
}

uint64_t
acct_perms_ticked(struct req *r, uint64_t offer)
{
	int bad;

	return acct_perms_asked(r, &bad) & offer;
}

const char *
acct_perms_text(struct req *r, uint64_t m)
{
	struct buf b = BUF_INIT;
	const char *s;

	for (int p = 0; p < PERM__MAX; p++)
		if (m & AUTH_BIT(p)) {
			if (b.len)
				buf_puts(&b, ", ");
			buf_puts(&b, perm_name((enum perm)p));
		}
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

void
acct_pager(struct req *r, json_t *ctx, const char *path,
    const char *const *keys, int64_t next)
{
	struct buf b = BUF_INIT;
	json_t *p = json_object();
	const char *qs;

	for (; keys != NULL && *keys != NULL; keys++) {
		const char *v = req_query(r, *keys);

		if (v == NULL || *v == '\0')
			continue;
		if (b.len)
			buf_putc(&b, '&');
		buf_puts(&b, *keys);
		buf_putc(&b, '=');
		url_escape(&b, v, strlen(v));
	}
	qs = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	json_object_set_new(ctx, "filters", json_string(qs));
	if (req_query(r, "before") != NULL)
		json_object_set_new(p, "first", json_string(*qs ?
		    arena_printf(r->arena, "%s?%s", path, qs) : path));
	if (next > 0)
		json_object_set_new(p, "next", json_string(arena_printf(
		    r->arena, "%s?%s%sbefore=%" PRId64, path, qs,
		    *qs ? "&" : "",
		    next)));
	json_object_set_new(ctx, "pager", p);
}
