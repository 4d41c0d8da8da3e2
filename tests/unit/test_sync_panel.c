/*
 * test_sync_panel.c: the handlers of framuga-sync's control panel (J5,
 * cgi-src/cms/sync_panel.c), called directly: the real templates, a real
 * migrated database, the schedule read back with SQL after each request.
 *
 * The router and the permission and CSRF checks in front of the handlers
 * are not in play here (tests/e2e/t_sync_panel.sh drives those through
 * nginx): this proves what each handler does with its input: the list and
 * the operation's page, 303 after a good action, 422 with the typed value
 * re-shown and nothing written after a bad one, 404 for an unknown
 * operation or failure, keyset paging of the history, the retry contract.
 *
 * With SYNC_PANEL_DUMP=DIR set, the rendered pages are written there
 * (tests/browser/t_sync_panel.sh validates their HTML).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "i18n.h"
#include "page.h"
#include "req.h"
#include "../sync/schedule.h"

#define T0	INT64_C(1900000000)

static struct arena *arena;
static struct db *db;
static sqlite3 *raw;		/* the same file, for checks and fixtures */
static struct config cfg;
static char dbpath[512], tmpdir[256];
static struct req rq;
static int64_t now_value = T0;
static const char *call_lang = "pl";

static int64_t fixed_clock(void) { return now_value; }

static void *
json_arena_malloc(size_t n)
{
	return arena_alloc(arena_current, n);
}

static void
json_arena_free(void *p)
{
	(void)p;
}

