/*
 * audit.c: the audit log in the CMS (A6, issue 3 item 9): who did what,
 * to what, when and from where, newest first, keyset-paged by id, with
 * filters: actor (an id or an e-mail), action, target (type and id),
 * customer, and a date range (whole days, UTC).  Times are shown in the
 * reader's language (i18n datetime filter).
 *
 * Each filter has its index ending in id (db/0003_accounts.sql), and the
 * statement is chosen by the most selective filter given, written as a
 * plain equality so that SQLite seeks that index and walks it backwards
 * from the cursor; the other filters are checked on the rows it finds.
 * The date range becomes a range of ids first (two seeks in
 * audit_log_at): rows are only ever inserted, with the clock, so ids grow
 * with time; the dates are still checked on every row.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../account/account_pages.h"
#include "../account/acct.h"
#include "../auth/auth.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

#define LIST_PAGE	50

#define AUDIT_COLS \
	"SELECT a.id, a.at, coalesce(a.actor_user_id, 0), " \
	"coalesce(u.name, ''), coalesce(u.email, ''), " \
	"coalesce(a.impersonator_user_id, 0), coalesce(i.name, ''), " \
	"a.action, a.target_type, a.target_id, coalesce(a.customer_id, 0), " \
	"coalesce(c.name, ''), a.ip, a.detail FROM audit_log a " \
	"LEFT JOIN user u ON u.id = a.actor_user_id " \
	"LEFT JOIN user i ON i.id = a.impersonator_user_id " \
	"LEFT JOIN customer c ON c.id = a.customer_id "
#define AUDIT_REST \
	"AND a.id < ?1 AND a.id BETWEEN ?10 AND ?11 " \
	"AND (?2 IS NULL OR a.actor_user_id = ?2) " \
	"AND (?3 IS NULL OR a.action = ?3) " \
	"AND (?4 IS NULL OR a.target_type = ?4) " \
	"AND (?5 IS NULL OR a.target_id = ?5) " \
	"AND (?6 IS NULL OR a.customer_id = ?6) " \
	"AND a.at >= ?7 AND a.at < ?8 " \
	"ORDER BY a.id DESC LIMIT ?9"

static const char q_by_action[] = AUDIT_COLS
    "WHERE a.action = ?3 " AUDIT_REST;
static const char q_by_actor[] = AUDIT_COLS
    "WHERE a.actor_user_id = ?2 " AUDIT_REST;
static const char q_by_target[] = AUDIT_COLS
    "WHERE a.target_type = ?4 AND a.target_id = ?5 " AUDIT_REST;
static const char q_by_customer[] = AUDIT_COLS
    "WHERE a.customer_id = ?6 " AUDIT_REST;
static const char q_all[] = AUDIT_COLS "WHERE 1 " AUDIT_REST;

/* What the filters may name. */
static const char *const actions[] = {
	"login.ok", "login.fail", "logout", "password.change",
	"password.reset", "password.link", "totp.enable", "totp.disable",
	"session.end", "user.create", "user.disable", "user.enable",
	"role.grant", "perm.grant", "grant.refused", "impersonate.start",
	"impersonate.end", "registration.submit", "registration.approve",
	"registration.reject", "customer.profile", "customer.modules",
	"customer.disable", "customer.enable", "branch.create",
	"branch.update", "branch.delete", "address.create", "address.update",
	"address.delete",
};
static const char *const target_types[] = {
	"user", "customer", "registration", "session", "branch",
	"delivery_address", "role",
};

struct filters {
	int64_t		 actor;		/* 0: any; -1: an unknown e-mail */
	const char	*action;	/* NULL: any */
	const char	*target_type;	/* NULL: any */
	int64_t		 target_id;	/* 0: any */
	int64_t		 customer;	/* 0: any */
	int64_t		 from, to;	/* [from, to) unix seconds */
	int64_t		 lo, hi;	/* the ids of that range */
	const char	*from_s, *to_s, *actor_s;
};

