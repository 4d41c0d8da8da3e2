/*
 * branches.c: a customer's branches [oddziały] and delivery addresses
 * [adresy dostaw] (A4), kept by the customer's admin (users.manage).
 *
 * Scope: every statement binds the session's customer id; an admin limited
 * to a branch (session->branch_id) sees and edits only that branch and the
 * addresses of that branch, and may not add or remove branches.  An id in
 * the URL is looked up together with the customer (and branch): a row of
 * another customer is a 404, the same as a missing one.
 *
 * Lists are short (a company has a handful of branches and addresses), so
 * they are shown whole, ordered by name.  Changes: POST with the CSRF
 * token; a form with a problem comes back (422) with what was typed; a
 * saved one redirects (303) to the list.  Every change is audited.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auth/auth.h"
#include "account_pages.h"
#include "acct.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

#define NF(a)	(sizeof(a) / sizeof((a)[0]))

static const struct acct_field f_branch[] = {
	{ "name", N_("Nazwa oddziału"), AF_TEXT, AF_REQUIRED, 120, NULL, NULL },
	{ "street", N_("Ulica i numer"), AF_TEXT, AF_REQUIRED, 200,
	    "address-line1", NULL },
	{ "postcode", N_("Kod pocztowy"), AF_POSTCODE, AF_REQUIRED, 10,
	    "postal-code", NULL },
	{ "city", N_("Miejscowość"), AF_TEXT, AF_REQUIRED, 100,
	    "address-level2", NULL },
	{ "country", N_("Kraj"), AF_SELECT, AF_REQUIRED, 2, "country", NULL },
	{ "phone", N_("Telefon"), AF_TEL, 0, 30, "tel", NULL },
};

static const struct acct_field f_addr[] = {
	{ "label", N_("Nazwa adresu (np. Magazyn Poznań)"), AF_TEXT,
	    AF_REQUIRED, 120, NULL, NULL },
	{ "name", N_("Odbiorca"), AF_TEXT, 0, 200, "organization", NULL },
	{ "street", N_("Ulica i numer"), AF_TEXT, AF_REQUIRED, 200,
	    "address-line1", NULL },
	{ "postcode", N_("Kod pocztowy"), AF_POSTCODE, AF_REQUIRED, 10,
	    "postal-code", NULL },
	{ "city", N_("Miejscowość"), AF_TEXT, AF_REQUIRED, 100,
	    "address-level2", NULL },
	{ "country", N_("Kraj"), AF_SELECT, AF_REQUIRED, 2, "country", NULL },
	{ "contact", N_("Osoba do kontaktu przy dostawie"), AF_TEXT, 0, 120,
	    NULL, NULL },
	{ "phone", N_("Telefon"), AF_TEL, 0, 30, "tel", NULL },
	{ "branch", N_("Oddział"), AF_SELECT, 0, 20, NULL, NULL },
	{ "is_default", N_("Domyślny adres dostawy"), AF_CHECK, 0, 1, NULL,
	    NULL },
};

/* Shared checks of an address-like form: country from the list, post code
 * of that country. */
static void
check_place(struct acct_form *f)
{
	const char *country = acct_form_get(f, "country");

	if (!acct_country_ok(country))
		acct_form_error(f, "country", _("Wybierz z listy."));
	else if (*acct_form_get(f, "postcode") != '\0' &&
	    !acct_postcode_ok(country, acct_form_get(f, "postcode")))
		acct_form_error(f, "postcode", _("Nieprawidłowy kod pocztowy "
		    "dla wybranego kraju."));
}

static void
rollback_500(struct req *r)
{
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* ---- branches ---------------------------------------------------------- */

/* The branches the caller may see: of the customer, only theirs when they
 * are limited to one (branch 0: all). */
static json_t *
branch_rows(struct req *r, int64_t cust, int64_t only)
{
	static const char q[] =
	    "SELECT b.id, b.name, b.street, b.postcode, b.city, b.country, "
	    "b.phone, (SELECT count(*) FROM user u WHERE u.customer_id = "
	    "b.customer_id AND u.branch_id = b.id) "
	    "FROM branch b WHERE b.customer_id = ?1 AND (?2 = 0 OR b.id = ?2) "
	    "ORDER BY b.name, b.id";
	sqlite3_stmt *st;
	json_t *a = json_array();

	if ((st = db_prepare(r->db, q)) == NULL)
		return NULL;
	db_bind_int(st, 1, cust);
	db_bind_int(st, 2, only);
	while (db_step(r->db, st) == SQLITE_ROW)
		json_array_append_new(a, json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
		    "id", (json_int_t)db_col_int(st, 0),
		    "name", db_col_text(st, 1), "street", db_col_text(st, 2),
		    "postcode", db_col_text(st, 3), "city", db_col_text(st, 4),
		    "country", db_col_text(st, 5), "phone", db_col_text(st, 6),
		    "users", (json_int_t)db_col_int(st, 7)));
	db_done(r->db, st);
	return a;
}