static int
setup(void **state)
{
	const char *src = getenv("top_srcdir"), *bld = getenv("top_builddir");
	char err[256], path[512];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_sync_panel.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/framuga.db", tmpdir);
	db = db_open(dbpath, DB_CREATE | DB_NOCHECK, 2000, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_migrate(db, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_open(dbpath, &raw), SQLITE_OK);
	sqlite3_busy_timeout(raw, 2000);

	cfg_defaults(&cfg);
	snprintf(path, sizeof(path), "%s/www/templates", src ? src : "..");
	assert_int_equal(cfg_set(&cfg, "template_dir", path, err,
	    sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/locale", bld ? bld : ".");
	assert_int_equal(cfg_set(&cfg, "locale_dir", path, err,
	    sizeof(err)), 0);
	i18n_init(cfg.locale_dir);
	arena = arena_new(64 * 1024);
	arena_current = arena;
	json_set_alloc_funcs(json_arena_malloc, json_arena_free);
	page_init(&cfg);
	sched_clock = fixed_clock;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	page_fini();
	buf_free(&rq.resp.head);
	buf_free(&rq.resp.body);
	sqlite3_close(raw);
	db_close(db);
	arena_free(arena);
	cfg_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", tmpdir);
	return 0;
}

/* ---- fixtures and checks through the raw handle ---- */

static void
sql(const char *s)
{
	char *e = NULL;

	if (sqlite3_exec(raw, s, NULL, NULL, &e) != SQLITE_OK) {
		print_error("%s: %s\n", s, e ? e : "?");
		sqlite3_free(e);
		fail();
	}
}

/* The first column of the first row as text ("" for none or NULL). */
static const char *
q(const char *s)
{
	static char out[4096];
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(raw, s, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static char *
snapshot(void)
{
	return strdup(q("SELECT group_concat(name || ',' || enabled || ',' ||"
	    " interval_s || ',' || next_run_at || ',' ||"
	    " ifnull(run_once_at, '-'), ';') FROM (SELECT * FROM sync_operation"
	    " ORDER BY name)"));
}

static const char *
failures_snapshot(void)
{
	return (q("SELECT ifnull(group_concat(id || ',' ||"
	    " next_retry_at || ',' || resolved, ';'), '') FROM (SELECT * FROM"
	    " sync_failure ORDER BY id)"));
}

/* ---- one request ---- */

struct kvin {
	const char	*key;
	const char	*val;
};

static struct kv *
kvs(const struct kvin *in, size_t *n)
{
	struct kv *v;

	*n = 0;
	if (in == NULL)
		return NULL;
	while (in[*n].key != NULL)
		(*n)++;
	v = arena_calloc(arena, *n + 1, sizeof(*v));
	for (size_t i = 0; i < *n; i++) {
		v[i].key = in[i].key;
		v[i].val = in[i].val;
		v[i].len = strlen(in[i].val);
	}
	return v;
}

/* Call handler as method path with the route's op (and id), the query and
 * the form; the response is in rq.resp afterwards. */
static void
call(route_handler handler, enum http_method method, const char *path,
    const char *op, int64_t id, const struct kvin *query,
    const struct kvin *form)
{
	struct buf head = rq.resp.head, body = rq.resp.body;

	arena_reset(arena);
	memset(&rq, 0, sizeof(rq));
	rq.resp.head = head;
	rq.resp.body = body;
	buf_reset(&rq.resp.head);
	buf_reset(&rq.resp.body);
	rq.arena = arena;
	rq.db = db;
	rq.cfg = &cfg;
	rq.method = method;
	rq.method_name = method == M_POST ? "POST" : "GET";
	rq.path = path;
	rq.lang = call_lang;
	i18n_use(call_lang);
	rq.csrf = "0123456789abcdef0123456789abcdef";
	if (op != NULL) {
		rq.param[0] = op;
		rq.paramn = 1;
		if (id > 0) {
			rq.param[1] = arena_printf(arena, "%lld", (long long)id);
			rq.iparam[1] = id;
			rq.paramn = 2;
		}
	}
	rq.query = kvs(query, &rq.queryn);
	rq.form = kvs(form, &rq.formn);
	handler(&rq);
	assert_int_equal(db_end_request(db), 0);
}

static const char *
body(void)
{
	return buf_cstr(&rq.resp.body);
}

static const char *
location(void)
{
	static char out[512];
	const char *h = buf_cstr(&rq.resp.head), *p, *e;

	out[0] = '\0';
	if ((p = strstr(h, "Location: ")) == NULL)
		return out;
	p += 10;
	e = strstr(p, "\r\n");
	snprintf(out, sizeof(out), "%.*s", (int)(e ? e - p : (long)strlen(p)),
	    p);
	return out;
}

#define assert_has(hay, needle) do {					\
	if (strstr((hay), (needle)) == NULL) {				\
		print_error("missing: %s\n", (needle));			\
		fail();							\
	}								\
} while (0)
#define assert_hasnt(hay, needle) do {					\
	if (strstr((hay), (needle)) != NULL) {				\
		print_error("unexpected: %s\n", (needle));		\
		fail();							\
	}								\
} while (0)

static void
dump(const char *name)
{
	const char *dir = getenv("SYNC_PANEL_DUMP");
	char path[512];
	FILE *f;

	if (dir == NULL || *dir == '\0')
		return;
	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(body(), f);
	fclose(f);
}

/* ---- the helpers ---- */

static void
test_parse_delay(void **state)
{
	static const struct { const char *in; int64_t want; } good[] = {
		{ "0", 0 }, { "1", 60 }, { "30", 1800 }, { "59999", 3599940 },
		{ "00:00:01", 1 }, { "01:30:00", 5400 }, { "999:59:59", 3599999 },
	};
	static const char *const bad[] = {
		"", "-5", "+5", "60000", "123456", "1.5", "abc", "30m", " 30",
		"1:2:3", "00:00:00", "00:60:00", "1000:00:00", "01:30",
	};
	int64_t got;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(sync_panel_parse_delay(good[i].in, &got), 0);
		assert_int_equal(got, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sync_panel_parse_delay(bad[i], &got) == 0) {
			print_error("accepted \"%s\"\n", bad[i]);
			fail();
		}
	}
	assert_int_equal(sync_panel_parse_delay(NULL, &got), -1);
}

static void
test_duration_and_label(void **state)
{
	(void)state;
	arena_reset(arena);
	i18n_use("pl");
	assert_string_equal(sync_panel_duration(arena, 0), "0 ms");
	assert_string_equal(sync_panel_duration(arena, 850), "850 ms");
	assert_string_equal(sync_panel_duration(arena, 12345), "12,3 s");
	assert_string_equal(sync_panel_duration(arena, 125000), "00:02:05");
	assert_string_equal(sync_panel_duration(arena, 3600000 * 26LL),
	    "26:00:00");
	i18n_use("en");
	assert_string_equal(sync_panel_duration(arena, 12345), "12.3 s");
	i18n_use("pl");
	assert_string_equal(sync_panel_label("products"), "Produkty");
	assert_string_equal(sync_panel_label("order_push"),
	    "Wysyłanie zamówień");
	assert_string_equal(sync_panel_label("unheard_of"), "unheard_of");
}

/* ---- the list ---- */

static void
test_list(void **state)
{
	const char *b;

	(void)state;
	call(sync_panel_list, M_GET, "/cms/sync", NULL, 0, NULL, NULL);
	assert_int_equal(rq.resp.status, 200);
	b = body();
	dump("list");
	/* every operation of the schedule, with its label and interval */
	assert_string_equal(q("SELECT count(*) FROM sync_operation"), "13");
	assert_has(b, "Kursy walut");
	assert_has(b, "Produkty");
	assert_has(b, "Pełne uzgodnienie");
	assert_has(b, "<code>order_push</code>");
	assert_has(b, "<span class=\"interval\">00:15:00</span>");
	assert_has(b, "<span class=\"interval\">24:00:00</span>");
	assert_has(b, "jeszcze nie uruchomiona");
	/* every row's actions, each form with the CSRF token */
	assert_has(b, "action=\"/cms/sync/products/run\"");
	assert_has(b, "action=\"/cms/sync/products/once\"");
	assert_has(b, "formaction=\"/cms/sync/products/disable\"");
	assert_has(b, "action=\"/cms/sync/products/interval\"");
	assert_has(b, "action=\"/cms/sync/reconcile/interval\"");
	assert_has(b, "name=\"csrf\" value=\"0123456789abcdef0123456789abcdef\"");
	assert_has(b, "id=\"interval-products\" name=\"interval\" "
	    "value=\"00:15:00\"");
	/* the page says a request never talks to the ERP */
	assert_has(b, "framuga-sync");
	assert_has(b, "cron");
	assert_hasnt(b, "role=\"alert\"");
	assert_hasnt(b, "aria-invalid");
}

static void
test_list_last_run(void **state)
{
	const char *b;

	(void)state;
	sql("INSERT INTO sync_run (id, operation, started_at, finished_at,"
	    " duration_ms, status, mode, fetched, upserted, deleted, failed,"
	    " acked, error) VALUES (9001, 'prices', 1899990000, 1899990012,"
	    " 12345, 'partial', 'changes', 1234567, 4321, 7, 3, 1234567,"
	    " '<b>3 records</b> kept for a retry');"
	    "UPDATE sync_operation SET last_run_id = 9001, backlog = 250,"
	    " next_run_at = 1900000900, run_once_at = 1900000600"
	    " WHERE name = 'prices';"
	    "UPDATE sync_operation SET enabled = 0 WHERE name = 'files';"
	    "UPDATE sync_operation SET lock_owner = '1@h#00',"
	    " lock_until = 1900000300 WHERE name = 'stock'");
	call(sync_panel_list, M_GET, "/cms/sync", NULL, 0, NULL, NULL);
	assert_int_equal(rq.resp.status, 200);
	b = body();
	dump("list-runs");
	assert_has(b, "12,3 s");
	assert_has(b, "częściowo");
	assert_has(b, "1\xc2\xa0" "234\xc2\xa0" "567");	/* pl grouping */
	assert_has(b, "4\xc2\xa0" "321");
	/* the run's error is text, never markup */
	assert_has(b, "&lt;b&gt;3 records&lt;/b&gt; kept");
	assert_hasnt(b, "<b>3 records");
	assert_has(b, "datetime=\"2030-03-17T18:01:40Z\"");	/* next */
	assert_has(b, "datetime=\"2030-03-17T17:56:40Z\"");	/* once */
	assert_has(b, "formaction=\"/cms/sync/prices/cancel\"");
	assert_has(b, "formaction=\"/cms/sync/files/enable\"");
	assert_has(b, "w toku");
	sql("UPDATE sync_operation SET last_run_id = NULL, backlog = 0,"
	    " next_run_at = 0, run_once_at = NULL WHERE name = 'prices';"
	    "UPDATE sync_operation SET enabled = 1 WHERE name = 'files';"
	    "UPDATE sync_operation SET lock_owner = NULL, lock_until = NULL;"
	    "DELETE FROM sync_run");
}

static void
test_notice(void **state)
{
	const struct kvin good[] = { { "done", "interval" },
	    { "op", "products" }, { NULL, NULL } };
	const struct kvin bad_done[] = { { "done", "<script>" },
	    { "op", "products" }, { NULL, NULL } };
	const struct kvin bad_op[] = { { "done", "run" },
	    { "op", "<script>x" }, { NULL, NULL } };

	(void)state;
	call(sync_panel_list, M_GET, "/cms/sync", NULL, 0, good, NULL);
	assert_int_equal(rq.resp.status, 200);
	assert_has(body(), "role=\"status\">Produkty: zmieniono interwał.");
	call(sync_panel_list, M_GET, "/cms/sync", NULL, 0, bad_done, NULL);
	assert_int_equal(rq.resp.status, 200);
	assert_hasnt(body(), "role=\"status\"");
	assert_hasnt(body(), "<script>");
	call(sync_panel_list, M_GET, "/cms/sync", NULL, 0, bad_op, NULL);
	assert_hasnt(body(), "role=\"status\"");
	assert_hasnt(body(), "<script>");
}

/* ---- actions ---- */

static void
test_interval(void **state)
{
	const struct kvin ok[] = { { "interval", "00:10:00" },
	    { NULL, NULL } };
	const struct kvin blanks[] = { { "interval", " 02:00:00 " },
	    { NULL, NULL } };
	static const char *const bad[] = {
		"25:61:00", "00:00:00", "1000:00:00", "abc", "", "10",
		"00:10", "-00:10:00", "<b>1</b>", "00:10:00x",
	};
	struct kvin form[2] = { { "interval", NULL }, { NULL, NULL } };
	char *before, *after;

	(void)state;
	sql("UPDATE sync_operation SET next_run_at = 1900000000");
	call(sync_panel_interval, M_POST, "/cms/sync/products/interval",
	    "products", 0, NULL, ok);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(location(),
	    "/cms/sync?done=interval&op=products#op-products");
	assert_string_equal(q("SELECT interval_s FROM sync_operation"
	    " WHERE name = 'products'"), "600");
	call(sync_panel_interval, M_POST, "/cms/sync/products/interval",
	    "products", 0, NULL, blanks);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(q("SELECT interval_s FROM sync_operation"
	    " WHERE name = 'products'"), "7200");

	before = snapshot();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		form[0].val = bad[i];
		call(sync_panel_interval, M_POST,
		    "/cms/sync/products/interval", "products", 0, NULL, form);
		assert_int_equal(rq.resp.status, 422);
		assert_has(body(), "aria-invalid=\"true\" "
		    "aria-describedby=\"interval-products-err\"");
		assert_has(body(), "id=\"interval-products-err\">Podaj "
		    "interwał jako gg:mm:ss");
		assert_has(body(), "role=\"alert\"");
		assert_has(body(), "href=\"#interval-products\"");
		/* only the row that was sent is marked */
		assert_hasnt(body(), "interval-prices-err");
		after = snapshot();
		assert_string_equal(before, after);
		free(after);
	}
	free(before);
	form[0].val = "<b>1</b>";
	call(sync_panel_interval, M_POST, "/cms/sync/products/interval",
	    "products", 0, NULL, form);
	assert_has(body(), "name=\"interval\" value=\"&lt;b&gt;1&lt;/b&gt;\"");
	dump("list-422");
	form[0].val = "25:61:00";
	call(sync_panel_interval, M_POST, "/cms/sync/products/interval",
	    "products", 0, NULL, form);
	assert_has(body(), "name=\"interval\" value=\"25:61:00\"");
	/* the other rows still show their own interval */
	assert_has(body(), "id=\"interval-prices\" name=\"interval\" "
	    "value=\"00:15:00\"");
	sql("UPDATE sync_operation SET interval_s = 900"
	    " WHERE name = 'products'");
}

static void
test_run_now_and_once(void **state)
{
	struct kvin form[2] = { { "delay", NULL }, { NULL, NULL } };
	static const struct { const char *in; int64_t secs; } good[] = {
		{ "30", 1800 }, { "0", 0 }, { "01:30:00", 5400 },
		{ " 5 ", 300 },
	};
	static const char *const bad[] = { "abc", "-5", "60000", "1:2:3",
	    "", "00:00:00" };
	char want[64], *before, *after;

	(void)state;
	now_value = T0 + 77;
	call(sync_panel_run, M_POST, "/cms/sync/customers/run", "customers",
	    0, NULL, NULL);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(location(),
	    "/cms/sync?done=run&op=customers#op-customers");
	assert_string_equal(q("SELECT run_once_at FROM sync_operation"
	    " WHERE name = 'customers'"), "1900000077");

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		form[0].val = good[i].in;
		call(sync_panel_once, M_POST, "/cms/sync/stock/once", "stock",
		    0, NULL, form);
		assert_int_equal(rq.resp.status, 303);
		assert_string_equal(location(),
		    "/cms/sync?done=once&op=stock#op-stock");
		snprintf(want, sizeof(want), "%lld",
		    (long long)(T0 + 77 + good[i].secs));
		assert_string_equal(q("SELECT run_once_at FROM sync_operation"
		    " WHERE name = 'stock'"), want);
	}
	before = snapshot();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		form[0].val = bad[i];
		call(sync_panel_once, M_POST, "/cms/sync/stock/once", "stock",
		    0, NULL, form);
		assert_int_equal(rq.resp.status, 422);
		assert_has(body(), "aria-describedby=\"delay-stock-err\"");
		assert_has(body(), "id=\"delay-stock-err\">Podaj opóźnienie");
		after = snapshot();
		assert_string_equal(before, after);
		free(after);
	}
	free(before);
	form[0].val = "abc";
	call(sync_panel_once, M_POST, "/cms/sync/stock/once", "stock", 0,
	    NULL, form);
	assert_has(body(), "name=\"delay\" value=\"abc\"");

	call(sync_panel_cancel, M_POST, "/cms/sync/stock/cancel", "stock", 0,
	    NULL, NULL);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(q("SELECT ifnull(run_once_at, 'none') FROM"
	    " sync_operation WHERE name = 'stock'"), "none");
	sql("UPDATE sync_operation SET run_once_at = NULL");
	now_value = T0;
}

