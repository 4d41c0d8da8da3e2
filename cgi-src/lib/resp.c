/*
 * resp.c: request accessors and the response builder (see req.h).
 *
 * The response is built in two malloc-backed buffers that the worker keeps
 * across requests (head and body in struct resp); resp_serialize() joins
 * them with the status line and Content-Length.  Building in memory rather
 * than streaming lets an error half-way through a handler replace the page,
 * and keeps exactly one place (resp_open) that writes the security headers.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "arena.h"
#include "cfg.h"
#include "http.h"
#include "log.h"
#include "req.h"
#include "tmpl.h"
#include "util.h"

void (*resp_error_hook)(struct req *, int, const char *);

const char *
req_query(const struct req *r, const char *key)
{
	const struct kv *kv = kv_get(r->query, r->queryn, key);

	return kv ? kv->val : NULL;
}

const char *
req_form(const struct req *r, const char *key)
{
	const struct kv *kv = kv_get(r->form, r->formn, key);

	return kv ? kv->val : NULL;
}

const char *
req_cookie(const struct req *r, const char *key)
{
	const struct kv *kv = kv_get(r->cookies, r->cookien, key);

	return kv ? kv->val : NULL;
}

const struct upload *
req_file(const struct req *r, const char *field)
{
	for (size_t i = 0; i < r->filen; i++)
		if (strcmp(r->files[i].field, field) == 0)
			return &r->files[i];
	return NULL;
}

/* base64 (standard alphabet) of 18 bytes: exactly 24 characters. */
static void
make_nonce(char out[25])
{
	unsigned char rnd[18];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		/* The kernel's pool never runs dry after boot; if the call
		 * fails the process is broken: do not serve a guessable
		 * nonce. */
		log_err("getrandom failed");
		xoom(0);
	}
	util_base64(rnd, sizeof(rnd), out, 1);
}

static int
header_safe(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || *s == '\0')
			return 0;
	return 1;
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value)) {
		log_warn("refused header %s with CR/LF", name);
		return;
	}
	buf_puts(&r->resp.head, name);
	buf_put(&r->resp.head, ": ", 2);
	buf_puts(&r->resp.head, value);
	buf_put(&r->resp.head, "\r\n", 2);
}

void
resp_open(struct req *r, int status, const char *ctype)
{
	char csp[512];
	int hsts = r->cfg ? r->cfg->hsts_max_age : 0;

	buf_reset(&r->resp.head);
	buf_reset(&r->resp.body);
	r->resp.status = status;
	make_nonce(r->resp.nonce);
	resp_header(r, "Content-Type", ctype ? ctype :
	    "text/html; charset=utf-8");
	snprintf(csp, sizeof(csp),
	    "default-src 'self'; script-src 'self' 'nonce-%s'; "
	    "style-src 'self' 'nonce-%s'; img-src 'self' data:; "
	    "font-src 'self'; connect-src 'self'; object-src 'none'; "
	    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	    r->resp.nonce, r->resp.nonce);
	resp_header(r, "Content-Security-Policy", csp);
	resp_header(r, "X-Content-Type-Options", "nosniff");
	resp_header(r, "X-Frame-Options", "DENY");
	resp_header(r, "Referrer-Policy", "same-origin");
	resp_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	resp_header(r, "Permissions-Policy",
	    "camera=(), microphone=(), geolocation=()");
	resp_header(r, "Cache-Control", "no-store");
	if (hsts > 0) {
		char v[64];

		snprintf(v, sizeof(v), "max-age=%d; includeSubDomains", hsts);
		resp_header(r, "Strict-Transport-Security", v);
	}
	if (r->lang != NULL)
		resp_header(r, "Content-Language", r->lang);
}

void
resp_cookie(struct req *r, const char *name, const char *value,
    long max_age, unsigned flags)
{
	struct buf *h = &r->resp.head;

	if (!header_safe(name) || !header_safe(value) ||
	    strpbrk(value, ";, \"\\") != NULL) {
		log_warn("refused cookie %s: unsafe characters", name);
		return;
	}
	if (flags & COOKIE_HOST)
		flags |= COOKIE_SECURE;
	buf_puts(h, "Set-Cookie: ");
	if ((flags & COOKIE_HOST) && strncmp(name, "__Host-", 7) != 0)
		buf_puts(h, "__Host-");
	buf_puts(h, name);
	buf_putc(h, '=');
	buf_puts(h, value);
	buf_puts(h, "; Path=/");
	if (max_age >= 0)
		buf_printf(h, "; Max-Age=%ld", max_age);
	if (flags & COOKIE_SECURE)
		buf_puts(h, "; Secure");
	if (flags & COOKIE_HTTPONLY)
		buf_puts(h, "; HttpOnly");
	if (flags & COOKIE_STRICT)
		buf_puts(h, "; SameSite=Strict");
	else if (flags & COOKIE_LAX)
		buf_puts(h, "; SameSite=Lax");
	buf_put(h, "\r\n", 2);
}

