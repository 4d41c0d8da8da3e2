-- 0010_catalog_generation.sql: a generation number for what the catalogue
-- pages keep in their workers' cache, and an index for what they do not.
--
-- A worker keeps the results of the catalogue's customer-independent
-- statements (a category's page of names, codes and base prices; its
-- filters; a search's hits) and asks only the customer's own parts live
-- (cgi-src/lib/qcache.h, cgi-src/catalog/catalog.c).  The results are good
-- while meta.catalog_generation holds: every change to a table those
-- statements read bumps it here, in the writer's own transaction, so a
-- reader's snapshot sees either the old rows and the old number or the
-- new ones and the new number.  These are the tables; a cached statement
-- that reads any other is not cached (qcache.c checks each statement
-- once per worker against the tables that have these triggers).
-- Individual prices are per customer and are asked live, so the price
-- table's triggers fire only for the group and catalogue prices
-- (customer_id NULL).  Stock is cached too (stock_total, kept from stock
-- by 0007's triggers): a stock run that changes anything renews every
-- worker's cache once, which costs each page one uncached view.
--
-- An upsert, as for i18n_generation (0001), so that a database whose meta
-- row went missing heals itself.  About 0.2 microseconds a row written.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.

INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
    ON CONFLICT (key) DO NOTHING;

-- What a page asks live is a customer's individual prices of its 50
-- products: with the customer first and every column the price needs, the
-- 50 seeks stay in the few pages of that customer's list, and no row of
-- the table is read.  Replaces 0002's price_customer (customer, product),
-- which served the same customer's list and the foreign key's cascade.
DROP INDEX price_customer;
CREATE INDEX price_customer ON price (customer_id, product_id, kind, grp,
    currency, lang, amount) WHERE customer_id IS NOT NULL;

CREATE TRIGGER category_gen_ai AFTER INSERT ON category
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER category_gen_au AFTER UPDATE ON category
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER category_gen_ad AFTER DELETE ON category
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER category_text_gen_ai AFTER INSERT ON category_text
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER category_text_gen_au AFTER UPDATE ON category_text
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER category_text_gen_ad AFTER DELETE ON category_text
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER catalog_facet_gen_ai AFTER INSERT ON catalog_facet
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER catalog_facet_gen_au AFTER UPDATE ON catalog_facet
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER catalog_facet_gen_ad AFTER DELETE ON catalog_facet
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER catalog_name_gen_ai AFTER INSERT ON catalog_name
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER catalog_name_gen_au AFTER UPDATE ON catalog_name
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER catalog_name_gen_ad AFTER DELETE ON catalog_name
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_gen_ai AFTER INSERT ON product
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_gen_au AFTER UPDATE ON product
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_gen_ad AFTER DELETE ON product
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_text_gen_ai AFTER INSERT ON product_text
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_text_gen_au AFTER UPDATE ON product_text
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_text_gen_ad AFTER DELETE ON product_text
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_visibility_gen_ai AFTER INSERT ON product_visibility
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_visibility_gen_au AFTER UPDATE ON product_visibility
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_visibility_gen_ad AFTER DELETE ON product_visibility
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_attr_gen_ai AFTER INSERT ON product_attr
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_attr_gen_au AFTER UPDATE ON product_attr
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER product_attr_gen_ad AFTER DELETE ON product_attr
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER stock_total_gen_ai AFTER INSERT ON stock_total
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER stock_total_gen_au AFTER UPDATE ON stock_total
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER stock_total_gen_ad AFTER DELETE ON stock_total
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER price_gen_ai AFTER INSERT ON price
    WHEN new.customer_id IS NULL
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER price_gen_au AFTER UPDATE ON price
    WHEN old.customer_id IS NULL OR new.customer_id IS NULL
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;

CREATE TRIGGER price_gen_ad AFTER DELETE ON price
    WHEN old.customer_id IS NULL
BEGIN
	INSERT INTO meta (key, value) VALUES ('catalog_generation', '1')
	    ON CONFLICT (key) DO UPDATE
	    SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT);
END;
