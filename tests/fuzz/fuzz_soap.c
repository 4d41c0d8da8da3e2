/*
 * fuzz_soap.c: libFuzzer harness for the ERP client's SOAP response parsers
 * (cgi-src/erp/erp_soap.c): the xmlReader walk behind every call (pulls,
 * change queues, acks, Ping, CreateOrder, FindOrderByRef, CreateCustomer)
 * and the SAX push parser with its streaming base64 decoder behind the
 * documents (GetFile, GetInvoicePdf, GetInvoiceXml).  The response is
 * framuga-sync's untrusted input: whatever the ERP, or whoever stands
 * between, sends back.
 *
 * Input layout:
 *   byte 0        bits 0-4: the call (28 of them: a pull of each of the ten
 *                 entities, a GetChanges of each, AckChanges, Ping,
 *                 CreateOrder, FindOrderByRef, CreateCustomer, the three
 *                 documents; the value modulo 28); bits 5-7: the number k
 *                 of chunk bytes that follow
 *   byte 1        bits 0-1: the HTTP status (200, 500, 503, 401); bits 2-3:
 *                 the record (or the document piece) at which the caller's
 *                 callback asks to stop, 0 = never; bits 4-5: the ERP's UTC
 *                 offset (0, +60, +120, -840 minutes)
 *   bytes 2..k+1  chunk sizes (value + 1, in turn); k = 0: the body whole
 *   the rest      the response body
 *
 * The call runs on a real client (erp_open) whose network is replaced by
 * erp_soap_set_feed(): the body reaches curl's write callback in the chunks
 * the input asks for, so chunk boundaries are fuzzed through the very code
 * that framuga-sync runs.  Each call is made twice, chunked and whole, and
 * the body is also parsed once on its own by an oracle (a SAX parse of the
 * whole body with the client's options) that says whether it is
 * well-formed, whether it has a DOCTYPE, what its root, body and first body
 * element are, and what the base64 content of a document says.  Beyond
 * "no crash, no leak, no undefined behaviour", it checks:
 *   - a DOCTYPE is always refused: no record, no document byte, and the
 *     call fails with XML or TRUNCATED (or HTTP / AUTH by the status);
 *   - an answer is only taken (ERP_OK, or a SOAP fault's code) when the
 *     oracle finds it well-formed, without DOCTYPE, a SOAP 1.1 Envelope
 *     whose Body's first element is the response (or the Fault); ERP_OK
 *     also means the whole body was read;
 *   - a well-formed body gives the same result chunked and whole: the same
 *     error (code, message, field, retry_after, status) and the same
 *     records, page, answer fields and document bytes (in the same
 *     pieces); a malformed one at least the same XML/TRUNCATED verdict;
 *   - every record keeps the contract of erp.h: strings never NULL and
 *     valid UTF-8, the entity asked for, seq/deleted/changed as a pull or a
 *     change has them, a valid uuid and a record unless rec->invalid says
 *     why, payload_len the payload's length;
 *   - a record's payload decodes (erp_decode) back to the same record and
 *     the same payload bytes: the canonical form is a fixpoint;
 *   - a document's bytes are the oracle's base64 decoding of its content;
 *   - nothing touches the network or the filesystem: libxml2's entity
 *     loader and input callbacks are replaced by ones that refuse and
 *     record, and socket, connect, getaddrinfo, open, fopen and stat called
 *     from libxml2, libcurl or zlib during the call are refused and
 *     recorded (not when libFuzzer writes its own files).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlIO.h>

#include "arena.h"
#include "erp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	io_guard;	/* set while the code under test runs */

#define CHECK(c) do {							\
	if (!(c)) {							\
		io_guard = 0;						\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

#define SOAP_NS	"http://schemas.xmlsoap.org/soap/envelope/"
#define ERP_NS	"urn:oknoerp:portal:1"
#define U1	"0c41a1e2-0000-4000-8000-000000000001"
#define U2	"0c41a1e2-0000-4000-8000-000000000002"

/* ---- nothing touches the network or the filesystem ---- */

static char	io_touched[256];	/* the first refused access, or "" */

static void
io_refuse(const char *what, const char *arg)
{
	if (io_touched[0] == '\0')
		snprintf(io_touched, sizeof(io_touched), "%s(%.200s)", what,
		    arg != NULL ? arg : "");
}

/* Non-zero if the caller (a return address) is in a library under test:
 * libFuzzer and the sanitizers, linked into this program, may write their
 * files at any time, crash reports included. */
static int
io_from_lib(void *caller)
{
	Dl_info di;

	if (!io_guard)
		return 0;
	if (dladdr(caller, &di) == 0 || di.dli_fname == NULL)
		return 1;
	return strstr(di.dli_fname, "libxml2") != NULL ||
	    strstr(di.dli_fname, "libcurl") != NULL ||
	    strstr(di.dli_fname, "libz.") != NULL;
}

static void *
io_real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fprintf(stderr, "fuzz_soap: no %s in libc\n", name);
		abort();
	}
	return f;
}

/* Defined under the libc names, so that libxml2's and libcurl's calls land
 * here first (and are passed on when they are not the parser's). */
int	fz_socket(int, int, int) __asm__("socket");
int	fz_connect(int, const void *, unsigned) __asm__("connect");
int	fz_getaddrinfo(const char *, const char *, const void *, void **)
	    __asm__("getaddrinfo");
int	fz_open(const char *, int, ...) __asm__("open");
int	fz_open64(const char *, int, ...) __asm__("open64");
void	*fz_fopen(const char *, const char *) __asm__("fopen");
void	*fz_fopen64(const char *, const char *) __asm__("fopen64");
int	fz_stat(const char *, void *) __asm__("stat");
int	fz_stat64(const char *, void *) __asm__("stat64");

