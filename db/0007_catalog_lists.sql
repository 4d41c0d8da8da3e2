-- 0007_stock_total.sql: each product's stock over the active warehouses,
-- kept ready for the catalogue's lists (cgi-src/catalog).
--
-- A category page shows 50 products with their stock; summing the stock
-- rows of each (one per warehouse, each a table look-up and a warehouse
-- look-up) was a third of the page's instructions
-- (tests/bench/profile_page.sh).  The lists now read one row per product
-- by its key.  Derived from stock and warehouse and kept in step by the
-- triggers below, like catalog_name (0005): framuga-sync writes stock and
-- warehouse as before, and the application never writes this table.
--
-- Each trigger recomputes the touched product's sum from its stock rows
-- (a handful, one per warehouse), rather than adding and subtracting, so
-- the total cannot drift whatever order rows change in, and a warehouse
-- switched off or on recomputes the products it holds.  The triggers
-- upsert (ON CONFLICT DO UPDATE), not INSERT OR REPLACE: an outer
-- statement's conflict algorithm overrides a trigger's OR REPLACE, and
-- framuga-sync writes stock with upserts, so REPLACE became ABORT there.  A product without
-- a row here has no stock (0).  Like the page's old sum: only positive
-- quantities, only active warehouses.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.

DROP INDEX price_lookup;
CREATE INDEX price_lookup ON price (product_id, kind, customer_id, grp,
    currency, lang, amount);
-- customer_id (always NULL here) is a column too: the statements say
-- customer_id IS NULL to use the partial index, and SQLite reads the
-- column for that test, which without it cost a table look-up per price.
CREATE INDEX price_base ON price (product_id, grp, currency, lang, amount,
    customer_id) WHERE customer_id IS NULL;

CREATE TABLE stock_total (
	product_id	INTEGER PRIMARY KEY
			    REFERENCES product (id) ON DELETE CASCADE,
	qty_milli	INTEGER NOT NULL
) STRICT;

INSERT INTO stock_total (product_id, qty_milli)
    SELECT s.product_id, sum(s.qty_milli) FROM stock s
    JOIN warehouse w ON w.id = s.warehouse_id AND w.active = 1
    WHERE s.qty_milli > 0 GROUP BY s.product_id;

CREATE TRIGGER stock_total_ai AFTER INSERT ON stock
BEGIN
	INSERT INTO stock_total (product_id, qty_milli)
	    SELECT new.product_id, coalesce(sum(s.qty_milli), 0) FROM stock s
	    JOIN warehouse w ON w.id = s.warehouse_id AND w.active = 1
	    WHERE s.product_id = new.product_id AND s.qty_milli > 0
	    ON CONFLICT (product_id) DO UPDATE SET
	    qty_milli = excluded.qty_milli;
END;

CREATE TRIGGER stock_total_au AFTER UPDATE OF product_id, warehouse_id,
    qty_milli ON stock
BEGIN
	INSERT INTO stock_total (product_id, qty_milli)
	    SELECT new.product_id, coalesce(sum(s.qty_milli), 0) FROM stock s
	    JOIN warehouse w ON w.id = s.warehouse_id AND w.active = 1
	    WHERE s.product_id = new.product_id AND s.qty_milli > 0
	    ON CONFLICT (product_id) DO UPDATE SET
	    qty_milli = excluded.qty_milli;
END;

-- The conditions are the triggers' WHEN: a sum() without GROUP BY gives a
-- row even when its WHERE matches nothing.
CREATE TRIGGER stock_total_au_old AFTER UPDATE OF product_id ON stock
WHEN old.product_id <> new.product_id
BEGIN
	INSERT INTO stock_total (product_id, qty_milli)
	    SELECT old.product_id, coalesce(sum(s.qty_milli), 0) FROM stock s
	    JOIN warehouse w ON w.id = s.warehouse_id AND w.active = 1
	    WHERE s.product_id = old.product_id AND s.qty_milli > 0
	    ON CONFLICT (product_id) DO UPDATE SET
	    qty_milli = excluded.qty_milli;
END;