/* Options of a branch select: "" (the whole company) and each branch the
 * caller may use. */
json_t *
account_branch_options(struct req *r, int64_t cust, int64_t only)
{
	json_t *rows = branch_rows(r, cust, only), *a = json_array(), *b;
	size_t i;

	if (rows == NULL)
		return NULL;
	if (only == 0)
		json_array_append_new(a, json_pack("{s:s, s:s}", "v", "",
		    "t", _("Cała firma")));
	json_array_foreach(rows, i, b)
		json_array_append_new(a, json_pack("{s:s, s:O}",
		    "v", arena_printf(r->arena, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(b, "id"))),
		    "t", json_object_get(b, "name")));
	return a;
}

int
account_branch_parse(struct req *r, int64_t cust, int64_t only,
    const char *v, int64_t *out)
{
	static const char q[] =
	    "SELECT 1 FROM branch WHERE id = ? AND customer_id = ?";
	sqlite3_stmt *st;
	long long id;
	char *end;
	int found;

	*out = 0;
	if (v == NULL || *v == '\0')
		return only == 0 ? 0 : -1;
	if (*v < '1' || *v > '9')
		return -1;
	id = strtoll(v, &end, 10);
	if (*end != '\0' || (only != 0 && id != only))
		return -1;
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	found = db_step(r->db, st) == SQLITE_ROW;
	db_done(r->db, st);
	if (!found)
		return -1;
	*out = id;
	return 0;
}

static void
branches_render(struct req *r, int status, int64_t cust,
    struct acct_form *f, const char *tmpl, int64_t id, const char *notice)
{
	int64_t only = r->session->branch_id;
	json_t *ctx = page_ctx(r, _("Oddziały"), AREA_PORTAL);
	json_t *opts = json_pack("{s:o}", "country", acct_country_options());
	json_t *groups = json_array(), *problems = json_array();
	json_t *rows = branch_rows(r, cust, only);

	if (rows == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	account_form_group(groups, problems, id ? _("Dane oddziału") :
	    _("Nowy oddział"), acct_form_fields(f, f_branch, NF(f_branch),
	    opts));
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "groups", groups);
	json_object_set_new(ctx, "problems", problems);
	json_object_set_new(ctx, "can_add", json_boolean(only == 0));
	json_object_set_new(ctx, "id", json_integer(id));
	if (notice != NULL)
		json_object_set_new(ctx, "notice", json_string(notice));
	page_render(r, status, tmpl, ctx);
}

static const char *
list_notice(struct req *r)
{
	const char *d = req_query(r, "done");

	if (d == NULL)
		return NULL;
	if (strcmp(d, "added") == 0)
		return _("Dodano.");
	if (strcmp(d, "saved") == 0)
		return _("Zapisano zmiany.");
	if (strcmp(d, "deleted") == 0)
		return _("Usunięto.");
	return NULL;
}

/* GET /account/branches */
void
account_branches_list(struct req *r)
{
	struct acct_form f;
	int64_t cust;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	acct_form_init(&f, r);
	acct_form_set(&f, "country", "PL");
	branches_render(r, 200, cust, &f, "account/branches.html", 0,
	    list_notice(r));
}

/* The branch id of the URL if the caller may touch it; else 0 with 404
 * (not the caller's) or 500 answered. */
static int64_t
own_branch(struct req *r, int64_t cust, struct acct_form *load)
{
	static const char q[] =
	    "SELECT name, street, postcode, city, country, phone FROM branch "
	    "WHERE id = ?1 AND customer_id = ?2 AND (?3 = 0 OR id = ?3)";
	sqlite3_stmt *st;
	int64_t id = r->iparam[0];

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return 0;
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	db_bind_int(st, 3, r->session->branch_id);
	if ((st = page_row(r, st)) == NULL)
		return 0;
	if (load != NULL)
		acct_form_load(load, f_branch, NF(f_branch), st);
	db_done(r->db, st);
	return id;
}

