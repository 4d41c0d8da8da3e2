/*
 * impersonate.c: "log in as this user" for staff (A6), and the way back.
 *
 * POST /cms/impersonate/{id} (cms.impersonate): the staff member's session
 * is revoked and a new one is started for the user, with
 * impersonator_user_id naming the staff member; its absolute expiry is
 * that of the staff member's own session, so looking through an account
 * never lengthens a login.  Refused: impersonating while impersonating,
 * oneself, a disabled user, a user of a customer that is not active, and
 * any user holding a permission the staff member lacks (so the "users"
 * role, which holds orders.view and invoices.view, may look through a
 * viewer's or an accountant's account but not a buyer's or a customer
 * admin's, and nobody reaches a staff account wider than their own).
 * Every page then shows a banner with a button back (layout.html).
 *
 * POST /impersonation/end: the impersonation session is revoked and the
 * staff member gets a new session of their own, with the expiry the
 * original one had.  Both ends are in the audit log, under the staff
 * member's id with the user as the target.
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

/* POST /cms/impersonate/{id:int} */
void
auth_impersonate_start(struct req *r)
{
	static const char q[] =
	    "SELECT u.disabled, u.is_staff, coalesce(u.customer_id, 0),"
	    " coalesce(c.portal_status, 'active') = 'active'"
	    " AND c.deleted_at IS NULL"
	    " FROM user u LEFT JOIN customer c ON c.id = u.customer_id"
	    " WHERE u.id = ?";
	struct session *me = r->session;
	int64_t target = r->iparam[0], staff = me->user_id, cust = 0;
	int64_t until = me->expires_at;
	uint64_t tperms;
	int disabled = 1, is_staff = 0, active = 0, found = 0, rc;
	sqlite3_stmt *st;

	if (me->impersonator_user_id != 0) {
		page_error(r, 403, _("Najpierw wróć do swojego konta."));
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, target);
	if (db_step(r->db, st) == SQLITE_ROW) {
		found = 1;
		disabled = (int)db_col_int(st, 0);
		is_staff = (int)db_col_int(st, 1);
		cust = db_col_int(st, 2);
		active = (int)db_col_int(st, 3);
	}
	db_done(r->db, st);
	if (!found) {
		page_error(r, 404, NULL);
		return;
	}
	if (auth_user_perms(r->db, target, &tperms) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (target == staff || disabled || !active ||
	    (tperms & ~me->perms) != 0) {
		if (auth_audit(r->db, r, 0, "impersonate.refused", "user",
		    target, cust, target == staff ? "self" : disabled ?
		    "disabled" : !active ? "customer not active" :
		    "target has rights the staff member lacks") != 0)
			log_warn("refused impersonation not audited");
		page_error(r, 403, _("Nie możesz zalogować się jako ten "
		    "użytkownik: ma uprawnienia, których Ty nie masz, albo "
		    "jego konto jest nieaktywne."));
		return;
	}
	(void)is_staff;
	if (auth_audit(r->db, r, 0, "impersonate.start", "user", target, cust,
	    NULL) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	session_end(r);
	if ((rc = session_start_until(r, target, staff, until)) != AUTH_OK) {
		page_error(r, rc == AUTH_BUSY ? 503 : 500, NULL);
		return;
	}
	resp_redirect(r, 303, r->session->is_staff ? "/cms" : "/portal");
}

/* POST /impersonation/end */
void
auth_impersonate_end(struct req *r)
{
	struct session *s = r->session;
	int64_t staff = s->impersonator_user_id, target = s->user_id;
	int64_t until = s->expires_at, cust = s->customer_id;
	int rc;

	if (staff == 0) {
		page_error(r, 400, NULL);
		return;
	}
	/* Audited as the staff member, who is the one acting. */
	if (auth_audit(r->db, r, staff, "impersonate.end", "user", target,
	    cust, NULL) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	session_end(r);
	if ((rc = session_start_until(r, staff, 0, until)) != AUTH_OK) {
		page_error(r, rc == AUTH_BUSY ? 503 : 500, NULL);
		return;
	}
	resp_redirect(r, 303, "/cms");
}
