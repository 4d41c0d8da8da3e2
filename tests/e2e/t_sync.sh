#!/bin/sh
# t_sync.sh: a full sync reproduces the simulator's data (TAP).
#
# Against the real oknoerp-sim over HTTP: one `framuga-sync --due` on a
# fresh portal database pulls every list; then every entity is compared
# row by row and value by value with the simulator's own store (not
# samples: whole tables, as text, through sqlite3 on both sides), the
# documents in the file store byte for byte with the simulator's blobs.
# A second pass a day later changes nothing at all (no row gets a newer
# sync_run_id), and a reconciliation finds records deleted behind the
# change queue's back.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/e2e/sync_lib.sh"

# every document in one run (the default is 200 a run)
FRAMUGA_SYNC_DOCS_MAX=100000
export FRAMUGA_SYNC_DOCS_MAX
sync_init full --products 400 --customers 50 --individual-prices 3000 \
    --warehouses 3 --orders 60 --seed 7

T0=$(date +%s)
FRAMUGA_NOW=$T0
export FRAMUGA_NOW
ok "framuga-sync --due on an empty portal succeeds" sync --due
is "$(pq "SELECT count(*) FROM sync_run WHERE status <> 'ok'")" 0 \
    "every run of the first pass is ok"
is "$(pq "SELECT count(*) FROM sync_operation WHERE last_full_at IS NULL
    AND name NOT IN ('order_push', 'files', 'reconcile')")" 0 \
    "every list had its full pull"

# ---- every entity, every value ------------------------------------------------

same "currencies and rates (1C rate dates in UTC)" \
    "SELECT erp_uuid, code, name, minor_digits, rate_e6, rate_date
     FROM currency ORDER BY erp_uuid" \
    "SELECT uuid, code, name_pl, minor_digits, rate, rate_date
     FROM currency ORDER BY uuid"
is "$(pq "SELECT count(*) FROM exchange_rate")" \
    "$(sq "SELECT count(*) FROM currency")" "one rate history row per currency"
same "warehouses" \
    "SELECT erp_uuid, code, name, city, active FROM warehouse ORDER BY 1" \
    "SELECT uuid, code, name_pl, city, active FROM warehouse ORDER BY 1"
same "categories with names in three languages" \
    "SELECT c.erp_uuid, c.parent_uuid, c.code, c.sort, c.active,
       (SELECT name FROM category_text WHERE category_id = c.id AND lang = 'pl'),
       (SELECT name FROM category_text WHERE category_id = c.id AND lang = 'en'),
       (SELECT name FROM category_text WHERE category_id = c.id AND lang = 'de')
     FROM category c ORDER BY 1" \
    "SELECT uuid, parent, code, sort, active, name_pl, name_en, name_de
     FROM category ORDER BY 1"
same "products: fields, texts per language, visibility" \
    "SELECT p.erp_uuid, p.code, p.category_uuid, p.unit, p.vat_bp,
       (SELECT name FROM product_text WHERE product_id = p.id AND lang = 'pl'),
       (SELECT name FROM product_text WHERE product_id = p.id AND lang = 'en'),
       (SELECT name FROM product_text WHERE product_id = p.id AND lang = 'de'),
       (SELECT description FROM product_text WHERE product_id = p.id AND lang = 'pl'),
       (SELECT description FROM product_text WHERE product_id = p.id AND lang = 'de'),
       p.default_warehouse_uuid, p.ruleset_code, p.active,
       (SELECT group_concat(lang) FROM (SELECT lang FROM product_visibility
         WHERE product_id = p.id ORDER BY lang))
     FROM product p WHERE p.deleted_at IS NULL ORDER BY 1" \
    "SELECT uuid, code, category, unit, vat, name_pl, name_en, name_de,
       desc_pl, desc_de, default_warehouse, ruleset_code, active,
       (SELECT group_concat(l) FROM (SELECT 'de' AS l WHERE vis & 4
         UNION ALL SELECT 'en' WHERE vis & 2 UNION ALL SELECT 'pl' WHERE vis & 1))
     FROM product ORDER BY 1"
