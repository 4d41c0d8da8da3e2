/*
 * news.c: the news entries of the public face (B3) in the CMS,
 * PERM_CMS_CONTENT: list (newest first, keyset-paged by id), create, edit,
 * unpublish; and the public catalogue setting.
 *
 * An entry is one language's (pl, en, de): the landing page and /news show
 * the visitor's language only (cgi-src/portal/{home,news}.c), from its
 * publish time on (a time in the future schedules it).  Unpublishing moves
 * the publish time to NEWS_NEVER (the public pages show only entries
 * published by now), so no public query changes; saving the entry again
 * with a time publishes it again.  Publish times are typed and shown in
 * UTC (datetime-local "YYYY-MM-DDTHH:MM").
 *
 * The setting meta.catalog_public ('1': the catalogue is public without
 * prices, '0': closed; PERM_CATALOG in cgi-src/lib/perm.c reads it) is
 * edited on the list page.  Every change is
 * audited (auth_audit).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../auth/auth.h"
#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

#define NEWS_NEVER	((int64_t)253402300799)	/* 9999-12-31 23:59:59 */
#define NEWS_CMS_PAGE	50

static const char *const news_langs[] = { "pl", "en", "de", NULL };

/* "YYYY-MM-DDTHH:MM" (UTC) into unix seconds.  0 or -1. */
static int
parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi;
	char tail;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi,
	    &tail) != 5 && sscanf(s, "%4d-%2d-%2dT%2d:%2d:00%c", &y, &mo, &d,
	    &h, &mi, &tail) != 5)
		return -1;
	if (y < 1970 || y > 9998 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static const char *
fmt_time(struct req *r, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t >= NEWS_NEVER)
		return "";
	gmtime_r(&tt, &tm);
	return arena_printf(r->arena, "%04d-%02d-%02dT%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min);
}

static int
slug_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static void
render_form(struct req *r, int status, int64_t id, const char *slug,
    const char *lang, const char *title, const char *summary,
    const char *body, const char *when, int unpublished, const char *error)
{
	json_t *ctx = page_ctx(r, id ? _("Edycja aktualności") :
	    _("Nowa aktualność"), AREA_CMS);
	json_t *ls = json_array();

	for (const char *const *l = news_langs; *l; l++)
		json_array_append_new(ls, json_pack("{s:s, s:b}", "v", *l,
		    "sel", strcmp(*l, lang) == 0));
	json_object_set_new(ctx, "item", json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)id,
	    "slug", slug, "title", title, "summary", summary, "body", body,
	    "when", when, "unpublished", unpublished));
	json_object_set_new(ctx, "langs", ls);
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	page_render(r, status, "cms/news_form.html", ctx);
}

/* GET /cms/news[?before=ID] */
void
cms_news_list(struct req *r)
{
	static const char q[] =
	    "SELECT id, slug, lang, title, published_at FROM news "
	    "WHERE id < ? ORDER BY id DESC LIMIT ?";
	static const char q_set[] =
	    "SELECT value FROM meta WHERE key = 'catalog_public'";
	const char *before = req_query(r, "before");
	int64_t from = INT64_MAX, last = 0, now = auth_now(r->cfg), t;
	json_t *ctx, *rows = json_array();
	sqlite3_stmt *st;
	char *end;
	int n = 0, pub = 0;

	if (before != NULL) {
		from = strtoll(before, &end, 10);
		if (*before < '0' || *before > '9' || *end != '\0' ||
		    from <= 0) {
			page_error(r, 400, _("Nieprawidłowy numer strony."));
			return;
		}
	}
	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, from);
	db_bind_int(st, 2, NEWS_CMS_PAGE + 1);
	while (db_step(r->db, st) == SQLITE_ROW) {
		if (++n > NEWS_CMS_PAGE)
			break;
		last = db_col_int(st, 0);
		t = db_col_int(st, 4);
		json_array_append_new(rows, json_pack(
		    "{s:I, s:s, s:s, s:s, s:I, s:b, s:b}",
		    "id", (json_int_t)last, "slug", db_col_text(st, 1),
		    "lang", db_col_text(st, 2), "title", db_col_text(st, 3),
		    "published_at", (json_int_t)t,
		    "unpublished", t >= NEWS_NEVER,
		    "scheduled", t > now && t < NEWS_NEVER));
	}
	db_done(r->db, st);
	if ((st = db_prepare(r->db, q_set)) != NULL) {
		if (db_step(r->db, st) == SQLITE_ROW)
			pub = strcmp(db_col_text(st, 0), "1") == 0;
		db_done(r->db, st);
	}
	ctx = page_ctx(r, _("Aktualności"), AREA_CMS);
	json_object_set_new(ctx, "rows", rows);
	json_object_set_new(ctx, "catalog_public", json_boolean(pub));
	json_object_set_new(ctx, "pager", json_pack("{s:s?, s:s?}",
	    "first", before ? "/cms/news" : NULL,
	    "next", n > NEWS_CMS_PAGE ? arena_printf(r->arena,
	    "/cms/news?before=%" PRId64, last) : NULL));
	page_render(r, 200, "cms/news.html", ctx);
}

