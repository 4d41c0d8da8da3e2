/*
 * sync_bare_upsert.c: the baseline of tests/bench/sync_bench.sh: the same
 * rows framuga-sync writes in a full sync, upserted by a bare SQLite loop
 * with no ERP, no HTTP, no XML and no sync logic in between.
 *
 *	sync_bare_upsert PORTAL_DB SIM_DB [BATCH]
 *
 * PORTAL_DB is a freshly migrated, empty portal database (the schema of
 * db/0002_erp.sql); SIM_DB an oknoerp-sim store, read-only.  The program
 * reads the simulator's products, customers, individual and other prices
 * and stock in uuid order (as the full pull pages them) and writes them
 * with the statements framuga-sync's apply.c uses, the same id look-ups
 * (product and customer by uuid), the same pragmas as db.c (WAL,
 * synchronous=FULL, foreign keys, 8 MiB cache) and the same batch size (a
 * BEGIN IMMEDIATE per page of BATCH rows, default 1000).  It prints
 * "ROWS SECONDS" per table and in total, for the script to compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

static sqlite3 *db;		/* the portal database, written */
static sqlite3 *src;		/* the simulator's store, read */

static void
die(const char *what)
{
	fprintf(stderr, "sync_bare_upsert: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sqlite3_stmt *
prep_on(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "sync_bare_upsert: %s: %s\n", sql,
		    sqlite3_errmsg(h));
		exit(1);
	}
	return st;
}

static sqlite3_stmt *
prep(const char *sql)
{
	return prep_on(db, sql);
}

static void
exec(const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql);
}

