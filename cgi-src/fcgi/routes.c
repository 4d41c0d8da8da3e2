/*
 * routes.c: the route table.  Every page and action of the portal and the
 * CMS, with the permission it needs and its CSRF policy.  router_check()
 * validates it when a worker starts (overlaps, CSRF on unsafe methods), and
 * the authorization tests walk it: a route added here without a test entry
 * fails them.
 *
 * Each module keeps its rows in its own routes-*.inc beside its handlers, so
 * that a module's routes are read (and changed) together with its code; the
 * table is still one const array, assembled here.
 */
#include "config.h"

#include "handlers.h"
#include "http.h"
#include "router.h"

const struct route routes[] = {
#include "../portal/routes-public.inc"
#include "../auth/routes-auth.inc"
#include "../account/routes-account.inc"
#include "../cms/routes-cms.inc"
#include "../catalog/routes-catalog.inc"
#include "routes-test.inc"
};
const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
