/*
 * registrations.c: the CMS side of self-registration (A5, J4): staff list
 * the registrations, open one, and approve or reject it.
 *
 * The list pages by keyset on id, newest first (index registration_status
 * (status, id)); a search looks at company, NIP and e-mail.
 *
 * Approving (one write transaction): link the registration to an OknoERP
 * customer card (a synced customer; matches by NIP are suggested, any
 * other can be named by its ERP code) or make a new portal customer
 * (erp_uuid "portal:…", until the ERP card exists); switch the customer's
 * modules (B1); create the customer's admin account with the chosen role
 * (auth_can_grant: staff give no more than they could); copy the invoice
 * data and the delivery address; mark the registration approved; queue
 * the approval mail and the link to set a password; write the audit log.
 * Rejecting needs a reason, which the registrant gets by mail.  A decided
 * registration is not decided again (409).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../account/account_pages.h"
#include "../account/acct.h"
#include "../auth/auth.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "req.h"

#define LIST_PAGE	50

static const char *
status_label(const char *s)
{
	if (strcmp(s, "pending") == 0)
		return _("oczekuje");
	if (strcmp(s, "approved") == 0)
		return _("zaakceptowana");
	if (strcmp(s, "rejected") == 0)
		return _("odrzucona");
	return s;
}

/* GET /cms/registrations[?status=&q=&before=] */
void
cms_registrations_list(struct req *r)
{
	static const char q_list[] =
	    "SELECT id, created_at, company, nip, contact_name, contact_email, "
	    "status FROM registration "
	    "WHERE (?1 = '' OR status = ?1) AND id < ?2 "
	    "AND (?3 IS NULL OR company LIKE '%' || ?3 || '%' "
	    "OR nip LIKE '%' || ?3 || '%' "
	    "OR contact_email LIKE '%' || ?3 || '%') "
	    "ORDER BY id DESC LIMIT ?4";
	static const char *const keys[] = { "status", "q", NULL };
	const char *status = req_query(r, "status"), *q = acct_search(r);
	json_t *ctx, *rows = json_array();
	sqlite3_stmt *st;
	int64_t before, last = 0;
	int n = 0;

	if (acct_cursor(r, &before) != 0)
		return;
	if (status == NULL)
		status = "pending";
	if (strcmp(status, "pending") != 0 && strcmp(status, "approved") != 0 &&
	    strcmp(status, "rejected") != 0)
		status = "";
	if ((st = db_prepare(r->db, q_list)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, status);
	db_bind_int(st, 2, before);
	db_bind_text(st, 3, q);
	db_bind_int(st, 4, LIST_PAGE + 1);
	while (db_step(r->db, st) == SQLITE_ROW) {
		json_t *o;

		if (++n > LIST_PAGE)
			break;
		last = db_col_int(st, 0);
		o = json_object();
		json_object_set_new(o, "id", json_integer(last));
		json_object_set_new(o, "created_at",
		    json_integer(db_col_int(st, 1)));
		json_object_set_new(o, "company",
		    json_string(db_col_text(st, 2)));
		json_object_set_new(o, "nip", json_string(db_col_text(st, 3)));
		json_object_set_new(o, "contact",
		    json_string(db_col_text(st, 4)));
		json_object_set_new(o, "email",
		    json_string(db_col_text(st, 5)));
		json_object_set_new(o, "status",
		    json_string(status_label(db_col_text(st, 6))));
		json_array_append_new(rows, o);
	}
	db_done(r->db, st);
	ctx = page_ctx(r, _("Rejestracje"), AREA_CMS);
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "q", json_string(q ? q : ""));
	json_object_set_new(ctx, "status", json_string(*status ? status :
	    "all"));
	json_object_set_new(ctx, "statuses", json_pack(
	    "[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}, "
	    "{s:s, s:s, s:b}]",
	    "v", "pending", "t", _("Oczekujące"), "sel",
	    strcmp(status, "pending") == 0,
	    "v", "approved", "t", _("Zaakceptowane"), "sel",
	    strcmp(status, "approved") == 0,
	    "v", "rejected", "t", _("Odrzucone"), "sel",
	    strcmp(status, "rejected") == 0,
	    "v", "all", "t", _("Wszystkie"), "sel", *status == '\0'));
	acct_pager(r, ctx, "/cms/registrations", keys,
	    n > LIST_PAGE ? last : 0);
	page_render(r, 200, "cms/registrations.html", ctx);
}

