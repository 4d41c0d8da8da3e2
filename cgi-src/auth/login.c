/*
 * login.c: logging in and out (A1), and the login form that stands in for
 * a page an anonymous visitor may not see.
 *
 * POST /login: the answer to a wrong e-mail, a wrong password and a wrong
 * second-factor code is one and the same, and an unknown e-mail costs the
 * same argon2 work as a known one, so neither the text nor the time tells
 * whether an account exists.  Throttling is by delay, not lock-out: every
 * attempt is a row in login_attempt; over the last 15 minutes (and, per
 * account, since its last successful login) the failures beyond
 * login_free_attempts per account, or login_ip_free_attempts per source
 * address, make the next attempt wait 1, 2, 4 ... seconds, at most
 * login_max_delay_s, counted from the last failure.  An attempt within the
 * delay is answered 429 without looking at the password (no hashing work
 * for the attacker to make us do); one after it is judged normally, so a
 * real user who waits always gets in.  Every success and failure is in the
 * audit log.  A successful login always starts a new session (rotation:
 * the browser's previous session, if any, is revoked).
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

#define THROTTLE_WINDOW	(15 * 60)

/* A JSON string of s, "" for NULL or text that is not UTF-8. */
json_t *
auth_jstr(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_string("");
}

/* A local path to go to after login, or NULL: "/x..." but not "//host",
 * "/\host", nor anything with control characters. */
const char *
auth_safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || strlen(next) > 1024)
		return NULL;
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return NULL;
	return next;
}

static const char *
home_of(const struct session *s)
{
	if (s->must_enrol_totp)
		return "/account/2fa";
	return s->is_staff ? "/cms" : "/portal";
}

static void
login_render(struct req *r, int status, const char *heading,
    const char *intro, const char *error, const char *email, const char *next)
{
	json_t *ctx = page_ctx(r, _("Logowanie"), AREA_PUBLIC);

	json_object_set_new(ctx, "heading", auth_jstr(heading ? heading :
	    _("Logowanie")));
	if (intro != NULL)
		json_object_set_new(ctx, "intro", auth_jstr(intro));
	if (error != NULL)
		json_object_set_new(ctx, "error", auth_jstr(error));
	json_object_set_new(ctx, "email", auth_jstr(email));
	json_object_set_new(ctx, "next", auth_jstr(next));
	if (req_query(r, "reset") != NULL && error == NULL)
		json_object_set_new(ctx, "notice", auth_jstr(_("Hasło zostało "
		    "ustawione. Zaloguj się nowym hasłem.")));
	page_render(r, status, "auth/login.html", ctx);
}

/* GET /login */
void
auth_login_form(struct req *r)
{
	const char *next = auth_safe_next(req_query(r, "next"));

	if (r->session != NULL) {
		resp_redirect(r, 303, next ? next : home_of(r->session));
		return;
	}
	login_render(r, 200, NULL, NULL, NULL, "", next);
}

/* An anonymous GET of a page that needs a login: 403 with the login form,
 * which brings the visitor back to the page. */
void
auth_login_required(struct req *r)
{
	const char *next = r->query_string ? arena_printf(r->arena, "%s?%s",
	    r->path, r->query_string) : r->path;

	login_render(r, 403, _("Brak dostępu"), _("Ta strona jest dostępna "
	    "po zalogowaniu."), NULL, "", auth_safe_next(next));
}

/* Seconds the next attempt must still wait, or 0; -1 on a database
 * error. */
