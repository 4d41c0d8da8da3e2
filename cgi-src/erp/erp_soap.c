/*
 * erp_soap.c: the SOAP 1.1 transport of the ERP client (erp.h), speaking
 * doc/oknoerp/contract.md over HTTP(S) with libcurl and libxml2.
 *
 * How it works.
 *
 * HTTP.  One easy handle (kept for connection reuse) driven through a multi
 * handle, so that the XML parser can *pull* the response: the xmlReader's
 * read callback (xfer_read) pumps curl_multi_perform/curl_multi_poll until
 * the write callback has put bytes in a small buffer, hands them over, and
 * returns 0 at the end of the transfer (-1 if the transfer failed).  Only
 * what the parser has not consumed yet is buffered (one socket read or so),
 * whatever the size of the response.  TLS certificates and host names are
 * verified (CURLOPT_SSL_VERIFYPEER/HOST are never turned off; erp_ca_file
 * names another CA bundle), only http and https are allowed, redirects are
 * not followed, and every request has a connect and a total timeout.
 * Credentials go as HTTP Basic.  Connections are kept alive between
 * requests, except for writes (CreateOrder, CreateCustomer), which get a
 * fresh connection so that libcurl can never re-send one on its own.
 *
 * Records.  The reader walks Envelope > Body > the operation's response
 * element; each record element (o:product, o:change ...) is expanded into a
 * small DOM subtree (xmlTextReaderExpand), decoded into the typed record of
 * erp.h in the caller's arena, serialised canonically as its payload, and
 * handed to the callback; moving on (xmlTextReaderNext) frees the subtree.
 * So memory holds one record's tree, not the page.  Unknown elements are
 * skipped (forward compatibility, contract section 1).  A record whose
 * values do not decode (a bad number, date or uuid) is still handed over,
 * with rec->invalid saying why, so the sync can record it and go on.
 *
 * Documents (GetFile, GetInvoicePdf/Xml) are parsed with a SAX push parser
 * fed straight from curl's write callback, and the base64 content is
 * decoded in pieces into the caller's sink: a file of any size needs a few
 * KiB here.
 *
 * Safety.  Parser options: XML_PARSE_NONET, no DTD loading or validation,
 * no entity substitution; a DOCTYPE is refused (the reader stops at the
 * document type node, the SAX parser at its internalSubset event), so no
 * entity is ever declared.  libxml2's own size limits stay on (no
 * XML_PARSE_HUGE).  Parser errors are collected, never printed.
 *
 * Faults.  soap:Fault with detail/o:code maps to ERP_E_AUTH ... INTERNAL
 * (with message, field, retry_after; the HTTP Retry-After header counts
 * too).  Failing that, curl's result, the HTTP status and the parser's
 * verdict give the transport errors: CONNECT (nothing sent), TIMEOUT,
 * DROPPED, HTTP, XML, TRUNCATED (the body ended early), PROTOCOL (a
 * well-formed answer without what was asked for).
 *
 * Memory: the client and its buffers are malloc'd for the client's life;
 * records and their strings come from the caller's arena.
 *
 * Feeding from memory.  erp_soap_set_feed() (for the fuzz harness and
 * tests) replaces libcurl below xfer_pump(): a call builds its request as
 * usual but sends nothing, and each pump hands the next piece of a body in
 * memory to xfer_write(), as curl's write callback would, so everything
 * above it (the reader's pull, the SAX push parser, the verdicts) is the
 * code the network path runs.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "arena.h"
#include "erp.h"

#define SOAP_NS		"http://schemas.xmlsoap.org/soap/envelope/"
#define ERP_NS		"urn:oknoerp:portal:1"
#define SOAP_ACTION	"urn:oknoerp:portal:1#"
/* Reader options: see "Safety" above.  NOCDATA merges CDATA into text. */
#define XML_OPTS	(XML_PARSE_NONET | XML_PARSE_NOCDATA | \
			 XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

struct soap {
	struct erp	 base;		/* first: a struct soap is a struct erp */
	CURLM		*multi;
	CURL		*easy;
	char		*url;
	char		*user;
	char		*password;
	char		*ca_file;
	long		 timeout_s;
	long		 connect_timeout_s;
	struct buf	 req;		/* request body */
	/* the transfer in progress */
	struct buf	 in;		/* received, not yet parsed */
	size_t		 in_off;
	int		 done;		/* curl finished (well or not) */
	CURLcode	 result;
	int		 retry_after_hdr;
	char		 tail[32];	/* the answer's last bytes */
	size_t		 tail_len;
	char		 curl_err[CURL_ERROR_SIZE];
	/* the parser's first complaint */
	char		 xml_err[256];
	int		 doctype;	/* a DOCTYPE was seen and refused */
	/* document mode (SAX): the write callback feeds this parser */
	xmlParserCtxtPtr sax;
	int		 sax_failed;	/* it failed: the rest is only read */
	struct docstate	*doc;
	/* erp_soap_set_feed(): the answer comes from here, not from curl */
	erp_soap_feed_fn feed;
	void		*feed_ctx;
	long		 feed_status;
};

/* ---- small helpers ---- */

static void
xml_quiet(void *ctx, const char *msg, ...)
{
}

static void
xml_structured(void *ctx, xmlErrorPtr e)
{
	struct soap *c = ctx;

	if (c->xml_err[0] == '\0' && e != NULL && e->message != NULL) {
		snprintf(c->xml_err, sizeof(c->xml_err), "line %d: %s",
		    e->line, e->message);
		c->xml_err[strcspn(c->xml_err, "\n")] = '\0';
	}
}

/* The length of the longest prefix of s[0..len) that does not end inside a
 * UTF-8 sequence: what a cut may keep of UTF-8 text. */
static size_t
utf8_whole(const char *s, size_t len)
{
	size_t i = len, need;
	unsigned char c;

	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || (c = (unsigned char)s[i - 1]) < 0xc0)
		return len;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	return len - (i - 1) < need ? i - 1 : len;
}

/* src into dst (dstsz > 0 bytes), cut at a character if it must be. */
static void
copy_str(char *dst, size_t dstsz, const char *src)
{
	size_t len = strlen(src);

	if (len >= dstsz)
		len = utf8_whole(src, dstsz - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Append s to b with XML escaping (text and attribute values alike). */
static void
put_esc(struct buf *b, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\r':
			buf_puts(b, "&#13;");
			break;
		default:
			buf_putc(b, *p);
		}
	}
}

/* The same for an attribute value in canonical XML: tab and line feed as
 * character references too, or a parser would read them back as spaces. */
static void
put_esc_attr(struct buf *b, const char *s)
{
	char one[2] = { '\0', '\0' };

	for (; *s != '\0'; s++) {
		if (*s == '\t')
			buf_puts(b, "&#9;");
		else if (*s == '\n')
			buf_puts(b, "&#10;");
		else {
			one[0] = *s;
			put_esc(b, one);
		}
	}
}

/* <o:name>escaped text</o:name> */
static void
put_el(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<o:%s>", name);
	put_esc(b, text);
	buf_printf(b, "</o:%s>", name);
}

static void
put_int(struct buf *b, const char *name, int64_t v)
{
	buf_printf(b, "<o:%s>%lld</o:%s>", name, (long long)v, name);
}

static void
req_begin(struct soap *c, const char *op)
{
	buf_reset(&c->req);
	buf_printf(&c->req, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<soap:Envelope xmlns:soap=\"" SOAP_NS "\" xmlns:o=\"" ERP_NS "\">"
	    "<soap:Body><o:%s>", op);
}

static void
req_end(struct soap *c, const char *op)
{
	buf_printf(&c->req, "</o:%s></soap:Body></soap:Envelope>\n", op);
}

/* Non-zero if n is an element of namespace ns named name (NULL: any
 * name).  A local name with a colon (from a malformed QName, which libxml2
 * only warns about) is nobody's: canonical XML could not say it again. */
static int
is_el(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0 &&
	    strchr((const char *)n->name, ':') == NULL &&
	    (name == NULL || strcmp((const char *)n->name, name) == 0);
}

/* ---- decoding records from an expanded subtree ---- */

struct dec {
	struct soap	*c;
	struct arena	*a;
	const char	*invalid;	/* first problem, or NULL */
};

