/*
 * profile.c: the company profile (A7) and the user's own language.
 *
 * GET /account/profile shows, for a customer's user, what the ERP keeps
 * about the company (name, code, tax id, terms, the ERP's addresses:
 * read-only, since the sync would overwrite any change made here) and what
 * the portal keeps (invoice or receipt, the data for those documents:
 * customer.inv_*, db/0004_account_pages.sql), editable by the customer's
 * admin for the whole company (users.manage, not limited to a branch).
 * Every user, staff too, sets their own language there.
 *
 * Every query binds the session's customer id (auth_require_customer);
 * nothing here takes a customer id from the URL or the form.
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
#include "page.h"
#include "req.h"

static const struct acct_field f_invoice[] = {
	{ "invoice_kind", N_("Dokument sprzedaży"), AF_SELECT, AF_REQUIRED,
	    20, NULL, NULL },
	{ "inv_name", N_("Nazwa na dokumentach"), AF_TEXT, AF_REQUIRED, 200,
	    "organization", NULL },
	{ "inv_nip", N_("NIP"), AF_NIP, 0, 20, NULL,
	    N_("Wymagany do faktury. 10 cyfr albo numer VAT UE z kodem "
	    "kraju.") },
	{ "inv_street", N_("Ulica i numer"), AF_TEXT, AF_REQUIRED, 200,
	    "address-line1", NULL },
	{ "inv_postcode", N_("Kod pocztowy"), AF_POSTCODE, AF_REQUIRED, 10,
	    "postal-code", NULL },
	{ "inv_city", N_("Miejscowość"), AF_TEXT, AF_REQUIRED, 100,
	    "address-level2", NULL },
	{ "inv_country", N_("Kraj"), AF_SELECT, AF_REQUIRED, 2, "country",
	    NULL },
	{ "inv_email", N_("E-mail do dokumentów"), AF_EMAIL, 0, 254, "email",
	    NULL },
	{ "inv_phone", N_("Telefon"), AF_TEL, 0, 30, "tel", NULL },
};
static const struct acct_field f_lang[] = {
	{ "lang", N_("Język portalu i wiadomości"), AF_SELECT, AF_REQUIRED, 2,
	    NULL, NULL },
};
#define NF(a)	(sizeof(a) / sizeof((a)[0]))

/* The customer's invoice data into the form (the values shown when it is
 * not being corrected).  0, or -1 (no such customer: a database error). */
static int
load_invoice(struct req *r, int64_t cust, struct acct_form *f)
{
	static const char q[] =
	    "SELECT invoice_kind, inv_name, inv_nip, inv_street, inv_postcode, "
	    "inv_city, inv_country, inv_email, inv_phone FROM customer "
	    "WHERE id = ?";
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, cust);
	if (db_step(r->db, st) == SQLITE_ROW) {
		acct_form_load(f, f_invoice, NF(f_invoice), st);
		rc = 0;
	}
	db_done(r->db, st);
	return rc;
}

/* What the ERP keeps: the card and its addresses (read-only here). */
static json_t *
load_erp(struct req *r, int64_t cust)
{
	static const char q_card[] =
	    "SELECT name, code, nip, email, phone, currency, payment_days, "
	    "credit_limit, grp, erp_uuid LIKE 'portal:%' FROM customer "
	    "WHERE id = ?";
	static const char q_addr[] =
	    "SELECT kind, name, street, postcode, city, country "
	    "FROM customer_address WHERE customer_id = ? "
	    "ORDER BY kind, is_default DESC, id";
	sqlite3_stmt *st;
	json_t *o = NULL, *addrs = json_array();

	if ((st = db_prepare(r->db, q_card)) == NULL)
		return NULL;
	db_bind_int(st, 1, cust);
	if (db_step(r->db, st) == SQLITE_ROW)
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, "
		    "s:{s:I, s:s}, s:s, s:b}",
		    "name", db_col_text(st, 0), "code", db_col_text(st, 1),
		    "nip", db_col_text(st, 2), "email", db_col_text(st, 3),
		    "phone", db_col_text(st, 4),
		    "currency", db_col_text(st, 5),
		    "payment_days", (json_int_t)db_col_int(st, 6),
		    "credit_limit", "amount", (json_int_t)db_col_int(st, 7),
		    "currency", db_col_text(st, 5),
		    "grp", db_col_text(st, 8),
		    "portal_only", db_col_int(st, 9) != 0);
	db_done(r->db, st);
	if (o == NULL)
		return NULL;
	if ((st = db_prepare(r->db, q_addr)) == NULL)
		return NULL;
	db_bind_int(st, 1, cust);
	while (db_step(r->db, st) == SQLITE_ROW) {
		const char *kind = db_col_text(st, 0);

		json_array_append_new(addrs, json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s}",
		    "kind", strcmp(kind, "main") == 0 ? _("Siedziba") :
		    strcmp(kind, "invoice") == 0 ? _("Do faktur") :
		    _("Dostawy"),
		    "name", db_col_text(st, 1), "street", db_col_text(st, 2),
		    "postcode", db_col_text(st, 3), "city", db_col_text(st, 4),
		    "country", db_col_text(st, 5)));
	}
	db_done(r->db, st);
	json_object_set_new(o, "addresses", addrs);
	return o;
}

