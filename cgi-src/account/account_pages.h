/* account_pages.h: handlers of cgi-src/account (routes-account.inc). */
#ifndef FRAMUGA_ACCOUNT_PAGES_H
#define FRAMUGA_ACCOUNT_PAGES_H
#include <stdint.h>
#include <jansson.h>
struct req;
/* register.c: the public registration form (A5) */
void	account_register_form(struct req *);
void	account_register_submit(struct req *);
void	account_register_sent(struct req *);
/* profile.c: company profile and the user's language (A7) */
void	account_profile_show(struct req *);
void	account_profile_save(struct req *);
void	account_language_save(struct req *);
/* branches.c: branches and delivery addresses (A4) */
void	account_branches_list(struct req *);
void	account_branches_create(struct req *);
void	account_branches_edit(struct req *);
void	account_branches_update(struct req *);
void	account_branches_delete(struct req *);
void	account_addresses_list(struct req *);
void	account_addresses_create(struct req *);
void	account_addresses_edit(struct req *);
void	account_addresses_update(struct req *);
void	account_addresses_delete(struct req *);
/* users.c: co-workers and delegation (A2) */
void	account_users_list(struct req *);
void	account_users_new(struct req *);
void	account_users_create(struct req *);
void	account_users_edit(struct req *);
void	account_users_update(struct req *);
void	account_users_disable(struct req *);
void	account_users_enable(struct req *);
void	account_users_invite(struct req *);

/* Shared by the account and CMS account pages (arena json). */
/* Options of the invoice-or-receipt select. */
json_t	*account_invoice_kind_options(void);
/* Append {legend, fields} to groups; fields with an error also go to
 * problems (may be NULL).  Returns groups. */
json_t	*account_form_group(json_t *groups, json_t *problems,
	    const char *legend, json_t *fields);
/* Branch select options of customer cust: "" (whole company, unless the
 * caller is limited to branch only) and each branch; NULL on error. */
json_t	*account_branch_options(struct req *, int64_t cust, int64_t only);
/* A branch id typed in a form: "" (0: whole company, not allowed when
 * only != 0) or a branch of cust (only that one when only != 0).  0 with
 * *out set, or -1. */
int	 account_branch_parse(struct req *, int64_t cust, int64_t only,
	    const char *v, int64_t *out);
#endif
