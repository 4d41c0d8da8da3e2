/*
 * staff.c: staff accounts and their scoped roles (A6, J4): a list of the
 * staff (keyset-paged by id, newest first, search by name or e-mail), a
 * new staff account (no password: the core mails a link to set one), and
 * a staff member's roles, disable and enable.
 *
 * Staff roles are scoped to parts of the CMS (role.scope = 'staff': admin,
 * complaints, sync, content, users ...).  The rule is the core's: only
 * staff with cms.staff give staff roles, and only roles whose permissions
 * they hold themselves (auth_can_grant(..., 1)); nobody changes their own
 * account (auth_can_manage_user).  The page offers only such roles; a
 * forged one is refused with 403 (audited), and nothing changes.
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
#define NF(a)	(sizeof(a) / sizeof((a)[0]))

static const struct acct_field f_new[] = {
	{ "name", N_("Imię i nazwisko"), AF_TEXT, AF_REQUIRED, 120, "off",
	    NULL },
	{ "email", N_("E-mail"), AF_EMAIL, AF_REQUIRED, 254, "off",
	    N_("Na ten adres wyślemy link do ustawienia hasła.") },
	{ "lang", N_("Język"), AF_SELECT, AF_REQUIRED, 2, NULL, NULL },
};

/* GET /cms/staff[?q=&before=] */
void
cms_staff_list(struct req *r)
{
	static const char q_list[] =
	    "SELECT u.id, u.name, u.email, u.disabled, u.last_login_at, "
	    "u.totp_enabled, (SELECT group_concat(ro.name, ',') FROM "
	    "user_role ur JOIN role ro ON ro.id = ur.role_id "
	    "WHERE ur.user_id = u.id) FROM user u "
	    "WHERE u.is_staff = 1 AND u.id < ?1 AND (?2 IS NULL "
	    "OR u.name LIKE '%' || ?2 || '%' OR u.email LIKE '%' || ?2 || '%') "
	    "ORDER BY u.id DESC LIMIT ?3";
	static const char *const keys[] = { "q", NULL };
	const char *q = acct_search(r), *done = req_query(r, "done");
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
		json_t *o, *roles = json_array();
		const char *rl;

		if (++n > LIST_PAGE)
			break;
		last = db_col_int(st, 0);
		rl = db_col_text(st, 6);
		while (*rl != '\0') {
			size_t k = strcspn(rl, ",");

			json_array_append_new(roles, json_string(
			    acct_role_label(arena_strndup(r->arena, rl, k))));
			rl += k + (rl[k] == ',');
		}
		o = json_object();
		json_object_set_new(o, "id", json_integer(last));
		json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
		json_object_set_new(o, "email",
		    json_string(db_col_text(st, 2)));
		json_object_set_new(o, "disabled",
		    json_boolean(db_col_int(st, 3)));
		json_object_set_new(o, "last_login", db_col_is_null(st, 4) ?
		    json_null() : json_integer(db_col_int(st, 4)));
		json_object_set_new(o, "totp", json_boolean(db_col_int(st, 5)));
		json_object_set_new(o, "roles", roles);
		json_array_append_new(rows, o);
	}
	db_done(r->db, st);
	ctx = page_ctx(r, _("Pracownicy"), AREA_CMS);
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "q", json_string(q ? q : ""));
	if (done != NULL)
		json_object_set_new(ctx, "notice", json_string(_("Dodano "
		    "pracownika i wysłano mu link do ustawienia hasła.")));
	acct_pager(r, ctx, "/cms/staff", keys, n > LIST_PAGE ? last : 0);
	page_render(r, 200, "cms/staff.html", ctx);
}

/* The staff roles the caller may give. */
static int
offer(struct req *r, struct acct_role **roles, size_t *n, uint64_t *bits)
{
	if (acct_roles(r, "staff", roles, n) != 0)
		return -1;
	*bits = 0;
	for (size_t i = 0; i < *n; i++)
		if (auth_can_grant(r->session, (*roles)[i].perms, 1))
			*bits |= (uint64_t)1 << i;
	return 0;
}

