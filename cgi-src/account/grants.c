/*
 * grants.c: roles, grants and module masks for the pages that give rights
 * (co-workers in the portal, users and staff in the CMS).  acct.h says
 * what each function does; the rule that nobody grants more than they
 * hold is auth_can_grant()'s (cgi-src/auth), called by the pages with the
 * set these functions compute.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../auth/auth.h"
#include "acct.h"
#include "db.h"
#include "i18n.h"
#include "perm.h"
#include "req.h"

#define MAX_ROLES	64

/* A comma-separated list of permission names as a bitmask (unknown names
 * are skipped: a role row naming a permission this build lacks). */
static uint64_t
mask_of(const char *list)
{
	uint64_t m = 0;
	char name[64];

	while (list != NULL && *list != '\0') {
		size_t n = strcspn(list, ",");
		int p;

		if (n < sizeof(name)) {
			memcpy(name, list, n);
			name[n] = '\0';
			if ((p = auth_perm_by_name(name)) > 0)
				m |= AUTH_BIT(p);
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return m;
}

int
acct_roles(struct req *r, const char *scope, struct acct_role **out,
    size_t *n)
{
	static const char q[] =
	    "SELECT r.id, r.name, coalesce(group_concat(rp.perm, ','), '') "
	    "FROM role r LEFT JOIN role_perm rp ON rp.role_id = r.id "
	    "WHERE r.scope = ? GROUP BY r.id ORDER BY r.id LIMIT 64";
	struct acct_role *a;
	sqlite3_stmt *st;
	size_t k = 0;
	int rc;

	a = arena_calloc(r->arena, MAX_ROLES, sizeof(*a));
	if ((st = db_prepare(r->db, q)) == NULL)
		return -1;
	db_bind_text(st, 1, scope);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW && k < MAX_ROLES) {
		a[k].id = db_col_int(st, 0);
		a[k].name = arena_strdup(r->arena, db_col_text(st, 1));
		a[k].label = acct_role_label(a[k].name);
		a[k].perms = mask_of(db_col_text(st, 2));
		k++;
	}
	db_done(r->db, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	*out = a;
	*n = k;
	return 0;
}

int
acct_user_grants(struct req *r, int64_t user, const struct acct_role *roles,
    size_t n, uint64_t *role_bits, uint64_t *perms)
{
	static const char q_roles[] =
	    "SELECT role_id FROM user_role WHERE user_id = ?";
	static const char q_perms[] =
	    "SELECT perm FROM user_perm WHERE user_id = ?";
	sqlite3_stmt *st;
	int rc;

	*role_bits = 0;
	*perms = 0;
	if ((st = db_prepare(r->db, q_roles)) == NULL)
		return -1;
	db_bind_int(st, 1, user);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		int64_t id = db_col_int(st, 0);

		for (size_t i = 0; i < n; i++)
			if (roles[i].id == id)
				*role_bits |= (uint64_t)1 << i;
	}
	db_done(r->db, st);
	if (rc != SQLITE_DONE)
		return -1;
	if ((st = db_prepare(r->db, q_perms)) == NULL)
		return -1;
	db_bind_int(st, 1, user);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		int p = auth_perm_by_name(db_col_text(st, 0));

		if (p > 0)
			*perms |= AUTH_BIT(p);
	}
	db_done(r->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
acct_set_grants(struct req *r, int64_t user, const struct acct_role *roles,
    size_t n, uint64_t role_bits, uint64_t perms, uint64_t perm_scope)
{
	static const char q_del_role[] =
	    "DELETE FROM user_role WHERE user_id = ? AND role_id = ?";
	static const char q_add_role[] =
	    "INSERT OR IGNORE INTO user_role (user_id, role_id, granted_by, "
	    "granted_at) VALUES (?, ?, ?, ?)";
	static const char q_del_perm[] =
	    "DELETE FROM user_perm WHERE user_id = ? AND perm = ?";
	static const char q_add_perm[] =
	    "INSERT OR IGNORE INTO user_perm (user_id, perm, granted_by, "
	    "granted_at) VALUES (?, ?, ?, ?)";
	int64_t now = auth_now(r->cfg), by = r->session ?
	    r->session->user_id : 0;
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i++) {
		int want = (role_bits >> i) & 1;

		st = want ? db_prepare(r->db, q_add_role) :
		    db_prepare(r->db, q_del_role);
		if (st == NULL)
			return -1;
		db_bind_int(st, 1, user);
		db_bind_int(st, 2, roles[i].id);
		if (want) {
			db_bind_int(st, 3, by);
			db_bind_int(st, 4, now);
		}
		rc = db_step_done(r->db, st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	for (int p = PERM_LOGIN + 1; p < PERM__MAX; p++) {
		int want = (perms & AUTH_BIT(p)) != 0;

		if (!(perm_scope & AUTH_BIT(p)))
			continue;
		st = want ? db_prepare(r->db, q_add_perm) :
		    db_prepare(r->db, q_del_perm);
		if (st == NULL)
			return -1;
		db_bind_int(st, 1, user);
		db_bind_text(st, 2, perm_name((enum perm)p));
		if (want) {
			db_bind_int(st, 3, by);
			db_bind_int(st, 4, now);
		}
		rc = db_step_done(r->db, st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

uint64_t
acct_roles_perms(const struct acct_role *roles, size_t n, uint64_t bits)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		if ((bits >> i) & 1)
			m |= roles[i].perms;
	return m;
}

json_t *
acct_role_boxes(const struct acct_role *roles, size_t n, uint64_t offer,
    uint64_t chosen)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		char name[80], id[90];

		if (!((offer >> i) & 1))
			continue;
		snprintf(name, sizeof(name), "role_%s", roles[i].name);
		snprintf(id, sizeof(id), "f-%s", name);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b}",
		    "name", name, "id", id, "label", roles[i].label,
		    "role", roles[i].name,
		    "checked", ((chosen >> i) & 1) != 0));
	}
	return a;
}