/* A registration as loaded for its page and for the decisions. */
struct reg {
	int64_t		 id;
	const char	*company, *nip, *street, *postcode, *city, *country;
	const char	*d_street, *d_postcode, *d_city;
	const char	*name, *email, *phone, *lang, *invoice_kind, *message;
	const char	*ip, *status, *note;
	int64_t		 created_at, decided_at, customer_id, user_id;
	const char	*decided_by;
};

static int
reg_load(struct req *r, int64_t id, struct reg *g)
{
	static const char q[] =
	    "SELECT g.company, g.nip, g.street, g.postcode, g.city, g.country, "
	    "g.delivery_street, g.delivery_postcode, g.delivery_city, "
	    "g.contact_name, g.contact_email, g.contact_phone, g.lang, "
	    "g.invoice_kind, g.message, g.ip, g.status, g.decision_note, "
	    "g.created_at, coalesce(g.decided_at, 0), "
	    "coalesce(g.customer_id, 0), coalesce(g.user_id, 0), "
	    "coalesce(u.name || ' <' || u.email || '>', '') "
	    "FROM registration g LEFT JOIN user u ON u.id = g.decided_by "
	    "WHERE g.id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, id);
	if ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		const char **s[] = { &g->company, &g->nip, &g->street,
		    &g->postcode, &g->city, &g->country, &g->d_street,
		    &g->d_postcode, &g->d_city, &g->name, &g->email,
		    &g->phone, &g->lang, &g->invoice_kind, &g->message,
		    &g->ip, &g->status, &g->note };

		for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
			*s[i] = arena_strdup(r->arena, db_col_text(st, (int)i));
		g->id = id;
		g->created_at = db_col_int(st, 18);
		g->decided_at = db_col_int(st, 19);
		g->customer_id = db_col_int(st, 20);
		g->user_id = db_col_int(st, 21);
		g->decided_by = arena_strdup(r->arena, db_col_text(st, 22));
	}
	db_done(r->db, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Synced customers whose tax id is the registration's, in any spelling
 * the ERP keeps ("123-456-32-18", "PL1234563218"). */
static json_t *
matches(struct req *r, const struct reg *g)
{
	static const char q_nip[] =
	    "SELECT c.id, c.code, c.name, c.nip, c.portal_status, "
	    "(SELECT count(*) FROM user u WHERE u.customer_id = c.id) "
	    "FROM customer c WHERE c.deleted_at IS NULL "
	    "AND c.erp_uuid NOT LIKE 'portal:%' AND (c.nip = ?1 OR "
	    "replace(replace(replace(replace(upper(c.nip), '-', ''), ' ', ''), "
	    "'.', ''), 'PL', '') = ?1) ORDER BY c.id LIMIT 20";
	static const char q_contacts[] =
	    "SELECT id, name, email, role FROM customer_contact "
	    "WHERE customer_id = ? ORDER BY email = ? DESC, name LIMIT 50";
	json_t *a = json_array(), *c;
	sqlite3_stmt *st;
	size_t i;

	if (*g->nip == '\0')
		return a;
	if ((st = db_prepare(r->db, q_nip)) == NULL)
		return NULL;
	db_bind_text(st, 1, g->nip);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(a, json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:I, s:[]}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "code", db_col_text(st, 1), "name", db_col_text(st, 2),
		    "nip", db_col_text(st, 3),
		    "portal_status", db_col_text(st, 4),
		    "users", (json_int_t)db_col_int(st, 5), "contacts"));
	db_done(r->db, st);
	json_array_foreach(a, i, c) {
		json_t *cs = json_object_get(c, "contacts");

		if ((st = db_prepare(r->db, q_contacts)) == NULL)
			return NULL;
		db_bind_int(st, 1, json_integer_value(json_object_get(c,
		    "id")));
		db_bind_text(st, 2, g->email);
		while (db_step(r->db, st) == SQLITE_ROW)
			json_array_append_new(cs, json_pack(
			    "{s:I, s:s, s:s, s:s, s:b}",
			    "id", (json_int_t)db_col_int(st, 0),
			    "name", db_col_text(st, 1),
			    "email", db_col_text(st, 2),
			    "role", db_col_text(st, 3),
			    "same_email", strcasecmp(db_col_text(st, 2),
			    g->email) == 0));
		db_done(r->db, st);
	}
	return a;
}