static void dec_bad(struct dec *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
dec_bad(struct dec *d, const char *fmt, ...)
{
	va_list ap;

	if (d->invalid != NULL)
		return;
	va_start(ap, fmt);
	d->invalid = arena_vprintf(d->a, fmt, ap);
	va_end(ap);
}

/* Non-zero if n has an element child (of any namespace). */
static int
has_element(xmlNodePtr n)
{
	xmlNodePtr k;

	for (k = n->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* The text of child k that counts (as canon() writes it and d_text()
 * reads it), or NULL: text and CDATA only, and no white space between
 * elements (has_el: k's parent has an element child). */
static const char *
kept_text(xmlNodePtr k, int has_el)
{
	const char *s;

	if ((k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE) ||
	    k->content == NULL)
		return NULL;
	s = (const char *)k->content;
	if (*s == '\0' || (has_el && s[strspn(s, " \t\r\n")] == '\0'))
		return NULL;
	return s;
}

/* The text of an element (its text children joined, see kept_text());
 * "" if none. */
static const char *
d_text(struct dec *d, xmlNodePtr n)
{
	xmlNodePtr t;
	struct buf b = BUF_INIT;
	const char *s;
	int has_el;

	t = n->children;
	if (t == NULL)
		return "";
	if (t->next == NULL && (t->type == XML_TEXT_NODE ||
	    t->type == XML_CDATA_SECTION_NODE) && t->content != NULL)
		return arena_strdup(d->a, (const char *)t->content);
	has_el = has_element(n);
	for (; t != NULL; t = t->next)
		if ((s = kept_text(t, has_el)) != NULL)
			buf_puts(&b, s);
	s = arena_strdup(d->a, buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* The same, with surrounding white space removed (for values). */
static const char *
d_val(struct dec *d, xmlNodePtr n)
{
	const char *s = d_text(d, n);
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	if (len > 0 && isspace((unsigned char)s[len - 1])) {
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		return arena_strndup(d->a, s, len);
	}
	return s;
}

static int64_t
d_int(struct dec *d, xmlNodePtr n)
{
	const char *s = d_val(d, n);
	int64_t v;

	if (erp_int_parse(s, &v) == -1) {
		dec_bad(d, "%s: not an integer: \"%.40s\"", (const char *)n->name,
		    s);
		return 0;
	}
	return v;
}

static int
d_bool(struct dec *d, xmlNodePtr n)
{
	const char *s = d_val(d, n);

	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return 0;
	dec_bad(d, "%s: not a boolean: \"%.40s\"", (const char *)n->name, s);
	return 0;
}

static int64_t
d_date(struct dec *d, xmlNodePtr n)
{
	const char *s = d_val(d, n);
	int64_t t;

	if (erp_date_parse(s, d->c->base.utc_offset_min, &t) == -1) {
		dec_bad(d, "%s: not a 1C date: \"%.40s\"", (const char *)n->name,
		    s);
		return 0;
	}
	return t;
}

/* A uuid that must be present and well-formed. */
static const char *
d_uuid(struct dec *d, xmlNodePtr n)
{
	const char *s = d_val(d, n);

	if (!erp_uuid_valid(s))
		dec_bad(d, "%s: not a uuid: \"%.40s\"", (const char *)n->name, s);
	return s;
}

/* A reference: a uuid or empty. */
static const char *
d_ref(struct dec *d, xmlNodePtr n)
{
	const char *s = d_val(d, n);

	if (*s != '\0' && !erp_uuid_valid(s))
		dec_bad(d, "%s: not a uuid: \"%.40s\"", (const char *)n->name, s);
	return s;
}

/* An unqualified attribute's value, or "". */
static const char *
d_attr(struct dec *d, xmlNodePtr n, const char *name)
{
	xmlAttrPtr p;

	for (p = n->properties; p != NULL; p = p->next)
		if (p->ns == NULL && strcmp((const char *)p->name, name) == 0 &&
		    p->children != NULL && p->children->content != NULL)
			return arena_strdup(d->a,
			    (const char *)p->children->content);
	return "";
}

/* Growable arrays in the arena: *v has *n elements of size sz and room
 * for *cap; returns a zeroed new element. */
static void *
vec_push(struct arena *a, void *vp, size_t *n, size_t *cap, size_t sz)
{
	void **v = vp;
	void *nv;

	if (*n == *cap) {
		*cap = *cap == 0 ? 4 : *cap * 2;
		nv = arena_alloc(a, *cap * sz);
		if (*n > 0)
			memcpy(nv, *v, *n * sz);
		*v = nv;
	}
	memset((char *)*v + *n * sz, 0, sz);
	return (char *)*v + (*n)++ * sz;
}

static void
d_ltext(struct dec *d, xmlNodePtr n, struct erp_ltexts *t, size_t *cap)
{
	struct erp_ltext *lt;

	lt = vec_push(d->a, &t->v, &t->n, cap, sizeof(*lt));
	lt->lang = d_attr(d, n, "lang");
	lt->text = d_text(d, n);
}

static void
d_str(struct dec *d, const char *s, struct erp_strs *v, size_t *cap)
{
	const char **p;

	p = vec_push(d->a, &v->v, &v->n, cap, sizeof(*p));
	*p = s;
}

#define NAME(n, s)	(strcmp((const char *)(n)->name, (s)) == 0)
#define EACH(n, parent)	for ((n) = (parent)->children; (n) != NULL; \
			    (n) = (n)->next) if (is_el((n), ERP_NS, NULL))

static void
d_fileref(struct dec *d, xmlNodePtr e, struct erp_fileref *f)
{
	xmlNodePtr n;

	f->uuid = f->file_name = f->content_type = f->sha256 = "";
	EACH(n, e) {
		if (NAME(n, "uuid"))
			f->uuid = d_uuid(d, n);
		else if (NAME(n, "file_name"))
			f->file_name = d_text(d, n);
		else if (NAME(n, "content_type"))
			f->content_type = d_val(d, n);
		else if (NAME(n, "size"))
			f->size = d_int(d, n);
		else if (NAME(n, "sha256"))
			f->sha256 = d_val(d, n);
	}
}

static void
d_address(struct dec *d, xmlNodePtr e, struct erp_address *ad)
{
	xmlNodePtr n;

	ad->uuid = ad->kind = ad->name = ad->street = ad->postcode =
	    ad->city = ad->country = "";
	EACH(n, e) {
		if (NAME(n, "uuid"))
			ad->uuid = d_ref(d, n);
		else if (NAME(n, "kind"))
			ad->kind = d_val(d, n);
		else if (NAME(n, "name"))
			ad->name = d_text(d, n);
		else if (NAME(n, "street"))
			ad->street = d_text(d, n);
		else if (NAME(n, "postcode"))
			ad->postcode = d_val(d, n);
		else if (NAME(n, "city"))
			ad->city = d_text(d, n);
		else if (NAME(n, "country"))
			ad->country = d_val(d, n);
	}
}

static void
d_contact(struct dec *d, xmlNodePtr e, struct erp_contact *ct)
{
	xmlNodePtr n;

	ct->uuid = ct->name = ct->email = ct->phone = ct->role = "";
	EACH(n, e) {
		if (NAME(n, "uuid"))
			ct->uuid = d_ref(d, n);
		else if (NAME(n, "name"))
			ct->name = d_text(d, n);
		else if (NAME(n, "email"))
			ct->email = d_val(d, n);
		else if (NAME(n, "phone"))
			ct->phone = d_val(d, n);
		else if (NAME(n, "role"))
			ct->role = d_text(d, n);
	}
}

/* Canonical XML of a subtree: elements of the contract's namespace by
 * local name (the root declares it as the default namespace), their
 * unqualified attributes, text; white space between elements dropped,
 * foreign elements and comments left out, an element left with nothing
 * written as empty.  Same record, same bytes; and the canonical text of
 * canonical text is itself (erp_decode() of a payload gives it back). */
static void
canon(struct buf *b, xmlNodePtr n, int root)
{
	xmlNodePtr k;
	xmlAttrPtr p;
	const char *s;
	int has_el = has_element(n), empty = 1;

	buf_printf(b, "<%s", (const char *)n->name);
	if (root)
		buf_puts(b, " xmlns=\"" ERP_NS "\"");
	for (p = n->properties; p != NULL; p = p->next) {
		if (p->ns != NULL)
			continue;
		buf_printf(b, " %s=\"", (const char *)p->name);
		if (p->children != NULL && p->children->content != NULL)
			put_esc_attr(b, (const char *)p->children->content);
		buf_putc(b, '"');
	}
	for (k = n->children; k != NULL && empty; k = k->next)
		if (is_el(k, ERP_NS, NULL) || kept_text(k, has_el) != NULL)
			empty = 0;
	if (empty) {
		buf_puts(b, "/>");
		return;
	}
	buf_putc(b, '>');
	for (k = n->children; k != NULL; k = k->next) {
		if (is_el(k, ERP_NS, NULL))
			canon(b, k, 0);
		else if ((s = kept_text(k, has_el)) != NULL)
			put_esc(b, s);
	}
	buf_printf(b, "</%s>", (const char *)n->name);
}

static const char *
d_canon(struct dec *d, xmlNodePtr n, size_t *lenp)
{
	struct buf b = BUF_INIT;
	char *s;

	canon(&b, n, 1);
	s = arena_memdup(d->a, b.p, b.len + 1);
	if (lenp != NULL)
		*lenp = b.len;
	buf_free(&b);
	return s;
}

static void *
dec_category(struct dec *d, xmlNodePtr e)
{
	struct erp_category *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t ncap = 0;
	xmlNodePtr n;

	r->uuid = r->parent = r->code = "";
	r->active = 1;
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "parent"))
			r->parent = d_ref(d, n);
		else if (NAME(n, "code"))
			r->code = d_val(d, n);
		else if (NAME(n, "name"))
			d_ltext(d, n, &r->name, &ncap);
		else if (NAME(n, "sort"))
			r->sort = d_int(d, n);
		else if (NAME(n, "active"))
			r->active = d_bool(d, n);
	}
	return r;
}

static void
dec_pattr(struct dec *d, xmlNodePtr e, struct erp_pattr *pa)
{
	size_t ncap = 0, vcap = 0;
	xmlNodePtr n;

	pa->code = "";
	EACH(n, e) {
		if (NAME(n, "code"))
			pa->code = d_val(d, n);
		else if (NAME(n, "name"))
			d_ltext(d, n, &pa->name, &ncap);
		else if (NAME(n, "value"))
			d_ltext(d, n, &pa->value, &vcap);
	}
}

static void *
dec_product(struct dec *d, xmlNodePtr e)
{
	struct erp_product *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t ncap = 0, dcap = 0, acap = 0, pcap = 0, fcap = 0, rcap = 0,
	    scap = 0, vcap = 0;
	xmlNodePtr n;

	r->uuid = r->code = r->category = r->unit = r->default_warehouse =
	    r->ruleset_code = "";
	r->active = 1;
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "code"))
			r->code = d_val(d, n);
		else if (NAME(n, "category"))
			r->category = d_ref(d, n);
		else if (NAME(n, "unit"))
			r->unit = d_val(d, n);
		else if (NAME(n, "vat"))
			r->vat_bp = d_int(d, n);
		else if (NAME(n, "name"))
			d_ltext(d, n, &r->name, &ncap);
		else if (NAME(n, "description"))
			d_ltext(d, n, &r->description, &dcap);
		else if (NAME(n, "attribute"))
			dec_pattr(d, n, vec_push(d->a, &r->attrs, &r->nattrs,
			    &acap, sizeof(*r->attrs)));
		else if (NAME(n, "photo"))
			d_fileref(d, n, vec_push(d->a, &r->photos, &r->nphotos,
			    &pcap, sizeof(*r->photos)));
		else if (NAME(n, "file"))
			d_fileref(d, n, vec_push(d->a, &r->files, &r->nfiles,
			    &fcap, sizeof(*r->files)));
		else if (NAME(n, "related"))
			d_str(d, d_uuid(d, n), &r->related, &rcap);
		else if (NAME(n, "substitute"))
			d_str(d, d_uuid(d, n), &r->substitutes, &scap);
		else if (NAME(n, "visible_in"))
			d_str(d, d_val(d, n), &r->visible_in, &vcap);
		else if (NAME(n, "default_warehouse"))
			r->default_warehouse = d_ref(d, n);
		else if (NAME(n, "ruleset_code"))
			r->ruleset_code = d_val(d, n);
		else if (NAME(n, "active"))
			r->active = d_bool(d, n);
	}
	return r;
}

