/*
 * page.h: what handlers use to build pages.
 *
 * page_ctx() returns the template context every page starts from (brand,
 * language, navigation, CSP nonce, CSRF token, the user when there is one);
 * a handler adds its own keys and calls page_render() with its template,
 * which is rendered inside the layout named by the template's area (portal
 * or CMS).  Everything lives in the request's arena: the jansson allocator
 * is pointed at it for the life of the worker (app.c), so no json_decref is
 * needed and none may be kept past the request.
 */
#ifndef FRAMUGA_PAGE_H
#define FRAMUGA_PAGE_H

#include <jansson.h>
#include <sqlite3.h>

#include "req.h"

enum page_area { AREA_PUBLIC, AREA_PORTAL, AREA_CMS };

json_t	*page_ctx(struct req *, const char *title, enum page_area);
/* Render tmpl inside the area's layout with status 200 (or status).  On a
 * template error the page becomes a logged 500. */
void	 page_render(struct req *, int status, const char *tmpl, json_t *ctx);
/* Set by app.c: the worker's template set and environment. */
void	 page_init(const struct config *);
void	 page_fini(void);
/* Error page through error.html, in the request's language. */
void	 page_error(struct req *, int status, const char *message);
/* Step st (prepared and bound by the caller) for the one row a page is
 * about: st on SQLITE_ROW (the caller reads it, then calls db_done); else
 * NULL after releasing st and answering 404 (no such row) or 500. */
sqlite3_stmt *page_row(struct req *, sqlite3_stmt *st);

#endif