/* Does an account with this e-mail exist already (the approval would
 * fail)?  Returns its id, 0, or -1. */
static int64_t
user_by_email(struct req *r, const char *email)
{
	static const char q[] = "SELECT id FROM user WHERE email = ?";
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, email);
	if ((rc = db_step(r->db, st)) == SQLITE_ROW)
		id = db_col_int(st, 0);
	db_done(r->db, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

/* The decision forms' state: what staff chose and what went wrong. */
struct decide {
	const char	*link;		/* "new", a customer id, or "" */
	const char	*code;		/* ERP code typed */
	const char	*contact;	/* contact id or "" */
	const char	*role;
	const char	*note;
	const char	*reason;	/* a rejection's, as typed */
	json_t		*errors;	/* name -> message */
};

static void
render_one(struct req *r, int status, const struct reg *g,
    struct decide *d, json_t *mods)
{
	json_t *ctx = page_ctx(r, g->company, AREA_CMS), *m, *roles, *it;
	struct acct_role *rl;
	size_t nrl, i;
	int64_t taken;
	const char *done = req_query(r, "done");

	if ((m = matches(r, g)) == NULL ||
	    (mods == NULL && (mods = acct_modules(r, g->customer_id,
	    g->customer_id == 0)) == NULL) ||
	    acct_roles(r, "customer", &rl, &nrl) != 0 ||
	    (taken = user_by_email(r, g->email)) < 0) {
		page_error(r, 500, NULL);
		return;
	}
	roles = json_array();
	for (i = 0; i < nrl; i++)
		json_array_append_new(roles, json_pack("{s:s, s:s, s:b}",
		    "v", rl[i].name, "t", rl[i].label,
		    "sel", strcmp(rl[i].name, d->role) == 0));
	json_object_set_new(ctx, "reg", json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:b}",
	    "id", (json_int_t)g->id, "company", g->company, "nip", g->nip,
	    "street", g->street, "postcode", g->postcode, "city", g->city,
	    "country", g->country, "d_street", g->d_street,
	    "d_postcode", g->d_postcode, "d_city", g->d_city,
	    "name", g->name, "email", g->email, "phone", g->phone,
	    "lang", g->lang, "invoice_kind", strcmp(g->invoice_kind,
	    "receipt") == 0 ? _("Paragon") : _("Faktura VAT"),
	    "message", g->message, "ip", g->ip,
	    "status", status_label(g->status), "note", g->note,
	    "created_at", (json_int_t)g->created_at,
	    "decided_at", (json_int_t)g->decided_at,
	    "customer_id", (json_int_t)g->customer_id,
	    "user_id", (json_int_t)g->user_id,
	    "decided_by", g->decided_by,
	    "pending", strcmp(g->status, "pending") == 0));
	json_object_set_new(ctx, "matches", m);
	json_object_set_new(ctx, "modules", mods);
	json_object_set_new(ctx, "roles", roles);
	json_object_set_new(ctx, "email_taken", json_integer(taken));
	json_object_set_new(ctx, "d", json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:O}",
	    "link", d->link, "code", d->code, "contact", d->contact,
	    "note", d->note, "reason", d->reason, "err", d->errors));
	json_array_foreach(m, i, it)
		json_object_set_new(it, "sel", json_boolean(strcmp(d->link,
		    arena_printf(r->arena, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(it, "id")))) == 0));
	json_object_set_new(ctx, "link_new", json_boolean(
	    strcmp(d->link, "new") == 0));
	if (done != NULL)
		json_object_set_new(ctx, "notice", json_string(
		    strcmp(done, "approved") == 0 ? _("Rejestracja "
		    "zaakceptowana. Klient dostał link do ustawienia hasła.") :
		    _("Rejestracja odrzucona; wysłano wiadomość z "
		    "uzasadnieniem.")));
	page_render(r, status, "cms/registration.html", ctx);
}

static void
decide_init(struct decide *d)
{
	d->link = "";
	d->code = "";
	d->contact = "";
	d->role = "customer_admin";
	d->note = "";
	d->reason = "";
	d->errors = json_object();
}

