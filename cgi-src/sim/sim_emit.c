/*
 * sim_emit.c: the record elements of the contract, one serializer per
 * entity, and the table of entities (queue name, pull operation, paging
 * SQL, serializer) that the pull and change-queue operations share.
 *
 * A serializer reads one record by uuid (point lookups through cached
 * statements) and appends <o:ELEM>...</o:ELEM> to the buffer in the order
 * the WSDL's sequence requires.  It returns 1 without writing anything
 * when the record does not exist (the change queue then says delete).
 * Stored XML fragments (a rule set's bundle, an order line's
 * configuration) were serialized by the simulator itself with x_esc(), so
 * they are appended as they are.
 */
#include "config.h"

#include <string.h>

#include "sim.h"

static const char *const langs[3] = { "pl", "en", "de" };

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static void
emit_names(struct buf *b, const char *elem, sqlite3_stmt *st, int first,
    int skip_empty)
{
	for (int i = 0; i < 3; i++) {
		const char *t = col(st, first + i);

		if (skip_empty && *t == '\0')
			continue;
		x_lang(b, elem, langs[i], t);
	}
}

/*
 * The entity's row: sql (?1 = uuid) stepped to its row, and the element
 * tag opened with the uuid in it.  The statement (sdb_done it after the
 * fields), or NULL when there is no such row (nothing written).
 */
static sqlite3_stmt *
open_row(struct sdb *db, struct buf *b, const char *sql, const char *tag,
    const char *uuid)
{
	sqlite3_stmt *st = sdb_stmt(db, sql);

	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sdb_done(st);
		return NULL;
	}
	x_open(b, tag);
	x_text(b, "uuid", uuid);
	return st;
}

static int
emit_category(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT parent, code, sort, active, name_pl,"
	    " name_en, name_de FROM category WHERE uuid = ?1";
	sqlite3_stmt *st;

	if ((st = open_row(db, b, sql, "category", uuid)) == NULL)
		return 1;
	x_text(b, "parent", col(st, 0));
	x_text(b, "code", col(st, 1));
	emit_names(b, "name", st, 4, 0);
	x_int(b, "sort", sqlite3_column_int64(st, 2));
	x_bool(b, "active", sqlite3_column_int(st, 3));
	x_close(b, "category");
	sdb_done(st);
	return 0;
}

static void
emit_files(struct sdb *db, struct buf *b, const char *uuid, int kind)
{
	static const char sql[] = "SELECT uuid, file_name, content_type, size,"
	    " sha256 FROM file WHERE product = ?1 AND kind = ?2 ORDER BY pos";
	sqlite3_stmt *st = sdb_stmt(db, sql);
	const char *elem = kind == 0 ? "photo" : "file";

	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, kind);
	while (sqlite3_step(st) == SQLITE_ROW) {
		x_open(b, elem);
		x_text(b, "uuid", col(st, 0));
		x_text(b, "file_name", col(st, 1));
		x_text(b, "content_type", col(st, 2));
		x_int(b, "size", sqlite3_column_int64(st, 3));
		x_text(b, "sha256", col(st, 4));
		x_close(b, elem);
	}
	sdb_done(st);
}

static void
emit_rels(struct sdb *db, struct buf *b, const char *uuid, int kind)
{
	static const char sql[] = "SELECT other FROM product_rel"
	    " WHERE product = ?1 AND kind = ?2 ORDER BY pos";
	sqlite3_stmt *st = sdb_stmt(db, sql);

	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, kind);
	while (sqlite3_step(st) == SQLITE_ROW)
		x_text(b, kind == 0 ? "related" : "substitute", col(st, 0));
	sdb_done(st);
}

