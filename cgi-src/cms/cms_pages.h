/* cms_pages.h: handlers of cgi-src/cms (routes-cms.inc). */
#ifndef FRAMUGA_CMS_PAGES_H
#define FRAMUGA_CMS_PAGES_H
struct req;
/* cms.c */
void	cms_home(struct req *);
/* sync_panel.c: framuga-sync's control panel (J5) */
void	sync_panel_list(struct req *);
void	sync_panel_show(struct req *);
void	sync_panel_run(struct req *);
void	sync_panel_once(struct req *);
void	sync_panel_cancel(struct req *);
void	sync_panel_enable(struct req *);
void	sync_panel_disable(struct req *);
void	sync_panel_interval(struct req *);
void	sync_panel_retry(struct req *);
void	sync_panel_retry_all(struct req *);
/* sync_panel.c helpers (tests/unit/test_sync_panel.c).  The operation's
 * name for people in the current language (its own name if unknown; a
 * static or catalog string).  A delay typed in the panel: whole minutes
 * (0-59999) or hh:mm:ss as sched_hms_parse() takes it, into seconds; 0 or
 * -1.  A run's duration for people ("850 ms", "12,3 s", "00:02:05") as an
 * arena string. */
#include <stdint.h>
struct arena;
const char	*sync_panel_label(const char *name);
int		 sync_panel_parse_delay(const char *s, int64_t *out_s);
const char	*sync_panel_duration(struct arena *, int64_t ms);
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
/* marketing.c, news.c: content (B2, B3) */
void	cms_marketing_list(struct req *);
void	cms_marketing_new(struct req *);
void	cms_marketing_create(struct req *);
void	cms_marketing_edit(struct req *);
void	cms_marketing_update(struct req *);
void	cms_marketing_unpublish(struct req *);
void	cms_news_list(struct req *);
void	cms_news_new(struct req *);
void	cms_news_create(struct req *);
void	cms_news_edit(struct req *);
void	cms_news_update(struct req *);
void	cms_news_unpublish(struct req *);
void	cms_news_settings(struct req *);
/* stock_rules.c: the catalogue's stock rules per customer group (C4) */
void	cms_stock_rules(struct req *);
void	cms_stock_rules_save(struct req *);
#endif
