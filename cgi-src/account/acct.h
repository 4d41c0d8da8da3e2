/*
 * acct.h: what the account pages (cgi-src/account) and the CMS pages for
 * customers, users, registrations, staff and the audit log share.
 *
 * Forms.  A form's fields are described once, in a const table of struct
 * acct_field (name, label, type, limits).  acct_form_read() reads each
 * field from the request body, trims it, checks it against its type and
 * keeps the value as typed, so that a form sent back with a problem (422)
 * shows everything that was typed, with the problem named next to its
 * field.  acct_form_fields() turns the table into the "fields" list that
 * the partial account/fields.html renders (label, value, aria-invalid,
 * aria-describedby).  All memory is the request's arena.
 *
 * Lists.  CMS lists page by keyset on a row id, newest first: the cursor
 * "before=ID" is the last id shown (acct_cursor()).
 *
 */
#ifndef FRAMUGA_ACCT_H
#define FRAMUGA_ACCT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct req;
struct sqlite3_stmt;

enum acct_ftype {
	AF_TEXT,	/* one line of text */
	AF_EMAIL,	/* an e-mail address, lower-cased */
	AF_TEL,		/* digits, blanks, + - ( ) */
	AF_POSTCODE,	/* letters, digits, blanks, '-' (acct_postcode_ok) */
	AF_NIP,		/* a NIP or EU VAT number, normalized (nip.h) */
	AF_SELECT,	/* one of the options given to acct_form_fields() */
	AF_TEXTAREA,	/* several lines */
	AF_CHECK,	/* a checkbox: "1" when ticked, "" when not */
	AF_PASSWORD	/* kept for the check, never sent back */
};

enum {
	AF_REQUIRED = 1,	/* empty is an error */
	AF_READONLY = 2		/* shown, never read from the form */
};

struct acct_field {
	const char	*name;		/* form key; the element's id: f-NAME */
	const char	*label;		/* msgid (N_), translated when shown */
	enum acct_ftype	 type;
	unsigned	 flags;		/* AF_REQUIRED, AF_READONLY */
	unsigned	 maxlen;	/* characters (code points); 0: 200 */
	const char	*autocomplete;	/* an HTML autocomplete token or NULL */
	const char	*hint;		/* msgid shown under it, or NULL */
};

struct acct_form {
	struct req	*r;
	json_t		*values;	/* name -> the value (normalized) */
	json_t		*errors;	/* name -> the problem, translated */
	int		 nerr;
};

/* Start an empty form for r. */
void		 acct_form_init(struct acct_form *, struct req *);
/*
 * Read every field of the table (but AF_READONLY ones) from r's body:
 * trimmed, valid UTF-8 without control characters, within maxlen, of its
 * type; a required field may not be empty.  The value is kept either way
 * (normalized when it passed: an e-mail lower-cased, a NIP in its one
 * spelling); a problem is recorded under the field's name.  Returns the
 * number of problems found so far in the form.
 */
int		 acct_form_read(struct acct_form *, const struct acct_field *,
		    size_t n);
/* Load a row into the form: column i of st (a statement on a row) is
 * the value of fields[i], for i < n. */
void		 acct_form_load(struct acct_form *, const struct acct_field *,
		    size_t n, struct sqlite3_stmt *st);
/* The value kept for name ("" when none); arena or jansson memory. */
const char	*acct_form_get(const struct acct_form *, const char *name);
void		 acct_form_set(struct acct_form *, const char *name,
		    const char *value);
/* Record a problem for name (the first one stays); message translated. */
void		 acct_form_error(struct acct_form *, const char *name,
		    const char *message);
/*
 * The "fields" list for account/fields.html: for each field its id, name,
 * label, type, value, error, required, maxlen, autocomplete, hint, and for
 * AF_SELECT the options from options (an object: field name -> array of
 * {"v": value, "t": text}), the one equal to the value marked selected.
 */
json_t		*acct_form_fields(const struct acct_form *,
		    const struct acct_field *, size_t n, json_t *options);

/* Checks the form reader uses, for other callers too. */
int		 acct_email_ok(const char *);
int		 acct_postcode_ok(const char *country, const char *postcode);
/* Trim s (arena copy); NULL if it is not valid UTF-8 or holds a control
 * character (newlines allowed when multiline).  *nchars: code points. */
const char	*acct_clean(struct req *, const char *s, int multiline,
		    size_t *nchars);

/* Options of the language and country selects (arena json). */
json_t		*acct_lang_options(void);
json_t		*acct_country_options(void);
int		 acct_lang_ok(const char *);
int		 acct_country_ok(const char *);

/*
 * The keyset cursor of a list: ?before=ID.  *before gets the id (INT64_MAX
 * when absent).  0, or -1 when the cursor is malformed (400 answered).
 */
