/*
 * home.c: the public landing page (B3: the maker's shop window) and the
 * health check that load balancers and the benchmarks call.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "handlers.h"
#include "i18n.h"
#include "page.h"
#include "req.h"

/* GET /: branding, the latest news in the visitor's language. */
void
home_show(struct req *r)
{
	static const char q_latest[] =
	    "SELECT slug, title, summary, published_at FROM news "
	    "WHERE lang = ? AND published_at <= strftime('%s','now') "
	    "ORDER BY published_at DESC, id DESC LIMIT 3";
	json_t *ctx = page_ctx(r, _("Strona główna"), AREA_PUBLIC);
	json_t *news = json_array();
	sqlite3_stmt *st;

	if ((st = db_prepare(r->db, q_latest)) != NULL) {
		db_bind_text(st, 1, r->lang);
		while (db_step(r->db, st) == SQLITE_ROW)
			json_array_append_new(news, json_pack(
			    "{s:s, s:s, s:s, s:I}",
			    "slug", db_col_text(st, 0),
			    "title", db_col_text(st, 1),
			    "summary", db_col_text(st, 2),
			    "published_at", (json_int_t)db_col_int(st, 3)));
		db_done(r->db, st);
	}
	json_object_set_new(ctx, "news", news);
	page_render(r, 200, "home.html", ctx);
}

/* GET /healthz: the worker answers and its database is readable. */
void
home_healthz(struct req *r)
{
	static const char q_ping[] = "SELECT 1";
	sqlite3_stmt *st = db_prepare(r->db, q_ping);
	int ok = st != NULL && db_step(r->db, st) == SQLITE_ROW;

	if (st != NULL)
		db_done(r->db, st);
	resp_open(r, ok ? 200 : 503, "text/plain; charset=utf-8");
	resp_puts(r, ok ? "ok\n" : "database unavailable\n");
}