static void
test_enable_disable(void **state)
{
	(void)state;
	call(sync_panel_disable, M_POST, "/cms/sync/invoices/disable",
	    "invoices", 0, NULL, NULL);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(location(),
	    "/cms/sync?done=disable&op=invoices#op-invoices");
	assert_string_equal(q("SELECT enabled FROM sync_operation"
	    " WHERE name = 'invoices'"), "0");
	assert_string_equal(q("SELECT sum(enabled) FROM sync_operation"), "12");
	call(sync_panel_list, M_GET, "/cms/sync", NULL, 0, NULL, NULL);
	assert_has(body(), "formaction=\"/cms/sync/invoices/enable\"");
	assert_hasnt(body(), "formaction=\"/cms/sync/invoices/disable\"");
	call(sync_panel_enable, M_POST, "/cms/sync/invoices/enable",
	    "invoices", 0, NULL, NULL);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(q("SELECT sum(enabled) FROM sync_operation"), "13");
}

static void
test_unknown_operation(void **state)
{
	const struct kvin iv[] = { { "interval", "00:10:00" },
	    { "delay", "5" }, { NULL, NULL } };
	const struct kvin bad_iv[] = { { "interval", "xx" }, { NULL, NULL } };
	route_handler posts[] = { sync_panel_run, sync_panel_once,
	    sync_panel_cancel, sync_panel_enable, sync_panel_disable,
	    sync_panel_interval, sync_panel_retry_all };
	char *before = snapshot(), *after;

	(void)state;
	for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		call(posts[i], M_POST, "/cms/sync/nosuch/x", "nosuch", 0,
		    NULL, iv);
		assert_int_equal(rq.resp.status, 404);
	}
	/* 404 before the value is looked at */
	call(sync_panel_interval, M_POST, "/cms/sync/nosuch/interval",
	    "nosuch", 0, NULL, bad_iv);
	assert_int_equal(rq.resp.status, 404);
	call(sync_panel_retry, M_POST, "/cms/sync/nosuch/failures/1/retry",
	    "nosuch", 1, NULL, NULL);
	assert_int_equal(rq.resp.status, 404);
	call(sync_panel_show, M_GET, "/cms/sync/nosuch", "nosuch", 0, NULL,
	    NULL);
	assert_int_equal(rq.resp.status, 404);
	after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* ---- the operation's page ---- */