static int
parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* YYYY-MM-DD (an HTML date input) as the unix time of its 00:00 UTC. */
static int
parse_day(const char *s, int64_t *out)
{
	struct tm tm;
	int y, m, d;
	char tail;

	if (s == NULL || strlen(s) != 10 ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Read the filters; on a malformed one, 400 is answered and -1 returned. */
static int
read_filters(struct req *r, struct filters *f)
{
	static const char q_email[] = "SELECT id FROM user WHERE email = ?";
	const char *v;

	memset(f, 0, sizeof(*f));
	f->to = INT64_MAX;
	f->hi = INT64_MAX;
	f->from_s = f->to_s = f->actor_s = "";
	if ((v = acct_clean(r, req_query(r, "actor"), 0, NULL)) != NULL &&
	    *v != '\0') {
		f->actor_s = v;
		if (strchr(v, '@') != NULL) {
			sqlite3_stmt *st = db_prepare(r->db, q_email);

			if (st == NULL) {
				page_error(r, 500, NULL);
				return -1;
			}
			db_bind_text(st, 1, v);
			f->actor = -1;
			if (db_step(r->db, st) == SQLITE_ROW)
				f->actor = db_col_int(st, 0);
			db_done(r->db, st);
		} else if (parse_id(v, &f->actor) != 0)
			goto bad;
	}
	if ((v = req_query(r, "action")) != NULL && *v != '\0') {
		if (!in_list(v, actions, sizeof(actions) / sizeof(actions[0])))
			goto bad;
		f->action = v;
	}
	if ((v = req_query(r, "target_type")) != NULL && *v != '\0') {
		if (!in_list(v, target_types,
		    sizeof(target_types) / sizeof(target_types[0])))
			goto bad;
		f->target_type = v;
	}
	if ((v = req_query(r, "target_id")) != NULL && *v != '\0' &&
	    parse_id(v, &f->target_id) != 0)
		goto bad;
	if (f->target_id != 0 && f->target_type == NULL)
		goto bad;
	if ((v = req_query(r, "customer")) != NULL && *v != '\0' &&
	    parse_id(v, &f->customer) != 0)
		goto bad;
	if ((v = req_query(r, "from")) != NULL && *v != '\0') {
		if (parse_day(v, &f->from) != 0)
			goto bad;
		f->from_s = v;
	}
	if ((v = req_query(r, "to")) != NULL && *v != '\0') {
		if (parse_day(v, &f->to) != 0)
			goto bad;
		f->to += 86400;		/* the whole day */
		f->to_s = v;
	}
	return 0;
bad:
	page_error(r, 400, _("Nieprawidłowy filtr dziennika."));
	return -1;
}

/* The ids of [from, to): two seeks in audit_log_at. */
static int
id_range(struct req *r, struct filters *f)
{
	static const char q_lo[] =
	    "SELECT id FROM audit_log WHERE at >= ? ORDER BY at, id LIMIT 1";
	static const char q_hi[] =
	    "SELECT id FROM audit_log WHERE at < ? "
	    "ORDER BY at DESC, id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (f->from > 0) {
		if ((st = db_prepare(r->db, q_lo)) == NULL)
			return -1;
		db_bind_int(st, 1, f->from);
		f->lo = INT64_MAX;	/* nothing that late: no rows */
		if ((rc = db_step(r->db, st)) == SQLITE_ROW)
			f->lo = db_col_int(st, 0);
		db_done(r->db, st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	if (f->to != INT64_MAX) {
		if ((st = db_prepare(r->db, q_hi)) == NULL)
			return -1;
		db_bind_int(st, 1, f->to);
		f->hi = 0;
		if ((rc = db_step(r->db, st)) == SQLITE_ROW)
			f->hi = db_col_int(st, 0);
		db_done(r->db, st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static const char *
target_href(struct req *r, const char *type, int64_t id)
{
	if (id <= 0)
		return NULL;
	if (strcmp(type, "user") == 0)
		return arena_printf(r->arena, "/cms/users/%" PRId64, id);
	if (strcmp(type, "customer") == 0)
		return arena_printf(r->arena, "/cms/customers/%" PRId64, id);
	if (strcmp(type, "registration") == 0)
		return arena_printf(r->arena, "/cms/registrations/%" PRId64,
		    id);
	return NULL;
}

static json_t *
options(const char *const *list, size_t n, const char *sel, const char *any)
{
	json_t *a = json_array();

	json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "v", "",
	    "t", any, "sel", sel == NULL));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}",
		    "v", list[i], "t", list[i],
		    "sel", sel != NULL && strcmp(sel, list[i]) == 0));
	return a;
}

/* GET /cms/audit[?actor=&action=&target_type=&target_id=&customer=&from=
 * &to=&before=] */
void
cms_audit_list(struct req *r)
{
	static const char *const keys[] = { "actor", "action", "target_type",
	    "target_id", "customer", "from", "to", NULL };
	struct filters f;
	json_t *ctx, *rows = json_array();
	sqlite3_stmt *st;
	int64_t before, last = 0;
	int n = 0;

	if (acct_cursor(r, &before) != 0)
		return;
	if (read_filters(r, &f) != 0)
		return;
	if (id_range(r, &f) != 0) {
		page_error(r, 500, NULL);
		return;
	}
	if (f.target_type != NULL && f.target_id > 0)
		st = db_prepare(r->db, q_by_target);
	else if (f.actor != 0)
		st = db_prepare(r->db, q_by_actor);
	else if (f.customer != 0)
		st = db_prepare(r->db, q_by_customer);
	else if (f.action != NULL)
		st = db_prepare(r->db, q_by_action);
	else
		st = db_prepare(r->db, q_all);
	if (st == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, before);
	if (f.actor != 0)
		db_bind_int(st, 2, f.actor);
	db_bind_text(st, 3, f.action);
	db_bind_text(st, 4, f.target_type);
	if (f.target_id != 0)
		db_bind_int(st, 5, f.target_id);
	if (f.customer != 0)
		db_bind_int(st, 6, f.customer);
	db_bind_int(st, 7, f.from);
	db_bind_int(st, 8, f.to);
	db_bind_int(st, 9, LIST_PAGE + 1);
	db_bind_int(st, 10, f.lo);
	db_bind_int(st, 11, f.hi);
	while (db_step(r->db, st) == SQLITE_ROW) {
		json_t *o;
		const char *href;

		if (++n > LIST_PAGE)
			break;
		last = db_col_int(st, 0);
		o = json_object();
		/* _nocheck: the keys are literals (values are still checked). */
		json_object_set_new_nocheck(o, "id", json_integer(last));
		json_object_set_new_nocheck(o, "at", json_integer(db_col_int(st, 1)));
		json_object_set_new_nocheck(o, "actor_id",
		    json_integer(db_col_int(st, 2)));
		json_object_set_new_nocheck(o, "actor",
		    json_string(db_col_text(st, 3)));
		json_object_set_new_nocheck(o, "actor_email",
		    json_string(db_col_text(st, 4)));
		json_object_set_new_nocheck(o, "imp_id",
		    json_integer(db_col_int(st, 5)));
		json_object_set_new_nocheck(o, "imp", json_string(db_col_text(st, 6)));
		json_object_set_new_nocheck(o, "action",
		    json_string(db_col_text(st, 7)));
		json_object_set_new_nocheck(o, "target_type",
		    json_string(db_col_text(st, 8)));
		json_object_set_new_nocheck(o, "target_id",
		    json_integer(db_col_int(st, 9)));
		href = target_href(r, db_col_text(st, 8), db_col_int(st, 9));
		json_object_set_new_nocheck(o, "target_href", href ? json_string(href) :
		    json_null());
		json_object_set_new_nocheck(o, "customer_id",
		    json_integer(db_col_int(st, 10)));
		json_object_set_new_nocheck(o, "customer",
		    json_string(db_col_text(st, 11)));
		json_object_set_new_nocheck(o, "ip", json_string(db_col_text(st, 12)));
		json_object_set_new_nocheck(o, "detail",
		    json_string(db_col_text(st, 13)));
		json_array_append_new(rows, o);
	}
	db_done(r->db, st);
	ctx = page_ctx(r, _("Dziennik zdarzeń"), AREA_CMS);
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "actions", options(actions,
	    sizeof(actions) / sizeof(actions[0]), f.action, _("(wszystkie)")));
	json_object_set_new(ctx, "target_types", options(target_types,
	    sizeof(target_types) / sizeof(target_types[0]), f.target_type,
	    _("(dowolny)")));
	json_object_set_new(ctx, "f", json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "actor", f.actor_s, "from", f.from_s, "to", f.to_s,
	    "target_id", f.target_id ? arena_printf(r->arena, "%" PRId64,
	    f.target_id) : "",
	    "customer", f.customer ? arena_printf(r->arena, "%" PRId64,
	    f.customer) : ""));
	acct_pager(r, ctx, "/cms/audit", keys, n > LIST_PAGE ? last : 0);
	page_render(r, 200, "cms/audit.html", ctx);
}