static void *
dec_price(struct dec *d, xmlNodePtr e)
{
	struct erp_price *r = arena_calloc(d->a, 1, sizeof(*r));
	xmlNodePtr n;
	const char *s;

	r->uuid = r->product = r->currency = r->group = r->customer =
	    r->langver = "";
	r->kind = -1;
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "kind")) {
			s = d_val(d, n);
			if (strcmp(s, "catalogue") == 0)
				r->kind = ERP_PRICE_CATALOGUE;
			else if (strcmp(s, "group") == 0)
				r->kind = ERP_PRICE_GROUP;
			else if (strcmp(s, "customer") == 0)
				r->kind = ERP_PRICE_CUSTOMER;
			else
				dec_bad(d, "%s: unknown price kind \"%.40s\"",
				    "kind", s);
		} else if (NAME(n, "product"))
			r->product = d_uuid(d, n);
		else if (NAME(n, "currency"))
			r->currency = d_val(d, n);
		else if (NAME(n, "amount"))
			r->amount = d_int(d, n);
		else if (NAME(n, "group"))
			r->group = d_val(d, n);
		else if (NAME(n, "customer"))
			r->customer = d_ref(d, n);
		else if (NAME(n, "langver"))
			r->langver = d_val(d, n);
	}
	return r;
}

static void *
dec_currency(struct dec *d, xmlNodePtr e)
{
	struct erp_currency *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t ncap = 0;
	xmlNodePtr n;

	r->uuid = r->code = "";
	r->minor_digits = 2;
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "code"))
			r->code = d_val(d, n);
		else if (NAME(n, "name"))
			d_ltext(d, n, &r->name, &ncap);
		else if (NAME(n, "minor_digits"))
			r->minor_digits = d_int(d, n);
		else if (NAME(n, "rate"))
			r->rate_e6 = d_int(d, n);
		else if (NAME(n, "rate_date"))
			r->rate_date = d_date(d, n);
	}
	return r;
}

static void *
dec_warehouse(struct dec *d, xmlNodePtr e)
{
	struct erp_warehouse *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t ncap = 0;
	xmlNodePtr n;

	r->uuid = r->code = r->city = "";
	r->active = 1;
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "code"))
			r->code = d_val(d, n);
		else if (NAME(n, "name"))
			d_ltext(d, n, &r->name, &ncap);
		else if (NAME(n, "city"))
			r->city = d_text(d, n);
		else if (NAME(n, "active"))
			r->active = d_bool(d, n);
	}
	return r;
}

static void *
dec_stock(struct dec *d, xmlNodePtr e)
{
	struct erp_stock *r = arena_calloc(d->a, 1, sizeof(*r));
	xmlNodePtr n;

	r->uuid = r->warehouse = r->product = "";
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "warehouse"))
			r->warehouse = d_uuid(d, n);
		else if (NAME(n, "product"))
			r->product = d_uuid(d, n);
		else if (NAME(n, "quantity"))
			r->qty_milli = d_int(d, n);
	}
	return r;
}

static void *
dec_customer(struct dec *d, xmlNodePtr e)
{
	struct erp_customer *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t ccap = 0, acap = 0;
	xmlNodePtr n;

	r->uuid = r->code = r->name = r->nip = r->group = r->language =
	    r->currency = r->block_reason = r->email = r->phone =
	    r->default_warehouse = "";
	r->active = 1;
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "code"))
			r->code = d_val(d, n);
		else if (NAME(n, "name"))
			r->name = d_text(d, n);
		else if (NAME(n, "nip"))
			r->nip = d_val(d, n);
		else if (NAME(n, "group"))
			r->group = d_val(d, n);
		else if (NAME(n, "language"))
			r->language = d_val(d, n);
		else if (NAME(n, "currency"))
			r->currency = d_val(d, n);
		else if (NAME(n, "payment_days"))
			r->payment_days = d_int(d, n);
		else if (NAME(n, "discount"))
			r->discount_bp = d_int(d, n);
		else if (NAME(n, "credit_limit"))
			r->credit_limit = d_int(d, n);
		else if (NAME(n, "credit_used"))
			r->credit_used = d_int(d, n);
		else if (NAME(n, "overdue"))
			r->overdue = d_int(d, n);
		else if (NAME(n, "blocked"))
			r->blocked = d_bool(d, n);
		else if (NAME(n, "block_reason"))
			r->block_reason = d_text(d, n);
		else if (NAME(n, "active"))
			r->active = d_bool(d, n);
		else if (NAME(n, "email"))
			r->email = d_val(d, n);
		else if (NAME(n, "phone"))
			r->phone = d_val(d, n);
		else if (NAME(n, "default_warehouse"))
			r->default_warehouse = d_ref(d, n);
		else if (NAME(n, "contact"))
			d_contact(d, n, vec_push(d->a, &r->contacts,
			    &r->ncontacts, &ccap, sizeof(*r->contacts)));
		else if (NAME(n, "address"))
			d_address(d, n, vec_push(d->a, &r->addresses,
			    &r->naddresses, &acap, sizeof(*r->addresses)));
	}
	return r;
}

static void *
dec_ruleset(struct dec *d, xmlNodePtr e)
{
	struct erp_ruleset *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t ncap = 0;
	xmlNodePtr n;

	r->uuid = r->code = r->currency = r->bundle = "";
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "code"))
			r->code = d_val(d, n);
		else if (NAME(n, "version"))
			r->version = d_int(d, n);
		else if (NAME(n, "valid_from"))
			r->valid_from = d_date(d, n);
		else if (NAME(n, "name"))
			d_ltext(d, n, &r->name, &ncap);
		else if (NAME(n, "currency"))
			r->currency = d_val(d, n);
		else if (NAME(n, "bundle"))
			r->bundle = d_canon(d, n, NULL);
	}
	return r;
}

static void
dec_order_line(struct dec *d, xmlNodePtr e, struct erp_order_line *l)
{
	xmlNodePtr n;

	l->product = l->name = l->configuration_xml = "";
	EACH(n, e) {
		if (NAME(n, "line_no"))
			l->line_no = d_int(d, n);
		else if (NAME(n, "product"))
			l->product = d_ref(d, n);
		else if (NAME(n, "name"))
			l->name = d_text(d, n);
		else if (NAME(n, "quantity"))
			l->qty_milli = d_int(d, n);
		else if (NAME(n, "unit_net"))
			l->unit_net = d_int(d, n);
		else if (NAME(n, "net"))
			l->net = d_int(d, n);
		else if (NAME(n, "configuration"))
			l->configuration_xml = d_canon(d, n, NULL);
	}
}

static void *
dec_order(struct dec *d, xmlNodePtr e)
{
	struct erp_order *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t lcap = 0;
	xmlNodePtr n, k;

	r->uuid = r->number = r->external_ref = r->customer = r->status =
	    r->correction_note = r->currency = r->notes = r->wz_number =
	    r->carrier = r->waybill = "";
	d_address(d, e, &r->delivery);	/* all "" (no such children) */
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "number"))
			r->number = d_val(d, n);
		else if (NAME(n, "external_ref"))
			r->external_ref = d_val(d, n);
		else if (NAME(n, "customer"))
			r->customer = d_ref(d, n);
		else if (NAME(n, "status"))
			r->status = d_val(d, n);
		else if (NAME(n, "status_changed"))
			r->status_changed = d_date(d, n);
		else if (NAME(n, "created"))
			r->created = d_date(d, n);
		else if (NAME(n, "revision"))
			r->revision = d_int(d, n);
		else if (NAME(n, "correction_note"))
			r->correction_note = d_text(d, n);
		else if (NAME(n, "currency"))
			r->currency = d_val(d, n);
		else if (NAME(n, "net"))
			r->net = d_int(d, n);
		else if (NAME(n, "delivery_address"))
			d_address(d, n, &r->delivery);
		else if (NAME(n, "notes"))
			r->notes = d_text(d, n);
		else if (NAME(n, "line"))
			dec_order_line(d, n, vec_push(d->a, &r->lines,
			    &r->nlines, &lcap, sizeof(*r->lines)));
		else if (NAME(n, "release")) {
			r->has_release = 1;
			EACH(k, n) {
				if (NAME(k, "wz_number"))
					r->wz_number = d_val(d, k);
				else if (NAME(k, "date"))
					r->release_date = d_date(d, k);
			}
		} else if (NAME(n, "shipment")) {
			r->has_shipment = 1;
			EACH(k, n) {
				if (NAME(k, "carrier"))
					r->carrier = d_text(d, k);
				else if (NAME(k, "waybill"))
					r->waybill = d_val(d, k);
				else if (NAME(k, "date"))
					r->ship_date = d_date(d, k);
			}
		}
	}
	return r;
}

static void
dec_invoice_line(struct dec *d, xmlNodePtr e, struct erp_invoice_line *l)
{
	xmlNodePtr n;

	l->product = l->name = "";
	EACH(n, e) {
		if (NAME(n, "line_no"))
			l->line_no = d_int(d, n);
		else if (NAME(n, "product"))
			l->product = d_ref(d, n);
		else if (NAME(n, "name"))
			l->name = d_text(d, n);
		else if (NAME(n, "quantity"))
			l->qty_milli = d_int(d, n);
		else if (NAME(n, "unit_net"))
			l->unit_net = d_int(d, n);
		else if (NAME(n, "net"))
			l->net = d_int(d, n);
		else if (NAME(n, "vat_rate"))
			l->vat_rate_bp = d_int(d, n);
		else if (NAME(n, "vat"))
			l->vat = d_int(d, n);
		else if (NAME(n, "gross"))
			l->gross = d_int(d, n);
	}
}

static void *
dec_invoice(struct dec *d, xmlNodePtr e)
{
	struct erp_invoice *r = arena_calloc(d->a, 1, sizeof(*r));
	size_t lcap = 0;
	xmlNodePtr n;

	r->uuid = r->number = r->ksef_number = r->order = r->customer =
	    r->currency = "";
	EACH(n, e) {
		if (NAME(n, "uuid"))
			r->uuid = d_uuid(d, n);
		else if (NAME(n, "number"))
			r->number = d_val(d, n);
		else if (NAME(n, "ksef_number"))
			r->ksef_number = d_val(d, n);
		else if (NAME(n, "order"))
			r->order = d_ref(d, n);
		else if (NAME(n, "customer"))
			r->customer = d_ref(d, n);
		else if (NAME(n, "issued"))
			r->issued = d_date(d, n);
		else if (NAME(n, "sale_date"))
			r->sale_date = d_date(d, n);
		else if (NAME(n, "due_date"))
			r->due_date = d_date(d, n);
		else if (NAME(n, "currency"))
			r->currency = d_val(d, n);
		else if (NAME(n, "net"))
			r->net = d_int(d, n);
		else if (NAME(n, "vat"))
			r->vat = d_int(d, n);
		else if (NAME(n, "gross"))
			r->gross = d_int(d, n);
		else if (NAME(n, "paid"))
			r->paid = d_int(d, n);
		else if (NAME(n, "line"))
			dec_invoice_line(d, n, vec_push(d->a, &r->lines,
			    &r->nlines, &lcap, sizeof(*r->lines)));
	}
	return r;
}