static void
test_history_paging(void **state)
{
	const struct kvin p2[] = { { "before", "171" }, { NULL, NULL } };
	struct kvin pq[2] = { { "before", NULL }, { NULL, NULL } };
	static const char *const bad[] = { "abc", "0", "-1", "1.5", "01",
	    "99999999999999999999" };
	const char *b;
	char id[32];

	(void)state;
	/* 120 runs of products (ids 101, 103, ... 339) between 120 of
	 * others: the page is per operation, newest first */
	sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 240) INSERT INTO sync_run (id, operation, started_at,"
	    " finished_at, duration_ms, status, mode, fetched)"
	    " SELECT 100 + i, CASE WHEN i % 2 THEN 'products' ELSE 'prices'"
	    " END, 1800000000 + i * 60, 1800000000 + i * 60 + 2, 2000,"
	    " 'ok', 'changes', i FROM n");
	call(sync_panel_show, M_GET, "/cms/sync/products", "products", 0,
	    NULL, NULL);
	assert_int_equal(rq.resp.status, 200);
	b = body();
	dump("op");
	assert_has(b, "<h1>Produkty <code>products</code></h1>");
	assert_has(b, "id=\"run-339\"");	/* newest */
	assert_has(b, "id=\"run-241\"");	/* the 50th */
	assert_hasnt(b, "id=\"run-239\"");
	assert_hasnt(b, "id=\"run-340\"");	/* prices */
	assert_hasnt(b, "Najnowsze");
	assert_has(b, "rel=\"next\" href=\"/cms/sync/products?before=241#runs\"");
	assert_has(b, "2,0 s");
	/* page 2 from the cursor, page 3 the last 20 and no next */
	pq[0].val = "241";
	call(sync_panel_show, M_GET, "/cms/sync/products", "products", 0, pq,
	    NULL);
	b = body();
	assert_has(b, "id=\"run-239\"");
	assert_has(b, "id=\"run-141\"");
	assert_hasnt(b, "id=\"run-241\"");
	assert_hasnt(b, "id=\"run-139\"");
	assert_has(b, "Najnowsze");
	assert_has(b, "before=141#runs");
	pq[0].val = "141";
	call(sync_panel_show, M_GET, "/cms/sync/products", "products", 0, pq,
	    NULL);
	b = body();
	assert_has(b, "id=\"run-139\"");
	assert_has(b, "id=\"run-101\"");
	assert_hasnt(b, "rel=\"next\"");
	/* a cursor in the middle of nowhere still pages by id */
	call(sync_panel_show, M_GET, "/cms/sync/products", "products", 0, p2,
	    NULL);
	assert_has(body(), "id=\"run-169\"");
	assert_hasnt(body(), "id=\"run-171\"");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pq[0].val = bad[i];
		call(sync_panel_show, M_GET, "/cms/sync/products", "products",
		    0, pq, NULL);
		assert_int_equal(rq.resp.status, 400);
	}
	snprintf(id, sizeof(id), "%s", q("SELECT count(*) FROM sync_run"));
	assert_string_equal(id, "240");
	sql("DELETE FROM sync_run");
}

