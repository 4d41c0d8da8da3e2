/*
 * test_qcache.c: the worker's cache of query results (qcache.c), on a real
 * SQLite file: a hit is the same result without running the statement;
 * the generation's trigger drops it; a statement that reads a table
 * without the trigger is never cached; the size limit and the checks of
 * a caller's mistakes.
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

#include "arena.h"
#include "db.h"
#include "qcache.h"

static char tmpdir[512];
static struct db *db;
static struct arena *req;

/* t has the generation's triggers, u has none, v is kept by t's. */
static const char schema[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER);"
    "CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE v (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE v_data (id INTEGER PRIMARY KEY);"
    "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN "
    "  INSERT INTO meta VALUES ('gen', '1') ON CONFLICT (key) DO UPDATE"
    "  SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT); END;"
    "CREATE TRIGGER t_au AFTER UPDATE ON t BEGIN "
    "  INSERT INTO meta VALUES ('gen', '1') ON CONFLICT (key) DO UPDATE"
    "  SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT); END;"
    "INSERT INTO t VALUES (1, 'okno', 10), (2, 'drzwi', NULL),"
    "  (3, 'parapet', 30);"
    "INSERT INTO u VALUES (1, 'one');"
    "INSERT INTO v VALUES (1, 'derived');";

static const char q_t[] = "SELECT id, name, n FROM t WHERE id >= ?1 "
    "AND name <> ?2 ORDER BY id";
static const char q_u[] = "SELECT name FROM u WHERE id = ?1";
static const char q_v[] = "SELECT v.name FROM v JOIN v_data d "
    "ON d.id = v.id WHERE v.id = ?1";
static const char *const derived[] = { "v", NULL };

