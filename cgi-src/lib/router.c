/*
 * router.c: match a method and path against the const route table.
 *
 * The table is small (tens of routes) and matching walks it in order,
 * comparing segment by segment without copying; only a matched parameter is
 * copied into the arena.  That costs well under a microsecond for a table of
 * a hundred routes, which is cheaper and simpler than building a trie.
 * router_check() proves at start-up that no two routes overlap, so the order
 * of the table never decides which handler runs.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "router.h"

enum seg_type { SEG_LIT, SEG_INT, SEG_SLUG, SEG_HEX, SEG_WORD };

/* Parse one pattern segment starting at p (after '/'); fill type and, for a
 * literal, its length.  Returns the end of the segment or NULL if bad. */
static const char *
pat_segment(const char *p, enum seg_type *type, size_t *len)
{
	const char *end = strchr(p, '/');

	if (end == NULL)
		end = p + strlen(p);
	*len = (size_t)(end - p);
	if (*len > 0 && p[0] == '{') {
		const char *colon = memchr(p, ':', *len);
		const char *t;
		size_t tl;

		if (colon == NULL || p[*len - 1] != '}' || colon == p + 1)
			return NULL;
		t = colon + 1;
		tl = (size_t)(end - 1 - t);
		if (tl == 3 && strncmp(t, "int", 3) == 0)
			*type = SEG_INT;
		else if (tl == 4 && strncmp(t, "slug", 4) == 0)
			*type = SEG_SLUG;
		else if (tl == 3 && strncmp(t, "hex", 3) == 0)
			*type = SEG_HEX;
		else if (tl == 4 && strncmp(t, "word", 4) == 0)
			*type = SEG_WORD;
		else
			return NULL;
		return end;
	}
	for (size_t i = 0; i < *len; i++)
		if (p[i] == '{' || p[i] == '}')
			return NULL;
	*type = SEG_LIT;
	return end;
}

/* Does path segment s[0..n) fit the type?  For SEG_INT, *v gets the value. */
static int
seg_fits(enum seg_type t, const char *s, size_t n, int64_t *v)
{
	size_t i;

	if (n == 0)
		return 0;
	switch (t) {
	case SEG_INT:
		if (n > 16 || s[0] == '0')
			return 0;
		*v = 0;
		for (i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return 0;
			*v = *v * 10 + (s[i] - '0');
		}
		return *v <= ((int64_t)1 << 53);
	case SEG_SLUG:
		if (n > 64)
			return 0;
		for (i = 0; i < n; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
				return 0;
		return 1;
	case SEG_HEX:
		if (n > 128)
			return 0;
		for (i = 0; i < n; i++)
			if (!((s[i] >= 'a' && s[i] <= 'f') ||
			    (s[i] >= '0' && s[i] <= '9')))
				return 0;
		return 1;
	case SEG_WORD:
		if (n > 64)
			return 0;
		for (i = 0; i < n; i++)
			if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
				return 0;
		return 1;
	case SEG_LIT:
		break;
	}
	return 0;
}

/* Match one pattern; on success fill m's params (arena copies). */
static int
pat_match(struct arena *a, const char *pat, const char *path,
    struct route_match *m)
{
	const char *p = pat, *s = path;

	m->paramn = 0;
	if (*p != '/' || *s != '/')
		return 0;
	if (p[1] == '\0')
		return s[1] == '\0';
	for (;;) {
		enum seg_type t;
		size_t plen, slen;
		const char *pend, *send;
		int64_t v = 0;

		p++, s++;
		if ((pend = pat_segment(p, &t, &plen)) == NULL)
			return 0;
		send = strchr(s, '/');
		if (send == NULL)
			send = s + strlen(s);
		slen = (size_t)(send - s);
		if (t == SEG_LIT) {
			if (plen != slen || memcmp(p, s, slen) != 0)
				return 0;
		} else {
			if (!seg_fits(t, s, slen, &v) || m->paramn >= 4)
				return 0;
			if (a != NULL)
				m->param[m->paramn] = arena_strndup(a, s, slen);
			m->iparam[m->paramn] = v;
			m->paramn++;
		}
		if (*pend == '\0' || *send == '\0')
			return *pend == '\0' && *send == '\0';
		p = pend, s = send;
	}
}

enum route_result
router_match(struct arena *a, const struct route *tbl, size_t n,
    unsigned method, const char *path, struct route_match *m)
{
	unsigned allowed = 0;
	unsigned want = method == M_HEAD ? (M_HEAD | M_GET) : method;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		if (!pat_match(NULL, tbl[i].pattern, path, m))
			continue;
		if ((tbl[i].methods & want) == 0) {
			allowed |= tbl[i].methods;
			continue;
		}
		pat_match(a, tbl[i].pattern, path, m);	/* now copy params */
		m->route = &tbl[i];
		return ROUTE_FOUND;
	}
	m->paramn = 0;
	if (allowed) {
		m->allowed = allowed | ((allowed & M_GET) ? M_HEAD : 0);
		return ROUTE_BAD_METHOD;
	}
	return ROUTE_NOT_FOUND;
}