int
fz_socket(int domain, int type, int proto)
{
	static int (*real)(int, int, int);

	if (io_from_lib(__builtin_return_address(0))) {
		io_refuse("socket", NULL);
		errno = EACCES;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int, int, int))io_real("socket");
	return real(domain, type, proto);
}

int
fz_connect(int fd, const void *sa, unsigned len)
{
	static int (*real)(int, const void *, unsigned);

	if (io_from_lib(__builtin_return_address(0))) {
		io_refuse("connect", NULL);
		errno = EACCES;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int, const void *, unsigned))io_real("connect");
	return real(fd, sa, len);
}

int
fz_getaddrinfo(const char *host, const char *serv, const void *hints,
    void **res)
{
	static int (*real)(const char *, const char *, const void *, void **);

	if (io_from_lib(__builtin_return_address(0))) {
		io_refuse("getaddrinfo", host);
		return -2;	/* EAI_NONAME */
	}
	if (real == NULL)
		real = (int (*)(const char *, const char *, const void *,
		    void **))io_real("getaddrinfo");
	return real(host, serv, hints, res);
}

static int
fz_open_any(const char *name, void *caller, const char *path, int flags,
    unsigned mode)
{
	int (*real)(const char *, int, ...);

	if (io_from_lib(caller)) {
		io_refuse(name, path);
		errno = EACCES;
		return -1;
	}
	real = (int (*)(const char *, int, ...))io_real(name);
	return real(path, flags, mode);
}

int
fz_open(const char *path, int flags, ...)
{
	va_list ap;
	unsigned mode;

	va_start(ap, flags);
	mode = va_arg(ap, unsigned);	/* read always: harmless */
	va_end(ap);
	return fz_open_any("open", __builtin_return_address(0), path, flags,
	    mode);
}

int
fz_open64(const char *path, int flags, ...)
{
	va_list ap;
	unsigned mode;

	va_start(ap, flags);
	mode = va_arg(ap, unsigned);
	va_end(ap);
	return fz_open_any("open64", __builtin_return_address(0), path, flags,
	    mode);
}

static void *
fz_fopen_any(const char *name, void *caller, const char *path,
    const char *mode)
{
	void *(*real)(const char *, const char *);

	if (io_from_lib(caller)) {
		io_refuse(name, path);
		errno = EACCES;
		return NULL;
	}
	real = (void *(*)(const char *, const char *))io_real(name);
	return real(path, mode);
}

void *
fz_fopen(const char *path, const char *mode)
{
	return fz_fopen_any("fopen", __builtin_return_address(0), path, mode);
}

void *
fz_fopen64(const char *path, const char *mode)
{
	return fz_fopen_any("fopen64", __builtin_return_address(0), path,
	    mode);
}

static int
fz_stat_any(const char *name, void *caller, const char *path, void *st)
{
	int (*real)(const char *, void *);

	if (io_from_lib(caller)) {
		io_refuse(name, path);
		errno = EACCES;
		return -1;
	}
	real = (int (*)(const char *, void *))io_real(name);
	return real(path, st);
}

int
fz_stat(const char *path, void *st)
{
	return fz_stat_any("stat", __builtin_return_address(0), path, st);
}

int
fz_stat64(const char *path, void *st)
{
	return fz_stat_any("stat64", __builtin_return_address(0), path, st);
}

/* libxml2's own doors to the outside: every external entity, DTD or other
 * resource it would load, by any URI. */
static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	io_refuse("xmlExternalEntityLoader", url != NULL ? url : id);
	return NULL;
}

static int
deny_match(const char *uri)
{
	io_refuse("xmlInputMatch", uri);
	return 1;
}

static void *
deny_open(const char *uri)
{
	return NULL;
}

static int
deny_read(void *ctx, char *buf, int len)
{
	return -1;
}

static int
deny_close(void *ctx)
{
	return 0;
}

/* ---- UTF-8 ---- */

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* ---- dumps: everything a call hands back, as text to compare ---- */

/* A string of a record or an answer: never NULL, valid UTF-8. */
static void
d_s(struct buf *b, const char *name, const char *s)
{
	CHECK(s != NULL);
	CHECK(utf8_valid(s));
	buf_printf(b, "%s=%zu:", name, strlen(s));
	buf_puts(b, s);
	buf_putc(b, '\n');
}

/* A text for people (messages), which may be cut anywhere. */
static void
d_raw(struct buf *b, const char *name, const char *s)
{
	if (s == NULL) {
		buf_printf(b, "%s=NULL\n", name);
		return;
	}
	buf_printf(b, "%s=%zu:", name, strlen(s));
	buf_puts(b, s);
	buf_putc(b, '\n');
}

static void
d_i(struct buf *b, const char *name, int64_t v)
{
	buf_printf(b, "%s=%lld\n", name, (long long)v);
}

static void
d_lt(struct buf *b, const char *name, const struct erp_ltexts *t)
{
	size_t i;

	CHECK(t->n == 0 || t->v != NULL);
	d_i(b, name, (int64_t)t->n);
	for (i = 0; i < t->n; i++) {
		d_s(b, "lang", t->v[i].lang);
		d_s(b, "text", t->v[i].text);
	}
}

static void
d_strs(struct buf *b, const char *name, const struct erp_strs *v)
{
	size_t i;

	CHECK(v->n == 0 || v->v != NULL);
	d_i(b, name, (int64_t)v->n);
	for (i = 0; i < v->n; i++)
		d_s(b, name, v->v[i]);
}

static void
d_file(struct buf *b, const struct erp_fileref *f)
{
	d_s(b, "uuid", f->uuid);
	d_s(b, "file_name", f->file_name);
	d_s(b, "content_type", f->content_type);
	d_i(b, "size", f->size);
	d_s(b, "sha256", f->sha256);
}