/* GET /cms/news/new */
void
cms_news_new(struct req *r)
{
	render_form(r, 200, 0, "", r->lang, "", "", "", "", 0, NULL);
}

/* GET /cms/news/{id} */
void
cms_news_edit(struct req *r)
{
	static const char q[] = "SELECT slug, lang, title, summary, body, "
	    "published_at FROM news WHERE id = ?";
	sqlite3_stmt *st;

	if ((st = db_prepare(r->db, q)) == NULL) {
		page_error(r, 500, NULL);
		return;
	}
	db_bind_int(st, 1, r->iparam[0]);
	if ((st = page_row(r, st)) == NULL)
		return;
	{
		const char *slug = arena_strdup(r->arena, db_col_text(st, 0));
		const char *lang = arena_strdup(r->arena, db_col_text(st, 1));
		const char *title = arena_strdup(r->arena, db_col_text(st, 2));
		const char *sum = arena_strdup(r->arena, db_col_text(st, 3));
		const char *body = arena_strdup(r->arena, db_col_text(st, 4));
		int64_t t = db_col_int(st, 5);

		db_done(r->db, st);
		render_form(r, 200, r->iparam[0], slug, lang, title, sum, body,
		    fmt_time(r, t), t >= NEWS_NEVER, NULL);
	}
}

