/*
 * password_pages.c: forgotten password, the reset link, and changing one's
 * password (A1).
 *
 * /password/forgot always gives the same answer, whether or not the
 * address has an account; for an account it queues a mail (mail_outbox)
 * with a single-use link valid reset_link_minutes (at most one mail per
 * account every two minutes, so the form cannot be used to flood a
 * mailbox).  The link's token is stored as its SHA-256 only.  Setting a
 * password through it uses it up (with every other open link of that
 * user), ends every session of the user and is audited.  A password change
 * asks for the current password and can end the user's other sessions.
 * While a staff member impersonates a user, neither is possible.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "auth_pages.h"
#include "cfg.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "req.h"

/* ---- forgotten password ---- */

static void
forgot_render(struct req *r, int status, int sent, const char *email,
    const char *error)
{
	json_t *ctx = page_ctx(r, _("Nie pamiętasz hasła?"), AREA_PUBLIC);

	json_object_set_new(ctx, "sent", json_boolean(sent));
	json_object_set_new(ctx, "email", auth_jstr(email));
	if (error != NULL)
		json_object_set_new(ctx, "error", auth_jstr(error));
	page_render(r, status, "auth/forgot.html", ctx);
}

/* GET /password/forgot */
void
auth_forgot_form(struct req *r)
{
	forgot_render(r, 200, 0, "", NULL);
}

/* POST /password/forgot */
void
auth_forgot(struct req *r)
{
	static const char q_user[] =
	    "SELECT u.id, coalesce(u.customer_id, 0),"
	    " (SELECT count(*) FROM password_reset p WHERE p.user_id = u.id"
	    "  AND p.created_at > ?2)"
	    " FROM user u LEFT JOIN customer c ON c.id = u.customer_id"
	    " WHERE u.email = ?1 AND u.disabled = 0"
	    " AND (u.is_staff = 1 OR (c.portal_status = 'active'"
	    " AND c.deleted_at IS NULL))";
	const char *email = req_form(r, "email");
	int64_t now = auth_now(r->cfg), uid = 0, cust = 0, recent = 0;
	sqlite3_stmt *st;

	while (email != NULL && *email == ' ')
		email++;
	if (email == NULL || strchr(email, '@') == NULL ||
	    strlen(email) > 254) {
		forgot_render(r, 422, 0, email, _("Podaj adres e-mail konta."));
		return;
	}
	if ((st = db_prepare(r->db, q_user)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, email);
	db_bind_int(st, 2, now - 120);
	if (db_step(r->db, st) == SQLITE_ROW) {
		uid = db_col_int(st, 0);
		cust = db_col_int(st, 1);
		recent = db_col_int(st, 2);
	}
	db_done(r->db, st);
	if (uid != 0 && recent == 0) {
		if (auth_send_password_link(r->db, r->cfg, uid,
		    auth_base_url(r), 0) != 0 ||
		    auth_audit(r->db, r, 0, "password.reset_request", "user",
		    uid, cust, NULL) != 0)
			log_err("password link for user %" PRId64 " not queued",
			    uid);
	}
	/* The same answer in every case. */
	forgot_render(r, 200, 1, email, NULL);
}

/* ---- the reset link ---- */

/* The open link of token: its id and user, or 0. */
static int64_t
link_find(struct req *r, const char *token, int64_t *uid)
{
	static const char q[] =
	    "SELECT p.id, p.user_id FROM password_reset p"
	    " JOIN user u ON u.id = p.user_id"
	    " WHERE p.token_hash = ? AND p.used_at IS NULL"
	    " AND p.expires_at > ? AND u.disabled = 0";
	char hash[65];
	sqlite3_stmt *st;
	int64_t id = 0;

	if (strlen(token) != 64)
		return 0;
	auth_token_hash(token, hash);
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, auth_now(r->cfg));
	if (db_step(r->db, st) == SQLITE_ROW) {
		id = db_col_int(st, 0);
		*uid = db_col_int(st, 1);
	}
	db_done(r->db, st);
	return id;
}

static void
reset_render(struct req *r, int status, int invalid, const char *error)
{
	json_t *ctx = page_ctx(r, _("Nowe hasło"), AREA_PUBLIC);

	json_object_set_new(ctx, "invalid", json_boolean(invalid));
	json_object_set_new(ctx, "token", auth_jstr(r->param[0]));
	if (error != NULL)
		json_object_set_new(ctx, "error", auth_jstr(error));
	page_render(r, status, "auth/reset.html", ctx);
}

/* GET /password/reset/{token:hex} */
void
auth_reset_form(struct req *r)
{
	int64_t uid = 0, id = link_find(r, r->param[0], &uid);

	if (id < 0) {
		page_error(r, 500, NULL);
		return;
	}
	reset_render(r, id > 0 ? 200 : 410, id == 0, NULL);
}

/* Check a new password and its repetition; NULL or the problem. */
static const char *
new_password_problem(struct req *r, const char *pw, const char *pw2)
{
	enum auth_pw_problem p = auth_password_check(pw);

	if (p != AUTH_PW_FINE)
		return auth_password_problem_text(p);
	if (pw2 == NULL || strcmp(pw, pw2) != 0)
		return _("Hasła nie są takie same.");
	return NULL;
}

