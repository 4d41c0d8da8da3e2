/* cms_pages.h: handlers of cgi-src/cms (routes-cms.inc). */
#ifndef FRAMUGA_CMS_PAGES_H
#define FRAMUGA_CMS_PAGES_H
struct req;
/* cms.c */
void	cms_home(struct req *);
/* registrations.c, customers.c, users.c, staff.c, audit.c: accounts in
 * the CMS (A5, A6, J4) */
void	cms_registrations_list(struct req *);
void	cms_registrations_show(struct req *);
void	cms_registrations_approve(struct req *);
void	cms_registrations_reject(struct req *);
void	cms_customers_list(struct req *);
void	cms_customers_show(struct req *);
void	cms_customers_modules(struct req *);
void	cms_customers_status(struct req *);
void	cms_users_list(struct req *);
void	cms_users_show(struct req *);
void	cms_users_disable(struct req *);
void	cms_users_enable(struct req *);
void	cms_users_invite(struct req *);
void	cms_users_grants(struct req *);
void	cms_staff_list(struct req *);
void	cms_staff_new(struct req *);
void	cms_staff_create(struct req *);
void	cms_staff_show(struct req *);
void	cms_staff_update(struct req *);
void	cms_staff_disable(struct req *);
void	cms_staff_enable(struct req *);
void	cms_audit_list(struct req *);
#endif
