/*
 * customers.c: customers in the CMS (J4, B1): a list with search by name,
 * NIP or ERP code, keyset-paged by id (newest first); a customer's page
 * with the ERP card, the portal's own data (status, invoice data), its
 * users, branches, delivery addresses and the modules it has, which staff
 * switch here; and the portal status (active / disabled: a disabled
 * customer's users cannot log in, session_load() checks it).
 *
 * Staff with cms.users only (route table).  Every change is audited.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../account/account_pages.h"
#include "../account/acct.h"
#include "../auth/auth.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

#define LIST_PAGE	50

static const char *
portal_status_label(const char *s)
{
	if (strcmp(s, "active") == 0)
		return _("aktywny");
	if (strcmp(s, "pending") == 0)
		return _("oczekuje");
	if (strcmp(s, "rejected") == 0)
		return _("odrzucony");
	if (strcmp(s, "disabled") == 0)
		return _("wyłączony");
	return s;
}

/* GET /cms/customers[?q=&before=] */
void
cms_customers_list(struct req *r)
{
	static const char q_list[] =
	    "SELECT c.id, c.code, c.name, c.nip, c.portal_status, "
	    "c.erp_uuid LIKE 'portal:%', c.deleted_at IS NOT NULL, "
	    "(SELECT count(*) FROM user u WHERE u.customer_id = c.id) "
	    "FROM customer c WHERE c.id < ?1 AND (?2 IS NULL "
	    "OR c.name LIKE '%' || ?2 || '%' OR c.nip LIKE '%' || ?2 || '%' "
	    "OR c.inv_nip LIKE '%' || ?2 || '%' OR c.code = ?2) "
	    "ORDER BY c.id DESC LIMIT ?3";
	static const char *const keys[] = { "q", NULL };
	const char *q = acct_search(r);
	json_t *ctx, *rows = json_array();
	sqlite3_stmt *st;
	int64_t before, last = 0;
	int n = 0;

	if (acct_cursor(r, &before) != 0)
		return;
	if ((st = db_prepare(r->db, q_list)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, before);
	db_bind_text(st, 2, q);
	db_bind_int(st, 3, LIST_PAGE + 1);
	while (db_step(r->db, st) == SQLITE_ROW) {
		json_t *o;

		if (++n > LIST_PAGE)
			break;
		last = db_col_int(st, 0);
		o = json_object();
		json_object_set_new(o, "id", json_integer(last));
		json_object_set_new(o, "code", json_string(db_col_text(st, 1)));
		json_object_set_new(o, "name", json_string(db_col_text(st, 2)));
		json_object_set_new(o, "nip", json_string(db_col_text(st, 3)));
		json_object_set_new(o, "status", json_string(
		    portal_status_label(db_col_text(st, 4))));
		json_object_set_new(o, "portal_only",
		    json_boolean(db_col_int(st, 5)));
		json_object_set_new(o, "deleted",
		    json_boolean(db_col_int(st, 6)));
		json_object_set_new(o, "users",
		    json_integer(db_col_int(st, 7)));
		json_array_append_new(rows, o);
	}
	db_done(r->db, st);
	ctx = page_ctx(r, _("Klienci"), AREA_CMS);
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "q", json_string(q ? q : ""));
	acct_pager(r, ctx, "/cms/customers", keys, n > LIST_PAGE ? last : 0);
	page_render(r, 200, "cms/customers.html", ctx);
}