static int
emit_product(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT code, category, unit, vat, name_pl,"
	    " name_en, name_de, desc_pl, desc_en, desc_de, vis,"
	    " default_warehouse, ruleset_code, active FROM product"
	    " WHERE uuid = ?1";
	static const char sql_attr[] = "SELECT code, name_pl, name_en, name_de,"
	    " value_pl, value_en, value_de FROM product_attr WHERE product = ?1"
	    " ORDER BY pos";
	sqlite3_stmt *st, *sa;
	int vis;

	if ((st = open_row(db, b, sql, "product", uuid)) == NULL)
		return 1;
	x_text(b, "code", col(st, 0));
	x_text(b, "category", col(st, 1));
	x_text(b, "unit", col(st, 2));
	x_int(b, "vat", sqlite3_column_int64(st, 3));
	emit_names(b, "name", st, 4, 0);
	emit_names(b, "description", st, 7, 1);
	sa = sdb_stmt(db, sql_attr);
	sqlite3_bind_text(sa, 1, uuid, -1, SQLITE_STATIC);
	while (sqlite3_step(sa) == SQLITE_ROW) {
		x_open(b, "attribute");
		x_text(b, "code", col(sa, 0));
		emit_names(b, "name", sa, 1, 0);
		emit_names(b, "value", sa, 4, 0);
		x_close(b, "attribute");
	}
	sdb_done(sa);
	emit_files(db, b, uuid, 0);
	emit_files(db, b, uuid, 1);
	emit_rels(db, b, uuid, 0);
	emit_rels(db, b, uuid, 1);
	vis = sqlite3_column_int(st, 10);
	for (int i = 0; i < 3; i++)
		if (vis & (1 << i))
			x_text(b, "visible_in", langs[i]);
	x_text(b, "default_warehouse", col(st, 11));
	x_text(b, "ruleset_code", col(st, 12));
	x_bool(b, "active", sqlite3_column_int(st, 13));
	x_close(b, "product");
	sdb_done(st);
	return 0;
}

static int
emit_price(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT kind, product, currency, amount, grp,"
	    " customer, langver FROM price WHERE uuid = ?1";
	sqlite3_stmt *st;

	if ((st = open_row(db, b, sql, "price", uuid)) == NULL)
		return 1;
	x_text(b, "kind", col(st, 0));
	x_text(b, "product", col(st, 1));
	x_text(b, "currency", col(st, 2));
	x_int(b, "amount", sqlite3_column_int64(st, 3));
	x_text(b, "group", col(st, 4));
	x_text(b, "customer", col(st, 5));
	x_text(b, "langver", col(st, 6));
	x_close(b, "price");
	sdb_done(st);
	return 0;
}

static int
emit_currency(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT code, name_pl, name_en, name_de,"
	    " minor_digits, rate, rate_date FROM currency WHERE uuid = ?1";
	sqlite3_stmt *st;

	if ((st = open_row(db, b, sql, "currency", uuid)) == NULL)
		return 1;
	x_text(b, "code", col(st, 0));
	emit_names(b, "name", st, 1, 0);
	x_int(b, "minor_digits", sqlite3_column_int64(st, 4));
	x_int(b, "rate", sqlite3_column_int64(st, 5));
	x_date(b, "rate_date", sqlite3_column_int64(st, 6));
	x_close(b, "currency");
	sdb_done(st);
	return 0;
}

static int
emit_warehouse(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT code, name_pl, name_en, name_de, city,"
	    " active FROM warehouse WHERE uuid = ?1";
	sqlite3_stmt *st;

	if ((st = open_row(db, b, sql, "warehouse", uuid)) == NULL)
		return 1;
	x_text(b, "code", col(st, 0));
	emit_names(b, "name", st, 1, 0);
	x_text(b, "city", col(st, 4));
	x_bool(b, "active", sqlite3_column_int(st, 5));
	x_close(b, "warehouse");
	sdb_done(st);
	return 0;
}

static int
emit_stock(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT warehouse, product, quantity FROM stock"
	    " WHERE uuid = ?1";
	sqlite3_stmt *st;

	if ((st = open_row(db, b, sql, "stock", uuid)) == NULL)
		return 1;
	x_text(b, "warehouse", col(st, 0));
	x_text(b, "product", col(st, 1));
	x_int(b, "quantity", sqlite3_column_int64(st, 2));
	x_close(b, "stock");
	sdb_done(st);
	return 0;
}

