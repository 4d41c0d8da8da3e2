/* auth_pages.h: handlers of cgi-src/auth (routes-auth.inc), and the
 * helpers those pages share.  The accounts API is auth.h. */
#ifndef FRAMUGA_AUTH_PAGES_H
#define FRAMUGA_AUTH_PAGES_H

#include <jansson.h>

struct req;

/* login.c */
void	auth_login_form(struct req *);		/* GET /login */
void	auth_login(struct req *);		/* POST /login */
void	auth_logout(struct req *);		/* POST /logout */
/* app.c: an anonymous GET of a page that needs a login gets 403 with the
 * login form, which brings the visitor back (next=PATH). */
void	auth_login_required(struct req *);
/* password_pages.c */
void	auth_forgot_form(struct req *);		/* GET /password/forgot */
void	auth_forgot(struct req *);		/* POST /password/forgot */
void	auth_reset_form(struct req *);		/* GET /password/reset/{token} */
void	auth_reset(struct req *);		/* POST /password/reset/{token} */
void	auth_password_form(struct req *);	/* GET /account/password */
void	auth_password_change(struct req *);	/* POST /account/password */
/* security_pages.c */
void	auth_totp_show(struct req *);		/* GET /account/2fa */
void	auth_totp_post(struct req *);		/* POST /account/2fa */
void	auth_sessions_list(struct req *);	/* GET /account/sessions */
void	auth_session_end_one(struct req *);	/* POST /account/sessions/{id}/end */
/* impersonate.c */
void	auth_impersonate_start(struct req *);	/* POST /cms/impersonate/{id} */
void	auth_impersonate_end(struct req *);	/* POST /impersonation/end */

/* Shared by the pages: a JSON string ("" for NULL or non-UTF-8 text); a
 * local path safe to redirect to, or NULL. */
json_t		*auth_jstr(const char *);
const char	*auth_safe_next(const char *);

#endif