/* What the user may use (B1, A3): the modules with at least one of their
 * effective permissions (the session's set already leaves out modules the
 * customer lacks), each with those actions; then the permissions that
 * belong to no module (users.manage). */
static json_t *
access_list(struct req *r)
{
	static const char *const order[] = { "orders", "catalogue",
	    "invoices", "complaints", "rfq", "mail", "tasks", "marketing" };
	/* marketing.view is held, not granted (perm.h), but it is access */
	uint64_t held = r->session->perms & (auth_customer_perms |
	    AUTH_BIT(PERM_MARKETING_VIEW));
	json_t *a = json_array(), *acts;

	for (size_t m = 0; m < sizeof(order) / sizeof(order[0]); m++) {
		acts = json_array();
		for (int p = PERM_LOGIN + 1; p < PERM__MAX; p++) {
			const char *pm = perm_module((enum perm)p);

			if ((held & AUTH_BIT(p)) && pm != NULL &&
			    strcmp(pm, order[m]) == 0)
				json_array_append_new(acts,
				    json_string(acct_perm_label(p)));
		}
		if (json_array_size(acts) > 0)
			json_array_append_new(a, json_pack("{s:s, s:s, s:o}",
			    "module", order[m],
			    "label", acct_module_label(order[m]),
			    "actions", acts));
	}
	acts = json_array();
	for (int p = PERM_LOGIN + 1; p < PERM__MAX; p++)
		if ((held & AUTH_BIT(p)) && perm_module((enum perm)p) == NULL)
			json_array_append_new(acts,
			    json_string(acct_perm_label(p)));
	if (json_array_size(acts) > 0)
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}",
		    "module", "account", "label", _("Konto firmy"),
		    "actions", acts));
	return a;
}

static int
can_edit_company(struct req *r)
{
	return perm_allows(r, PERM_USERS_MANAGE) && r->session->branch_id == 0;
}

static void
render(struct req *r, int status, struct acct_form *inv,
    struct acct_form *lang, const char *saved)
{
	json_t *ctx = page_ctx(r, _("Profil"), AREA_PORTAL);
	json_t *opts = json_pack("{s:o, s:o, s:o}",
	    "invoice_kind", account_invoice_kind_options(),
	    "inv_country", acct_country_options(),
	    "lang", acct_lang_options());
	json_t *groups, *problems, *lgroups;
	int64_t cust = r->session->customer_id;

	if (cust > 0) {
		json_t *erp = load_erp(r, cust);

		if (erp == NULL) {
			page_error(r, 500, NULL);
			return;
		}
		json_object_set_new(ctx, "customer", erp);
		json_object_set_new(ctx, "access", access_list(r));
		json_object_set_new(ctx, "can_edit",
		    json_boolean(can_edit_company(r)));
		groups = json_array();
		problems = json_array();
		account_form_group(groups, problems,
		    _("Dane do faktury lub paragonu"),
		    acct_form_fields(inv, f_invoice, NF(f_invoice), opts));
		json_object_set_new(ctx, "groups", groups);
		json_object_set_new(ctx, "problems", problems);
		json_object_set_new(ctx, "inv", json_incref(inv->values));
		json_object_set_new(ctx, "inv_kind_text", json_string(
		    strcmp(acct_form_get(inv, "invoice_kind"), "receipt") ==
		    0 ? _("Paragon") : _("Faktura VAT")));
	}
	lgroups = json_array();
	account_form_group(lgroups, NULL, _("Twoje ustawienia"),
	    acct_form_fields(lang, f_lang, NF(f_lang), opts));
	json_object_set_new(ctx, "lang_groups", lgroups);
	json_object_set_new(ctx, "me", json_pack("{s:s, s:s}",
	    "name", r->session->name ? r->session->name : "",
	    "email", r->session->email ? r->session->email : ""));
	if (saved != NULL)
		json_object_set_new(ctx, "saved", json_string(saved));
	page_render(r, status, "account/profile.html", ctx);
}

