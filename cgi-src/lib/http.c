/*
 * http.c: the request parsers (see http.h for each contract).
 *
 * Everything here reads untrusted bytes, so every function bounds its work
 * by the input length and the limits in struct http_limits, allocates from
 * the caller's arena only (never per byte: a parser sizes its arrays first
 * or grows them by doubling), and never reads outside [s, s + len).
 *
 * urlencoded and cookies: one copy of the input into the arena, decoded in
 * place (decoding never makes a string longer), so a whole query costs two
 * arena allocations whatever the number of fields.
 *
 * multipart: a byte-exact state machine that keeps no more of the body than
 * one part's header block (8 KiB at most) and the value of the current part:
 *
 *   PREAMBLE --"--b"--> DELIM --CRLF--> HEADERS --CRLFCRLF--> DATA
 *                         |  ^                                   |
 *                         |  +----------- CRLF "--b" ------------+
 *                         +--"--"--> EPILOGUE
 *
 * The delimiter is CRLF "--" boundary; the parser starts as if a CRLF had
 * just been seen, so that a body may begin with "--boundary" at once.  While
 * scanning part data it remembers only how many bytes of the delimiter have
 * matched: those held-back bytes are a prefix of the delimiter, so when the
 * match fails they are emitted from the delimiter itself, with no copy of
 * the input kept across calls.  A boundary may not hold CR (RFC 2046
 * bchars), so after a failed match the only place a new match can begin is
 * the byte that broke it; the scan therefore needs no KMP table and skips
 * ahead with memchr() for CR.  Because the machine consumes the body byte by
 * byte in meaning (whatever the chunking), its result and its error do not
 * depend on where the chunks were split; the fuzz harness checks exactly
 * that.
 *
 * A field's value collects in a scratch buffer (arena, reused across parts)
 * and is copied out exactly when the part ends.  A file part does the same
 * up to mem_threshold; past that it goes to a mkstemp() file (0600, close-
 * on-exec) under tmpdir, staged through the scratch buffer so that the file
 * gets few large writes even when the body arrives in small pieces.  Any
 * error closes and unlinks every temp file the parser made; so does
 * multipart_abort().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "http.h"
#include "log.h"

#define BOUNDARY_MAX	70	/* RFC 2046 */
#define MP_HEADER_MAX	8192	/* one part's header block, blank line included */
#define MP_STAGE_MIN	16384	/* write buffer of a file part that went to disk */
#define MP_SCRATCH_MIN	256
#define AL_RANGE_MAX	64	/* longest language range looked at */

/* --- character classes ------------------------------------------------ */

/* RFC 9110 tchar: the characters of a token. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return 1;
	}
	return 0;
}

/* RFC 2046 bchars (space included; it may not end a boundary). */
static int
is_bchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	switch (c) {
	case '\'': case '(': case ')': case '+': case '_': case ',':
	case '-': case '.': case '/': case ':': case '=': case '?': case ' ':
		return 1;
	}
	return 0;
}

static int
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A control character other than HTAB. */
static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
boundary_valid(const char *b, size_t n)
{
	size_t i;

	if (n < 1 || n > BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_bchar((unsigned char)b[i]))
			return 0;
	return 1;
}

/* --- limits, lookup, percent-decoding -------------------------------- */

void
http_limits_default(struct http_limits *l)
{
	l->max_fields = 256;
	l->max_cookies = 64;
	l->max_field_len = 64 * 1024;
	l->max_body = 1024 * 1024;
	l->max_upload = 64 * 1024 * 1024;
	l->max_files = 16;
	l->mem_threshold = 64 * 1024;
	l->tmpdir = "/tmp";
}

static const struct http_limits *
limits_or_default(const struct http_limits *l, struct http_limits *def)
{
	if (l != NULL)
		return l;
	http_limits_default(def);
	return def;
}

