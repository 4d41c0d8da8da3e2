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
 * sub-millisecond steps up to busy_ms (SQLite's default steps up to 100 ms
 * showed p99 ~380 ms under write contention), temp_store=MEMORY,
 * cache_size from the config.
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

/* Cached statement for constant text sql; NULL on error (logged). */
sqlite3_stmt	*db_prepare(struct db *, const char *sql);
/* An uncached statement, for rare or one-off SQL; finalized by db_done. */
sqlite3_stmt	*db_prepare_once(struct db *, const char *sql);
void		 db_done(struct db *, sqlite3_stmt *);	/* reset or finalize */
/* SQLITE_ROW, SQLITE_DONE, or the error code (logged with the SQL). */
int		 db_step(struct db *, sqlite3_stmt *);

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
/* Apply every migration above the file's version, each in its own write
 * transaction; prints one line per migration to the log.  0 or -1. */
int		 db_migrate(struct db *, char *err, size_t errsz);

/* Online backup to path (sqlite3_backup_*), in steps so that writers are
 * not held up.  0 or -1. */
int		 db_backup(struct db *, const char *path, char *err, size_t errsz);
/* PRAGMA integrity_check + foreign_key_check; prints problems to stderr. */
int		 db_check(struct db *);

/* Statistics for tests/bench: busy waits seen by the handler. */
struct db_stats { uint64_t busy_calls; uint64_t busy_us; };
void		 db_stats(const struct db *, struct db_stats *);

#endif