static void
d_addr(struct buf *b, const struct erp_address *a)
{
	d_s(b, "uuid", a->uuid);
	d_s(b, "kind", a->kind);
	d_s(b, "name", a->name);
	d_s(b, "street", a->street);
	d_s(b, "postcode", a->postcode);
	d_s(b, "city", a->city);
	d_s(b, "country", a->country);
}

static void
d_order(struct buf *b, const struct erp_order *o)
{
	const struct erp_order_line *l;
	size_t i;

	d_s(b, "uuid", o->uuid);
	d_s(b, "number", o->number);
	d_s(b, "external_ref", o->external_ref);
	d_s(b, "customer", o->customer);
	d_s(b, "status", o->status);
	d_i(b, "status_changed", o->status_changed);
	d_i(b, "created", o->created);
	d_i(b, "revision", o->revision);
	d_s(b, "correction_note", o->correction_note);
	d_s(b, "currency", o->currency);
	d_i(b, "net", o->net);
	d_addr(b, &o->delivery);
	d_s(b, "notes", o->notes);
	CHECK(o->nlines == 0 || o->lines != NULL);
	d_i(b, "nlines", (int64_t)o->nlines);
	for (i = 0; i < o->nlines; i++) {
		l = &o->lines[i];
		d_i(b, "line_no", l->line_no);
		d_s(b, "product", l->product);
		d_s(b, "name", l->name);
		d_i(b, "quantity", l->qty_milli);
		d_i(b, "unit_net", l->unit_net);
		d_i(b, "net", l->net);
		CHECK(l->configuration == NULL);
		d_s(b, "configuration", l->configuration_xml);
	}
	d_i(b, "has_release", o->has_release);
	d_s(b, "wz_number", o->wz_number);
	d_i(b, "release_date", o->release_date);
	d_i(b, "has_shipment", o->has_shipment);
	d_s(b, "carrier", o->carrier);
	d_s(b, "waybill", o->waybill);
	d_i(b, "ship_date", o->ship_date);
}

/* The record's values (the union), every field of every entity. */
static void
d_union(struct buf *b, enum erp_entity ent, const void *any)
{
	size_t i;

	switch (ent) {
	case ERP_CATEGORY: {
		const struct erp_category *r = any;

		d_s(b, "uuid", r->uuid);
		d_s(b, "parent", r->parent);
		d_s(b, "code", r->code);
		d_lt(b, "name", &r->name);
		d_i(b, "sort", r->sort);
		d_i(b, "active", r->active);
		break;
	}
	case ERP_PRODUCT: {
		const struct erp_product *r = any;

		d_s(b, "uuid", r->uuid);
		d_s(b, "code", r->code);
		d_s(b, "category", r->category);
		d_s(b, "unit", r->unit);
		d_i(b, "vat", r->vat_bp);
		d_lt(b, "name", &r->name);
		d_lt(b, "description", &r->description);
		CHECK(r->nattrs == 0 || r->attrs != NULL);
		d_i(b, "nattrs", (int64_t)r->nattrs);
		for (i = 0; i < r->nattrs; i++) {
			d_s(b, "code", r->attrs[i].code);
			d_lt(b, "name", &r->attrs[i].name);
			d_lt(b, "value", &r->attrs[i].value);
		}
		CHECK(r->nphotos == 0 || r->photos != NULL);
		d_i(b, "nphotos", (int64_t)r->nphotos);
		for (i = 0; i < r->nphotos; i++)
			d_file(b, &r->photos[i]);
		CHECK(r->nfiles == 0 || r->files != NULL);
		d_i(b, "nfiles", (int64_t)r->nfiles);
		for (i = 0; i < r->nfiles; i++)
			d_file(b, &r->files[i]);
		d_strs(b, "related", &r->related);
		d_strs(b, "substitute", &r->substitutes);
		d_strs(b, "visible_in", &r->visible_in);
		d_s(b, "default_warehouse", r->default_warehouse);
		d_s(b, "ruleset_code", r->ruleset_code);
		d_i(b, "active", r->active);
		break;
	}
	case ERP_PRICE: {
		const struct erp_price *r = any;

		d_s(b, "uuid", r->uuid);
		CHECK(r->kind >= -1 && r->kind <= ERP_PRICE_CUSTOMER);
		d_i(b, "kind", r->kind);
		d_s(b, "product", r->product);
		d_s(b, "currency", r->currency);
		d_i(b, "amount", r->amount);
		d_s(b, "group", r->group);
		d_s(b, "customer", r->customer);
		d_s(b, "langver", r->langver);
		break;
	}
	case ERP_CURRENCY: {
		const struct erp_currency *r = any;

		d_s(b, "uuid", r->uuid);
		d_s(b, "code", r->code);
		d_lt(b, "name", &r->name);
		d_i(b, "minor_digits", r->minor_digits);
		d_i(b, "rate", r->rate_e6);
		d_i(b, "rate_date", r->rate_date);
		break;
	}
	case ERP_WAREHOUSE: {
		const struct erp_warehouse *r = any;

		d_s(b, "uuid", r->uuid);
		d_s(b, "code", r->code);
		d_lt(b, "name", &r->name);
		d_s(b, "city", r->city);
		d_i(b, "active", r->active);
		break;
	}
	case ERP_STOCK: {
		const struct erp_stock *r = any;

		d_s(b, "uuid", r->uuid);
		d_s(b, "warehouse", r->warehouse);
		d_s(b, "product", r->product);
		d_i(b, "quantity", r->qty_milli);
		break;
	}
	case ERP_CUSTOMER: {
		const struct erp_customer *r = any;

		d_s(b, "uuid", r->uuid);
		d_s(b, "code", r->code);
		d_s(b, "name", r->name);
		d_s(b, "nip", r->nip);
		d_s(b, "group", r->group);
		d_s(b, "language", r->language);
		d_s(b, "currency", r->currency);
		d_i(b, "payment_days", r->payment_days);
		d_i(b, "discount", r->discount_bp);
		d_i(b, "credit_limit", r->credit_limit);
		d_i(b, "credit_used", r->credit_used);
		d_i(b, "overdue", r->overdue);
		d_i(b, "blocked", r->blocked);
		d_s(b, "block_reason", r->block_reason);
		d_i(b, "active", r->active);
		d_s(b, "email", r->email);
		d_s(b, "phone", r->phone);
		d_s(b, "default_warehouse", r->default_warehouse);
		CHECK(r->ncontacts == 0 || r->contacts != NULL);
		d_i(b, "ncontacts", (int64_t)r->ncontacts);
		for (i = 0; i < r->ncontacts; i++) {
			d_s(b, "uuid", r->contacts[i].uuid);
			d_s(b, "name", r->contacts[i].name);
			d_s(b, "email", r->contacts[i].email);
			d_s(b, "phone", r->contacts[i].phone);
			d_s(b, "role", r->contacts[i].role);
		}
		CHECK(r->naddresses == 0 || r->addresses != NULL);
		d_i(b, "naddresses", (int64_t)r->naddresses);
		for (i = 0; i < r->naddresses; i++)
			d_addr(b, &r->addresses[i]);
		break;
	}
	case ERP_RULESET: {
		const struct erp_ruleset *r = any;

		d_s(b, "uuid", r->uuid);
		d_s(b, "code", r->code);
		d_i(b, "version", r->version);
		d_i(b, "valid_from", r->valid_from);
		d_lt(b, "name", &r->name);
		d_s(b, "currency", r->currency);
		d_s(b, "bundle", r->bundle);
		break;
	}
	case ERP_ORDER:
		d_order(b, any);
		break;
	case ERP_INVOICE: {
		const struct erp_invoice *r = any;
		const struct erp_invoice_line *l;

		d_s(b, "uuid", r->uuid);
		d_s(b, "number", r->number);
		d_s(b, "ksef_number", r->ksef_number);
		d_s(b, "order", r->order);
		d_s(b, "customer", r->customer);
		d_i(b, "issued", r->issued);
		d_i(b, "sale_date", r->sale_date);
		d_i(b, "due_date", r->due_date);
		d_s(b, "currency", r->currency);
		d_i(b, "net", r->net);
		d_i(b, "vat", r->vat);
		d_i(b, "gross", r->gross);
		d_i(b, "paid", r->paid);
		CHECK(r->nlines == 0 || r->lines != NULL);
		d_i(b, "nlines", (int64_t)r->nlines);
		for (i = 0; i < r->nlines; i++) {
			l = &r->lines[i];
			d_i(b, "line_no", l->line_no);
			d_s(b, "product", l->product);
			d_s(b, "name", l->name);
			d_i(b, "quantity", l->qty_milli);
			d_i(b, "unit_net", l->unit_net);
			d_i(b, "net", l->net);
			d_i(b, "vat_rate", l->vat_rate_bp);
			d_i(b, "vat", l->vat);
			d_i(b, "gross", l->gross);
		}
		break;
	}
	default:
		CHECK(!"entity");
	}
}

