/*
 * fuzz_tmpl.c: libFuzzer harness for the template engine (tmpl.c).
 *
 * The input is a template.  It is parsed with tmpl_parse_check(); when it
 * parses it is added to a fresh set as "fuzz.html", next to three fixed
 * templates it may include (p/item.html, p/tree.html: recursive over the
 * data, layout.html: yields the page), and rendered against a fixed JSON
 * context with filters and a gettext hook, twice on its own and once as the
 * page of layout.html.  Beyond "no crash, no leak", it checks:
 *   - tmpl_parse_check() and tmpl_set_add() agree, and an error reads
 *     "fuzz.html:LINE: why" (or "fuzz.html: larger than …");
 *   - a failed render says why; rendering twice gives the same bytes;
 *   - a template with no '<', no '>' and no "raw!" of its own yields output
 *     with no '<' or '>' at all, though the data, the filters and the
 *     translations are full of them: escaping holds in every form;
 *   - html_escape, url_escape and json_escape_html of the input bytes leave
 *     no character their context forbids, and decode back to the input.
 * Inputs that could fan out (the template including itself more than once,
 * or inside a loop, or more than 8 loops) are parsed but not rendered, so
 * that the fuzzer spends its time on the parser and the escaping rather
 * than on the render budget, which the unit tests cover.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "tmpl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

static const char context_json[] =
    "{\"title\":\"Zam\\u00f3wienia <&> \\\"q\\\" 'a'\","
    "\"user\":{\"name\":\"Anna\",\"company\":{\"name\":\"Okna & Co\","
    "\"city\":\"Krak\\u00f3w\"}},"
    "\"n\":42,\"neg\":-7,\"zero\":0,\"r\":3.25,\"t\":true,\"f\":false,"
    "\"nul\":null,\"empty\":\"\",\"e\":[],\"eo\":{},"
    "\"html\":\"<script>alert(1)</script>\",\"url\":\"a b&c=d/\\u00e9?#\","
    "\"ls\":\"\\u2028<\\u2029>\",\"nulbyte\":\"a\\u0000<b\","
    "\"rows\":[{\"id\":1,\"name\":\"A<\",\"qty\":3,\"tags\":[\"x\",\"<y>\"]},"
    "{\"id\":2,\"name\":\"B&\",\"qty\":0,\"tags\":[]},{\"id\":3,"
    "\"name\":null}],"
    "\"children\":[{\"name\":\"<a>\",\"children\":[{\"name\":\"b\","
    "\"children\":[]}]},{\"name\":\"c\",\"children\":[]}],"
    "\"money\":{\"amount\":12345,\"currency\":\"PLN\"}}";

static const struct {
	const char	*name;
	const char	*src;
} fixed[] = {
	{ "p/item.html", "<li>{{ name }}{{#if @last}}.{{/if}}</li>" },
	{ "p/tree.html", "<ul>{{#each children}}<li>{{ name }}"
	    "{{#if children}}{{> p/tree.html}}{{/if}}</li>{{/each}}</ul>" },
	{ "layout.html", "<main title=\"{{ title }}\">{{ yield }}</main>" },
};

static struct arena	*arena;
static json_t		*context;

static const char *
f_upper(void *ud, struct arena *a, json_t *v)
{
	char *s, *p;

	if (!json_is_string(v))
		return NULL;
	s = arena_strdup(a, json_string_value(v));
	for (p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return s;
}

/* Output full of markup, which the engine must escape. */
static const char *
f_money(void *ud, struct arena *a, json_t *v)
{
	json_t *amount = json_object_get(v, "amount");

	return arena_printf(a, "<b>%lld</b> & \"%s\"",
	    (long long)json_integer_value(amount),
	    json_string_value(json_object_get(v, "currency")) ?
	    json_string_value(json_object_get(v, "currency")) : "?");
}

static const char *
f_null(void *ud, struct arena *a, json_t *v)
{
	return NULL;
}

static const struct tmpl_filter filters[] = {
	{ "upper", f_upper },
	{ "money", f_money },
	{ "nothing", f_null },
	{ NULL, NULL }
};

static const char *
fuzz_gettext(void *ud, const char *msgid)
{
	if (strcmp(msgid, "keep") == 0)
		return NULL;
	return arena_printf(ud, "<%s>", msgid);
}

static size_t
count(const uint8_t *data, size_t size, const char *what)
{
	size_t n = 0, w = strlen(what);
	const uint8_t *p = data, *e = data + size, *q;

	while ((q = memmem(p, (size_t)(e - p), what, w)) != NULL) {
		n++;
		p = q + w;
	}
	return n;
}