/* Suggest the first match by NIP, else a new customer. */
static void
suggest_link(struct req *r, const struct reg *g, struct decide *d)
{
	json_t *m = matches(r, g);

	if (m != NULL && json_array_size(m) > 0)
		d->link = arena_printf(r->arena, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(json_array_get(m, 0),
		    "id")));
	else
		d->link = "new";
}

/* GET /cms/registrations/{id} */
void
cms_registrations_show(struct req *r)
{
	struct reg g;
	struct decide d;
	int rc;

	if ((rc = reg_load(r, r->iparam[0], &g)) <= 0) {
		page_error(r, rc < 0 ? 500 : 404, NULL);
		return;
	}
	decide_init(&d);
	suggest_link(r, &g, &d);
	render_one(r, 200, &g, &d, NULL);
}

static const char *
form(struct req *r, const char *k)
{
	const char *v = acct_clean(r, req_form(r, k), 1, NULL);

	return v ? v : "";
}

/* The customer staff named: by the radio (an id, "new") or by ERP code.
 * *cust: the id, 0 for a new customer; -1 with an error set. */
static int
pick_customer(struct req *r, struct decide *d, int64_t *cust)
{
	static const char q_id[] =
	    "SELECT id FROM customer WHERE id = ? AND deleted_at IS NULL "
	    "AND erp_uuid NOT LIKE 'portal:%'";
	static const char q_code[] =
	    "SELECT id FROM customer WHERE code = ? AND deleted_at IS NULL "
	    "AND erp_uuid NOT LIKE 'portal:%' ORDER BY id LIMIT 1";
	sqlite3_stmt *st;
	char *end;
	long long id;

	*cust = -1;
	if (*d->code != '\0') {
		if ((st = db_prepare(r->db, q_code)) == NULL)
			return -1;
		db_bind_text(st, 1, d->code);
		if (db_step(r->db, st) == SQLITE_ROW)
			*cust = db_col_int(st, 0);
		db_done(r->db, st);
		if (*cust < 0)
			json_object_set_new(d->errors, "code", json_string(
			    _("Nie ma klienta ERP o tym kodzie.")));
		return *cust < 0 ? -1 : 0;
	}
	if (strcmp(d->link, "new") == 0) {
		*cust = 0;
		return 0;
	}
	id = strtoll(d->link, &end, 10);
	if (*d->link != '\0' && *end == '\0' && id > 0) {
		if ((st = db_prepare(r->db, q_id)) == NULL)
			return -1;
		db_bind_int(st, 1, id);
		if (db_step(r->db, st) == SQLITE_ROW)
			*cust = id;
		db_done(r->db, st);
	}
	if (*cust < 0)
		json_object_set_new(d->errors, "link", json_string(
		    _("Wybierz kartę klienta albo nowego klienta.")));
	return *cust < 0 ? -1 : 0;
}

/* A contact person of the chosen customer, or 0 for none; -1: not one of
 * that customer's. */
static int64_t
pick_contact(struct req *r, struct decide *d, int64_t cust)
{
	static const char q[] =
	    "SELECT id FROM customer_contact WHERE id = ? AND customer_id = ?";
	sqlite3_stmt *st;
	long long id;
	char *end;
	int64_t found = -1;

	if (*d->contact == '\0')
		return 0;
	id = strtoll(d->contact, &end, 10);
	if (*end != '\0' || id <= 0 || cust <= 0)
		goto bad;
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	if (db_step(r->db, st) == SQLITE_ROW)
		found = id;
	db_done(r->db, st);
	if (found > 0)
		return found;
bad:
	json_object_set_new(d->errors, "contact", json_string(
	    _("Osoba kontaktowa musi należeć do wybranej karty klienta.")));
	return -1;
}

