/*
 * test_price.c: unit tests of cgi-src/catalog/price.c (cmocka, TAP).
 *
 * The arithmetic on hand-checked figures (the contract's worked example,
 * exact halves, VAT), then price_get() on a migrated database in a private
 * temporary directory with a small hand-made price list: individual beats
 * group beats catalogue, a price in the customer's currency is taken as it
 * is, a PLN price is converted at the rate, a price for another language
 * version does not apply, and one customer's individual price never
 * reaches another.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "price.h"

static char tmpdir[512];
static struct db *db;

static void
test_div_round(void **state)
{
	(void)state;
	assert_int_equal(price_div_round(7, 2), 4);	/* 3.5 -> 4 */
	assert_int_equal(price_div_round(-7, 2), -4);	/* symmetric */
	assert_int_equal(price_div_round(5, 3), 2);	/* 1.67 */
	assert_int_equal(price_div_round(4, 3), 1);	/* 1.33 */
	assert_int_equal(price_div_round(0, 9), 0);
	/* no doubling overflow near the top of int64 */
	assert_int_equal(price_div_round(INT64_MAX - 1, INT64_MAX),
	    1);
}

static void
test_from_pln(void **state)
{
	int64_t x = 0;

	(void)state;
	/* contract 2.1: 1052.00 PLN at EUR 4.2713 = 24629.5... -> 246.30 */
	assert_int_equal(price_from_pln(105200, 4271300, 2, &x), 0);
	assert_int_equal(x, 24630);
	/* 100.00 PLN at 4.2713: 2341.207... -> 23.41 EUR */
	assert_int_equal(price_from_pln(10000, 4271300, 2, &x), 0);
	assert_int_equal(x, 2341);
	/* exact halves at 4.00 go up: 0.10 PLN = 2.5 cents -> 0.03 */
	assert_int_equal(price_from_pln(10, 4000000, 2, &x), 0);
	assert_int_equal(x, 3);
	assert_int_equal(price_from_pln(6, 4000000, 2, &x), 0);
	assert_int_equal(x, 2);				/* 1.5 -> 2 */
	assert_int_equal(price_from_pln(-10, 4000000, 2, &x), 0);
	assert_int_equal(x, -3);			/* away from zero */
	/* PLN to PLN is the identity */
	assert_int_equal(price_from_pln(123456, 1000000, 2, &x), 0);
	assert_int_equal(x, 123456);
	/* a currency without minor units: 100.00 PLN at 0.0342 (JPY-like
	 * 34200) = 2923.97 -> 2924 */
	assert_int_equal(price_from_pln(10000, 34200, 0, &x), 0);
	assert_int_equal(x, 2924);
	/* too large, or nonsense: refused */
	assert_int_equal(price_from_pln(9000000000000LL, 1000000, 2, &x), -1);
	assert_int_equal(price_from_pln(100, 0, 2, &x), -1);
	assert_int_equal(price_from_pln(100, 1000000, 5, &x), -1);
}

static void
test_gross(void **state)
{
	(void)state;
	assert_int_equal(price_gross(10000, 2300), 12300);
	/* 246.30 x 23 % = 56.649 -> 56.65 */
	assert_int_equal(price_gross(24630, 2300), 30295);
	/* 12.34 x 8 % = 0.9872 -> 0.99 */
	assert_int_equal(price_gross(1234, 800), 1333);
	assert_int_equal(price_gross(1000, 0), 1000);
	/* 0.50 x 5 % = 0.025 -> 0.03 (half up) */
	assert_int_equal(price_gross(50, 500), 53);
}

/* ---- against the schema ---- */

static void
exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db_handle(db), sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

