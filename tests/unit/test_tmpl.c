/*
 * test_tmpl.c: unit tests for the template engine (cgi-src/lib/tmpl.c).
 *
 * Most cases add a template from memory with tmpl_set_add() and compare the
 * whole output; file cases use the fixtures in tests/unit/templates/ (base:
 * the shipped directory, override: the deployment's, broken: templates that
 * must fail).  Every error case checks the exact "file:line: why" text.
 * One case prints how long rendering a 50 x 5 table takes (never fails on
 * time); one runs xgettext over a fixture when xgettext is installed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "tmpl.h"

static char	 fixtures[PATH_MAX];

/* Per-test state: a set with no directories, an arena, a buffer. */
struct t {
	struct tmpl_set	*set;
	struct arena	*arena;
	struct buf	 out;
	struct tmpl_env	 env;
	char		 err[256];
};

static const char *
upper_filter(void *ud, struct arena *a, json_t *v)
{
	char *s, *p;

	if (!json_is_string(v))
		return json_is_null(v) ? "(null)" : NULL;
	s = arena_strdup(a, json_string_value(v));
	for (p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return s;
}

static const char *
none_filter(void *ud, struct arena *a, json_t *v)
{
	return NULL;
}

static const char *
num_filter(void *ud, struct arena *a, json_t *v)
{
	return arena_printf(a, "<%lld>", (long long)json_integer_value(v));
}

static const struct tmpl_filter filters[] = {
	{ "upper", upper_filter },
	{ "none", none_filter },
	{ "num", num_filter },
	{ NULL, NULL }
};

static const char *
test_gettext(void *ud, const char *msgid)
{
	if (strcmp(msgid, "Zamówienia") == 0)
		return "Orders";
	if (strcmp(msgid, "Tom & Jerry") == 0)
		return "Tom & <Jerry>";
	if (strcmp(msgid, "Say \"hi\"") == 0)
		return "Sag \"hallo\"";
	return msgid;
}

static int
setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	t->set = tmpl_set_new(NULL, 0);
	t->arena = arena_new(0);
	t->env.arena = t->arena;
	t->env.gettext = test_gettext;
	t->env.filters = filters;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t *t = *state;

	tmpl_set_free(t->set);
	arena_free(t->arena);
	buf_free(&t->out);
	free(t);
	return 0;
}

/* Render src (added as "t.html") against json ctx text; the output. */
static const char *
render(struct t *t, const char *src, const char *ctxjson)
{
	json_t *ctx = NULL;
	json_error_t je;
	int r;

	if (ctxjson != NULL) {
		ctx = json_loads(ctxjson, JSON_DECODE_ANY, &je);
		if (ctx == NULL)
			fail_msg("bad json in test: %s", je.text);
	}
	t->err[0] = '\0';
	if (tmpl_set_add(t->set, "t.html", src, strlen(src), t->err,
	    sizeof(t->err)) == -1)
		fail_msg("parse: %s", t->err);
	buf_reset(&t->out);
	arena_reset(t->arena);
	r = tmpl_render(t->set, "t.html", NULL, ctx, &t->env, &t->out, t->err,
	    sizeof(t->err));
	json_decref(ctx);
	if (r == -1)
		fail_msg("render: %s", t->err);
	return buf_cstr(&t->out);
}

/* Parse src as name and expect the error want. */
static void
parse_fails(const char *name, const char *src, const char *want)
{
	char err[256] = "";

	if (tmpl_parse_check(name, src, strlen(src), err, sizeof(err)) != -1)
		fail_msg("parsed, wanted: %s\n%s", want, src);
	assert_string_equal(err, want);
}

/* Add src as "t.html", render it, and expect the render error want. */
static void
render_fails(struct t *t, const char *src, const char *ctxjson,
    const char *want)
{
	json_t *ctx = ctxjson ? json_loads(ctxjson, 0, NULL) : NULL;
	int r;

	assert_int_equal(tmpl_set_add(t->set, "t.html", src, strlen(src),
	    t->err, sizeof(t->err)), 0);
	buf_reset(&t->out);
	t->err[0] = '\0';
	r = tmpl_render(t->set, "t.html", NULL, ctx, &t->env, &t->out, t->err,
	    sizeof(t->err));
	json_decref(ctx);
	assert_int_equal(r, -1);
	assert_string_equal(t->err, want);
}

static struct tmpl_set *
fixture_set(int with_override)
{
	char base[PATH_MAX + 16], over[PATH_MAX + 16];
	const char *dirs[3];

	snprintf(base, sizeof(base), "%s/base", fixtures);
	snprintf(over, sizeof(over), "%s/override", fixtures);
	dirs[0] = with_override ? over : NULL;
	dirs[1] = base;
	dirs[2] = NULL;
	return tmpl_set_new(dirs, 3);
}

/* --- escaping helpers ------------------------------------------------------ */

