/*
 * cms.c: the admin panel's (CMS) home: the shell the CMS modules hang on.
 */
#include "config.h"

#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

/* GET /cms (PERM_CMS) */
void
cms_home(struct req *r)
{
	json_t *ctx = page_ctx(r, _("Panel administracyjny"), AREA_CMS);

	page_render(r, 200, "cms/home.html", ctx);
}