/* A new portal customer from the registration; its id or -1. */
static int64_t
customer_create(struct req *r, const struct reg *g, int64_t now)
{
	static const char q[] =
	    "INSERT INTO customer (erp_uuid, name, nip, lang, email, phone, "
	    "portal_status, invoice_kind, registered_at, updated_at, "
	    "inv_name, inv_nip, inv_street, inv_postcode, inv_city, "
	    "inv_country, inv_email, inv_phone) "
	    "VALUES ('portal:' || lower(hex(randomblob(16))), ?1, ?2, ?3, ?4, "
	    "?5, 'active', ?6, ?7, ?8, ?1, ?2, ?9, ?10, ?11, ?12, ?4, ?5)";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, g->company);
	db_bind_text(st, 2, g->nip);
	db_bind_text(st, 3, g->lang);
	db_bind_text(st, 4, g->email);
	db_bind_text(st, 5, g->phone);
	db_bind_text(st, 6, g->invoice_kind);
	db_bind_int(st, 7, now);
	db_bind_int(st, 8, now);
	db_bind_text(st, 9, g->street);
	db_bind_text(st, 10, g->postcode);
	db_bind_text(st, 11, g->city);
	db_bind_text(st, 12, g->country);
	rc = db_step_done(r->db, st);
	return rc == SQLITE_DONE ? db_last_rowid(r->db) : -1;
}

/* An ERP customer linked: the portal may use it, and its invoice data
 * starts from the registration where the portal had none. */
static int
customer_link(struct req *r, const struct reg *g, int64_t cust)
{
	static const char q[] =
	    "UPDATE customer SET portal_status = 'active', "
	    "registered_at = coalesce(registered_at, ?2), "
	    "invoice_kind = CASE WHEN inv_name = '' THEN ?3 "
	    "ELSE invoice_kind END, "
	    "inv_nip = CASE WHEN inv_name = '' THEN ?4 ELSE inv_nip END, "
	    "inv_street = CASE WHEN inv_name = '' THEN ?5 ELSE inv_street END, "
	    "inv_postcode = CASE WHEN inv_name = '' THEN ?6 "
	    "ELSE inv_postcode END, "
	    "inv_city = CASE WHEN inv_name = '' THEN ?7 ELSE inv_city END, "
	    "inv_country = CASE WHEN inv_name = '' THEN ?8 "
	    "ELSE inv_country END, "
	    "inv_email = CASE WHEN inv_name = '' THEN ?9 ELSE inv_email END, "
	    "inv_phone = CASE WHEN inv_name = '' THEN ?10 ELSE inv_phone END, "
	    "inv_name = CASE WHEN inv_name = '' THEN ?11 ELSE inv_name END "
	    "WHERE id = ?1 AND portal_status IN ('active', 'pending')";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, cust);
	db_bind_int(st, 2, auth_now(r->cfg));
	db_bind_text(st, 3, g->invoice_kind);
	db_bind_text(st, 4, g->nip);
	db_bind_text(st, 5, g->street);
	db_bind_text(st, 6, g->postcode);
	db_bind_text(st, 7, g->city);
	db_bind_text(st, 8, g->country);
	db_bind_text(st, 9, g->email);
	db_bind_text(st, 10, g->phone);
	db_bind_text(st, 11, g->company);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		return -1;
	return db_changes(r->db) == 1 ? 0 : 1;
}

static int
delivery_from(struct req *r, const struct reg *g, int64_t cust, int64_t now)
{
	static const char q[] =
	    "INSERT INTO delivery_address (customer_id, label, name, street, "
	    "postcode, city, country, contact, phone, is_default, created_at, "
	    "updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?10)";
	sqlite3_stmt *st;
	int rc;

	if (*g->d_street == '\0')
		return 0;
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, cust);
	db_bind_text(st, 2, _("Adres dostawy"));
	db_bind_text(st, 3, g->company);
	db_bind_text(st, 4, g->d_street);
	db_bind_text(st, 5, g->d_postcode);
	db_bind_text(st, 6, g->d_city);
	db_bind_text(st, 7, g->country);
	db_bind_text(st, 8, g->name);
	db_bind_text(st, 9, g->phone);
	db_bind_int(st, 10, now);
	rc = db_step_done(r->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Mark the registration decided; 1 if it was still pending, 0 if someone
 * decided it meanwhile, -1 on error. */
static int
reg_decide(struct req *r, int64_t id, const char *status, int64_t cust,
    int64_t contact, int64_t user, const char *note)
{
	static const char q[] =
	    "UPDATE registration SET status = ?2, customer_id = ?3, "
	    "contact_id = ?4, user_id = ?5, decided_by = ?6, decided_at = ?7, "
	    "decision_note = ?8 WHERE id = ?1 AND status = 'pending'";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, status);
	if (cust > 0)
		db_bind_int(st, 3, cust);
	else
		db_bind_null(st, 3);
	if (contact > 0)
		db_bind_int(st, 4, contact);
	else
		db_bind_null(st, 4);
	if (user > 0)
		db_bind_int(st, 5, user);
	else
		db_bind_null(st, 5);
	db_bind_int(st, 6, r->session->user_id);
	db_bind_int(st, 7, auth_now(r->cfg));
	db_bind_text(st, 8, note);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		return -1;
	return db_changes(r->db) == 1;
}