/* POST /account/branches */
void
account_branches_create(struct req *r)
{
	static const char q_ins[] =
	    "INSERT INTO branch (customer_id, name, street, postcode, city, "
	    "country, phone, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
	struct acct_form f;
	sqlite3_stmt *st;
	int64_t cust, id;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if (r->session->branch_id != 0) {
		page_error(r, 403, NULL);
		return;
	}
	acct_form_init(&f, r);
	acct_form_read(&f, f_branch, NF(f_branch));
	check_place(&f);
	if (f.nerr > 0) {
		branches_render(r, 422, cust, &f, "account/branches.html", 0,
		    NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_ins)) == NULL)
		goto fail;
	db_bind_int(st, 1, cust);
	for (size_t i = 0; i < NF(f_branch); i++)
		db_bind_text(st, (int)i + 2, acct_form_get(&f,
		    f_branch[i].name));
	db_bind_int(st, 8, auth_now(r->cfg));
	rc = db_step_done(r->db, st);
	id = db_last_rowid(r->db);
	if (rc != SQLITE_DONE || auth_audit(r->db, r, 0, "branch.create",
	    "branch", id, cust, acct_form_get(&f, "name")) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/branches?done=added");
	return;
fail:
	rollback_500(r);
}

/* GET /account/branches/{id} */
void
account_branches_edit(struct req *r)
{
	struct acct_form f;
	int64_t cust, id;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	acct_form_init(&f, r);
	if ((id = own_branch(r, cust, &f)) == 0)
		return;
	branches_render(r, 200, cust, &f, "account/branch.html", id, NULL);
}

/* POST /account/branches/{id} */
void
account_branches_update(struct req *r)
{
	static const char q_upd[] =
	    "UPDATE branch SET name = ?3, street = ?4, postcode = ?5, "
	    "city = ?6, country = ?7, phone = ?8, updated_at = ?9 "
	    "WHERE id = ?1 AND customer_id = ?2";
	struct acct_form f;
	sqlite3_stmt *st;
	int64_t cust, id;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if ((id = own_branch(r, cust, NULL)) == 0)
		return;
	acct_form_init(&f, r);
	acct_form_read(&f, f_branch, NF(f_branch));
	check_place(&f);
	if (f.nerr > 0) {
		branches_render(r, 422, cust, &f, "account/branch.html", id,
		    NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_upd)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	for (size_t i = 0; i < NF(f_branch); i++)
		db_bind_text(st, (int)i + 3, acct_form_get(&f,
		    f_branch[i].name));
	db_bind_int(st, 9, auth_now(r->cfg));
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE || auth_audit(r->db, r, 0, "branch.update",
	    "branch", id, cust, acct_form_get(&f, "name")) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/branches?done=saved");
	return;
fail:
	rollback_500(r);
}

/* POST /account/branches/{id}/delete: only a branch without users (their
 * accounts would lose their scope); its delivery addresses go with it. */
void
account_branches_delete(struct req *r)
{
	static const char q_users[] =
	    "SELECT count(*) FROM user WHERE customer_id = ? AND branch_id = ?";
	static const char q_del[] =
	    "DELETE FROM branch WHERE id = ? AND customer_id = ?";
	struct acct_form f;
	sqlite3_stmt *st;
	int64_t cust, id, users = -1;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if (r->session->branch_id != 0) {
		page_error(r, 403, NULL);
		return;
	}
	acct_form_init(&f, r);
	if ((id = own_branch(r, cust, &f)) == 0)
		return;
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_users)) == NULL)
		goto fail;
	db_bind_int(st, 1, cust);
	db_bind_int(st, 2, id);
	if (db_step(r->db, st) == SQLITE_ROW)
		users = db_col_int(st, 0);
	db_done(r->db, st);
	if (users < 0)
		goto fail;
	if (users > 0) {
		db_rollback(r->db);
		acct_form_error(&f, "name", _("Do oddziału są przypisani "
		    "użytkownicy. Przenieś ich najpierw do innego oddziału."));
		branches_render(r, 409, cust, &f, "account/branch.html", id,
		    NULL);
		return;
	}
	if ((st = db_prepare(r->db, q_del)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE || auth_audit(r->db, r, 0, "branch.delete",
	    "branch", id, cust, acct_form_get(&f, "name")) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/branches?done=deleted");
	return;
fail:
	rollback_500(r);
}

/* ---- delivery addresses --------------------------------------------- */

static json_t *
addr_rows(struct req *r, int64_t cust, int64_t only)
{
	static const char q[] =
	    "SELECT a.id, a.label, a.name, a.street, a.postcode, a.city, "
	    "a.country, a.contact, a.phone, a.is_default, "
	    "coalesce(b.name, '') FROM delivery_address a "
	    "LEFT JOIN branch b ON b.id = a.branch_id "
	    "WHERE a.customer_id = ?1 AND (?2 = 0 OR a.branch_id = ?2) "
	    "ORDER BY a.is_default DESC, a.label, a.id";
	sqlite3_stmt *st;
	json_t *a = json_array();

	if ((st = db_prepare(r->db, q)) == NULL)
		return NULL;
	db_bind_int(st, 1, cust);
	db_bind_int(st, 2, only);
	while (db_step(r->db, st) == SQLITE_ROW) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(o, "label",
		    json_string(db_col_text(st, 1)));
		json_object_set_new(o, "name", json_string(db_col_text(st, 2)));
		json_object_set_new(o, "street",
		    json_string(db_col_text(st, 3)));
		json_object_set_new(o, "postcode",
		    json_string(db_col_text(st, 4)));
		json_object_set_new(o, "city", json_string(db_col_text(st, 5)));
		json_object_set_new(o, "country",
		    json_string(db_col_text(st, 6)));
		json_object_set_new(o, "contact",
		    json_string(db_col_text(st, 7)));
		json_object_set_new(o, "phone",
		    json_string(db_col_text(st, 8)));
		json_object_set_new(o, "is_default",
		    json_boolean(db_col_int(st, 9)));
		json_object_set_new(o, "branch",
		    json_string(db_col_text(st, 10)));
		json_array_append_new(a, o);
	}
	db_done(r->db, st);
	return a;
}