same "product attributes per language" \
    "SELECT p.erp_uuid, a.code, a.lang, a.name, a.value FROM product_attr a
     JOIN product p ON p.id = a.product_id ORDER BY 1, a.sort, 3" \
    "SELECT product, code, lang, name, value FROM (
       SELECT product, pos, code, 'de' AS lang, ifnull(name_de, '') AS name,
         ifnull(value_de, '') AS value FROM product_attr
       UNION ALL SELECT product, pos, code, 'en', ifnull(name_en, ''),
         ifnull(value_en, '') FROM product_attr
       UNION ALL SELECT product, pos, code, 'pl', ifnull(name_pl, ''),
         ifnull(value_pl, '') FROM product_attr)
     ORDER BY product, pos, lang"
same "related products and substitutes" \
    "SELECT p.erp_uuid, r.kind, r.other_uuid FROM product_relation r
     JOIN product p ON p.id = r.product_id ORDER BY 1, 2, r.sort" \
    "SELECT product, CASE kind WHEN 0 THEN 'related' ELSE 'substitute' END,
       other FROM product_rel ORDER BY product, kind, pos"
same "photos and files" \
    "SELECT p.erp_uuid, f.erp_uuid, f.kind, f.name, f.mime, f.size, f.sha256
     FROM product_file f JOIN product p ON p.id = f.product_id ORDER BY 2" \
    "SELECT product, uuid, CASE kind WHEN 0 THEN 'photo' ELSE 'file' END,
       file_name, content_type, size, sha256 FROM file ORDER BY 2"
same "customers: terms, credit, blocks" \
    "SELECT erp_uuid, code, name, nip, grp, lang, currency, payment_days,
       discount_bp, credit_limit, credit_used, overdue, blocked,
       blocked_reason, active, email, phone, default_warehouse_uuid
     FROM customer WHERE deleted_at IS NULL ORDER BY 1" \
    "SELECT uuid, code, name, nip, grp, lang, currency, payment_days,
       discount, credit_limit, credit_used, overdue, blocked, block_reason,
       active, email, phone, default_warehouse FROM customer ORDER BY 1"
same "contact persons" \
    "SELECT c.erp_uuid, k.erp_uuid, k.name, k.email, k.phone, k.role
     FROM customer_contact k JOIN customer c ON c.id = k.customer_id
     ORDER BY 2" \
    "SELECT customer, uuid, name, email, phone, role FROM contact ORDER BY 2"
same "addresses" \
    "SELECT c.erp_uuid, a.erp_uuid, a.kind, a.name, a.street, a.postcode,
       a.city, a.country FROM customer_address a
     JOIN customer c ON c.id = a.customer_id ORDER BY 2" \
    "SELECT customer, uuid, kind, name, street, postcode, city, country
     FROM address ORDER BY 2"
same "prices: catalogue, group and individual" \
    "SELECT p.erp_uuid,
       CASE p.kind WHEN 'individual' THEN 'customer' ELSE p.kind END,
       pr.erp_uuid, p.currency, p.amount, p.grp, ifnull(c.erp_uuid, ''),
       p.lang
     FROM price p JOIN product pr ON pr.id = p.product_id
     LEFT JOIN customer c ON c.id = p.customer_id ORDER BY 1" \
    "SELECT uuid, kind, product, currency, amount, grp, customer, langver
     FROM price ORDER BY 1"
same "stock per warehouse" \
    "SELECT s.erp_uuid, w.erp_uuid, p.erp_uuid, s.qty_milli FROM stock s
     JOIN warehouse w ON w.id = s.warehouse_id
     JOIN product p ON p.id = s.product_id ORDER BY 1" \
    "SELECT uuid, warehouse, product, quantity FROM stock ORDER BY 1"
same "configurator rule sets" \
    "SELECT erp_uuid, code, version, valid_from, name, currency FROM ruleset
     ORDER BY 1" \
    "SELECT uuid, code, version, valid_from, name_pl, currency FROM ruleset
     ORDER BY 1"
like "$(pq "SELECT bundle FROM ruleset LIMIT 1")" \
    '^<bundle xmlns="urn:oknoerp:portal:1"><geometry><frame_mm>115</frame_mm>.*<grid>.*<surcharge>' \
    "the bundle is kept as canonical XML"
same "orders: status, revision, release, shipment" \
    "SELECT erp_uuid, number, external_ref, customer_uuid, status,
       ifnull(status_at, 0), ifnull(created_at, 0), revision,
       correction_note, currency, release_wz, carrier, waybill
     FROM erp_order ORDER BY 1" \
    "SELECT uuid, number, ifnull(external_ref, ''), customer, status,
       status_changed, created, revision, correction_note, currency,
       wz_number, carrier, waybill FROM orders ORDER BY 1"