-- Also fired by the cascade when a product or a warehouse goes; when the
-- product went, its row went by its own cascade and stays gone.
CREATE TRIGGER stock_total_ad AFTER DELETE ON stock
WHEN EXISTS (SELECT 1 FROM product WHERE id = old.product_id)
BEGIN
	INSERT INTO stock_total (product_id, qty_milli)
	    SELECT old.product_id, coalesce(sum(s.qty_milli), 0) FROM stock s
	    JOIN warehouse w ON w.id = s.warehouse_id AND w.active = 1
	    WHERE s.product_id = old.product_id AND s.qty_milli > 0
	    ON CONFLICT (product_id) DO UPDATE SET
	    qty_milli = excluded.qty_milli;
END;

CREATE TRIGGER stock_total_wu AFTER UPDATE OF active ON warehouse
WHEN old.active IS NOT new.active
BEGIN
	INSERT INTO stock_total (product_id, qty_milli)
	    SELECT x.product_id, (SELECT coalesce(sum(s.qty_milli), 0)
	    FROM stock s JOIN warehouse w ON w.id = s.warehouse_id
	    AND w.active = 1 WHERE s.product_id = x.product_id
	    AND s.qty_milli > 0)
	    FROM stock x WHERE x.warehouse_id = new.id
	    ON CONFLICT (product_id) DO UPDATE SET
	    qty_milli = excluded.qty_milli;
END;

-- Attribute filters (C1): the values of each attribute among the visible
-- products of each category, per language version, with how many
-- products have each.  A category page reads its facets in one indexed
-- query instead of grouping thousands of product_attr rows per request.
-- Derived like the above, but refreshed by framuga-sync (after a products
-- run, the categories of the products it changed; in full after a
-- reconcile; cgi-src/sync/facets.c), not by triggers: one product's
-- change would regroup its whole category.  An attribute with more than
-- 20 values in a category (dimensions, say) is no filter and is left out.
CREATE TABLE catalog_facet (
	category_uuid	TEXT NOT NULL,
	lang		TEXT NOT NULL,
	code		TEXT NOT NULL,		-- product_attr.code
	name		TEXT NOT NULL,		-- in that language
	value		TEXT NOT NULL,
	unit		TEXT NOT NULL DEFAULT '',
	n		INTEGER NOT NULL,	-- products with that value
	PRIMARY KEY (category_uuid, lang, code, value)
) STRICT, WITHOUT ROWID;

INSERT INTO catalog_facet (category_uuid, lang, code, name, value, unit, n)
    SELECT p.category_uuid, v.lang, a.code, max(a.name), a.value,
        max(a.unit), count(DISTINCT p.id)
    FROM product p
    JOIN product_visibility v ON v.product_id = p.id
    JOIN product_attr a ON a.product_id = p.id AND a.lang IN (v.lang, '')
    WHERE p.active = 1 AND p.deleted_at IS NULL AND a.value <> ''
    GROUP BY p.category_uuid, v.lang, a.code, a.value;
DELETE FROM catalog_facet WHERE (category_uuid, lang, code) IN
    (SELECT category_uuid, lang, code FROM catalog_facet
    GROUP BY category_uuid, lang, code HAVING count(*) > 20);

-- Search (cgi-src/catalog/search.c): the full-text index again, now with
-- prefix indexes of 2, 3 and 4 characters.  A prefix term ("okn"*) made
-- FTS5 merge the doclists of every word it starts before the first row:
-- thousands of documents for a short beginning of a common word, 13 M
-- instructions a search.  With the prefix index a beginning of up to four
-- characters is one doclist, walked in rowid order to the LIMIT (about
-- nine times faster measured; the index grows by about a third).  Longer
-- beginnings start fewer words.  The columns, the tokenizer and the rowids
-- stay, so 0005's triggers keep it in step as before.
DROP TABLE catalog_fts;
CREATE VIRTUAL TABLE catalog_fts USING fts5(name, code, description,
    lang UNINDEXED, tokenize = "unicode61 remove_diacritics 2",
    prefix = '2 3 4');
INSERT INTO catalog_fts (rowid, name, code, description, lang)
    SELECT n.id, replace(replace(t.name, 'ł', 'l'), 'Ł', 'L'), p.code,
        replace(replace(t.description, 'ł', 'l'), 'Ł', 'L'), t.lang
    FROM catalog_name n
    JOIN product_text t ON t.product_id = n.product_id AND t.lang = n.lang
    JOIN product p ON p.id = n.product_id;