/* Create (id 0) or update an entry from the form. */
static void
news_save(struct req *r, int64_t id)
{
	static const char q_ins[] =
	    "INSERT INTO news (slug, lang, title, summary, body, "
	    "published_at, created_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char q_upd[] =
	    "UPDATE news SET slug = ?2, lang = ?3, title = ?4, summary = ?5, "
	    "body = ?6, published_at = ?7 WHERE id = ?1";
	static const char q_slug[] =
	    "SELECT 1 FROM news WHERE slug = ? AND id <> ?";
	const char *slug = req_form(r, "slug"), *lang = req_form(r, "lang");
	const char *title = req_form(r, "title");
	const char *sum = req_form(r, "summary"), *body = req_form(r, "body");
	const char *when = req_form(r, "published_at");
	const char *err = NULL;
	int64_t now = auth_now(r->cfg), t = now;
	sqlite3_stmt *st;
	int rc, lang_ok = 0, creating = id == 0;

	if (slug == NULL) slug = "";
	if (lang == NULL) lang = "";
	if (title == NULL) title = "";
	if (sum == NULL) sum = "";
	if (body == NULL) body = "";
	if (when == NULL) when = "";
	for (const char *const *l = news_langs; *l; l++)
		lang_ok |= strcmp(*l, lang) == 0;
	if (!slug_ok(slug))
		err = _("Adres (slug): od 1 do 64 znaków: małe litery, cyfry "
		    "i myślniki.");
	else if (!lang_ok)
		err = _("Wybierz język.");
	else if (*title == '\0' || strlen(title) > 200)
		err = _("Podaj tytuł (do 200 znaków).");
	else if (strlen(sum) > 1000 || strlen(body) > 50000)
		err = _("Treść jest za długa.");
	else if (*when != '\0' && parse_time(when, &t) != 0)
		err = _("Nieprawidłowa data publikacji.");
	if (err == NULL && (st = db_prepare(r->db, q_slug)) != NULL) {
		db_bind_text(st, 1, slug);
		db_bind_int(st, 2, id);
		if (db_step(r->db, st) == SQLITE_ROW)
			err = _("Ten adres (slug) jest już zajęty.");
		db_done(r->db, st);
	}
	if (err != NULL) {
		render_form(r, 400, id, slug, lang, title, sum, body, when, 0,
		    err);
		return;
	}
	if ((rc = db_begin_write(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return;
	}
	if (id)
		st = db_prepare(r->db, q_upd);
	else
		st = db_prepare(r->db, q_ins);
	if (st == NULL)
		goto fail;
	if (id)
		db_bind_int(st, 1, id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, lang);
	db_bind_text(st, 4, title);
	db_bind_text(st, 5, sum);
	db_bind_text(st, 6, body);
	db_bind_int(st, 7, t);
	if (!id)
		db_bind_int(st, 8, now);
	if (db_step_done(r->db, st) != SQLITE_DONE)
		goto fail;
	if (id && db_changes(r->db) == 0) {
		db_rollback(r->db);
		page_error(r, 404, NULL);
		return;
	}
	if (!id)
		id = db_last_rowid(r->db);
	if (auth_audit(r->db, r, 0, creating ? "news.create" :
	    "news.update", "news", id, 0, title) != 0 || db_commit(r->db) != SQLITE_OK)
		goto fail;
	resp_redirect(r, 303, "/cms/news");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* POST /cms/news */
void
cms_news_create(struct req *r)
{
	news_save(r, 0);
}

/* POST /cms/news/{id} */
void
cms_news_update(struct req *r)
{
	news_save(r, r->iparam[0]);
}

/* POST /cms/news/{id}/unpublish */
void
cms_news_unpublish(struct req *r)
{
	static const char q[] =
	    "UPDATE news SET published_at = ?2 WHERE id = ?1";
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin_write(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL)
		goto fail;
	db_bind_int(st, 1, r->iparam[0]);
	db_bind_int(st, 2, NEWS_NEVER);
	if (db_step_done(r->db, st) != SQLITE_DONE)
		goto fail;
	if (db_changes(r->db) == 0) {
		db_rollback(r->db);
		page_error(r, 404, NULL);
		return;
	}
	if (auth_audit(r->db, r, 0, "news.unpublish", "news", r->iparam[0], 0,
	    NULL) != 0 || db_commit(r->db) != SQLITE_OK)
		goto fail;
	resp_redirect(r, 303, "/cms/news");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}

/* POST /cms/news/settings: catalog_public = 1 (public without prices) or
 * 0 (closed). */
void
cms_news_settings(struct req *r)
{
	static const char q[] =
	    "INSERT INTO meta (key, value) VALUES ('catalog_public', ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	const char *v = req_form(r, "catalog_public");
	sqlite3_stmt *st;
	int rc;

	if (v == NULL || (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)) {
		page_error(r, 400, NULL);
		return;
	}
	if ((rc = db_begin_write(r->db)) != SQLITE_OK) {
		page_error(r, rc == SQLITE_BUSY ? 503 : 500, NULL);
		return;
	}
	if ((st = db_prepare(r->db, q)) == NULL)
		goto fail;
	db_bind_text(st, 1, v);
	if (db_step_done(r->db, st) != SQLITE_DONE ||
	    auth_audit(r->db, r, 0, "setting.catalog_public", "setting", 0, 0,
	    v) != 0 || db_commit(r->db) != SQLITE_OK)
		goto fail;
	resp_redirect(r, 303, "/cms/news");
	return;
fail:
	db_rollback(r->db);
	page_error(r, 500, NULL);
}
