/*
 * dashboard.c: the customer's dashboard (B1), the portal shell's home.
 *
 * One page that reaches every module this customer has (customer_module)
 * AND this user may use (a module's permission, e.g. marketing.view: the
 * session's set already lacks it when the customer lacks the module), and
 * only modules that exist as pages today (the catalogue, marketing
 * materials); the customer's modules are read once, in one statement;
 * what needs attention, from
 * data that exists (the customer's ERP block, an overdue balance, marketing
 * materials published since the user last opened them); and the credit
 * position as framuga-sync brought it from OknoERP (customer.credit_limit,
 * credit_used, overdue, blocked, blocked_reason), in the customer's
 * currency.  Customer-scoped: every query binds r->session->customer_id.
 * Staff see a link to the CMS instead (they have no customer).
 */
#include "config.h"

#include <string.h>

#include "../auth/auth.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "perm.h"
#include "req.h"

/* The modules that exist as pages, in menu order; module: the
 * customer_module name that must be on ("" none), perm: what the user
 * needs besides a login. */
static const struct dash_module {
	const char	*module;
	enum perm	 perm;
	const char	*href;
	const char	*label;		/* msgid */
	const char	*text;		/* msgid */
} dash_modules[] = {
	{ "catalogue", PERM_LOGIN, "/catalog", N_("Katalog"),
	    N_("Produkty, ceny i dostępność.") },
	{ "marketing", PERM_MARKETING_VIEW, "/portal/marketing",
	    N_("Materiały marketingowe"),
	    N_("Katalogi, zdjęcia i materiały do pobrania.") },
	/* Orders, quotes, complaints, mail and tasks join here, with their
	 * permissions (PERM_ORDERS_VIEW ...), when their pages exist.  The
	 * account pages (profile, co-workers) are in the menu. */
};

#define DASH_NMOD	(sizeof(dash_modules) / sizeof(dash_modules[0]))

/* Which entries of dash_modules customer has on, one statement for all
 * of them: on[i] = 1 for entry i (an entry without a module is on).  0, or
 * -1 on a database error. */
static int
modules_on(struct req *r, int64_t customer, int on[DASH_NMOD])
{
	static const char q[] =
	    "SELECT module FROM customer_module WHERE customer_id = ?";
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < DASH_NMOD; i++)
		on[i] = *dash_modules[i].module == '\0';
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_int(st, 1, customer);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		const char *m = db_col_text(st, 0);

		for (i = 0; i < DASH_NMOD; i++)
			if (strcmp(m, dash_modules[i].module) == 0)
				on[i] = 1;
	}
	db_done(r->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *
money(const char *cur, int64_t minor)
{
	return json_pack("{s:I, s:s}", "amount", (json_int_t)minor,
	    "currency", cur);
}

/* The marketing items of this customer's group and the request's language
 * published after the user last opened the list. */
static int64_t
marketing_new(struct req *r, const char *grp)
{
	static const char q[] =
	    "SELECT count(*) FROM marketing_item WHERE unpublished_at IS NULL "
	    "AND published_at <= ?1 AND grp IN (?2, '') AND lang IN (?3, '') "
	    "AND published_at > coalesce((SELECT seen_at FROM marketing_seen "
	    "WHERE user_id = ?4), 0)";
	sqlite3_stmt *st;
	int64_t n = 0;

	if ((st = db_prepare(r->db, q)) == NULL)
		return 0;
	db_bind_int(st, 1, auth_now(r->cfg));
	db_bind_text(st, 2, grp);
	db_bind_text(st, 3, r->lang);
	db_bind_int(st, 4, r->session->user_id);
	if (db_step(r->db, st) == SQLITE_ROW)
		n = db_col_int(st, 0);
	db_done(r->db, st);
	return n;
}

/* GET /portal (PERM_LOGIN) */
void
dashboard_show(struct req *r)
{
	static const char q_cust[] =
	    "SELECT currency, credit_limit, credit_used, overdue, blocked, "
	    "blocked_reason, grp FROM customer WHERE id = ?";
	json_t *ctx = page_ctx(r, _("Pulpit"), AREA_PORTAL);
	json_t *mods = json_array(), *attn = json_array();
	int64_t cust = r->session ? r->session->customer_id : 0;
	sqlite3_stmt *st;
	const char *grp = "";
	size_t i;
	int on[DASH_NMOD];

	if (r->session == NULL || r->session->is_staff || cust == 0) {
		json_object_set_new(ctx, "staff", json_boolean(
		    perm_allows(r, PERM_CMS)));
		json_object_set_new(ctx, "modules", mods);
		page_render(r, 200, "portal/dashboard.html", ctx);
		return;
	}
	if ((st = db_prepare(r->db, q_cust)) == NULL)
		goto fail;
	db_bind_int(st, 1, cust);
	if (db_step(r->db, st) != SQLITE_ROW) {
		db_done(r->db, st);
		goto fail;
	}
	{
		const char *cur = arena_strdup(r->arena, db_col_text(st, 0));
		int64_t limit = db_col_int(st, 1), used = db_col_int(st, 2);
		int64_t overdue = db_col_int(st, 3);
		int blocked = db_col_int(st, 4) != 0;

		json_object_set_new(ctx, "credit", json_pack(
		    "{s:o, s:o, s:o, s:o, s:b, s:b, s:s}",
		    "limit", money(cur, limit), "used", money(cur, used),
		    "available", money(cur, limit - used),
		    "overdue", money(cur, overdue),
		    "has_overdue", overdue > 0, "blocked", blocked,
		    "reason", db_col_text(st, 5)));
		grp = arena_strdup(r->arena, db_col_text(st, 6));
		if (blocked)
			json_array_append_new(attn, json_pack("{s:s, s:s}",
			    "text", _("Konto jest zablokowane w systemie ERP."),
			    "detail", db_col_text(st, 5)));
		if (overdue > 0)
			json_array_append_new(attn, json_pack("{s:s, s:o}",
			    "text", _("Masz zaległe płatności."),
			    "money", money(cur, overdue)));
	}
	db_done(r->db, st);

	if (modules_on(r, cust, on) != 0)
		goto fail;
	for (i = 0; i < DASH_NMOD; i++) {
		const struct dash_module *m = &dash_modules[i];

		if (!perm_allows(r, m->perm) || !on[i])
			continue;
		json_array_append_new(mods, json_pack("{s:s, s:s, s:s}",
		    "href", m->href, "label", _(m->label), "text", _(m->text)));
		if (strcmp(m->module, "marketing") == 0) {
			int64_t n = marketing_new(r, grp);

			if (n > 0)
				json_array_append_new(attn, json_pack(
				    "{s:s, s:I, s:s}", "text",
				    _("Nowe materiały marketingowe"),
				    "count", (json_int_t)n,
				    "href", "/portal/marketing"));
		}
	}
	json_object_set_new(ctx, "modules", mods);
	json_object_set_new(ctx, "attention", attn);
	page_render(r, 200, "portal/dashboard.html", ctx);
	return;
fail:
	page_error(r, 500, NULL);
}