/*
 * An address from columns col..col+6 of st: uuid, kind, name, street,
 * postcode, city, country.
 */
int
emit_address(struct sdb *db, struct buf *b, const char *elem,
    sqlite3_stmt *st, int c)
{
	(void)db;
	x_open(b, elem);
	x_text(b, "uuid", col(st, c));
	if (*col(st, c + 1))
		x_text(b, "kind", col(st, c + 1));
	x_text(b, "name", col(st, c + 2));
	x_text(b, "street", col(st, c + 3));
	x_text(b, "postcode", col(st, c + 4));
	x_text(b, "city", col(st, c + 5));
	x_text(b, "country", col(st, c + 6));
	x_close(b, elem);
	return 0;
}

static int
emit_customer(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT code, name, nip, grp, lang, currency,"
	    " payment_days, discount, credit_limit, credit_used, overdue,"
	    " blocked, block_reason, active, email, phone, default_warehouse"
	    " FROM customer WHERE uuid = ?1";
	static const char sql_ct[] = "SELECT uuid, name, email, phone, role"
	    " FROM contact WHERE customer = ?1 ORDER BY pos";
	static const char sql_ad[] = "SELECT uuid, kind, name, street, postcode,"
	    " city, country FROM address WHERE customer = ?1 ORDER BY pos";
	sqlite3_stmt *st, *s2;

	if ((st = open_row(db, b, sql, "customer", uuid)) == NULL)
		return 1;
	x_text(b, "code", col(st, 0));
	x_text(b, "name", col(st, 1));
	x_text(b, "nip", col(st, 2));
	x_text(b, "group", col(st, 3));
	x_text(b, "language", col(st, 4));
	x_text(b, "currency", col(st, 5));
	x_int(b, "payment_days", sqlite3_column_int64(st, 6));
	x_int(b, "discount", sqlite3_column_int64(st, 7));
	x_int(b, "credit_limit", sqlite3_column_int64(st, 8));
	x_int(b, "credit_used", sqlite3_column_int64(st, 9));
	x_int(b, "overdue", sqlite3_column_int64(st, 10));
	x_bool(b, "blocked", sqlite3_column_int(st, 11));
	x_text(b, "block_reason", col(st, 12));
	x_bool(b, "active", sqlite3_column_int(st, 13));
	x_text(b, "email", col(st, 14));
	x_text(b, "phone", col(st, 15));
	x_text(b, "default_warehouse", col(st, 16));
	s2 = sdb_stmt(db, sql_ct);
	sqlite3_bind_text(s2, 1, uuid, -1, SQLITE_STATIC);
	while (sqlite3_step(s2) == SQLITE_ROW) {
		x_open(b, "contact");
		x_text(b, "uuid", col(s2, 0));
		x_text(b, "name", col(s2, 1));
		x_text(b, "email", col(s2, 2));
		x_text(b, "phone", col(s2, 3));
		x_text(b, "role", col(s2, 4));
		x_close(b, "contact");
	}
	sdb_done(s2);
	s2 = sdb_stmt(db, sql_ad);
	sqlite3_bind_text(s2, 1, uuid, -1, SQLITE_STATIC);
	while (sqlite3_step(s2) == SQLITE_ROW)
		emit_address(db, b, "address", s2, 0);
	sdb_done(s2);
	x_close(b, "customer");
	sdb_done(st);
	return 0;
}

static int
emit_ruleset(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT code, version, valid_from, name_pl,"
	    " name_en, name_de, currency, bundle FROM ruleset WHERE uuid = ?1";
	sqlite3_stmt *st;

	if ((st = open_row(db, b, sql, "ruleset", uuid)) == NULL)
		return 1;
	x_text(b, "code", col(st, 0));
	x_int(b, "version", sqlite3_column_int64(st, 1));
	x_date(b, "valid_from", sqlite3_column_int64(st, 2));
	emit_names(b, "name", st, 3, 0);
	x_text(b, "currency", col(st, 6));
	buf_puts(b, col(st, 7));	/* <o:bundle>, made by sim_ruleset_bundle */
	x_close(b, "ruleset");
	sdb_done(st);
	return 0;
}

