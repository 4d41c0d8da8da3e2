/*
 * auth_session.c: sessions (load, start, end, revoke), effective
 * permissions, the customer-scope helpers and the audit log.  The contract
 * of each function is in auth.h; how a request is authenticated is told
 * at the top of that file.
 *
 * The cookie to send with a response (a new token after session_start, a
 * deletion after session_end or a dead session) is kept in `pending`, the
 * module's per-request state: session_load(), which app.c calls at the
 * start of every request, resets it, and auth_finish_response() turns it
 * into a Set-Cookie line at the end.  The strings in it are arena memory of
 * that request and are never read after it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "perm.h"
#include "req.h"

static struct {
	const char	*set_token;	/* arena: the new session's token */
	int		 clear;		/* delete the cookie */
} pending;

const char *
auth_cookie_name(const struct req *r)
{
	/* __Host- demands Secure, which only holds behind TLS. */
	return r->https ? "__Host-sid" : "framuga_sid";
}

static int
is_hex64(const char *s)
{
	return s != NULL && strlen(s) == 64 &&
	    strspn(s, "0123456789abcdef") == 64;
}

/* ---- permissions ---- */

/* Effective permissions and the perm_version they were computed at.  The
 * version is read first: a change that races with the computation leaves
 * the session with an older version, so the next request recomputes. */
