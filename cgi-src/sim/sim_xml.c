/*
 * sim_xml.c: XML out and in for the simulator.
 *
 * Out: every element is written through x_esc(), which escapes the five
 * markup characters and replaces what XML 1.0 cannot carry (C0 controls
 * other than tab, newline and carriage return; invalid UTF-8) with '?',
 * so that no stored text can break the envelope.  Elements are written
 * with the `o:` prefix bound to SIM_NS in the envelope.
 *
 * In: x_parse() uses libxml2 with XML_PARSE_NONET and without
 * XML_PARSE_DTDLOAD / XML_PARSE_NOENT, and installs SAX hooks that stop
 * the parser at the first DOCTYPE or entity declaration: a SOAP request
 * never needs one, and refusing it up front closes XXE and entity
 * expansion (billion laughs) whatever libxml2's defaults are.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "sim.h"

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

void
x_esc(struct buf *b, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, run = 0, l;

	while (i < n) {
		unsigned char c = s[i];
		const char *rep = NULL;

		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		else if (c == '\'')
			rep = "&apos;";
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			rep = "?";
		else if (c == '\r')
			rep = "&#13;";
		if (rep != NULL) {
			buf_put(b, text + run, i - run);
			buf_puts(b, rep);
			run = ++i;
			continue;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		l = utf8_len(s + i, n - i);
		if (l == 0) {
			buf_put(b, text + run, i - run);
			buf_putc(b, '?');
			run = ++i;
			continue;
		}
		i += l;
	}
	buf_put(b, text + run, n - run);
}

void
x_open(struct buf *b, const char *name)
{
	buf_puts(b, "<o:");
	buf_puts(b, name);
	buf_putc(b, '>');
}

void
x_close(struct buf *b, const char *name)
{
	buf_puts(b, "</o:");
	buf_puts(b, name);
	buf_putc(b, '>');
}

void
x_text(struct buf *b, const char *name, const char *text)
{
	if (text == NULL || *text == '\0') {
		buf_puts(b, "<o:");
		buf_puts(b, name);
		buf_puts(b, "/>");
		return;
	}
	x_open(b, name);
	x_esc(b, text, strlen(text));
	x_close(b, name);
}

void
x_int(struct buf *b, const char *name, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	x_open(b, name);
	buf_puts(b, num);
	x_close(b, name);
}

void
x_bool(struct buf *b, const char *name, int v)
{
	x_open(b, name);
	buf_puts(b, v ? "true" : "false");
	x_close(b, name);
}

void
x_date(struct buf *b, const char *name, int64_t t)
{
	char d[20];

	sim_date1c(t, d);
	x_open(b, name);
	buf_puts(b, d);
	x_close(b, name);
}

void
x_lang(struct buf *b, const char *name, const char *lang, const char *text)
{
	buf_puts(b, "<o:");
	buf_puts(b, name);
	buf_puts(b, " lang=\"");
	buf_puts(b, lang);
	buf_puts(b, "\">");
	if (text != NULL)
		x_esc(b, text, strlen(text));
	x_close(b, name);
}

static int
x_is(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, SIM_NS) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

xmlNode *
x_child(xmlNode *n, const char *name)
{
	xmlNode *c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (x_is(c, name))
			return c;
	return NULL;
}

xmlNode *
x_next(xmlNode *n, const char *name)
{
	for (n = n ? n->next : NULL; n != NULL; n = n->next)
		if (x_is(n, name))
			return n;
	return NULL;
}

char *
x_child_text(struct arena *a, xmlNode *n, const char *name)
{
	xmlNode *c = x_child(n, name);
	xmlChar *t;
	char *r;

	if (c == NULL)
		return NULL;
	t = xmlNodeGetContent(c);
	r = arena_strdup(a, t ? (const char *)t : "");
	xmlFree(t);
	/* trim surrounding whitespace: values never carry it meaningfully */
	{
		size_t l = strlen(r);
		char *s = r;

		while (l > 0 && (r[l - 1] == ' ' || r[l - 1] == '\n' ||
		    r[l - 1] == '\t' || r[l - 1] == '\r'))
			r[--l] = '\0';
		while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
			s++;
		r = s;
	}
	return r;
}

struct x_guard {
	int	refused;
};

static void
x_sax_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr c = ctx;
	struct x_guard *g = c->_private;

	(void)name; (void)eid; (void)sid;
	g->refused = 1;
	xmlStopParser(c);
}

static void
x_sax_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pid,
    const xmlChar *sid, xmlChar *content)
{
	xmlParserCtxtPtr c = ctx;
	struct x_guard *g = c->_private;

	(void)name; (void)type; (void)pid; (void)sid; (void)content;
	g->refused = 1;
	xmlStopParser(c);
}

static void
x_silent(void *ctx, const char *msg, ...)
{
	(void)ctx; (void)msg;
}

static void
x_silent_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx; (void)e;
}

xmlDoc *
x_parse(const char *p, size_t n, const char **why)
{
	xmlParserCtxtPtr c;
	struct x_guard g = { 0 };
	xmlDoc *doc;

	*why = NULL;
	if (n > 0x7fffffff) {
		*why = "request too large";
		return NULL;
	}
	if ((c = xmlNewParserCtxt()) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	c->_private = &g;
	c->sax->internalSubset = x_sax_subset;
	c->sax->externalSubset = x_sax_subset;
	c->sax->entityDecl = x_sax_entity;
	c->sax->error = x_silent;
	c->sax->warning = x_silent;
	c->sax->serror = x_silent_structured;
	c->vctxt.error = x_silent;
	c->vctxt.warning = x_silent;
	doc = xmlCtxtReadMemory(c, p, (int)n, "request.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (g.refused) {
		if (doc)
			xmlFreeDoc(doc);
		doc = NULL;
		*why = "DOCTYPE and entity declarations are not accepted";
	} else if (doc == NULL || !c->wellFormed) {
		if (doc)
			xmlFreeDoc(doc);
		doc = NULL;
		*why = "request is not well-formed XML";
	} else if (doc->intSubset != NULL || doc->extSubset != NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
		*why = "DOCTYPE is not accepted";
	}
	xmlFreeParserCtxt(c);
	return doc;
}