static void
test_html_escape(void **state)
{
	struct buf b = BUF_INIT;

	html_escape(&b, "a&b<c>d\"e'f", 11);
	assert_string_equal(buf_cstr(&b), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	buf_reset(&b);
	html_escape(&b, "żółw — plain", strlen("żółw — plain"));
	assert_string_equal(buf_cstr(&b), "żółw — plain");
	buf_reset(&b);
	html_escape(&b, "<<&&>>", 6);
	assert_string_equal(buf_cstr(&b), "&lt;&lt;&amp;&amp;&gt;&gt;");
	buf_reset(&b);
	html_escape(&b, "", 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

static void
test_url_escape(void **state)
{
	struct buf b = BUF_INIT;
	const char *s = "AZaz09-._~ /?&=#%+\"'<>ł";

	url_escape(&b, s, strlen(s));
	assert_string_equal(buf_cstr(&b),
	    "AZaz09-._~%20%2F%3F%26%3D%23%25%2B%22%27%3C%3E%C5%82");
	buf_free(&b);
}

static void
test_json_escape(void **state)
{
	struct buf b = BUF_INIT;
	json_t *v;

	v = json_pack("{s:s, s:[i, b, n], s:s}", "x",
	    "</script><!-- & \xe2\x80\xa8\xe2\x80\xa9 \xe2\x80\x94",
	    "a", 1, 1, "q", "\"'");
	json_escape_html(&b, v);
	assert_string_equal(buf_cstr(&b),
	    "{\"x\":\"\\u003c/script\\u003e\\u003c!-- \\u0026 "
	    "\\u2028\\u2029 \xe2\x80\x94\",\"a\":[1,true,null],"
	    "\"q\":\"\\\"'\"}");
	json_decref(v);

	buf_reset(&b);
	v = json_string("a<b");
	json_escape_html(&b, v);
	assert_string_equal(buf_cstr(&b), "\"a\\u003cb\"");
	json_decref(v);

	buf_reset(&b);
	json_escape_html(&b, NULL);
	assert_string_equal(buf_cstr(&b), "null");

	buf_reset(&b);
	v = json_integer(-42);
	json_escape_html(&b, v);
	assert_string_equal(buf_cstr(&b), "-42");
	json_decref(v);
	buf_free(&b);
}

/* --- output forms ---------------------------------------------------------- */

static void
test_values(void **state)
{
	struct t *t = *state;

	assert_string_equal(render(t,
	    "[{{i}}|{{n}}|{{big}}|{{r}}|{{e}}|{{yes}}|{{no}}|{{nul}}|{{o}}|"
	    "{{a}}|{{missing}}|{{s}}]",
	    "{\"i\":42,\"n\":-7,\"big\":-9223372036854775808,\"r\":1.5,"
	    "\"e\":1e20,\"yes\":true,\"no\":false,\"nul\":null,"
	    "\"o\":{\"k\":1},\"a\":[1],\"s\":\"x\"}"),
	    "[42|-7|-9223372036854775808|1.5|1e+20|1||||||x]");
	assert_string_equal(render(t, "{{ a.b.c }}/{{a.b.d}}/{{a.x.y}}",
	    "{\"a\":{\"b\":{\"c\":\"deep\"}}}"), "deep//");
	assert_string_equal(render(t, "{{ list.1.name }}{{ list.9.name }}",
	    "{\"list\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"), "b");
	/* No context at all. */
	assert_string_equal(render(t, "<{{ x }}>", NULL), "<>");
	/* Whitespace inside the braces is free, and tags may span lines. */
	assert_string_equal(render(t, "{{x}}{{  x  }}{{\n\tx\n}}",
	    "{\"x\":1}"), "111");
}

static void
test_escaping_contexts(void **state)
{
	struct t *t = *state;
	const char *evil = "{\"v\":\"\\\" onmouseover=\\\"alert(1)\\\" x='<b>&\","
	    "\"s\":\"</script><script>alert(1)</script>\"}";

	/* Text and double- or single-quoted attributes. */
	assert_string_equal(render(t,
	    "<a title=\"{{ v }}\" data-x='{{v}}'>{{v}}</a>", evil),
	    "<a title=\"&quot; onmouseover=&quot;alert(1)&quot; x=&#39;&lt;b&gt;"
	    "&amp;\" data-x='&quot; onmouseover=&quot;alert(1)&quot; x=&#39;"
	    "&lt;b&gt;&amp;'>&quot; onmouseover=&quot;alert(1)&quot; x=&#39;"
	    "&lt;b&gt;&amp;</a>");
	/* URL component: nothing but unreserved characters and %XX. */
	assert_string_equal(render(t, "<a href=\"/s?q={{ url v }}\">", evil),
	    "<a href=\"/s?q=%22%20onmouseover%3D%22alert%281%29%22%20x%3D%27"
	    "%3Cb%3E%26\">");
	assert_string_equal(render(t, "{{url n}}|{{url b}}", "{\"n\":12,"
	    "\"b\":\"a b/c\"}"), "12|a%20b%2Fc");
	/* JSON in a script element cannot close it. */
	assert_string_equal(render(t,
	    "<script type=\"application/json\">{{ json s }}</script>", evil),
	    "<script type=\"application/json\">\"\\u003c/script\\u003e"
	    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"</script>");
	assert_string_equal(render(t, "{{json o}}|{{json m}}|{{json .}}",
	    "{\"o\":{\"a\":[1,2.5,\"x\"]}}"),
	    "{\"a\":[1,2.5,\"x\"]}|null|{\"o\":{\"a\":[1,2.5,\"x\"]}}");
	/* raw! is not escaped. */
	assert_string_equal(render(t, "{{ raw! h }}|{{h}}",
	    "{\"h\":\"<b>&amp;</b>\"}"),
	    "<b>&amp;</b>|&lt;b&gt;&amp;amp;&lt;/b&gt;");
}

static void
test_filters(void **state)
{
	struct t *t = *state;

	/* Filter output is HTML-escaped; missing values come as null. */
	assert_string_equal(render(t, "{{ upper s }}|{{upper missing}}|"
	    "{{none s}}|{{ num n }}|{{num @number}}",
	    "{\"s\":\"a<b>\",\"n\":5}"), "A&lt;B&gt;|(null)||&lt;5&gt;|&lt;0&gt;");
	assert_string_equal(render(t,
	    "{{#each l}}{{ num @number }}{{/each}}", "{\"l\":[0,0]}"),
	    "&lt;1&gt;&lt;2&gt;");
}

static void
test_filter_unknown(void **state)
{
	struct t *t = *state;

	render_fails(t, "<p>\n{{ monye total }}\n</p>", "{}",
	    "t.html:2: unknown filter 'monye'");
	/* No env at all: no filters. */
	assert_int_equal(tmpl_set_add(t->set, "t.html", "{{ upper x }}", 13,
	    t->err, sizeof(t->err)), 0);
	assert_int_equal(tmpl_render(t->set, "t.html", NULL, NULL, NULL,
	    &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "t.html:1: unknown filter 'upper'");
	/* An unknown filter in a branch not taken is not an error. */
	assert_string_equal(render(t, "{{#if no}}{{ monye x }}{{/if}}ok",
	    "{}"), "ok");
}

static void
test_translate(void **state)
{
	struct t *t = *state;

	assert_string_equal(render(t,
	    "<h1>{{ _(\"Zamówienia\") }}</h1>{{_(\"Tom & Jerry\")}}"
	    "<a title=\"{{ _(\"Say \\\"hi\\\"\") }}\">"
	    "{{ _(\"Other}} {{x\") }}{{ _(\"a\\nb\\t\\\\\") }}", "{}"),
	    "<h1>Orders</h1>Tom &amp; &lt;Jerry&gt;"
	    "<a title=\"Sag &quot;hallo&quot;\">"
	    "Other}} {{xa\nb\t\\");
	/* Without a gettext hook the msgid prints. */
	t->env.gettext = NULL;
	assert_string_equal(render(t, "{{ _(\"Zamówienia\") }}", "{}"),
	    "Zamówienia");
}

/* --- conditions ------------------------------------------------------------- */

static void
test_if_chain(void **state)
{
	struct t *t = *state;
	const char *src = "{{#if a}}A{{#elif b}}B{{#elif c}}C{{else}}E{{/if}}";

	assert_string_equal(render(t, src, "{\"a\":1,\"b\":1}"), "A");
	assert_string_equal(render(t, src, "{\"b\":1,\"c\":1}"), "B");
	assert_string_equal(render(t, src, "{\"c\":1}"), "C");
	assert_string_equal(render(t, src, "{}"), "E");
	assert_string_equal(render(t, "{{#if a}}A{{/if}}-", "{}"), "-");
	assert_string_equal(render(t, "{{#if a}}A{{#elif b}}B{{/if}}-",
	    "{}"), "-");
	assert_string_equal(render(t,
	    "{{#if a}}{{#if b}}ab{{else}}a{{/if}}{{else}}{{#unless b}}none"
	    "{{else}}b{{/unless}}{{/if}}", "{\"b\":1}"), "b");
	assert_string_equal(render(t, "{{#unless a}}U{{/unless}}|{{#unless a}}"
	    "U{{else}}V{{/unless}}", "{\"a\":true}"), "|V");
	assert_string_equal(render(t, "{{#unless a}}U{{/unless}}", "{}"), "U");
}

static void
test_falsy(void **state)
{
	struct t *t = *state;
	static const char *const falsy[] = {
		"{}", "{\"x\":null}", "{\"x\":false}", "{\"x\":0}",
		"{\"x\":0.0}", "{\"x\":\"\"}", "{\"x\":[]}", "{\"x\":{}}"
	};
	static const char *const truthy[] = {
		"{\"x\":true}", "{\"x\":1}", "{\"x\":-1}", "{\"x\":0.5}",
		"{\"x\":\"0\"}", "{\"x\":\" \"}", "{\"x\":\"false\"}",
		"{\"x\":[0]}", "{\"x\":{\"a\":null}}"
	};
	size_t i;

	for (i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++)
		assert_string_equal(render(t, "{{#if x}}T{{else}}F{{/if}}"
		    "{{#unless x}}u{{/unless}}", falsy[i]), "Fu");
	for (i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++)
		assert_string_equal(render(t, "{{#if x}}T{{else}}F{{/if}}"
		    "{{#unless x}}u{{/unless}}", truthy[i]), "T");
}

/* --- loops and scope ---------------------------------------------------------- */

static void
test_each(void **state)
{
	struct t *t = *state;

	assert_string_equal(render(t,
	    "{{#each l}}[{{@index}}/{{@number}}{{#if @first}} first{{/if}}"
	    "{{#if @last}} last{{/if}}:{{ n }}]{{/each}}",
	    "{\"l\":[{\"n\":\"a\"},{\"n\":\"b\"},{\"n\":\"c\"}]}"),
	    "[0/1 first:a][1/2:b][2/3 last:c]");
	/* "." is the item; scalars have no fields. */
	assert_string_equal(render(t, "{{#each l}}{{.}},{{n}};{{/each}}",
	    "{\"l\":[\"x<\",2,true,null]}"), "x&lt;,;2,;1,;,;");
	/* Not a list, or empty: nothing. */
	assert_string_equal(render(t, "{{#each o}}X{{/each}}{{#each s}}X"
	    "{{/each}}{{#each m}}X{{/each}}{{#each e}}X{{/each}}-",
	    "{\"o\":{\"a\":1},\"s\":\"str\",\"e\":[]}"), "-");
	/* Outside any loop the loop names are empty and falsy. */
	assert_string_equal(render(t, "<{{@index}}{{@first}}{{#if @last}}L"
	    "{{/if}}>", "{}"), "<>");
	/* One item is first and last. */
	assert_string_equal(render(t, "{{#each l}}{{@first}}{{@last}}"
	    "{{/each}}", "{\"l\":[1]}"), "11");
}

static void
test_scope(void **state)
{
	struct t *t = *state;
	const char *ctx = "{\"title\":\"T\",\"name\":\"outer\","
	    "\"orders\":[{\"no\":1,\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\","
	    "\"name\":\"inner\"}]},{\"no\":2,\"name\":null,\"lines\":[]}]}";

	/* Inner scope first, outer names still visible, nested @index is
	 * the innermost loop's. */
	assert_string_equal(render(t,
	    "{{#each orders}}{{no}}:{{#each lines}}{{sku}}@{{@index}}"
	    "({{name}},{{title}},{{no}}){{/each}};{{/each}}", ctx),
	    "1:A@0(outer,T,1)B@1(inner,T,1);2:;");
	/* A null in the item hides the outer name. */
	assert_string_equal(render(t,
	    "{{#each orders}}[{{name}}]{{/each}}", ctx), "[outer][]");
	/* Dotted names start at the innermost frame with the first key. */
	assert_string_equal(render(t,
	    "{{#each l}}{{a.b}}{{/each}}",
	    "{\"a\":{\"b\":\"outer\"},\"l\":[{\"a\":{\"c\":1}},{}]}"),
	    "outer");
}

/* --- partials and layouts ------------------------------------------------------ */

static void
test_partials_memory(void **state)
{
	struct t *t = *state;

	assert_int_equal(tmpl_set_add(t->set, "p/item.html",
	    "<li>{{ name }}{{ @number }}</li>", 32, t->err, sizeof(t->err)), 0);
	assert_string_equal(render(t,
	    "<ul>{{#each l}}{{> p/item.html}}{{/each}}</ul>{{>p/item.html}}",
	    "{\"name\":\"top\",\"l\":[{\"name\":\"a\"},{}]}"),
	    "<ul><li>a1</li><li>top2</li></ul><li>top</li>");
	/* Replacing a template in the set. */
	assert_int_equal(tmpl_set_add(t->set, "p/item.html", "*", 1, t->err,
	    sizeof(t->err)), 0);
	assert_string_equal(render(t, "{{> p/item.html}}", "{}"), "*");
	/* A partial the set cannot find at render time. */
	render_fails(t, "a\nb {{> p/none.html}}", "{}",
	    "t.html:2: partial 'p/none.html' not found");
}

static void
test_partial_recursion(void **state)
{
	struct t *t = *state;
	struct tmpl_set *set = fixture_set(0);
	json_t *ctx;

	/*
	 * A recursive tree renders; endless recursion stops with an error.
	 * Leaves need "children":[] of their own: outer names are visible,
	 * so a leaf without one would see its parent's children again.
	 */
	ctx = json_loads("{\"children\":[{\"name\":\"a\",\"children\":"
	    "[{\"name\":\"b\",\"children\":[]}]},"
	    "{\"name\":\"c<\",\"children\":[]}]}", 0, NULL);
	assert_int_equal(tmpl_render(set, "tree.html", NULL, ctx, &t->env,
	    &t->out, t->err, sizeof(t->err)), 0);
	assert_string_equal(buf_cstr(&t->out), "<ul><li>a<ul><li>b</li></ul>\n"
	    "</li><li>c&lt;</li></ul>\n");
	json_decref(ctx);
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(set, "forever.html", NULL, NULL, &t->env,
	    &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "forever.html:2: partials nested deeper "
	    "than 16 (does 'forever.html' include itself without end?)");
	tmpl_set_free(set);

	/* Two in-memory templates that include each other. */
	assert_int_equal(tmpl_set_add(t->set, "a.html", "a{{> b.html}}", 13,
	    t->err, sizeof(t->err)), 0);
	assert_int_equal(tmpl_set_add(t->set, "b.html", "b\n{{> a.html}}", 14,
	    t->err, sizeof(t->err)), 0);
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(t->set, "a.html", NULL, NULL, &t->env,
	    &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "a.html:1: partials nested deeper than 16 "
	    "(does 'b.html' include itself without end?)");
}

static void
test_runaway(void **state)
{
	struct t *t = *state;
	const char *cube = "{{#each l}}\n"
	    "{{#each l}}{{#each l}}{{.}}{{/each}}{{/each}}{{/each}}";
	json_t *list = json_array(), *ctx;
	char *big;
	int i;

	for (i = 0; i < 300; i++)
		json_array_append_new(list, json_integer(i));
	ctx = json_pack("{s:o}", "l", list);

	/* 300^3 visits: more than the budget of steps. */
	assert_int_equal(tmpl_set_add(t->set, "t.html", cube, strlen(cube),
	    t->err, sizeof(t->err)), 0);
	assert_int_equal(tmpl_render(t->set, "t.html", NULL, ctx, &t->env,
	    &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "t.html:2: rendering takes more than "
	    "16777216 steps");

	/* 300 x 300 x 1 KiB: more output than allowed. */
	big = malloc(1024 + 64);
	assert_non_null(big);
	strcpy(big, "{{#each l}}{{#each l}}");
	memset(big + 22, 'x', 1024);
	strcpy(big + 22 + 1024, "{{/each}}{{/each}}");
	assert_int_equal(tmpl_set_add(t->set, "t.html", big, strlen(big),
	    t->err, sizeof(t->err)), 0);
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(t->set, "t.html", NULL, ctx, &t->env,
	    &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "t.html:1: output larger than 67108864 "
	    "bytes");
	free(big);
	json_decref(ctx);
	buf_free(&t->out);
}

static void
test_layout(void **state)
{
	struct t *t = *state;
	struct tmpl_set *set = fixture_set(1);
	json_t *ctx;

	ctx = json_loads("{\"title\":\"Orders & more\",\"msg\":\"<hi>\","
	    "\"links\":[{\"href\":\"/a?x=1&y=2\",\"label\":\"A\"},"
	    "{\"href\":\"/b\",\"label\":\"B\"}]}", 0, NULL);
	assert_int_equal(tmpl_render(set, "layout.html", "page.html", ctx,
	    &t->env, &t->out, t->err, sizeof(t->err)), 0);
	assert_string_equal(buf_cstr(&t->out),
	    "<!doctype html>\n<title>Orders &amp; more</title>\n"
	    "<nav><a href=\"/a?x=1&amp;y=2\" class=\"first\">A</a>"
	    "<a href=\"/b\">B</a></nav>\n<main><p>&lt;hi&gt;</p>\n</main>\n"
	    "<footer>override footer</footer>\n\n");
	/* No page: {{ yield }} prints nothing. */
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(set, "page.html", NULL, ctx, &t->env,
	    &t->out, t->err, sizeof(t->err)), 0);
	assert_string_equal(buf_cstr(&t->out), "<p>&lt;hi&gt;</p>\n");
	/* A page that yields itself. */
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(set, "layout.html", "self-yield.html",
	    ctx, &t->env, &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "self-yield.html:2: {{ yield }} inside "
	    "the page 'self-yield.html' itself");
	/* A page that does not exist. */
	assert_int_equal(tmpl_render(set, "layout.html", "nope.html", ctx,
	    &t->env, &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "template 'nope.html' not found");
	json_decref(ctx);
	tmpl_set_free(set);
}

static void
test_override(void **state)
{
	struct t *t = *state;
	struct tmpl_set *set;

	set = fixture_set(1);
	assert_int_equal(tmpl_render(set, "over.html", NULL, NULL, &t->env,
	    &t->out, t->err, sizeof(t->err)), 0);
	assert_string_equal(buf_cstr(&t->out), "override\n");
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(set, "partials/footer.html", NULL, NULL,
	    &t->env, &t->out, t->err, sizeof(t->err)), 0);
	assert_string_equal(buf_cstr(&t->out),
	    "<footer>override footer</footer>\n");
	/* Files only in the shipped directory still come from there. */
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(set, "page.html", NULL, NULL, &t->env,
	    &t->out, t->err, sizeof(t->err)), 0);
	assert_string_equal(buf_cstr(&t->out), "<p></p>\n");
	assert_int_equal(tmpl_load_all(set, t->err, sizeof(t->err)), 0);
	tmpl_set_free(set);

	set = fixture_set(0);
	buf_reset(&t->out);
	assert_int_equal(tmpl_render(set, "over.html", NULL, NULL, &t->env,
	    &t->out, t->err, sizeof(t->err)), 0);
	assert_string_equal(buf_cstr(&t->out), "shipped\n");
	tmpl_set_free(set);
}

static void
test_traversal(void **state)
{
	struct t *t = *state;
	static const char *const bad[] = {
		"../base/page.html", "/etc/passwd", "partials/../page.html",
		".hidden.html", "partials//nav.html", "", "page.html/",
		"./page.html", "a\\b.html", "x y.html"
	};
	char dir[] = "/tmp/test_tmpl.XXXXXX", link[PATH_MAX + 32],
	    target[PATH_MAX + 32];
	const char *dirs[1];
	struct tmpl_set *set = fixture_set(1);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		snprintf(want, sizeof(want), "bad template name '%s'", bad[i]);
		assert_int_equal(tmpl_load(set, bad[i], t->err,
		    sizeof(t->err)), -1);
		assert_string_equal(t->err, want);
		assert_int_equal(tmpl_set_add(set, bad[i], "x", 1, t->err,
		    sizeof(t->err)), -1);
	}
	parse_fails("p.html", "a\n{{> ../secret.html}}",
	    "p.html:2: bad partial name '../secret.html'");
	parse_fails("p.html", "{{> /etc/passwd}}",
	    "p.html:1: bad partial name '/etc/passwd'");
	parse_fails("p.html", "{{>}}", "p.html:1: bad partial name ''");
	tmpl_set_free(set);

	/* A symbolic link that leads out of the directory. */
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/out.html", dir);
	snprintf(target, sizeof(target), "%s/base/page.html", fixtures);
	assert_int_equal(symlink(target, link), 0);
	dirs[0] = dir;
	set = tmpl_set_new(dirs, 1);
	assert_int_equal(tmpl_load(set, "out.html", t->err, sizeof(t->err)),
	    -1);
	assert_string_equal(t->err,
	    "out.html: resolves outside its template directory");
	tmpl_set_free(set);
	unlink(link);
	rmdir(dir);
}

/* --- errors ------------------------------------------------------------------- */

#define FORM	"x.html:1: write a translation as {{ _(\"text\") }}: one " \
	"line, no space inside _(\"\"), only blanks around it"

static void
test_parse_errors(void **state)
{
	parse_fails("news.html", "<ul>\n\n{{#each items}}\n<li>{{x}}</li>\n"
	    "</ul>\n", "news.html:3: {{#each}} opened here is never closed");
	parse_fails("x.html", "{{#if a}}\n{{#unless b}}\n{{/unless}}",
	    "x.html:1: {{#if}} opened here is never closed");
	parse_fails("x.html", "{{#if a}}\n\n{{/each}}",
	    "x.html:3: {{/each}} closes {{#if}} opened on line 1");
	parse_fails("x.html", "a\n{{/if}}", "x.html:2: {{/if}} without {{#if}}");
	parse_fails("x.html", "{{/iff}}", "x.html:1: unknown tag '{{/iff}}'");
	parse_fails("x.html", "{{/if x}}",
	    "x.html:1: unexpected ' x' in {{/if}}");
	parse_fails("x.html", "\n{{else}}",
	    "x.html:2: {{else}} outside {{#if}} or {{#unless}}");
	parse_fails("x.html", "{{#elif a}}",
	    "x.html:1: {{#elif}} outside {{#if}}");
	parse_fails("x.html", "{{#if a}}{{else}}\n{{#elif b}}{{/if}}",
	    "x.html:2: {{#elif}} after {{else}} in {{#if}} (opened on line 1)");
	parse_fails("x.html", "{{#if a}}{{else}}\n{{else}}{{/if}}",
	    "x.html:2: {{else}} after {{else}} in {{#if}} (opened on line 1)");
	parse_fails("x.html", "{{#unless a}}\n{{#elif b}}{{/unless}}",
	    "x.html:2: {{#elif}} inside {{#unless}} (opened on line 1)");
	parse_fails("x.html", "{{#each a}}\n{{else}}{{/each}}",
	    "x.html:2: {{else}} inside {{#each}} (opened on line 1)");
	parse_fails("x.html", "{{#if a}}{{else if b}}{{/if}}",
	    "x.html:1: unknown tag '{{else if b}}' (for another condition "
	    "write {{#elif x}})");
	parse_fails("x.html", "{{#else}}", "x.html:1: unknown tag '{{#else}}'");
	parse_fails("x.html", "\n\n{{#foo bar}}",
	    "x.html:3: unknown tag '{{#foo}}'");
	parse_fails("x.html", "{{#if}}", "x.html:1: {{#if}} needs a name");
	parse_fails("x.html", "{{#each a b}}",
	    "x.html:1: {{#each}} takes one name, not 'a b'");
	parse_fails("x.html", "{{{ x }}}",
	    "x.html:1: '{{{' is not supported: use {{ raw! name }}");
	parse_fails("x.html", "a\nb {{ x", "x.html:2: '{{' is never closed "
	    "with '}}'");
	parse_fails("x.html", "{{  }}", "x.html:1: empty tag {{ }}");
	parse_fails("x.html", "{{ a..b }}", "x.html:1: bad name 'a..b'");
	parse_fails("x.html", "{{ .a }}", "x.html:1: bad name '.a'");
	parse_fails("x.html", "{{ a. }}", "x.html:1: bad name 'a.'");
	parse_fails("x.html", "{{ a<b }}", "x.html:1: bad name 'a<b'");
	parse_fails("x.html", "{{ @key }}", "x.html:1: unknown name '@key'");
	parse_fails("x.html", "{{ a b c }}", "x.html:1: unknown tag '{{a b c}}'");
	parse_fails("x.html", "{{ raw! }}", "x.html:1: {{ raw! }} needs a name");
	parse_fails("x.html", "{{ url }}x{{ json }}",
	    "x.html:1: {{ url }} needs a name");
	parse_fails("x.html", "{{ raw x }}", "x.html:1: unknown tag "
	    "'{{raw x}}' (unescaped output is written raw!)");
	parse_fails("x.html", "{{ 9x y }}", "x.html:1: unknown tag '{{9x y}}'");
	parse_fails("x.html", "{{ yield x }}",
	    "x.html:1: unknown tag '{{yield x}}'");
	parse_fails("x.html", "{{ _(\"abc) }}",
	    "x.html:1: '{{' is never closed with '}}'");
	parse_fails("x.html", "{{ _(\"abc\n\") }}",
	    "x.html:1: bad string literal in _(): line break or NUL inside");
	parse_fails("x.html", "{{ _(\"a\\\nb\") }}",
	    "x.html:1: bad string literal in _(): line break or NUL inside");
	parse_fails("x.html", "{{ _(\"abc\\",
	    "x.html:1: '{{' is never closed with '}}'");
	parse_fails("x.html", "\n{{ _(\"a\\q\") }}",
	    "x.html:2: bad string literal in _(): unknown escape '\\q'");
	parse_fails("x.html", "{{ _(\"\") }}",
	    "x.html:1: bad string literal in _(): empty");
	parse_fails("x.html", "{{ _(\"a\" \"b\") }}",
	    "x.html:1: bad string literal in _(): expected ')' after the "
	    "string");
	parse_fails("x.html", "{{ _(abc) }}",
	    "x.html:1: bad string literal in _(): expected a \"string\"");
	parse_fails("x.html", "{{ _('a') }}",
	    "x.html:1: bad string literal in _(): expected a \"string\"");
	parse_fails("x.html", "{{ _(\"a\") x }}",
	    "x.html:1: unexpected 'x' after _(…)");
	/* Only the spelling scripts/tmpl-strings.sh finds. */
	parse_fails("x.html", "{{ _ (\"a\") }}", FORM);
	parse_fails("x.html", "{{ _( \"a\") }}", FORM);
	parse_fails("x.html", "{{ _(\n\"a\") }}", FORM);
	parse_fails("x.html", "{{ _(\"a\" ) }}", FORM);
	parse_fails("x.html", "{{\t_(\"a\") }}", FORM);
	parse_fails("x.html", "{{ _(\"a\")\n}}", FORM);
	assert_int_equal(tmpl_parse_check("x.html",
	    "{{_(\"a\")}}{{   _(\"b\")  }}", 25, NULL, 0), 0);
	/* Line numbers count the lines inside earlier tags and comments. */
	parse_fails("x.html", "{{!\n\n}}{{#if\na}}\n{{ a..b }}",
	    "x.html:5: bad name 'a..b'");
}

static void
test_nesting_limit(void **state)
{
	char src[2048];
	char *p = src;
	int i;

	for (i = 0; i < 64; i++)
		p += sprintf(p, "{{#if a}}");
	for (i = 0; i < 64; i++)
		p += sprintf(p, "{{/if}}");
	assert_int_equal(tmpl_parse_check("deep.html", src, strlen(src), NULL,
	    0), 0);
	p = src;
	for (i = 0; i < 65; i++)
		p += sprintf(p, "{{#if a}}");
	parse_fails("deep.html", src,
	    "deep.html:1: blocks nested deeper than 64");
}

static void
test_file_errors(void **state)
{
	struct t *t = *state;
	char dir[PATH_MAX + 16];
	const char *dirs[1];
	struct tmpl_set *set;

	snprintf(dir, sizeof(dir), "%s/broken", fixtures);
	dirs[0] = dir;
	set = tmpl_set_new(dirs, 1);
	assert_int_equal(tmpl_load(set, "missing-partial.html", t->err,
	    sizeof(t->err)), -1);
	assert_string_equal(t->err,
	    "missing-partial.html:3: partial 'nope.html' not found");
	assert_int_equal(tmpl_load(set, "unclosed.html", t->err,
	    sizeof(t->err)), -1);
	assert_string_equal(t->err,
	    "unclosed.html:2: {{#each}} opened here is never closed");
	assert_int_equal(tmpl_load(set, "uses-broken.html", t->err,
	    sizeof(t->err)), -1);
	assert_string_equal(t->err, "partials/bad.html:2: bad name 'foo..bar'");
	assert_int_equal(tmpl_load(set, "nope.html", t->err, sizeof(t->err)),
	    -1);
	assert_string_equal(t->err, "template 'nope.html' not found");
	/* Filters are known only when rendering. */
	assert_int_equal(tmpl_load(set, "filter.html", t->err,
	    sizeof(t->err)), 0);
	assert_int_equal(tmpl_render(set, "filter.html", NULL, NULL, &t->env,
	    &t->out, t->err, sizeof(t->err)), -1);
	assert_string_equal(t->err, "filter.html:3: unknown filter 'monye'");
	/* A failed load is not cached: it fails the same way again. */
	assert_int_equal(tmpl_load(set, "missing-partial.html", t->err,
	    sizeof(t->err)), -1);
	assert_string_equal(t->err,
	    "missing-partial.html:3: partial 'nope.html' not found");
	/* load_all reports the first error and counts the others. */
	t->err[0] = '\0';
	assert_int_equal(tmpl_load_all(set, t->err, sizeof(t->err)), -1);
	assert_non_null(strstr(t->err, "more errors)"));
	assert_non_null(strstr(t->err, ".html:"));
	tmpl_set_free(set);

	/* Small error buffers are safe. */
	assert_int_equal(tmpl_parse_check("x.html", "{{#if a}}", 9, t->err, 5),
	    -1);
	assert_string_equal(t->err, "x.ht");
}

static void
test_comments_and_text(void **state)
{
	struct t *t = *state;

	assert_string_equal(render(t, "a{{! note }}b{{!-- {{ x --}}c{{!}}d",
	    "{\"x\":1}"), "abcd");
	assert_string_equal(render(t, "}} { } {x} }}}", "{}"),
	    "}} { } {x} }}}");
	assert_string_equal(render(t, "", "{}"), "");
	assert_string_equal(render(t, "{{x}}", "{\"x\":\"\"}"), "");
}

static void
test_load_cache(void **state)
{
	struct t *t = *state;
	struct tmpl_set *set = fixture_set(1);
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(tmpl_load(set, "layout.html", t->err,
		    sizeof(t->err)), 0);
	assert_int_equal(tmpl_load_all(set, t->err, sizeof(t->err)), 0);
	/* Many templates: the table grows. */
	for (i = 0; i < 300; i++) {
		char name[32];

		snprintf(name, sizeof(name), "gen/%d.html", i);
		assert_int_equal(tmpl_set_add(set, name, name, strlen(name),
		    t->err, sizeof(t->err)), 0);
	}
	for (i = 0; i < 300; i += 37) {
		char name[32];

		snprintf(name, sizeof(name), "gen/%d.html", i);
		buf_reset(&t->out);
		assert_int_equal(tmpl_render(set, name, NULL, NULL, &t->env,
		    &t->out, t->err, sizeof(t->err)), 0);
		assert_string_equal(buf_cstr(&t->out), name);
	}
	tmpl_set_free(set);
}

/* --- gettext extraction and speed ------------------------------------------------ */

/* Does the output of cmd have a line "msgid \"m\"" for each m? */
static int
extracts(const char *cmd, const char *const *msgids, size_t n)
{
	char line[512];
	FILE *fp;
	size_t i, found = 0;
	unsigned long seen = 0;

	assert_non_null(fp = popen(cmd, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		for (i = 0; i < n; i++) {
			char want[256];

			snprintf(want, sizeof(want), "msgid \"%s\"\n", msgids[i]);
			if (strcmp(line, want) == 0 && !(seen & (1UL << i))) {
				seen |= 1UL << i;
				found++;
			}
		}
	pclose(fp);
	return found == n;
}

static void
test_xgettext(void **state)
{
	static const char *const text[] = {
		"Zamówienia", "Tom & Jerry", "Say \\\"hi\\\"", "Next page"
	};
	static const char *const all[] = {
		"Zamówienia", "Tom & Jerry", "Say \\\"hi\\\"", "Search orders",
		"Next page"
	};
	char cmd[3 * PATH_MAX], script[PATH_MAX + 64];
	const char *top = getenv("top_srcdir");

	if (system("xgettext --version >/dev/null 2>&1") != 0)
		skip();
	/* xgettext on the template itself finds what stands outside
	 * attribute values. */
	snprintf(cmd, sizeof(cmd), "xgettext -L C --from-code=UTF-8 "
	    "--keyword=_ -o - '%s/base/i18n.html' 2>/dev/null", fixtures);
	assert_true(extracts(cmd, text, 4));
	/* The project's way finds them all (when the script is there). */
	snprintf(script, sizeof(script), "%s/scripts/tmpl-strings.sh",
	    top ? top : ".");
	if (access(script, R_OK) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s/base' | xgettext -L C "
	    "--from-code=UTF-8 --keyword=_ -o - - 2>/dev/null", script,
	    fixtures);
	assert_true(extracts(cmd, all, 5));
}

static void
test_speed(void **state)
{
	struct t *t = *state;
	struct tmpl_set *set = fixture_set(1);
	struct timespec a, b;
	json_t *ctx, *rows;
	double us;
	int i, n = 20000;
	size_t held;

	rows = json_array();
	for (i = 0; i < 50; i++)
		json_array_append_new(rows, json_pack("{s:i, s:s, s:s, s:i, s:s}",
		    "id", 1000 + i, "name", "Okna & Drzwi Sp. z o.o.",
		    "city", "Kraków", "qty", i * 3, "note", "<brak>"));
	ctx = json_pack("{s:o}", "rows", rows);
	assert_int_equal(tmpl_render(set, "rows.html", NULL, ctx, &t->env,
	    &t->out, t->err, sizeof(t->err)), 0);
	assert_non_null(strstr(buf_cstr(&t->out), "<tr><td>1049</td><td>"
	    "Okna &amp; Drzwi Sp. z o.o.</td><td>Kraków</td><td>147</td>"
	    "<td>&lt;brak&gt;</td></tr>\n</table>"));
	held = arena_held(t->arena);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		buf_reset(&t->out);
		tmpl_render(set, "rows.html", NULL, ctx, &t->env, &t->out,
		    t->err, sizeof(t->err));
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((double)(b.tv_sec - a.tv_sec) * 1e6 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e3) / n;
	printf("# rendering 50 rows x 5 fields: %.2f us (%zu bytes)\n", us,
	    t->out.len);
	/* Rendering takes no arena memory when no filter runs. */
	assert_int_equal(arena_used(t->arena), 0);
	assert_int_equal(arena_held(t->arena), held);
	json_decref(ctx);
	tmpl_set_free(set);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_url_escape),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping_contexts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_unknown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_if_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_falsy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partials_memory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_partial_recursion, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_runaway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_traversal, setup, teardown),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test_setup_teardown(test_file_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_comments_and_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_cache, setup, teardown),
		cmocka_unit_test(test_xgettext),
		cmocka_unit_test_setup_teardown(test_speed, setup, teardown),
	};

	char path[PATH_MAX + 32];

	/* Absolute, for the symbolic link in test_traversal. */
	snprintf(path, sizeof(path), "%s/tests/unit/templates",
	    top ? top : ".");
	if (realpath(path, fixtures) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
