/*
 * cfg.c: the configuration file; see cfg.h for the contract.
 *
 * How it works: cfg_keys[] below declares every key once: its name, type,
 * default (as text, so that defaults go through the same parser and checks
 * as the file), a one-line description, the section it is printed under,
 * where it lives in struct config (offsetof), and for numbers the allowed
 * range, for text an optional check.  cfg_defaults(), cfg_set(),
 * cfg_print_defaults() and the man page test all walk this one table, so a
 * key cannot be documented and not parsed, or the other way round.
 *
 * cfg_load() reads line by line and goes on after an error, so that one run
 * of `framuga-admin config-check` shows every mistake with its file:line.
 * A key set twice in one file is an error (which one wins is a surprise
 * waiting to happen).  When the file is read, checks that involve two keys
 * run (default_lang must be in languages).
 *
 * Strings in struct config are malloc'd and live until cfg_free(): the
 * configuration outlives every request.  Out of memory here is fatal
 * (xstrdup), which is fine: configuration is read at start-up only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "cfg.h"
#include "log.h"
#include "util.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/framuga"
#endif
#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

enum cfg_type { CFG_STR, CFG_INT, CFG_LONG, CFG_BOOL };

/* A check for a text value: 0, or -1 with the reason in why. */
typedef int cfg_check_fn(const char *, char *why, size_t whysz);

struct cfg_key {
	const char	*name;
	enum cfg_type	 type;
	const char	*def;		/* default, as it would be written */
	const char	*doc;		/* one line */
	const char	*section;
	size_t		 off;		/* in struct config */
	long		 min, max;	/* CFG_INT, CFG_LONG */
	cfg_check_fn	*check;		/* CFG_STR, or NULL */
};

static cfg_check_fn check_nonempty, check_urlpath, check_url, check_origin,
    check_listen, check_color, check_lang, check_languages, check_level;

