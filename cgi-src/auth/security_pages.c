/*
 * security_pages.c: the second factor and the list of one's sessions (A1).
 *
 * /account/2fa enrols TOTP in two posts: "begin" stores a new secret
 * (totp_enabled stays 0) and the page shows it in base32 and as an
 * otpauth:// URI for an authenticator app, also as a QR code (qr.h); "enable" turns it on once a code
 * from the app checks out (so a mistyped secret cannot lock anyone out).
 * "disable" asks for the password, and is refused to staff where
 * totp_required_for_staff is on.  GET never changes anything.
 *
 * /account/sessions lists the user's live sessions (when, from where,
 * which browser, which one is this) and ends any of them; the session
 * id in the URL is looked up together with the user's id, so another
 * user's session is a 404.  A staff member impersonating a user may look
 * but not change either page.
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
#include "qr.h"
#include "req.h"

/* ---- TOTP ---- */

static void
totp_render(struct req *r, int status, const char *error)
{
	static const char q[] =
	    "SELECT totp_enabled, coalesce(totp_secret, '') FROM user"
	    " WHERE id = ?";
	json_t *ctx = page_ctx(r, _("Weryfikacja dwuetapowa"), AREA_PORTAL);
	sqlite3_stmt *st;
	int enabled = 0;
	char *secret = NULL;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->session->user_id);
	if (db_step(r->db, st) == SQLITE_ROW) {
		enabled = (int)db_col_int(st, 0);
		secret = arena_strdup(r->arena, db_col_text(st, 1));
	}
	db_done(r->db, st);
	json_object_set_new(ctx, "enabled", json_boolean(enabled));
	if (!enabled && secret != NULL && *secret != '\0') {
		const char *uri = auth_totp_uri(r->arena, r->cfg->brand_name,
		    r->session->email, secret), *path;
		int size;

		json_object_set_new(ctx, "pending", json_true());
		json_object_set_new(ctx, "secret", auth_jstr(secret));
		json_object_set_new(ctx, "uri", auth_jstr(uri));
		/* the same URI as a QR code for the app's camera; without
		 * one (logged) the key and the URI still serve */
		if (uri != NULL &&
		    (path = qr_svg_path(r->arena, uri, &size)) != NULL)
			json_object_set_new(ctx, "qr", json_pack("{s:i, s:s}",
			    "size", size, "path", path));
	}
	json_object_set_new(ctx, "required", json_boolean(r->session->is_staff &&
	    r->cfg->totp_required_for_staff));
	json_object_set_new(ctx, "must_enrol",
	    json_boolean(r->session->must_enrol_totp));
	json_object_set_new(ctx, "impersonated",
	    json_boolean(r->session->impersonator_user_id != 0));
	if (req_query(r, "done") != NULL)
		json_object_set_new(ctx, "saved", json_true());
	if (error != NULL)
		json_object_set_new(ctx, "error", auth_jstr(error));
	page_render(r, status, "auth/totp.html", ctx);
}

/* GET /account/2fa */
void
auth_totp_show(struct req *r)
{
	totp_render(r, 200, NULL);
}

/* The three writes of this page, each with (text or NULL, int, user id)
 * binds: begin (store a new secret), enable, off (disable or cancel). */
enum totp_op { TOTP_BEGIN, TOTP_ENABLE, TOTP_OFF };
static const char q_begin[] =
    "UPDATE user SET totp_secret = ?1, totp_last_step = ?2"
    " WHERE id = ?3 AND totp_enabled = 0";
static const char q_enable[] =
    "UPDATE user SET totp_enabled = 1, totp_last_step = ?2"
    " WHERE id = ?3 AND totp_secret = ?1";
static const char q_off[] =
    "UPDATE user SET totp_enabled = 0, totp_secret = ?1,"
    " totp_last_step = ?2 WHERE id = ?3";

/* Run one of them inside a write transaction with an audit row (action
 * NULL: none).  0, or an HTTP status. */
static int
totp_write(struct req *r, enum totp_op op, const char *text, int64_t n,
    const char *action)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin_write(r->db) != SQLITE_OK)
		return 503;
	st = op == TOTP_BEGIN ? db_prepare(r->db, q_begin) :
	    op == TOTP_ENABLE ? db_prepare(r->db, q_enable) :
	    db_prepare(r->db, q_off);
	if (st == NULL)
		goto fail;
	if (text != NULL)
		db_bind_text(st, 1, text);
	else
		db_bind_null(st, 1);
	db_bind_int(st, 2, n);
	db_bind_int(st, 3, r->session->user_id);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (action != NULL && auth_audit(r->db, r, 0, action, "user",
	    r->session->user_id, r->session->customer_id, NULL) != 0)
		goto fail;
	return db_commit(r->db) == SQLITE_OK ? 0 : 503;
fail:
	db_rollback(r->db);
	return 500;
}

