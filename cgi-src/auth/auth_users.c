/*
 * auth_users.c: making users, giving and taking roles, and password links
 * (reset, or the first password of an account made for someone).  Used by
 * framuga-user, the password pages and the account and CMS pages.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "req.h"

/* A plausible address: one '@' with text on both sides, a dot after it,
 * no blanks or control characters, at most 254 bytes. */
static int
email_ok(const char *e)
{
	const char *at;
	size_t n;

	if (e == NULL || (n = strlen(e)) < 3 || n > 254)
		return 0;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '"' ||
		    *p == '<' || *p == '>' || *p == ',' || *p == ';')
			return 0;
	if ((at = strchr(e, '@')) == NULL || at == e || strchr(at + 1, '@') ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || e[n - 1] == '.')
		return 0;
	return 1;
}

/* Role id and scope by name; 0 if none. */
static int64_t
role_find(struct db *db, const char *name, int *is_staff_scope)
{
	static const char q[] = "SELECT id, scope = 'staff' FROM role"
	    " WHERE name = ?";
	sqlite3_stmt *st;
	int64_t id = 0;

	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, name);
	if (db_step(db, st) == SQLITE_ROW) {
		id = db_col_int(st, 0);
		*is_staff_scope = (int)db_col_int(st, 1);
	}
	db_done(db, st);
	return id;
}

