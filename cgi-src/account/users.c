/*
 * users.c: a customer's co-workers (A2): the customer's admin (users.manage)
 * lists them, creates an account for one, changes their roles and
 * permissions, disables and enables them, and sends a new link to set a
 * password.
 *
 * Delegation.  The form offers only the roles and permissions the admin
 * could give: those within what they hold themselves (their effective set,
 * which already leaves out modules the customer lacks).  A role is offered
 * only when ALL its permissions are held, not just those of the modules
 * the customer has today: otherwise switching a module on later would
 * hand the co-worker a right the admin never had.  What comes back is
 * checked again, and anything beyond the offer (a forged box, a role wider
 * than the admin) is refused with 403, nothing changes, and the refusal is
 * audited.  Nobody edits their own grants and nobody edits a user who
 * holds more than they do (auth_can_manage_user()).
 *
 * Scope.  Every statement binds the session's customer; an admin limited
 * to a branch sees, creates and edits only that branch's users.  A user of
 * another customer (or branch) is a 404.
 *
 * A new co-worker gets no password: the core mails a single-use link to
 * set one (auth_send_password_link, worded as an invitation).
 */
#include "config.h"

#include <inttypes.h>
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

#define NF(a)	(sizeof(a) / sizeof((a)[0]))

static const struct acct_field f_new[] = {
	{ "name", N_("Imię i nazwisko"), AF_TEXT, AF_REQUIRED, 120, "off",
	    NULL },
	{ "email", N_("E-mail"), AF_EMAIL, AF_REQUIRED, 254, "off",
	    N_("Na ten adres wyślemy link do ustawienia hasła.") },
	{ "phone", N_("Telefon"), AF_TEL, 0, 30, "off", NULL },
	{ "branch", N_("Oddział"), AF_SELECT, 0, 20, NULL,
	    N_("Użytkownik oddziału widzi tylko dane swojego oddziału.") },
	{ "lang", N_("Język"), AF_SELECT, AF_REQUIRED, 2, NULL, NULL },
};
/* Editing: the e-mail is the login and stays. */
static const struct acct_field f_edit[] = {
	{ "name", N_("Imię i nazwisko"), AF_TEXT, AF_REQUIRED, 120, "off",
	    NULL },
	{ "phone", N_("Telefon"), AF_TEL, 0, 30, "off", NULL },
	{ "branch", N_("Oddział"), AF_SELECT, 0, 20, NULL,
	    N_("Użytkownik oddziału widzi tylko dane swojego oddziału.") },
	{ "lang", N_("Język"), AF_SELECT, AF_REQUIRED, 2, NULL, NULL },
};

/* What the admin may offer: roles and permissions. */
struct offer {
	struct acct_role	*roles;
	size_t			 nroles;
	uint64_t		 role_bits;	/* roles offered */
	uint64_t		 perms;		/* permissions offered */
};

static int
load_offer(struct req *r, struct offer *o)
{
	const struct session *s = r->session;

	memset(o, 0, sizeof(*o));
	if (acct_roles(r, "customer", &o->roles, &o->nroles) != 0)
		return -1;
	o->perms = s->perms & auth_customer_perms;
	for (size_t i = 0; i < o->nroles; i++) {
		uint64_t all = o->roles[i].perms;

		if ((all & ~o->perms) == 0 && auth_can_grant(s, all, 0))
			o->role_bits |= (uint64_t)1 << i;
	}
	return 0;
}

/* Everything a choice of roles and permissions could ever give (whatever
 * modules the customer has now). */
static uint64_t
asked_all(const struct offer *o, uint64_t role_bits, uint64_t perms)
{
	return acct_roles_perms(o->roles, o->nroles, role_bits) | perms;
}

