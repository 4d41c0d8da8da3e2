/*
 * users.c: every account in the CMS (J4, A2, A3): a list with search by
 * name or e-mail and a filter by kind (customers' users, staff), keyset-
 * paged by id, newest first; a user's page with their customer, branch,
 * roles and direct permissions, effective permissions, sessions and
 * status; and the actions staff with cms.users take on a customer's user:
 * change roles and permissions, disable (which ends their sessions at
 * once) or enable, send a link to set a password, and "log in as" (the
 * core's POST /cms/impersonate/{id}, for staff with cms.impersonate).
 *
 * Who may change whom is the core's rule (auth_can_manage_user: never
 * oneself; staff accounts only with cms.staff and within one's own rights,
 * which cgi-src/cms/staff.c uses); what may be given is auth_can_grant's.
 * A forged or too wide grant is refused with 403, audited, and nothing
 * changes.
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
#include "log.h"
#include "page.h"
#include "req.h"

#define LIST_PAGE	50

/* GET /cms/users[?kind=&q=&before=] */
void
cms_users_list(struct req *r)
{
	static const char q_list[] =
	    "SELECT u.id, u.name, u.email, u.is_staff, u.disabled, "
	    "coalesce(c.name, ''), coalesce(u.customer_id, 0), u.last_login_at "
	    "FROM user u LEFT JOIN customer c ON c.id = u.customer_id "
	    "WHERE u.id < ?1 AND (?2 = '' OR (?2 = 'staff' AND u.is_staff = 1) "
	    "OR (?2 = 'customer' AND u.is_staff = 0)) AND (?3 IS NULL "
	    "OR u.name LIKE '%' || ?3 || '%' OR u.email LIKE '%' || ?3 || '%' "
	    "OR c.name LIKE '%' || ?3 || '%') "
	    "ORDER BY u.id DESC LIMIT ?4";
	static const char *const keys[] = { "kind", "q", NULL };
	const char *kind = req_query(r, "kind"), *q = acct_search(r);
	json_t *ctx, *rows = json_array();
	sqlite3_stmt *st;
	int64_t before, last = 0;
	int n = 0;

	if (acct_cursor(r, &before) != 0)
		return;
	if (kind == NULL || (strcmp(kind, "staff") != 0 &&
	    strcmp(kind, "customer") != 0))
		kind = "";
	if ((st = db_prepare(r->db, q_list)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, before);
	db_bind_text(st, 2, kind);
	db_bind_text(st, 3, q);
	db_bind_int(st, 4, LIST_PAGE + 1);
	while (db_step(r->db, st) == SQLITE_ROW) {
		json_t *o;

		if (++n > LIST_PAGE)
			break;
		last = db_col_int(st, 0);
		o = json_object();
		json_object_set_new(o, "id", json_integer(last));
		json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
		json_object_set_new(o, "email",
		    json_string(db_col_text(st, 2)));
		json_object_set_new(o, "staff",
		    json_boolean(db_col_int(st, 3)));
		json_object_set_new(o, "disabled",
		    json_boolean(db_col_int(st, 4)));
		json_object_set_new(o, "customer",
		    json_string(db_col_text(st, 5)));
		json_object_set_new(o, "customer_id",
		    json_integer(db_col_int(st, 6)));
		json_object_set_new(o, "last_login", db_col_is_null(st, 7) ?
		    json_null() : json_integer(db_col_int(st, 7)));
		json_array_append_new(rows, o);
	}
	db_done(r->db, st);
	ctx = page_ctx(r, _("Użytkownicy"), AREA_CMS);
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "q", json_string(q ? q : ""));
	json_object_set_new(ctx, "kinds", json_pack(
	    "[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}]",
	    "v", "", "t", _("Wszyscy"), "sel", *kind == '\0',
	    "v", "customer", "t", _("Użytkownicy klientów"), "sel",
	    strcmp(kind, "customer") == 0,
	    "v", "staff", "t", _("Pracownicy"), "sel",
	    strcmp(kind, "staff") == 0));
	acct_pager(r, ctx, "/cms/users", keys, n > LIST_PAGE ? last : 0);
	page_render(r, 200, "cms/users.html", ctx);
}