/* ---- the oracle: one SAX parse of the whole body ---- */

enum { FIRST_NONE, FIRST_RESP, FIRST_FAULT, FIRST_OTHER };

struct oracle {
	const char	*resp;		/* "GetFileResponse" */
	int		 wellformed;
	int		 doctype;
	int		 soap;		/* root is a SOAP 1.1 Envelope */
	int		 first;		/* the Body's first element: FIRST_* */
	/* the path to the current element: which of these it is in */
	int		 depth;
	int		 body_depth;	/* > 0 inside the first Body */
	int		 seen_body;
	int		 resp_depth;	/* > 0 inside the response element */
	int		 in_content;
	int		 ncontent;	/* content elements of the response */
	struct buf	 content;	/* their text */
};

static void
or_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	struct oracle *o = ctx;
	const char *l = (const char *)local, *u = (const char *)uri;
	int soap = u != NULL && strcmp(u, SOAP_NS) == 0;
	int erp = u != NULL && strcmp(u, ERP_NS) == 0;

	o->depth++;
	if (o->depth == 1)
		o->soap = soap && strcmp(l, "Envelope") == 0;
	else if (o->depth == 2 && o->soap && !o->seen_body && soap &&
	    strcmp(l, "Body") == 0) {
		o->seen_body = 1;
		o->body_depth = 2;
	} else if (o->depth == 3 && o->body_depth == 2 &&
	    o->first == FIRST_NONE) {
		if (erp && strcmp(l, o->resp) == 0) {
			o->first = FIRST_RESP;
			o->resp_depth = 3;
		} else if (soap && strcmp(l, "Fault") == 0)
			o->first = FIRST_FAULT;
		else
			o->first = FIRST_OTHER;
	} else if (o->depth == 4 && o->resp_depth == 3 && erp &&
	    strcmp(l, "content") == 0) {
		o->in_content = 1;
		o->ncontent++;
	}
}

static void
or_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct oracle *o = ctx;

	if (o->depth == 4)
		o->in_content = 0;
	if (o->depth == 3)
		o->resp_depth = 0;
	if (o->depth == 2)
		o->body_depth = 0;
	o->depth--;
}

static void
or_chars(void *ctx, const xmlChar *p, int len)
{
	struct oracle *o = ctx;

	if (o->in_content)
		buf_put(&o->content, p, (size_t)len);
}

static void
or_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	struct oracle *o = ctx;

	o->doctype = 1;
}

