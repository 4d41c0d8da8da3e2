-- 0005_catalog.sql: what the catalogue pages (cgi-src/catalog) read beyond
-- the ERP's tables (0002): a sort index of product names per language and
-- category, and the full-text index of names, codes and descriptions.
--
-- Both are derived from product and product_text and kept in step by the
-- triggers below, so framuga-sync (which writes those tables with upserts)
-- needs no change, and neither table is ever written by the application.
--
-- Applied by db_migrate() inside one BEGIN IMMEDIATE transaction (no BEGIN
-- or COMMIT here).  A released migration is never edited.

-- One row per product and language that has a text: the category list's
-- "sort by name" walks catalog_name_sort (category, lang, name, id) as a
-- keyset, like "sort by code" walks product_category.  id is also the
-- rowid of the product's row in catalog_fts for that language.
-- No foreign key: the triggers remove the rows, the FTS row first.
CREATE TABLE catalog_name (
	id		INTEGER PRIMARY KEY,
	product_id	INTEGER NOT NULL,
	lang		TEXT NOT NULL,
	category_uuid	TEXT NOT NULL DEFAULT '',
	name		TEXT NOT NULL,
	UNIQUE (product_id, lang)
) STRICT;

CREATE INDEX catalog_name_sort ON catalog_name (category_uuid, lang, name,
    product_id);

-- Full-text search (C1): name, code, description per language.  unicode61
-- with remove_diacritics 2 folds case and the Polish diacritics it knows
-- (ą ć ę ń ó ś ź ż); it does not fold ł (a letter of its own in Unicode),
-- so the indexed text and the query are both written with ł -> l (the
-- query in catalog_search.c).  lang is not indexed: the search filters on
-- it after MATCH.
CREATE VIRTUAL TABLE catalog_fts USING fts5(name, code, description,
    lang UNINDEXED, tokenize = "unicode61 remove_diacritics 2");

-- Existing rows (a portal that synced before this migration).
INSERT INTO catalog_name (product_id, lang, category_uuid, name)
    SELECT t.product_id, t.lang, p.category_uuid, t.name
    FROM product_text t JOIN product p ON p.id = t.product_id;
INSERT INTO catalog_fts (rowid, name, code, description, lang)
    SELECT n.id, replace(replace(t.name, 'ł', 'l'), 'Ł', 'L'), p.code,
        replace(replace(t.description, 'ł', 'l'), 'Ł', 'L'), t.lang
    FROM catalog_name n
    JOIN product_text t ON t.product_id = n.product_id AND t.lang = n.lang
    JOIN product p ON p.id = n.product_id;

CREATE TRIGGER catalog_text_ai AFTER INSERT ON product_text
BEGIN
	INSERT INTO catalog_name (product_id, lang, category_uuid, name)
	    VALUES (new.product_id, new.lang,
	    (SELECT category_uuid FROM product WHERE id = new.product_id),
	    new.name);
	INSERT INTO catalog_fts (rowid, name, code, description, lang)
	    VALUES ((SELECT id FROM catalog_name WHERE product_id =
	    new.product_id AND lang = new.lang),
	    replace(replace(new.name, 'ł', 'l'), 'Ł', 'L'),
	    (SELECT code FROM product WHERE id = new.product_id),
	    replace(replace(new.description, 'ł', 'l'), 'Ł', 'L'), new.lang);
END;

CREATE TRIGGER catalog_text_au AFTER UPDATE OF name, description
    ON product_text
BEGIN
	UPDATE catalog_name SET name = new.name
	    WHERE product_id = new.product_id AND lang = new.lang;
	UPDATE catalog_fts SET
	    name = replace(replace(new.name, 'ł', 'l'), 'Ł', 'L'),
	    description = replace(replace(new.description, 'ł', 'l'), 'Ł', 'L')
	    WHERE rowid = (SELECT id FROM catalog_name WHERE product_id =
	    new.product_id AND lang = new.lang);
END;

CREATE TRIGGER catalog_text_ad AFTER DELETE ON product_text
BEGIN
	DELETE FROM catalog_fts WHERE rowid = (SELECT id FROM catalog_name
	    WHERE product_id = old.product_id AND lang = old.lang);
	DELETE FROM catalog_name
	    WHERE product_id = old.product_id AND lang = old.lang;
END;

CREATE TRIGGER catalog_product_au AFTER UPDATE OF code, category_uuid
    ON product
BEGIN
	UPDATE catalog_name SET category_uuid = new.category_uuid
	    WHERE product_id = new.id
	    AND category_uuid IS NOT new.category_uuid;
	UPDATE catalog_fts SET code = new.code
	    WHERE rowid IN (SELECT id FROM catalog_name
	    WHERE product_id = new.id) AND new.code IS NOT old.code;
END;

-- A product deleted outright (never by the sync, which sets deleted_at;
-- but the cascade to product_text does not fire its triggers).
CREATE TRIGGER catalog_product_ad AFTER DELETE ON product
BEGIN
	DELETE FROM catalog_fts WHERE rowid IN (SELECT id FROM catalog_name
	    WHERE product_id = old.id);
	DELETE FROM catalog_name WHERE product_id = old.id;
END;
