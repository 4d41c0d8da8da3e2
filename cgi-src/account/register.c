/*
 * register.c: the public registration form for a new B2B account (A5).
 *
 * GET /register shows the form; POST /register checks it (the NIP by its
 * checksum, an EU VAT number by its shape, the post code by the country)
 * and either shows it again with everything typed and each problem named
 * (422), or stores a pending registration, queues a mail confirming it was
 * received and writes the audit log, all in one write transaction, then
 * sends the browser to /register/sent (303, so a reload does not send it
 * twice).  Staff decide in the CMS (cgi-src/cms/registrations.c).
 *
 * Abuse: at most REG_PER_HOUR registrations per source address in an hour
 * (429 with the form kept), and one pending registration per NIP and per
 * e-mail address.  nginx's own limit on the location stands in front.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../auth/auth.h"
#include "account_pages.h"
#include "acct.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "req.h"

#define REG_PER_HOUR	5

static const struct acct_field f_company[] = {
	{ "company", N_("Nazwa firmy"), AF_TEXT, AF_REQUIRED, 200,
	    "organization", NULL },
	{ "nip", N_("NIP"), AF_NIP, AF_REQUIRED, 20, NULL,
	    N_("10 cyfr, np. 123-456-32-18; firma z innego kraju UE: kod "
	    "kraju i numer VAT, np. DE123456789.") },
	{ "invoice_kind", N_("Dokument sprzedaży"), AF_SELECT, AF_REQUIRED,
	    20, NULL, NULL },
};
static const struct acct_field f_address[] = {
	{ "street", N_("Ulica i numer"), AF_TEXT, AF_REQUIRED, 200,
	    "address-line1", NULL },
	{ "postcode", N_("Kod pocztowy"), AF_POSTCODE, AF_REQUIRED, 10,
	    "postal-code", N_("W Polsce w postaci 00-000.") },
	{ "city", N_("Miejscowość"), AF_TEXT, AF_REQUIRED, 100,
	    "address-level2", NULL },
	{ "country", N_("Kraj"), AF_SELECT, AF_REQUIRED, 2, "country", NULL },
};
static const struct acct_field f_delivery[] = {
	{ "delivery_street", N_("Ulica i numer"), AF_TEXT, 0, 200,
	    "shipping address-line1", NULL },
	{ "delivery_postcode", N_("Kod pocztowy"), AF_POSTCODE, 0, 10,
	    "shipping postal-code", NULL },
	{ "delivery_city", N_("Miejscowość"), AF_TEXT, 0, 100,
	    "shipping address-level2", NULL },
};
static const struct acct_field f_contact[] = {
	{ "contact_name", N_("Imię i nazwisko"), AF_TEXT, AF_REQUIRED, 120,
	    "name", NULL },
	{ "contact_email", N_("E-mail"), AF_EMAIL, AF_REQUIRED, 254,
	    "email", N_("Na ten adres wyślemy link do ustawienia hasła.") },
	{ "contact_phone", N_("Telefon"), AF_TEL, 0, 30, "tel", NULL },
	{ "lang", N_("Język portalu i wiadomości"), AF_SELECT, AF_REQUIRED, 2,
	    NULL, NULL },
	{ "message", N_("Wiadomość dla nas (nieobowiązkowo)"), AF_TEXTAREA, 0,
	    2000, NULL, NULL },
};
#define NF(a)	(sizeof(a) / sizeof((a)[0]))

json_t *
account_invoice_kind_options(void)
{
	return json_pack("[{s:s, s:s}, {s:s, s:s}]",
	    "v", "invoice", "t", _("Faktura VAT"),
	    "v", "receipt", "t", _("Paragon"));
}

/* The "problems" summary: one entry per field in trouble, in form order. */
static void
add_problems(json_t *problems, json_t *fields)
{
	size_t i;
	json_t *f;

	json_array_foreach(fields, i, f)
		if (json_is_string(json_object_get(f, "error")))
			json_array_append(problems, f);
}

json_t *
account_form_group(json_t *groups, json_t *problems, const char *legend,
    json_t *fields)
{
	json_array_append_new(groups, json_pack("{s:s, s:o}", "legend",
	    legend, "fields", fields));
	if (problems != NULL)
		add_problems(problems, fields);
	return groups;
}