static int
user_perms_v(struct db *db, int64_t uid, uint64_t *out, int64_t *version)
{
	static const char q_user[] =
	    "SELECT is_staff, coalesce(customer_id, 0), perm_version"
	    " FROM user WHERE id = ?";
	static const char q_perms[] =
	    "SELECT rp.perm FROM user_role ur"
	    " JOIN role_perm rp ON rp.role_id = ur.role_id"
	    " WHERE ur.user_id = ?1"
	    " UNION SELECT perm FROM user_perm WHERE user_id = ?1";
	static const char q_modules[] =
	    "SELECT module FROM customer_module WHERE customer_id = ?";
	sqlite3_stmt *st;
	uint64_t perms = 0, mods_ok = 0;
	int64_t customer;
	int is_staff, rc;

	*out = 0;
	if ((st = db_prepare(db, q_user)) == NULL)
		return -1;
	db_bind_int(st, 1, uid);
	if ((rc = db_step(db, st)) != SQLITE_ROW) {
		db_done(db, st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	is_staff = (int)db_col_int(st, 0);
	customer = db_col_int(st, 1);
	if (version != NULL)
		*version = db_col_int(st, 2);
	db_done(db, st);

	if ((st = db_prepare(db, q_perms)) == NULL)
		return -1;
	db_bind_int(st, 1, uid);
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		int p = auth_perm_by_name(db_col_text(st, 0));

		if (p > PERM_LOGIN)
			perms |= AUTH_BIT(p);
	}
	db_done(db, st);
	if (rc != SQLITE_DONE)
		return -1;

	if (is_staff) {
		/* Any staff member has the CMS shell; and marketing.view, which
		 * every customer's user holds (below), or impersonating them
		 * would ask for more than the staff member holds. */
		*out = perms | AUTH_BIT(PERM_CMS) |
		    AUTH_BIT(PERM_MARKETING_VIEW);
		return 0;
	}
	/* marketing.view is granted to nobody: every user of a customer
	 * holds it while the customer has the 'marketing' module (the
	 * module loop below takes it away otherwise); see perm.h. */
	perms = (perms & auth_customer_perms) | AUTH_BIT(PERM_MARKETING_VIEW);
	if ((st = db_prepare(db, q_modules)) == NULL)
		return -1;
	db_bind_int(st, 1, customer);
	while ((rc = db_step(db, st)) == SQLITE_ROW) {
		const char *m = db_col_text(st, 0);

		for (int p = 0; p < PERM__MAX; p++) {
			const char *pm = perm_module((enum perm)p);

			if (pm != NULL && strcmp(pm, m) == 0)
				mods_ok |= AUTH_BIT(p);
		}
	}
	db_done(db, st);
	if (rc != SQLITE_DONE)
		return -1;
	for (int p = 0; p < PERM__MAX; p++)
		if (perm_module((enum perm)p) != NULL &&
		    !(mods_ok & AUTH_BIT(p)))
			perms &= ~AUTH_BIT(p);
	*out = perms;
	return 0;
}

int
auth_user_perms(struct db *db, int64_t uid, uint64_t *out)
{
	return user_perms_v(db, uid, out, NULL);
}

/* ---- loading ---- */

/* The live session with this token hash, or NULL.  touch: refresh
 * last_seen_at (at most once a minute) and stale permissions. */
static struct session *
load_by_hash(struct req *r, const char *hash, int64_t now, int touch)
{
	static const char q[] =
	    "SELECT s.id, s.user_id, s.created_at, s.last_seen_at,"
	    " s.expires_at, s.perms, s.perm_version, s.csrf,"
	    " coalesce(s.impersonator_user_id, 0),"
	    " coalesce(u.customer_id, 0), coalesce(u.branch_id, 0),"
	    " u.is_staff, u.name, u.email, u.lang, u.perm_version,"
	    " u.disabled, u.totp_enabled, coalesce(c.name, ''),"
	    " coalesce(c.portal_status, 'active'), c.deleted_at IS NOT NULL,"
	    " i.id IS NOT NULL, coalesce(i.name, ''), coalesce(i.disabled, 0)"
	    " FROM session s JOIN user u ON u.id = s.user_id"
	    " LEFT JOIN customer c ON c.id = u.customer_id"
	    " LEFT JOIN user i ON i.id = s.impersonator_user_id"
	    " WHERE s.token_hash = ? AND s.revoked_at IS NULL";
	static const char q_touch[] =
	    "UPDATE session SET last_seen_at = ?, perms = ?, perm_version = ?"
	    " WHERE id = ?";
	sqlite3_stmt *st;
	struct session *s;
	int64_t sess_pv, user_pv, idle = (int64_t)r->cfg->session_idle_min * 60;
	int dead = 0, rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return NULL;
	db_bind_text(st, 1, hash);
	if ((rc = db_step(r->db, st)) != SQLITE_ROW) {
		db_done(r->db, st);
		return NULL;
	}
	s = arena_calloc(r->arena, 1, sizeof(*s));
	s->id = db_col_int(st, 0);
	s->user_id = db_col_int(st, 1);
	s->created_at = db_col_int(st, 2);
	s->last_seen_at = db_col_int(st, 3);
	s->expires_at = db_col_int(st, 4);
	s->perms = (uint64_t)db_col_int(st, 5);
	sess_pv = db_col_int(st, 6);
	s->csrf = arena_strdup(r->arena, db_col_text(st, 7));
	s->impersonator_user_id = db_col_int(st, 8);
	s->customer_id = db_col_int(st, 9);
	s->branch_id = db_col_int(st, 10);
	s->is_staff = (int)db_col_int(st, 11);
	s->name = arena_strdup(r->arena, db_col_text(st, 12));
	s->email = arena_strdup(r->arena, db_col_text(st, 13));
	s->lang = arena_strdup(r->arena, db_col_text(st, 14));
	user_pv = db_col_int(st, 15);
	if (db_col_int(st, 16))
		dead = 1;				/* user disabled */
	s->totp_enabled = (int)db_col_int(st, 17);
	s->customer_name = arena_strdup(r->arena, db_col_text(st, 18));
	if (!s->is_staff && (strcmp(db_col_text(st, 19), "active") != 0 ||
	    db_col_int(st, 20)))
		dead = 1;				/* customer not active */
	if (s->impersonator_user_id != 0) {
		if (!db_col_int(st, 21) || db_col_int(st, 23))
			dead = 1;			/* impersonator gone */
		s->impersonator_name = arena_strdup(r->arena,
		    db_col_text(st, 22));
	}
	db_done(r->db, st);

	if (now >= s->expires_at || now - s->last_seen_at >= idle)
		dead = 1;
	if (dead)
		return NULL;

	if (sess_pv != user_pv) {
		int64_t v;
		uint64_t p;

		if (user_perms_v(r->db, s->user_id, &p, &v) != 0)
			return NULL;
		s->perms = p;
		sess_pv = v;
		touch = 2;
	}
	if (touch == 2 || (touch && now - s->last_seen_at >= 60)) {
		if ((st = db_prepare(r->db, q_touch)) != NULL) {
			db_bind_int(st, 1, now);
			db_bind_int(st, 2, (int64_t)s->perms);
			db_bind_int(st, 3, sess_pv);
			db_bind_int(st, 4, s->id);
			/* A busy database costs a refresh, not the request. */
			if (db_step(r->db, st) != SQLITE_DONE)
				log_info("session %" PRId64 ": last_seen not "
				    "refreshed", s->id);
			db_done(r->db, st);
		}
		s->last_seen_at = now;
	}
	if (r->cfg->totp_required_for_staff && s->is_staff &&
	    !s->totp_enabled && s->impersonator_user_id == 0) {
		s->must_enrol_totp = 1;
		s->perms = 0;
	}
	return s;
}

int
session_load(struct req *r)
{
	const char *tok;
	char hash[65];

	pending.set_token = NULL;
	pending.clear = 0;
	r->session = NULL;
	if ((tok = req_cookie(r, auth_cookie_name(r))) == NULL)
		return 0;
	if (!is_hex64(tok)) {
		pending.clear = 1;
		return 0;
	}
	auth_token_hash(tok, hash);
	r->session = load_by_hash(r, hash, auth_now(r->cfg), 1);
	if (r->session == NULL)
		pending.clear = 1;
	return 0;
}

/* session_start with an upper bound on the absolute expiry (0: none): an
 * impersonation does not outlive the staff member's own session, and
 * going back does not extend it. */
int
session_start_until(struct req *r, int64_t uid, int64_t imp,
    int64_t until)
{
	static const char q_ins[] =
	    "INSERT INTO session (token_hash, user_id, created_at,"
	    " last_seen_at, expires_at, perms, perm_version, csrf, ip,"
	    " user_agent, impersonator_user_id)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char q_login[] =
	    "UPDATE user SET last_login_at = ? WHERE id = ?";
	static const char q_clean[] =
	    "DELETE FROM session WHERE id IN (SELECT id FROM session"
	    " WHERE expires_at < ? LIMIT 200)";
	char tok[65], hash[65], csrf[65];
	int64_t now = auth_now(r->cfg), exp, pv = 0;
	uint64_t perms = 0;
	sqlite3_stmt *st;
	const char *ua = r->user_agent ? r->user_agent : "";
	int rc;

	auth_token_new(tok);
	auth_token_hash(tok, hash);
	auth_token_new(csrf);
	exp = now + (int64_t)r->cfg->session_max_hours * 3600;
	if (until > 0 && until < exp)
		exp = until;
	if (user_perms_v(r->db, uid, &perms, &pv) != 0)
		return AUTH_ERR;
	if ((rc = db_begin_write(r->db)) != SQLITE_OK)
		return rc == SQLITE_BUSY ? AUTH_BUSY : AUTH_ERR;
	if ((st = db_prepare(r->db, q_ins)) == NULL)
		goto fail;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, uid);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, exp);
	db_bind_int(st, 6, (int64_t)perms);
	db_bind_int(st, 7, pv);
	db_bind_text(st, 8, csrf);
	db_bind_text(st, 9, r->remote_addr ? r->remote_addr : "");
	db_bind_textn(st, 10, ua, strlen(ua) > 300 ? 300 : strlen(ua));
	if (imp != 0)
		db_bind_int(st, 11, imp);
	else
		db_bind_null(st, 11);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (imp == 0) {
		if ((st = db_prepare(r->db, q_login)) == NULL)
			goto fail;
		db_bind_int(st, 1, now);
		db_bind_int(st, 2, uid);
		rc = db_step_done(r->db, st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	/* Sessions that ended over a day ago are of no more use. */
	if ((st = db_prepare(r->db, q_clean)) == NULL)
		goto fail;
	db_bind_int(st, 1, now - 86400);
	rc = db_step_done(r->db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	if ((rc = db_commit(r->db)) != SQLITE_OK)
		return rc == SQLITE_BUSY ? AUTH_BUSY : AUTH_ERR;
	r->session = load_by_hash(r, hash, now, 0);
	if (r->session == NULL)
		return AUTH_ERR;
	pending.set_token = arena_strdup(r->arena, tok);
	pending.clear = 0;
	return AUTH_OK;
fail:
	db_rollback(r->db);
	return AUTH_ERR;
}

int
session_start(struct req *r, int64_t uid, int64_t imp)
{
	return session_start_until(r, uid, imp, 0);
}

void
session_end(struct req *r)
{
	static const char q[] =
	    "UPDATE session SET revoked_at = ? WHERE id = ?"
	    " AND revoked_at IS NULL";
	sqlite3_stmt *st;

	if (r->session != NULL && (st = db_prepare(r->db, q)) != NULL) {
		db_bind_int(st, 1, auth_now(r->cfg));
		db_bind_int(st, 2, r->session->id);
		if (db_step(r->db, st) != SQLITE_DONE)
			log_err("session %" PRId64 " not revoked",
			    r->session->id);
		db_done(r->db, st);
	}
	r->session = NULL;
	pending.set_token = NULL;
	pending.clear = 1;
}

void
auth_finish_response(struct req *r)
{
	unsigned flags = COOKIE_HTTPONLY | COOKIE_LAX |
	    (r->https ? COOKIE_HOST : 0);

	if (pending.set_token != NULL)
		resp_cookie(r, auth_cookie_name(r), pending.set_token, -1,
		    flags);
	else if (pending.clear)
		resp_cookie(r, auth_cookie_name(r), "", 0, flags);
	pending.set_token = NULL;
	pending.clear = 0;
}

int
auth_revoke_user_sessions(struct db *db, int64_t uid, int64_t except)
{
	static const char q[] =
	    "UPDATE session SET revoked_at = ? WHERE user_id = ?"
	    " AND revoked_at IS NULL AND id <> ?";
	sqlite3_stmt *st;
	int rc, n;

	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, (int64_t)time(NULL));
	db_bind_int(st, 2, uid);
	db_bind_int(st, 3, except);
	rc = db_step(db, st);
	n = db_changes(db);
	db_done(db, st);
	return rc == SQLITE_DONE ? n : -1;
}

int
auth_user_set_disabled(struct db *db, const struct req *r, int64_t uid,
    int disabled)
{
	static const char q[] =
	    "UPDATE user SET disabled = ?1,"
	    " disabled_at = CASE WHEN ?1 THEN ?2 ELSE NULL END,"
	    " updated_at = ?2 WHERE id = ?3";
	static const char q_cust[] =
	    "SELECT coalesce(customer_id, 0) FROM user WHERE id = ?";
	sqlite3_stmt *st;
	int64_t now = r ? auth_now(r->cfg) : (int64_t)time(NULL), cust = 0;
	int rc;

	if ((rc = db_begin_write(db)) != SQLITE_OK)
		return rc == SQLITE_BUSY ? AUTH_BUSY : AUTH_ERR;
	if ((st = db_prepare(db, q)) == NULL)
		goto fail;
	db_bind_int(st, 1, disabled ? 1 : 0);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, uid);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE || db_changes(db) != 1)
		goto fail;
	if (disabled && auth_revoke_user_sessions(db, uid, 0) < 0)
		goto fail;
	if ((st = db_prepare(db, q_cust)) == NULL)
		goto fail;
	db_bind_int(st, 1, uid);
	if (db_step(db, st) == SQLITE_ROW)
		cust = db_col_int(st, 0);
	db_done(db, st);
	if (auth_audit(db, r, 0, disabled ? "user.disable" : "user.enable",
	    "user", uid, cust, NULL) != 0)
		goto fail;
	if ((rc = db_commit(db)) != SQLITE_OK)
		return rc == SQLITE_BUSY ? AUTH_BUSY : AUTH_ERR;
	return AUTH_OK;