static int
unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
check_escapers(const uint8_t *data, size_t size)
{
	static const struct {
		const char	*ent;
		char		 c;
	} ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' }
	};
	struct buf b = BUF_INIT;
	json_t *s, *back;
	size_t i, j, k;

	/* HTML: no markup character left; entities decode to the input. */
	html_escape(&b, (const char *)data, size);
	for (i = 0, j = 0; i < b.len; j++) {
		char c = b.p[i];

		CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
		CHECK(j < size);
		if (c == '&') {
			for (k = 0; k < 5; k++)
				if (strncmp(b.p + i, ents[k].ent,
				    strlen(ents[k].ent)) == 0)
					break;
			CHECK(k < 5);
			CHECK(data[j] == (uint8_t)ents[k].c);
			i += strlen(ents[k].ent);
		} else {
			CHECK(data[j] == (uint8_t)c);
			i++;
		}
	}
	CHECK(j == size);

	/* URL: unreserved characters and %XX only; decodes to the input. */
	buf_reset(&b);
	url_escape(&b, (const char *)data, size);
	for (i = 0, j = 0; i < b.len; j++) {
		unsigned char c = (unsigned char)b.p[i];

		CHECK(j < size);
		if (c == '%') {
			CHECK(i + 2 < b.len);
			CHECK(unhex(b.p[i + 1]) >= 0 && unhex(b.p[i + 2]) >= 0);
			CHECK(data[j] == (uint8_t)(unhex(b.p[i + 1]) * 16 +
			    unhex(b.p[i + 2])));
			i += 3;
		} else {
			CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			    c == '_' || c == '~');
			CHECK(data[j] == c);
			i++;
		}
	}
	CHECK(j == size);

	/* JSON: nothing that ends a script; parses back to the input. */
	if ((s = json_stringn((const char *)data, size)) != NULL) {
		buf_reset(&b);
		json_escape_html(&b, s);
		CHECK(memchr(b.p, '<', b.len) == NULL);
		CHECK(memchr(b.p, '>', b.len) == NULL);
		CHECK(memchr(b.p, '&', b.len) == NULL);
		CHECK(memmem(b.p, b.len, "\xe2\x80\xa8", 3) == NULL);
		CHECK(memmem(b.p, b.len, "\xe2\x80\xa9", 3) == NULL);
		back = json_loadb(b.p, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
		    NULL);
		CHECK(back != NULL && json_equal(back, s));
		json_decref(back);
		json_decref(s);
	}
	buf_free(&b);
}

/* The output may hold '<' or '>' only if the template could put them. */
static void
check_no_markup(const uint8_t *data, size_t size, const struct buf *out)
{
	if (memchr(data, '<', size) != NULL || memchr(data, '>', size) != NULL ||
	    count(data, size, "raw!") > 0)
		return;
	CHECK(out->len == 0 || memchr(out->p, '<', out->len) == NULL);
	CHECK(out->len == 0 || memchr(out->p, '>', out->len) == NULL);
}

static void
render_input(const uint8_t *data, size_t size)
{
	struct tmpl_env env;
	struct tmpl_set *set;
	struct buf a = BUF_INIT, b = BUF_INIT;
	char err[512], err2[512];
	size_t i;
	int r1, r2;

	set = tmpl_set_new(NULL, 0);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		CHECK(tmpl_set_add(set, fixed[i].name, fixed[i].src,
		    strlen(fixed[i].src), err, sizeof(err)) == 0);
	CHECK(tmpl_set_add(set, "fuzz.html", (const char *)data, size, err,
	    sizeof(err)) == 0);

	memset(&env, 0, sizeof(env));
	env.arena = arena;
	env.gettext = fuzz_gettext;
	env.filters = filters;
	env.ud = arena;

	err[0] = err2[0] = '\0';
	r1 = tmpl_render(set, "fuzz.html", NULL, context, &env, &a, err,
	    sizeof(err));
	r2 = tmpl_render(set, "fuzz.html", NULL, context, &env, &b, err2,
	    sizeof(err2));
	CHECK(r1 == 0 || r1 == -1);
	CHECK(r1 == r2);
	CHECK(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0));
	if (r1 == -1) {
		CHECK(err[0] != '\0');
		CHECK(strcmp(err, err2) == 0);
	} else
		check_no_markup(data, size, &a);

	buf_reset(&a);
	err[0] = '\0';
	r1 = tmpl_render(set, "layout.html", "fuzz.html", context, &env, &a,
	    err, sizeof(err));
	CHECK(r1 == 0 || (r1 == -1 && err[0] != '\0'));

	buf_free(&a);
	buf_free(&b);
	tmpl_set_free(set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], err2[512];
	struct tmpl_set *set;
	int r, r2, self;

	if (arena == NULL) {
		arena = arena_new(64);	/* tiny chunks: ASan sees overruns */
		context = json_loads(context_json, JSON_ALLOW_NUL, NULL);
		CHECK(arena != NULL && context != NULL);
	}

	check_escapers(data, size);

	err[0] = err2[0] = '\0';
	r = tmpl_parse_check("fuzz.html", (const char *)data, size, err,
	    sizeof(err));
	CHECK(r == 0 || r == -1);
	if (r == -1)
		CHECK(strncmp(err, "fuzz.html:", 10) == 0);
	/* Adding to a set parses the same way. */
	set = tmpl_set_new(NULL, 0);
	r2 = tmpl_set_add(set, "fuzz.html", (const char *)data, size, err2,
	    sizeof(err2));
	tmpl_set_free(set);
	CHECK(r == r2);
	CHECK(r == 0 || strcmp(err, err2) == 0);

	self = (int)count(data, size, "fuzz.html");
	if (r == 0 && count(data, size, "each") <= 8 &&
	    (self == 0 || (self == 1 && count(data, size, "each") == 0)))
		render_input(data, size);
	arena_reset(arena);
	return 0;
}
