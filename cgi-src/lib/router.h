/*
 * router.h: the route table.
 *
 * Routes are a const array (cgi-src/fcgi/routes.c): methods, a path pattern,
 * the handler, the permission it needs and its CSRF policy.  Reading that one
 * table tells a newcomer every page and who may see it.
 *
 * Patterns are literal segments and typed parameters:
 *   "/orders/{id:int}"       a decimal integer 1 .. 2^53 (req->iparam[0])
 *   "/p/{slug:slug}"         [a-z0-9-]{1,64}
 *   "/files/{hash:hex}"      [0-9a-f]{1,128}
 *   "/lang/{code:word}"      [A-Za-z0-9_]{1,64}
 * A trailing slash is significant only for "/".  No regular expressions, no
 * wildcards: a path matches at most one pattern (router_check() proves it for
 * the table at start-up and in the unit tests).
 */
#ifndef FRAMUGA_ROUTER_H
#define FRAMUGA_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "perm.h"

struct req;

typedef void (*route_handler)(struct req *);

enum csrf_policy {
	CSRF_NONE,	/* safe methods only; the router refuses such a route
			 * if it allows a method other than GET/HEAD */
	CSRF_CHECK	/* token + Origin/Sec-Fetch-Site checked before handler */
};

struct route {
	unsigned		 methods;	/* M_GET | M_POST ... */
	const char		*pattern;
	route_handler		 handler;
	enum perm		 perm;
	enum csrf_policy	 csrf;
	const char		*name;		/* stable id for tests and logs */
};

enum route_result {
	ROUTE_FOUND,
	ROUTE_NOT_FOUND,	/* 404 */
	ROUTE_BAD_METHOD	/* 405; *allowed has the methods of the path */
};

struct route_match {
	const struct route	*route;
	const char		*param[4];	/* arena strings */
	int64_t			 iparam[4];
	size_t			 paramn;
	unsigned		 allowed;	/* for 405: Allow header */
};

struct arena;

enum route_result router_match(struct arena *, const struct route *, size_t n,
	    unsigned method, const char *path, struct route_match *);
/* Validate a table: patterns well-formed, at most 4 params, no two routes
 * that can match the same method and path, CSRF_NONE only on GET/HEAD, a
 * name on every route.  Returns 0, or -1 with a message in err. */
int	router_check(const struct route *, size_t n, char *err, size_t errsz);
/* "GET, HEAD, POST" for an Allow header. */
const char *router_allow(struct arena *, unsigned methods);

#endif