static void
render(struct req *r, int status, struct acct_form *f)
{
	json_t *ctx = page_ctx(r, _("Rejestracja firmy"), AREA_PUBLIC);
	json_t *opts = json_pack("{s:o, s:o, s:o}",
	    "invoice_kind", account_invoice_kind_options(),
	    "country", acct_country_options(),
	    "lang", acct_lang_options());
	json_t *groups = json_array(), *problems = json_array();

	account_form_group(groups, problems, _("Firma"),
	    acct_form_fields(f, f_company, NF(f_company), opts));
	account_form_group(groups, problems, _("Adres firmy"),
	    acct_form_fields(f, f_address, NF(f_address), opts));
	account_form_group(groups, problems,
	    _("Adres dostawy (jeśli inny niż adres firmy)"),
	    acct_form_fields(f, f_delivery, NF(f_delivery), opts));
	account_form_group(groups, problems, _("Osoba kontaktowa"),
	    acct_form_fields(f, f_contact, NF(f_contact), opts));
	json_object_set_new(ctx, "groups", groups);
	json_object_set_new(ctx, "problems", problems);
	page_render(r, status, "account/register.html", ctx);
}

/* GET /register */
void
account_register_form(struct req *r)
{
	struct acct_form f;

	acct_form_init(&f, r);
	acct_form_set(&f, "country", "PL");
	acct_form_set(&f, "invoice_kind", "invoice");
	acct_form_set(&f, "lang", r->lang);
	render(r, 200, &f);
}

enum reg_count { COUNT_IP, COUNT_NIP, COUNT_EMAIL };

/* Rows that block a new registration: recent ones from the address
 * (since), a pending one for the NIP or for the e-mail.  -1 on a database
 * error. */
static int
count(struct req *r, enum reg_count what, const char *key, int64_t since)
{
	static const char q_ip[] =
	    "SELECT count(*) FROM registration WHERE ip = ? AND created_at > ?";
	static const char q_nip[] =
	    "SELECT count(*) FROM registration WHERE nip = ? "
	    "AND status = 'pending'";
	static const char q_email[] =
	    "SELECT count(*) FROM registration WHERE contact_email = ? "
	    "AND status = 'pending'";
	sqlite3_stmt *st;
	int n = -1;

	if (what == COUNT_IP)
		st = db_prepare(r->db, q_ip);
	else if (what == COUNT_NIP)
		st = db_prepare(r->db, q_nip);
	else
		st = db_prepare(r->db, q_email);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, key);
	if (what == COUNT_IP)
		db_bind_int(st, 2, since);
	if (db_step(r->db, st) == SQLITE_ROW)
		n = (int)db_col_int(st, 0);
	db_done(r->db, st);
	return n;
}

/* The confirmation, in the language the registrant chose. */
static int
queue_confirmation(struct req *r, struct acct_form *f, int64_t now)
{
	const char *lang = acct_form_get(f, "lang");
	const char *subject, *body;
	int rc;

	i18n_use(lang);
	subject = _("Otrzymaliśmy zgłoszenie rejestracji");
	body = arena_printf(r->arena, "%s\n\n%s: %s\n%s: %s\n\n%s\n",
	    _("Dziękujemy za zgłoszenie firmy w naszym portalu B2B."),
	    _("Firma"), acct_form_get(f, "company"),
	    _("NIP"), acct_form_get(f, "nip"),
	    _("Sprawdzimy dane i poinformujemy Cię e-mailem o decyzji. Po "
	    "akceptacji otrzymasz link do ustawienia hasła."));
	subject = arena_strdup(r->arena, subject);
	i18n_use(r->lang);
	rc = auth_mail_queue(r->db, now, acct_form_get(f, "contact_email"),
	    subject, body);
	return rc;
}

