/*
 * dashboard.c: the customer's dashboard (B1), the portal shell's home.
 * It lists the modules enabled for the customer and user; the modules
 * themselves arrive with their issues (catalogue, orders, complaints ...).
 */
#include "config.h"

#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

/* GET /portal (PERM_LOGIN) */
void
dashboard_show(struct req *r)
{
	json_t *ctx = page_ctx(r, _("Pulpit"), AREA_PORTAL);

	page_render(r, 200, "portal/dashboard.html", ctx);
}