const struct kv *
kv_get(const struct kv *kv, size_t n, const char *key)
{
	size_t i;

	if (kv == NULL || key == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return &kv[i];
	return NULL;
}

/*
 * Decode src[0..n) into dst, which may be src itself or any buffer at the
 * same offset (the output never runs ahead of the input).  -1 on a '%' not
 * followed by two hex digits.
 */
static int
pct_decode(char *dst, const char *src, size_t n, int plus, size_t *outn)
{
	size_t i, o;
	int hi, lo;

	for (i = o = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%') {
			if (n - i < 3 ||
			    (hi = hexval((unsigned char)src[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)src[i + 2])) < 0)
				return -1;
			dst[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus)
			dst[o++] = ' ';
		else
			dst[o++] = (char)c;
	}
	*outn = o;
	return 0;
}

int
http_urldecode(struct arena *a, const char *s, size_t len, int plus,
    char **out, size_t *outlen)
{
	char *d;
	size_t n = 0;

	*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	d = arena_alloc(a, len + 1);
	if (len > 0 && pct_decode(d, s, len, plus, &n) == -1)
		return HTTP_E_SYNTAX;
	d[n] = '\0';
	*out = d;
	if (outlen != NULL)
		*outlen = n;
	return HTTP_OK;
}

/* --- application/x-www-form-urlencoded -------------------------------- */

/*
 * The pieces are counted first, so that the array is sized once and a flood
 * of fields is refused before any is decoded.  Keys and values are decoded
 * from s into one arena copy at their own offsets: a key ends at or before
 * its '=', a value at or before its '&', so each gets its NUL in place.  A
 * key may not hold a NUL (%00): it is looked up as a C string, and "a%00b"
 * must not pass for "a".  The whole input is bounded by max_body (a query
 * string never comes near it).
 */
int
http_parse_urlencoded(struct arena *a, const char *s, size_t len,
    const struct http_limits *lim, struct kv **out, size_t *outn)
{
	struct http_limits def;
	const char *amp, *eq;
	struct kv *kv;
	char *buf;
	size_t n, i, off, end, kend, klen, voff, vlen;

	*out = NULL;
	*outn = 0;
	if (s == NULL || len == 0)
		return HTTP_OK;
	lim = limits_or_default(lim, &def);
	if (len > lim->max_body)
		return HTTP_E_TOO_BIG;

	n = 0;
	for (off = 0; off < len; off = end + 1) {
		amp = memchr(s + off, '&', len - off);
		end = amp ? (size_t)(amp - s) : len;
		if (end > off && ++n > lim->max_fields)
			return HTTP_E_TOO_MANY;
	}
	if (n == 0)
		return HTTP_OK;

	kv = arena_alloc(a, n * sizeof(*kv));
	buf = arena_alloc(a, len + 1);
	i = 0;
	for (off = 0; off < len; off = end + 1) {
		amp = memchr(s + off, '&', len - off);
		end = amp ? (size_t)(amp - s) : len;
		if (end == off)
			continue;
		eq = memchr(s + off, '=', end - off);
		kend = eq ? (size_t)(eq - s) : end;
		if (pct_decode(buf + off, s + off, kend - off, 1, &klen) == -1)
			return HTTP_E_SYNTAX;
		if (klen > lim->max_field_len)
			return HTTP_E_TOO_BIG;
		if (memchr(buf + off, '\0', klen) != NULL)
			return HTTP_E_SYNTAX;
		buf[off + klen] = '\0';
		kv[i].key = buf + off;
		if (eq != NULL) {
			voff = kend + 1;
			if (pct_decode(buf + voff, s + voff, end - voff, 1,
			    &vlen) == -1)
				return HTTP_E_SYNTAX;
			if (vlen > lim->max_field_len)
				return HTTP_E_TOO_BIG;
			buf[voff + vlen] = '\0';
			kv[i].val = buf + voff;
			kv[i].len = vlen;
		} else {
			kv[i].val = "";
			kv[i].len = 0;
		}
		i++;
	}
	*out = kv;
	*outn = n;
	return HTTP_OK;
}

/* --- Cookie ----------------------------------------------------------- */

/*
 * As browsers parse it: pairs split at ';', spaces and tabs trimmed around
 * names and values, a pair without '=' or whose name is not a token is
 * skipped, and so is one whose value holds a control character.  The header
 * is copied once and cut in place.
 */
int
http_parse_cookies(struct arena *a, const char *s,
    const struct http_limits *lim, struct kv **out, size_t *outn)
{
	struct http_limits def;
	const char *semi;
	struct kv *kv;
	char *buf, *eqp;
	size_t len, pieces, cap, n, off, end, b, e, eq, ne, vb, ve, i;

	*out = NULL;
	*outn = 0;
	if (s == NULL || *s == '\0')
		return HTTP_OK;
	lim = limits_or_default(lim, &def);
	len = strlen(s);
	pieces = 1;
	for (semi = s; (semi = strchr(semi, ';')) != NULL; semi++)
		pieces++;
	cap = pieces < lim->max_cookies ? pieces : lim->max_cookies;
	kv = arena_alloc(a, (cap ? cap : 1) * sizeof(*kv));
	buf = arena_memdup(a, s, len + 1);

	n = 0;
	for (off = 0; off <= len; off = end + 1) {
		semi = memchr(buf + off, ';', len - off);
		end = semi ? (size_t)(semi - buf) : len;
		b = off;
		e = end;
		while (b < e && is_ows((unsigned char)buf[b]))
			b++;
		while (e > b && is_ows((unsigned char)buf[e - 1]))
			e--;
		if ((eqp = memchr(buf + b, '=', e - b)) == NULL)
			continue;
		eq = (size_t)(eqp - buf);
		ne = eq;
		while (ne > b && is_ows((unsigned char)buf[ne - 1]))
			ne--;
		if (ne == b)
			continue;
		for (i = b; i < ne && is_tchar((unsigned char)buf[i]); i++)
			;
		if (i < ne)
			continue;
		vb = eq + 1;
		while (vb < e && is_ows((unsigned char)buf[vb]))
			vb++;
		ve = e;
		if (ve - vb >= 2 && buf[vb] == '"' && buf[ve - 1] == '"') {
			vb++;
			ve--;
		}
		for (i = vb; i < ve && !is_ctl((unsigned char)buf[i]); i++)
			;
		if (i < ve)
			continue;
		if (ve - vb > lim->max_field_len)
			return HTTP_E_TOO_BIG;
		if (n == cap)
			return HTTP_E_TOO_MANY;
		buf[ne] = '\0';
		buf[ve] = '\0';
		kv[n].key = buf + b;
		kv[n].val = buf + vb;
		kv[n].len = ve - vb;
		n++;
	}
	if (n > 0) {
		*out = kv;
		*outn = n;
	}
	return HTTP_OK;
}

/* --- header parameters ------------------------------------------------ */

/*
 * The next parameter of a header value after its type:
 *   OWS ";" OWS token "=" ( token / quoted-string )
 * Empty parameters (";;") are skipped; OWS around '=' is tolerated.  s is
 * modified in place: quoted strings are unescaped.  With http_escapes a
 * backslash escapes any character (RFC 9110 quoted-pair); without, only
 * '\"' is an escape and other backslashes are literal, as browsers send
 * multipart file names (filename="C:\dir\a.pdf").  1: a parameter in
 * *name, *val; 0: no more; -1: malformed.
 */
static int
param_next(char **pp, char *end, int http_escapes, char **name,
    size_t *namelen, char **val, size_t *vallen)
{
	char *p = *pp, *w;

	for (;;) {
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p == end) {
			*pp = p;
			return 0;
		}
		if (*p != ';')
			return -1;
		p++;
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p < end && *p != ';')
			break;
	}
	*name = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	*namelen = (size_t)(p - *name);
	if (*namelen == 0)
		return -1;
	while (p < end && is_ows((unsigned char)*p))
		p++;
	if (p == end || *p != '=')
		return -1;
	p++;
	while (p < end && is_ows((unsigned char)*p))
		p++;
	if (p < end && *p == '"') {
		*val = w = ++p;
		for (;;) {
			if (p == end)
				return -1;
			if (*p == '"')
				break;
			if (*p == '\\' && end - p >= 2 &&
			    (http_escapes || p[1] == '"'))
				p++;
			*w++ = *p++;
		}
		*vallen = (size_t)(w - *val);
		p++;
	} else {
		*val = p;
		while (p < end && *p != ';' && *p != '"' &&
		    (unsigned char)*p > 0x20 && (unsigned char)*p != 0x7f)
			p++;
		*vallen = (size_t)(p - *val);
		if (*vallen == 0)
			return -1;
	}
	*pp = p;
	return 1;
}