/* The customer's card and portal data, or NULL (404 answered). */
static json_t *
card(struct req *r, int64_t id)
{
	static const char q[] =
	    "SELECT code, name, nip, grp, lang, currency, payment_days, "
	    "credit_limit, credit_used, overdue, blocked, blocked_reason, "
	    "email, phone, erp_uuid, erp_uuid LIKE 'portal:%', portal_status, "
	    "invoice_kind, inv_name, inv_nip, inv_street, inv_postcode, "
	    "inv_city, inv_country, inv_email, inv_phone, "
	    "coalesce(registered_at, 0), deleted_at IS NOT NULL "
	    "FROM customer WHERE id = ?";
	sqlite3_stmt *st;
	json_t *o = NULL;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return NULL;
	}
	db_bind_int(st, 1, id);
	if (db_step(r->db, st) == SQLITE_ROW) {
		const char *cur = db_col_text(st, 5);
		static const char *const text[] = { "code", "name", "nip",
		    "grp", "lang", "currency" };

		o = json_object();
		for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
			json_object_set_new(o, text[i],
			    json_string(db_col_text(st, (int)i)));
		json_object_set_new(o, "id", json_integer(id));
		json_object_set_new(o, "payment_days",
		    json_integer(db_col_int(st, 6)));
		json_object_set_new(o, "credit_limit", json_pack("{s:I, s:s}",
		    "amount", (json_int_t)db_col_int(st, 7), "currency", cur));
		json_object_set_new(o, "credit_used", json_pack("{s:I, s:s}",
		    "amount", (json_int_t)db_col_int(st, 8), "currency", cur));
		json_object_set_new(o, "overdue", json_pack("{s:I, s:s}",
		    "amount", (json_int_t)db_col_int(st, 9), "currency", cur));
		json_object_set_new(o, "blocked",
		    json_boolean(db_col_int(st, 10)));
		json_object_set_new(o, "blocked_reason",
		    json_string(db_col_text(st, 11)));
		json_object_set_new(o, "email",
		    json_string(db_col_text(st, 12)));
		json_object_set_new(o, "phone",
		    json_string(db_col_text(st, 13)));
		json_object_set_new(o, "erp_uuid",
		    json_string(db_col_text(st, 14)));
		json_object_set_new(o, "portal_only",
		    json_boolean(db_col_int(st, 15)));
		json_object_set_new(o, "portal_status",
		    json_string(db_col_text(st, 16)));
		json_object_set_new(o, "status_text", json_string(
		    portal_status_label(db_col_text(st, 16))));
		json_object_set_new(o, "active", json_boolean(
		    strcmp(db_col_text(st, 16), "active") == 0));
		json_object_set_new(o, "invoice_kind", json_string(
		    strcmp(db_col_text(st, 17), "receipt") == 0 ?
		    _("Paragon") : _("Faktura VAT")));
		json_object_set_new(o, "inv", json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		    "name", db_col_text(st, 18), "nip", db_col_text(st, 19),
		    "street", db_col_text(st, 20),
		    "postcode", db_col_text(st, 21),
		    "city", db_col_text(st, 22), "country", db_col_text(st, 23),
		    "email", db_col_text(st, 24),
		    "phone", db_col_text(st, 25)));
		json_object_set_new(o, "registered_at",
		    json_integer(db_col_int(st, 26)));
		json_object_set_new(o, "deleted",
		    json_boolean(db_col_int(st, 27)));
	}
	db_done(r->db, st);
	if (o == NULL)
		page_error(r, 404, NULL);
	return o;
}

static json_t *
users_of(struct req *r, int64_t id)
{
	static const char q[] =
	    "SELECT u.id, u.name, u.email, u.disabled, coalesce(b.name, ''), "
	    "u.last_login_at, (SELECT group_concat(ro.name, ',') FROM "
	    "user_role ur JOIN role ro ON ro.id = ur.role_id "
	    "WHERE ur.user_id = u.id) "
	    "FROM user u LEFT JOIN branch b ON b.id = u.branch_id "
	    "WHERE u.customer_id = ? ORDER BY u.name, u.id LIMIT 500";
	sqlite3_stmt *st;
	json_t *a = json_array();

	if ((st = db_prepare(r->db, q)) == NULL)
		return NULL;
	db_bind_int(st, 1, id);
	while (db_step(r->db, st) == SQLITE_ROW) {
		json_t *o = json_object(), *roles = json_array();
		const char *rl = db_col_text(st, 6);

		while (*rl != '\0') {
			size_t n = strcspn(rl, ",");

			json_array_append_new(roles, json_string(
			    acct_role_label(arena_strndup(r->arena, rl, n))));
			rl += n + (rl[n] == ',');
		}
		json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
		json_object_set_new(o, "email",
		    json_string(db_col_text(st, 2)));
		json_object_set_new(o, "disabled",
		    json_boolean(db_col_int(st, 3)));
		json_object_set_new(o, "branch",
		    json_string(db_col_text(st, 4)));
		json_object_set_new(o, "last_login", db_col_is_null(st, 5) ?
		    json_null() : json_integer(db_col_int(st, 5)));
		json_object_set_new(o, "roles", roles);
		json_array_append_new(a, o);
	}
	db_done(r->db, st);
	return a;
}

static json_t *
branches_of(struct req *r, int64_t id)
{
	static const char q_b[] =
	    "SELECT name, street, postcode, city, country, phone FROM branch "
	    "WHERE customer_id = ? ORDER BY name, id";
	static const char q_a[] =
	    "SELECT a.label, a.street, a.postcode, a.city, a.country, "
	    "coalesce(b.name, ''), a.is_default FROM delivery_address a "
	    "LEFT JOIN branch b ON b.id = a.branch_id WHERE a.customer_id = ? "
	    "ORDER BY a.label, a.id";
	sqlite3_stmt *st;
	json_t *o = json_object(), *b = json_array(), *a = json_array();

	if ((st = db_prepare(r->db, q_b)) == NULL)
		return NULL;
	db_bind_int(st, 1, id);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(b, json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s}",
		    "name", db_col_text(st, 0), "street", db_col_text(st, 1),
		    "postcode", db_col_text(st, 2), "city", db_col_text(st, 3),
		    "country", db_col_text(st, 4),
		    "phone", db_col_text(st, 5)));
	db_done(r->db, st);
	if ((st = db_prepare(r->db, q_a)) == NULL)
		return NULL;
	db_bind_int(st, 1, id);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(a, json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
		    "label", db_col_text(st, 0), "street", db_col_text(st, 1),
		    "postcode", db_col_text(st, 2), "city", db_col_text(st, 3),
		    "country", db_col_text(st, 4), "branch", db_col_text(st, 5),
		    "is_default", (int)db_col_int(st, 6)));
	db_done(r->db, st);
	json_object_set_new(o, "branches", b);
	json_object_set_new(o, "addresses", a);
	return o;
}