/* GET /account/profile (PERM_LOGIN) */
void
account_profile_show(struct req *r)
{
	struct acct_form inv, lang;
	const char *saved = req_query(r, "saved");

	acct_form_init(&inv, r);
	acct_form_init(&lang, r);
	if (r->session->customer_id > 0 &&
	    load_invoice(r, r->session->customer_id, &inv) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	acct_form_set(&lang, "lang", r->session->lang && *r->session->lang ?
	    r->session->lang : r->lang);
	render(r, 200, &inv, &lang, saved && strcmp(saved, "1") == 0 ?
	    _("Zapisano dane firmy.") : saved && strcmp(saved, "lang") == 0 ?
	    _("Zapisano język.") : NULL);
}

/* POST /account/profile (PERM_USERS_MANAGE): the invoice data. */
void
account_profile_save(struct req *r)
{
	static const char q_upd[] =
	    "UPDATE customer SET invoice_kind = ?2, inv_name = ?3, "
	    "inv_nip = ?4, inv_street = ?5, inv_postcode = ?6, inv_city = ?7, "
	    "inv_country = ?8, inv_email = ?9, inv_phone = ?10 WHERE id = ?1";
	struct acct_form inv, lang;
	sqlite3_stmt *st;
	int64_t cust;
	const char *kind, *country;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if (!can_edit_company(r)) {
		page_error(r, 403, NULL);
		return;
	}
	acct_form_init(&inv, r);
	acct_form_init(&lang, r);
	acct_form_read(&inv, f_invoice, NF(f_invoice));
	kind = acct_form_get(&inv, "invoice_kind");
	country = acct_form_get(&inv, "inv_country");
	if (strcmp(kind, "invoice") != 0 && strcmp(kind, "receipt") != 0)
		acct_form_error(&inv, "invoice_kind", _("Wybierz z listy."));
	if (!acct_country_ok(country))
		acct_form_error(&inv, "inv_country", _("Wybierz z listy."));
	if (strcmp(kind, "invoice") == 0 &&
	    *acct_form_get(&inv, "inv_nip") == '\0')
		acct_form_error(&inv, "inv_nip", _("Do faktury potrzebny jest "
		    "NIP."));
	if (*acct_form_get(&inv, "inv_postcode") != '\0' &&
	    !acct_postcode_ok(country, acct_form_get(&inv, "inv_postcode")))
		acct_form_error(&inv, "inv_postcode", _("Nieprawidłowy kod "
		    "pocztowy dla wybranego kraju."));
	if (inv.nerr > 0) {
		acct_form_set(&lang, "lang", r->session->lang &&
		    *r->session->lang ? r->session->lang : r->lang);
		render(r, 422, &inv, &lang, NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_upd)) == NULL)
		goto fail;
	db_bind_int(st, 1, cust);
	for (size_t i = 0; i < NF(f_invoice); i++)
		db_bind_text(st, (int)i + 2,
		    acct_form_get(&inv, f_invoice[i].name));
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE ||
	    auth_audit(r->db, r, 0, "customer.profile", "customer", cust, cust,
	    arena_printf(r->arena, "%s %s", kind,
	    acct_form_get(&inv, "inv_nip"))) != 0)
		goto fail;
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, "/account/profile?saved=1");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* POST /account/language (PERM_LOGIN): the user's own language. */
void
account_language_save(struct req *r)
{
	static const char q_upd[] =
	    "UPDATE user SET lang = ?, updated_at = ? WHERE id = ?";
	struct acct_form inv, lang;
	sqlite3_stmt *st;
	int rc;

	acct_form_init(&inv, r);
	acct_form_init(&lang, r);
	acct_form_read(&lang, f_lang, NF(f_lang));
	if (!acct_lang_ok(acct_form_get(&lang, "lang")))
		acct_form_error(&lang, "lang", _("Wybierz z listy."));
	if (lang.nerr > 0) {
		if (r->session->customer_id > 0 &&
		    load_invoice(r, r->session->customer_id, &inv) != 0) {
			page_error(r, 500, NULL);
			return;
		}
		render(r, 422, &inv, &lang, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q_upd)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, acct_form_get(&lang, "lang"));
	db_bind_int(st, 2, auth_now(r->cfg));
	db_bind_int(st, 3, r->session->user_id);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return;
	}
	resp_redirect(r, 303, "/account/profile?saved=lang");
	/* The lang cookie too, for pages outside the session. */
	resp_cookie(r, "lang", acct_form_get(&lang, "lang"), 365L * 86400,
	    COOKIE_LAX | COOKIE_HTTPONLY | (r->https ? COOKIE_SECURE : 0));
}