static void
run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		die("step");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static sqlite3_int64
id_of(sqlite3_stmt *st, const unsigned char *uuid)
{
	sqlite3_int64 id = 0;

	sqlite3_bind_text(st, 1, (const char *)uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

#define T(st, i)	sqlite3_column_text(st, i)
#define I(st, i)	sqlite3_column_int64(st, i)
#define BT(st, i, v)	sqlite3_bind_text(st, i, (const char *)(v), -1, \
			    SQLITE_TRANSIENT)
#define BI(st, i, v)	sqlite3_bind_int64(st, i, v)

/* Run the rows of sel through one(row) in batches; prints the figures. */
static long
table(const char *name, const char *sel_sql, int batch,
    void (*one)(sqlite3_stmt *), double *secs)
{
	/* read on its own connection: a statement left running across the
	 * writer's commits would hold a read transaction on the portal
	 * database and keep its WAL from ever being checkpointed */
	sqlite3_stmt *sel = prep_on(src, sel_sql);
	double t0 = now();
	long n = 0;

	exec("BEGIN IMMEDIATE");
	while (sqlite3_step(sel) == SQLITE_ROW) {
		one(sel);
		if (++n % batch == 0) {
			exec("COMMIT");
			exec("BEGIN IMMEDIATE");
		}
	}
	exec("COMMIT");
	sqlite3_finalize(sel);
	*secs = now() - t0;
	printf("%s %ld %.3f\n", name, n, *secs);
	return n;
}

static sqlite3_stmt *st_product, *st_text, *st_customer, *st_price,
    *st_stock, *st_pid, *st_cid, *st_wid;
static sqlite3_int64 run_id = 1, stamp;

static void
one_product(sqlite3_stmt *r)
{
	static const char *const langs[] = { "pl", "en", "de" };
	sqlite3_int64 id;
	int i;

	BT(st_product, 1, T(r, 0));
	BT(st_product, 2, T(r, 1));
	BT(st_product, 3, T(r, 3));
	BI(st_product, 4, I(r, 4));
	BT(st_product, 5, T(r, 2));
	BT(st_product, 6, T(r, 11));
	BT(st_product, 7, T(r, 12));
	BI(st_product, 8, I(r, 13));
	BI(st_product, 9, 0);
	BI(st_product, 10, run_id);
	BI(st_product, 11, stamp);
	run(st_product);
	id = id_of(st_pid, T(r, 0));
	for (i = 0; i < 3; i++) {
		BI(st_text, 1, id);
		BT(st_text, 2, langs[i]);
		BT(st_text, 3, T(r, 5 + i));
		BT(st_text, 4, T(r, 8 + i));
		run(st_text);
	}
}

static void
one_customer(sqlite3_stmt *r)
{
	int i;

	for (i = 0; i < 18; i++)
		sqlite3_bind_value(st_customer, i + 1, sqlite3_column_value(r, i));
	BI(st_customer, 19, 0);
	BI(st_customer, 20, run_id);
	BI(st_customer, 21, stamp);
	run(st_customer);
}

static void
one_price(sqlite3_stmt *r)
{
	sqlite3_int64 pid = id_of(st_pid, T(r, 2)), cid = 0;
	const char *kind = (const char *)T(r, 1);

	if (strcmp(kind, "customer") == 0) {
		cid = id_of(st_cid, T(r, 6));
		kind = "individual";
	}
	if (pid == 0 || (strcmp(kind, "individual") == 0 && cid == 0))
		return;
	BT(st_price, 1, T(r, 0));
	BI(st_price, 2, pid);
	BT(st_price, 3, kind);
	if (cid != 0)
		BI(st_price, 4, cid);
	BT(st_price, 5, strcmp(kind, "group") == 0 ? T(r, 5) :
	    (const unsigned char *)"");
	BT(st_price, 6, T(r, 3));
	BT(st_price, 7, T(r, 7));
	BI(st_price, 8, I(r, 4));
	BI(st_price, 9, run_id);
	BI(st_price, 10, stamp);
	run(st_price);
}

static void
one_stock(sqlite3_stmt *r)
{
	sqlite3_int64 pid = id_of(st_pid, T(r, 2)), wid = id_of(st_wid, T(r, 1));

	if (pid == 0 || wid == 0)
		return;
	BT(st_stock, 1, T(r, 0));
	BI(st_stock, 2, pid);
	BI(st_stock, 3, wid);
	BI(st_stock, 4, I(r, 3));
	BI(st_stock, 5, run_id);
	BI(st_stock, 6, stamp);
	run(st_stock);
}

int
main(int argc, char *argv[])
{
	char attach[4096];
	double s, total = 0;
	long rows = 0;
	int batch;

	if (argc < 3) {
		fprintf(stderr, "usage: sync_bare_upsert PORTAL_DB SIM_DB "
		    "[BATCH]\n");
		return 2;
	}
	batch = argc > 3 ? atoi(argv[3]) : 1000;
	if (batch < 1)
		batch = 1000;
	stamp = (sqlite3_int64)time(NULL);
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		die(argv[1]);
	exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
	    " PRAGMA cache_size = -8192");
	if (sqlite3_open_v2(argv[2], &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "sync_bare_upsert: %s: %s\n", argv[2],
		    sqlite3_errmsg(src));
		return 1;
	}
	snprintf(attach, sizeof(attach), "ATTACH '%s' AS s", argv[2]);
	exec(attach);
	exec("INSERT INTO warehouse (erp_uuid, code, name, city, active,"
	    " updated_at) SELECT uuid, code, name_pl, city, active, 0"
	    " FROM s.warehouse");
	exec("DETACH s");

	/* the statements of cgi-src/sync/apply.c */
	st_product = prep("INSERT INTO product (erp_uuid, code, unit, vat_bp,"
	    " category_uuid, default_warehouse_uuid, ruleset_code, active,"
	    " erp_hash, sync_run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (erp_uuid) DO UPDATE SET"
	    " code = excluded.code, unit = excluded.unit,"
	    " vat_bp = excluded.vat_bp, category_uuid = excluded.category_uuid,"
	    " default_warehouse_uuid = excluded.default_warehouse_uuid,"
	    " ruleset_code = excluded.ruleset_code, active = excluded.active,"
	    " erp_hash = excluded.erp_hash, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at");
	st_text = prep("INSERT INTO product_text (product_id, lang, name,"
	    " description) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (product_id,"
	    " lang) DO UPDATE SET name = excluded.name,"
	    " description = excluded.description"
	    " WHERE name IS NOT excluded.name"
	    " OR description IS NOT excluded.description");
	st_customer = prep("INSERT INTO customer (erp_uuid, code, name, nip,"
	    " grp, lang, currency, payment_days, discount_bp, credit_limit,"
	    " credit_used, overdue, blocked, blocked_reason, active, email,"
	    " phone, default_warehouse_uuid, erp_hash, sync_run_id,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
	    " ON CONFLICT (erp_uuid) DO UPDATE SET code = excluded.code,"
	    " name = excluded.name, credit_used = excluded.credit_used,"
	    " blocked = excluded.blocked, erp_hash = excluded.erp_hash,"
	    " sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at");
	st_price = prep("INSERT INTO price (erp_uuid, product_id, kind,"
	    " customer_id, grp, currency, lang, amount, sync_run_id,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	    " ON CONFLICT (erp_uuid) DO UPDATE SET"
	    " product_id = excluded.product_id, kind = excluded.kind,"
	    " customer_id = excluded.customer_id, grp = excluded.grp,"
	    " currency = excluded.currency, lang = excluded.lang,"
	    " amount = excluded.amount, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE product_id IS NOT excluded.product_id"
	    " OR kind IS NOT excluded.kind"
	    " OR customer_id IS NOT excluded.customer_id"
	    " OR grp IS NOT excluded.grp OR currency IS NOT excluded.currency"
	    " OR lang IS NOT excluded.lang OR amount IS NOT excluded.amount");
	st_stock = prep("INSERT INTO stock (erp_uuid, product_id,"
	    " warehouse_id, qty_milli, sync_run_id, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (erp_uuid) DO UPDATE"
	    " SET product_id = excluded.product_id,"
	    " warehouse_id = excluded.warehouse_id,"
	    " qty_milli = excluded.qty_milli, sync_run_id = excluded.sync_run_id,"
	    " updated_at = excluded.updated_at"
	    " WHERE product_id IS NOT excluded.product_id"
	    " OR warehouse_id IS NOT excluded.warehouse_id"
	    " OR qty_milli IS NOT excluded.qty_milli");
	st_pid = prep("SELECT id FROM product WHERE erp_uuid = ?"
	    " AND deleted_at IS NULL");
	st_cid = prep("SELECT id FROM customer WHERE erp_uuid = ?"
	    " AND deleted_at IS NULL");
	st_wid = prep("SELECT id FROM warehouse WHERE erp_uuid = ?");

	rows += table("products", "SELECT uuid, code, category, unit, vat,"
	    " name_pl, name_en, name_de, desc_pl, desc_en, desc_de,"
	    " default_warehouse, ruleset_code, active FROM product"
	    " ORDER BY uuid", batch, one_product, &s);
	total += s;
	rows += table("customers", "SELECT uuid, code, name, nip, grp, lang,"
	    " currency, payment_days, discount, credit_limit, credit_used,"
	    " overdue, blocked, block_reason, active, email, phone,"
	    " default_warehouse FROM customer ORDER BY uuid", batch,
	    one_customer, &s);
	total += s;
	rows += table("prices", "SELECT uuid, kind, product, currency, amount,"
	    " grp, customer, langver FROM price ORDER BY uuid", batch,
	    one_price, &s);
	total += s;
	rows += table("stock", "SELECT uuid, warehouse, product, quantity"
	    " FROM stock ORDER BY uuid", batch, one_stock, &s);
	total += s;
	printf("total %ld %.3f\n", rows, total);
	sqlite3_close(src);
	sqlite3_close(db);
	return 0;
}