static int
setup(void **state)
{
	char err[256], path[640];
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_price.XXXXXX",
	    t != NULL ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/p.db", tmpdir);
	if ((db = db_open(path, DB_CREATE | DB_NOCHECK, 1000, err,
	    sizeof(err))) == NULL || db_migrate(db, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	exec("INSERT INTO currency (code, erp_uuid, rate_e6, updated_at) VALUES"
	    " ('PLN', 'k-pln', 1000000, 0), ('EUR', 'k-eur', 4271300, 0)");
	/* 1: group A, PLN; 2: group A, EUR; 3: group B, PLN;
	 * 4: no group, EUR; 5: USD (no rate held); 6: deleted */
	exec("INSERT INTO customer (id, erp_uuid, grp, currency, deleted_at,"
	    " updated_at) VALUES (1, 'c1', 'A', 'PLN', NULL, 0),"
	    " (2, 'c2', 'A', 'EUR', NULL, 0), (3, 'c3', 'B', 'PLN', NULL, 0),"
	    " (4, 'c4', '', 'EUR', NULL, 0), (5, 'c5', 'A', 'USD', NULL, 0),"
	    " (6, 'c6', 'A', 'PLN', 1, 0)");
	exec("INSERT INTO product (id, erp_uuid, code, vat_bp, updated_at)"
	    " VALUES (1, 'p1', 'P1', 2300, 0), (2, 'p2', 'P2', 2300, 0),"
	    " (3, 'p3', 'P3', 800, 0)");
	/* product 1: catalogue 100.00 PLN and 25.00 EUR, group A 80.00 PLN,
	 * customer 1's own 70.00 PLN.  product 2: catalogue 1052.00 PLN,
	 * group A 900.00 PLN in the English version only.  product 3: no
	 * price at all. */
	exec("INSERT INTO price (erp_uuid, product_id, kind, customer_id, grp,"
	    " currency, lang, amount, updated_at) VALUES"
	    " ('x1', 1, 'catalogue', NULL, '', 'PLN', '', 10000, 0),"
	    " ('x2', 1, 'catalogue', NULL, '', 'EUR', '', 2500, 0),"
	    " ('x3', 1, 'group', NULL, 'A', 'PLN', '', 8000, 0),"
	    " ('x4', 1, 'individual', 1, '', 'PLN', '', 7000, 0),"
	    " ('x5', 2, 'catalogue', NULL, '', 'PLN', '', 105200, 0),"
	    " ('x6', 2, 'group', NULL, 'A', 'PLN', 'en', 90000, 0)");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The price of product for customer in lang. */
static struct price
priced(int64_t customer, const char *lang, int64_t product, int vat_bp)
{
	struct price_ctx ctx;
	struct price p;

	assert_int_equal(price_ctx_load(db, customer, lang, &ctx), 0);
	assert_int_equal(price_get(db, &ctx, product, vat_bp, &p), 0);
	return p;
}

static void
test_precedence_pln(void **state)
{
	struct price p;

	(void)state;
	/* customer 1: their own 70.00 beats group A's 80.00 */
	p = priced(1, "pl", 1, 2300);
	assert_int_equal(p.kind, PRICE_INDIVIDUAL);
	assert_int_equal(p.net, 7000);
	assert_int_equal(p.gross, 8610);
	assert_string_equal(p.currency, "PLN");
	assert_int_equal(p.converted, 0);
	/* customer 3, group B: no group price, the catalogue's 100.00 */
	p = priced(3, "pl", 1, 2300);
	assert_int_equal(p.kind, PRICE_CATALOGUE);
	assert_int_equal(p.net, 10000);
	assert_int_equal(p.gross, 12300);
	/* no price anywhere */
	p = priced(1, "pl", 3, 800);
	assert_int_equal(p.kind, PRICE_NONE);
}

static void
test_precedence_eur(void **state)
{
	struct price p;

	(void)state;
	/* customer 2 (A, EUR): group A's 80.00 PLN beats the catalogue's
	 * 25.00 EUR; 8000 x 10^6 / 4271300 = 1872.97 -> 18.73 EUR; VAT
	 * 4.3079 -> 4.31; gross 23.04 */
	p = priced(2, "pl", 1, 2300);
	assert_int_equal(p.kind, PRICE_GROUP);
	assert_int_equal(p.net, 1873);
	assert_int_equal(p.gross, 2304);
	assert_string_equal(p.currency, "EUR");
	assert_int_equal(p.converted, 1);
	/* customer 4 (no group, EUR): the catalogue's own EUR price, as is */
	p = priced(4, "pl", 1, 2300);
	assert_int_equal(p.kind, PRICE_CATALOGUE);
	assert_int_equal(p.net, 2500);
	assert_int_equal(p.gross, 3075);
	assert_int_equal(p.converted, 0);
	/* product 2 for customer 2 in Polish: the English group price does
	 * not apply; the catalogue's 1052.00 PLN -> 246.30 EUR (contract
	 * example), gross 302.95 */
	p = priced(2, "pl", 2, 2300);
	assert_int_equal(p.kind, PRICE_CATALOGUE);
	assert_int_equal(p.net, 24630);
	assert_int_equal(p.gross, 30295);
	/* ... and in English it does: 900.00 PLN = 21070.87 -> 210.71 EUR */
	p = priced(2, "en", 2, 2300);
	assert_int_equal(p.kind, PRICE_GROUP);
	assert_int_equal(p.net, 21071);
}

static void
test_isolation(void **state)
{
	struct price p;

	(void)state;
	/* customer 1's individual 70.00 reaches no one else of group A */
	p = priced(2, "pl", 1, 2300);
	assert_int_not_equal(p.kind, PRICE_INDIVIDUAL);
	p = priced(3, "pl", 1, 2300);
	assert_int_not_equal(p.net, 7000);
}

static void
test_ctx_refusals(void **state)
{
	struct price_ctx ctx;

	(void)state;
	/* a currency without a rate, a deleted customer, an unknown one */
	assert_int_equal(price_ctx_load(db, 5, "pl", &ctx), 1);
	assert_int_equal(price_ctx_load(db, 6, "pl", &ctx), 1);
	assert_int_equal(price_ctx_load(db, 99, "pl", &ctx), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_div_round),
		cmocka_unit_test(test_from_pln),
		cmocka_unit_test(test_gross),
		cmocka_unit_test(test_precedence_pln),
		cmocka_unit_test(test_precedence_eur),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_ctx_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
