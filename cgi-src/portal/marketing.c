/*
 * marketing.c: the customer's marketing materials (B2) at
 * /portal/marketing: the items staff published for this customer's group
 * (customer.grp; or every group) in the request's language (the user's
 * setting first; or every language), newest first, keyset-paged; a page
 * item's text; a file item's download.
 *
 * Customer-scoped: the customer comes from auth_require_customer(), its
 * group from its row, and every item is looked up WITH that group and the
 * language in the WHERE clause, so another group's item answers 404 like
 * a missing one.  The routes ask for marketing.view, which the session
 * holds only while the customer has the "marketing" module; the module is
 * checked here again (customer_module), else 403, so a page never rests on
 * a permission set computed before the module was switched off.  A
 * download is authorised here and sent by
 * nginx: X-Accel-Redirect to /_accel/marketing/XX/SHA256 (data_dir, never
 * the web root; see cgi-src/cms/marketing.c for how files are stored).
 * Opening the list records when the user last saw it (marketing_seen), for
 * the dashboard's "new materials".
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../auth/auth.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "req.h"

#define MKT_PAGE 30

/* The caller's customer and its group, when it has the marketing module.
 * 0 and *grp set, or -1 after an error page was answered. */
static int
mkt_scope(struct req *r, int64_t *cust, const char **grp)
{
	static const char q[] =
	    "SELECT c.grp FROM customer c JOIN customer_module m "
	    "ON m.customer_id = c.id AND m.module = 'marketing' WHERE c.id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((*cust = auth_require_customer(r)) == 0)
		return -1;
	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return -1;
	}
	db_bind_int(st, 1, *cust);
	rc = db_step(r->db, st);
	if (rc == SQLITE_ROW)
		*grp = arena_strdup(r->arena, db_col_text(st, 0));
	db_done(r->db, st);
	if (rc != SQLITE_ROW) {
		page_error(r, rc == SQLITE_DONE ? 403 : 500, NULL);
		return -1;
	}
	return 0;
}

