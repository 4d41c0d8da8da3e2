/*
 * facets.c: catalog_facet (db/0007_catalog_lists.sql), the attribute
 * values a category page offers as filters (C1), kept in step with the
 * catalogue by framuga-sync.
 *
 * Grouping a category's attributes is too slow for a request (thousands
 * of product_attr rows for a large category) and too coarse for a trigger
 * (one product's change would regroup its category), so the sync does it
 * once per run: after a products run that changed anything, the
 * categories of the products that run wrote (product.sync_run_id) and the
 * ones a product left (catalog_facet_stale, noted by a trigger: 0011) are
 * regrouped; after a reconcile every category is.  Each refresh is one
 * transaction: a page sees the old facets or the new, never half.
 *
 * The grouping is the migration's first fill (0007), per category: the
 * values of each attribute among the active, not deleted products visible
 * in each language version, in that version or language-neutral (lang
 * ''), with the number of products; an attribute with more than
 * 20 values in a category is left out (no filter).
 *
 * The grouping sorts a row per product, language and attribute (300,000
 * at 50,000 products); with the connection's temp_store = MEMORY the
 * sorter held them all, 45 MiB of the sync's peak, so the refresh runs
 * with temp_store = FILE (the sorter spills past the page cache) and sets
 * it back after.
 */
#include "config.h"

#include <stdint.h>

#include "db.h"
#include "log.h"
#include "sync.h"

/* ?1: the run whose products' categories are regrouped, with the ones
 * products left (catalog_facet_stale, 0011), or NULL for all. */
#define RUN_CATEGORIES \
    "(SELECT category_uuid FROM product WHERE sync_run_id = ?1 " \
    "UNION SELECT category_uuid FROM catalog_facet_stale)"
static const char q_delete[] =
    "DELETE FROM catalog_facet WHERE ?1 IS NULL OR category_uuid IN "
    RUN_CATEGORIES;
static const char q_fill[] =
    "INSERT INTO catalog_facet (category_uuid, lang, code, name, value, "
    "unit, n) "
    "SELECT p.category_uuid, v.lang, a.code, max(a.name), a.value, "
    "max(a.unit), count(DISTINCT p.id) "
    "FROM product p "
    "JOIN product_visibility v ON v.product_id = p.id "
    "JOIN product_attr a ON a.product_id = p.id AND a.lang IN (v.lang, '') "
    "WHERE p.active = 1 AND p.deleted_at IS NULL AND a.value <> '' "
    "AND (?1 IS NULL OR p.category_uuid IN " RUN_CATEGORIES ") "
    "GROUP BY p.category_uuid, v.lang, a.code, a.value";
static const char q_prune[] =
    "DELETE FROM catalog_facet WHERE (category_uuid, lang, code) IN "
    "(SELECT category_uuid, lang, code FROM catalog_facet "
    "GROUP BY category_uuid, lang, code HAVING count(*) > 20)";

static const char q_unstale[] = "DELETE FROM catalog_facet_stale";

enum facet_q { FQ_DELETE, FQ_FILL, FQ_PRUNE, FQ_UNSTALE };
static const char *const facet_sql[] = {
	[FQ_DELETE] = q_delete,
	[FQ_FILL] = q_fill,
	[FQ_PRUNE] = q_prune,
	[FQ_UNSTALE] = q_unstale,
};

/* Runs one of facet_sql with ?1 run_id (0: NULL).  0 or -1. */
static int
facet_step(struct db *db, enum facet_q which, int64_t run_id)
{
	sqlite3_stmt *st;

	if ((st = db_prepare(db, facet_sql[which])) == NULL)
		return -1;
	if (run_id > 0)
		db_bind_int(st, 1, run_id);
	return db_step_done(db, st) == SQLITE_DONE ? 0 : -1;
}

int
sync_facets_refresh(struct db *db, int64_t run_id)
{
	int64_t t0 = sync_mono_ms();
	int rc = -1;

	if (db_exec(db, "PRAGMA temp_store = FILE") != SQLITE_OK)
		log_warn("facets: temp_store: %s", db_errmsg(db));
	if (db_begin_write(db) != SQLITE_OK) {
		log_err("facets: cannot begin: %s", db_errmsg(db));
		goto out;
	}
	if (facet_step(db, FQ_DELETE, run_id) == -1 ||
	    facet_step(db, FQ_FILL, run_id) == -1 ||
	    facet_step(db, FQ_PRUNE, 0) == -1 ||
	    facet_step(db, FQ_UNSTALE, 0) == -1) {
		log_err("facets: %s", db_errmsg(db));
		db_rollback(db);
		goto out;
	}
	if (db_commit(db) != SQLITE_OK) {
		log_err("facets: commit: %s", db_errmsg(db));
		goto out;
	}
	log_info("facets: %s regrouped in %lld ms", run_id > 0 ?
	    "the run's categories" : "every category",
	    (long long)(sync_mono_ms() - t0));
	rc = 0;
out:
	if (db_exec(db, "PRAGMA temp_store = MEMORY") != SQLITE_OK)
		log_warn("facets: temp_store: %s", db_errmsg(db));
	return rc;
}
