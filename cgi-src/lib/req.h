/*
 * req.h: one request and its response, as handlers see them.
 *
 * A worker fills struct req (worker.c) and passes it to the handler that the
 * route table names.  Everything in it lives in req->arena and is gone after
 * the request.  The response is built in memory: resp_open() sets the status,
 * the content type and every security header, the handler appends the body
 * (usually through tmpl_render()), and the worker writes it all out at the
 * end; so an error found half-way can still replace the whole response.
 */
#ifndef FRAMUGA_REQ_H
#define FRAMUGA_REQ_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "arena.h"
#include "http.h"

struct db;
struct config;
struct session;

#define REQ_MAX_PARAMS	4

struct resp {
	int		 status;	/* 0 until resp_open() */
	struct buf	 head;		/* header lines, CRLF-terminated */
	struct buf	 body;
	char		 nonce[25];	/* base64 of 18 random bytes: CSP nonce */
	int		 head_only;	/* HEAD: body is counted, not sent */
};

struct req {
	struct arena		*arena;
	struct db		*db;
	const struct config	*cfg;

	enum http_method	 method;
	const char		*method_name;
	const char		*path;		/* decoded, always begins with '/' */
	const char		*query_string;	/* raw, without '?' */
	const char		*host;
	const char		*remote_addr;
	const char		*user_agent;
	const char		*accept_language;
	const char		*origin;	/* Origin header or NULL */
	const char		*sec_fetch_site;/* Sec-Fetch-Site or NULL */
	const char		*referer;
	const char		*content_type;
	const char		*cookie_header;	/* raw Cookie header */
	const char		*csrf_header;	/* X-CSRF-Token (scripts) */
	size_t			 content_length;
	int			 https;		/* HTTPS param "on" */

	struct kv		*query;   size_t queryn;
	struct kv		*cookies; size_t cookien;
	struct kv		*form;    size_t formn;
	struct upload		*files;   size_t filen;

	/* Route parameters, in pattern order: text and, for :int, value. */
	const char		*param[REQ_MAX_PARAMS];
	int64_t			 iparam[REQ_MAX_PARAMS];
	size_t			 paramn;
	const struct route	*route;

	const char		*lang;		/* "pl", "en", "de" */
	struct session		*session;	/* NULL when anonymous */
	const char		*csrf;		/* token for forms (tmpl: csrf) */

	struct resp		 resp;
};

/* Request accessors: first value or NULL. */
const char	*req_query(const struct req *, const char *key);
const char	*req_form(const struct req *, const char *key);
const char	*req_cookie(const struct req *, const char *key);
const struct upload *req_file(const struct req *, const char *field);

/*
 * resp_open: the one function that opens every response.  Sets the status
 * line, Content-Type (NULL: text/html; charset=utf-8), a fresh CSP nonce and
 * the security headers: Content-Security-Policy (default-src 'self';
 * script-src 'self' 'nonce-…'; style-src 'self'; img-src 'self' data:;
 * object-src 'none'; base-uri 'none'; form-action 'self';
 * frame-ancestors 'none'), X-Content-Type-Options: nosniff,
 * X-Frame-Options: DENY, Referrer-Policy: same-origin,
 * Cross-Origin-Opener-Policy: same-origin, Cache-Control: no-store (unless
 * the caller replaces it), and Strict-Transport-Security when configured.
 * Calling it again discards what was built and starts over (error pages).
 */
void	resp_open(struct req *, int status, const char *ctype);
/* Append a header line; name and value must not contain CR or LF (they are
 * refused with a log line, never emitted). */
void	resp_header(struct req *, const char *name, const char *value);
enum { COOKIE_HTTPONLY = 1, COOKIE_SECURE = 2, COOKIE_LAX = 4,
       COOKIE_STRICT = 8, COOKIE_HOST = 16 /* __Host-: Secure, Path=/ */ };
/* max_age < 0: session cookie; 0: delete. */
void	resp_cookie(struct req *, const char *name, const char *value,
	    long max_age, unsigned flags);
/* 303 See Other (or the given 30x) to a local path; an absolute URL or a
 * scheme-relative one is replaced by "/" (no open redirects). */
void	resp_redirect(struct req *, int status, const char *location);
/* JSON body (jansson), Content-Type application/json. */
void	resp_json(struct req *, int status, json_t *);
/* nginx serves the file: X-Accel-Redirect to an internal location, with
 * Content-Disposition (attachment, RFC 6266 filename*) and type. */
void	resp_accel(struct req *, const char *internal_uri, const char *filename,
	    const char *ctype);
/* Replace the Cache-Control header resp_open() set (no-store) by value:
 * for what may be kept, like content-addressed thumbnails.  Call after
 * resp_open() or resp_accel(). */
void	resp_cache(struct req *, const char *value);
/* Body helpers. */
void	resp_write(struct req *, const void *, size_t);
void	resp_puts(struct req *, const char *);
/* A plain error page in the request's language through the "error.html"
 * template (falls back to text if the template fails). */
void	resp_error(struct req *, int status, const char *message);

/* Serialize status, headers, Content-Length and body (not for HEAD) into out,
 * as a FastCGI responder writes it (Status: line, CRLF, body). */
void	resp_serialize(struct req *, struct buf *out);

#endif