int
auth_user_add_role(struct db *db, int64_t uid, const char *role)
{
	static const char q_user[] = "SELECT is_staff FROM user WHERE id = ?";
	static const char q[] =
	    "INSERT INTO user_role (user_id, role_id, granted_at)"
	    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
	sqlite3_stmt *st;
	int64_t rid;
	int staff_scope = 0, is_staff = -1, rc;

	if ((rid = role_find(db, role, &staff_scope)) <= 0)
		return -1;
	if ((st = db_prepare(db, q_user)) == NULL)
		return -1;
	db_bind_int(st, 1, uid);
	if (db_step(db, st) == SQLITE_ROW)
		is_staff = (int)db_col_int(st, 0);
	db_done(db, st);
	if (is_staff != staff_scope)
		return -1;	/* no such user, or a role of the other kind */
	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, uid);
	db_bind_int(st, 2, rid);
	db_bind_int(st, 3, (int64_t)time(NULL));
	rc = db_step_done(db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
auth_user_remove_role(struct db *db, int64_t uid, const char *role)
{
	static const char q[] =
	    "DELETE FROM user_role WHERE user_id = ? AND role_id ="
	    " (SELECT id FROM role WHERE name = ?)";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, uid);
	db_bind_text(st, 2, role);
	rc = db_step_done(db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
auth_user_create(struct db *db, const struct req *r, const struct config *cfg,
    const struct auth_new_user *nu, int64_t *id_out)
{
	static const char q_exists[] = "SELECT 1 FROM user WHERE email = ?";
	static const char q_ins[] =
	    "INSERT INTO user (customer_id, branch_id, email, name, lang,"
	    " password_hash, is_staff, created_at, created_by, updated_at,"
	    " password_changed_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8,"
	    " CASE WHEN ?6 <> '' THEN ?8 END)";
	char hash[AUTH_HASH_MAX] = "";
	sqlite3_stmt *st;
	int64_t now = r ? auth_now(r->cfg) : auth_now(cfg), id;
	int rc, staff_scope = 0, exists;

	if (!email_ok(nu->email) || nu->name == NULL || *nu->name == '\0' ||
	    strlen(nu->name) > 200)
		return AUTH_INVALID;
	if (nu->role != NULL && (role_find(db, nu->role, &staff_scope) <= 0 ||
	    staff_scope != (nu->customer_id == 0)))
		return AUTH_INVALID;
	if (nu->password != NULL) {
		if (auth_password_check(nu->password) != AUTH_PW_FINE)
			return AUTH_INVALID;
		/* The slow part, before the write lock is taken. */
		if ((rc = auth_password_hash(cfg, nu->password, hash,
		    sizeof(hash))) != AUTH_OK)
			return rc;
	}
	if ((rc = db_begin_write(db)) != SQLITE_OK)
		return rc == SQLITE_BUSY ? AUTH_BUSY : AUTH_ERR;
	if ((st = db_prepare(db, q_exists)) == NULL)
		goto fail;
	db_bind_text(st, 1, nu->email);
	exists = db_step(db, st) == SQLITE_ROW;
	db_done(db, st);
	if (exists) {
		db_rollback(db);
		return AUTH_EXISTS;
	}
	if ((st = db_prepare(db, q_ins)) == NULL)
		goto fail;
	if (nu->customer_id != 0)
		db_bind_int(st, 1, nu->customer_id);
	else
		db_bind_null(st, 1);
	if (nu->branch_id != 0)
		db_bind_int(st, 2, nu->branch_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, nu->email);
	db_bind_text(st, 4, nu->name);
	db_bind_text(st, 5, nu->lang ? nu->lang : "pl");
	db_bind_text(st, 6, hash);
	db_bind_int(st, 7, nu->customer_id == 0);
	db_bind_int(st, 8, now);
	if (r != NULL && r->session != NULL)
		db_bind_int(st, 9, r->session->user_id);
	else
		db_bind_null(st, 9);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE)
		goto fail;
	id = db_last_rowid(db);
	if (nu->role != NULL && auth_user_add_role(db, id, nu->role) != 0)
		goto fail;
	if (auth_audit(db, r, 0, "user.create", "user", id, nu->customer_id,
	    nu->role ? nu->role : NULL) != 0)
		goto fail;
	if ((rc = db_commit(db)) != SQLITE_OK)
		return rc == SQLITE_BUSY ? AUTH_BUSY : AUTH_ERR;
	if (id_out != NULL)
		*id_out = id;
	return AUTH_OK;
fail:
	db_rollback(db);
	return AUTH_ERR;
}

int
auth_send_password_link(struct db *db, const struct config *cfg, int64_t uid,
    const char *base_url, int invite)
{
	static const char q_user[] =
	    "SELECT email, name FROM user WHERE id = ? AND disabled = 0";
	static const char q_ins[] =
	    "INSERT INTO password_reset (token_hash, user_id, created_at,"
	    " expires_at) VALUES (?, ?, ?, ?)";
	char tok[65], hash[65], body[2048];
	int64_t now = auth_now(cfg);
	sqlite3_stmt *st;
	char *email = NULL;
	int rc, ret = -1;

	if ((rc = db_begin_write(db)) != SQLITE_OK)
		return -1;
	if ((st = db_prepare(db, q_user)) == NULL)
		goto out;
	db_bind_int(st, 1, uid);
	if (db_step(db, st) == SQLITE_ROW)
		email = xstrdup(db_col_text(st, 0));
	db_done(db, st);
	if (email == NULL)
		goto out;
	auth_token_new(tok);
	auth_token_hash(tok, hash);
	if ((st = db_prepare(db, q_ins)) == NULL)
		goto out;
	db_bind_text(st, 1, hash);
	db_bind_int(st, 2, uid);
	db_bind_int(st, 3, now);
	db_bind_int(st, 4, now + (int64_t)cfg->reset_link_minutes * 60);
	rc = db_step_done(db, st);
	if (rc != SQLITE_DONE)
		goto out;
	snprintf(body, sizeof(body), "%s\n\n%s/password/reset/%s\n\n%s\n",
	    invite ? _("Założono dla Ciebie konto w portalu. Aby ustawić "
	    "hasło, otwórz ten adres:") : _("Aby ustawić nowe hasło do "
	    "portalu, otwórz ten adres:"), base_url, tok,
	    _("Link działa jeden raz i wkrótce wygasa. Jeśli to nie Ty "
	    "prosiłeś o zmianę hasła, zignoruj tę wiadomość."));
	if (auth_mail_queue(db, now, email, invite ? _("Twoje konto w "
	    "portalu") : _("Ustawienie nowego hasła"), body) != 0)
		goto out;
	ret = 0;
out:
	free(email);
	if (ret == 0 && db_commit(db) == SQLITE_OK)
		return 0;
	if (ret == 0)
		return -1;
	db_rollback(db);
	return -1;
}
