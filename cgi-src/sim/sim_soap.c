/*
 * sim_soap.c: the operations of the contract (doc/oknoerp/contract.md).
 *
 * soap_handle() takes the raw request body, parses it safely (x_parse),
 * finds the operation element in soap:Body, checks SOAPAction against it,
 * and runs the operation's handler from a const table.  A handler reads its
 * parameters from the request tree, works in one transaction (reads: BEGIN,
 * so a page is consistent; writes: BEGIN IMMEDIATE) and appends the body of
 * its response element to r->out, or sets r->fault.  soap_handle() then
 * wraps the envelope around it.  Request strings live in a per-request
 * arena freed at the end of soap_handle().
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "sim.h"
#include "util.h"

const char *const fault_names[F__MAX] = {
	"", "AUTH", "NOT_FOUND", "VALIDATION", "BUSY", "INTERNAL"
};

int
fault_from_name(const char *s)
{
	for (int i = 1; i < F__MAX; i++)
		if (s != NULL && strcmp(s, fault_names[i]) == 0)
			return i;
	return -1;
}

int
soap_fault_http(enum fault_code f)
{
	switch (f) {
	case F_AUTH:
		return 401;
	case F_BUSY:
		return 503;
	default:
		return 500;
	}
}

static const char env_open[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<soap:Envelope xmlns:soap=\"" SIM_SOAP_NS "\" xmlns:o=\"" SIM_NS "\">"
    "<soap:Body>";
static const char env_close[] = "</soap:Body></soap:Envelope>\n";

void
soap_fault_envelope(struct buf *b, enum fault_code f, const char *msg,
    const char *field, int retry_after)
{
	int client = f == F_AUTH || f == F_NOT_FOUND || f == F_VALIDATION;

	buf_reset(b);
	buf_puts(b, env_open);
	buf_puts(b, "<soap:Fault><faultcode>");
	buf_puts(b, client ? "soap:Client" : "soap:Server");
	buf_puts(b, "</faultcode><faultstring>");
	x_esc(b, msg ? msg : fault_names[f], strlen(msg ? msg :
	    fault_names[f]));
	buf_puts(b, "</faultstring><detail>");
	x_text(b, "code", fault_names[f]);
	x_text(b, "message", msg ? msg : "");
	if (field != NULL && *field)
		x_text(b, "field", field);
	if (retry_after > 0)
		x_int(b, "retry_after", retry_after);
	buf_puts(b, "</detail></soap:Fault>");
	buf_puts(b, env_close);
}

static int
fail(struct soap_rq *r, enum fault_code f, const char *msg, const char *field)
{
	r->fault = f;
	r->fault_msg = msg;
	r->fault_field = field;
	return -1;
}

static int
busy_or_internal(struct soap_rq *r, int rc)
{
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return fail(r, F_BUSY, "database busy, retry later", NULL);
	return fail(r, F_INTERNAL, "database error", NULL);
}

/* limit: absent or 0 -> 100; > 1000 -> 1000; bad -> fault. */
static int
get_limit(struct soap_rq *r, int *limit)
{
	char *s = x_child_text(r->arena, r->op, "limit"), *end;
	long v;

	*limit = 100;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		return fail(r, F_VALIDATION, "limit must be 0..1000", "limit");
	if (v > 1000)
		v = 1000;
	if (v > 0)
		*limit = (int)v;
	return 0;
}

/* ---- full pulls ---- */

static int
op_pull(struct soap_rq *r, const struct sim_entity *e)
{
	char *after, *filter = NULL;
	char **uuids;
	sqlite3_stmt *st;
	int limit, n = 0, more = 0, rc;
	int64_t total;

	if (get_limit(r, &limit) != 0)
		return -1;
	after = x_child_text(r->arena, r->op, "after");
	if (after == NULL)
		after = "";
	if (*after && !sim_uuid_valid(after))
		return fail(r, F_VALIDATION, "after must be a uuid or empty",
		    "after");
	if (e->filter != NULL) {
		filter = x_child_text(r->arena, r->op, e->filter);
		if (filter != NULL && *filter == '\0')
			filter = NULL;
		if (filter != NULL && strcmp(e->filter, "kind") == 0 &&
		    strcmp(filter, "catalogue") && strcmp(filter, "group") &&
		    strcmp(filter, "customer"))
			return fail(r, F_VALIDATION, "unknown price kind",
			    "kind");
		if (filter != NULL && strcmp(e->filter, "kind") != 0 &&
		    !sim_uuid_valid(filter))
			return fail(r, F_VALIDATION, "filter must be a uuid",
			    e->filter);
	}
	if ((rc = sdb_begin_read(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	total = sdb_count(r->db, e->name, filter ? filter : "");
	st = sdb_stmt(r->db, filter ? e->sql_page_filter : e->sql_page);
	if (st == NULL) {
		sdb_rollback(r->db);
		return fail(r, F_INTERNAL, "database error", NULL);
	}
	uuids = arena_calloc(r->arena, (size_t)limit, sizeof(*uuids));
	sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit + 1);
	if (filter)
		sqlite3_bind_text(st, 3, filter, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			more = 1;
			break;
		}
		uuids[n++] = arena_strdup(r->arena,
		    (const char *)sqlite3_column_text(st, 0));
	}
	sdb_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sdb_rollback(r->db);
		return busy_or_internal(r, rc);
	}
	x_int(r->out, "total", total);
	x_text(r->out, "next", more && n > 0 ? uuids[n - 1] : "");
	for (int i = 0; i < n; i++)
		(void)e->emit(r->db, r->out, uuids[i]);
	sdb_commit(r->db);
	return 0;
}