/* The roles ticked, if all were offered; else 403 answered (audited). */
static int
roles_asked(struct req *r, int64_t target, struct acct_role *roles,
    size_t n, uint64_t offered, uint64_t *bits)
{
	int bad;

	*bits = acct_roles_asked(r, roles, n, &bad);
	if (bad || (*bits & ~offered) != 0 ||
	    !auth_can_grant(r->session, acct_roles_perms(roles, n, *bits),
	    1)) {
		auth_audit(r->db, r, 0, "grant.refused", "user", target, 0,
		    acct_perms_text(r, acct_roles_perms(roles, n, *bits)));
		page_error(r, 403, _("Nie możesz nadać ról z uprawnieniami, "
		    "których sam nie masz."));
		return -1;
	}
	return 0;
}

static const char *
roles_text(struct req *r, struct acct_role *roles, size_t n, uint64_t bits)
{
	struct buf b = BUF_INIT;
	const char *s;

	buf_puts(&b, "roles:");
	for (size_t i = 0; i < n; i++)
		if ((bits >> i) & 1)
			buf_printf(&b, " %s", roles[i].name);
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static void
render_new(struct req *r, int status, struct acct_form *f,
    struct acct_role *roles, size_t n, uint64_t offered, uint64_t chosen)
{
	json_t *ctx = page_ctx(r, _("Nowy pracownik"), AREA_CMS);
	json_t *groups = json_array(), *problems = json_array();
	json_t *opts = json_pack("{s:o}", "lang", acct_lang_options());

	account_form_group(groups, problems, _("Dane pracownika"),
	    acct_form_fields(f, f_new, NF(f_new), opts));
	json_object_set_new(ctx, "groups", groups);
	json_object_set_new(ctx, "problems", problems);
	json_object_set_new(ctx, "roles", acct_role_boxes(roles, n, offered,
	    chosen));
	json_object_set_new(ctx, "perms", json_array());
	page_render(r, status, "cms/staff_new.html", ctx);
}

/* GET /cms/staff/new */
void
cms_staff_new(struct req *r)
{
	struct acct_form f;
	struct acct_role *roles;
	size_t n;
	uint64_t offered;

	if (offer(r, &roles, &n, &offered) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	acct_form_init(&f, r);
	acct_form_set(&f, "lang", r->lang);
	render_new(r, 200, &f, roles, n, offered, 0);
}

/* POST /cms/staff */
void
cms_staff_create(struct req *r)
{
	struct auth_new_user nu;
	struct acct_form f;
	struct acct_role *roles;
	size_t n;
	uint64_t offered, bits;
	int64_t id = 0;

	if (offer(r, &roles, &n, &offered) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (roles_asked(r, 0, roles, n, offered, &bits) != 0)
		return;
	acct_form_init(&f, r);
	acct_form_read(&f, f_new, NF(f_new));
	if (!acct_lang_ok(acct_form_get(&f, "lang")))
		acct_form_error(&f, "lang", _("Wybierz z listy."));
	if (f.nerr > 0) {
		render_new(r, 422, &f, roles, n, offered, bits);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	memset(&nu, 0, sizeof(nu));
	nu.email = acct_form_get(&f, "email");
	nu.name = acct_form_get(&f, "name");
	nu.lang = acct_form_get(&f, "lang");
	switch (auth_user_create(r->db, r, r->cfg, &nu, &id)) {
	case AUTH_OK:
		break;
	case AUTH_EXISTS:
		db_rollback(r->db);
		acct_form_error(&f, "email", _("Ten adres e-mail ma już konto "
		    "w portalu."));
		render_new(r, 422, &f, roles, n, offered, bits);
		return;
	case AUTH_BUSY:
		db_rollback(r->db);
		page_error(r, 503, NULL);
		return;
	default:
		goto fail;
	}
	if (acct_set_grants(r, id, roles, n, bits, 0, 0) != 0 ||
	    auth_audit(r->db, r, 0, "role.grant", "user", id, 0,
	    roles_text(r, roles, n, bits)) != 0 ||
	    auth_send_password_link(r->db, r->cfg, id, auth_base_url(r),
	    1) != 0)
		goto fail;
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, "/cms/staff?done=added");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* A staff member of the URL: 1, or 0 with 404/500 answered. */
static int
load_staff(struct req *r, int64_t id, json_t **o)
{
	static const char q[] =
	    "SELECT name, email, disabled, totp_enabled, last_login_at "
	    "FROM user WHERE id = ? AND is_staff = 1";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return 0;
	}
	db_bind_int(st, 1, id);
	if ((rc = db_step(r->db, st)) == SQLITE_ROW)
		*o = json_pack("{s:I, s:s, s:s, s:b, s:b, s:o}",
		    "id", (json_int_t)id, "name", db_col_text(st, 0),
		    "email", db_col_text(st, 1),
		    "disabled", (int)db_col_int(st, 2),
		    "totp", (int)db_col_int(st, 3),
		    "last_login", db_col_is_null(st, 4) ? json_null() :
		    json_integer(db_col_int(st, 4)));
	db_done(r->db, st);
	if (rc != SQLITE_ROW) {
		page_error(r, rc == SQLITE_DONE ? 404 : 500, NULL);
		return 0;
	}
	return 1;
}

/* GET /cms/staff/{id} */
void
cms_staff_show(struct req *r)
{
	int64_t id = r->iparam[0];
	struct acct_role *roles;
	size_t n;
	uint64_t offered, bits, perms;
	json_t *ctx, *s;
	int manage;
	const char *done = req_query(r, "done");

	if (!load_staff(r, id, &s))
		return;
	if (offer(r, &roles, &n, &offered) != 0 ||
	    acct_user_grants(r, id, roles, n, &bits, &perms) != 0 ||
	    (manage = auth_can_manage_user(r->db, r->session, id)) < 0) {
		page_error(r, 500, NULL);
		return;
	}
	json_object_set_new(s, "manageable", json_boolean(manage));
	json_object_set_new(s, "me", json_boolean(id == r->session->user_id));
	ctx = page_ctx(r, json_string_value(json_object_get(s, "name")),
	    AREA_CMS);
	json_object_set_new(ctx, "s", s);
	json_object_set_new(ctx, "roles", acct_role_boxes(roles, n,
	    offered | bits, bits));
	json_object_set_new(ctx, "perms", json_array());
	if (done != NULL)
		json_object_set_new(ctx, "notice", json_string(
		    strcmp(done, "disabled") == 0 ? _("Konto wyłączone; "
		    "sesje zakończone.") : strcmp(done, "enabled") == 0 ?
		    _("Konto włączone.") : _("Zapisano role.")));
	page_render(r, 200, "cms/staff_user.html", ctx);
}

static int
may_manage(struct req *r, int64_t id)
{
	int rc = auth_can_manage_user(r->db, r->session, id);

	if (rc <= 0) {
		page_error(r, rc < 0 ? 500 : 403, rc < 0 ? NULL :
		    id == r->session->user_id ? _("Nie możesz zmieniać "
		    "własnego konta ani uprawnień.") : _("Ten pracownik ma "
		    "uprawnienia, których nie masz."));
		return 0;
	}
	return 1;
}

/* POST /cms/staff/{id}: the roles. */
void
cms_staff_update(struct req *r)
{
	int64_t id = r->iparam[0];
	struct acct_role *roles;
	size_t n;
	uint64_t offered, bits;
	json_t *s;

	if (!load_staff(r, id, &s) || !may_manage(r, id))
		return;
	if (offer(r, &roles, &n, &offered) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (roles_asked(r, id, roles, n, offered, &bits) != 0)
		return;
	if (acct_begin(r) != 0)
		return;
	if (acct_set_grants(r, id, roles, n, bits, 0, 0) != 0 ||
	    auth_audit(r->db, r, 0, "role.grant", "user", id, 0,
	    roles_text(r, roles, n, bits)) != 0) {
		db_rollback(r->db);
		page_error(r, 500, NULL);
		return;
	}
	if (acct_commit(r) != 0)
		return;
	resp_redirect(r, 303, arena_printf(r->arena,
	    "/cms/staff/%" PRId64 "?done=roles", id));
}

static void
set_disabled(struct req *r, int disabled)
{
	int64_t id = r->iparam[0];
	json_t *s;

	if (!load_staff(r, id, &s) || !may_manage(r, id))
		return;
	if (acct_set_disabled(r, id, disabled) == 0)
		resp_redirect(r, 303, arena_printf(r->arena,
		    "/cms/staff/%" PRId64 "?done=%s", id,
		    disabled ? "disabled" : "enabled"));
}

/* POST /cms/staff/{id}/disable */
void
cms_staff_disable(struct req *r)
{
	set_disabled(r, 1);
}

/* POST /cms/staff/{id}/enable */
void
cms_staff_enable(struct req *r)
{
	set_disabled(r, 0);
}