/* Net of a line: quantity (thousandths) x unit price, half-up to a minor
 * unit (half away from zero). */
static int64_t
line_net(int64_t qty, int64_t unit)
{
	__int128 p = (__int128)qty * unit;
	int neg = p < 0;

	if (neg)
		p = -p;
	p = (p + 500) / 1000;
	return neg ? -(int64_t)p : (int64_t)p;
}

static int
emit_order(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT number, coalesce(external_ref, ''),"
	    " customer, status, status_changed, created, revision,"
	    " correction_note, currency, notes, da_uuid, da_kind, da_name,"
	    " da_street, da_postcode, da_city, da_country, wz_number, wz_date,"
	    " carrier, waybill, shipped FROM orders WHERE uuid = ?1";
	static const char sql_l[] = "SELECT line_no, product, name, quantity,"
	    " unit_net, config FROM order_line WHERE order_uuid = ?1"
	    " ORDER BY line_no";
	static const char sql_net[] = "SELECT quantity, unit_net FROM order_line"
	    " WHERE order_uuid = ?1";
	sqlite3_stmt *st = sdb_stmt(db, sql), *sl;
	int64_t net = 0;

	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sdb_done(st);
		return 1;
	}
	sl = sdb_stmt(db, sql_net);
	sqlite3_bind_text(sl, 1, uuid, -1, SQLITE_STATIC);
	while (sqlite3_step(sl) == SQLITE_ROW)
		net += line_net(sqlite3_column_int64(sl, 0),
		    sqlite3_column_int64(sl, 1));
	sdb_done(sl);
	x_open(b, "order");
	x_text(b, "uuid", uuid);
	x_text(b, "number", col(st, 0));
	x_text(b, "external_ref", col(st, 1));
	x_text(b, "customer", col(st, 2));
	x_text(b, "status", col(st, 3));
	x_date(b, "status_changed", sqlite3_column_int64(st, 4));
	x_date(b, "created", sqlite3_column_int64(st, 5));
	x_int(b, "revision", sqlite3_column_int64(st, 6));
	x_text(b, "correction_note", col(st, 7));
	x_text(b, "currency", col(st, 8));
	x_int(b, "net", net);
	emit_address(db, b, "delivery_address", st, 10);
	x_text(b, "notes", col(st, 9));
	sl = sdb_stmt(db, sql_l);
	sqlite3_bind_text(sl, 1, uuid, -1, SQLITE_STATIC);
	while (sqlite3_step(sl) == SQLITE_ROW) {
		x_open(b, "line");
		x_int(b, "line_no", sqlite3_column_int64(sl, 0));
		x_text(b, "product", col(sl, 1));
		x_text(b, "name", col(sl, 2));
		x_int(b, "quantity", sqlite3_column_int64(sl, 3));
		x_int(b, "unit_net", sqlite3_column_int64(sl, 4));
		x_int(b, "net", line_net(sqlite3_column_int64(sl, 3),
		    sqlite3_column_int64(sl, 4)));
		buf_puts(b, col(sl, 5));	/* <o:configuration>, ours */
		x_close(b, "line");
	}
	sdb_done(sl);
	if (*col(st, 17)) {
		x_open(b, "release");
		x_text(b, "wz_number", col(st, 17));
		x_date(b, "date", sqlite3_column_int64(st, 18));
		x_close(b, "release");
	}
	if (*col(st, 20)) {
		x_open(b, "shipment");
		x_text(b, "carrier", col(st, 19));
		x_text(b, "waybill", col(st, 20));
		x_date(b, "date", sqlite3_column_int64(st, 21));
		x_close(b, "shipment");
	}
	x_close(b, "order");
	sdb_done(st);
	return 0;
}

