/*
 * perm.c: permission names and the deny-by-default check.
 *
 * A route's permission is compared with what the request's session holds.
 * Sessions and grants arrive with the accounts module; until then a request
 * holds PERM_PUBLIC only, so every other route answers 403 (or the login
 * page) — the safe failure.
 */
#include "config.h"

#include <stddef.h>

#include "perm.h"
#include "req.h"

static const char *const perm_names[PERM__MAX] = {
	[PERM_PUBLIC] = "public",
	[PERM_LOGIN] = "login",
	[PERM_ORDERS_VIEW] = "orders.view",
	[PERM_ORDERS_PLACE] = "orders.place",
	[PERM_ORDERS_APPROVE] = "orders.approve",
	[PERM_PRICES_VIEW] = "prices.view",
	[PERM_INVOICES_VIEW] = "invoices.view",
	[PERM_COMPLAINTS_FILE] = "complaints.file",
	[PERM_RFQ_CREATE] = "rfq.create",
	[PERM_MAIL_USE] = "mail.use",
	[PERM_TASKS_USE] = "tasks.use",
	[PERM_USERS_MANAGE] = "users.manage",
	[PERM_CMS] = "cms",
	[PERM_CMS_SYNC] = "cms.sync",
	[PERM_CMS_USERS] = "cms.users",
	[PERM_CMS_CONTENT] = "cms.content",
	[PERM_CMS_TRANSLATIONS] = "cms.translations",
};

const char *
perm_name(enum perm p)
{
	if ((unsigned)p >= PERM__MAX || perm_names[p] == NULL)
		return "?";
	return perm_names[p];
}

int
perm_allows(const struct req *r, enum perm p)
{
	if (p == PERM_PUBLIC)
		return 1;
	if ((unsigned)p >= PERM__MAX)
		return 0;
	/* No session carries grants yet: everything else is denied. */
	(void)r;
	return 0;
}