static void
or_error(void *ctx, xmlErrorPtr e)
{
}

static void
oracle_parse(struct oracle *o, const char *body, size_t n, const char *resp)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr p;

	memset(o, 0, sizeof(*o));
	o->resp = resp;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = or_start;
	sax.endElementNs = or_end;
	sax.characters = or_chars;
	sax.internalSubset = or_subset;
	sax.serror = or_error;
	p = xmlCreatePushParserCtxt(&sax, o, NULL, 0, NULL);
	CHECK(p != NULL);
	xmlCtxtUseOptions(p, XML_PARSE_NONET | XML_PARSE_NOCDATA |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	/* an encoding error halts the parser and says so only here */
	o->wellformed = xmlParseChunk(p, body, (int)n, 1) == 0 &&
	    p->wellFormed;
	/* where the parser keeps the entities of a DTD, for want of SAX */
	if (p->myDoc != NULL)
		xmlFreeDoc(p->myDoc);
	xmlFreeParserCtxt(p);
}

/* The base64 content, canonical only (no white space inside a quantum
 * aside, '=' padding to a multiple of 4): 0 and the bytes in out, or -1
 * when the oracle does not judge it. */
static int
b64_decode(const char *s, size_t n, struct buf *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	const char *c;
	size_t i, k = 0, pad;
	unsigned v;
	int j;

	for (i = 0; i <= n; i++) {
		if (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
		    s[i] == '\n'))
			continue;
		if (i == n) {
			if (k != 0)
				return -1;
			break;
		}
		q[k++] = s[i];
		if (k < 4)
			continue;
		k = 0;
		pad = q[3] == '=' ? q[2] == '=' ? 2 : 1 : 0;
		v = 0;
		for (j = 0; j < 4; j++) {
			if (j >= 4 - (int)pad) {
				v <<= 6;
				continue;
			}
			if (q[j] == '\0' || (c = strchr(al, q[j])) == NULL)
				return -1;
			v = v << 6 | (unsigned)(c - al);
		}
		buf_putc(out, (char)(v >> 16));
		if (pad < 2)
			buf_putc(out, (char)(v >> 8));
		if (pad < 1)
			buf_putc(out, (char)v);
		if (pad > 0) {
			/* only white space may follow */
			for (i++; i < n; i++)
				if (s[i] != ' ' && s[i] != '\t' &&
				    s[i] != '\r' && s[i] != '\n')
					return -1;
			return 0;
		}
	}
	return 0;
}

/* ---- the calls ---- */

enum kind { K_PULL, K_CHANGES, K_ACK, K_PING, K_ORDER_CREATE, K_ORDER_FIND,
    K_CUSTOMER_CREATE, K_DOCUMENT };

static const struct call {
	enum kind	 kind;
	int		 arg;		/* entity or document */
	const char	*resp;		/* its response element */
} calls[] = {
	{ K_PULL, ERP_CATEGORY, "GetCategoriesResponse" },
	{ K_PULL, ERP_PRODUCT, "GetProductsResponse" },
	{ K_PULL, ERP_PRICE, "GetPricesResponse" },
	{ K_PULL, ERP_CURRENCY, "GetCurrenciesResponse" },
	{ K_PULL, ERP_WAREHOUSE, "GetWarehousesResponse" },
	{ K_PULL, ERP_STOCK, "GetStockResponse" },
	{ K_PULL, ERP_CUSTOMER, "GetCustomersResponse" },
	{ K_PULL, ERP_RULESET, "GetRuleSetsResponse" },
	{ K_PULL, ERP_ORDER, "GetOrdersResponse" },
	{ K_PULL, ERP_INVOICE, "GetInvoicesResponse" },
	{ K_CHANGES, ERP_CATEGORY, "GetChangesResponse" },
	{ K_CHANGES, ERP_PRODUCT, "GetChangesResponse" },
	{ K_CHANGES, ERP_PRICE, "GetChangesResponse" },
	{ K_CHANGES, ERP_CURRENCY, "GetChangesResponse" },
	{ K_CHANGES, ERP_WAREHOUSE, "GetChangesResponse" },
	{ K_CHANGES, ERP_STOCK, "GetChangesResponse" },
	{ K_CHANGES, ERP_CUSTOMER, "GetChangesResponse" },
	{ K_CHANGES, ERP_RULESET, "GetChangesResponse" },
	{ K_CHANGES, ERP_ORDER, "GetChangesResponse" },
	{ K_CHANGES, ERP_INVOICE, "GetChangesResponse" },
	{ K_ACK, ERP_PRICE, "AckChangesResponse" },
	{ K_PING, 0, "PingResponse" },
	{ K_ORDER_CREATE, 0, "CreateOrderResponse" },
	{ K_ORDER_FIND, 0, "FindOrderByRefResponse" },
	{ K_CUSTOMER_CREATE, 0, "CreateCustomerResponse" },
	{ K_DOCUMENT, ERP_DOC_FILE, "GetFileResponse" },
	{ K_DOCUMENT, ERP_DOC_INVOICE_PDF, "GetInvoicePdfResponse" },
	{ K_DOCUMENT, ERP_DOC_INVOICE_XML, "GetInvoiceXmlResponse" },
};
#define NCALLS	(sizeof(calls) / sizeof(calls[0]))

/* The body in pieces, each in a malloc block of its own size. */
struct feed {
	const char	*body;
	size_t		 n, off;
	const uint8_t	*cuts;
	size_t		 k, i;
	char		*piece;
};

static int
feed_next(void *ctx, const char **p, size_t *len)
{
	struct feed *f = ctx;
	size_t c;

	free(f->piece);
	f->piece = NULL;
	if (f->off >= f->n)
		return 0;
	c = f->k == 0 ? f->n - f->off : (size_t)f->cuts[f->i++ % f->k] + 1;
	if (c > f->n - f->off)
		c = f->n - f->off;
	CHECK((f->piece = malloc(c)) != NULL);
	memcpy(f->piece, f->body + f->off, c);
	f->off += c;
	*p = f->piece;
	*len = c;
	return 1;
}