static int
setup(void **s)
{
	char err[256], path[640];

	(void)s;
	snprintf(tmpdir, sizeof(tmpdir), "%s/qcache-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/q.db", tmpdir);
	if ((db = db_open(path, DB_CREATE | DB_NOCHECK, 1000, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (db_exec(db, schema) != SQLITE_OK)
		return -1;
	if (db_exec(db, "INSERT INTO v_data VALUES (1)") != SQLITE_OK)
		return -1;
	req = arena_new(0);
	arena_current = req;
	qcache_configure(64);
	return 0;
}

static int
teardown(void **s)
{
	char path[640];

	(void)s;
	db_close(db);
	arena_free(req);
	qcache_drop();
	snprintf(path, sizeof(path), "%s/q.db", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/q.db-wal", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/q.db-shm", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* A request: a read transaction with the cache checked. */
static void
begin(void)
{
	assert_int_equal(db_begin_read(db), SQLITE_OK);
	assert_int_equal(qcache_begin(db, "gen", derived), 0);
}

static void
end(void)
{
	assert_int_equal(db_commit(db), SQLITE_OK);
	qcache_end();
	arena_reset(req);
}

static void
test_hit_is_the_same_result(void **s)
{
	const struct qc_rows *a, *b, *c;
	struct qcache_stats st0, st;

	(void)s;
	qcache_stats(&st0);
	begin();
	a = QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x"));
	assert_non_null(a);
	assert_int_equal(a->n, 3);
	assert_int_equal(a->ncol, 3);
	assert_int_equal(qc_int(a, 0, 0), 1);
	assert_string_equal(qc_text(a, 0, 1), "okno");
	assert_int_equal(qc_int(a, 0, 2), 10);
	assert_true(qc_null(a, 1, 2));
	assert_string_equal(qc_text(a, 1, 2), "");	/* NULL as text */
	b = QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x"));
	assert_ptr_equal(a, b);
	/* other values, another entry; a string is not an integer and
	 * NULL is not "" */
	c = QCACHE_ROWS(db, q_t, QC_I(2), QC_S("x"));
	assert_int_equal(c->n, 2);
	assert_ptr_not_equal(c, a);
	c = QCACHE_ROWS(db, q_t, QC_I(1), QC_S("okno"));
	assert_int_equal(c->n, 2);
	c = QCACHE_ROWS(db, q_t, QC_I(1), QC_S(NULL));
	assert_int_equal(c->n, 0);	/* name <> NULL is never true */
	end();
	/* the next request still hits */
	begin();
	b = QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x"));
	assert_ptr_equal(a, b);
	assert_string_equal(qc_text(b, 2, 1), "parapet");
	end();
	qcache_stats(&st);
	assert_int_equal(st.hits - st0.hits, 2);
	assert_int_equal(st.misses - st0.misses, 4);
	assert_int_equal(st.entries, 4);
}

static void
test_generation_drops(void **s)
{
	const struct qc_rows *a;
	struct qcache_stats st0, st;
	sqlite3 *other;
	char path[640];

	(void)s;
	begin();
	a = QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x"));
	assert_string_equal(qc_text(a, 0, 1), "okno");
	end();
	/* another connection's write, as the sync's would be */
	snprintf(path, sizeof(path), "%s/q.db", tmpdir);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "UPDATE t SET name = 'Okno PCV' "
	    "WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	qcache_stats(&st0);
	begin();
	a = QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x"));
	assert_string_equal(qc_text(a, 0, 1), "Okno PCV");
	end();
	qcache_stats(&st);
	assert_int_equal(st.drops - st0.drops, 1);
	assert_int_equal(st.full - st0.full, 0);	/* a change, not full */
	assert_int_equal(st.misses - st0.misses, 1);
	assert_int_equal(st.entries, 1);
}

static void
test_uncovered_table_not_cached(void **s)
{
	const struct qc_rows *a;
	struct qcache_stats st0, st;

	(void)s;
	qcache_stats(&st0);
	begin();
	a = QCACHE_ROWS(db, q_u, QC_I(1));
	assert_string_equal(qc_text(a, 0, 0), "one");
	end();
	/* u has no trigger: its change moves no generation ... */
	assert_int_equal(db_exec(db, "UPDATE u SET name = 'two'"),
	    SQLITE_OK);
	begin();
	/* ... and yet the next request sees it: it was never cached */
	a = QCACHE_ROWS(db, q_u, QC_I(1));
	assert_string_equal(qc_text(a, 0, 0), "two");
	/* a derived table (and its shadow tables) counts as covered */
	a = QCACHE_ROWS(db, q_v, QC_I(1));
	assert_string_equal(qc_text(a, 0, 0), "derived");
	assert_ptr_equal(QCACHE_ROWS(db, q_v, QC_I(1)), a);
	end();
	qcache_stats(&st);
	assert_int_equal(st.misses - st0.misses, 3);
	assert_int_equal(st.hits - st0.hits, 1);
}

static void
test_mistakes(void **s)
{
	(void)s;
	/* outside a request */
	assert_null(QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x")));
	begin();
	/* too few values for the parameters */
	assert_null(QCACHE_ROWS(db, q_t, QC_I(1)));
	end();
	/* after the request's end, no more results */
	assert_null(QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x")));
}

static void
test_size_limit(void **s)
{
	const struct qc_rows *a;
	struct qcache_stats st0, st;
	int64_t i;

	(void)s;
	qcache_configure(1);	/* 1 KiB: a few entries */
	qcache_stats(&st0);
	begin();
	for (i = 0; i < 64; i++) {
		a = QCACHE_ROWS(db, q_t, QC_I(i), QC_S("x"));
		assert_non_null(a);
	}
	/* past the limit, results still come (from the request's arena) */
	assert_int_equal(QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x"))->n, 3);
	qcache_stats(&st);
	assert_true(st.entries < 64);
	assert_true(st.bytes < 4096);
	end();
	begin();		/* over the limit: dropped here */
	qcache_stats(&st);
	assert_int_equal(st.entries, 0);
	assert_true(st.drops > st0.drops);
	assert_int_equal(st.full - st0.full, 1);
	end();
	qcache_configure(0);	/* off: every call runs */
	begin();
	a = QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x"));
	assert_ptr_not_equal(QCACHE_ROWS(db, q_t, QC_I(1), QC_S("x")), a);
	qcache_stats(&st);
	assert_int_equal(st.entries, 0);
	end();
	qcache_configure(64);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_is_the_same_result),
		cmocka_unit_test(test_generation_drops),
		cmocka_unit_test(test_uncovered_table_not_cached),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_size_limit),
	};

	return cmocka_run_group_tests_name("qcache", tests, setup, teardown);
}