/* POST /account/2fa: action = begin | enable | disable | cancel */
void
auth_totp_post(struct req *r)
{
	static const char q_get[] =
	    "SELECT coalesce(totp_secret, ''), totp_last_step, totp_enabled,"
	    " password_hash FROM user WHERE id = ?";
	const char *action = req_form(r, "action");
	char secret[33], *cur = NULL, *hash = NULL;
	int64_t last = 0, step = 0;
	int enabled = 0, status = 0, rc;
	sqlite3_stmt *st;

	if (r->session->impersonator_user_id != 0) {
		page_error(r, 403, _("Podczas podglądu cudzego konta nie można "
		    "zmieniać jego zabezpieczeń."));
		return;
	}
	if (action == NULL) {
		page_error(r, 400, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q_get)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->session->user_id);
	if (db_step(r->db, st) == SQLITE_ROW) {
		cur = arena_strdup(r->arena, db_col_text(st, 0));
		last = db_col_int(st, 1);
		enabled = (int)db_col_int(st, 2);
		hash = arena_strdup(r->arena, db_col_text(st, 3));
	}
	db_done(r->db, st);
	if (cur == NULL) {
		page_error(r, 500, NULL);
		return;
	}

	if (strcmp(action, "begin") == 0 && !enabled) {
		auth_totp_new_secret(secret);
		status = totp_write(r, TOTP_BEGIN, secret, 0, NULL);
	} else if (strcmp(action, "cancel") == 0 && !enabled) {
		status = totp_write(r, TOTP_OFF, NULL, 0, NULL);
	} else if (strcmp(action, "enable") == 0 && !enabled && *cur != '\0') {
		if (!auth_totp_verify(cur, req_form(r, "code"),
		    auth_now(r->cfg), last, &step)) {
			totp_render(r, 422, _("Kod się nie zgadza. Sprawdź, czy "
			    "zegar telefonu jest dokładny, i wpisz kolejny "
			    "kod."));
			return;
		}
		status = totp_write(r, TOTP_ENABLE, cur, step, "totp.enable");
	} else if (strcmp(action, "disable") == 0 && enabled) {
		if (r->session->is_staff && r->cfg->totp_required_for_staff) {
			page_error(r, 403, _("Pracownicy muszą używać "
			    "weryfikacji dwuetapowej."));
			return;
		}
		rc = auth_password_verify(r->cfg, hash, req_form(r,
		    "password") ? req_form(r, "password") : "");
		if (rc == AUTH_BUSY || rc == AUTH_ERR) {
			page_error(r, rc == AUTH_BUSY ? 503 : 500, NULL);
			return;
		}
		if (rc != AUTH_OK) {
			totp_render(r, 422, _("Hasło jest nieprawidłowe."));
			return;
		}
		status = totp_write(r, TOTP_OFF, NULL, 0, "totp.disable");
	} else {
		/* A stale form (enabled meanwhile in another tab): show the
		 * page as it is now. */
		resp_redirect(r, 303, "/account/2fa");
		return;
	}
	if (status != 0) {
		page_error(r, status, NULL);
		return;
	}
	resp_redirect(r, 303, strcmp(action, "begin") == 0 ||
	    strcmp(action, "cancel") == 0 ? "/account/2fa" :
	    "/account/2fa?done=1");
}

/* ---- sessions ---- */

/* GET /account/sessions */
void
auth_sessions_list(struct req *r)
{
	static const char q[] =
	    "SELECT s.id, s.created_at, s.last_seen_at, s.ip, s.user_agent,"
	    " coalesce(i.name, '') FROM session s"
	    " LEFT JOIN user i ON i.id = s.impersonator_user_id"
	    " WHERE s.user_id = ? AND s.revoked_at IS NULL"
	    " AND s.expires_at > ? AND s.last_seen_at > ?"
	    " ORDER BY s.last_seen_at DESC, s.id DESC LIMIT 100";
	json_t *ctx = page_ctx(r, _("Aktywne sesje"), AREA_PORTAL);
	json_t *rows = json_array(), *row;
	int64_t now = auth_now(r->cfg);
	sqlite3_stmt *st;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->session->user_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, now - (int64_t)r->cfg->session_idle_min * 60);
	while (db_step(r->db, st) == SQLITE_ROW) {
		int64_t id = db_col_int(st, 0);

		row = json_object();
		json_object_set_new(row, "id", json_integer(id));
		json_object_set_new(row, "created_at",
		    json_integer(db_col_int(st, 1)));
		json_object_set_new(row, "last_seen_at",
		    json_integer(db_col_int(st, 2)));
		json_object_set_new(row, "ip", auth_jstr(db_col_text(st, 3)));
		json_object_set_new(row, "user_agent",
		    auth_jstr(db_col_text(st, 4)));
		json_object_set_new(row, "impersonator",
		    auth_jstr(db_col_text(st, 5)));
		json_object_set_new(row, "current",
		    json_boolean(id == r->session->id));
		json_array_append_new(rows, row);
	}
	db_done(r->db, st);
	json_object_set_new(ctx, "sessions", rows);
	json_object_set_new(ctx, "impersonated",
	    json_boolean(r->session->impersonator_user_id != 0));
	page_render(r, 200, "auth/sessions.html", ctx);
}

/* POST /account/sessions/{id:int}/end */
void
auth_session_end_one(struct req *r)
{
	static const char q[] =
	    "UPDATE session SET revoked_at = ? WHERE id = ? AND user_id = ?"
	    " AND revoked_at IS NULL";
	int64_t id = r->iparam[0];
	sqlite3_stmt *st;
	int rc, n;

	if (r->session->impersonator_user_id != 0) {
		page_error(r, 403, _("Podczas podglądu cudzego konta nie można "
		    "zmieniać jego zabezpieczeń."));
		return;
	}
	if (db_begin_write(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL)
		goto fail;
	db_bind_int(st, 1, auth_now(r->cfg));
	db_bind_int(st, 2, id);
	db_bind_int(st, 3, r->session->user_id);
	rc = db_step(r->db, st);
	n = db_changes(r->db);
	db_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (n != 1) {
		db_rollback(r->db);
		page_error(r, 404, NULL);
		return;
	}
	if (auth_audit(r->db, r, 0, "session.end", "session", id,
	    r->session->customer_id, NULL) != 0)
		goto fail;
	if (db_commit(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	if (id == r->session->id) {
		session_end(r);
		resp_redirect(r, 303, "/");
		return;
	}
	resp_redirect(r, 303, "/account/sessions");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}
