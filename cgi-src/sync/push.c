/*
 * push.c: the order outbox (E7, I2; contract 6.1, 6.2 and 8.5).
 *
 * The ordering pages write a row to order_outbox when an order is placed:
 * order_no (the portal's order number, fixed at creation, the idempotency
 * key), the order as JSON (payload, format in doc/sync.md), state
 * 'queued'.  This file sends them.
 *
 * How it works, per row:
 *  1. Claim it in its own short transaction: state 'sending', a lease, one
 *     attempt more; the UPDATE's WHERE repeats the due condition, so of two
 *     pushers only one gets the row, and a row whose pusher died
 *     ('sending' past its lease) is taken up again, marked lookup_first
 *     because that pusher's outcome is unknown.  The operation's lock
 *     already keeps two runs apart; the claim holds even without it.
 *  2. No transaction is open while the ERP is asked.  If lookup_first:
 *     FindOrderByRef(order_no).  Found: the order is in the ERP, so the row
 *     is sent.  NOT_FOUND: safe to create.  Anything else: try later.
 *  3. CreateOrder with external_ref = order_no.  OK: sent (uuid, number).
 *     VALIDATION: failed, with the ERP's message and field, for staff
 *     (sched_outbox_resend() puts it back).  AUTH: back to queued, and the
 *     run stops.  Anything else may or may not have created the order: back
 *     to queued with lookup_first set, so the next attempt looks first.
 *  4. Back-off between attempts: 30 s doubling per attempt, an hour at
 *     most, at least the ERP's retry_after.
 * The ERP's order record answered by FindOrderByRef is also written to
 * erp_order, so the portal sees it before the orders queue brings it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "sync.h"

#define PUSH_LEASE_EXTRA	60	/* seconds beyond the ERP timeout */
#define PUSH_BACKOFF_MAX	3600

static int64_t
backoff(int64_t attempts, int64_t retry_after)
{
	int64_t w = 30;

	while (--attempts > 0 && w < PUSH_BACKOFF_MAX)
		w *= 2;
	if (w > PUSH_BACKOFF_MAX)
		w = PUSH_BACKOFF_MAX;
	return w < retry_after ? retry_after : w;
}

/* ---- payload (JSON) to a CreateOrder request ---- */

static const char *
jstr(struct arena *a, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? arena_strdup(a, json_string_value(v)) : "";
}