void
resp_redirect(struct req *r, int status, const char *location)
{
	/* Local paths only: "/x" but not "//host" or "/\host". */
	if (location == NULL || location[0] != '/' || location[1] == '/' ||
	    location[1] == '\\' || !header_safe(location))
		location = "/";
	if (status < 300 || status > 308)
		status = 303;
	resp_open(r, status, "text/plain; charset=utf-8");
	resp_header(r, "Location", location);
}

static int
json_to_buf(const char *s, size_t n, void *ud)
{
	buf_put(ud, s, n);
	return 0;
}

void
resp_json(struct req *r, int status, json_t *j)
{
	resp_open(r, status, "application/json");
	if (json_dump_callback(j, json_to_buf, &r->resp.body,
	    JSON_COMPACT | JSON_ENCODE_ANY) != 0) {
		resp_open(r, 500, "application/json");
		buf_puts(&r->resp.body, "{\"error\":\"internal\"}");
	}
}

void
resp_accel(struct req *r, const char *internal_uri, const char *filename,
    const char *ctype)
{
	struct buf cd = BUF_INIT;
	const char *p;

	resp_open(r, 200, ctype ? ctype : "application/octet-stream");
	/* nginx takes the body and the type from the file; our headers stay
	 * (security headers included). */
	resp_header(r, "X-Accel-Redirect", internal_uri);
	if (filename != NULL) {
		/* RFC 6266: an ASCII fallback plus filename* in UTF-8. */
		buf_puts(&cd, "attachment; filename=\"");
		for (p = filename; *p; p++)
			buf_putc(&cd, ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p > 0x7e || *p == '"' ||
			    *p == '\\') ? '_' : *p);
		buf_puts(&cd, "\"; filename*=UTF-8''");
		url_escape(&cd, filename, strlen(filename));
		resp_header(r, "Content-Disposition", buf_cstr(&cd));
		buf_free(&cd);
	}
}

void
resp_cache(struct req *r, const char *value)
{
	static const char name[] = "Cache-Control: ";
	struct buf *h = &r->resp.head;
	char *line, *end;
	size_t off = 0;

	/* every line ends with CRLF; remove the one(s) naming Cache-Control */
	while (off < h->len) {
		line = h->p + off;
		if ((end = memchr(line, '\n', h->len - off)) == NULL)
			break;
		end++;
		if ((size_t)(end - line) > sizeof(name) - 1 &&
		    strncasecmp(line, name, sizeof(name) - 1) == 0) {
			memmove(line, end, h->len - (size_t)(end - h->p));
			h->len -= (size_t)(end - line);
			h->p[h->len] = '\0';
			continue;
		}
		off = (size_t)(end - h->p);
	}
	resp_header(r, "Cache-Control", value);
}

void
resp_write(struct req *r, const void *p, size_t n)
{
	buf_put(&r->resp.body, p, n);
}

void
resp_puts(struct req *r, const char *s)
{
	buf_puts(&r->resp.body, s);
}

void
resp_error(struct req *r, int status, const char *message)
{
	if (resp_error_hook != NULL) {
		resp_error_hook(r, status, message);
		return;
	}
	resp_open(r, status, "text/plain; charset=utf-8");
	buf_printf(&r->resp.body, "%d %s\n", status, http_status_text(status));
	if (message != NULL)
		buf_printf(&r->resp.body, "%s\n", message);
}

void
resp_serialize(struct req *r, struct buf *out)
{
	if (r->resp.status == 0)
		resp_error(r, 500, NULL);
	buf_printf(out, "Status: %d %s\r\n", r->resp.status,
	    http_status_text(r->resp.status));
	buf_put(out, r->resp.head.p ? r->resp.head.p : "", r->resp.head.len);
	buf_printf(out, "Content-Length: %zu\r\n\r\n", r->resp.body.len);
	if (!r->resp.head_only)
		buf_put(out, r->resp.body.p ? r->resp.body.p : "",
		    r->resp.body.len);
}
