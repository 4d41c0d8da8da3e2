/*
 * handlers.h: every request handler, by module.  The route table
 * (routes.c) is the only caller.
 */
#ifndef FRAMUGA_HANDLERS_H
#define FRAMUGA_HANDLERS_H

#include <stddef.h>

#include "router.h"

struct req;

/* cgi-src/portal/home.c */
void	home_show(struct req *);
void	home_healthz(struct req *);
/* cgi-src/portal/news.c */
void	news_list(struct req *);
void	news_show(struct req *);
/* cgi-src/portal/dashboard.c */
void	dashboard_show(struct req *);
/* cgi-src/portal/marketing.c */
void	marketing_list(struct req *);
void	marketing_show(struct req *);
void	marketing_download(struct req *);
/* the modules' own lists */
#include "../auth/auth_pages.h"
#include "../account/account_pages.h"
#include "../cms/cms_pages.h"
#include "../catalog/catalog_pages.h"
/* cgi-src/fcgi/testroutes.c (only when test_routes = on) */
void	test_upload(struct req *);
void	test_form(struct req *);
void	test_form_post(struct req *);

extern const struct route routes[];
extern const size_t nroutes;

#endif