same "order lines" \
    "SELECT o.erp_uuid, l.line_no, l.product_uuid, l.name, l.qty_milli,
       l.unit_net FROM erp_order_line l JOIN erp_order o ON o.id = l.order_id
     ORDER BY 1, 2" \
    "SELECT order_uuid, line_no, product, name, quantity, unit_net
     FROM order_line ORDER BY 1, 2"
same "invoices with KSeF numbers" \
    "SELECT erp_uuid, number, ksef_number, order_uuid, customer_uuid,
       ifnull(issued_at, 0), ifnull(sale_date, 0), ifnull(due_at, 0),
       currency, net, vat, gross, paid FROM invoice ORDER BY 1" \
    "SELECT uuid, number, ksef, order_uuid, customer, issued, sale_date,
       due_date, currency, net, vat, gross, paid FROM invoice ORDER BY 1"
same "invoice lines" \
    "SELECT i.erp_uuid, l.line_no, l.product_uuid, l.qty_milli, l.net,
       l.vat_bp, l.vat, l.gross FROM invoice_line l
     JOIN invoice i ON i.id = l.invoice_id ORDER BY 1, 2" \
    "SELECT invoice, line_no, product, quantity, net, vat_rate, vat, gross
     FROM invoice_line ORDER BY 1, 2"

# ---- documents in the file store ------------------------------------------------

is "$(pq "SELECT count(*) FROM invoice WHERE pdf_sha256 IS NULL
    OR xml_sha256 IS NULL")" 0 "every invoice has its PDF and XML"