/* A record kept for the round trip through erp_decode(). */
struct kept {
	char		*payload;
	size_t		 len;
	char		*values;	/* d_union() of the record */
	char		*invalid;	/* NULL or why */
	int		 pull;
};

struct result {
	enum erp_err	 err;
	struct erp_error e;
	struct buf	 out;		/* everything handed back */
	size_t		 nrec;
	struct buf	 bytes;		/* a document's bytes */
	int		 all_read;	/* the feed was read to its end */
	struct kept	*kept;
	size_t		 nkept;
	/* the call's context */
	const struct call *call;
	int		 stop_at;
	int		 keep;		/* keep records for the round trip */
};

static struct erp	*client, *decoder;
static struct arena	*arena, *arena2;

static int
on_record(void *ctx, const struct erp_record *rec)
{
	struct result *r = ctx;
	const struct call *cl = r->call;
	struct buf v = BUF_INIT;
	struct kept *k;

	r->nrec++;
	CHECK(rec->entity == (enum erp_entity)cl->arg);
	CHECK(rec->uuid != NULL);
	if (cl->kind == K_PULL) {
		CHECK(rec->seq == 0 && !rec->deleted && rec->changed == 0);
		CHECK(rec->u.any != NULL && rec->payload != NULL);
		CHECK(strcmp(rec->uuid, *(const char **)rec->u.any) == 0);
	} else {
		CHECK(rec->seq > 0);
		CHECK(!rec->deleted || rec->u.any == NULL);
	}
	if (rec->invalid == NULL) {
		CHECK(erp_uuid_valid(rec->uuid));
		CHECK(rec->deleted || rec->u.any != NULL);
	}
	d_i(&r->out, "seq", rec->seq);
	d_i(&r->out, "deleted", rec->deleted);
	d_i(&r->out, "changed", rec->changed);
	d_s(&r->out, "rec.uuid", rec->uuid);
	d_raw(&r->out, "invalid", rec->invalid);
	if (rec->payload != NULL) {
		CHECK(strlen(rec->payload) == rec->payload_len);
		CHECK(utf8_valid(rec->payload));
		buf_printf(&r->out, "payload=%s\n", rec->payload);
	}
	if (rec->u.any != NULL) {
		d_union(&v, rec->entity, rec->u.any);
		buf_put(&r->out, v.p, v.len);
		if (r->keep && rec->payload != NULL) {
			CHECK((r->kept = realloc(r->kept, (r->nkept + 1) *
			    sizeof(*r->kept))) != NULL);
			k = &r->kept[r->nkept++];
			CHECK((k->payload = strdup(rec->payload)) != NULL);
			k->len = rec->payload_len;
			CHECK((k->values = strdup(buf_cstr(&v))) != NULL);
			k->invalid = rec->invalid == NULL ? NULL :
			    strdup(rec->invalid);
			k->pull = cl->kind == K_PULL;
		}
	}
	buf_free(&v);
	return r->stop_at != 0 && r->nrec == (size_t)r->stop_at;
}

static int
on_bytes(void *ctx, const void *p, size_t len)
{
	struct result *r = ctx;

	r->nrec++;
	buf_put(&r->bytes, p, len);
	CHECK(len > 0);
	buf_printf(&r->out, "piece=%zu:", len);
	buf_put(&r->out, p, len);
	buf_putc(&r->out, '\n');
	return r->stop_at != 0 && r->nrec == (size_t)r->stop_at;
}

/* The record of a round trip: its payload and values. */
struct again {
	int		 n;
	char		*payload;
	char		*values;
	char		*invalid;
};

static int
on_again(void *ctx, const struct erp_record *rec)
{
	struct again *g = ctx;
	struct buf v = BUF_INIT;

	g->n++;
	CHECK(rec->u.any != NULL && rec->payload != NULL);
	d_union(&v, rec->entity, rec->u.any);
	free(g->payload);
	free(g->values);
	free(g->invalid);
	CHECK((g->payload = strdup(rec->payload)) != NULL);
	CHECK((g->values = strdup(buf_cstr(&v))) != NULL);
	g->invalid = rec->invalid == NULL ? NULL : strdup(rec->invalid);
	buf_free(&v);
	return 0;
}

