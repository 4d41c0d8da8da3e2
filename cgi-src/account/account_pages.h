/* account_pages.h: handlers of cgi-src/account (routes-account.inc). */
#ifndef FRAMUGA_ACCOUNT_PAGES_H
#define FRAMUGA_ACCOUNT_PAGES_H
struct req;
#endif