/* ---- change queues ---- */

static const struct sim_entity *
get_entity(struct soap_rq *r)
{
	char *name = x_child_text(r->arena, r->op, "entity");
	const struct sim_entity *e = sim_entity_find(name);

	if (e == NULL)
		fail(r, F_VALIDATION, "unknown entity", "entity");
	return e;
}

static int
op_get_changes(struct soap_rq *r)
{
	static const char sql_n[] =
	    "SELECT count(*) FROM changes WHERE entity = ?1";
	static const char sql[] = "SELECT seq, uuid, changed FROM changes"
	    " WHERE entity = ?1 ORDER BY seq LIMIT ?2";
	const struct sim_entity *e;
	struct buf rec = BUF_INIT;
	sqlite3_stmt *st;
	struct ent { int64_t seq, changed; char *uuid; } *ents;
	int limit, n = 0, rc;

	if ((e = get_entity(r)) == NULL || get_limit(r, &limit) != 0)
		return -1;
	if ((rc = sdb_begin_read(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	x_text(r->out, "entity", e->name);
	x_int(r->out, "total", sdb_int1(r->db, sql_n, e->name, 0));
	ents = arena_calloc(r->arena, (size_t)limit, sizeof(*ents));
	st = sdb_stmt(r->db, sql);
	sqlite3_bind_text(st, 1, e->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ents[n].seq = sqlite3_column_int64(st, 0);
		ents[n].uuid = arena_strdup(r->arena,
		    (const char *)sqlite3_column_text(st, 1));
		ents[n].changed = sqlite3_column_int64(st, 2);
		n++;
	}
	sdb_done(st);
	for (int i = 0; i < n; i++) {
		int gone;

		buf_reset(&rec);
		gone = e->emit(r->db, &rec, ents[i].uuid);
		x_open(r->out, "change");
		x_int(r->out, "seq", ents[i].seq);
		x_text(r->out, "uuid", ents[i].uuid);
		x_text(r->out, "kind", gone ? "delete" : "upsert");
		x_date(r->out, "changed", ents[i].changed);
		if (!gone)
			buf_put(r->out, rec.p, rec.len);
		x_close(r->out, "change");
	}
	buf_free(&rec);
	sdb_commit(r->db);
	return 0;
}

static int
op_ack_changes(struct soap_rq *r)
{
	static const char sql[] =
	    "DELETE FROM changes WHERE entity = ?1 AND seq = ?2";
	const struct sim_entity *e;
	xmlNode *c;
	int64_t *seqs;
	int n = 0, acked = 0, rc;

	if ((e = get_entity(r)) == NULL)
		return -1;
	seqs = arena_calloc(r->arena, 1001, sizeof(*seqs));
	for (c = x_child(r->op, "seq"); c != NULL; c = x_next(c, "seq")) {
		xmlChar *t = xmlNodeGetContent(c);
		char *end;
		long long v;

		errno = 0;
		v = strtoll(t ? (const char *)t : "", &end, 10);
		rc = errno || end == (char *)t || *end || v <= 0;
		xmlFree(t);
		if (rc)
			return fail(r, F_VALIDATION, "seq must be a positive"
			    " integer", "seq");
		if (n == 1000)
			return fail(r, F_VALIDATION, "at most 1000 seq per"
			    " call", "seq");
		seqs[n++] = v;
	}
	if ((rc = sdb_begin_write(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	for (int i = 0; i < n; i++) {
		sqlite3_stmt *st = sdb_stmt(r->db, sql);

		sqlite3_bind_text(st, 1, e->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seqs[i]);
		rc = sqlite3_step(st);
		sdb_done(st);
		if (rc != SQLITE_DONE) {
			sdb_rollback(r->db);
			return busy_or_internal(r, rc);
		}
		acked += sqlite3_changes(r->db->h);
	}
	if ((rc = sdb_commit(r->db)) != SQLITE_OK) {
		sdb_rollback(r->db);
		return busy_or_internal(r, rc);
	}
	r->committed = 1;
	x_int(r->out, "acked", acked);
	return 0;
}

/* ---- orders ---- */

static int
order_by_ref(struct sdb *db, const char *ref, char uuid[37])
{
	static const char sql[] = "SELECT uuid FROM orders WHERE external_ref = ?1";
	sqlite3_stmt *st = sdb_stmt(db, sql);
	int found = 0;

	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(uuid, 37, "%s", sqlite3_column_text(st, 0));
		found = 1;
	}
	sdb_done(st);
	return found;
}

/* Parse an integer element; 0 ok, -1 absent or bad. */
static int
child_int(struct soap_rq *r, xmlNode *n, const char *name, int64_t *v)
{
	char *s = x_child_text(r->arena, n, name), *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/*
 * The demo rule set's hard limits (R1, R2 and the grid's height bound,
 * R10), enough for CreateOrder to refuse a configuration the portal's
 * configurator must never let through.  The portal runs the full rules.
 */
static const char *
config_check(const char *type, int64_t w, int64_t h, int64_t post)
{
	if (type == NULL)
		return "configuration needs a type value";
	if (strcmp(type, "RU1") == 0) {
		if (w < 450 || w > 1300 || h < 500 || h > 2400)
			return "R1: size out of range for RU1";
	} else if (strcmp(type, "RU_RU_POST") == 0) {
		int64_t f1 = post > 0 ? post : w / 2, f2 = w - f1;

		if (w < 900 || w > 2600 || h < 500 || h > 2400)
			return "R2: size out of range for RU_RU_POST";
		if (f1 < 450 || f1 > 1300 || f2 < 450 || f2 > 1300)
			return "R2: field width out of range";
	} else
		return "unknown window type";
	if (h > 1800)
		return "R10: size not available in the price grid";
	return NULL;
}

static int
parse_config(struct soap_rq *r, xmlNode *cfg, struct buf *out, int line)
{
	static const char sql_rs[] = "SELECT 1 FROM ruleset WHERE uuid = ?1";
	char *rs = x_child_text(r->arena, cfg, "ruleset");
	char *field = arena_printf(r->arena, "line[%d].configuration", line);
	const char *type = NULL, *why;
	int64_t w, h, post = 0;
	sqlite3_stmt *st;
	xmlNode *v;
	int ok;

	if (rs == NULL || !sim_uuid_valid(rs))
		return fail(r, F_VALIDATION, "configuration needs a ruleset",
		    field);
	st = sdb_stmt(r->db, sql_rs);
	sqlite3_bind_text(st, 1, rs, -1, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_ROW;
	sdb_done(st);
	if (!ok)
		return fail(r, F_VALIDATION, "unknown rule set", field);
	if (child_int(r, cfg, "width", &w) || child_int(r, cfg, "height", &h))
		return fail(r, F_VALIDATION, "configuration needs width and"
		    " height", field);
	if (x_child(cfg, "post") && child_int(r, cfg, "post", &post))
		return fail(r, F_VALIDATION, "bad post", field);
	x_open(out, "configuration");
	x_text(out, "ruleset", rs);
	x_int(out, "width", w);
	x_int(out, "height", h);
	if (post > 0)
		x_int(out, "post", post);
	for (v = x_child(cfg, "value"); v != NULL; v = x_next(v, "value")) {
		xmlChar *a = xmlGetProp(v, (const xmlChar *)"attribute");
		xmlChar *t = xmlNodeGetContent(v);
		const char *as = a ? (const char *)a : "";
		const char *ts = t ? (const char *)t : "";

		if (*as == '\0') {
			xmlFree(a);
			xmlFree(t);
			return fail(r, F_VALIDATION, "value without attribute",
			    field);
		}
		if (strcmp(as, "type") == 0)
			type = arena_strdup(r->arena, ts);
		buf_puts(out, "<o:value attribute=\"");
		x_esc(out, as, strlen(as));
		buf_puts(out, "\">");
		x_esc(out, ts, strlen(ts));
		buf_puts(out, "</o:value>");
		xmlFree(a);
		xmlFree(t);
	}
	x_close(out, "configuration");
	if ((why = config_check(type, w, h, post)) != NULL)
		return fail(r, F_VALIDATION, why, field);
	return 0;
}

static void
respond_order_created(struct soap_rq *r, const char *uuid, int existed)
{
	static const char sql[] = "SELECT number, status FROM orders WHERE uuid = ?1";
	sqlite3_stmt *st = sdb_stmt(r->db, sql);

	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		x_text(r->out, "uuid", uuid);
		x_text(r->out, "number", (const char *)sqlite3_column_text(st, 0));
		x_text(r->out, "status", (const char *)sqlite3_column_text(st, 1));
		x_bool(r->out, "existed", existed);
	}
	sdb_done(st);
}

static int
op_create_order(struct soap_rq *r)
{
	static const char sql_cust[] = "SELECT active FROM customer WHERE uuid = ?1";
	static const char sql_prod[] = "SELECT active, name_pl FROM product"
	    " WHERE uuid = ?1";
	static const char sql_cur[] = "SELECT 1 FROM currency WHERE code = ?1";
	static const char sql_addr[] = "SELECT uuid, 'delivery', name, street,"
	    " postcode, city, country FROM address WHERE uuid = ?1 AND"
	    " customer = ?2";
	static const char sql_ins[] = "INSERT INTO orders(uuid, number,"
	    " external_ref, customer, status, status_changed, created, currency,"
	    " notes, da_uuid, da_name, da_street, da_postcode, da_city,"
	    " da_country) VALUES(?1, ?2, ?3, ?4, 'new', ?5, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12, ?13)";
	static const char sql_line[] = "INSERT INTO order_line(order_uuid,"
	    " line_no, product, name, quantity, unit_net, config)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	char *ref, *cust, *cur, *notes, *da[6] = { 0 };
	static const char *const da_f[6] = { "uuid", "name", "street",
	    "postcode", "city", "country" };
	char uuid[37], number[40];
	struct buf cfg = BUF_INIT;
	xmlNode *l, *dan;
	sqlite3_stmt *st;
	int64_t now = sim_now(), n;
	int rc, ok, lines = 0, ret = -1;

	ref = x_child_text(r->arena, r->op, "external_ref");
	if (ref == NULL || *ref == '\0' || strlen(ref) > 64)
		return fail(r, F_VALIDATION, "external_ref is required (at"
		    " most 64 characters)", "external_ref");
	cust = x_child_text(r->arena, r->op, "customer");
	cur = x_child_text(r->arena, r->op, "currency");
	notes = x_child_text(r->arena, r->op, "notes");
	if ((dan = x_child(r->op, "delivery_address")) != NULL)
		for (int i = 0; i < 6; i++)
			da[i] = x_child_text(r->arena, dan, da_f[i]);
	if ((rc = sdb_begin_write(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	if (order_by_ref(r->db, ref, uuid)) {
		respond_order_created(r, uuid, 1);
		sdb_commit(r->db);
		return 0;
	}
	if (cust == NULL || !sim_uuid_valid(cust)) {
		fail(r, F_VALIDATION, "customer must be a uuid", "customer");
		goto out;
	}
	st = sdb_stmt(r->db, sql_cust);
	sqlite3_bind_text(st, 1, cust, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ok = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sdb_done(st);
	if (!ok) {
		fail(r, F_VALIDATION, rc == SQLITE_ROW ? "customer is inactive" :
		    "unknown customer", "customer");
		goto out;
	}
	if (cur == NULL || sdb_int1(r->db, sql_cur, cur, 0) != 1) {
		fail(r, F_VALIDATION, "unknown currency", "currency");
		goto out;
	}
	if (da[0] != NULL && *da[0]) {
		st = sdb_stmt(r->db, sql_addr);
		sqlite3_bind_text(st, 1, da[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cust, -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_ROW;
		if (ok)
			for (int i = 1; i < 6; i++)
				da[i] = arena_strdup(r->arena, (const char *)
				    sqlite3_column_text(st, i + 1));
		sdb_done(st);
		if (!ok) {
			fail(r, F_VALIDATION, "unknown delivery address for"
			    " this customer", "delivery_address.uuid");
			goto out;
		}
	}
	sim_uuid_random(uuid);
	n = sim_counter_next(r->db, "order_no");
	{
		struct tm tm;
		time_t tt = (time_t)now;

		localtime_r(&tt, &tm);
		snprintf(number, sizeof(number), "ZK/%04d/%06lld",
		    tm.tm_year + 1900, (long long)n);
	}
	st = sdb_stmt(r->db, sql_ins);
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, cust, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_text(st, 6, cur, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, notes ? notes : "", -1, SQLITE_STATIC);
	for (int i = 0; i < 6; i++)
		sqlite3_bind_text(st, 8 + i, da[i] ? da[i] : "", -1,
		    SQLITE_STATIC);
	rc = sqlite3_step(st);
	sdb_done(st);
	if (rc != SQLITE_DONE) {
		busy_or_internal(r, rc);
		goto out;
	}
	for (l = x_child(r->op, "line"); l != NULL; l = x_next(l, "line")) {
		char *prod = x_child_text(r->arena, l, "product");
		char *field = arena_printf(r->arena, "line[%d]", lines + 1);
		char *pname = NULL;
		int64_t line_no, qty, unit;
		xmlNode *c;

		if (child_int(r, l, "line_no", &line_no) || line_no <= 0 ||
		    child_int(r, l, "quantity", &qty) || qty <= 0 ||
		    child_int(r, l, "unit_net", &unit) || unit < 0) {
			fail(r, F_VALIDATION, "line needs line_no > 0,"
			    " quantity > 0 and unit_net >= 0", field);
			goto out;
		}
		if (prod == NULL || !sim_uuid_valid(prod)) {
			fail(r, F_VALIDATION, "product must be a uuid",
			    arena_printf(r->arena, "line[%d].product",
			    lines + 1));
			goto out;
		}
		st = sdb_stmt(r->db, sql_prod);
		sqlite3_bind_text(st, 1, prod, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		ok = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
		if (ok)
			pname = arena_strdup(r->arena,
			    (const char *)sqlite3_column_text(st, 1));
		sdb_done(st);
		if (!ok) {
			fail(r, F_VALIDATION, rc == SQLITE_ROW ?
			    "product is inactive" : "unknown product",
			    arena_printf(r->arena, "line[%d].product",
			    lines + 1));
			goto out;
		}
		buf_reset(&cfg);
		if ((c = x_child(l, "configuration")) != NULL &&
		    parse_config(r, c, &cfg, lines + 1) != 0)
			goto out;
		st = sdb_stmt(r->db, sql_line);
		sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, line_no);
		sqlite3_bind_text(st, 3, prod, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, pname, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, qty);
		sqlite3_bind_int64(st, 6, unit);
		sqlite3_bind_text(st, 7, buf_cstr(&cfg), -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sdb_done(st);
		if (rc == SQLITE_CONSTRAINT) {
			fail(r, F_VALIDATION, "duplicate line_no", field);
			goto out;
		}
		if (rc != SQLITE_DONE) {
			busy_or_internal(r, rc);
			goto out;
		}
		lines++;
	}
	if (lines == 0) {
		fail(r, F_VALIDATION, "an order needs at least one line", "line");
		goto out;
	}
	if (sim_change(r->db, "order", uuid, now) != 0) {
		fail(r, F_INTERNAL, "database error", NULL);
		goto out;
	}
	if ((rc = sdb_commit(r->db)) != SQLITE_OK) {
		busy_or_internal(r, rc);
		goto out;
	}
	r->committed = 1;
	respond_order_created(r, uuid, 0);
	ret = 0;
out:
	if (ret != 0)
		sdb_rollback(r->db);
	buf_free(&cfg);
	return ret;
}

static int
op_find_order(struct soap_rq *r)
{
	const struct sim_entity *e = sim_entity_find("order");
	char *ref = x_child_text(r->arena, r->op, "external_ref");
	char uuid[37];
	int rc;

	if (ref == NULL || *ref == '\0')
		return fail(r, F_VALIDATION, "external_ref is required",
		    "external_ref");
	if ((rc = sdb_begin_read(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	if (!order_by_ref(r->db, ref, uuid)) {
		sdb_commit(r->db);
		return fail(r, F_NOT_FOUND, "no order with this external_ref",
		    "external_ref");
	}
	e->emit(r->db, r->out, uuid);
	sdb_commit(r->db);
	return 0;
}

/* ---- customers ---- */

static int
op_create_customer(struct soap_rq *r)
{
	static const char sql_ref[] = "SELECT uuid, code FROM customer"
	    " WHERE external_ref = ?1";
	static const char sql_nip[] = "SELECT code FROM customer WHERE nip = ?1";
	static const char sql_cur[] = "SELECT 1 FROM currency WHERE code = ?1";
	static const char sql_ins[] = "INSERT INTO customer(uuid, code, name,"
	    " nip, grp, lang, currency, payment_days, discount, credit_limit,"
	    " credit_used, overdue, email, phone, external_ref)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 14, ?8, 0, 0, 0, ?9, ?10, ?11)";
	static const char sql_ad[] = "INSERT INTO address(uuid, customer, pos,"
	    " kind, name, street, postcode, city, country)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	static const char sql_ct[] = "INSERT INTO contact(uuid, customer, pos,"
	    " name, email, phone, role) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	char *ref, *name, *nip, *email, *phone, *lang, *cur, *grp;
	char uuid[37], code[24], sub[37];
	sqlite3_stmt *st;
	xmlNode *c;
	int rc, pos, ret = -1;
	int64_t discount;

	ref = x_child_text(r->arena, r->op, "external_ref");
	name = x_child_text(r->arena, r->op, "name");
	nip = x_child_text(r->arena, r->op, "nip");
	email = x_child_text(r->arena, r->op, "email");
	phone = x_child_text(r->arena, r->op, "phone");
	lang = x_child_text(r->arena, r->op, "language");
	cur = x_child_text(r->arena, r->op, "currency");
	grp = x_child_text(r->arena, r->op, "group");
	if (ref == NULL || *ref == '\0' || strlen(ref) > 64)
		return fail(r, F_VALIDATION, "external_ref is required",
		    "external_ref");
	if ((rc = sdb_begin_write(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	st = sdb_stmt(r->db, sql_ref);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		x_text(r->out, "uuid", (const char *)sqlite3_column_text(st, 0));
		x_text(r->out, "code", (const char *)sqlite3_column_text(st, 1));
		x_bool(r->out, "existed", 1);
		sdb_done(st);
		sdb_commit(r->db);
		return 0;
	}
	sdb_done(st);
	if (name == NULL || *name == '\0') {
		fail(r, F_VALIDATION, "name is required", "name");
		goto out;
	}
	if (nip == NULL || (!sim_nip_valid(nip) && !(strlen(nip) > 4 &&
	    nip[0] >= 'A' && nip[0] <= 'Z' && nip[1] >= 'A' &&
	    nip[1] <= 'Z' && strncmp(nip, "PL", 2) != 0))) {
		fail(r, F_VALIDATION, "invalid NIP (checksum)", "nip");
		goto out;
	}
	st = sdb_stmt(r->db, sql_nip);
	sqlite3_bind_text(st, 1, nip, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char *m = arena_printf(r->arena, "NIP already registered to"
		    " customer %s", sqlite3_column_text(st, 0));
		sdb_done(st);
		fail(r, F_VALIDATION, m, "nip");
		goto out;
	}
	sdb_done(st);
	if (email == NULL || strchr(email, '@') == NULL) {
		fail(r, F_VALIDATION, "email is required", "email");
		goto out;
	}
	if (lang == NULL || (strcmp(lang, "pl") && strcmp(lang, "en") &&
	    strcmp(lang, "de"))) {
		fail(r, F_VALIDATION, "language must be pl, en or de", "language");
		goto out;
	}
	if (cur == NULL || sdb_int1(r->db, sql_cur, cur, 0) != 1) {
		fail(r, F_VALIDATION, "unknown currency", "currency");
		goto out;
	}
	if (grp == NULL || *grp == '\0')
		grp = "C";
	if (strcmp(grp, "A") && strcmp(grp, "B") && strcmp(grp, "C")) {
		fail(r, F_VALIDATION, "group must be A, B or C", "group");
		goto out;
	}
	discount = grp[0] == 'A' ? 3500 : grp[0] == 'B' ? 2800 : 2000;
	sim_uuid_random(uuid);
	snprintf(code, sizeof(code), "K%05lld",
	    (long long)sim_counter_next(r->db, "customer_no"));
	st = sdb_stmt(r->db, sql_ins);
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, nip, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, grp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, cur, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, discount);
	sqlite3_bind_text(st, 9, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, phone ? phone : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sdb_done(st);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_CONSTRAINT)
			fail(r, F_VALIDATION, "customer code clash", NULL);
		else
			busy_or_internal(r, rc);
		goto out;
	}
	pos = 0;
	for (c = x_child(r->op, "address"); c; c = x_next(c, "address")) {
		static const char *const f[] = { "kind", "name", "street",
		    "postcode", "city", "country" };
		char *v[6];

		for (int i = 0; i < 6; i++) {
			v[i] = x_child_text(r->arena, c, f[i]);
			if (v[i] == NULL)
				v[i] = "";
		}
		if (*v[0] == '\0')
			v[0] = pos == 0 ? "main" : "delivery";
		if (strcmp(v[0], "main") && strcmp(v[0], "invoice") &&
		    strcmp(v[0], "delivery")) {
			fail(r, F_VALIDATION, "address kind must be main,"
			    " invoice or delivery", "address.kind");
			goto out;
		}
		sim_uuid_random(sub);
		st = sdb_stmt(r->db, sql_ad);
		sqlite3_bind_text(st, 1, sub, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, pos++);
		for (int i = 0; i < 6; i++)
			sqlite3_bind_text(st, 4 + i, v[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sdb_done(st);
		if (rc != SQLITE_DONE) {
			busy_or_internal(r, rc);
			goto out;
		}
	}
	pos = 0;
	for (c = x_child(r->op, "contact"); c; c = x_next(c, "contact")) {
		static const char *const f[] = { "name", "email", "phone",
		    "role" };
		char *v[4];

		for (int i = 0; i < 4; i++) {
			v[i] = x_child_text(r->arena, c, f[i]);
			if (v[i] == NULL)
				v[i] = "";
		}
		sim_uuid_random(sub);
		st = sdb_stmt(r->db, sql_ct);
		sqlite3_bind_text(st, 1, sub, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, pos++);
		for (int i = 0; i < 4; i++)
			sqlite3_bind_text(st, 4 + i, v[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sdb_done(st);
		if (rc != SQLITE_DONE) {
			busy_or_internal(r, rc);
			goto out;
		}
	}
	if (sim_change(r->db, "customer", uuid, sim_now()) != 0) {
		fail(r, F_INTERNAL, "database error", NULL);
		goto out;
	}
	if ((rc = sdb_commit(r->db)) != SQLITE_OK) {
		busy_or_internal(r, rc);
		goto out;
	}
	r->committed = 1;
	x_text(r->out, "uuid", uuid);
	x_text(r->out, "code", code);
	x_bool(r->out, "existed", 0);
	ret = 0;
out:
	if (ret != 0)
		sdb_rollback(r->db);
	return ret;
}

/* ---- files and documents ---- */

static void
emit_content(struct buf *b, const char *uuid, const char *fname,
    const char *ctype, const void *p, size_t n)
{
	char sha[65];

	util_sha256_hex(p, n, sha);
	x_text(b, "uuid", uuid);
	x_text(b, "file_name", fname);
	x_text(b, "content_type", ctype);
	x_int(b, "size", (int64_t)n);
	x_text(b, "sha256", sha);
	x_open(b, "content");
	buf_grow(b, (n + 2) / 3 * 4);
	b->len += util_base64(p, n, b->p + b->len, 1);
	x_close(b, "content");
}

static int
op_get_file(struct soap_rq *r)
{
	static const char sql[] = "SELECT file_name, content_type, content"
	    " FROM file WHERE uuid = ?1";
	char *uuid = x_child_text(r->arena, r->op, "uuid");
	sqlite3_stmt *st;
	int rc;

	if (uuid == NULL || !sim_uuid_valid(uuid))
		return fail(r, F_VALIDATION, "uuid is required", "uuid");
	if ((rc = sdb_begin_read(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	st = sdb_stmt(r->db, sql);
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sdb_done(st);
		sdb_commit(r->db);
		return fail(r, F_NOT_FOUND, "no such file", "uuid");
	}
	emit_content(r->out, uuid, (const char *)sqlite3_column_text(st, 0),
	    (const char *)sqlite3_column_text(st, 1),
	    sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
	sdb_done(st);
	sdb_commit(r->db);
	return 0;
}

static int
op_invoice_doc(struct soap_rq *r, int xml)
{
	static const char sql_pdf[] = "SELECT number, pdf FROM invoice WHERE uuid = ?1";
	static const char sql_xml[] = "SELECT number, xml FROM invoice WHERE uuid = ?1";
	char *uuid = x_child_text(r->arena, r->op, "uuid"), *fname;
	sqlite3_stmt *st;
	int rc;

	if (uuid == NULL || !sim_uuid_valid(uuid))
		return fail(r, F_VALIDATION, "uuid is required", "uuid");
	if ((rc = sdb_begin_read(r->db)) != SQLITE_OK)
		return busy_or_internal(r, rc);
	st = sdb_stmt(r->db, xml ? sql_xml : sql_pdf);
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_type(st, 1) == SQLITE_NULL) {
		sdb_done(st);
		sdb_commit(r->db);
		return fail(r, F_NOT_FOUND, "no such invoice document", "uuid");
	}
	fname = arena_printf(r->arena, "%s.%s",
	    (const char *)sqlite3_column_text(st, 0), xml ? "xml" : "pdf");
	for (char *p = fname; *p; p++)
		if (*p == '/')
			*p = '_';
	emit_content(r->out, uuid, fname, xml ? "application/xml" :
	    "application/pdf", sqlite3_column_blob(st, 1),
	    (size_t)sqlite3_column_bytes(st, 1));
	sdb_done(st);
	sdb_commit(r->db);
	return 0;
}

static int
op_invoice_pdf(struct soap_rq *r)
{
	return op_invoice_doc(r, 0);
}

static int
op_invoice_xml(struct soap_rq *r)
{
	return op_invoice_doc(r, 1);
}

static int
op_ping(struct soap_rq *r)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	x_int(r->out, "version", 1);
	x_text(r->out, "server", "oknoerp-sim " PACKAGE_VERSION);
	x_date(r->out, "now", (int64_t)now);
	x_int(r->out, "utc_offset", tm.tm_gmtoff / 60);
	return 0;
}

/* ---- dispatch ---- */

struct soap_op {
	const char	*name;
	int		(*fn)(struct soap_rq *);
};

static const struct soap_op soap_ops[] = {
	{ "GetChanges", op_get_changes },
	{ "AckChanges", op_ack_changes },
	{ "CreateOrder", op_create_order },
	{ "FindOrderByRef", op_find_order },
	{ "CreateCustomer", op_create_customer },
	{ "GetFile", op_get_file },
	{ "GetInvoicePdf", op_invoice_pdf },
	{ "GetInvoiceXml", op_invoice_xml },
	{ "Ping", op_ping },
};

int
soap_handle(struct sdb *db, const char *body, size_t len,
    const char *soapaction, struct buf *out, char *opname, size_t opsz,
    int *committed)
{
	struct soap_rq r;
	struct buf inner = BUF_INIT;
	const struct sim_entity *pull = NULL;
	const struct soap_op *op = NULL;
	xmlDoc *doc = NULL;
	xmlNode *root, *bodyn, *c;
	const char *why;
	int status = 200, rc = -1;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.db = db;
	r.arena = arena_new(0);
	r.out = &inner;
	*committed = 0;
	if (opsz > 0)
		opname[0] = '\0';

	if ((doc = x_parse(body, len, &why)) == NULL) {
		fail(&r, F_VALIDATION, why, NULL);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || root->ns == NULL || strcmp((const char *)
	    root->ns->href, SIM_SOAP_NS) || strcmp((const char *)root->name,
	    "Envelope")) {
		fail(&r, F_VALIDATION, "not a SOAP 1.1 envelope", NULL);
		goto out;
	}
	for (bodyn = root->children; bodyn; bodyn = bodyn->next)
		if (bodyn->type == XML_ELEMENT_NODE && bodyn->ns &&
		    strcmp((const char *)bodyn->ns->href, SIM_SOAP_NS) == 0 &&
		    strcmp((const char *)bodyn->name, "Body") == 0)
			break;
	for (c = bodyn ? bodyn->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			break;
	if (c == NULL || c->ns == NULL ||
	    strcmp((const char *)c->ns->href, SIM_NS) != 0) {
		fail(&r, F_VALIDATION, "soap:Body must hold one operation in "
		    SIM_NS, NULL);
		goto out;
	}
	r.op = c;
	r.opname = (const char *)c->name;
	snprintf(opname, opsz, "%s", r.opname);
	for (i = 0; i < sim_nentities; i++)
		if (strcmp(sim_entities[i].pull_op, r.opname) == 0)
			pull = &sim_entities[i];
	for (i = 0; pull == NULL && i < sizeof(soap_ops) / sizeof(soap_ops[0]);
	    i++)
		if (strcmp(soap_ops[i].name, r.opname) == 0)
			op = &soap_ops[i];
	if (pull == NULL && op == NULL) {
		fail(&r, F_VALIDATION, "unknown operation", NULL);
		goto out;
	}
	if (soapaction != NULL) {
		size_t l = strlen(soapaction);
		const char *a = soapaction;
		char *want;

		if (l >= 2 && a[0] == '"' && a[l - 1] == '"') {
			a++;
			l -= 2;
		}
		want = arena_printf(r.arena, "%s#%s", SIM_NS, r.opname);
		if (l > 0 && (l != strlen(want) || strncmp(a, want, l) != 0)) {
			fail(&r, F_VALIDATION, "SOAPAction does not match the"
			    " operation", NULL);
			goto out;
		}
	}
	buf_puts(&inner, "");
	rc = pull ? op_pull(&r, pull) : op->fn(&r);
out:
	*committed = r.committed;
	if (rc == 0) {
		buf_reset(out);
		buf_puts(out, env_open);
		buf_puts(out, "<o:");
		buf_puts(out, r.opname);
		buf_puts(out, "Response>");
		buf_put(out, inner.p, inner.len);
		buf_puts(out, "</o:");
		buf_puts(out, r.opname);
		buf_puts(out, "Response>");
		buf_puts(out, env_close);
	} else {
		if (r.fault == F_NONE)
			r.fault = F_INTERNAL;
		soap_fault_envelope(out, r.fault, r.fault_msg, r.fault_field,
		    r.fault == F_BUSY ? 1 : 0);
		status = soap_fault_http(r.fault);
	}
	sdb_rollback(db);	/* no-op unless a handler left one open */
	if (doc)
		xmlFreeDoc(doc);
	buf_free(&inner);
	arena_free(r.arena);
	return status;
}