/* GET /cms/customers/{id} */
void
cms_customers_show(struct req *r)
{
	int64_t id = r->iparam[0];
	json_t *ctx, *c, *users, *places, *mods;
	const char *done = req_query(r, "done");

	if ((c = card(r, id)) == NULL)
		return;
	if ((users = users_of(r, id)) == NULL ||
	    (places = branches_of(r, id)) == NULL ||
	    (mods = acct_modules(r, id, 0)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	ctx = page_ctx(r, json_string_value(json_object_get(c, "name")),
	    AREA_CMS);
	json_object_set_new(ctx, "c", c);
	json_object_set_new(ctx, "users", users);
	json_object_set(ctx, "branches", json_object_get(places, "branches"));
	json_object_set(ctx, "addresses", json_object_get(places,
	    "addresses"));
	json_object_set_new(ctx, "modules", mods);
	json_object_set_new(ctx, "can_impersonate",
	    json_boolean(perm_allows(r, PERM_CMS_IMPERSONATE)));
	if (done != NULL)
		json_object_set_new(ctx, "notice", json_string(
		    strcmp(done, "modules") == 0 ? _("Zapisano moduły.") :
		    _("Zapisano stan klienta.")));
	page_render(r, 200, "cms/customer.html", ctx);
}

static int
exists(struct req *r, int64_t id)
{
	static const char q[] = "SELECT 1 FROM customer WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, id);
	rc = db_step_done(r->db, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* POST /cms/customers/{id}/modules */
void
cms_customers_modules(struct req *r)
{
	int64_t id = r->iparam[0];
	json_t *mods;
	int rc;

	if ((rc = exists(r, id)) <= 0) {
		page_error(r, rc < 0 ? 500 : 404, NULL);
		return;
	}
	if ((mods = acct_modules_ticked(r)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if (acct_modules_store(r, id, mods) != 0 ||
	    auth_audit(r->db, r, 0, "customer.modules", "customer", id, id,
	    acct_modules_text(r, mods)) != 0) {
		db_rollback(r->db);
		page_error(r, 500, NULL);
		return;
	}
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, arena_printf(r->arena,
	    "/cms/customers/%" PRId64 "?done=modules", id));
}

/* POST /cms/customers/{id}/status: status=active|disabled.  Disabling
 * ends the logins of every user of the customer at their next request
 * (session_load checks the customer) and revokes their sessions now. */
void
cms_customers_status(struct req *r)
{
	static const char q_upd[] =
	    "UPDATE customer SET portal_status = ? WHERE id = ?";
	static const char q_users[] =
	    "SELECT id FROM user WHERE customer_id = ?";
	int64_t id = r->iparam[0];
	const char *s = req_form(r, "status");
	sqlite3_stmt *st;
	int rc;

	if ((rc = exists(r, id)) <= 0) {
		page_error(r, rc < 0 ? 500 : 404, NULL);
		return;
	}
	if (s == NULL || (strcmp(s, "active") != 0 &&
	    strcmp(s, "disabled") != 0)) {
		page_error(r, 400, NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_upd)) == NULL)
		goto fail;
	db_bind_text(st, 1, s);
	db_bind_int(st, 2, id);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (strcmp(s, "disabled") == 0) {
		int64_t ids[512];
		size_t n = 0;

		if ((st = db_prepare(r->db, q_users)) == NULL)
			goto fail;
		db_bind_int(st, 1, id);
		while (db_step(r->db, st) == SQLITE_ROW && n < 512)
			ids[n++] = db_col_int(st, 0);
		db_done(r->db, st);
		for (size_t i = 0; i < n; i++)
			if (auth_revoke_user_sessions(r->db, ids[i], 0) < 0)
				goto fail;
	}
	if (auth_audit(r->db, r, 0, strcmp(s, "disabled") == 0 ?
	    "customer.disable" : "customer.enable", "customer", id, id,
	    NULL) != 0)
		goto fail;
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, arena_printf(r->arena,
	    "/cms/customers/%" PRId64 "?done=status", id));
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}