static int
jint(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static void
jaddress(struct arena *a, json_t *o, struct erp_address *ad)
{
	ad->uuid = jstr(a, o, "uuid");
	ad->kind = jstr(a, o, "kind");
	ad->name = jstr(a, o, "name");
	ad->street = jstr(a, o, "street");
	ad->postcode = jstr(a, o, "postcode");
	ad->city = jstr(a, o, "city");
	ad->country = jstr(a, o, "country");
}

static int
jconfiguration(struct arena *a, json_t *o, struct erp_configuration *cf,
    char *why, size_t whysz)
{
	json_t *vals, *v;
	const char *k;
	size_t i = 0;

	cf->ruleset = jstr(a, o, "ruleset");
	if (jint(o, "width", &cf->width) == -1 ||
	    jint(o, "height", &cf->height) == -1) {
		snprintf(why, whysz, "configuration needs width and height");
		return -1;
	}
	if (jint(o, "post", &cf->post) == -1)
		cf->post = -1;
	vals = json_object_get(o, "values");
	if (vals == NULL)
		return 0;
	if (!json_is_object(vals)) {
		snprintf(why, whysz, "configuration values must be an object");
		return -1;
	}
	cf->nvalues = json_object_size(vals);
	cf->values = arena_calloc(a, cf->nvalues + 1, sizeof(*cf->values));
	json_object_foreach(vals, k, v) {
		cf->values[i].attribute = arena_strdup(a, k);
		if (json_is_string(v))
			cf->values[i].value = arena_strdup(a,
			    json_string_value(v));
		else if (json_is_integer(v))
			cf->values[i].value = arena_printf(a, "%lld",
			    (long long)json_integer_value(v));
		else if (json_is_boolean(v))
			cf->values[i].value = json_is_true(v) ? "true" : "false";
		else {
			snprintf(why, whysz, "configuration value %s: not a "
			    "string or integer", k);
			return -1;
		}
		i++;
	}
	return 0;
}

/* Parse payload into o (arena memory).  0, or -1 with why. */
static int
parse_payload(struct arena *a, const char *order_no, const char *payload,
    struct erp_order_new *o, struct erp_address *addr, char *why,
    size_t whysz)
{
	json_error_t je;
	json_t *root, *lines, *l, *d, *cf;
	struct erp_order_line *lv;
	size_t i;
	int ret = -1;

	memset(o, 0, sizeof(*o));
	if ((root = json_loads(payload, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(why, whysz, "payload is not JSON: %s (line %d)",
		    je.text, je.line);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(why, whysz, "payload is not a JSON object");
		goto out;
	}
	o->external_ref = order_no;
	o->customer = jstr(a, root, "customer");
	o->currency = jstr(a, root, "currency");
	o->notes = jstr(a, root, "notes");
	if ((d = json_object_get(root, "delivery_address")) != NULL &&
	    json_is_object(d)) {
		jaddress(a, d, addr);
		o->delivery = addr;
	}
	lines = json_object_get(root, "lines");
	if (!json_is_array(lines) || json_array_size(lines) == 0) {
		snprintf(why, whysz, "payload has no lines");
		goto out;
	}
	o->nlines = json_array_size(lines);
	lv = arena_calloc(a, o->nlines, sizeof(*lv));
	json_array_foreach(lines, i, l) {
		if (!json_is_object(l) ||
		    jint(l, "quantity", &lv[i].qty_milli) == -1 ||
		    jint(l, "unit_net", &lv[i].unit_net) == -1) {
			snprintf(why, whysz, "line %zu needs quantity and "
			    "unit_net (integers)", i + 1);
			goto out;
		}
		if (jint(l, "line_no", &lv[i].line_no) == -1)
			lv[i].line_no = (int64_t)i + 1;
		lv[i].product = jstr(a, l, "product");
		lv[i].name = jstr(a, l, "name");
		lv[i].configuration_xml = "";
		if ((cf = json_object_get(l, "configuration")) != NULL &&
		    !json_is_null(cf)) {
			if (!json_is_object(cf)) {
				snprintf(why, whysz, "line %zu: configuration "
				    "must be an object", i + 1);
				goto out;
			}
			lv[i].configuration = arena_calloc(a, 1,
			    sizeof(*lv[i].configuration));
			if (jconfiguration(a, cf, lv[i].configuration, why,
			    whysz) == -1)
				goto out;
		}
	}
	o->lines = lv;
	ret = 0;
out:
	json_decref(root);
	return ret;
}

/* ---- the outbox rows ---- */

static int
renew_push_lock(struct sctx *x)
{
	return sched_lock_renew(x->db, x->op, x->owner, x->opts.lease_s);
}

static const char sql_due[] =
    "SELECT order_no FROM order_outbox"
    " WHERE state IN ('queued', 'sending')"
    " AND ((state = 'queued' AND next_attempt_at <= ?1)"
    "   OR (state = 'sending' AND lease_until <= ?1))"
    " ORDER BY next_attempt_at, created_at LIMIT ?2";

/* Claim one row; 1 claimed (payload etc. filled), 0 someone else has it,
 * -1 error. */
static int
claim(struct sctx *x, const char *order_no, int64_t lease, char **payload,
    int *lookup, int64_t *attempts)
{
	static const char sql[] =
	    "UPDATE order_outbox SET"
	    " lookup_first = CASE WHEN state = 'sending' THEN 1"
	    "   ELSE lookup_first END,"
	    " state = 'sending', lease_until = ?2, attempts = attempts + 1,"
	    " updated_at = ?3"
	    " WHERE order_no = ?1"
	    " AND ((state = 'queued' AND next_attempt_at <= ?3)"
	    "   OR (state = 'sending' AND lease_until <= ?3))"
	    " RETURNING payload, lookup_first, attempts";
	sqlite3_stmt *st;
	int rc, got = 0;

	if (db_begin_write(x->db) != SQLITE_OK)
		return -1;
	if ((st = db_prepare(x->db, sql)) == NULL) {
		db_rollback(x->db);
		return -1;
	}
	db_bind_text(st, 1, order_no);
	db_bind_int(st, 2, sched_now() + lease);
	db_bind_int(st, 3, sched_now());
	if ((rc = db_step(x->db, st)) == SQLITE_ROW) {
		*payload = arena_strdup(x->batch, db_col_text(st, 0));
		*lookup = (int)db_col_int(st, 1);
		*attempts = db_col_int(st, 2);
		got = 1;
		rc = db_step(x->db, st);
	}
	db_done(x->db, st);
	if (rc != SQLITE_DONE || renew_push_lock(x) == -1 ||
	    db_commit(x->db) != SQLITE_OK) {
		db_rollback(x->db);
		return -1;
	}
	return got;
}

/* The outcome of one attempt into the row (state 'sending' is ours). */
static int
settle(struct sctx *x, const char *order_no, const char *state,
    int lookup, int64_t next_at, const char *uuid, const char *number,
    const char *error)
{
	static const char sql[] =
	    "UPDATE order_outbox SET state = ?2, lookup_first = ?3,"
	    " next_attempt_at = ?4, lease_until = NULL, erp_uuid = ?5,"
	    " erp_number = ?6, last_error = ?7,"
	    " sent_at = CASE WHEN ?2 = 'sent' THEN ?8 ELSE NULL END,"
	    " updated_at = ?8 WHERE order_no = ?1 AND state = 'sending'";
	sqlite3_stmt *st;
	int rc;

	if (db_begin_write(x->db) != SQLITE_OK)
		return -1;
	if ((st = db_prepare(x->db, sql)) == NULL) {
		db_rollback(x->db);
		return -1;
	}
	db_bind_text(st, 1, order_no);
	db_bind_text(st, 2, state);
	db_bind_int(st, 3, lookup);
	db_bind_int(st, 4, next_at);
	db_bind_text(st, 5, uuid);
	db_bind_text(st, 6, number);
	db_bind_text(st, 7, error != NULL ? error : "");
	db_bind_int(st, 8, sched_now());
	rc = db_step_done(x->db, st);
	if (rc != SQLITE_DONE || db_commit(x->db) != SQLITE_OK) {
		db_rollback(x->db);
		return -1;
	}
	return 0;
}

/* The ERP's record of the order, into erp_order (best effort). */
static void
store_order(struct sctx *x, struct erp_order *o)
{
	struct erp_record rec;
	char why[256];
	int changed;

	memset(&rec, 0, sizeof(rec));
	rec.entity = ERP_ORDER;
	rec.uuid = o->uuid;
	rec.u.order = o;
	/* no payload here: hash an empty one so that the orders queue,
	 * which brings the full record, writes it again */
	rec.payload = "";
	rec.payload_len = 0;
	if (db_begin_write(x->db) != SQLITE_OK)
		return;
	if (apply_record(x, &rec, &changed, why, sizeof(why)) != 0) {
		db_rollback(x->db);
		return;
	}
	if (db_commit(x->db) != SQLITE_OK)
		db_rollback(x->db);
}

static int
push_one(struct sctx *x, const char *order_no)
{
	struct erp_order_new o;
	struct erp_order_created made;
	struct erp_order *found = NULL;
	struct erp_address addr;
	const struct erp_error *ee;
	char why[512], msg[700];
	char *payload = NULL;
	int64_t attempts = 0, lease;
	int lookup = 0, r;
	enum erp_err e;

	lease = (int64_t)x->cfg->erp_timeout_s * 2 + PUSH_LEASE_EXTRA;
	if ((r = claim(x, order_no, lease, &payload, &lookup, &attempts)) != 1)
		return r;

	if (lookup) {
		e = erp_order_find(x->erp, order_no, x->batch, &found);
		if (e == ERP_OK) {
			store_order(x, found);
			x->n.upserted++;
			log_info("order_push: %s was already in the ERP as %s",
			    order_no, found->number);
			return settle(x, order_no, "sent", 0, 0, found->uuid,
			    found->number, NULL);
		}
		if (e != ERP_E_NOT_FOUND) {
			ee = erp_last_error(x->erp);
			snprintf(msg, sizeof(msg), "FindOrderByRef: %s: %s",
			    erp_err_name(e), ee->message);
			if (e == ERP_E_AUTH)
				sync_fail_erp(x, "FindOrderByRef", e);
			x->n.failed++;
			return settle(x, order_no, "queued", 1, sched_now() +
			    backoff(attempts, ee->retry_after), NULL, NULL,
			    msg);
		}
	}
	if (parse_payload(x->batch, order_no, payload, &o, &addr, why,
	    sizeof(why)) == -1) {
		x->n.failed++;
		log_warn("order_push: %s: %s", order_no, why);
		return settle(x, order_no, "failed", 0, 0, NULL, NULL, why);
	}
	e = erp_order_create(x->erp, &o, &made);
	if (e == ERP_OK) {
		x->n.upserted++;
		if (made.existed)
			log_info("order_push: %s existed in the ERP as %s",
			    order_no, made.number);
		return settle(x, order_no, "sent", 0, 0, made.uuid,
		    made.number, NULL);
	}
	ee = erp_last_error(x->erp);
	x->n.failed++;
	if (ee->field[0] != '\0')
		snprintf(msg, sizeof(msg), "%s: %s (field %s)", erp_err_name(e),
		    ee->message, ee->field);
	else
		snprintf(msg, sizeof(msg), "%s: %s", erp_err_name(e),
		    ee->message);
	if (e == ERP_E_VALIDATION || e == ERP_E_NOT_FOUND ||
	    e == ERP_E_LOCAL) {
		log_warn("order_push: %s refused: %s", order_no, msg);
		return settle(x, order_no, "failed", 0, 0, NULL, NULL, msg);
	}
	if (e == ERP_E_AUTH)
		sync_fail_erp(x, "CreateOrder", e);
	log_info("order_push: %s: %s; will retry", order_no, msg);
	/* CONNECT and AUTH: nothing reached the ERP; else the outcome is
	 * unknown and the next attempt looks first */
	return settle(x, order_no, "queued", erp_err_unknown_outcome(e) ? 1 :
	    lookup, sched_now() + backoff(attempts, ee->retry_after), NULL,
	    NULL, msg);
}

int
sync_push_orders(struct sctx *x)
{
	static const char sql_left[] =
	    "SELECT count(*) FROM order_outbox WHERE state IN ('queued',"
	    " 'sending')";
	sqlite3_stmt *st;
	char **todo;
	size_t n = 0, i;
	int rc;

	todo = arena_calloc(x->batch, (size_t)x->opts.push_max, sizeof(*todo));
	if ((st = db_prepare(x->db, sql_due)) == NULL)
		goto dberr;
	db_bind_int(st, 1, sched_now());
	db_bind_int(st, 2, x->opts.push_max);
	while ((rc = db_step(x->db, st)) == SQLITE_ROW)
		todo[n++] = arena_strdup(x->batch, db_col_text(st, 0));
	db_done(x->db, st);
	if (rc != SQLITE_DONE)
		goto dberr;
	x->n.fetched = (int64_t)n;
	for (i = 0; i < n && !x->failed; i++) {
		if (sync_mono_ms() > x->deadline) {
			x->partial = 1;
			break;
		}
		if (push_one(x, todo[i]) == -1) {
			sync_fail(x, "database error pushing %s: %s", todo[i],
			    db_errmsg(x->db));
			break;
		}
	}
	if ((st = db_prepare(x->db, sql_left)) != NULL) {
		if (db_step(x->db, st) == SQLITE_ROW)
			x->backlog = db_col_int(st, 0);
		db_done(x->db, st);
	}
	return x->failed ? -1 : 0;
dberr:
	sync_fail(x, "cannot read the outbox: %s", db_errmsg(x->db));
	return -1;
}
