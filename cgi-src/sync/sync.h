/*
 * sync.h: framuga-sync's internal interfaces (not used outside
 * cgi-src/sync/).  The program is described in doc/sync.md and
 * framuga-sync(8).
 *
 *   main.c     command line: --due, run, status, schedule, failures, resend
 *   runner.c   one run of one operation: lock, run log, dispatch, counts
 *   entity.c   the pull/changes/retry/reconcile driver for ERP entities
 *   apply.c    one record into the portal's tables (idempotent upserts,
 *              field masters, deletions), one function per entity
 *   push.c     the order outbox: CreateOrder / FindOrderByRef
 *   docs.c     documents into the file store (invoice PDF/XML, files)
 *   schedule.c the schedule, locks and run log (shared with the CMS)
 *
 * A struct sctx is one run of one operation; it lives on main's stack for
 * the run, its arenas are freed at its end.
 */
#ifndef FRAMUGA_SYNC_H
#define FRAMUGA_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "erp.h"
#include "schedule.h"

struct db;
struct arena;
struct config;

/* Field masters (I4): bit set = the portal owns that product field. */
enum {
	FM_CODE = 1 << 0,
	FM_UNIT = 1 << 1,
	FM_VAT = 1 << 2,
	FM_CATEGORY = 1 << 3,
	FM_WAREHOUSE = 1 << 4,
	FM_RULESET = 1 << 5,
	FM_ACTIVE = 1 << 6,
	FM_NAME = 1 << 7,
	FM_DESCRIPTION = 1 << 8,
	FM_ATTRIBUTES = 1 << 9,
	FM_FILES = 1 << 10,
	FM_RELATIONS = 1 << 11,
	FM_VISIBILITY = 1 << 12
};

/* Tunables (the defaults; the e2e tests and the benchmark change some
 * through the environment, see main.c). */
struct sync_opts {
	int	 page;		/* records per pull page / change batch */
	int	 budget_s;	/* a run stops draining after this long */
	int	 lease_s;	/* lock lease, renewed with every batch */
	int	 retry_max;	/* failures retried per run */
	int	 docs_max;	/* documents fetched per run */
	int	 push_max;	/* orders pushed per run */
	int	 force_full;	/* run: full pull even if done before */
};

struct sctx {
	struct db	*db;
	struct erp	*erp;
	const struct config *cfg;
	struct sync_opts opts;
	const char	*op;		/* the operation running */
	const char	*lock2;		/* reconcile: the entity's op, locked too */
	char		 owner[128];	/* our lock owner id */
	int64_t		 run_id;
	int64_t		 started;	/* sched_now() at the start */
	int64_t		 deadline;	/* monotonic ms: stop draining */
	struct sched_counts n;
	char		 error[512];	/* the first error, for sync_run */
	int		 failed;	/* the run failed (error set) */
	int		 partial;	/* some part was skipped */
	int64_t		 retry_after;	/* from the ERP's BUSY */
	int64_t		 backlog;	/* -1: unknown */
	enum erp_err	 erp_err;	/* the ERP error that failed the run */
	int		 masters;	/* FM_* bits */
	int		 open_failures[ERP_ENTITY__MAX];
	const char	*default_lang;
	struct arena	*batch;		/* a page of records */
	struct arena	*scratch;	/* per record */
};

/* runner.c */
int64_t	 sync_mono_ms(void);
/* Record the run's first error (printf-style); marks it failed. */
void	 sync_fail(struct sctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same for an ERP error: code and message from the client. */
void	 sync_fail_erp(struct sctx *, const char *what, enum erp_err);
/* Run operation name once (lock, log, dispatch).  0 ran (ok or partial),
 * 1 skipped (locked by another run), -1 failed. */
int	 sync_run_op(struct db *, struct erp *, const struct config *,
	    const struct sync_opts *, const char *name, int *auth_failed);
/* Is name an operation this program knows? */
int	 sync_op_known(const char *name);

/* entity.c */
/* Retry open failures, full pull if never done (or forced), drain the
 * change queue.  0 or -1 (ctx->error). */
int	 sync_entity(struct sctx *, enum erp_entity);
/* A full walk with sweeps, then the queue (reconcile). */
int	 sync_entity_full(struct sctx *, enum erp_entity);
/* Take the lock of another operation for the reconcile; 0, 1 busy, -1. */
int	 sync_lock_other(struct sctx *, const char *name);

/* apply.c */
/* Load the field masters into ctx->masters.  0 or -1. */
int	 apply_load_masters(struct sctx *);
/* Apply one record inside the caller's write transaction.  0 applied
 * (*changed says whether a row moved), 1 refused (why: a per-record
 * failure), -1 database error (the caller rolls back). */
int	 apply_record(struct sctx *, const struct erp_record *, int *changed,
	    char *why, size_t whysz);
/* Delete by uuid (a no-op if unknown).  0, with *changed the number of
 * rows removed (a product's or customer's prices and stock included), or
 * -1. */
int	 apply_delete(struct sctx *, enum erp_entity, const char *uuid,
	    int *changed);
/* The uuids the portal holds in (lo, hi] ("" hi: no upper bound), in
 * ascending order, for the sweep of a full pull; calls fn for each.
 * 0 or -1. */
int	 apply_range(struct sctx *, enum erp_entity, const char *lo,
	    const char *hi, int (*fn)(void *, const char *), void *arg);
/* 64-bit FNV-1a, the erp_hash of a payload. */
uint64_t apply_hash(uint64_t seed, const void *, size_t);

/* push.c */
int	 sync_push_orders(struct sctx *);

/* docs.c */
int	 sync_docs_invoices(struct sctx *);
int	 sync_docs_files(struct sctx *);

/* facets.c: regroup catalog_facet for the categories of the products
 * run_id wrote, or all (run_id 0).  0 or -1 (logged). */
int	 sync_facets_refresh(struct db *, int64_t run_id);

#endif