static void
render_form(struct req *r, int status, int64_t cust, struct acct_form *f,
    const struct offer *o, uint64_t role_bits, uint64_t perms,
    json_t *target)
{
	json_t *ctx = page_ctx(r, target ? _("Współpracownik") :
	    _("Nowy współpracownik"), AREA_PORTAL);
	json_t *bopts = account_branch_options(r, cust,
	    r->session->branch_id);
	json_t *opts, *groups = json_array(), *problems = json_array();

	if (bopts == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	opts = json_pack("{s:o, s:o}", "branch", bopts,
	    "lang", acct_lang_options());
	account_form_group(groups, problems, _("Dane użytkownika"),
	    target ? acct_form_fields(f, f_edit, NF(f_edit), opts) :
	    acct_form_fields(f, f_new, NF(f_new), opts));
	json_object_set_new(ctx, "groups", groups);
	json_object_set_new(ctx, "problems", problems);
	json_object_set_new(ctx, "roles", acct_role_boxes(o->roles, o->nroles,
	    o->role_bits, role_bits));
	json_object_set_new(ctx, "perms", acct_perm_boxes(o->perms, perms));
	if (json_object_get(f->errors, "grants") != NULL)
		json_object_set(ctx, "grants_error",
		    json_object_get(f->errors, "grants"));
	if (target != NULL)
		json_object_set_new(ctx, "cw", target);
	page_render(r, status, "account/user.html", ctx);
}

/* GET /account/users */
void
account_users_list(struct req *r)
{
	static const char q[] =
	    "SELECT u.id, u.name, u.email, u.disabled, u.last_login_at, "
	    "coalesce(b.name, ''), u.password_hash = '', "
	    "(SELECT group_concat(r.name, ',') FROM user_role ur "
	    "JOIN role r ON r.id = ur.role_id WHERE ur.user_id = u.id) "
	    "FROM user u LEFT JOIN branch b ON b.id = u.branch_id "
	    "WHERE u.customer_id = ?1 AND (?2 = 0 OR u.branch_id = ?2) "
	    "ORDER BY u.name, u.id";
	json_t *ctx, *rows = json_array();
	sqlite3_stmt *st;
	const char *done = req_query(r, "done");
	int64_t cust;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, cust);
	db_bind_int(st, 2, r->session->branch_id);
	while (db_step(r->db, st) == SQLITE_ROW) {
		json_t *o = json_object(), *roles = json_array();
		const char *rl = db_col_text(st, 7);
		int64_t id = db_col_int(st, 0);

		while (*rl != '\0') {
			size_t n = strcspn(rl, ",");

			json_array_append_new(roles, json_string(
			    acct_role_label(arena_strndup(r->arena, rl, n))));
			rl += n + (rl[n] == ',');
		}
		json_object_set_new(o, "id", json_integer(id));
		json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
		json_object_set_new(o, "email",
		    json_string(db_col_text(st, 2)));
		json_object_set_new(o, "disabled",
		    json_boolean(db_col_int(st, 3)));
		json_object_set_new(o, "last_login", db_col_is_null(st, 4) ?
		    json_null() : json_integer(db_col_int(st, 4)));
		json_object_set_new(o, "branch",
		    json_string(db_col_text(st, 5)));
		json_object_set_new(o, "invited",
		    json_boolean(db_col_int(st, 6)));
		json_object_set_new(o, "roles", roles);
		json_object_set_new(o, "me",
		    json_boolean(id == r->session->user_id));
		json_array_append_new(rows, o);
	}
	db_done(r->db, st);
	ctx = page_ctx(r, _("Współpracownicy"), AREA_PORTAL);
	json_object_set_new(ctx, "rows", rows);
	if (done != NULL)
		json_object_set_new(ctx, "notice", json_string(
		    strcmp(done, "added") == 0 ? _("Dodano użytkownika i "
		    "wysłano mu link do ustawienia hasła.") :
		    strcmp(done, "disabled") == 0 ? _("Konto wyłączone; "
		    "wszystkie sesje użytkownika zostały zakończone.") :
		    strcmp(done, "enabled") == 0 ? _("Konto włączone.") :
		    strcmp(done, "invited") == 0 ? _("Wysłano nowy link do "
		    "ustawienia hasła.") : _("Zapisano zmiany.")));
	page_render(r, 200, "account/users.html", ctx);
}

