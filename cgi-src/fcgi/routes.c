/*
 * routes.c: the route table.  Every page and action of the portal and the
 * CMS, with the permission it needs and its CSRF policy.  router_check()
 * validates it when a worker starts (overlaps, CSRF on unsafe methods), and
 * the authorization tests walk it: a route added here without a test entry
 * fails them.
 */
#include "config.h"

#include "handlers.h"
#include "http.h"
#include "router.h"

const struct route routes[] = {
	/* public face (B3) */
	{ M_GET, "/", home_show, PERM_PUBLIC, CSRF_NONE, "home" },
	{ M_GET, "/healthz", home_healthz, PERM_PUBLIC, CSRF_NONE, "healthz" },
	{ M_GET, "/news", news_list, PERM_PUBLIC, CSRF_NONE, "news.list" },
	{ M_GET, "/news/{slug:slug}", news_show, PERM_PUBLIC, CSRF_NONE,
	    "news.show" },
	/* portal (B1) */
	{ M_GET, "/portal", dashboard_show, PERM_LOGIN, CSRF_NONE,
	    "portal.dashboard" },
	/* CMS */
	{ M_GET, "/cms", cms_home, PERM_CMS, CSRF_NONE, "cms.home" },
	/* test instrumentation: 404 unless test_routes = on */
	{ M_POST, "/_test/upload", test_upload, PERM_PUBLIC, CSRF_CHECK,
	    "test.upload" },
	{ M_GET, "/_test/form", test_form, PERM_PUBLIC, CSRF_NONE,
	    "test.form" },
	{ M_POST, "/_test/form", test_form_post, PERM_PUBLIC, CSRF_CHECK,
	    "test.form.post" },
};
const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