/* The decision mail, in the registrant's language. */
static int
mail_decision(struct req *r, const struct reg *g, int approved,
    const char *note)
{
	const char *subject, *body;
	int rc;

	i18n_use(g->lang);
	if (approved) {
		subject = _("Konto firmy w portalu zostało aktywowane");
		body = arena_printf(r->arena, "%s\n\n%s: %s\n\n%s\n",
		    _("Dzień dobry,"), _("Zaakceptowaliśmy rejestrację firmy"),
		    g->company, _("W osobnej wiadomości wysłaliśmy link do "
		    "ustawienia hasła. Po zalogowaniu możesz dodać konta "
		    "współpracowników."));
	} else {
		subject = _("Rejestracja firmy w portalu");
		body = arena_printf(r->arena, "%s\n\n%s: %s\n\n%s:\n%s\n",
		    _("Dzień dobry,"), _("Nie możemy aktywować konta firmy"),
		    g->company, _("Uzasadnienie"), note);
	}
	subject = arena_strdup(r->arena, subject);
	i18n_use(r->lang);
	rc = auth_mail_queue(r->db, auth_now(r->cfg), g->email, subject,
	    body);
	return rc;
}

/* Someone decided it already: the page as it stands now, with a 409. */
static void
already(struct req *r, const struct reg *g, struct decide *d)
{
	json_object_set_new(d->errors, "form", json_string(_("Ta rejestracja "
	    "została już rozpatrzona; nic nie zmieniono.")));
	render_one(r, 409, g, d, NULL);
}

/* reg_decide found the registration no longer pending (decided in
 * another request meanwhile): roll back, reload it and answer as
 * already(). */
static void
decided_meanwhile(struct req *r, struct reg *g, struct decide *d)
{
	db_rollback(r->db);
	if (reg_load(r, g->id, g) != 1) {
		page_error(r, 500, NULL);
		return;
	}
	already(r, g, d);
}