static int64_t
throttle_wait(struct req *r, const char *email, const char *ip, int64_t now)
{
	static const char q_acct[] =
	    "SELECT count(*), coalesce(max(at), 0) FROM login_attempt"
	    " WHERE email = ?1 AND ok = 0 AND at > ?2"
	    " AND at > coalesce((SELECT max(at) FROM login_attempt"
	    " WHERE email = ?1 AND ok = 1), 0)";
	static const char q_ip[] =
	    "SELECT count(*), coalesce(max(at), 0) FROM login_attempt"
	    " WHERE ip = ? AND ok = 0 AND at > ?";
	sqlite3_stmt *st;
	int64_t wait = 0, n, last, d;

	for (int pass = 0; pass < 2; pass++) {
		st = pass == 0 ? db_prepare(r->db, q_acct) :
		    db_prepare(r->db, q_ip);
		if (st == NULL)
			return -1;
		db_bind_text(st, 1, pass == 0 ? email : ip);
		db_bind_int(st, 2, now - THROTTLE_WINDOW);
		if (db_step(r->db, st) != SQLITE_ROW) {
			db_done(r->db, st);
			return -1;
		}
		n = db_col_int(st, 0);
		last = db_col_int(st, 1);
		db_done(r->db, st);
		d = auth_throttle_delay((int)(n > 100000 ? 100000 : n),
		    pass == 0 ? r->cfg->login_free_attempts :
		    r->cfg->login_ip_free_attempts, r->cfg->login_max_delay_s);
		if (last + d - now > wait)
			wait = last + d - now;
	}
	return wait;
}