static int
name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

const char *
http_multipart_boundary(struct arena *a, const char *ctype)
{
	static const char mt[] = "multipart/form-data";
	const char *p;
	char *buf, *q, *end, *name, *val, *b = NULL;
	size_t nlen, vlen, blen = 0;
	int rc;

	if (ctype == NULL)
		return NULL;
	for (p = ctype; is_ows((unsigned char)*p); p++)
		;
	if (strncasecmp(p, mt, sizeof(mt) - 1) != 0)
		return NULL;
	p += sizeof(mt) - 1;
	if (*p != '\0' && *p != ';' && !is_ows((unsigned char)*p))
		return NULL;
	q = buf = arena_strdup(a, p);
	end = buf + strlen(buf);
	while ((rc = param_next(&q, end, 1, &name, &nlen, &val, &vlen)) == 1) {
		if (!name_is(name, nlen, "boundary"))
			continue;
		if (b != NULL)
			return NULL;	/* two boundaries: ambiguous */
		b = val;
		blen = vlen;
	}
	if (rc == -1 || b == NULL || !boundary_valid(b, blen))
		return NULL;
	b[blen] = '\0';
	return b;
}

/* --- multipart/form-data ---------------------------------------------- */

enum mp_state {
	MP_PREAMBLE,	/* before the first delimiter: discarded */
	MP_DELIM,	/* after a delimiter: "--", padding, CRLF */
	MP_HEADERS,	/* a part's header block */
	MP_DATA,	/* a part's content */
	MP_EPILOGUE	/* after the close delimiter: discarded */
};

struct multipart {
	struct arena		*arena;
	struct http_limits	 lim;		/* copied; tmpdir too */
	char			*delim;		/* CRLF "--" boundary */
	size_t			 delimlen;
	enum mp_state		 state;
	int			 sub;		/* step inside MP_DELIM */
	size_t			 match;		/* delimiter bytes held back */
	size_t			 total;		/* body bytes taken */
	int			 err;		/* sticky */
	int			 cleaned;	/* temp files already removed */

	char			*hdr;		/* MP_HEADER_MAX bytes */
	size_t			 hdrlen;
	int			 hdrcrlf;	/* bytes of CRLFCRLF matched */