/* POST /register */
void
account_register_submit(struct req *r)
{
	static const char q_ins[] =
	    "INSERT INTO registration (created_at, company, nip, street, "
	    "postcode, city, country, delivery_street, delivery_postcode, "
	    "delivery_city, contact_name, contact_email, contact_phone, lang, "
	    "invoice_kind, message, ip) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, ?17)";
	struct acct_form f;
	sqlite3_stmt *st;
	int64_t now = auth_now(r->cfg), id;
	const char *country, *ip = r->remote_addr ? r->remote_addr : "";
	int n, rc;

	acct_form_init(&f, r);
	acct_form_read(&f, f_company, NF(f_company));
	acct_form_read(&f, f_address, NF(f_address));
	acct_form_read(&f, f_delivery, NF(f_delivery));
	acct_form_read(&f, f_contact, NF(f_contact));

	/* Choices from the lists only. */
	if (strcmp(acct_form_get(&f, "invoice_kind"), "invoice") != 0 &&
	    strcmp(acct_form_get(&f, "invoice_kind"), "receipt") != 0)
		acct_form_error(&f, "invoice_kind", _("Wybierz z listy."));
	country = acct_form_get(&f, "country");
	if (!acct_country_ok(country))
		acct_form_error(&f, "country", _("Wybierz z listy."));
	if (!acct_lang_ok(acct_form_get(&f, "lang")))
		acct_form_error(&f, "lang", _("Wybierz z listy."));
	if (*acct_form_get(&f, "postcode") != '\0' &&
	    !acct_postcode_ok(country, acct_form_get(&f, "postcode")))
		acct_form_error(&f, "postcode", _("Nieprawidłowy kod "
		    "pocztowy dla wybranego kraju."));
	/* The delivery address: all of it or none. */
	if (*acct_form_get(&f, "delivery_street") != '\0' ||
	    *acct_form_get(&f, "delivery_postcode") != '\0' ||
	    *acct_form_get(&f, "delivery_city") != '\0') {
		if (*acct_form_get(&f, "delivery_street") == '\0')
			acct_form_error(&f, "delivery_street", _("Podaj "
			    "ulicę albo zostaw adres dostawy pusty."));
		if (*acct_form_get(&f, "delivery_city") == '\0')
			acct_form_error(&f, "delivery_city", _("Podaj "
			    "miejscowość albo zostaw adres dostawy pusty."));
		if (!acct_postcode_ok(country,
		    acct_form_get(&f, "delivery_postcode")))
			acct_form_error(&f, "delivery_postcode",
			    _("Nieprawidłowy kod pocztowy dla wybranego "
			    "kraju."));
	}
	if (f.nerr > 0) {
		render(r, 422, &f);
		return;
	}

	if (acct_begin(r) != 0)
		return;
	if ((n = count(r, COUNT_IP, ip, now - 3600)) < 0)
		goto fail;
	if (n >= REG_PER_HOUR) {
		db_rollback(r->db);
		log_info("registration: throttled %s", ip);
		acct_form_error(&f, "company", _("Z tego adresu wysłano "
		    "ostatnio zbyt wiele zgłoszeń. Spróbuj ponownie za "
		    "godzinę."));
		render(r, 429, &f);
		return;
	}
	if ((n = count(r, COUNT_NIP, acct_form_get(&f, "nip"), 0)) < 0)
		goto fail;
	if (n > 0)
		acct_form_error(&f, "nip", _("Zgłoszenie firmy z tym NIP "
		    "czeka już na rozpatrzenie."));
	if ((n = count(r, COUNT_EMAIL,
	    acct_form_get(&f, "contact_email"), 0)) < 0)
		goto fail;
	if (n > 0)
		acct_form_error(&f, "contact_email", _("Zgłoszenie z tym "
		    "adresem e-mail czeka już na rozpatrzenie."));
	if (f.nerr > 0) {
		db_rollback(r->db);
		render(r, 422, &f);
		return;
	}

	if ((st = db_prepare(r->db, q_ins)) == NULL)
		goto fail;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, acct_form_get(&f, "company"));
	db_bind_text(st, 3, acct_form_get(&f, "nip"));
	db_bind_text(st, 4, acct_form_get(&f, "street"));
	db_bind_text(st, 5, acct_form_get(&f, "postcode"));
	db_bind_text(st, 6, acct_form_get(&f, "city"));
	db_bind_text(st, 7, country);
	db_bind_text(st, 8, acct_form_get(&f, "delivery_street"));
	db_bind_text(st, 9, acct_form_get(&f, "delivery_postcode"));
	db_bind_text(st, 10, acct_form_get(&f, "delivery_city"));
	db_bind_text(st, 11, acct_form_get(&f, "contact_name"));
	db_bind_text(st, 12, acct_form_get(&f, "contact_email"));
	db_bind_text(st, 13, acct_form_get(&f, "contact_phone"));
	db_bind_text(st, 14, acct_form_get(&f, "lang"));
	db_bind_text(st, 15, acct_form_get(&f, "invoice_kind"));
	db_bind_text(st, 16, acct_form_get(&f, "message"));
	db_bind_text(st, 17, ip);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	id = db_last_rowid(r->db);
	if (queue_confirmation(r, &f, now) != 0 ||
	    auth_audit(r->db, r, 0, "registration.submit", "registration", id,
	    0, acct_form_get(&f, "nip")) != 0)
		goto fail;
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, "/register/sent");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* GET /register/sent */
void
account_register_sent(struct req *r)
{
	json_t *ctx = page_ctx(r, _("Zgłoszenie przyjęte"), AREA_PUBLIC);

	page_render(r, 200, "account/register_sent.html", ctx);
}
