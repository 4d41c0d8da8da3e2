/*
 * app.c: one request, from FastCGI parameters to the bytes of the answer.
 *
 * The flow (DESIGN.md section 2): parse method, path, query and cookies into
 * a struct req backed by the worker's arena -> pick the language -> the
 * session (cgi-src/auth: cookie -> r->session) -> route ->
 * permission check (deny by default) -> read and parse the body for routes
 * that take one (urlencoded or multipart, with limits) -> CSRF check for
 * state-changing routes -> handler -> serialize -> arena reset.  Nothing
 * survives a request but the worker's long-lived state, declared below.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "../auth/auth.h"
#include "app.h"
#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "perm.h"
#include "qcache.h"
#include "req.h"
#include "router.h"
#include "util.h"

/* Worker state: made by app_init(), lives until app_fini(). */
static struct arena		*req_arena;
static struct db		*app_db;
static const struct config	*app_cfg;
static struct http_limits	 limits;
static struct buf		 out_buf, head_buf, body_buf;

/* jansson allocates from the current request's arena; free is a no-op, the
 * arena is reset after the request. */
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

int
app_init(const struct config *cfg)
{
	char err[512];

	app_cfg = cfg;
	log_init("framuga-fcgi", cfg->log_level);
	if (router_check(routes, nroutes, err, sizeof(err)) != 0) {
		log_err("route table: %s", err);
		return -1;
	}
	if (i18n_init(cfg->locale_dir) != 0)
		log_warn("translations unavailable; serving Polish");
	if ((app_db = db_open(cfg->db_path, 0, cfg->busy_timeout_ms, err,
	    sizeof(err))) == NULL) {
		log_err("%s", err);
		return -1;
	}
	db_set_cache_kb(app_db, cfg->cache_kb);
	db_trace(app_db, log_enabled(LOG_DEBUG_));
	qcache_configure((size_t)cfg->result_cache_kb);
	if ((req_arena = arena_new(64 * 1024)) == NULL)
		return -1;
	arena_current = req_arena;
	json_set_alloc_funcs(json_arena_malloc, json_arena_free);
	page_init(cfg);

	http_limits_default(&limits);
	limits.max_fields = (size_t)cfg->max_fields;
	limits.max_files = (size_t)cfg->max_files;
	limits.max_body = (size_t)cfg->max_body_kb * 1024;
	limits.max_upload = (size_t)cfg->max_upload_kb * 1024;
	limits.mem_threshold = (size_t)cfg->upload_mem_kb * 1024;
	limits.tmpdir = cfg->tmp_dir;
	return 0;
}

void
app_fini(void)
{
	struct qcache_stats qs;

	/* what the result cache did for this worker, so that the operator
	 * can size result_cache_kb (emptied often because full: too small) */
	qcache_stats(&qs);
	if (qs.hits + qs.misses > 0)
		log_info("result cache: %llu hits, %llu misses; emptied %llu "
		    "times, %llu of them full; %zu entries, %zu KiB at exit",
		    (unsigned long long)qs.hits, (unsigned long long)qs.misses,
		    (unsigned long long)qs.drops, (unsigned long long)qs.full,
		    qs.entries, qs.bytes / 1024);
	qcache_drop();
	page_fini();
	db_close(app_db);
	app_db = NULL;
	arena_free(req_arena);
	req_arena = NULL;
	buf_free(&out_buf);
	buf_free(&head_buf);
	buf_free(&body_buf);
}

static const char *
param(FCGX_Request *f, const char *name)
{
	const char *v = FCGX_GetParam(name, f->envp);

	return v != NULL && *v != '\0' ? v : NULL;
}

static const char *
csrf_cookie_name(const struct req *r)
{
	/* __Host- demands Secure, which only holds behind TLS. */
	return r->https ? "__Host-csrf" : "framuga_csrf";
}

/*
 * The form token.  With a session it is the session's own (made at login,
 * stored with the session, so it changes with every login).  Anonymous
 * forms (login, password reset, registration) use a double-submit cookie
 * (signing is unnecessary: the value is random, HttpOnly, SameSite=Lax,
 * and the Origin check below stands beside it).  Returns 1 when a new
 * anonymous token was made (its cookie goes out with the answer).
 */