static void *(*const decoders[ERP_ENTITY__MAX])(struct dec *, xmlNodePtr) = {
	[ERP_CATEGORY] = dec_category,
	[ERP_PRODUCT] = dec_product,
	[ERP_PRICE] = dec_price,
	[ERP_CURRENCY] = dec_currency,
	[ERP_WAREHOUSE] = dec_warehouse,
	[ERP_STOCK] = dec_stock,
	[ERP_CUSTOMER] = dec_customer,
	[ERP_RULESET] = dec_ruleset,
	[ERP_ORDER] = dec_order,
	[ERP_INVOICE] = dec_invoice,
};

/* Decode the record element e of entity ent into rec (uuid, payload,
 * union, invalid). */
static void
decode_record(struct soap *c, struct arena *a, enum erp_entity ent,
    xmlNodePtr e, struct erp_record *rec)
{
	struct dec d = { c, a, NULL };

	rec->entity = ent;
	rec->u.any = decoders[ent](&d, e);
	/* every record's first member is its uuid */
	rec->uuid = *(const char **)rec->u.any;
	if (*rec->uuid == '\0')
		dec_bad(&d, "no uuid");
	rec->payload = d_canon(&d, e, &rec->payload_len);
	rec->invalid = d.invalid;
}

/* ---- the HTTP transfer ---- */

static size_t
xfer_write(char *p, size_t size, size_t nmemb, void *ctx);

static size_t
xfer_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct soap *c = ctx;
	size_t len = size * nmemb;
	char line[128];

	if (len > 12 && len < sizeof(line) &&
	    strncasecmp(p, "Retry-After:", 12) == 0) {
		memcpy(line, p + 12, len - 12);
		line[len - 12] = '\0';
		c->retry_after_hdr = atoi(line);
	}
	return len;
}

/* Operations that change the ERP.  They go on a fresh connection that is
 * closed afterwards: libcurl silently re-sends a request whose reused
 * keep-alive connection died before any answer byte, which is right for
 * reads and acks (idempotent) but would hide an unknown outcome of a
 * write (contract 8.5: look it up before sending again). */
static int
is_write(const char *op)
{
	return strcmp(op, "CreateOrder") == 0 ||
	    strcmp(op, "CreateCustomer") == 0;
}

/* Start a POST of c->req for op.  0 or -1 (error set). */
static int
xfer_start(struct soap *c, const char *op)
{
	struct curl_slist *h = NULL;
	char action[128];

	buf_reset(&c->in);
	c->in_off = 0;
	c->done = 0;
	c->result = CURLE_OK;
	c->retry_after_hdr = 0;
	c->tail_len = 0;
	c->curl_err[0] = '\0';
	c->xml_err[0] = '\0';
	c->doctype = 0;
	if (c->feed != NULL)
		return 0;

	snprintf(action, sizeof(action), "SOAPAction: \"" SOAP_ACTION "%s\"",
	    op);
	h = curl_slist_append(h, "Content-Type: text/xml; charset=utf-8");
	h = curl_slist_append(h, action);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->req.p);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)c->req.len);
	curl_easy_setopt(c->easy, CURLOPT_PRIVATE, h);
	curl_easy_setopt(c->easy, CURLOPT_FRESH_CONNECT, is_write(op) ? 1L : 0L);
	curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, is_write(op) ? 1L : 0L);
	if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK) {
		curl_slist_free_all(h);
		erp_fail(&c->base, ERP_E_LOCAL, "curl_multi_add_handle failed");
		return -1;
	}
	return 0;
}

/* Stop the transfer (finished or not) and free its headers. */
static void
xfer_stop(struct soap *c)
{
	struct curl_slist *h = NULL;

	if (c->feed != NULL)
		return;
	curl_multi_remove_handle(c->multi, c->easy);
	curl_easy_getinfo(c->easy, CURLINFO_PRIVATE, (char **)&h);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->easy, CURLOPT_PRIVATE, NULL);
	curl_slist_free_all(h);
}

/* The feed's next piece to the write callback, as curl would hand it. */
static void
feed_pump(struct soap *c)
{
	const char *p;
	size_t len;

	if (c->feed(c->feed_ctx, &p, &len) != 1) {
		c->done = 1;
		c->result = CURLE_OK;
	} else if (xfer_write((char *)p, 1, len, c) != len) {
		c->done = 1;
		c->result = CURLE_WRITE_ERROR;
	}
}

/* Let curl make progress: read what the socket has, or wait for it. */
static void
xfer_pump(struct soap *c)
{
	CURLMsg *m;
	int running = 0, left;
	size_t before = c->in.len;

	if (c->feed != NULL) {
		feed_pump(c);
		return;
	}
	curl_multi_perform(c->multi, &running);
	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg == CURLMSG_DONE) {
			c->done = 1;
			c->result = m->data.result;
		}
	}
	if (!c->done && running == 0) {
		/* no transfer and no DONE message: cannot happen, but never
		 * spin */
		c->done = 1;
		c->result = CURLE_RECV_ERROR;
	}
	if (!c->done && c->in.len == before)
		curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
}

/* Keep the answer's last bytes: did it close its envelope? */
static void
tail_keep(struct soap *c, const char *p, size_t len)
{
	size_t keep;

	if (len >= sizeof(c->tail)) {
		memcpy(c->tail, p + len - sizeof(c->tail), sizeof(c->tail));
		c->tail_len = sizeof(c->tail);
		return;
	}
	keep = sizeof(c->tail) - len;
	if (keep > c->tail_len)
		keep = c->tail_len;
	memmove(c->tail, c->tail + c->tail_len - keep, keep);
	memcpy(c->tail + keep, p, len);
	c->tail_len = keep + len;
}

static size_t
xfer_write(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct soap *c = ctx;
	size_t len = size * nmemb;

	if (c->sax != NULL) {
		/* document mode: straight into the SAX parser.  After a parse
		 * error the rest is only read, for its last bytes, to tell a
		 * malformed answer from one that ended early (as soap_call()
		 * does); a refused DOCTYPE stops the transfer at once. */
		if (!c->sax_failed && (xmlParseChunk(c->sax, p, (int)len, 0) !=
		    0 || !c->sax->wellFormed)) {
			if (c->doctype)
				return 0;	/* curl: CURLE_WRITE_ERROR */
			c->sax_failed = 1;
		}
		tail_keep(c, p, len);
		return len;
	}
	if (c->in_off > 0 && c->in_off == c->in.len) {
		c->in.len = 0;
		c->in_off = 0;
	} else if (c->in_off >= 65536) {
		memmove(c->in.p, c->in.p + c->in_off, c->in.len - c->in_off);
		c->in.len -= c->in_off;
		c->in_off = 0;
	}
	buf_put(&c->in, p, len);
	tail_keep(c, p, len);
	return len;
}

/* Non-zero if the answer ends with an end tag of an Envelope (white space
 * after it aside): a document that fails to parse is then malformed;
 * without it, it ended early (truncated). */
static int
tail_closed(const struct soap *c)
{
	size_t n = c->tail_len;

	while (n > 0 && (c->tail[n - 1] == ' ' || c->tail[n - 1] == '\n' ||
	    c->tail[n - 1] == '\r' || c->tail[n - 1] == '\t'))
		n--;
	return n >= 9 && memcmp(c->tail + n - 9, "Envelope>", 9) == 0;
}

/* xmlInputReadCallback: hand the parser what curl received. */
static int
xfer_read(void *ctx, char *out, int len)
{
	struct soap *c = ctx;
	size_t n;

	while (c->in_off == c->in.len) {
		if (c->done)
			return c->result == CURLE_OK ? 0 : -1;
		xfer_pump(c);
	}
	n = c->in.len - c->in_off;
	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(out, c->in.p + c->in_off, n);
	c->in_off += n;
	return (int)n;
}

static int
xfer_close(void *ctx)
{
	return 0;
}

