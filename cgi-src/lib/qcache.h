/*
 * qcache.h: a worker's cache of query results that do not depend on who
 * asks (the catalogue's lists: names, codes, order, base prices).
 *
 * A result is the rows of one constant statement (the db_prepare() text,
 * known by its address) with one set of bound values.  Every result is
 * valid while a generation number in meta holds: triggers bump it in the
 * same transaction as any change to a table a cached statement reads
 * (db/0010_catalog_generation.sql lists them), so a worker that sees a new
 * number in its read transaction drops the whole cache and starts again.
 * A cached statement must therefore read only those tables, and never
 * anything of the caller (customer, user, session): those parts of a page
 * are asked live on every request.  The first rule is checked (qcache.c:
 * a statement that reads another table is never cached); the second is
 * the caller's to keep.
 *
 * Use, in one read transaction (db_begin_read()):
 *
 *	if (qcache_begin(db) == -1) ...
 *	rows = QCACHE_ROWS(db, q_list, QC_S(uuid), QC_S(lang), QC_I(limit));
 *	for (i = 0; i < rows->n; i++)
 *		name = qc_text(rows, i, 1);
 *
 * Results stay valid until the end of the request.  Memory is bounded by
 * the configured size (result_cache_kb): once over it, the cache is
 * dropped at the next qcache_begin(); until then new results live in the
 * request's arena only.  0 KiB turns the cache off (every call runs its
 * statement).
 */
#ifndef FRAMUGA_QCACHE_H
#define FRAMUGA_QCACHE_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct qc_val {
	const char	*s;	/* text; NULL for an integer or NULL */
	int64_t		 i;	/* integer (text and NULL: 0) */
	int		 null;
};

struct qc_rows {
	size_t			 n;	/* rows */
	int			 ncol;
	const struct qc_val	*v;	/* n x ncol, row by row */
};

/* The size limit in KiB (0: off); set once per worker. */
void	 qcache_configure(size_t kb);
/* At the start of a request that reads cached results, inside its read
 * transaction: checks the generation (meta key gen_key) and the size, and
 * drops the cache when either says so.  derived: NULL-terminated names of
 * tables that have no trigger of their own but are written only by the
 * triggers of tables that have (a full-text index), or NULL.  Always the
 * same key and list in one worker.  0 or -1 (a database error). */
int	 qcache_begin(struct db *, const char *gen_key,
	    const char *const *derived);
/* A value to bind: QC_I(an integer), QC_S(a string; NULL binds NULL).
 * Typed, so that a string where an integer belongs does not compile. */
struct qc_arg {
	int		 type;		/* 'i', 's' */
	int64_t		 i;
	const char	*s;
};
#define QC_I(v)	((struct qc_arg){ 'i', (v), NULL })
#define QC_S(v)	((struct qc_arg){ 's', 0, (v) })

/* The rows of sql bound with args (?1, ?2 ... in order; as many as the
 * statement has parameters): from the cache, else run (every row) and
 * kept.  NULL on a database error (logged), a wrong number of values or
 * a call outside qcache_begin()'s request (a bug, logged). */
const struct qc_rows	*qcache_rows(struct db *, const char *sql,
			    const struct qc_arg *args, size_t nargs);
#define QCACHE_ROWS(db, sql, ...) \
	qcache_rows((db), (sql), (const struct qc_arg[]){ __VA_ARGS__ }, \
	    sizeof((const struct qc_arg[]){ __VA_ARGS__ }) / \
	    sizeof(struct qc_arg))
/* At the end of every request (the worker's loop): no more results
 * until the next qcache_begin(). */
void	 qcache_end(void);
/* Drop everything now (tests; the end of a worker). */
void	 qcache_drop(void);

/* Counters since the worker started, for tests and benchmarks. */
struct qcache_stats {
	uint64_t	hits, misses;
	uint64_t	drops;		/* for any reason */
	uint64_t	full;		/* of them, because over the limit */
	size_t		bytes, entries;
};
void	 qcache_stats(struct qcache_stats *);

/* Column col of row: text ("" for NULL or an integer), integer, NULL. */
static inline const char *
qc_text(const struct qc_rows *q, size_t row, int col)
{
	const char *s = q->v[row * (size_t)q->ncol + (size_t)col].s;

	return s != NULL ? s : "";
}

static inline int64_t
qc_int(const struct qc_rows *q, size_t row, int col)
{
	return q->v[row * (size_t)q->ncol + (size_t)col].i;
}

static inline int
qc_null(const struct qc_rows *q, size_t row, int col)
{
	return q->v[row * (size_t)q->ncol + (size_t)col].null;
}

#endif