fail:
	db_rollback(db);
	return AUTH_ERR;
}

/* ---- scope ---- */

int64_t
auth_require_customer(struct req *r)
{
	if (r->session != NULL && !r->session->is_staff &&
	    r->session->customer_id > 0)
		return r->session->customer_id;
	resp_error(r, 403, NULL);
	return 0;
}

int
auth_can_manage_user(struct db *db, const struct session *s, int64_t target)
{
	static const char q[] =
	    "SELECT is_staff, coalesce(customer_id, 0), coalesce(branch_id, 0)"
	    " FROM user WHERE id = ?";
	sqlite3_stmt *st;
	int64_t cust, branch;
	uint64_t tperms;
	int staff, rc;

	if (s == NULL || target == s->user_id || s->impersonator_user_id != 0 ||
	    s->must_enrol_totp)
		return 0;
	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, target);
	if ((rc = db_step(db, st)) != SQLITE_ROW) {
		db_done(db, st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	staff = (int)db_col_int(st, 0);
	cust = db_col_int(st, 1);
	branch = db_col_int(st, 2);
	db_done(db, st);
	if (auth_user_perms(db, target, &tperms) != 0)
		return -1;
	if (!s->is_staff) {
		if (!(s->perms & AUTH_BIT(PERM_USERS_MANAGE)) || staff ||
		    cust != s->customer_id)
			return 0;
		if (s->branch_id != 0 && branch != s->branch_id)
			return 0;
		return (tperms & ~s->perms) == 0;
	}
	if (!staff)
		return (s->perms & AUTH_BIT(PERM_CMS_USERS)) != 0;
	return (s->perms & AUTH_BIT(PERM_CMS_STAFF)) &&
	    (tperms & ~s->perms) == 0;
}

/* ---- audit ---- */

int
auth_audit(struct db *db, const struct req *r, int64_t actor,
    const char *action, const char *target_type, int64_t target_id,
    int64_t customer_id, const char *detail)
{
	static const char q[] =
	    "INSERT INTO audit_log (at, actor_user_id, impersonator_user_id,"
	    " action, target_type, target_id, customer_id, ip, detail)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int64_t imp = 0;
	int rc;

	if (r != NULL && r->session != NULL) {
		if (actor == 0)
			actor = r->session->user_id;
		imp = r->session->impersonator_user_id;
	}
	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, r ? auth_now(r->cfg) : (int64_t)time(NULL));
	if (actor != 0)
		db_bind_int(st, 2, actor);
	else
		db_bind_null(st, 2);
	if (imp != 0)
		db_bind_int(st, 3, imp);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, action);
	db_bind_text(st, 5, target_type ? target_type : "");
	db_bind_int(st, 6, target_id);
	if (customer_id != 0)
		db_bind_int(st, 7, customer_id);
	else
		db_bind_null(st, 7);
	db_bind_text(st, 8, r ? (r->remote_addr ? r->remote_addr : "") : "cli");
	db_bind_text(st, 9, detail ? detail : "");
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE) {
		log_err("audit %s not written", action);
		return -1;
	}
	return 0;
}

/* ---- mail and links ---- */

const char *
auth_base_url(struct req *r)
{
	if (r->cfg->public_origin != NULL && *r->cfg->public_origin != '\0')
		return r->cfg->public_origin;
	return arena_printf(r->arena, "%s://%s", r->https ? "https" : "http",
	    r->host ? r->host : "localhost");
}

int
auth_mail_queue(struct db *db, int64_t now, const char *to,
    const char *subject, const char *body)
{
	static const char q[] =
	    "INSERT INTO mail_outbox (created_at, to_addr, subject, body_text)"
	    " VALUES (?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, to);
	db_bind_text(st, 3, subject);
	db_bind_text(st, 4, body);
	rc = db_step_done(db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}
