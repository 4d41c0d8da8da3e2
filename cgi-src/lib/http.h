/*
 * http.h: the request as a worker sees it, and the parsers that build it.
 *
 * Every parser here is a pure function over bytes: no FastCGI, no globals,
 * all memory from the caller's arena.  That is what lets the unit tests and
 * the fuzz harnesses (tests/fuzz/) drive them directly.  The FastCGI glue
 * (req_read() in cgi-src/fcgi/worker.c) fills struct req from the FastCGI
 * parameters and body stream using these functions.
 *
 * Limits are counts and sizes from struct http_limits (from the config file);
 * a parser that hits one returns HTTP_E_TOO_MANY or HTTP_E_TOO_BIG and the
 * worker answers 413 (body, file) or 400 (counts, syntax) without running the
 * handler.
 */
#ifndef FRAMUGA_HTTP_H
#define FRAMUGA_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct arena;

enum http_method {
	M_GET		= 1 << 0,
	M_HEAD		= 1 << 1,
	M_POST		= 1 << 2,
	M_PUT		= 1 << 3,
	M_DELETE	= 1 << 4,
	M_PATCH		= 1 << 5,
	M_OPTIONS	= 1 << 6,
	M_OTHER		= 1 << 7
};

/* Parser results. */
enum http_err {
	HTTP_OK = 0,
	HTTP_E_SYNTAX = -1,	/* malformed: 400 */
	HTTP_E_TOO_MANY = -2,	/* too many fields/cookies/parts: 400 */
	HTTP_E_TOO_BIG = -3,	/* a value, a file or the body too large: 413 */
	HTTP_E_IO = -4,		/* temp file or stream failure: 500 */
	HTTP_E_TYPE = -5	/* unsupported Content-Type for a body: 415 */
};

struct http_limits {
	size_t	 max_fields;	  /* query + form fields, each (default 256) */
	size_t	 max_cookies;	  /* default 64 */
	size_t	 max_field_len;	  /* one decoded value (default 64 KiB) */
	size_t	 max_body;	  /* urlencoded body (default 1 MiB) */
	size_t	 max_upload;	  /* whole multipart body (default 64 MiB) */
	size_t	 max_files;	  /* file parts (default 16) */
	size_t	 mem_threshold;	  /* file part above this goes to disk (64 KiB) */
	const char *tmpdir;	  /* where spilled parts go (default /tmp) */
};

void	http_limits_default(struct http_limits *);

/* A name/value pair.  Values are NUL-terminated and also carry a length, as
 * a decoded value may hold a NUL byte. */
struct kv {
	const char	*key;
	const char	*val;
	size_t		 len;
};

/* A file part of a multipart body.  Small parts are in memory (data != NULL);
 * larger ones are in a temp file at path (data == NULL), which the worker
 * unlinks at the end of the request (http_cleanup()). */
struct upload {
	const char	*field;
	const char	*filename;	/* as sent, path components removed */
	const char	*ctype;		/* Content-Type of the part or "" */
	const char	*data;
	const char	*path;
	size_t		 size;
};

/* Look up the first value of key, or NULL. */
const struct kv	*kv_get(const struct kv *, size_t n, const char *key);

/* Percent-decode s[0..len) ('+' is a space when plus is set) into a new
 * arena string; *outlen gets its length.  Bad escapes: HTTP_E_SYNTAX. */
int	http_urldecode(struct arena *, const char *s, size_t len, int plus,
	    char **out, size_t *outlen);

/* a=1&b=2 (query strings and urlencoded bodies).  Empty pieces are skipped;
 * a piece without '=' has an empty value.  *out is an arena array. */
int	http_parse_urlencoded(struct arena *, const char *s, size_t len,
	    const struct http_limits *, struct kv **out, size_t *outn);

/* Cookie header: "a=1; b=2".  Values are not decoded; quotes around a value
 * are removed.  Malformed pairs are skipped, as browsers do. */
int	http_parse_cookies(struct arena *, const char *s,
	    const struct http_limits *, struct kv **out, size_t *outn);

/* Extract the boundary from a multipart/form-data Content-Type.  NULL when
 * absent or invalid (RFC 2046: 1-70 chars). */
const char *http_multipart_boundary(struct arena *, const char *ctype);

/*
 * Streaming multipart/form-data parser.  Feed the body in chunks of any size
 * (the fuzz harness splits at random points); fields land in form[], files in
 * files[].  A file part larger than mem_threshold is written to a temp file
 * under tmpdir as it arrives, so an upload never sits whole in memory.
 */
struct multipart;
struct multipart *multipart_new(struct arena *, const char *boundary,
	    const struct http_limits *);
int	multipart_feed(struct multipart *, const char *data, size_t len);
/* After the last chunk: HTTP_OK only if the closing boundary was seen. */
int	multipart_finish(struct multipart *, struct kv **form, size_t *formn,
	    struct upload **files, size_t *filen);
/* Remove temp files of a parser that failed or was abandoned. */
void	multipart_abort(struct multipart *);

/* Accept-Language: the first of the supported tags (e.g. {"pl","en","de"})
 * in the order of the header's q-values; NULL if none matches. */
const char *http_accept_language(const char *header,
	    const char *const *supported, size_t nsupported);

enum http_method http_method_parse(const char *);
const char	*http_method_name(enum http_method);
const char	*http_status_text(int status);

#endif