const char *
router_allow(struct arena *a, unsigned methods)
{
	static const unsigned order[] = { M_GET, M_HEAD, M_POST, M_PUT,
	    M_DELETE, M_PATCH, M_OPTIONS };
	char out[64] = "";

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(methods & order[i]))
			continue;
		if (out[0])
			strcat(out, ", ");
		strcat(out, http_method_name(order[i]));
	}
	return arena_strdup(a, out);
}

/* Could two patterns match one path?  Segment-wise: literals must be equal;
 * a literal against a parameter overlaps if the literal fits the type; two
 * parameters overlap if their types share a value (all types here share
 * some digits-only value, so any two parameters overlap). */
static int
pat_overlap(const char *a, const char *b)
{
	if (strcmp(a, "/") == 0 || strcmp(b, "/") == 0)
		return strcmp(a, b) == 0;
	for (;;) {
		enum seg_type ta, tb;
		size_t la, lb;
		const char *ea, *eb;
		int64_t v;

		a++, b++;
		ea = pat_segment(a, &ta, &la);
		eb = pat_segment(b, &tb, &lb);
		if (ea == NULL || eb == NULL)
			return 0;
		if (ta == SEG_LIT && tb == SEG_LIT) {
			if (la != lb || memcmp(a, b, la) != 0)
				return 0;
		} else if (ta == SEG_LIT) {
			if (!seg_fits(tb, a, la, &v))
				return 0;
		} else if (tb == SEG_LIT) {
			if (!seg_fits(ta, b, lb, &v))
				return 0;
		}
		if (*ea == '\0' || *eb == '\0')
			return *ea == '\0' && *eb == '\0';
		a = ea, b = eb;
	}
}

int
router_check(const struct route *tbl, size_t n, char *err, size_t errsz)
{
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &tbl[i];
		const char *p = r->pattern;
		unsigned params = 0;

		if (r->name == NULL || r->handler == NULL || p == NULL ||
		    p[0] != '/' || r->methods == 0) {
			snprintf(err, errsz, "route %zu (%s): missing name, "
			    "handler, methods or pattern", i,
			    r->name ? r->name : "?");
			return -1;
		}
		if (strcmp(p, "/") != 0) {
			while (*p == '/') {
				enum seg_type t;
				size_t len;
				const char *end = pat_segment(p + 1, &t, &len);

				if (end == NULL || len == 0) {
					snprintf(err, errsz, "route %s: bad "
					    "pattern %s", r->name, r->pattern);
					return -1;
				}
				if (t != SEG_LIT)
					params++;
				p = end;
			}
			if (params > 4) {
				snprintf(err, errsz, "route %s: more than 4 "
				    "parameters", r->name);
				return -1;
			}
		}
		if (r->csrf == CSRF_NONE && (r->methods & ~(M_GET | M_HEAD))) {
			snprintf(err, errsz, "route %s: a state-changing method "
			    "without CSRF_CHECK", r->name);
			return -1;
		}
		if ((r->methods & (M_GET | M_HEAD)) &&
		    (r->methods & ~(M_GET | M_HEAD))) {
			snprintf(err, errsz, "route %s: mixes safe and unsafe "
			    "methods; give each its own route", r->name);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(tbl[j].name, r->name) == 0) {
				snprintf(err, errsz, "route name %s used twice",
				    r->name);
				return -1;
			}
			if ((tbl[j].methods & r->methods) &&
			    pat_overlap(tbl[j].pattern, r->pattern)) {
				snprintf(err, errsz, "routes %s (%s) and %s (%s) "
				    "overlap", tbl[j].name, tbl[j].pattern,
				    r->name, r->pattern);
				return -1;
			}
		}
	}
	return 0;
}