#define S(n, d, sec, chk, doc) \
	{ #n, CFG_STR, d, doc, sec, offsetof(struct config, n), 0, 0, chk }
#define I(n, d, sec, lo, hi, doc) \
	{ #n, CFG_INT, #d, doc, sec, offsetof(struct config, n), lo, hi, NULL }
#define L(n, d, sec, lo, hi, doc) \
	{ #n, CFG_LONG, #d, doc, sec, offsetof(struct config, n), lo, hi, NULL }
#define B(n, d, sec, doc) \
	{ #n, CFG_BOOL, d, doc, sec, offsetof(struct config, n), 0, 1, NULL }

static const struct cfg_key cfg_keys[] = {
	S(db_path, "framuga.db", "paths", check_nonempty,
	    "SQLite database file (created by framuga-admin migrate)"),
	S(data_dir, "data", "paths", check_nonempty,
	    "file store: attachments, ERP documents, raw mail"),
	S(template_dir, PKGDATADIR "/templates", "paths", check_nonempty,
	    "templates shipped with the program"),
	S(template_override_dir, "", "paths", NULL,
	    "this deployment's own templates, searched first; empty: none"),
	S(static_url, "/static", "paths", check_urlpath,
	    "URL prefix under which nginx serves www/static"),
	S(locale_dir, LOCALEDIR, "paths", check_nonempty,
	    "compiled message catalogs (.mo)"),
	S(tmp_dir, "/tmp", "paths", check_nonempty,
	    "uploads larger than upload_mem_kb are spooled here"),

	S(listen, "unix:framuga.sock", "pool", check_listen,
	    "FastCGI socket: unix:PATH or HOST:PORT"),
	I(workers, 0, "pool", 0, 256,
	    "worker processes; 0: twice the number of CPUs"),
	I(max_requests, 10000, "pool", 0, 1000000000,
	    "a worker is replaced after this many requests; 0: never"),
	I(listen_backlog, 128, "pool", 1, 65535,
	    "listen(2) backlog of the FastCGI socket"),

	I(busy_timeout_ms, 5000, "database", 0, 600000,
	    "longest wait for a database lock before answering 503"),
	I(cache_kb, 8192, "database", 64, 16777216,
	    "SQLite page cache per worker, in KiB"),
	I(result_cache_kb, 4096, "database", 0, 1048576,
	    "cache of catalogue lists per worker, in KiB; 0: off"),

	L(max_body_kb, 1024, "http", 1, 1048576,
	    "largest urlencoded request body, in KiB"),
	L(max_upload_kb, 65536, "http", 1, 16777216,
	    "largest multipart (upload) request body, in KiB"),
	I(max_fields, 256, "http", 1, 100000,
	    "most form fields in one request"),
	I(max_files, 16, "http", 0, 10000,
	    "most uploaded files in one request"),
	L(upload_mem_kb, 64, "http", 0, 1048576,
	    "an upload larger than this goes to tmp_dir, in KiB"),
	I(hsts_max_age, 0, "http", 0, 63072000,
	    "Strict-Transport-Security max-age in seconds; 0: no header"),
	S(public_origin, "", "http", check_origin,
	    "scheme://host[:port] the portal is reached at, for the CSRF "
	    "Origin check; empty: the request's Host"),

	S(brand_name, "Framuga", "brand", check_nonempty,
	    "name shown in the title and the header"),
	S(brand_logo, "/static/img/logo.svg", "brand", check_urlpath,
	    "URL of the logo"),
	S(brand_color, "#1f5f8b", "brand", check_color,
	    "primary colour, #rrggbb"),
	S(brand_color_dark, "#163e5a", "brand", check_color,
	    "header colour, #rrggbb"),

	S(default_lang, "pl", "languages", check_lang,
	    "language when neither the user nor the browser chooses one"),
	S(languages, "pl en de", "languages", check_languages,
	    "languages offered, separated by spaces (of: pl en de)"),

	I(session_idle_min, 30, "sessions", 1, 10080,
	    "a session ends after so many minutes without a request"),
	I(session_max_hours, 12, "sessions", 1, 2160,
	    "a session ends this many hours after login, active or not"),

	I(argon2_memory_kib, 19456, "accounts", 8, 4194304,
	    "memory of one argon2id password hash, in KiB"),
	I(argon2_iterations, 2, "accounts", 1, 100,
	    "argon2id passes over that memory"),
	I(argon2_lanes, 1, "accounts", 1, 16,
	    "argon2id parallelism (lanes)"),
	I(argon2_max_parallel, 2, "accounts", 1, 256,
	    "password hashes computed at once by all workers together"),
	I(argon2_wait_ms, 2000, "accounts", 0, 60000,
	    "longest wait for a hashing slot before answering 503"),
	I(login_free_attempts, 5, "accounts", 0, 1000,
	    "failed logins to one account before each next one is delayed"),
	I(login_ip_free_attempts, 20, "accounts", 0, 100000,
	    "failed logins from one address before each next one is delayed"),
	I(login_max_delay_s, 60, "accounts", 1, 86400,
	    "the delay after failed logins doubles up to this, in seconds"),
	I(reset_link_minutes, 60, "accounts", 5, 10080,
	    "a password reset link is valid this many minutes"),
	B(totp_required_for_staff, "no", "accounts",
	    "staff must use a second factor (TOTP) to reach the CMS"),

	S(erp_url, "http://127.0.0.1:8090/soap", "erp", check_url,
	    "OknoERP SOAP endpoint"),
	S(erp_user, "", "erp", NULL, "OknoERP user name"),
	S(erp_password, "", "erp", NULL, "OknoERP password"),
	S(erp_ca_file, "", "erp", NULL,
	    "CA certificates for the ERP's TLS; empty: the system's"),
	I(erp_timeout_s, 30, "erp", 1, 600,
	    "longest wait for one ERP call, in seconds"),

	S(log_level, "info", "log", check_level,
	    "least important messages logged: error, warn, info or debug"),

	B(test_routes, "no", "testing",
	    "serve the /_test/ routes of the end-to-end suite; never in "
	    "production"),
};

#undef S
#undef I
#undef L
#undef B

#define CFG_NKEYS	(sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static const char *const cfg_langs[] = { "pl", "en", "de" };

/* ---- checks of text values ---- */

static int
check_nonempty(const char *v, char *why, size_t whysz)
{
	if (*v == '\0') {
		util_errf(why, whysz, "must not be empty");
		return -1;
	}
	return 0;
}

/* "host" or "host:port" after a scheme, up to the end: names, IPv4, or
 * [IPv6].  port: 1..65535. */
static int
check_hostport(const char *s, size_t n, int need_port)
{
	char buf[64];
	unsigned char a6[16];
	const char *colon, *p;
	size_t hn;
	long port;

	if (n == 0)
		return -1;
	if (s[0] == '[') {
		if ((p = memchr(s, ']', n)) == NULL)
			return -1;
		hn = (size_t)(p - s) - 1;
		if (hn == 0 || hn >= sizeof(buf))
			return -1;
		memcpy(buf, s + 1, hn);
		buf[hn] = '\0';
		if (inet_pton(AF_INET6, buf, a6) != 1)
			return -1;
		colon = p + 1 < s + n ? p + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return -1;
	} else {
		colon = memchr(s, ':', n);
		hn = colon ? (size_t)(colon - s) : n;
		if (hn == 0 || hn > 253)
			return -1;
		for (p = s; p < s + hn; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' &&
			    *p != '-')
				return -1;
		/* Digits and dots only: must be a real IPv4 address. */
		if (strspn(s, "0123456789.") >= hn) {
			if (hn >= sizeof(buf))
				return -1;
			memcpy(buf, s, hn);
			buf[hn] = '\0';
			if (inet_pton(AF_INET, buf, a6) != 1)
				return -1;
		}
	}
	if (colon == NULL)
		return need_port ? -1 : 0;
	p = colon + 1;
	if (p == s + n || (size_t)(s + n - p) > 5)
		return -1;
	port = 0;
	for (; p < s + n; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535 ? 0 : -1;
}

static int
check_listen(const char *v, char *why, size_t whysz)
{
	if (strncmp(v, "unix:", 5) == 0) {
		if (v[5] == '\0') {
			util_errf(why, whysz, "'unix:' needs a socket path");
			return -1;
		}
		if (strlen(v + 5) >= 108) {	/* sun_path */
			util_errf(why, whysz, "socket path longer than 107 "
			    "bytes");
			return -1;
		}
		return 0;
	}
	if (check_hostport(v, strlen(v), 1) == -1) {
		util_errf(why, whysz, "'%s' is not unix:PATH or HOST:PORT", v);
		return -1;
	}
	return 0;
}

/* http(s)://host[:port], nothing after it when origin_only. */
static int
check_http(const char *v, int origin_only)
{
	const char *h, *slash;

	if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else
		return -1;
	slash = strchr(h, '/');
	if (origin_only && slash != NULL)
		return -1;
	return check_hostport(h, slash ? (size_t)(slash - h) : strlen(h), 0);
}

static int
check_url(const char *v, char *why, size_t whysz)
{
	if (check_http(v, 0) == -1) {
		util_errf(why, whysz, "'%s' is not an http:// or https:// URL",
		    v);
		return -1;
	}
	return 0;
}

static int
check_origin(const char *v, char *why, size_t whysz)
{
	if (*v != '\0' && check_http(v, 1) == -1) {
		util_errf(why, whysz, "'%s' is not an origin such as "
		    "https://portal.example.com (no path, no trailing '/')",
		    v);
		return -1;
	}
	return 0;
}

/* A path on this site ("/static") or an absolute http(s) URL. */
static int
check_urlpath(const char *v, char *why, size_t whysz)
{
	if ((v[0] == '/' && v[1] != '/') || check_http(v, 0) == 0)
		return 0;
	util_errf(why, whysz, "'%s' is not a path starting with '/' or an "
	    "http(s):// URL", v);
	return -1;
}

static int
check_color(const char *v, char *why, size_t whysz)
{
	size_t i;

	if (strlen(v) == 7 && v[0] == '#') {
		for (i = 1; i < 7; i++)
			if (!isxdigit((unsigned char)v[i]))
				break;
		if (i == 7)
			return 0;
	}
	util_errf(why, whysz, "'%s' is not a colour #rrggbb", v);
	return -1;
}

static int
lang_index(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_langs) / sizeof(cfg_langs[0]); i++)
		if (strlen(cfg_langs[i]) == n && memcmp(cfg_langs[i], s, n) == 0)
			return (int)i;
	return -1;
}

static int
check_lang(const char *v, char *why, size_t whysz)
{
	if (lang_index(v, strlen(v)) == -1) {
		util_errf(why, whysz, "'%s' is not one of pl, en, de", v);
		return -1;
	}
	return 0;
}

static int
check_languages(const char *v, char *why, size_t whysz)
{
	unsigned seen = 0;
	const char *p = v;
	size_t n;
	int i, count = 0;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		if ((i = lang_index(p, n)) == -1) {
			util_errf(why, whysz, "'%.*s' is not one of pl, en, de",
			    (int)n, p);
			return -1;
		}
		if (seen & (1u << i)) {
			util_errf(why, whysz, "'%.*s' is listed twice", (int)n,
			    p);
			return -1;
		}
		seen |= 1u << i;
		count++;
		p += n;
	}
	if (count == 0) {
		util_errf(why, whysz, "must name at least one language");
		return -1;
	}
	return 0;
}

static int
check_level(const char *v, char *why, size_t whysz)
{
	if (strcmp(v, "error") == 0 || strcmp(v, "warn") == 0 ||
	    strcmp(v, "info") == 0 || strcmp(v, "debug") == 0)
		return 0;
	util_errf(why, whysz, "'%s' is not error, warn, info or debug", v);
	return -1;
}

/* ---- the table ---- */

static const struct cfg_key *
key_find(const char *name)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++)
		if (strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

/* Edit distance, capped: for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t row[64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cur = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			row[j] = cur;
			prev = tmp;
		}
	}
	return row[lb];
}

static const char *
key_suggest(const char *name)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < CFG_NKEYS; i++) {
		d = distance(name, cfg_keys[i].name);
		if (d < bestd) {
			bestd = d;
			best = cfg_keys[i].name;
		}
	}
	return best;
}

static int
parse_long(const char *v, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || isspace((unsigned char)*v) || *end != '\0')
		return -1;
	if (errno == ERANGE)
		return -2;
	*out = n;
	return 0;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Parse and store one value; the field is untouched on error. */
static int
key_set(struct config *c, const struct cfg_key *k, const char *v,
    char *err, size_t errsz)
{
	char why[256];
	char *base = (char *)c + k->off;
	long n;
	int b, rc;

	switch (k->type) {
	case CFG_STR:
		if (k->check != NULL && k->check(v, why, sizeof(why)) == -1) {
			util_errf(err, errsz, "%s: %s", k->name, why);
			return -1;
		}
		free(*(char **)(void *)base);
		*(char **)(void *)base = xstrdup(v);
		return 0;
	case CFG_INT:
	case CFG_LONG:
		if ((rc = parse_long(v, &n)) == -1) {
			util_errf(err, errsz, "%s: '%s' is not an integer",
			    k->name, v);
			return -1;
		}
		if (rc == -2 || n < k->min || n > k->max) {
			util_errf(err, errsz,
			    "%s: %s is out of range (%ld..%ld)",
			    k->name, v, k->min, k->max);
			return -1;
		}
		if (k->type == CFG_INT)
			*(int *)(void *)base = (int)n;
		else
			*(long *)(void *)base = n;
		return 0;
	case CFG_BOOL:
		if (parse_bool(v, &b) == -1) {
			util_errf(err, errsz, "%s: '%s' is not yes or no",
			    k->name, v);
			return -1;
		}
		*(int *)(void *)base = b;
		return 0;
	}
	return -1;
}

void
cfg_defaults(struct config *c)
{
	char err[256];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CFG_NKEYS; i++)
		if (key_set(c, &cfg_keys[i], cfg_keys[i].def, err,
		    sizeof(err)) == -1) {
			/* A bad default is a bug in the table above. */
			log_err("config default: %s", err);
			abort();
		}
}

int
cfg_set(struct config *c, const char *key, const char *value, char *err,
    size_t errsz)
{
	const struct cfg_key *k;
	const char *s;

	if ((k = key_find(key)) == NULL) {
		if ((s = key_suggest(key)) != NULL)
			util_errf(err, errsz, "unknown key '%s' (did you mean "
			    "'%s'?)", key, s);
		else
			util_errf(err, errsz, "unknown key '%s'", key);
		return -1;
	}
	return key_set(c, k, value, err, errsz);
}

void
cfg_free(struct config *c)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++)
		if (cfg_keys[i].type == CFG_STR) {
			char **p = (char **)(void *)((char *)c +
			    cfg_keys[i].off);

			free(*p);
			*p = NULL;
		}
}

