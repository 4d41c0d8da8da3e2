/*
 * runner.c: one run of one framuga-sync operation.
 *
 * How it works: the operation table below maps each operation to the ERP
 * entity it keeps in step (entity.c) or to its own function (order push,
 * documents, reconcile).  sync_run_op() takes the operation's lock (a
 * running or crashed-but-unexpired run makes it skip with a message), opens
 * a sync_run row, asks the ERP for its clock offset once per process
 * (Ping), runs the operation, closes the row with the counts, status and
 * first error, moves the schedule (schedule.c) and gives the lock back.
 * A run that hit AUTH tells the caller, which stops the whole --due pass
 * (contract section 7).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "sync.h"

static int	op_reconcile(struct sctx *);
static int	op_invoices(struct sctx *);

static const struct sync_op {
	const char	*name;
	int		 entity;	/* enum erp_entity, or -1 */
	int		(*fn)(struct sctx *);
	const char	*mode;
} sync_ops[] = {
	{ "rates", ERP_CURRENCY, NULL, "changes" },
	{ "warehouses", ERP_WAREHOUSE, NULL, "changes" },
	{ "categories", ERP_CATEGORY, NULL, "changes" },
	{ "products", ERP_PRODUCT, NULL, "changes" },
	{ "customers", ERP_CUSTOMER, NULL, "changes" },
	{ "prices", ERP_PRICE, NULL, "changes" },
	{ "stock", ERP_STOCK, NULL, "changes" },
	{ "rulesets", ERP_RULESET, NULL, "changes" },
	{ "order_push", -1, sync_push_orders, "push" },
	{ "orders", ERP_ORDER, NULL, "changes" },
	{ "invoices", -1, op_invoices, "changes" },
	{ "files", -1, sync_docs_files, "files" },
	{ "reconcile", -1, op_reconcile, "full" },
};
#define NOPS	(sizeof(sync_ops) / sizeof(sync_ops[0]))

static const struct sync_op *
op_find(const char *name)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (strcmp(sync_ops[i].name, name) == 0)
			return &sync_ops[i];
	return NULL;
}

int
sync_op_known(const char *name)
{
	return op_find(name) != NULL;
}

int64_t
sync_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sync_fail(struct sctx *x, const char *fmt, ...)
{
	va_list ap;

	x->failed = 1;
	if (x->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(x->error, sizeof(x->error), fmt, ap);
	va_end(ap);
}

void
sync_fail_erp(struct sctx *x, const char *what, enum erp_err e)
{
	const struct erp_error *ee = erp_last_error(x->erp);

	if (x->erp_err == ERP_OK)
		x->erp_err = e;
	if (ee->retry_after > x->retry_after)
		x->retry_after = ee->retry_after;
	sync_fail(x, "%s: %s: %s", what, erp_err_name(e), ee->message);
}

/* invoices: the entity, then the documents of new or changed ones */
static int
op_invoices(struct sctx *x)
{
	if (sync_entity(x, ERP_INVOICE) == -1)
		return -1;
	return sync_docs_invoices(x);
}

/* reconcile: walk every list in full, under each entity's own lock too */
static int
op_reconcile(struct sctx *x)
{
	size_t i;
	int r;

	for (i = 0; i < NOPS; i++) {
		const struct sync_op *o = &sync_ops[i];
		int entity = o->entity;

		if (strcmp(o->name, "invoices") == 0)
			entity = ERP_INVOICE;
		if (entity < 0)
			continue;
		if ((r = sync_lock_other(x, o->name)) == 1) {
			x->partial = 1;
			continue;
		}
		if (r == -1)
			return -1;
		x->lock2 = o->name;
		r = sync_entity_full(x, (enum erp_entity)entity);
		x->lock2 = NULL;
		sched_unlock(x->db, o->name, x->owner);
		if (r == -1)
			return -1;
	}
	return 0;
}

int
sync_run_op(struct db *db, struct erp *erp, const struct config *cfg,
    const struct sync_opts *opts, const char *name, int *auth_failed)
{
	const struct sync_op *o = op_find(name);
	struct sctx x;
	struct erp_ping ping;
	char why[256];
	const char *status;
	int64_t t0;
	enum erp_err e;
	int r;

	if (o == NULL) {
		log_err("no such operation: %s", name);
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.db = db;
	x.erp = erp;
	x.cfg = cfg;
	x.opts = *opts;
	x.op = o->name;
	x.backlog = -1;
	x.default_lang = cfg->default_lang != NULL ? cfg->default_lang : "pl";
	sched_owner(x.owner, sizeof(x.owner));

	if ((r = sched_lock(db, name, x.owner, opts->lease_s, why,
	    sizeof(why))) != 0) {
		if (r == 1)
			log_warn("%s", why);
		else
			log_err("%s: %s", name, why);
		return r == 1 ? 1 : -1;
	}
	x.started = sched_now();
	t0 = sync_mono_ms();
	x.deadline = t0 + (int64_t)opts->budget_s * 1000;
	if ((x.run_id = sched_run_begin(db, name, opts->force_full &&
	    o->entity >= 0 ? "full" : o->mode)) == -1) {
		log_err("%s: cannot open the run log: %s", name,
		    db_errmsg(db));
		sched_unlock(db, name, x.owner);
		return -1;
	}
	x.batch = arena_new(256 * 1024);
	x.scratch = arena_new(16 * 1024);

	if (!erp->utc_offset_known &&
	    (e = erp_ping(erp, &ping)) != ERP_OK)
		sync_fail_erp(&x, "Ping", e);
	else if (o->entity >= 0)
		sync_entity(&x, (enum erp_entity)o->entity);
	else
		o->fn(&x);

	/* The category pages' attribute filters follow the products. */
	if (!x.failed && o->entity == ERP_PRODUCT &&
	    x.n.upserted + x.n.deleted > 0)
		sync_facets_refresh(db, x.run_id);
	else if (!x.failed && o->fn == op_reconcile)
		sync_facets_refresh(db, 0);

	if (x.failed)
		status = "failed";
	else if (x.partial || x.n.failed > 0)
		status = "partial";
	else
		status = "ok";
	if (sched_run_end(db, name, x.run_id, status, &x.n, x.error,
	    sync_mono_ms() - t0, x.started, x.retry_after, x.backlog) == -1)
		log_err("%s: cannot close the run log: %s", name,
		    db_errmsg(db));
	sched_unlock(db, name, x.owner);
	(x.failed ? log_err : log_info)("%s: %s in %lld ms: fetched %lld, "
	    "changed %lld, deleted %lld, failed %lld, acked %lld%s%s", name,
	    status, (long long)(sync_mono_ms() - t0), (long long)x.n.fetched,
	    (long long)x.n.upserted, (long long)x.n.deleted,
	    (long long)x.n.failed, (long long)x.n.acked,
	    x.error[0] != '\0' ? ": " : "", x.error);
	if (x.erp_err == ERP_E_AUTH && auth_failed != NULL)
		*auth_failed = 1;
	arena_free(x.batch);
	arena_free(x.scratch);
	return x.failed ? -1 : 0;
}