	struct kv		*form;
	size_t			 formn, formcap;
	struct upload		*files;
	size_t			 filen, filecap;
	size_t			 parts;

	/* The current part. */
	int			 is_file;
	const char		*name;
	const char		*filename;
	const char		*ctype;
	char			*buf;		/* value, or write staging */
	size_t			 buflen, bufcap;
	size_t			 size;		/* file bytes so far */
	int			 fd;		/* temp file or -1 */
	char			*path;		/* temp file not yet in files[] */
};

static void
mp_cleanup(struct multipart *mp)
{
	size_t i;

	if (mp->fd != -1) {
		close(mp->fd);
		mp->fd = -1;
	}
	if (mp->cleaned)
		return;
	mp->cleaned = 1;
	if (mp->path != NULL) {
		unlink(mp->path);
		mp->path = NULL;
	}
	for (i = 0; i < mp->filen; i++)
		if (mp->files[i].path != NULL)
			unlink(mp->files[i].path);
}

struct multipart *
multipart_new(struct arena *a, const char *boundary,
    const struct http_limits *lim)
{
	struct multipart *mp;
	size_t blen;

	if (boundary == NULL)
		return NULL;
	blen = strlen(boundary);
	if (!boundary_valid(boundary, blen))
		return NULL;
	mp = arena_calloc(a, 1, sizeof(*mp));
	mp->arena = a;
	if (lim != NULL)
		mp->lim = *lim;
	else
		http_limits_default(&mp->lim);
	mp->lim.tmpdir = arena_strdup(a,
	    mp->lim.tmpdir != NULL && *mp->lim.tmpdir != '\0' ?
	    mp->lim.tmpdir : "/tmp");
	mp->delimlen = blen + 4;
	mp->delim = arena_alloc(a, mp->delimlen + 1);
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, blen + 1);
	mp->hdr = arena_alloc(a, MP_HEADER_MAX);
	mp->state = MP_PREAMBLE;
	mp->match = 2;		/* as if the body followed a CRLF */
	mp->fd = -1;
	return mp;
}

