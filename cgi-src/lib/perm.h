/*
 * perm.h: the catalogue of permissions.
 *
 * Deny by default: every route names one of these, and a request passes only
 * if perm_allows() says so.  PERM_PUBLIC is the only one an anonymous visitor
 * holds.  The accounts module (cgi-src/auth) grants the rest through roles,
 * per-user grants and the modules enabled per customer, and puts the
 * effective set into the request's session as a bitmask.
 */
#ifndef FRAMUGA_PERM_H
#define FRAMUGA_PERM_H

enum perm {
	PERM_PUBLIC = 0,	/* anyone, logged in or not */
	PERM_LOGIN,		/* any logged-in user */
	PERM_ORDERS_VIEW,
	PERM_ORDERS_PLACE,
	PERM_ORDERS_APPROVE,
	PERM_PRICES_VIEW,
	PERM_INVOICES_VIEW,
	PERM_COMPLAINTS_FILE,
	PERM_RFQ_CREATE,
	PERM_MAIL_USE,
	PERM_TASKS_USE,
	PERM_USERS_MANAGE,
	PERM_CMS,		/* any staff member: the CMS shell */
	PERM_CMS_SYNC,
	PERM_CMS_USERS,
	PERM_CMS_CONTENT,
	PERM_CMS_TRANSLATIONS,
	/* Appended, never reordered: a session caches its permissions as a
	 * bitmask of these values (cgi-src/auth/auth.h). */
	PERM_CMS_COMPLAINTS,	/* complaints handling in the CMS */
	PERM_CMS_ORDERS,	/* order review in the CMS (J3) */
	PERM_CMS_STAFF,		/* staff accounts and roles */
	PERM_CMS_AUDIT,		/* the audit log */
	PERM_CMS_IMPERSONATE,	/* log in as a user (A6) */
	/* Marketing materials (B2): held by every logged-in user, but by a
	 * customer's user only while the customer has the 'marketing'
	 * module (perm_module()), so the menu, the dashboard and the routes
	 * can ask for it like for any module's permission.  It is granted
	 * to nobody: were it in roles, a customer's admin could give no
	 * role at all while the module is off (a role is given only whole,
	 * within the admin's effective set: cgi-src/account/users.c). */
	PERM_MARKETING_VIEW,
	PERM_CATALOG,		/* the catalogue (C1): anyone when the maker made
				 * it public (B3: meta catalog_public = '1'),
				 * else any logged-in user; never granted */
	PERM__MAX
};

struct req;

const char	*perm_name(enum perm);	/* "orders.view" */
/*
 * Deny by default: PERM_PUBLIC always; without a session nothing else
 * (but PERM_CATALOG while the catalogue is public); PERM_LOGIN and
 * PERM_CATALOG for any session; otherwise the permission's bit in the
 * session's effective set (cgi-src/auth/auth.h).
 */
int		 perm_allows(const struct req *, enum perm);
/* The customer module (customer_module.module) a permission belongs to,
 * or NULL for one that is not switched per customer (users.manage, cms). */
const char	*perm_module(enum perm);

#endif