static void
addr_render(struct req *r, int status, int64_t cust, struct acct_form *f,
    const char *tmpl, int64_t id, const char *notice)
{
	int64_t only = r->session->branch_id;
	json_t *ctx = page_ctx(r, _("Adresy dostaw"), AREA_PORTAL);
	json_t *bopts = account_branch_options(r, cust, only);
	json_t *rows = addr_rows(r, cust, only);
	json_t *opts, *groups = json_array(), *problems = json_array();

	if (rows == NULL || bopts == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	opts = json_pack("{s:o, s:o}", "country", acct_country_options(),
	    "branch", bopts);
	account_form_group(groups, problems, id ? _("Adres dostawy") :
	    _("Nowy adres dostawy"), acct_form_fields(f, f_addr, NF(f_addr),
	    opts));
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "groups", groups);
	json_object_set_new(ctx, "problems", problems);
	json_object_set_new(ctx, "id", json_integer(id));
	if (notice != NULL)
		json_object_set_new(ctx, "notice", json_string(notice));
	page_render(r, status, tmpl, ctx);
}

/* GET /account/addresses */
void
account_addresses_list(struct req *r)
{
	struct acct_form f;
	int64_t cust;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	acct_form_init(&f, r);
	acct_form_set(&f, "country", "PL");
	if (r->session->branch_id != 0)
		acct_form_set(&f, "branch", arena_printf(r->arena, "%" PRId64,
		    r->session->branch_id));
	addr_render(r, 200, cust, &f, "account/addresses.html", 0,
	    list_notice(r));
}

static int64_t
own_addr(struct req *r, int64_t cust, struct acct_form *load)
{
	static const char q[] =
	    "SELECT label, name, street, postcode, city, country, contact, "
	    "phone, coalesce(branch_id, ''), is_default FROM delivery_address "
	    "WHERE id = ?1 AND customer_id = ?2 AND (?3 = 0 OR branch_id = ?3)";
	sqlite3_stmt *st;
	int64_t id = r->iparam[0];

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return 0;
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	db_bind_int(st, 3, r->session->branch_id);
	if ((st = page_row(r, st)) == NULL)
		return 0;
	if (load != NULL) {
		acct_form_load(load, f_addr, 9, st);
		acct_form_set(load, "is_default", db_col_int(st, 9) ? "1" : "");
	}
	db_done(r->db, st);
	return id;
}

/* Read and check an address form; *branch gets the branch (0: company). */
static int
addr_read(struct req *r, int64_t cust, struct acct_form *f, int64_t *branch)
{
	acct_form_init(f, r);
	acct_form_read(f, f_addr, NF(f_addr));
	check_place(f);
	if (account_branch_parse(r, cust, r->session->branch_id,
	    acct_form_get(f, "branch"), branch) != 0)
		acct_form_error(f, "branch", _("Wybierz z listy."));
	return f->nerr;
}