static void
test_failures_and_retry(void **state)
{
	char *before, *after;
	const char *b;

	(void)state;
	sql("INSERT INTO sync_failure (id, operation, entity, uuid, reason,"
	    " attempts, first_at, last_at, next_retry_at, resolved) VALUES"
	    " (1, 'prices', 'price', 'aaaaaaaa-0000-0000-0000-000000000001',"
	    "  'unknown product <x>', 3, 1899990000, 1899999000, 1900003600, 0),"
	    " (2, 'prices', 'price', 'aaaaaaaa-0000-0000-0000-000000000002',"
	    "  'bad currency', 1, 1899990000, 1899990000, 1900000060, 0),"
	    " (3, 'prices', 'price', 'aaaaaaaa-0000-0000-0000-000000000003',"
	    "  'resolved one', 2, 1899990000, 1899990000, 0, 1),"
	    " (4, 'stock', 'stock', 'bbbbbbbb-0000-0000-0000-000000000004',"
	    "  'other operation', 1, 1899990000, 1899990000, 1900000060, 0)");
	call(sync_panel_show, M_GET, "/cms/sync/prices", "prices", 0, NULL,
	    NULL);
	assert_int_equal(rq.resp.status, 200);
	b = body();
	dump("op-failures");
	assert_has(b, "aaaaaaaa-0000-0000-0000-000000000001");
	assert_has(b, "unknown product &lt;x&gt;");
	assert_has(b, "aaaaaaaa-0000-0000-0000-000000000002");
	assert_hasnt(b, "resolved one");
	assert_hasnt(b, "other operation");
	assert_has(b, "action=\"/cms/sync/prices/failures/1/retry\"");
	assert_has(b, "action=\"/cms/sync/prices/failures/retry\"");
	assert_has(b, "Ta operacja jeszcze się nie uruchomiła.");

	/* a resolved failure, another operation's, one that does not exist:
	 * 404 and nothing moves (no run is asked for either) */
	before = snapshot();
	call(sync_panel_retry, M_POST, "/cms/sync/prices/failures/3/retry",
	    "prices", 3, NULL, NULL);
	assert_int_equal(rq.resp.status, 404);
	call(sync_panel_retry, M_POST, "/cms/sync/prices/failures/4/retry",
	    "prices", 4, NULL, NULL);
	assert_int_equal(rq.resp.status, 404);
	call(sync_panel_retry, M_POST, "/cms/sync/prices/failures/99/retry",
	    "prices", 99, NULL, NULL);
	assert_int_equal(rq.resp.status, 404);
	after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_string_equal(failures_snapshot(),
	    "1,1900003600,0;2,1900000060,0;3,0,1;4,1900000060,0");

	now_value = T0 + 5;
	call(sync_panel_retry, M_POST, "/cms/sync/prices/failures/1/retry",
	    "prices", 1, NULL, NULL);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(location(),
	    "/cms/sync/prices?done=retry&op=prices");
	assert_string_equal(failures_snapshot(),
	    "1,0,0;2,1900000060,0;3,0,1;4,1900000060,0");
	assert_string_equal(q("SELECT run_once_at FROM sync_operation"
	    " WHERE name = 'prices'"), "1900000005");
	call(sync_panel_show, M_GET, "/cms/sync/prices", "prices", 0,
	    (const struct kvin[]){ { "done", "retry" }, { "op", "prices" },
	    { NULL, NULL } }, NULL);
	assert_has(body(), "role=\"status\">Ceny: rekord zostanie ponowiony");

	call(sync_panel_retry_all, M_POST, "/cms/sync/prices/failures/retry",
	    "prices", 0, NULL, NULL);
	assert_int_equal(rq.resp.status, 303);
	assert_string_equal(location(),
	    "/cms/sync/prices?done=retry_all&op=prices");
	assert_string_equal(failures_snapshot(),
	    "1,0,0;2,0,0;3,0,1;4,1900000060,0");
	sql("DELETE FROM sync_failure; UPDATE sync_operation SET"
	    " run_once_at = NULL");
	now_value = T0;
}

static void
test_english(void **state)
{
	(void)state;
	call_lang = "en";
	call(sync_panel_list, M_GET, "/cms/sync", NULL, 0, NULL, NULL);
	call_lang = "pl";
	assert_int_equal(rq.resp.status, 200);
	assert_has(body(), "<html lang=\"en\">");
	dump("list-en");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_delay),
		cmocka_unit_test(test_duration_and_label),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_last_run),
		cmocka_unit_test(test_notice),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_run_now_and_once),
		cmocka_unit_test(test_enable_disable),
		cmocka_unit_test(test_unknown_operation),
		cmocka_unit_test(test_history_paging),
		cmocka_unit_test(test_failures_and_retry),
		cmocka_unit_test(test_english),
	};

	return cmocka_run_group_tests_name("sync_panel", tests, setup,
	    teardown);
}