/* Record an attempt (and drop those over a day old).  0 or -1. */
static int
attempt_record(struct req *r, const char *email, const char *ip, int ok,
    int64_t now)
{
	static const char q_ins[] =
	    "INSERT INTO login_attempt (at, email, ip, ok) VALUES (?, ?, ?, ?)";
	static const char q_clean[] =
	    "DELETE FROM login_attempt WHERE id IN (SELECT id FROM"
	    " login_attempt WHERE at < ? ORDER BY at LIMIT 100)";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q_ins)) == NULL)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_textn(st, 2, email, strlen(email) > 254 ? 254 : strlen(email));
	db_bind_text(st, 3, ip);
	db_bind_int(st, 4, ok);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		return -1;
	if ((st = db_prepare(r->db, q_clean)) == NULL)
		return -1;
	db_bind_int(st, 1, now - 86400);
	rc = db_step_done(r->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Record a failure and its audit row in one transaction. */
static int
fail_record(struct req *r, const char *email, const char *ip, int64_t uid,
    int64_t cust, const char *why, int64_t now)
{
	if (db_begin_write(r->db) != SQLITE_OK)
		return -1;
	if (attempt_record(r, email, ip, 0, now) != 0 ||
	    auth_audit(r->db, r, 0, "login.fail", uid ? "user" : "", uid,
	    cust, arena_printf(r->arena, "%s: %.254s", why, email)) != 0) {
		db_rollback(r->db);
		return -1;
	}
	return db_commit(r->db) == SQLITE_OK ? 0 : -1;
}

/* POST /login */
void
auth_login(struct req *r)
{
	static const char q_user[] =
	    "SELECT u.id, u.password_hash, u.disabled, u.totp_enabled,"
	    " coalesce(u.totp_secret, ''), u.totp_last_step,"
	    " coalesce(u.customer_id, 0),"
	    " coalesce(c.portal_status, 'active') = 'active'"
	    " AND c.deleted_at IS NULL"
	    " FROM user u LEFT JOIN customer c ON c.id = u.customer_id"
	    " WHERE u.email = ?";
	static const char q_ok[] =
	    "UPDATE user SET totp_last_step = max(totp_last_step, ?)"
	    " WHERE id = ?";
	static const char q_rehash[] =
	    "UPDATE user SET password_hash = ? WHERE id = ? AND"
	    " password_hash = ?";
	const char *email = req_form(r, "email"), *pw = req_form(r, "password");
	const char *code = req_form(r, "code");
	const char *next = auth_safe_next(req_form(r, "next"));
	const char *ip = r->remote_addr ? r->remote_addr : "-";
	const char *bad = _("Nieprawidłowy adres e-mail, hasło lub kod.");
	char *hash = NULL, *secret = NULL, newhash[AUTH_HASH_MAX];
	int64_t now = auth_now(r->cfg), wait, uid = 0, cust = 0, last_step = 0;
	int64_t step = 0;
	int found = 0, disabled = 0, totp = 0, active = 1, rc;
	sqlite3_stmt *st;

	while (email != NULL && *email == ' ')
		email++;
	if (email == NULL || *email == '\0' || pw == NULL || *pw == '\0' ||
	    strlen(email) > 254 || strlen(pw) > AUTH_PW_MAX * 4) {
		login_render(r, 422, NULL, NULL, _("Podaj adres e-mail i "
		    "hasło."), email, next);
		return;
	}
	if ((wait = throttle_wait(r, email, ip, now)) < 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (wait > 0) {
		login_render(r, 429, NULL, NULL, arena_printf(r->arena,
		    "%s %d s.", _("Zbyt wiele nieudanych prób logowania. "
		    "Spróbuj ponownie za"), (int)wait), email, next);
		resp_header(r, "Retry-After", arena_printf(r->arena, "%d",
		    (int)wait));
		return;
	}

	if ((st = db_prepare(r->db, q_user)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, email);
	if (db_step(r->db, st) == SQLITE_ROW) {
		found = 1;
		uid = db_col_int(st, 0);
		hash = arena_strdup(r->arena, db_col_text(st, 1));
		disabled = (int)db_col_int(st, 2);
		totp = (int)db_col_int(st, 3);
		secret = arena_strdup(r->arena, db_col_text(st, 4));
		last_step = db_col_int(st, 5);
		cust = db_col_int(st, 6);
		active = (int)db_col_int(st, 7);
	}
	db_done(r->db, st);

	rc = auth_password_verify(r->cfg, found ? hash : "", pw);
	if (rc == AUTH_BUSY) {
		page_error(r, 503, NULL);
		resp_header(r, "Retry-After", "2");
		return;
	}
	if (rc == AUTH_ERR) {
		page_error(r, 500, NULL);
		return;
	}
	if (!found || rc != AUTH_OK || (totp &&
	    !auth_totp_verify(secret, code, now, last_step, &step))) {
		if (fail_record(r, email, ip, uid, cust, !found ? "unknown" :
		    rc != AUTH_OK ? "password" : "code", now) != 0)
			log_warn("login failure not recorded");
		login_render(r, 401, NULL, NULL, bad, email, next);
		return;
	}
	if (disabled || !active) {
		/* The password was right: saying why is safe now. */
		if (fail_record(r, email, ip, uid, cust, disabled ?
		    "disabled" : "customer not active", now) != 0)
			log_warn("login failure not recorded");
		login_render(r, 403, NULL, NULL, _("To konto jest wyłączone "
		    "albo czeka na zatwierdzenie. Skontaktuj się z nami."),
		    email, next);
		return;
	}

	/* Re-hash with the configured parameters, before any lock. */
	newhash[0] = '\0';
	if (auth_password_needs_rehash(r->cfg, hash) &&
	    auth_password_hash(r->cfg, pw, newhash, sizeof(newhash)) != AUTH_OK)
		newhash[0] = '\0';	/* next time */

	if (db_begin_write(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	if (attempt_record(r, email, ip, 1, now) != 0)
		goto fail;
	if (totp) {
		if ((st = db_prepare(r->db, q_ok)) == NULL)
			goto fail;
		db_bind_int(st, 1, step);
		db_bind_int(st, 2, uid);
		rc = db_step_done(r->db, st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if (newhash[0] != '\0') {
		if ((st = db_prepare(r->db, q_rehash)) == NULL)
			goto fail;
		db_bind_text(st, 1, newhash);
		db_bind_int(st, 2, uid);
		db_bind_text(st, 3, hash);
		rc = db_step_done(r->db, st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if (auth_audit(r->db, r, uid, "login.ok", "user", uid, cust,
	    newhash[0] ? "re-hashed" : NULL) != 0)
		goto fail;
	if (db_commit(r->db) != SQLITE_OK) {
		page_error(r, 503, NULL);
		return;
	}
	/* Rotation: whatever session this browser had is ended. */
	if (r->session != NULL)
		session_end(r);
	if ((rc = session_start(r, uid, 0)) != AUTH_OK) {
		page_error(r, rc == AUTH_BUSY ? 503 : 500, NULL);
		return;
	}
	resp_redirect(r, 303, next && !r->session->must_enrol_totp ? next :
	    home_of(r->session));
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* POST /logout */
void
auth_logout(struct req *r)
{
	if (r->session != NULL) {
		if (auth_audit(r->db, r, 0, "logout", "session", r->session->id,
		    r->session->customer_id, NULL) != 0)
			log_warn("logout not audited");
		session_end(r);
	}
	resp_redirect(r, 303, "/");
}
