/* auth_pages.h: handlers of cgi-src/auth (routes-auth.inc). */
#ifndef FRAMUGA_AUTH_PAGES_H
#define FRAMUGA_AUTH_PAGES_H
struct req;
#endif
