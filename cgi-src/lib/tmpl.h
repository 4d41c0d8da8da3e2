/*
 * tmpl.h: the template engine.
 *
 * Templates are files under www/templates (and, first, under the deployment's
 * override directory: any file there replaces the shipped one of the same
 * name, J7).  Each file is parsed once per worker into a node list and kept
 * in a struct tmpl_set for the life of the worker; a SIGHUP reload of the
 * pool picks up edits.  Data comes as a jansson object.
 *
 * Syntax (whitespace inside {{ }} is free):
 *   {{ name }}  {{ a.b.c }}   value, HTML-escaped (safe in text and in a
 *                             quoted attribute: & < > " ' are escaped)
 *   {{ url name }}            percent-encoded as a URL component, then
 *                             HTML-escaped (for href="/x?q={{url q}}")
 *   {{ json name }}           JSON, with < > & escaped as \u003c …, for
 *                             <script type="application/json">
 *   {{ FILTER name }}         a registered filter (money, date, num …) then
 *                             HTML-escaped
 *   {{ raw! name }}           NOT escaped.  Only for HTML built by trusted
 *                             code; grep for "raw!" in review.
 *   {{ _("Tekst") }}          translated through the env's gettext, escaped;
 *                             xgettext finds these (po/POTFILES.in)
 *   {{#if x}} … {{#elif y}} … {{else}} … {{/if}}
 *   {{#unless x}} … {{/unless}}
 *   {{#each list}} … {{/each}}  inside: the item's fields by name, "." the
 *                             item itself, @index (0-based), @number
 *                             (1-based), @first, @last; outer names are
 *                             still visible (inner scope first)
 *   {{> partials/nav.html}}   include another template (same context)
 *   {{ yield }}               in a layout: the page template
 *   {{! comment }}
 * Falsy: missing, null, false, 0, "", [] and {}.  Integers print in decimal;
 * reals with %g; true prints "1"; objects and arrays print nothing.
 * {{else}} also works in {{#unless}}.  A literal "{{" cannot appear in text.
 *
 * Translations: write exactly {{ _("Tekst") }}, on one line, with only
 * blanks around _("…") and none inside; one C string literal, not empty,
 * escapes \" \\ \n \t \' only.  Other spellings are errors, because
 * scripts/tmpl-strings.sh (which lists template strings for xgettext) finds
 * only this one.  xgettext run on a template itself, as C with
 * --from-code=UTF-8, sees no _("…") inside an attribute value, and an
 * apostrophe, a lone ", "//", slash-star or a "#" starting a line outside a
 * string hides what follows: use the script.
 */
#ifndef FRAMUGA_TMPL_H
#define FRAMUGA_TMPL_H

#include <stddef.h>
#include <jansson.h>

#include "arena.h"

struct tmpl_set;

/* A filter turns a value into text (arena string) that the engine then
 * escapes for HTML.  NULL output prints nothing.  A missing value comes as
 * json_null(), never NULL. */
typedef const char *(*tmpl_filter_fn)(void *ud, struct arena *, json_t *);

struct tmpl_filter {
	const char	*name;
	tmpl_filter_fn	 fn;
};

struct tmpl_env {
	struct arena			*arena;	  /* scratch for this render */
	const char			*(*gettext)(void *ud, const char *msgid);
	const struct tmpl_filter	*filters; /* NULL-name terminated */
	void				*ud;	  /* passed to gettext, filters */
};

/* dirs: search order (override directory first); NULL entries skipped.
 * The set copies the strings.  Templates are loaded lazily on first use. */
struct tmpl_set	*tmpl_set_new(const char *const *dirs, size_t ndirs);
void		 tmpl_set_free(struct tmpl_set *);
/* Parse (or find cached) template; 0 or -1 with "file:line: why" in err. */
int		 tmpl_load(struct tmpl_set *, const char *name, char *err,
		    size_t errsz);
/* Parse every *.html under the dirs (recursively) now: for config-check and
 * for a worker's start-up, so a broken template is found before traffic. */
int		 tmpl_load_all(struct tmpl_set *, char *err, size_t errsz);

/*
 * Render name (with page as {{ yield }} when name is a layout; page may be
 * NULL) against ctx, appending to out.  0 on success; -1 with "file:line:
 * why" in err (out then holds a partial render the caller discards).
 * A runaway render (over 2^24 nodes visited or 64 MiB written) fails too.
 */
int		 tmpl_render(struct tmpl_set *, const char *name,
		    const char *page, json_t *ctx, const struct tmpl_env *,
		    struct buf *out, char *err, size_t errsz);

/* Parse src as the template name and keep it in the set, replacing one of
 * that name (unit tests, the fuzzer, built-in pages).  Its partials are
 * looked up when rendered.  0 or -1 with the error. */
int		 tmpl_set_add(struct tmpl_set *, const char *name,
		    const char *src, size_t len, char *err, size_t errsz);

/* Parse a template from memory (for the fuzzer and unit tests); the parsed
 * template is freed at once.  0 or -1 with the error. */
int		 tmpl_parse_check(const char *name, const char *src, size_t len,
		    char *err, size_t errsz);

/* Escaping helpers, one per context (also used by C code that builds HTML). */
void		 html_escape(struct buf *, const char *, size_t);
void		 url_escape(struct buf *, const char *, size_t);	/* RFC 3986 unreserved kept */
void		 json_escape_html(struct buf *, json_t *);

#endif