/* One default per customer and branch: clear the others. */
static int
addr_clear_default(struct req *r, int64_t cust, int64_t branch, int64_t keep)
{
	static const char q[] =
	    "UPDATE delivery_address SET is_default = 0 WHERE customer_id = ?1 "
	    "AND coalesce(branch_id, 0) = ?2 AND id <> ?3 AND is_default = 1";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, cust);
	db_bind_int(st, 2, branch);
	db_bind_int(st, 3, keep);
	rc = db_step_done(r->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
bind_addr(sqlite3_stmt *st, struct acct_form *f, int64_t branch, int first)
{
	for (size_t i = 0; i < 8; i++)
		db_bind_text(st, first + (int)i, acct_form_get(f,
		    f_addr[i].name));
	if (branch)
		db_bind_int(st, first + 8, branch);
	else
		db_bind_null(st, first + 8);
	db_bind_int(st, first + 9, *acct_form_get(f, "is_default") ? 1 : 0);
}

/* POST /account/addresses */
void
account_addresses_create(struct req *r)
{
	static const char q_ins[] =
	    "INSERT INTO delivery_address (customer_id, label, name, street, "
	    "postcode, city, country, contact, phone, branch_id, is_default, "
	    "created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)";
	struct acct_form f;
	sqlite3_stmt *st;
	int64_t cust, branch, id;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if (addr_read(r, cust, &f, &branch) > 0) {
		addr_render(r, 422, cust, &f, "account/addresses.html", 0,
		    NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_ins)) == NULL)
		goto fail;
	db_bind_int(st, 1, cust);
	bind_addr(st, &f, branch, 2);
	db_bind_int(st, 12, auth_now(r->cfg));
	rc = db_step_done(r->db, st);
	id = db_last_rowid(r->db);
	if (rc != SQLITE_DONE || (*acct_form_get(&f, "is_default") &&
	    addr_clear_default(r, cust, branch, id) != 0) ||
	    auth_audit(r->db, r, 0, "address.create", "delivery_address", id,
	    cust, acct_form_get(&f, "label")) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/addresses?done=added");
	return;
fail:
	rollback_500(r);
}

/* GET /account/addresses/{id} */
void
account_addresses_edit(struct req *r)
{
	struct acct_form f;
	int64_t cust, id;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	acct_form_init(&f, r);
	if ((id = own_addr(r, cust, &f)) == 0)
		return;
	addr_render(r, 200, cust, &f, "account/address.html", id, NULL);
}

/* POST /account/addresses/{id} */
void
account_addresses_update(struct req *r)
{
	static const char q_upd[] =
	    "UPDATE delivery_address SET label = ?3, name = ?4, street = ?5, "
	    "postcode = ?6, city = ?7, country = ?8, contact = ?9, "
	    "phone = ?10, "
	    "branch_id = ?11, is_default = ?12, updated_at = ?13 "
	    "WHERE id = ?1 AND customer_id = ?2";
	struct acct_form f;
	sqlite3_stmt *st;
	int64_t cust, branch, id;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if ((id = own_addr(r, cust, NULL)) == 0)
		return;
	if (addr_read(r, cust, &f, &branch) > 0) {
		addr_render(r, 422, cust, &f, "account/address.html", id, NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_upd)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	bind_addr(st, &f, branch, 3);
	db_bind_int(st, 13, auth_now(r->cfg));
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE || (*acct_form_get(&f, "is_default") &&
	    addr_clear_default(r, cust, branch, id) != 0) ||
	    auth_audit(r->db, r, 0, "address.update", "delivery_address", id,
	    cust, acct_form_get(&f, "label")) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/addresses?done=saved");
	return;
fail:
	rollback_500(r);
}

/* POST /account/addresses/{id}/delete */
void
account_addresses_delete(struct req *r)
{
	static const char q_del[] =
	    "DELETE FROM delivery_address WHERE id = ? AND customer_id = ?";
	struct acct_form f;
	sqlite3_stmt *st;
	int64_t cust, id;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	acct_form_init(&f, r);
	if ((id = own_addr(r, cust, &f)) == 0)
		return;
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_del)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE || auth_audit(r->db, r, 0, "address.delete",
	    "delivery_address", id, cust, acct_form_get(&f, "label")) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/addresses?done=deleted");
	return;
fail:
	rollback_500(r);
}
