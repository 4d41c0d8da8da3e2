/*
 * perm.c: permission names and the deny-by-default check.
 *
 * A route's permission is compared with what the request's session holds:
 * cgi-src/auth computes the effective set (roles + grants, limited to the
 * customer's modules) and keeps it in r->session->perms as a bitmask.
 * Without a session only PERM_PUBLIC passes, and PERM_CATALOG while the
 * maker keeps the catalogue public.
 */
#include "config.h"

#include <stddef.h>

#include "../auth/auth.h"
#include "db.h"
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
	[PERM_CMS_COMPLAINTS] = "cms.complaints",
	[PERM_CMS_ORDERS] = "cms.orders",
	[PERM_CMS_STAFF] = "cms.staff",
	[PERM_CMS_AUDIT] = "cms.audit",
	[PERM_CMS_IMPERSONATE] = "cms.impersonate",
	[PERM_MARKETING_VIEW] = "marketing.view",
	[PERM_CATALOG] = "catalog",
};

/* Which customer module a customer permission belongs to (B1: what the
 * customer's dashboard shows); the names are customer_module.module. */
static const char *const perm_modules[PERM__MAX] = {
	[PERM_ORDERS_VIEW] = "orders",
	[PERM_ORDERS_PLACE] = "orders",
	[PERM_ORDERS_APPROVE] = "orders",
	[PERM_PRICES_VIEW] = "catalogue",
	[PERM_INVOICES_VIEW] = "invoices",
	[PERM_COMPLAINTS_FILE] = "complaints",
	[PERM_RFQ_CREATE] = "rfq",
	[PERM_MAIL_USE] = "mail",
	[PERM_TASKS_USE] = "tasks",
	[PERM_MARKETING_VIEW] = "marketing",
};

const char *
perm_name(enum perm p)
{
	if ((unsigned)p >= PERM__MAX || perm_names[p] == NULL)
		return "?";
	return perm_names[p];
}

/* Is the catalogue public (B3)?  The setting is meta catalog_public, '1'
 * public without prices, else closed (the CMS's news settings,
 * cgi-src/cms/news.c).  Read per asking: only an anonymous visitor's
 * catalogue page or menu asks, and an error answers closed. */
static int
catalog_public(const struct req *r)
{
	static const char q[] =
	    "SELECT 1 FROM meta WHERE key = 'catalog_public' AND value = '1'";
	sqlite3_stmt *st;
	int pub;

	if (r->db == NULL || (st = db_prepare(r->db, q)) == NULL)
		return 0;
	pub = db_step(r->db, st) == SQLITE_ROW;
	db_done(r->db, st);
	return pub;
}

int
perm_allows(const struct req *r, enum perm p)
{
	if (p == PERM_PUBLIC)
		return 1;
	if (p == PERM_CATALOG && r != NULL)
		return r->session != NULL || catalog_public(r);
	if ((unsigned)p >= PERM__MAX || r == NULL || r->session == NULL)
		return 0;
	if (p == PERM_LOGIN)
		return 1;
	return (r->session->perms & AUTH_BIT(p)) != 0;
}

const char *
perm_module(enum perm p)
{
	if ((unsigned)p >= PERM__MAX)
		return NULL;
	return perm_modules[p];
}