int		 acct_cursor(struct req *, int64_t *before);
/*
 * Write transactions of a page.  acct_begin: BEGIN IMMEDIATE; acct_commit:
 * COMMIT.  Both return 0, or -1 with the answer sent (503 when the
 * database stayed busy, else 500).  acct_commit_and_go: commit, then 303
 * to the path to.
 */
int		 acct_begin(struct req *);
int		 acct_commit(struct req *);
void		 acct_commit_and_go(struct req *, const char *to);
/*
 * Disable (disabled 1) or enable user id through auth_user_set_disabled
 * (which ends a disabled user's sessions).  0, or -1 with the answer sent
 * (503 when the database stayed busy, else 500).
 */
int		 acct_set_disabled(struct req *, int64_t id, int disabled);
/* A search term from ?q= (trimmed, at most 100 characters) or NULL. */
const char	*acct_search(struct req *);
/*
 * The pager of a list at path: ctx "pager" = {"first": path?FILTERS (when
 * this is not the first page), "next": path?FILTERS&before=NEXT (when
 * next > 0)}, where FILTERS are the query's keys (NULL-terminated list)
 * that are present, percent-encoded; ctx "filters" the same string.
 */
void		 acct_pager(struct req *, json_t *ctx, const char *path,
		    const char *const *keys, int64_t next);

/* People's names for a permission and a built-in role (translated); a
 * role without one is shown by its name. */
const char	*acct_perm_label(int perm);
const char	*acct_role_label(const char *role);

/* The checkboxes of a permission set: for each permission in offer (a
 * bitmask of enum perm), {"name": "perm_orders.view", "id", "label",
 * "checked": held in chosen}.  The form key is "perm_" + the name. */
json_t		*acct_perm_boxes(uint64_t offer, uint64_t chosen);
/* The permissions ticked in r's body among offer (others are ignored;
 * the caller checks what it is given against what it offered, so a forged
 * box is refused, not dropped: see acct_perms_asked). */
uint64_t	 acct_perms_ticked(struct req *, uint64_t offer);
/* Every permission box ticked in r's body, offered or not (perm_* keys
 * naming a known permission); an unknown name sets *bad. */
uint64_t	 acct_perms_asked(struct req *, int *bad);
/* "orders.view, prices.view" for a set (arena). */
const char	*acct_perms_text(struct req *, uint64_t);

/*
 * Roles and grants.  A role of a scope ("customer" or "staff") with its
 * permissions as a bitmask; sets of roles are bitmasks over the index in
 * the array acct_roles() returns (at most 64 roles per scope are offered).
 */
struct acct_role {
	int64_t		 id;
	const char	*name;
	const char	*label;		/* acct_role_label(name) */
	uint64_t	 perms;
};
/* The roles of scope, in id order (arena).  0 or -1. */
int		 acct_roles(struct req *, const char *scope,
		    struct acct_role **out, size_t *n);
/* What user holds: the roles (bits over roles[]) and the direct
 * permissions.  0 or -1. */
int		 acct_user_grants(struct req *, int64_t user_id,
		    const struct acct_role *roles, size_t n,
		    uint64_t *role_bits,
		    uint64_t *perms);
/* Replace the user's roles among roles[] and their direct permissions
 * within perm_scope (other grants stay); granted_by the session's user.
 * Inside the caller's write transaction.  0 or -1. */
int		 acct_set_grants(struct req *, int64_t user_id,
		    const struct acct_role *roles, size_t n, uint64_t role_bits,
		    uint64_t perms, uint64_t perm_scope);
/* The permissions of a set of roles. */
uint64_t	 acct_roles_perms(const struct acct_role *, size_t n,
		    uint64_t role_bits);
/* Checkboxes for roles (form key "role_" + name): those in offer. */
json_t		*acct_role_boxes(const struct acct_role *, size_t n,
		    uint64_t offer, uint64_t chosen);
/* The role boxes ticked in r's body; a name not among roles sets *bad. */
uint64_t	 acct_roles_asked(struct req *, const struct acct_role *,
		    size_t n, int *bad);

/*
 * Modules (B1).  acct_modules: every portal module as a checkbox list
 * ({"name": "mod_orders", "id", "module", "label", "checked"}), ticked
 * where customer cust has it (all of them when all_on).  acct_modules_
 * ticked: the same list ticked as in r's body.  acct_modules_store: give
 * cust exactly the ticked ones (inside the caller's transaction).  NULL
 * or -1 on a database error.
 */
const char	*acct_module_label(const char *module);
json_t		*acct_modules(struct req *, int64_t cust, int all_on);
json_t		*acct_modules_ticked(struct req *);
int		 acct_modules_store(struct req *, int64_t cust, json_t *mods);
/* "orders catalogue …" of the ticked modules, for the audit log. */
const char	*acct_modules_text(struct req *, json_t *mods);

#endif