static void
run(struct result *r, const struct call *cl, long status, int stop_at,
    int64_t utc_offset, const char *body, size_t n, const uint8_t *cuts,
    size_t k, int keep)
{
	static const struct erp_configuration conf = { U2, 1000, 1200, -1,
	    NULL, 0 };
	static const struct erp_order_line line = { 1, U1, "Okno <&>", 2000,
	    12300, 0, (struct erp_configuration *)&conf, NULL };
	static const struct erp_address addr = { "", "delivery", "Jan & Syn",
	    "Długa 1", "00-001", "Warszawa", "PL" };
	static const struct erp_order_new order = { "WWW/2026/000001", U1,
	    "PLN", &addr, "Proszę \"dzwonić\"", &line, 1 };
	static const struct erp_contact contact = { "", "Anna", "a@b.example",
	    "123", "owner" };
	static const struct erp_customer_new customer = { "REG-1",
	    "Okna & Nowak", "5260250274", "biuro@nowak.example", "", "pl",
	    "PLN", "", &addr, 1, &contact, 1 };
	static const int64_t seqs[] = { 59, 68, 69 };
	struct feed f = { body, n, 0, cuts, k, 0, NULL };
	struct erp_page page;
	struct erp_ping ping;
	struct erp_order_created oc;
	struct erp_customer_created cc;
	struct erp_file_meta meta;
	struct erp_order *found = NULL;
	int64_t acked = -1;
	const struct erp_error *e;

	memset(r, 0, sizeof(*r));
	r->call = cl;
	r->stop_at = stop_at;
	r->keep = keep;
	memset(&page, 0xa5, sizeof(page));
	memset(&ping, 0xa5, sizeof(ping));
	memset(&oc, 0, sizeof(oc));
	memset(&cc, 0, sizeof(cc));
	memset(&meta, 0, sizeof(meta));
	erp_set_utc_offset(client, utc_offset);
	erp_soap_set_feed(client, feed_next, &f, status);

	io_guard = 1;
	switch (cl->kind) {
	case K_PULL:
		r->err = erp_pull(client, cl->arg, "", 100, arena, on_record, r,
		    &page);
		break;
	case K_CHANGES:
		r->err = erp_changes(client, cl->arg, 100, arena, on_record, r,
		    &page);
		break;
	case K_ACK:
		r->err = erp_ack(client, cl->arg, seqs, 3, &acked);
		break;
	case K_PING:
		r->err = erp_ping(client, &ping);
		break;
	case K_ORDER_CREATE:
		r->err = erp_order_create(client, &order, &oc);
		break;
	case K_ORDER_FIND:
		r->err = erp_order_find(client, "WWW/2026/000001", arena,
		    &found);
		break;
	case K_CUSTOMER_CREATE:
		r->err = erp_customer_create(client, &customer, &cc);
		break;
	case K_DOCUMENT:
		r->err = erp_document(client, cl->arg, U1, on_bytes, r, &meta);
		break;
	}
	io_guard = 0;
	free(f.piece);
	f.piece = NULL;
	r->all_read = f.off == f.n;
	erp_soap_set_feed(client, NULL, NULL, 0);

	CHECK(r->err >= ERP_OK && r->err < ERP_ERR__MAX);
	e = erp_last_error(client);
	r->e = *e;
	CHECK(memchr(e->message, '\0', sizeof(e->message)) != NULL);
	CHECK(memchr(e->field, '\0', sizeof(e->field)) != NULL);
	CHECK(r->err == ERP_OK || e->code == r->err);
	buf_printf(&r->out, "err=%s\n", erp_err_name(r->err));
	if (r->err != ERP_OK) {
		d_raw(&r->out, "message", e->message);
		d_raw(&r->out, "field", e->field);
		d_i(&r->out, "retry_after", e->retry_after);
		d_i(&r->out, "http_status", e->http_status);
	}
	switch (cl->kind) {
	case K_PULL:
	case K_CHANGES:
		CHECK(page.count == r->nrec);
		if (r->err == ERP_OK) {
			CHECK(memchr(page.next, '\0', sizeof(page.next)) !=
			    NULL);
			CHECK(cl->kind == K_CHANGES || page.next[0] == '\0' ||
			    erp_uuid_valid(page.next));
			d_i(&r->out, "total", page.total);
			d_s(&r->out, "next", page.next);
		}
		break;
	case K_ACK:
		if (r->err == ERP_OK)
			d_i(&r->out, "acked", acked);
		break;
	case K_PING:
		if (r->err == ERP_OK) {
			CHECK(ping.utc_offset_min >= -14 * 60 &&
			    ping.utc_offset_min <= 14 * 60);
			CHECK(memchr(ping.server, '\0', sizeof(ping.server)) !=
			    NULL);
			d_i(&r->out, "version", ping.version);
			d_s(&r->out, "server", ping.server);
			d_i(&r->out, "now", ping.now);
			d_i(&r->out, "utc_offset", ping.utc_offset_min);
		}
		break;
	case K_ORDER_CREATE:
		if (r->err == ERP_OK) {
			CHECK(erp_uuid_valid(oc.uuid));
			d_s(&r->out, "number", oc.number);
			d_s(&r->out, "status", oc.status);
			d_i(&r->out, "existed", oc.existed);
		}
		break;
	case K_ORDER_FIND:
		if (r->err == ERP_OK) {
			CHECK(found != NULL);
			d_order(&r->out, found);
		}
		break;
	case K_CUSTOMER_CREATE:
		if (r->err == ERP_OK) {
			CHECK(erp_uuid_valid(cc.uuid));
			d_s(&r->out, "code", cc.code);
			d_i(&r->out, "existed", cc.existed);
		}
		break;
	case K_DOCUMENT:
		if (r->err == ERP_OK) {
			d_s(&r->out, "file_name", meta.file_name);
			d_s(&r->out, "content_type", meta.content_type);
			d_i(&r->out, "size", meta.size);
			d_s(&r->out, "sha256", meta.sha256);
		}
		break;
	}
	CHECK(io_touched[0] == '\0' || (fprintf(stderr, "touched: %s\n",
	    io_touched), 0));
}

static void
result_free(struct result *r)
{
	size_t i;

	for (i = 0; i < r->nkept; i++) {
		free(r->kept[i].payload);
		free(r->kept[i].values);
		free(r->kept[i].invalid);
	}
	free(r->kept);
	buf_free(&r->out);
	buf_free(&r->bytes);
}

/* Each kept record through erp_decode(): the same values, the same
 * payload bytes, and for a pull the same verdict. */
