/*
 * entity.c: how framuga-sync keeps one ERP entity in step (contract
 * sections 3, 4 and 8): retry what failed, pull the whole list the first
 * time, then drain the change queue.
 *
 * How it works.  Every ERP answer (a page of a pull, a batch of changes,
 * the records decoded from failures being retried) is first collected in
 * full: the client hands records to collect() as it parses, into the run's
 * batch arena (at most one page: 1000 records of a few hundred bytes).
 * Only when the call has returned OK, i.e. the answer was complete and
 * well-formed, is the page applied, in one BEGIN IMMEDIATE transaction
 * that also renews the operation's lock; so a truncated, malformed or
 * dropped answer writes nothing, no network I/O happens inside a
 * transaction, and memory stays at one page whatever the list's length.
 *
 * Changes are acknowledged (AckChanges) only after the page's transaction
 * has committed, with the seqs of every entry in it: applied, deleted, or
 * kept as a per-record failure (contract 8.2, 8.3).  If the process dies
 * between commit and ack, the entries come again and the idempotent upserts
 * make that harmless.
 *
 * Deletions missed by the queue are found by the full pull itself (the
 * reconcile operation walks every list periodically).  The contract pages
 * in ascending uuid order, and page k holds every record with a uuid in
 * (after, next]; so the portal rows whose uuid lies in that range but not
 * in the page no longer exist in the ERP and are deleted in the page's own
 * transaction: a sweep by range, with no mark column rewritten on every
 * row and no list of seen uuids kept anywhere.  The last page's range is
 * open above.  A page that is not in ascending order turns sweeping off
 * for the rest of the walk (and says so); a walk that fails stops where it
 * is, having deleted only in ranges the ERP has answered for.
 *
 * A record that fails goes to sync_failure with its payload; the next run
 * retries open failures first (back-off per record: 1, 2, 4 ... minutes,
 * at most a day), and any later good copy or deletion of the record
 * resolves it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "sync.h"

/* The records of one answer, in the batch arena. */
struct page {
	struct erp_record *v;
	size_t		 n, cap;
	struct sctx	*x;
};

static int
collect(void *ctx, const struct erp_record *r)
{
	struct page *p = ctx;
	struct erp_record *nv;

	if (p->n == p->cap) {
		p->cap = p->cap == 0 ? 256 : p->cap * 2;
		nv = arena_alloc(p->x->batch, p->cap * sizeof(*nv));
		if (p->n > 0)
			memcpy(nv, p->v, p->n * sizeof(*nv));
		p->v = nv;
	}
	p->v[p->n++] = *r;
	return 0;
}

static void
page_reset(struct sctx *x, struct page *p)
{
	arena_reset(x->batch);
	memset(p, 0, sizeof(*p));
	p->x = x;
}

/* ---- failures ---- */

static int
failure_record(struct sctx *x, const struct erp_record *r, const char *why)
{
	/* back-off: 1 minute, doubling per attempt, a day at most */
	static const char sql[] =
	    "INSERT INTO sync_failure (operation, entity, uuid, reason,"
	    " first_at, last_at, payload, next_retry_at, run_id)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?5 + 60, ?7)"
	    " ON CONFLICT (entity, uuid) WHERE resolved = 0 DO UPDATE SET"
	    " operation = excluded.operation, reason = excluded.reason,"
	    " attempts = attempts + 1, last_at = excluded.last_at,"
	    " payload = ifnull(excluded.payload, payload),"
	    " next_retry_at = excluded.last_at + min(86400,"
	    "   60 << min(attempts, 11)), run_id = excluded.run_id";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, x->lock2 != NULL ? x->lock2 : x->op);
	db_bind_text(st, 2, erp_entity_name(r->entity));
	db_bind_text(st, 3, r->uuid != NULL && *r->uuid != '\0' ? r->uuid :
	    "?");
	db_bind_text(st, 4, why);
	db_bind_int(st, 5, x->started);
	if (r->payload != NULL)
		db_bind_textn(st, 6, r->payload, r->payload_len);
	else
		db_bind_null(st, 6);
	db_bind_int(st, 7, x->run_id);
	rc = db_step_done(x->db, st);
	if (rc != SQLITE_DONE)
		return -1;
	x->open_failures[r->entity] = 1;
	log_info("%s: %s %s failed: %s", x->op, erp_entity_name(r->entity),
	    r->uuid != NULL ? r->uuid : "?", why);
	return 0;
}