/* The answer's HTTP status (0 if none). */
static long
xfer_status(struct soap *c)
{
	long status = 0;

	if (c->feed != NULL)
		return c->feed_status;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static enum erp_err
curl_error(struct soap *c)
{
	const char *why = c->curl_err[0] != '\0' ? c->curl_err :
	    curl_easy_strerror(c->result);

	switch (c->result) {
	case CURLE_OPERATION_TIMEDOUT:
		return erp_fail(&c->base, ERP_E_TIMEOUT, "timeout: %s", why);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_LOGIN_DENIED:
		return erp_fail(&c->base, ERP_E_CONNECT, "connect: %s", why);
	case CURLE_PARTIAL_FILE:
		return erp_fail(&c->base, ERP_E_TRUNCATED, "answer ended "
		    "early: %s", why);
	default:
		return erp_fail(&c->base, ERP_E_DROPPED, "connection: %s", why);
	}
}

/* ---- faults ---- */

static enum erp_err
fault_code(const char *s)
{
	if (strcmp(s, "AUTH") == 0)
		return ERP_E_AUTH;
	if (strcmp(s, "NOT_FOUND") == 0)
		return ERP_E_NOT_FOUND;
	if (strcmp(s, "VALIDATION") == 0)
		return ERP_E_VALIDATION;
	if (strcmp(s, "BUSY") == 0)
		return ERP_E_BUSY;
	return ERP_E_INTERNAL;
}

/* Read an expanded soap:Fault into the client's error. */
static void
fault_read(struct soap *c, struct arena *a, xmlNodePtr f)
{
	struct dec d = { c, a, NULL };
	xmlNodePtr n, k;
	const char *code = NULL, *fcode = "", *fstring = "", *msg = NULL;
	struct erp_error *e = &c->base.err;

	for (n = f->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		/* SOAP 1.1: faultcode etc. are unqualified */
		if (NAME(n, "faultcode"))
			fcode = d_val(&d, n);
		else if (NAME(n, "faultstring"))
			fstring = d_text(&d, n);
		else if (NAME(n, "detail")) {
			for (k = n->children; k != NULL; k = k->next) {
				if (!is_el(k, ERP_NS, NULL))
					continue;
				if (NAME(k, "code"))
					code = d_val(&d, k);
				else if (NAME(k, "message"))
					msg = d_text(&d, k);
				else if (NAME(k, "field"))
					copy_str(e->field, sizeof(e->field),
					    d_val(&d, k));
				else if (NAME(k, "retry_after"))
					e->retry_after = atoi(d_val(&d, k));
			}
		}
	}
	if (code == NULL)	/* no detail: Client is the caller's fault */
		e->code = strstr(fcode, "Client") != NULL ?
		    ERP_E_VALIDATION : ERP_E_INTERNAL;
	else
		e->code = fault_code(code);
	snprintf(e->message, sizeof(e->message), "%s%s%s",
	    code != NULL ? code : fcode, ": ", msg != NULL && *msg != '\0' ?
	    msg : fstring);
}

/* ---- walking a response with the reader ---- */

/* Handles one child element of the response element; the reader is on
 * it.  Return 0 to go on (the walker moves past the child), or an error. */
typedef enum erp_err (*child_fn)(struct soap *, xmlTextReaderPtr, void *);

/* Read the next node; refuse DOCTYPE and entity references.  1 node,
 * 0 end, -1 error (the parser's or ours). */
static int
rd_next(struct soap *c, xmlTextReaderPtr r, int skip)
{
	int ret, t;

	ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
	if (ret != 1)
		return ret;
	t = xmlTextReaderNodeType(r);
	if (t == XML_READER_TYPE_DOCUMENT_TYPE ||
	    t == XML_READER_TYPE_ENTITY_REFERENCE ||
	    t == XML_READER_TYPE_ENTITY) {
		c->doctype = 1;
		return -1;
	}
	return 1;
}

static int
rd_is(xmlTextReaderPtr r, const char *ns, const char *name)
{
	const xmlChar *u = xmlTextReaderConstNamespaceUri(r);
	const xmlChar *l = xmlTextReaderConstLocalName(r);

	return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
	    u != NULL && strcmp((const char *)u, ns) == 0 && l != NULL &&
	    (name == NULL || strcmp((const char *)l, name) == 0);
}

struct walk {
	const char	*resp;		/* "GetProductsResponse" */
	child_fn	 child;
	void		*ctx;
	struct arena	*a;
	int		 got_resp;	/* the response element was there */
	int		 fault;		/* a complete fault was read */
	enum erp_err	 cb_err;	/* a child handler's error */
};

/* Walk the document: Envelope, Body, then the fault or the response
 * element, whose children go to w->child; then read on to the end of the
 * document so that a truncated or malformed tail is noticed.  Returns 0 if
 * the document was read to its end, -1 if not (reason in c->xml_err, or
 * w->cb_err if a handler stopped it). */
static int
walk_doc(struct soap *c, xmlTextReaderPtr r, struct walk *w)
{
	int ret, depth;

	/* the root element */
	while ((ret = rd_next(c, r, 0)) == 1 &&
	    xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
		;
	if (ret != 1)
		return -1;
	if (!rd_is(r, SOAP_NS, "Envelope")) {
		snprintf(c->xml_err, sizeof(c->xml_err), "not a SOAP 1.1 "
		    "envelope");
		return -1;
	}
	/* Body among the envelope's children (a Header is skipped) */
	ret = rd_next(c, r, 0);
	while (ret == 1) {
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT) {
			if (rd_is(r, SOAP_NS, "Body"))
				break;
			ret = rd_next(c, r, 1);
			continue;
		}
		ret = rd_next(c, r, 0);
	}
	if (ret == 0)
		return 0;	/* no Body: PROTOCOL, decided by the caller */
	if (ret != 1)
		return -1;
	if (xmlTextReaderIsEmptyElement(r))
		goto tail;
	/* the first element in the body */
	while ((ret = rd_next(c, r, 0)) == 1 &&
	    xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT &&
	    xmlTextReaderNodeType(r) != XML_READER_TYPE_END_ELEMENT)
		;
	if (ret != 1)
		return -1;
	if (rd_is(r, SOAP_NS, "Fault")) {
		xmlNodePtr f = xmlTextReaderExpand(r);

		if (f == NULL)
			return -1;
		fault_read(c, w->a, f);
		w->fault = 1;
		goto tail;
	}
	if (!rd_is(r, ERP_NS, w->resp))
		goto tail;	/* not ours: PROTOCOL, decided by the caller */
	w->got_resp = 1;
	if (xmlTextReaderIsEmptyElement(r))
		goto tail;
	depth = xmlTextReaderDepth(r);
	ret = rd_next(c, r, 0);
	while (ret == 1) {
		int t = xmlTextReaderNodeType(r), dd = xmlTextReaderDepth(r);

		if (t == XML_READER_TYPE_END_ELEMENT && dd == depth)
			break;
		if (t == XML_READER_TYPE_ELEMENT && dd == depth + 1) {
			if (rd_is(r, ERP_NS, NULL)) {
				w->cb_err = w->child(c, r, w->ctx);
				if (w->cb_err != ERP_OK)
					return -1;
			}
			ret = rd_next(c, r, 1);
			continue;
		}
		ret = rd_next(c, r, 0);
	}
	if (ret != 1)
		return -1;
tail:
	while ((ret = rd_next(c, r, 0)) == 1)
		;
	return ret == 0 ? 0 : -1;
}

/* Run one SOAP call whose response children go to child(ctx).  Maps every
 * failure to an erp_err (see the file comment). */
static enum erp_err
soap_call(struct soap *c, const char *op, struct arena *a, child_fn child,
    void *ctx)
{
	char resp[64];
	struct walk w;
	xmlTextReaderPtr r;
	long status = 0;
	int ok, truncated;
	enum erp_err e;

	req_end(c, op);
	snprintf(resp, sizeof(resp), "%sResponse", op);
	memset(&w, 0, sizeof(w));
	w.resp = resp;
	w.child = child;
	w.ctx = ctx;
	w.a = a;

	if (xfer_start(c, op) == -1)
		return c->base.err.code;
	r = xmlReaderForIO(xfer_read, xfer_close, c, c->url, NULL, XML_OPTS);
	if (r == NULL) {
		xfer_stop(c);
		return erp_fail(&c->base, ERP_E_LOCAL, "xmlReaderForIO failed");
	}
	xmlTextReaderSetStructuredErrorHandler(r, xml_structured, c);
	ok = walk_doc(c, r, &w) == 0;
	xmlFreeTextReader(r);
	/* a parse error: read the rest of the answer (and drop it), to tell
	 * a malformed answer from one that ended early */
	if (!ok && (w.cb_err == ERP_OK || w.cb_err == ERP_E_XML))
		while (!c->done) {
			c->in.len = c->in_off = 0;
			xfer_pump(c);
		}
	/* the answer stopped before its envelope was closed */
	truncated = !tail_closed(c);
	status = xfer_status(c);
	xfer_stop(c);
	c->base.err.http_status = (int)status;

	/* a handler's own verdict stands, except that a subtree that could
	 * not be read is a parse failure like any other (analysed below:
	 * transport, status, early end) */
	if (w.cb_err != ERP_OK && w.cb_err != ERP_E_XML)
		return w.cb_err;
	if (w.cb_err == ERP_E_XML)
		ok = 0;
	if (c->done && c->result != CURLE_OK)
		return curl_error(c);
	if (ok && w.fault) {
		if (c->base.err.retry_after == 0)
			c->base.err.retry_after = c->retry_after_hdr;
		return c->base.err.code;
	}
	if (status != 200) {
		e = status == 401 || status == 403 ? ERP_E_AUTH : ERP_E_HTTP;
		c->base.err.retry_after = c->retry_after_hdr;
		return erp_fail(&c->base, e, "HTTP status %ld%s", status,
		    e == ERP_E_AUTH ? " (credentials refused)" : "");
	}
	if (!ok) {
		if (c->doctype)
			return erp_fail(&c->base, ERP_E_XML, "answer has a "
			    "DOCTYPE or entity (refused)");
		if (truncated)
			return erp_fail(&c->base, ERP_E_TRUNCATED, "answer "
			    "ended early: %s", c->xml_err[0] != '\0' ?
			    c->xml_err : "incomplete document");
		return erp_fail(&c->base, ERP_E_XML, "malformed answer: %s",
		    c->xml_err[0] != '\0' ? c->xml_err : "parse error");
	}
	if (!w.got_resp)
		return erp_fail(&c->base, ERP_E_PROTOCOL, "answer has no %s",
		    resp);
	return ERP_OK;
}

/* ---- pulls and changes ---- */

static const char *const pull_ops[ERP_ENTITY__MAX] = {
	[ERP_CATEGORY] = "GetCategories",
	[ERP_PRODUCT] = "GetProducts",
	[ERP_PRICE] = "GetPrices",
	[ERP_CURRENCY] = "GetCurrencies",
	[ERP_WAREHOUSE] = "GetWarehouses",
	[ERP_STOCK] = "GetStock",
	[ERP_CUSTOMER] = "GetCustomers",
	[ERP_RULESET] = "GetRuleSets",
	[ERP_ORDER] = "GetOrders",
	[ERP_INVOICE] = "GetInvoices",
};

struct listctx {
	enum erp_entity	 ent;
	struct arena	*a;
	erp_record_cb	 cb;
	void		*ctx;
	struct erp_page	*page;
	int		 changes;
	int		 got_next;
};

static enum erp_err
list_child(struct soap *c, xmlTextReaderPtr r, void *vctx)
{
	struct listctx *l = vctx;
	const char *name = (const char *)xmlTextReaderConstLocalName(r);
	struct dec d = { c, l->a, NULL };
	struct erp_record rec;
	xmlNodePtr n, k;

	if (strcmp(name, "total") == 0 || strcmp(name, "next") == 0) {
		if ((n = xmlTextReaderExpand(r)) == NULL)
			return erp_fail(&c->base, ERP_E_XML, "cannot read %s",
			    name);
		if (*name == 't') {
			if (erp_int_parse(d_val(&d, n), &l->page->total) == -1)
				return erp_fail(&c->base, ERP_E_PROTOCOL,
				    "bad total");
		} else {
			const char *s = d_val(&d, n);

			if (*s != '\0' && !erp_uuid_valid(s))
				return erp_fail(&c->base, ERP_E_PROTOCOL,
				    "bad next: \"%.40s\"", s);
			snprintf(l->page->next, sizeof(l->page->next), "%s", s);
			l->got_next = 1;
		}
		return ERP_OK;
	}
	memset(&rec, 0, sizeof(rec));
	if (!l->changes) {
		if (strcmp(name, erp_entity_name(l->ent)) != 0)
			return ERP_OK;	/* unknown element: ignored */
		if ((n = xmlTextReaderExpand(r)) == NULL)
			return erp_fail(&c->base, ERP_E_XML, "cannot read %s",
			    name);
		decode_record(c, l->a, l->ent, n, &rec);
	} else {
		const char *kind = "";

		if (strcmp(name, "change") != 0)
			return ERP_OK;
		if ((n = xmlTextReaderExpand(r)) == NULL)
			return erp_fail(&c->base, ERP_E_XML, "cannot read change");
		rec.entity = l->ent;
		rec.uuid = "";
		EACH(k, n) {
			if (NAME(k, "seq")) {
				if (erp_int_parse(d_val(&d, k), &rec.seq) == -1 ||
				    rec.seq <= 0)
					return erp_fail(&c->base,
					    ERP_E_PROTOCOL, "change with a "
					    "bad seq");
			} else if (NAME(k, "uuid"))
				rec.uuid = d_val(&d, k);
			else if (NAME(k, "kind"))
				kind = d_val(&d, k);
			else if (NAME(k, "changed"))
				rec.changed = d_date(&d, k);
			else if (NAME(k, erp_entity_name(l->ent))) {
				struct erp_record inner;
				const char *u = rec.uuid;

				memset(&inner, 0, sizeof(inner));
				decode_record(c, l->a, l->ent, k, &inner);
				rec.u = inner.u;
				rec.payload = inner.payload;
				rec.payload_len = inner.payload_len;
				if (inner.invalid != NULL)
					d.invalid = inner.invalid;
				rec.uuid = *u != '\0' ? u : inner.uuid;
			}
		}
		if (rec.seq <= 0)
			return erp_fail(&c->base, ERP_E_PROTOCOL, "change "
			    "without seq");
		if (strcmp(kind, "delete") == 0) {
			rec.deleted = 1;
			rec.u.any = NULL;
		} else if (strcmp(kind, "upsert") != 0)
			dec_bad(&d, "%s: unknown change kind \"%.40s\"",
			    "kind", kind);
		else if (rec.u.any == NULL)
			dec_bad(&d, "upsert without a record");
		if (!erp_uuid_valid(rec.uuid))
			dec_bad(&d, "%s: not a uuid: \"%.40s\"", "uuid",
			    rec.uuid);
		else if (rec.u.any != NULL &&
		    strcmp(rec.uuid, *(const char **)rec.u.any) != 0)
			dec_bad(&d, "%s: change and record differ (%.40s)",
			    "uuid", rec.uuid);
		rec.invalid = d.invalid;
	}
	l->page->count++;
	if (l->cb(l->ctx, &rec) != 0)
		return erp_fail(&c->base, ERP_E_ABORTED, "stopped by the "
		    "caller");
	return ERP_OK;
}

static enum erp_err
soap_pull(struct erp *e, enum erp_entity ent, const char *after, int limit,
    struct arena *a, erp_record_cb cb, void *ctx, struct erp_page *out)
{
	struct soap *c = (struct soap *)e;
	struct listctx l = { ent, a, cb, ctx, out, 0, 0 };
	enum erp_err err;

	memset(out, 0, sizeof(*out));
	if (*after != '\0' && !erp_uuid_valid(after))
		return erp_fail(e, ERP_E_LOCAL, "bad page key \"%.40s\"", after);
	req_begin(c, pull_ops[ent]);
	put_el(&c->req, "after", after);
	put_int(&c->req, "limit", limit);
	if ((err = soap_call(c, pull_ops[ent], a, list_child, &l)) != ERP_OK)
		return err;
	if (!l.got_next)
		return erp_fail(e, ERP_E_PROTOCOL, "%sResponse without next",
		    pull_ops[ent]);
	return ERP_OK;
}

static enum erp_err
soap_changes(struct erp *e, enum erp_entity ent, int limit, struct arena *a,
    erp_record_cb cb, void *ctx, struct erp_page *out)
{
	struct soap *c = (struct soap *)e;
	struct listctx l = { ent, a, cb, ctx, out, 1, 0 };

	memset(out, 0, sizeof(*out));
	req_begin(c, "GetChanges");
	put_el(&c->req, "entity", erp_entity_name(ent));
	put_int(&c->req, "limit", limit);
	return soap_call(c, "GetChanges", a, list_child, &l);
}

struct ackctx {
	int64_t	*acked;
	int	 got;
};

static enum erp_err
ack_child(struct soap *c, xmlTextReaderPtr r, void *vctx)
{
	struct ackctx *k = vctx;
	xmlNodePtr n;
	xmlChar *s;
	int bad;

	if (strcmp((const char *)xmlTextReaderConstLocalName(r), "acked") != 0)
		return ERP_OK;
	if ((n = xmlTextReaderExpand(r)) == NULL)
		return erp_fail(&c->base, ERP_E_XML, "cannot read acked");
	s = xmlNodeGetContent(n);
	bad = s == NULL || erp_int_parse((const char *)s, k->acked) == -1;
	xmlFree(s);
	if (bad)
		return erp_fail(&c->base, ERP_E_PROTOCOL, "bad acked");
	k->got = 1;
	return ERP_OK;
}

static enum erp_err
soap_ack(struct erp *e, enum erp_entity ent, const int64_t *seqs, size_t n,
    int64_t *acked)
{
	struct soap *c = (struct soap *)e;
	struct ackctx k = { acked, 0 };
	enum erp_err err;
	size_t i;

	req_begin(c, "AckChanges");
	put_el(&c->req, "entity", erp_entity_name(ent));
	for (i = 0; i < n; i++)
		put_int(&c->req, "seq", seqs[i]);
	if ((err = soap_call(c, "AckChanges", NULL, ack_child, &k)) != ERP_OK)
		return err;
	if (!k.got)
		return erp_fail(e, ERP_E_PROTOCOL, "AckChangesResponse "
		    "without acked");
	return ERP_OK;
}

/* ---- decoding a stored payload ---- */

static enum erp_err
soap_decode(struct erp *e, enum erp_entity ent, const char *payload,
    size_t len, struct arena *a, erp_record_cb cb, void *ctx)
{
	struct soap *c = (struct soap *)e;
	struct erp_record rec;
	xmlTextReaderPtr r;
	xmlNodePtr n;
	int ret;

	c->xml_err[0] = '\0';
	c->doctype = 0;
	r = xmlReaderForMemory(payload, (int)len, NULL, NULL, XML_OPTS);
	if (r == NULL)
		return erp_fail(e, ERP_E_LOCAL, "xmlReaderForMemory failed");
	xmlTextReaderSetStructuredErrorHandler(r, xml_structured, c);
	while ((ret = rd_next(c, r, 0)) == 1 &&
	    xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
		;
	if (ret != 1 || !rd_is(r, ERP_NS, erp_entity_name(ent)) ||
	    (n = xmlTextReaderExpand(r)) == NULL) {
		xmlFreeTextReader(r);
		return erp_fail(e, ERP_E_XML, "stored %s record does not "
		    "parse: %s", erp_entity_name(ent), c->xml_err);
	}
	memset(&rec, 0, sizeof(rec));
	decode_record(c, a, ent, n, &rec);
	ret = cb(ctx, &rec);
	xmlFreeTextReader(r);
	return ret == 0 ? ERP_OK : erp_fail(e, ERP_E_ABORTED, "stopped by "
	    "the caller");
}

/* ---- Ping ---- */

struct pingctx {
	struct erp_ping	*p;
	struct arena	*a;
	char		 now[32];
	int		 got;
};

static enum erp_err
ping_child(struct soap *c, xmlTextReaderPtr r, void *vctx)
{
	struct pingctx *k = vctx;
	const char *name = (const char *)xmlTextReaderConstLocalName(r);
	struct dec d = { c, k->a, NULL };
	xmlNodePtr n;

	if ((n = xmlTextReaderExpand(r)) == NULL)
		return erp_fail(&c->base, ERP_E_XML, "cannot read %s", name);
	if (strcmp(name, "version") == 0)
		k->p->version = d_int(&d, n);
	else if (strcmp(name, "server") == 0)
		copy_str(k->p->server, sizeof(k->p->server), d_text(&d, n));
	else if (strcmp(name, "now") == 0)
		snprintf(k->now, sizeof(k->now), "%s", d_val(&d, n));
	else if (strcmp(name, "utc_offset") == 0) {
		k->p->utc_offset_min = d_int(&d, n);
		k->got = 1;
	}
	if (d.invalid != NULL)
		return erp_fail(&c->base, ERP_E_PROTOCOL, "Ping: %s", d.invalid);
	return ERP_OK;
}

static enum erp_err
soap_ping(struct erp *e, struct erp_ping *out)
{
	struct soap *c = (struct soap *)e;
	struct arena *a = arena_new(4096);
	struct pingctx k;
	enum erp_err err;

	memset(out, 0, sizeof(*out));
	memset(&k, 0, sizeof(k));
	k.p = out;
	k.a = a;
	req_begin(c, "Ping");
	err = soap_call(c, "Ping", a, ping_child, &k);
	arena_free(a);
	if (err != ERP_OK)
		return err;
	if (!k.got || out->utc_offset_min < -14 * 60 ||
	    out->utc_offset_min > 14 * 60)
		return erp_fail(e, ERP_E_PROTOCOL, "Ping without a sane "
		    "utc_offset");
	if (erp_date_parse(k.now, out->utc_offset_min, &out->now) == -1)
		return erp_fail(e, ERP_E_PROTOCOL, "Ping: bad now \"%s\"",
		    k.now);
	return ERP_OK;
}

/* ---- writes ---- */

static void
put_address(struct buf *b, const char *el, const struct erp_address *ad)
{
	buf_printf(b, "<o:%s>", el);
	if (ad->uuid != NULL && *ad->uuid != '\0')
		put_el(b, "uuid", ad->uuid);
	if (ad->kind != NULL && *ad->kind != '\0')
		put_el(b, "kind", ad->kind);
	put_el(b, "name", ad->name);
	put_el(b, "street", ad->street);
	put_el(b, "postcode", ad->postcode);
	put_el(b, "city", ad->city);
	put_el(b, "country", ad->country);
	buf_printf(b, "</o:%s>", el);
}

static void
put_contact(struct buf *b, const struct erp_contact *ct)
{
	buf_puts(b, "<o:contact>");
	if (ct->uuid != NULL && *ct->uuid != '\0')
		put_el(b, "uuid", ct->uuid);
	put_el(b, "name", ct->name);
	put_el(b, "email", ct->email);
	put_el(b, "phone", ct->phone);
	put_el(b, "role", ct->role);
	buf_puts(b, "</o:contact>");
}

static void
put_line(struct buf *b, const struct erp_order_line *l)
{
	const struct erp_configuration *cf = l->configuration;
	size_t i;

	buf_puts(b, "<o:line>");
	put_int(b, "line_no", l->line_no);
	put_el(b, "product", l->product);
	if (l->name != NULL && *l->name != '\0')
		put_el(b, "name", l->name);
	put_int(b, "quantity", l->qty_milli);
	put_int(b, "unit_net", l->unit_net);
	if (cf != NULL) {
		buf_puts(b, "<o:configuration>");
		put_el(b, "ruleset", cf->ruleset);
		put_int(b, "width", cf->width);
		put_int(b, "height", cf->height);
		if (cf->post >= 0)
			put_int(b, "post", cf->post);
		for (i = 0; i < cf->nvalues; i++) {
			buf_puts(b, "<o:value attribute=\"");
			put_esc(b, cf->values[i].attribute);
			buf_puts(b, "\">");
			put_esc(b, cf->values[i].value);
			buf_puts(b, "</o:value>");
		}
		buf_puts(b, "</o:configuration>");
	}
	buf_puts(b, "</o:line>");
}

struct createdctx {
	struct arena	*a;
	char		*uuid;
	size_t		 uuidsz;
	char		*number;	/* number or code */
	size_t		 numbersz;
	char		*status;
	size_t		 statussz;
	int		*existed;
	int		 got;
};

static enum erp_err
created_child(struct soap *c, xmlTextReaderPtr r, void *vctx)
{
	struct createdctx *k = vctx;
	const char *name = (const char *)xmlTextReaderConstLocalName(r);
	struct dec d = { c, k->a, NULL };
	xmlNodePtr n;

	if ((n = xmlTextReaderExpand(r)) == NULL)
		return erp_fail(&c->base, ERP_E_XML, "cannot read %s", name);
	if (strcmp(name, "uuid") == 0) {
		copy_str(k->uuid, k->uuidsz, d_val(&d, n));
		k->got = erp_uuid_valid(k->uuid);
	} else if (strcmp(name, "number") == 0 || strcmp(name, "code") == 0)
		copy_str(k->number, k->numbersz, d_val(&d, n));
	else if (strcmp(name, "status") == 0 && k->status != NULL)
		copy_str(k->status, k->statussz, d_val(&d, n));
	else if (strcmp(name, "existed") == 0)
		*k->existed = d_bool(&d, n);
	return ERP_OK;
}

static enum erp_err
soap_order_create(struct erp *e, const struct erp_order_new *o,
    struct erp_order_created *out)
{
	struct soap *c = (struct soap *)e;
	struct arena *a = arena_new(4096);
	struct createdctx k = { a, out->uuid, sizeof(out->uuid), out->number,
	    sizeof(out->number), out->status, sizeof(out->status),
	    &out->existed, 0 };
	enum erp_err err;
	size_t i;

	req_begin(c, "CreateOrder");
	put_el(&c->req, "external_ref", o->external_ref);
	put_el(&c->req, "customer", o->customer);
	put_el(&c->req, "currency", o->currency);
	if (o->delivery != NULL)
		put_address(&c->req, "delivery_address", o->delivery);
	if (o->notes != NULL && *o->notes != '\0')
		put_el(&c->req, "notes", o->notes);
	for (i = 0; i < o->nlines; i++)
		put_line(&c->req, &o->lines[i]);
	err = soap_call(c, "CreateOrder", a, created_child, &k);
	arena_free(a);
	if (err == ERP_OK && !k.got)
		err = erp_fail(e, ERP_E_PROTOCOL, "CreateOrderResponse without "
		    "a uuid");
	return err;
}

struct findctx {
	struct arena	 *a;
	struct erp_order **out;
};

static enum erp_err
find_child(struct soap *c, xmlTextReaderPtr r, void *vctx)
{
	struct findctx *k = vctx;
	struct erp_record rec;
	xmlNodePtr n;

	if (strcmp((const char *)xmlTextReaderConstLocalName(r), "order") != 0)
		return ERP_OK;
	if ((n = xmlTextReaderExpand(r)) == NULL)
		return erp_fail(&c->base, ERP_E_XML, "cannot read order");
	memset(&rec, 0, sizeof(rec));
	decode_record(c, k->a, ERP_ORDER, n, &rec);
	if (rec.invalid != NULL)
		return erp_fail(&c->base, ERP_E_PROTOCOL, "order: %s",
		    rec.invalid);
	*k->out = rec.u.order;
	return ERP_OK;
}

static enum erp_err
soap_order_find(struct erp *e, const char *ref, struct arena *a,
    struct erp_order **out)
{
	struct soap *c = (struct soap *)e;
	struct findctx k = { a, out };
	enum erp_err err;

	req_begin(c, "FindOrderByRef");
	put_el(&c->req, "external_ref", ref);
	if ((err = soap_call(c, "FindOrderByRef", a, find_child, &k)) !=
	    ERP_OK)
		return err;
	if (*out == NULL)
		return erp_fail(e, ERP_E_PROTOCOL, "FindOrderByRefResponse "
		    "without an order");
	return ERP_OK;
}

static enum erp_err
soap_customer_create(struct erp *e, const struct erp_customer_new *cu,
    struct erp_customer_created *out)
{
	struct soap *c = (struct soap *)e;
	struct arena *a = arena_new(4096);
	struct createdctx k = { a, out->uuid, sizeof(out->uuid), out->code,
	    sizeof(out->code), NULL, 0, &out->existed, 0 };
	enum erp_err err;
	size_t i;

	req_begin(c, "CreateCustomer");
	put_el(&c->req, "external_ref", cu->external_ref);
	put_el(&c->req, "name", cu->name);
	put_el(&c->req, "nip", cu->nip);
	put_el(&c->req, "email", cu->email);
	if (cu->phone != NULL && *cu->phone != '\0')
		put_el(&c->req, "phone", cu->phone);
	put_el(&c->req, "language", cu->language);
	put_el(&c->req, "currency", cu->currency);
	if (cu->group != NULL && *cu->group != '\0')
		put_el(&c->req, "group", cu->group);
	for (i = 0; i < cu->naddresses; i++)
		put_address(&c->req, "address", &cu->addresses[i]);
	for (i = 0; i < cu->ncontacts; i++)
		put_contact(&c->req, &cu->contacts[i]);
	err = soap_call(c, "CreateCustomer", a, created_child, &k);
	arena_free(a);
	if (err == ERP_OK && !k.got)
		err = erp_fail(e, ERP_E_PROTOCOL, "CreateCustomerResponse "
		    "without a uuid");
	return err;
}

/* ---- documents: SAX, streaming base64 ---- */

enum { DF_NONE, DF_NAME, DF_TYPE, DF_SIZE, DF_SHA, DF_CONTENT,
    DF_FCODE, DF_FSTRING, DF_CODE, DF_MSG, DF_FIELD, DF_RETRY };

struct docstate {
	struct soap	*c;
	struct erp_file_meta *meta;
	erp_sink_cb	 sink;
	void		*ctx;
	const char	*resp;
	int		 depth;
	int		 envelope;	/* the root is a SOAP 1.1 Envelope */
	int		 in_body;	/* inside its (first) Body */
	int		 seen_body;
	int		 seen_first;	/* the Body's first element was seen */
	int		 in_resp;	/* inside the response element */
	int		 in_fault;
	int		 in_detail;
	int		 field;		/* DF_* being read */
	char		 text[512];	/* small fields */
	size_t		 tlen;
	/* base64 state */
	unsigned	 acc;
	int		 nacc;
	int		 pad;
	int		 got_resp;
	int		 got_content;
	int		 fault;
	int		 sink_stopped;
	int		 bad64;
	char		 out[3072];
	size_t		 olen;
	char		 fcode[64], fstring[256], code[32], msg[256];
};

static void
doc_flush(struct docstate *s)
{
	if (s->olen > 0 && !s->sink_stopped &&
	    s->sink(s->ctx, s->out, s->olen) != 0)
		s->sink_stopped = 1;
	s->olen = 0;
}

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static void
b64_feed(struct docstate *s, const unsigned char *p, int len)
{
	int i, v;

	/* after a bad character, nothing more: what reaches the sink may not
	 * depend on how the parser split the text */
	if (s->bad64)
		return;
	for (i = 0; i < len; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')
			continue;
		if (p[i] == '=') {
			s->pad++;
			continue;
		}
		if (s->pad > 0 || (v = b64val(p[i])) < 0) {
			s->bad64 = 1;
			return;
		}
		s->acc = (s->acc << 6) | (unsigned)v;
		if (++s->nacc == 4) {
			s->out[s->olen++] = (char)(s->acc >> 16);
			s->out[s->olen++] = (char)(s->acc >> 8);
			s->out[s->olen++] = (char)s->acc;
			s->nacc = 0;
			s->acc = 0;
			if (s->olen + 3 > sizeof(s->out))
				doc_flush(s);
		}
	}
}

static void
b64_end(struct docstate *s)
{
	if (s->nacc == 2 && s->pad <= 2) {
		s->out[s->olen++] = (char)(s->acc >> 4);
	} else if (s->nacc == 3 && s->pad <= 1) {
		s->out[s->olen++] = (char)(s->acc >> 10);
		s->out[s->olen++] = (char)(s->acc >> 2);
	} else if (s->nacc != 0)
		s->bad64 = 1;
	doc_flush(s);
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	struct docstate *s = ctx;
	const char *l = (const char *)local, *u = (const char *)uri;
	int erp = u != NULL && strcmp(u, ERP_NS) == 0;
	int soap = u != NULL && strcmp(u, SOAP_NS) == 0;

	s->depth++;
	s->field = DF_NONE;
	s->tlen = 0;
	/* Envelope > Body > the response or the Fault, the Body's first
	 * element, as the reader's walk_doc() takes them */
	if (s->depth == 1)
		s->envelope = soap && strcmp(l, "Envelope") == 0;
	else if (s->depth == 2 && s->envelope && !s->seen_body && soap &&
	    strcmp(l, "Body") == 0)
		s->in_body = s->seen_body = 1;
	else if (s->depth == 3 && s->in_body && !s->seen_first) {
		s->seen_first = 1;
		if (soap && strcmp(l, "Fault") == 0)
			s->in_fault = 1;
		else if (erp && strcmp(l, s->resp) == 0)
			s->in_resp = s->got_resp = 1;
	} else if (s->in_resp && s->depth == 4 && erp) {
		if (strcmp(l, "file_name") == 0)
			s->field = DF_NAME;
		else if (strcmp(l, "content_type") == 0)
			s->field = DF_TYPE;
		else if (strcmp(l, "size") == 0)
			s->field = DF_SIZE;
		else if (strcmp(l, "sha256") == 0)
			s->field = DF_SHA;
		else if (strcmp(l, "content") == 0)
			s->field = DF_CONTENT;
	} else if (s->in_fault && s->depth == 4) {
		if (strcmp(l, "faultcode") == 0)
			s->field = DF_FCODE;
		else if (strcmp(l, "faultstring") == 0)
			s->field = DF_FSTRING;
		else if (strcmp(l, "detail") == 0)
			s->in_detail = 1;
	} else if (s->in_detail && s->depth == 5 && erp) {
		if (strcmp(l, "code") == 0)
			s->field = DF_CODE;
		else if (strcmp(l, "message") == 0)
			s->field = DF_MSG;
		else if (strcmp(l, "field") == 0)
			s->field = DF_FIELD;
		else if (strcmp(l, "retry_after") == 0)
			s->field = DF_RETRY;
	}
}

static void
copy_text(char *dst, size_t dstsz, const char *src, size_t len)
{
	while (len > 0 && isspace((unsigned char)src[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*src)) {
		src++;
		len--;
	}
	if (len >= dstsz)
		len = dstsz - 1;
	/* a cut here or in sax_chars() keeps whole characters */
	len = utf8_whole(src, len);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct docstate *s = ctx;
	struct erp_file_meta *m = s->meta;
	int64_t v;

	switch (s->field) {
	case DF_NAME:
		copy_text(m->file_name, sizeof(m->file_name), s->text, s->tlen);
		break;
	case DF_TYPE:
		copy_text(m->content_type, sizeof(m->content_type), s->text,
		    s->tlen);
		break;
	case DF_SIZE:
		s->text[s->tlen < sizeof(s->text) ? s->tlen :
		    sizeof(s->text) - 1] = '\0';
		if (erp_int_parse(s->text, &v) == 0)
			m->size = v;
		break;
	case DF_SHA:
		copy_text(m->sha256, sizeof(m->sha256), s->text, s->tlen);
		break;
	case DF_CONTENT:
		b64_end(s);
		s->got_content = 1;
		break;
	case DF_FCODE:
		copy_text(s->fcode, sizeof(s->fcode), s->text, s->tlen);
		break;
	case DF_FSTRING:
		copy_text(s->fstring, sizeof(s->fstring), s->text, s->tlen);
		break;
	case DF_CODE:
		copy_text(s->code, sizeof(s->code), s->text, s->tlen);
		break;
	case DF_MSG:
		copy_text(s->msg, sizeof(s->msg), s->text, s->tlen);
		break;
	case DF_FIELD:
		copy_text(s->c->base.err.field, sizeof(s->c->base.err.field),
		    s->text, s->tlen);
		break;
	case DF_RETRY:
		s->text[s->tlen < sizeof(s->text) ? s->tlen :
		    sizeof(s->text) - 1] = '\0';
		s->c->base.err.retry_after = atoi(s->text);
		break;
	}
	s->field = DF_NONE;
	s->tlen = 0;
	if (s->depth == 3) {
		if (s->in_fault)
			s->fault = 1;
		s->in_resp = s->in_fault = 0;
	}
	if (s->depth == 4)
		s->in_detail = 0;
	if (s->depth == 2)
		s->in_body = 0;
	s->depth--;
}

static void
sax_chars(void *ctx, const xmlChar *p, int len)
{
	struct docstate *s = ctx;
	size_t n;

	if (s->field == DF_CONTENT) {
		b64_feed(s, p, len);
		return;
	}
	if (s->field == DF_NONE)
		return;
	n = (size_t)len;
	if (s->tlen + n >= sizeof(s->text))
		n = sizeof(s->text) - 1 - s->tlen;
	memcpy(s->text + s->tlen, p, n);
	s->tlen += n;
}

static void
sax_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	struct docstate *s = ctx;

	s->c->doctype = 1;
	xmlStopParser(s->c->sax);
}

static xmlEntityPtr
sax_entity(void *ctx, const xmlChar *name)
{
	struct docstate *s = ctx;

	/* the five predefined ones are handled by the parser itself; any
	 * other is refused */
	s->c->doctype = 1;
	xmlStopParser(s->c->sax);
	return NULL;
}

static void
sax_error(void *ctx, xmlErrorPtr e)
{
	struct docstate *s = ctx;

	xml_structured(s->c, e);
}

static const char *const doc_ops[] = {
	[ERP_DOC_FILE] = "GetFile",
	[ERP_DOC_INVOICE_PDF] = "GetInvoicePdf",
	[ERP_DOC_INVOICE_XML] = "GetInvoiceXml",
};

static enum erp_err
soap_document(struct erp *e, enum erp_doc kind, const char *uuid,
    erp_sink_cb sink, void *ctx, struct erp_file_meta *meta)
{
	struct soap *c = (struct soap *)e;
	struct docstate *s;
	xmlSAXHandler sax;
	char resp[64];
	long status = 0;
	int wellformed;
	enum erp_err err = ERP_OK;
	const char *op = doc_ops[kind];

	if (!erp_uuid_valid(uuid))
		return erp_fail(e, ERP_E_LOCAL, "bad uuid \"%.40s\"", uuid);
	snprintf(resp, sizeof(resp), "%sResponse", op);
	s = xcalloc(1, sizeof(*s));
	s->c = c;
	s->meta = meta;
	s->sink = sink;
	s->ctx = ctx;
	s->resp = resp;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_chars;
	sax.internalSubset = sax_subset;
	sax.getEntity = sax_entity;
	sax.serror = sax_error;

	req_begin(c, op);
	put_el(&c->req, "uuid", uuid);
	req_end(c, op);
	if (xfer_start(c, op) == -1) {
		free(s);
		return e->err.code;
	}
	c->sax = xmlCreatePushParserCtxt(&sax, s, NULL, 0, c->url);
	if (c->sax == NULL) {
		xfer_stop(c);
		free(s);
		return erp_fail(e, ERP_E_LOCAL, "xmlCreatePushParserCtxt "
		    "failed");
	}
	xmlCtxtUseOptions(c->sax, XML_OPTS);
	c->sax_failed = 0;
	while (!c->done && !s->sink_stopped)
		xfer_pump(c);
	/* an encoding error halts the parser without clearing wellFormed:
	 * its answer counts, here as in xfer_write() */
	if (c->done && c->result == CURLE_OK && !c->sax_failed &&
	    xmlParseChunk(c->sax, NULL, 0, 1) != 0)
		c->sax_failed = 1;
	wellformed = c->sax->wellFormed && !c->doctype && !c->sax_failed;
	xmlFreeParserCtxt(c->sax);
	c->sax = NULL;
	status = xfer_status(c);
	xfer_stop(c);
	e->err.http_status = (int)status;

	if (s->sink_stopped)
		err = erp_fail(e, ERP_E_ABORTED, "stopped by the caller");
	else if (c->done && c->result == CURLE_WRITE_ERROR)
		err = erp_fail(e, ERP_E_XML, "malformed answer: %s",
		    c->doctype ? "DOCTYPE or entity refused" : c->xml_err);
	else if (c->result != CURLE_OK)
		err = curl_error(c);
	else if (wellformed && s->fault) {
		e->err.code = s->code[0] != '\0' ? fault_code(s->code) :
		    strstr(s->fcode, "Client") != NULL ? ERP_E_VALIDATION :
		    ERP_E_INTERNAL;
		snprintf(e->err.message, sizeof(e->err.message), "%s: %s",
		    s->code[0] != '\0' ? s->code : s->fcode,
		    s->msg[0] != '\0' ? s->msg : s->fstring);
		if (e->err.retry_after == 0)
			e->err.retry_after = c->retry_after_hdr;
		err = e->err.code;
	} else if (status != 200)
		err = erp_fail(e, status == 401 || status == 403 ? ERP_E_AUTH :
		    ERP_E_HTTP, "HTTP status %ld", status);
	else if (!wellformed && c->doctype)
		err = erp_fail(e, ERP_E_XML, "malformed answer: DOCTYPE or "
		    "entity refused");
	else if (!wellformed && tail_closed(c))
		err = erp_fail(e, ERP_E_XML, "malformed answer: %s",
		    c->xml_err[0] != '\0' ? c->xml_err : "parse error");
	else if (!wellformed)
		err = erp_fail(e, ERP_E_TRUNCATED, "answer ended early: %s",
		    c->xml_err[0] != '\0' ? c->xml_err : "incomplete answer");
	else if (!s->envelope)
		err = erp_fail(e, ERP_E_XML, "malformed answer: not a SOAP 1.1 "
		    "envelope");
	else if (!s->got_resp || !s->got_content)
		err = erp_fail(e, ERP_E_PROTOCOL, "%s without content", resp);
	else if (s->bad64)
		err = erp_fail(e, ERP_E_PROTOCOL, "%s: bad base64", resp);
	free(s);
	return err;
}

/* ---- feeding from memory ---- */

void
erp_soap_set_feed(struct erp *e, erp_soap_feed_fn next, void *ctx,
    long status)
{
	struct soap *c = (struct soap *)e;

	c->feed = next;
	c->feed_ctx = ctx;
	c->feed_status = status;
}

/* ---- open and close ---- */

static void
soap_close(struct erp *e)
{
	struct soap *c = (struct soap *)e;

	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	free(c->url);
	free(c->user);
	free(c->password);
	free(c->ca_file);
	buf_free(&c->req);
	buf_free(&c->in);
	free(c);
}

static const struct erp_ops soap_ops = {
	"soap",
	soap_ping,
	soap_pull,
	soap_changes,
	soap_ack,
	soap_decode,
	soap_order_create,
	soap_order_find,
	soap_customer_create,
	soap_document,
	soap_close,
};

struct erp *
erp_soap_open(const struct erp_config *cfg, char *err, size_t errsz)
{
	static int inited;
	struct soap *c;
	CURL *h;

	if (!inited) {
		/* once per process, before any other thread exists */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errsz, "curl_global_init failed");
			return NULL;
		}
		xmlInitParser();
		xmlSetGenericErrorFunc(NULL, xml_quiet);
		inited = 1;
	}
	if (cfg->timeout_s <= 0) {
		snprintf(err, errsz, "erp_timeout_s must be positive");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->base.ops = &soap_ops;
	c->url = xstrdup(cfg->url);
	c->user = xstrdup(cfg->user != NULL ? cfg->user : "");
	c->password = xstrdup(cfg->password != NULL ? cfg->password : "");
	c->ca_file = xstrdup(cfg->ca_file != NULL ? cfg->ca_file : "");
	c->timeout_s = cfg->timeout_s;
	c->connect_timeout_s = cfg->connect_timeout_s > 0 ?
	    cfg->connect_timeout_s : cfg->timeout_s < 10 ? cfg->timeout_s : 10;
	if ((c->multi = curl_multi_init()) == NULL ||
	    (c->easy = h = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "curl init failed");
		soap_close(&c->base);
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (*c->ca_file != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "framuga-sync/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, xfer_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, xfer_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	if (*c->user != '\0') {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	}
	return &c->base;
}