static int
emit_invoice(struct sdb *db, struct buf *b, const char *uuid)
{
	static const char sql[] = "SELECT number, ksef, order_uuid, customer,"
	    " issued, sale_date, due_date, currency, net, vat, gross, paid"
	    " FROM invoice WHERE uuid = ?1";
	static const char sql_l[] = "SELECT line_no, product, name, quantity,"
	    " unit_net, net, vat_rate, vat, gross FROM invoice_line"
	    " WHERE invoice = ?1 ORDER BY line_no";
	sqlite3_stmt *st, *sl;

	if ((st = open_row(db, b, sql, "invoice", uuid)) == NULL)
		return 1;
	x_text(b, "number", col(st, 0));
	x_text(b, "ksef_number", col(st, 1));
	x_text(b, "order", col(st, 2));
	x_text(b, "customer", col(st, 3));
	x_date(b, "issued", sqlite3_column_int64(st, 4));
	x_date(b, "sale_date", sqlite3_column_int64(st, 5));
	x_date(b, "due_date", sqlite3_column_int64(st, 6));
	x_text(b, "currency", col(st, 7));
	x_int(b, "net", sqlite3_column_int64(st, 8));
	x_int(b, "vat", sqlite3_column_int64(st, 9));
	x_int(b, "gross", sqlite3_column_int64(st, 10));
	x_int(b, "paid", sqlite3_column_int64(st, 11));
	sl = sdb_stmt(db, sql_l);
	sqlite3_bind_text(sl, 1, uuid, -1, SQLITE_STATIC);
	while (sqlite3_step(sl) == SQLITE_ROW) {
		x_open(b, "line");
		x_int(b, "line_no", sqlite3_column_int64(sl, 0));
		x_text(b, "product", col(sl, 1));
		x_text(b, "name", col(sl, 2));
		x_int(b, "quantity", sqlite3_column_int64(sl, 3));
		x_int(b, "unit_net", sqlite3_column_int64(sl, 4));
		x_int(b, "net", sqlite3_column_int64(sl, 5));
		x_int(b, "vat_rate", sqlite3_column_int64(sl, 6));
		x_int(b, "vat", sqlite3_column_int64(sl, 7));
		x_int(b, "gross", sqlite3_column_int64(sl, 8));
		x_close(b, "line");
	}
	sdb_done(sl);
	x_close(b, "invoice");
	sdb_done(st);
	return 0;
}

#define PAGE(tab) "SELECT uuid FROM " tab " WHERE uuid > ?1 ORDER BY uuid LIMIT ?2"
#define PAGEF(tab, f) "SELECT uuid FROM " tab " WHERE " f " = ?3 AND uuid > ?1" \
	" ORDER BY uuid LIMIT ?2"

const struct sim_entity sim_entities[] = {
	{ "category", "category", "GetCategories", NULL, PAGE("category"), NULL,
	    emit_category },
	{ "product", "product", "GetProducts", NULL, PAGE("product"), NULL,
	    emit_product },
	{ "price", "price", "GetPrices", "kind", PAGE("price"),
	    PAGEF("price", "kind"), emit_price },
	{ "currency", "currency", "GetCurrencies", NULL, PAGE("currency"), NULL,
	    emit_currency },
	{ "warehouse", "warehouse", "GetWarehouses", NULL, PAGE("warehouse"),
	    NULL, emit_warehouse },
	{ "stock", "stock", "GetStock", "warehouse", PAGE("stock"),
	    PAGEF("stock", "warehouse"), emit_stock },
	{ "customer", "customer", "GetCustomers", NULL, PAGE("customer"), NULL,
	    emit_customer },
	{ "ruleset", "ruleset", "GetRuleSets", NULL, PAGE("ruleset"), NULL,
	    emit_ruleset },
	{ "order", "order", "GetOrders", "customer", PAGE("orders"),
	    PAGEF("orders", "customer"), emit_order },
	{ "invoice", "invoice", "GetInvoices", "customer", PAGE("invoice"),
	    PAGEF("invoice", "customer"), emit_invoice },
};
const size_t sim_nentities = sizeof(sim_entities) / sizeof(sim_entities[0]);

const struct sim_entity *
sim_entity_find(const char *name)
{
	for (size_t i = 0; i < sim_nentities; i++)
		if (name != NULL && strcmp(sim_entities[i].name, name) == 0)
			return &sim_entities[i];
	return NULL;
}
