/*
 * db.c: thin helpers over SQLite; see db.h for the contract.
 *
 * How it works:
 *
 * Statement cache.  A worker runs the same few dozen statements for its
 * whole life, so db_prepare() keeps each one prepared, keyed by the address
 * of its SQL text (constant text has one address for the life of the
 * process; comparing a pointer is cheaper than hashing the text).  The table
 * is open addressing with linear probing, a power of two in size, at most
 * half full, and the hash is a multiply by the 64-bit golden ratio; a hit is
 * one multiply, one or two compares and a sqlite3_stmt_busy() check, a few
 * nanoseconds.  Nothing is ever removed until db_close().  A statement
 * handed out by db_prepare_once(), or a private copy made because the cached
 * one is still running, goes on a short "once" list so that db_done() knows
 * to finalize it rather than reset it; the list is almost always empty, so
 * db_done() on a cached statement costs one compare more than a reset.
 *
 * Busy handler.  SQLite's own sqlite3_busy_timeout() sleeps 1, 2, 5, 10,
 * 15, 20, 25, 25, 25, 50, 50, 100, 100... ms, so a writer that just missed
 * a lock held for 2 ms may sleep 25 ms or 100 ms; under contention that
 * gave p99 latencies in the hundreds of milliseconds.  db_busy() sleeps
 * 50 us, 100 us, 200 us ... up to 1 ms per step, until busy_ms have passed
 * since the first call for this lock, then gives up (SQLITE_BUSY reaches the
 * caller, who answers 503).  It counts its calls and the time slept for
 * db_stats().
 *
 * Transactions.  depth counts open db_begin_* levels; BEGIN IMMEDIATE (or
 * BEGIN) runs at depth 0 only and COMMIT when the outermost level commits.
 * db_rollback() at any depth runs ROLLBACK at once, then counts the levels
 * still to unwind in doomed: while doomed > 0, db_commit() returns
 * SQLITE_ABORT and db_step()/db_exec() refuse to run, because outside the
 * transaction they would autocommit, half a unit of work.
 *
 * Errors are logged here, once, with the SQL text (never the bound values:
 * they may be passwords or personal data) and returned as SQLite codes.
 *
 * The struct db and its cache live for the life of the worker (malloc'd,
 * freed by db_close()); nothing here uses the request arena.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "util.h"

#define DB_CACHE_MIN	64	/* initial slots, a power of two */
#define DB_CACHE_KB	8192	/* cfg.c's default cache_kb */
#define DB_BUSY_STEP0	50	/* us, first sleep of the busy handler */
#define DB_BUSY_STEPMAX	1000	/* us, longest sleep */
#define DB_BACKUP_PAGES	64	/* pages copied per backup step */
#define DB_BACKUP_SLEEP	1000	/* us between backup steps */

struct db_slot {
	const char	*sql;	/* key: the caller's text, by address */
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3		*h;
	char		*path;
	int		 flags;
	/* statement cache */
	struct db_slot	*slots;
	size_t		 nslots;	/* power of two */
	size_t		 nused;
	unsigned	 shift;		/* 64 - log2(nslots) */
	/* statements to finalize in db_done(): once and private copies */
	sqlite3_stmt	**once;
	size_t		 nonce;
	size_t		 oncecap;
	/* transactions */
	int		 depth;		/* open levels */
	int		 doomed;	/* levels left after a nested rollback */
	int		 tx_write;	/* the open transaction is IMMEDIATE */
	int		 trace;		/* log each statement run (db_trace) */
	/* busy handler */
	int64_t		 busy_max_us;
	int64_t		 busy_start;	/* us, at the first call of an episode */
	struct db_stats	 stats;
};

