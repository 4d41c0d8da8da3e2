/*
 * perm.h: the catalogue of permissions.
 *
 * Deny by default: every route names one of these, and a request passes only
 * if perm_allows() says so.  PERM_PUBLIC is the only one an anonymous visitor
 * holds.  The accounts module (issue: accounts, sessions and permissions)
 * grants the rest through roles and per-user grants; until a session carries
 * them, every permission but PERM_PUBLIC is refused.
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
	PERM__MAX
};

struct req;

const char	*perm_name(enum perm);	/* "orders.view" */
int		 perm_allows(const struct req *, enum perm);

#endif