uint64_t
acct_roles_asked(struct req *r, const struct acct_role *roles, size_t n,
    int *bad)
{
	uint64_t m = 0;

	*bad = 0;
	for (size_t k = 0; k < r->formn; k++) {
		const char *key = r->form[k].key;
		size_t i;

		if (strncmp(key, "role_", 5) != 0 ||
		    strcmp(r->form[k].val, "1") != 0)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(key + 5, roles[i].name) == 0)
				break;
		if (i == n)
			*bad = 1;
		else
			m |= (uint64_t)1 << i;
	}
	return m;
}

const char *
acct_module_label(const char *m)
{
	static const struct { const char *name, *label; } mods[] = {
		{ "orders", N_("Zamówienia") },
		{ "catalogue", N_("Katalog i ceny") },
		{ "invoices", N_("Faktury") },
		{ "complaints", N_("Reklamacje") },
		{ "rfq", N_("Zapytania ofertowe") },
		{ "mail", N_("Poczta") },
		{ "tasks", N_("Zadania") },
		{ "marketing", N_("Materiały marketingowe") },
	};

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (strcmp(m, mods[i].name) == 0)
			return _(mods[i].label);
	return m;
}

json_t *
acct_modules(struct req *r, int64_t cust, int all_on)
{
	static const char q[] =
	    "SELECT m.name, EXISTS (SELECT 1 FROM customer_module cm "
	    "WHERE cm.customer_id = ?1 AND cm.module = m.name) "
	    "FROM portal_module m ORDER BY m.sort, m.name";
	json_t *a = json_array();
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(r->db, q)) == NULL)
		return NULL;
	db_bind_int(st, 1, cust);
	while ((rc = db_step(r->db, st)) == SQLITE_ROW) {
		const char *name = db_col_text(st, 0);

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b}",
		    "name", arena_printf(r->arena, "mod_%s", name),
		    "id", arena_printf(r->arena, "f-mod_%s", name),
		    "module", name, "label", acct_module_label(name),
		    "checked", all_on || db_col_int(st, 1)));
	}
	db_done(r->db, st);
	return rc == SQLITE_DONE ? a : NULL;
}

json_t *
acct_modules_ticked(struct req *r)
{
	json_t *all = acct_modules(r, 0, 0), *m;
	size_t i;

	if (all == NULL)
		return NULL;
	json_array_foreach(all, i, m) {
		const char *v = req_form(r, json_string_value(
		    json_object_get(m, "name")));

		json_object_set_new(m, "checked", json_boolean(v != NULL &&
		    strcmp(v, "1") == 0));
	}
	return all;
}

int
acct_modules_store(struct req *r, int64_t cust, json_t *mods)
{
	static const char q_on[] =
	    "INSERT OR IGNORE INTO customer_module (customer_id, module) "
	    "VALUES (?, ?)";
	static const char q_off[] =
	    "DELETE FROM customer_module WHERE customer_id = ? AND module = ?";
	json_t *m;
	size_t i;

	json_array_foreach(mods, i, m) {
		int on = json_is_true(json_object_get(m, "checked"));
		sqlite3_stmt *st = on ? db_prepare(r->db, q_on) :
		    db_prepare(r->db, q_off);
		int rc;

		if (st == NULL)
			return -1;
		db_bind_int(st, 1, cust);
		db_bind_text(st, 2, json_string_value(json_object_get(m,
		    "module")));
		rc = db_step_done(r->db, st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

const char *
acct_modules_text(struct req *r, json_t *mods)
{
	struct buf b = BUF_INIT;
	const char *s;
	json_t *m;
	size_t i;

	json_array_foreach(mods, i, m)
		if (json_is_true(json_object_get(m, "checked"))) {
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, json_string_value(json_object_get(m,
			    "module")));
		}
	s = arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}
