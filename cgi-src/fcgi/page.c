/*
 * page.c: the page context, rendering inside a layout, and error pages.
 *
 * The template set is made once per worker (page_init) with the
 * deployment's override directory first, so a maker restyles any template
 * without a rebuild (J7); every template is parsed at start-up, so a broken
 * one stops the worker with "file:line: why" instead of failing a customer's
 * request later.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../auth/auth.h"
#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "perm.h"
#include "req.h"
#include "tmpl.h"

extern void (*resp_error_hook)(struct req *, int, const char *);

static struct tmpl_set *tmpls;		/* per worker */
static const struct config *page_cfg;

static const char *
env_gettext(void *ud, const char *msgid)
{
	(void)ud;
	return i18n_gettext(msgid);
}

void
page_init(const struct config *cfg)
{
	const char *dirs[2];
	char err[512];

	page_cfg = cfg;
	dirs[0] = cfg->template_override_dir && *cfg->template_override_dir ?
	    cfg->template_override_dir : NULL;
	dirs[1] = cfg->template_dir;
	tmpls = tmpl_set_new(dirs, 2);
	if (tmpl_load_all(tmpls, err, sizeof(err)) != 0)
		log_err("template: %s", err);
	resp_error_hook = page_error;
}

void
page_fini(void)
{
	tmpl_set_free(tmpls);
	tmpls = NULL;
	resp_error_hook = NULL;
}

struct nav_item {
	const char	*href;
	const char	*label;		/* msgid */
	enum perm	 perm;
};

static const struct nav_item nav_public[] = {
	{ "/", N_("Strona główna"), PERM_PUBLIC },
	{ "/news", N_("Aktualności"), PERM_PUBLIC },
	{ "/catalog", N_("Katalog"), PERM_CATALOG },
	{ "/portal", N_("Portal klienta"), PERM_PUBLIC },
	{ NULL, NULL, PERM_PUBLIC }
};
static const struct nav_item nav_portal[] = {
	{ "/portal", N_("Pulpit"), PERM_LOGIN },
	{ "/news", N_("Aktualności"), PERM_PUBLIC },
	{ "/catalog", N_("Katalog"), PERM_CATALOG },
	{ "/portal/marketing", N_("Materiały marketingowe"),
	    PERM_MARKETING_VIEW },
	{ "/account/users", N_("Współpracownicy"), PERM_USERS_MANAGE },
	{ "/account/branches", N_("Oddziały i adresy"), PERM_USERS_MANAGE },
	{ "/account/profile", N_("Profil"), PERM_LOGIN },
	{ NULL, NULL, PERM_PUBLIC }
};
static const struct nav_item nav_cms[] = {
	{ "/cms", N_("Pulpit CMS"), PERM_CMS },
	{ "/cms/sync", N_("Synchronizacja z ERP"), PERM_CMS_SYNC },
	{ "/cms/registrations", N_("Rejestracje"), PERM_CMS_USERS },
	{ "/cms/customers", N_("Klienci"), PERM_CMS_USERS },
	{ "/cms/users", N_("Użytkownicy"), PERM_CMS_USERS },
	{ "/cms/staff", N_("Pracownicy"), PERM_CMS_STAFF },
	{ "/cms/audit", N_("Dziennik zdarzeń"), PERM_CMS_AUDIT },
	{ "/cms/marketing", N_("Treści"), PERM_CMS_CONTENT },
	{ "/cms/stock-rules", N_("Stany magazynowe w katalogu"),
	    PERM_CMS_CONTENT },
	{ NULL, NULL, PERM_PUBLIC }
};

static json_t *
nav_json(struct req *r, const struct nav_item *items)
{
	json_t *a = json_array();

	for (; items->href; items++) {
		size_t n = strlen(items->href);
		/* A section is current on its own pages too, unless it is
		 * an area's home ("/portal", "/cms"), whose sub-pages are
		 * other sections of the menu. */
		int home = strcmp(items->href, "/portal") == 0 ||
		    strcmp(items->href, "/cms") == 0;
		int current = strcmp(r->path, items->href) == 0 ||
		    (!home && n > 1 && strncmp(r->path, items->href, n) == 0 &&
		    r->path[n] == '/');

		if (items->perm != PERM_PUBLIC && !perm_allows(r, items->perm))
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}",
		    "href", items->href, "label", _(items->label),
		    "current", current));
	}
	return a;
}

static const char *const lang_names[] = { "Polski", "English", "Deutsch" };