static int
csrf_prepare(struct req *r)
{
	const char *c = req_cookie(r, csrf_cookie_name(r));
	unsigned char rnd[16];
	char hex[33];

	if (r->session != NULL) {
		r->csrf = r->session->csrf;
		return 0;
	}
	if (c != NULL && strlen(c) == 32 && strspn(c,
	    "0123456789abcdef") == 32) {
		r->csrf = c;
		return 0;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		xoom(0);
	util_hex(rnd, sizeof(rnd), hex);
	r->csrf = arena_strdup(r->arena, hex);
	/* The cookie is added to whatever response is finally opened. */
	return 1;
}

/* Is the request's origin ours?  Origin header first, Sec-Fetch-Site as a
 * second signal; a request with neither (old clients, curl) relies on the
 * token alone. */
static int
csrf_origin_ok(const struct req *r)
{
	if (r->origin != NULL) {
		const char *want = app_cfg->public_origin;
		char here[512];

		if (want != NULL && *want != '\0')
			return strcmp(r->origin, want) == 0;
		snprintf(here, sizeof(here), "%s://%s",
		    r->https ? "https" : "http", r->host ? r->host : "");
		return strcmp(r->origin, here) == 0;
	}
	if (r->sec_fetch_site != NULL)
		return strcmp(r->sec_fetch_site, "same-origin") == 0 ||
		    strcmp(r->sec_fetch_site, "none") == 0;
	return 1;
}

static int
csrf_check(struct req *r)
{
	const char *sent = req_form(r, "csrf");

	if (!csrf_origin_ok(r)) {
		log_info("csrf: cross-site origin %s refused on %s",
		    r->origin ? r->origin : "-", r->path);
		return 0;
	}
	if (sent == NULL) {
		/* A header for scripts (fetch) that send JSON. */
		sent = r->csrf_header;
	}
	if (r->session != NULL)
		return util_token_eq(sent, r->session->csrf);
	return util_token_eq(sent, req_cookie(r, csrf_cookie_name(r)));
}

static int
http_err_status(int e)
{
	switch (e) {
	case HTTP_E_TOO_BIG:	return 413;
	case HTTP_E_TYPE:	return 415;
	case HTTP_E_IO:		return 500;
	default:		return 400;
	}
}

/* Read and parse the body.  Returns 0 or an HTTP status. */
static int
read_body(struct req *r, FCGX_Request *f)
{
	const char *ct = r->content_type ? r->content_type : "";
	int rc;

	if (r->content_length == 0)
		return 0;
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		char *body;
		int n;

		if (r->content_length > limits.max_body)
			return 413;
		body = arena_alloc(r->arena, r->content_length + 1);
		n = FCGX_GetStr(body, (int)r->content_length, f->in);
		if (n < 0 || (size_t)n != r->content_length)
			return 400;
		body[n] = '\0';
		rc = http_parse_urlencoded(r->arena, body, (size_t)n, &limits,
		    &r->form, &r->formn);
		return rc == HTTP_OK ? 0 : http_err_status(rc);
	}
	if (strncasecmp(ct, "multipart/form-data", 19) == 0) {
		const char *boundary = http_multipart_boundary(r->arena, ct);
		struct multipart *mp;
		char chunk[16384];
		size_t left = r->content_length;

		if (boundary == NULL)
			return 400;
		if (r->content_length > limits.max_upload)
			return 413;
		if ((mp = multipart_new(r->arena, boundary, &limits)) == NULL)
			return 500;
		while (left > 0) {
			int want = left < sizeof(chunk) ? (int)left :
			    (int)sizeof(chunk);
			int n = FCGX_GetStr(chunk, want, f->in);

			if (n <= 0) {
				multipart_abort(mp);
				return 400;
			}
			left -= (size_t)n;
			if ((rc = multipart_feed(mp, chunk, (size_t)n)) != 0) {
				multipart_abort(mp);
				return http_err_status(rc);
			}
		}
		rc = multipart_finish(mp, &r->form, &r->formn, &r->files,
		    &r->filen);
		if (rc != HTTP_OK) {
			multipart_abort(mp);
			return http_err_status(rc);
		}
		return 0;
	}
	return 415;
}

static void
fill_req(struct req *r, FCGX_Request *f)
{
	const char *v;

	r->method_name = param(f, "REQUEST_METHOD");
	r->method = http_method_parse(r->method_name ? r->method_name : "");
	r->path = param(f, "DOCUMENT_URI");
	if (r->path == NULL)
		r->path = param(f, "SCRIPT_NAME");
	if (r->path == NULL || r->path[0] != '/')
		r->path = "/";
	r->query_string = param(f, "QUERY_STRING");
	r->host = param(f, "HTTP_HOST");
	r->remote_addr = param(f, "REMOTE_ADDR");
	r->user_agent = param(f, "HTTP_USER_AGENT");
	r->accept_language = param(f, "HTTP_ACCEPT_LANGUAGE");
	r->origin = param(f, "HTTP_ORIGIN");
	r->sec_fetch_site = param(f, "HTTP_SEC_FETCH_SITE");
	r->referer = param(f, "HTTP_REFERER");
	r->content_type = param(f, "CONTENT_TYPE");
	r->csrf_header = param(f, "HTTP_X_CSRF_TOKEN");
	r->cookie_header = param(f, "HTTP_COOKIE");
	v = param(f, "CONTENT_LENGTH");
	r->content_length = v ? strtoull(v, NULL, 10) : 0;
	v = param(f, "HTTPS");
	r->https = v != NULL && strcasecmp(v, "on") == 0;
	r->resp.head_only = r->method == M_HEAD;
}

/* Run the request; the response is in r->resp afterwards.  Returns 1 when
 * a new anonymous CSRF token was made. */