/* Statements the transaction code runs; cached like any other. */
static const char sql_begin_immediate[] = "BEGIN IMMEDIATE";
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_user_version[] = "PRAGMA user_version";

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
sleep_us(int64_t us)
{
	struct timespec ts;

	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * The busy handler (sqlite3_busy_handler): called with count 0, 1, 2... for
 * one attempt to take a lock.  Returns 1 to have SQLite try again, 0 to give
 * up with SQLITE_BUSY.
 */
static int
db_busy(void *arg, int count)
{
	struct db *db = arg;
	int64_t now, left, step;

	now = now_us();
	if (count == 0)
		db->busy_start = now;
	left = db->busy_max_us - (now - db->busy_start);
	if (left <= 0)
		return 0;
	step = count < 5 ? (int64_t)DB_BUSY_STEP0 << count : DB_BUSY_STEPMAX;
	if (step > DB_BUSY_STEPMAX)
		step = DB_BUSY_STEPMAX;
	if (step > left)
		step = left;
	sleep_us(step);
	db->stats.busy_calls++;
	db->stats.busy_us += (uint64_t)(now_us() - now);
	return 1;
}

/* Log a failed step/exec once, with the SQL text. */
static void
log_sql_error(struct db *db, const char *what, int rc, const char *sql)
{
	const char *msg = sqlite3_errmsg(db->h);

	if (rc == SQLITE_BUSY)
		log_warn("db %s: %s (busy after %d ms): %s", what, msg,
		    (int)(db->busy_max_us / 1000), sql);
	else if (rc == SQLITE_CONSTRAINT)
		log_info("db %s: %s: %s", what, msg, sql);
	else
		log_err("db %s: %s (%d): %s", what, msg, rc, sql);
}

/* Run a statement without results, bypassing the doomed check. */
static int
db_run(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, sql)) == NULL)
		return sqlite3_errcode(db->h) != SQLITE_OK ?
		    sqlite3_errcode(db->h) : SQLITE_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (rc != SQLITE_DONE)
		log_sql_error(db, "step", rc, sql);
	db_done(db, st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A pragma whose only argument is an integer.  PRAGMA takes no binds, so
 * this is the one place SQL text is formatted: from an int, never from
 * input text. */
static int
db_pragma_int(struct db *db, const char *name, int value)
{
	char sql[96];
	char *msg = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA %s = %d", name, value);
	if ((rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		log_err("db exec: %s (%d): %s", msg ? msg : "?", rc, sql);
		sqlite3_free(msg);
	}
	return rc;
}

/* ---- open, close ---- */

struct db *
db_open(const char *path, int flags, int busy_ms, char *err, size_t errsz)
{
	static const char sql_pragmas[] =
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY;";
	static const char sql_pragmas_rw[] =
	    "PRAGMA synchronous = FULL;";
	static const char sql_wal[] = "PRAGMA journal_mode = WAL";
	struct db *db;
	sqlite3_stmt *st;
	int oflags, rc, v, target;
	const char *mode;
	char *msg = NULL;

	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->path = strdup(path)) == NULL) {
		util_errf(err, errsz, "%s: out of memory", path);
		free(db);
		return NULL;
	}
	db->flags = flags;
	db->busy_max_us = busy_ms > 0 ? (int64_t)busy_ms * 1000 : 0;

	/* Single-threaded workers: no per-connection mutex. */
	oflags = SQLITE_OPEN_NOMUTEX;
	if (flags & DB_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
		    ((flags & DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(path, &db->h, oflags, NULL);
	if (rc != SQLITE_OK) {
		util_errf(err, errsz, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_handler(db->h, db_busy, db);

	/* The first statement reads the file: "not a database" shows here. */
	msg = NULL;
	if (sqlite3_exec(db->h, sql_pragmas, NULL, NULL, &msg) != SQLITE_OK ||
	    (!(flags & DB_READONLY) &&
	    sqlite3_exec(db->h, sql_pragmas_rw, NULL, NULL, &msg) != SQLITE_OK)) {
		util_errf(err, errsz, "%s: %s", path,
		    msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		goto fail;
	}
	if (db_pragma_int(db, "cache_size", -DB_CACHE_KB) != SQLITE_OK) {
		util_errf(err, errsz, "%s: %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}

	if (!(flags & DB_READONLY)) {
		if (sqlite3_prepare_v2(db->h, sql_wal, -1, &st, NULL) !=
		    SQLITE_OK) {
			util_errf(err, errsz, "%s: %s", path,
			    sqlite3_errmsg(db->h));
			goto fail;
		}
		rc = sqlite3_step(st);
		mode = rc == SQLITE_ROW ?
		    (const char *)sqlite3_column_text(st, 0) : NULL;
		/* An in-memory database answers "memory"; that is fine. */
		if (mode == NULL || (strcmp(mode, "wal") != 0 &&
		    strcmp(mode, "memory") != 0)) {
			util_errf(err, errsz, "%s: cannot switch to WAL: %s",
			    path, mode ? mode : sqlite3_errmsg(db->h));
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
	}

	if (!(flags & DB_NOCHECK)) {
		v = db_schema_version(db);
		target = db_schema_target();
		if (v < 0) {
			util_errf(err, errsz, "%s: %s", path,
			    sqlite3_errmsg(db->h));
			goto fail;
		}
		if (v < target) {
			util_errf(err, errsz, "database is at schema %d, this "
			    "build needs %d: run framuga-admin migrate",
			    v, target);
			goto fail;
		}
		if (v > target) {
			util_errf(err, errsz, "database is at schema %d, newer "
			    "than this build (%d): install the newer "
			    "framuga", v, target);
			goto fail;
		}
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nonce; i++)
		sqlite3_finalize(db->once[i]);
	for (i = 0; i < db->nslots; i++)
		if (db->slots[i].stmt != NULL)
			sqlite3_finalize(db->slots[i].stmt);
	if (db->h != NULL && sqlite3_close(db->h) != SQLITE_OK)
		log_err("db close %s: %s", db->path, sqlite3_errmsg(db->h));
	free(db->once);
	free(db->slots);
	free(db->path);
	free(db);
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

int
db_set_cache_kb(struct db *db, int kb)
{
	if (kb <= 0)
		return -1;
	return db_pragma_int(db, "cache_size", -kb) == SQLITE_OK ? 0 : -1;
}

/* ---- statement cache ---- */

static inline size_t
slot_of(const struct db *db, const char *sql)
{
	return (size_t)(((uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15ULL)
	    >> db->shift);
}

/* Double the table (or make the first one).  0 or -1. */
static int
cache_grow(struct db *db)
{
	struct db_slot *old = db->slots, *ns;
	size_t oldn = db->nslots, n, i, j;
	unsigned shift;

	n = oldn ? oldn * 2 : DB_CACHE_MIN;
	for (shift = 64; ((size_t)1 << (64 - shift)) < n; shift--)
		continue;
	if ((ns = calloc(n, sizeof(*ns))) == NULL)
		return -1;
	db->slots = ns;
	db->nslots = n;
	db->shift = shift;
	for (i = 0; i < oldn; i++) {
		if (old[i].sql == NULL)
			continue;
		for (j = slot_of(db, old[i].sql); ns[j].sql != NULL;
		    j = (j + 1) & (n - 1))
			continue;
		ns[j] = old[i];
	}
	free(old);
	return 0;
}

static int
once_add(struct db *db, sqlite3_stmt *st)
{
	sqlite3_stmt **p;
	size_t cap;

	if (db->nonce == db->oncecap) {
		cap = db->oncecap ? db->oncecap * 2 : 8;
		if ((p = realloc(db->once, cap * sizeof(*p))) == NULL)
			return -1;
		db->once = p;
		db->oncecap = cap;
	}
	db->once[db->nonce++] = st;
	return 0;
}

static sqlite3_stmt *
prepare(struct db *db, const char *sql, unsigned pflags)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc;

	rc = sqlite3_prepare_v3(db->h, sql, -1, pflags, &st, &tail);
	if (rc != SQLITE_OK) {
		log_err("db prepare: %s (%d): %s", sqlite3_errmsg(db->h), rc,
		    sql);
		return NULL;
	}
	if (st == NULL) {
		log_err("db prepare: no statement in: %s", sql);
		return NULL;
	}
	return st;
}

static sqlite3_stmt *
prepare_once(struct db *db, const char *sql)
{
	sqlite3_stmt *st;

	if ((st = prepare(db, sql, 0)) == NULL)
		return NULL;
	if (once_add(db, st) == -1) {
		log_err("db prepare: out of memory: %s", sql);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *
db_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	if (db->nslots != 0) {
		for (i = slot_of(db, sql); db->slots[i].sql != NULL;
		    i = (i + 1) & (db->nslots - 1))
			if (db->slots[i].sql == sql) {
				st = db->slots[i].stmt;
				/* Still running (a recursive use of the same
				 * text): hand out a private copy. */
				if (__builtin_expect(sqlite3_stmt_busy(st), 0))
					return prepare_once(db, sql);
				return st;
			}
	}
	/* Miss: prepare, and keep the table at most half full. */
	if ((db->nused + 1) * 2 > db->nslots && cache_grow(db) == -1) {
		log_err("db prepare: out of memory: %s", sql);
		return NULL;
	}
	if ((st = prepare(db, sql, SQLITE_PREPARE_PERSISTENT)) == NULL)
		return NULL;
	for (i = slot_of(db, sql); db->slots[i].sql != NULL;
	    i = (i + 1) & (db->nslots - 1))
		continue;
	db->slots[i].sql = sql;
	db->slots[i].stmt = st;
	db->nused++;
	return st;
}

sqlite3_stmt *
db_prepare_once(struct db *db, const char *sql)
{
	return prepare_once(db, sql);
}

void
db_done(struct db *db, sqlite3_stmt *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = db->nonce; i-- > 0; )
		if (db->once[i] == st) {
			sqlite3_finalize(st);
			db->once[i] = db->once[--db->nonce];
			return;
		}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
db_step(struct db *db, sqlite3_stmt *st)
{
	int rc;

	if (__builtin_expect(db->doomed > 0, 0)) {
		log_err("db step: the transaction was rolled back by an "
		    "inner level: %s", sqlite3_sql(st));
		return SQLITE_ABORT;
	}
	if (__builtin_expect(db->trace, 0) && !sqlite3_stmt_busy(st)) {
		char *sql = sqlite3_expanded_sql(st);

		log_debug("sql: %s", sql != NULL ? sql : sqlite3_sql(st));
		sqlite3_free(sql);
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_sql_error(db, "step", rc, sqlite3_sql(st));
	return rc;
}

void
db_trace(struct db *db, int on)
{
	db->trace = on;
}

int
db_step_done(struct db *db, sqlite3_stmt *st)
{
	int rc = db_step(db, st);

	db_done(db, st);
	return rc;
}

/* ---- binding and columns ---- */

static void
bind_check(sqlite3_stmt *st, int idx, int rc)
{
	if (rc != SQLITE_OK)
		log_err("db bind %d: %s (%d): %s", idx, sqlite3_errstr(rc),
		    rc, sqlite3_sql(st));
}

void
db_bind_int(sqlite3_stmt *st, int idx, int64_t v)
{
	bind_check(st, idx, sqlite3_bind_int64(st, idx, v));
}

void
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		bind_check(st, idx, sqlite3_bind_null(st, idx));
	else
		bind_check(st, idx,
		    sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT));
}

void
db_bind_textn(sqlite3_stmt *st, int idx, const char *s, size_t n)
{
	if (s == NULL)
		bind_check(st, idx, sqlite3_bind_null(st, idx));
	else
		bind_check(st, idx, sqlite3_bind_text64(st, idx, s,
		    (sqlite3_uint64)n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

void
db_bind_blob(sqlite3_stmt *st, int idx, const void *p, size_t n)
{
	bind_check(st, idx, sqlite3_bind_blob64(st, idx, p,
	    (sqlite3_uint64)n, SQLITE_TRANSIENT));
}

void
db_bind_null(sqlite3_stmt *st, int idx)
{
	bind_check(st, idx, sqlite3_bind_null(st, idx));
}

int64_t
db_col_int(sqlite3_stmt *st, int col)
{
	return sqlite3_column_int64(st, col);
}

const char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? (const char *)s : "";
}

int
db_col_is_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc;

	if (db->doomed > 0) {
		log_err("db exec: the transaction was rolled back by an "
		    "inner level: %s", sql);
		return SQLITE_ABORT;
	}
	rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_BUSY || rc == SQLITE_CONSTRAINT)
			log_sql_error(db, "exec", rc, sql);
		else
			log_err("db exec: %s (%d): %s",
			    msg ? msg : sqlite3_errmsg(db->h), rc, sql);
		sqlite3_free(msg);
	}
	return rc;
}

/* ---- transactions ---- */

static int
begin(struct db *db, int write)
{
	int rc;

	if (db->doomed > 0) {
		log_err("db begin: the enclosing transaction was rolled back");
		return SQLITE_ABORT;
	}
	if (db->depth > 0) {
		if (write && !db->tx_write) {
			log_err("db begin: a write inside a read transaction "
			    "(start the outer one with db_begin_write)");
			return SQLITE_MISUSE;
		}
		db->depth++;
		return SQLITE_OK;
	}
	rc = db_run(db, write ? sql_begin_immediate : sql_begin);
	if (rc != SQLITE_OK)
		return rc;
	db->depth = 1;
	db->tx_write = write;
	return SQLITE_OK;
}

int
db_begin_write(struct db *db)
{
	return begin(db, 1);
}

int
db_begin_read(struct db *db)
{
	return begin(db, 0);
}

/* ROLLBACK if SQLite still has a transaction open (it rolls back by itself
 * on some errors). */
static void
rollback_now(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		(void)db_run(db, sql_rollback);
}

int
db_commit(struct db *db)
{
	int rc;

	if (db->doomed > 0) {
		db->doomed--;
		return SQLITE_ABORT;
	}
	if (db->depth == 0) {
		log_err("db commit without a transaction");
		return SQLITE_MISUSE;
	}
	if (db->depth > 1) {
		db->depth--;
		return SQLITE_OK;
	}
	db->depth = 0;
	if (sqlite3_get_autocommit(db->h)) {
		log_err("db commit: SQLite already rolled the transaction "
		    "back after an error");
		return SQLITE_ABORT;
	}
	if ((rc = db_run(db, sql_commit)) != SQLITE_OK) {
		/* Never leave a failed COMMIT holding the lock. */
		rollback_now(db);
		return rc;
	}
	return SQLITE_OK;
}

void
db_rollback(struct db *db)
{
	if (db->depth > 0) {
		rollback_now(db);
		db->doomed = db->depth - 1;
		db->depth = 0;
	} else if (db->doomed > 0)
		db->doomed--;
	else
		log_err("db rollback without a transaction");
}

int
db_in_tx(const struct db *db)
{
	return db->depth + db->doomed;
}

int
db_end_request(struct db *db)
{
	sqlite3_stmt *st;
	int n = 0;

	if (db->depth > 0 || db->doomed > 0) {
		log_err("db: request ended inside a transaction (%d levels "
		    "open): rolled back", db->depth + db->doomed);
		rollback_now(db);
		db->depth = db->doomed = 0;
		n++;
	}
	while (db->nonce > 0) {
		st = db->once[--db->nonce];
		log_err("db: statement never db_done()d: %s", sqlite3_sql(st));
		sqlite3_finalize(st);
		n++;
	}
	for (st = sqlite3_next_stmt(db->h, NULL); st != NULL;
	    st = sqlite3_next_stmt(db->h, st))
		if (sqlite3_stmt_busy(st)) {
			log_err("db: statement left running: %s",
			    sqlite3_sql(st));
			sqlite3_reset(st);
			n++;
		}
	return n;
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

int64_t
db_last_rowid(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

/* ---- schema and migrations ---- */

int
db_schema_version(struct db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if ((st = db_prepare(db, sql_user_version)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else
		log_err("db: %s: %s", sql_user_version, sqlite3_errmsg(db->h));
	db_done(db, st);
	return v;
}

int
db_schema_target(void)
{
	return db_migrations_len > 0 ?
	    db_migrations[db_migrations_len - 1].version : 0;
}

/* Apply one migration in its own transaction.  0, 1 (someone else applied
 * it meanwhile) or -1. */
static int
migrate_one(struct db *db, const struct db_migration *m, char *err,
    size_t errsz)
{
	static const char sql_fk_check[] = "PRAGMA foreign_key_check";
	sqlite3_stmt *st;
	int rc, v, ret = -1;

	if ((rc = db_begin_write(db)) != SQLITE_OK) {
		util_errf(err, errsz, "%04d_%s: cannot start a transaction: %s",
		    m->version, m->name, sqlite3_errmsg(db->h));
		return -1;
	}
	/* Read the version again under the write lock: a second migrate
	 * running at the same time must not apply the same file twice. */
	if ((v = db_schema_version(db)) < 0) {
		util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
		goto out;
	}
	if (v >= m->version) {
		ret = 1;
		goto out;
	}
	if (v != m->version - 1) {
		util_errf(err, errsz, "database is at schema %d; migration "
		    "%04d_%s needs %d", v, m->version, m->name,
		    m->version - 1);
		goto out;
	}
	if (db_exec(db, m->sql) != SQLITE_OK) {
		util_errf(err, errsz, "%04d_%s: %s", m->version, m->name,
		    sqlite3_errmsg(db->h));
		goto out;
	}
	if (sqlite3_get_autocommit(db->h)) {
		util_errf(err, errsz, "%04d_%s: the file ended the transaction "
		    "(a migration must not hold BEGIN, COMMIT or ROLLBACK)",
		    m->version, m->name);
		goto out;
	}
	/* foreign_keys is off during a migration (so that tables can be
	 * rebuilt); check what it would have caught before committing. */
	if ((st = db_prepare_once(db, sql_fk_check)) == NULL) {
		util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		util_errf(err, errsz, "%04d_%s: leaves a foreign key violation "
		    "in table %s", m->version, m->name,
		    (const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
	db_done(db, st);
	if (rc != SQLITE_DONE)
		goto out;
	if (db_pragma_int(db, "user_version", m->version) != SQLITE_OK) {
		util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
		goto out;
	}
	if ((rc = db_commit(db)) != SQLITE_OK) {
		util_errf(err, errsz, "%04d_%s: commit: %s", m->version,
		    m->name, sqlite3_errstr(rc));
		return -1;
	}
	return 0;
out:
	if (ret == 1) {
		if (db_commit(db) != SQLITE_OK)
			ret = -1;
	} else
		db_rollback(db);
	return ret;
}

int
db_migrate(struct db *db, char *err, size_t errsz)
{
	static const char sql_fk_off[] = "PRAGMA foreign_keys = OFF";
	static const char sql_fk_on[] = "PRAGMA foreign_keys = ON";
	int v, target, rc, ret = -1;
	size_t i;

	if (db_in_tx(db)) {
		util_errf(err, errsz, "migrate inside a transaction");
		return -1;
	}
	target = db_schema_target();
	if ((v = db_schema_version(db)) < 0) {
		util_errf(err, errsz, "%s: %s", db->path,
		    sqlite3_errmsg(db->h));
		return -1;
	}
	if (v > target) {
		util_errf(err, errsz, "database is at schema %d, newer than "
		    "this build (%d): install the newer framuga", v, target);
		return -1;
	}
	/* Must be set outside a transaction; see migrate_one(). */
	if (db_run(db, sql_fk_off) != SQLITE_OK) {
		util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
		return -1;
	}
	for (i = 0; i < db_migrations_len; i++) {
		const struct db_migration *m = &db_migrations[i];

		if (m->version <= v)
			continue;
		if ((rc = migrate_one(db, m, err, errsz)) == -1)
			goto out;
		if (rc == 0)
			log_info("%s: migrated to schema %d (%04d_%s)",
			    db->path, m->version, m->version, m->name);
		v = m->version;
	}
	ret = 0;
out:
	if (db_run(db, sql_fk_on) != SQLITE_OK && ret == 0) {
		util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
		ret = -1;
	}
	return ret;
}

/* ---- backup and check ---- */

/* Make a rename in path's directory durable (best effort). */
static void
sync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

int
db_backup(struct db *db, const char *path, char *err, size_t errsz)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *bk = NULL;
	struct stat sb;
	char *part = NULL;
	size_t n;
	int rc, ret = -1, began = 0;

	if (stat(path, &sb) == 0) {
		util_errf(err, errsz, "%s: exists; remove it or choose another "
		    "name", path);
		return -1;
	}
	n = strlen(path) + sizeof(".part");
	if ((part = malloc(n)) == NULL) {
		util_errf(err, errsz, "out of memory");
		return -1;
	}
	snprintf(part, n, "%s.part", path);
	(void)unlink(part);	/* left by a backup that died */

	/* One snapshot for every step: in WAL a read transaction does not
	 * hold writers up, and the backup need not restart when they
	 * commit. */
	if (!db_in_tx(db)) {
		if (db_begin_read(db) != SQLITE_OK ||
		    db_run(db, sql_user_version) != SQLITE_OK) {
			util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
			goto out;
		}
		began = 1;
	}
	rc = sqlite3_open_v2(part, &dst,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		util_errf(err, errsz, "%s: %s", part,
		    dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto out;
	}
	if ((bk = sqlite3_backup_init(dst, "main", db->h, "main")) == NULL) {
		util_errf(err, errsz, "%s: %s", part, sqlite3_errmsg(dst));
		goto out;
	}
	for (;;) {
		rc = sqlite3_backup_step(bk, DB_BACKUP_PAGES);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_OK && rc != SQLITE_BUSY &&
		    rc != SQLITE_LOCKED) {
			util_errf(err, errsz, "%s: backup: %s", part,
			    sqlite3_errstr(rc));
			goto out;
		}
		sleep_us(DB_BACKUP_SLEEP);
	}
	rc = sqlite3_backup_finish(bk);
	bk = NULL;
	if (rc != SQLITE_OK) {
		util_errf(err, errsz, "%s: backup: %s", part,
		    sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		util_errf(err, errsz, "%s: %s", part, sqlite3_errmsg(dst));
		goto out;
	}
	dst = NULL;
	if (rename(part, path) == -1) {
		util_errf(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	sync_dir_of(path);
	ret = 0;
out:
	if (bk != NULL)
		sqlite3_backup_finish(bk);
	if (dst != NULL)
		sqlite3_close(dst);
	if (ret == -1)
		(void)unlink(part);
	if (began) {
		if (db_commit(db) != SQLITE_OK && ret == 0) {
			util_errf(err, errsz, "%s", sqlite3_errmsg(db->h));
			ret = -1;
		}
	}
	free(part);
	return ret;
}

int
db_check(struct db *db)
{
	static const char sql_integrity[] = "PRAGMA integrity_check";
	static const char sql_fk[] = "PRAGMA foreign_key_check";
	sqlite3_stmt *st;
	const char *s;
	int rc, problems = 0;

	if ((st = db_prepare_once(db, sql_integrity)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 0);
		if (s != NULL && strcmp(s, "ok") == 0)
			continue;
		fprintf(stderr, "%s: integrity: %s\n", db->path,
		    s ? s : "(null)");
		problems++;
	}
	if (rc != SQLITE_DONE) {
		log_sql_error(db, "check", rc, sql_integrity);
		db_done(db, st);
		return -1;
	}
	db_done(db, st);

	/* Columns: table, rowid, parent table, foreign key index. */
	if ((st = db_prepare_once(db, sql_fk)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fprintf(stderr, "%s: foreign key: %s row %lld has no parent "
		    "in %s (constraint %d)\n", db->path,
		    (const char *)sqlite3_column_text(st, 0),
		    (long long)sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    sqlite3_column_int(st, 3));
		problems++;
	}
	if (rc != SQLITE_DONE) {
		log_sql_error(db, "check", rc, sql_fk);
		db_done(db, st);
		return -1;
	}
	db_done(db, st);
	return problems;
}

void
db_stats(const struct db *db, struct db_stats *out)
{
	*out = db->stats;
}