/* ---- the file ---- */

struct load {
	const char	*path;
	char		*err;
	size_t		 errsz;
	int		 nerr;
	void		(*report)(void *, const char *);
	void		*arg;
};

static void
load_error(struct load *ld, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
load_error(struct load *ld, size_t line, const char *fmt, ...)
{
	char why[512], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(msg, sizeof(msg), "%s:%zu: %s", ld->path, line, why);
	else
		snprintf(msg, sizeof(msg), "%s: %s", ld->path, why);
	if (ld->nerr++ == 0)
		util_errf(ld->err, ld->errsz, "%s", msg);
	if (ld->report != NULL)
		ld->report(ld->arg, msg);
	else
		log_err("%s", msg);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
cfg_load_report(struct config *c, const char *path, char *err, size_t errsz,
    void (*report)(void *, const char *), void *arg)
{
	struct load ld = { path, err, errsz, 0, report, arg };
	size_t setline[CFG_NKEYS];
	char why[512];
	char *line = NULL, *s, *eq, *key, *val;
	size_t cap = 0, lineno = 0, i, ki;
	const struct cfg_key *k;
	ssize_t len;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		load_error(&ld, 0, "%s", strerror(errno));
		return -1;
	}
	memset(setline, 0, sizeof(setline));
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if ((size_t)len != strlen(line)) {
			load_error(&ld, lineno, "NUL byte in the line");
			continue;
		}
		s = line;
		if (lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;		/* UTF-8 byte order mark */
		s = trim(s);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			load_error(&ld, lineno, "missing '=' (lines are "
			    "\"key = value\")");
			continue;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (*key == '\0') {
			load_error(&ld, lineno, "no key before '='");
			continue;
		}
		if ((k = key_find(key)) == NULL) {
			(void)cfg_set(c, key, val, why, sizeof(why));
			load_error(&ld, lineno, "%s", why);
			continue;
		}
		ki = (size_t)(k - cfg_keys);
		if (setline[ki] != 0) {
			load_error(&ld, lineno, "%s is already set on line %zu",
			    key, setline[ki]);
			continue;
		}
		setline[ki] = lineno;
		if (key_set(c, k, val, why, sizeof(why)) == -1)
			load_error(&ld, lineno, "%s", why);
	}
	if (ferror(f))
		load_error(&ld, 0, "read error: %s", strerror(errno));
	free(line);
	fclose(f);

	/* Checks across keys, reported at the line that set the later of
	 * the two (or at the file when both are defaults). */
	if (c->languages != NULL && c->default_lang != NULL) {
		size_t n = strlen(c->default_lang), at;
		const char *p = c->languages;
		int found = 0;

		while (*(p += strspn(p, " \t")) != '\0') {
			size_t m = strcspn(p, " \t");

			if (m == n && memcmp(p, c->default_lang, n) == 0)
				found = 1;
			p += m;
		}
		if (!found) {
			size_t a = 0, b = 0;

			for (i = 0; i < CFG_NKEYS; i++) {
				if (strcmp(cfg_keys[i].name, "default_lang")
				    == 0)
					a = setline[i];
				if (strcmp(cfg_keys[i].name, "languages") == 0)
					b = setline[i];
			}
			at = a > b ? a : b;
			load_error(&ld, at, "default_lang %s is not one of "
			    "languages (%s)", c->default_lang, c->languages);
		}
	}
	return ld.nerr == 0 ? 0 : -1;
}

int
cfg_load(struct config *c, const char *path, char *err, size_t errsz)
{
	return cfg_load_report(c, path, err, errsz, NULL, NULL);
}

void
cfg_print_defaults(void)
{
	const char *section = NULL;
	size_t i;

	printf("# framuga.conf: configuration of the Framuga portal.\n"
	    "#\n"
	    "# Every key with its default, as printed by `framuga-admin "
	    "config-defaults`;\n"
	    "# see framuga.conf(5).  Lines are \"key = value\"; a line "
	    "whose first\n"
	    "# non-blank character is '#' is a comment.  Values are not "
	    "quoted.\n");
	for (i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (section == NULL || strcmp(section, k->section) != 0) {
			section = k->section;
			printf("\n# [%s]\n", section);
		}
		printf("\n# %s\n", k->doc);
		if (k->type == CFG_INT || k->type == CFG_LONG)
			printf("# (%ld..%ld)\n", k->min, k->max);
		if (*k->def == '\0')
			printf("%s =\n", k->name);
		else
			printf("%s = %s\n", k->name, k->def);
	}
}

int
cfg_workers(const struct config *c)
{
	long n;

	if (c->workers > 0)
		return c->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 128)
		n = 128;
	return (int)n * 2;
}