/* A user for the CMS page: 1 found (into *o, *cust, *staff), 0 not, -1. */
static int
load_user(struct req *r, int64_t id, json_t **o, int64_t *cust, int *staff)
{
	static const char q[] =
	    "SELECT u.name, u.email, u.phone, u.lang, u.is_staff, u.disabled, "
	    "coalesce(u.customer_id, 0), coalesce(c.name, ''), "
	    "coalesce(b.name, ''), u.created_at, u.last_login_at, "
	    "u.password_hash <> '', u.totp_enabled, "
	    "(SELECT count(*) FROM session s WHERE s.user_id = u.id "
	    "AND s.revoked_at IS NULL AND s.expires_at > ?2) "
	    "FROM user u LEFT JOIN customer c ON c.id = u.customer_id "
	    "LEFT JOIN branch b ON b.id = u.branch_id WHERE u.id = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, auth_now(r->cfg));
	if ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		*o = json_object();
		json_object_set_new(*o, "id", json_integer(id));
		json_object_set_new(*o, "name",
		    json_string(db_col_text(st, 0)));
		json_object_set_new(*o, "email",
		    json_string(db_col_text(st, 1)));
		json_object_set_new(*o, "phone",
		    json_string(db_col_text(st, 2)));
		json_object_set_new(*o, "lang",
		    json_string(db_col_text(st, 3)));
		*staff = (int)db_col_int(st, 4);
		json_object_set_new(*o, "staff", json_boolean(*staff));
		json_object_set_new(*o, "disabled",
		    json_boolean(db_col_int(st, 5)));
		*cust = db_col_int(st, 6);
		json_object_set_new(*o, "customer_id", json_integer(*cust));
		json_object_set_new(*o, "customer",
		    json_string(db_col_text(st, 7)));
		json_object_set_new(*o, "branch",
		    json_string(db_col_text(st, 8)));
		json_object_set_new(*o, "created_at",
		    json_integer(db_col_int(st, 9)));
		json_object_set_new(*o, "last_login", db_col_is_null(st, 10) ?
		    json_null() : json_integer(db_col_int(st, 10)));
		json_object_set_new(*o, "has_password",
		    json_boolean(db_col_int(st, 11)));
		json_object_set_new(*o, "totp",
		    json_boolean(db_col_int(st, 12)));
		json_object_set_new(*o, "sessions",
		    json_integer(db_col_int(st, 13)));
	}
	db_done(r->db, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The grants staff may offer a customer's user. */
struct offer {
	struct acct_role	*roles;
	size_t			 nroles;
	uint64_t		 role_bits;
	uint64_t		 perms;
};

static int
load_offer(struct req *r, struct offer *o)
{
	memset(o, 0, sizeof(*o));
	if (acct_roles(r, "customer", &o->roles, &o->nroles) != 0)
		return -1;
	for (size_t i = 0; i < o->nroles; i++)
		if (auth_can_grant(r->session, o->roles[i].perms, 0))
			o->role_bits |= (uint64_t)1 << i;
	for (int p = PERM_LOGIN + 1; p < PERM__MAX; p++)
		if ((auth_customer_perms & AUTH_BIT(p)) &&
		    auth_can_grant(r->session, AUTH_BIT(p), 0))
			o->perms |= AUTH_BIT(p);
	return 0;
}

static void
render_user(struct req *r, int status, int64_t id, const char *error)
{
	json_t *ctx, *u, *eff_list;
	struct offer o;
	uint64_t role_bits = 0, perms = 0, eff = 0;
	int64_t cust;
	int staff, manage, rc;
	const char *done = req_query(r, "done");

	if ((rc = load_user(r, id, &u, &cust, &staff)) <= 0) {
		page_error(r, rc < 0 ? 500 : 404, NULL);
		return;
	}
	if (load_offer(r, &o) != 0 ||
	    acct_user_grants(r, id, o.roles, o.nroles, &role_bits,
	    &perms) != 0 || auth_user_perms(r->db, id, &eff) != 0 ||
	    (manage = auth_can_manage_user(r->db, r->session, id)) < 0) {
		page_error(r, 500, NULL);
		return;
	}
	eff_list = json_array();
	for (int p = PERM_LOGIN + 1; p < PERM__MAX; p++)
		if (eff & AUTH_BIT(p))
			json_array_append_new(eff_list,
			    json_string(acct_perm_label(p)));
	ctx = page_ctx(r, json_string_value(json_object_get(u, "name")),
	    AREA_CMS);
	json_object_set_new(u, "manageable", json_boolean(manage));
	json_object_set_new(u, "me", json_boolean(id ==
	    r->session->user_id));
	json_object_set_new(ctx, "u", u);
	json_object_set_new(ctx, "effective", eff_list);
	if (!staff) {
		json_object_set_new(ctx, "roles", acct_role_boxes(o.roles,
		    o.nroles, o.role_bits | role_bits, role_bits));
		json_object_set_new(ctx, "perms", acct_perm_boxes(o.perms |
		    perms, perms));
	}
	json_object_set_new(ctx, "can_impersonate", json_boolean(!staff &&
	    perm_allows(r, PERM_CMS_IMPERSONATE) &&
	    !json_is_true(json_object_get(u, "disabled"))));
	if (error != NULL)
		json_object_set_new(ctx, "error", json_string(error));
	if (done != NULL)
		json_object_set_new(ctx, "notice", json_string(
		    strcmp(done, "disabled") == 0 ? _("Konto wyłączone; "
		    "sesje użytkownika zakończone.") :
		    strcmp(done, "enabled") == 0 ? _("Konto włączone.") :
		    strcmp(done, "invited") == 0 ? _("Wysłano link do "
		    "ustawienia hasła.") : _("Zapisano uprawnienia.")));
	page_render(r, status, "cms/user.html", ctx);
}

/* GET /cms/users/{id} */
void
cms_users_show(struct req *r)
{
	render_user(r, 200, r->iparam[0], NULL);
}

/* The target may be changed by the caller: 1, or 0 with 403/404/500
 * answered.  *cust and *staff describe the target. */
static int
check_target(struct req *r, int64_t id, int64_t *cust, int *staff)
{
	json_t *u;
	int rc;

	if ((rc = load_user(r, id, &u, cust, staff)) <= 0) {
		page_error(r, rc < 0 ? 500 : 404, NULL);
		return 0;
	}
	if ((rc = auth_can_manage_user(r->db, r->session, id)) <= 0) {
		if (rc < 0)
			page_error(r, 500, NULL);
		else
			page_error(r, 403, id == r->session->user_id ?
			    _("Nie możesz zmieniać własnego konta ani "
			    "uprawnień.") : _("Nie możesz zmieniać tego "
			    "konta: ma uprawnienia, których nie masz, albo "
			    "jest kontem pracownika."));
		return 0;
	}
	return 1;
}

static void
after(struct req *r, int64_t id, const char *done)
{
	resp_redirect(r, 303, arena_printf(r->arena,
	    "/cms/users/%" PRId64 "?done=%s", id, done));
}

static void
set_disabled(struct req *r, int disabled)
{
	int64_t id = r->iparam[0], cust;
	int staff;

	if (!check_target(r, id, &cust, &staff))
		return;
	if (acct_set_disabled(r, id, disabled) == 0)
		after(r, id, disabled ? "disabled" : "enabled");
}

/* POST /cms/users/{id}/disable */
void
cms_users_disable(struct req *r)
{
	set_disabled(r, 1);
}

/* POST /cms/users/{id}/enable */
void
cms_users_enable(struct req *r)
{
	set_disabled(r, 0);
}

/* POST /cms/users/{id}/invite: a new single-use link to set a password. */
void
cms_users_invite(struct req *r)
{
	int64_t id = r->iparam[0], cust;
	int staff;

	if (!check_target(r, id, &cust, &staff))
		return;
	if (acct_begin(r) != 0)
		return;
	if (auth_send_password_link(r->db, r->cfg, id, auth_base_url(r),
	    1) != 0 || auth_audit(r->db, r, 0, "password.link", "user", id,
	    cust, NULL) != 0) {
		db_rollback(r->db);
		page_error(r, 500, NULL);
		return;
	}
	if (acct_commit(r) != 0)
		return;
	after(r, id, "invited");
}

/* POST /cms/users/{id}/grants: a customer's user's roles and permissions. */
void
cms_users_grants(struct req *r)
{
	int64_t id = r->iparam[0], cust;
	struct offer o;
	uint64_t role_bits, perms, want;
	int staff, bad_role, bad_perm;
	struct buf b = BUF_INIT;
	const char *detail;

	if (!check_target(r, id, &cust, &staff))
		return;
	if (staff) {
		page_error(r, 403, _("Role pracowników zmienia się w module "
		    "Pracownicy."));
		return;
	}
	if (load_offer(r, &o) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	role_bits = acct_roles_asked(r, o.roles, o.nroles, &bad_role);
	perms = acct_perms_asked(r, &bad_perm);
	want = acct_roles_perms(o.roles, o.nroles, role_bits) | perms;
	if (bad_role || bad_perm || (role_bits & ~o.role_bits) != 0 ||
	    (perms & ~o.perms) != 0 || (want & ~auth_customer_perms) != 0 ||
	    !auth_can_grant(r->session, want, 0)) {
		auth_audit(r->db, r, 0, "grant.refused", "user", id, cust,
		    acct_perms_text(r, want));
		page_error(r, 403, _("Nie możesz nadać tych uprawnień."));
		return;
	}
	buf_puts(&b, "roles:");
	for (size_t i = 0; i < o.nroles; i++)
		if ((role_bits >> i) & 1)
			buf_printf(&b, " %s", o.roles[i].name);
	buf_printf(&b, "; perms: %s", acct_perms_text(r, perms));
	detail = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	if (acct_begin(r) != 0)
		return;
	if (acct_set_grants(r, id, o.roles, o.nroles, role_bits, perms,
	    auth_customer_perms) != 0 ||
	    auth_audit(r->db, r, 0, "perm.grant", "user", id, cust,
	    detail) != 0) {
		db_rollback(r->db);
		page_error(r, 500, NULL);
		return;
	}
	if (acct_commit(r) != 0)
		return;
	after(r, id, "grants");
}