static void
round_trip(const struct result *r, enum erp_entity ent, int64_t utc_offset)
{
	const struct kept *k;
	struct again g;
	size_t i;

	erp_set_utc_offset(decoder, utc_offset);
	for (i = 0; i < r->nkept; i++) {
		k = &r->kept[i];
		memset(&g, 0, sizeof(g));
		io_guard = 1;
		CHECK(erp_decode(decoder, ent, k->payload, k->len, arena2,
		    on_again, &g) == ERP_OK);
		io_guard = 0;
		CHECK(g.n == 1);
		if (strcmp(g.payload, k->payload) != 0)
			fprintf(stderr, "payload:\n%s\nagain:\n%s\n",
			    k->payload, g.payload);
		CHECK(strcmp(g.payload, k->payload) == 0);
		if (strcmp(g.values, k->values) != 0)
			fprintf(stderr, "values:\n%s\nagain:\n%s\n",
			    k->values, g.values);
		CHECK(strcmp(g.values, k->values) == 0);
		if (k->pull)
			CHECK((g.invalid == NULL) == (k->invalid == NULL) &&
			    (g.invalid == NULL ||
			    strcmp(g.invalid, k->invalid) == 0));
		free(g.payload);
		free(g.values);
		free(g.invalid);
		arena_reset(arena2);
	}
	CHECK(io_touched[0] == '\0' || (fprintf(stderr, "touched: %s\n",
	    io_touched), 0));
}

static int
is_fault(enum erp_err e)
{
	return e == ERP_E_AUTH || e == ERP_E_NOT_FOUND ||
	    e == ERP_E_VALIDATION || e == ERP_E_BUSY || e == ERP_E_INTERNAL;
}

static void
init(void)
{
	struct erp_config cfg;
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	/* the discard port: never contacted, the feed answers */
	cfg.url = "http://127.0.0.1:9/soap";
	cfg.user = "u";
	cfg.password = "p";
	cfg.timeout_s = 5;
	if ((client = erp_open(&cfg, err, sizeof(err))) == NULL ||
	    (decoder = erp_open(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_soap: %s\n", err);
		abort();
	}
	CHECK(strcmp(erp_transport(client), "soap") == 0);
	xmlSetExternalEntityLoader(deny_loader);
	CHECK(xmlRegisterInputCallbacks(deny_match, deny_open, deny_read,
	    deny_close) >= 0);
	CHECK((arena = arena_new(16)) != NULL);
	CHECK((arena2 = arena_new(16)) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 500, 503, 401 };
	static const int64_t offsets[] = { 0, 60, 120, -840 };
	const struct call *cl;
	struct result chunked, whole;
	struct oracle o;
	struct buf dec = BUF_INIT;
	const char *body;
	size_t k, n;
	long status;
	int stop_at, same;
	int64_t off;

	if (size < 2)
		return 0;
	if (client == NULL)
		init();
	cl = &calls[(data[0] & 31) % NCALLS];
	k = data[0] >> 5;
	if (size < 2 + k)
		return 0;
	status = statuses[data[1] & 3];
	stop_at = (data[1] >> 2) & 3;
	off = offsets[(data[1] >> 4) & 3];
	body = (const char *)data + 2 + k;
	n = size - 2 - k;

	io_guard = 1;
	oracle_parse(&o, body, n, cl->resp);
	io_guard = 0;
	CHECK(io_touched[0] == '\0' || (fprintf(stderr, "touched: %s\n",
	    io_touched), 0));

	run(&chunked, cl, status, stop_at, off, body, n, data + 2, k, 1);
	run(&whole, cl, status, stop_at, off, body, n, NULL, 0, 0);

	/* A DOCTYPE is refused, before anything is handed over. */
	if (o.doctype) {
		CHECK(chunked.nrec == 0 && whole.nrec == 0);
		CHECK(chunked.err == ERP_E_XML || chunked.err ==
		    ERP_E_TRUNCATED || (status != 200 &&
		    (chunked.err == ERP_E_HTTP || chunked.err == ERP_E_AUTH)));
		CHECK(whole.err == ERP_E_XML || whole.err == ERP_E_TRUNCATED ||
		    (status != 200 &&
		    (whole.err == ERP_E_HTTP || whole.err == ERP_E_AUTH)));
	}
	/* An answer is taken only when it is one. */
	if (chunked.err == ERP_OK) {
		CHECK(o.wellformed && !o.doctype && o.soap &&
		    o.first == FIRST_RESP);
		CHECK(chunked.all_read);
	}
	if (is_fault(chunked.err) && !(chunked.err == ERP_E_AUTH &&
	    (status == 401 || status == 403)))
		CHECK(o.wellformed && !o.doctype && o.soap &&
		    o.first == FIRST_FAULT);
	/* Where the body was cut does not matter. */
	if (o.wellformed && !o.doctype) {
		same = chunked.out.len == whole.out.len &&
		    memcmp(chunked.out.p, whole.out.p, chunked.out.len) == 0;
		if (!same)
			fprintf(stderr, "chunked:\n%s\nwhole:\n%s\n",
			    buf_cstr(&chunked.out), buf_cstr(&whole.out));
		CHECK(same);
	}
	if ((chunked.err == ERP_E_XML || chunked.err == ERP_E_TRUNCATED) &&
	    (whole.err == ERP_E_XML || whole.err == ERP_E_TRUNCATED) &&
	    !o.doctype)
		CHECK(chunked.err == whole.err);
	/* A document's bytes are its base64 content. */
	if (cl->kind == K_DOCUMENT && chunked.err == ERP_OK &&
	    o.ncontent == 1 && b64_decode(o.content.p != NULL ? o.content.p :
	    "", o.content.len, &dec) == 0) {
		CHECK(chunked.bytes.len == dec.len);
		CHECK(dec.len == 0 ||
		    memcmp(chunked.bytes.p, dec.p, dec.len) == 0);
	}
	buf_free(&dec);
	/* Every record decodes back to itself. */
	if (cl->kind == K_PULL || cl->kind == K_CHANGES)
		round_trip(&chunked, cl->arg, off);

	result_free(&chunked);
	result_free(&whole);
	buf_free(&o.content);
	arena_reset(arena);
	return 0;
}