static int
failure_resolve(struct sctx *x, enum erp_entity ent, const char *uuid)
{
	static const char sql[] =
	    "UPDATE sync_failure SET resolved = 1, resolved_at = ?3"
	    " WHERE entity = ?1 AND uuid = ?2 AND resolved = 0";
	sqlite3_stmt *st;
	int rc;

	if (!x->open_failures[ent])
		return 0;
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, erp_entity_name(ent));
	db_bind_text(st, 2, uuid);
	db_bind_int(st, 3, x->started);
	rc = db_step_done(x->db, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
failures_open(struct sctx *x, enum erp_entity ent)
{
	static const char sql[] =
	    "SELECT EXISTS (SELECT 1 FROM sync_failure WHERE entity = ?"
	    " AND resolved = 0)";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, erp_entity_name(ent));
	if ((rc = db_step(x->db, st)) == SQLITE_ROW)
		x->open_failures[ent] = (int)db_col_int(st, 0);
	db_done(x->db, st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- applying a page ---- */

struct sweep {
	struct sctx	*x;
	const struct page *pg;
	size_t		 i;		/* merge position in the page */
	const char	**gone;
	size_t		 ngone, cap;
};

/* apply_range() callback: a portal uuid in the page's range; the page is
 * in ascending order, so walk it alongside. */
static int
sweep_one(void *arg, const char *uuid)
{
	struct sweep *s = arg;
	const char **nv;
	int c = 1;

	while (s->i < s->pg->n &&
	    (c = strcmp(s->pg->v[s->i].uuid, uuid)) < 0)
		s->i++;
	if (s->i < s->pg->n && c == 0)
		return 0;
	if (s->ngone == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		nv = arena_alloc(s->x->scratch, s->cap * sizeof(*nv));
		if (s->ngone > 0)
			memcpy(nv, s->gone, s->ngone * sizeof(*nv));
		s->gone = nv;
	}
	s->gone[s->ngone++] = arena_strdup(s->x->scratch, uuid);
	return 0;
}

/* Non-zero if the page's uuids ascend strictly and all exceed after. */
static int
page_sorted(const struct page *pg, const char *after)
{
	size_t i;

	for (i = 0; i < pg->n; i++) {
		if (pg->v[i].uuid == NULL)
			return 0;
		if (strcmp(pg->v[i].uuid, i == 0 ? after : pg->v[i - 1].uuid)
		    <= 0)
			return 0;
	}
	return 1;
}

static int
renew(struct sctx *x)
{
	if (sched_lock_renew(x->db, x->op, x->owner, x->opts.lease_s) == -1 ||
	    (x->lock2 != NULL && sched_lock_renew(x->db, x->lock2, x->owner,
	    x->opts.lease_s) == -1)) {
		sync_fail(x, "lost the lock of %s (it expired and another run "
		    "took it); stopped", x->lock2 != NULL ? x->lock2 : x->op);
		return -1;
	}
	return 0;
}

/* Apply pg in one transaction.  sweep_lo != NULL: also delete the portal
 * rows in (sweep_lo, sweep_hi] the page does not have.  0 or -1. */
static int
apply_page(struct sctx *x, enum erp_entity ent, struct page *pg,
    const char *sweep_lo, const char *sweep_hi)
{
	char why[512];
	struct sweep sw;
	size_t i;
	int rc, r, changed;

	if ((rc = db_begin_write(x->db)) != SQLITE_OK) {
		sync_fail(x, "cannot begin a write transaction: %s",
		    rc == SQLITE_BUSY ? "database busy" : db_errmsg(x->db));
		return -1;
	}
	if (renew(x) == -1)
		goto fail;
	for (i = 0; i < pg->n; i++) {
		const struct erp_record *rec = &pg->v[i];

		arena_reset(x->scratch);
		if (rec->deleted) {
			if (apply_delete(x, ent, rec->uuid, &changed) == -1 ||
			    failure_resolve(x, ent, rec->uuid) == -1)
				goto dberr;
			x->n.deleted += changed;
			continue;
		}
		r = apply_record(x, rec, &changed, why, sizeof(why));
		if (r == -1)
			goto dberr;
		if (r == 1) {
			if (failure_record(x, rec, why) == -1)
				goto dberr;
			x->n.failed++;
			continue;
		}
		if (failure_resolve(x, ent, rec->uuid) == -1)
			goto dberr;
		if (changed)
			x->n.upserted++;
	}
	if (sweep_lo != NULL) {
		arena_reset(x->scratch);
		memset(&sw, 0, sizeof(sw));
		sw.x = x;
		sw.pg = pg;
		if (apply_range(x, ent, sweep_lo, sweep_hi, sweep_one, &sw) ==
		    -1)
			goto dberr;
		for (i = 0; i < sw.ngone; i++) {
			if (apply_delete(x, ent, sw.gone[i], &changed) == -1 ||
			    failure_resolve(x, ent, sw.gone[i]) == -1)
				goto dberr;
			x->n.deleted += changed;
		}
	}
	if ((rc = db_commit(x->db)) != SQLITE_OK) {
		sync_fail(x, "commit failed: %s", db_errmsg(x->db));
		return -1;
	}
	return 0;
dberr:
	sync_fail(x, "database error on %s: %s", erp_entity_name(ent),
	    db_errmsg(x->db));
fail:
	db_rollback(x->db);
	return -1;
}

/* ---- the three phases ---- */

static int
retry_failures(struct sctx *x, enum erp_entity ent)
{
	static const char sql[] =
	    "SELECT id, payload FROM sync_failure WHERE entity = ?1"
	    " AND resolved = 0 AND payload IS NOT NULL"
	    " AND next_retry_at <= ?2 ORDER BY id LIMIT ?3";
	/* a stored record that no longer decodes waits for staff */
	static const char sql_stuck[] =
	    "UPDATE sync_failure SET next_retry_at = ?2 + 86400,"
	    " attempts = attempts + 1, last_at = ?2, reason = ?3"
	    " WHERE id = ?1";
	struct page pg;
	sqlite3_stmt *st;
	struct { int64_t id; const char *p; size_t len; } *todo;
	char why[600];
	size_t n = 0, i;
	enum erp_err e;
	int rc;

	if (!x->open_failures[ent])
		return 0;
	page_reset(x, &pg);
	todo = arena_calloc(x->batch, (size_t)x->opts.retry_max,
	    sizeof(*todo));
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, erp_entity_name(ent));
	db_bind_int(st, 2, x->started);
	db_bind_int(st, 3, x->opts.retry_max);
	while ((rc = db_step(x->db, st)) == SQLITE_ROW &&
	    n < (size_t)x->opts.retry_max) {
		todo[n].id = db_col_int(st, 0);
		todo[n].len = (size_t)sqlite3_column_bytes(st, 1);
		todo[n].p = arena_memdup(x->batch, db_col_text(st, 1),
		    todo[n].len + 1);
		n++;
	}
	db_done(x->db, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sync_fail(x, "cannot read the failures: %s", db_errmsg(x->db));
		return -1;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		e = erp_decode(x->erp, ent, todo[i].p, todo[i].len, x->batch,
		    collect, &pg);
		if (e == ERP_OK)
			continue;
		snprintf(why, sizeof(why), "the stored record does not decode: "
		    "%s", erp_last_error(x->erp)->message);
		log_warn("%s: failure %lld: %s", x->op, (long long)todo[i].id,
		    why);
		if (db_begin_write(x->db) != SQLITE_OK)
			return -1;
		if ((st = db_prepare(x->db, sql_stuck)) == NULL) {
			db_rollback(x->db);
			return -1;
		}
		db_bind_int(st, 1, todo[i].id);
		db_bind_int(st, 2, x->started);
		db_bind_text(st, 3, why);
		rc = db_step_done(x->db, st);
		if (rc != SQLITE_DONE || db_commit(x->db) != SQLITE_OK) {
			db_rollback(x->db);
			return -1;
		}
	}
	log_info("%s: retrying %zu failed %s record(s)", x->op, pg.n,
	    erp_entity_name(ent));
	/* failures retried count again if they fail again */
	return apply_page(x, ent, &pg, NULL, NULL);
}

static int
set_full_done(struct sctx *x)
{
	static const char sql[] =
	    "UPDATE sync_operation SET last_full_at = ?2 WHERE name = ?1";
	sqlite3_stmt *st;
	int rc;

	if (db_begin_write(x->db) != SQLITE_OK)
		return -1;
	if ((st = db_prepare(x->db, sql)) == NULL) {
		db_rollback(x->db);
		return -1;
	}
	db_bind_text(st, 1, x->lock2 != NULL ? x->lock2 : x->op);
	db_bind_int(st, 2, x->started);
	rc = db_step_done(x->db, st);
	if (rc != SQLITE_DONE || db_commit(x->db) != SQLITE_OK) {
		db_rollback(x->db);
		return -1;
	}
	return 0;
}

/* Walk the whole list, applying and sweeping page by page. */
static int
full_pull(struct sctx *x, enum erp_entity ent)
{
	struct erp_page info;
	struct page pg;
	char after[64] = "", hi[64];
	int sweep = 1;
	enum erp_err e;
	int64_t pages = 0, records = 0;

	for (;;) {
		page_reset(x, &pg);
		e = erp_pull(x->erp, ent, after, x->opts.page, x->batch,
		    collect, &pg, &info);
		if (e != ERP_OK) {
			sync_fail_erp(x, "full pull", e);
			return -1;
		}
		x->n.fetched += (int64_t)pg.n;
		records += (int64_t)pg.n;
		pages++;
		if (sweep && !page_sorted(&pg, after)) {
			log_warn("%s: the ERP's %s page after \"%s\" is not in "
			    "uuid order; deletions will not be swept in this "
			    "walk", x->op, erp_entity_name(ent), after);
			sweep = 0;
		}
		if (*info.next != '\0' && pg.n > 0 &&
		    strcmp(info.next, pg.v[pg.n - 1].uuid) != 0 && sweep) {
			log_warn("%s: next is not the page's last uuid; not "
			    "sweeping", x->op);
			sweep = 0;
		}
		if (*info.next != '\0' && strcmp(info.next, after) <= 0) {
			sync_fail(x, "the ERP's %s pages do not advance (next "
			    "\"%s\" after \"%s\")", erp_entity_name(ent),
			    info.next, after);
			return -1;
		}
		snprintf(hi, sizeof(hi), "%s", info.next);
		if (apply_page(x, ent, &pg, sweep ? after : NULL, hi) == -1)
			return -1;
		if (*info.next == '\0')
			break;
		snprintf(after, sizeof(after), "%s", info.next);
	}
	log_info("%s: full pull of %s: %lld page(s), %lld record(s)", x->op,
	    erp_entity_name(ent), (long long)pages, (long long)records);
	if (set_full_done(x) == -1) {
		sync_fail(x, "cannot record the full pull: %s",
		    db_errmsg(x->db));
		return -1;
	}
	return 0;
}

/* Drain the change queue until it is empty or the budget is spent. */
static int
drain_changes(struct sctx *x, enum erp_entity ent)
{
	struct erp_page info;
	struct page pg;
	int64_t *seqs, acked;
	size_t i, n;
	enum erp_err e;

	for (;;) {
		if (sync_mono_ms() > x->deadline) {
			log_info("%s: time budget spent; %lld change(s) left",
			    x->op, (long long)x->backlog);
			x->partial = 1;
			break;
		}
		page_reset(x, &pg);
		e = erp_changes(x->erp, ent, x->opts.page, x->batch, collect,
		    &pg, &info);
		if (e != ERP_OK) {
			sync_fail_erp(x, "GetChanges", e);
			return -1;
		}
		x->n.fetched += (int64_t)pg.n;
		if (pg.n == 0) {
			x->backlog = 0;
			break;
		}
		if (apply_page(x, ent, &pg, NULL, NULL) == -1)
			return -1;
		/* committed: now, and only now, acknowledge */
		seqs = arena_calloc(x->batch, pg.n, sizeof(*seqs));
		for (i = n = 0; i < pg.n; i++)
			if (pg.v[i].seq > 0)
				seqs[n++] = pg.v[i].seq;
		e = erp_ack(x->erp, ent, seqs, n, &acked);
		if (e != ERP_OK) {
			sync_fail_erp(x, "AckChanges (the changes are "
			    "committed and will come again)", e);
			return -1;
		}
		x->n.acked += acked;
		x->backlog = info.total > (int64_t)pg.n ?
		    info.total - (int64_t)pg.n : 0;
		if (info.total <= (int64_t)pg.n)
			break;
		if (acked == 0) {
			/* every entry superseded or not acked: do not spin */
			log_warn("%s: the ERP acknowledged none of %zu %s "
			    "change(s); stopping this drain", x->op, n,
			    erp_entity_name(ent));
			break;
		}
	}
	return 0;
}

static int
last_full_at(struct sctx *x, int64_t *out)
{
	static const char sql[] =
	    "SELECT ifnull(last_full_at, 0) FROM sync_operation WHERE name = ?";
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if ((st = db_prepare(x->db, sql)) == NULL)
		return -1;
	db_bind_text(st, 1, x->lock2 != NULL ? x->lock2 : x->op);
	if ((rc = db_step(x->db, st)) == SQLITE_ROW)
		*out = db_col_int(st, 0);
	db_done(x->db, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
prepare(struct sctx *x, enum erp_entity ent)
{
	if (failures_open(x, ent) == -1 ||
	    (ent == ERP_PRODUCT && apply_load_masters(x) == -1)) {
		sync_fail(x, "cannot read the database: %s", db_errmsg(x->db));
		return -1;
	}
	return 0;
}

int
sync_entity(struct sctx *x, enum erp_entity ent)
{
	int64_t full;

	if (prepare(x, ent) == -1)
		return -1;
	if (retry_failures(x, ent) == -1)
		return -1;
	if (last_full_at(x, &full) == -1) {
		sync_fail(x, "cannot read the schedule: %s", db_errmsg(x->db));
		return -1;
	}
	if ((full == 0 || x->opts.force_full) && full_pull(x, ent) == -1)
		return -1;
	return drain_changes(x, ent);
}

int
sync_entity_full(struct sctx *x, enum erp_entity ent)
{
	if (prepare(x, ent) == -1)
		return -1;
	if (full_pull(x, ent) == -1)
		return -1;
	return drain_changes(x, ent);
}

int
sync_lock_other(struct sctx *x, const char *name)
{
	char why[256];
	int r;

	r = sched_lock(x->db, name, x->owner, x->opts.lease_s, why,
	    sizeof(why));
	if (r == 1)
		log_info("%s: skipping %s: %s", x->op, name, why);
	else if (r == -1)
		sync_fail(x, "%s", why);
	return r;
}