static int
dispatch(struct req *r, FCGX_Request *f)
{
	struct route_match m;
	const char *qlang;
	int rc, status, new_csrf;

	if (r->query_string != NULL &&
	    (rc = http_parse_urlencoded(r->arena, r->query_string,
	    strlen(r->query_string), &limits, &r->query, &r->queryn)) != 0) {
		r->lang = app_cfg->default_lang;
		i18n_use(r->lang);
		page_error(r, http_err_status(rc), NULL);
		return 0;
	}
	if (r->cookie_header != NULL &&
	    http_parse_cookies(r->arena, r->cookie_header, &limits,
	    &r->cookies, &r->cookien) != HTTP_OK) {
		r->lang = app_cfg->default_lang;
		i18n_use(r->lang);
		page_error(r, 400, NULL);
		return 0;
	}
	r->lang = i18n_pick(r, NULL, app_cfg->default_lang);
	if (session_load(r) != 0)
		log_warn("session not loaded for %s", r->path);
	/* The user's own language, unless this browser chose one. */
	if (r->session != NULL && req_query(r, "lang") == NULL &&
	    req_cookie(r, "lang") == NULL)
		r->lang = i18n_pick(r, r->session->lang, app_cfg->default_lang);
	i18n_use(r->lang);
	i18n_overrides_refresh(r->db);
	new_csrf = csrf_prepare(r);

	switch (router_match(r->arena, routes, nroutes, r->method, r->path,
	    &m)) {
	case ROUTE_NOT_FOUND:
		page_error(r, 404, NULL);
		return new_csrf;
	case ROUTE_BAD_METHOD:
		page_error(r, 405, NULL);
		resp_header(r, "Allow", router_allow(r->arena, m.allowed));
		return new_csrf;
	case ROUTE_FOUND:
		break;
	}
	r->route = m.route;
	r->paramn = m.paramn;
	for (size_t i = 0; i < m.paramn; i++) {
		r->param[i] = m.param[i];
		r->iparam[i] = m.iparam[i];
	}
	if (!perm_allows(r, m.route->perm)) {
		/* A visitor who is not logged in gets the login form (which
		 * comes back here); a user without the right, the 403 page. */
		if (r->session == NULL && (r->method == M_GET ||
		    r->method == M_HEAD))
			auth_login_required(r);
		else
			page_error(r, 403, NULL);
		return new_csrf;
	}
	if ((status = read_body(r, f)) != 0) {
		page_error(r, status, NULL);
		return new_csrf;
	}
	if (m.route->csrf == CSRF_CHECK && !csrf_check(r)) {
		page_error(r, 403, _("Formularz wygasł lub pochodzi z innej "
		    "strony. Wróć, odśwież stronę i spróbuj ponownie."));
		return new_csrf;
	}
	/* ?lang= switches and remembers the language. */
	qlang = req_query(r, "lang");
	m.route->handler(r);
	if (r->resp.status == 0)
		page_error(r, 500, NULL);
	if (qlang != NULL && strcmp(qlang, r->lang) == 0)
		resp_cookie(r, "lang", r->lang, 365L * 86400,
		    COOKIE_LAX | COOKIE_HTTPONLY | (r->https ? COOKIE_SECURE : 0));
	return new_csrf;
}

void
app_handle(FCGX_Request *f)
{
	struct req r;

	memset(&r, 0, sizeof(r));
	arena_current = req_arena;
	r.arena = req_arena;
	r.db = app_db;
	r.cfg = app_cfg;
	r.resp.head = head_buf;
	r.resp.body = body_buf;
	buf_reset(&r.resp.head);
	buf_reset(&r.resp.body);

	fill_req(&r, f);
	/* A new anonymous CSRF token is handed out with the answer. */
	if (dispatch(&r, f) && r.csrf != NULL)
		resp_cookie(&r, csrf_cookie_name(&r), r.csrf, -1,
		    COOKIE_HTTPONLY | COOKIE_LAX |
		    (r.https ? COOKIE_HOST : 0));
	/* A session started or ended: its cookie. */
	auth_finish_response(&r);

	buf_reset(&out_buf);
	resp_serialize(&r, &out_buf);
	if (FCGX_PutStr(out_buf.p, (int)out_buf.len, f->out) < 0)
		log_info("client went away during %s", r.path);

	/* Keep the buffers' storage; drop everything else. */
	head_buf = r.resp.head;
	body_buf = r.resp.body;
	for (size_t i = 0; i < r.filen; i++)	/* spilled uploads */
		if (r.files[i].path != NULL && unlink(r.files[i].path) != 0 &&
		    errno != ENOENT)
			log_warn("unlink %s: %s", r.files[i].path,
			    strerror(errno));
	if (db_end_request(app_db) > 0)	/* a handler bug: logged there */
		log_err("%s left statements or a transaction open", r.path);
	qcache_end();
	arena_reset(req_arena);
	/* A big response should not pin memory for the life of the worker. */
	if (out_buf.cap > 1024 * 1024)
		buf_free(&out_buf);
	if (body_buf.cap > 1024 * 1024)
		buf_free(&body_buf);
}
