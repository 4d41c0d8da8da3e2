/*
 * test_router.c: route matching, typed parameters, 404/405, and the table
 * checks that keep the real table honest (including the real table itself).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "handlers.h"
#include "http.h"
#include "router.h"

static void h(struct req *r) { (void)r; }

static const struct route tbl[] = {
	{ M_GET, "/", h, PERM_PUBLIC, CSRF_NONE, "home" },
	{ M_GET, "/orders", h, PERM_ORDERS_VIEW, CSRF_NONE, "orders.list" },
	{ M_GET, "/orders/{id:int}", h, PERM_ORDERS_VIEW, CSRF_NONE, "orders.show" },
	{ M_POST, "/orders/{id:int}", h, PERM_ORDERS_PLACE, CSRF_CHECK, "orders.update" },
	{ M_GET, "/orders/{id:int}/lines/{line:int}", h, PERM_ORDERS_VIEW, CSRF_NONE, "orders.line" },
	{ M_GET, "/p/{slug:slug}", h, PERM_PUBLIC, CSRF_NONE, "product" },
	{ M_GET, "/f/{hash:hex}", h, PERM_PUBLIC, CSRF_NONE, "file" },
	{ M_GET, "/lang/{code:word}", h, PERM_PUBLIC, CSRF_NONE, "lang" },
};
#define N (sizeof(tbl) / sizeof(tbl[0]))

static struct arena *a;

static int setup(void **s) { (void)s; a = arena_new(0); return 0; }
static int teardown(void **s) { (void)s; arena_free(a); return 0; }

static void
test_literal_and_root(void **s)
{
	struct route_match m;

	(void)s;
	assert_int_equal(router_match(a, tbl, N, M_GET, "/", &m), ROUTE_FOUND);
	assert_string_equal(m.route->name, "home");
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders", &m), ROUTE_FOUND);
	assert_string_equal(m.route->name, "orders.list");
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "//", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/ordersx", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "", &m), ROUTE_NOT_FOUND);
}

static void
test_int_params(void **s)
{
	struct route_match m;

	(void)s;
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/42", &m), ROUTE_FOUND);
	assert_string_equal(m.route->name, "orders.show");
	assert_int_equal(m.paramn, 1);
	assert_int_equal(m.iparam[0], 42);
	assert_string_equal(m.param[0], "42");
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/7/lines/3", &m), ROUTE_FOUND);
	assert_int_equal(m.paramn, 2);
	assert_int_equal(m.iparam[0], 7);
	assert_int_equal(m.iparam[1], 3);
	/* not integers, leading zero, negative, too big */
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/x", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/042", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/0", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/-1", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/99999999999999999", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/orders/1%00", &m), ROUTE_NOT_FOUND);
}

static void
test_typed_params(void **s)
{
	struct route_match m;

	(void)s;
	assert_int_equal(router_match(a, tbl, N, M_GET, "/p/okno-ru1-pvc70", &m), ROUTE_FOUND);
	assert_string_equal(m.param[0], "okno-ru1-pvc70");
	assert_int_equal(router_match(a, tbl, N, M_GET, "/p/Okno", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/p/a_b", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/f/deadbeef01", &m), ROUTE_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/f/DEADBEEF", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/lang/pl_PL", &m), ROUTE_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/lang/p..l", &m), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(a, tbl, N, M_GET, "/p/", &m), ROUTE_NOT_FOUND);
}

static void
test_methods(void **s)
{
	struct route_match m;

	(void)s;
	assert_int_equal(router_match(a, tbl, N, M_POST, "/orders/5", &m), ROUTE_FOUND);
	assert_string_equal(m.route->name, "orders.update");
	assert_int_equal(router_match(a, tbl, N, M_HEAD, "/orders/5", &m), ROUTE_FOUND);
	assert_string_equal(m.route->name, "orders.show");
	assert_int_equal(router_match(a, tbl, N, M_DELETE, "/orders/5", &m), ROUTE_BAD_METHOD);
	assert_true(m.allowed & M_GET);
	assert_true(m.allowed & M_HEAD);
	assert_true(m.allowed & M_POST);
	assert_string_equal(router_allow(a, m.allowed), "GET, HEAD, POST");
	assert_int_equal(router_match(a, tbl, N, M_POST, "/orders", &m), ROUTE_BAD_METHOD);
	assert_string_equal(router_allow(a, m.allowed), "GET, HEAD");
}

static void
test_check_good(void **s)
{
	char err[256];

	(void)s;
	assert_int_equal(router_check(tbl, N, err, sizeof(err)), 0);
}

static void
test_check_real_table(void **s)
{
	char err[256] = "";
	int rc;

	(void)s;
	rc = router_check(routes, nroutes, err, sizeof(err));
	if (rc != 0)
		print_error("route table: %s\n", err);
	assert_int_equal(rc, 0);
}

static void
test_check_refusals(void **s)
{
	char err[256];
	const struct route overlap[] = {
		{ M_GET, "/p/{id:int}", h, PERM_PUBLIC, CSRF_NONE, "a" },
		{ M_GET, "/p/{slug:slug}", h, PERM_PUBLIC, CSRF_NONE, "b" },
	};
	const struct route lit_overlap[] = {
		{ M_GET, "/p/{slug:slug}", h, PERM_PUBLIC, CSRF_NONE, "a" },
		{ M_GET, "/p/new", h, PERM_PUBLIC, CSRF_NONE, "b" },
	};
	const struct route disjoint[] = {
		{ M_GET, "/p/{id:int}", h, PERM_PUBLIC, CSRF_NONE, "a" },
		{ M_GET, "/p/new", h, PERM_PUBLIC, CSRF_NONE, "b" },
	};
	const struct route nocsrf[] = {
		{ M_POST, "/x", h, PERM_PUBLIC, CSRF_NONE, "a" },
	};
	const struct route mixed[] = {
		{ M_GET | M_POST, "/x", h, PERM_PUBLIC, CSRF_CHECK, "a" },
	};
	const struct route badpat[] = {
		{ M_GET, "/x/{id:float}", h, PERM_PUBLIC, CSRF_NONE, "a" },
	};
	const struct route emptyseg[] = {
		{ M_GET, "/x//y", h, PERM_PUBLIC, CSRF_NONE, "a" },
	};
	const struct route dupname[] = {
		{ M_GET, "/x", h, PERM_PUBLIC, CSRF_NONE, "a" },
		{ M_GET, "/y", h, PERM_PUBLIC, CSRF_NONE, "a" },
	};
	const struct route noname[] = {
		{ M_GET, "/x", h, PERM_PUBLIC, CSRF_NONE, NULL },
	};

	(void)s;
	assert_int_equal(router_check(overlap, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overlap"));
	assert_int_equal(router_check(lit_overlap, 2, err, sizeof(err)), -1);
	assert_int_equal(router_check(disjoint, 2, err, sizeof(err)), 0);
	assert_int_equal(router_check(nocsrf, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CSRF"));
	assert_int_equal(router_check(mixed, 1, err, sizeof(err)), -1);
	assert_int_equal(router_check(badpat, 1, err, sizeof(err)), -1);
	assert_int_equal(router_check(emptyseg, 1, err, sizeof(err)), -1);
	assert_int_equal(router_check(dupname, 2, err, sizeof(err)), -1);
	assert_int_equal(router_check(noname, 1, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_root),
		cmocka_unit_test(test_int_params),
		cmocka_unit_test(test_typed_params),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_check_good),
		cmocka_unit_test(test_check_real_table),
		cmocka_unit_test(test_check_refusals),
	};

	return cmocka_run_group_tests_name("router", tests, setup, teardown);
}
