/* cms_pages.h: handlers of cgi-src/cms (routes-cms.inc). */
#ifndef FRAMUGA_CMS_PAGES_H
#define FRAMUGA_CMS_PAGES_H
struct req;
/* cms.c */
void	cms_home(struct req *);
#endif