json_t *
page_ctx(struct req *r, const char *title, enum page_area area)
{
	json_t *ctx, *langs;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	langs = json_array();
	for (size_t i = 0; i < i18n_nlanguages; i++)
		json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:b}",
		    "code", i18n_languages[i], "name", lang_names[i],
		    "href", arena_printf(r->arena, "%s?lang=%s", r->path,
		    i18n_languages[i]),
		    "current", strcmp(r->lang, i18n_languages[i]) == 0));
	ctx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:{"
	    "s:s, s:s, s:s, s:s}}",
	    "title", title ? title : "",
	    "lang", r->lang,
	    "nonce", r->resp.nonce[0] ? r->resp.nonce : "",
	    "csrf", r->csrf ? r->csrf : "",
	    "static", page_cfg->static_url,
	    "path", r->path,
	    "year", tm.tm_year + 1900,
	    "langs", langs,
	    "nav", nav_json(r, area == AREA_CMS ? nav_cms :
	    area == AREA_PORTAL ? nav_portal : nav_public),
	    "brand",
	    "name", page_cfg->brand_name,
	    "logo", page_cfg->brand_logo,
	    "color", page_cfg->brand_color,
	    "color_dark", page_cfg->brand_color_dark);
	json_object_set_new(ctx, "area", json_string(area == AREA_CMS ? "cms" :
	    area == AREA_PORTAL ? "portal" : "public"));
	/* The logged-in user (the header's menu) and, while a staff member
	 * looks through this account, who that is (the banner). */
	if (r->session != NULL) {
		json_t *u = json_object();
		json_t *v;

		if ((v = json_string(r->session->name)) != NULL)
			json_object_set_new(u, "name", v);
		if ((v = json_string(r->session->email)) != NULL)
			json_object_set_new(u, "email", v);
		if ((v = json_string(r->session->customer_name)) != NULL)
			json_object_set_new(u, "customer", v);
		json_object_set_new(u, "staff",
		    json_boolean(r->session->is_staff));
		json_object_set_new(ctx, "user", u);
		if (r->session->impersonator_user_id != 0 &&
		    (v = json_string(r->session->impersonator_name)) != NULL)
			json_object_set_new(ctx, "impersonator", v);
	}
	return ctx;
}

static int
render(struct req *r, int status, const char *tmpl, json_t *ctx,
    char *err, size_t errsz)
{
	struct tmpl_env env;
	const char *area = json_string_value(json_object_get(ctx, "area"));
	const char *layout = area && strcmp(area, "cms") == 0 ?
	    "cms/layout.html" : "layout.html";

	resp_open(r, status, NULL);
	/* The nonce exists only now; the context was made before. */
	json_object_set_new(ctx, "nonce", json_string(r->resp.nonce));
	memset(&env, 0, sizeof(env));
	env.arena = r->arena;
	env.gettext = env_gettext;
	env.filters = i18n_filters;
	return tmpl_render(tmpls, layout, tmpl, ctx, &env, &r->resp.body,
	    err, errsz);
}

void
page_render(struct req *r, int status, const char *tmpl, json_t *ctx)
{
	char err[512];

	if (render(r, status, tmpl, ctx, err, sizeof(err)) != 0) {
		log_err("render %s: %s", tmpl, err);
		page_error(r, 500, NULL);
	}
}

static const char *
error_heading(int status)
{
	switch (status) {
	case 400: return _("Nieprawidłowe żądanie");
	case 403: return _("Brak dostępu");
	case 404: return _("Nie znaleziono strony");
	case 405: return _("Niedozwolona metoda");
	case 413: return _("Przesłane dane są zbyt duże");
	case 415: return _("Nieobsługiwany format danych");
	case 503: return _("Serwer jest chwilowo przeciążony");
	default:  return _("Wystąpił błąd serwera");
	}
}

static const char *
error_text(int status)
{
	switch (status) {
	case 403: return _("Nie masz uprawnień do tej strony. Zaloguj się "
	    "na konto, które je ma, lub poproś administratora o dostęp.");
	case 404: return _("Adres mógł się zmienić albo strona została "
	    "usunięta.");
	case 405: return _("Ta strona nie obsługuje takiego żądania.");
	case 413: return _("Plik lub formularz przekracza dopuszczalny "
	    "rozmiar.");
	case 503: return _("Spróbuj ponownie za chwilę.");
	case 400: return _("Przeglądarka wysłała żądanie, którego nie "
	    "rozumiemy.");
	default:  return _("Przepraszamy. Błąd został zapisany w dzienniku; "
	    "spróbuj ponownie za chwilę.");
	}
}

void
page_error(struct req *r, int status, const char *message)
{
	static int depth;	/* an error while rendering an error */
	char err[512];
	json_t *ctx;

	if (depth++ == 0 && tmpls != NULL) {
		ctx = page_ctx(r, error_heading(status), AREA_PUBLIC);
		json_object_set_new(ctx, "status", json_integer(status));
		json_object_set_new(ctx, "heading",
		    json_string(error_heading(status)));
		json_object_set_new(ctx, "message",
		    json_string(message ? message : error_text(status)));
		if (render(r, status, "error.html", ctx, err,
		    sizeof(err)) == 0) {
			depth--;
			return;
		}
		log_err("render error.html: %s", err);
	}
	depth--;
	resp_open(r, status, "text/plain; charset=utf-8");
	buf_printf(&r->resp.body, "%d %s\n", status, http_status_text(status));
}

sqlite3_stmt *
page_row(struct req *r, sqlite3_stmt *st)
{
	int rc = db_step(r->db, st);

	if (rc == SQLITE_ROW)
		return st;
	db_done(r->db, st);
	page_error(r, rc == SQLITE_DONE ? 404 : 500, NULL);
	return NULL;
}