/* GET /account/users/new */
void
account_users_new(struct req *r)
{
	struct acct_form f;
	struct offer o;
	int64_t cust;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if (load_offer(r, &o) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	acct_form_init(&f, r);
	acct_form_set(&f, "lang", r->lang);
	if (r->session->branch_id)
		acct_form_set(&f, "branch", arena_printf(r->arena, "%" PRId64,
		    r->session->branch_id));
	render_form(r, 200, cust, &f, &o, 0, 0, NULL);
}

/*
 * Read the roles and permissions ticked.  Returns 0 when they are within
 * the offer; -1 when something beyond it was asked for: then 403 is
 * answered, the attempt audited, and nothing changes.
 */
static int
read_grants(struct req *r, int64_t cust, int64_t target,
    const struct offer *o, uint64_t *role_bits, uint64_t *perms)
{
	int bad_role, bad_perm;
	uint64_t all;

	*role_bits = acct_roles_asked(r, o->roles, o->nroles, &bad_role);
	*perms = acct_perms_asked(r, &bad_perm);
	all = asked_all(o, *role_bits, *perms);
	if (bad_role || bad_perm || (*role_bits & ~o->role_bits) != 0 ||
	    (*perms & ~o->perms) != 0 || (all & ~r->session->perms) != 0 ||
	    !auth_can_grant(r->session, all, 0)) {
		log_info("delegation refused: user %" PRId64 " asked for %s",
		    r->session->user_id, acct_perms_text(r, all));
		auth_audit(r->db, r, 0, "grant.refused", "user", target, cust,
		    acct_perms_text(r, all & ~r->session->perms));
		page_error(r, 403, _("Nie możesz nadać uprawnień, których "
		    "sam nie masz."));
		return -1;
	}
	return 0;
}

static const char *
grants_text(struct req *r, const struct offer *o, uint64_t role_bits,
    uint64_t perms)
{
	struct buf b = BUF_INIT;
	const char *s;

	buf_puts(&b, "roles:");
	for (size_t i = 0; i < o->nroles; i++)
		if ((role_bits >> i) & 1)
			buf_printf(&b, " %s", o->roles[i].name);
	buf_printf(&b, "; perms: %s", acct_perms_text(r, perms));
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* POST /account/users */
void
account_users_create(struct req *r)
{
	static const char q_phone[] =
	    "UPDATE user SET phone = ? WHERE id = ? AND customer_id = ?";
	struct auth_new_user nu;
	struct acct_form f;
	struct offer o;
	sqlite3_stmt *st;
	uint64_t role_bits, perms;
	int64_t cust, branch = 0, id = 0;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if (load_offer(r, &o) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (read_grants(r, cust, 0, &o, &role_bits, &perms) != 0)
		return;
	acct_form_init(&f, r);
	acct_form_read(&f, f_new, NF(f_new));
	if (!acct_lang_ok(acct_form_get(&f, "lang")))
		acct_form_error(&f, "lang", _("Wybierz z listy."));
	if (account_branch_parse(r, cust, r->session->branch_id,
	    acct_form_get(&f, "branch"), &branch) != 0)
		acct_form_error(&f, "branch", _("Wybierz z listy."));
	if (f.nerr > 0) {
		render_form(r, 422, cust, &f, &o, role_bits, perms, NULL);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	memset(&nu, 0, sizeof(nu));
	nu.customer_id = cust;
	nu.branch_id = branch;
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
		render_form(r, 422, cust, &f, &o, role_bits, perms, NULL);
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
	db_bind_text(st, 1, acct_form_get(&f, "phone"));
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, cust);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE ||
	    acct_set_grants(r, id, o.roles, o.nroles, role_bits, perms,
	    auth_customer_perms) != 0 ||
	    auth_audit(r->db, r, 0, "perm.grant", "user", id, cust,
	    grants_text(r, &o, role_bits, perms)) != 0 ||
	    auth_send_password_link(r->db, r->cfg, id, auth_base_url(r),
	    1) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/users?done=added");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/*
 * The user of the URL, if they are the caller's customer's (and branch's);
 * else 404 answered and 0.  Loads the form values and, for the page, a
 * summary (email, disabled, invited) into *target when asked.
 */
static int64_t
own_user(struct req *r, int64_t cust, struct acct_form *f, json_t **target)
{
	static const char q[] =
	    "SELECT name, phone, coalesce(branch_id, ''), lang, email, "
	    "disabled, password_hash = '', last_login_at FROM user "
	    "WHERE id = ?1 AND customer_id = ?2 AND (?3 = 0 OR branch_id = ?3)";
	sqlite3_stmt *st;
	int64_t id = r->iparam[0];
	int found = 0;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return 0;
	}
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	db_bind_int(st, 3, r->session->branch_id);
	if (db_step(r->db, st) == SQLITE_ROW) {
		found = 1;
		if (f != NULL) {
			acct_form_set(f, "name", db_col_text(st, 0));
			acct_form_set(f, "phone", db_col_text(st, 1));
			acct_form_set(f, "branch", db_col_text(st, 2));
			acct_form_set(f, "lang", db_col_text(st, 3));
		}
		if (target != NULL)
			*target = json_pack("{s:I, s:s, s:s, s:b, s:b, s:o}",
			    "id", (json_int_t)id,
			    "name", db_col_text(st, 0),
			    "email", db_col_text(st, 4),
			    "disabled", (int)db_col_int(st, 5),
			    "invited", (int)db_col_int(st, 6),
			    "last_login", db_col_is_null(st, 7) ? json_null() :
			    json_integer(db_col_int(st, 7)));
	}
	db_done(r->db, st);
	if (!found) {
		page_error(r, 404, NULL);
		return 0;
	}
	return id;
}

/* May the caller manage this user?  1; or 0 with 403 answered (also for
 * oneself: nobody changes their own rights). */
static int
may_manage(struct req *r, int64_t id)
{
	int rc = auth_can_manage_user(r->db, r->session, id);

	if (rc < 0) {
		page_error(r, 500, NULL);
		return 0;
	}
	if (rc == 0) {
		page_error(r, 403, id == r->session->user_id ?
		    _("Nie możesz zmieniać własnego konta ani uprawnień.") :
		    _("Ten użytkownik ma uprawnienia, których nie masz; "
		    "może go zmienić tylko ktoś, kto ma je wszystkie."));
		return 0;
	}
	return 1;
}

/* GET /account/users/{id} */
void
account_users_edit(struct req *r)
{
	struct acct_form f;
	struct offer o;
	json_t *target = NULL;
	uint64_t role_bits, perms;
	int64_t cust, id;
	int manage;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	acct_form_init(&f, r);
	if ((id = own_user(r, cust, &f, &target)) == 0)
		return;
	if (load_offer(r, &o) != 0 ||
	    acct_user_grants(r, id, o.roles, o.nroles, &role_bits,
	    &perms) != 0 ||
	    (manage = auth_can_manage_user(r->db, r->session, id)) < 0) {
		page_error(r, 500, NULL);
		return;
	}
	json_object_set_new(target, "manageable", json_boolean(manage));
	json_object_set_new(target, "me",
	    json_boolean(id == r->session->user_id));
	/* Someone the admin cannot manage is shown with what they hold. */
	if (!manage) {
		o.role_bits |= role_bits;
		o.perms |= perms;
	}
	render_form(r, 200, cust, &f, &o, role_bits, perms, target);
}

/* POST /account/users/{id} */
void
account_users_update(struct req *r)
{
	static const char q_upd[] =
	    "UPDATE user SET name = ?3, phone = ?4, branch_id = ?5, lang = ?6, "
	    "updated_at = ?7 WHERE id = ?1 AND customer_id = ?2";
	struct acct_form f, cur;
	struct offer o;
	json_t *target = NULL;
	sqlite3_stmt *st;
	uint64_t role_bits, perms;
	int64_t cust, id, branch = 0;
	int rc;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	acct_form_init(&cur, r);
	if ((id = own_user(r, cust, &cur, &target)) == 0 ||
	    !may_manage(r, id))
		return;
	if (load_offer(r, &o) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (read_grants(r, cust, id, &o, &role_bits, &perms) != 0)
		return;
	acct_form_init(&f, r);
	acct_form_read(&f, f_edit, NF(f_edit));
	if (!acct_lang_ok(acct_form_get(&f, "lang")))
		acct_form_error(&f, "lang", _("Wybierz z listy."));
	if (account_branch_parse(r, cust, r->session->branch_id,
	    acct_form_get(&f, "branch"), &branch) != 0)
		acct_form_error(&f, "branch", _("Wybierz z listy."));
	if (f.nerr > 0) {
		json_object_set_new(target, "manageable", json_true());
		render_form(r, 422, cust, &f, &o, role_bits, perms, target);
		return;
	}
	if (acct_begin(r) != 0)
		return;
	if ((st = db_prepare(r->db, q_upd)) == NULL)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, cust);
	db_bind_text(st, 3, acct_form_get(&f, "name"));
	db_bind_text(st, 4, acct_form_get(&f, "phone"));
	if (branch)
		db_bind_int(st, 5, branch);
	else
		db_bind_null(st, 5);
	db_bind_text(st, 6, acct_form_get(&f, "lang"));
	db_bind_int(st, 7, auth_now(r->cfg));
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE ||
	    acct_set_grants(r, id, o.roles, o.nroles, role_bits, perms,
	    auth_customer_perms) != 0 ||
	    auth_audit(r->db, r, 0, "perm.grant", "user", id, cust,
	    grants_text(r, &o, role_bits, perms)) != 0)
		goto fail;
	acct_commit_and_go(r, "/account/users?done=saved");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

static void
set_disabled(struct req *r, int disabled)
{
	int64_t cust, id;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if ((id = own_user(r, cust, NULL, NULL)) == 0 || !may_manage(r, id))
		return;
	if (acct_set_disabled(r, id, disabled) == 0)
		resp_redirect(r, 303,
		    disabled ? "/account/users?done=disabled" :
		    "/account/users?done=enabled");
}

/* POST /account/users/{id}/disable: ends every session of theirs at once
 * (auth_user_set_disabled). */
void
account_users_disable(struct req *r)
{
	set_disabled(r, 1);
}

/* POST /account/users/{id}/enable */
void
account_users_enable(struct req *r)
{
	set_disabled(r, 0);
}

/* POST /account/users/{id}/invite: a new link to set a password. */
void
account_users_invite(struct req *r)
{
	int64_t cust, id;

	if ((cust = auth_require_customer(r)) == 0)
		return;
	if ((id = own_user(r, cust, NULL, NULL)) == 0 || !may_manage(r, id))
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
	acct_commit_and_go(r, "/account/users?done=invited");
}