ndoc=0 bad=
for u in $(pq "SELECT erp_uuid FROM invoice ORDER BY erp_uuid LIMIT 5"); do
	h=$(pq "SELECT pdf_sha256 FROM invoice WHERE erp_uuid = '$u'")
	f=$E2E_DATADIR/store/$(printf %.2s "$h")/$h
	sq "SELECT writefile('$E2E_RUNDIR/want.pdf', pdf) FROM invoice
	    WHERE uuid = '$u'" >/dev/null
	cmp -s "$f" "$E2E_RUNDIR/want.pdf" || bad="$bad $u"
	[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$h" ] || bad="$bad $u(hash)"
	ndoc=$((ndoc + 1))
done
ok "invoice PDFs are the simulator's bytes, named by their SHA-256 ($ndoc checked)" \
    test -z "$bad" -a "$ndoc" -gt 0
is "$(pq "SELECT count(*) FROM product_file WHERE stored = 0")" 0 \
    "every product photo and file is in the file store"
u=$(sq "SELECT uuid FROM file ORDER BY uuid LIMIT 1")
h=$(sq "SELECT sha256 FROM file WHERE uuid = '$u'")
sq "SELECT writefile('$E2E_RUNDIR/want.bin', content) FROM file
    WHERE uuid = '$u'" >/dev/null
ok "a product file is the simulator's bytes" \
    cmp -s "$E2E_DATADIR/store/$(printf %.2s "$h")/$h" "$E2E_RUNDIR/want.bin"
is "$(find "$E2E_DATADIR/store/tmp" -type f | wc -l)" 0 \
    "no temporary files left in the store"

# ---- a second pass changes nothing ------------------------------------------------

R=$(pq "SELECT max(id) FROM sync_run")
FRAMUGA_NOW=$((T0 + 2 * 86400))
ok "a second --due pass a day later succeeds" sync --due
is "$(pq "SELECT count(*) FROM sync_run WHERE id > $R")" \
    "$(pq "SELECT count(*) FROM sync_operation")" "every operation ran again"
is "$(pq "SELECT sum(upserted) + sum(deleted) + sum(failed)
    FROM sync_run WHERE id > $R")" 0 "and none changed, deleted or failed a row"
rewritten=$(pq "SELECT (SELECT count(*) FROM product WHERE sync_run_id > $R)
    + (SELECT count(*) FROM price WHERE sync_run_id > $R)
    + (SELECT count(*) FROM stock WHERE sync_run_id > $R)
    + (SELECT count(*) FROM customer WHERE sync_run_id > $R)
    + (SELECT count(*) FROM category WHERE sync_run_id > $R)
    + (SELECT count(*) FROM currency WHERE sync_run_id > $R)
    + (SELECT count(*) FROM warehouse WHERE sync_run_id > $R)
    + (SELECT count(*) FROM ruleset WHERE sync_run_id > $R)
    + (SELECT count(*) FROM erp_order WHERE sync_run_id > $R)
    + (SELECT count(*) FROM invoice WHERE sync_run_id > $R)")
is "$rewritten" 0 "no row was rewritten (sync_run_id unchanged everywhere)"
like "$(pq "SELECT mode || ' ' || fetched FROM sync_run WHERE id > $R
    AND operation = 'reconcile'")" '^full [1-9]' \
    "the reconciliation walked every list again"

# ---- deletions behind the change queue's back: the reconciliation ---------------

gone_product=$(sq "SELECT uuid FROM product WHERE uuid IN (SELECT product FROM
    price) AND uuid IN (SELECT product FROM stock) ORDER BY uuid LIMIT 1 OFFSET 7")
gone_price=$(sq "SELECT uuid FROM price WHERE product <> '$gone_product'
    ORDER BY uuid DESC LIMIT 1")
gone_customer=$(sq "SELECT uuid FROM customer WHERE uuid NOT IN (SELECT customer
    FROM orders) ORDER BY uuid LIMIT 1")
sq "DELETE FROM product WHERE uuid = '$gone_product';
    DELETE FROM price WHERE product = '$gone_product';
    DELETE FROM stock WHERE product = '$gone_product';
    DELETE FROM price WHERE uuid = '$gone_price';
    DELETE FROM price WHERE customer = '$gone_customer';
    DELETE FROM customer WHERE uuid = '$gone_customer';" >/dev/null
is "$(sq "SELECT count(*) FROM changes")" 0 "(those deletions left no change entries)"
# a customer the portal made before the ERP has its card (db/0003)
pq "INSERT INTO customer (erp_uuid, name, updated_at)
    VALUES ('portal:5eed0123', 'Nowy klient z rejestracji', $T0)"
FRAMUGA_NOW=$((T0 + 4 * 86400))
ok "framuga-sync run reconcile" sync run reconcile
is "$(pq "SELECT deleted_at IS NOT NULL FROM product WHERE erp_uuid = '$gone_product'")" 1 \
    "the product deleted in the ERP is marked deleted"
is "$(pq "SELECT count(*) FROM price p JOIN product pr ON pr.id = p.product_id
    WHERE pr.erp_uuid = '$gone_product'")" 0 "its prices are gone"
is "$(pq "SELECT count(*) FROM stock s JOIN product pr ON pr.id = s.product_id
    WHERE pr.erp_uuid = '$gone_product'")" 0 "its stock is gone"
is "$(pq "SELECT count(*) FROM price WHERE erp_uuid = '$gone_price'")" 0 \
    "a price deleted in the ERP is gone"
is "$(pq "SELECT deleted_at IS NOT NULL FROM customer WHERE erp_uuid = '$gone_customer'")" 1 \
    "a customer deleted in the ERP is marked deleted (accounts refer to it)"
is "$(pq "SELECT deleted_at IS NULL FROM customer
    WHERE erp_uuid = 'portal:5eed0123'")" 1 \
    "a customer the portal made (no ERP uuid yet) is not the ERP's to delete"
same "prices match again after the reconciliation" \
    "SELECT p.erp_uuid, pr.erp_uuid, p.amount FROM price p
     JOIN product pr ON pr.id = p.product_id ORDER BY 1" \
    "SELECT uuid, product, amount FROM price ORDER BY 1"
is "$(pq "SELECT count(*) FROM product WHERE deleted_at IS NULL")" \
    "$(sq "SELECT count(*) FROM product")" "product counts match"
is "$(pq "SELECT count(*) FROM customer WHERE deleted_at IS NULL
    AND erp_uuid NOT LIKE 'portal:%'")" "$(sq "SELECT count(*) FROM customer")" \
    "customer counts match"
is "$(last_run reconcile upserted)" 0 "the reconciliation rewrote nothing else"

# ---- status ------------------------------------------------------------------------

sync_out status >"$E2E_RUNDIR/status.txt"
like "$(cat "$E2E_RUNDIR/status.txt")" '^OPERATION +ON +INTERVAL' "status prints a table"
is "$(grep -cE '^(rates|warehouses|categories|products|customers|prices|stock|rulesets|order_push|orders|invoices|files|reconcile) +yes +[0-9]{2}:[0-9]{2}:[0-9]{2} ' \
    "$E2E_RUNDIR/status.txt")" 13 "one line per operation, with its interval"

done_testing