/* POST /password/reset/{token:hex} */
void
auth_reset(struct req *r)
{
	static const char q_use[] =
	    "UPDATE password_reset SET used_at = ?1 WHERE id = ?2"
	    " AND used_at IS NULL AND expires_at > ?1";
	static const char q_pw[] =
	    "UPDATE user SET password_hash = ?1, password_changed_at = ?2,"
	    " updated_at = ?2 WHERE id = ?3";
	static const char q_others[] =
	    "UPDATE password_reset SET used_at = ?1 WHERE user_id = ?2"
	    " AND used_at IS NULL";
	const char *pw = req_form(r, "password"), *pw2 = req_form(r,
	    "password2"), *problem;
	char hash[AUTH_HASH_MAX];
	int64_t uid = 0, id = link_find(r, r->param[0], &uid);
	int64_t now = auth_now(r->cfg);
	sqlite3_stmt *st;
	int rc;

	if (id < 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (id == 0) {
		reset_render(r, 410, 1, NULL);
		return;
	}
	if ((problem = new_password_problem(r, pw, pw2)) != NULL) {
		reset_render(r, 422, 0, problem);
		return;
	}
	if ((rc = auth_password_hash(r->cfg, pw, hash, sizeof(hash))) !=
	    AUTH_OK) {
		page_error(r, rc == AUTH_BUSY ? 503 : 500, NULL);
		return;
	}
	if (db_begin_write(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	/* Used up here, under the write lock: two posts of one link cannot
	 * both pass. */
	if ((st = db_prepare(r->db, q_use)) == NULL)
		goto fail;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, id);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (db_changes(r->db) != 1) {
		db_rollback(r->db);
		reset_render(r, 410, 1, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q_pw)) == NULL)
		goto fail;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, uid);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if ((st = db_prepare(r->db, q_others)) == NULL)
		goto fail;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, uid);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE || auth_revoke_user_sessions(r->db, uid, 0) < 0 ||
	    auth_audit(r->db, r, uid, "password.reset", "user", uid, 0,
	    NULL) != 0)
		goto fail;
	if (db_commit(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	if (r->session != NULL)
		session_end(r);
	resp_redirect(r, 303, "/login?reset=1");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* ---- changing one's password ---- */

static void
password_render(struct req *r, int status, const char *error,
    const char *field, int saved)
{
	json_t *ctx = page_ctx(r, _("Zmiana hasła"), AREA_PORTAL);

	if (error != NULL) {
		json_object_set_new(ctx, "error", auth_jstr(error));
		json_object_set_new(ctx, field, json_true());
	}
	json_object_set_new(ctx, "saved", json_boolean(saved));
	page_render(r, status, "auth/password.html", ctx);
}

static int
refuse_impersonated(struct req *r)
{
	if (r->session->impersonator_user_id == 0)
		return 0;
	page_error(r, 403, _("Podczas podglądu cudzego konta nie można "
	    "zmieniać jego zabezpieczeń."));
	return 1;
}

/* GET /account/password */
void
auth_password_form(struct req *r)
{
	if (refuse_impersonated(r))
		return;
	password_render(r, 200, NULL, NULL, req_query(r, "saved") != NULL);
}

/* POST /account/password */
void
auth_password_change(struct req *r)
{
	static const char q_get[] =
	    "SELECT password_hash FROM user WHERE id = ?";
	static const char q_pw[] =
	    "UPDATE user SET password_hash = ?1, password_changed_at = ?2,"
	    " updated_at = ?2 WHERE id = ?3";
	const char *cur = req_form(r, "current"), *pw = req_form(r, "password");
	const char *pw2 = req_form(r, "password2"), *problem;
	int others = req_form(r, "end_others") != NULL;
	char hash[AUTH_HASH_MAX], *old = NULL;
	int64_t now = auth_now(r->cfg);
	sqlite3_stmt *st;
	int rc;

	if (refuse_impersonated(r))
		return;
	if ((st = db_prepare(r->db, q_get)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->session->user_id);
	if (db_step(r->db, st) == SQLITE_ROW)
		old = arena_strdup(r->arena, db_col_text(st, 0));
	db_done(r->db, st);
	if (old == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	rc = auth_password_verify(r->cfg, old, cur ? cur : "");
	if (rc == AUTH_BUSY || rc == AUTH_ERR) {
		page_error(r, rc == AUTH_BUSY ? 503 : 500, NULL);
		return;
	}
	if (rc != AUTH_OK) {
		password_render(r, 422, _("Obecne hasło jest nieprawidłowe."),
		    "error_current", 0);
		return;
	}
	if ((problem = new_password_problem(r, pw, pw2)) != NULL) {
		password_render(r, 422, problem, "error_new", 0);
		return;
	}
	if ((rc = auth_password_hash(r->cfg, pw, hash, sizeof(hash))) !=
	    AUTH_OK) {
		page_error(r, rc == AUTH_BUSY ? 503 : 500, NULL);
		return;
	}
	if (db_begin_write(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q_pw)) == NULL)
		goto fail;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, r->session->user_id);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (others && auth_revoke_user_sessions(r->db, r->session->user_id,
	    r->session->id) < 0)
		goto fail;
	if (auth_audit(r->db, r, 0, "password.change", "user",
	    r->session->user_id, r->session->customer_id,
	    others ? "other sessions ended" : NULL) != 0)
		goto fail;
	if (db_commit(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	resp_redirect(r, 303, "/account/password?saved=1");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}
