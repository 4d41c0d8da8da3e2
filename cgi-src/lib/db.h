/*
 * db.h: thin helpers over SQLite.
 *
 * One struct db per process, opened after fork.  Statements are constant SQL
 * text with ? binds; db_prepare() caches each statement by the address of its
 * text (so pass a string literal or a static const array, never a built
 * string), resets and clears it on db_done(), and finalizes the cache on
 * db_close().  Writes go through db_begin_write() (BEGIN IMMEDIATE; nested
 * calls count depth and only the outermost commits).  SQLITE_BUSY past the
 * timeout is returned to the caller, who answers 503; nobody spins inside a
 * transaction.
 *
 * Pragmas on open: journal_mode=WAL, foreign_keys=ON, synchronous=FULL (main
 * database; orders and sessions are promises), a busy handler that sleeps in
 * sub-millisecond steps up to busy_ms (SQLite's default sleeps in steps up
 * to 100 ms; in tests/bench/db_busy, 8 writers on one file, it let one
 * process keep the lock while others waited up to 3 s, where ours kept the
 * longest wait under 150 ms), temp_store=MEMORY,
 * cache_size from the config (db_set_cache_kb).
 *
 * Using a cached statement:
 *
 *	static const char q[] = "SELECT title FROM news WHERE id = ?";
 *	sqlite3_stmt *st;
 *
 *	if ((st = db_prepare(db, q)) == NULL)
 *		return -1;
 *	db_bind_int(st, 1, id);
 *	if (db_step(db, st) == SQLITE_ROW)
 *		title = arena_strdup(a, db_col_text(st, 0));
 *	db_done(db, st);
 *
 * Always db_done() a statement before the next db_prepare() of the same
 * text and before the request ends; column text is valid only until then
 * (copy it into the arena).  A statement still running when its text is
 * prepared again (a recursive walk) gets a private, uncached copy.
 *
 * Nesting: every successful db_begin_write()/db_begin_read() is paired with
 * one db_commit() or db_rollback().  A db_rollback() at any depth rolls back
 * the whole transaction at once and frees the write lock; the outer levels
 * then see SQLITE_ABORT from db_commit() and from db_step()/db_exec() until
 * they unwind, so nothing runs by accident outside the transaction.
 */
#ifndef FRAMUGA_DB_H
#define FRAMUGA_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

struct db;

enum {
	DB_READONLY = 1,	/* SQLITE_OPEN_READONLY */
	DB_CREATE = 2,		/* create the file if missing (admin only) */
	DB_NOCHECK = 4		/* skip the schema version check (admin) */
};

/* Open path; on a version mismatch (unless DB_NOCHECK) fail with a clear
 * message in err: "database is at schema 3, this build needs 5: run
 * framuga-admin migrate".  busy_ms: total wait on a lock. */
struct db	*db_open(const char *path, int flags, int busy_ms,
		    char *err, size_t errsz);
void		 db_close(struct db *);
sqlite3		*db_handle(struct db *);
/* PRAGMA cache_size in KiB (db_open sets 8192, cfg's default).  0 or -1. */
int		 db_set_cache_kb(struct db *, int kb);
/* For the bottom of a worker's accept loop: roll back a transaction the
 * request left open, reset statements it left running, finalize
 * db_prepare_once() statements it never db_done()d; each is logged as a
 * bug.  Returns how many things it had to clean up (0 is right). */
int		 db_end_request(struct db *);

/* Cached statement for constant text sql; NULL on error (logged). */
sqlite3_stmt	*db_prepare(struct db *, const char *sql);
/* An uncached statement, for rare or one-off SQL; finalized by db_done. */
sqlite3_stmt	*db_prepare_once(struct db *, const char *sql);
void		 db_done(struct db *, sqlite3_stmt *);	/* reset or finalize */
/* SQLITE_ROW, SQLITE_DONE, or the error code (logged with the SQL). */
int		 db_step(struct db *, sqlite3_stmt *);
/* on: db_step() logs every statement it starts, with its values bound
 * ("sql: ..." at debug level), so that a benchmark can ask SQLite for the
 * plans of exactly what a page ran.  framuga-fcgi turns it on with
 * log_level = debug. */
void		 db_trace(struct db *, int on);
/* One db_step() of a statement that writes (or whose first row is all
 * the caller wants), then db_done() on it; returns db_step()'s code. */
int		 db_step_done(struct db *, sqlite3_stmt *);

/* Binding, 1-based.  Text is copied by SQLite (SQLITE_TRANSIENT); NULL
 * text binds NULL. */
void		 db_bind_int(sqlite3_stmt *, int, int64_t);
void		 db_bind_text(sqlite3_stmt *, int, const char *);
void		 db_bind_textn(sqlite3_stmt *, int, const char *, size_t);
void		 db_bind_blob(sqlite3_stmt *, int, const void *, size_t);
void		 db_bind_null(sqlite3_stmt *, int);

/* Column access (0-based); text is "" for NULL unless noted. */
int64_t		 db_col_int(sqlite3_stmt *, int);
const char	*db_col_text(sqlite3_stmt *, int);
int		 db_col_is_null(sqlite3_stmt *, int);

/* Run a constant statement without results (or several, for scripts). */
int		 db_exec(struct db *, const char *sql);

/* Transactions.  db_begin_write: BEGIN IMMEDIATE at depth 0.  Returns
 * SQLITE_OK or SQLITE_BUSY (the caller answers 503) or another error. */
int		 db_begin_write(struct db *);
int		 db_begin_read(struct db *);	/* BEGIN (deferred) */
int		 db_commit(struct db *);
void		 db_rollback(struct db *);	/* rolls back the whole nest */
int		 db_in_tx(const struct db *);

/* Last error text of the handle. */
const char	*db_errmsg(struct db *);
int64_t		 db_last_rowid(struct db *);
int		 db_changes(struct db *);

/* Schema version in the file (PRAGMA user_version) and what this build
 * knows (the highest numbered file in db/ at build time). */
int		 db_schema_version(struct db *);
int		 db_schema_target(void);
/* The migrations compiled in (migrations.c, generated from db/NNNN_name.sql
 * by scripts/embed-sql.sh), versions 1..n in order.  To add one, write
 * db/NNNN_name.sql with the next number and list it in mk/db.am. */
struct db_migration {
	int		 version;
	const char	*name;		/* "core" for 0001_core.sql */
	const char	*sql;
};
extern const struct db_migration db_migrations[];
extern const size_t db_migrations_len;
/* Apply every migration above the file's version, each in its own write
 * transaction; prints one line per migration to the log.  0 or -1. */
int		 db_migrate(struct db *, char *err, size_t errsz);

/* Online backup to path (sqlite3_backup_*), in steps so that writers are
 * not held up.  The copy is one consistent snapshot (a read transaction is
 * held across the steps; in WAL that does not block writers), written to
 * path.part and renamed to path when complete.  Refuses an existing path.
 * 0 or -1. */
int		 db_backup(struct db *, const char *path, char *err, size_t errsz);
/* PRAGMA integrity_check + foreign_key_check; prints problems to stderr.
 * 0: clean; > 0: the number of problems printed; -1: could not check. */
int		 db_check(struct db *);

/* Statistics for tests/bench: busy waits seen by the handler. */
struct db_stats { uint64_t busy_calls; uint64_t busy_us; };
void		 db_stats(const struct db *, struct db_stats *);

#endif