/* POST /cms/registrations/{id}/approve */
void
cms_registrations_approve(struct req *r)
{
	static const char q_phone[] = "UPDATE user SET phone = ? WHERE id = ?";
	struct auth_new_user nu;
	struct acct_role *rl;
	struct reg g;
	struct decide d;
	json_t *mods;
	sqlite3_stmt *st;
	size_t nrl, ri;
	int64_t cust, contact, user = 0, now = auth_now(r->cfg);
	int rc, linked;

	if ((rc = reg_load(r, r->iparam[0], &g)) <= 0) {
		page_error(r, rc < 0 ? 500 : 404, NULL);
		return;
	}
	decide_init(&d);
	if (strcmp(g.status, "pending") != 0) {
		already(r, &g, &d);
		return;
	}
	d.link = form(r, "link");
	d.code = form(r, "code");
	d.contact = form(r, "contact");
	d.role = form(r, "role");
	d.note = form(r, "note");
	if ((mods = acct_modules_ticked(r)) == NULL ||
	    acct_roles(r, "customer", &rl, &nrl) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	for (ri = 0; ri < nrl; ri++)
		if (strcmp(rl[ri].name, d.role) == 0)
			break;
	if (ri == nrl) {
		json_object_set_new(d.errors, "role", json_string(
		    _("Wybierz rolę z listy.")));
	} else if (!auth_can_grant(r->session, rl[ri].perms, 0)) {
		auth_audit(r->db, r, 0, "grant.refused", "registration", g.id,
		    0, rl[ri].name);
		page_error(r, 403, _("Nie możesz nadać tej roli."));
		return;
	}
	if (pick_customer(r, &d, &cust) != 0 && cust < 0 &&
	    json_object_size(d.errors) == 0) {
		page_error(r, 500, NULL);
		return;
	}
	contact = cust >= 0 ? pick_contact(r, &d, cust) : 0;
	if (json_object_size(d.errors) > 0) {
		render_one(r, 422, &g, &d, mods);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if (cust == 0) {
		if ((cust = customer_create(r, &g, now)) < 0)
			goto fail;
		linked = 0;
	} else {
		if ((rc = customer_link(r, &g, cust)) < 0)
			goto fail;
		if (rc == 1) {
			db_rollback(r->db);
			json_object_set_new(d.errors, "link", json_string(
			    _("Ta karta klienta jest w portalu wyłączona albo "
			    "odrzucona; najpierw ją włącz.")));
			render_one(r, 422, &g, &d, mods);
			return;
		}
		linked = 1;
	}
	if (acct_modules_store(r, cust, mods) != 0 ||
	    delivery_from(r, &g, cust, now) != 0)
		goto fail;
	memset(&nu, 0, sizeof(nu));
	nu.customer_id = cust;
	nu.email = g.email;
	nu.name = g.name;
	nu.lang = g.lang;
	nu.role = rl[ri].name;
	switch (auth_user_create(r->db, r, r->cfg, &nu, &user)) {
	case AUTH_OK:
		break;
	case AUTH_EXISTS:
		db_rollback(r->db);
		json_object_set_new(d.errors, "email", json_string(
		    _("Ten adres e-mail ma już konto w portalu; odrzuć "
		    "zgłoszenie albo zmień adres istniejącego konta.")));
		render_one(r, 422, &g, &d, mods);
		return;
	case AUTH_BUSY:
		db_rollback(r->db);
		page_error(r, 503, NULL);
		return;
	default:
		goto fail;
	}
	if ((st = db_prepare(r->db, q_phone)) == NULL)
		goto fail;
	db_bind_text(st, 1, g.phone);
	db_bind_int(st, 2, user);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if ((rc = reg_decide(r, g.id, "approved", cust, contact, user,
	    d.note)) < 0)
		goto fail;
	if (rc == 0) {
		decided_meanwhile(r, &g, &d);
		return;
	}
	if (mail_decision(r, &g, 1, d.note) != 0 ||
	    auth_send_password_link(r->db, r->cfg, user, auth_base_url(r),
	    1) != 0 ||
	    auth_audit(r->db, r, 0, "registration.approve", "registration",
	    g.id, cust, arena_printf(r->arena, "%s customer %" PRId64
	    ", user %" PRId64 ", role %s, modules %s",
	    linked ? "linked" : "new", cust, user, rl[ri].name,
	    acct_modules_text(r, mods))) != 0)
		goto fail;
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, arena_printf(r->arena,
	    "/cms/registrations/%" PRId64 "?done=approved", g.id));
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* POST /cms/registrations/{id}/reject */
void
cms_registrations_reject(struct req *r)
{
	struct reg g;
	struct decide d;
	size_t n = 0;
	int rc;

	if ((rc = reg_load(r, r->iparam[0], &g)) <= 0) {
		page_error(r, rc < 0 ? 500 : 404, NULL);
		return;
	}
	decide_init(&d);
	if (strcmp(g.status, "pending") != 0) {
		already(r, &g, &d);
		return;
	}
	d.reason = acct_clean(r, req_form(r, "reason"), 1, &n);
	if (d.reason == NULL || *d.reason == '\0' || n > 2000) {
		json_object_set_new(d.errors, "reason", json_string(
		    d.reason == NULL || *d.reason == '\0' ? _("Podaj powód; "
		    "zgłaszający dostanie go e-mailem.") :
		    _("Najwyżej 2000 znaków.")));
		if (d.reason == NULL)
			d.reason = "";
		suggest_link(r, &g, &d);
		render_one(r, 422, &g, &d, NULL);
		return;
	}
	d.note = d.reason;
	if (acct_begin(r) != 0)
		return;
	if ((rc = reg_decide(r, g.id, "rejected", 0, 0, 0, d.note)) < 0)
		goto fail;
	if (rc == 0) {
		decided_meanwhile(r, &g, &d);
		return;
	}
	if (mail_decision(r, &g, 0, d.note) != 0 ||
	    auth_audit(r->db, r, 0, "registration.reject", "registration",
	    g.id, 0, d.note) != 0)
		goto fail;
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, arena_printf(r->arena,
	    "/cms/registrations/%" PRId64 "?done=rejected", g.id));
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}