/* Parse "T.ID" (both non-negative decimals).  0 on success. */
static int
mkt_cursor(const char *s, int64_t *t, int64_t *id)
{
	char *end;
	long long a, b;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	a = strtoll(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoll(end + 1, &end, 10);
	if (*end != '\0' || a < 0 || b < 0)
		return -1;
	*t = a, *id = b;
	return 0;
}

/* GET /portal/marketing[?before=T.ID] (PERM_LOGIN, customer) */
void
marketing_list(struct req *r)
{
	static const char q_page[] =
	    "SELECT id, kind, title, body, file_name, file_size, published_at "
	    "FROM marketing_item WHERE unpublished_at IS NULL "
	    "AND published_at <= ?1 AND grp IN (?2, '') AND lang IN (?3, '') "
	    "AND (published_at, id) < (?4, ?5) "
	    "ORDER BY published_at DESC, id DESC LIMIT ?6";
	static const char q_seen[] =
	    "INSERT INTO marketing_seen (user_id, seen_at) VALUES (?, ?) "
	    "ON CONFLICT (user_id) DO UPDATE SET seen_at = excluded.seen_at";
	const char *grp, *before = req_query(r, "before");
	int64_t cust, t = INT64_MAX, id = INT64_MAX, last_t = 0, last_id = 0;
	int64_t now = auth_now(r->cfg);
	json_t *ctx, *rows = json_array(), *row;
	sqlite3_stmt *st;
	int n = 0;

	if (mkt_scope(r, &cust, &grp) != 0)
		return;
	if (before != NULL && mkt_cursor(before, &t, &id) != 0) {
		page_error(r, 400, _("Nieprawidłowy numer strony."));
		return;
	}
	if ((st = db_prepare(r->db, q_page)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, grp);
	db_bind_text(st, 3, r->lang);
	db_bind_int(st, 4, t);
	db_bind_int(st, 5, id);
	db_bind_int(st, 6, MKT_PAGE + 1);
	while (db_step(r->db, st) == SQLITE_ROW) {
		if (++n > MKT_PAGE)
			break;
		last_id = db_col_int(st, 0);
		last_t = db_col_int(st, 6);
		row = json_pack("{s:I, s:b, s:s, s:s, s:s, s:I, s:I}",
		    "id", (json_int_t)last_id,
		    "file", strcmp(db_col_text(st, 1), "file") == 0,
		    "title", db_col_text(st, 2), "body", db_col_text(st, 3),
		    "file_name", db_col_text(st, 4),
		    "size_kb", (json_int_t)((db_col_int(st, 5) + 1023) / 1024),
		    "published_at", (json_int_t)last_t);
		json_array_append_new(rows, row);
	}
	db_done(r->db, st);
	/* Seen now: the dashboard counts what is newer.  Not when a staff
	 * member looks through the account. */
	if (r->session->impersonator_user_id == 0 &&
	    db_begin_write(r->db) == SQLITE_OK) {
		if ((st = db_prepare(r->db, q_seen)) != NULL) {
			db_bind_int(st, 1, r->session->user_id);
			db_bind_int(st, 2, now);
			db_step_done(r->db, st);
		}
		if (db_commit(r->db) != SQLITE_OK)
			db_rollback(r->db);
	}
	ctx = page_ctx(r, _("Materiały marketingowe"), AREA_PORTAL);
	json_object_set_new(ctx, "rows", rows);
	if (n > MKT_PAGE)
		json_object_set_new(ctx, "next", json_string(arena_printf(
		    r->arena, "%" PRId64 ".%" PRId64, last_t, last_id)));
	json_object_set_new(ctx, "paged", json_boolean(before != NULL));
	page_render(r, 200, "portal/marketing.html", ctx);
}

static const char q_item[] =
    "SELECT kind, title, body, file_sha256, file_name, file_type, "
    "published_at FROM marketing_item WHERE id = ?1 "
    "AND unpublished_at IS NULL AND published_at <= ?2 "
    "AND grp IN (?3, '') AND lang IN (?4, '')";

/* The item id of this customer's group and language: the statement on its
 * row, or NULL after the error page (404 for another group's). */
static sqlite3_stmt *
mkt_item(struct req *r)
{
	const char *grp;
	int64_t cust;
	sqlite3_stmt *st;

	if (mkt_scope(r, &cust, &grp) != 0)
		return NULL;
	if ((st = db_prepare(r->db, q_item)) == NULL) {
		page_error(r, 500, NULL);
		return NULL;
	}
	db_bind_int(st, 1, r->iparam[0]);
	db_bind_int(st, 2, auth_now(r->cfg));
	db_bind_text(st, 3, grp);
	db_bind_text(st, 4, r->lang);
	return page_row(r, st);
}

/* GET /portal/marketing/{id} (PERM_LOGIN, customer): one item. */
void
marketing_show(struct req *r)
{
	sqlite3_stmt *st;
	json_t *ctx;

	if ((st = mkt_item(r)) == NULL)
		return;
	ctx = page_ctx(r, db_col_text(st, 1), AREA_PORTAL);
	json_object_set_new(ctx, "item", json_pack(
	    "{s:I, s:b, s:s, s:s, s:s, s:I}",
	    "id", (json_int_t)r->iparam[0],
	    "file", strcmp(db_col_text(st, 0), "file") == 0,
	    "title", db_col_text(st, 1), "body", db_col_text(st, 2),
	    "file_name", db_col_text(st, 4),
	    "published_at", (json_int_t)db_col_int(st, 6)));
	db_done(r->db, st);
	page_render(r, 200, "portal/marketing_item.html", ctx);
}

/* GET /portal/marketing/{id}/file (PERM_LOGIN, customer): nginx sends the
 * file after this check. */
void
marketing_download(struct req *r)
{
	const char *sha, *name, *type, *uri;
	sqlite3_stmt *st;

	if ((st = mkt_item(r)) == NULL)
		return;
	if (strcmp(db_col_text(st, 0), "file") != 0) {
		db_done(r->db, st);
		page_error(r, 404, NULL);
		return;
	}
	sha = arena_strdup(r->arena, db_col_text(st, 3));
	name = arena_strdup(r->arena, db_col_text(st, 4));
	type = arena_strdup(r->arena, db_col_text(st, 5));
	db_done(r->db, st);
	if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64) {
		log_err("marketing item %" PRId64 ": bad file hash",
		    r->iparam[0]);
		page_error(r, 500, NULL);
		return;
	}
	uri = arena_printf(r->arena, "/_accel/marketing/%.2s/%s", sha, sha);
	resp_accel(r, uri, name, type);
}