/* Make room for need bytes in the scratch buffer, keeping its contents. */
static void
mp_reserve(struct multipart *mp, size_t need)
{
	size_t cap;
	char *nb;

	if (need <= mp->bufcap)
		return;
	cap = mp->bufcap ? mp->bufcap : MP_SCRATCH_MIN;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	nb = arena_alloc(mp->arena, cap);
	if (mp->buflen > 0)
		memcpy(nb, mp->buf, mp->buflen);
	mp->buf = nb;
	mp->bufcap = cap;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
mp_flush(struct multipart *mp)
{
	if (mp->buflen > 0 && write_all(mp->fd, mp->buf, mp->buflen) == -1) {
		log_err("multipart: write %s: %s", mp->path, strerror(errno));
		return HTTP_E_IO;
	}
	mp->buflen = 0;
	return HTTP_OK;
}

/* The current file part outgrew mem_threshold: open its temp file. */
static int
mp_spill(struct multipart *mp)
{
	mp->path = arena_printf(mp->arena, "%s/framuga-upload-XXXXXX",
	    mp->lim.tmpdir);
	if ((mp->fd = mkostemp(mp->path, O_CLOEXEC)) == -1) {
		log_err("multipart: mkstemp %s: %s", mp->path,
		    strerror(errno));
		mp->path = NULL;
		return HTTP_E_IO;
	}
	mp_reserve(mp, MP_STAGE_MIN);
	return HTTP_OK;
}

/* Content bytes of the current part (or of the preamble: dropped). */
static int
mp_emit(struct multipart *mp, const char *p, size_t n)
{
	int rc;

	if (n == 0 || mp->state != MP_DATA)
		return HTTP_OK;
	if (!mp->is_file) {
		if (n > mp->lim.max_field_len - mp->buflen)
			return HTTP_E_TOO_BIG;
		mp_reserve(mp, mp->buflen + n);
		memcpy(mp->buf + mp->buflen, p, n);
		mp->buflen += n;
		return HTTP_OK;
	}
	mp->size += n;
	if (mp->fd == -1) {
		if (mp->size <= mp->lim.mem_threshold) {
			mp_reserve(mp, mp->buflen + n);
			memcpy(mp->buf + mp->buflen, p, n);
			mp->buflen += n;
			return HTTP_OK;
		}
		if ((rc = mp_spill(mp)) != HTTP_OK)
			return rc;
	}
	if (n > mp->bufcap - mp->buflen) {
		if ((rc = mp_flush(mp)) != HTTP_OK)
			return rc;
		if (n >= mp->bufcap) {
			if (write_all(mp->fd, p, n) == -1) {
				log_err("multipart: write %s: %s", mp->path,
				    strerror(errno));
				return HTTP_E_IO;
			}
			return HTTP_OK;
		}
	}
	memcpy(mp->buf + mp->buflen, p, n);
	mp->buflen += n;
	return HTTP_OK;
}

/* The file name as the handler sees it: the last path component ('/' or
 * '\\'), "" for "." and "..", control bytes (from filename*) as '_'. */
static const char *
mp_filename(struct arena *a, const char *s, size_t n)
{
	size_t i, start = 0;
	char *f;

	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\')
			start = i + 1;
	s += start;
	n -= start;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		n = 0;
	f = arena_strndup(a, s, n);
	for (i = 0; i < n; i++)
		if (is_ctl((unsigned char)f[i]) || f[i] == '\0')
			f[i] = '_';
	return f;
}

/*
 * filename*=UTF-8''%e2%82%ac.pdf (RFC 8187).  NULL unless the charset is
 * UTF-8 and the value decodes; the caller then falls back to filename.
 */
static const char *
mp_ext_filename(struct arena *a, char *v, size_t n)
{
	char *q1, *q2, *dec;
	size_t dn;

	if ((q1 = memchr(v, '\'', n)) == NULL ||
	    !name_is(v, (size_t)(q1 - v), "utf-8"))
		return NULL;
	q1++;
	if ((q2 = memchr(q1, '\'', n - (size_t)(q1 - v))) == NULL)
		return NULL;
	q2++;
	dn = n - (size_t)(q2 - v);
	dec = arena_alloc(a, dn + 1);
	if (pct_decode(dec, q2, dn, 0, &dn) == -1)
		return NULL;
	return mp_filename(a, dec, dn);
}

/*
 * The header block of a part is complete in hdr[0..hdrlen), ending with the
 * blank line.  Lines are "Name: value" CRLF; a control byte, a bare CR or
 * LF, a folded line or a line without a colon is a syntax error.  Only
 * Content-Disposition (required, form-data, with a name) and Content-Type
 * are read; either one twice, or a parameter twice, is refused rather than
 * guessed at, so that no proxy in front can read the part differently.
 */
static int
mp_part_begin(struct multipart *mp)
{
	char *p = mp->hdr, *end = mp->hdr + mp->hdrlen - 2;
	char *eol, *colon, *v, *ve, *i;
	char *cd = NULL, *cde = NULL, *ct = NULL, *cte = NULL;
	char *pn, *pv, *name = NULL, *fname = NULL, *fnamex = NULL;
	size_t pnl, pvl, namel = 0, fnamel = 0, fnamexl = 0, maxparts;
	const char *fn = NULL;
	int rc;

	while (p < end) {
		/* The block ends with CRLF CRLF, so eol[1] is in it. */
		if ((eol = memchr(p, '\r', (size_t)(end - p))) == NULL ||
		    eol[1] != '\n')
			return HTTP_E_SYNTAX;
		if (is_ows((unsigned char)*p))
			return HTTP_E_SYNTAX;	/* obs-fold */
		for (i = p; i < eol; i++)
			if (is_ctl((unsigned char)*i))
				return HTTP_E_SYNTAX;
		for (colon = p; colon < eol && is_tchar((unsigned char)*colon);
		    colon++)
			;
		if (colon == p || colon == eol || *colon != ':')
			return HTTP_E_SYNTAX;
		for (v = colon + 1; v < eol && is_ows((unsigned char)*v); v++)
			;
		for (ve = eol; ve > v && is_ows((unsigned char)ve[-1]); ve--)
			;
		if (name_is(p, (size_t)(colon - p), "content-disposition")) {
			if (cd != NULL)
				return HTTP_E_SYNTAX;
			cd = v;
			cde = ve;
		} else if (name_is(p, (size_t)(colon - p), "content-type")) {
			if (ct != NULL)
				return HTTP_E_SYNTAX;
			ct = v;
			cte = ve;
		}
		p = eol + 2;
	}
	if (cd == NULL)
		return HTTP_E_SYNTAX;
	for (p = cd; p < cde && is_tchar((unsigned char)*p); p++)
		;
	if (!name_is(cd, (size_t)(p - cd), "form-data"))
		return HTTP_E_SYNTAX;
	while ((rc = param_next(&p, cde, 0, &pn, &pnl, &pv, &pvl)) == 1) {
		if (name_is(pn, pnl, "name")) {
			if (name != NULL)
				return HTTP_E_SYNTAX;
			name = pv;
			namel = pvl;
		} else if (name_is(pn, pnl, "filename")) {
			if (fname != NULL)
				return HTTP_E_SYNTAX;
			fname = pv;
			fnamel = pvl;
		} else if (name_is(pn, pnl, "filename*")) {
			if (fnamex != NULL)
				return HTTP_E_SYNTAX;
			fnamex = pv;
			fnamexl = pvl;
		}
	}
	if (rc == -1 || name == NULL)
		return HTTP_E_SYNTAX;

	maxparts = mp->lim.max_fields + mp->lim.max_files;
	if (maxparts < mp->lim.max_fields)
		maxparts = SIZE_MAX;
	if (++mp->parts > maxparts)
		return HTTP_E_TOO_MANY;
	mp->is_file = fname != NULL || fnamex != NULL;
	if (mp->is_file ? mp->filen >= mp->lim.max_files :
	    mp->formn >= mp->lim.max_fields)
		return HTTP_E_TOO_MANY;

	mp->name = arena_strndup(mp->arena, name, namel);
	if (mp->is_file) {
		if (fnamex != NULL)
			fn = mp_ext_filename(mp->arena, fnamex, fnamexl);
		if (fn == NULL && fname != NULL)
			fn = mp_filename(mp->arena, fname, fnamel);
		mp->filename = fn != NULL ? fn : "";
		mp->ctype = ct != NULL ?
		    arena_strndup(mp->arena, ct, (size_t)(cte - ct)) : "";
	}
	mp->buflen = 0;
	mp->size = 0;
	mp->state = MP_DATA;
	mp->match = 0;
	return HTTP_OK;
}

/* The delimiter after the current part was seen: store the part. */
static int
mp_part_end(struct multipart *mp)
{
	struct upload *u;
	struct kv *kv;
	char *v;
	void *na;
	int rc;

	if (!mp->is_file) {
		if (mp->formn == mp->formcap) {
			mp->formcap = mp->formcap ? mp->formcap * 2 : 16;
			na = arena_alloc(mp->arena,
			    mp->formcap * sizeof(*mp->form));
			if (mp->formn > 0)
				memcpy(na, mp->form,
				    mp->formn * sizeof(*mp->form));
			mp->form = na;
		}
		v = arena_alloc(mp->arena, mp->buflen + 1);
		if (mp->buflen > 0)
			memcpy(v, mp->buf, mp->buflen);
		v[mp->buflen] = '\0';
		kv = &mp->form[mp->formn++];
		kv->key = mp->name;
		kv->val = v;
		kv->len = mp->buflen;
		mp->buflen = 0;
		return HTTP_OK;
	}

	/* A file input left empty: browsers send filename="" and no data. */
	if (mp->fd == -1 && mp->size == 0 && *mp->filename == '\0')
		return HTTP_OK;
	if (mp->filen == mp->filecap) {
		mp->filecap = mp->filecap ? mp->filecap * 2 : 4;
		na = arena_alloc(mp->arena, mp->filecap * sizeof(*mp->files));
		if (mp->filen > 0)
			memcpy(na, mp->files, mp->filen * sizeof(*mp->files));
		mp->files = na;
	}
	u = &mp->files[mp->filen];
	u->field = mp->name;
	u->filename = mp->filename;
	u->ctype = mp->ctype;
	u->size = mp->size;
	if (mp->fd != -1) {
		if ((rc = mp_flush(mp)) != HTTP_OK)
			return rc;
		if (close(mp->fd) == -1) {
			mp->fd = -1;
			log_err("multipart: close %s: %s", mp->path,
			    strerror(errno));
			return HTTP_E_IO;
		}
		mp->fd = -1;
		u->data = NULL;
		u->path = mp->path;
		mp->path = NULL;
	} else {
		v = arena_alloc(mp->arena, mp->buflen + 1);
		if (mp->buflen > 0)
			memcpy(v, mp->buf, mp->buflen);
		v[mp->buflen] = '\0';
		u->data = v;
		u->path = NULL;
	}
	mp->filen++;
	mp->buflen = 0;
	return HTTP_OK;
}

/* PREAMBLE or DATA: find the next delimiter, emitting what precedes it. */
static int
mp_scan(struct multipart *mp, const char **pp, const char *end)
{
	const char *p = *pp, *q;
	int rc;

	while (p < end) {
		if (mp->match == 0) {
			if ((q = memchr(p, '\r', (size_t)(end - p))) == NULL)
				q = end;
			if ((rc = mp_emit(mp, p, (size_t)(q - p))) != HTTP_OK)
				return rc;
			if (q == end) {
				p = end;
				break;
			}
			p = q + 1;
			mp->match = 1;
			continue;
		}
		if (*p == mp->delim[mp->match]) {
			p++;
			if (++mp->match < mp->delimlen)
				continue;
			mp->match = 0;
			*pp = p;
			if (mp->state == MP_DATA &&
			    (rc = mp_part_end(mp)) != HTTP_OK)
				return rc;
			mp->state = MP_DELIM;
			mp->sub = 0;
			return HTTP_OK;
		}
		/* The held bytes were content after all.  No CR in the
		 * boundary: a new match can begin only at *p, which the
		 * memchr above looks at again. */
		rc = mp_emit(mp, mp->delim, mp->match);
		mp->match = 0;
		if (rc != HTTP_OK)
			return rc;
	}
	*pp = p;
	return HTTP_OK;
}

/* After a delimiter: "--" closes; else transport padding, then CRLF. */
static int
mp_delim_byte(struct multipart *mp, unsigned char c)
{
	switch (mp->sub) {
	case 0:
		if (c == '-')
			mp->sub = 1;
		else if (is_ows(c))
			mp->sub = 2;
		else if (c == '\r')
			mp->sub = 3;
		else
			return HTTP_E_SYNTAX;
		return HTTP_OK;
	case 1:
		if (c != '-')
			return HTTP_E_SYNTAX;
		mp->state = MP_EPILOGUE;
		return HTTP_OK;
	case 2:
		if (c == '\r')
			mp->sub = 3;
		else if (!is_ows(c))
			return HTTP_E_SYNTAX;
		return HTTP_OK;
	default:
		if (c != '\n')
			return HTTP_E_SYNTAX;
		mp->state = MP_HEADERS;
		mp->hdrlen = 0;
		mp->hdrcrlf = 2;	/* the delimiter line's CRLF */
		return HTTP_OK;
	}
}

/* Collect header bytes up to the blank line. */
static int
mp_header_bytes(struct multipart *mp, const char **pp, const char *end)
{
	const char *p = *pp;
	unsigned char c;

	while (p < end) {
		if (mp->hdrlen == MP_HEADER_MAX)
			return HTTP_E_TOO_BIG;
		c = (unsigned char)*p++;
		mp->hdr[mp->hdrlen++] = (char)c;
		if (c == '\r')
			mp->hdrcrlf = mp->hdrcrlf == 2 ? 3 : 1;
		else if (c == '\n' && (mp->hdrcrlf == 1 || mp->hdrcrlf == 3))
			mp->hdrcrlf++;
		else
			mp->hdrcrlf = 0;
		if (mp->hdrcrlf == 4) {
			*pp = p;
			return mp_part_begin(mp);
		}
	}
	*pp = p;
	return HTTP_OK;
}

static int
mp_run(struct multipart *mp, const char *p, size_t n)
{
	const char *end;
	int rc = HTTP_OK;

	if (n == 0)
		return HTTP_OK;
	end = p + n;
	while (p < end && rc == HTTP_OK) {
		switch (mp->state) {
		case MP_PREAMBLE:
		case MP_DATA:
			rc = mp_scan(mp, &p, end);
			break;
		case MP_DELIM:
			rc = mp_delim_byte(mp, (unsigned char)*p++);
			break;
		case MP_HEADERS:
			rc = mp_header_bytes(mp, &p, end);
			break;
		case MP_EPILOGUE:
			p = end;
			break;
		}
	}
	return rc;
}

int
multipart_feed(struct multipart *mp, const char *data, size_t len)
{
	size_t room;
	int rc;

	if (mp->err != HTTP_OK)
		return mp->err;
	room = mp->lim.max_upload - mp->total;
	if (len > room) {
		/* Parse up to the limit first, so that the error does not
		 * depend on how the body was cut into chunks. */
		if ((rc = mp_run(mp, data, room)) == HTTP_OK)
			rc = HTTP_E_TOO_BIG;
		mp->total += room;
	} else {
		rc = mp_run(mp, data, len);
		mp->total += len;
	}
	if (rc != HTTP_OK) {
		mp->err = rc;
		mp_cleanup(mp);
	}
	return rc;
}

int
multipart_finish(struct multipart *mp, struct kv **form, size_t *formn,
    struct upload **files, size_t *filen)
{
	if (form != NULL)
		*form = NULL;
	if (formn != NULL)
		*formn = 0;
	if (files != NULL)
		*files = NULL;
	if (filen != NULL)
		*filen = 0;
	if (mp->err == HTTP_OK && mp->state != MP_EPILOGUE) {
		mp->err = HTTP_E_SYNTAX;
		mp_cleanup(mp);
	}
	if (mp->err != HTTP_OK)
		return mp->err;
	if (form != NULL)
		*form = mp->form;
	if (formn != NULL)
		*formn = mp->formn;
	if (files != NULL)
		*files = mp->files;
	if (filen != NULL)
		*filen = mp->filen;
	return HTTP_OK;
}

void
multipart_abort(struct multipart *mp)
{
	if (mp == NULL)
		return;
	mp_cleanup(mp);
	if (mp->err == HTTP_OK)
		mp->err = HTTP_E_IO;
}

/* --- Accept-Language -------------------------------------------------- */

/*
 * One entry of the header: a language range and its q (0..1000).  Skips
 * empty entries; *ok is 0 for a malformed one (bad range or q), which the
 * caller ignores.  1 while there are entries, 0 at the end.
 */
static int
al_next(const char **pp, const char **range, size_t *rlen, int *q, int *ok)
{
	const char *p = *pp, *s;
	int digits, val;

	while (*p == ',' || is_ows((unsigned char)*p))
		p++;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	*ok = 1;
	*q = 1000;
	*range = p;
	if (*p == '*')
		p++;
	else
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-')
			p++;
	*rlen = (size_t)(p - *range);
	if (*rlen == 0 || *rlen > AL_RANGE_MAX || (*range)[0] == '-' ||
	    (*range)[*rlen - 1] == '-')
		*ok = 0;
	for (;;) {
		while (is_ows((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == ',')
			break;
		if (*p != ';') {
			*ok = 0;
			break;
		}
		p++;
		while (is_ows((unsigned char)*p))
			p++;
		if ((*p != 'q' && *p != 'Q') || p[1] != '=') {
			/* another parameter: ignored */
			while (*p != '\0' && *p != ',' && *p != ';')
				p++;
			continue;
		}
		p += 2;
		s = p;
		val = 0;
		if (*p == '0' || *p == '1') {
			val = (*p++ - '0') * 1000;
			if (*p == '.') {
				p++;
				for (digits = 0; digits < 3 &&
				    *p >= '0' && *p <= '9'; digits++, p++)
					val += (*p - '0') *
					    (digits == 0 ? 100 :
					    digits == 1 ? 10 : 1);
			}
		}
		if (p == s || val > 1000 || (*p >= '0' && *p <= '9')) {
			*ok = 0;
			break;
		}
		*q = val;
	}
	while (*p != '\0' && *p != ',')
		p++;
	*pp = p;
	return 1;
}

/*
 * How well a range matches a supported tag: 4 equal, 3 the range is a
 * sub-tag of it ("pl-PL" for "pl"), 2 the range is a prefix of it ("pt" for
 * "pt-BR"), 1 "*", 0 not at all.  Case is ignored.
 */
static int
al_rank(const char *range, size_t rlen, const char *tag)
{
	size_t tlen = strlen(tag);

	if (rlen == 1 && range[0] == '*')
		return 1;
	if (rlen == tlen && strncasecmp(range, tag, tlen) == 0)
		return 4;
	if (rlen > tlen && tlen > 0 && range[tlen] == '-' &&
	    strncasecmp(range, tag, tlen) == 0)
		return 3;
	if (tlen > rlen && tag[rlen] == '-' &&
	    strncasecmp(range, tag, rlen) == 0)
		return 2;
	return 0;
}

/*
 * Each supported tag takes the q of the most specific entry that matches
 * it (the highest q among equally specific ones), so "pl;q=0" excludes pl
 * even after "*".  The winner has the highest q; ties go to the entry that
 * comes first in the header, then to the order of supported[].  The header
 * is short and the supported list tiny, so it is scanned once per tag
 * rather than sorted: no allocation.
 */
const char *
http_accept_language(const char *header, const char *const *supported,
    size_t nsupported)
{
	const char *p, *range, *best = NULL;
	size_t i, rlen, pos, tpos = 0, bpos = 0;
	int q, ok, r, trank, tq = 0, bq = 0;

	if (header == NULL || supported == NULL)
		return NULL;
	for (i = 0; i < nsupported; i++) {
		if (supported[i] == NULL)
			continue;
		trank = 0;
		for (p = header, pos = 0; al_next(&p, &range, &rlen, &q, &ok);
		    pos++) {
			if (!ok || (r = al_rank(range, rlen, supported[i])) == 0)
				continue;
			if (r > trank || (r == trank && q > tq)) {
				trank = r;
				tq = q;
				tpos = pos;
			}
		}
		if (trank == 0 || tq == 0)
			continue;
		if (best == NULL || tq > bq || (tq == bq && tpos < bpos)) {
			best = supported[i];
			bq = tq;
			bpos = tpos;
		}
	}
	return best;
}

/* --- methods and status ----------------------------------------------- */

static const struct {
	enum http_method	 m;
	const char		*name;
} http_methods[] = {
	{ M_GET, "GET" },
	{ M_HEAD, "HEAD" },
	{ M_POST, "POST" },
	{ M_PUT, "PUT" },
	{ M_DELETE, "DELETE" },
	{ M_PATCH, "PATCH" },
	{ M_OPTIONS, "OPTIONS" },
};

/* Methods are case-sensitive (RFC 9110 9.1): "get" is M_OTHER. */
enum http_method
http_method_parse(const char *s)
{
	size_t i;

	if (s == NULL)
		return M_OTHER;
	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (strcmp(s, http_methods[i].name) == 0)
			return http_methods[i].m;
	return M_OTHER;
}

/* The name of one method; "OTHER" for M_OTHER or anything not a single
 * known method (never NULL, so it is safe in a log line). */
const char *
http_method_name(enum http_method m)
{
	size_t i;

	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (http_methods[i].m == m)
			return http_methods[i].name;
	return "OTHER";
}

/* The reason phrase of a status (RFC 9110); for a code it does not know,
 * the name of its class, and "Unknown" outside 100..599. */
const char *
http_status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 103: return "Early Hints";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 423: return "Locked";
	case 425: return "Too Early";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 451: return "Unavailable For Legal Reasons";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	case 507: return "Insufficient Storage";
	case 508: return "Loop Detected";
	case 511: return "Network Authentication Required";
	}
	switch (status / 100) {
	case 1: return "Informational";
	case 2: return "Success";
	case 3: return "Redirection";
	case 4: return "Client Error";
	case 5: return "Server Error";
	}
	return "Unknown";
}
